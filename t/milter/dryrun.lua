-- SPDX-License-Identifier: BSD-2-Clause
-- dryrun.lua - DryRun yes decides as usual but never refuses (SPEC 4);
-- ExemptRecipients replaces the default list.  MT_PHASE 1: DryRun yes;
-- 2: DryRun no, ExemptRecipients hostmaster.  dryrun.sh compares the
-- replies and log lines (expected/dryrun.txt, expected/dryrun.log).
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local R, C = "replycode", "continue"

local phases = {
	["1"] = {
		{ name = "D1NOPTR", ip = "192.0.2.11", helo = "client.example.net",
		    rcpts = { { "<u@x.example>", C } } },
		{ name = "D2BOGUS", ip = "203.0.113.10", helo = "ptr.insec.test",
		    rcpts = { { "<u@x.example>", C } } },
		{ name = "D3PASS", ip = "192.0.2.10", helo = "mail.sec.test",
		    rcpts = { { "<u@x.example>", C } } },
		{ name = "D4BOTH", ip = "192.0.2.11", helo = "client.example.net",
		    rcpts = { { "<u@tf.example>", C }, { "<u@x.example>", C },
			{ "<u@tf.example>", C } } },
	},
	["2"] = {
		{ name = "E1EXEMPT", ip = "192.0.2.11",
		    helo = "client.example.net",
		    rcpts = { { "<hostmaster@x.example>", C },
			{ "<HostMaster@X.Example>", C },
			{ "<postmaster@x.example>", R },
			{ "<abuse@x.example>", R } } },
	},
}

T.run(function()
	for _, s in ipairs(assert(phases[os.getenv("MT_PHASE")], "MT_PHASE")) do
		local conn = T.session(s)
		T.ok(T.header(conn, s.name) ~= nil, s.name .. ": header added")
		mt.disconnect(conn)
	end
end)
