/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_audit.c - the bounded window of check sessions (milter/audit.c):
 * verdicts in source order, the window and the reorder ring never
 * exceeded, a HELO lookup awaited, a stopped source, resolver errors.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "fake_log.h"
#include "fake_resolver.h"
#include "test_util.h"

#define S	DNSSEC_SECURE
#define MAXN	200

/* The source and what was emitted. */
struct run {
	size_t		 n;		/* addresses 10.0.0.x, x = 0..n-1 */
	size_t		 next;
	long		 stop_after;	/* -1: never */
	const char	*helo;		/* for every item, or NULL */
	size_t		 emitted;
	uint64_t	 seq[MAXN];
	struct check_result r[MAXN];	/* the verdicts (names not kept) */
};

static void
ip_of(size_t i, char *buf, size_t len)
{
	(void)snprintf(buf, len, "10.0.%zu.%zu", i / 256, i % 256);
}

static int
next(void *arg, struct audit_item *it)
{
	struct run *run = arg;
	char ip[32];

	if (run->stop_after >= 0 && run->next == (size_t)run->stop_after)
		return -1;
	if (run->next == run->n)
		return 0;
	ip_of(run->next++, ip, sizeof ip);
	it->ip = test_util_ip(ip);
	if (run->helo != NULL) {
		it->have_helo = true;
		(void)snprintf(it->helo, sizeof it->helo, "%s", run->helo);
	}
	return 1;
}

static void
emit(void *arg, const struct audit_item *it, const struct check_result *r)
{
	struct run *run = arg;
	char ip[32];

	assert_true(run->emitted < MAXN);
	/* The verdict is that of the item's address. */
	ip_of((size_t)it->seq, ip, sizeof ip);
	assert_string_equal(r->ipstr, ip);
	run->seq[run->emitted] = it->seq;
	run->r[run->emitted] = *r;
	run->r[run->emitted].names = NULL;
	run->r[run->emitted].n_names = 0;
	run->emitted++;
}

/* PTR hN.example.test and its A record for address i. */
static void
add_good(size_t i, bool silent_ptr)
{
	char ip[32], rev[64], name[64];
	const char *ptr[] = { name, NULL }, *a[] = { ip, NULL };

	ip_of(i, ip, sizeof ip);
	(void)snprintf(rev, sizeof rev, "%zu.%zu.0.10.in-addr.arpa",
	    i % 256, i / 256);
	(void)snprintf(name, sizeof name, "h%zu.example.test", i);
	if (silent_ptr)
		fake_resolver_add_silent(rev, DNS_TYPE_PTR);
	else
		fake_resolver_add(rev, DNS_TYPE_PTR, DNS_OK, S, ptr);
	fake_resolver_add(name, DNS_TYPE_A, DNS_OK, S, a);
}

static void
params(struct audit_params *p, struct run *run, size_t parallel,
    size_t hold, double timeout)
{
	memset(p, 0, sizeof *p);
	p->check.max_ptr_names = 10;
	p->check.ops = &fake_resolver_ops;
	p->timeout = timeout;
	p->parallel = parallel;
	p->hold = hold;
	p->next = next;
	p->emit = emit;
	p->arg = run;
}

/* Run to the end, delivering the fake's answers between rounds. */
static int
drive(struct audit *a)
{
	int rc;

	while ((rc = audit_step(a, true)) == 1)
		(void)fake_resolver_run();
	return rc;
}

static void
slow_head_holds_the_window_and_order_is_kept(void **state)
{
	static struct run run;
	struct audit_params p;
	struct audit_stats st;
	struct audit *a;
	size_t i;

	(void)state;
	memset(&run, 0, sizeof run);
	run.n = 40;
	run.stop_after = -1;
	for (i = 0; i < run.n; i++)
		add_good(i, i == 0);	/* the first never answers */
	params(&p, &run, 4, 8, 0.2);
	assert_non_null(a = audit_new(&p));
	assert_int_equal(drive(a), 0);
	audit_get_stats(a, &st);
	audit_free(a);

	assert_int_equal(run.emitted, 40);
	for (i = 0; i < run.emitted; i++)
		WANT_INT(i, "order", run.seq[i], i);
	/* The slow one timed out; the others passed. */
	assert_int_equal(run.r[0].ptr, CHECK_TEMPERROR);
	assert_string_equal(run.r[0].reason, "DNS timeout");
	for (i = 1; i < run.emitted; i++)
		WANT_INT(i, "iprev", run.r[i].iprev, CHECK_PASS);
	/* Never more than 4 looking up, nor 8 held; both were reached
	 * while the first address held the ring. */
	assert_int_equal(st.started, 40);
	assert_int_equal(st.emitted, 40);
	assert_int_equal(st.max_running, 4);
	assert_int_equal(st.max_held, 8);
	assert_int_equal(fake_resolver_queued(), 0);
}

static void
every_address_once_with_cached_answers(void **state)
{
	static struct run run;
	struct audit_params p;
	struct audit_stats st;
	struct audit *a;
	size_t i;

	(void)state;
	memset(&run, 0, sizeof run);
	run.n = MAXN;
	run.stop_after = -1;
	for (i = 0; i < run.n; i++)
		add_good(i, false);
	fake_resolver_serve_cached(1);
	params(&p, &run, 16, 0, 5);
	assert_non_null(a = audit_new(&p));
	assert_int_equal(audit_run(a), 0);
	audit_get_stats(a, &st);
	audit_free(a);
	assert_int_equal(run.emitted, MAXN);
	for (i = 0; i < run.emitted; i++) {
		WANT_INT(i, "order", run.seq[i], i);
		WANT_INT(i, "iprev", run.r[i].iprev, CHECK_PASS);
	}
	/* Decided inside check_session_new(): none is ever running. */
	assert_int_equal(st.max_running, 0);
	assert_true(st.max_held <= 16 * AUDIT_HOLD_FACTOR);
}

static void
helo_lookup_is_awaited_after_a_cached_ptr(void **state)
{
	static struct run run;
	struct audit_params p;
	struct audit_stats st;
	struct audit *a;

	(void)state;
	memset(&run, 0, sizeof run);
	run.n = 1;
	run.stop_after = -1;
	run.helo = "helo.example.test";
	add_good(0, false);
	/* The PTR and its A record are cached and decide the session
	 * inside check_session_new(); the HELO's lookup goes out. */
	fake_resolver_serve_cached(1);
	params(&p, &run, 4, 0, 5);
	assert_non_null(a = audit_new(&p));
	assert_int_equal(audit_step(a, false), 1);
	assert_int_equal(audit_step(a, false), 1);
	audit_get_stats(a, &st);
	assert_int_equal(st.started, 1);
	/* Not emitted while the HELO lookup is out. */
	assert_int_equal(run.emitted, 0);
	assert_int_equal(fake_resolver_submitted("helo.example.test",
	    DNS_TYPE_A), 1);
	(void)fake_resolver_run();
	assert_int_equal(drive(a), 0);
	audit_free(a);
	assert_int_equal(run.emitted, 1);
	/* Answered NXDOMAIN: definitively not the client, not a timeout. */
	assert_int_equal(run.r[0].helo_fwd, CHECK_FAIL);
	assert_int_equal(run.r[0].helo_dns, DNS_NXDOMAIN);
	assert_int_equal(run.r[0].xptr, CHECK_FAIL);
}

static void
stopped_source_still_emits_what_was_started(void **state)
{
	static struct run run;
	struct audit_params p;
	struct audit *a;
	size_t i;

	(void)state;
	memset(&run, 0, sizeof run);
	run.n = 20;
	run.stop_after = 5;
	for (i = 0; i < run.n; i++)
		add_good(i, false);
	params(&p, &run, 8, 0, 5);
	assert_non_null(a = audit_new(&p));
	assert_int_equal(drive(a), -1);
	audit_free(a);
	assert_int_equal(run.emitted, 5);
	for (i = 0; i < run.emitted; i++)
		WANT_INT(i, "order", run.seq[i], i);
}

static void
lookups_that_cannot_start_are_temperror(void **state)
{
	static struct run run;
	struct audit_params p;
	struct audit *a;
	size_t i;

	(void)state;
	memset(&run, 0, sizeof run);
	run.n = 3;
	run.stop_after = -1;
	fake_resolver_fail_submit(1);
	params(&p, &run, 2, 0, 5);
	assert_non_null(a = audit_new(&p));
	assert_int_equal(drive(a), 0);
	audit_free(a);
	assert_int_equal(run.emitted, 3);
	for (i = 0; i < run.emitted; i++) {
		WANT_INT(i, "resolver_error", run.r[i].resolver_error, true);
		WANT_INT(i, "iprev", run.r[i].iprev, CHECK_TEMPERROR);
		WANT_STR(i, "reason", run.r[i].reason, "resolver error");
	}
}

static void
empty_source_ends_at_once(void **state)
{
	static struct run run;
	struct audit_params p;
	struct audit *a;

	(void)state;
	memset(&run, 0, sizeof run);
	run.stop_after = -1;
	params(&p, &run, 1, 0, 5);
	assert_non_null(a = audit_new(&p));
	assert_int_equal(audit_step(a, true), 0);
	audit_free(a);
	assert_int_equal(run.emitted, 0);
}

static void
bad_parameters_are_refused(void **state)
{
	static struct run run;
	struct audit_params p;

	(void)state;
	params(&p, &run, 0, 0, 5);
	assert_null(audit_new(&p));
	params(&p, &run, AUDIT_PARALLEL_MAX + 1, 0, 5);
	assert_null(audit_new(&p));
	params(&p, &run, 8, 4, 5);
	assert_null(audit_new(&p));
	params(&p, &run, 8, 0, 0);
	assert_null(audit_new(&p));
	params(&p, &run, 8, 0, 5);
	p.emit = NULL;
	assert_null(audit_new(&p));
	audit_free(NULL);
}

static int
setup(void **state)
{
	(void)state;
	fake_resolver_reset();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
		    slow_head_holds_the_window_and_order_is_kept, setup),
		cmocka_unit_test_setup(every_address_once_with_cached_answers,
		    setup),
		cmocka_unit_test_setup(
		    helo_lookup_is_awaited_after_a_cached_ptr, setup),
		cmocka_unit_test_setup(
		    stopped_source_still_emits_what_was_started, setup),
		cmocka_unit_test_setup(lookups_that_cannot_start_are_temperror,
		    setup),
		cmocka_unit_test_setup(empty_source_ends_at_once, setup),
		cmocka_unit_test_setup(bad_parameters_are_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
