#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rdns-check-json.sh - every case of rdns-check.cases: exit status and the
# exact JSON line of "rdns-check -j" against the test DNS world.
#
# Run one case by hand:  CASES_MATCH=192.0.2.16 make check \
#	TESTS=t/cli/rdns-check-json.sh   (a grep pattern on the line)

. "$(dirname "$0")/lib.sh" || exit 99
it_init rdns-check-json

cases="$abs_top_srcdir/t/cli/rdns-check.cases"
[ -r "$cases" ] || tap_bail "cannot read $cases"
have_jq=no
command -v jq >/dev/null 2>&1 && have_jq=yes

it_world_start

while IFS='|' read -r ip helo code json; do
	case $ip in
	''|'#'*) continue ;;
	esac
	if [ -n "$CASES_MATCH" ] &&
	    ! printf '%s|%s\n' "$ip" "$helo" | grep -q -e "$CASES_MATCH"; then
		continue
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
	[ "$T_OUT" = "$json" ] ||
	    details+=("got:  $T_OUT" "want: $json")
	if [ "$have_jq" = yes ] && [ -n "$T_OUT" ] &&
	    ! printf '%s\n' "$T_OUT" | jq -e . >/dev/null 2>&1; then
		details+=("output is not valid JSON (jq)")
	fi
	[ -z "$T_ERR" ] || details+=("stderr: $T_ERR")
	if [ ${#details[@]} -eq 0 ]; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "${details[@]}"
	fi
done <"$cases"

tap_done
