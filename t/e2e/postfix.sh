#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# postfix.sh - rdns-milter behind a private Postfix instance.
#
# The instance of t/lib/postfix.sh in the work directory (pf/): smtpd on
# 127.0.0.1:PORT (random, never 25), no chroot, the log in
# pf/postfix.log, every message relayed to smtp-sink; the milter as
# smtpd_milters.  Postfix runs in a private mount namespace (t/e2e/lib.sh)
# and is configured to make no DNS lookup at all, which is checked.
# Debian packages: postfix, swaks, util-linux, nsd, ldnsutils.  Needs
# root.  See lib.sh (e2e_scenarios) for the checks.

if [ -n "${abs_top_srcdir:-}" ]; then
	. "$abs_top_srcdir/t/e2e/lib.sh" || exit 99
else
	. "$(dirname "$0")/lib.sh" || exit 99
fi
. "$abs_top_srcdir/t/lib/postfix.sh" || exit 99

e2e_init
e2e_require postfix postconf
getent passwd postfix >/dev/null || tap_skip_all "no postfix user"
getent group postdrop >/dev/null || tap_skip_all "no postdrop group"

PF=$E_DIR/pf
E_LOGS="$E_LOGS $PF/postfix.log $PF/start.out $E_DIR/sink.log"

e2e_world
e2e_milter_conf <<EOF
$E2E_POLICY
EOF
e2e_milter_start
e2e_sink_start 127.0.0.1
e2e_ns_start
E_MTA_PORT=$(proc_free_port) || tap_bail "no free port"
echo "# postfix on 127.0.0.1:$E_MTA_PORT, sink on 127.0.0.1:$E_SINK_PORT"

# The relaying and the milter; t/lib/postfix.sh keeps the instance
# private and away from the DNS.
domains="example.com reject.example.com temp.example.com helo.example.com"
postfix_conf "$PF" "$E_MTA_PORT" "$E_AUTHSERV" "$E_SINK_PORT" \
    "relay_domains = $domains" \
    "smtpd_relay_restrictions = permit_auth_destination, reject" \
    "smtpd_recipient_restrictions = permit_auth_destination, reject" \
    "smtpd_milters = unix:$E_MILTER_SOCK" || tap_bail "postfix_conf"

e2e_mta_stop()
{
	postfix_stop "$PF"
}

e2e_mta_queue_empty()
{
	postfix_queue_empty "$PF"
}

e2e_mta_accept()
{
	echo "250 2.1.5 Ok"
}

# Postfix passes a milter's reply on unchanged.
e2e_mta_refuse()
{
	echo "$2"
}

e2e_mta_data_ok()
{
	echo "DATA -> 250 2.0.0 Ok: queued as QID"
}

e2e_mta_qid()
{
	sed -n 's/^<-  250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\)$/\1/p' "$1"
}

if ! postfix_start "$PF" "$E_MTA_PORT" e2e_ns_exec; then
	tap_fail "postfix starts"
	exit 1
fi
tap_ok "postfix $(postconf -h mail_version) starts on 127.0.0.1:$E_MTA_PORT"

e2e_scenarios

# However many forged fields a message has (RFC 8601 5), every one is
# deleted: 1, 64, 65 and 1,000 of ours, with a field of another
# authserv-id before them and after every seventh, which all stay; one
# log line per message gives the count.
for n in 1 64 65 1000; do
	c=forged-$n
	hdrs=$(awk -v n="$n" -v id="$E_AUTHSERV" 'BEGIN {
		print "Authentication-Results: other.example; none"
		for (i = 1; i <= n; i++) {
			print "Authentication-Results: " id \
			    "; iprev=pass (FORGED-" i ")"
			if (i % 7 == 0)
				print "Authentication-Results: other.example;" \
				    " iprev=pass"
		}
	}')
	e2e_send $c 127.0.0.2 mta.sec.test x@example.com "$hdrs"
	e2e_case_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_case_delivered $c x@example.com "$(e2e_ar_want \
	    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
	    'x-ptr=pass smtp.helo=mta.sec.test policy.ptr=mta.sec.test'
	    printf '%s\n' "$hdrs" | grep -v -F "$E_AUTHSERV;")"
	qid=$(e2e_mta_qid "$E_DIR/$c.swaks")
	e2e_wait_summary "$qid"
	[ "$n" = 1 ] && s= || s=s
	tap_check "$c: one log line with the count" \
	    "$(grep -F "$qid:" "$E_DIR/milter.log" | grep -F forged |
	    sed 's/;.*//')" \
	    "rdns-milter: $qid: removed $n forged Authentication-Results field$s"
done

# A new EHLO is judged again (issue 21): EHLO with the PTR name, a
# transaction whose RCPT needed the verdict, RSET, EHLO with another name,
# then a second transaction: the helo policy refuses, and the delivered
# header names the new HELO.  swaks cannot say RSET and EHLO again, so a
# few lines of Perl speak SMTP from 127.0.0.2.
c=rehelo
(e2e_ns_exec perl -MIO::Socket::INET -e '
	my ($port, $evil) = @ARGV;
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	    PeerPort => $port, LocalAddr => "127.0.0.2", Timeout => 30)
	    or die "connect: $!\n";
	sub reply { my $l; do { $l = <$s>; defined $l or die "eof\n";
	    $l =~ s/\r?\n$//; print "<- $l\n" } while ($l =~ /^\d{3}-/);
	    return $l }
	sub cmd { print "-> $_[0]\n"; print $s "$_[0]\r\n"; reply() }
	reply();
	cmd("EHLO mta.sec.test");
	cmd("MAIL FROM:<a\@sender.test>");
	cmd("RCPT TO:<h\@helo.example.com>");
	cmd("RSET");
	cmd("EHLO $evil");
	cmd("MAIL FROM:<a\@sender.test>");
	cmd("RCPT TO:<h\@helo.example.com>");
	cmd("RCPT TO:<x\@example.com>");
	cmd("DATA");
	print $s "From: <a\@sender.test>\r\nTo: <x\@example.com>\r\n",
	    "Subject: rdns-milter e2e rehelo\r\nX-E2E-Case: rehelo\r\n",
	    "\r\nTest message rehelo.\r\n";
	cmd(".");
	cmd("QUIT");
' "$E_MTA_PORT" evil.attacker.invalid) >"$E_DIR/$c.smtp" 2>&1 </dev/null
tap_check "$c: the RCPT after the new EHLO follows it" \
    "$(awk '/^-> RCPT/ { r = substr($0, 4); next }
    r != "" && /^<- / { print r " -> " substr($0, 4); r = "" }' \
    "$E_DIR/$c.smtp")" \
    "$(printf '%s\n' 'RCPT TO:<h@helo.example.com> -> 250 2.1.5 Ok' \
    'RCPT TO:<h@helo.example.com> -> 550 5.7.25 HELO name evil.attacker.invalid does not match reverse DNS name mta.sec.test' \
    'RCPT TO:<x@example.com> -> 250 2.1.5 Ok')"
e2e_settle || tap_fail "$c: the MTA's queue drains"
e2e_case_delivered $c x@example.com "$(e2e_ar_want \
    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
    'x-ptr=fail smtp.helo=evil.attacker.invalid policy.ptr=mta.sec.test')"

# smtpd_peername_lookup = no, relayhost [127.0.0.1], DNS support off.
tap_check "postfix made no DNS query" "$(e2e_ns_queries)" ""

tap_done
