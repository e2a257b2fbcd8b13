-- SPDX-License-Identifier: BSD-2-Clause
-- resolver-error.lua - see resolver-error.sh: 192.0.2.77's PTR lookup
-- cannot be started; 192.0.2.10 (mail.sec.test) is checked as usual.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

local R, C = "replycode", "continue"

T.run(function()
	-- Deferred at strict.example (temperror=tempfail), accepted elsewhere
	-- with a header that says why nothing could be checked.
	local conn = T.session({ name = "REFAIL", ip = "192.0.2.77",
	    helo = "mail.sec.test",
	    rcpts = { { "<u@strict.example>", R }, { "<u@open.example>", C } } })
	local v = T.header(conn, "REFAIL") or "(none)"
	T.ok(v:find("iprev=temperror%s+%(resolver error[;)]") ~= nil,
	    "header: iprev=temperror (resolver error): " .. v:gsub("%s+", " "))
	T.ok(v:find("x-ptr=temperror", 1, true) ~= nil,
	    "header: x-ptr=temperror: " .. v)
	mt.disconnect(conn)

	-- A second such connection, counted too.
	conn = T.session({ name = "REFAIL2", ip = "192.0.2.77",
	    helo = "mail.sec.test", rcpts = { { "<u@open.example>", C } } })
	mt.disconnect(conn)

	-- Another client: checked as usual, accepted.
	conn = T.session({ name = "REOK", ip = "192.0.2.10",
	    helo = "mail.sec.test", rcpts = { { "<u@strict.example>", C } } })
	v = T.header(conn, "REOK") or "(none)"
	T.ok(v:find("iprev=pass", 1, true) ~= nil, "other client: iprev=pass")
	mt.disconnect(conn)
end)
