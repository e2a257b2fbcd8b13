#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# metrics-slow.sh - slow clients cannot lock out /metrics (MetricsListen).
#
#   - 16 connections from 127.0.0.1 that send their request one byte a
#     second and never finish it (t/robust/trickle.pl): a scrape from
#     another loopback address, 127.0.0.2, still gets the page (one
#     address holds at most 4 connections);
#   - the server cuts every one of the slow connections (the extra ones
#     at once, the others at the request deadline, 15 s), although each
#     keeps sending: trickle.pl gives up after 90 s, far beyond it;
#   - afterwards a scrape from 127.0.0.1 works again.
# No timing is asserted beyond the 90 s the slow client allows.  About
# 20 s.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init metrics-slow curl perl
rb_world_start
port=$(proc_free_port) || tap_bail "no free port"
rb_conf m.conf "MetricsListen 127.0.0.1:$port"
rb_start "$R_DIR/m.conf" || tap_bail "rdns-milter did not start"

# scrape SOURCE-ADDRESS NAME: the HTTP status of GET /metrics sent from
# SOURCE-ADDRESS; the page in R_DIR/NAME.page.
scrape()
{
	curl -s -o "$R_DIR/$2.page" -w '%{http_code}' --interface "$1" \
	    --max-time 20 "http://127.0.0.1:$port/metrics"
}

tap_check "a scrape from 127.0.0.2 before" "$(scrape 127.0.0.2 before)" 200

perl "$abs_top_srcdir/t/robust/trickle.pl" 127.0.0.1 "$port" 16 90 \
    "$R_DIR/trickle.ready" >"$R_DIR/trickle.out" 2>&1 &
tpid=$!
proc_wait 20 "$tpid" test -e "$R_DIR/trickle.ready" ||
    tap_fail "16 slow connections opened" "$(cat "$R_DIR/trickle.out")"

got=$(scrape 127.0.0.2 during)
tap_check "16 slow connections from 127.0.0.1: a scrape from 127.0.0.2 succeeds" \
    "$got" 200
if grep -q '^rdns_milter_' "$R_DIR/during.page" 2>/dev/null; then
	tap_ok "the page during the slow connections has the metrics"
else
	tap_fail "the page during the slow connections has the metrics"
fi

wait "$tpid"
sed 's/^/# trickle: /' "$R_DIR/trickle.out"
tap_check "every slow connection is cut by the server" \
    "$(grep -c 'closed-by-server' "$R_DIR/trickle.out")" 16
tap_check "a scrape from 127.0.0.1 afterwards" "$(scrape 127.0.0.1 after)" 200
rb_alive || tap_fail "rdns-milter still runs"
rb_stop || tap_fail "SIGTERM, exit status 0" "status $RB_STOP"
tap_done
