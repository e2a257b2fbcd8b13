#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rdns-check-range.sh - rdns-check for many addresses (issue 20, SPEC 5):
# a CIDR range (IPv4 /24, IPv6 /120) and a list (-f FILE, -f -), in
# address or file order, one JSON object per address in the
# single-address schema and a summary object, aligned text lines, the
# summary, exit statuses, range limits (--max), -P, the progress line
# (only on a terminal) and usage errors.  The addresses are those of
# 198.19.0.0/24 and 2001:db8:120::/120 in t/dns/README.md.

. "$(dirname "$0")/lib.sh" || exit 99
it_init rdns-check-range
command -v jq >/dev/null 2>&1 || tap_skip_all "jq is missing (Debian: jq)"
it_world_start

conf="$T_DIR/rdns.conf"

# jqf DESC FILTER WANT: the jq filter on $T_OUT (-s: all lines as one
# array) gives WANT (compact output).
jqf()
{
	local got

	got=$(printf '%s\n' "$T_OUT" | jq -c -s "$2" 2>&1)
	tap_check "$1" "$got" "$3"
}

# ---- an IPv4 /24 ----

it_run "$RDNS_CHECK" -c "$conf" -j 198.19.0.0/24
tap_check "/24 -j: exit status (some fail)" "$T_RC" 1
tap_check "/24 -j: nothing on stderr (not a terminal)" "$T_ERR" ""
jqf "/24 -j: every line is JSON, 256 addresses and a summary" \
    'length' 257
jqf "/24 -j: addresses in order" \
    '[.[] | select(.ip) | .ip] == [range(256) | "198.19.0.\(.)"]' true
jqf "/24 -j: the summary comes last" '.[-1] | keys' '["summary"]'
jqf "/24 -j: good PTR" \
    '.[1] | [.ip, .ptr.result, .iprev.result, .iprev.name, .iprev.dnssec]' \
    '["198.19.0.1","pass","pass","mail1.audit.test","secure"]'
jqf "/24 -j: same schema as one address" \
    '.[1] | keys' \
    '["allowlisted","generic","generic_reason","helo","ip","iprev","ptr"]'
jqf "/24 -j: missing PTR" \
    '.[3] | [.ptr.result, .iprev.result, .iprev.reason]' \
    '["fail","permerror","no PTR record"]'
jqf "/24 -j: PTR name pointing elsewhere" \
    '.[4] | [.ptr.names, .iprev.result]' \
    '[["nomatch.audit.test"],"fail"]'
jqf "/24 -j: PTR name without address" \
    '.[5] | .iprev.reason' \
    '"PTR noaddr.audit.test does not resolve to 198.19.0.5"'
jqf "/24 -j: generic (embedded address)" \
    '.[6] | [.iprev.result, .generic]' '["pass",true]'
jqf "/24 -j: generic (word pattern)" \
    '.[7] | [.iprev.name, .generic]' '["host7.dynamic.audit.test",true]'
jqf "/24 -j: every generic verdict names its evidence" \
    '[.[0].generic_reason, (.[6].generic_reason | test("^embeds 198.19.0.6 ")), (.[7].generic_reason | test("^rule "))]' \
    '[null,true,true]'
jqf "/24 -j: insecure forward zone" \
    '.[8] | [.iprev.name, .iprev.dnssec]' '["out1.provider.test","insecure"]'
jqf "/24 -j: DNS error" '.[10] | [.iprev.result, .iprev.reason]' \
    '["temperror","SERVFAIL"]'
jqf "/24 -j: summary counts" \
    '.[-1].summary | [.addresses, .pass, .no_ptr, .not_confirmed, .generic, .helo_mismatch, .dns_error, .ipv6_no_ptr, .exit_status]' \
    '[256,4,247,2,2,0,1,0,1]'

it_run "$RDNS_CHECK" -c "$conf" 198.19.0.0/24
tap_check "/24 text: exit status" "$T_RC" 1
lines=$(printf '%s\n' "$T_OUT" | grep -c '^198\.19\.0\.')
tap_check "/24 text: one line per address" "$lines" 256
tap_check "/24 text: header first" \
    "$(printf '%s\n' "$T_OUT" | head -n 1 | tr -s ' ')" \
    "ADDRESS RESULT NAME DNSSEC WHAT TO DO"
# Columns: the result starts at column 17 on every line.
bad=$(printf '%s\n' "$T_OUT" | grep '^198\.19\.0\.' |
    awk '{ if (index($0, $2) != 17) print }')
tap_check "/24 text: aligned columns" "$bad" ""
tap_check "/24 text: the good address" \
    "$(printf '%s\n' "$T_OUT" | grep '^198\.19\.0\.1 ' | tr -s ' ')" \
    "198.19.0.1 pass mail1.audit.test secure"
tap_check "/24 text: what to fix, missing PTR" \
    "$(printf '%s\n' "$T_OUT" | grep '^198\.19\.0\.3 ' | tr -s ' ')" \
    "198.19.0.3 no-ptr - secure fix: ask the owner of 198.19.0.0/24 (your hosting provider or ISP) to set the PTR of 198.19.0.3 to your mail server's name"
tap_check "/24 text: what to fix, no forward confirmation" \
    "$(printf '%s\n' "$T_OUT" | grep '^198\.19\.0\.4 ' | tr -s ' ')" \
    "198.19.0.4 not-confirmed nomatch.audit.test secure fix: add the A record nomatch.audit.test -> 198.19.0.4 (or point the PTR to a name that has it)"
tap_check "/24 text: what to fix, generic" \
    "$(printf '%s\n' "$T_OUT" | grep '^198\.19\.0\.6 ' | tr -s ' ')" \
    "198.19.0.6 generic dsl-198-19-0-6.pool.audit.test secure fix: dsl-198-19-0-6.pool.audit.test looks generic: ask the owner of 198.19.0.0/24 for a PTR such as mail.example.com (with the A record back)"
tap_check "/24 text: DNS error" \
    "$(printf '%s\n' "$T_OUT" | grep '^198\.19\.0\.10 ' | tr -s ' ')" \
    "198.19.0.10 dns-error x.servfail.test insecure SERVFAIL: try again later or with a larger -t"
tap_check "/24 text: the summary" "$(printf '%s\n' "$T_OUT" | tail -n 1)" \
    "256 addresses: 4 pass, 247 no PTR, 2 not forward-confirmed, 2 generic, 1 DNS error"

# ---- an IPv6 /120 ----

it_run "$RDNS_CHECK" -c "$conf" -j 2001:db8:120::/120
tap_check "IPv6 /120 -j: exit status" "$T_RC" 1
want6=$(for i in $(seq 0 255); do
	if [ "$i" = 0 ]; then echo "2001:db8:120::"
	else printf '2001:db8:120::%x\n' "$i"; fi
done)
tap_check "IPv6 /120 -j: 256 addresses in order" \
    "$(printf '%s\n' "$T_OUT" | jq -r 'select(.ip) | .ip')" "$want6"
jqf "IPv6 /120 -j: first and last" \
    '[.[0].ip, .[255].ip]' '["2001:db8:120::","2001:db8:120::ff"]'
jqf "IPv6 /120 -j: pass, not confirmed, generic" \
    '[.[1].iprev.result, .[2].iprev.result, .[3].generic]' \
    '["pass","fail",true]'
jqf "IPv6 /120 -j: IPv6 without PTR counted, listed up to 100" \
    '.[-1].summary | [.ipv6_no_ptr, (.ipv6_no_ptr_list | length), .ipv6_no_ptr_list[1], .pass, .not_confirmed, .generic]' \
    '[253,100,"2001:db8:120::4",1,1,1]'
it_run "$RDNS_CHECK" -c "$conf" 2001:db8:120::/120
tap_check "IPv6 /120 text: IPv6 without PTR on its own line" \
    "$(printf '%s\n' "$T_OUT" | grep '^IPv6 without PTR')" \
    "IPv6 without PTR: 253 (2001:db8:120::, 2001:db8:120::4, 2001:db8:120::5, 2001:db8:120::6, 2001:db8:120::7, 2001:db8:120::8, 2001:db8:120::9, 2001:db8:120::a, 2001:db8:120::b, 2001:db8:120::c, ...)"

# ---- exit status ----

status()
{
	it_run "$RDNS_CHECK" -c "$conf" "${@:3}"
	tap_check "exit status $2: $1" "$T_RC" "$2"
}
status "every address passes" 0 198.19.0.1/32
status "every address passes (/31)" 0 198.19.0.8/31
status "a missing PTR" 1 198.19.0.2/31
status "only DNS trouble" 2 198.19.0.10/32
status "a failure beats DNS trouble" 1 198.19.0.8/30

# ---- -P: the window changes the speed, never the output ----

it_run "$RDNS_CHECK" -c "$conf" -j -P 1 198.19.0.0/26
one=$T_OUT
it_run "$RDNS_CHECK" -c "$conf" -j -P 512 198.19.0.0/26
tap_check "-P 1 and -P 512 print the same" "$T_OUT" "$one"

# ---- a list (-f) ----

cat >"$T_DIR/list" <<'EOF'
# sending addresses, one "IP [HELO]" a line; file order is kept
2001:db8:120::1
198.19.0.1   mail1.audit.test

198.19.0.2	mail1.audit.test   # the HELO of another host
  198.19.0.3
EOF
it_run "$RDNS_CHECK" -c "$conf" -j -f "$T_DIR/list"
tap_check "-f: exit status" "$T_RC" 1
tap_check "-f: no message" "$T_ERR" ""
jqf "-f: the lines in file order" '[.[] | select(.ip) | .ip]' \
    '["2001:db8:120::1","198.19.0.1","198.19.0.2","198.19.0.3"]'
jqf "-f: HELO checked" '[.[1].helo.name, .[1].helo.result]' \
    '["mail1.audit.test","pass"]'
jqf "-f: HELO of another host" \
    '.[2].helo | [.result, .forward_confirmed, .aligned]' \
    '["fail",false,true]'
jqf "-f: no HELO" '[.[0].helo.name, .[0].helo.result]' '[null,"none"]'
jqf "-f: summary" \
    '.[-1].summary | [.addresses, .pass, .no_ptr, .helo_mismatch, .bad_lines]' \
    '[4,2,1,1,0]'
it_run "$RDNS_CHECK" -c "$conf" -f "$T_DIR/list"
tap_check "-f text: HELO mismatch line" \
    "$(printf '%s\n' "$T_OUT" | grep '^198\.19\.0\.2 ' | tr -s ' ')" \
    "198.19.0.2 helo-mismatch mail2.audit.test secure fix: HELO with mail2.audit.test"
tap_check "-f text: the summary" "$(printf '%s\n' "$T_OUT" | tail -n 1)" \
    "4 addresses: 2 pass, 1 no PTR, 0 not forward-confirmed, 0 generic, 1 HELO mismatch, 0 DNS error"

out=$(printf '198.19.0.9\n198.19.0.1\n' |
    $RDNS_CHECK_WRAPPER "$RDNS_CHECK" -c "$conf" -j -f - 2>&1)
rc=$?
tap_check "-f - reads standard input: exit status" "$rc" 0
tap_check "-f - reads standard input" \
    "$(printf '%s\n' "$out" | jq -r 'select(.ip) | .ip' | tr '\n' ' ')" \
    "198.19.0.9 198.19.0.1 "

printf '198.19.0.1\nnot-an-ip\n198.19.0.2 a.example b.example\n198.19.0.9\n' \
    >"$T_DIR/bad"
it_run "$RDNS_CHECK" -c "$conf" -j -f "$T_DIR/bad"
tap_check "-f bad lines: exit status 64" "$T_RC" 64
tap_check "-f bad lines: FILE:LINE messages" "$T_ERR" \
    "$T_DIR/bad:2: not an IP address: not-an-ip
$T_DIR/bad:3: expected \"IP [HELO]\""
jqf "-f bad lines: the good lines are still checked" \
    '[[.[] | select(.ip) | .ip], .[-1].summary.bad_lines]' \
    '[["198.19.0.1","198.19.0.9"],2]'

# ---- limits and usage errors (64, nothing on stdout) ----

usage()
{
	local d=$1

	shift
	it_run "$RDNS_CHECK" -c "$conf" "$@"
	if [ "$T_RC" = 64 ] && [ -z "$T_OUT" ] && [ -n "$T_ERR" ]; then
		tap_ok "usage error: $d"
	else
		tap_fail "usage error: $d" "exit status $T_RC (want 64)" \
		    "stdout: $T_OUT" "stderr: $T_ERR"
	fi
}
usage "an IPv4 range over a /16" 198.18.0.0/15
usage "an IPv6 range over a /112" 2001:db8::/111
usage "a range over --max" --max 100 198.19.0.0/24
usage "a prefix length out of range" 198.19.0.0/33
usage "not a range" 198.19.0.x/24
usage "a HELO with a range" 198.19.0.0/24 mail1.audit.test
usage "-P 0" -P 0 198.19.0.0/30
usage "-P over 512" -P 513 198.19.0.0/30
usage "--max 0" --max 0 198.19.0.0/30
usage "--max not a number" --max x 198.19.0.0/30
usage "-f and an address" -f "$T_DIR/list" 198.19.0.1
usage "-f and -d" -f "$T_DIR/list" -d example.audit.test
usage "-f of a missing file" -f "$T_DIR/no-such-file"
it_run "$RDNS_CHECK" -c "$conf" --max 100 198.19.0.0/24
tap_check "--max: says the limit" "$T_ERR" \
    "rdns-check: 198.19.0.0/24 holds more than 100 addresses (the limit is a /26 for IPv4, a /122 for IPv6; --max N raises it, or check smaller blocks)"
it_run "$RDNS_CHECK" -c "$conf" -j --max 256 198.19.0.0/24
tap_check "--max 256 allows a /24" "$T_RC" 1

# --help and --version: on stdout, exit 0.
it_run "$RDNS_CHECK" --help
tap_check "--help: exit status" "$T_RC" 0
case $T_OUT in
*"usage: rdns-check"*"-d DOMAIN"*) tap_ok "--help: usage on stdout" ;;
*) tap_fail "--help: usage on stdout" "$T_OUT" ;;
esac
it_run "$RDNS_CHECK" --version
tap_check "--version: exit status" "$T_RC" 0
case $T_OUT in
"rdns-check "[0-9]*) tap_ok "--version: on stdout" ;;
*) tap_fail "--version: on stdout" "$T_OUT" ;;
esac

# ---- the progress line: on a terminal only ----

# 198.51.100.250 is black-holed: with -t 1.5 the run lasts over a second,
# so the progress line must show (stdout goes to a file, stderr to the
# terminal that script(1) provides).
if command -v script >/dev/null 2>&1; then
	tty_out=$(script -qec "$RDNS_CHECK_WRAPPER $RDNS_CHECK -c $conf -t 1.5 \
	    198.51.100.240/28 >$T_DIR/tty.out" /dev/null 2>&1 </dev/null)
	case $tty_out in
	*"rdns-check: "*"/16 checked, "*"/s, ETA "*)
		tap_ok "progress line on a terminal" ;;
	*)	tap_fail "progress line on a terminal" "$tty_out" ;;
	esac
	tap_check "progress line: the report itself is complete" \
	    "$(grep -c '^198\.51\.100\.' "$T_DIR/tty.out")" 16
else
	tap_skip "progress line on a terminal" "script(1) is missing"
fi

tap_done
