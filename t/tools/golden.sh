#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# golden.sh - prove that two builds say the same: the daemon's log lines,
# the Authentication-Results fields and replies it sends, its /metrics
# body, and rdns-check's JSON and human output, on the test DNS world
# (t/dns/world.sh), byte for byte.  For refactorings that must not change
# behaviour (issue 19).  Not part of "make check": it runs every session
# twice and the DNS-timeout cases take seconds each.
#
#	cd BUILD && srcdir=SRC SRC/t/tools/golden.sh OLD_BUILD [NEW_BUILD]
#
# To compare with main: git worktree add /tmp/old main, build it there
# (./autogen.sh && mkdir _build && cd _build && ../configure && make),
# then pass /tmp/old/_build.
#
# OLD_BUILD and NEW_BUILD are build directories (NEW_BUILD: the current
# one); the harness (miltertest scripts, the recording proxy, the world)
# is the current source tree's, so both binaries see the same sessions.
# Per build, one daemon (the policies of t/milter/replies.sh, a metrics
# listener) serves the sessions of t/milter's replies, header, rehelo
# and forged scripts in turn; then each address of t/cli/rdns-check.cases
# (with its HELO) goes through rdns-check -j and the human report.
# Normalised before the diff: ms=, conn= (a serial), the work directory,
# time columns of the proxy transcript, the latency histogram of
# /metrics.  The DNS outcome counters (rdns_milter_dns_lookups_total,
# rdns_milter_dns_timeouts_total) are shown, not compared: whether an
# answer of the world beats DNSTimeout depends on the machine's load.  Exit 0 when everything is equal, 1 with the diffs otherwise.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

OLD=$(cd "${1:?usage: golden.sh OLD_BUILD [NEW_BUILD]}" && pwd) || exit 99
NEW=$(cd "${2:-$abs_top_builddir}" && pwd) || exit 99
CASES=$abs_top_srcdir/t/cli/rdns-check.cases
export RDNS_MILTER_GENERIC_RULES=$abs_top_srcdir/data/generic.rules
# DNSTimeout for both programs: the world's 3 s lets a loaded machine
# turn an answer into a timeout in one run and not the other (the
# fail-beyond-maxptrnames names); GOLDEN_TIMEOUT=3 for the world's own.
T=${GOLDEN_TIMEOUT:-6}

mt_setup
mt_world

# The log, normalised: the line's own words only.
norm_log()
{
	sed -e "s|$MT_DIR|DIR|g" -e 's/ ms=[0-9]*/ ms=N/' \
	    -e 's/ conn=[0-9]*/ conn=N/g' -e 's/\[[0-9]*\]: /[PID]: /' \
	    -e 's/ pid [0-9]*/ pid N/' "$1" | grep -v -e 'starting on' \
	    -e 'version' | sort
}

# A proxy transcript without its time column: direction, frame, payload.
norm_trans()
{
	local f

	for f in "$1"/*; do
		[ -f "$f" ] || continue
		echo "== $(basename "$f")"
		# Who closes first is the scheduler's choice.
		cut -d' ' -f2- "$f" | grep -v -x -e '[<>] EOF'
	done
}

run_side()
{
	local side=$1 bin=$2 port out=$MT_DIR/$1

	mkdir -p "$out" || exit 99
	port=$(proc_free_port) || tap_bail "no free port"
	RDNS_MILTER=$bin/milter/rdns-milter
	mt_conf "golden-$side" <<END
DNSTimeout $T
AuthservID mx.example.net
MetricsListen 127.0.0.1:$port
$(sed -n '/^Policy /p' "$MT_SRC/replies.sh")
END
	mt_start "$MT_DIR/golden-$side.conf"
	: >"$out/header.got"
	mt_lua replies
	mt_lua header MT_GOT="$out/header.got"
	mt_lua rehelo
	mt_lua forged MT_WANT="$out/forged.want" >/dev/null 2>&1
	mt_wait_log ': ip=' 40 || true
	sleep 1
	curl -sf "http://127.0.0.1:$port/metrics" >"$out/metrics.all" ||
	    tap_fail "$side: /metrics served"
	# Whether one of the world's answers beats DNSTimeout depends on
	# the machine's load, not on the build: those counters are shown,
	# not compared.
	grep -v -e '_bucket{' -e '_sum ' -e '_seconds' -e 'process_' \
	    -e 'build_info' -e '^rdns_milter_dns_lookups_total' \
	    -e '^rdns_milter_dns_timeouts_total' "$out/metrics.all" \
	    >"$out/metrics"
	grep -e '^rdns_milter_dns_lookups_total' \
	    -e '^rdns_milter_dns_timeouts_total' "$out/metrics.all" \
	    >"$out/metrics.dns"
	mt_stop
	mt_stop_wait
	norm_log "$MT_LOG" >"$out/log"
	norm_trans "$MT_TRANS" >"$out/trans"

	# rdns-check on every case of t/cli/rdns-check.cases.
	: >"$out/check.json"
	: >"$out/check.txt"
	grep -E '^[0-9a-fA-F:.]+\|' "$CASES" | while IFS='|' read -r ip helo _
	do
		# shellcheck disable=SC2086
		"$bin/milter/rdns-check" -c "$MT_WORLD/rdns.conf" -t "$T" -j -- \
		    "$ip" $helo >>"$out/check.json" 2>&1
		echo "exit $?" >>"$out/check.json"
		# shellcheck disable=SC2086
		"$bin/milter/rdns-check" -c "$MT_WORLD/rdns.conf" -t "$T" -- \
		    "$ip" $helo >>"$out/check.txt" 2>&1
		echo "exit $?" >>"$out/check.txt"
	done
	# A range: the summary and the categories.
	"$bin/milter/rdns-check" -c "$MT_WORLD/rdns.conf" -t "$T" -P 4 -- \
	    203.0.113.0/28 >>"$out/check.txt" 2>&1
	echo "exit $?" >>"$out/check.txt"
	"$bin/milter/rdns-check" -c "$MT_WORLD/rdns.conf" -t "$T" -j -P 4 \
	    -- \
	    203.0.113.0/28 >>"$out/check.json" 2>&1
	echo "exit $?" >>"$out/check.json"
}

run_side old "$OLD"
run_side new "$NEW"

# The scripts' own checks assume their own configurations: one daemon
# with replies.sh's policies answers some of header.lua's sessions
# otherwise.  Only the comparison counts.
echo "# the comparison of $OLD and $NEW:"
tap_init golden

# The same, for the human report's forward lookups of a PTR name that
# did not confirm: one of the world's NXDOMAIN answers (pass-200-names-
# tcp's h0NN.insec.test) now and then misses DNSTimeout on a loaded
# machine, with one build as with two (seen comparing a build with
# itself).  Both outcomes read "failed" for the comparison; the raw
# lines are shown when they differ.
for side in old new; do
	mv "$MT_DIR/$side/check.txt" "$MT_DIR/$side/check.txt.raw"
	sed -E 's/^( +[^ ]+ +A{1,4} lookup: )(timeout|nxdomain) /\1failed /' \
	    "$MT_DIR/$side/check.txt.raw" >"$MT_DIR/$side/check.txt"
done
if ! diff -u "$MT_DIR/old/check.txt.raw" "$MT_DIR/new/check.txt.raw" \
    >"$MT_DIR/raw.diff"; then
	echo "# forward lookup outcomes differ (load-dependent):"
	sed -n 's/^\([-+] \)/# \1/p' "$MT_DIR/raw.diff"
fi

for f in log trans metrics check.json check.txt header.got; do
	if [ ! -s "$MT_DIR/old/$f" ]; then
		tap_fail "$f: the old build wrote nothing"
		continue
	fi
	n=$(wc -l <"$MT_DIR/old/$f")
	mt_diff "$f equal ($n lines)" "$MT_DIR/old/$f" "$MT_DIR/new/$f"
done
if ! diff -u "$MT_DIR/old/metrics.dns" "$MT_DIR/new/metrics.dns" \
    >"$MT_DIR/dns.diff"; then
	echo "# DNS outcome counters differ (load-dependent, not compared):"
	sed -n 's/^\([-+]rdns\)/# \1/p' "$MT_DIR/dns.diff"
fi
mt_finish
