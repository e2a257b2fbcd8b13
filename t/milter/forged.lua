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

	-- However many there are, every forged field goes (no fixed cap):
	-- N of ours, with a field of another id before the first and after
	-- every seventh.  The indices to delete, last first, go to
	-- MT_WANT for forged.sh to compare with the transcript.
	for _, n in ipairs({ 1, 64, 65, 1000 }) do
		local name = "FN" .. n
		local hdrs, want, idx = {}, {}, 0
		local function add(value, ours)
			hdrs[#hdrs + 1] = { AR, value }
			idx = idx + 1
			if ours then
				table.insert(want, 1, idx)
			end
		end
		add("other.example; none", false)
		for i = 1, n do
			add("mx.example.net; iprev=pass (FORGED-" .. i .. ")",
			    true)
			if i % 7 == 0 then
				add("other.example; iprev=pass", false)
			end
		end
		hdrs[#hdrs + 1] = { "From", "<sender@example.org>" }
		local rec = { "== " .. name }
		for _, k in ipairs(want) do
			rec[#rec + 1] = "m " .. k .. " " .. AR .. "\\0\\0"
		end
		T.record("MT_WANT", table.concat(rec, "\n") .. "\n")
		local s = { name = name, headers = hdrs }
		T.envelope(conn, s)
		T.message(conn, s)
		T.ok(mt.eom_check(conn, MT_HDRDELETE, AR),
		    name .. ": forged fields deleted")
	end
	mt.disconnect(conn)
end)
