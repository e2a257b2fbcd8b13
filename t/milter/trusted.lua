-- SPDX-License-Identifier: BSD-2-Clause
-- trusted.lua - trusted networks and authenticated clients (SPEC 3.1,
-- 4): no checks, no refusal, no header, forged headers kept.  MT_PHASE 1
-- runs with the default TrustedNetworks and SkipAuthenticated yes;
-- phase 2 with "TrustedNetworks 192.0.2.0/28, 2001:db8::/64" plus a
-- second line "TrustedNetworks 198.51.100.12/32" and SkipAuthenticated
-- no.  Every policy refuses (see trusted.sh).
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local FORGED = "mx.example.net; iprev=pass policy.iprev=192.0.2.10"

-- name, ip, auth, want: "exempt" (continue, no header, forged kept) or
-- "checked" (RCPT refused, header added, forged deleted) or "pass"
-- (checked, client passes: continue, header, forged deleted)
local phases = {
	["1"] = {
		{ "T1LOOPBACK", "127.0.0.1", nil, "exempt" },
		{ "T1LOOPNOPTR", "127.0.0.3", nil, "exempt" },
		{ "T1LOOP6", "::1", nil, "exempt" },
		{ "T1MAPPEDLOOP", "::ffff:127.0.0.1", nil, "exempt" },
		{ "T1NOIP", "unspec", nil, "exempt" },
		{ "T1AUTH", "192.0.2.11", "user@example.org", "exempt",
		    second = "checked" },
		{ "T1AUTHEMPTY", "192.0.2.11", "", "checked" },
		{ "T1CONTROL", "192.0.2.11", nil, "checked" },
		{ "T1OUTSIDE", "192.0.2.16", nil, "pass" },
	},
	["2"] = {
		{ "T2LIST", "192.0.2.11", nil, "exempt" },
		{ "T2LISTEDGE", "192.0.2.15", nil, "exempt" },
		{ "T2LIST6", "2001:db8::11", nil, "exempt" },
		{ "T2SECONDLINE", "198.51.100.12", nil, "exempt" },
		{ "T2NOIP", "unspec", nil, "exempt" },
		{ "T2LOOPNOTLISTED", "127.0.0.3", nil, "checked" },
		{ "T2OUTSIDE", "192.0.2.16", nil, "pass" },
		{ "T2AUTHCHECKED", "198.51.100.11", "user@example.org",
		    "checked" },
	},
}

local helo = {
	["192.0.2.16"] = "a3.multi.sec.test",
}

local function transaction(conn, name, ip, auth, want)
	local s = {
		name = name, auth = auth,
		-- An exempt authenticated client's message is accepted at
		-- MAIL: the MTA sends nothing more for it.
		mail = (auth ~= nil and auth ~= "" and want == "exempt") and
		    "accept" or nil,
		rcpts = { { "<u@strict.example>",
		    want == "checked" and "replycode" or "continue" } },
		headers = {
			{ "Received", "from a by b" },
			{ "Authentication-Results", FORGED },
			{ "From", "<sender@example.org>" },
		},
	}
	T.envelope(conn, s)
	T.message(conn, s)
	local added = mt.eom_check(conn, MT_HDRINSERT,
	    "Authentication-Results")
	local deleted = mt.eom_check(conn, MT_HDRDELETE,
	    "Authentication-Results")
	if want == "exempt" then
		T.ok(not added, name .. " (" .. ip .. "): no header added")
		T.ok(not deleted, name .. " (" .. ip .. "): forged header kept")
	else
		T.ok(added, name .. " (" .. ip .. "): header added")
		T.ok(deleted, name .. " (" .. ip .. "): forged header deleted")
	end
end

T.run(function()
	local phase = assert(phases[os.getenv("MT_PHASE")], "MT_PHASE")
	for _, c in ipairs(phase) do
		local name, ip, auth, want = c[1], c[2], c[3], c[4]
		-- A trusted client is accepted at connect.
		local conn = T.open({ name = name, ip = ip,
		    helo = helo[ip] or "client.example.net",
		    connect = (want == "exempt" and auth == nil) and
		    "accept" or nil })
		transaction(conn, name, ip, auth, want)
		if c.second then
			-- {auth_authen} counts per transaction: the next one
			-- without it is checked.
			transaction(conn, name .. "2", ip, nil, c.second)
		end
		mt.disconnect(conn)
	end
end)
