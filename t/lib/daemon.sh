# SPDX-License-Identifier: BSD-2-Clause
# daemon.sh - start, wait for and stop rdns-milter in a test or a bench
# (bash; sourced after t/lib/proc.sh by t/milter, t/robust and t/e2e
# lib.sh and by bench/common.sh).
#
#	daemon_start CONF SOCKET LOG [WRAPPER...]
#				# rdns-milter -f -c CONF -p SOCKET (no -p if
#				# SOCKET is empty) in the background, output
#				# appended to LOG; waits until it is ready;
#				# DAEMON_PID.  1 if it did not come up.
#	daemon_alive PID	# running (not exited, not a zombie)
#	daemon_signal PID [SIG]	# SIGTERM (or SIG); 1 if PID was not running
#	daemon_reap PID SECONDS	# wait for the exit: DAEMON_RC
#	daemon_stop PID SECONDS [SIG]	# daemon_signal, then daemon_reap
#	daemon_signal_all [SIG]	# every daemon started here, not reaped yet
#	daemon_stop_all SECONDS	# the same, stopped and reaped (cleanups)
#	daemon_logs [LINES]	# every LOG so far, as "# " comments
#	daemon_accepts SPEC	# a connection to SPEC is accepted
#	daemon_wait_accept SPEC PID SECONDS	# until it is (other servers)
#
# Ready means that the daemon logged "... starting on SOCKET" (main.c,
# after its socket listens and just before smfi_main()): a new such line
# in LOG, so that a log that already holds one (appended to, a restart) or
# a stale socket file left by a killed daemon cannot be taken for the new
# daemon's.  The start waits DAEMON_START_S seconds at most (default 30:
# the start proves the resolver with a lookup, slow beside a parallel make
# check in the sanitizer build; a hang never gets there), and gives up at
# once when the process exits.  A failed start prints the log's last 40
# lines as "# " comments, reaps the process (DAEMON_RC: its exit status,
# or "hung") and keeps LOG.
#
# WRAPPER is put in front of the command: "env NAME=VALUE...", "valgrind
# ...", sh -c 'ulimit -Sn 1024 && exec "$@"' sh, or a shell function that
# ends in exec (t/e2e/lib.sh e2e_ns_exec).  Each of them execs the daemon,
# so DAEMON_PID is the daemon's own pid.
#
# Stopping: libmilter notices SIGTERM (and SIGHUP, its other clean stop)
# only at its next poll timeout, up to 5 s later, and an ASan build then
# checks for leaks: give daemon_reap 15 s in a test, where a hang is what
# it is told from.  DAEMON_RC is the exit status, or "hung" when the
# daemon still ran after SECONDS (it is then killed); DAEMON_MS the
# milliseconds the wait took.  daemon_reap returns 0 for exit status 0.
# It must run in the shell that started the daemon (only the parent
# collects an exit status), not in $(...).
#
# DAEMON_MILTER is the program (default: RDNS_MILTER, else the build
# tree's milter/rdns-milter).

DAEMON_MILTER=${DAEMON_MILTER:-${RDNS_MILTER:-${abs_top_builddir:-.}/milter/rdns-milter}}
DAEMON_START_S=${DAEMON_START_S:-30}
DAEMON_PID=
DAEMON_PIDS=
DAEMON_LOGS=
DAEMON_RC=
DAEMON_MS=

# daemon_ready_lines LOG: how many "starting on" lines LOG holds.
daemon_ready_lines()
{
	local n

	n=$(grep -c -F ' starting on ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# daemon_ready LOG N: LOG holds more than N "starting on" lines.
daemon_ready()
{
	[ "$(daemon_ready_lines "$1")" -gt "$2" ]
}

daemon_start()
{
	local conf=$1 sock=$2 log=$3 n0

	shift 3
	n0=$(daemon_ready_lines "$log")
	case " $DAEMON_LOGS " in
	*" $log "*) ;;
	*) DAEMON_LOGS="$DAEMON_LOGS $log" ;;
	esac
	if [ -n "$sock" ]; then
		"$@" "$DAEMON_MILTER" -f -c "$conf" -p "$sock" \
		    >>"$log" 2>&1 </dev/null &
	else
		"$@" "$DAEMON_MILTER" -f -c "$conf" >>"$log" 2>&1 </dev/null &
	fi
	DAEMON_PID=$!
	DAEMON_PIDS="$DAEMON_PIDS $DAEMON_PID"
	if proc_wait "$DAEMON_START_S" "$DAEMON_PID" daemon_ready "$log" \
	    "$n0"; then
		return 0
	fi
	daemon_stop "$DAEMON_PID" 2
	echo "# rdns-milter -f -c $conf${sock:+ -p $sock} did not start" \
	    "(exit status $DAEMON_RC); $log:"
	tail -n 40 "$log" | sed 's/^/# /'
	return 1
}

# daemon_alive PID: running; a zombie (exited, not yet reaped) is not.
daemon_alive()
{
	local st

	[ -n "$1" ] || return 1
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
	    "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

daemon_signal()
{
	kill -0 "$1" 2>/dev/null || return 1
	kill -"${2:-TERM}" "$1" 2>/dev/null
}

daemon_reap()
{
	local pid=$1 t0 p rest=

	t0=$(date +%s%N)
	if proc_reap "$pid" "$2"; then
		DAEMON_RC=$PROC_RC
	else
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		DAEMON_RC=hung
	fi
	DAEMON_MS=$((($(date +%s%N) - t0) / 1000000))
	for p in $DAEMON_PIDS; do
		[ "$p" = "$pid" ] || rest="$rest $p"
	done
	DAEMON_PIDS=$rest
	[ "$DAEMON_RC" = 0 ]
}

daemon_stop()
{
	daemon_signal "$1" "${3:-TERM}"
	daemon_reap "$1" "$2"
}

# daemon_ours PID: PID still runs our program (not a pid the kernel gave
# to another process after ours was reaped).
daemon_ours()
{
	[ -r "/proc/$1/cmdline" ] &&
	    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null |
	    grep -q -F "${DAEMON_MILTER##*/}"
}

daemon_signal_all()
{
	local p

	for p in $DAEMON_PIDS; do
		daemon_ours "$p" && daemon_signal "$p" "${1:-TERM}"
	done
	return 0
}

daemon_stop_all()
{
	local p

	daemon_signal_all TERM
	for p in $DAEMON_PIDS; do
		if daemon_ours "$p"; then
			daemon_reap "$p" "$1"
		fi
	done
	DAEMON_PIDS=
	return 0
}

# daemon_logs [LINES]: each log of daemon_start (the last LINES lines, or
# all), under a "# ---- FILE" line.
daemon_logs()
{
	local f

	for f in $DAEMON_LOGS; do
		[ -s "$f" ] || continue
		if [ -n "${1:-}" ]; then
			echo "# ---- $f (last $1 lines)"
			tail -n "$1" "$f" | sed 's/^/# /'
		else
			echo "# ---- $f"
			sed 's/^/# /' "$f"
		fi
	done
}

# daemon_accepts SPEC: unix:/path (local:, or a bare /path) is a socket,
# or inet:PORT@HOST / inet:PORT (127.0.0.1) accepts a TCP connection.
daemon_accepts()
{
	local spec=$1 port host

	case $spec in
	unix:*|local:*|/*)
		[ -S "${spec#*:}" ] ;;
	inet:*)
		port=${spec#inet:}
		host=127.0.0.1
		case $port in
		*@*) host=${port#*@}; port=${port%@*} ;;
		esac
		(exec 3<>"/dev/tcp/$host/$port") 2>/dev/null ;;
	*)
		return 1 ;;
	esac
}

# daemon_wait_accept SPEC PID SECONDS: wait until SPEC accepts (see
# daemon_accepts), for servers that log no "starting on" line (bench
# nullmilter, mcount); 1 once PID is gone or after SECONDS.
daemon_wait_accept()
{
	proc_wait "$3" "$2" daemon_accepts "$1"
}
