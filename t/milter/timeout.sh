#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# timeout.sh - DNS that never answers (SPEC 2, 3.2): with DNSTimeout 2 a
# RCPT needing a verdict is answered within the timeout (counted from
# connect) with the temperror action (451 4.7.25), the header says
# "DNS timeout"; callbacks needing no verdict answer at once; a client
# arriving after the deadline is answered at once.  Times come from the
# proxy transcript; the first case is also timed around miltertest.  The
# sessions that wait for DNS run one after the other (concurrency.sh
# covers many at once).  Exact replies, headers and log lines:
# expected/timeout.txt, expected/timeout.log (sorted).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

T=2		# DNSTimeout
LO=1.8		# a reply may not come much before the deadline ...
HI=3.0		# ... nor later than the deadline plus some slack
NOW=0.5		# "at once"
CASES='TPTRHOLE TFWDHOLE TV6HOLE TNOWAIT TLATEHOLE TLATEGOOD THELOHOLE'

mt_setup
mt_world
mt_conf timeout <<END
AuthservID mx.example.net
DNSTimeout $T
Policy *                 ptr=reject iprev=reject temperror=tempfail
Policy open.example      ptr=accept
Policy helo.example      helo=reject temperror=tempfail
Policy heloacc.example   helo=reject temperror=accept
END
mt_start "$MT_DIR/timeout.conf"

mt_lua timeout MT_CASE=TPTRHOLE
mt_between "TPTRHOLE: whole miltertest run" "$MT_ELAPSED" 0 3.5
for c in TFWDHOLE TV6HOLE TNOWAIT THELOHOLE; do
	mt_lua timeout MT_CASE="$c"
done
# These two never make a callback wait: they may run side by side.
mt_lua_bg timeout MT_CASE=TLATEHOLE
mt_lua_bg timeout MT_CASE=TLATEGOOD
mt_lua_wait

for c in TPTRHOLE TFWDHOLE TV6HOLE; do
	mt_between "$c: RCPT answered at the deadline" \
	    "$(mt_rcpt_times $c | awk 'NR == 1 { print $2 }')" $LO $HI
done
mt_between "TNOWAIT: RCPT needing no verdict answered at once" \
    "$(mt_rcpt_times TNOWAIT | awk 'NR == 1 { print $2 - $1 }')" 0 $NOW
mt_between "TNOWAIT: EOM answered at the deadline" \
    "$(mt_eom_time TNOWAIT)" $LO $HI
mt_between "TLATEHOLE: RCPT after the deadline answered at once" \
    "$(mt_rcpt_times TLATEHOLE | awk 'NR == 1 { print $2 - $1 }')" 0 $NOW
mt_between "TLATEGOOD: RCPT answered at once" \
    "$(mt_rcpt_times TLATEGOOD | awk 'NR == 1 { print $2 - $1 }')" 0 $NOW
mt_between "THELOHOLE: RCPT waits for the HELO lookup until the deadline" \
    "$(mt_rcpt_times THELOHOLE | awk 'NR == 1 { print $2 }')" $LO $HI
mt_between "THELOHOLE: second RCPT answered at once" \
    "$(mt_rcpt_times THELOHOLE | awk 'NR == 2 { print $2 - $1 }')" 0 $NOW

for c in $CASES; do
	echo "== $c"
	mt_replies "$c"
	cat "$MT_DIR/got-$c.txt"
done >"$MT_DIR/timeout.got"
mt_diff "replies and headers equal expected/timeout.txt" \
    "$MT_SRC/expected/timeout.txt" "$MT_DIR/timeout.got"
mt_stop
mt_summaries | sort >"$MT_DIR/timeout.log.got"
sort "$MT_SRC/expected/timeout.log" >"$MT_DIR/timeout.log.want"
mt_diff "summary log lines equal expected/timeout.log" \
    "$MT_DIR/timeout.log.want" "$MT_DIR/timeout.log.got"
mt_finish
