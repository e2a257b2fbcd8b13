-- SPDX-License-Identifier: BSD-2-Clause
-- forged.lua - existing Authentication-Results fields with our
-- authserv-id are deleted at their original index (SPEC 3.1, RFC 8601 5),
-- others stay.  forged.sh compares the exact EOM actions (indices) from
-- the proxy transcript with expected/forged.txt.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local AR = "Authentication-Results"

T.run(function()
	local conn = T.open({ name = "F1", ip = "192.0.2.10",
	    helo = "mail.sec.test" })
	local s = {
		name = "F1",
		headers = {
			{ "Received", "from a.example by b.example" },
			-- A-R #1: plain, ours
			{ AR, "mx.example.net; iprev=pass policy.iprev=192.0.2.10" },
			-- #2: other case
			{ AR, "MX.Example.NET; none" },
			{ "Received", "from c.example by d.example" },
			-- #3: a longer id that merely starts with ours
			{ AR, "mx.example.net.evil; iprev=pass" },
			-- #4: comments (nested) before the id, field name in
			-- lower case
			{ "authentication-results",
			    "(forged (nested)) mx.example.net; none" },
			-- #5: a version after the id
			{ AR, "mx.example.net 1; iprev=pass" },
			-- #6: another id
			{ AR, "other.example; iprev=pass policy.iprev=1.2.3.4" },
			-- #7: folded before and after the id
			{ AR, "\n\tmx.example.net\n\t;\n\tiprev=fail" },
			-- #8: the id as a quoted-string (RFC 2045 value)
			{ AR, "\"mx.example.net\"; none" },
			-- #9: a different id with ours as prefix
			{ AR, "mx.example.net2; none" },
			-- #10: our id only inside a comment
			{ AR, "other.example (mx.example.net); none" },
			{ "From", "<sender@example.org>" },
		},
	}
	T.envelope(conn, s)
	T.message(conn, s)
	T.ok(mt.eom_check(conn, MT_HDRDELETE, AR), "F1: forged fields deleted")
	T.ok(mt.eom_check(conn, MT_HDRINSERT, AR), "F1: our field added")

	-- The second message of the connection counts its own fields.
	local s2 = {
		name = "F2",
		headers = {
			{ AR, "other.example; none" },
			{ AR, "mx.example.net; iprev=pass" },
		},
	}
	T.envelope(conn, s2)
	T.message(conn, s2)
	T.ok(mt.eom_check(conn, MT_HDRDELETE, AR), "F2: forged field deleted")

	-- No forged field: nothing deleted.
	local s3 = { name = "F3", headers = { { AR, "other.example; none" } } }
	T.envelope(conn, s3)
	T.message(conn, s3)
	T.ok(not mt.eom_check(conn, MT_HDRDELETE), "F3: nothing deleted")
	mt.disconnect(conn)
end)
