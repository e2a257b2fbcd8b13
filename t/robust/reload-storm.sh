#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# reload-storm.sh - 50 SIGUSR1 reloads while 2,000 sessions run.
#
# The configuration is swapped (written aside, then renamed) between two
# versions before each SIGUSR1.  They name two identical copies of the
# world's unbound.conf, so every reload builds a new libunbound context
# while sessions still use the old one, which must be freed once the last
# of them closes.  The policy is the same in both ("Policy * ptr=reject
# iprev=reject temperror=tempfail"), so each client has one right verdict.
# In the middle, a broken file and a world-writable one are each refused
# with the old configuration kept.
# Checked: no crash, no milterload error, every verdict right, every RCPT
# reply within DNSTimeout + RB_SLACK_MS, each reload that ran either
# reloaded or was refused, every refusal is one of the two bad files and
# each was refused, no internal error; once idle, the old libunbound
# contexts are gone (one epoll descriptor each) and no descriptor is left
# over; a healthy session afterwards; SIGTERM exits 0.  About 20 s.
#
# Signals that arrive while a reload runs coalesce, and how many do
# depends on the machine's load: nothing asserts how many reloads ran.
# The script waits (up to 30 s, never asserting a time) for a good reload
# before the bad files, and for each bad file to be refused before it is
# replaced; a reload still pending from an earlier signal may read a bad
# file too, so each may be refused more than once.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init reload-storm
rb_world_start
cp "$R_DIR/unbound.conf" "$R_DIR/unbound2.conf" || tap_bail "cp"

POLICY="Policy * ptr=reject iprev=reject temperror=tempfail"
rb_conf a.conf "$POLICY"
# Two libunbound contexts (shards), whatever the CPU count: the counts
# below must not depend on the machine.
printf 'ResolverThreads 2\n' >>"$R_DIR/a.conf"
sed "s|unbound.conf|unbound2.conf|" "$R_DIR/a.conf" >"$R_DIR/b.conf"
printf '%s\n' "Policy other.test ptr=accept" >>"$R_DIR/b.conf"
sed 's/^DNSTimeout.*/DNSTimeout 0/' "$R_DIR/a.conf" >"$R_DIR/broken.conf"
cp "$R_DIR/a.conf" "$R_DIR/rdns-milter.conf"
chmod 644 "$R_DIR"/*.conf

# use FILE: make FILE the daemon's configuration (rename: never half
# written when the daemon reads it).
use()
{
	cp "$R_DIR/$1" "$R_DIR/next.conf" && chmod "${2:-644}" "$R_DIR/next.conf" &&
	    mv -f "$R_DIR/next.conf" "$R_DIR/rdns-milter.conf"
}

# count PATTERN: lines of the daemon's log matching.
count()
{
	grep -c -e "$1" "$RB_LOG"
}

cat >"$R_DIR/mix.ips" <<EOF
192.0.2.10 mail.sec.test
198.51.100.11
192.0.2.15
198.51.100.10 mail.insec.test
192.0.2.16
198.51.100.42
2001:db8::10 mail6.sec.test
198.51.100.252
198.51.100.250
198.51.100.23
EOF
rb_start "$R_DIR/rdns-milter.conf" || tap_bail "rdns-milter did not start"
rb_healthy "healthy session before the storm"
# libunbound starts a context's worker (and its descriptors) at its first
# query: ten names reach both shards before the baseline is taken.
rb_load warm -n 20 -c 2 -t 20 -i "$R_DIR/mix.ips" -H @ptr \
    -r user@example.test
tap_check "warm-up: milterload status" "$RB_RC" 0
sleep $((RB_TIMEOUT + 1))
FDS0=$(rb_fds)
EP0=$(rb_epolls)

rb_load storm -n 2000 -c 40 -t 20 -i "$R_DIR/mix.ips" -H @ptr \
    -r user@example.test -r postmaster@example.test &
load=$!

# await PATTERN N: wait (30 s at most) until the log has N lines matching.
await()
{
	local t

	for t in $(seq 1 3000); do
		[ "$(count "$1")" -ge "$2" ] && return 0
		sleep 0.01
	done
	return 1
}

sent=0
for i in $(seq 1 50); do
	case $i in
	20)	# Broken (DNSTimeout 0): refused, the old one stays.
		use broken.conf ;;
	30)	# Anybody may write it: refused.
		use a.conf 666 ;;
	*)	if [ $((i % 2)) -eq 0 ]; then use a.conf; else use b.conf; fi ;;
	esac
	case $i in
	19) before=$(count 'configuration reloaded') ;;
	20) before=$(count 'DNSTimeout: bad value') ;;
	30) before=$(count 'world-writable, refusing it') ;;
	esac
	kill -USR1 "$RB_PID" || break
	sent=$((sent + 1))
	case $i in
	19)	# A good reload ran before the bad files.
		await 'configuration reloaded' $((before + 1)) ;;
	20)	# This file is read before the next one replaces it.
		await 'DNSTimeout: bad value' $((before + 1)) ;;
	30)	await 'world-writable, refusing it' $((before + 1)) ;;
	*)	sleep 0.05 ;;
	esac
done
wait "$load"
RB_RC=$?
use a.conf
tap_check "50 SIGUSR1 sent" "$sent" 50
# Reloads ran while sessions did: some storm session (milterload's; the
# checks' own use milterfault's FAULT1) was logged after a reload.  The
# load takes 20 s at least (its black-holed clients wait DNSTimeout), the
# first signal comes at once: whatever the load, they overlap.
tap_check "reloads ran while the sessions did" "$(awk '
    /: (configuration reloaded|reload failed)/ { r++ }
    / ip=/ && !/: FAULT1: / && r > 0 { after = 1 }
    END { print (after ? "yes" : "no") }' "$RB_LOG")" yes

tap_check "milterload: every session completed, no error" \
    "rc=$RB_RC $(rb_json storm '"completed=\(.completed) errors=\(.errors.total) first=\(.first_error)"')" \
    "rc=0 completed=2000 errors=0 first=null"
tap_check "every verdict right" "$(rb_summary storm)" \
"192.0.2.10 continue pass pass 200
192.0.2.15 550 fail fail 200
192.0.2.16 continue pass fail 200
198.51.100.10 continue pass pass 200
198.51.100.11 550 permerror fail 200
198.51.100.23 continue pass fail 200
198.51.100.250 451 temperror temperror 200
198.51.100.252 451 temperror temperror 200
198.51.100.42 continue pass fail 200
2001:db8::10 continue pass pass 200"
rb_le "slowest RCPT reply (us)" "$(rb_max_us storm rcpt)" \
    "$((RB_TIMEOUT * 1000000 + RB_SLACK_MS * 1000))"
if rb_alive; then
	tap_ok "daemon alive after the storm"
else
	tap_fail "daemon alive after the storm" "$(tail -5 "$RB_LOG")"
fi

# Signals that arrive while a reload runs coalesce: count what ran.
sleep 0.5
started=$(count 'SIGUSR1: reloading')
done_=$(count 'configuration reloaded')
failed=$(count 'reload failed')
echo "# $started reloads ran for 50 signals: $done_ good, $failed refused"
tap_check "each reload that ran either reloaded or was refused" \
    "$((done_ + failed))" "$started"
bad_dns=$(count 'DNSTimeout: bad value')
bad_ww=$(count 'world-writable, refusing it')
tap_check "every refusal is one of the two bad files" "$failed" \
    "$((bad_dns + bad_ww))"
tap_check "the broken and the world-writable files were refused" \
    "$([ "$bad_dns" -ge 1 ] && echo broken) $([ "$bad_ww" -ge 1 ] && echo world-writable)" \
    "broken world-writable"
rb_le "a good reload ran" 1 "$done_"
if grep -q 'internal-error' "$RB_LOG"; then
	tap_fail "no internal errors" "$(grep -m 3 internal-error "$RB_LOG")"
else
	tap_ok "no internal errors"
fi

# The old resolvers are gone once their sessions have closed: as many
# libunbound contexts (each has an epoll descriptor) as at the start, and
# about as many descriptors (a context's UDP sockets come and go).
for t in $(seq 1 $(((RB_TIMEOUT + 3) * 10))); do
	[ "$(rb_epolls)" -le "$EP0" ] && [ "$(rb_fds)" -le $((FDS0 + 2)) ] &&
	    break
	sleep 0.1
done
# (A context made by a late reload has no epoll descriptor until its
# first query: fewer is fine.)
rb_le "old libunbound contexts freed (epoll descriptors)" "$(rb_epolls)" \
    "$EP0"
rb_le "descriptors back to the baseline (+2)" "$(rb_fds)" $((FDS0 + 2))
rb_healthy "healthy session after the storm"

if rb_stop; then
	tap_ok "SIGTERM: clean exit (status 0)"
else
	tap_fail "SIGTERM: clean exit" "status $RB_STOP"
fi
tap_done
