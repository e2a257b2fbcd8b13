#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dns-world.sh - the test DNS world itself (t/dns/world.sh), checked with
# drill and ldns-verify-zone only, so that a broken world is told apart
# from a broken rdns-check: it starts fast, serves every zone in the
# documented order, signs what should be secure, expires what should be
# bogus, the fault server misbehaves as asked, unbound.conf never leaves
# 127.0.0.1, and world_stop leaves no process behind.

. "$(dirname "$0")/lib.sh" || exit 99
it_init dns-world

# It starts in well under a second; 8.6 s was seen in the sanitizer build
# beside a loaded make -j4 check.  A start that waits for a timeout of
# nsd's or of the fault server's takes longer than 30 s.
t0=$(it_now_ms)
it_world_start
ms=$(($(it_now_ms) - t0))
if [ "$ms" -lt 30000 ]; then
	tap_ok "world started in $ms ms"
else
	tap_fail "world started in $ms ms (want < 30000; should be < 1000)"
fi

# q [drill options] NAME TYPE: query our nsd over TCP.
q()
{
	drill -t -p "$WORLD_PORT" "$@" @127.0.0.1 2>&1
}

# rcode of a drill answer
rcode()
{
	sed -n 's/.*rcode: \([A-Z]*\),.*/\1/p' | head -1
}

# Answer-section data of one type, in answer order.
answer()
{
	awk -v t="$1" '/^;; ANSWER SECTION/ { a = 1; next }
	    /^;; / || /^$/ { a = 0 } a && $4 == t { print $5 }'
}

while read -r zone tmpl how; do
	[ -n "$zone" ] || continue
	out=$(q "$zone" SOA)
	tap_check "nsd serves $zone" "$(printf '%s\n' "$out" | rcode)" NOERROR
	case $how in
	none)	want=0 ;;
	*)	want=1 ;;
	esac
	out=$(q -D "$zone" SOA)
	got=$(printf '%s\n' "$out" | answer RRSIG | wc -l)
	[ "$got" -gt 1 ] && got=1
	tap_check "$zone signed: $how" "$got" "$want"
	f="$T_DIR/zones/$tmpl"
	case $how in
	valid|child)
		if ldns-verify-zone "$f" >/dev/null 2>&1; then
			tap_ok "$zone: signatures valid now"
		else
			tap_fail "$zone: signatures valid now" \
			    "$(ldns-verify-zone "$f" 2>&1 | head -5)"
		fi ;;
	expired)
		if ldns-verify-zone "$f" >/dev/null 2>&1; then
			tap_fail "$zone: signatures expired"
		else
			tap_ok "$zone: signatures expired"
		fi ;;
	esac
done <<EOF2
$WORLD_ZONES
EOF2

# Answer order (SPEC: PTR names in the order the resolver returned them).
got=$(q 13.100.51.198.in-addr.arpa. PTR | answer PTR | tr '\n' ' ')
tap_check "unsigned zone keeps file order" "$got" \
    "z3.order.insec.test. z2.order.insec.test. z1.order.insec.test. "
got=$(q 16.2.0.192.in-addr.arpa. PTR | answer PTR | tr '\n' ' ')
tap_check "signed zone: canonical order, as documented" "$got" \
    "a1.multi.sec.test. a2.multi.sec.test. a3.multi.sec.test. "
got=$(q 21.2.0.192.in-addr.arpa. PTR | answer PTR | sed -n 11p)
tap_check "signed zone: the 11th of 12 names is n11" "$got" \
    "n11.many.sec.test."
got=$(q 24.100.51.198.in-addr.arpa. PTR | answer PTR | wc -l)
tap_check "200 PTR records" "$got" 200
got=$(q 24.100.51.198.in-addr.arpa. PTR | answer PTR | sed -n '1p;5p;200p' |
    tr '\n' ' ')
tap_check "200 PTR records in order" "$got" \
    "h001.insec.test. h005.insec.test. h200.insec.test. "
got=$(q 23.100.51.198.in-addr.arpa. PTR | answer PTR)
tap_check "the long PTR name has 255 bytes in wire form" \
    "$(( ${#got} + 1 ))" 255
got=$(q 20.100.51.198.in-addr.arpa. PTR | answer PTR)
tap_check "hostile PTR name" "$got" 'evil\010name.insec.test.'
got=$(q 65.2.0.192.in-addr.arpa. PTR | answer CNAME)
tap_check "RFC 2317 CNAME" "$got" '65.64/26.2.0.192.in-addr.arpa.'
got=$(q id.world. TXT | answer TXT)
tap_check "the root zone is ours" "$got" "\"$WORLD_NONCE\""
got=$(q nowhere.example. A | rcode)
tap_check "the root zone answers NXDOMAIN for the rest" "$got" NXDOMAIN

# The fault server (UDP and TCP).
for m in refused:REFUSED servfail:SERVFAIL; do
	port=$(world_fault_port "${m%%:*}")
	got=$(drill -p "$port" x.test. A @127.0.0.1 2>&1 | rcode)
	tap_check "fault server ${m%%:*} over UDP" "$got" "${m#*:}"
	got=$(drill -t -p "$port" x.test. A @127.0.0.1 2>&1 | rcode)
	tap_check "fault server ${m%%:*} over TCP" "$got" "${m#*:}"
done
got=$(drill -p "$WORLD_FAULT_TRUNCATED" x.test. A @127.0.0.1 2>&1 |
    grep -c 'flags:.* tc')
tap_check "fault server truncated sets TC over UDP" "$got" 1
if drill -p "$WORLD_FAULT_GARBAGE" x.test. A @127.0.0.1 2>&1 |
    grep -q 'rcode:'; then
	tap_fail "fault server garbage answers something unparsable"
else
	tap_ok "fault server garbage answers something unparsable"
fi

# unbound.conf: only 127.0.0.1, a catch-all stub, the needed options.
uc="$T_DIR/unbound.conf"
got=$(grep -E 'stub-addr|forward-addr' "$uc" |
    grep -vc 'stub-addr: 127\.0\.0\.1@[0-9]*$')
tap_check "unbound.conf: every server is on 127.0.0.1" "$got" 0
got=$(grep -c 'forward-zone\|root-hints\|auto-trust-anchor' "$uc")
tap_check "unbound.conf: no forwarders, hints or RFC 5011 files" "$got" 0
for opt in 'do-not-query-localhost: no' 'rrset-roundrobin: no' \
    'qname-minimisation: no' 'name: "."' 'local-zone: "test." nodefault' \
    'local-zone: "127.in-addr.arpa." nodefault'; do
	if grep -qF "$opt" "$uc"; then
		tap_ok "unbound.conf has $opt"
	else
		tap_fail "unbound.conf has $opt"
	fi
done
got=$(grep -c 'trust-anchor:' "$uc")
want=$(printf '%s\n' "$WORLD_ZONES" | awk '$3 == "valid" || $3 == "expired"' |
    wc -l)
tap_check "unbound.conf: one trust anchor per anchored signed zone" "$got" \
    "$want"
tap_check "unbound.conf: the anchored zones" "$want" 9
if grep -qx "ResolverConfig $uc" "$T_DIR/rdns.conf" &&
    grep -qx 'TrustAnchorFile none' "$T_DIR/rdns.conf"; then
	tap_ok "rdns.conf points at unbound.conf"
else
	tap_fail "rdns.conf points at unbound.conf" "$(cat "$T_DIR/rdns.conf")"
fi

# world_stop leaves nothing behind.
nsd_pid=$WORLD_NSD_PID
fault_pid=$WORLD_FAULT_PID
world_stop "$T_DIR"
alive=
for p in $nsd_pid $fault_pid; do
	kill -0 "$p" 2>/dev/null && alive="$alive $p"
done
tap_check "world_stop stops nsd and the fault server" "$alive" ""
if drill -t -p "$WORLD_PORT" id.world. TXT @127.0.0.1 2>&1 | grep -q rcode:
then
	tap_fail "nothing answers on the world's port after world_stop"
else
	tap_ok "nothing answers on the world's port after world_stop"
fi

tap_done
