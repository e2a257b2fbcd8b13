#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# fuzz-campaign.sh [-b BUILDDIR] [-w WORKDIR] [-j JOBS] [-n NICE] DURATION
#     [NAME...]
#
# A fuzzing campaign: every libFuzzer target (or the NAMEs given: config
# hostname wire reverse authres policy generic checks logparse report)
# fuzzes for DURATION ("3600", "90s", "60m", "1h"), JOBS targets at a time
# (default: all at once), under "nice -n NICE" (default 19: the machine
# stays usable).  BUILDDIR (default .) is a build configured with
# "--enable-fuzzing CC=clang" whose targets are built ("make check", or
# "make t/fuzz/fuzz_NAME").  Each target starts from a copy of its seed
# corpus t/fuzz/corpus/NAME in WORKDIR/NAME/corpus (default WORKDIR
# ./fuzz-campaign), with t/fuzz/NAME.dict where there is one.
#
# A crash, a sanitizer report, a leak, a violated invariant or a timeout
# (60 s per input) does not end the target's campaign: the input is kept
# in WORKDIR/NAME/artifacts/ and the fuzzer starts again on its corpus
# for the time left.  At the end, one table:
#
#   target  seconds  executions  exec/s  cov  ft  corpus  crashes
#
# executions: all runs of the target together (libFuzzer's
# stat::number_of_executed_units); cov and ft: the coverage counters of
# the last status line (code edges and features); corpus: the inputs in
# WORKDIR/NAME/corpus at the end.  libFuzzer also keeps the inputs that
# took over 10 s (slow-unit-*): each is run again alone at the end, and
# "slow" says how many there were and the longest of those runs, which
# tells a slow input from a starved process.  The table is also written
# to WORKDIR/summary.txt.  Exit status 1 if any target crashed, 2 on a
# usage or set-up error.  Results: doc/FUZZING.md.

set -u
build=.
work=./fuzz-campaign
jobs=0
niceness=19
usage()
{
	echo "usage: fuzz-campaign.sh [-b BUILDDIR] [-w WORKDIR] [-j JOBS]" \
	    "[-n NICE] DURATION [NAME...]" >&2
	exit 2
}
while getopts b:w:j:n: opt; do
	case $opt in
	b) build=$OPTARG ;;
	w) work=$OPTARG ;;
	j) jobs=$OPTARG ;;
	n) niceness=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $1 in
*h) secs=$((${1%h} * 3600)) ;;
*m) secs=$((${1%m} * 60)) ;;
*s) secs=${1%s} ;;
*) secs=$1 ;;
esac
shift
case $secs in
''|*[!0-9]*) usage ;;
esac
[ "$secs" -ge 1 ] || usage
srcdir=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 2
mkdir -p "$work" && work=$(cd "$work" && pwd) || exit 2

if [ $# -eq 0 ]; then
	for b in "$build"/t/fuzz/fuzz_*; do
		[ -x "$b" ] && [ -f "$b" ] && set -- "$@" "${b##*/fuzz_}"
	done
fi
[ $# -gt 0 ] || { echo "fuzz-campaign.sh: no fuzz target in" \
    "$build/t/fuzz (configure --enable-fuzzing CC=clang; make check)" >&2;
    exit 2; }
for n in "$@"; do
	if [ ! -x "$build/t/fuzz/fuzz_$n" ] ||
	    [ ! -d "$srcdir/t/fuzz/corpus/$n" ]; then
		echo "fuzz-campaign.sh: no target or corpus for $n" >&2
		exit 2
	fi
done
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=$#

# stat N LOG: the value of libFuzzer's "stat::N:" line in LOG.
stat()
{
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

# One target, for secs seconds of wall-clock time in all.
campaign()
{
	local n=$1 w=$work/$1 bin=$build/t/fuzz/fuzz_$1 dict= end now left
	local run=0 execs=0 crashes=0 quick=0 rc e t0 log

	rm -rf "$w"
	mkdir -p "$w/corpus" "$w/artifacts"
	cp "$srcdir/t/fuzz/corpus/$n"/* "$w/corpus/"
	[ ! -f "$srcdir/t/fuzz/$n.dict" ] || dict=-dict=$srcdir/t/fuzz/$n.dict
	end=$(($(date +%s) + secs))
	while now=$(date +%s); [ "$now" -lt "$end" ]; do
		left=$((end - now))
		log=$w/log.$run
		t0=$now
		# shellcheck disable=SC2086
		nice -n "$niceness" "$bin" $dict -max_total_time="$left" \
		    -print_final_stats=1 -error_exitcode=1 \
		    -timeout_exitcode=1 -timeout=60 -rss_limit_mb=2048 \
		    -artifact_prefix="$w/artifacts/" "$w/corpus" >"$log" 2>&1
		rc=$?
		e=$(stat number_of_executed_units "$log")
		if [ -z "$e" ]; then
			# No final statistics: the last status line's count.
			e=$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' "$log" |
			    tail -n 1)
		fi
		execs=$((execs + ${e:-0}))
		run=$((run + 1))
		[ "$rc" -eq 0 ] && continue
		crashes=$((crashes + 1))
		# A target that fails at once, again and again, is broken
		# rather than fuzzed: stop it.
		if [ $(($(date +%s) - t0)) -lt 2 ]; then
			quick=$((quick + 1))
			[ "$quick" -ge 3 ] && break
		else
			quick=0
		fi
	done
	last=$(grep -h -E '^#[0-9]+.*cov: ' "$w"/log.* 2>/dev/null | tail -n 1)
	printf '%s %s %s %s %s %s %s\n' "$n" "$execs" \
	    "$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')" \
	    "$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')" \
	    "$(find "$w/corpus" -type f | wc -l)" "$crashes" "$run" \
	    >"$w/result"
}

echo "# fuzz-campaign: $# targets, $secs s each, $jobs at a time," \
    "nice $niceness, in $work"
start=$(date +%s)
running=0
for n in "$@"; do
	campaign "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

status=0
{
	printf '%-10s %8s %12s %8s %6s %7s %7s %8s  %s\n' target seconds \
	    executions exec/s cov ft corpus crashes slow
	for n in "$@"; do
		read -r _ execs cov ft corpus crashes runs <"$work/$n/result"
		slow=0 slow_ms=0
		for u in "$work/$n"/artifacts/slow-unit-*; do
			[ -f "$u" ] || continue
			slow=$((slow + 1))
			ms=$("$build/t/fuzz/fuzz_$n" "$u" 2>&1 |
			    sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p')
			[ "${ms:-0}" -gt "$slow_ms" ] && slow_ms=$ms
		done
		printf '%-10s %8s %12s %8s %6s %7s %7s %8s  %s\n' "$n" "$secs" \
		    "$execs" "$((execs / secs))" "${cov:-?}" "${ft:-?}" \
		    "$corpus" "$crashes" \
		    "$([ "$slow" -gt 0 ] && echo "$slow (${slow_ms} ms alone)" || echo 0)"
		if [ "$crashes" -gt 0 ]; then
			status=1
			for a in "$work/$n"/artifacts/*; do
				[ -f "$a" ] && echo "#   $n: $a"
			done
		fi
	done
	echo "# wall-clock $(($(date +%s) - start)) s; $(nproc) CPUs;" \
	    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$work/summary.txt"
exit $status
