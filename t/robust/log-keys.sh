#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# log-keys.sh - no client- or DNS-controlled text forges a log key (SPEC
# 3.3: space and '=' of such values are logged as '?').
#
# Sessions under "Policy * ptr=reject ..." with hostile values in every
# field that reaches a log line: the MTA's host name ("x action=reject
# policy=bank.example check=generic rcpts=7 y"), the HELO, the envelope
# sender and recipients, the queue id, and PTR names with odd bytes.
# Checked:
#   - no rdns-milter line has a key twice, nor a key that only the
#     hostile values hold (such as "y=" or "evil=");
#   - rdns-report, reading the log, counts exactly the refusals the
#     policy made: policy "*" only, never "bank.example";
#   - the hostile values are still there, encoded ('?' for space and '=').
# About 10 s.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init log-keys
rb_world_start
rb_conf m.conf \
    "Policy * ptr=reject iprev=reject helo=reject generic=reject temperror=tempfail"
rb_start "$R_DIR/m.conf" || tap_bail "rdns-milter did not start"
REPORT=$abs_top_builddir/milter/rdns-report
[ -x "$REPORT" ] || tap_bail "$REPORT is not built"

FORGE='action=reject policy=bank.example check=generic rcpts=7'
n=0
# session ARGS...: one milterfault session; fails the test on an error.
session()
{
	n=$((n + 1))
	"$RB_FAULT" -s "unix:$RB_SOCK" -t 10 "$@" >"$R_DIR/s.$n.out" 2>&1 ||
	    tap_fail "session $n ($*) ran" "$(tail -3 "$R_DIR/s.$n.out")"
}

# 1. Accepted (mail.sec.test), a hostile MTA host name: summary only.
session -a 192.0.2.10 -H mail.sec.test -N "x $FORGE y"
# 2. No PTR: refused (ptr), the exempt postmaster takes the message on.
session -a 192.0.2.11 -N "unknown $FORGE" -H "h $FORGE evil=1" \
    -f "a=b $FORGE@x.example" -r "u $FORGE@example.test" \
    -r postmaster@example.test -i "Q2 ip=192.0.2.99 $FORGE ms=1"
# 3. HELO not matching: refused (helo); '=' without a space everywhere.
session -a 192.0.2.10 -N "[192.0.2.10]" -H "evil=helo.example" \
    -f "srs0=ab=cd=x.example=a@y.example" -r "c=d@example.test" \
    -r postmaster@example.test -i "Q3=policy=bank.example"
# 4. PTR names with a newline and a dot inside a label, hostile HELO.
session -a 198.51.100.20 -N "a=b c=d" -H "x policy=bank.example" \
    -r user@example.test -r postmaster@example.test
session -a 198.51.100.22 -N "a=b c=d" -H "a\\\\.b.insec.test $FORGE" \
    -r user@example.test -r postmaster@example.test
rb_stop || tap_fail "SIGTERM, exit status 0" "status $RB_STOP"

grep '^rdns-milter: ' "$RB_LOG" >"$R_DIR/lines"
echo "# $(wc -l <"$R_DIR/lines") rdns-milter lines"
# The keys of each line: " word=" (or "word=" after "QID: ").
bad=$(awk '{
	line = $0
	sub(/^rdns-milter: [^ ]*: /, " ", line)
	delete seen
	n = split(line, w, " ")
	for (i = 1; i <= n; i++) {
		if (match(w[i], /^[A-Za-z][A-Za-z0-9._-]*=/) == 0)
			continue
		k = substr(w[i], 1, RLENGTH - 1)
		if (k in seen || k ~ /^(y|evil|a|c|srs0|Q3)$/) {
			print "line " NR ": key " k ": " $0
			break
		}
		seen[k] = 1
	}
}' "$R_DIR/lines")
tap_check "no line has a forged or repeated key" "$bad" ""

"$REPORT" --json "$R_DIR/lines" >"$R_DIR/report.json" ||
    tap_fail "rdns-report exits 0"
tap_check "rdns-report: refusals by policy and check" \
    "$(jq -r '.policies[] | .policy as $p | .checks[] |
	"\($p) \(.check) \(.refused.recipients) \(.refused.messages)"' \
	"$R_DIR/report.json" | sort | tr '\n' ';')" \
    "* helo 1 1;* iprev 2 2;* ptr 1 1;"
tap_check "rdns-report: checked messages, garbage" \
    "$(jq -r '"\(.checked_messages) \(.lines.garbage)"' "$R_DIR/report.json")" \
    "5 0"

# What the values became.
grep -F 'client=x?action?reject?policy?bank.example?check?generic?rcpts?7?y[192.0.2.10]' \
    "$R_DIR/lines" >/dev/null &&
    tap_ok "host name logged with '?' for space and '='" ||
    tap_fail "host name logged with '?' for space and '='"
grep -F 'from=<a?b?action?reject?policy?bank.example?check?generic?rcpts?7@x.example> to=<u?action?reject?policy?bank.example?check?generic?rcpts?7@example.test> helo=<h?action?reject?policy?bank.example?check?generic?rcpts?7?evil?1>' \
    "$R_DIR/lines" >/dev/null &&
    tap_ok "sender, recipient and HELO of a refusal encoded" ||
    tap_fail "sender, recipient and HELO of a refusal encoded"
grep -F 'rdns-milter: Q2?ip?192.0.2.99?action?reject' "$R_DIR/lines" \
    >/dev/null && tap_ok "queue id encoded" || tap_fail "queue id encoded"
tap_done
