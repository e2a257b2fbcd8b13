#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rollout.sh - per-policy dry run (Policy ... dryrun=yes), one Postfix-style
# line per refused or would-be-refused recipient, the summary line's
# policy= check= rcpts= keys (SPEC 3.3, rdns-milter(8)), the labelled
# decision metrics, and a reload that moves one domain from dry run to
# enforcing without touching the others (issue 12).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
port=$(proc_free_port) || tap_bail "no free port"
mt_conf rollout <<END
AuthservID mx.example.net
MetricsListen 127.0.0.1:$port
Policy *              ptr=reject
Policy shadow.example ptr=reject generic=reject dryrun=yes
Policy .sub.example   ptr=reject generic=reject
END
mt_start "$MT_DIR/rollout.conf"
mt_lua rollout MT_PHASE=1
mt_check "phase 1: every message logged" mt_wait_log ': ip=' 4

metrics()
{
	curl -sf "http://127.0.0.1:$port/metrics" >"$MT_DIR/metrics.txt"
}
mt_check "metrics served" metrics
# metric_is NAME{LABELS} VALUE
metric_is()
{
	local got

	got=$(awk -v k="$1" '$1 == k { print $2 }' "$MT_DIR/metrics.txt")
	if [ "$got" = "$2" ]; then
		tap_ok "metric $1 = $2"
	else
		tap_fail "metric $1 = ${got:-absent}, want $2"
	fi
}
D=rdns_milter_decisions_total
if command -v curl >/dev/null 2>&1; then
	metric_is "$D{policy=\"*\",check=\"ptr\",action=\"reject\",dry_run=\"no\"}" 2
	metric_is "$D{policy=\"shadow.example\",check=\"ptr\",action=\"reject\",dry_run=\"yes\"}" 1
	metric_is "$D{policy=\"shadow.example\",check=\"generic\",action=\"reject\",dry_run=\"yes\"}" 1
	metric_is "$D{policy=\".sub.example\",check=\"generic\",action=\"reject\",dry_run=\"no\"}" 2
	metric_is "$D{policy=\"*\",check=\"none\",action=\"accept\",dry_run=\"no\"}" 2
	metric_is "$D{policy=\"shadow.example\",check=\"none\",action=\"accept\",dry_run=\"yes\"}" 1
	metric_is 'rdns_milter_dns_lookups_total{type="ptr",outcome="nxdomain"}' 2
	metric_is 'rdns_milter_dns_lookups_total{type="ptr",outcome="ok"}' 2
else
	tap_fail "curl not found (Debian package curl, in .ci/packages-test)"
fi

# Reload: shadow.example now enforces; the other lines are unchanged.
sed -i 's/^Policy shadow.example .*/Policy shadow.example ptr=reject generic=reject/' \
    "$MT_DIR/rollout.conf"
kill -USR1 "$MT_PID"
mt_check "reload done" mt_wait_log 'configuration reloaded'
mt_lua rollout MT_PHASE=2
mt_replies >"$MT_DIR/rollout.got"
mt_check "phase 2: every message logged" mt_wait_log ': ip=' 5
mt_stop

mt_summaries >"$MT_DIR/rollout.log.got"
sed -n 's/^rdns-milter: \([^ ]*: [a-z]*\(([a-z-]*)\)\{0,1\}: RCPT from .*\)$/\1/p' \
    "$MT_LOG" >"$MT_DIR/rollout.rcpt.got"
mt_diff "RCPT replies equal expected/rollout.txt" \
    "$MT_SRC/expected/rollout.txt" "$MT_DIR/rollout.got"
mt_diff "summary lines equal expected/rollout.log" \
    "$MT_SRC/expected/rollout.log" "$MT_DIR/rollout.log.got"
mt_diff "per-recipient lines equal expected/rollout.rcpt" \
    "$MT_SRC/expected/rollout.rcpt" "$MT_DIR/rollout.rcpt.got"

# rdns-report(1) on this very log.  "rdns-milter -f" form first.
# The daemon may still log its "stopping" line: leave it out.
RDNS_REPORT=$abs_top_builddir/milter/rdns-report
grep -v ' stopping$' "$MT_LOG" >"$MT_DIR/daemon.log"
"$RDNS_REPORT" "$MT_DIR/daemon.log" >"$MT_DIR/report.got" 2>&1
mt_check "rdns-report exits 0" [ $? -eq 0 ]
mt_diff "rdns-report output equals expected/rollout.report" \
    "$MT_SRC/expected/rollout.report" "$MT_DIR/report.got"

# The same lines as syslog writes them to /var/log/mail.log (ISO stamps,
# one second apart from 2024-03-05T10:00:00Z), with another program's
# line, garbage, a summary cut short and one of an older version mixed
# in, gzip-compressed; and journalctl -o cat (no prefix) on stdin.
sed -n 's/^rdns-milter: //p' "$MT_DIR/daemon.log" >"$MT_DIR/bare.log"
awk '{ printf "2024-03-05T10:%02d:%02d.123456+00:00 mx rdns-milter[42]: %s\n",
    int(NR / 60), NR % 60, $0 }' "$MT_DIR/bare.log" >"$MT_DIR/mail.log"
{
	echo 'Mar  5 10:00:00 mx postfix/smtpd[7]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 5.7.1 no; from=<a@b> to=<c@d> proto=ESMTP helo=<x>'
	echo 'Mar  5 10:00:01 mx rdns-milter[42]: Q1: ip=192.0.2.11 ptr=fail iprev=permerror name=- dnssec=secure helo=h x-ptr=fail generic=no action=reject ms=3'
	echo 'Mar  5 10:00:02 mx rdns-milter[42]: Q2: ip=192.0.2.11 ptr=fail iprev=permerror name=- dnssec=secure helo=h x-ptr=fail gen'
	echo 'Mar  5 10:00:03 mx rdns-milter[42]: Q3: reject: RCPT from unknown[192.0.2.11]: 550 5.7.25 The IP'
	printf '\001\377 garbage\n'
} >>"$MT_DIR/mail.log"
gzip -c "$MT_DIR/mail.log" >"$MT_DIR/mail.log.gz"
"$RDNS_REPORT" --json "$MT_DIR/mail.log.gz" >"$MT_DIR/report.json" 2>&1
mt_check "rdns-report --json on a gzip file exits 0" [ $? -eq 0 ]
# jq_is DESCRIPTION FILTER WANT
jq_is()
{
	local got

	got=$(jq -c "$2" "$MT_DIR/report.json" 2>&1)
	if [ "$got" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1: $2 gives $got, want $3"
	fi
}
if command -v jq >/dev/null 2>&1; then
	jq_is "skipped lines are counted" '.lines' \
	    '{"read":21,"summary":5,"decision":7,"unchecked":0,"other_program":1,"other_rdns_milter":4,"old_format":1,"garbage":3,"out_of_range":0,"undated":0}'
	jq_is "checked messages" '.checked_messages' 5
	jq_is "policies, by name" '[.policies[].policy]' \
	    '["*",".sub.example","shadow.example"]'
	jq_is "shadow.example generic: would refuse 1, from the generic client" \
	    '.policies[2].checks[] | select(.check == "generic") | [.refused.recipients, .would_refuse.recipients, .distinct_clients, .top_clients[0].client, .top_clients[0].helo]' \
	    '[0,1,1,"dsl-198-51-100-42.pool.insec.test","other.example"]'
	jq_is "* ptr: 2 refused, the IP stands for unknown names" \
	    '.policies[0].checks[0] | [.check, .refused.recipients, .refused.messages, .share_of_checked_messages, .top_clients[0].client, .top_clients[0].other_helos]' \
	    '["ptr",2,2,0.4,"192.0.2.11",true]'
	# Phase 2 (the reload) starts at second 13 of the log; the
	# RFC 3164 lines are of this year, out of range too.
	"$RDNS_REPORT" --json --since 2024-03-05T10:00:00Z \
	    --until 2024-03-05T10:00:14Z "$MT_DIR/mail.log.gz" \
	    >"$MT_DIR/report.json"
	jq_is "--since/--until keep phase 1 only" \
	    '[.lines.out_of_range, .lines.undated, .checked_messages, [.policies[] | .policy]]' \
	    '[3,0,4,["*",".sub.example","shadow.example"]]'
	"$RDNS_REPORT" --json --since @0 <"$MT_DIR/bare.log" \
	    >"$MT_DIR/report.json"
	jq_is "with a time filter, lines without a stamp are skipped" \
	    '[.lines.undated, .checked_messages, .policies]' '[12,0,[]]'
	"$RDNS_REPORT" --json --policy .SUB.example <"$MT_DIR/bare.log" \
	    >"$MT_DIR/report.json"
	jq_is "--policy on journalctl -o cat input" \
	    '[.checked_messages, [.policies[] | .policy], .policies[0].checks[0].refused]' \
	    '[5,[".sub.example"],{"recipients":2,"messages":1}]'
else
	tap_fail "jq not found (Debian package jq, in .ci/packages-test)"
fi
"$RDNS_REPORT" --since next-week /dev/null >/dev/null 2>&1
mt_check "a bad --since is a usage error (64)" [ $? -eq 64 ]
"$RDNS_REPORT" "$MT_DIR/no-such-file" "$MT_LOG" >"$MT_DIR/report.got" 2>&1
rc=$?
mt_check "an unreadable file: exit 1, the others still summarised" \
    eval '[ $rc -eq 1 ] && grep -q "^checked messages: 5$" "$MT_DIR/report.got" &&
    grep -q "no-such-file: No such file" "$MT_DIR/report.got"'
mt_finish
