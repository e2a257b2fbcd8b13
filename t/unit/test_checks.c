/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_checks.c - the check engine against a fake resolver.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "checks.h"
#include "fake_log.h"
#include "fake_resolver.h"
#include "generic.h"

#define S	DNSSEC_SECURE
#define I	DNSSEC_INSECURE
#define B	DNSSEC_BOGUS
#define A	DNS_TYPE_A
#define AAAA	DNS_TYPE_AAAA
#define PTR	DNS_TYPE_PTR

struct rec {
	const char	*name;
	int		 type;
	enum dns_result	 result;
	enum dnssec_status sec;
	const char	*data[8];
	bool		 silent;
};

struct want {
	enum check_res	 ptr;
	enum check_res	 iprev;
	enum dnssec_status iprev_sec;
	const char	*verified;	/* NULL: none */
	const char	*reason;	/* "" on pass */
	enum check_res	 xptr;
	enum check_res	 helo_fwd;
	enum generic_res generic;
};

struct tcase {
	const char	*label;
	const char	*ip;
	const char	*helo;		/* NULL: no HELO */
	unsigned	 max_ptr;
	struct rec	 dns[16];
	struct want	 want;
};

#define R4	"10.2.0.192.in-addr.arpa"
#define R6	"8.9.a.b.c.d.e.f.f.e.d.c.b.a.9.8.7.6.5.4.3.2.1.0.8.b.d.0.1.0.0.2.ip6.arpa"
#define IP6	"2001:db8:123:4567:89ab:cdef:fedc:ba98"

static const struct tcase cases[] = {
	{ "iprev_secure_pass_with_matching_helo", "192.0.2.10",
	    "mail.example.test", 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail.example.test", "",
	    CHECK_PASS, CHECK_PASS, GENERIC_NO } },
	{ "helo_differs_in_case_and_trailing_dot_is_pass", "192.0.2.10",
	    "MAIL.Example.TEST.", 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail.example.test", "",
	    CHECK_PASS, CHECK_PASS, GENERIC_NO } },
	{ "insecure_forward_makes_iprev_insecure", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, I, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, I, "mail.example.test", "",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "ptr_nxdomain_is_permerror", "192.0.2.10", "mail.example.test", 10, {
		{ R4, PTR, DNS_NXDOMAIN, S, { NULL } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_FAIL, CHECK_PERMERROR, S, NULL, "no PTR record",
	    CHECK_FAIL, CHECK_PASS, GENERIC_NO } },
	{ "ptr_nodata_is_permerror", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_NODATA, I, { NULL } },
	    }, { CHECK_FAIL, CHECK_PERMERROR, I, NULL, "no PTR record",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "ptr_servfail_is_temperror", "192.0.2.10", "mail.example.test", 10, {
		{ R4, PTR, DNS_SERVFAIL, I, { NULL } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_TEMPERROR, CHECK_TEMPERROR, I, NULL, "SERVFAIL",
	    CHECK_TEMPERROR, CHECK_PASS, GENERIC_TEMPERROR } },
	{ "ptr_bogus_is_temperror", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_BOGUS, B, { NULL } },
	    }, { CHECK_TEMPERROR, CHECK_TEMPERROR, B, NULL, "DNSSEC bogus",
	    CHECK_NONE, CHECK_NONE, GENERIC_TEMPERROR } },
	{ "ptr_timeout_is_temperror", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, I, { NULL }, true },
	    }, { CHECK_TEMPERROR, CHECK_TEMPERROR, I, NULL, "DNS timeout",
	    CHECK_NONE, CHECK_NONE, GENERIC_TEMPERROR } },
	{ "iprev_forward_mismatch_is_fail", "192.0.2.10", "mail.example.test",
	    10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.99" } },
	    }, { CHECK_PASS, CHECK_FAIL, S, NULL,
	    "PTR mail.example.test does not resolve to 192.0.2.10",
	    CHECK_FAIL, CHECK_FAIL, GENERIC_NO } },
	{ "iprev_forward_nxdomain_is_fail", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "gone.example.test" } },
	    }, { CHECK_PASS, CHECK_FAIL, I, NULL,
	    "PTR gone.example.test does not resolve to 192.0.2.10",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "iprev_forward_nodata_is_fail", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "v6only.example.test" } },
		{ "v6only.example.test", A, DNS_NODATA, S, { NULL } },
		{ "v6only.example.test", AAAA, DNS_OK, S, { "2001:db8::1" } },
	    }, { CHECK_PASS, CHECK_FAIL, S, NULL,
	    "PTR v6only.example.test does not resolve to 192.0.2.10",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "iprev_forward_servfail_is_temperror", "192.0.2.10", "x.example.test",
	    10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_SERVFAIL, I, { NULL } },
		{ "x.example.test", A, DNS_OK, I, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_TEMPERROR, I, NULL, "SERVFAIL",
	    CHECK_TEMPERROR, CHECK_PASS, GENERIC_TEMPERROR } },
	{ "iprev_forward_bogus_is_temperror", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_BOGUS, B, { NULL } },
	    }, { CHECK_PASS, CHECK_TEMPERROR, B, NULL, "DNSSEC bogus",
	    CHECK_NONE, CHECK_NONE, GENERIC_TEMPERROR } },
	{ "iprev_forward_timeout_is_temperror", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { NULL }, true },
	    }, { CHECK_PASS, CHECK_TEMPERROR, I, NULL, "DNS timeout",
	    CHECK_NONE, CHECK_NONE, GENERIC_TEMPERROR } },
	{ "later_ptr_name_confirms", "192.0.2.10", "b.example.test", 10, {
		{ R4, PTR, DNS_OK, S, { "a.example.test", "b.example.test",
		    "c.example.test" } },
		{ "a.example.test", A, DNS_OK, S, { "192.0.2.1" } },
		{ "b.example.test", A, DNS_OK, S, { "192.0.2.9",
		    "192.0.2.10" } },
		{ "c.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "b.example.test", "",
	    CHECK_PASS, CHECK_PASS, GENERIC_NO } },
	{ "helo_matching_second_verified_name_is_pass", "192.0.2.10",
	    "c.example.test", 10, {
		{ R4, PTR, DNS_OK, S, { "b.example.test", "c.example.test" } },
		{ "b.example.test", A, DNS_OK, S, { "192.0.2.10" } },
		{ "c.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "b.example.test", "",
	    CHECK_PASS, CHECK_PASS, GENERIC_NO } },
	{ "confirmed_name_beats_a_temporary_failure", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "a.example.test", "b.example.test" } },
		{ "a.example.test", A, DNS_SERVFAIL, I, { NULL } },
		{ "b.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "b.example.test", "",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "name_beyond_max_ptr_names_is_not_looked_up", "192.0.2.10", NULL, 2, {
		{ R4, PTR, DNS_OK, S, { "a.example.test", "b.example.test",
		    "c.example.test" } },
		{ "a.example.test", A, DNS_OK, S, { "192.0.2.1" } },
		{ "b.example.test", A, DNS_OK, S, { "192.0.2.2" } },
		{ "c.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_FAIL, S, NULL,
	    "PTR a.example.test does not resolve to 192.0.2.10",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "invalid_ptr_name_never_confirms", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "bad_name.example.test" } },
		{ "bad_name.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_FAIL, S, NULL,
	    "PTR bad_name.example.test does not resolve to 192.0.2.10",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "numeric_ptr_name_never_confirms", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "192.0.2.10" } },
		{ "192.0.2.10", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_FAIL, S, NULL,
	    "PTR 192.0.2.10 does not resolve to 192.0.2.10",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "ipv6_pass_through_aaaa", IP6, "mail6.example.test", 10, {
		{ R6, PTR, DNS_OK, S, { "mail6.example.test" } },
		{ "mail6.example.test", AAAA, DNS_OK, S, { IP6 } },
		{ "mail6.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail6.example.test", "",
	    CHECK_PASS, CHECK_PASS, GENERIC_NO } },
	{ "ipv6_a_record_alone_does_not_confirm", IP6, NULL, 10, {
		{ R6, PTR, DNS_OK, S, { "v4only.example.test" } },
		{ "v4only.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_FAIL, I, NULL,
	    "PTR v4only.example.test does not resolve to " IP6,
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "mapped_ipv6_is_checked_as_ipv4", "::ffff:192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail.example.test", "",
	    CHECK_NONE, CHECK_NONE, GENERIC_NO } },
	{ "helo_literal_of_client_is_neutral", "192.0.2.10", "[192.0.2.10]",
	    10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail.example.test", "",
	    CHECK_NEUTRAL, CHECK_NONE, GENERIC_NO } },
	{ "helo_ipv6_literal_of_client_is_neutral", IP6, "[IPv6:" IP6 "]", 10, {
		{ R6, PTR, DNS_NXDOMAIN, I, { NULL } },
	    }, { CHECK_FAIL, CHECK_PERMERROR, I, NULL, "no PTR record",
	    CHECK_NEUTRAL, CHECK_NONE, GENERIC_NO } },
	{ "helo_literal_of_other_ip_is_fail_even_on_temperror", "192.0.2.10",
	    "[192.0.2.11]", 10, {
		{ R4, PTR, DNS_SERVFAIL, I, { NULL } },
	    }, { CHECK_TEMPERROR, CHECK_TEMPERROR, I, NULL, "SERVFAIL",
	    CHECK_FAIL, CHECK_NONE, GENERIC_TEMPERROR } },
	{ "invalid_helo_is_fail", "192.0.2.10", "bad_name!", 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail.example.test", "",
	    CHECK_FAIL, CHECK_NONE, GENERIC_NO } },
	{ "helo_mismatch_that_resolves_to_client", "192.0.2.10",
	    "out.example.org", 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
		{ "out.example.org", A, DNS_OK, I, { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail.example.test", "",
	    CHECK_FAIL, CHECK_PASS, GENERIC_NO } },
	{ "helo_lookup_timeout_is_helo_temperror", "192.0.2.10",
	    "out.example.org", 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.10" } },
		{ "out.example.org", A, DNS_OK, I, { NULL }, true },
	    }, { CHECK_PASS, CHECK_PASS, S, "mail.example.test", "",
	    CHECK_FAIL, CHECK_TEMPERROR, GENERIC_NO } },
	{ "helo_equal_to_unconfirmed_ptr_name_is_fail", "192.0.2.10",
	    "mail.example.test", 10, {
		{ R4, PTR, DNS_OK, S, { "mail.example.test" } },
		{ "mail.example.test", A, DNS_OK, S, { "192.0.2.11" } },
	    }, { CHECK_PASS, CHECK_FAIL, S, NULL,
	    "PTR mail.example.test does not resolve to 192.0.2.10",
	    CHECK_FAIL, CHECK_FAIL, GENERIC_NO } },
	{ "generic_verified_name", "192.0.2.10", NULL, 10, {
		{ R4, PTR, DNS_OK, I, { "dsl-192-0-2-10.pool.example.net" } },
		{ "dsl-192-0-2-10.pool.example.net", A, DNS_OK, I,
		    { "192.0.2.10" } },
	    }, { CHECK_PASS, CHECK_PASS, I, "dsl-192-0-2-10.pool.example.net",
	    "", CHECK_NONE, CHECK_NONE, GENERIC_YES } },
};

static void
run_case(const struct tcase *tc)
{
	struct check_params p = {
		.max_ptr_names = tc->max_ptr, .generic = NULL,
		.ops = &fake_resolver_ops, .resolver = NULL,
	};
	struct check_session *s;
	struct check_result r;
	struct rdns_ip ip;
	struct timespec dl;
	const char *v;
	size_t i;
	bool silent = false;

	fake_resolver_reset();
	for (i = 0; i < sizeof tc->dns / sizeof tc->dns[0]; i++) {
		const struct rec *d = &tc->dns[i];

		if (d->name == NULL)
			break;
		fake_resolver_add(d->name, d->type, d->result, d->sec, d->data);
		if (d->silent) {
			fake_resolver_add_silent(d->name, d->type);
			silent = true;
		}
	}
	assert_int_equal(dname_parse_ip(tc->ip, &ip), 0);
	/* Short deadline for the silent cases (they time out quickly); the
	 * others must never meet it, even on a loaded machine (the HELO
	 * lookup starts only when the deadline has not passed). */
	check_deadline_in(&dl, silent ? 0.05 : 10);
	s = check_session_new(&p, &ip, &dl);
	assert_non_null(s);
	fake_resolver_run();
	if (tc->helo != NULL)
		check_session_helo(s, tc->helo);
	fake_resolver_run();
	(void)check_session_wait(s);
	assert_int_equal(check_session_result(s, &r), 0);

	print_message("case %s\n", tc->label);
	assert_string_equal(check_res_str(r.ptr), check_res_str(tc->want.ptr));
	assert_string_equal(check_res_str(r.iprev),
	    check_res_str(tc->want.iprev));
	assert_string_equal(dnssec_status_str(r.iprev_dnssec),
	    dnssec_status_str(tc->want.iprev_sec));
	v = check_result_verified_name(&r);
	if (tc->want.verified == NULL)
		assert_null(v);
	else {
		assert_non_null(v);
		assert_string_equal(v, tc->want.verified);
	}
	assert_string_equal(r.reason, tc->want.reason);
	assert_string_equal(check_res_str(r.xptr),
	    check_res_str(tc->want.xptr));
	assert_string_equal(check_res_str(r.helo_fwd),
	    check_res_str(tc->want.helo_fwd));
	assert_int_equal(r.generic, tc->want.generic);
	assert_int_equal(r.have_helo, tc->helo != NULL);
	check_result_clear(&r);
	check_session_free(s);
	/* Every lookup answered or cancelled: nothing left behind. */
	assert_int_equal(fake_resolver_queued(), 0);
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
}

/* A session checking 192.0.2.10 (reverse name R4) with params p and a
 * deadline secs from now; its PTR lookup is queued. */
static struct check_session *
start_r4(const struct check_params *p, double secs)
{
	struct check_session *s;
	struct rdns_ip ip;
	struct timespec dl;

	assert_int_equal(dname_parse_ip("192.0.2.10", &ip), 0);
	check_deadline_in(&dl, secs);
	s = check_session_new(p, &ip, &dl);
	assert_non_null(s);
	return s;
}

/* Deliver the queued answers; the session then has its verdict, in r. */
static void
finish(struct check_session *s, struct check_result *r)
{
	fake_resolver_run();
	assert_true(check_session_wait(s));
	assert_int_equal(check_session_result(s, r), 0);
}

/* A HELO equal to a PTR name costs no second lookup. */
static void
test_helo_equal_to_ptr_name_is_looked_up_once(void **state)
{
	static const char *ptr[] = { "mail.example.test", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("mail.example.test", A, DNS_OK, S, a);
	s = start_r4(&p, 1);
	/* HELO before the PTR answer, then after: one A lookup in all. */
	check_session_helo(s, "Mail.Example.Test");
	finish(s, &r);
	assert_int_equal(r.xptr, CHECK_PASS);
	assert_int_equal(fake_resolver_submitted("mail.example.test", A), 1);
	assert_int_equal(fake_resolver_submitted(R4, PTR), 1);
	check_result_clear(&r);
	check_session_free(s);
}

/* Lookups that cannot be started: the connection is not left unchecked,
 * every check is temperror with the reason "resolver error". */
static void
test_submit_failure_is_resolver_error(void **state)
{
	static const char *ptr[] = { "mail.example.test", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	/* The PTR lookup itself cannot start. */
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_fail_submit(1);
	s = start_r4(&p, 1);
	check_session_helo(s, "mail.example.test");
	assert_true(check_session_done(s));
	finish(s, &r);
	assert_true(r.resolver_error);
	assert_int_equal(r.ptr, CHECK_TEMPERROR);
	assert_int_equal(r.iprev, CHECK_TEMPERROR);
	assert_int_equal(r.xptr, CHECK_TEMPERROR);
	assert_int_equal(r.generic, GENERIC_TEMPERROR);
	assert_string_equal(r.reason, "resolver error");
	assert_null(check_result_verified_name(&r));
	check_result_clear(&r);
	check_session_free(s);

	/* The PTR answers, its forward lookup cannot start. */
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("mail.example.test", A, DNS_OK, S, a);
	s = start_r4(&p, 1);
	fake_resolver_fail_submit(1);
	finish(s, &r);
	assert_true(r.resolver_error);
	assert_int_equal(r.iprev, CHECK_TEMPERROR);
	assert_int_equal(r.xptr, CHECK_NONE);	/* no HELO */
	assert_string_equal(r.reason, "resolver error");
	check_result_clear(&r);
	check_session_free(s);
	fake_resolver_fail_submit(0);
}

/* Closing a session with lookups in flight cancels them. */
static void
test_free_with_lookups_in_flight_cancels(void **state)
{
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;

	(void)state;
	fake_resolver_reset();
	fake_resolver_add_silent(R4, PTR);
	s = start_r4(&p, 5);
	assert_int_equal(fake_resolver_queued(), 1);
	check_session_free(s);
	assert_int_equal(fake_resolver_queued(), 0);
}

/* ms= (elapsed) of a verdict the DNS never completed stops at the
 * deadline, however late the result is asked for (a callback queued on
 * a loaded machine): the lookups did not take longer than DNSTimeout. */
static void
test_elapsed_of_a_timeout_stops_at_the_deadline(void **state)
{
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;
	struct timespec late = { 0, 300 * 1000 * 1000 };

	(void)state;
	fake_resolver_reset();
	fake_resolver_add_silent(R4, PTR);
	s = start_r4(&p, 0.05);
	assert_false(check_session_wait(s));
	while (nanosleep(&late, &late) == -1)
		;
	assert_int_equal(check_session_result(s, &r), 0);
	assert_int_equal(r.ptr, CHECK_TEMPERROR);
	assert_true(r.elapsed <= 0.05 + 1e-6);
	assert_true(r.elapsed > 0.0);
	check_result_clear(&r);
	check_session_free(s);
}

/* The wait returns as soon as the first name confirms, even if a later
 * name's server never answers. */
static void
test_wait_ends_when_first_name_confirms(void **state)
{
	static const char *ptr[] = { "a.example.test", "b.example.test", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("a.example.test", A, DNS_OK, S, a);
	fake_resolver_add_silent("b.example.test", A);
	s = start_r4(&p, 30);
	fake_resolver_run();
	assert_true(check_session_done(s));
	assert_true(check_session_wait(s));
	assert_int_equal(check_session_result(s, &r), 0);
	assert_int_equal(r.iprev, CHECK_PASS);
	assert_string_equal(check_result_verified_name(&r), "a.example.test");
	check_result_clear(&r);
	check_session_free(s);
	assert_int_equal(fake_resolver_queued(), 0);
}

/* check_params.on_decided: called once everything the verdict needs is
 * known, with the session decided at each call, and not before. */
static unsigned decided_calls;

static void
count_decided(void *arg)
{
	(void)arg;
	decided_calls++;
}

static void
test_on_decided_hook_tells_when_the_verdict_is_known(void **state)
{
	static const char *ptr[] = { "mail.example.test", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	p.on_decided = count_decided;
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("mail.example.test", A, DNS_OK, S, a);
	decided_calls = 0;
	s = start_r4(&p, 30);
	/* The HELO's lookup is one more thing the verdict waits for. */
	check_session_helo(s, "helo.example.test");
	assert_int_equal(decided_calls, 0);
	fake_resolver_run();
	assert_true(decided_calls >= 1);
	assert_true(check_session_done(s));
	assert_int_equal(check_session_result(s, &r), 0);
	assert_int_equal(r.helo_fwd, CHECK_FAIL);
	check_result_clear(&r);
	check_session_free(s);

	/* Silent PTR: never decided, never called. */
	fake_resolver_reset();
	fake_resolver_add_silent(R4, PTR);
	decided_calls = 0;
	s = start_r4(&p, 30);
	fake_resolver_run();
	assert_int_equal(decided_calls, 0);
	check_session_free(s);

	/* Cached answers decide inside check_session_new(). */
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("mail.example.test", A, DNS_OK, S, a);
	fake_resolver_serve_cached(1);
	decided_calls = 0;
	s = start_r4(&p, 30);
	assert_true(decided_calls >= 1);
	check_session_free(s);
}

/* The hook is never called while the PTR answer is half folded in: a
 * cached forward answer for the first name (not confirming) must not
 * make the session look decided before the second name's lookup is out
 * (an audit would emit it, with that lookup counted as a timeout). */
static unsigned early_calls;

static void
count_early(void *arg)
{
	(void)arg;
	if (fake_resolver_submitted("b.example.test", A) == 0)
		early_calls++;
}

static void
test_on_decided_not_called_while_the_ptr_answer_is_folded_in(void **state)
{
	static const char *ptr[] = { "a.example.test", "b.example.test",
	    NULL };
	static const char *other[] = { "192.0.2.99", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	p.on_decided = count_early;
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("a.example.test", A, DNS_OK, S, other);
	early_calls = 0;
	s = start_r4(&p, 30);		/* the PTR lookup is queued */
	/* From now on the table answers from the "cache"; b.example.test
	 * is not in it yet, so its lookup goes out. */
	fake_resolver_serve_cached(1);
	fake_resolver_run();
	assert_int_equal(early_calls, 0);
	assert_int_equal(fake_resolver_submitted("b.example.test", A), 1);
	fake_resolver_add("b.example.test", A, DNS_OK, S, a);
	fake_resolver_run();
	assert_true(check_session_done(s));
	assert_int_equal(check_session_result(s, &r), 0);
	check_result_clear(&r);
	check_session_free(s);
}

/* Several PTR records, more than kept: all reported up to the cap. */
static void
test_two_hundred_ptr_records(void **state)
{
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;
	char name[64];
	uint8_t wire[80];
	int i;

	(void)state;
	fake_resolver_reset();
	for (i = 0; i < 200; i++) {
		size_t l = (size_t)snprintf(name, sizeof name, "h%d", i);

		wire[0] = (uint8_t)l;
		memcpy(wire + 1, name, l);
		memcpy(wire + 1 + l, "\007example\004test", 14);
		fake_resolver_add_raw(R4, PTR, I, wire, l + 15);
	}
	s = start_r4(&p, 1);
	finish(s, &r);
	assert_int_equal(r.n_names, 200);
	assert_string_equal(r.names[199].name.pres, "h199.example.test");
	assert_int_equal(r.iprev, CHECK_FAIL);
	/* Only MaxPTRNames forward lookups. */
	assert_int_equal(fake_resolver_submitted("h9.example.test", A), 1);
	assert_int_equal(fake_resolver_submitted("h10.example.test", A), 0);
	check_result_clear(&r);
	check_session_free(s);
}

/* The milter keeps only the PTR names its verdicts use: the first one and
 * the MaxPTRNames looked up (the first host names), however many the
 * answer holds, in answer order. */
static void
test_only_used_ptr_names_are_kept(void **state)
{
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;
	char name[64];
	uint8_t wire[80];
	int i;

	(void)state;
	p.only_used_names = true;
	fake_resolver_reset();
	for (i = 0; i < 250; i++) {
		/* h0 to h4 are not host names ("_h0"): never looked up. */
		size_t l = (size_t)snprintf(name, sizeof name, "%sh%d",
		    i < 5 ? "_" : "", i);

		wire[0] = (uint8_t)l;
		memcpy(wire + 1, name, l);
		memcpy(wire + 1 + l, "\007example\004test", 14);
		fake_resolver_add_raw(R4, PTR, I, wire, l + 15);
	}
	s = start_r4(&p, 1);
	finish(s, &r);
	assert_int_equal(r.n_names, 11);
	assert_true(r.names_truncated);
	assert_string_equal(r.names[0].name.pres, "_h0.example.test");
	assert_false(r.names[0].looked_up);
	for (i = 1; i <= 10; i++) {
		snprintf(name, sizeof name, "h%d.example.test", i + 4);
		assert_string_equal(r.names[i].name.pres, name);
		assert_true(r.names[i].looked_up);
	}
	assert_int_equal(r.iprev, CHECK_FAIL);
	assert_string_equal(r.reason,
	    "PTR _h0.example.test does not resolve to 192.0.2.10");
	assert_int_equal(fake_resolver_submitted("h14.example.test", A), 1);
	assert_int_equal(fake_resolver_submitted("h15.example.test", A), 0);
	check_result_clear(&r);
	check_session_free(s);
}

/* A PTR whose wire data is malformed is reported, never followed. */
static void
test_malformed_ptr_rdata_never_confirms(void **state)
{
	static const uint8_t bad[] = { 5, 'a', 'b' };	/* label overruns */
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	fake_resolver_reset();
	fake_resolver_add_raw(R4, PTR, I, bad, sizeof bad);
	s = start_r4(&p, 1);
	finish(s, &r);
	assert_int_equal(r.ptr, CHECK_PASS);
	assert_int_equal(r.iprev, CHECK_FAIL);
	assert_false(r.names[0].name.hostname);
	check_result_clear(&r);
	check_session_free(s);
}

/* The shipped generic rules (the source copy, SRCDIR/data). */
static struct generic_patterns *
shipped_rules(void)
{
	const char *f = getenv("RDNS_MILTER_GENERIC_RULES");

	return generic_rules_load(f != NULL ? f : SRCDIR "/data/generic.rules",
	    NULL, 0);
}

/* Generic judged with the configured (here: the shipped) rules. */
static void
test_generic_uses_patterns(void **state)
{
	static const char *ptr[] = { "dynamic-pool7.isp.example", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct generic_patterns *gp = shipped_rules();
	struct check_params p = { 10, gp, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	assert_non_null(gp);
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, I, ptr);
	fake_resolver_add("dynamic-pool7.isp.example", A, DNS_OK, I, a);
	s = start_r4(&p, 1);
	finish(s, &r);
	assert_int_equal(r.generic, GENERIC_YES);
	/* The verdict names its evidence (SPEC 2 generic_reason). */
	assert_string_equal(r.generic_rule, "dyn-word");
	assert_string_equal(r.generic_reason, "rule dyn-word (dynamic-pool7)");
	check_result_clear(&r);
	check_session_free(s);
	generic_patterns_free(gp);
}

/*
 * Issue 11: organizational domains, HELO alignment, AllowDomains and
 * mail-role words, through a whole session.  One client (192.0.2.10),
 * its PTR names ptr[] (the first confirming unless a[] says otherwise),
 * a HELO and its address.
 */
struct orgcase {
	const char	*label;
	const char	*ptr;		/* PTR name */
	const char	*ptr_addr;	/* its A record */
	const char	*helo;
	const char	*helo_addr;	/* NULL: NXDOMAIN */
	const char	*allow;		/* one AllowDomains entry or NULL */
	bool		 roles;		/* default MailRoleWords */
	/* want */
	const char	*org;		/* org_domain */
	bool		 aligned;
	const char	*helo_org;
	bool		 allowlisted;
	enum generic_res generic;
};

static const struct orgcase org_cases[] = {
	{ "ccsld_same_company_aligned", "mail.example-shop.co.uk",
	    "192.0.2.10", "relay.example-shop.co.uk", "192.0.2.99", NULL,
	    true, "example-shop.co.uk", true, "example-shop.co.uk", false,
	    GENERIC_NO },
	{ "ccsld_other_company_not_aligned", "mail.example-shop.co.uk",
	    "192.0.2.10", "mail.other-shop.co.uk", "192.0.2.99", NULL,
	    true, "example-shop.co.uk", false, "", false, GENERIC_NO },
	{ "helo_public_suffix_not_aligned", "mail.example-shop.co.uk",
	    "192.0.2.10", "co.uk", NULL, NULL,
	    true, "example-shop.co.uk", false, "", false, GENERIC_NO },
	{ "microsoft_365_aligned",
	    "mail-am6eur05on2093.outbound.protection.outlook.com",
	    "192.0.2.10", "EUR05-AM6-obe.outbound.protection.outlook.com",
	    "192.0.2.99", NULL, true, "outlook.com", true, "outlook.com",
	    false, GENERIC_NO },
	{ "unconfirmed_ptr_never_aligned_nor_allowlisted",
	    "mail.partner.example", "192.0.2.99", "x.partner.example",
	    "192.0.2.99", ".partner.example", true, "", false, "", false,
	    GENERIC_NO },
	{ "allowlisted_generic_name", "dsl-192-0-2-10.partner.example",
	    "192.0.2.10", "x.other.example", NULL, ".partner.example",
	    true, "partner.example", false, "", true, GENERIC_YES },
	{ "allow_exact_does_not_cover_subdomains",
	    "dsl-192-0-2-10.partner.example", "192.0.2.10", NULL, NULL,
	    "partner.example", true, "partner.example", false, "", false,
	    GENERIC_YES },
	{ "mail_role_word_not_generic", "mail-192-0-2-10.isp.example",
	    "192.0.2.10", NULL, NULL, NULL, true, "isp.example", false, "",
	    false, GENERIC_NO },
	{ "mail_role_rule_off_generic", "mail-192-0-2-10.isp.example",
	    "192.0.2.10", NULL, NULL, NULL, false, "isp.example", false, "",
	    false, GENERIC_YES },
};

static void
test_org_alignment_allow_roles(void **state)
{
	struct generic_patterns *gp = shipped_rules();
	struct generic_roles *gr = generic_roles_new_default();
	size_t i;

	(void)state;
	assert_non_null(gp);
	assert_non_null(gr);
	for (i = 0; i < sizeof org_cases / sizeof org_cases[0]; i++) {
		const struct orgcase *c = &org_cases[i];
		const char *ptr[] = { c->ptr, NULL };
		const char *a[] = { c->ptr_addr, NULL };
		const char *ha[] = { c->helo_addr, NULL };
		char *allow[] = { (char *)(uintptr_t)c->allow };
		struct check_params p = { 10, gp, &fake_resolver_ops, NULL,
		    c->roles ? gr : NULL, allow, c->allow != NULL ? 1 : 0 };
		struct check_session *s;
		struct check_result r;

		print_message("case %s\n", c->label);
		fake_resolver_reset();
		fake_resolver_add(R4, PTR, DNS_OK, I, ptr);
		fake_resolver_add(c->ptr, A, DNS_OK, I, a);
		if (c->helo != NULL) {
			if (c->helo_addr != NULL)
				fake_resolver_add(c->helo, A, DNS_OK, I, ha);
			else
				fake_resolver_add(c->helo, A, DNS_NXDOMAIN, I,
				    NULL);
		}
		s = start_r4(&p, 1);
		fake_resolver_run();
		if (c->helo != NULL)
			check_session_helo(s, c->helo);
		finish(s, &r);
		assert_string_equal(r.org_domain, c->org);
		assert_int_equal(r.helo_aligned, c->aligned);
		assert_string_equal(r.helo_org, c->helo_org);
		assert_int_equal(r.allowlisted, c->allowlisted);
		assert_int_equal(r.generic, c->generic);
		if (c->helo != NULL)
			assert_int_equal(r.xptr, CHECK_FAIL);
		check_result_clear(&r);
		check_session_free(s);
	}
	generic_roles_free(gr);
	generic_patterns_free(gp);
}

/* Cached answers are folded in at once: the verdict is there before the
 * first callback returns, and nothing is submitted. */
static void
test_cache_hits_need_no_lookup(void **state)
{
	static const char *ptr[] = { "mail.example.test", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;
	struct rdns_ip ip;
	struct timespec dl;

	(void)state;
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("mail.example.test", A, DNS_OK, S, a);
	fake_resolver_serve_cached(1);
	assert_int_equal(dname_parse_ip("192.0.2.10", &ip), 0);
	check_deadline_in(&dl, 1);
	s = check_session_new(&p, &ip, &dl);
	assert_non_null(s);
	check_session_helo(s, "mail.example.test");
	assert_true(check_session_done(s));
	assert_int_equal(fake_resolver_submitted(R4, PTR), 0);
	assert_int_equal(fake_resolver_submitted("mail.example.test", A), 0);
	assert_int_equal(check_session_result(s, &r), 0);
	assert_int_equal(r.iprev, CHECK_PASS);
	assert_int_equal(r.iprev_dnssec, DNSSEC_SECURE);
	assert_int_equal(r.xptr, CHECK_PASS);
	check_result_clear(&r);
	check_session_free(s);
}

/*
 * EHLO repeated with ever new names (issue 21): one HELO lookup at a time
 * (a new HELO cancels the lookup of the previous one), at most
 * CHECK_HELO_LOOKUPS_MAX per connection; past that the HELO's own
 * confirmation is temperror.  A HELO equal to a PTR name shares that
 * name's lookup, which a later HELO never cancels, and costs none of the
 * HELO lookups.
 */
static void
test_new_helo_cancels_previous_lookup(void **state)
{
	static const char *ptr[] = { "mail.example.test", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;
	char helo[64];
	size_t sub = 0;
	int i;

	(void)state;
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("mail.example.test", A, DNS_OK, S, a);
	for (i = 1; i <= 20; i++) {
		snprintf(helo, sizeof helo, "h%d.fw.evil.test", i);
		fake_resolver_add_silent(helo, A);
	}
	s = start_r4(&p, 30);
	fake_resolver_run();		/* PTR and its name answered */
	assert_int_equal(fake_resolver_queued(), 0);
	for (i = 1; i <= 20; i++) {
		snprintf(helo, sizeof helo, "h%d.fw.evil.test", i);
		check_session_helo(s, helo);
		/* Never more than the one HELO lookup in flight. */
		assert_true(fake_resolver_queued() <= 1);
		sub += fake_resolver_submitted(helo, A);
	}
	assert_int_equal(sub, CHECK_HELO_LOOKUPS_MAX);
	assert_int_equal(fake_resolver_queued(), 0);
	assert_true(check_session_done(s));
	assert_int_equal(check_session_result(s, &r), 0);
	assert_int_equal(r.iprev, CHECK_PASS);
	assert_int_equal(r.xptr, CHECK_FAIL);
	assert_int_equal(r.helo_fwd, CHECK_TEMPERROR);
	assert_string_equal(r.helo, "h20.fw.evil.test");
	check_result_clear(&r);

	/* The PTR name as HELO: its lookup is shared, none is needed. */
	check_session_helo(s, "Mail.Example.Test");
	assert_int_equal(check_session_result(s, &r), 0);
	assert_int_equal(r.xptr, CHECK_PASS);
	assert_int_equal(r.helo_fwd, CHECK_PASS);
	assert_int_equal(fake_resolver_submitted("mail.example.test", A), 1);
	check_result_clear(&r);
	check_session_free(s);
	assert_int_equal(fake_resolver_queued(), 0);
}

/* A HELO whose lookup was cancelled by a later HELO: when the PTR answer
 * then names it, the PTR name gets a lookup of its own (the cancelled one
 * is never taken for it), and a later HELO does not cancel that. */
static void
test_cancelled_helo_lookup_is_not_reused(void **state)
{
	static const char *ptr[] = { "mail.example.test", NULL };
	static const char *a[] = { "192.0.2.10", NULL };
	struct check_params p = { 10, NULL, &fake_resolver_ops, NULL };
	struct check_session *s;
	struct check_result r;

	(void)state;
	fake_resolver_reset();
	fake_resolver_add(R4, PTR, DNS_OK, S, ptr);
	fake_resolver_add("mail.example.test", A, DNS_OK, S, a);
	fake_resolver_add_silent("other.example.test", A);
	s = start_r4(&p, 30);
	/* HELO with the PTR name before the PTR answer, then another. */
	check_session_helo(s, "mail.example.test");
	check_session_helo(s, "other.example.test");
	fake_resolver_run();
	check_session_helo(s, "third.example.test");
	fake_resolver_run();
	assert_true(check_session_done(s));
	assert_int_equal(check_session_result(s, &r), 0);
	assert_int_equal(r.iprev, CHECK_PASS);
	assert_string_equal(check_result_verified_name(&r),
	    "mail.example.test");
	assert_int_equal(r.xptr, CHECK_FAIL);
	assert_int_equal(r.helo_fwd, CHECK_FAIL);	/* NXDOMAIN */
	assert_int_equal(fake_resolver_submitted("mail.example.test", A), 2);
	check_result_clear(&r);
	check_session_free(s);
	assert_int_equal(fake_resolver_queued(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_helo_equal_to_ptr_name_is_looked_up_once),
		cmocka_unit_test(test_submit_failure_is_resolver_error),
		cmocka_unit_test(test_free_with_lookups_in_flight_cancels),
		cmocka_unit_test(test_elapsed_of_a_timeout_stops_at_the_deadline),
		cmocka_unit_test(test_wait_ends_when_first_name_confirms),
		cmocka_unit_test(test_two_hundred_ptr_records),
		cmocka_unit_test(test_only_used_ptr_names_are_kept),
		cmocka_unit_test(test_malformed_ptr_rdata_never_confirms),
		cmocka_unit_test(test_generic_uses_patterns),
		cmocka_unit_test(test_cache_hits_need_no_lookup),
		cmocka_unit_test(test_org_alignment_allow_roles),
		cmocka_unit_test(
		    test_on_decided_hook_tells_when_the_verdict_is_known),
		cmocka_unit_test(
		    test_on_decided_not_called_while_the_ptr_answer_is_folded_in),
		cmocka_unit_test(test_new_helo_cancels_previous_lookup),
		cmocka_unit_test(test_cancelled_helo_lookup_is_not_reused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
