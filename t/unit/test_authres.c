/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_authres.c - the Authentication-Results value we write (SPEC 3.1:
 * exact shape, quoting, sanitising, folding) and the detection of forged
 * fields carrying our authserv-id (RFC 8601 2.2, 5).
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"
#include "result_builder.h"

#define ID		"mx.example.net"
/* "Authentication-Results: " in front of the first line. */
#define PREFIX_LEN	24

/*
 * Properties every value we write must have: no CR, every LF is a fold
 * followed by a tab, no line over 998 (RFC 5322 2.1.1), and a line of 78
 * or more only when it holds a single word that cannot be folded (no
 * space outside a quoted-string).  The first line counts the field name.
 */
static void
assert_folding_ok(const char *v)
{
	const char *line = v, *nl;
	size_t len, extra = PREFIX_LEN;

	assert_null(strchr(v, '\r'));
	for (;;) {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (line != v)
			assert_int_equal(line[0], '\t');
		assert_true(len + extra <= 998);
		if (len + extra >= 78) {
			const char *p = line + (line != v ? 1 : 0);
			bool quoted = false;

			for (; p < line + len; p++) {
				if (quoted && *p == '\\')
					p++;
				else if (*p == '"')
					quoted = !quoted;
				else if (*p == ' ' && !quoted)
					fail_msg("foldable line of %zu: %.*s",
					    len + extra, (int)len, line);
			}
		}
		if (nl == NULL)
			break;
		line = nl + 1;
		extra = 0;
	}
}

/* Shapes. */
#define R_PASS4 {							\
	.ip = "203.0.113.42", .iprev = CHECK_PASS,			\
	.dnssec = DNSSEC_SECURE, .reason = "",				\
	.names = { "mail.example.com" }, .verified = 1,			\
	.helo = "mail.example.com", .xptr = CHECK_PASS,			\
	.helo_fwd = CHECK_PASS, .helo_match = 1, .generic = GENERIC_NO }

struct fcase {
	const char	*name;
	struct rspec	 r;
	const char	*want;
};

static const struct fcase format_cases[] = {
	{ "pass_v4_secure_is_the_spec_example", R_PASS4,
	    "mx.example.net;\n"
	    "\tiprev=pass (mail.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=pass smtp.helo=mail.example.com "
	    "policy.ptr=mail.example.com" },
	{ "pass_v6_ip_is_quoted", {
		.ip = "2001:db8::25", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .reason = "",
		.names = { "mail.example.com" }, .verified = 1,
		.helo = "mail.example.com", .xptr = CHECK_PASS,
		.helo_fwd = CHECK_PASS, .helo_match = 1,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (mail.example.com; dnssec=insecure) "
	    "policy.iprev=\"2001:db8::25\";\n"
	    "\tx-ptr=pass smtp.helo=mail.example.com "
	    "policy.ptr=mail.example.com" },
	{ "pass_generic_is_noted_in_comment", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .reason = "",
		.names = { "dyn42.example.net" }, .verified = 1,
		.helo = "mail.example.com", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_YES },
	    "mx.example.net;\n"
	    "\tiprev=pass (dyn42.example.net; dnssec=insecure; generic)\n"
	    "\tpolicy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=mail.example.com "
	    "policy.ptr=dyn42.example.net" },
	{ "pass_long_generic_name_folds_before_comment", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .reason = "",
		.names = { "ec2-203-0-113-42.compute-1.amazonaws.com" },
		.verified = 1, .helo = "ip-10-0-0-1.ec2.internal",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_YES },
	    "mx.example.net;\n"
	    "\tiprev=pass\n"
	    "\t(ec2-203-0-113-42.compute-1.amazonaws.com; dnssec=insecure; "
	    "generic)\n"
	    "\tpolicy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=ip-10-0-0-1.ec2.internal\n"
	    "\tpolicy.ptr=ec2-203-0-113-42.compute-1.amazonaws.com" },
	{ "fail_reason_in_comment", {
		.ip = "203.0.113.42", .iprev = CHECK_FAIL,
		.dnssec = DNSSEC_INSECURE,
		.reason = "PTR x.example.com does not resolve to 203.0.113.42",
		.names = { "x.example.com" }, .verified = 0,
		.helo = "a.example.org", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=fail\n"
	    "\t(PTR x.example.com does not resolve to 203.0.113.42; "
	    "dnssec=insecure)\n"
	    "\tpolicy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=a.example.org" },
	{ "fail_v6_reason_keeps_colons_and_spaces", {
		.ip = "2001:db8::25", .iprev = CHECK_FAIL,
		.dnssec = DNSSEC_SECURE,
		.reason = "PTR v6.example.com does not resolve to 2001:db8::25",
		.names = { "v6.example.com" }, .verified = 0,
		.helo = "v6.example.com", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=fail\n"
	    "\t(PTR v6.example.com does not resolve to 2001:db8::25; "
	    "dnssec=secure)\n"
	    "\tpolicy.iprev=\"2001:db8::25\";\n"
	    "\tx-ptr=fail smtp.helo=v6.example.com" },
	{ "fail_long_reason_breaks_comment_at_spaces", {
		.ip = "2001:db8:1234:5678:9abc:def0:1234:5678",
		.iprev = CHECK_FAIL, .dnssec = DNSSEC_INSECURE,
		.reason = "PTR customer-2001-db8-1234-5678.dynamic.example.net "
		    "does not resolve to "
		    "2001:db8:1234:5678:9abc:def0:1234:5678",
		.names = { "customer-2001-db8-1234-5678.dynamic.example.net" },
		.verified = 0, .helo = NULL, .xptr = CHECK_NONE,
		.helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=fail (PTR customer-2001-db8-1234-5678.dynamic.example.net "
	    "does not\n"
	    "\tresolve to 2001:db8:1234:5678:9abc:def0:1234:5678; "
	    "dnssec=insecure)\n"
	    "\tpolicy.iprev=\"2001:db8:1234:5678:9abc:def0:1234:5678\";\n"
	    "\tx-ptr=none" },
	{ "permerror_no_ptr", {
		.ip = "203.0.113.42", .iprev = CHECK_PERMERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "no PTR record",
		.names = { NULL }, .verified = 0, .helo = "a.example.org",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=permerror (no PTR record; dnssec=insecure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=a.example.org" },
	/* Boundaries: a line of 77 stays, one of 78 folds; the ';' ending
	 * the iprev element counts. */
	{ "fold_boundary_77_with_semicolon_stays", {
		.ip = "198.51.100.42", .iprev = CHECK_PERMERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "no PTR record",
		.names = { NULL }, .verified = 0, .helo = NULL,
		.xptr = CHECK_NONE, .helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=permerror (no PTR record; dnssec=insecure) "
	    "policy.iprev=198.51.100.42;\n"
	    "\tx-ptr=none" },
	{ "fold_boundary_78_with_semicolon_folds", {
		.ip = "198.51.100.142", .iprev = CHECK_PERMERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "no PTR record",
		.names = { NULL }, .verified = 0, .helo = NULL,
		.xptr = CHECK_NONE, .helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=permerror (no PTR record; dnssec=insecure)\n"
	    "\tpolicy.iprev=198.51.100.142;\n"
	    "\tx-ptr=none" },
	{ "fold_boundary_77_stays", {
		.ip = "203.0.113.42", .iprev = CHECK_PERMERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "no PTR record",
		.names = { NULL }, .verified = 0,
		.helo = "a234567890b234567890c234567890d234567890e234567890"
		    "f2345",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=permerror (no PTR record; dnssec=insecure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=a234567890b234567890c234567890d234567890"
	    "e234567890f2345" },
	{ "fold_boundary_78_folds", {
		.ip = "203.0.113.42", .iprev = CHECK_PERMERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "no PTR record",
		.names = { NULL }, .verified = 0,
		.helo = "a234567890b234567890c234567890d234567890e234567890"
		    "f23456",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=permerror (no PTR record; dnssec=insecure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail\n"
	    "\tsmtp.helo=a234567890b234567890c234567890d234567890"
	    "e234567890f23456" },
	{ "temperror_timeout", {
		.ip = "203.0.113.42", .iprev = CHECK_TEMPERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "DNS timeout",
		.names = { NULL }, .verified = 0, .helo = "a.example.org",
		.xptr = CHECK_TEMPERROR, .helo_fwd = CHECK_TEMPERROR,
		.helo_match = 0, .generic = GENERIC_TEMPERROR },
	    "mx.example.net;\n"
	    "\tiprev=temperror (DNS timeout; dnssec=insecure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=temperror smtp.helo=a.example.org" },
	{ "temperror_bogus", {
		.ip = "203.0.113.42", .iprev = CHECK_TEMPERROR,
		.dnssec = DNSSEC_BOGUS, .reason = "DNSSEC bogus",
		.names = { NULL }, .verified = 0, .helo = "a.example.org",
		.xptr = CHECK_TEMPERROR, .helo_fwd = CHECK_FAIL,
		.helo_match = 0, .generic = GENERIC_TEMPERROR },
	    "mx.example.net;\n"
	    "\tiprev=temperror (DNSSEC bogus; dnssec=bogus) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=temperror smtp.helo=a.example.org" },
	{ "temperror_servfail_v6", {
		.ip = "2001:db8::25", .iprev = CHECK_TEMPERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "SERVFAIL",
		.names = { NULL }, .verified = 0, .helo = NULL,
		.xptr = CHECK_NONE, .helo_fwd = CHECK_NONE,
		.helo_match = 0, .generic = GENERIC_TEMPERROR },
	    "mx.example.net;\n"
	    "\tiprev=temperror (SERVFAIL; dnssec=insecure) "
	    "policy.iprev=\"2001:db8::25\";\n"
	    "\tx-ptr=none" },
	{ "xptr_fail_helo_resolves_comment", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "x.example.com" }, .verified = 1,
		.helo = "out.example.org", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_PASS, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (x.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail (helo resolves to 203.0.113.42) "
	    "smtp.helo=out.example.org\n"
	    "\tpolicy.ptr=x.example.com" },
	{ "xptr_temperror_helo_resolves_comment_v6", {
		.ip = "2001:db8::25", .iprev = CHECK_TEMPERROR,
		.dnssec = DNSSEC_INSECURE, .reason = "DNS timeout",
		.names = { "x.example.com" }, .verified = 0,
		.helo = "out.example.org", .xptr = CHECK_TEMPERROR,
		.helo_fwd = CHECK_PASS, .helo_match = 0,
		.generic = GENERIC_TEMPERROR },
	    "mx.example.net;\n"
	    "\tiprev=temperror (DNS timeout; dnssec=insecure) "
	    "policy.iprev=\"2001:db8::25\";\n"
	    "\tx-ptr=temperror (helo resolves to 2001:db8::25) "
	    "smtp.helo=out.example.org" },
	{ "xptr_pass_has_no_helo_resolves_comment", R_PASS4,
	    "mx.example.net;\n"
	    "\tiprev=pass (mail.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=pass smtp.helo=mail.example.com "
	    "policy.ptr=mail.example.com" },
	{ "xptr_neutral_literal_is_quoted", {
		.ip = "203.0.113.42", .iprev = CHECK_FAIL,
		.dnssec = DNSSEC_INSECURE, .reason = "PTR x does not "
		    "resolve to 203.0.113.42",
		.names = { "x" }, .verified = 0, .helo = "[203.0.113.42]",
		.xptr = CHECK_NEUTRAL, .helo_fwd = CHECK_NONE,
		.helo_match = 0, .generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=fail (PTR x does not resolve to 203.0.113.42; "
	    "dnssec=insecure)\n"
	    "\tpolicy.iprev=203.0.113.42;\n"
	    "\tx-ptr=neutral smtp.helo=\"[203.0.113.42]\"" },
	{ "xptr_none_has_no_smtp_helo", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "mail.example.com" }, .verified = 1,
		.helo = NULL, .xptr = CHECK_NONE, .helo_fwd = CHECK_NONE,
		.helo_match = 0, .generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (mail.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=none policy.ptr=mail.example.com" },
	{ "xptr_policy_ptr_prefers_helo_match", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "a.example.com", "b.example.com" },
		.verified = 1, .helo = "B.Example.COM.", .xptr = CHECK_PASS,
		.helo_fwd = CHECK_PASS, .helo_match = 2,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (a.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=pass smtp.helo=B.Example.COM. policy.ptr=b.example.com" },
	{ "hostile_helo_quotes_and_specials_are_quoted", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "x.example.com" }, .verified = 1,
		.helo = "ev\"il; iprev=pass (x) \\", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (x.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=\"ev\\\"il; iprev=pass (x) \\\\\" "
	    "policy.ptr=x.example.com" },
	{ "hostile_helo_crlf_and_8bit_become_question_marks", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "x.example.com" }, .verified = 1,
		.helo = "a\r\nX-Evil: 1\r\n\t\xc3\xa9\x01\x7f",
		.xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (x.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=\"a??X-Evil: 1???????\" "
	    "policy.ptr=x.example.com" },
	{ "hostile_helo_8bit_alone_is_quoted_question_marks", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "x.example.com" }, .verified = 1,
		.helo = "\xff\xfe", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (x.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=\"??\" policy.ptr=x.example.com" },
	{ "hostile_empty_helo_is_empty_quoted_string", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "x.example.com" }, .verified = 1,
		.helo = "", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (x.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail smtp.helo=\"\" policy.ptr=x.example.com" },
	{ "hostile_ptr_name_in_comment_keeps_only_ldh_dot_underscore", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .reason = "",
		.names = { "a)(b\\c;d e\"f_g.ex\xe9" }, .verified = 1,
		.helo = NULL, .xptr = CHECK_NONE,
		.helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=pass (a??b?c?d?e?f_g.ex?; dnssec=insecure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=none policy.ptr=\"a)(b\\\\c;d e\\\"f_g.ex?\"" },
	{ "hostile_reason_cannot_close_comment", {
		.ip = "203.0.113.42", .iprev = CHECK_FAIL,
		.dnssec = DNSSEC_INSECURE,
		.reason = "PTR a)b(c\\d\r\n\x80 does not resolve to "
		    "203.0.113.42",
		.names = { "x" }, .verified = 0,
		.helo = NULL, .xptr = CHECK_NONE,
		.helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_NO },
	    "mx.example.net;\n"
	    "\tiprev=fail\n"
	    "\t(PTR a?b?c?d??? does not resolve to 203.0.113.42; "
	    "dnssec=insecure)\n"
	    "\tpolicy.iprev=203.0.113.42;\n"
	    "\tx-ptr=none" },
	/* Issue 11: aligned HELO, AllowDomains. */
	{ "helo_aligned_comment", {
		.ip = "40.107.22.93", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .reason = "",
		.names = { "mail-am6eur05on2093.outbound.protection.outlook.com" },
		.verified = 1,
		.helo = "EUR05-AM6-obe.outbound.protection.outlook.com",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO, .helo_org = "outlook.com" },
	    "mx.example.net;\n"
	    "\tiprev=pass\n"
	    "\t(mail-am6eur05on2093.outbound.protection.outlook.com; "
	    "dnssec=insecure)\n"
	    "\tpolicy.iprev=40.107.22.93;\n"
	    "\tx-ptr=fail (helo aligned with outlook.com)\n"
	    "\tsmtp.helo=EUR05-AM6-obe.outbound.protection.outlook.com\n"
	    "\tpolicy.ptr=mail-am6eur05on2093.outbound.protection.outlook.com" },
	{ "helo_resolves_wins_over_aligned", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "mail.example.com" }, .verified = 1,
		.helo = "out.example.com", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_PASS, .helo_match = 0,
		.generic = GENERIC_NO, .helo_org = "example.com" },
	    "mx.example.net;\n"
	    "\tiprev=pass (mail.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail (helo resolves to 203.0.113.42) "
	    "smtp.helo=out.example.com\n"
	    "\tpolicy.ptr=mail.example.com" },
	{ "helo_pass_has_no_aligned_comment", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "mail.example.com" }, .verified = 1,
		.helo = "mail.example.com", .xptr = CHECK_PASS,
		.helo_fwd = CHECK_FAIL, .helo_match = 1,
		.generic = GENERIC_NO, .helo_org = "example.com" },
	    "mx.example.net;\n"
	    "\tiprev=pass (mail.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=pass smtp.helo=mail.example.com "
	    "policy.ptr=mail.example.com" },
	{ "allowlisted_in_iprev_comment", {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .reason = "",
		.names = { "dyn42.partner.example" }, .verified = 1,
		.helo = "dyn42.partner.example", .xptr = CHECK_PASS,
		.helo_fwd = CHECK_PASS, .helo_match = 1,
		.generic = GENERIC_YES, .allowlisted = true },
	    "mx.example.net;\n"
	    "\tiprev=pass (dyn42.partner.example; dnssec=insecure; generic; "
	    "allowlisted)\n"
	    "\tpolicy.iprev=203.0.113.42;\n"
	    "\tx-ptr=pass smtp.helo=dyn42.partner.example "
	    "policy.ptr=dyn42.partner.example" },
};

static void
format_table_gives_exact_values(void **state)
{
	struct result_store st;
	char got[AUTHRES_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		const struct fcase *c = &format_cases[i];

		result_build(&c->r, &st);
		memset(got, 'Z', sizeof(got));
		assert_int_equal(authres_format(ID, &st.r, got, sizeof(got)),
		    0);
		if (strcmp(got, c->want) != 0)
			print_message("case %s:\ngot:\n%s\nwant:\n%s\n",
			    c->name, got, c->want);
		assert_string_equal(got, c->want);
		assert_folding_ok(got);
		assert_true(authres_is_ours(got, ID));
	}
}

static void
authserv_id_not_a_token_is_quoted(void **state)
{
	struct result_store st;
	static const struct rspec rs = R_PASS4;
	char got[AUTHRES_MAX];

	(void)state;
	result_build(&rs, &st);
	assert_int_equal(authres_format("mx \"one\"", &st.r, got,
	    sizeof(got)), 0);
	assert_string_equal(got,
	    "\"mx \\\"one\\\"\";\n"
	    "\tiprev=pass (mail.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=pass smtp.helo=mail.example.com "
	    "policy.ptr=mail.example.com");
	assert_true(authres_is_ours(got, "mx \"one\""));
	assert_false(authres_is_ours(got, "mx"));
}

/* The worst case: every value at its cap and made of bytes that need
 * escaping; the arrays are filled without a NUL so only the caps stop. */
static void
capped_values_fit_and_lines_stay_under_998(void **state)
{
	struct result_store st;
	static const struct rspec rs = {
		.ip = "2001:db8::25", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "x" }, .verified = 1, .helo = "x",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_PASS,
		.helo_match = 0, .generic = GENERIC_YES,
	};
	char id[2000];
	char got[AUTHRES_MAX];
	const char *h;
	size_t n;

	(void)state;
	result_build(&rs, &st);
	memset(st.r.helo, '"', sizeof(st.r.helo));
	memset(st.names[0].name.safe, '\\', sizeof(st.names[0].name.safe));
	memset(id, '"', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_int_equal(authres_format(id, &st.r, got, sizeof(got)), 0);
	assert_folding_ok(got);

	/* the id: 255 quotes, each escaped */
	assert_int_equal(strcspn(got, ";"), 2 + 2 * 255);
	/* the HELO: 255 quotes, each escaped, nothing more */
	h = strstr(got, "smtp.helo=\"");
	assert_non_null(h);
	h += strlen("smtp.helo=\"");
	for (n = 0; h[n] == '\\' && h[n + 1] == '"'; n += 2)
		;
	assert_int_equal(n, 2 * 255);
	assert_int_equal(h[n], '"');
	/* the name in the comment: 255 '?', in the value 255 escaped '\' */
	assert_non_null(strstr(got, "\t(???"));
	h = strstr(got, "policy.ptr=\"");
	assert_non_null(h);
	h += strlen("policy.ptr=\"");
	for (n = 0; h[n] == '\\' && h[n + 1] == '\\'; n += 2)
		;
	assert_int_equal(n, 2 * 255);
	assert_string_equal(h + n, "\"");
}

static void
long_helo_gets_its_own_line(void **state)
{
	struct result_store st;
	static const struct rspec rs = {
		.ip = "203.0.113.42", .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .reason = "",
		.names = { "mail.example.com" }, .verified = 1, .helo = "x",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL,
		.helo_match = 0, .generic = GENERIC_NO,
	};
	char got[AUTHRES_MAX];
	char want[AUTHRES_MAX];

	(void)state;
	result_build(&rs, &st);
	/* 300 bytes at the engine, 255 here; the array has no NUL */
	memset(st.r.helo, 'h', sizeof(st.r.helo));
	assert_int_equal(authres_format(ID, &st.r, got, sizeof(got)), 0);
	snprintf(want, sizeof(want),
	    "mx.example.net;\n"
	    "\tiprev=pass (mail.example.com; dnssec=secure) "
	    "policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=fail\n"
	    "\tsmtp.helo=%.255s\n"
	    "\tpolicy.ptr=mail.example.com", st.r.helo);
	assert_string_equal(got, want);
	assert_folding_ok(got);
}

static void
too_small_buffer_is_error_and_empty(void **state)
{
	struct result_store st;
	static const struct rspec rs = R_PASS4;
	char got[64];

	(void)state;
	result_build(&rs, &st);
	assert_int_equal(authres_format(ID, &st.r, got, sizeof(got)), -1);
	assert_string_equal(got, "");
	assert_int_equal(authres_format(ID, &st.r, got, 0), -1);
	assert_int_equal(authres_format(NULL, &st.r, got, sizeof(got)), -1);
	assert_string_equal(got, "");
	assert_int_equal(authres_format(ID, NULL, got, sizeof(got)), -1);
}

/* Odd enum values from a confused engine still give exactly one iprev and
 * one x-ptr result with a registered result word. */
static void
unexpected_results_still_give_one_valid_result_each(void **state)
{
	struct result_store st;
	static const struct rspec rs = R_PASS4;
	char got[AUTHRES_MAX];

	(void)state;
	result_build(&rs, &st);
	st.r.iprev = CHECK_NONE;
	st.r.xptr = CHECK_PERMERROR;
	st.r.verified = 5;	/* out of range: no name */
	st.r.helo_match = -7;
	assert_int_equal(authres_format(ID, &st.r, got, sizeof(got)), 0);
	assert_string_equal(got,
	    "mx.example.net;\n"
	    "\tiprev=temperror (dnssec=secure) policy.iprev=203.0.113.42;\n"
	    "\tx-ptr=temperror (helo resolves to 203.0.113.42) "
	    "smtp.helo=mail.example.com");
}

struct ocase {
	const char	*hv;
	const char	*id;
	bool		 want;
};

static const struct ocase ours_cases[] = {
	{ "mx.example.net; iprev=pass", ID, true },
	{ "mx.example.net;iprev=pass", ID, true },
	{ "MX.Example.NET; iprev=pass", ID, true },
	{ "mx.example.net; iprev=pass", "MX.EXAMPLE.NET", true },
	{ "mx.example.net", ID, true },
	{ "mx.example.net ", ID, true },
	{ " \t mx.example.net; none", ID, true },
	{ "mx.example.net 1; iprev=pass", ID, true },
	{ "mx.example.net 1 ; iprev=pass", ID, true },
	{ "mx.example.net (v) 12 (x); none", ID, true },
	{ "(comment) MX.Example.NET; iprev=pass", ID, true },
	{ "(nested (comment) \\) x) mx.example.net; iprev=pass", ID, true },
	{ "(a \\( b)mx.example.net;", ID, true },
	{ "\r\n\tmx.example.net;\r\n\tiprev=pass", ID, true },
	{ "\n\tmx.example.net\n\t;\n\tiprev=pass", ID, true },
	{ "\"mx.example.net\"; iprev=pass", ID, true },
	{ "\"MX.example.net\" 1; iprev=pass", ID, true },
	{ "\"mx.exa\\mple.net\"; iprev=pass", ID, true },
	{ "mx.example.net.evil; iprev=pass", ID, false },
	{ "mx.example.net.; iprev=pass", ID, false },
	{ "x.mx.example.net; iprev=pass", ID, false },
	{ "mx.example.ne; iprev=pass", ID, false },
	{ "mx.example.net1; iprev=pass", ID, false },
	{ "mx.example.net 1x; iprev=pass", ID, false },
	{ "mx.example.net x; iprev=pass", ID, false },
	{ "mx.example.net/evil; iprev=pass", ID, false },
	{ "mx.example.net=evil; iprev=pass", ID, false },
	{ "\"mx.example.net.evil\"; iprev=pass", ID, false },
	{ "\"mx.example.net\"evil; iprev=pass", ID, false },
	{ "\"mx.example.net; iprev=pass", ID, false },
	{ "\"mx.example.net\\", ID, false },
	{ "(unterminated mx.example.net; iprev=pass", ID, false },
	{ "(a (b) mx.example.net; iprev=pass", ID, false },
	{ "(trailing \\", ID, false },
	{ "; mx.example.net", ID, false },
	{ "", ID, false },
	{ "   \r\n\t", ID, false },
	{ "()", ID, false },
	{ "iprev=pass", ID, false },
	{ "mx.example.net; iprev=pass", "", false },
	{ "\"mx one\"; none", "mx one", true },
	{ "\"MX One\" 1; none", "mx one", true },
	{ "mx one; none", "mx one", false },
	{ "\"mx one\"; none", "mx", false },
	{ "\"\"; none", "mx", false },
};

static void
is_ours_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ours_cases) / sizeof(ours_cases[0]); i++) {
		const struct ocase *c = &ours_cases[i];
		bool got = authres_is_ours(c->hv, c->id);

		if (got != c->want)
			print_message("case %zu \"%s\" vs \"%s\": got %d\n", i,
			    c->hv, c->id, got);
		assert_int_equal(got, c->want);
	}
	assert_false(authres_is_ours(NULL, ID));
	assert_false(authres_is_ours("mx.example.net;", NULL));
}

/* A very deep comment does not recurse or overflow anything. */
static void
is_ours_deep_comment(void **state)
{
	static char hv[20000];
	size_t i, depth = 5000;

	(void)state;
	for (i = 0; i < depth; i++)
		hv[i] = '(';
	for (i = 0; i < depth; i++)
		hv[depth + i] = ')';
	strcpy(hv + 2 * depth, " mx.example.net; none");
	assert_true(authres_is_ours(hv, ID));
	hv[2 * depth - 1] = ' ';
	assert_false(authres_is_ours(hv, ID));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_table_gives_exact_values),
		cmocka_unit_test(authserv_id_not_a_token_is_quoted),
		cmocka_unit_test(capped_values_fit_and_lines_stay_under_998),
		cmocka_unit_test(long_helo_gets_its_own_line),
		cmocka_unit_test(too_small_buffer_is_error_and_empty),
		cmocka_unit_test(
		    unexpected_results_still_give_one_valid_result_each),
		cmocka_unit_test(is_ours_table),
		cmocka_unit_test(is_ours_deep_comment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
