#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# cli-options.sh - --help and --version (and -h, -V) of the three
# programs: usage or version on stdout, nothing on stderr, exit 0; an
# unknown long option is a usage error (64) with the usage on stderr.
# rdns-report's relative --since/--until (the forms are unit-tested in
# t/unit/test_report_time).  No DNS is involved.

: "${abs_top_builddir:=$PWD}"
if [ -z "$abs_top_srcdir" ]; then
	abs_top_srcdir=$(cd "${srcdir:-.}" && pwd) || exit 99
fi
. "$abs_top_srcdir/t/lib/tap.sh" || exit 99
tap_init cli-options

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$abs_top_builddir/autoconf.h")
[ -n "$version" ] || tap_bail "no PACKAGE_VERSION in autoconf.h"
tmp=$(mktemp -d) || tap_bail "mktemp"
trap 'rm -rf "$tmp"' EXIT

# run PROG ARGS...: sets rc, out, err.
run()
{
	timeout 10 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

for prog in milter/rdns-milter milter/rdns-check milter/rdns-report; do
	name=${prog#milter/}
	bin=$abs_top_builddir/$prog
	[ -x "$bin" ] || tap_bail "$bin not built"
	for opt in --help -h; do
		run "$bin" $opt
		tap_check "$name $opt: exit status" "$rc" 0
		tap_check "$name $opt: usage on stdout" \
		    "$(printf '%s\n' "$out" | head -n 1 | cut -c1-$((7 + ${#name})))" \
		    "usage: $name"
		tap_check "$name $opt: --help and --version in the usage" \
		    "$(printf '%s\n' "$out" | grep -c -e '--help') $(
		    printf '%s\n' "$out" | grep -c -e '--version')" "1 1"
		tap_check "$name $opt: nothing on stderr" "$err" ""
	done
	for opt in --version -V; do
		run "$bin" $opt
		tap_check "$name $opt: exit status" "$rc" 0
		case $out in
		"$name $version"|"$name $version (libmilter "[0-9]*.[0-9]*.[0-9]*")")
			tap_ok "$name $opt: \"$out\"" ;;
		*)	tap_fail "$name $opt: \"$out\"" "want \"$name $version\"" ;;
		esac
		tap_check "$name $opt: nothing on stderr" "$err" ""
	done
	run "$bin" --no-such-option
	tap_check "$name --no-such-option: exit status" "$rc" 64
	tap_check "$name --no-such-option: nothing on stdout" "$out" ""
	case $err in
	*"usage: $name"*) tap_ok "$name --no-such-option: usage on stderr" ;;
	*)	tap_fail "$name --no-such-option: usage on stderr" "$err" ;;
	esac
done

# rdns-report --since/--until: the README pairs it with journalctl
# --since -7d.  The JSON names the range it used (UTC).
report=$abs_top_builddir/milter/rdns-report
for t in -7d -12h -30m yesterday today "2 days ago" 2024-03-01 @0; do
	run "$report" --json --since "$t" --until now
	tap_check "rdns-report --since '$t': exit status" "$rc" 0
	case $out in
	*'"since": "'[0-9]*'Z", "until": "'[0-9]*'Z"'*)
		tap_ok "rdns-report --since '$t': a range in the JSON" ;;
	*)	tap_fail "rdns-report --since '$t': a range in the JSON" "$out$err" ;;
	esac
done
t0=$(date +%s)
run "$report" --json --since -1h
t1=$(date +%s)
since=$(printf '%s\n' "$out" | sed -n 's/.*"since": "\([^"]*\)".*/\1/p')
s=$(date -u -d "$since" +%s 2>/dev/null)
if [ -n "$s" ] && [ "$s" -ge $((t0 - 3600)) ] && [ "$s" -le $((t1 - 3600)) ]; then
	tap_ok "rdns-report --since -1h: one hour before now ($since)"
else
	tap_fail "rdns-report --since -1h: one hour before now" "got '$since'"
fi
for t in -7x 7d "-1 fortnight" Yesterday; do
	run "$report" --since "$t"
	tap_check "rdns-report --since '$t': usage error" "$rc" 64
	case $err in
	"rdns-report: bad time '$t'"*) tap_ok "rdns-report --since '$t': says why" ;;
	*)	tap_fail "rdns-report --since '$t': says why" "$err" ;;
	esac
done
tap_done
