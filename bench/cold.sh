#!/bin/bash
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
#     one session if nothing serialises.
#
# Records (bench/common.sh) section "cold", row "rtt=N": to_rcpt_p50,
# to_rcpt_p99, to_rcpt_max (ms), daemon_p50, daemon_p99 (ms= in the log),
# naive_p50, naive_p99 (ms), burst_wall, burst_p50, burst_max (ms),
# burst_errors.
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

run_rtt()
{
	local rtt=$1 r conf out log row v

	conf=$W/rdns.$rtt.conf
	row=rtt=$rtt

	bench_delay_start "$rtt"
	bench_delayed_conf "$DELAY_PORT" "$W/unbound.$rtt.conf"
	bench_milter_conf "$conf" "$W/unbound.$rtt.conf"
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

		# 4. 1,000 cold sessions at once.
		log=$W/burst.$rtt.r$r.log
		out=$W/burst.$rtt.r$r.json
		fresh_milter "$conf" "$log"
		"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 1000 -c 1000 \
		    -i "$W/ips.burst" -H @ptr -j -q -t 30 >"$out" ||
		    bench_log "warning: milterload errors ($out)"
		bench_kill "$MILTER_PID"
		v=$(jget "$out" - wall_s)
		bench_record cold "$row" burst_wall \
		    "$(awk -v v="${v:-0}" 'BEGIN { printf "%.1f", v * 1000 }')"
		bench_record cold "$row" burst_p50 \
		    "$(ms "$(jget "$out" to_rcpt p50)")"
		bench_record cold "$row" burst_max \
		    "$(ms "$(jget "$out" to_rcpt max)")"
		bench_record cold "$row" burst_errors "$(jget "$out" - total)"
		bench_record cold "$row" burst_temperror \
		    "$(grep -c 'iprev=temperror' "$log")"
		bench_log "cold rtt=$rtt run $r: to_rcpt p50" \
		    "$(bench_values cold "$row" to_rcpt_p50 | tail -n 1) ms," \
		    "naive p50 $(bench_values cold "$row" naive_p50 |
		    tail -n 1) ms, burst wall $(bench_values cold "$row" \
		    burst_wall | tail -n 1) ms (load $(bench_loadavg))"
	done
	bench_kill "$DELAY_PID"
}

bench_log "cold cache: $BENCH_RUNS runs, $N addresses (load $(bench_loadavg))"
run_rtt 20
run_rtt 100
