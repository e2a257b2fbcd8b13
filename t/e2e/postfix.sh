#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# postfix.sh - rdns-milter behind a private Postfix instance.
#
# Its own config_directory, queue_directory and data_directory in the work
# directory, smtpd on 127.0.0.1:PORT (random, never 25), no chroot, the
# log through postlogd into postfix.log, every message relayed to
# smtp-sink; the milter as smtpd_milters.  Postfix runs in a private mount
# namespace (t/e2e/lib.sh) and is configured to make no DNS lookup at
# all, which is checked.  Debian packages: postfix, swaks, util-linux,
# nsd, ldnsutils.  Needs root.  See lib.sh (e2e_scenarios) for the checks.

if [ -n "${abs_top_srcdir:-}" ]; then
	. "$abs_top_srcdir/t/e2e/lib.sh" || exit 99
else
	. "$(dirname "$0")/lib.sh" || exit 99
fi

e2e_init
e2e_require postfix postconf
getent passwd postfix >/dev/null || tap_skip_all "no postfix user"
getent group postdrop >/dev/null || tap_skip_all "no postdrop group"

PF_ETC=$E_DIR/postfix
PF_Q=$E_DIR/spool
PF_DATA=$E_DIR/data
PF_LOG=$E_DIR/postfix.log
E_LOGS="$E_LOGS $PF_LOG $E_DIR/postfix-start.out $E_DIR/sink.log"

e2e_world
e2e_milter_conf <<EOF
$E2E_POLICY
EOF
e2e_milter_start
e2e_sink_start 127.0.0.1
e2e_ns_start
E_MTA_PORT=$(proc_free_port) || tap_bail "no free port"
echo "# postfix on 127.0.0.1:$E_MTA_PORT, sink on 127.0.0.1:$E_SINK_PORT"

mkdir -p "$PF_ETC" "$PF_Q" "$PF_DATA" || tap_bail "mkdir"
chown postfix "$PF_DATA" || tap_bail "chown"

# The lines that matter for the milter are the smtpd_milters block; the
# rest keeps the instance private and away from the DNS.
cat >"$PF_ETC/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $PF_ETC
queue_directory = $PF_Q
data_directory = $PF_DATA
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF_LOG
maillog_file_prefixes = $E_DIR
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = $E_AUTHSERV
mydomain = example.net
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
relay_domains = example.com reject.example.com temp.example.com
    helo.example.com
smtpd_relay_restrictions = permit_auth_destination, reject
smtpd_recipient_restrictions = permit_auth_destination, reject
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
relayhost = [127.0.0.1]:$E_SINK_PORT
default_transport = smtp
relay_transport = smtp
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtputf8_enable = no

smtpd_milters = unix:$E_MILTER_SOCK
milter_default_action = tempfail
milter_protocol = 6
EOF

# master.cf: only what relaying needs, nothing chrooted.
cat >"$PF_ETC/master.cf" <<EOF
127.0.0.1:$E_MTA_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
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
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

PF_STARTED=
e2e_mta_stop()
{
	local pid i

	[ -n "$PF_STARTED" ] || return 0
	postfix -c "$PF_ETC" stop >>"$E_DIR/postfix-start.out" 2>&1
	# "postfix stop" returns before the master has gone: wait for it.
	pid=$(tr -dc '0-9' <"$PF_Q/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] || return 0
	for i in $(seq 1 500); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
}

e2e_mta_queue_empty()
{
	[ -z "$(find "$PF_Q/maildrop" "$PF_Q/incoming" "$PF_Q/active" \
	    "$PF_Q/deferred" "$PF_Q/hold" -type f 2>/dev/null)" ]
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

# "postfix check" creates the queue directories (post-install).
PF_STARTED=1
if ! (e2e_ns_exec postfix -c "$PF_ETC" check) \
    >"$E_DIR/postfix-start.out" 2>&1 ||
    ! (e2e_ns_exec postfix -c "$PF_ETC" start) \
    >>"$E_DIR/postfix-start.out" 2>&1 ||
    ! e2e_wait_listen 127.0.0.1 "$E_MTA_PORT" $$; then
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
