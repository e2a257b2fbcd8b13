#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# fuzz-all.sh SECONDS [NAME...]
#
# Fuzz every target built (or the NAMEs given: config hostname wire
# reverse authres policy generic checks logparse report) for SECONDS each,
# FUZZ_JOBS targets at a time (default 2), each on a copy of its seed
# corpus under FUZZ_WORK
# (default ./fuzz-work).  Run it from a build directory configured with
# --enable-fuzzing CC=clang after "make check" (or "make t/fuzz/fuzz_NAME").
# Prints per target the executions, coverage (cov/ft of the last status
# line) and crash files; exits 1 if any target found a problem, and then
# prints the end of that target's log.  .ci/test runs it for 20 s a target
# after the corpus replay; bench/fuzz-campaign.sh runs long campaigns.
# t/fuzz/NAME.dict, where present, is passed as a libFuzzer dictionary.
# New interesting inputs stay in FUZZ_WORK/NAME/corpus: merge them into the
# seed corpus with
#   t/fuzz/fuzz_NAME -merge=1 $srcdir/t/fuzz/corpus/NAME FUZZ_WORK/NAME/corpus

set -u
secs=${1:?usage: fuzz-all.sh SECONDS [NAME...]}
shift
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
work=${FUZZ_WORK:-./fuzz-work}
jobs=${FUZZ_JOBS:-2}
if [ $# -eq 0 ]; then
	for b in ./t/fuzz/fuzz_*; do
		[ -x "$b" ] && [ -f "$b" ] && set -- "$@" "${b##*/fuzz_}"
	done
fi
[ $# -gt 0 ] || { echo "fuzz-all.sh: no fuzz target built in ./t/fuzz" \
    "(configure --enable-fuzzing CC=clang; make check)" >&2; exit 2; }

run_one() {
	n=$1
	bin=./t/fuzz/fuzz_$n
	w=$work/$n
	rm -rf "$w"
	mkdir -p "$w/corpus" "$w/artifacts"
	cp "$srcdir/t/fuzz/corpus/$n"/* "$w/corpus/" 2>/dev/null
	dict=
	[ ! -f "$srcdir/t/fuzz/$n.dict" ] || dict=-dict=$srcdir/t/fuzz/$n.dict
	"$bin" $dict -max_total_time="$secs" -print_final_stats=1 \
	    -error_exitcode=1 -timeout_exitcode=1 -timeout=60 \
	    -rss_limit_mb=2048 -artifact_prefix="$w/artifacts/" \
	    "$w/corpus" > "$w/log" 2>&1
	echo $? > "$w/rc"
}

for n in "$@"; do
	if [ ! -x "./t/fuzz/fuzz_$n" ]; then
		echo "fuzz-all.sh: ./t/fuzz/fuzz_$n not built" \
		    "(configure --enable-fuzzing CC=clang; make check)" >&2
		exit 2
	fi
done

running=0
for n in "$@"; do
	run_one "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
printf '%-10s %12s %8s %8s  %s\n' target executions cov ft result
for n in "$@"; do
	w=$work/$n
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log" |
	    tail -n 1)
	last=$(grep -E '^#[0-9]+' "$w/log" | grep 'cov:' | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	rc=$(cat "$w/rc")
	if [ "$rc" = 0 ]; then
		res=ok
	else
		res="FAILED (rc $rc): $(ls "$w/artifacts" | tr '\n' ' ')"
		status=1
	fi
	printf '%-10s %12s %8s %8s  %s\n' "$n" "${execs:-?}" "${cov:-?}" \
	    "${ft:-?}" "$res"
done
for n in "$@"; do
	[ "$(cat "$work/$n/rc")" = 0 ] && continue
	echo "=== $n: $work/$n/log"
	grep -v -E '^(#[0-9]|INFO:|    #[0-9])' "$work/$n/log" | tail -n 30
done
exit $status
