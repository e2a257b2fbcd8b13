#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rdns-check-json.sh - every case of rdns-check.cases: exit status, and the
# JSON object of "rdns-check -j" against the test DNS world, field by
# field (jq), with its layout and its field order.
#
# Run one case by hand:  CASES_MATCH=192.0.2.16 make check \
#	TESTS=t/cli/rdns-check-json.sh   (a grep pattern on "IP|HELO")

. "$(dirname "$0")/lib.sh" || exit 99
it_init rdns-check-json

cases="$abs_top_srcdir/t/cli/rdns-check.cases"
[ -r "$cases" ] || tap_bail "cannot read $cases"
command -v jq >/dev/null 2>&1 ||
    tap_skip_all "jq is not installed (Debian package jq)"

# The comparison, given the output line ($out), the defaults and the
# case's fields (objects of "path": value), the IP and the HELO.  Prints
# one line per difference, nothing when the line is right; fails (jq's
# message) when the line, or a value in the cases, is not JSON.
# shellcheck disable=SC2016
JQ_CHECK='
def render:
	if type == "object" then
		"{" + ([to_entries[] | (.key | tojson) + ": " +
		    (.value | render)] | join(", ")) + "}"
	elif type == "array" then
		"[" + (map(render) | join(", ")) + "]"
	else tojson end;
def fields(p):
	to_entries[] | .key as $k |
	if (.value | type) == "object" then .value | fields(p + [$k])
	else {key: (p + [$k] | join(".")), value} end;
(($case | keys_unsorted) - ($defaults | keys_unsorted)) as $unknown |
($defaults + {ip: $ip, "helo.name": (if $helo == "" then null
    else $helo end)} + $case) as $want |
($out | fromjson) as $o |
if ($unknown | length) > 0 then
	"rdns-check.cases: not a field of the defaults: \($unknown | join(" "))"
elif ($o | type) != "object" then
	"not a JSON object: \($out)"
else
	([$o | fields([])] | from_entries) as $got |
	(if ($o | render) != $out then
		"layout: got:  \($out)",
		"layout: want: \($o | render)"
	else empty end),
	(if ($got | keys_unsorted) != ($want | keys_unsorted) then
		"fields: got  \($got | keys_unsorted | join(" "))",
		"fields: want \($want | keys_unsorted | join(" "))"
	else empty end),
	($want | to_entries[] | .key as $k | select(($got | has($k)) and
	    $got[$k] != .value) |
	    "\($k): got \($got[$k] | tojson), want \(.value | tojson)")
end'

# check IP HELO EXIT FIELDS: one case; FIELDS is the JSON text of its
# object.
check()
{
	local ip=$1 helo=$2 code=$3 fields=$4 desc details diff

	if [ -n "${CASES_MATCH:-}" ] &&
	    ! printf '%s|%s\n' "$ip" "$helo" | grep -q -e "$CASES_MATCH"; then
		return 0
	fi
	desc="$ip${helo:+ HELO $helo}"
	# "--": a HELO such as "-x.example" is not an option.
	if [ -n "$helo" ]; then
		it_run "$RDNS_CHECK" -c "$T_DIR/rdns.conf" -j -- "$ip" "$helo"
	else
		it_run "$RDNS_CHECK" -c "$T_DIR/rdns.conf" -j -- "$ip"
	fi
	details=()
	[ "$T_RC" = "$code" ] ||
	    details+=("exit status: got $T_RC, want $code")
	if ! diff=$(jq -n -r --arg out "$T_OUT" --arg ip "$ip" \
	    --arg helo "$helo" --argjson defaults "$defaults" \
	    --argjson case "$fields" "$JQ_CHECK" 2>&1); then
		details+=("not JSON (the output, or a value in" \
		    "rdns-check.cases): $diff" "output: $T_OUT")
	elif [ -n "$diff" ]; then
		details+=("$diff")
	fi
	[ -z "$T_ERR" ] || details+=("stderr: $T_ERR")
	if [ ${#details[@]} -eq 0 ]; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "${details[@]}"
	fi
}

it_world_start

# Read the defaults block, then each case with the lines under it.
defaults='' fields='' head='' n=0
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	''|'#'*)
		continue ;;
	[[:space:]]*)
		read -r f v <<<"$line"
		[ -n "$f" ] && [ -n "$v" ] ||
		    tap_bail "rdns-check.cases: field without a value: $line"
		if [ "$head" = defaults ]; then
			case $f/$v in
			ip/\(*|helo.name/\(*) v=null ;;
			esac
			defaults="$defaults${defaults:+, }\"$f\": $v"
		else
			fields="$fields${fields:+, }\"$f\": $v"
		fi
		continue ;;
	esac
	if [ "$head" = defaults ]; then
		defaults="{$defaults}"
	elif [ -n "$head" ]; then
		IFS='|' read -r ip helo code <<<"$head"
		check "$ip" "$helo" "$code" "{$fields}"
		n=$((n + 1))
	fi
	head=$line fields=
done <"$cases"
if [ -n "$head" ] && [ "$head" != defaults ]; then
	IFS='|' read -r ip helo code <<<"$head"
	check "$ip" "$helo" "$code" "{$fields}"
	n=$((n + 1))
fi
[ "$n" -gt 0 ] || [ -n "${CASES_MATCH:-}" ] ||
    tap_bail "rdns-check.cases: no case"

tap_done
