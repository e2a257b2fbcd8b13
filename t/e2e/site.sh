# SPDX-License-Identifier: BSD-2-Clause
# site.sh - a mail site for the t/e2e tests: a site resolver and private
# Postfix instances of t/lib/postfix.sh (bash; sourced after lib.sh, used
# after e2e_world, e2e_sink_start and e2e_ns_start).
#
#	e2e_unbound_start NAME		# unbound on 127.0.54.N:53, forwarding
#					#   into the world; sets UB_ADDR_NAME
#	e2e_unbound_ctl NAME ARGS...	# unbound-control for it
#	e2e_unbound_stat NAME KEY	# one value of "stats_noreset"
#	e2e_ns_resolver ADDR		# e2e_ns_exec resolves through ADDR
#	e2e_pf_start NAME PORT MILTERS	# a private Postfix on 127.0.0.1:PORT
#	e2e_pf_milters NAME MILTERS	# new smtpd_milters, postfix reload
#	e2e_pf_queue_empty NAME
#	e2e_pf_stop_all
#
# The daemon is Debian's unbound (package unbound), validating, with the
# stub zones and trust anchors of the world's unbound.conf: every name
# ends in the world, nothing ever goes to the real root.  It listens on
# port 53 of a random 127.0.54.N (the glibc resolver knows no other port)
# and answers 127.0.0.0/8; unbound-control talks to it over a Unix socket
# in the work directory.  The Postfix instances and the resolvers are
# stopped by e2e_cleanup (E_STOP).

E_UNBOUND_PIDS=
E_STOP="$E_STOP e2e_pf_stop_all e2e_unbound_stop_all"

e2e_unbound_start()
{
	local name=$1 dir=$E_DIR/unbound-$1 try addr pid

	command -v unbound >/dev/null 2>&1 &&
	    command -v unbound-control >/dev/null 2>&1 ||
	    tap_skip_all "unbound not found (Debian package unbound)"
	mkdir -p "$dir" || tap_bail "mkdir $dir"
	for try in 1 2 3 4 5 6 7 8; do
		addr=127.0.54.$((RANDOM % 250 + 2))
		{
			cat "$E_WORLD/unbound.conf"
			cat <<-EOF
			server:
			    interface: $addr@53
			    access-control: 127.0.0.0/8 allow
			    pidfile: "$dir/unbound.pid"
			    num-threads: 1
			    extended-statistics: yes
			    statistics-cumulative: yes
			remote-control:
			    control-enable: yes
			    control-interface: "$dir/control.sock"
			    control-use-cert: no
			EOF
		} >"$dir/unbound.conf"
		unbound -d -c "$dir/unbound.conf" >"$dir/unbound.out" 2>&1 \
		    </dev/null &
		pid=$!
		if proc_wait 10 "$pid" e2e_unbound_ready "$dir" "$addr"; then
			E_UNBOUND_PIDS="$E_UNBOUND_PIDS $pid"
			eval "UB_ADDR_$name=\$addr"
			eval "UB_PID_$name=\$pid"
			E_LOGS="$E_LOGS $dir/unbound.out"
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	sed 's/^/# /' "$dir/unbound.out"
	tap_bail "unbound did not start"
}

# Ready when it answers a name of the world on its address.
e2e_unbound_ready()
{
	unbound-control -c "$1/unbound.conf" status >/dev/null 2>&1 &&
	    drill -Q @"$2" mta.sec.test A 2>/dev/null | grep -q .
}

e2e_unbound_ctl()
{
	local name=$1

	shift
	unbound-control -c "$E_DIR/unbound-$name/unbound.conf" "$@"
}

# e2e_unbound_stat NAME KEY: KEY's value in "stats_noreset" (0 if absent).
e2e_unbound_stat()
{
	e2e_unbound_ctl "$1" stats_noreset |
	    awk -F= -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}

e2e_unbound_stop_all()
{
	local pid

	for pid in $E_UNBOUND_PIDS; do
		proc_stop "$pid" 5
	done
	E_UNBOUND_PIDS=
}

# e2e_ns_resolver ADDR: from now on, e2e_ns_exec commands resolve through
# ADDR (a site resolver of this file) instead of the refusing server.
e2e_ns_resolver()
{
	printf 'nameserver %s\noptions attempts:2 timeout:2\n' "$1" \
	    >"$E_DIR/ns/resolv.conf"
}

E_PF_NAMES=

# e2e_pf_start NAME PORT MILTERS: a private Postfix instance
# (t/lib/postfix.sh, under $E_DIR/pf-NAME, its log in pf-NAME/postfix.log)
# on 127.0.0.1:PORT relaying every accepted message for example.com to
# the sink, with smtpd_milters = MILTERS and no DNS lookup of its own.
# Runs in the private namespace.
e2e_pf_start()
{
	local name=$1 port=$2 d=$E_DIR/pf-$1

	postfix_conf "$d" "$port" "$E_AUTHSERV" "$E_SINK_PORT" \
	    "relay_domains = example.com" \
	    "smtpd_relay_restrictions = permit_auth_destination, reject" \
	    "smtpd_recipient_restrictions = permit_auth_destination, reject" \
	    "smtpd_milters = $3" || tap_bail "postfix $name configuration"
	E_PF_NAMES="$E_PF_NAMES $name"
	E_LOGS="$E_LOGS $d/postfix.log $d/start.out"
	if ! postfix_start "$d" "$port" e2e_ns_exec; then
		sed 's/^/# /' "$d/start.out"
		tap_bail "postfix $name did not start"
	fi
}

# e2e_pf_milters NAME MILTERS: smtpd_milters = MILTERS, then reload (new
# smtpd processes take it; wait a moment before the next connection).
e2e_pf_milters()
{
	local d=$E_DIR/pf-$1

	postfix_set "$d" "smtpd_milters = $2" &&
	    (e2e_ns_exec postfix -c "$d/etc" reload) >>"$d/start.out" 2>&1
}

# e2e_pf_queue_empty NAME: nothing is queued in instance NAME.
e2e_pf_queue_empty()
{
	postfix_queue_empty "$E_DIR/pf-$1"
}

e2e_pf_stop_all()
{
	local name

	for name in $E_PF_NAMES; do
		postfix_stop "$E_DIR/pf-$name"
	done
	E_PF_NAMES=
}
