-- SPDX-License-Identifier: BSD-2-Clause
-- abort.lua - sessions that end at every stage (up to after EOM), three
-- ways: an abrupt hang-up ("drop"), a polite QUIT ("quit"), and an
-- SMFIC_ABORT followed by a clean second transaction on the same
-- connection ("abort", whose header must be right).  Then hang-ups while
-- DNS is black-holed, including one while the RCPT callback waits for
-- its verdict.  Last a healthy session whose header is compared
-- exactly.  abort.sh checks that the daemon is alive and compares the
-- log lines (expected/abort.log).
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local IP, HELO = "192.0.2.11", "client.example.net"
local WANT_HEADER = "mx.example.net;\n" ..
    "\tiprev=permerror (no PTR record; dnssec=secure) " ..
    "policy.iprev=192.0.2.11;\n" ..
    "\tx-ptr=fail smtp.helo=client.example.net"
local GOOD_HEADER = "mx.example.net;\n" ..
    "\tiprev=pass (mail.sec.test; dnssec=secure) policy.iprev=192.0.2.10;\n" ..
    "\tx-ptr=pass smtp.helo=mail.sec.test policy.ptr=mail.sec.test"

local stages = { "connect", "helo", "mail", "rcpt", "refused", "header",
    "eoh", "body", "eom" }
local order = { connect = 1, helo = 2, mail = 3, rcpt = 4, refused = 4,
    header = 5, eoh = 6, body = 7, eom = 8 }

-- Run the session up to and including stage st.
local function upto(conn, name, st)
	local n = order[st]
	if n >= 2 then
		T.helo(conn, name .. ": HELO", HELO)
	end
	if n >= 3 then
		mt.macro(conn, SMFIC_MAIL, "i", name)
		T.expect(conn, name .. ": MAIL",
		    mt.mailfrom(conn, "<sender@example.org>"), "continue")
	end
	if n >= 4 then
		if st == "refused" then
			T.expect(conn, name .. ": RCPT",
			    mt.rcptto(conn, "<u@ptr.example>"), "replycode")
		else
			T.expect(conn, name .. ": RCPT",
			    mt.rcptto(conn, "<u@open.example>"), "continue")
		end
	end
	if n >= 5 then
		T.hdr(conn, name .. ": header", "Authentication-Results",
		    "mx.example.net; iprev=pass")
	end
	if n >= 6 then
		T.eoh(conn, name .. ": EOH")
	end
	if n >= 7 then
		T.body(conn, name .. ": body", "partial\r\n")
	end
	if n >= 8 then
		T.expect(conn, name .. ": EOM", mt.eom(conn), "accept")
		T.same(T.header(conn, name), WANT_HEADER,
		    name .. ": header at EOM")
	end
end

T.run(function()
	for _, st in ipairs(stages) do
		for _, style in ipairs({ "drop", "quit", "abort" }) do
			local name = "A" .. st .. "-" .. style
			local conn = T.connect()
			T.expect(conn, name .. ": connect",
			    mt.conninfo(conn, "client.example", IP), "continue")
			upto(conn, name, st)
			if order[st] == 2 then
				-- HELO has no reply (SMFIP_NR_HELO): give the
				-- filter a moment to read it, as the next
				-- command of a real MTA would.
				mt.sleep(0.2)
			end
			if style == "drop" then
				mt.disconnect(conn, false)
			elseif style == "quit" then
				mt.disconnect(conn)
			else
				T.ok(mt.abort(conn) == nil, name .. ": abort")
				if order[st] < 2 then
					T.helo(conn, name .. ": HELO", HELO)
				end
				local s = { name = name .. "-2",
				    rcpts = { { "<u@open.example>" } },
				    headers = { { "From", "<a@example.org>" } } }
				T.envelope(conn, s)
				T.message(conn, s)
				local v = T.header(conn, s.name)
				T.same(v, WANT_HEADER,
				    s.name .. ": header after the abort")
				T.ok(not mt.eom_check(conn, MT_HDRDELETE),
				    s.name .. ": nothing deleted (the forged " ..
				    "field was in the aborted transaction)")
				mt.disconnect(conn)
			end
		end
	end

	-- DNS black-holed (192.0.2.19: PTR x.hole.test, whose address
	-- lookups are never answered).
	local conn = T.connect()
	T.expect(conn, "hole-connect-drop: connect",
	    mt.conninfo(conn, "client.example", "192.0.2.19"), "continue")
	mt.disconnect(conn, false)

	conn = T.open({ name = "hole-helo-quit", ip = "192.0.2.19",
	    helo = "mail.sec.test" })
	mt.sleep(0.2)	-- HELO has no reply: let the filter read it
	mt.disconnect(conn)

	conn = T.open({ name = "Ahole-rcpt-hangup", ip = "192.0.2.19",
	    helo = "mail.sec.test" })
	mt.macro(conn, SMFIC_MAIL, "i", "Ahole-rcpt-hangup")
	T.expect(conn, "Ahole-rcpt-hangup: MAIL",
	    mt.mailfrom(conn, "<sender@example.org>"), "continue")
	-- The proxy hangs up both sides after passing the RCPT on.
	T.ok(mt.rcptto(conn, "<mt-hangup@temp.example>") ~= nil,
	    "Ahole-rcpt-hangup: the MTA side hung up during RCPT")
	mt.disconnect(conn, false)

	-- A healthy session still gets the right header.
	conn = T.session({ name = "Ahealthy", ip = "192.0.2.10",
	    helo = "mail.sec.test" })
	local v = T.header(conn, "Ahealthy")
	T.same(v, GOOD_HEADER, "Ahealthy: header")
	mt.disconnect(conn)
end)
