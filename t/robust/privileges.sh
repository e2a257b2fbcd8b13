#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# privileges.sh - privilege drop, socket mode, PidFile, configuration file
# safety, stale and live sockets, systemd hardening.
#
#   - "UserID nobody:nogroup" (when run as root): after the socket is open
#     the daemon runs as 65534:65534 with no other group (/proc/PID/status
#     Uid/Gid/Groups), the socket file belongs to nobody:nogroup, and
#     lookups still work;
#   - with UserID, the socket path swapped right after the bind (by the
#     LD_PRELOAD shim t/tools/sockswap.so) for a symbolic link to a
#     root-owned file or a hard link to another root-owned socket: the
#     target keeps its owner and the daemon refuses to start (exit 71,
#     "PATH: not the socket this daemon created");
#   - the socket file's mode follows UMask (077: 0700, 027: 0750, default
#     007: 0770);
#   - a world-writable configuration, a FIFO and a directory are refused
#     by "rdns-milter -n" (exit 1) and at start (exit 78) with
#     "FILE: world-writable, refusing it" / "FILE: not a regular file,
#     refusing it";
#   - a UserID whose user or group does not exist: "rdns-milter -n"
#     accepts it (exit 0), the start stops with exit 78 and "UserID NAME:
#     no such user" / "no such group";
#   - PidFile holds the daemon's pid, in the foreground and after
#     detaching (-f not given), and is removed with the socket on SIGTERM;
#   - a stale socket file (its daemon was killed) is replaced at start; a
#     live one (another daemon listens) makes a second start fail with
#     "another milter is listening there" and leaves the first one
#     working; a regular file in the way is left alone;
#   - "systemd-analyze security --offline=yes" rates the unit generated
#     from init/rdns-milter.service.in at an exposure of 2.0 or less
#     (skipped without a systemd-analyze that has --offline).
# Daemons stop together (libmilter takes about 5 s to notice SIGTERM).
# About 20 s.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init privileges
rb_world_start
S=$R_SOCKDIR

# conf NAME LINES...: a configuration whose socket is $S/NAME.sock.
conf()
{
	local n=$1

	shift
	rb_conf "$n.conf" "$@"
	sed -i "s|^Socket .*|Socket unix:$S/$n.sock|" "$R_DIR/$n.conf"
}

# start NAME: start it, remember PID_NAME / LOG_NAME.
start()
{
	if rb_start "$R_DIR/$1.conf"; then
		eval "PID_$1=\$RB_PID LOG_$1=\$RB_LOG"
		return 0
	fi
	eval "PID_$1=\$RB_PID LOG_$1=\$RB_LOG"
	return 1
}

# healthy NAME DESC: a healthy session on NAME's socket.
healthy()
{
	local sock=$RB_SOCK

	RB_SOCK=$S/$1.sock
	rb_healthy "$2"
	RB_SOCK=$sock
}

# status_ids PID: "uid=R/E/S/F gid=R/E/S/F groups=..."
status_ids()
{
	awk '$1 == "Uid:" { u = $2 "/" $3 "/" $4 "/" $5 }
	    $1 == "Gid:" { g = $2 "/" $3 "/" $4 "/" $5 }
	    $1 == "Groups:" { $1 = ""; sub(/^ /, ""); gr = $0 }
	    END { print "uid=" u, "gid=" g, "groups=" gr }' "/proc/$1/status"
}

# --- 1. Daemons with different settings, all at once. -------------------

conf u077 "UMask 077" "PidFile $R_DIR/fg.pid"
conf u027 "UMask 027"
conf udef
start u077 || tap_fail "UMask 077 daemon starts"
start u027 || tap_fail "UMask 027 daemon starts"
start udef || tap_fail "default UMask daemon starts"
tap_check "UMask 077: socket mode" "$(stat -c %a "$S/u077.sock")" 700
tap_check "UMask 027: socket mode" "$(stat -c %a "$S/u027.sock")" 750
tap_check "default UMask 007: socket mode" "$(stat -c %a "$S/udef.sock")" 770
tap_check "PidFile (foreground) holds the daemon's pid" \
    "$(cat "$R_DIR/fg.pid" 2>/dev/null)" "$PID_u077"

# UserID: only root can switch.  The resolver files must be readable by
# nobody: a copy of the world's unbound.conf goes next to the sockets.
NOBODY=
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null &&
    getent group nogroup >/dev/null; then
	cp "$R_DIR/unbound.conf" "$S/unbound.conf" && chmod 644 "$S/unbound.conf"
	conf nobody "UserID nobody:nogroup"
	sed -i "s|^ResolverConfig .*|ResolverConfig $S/unbound.conf|" \
	    "$R_DIR/nobody.conf"
	if start nobody; then
		NOBODY=yes
		tap_check "UserID nobody:nogroup: ids after the drop" \
		    "$(status_ids "$PID_nobody")" \
		    "uid=65534/65534/65534/65534 gid=65534/65534/65534/65534 groups=65534"
		tap_check "UserID: socket owned by nobody:nogroup" \
		    "$(stat -c %U:%G "$S/nobody.sock")" nobody:nogroup
		healthy nobody "UserID: lookups work after the drop"
		if grep -q 'could be regained' "$LOG_nobody"; then
			tap_fail "UserID: root cannot be regained"
		else
			tap_ok "UserID: root cannot be regained"
		fi
	else
		tap_fail "UserID nobody:nogroup daemon starts" \
		    "$(cat "$LOG_nobody")"
	fi
else
	tap_skip "UserID nobody:nogroup" "not root, or no nobody/nogroup"
fi

# The socket handed to UserID is the one we bound, never what an owner of
# the socket directory put at its path meanwhile.  t/tools/sockswap.so
# swaps the path right after the bind (inside smfi_opensocket()), which
# makes the attacker's race a certainty: a symbolic link to a root-owned
# file, then a hard link to another root-owned socket (the udef daemon's).
# Neither target may change owner; the daemon refuses to start.
SWAP_SHIM=$abs_top_builddir/t/tools/sockswap.so
if [ -n "$NOBODY" ] && [ -f "$SWAP_SHIM" ]; then
	echo "root only" >"$R_DIR/target.file"
	chmod 600 "$R_DIR/target.file"
	for how in symlink link; do
		case $how in
		symlink) target=$R_DIR/target.file ;;
		link) target=$S/udef.sock ;;
		esac
		before=$(stat -c %U:%G "$target")
		conf "swap$how" "UserID nobody:nogroup"
		sed -i "s|^ResolverConfig .*|ResolverConfig $S/unbound.conf|" \
		    "$R_DIR/swap$how.conf"
		out=$(LD_PRELOAD=$SWAP_SHIM RDNS_SOCKSWAP_HOW=$how \
		    RDNS_SOCKSWAP_PATH=$S/swap$how.sock \
		    RDNS_SOCKSWAP_TARGET=$target \
		    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		    timeout 10 "$RB_MILTER" -f -c "$R_DIR/swap$how.conf" 2>&1)
		rc=$?
		tap_check "socket swapped for a $how after bind: target keeps its owner" \
		    "$(stat -c %U:%G "$target")" "$before"
		case $rc/$out in
		71/*"$S/swap$how.sock: not the socket this daemon created"*)
			tap_ok "socket swapped for a $how: start refused, clear message" ;;
		*)	tap_fail "socket swapped for a $how: start refused, clear message" \
			    "exit $rc" "$out" ;;
		esac
		rm -f "$S/swap$how.sock"
	done
	healthy udef "the daemon whose socket was linked still answers"
else
	tap_skip "socket swapped after bind" \
	    "not root, no nobody/nogroup, or no $SWAP_SHIM"
fi

# Detached (no -f), with a PidFile.
conf bg "PidFile $R_DIR/bg.pid"
"$RB_MILTER" -c "$R_DIR/bg.conf" >"$R_DIR/bg.out" 2>&1 </dev/null
bg_rc=$?
for i in $(seq 1 100); do
	[ -s "$R_DIR/bg.pid" ] && rb_connectable "$S/bg.sock" && break
	sleep 0.05
done
PID_bg=$(cat "$R_DIR/bg.pid" 2>/dev/null)
echo "$PID_bg" >>"$R_PIDS"
if [ "$bg_rc" -eq 0 ] && [ -n "$PID_bg" ] &&
    tr '\0' ' ' <"/proc/$PID_bg/cmdline" 2>/dev/null | grep -q rdns-milter
then
	tap_ok "detached: PidFile holds the running daemon's pid"
else
	tap_fail "detached: PidFile holds the running daemon's pid" \
	    "launcher status $bg_rc, pid file '$PID_bg'" "$(cat "$R_DIR/bg.out")"
fi
healthy bg "detached daemon answers"

# --- 2. Configuration files that must be refused. -----------------------

cp "$R_DIR/udef.conf" "$R_DIR/ww.conf"
chmod 666 "$R_DIR/ww.conf"
mkfifo "$R_DIR/fifo.conf"
mkdir "$R_DIR/dir.conf"
for f in ww fifo dir; do
	case $f in
	ww) want="$R_DIR/ww.conf: world-writable, refusing it" ;;
	*) want="$R_DIR/$f.conf: not a regular file, refusing it" ;;
	esac
	out=$(timeout 10 "$RB_MILTER" -n -c "$R_DIR/$f.conf" 2>&1)
	tap_check "-n refuses $f.conf" "$? $out" "1 $want"
	out=$(timeout 10 "$RB_MILTER" -f -c "$R_DIR/$f.conf" 2>&1)
	tap_check "start refuses $f.conf" "$? $out" "78 $want"
done
[ -S "$S/ww.sock" ] && tap_fail "no socket for a refused configuration"

# A UserID that does not exist here: -n accepts the file (the machine
# that checks it may not have the user), the start stops (78) and names
# it, before any socket opens.
conf nouser "UserID rdns-test-no-such-user"
conf nogroup "UserID root:rdns-test-no-such-group"
for f in nouser nogroup; do
	case $f in
	nouser) want="rdns-milter: UserID rdns-test-no-such-user: no such user" ;;
	*) want="rdns-milter: UserID rdns-test-no-such-group: no such group" ;;
	esac
	out=$(timeout 20 "$RB_MILTER" -n -c "$R_DIR/$f.conf" 2>&1)
	tap_check "-n accepts $f.conf" "$? $out" "0 "
	out=$(timeout 20 "$RB_MILTER" -f -c "$R_DIR/$f.conf" 2>&1)
	tap_check "start refuses $f.conf" "$? $out" "78 $want"
	[ -S "$S/$f.sock" ] && tap_fail "no socket for $f.conf"
done

# --- 3. Stale and live sockets. -----------------------------------------

conf stale
start stale || tap_fail "first daemon on stale.sock starts"
kill -KILL "$PID_stale"
wait "$PID_stale" 2>/dev/null
tap_check "SIGKILL leaves a stale socket file" \
    "$([ -S "$S/stale.sock" ] && echo socket)" socket
if start stale; then
	tap_ok "a stale socket file is replaced at start"
	healthy stale "daemon on the replaced socket answers"
else
	tap_fail "a stale socket file is replaced at start" \
	    "$(cat "$LOG_stale")"
fi

out=$(timeout 20 "$RB_MILTER" -f -c "$R_DIR/stale.conf" 2>&1)
rc=$?
tap_check "a live socket: second start fails" "$rc" 71
case $out in
*"$S/stale.sock: another milter is listening there"*)
	tap_ok "a live socket: clear message" ;;
*)	tap_fail "a live socket: clear message" "$out" ;;
esac
healthy stale "the first daemon still answers"

conf file
echo "not a socket" >"$S/file.sock"
out=$(timeout 20 "$RB_MILTER" -f -c "$R_DIR/file.conf" 2>&1)
rc=$?
tap_check "a regular file in the way: start fails, file kept" \
    "$rc $(cat "$S/file.sock")" "71 not a socket"
case $out in
*"exists and is not a socket"*) tap_ok "a regular file in the way: message" ;;
*)	tap_fail "a regular file in the way: message" "$out" ;;
esac

# --- 4. Stop everything together. ---------------------------------------

kill -TERM "$PID_bg" 2>/dev/null
for n in u077 u027 udef stale ${NOBODY:+nobody}; do
	eval "p=\$PID_$n"
	kill -TERM "$p" 2>/dev/null
done
for n in u077 u027 udef stale ${NOBODY:+nobody}; do
	eval "p=\$PID_$n"
	if rb_stop "$p"; then
		tap_ok "$n: SIGTERM, exit status 0"
	else
		tap_fail "$n: SIGTERM, exit status 0" "status $RB_STOP"
	fi
	# Unprivileged, it cannot unlink in a root-owned directory; the next
	# start replaces the stale file (tested above).
	[ "$n" != nobody ] && [ -S "$S/$n.sock" ] &&
	    tap_fail "$n: socket removed at exit"
done
tap_check "PidFile (foreground) removed at exit" \
    "$([ -e "$R_DIR/fg.pid" ] && echo present)" ""
for i in $(seq 1 300); do
	kill -0 "$PID_bg" 2>/dev/null || break
	sleep 0.05
done
tap_check "detached: stopped, PidFile and socket removed" \
    "$(kill -0 "$PID_bg" 2>/dev/null && echo running) $([ -e "$R_DIR/bg.pid" ] && echo pidfile) $([ -e "$S/bg.sock" ] && echo socket)" \
    "  "

# --- 5. systemd hardening of the shipped unit. ---------------------------

if command -v systemd-analyze >/dev/null 2>&1 &&
    systemd-analyze security --help 2>/dev/null | grep -q -e '--offline'
then
	sed -e 's|@SBINDIR@|/usr/sbin|g' -e 's|@SYSCONFDIR@|/etc|g' \
	    -e 's|@[A-Za-z_]*@|/usr|g' \
	    "$abs_top_srcdir/init/rdns-milter.service.in" \
	    >"$R_DIR/rdns-milter.service"
	out=$(cd "$R_DIR" && systemd-analyze security --offline=yes \
	    --no-pager "$R_DIR/rdns-milter.service" 2>&1)
	level=$(printf '%s\n' "$out" |
	    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
	echo "# systemd-analyze: exposure $level"
	if [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'
	then
		tap_ok "systemd-analyze security: exposure $level <= 2.0"
	else
		tap_fail "systemd-analyze security: exposure <= 2.0" \
		    "$(printf '%s\n' "$out" | tail -5)"
	fi
else
	tap_skip "systemd-analyze security" "no systemd-analyze with --offline"
fi
tap_done
