#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rehelo.sh - the HELO part of the verdict (x-ptr, the helo policy, the
# header's smtp.helo, the log's helo=) follows the HELO in force at each
# MAIL, however many times the client said HELO or EHLO on the
# connection (issue 21 item 4); past 8 HELO lookups on one connection a
# new name's confirmation is temperror (item 2).  rehelo.lua checks the
# replies and the headers; here the summary lines (expected/rehelo.log).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf rehelo <<'END'
AuthservID mx.example.net
Policy open.example      ptr=accept
Policy helo.example      helo=reject
Policy helotf.example    helo=reject temperror=tempfail
END
mt_start "$MT_DIR/rehelo.conf"
mt_lua rehelo
mt_replies >"$MT_DIR/rehelo.got"
cat >"$MT_DIR/rehelo.want" <<'END'
RCPT <u@helo.example> -> continue
RCPT <u@helo.example> -> 550 5.7.25 HELO name evil.attacker.invalid does not match reverse DNS name mail.sec.test
RCPT <u@open.example> -> continue
RCPT <u@open.example> -> continue
RCPT <u@helo.example> -> continue
RCPT <u@helotf.example> -> 451 4.7.25 Temporary failure looking up reverse DNS for 192.0.2.10
RCPT <u@helo.example> -> continue
END
mt_diff "RCPT replies follow the HELO in force" \
    "$MT_DIR/rehelo.want" "$MT_DIR/rehelo.got"
mt_check "every message logged" mt_wait_log ': ip=' 4
mt_stop
mt_check "the HELO cap is logged once" \
    test "$(grep -c 'more than 8 HELO/EHLO names' "$MT_LOG")" = 1
mt_summaries >"$MT_DIR/rehelo.log.got"
mt_diff "summary log lines equal expected/rehelo.log" \
    "$MT_SRC/expected/rehelo.log" "$MT_DIR/rehelo.log.got"
mt_finish
