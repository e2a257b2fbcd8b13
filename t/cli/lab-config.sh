#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# lab-config.sh - the lab configuration of rdns-milter.conf(5), section
# "A LAB DNS", read from the man page source and run against the test DNS
# world (nsd on 127.0.0.1): the documented text must work as written.
#
# Only the port is changed (5353 -> the world's), and a stub for "." to the
# world's root is added so that no name leaves the machine (the page says
# names outside the lab go to the Internet).  Also shown: without the
# "local-zone: ... nodefault" lines libunbound answers the lab's zones
# itself (no PTR record), and the loopback server is reachable because of
# libunbound's default do-not-query-localhost (an explicit "yes" breaks
# it, as the page says).

. "$(dirname "$0")/lib.sh" || exit 99
it_init lab-config
it_world_start

man=$abs_top_srcdir/doc/rdns-milter.conf.5.in
RDNS_MILTER=$abs_top_builddir/milter/rdns-milter

# block NAME: the plain lines between ".\" NAME-begin" and ".\" NAME-end"
# (roff requests dropped).
block()
{
	sed -n "/^\\.\\\\\" $1-begin\$/,/^\\.\\\\\" $1-end\$/p" "$man" |
	    grep -v '^\.'
}

block lab-unbound >"$T_DIR/lab.doc"
block lab-conf >"$T_DIR/rdns.doc"
tap_check "the page has the lab's unbound.conf" \
    "$(grep -c 'stub-addr: 127.0.0.1@5353' "$T_DIR/lab.doc")" 3
tap_check "the page has the lab's rdns-milter.conf lines" \
    "$(grep -c '^ResolverConfig   /etc/rdns-milter/lab.conf$' "$T_DIR/rdns.doc")" 1

# lab_files NAME SED: NAME.conf (unbound) and NAME.rdns from the page's
# text, edited by SED, with the world's port and a local root.
lab_files()
{
	sed -e "s/@5353\$/@$WORLD_PORT/" -e "$2" "$T_DIR/lab.doc" \
	    >"$T_DIR/$1.conf"
	printf 'stub-zone:\n\tname: "."\n\tstub-addr: 127.0.0.1@%s\n' \
	    "$WORLD_PORT" >>"$T_DIR/$1.conf"
	sed "s|/etc/rdns-milter/lab.conf|$T_DIR/$1.conf|" "$T_DIR/rdns.doc" \
	    >"$T_DIR/$1.rdns"
	echo "DNSTimeout 3" >>"$T_DIR/$1.rdns"
}

lab_files lab ''
it_run "$RDNS_CHECK" -c "$T_DIR/lab.rdns" -j 127.0.0.2 mta.sec.test
tap_check "lab: rdns-check 127.0.0.2 mta.sec.test: exit status" "$T_RC" 0
tap_check "lab: 127.0.0.2 is mta.sec.test, confirmed, insecure" "$T_OUT" \
    '{"ip": "127.0.0.2", "ptr": {"result": "pass", "names": ["mta.sec.test"], "dnssec": "insecure"}, "iprev": {"result": "pass", "name": "mta.sec.test", "dnssec": "insecure", "reason": null}, "helo": {"name": "mta.sec.test", "result": "pass", "forward_confirmed": true, "aligned": true, "org_domain": "sec.test"}, "generic": false, "generic_reason": null, "allowlisted": false}'
it_run "$RDNS_CHECK" -c "$T_DIR/lab.rdns" 192.0.2.10
tap_check "lab: rdns-check 192.0.2.10: exit status" "$T_RC" 0
case $T_OUT in
*"iprev:   pass (mail.sec.test resolves back to 192.0.2.10, dnssec=insecure)"*)
	tap_ok "lab: 192.0.2.10 is mail.sec.test" ;;
*)	tap_fail "lab: 192.0.2.10 is mail.sec.test" "$T_OUT" ;;
esac
if [ -x "$RDNS_MILTER" ]; then
	it_run "$RDNS_MILTER" -n -v -c "$T_DIR/lab.rdns"
	tap_check "lab: rdns-milter -n: exit status" "$T_RC" 0
	tap_check "lab: rdns-milter -n -v: 127.0.0.1 stays trusted" \
	    "$(printf '%s\n' "$T_OUT" | grep '^TrustedNetworks')" \
	    "TrustedNetworks    127.0.0.1/32, ::1/128"
else
	tap_fail "$RDNS_MILTER not built"
fi

# Without the nodefault lines: libunbound's own empty zones answer.
lab_files nodefault '/nodefault$/d'
it_run "$RDNS_CHECK" -c "$T_DIR/nodefault.rdns" -j 127.0.0.2
tap_check "without nodefault: exit status (a failure)" "$T_RC" 1
case $T_OUT in
*'"reason": "no PTR record"'*)
	tap_ok "without nodefault: \"no PTR record\"" ;;
*)	tap_fail "without nodefault: \"no PTR record\"" "$T_OUT" ;;
esac

# do-not-query-localhost: the page's file leaves libunbound's default
# (no), which is why it reaches 127.0.0.1; "yes" would not.
tap_check "the page's file does not set do-not-query-localhost" \
    "$(grep -c do-not-query-localhost "$T_DIR/lab.doc")" 0
lab_files dnql 's/^server:$/server:\n\tdo-not-query-localhost: yes/'
tap_check "do-not-query-localhost: yes added" \
    "$(grep -c 'do-not-query-localhost: yes' "$T_DIR/dnql.conf")" 1
it_run "$RDNS_CHECK" -c "$T_DIR/dnql.rdns" -j -t 2 127.0.0.2
tap_check "do-not-query-localhost: yes: temperror (exit 2)" "$T_RC" 2
tap_done
