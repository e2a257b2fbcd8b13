#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# concurrency.sh - many connections waiting for black-holed DNS at the
# same time: rounds of simultaneous sessions, each of which must get its
# RCPT answered (451 4.7.25, temperror=tempfail) and none may hang.
#
# What we guarantee: our callbacks never wait for DNS past DNSTimeout
# from the connect callback (SPEC 2): every verdict's ms= is at most
# DNSTimeout.  What the MTA sees can be more: Debian's libmilter runs
# callbacks on a worker pool (worker.c) that may queue a ready command
# behind a worker blocked in another session's RCPT, and a connect callback
# delayed that way starts its session's DNSTimeout late, so delays can
# chain (measured here: up to 4 x DNSTimeout in a burst of 12).  The MTA
# side is therefore only checked for hangs (every RCPT answered within
# SESSIONS x DNSTimeout + 1 s); the worst delay is printed.  See CAVEATS
# in rdns-milter(8).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

T=1		# DNSTimeout
ROUNDS=6
SESSIONS=12
HI=$((SESSIONS * T + 1))	# no hang
MS_MAX=$((T * 1000 + 100))	# our own wait: DNSTimeout (+ scheduling)

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
    eval '[ "$(mt_summaries | grep -c "^C[0-9]*-[0-9]*: .* action=tempfail policy=\* check=temperror rcpts=1 ms=N client=[^ ]* conn=N$")" \
	-eq $((ROUNDS * SESSIONS)) ]'
over=$(sed -n 's/^rdns-milter: \(C[0-9-]*\): .* ms=\([0-9]*\) .*$/\1 \2/p' "$MT_LOG" |
    awk -v m=$MS_MAX '$2 > m { printf " %s:%sms", $1, $2 }')
mt_check "every verdict waited at most DNSTimeout (ms <= $MS_MAX)" \
    eval '[ -z "$over" ] || { echo "# over:$over"; false; }'

mt_stop
mt_finish
