#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# multimx.sh - two MX hosts, one site resolver (rdns-milter(8), "SEVERAL
# MX HOSTS").
#
# Two private Postfix instances (t/e2e/site.sh), each with its own
# rdns-milter, both milters forwarding every query (Nameservers) to one
# unbound daemon on loopback, which resolves in the loopback DNS world and
# validates; the milters validate again with the world's trust anchors.
# The same client (127.0.0.2, mta.sec.test) sends one message through
# each MX:
#
#   - both deliveries carry the expected header (iprev=pass, dnssec=secure);
#   - the second milter's lookups are all answered from unbound's cache:
#     between the two messages, unbound-control's total.num.cachemiss
#     stays the same while total.num.cachehits grows (the first message
#     made misses).
#
# Debian packages: unbound, postfix, swaks, nsd, ldnsutils.  Needs root.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/e2e/lib.sh" ||
    exit 99
. "$E_SRC/site.sh" || exit 99

e2e_init
e2e_require postfix postconf unbound unbound-control drill

e2e_world
e2e_unbound_start site
e2e_sink_start 127.0.0.1
e2e_ns_start
echo "# site unbound on $UB_ADDR_site:53"

# The milters' libunbound: forward to the site resolver (on loopback,
# hence do-not-query-localhost: no), validate with the world's anchors;
# the world's zones under 127.in-addr.arpa, test. (built-in local zones of
# unbound) are asked for, not answered locally.
{
	echo "server:"
	echo "	do-not-query-localhost: no"
	grep -E 'trust-anchor:|local-zone:.*nodefault' "$E_WORLD/unbound.conf"
} >"$E_DIR/forward.conf"
for n in 1 2; do
	cat >"$E_DIR/rdns$n.conf" <<EOF
Nameservers $UB_ADDR_site
ResolverConfig $E_DIR/forward.conf
TrustAnchorFile none
DNSTimeout 3
Syslog no
AuthservID $E_AUTHSERV
UMask 000
TrustedNetworks 192.0.2.250/32
EOF
	e2e_milter_start "$n"
done

MX1_PORT=$(proc_free_port) && MX2_PORT=$(proc_free_port) ||
    tap_bail "no free port"
e2e_pf_start mx1 "$MX1_PORT" "unix:$E_DIR/rdns1.sock"
e2e_pf_start mx2 "$MX2_PORT" "unix:$E_DIR/rdns2.sock"
tap_ok "two Postfix instances on 127.0.0.1:$MX1_PORT and :$MX2_PORT"

e2e_mta_queue_empty() { e2e_pf_queue_empty mx1 && e2e_pf_queue_empty mx2; }

stats()
{
	echo "queries=$(e2e_unbound_stat site total.num.queries)" \
	    "hits=$(e2e_unbound_stat site total.num.cachehits)" \
	    "misses=$(e2e_unbound_stat site total.num.cachemiss)"
}

# via CASE PORT: one message from 127.0.0.2 through the MX on PORT, and
# its header as delivered.
via()
{
	E_MTA_PORT=$2
	e2e_send "$1" 127.0.0.2 mta.sec.test x@example.com
	tap_check "$1: accepted" "$(grep -c '^<-  250 2.0.0 Ok: queued' \
	    "$E_DIR/$1.swaks")" 1
	e2e_settle || tap_fail "$1: the queues drain"
	tap_check "$1: tagged" \
	    "$(e2e_ar_fields "$(e2e_delivered "$1")")" "$(e2e_ar_want \
	    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
	    'x-ptr=pass smtp.helo=mta.sec.test policy.ptr=mta.sec.test')"
}

s0=$(stats)
via mx1 "$MX1_PORT"
s1=$(stats)
via mx2 "$MX2_PORT"
s2=$(stats)
echo "# unbound before:     $s0"
echo "# after mx1's client: $s1"
echo "# after mx2's client: $s2"

val() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
m0=$(val "$s0" misses) m1=$(val "$s1" misses) m2=$(val "$s2" misses)
h1=$(val "$s1" hits) h2=$(val "$s2" hits)
q1=$(val "$s1" queries) q2=$(val "$s2" queries)
if [ "$m1" -gt "$m0" ]; then
	tap_ok "mx1's milter: $((m1 - m0)) lookups went to the world"
else
	tap_fail "mx1's milter made cache misses" "$s0 -> $s1"
fi
if [ "$q2" -gt "$q1" ]; then
	tap_ok "mx2's milter asked the site resolver ($((q2 - q1)) queries)"
else
	tap_fail "mx2's milter asked the site resolver" "$s1 -> $s2"
fi
tap_check "mx2's milter: every lookup a cache hit (misses, hits added)" \
    "$((m2 - m1)) $((h2 - h1))" "0 $((q2 - q1))"
tap_done
