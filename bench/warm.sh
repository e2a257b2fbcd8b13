#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# warm.sh BUILDDIR - warm cache: rdns-milter against the do-nothing milter.
#
# milterload drives rdns-milter and bench/nullmilter in turn (same run,
# same machine load) at concurrency 1, 16 and 256 over a unix socket, and
# at 16 over TCP.  The 1,000 client addresses (198.18.x.y, signed PTR and
# A records) are resolved once before measuring, so every lookup is a
# cache hit.  CPU time is the milter process's utime + stime (all
# threads, /proc/PID/stat) over the run, divided by the sessions.
#
# Records (bench/common.sh) section "warm": per row "unix c=N" / "tcp
# c=N": null_sps, rdns_sps (sessions/s), null_cpu_us, rdns_cpu_us (CPU
# microseconds per session) and cpu_ratio (rdns / null, per run).
set -u

. "$(dirname "$0")/common.sh"
bench_part warm "${1:-}"
head -n 1000 "$BENCH_IPS" >"$W/ips"
bench_milter_conf "$W/rdns.conf"
HZ=$(bench_hz)

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	n1=600 n16=2000 n256=2000
else
	n1=4000 n16=12000 n256=12000
fi

# measure KIND PID SPEC CONC N OUT: one milterload run; prints
# "sessions/s cpu_us_per_session".
measure()
{
	local pid=$2 spec=$3 c=$4 n=$5 out=$6 t0 t1 ndone sps

	t0=$(bench_cpu_ticks "$pid")
	"$MILTERLOAD" -s "$spec" -n "$n" -c "$c" -i "$W/ips" -H @ptr -j -q \
	    >"$out" || bench_log "warning: milterload reported errors" \
	    "($out)"
	t1=$(bench_cpu_ticks "$pid")
	ndone=$(jget "$out" - completed)
	sps=$(jget "$out" - sessions_per_s)
	awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="${ndone:-0}" \
	    -v sps="${sps:-0}" 'BEGIN {
		printf "%s %.2f\n", sps, (n > 0 ? (b - a) * 1e6 / hz / n : 0) }'
}

run_set()
{
	local kind=$1 c=$2 n=$3 rspec nspec r nres rres row

	case $kind in
	unix)
		rspec=unix:$W/rdns.sock
		nspec=unix:$W/null.sock ;;
	tcp)
		rspec=inet:$((20000 + RANDOM % 10000))@127.0.0.1
		nspec=inet:$((30000 + RANDOM % 10000))@127.0.0.1 ;;
	esac
	bench_rdns_start "$W/rdns.conf" "$rspec" "$W/rdns.$kind.log"
	bench_null_start "$nspec" "$W/null.$kind.log"
	# Fill the cache (and warm both processes up).
	"$MILTERLOAD" -s "$rspec" -n 1000 -c 16 -i "$W/ips" -H @ptr -q \
	    >/dev/null
	"$MILTERLOAD" -s "$nspec" -n 1000 -c 16 -i "$W/ips" -H @ptr -q \
	    >/dev/null
	row="$kind c=$c"
	for r in $(seq 1 "$BENCH_RUNS"); do
		nres=$(measure null "$NULL_PID" "$nspec" "$c" "$n" \
		    "$W/null.$kind.c$c.r$r.json")
		rres=$(measure rdns "$MILTER_PID" "$rspec" "$c" "$n" \
		    "$W/rdns.$kind.c$c.r$r.json")
		set -- $nres $rres
		bench_record warm "$row" null_sps "$1"
		bench_record warm "$row" null_cpu_us "$2"
		bench_record warm "$row" rdns_sps "$3"
		bench_record warm "$row" rdns_cpu_us "$4"
		bench_record warm "$row" cpu_ratio "$(awk -v a="$4" \
		    -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
		bench_log "warm $row run $r: null $1/s ${2}us," \
		    "rdns $3/s ${4}us (load $(bench_loadavg))"
	done
	bench_kill "$MILTER_PID" "$NULL_PID"
}

bench_log "warm cache: $BENCH_RUNS runs (load $(bench_loadavg))"
run_set unix 1 "$n1"
run_set unix 16 "$n16"
run_set unix 256 "$n256"
run_set tcp 16 "$n16"
