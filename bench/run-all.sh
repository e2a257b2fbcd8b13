#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-all.sh BUILDDIR [PART...] - the whole benchmark suite, one table.
#
# From a fresh clone, after the build (and "make t/tools/dns-fault"):
#
#	bench/run-all.sh BUILDDIR
#
# PARTs (default all, in this order): warm cold memory outage postfix (see
# bench/warm.sh, bench/cold.sh, bench/memory.sh, bench/outage.sh,
# bench/postfix.sh).  The optional parts roundtrips (bench/roundtrips.sh,
# issue 13: milter shapes by message size, about 13 minutes at 5 runs)
# and range (bench/range.sh, issue 20: rdns-check over a /16 with a DNS
# world of its own, about 4 minutes) run only when named; their tables
# are appended to results.md.  So does the optional part attack
# (bench/attack.sh, issue 21: RSS under a hostile client and zone,
# about 2 minutes a run).  As
# root with unshare(1), the suite re-runs itself in a private network and
# mount namespace: its own loopback, nothing else reachable, and
# /etc/resolv.conf and /etc/hosts replaced for the Postfix part only
# inside it.  Otherwise everything runs on 127.0.0.1 beside the rest of
# the machine, and the row of Postfix's own DNS checks is skipped.
#
# The DNS world (t/dns/world.sh plus the bench zones) is started once;
# every process ends with the suite.  Each measurement runs BENCH_RUNS
# times (default 3); the table shows the median and the min-max spread.
# It is printed and written to BENCH_WORK/results.md (default
# BUILDDIR/bench/work/results.md), with the raw values in results.tsv and
# every log beside them.  About 9 minutes on 2 cores; BENCH_QUICK=1
# runs a smaller smoke test in about 3.
set -u

. "$(dirname "$0")/common.sh"
bench_init "${1:-}"
shift
PARTS=${*:-warm cold memory outage postfix}
for p in $PARTS; do
	case $p in
	warm|cold|memory|outage|postfix|roundtrips|range|attack) ;;
	*) bench_die "unknown part: $p (warm cold memory outage postfix" \
	    "roundtrips range attack)" ;;
	esac
done

if [ "${BENCH_NETNS:-0}" != 1 ] && [ "$(id -u)" = 0 ] &&
    command -v unshare >/dev/null 2>&1 &&
    unshare --net --mount true 2>/dev/null; then
	BENCH_NETNS=1 exec unshare --net --mount --fork -- \
	    "$BASH" "$0" "$B" "$@"
fi
if [ "${BENCH_NETNS:-0}" = 1 ]; then
	ip link set lo up || bench_die "cannot bring up lo in the namespace"
fi

export BENCH_TOP_PID=$$ BENCH_WORLD_SHARED=1 BENCH_NETNS=${BENCH_NETNS:-0}
export BENCH_RUNS BENCH_WORK
trap bench_cleanup EXIT
: >"$RESULTS"
: >"$BENCH_WORK/pids"
rm -rf "$BENCH_WORK/world" "$BENCH_WORK/roundtrips.md" \
    "$BENCH_WORK/range.md"
bench_world || bench_die "cannot start the DNS world"

LOADS=
start=$(date +%s)
for p in $PARTS; do
	LOADS="$LOADS $p:$(bench_loadavg | cut -d ' ' -f 1)"
	"$BASH" "$S/bench/$p.sh" "$B" || bench_log "part $p failed"
done
LOADS="$LOADS end:$(bench_loadavg | cut -d ' ' -f 1)"
elapsed=$(( $(date +%s) - start ))

# ---- the table ----

cell()
{
	bench_cell "$@"
}

# verdict OP LIMIT VALUES...: "met" or "missed" for the median (OP le:
# at most LIMIT, ge: at least), noting when the runs fall on both sides.
verdict()
{
	local op=$1 lim=$2

	shift 2
	[ $# -gt 0 ] || { echo "-"; return; }
	printf '%s\n' "$@" | sort -g | awk -v l="$lim" -v op="$op" '
		function ok(x) { return op == "le" ? x <= l : x >= l }
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : \
			    (v[NR / 2] + v[NR / 2 + 1]) / 2
			s = ok(m) ? "met" : "missed"
			if (ok(v[1]) != ok(v[NR]))
				s = s " (runs on both sides)"
			print s
		}'
}

row()
{
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5"
}

# target SECTION KEY CASE MEASURE METRIC OP LIMIT: a row of METRIC with
# its verdict against a target (OP le: at most LIMIT, ge: at least).
target()
{
	local sym="<="

	[ "$6" = ge ] && sym=">="
	row "$1" "$3" "$4" "$(cell "$1" "$2" "$5")" \
	    "$sym $7: $(verdict "$6" "$7" $(bench_values "$1" "$2" "$5"))"
}

report()
{
	local k rtt lim2 lim3

	echo "# rdns-milter benchmark results"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), suite time ${elapsed}s"
	echo "- machine: $(nproc) CPUs ($(sed -n \
	    's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk \
	    '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo),"\
	    "Linux $(uname -r)"
	echo "- load average (1 min) at the start of each part:$LOADS"
	echo "- runs per measurement: $BENCH_RUNS; cells: median (min-max)"
	echo "- network namespace: $([ "$BENCH_NETNS" = 1 ] && echo private \
	    || echo 'none (shared loopback)')"
	echo
	row part case measure "median (min-max)" "target: verdict"
	row --- --- --- --- ---
	for k in "unix c=1" "unix c=16" "unix c=256" "tcp c=16"; do
		[ -n "$(bench_values warm "$k" cpu_ratio)" ] || continue
		row warm "$k" "sessions/s null / rdns" \
		    "$(cell warm "$k" null_sps) / $(cell warm "$k" rdns_sps)" ""
		row warm "$k" "CPU us/session null / rdns" \
		    "$(cell warm "$k" null_cpu_us) / $(cell warm "$k" \
		    rdns_cpu_us)" ""
		target warm "$k" "$k" "CPU ratio rdns/null" cpu_ratio le 1.3
	done
	for rtt in 20 100; do
		k=rtt=$rtt
		[ -n "$(bench_values cold "$k" to_rcpt_p50)" ] || continue
		lim2=$((2 * rtt + 5))
		lim3=$((3 * rtt + 20))
		target cold "$k" "$k ms, c=16" "connect-to-verdict p50 ms" \
		    to_rcpt_p50 le "$lim2"
		target cold "$k" "$k ms, c=16" "connect-to-verdict p99 ms" \
		    to_rcpt_p99 le "$lim3"
		row cold "$k ms, c=16" "daemon ms= p50 / p99" \
		    "$(cell cold "$k" daemon_p50) / $(cell cold "$k" \
		    daemon_p99)" ""
		row cold "$k ms, c=16" "naive sequential p50 / p99 ms" \
		    "$(cell cold "$k" naive_p50) / $(cell cold "$k" \
		    naive_p99)" ""
		target cold "$k" "$k ms, c=1000" "wall ms, 1,000 at once" \
		    burst_wall le "$lim3"
		row cold "$k ms, c=1000" "verdict p50 / max ms" \
		    "$(cell cold "$k" burst_p50) / $(cell cold "$k" \
		    burst_max)" ""
		target cold "$k" "$k ms, c=1000" "iprev=temperror (of 1,000)" \
		    burst_temperror le 0
		row cold "$k ms, c=1000" \
		    "CPU ms milter / busiest thread; machine busy" \
		    "$(cell cold "$k" burst_cpu_ms) / $(cell cold "$k" \
		    burst_thread_ms); $(cell cold "$k" burst_machine_busy)" ""
		row cold "$k ms, c=1000" "no validation: wall ms" \
		    "$(cell cold "$k" burst_nv_wall)" ""
		row cold "$k ms, c=1000" \
		    "no validation: CPU ms milter / busiest; machine busy" \
		    "$(cell cold "$k" burst_nv_cpu_ms) / $(cell cold "$k" \
		    burst_nv_thread_ms); $(cell cold "$k" \
		    burst_nv_machine_busy)" ""
		row cold "$k ms, c=1000" "nullmilter: wall ms (the floor)" \
		    "$(cell cold "$k" burst_null_wall)" ""
		target cold "$k" "$k ms, c=1000" \
		    "no validation minus the floor, ms" burst_nv_excess le "$lim3"
	done
	k="held 1000"
	if [ -n "$(bench_values memory "$k" rdns_rss_kb)" ]; then
		row memory "1,000 sessions open" "RSS kB null / rdns (held)" \
		    "$(cell memory "$k" null_held_rss_kb) / $(cell memory \
		    "$k" rdns_held_rss_kb)" ""
		row memory "1,000 sessions open" "threads null / rdns (held)" \
		    "$(cell memory "$k" null_held_threads) / $(cell memory \
		    "$k" rdns_held_threads)" ""
		row memory "1,000 sessions open" "peak RSS kB / threads, rdns" \
		    "$(cell memory "$k" rdns_rss_kb) / $(cell memory "$k" \
		    rdns_threads)" ""
		row memory "1,000 sessions open" "peak virtual kB (VmPeak), rdns" \
		    "$(cell memory "$k" rdns_vm_peak_kb)" ""
		k=$(awk -F '\t' '$1 == "memory" && $3 == "rss_growth_kb" {
		    print $2; exit }' "$RESULTS")
		row memory "$k" "RSS kB before / after" \
		    "$(cell memory "$k" rss_before_kb) / $(cell memory "$k" \
		    rss_after_kb)" ""
		row memory "$k" "RSS growth kB" \
		    "$(cell memory "$k" rss_growth_kb)" "< 1024: $(verdict le \
		    1023 $(bench_values memory "$k" rss_growth_kb))"
	fi
	if [ -n "$(bench_values attack "ordinary 1000" rss_kb)" ]; then
		row attack "1,000 ordinary sessions" "RSS kB" \
		    "$(cell attack "ordinary 1000" rss_kb)" ""
		awk -F '\t' '$1 == "attack" && $2 ~ /^attack [0-9]/ &&
		    !seen[$2]++ { print $2 }' "$RESULTS" | while read -r k; do
			row attack "${k#attack } attack sessions" "RSS kB" \
			    "$(cell attack "$k" rss_kb)" ""
		done
		row attack "attack" "peak RSS kB (VmHWM) / peak virtual kB" \
		    "$(cell attack attack peak_kb) / $(cell attack attack \
		    vm_peak_kb)" ""
		row attack "attack" "sessions/s; answered; at the HELO cap" \
		    "$(cell attack attack sps); $(cell attack attack \
		    answered); $(cell attack attack helo_capped_lines)" ""
		row attack "1,000 ordinary sessions again" "RSS kB" \
		    "$(cell attack "ordinary again" rss_kb)" ""
	fi
	if [ -n "$(bench_values outage healthy rcpt_p99_us)" ]; then
		for k in healthy outage burst; do
			row outage "$k" "cached RCPT us p50 / p99 / max" \
			    "$(cell outage "$k" rcpt_p50_us) / $(cell outage \
			    "$k" rcpt_p99_us) / $(cell outage "$k" \
			    rcpt_max_us)" ""
		done
		row outage "200 black-holed" "daemon threads" \
		    "$(cell outage outage workers)" ""
	fi
	for k in none "null unix" "null tcp" "rdns unix" "rdns tcp" \
	    "rspamd unix" "rspamd tcp" postfix-own; do
		[ -n "$(bench_values postfix "$k" msgs_per_s)" ] || continue
		row postfix "$k" "messages/s (20 sessions)" \
		    "$(cell postfix "$k" msgs_per_s)" ""
		row postfix "$k" "ms/message (1 session)" \
		    "$(cell postfix "$k" ms_per_msg)" ""
		case $k in
		rdns*)
			target postfix "$k" "$k" \
			    "msgs/s over the null milter's" ratio_null_mps ge 0.95
			target postfix "$k" "$k" "added ms/message vs null" \
			    added_ms le 0.1
			row postfix "$k" "added ms/message vs none" \
			    "$(cell postfix "$k" added_none_ms)" "" ;;
		rspamd*)
			row postfix "$k" "added ms/message vs none" \
			    "$(cell postfix "$k" added_none_ms)" ""
			target postfix "$k" "$k" "rdns msgs/s over rspamd's" \
			    ratio_mps ge 2
			target postfix "$k" "$k" "rdns added ms over rspamd's" \
			    ratio_added le 0.1
			row postfix "$k" "null msgs/s over rspamd's (the floor)" \
			    "$(cell postfix "$k" ratio_null_mps)" "" ;;
		esac
	done
	if [ -n "$(bench_values postfix postfix-own skipped)" ]; then
		row postfix postfix-own "skipped" \
		    "no private namespace" ""
	fi
	if [ -n "$(bench_values postfix skipped reason)" ]; then
		row postfix all skipped "$(bench_values postfix skipped \
		    reason)" ""
	fi
	if [ -n "$(bench_values postfix rspamd skipped)" ]; then
		row postfix rspamd skipped "$(bench_values postfix rspamd \
		    skipped | head -n 1)" ""
	fi
	echo
	echo "Checks: connections rdns-milter passed (iprev=pass), unix" \
	    "$(bench_values postfix "rdns unix" checked | awk '{ s += $1 }
	    END { print s + 0 }'), tcp $(bench_values postfix "rdns tcp" \
	    checked | awk '{ s += $1 } END { print s + 0 }'); postfix-own:" \
	    "rejects $(bench_values postfix postfix-own rejects | awk \
	    '{ s += $1 } END { print s + 0 }'), connections Postfix named" \
	    "$(bench_values postfix postfix-own named | awk '{ s += $1 }
	    END { print s + 0 }') (its rows and rspamd's); rspamd: messages scanned $(bench_values \
	    postfix rspamd scanned | awk '{ s += $1 } END { print s + 0 }')," \
	    "with a DNS query $(bench_values postfix rspamd dns | awk \
	    '{ s += $1 } END { print s + 0 }'), crashes $(bench_values \
	    postfix rspamd crashes | awk '{ s += $1 } END { print s + 0 }')"
	echo "milterload errors, cold c=16 runs (20 ms; 100 ms):" \
	    "$(bench_values cold rtt=20 lat_errors | paste -sd, -)," \
	    "$(bench_values cold rtt=100 lat_errors | paste -sd, -);" \
	    "burst: $(bench_values cold rtt=20 burst_errors | paste -sd, -)," \
	    "$(bench_values cold rtt=100 burst_errors | paste -sd, -)"
}

report >"$BENCH_WORK/results.md"
for f in roundtrips range; do
	[ -f "$BENCH_WORK/$f.md" ] || continue
	echo >>"$BENCH_WORK/results.md"
	cat "$BENCH_WORK/$f.md" >>"$BENCH_WORK/results.md"
done
cat "$BENCH_WORK/results.md"
bench_log "table written to $BENCH_WORK/results.md"
