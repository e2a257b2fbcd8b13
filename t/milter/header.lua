-- SPDX-License-Identifier: BSD-2-Clause
-- header.lua - the Authentication-Results header for each kind of client
-- (SPEC 3.1).  Every case is one connection with one message; the header
-- value is appended to $MT_GOT as "== case" + the field, which header.sh
-- compares with expected/header.txt.  Each header must also pass the
-- shape checks (one field, folding, one iprev and one x-ptr result) and
-- be inserted at index 0.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local long_ptr = string.rep("a", 63) .. "." .. string.rep("b", 63) .. "." ..
    string.rep("c", 63) .. "." .. string.rep("d", 50) .. ".insec.test"

local cases = {
	-- name, client IP, HELO
	{ "secure", "192.0.2.10", "mail.sec.test" },
	{ "helo-case-dot", "192.0.2.10", "MAIL.Sec.Test." },
	{ "insecure", "198.51.100.10", "mail.insec.test" },
	{ "no-ptr-nxdomain", "192.0.2.11", "mail.sec.test" },
	{ "no-ptr-nodata", "198.51.100.12", "mail.insec.test" },
	{ "no-ptr-dangling-cname", "192.0.2.66", "mail.sec.test" },
	{ "fail-other-address", "192.0.2.15", "elsewhere.sec.test" },
	{ "fail-no-address", "192.0.2.13", "noaddr.sec.test" },
	{ "fail-outside-world", "198.51.100.14", "mail.example" },
	{ "fail-beyond-maxptrnames", "192.0.2.21", "n11.many.sec.test" },
	{ "pass-third-name", "192.0.2.16", "a3.multi.sec.test" },
	{ "pass-answer-order", "198.51.100.13", "z1.order.insec.test" },
	{ "pass-200-names-tcp", "198.51.100.24", "h005.insec.test" },
	{ "pass-rfc2317", "192.0.2.65", "classless.sec.test" },
	{ "generic-embedded-ip", "198.51.100.42",
	    "dsl-198-51-100-42.pool.insec.test" },
	{ "generic-pattern", "198.51.100.45", "cust45.dynamic.insec.test" },
	{ "bogus-ptr", "203.0.113.10", "ptr.insec.test" },
	{ "bogus-forward", "192.0.2.17", "mail.bogus.test" },
	{ "servfail-forward", "192.0.2.23", "x.servfail.test" },
	{ "refused-forward", "192.0.2.20", "x.lame.test" },
	{ "refused-ptr", "198.51.100.251", "mail.insec.test" },
	{ "ipv6-pass", "2001:db8::10", "mail6.sec.test" },
	{ "ipv6-fail", "2001:db8::20", "nomatch6.sec.test" },
	{ "ipv6-a-only", "2001:db8::21", "v4only.sec.test" },
	{ "ipv6-no-ptr", "2001:db8::11", "mail6.sec.test" },
	{ "ipv6-generic", "2001:db8::30", "ip-0000-0000-0000-0030.v6.insec.test" },
	{ "ipv6-dual", "2001:db8::22", "dual.sec.test" },
	{ "ipv4-mapped", "::ffff:192.0.2.10", "mail.sec.test" },
	{ "helo-literal", "192.0.2.10", "[192.0.2.10]" },
	{ "helo-literal-ipv6", "2001:db8::10", "[IPv6:2001:db8::10]" },
	{ "helo-literal-other-ip", "192.0.2.10", "[192.0.2.99]" },
	{ "helo-resolves-to-ip", "192.0.2.10", "alias.sec.test" },
	{ "helo-other-name", "192.0.2.10", "other.sec.test" },
	{ "helo-other-org", "192.0.2.10", "mail.insec.test" },
	{ "no-helo", "192.0.2.10", "mt-no-helo" },
	{ "hostile-helo-quotes", "192.0.2.10", 'evil"; x-ptr=pass (' },
	{ "hostile-helo-8bit", "192.0.2.10", "h\195\169lo.example" },
	{ "hostile-helo-crlf", "192.0.2.10",
	    "a.example\r\nX-Injected: yes" },
	{ "hostile-helo-backslash", "192.0.2.10", "a\\b;c=d" },
	{ "hostile-helo-long", "192.0.2.10", string.rep("x", 300) },
	{ "hostile-ptr-control-byte", "198.51.100.20", "mail.insec.test" },
	{ "hostile-ptr-nul-byte", "198.51.100.21", "mail.insec.test" },
	{ "hostile-ptr-dot-in-label", "198.51.100.22", "a.b.insec.test" },
	{ "long-ptr-255", "198.51.100.23", long_ptr },
}

T.run(function()
	for _, c in ipairs(cases) do
		local s = { name = c[1], ip = c[2], helo = c[3],
		    qid = "H" .. c[1] }
		local conn = T.session(s)
		local v = T.header(conn, c[1])
		if T.ok(v ~= nil, c[1] .. ": header added") then
			T.record("MT_GOT", "== " .. c[1] .. "\n" ..
			    "Authentication-Results: " .. v .. "\n")
			T.check_shape(c[1], v, "mx.example.net")
			T.ok(mt.eom_check(conn, MT_HDRINSERT,
			    "Authentication-Results", v, 0),
			    c[1] .. ": header inserted at index 0")
			T.ok(not mt.eom_check(conn, MT_HDRADD),
			    c[1] .. ": no header appended")
		else
			T.record("MT_GOT", "== " .. c[1] .. "\n(none)\n")
		end
		mt.disconnect(conn)
	end
end)
