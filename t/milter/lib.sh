# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shared by the t/milter/*.sh tests (bash; sourced, not run).
#
# Each test drives the real daemon (milter/rdns-milter) with Debian's
# miltertest against the private DNS world of t/dns/world.sh:
#
#	. "${srcdir:-...}/t/milter/lib.sh"
#	mt_setup			# work dir, tools (exit 77), traps
#	mt_world			# nsd + fault server, $MT_WORLD/rdns.conf
#					# (or mt_corpus_world FILE...)
#	mt_conf NAME <<EOF		# $MT_DIR/NAME.conf = world config +
#	AuthservID mx.example.net	#   "Syslog no" + these lines
#	EOF
#	mt_start "$MT_DIR/NAME.conf"	# daemon + recording proxy
#	mt_lua SCRIPT [VAR=VALUE...]	# miltertest -s t/milter/SCRIPT.lua
#	mt_stop				# SIGTERM (exit 0 checked later)
#	mt_finish			# reap, summary line, exit status
#
# Checks print "ok N - ..." / "not ok N - ..." (t/lib/tap.sh: tap_ok,
# tap_fail; mt_check, mt_diff, mt_between; the Lua scripts' own "ok - "
# lines are numbered and counted too).  Readers of the
# current daemon's run: mt_summaries (log lines), mt_replies (RCPT ->
# reply text), mt_rcpt_times / mt_eom_time (timing), mt_eom_actions
# (header changes at EOM); a connection is named by its number or by the
# queue id (macro i) its MAIL carried.
#
# Paths come from $srcdir (exported by automake; tests run in the top build
# directory) and $PWD; both may be given by hand:
#	cd BUILDDIR && srcdir=SRCDIR SRCDIR/t/milter/header.sh
# MT_KEEP=1 keeps the work directory of a passing test.
#
# The daemon's summary lines (SPEC 3.3) and a transcript of every milter
# frame (t/milter/mproxy.pl: reply texts, header indices, timing) are
# what the checks read besides miltertest's own view.  On failure the
# work directory (under $TMPDIR) is kept and the logs are printed.

set -u

mt_name=$(basename "$0" .sh)
if [ -z "${srcdir:-}" ]; then
	srcdir=$(cd "$(dirname "$0")/../.." && pwd)
fi
abs_top_srcdir=$(cd "$srcdir" && pwd)
abs_top_builddir=${abs_top_builddir:-$PWD}
export abs_top_srcdir abs_top_builddir
. "$abs_top_srcdir/t/lib/tap.sh" || exit 99
. "$abs_top_srcdir/t/lib/proc.sh" || exit 99
MT_SRC=$abs_top_srcdir/t/milter
RDNS_MILTER=${RDNS_MILTER:-$abs_top_builddir/milter/rdns-milter}
. "$abs_top_srcdir/t/lib/daemon.sh" || exit 99

mt_phase=0
MT_DIR=
MT_PID=
MT_PROXY_PID=
MT_WORLD=

# Skip (77) when a tool is missing; hard error (99) when the build is.
mt_require_tools()
{
	local t

	for t in miltertest perl; do
		command -v "$t" >/dev/null 2>&1 ||
		    tap_skip_all "$t not found (Debian packages miltertest," \
		    "perl)"
	done
	perl -MIO::Socket::UNIX -MIO::Select -MTime::HiRes -e 1 2>/dev/null ||
	    tap_skip_all "perl lacks IO::Socket::UNIX or Time::HiRes"
	if [ ! -x "$RDNS_MILTER" ]; then
		echo "ERROR: $RDNS_MILTER not built (run from the build" \
		    "directory, or set abs_top_builddir)"
		exit 99
	fi
}

mt_setup()
{
	mt_require_tools
	. "$abs_top_srcdir/t/dns/world.sh"
	world_check_tools || tap_skip_all "the DNS world cannot run here"
	MT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rdns-mt-$mt_name.XXXXXX") ||
	    exit 99
	trap mt_cleanup EXIT
	trap 'exit 99' HUP INT TERM
	echo "# work directory $MT_DIR"
}

# mt_check DESCRIPTION COMMAND...: ok if COMMAND succeeds.
mt_check()
{
	local what=$1

	shift
	if "$@"; then
		tap_ok "$what"
	else
		tap_fail "$what"
	fi
}

mt_world()
{
	MT_WORLD=$MT_DIR/world
	if ! world_start "$MT_WORLD" >"$MT_DIR/world.out" 2>&1; then
		cat "$MT_DIR/world.out"
		echo "ERROR: cannot start the DNS world"
		exit 99
	fi
}

# mt_corpus_world FILE...: mt_world, with the records of the corpus rows
# of FILE... (t/corpus/*.txt: KIND IP PTR HELO HELO_ADDR ORG CC) in its
# root zone beside the world's own zones: each IP -> PTR, PTR -> IP (A or
# AAAA), HELO -> HELO_ADDR; every name outside the test zones lives
# there, so nothing leaves 127.0.0.1.
mt_corpus_world()
{
	mkdir -p "$MT_DIR/dnssrc/zones" || exit 99
	cp "$abs_top_srcdir"/t/dns/zones/*.zone "$MT_DIR/dnssrc/zones/" ||
	    exit 99
	perl -e '
		use strict;
		use Socket qw(inet_pton AF_INET AF_INET6);
		my (%seen, %ptr, @out);
		sub rev {
			my $ip = shift;
			if ($ip =~ /:/) {
				my $b = inet_pton(AF_INET6, $ip)
				    or die "bad IP $ip\n";
				return join(".", reverse split //,
				    unpack("H*", $b)) . ".ip6.arpa.";
			}
			inet_pton(AF_INET, $ip) or die "bad IP $ip\n";
			return join(".", reverse split /\./, $ip) .
			    ".in-addr.arpa.";
		}
		sub rec {
			my $r = join("\t", @_);
			push @out, $r unless $seen{lc $r}++;
		}
		while (<>) {
			s/#.*//;
			my ($kind, $ip, $ptr, $helo, $haddr, $org, $cc) = split;
			next unless defined $kind;
			die "$ARGV:$.: want KIND IP PTR HELO HELO_ADDR ORG CC\n"
			    unless defined $cc && $kind =~ /^[SGF]$/;
			die "$ARGV:$.: $ip has two PTR names\n"
			    if $kind ne "F" && defined $ptr{$ip} &&
			    $ptr{$ip} ne lc $ptr;
			$ptr{$ip} = lc $ptr unless $kind eq "F";
			rec(rev($ip), "PTR", "$ptr.");
			rec("$ptr.", $ip =~ /:/ ? "AAAA" : "A", $ip);
			rec("$helo.", $haddr =~ /:/ ? "AAAA" : "A", $haddr)
			    if $haddr ne "-";
		} continue {
			close ARGV if eof;	# line numbers per file
		}
		print "; t/corpus/*.txt (generated by t/milter/lib.sh)\n";
		print "$_\n" for @out;
	' "$@" >>"$MT_DIR/dnssrc/zones/root.zone" || {
		echo "ERROR: cannot turn the corpus into zone data"; exit 99; }
	WORLD_SRCDIR=$MT_DIR/dnssrc
	mt_world
}

# mt_conf NAME: write $MT_DIR/NAME.conf from the world's rdns.conf,
# "Syslog no" and the lines on standard input (each key at most once:
# the world sets ResolverConfig, TrustAnchorFile and DNSTimeout; a line
# "DNSTimeout N" on stdin replaces the world's).
mt_conf()
{
	local f=$MT_DIR/$1.conf extra

	extra=$(cat)
	{
		if printf '%s\n' "$extra" | grep -qi '^DNSTimeout'; then
			grep -vi '^DNSTimeout' "$MT_WORLD/rdns.conf"
		else
			cat "$MT_WORLD/rdns.conf"
		fi
		echo "Syslog no"
		printf '%s\n' "$extra"
	} >"$f"
}

# mt_start CONF: start the daemon in the foreground on a fresh socket,
# and the recording proxy in front of it.  Sets MT_PID, MT_LOG (the
# daemon's stderr), MT_SOCK (what miltertest connects to), MT_TRANS (the
# transcript directory).
mt_start()
{
	local conf=$1

	mt_phase=$((mt_phase + 1))
	MT_LOG=$MT_DIR/milter-$mt_phase.log
	MT_MSOCK=$MT_DIR/m$mt_phase.sock
	MT_SOCK=$MT_DIR/p$mt_phase.sock
	MT_TRANS=$MT_DIR/trans-$mt_phase
	mkdir -p "$MT_TRANS" || exit 99
	# MT_ENV: extra environment for the daemon only (NAME=VALUE ...).
	# shellcheck disable=SC2086
	if ! daemon_start "$conf" "unix:$MT_MSOCK" "$MT_LOG" env ${MT_ENV:-}
	then
		tap_fail "rdns-milter -c $conf starts and opens its socket"
		exit 1
	fi
	MT_PID=$DAEMON_PID
	perl "$MT_SRC/mproxy.pl" "$MT_SOCK" "$MT_MSOCK" "$MT_TRANS" $$ \
	    2>"$MT_DIR/proxy-$mt_phase.err" </dev/null &
	MT_PROXY_PID=$!
	if ! proc_wait 10 "$MT_PROXY_PID" test -S "$MT_SOCK"; then
		cat "$MT_DIR/proxy-$mt_phase.err"
		echo "ERROR: the recording proxy did not start"
		exit 99
	fi
}

mt_alive()
{
	daemon_alive "$MT_PID"
}

mt_stop_proxy()
{
	if [ -n "$MT_PROXY_PID" ]; then
		kill -TERM "$MT_PROXY_PID" 2>/dev/null
		wait "$MT_PROXY_PID" 2>/dev/null
		MT_PROXY_PID=
	fi
}

# mt_stop [SIGNAL]: SIGTERM (or SIGNAL, e.g. HUP: libmilter's clean
# stops).  The daemon must exit 0;
# libmilter notices the stop only at its next 5-second poll, so the exit
# is collected later, by mt_finish (mt_stop_wait), while the test goes
# on.  The log is complete for the messages already answered.
MT_STOPPING=
mt_stop()
{
	mt_stop_proxy
	[ -n "$MT_PID" ] || return 0
	if ! daemon_signal "$MT_PID" "${1:-TERM}"; then
		daemon_reap "$MT_PID" 0
		tap_fail "rdns-milter still running before SIGTERM (it exited\
 with status $DAEMON_RC)"
		MT_PID=
		return
	fi
	MT_STOPPING="$MT_STOPPING $MT_PID"
	MT_PID=
}

# Collect the daemons stopped by mt_stop: each must exit 0 within 15 s
# (t/lib/daemon.sh: libmilter's 5-second poll, then ASan's leak check).
mt_stop_wait()
{
	local pid d

	for pid in $MT_STOPPING; do
		d="stop: rdns-milter (pid $pid)"
		if daemon_reap "$pid" 15; then
			tap_ok "$d exits 0"
		elif [ "$DAEMON_RC" = hung ]; then
			tap_fail "$d still running after 15 s"
		else
			tap_fail "$d exits $DAEMON_RC, want 0"
		fi
	done
	MT_STOPPING=
}

# mt_lua SCRIPT [VAR=VALUE...]: run t/milter/SCRIPT.lua against the
# current daemon; its output goes to our output.  Sets MT_ELAPSED (wall
# seconds, 3 decimals).  Returns miltertest's exit status.
mt_lua()
{
	local t0 t1

	t0=$(date +%s.%N)
	mt_lua_bg "$@"
	mt_lua_wait
	t1=$(date +%s.%N)
	MT_ELAPSED=$(awk -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%.3f", b - a }')
	return "$MT_LUA_RC"
}

# mt_lua_bg SCRIPT [VAR=VALUE...]: the same in the background (several
# may run at once); mt_lua_wait collects them.
MT_LUA_JOBS=
mt_lua_n=0
mt_lua_bg()
{
	local script=$1 out

	shift
	mt_lua_n=$((mt_lua_n + 1))
	out=$MT_DIR/$script-$mt_phase-$mt_lua_n.out
	env MT_SOCKET="unix:$MT_SOCK" MT_SRC="$MT_SRC" MT_DIR="$MT_DIR" \
	    MT_LOG="$MT_LOG" MT_PID="$MT_PID" "$@" \
	    miltertest -s "$MT_SRC/$script.lua" >"$out" 2>&1 </dev/null &
	MT_LUA_JOBS="$MT_LUA_JOBS $!:$script:$out"
}

# Wait for the mt_lua_bg runs, print their output with their checks
# ("ok - ..." / "not ok - ..." lines) numbered and counted as ours (and
# marked "lua: "); MT_LUA_RC is the last non-zero exit status (or 0).
mt_lua_wait()
{
	local job pid script out rc line

	MT_LUA_RC=0
	for job in $MT_LUA_JOBS; do
		pid=${job%%:*}
		script=${job#*:}
		out=${script#*:}
		script=${script%%:*}
		wait "$pid"
		rc=$?
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in
			'ok - '*)	tap_ok "lua: ${line#ok - }" ;;
			'not ok - '*)	tap_fail "lua: ${line#not ok - }" ;;
			*)		printf '%s\n' "$line" ;;
			esac
		done <"$out"
		if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' "$out"; then
			tap_fail "miltertest -s $script.lua exited $rc"
			# 141: SIGPIPE, a write to a connection the proxy
			# (or the daemon) had closed: say why if it knows.
			[ "$rc" -gt 128 ] && [ -s "$MT_DIR/proxy-$mt_phase.err" ] &&
			    sed 's/^/# proxy: /' "$MT_DIR/proxy-$mt_phase.err"
		fi
		[ "$rc" -eq 0 ] || MT_LUA_RC=$rc
	done
	MT_LUA_JOBS=
}

# The daemon's summary lines (SPEC 3.3) without the program prefix and
# with the timing and the connection serial normalised: "QID: ip=...
# action=... ms=N client=host[ip] conn=N" (a line logged at close before the
# answers came has "ms=N dns=incomplete client=...").
mt_summaries()
{
	sed -n -e 's/ ms=[0-9][0-9]*\( dns=[a-z-]*\)\{0,1\}\( client=[^ ]*\) conn=[0-9][0-9]*$/ ms=N\1\2 conn=N/' \
	    -e 's/\( action=accept client=[^ ]*\) conn=[0-9][0-9]*$/\1 conn=N/' \
	    -e 's/^rdns-milter: \([^ ]*: ip=.*\)$/\1/p' "${1:-$MT_LOG}"
}

# mt_wait_log ERE [COUNT]: wait (5 s at most) until the daemon log has
# COUNT (default 1) lines matching ERE.
mt_wait_log()
{
	proc_wait 5 "" mt_log_has "$1" "${2:-1}"
}

# mt_log_has ERE COUNT: the daemon log has COUNT lines matching ERE.
mt_log_has()
{
	[ "$(grep -cE -- "$1" "$MT_LOG")" -ge "$2" ]
}

# mt_diff DESCRIPTION EXPECTED GOT: exact comparison, diff on failure.
mt_diff()
{
	if diff -u "$2" "$3" >"$MT_DIR/diff.out" 2>&1; then
		tap_ok "$1"
	else
		tap_fail "$1"
		sed 's/^/# /' "$MT_DIR/diff.out"
	fi
}

# The transcripts of the current phase, in connection order.
mt_transcripts()
{
	ls "$MT_TRANS"/conn-*.txt 2>/dev/null | sort
}

# mt_replies [CONN...]: one line per RCPT of the current phase (or of
# the given connections, see mt_conn), in order:
#	RCPT <addr> -> 550 5.7.25 text | continue | reject | tempfail | ...
mt_replies()
{
	local f files c

	if [ $# -eq 0 ]; then
		files=$(mt_transcripts)
	else
		files=
		for c in "$@"; do
			files="$files $(mt_conn "$c")"
		done
	fi
	for f in $files; do
		awk '
		$2 == ">" && $3 == "R" {
			r = substr($0, index($0, " R ") + 3)
			sub(/\\0$/, "", r)
			want = 1
			next
		}
		want && $2 == "<" {
			t = substr($0, index($0, " " $3 " ") + 3)
			if ($3 == "y") {
				sub(/\\0$/, "", t)
				print "RCPT " r " -> " t
			} else if ($3 == "c")
				print "RCPT " r " -> continue"
			else if ($3 == "r")
				print "RCPT " r " -> reject"
			else if ($3 == "t")
				print "RCPT " r " -> tempfail"
			else
				print "RCPT " r " -> cmd " $3
			want = 0
		}' "$f"
	done
}

# mt_conn N | QID: the transcript of the N-th connection of the phase
# (1 = first), or of the connection whose MAIL carried macro i = QID.
mt_conn()
{
	case $1 in
	*[!0-9]*)
		grep -lF -- "> D Mi\\0$1\\0" $(mt_transcripts) /dev/null |
		    head -n 1 ;;
	*)
		mt_transcripts | sed -n "${1}p" ;;
	esac
}

# mt_rcpt_times CONN: for each RCPT of connection CONN (see mt_conn):
# "SENT ANSWERED", seconds since the proxy accepted the connection.
mt_rcpt_times()
{
	awk '$2 == ">" && $3 == "R" { t = $1; want = 1; next }
	    want && $2 == "<" { print t, $1; want = 0 }' "$(mt_conn "$1")"
}

# mt_eom_time CONN: seconds from accepting connection CONN to the answer
# to its first end of message.
mt_eom_time()
{
	awk '$2 == ">" && $3 == "E" { want = 1; next }
	    want && $2 == "<" && ($3 == "a" || $3 == "c" || $3 == "y" ||
	    $3 == "t" || $3 == "r") { print $1; exit }' "$(mt_conn "$1")"
}

# mt_between DESCRIPTION VALUE MIN MAX: ok if MIN <= VALUE <= MAX.
mt_between()
{
	if [ -n "$2" ] && awk -v v="$2" -v a="$3" -v b="$4" \
	    'BEGIN { exit !(v >= a && v <= b) }'; then
		tap_ok "$1 ($2 s)"
	else
		tap_fail "$1 (${2:-no value} s, want $3..$4)"
	fi
}

# mt_eom_actions N: the milter's frames answering the N-th end of message
# (E) of the phase: header changes (m INDEX ...), insertions (i INDEX
# ...) and the final reply, timing stripped.
mt_eom_actions()
{
	cat $(mt_transcripts) /dev/null | awk -v want="$1" '
	    $2 == ">" { inside = ($3 == "E"); if (inside) n++; next }
	    inside && n == want && $2 == "<" {
		print substr($0, index($0, " < ") + 3) }'
}

mt_cleanup()
{
	local rc=$?

	trap - EXIT
	daemon_stop_all 8
	mt_stop_proxy
	[ -n "$MT_WORLD" ] && world_stop "$MT_WORLD"
	if [ "$rc" -eq 0 ] && [ "$TAP_FAIL" -eq 0 ]; then
		[ "${MT_KEEP:-0}" = 1 ] || rm -rf "$MT_DIR"
	elif [ "$rc" -ne 77 ] && [ -n "$MT_DIR" ] && [ -d "$MT_DIR" ]; then
		echo "# FAILED: logs kept in $MT_DIR"
		daemon_logs
	fi
	exit "$rc"
}

mt_finish()
{
	mt_stop
	mt_stop_wait
	tap_done
}
