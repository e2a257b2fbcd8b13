# SPDX-License-Identifier: BSD-2-Clause
# pflib.sh - a private Postfix instance for the benchmarks (bash library).
#
# Sourced after bench/common.sh by bench/postfix.sh and bench/roundtrips.sh
# (see bench/README.md):
#
#	pf_reexec "$@"			# private namespaces when root
#	pf_trap				# stop Postfix (and all) on exit
#	pf_tools SECTION || exit 0	# postfix, smtp-source, smtp-sink, root
#	pf_ports			# SMTPD_PORT, SINK_PORT
#	W=...; pf_init			# PF=$W/pf, fresh directories
#	pf_start			# the instance, smtp-sink, postfix
#	pf_set NAME=VALUE...		# postconf -e, reload
#	pf_drain			# wait for an empty queue
#	pf_source_time SESSIONS MESSAGES [SMTP-SOURCE OPTION...]
#	pf_stop
#
# The instance is the tests' (t/lib/postfix.sh: postfix -c $PF/etc, its
# own configuration and queue directories, the log in $PF/postfix.log;
# the system instance is never touched).  It listens on
# 127.0.0.1:SMTPD_PORT and relays everything to smtp-sink on
# 127.0.0.1:SINK_PORT.  It never uses DNS for delivery
# (smtp_dns_support_level = disabled, relayhost = [127.0.0.1]:SINK_PORT)
# nor for clients (smtpd_peername_lookup = no, until a script changes it
# inside the private namespace only).  What the bench adds: relaying for
# 127.0.0.0/8, no client or HELO restriction, no arrival delay, and no
# process or connection limit below what smtp-source sends.

# shellcheck source=../t/lib/postfix.sh
. "$(dirname "${BASH_SOURCE[0]}")/../t/lib/postfix.sh" || exit 1

# pf_reexec ARGS...: as root with unshare(1), re-run the calling script
# in a private network and mount namespace (its own loopback), unless
# run-all.sh already made one.  Brings lo up in the new namespace.
pf_reexec()
{
	if [ "${BENCH_NETNS:-0}" != 1 ] &&
	    [ "${BENCH_WORLD_SHARED:-0}" != 1 ] && [ "$(id -u)" = 0 ] &&
	    command -v unshare >/dev/null 2>&1 &&
	    unshare --net --mount true 2>/dev/null; then
		BENCH_NETNS=1 exec unshare --net --mount --fork -- \
		    "$BASH" "$0" "$@"
	fi
	if [ "${BENCH_NETNS:-0}" = 1 ] && [ -z "${BENCH_TOP_PID:-}" ]; then
		ip link set lo up 2>/dev/null
	fi
	return 0
}

# pf_trap: on exit stop Postfix, and everything else when this script is
# the top one (not run by run-all.sh).
pf_trap()
{
	if [ -z "${BENCH_TOP_PID:-}" ]; then
		BENCH_TOP_PID=$$
		trap 'pf_stop; bench_cleanup' EXIT
	else
		trap 'pf_stop' EXIT
	fi
}

# pf_tools SECTION: 0 when Postfix's programs are there and we are root;
# otherwise records SECTION skipped reason ... and returns 1.
pf_tools()
{
	local p

	for p in postfix postconf smtp-source smtp-sink; do
		if ! command -v "$p" >/dev/null 2>&1 &&
		    [ ! -x "/usr/sbin/$p" ]; then
			bench_log "$1: $p missing (Debian package postfix):" \
			    "skipped"
			bench_record "$1" skipped reason "no $p"
			return 1
		fi
	done
	PATH=$PATH:/usr/sbin
	if [ "$(id -u)" != 0 ]; then
		bench_log "$1: needs root: skipped"
		bench_record "$1" skipped reason "not root"
		return 1
	fi
	return 0
}

# pf_ports: SMTPD_PORT and SINK_PORT; the ports after them (+2 ...) are
# the callers' to use.
pf_ports()
{
	SMTPD_PORT=10025
	if [ "${BENCH_NETNS:-0}" != 1 ]; then
		# Shared loopback: pick free-looking ports.
		SMTPD_PORT=$((20000 + RANDOM % 10000))
	fi
	SINK_PORT=$((SMTPD_PORT + 1))
}

# pf_init: PF=$W/pf ($W is the caller's work directory, emptied here).
pf_init()
{
	PF=$W/pf
	rm -rf "$W"
	mkdir -p "$W" || exit 1
}

pf_stop()
{
	[ -n "${PF:-}" ] && postfix_stop "$PF"
	[ -n "${SINK_PID:-}" ] && kill "$SINK_PID" 2>/dev/null
	return 0
}

# pf_start: write the configuration, start smtp-sink and Postfix, wait
# until Postfix listens.  No milter yet (pf_set smtpd_milters=...).
pf_start()
{
	postfix_conf "$PF" "$SMTPD_PORT" mx.bench.test "$SINK_PORT" \
	    myorigin=bench.test \
	    "smtpd_relay_restrictions = permit_mynetworks, reject" \
	    smtpd_client_restrictions= smtpd_helo_restrictions= \
	    smtpd_helo_required=no in_flow_delay=0 default_process_limit=100 \
	    smtpd_client_connection_count_limit=0 \
	    smtpd_client_connection_rate_limit=0 ||
	    bench_die "cannot write the private Postfix's configuration"
	smtp-sink -u postfix "127.0.0.1:$SINK_PORT" 256 >"$W/sink.log" 2>&1 &
	SINK_PID=$!
	bench_track "$SINK_PID"
	postfix_start "$PF" "$SMTPD_PORT" ||
	    bench_die "the private Postfix did not start, see $PF/start.out"
}

# pf_set NAME=VALUE...: change main.cf and reload (1 s for the new smtpd
# processes to take over).
pf_set()
{
	postfix_set "$PF" "$@"
	postfix -c "$PF/etc" reload >/dev/null 2>&1
	sleep 1
}

# Wait (30 s at most) until the queue is empty: the previous
# measurement's deliveries must not load the next one.
pf_drain()
{
	proc_wait 30 "" postfix_queue_empty "$PF" ||
	    bench_log "warning: messages still queued"
}

# pf_source_time SESSIONS MESSAGES [OPTION...]: wall seconds for
# smtp-source to send MESSAGES over SESSIONS parallel sessions (one
# message per connection), as HELO lo.sec.test, from sender@bench.test
# to user@remote.test.  A failure is logged and counted in
# $W/source.errors.
pf_source_time()
{
	local s=$1 m=$2 t0 t1

	shift 2
	t0=$(date +%s.%N)
	if ! smtp-source -s "$s" -m "$m" -M lo.sec.test \
	    -f sender@bench.test -t user@remote.test "$@" \
	    "127.0.0.1:$SMTPD_PORT" >>"$W/source.log" 2>&1; then
		bench_log "warning: smtp-source failed"
		echo "$s $m $*" >>"$W/source.errors"
	fi
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'
}
