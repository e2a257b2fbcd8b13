#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# hostile-input.sh - client- and DNS-controlled bytes never escape.
#
# Every combination of a hostile HELO (CR/LF, 8-bit bytes, 10 kB, quotes,
# parentheses, semicolons, backslashes, fake results and properties,
# control bytes, empty, none at all) and a client address whose DNS data
# is hostile (a newline, CR and NUL inside PTR labels, a dot inside a
# label, a 255-byte name, 200 PTR records, a CNAME loop, bogus DNSSEC, no
# PTR, plus healthy IPv4 and IPv6 controls) goes through one milter
# session (t/tools/milterfault -A) with a hostile host name in CONNECT,
# under "Policy * ptr=reject iprev=reject helo=reject generic=reject
# temperror=tempfail".  The first recipient (user@) gets the policy, the
# second (postmaster@, exempt) takes the message to its end, where the
# header is added.  Checked for each session:
#   - every SMFIR_REPLYCODE text is "[45]NN [45].X.Y text", printable
#     ASCII only, within libmilter's 980 bytes (RFC 5321's 512 is
#     reply-length.sh), and a refusal always carries its text (a bare
#     reject would mean smfi_setreply() refused our text);
#   - exactly one Authentication-Results field is added and it is a valid
#     RFC 8601 value: printable ASCII, folded only with "\n\t", lines
#     within 998 bytes, exactly one iprev and then one x-ptr result with
#     only policy.iprev / smtp.helo / policy.ptr properties, every value
#     at most 255 bytes once unquoted;
# and the daemon's log has no byte outside printable ASCII, every line is
# one of ours or libunbound's, and it stays up.  About 15 s.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init hostile-input
rb_world_start
rb_conf m.conf \
    "Policy * ptr=reject iprev=reject helo=reject generic=reject temperror=tempfail"
rb_start "$R_DIR/m.conf" || tap_bail "rdns-milter did not start"

long_a=$(head -c 10240 /dev/zero | tr '\0' a)
long_mix=$(for i in $(seq 1 1024); do printf '%s' 'a(\x22b;\\)'; done)
long_label=$(head -c 300 /dev/zero | tr '\0' x).example
# milterfault's escapes: \r \n \t \\ \xHH.
HELOS=(
	'evil.example\r\nX-Injected: yes'
	'mail.sec.test\r\n'
	'a\nb'
	'a\rb.example'
	'\xc3\xa9t\xe9.example'
	"$long_a"
	"$long_mix"
	"$long_label"
	'"quoted"helo'
	'a"b\\c'
	'(comment)'
	'a)b(c'
	'x; iprev=pass'
	'mail.sec.test; x-ptr=pass policy.ptr=mail.sec.test'
	'mail.sec.test (pass) smtp.helo=evil'
	'[192.0.2.10]\r\n'
	'[IPv6:2001:db8::10]'
	''
	'\x01\x02\x1b[31m\x7f\xff'
	';;;;;'
	'\\'
	'@none'
	'mail.example.test'
)
IPS="192.0.2.10 2001:db8::10 198.51.100.11 198.51.100.20 198.51.100.21
198.51.100.22 198.51.100.23 198.51.100.24 198.51.100.25 203.0.113.10"
NAMES=('evil\r\nname.example' "$long_a" 'mail.sec.test' '(x)"y;\\')

n=0
fails=0
for ip in $IPS; do
	for i in "${!HELOS[@]}"; do
		n=$((n + 1))
		h=${HELOS[$i]}
		name=${NAMES[$((n % ${#NAMES[@]}))]}
		o="$R_DIR/s.$n.out"
		if [ "$h" = @none ]; then
			set -- -n
		else
			set -- -H "$h"
		fi
		"$RB_FAULT" -s "unix:$RB_SOCK" -t 10 -A -L 980 -a "$ip" \
		    -N "$name" \
		    -r user@example.test -r postmaster@example.test "$@" \
		    >"$o" 2>&1
		rc=$?
		# What went wrong, if anything.
		why=$(awk -v rc="$rc" '
		$4 == "check-bad" || $4 == "error" { print "  " $0 }
		$3 == "rcpt" && ($4 == "reject" || $4 == "tempfail") {
			print "  refusal without text: " $0 }
		$3 == "rcpt" && $4 !~ /^(continue|550|451|check-ok|check-bad)$/ &&
		    $4 != "reject" && $4 != "tempfail" {
			print "  unexpected RCPT reply: " $0 }
		$4 == "insheader" { ins++ }
		$4 == "check-ok" && $6 == "authres" {
			ok++
			v = $9; sub(/^maxval=/, "", v)
			if (v + 0 > 255) print "  value longer than 255: " $0
		}
		END {
			if (rc != 0) print "  exit status " rc
			if (ins != 1 || ok != 1)
				print "  headers added: " ins + 0 ", valid: " ok + 0
		}' "$o")
		if [ -n "$why" ]; then
			fails=$((fails + 1))
			printf '# session %d: ip %s, HELO #%d\n%s\n' "$n" "$ip" \
			    "$i" "$why" | head -8
		fi
	done
done
tap_check "$n hostile sessions: replies and headers well-formed" \
    "$fails failed" "0 failed"

# Spot checks of what the header says.
hdr()
{
	awk '$4 == "check-ok" && $6 == "authres" { print $7, $8 }' "$1"
}
tap_check "control: 192.0.2.10 with the CRLF-suffixed PTR name as HELO" \
    "$(hdr "$R_DIR/s.2.out")" "iprev=pass x-ptr=fail"
tap_check "control: IPv6 literal HELO of another address" \
    "$(hdr "$R_DIR/s.17.out")" "iprev=pass x-ptr=fail"
base=$((2 * ${#HELOS[@]}))
tap_check "no PTR: permerror" "$(hdr "$R_DIR/s.$((base + 1)).out")" \
    "iprev=permerror x-ptr=fail"
base=$((3 * ${#HELOS[@]}))
tap_check "newline inside a PTR label never confirms" \
    "$(hdr "$R_DIR/s.$((base + 1)).out")" "iprev=fail x-ptr=fail"
base=$((8 * ${#HELOS[@]}))
tap_check "CNAME loop, valid HELO: temperror" \
    "$(hdr "$R_DIR/s.$((base + ${#HELOS[@]})).out")" \
    "iprev=temperror x-ptr=temperror"
tap_check "CNAME loop, invalid HELO: x-ptr fail whatever DNS does" \
    "$(hdr "$R_DIR/s.$((base + 1)).out")" "iprev=temperror x-ptr=fail"

# The log: our lines and libunbound's only, printable, nothing injected.
if LC_ALL=C grep -q '[^[:print:]]' "$RB_LOG"; then
	tap_fail "log has printable ASCII only" \
	    "$(LC_ALL=C grep -n -m 3 '[^[:print:]]' "$RB_LOG" | cat -v)"
else
	tap_ok "log has printable ASCII only"
fi
other=$(grep -v -e '^rdns-milter: ' -e '^\[[0-9]*\] libunbound\[' "$RB_LOG" |
    head -3)
tap_check "every log line is rdns-milter's or libunbound's" "$other" ""
tap_check "one summary line per session" \
    "$(grep -c 'rdns-milter: FAULT1: ip=' "$RB_LOG")" "$n"
if rb_alive; then
	tap_ok "daemon alive"
else
	tap_fail "daemon alive" "$(tail -5 "$RB_LOG")"
fi
rb_healthy "healthy session at the end"
rb_stop && tap_ok "SIGTERM: clean exit" || tap_fail "SIGTERM: clean exit" \
    "status $RB_STOP"
tap_done
