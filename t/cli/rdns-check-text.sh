#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rdns-check-text.sh - the human-readable report of rdns-check (no -j):
# same exit status as with -j, the PTR names and DNSSEC status are shown,
# hints for what to fix, and hostile PTR bytes never reach the terminal.

. "$(dirname "$0")/lib.sh" || exit 99
it_init rdns-check-text
it_world_start

conf="$T_DIR/rdns.conf"

# contains DESC TEXT NEEDLE...: every NEEDLE is a substring of TEXT.
contains()
{
	local d=$1 text=$2 n missing=()

	shift 2
	for n in "$@"; do
		case $text in
		*"$n"*) ;;
		*) missing+=("missing: $n") ;;
		esac
	done
	if [ ${#missing[@]} -eq 0 ]; then
		tap_ok "$d"
	else
		tap_fail "$d" "${missing[@]}" "output:" "$text"
	fi
}

it_run "$RDNS_CHECK" -c "$conf" -- 192.0.2.10 mail.sec.test
tap_check "secure pass: exit status" "$T_RC" 0
contains "secure pass: name and status shown" "$T_OUT" \
    192.0.2.10 mail.sec.test secure pass

it_run "$RDNS_CHECK" -c "$conf" -- 192.0.2.11
tap_check "no PTR: exit status" "$T_RC" 1
contains "no PTR: says PTR missing" "$T_OUT" "PTR missing" permerror

it_run "$RDNS_CHECK" -c "$conf" -- 198.51.100.13
tap_check "three PTR names: exit status" "$T_RC" 0
contains "three PTR names: all shown, and the status" "$T_OUT" \
    z3.order.insec.test z2.order.insec.test z1.order.insec.test insecure

it_run "$RDNS_CHECK" -c "$conf" -- 203.0.113.10
tap_check "bogus PTR: exit status" "$T_RC" 2
contains "bogus PTR: says bogus" "$T_OUT" bogus temperror

it_run "$RDNS_CHECK" -c "$conf" -- 192.0.2.15
tap_check "PTR not confirming: exit status" "$T_RC" 1
contains "PTR not confirming: name and verdict shown" "$T_OUT" \
    elsewhere.sec.test fail

it_run "$RDNS_CHECK" -c "$conf" -- 198.51.100.42
tap_check "generic: exit status" "$T_RC" 1
contains "generic: name and verdict shown" "$T_OUT" \
    dsl-198-51-100-42.pool.insec.test generic
# Every verdict names its evidence (SPEC 2), a rule its source too.
contains "generic: the embedded address is the evidence" "$T_OUT" \
    "generic: yes (embeds 198.51.100.42 as octets in order in one label (198-51-100-42))"
it_run "$RDNS_CHECK" -c "$conf" -- 198.51.100.45
tap_check "generic by rule: exit status" "$T_RC" 1
contains "generic by rule: the rule and its source" "$T_OUT" \
    "generic: yes (rule cust-word (cust45))" "source of rule cust-word: "
it_run "$RDNS_CHECK" -c "$conf" -- 192.0.2.10
case $T_OUT in
*"generic: no ("*|*"source of rule"*)
	tap_fail "not generic: no reason" "$T_OUT" ;;
*"generic: no"*)
	tap_ok "not generic: no reason" ;;
*)	tap_fail "not generic: no reason" "$T_OUT" ;;
esac

it_run "$RDNS_CHECK" -c "$conf" -- 192.0.2.10 alias.sec.test
tap_check "HELO forward-confirms, not the PTR name: exit status" "$T_RC" 1
contains "HELO forward-confirms: HELO shown" "$T_OUT" alias.sec.test

# A newline inside a PTR label must not start a new line of output.
it_run "$RDNS_CHECK" -c "$conf" -- 198.51.100.20
tap_check "newline in a PTR name: exit status" "$T_RC" 1
if printf '%s\n' "$T_OUT" | grep -q '^name\.insec\.test'; then
	tap_fail "newline in a PTR name is not printed raw" "$T_OUT"
else
	tap_ok "newline in a PTR name is not printed raw"
fi

# CR and NUL inside a PTR label: no such byte in the output (nor any other
# control character but newline and tab).
it_run "$RDNS_CHECK" -c "$conf" -- 198.51.100.21
tap_check "CR and NUL in a PTR name: exit status" "$T_RC" 1
out="$T_DIR/text-21.out"
$RDNS_CHECK_WRAPPER "$RDNS_CHECK" -c "$conf" -- 198.51.100.21 >"$out" 2>&1
bad=$(LC_ALL=C tr -d '\n\t -~' <"$out" | wc -c)
if [ "$bad" -eq 0 ] && [ -s "$out" ]; then
	tap_ok "CR and NUL in a PTR name are not printed raw"
else
	tap_fail "CR and NUL in a PTR name are not printed raw" \
	    "$bad control or 8-bit bytes:" "$(od -c "$out" | head -40)"
fi

# Any -j case and its text twin agree on the exit status.
for ip in 192.0.2.16 192.0.2.17 192.0.2.21 198.51.100.25 2001:db8::10 \
    2001:db8::20 127.0.0.6; do
	it_run "$RDNS_CHECK" -c "$conf" -j -- "$ip"
	want=$T_RC
	it_run "$RDNS_CHECK" -c "$conf" -- "$ip"
	tap_check "$ip: same exit status with and without -j" "$T_RC" "$want"
done

tap_done
