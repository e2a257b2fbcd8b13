-- SPDX-License-Identifier: BSD-2-Clause
-- replay.lua - the traffic of replay.sh (issue 22): one connection per
-- row of the corpus files CORPUS1 and CORPUS2 (t/corpus/*.txt), plus
-- rows of the test world's own zones (no PTR, iprev fail, temperror,
-- DNSSEC-secure names, a HELO that forward-confirms and one that does
-- not), each sent the same way whatever the configuration decides:
--
--   HELO as the row says ("mt-no-helo": none), MAIL with macro i = the
--   row's id, then 1 to 4 recipients over seven domains and six local
--   parts (postmaster, abuse and hostmaster among them), some twice;
--   then DATA and end of message if any recipient was accepted, else
--   RSET (as an MTA does when every recipient was refused).  Every
--   ninth row instead RSETs after its recipients (an address
--   verification probe) and every eleventh sends no message at all.
--   A connection the configuration trusts is answered "accept" at
--   connect and closed at once, as an MTA does.
--
-- MODE=cap: one message with 20 recipient domains and 20 exempt
-- recipients, past the summary line's caps.
-- The number of connections is written to $MT_DIR/sessions-$PHASE.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local domains = { "corpus.example", "x.example", "shadow.example",
	"mx.sub.example", "b.sub.example", "Sec.Example", "other.test" }
local locals = { "user", "postmaster", "Abuse", "hostmaster", "info",
	"sales" }

-- The test world's own rows (t/dns/README.md), each sent three times.
local world = {
	{ ip = "192.0.2.11", host = "[192.0.2.11]",
	    helo = "client.example.net" },			-- no PTR
	{ ip = "192.0.2.12", host = "[192.0.2.12]",
	    helo = "[192.0.2.12]" },				-- NODATA
	{ ip = "192.0.2.15", host = "[192.0.2.15]",
	    helo = "elsewhere.sec.test" },			-- iprev fail
	{ ip = "192.0.2.17", host = "[192.0.2.17]",
	    helo = "mail.bogus.test" },				-- temperror
	{ ip = "192.0.2.20", host = "[192.0.2.20]",
	    helo = "x.lame.test" },				-- SERVFAIL
	{ ip = "192.0.2.10", host = "mail.sec.test",
	    helo = "alias.sec.test" },				-- confirms
	{ ip = "192.0.2.10", host = "mail.sec.test",
	    helo = "other.sec.test" },				-- does not
	{ ip = "192.0.2.22", host = "dual.sec.test",
	    helo = "dual.sec.test" },				-- secure
	{ ip = "198.51.100.42", host = "dsl-198-51-100-42.pool.insec.test",
	    helo = "other.example" },				-- generic
}

local function rows()
	local out = {}
	for k, var in ipairs({ "CORPUS1", "CORPUS2" }) do
		local fh = assert(io.open(assert(os.getenv(var), var), "r"))
		local n = 0
		for line in fh:lines() do
			line = line:gsub("#.*", "")
			local kind, ip, ptr, helo = line:match(
			    "^(%u)%s+(%S+)%s+(%S+)%s+(%S+)%s+%S+%s+%S+%s+%S+")
			if kind ~= nil then
				n = n + 1
				out[#out + 1] = { ip = ip, host = ptr,
				    helo = helo ~= "-" and helo or "mt-no-helo",
				    id = string.format("%s%03d",
				    k == 1 and "T" or "H", n) }
			end
		end
		fh:close()
	end
	for r = 1, 3 do
		for i, w in ipairs(world) do
			out[#out + 1] = { ip = w.ip, host = w.host,
			    helo = w.helo,
			    id = string.format("W%d%02d", r, i) }
		end
	end
	return out
end

-- The recipients of the n-th row.
local function recipients(n)
	local out = {}
	for j = 0, n % 4 do
		out[#out + 1] = "<" .. locals[1 + (n * 5 + j * 3) % #locals] ..
		    "@" .. domains[1 + (n * 3 + j) % #domains] .. ">"
	end
	if n % 5 == 0 then
		-- The first domain again: counted twice.
		out[#out + 1] = "<second" .. n .. "@" ..
		    domains[1 + (n * 3) % #domains] .. ">"
	end
	return out
end

-- One connection: returns nothing; the daemon's log says the rest.
local function session(row, n, rcpts, shape)
	local name = row.id
	local conn = T.connect()
	local err = mt.conninfo(conn, row.host, row.ip)
	if err ~= nil then
		T.fail(name .. ": connect: " .. tostring(err))
		mt.disconnect(conn)
		return
	end
	local r = T.reply(conn)
	if r == "accept" then
		-- Trusted: the MTA sends nothing more.
		mt.disconnect(conn)
		return
	elseif r ~= "continue" then
		T.fail(name .. ": connect: reply " .. r)
	end
	T.helo(conn, name .. ": HELO", row.helo)
	if shape == "none" then
		-- No message: let the filter read the HELO first, as the
		-- next command of a real MTA would.
		mt.sleep(0.05)
		mt.disconnect(conn)
		return
	end
	mt.macro(conn, SMFIC_MAIL, "i", name)
	T.expect(conn, name .. ": MAIL", mt.mailfrom(conn,
	    "<sender@example.org>"), "continue")
	local accepted = 0
	for _, rcpt in ipairs(rcpts) do
		err = mt.rcptto(conn, rcpt)
		if err ~= nil then
			T.fail(name .. ": RCPT " .. rcpt .. ": " ..
			    tostring(err))
		elseif T.reply(conn) == "continue" then
			accepted = accepted + 1
		end
	end
	if shape == "probe" or accepted == 0 then
		T.ok(mt.abort(conn) == nil, name .. ": RSET")
	else
		T.message(conn, { name = name })
	end
	mt.disconnect(conn)
end

T.run(function()
	local phase = assert(os.getenv("PHASE"), "PHASE")
	local n = 0
	if os.getenv("MODE") == "cap" then
		local rcpts = {}
		for i = 1, 20 do
			rcpts[#rcpts + 1] = string.format("<u@d%02d.example>", i)
			rcpts[#rcpts + 1] = string.format(
			    "<postmaster@e%02d.example>", i)
		end
		session({ id = "CAP1", ip = "192.0.2.11",
		    host = "[192.0.2.11]", helo = "client.example.net" }, 1,
		    rcpts, "message")
		n = 1
	else
		for i, row in ipairs(rows()) do
			local shape = "message"
			if i % 11 == 0 then
				shape = "none"
			elseif i % 9 == 0 then
				shape = "probe"
			end
			session(row, i, recipients(i), shape)
			n = n + 1
		end
	end
	T.ok(n > 0, "sent " .. n .. " connections")
	local fh = assert(io.open(T.dir .. "/sessions-" .. phase, "w"))
	fh:write(n, "\n")
	fh:close()
end)
