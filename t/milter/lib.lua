-- SPDX-License-Identifier: BSD-2-Clause
-- lib.lua - helpers for the t/milter/*.lua miltertest scripts.
--
-- A script starts with
--	local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")
--	T.run(function() ... end)
-- T.run prints "ok - ..." / "not ok - ..." lines (lib.sh counts them) and
-- fails the run if a check failed or the script raised an error
-- (miltertest itself does not print Lua errors).
--
-- Environment (set by lib.sh mt_lua): MT_SOCKET (the milter socket, via
-- the recording proxy), MT_DIR (work directory), MT_LOG (daemon log),
-- MT_PID (daemon pid), MT_READ_TIMEOUT (optional, below), plus what each
-- script documents.

local T = {}
local unpack = table.unpack or unpack

T.sock = os.getenv("MT_SOCKET")
T.dir = os.getenv("MT_DIR")
T.failures = 0

-- MT_READ_TIMEOUT (seconds): how long miltertest waits for a reply (its
-- default is 10 s), for tests whose replies may queue behind others on a
-- loaded machine (concurrency.sh).
if tonumber(os.getenv("MT_READ_TIMEOUT") or "") ~= nil then
	mt.set_timeout(tonumber(os.getenv("MT_READ_TIMEOUT")))
end

local reply_names = {
	[SMFIR_CONTINUE] = "continue",
	[SMFIR_ACCEPT] = "accept",
	[SMFIR_REJECT] = "reject",
	[SMFIR_TEMPFAIL] = "tempfail",
	[SMFIR_REPLYCODE] = "replycode",
	[SMFIR_DISCARD] = "discard",
}

function T.ok(cond, msg)
	if cond then
		print("ok - " .. msg)
	else
		T.failures = T.failures + 1
		print("not ok - " .. msg)
	end
	return cond
end

-- One-line printable form of a value for messages.
function T.show(v)
	if v == nil then
		return "nil"
	end
	return '"' .. tostring(v):gsub("[^\32-\126]", function(c)
		return string.format("\\%03d", c:byte())
	end) .. '"'
end

-- ok if got == want; on failure both are shown.
function T.same(got, want, msg)
	if got == want then
		return T.ok(true, msg)
	end
	return T.ok(false, msg .. ": got " .. T.show(got) .. ", want " ..
	    T.show(want))
end

function T.fail(msg)
	return T.ok(false, msg)
end

-- The last reply on conn as a word.
function T.reply(conn)
	local r = mt.getreply(conn)
	return reply_names[r] or ("code " .. tostring(r))
end

-- Check a miltertest call's result (nil or an error string) and the
-- filter's reply; silent when all is well.
function T.expect(conn, what, err, want)
	if err ~= nil then
		return T.fail(what .. ": " .. tostring(err))
	end
	local got = T.reply(conn)
	if got ~= want then
		return T.fail(what .. ": reply " .. got .. ", want " .. want)
	end
	return true
end

-- The steps whose reply depends on what the filter negotiated: with a
-- "no reply" option (SMFIP_NR_HELO, SMFIP_NR_HDR) nothing comes back, so
-- only the call itself is checked; a stage the filter asked to skip
-- (SMFIP_NOEOH, SMFIP_NOBODY) is not sent at all, as an MTA does.
function T.helo(conn, what, name)
	if mt.test_option(conn, SMFIP_NR_HELO) then
		local err = mt.helo(conn, name)
		return err == nil or T.fail(what .. ": " .. tostring(err))
	end
	return T.expect(conn, what, mt.helo(conn, name), "continue")
end

function T.hdr(conn, what, name, value)
	if mt.test_option(conn, SMFIP_NR_HDR) then
		local err = mt.header(conn, name, value)
		return err == nil or T.fail(what .. ": " .. tostring(err))
	end
	return T.expect(conn, what, mt.header(conn, name, value), "continue")
end

function T.eoh(conn, what)
	if mt.test_option(conn, SMFIP_NOEOH) then
		return true
	end
	return T.expect(conn, what, mt.eoh(conn), "continue")
end

function T.body(conn, what, text)
	if mt.test_option(conn, SMFIP_NOBODY) then
		return true
	end
	return T.expect(conn, what, mt.bodystring(conn, text), "continue")
end

function T.connect()
	local conn = mt.connect(T.sock, 50, 0.1)
	if conn == nil then
		error("cannot connect to " .. tostring(T.sock))
	end
	return conn
end

-- Open a session: connect, conninfo, HELO.  s = { name, ip, host, helo,
-- connect } (helo "mt-no-helo": the proxy swallows it, the daemon sees
-- no HELO; connect: the reply wanted, default "continue", "accept" for a
-- trusted client, after which an MTA sends nothing more but QUIT).
function T.open(s)
	local conn = T.connect()
	T.expect(conn, s.name .. ": connect " .. tostring(s.ip),
	    mt.conninfo(conn, s.host or "client.example", s.ip),
	    s.connect or "continue")
	if s.helo ~= nil then
		T.helo(conn, s.name .. ": HELO", s.helo)
	end
	return conn
end

-- MAIL (with macro i = s.qid or s.name, and {auth_authen} = s.auth) and
-- the recipients s.rcpts = { { "<addr>", "continue" | "replycode" }, ... }.
function T.envelope(conn, s)
	local macros = { "i", s.qid or s.name }
	if s.auth ~= nil then
		macros[#macros + 1] = "{auth_authen}"
		macros[#macros + 1] = s.auth
	end
	mt.macro(conn, SMFIC_MAIL, unpack(macros))
	T.expect(conn, s.name .. ": MAIL",
	    mt.mailfrom(conn, s.from or "<sender@example.org>"),
	    s.mail or "continue")
	if s.mail == "accept" then
		-- The message is accepted: an MTA sends nothing more for it.
		s.accepted = true
		return
	end
	for _, r in ipairs(s.rcpts or { { "<user@example.com>" } }) do
		T.expect(conn, s.name .. ": RCPT " .. r[1],
		    mt.rcptto(conn, r[1]), r[2] or "continue")
	end
end

-- Headers s.headers = { { name, value }, ... }, EOH, body, EOM (accept).
function T.message(conn, s)
	if s.accepted then
		return
	end
	for _, h in ipairs(s.headers or { { "From", "<sender@example.org>" } })
	    do
		T.hdr(conn, s.name .. ": header " .. h[1], h[1], h[2])
	end
	T.eoh(conn, s.name .. ": EOH")
	T.body(conn, s.name .. ": body", "Hello.\r\n")
	T.expect(conn, s.name .. ": EOM", mt.eom(conn), "accept")
end

-- The whole session in one go; returns the connection (still open).
function T.session(s)
	local conn = T.open(s)
	T.envelope(conn, s)
	T.message(conn, s)
	return conn
end

-- Our header after EOM: the value, or nil.  Checks that there is at
-- most one.
function T.header(conn, what)
	local v = mt.getheader(conn, "Authentication-Results", 0)
	if v ~= nil and mt.getheader(conn, "Authentication-Results", 1) then
		T.fail(what .. ": more than one Authentication-Results added")
	end
	return v
end

-- Skeleton of a header value: quoted strings and comments removed.
-- nil if a quoted string or comment is not closed.
function T.skeleton(v)
	local out, i, depth, n = {}, 1, 0, #v
	while i <= n do
		local c = v:sub(i, i)
		if depth == 0 and c == '"' then
			i = i + 1
			while i <= n and v:sub(i, i) ~= '"' do
				if v:sub(i, i) == "\\" then
					i = i + 1
				end
				i = i + 1
			end
			if i > n then
				return nil
			end
			out[#out + 1] = "Q"
		elseif c == "(" then
			depth = depth + 1
		elseif c == ")" and depth > 0 then
			depth = depth - 1
		elseif c == "\\" and depth > 0 then
			i = i + 1
		elseif depth == 0 then
			out[#out + 1] = c
		end
		i = i + 1
	end
	if depth ~= 0 then
		return nil
	end
	return table.concat(out)
end

-- SPEC 3.1 shape checks that hold for every header we add: printable
-- ASCII with "\n\t" folds only, lines under 78 bytes unless one word is
-- longer, never over 998, exactly one iprev and one x-ptr result.
function T.check_shape(what, v, authserv)
	local ok = true
	if v:find("[^\t\n\32-\126]") then
		ok = T.fail(what .. ": byte outside printable ASCII in header")
	end
	if v:find("\n[^\t]") or v:find("\n$") or v:find("\t[^\n]*\t") then
		ok = T.fail(what .. ": folding is not \"\\n\\t\"")
	end
	local first = true
	for line in (v .. "\n"):gmatch("([^\n]*)\n") do
		local full = first and ("Authentication-Results: " .. line) or
		    line
		first = false
		if #full > 998 then
			ok = T.fail(what .. ": line over 998 bytes")
		elseif #full >= 78 and line:sub(2):find(" ") then
			ok = T.fail(what .. ": line of " .. #full ..
			    " bytes could be folded: " .. line)
		end
	end
	local sk = T.skeleton(v)
	if sk == nil then
		return T.fail(what .. ": unbalanced quotes or comments")
	end
	sk = sk:gsub("%s+", " ")
	local pat = "^" .. authserv:gsub("%p", "%%%0") ..
	    "; iprev=%l+ policy%.iprev=[%w.Q]+; x%-ptr=%l+[^;]*$"
	if not sk:find(pat) then
		ok = T.fail(what .. ": header skeleton \"" .. sk ..
		    "\" is not one iprev and one x-ptr result")
	end
	local _, n1 = sk:gsub("iprev=", "")
	local _, n2 = sk:gsub("x%-ptr=", "")
	if n1 ~= 2 or n2 ~= 1 then
		ok = T.fail(what .. ": " .. n1 .. " iprev / " .. n2 ..
		    " x-ptr words outside quotes and comments")
	end
	return ok
end

-- Append text to the file named by environment variable var.
function T.record(var, text)
	local path = os.getenv(var)
	if path == nil then
		error(var .. " not set")
	end
	local f = assert(io.open(path, "a"))
	f:write(text)
	f:close()
end

-- Seconds since some epoch, sub-second when the system has it.
function T.now()
	local p = io.popen("date +%s.%N")
	local s = p:read("*l")
	p:close()
	return tonumber(s) or os.time()
end

-- Run the script body; report and fail on errors and failed checks.
function T.run(body)
	local ok, err = pcall(body)
	if not ok then
		T.fail("lua error: " .. tostring(err))
	end
	if T.failures > 0 then
		error(T.failures .. " check(s) failed")
	end
end

return T
