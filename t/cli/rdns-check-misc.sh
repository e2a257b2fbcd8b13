#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rdns-check-misc.sh - rdns-check: the DNS timeout is kept (wall time),
# MaxPTRNames, JSON escaping of control bytes, usage and configuration
# errors (exit 64 and 78).

. "$(dirname "$0")/lib.sh" || exit 99
it_init rdns-check-misc
it_world_start

conf="$T_DIR/rdns.conf"

# reason_of JSON: the value of "reason" (quoted, or null).
reason_of()
{
	printf '%s\n' "$1" | sed -n 's/.*"reason": \("[^"]*"\|null\).*/\1/p'
}

# timed DESC WANT_REASON IP...: rdns-check -t 2 must give up after about
# 2 s: at least 1.5 s (it did wait) and less than 10 s (it did not wait
# for libunbound's own retries, about 17 s; on a loaded machine the
# sanitizer build took 3.5 s).
timed()
{
	local d=$1 want=$2 t0 t1 ms

	shift 2
	t0=$(it_now_ms)
	it_run "$RDNS_CHECK" -c "$conf" -j -t 2 -- "$@"
	t1=$(it_now_ms)
	ms=$((t1 - t0))
	tap_check "$d: exit status" "$T_RC" 2
	tap_check "$d: reason" "$(reason_of "$T_OUT")" "\"$want\""
	if [ "$ms" -ge 1500 ] && [ "$ms" -lt 10000 ]; then
		tap_ok "$d: gave up after $ms ms (-t 2)"
	else
		tap_fail "$d: gave up after $ms ms (-t 2)" \
		    "want 1500 <= ms < 10000" "output: $T_OUT"
	fi
}

timed "forward lookup into the black hole" "DNS timeout" 192.0.2.19
timed "reverse zone delegated to the black hole" "DNS timeout" \
    198.51.100.250
timed "IPv6, forward lookup into the black hole" "DNS timeout" 2001:db8::19
timed "black hole, with a HELO into the black hole too" "DNS timeout" \
    192.0.2.19 x.hole.test

# MaxPTRNames: 192.0.2.21 has 12 PTR names and only the 11th confirms.
cp "$conf" "$T_DIR/max11.conf" && echo "MaxPTRNames 11" >>"$T_DIR/max11.conf"
it_run "$RDNS_CHECK" -c "$T_DIR/max11.conf" -j -- 192.0.2.21
tap_check "MaxPTRNames 11 reaches the 11th name: exit status" "$T_RC" 0
case $T_OUT in
*'"iprev": {"result": "pass", "name": "n11.many.sec.test", "dnssec": "secure", "reason": null}'*)
	tap_ok "MaxPTRNames 11 reaches the 11th name" ;;
*)	tap_fail "MaxPTRNames 11 reaches the 11th name" "got: $T_OUT" ;;
esac
cp "$conf" "$T_DIR/max1.conf" && echo "MaxPTRNames 1" >>"$T_DIR/max1.conf"
it_run "$RDNS_CHECK" -c "$T_DIR/max1.conf" -j -- 192.0.2.16
tap_check "MaxPTRNames 1 looks at a1 only: exit status" "$T_RC" 1
tap_check "MaxPTRNames 1 looks at a1 only: all names listed, iprev fail" \
    "$T_OUT" '{"ip": "192.0.2.16", "ptr": {"result": "pass", "names": ["a1.multi.sec.test", "a2.multi.sec.test", "a3.multi.sec.test"], "dnssec": "secure"}, "iprev": {"result": "fail", "name": null, "dnssec": "secure", "reason": "PTR a1.multi.sec.test does not resolve to 192.0.2.16"}, "helo": {"name": null, "result": "none", "forward_confirmed": false, "aligned": false, "org_domain": null}, "generic": false, "generic_reason": null, "allowlisted": false}'

# Control bytes in the HELO are JSON-escaped (and the HELO fails).
it_run "$RDNS_CHECK" -c "$conf" -j -- 192.0.2.10 $'bad\001he\tlo'
tap_check "control bytes in the HELO: exit status" "$T_RC" 1
case $T_OUT in
*'"helo": {"name": "bad\u0001he\tlo", "result": "fail", "forward_confirmed": false, "aligned": false, "org_domain": "sec.test"}'*)
	tap_ok "control bytes in the HELO are JSON-escaped" ;;
*)	tap_fail "control bytes in the HELO are JSON-escaped" "got: $T_OUT" ;;
esac

# error_exit WANT DESC ARGS...: rdns-check ARGS exits WANT: 64 (usage
# error) with nothing on stdout, or 78 (configuration error) with a
# message on stderr.
error_exit()
{
	local want=$1 d=$2 ok=

	shift 2
	it_run "$RDNS_CHECK" "$@"
	case $want in
	64)	[ -z "$T_OUT" ] && ok=$T_RC ;;
	78)	[ -n "$T_ERR" ] && ok=$T_RC ;;
	esac
	if [ "$ok" = "$want" ]; then
		tap_ok "$d"
	else
		tap_fail "$d" "exit status $T_RC (want $want)" \
		    "stdout: $T_OUT" "stderr: $T_ERR"
	fi
}

# Usage errors: 64, nothing on stdout.
usage()
{
	error_exit 64 "usage error: $1" "${@:2}"
}
usage "no IP" -c "$conf" -j
usage "unknown option" -c "$conf" -j -Z 192.0.2.10
usage "IP out of range" -c "$conf" -j 300.1.2.3
usage "IP with three octets" -c "$conf" -j 192.0.2
usage "not an IP" -c "$conf" -j mail.sec.test
usage "IPv6 with two ::" -c "$conf" -j 2001:db8::1::2
usage "IP with a zone index" -c "$conf" -j fe80::1%lo
usage "too many arguments" -c "$conf" -j 192.0.2.10 a.example b.example
usage "-t 0" -c "$conf" -j -t 0 192.0.2.10
usage "-t not a number" -c "$conf" -j -t x 192.0.2.10

# Configuration errors: 78, a message on stderr.
config()
{
	error_exit 78 "configuration error: $1" "${@:2}"
}
config "missing file" -c "$T_DIR/no-such.conf" -j 192.0.2.10
{ cat "$conf"; echo "NoSuchKey yes"; } >"$T_DIR/unknown-key.conf"
config "unknown key" -c "$T_DIR/unknown-key.conf" -j 192.0.2.10
{ cat "$conf"; echo "DNSTimeout 2"; } >"$T_DIR/twice.conf"
config "key given twice" -c "$T_DIR/twice.conf" -j 192.0.2.10
printf 'ResolverConfig %s\nTrustAnchorFile none\n' "$T_DIR/no-such-unbound.conf" \
    >"$T_DIR/bad-resolver.conf"
config "missing ResolverConfig file" -c "$T_DIR/bad-resolver.conf" -j \
    192.0.2.10

tap_done
