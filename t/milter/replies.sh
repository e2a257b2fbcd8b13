#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# replies.sh - SPEC 3.2 replies per recipient: every reply text (550 and
# 451 forms) read from the proxy transcript, per-domain policies (exact,
# ".sub", "*", most specific wins, case and trailing dot), accept actions
# letting a later check decide, exempt recipients, each recipient of a
# transaction judged on its own, temperror actions, dnssec=require.
# Exact values: expected/replies.txt (RCPT -> reply) and
# expected/replies.log (summary lines, compared sorted).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf replies <<'END'
AuthservID mx.example.net
Policy *                 helo=tempfail
Policy open.example      ptr=accept
Policy ptr.example       ptr=reject
Policy ptrtf.example     ptr=tempfail
Policy iprev.example     iprev=reject
Policy iprevtf.example   iprev=tempfail
Policy generic.example   generic=reject
Policy helo.example      helo=reject
Policy helotf.example    helo=tempfail
Policy dnssec.example    iprev=reject dnssec=require
Policy dnsaccept.example dnssec=require
Policy temp.example      ptr=reject iprev=reject temperror=tempfail
Policy tempacc.example   ptr=reject iprev=reject temperror=accept
Policy tempgen.example   generic=reject temperror=tempfail
Policy order.example     ptr=reject iprev=reject generic=reject helo=reject
Policy later.example     ptr=accept iprev=accept generic=accept helo=reject
Policy all.example       ptr=reject iprev=reject generic=reject helo=reject temperror=tempfail
Policy example.org       ptr=reject
Policy .example.org      iprev=reject
Policy .b.example.org    helo=reject
END
mt_start "$MT_DIR/replies.conf"

mt_lua replies
mt_replies >"$MT_DIR/replies.got"
mt_diff "RCPT replies equal expected/replies.txt" \
    "$MT_SRC/expected/replies.txt" "$MT_DIR/replies.got"

mt_check "every transaction logged" mt_wait_log ': ip=' 15
mt_stop
mt_summaries | sort >"$MT_DIR/replies.log.got"
sort "$MT_SRC/expected/replies.log" >"$MT_DIR/replies.log.want"
mt_diff "summary log lines equal expected/replies.log" \
    "$MT_DIR/replies.log.want" "$MT_DIR/replies.log.got"
mt_finish
