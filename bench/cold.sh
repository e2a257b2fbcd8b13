#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# cold.sh BUILDDIR - cold cache behind a DNS round-trip time.
#
# bench/dnsdelay sits between libunbound and the world's nsd and adds a
# fixed round-trip time to every query (20 ms, then 100 ms): the network
# namespace way (tc qdisc netem) needs the sch_netem kernel module, which
# this kind of machine does not have.  For each RTT and each run:
#
#  1. a fresh rdns-milter (empty cache) is primed with one untimed
#     session for a spare address, which fetches the DNSKEY records of
#     the two bench zones, as any running resolver has them;
#  2. milterload runs 1,000 sessions at concurrency 16, each from a
#     distinct address never looked up before (198.18.x.y, signed PTR
#     and A), HELO = the PTR name.  The policy refuses a missing PTR, so
#     the milter holds the RCPT reply until its verdict: milterload's
#     "to_rcpt" (socket connect to the RCPT reply) is the MTA's
#     connect-to-verdict latency.  The daemon's own ms= values are read
#     from its log too;
#  3. bench/naive checks the same 1,000 addresses with sequential
#     blocking lookups (PTR, then A and AAAA of the name, then A and AAAA
#     of the HELO name), 16 threads, its own empty cache, primed the same
#     way;
#  4. a fresh rdns-milter gets 1,000 other cold addresses at once
#     (milterload -c 1000): the whole run should take about as long as
#     one session if nothing serialises, and CPU allows: every answer is
#     DNSSEC-validated (two ECDSA checks a session at least), so the
#     milter's CPU, its busiest thread's and the machine's load are
#     recorded too;
#  5. the same burst with libunbound's validator module left out
#     (module-config: "iterator"), which separates validation CPU from
#     any serialisation in the milter;
#  6. the same burst against nullmilter: the floor, what 1,000 libmilter
#     sessions at once cost on this machine without any DNS.
#
# Records (bench/common.sh) section "cold", row "rtt=N": to_rcpt_p50,
# to_rcpt_p99, to_rcpt_max (ms), daemon_p50, daemon_p99 (ms= in the log),
# naive_p50, naive_p99 (ms); for the burst (prefix burst_) and the one
# without validation (burst_nv_): _wall, _p50, _max (ms), _errors,
# _temperror, _cpu_ms and _thread_ms (the milter's CPU, all threads and
# the busiest one), _machine_busy (share of all CPUs busy); and
# burst_null_wall (ms) and burst_nv_excess (burst_nv_wall minus it).
set -u

. "$(dirname "$0")/common.sh"
bench_part cold "${1:-}"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=200
else
	N=1000
fi
sed -n "1,${N}p" "$BENCH_IPS" >"$W/ips.lat"
sed -n "1001,2000p" "$BENCH_IPS" >"$W/ips.burst"
tail -n 1 "$BENCH_IPS" >"$W/ips.prime"
read -r PRIME_IP PRIME_NAME <"$W/ips.prime"

ms()
{
	awk -v v="${1:-0}" 'BEGIN { printf "%.1f", v / 1000 }'
}

# Percentile P of the ms= values of rdns-milter's log lines (bench
# addresses only, the priming one excluded).
log_pct()
{
	grep -F ' ip=198.18.' "$1" | grep -vF " ip=$PRIME_IP " |
	    sed -n 's/.* ms=\([0-9]*\)$/\1/p' | sort -n |
	    awk -v p="$2" '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1
		print v[i] }'
}

# fresh_milter CONF LOG: a new rdns-milter, primed.
fresh_milter()
{
	: >"$2"
	bench_rdns_start "$1" "unix:$W/rdns.sock" "$2"
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 1 -i "$W/ips.prime" \
	    -H @ptr -q >/dev/null ||
	    bench_log "warning: the priming session failed"
}

# burst_cpu ROW PREFIX: record the CPU the burst cost: the milter's (c0/c1,
# the process's ticks, ended threads included), its busiest thread's,
# libunbound's worker in practice (threads.before/after), and the share
# of the machine's CPUs busy meanwhile (m0/m1); all set by the caller.
burst_cpu()
{
	local row=$1 pre=$2 hz

	hz=$(bench_hz)
	bench_record cold "$row" "${pre}_cpu_ms" "$(awk -v a="$c0" -v b="$c1" \
	    -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) * 1000 / hz }')"
	bench_record cold "$row" "${pre}_thread_ms" "$(awk -v hz="$hz" \
	    'NR == FNR { b[$1] = $2; next }
	    { d = $2 - b[$1]; if (d > m) m = d }
	    END { printf "%.0f", m * 1000 / hz }' \
	    "$W/threads.before" "$W/threads.after")"
	# shellcheck disable=SC2086
	set -- $m0 $m1
	bench_record cold "$row" "${pre}_machine_busy" "$(awk -v b0="$1" \
	    -v t0="$2" -v b1="$3" -v t1="$4" \
	    'BEGIN { if (t1 > t0) printf "%.2f", (b1 - b0) / (t1 - t0);
	    else print 0 }')"
}

# burst CONF ROW PREFIX TAG: a fresh rdns-milter with CONF gets the
# 1,000 burst addresses at once (milterload -c 1000); records PREFIX_wall,
# PREFIX_p50, PREFIX_max, PREFIX_errors, PREFIX_temperror, and the CPU
# (burst_cpu).  Logs and JSON: W/burst.TAG.{log,json}.
burst()
{
	local conf=$1 row=$2 pre=$3 tag=$4 log out perf_pid= m0 m1 c0 c1 v

	log=$W/burst.$tag.log
	out=$W/burst.$tag.json
	fresh_milter "$conf" "$log"
	bench_thread_ticks "$MILTER_PID" >"$W/threads.before"
	c0=$(bench_cpu_ticks "$MILTER_PID")
	m0=$(bench_machine_ticks)
	if [ -n "${BENCH_PERF:-}" ]; then
		# Diagnosis: a call-graph profile of the whole machine during
		# the burst, BENCH_PERF/burst.TAG.data ("perf report --sort
		# comm,dso" splits it by program).
		mkdir -p "$BENCH_PERF"
		perf record -q -g -a \
		    -o "$BENCH_PERF/burst.$tag.data" 2>/dev/null &
		perf_pid=$!
		sleep 0.5
	fi
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 1000 -c 1000 \
	    -i "$W/ips.burst" -H @ptr -j -q -t 30 >"$out" ||
	    bench_log "warning: milterload errors ($out)"
	m1=$(bench_machine_ticks)
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"
		wait "$perf_pid"
	fi
	bench_thread_ticks "$MILTER_PID" >"$W/threads.after"
	c1=$(bench_cpu_ticks "$MILTER_PID")
	bench_kill "$MILTER_PID"
	burst_cpu "$row" "$pre"
	v=$(jget "$out" - wall_s)
	bench_record cold "$row" "${pre}_wall" \
	    "$(awk -v v="${v:-0}" 'BEGIN { printf "%.1f", v * 1000 }')"
	bench_record cold "$row" "${pre}_p50" \
	    "$(ms "$(jget "$out" to_rcpt p50)")"
	bench_record cold "$row" "${pre}_max" \
	    "$(ms "$(jget "$out" to_rcpt max)")"
	bench_record cold "$row" "${pre}_errors" "$(jget "$out" - total)"
	bench_record cold "$row" "${pre}_temperror" \
	    "$(grep -c 'iprev=temperror' "$log")"
}

# burst_null ROW TAG: the 1,000 burst against nullmilter (no DNS, no
# waiting): what opening and running 1,000 libmilter sessions at once
# costs on this machine.  Records burst_null_wall.
burst_null()
{
	local out=$W/burst.null.$2.json v

	bench_null_start "unix:$W/null.sock" "$W/null.log"
	"$MILTERLOAD" -s "unix:$W/null.sock" -n 1000 -c 1000 \
	    -i "$W/ips.burst" -H @ptr -j -q -t 30 >"$out" ||
	    bench_log "warning: milterload errors ($out)"
	bench_kill "$NULL_PID"
	v=$(jget "$out" - wall_s)
	bench_record cold "$1" burst_null_wall \
	    "$(awk -v v="${v:-0}" 'BEGIN { printf "%.1f", v * 1000 }')"
}

run_rtt()
{
	local rtt=$1 r conf conf_nv out log row

	conf=$W/rdns.$rtt.conf
	row=rtt=$rtt

	bench_delay_start "$rtt"
	bench_delayed_conf "$DELAY_PORT" "$W/unbound.$rtt.conf"
	bench_milter_conf "$conf" "$W/unbound.$rtt.conf"
	# The same world with libunbound's validator module left out.
	conf_nv=$W/rdns.$rtt.nv.conf
	sed -e 's/^\([[:space:]]*module-config:\).*/\1 "iterator"/' \
	    "$W/unbound.$rtt.conf" >"$W/unbound.$rtt.nv.conf"
	grep -q 'module-config: "iterator"' "$W/unbound.$rtt.nv.conf" ||
	    bench_die "no module-config line in $W/unbound.$rtt.conf"
	bench_milter_conf "$conf_nv" "$W/unbound.$rtt.nv.conf"
	for r in $(seq 1 "$BENCH_RUNS"); do
		# 2. latency at concurrency 16.
		log=$W/rdns.$rtt.r$r.log
		out=$W/lat.$rtt.r$r.json
		fresh_milter "$conf" "$log"
		"$MILTERLOAD" -s "unix:$W/rdns.sock" -n "$N" -c 16 \
		    -i "$W/ips.lat" -H @ptr -j -q -t 30 >"$out" ||
		    bench_log "warning: milterload errors ($out)"
		bench_kill "$MILTER_PID"
		bench_record cold "$row" to_rcpt_p50 \
		    "$(ms "$(jget "$out" to_rcpt p50)")"
		bench_record cold "$row" to_rcpt_p99 \
		    "$(ms "$(jget "$out" to_rcpt p99)")"
		bench_record cold "$row" to_rcpt_max \
		    "$(ms "$(jget "$out" to_rcpt max)")"
		bench_record cold "$row" daemon_p50 "$(log_pct "$log" 50)"
		bench_record cold "$row" daemon_p99 "$(log_pct "$log" 99)"
		bench_record cold "$row" lat_errors \
		    "$(jget "$out" - total)"

		# 3. the naive sequential checker, same addresses.
		out=$W/naive.$rtt.r$r.json
		"$NAIVE" -C "$W/unbound.$rtt.conf" -i "$W/ips.lat" -c 16 \
		    -P "$PRIME_IP" -P "$PRIME_NAME" -j >"$out" ||
		    bench_log "warning: naive failed ($out)"
		bench_record cold "$row" naive_p50 \
		    "$(ms "$(jget "$out" check p50)")"
		bench_record cold "$row" naive_p99 \
		    "$(ms "$(jget "$out" check p99)")"

		# 4. 1,000 cold sessions at once; 5. the same without
		# DNSSEC validation.
		burst "$conf" "$row" burst "$rtt.r$r"
		burst "$conf_nv" "$row" burst_nv "$rtt.nv.r$r"
		# 6. the floor: the same burst against nullmilter.
		burst_null "$row" "$rtt.r$r"
		bench_record cold "$row" burst_nv_excess "$(awk \
		    -v a="$(bench_values cold "$row" burst_nv_wall | tail -n 1)" \
		    -v b="$(bench_values cold "$row" burst_null_wall |
		    tail -n 1)" 'BEGIN { printf "%.1f", a - b }')"
		bench_log "cold rtt=$rtt run $r: to_rcpt p50" \
		    "$(bench_values cold "$row" to_rcpt_p50 | tail -n 1) ms," \
		    "naive p50 $(bench_values cold "$row" naive_p50 |
		    tail -n 1) ms, burst wall $(bench_values cold "$row" \
		    burst_wall | tail -n 1) ms, without validation $(bench_values \
		    cold "$row" burst_nv_wall | tail -n 1) ms, nullmilter" \
		    "$(bench_values cold "$row" burst_null_wall | tail -n 1) ms" \
		    "(load" \
		    "$(bench_loadavg))"
	done
	bench_kill "$DELAY_PID"
}

bench_log "cold cache: $BENCH_RUNS runs, $N addresses (load $(bench_loadavg))"
run_rtt 20
run_rtt 100
