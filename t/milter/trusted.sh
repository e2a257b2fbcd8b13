#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# trusted.sh - TrustedNetworks (default 127.0.0.0/8 and ::1; a configured
# list replaces it, a second line adds to it), clients without an IP, and
# SMTP AUTH clients ({auth_authen} at MAIL; SkipAuthenticated yes / no):
# no header, no refusal, forged headers kept; everybody else checked.
# Exact log lines: expected/trusted.log (both phases, compared sorted).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world

STRICT="Policy * ptr=reject iprev=reject generic=reject helo=reject"
STRICT="$STRICT temperror=tempfail"

mt_conf default <<END
AuthservID mx.example.net
$STRICT
END
mt_start "$MT_DIR/default.conf"
mt_lua trusted MT_PHASE=1
mt_check "phase 1: every transaction logged" mt_wait_log ': ip=' 10
mt_stop
mt_summaries >"$MT_DIR/trusted.log.got"

mt_conf listed <<END
AuthservID mx.example.net
TrustedNetworks 192.0.2.0/28, 2001:db8::/64
TrustedNetworks 198.51.100.12/32
SkipAuthenticated no
$STRICT
END
mt_start "$MT_DIR/listed.conf"
mt_lua trusted MT_PHASE=2
mt_check "phase 2: every transaction logged" mt_wait_log ': ip=' 8
mt_stop
mt_summaries >>"$MT_DIR/trusted.log.got"

sort "$MT_DIR/trusted.log.got" >"$MT_DIR/got.sorted"
sort "$MT_SRC/expected/trusted.log" >"$MT_DIR/want.sorted"
mt_diff "summary log lines equal expected/trusted.log" \
    "$MT_DIR/want.sorted" "$MT_DIR/got.sorted"
mt_finish
