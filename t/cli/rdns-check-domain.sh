#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# rdns-check-domain.sh - rdns-check -d DOMAIN (issue 20, SPEC 5): the
# addresses a domain sends from, by its SPF record (own ip4/ip6/a/mx,
# same-organization include and redirect followed, another
# organization's delegated, the RFC 7208 4.6.4 limits, loops, blocks
# too large to list) and its MX hosts; per address the alignment with
# the domain and the HELO to announce; IPv6 without PTR called out; exit
# statuses.  The domains are those of audit.test in t/dns/README.md.

. "$(dirname "$0")/lib.sh" || exit 99
it_init rdns-check-domain
command -v jq >/dev/null 2>&1 || tap_skip_all "jq is missing (Debian: jq)"
it_world_start

conf="$T_DIR/rdns.conf"

# jqf DESC FILTER WANT: the jq filter on $T_OUT (-s: all lines as one
# array) gives WANT (compact output).
jqf()
{
	local got

	got=$(printf '%s\n' "$T_OUT" | jq -c -s "$2" 2>&1)
	tap_check "$1" "$got" "$3"
}

# line TEXT ADDRESS: the report line of ADDRESS, blanks squeezed.
line()
{
	printf '%s\n' "$1" | grep "^$2 " | tr -s ' '
}

contains()
{
	case $2 in
	*"$3"*) tap_ok "$1" ;;
	*) tap_fail "$1" "missing: $3" "output:" "$2" ;;
	esac
}

# ---- a sender: own addresses, includes, MX ----

it_run "$RDNS_CHECK" -c "$conf" -j -d example.audit.test
tap_check "example -j: exit status" "$T_RC" 1
tap_check "example -j: nothing on stderr" "$T_ERR" ""
jqf "example -j: the addresses, sorted" '[.[] | select(.ip) | .ip]' \
    '["198.19.0.1","198.19.0.2","198.19.0.3","198.19.0.4","198.19.0.5","198.19.0.6","198.19.0.7","198.19.0.8","198.19.0.9","2001:db8:120::1","2001:db8:120::9"]'
jqf "example -j: the single-address schema plus the domain" \
    '.[0] | keys' \
    '["allowlisted","domain","generic","generic_reason","helo","ip","iprev","ptr"]'
jqf "example -j: aligned, the HELO to announce, where it comes from" \
    '.[0].domain' \
    '{"name":"example.audit.test","org_domain":"audit.test","aligned":true,"helo":"mail1.audit.test","source":"ip4:198.19.0.1, a:mail1.audit.test"}'
jqf "example -j: a same-organization include is followed" \
    '[.[3].domain.source, .[3].iprev.result]' \
    '["ip4:198.19.0.4/30 via _spf.audit.test","fail"]'
jqf "example -j: a verified name of another organization is not aligned" \
    '.[7] | [.iprev.name, .domain.aligned, .domain.helo]' \
    '["out1.provider.test",false,"out1.provider.test"]'
jqf "example -j: the MX host's IPv4 address" \
    '.[8] | [.iprev.result, .domain.aligned, .domain.helo, .domain.source]' \
    '["pass",true,"mx.example.audit.test","mx, MX mx.example.audit.test"]'
jqf "example -j: the MX host's IPv6 address has no PTR" \
    '.[10] | [.ptr.result, .domain.aligned, .domain.helo]' \
    '["fail",false,null]'
jqf "example -j: summary counts" \
    '.[-1].summary | [.addresses, .pass, .no_ptr, .not_confirmed, .generic, .dns_error, .ipv6_no_ptr_list, .exit_status]' \
    '[11,5,2,2,2,0,["2001:db8:120::9"],1]'
jqf "example -j: SPF" \
    '.[-1].summary.domain.spf | [.result, .error, .lookups, .void_lookups.ipv4, .void_lookups.ipv6]' \
    '["ok",null,4,0,0]'
jqf "example -j: another organization's include is delegated" \
    '.[-1].summary.domain.delegated' \
    '[{"domain":"provider.test","term":"include:_spf.provider.test","in":"example.audit.test"}]'
jqf "example -j: alignment and MX" \
    '.[-1].summary.domain | [.org_domain, .not_aligned, .mx.result, .mx.hosts]' \
    '["audit.test",1,"ok",["mx.example.audit.test"]]'

it_run "$RDNS_CHECK" -c "$conf" -d example.audit.test
tap_check "example text: exit status" "$T_RC" 1
contains "example text: the domain" "$T_OUT" \
    "Domain:  example.audit.test (organizational domain audit.test)"
contains "example text: SPF lookups" "$T_OUT" "4 of 10 DNS lookups"
contains "example text: delegated" "$T_OUT" \
    "delegated to provider.test: \"include:_spf.provider.test\" in example.audit.test: that provider's addresses are its responsibility"
contains "example text: MX" "$T_OUT" \
    "mx.example.audit.test (preference 10): 2 addresses"
tap_check "example text: the MX host's IPv4 address, HELO to announce" \
    "$(line "$T_OUT" 198.19.0.9)" \
    "198.19.0.9 pass mx.example.audit.test secure yes mx, MX mx.example.audit.test HELO mx.example.audit.test"
tap_check "example text: the MX host's IPv6 address, what to fix" \
    "$(line "$T_OUT" 2001:db8:120::9)" \
    "2001:db8:120::9 no-ptr - secure - mx, MX mx.example.audit.test fix: ask the owner of 2001:db8:120::/64 (your hosting provider or ISP) to set the PTR of 2001:db8:120::9 to mx.example.audit.test"
tap_check "example text: not aligned" "$(line "$T_OUT" 198.19.0.8)" \
    "198.19.0.8 pass out1.provider.test insecure no ip4:198.19.0.8 via _spf.audit.test HELO out1.provider.test: the name is not in audit.test"
tap_check "example text: a missing PTR of an SPF block" \
    "$(line "$T_OUT" 198.19.0.3)" \
    "198.19.0.3 no-ptr - secure - ip4:198.19.0.2/31 fix: ask the owner of 198.19.0.0/24 (your hosting provider or ISP) to set the PTR of 198.19.0.3 to a name in audit.test such as mail.audit.test"
# Aligned columns: the result, the alignment and the source start at
# the same place on every line.
cols=$(printf '%s\n' "$T_OUT" | grep -E '^(198\.19|2001)' | awk '{
	s = $0; off = 0
	for (i = 1; i <= 6; i++) {
		match(s, /[^ ]+/)
		col[i] = off + RSTART
		off += RSTART + RLENGTH - 1
		s = substr(s, RSTART + RLENGTH)
	}
	print col[2], col[3], col[4], col[5], col[6] }' | sort -u | wc -l)
tap_check "example text: aligned columns" "$cols" 1
contains "example text: the summary" "$T_OUT" \
    "11 addresses: 5 pass, 2 no PTR, 2 not forward-confirmed, 2 generic, 0 DNS error"
contains "example text: IPv6 without PTR on its own line" "$T_OUT" \
    "IPv6 without PTR: 1 (2001:db8:120::9)"
contains "example text: alignment in the summary" "$T_OUT" \
    "Verified names outside audit.test: 1"

# ---- the MX alone: good IPv4 PTR, no IPv6 PTR ----

it_run "$RDNS_CHECK" -c "$conf" -j -d mxonly.audit.test
tap_check "mxonly: exit status" "$T_RC" 1
jqf "mxonly: the MX host's addresses" \
    '[.[] | select(.ip) | [.ip, .ptr.result, .iprev.result]]' \
    '[["198.19.0.9","pass","pass"],["2001:db8:120::9","fail","permerror"]]'
jqf "mxonly: no SPF record" \
    '.[-1].summary | [.domain.spf.result, .ipv6_no_ptr_list]' \
    '["none",["2001:db8:120::9"]]'
it_run "$RDNS_CHECK" -c "$conf" -d mxonly.audit.test
contains "mxonly text: says there is no SPF record" "$T_OUT" \
    "SPF:     none: mxonly.audit.test publishes no SPF record"

# ---- redirect ----

it_run "$RDNS_CHECK" -c "$conf" -j -d redir.audit.test
jqf "redirect within the organization is followed" \
    '[[.[] | select(.ip) | .ip], .[-1].summary.domain.spf.lookups]' \
    '[["198.19.0.4","198.19.0.5","198.19.0.6","198.19.0.7","198.19.0.8"],1]'
it_run "$RDNS_CHECK" -c "$conf" -j -d redirp.audit.test
tap_check "redirect to another organization: exit status" "$T_RC" 0
jqf "redirect to another organization is delegated" \
    '[[.[] | select(.ip) | .ip], .[-1].summary.domain.delegated[0].term]' \
    '[["198.19.0.1"],"redirect=_spf.provider.test"]'

# ---- RFC 7208 4.6.4 ----

it_run "$RDNS_CHECK" -c "$conf" -j -d loop.audit.test
tap_check "include loop: exit status (a broken SPF record fails)" "$T_RC" 1
jqf "include loop: permerror" \
    '.[-1].summary.domain.spf | [.result, .error]' \
    '["permerror","include or redirect loop: loop.audit.test -> loop2.audit.test -> loop.audit.test"]'

it_run "$RDNS_CHECK" -c "$conf" -j -d many.audit.test
jqf "more than 10 lookups: permerror where a receiver stops" \
    '.[-1].summary.domain.spf | [.result, .error, .lookups]' \
    '["permerror","more than 10 DNS lookups (RFC 7208 4.6.4) at \"include:_spf.audit.test\" in many.audit.test",10]'
jqf "more than 10 lookups: the term after the limit is not reached" \
    '[.[] | select(.ip) | .ip] | index("198.19.0.250")' null
jqf "more than 10 lookups: the record's two strings are joined" \
    '.[-1].summary.domain.spf.record | endswith("include:_spf.audit.test include:_spf.audit.test ip4:198.19.0.250 -all")' \
    true

it_run "$RDNS_CHECK" -c "$conf" -j -d void.audit.test
tap_check "void lookups: exit status" "$T_RC" 1
jqf "void lookups: permerror at the third" \
    '.[-1].summary.domain.spf | [.result, .error, .void_lookups.ipv4]' \
    '["permerror","more than 2 void lookups (RFC 7208 4.6.4) for IPv4 and IPv6 senders at \"a:nx3.audit.test\" in void.audit.test",3]'
jqf "void lookups: nothing after them is reached" \
    '[.[] | select(.ip)] | length' 0

# ---- blocks too large to enumerate ----

it_run "$RDNS_CHECK" -c "$conf" -j -d big.audit.test
jqf "large blocks: listed, not enumerated" \
    '.[-1].summary.domain.ranges | map(.range)' \
    '["198.19.0.0/16","2001:db8:120::/64"]'
jqf "large blocks: the small ones are checked" \
    '[.[] | select(.ip) | .ip]' \
    '["198.19.0.0","198.19.0.1","198.19.0.2","198.19.0.3","2001:db8:120::","2001:db8:120::1","2001:db8:120::2","2001:db8:120::3"]'
it_run "$RDNS_CHECK" -c "$conf" -d big.audit.test
contains "large blocks: the command to check one" "$T_OUT" \
    "range 198.19.0.0/16 (ip4:198.19.0.0/16): not listed here; check it with: rdns-check 198.19.0.0/16"
contains "large blocks: one too large for a range" "$T_OUT" \
    "range 2001:db8:120::/64 (ip6:2001:db8:120::/64): not listed here; too large to check address by address"

# ---- nothing to check; DNS trouble ----

it_run "$RDNS_CHECK" -c "$conf" -d nosuch.audit.test
tap_check "no SPF and no MX: exit status" "$T_RC" 1
contains "no SPF and no MX: says so" "$T_OUT" \
    "no SPF record and no MX host address: nothing to check"

it_run "$RDNS_CHECK" -c "$conf" -j -d x.servfail.test
tap_check "SERVFAIL on the SPF and MX lookups: exit status 2" "$T_RC" 2
jqf "SERVFAIL on the SPF and MX lookups: temperror" \
    '.[-1].summary.domain | [.spf.result, .mx.result]' \
    '["temperror","temperror"]'

# A black hole: each lookup is given up after -t seconds.
it_run "$RDNS_CHECK" -c "$conf" -j -t 1 -d x.hole.test
tap_check "SPF and MX lookups time out: exit status 2" "$T_RC" 2
jqf "SPF and MX lookups time out: temperror, timeout" \
    '.[-1].summary.domain | [.spf.result, .spf.error, .mx.result]' \
    '["temperror","the TXT lookup of x.hole.test failed: timeout","temperror"]'

# ---- usage errors (64, nothing on stdout) ----

usage()
{
	local d=$1

	shift
	it_run "$RDNS_CHECK" -c "$conf" "$@"
	if [ "$T_RC" = 64 ] && [ -z "$T_OUT" ] && [ -n "$T_ERR" ]; then
		tap_ok "usage error: $d"
	else
		tap_fail "usage error: $d" "exit status $T_RC (want 64)" \
		    "stdout: $T_OUT" "stderr: $T_ERR"
	fi
}
usage "not a domain name" -d 'bad_name!.example'
usage "a single label" -d test
usage "a public suffix" -d co.uk
usage "-d and an address" -d example.audit.test 198.19.0.1

tap_done
