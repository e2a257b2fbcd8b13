#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dns-faults.sh - DNS failures while many sessions run at once.
#
# rdns-milter (DNSTimeout 2, "Policy * ptr=reject iprev=reject
# temperror=tempfail") is driven by bench/milterload with 30-50 concurrent
# sessions while the DNS world misbehaves: reverse and forward zones
# delegated to a black hole, to servers answering SERVFAIL, REFUSED,
# garbage or truncated messages, DNSSEC-bogus data, a CNAME loop, and
# finally the authoritative nsd killed in the middle of a run.  For each:
#   - no crash: the daemon is alive and answers a healthy session right;
#   - no hung callback: every RCPT and end-of-message reply within
#     DNSTimeout + RB_SLACK_MS (6 s: a loaded machine, never the 17 s of
#     libunbound's own give-up), every other reply within 20 s
#     (libmilter's worker pool may queue a command behind callbacks
#     waiting for DNS), whole sessions within the sum, no milterload
#     error;
#   - the temperror action: the first RCPT (user@) of a temperror session
#     gets 451, the second one (postmaster@, exempt) goes on, and the
#     Authentication-Results header of the message says iprev=temperror
#     and x-ptr=temperror.
# Healthy and no-PTR clients are mixed in as controls.  About 20 s.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init dns-faults
rb_world_start
rb_conf m.conf "Policy * ptr=reject iprev=reject temperror=tempfail"
rb_start "$R_DIR/m.conf" || tap_bail "rdns-milter did not start"

LIMIT_US=$((RB_TIMEOUT * 1000000 + RB_SLACK_MS * 1000))
# Replies that need no verdict come at once from our callbacks, but
# libmilter's worker pool can queue a command behind callbacks that wait
# for DNS (see the report): bounded at 20 s here, below Postfix's
# milter_command_timeout (30 s), to catch a real hang.
OTHER_LIMIT_US=20000000
LIMIT_SESSION_US=$((LIMIT_US + OTHER_LIMIT_US))
RCPTS="-r user@example.test -r postmaster@example.test"

# check_run NAME N: milterload's own verdict, latencies, daemon health.
check_run()
{
	local n=$1 total=$2 st got

	tap_check "$n: milterload completed every session without error" \
	    "rc=$RB_RC $(rb_json "$n" '"completed=\(.completed) errors=\(.errors.total)"')" \
	    "rc=0 completed=$total errors=0"
	for st in rcpt eom; do
		rb_le "$n: slowest $st reply (us)" "$(rb_max_us "$n" "$st")" \
		    "$LIMIT_US"
	done
	got=0
	for st in open connect helo mail data header eoh body; do
		v=$(rb_json "$n" ".latency_us.$st.max // 0")
		[ "$v" -gt "$got" ] && got=$v
	done
	rb_le "$n: slowest reply of any other stage (us)" "$got" \
	    "$OTHER_LIMIT_US"
	rb_le "$n: slowest whole session (us)" "$(rb_max_us "$n" done)" \
	    "$LIMIT_SESSION_US"
	if rb_alive; then
		tap_ok "$n: daemon alive"
	else
		tap_fail "$n: daemon alive" "$(tail -5 "$RB_LOG")"
	fi
}

# Warm the cache for the control address (it must survive the nsd kill).
rb_healthy "healthy session before the faults"

# 1. Black hole: reverse zone (PTR), forward zone (A, AAAA) never answer.
cat >"$R_DIR/hole.ips" <<EOF
198.51.100.250
192.0.2.19
2001:db8::19
192.0.2.10 mail.sec.test
198.51.100.11
EOF
rb_load hole -n 100 -c 50 -i "$R_DIR/hole.ips" -H @ptr $RCPTS
check_run hole 100
tap_check "hole: every session's verdict" "$(rb_summary hole)" \
"192.0.2.10 continue pass pass 20
192.0.2.19 451 temperror temperror 20
198.51.100.11 550 permerror fail 20
198.51.100.250 451 temperror temperror 20
2001:db8::19 451 temperror temperror 20"

# 2. Servers that answer at once, but badly, and bad data.
cat >"$R_DIR/bad.ips" <<EOF
198.51.100.252
192.0.2.23
198.51.100.251
192.0.2.20
198.51.100.253
192.0.2.24
198.51.100.254
192.0.2.25
203.0.113.10
192.0.2.17
198.51.100.25
192.0.2.10 mail.sec.test
EOF
rb_load bad -n 360 -c 30 -i "$R_DIR/bad.ips" -H @ptr $RCPTS
check_run bad 360
tap_check "servfail, refused, garbage, truncated, bogus, CNAME loop" \
    "$(rb_summary bad)" \
"192.0.2.10 continue pass pass 30
192.0.2.17 451 temperror temperror 30
192.0.2.20 451 temperror temperror 30
192.0.2.23 451 temperror temperror 30
192.0.2.24 451 temperror temperror 30
192.0.2.25 451 temperror temperror 30
198.51.100.25 451 temperror temperror 30
198.51.100.251 451 temperror temperror 30
198.51.100.252 451 temperror temperror 30
198.51.100.253 451 temperror temperror 30
198.51.100.254 451 temperror temperror 30
203.0.113.10 451 temperror temperror 30"
rb_healthy "healthy session after the bad servers"

# 3. nsd (the only authoritative server, root included) killed mid-run.
# Fresh addresses in 198.18.0.0/15 (no PTR: 550 while nsd lives, a
# timeout and 451 once it is gone); 192.0.2.10 stays answered from the
# cache.  nsd is killed (SIGKILL, its children too) once the first
# sessions have completed.  Each session pauses 100 ms after its
# recipients (-p): without it the 400 could all be done before the kill
# lands, which a fast run once did.
awk 'BEGIN { for (i = 0; i < 400; i++) {
	if (i % 10 == 0) print "192.0.2.10 mail.sec.test"
	else printf "198.18.%d.%d\n", int(i / 200), i % 200 + 1 } }' \
    >"$R_DIR/kill.ips"
rb_load kill -n 400 -c 50 -p 100 -i "$R_DIR/kill.ips" -H @ptr $RCPTS &
load_pid=$!
for i in $(seq 1 1000); do
	[ -f "$R_DIR/kill.trace" ] && grep -q ' done ' "$R_DIR/kill.trace" &&
	    break
	sleep 0.005
done
nsd_kids=$(ps -o pid= --ppid "$WORLD_NSD_PID" 2>/dev/null)
disown "$WORLD_NSD_PID" 2>/dev/null	# no "Killed" notice from bash
kill -KILL "$WORLD_NSD_PID" $nsd_kids 2>/dev/null
echo "# nsd killed after $(grep -c ' done ' "$R_DIR/kill.trace") sessions"
wait "$load_pid"
RB_RC=$?
check_run kill 400
got=$(rb_summary kill | awk '
	$1 == "192.0.2.10" { print $2, $3, $4, $5; next }
	$2 == "550" && $3 == "permerror" && $4 == "fail" { before += $5; next }
	$2 == "451" && $3 == "temperror" && $4 == "temperror" { after += $5;
	    next }
	{ print "unexpected:", $0 }
	END { print "before>0:", (before > 0), "after>0:", (after > 0),
	    "total:", before + after }')
tap_check "nsd killed: 550 before, 451 after, cached pass throughout" \
    "$got" "continue pass pass 40
before>0: 1 after>0: 1 total: 360"
rb_healthy "healthy (cached) session with nsd dead"

if rb_stop; then
	tap_ok "SIGTERM: clean exit (status 0)"
else
	tap_fail "SIGTERM: clean exit" "status $RB_STOP"
fi
if grep -q 'internal-error' "$RB_LOG"; then
	tap_fail "no internal errors logged" "$(grep internal-error "$RB_LOG" |
	    head -3)"
else
	tap_ok "no internal errors logged"
fi
tap_done
