#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# valgrind-load.sh - rdns-milter under valgrind memcheck with 10,000
# sessions: no leak, no memory error.
#
# Not part of "make check" (about 2 minutes: memcheck runs the daemon at
# about 100 sessions/s on 2 cores); run it with "make check-valgrind-load"
# or from CI.  RB_VG_SESSIONS changes the number of sessions (default
# 10000).
#
# The daemon (DNSTimeout 2, "Policy * ptr=reject iprev=reject
# temperror=tempfail") runs under memcheck while bench/milterload sends
# the sessions, 20 at a time, over twelve kinds of clients (pass, fail, no
# PTR, black hole, SERVFAIL, 200 PTR records, 255-byte name, a newline in
# a label, IPv6, generic).  Meanwhile: every 2,000 sessions a SIGUSR1
# reload that switches to a copy of the resolver configuration (a new
# libunbound context, the old one freed when its sessions end), and
# connections dropped at every stage plus every malformed packet of
# t/tools/milterfault.  Then SIGTERM.
# Checked: every session completed with the right verdict (or a 451
# temperror when memcheck made the DNS answers come after the 2-second
# deadline), every reload done, valgrind's
# "definitely lost" and "indirectly lost" are 0 bytes, its error summary
# says 0 errors, and the daemon exits 0.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init valgrind-load valgrind
N=${RB_VG_SESSIONS:-10000}
rb_world_start
cp "$R_DIR/unbound.conf" "$R_DIR/unbound1.conf" &&
    cp "$R_DIR/unbound.conf" "$R_DIR/unbound2.conf" || tap_bail "cp"
rb_conf m.conf "Policy * ptr=reject iprev=reject temperror=tempfail"

DAEMON_START_S=60 rb_start "$R_DIR/m.conf" "" \
    valgrind --tool=memcheck --leak-check=full \
    --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=3 \
    --num-callers=30 --log-file="$R_DIR/valgrind.txt" ||
    tap_bail "rdns-milter under valgrind did not start"

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
198.51.100.252
198.51.100.20
EOF

t0=$(date +%s)
rb_load vg -n "$N" -c 20 -t 30 -i "$R_DIR/mix.ips" -H @ptr \
    -r user@example.test -r postmaster@example.test &
load=$!

# Reloads and faults while the load runs.
reloads=0
next=2000
while kill -0 "$load" 2>/dev/null; do
	done_=$(grep -c ' done ' "$R_DIR/vg.trace" 2>/dev/null)
	if [ "${done_:-0}" -ge "$next" ]; then
		next=$((next + 2000))
		reloads=$((reloads + 1))
		sed -i "s|^ResolverConfig .*|ResolverConfig $R_DIR/unbound$((reloads % 2 + 1)).conf|" \
		    "$R_DIR/m.conf"
		kill -USR1 "$RB_PID"
		# Let it finish (slow under memcheck) before the next one.
		for i in $(seq 1 300); do
			[ "$(grep -c -e 'configuration reloaded' \
			    -e 'reload failed' "$RB_LOG")" -ge "$reloads" ] &&
			    break
			sleep 0.1
		done
		for st in optneg connect helo mail rcpt data header eoh body \
		    eom midpacket; do
			"$RB_FAULT" -s "unix:$RB_SOCK" -t 30 \
			    -a 198.51.100.250 -r postmaster@example.test \
			    -d "$st" >/dev/null 2>&1
		done
		for k in $("$RB_FAULT" -m list); do
			"$RB_FAULT" -s "unix:$RB_SOCK" -t 1 -m "$k" \
			    >/dev/null 2>&1
		done
	fi
	sleep 1
done
wait "$load"
RB_RC=$?
echo "# $N sessions under valgrind in $(($(date +%s) - t0)) s, $reloads reloads"

tap_check "milterload: every session completed, no error" \
    "rc=$RB_RC $(rb_json vg '"completed=\(.completed) errors=\(.errors.total) first=\(.first_error)"')" \
    "rc=0 completed=$N errors=0 first=null"
rb_verdicts vg "192.0.2.10 continue pass pass
192.0.2.15 550 fail fail
192.0.2.16 continue pass fail
198.51.100.10 continue pass pass
198.51.100.11 550 permerror fail
198.51.100.20 550 fail fail
198.51.100.23 continue pass fail
198.51.100.24 continue pass fail
198.51.100.250 451 temperror temperror
198.51.100.252 451 temperror temperror
198.51.100.42 continue pass fail
2001:db8::10 continue pass pass"
tap_check "every verdict right (or late: valgrind is slow)" "$RB_WRONG" ""
echo "# $RB_LATE sessions got a temperror from answers after the deadline"
tap_check "every reload done" \
    "$(grep -c 'configuration reloaded' "$RB_LOG") reloaded, $(grep -c 'reload failed' "$RB_LOG") failed" \
    "$reloads reloaded, 0 failed"

# SIGTERM: valgrind writes its report when the daemon exits (2 minutes
# at most).
daemon_stop "$RB_PID" 120
tap_check "daemon exit status under valgrind (3: valgrind found errors)" \
    "$DAEMON_RC" 0
sed -n 's/^==[0-9]*== *//p' "$R_DIR/valgrind.txt" |
    grep -E 'lost:|reachable:|ERROR SUMMARY' | sed 's/^/# valgrind: /'
# lost KIND: bytes valgrind reports as KIND lost (0 when all was freed).
lost()
{
	if grep -q 'All heap blocks were freed' "$R_DIR/valgrind.txt"; then
		echo 0
	else
		sed -n "s/.*$1 lost: \([0-9,]*\) bytes.*/\1/p" \
		    "$R_DIR/valgrind.txt"
	fi
}
tap_check "valgrind: definitely lost (bytes)" "$(lost definitely)" 0
tap_check "valgrind: indirectly lost (bytes)" "$(lost indirectly)" 0
tap_check "valgrind: error summary" \
    "$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$R_DIR/valgrind.txt")" 0
tap_done
