#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mta-faults.sh - a misbehaving MTA side, then 1,000 concurrent sessions.
#
# rdns-milter (DNSTimeout 2, "Policy * ptr=reject iprev=reject
# temperror=tempfail", metrics on a loopback port when built with
# libmicrohttpd) gets, from t/tools/milterfault:
#   - the connection dropped at every stage (OPTNEG, CONNECT, HELO, MAIL,
#     RCPT, DATA, a header, EOH, the body, end of message), once right
#     after the command was sent (the callback may be waiting for DNS:
#     one client's lookups go to a black hole) and once right after its
#     reply, plus a connection closed in the middle of the CONNECT packet;
#   - malformed and out-of-order packets ("milterfault -m list": zero,
#     negative, huge and short lengths, unknown commands, truncated
#     CONNECT data, bad address families and addresses, strings without
#     NUL, missing arguments, an oversized body chunk, end of message
#     before CONNECT, garbage instead of OPTNEG, 1,000 ABORTs);
# then from bench/milterload three runs of 2,000 sessions at a concurrency
# of 1,000 over ten kinds of clients (pass, fail, no PTR, black hole,
# 200 PTR records, 255-byte name, IPv6, generic).
# Checked: each malformed kind ends as the table OUTCOMES below says
# (closed, reset, or left open); the daemon stays up; once things settle no session is left open
# (sessions_active gauge 0) and its descriptor count is back to the
# baseline; every healthy session is answered correctly, with the right
# verdict for every client in the big runs (or, when the 2-core machine is
# overloaded, a 451 temperror: never a wrong verdict); RSS after the third
# big run is within 24 MiB of the first and under 128 MiB; SIGTERM exits 0.
# About 30 s.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init mta-faults
rb_world_start

# Metrics (sessions_active) when the daemon is built with libmicrohttpd and
# curl is there: try a few random loopback ports.
METRICS=
if command -v curl >/dev/null 2>&1; then
	for try in 1 2 3 4 5; do
		port=$((10000 + (RANDOM * 32768 + RANDOM) % 22000))
		rb_conf m.conf "Policy * ptr=reject iprev=reject temperror=tempfail" \
		    "MetricsListen 127.0.0.1:$port"
		if "$RB_MILTER" -n -c "$R_DIR/m.conf" >/dev/null 2>&1 &&
		    rb_start "$R_DIR/m.conf"; then
			METRICS=http://127.0.0.1:$port/metrics
			break
		fi
		rb_alive && rb_stop
	done
fi
if [ -z "$METRICS" ]; then
	echo "# no metrics (no curl, no libmicrohttpd, or no free port)"
	rb_conf m.conf "Policy * ptr=reject iprev=reject temperror=tempfail"
	rb_start "$R_DIR/m.conf" || tap_bail "rdns-milter did not start"
fi

active()
{
	curl -s --max-time 5 "$METRICS" |
	    awk '$1 == "rdns_milter_sessions_active" { print $2 }'
}

# settle DESC: wait until no session is active (metrics) and the
# descriptor count is back to the baseline, up to DNSTimeout + 5 s.
settle()
{
	local i a f

	for i in $(seq 1 $(((RB_TIMEOUT + 5) * 10))); do
		f=$(rb_fds)
		a=0
		[ -n "$METRICS" ] && a=$(active)
		[ "$a" = 0 ] && [ "$f" -le "$FDS0" ] && break
		sleep 0.1
	done
	[ "$f" -le "$FDS0" ] && f=baseline
	tap_check "$1: no session left open, descriptors back to baseline" \
	    "active=$a fds=$f" "active=0 fds=baseline"
}

alive()
{
	if rb_alive; then
		tap_ok "$1: daemon alive"
	else
		tap_fail "$1: daemon alive" "$(tail -5 "$RB_LOG")"
	fi
}

cat >"$R_DIR/mix.ips" <<EOF
192.0.2.10 mail.sec.test
198.51.100.11
192.0.2.15
198.51.100.10 mail.insec.test
198.51.100.250
192.0.2.16
198.51.100.24
198.51.100.23
2001:db8::10 mail6.sec.test
198.51.100.42
EOF
RCPTS="-r user@example.test -r postmaster@example.test"

# Warm up (caches, libmilter's workers) and take the baseline.
rb_load warm -n 200 -c 20 -i "$R_DIR/mix.ips" -H @ptr $RCPTS
tap_check "warm-up run" "$RB_RC" 0
rb_healthy "healthy session before the faults"
sleep $((RB_TIMEOUT + 1))
FDS0=$(rb_fds)
echo "# baseline: $FDS0 descriptors, RSS $(rb_rss) kB"

# 1. Drops.  Up to RCPT the recipient needs a verdict (user@), after it
# the message goes on (postmaster@ is exempt) so that DATA..EOM are sent.
pids=
n=0
for ip in 192.0.2.10 198.51.100.250; do
	for st in optneg connect helo mail rcpt data header eoh body eom \
	    midpacket; do
		case $st in
		data|header|eoh|body|eom) r=postmaster@example.test ;;
		*) r=user@example.test ;;
		esac
		for how in -d -D; do
			[ "$st" = midpacket ] && [ "$how" = -D ] && continue
			n=$((n + 1))
			"$RB_FAULT" -s "unix:$RB_SOCK" -t 10 -a "$ip" -r "$r" \
			    $how "$st" >"$R_DIR/drop.$n.out" 2>&1 &
			pids="$pids $!"
			echo "$ip $how $st" >"$R_DIR/drop.$n.what"
			# The filter asks the MTA not to send DATA, EOH and
			# the body, and not to wait for a reply to HELO and
			# headers (rdns-milter(8), Round trips): no drop can
			# happen there, the session just runs to its end.
			case $how:$st in
			*:data|*:eoh|*:body|-D:helo|-D:header)
				echo complete ;;
			*)	echo dropped ;;
			esac >"$R_DIR/drop.$n.want"
		done
	done
done
proc_wait_all $pids
got=$(cat "$R_DIR"/drop.*.out | grep -c ' dropped ')
want=$(cat "$R_DIR"/drop.*.want | grep -c '^dropped$')
wrong=
for i in $(seq 1 "$n"); do
	if grep -q ' dropped ' "$R_DIR/drop.$i.out"; then g=dropped
	else g=complete; fi
	[ "$g" = "$(cat "$R_DIR/drop.$i.want")" ] ||
	    wrong="$wrong [$(cat "$R_DIR/drop.$i.what"): $g]"
done
tap_check "dropped at every stage the MTA sends: all $n sessions ran as planned" \
    "dropped=$got failed=${PROC_FAILED:-none} wrong=${wrong:-none}" \
    "dropped=$want failed=none wrong=none"
alive "drops"
settle "drops"
rb_healthy "healthy session after the drops"

# 2. Malformed packets, each on its own connection, for a fast client
# and for one whose lookups hang.  The outcome of each kind within
# milterfault's 1 s: "closed" (the daemon ended the session), "reset" (it
# closed with bytes of ours still unread, so the kernel sent a reset), or
# "open" (it still waits for the next command, having answered what it
# had to), for the fast client, then for the one whose lookups hang (the
# daemon may still be in a callback waiting for DNS, DNSTimeout 2 s,
# when the bad packet comes).  The kinds are those of "milterfault -m list"
# (t/tools/milterfault.c, build_malformed()); a kind missing here fails.
# kind, outcome for the fast client, for the hanging one, why.
OUTCOMES='
len0			open	open	# a length of 0: libmilter reads no command, waits
huge			reset	reset	# a length over libmilter limit: closed unread
negative		reset	reset	# 0xffffffff, the same
badlen			reset	reset	# the rest of the HELO read as a huge length
unknown			closed	closed	# an unknown command ends the session
unknown-cmd-first	closed	closed	# the same, before OPTNEG
connect-trunc		closed	closed	# CONNECT without family, port, address
connect-noaddr		closed	closed	# address without its NUL
connect-badfamily	closed	closed	# family neither 4 nor 6 nor unix
connect-badaddr		closed	closed	# 999.1.2.3 is no address
connect-v6-as-v4	closed	closed	# an IPv6 address with family 4
connect-empty		closed	closed	# CONNECT with no data
helo-nonul		open	open	# taken as is; HELO has no reply (SMFIP_NR_HELO)
helo-empty		closed	closed	# HELO without a name
macro-odd		closed	closed	# a macro name without value, a macro no stage
mail-empty		closed	closed	# MAIL without a sender
rcpt-empty		closed	closed	# RCPT without a recipient
rcpt-nonul		closed	closed	# a recipient without its NUL
header-noval		closed	open	# a header name without a value (hanging client:
					#  its RCPT still waits for DNS, the header unread)
body-toobig		closed	closed	# a body chunk over 64 KiB
eom-first		open	open	# end of message before CONNECT: ignored
rcpt-before-connect	open	open	# RCPT and EOM before CONNECT: ignored
eom-after-helo		open	open	# end of message with no message: ignored
optneg-short		closed	closed	# OPTNEG without actions and steps
optneg-v1		closed	closed	# protocol version 1
optneg-twice		open	open	# a second OPTNEG is answered again
garbage			reset	reset	# 256 bytes of noise instead of OPTNEG
quit-first		closed	closed	# QUIT at once: a clean end
abort-storm		open	open	# 1,000 ABORTs need no reply
'
pids=
n=0
col=1
for ip in 192.0.2.10 198.51.100.250; do
	col=$((col + 1))
	for k in $("$RB_FAULT" -m list); do
		n=$((n + 1))
		"$RB_FAULT" -s "unix:$RB_SOCK" -t 1 -a "$ip" -m "$k" \
		    >"$R_DIR/bad.$n.out" 2>&1 &
		pids="$pids $!"
		echo "$ip $k" >"$R_DIR/bad.$n.what"
		echo "$OUTCOMES" | awk -v k="$k" -v c="$col" '$1 == k { print $c }' \
		    >"$R_DIR/bad.$n.want"
	done
done
proc_wait_all $pids
tap_check "malformed packets: all $n sent" "${PROC_FAILED:-none}" none
wrong=
for i in $(seq 1 "$n"); do
	g=$(awk '$4 == "outcome" { print $6 }' "$R_DIR/bad.$i.out")
	w=$(cat "$R_DIR/bad.$i.want")
	[ -n "$g" ] && [ "$g" = "$w" ] ||
	    wrong="$wrong [$(cat "$R_DIR/bad.$i.what"): ${g:-none}, want ${w:-no entry}]"
done
tap_check "malformed packets: each kind has its expected outcome" \
    "${wrong:-none}" none
alive "malformed packets"
settle "malformed packets"
rb_healthy "healthy session after the malformed packets"

# 3. 1,000 concurrent sessions, three times.  Each client's verdict must
# be the right one; on a 2-core machine shared with other work the DNS
# budget of 2 s can run out for some sessions (their answers come too
# late), which may only ever give 451/temperror, never another verdict.
# Those are counted and shown.
want="192.0.2.10 continue pass pass
192.0.2.15 550 fail fail
192.0.2.16 continue pass fail
198.51.100.10 continue pass pass
198.51.100.11 550 permerror fail
198.51.100.23 continue pass fail
198.51.100.24 continue pass fail
198.51.100.250 451 temperror temperror
198.51.100.42 continue pass fail
2001:db8::10 continue pass pass"
for run in 1 2 3; do
	rb_load "big$run" -n 2000 -c 1000 -t 20 -i "$R_DIR/mix.ips" -H @ptr \
	    $RCPTS
	tap_check "1000 concurrent, run $run: no error" \
	    "rc=$RB_RC $(rb_json "big$run" '"completed=\(.completed) errors=\(.errors.total) first=\(.first_error)"')" \
	    "rc=0 completed=2000 errors=0 first=null"
	rb_verdicts "big$run" "$want"
	tap_check "1000 concurrent, run $run: every verdict right (or late)" \
	    "$RB_WRONG" ""
	echo "# run $run: $RB_LATE sessions with an overload temperror"
	rss[$run]=$(rb_rss)
	echo "# run $run: $(rb_json "big$run" '"\(.wall_s) s, rcpt max \(.latency_us.rcpt.max) us, session max \(.latency_us.session.max) us"'), RSS ${rss[$run]} kB"
done
alive "1000 concurrent"
# Thread stacks (glibc caches up to 40 MiB of them) and malloc arenas
# make RSS a high-water mark of concurrency; the leak check proper is
# t/robust/valgrind-load.sh.
# Under AddressSanitizer freed memory sits in its quarantine and RSS says
# nothing about leaks: LeakSanitizer checks those at exit instead.
if grep -q __asan_init "$RB_MILTER" 2>/dev/null; then
	tap_skip "RSS after run 3 within 24 MiB of run 1" "ASan build"
	tap_skip "RSS after run 3 under 128 MiB" "ASan build"
else
	rb_le "RSS after run 3 within 24 MiB of run 1 (kB)" "${rss[3]}" \
	    "$((rss[1] + 24576))"
	rb_le "RSS after run 3 under 128 MiB (kB)" "${rss[3]}" 131072
fi
settle "1000 concurrent"
rb_healthy "healthy session at the end"

if rb_stop; then
	tap_ok "SIGTERM: clean exit (status 0)"
else
	tap_fail "SIGTERM: clean exit" "status $RB_STOP"
fi
if [ -S "$RB_SOCK" ]; then
	tap_fail "socket removed at exit"
else
	tap_ok "socket removed at exit"
fi
tap_done
