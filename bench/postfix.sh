#!/bin/bash
# postfix.sh BUILDDIR - end to end through a private Postfix instance.
#
# A private Postfix (its own config and queue directories under
# BENCH_WORK/postfix; the system instance is never touched) listens on
# 127.0.0.1:10025 and relays everything to smtp-sink on 127.0.0.1:10026.
# Postfix never uses DNS for delivery (smtp_dns_support_level = disabled,
# relayhost = [127.0.0.1]:10026).  smtp-source sends the messages, as
# HELO lo.sec.test from 127.0.0.1 (the world: PTR lo.sec.test, A
# 127.0.0.1, DNSSEC secure).
#
# Rows, measured in turn in each run:
#	none		no milter
#	null unix/tcp	bench/nullmilter over a unix / TCP socket
#	rdns unix/tcp	rdns-milter (warm cache; 127.0.0.0/8 not trusted, so
#			every connection is checked; policy refuses a
#			missing PTR, so RCPT waits for the verdict)
#	rspamd unix/tcp	rspamd 3.4's milter proxy (self-scan) with only its
#			HFILTER module on, HELO and hostname checks: the
#			rDNS and HELO checks users run instead.  hfilter
#			takes the client's name from the MTA, so Postfix
#			looks it up (smtpd_peername_lookup = yes, through
#			the namespace's resolver below); hfilter itself
#			asks the world's nsd for the HELO name's MX, A
#			and AAAA.  Needs the namespace and rspamd(8)
#			(Debian package rspamd); skipped otherwise.
#	postfix-own	no milter; Postfix's own reject_unknown_client_hostname
#			and reject_unknown_helo_hostname.  Postfix then uses
#			the C library resolver: this needs the private
#			network and mount namespace that run-all.sh makes
#			(unshare), where /etc/resolv.conf and /etc/hosts are
#			replaced (bind mounts, in that namespace only) and
#			a relay (bench/dnsdelay, no delay) answers on
#			127.0.0.1:53 from the world's nsd, which holds every
#			zone.  Without the namespace the row is skipped.
#
# Measures: messages/s with smtp-source -s 20 (20 parallel sessions, one
# message each), and the time per message with smtp-source -s 1 (one
# session at a time): the milter's added latency is that row minus the
# "none" row.
#
# Records (bench/common.sh) section "postfix": per row msgs_per_s,
# ms_per_msg; for the rdns rows added_ms (rdns minus null, same socket
# kind, same run), ratio_null_mps (its msgs/s over the null milter's,
# same run) and checked (log lines with iprev=pass); for the rdns
# and rspamd rows added_none_ms (minus the "none" row, same run), the
# comparison the issue's rspamd targets use; for the rspamd rows
# scanned (messages rspamd logged) and ratio_mps (rdns msgs/s over
# rspamd's, same socket kind, same run); for
# postfix-own rejects (must be 0) and named (connections Postfix named
# lo.sec.test).
set -u

. "$(dirname "$0")/common.sh"
bench_init "${1:-}"

SMTPD_PORT=10025
SINK_PORT=10026

# A private network and mount namespace unless run-all.sh made one.
if [ "${BENCH_NETNS:-0}" != 1 ] && [ "${BENCH_WORLD_SHARED:-0}" != 1 ] &&
    [ "$(id -u)" = 0 ] &&
    command -v unshare >/dev/null 2>&1 &&
    unshare --net --mount true 2>/dev/null; then
	BENCH_NETNS=1 exec unshare --net --mount --fork -- \
	    "$BASH" "$0" "$@"
fi
if [ "${BENCH_NETNS:-0}" = 1 ] && [ -z "${BENCH_TOP_PID:-}" ]; then
	ip link set lo up 2>/dev/null
fi
if [ -z "${BENCH_TOP_PID:-}" ]; then
	BENCH_TOP_PID=$$
	trap 'pf_stop; bench_cleanup' EXIT
else
	trap 'pf_stop' EXIT
fi

W=$BENCH_WORK/postfix
PF=$W/pf
if [ "${BENCH_NETNS:-0}" != 1 ]; then
	# Shared loopback: pick free-looking ports.
	SMTPD_PORT=$((20000 + RANDOM % 10000))
	SINK_PORT=$((SMTPD_PORT + 1))
fi
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	NTHR=300 NSEQ=50
else
	NTHR=1500 NSEQ=500
fi

for p in postfix postconf smtp-source smtp-sink; do
	if ! command -v "$p" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$p" ]; then
		bench_log "postfix: $p missing (Debian package postfix):" \
		    "skipped"
		bench_record postfix skipped reason "no $p"
		exit 0
	fi
done
PATH=$PATH:/usr/sbin
[ "$(id -u)" = 0 ] || {
	bench_log "postfix: needs root: skipped"
	bench_record postfix skipped reason "not root"
	exit 0
}

bench_world || bench_die "cannot start the DNS world"
rm -rf "$W"
mkdir -p "$W" "$PF/etc" "$PF/queue" "$PF/data" || exit 1
chown postfix "$PF/data" || exit 1

pf_stop()
{
	if [ -f "$PF/etc/main.cf" ]; then
		postfix -c "$PF/etc" stop >/dev/null 2>&1
		postfix -c "$PF/etc" abort >/dev/null 2>&1
	fi
	[ -n "${SINK_PID:-}" ] && kill "$SINK_PID" 2>/dev/null
	return 0
}

# ---- Postfix's own DNS: resolv.conf and hosts of this namespace ----

OWN_DNS=0
if [ "${BENCH_NETNS:-0}" = 1 ]; then
	printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:2\n' \
	    >"$W/resolv.conf"
	# No names for 127.0.0.1 in files: Postfix must ask the DNS.
	printf '# bench: no entries\n' >"$W/hosts"
	if mount --bind "$W/resolv.conf" /etc/resolv.conf &&
	    mount --bind "$W/hosts" /etc/hosts; then
		"$DNSDELAY" -p 53 -u "$WORLD_PORT" -d 0 \
		    -w "$BENCH_TOP_PID" >"$W/dns53.port" \
		    2>>"$W/dns53.log" </dev/null &
		bench_track $!
		sleep 0.2
		if grep -q '^port 53$' "$W/dns53.port"; then
			OWN_DNS=1
		else
			bench_log "postfix: no resolver on 127.0.0.1:53"
		fi
	fi
fi

# ---- the private Postfix instance ----

cat >"$PF/etc/main.cf" <<EOF
# Generated by bench/postfix.sh: a private instance on 127.0.0.1.
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
myhostname = mx.bench.test
mydomain = bench.test
myorigin = bench.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_helo_required = no
smtpd_milters =
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
in_flow_delay = 0
smtpd_tls_security_level = none
smtp_tls_security_level = none
biff = no
default_process_limit = 100
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
EOF
cat >"$PF/etc/master.cf" <<EOF
# Generated by bench/postfix.sh (no chroot).
127.0.0.1:$SMTPD_PORT inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
showq     unix  n       -       n       -       -       showq
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

smtp-sink -u postfix "127.0.0.1:$SINK_PORT" 256 >"$W/sink.log" 2>&1 &
SINK_PID=$!
bench_track "$SINK_PID"
postfix -c "$PF/etc" check >"$W/check.log" 2>&1 ||
    bench_log "postfix check: see $W/check.log"
postfix -c "$PF/etc" start >"$W/start.log" 2>&1 ||
    bench_die "the private Postfix did not start, see $W/start.log"
for i in $(seq 1 250); do
	(exec 3<>"/dev/tcp/127.0.0.1/$SMTPD_PORT") 2>/dev/null && break
	sleep 0.02
done

# ---- the milters ----

bench_milter_conf "$W/rdns.conf"
printf '127.0.0.1 lo.sec.test\n' >"$W/ips"
RDNS_TCP=$((SMTPD_PORT + 2))
NULL_TCP=$((SMTPD_PORT + 3))
: >"$W/rdns.unix.log"
bench_rdns_start "$W/rdns.conf" "unix:$W/rdns.sock" "$W/rdns.unix.log"
RDNS_UNIX_PID=$MILTER_PID
: >"$W/rdns.tcp.log"
bench_rdns_start "$W/rdns.conf" "inet:$RDNS_TCP@127.0.0.1" \
    "$W/rdns.tcp.log"
RDNS_TCP_PID=$MILTER_PID
bench_null_start "unix:$W/null.sock" "$W/null.log"
bench_null_start "inet:$NULL_TCP@127.0.0.1" "$W/null.tcp.log"
# Postfix's smtpd runs as user postfix.
chmod 666 "$W/rdns.sock" "$W/null.sock"
# ---- rspamd, when installed and Postfix can name the client ----

# rspamd_start: a private rspamd (its own config, run, db and log
# directories under $W/rspamd) with the milter proxy on a unix socket and
# on TCP; sets RSPAMD_PID.  Its resolver asks the world's nsd only.
rspamd_start()
{
	local R=$W/rspamd i

	mkdir -p "$R/run" "$R/db" "$R/log" || return 1
	chown -R _rspamd:_rspamd "$R" 2>/dev/null || return 1
	cat >"$R/rspamd.conf" <<EOF
# Generated by bench/postfix.sh: rspamd's milter proxy, HFILTER only.
options {
	pidfile = "$R/run/rspamd.pid";
	hs_cache_dir = "$R/db";
	cache_file = "$R/db/symbols.cache";
	tempdir = "$R/run";
	dns {
		nameserver = ["127.0.0.1:$WORLD_PORT"];
		timeout = 1s;
		retransmits = 2;
	}
}
logging {
	type = "file";
	filename = "$R/log/rspamd.log";
	level = "info";
}
modules { path = "\${PLUGINSDIR}"; }
actions { reject = 15; add_header = 6; greylist = 4; }
hfilter {
	helo_enabled = true;
	hostname_enabled = true;
	check_local = true;
	url_enabled = false;
	from_enabled = false;
	rcpt_enabled = false;
	mid_enabled = false;
}
worker "rspamd_proxy" {
	bind_socket = "$R/run/proxy.sock mode=0666";
	bind_socket = "127.0.0.1:$RSPAMD_TCP";
	milter = yes;
	timeout = 120s;
	upstream "local" {
		default = yes;
		self_scan = yes;
	}
	count = 1;
}
EOF
	rm -f "$R/run/proxy.sock"
	rspamd -f -u _rspamd -g _rspamd -c "$R/rspamd.conf" \
	    >"$R/log/stdout" 2>&1 </dev/null &
	RSPAMD_PID=$!
	bench_track "$RSPAMD_PID"
	# Loading the configuration compiles maps: allow 60 s.
	for i in $(seq 1 3000); do
		kill -0 "$RSPAMD_PID" 2>/dev/null || return 1
		[ -S "$R/run/proxy.sock" ] &&
		    (exec 3<>"/dev/tcp/127.0.0.1/$RSPAMD_TCP") 2>/dev/null &&
		    return 0
		sleep 0.02
	done
	return 1
}

RSPAMD=0
RSPAMD_TCP=$((SMTPD_PORT + 4))
if [ "$OWN_DNS" != 1 ]; then
	bench_record postfix rspamd skipped "no private namespace"
elif ! command -v rspamd >/dev/null 2>&1; then
	bench_log "postfix: rspamd missing (Debian package rspamd): skipped"
	bench_record postfix rspamd skipped "rspamd not installed"
elif rspamd_start; then
	RSPAMD=1
else
	bench_log "postfix: rspamd did not start, see $W/rspamd/log"
	bench_record postfix rspamd skipped "rspamd did not start"
fi

# Warm the caches: the client and HELO names are looked up once.
"$MILTERLOAD" -s "unix:$W/rdns.sock" -n 2 -i "$W/ips" -H @ptr -q >/dev/null
"$MILTERLOAD" -s "inet:$RDNS_TCP@127.0.0.1" -n 2 -i "$W/ips" -H @ptr -q \
    >/dev/null

# ---- rows ----

# configure ROW: set the milters and restrictions of ROW, reload.
configure()
{
	local m='' own=no

	case $1 in
	none)		;;
	"null unix")	m=unix:$W/null.sock ;;
	"null tcp")	m=inet:127.0.0.1:$NULL_TCP ;;
	"rdns unix")	m=unix:$W/rdns.sock ;;
	"rdns tcp")	m=inet:127.0.0.1:$RDNS_TCP ;;
	"rspamd unix")	m=unix:$W/rspamd/run/proxy.sock own=name ;;
	"rspamd tcp")	m=inet:127.0.0.1:$RSPAMD_TCP own=name ;;
	postfix-own)	own=yes ;;
	esac
	if [ "$own" = yes ]; then
		postconf -c "$PF/etc" -e smtpd_peername_lookup=yes \
		    smtpd_helo_required=yes \
		    smtpd_client_restrictions=reject_unknown_client_hostname \
		    smtpd_helo_restrictions=reject_unknown_helo_hostname \
		    "smtpd_milters=$m"
	elif [ "$own" = name ]; then
		postconf -c "$PF/etc" -e smtpd_peername_lookup=yes \
		    smtpd_helo_required=no smtpd_client_restrictions= \
		    smtpd_helo_restrictions= "smtpd_milters=$m"
	else
		postconf -c "$PF/etc" -e smtpd_peername_lookup=no \
		    smtpd_helo_required=no smtpd_client_restrictions= \
		    smtpd_helo_restrictions= "smtpd_milters=$m"
	fi
	postfix -c "$PF/etc" reload >/dev/null 2>&1
	sleep 1
}

# Wait (30 s at most) until the queue is empty: the previous row's
# deliveries must not load the next one.
drain()
{
	local i n

	for i in $(seq 1 300); do
		n=$(find "$PF/queue/incoming" "$PF/queue/active" \
		    "$PF/queue/deferred" "$PF/queue/maildrop" -type f \
		    2>/dev/null | wc -l)
		[ "$n" = 0 ] && return 0
		sleep 0.1
	done
	bench_log "warning: $n messages still queued"
}

# source SESSIONS MESSAGES: wall seconds for smtp-source to send them.
source_time()
{
	local t0 t1

	t0=$(date +%s.%N)
	smtp-source -s "$1" -m "$2" -M lo.sec.test -f sender@bench.test \
	    -t user@remote.test "127.0.0.1:$SMTPD_PORT" \
	    >>"$W/source.log" 2>&1 || bench_log "warning: smtp-source failed"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'
}

ROWS=("none" "null unix" "null tcp" "rdns unix" "rdns tcp")
[ "$RSPAMD" = 1 ] && ROWS+=("rspamd unix" "rspamd tcp")
if [ "$OWN_DNS" = 1 ]; then
	ROWS+=("postfix-own")
else
	bench_record postfix postfix-own skipped 1
fi

declare -A seq_ms mps_of

# div A B: A / B, two decimals; sub A B: A - B, three.
div()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

sub()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'
}
bench_log "postfix: $BENCH_RUNS runs, rows: ${ROWS[*]} (load" \
    "$(bench_loadavg))"
for r in $(seq 1 "$BENCH_RUNS"); do
	# Each run starts one row later: a drift within a run (queue,
	# page cache, load) does not always favour the same rows.
	order=()
	for i in "${!ROWS[@]}"; do
		order+=("${ROWS[$(((i + r - 1) % ${#ROWS[@]}))]}")
	done
	for row in "${order[@]}"; do
		configure "$row"
		drain
		# A few messages first: smtpd processes started, milter
		# connections made.
		source_time 5 20 >/dev/null
		drain
		t=$(source_time 20 "$NTHR")
		mps=$(awk -v t="$t" -v n="$NTHR" \
		    'BEGIN { printf "%.1f", n / t }')
		drain
		t=$(source_time 1 "$NSEQ")
		mspm=$(awk -v t="$t" -v n="$NSEQ" \
		    'BEGIN { printf "%.3f", t * 1000 / n }')
		bench_record postfix "$row" msgs_per_s "$mps"
		bench_record postfix "$row" ms_per_msg "$mspm"
		seq_ms[$row]=$mspm
		mps_of[$row]=$mps
		bench_log "postfix run $r, $row: $mps msg/s, $mspm ms/msg" \
		    "(load $(bench_loadavg))"
	done
	# The milter's added latency and rates, within this run.
	for k in unix tcp; do
		bench_record postfix "rdns $k" ratio_null_mps \
		    "$(div "${mps_of[rdns $k]}" "${mps_of[null $k]}")"
		bench_record postfix "rdns $k" added_ms \
		    "$(sub "${seq_ms[rdns $k]}" "${seq_ms[null $k]}")"
		for m in rdns rspamd; do
			[ -n "${seq_ms[$m $k]:-}" ] || continue
			bench_record postfix "$m $k" added_none_ms \
			    "$(sub "${seq_ms[$m $k]}" "${seq_ms[none]}")"
		done
		[ -n "${mps_of[rspamd $k]:-}" ] || continue
		bench_record postfix "rspamd $k" ratio_mps \
		    "$(div "${mps_of[rdns $k]}" "${mps_of[rspamd $k]}")"
		bench_record postfix "rspamd $k" ratio_null_mps \
		    "$(div "${mps_of[null $k]}" "${mps_of[rspamd $k]}")"
		# rdns-milter's added time over rspamd's, both against none.
		bench_record postfix "rspamd $k" ratio_added "$(awk \
		    -v a="${seq_ms[rdns $k]}" -v b="${seq_ms[rspamd $k]}" \
		    -v n="${seq_ms[none]}" \
		    'BEGIN { d = b - n; if (d <= 0) d = 0.001;
		    printf "%.3f", (a - n) / d }')"
	done
done

# Sanity: the milter saw and checked the connections; Postfix's own
# checks found the names (no rejects).
bench_record postfix "rdns unix" checked \
    "$(grep -c ' ip=127.0.0.1 ptr=pass iprev=pass' "$W/rdns.unix.log")"
bench_record postfix "rdns tcp" checked \
    "$(grep -c ' ip=127.0.0.1 ptr=pass iprev=pass' "$W/rdns.tcp.log")"
bench_record postfix postfix-own rejects \
    "$(grep -c ': reject: ' "$PF/maillog" 2>/dev/null)"
bench_record postfix postfix-own named \
    "$(grep -c 'connect from lo.sec.test\[127.0.0.1\]' "$PF/maillog" \
    2>/dev/null)"
if [ "$RSPAMD" = 1 ]; then
	# rspamd logs one rspamd_task_write_log line per scanned message,
	# with the DNS queries that scan made (hfilter's, for the HELO).
	RL=$W/rspamd/log/rspamd.log
	bench_record postfix rspamd scanned \
	    "$(grep -c 'rspamd_task_write_log' "$RL" 2>/dev/null)"
	bench_record postfix rspamd dns "$(grep 'rspamd_task_write_log' \
	    "$RL" 2>/dev/null | grep -vc 'dns req: 0,')"
	bench_record postfix rspamd crashes \
	    "$(grep -c 'caught fatal signal' "$RL" 2>/dev/null)"
fi
pf_stop
bench_kill "$RDNS_UNIX_PID" "$RDNS_TCP_PID" ${RSPAMD_PID:-}
