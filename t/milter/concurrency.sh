#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# concurrency.sh - many connections waiting for black-holed DNS at the
# same time: rounds of simultaneous sessions, each of which must get its
# RCPT answered (451 4.7.25, temperror=tempfail) and none may hang.
#
# What we guarantee: our callbacks never wait for DNS past DNSTimeout
# from the connect callback (SPEC 2).  What the MTA sees can be more:
# Debian's libmilter runs callbacks on a worker pool (worker.c) that may
# queue a ready command behind a worker blocked in another session's RCPT,
# and a connect callback delayed that way starts its session's DNSTimeout
# late, so delays can chain (measured here: up to 4 x DNSTimeout in a
# burst of 12).  See CAVEATS in rdns-milter(8).
#
# Nothing here depends on how loaded the machine is (it runs beside a
# parallel "make check"): every bound only tells a working deadline from
# a missing one.  Without the deadline a verdict would wait for libunbound
# to give up on the black hole (about 17 s).  With it, ms= (from the
# connect callback to the verdict) is DNSTimeout, plus the time the RCPT
# callback sat in libmilter's queue behind the other sessions (the chain
# above, 3 s seen under load), plus however late the thread was
# scheduled: the bound on ms= is 10 s.  The MTA side is only checked for
# hangs: every RCPT answered within HI = 60 s (miltertest's own read
# timeout, 10 s by default, is raised above it: under load a reply it gave
# up on showed as a Lua error).  The worst delays are printed.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

T=1		# DNSTimeout
ROUNDS=6
SESSIONS=12
HI=60				# no hang
MS_MAX=10000			# DNSTimeout + queueing + scheduling
export MT_READ_TIMEOUT=$((HI + 30))

mt_setup
mt_world
mt_conf concurrency <<END
AuthservID mx.example.net
DNSTimeout $T
Policy * ptr=reject iprev=reject temperror=tempfail
END
mt_start "$MT_DIR/concurrency.conf"

for r in $(seq 1 $ROUNDS); do
	for i in $(seq 1 $SESSIONS); do
		case $((i % 3)) in
		0) ip=192.0.2.19 ;;
		1) ip=2001:db8::19 ;;
		*) ip=198.51.100.250 ;;
		esac
		mt_lua_bg concurrency MT_QID="C$r-$i" MT_IP="$ip"
	done
	mt_lua_wait
done

worst=0
for r in $(seq 1 $ROUNDS); do
	late_r=
	for i in $(seq 1 $SESSIONS); do
		t=$(mt_rcpt_times "C$r-$i" | awk 'NR == 1 { print $2 }')
		awk -v v="${t:-99}" -v m=$HI 'BEGIN { exit !(v > m) }' &&
		    late_r="$late_r C$r-$i:${t:-none}s"
		worst=$(awk -v a="$worst" -v b="${t:-0}" \
		    'BEGIN { print (b > a) ? b : a }')
	done
	mt_check "round $r: $SESSIONS RCPTs answered, none hung (< $HI s)" \
	    eval '[ -z "$late_r" ] || { echo "# late:$late_r"; false; }'
done
echo "# worst RCPT reply seen by the MTA: ${worst}s (DNSTimeout ${T}s)"
# Every session has a summary line whose DNS wait is within DNSTimeout,
# and took the temperror action.
mt_check "$((ROUNDS * SESSIONS)) summary lines, each action=tempfail" \
    eval '[ "$(mt_summaries | grep -c "^C[0-9]*-[0-9]*: .* action=tempfail policy=\* check=temperror rcpts=1 .* ms=N client=[^ ]* conn=N$")" \
	-eq $((ROUNDS * SESSIONS)) ]'
over=$(sed -n 's/^rdns-milter: \(C[0-9-]*\): .* ms=\([0-9]*\) .*$/\1 \2/p' "$MT_LOG" |
    awk -v m=$MS_MAX '$2 > m { printf " %s:%sms", $1, $2 }')
echo "# slowest verdict: $(sed -n 's/^rdns-milter: C[0-9-]*: .* ms=\([0-9]*\) .*$/\1/p' "$MT_LOG" |
    sort -n | tail -n 1) ms (DNSTimeout ${T}s)"
mt_check "no verdict waited for libunbound (ms <= $MS_MAX)" \
    eval '[ -z "$over" ] || { echo "# over:$over"; false; }'

mt_stop
mt_finish
