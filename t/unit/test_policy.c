/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy.c - policy_decide(): SPEC 3.2 order, actions, reply codes and
 * exact texts, temperror handling, dnssec=require, hostile bytes.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "policy.h"
#include "result_builder.h"


#define A	ACTION_ACCEPT
#define T	ACTION_TEMPFAIL
#define R	ACTION_REJECT

/* Policy: ptr iprev generic helo temperror dnssec=require. */
#define POL(pt, ip, gn, he, te, ds) {					\
	.domain = NULL, .act = { [CHECK_ID_PTR] = (pt),			\
	[CHECK_ID_IPREV] = (ip), [CHECK_ID_GENERIC] = (gn),		\
	[CHECK_ID_HELO] = (he), [CHECK_ID_TEMPERROR] = (te) },		\
	.require = { [CHECK_ID_DNSSEC] = (ds) }, .line = 0 }

#define ALL_REJECT	POL(R, R, R, R, T, false)
#define ALL_ACCEPT	POL(A, A, A, A, A, false)

/* Result shapes used by many cases. */
#define R_GOOD {							\
	.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,	\
	.dnssec = DNSSEC_SECURE, .names = { "mail.example.com" },	\
	.verified = 1, .helo = "mail.example.com", .xptr = CHECK_PASS,	\
	.helo_fwd = CHECK_PASS, .helo_match = 1, .generic = GENERIC_NO }
#define R_NOPTR {							\
	.ip = "203.0.113.42", .ptr = CHECK_FAIL,			\
	.iprev = CHECK_PERMERROR, .dnssec = DNSSEC_INSECURE,		\
	.names = { NULL }, .verified = 0, .helo = "a.example.org",	\
	.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,	\
	.generic = GENERIC_NO }
#define R_MISMATCH {							\
	.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_FAIL,	\
	.dnssec = DNSSEC_INSECURE,					\
	.names = { "x.example.com", "y.example.com" }, .verified = 0,	\
	.helo = "a.example.org", .xptr = CHECK_FAIL,			\
	.helo_fwd = CHECK_FAIL, .helo_match = 0, .generic = GENERIC_NO }
#define R_GENERIC {							\
	.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,	\
	.dnssec = DNSSEC_INSECURE,					\
	.names = { "y.example.com", "x.example.com" }, .verified = 2,	\
	.helo = "a.example.org", .xptr = CHECK_FAIL,			\
	.helo_fwd = CHECK_FAIL, .helo_match = 0, .generic = GENERIC_YES }
#define R_BADHELO {							\
	.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,	\
	.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },		\
	.verified = 1, .helo = "a.example.org", .xptr = CHECK_FAIL,	\
	.helo_fwd = CHECK_FAIL, .helo_match = 0, .generic = GENERIC_NO }
#define R_ALLTEMP {							\
	.ip = "203.0.113.42", .ptr = CHECK_TEMPERROR,			\
	.iprev = CHECK_TEMPERROR, .dnssec = DNSSEC_INSECURE,		\
	.names = { NULL }, .verified = 0, .helo = "a.example.org",	\
	.xptr = CHECK_TEMPERROR, .helo_fwd = CHECK_TEMPERROR,		\
	.helo_match = 0, .generic = GENERIC_TEMPERROR }
/* PTR answered, forward lookups timed out. */
#define R_FWDTEMP {							\
	.ip = "203.0.113.42", .ptr = CHECK_PASS,			\
	.iprev = CHECK_TEMPERROR, .dnssec = DNSSEC_INSECURE,		\
	.names = { "x.example.com" }, .verified = 0,			\
	.helo = "a.example.org", .xptr = CHECK_TEMPERROR,		\
	.helo_fwd = CHECK_FAIL, .helo_match = 0,			\
	.generic = GENERIC_TEMPERROR }

#define TXT_PTR	"The IP address sending this message does not have a PTR record"
#define TXT_TEMP "Temporary failure looking up reverse DNS for 203.0.113.42"

struct pcase {
	const char		*name;
	struct rspec		 r;
	struct policy		 p;
	enum action		 want_action;
	enum check_id	 want_check;
	const char		*want_text;
};

static const struct pcase decide_cases[] = {
	/* Everything passes. */
	{ "all_pass_is_accept_under_strictest_policy", R_GOOD,
	    POL(R, R, R, R, T, true), A, CHECK_ID_NONE, "" },
	{ "all_pass_is_accept_under_default_policy", R_GOOD,
	    ALL_ACCEPT, A, CHECK_ID_NONE, "" },

	/* ptr. */
	{ "no_ptr_ptr_reject_is_550_ptr_text", R_NOPTR,
	    POL(R, A, A, A, A, false), R, CHECK_ID_PTR, TXT_PTR },
	{ "no_ptr_ptr_tempfail_is_451_ptr_text", R_NOPTR,
	    POL(T, A, A, A, A, false), T, CHECK_ID_PTR, TXT_PTR },
	{ "no_ptr_all_accept_is_accept", R_NOPTR,
	    ALL_ACCEPT, A, CHECK_ID_NONE, "" },
	{ "no_ptr_ptr_before_iprev", R_NOPTR,
	    POL(T, R, R, R, T, false), T, CHECK_ID_PTR, TXT_PTR },
	{ "no_ptr_iprev_permerror_uses_ptr_text", R_NOPTR,
	    POL(A, R, A, A, A, false), R, CHECK_ID_IPREV, TXT_PTR },
	{ "no_ptr_helo_reject_without_name_uses_ip_text", R_NOPTR,
	    POL(A, A, A, R, A, false), R, CHECK_ID_HELO,
	    "HELO name a.example.org does not match reverse DNS of "
	    "203.0.113.42" },

	/* iprev. */
	{ "iprev_fail_reject_names_first_ptr_name", R_MISMATCH,
	    POL(A, R, A, A, A, false), R, CHECK_ID_IPREV,
	    "Reverse DNS for 203.0.113.42 (x.example.com) does not resolve "
	    "back to it" },
	{ "iprev_fail_tempfail_same_text_451", R_MISMATCH,
	    POL(A, T, A, A, A, false), T, CHECK_ID_IPREV,
	    "Reverse DNS for 203.0.113.42 (x.example.com) does not resolve "
	    "back to it" },
	{ "iprev_fail_ptr_pass_does_not_trigger_ptr", R_MISMATCH,
	    POL(R, A, A, A, T, false), A, CHECK_ID_NONE, "" },
	{ "iprev_before_helo", R_MISMATCH,
	    POL(R, T, R, R, T, false), T, CHECK_ID_IPREV,
	    "Reverse DNS for 203.0.113.42 (x.example.com) does not resolve "
	    "back to it" },
	{ "iprev_accept_lets_helo_decide", R_MISMATCH,
	    POL(R, A, R, R, T, false), R, CHECK_ID_HELO,
	    "HELO name a.example.org does not match reverse DNS of "
	    "203.0.113.42" },
	{ "iprev_fail_v6", {
		.ip = "2001:db8::25", .ptr = CHECK_PASS, .iprev = CHECK_FAIL,
		.dnssec = DNSSEC_SECURE, .names = { "v6.example.com" },
		.verified = 0, .helo = NULL, .xptr = CHECK_NONE,
		.helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_NO },
	    POL(R, R, R, R, T, false), R, CHECK_ID_IPREV,
	    "Reverse DNS for 2001:db8::25 (v6.example.com) does not resolve "
	    "back to it" },

	/* generic. */
	{ "generic_reject_names_verified_not_first", R_GENERIC,
	    POL(A, A, R, A, A, false), R, CHECK_ID_GENERIC,
	    "Reverse DNS name x.example.com of 203.0.113.42 looks generic" },
	{ "generic_before_helo", R_GENERIC,
	    POL(R, R, T, R, T, false), T, CHECK_ID_GENERIC,
	    "Reverse DNS name x.example.com of 203.0.113.42 looks generic" },
	{ "generic_accept_lets_helo_decide", R_GENERIC,
	    POL(R, R, A, R, T, false), R, CHECK_ID_HELO,
	    "HELO name a.example.org does not match reverse DNS name "
	    "x.example.com" },
	{ "generic_accept_helo_accept_is_accept", R_GENERIC,
	    POL(R, R, A, A, T, false), A, CHECK_ID_NONE, "" },

	/* helo. */
	{ "helo_mismatch_reject_names_verified_name", R_BADHELO,
	    POL(A, A, A, R, A, false), R, CHECK_ID_HELO,
	    "HELO name a.example.org does not match reverse DNS name "
	    "x.example.com" },
	{ "helo_mismatch_tempfail_is_451", R_BADHELO,
	    POL(A, A, A, T, A, false), T, CHECK_ID_HELO,
	    "HELO name a.example.org does not match reverse DNS name "
	    "x.example.com" },
	{ "helo_forward_confirmed_never_fails", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },
		.verified = 1, .helo = "out.bigsender.example",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_PASS, .helo_match = 0,
		.generic = GENERIC_NO },
	    POL(R, R, R, R, T, false), A, CHECK_ID_NONE, "" },
	{ "helo_fwd_temperror_is_temperror_not_failure", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },
		.verified = 1, .helo = "a.example.org",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_TEMPERROR,
		.helo_match = 0, .generic = GENERIC_NO },
	    POL(A, A, A, R, T, false), T, CHECK_ID_TEMPERROR, TXT_TEMP },
	{ "helo_fwd_temperror_with_temperror_accept_is_accept", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },
		.verified = 1, .helo = "a.example.org",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_TEMPERROR,
		.helo_match = 0, .generic = GENERIC_NO },
	    POL(A, A, A, R, A, false), A, CHECK_ID_NONE, "" },
	{ "helo_literal_of_other_ip_fails_without_lookup", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },
		.verified = 1, .helo = "[192.0.2.1]",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_NONE,
		.helo_match = 0, .generic = GENERIC_NO },
	    POL(A, A, A, R, A, false), R, CHECK_ID_HELO,
	    "HELO name [192.0.2.1] does not match reverse DNS name "
	    "x.example.com" },
	{ "helo_neutral_literal_never_fails", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_FAIL,
		.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },
		.verified = 0, .helo = "[203.0.113.42]",
		.xptr = CHECK_NEUTRAL, .helo_fwd = CHECK_NONE,
		.helo_match = 0, .generic = GENERIC_NO },
	    POL(A, A, A, R, T, false), A, CHECK_ID_NONE, "" },
	{ "helo_none_never_fails", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_FAIL,
		.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },
		.verified = 0, .helo = NULL,
		.xptr = CHECK_NONE, .helo_fwd = CHECK_NONE,
		.helo_match = 0, .generic = GENERIC_NO },
	    POL(A, A, A, R, T, false), A, CHECK_ID_NONE, "" },
	{ "helo_pass_never_fails", R_GOOD,
	    POL(A, A, A, R, T, false), A, CHECK_ID_NONE, "" },
	{ "helo_xptr_temperror_is_temperror", R_FWDTEMP,
	    POL(A, A, A, R, T, false), T, CHECK_ID_TEMPERROR, TXT_TEMP },
	{ "helo_xptr_temperror_but_helo_confirms_is_accept", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS,
		.iprev = CHECK_TEMPERROR, .dnssec = DNSSEC_INSECURE,
		.names = { "x.example.com" }, .verified = 0,
		.helo = "out.bigsender.example", .xptr = CHECK_TEMPERROR,
		.helo_fwd = CHECK_PASS, .helo_match = 0,
		.generic = GENERIC_TEMPERROR },
	    POL(A, A, A, R, T, false), A, CHECK_ID_NONE, "" },

	/* dnssec=require. */
	{ "dnssec_require_insecure_pass_uses_iprev_reject", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .names = { "mail.example.com" },
		.verified = 1, .helo = "mail.example.com",
		.xptr = CHECK_PASS, .helo_fwd = CHECK_PASS, .helo_match = 1,
		.generic = GENERIC_NO },
	    POL(A, R, A, A, A, true), R, CHECK_ID_DNSSEC,
	    "Reverse DNS for 203.0.113.42 is not DNSSEC-secure" },
	{ "dnssec_require_insecure_pass_uses_iprev_tempfail", {
		.ip = "2001:db8::25", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .names = { "mail.example.com" },
		.verified = 1, .helo = "mail.example.com",
		.xptr = CHECK_PASS, .helo_fwd = CHECK_PASS, .helo_match = 1,
		.generic = GENERIC_NO },
	    POL(A, T, A, A, A, true), T, CHECK_ID_DNSSEC,
	    "Reverse DNS for 2001:db8::25 is not DNSSEC-secure" },
	{ "dnssec_require_with_iprev_accept_is_accept", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .names = { "mail.example.com" },
		.verified = 1, .helo = "mail.example.com",
		.xptr = CHECK_PASS, .helo_fwd = CHECK_PASS, .helo_match = 1,
		.generic = GENERIC_NO },
	    POL(R, A, R, R, T, true), A, CHECK_ID_NONE, "" },
	{ "dnssec_require_secure_pass_is_accept", R_GOOD,
	    POL(A, R, A, A, A, true), A, CHECK_ID_NONE, "" },
	{ "dnssec_optional_insecure_pass_is_accept", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .names = { "mail.example.com" },
		.verified = 1, .helo = "mail.example.com",
		.xptr = CHECK_PASS, .helo_fwd = CHECK_PASS, .helo_match = 1,
		.generic = GENERIC_NO },
	    POL(R, R, R, R, T, false), A, CHECK_ID_NONE, "" },
	{ "dnssec_is_last_helo_decides_first", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE, .names = { "x.example.com" },
		.verified = 1, .helo = "a.example.org",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO },
	    POL(A, T, A, R, A, true), R, CHECK_ID_HELO,
	    "HELO name a.example.org does not match reverse DNS name "
	    "x.example.com" },
	{ "dnssec_require_does_not_apply_to_iprev_fail", R_MISMATCH,
	    POL(A, T, A, A, A, true), T, CHECK_ID_IPREV,
	    "Reverse DNS for 203.0.113.42 (x.example.com) does not resolve "
	    "back to it" },
	{ "dnssec_require_iprev_temperror_is_temperror", R_FWDTEMP,
	    POL(A, R, A, A, T, true), T, CHECK_ID_TEMPERROR, TXT_TEMP },

	/* temperror. */
	{ "temperror_tempfail_when_checked_check_is_temperror", R_ALLTEMP,
	    POL(R, A, A, A, T, false), T, CHECK_ID_TEMPERROR, TXT_TEMP },
	{ "temperror_accept_is_accept", R_ALLTEMP,
	    POL(R, R, R, R, A, false), A, CHECK_ID_NONE, "" },
	{ "temperror_in_accepted_checks_does_not_matter", R_ALLTEMP,
	    POL(A, A, A, A, T, false), A, CHECK_ID_NONE, "" },
	{ "temperror_generic_only_counts_with_generic_action", R_FWDTEMP,
	    POL(R, A, T, A, T, false), T, CHECK_ID_TEMPERROR, TXT_TEMP },
	{ "temperror_in_accepted_iprev_does_not_matter", R_FWDTEMP,
	    POL(R, A, A, A, T, false), A, CHECK_ID_NONE, "" },
	{ "temperror_never_gives_550", R_ALLTEMP,
	    POL(R, R, R, R, R, false), T, CHECK_ID_TEMPERROR, TXT_TEMP },
	{ "temperror_loses_to_later_definitive_failure", {
		.ip = "203.0.113.42", .ptr = CHECK_TEMPERROR,
		.iprev = CHECK_TEMPERROR, .dnssec = DNSSEC_INSECURE,
		.names = { NULL }, .verified = 0, .helo = "[192.0.2.1]",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_TEMPERROR },
	    POL(R, R, R, R, T, false), R, CHECK_ID_HELO,
	    "HELO name [192.0.2.1] does not match reverse DNS of "
	    "203.0.113.42" },
	{ "temperror_v6_text", {
		.ip = "2001:db8::25", .ptr = CHECK_TEMPERROR,
		.iprev = CHECK_TEMPERROR, .dnssec = DNSSEC_BOGUS,
		.names = { NULL }, .verified = 0, .helo = NULL,
		.xptr = CHECK_NONE, .helo_fwd = CHECK_NONE, .helo_match = 0,
		.generic = GENERIC_TEMPERROR },
	    POL(R, R, R, R, T, false), T, CHECK_ID_TEMPERROR,
	    "Temporary failure looking up reverse DNS for 2001:db8::25" },
	/* Issue 11: HELO alignment and AllowDomains. */
	{ "helo_aligned_never_fails", {
		.ip = "40.107.22.93", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE,
		.names = { "mail-am6eur05on2093.outbound.protection.outlook.com" },
		.verified = 1,
		.helo = "EUR05-AM6-obe.outbound.protection.outlook.com",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_NO, .helo_org = "outlook.com" },
	    POL(R, R, R, R, T, false), A, CHECK_ID_NONE, "" },
	{ "helo_aligned_with_helo_lookup_temperror_is_accept", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE, .names = { "x.example.com" },
		.verified = 1, .helo = "y.example.com",
		.xptr = CHECK_FAIL, .helo_fwd = CHECK_TEMPERROR,
		.helo_match = 0, .generic = GENERIC_NO,
		.helo_org = "example.com" },
	    POL(A, A, A, R, T, false), A, CHECK_ID_NONE, "" },
	{ "allowlisted_generic_and_bad_helo_accepted", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE,
		.names = { "dsl-203-0-113-42.partner.example" },
		.verified = 1, .helo = "a.example.org", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_YES, .allowlisted = true },
	    POL(R, R, R, R, T, false), A, CHECK_ID_NONE, "" },
	{ "allowlisted_still_subject_to_dnssec", {
		.ip = "203.0.113.42", .ptr = CHECK_PASS, .iprev = CHECK_PASS,
		.dnssec = DNSSEC_INSECURE,
		.names = { "dsl-203-0-113-42.partner.example" },
		.verified = 1, .helo = "a.example.org", .xptr = CHECK_FAIL,
		.helo_fwd = CHECK_FAIL, .helo_match = 0,
		.generic = GENERIC_YES, .allowlisted = true },
	    POL(R, R, R, R, T, true), R, CHECK_ID_DNSSEC,
	    "Reverse DNS for 203.0.113.42 is not DNSSEC-secure" },
};

static void
check_decision(const char *name, const struct policy_decision *d,
    enum action want_action, enum check_id want_check,
    const char *want_text)
{
	const char *want_rcode = "", *want_xcode = "";

	if (want_action == ACTION_REJECT) {
		want_rcode = "550";
		want_xcode = "5.7.25";
	} else if (want_action == ACTION_TEMPFAIL) {
		want_rcode = "451";
		want_xcode = "4.7.25";
	}
	if (d->action != want_action || d->check != want_check ||
	    strcmp(d->text, want_text) != 0)
		print_message("case %s: got %s/%s \"%s\"\n", name,
		    policy_action_str(d->action), check_name(d->check),
		    d->text);
	assert_int_equal(d->action, want_action);
	assert_int_equal(d->check, want_check);
	assert_string_equal(d->rcode, want_rcode);
	assert_string_equal(d->xcode, want_xcode);
	assert_string_equal(d->text, want_text);
}

static void
decide_table_gives_action_codes_and_text(void **state)
{
	struct result_store st;
	struct policy_decision d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
		const struct pcase *c = &decide_cases[i];

		result_build(&c->r, &st);
		memset(&d, 0x5a, sizeof(d));
		policy_decide(&st.r, &c->p, &d);
		check_decision(c->name, &d, c->want_action, c->want_check,
		    c->want_text);
	}
}

/* Every single-check failure, under each of reject / tempfail / accept of
 * that check with every other action set to reject: only the failing check
 * can decide, so the outcome follows its own action exactly. */
static void
each_action_maps_to_its_code(void **state)
{
	static const struct {
		const char		*name;
		struct rspec		 r;
		enum check_id	 check;
		const char		*text;
	} fails[] = {
		{ "ptr", R_NOPTR, CHECK_ID_PTR, TXT_PTR },
		{ "iprev", R_MISMATCH, CHECK_ID_IPREV,
		    "Reverse DNS for 203.0.113.42 (x.example.com) does not "
		    "resolve back to it" },
		{ "generic", R_GENERIC, CHECK_ID_GENERIC,
		    "Reverse DNS name x.example.com of 203.0.113.42 looks "
		    "generic" },
		{ "helo", R_BADHELO, CHECK_ID_HELO,
		    "HELO name a.example.org does not match reverse DNS name "
		    "x.example.com" },
	};
	static const enum action acts[] = { R, T, A };
	struct result_store st;
	struct policy_decision d;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
		for (j = 0; j < sizeof(acts) / sizeof(acts[0]); j++) {
			struct policy p = POL(A, A, A, A, T, false);

			switch (fails[i].check) {
			case CHECK_ID_PTR:
				p.act[CHECK_ID_PTR] = acts[j];
				break;
			case CHECK_ID_IPREV:
				p.act[CHECK_ID_IPREV] = acts[j];
				break;
			case CHECK_ID_GENERIC:
				p.act[CHECK_ID_GENERIC] = acts[j];
				break;
			default:
				p.act[CHECK_ID_HELO] = acts[j];
				break;
			}
			result_build(&fails[i].r, &st);
			policy_decide(&st.r, &p, &d);
			if (acts[j] == A)
				check_decision(fails[i].name, &d, A,
				    CHECK_ID_NONE, "");
			else
				check_decision(fails[i].name, &d, acts[j],
				    fails[i].check, fails[i].text);
		}
	}
}

static const struct rspec hostile_base = R_BADHELO;

static void
helo_8bit_and_control_bytes_become_question_marks(void **state)
{
	struct result_store st;
	struct policy_decision d;
	struct policy p = POL(A, A, A, R, A, false);

	(void)state;
	result_build(&hostile_base, &st);
	strcpy(st.r.helo, "a\x01\x7f\xe9t\xc3\xa9 \x1b[31m\t\"<x>\"\\");
	policy_decide(&st.r, &p, &d);
	check_decision("hostile", &d, R, CHECK_ID_HELO,
	    "HELO name a???t?? ?[31m?\"<x>\"\\ does not match reverse DNS "
	    "name x.example.com");
}

static void
helo_longer_than_255_capped_at_255(void **state)
{
	struct result_store st;
	struct policy_decision d;
	struct policy p = POL(A, A, A, R, A, false);
	char want[POLICY_TEXT_MAX];

	(void)state;
	result_build(&hostile_base, &st);
	/* The engine caps a 300-byte HELO to 255 bytes itself; here the
	 * whole array is filled without a NUL, so only the cap stops it. */
	memset(st.r.helo, 'h', sizeof(st.r.helo));
	policy_decide(&st.r, &p, &d);
	snprintf(want, sizeof(want), "HELO name %.255s does not match reverse "
	    "DNS name x.example.com", st.r.helo);
	check_decision("helo255", &d, R, CHECK_ID_HELO, want);
	assert_int_equal(strlen(d.text), 10 + 255 + 33 + 13);
}

static void
hostile_ptr_name_sanitised_and_capped(void **state)
{
	struct result_store st;
	struct policy_decision d;
	struct policy p = POL(A, R, A, A, A, false);
	struct rspec rs = R_MISMATCH;
	char want[POLICY_TEXT_MAX];

	(void)state;
	result_build(&rs, &st);
	/* safe form must never carry these, but policy does not trust it */
	memset(st.names[0].name.safe, 'n', sizeof(st.names[0].name.safe));
	st.names[0].name.safe[0] = '\r';
	st.names[0].name.safe[1] = '\n';
	st.names[0].name.safe[2] = (char)0x80;
	/* not NUL-terminated in its array: the cap stops at 255 */
	policy_decide(&st.r, &p, &d);
	snprintf(want, sizeof(want), "Reverse DNS for 203.0.113.42 (???%.252s) "
	    "does not resolve back to it", st.names[0].name.safe + 3);
	check_decision("ptrname", &d, R, CHECK_ID_IPREV, want);
}

static void
long_texts_fit_in_decision(void **state)
{
	struct result_store st;
	struct policy_decision d;
	struct policy p = POL(A, A, A, R, A, false);
	struct rspec rs = R_BADHELO;

	(void)state;
	result_build(&rs, &st);
	memset(st.r.helo, 'h', sizeof(st.r.helo) - 1);
	st.r.helo[sizeof(st.r.helo) - 1] = '\0';
	memset(st.names[0].name.safe, 'n', sizeof(st.names[0].name.safe) - 1);
	st.names[0].name.safe[sizeof(st.names[0].name.safe) - 1] = '\0';
	policy_decide(&st.r, &p, &d);
	assert_int_equal(d.action, R);
	/* RFC 5321 4.5.3.1.5: "550 5.7.25 " + text + CRLF <= 512, so the
	 * HELO gives way to the 255-byte name, nothing lost at the end */
	assert_int_equal(strlen(d.text), 512 - 2 - 11);
	assert_int_equal(strlen(d.text), 10 + (499 - 43 - 255) + 33 + 255);
	assert_int_equal(d.text[strlen(d.text) - 1], 'n');
	assert_int_equal(d.text[10], 'h');

	/* A short name leaves the HELO its full 255 bytes. */
	strcpy(st.names[0].name.safe, "mail.example.com");
	policy_decide(&st.r, &p, &d);
	assert_int_equal(strlen(d.text), 10 + 255 + 33 + 16);
}

static void
null_inputs_accept(void **state)
{
	struct result_store st;
	struct policy_decision d;
	struct policy p = ALL_REJECT;

	(void)state;
	result_build(&hostile_base, &st);
	policy_decide(NULL, &p, &d);
	check_decision("nullr", &d, A, CHECK_ID_NONE, "");
	policy_decide(&st.r, NULL, &d);
	check_decision("nullp", &d, A, CHECK_ID_NONE, "");
}

static void
needs_verdict_only_when_some_check_refuses(void **state)
{
	static const struct {
		struct policy	p;
		bool		want;
	} cases[] = {
		{ POL(A, A, A, A, A, false), false },
		{ POL(A, A, A, A, T, false), false },
		{ POL(A, A, A, A, T, true), false },
		{ POL(R, A, A, A, A, false), true },
		{ POL(A, T, A, A, A, false), true },
		{ POL(A, A, R, A, A, false), true },
		{ POL(A, A, A, T, A, false), true },
		{ POL(A, R, A, A, A, true), true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(policy_needs_verdict(&cases[i].p),
		    cases[i].want);
	assert_false(policy_needs_verdict(NULL));
}

static void
names_of_checks_and_actions(void **state)
{
	(void)state;
	assert_string_equal(check_name(CHECK_ID_NONE), "none");
	assert_string_equal(check_name(CHECK_ID_PTR), "ptr");
	assert_string_equal(check_name(CHECK_ID_IPREV), "iprev");
	assert_string_equal(check_name(CHECK_ID_GENERIC),
	    "generic");
	assert_string_equal(check_name(CHECK_ID_HELO), "helo");
	assert_string_equal(check_name(CHECK_ID_DNSSEC), "dnssec");
	assert_string_equal(check_name(CHECK_ID_TEMPERROR),
	    "temperror");
	assert_string_equal(check_name((enum check_id)99),
	    "unknown");
	assert_string_equal(policy_action_str(ACTION_ACCEPT), "accept");
	assert_string_equal(policy_action_str(ACTION_TEMPFAIL), "tempfail");
	assert_string_equal(policy_action_str(ACTION_REJECT), "reject");
	assert_string_equal(policy_action_str((enum action)7), "unknown");
}

/* Recipients are split at the last '@', lower-cased, trailing dot gone. */
static void
recipient_split_table(void **state)
{
	static const struct {
		const char *rcpt, *local, *domain;
	} t[] = {
		{ "<user@example.com>", "user", "example.com" },
		{ "User@Example.COM", "user", "example.com" },
		{ "<Postmaster@Example.COM.>", "postmaster", "example.com" },
		{ "<postmaster>", "postmaster", "" },
		{ "<\"a@b\"@example.org>", "\"a@b\"", "example.org" },
		{ "<>", "", "" },
		{ "<@>", "", "" },
		{ " <abuse@sub.example.net> ", "abuse", "sub.example.net" },
	};
	char local[16], domain[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		policy_split_recipient(t[i].rcpt, local, sizeof local, domain,
		    sizeof domain);
		print_message("rcpt %s\n", t[i].rcpt);
		assert_string_equal(local, t[i].local);
		assert_string_equal(domain, t[i].domain);
	}
	/* Never cut: a part that does not fit is an error, both parts "". */
	assert_int_equal(policy_split_recipient(
	    "<averyveryverylonglocalpart@example.com>", local, sizeof local,
	    domain, sizeof domain), -1);
	assert_string_equal(local, "");
	assert_string_equal(domain, "");
	assert_int_equal(policy_split_recipient("<u@example.com>", local,
	    sizeof local, domain, 4), -1);
	assert_string_equal(local, "");
	assert_string_equal(domain, "");
}

/* A recipient domain far longer than 255 bytes is split whole (the milter
 * sizes its buffers from the recipient), so it keeps its own policy. */
static void
long_recipient_domain_split_whole(void **state)
{
	char rcpt[420], want[300], *local, *domain;
	size_t n;

	(void)state;
	memset(want, 'a', 250);
	snprintf(want + 250, sizeof want - 250, ".strict.example");
	snprintf(rcpt, sizeof rcpt, "<U@%s>", want);
	n = strlen(rcpt) + 1;
	local = malloc(n);
	domain = malloc(n);
	assert_non_null(local);
	assert_non_null(domain);
	assert_int_equal(policy_split_recipient(rcpt, local, n, domain, n), 0);
	assert_string_equal(local, "u");
	assert_string_equal(domain, want);
	free(local);
	free(domain);
}

/* '%' never reaches smfi_setreply(3): Sendmail drops a text with one. */
static void
percent_in_helo_replaced(void **state)
{
	struct check_result r;
	struct policy p;
	struct policy_decision d;

	(void)state;
	memset(&r, 0, sizeof r);
	snprintf(r.ipstr, sizeof r.ipstr, "192.0.2.1");
	r.ptr = CHECK_FAIL;
	r.iprev = CHECK_PERMERROR;
	r.verified = -1;
	r.have_helo = true;
	snprintf(r.helo, sizeof r.helo, "100%%.example");
	r.xptr = CHECK_FAIL;
	r.helo_fwd = CHECK_FAIL;
	memset(&p, 0, sizeof p);
	p.act[CHECK_ID_HELO] = ACTION_REJECT;
	p.act[CHECK_ID_TEMPERROR] = ACTION_ACCEPT;
	policy_decide(&r, &p, &d);
	assert_int_equal(d.action, ACTION_REJECT);
	assert_string_equal(d.text, "HELO name 100?.example does not match "
	    "reverse DNS of 192.0.2.1");
	assert_null(strchr(d.text, '%'));
}

/* A decision of action a by check c, as policy_decide() leaves it. */
static struct policy_decision
decision(enum action a, enum check_id c)
{
	struct policy_decision d;

	memset(&d, 0, sizeof d);
	d.action = a;
	d.check = c;
	return d;
}

/*
 * The summary line's action=, policy=, check= and rcpts= (SPEC 3.3,
 * rdns-milter(8)): the most specific policy behind the action, an
 * enforcing one before a dry-run one, the first decision of equally
 * specific ones; accept decisions are not counted.
 */
static void
tally_names_most_specific_enforcing_policy(void **state)
{
	struct policy star = POL(R, A, A, A, A, false);
	struct policy sub = POL(R, A, R, A, A, false);
	struct policy exact = POL(R, A, R, A, A, false);
	struct policy_tally t;
	struct policy_decision rej_ptr = decision(R, CHECK_ID_PTR);
	struct policy_decision rej_gen = decision(R, CHECK_ID_GENERIC);
	struct policy_decision temp = decision(T, CHECK_ID_TEMPERROR);
	struct policy_decision acc = decision(A, CHECK_ID_NONE);
	enum check_id c;
	bool dry;

	static char d_star[] = "*", d_sub[] = ".sub.example",
	    d_exact[] = "mx.sub.example";

	(void)state;
	star.domain = d_star;
	sub.domain = d_sub;
	exact.domain = d_exact;

	policy_tally_reset(&t);
	assert_int_equal(policy_tally_action(&t, &dry), ACTION_ACCEPT);
	assert_false(dry);
	assert_null(policy_tally_policy(&t, &c));
	assert_int_equal(c, CHECK_ID_NONE);
	policy_tally_add(&t, &star, &acc, false, 3);
	assert_int_equal(t.rcpts, 0);

	/* Enforced by "*", would be by the more specific dry-run one:
	 * "*" is named, the action is enforced. */
	policy_tally_add(&t, &star, &temp, false, 1);
	policy_tally_add(&t, &exact, &rej_gen, true, 2);
	assert_int_equal(policy_tally_action(&t, &dry), ACTION_TEMPFAIL);
	assert_false(dry);
	assert_ptr_equal(policy_tally_policy(&t, &c), &star);
	assert_int_equal(c, CHECK_ID_TEMPERROR);
	assert_int_equal(t.rcpts, 3);
	assert_int_equal(t.action, ACTION_REJECT);

	/* Dry run only: the most specific one, "(dry-run)". */
	policy_tally_reset(&t);
	policy_tally_add(&t, &star, &rej_ptr, true, 1);
	policy_tally_add(&t, &exact, &temp, true, 1);
	policy_tally_add(&t, &sub, &rej_gen, true, 1);
	assert_int_equal(policy_tally_action(&t, &dry), ACTION_REJECT);
	assert_true(dry);
	assert_ptr_equal(policy_tally_policy(&t, &c), &exact);
	assert_int_equal(c, CHECK_ID_TEMPERROR);

	/* Equally specific: the first decision stays. */
	policy_tally_reset(&t);
	policy_tally_add(&t, &sub, &rej_gen, false, 1);
	policy_tally_add(&t, &sub, &rej_ptr, false, 1);
	policy_tally_add(&t, &star, &rej_ptr, false, 1);
	assert_ptr_equal(policy_tally_policy(&t, &c), &sub);
	assert_int_equal(c, CHECK_ID_GENERIC);
	assert_int_equal(t.rcpts, 3);
}

/* Global DryRun, or the line's own dryrun=yes. */
static void
dry_run_is_global_or_the_lines(void **state)
{
	struct config cf;
	struct policy p = POL(R, A, A, A, A, false);

	(void)state;
	memset(&cf, 0, sizeof cf);
	assert_false(policy_dry_run(&cf, &p));
	p.dry_run = true;
	assert_true(policy_dry_run(&cf, &p));
	p.dry_run = false;
	cf.dry_run = true;
	assert_true(policy_dry_run(&cf, &p));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decide_table_gives_action_codes_and_text),
		cmocka_unit_test(long_recipient_domain_split_whole),
		cmocka_unit_test(percent_in_helo_replaced),
		cmocka_unit_test(each_action_maps_to_its_code),
		cmocka_unit_test(
		    helo_8bit_and_control_bytes_become_question_marks),
		cmocka_unit_test(helo_longer_than_255_capped_at_255),
		cmocka_unit_test(hostile_ptr_name_sanitised_and_capped),
		cmocka_unit_test(long_texts_fit_in_decision),
		cmocka_unit_test(null_inputs_accept),
		cmocka_unit_test(needs_verdict_only_when_some_check_refuses),
		cmocka_unit_test(names_of_checks_and_actions),
		cmocka_unit_test(recipient_split_table),
		cmocka_unit_test(tally_names_most_specific_enforcing_policy),
		cmocka_unit_test(dry_run_is_global_or_the_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
