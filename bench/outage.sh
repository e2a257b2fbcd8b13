#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# outage.sh BUILDDIR - a DNS outage must not starve healthy sessions.
#
# rdns-milter answers a callback that needs a verdict (RCPT under a
# refusing Policy) only when the DNS answers arrive or DNSTimeout passes,
# and it does so on one of libmilter's worker threads.  This part measures
# what that costs the other connections: the RCPT reply latency of
# sessions whose answers are cached (1,000 bench addresses, resolved once
# before measuring), alone and while OUTAGE_SESSIONS (default 200)
# concurrent sessions wait on a PTR lookup that is never answered
# (198.51.100.250, delegated to the world's black-hole server).
#
# Per run (a fresh daemon each): "healthy" = the cached stream alone
# (milterload -c 16); "outage" = the same stream started 1 s after the
# black-holed sessions (milterload -c OUTAGE_SESSIONS, two rounds, each
# RCPT waiting DNSTimeout 5 s), so that all of them hold a worker while it
# runs; "burst" = the stream again at 4.8 s, across the moment the second
# round of black-holed sessions connects all at once.
#
# Records (bench/common.sh) section "outage": rows "healthy", "outage" and
# "burst", metrics rcpt_p50_us, rcpt_p99_us, rcpt_max_us (the cached
# sessions' RCPT reply latency) and sps (their sessions/s); the outage
# row also has workers (the daemon's threads while the black-holed
# sessions wait).
set -u

. "$(dirname "$0")/common.sh"
bench_part outage "${1:-}"
head -n 1000 "$BENCH_IPS" >"$W/ips"
echo "198.51.100.250 x.hole.test" >"$W/hole.ips"
bench_milter_conf "$W/rdns.conf"
OUTAGE_SESSIONS=${OUTAGE_SESSIONS:-200}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	n=2000
else
	n=6000
fi

# stream OUT: the cached sessions, one recipient each (a refusing Policy:
# RCPT needs the verdict, which the cache has).
stream()
{
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n "$n" -c 16 -i "$W/ips" \
	    -H @ptr -r "<u@example.com>" -j -q >"$1" ||
	    bench_log "warning: milterload reported errors ($1)"
}

record_stream()
{
	local row=$1 out=$2 p50 p99 max sps

	p50=$(jget "$out" rcpt p50)
	p99=$(jget "$out" rcpt p99)
	max=$(jget "$out" rcpt max)
	sps=$(jget "$out" - sessions_per_s)
	bench_record outage "$row" rcpt_p50_us "$p50"
	bench_record outage "$row" rcpt_p99_us "$p99"
	bench_record outage "$row" rcpt_max_us "$max"
	bench_record outage "$row" sps "$sps"
	echo "$p50 $p99 $max $sps"
}

bench_log "outage: $BENCH_RUNS runs, $OUTAGE_SESSIONS black-holed" \
    "sessions (load $(bench_loadavg))"
for r in $(seq 1 "$BENCH_RUNS"); do
	# A fresh daemon per run: after a few rounds of timeouts libunbound
	# marks the black hole's server down and answers SERVFAIL at once,
	# which would end the outage.
	bench_rdns_start "$W/rdns.conf" "unix:$W/rdns.sock" "$W/rdns.r$r.log"
	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 1000 -c 16 -i "$W/ips" \
	    -H @ptr -r "<u@example.com>" -q >/dev/null
	stream "$W/healthy.r$r.json"
	set -- $(record_stream healthy "$W/healthy.r$r.json")
	bench_log "outage run $r: healthy rcpt p50 $1 p99 $2 max $3 us," \
	    "$4 sessions/s"

	"$MILTERLOAD" -s "unix:$W/rdns.sock" -n $((2 * OUTAGE_SESSIONS)) \
	    -c "$OUTAGE_SESSIONS" -i "$W/hole.ips" -H x.hole.test \
	    -r "<u@example.com>" -t 30 -j -q >"$W/hole.r$r.json" 2>&1 &
	hole=$!
	t0=$(date +%s.%N)
	sleep 1
	stream "$W/outage.r$r.json"
	workers=$(ls "/proc/$MILTER_PID/task" | wc -l)
	set -- $(record_stream outage "$W/outage.r$r.json")
	bench_record outage outage workers "$workers"
	bench_log "outage run $r: black-holed sessions waiting: rcpt p50 $1" \
	    "p99 $2 max $3 us, $4 sessions/s; daemon threads $workers"
	# The second round of black-holed sessions connects at about 5 s,
	# all at once, while this stream runs.
	sleep "$(awk -v t0="$t0" -v now="$(date +%s.%N)" \
	    'BEGIN { d = t0 + 4.8 - now; printf "%.2f", (d > 0 ? d : 0) }')"
	stream "$W/burst.r$r.json"
	set -- $(record_stream burst "$W/burst.r$r.json")
	bench_log "outage run $r: a burst of black-holed connections:" \
	    "rcpt p50 $1 p99 $2 max $3 us, $4 sessions/s"
	wait "$hole"
	bench_log "outage run $r: black-holed sessions: RCPT waited" \
	    "$(jget "$W/hole.r$r.json" rcpt p50) us (median)"
	bench_kill "$MILTER_PID"
done
