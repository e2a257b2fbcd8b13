#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rules.sh - contrib/prometheus/rdns-milter.rules.yml is valid and each
# alert fires on its bad case and stays quiet on the good one
# (promtool test rules, contrib/prometheus/rdns-milter.rules.test.yml).
# SKIP (77) only without promtool (Debian package prometheus).
srcdir=${srcdir:-$(dirname "$0")/../..}
. "$srcdir/t/lib/tap.sh" || exit 99
command -v promtool >/dev/null 2>&1 ||
    tap_skip_all "promtool not found (Debian package prometheus)"
tap_init rules
R=$srcdir/contrib/prometheus
out=$(promtool check rules "$R/rdns-milter.rules.yml" 2>&1)
tap_check "promtool check rules: 5 rules" \
    "$(printf '%s\n' "$out" | grep -c 'SUCCESS: 5 rules found')" 1
# promtool resolves rule_files relative to the test file.
if out=$(promtool test rules "$R/rdns-milter.rules.test.yml" 2>&1); then
	tap_ok "promtool test rules: every alert's unit test passes"
else
	tap_fail "promtool test rules"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
n=$(grep -c '^      - alert:' "$R/rdns-milter.rules.yml")
t=$(grep -o 'alertname: [A-Za-z]*' "$R/rdns-milter.rules.test.yml" |
    sort -u | wc -l)
tap_check "every alert ($n) has a unit test" "$t" "$n"
tap_done
