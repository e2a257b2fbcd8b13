#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# replay.sh - replay equals reality (issue 22, SPEC 5): the same traffic
# (replay.lua: every row of t/corpus/, plus the test world's own
# failures, with several recipients per message over several domains and
# exempt local parts) runs through the daemon three times:
#	A	the logging configuration, enforcing
#	B-dry	another configuration B, with DryRun yes
#	B	B itself: enforcing, one policy in dry run (dryrun=yes)
# B differs from A in its Policy lines, ExemptRecipients (fewer),
# AllowDomains, MailRoleWords, GenericDisable and TrustedNetworks.  Then
# rdns-report --json --replay B-dry on A's log must equal rdns-report
# --json on B-dry's own log, and --replay B on A's log the report of B's
# log: per policy and check, the recipients and messages refused and
# would-be refused, the clients, and the checked messages.  So must
# --replay A on A's log the report of A's log.
#
# The test can fail: a replay that leaves out one of B's differences
# (AllowDomains, ExemptRecipients, MailRoleWords, GenericDisable,
# TrustedNetworks, a Policy line's dryrun, DryRun) gives other numbers
# on this traffic, which is checked by replaying B with that difference
# undone.  A message whose DNS verdicts differ between the runs (a
# lookup that timed out in one of them on a loaded machine) cannot be
# compared; such messages are left out of every log and counted, and at
# most 2 % of them may be.  About 20 s.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

TUNING=$abs_top_srcdir/t/corpus/tuning.txt
HELDOUT=$abs_top_srcdir/t/corpus/heldout.txt
REPORT=$abs_top_builddir/milter/rdns-report

mt_setup
command -v jq >/dev/null 2>&1 ||
    tap_skip_all "jq not found (Debian package jq, in .ci/packages-test)"
[ -x "$REPORT" ] || { echo "ERROR: $REPORT not built"; exit 99; }
mt_corpus_world "$TUNING" "$HELDOUT"

mt_conf a <<'END'
AuthservID mx.example.net
ExemptRecipients postmaster abuse hostmaster
Policy *              ptr=reject iprev=reject generic=reject helo=reject temperror=tempfail
Policy x.example      ptr=reject
Policy .sub.example   iprev=reject generic=tempfail
Policy corpus.example generic=reject dryrun=yes
END
B_KEYS='AuthservID mx.example.net
TrustedNetworks 127.0.0.0/8, ::1/128, 40.107.0.0/16
ExemptRecipients postmaster
AllowDomains .comcast.net, .wanadoo.fr
MailRoleWords mx smtp
GenericDisable ovh-vps-default'
B_POLICY='Policy *              ptr=reject generic=reject
Policy x.example      iprev=reject generic=reject helo=reject
Policy shadow.example ptr=reject iprev=reject generic=reject helo=reject dryrun=yes
Policy .sub.example   ptr=tempfail iprev=reject generic=reject helo=tempfail temperror=tempfail
Policy sec.example    iprev=reject dnssec=require'
printf '%s\n%s\n' "$B_KEYS" "$B_POLICY" | mt_conf b
printf '%s\n%s\nDryRun yes\n' "$B_KEYS" "$B_POLICY" | mt_conf bdry

# run NAME: the traffic under $MT_DIR/NAME.conf; its log lines (without
# the "rdns-milter: " of -f) in $MT_DIR/NAME.log.
run()
{
	local n

	mt_start "$MT_DIR/$1.conf"
	mt_lua replay CORPUS1="$TUNING" CORPUS2="$HELDOUT" PHASE="$1"
	n=$(cat "$MT_DIR/sessions-$1" 2>/dev/null)
	mt_check "$1: a line for each of the ${n:-?} connections" \
	    mt_wait_log ': ip=' "${n:-1}"
	if [ "$1" = a ]; then
		# Past the caps, only in A's log (see below).
		mt_lua replay PHASE=cap MODE=cap
		mt_check "a: the capped message logged" \
		    mt_wait_log '^rdns-milter: CAP1: ip=' 1
	fi
	mt_stop
	sed -n 's/^rdns-milter: //p' "$MT_LOG" >"$MT_DIR/$1.log"
}
run a
run bdry
run b

# The capped message: 20 domains, 20 exempt recipients; 16 of each
# listed, "+4" for the rest; the replay counts them as not listed.
cap=$(grep '^CAP1: ip=' "$MT_DIR/a.log")
case $cap in
*' domains=d01.example,'*',d16.example,+4 exempt=postmaster@e01.example,'*',postmaster@e16.example,+4 '*)
	tap_ok "a: domains= and exempt= capped at 16 with +4" ;;
*)	tap_fail "a: domains= and exempt= capped at 16 with +4" "$cap" ;;
esac
grep '^CAP1: ' "$MT_DIR/a.log" >"$MT_DIR/cap.log"
"$REPORT" --json --replay "$MT_DIR/b.conf" "$MT_DIR/cap.log" \
    >"$MT_DIR/cap.json" 2>&1
mt_check "replay of the capped message: 8 recipients not listed" \
    eval '[ "$(jq -c .replay.not_replayed "$MT_DIR/cap.json")" = \
	"{\"older_format\":0,\"dns_incomplete\":0,\"garbage\":0,\"unchecked\":0,\"unlisted_recipients\":8,\"unlisted_in_messages\":1}" ]'
grep -v '^CAP1: ' "$MT_DIR/a.log" >"$MT_DIR/a.tmp" &&
    mv "$MT_DIR/a.tmp" "$MT_DIR/a.log"

# The DNS verdicts of each message, by queue id, in each run; a message
# whose verdicts differ between A's run and another is left out of all
# three logs (one that B trusts has none in B's runs: no difference).
verdicts()
{
	awk '$2 ~ /^ip=/ && $1 != "NOQUEUE:" && $0 !~ / trusted / {
		v = $1
		for (i = 2; i <= NF; i++)
			if ($i ~ /^(ip|ptr|iprev|name|dnssec|helo|x-ptr|helo_fwd|helo_aligned)=/)
				v = v " " $i
		print v
	}' "$MT_DIR/$1.log"
}
verdicts a >"$MT_DIR/a.v"
verdicts bdry >"$MT_DIR/bdry.v"
verdicts b >"$MT_DIR/b.v"
awk 'FILENAME != ARGV[ARGC - 1] { other[FILENAME, $1] = $0; next }
	{
		for (i = 1; i < ARGC - 1; i++)
			if ((ARGV[i], $1) in other &&
			    other[ARGV[i], $1] != $0) {
				print $1
				break
			}
	}' "$MT_DIR/bdry.v" "$MT_DIR/b.v" "$MT_DIR/a.v" >"$MT_DIR/differ"
total=$(wc -l <"$MT_DIR/a.v")
left=$(wc -l <"$MT_DIR/differ")
echo "# messages: $total; DNS verdicts differ between the runs: $left"
sed 's/^/# differs: /' "$MT_DIR/differ" | head -n 5
mt_check "the runs' DNS verdicts agree for 98 % of the messages" \
    test $((left * 50)) -le "$total"
for f in a bdry b; do
	awk -v skip="$MT_DIR/differ" 'BEGIN {
		while ((getline q < skip) > 0)
			out[q] = 1
	} !($1 in out)' "$MT_DIR/$f.log" >"$MT_DIR/$f.cmp.log"
done

export RDNS_MILTER_GENERIC_RULES=${RDNS_MILTER_GENERIC_RULES:-$abs_top_srcdir/data/generic.rules}
# report NAME [ARGS...]: the part of rdns-report --json ARGS that a
# replay must reproduce.
report()
{
	local name=$1

	shift
	"$REPORT" --json "$@" >"$MT_DIR/$name.json" 2>"$MT_DIR/$name.err" ||
	    tap_fail "rdns-report --json $* exits 0" \
	    "$(cat "$MT_DIR/$name.err")"
	jq -S '{checked_messages, policies}' "$MT_DIR/$name.json" \
	    >"$MT_DIR/$name.cmp"
}
# same DESCRIPTION A B: the two reports are equal (diff on failure).
same()
{
	mt_diff "$1" "$MT_DIR/$2.cmp" "$MT_DIR/$3.cmp"
}
report real-a "$MT_DIR/a.cmp.log"
report real-bdry "$MT_DIR/bdry.cmp.log"
report real-b "$MT_DIR/b.cmp.log"
report replay-bdry --replay "$MT_DIR/bdry.conf" "$MT_DIR/a.cmp.log"
report replay-b --replay "$MT_DIR/b.conf" "$MT_DIR/a.cmp.log"
report replay-a --replay "$MT_DIR/a.conf" "$MT_DIR/a.cmp.log"

# The numbers, for the record.
jq -r '"# \(.checked_messages) checked messages", (.policies[] |
    .policy as $p | .checks[] | "#   \($p) \(.check): refused \(.refused.recipients) recipients \(.refused.messages) messages, would refuse \(.would_refuse.recipients) recipients \(.would_refuse.messages) messages")' \
    "$MT_DIR/real-b.json"
jq -r '"# replay of B: \(.replay | del(.cannot_tell) | tostring)"' \
    "$MT_DIR/replay-b.json"

same "replay of B with DryRun yes on A's log equals B's dry run" \
    real-bdry replay-bdry
same "replay of B on A's log equals B's own run" real-b replay-b
same "replay of A on A's log equals A's log" real-a replay-a
mt_check "the replay decided every message of A's log" \
    eval '[ "$(jq -c ".replay.not_replayed | del(.unchecked)" \
	"$MT_DIR/replay-b.json")" = \
	"{\"older_format\":0,\"dns_incomplete\":0,\"garbage\":0,\"unlisted_recipients\":0,\"unlisted_in_messages\":0}" ]'
mt_check "B trusts some of A's clients" \
    eval '[ "$(jq .replay.trusted "$MT_DIR/replay-b.json")" -gt 0 ]'
mt_check "B's refusals are not A's" \
    eval '! cmp -s "$MT_DIR/real-a.cmp" "$MT_DIR/real-b.cmp"'

# The traffic tells each of B's differences from A apart: replaying B
# without one of them gives other numbers than B's own run.
# differs DESCRIPTION REAL SED: replay B with SED applied to its file.
differs()
{
	sed "$3" "$MT_DIR/$2.conf" >"$MT_DIR/undone.conf"
	if cmp -s "$MT_DIR/undone.conf" "$MT_DIR/$2.conf"; then
		tap_fail "$1: the configuration changed"
		return
	fi
	report undone --replay "$MT_DIR/undone.conf" "$MT_DIR/a.cmp.log"
	mt_check "$1 changes the numbers" \
	    eval '! cmp -s "$MT_DIR/real-$2.cmp" "$MT_DIR/undone.cmp"'
}
differs "AllowDomains" bdry '/^AllowDomains/d'
differs "ExemptRecipients" bdry \
    's/^ExemptRecipients .*/ExemptRecipients postmaster abuse hostmaster/'
differs "MailRoleWords" bdry '/^MailRoleWords/d'
differs "GenericDisable" bdry '/^GenericDisable/d'
differs "TrustedNetworks" bdry 's/, 40\.107\.0\.0\/16//'
differs "a Policy line's dryrun=yes" b 's/ dryrun=yes//'
differs "DryRun yes" bdry '/^DryRun/d'
differs "a Policy line" bdry '/^Policy sec\.example/d'

"$REPORT" --replay "$MT_DIR/b.conf" "$MT_DIR/a.cmp.log" \
    >"$MT_DIR/replay-b.txt" 2>&1
mt_check "the text report says what the log cannot tell" \
    grep -q '^  what the log cannot tell:$' "$MT_DIR/replay-b.txt"
mt_check "every ExemptRecipients entry of B exempted a logged recipient" \
    eval '! grep -q "ExemptRecipients that exempted no logged" "$MT_DIR/replay-b.txt"'

# A configuration with errors: FILE:LINE: message, exit 78.
printf 'Policy * ptr=maybe\n' >"$MT_DIR/broken.conf"
"$REPORT" --replay "$MT_DIR/broken.conf" "$MT_DIR/a.log" \
    >"$MT_DIR/broken.out" 2>&1
rc=$?
mt_check "--replay with a broken configuration: exit 78" [ $rc -eq 78 ]
mt_check "... and its error as FILE:LINE: message" \
    grep -q "^$MT_DIR/broken.conf:1: Policy: bad value 'maybe' for ptr" \
    "$MT_DIR/broken.out"
mt_finish
