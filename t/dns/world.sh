# SPDX-License-Identifier: BSD-2-Clause
# world.sh - a private DNS world on 127.0.0.1 for the tests (bash library).
#
# Usage (from a test script run by "make check"):
#
#	. "$abs_top_srcdir/t/dns/world.sh"
#	world_check_tools || exit 77		# prints what is missing
#	world_start "$dir" || exit 99		# logs stay in $dir
#	trap 'world_stop "$dir"' EXIT
#	... libunbound with $dir/unbound.conf, rdns-check -c $dir/rdns.conf ...
#
# world_start DIR generates fresh DNSSEC keys, fills and signs the zone
# templates of t/dns/zones/ (see t/dns/README.md for what each address
# tests), starts nsd and the dns-fault server on 127.0.0.1 (random ports,
# no privilege drop, every file inside DIR) and writes:
#
#	DIR/unbound.conf  for libunbound: stub-zones to the world only (the
#	                  catch-all "." stub answers NXDOMAIN locally), the
#	                  trust anchors of the signed zones, nothing ever goes
#	                  to the real root or to /etc/resolv.conf;
#	DIR/rdns.conf     an rdns-milter/rdns-check configuration using it;
#	DIR/world.env     WORLD_PORT=... and one WORLD_FAULT_<MODE>=port line
#	                  per fault server mode (shell syntax).
#
# After world_start the variables WORLD_DIR, WORLD_PORT (nsd),
# WORLD_FAULT_BLACKHOLE, _REFUSED, _SERVFAIL, _GARBAGE, _TRUNCATED (ports
# of the fault server), WORLD_NSD_PID and WORLD_FAULT_PID are set.
# world_stop DIR stops everything started by world_start DIR; it is
# idempotent and safe to call from an EXIT trap.  world_logs DIR prints
# the servers' logs as "#" comments (after a failed world_start);
# world_finish RC DIR stops the world and removes DIR unless RC (the
# test's exit status) says it failed.
#
# Paths: abs_top_srcdir (zone templates) and abs_top_builddir (the
# t/tools/dns-fault program) must be set, or WORLD_SRCDIR / WORLD_FAULT
# given directly.  Tools: nsd, ldns-keygen, ldns-signzone, ldns-verify-zone
# and drill (Debian: nsd, ldnsutils).  Everything listens on 127.0.0.1
# only, never on port 53, so a system name server does not interfere.

# Zones served by nsd: name, template, signing: none; valid (trust anchor
# in unbound.conf); child (valid, no anchor: secured by the DS record in
# its parent, which must come after it here); expired (signatures expired
# long ago, anchored: bogus).
WORLD_ZONES='
.				root.zone			none
sec.test.			sec.test.zone			valid
insec.test.			insec.test.zone			none
bogus.test.			bogus.test.zone			expired
64/26.2.0.192.in-addr.arpa.	64-26.2.0.192.in-addr.arpa.zone	child
2.0.192.in-addr.arpa.		2.0.192.in-addr.arpa.zone	valid
100.51.198.in-addr.arpa.	100.51.198.in-addr.arpa.zone	none
113.0.203.in-addr.arpa.		113.0.203.in-addr.arpa.zone	expired
8.b.d.0.1.0.0.2.ip6.arpa.	8.b.d.0.1.0.0.2.ip6.arpa.zone	valid
127.in-addr.arpa.		127.in-addr.arpa.zone		valid
audit.test.			audit.test.zone			valid
provider.test.			provider.test.zone		none
0.19.198.in-addr.arpa.		0.19.198.in-addr.arpa.zone	valid
0.2.1.0.8.b.d.0.1.0.0.2.ip6.arpa. 0.2.1.0.8.b.d.0.1.0.0.2.ip6.arpa.zone valid
'

# Zones delegated (by unbound stub-zone) to the fault server: name, mode.
WORLD_FAULT_ZONES='
hole.test.			blackhole
250.100.51.198.in-addr.arpa.	blackhole
lame.test.			refused
251.100.51.198.in-addr.arpa.	refused
servfail.test.			servfail
252.100.51.198.in-addr.arpa.	servfail
garbage.test.			garbage
253.100.51.198.in-addr.arpa.	garbage
truncated.test.			truncated
254.100.51.198.in-addr.arpa.	truncated
'

WORLD_FAULT_MODES='blackhole refused servfail garbage truncated'

# Built-in local zones of unbound (RFC 6761 and AS112, unbound.conf(5)
# "local-zone") that the world serves or queries under: without
# "nodefault" libunbound would answer them itself.
WORLD_NODEFAULT='test. 127.in-addr.arpa. 2.0.192.in-addr.arpa.
100.51.198.in-addr.arpa. 113.0.203.in-addr.arpa. 8.b.d.0.1.0.0.2.ip6.arpa.'

world_log()
{
	printf 'world: %s\n' "$*" >&2
}

# Print the missing tools; return 1 if any is missing.
world_check_tools()
{
	local t missing=

	for t in nsd ldns-keygen ldns-signzone ldns-verify-zone drill; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		echo "missing tools:$missing (Debian packages nsd, ldnsutils)"
		return 1
	fi
	if [ ! -x "$(world_fault_prog)" ]; then
		echo "missing $(world_fault_prog) (make check builds it)"
		return 1
	fi
	return 0
}

world_srcdir()
{
	printf '%s\n' "${WORLD_SRCDIR:-$abs_top_srcdir/t/dns}"
}

world_fault_prog()
{
	printf '%s\n' "${WORLD_FAULT:-$abs_top_builddir/t/tools/dns-fault}"
}

# world_sign ZONE IN OUT KEYDIR valid|child|expired: generate a key (one
# combined key, flags 257), sign, and (but for a child) append the trust
# anchor (the DNSKEY) to KEYDIR/anchors.  Prints the key's base name.
world_sign()
{
	local zone=$1 in=$2 out=$3 keydir=$4 how=$5 base now inc exp

	now=$(date +%s) || return 1
	if [ "$how" = expired ]; then
		# Long past, beyond any validator clock skew allowance.
		inc=$((now - 60 * 86400))
		exp=$((now - 30 * 86400))
	else
		inc=$((now - 86400))
		exp=$((now + 30 * 86400))
	fi
	case $zone in
	*/*)	# RFC 2317 names: ldns-keygen puts a '/' in the file name.
		mkdir -p "$keydir/K${zone%%/*}" || return 1 ;;
	esac
	base=$(cd "$keydir" && ldns-keygen -a ECDSAP256SHA256 -k "$zone") ||
	    return 1
	ldns-signzone -o "$zone" -i "$inc" -e "$exp" -f "$out" "$in" \
	    "$keydir/$base" || return 1
	# The DNSKEY line (drop ldns' trailing comment).
	if [ "$how" != child ]; then
		sed -e 's/[[:space:]]*;.*$//' "$keydir/$base.key" \
		    >>"$keydir/anchors" || return 1
	fi
	printf '%s\n' "$base"
}

# Generate keys and sign/copy all zones into DIR/zones.
world_zones()
{
	local dir=$1 src zone tmpl how in out base ds nonce

	src=$(world_srcdir)
	mkdir -p "$dir/zones" "$dir/keys" || return 1
	: >"$dir/keys/anchors"
	nonce=$WORLD_NONCE
	ds=
	while read -r zone tmpl how; do
		[ -n "$zone" ] || continue
		in="$dir/zones/$tmpl.in"
		out="$dir/zones/$tmpl"
		sed -e "s|@NONCE@|$nonce|" -e "s|@DS_CLASSLESS@|$ds|" \
		    "$src/zones/$tmpl" >"$in" || return 1
		case $how in
		none)
			mv "$in" "$out" || return 1
			;;
		valid|child|expired)
			base=$(world_sign "$zone" "$in" "$out" "$dir/keys" \
			    "$how") || { world_log "cannot sign $zone"; return 1; }
			case $zone in
			64/26.*)
				# DS rdata for the parent zone.
				ds=$(awk '{ for (i = 1; i < NF; i++)
				    if ($i == "DS") { s = $(i + 1)
				    for (j = i + 2; j <= NF; j++) s = s " " $j
				    print s; exit } }' \
				    "$dir/keys/$base.ds") || return 1
				;;
			esac
			;;
		esac
	done <<EOF
$WORLD_ZONES
EOF
}

world_nsd_conf()
{
	local dir=$1 port=$2 zone tmpl how

	cat >"$dir/nsd.conf" <<EOF || return 1
# Generated by t/dns/world.sh: nsd on 127.0.0.1@$port, nothing outside $dir.
server:
	ip-address: 127.0.0.1
	port: $port
	do-ip4: yes
	do-ip6: no
	reuseport: no
	server-count: 1
	tcp-count: 64
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$dir/zones"
	zonelistfile: "$dir/nsd.zonelist"
	xfrdfile: "$dir/nsd.xfrd.state"
	xfrdir: "$dir"
	pidfile: "$dir/nsd.pid"
	logfile: "$dir/nsd.log"
	cookie-secret-file: "$dir/nsd.cookie-secrets"
	zonefiles-write: 0
	verbosity: 0
	# Debian's nsd limits answers to 200/s per name and netblock; the
	# load tests and benchmarks ask far more, all from 127.0.0.1.
	rrl-ratelimit: 0
	hide-version: yes
	round-robin: no
	refuse-any: no
	minimal-responses: no
remote-control:
	control-enable: no
EOF
	while read -r zone tmpl how; do
		[ -n "$zone" ] || continue
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' \
		    "$zone" "$tmpl" >>"$dir/nsd.conf" || return 1
	done <<EOF
$WORLD_ZONES
EOF
}

# Does our nsd answer on port $2?  (The nonce proves it is ours; TCP
# because drill ignores ICMP port unreachable and waits 15 s on UDP.)
world_probe()
{
	drill -t -p "$2" @127.0.0.1 id.world. TXT 2>/dev/null |
	    grep -q "\"$1\""
}

# Start nsd on a random free port (retrying on a port in use); sets
# WORLD_PORT and WORLD_NSD_PID.
world_nsd_start()
{
	local dir=$1 try port pid i

	for try in 1 2 3 4 5 6 7 8 9 10; do
		# 10000-31999: below Linux's ephemeral range (32768-60999),
		# where the fault server's and libunbound's ports come from.
		port=$((10000 + (RANDOM * 32768 + RANDOM) % 22000))
		world_nsd_conf "$dir" "$port" || return 1
		nsd -d -c "$dir/nsd.conf" >>"$dir/nsd.out" 2>&1 </dev/null &
		pid=$!
		for i in $(seq 1 250); do	# up to about 5 s
			if ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid" 2>/dev/null
				pid=
				break
			fi
			if world_probe "$WORLD_NONCE" "$port"; then
				WORLD_PORT=$port
				WORLD_NSD_PID=$pid
				echo "$pid" >"$dir/nsd.ownpid"
				return 0
			fi
			sleep 0.02
		done
		if [ -n "$pid" ]; then
			world_log "nsd on port $port not ready, killing it"
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
		world_log "nsd failed on port $port (try $try), see $dir/nsd.out"
	done
	return 1
}

# Start the fault server; sets WORLD_FAULT_<MODE>.
world_fault_start()
{
	local dir=$1 prog mode port i n want

	prog=$(world_fault_prog)
	# -w: exit with the test script even if world_stop never runs, and
	# -k: then take nsd along (WORLD_WATCH_PID overrides the script's
	# pid, e.g. for a world started by hand; -l caps the lifetime).
	"$prog" -w "${WORLD_WATCH_PID:-$$}" -k "$WORLD_NSD_PID" -l 3600 \
	    $WORLD_FAULT_MODES >"$dir/fault.ports" \
	    2>"$dir/fault.log" </dev/null &
	WORLD_FAULT_PID=$!
	echo "$WORLD_FAULT_PID" >"$dir/fault.ownpid"
	want=$(echo $WORLD_FAULT_MODES | wc -w)
	for i in $(seq 1 250); do
		n=$(wc -l <"$dir/fault.ports")
		[ "$n" -ge "$want" ] && break
		if ! kill -0 "$WORLD_FAULT_PID" 2>/dev/null; then
			world_log "dns-fault died, see $dir/fault.log"
			return 1
		fi
		sleep 0.02
	done
	[ "$n" -ge "$want" ] || { world_log "dns-fault not ready"; return 1; }
	while read -r mode port; do
		case $mode in
		blackhole) WORLD_FAULT_BLACKHOLE=$port ;;
		refused) WORLD_FAULT_REFUSED=$port ;;
		servfail) WORLD_FAULT_SERVFAIL=$port ;;
		garbage) WORLD_FAULT_GARBAGE=$port ;;
		truncated) WORLD_FAULT_TRUNCATED=$port ;;
		esac
	done <"$dir/fault.ports"
}

world_fault_port()
{
	case $1 in
	blackhole) echo "$WORLD_FAULT_BLACKHOLE" ;;
	refused) echo "$WORLD_FAULT_REFUSED" ;;
	servfail) echo "$WORLD_FAULT_SERVFAIL" ;;
	garbage) echo "$WORLD_FAULT_GARBAGE" ;;
	truncated) echo "$WORLD_FAULT_TRUNCATED" ;;
	esac
}

world_unbound_conf()
{
	local dir=$1 z zone tmpl how mode line

	{
		cat <<EOF
# Generated by t/dns/world.sh for libunbound (ub_ctx_config): the test
# world only.  Every name outside it ends at the local root (NXDOMAIN).
server:
	verbosity: 0
	use-syslog: no
	logfile: ""
	chroot: ""
	username: ""
	directory: "$dir"
	do-ip4: yes
	do-ip6: no
	do-udp: yes
	do-tcp: yes
	do-not-query-localhost: no
	rrset-roundrobin: no
	qname-minimisation: no
	minimal-responses: no
	prefetch: no
	serve-expired: no
	harden-glue: yes
	harden-dnssec-stripped: yes
	val-log-level: 0
	module-config: "validator iterator"
	trust-anchor-signaling: no
	root-key-sentinel: no
EOF
		for z in $WORLD_NODEFAULT; do
			printf '\tlocal-zone: "%s" nodefault\n' "$z"
		done
		while read -r line; do
			[ -n "$line" ] || continue
			printf '\ttrust-anchor: "%s"\n' \
			    "$(printf '%s' "$line" | tr -s '[:space:]' ' ')"
		done <"$dir/keys/anchors"
		while read -r zone tmpl how; do
			[ -n "$zone" ] || continue
			printf 'stub-zone:\n\tname: "%s"\n' "$zone"
			printf '\tstub-addr: 127.0.0.1@%s\n' "$WORLD_PORT"
		done <<EOF
$WORLD_ZONES
EOF
		while read -r zone mode; do
			[ -n "$zone" ] || continue
			printf 'stub-zone:\n\tname: "%s"\n' "$zone"
			printf '\tstub-addr: 127.0.0.1@%s\n' \
			    "$(world_fault_port "$mode")"
		done <<EOF
$WORLD_FAULT_ZONES
EOF
	} >"$dir/unbound.conf"
}

world_start()
{
	local dir=$1 mode

	if [ -z "$dir" ]; then
		world_log "usage: world_start DIR"
		return 1
	fi
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	if [ -f "$dir/nsd.ownpid" ] || [ -f "$dir/fault.ownpid" ]; then
		world_stop "$dir"
	fi
	rm -rf "$dir/zones" "$dir/keys" "$dir/nsd".* "$dir/fault".* \
	    "$dir/unbound.conf" "$dir/rdns.conf" "$dir/world.env"
	WORLD_DIR=$dir
	WORLD_NONCE="world-$$-$RANDOM$RANDOM"

	world_zones "$dir" || { world_log "zone setup failed"; return 1; }
	world_nsd_start "$dir" || return 1
	world_fault_start "$dir" || { world_stop "$dir"; return 1; }
	world_unbound_conf "$dir" || { world_stop "$dir"; return 1; }
	cat >"$dir/rdns.conf" <<EOF || return 1
# Generated by t/dns/world.sh: resolve in the test world only.
ResolverConfig $dir/unbound.conf
TrustAnchorFile none
DNSTimeout 3
EOF
	{
		echo "WORLD_PORT=$WORLD_PORT"
		for mode in $WORLD_FAULT_MODES; do
			echo "WORLD_FAULT_$(echo "$mode" | tr a-z A-Z)=$(
			    world_fault_port "$mode")"
		done
	} >"$dir/world.env"
	return 0
}

# world_kill FILE WORD: stop the process whose pid is in FILE (TERM, then
# KILL), if it is still ours: its command line contains WORD.
world_kill()
{
	local file=$1 word=$2 pid i

	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	rm -f "$file"
	case $pid in
	''|*[!0-9]*) return 0 ;;
	esac
	if [ -r "/proc/$pid/cmdline" ] &&
	    ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -e "$word"; then
		return 0	# gone, and the pid was reused
	fi
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

world_stop()
{
	local dir=${1:-$WORLD_DIR}

	[ -n "$dir" ] || return 0
	world_kill "$dir/nsd.ownpid" "$dir/nsd.conf"
	world_kill "$dir/fault.ownpid" dns-fault
	return 0
}

# world_logs DIR: the logs of nsd and of the fault server of DIR (after a
# failed world_start), each line as a "# FILE: line" comment.
world_logs()
{
	local f

	for f in "$1"/nsd.out "$1"/nsd.log "$1"/fault.log; do
		[ -s "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"
	done
	return 0
}

# world_finish RC DIR: world_stop DIR, then remove DIR if RC, the exit
# status of the test, is 0 (passed) or 77 (skipped); else keep it, with
# the logs, for a look, and say so.
world_finish()
{
	world_stop "$2"
	if [ "$1" -eq 0 ] || [ "$1" -eq 77 ]; then
		rm -rf "$2"
	else
		echo "# world and logs kept in $2"
	fi
}
