-- SPDX-License-Identifier: BSD-2-Clause
-- timeout.lua - black-holed DNS (SPEC 2: DNSTimeout bounds every
-- callback, counted from connect; a callback that needs no verdict
-- answers at once).  One session per run, named by MT_CASE; its header
-- goes to $MT_DIR/got-NAME.txt.
-- Reply times and texts are read from the proxy transcript by
-- timeout.sh (expected/timeout.txt).  DNSTimeout is 2 (timeout.sh).
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local R, C = "replycode", "continue"

local cases = {
	-- PTR query never answered.
	{ name = "TPTRHOLE", ip = "198.51.100.250", helo = "mail.insec.test",
	    rcpts = { { "<u@strict.example>", R } } },
	-- PTR answered, the address lookup of x.hole.test never.
	{ name = "TFWDHOLE", ip = "192.0.2.19", helo = "x.hole.test",
	    rcpts = { { "<u@strict.example>", R } } },
	{ name = "TV6HOLE", ip = "2001:db8::19", helo = "x.hole.test",
	    rcpts = { { "<u@strict.example>", R } } },
	-- No policy needs a verdict: RCPT answers at once, EOM waits for
	-- the deadline.
	{ name = "TNOWAIT", ip = "198.51.100.250", helo = "mail.insec.test",
	    rcpts = { { "<u@open.example>", C } } },
	-- The client dawdles past the deadline: RCPT answers at once.
	{ name = "TLATEHOLE", ip = "198.51.100.250", helo = "mail.insec.test",
	    sleep = 2.5, rcpts = { { "<u@strict.example>", R } } },
	{ name = "TLATEGOOD", ip = "192.0.2.10", helo = "mail.sec.test",
	    sleep = 2.5, rcpts = { { "<u@strict.example>", C } } },
	-- Only the HELO lookup is black-holed: the helo policy sees
	-- temperror.
	{ name = "THELOHOLE", ip = "192.0.2.10", helo = "x.hole.test",
	    rcpts = { { "<u@helo.example>", R },
		{ "<u@heloacc.example>", C } } },
}

T.run(function()
	local s
	for _, c in ipairs(cases) do
		if c.name == os.getenv("MT_CASE") then
			s = c
		end
	end
	assert(s, "unknown MT_CASE")
	local conn = T.open(s)
	if s.sleep then
		mt.sleep(s.sleep)
	end
	T.envelope(conn, s)
	T.message(conn, s)
	local v = T.header(conn, s.name)
	local f = assert(io.open(T.dir .. "/got-" .. s.name .. ".txt", "w"))
	f:write("Authentication-Results: " .. tostring(v) .. "\n")
	f:close()
	mt.disconnect(conn)
end)
