# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shared by the t/e2e/*.sh tests (bash; sourced, not run).
#
# End-to-end tests: the real daemon (milter/rdns-milter) behind a real MTA,
# driven over SMTP by swaks from several loopback source addresses, each
# with its own reverse DNS in the private DNS world of t/dns/world.sh.
# Delivered mail goes to Postfix's smtp-sink, which dumps each transaction
# to a file that the checks read.
#
#	. "$abs_top_srcdir/t/e2e/lib.sh"
#	e2e_init			# root, tools (77), work dir, traps
#	e2e_world			# nsd + fault server
#	e2e_milter_conf <<EOF		# $E_DIR/rdns.conf = world config +
#	Policy ...			#   E2E_MILTER_CONF + these lines
#	EOF
#	e2e_milter_start [N [WRAPPER...]]	# rdns-milter -c $E_DIR/rdnsN.conf
#					#   on unix:$E_DIR/rdnsN.sock
#	e2e_sink_start ADDR		# smtp-sink on ADDR:$E_SINK_PORT
#	e2e_ns_start			# private /etc/hosts, resolv.conf, ...
#	e2e_ns_exec CMD...		# CMD sees only those (unshare -m -u)
#	e2e_send CASE CLIENT HELO RCPTS	# one transaction (swaks)
#	e2e_smtp CASE CLIENT CMD...	# a scripted SMTP session
#	... start the MTA on 127.0.0.1:$E_MTA_PORT, define the hooks
#	e2e_cases $E2E_CASES		# the cases (t/e2e/cases.sh)
#	tap_done			# summary line, exit status
#
# Results: tap_ok, tap_fail, tap_check (t/lib/tap.sh); processes:
# proc_free_port, proc_stop (t/lib/proc.sh); the daemon: t/lib/daemon.sh;
# a private Postfix: t/lib/postfix.sh.
#
# An MTA script defines these hooks before e2e_cases:
#	e2e_mta_queue_empty		# status 0 when nothing is queued
#	e2e_mta_accept RCPT		# the MTA's "250" line for RCPT
#	e2e_mta_data_ok			# "DATA -> " + its reply to the end
#					#   of data, the queue id as "QID"
#	e2e_mta_refuse RCPT LINE	# the MTA's rendering of the milter's
#					#   reply LINE ("550 5.7.25 text")
#	e2e_mta_qid FILE		# the queue id from swaks output FILE
#	e2e_mta_stop			# stop the MTA (called by the cleanup)
# and lists its log files in E_LOGS (printed after a failure).  What else
# a test starts, a function in E_STOP stops (e2e_cleanup calls them).
#
# Nothing here may use the machine's resolver: the MTA and swaks run in a
# private mount namespace whose /etc/resolv.conf names only dns-refuse.pl
# (REFUSED to every query, each one logged), /etc/hosts maps
# mx.example.net to 127.0.0.1 and /etc/nsswitch.conf says "hosts: files
# dns" (no nss module that talks to a system resolver by another path),
# and /run/nscd is empty.  rdns-milter uses the world's unbound.conf.
# Everything listens on 127.0.0.0/8.
#
# Paths come from the environment that "make check" sets (abs_top_srcdir,
# abs_top_builddir, see t/cli/local.am), else from the script's
# location and the current directory.  The work directory is created under
# $TMPDIR (unix socket paths must stay short), removed after success and
# kept, with its logs printed, after a failure (E2E_KEEP=1 keeps it always).

set -u
export LC_ALL=C
# smtp-sink, postfix, runuser and friends live in sbin.
PATH=$PATH:/usr/sbin:/sbin

e2e_name=$(basename "$0" .sh)
if [ -z "${abs_top_srcdir:-}" ]; then
	abs_top_srcdir=$(cd "$(dirname "$0")/../.." && pwd) || exit 99
fi
abs_top_builddir=${abs_top_builddir:-$PWD}
export abs_top_srcdir abs_top_builddir
. "$abs_top_srcdir/t/lib/tap.sh" || exit 99
. "$abs_top_srcdir/t/lib/proc.sh" || exit 99
E_SRC=$abs_top_srcdir/t/e2e
RDNS_MILTER=${RDNS_MILTER:-$abs_top_builddir/milter/rdns-milter}
. "$abs_top_srcdir/t/lib/daemon.sh" || exit 99
. "$abs_top_srcdir/t/lib/postfix.sh" || exit 99

# The authserv-id, and the user smtp-sink runs as (it refuses root).
E_AUTHSERV=mx.example.net
E_SINK_USER=nobody

E_DIR=
E_WORLD=
E_MILTER_PID=
E_MILTER_SOCK=
E_SINK_PID=
E_NS_PID=
E_MTA_PORT=
E_SINK_PORT=
E_LOGS=
# Functions e2e_cleanup calls first: what site.sh or a test started.
E_STOP=

# e2e_require TOOL...: skip when one is not in PATH.
e2e_require()
{
	local t

	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
		    tap_skip_all "$t not found (see t/e2e/local.am for the" \
		    "Debian packages)"
	done
}

# e2e_init: checks and the work directory.  Exits 77 when the test cannot
# run here, 99 when the build is incomplete.
e2e_init()
{
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root (MTA daemons, a" \
	    "private mount namespace, port 53 on a loopback address)"
	e2e_require swaks perl smtp-sink unshare mount hostname runuser
	[ -x "$RDNS_MILTER" ] || tap_bail "$RDNS_MILTER not built"
	. "$abs_top_srcdir/t/dns/world.sh" || tap_bail "cannot read world.sh"
	world_check_tools >/dev/null 2>&1 ||
	    tap_skip_all "the DNS world cannot run here:" \
	    "$(world_check_tools 2>&1)"
	unshare -m -u --propagation private true 2>/dev/null ||
	    tap_skip_all "unshare -m -u does not work here (no CAP_SYS_ADMIN?)"
	[ -e /etc/resolv.conf ] || tap_skip_all "no /etc/resolv.conf to hide"
	id "$E_SINK_USER" >/dev/null 2>&1 ||
	    tap_skip_all "no user $E_SINK_USER for smtp-sink"
	E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rdns-e2e-$e2e_name.XXXXXX") ||
	    tap_bail "mktemp"
	trap e2e_cleanup EXIT
	trap 'exit 99' HUP INT TERM
	chmod 755 "$E_DIR" || tap_bail "chmod $E_DIR"
	# The MTA's unprivileged processes reach the milter socket and the
	# sink writes here: every parent must be searchable.
	runuser -u "$E_SINK_USER" -- test -x "$E_DIR" ||
	    tap_skip_all "$E_DIR is not reachable by other users: set TMPDIR"
	echo "# work directory $E_DIR"
}

e2e_world()
{
	E_WORLD=$E_DIR/world
	if ! world_start "$E_WORLD" >"$E_DIR/world.out" 2>&1; then
		sed 's/^/# /' "$E_DIR/world.out"
		tap_bail "the test DNS world did not start"
	fi
	chmod 755 "$E_WORLD"
	echo "# world: nsd on 127.0.0.1@$WORLD_PORT"
}

# e2e_milter_conf: $E_DIR/rdns.conf from the world's rdns.conf (resolver:
# the world only), the settings every scenario relies on, and stdin.
# 127.0.0.0/8 must not be trusted (the default TrustedNetworks is).
e2e_milter_conf()
{
	{
		cat "$E_WORLD/rdns.conf"
		cat <<-EOF
		Syslog no
		AuthservID $E_AUTHSERV
		UMask 000
		EOF
		cat
	} >"$E_DIR/rdns.conf"
}

# e2e_milter_start [N [WRAPPER...]]: check $E_DIR/rdnsN.conf (-n), then
# start rdns-milter with it on unix:$E_DIR/rdnsN.sock (E_MILTER_SOCK), its
# log in $E_DIR/milterN.log (N: empty for the one daemon of a test), with
# WRAPPER in front (e2e_ns_exec: in the private namespace); E_MILTER_PID.
# Stopped by e2e_cleanup.
e2e_milter_start()
{
	local n=${1:-} conf=$E_DIR/rdns${1:-}.conf

	shift 2>/dev/null
	E_MILTER_SOCK=$E_DIR/rdns$n.sock
	"$RDNS_MILTER" -n -c "$conf" >"$E_DIR/milter$n-n.out" 2>&1 ||
	    { sed 's/^/# /' "$E_DIR/milter$n-n.out"; tap_bail "${conf##*/}"; }
	daemon_start "$conf" "unix:$E_MILTER_SOCK" "$E_DIR/milter$n.log" \
	    "$@" || tap_bail "rdns-milter${n:+ $n}"
	E_MILTER_PID=$DAEMON_PID
}

# e2e_wait_listen ADDR PORT PID: wait (15 s) until a TCP socket listens on
# ADDR:PORT (/proc/net/tcp), or PID is gone.
e2e_wait_listen()
{
	proc_wait 15 "$3" proc_listening "$1" "$2"
}

# e2e_sink_start ADDR: smtp-sink on ADDR (127.0.0.0/8) and a free port
# (E_SINK_PORT); one file per transaction in $E_DIR/sink.
e2e_sink_start()
{
	local try

	E_SINK_ADDR=$1
	mkdir -p "$E_DIR/sink" && chown "$E_SINK_USER" "$E_DIR/sink" ||
	    tap_bail "sink directory"
	for try in 1 2 3 4 5; do
		E_SINK_PORT=$(proc_free_port) || tap_bail "no free port"
		smtp-sink -u "$E_SINK_USER" -d "$E_DIR/sink/%H%M%S." \
		    "$E_SINK_ADDR:$E_SINK_PORT" 100 >"$E_DIR/sink.log" 2>&1 \
		    </dev/null &
		E_SINK_PID=$!
		e2e_wait_listen "$E_SINK_ADDR" "$E_SINK_PORT" "$E_SINK_PID" &&
		    return 0
		kill "$E_SINK_PID" 2>/dev/null
		wait "$E_SINK_PID" 2>/dev/null
		E_SINK_PID=
	done
	sed 's/^/# /' "$E_DIR/sink.log"
	tap_bail "smtp-sink did not start"
}

# e2e_ns_start: the files the MTA sees instead of the machine's, and the
# refusing name server they name (on 127.0.53.N, N random; the address
# must be one nothing else listens on).
e2e_ns_start()
{
	local ns=$E_DIR/ns try addr

	mkdir -p "$ns/empty" || tap_bail "mkdir"
	: >"$ns/queries.log"
	for try in 1 2 3 4 5 6 7 8; do
		addr=127.0.53.$((RANDOM % 250 + 2))
		perl "$E_SRC/dns-refuse.pl" "$addr" "$ns/queries.log" $$ \
		    >"$ns/refuse.out" 2>&1 </dev/null &
		E_NS_PID=$!
		proc_wait 5 "$E_NS_PID" grep -q '^ready$' "$ns/refuse.out" &&
		    break
		kill "$E_NS_PID" 2>/dev/null
		wait "$E_NS_PID" 2>/dev/null
		E_NS_PID=
	done
	if [ -z "$E_NS_PID" ]; then
		sed 's/^/# /' "$ns/refuse.out"
		tap_skip_all "cannot bind a private name server on" \
		    "127.0.53.x:53"
	fi
	printf 'nameserver %s\noptions attempts:1 timeout:1\n' "$addr" \
	    >"$ns/resolv.conf"
	printf '127.0.0.1\t%s localhost\n' "$E_AUTHSERV" >"$ns/hosts"
	if [ -f /etc/nsswitch.conf ]; then
		sed 's/^hosts:.*/hosts: files dns/' /etc/nsswitch.conf
	else
		echo 'hosts: files dns'
	fi >"$ns/nsswitch.conf"
	grep -q '^hosts: files dns$' "$ns/nsswitch.conf" ||
	    echo 'hosts: files dns' >>"$ns/nsswitch.conf"
}

# e2e_ns_exec CMD...: exec CMD in a private mount and UTS namespace with
# the files of e2e_ns_start over /etc, host name mx.example.net, and an
# empty /run/nscd (a running nscd would answer with the system's view).
e2e_ns_exec()
{
	local ns=$E_DIR/ns

	exec unshare -m -u --propagation private sh -c '
	    ns=$1; shift
	    hostname "$0" &&
	    mount --bind "$ns/hosts" /etc/hosts &&
	    mount --bind "$ns/resolv.conf" /etc/resolv.conf &&
	    mount --bind "$ns/nsswitch.conf" /etc/nsswitch.conf &&
	    { [ ! -d /run/nscd ] || mount --bind "$ns/empty" /run/nscd; } &&
	    exec "$@"' "$E_AUTHSERV" "$ns" "$@"
}

# The DNS queries the MTA made (answered REFUSED), one "NAME TYPE" a line.
e2e_ns_queries()
{
	cat "$E_DIR/ns/queries.log"
}

# e2e_compose NAME RCPTS [HEADERS]: the message $E_DIR/NAME.eml from
# a@sender.test to RCPTS (a comma list), marked "X-E2E-Case: NAME";
# HEADERS (lines) go after the standard ones.
e2e_compose()
{
	local c=$1 rcpts=$2 extra=${3:-}

	{
		echo "From: <a@sender.test>"
		echo "To: <${rcpts//,/>, <}>"
		echo "Subject: rdns-milter e2e $c"
		echo "Message-Id: <$c.e2e@sender.test>"
		echo "X-E2E-Case: $c"
		[ -n "$extra" ] && printf '%s\n' "$extra"
		echo
		echo "Test message $c."
	} >"$E_DIR/$c.eml"
}

# e2e_send CASE CLIENT HELO RCPTS [HEADERS]: one SMTP transaction with
# swaks from CLIENT (a 127.0.0.x address) to the MTA, the message of
# e2e_compose CASE RCPTS [HEADERS].  swaks' transcript is in
# $E_DIR/CASE.swaks.
e2e_send()
{
	local c=$1 ip=$2 helo=$3 rcpts=$4

	e2e_compose "$c" "$rcpts" "${5:-}"
	# In the namespace too: swaks looks up its own host name.
	(e2e_ns_exec swaks --server "127.0.0.1:$E_MTA_PORT" \
	    --local-interface "$ip" --helo "$helo" --from a@sender.test \
	    --to "$rcpts" --data "@$E_DIR/$c.eml" --timeout 30) \
	    >"$E_DIR/$c.swaks" 2>&1 </dev/null
}

# e2e_smtp CASE CLIENT COMMAND...: one SMTP session from CLIENT to the MTA
# that says what swaks cannot: each COMMAND in turn, each answered before
# the next; "DATA NAME" says DATA and, after a 354, sends the message
# $E_DIR/NAME.eml (e2e_compose) and its final dot.  Several transactions,
# RSET, a new EHLO.  The transcript is in $E_DIR/CASE.swaks, in swaks'
# form (" -> " what we sent, "<-  " a reply, "<** " a 4xx or 5xx reply),
# for e2e_replies and the MTA's e2e_mta_qid.  2 minutes at most.
e2e_smtp()
{
	local c=$1 ip=$2

	shift 2
	(e2e_ns_exec perl -MIO::Socket::INET -e '
	    my ($port, $ip, $dir, @cmds) = @ARGV;
	    $| = 1;
	    alarm 120;
	    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		PeerPort => $port, LocalAddr => $ip, Timeout => 30)
		or die "connect: $!\n";
	    sub reply {
		my $l;
		do {
			$l = <$s>;
			defined $l or die "*** the server closed\n";
			$l =~ s/\r?\n$//;
			print(($l =~ /^[45]/ ? "<** " : "<-  "), "$l\n");
		} while ($l =~ /^\d{3}-/);
		return $l;
	    }
	    sub say { print " -> $_[0]\n"; print $s "$_[0]\r\n" }
	    reply();
	    for my $c (@cmds) {
		my $eml = $c =~ s/^DATA (\S+)$/DATA/ ? "$dir/$1.eml" : undef;
		say($c);
		next unless reply() =~ /^354/ && defined $eml;
		open(my $f, "<", $eml) or die "$eml: $!\n";
		while (my $l = <$f>) {
			chomp $l;
			say($l =~ /^\./ ? ".$l" : $l);
		}
		say(".");
		reply();
	    }' "$E_MTA_PORT" "$ip" "$E_DIR" "$@") >"$E_DIR/$c.swaks" 2>&1 \
	    </dev/null
}

# e2e_replies CASE: the server's reply to each RCPT and to the end of
# data, one a line: "RCPT <addr> -> 250 ...", "DATA -> 250 ..." (each
# queue id replaced by "QID").
e2e_replies()
{
	local qids

	qids=$(e2e_mta_qid "$E_DIR/$1.swaks")
	awk -v qids="$qids" '
	BEGIN { nq = split(qids, q, "\n") }
	/^ -> RCPT TO:/ { what = "RCPT " substr($0, 13); next }
	/^ -> \.$/ { what = "DATA"; next }
	/^ -> / { what = ""; next }
	/^(<-|<\*\*) / && what != "" {
		t = substr($0, 5)
		for (k = 1; what == "DATA" && k <= nq; k++)
			if (q[k] != "" && (i = index(t, q[k])) > 0)
				t = substr(t, 1, i - 1) "QID" \
				    substr(t, i + length(q[k]))
		print what " -> " t
		if (t ~ /^[0-9][0-9][0-9] /)
			what = ""
	}' "$E_DIR/$1.swaks"
}

# e2e_settle: wait (20 s) until the MTA's queue is empty: every message
# accepted so far has then been delivered to the sink (or lost).
e2e_settle()
{
	proc_wait 20 "" e2e_mta_queue_empty
}

# e2e_delivered CASE: the sink files holding the message of CASE (after
# e2e_settle), one a line.
e2e_delivered()
{
	grep -l -x -F "X-E2E-Case: $1" "$E_DIR"/sink/* 2>/dev/null
}

# e2e_rcpts FILE: the envelope recipients of a sink file, sorted.
e2e_rcpts()
{
	sed -n 's/^X-Rcpt-Args: <\([^>]*\)>.*/\1/p' "$1" | sort
}

# e2e_message FILE: the delivered message, without the sink's envelope
# lines and its own Received: field.
e2e_message()
{
	awk '
	state == 0 && /^X-[A-Za-z-]*: / { next }
	state == 0 && /^Received: / { state = 1; next }
	state == 1 && /^[ \t]/ { next }
	{ state = 2; sub(/\r$/, ""); print }' "$1"
}

# e2e_ar_fields FILE: every Authentication-Results field in the header of
# the delivered message, folded as delivered, in order.
e2e_ar_fields()
{
	e2e_message "$1" | awk '
	/^$/ { exit }
	/^[^ \t]/ { on = tolower($0) ~ /^authentication-results:/ }
	on { print }'
}

# e2e_first_field FILE: the name of the first header field.
e2e_first_field()
{
	e2e_message "$1" | sed -n '1s/:.*//p'
}

# e2e_summary QID: the daemon's log line for queue id QID (SPEC 3.3),
# the timing replaced by "ms=N", without the connection's context
# ("client=host[ip] conn=N": the MTA's own view of the client name).
e2e_summary()
{
	sed -n -e 's/ ms=[0-9][0-9]* client=[^ ]* conn=[0-9][0-9]*$/ ms=N/' \
	    -e "s/^rdns-milter: \\($1: ip=.*\\)\$/\\1/p" "$E_DIR/milter.log"
}

# e2e_wait_summary QID: wait (5 s) for the daemon's line for QID.
e2e_wait_summary()
{
	proc_wait 5 "" e2e_has_summary "$1"
}

e2e_has_summary()
{
	[ -n "$(e2e_summary "$1")" ]
}

# e2e_ar_want IPREV XPTR: the header the daemon must add (SPEC 3.1): the
# iprev and x-ptr result elements, each on its own folded line.
e2e_ar_want()
{
	printf 'Authentication-Results: %s;\n\t%s;\n\t%s\n' "$E_AUTHSERV" \
	    "$1" "$2"
}

# e2e_expect_delivered CASE RCPTS WANT_AR [OURS]: CASE was delivered exactly
# once, to RCPTS (newline-separated, sorted) only, with WANT_AR (all
# Authentication-Results fields, in order) exact and, unless OURS is
# "no", our field first in the message.
e2e_expect_delivered()
{
	local c=$1 rcpts=$2 want=$3 ours=${4:-yes} files n f

	files=$(e2e_delivered "$c")
	n=$(printf '%s' "$files" | grep -c .)
	if [ "$n" -ne 1 ]; then
		tap_fail "$c: delivered exactly once" "got $n deliveries"
		return 1
	fi
	tap_ok "$c: delivered exactly once"
	f=$files
	tap_check "$c: delivered to the accepted recipients only" \
	    "$(e2e_rcpts "$f")" "$rcpts"
	tap_check "$c: Authentication-Results as delivered" \
	    "$(e2e_ar_fields "$f")" "$want"
	if [ "$ours" = yes ]; then
		tap_check "$c: our field is the first of the message" \
		    "$(e2e_first_field "$f")" "Authentication-Results"
	fi
	# RFC 5322 2.1.1 (SPEC 3.1): our lines stay under 78 characters.
	tap_check "$c: no header line of 78 characters or more" \
	    "$(e2e_ar_fields "$f" | awk 'length($0) >= 78')" ""
}

# e2e_expect_replies CASE WANT: the RCPT and end-of-data replies.
e2e_expect_replies()
{
	tap_check "$1: SMTP replies" "$(e2e_replies "$1")" "$2"
}

# e2e_expect_summary CASE WANT [N]: the daemon's log line for the queue id
# the MTA gave CASE (the N-th message of its session, default 1; WANT
# without the "QID: " prefix).
e2e_expect_summary()
{
	local qid d=$1${3:+, message $3}

	qid=$(e2e_mta_qid "$E_DIR/$1.swaks" | sed -n "${3:-1}p")
	if [ -z "$qid" ]; then
		tap_fail "$d: the MTA gave a queue id"
		return 1
	fi
	e2e_wait_summary "$qid"
	tap_check "$d: the daemon logs one line with the MTA's queue id" \
	    "$(e2e_summary "$qid")" "$qid: $2"
}

. "$E_SRC/cases.sh" || exit 99

e2e_cleanup()
{
	local rc=$? f

	trap - EXIT
	# libmilter sees SIGTERM at its next 5-second poll: start early.
	daemon_signal_all TERM
	for f in $E_STOP; do
		"$f"
	done
	if declare -F e2e_mta_stop >/dev/null; then
		e2e_mta_stop
	fi
	proc_stop "$E_SINK_PID" 5
	proc_stop "$E_NS_PID" 5
	daemon_stop_all 8
	[ -n "$E_WORLD" ] && world_stop "$E_WORLD"
	[ "$rc" -eq 0 ] && [ "$TAP_FAIL" -ne 0 ] && rc=1
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		[ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$E_DIR"
	elif [ -n "$E_DIR" ] && [ -d "$E_DIR" ]; then
		echo "# FAILED: work directory kept: $E_DIR"
		for f in $DAEMON_LOGS $E_LOGS; do
			[ -s "$f" ] || continue
			echo "# ---- $f (last 60 lines)"
			tail -n 60 "$f" | sed 's/^/# /'
		done
	fi
	exit "$rc"
}
