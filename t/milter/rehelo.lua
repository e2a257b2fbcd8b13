-- SPDX-License-Identifier: BSD-2-Clause
-- rehelo.lua - a new HELO/EHLO on a connection is judged again (issue 21
-- item 4): after EHLO mail.sec.test, a message whose RCPT needed the
-- verdict, RSET and EHLO evil.attacker.invalid, the next message is
-- judged on the new name (x-ptr=fail, the helo policy refuses), and
-- after EHLO mail.sec.test again on that one; then a connection that
-- says EHLO with nine names, past the cap of HELO lookups.  Policies: see
-- rehelo.sh.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local R, C = "replycode", "continue"
local AR = "mx.example.net;\n" ..
    "\tiprev=pass (mail.sec.test; dnssec=secure) policy.iprev=192.0.2.10;\n"

T.run(function()
	local conn = T.open({ name = "H1", ip = "192.0.2.10",
	    helo = "mail.sec.test" })

	-- H1: the RCPT computes the verdict (helo=reject needs it); RSET.
	local s1 = { name = "H1", rcpts = { { "<u@helo.example>", C } } }
	T.envelope(conn, s1)
	T.ok(mt.abort(conn) == nil, "H1: abort (RSET)")

	-- EHLO with another name: the second message is judged on it.
	T.helo(conn, "H2: EHLO", "evil.attacker.invalid")
	local s2 = { name = "H2", rcpts = {
		{ "<u@helo.example>", R },
		{ "<u@open.example>", C },
	} }
	T.envelope(conn, s2)
	T.message(conn, s2)
	T.same(T.header(conn, "H2"), AR .. "\tx-ptr=fail " ..
	    "smtp.helo=evil.attacker.invalid policy.ptr=mail.sec.test",
	    "H2: the header follows the new HELO")

	-- H3: a message (verdict computed at EOM only), then EHLO back to
	-- the PTR name: the next message passes again.
	local s3 = { name = "H3", rcpts = { { "<u@open.example>", C } } }
	T.envelope(conn, s3)
	T.message(conn, s3)
	T.same(T.header(conn, "H3"), AR .. "\tx-ptr=fail " ..
	    "smtp.helo=evil.attacker.invalid policy.ptr=mail.sec.test",
	    "H3: same HELO, same verdict")
	T.helo(conn, "H4: EHLO", "mail.sec.test")
	local s4 = { name = "H4", rcpts = { { "<u@helo.example>", C } } }
	T.envelope(conn, s4)
	T.message(conn, s4)
	T.same(T.header(conn, "H4"), AR .. "\tx-ptr=pass " ..
	    "smtp.helo=mail.sec.test policy.ptr=mail.sec.test",
	    "H4: the header follows the HELO back")
	mt.disconnect(conn)

	-- H5: EHLO with ever new names.  Past 8 HELO lookups on one
	-- connection a new name is not looked up: its confirmation is
	-- temperror, which temperror=tempfail defers and helo=reject alone
	-- does not refuse.
	conn = T.open({ name = "H5", ip = "192.0.2.10", helo = "x1.fw.invalid" })
	for i = 2, 9 do
		T.helo(conn, "H5: EHLO " .. i, "x" .. i .. ".fw.invalid")
	end
	local s5 = { name = "H5", rcpts = {
		{ "<u@helotf.example>", R },
		{ "<u@helo.example>", C },
	} }
	T.envelope(conn, s5)
	T.message(conn, s5)
	T.same(T.header(conn, "H5"), AR .. "\tx-ptr=fail " ..
	    "smtp.helo=x9.fw.invalid policy.ptr=mail.sec.test",
	    "H5: the header names the last HELO")
	mt.disconnect(conn)
end)
