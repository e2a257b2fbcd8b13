# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shared by the robustness tests in t/robust/ (bash; sourced).
#
#	. "$abs_top_srcdir/t/robust/lib.sh"
#	rb_init NAME		# paths, traps, R_DIR; exit 77 without tools
#	rb_world_start		# the DNS world (t/dns/world.sh) in R_DIR
#	rb_conf FILE [LINE...]	# a daemon config from the world's rdns.conf
#	rb_start CONF [SPEC [WRAPPER...]]	# rdns-milter -f -c CONF (t/lib/
#				# daemon.sh); sets RB_PID, RB_SOCK, RB_LOG
#	rb_healthy DESC		# a healthy session is answered correctly
#	rb_load OUT ARGS...	# milterload -o OUT.trace ARGS (JSON in OUT.json)
#	rb_stop [PID]		# SIGTERM; checks exit status 0 and socket gone
#	rb_le DESC GOT MAX	# a check: GOT <= MAX
#	tap_ok / tap_fail / tap_check / tap_done	# TAP (t/lib/tap.sh)
#
# Daemons always run with a configuration written by rb_conf (never the
# installed default).  Everything lives in $abs_top_builddir/t/robust/NAME.world
# (kept after a failure, with the daemon's logs); unix sockets live in a
# short directory under /tmp (sun_path is 108 bytes), removed at exit.  A
# watcher stops every daemon started here if the script dies.

: "${abs_top_builddir:=$PWD}"
if [ -z "$abs_top_srcdir" ]; then
	abs_top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) ||
	    exit 99
fi
export abs_top_srcdir abs_top_builddir
. "$abs_top_srcdir/t/lib/tap.sh" || exit 99
. "$abs_top_srcdir/t/lib/proc.sh" || exit 99

RB_MILTER="$abs_top_builddir/milter/rdns-milter"
DAEMON_MILTER=$RB_MILTER
. "$abs_top_srcdir/t/lib/daemon.sh" || exit 99
RB_LOAD="$abs_top_builddir/bench/milterload"
RB_FAULT="$abs_top_builddir/t/tools/milterfault"
# DNSTimeout of the daemon in these tests, and the slack allowed on top of
# it for a verdict: scheduling on a loaded 2-core machine, and libmilter's
# worker queue.  A reply that waited for libunbound instead of the
# deadline comes after about 17 s (the black hole); 1 s of slack was not
# enough beside a parallel make check in the sanitizer build.
RB_TIMEOUT=2
RB_SLACK_MS=6000

R_NAME=
R_DIR=
R_SOCKDIR=
R_PIDS=
RB_PID=
RB_SOCK=
RB_STARTS=0

# rb_init NAME [TOOL...]: set up; exit 77 when something is missing.
rb_init()
{
	local msg t

	R_NAME=$1
	shift
	R_DIR="$abs_top_builddir/t/robust/$R_NAME.world"
	tap_init "$R_NAME"
	. "$abs_top_srcdir/t/dns/world.sh" || tap_bail "cannot read world.sh"
	msg=$(world_check_tools) || tap_skip_all "$msg"
	for t in jq "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
		    tap_skip_all "$t is not installed"
	done
	for t in "$RB_MILTER" "$RB_LOAD" "$RB_FAULT"; do
		[ -x "$t" ] || tap_bail "$t is not built"
	done
	rm -rf "$R_DIR"
	mkdir -p "$R_DIR" || tap_bail "mkdir $R_DIR"
	R_SOCKDIR=$(mktemp -d /tmp/rdns-robust.XXXXXX) || tap_bail "mktemp"
	chmod 755 "$R_SOCKDIR"
	# The daemons' pids, in this run's own directory: a watcher left
	# over from an earlier run of the same test must not find them.
	R_PIDS=$R_SOCKDIR/daemon.pids
	: >"$R_PIDS"
	trap 'rb_cleanup' EXIT
	trap 'exit 130' INT TERM HUP
	rb_watch
}

# Stop our daemons if this script dies without running its EXIT trap.
rb_watch()
{
	local me=$$ pids=$R_PIDS

	(
		trap '' INT HUP
		while kill -0 "$me" 2>/dev/null; do
			sleep 1
		done
		[ -f "$pids" ] || exit 0
		while read -r p; do
			case $p in
			''|*[!0-9]*) continue ;;
			esac
			daemon_ours "$p" && kill -KILL "$p"
		done <"$pids"
	) >/dev/null 2>&1 </dev/null &
	disown $! 2>/dev/null
}

rb_cleanup()
{
	local rc=$?

	daemon_stop_all 1
	[ -n "$R_SOCKDIR" ] && rm -rf "$R_SOCKDIR"
	world_finish "$rc" "$R_DIR"
	exit "$rc"
}

rb_world_start()
{
	if ! world_start "$R_DIR"; then
		world_logs "$R_DIR"
		tap_bail "the test DNS world did not start"
	fi
	echo "# world: nsd on 127.0.0.1@$WORLD_PORT, files in $R_DIR"
}

# rb_conf FILE [LINE...]: write R_DIR/FILE: the world's resolver settings,
# DNSTimeout $RB_TIMEOUT, our socket, no syslog, then the given lines.
rb_conf()
{
	local f=$R_DIR/$1 l

	shift
	{
		grep -v '^DNSTimeout' "$R_DIR/rdns.conf"
		echo "DNSTimeout $RB_TIMEOUT"
		echo "Socket unix:$R_SOCKDIR/m.sock"
		echo "AuthservID mx.robust.test"
		echo "Syslog no"
		for l in "$@"; do
			printf '%s\n' "$l"
		done
	} >"$f" || tap_bail "cannot write $f"
	chmod 644 "$f"
}

# Is $1 a unix socket on which a milter answers OPTNEG?
rb_connectable()
{
	case $1 in
	inet:*|inet6:*)
		"$RB_FAULT" -s "$1" -t 2 -D optneg >/dev/null 2>&1 ;;
	*)
		[ -S "$1" ] &&
		    "$RB_FAULT" -s "unix:$1" -t 2 -D optneg >/dev/null 2>&1 ;;
	esac
}

# rb_start CONF [SOCKETSPEC [WRAPPER...]]: start the daemon in the
# foreground with CONF (and -p SOCKETSPEC if not empty; WRAPPER in front,
# see t/lib/daemon.sh) and wait until it is ready; sets RB_PID and RB_SOCK
# (the path, or the inet: spec of a TCP socket), log in
# R_DIR/milter.N.log.  Returns 1 if it does not come up.
rb_start()
{
	local conf=$1 spec=${2:-} sock rc=0

	shift 2 2>/dev/null || shift
	RB_STARTS=$((RB_STARTS + 1))
	RB_LOG="$R_DIR/milter.$RB_STARTS.log"
	daemon_start "$conf" "$spec" "$RB_LOG" "$@" || rc=1
	RB_PID=$DAEMON_PID
	echo "$RB_PID" >>"$R_PIDS"
	if [ -z "$spec" ]; then
		spec=$(sed -n 's/^Socket[[:space:]]*//p' "$conf" | tail -1)
	fi
	sock=${spec#unix:}
	sock=${sock#local:}
	RB_SOCK=$sock
	return "$rc"
}

# rb_alive [PID]: running and not a zombie.
rb_alive()
{
	daemon_alive "${1:-$RB_PID}"
}

# rb_rss [PID]: resident set size in kB.
rb_rss()
{
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' \
	    "/proc/${1:-$RB_PID}/status"
}

# rb_stop [PID]: SIGTERM, wait up to 15 s (t/lib/daemon.sh); RB_STOP is
# the exit status ("hung" after a SIGKILL).  Must run in the shell that
# started the daemon (not in $(...)).  Returns 0 for exit status 0.
rb_stop()
{
	local p=${1:-$RB_PID}

	daemon_stop "$p" 15
	RB_STOP=$DAEMON_RC
	if [ "$RB_STOP" = hung ]; then
		echo "# rdns-milter $p: no exit within 15 s of SIGTERM"
		return 1
	fi
	echo "# rdns-milter $p: exit $RB_STOP $DAEMON_MS ms after SIGTERM"
	[ "$RB_STOP" -eq 0 ]
}

# rb_threads [PID] / rb_fds [PID]: thread and open descriptor counts.
rb_threads()
{
	sed -n 's/^Threads:[[:space:]]*//p' "/proc/${1:-$RB_PID}/status"
}

rb_fds()
{
	ls "/proc/${1:-$RB_PID}/fd" | wc -l
}

# rb_epolls [PID]: epoll instances: one per libunbound context alive.
rb_epolls()
{
	ls -l "/proc/${1:-$RB_PID}/fd" 2>/dev/null | grep -c 'eventpoll'
}

# rb_session OUT ARGS...: one milterfault session on RB_SOCK; its output
# in OUT, status in RB_RC.
rb_session()
{
	local o=$1

	shift
	"$RB_FAULT" -s "unix:$RB_SOCK" -t 10 "$@" >"$o" 2>&1
	RB_RC=$?
}

# rb_healthy DESC: 192.0.2.10 (mail.sec.test, secure) with its own name as
# HELO: RCPT continues, the header says iprev=pass x-ptr=pass, all valid.
rb_healthy()
{
	local o=$R_DIR/healthy.out got

	rb_session "$o" -A -a 192.0.2.10 -N mail.sec.test -H mail.sec.test \
	    -r user@example.test
	got="rc=$RB_RC $(awk '$3 == "rcpt" && $4 !~ /^check-/ {
		print "rcpt=" $4 }
	    $4 == "check-ok" && $6 == "authres" { print $7, $8 }
	    $4 == "check-bad" { print "bad:", $0 }' "$o" | tr '\n' ' ')"
	tap_check "$1" "$got" "rc=0 rcpt=continue iprev=pass x-ptr=pass "
}

# rb_load NAME ARGS...: milterload on RB_SOCK with -o R_DIR/NAME.trace and
# -j > R_DIR/NAME.json; RB_RC is its status.
rb_load()
{
	local n=$1

	shift
	"$RB_LOAD" -s "unix:$RB_SOCK" -q -j -o "$R_DIR/$n.trace" "$@" \
	    >"$R_DIR/$n.json" 2>"$R_DIR/$n.err"
	RB_RC=$?
}

# rb_json NAME FILTER: jq -r on R_DIR/NAME.json.
rb_json()
{
	jq -r "$2" "$R_DIR/$1.json"
}

# rb_summary NAME: per client IP of a trace, one line "IP RCPT1 IPREV XPTR
# COUNT": the reply to the first RCPT of each session and the results in
# the Authentication-Results header it got ("-" if none).
rb_summary()
{
	awk '
	$4 == "error" { next }
	$3 == "rcpt" && !(($1) in r) { r[$1] = $4; ip[$1] = $2 }
	$3 == "eom" && $4 == "insheader" && $6 ~ /^Authentication-Results$/ {
		v = $0
		ipr = "-"; xp = "-"
		if (match(v, /iprev=[a-z]+/))
			ipr = substr(v, RSTART + 6, RLENGTH - 6)
		if (match(v, /x-ptr=[a-z]+/))
			xp = substr(v, RSTART + 6, RLENGTH - 6)
		h[$1] = ipr " " xp
	}
	END {
		for (s in r) {
			k = ip[s] " " r[s] " " ((s in h) ? h[s] : "- -")
			n[k]++
		}
		for (k in n)
			print k, n[k]
	}' "$R_DIR/$1.trace" | sort
}

# rb_verdicts NAME WANT: compare a trace's verdicts with WANT, lines "IP
# RCPT1 IPREV XPTR".  Sets RB_WRONG to a line per wrong verdict (empty if
# all are right; call it outside $(...)).  A "451 temperror temperror" instead of the right verdict is a
# session whose DNS answers came after its deadline (an overloaded
# machine, valgrind): allowed, counted in RB_LATE.  Every client must be
# right at least once.
rb_verdicts()
{
	local out

	out=$(rb_summary "$1" | awk -v want="$2" '
	BEGIN {
		n = split(want, w, "\n")
		for (i = 1; i <= n; i++) {
			split(w[i], f, " ")
			ex[f[1]] = f[2] " " f[3] " " f[4]
		}
	}
	{
		v = $2 " " $3 " " $4
		if (v == ex[$1])
			right[$1] += $5
		else if (v == "451 temperror temperror")
			late += $5
		else
			print "wrong:", $0
	}
	END {
		for (ip in ex)
			if (right[ip] + 0 == 0)
				print "never right:", ip
		print "late", late + 0
	}') || out="awk failed"
	RB_LATE=$(printf '%s\n' "$out" | sed -n 's/^late //p')
	RB_WRONG=$(printf '%s\n' "$out" | grep -v '^late ')
}

# rb_max_us NAME STAGE: the largest latency of STAGE in a trace ("done":
# whole sessions).
rb_max_us()
{
	awk -v st="$2" '
	st == "done" && $4 == "done" { if ($5 > m) m = $5; next }
	$3 == st && $4 != "error" && $4 != "insheader" { if ($5 > m) m = $5 }
	END { print m + 0 }' "$R_DIR/$1.trace"
}

# rb_le DESC GOT MAX: GOT <= MAX (integers).
rb_le()
{
	if [ "$2" -le "$3" ] 2>/dev/null; then
		tap_ok "$1 ($2 <= $3)"
	else
		tap_fail "$1" "got:  $2" "want: <= $3"
	fi
}
