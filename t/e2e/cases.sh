# SPDX-License-Identifier: BSD-2-Clause
# cases.sh - the end-to-end cases (bash; sourced by t/e2e/lib.sh).
#
# A case is a function e2e_case_NAME.  It sends SMTP transactions through
# the MTA of the running script (e2e_send: swaks; $E_DIR/NAME.swaks is the
# transcript) from a client address of the DNS world (127.0.0.0/8, see
# t/dns/README.md: 127.0.0.2 forward-confirmed, .3 no PTR, ...), and
# checks what the MTA answered (e2e_expect_replies), what reached the
# sink (e2e_settle, e2e_expect_delivered) and what the daemon logged
# (e2e_expect_summary), each check a TAP line named "NAME: ...".  The
# MTA's own wording comes from its hooks (e2e_mta_accept, e2e_mta_refuse,
# e2e_mta_data_ok, e2e_mta_qid): a case states what rdns-milter does, the
# hooks how the MTA shows it.
#
#	e2e_cases NAME...		# run e2e_case_NAME for each NAME
#	E2E_CASES			# the cases every MTA runs, in order
#	E2E_POLICY			# the daemon's policy for them
#
# postfix.sh and sendmail.sh run $E2E_CASES with a daemon configured
# with $E2E_POLICY (e2e_milter_conf); postfix.sh then runs the case only
# Postfix can: forged_many.  A case that needs more than one transaction,
# RSET or a second EHLO speaks SMTP itself (e2e_smtp, e2e_compose).

# The milter's reply texts (SPEC 3.2) for the addresses of the world.
E_NOPTR='The IP address sending this message does not have a PTR record'

# The daemon's settings for the cases (with lib.sh's e2e_milter_conf).
E2E_POLICY="TrustedNetworks 192.0.2.250/32, 127.0.0.6/32
Policy * ptr=accept
Policy reject.example.com ptr=reject iprev=reject generic=reject
Policy temp.example.com ptr=tempfail iprev=tempfail generic=tempfail \
temperror=tempfail
Policy helo.example.com helo=reject"

E2E_CASES="confirmed noptr_mixed noptr_refused notconfirmed generic
    temperror helo helo_percent timeout forged trusted rehelo two_messages"

e2e_cases()
{
	local n

	for n in "$@"; do
		"e2e_case_$n"
	done
}

# 127.0.0.2: mta.sec.test, forward-confirmed, secure; HELO matches.
e2e_case_confirmed()
{
	local c

	c=confirmed
	e2e_send $c 127.0.0.2 mta.sec.test \
	    x@example.com,y@reject.example.com,z@temp.example.com
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    echo "RCPT <y@reject.example.com> ->" \
		"$(e2e_mta_accept y@reject.example.com)"
	    echo "RCPT <z@temp.example.com> ->" \
		"$(e2e_mta_accept z@temp.example.com)"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c "$(printf '%s\n' x@example.com \
	    y@reject.example.com z@temp.example.com)" "$(e2e_ar_want \
	    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
	    'x-ptr=pass smtp.helo=mta.sec.test policy.ptr=mta.sec.test')"
	e2e_expect_summary $c "ip=127.0.0.2 ptr=pass iprev=pass\
 name=mta.sec.test dnssec=secure helo=mta.sec.test x-ptr=pass generic=no\
 action=accept policy=- check=- rcpts=0 helo_fwd=pass helo_aligned=yes\
 allowlisted=no domains=example.com,reject.example.com,temp.example.com\
 exempt=- ms=N"
}

# 127.0.0.3: no PTR.  A mixed transaction: refused at
# reject.example.com (550) and temp.example.com (451), accepted for
# example.com and for postmaster@ and abuse@ of reject.example.com
# (ExemptRecipients, case-insensitive); one delivery, one header.
e2e_case_noptr_mixed()
{
	local c r

	c=noptr-mixed
	r=x@example.com,y@reject.example.com,postmaster@reject.example.com
	e2e_send $c 127.0.0.3 mta.sec.test \
	    "$r,z@temp.example.com,Abuse@reject.example.com"
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    echo "RCPT <y@reject.example.com> -> $(e2e_mta_refuse \
		y@reject.example.com "550 5.7.25 $E_NOPTR")"
	    echo "RCPT <postmaster@reject.example.com> ->" \
		"$(e2e_mta_accept postmaster@reject.example.com)"
	    echo "RCPT <z@temp.example.com> -> $(e2e_mta_refuse \
		z@temp.example.com "451 4.7.25 $E_NOPTR")"
	    echo "RCPT <Abuse@reject.example.com> ->" \
		"$(e2e_mta_accept Abuse@reject.example.com)"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c "$(printf '%s\n' Abuse@reject.example.com \
	    postmaster@reject.example.com x@example.com)" "$(e2e_ar_want \
	    'iprev=permerror (no PTR record; dnssec=secure) policy.iprev=127.0.0.3' \
	    'x-ptr=fail smtp.helo=mta.sec.test')"
	e2e_expect_summary $c "ip=127.0.0.3 ptr=fail iprev=permerror\
 name=- dnssec=secure helo=mta.sec.test x-ptr=fail generic=no\
 action=reject policy=reject.example.com check=ptr rcpts=2 helo_fwd=fail\
 helo_aligned=no allowlisted=no\
 domains=example.com,reject.example.com,temp.example.com\
 exempt=postmaster@reject.example.com,abuse@reject.example.com ms=N"
}

# 127.0.0.3 again, only refused recipients: nothing is delivered.
e2e_case_noptr_refused()
{
	local c

	c=noptr-refused
	e2e_send $c 127.0.0.3 mta.sec.test y@reject.example.com
	e2e_expect_replies $c "RCPT <y@reject.example.com> -> $(e2e_mta_refuse \
	    y@reject.example.com "550 5.7.25 $E_NOPTR")"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	tap_check "$c: nothing delivered" "$(e2e_delivered $c)" ""
}

# 127.0.0.4: PTR notme.sec.test, which does not resolve back.
e2e_case_notconfirmed()
{
	local c r

	c=notconfirmed
	e2e_send $c 127.0.0.4 notme.sec.test x@example.com,y@reject.example.com
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    echo "RCPT <y@reject.example.com> -> $(e2e_mta_refuse \
		y@reject.example.com "550 5.7.25 Reverse DNS for 127.0.0.4\
 (notme.sec.test) does not resolve back to it")"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	r='	iprev=fail (PTR notme.sec.test does not resolve to 127.0.0.4;'
	e2e_expect_delivered $c x@example.com "$(printf '%s\n' \
	    "Authentication-Results: $E_AUTHSERV;" \
	    "$r dnssec=secure)" \
	    '	policy.iprev=127.0.0.4;' \
	    '	x-ptr=fail smtp.helo=notme.sec.test')"
}

# 127.0.0.5: dsl-127-0-0-5.pool.insec.test, confirmed, generic.
e2e_case_generic()
{
	local c r

	c=generic
	r=dsl-127-0-0-5.pool.insec.test
	e2e_send $c 127.0.0.5 $r x@example.com,y@reject.example.com,z@temp.example.com
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    echo "RCPT <y@reject.example.com> -> $(e2e_mta_refuse \
		y@reject.example.com "550 5.7.25 Reverse DNS name $r of\
 127.0.0.5 looks generic")"
	    echo "RCPT <z@temp.example.com> -> $(e2e_mta_refuse \
		z@temp.example.com "451 4.7.25 Reverse DNS name $r of\
 127.0.0.5 looks generic")"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c x@example.com "$(printf '%s\n' \
	    "Authentication-Results: $E_AUTHSERV;" \
	    "	iprev=pass ($r; dnssec=insecure; generic)" \
	    '	policy.iprev=127.0.0.5;' \
	    "	x-ptr=pass smtp.helo=$r" \
	    "	policy.ptr=$r")"
}

# 127.0.0.8: mail8.bogus.test, bogus forward: temperror.  Only the
# domain whose temperror action is tempfail refuses (451).
e2e_case_temperror()
{
	local c

	c=temperror
	e2e_send $c 127.0.0.8 mail8.bogus.test \
	    x@example.com,y@reject.example.com,z@temp.example.com
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    echo "RCPT <y@reject.example.com> ->" \
		"$(e2e_mta_accept y@reject.example.com)"
	    echo "RCPT <z@temp.example.com> -> $(e2e_mta_refuse \
		z@temp.example.com "451 4.7.25 Temporary failure looking up\
 reverse DNS for 127.0.0.8")"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c "$(printf '%s\n' x@example.com \
	    y@reject.example.com)" "$(e2e_ar_want \
	    'iprev=temperror (DNSSEC bogus; dnssec=bogus) policy.iprev=127.0.0.8' \
	    'x-ptr=temperror smtp.helo=mail8.bogus.test')"
}

# 127.0.0.2 with HELO mail.insec.test (A 198.51.100.10): neither the
# verified name nor forward-confirming, and of another organizational
# domain (other.sec.test would be aligned with mta.sec.test).
e2e_case_helo()
{
	local c

	c=helo
	e2e_send $c 127.0.0.2 mail.insec.test x@example.com,h@helo.example.com
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    echo "RCPT <h@helo.example.com> -> $(e2e_mta_refuse \
		h@helo.example.com "550 5.7.25 HELO name mail.insec.test does\
 not match reverse DNS name mta.sec.test")"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c x@example.com "$(e2e_ar_want \
	    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
	    'x-ptr=fail smtp.helo=mail.insec.test policy.ptr=mta.sec.test')"
}

# A HELO with '%' (smfi_setreply(3) takes it as an escape, and
# Sendmail drops a reply text with a single one): Postfix accepts
# such a HELO, and the reply text arrives with '?' for '%'.  Sendmail
# itself refuses the HELO (501 Invalid domain name), so no such text
# can reach it.
e2e_case_helo_percent()
{
	local c

	c=helo-percent
	e2e_send $c 127.0.0.2 '100%.sec.test' x@example.com,h@helo.example.com
	if [ "$e2e_name" = sendmail ]; then
		if grep -q '^<\*\* *501 5\.0\.0 Invalid domain name' \
		    "$E_DIR/$c.swaks"; then
			tap_ok "$c: sendmail refuses the HELO itself (501)"
		else
			tap_fail "$c: sendmail refuses the HELO itself (501)" \
			    "$(cat "$E_DIR/$c.swaks")"
		fi
	else
		e2e_expect_replies $c "$(
		    echo "RCPT <x@example.com> -> $(e2e_mta_accept \
			x@example.com)"
		    echo "RCPT <h@helo.example.com> -> $(e2e_mta_refuse \
			h@helo.example.com "550 5.7.25 HELO name\
 100?.sec.test does not match reverse DNS name mta.sec.test")"
		    e2e_mta_data_ok)"
	fi
	e2e_settle || tap_fail "$c: the MTA's queue drains"
}

# 127.0.0.7: x.hole.test, whose name servers never answer.  The
# RCPT that needs a verdict waits at most DNSTimeout (3 s in the
# world's rdns.conf), well within the MTA's milter timeouts.
e2e_case_timeout()
{
	local c t0 t1

	c=timeout
	t0=$(date +%s)
	e2e_send $c 127.0.0.7 x.hole.test x@example.com,z@temp.example.com
	t1=$(date +%s)
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    echo "RCPT <z@temp.example.com> -> $(e2e_mta_refuse \
		z@temp.example.com "451 4.7.25 Temporary failure looking up\
 reverse DNS for 127.0.0.7")"
	    e2e_mta_data_ok)"
	if [ $((t1 - t0)) -le 10 ]; then
		tap_ok "$c: the transaction took $((t1 - t0)) s (DNSTimeout 3)"
	else
		tap_fail "$c: the transaction took $((t1 - t0)) s" \
		    "want at most 10 s (DNSTimeout 3)"
	fi
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c x@example.com "$(e2e_ar_want \
	    'iprev=temperror (DNS timeout; dnssec=insecure) policy.iprev=127.0.0.7' \
	    'x-ptr=temperror smtp.helo=x.hole.test')"
}

# Forged fields (RFC 8601 5): ours, in any case, with a comment
# and a version, are deleted; another authserv-id stays.
e2e_case_forged()
{
	local c

	c=forged
	e2e_send $c 127.0.0.2 mta.sec.test x@example.com "$(printf '%s\n' \
	    "Authentication-Results: $E_AUTHSERV; iprev=pass" \
	    "Authentication-Results: $E_AUTHSERV.evil; iprev=pass" \
	    'Authentication-Results: (forged) MX.Example.NET 1;' \
	    '	x-ptr=pass smtp.helo=mta.sec.test')"
	e2e_expect_replies $c "$(
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c x@example.com "$(e2e_ar_want \
	    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
	    'x-ptr=pass smtp.helo=mta.sec.test policy.ptr=mta.sec.test'
	    echo "Authentication-Results: $E_AUTHSERV.evil; iprev=pass")"
}

# 127.0.0.6 is in TrustedNetworks: no checks, no header, and an
# Authentication-Results field with our id stays.
e2e_case_trusted()
{
	local c

	c=trusted
	e2e_send $c 127.0.0.6 mta.insec.test y@reject.example.com \
	    "Authentication-Results: $E_AUTHSERV; iprev=pass"
	e2e_expect_replies $c "$(
	    echo "RCPT <y@reject.example.com> ->" \
		"$(e2e_mta_accept y@reject.example.com)"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c y@reject.example.com \
	    "Authentication-Results: $E_AUTHSERV; iprev=pass" no
}

# However many forged fields a message has (RFC 8601 5), every one is
# deleted: 1, 64, 65 and 1,000 of ours, with a field of another
# authserv-id before them and after every seventh, which all stay; one
# log line per message gives the count.  Postfix only: Sendmail refuses
# a header over 32 KB (MaxHeadersLength).
e2e_case_forged_many()
{
	local c n hdrs qid s

	for n in 1 64 65 1000; do
		c=forged-$n
		hdrs=$(awk -v n="$n" -v id="$E_AUTHSERV" 'BEGIN {
		    other = "Authentication-Results: other.example;"
		    print other " none"
		    for (i = 1; i <= n; i++) {
			print "Authentication-Results: " id \
			    "; iprev=pass (FORGED-" i ")"
			if (i % 7 == 0)
				print other " iprev=pass"
		    }
		}')
		e2e_send $c 127.0.0.2 mta.sec.test x@example.com "$hdrs"
		e2e_expect_replies $c "$(
		    echo "RCPT <x@example.com> ->" \
			"$(e2e_mta_accept x@example.com)"
		    e2e_mta_data_ok)"
		e2e_settle || tap_fail "$c: the MTA's queue drains"
		e2e_expect_delivered $c x@example.com "$(e2e_ar_want \
		    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
		    'x-ptr=pass smtp.helo=mta.sec.test policy.ptr=mta.sec.test'
		    printf '%s\n' "$hdrs" | grep -v -F "$E_AUTHSERV;")"
		qid=$(e2e_mta_qid "$E_DIR/$c.swaks")
		e2e_wait_summary "$qid"
		[ "$n" = 1 ] && s= || s=s
		tap_check "$c: one log line with the count" \
		    "$(grep -F "$qid:" "$E_DIR/milter.log" | grep -F forged |
		    sed 's/;.*//')" "rdns-milter: $qid: removed $n forged\
 Authentication-Results field$s"
	done
}

# A new EHLO is judged again (issue 21): EHLO with the PTR name, a
# transaction whose RCPT needed the verdict, RSET, EHLO with another name,
# then a second transaction: the helo policy refuses, and the delivered
# header names the new HELO.  swaks cannot say RSET and EHLO again:
# e2e_smtp speaks SMTP from 127.0.0.2.
e2e_case_rehelo()
{
	local c evil=evil.attacker.invalid

	c=rehelo
	e2e_compose $c x@example.com
	e2e_smtp $c 127.0.0.2 "EHLO mta.sec.test" "MAIL FROM:<a@sender.test>" \
	    "RCPT TO:<h@helo.example.com>" RSET "EHLO $evil" \
	    "MAIL FROM:<a@sender.test>" "RCPT TO:<h@helo.example.com>" \
	    "RCPT TO:<x@example.com>" "DATA $c" QUIT
	e2e_expect_replies $c "$(
	    echo "RCPT <h@helo.example.com> ->" \
		"$(e2e_mta_accept h@helo.example.com)"
	    echo "RCPT <h@helo.example.com> -> $(e2e_mta_refuse \
		h@helo.example.com "550 5.7.25 HELO name $evil does not match\
 reverse DNS name mta.sec.test")"
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	e2e_expect_delivered $c x@example.com "$(e2e_ar_want \
	    'iprev=pass (mta.sec.test; dnssec=secure) policy.iprev=127.0.0.2' \
	    "x-ptr=fail smtp.helo=$evil policy.ptr=mta.sec.test")"
}

# Two messages in one SMTP session from 127.0.0.3 (no PTR): what one
# message did must not follow the next.  The first is refused for
# y@reject.example.com (550), accepted for x@example.com, and carries a
# forged field of ours (its first Authentication-Results field); the
# second goes to x@example.com only, with a field of another authserv-id
# in the same place.  Each is delivered with our one field, the first
# without the forged one, the second with the other one kept; each has
# its own log line: the second says action=accept rcpts=0 (rdns-milter(8):
# the strongest action "for any recipient of the message") and counts no
# forged field.
e2e_case_two_messages()
{
	local c=two-messages mail="MAIL FROM:<a@sender.test>"
	local ar n q forged want

	e2e_compose $c-1 x@example.com,y@reject.example.com \
	    "Authentication-Results: $E_AUTHSERV; iprev=pass"
	e2e_compose $c-2 x@example.com \
	    "Authentication-Results: other.example; iprev=pass"
	e2e_smtp $c 127.0.0.3 "EHLO mta.sec.test" "$mail" \
	    "RCPT TO:<y@reject.example.com>" "RCPT TO:<x@example.com>" \
	    "DATA $c-1" "$mail" "RCPT TO:<x@example.com>" "DATA $c-2" QUIT
	e2e_expect_replies $c "$(
	    echo "RCPT <y@reject.example.com> -> $(e2e_mta_refuse \
		y@reject.example.com "550 5.7.25 $E_NOPTR")"
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    e2e_mta_data_ok
	    echo "RCPT <x@example.com> -> $(e2e_mta_accept x@example.com)"
	    e2e_mta_data_ok)"
	e2e_settle || tap_fail "$c: the MTA's queue drains"
	ar=$(e2e_ar_want \
	    'iprev=permerror (no PTR record; dnssec=secure) policy.iprev=127.0.0.3' \
	    'x-ptr=fail smtp.helo=mta.sec.test')
	e2e_expect_delivered $c-1 x@example.com "$ar"
	e2e_expect_delivered $c-2 x@example.com "$(printf '%s\n' "$ar" \
	    "Authentication-Results: other.example; iprev=pass")"
	e2e_expect_summary $c "ip=127.0.0.3 ptr=fail iprev=permerror\
 name=- dnssec=secure helo=mta.sec.test x-ptr=fail generic=no\
 action=reject policy=reject.example.com check=ptr rcpts=1 helo_fwd=fail\
 helo_aligned=no allowlisted=no domains=reject.example.com,example.com\
 exempt=- ms=N" 1
	e2e_expect_summary $c "ip=127.0.0.3 ptr=fail iprev=permerror\
 name=- dnssec=secure helo=mta.sec.test x-ptr=fail generic=no\
 action=accept policy=- check=- rcpts=0 helo_fwd=fail\
 helo_aligned=no allowlisted=no domains=example.com exempt=- ms=N" 2
	for n in 1 2; do
		q=$(e2e_mta_qid "$E_DIR/$c.swaks" | sed -n ${n}p)
		[ -n "$q" ] || continue
		forged=$(grep -F "$q: removed" "$E_DIR/milter.log" |
		    sed 's/;.*//')
		want=
		[ "$n" = 2 ] || want="rdns-milter: $q: removed 1 forged\
 Authentication-Results field"
		tap_check "$c, message $n: the forged fields counted" \
		    "$forged" "$want"
	done
}
