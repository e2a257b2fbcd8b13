-- SPDX-License-Identifier: BSD-2-Clause
-- concurrency.lua - one session of concurrency.sh: connect from $MT_IP
-- (black-holed DNS), HELO, MAIL (macro i = $MT_QID), RCPT to a domain
-- whose policy needs a verdict (451 4.7.25 at the deadline), QUIT.
local T = dofile(os.getenv("MT_SRC") .. "/lib.lua")

T.run(function()
	local qid = os.getenv("MT_QID")
	local conn = T.open({ name = qid, ip = os.getenv("MT_IP"),
	    helo = "x.hole.test" })
	T.envelope(conn, { name = qid,
	    rcpts = { { "<u@strict.example>", "replycode" } } })
	mt.disconnect(conn)
end)
