-- SPDX-License-Identifier: BSD-2-Clause
-- reload.lua - SIGUSR1 rereads the configuration (SPEC 4): a good new
-- file applies to later connections (a session in progress keeps the
-- configuration it started with), a broken one is logged and the old one
-- stays.  reload.sh prepares $MT_DIR/reload-{A,B,C,D,E}.conf; the daemon
-- reads $MT_DIR/reload.conf (A at start), this script copies the next
-- one over it and sends SIGUSR1 to $MT_PID, then waits for the log.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local R, C = "replycode", "continue"

local function count(pattern)
	local n = 0
	local f = assert(io.open(os.getenv("MT_LOG")))
	for line in f:lines() do
		if line:find(pattern, 1, true) then
			n = n + 1
		end
	end
	f:close()
	return n
end

-- Install reload-X.conf, SIGUSR1, and wait (5 s at most) for the log
-- line that ends the reload (want: "configuration reloaded" or "reload
-- failed").
local function reload(x, want)
	local before = count(want)
	local cmd = "cp " .. T.dir .. "/reload-" .. x .. ".conf " .. T.dir ..
	    "/reload.conf && kill -USR1 " .. os.getenv("MT_PID")
	T.ok(os.execute(cmd), "install reload-" .. x .. ".conf, SIGUSR1")
	for _ = 1, 100 do
		if count(want) > before then
			return T.ok(true, "reload " .. x .. ": " .. want)
		end
		mt.sleep(0.05)
	end
	return T.fail("reload " .. x .. ": no \"" .. want .. "\" in the log")
end

-- A session from 192.0.2.11 (no PTR) to u@x.example; returns the header.
local function probe(qid, want)
	local conn = T.session({ name = qid, ip = "192.0.2.11",
	    helo = "client.example.net",
	    rcpts = { { "<u@x.example>", want } } })
	local v = T.header(conn, qid) or "(none)"
	mt.disconnect(conn)
	return v
end

local function authserv(v)
	return v:match("^([^;]*);") or v
end

T.run(function()
	-- A: AuthservID mx.example.net, nothing refused.
	local v = probe("RLA", C)
	T.ok(authserv(v) == "mx.example.net", "A: authserv-id " .. authserv(v))

	-- A session that starts under A and ends under B.
	local held = T.open({ name = "RLHELD", ip = "192.0.2.11",
	    helo = "client.example.net" })

	-- B: AuthservID mx2.example.net, no PTR refused.
	reload("B", "configuration reloaded")
	local s = { name = "RLHELD", rcpts = { { "<u@x.example>", C } } }
	T.envelope(held, s)
	T.message(held, s)
	v = T.header(held, "RLHELD") or "(none)"
	T.ok(authserv(v) == "mx.example.net",
	    "session in progress keeps A: authserv-id " .. authserv(v))
	mt.disconnect(held)
	v = probe("RLB", R)
	T.ok(authserv(v) == "mx2.example.net", "B: authserv-id " .. authserv(v))

	-- C: a syntax error; B stays.
	reload("C", "reload failed")
	v = probe("RLC", R)
	T.ok(authserv(v) == "mx2.example.net", "after C: authserv-id " .. authserv(v))

	-- D: a resolver configuration libunbound refuses; B stays.
	reload("D", "reload failed")
	v = probe("RLD", R)
	T.ok(authserv(v) == "mx2.example.net", "after D: authserv-id " .. authserv(v))

	-- F: the file vanishes (an editor replacing it): E... stays B.
	local before = count("reload failed")
	T.ok(os.execute("rm -f " .. T.dir .. "/reload.conf && kill -USR1 " ..
	    os.getenv("MT_PID")), "remove reload.conf, SIGUSR1")
	for _ = 1, 100 do
		if count("reload failed") > before then break end
		mt.sleep(0.05)
	end
	T.ok(count("reload failed") > before, "reload F: reload failed")
	v = probe("RLF", R)
	T.ok(authserv(v) == "mx2.example.net", "after F: authserv-id " .. authserv(v))

	-- G: an unreadable trust anchor file; B stays, still refusing.
	reload("G", "reload failed")
	v = probe("RLG", R)
	T.ok(authserv(v) == "mx2.example.net", "after G: authserv-id " .. authserv(v))

	-- H: a ResolverConfig that libunbound accepts but cannot finalize.
	reload("H", "reload failed")
	v = probe("RLH", R)
	T.ok(authserv(v) == "mx2.example.net", "after H: authserv-id " .. authserv(v))

	-- E: good again, with a new resolver (another ResolverConfig path).
	reload("E", "configuration reloaded")
	v = probe("RLE", C)
	T.ok(authserv(v) == "mx3.example.net", "E: authserv-id " .. authserv(v))
	local conn = T.session({ name = "RLESECURE", ip = "192.0.2.10",
	    helo = "mail.sec.test" })
	v = T.header(conn, "RLESECURE") or "(none)"
	T.ok(v:find("(mail.sec.test; dnssec=secure)", 1, true) ~= nil,
	    "E: the new resolver validates")
	mt.disconnect(conn)
end)
