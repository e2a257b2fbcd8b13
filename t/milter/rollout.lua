-- SPDX-License-Identifier: BSD-2-Clause
-- rollout.lua - per-policy dry run and the per-recipient decision lines
-- (issue 12, SPEC 3.3, 4).  MT_PHASE 1: shadow.example in dry run beside
-- enforcing policies; 2: after a reload that enforces shadow.example.
-- rollout.sh compares replies and log lines with expected/rollout.*.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local R, C = "replycode", "continue"

local phases = {
	["1"] = {
		-- No PTR: * rejects, shadow.example would (dry run),
		-- postmaster is exempt.
		{ name = "R1NOPTR", ip = "192.0.2.11", host = "unknown",
		    helo = "client.example.net", from = "<s@example.org>",
		    rcpts = { { "<a@x.example>", R },
			{ "<b@Shadow.Example>", C },
			{ "<postmaster@x.example>", C } } },
		-- Generic name: only .sub.example enforces generic; the
		-- shadow policy would refuse.
		{ name = "R2GENERIC", ip = "198.51.100.42",
		    host = "dsl-198-51-100-42.pool.insec.test",
		    helo = "other.example", from = "<>",
		    rcpts = { { "<a@x.example>", C },
			{ "<b@shadow.example>", C },
			{ "<c@mx.sub.example>", R },
			{ "<d@mx.sub.example>", R },
			{ "<postmaster@mx.sub.example>", C } } },
		-- All good: nothing refused.
		{ name = "R3PASS", ip = "192.0.2.10", host = "mail.sec.test",
		    helo = "mail.sec.test",
		    rcpts = { { "<a@x.example>", C },
			{ "<b@shadow.example>", C } } },
		-- Hostile envelope and HELO text must not forge fields.
		{ name = "R4HOSTILE", ip = "192.0.2.11", host = "[192.0.2.11]",
		    helo = "bad<h>\tx policy=evil",
		    from = "<a> to=<b@c\001d@e.example>",
		    rcpts = { { "<x> helo=<y>@x.example>", R },
			{ "<postmaster@x.example>", C } } },
	},
	["2"] = {
		{ name = "R5ENFORCED", ip = "192.0.2.11", host = "unknown",
		    helo = "client.example.net",
		    rcpts = { { "<b@shadow.example>", R },
			{ "<postmaster@x.example>", C } } },
	},
}

T.run(function()
	for _, s in ipairs(assert(phases[os.getenv("MT_PHASE")], "MT_PHASE")) do
		local conn = T.session(s)
		T.ok(T.header(conn, s.name) ~= nil, s.name .. ": header added")
		mt.disconnect(conn)
	end
end)
