#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# attack.sh BUILDDIR - rdns-milter's memory under a hostile client and zone
# (issue 21), and under ordinary sessions.
#
# The attacker's zones (bench/common.sh, bench_evil_zones): 64 client
# addresses 198.19.1.x whose PTR sets hold 300 names of about 120
# characters each, every one under fw.evil.test, where a wildcard answers
# 3,500 A records (none of them a client's) for any name.  Each attack
# session comes from one of those addresses and says EHLO 20 more times
# after the first (milterload -E 20), each time with a fresh name under the
# wildcard; its recipient is refused (iprev=fail), as the bench policy
# says.
#
# Each run starts a fresh daemon (BENCH_MILTER names another binary for an
# A/B comparison) and measures its VmRSS (/proc/PID/status):
#	1. after 1,000 ordinary sessions (the bench addresses, their PTR
#	   name as HELO, concurrency 16);
#	2. after each of ATTACK_STEPS steps of ATTACK_CHUNK attack sessions
#	   (concurrency 16), and the peaks so far (VmHWM, VmPeak);
#	3. after 1,000 ordinary sessions again.
# RSS is flat when step 2 levels off and step 3 stays there.
#
# Records (bench/common.sh, section "attack"): row "ordinary 1000":
# rss_kb; row "attack N" (N sessions so far): rss_kb; row "attack":
# peak_kb, vm_peak_kb, sps (attack sessions per second),
# helo_capped_lines (connections that reached the cap of HELO lookups,
# from the log), answered (attack sessions whose PTR and forward answers
# all arrived: ptr=pass iprev=fail); row "ordinary again": rss_kb.  The
# environment may set ATTACK_STEPS (default 5; 2 with BENCH_QUICK=1),
# ATTACK_CHUNK (default 200; 100 with BENCH_QUICK=1) and ATTACK_EHLO
# (default 20).
set -u

. "$(dirname "$0")/common.sh"
bench_part attack "${1:-}"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	ATTACK_STEPS=${ATTACK_STEPS:-2}
	ATTACK_CHUNK=${ATTACK_CHUNK:-100}
else
	ATTACK_STEPS=${ATTACK_STEPS:-5}
	ATTACK_CHUNK=${ATTACK_CHUNK:-200}
fi
ATTACK_EHLO=${ATTACK_EHLO:-20}
head -n 1000 "$BENCH_IPS" >"$W/ips"
# Every answer of the attacker's zones needs TCP (22 and 56 kB).  With
# libunbound's default of 10 outgoing TCP connections per context most of
# them fail at once (SERVFAIL: temperror, nothing to hold); with 256 they
# arrive, the worst case for memory.  The ordinary sessions' answers are
# unaffected either way (they fit in UDP).
awk '{ print } /^server:/ { print "\toutgoing-num-tcp: 256" }' \
    "$WORLD_DIR/unbound.conf" >"$W/unbound.conf" || exit 1
bench_milter_conf "$W/rdns.conf" "$W/unbound.conf"

# ordinary TAG: 1,000 ordinary sessions, then record VmRSS.
ordinary()
{
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 1000 -c 16 -i "$W/ips" \
	    -H @ptr -j -q >"$W/$1.r$r.json" ||
	    bench_log "warning: milterload errors ($W/$1.r$r.json)"
	bench_status "$MILTER_PID" VmRSS
}

bench_log "attack: $BENCH_RUNS runs, $ATTACK_STEPS x $ATTACK_CHUNK attack" \
    "sessions with $ATTACK_EHLO more EHLOs each (load $(bench_loadavg))"
for r in $(seq 1 "$BENCH_RUNS"); do
	: >"$W/rdns.log"
	bench_rdns_start "$W/rdns.conf" "unix:$W/rdns.sock" "$W/rdns.log"
	rss=$(ordinary ordinary1)
	bench_record attack "ordinary 1000" rss_kb "$rss"
	line="run $r: RSS after 1,000 ordinary sessions $rss kB; attack:"

	t0=$(date +%s.%N)
	for step in $(seq 1 "$ATTACK_STEPS"); do
		"$MILTERLOAD" -s "unix:$W/rdns.sock" -n "$ATTACK_CHUNK" -c 16 \
		    -i "$BENCH_EVIL_IPS" -H fw.evil.test -E "$ATTACK_EHLO" \
		    -t 30 -j -q >"$W/attack.r$r.s$step.json" ||
		    bench_log "warning: milterload errors" \
		    "($W/attack.r$r.s$step.json)"
		rss=$(bench_status "$MILTER_PID" VmRSS)
		bench_record attack "attack $((step * ATTACK_CHUNK))" rss_kb \
		    "$rss"
		line="$line $rss"
	done
	t1=$(date +%s.%N)
	# The kernel's high-water marks since the start: resident and
	# virtual.
	peak=$(bench_status "$MILTER_PID" VmHWM)
	bench_record attack attack peak_kb "$peak"
	bench_record attack attack vm_peak_kb \
	    "$(bench_status "$MILTER_PID" VmPeak)"
	bench_record attack attack sps "$(awk -v a="$t0" -v b="$t1" \
	    -v n="$((ATTACK_STEPS * ATTACK_CHUNK))" \
	    'BEGIN { printf "%.1f", n / (b - a) }')"

	rss=$(ordinary ordinary2)
	bench_record attack "ordinary again" rss_kb "$rss"
	bench_log "attack $line kB (peak $peak kB); after 1,000" \
	    "ordinary sessions again $rss kB"
	# The cap of HELO lookups per connection, seen from the log, and
	# whether the attacker's answers reached the daemon as data (ptr=pass
	# iprev=fail: the PTR set and the forward answers arrived) rather
	# than failing (temperror).
	bench_record attack attack helo_capped_lines \
	    "$(grep -c 'more than 8 HELO/EHLO names' "$W/rdns.log")"
	bench_record attack attack answered \
	    "$(grep -c ': ip=198\.19\.0\.[0-9]* ptr=pass iprev=fail ' \
	    "$W/rdns.log")"
	bench_kill "$MILTER_PID"
done
