#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dryrun.sh - DryRun yes: decisions are made and logged as
# "action=reject(dry-run)" / "tempfail(dry-run)" but every recipient is
# accepted and the header is still added (SPEC 4); ExemptRecipients
# replaces the default list (postmaster, abuse).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf dryrun <<'END'
AuthservID mx.example.net
DryRun yes
Policy *          ptr=reject iprev=reject temperror=tempfail
Policy tf.example ptr=tempfail iprev=tempfail temperror=tempfail
END
mt_start "$MT_DIR/dryrun.conf"
mt_lua dryrun MT_PHASE=1
mt_replies >"$MT_DIR/dryrun.got"
mt_check "phase 1: every message logged" mt_wait_log ': ip=' 4
mt_stop
mt_summaries >"$MT_DIR/dryrun.log.got"

mt_conf exempt <<'END'
AuthservID mx.example.net
ExemptRecipients hostmaster
Policy * ptr=reject iprev=reject temperror=tempfail
END
mt_start "$MT_DIR/exempt.conf"
mt_lua dryrun MT_PHASE=2
mt_replies >>"$MT_DIR/dryrun.got"
mt_check "phase 2: every message logged" mt_wait_log ': ip=' 1
mt_stop
mt_summaries >>"$MT_DIR/dryrun.log.got"

mt_diff "RCPT replies equal expected/dryrun.txt" \
    "$MT_SRC/expected/dryrun.txt" "$MT_DIR/dryrun.got"
mt_diff "summary log lines equal expected/dryrun.log" \
    "$MT_SRC/expected/dryrun.log" "$MT_DIR/dryrun.log.got"
mt_finish
