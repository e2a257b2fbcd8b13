#!/bin/bash
# concurrency.sh - many connections waiting for black-holed DNS at the
# same time: rounds of simultaneous sessions, each of which must get its
# RCPT answered (451 4.7.25, temperror=tempfail) and none may hang.
#
# The bounds are those libmilter lets us keep.  Our callbacks never wait
# past DNSTimeout from the connect callback (SPEC 2), but Debian's
# libmilter runs callbacks on a worker pool (worker.c) that hands every
# command that is ready in one poll round to the same idle worker, so a
# command can wait for a worker that is blocked in another session's RCPT
# for up to one DNSTimeout before its own callback even starts.  Hence:
# connect answered within DNSTimeout + 0.5 s, RCPT within 2 x DNSTimeout
# + 0.8 s, measured at the MTA side (proxy transcript); see the NOTES of
# rdns-milter(8).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

T=1		# DNSTimeout
NOW=1.5	# DNSTimeout + 0.5 s
HI=2.8		# 2 x DNSTimeout + 0.8 s
ROUNDS=6
SESSIONS=12

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

for r in $(seq 1 $ROUNDS); do
	late_c=
	late_r=
	for i in $(seq 1 $SESSIONS); do
		f=$(mt_conn "C$r-$i")
		c=$(awk '$2 == ">" && $3 == "C" { want = 1; next }
		    want && $2 == "<" { print $1; exit }' "$f")
		t=$(mt_rcpt_times "C$r-$i" | awk 'NR == 1 { print $2 }')
		awk -v v="${c:-99}" -v m=$NOW 'BEGIN { exit !(v > m) }' &&
		    late_c="$late_c C$r-$i:${c:-none}s"
		awk -v v="${t:-99}" -v m=$HI 'BEGIN { exit !(v > m) }' &&
		    late_r="$late_r C$r-$i:${t:-none}s"
	done
	mt_check "round $r: $SESSIONS connects answered within $NOW s" \
	    eval '[ -z "$late_c" ] || { echo "# late:$late_c"; false; }'
	mt_check "round $r: $SESSIONS RCPTs answered within $HI s" \
	    eval '[ -z "$late_r" ] || { echo "# late:$late_r"; false; }'
done
mt_stop
mt_finish
