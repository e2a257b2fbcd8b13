# SPDX-License-Identifier: BSD-2-Clause
# proc.sh - waiting for and stopping the processes of a shell test (bash;
# sourced by the t/*/lib.sh that start daemons).
#
#	proc_wait SECONDS PID CMD...	# poll CMD until it succeeds
#	proc_reap PID SECONDS		# wait for a child to exit; PROC_RC
#	proc_stop PID SECONDS		# TERM, then KILL after SECONDS
#	proc_wait_all PID...		# wait for children; PROC_FAILED
#	proc_free_port			# a free TCP port on 127.0.0.1, not
#					# an ephemeral one
#	proc_listening ADDR PORT	# a TCP socket listens on ADDR:PORT
#
# Polls run every 20 ms.  proc_reap and proc_stop must run in the shell
# that started PID (only the parent collects an exit status), not in
# $(...).

# proc_wait SECONDS PID CMD...: run CMD every 20 ms until it succeeds
# (return 0); return 1 once PID (if not empty) is gone or after SECONDS.
proc_wait()
{
	local n=$(($1 * 50)) pid=$2 i

	shift 2
	for i in $(seq 1 "$n"); do
		"$@" && return 0
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

# proc_reap PID SECONDS: wait until PID, a child of this shell, has
# exited; its exit status goes to PROC_RC.  Returns 1 if it still runs.
proc_reap()
{
	local pid=$1 i

	PROC_RC=
	for i in $(seq 1 $(($2 * 50))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 "$pid" 2>/dev/null; then
		return 1
	fi
	wait "$pid"
	PROC_RC=$?
	return 0
}

# proc_stop PID SECONDS: SIGTERM to PID (a child of this shell; nothing
# if PID is empty), SIGKILL if it has not exited after SECONDS; reaped.
proc_stop()
{
	local pid=$1

	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return; }
	proc_reap "$pid" "$2" 2>/dev/null && return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# proc_wait_all PID...: wait for each PID (children of this shell);
# PROC_FAILED lists those that exited non-zero (empty if none did).
proc_wait_all()
{
	local p

	PROC_FAILED=
	for p in "$@"; do
		wait "$p" || PROC_FAILED="$PROC_FAILED $p"
	done
}

# proc_free_port: a TCP port free on 127.0.0.1, taken at random below the
# kernel's ephemeral range (ip_local_port_range), so that no outgoing
# connection of another program can be given it between this check and
# the bind of the server it is for: a port the kernel chose (port 0) came
# from that range, and under a parallel make check a Postfix lost its
# port that way ("bind ... Address already in use").  Falls back to a
# kernel-chosen port.
proc_free_port()
{
	perl -MIO::Socket::INET -e '
	    my $lo = 32768;
	    if (open(my $f, "<", "/proc/sys/net/ipv4/ip_local_port_range")) {
		($lo) = split(" ", scalar <$f>);
	    }
	    my $hi = $lo > 11000 ? $lo - 1 : 32767;
	    for (1 .. 200) {
		my $p = 10000 + int(rand($hi - 10000 + 1));
		IO::Socket::INET->new(LocalAddr => "127.0.0.1",
		    LocalPort => $p, Proto => "tcp", Listen => 1,
		    ReuseAddr => 1) or next;
		print "$p\n";
		exit 0;
	    }
	    my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
		LocalPort => 0, Proto => "tcp", Listen => 1) or die "$!\n";
	    print $s->sockport, "\n";'
}

# proc_listening ADDR PORT: a TCP socket listens on the IPv4 ADDR:PORT
# (/proc/net/tcp: no connection is made, so a server counts no client).
proc_listening()
{
	local hex

	hex=$(echo "$1 $2" | awk '{ split($1, o, ".")
	    printf "%02X%02X%02X%02X:%04X\n", o[4], o[3], o[2], o[1], $2 }')
	awk -v a="$hex" '$2 == a && $4 == "0A" { f = 1 }
	    END { exit !f }' /proc/net/tcp 2>/dev/null
}
