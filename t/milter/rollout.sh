#!/bin/bash
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
mt_finish
