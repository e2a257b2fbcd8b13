-- SPDX-License-Identifier: BSD-2-Clause
-- replies.lua - per-recipient policy decisions (SPEC 3.2, 4): which RCPT
-- is refused (SMFIR_REPLYCODE) and which continues.  The reply texts are
-- read from the proxy transcript by replies.sh (expected/replies.txt);
-- here the reply kinds, the header after a partly refused transaction,
-- and a second transaction after an abort.  Policies: see replies.sh.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local R, C = "replycode", "continue"

-- Each session: client, HELO, recipients of the first transaction;
-- abort = true ends that transaction with an abort and sends a second,
-- clean one (MAIL, RCPT u@open.example, message) on the same connection.
local sessions = {
	{ name = "RPTR", ip = "192.0.2.11", helo = "client.example.net",
	    rcpts = {
		{ "<u@ptr.example>", R },
		{ "<u@ptrtf.example>", R },
		{ "<u@iprev.example>", R },
		{ "<u@later.example>", R },
		{ "<postmaster@ptr.example>", C },
		{ "<Abuse@PTR.example>", C },
		{ "<postmaster>", C },
		{ "<u@other.example>", R },
		{ "<u@PTR.Example.>", R },
		{ "<u@dnsaccept.example>", C },
		{ "<u@open.example>", C },
	    } },
	{ name = "RIPREV", ip = "192.0.2.15", helo = "other.example",
	    abort = true,
	    rcpts = {
		{ "<u@iprev.example>", R },
		{ "<u@iprevtf.example>", R },
		{ "<u@ptr.example>", C },
		{ "<u@example.org>", C },
		{ "<u@a.example.org>", R },
		{ "<u@a.b.example.org>", R },
		{ "<u@b.example.org>", R },
		{ "<u@order.example>", R },
		{ "<u@generic.example>", C },
		{ "<u@dnssec.example>", R },
	    } },
	{ name = "RFIRSTNAME", ip = "192.0.2.21", helo = "n11.many.sec.test",
	    rcpts = {
		{ "<u@iprev.example>", R },
		{ "<u@helo.example>", C },
	    } },
	{ name = "RGENERIC", ip = "198.51.100.42", helo = "other.example",
	    rcpts = {
		{ "<u@generic.example>", R },
		{ "<u@order.example>", R },
		{ "<u@helo.example>", R },
		{ "<u@helotf.example>", R },
		{ "<u@dnssec.example>", R },
		{ "<u@iprev.example>", C },
		{ "<u@tempgen.example>", R },
	    } },
	{ name = "RHELORESOLVES", ip = "192.0.2.10", helo = "alias.sec.test",
	    rcpts = {
		{ "<u@helo.example>", C },
		{ "<u@dnssec.example>", C },
		{ "<u@all.example>", C },
	    } },
	{ name = "RHELOLITERAL", ip = "192.0.2.10", helo = "[192.0.2.10]",
	    rcpts = { { "<u@helo.example>", C } } },
	{ name = "RHELOOTHERIP", ip = "192.0.2.10", helo = "[192.0.2.99]",
	    rcpts = { { "<u@helo.example>", R } } },
	{ name = "RHELOHOSTILE", ip = "192.0.2.10",
	    helo = "bad\"name;\195\169\r\nX: y",
	    rcpts = { { "<u@helo.example>", R } } },
	{ name = "RNOHELO", ip = "192.0.2.10", helo = "mt-no-helo",
	    rcpts = { { "<u@helo.example>", C }, { "<u@all.example>", C } } },
	{ name = "RINSECURE", ip = "198.51.100.10", helo = "mail.insec.test",
	    rcpts = {
		{ "<u@dnssec.example>", R },
		{ "<u@dnsaccept.example>", C },
		{ "<u@iprev.example>", C },
	    } },
	{ name = "RINSECURE6", ip = "2001:db8::30",
	    helo = "ip-0000-0000-0000-0030.v6.insec.test",
	    rcpts = { { "<u@dnssec.example>", R } } },
	{ name = "RBOGUS", ip = "203.0.113.10", helo = "ptr.insec.test",
	    rcpts = {
		{ "<u@temp.example>", R },
		{ "<u@tempacc.example>", C },
		{ "<u@ptr.example>", C },
		{ "<u@tempgen.example>", R },
		{ "<u@helo.example>", C },
		{ "<u@all.example>", R },
		{ "<u@dnsaccept.example>", C },
	    } },
	{ name = "RSERVFAIL", ip = "192.0.2.23", helo = "x.servfail.test",
	    rcpts = { { "<u@temp.example>", R }, { "<u@iprev.example>", C } } },
	{ name = "RNOPTR6", ip = "2001:db8::11", helo = "mail6.sec.test",
	    rcpts = { { "<u@ptr.example>", R } } },
}

T.run(function()
	for _, s in ipairs(sessions) do
		local conn = T.open(s)
		T.envelope(conn, s)
		if s.abort then
			T.ok(mt.abort(conn) == nil, s.name .. ": abort")
			local s2 = { name = s.name .. "2",
			    rcpts = { { "<u@open.example>", C } } }
			T.envelope(conn, s2)
			T.message(conn, s2)
			T.ok(mt.eom_check(conn, MT_HDRINSERT,
			    "Authentication-Results"),
			    s2.name .. ": header after an aborted transaction")
		else
			T.message(conn, s)
			local v = T.header(conn, s.name)
			T.ok(v ~= nil and v:find("policy.iprev=", 1, true),
			    s.name .. ": header added even though " ..
			    "recipients were refused")
		end
		mt.disconnect(conn)
	end
end)
