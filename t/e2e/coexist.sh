#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# coexist.sh - rdns-milter beside Debian's OpenDKIM and OpenDMARC.
#
# One private Postfix (t/e2e/site.sh) with three milters: rdns-milter,
# opendkim (verifying) and opendmarc, all three with their default
# authserv-id, the host name (mx.example.net in the test's namespace).  A
# message from a@sec.test, DKIM-signed (d=sec.test) with a key made here
# whose public half, and a DMARC record, are in the loopback DNS world, is
# sent from 127.0.0.2 (mta.sec.test, forward-confirmed) once with each
# order of smtpd_milters:
#
#	rdns-milter, opendkim, opendmarc
#	opendkim, opendmarc, rdns-milter
#
# (opendkim always before opendmarc, which reads its result.)  With
# rdns-milter first, the delivered message must carry exactly three
# Authentication-Results fields: ours (iprev=pass), OpenDKIM's (dkim=pass)
# and OpenDMARC's (dmarc=pass), none deleted, also when the client sent
# forged fields with the authserv-id (those go).  With rdns-milter last,
# Postfix shows it the fields OpenDKIM and OpenDMARC added, and it deletes
# them as forged (same authserv-id): that is detected and asserted, and
# the documentation says to list rdns-milter first.
# The fields are printed for the record.  opendkim and opendmarc resolve
# through a site unbound on loopback that serves only the world; Postfix
# makes no DNS lookup.  Debian packages: opendkim, opendkim-tools,
# opendmarc, unbound, postfix, swaks, nsd, ldnsutils.  Needs root.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/e2e/lib.sh" ||
    exit 99
. "$E_SRC/site.sh" || exit 99

e2e_init
e2e_require postfix postconf opendkim opendmarc opendkim-genkey \
    opendkim-testmsg unbound unbound-control drill
getent passwd opendkim >/dev/null || tap_skip_all "no opendkim user"
getent passwd opendmarc >/dev/null || tap_skip_all "no opendmarc user"

co_stop()
{
	proc_stop "$DKIM_PID" 5
	proc_stop "$DMARC_PID" 5
}
DKIM_PID=
DMARC_PID=
E_STOP="$E_STOP co_stop"

# The world, with the signer's key and a DMARC policy in sec.test.
KEYS=$E_DIR/dkim
mkdir -p "$KEYS" && cp -r "$abs_top_srcdir/t/dns" "$E_DIR/dnssrc" &&
    chmod -R u+w "$E_DIR/dnssrc" || tap_bail "copy of t/dns"
opendkim-genkey -b 1024 -d sec.test -s e2e -D "$KEYS" ||
    tap_bail "opendkim-genkey"
{
	echo
	# The record without its trailing comment and its h= restriction
	# (opendkim-testmsg signs with the library's default algorithm).
	sed -e 's/[[:space:]]*; -----.*$//' -e 's/ h=sha256;//' "$KEYS/e2e.txt"
	echo '_dmarc	TXT	"v=DMARC1; p=reject"'
} >>"$E_DIR/dnssrc/zones/sec.test.zone"
export WORLD_SRCDIR=$E_DIR/dnssrc
e2e_world
e2e_unbound_start site
e2e_sink_start 127.0.0.1
e2e_ns_start
e2e_ns_resolver "$UB_ADDR_site"
echo "# site unbound on $UB_ADDR_site:53"

# rdns-milter: the world's resolver, no AuthservID (the host name).
{
	cat "$E_WORLD/rdns.conf"
	echo "Syslog no"
	echo "UMask 000"
	echo "TrustedNetworks 192.0.2.250/32"
} >"$E_DIR/rdns.conf"
e2e_milter_start "" e2e_ns_exec
E_LOGS="$E_LOGS $E_DIR/opendkim.log $E_DIR/opendmarc.log"

# Each daemon opens its socket after switching to its user: a directory
# of its own.
for u in opendkim opendmarc; do
	install -d -o "$u" -m 755 "$E_DIR/$u" || tap_bail "mkdir $u"
done

# opendkim: verify only; libunbound with the world's configuration.
cat >"$E_DIR/opendkim.conf" <<EOF
Mode v
Socket local:$E_DIR/opendkim/dkim.sock
UMask 000
UserID opendkim
Syslog no
ResolverConfiguration $E_WORLD/unbound.conf
EOF
(e2e_ns_exec opendkim -f -l -x "$E_DIR/opendkim.conf") \
    >"$E_DIR/opendkim.log" 2>&1 </dev/null &
DKIM_PID=$!

# opendmarc: its DNS goes through the namespace's resolv.conf (the site
# unbound); no SPF of its own, no reports.
cat >"$E_DIR/opendmarc.conf" <<EOF
Socket local:$E_DIR/opendmarc/dmarc.sock
UMask 000
UserID opendmarc
Syslog false
SPFSelfValidate false
EOF
(e2e_ns_exec opendmarc -f -c "$E_DIR/opendmarc.conf") \
    >"$E_DIR/opendmarc.log" 2>&1 </dev/null &
DMARC_PID=$!

RDNS=unix:$E_DIR/rdns.sock
DKIM=unix:$E_DIR/opendkim/dkim.sock
DMARC=unix:$E_DIR/opendmarc/dmarc.sock
for s in "$DKIM:$DKIM_PID" "$DMARC:$DMARC_PID"; do
	p=${s%:*}
	daemon_wait_accept "$p" "${s##*:}" 10 ||
	    tap_bail "the milter on $p did not start"
done
tap_ok "rdns-milter, opendkim $(opendkim -V | sed -n '1s/.*v//p'), opendmarc run"

E_MTA_PORT=$(proc_free_port) || tap_bail "no free port"
e2e_pf_start mx "$E_MTA_PORT" "$RDNS $DKIM $DMARC"
tap_ok "postfix $(postconf -h mail_version) on 127.0.0.1:$E_MTA_PORT"

e2e_mta_queue_empty() { e2e_pf_queue_empty mx; }
e2e_mta_qid()
{
	sed -n 's/^<-  250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\)$/\1/p' "$1"
}

# send CASE [HEADER...]: a message signed for sec.test, from 127.0.0.2,
# the HEADERs put above the signed message (unsigned, as a forger on the
# way would add them).
send()
{
	local c=$1

	shift
	printf '%s\r\n' "From: <a@sec.test>" "To: <x@example.com>" \
	    "Subject: coexistence $c" "Date: $(date -R)" \
	    "Message-Id: <$c.coexist@sec.test>" "X-E2E-Case: $c" "" \
	    "Signed test message $c." >"$E_DIR/$c.raw"
	{
		[ $# -eq 0 ] || printf '%s\r\n' "$@"
		opendkim-testmsg -d sec.test -s e2e -k "$KEYS/e2e.private" \
		    <"$E_DIR/$c.raw"
	} >"$E_DIR/$c.eml" ||
	    { tap_fail "$c: the message is signed"; return 1; }
	(e2e_ns_exec swaks --server "127.0.0.1:$E_MTA_PORT" \
	    --local-interface 127.0.0.2 --helo mta.sec.test \
	    --from a@sec.test --to x@example.com --data "@$E_DIR/$c.eml" \
	    --timeout 30) >"$E_DIR/$c.swaks" 2>&1 </dev/null
}

# check CASE ORDER: the three fields, each once.
check()
{
	local c=$1 f ar

	tap_check "$c: accepted" "$(grep -c '^<-  250 2.0.0 Ok: queued' \
	    "$E_DIR/$c.swaks")" 1
	e2e_settle || tap_fail "$c: the queue drains"
	f=$(e2e_delivered "$c")
	if [ -z "$f" ] || [ "$(printf '%s\n' "$f" | wc -l)" -ne 1 ]; then
		tap_fail "$c: delivered once" "files: $f"
		return 1
	fi
	ar=$(e2e_ar_fields "$f")
	echo "# $c: smtpd_milters = $2"
	printf '%s\n' "$ar" | sed 's/^/#   /'
	# One logical field a line.
	ar=$(printf '%s\n' "$ar" | awk '/^[^ \t]/ { if (l != "") print l; l = $0; next }
	    { l = l " " $0 } END { if (l != "") print l }' | tr -s ' \t' '  ')
	tap_check "$c: three Authentication-Results fields" \
	    "$(printf '%s\n' "$ar" | grep -c .)" 3
	tap_check "$c: all three with authserv-id $E_AUTHSERV" \
	    "$(printf '%s\n' "$ar" | grep -c "^Authentication-Results: $E_AUTHSERV;")" 3
	tap_check "$c: one rdns-milter field (iprev=pass, x-ptr=pass)" \
	    "$(printf '%s\n' "$ar" | grep -c 'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2; x-ptr=pass')" 1
	tap_check "$c: OpenDKIM's field, dkim=pass" \
	    "$(printf '%s\n' "$ar" | grep -c 'dkim=pass .*header.d=sec.test')" 1
	tap_check "$c: OpenDMARC's field, dmarc=pass" \
	    "$(printf '%s\n' "$ar" | grep -c 'dmarc=pass .*header.from=sec.test')" 1
}

send rdns-first
check rdns-first "rdns-milter opendkim opendmarc"

# Fields the client sent with our authserv-id still go; theirs, added
# after us, stay.
send forged-first \
    "Authentication-Results: $E_AUTHSERV; dkim=pass (forged)" \
    "Received: from forger.example by relay.example" \
    "Authentication-Results: $E_AUTHSERV; iprev=pass (forged)"
check forged-first "rdns-milter opendkim opendmarc, 2 forged fields sent"
tap_check "forged-first: no forged field delivered" \
    "$(e2e_ar_fields "$(e2e_delivered forged-first)" | grep -c forged)" 0

# The other order: Postfix shows each milter the fields the milters
# before it added, so rdns-milter, listed after OpenDKIM and OpenDMARC,
# takes their fields (same authserv-id) for forged ones and deletes them
# (RFC 8601 5).  Detected here, and documented: rdns-milter goes first
# (README, rdns-milter(8), README.Debian).  Should this ever change, the
# test fails and the documented order can be revisited.
e2e_pf_milters mx "$DKIM $DMARC $RDNS" || tap_fail "postfix reload"
sleep 1
send rdns-last
tap_check "rdns-last: accepted" "$(grep -c '^<-  250 2.0.0 Ok: queued' \
    "$E_DIR/rdns-last.swaks")" 1
e2e_settle || tap_fail "rdns-last: the queue drains"
f=$(e2e_delivered rdns-last)
echo "# rdns-last: smtpd_milters = opendkim opendmarc rdns-milter"
e2e_ar_fields "$f" | sed 's/^/#   /'
tap_check "rdns-last (detected): only our field is left, rdns-milter must be listed first" \
    "$(e2e_ar_fields "$f" | grep -c '^Authentication-Results:') $(
    e2e_ar_fields "$f" | grep -c 'iprev=pass')" "1 1"
tap_done
