#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dashboard.sh - the metrics and the Grafana dashboard against a real
# Prometheus (issue 12).
#
# A real rdns-milter (the loopback DNS world of t/dns/world.sh, policies
# enforcing and in dry run) handles test sessions while a real Prometheus
# (Debian package prometheus: private data directory, loopback port,
# 1-second scrapes, the alert rules of contrib/prometheus loaded) scrapes
# it.  Checked: the exposition passes "promtool check metrics"; the target
# is up and the rules load healthy; every query of every panel of
# contrib/grafana/rdns-milter.json (with $instance = .* and
# $__rate_interval = 30s, as Grafana would substitute) runs without error
# and returns at least one series.  SKIP (77) only without prometheus or
# promtool.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

for t in prometheus promtool curl jq; do
	command -v "$t" >/dev/null 2>&1 ||
	    tap_skip_all "$t not found (Debian packages prometheus, curl, jq)"
done
mt_setup
mt_world
port=$(proc_free_port) || tap_bail "no free port"
mt_conf dash <<END
AuthservID mx.example.net
MetricsListen 127.0.0.1:$port
Policy *              ptr=reject
Policy shadow.example ptr=reject generic=reject dryrun=yes
Policy .sub.example   ptr=reject generic=reject
END
mt_start "$MT_DIR/dash.conf"

# Prometheus, private to this test.
pport=$(proc_free_port) || tap_bail "no free port"
cp "$abs_top_srcdir/contrib/prometheus/rdns-milter.rules.yml" "$MT_DIR/"
cat >"$MT_DIR/prometheus.yml" <<END
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $MT_DIR/rdns-milter.rules.yml
scrape_configs:
  - job_name: rdns-milter
    static_configs:
      - targets: ['127.0.0.1:$port']
END
prometheus --config.file="$MT_DIR/prometheus.yml" \
    --storage.tsdb.path="$MT_DIR/prom-data" \
    --web.listen-address="127.0.0.1:$pport" \
    >"$MT_DIR/prometheus.log" 2>&1 </dev/null &
PROM_PID=$!
trap 'rc=$?; kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null; (exit $rc); mt_cleanup' EXIT
API=http://127.0.0.1:$pport
if ! proc_wait 30 "$PROM_PID" curl -sf "$API/-/ready" -o /dev/null; then
	tap_fail "prometheus starts on 127.0.0.1:$pport"
	sed 's/^/# /' "$MT_DIR/prometheus.log" | tail -20
	mt_finish
fi
tap_ok "prometheus starts on 127.0.0.1:$pport"

# q EXPR: the API's answer to an instant query.
q()
{
	curl -sf --get "$API/api/v1/query" --data-urlencode "query=$1"
}
up_now()
{
	[ "$(q 'up{job="rdns-milter"}' | jq -r '.data.result[0].value[1]')" = 1 ]
}
mt_check "the rdns-milter target is up" proc_wait 15 "" up_now
# Sessions on both sides of a few scrapes, so that rates see increases.
mt_lua rollout MT_PHASE=1
sleep 2
mt_lua rollout MT_PHASE=1
sleep 2
mt_lua rollout MT_PHASE=1

curl -sf "http://127.0.0.1:$port/metrics" >"$MT_DIR/metrics.txt"
if out=$(promtool check metrics <"$MT_DIR/metrics.txt" 2>&1); then
	tap_ok "promtool check metrics: the exposition is clean"
else
	tap_fail "promtool check metrics" "$out"
fi

# Enough samples after the last sessions for every rate() window.
enough()
{
	[ "$(q 'count_over_time(rdns_milter_sessions_total[30s])' |
	    jq -r '.data.result[0].value[1]')" -ge 8 ] 2>/dev/null
}
mt_check "eight scrapes in the last 30 s" proc_wait 20 "" enough
rules=$(curl -sf "$API/api/v1/rules" |
    jq -r '[.data.groups[].rules[] | .health] | unique | join(",")')
tap_check "the alert rules load and evaluate (health)" "$rules" "ok"

jq -r '.panels[] | .title as $t | .targets[] | [$t, .expr] | @tsv' \
    "$abs_top_srcdir/contrib/grafana/rdns-milter.json" >"$MT_DIR/queries.tsv"
tap_check "the dashboard has its 11 queries" \
    "$(wc -l <"$MT_DIR/queries.tsv")" 11
while IFS=$'\t' read -r title expr; do
	e=${expr//'$__rate_interval'/30s}
	e=${e//'$instance'/.*}
	ans=$(q "$e")
	st=$(printf '%s' "$ans" | jq -r '.status' 2>/dev/null)
	n=$(printf '%s' "$ans" | jq -r '.data.result | length' 2>/dev/null)
	if [ "$st" = success ] && [ "${n:-0}" -gt 0 ]; then
		tap_ok "panel \"$title\": $n series"
	else
		tap_fail "panel \"$title\": status ${st:-error}, ${n:-0} series" \
		    "$e" "$ans"
	fi
done <"$MT_DIR/queries.tsv"
# The decisions panel shows the dry-run policy's would-be refusals.
v=$(q 'sum(rate(rdns_milter_decisions_total{policy="shadow.example",dry_run="yes",action="reject"}[1m])) > 0' |
    jq -r '.data.result | length')
tap_check "dry-run refusals of shadow.example are visible" "$v" 1
mt_stop
mt_finish
