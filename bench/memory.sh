#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# memory.sh BUILDDIR - RSS and threads at 1,000 sessions, and over 100,000.
#
# 1. rdns-milter and bench/nullmilter (warm cache) each get 1,000
#    sessions at once that stay open for 4 s after RCPT (milterload -p):
#    the peak VmRSS and thread count (/proc/PID/status, sampled every
#    0.1 s) are recorded, and the values 2.5 s in, while all sessions
#    wait (libmilter 8.17 as Debian builds it has a worker pool: an idle
#    session holds no thread).
# 2. rdns-milter runs 10,000 sessions (warm-up), then 100,000 more over
#    1,000 addresses at concurrency 16: VmRSS before and after the
#    100,000 must be flat.
#
# Records (bench/common.sh) section "memory": row "held 1000":
# null_rss_kb, rdns_rss_kb, null_threads, rdns_threads (peaks),
# null_held_rss_kb, rdns_held_rss_kb, null_held_threads,
# rdns_held_threads (while held), rdns_rss_idle_kb (before),
# rdns_vm_peak_kb (VmPeak after the 1,000); row "100k sessions":
# rss_before_kb, rss_after_kb,
# rss_growth_kb, sps.
set -u

. "$(dirname "$0")/common.sh"
bench_part memory "${1:-}"
head -n 1000 "$BENCH_IPS" >"$W/ips"
bench_milter_conf "$W/rdns.conf"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	LONG=20000
else
	LONG=100000
fi

# held PID SPEC NAME: 1,000 sessions held open for 4 s; prints
# "peak_rss_kb peak_threads held_rss_kb held_threads" (held: sampled
# 2.5 s in, while every session waits in its pause).
held()
{
	local pid=$1 spec=$2 name=$3 lp rss thr maxr=0 maxt=0 hr=0 ht=0 i=0

	"$MILTERLOAD" -s "$spec" -n 1000 -c 1000 -p 4000 -i "$W/ips" \
	    -H @ptr -j -q -t 30 >"$W/held.$name.json" &
	lp=$!
	while kill -0 "$lp" 2>/dev/null; do
		rss=$(bench_status "$pid" VmRSS)
		thr=$(bench_status "$pid" Threads)
		[ "${rss:-0}" -gt "$maxr" ] && maxr=$rss
		[ "${thr:-0}" -gt "$maxt" ] && maxt=$thr
		i=$((i + 1))
		[ "$i" = 25 ] && hr=$rss && ht=$thr
		sleep 0.1
	done
	wait "$lp" || bench_log "warning: milterload errors" \
	    "($W/held.$name.json)"
	echo "$maxr $maxt $hr $ht"
}

bench_log "memory: $BENCH_RUNS runs (load $(bench_loadavg))"
for r in $(seq 1 "$BENCH_RUNS"); do
	: >"$W/rdns.log"
	bench_rdns_start "$W/rdns.conf" "unix:$W/rdns.sock" "$W/rdns.log"
	bench_null_start "unix:$W/null.sock" "$W/null.log"
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 1000 -c 16 -i "$W/ips" \
	    -H @ptr -q >/dev/null
	bench_record memory "held 1000" rdns_rss_idle_kb \
	    "$(bench_status "$MILTER_PID" VmRSS)"
	set -- $(held "$NULL_PID" "unix:$W/null.sock" null)
	bench_record memory "held 1000" null_rss_kb "$1"
	bench_record memory "held 1000" null_threads "$2"
	bench_record memory "held 1000" null_held_rss_kb "$3"
	bench_record memory "held 1000" null_held_threads "$4"
	set -- $(held "$MILTER_PID" "unix:$W/rdns.sock" rdns)
	# Virtual size reserved at the peak (thread stacks, malloc arenas):
	# what a "ulimit -v" must leave room for.
	bench_record memory "held 1000" rdns_vm_peak_kb \
	    "$(bench_status "$MILTER_PID" VmPeak)"
	bench_record memory "held 1000" rdns_rss_kb "$1"
	bench_record memory "held 1000" rdns_threads "$2"
	bench_record memory "held 1000" rdns_held_rss_kb "$3"
	bench_record memory "held 1000" rdns_held_threads "$4"
	bench_kill "$NULL_PID"
	bench_log "memory run $r: 1,000 held: rdns peak $1 kB, $2" \
	    "threads; while held $3 kB, $4 threads"

	# 100,000 sessions: RSS before and after.
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 10000 -c 16 -i "$W/ips" \
	    -H @ptr -q >/dev/null
	before=$(bench_status "$MILTER_PID" VmRSS)
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n "$LONG" -c 16 -i "$W/ips" \
	    -H @ptr -j -q >"$W/long.r$r.json" ||
	    bench_log "warning: milterload errors ($W/long.r$r.json)"
	after=$(bench_status "$MILTER_PID" VmRSS)
	bench_record memory "$LONG sessions" rss_before_kb "$before"
	bench_record memory "$LONG sessions" rss_after_kb "$after"
	bench_record memory "$LONG sessions" rss_growth_kb \
	    "$((after - before))"
	bench_record memory "$LONG sessions" sps \
	    "$(jget "$W/long.r$r.json" - sessions_per_s)"
	bench_kill "$MILTER_PID"
	bench_log "memory run $r: $LONG sessions: RSS $before -> $after kB"
done
