/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_resolver.c - resolver.c over a fake libunbound (fake_unbound.c):
 * the rcode -> result-class mapping, the answer cache's TTL bounds and
 * keys, the start-up proof and its messages, and the race between
 * resolver_cancel() and a delivery from the resolver thread.
 */
#include "autoconf.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <malloc.h>

#include <cmocka.h>
#include <unbound.h>

#include "anscache.h"
#include "fake_unbound.h"
#include "resolver.h"

/* One answer waited for. */
struct waiter {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 calls;
	enum dns_result	 result;
	enum dnssec_status dnssec;
	size_t		 count;
};

static void
waiter_init(struct waiter *w)
{
	memset(w, 0, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
}

static void
waiter_cb(void *arg, struct dns_answer *ans)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->lock);
	w->calls++;
	w->result = ans->result;
	w->dnssec = ans->dnssec;
	w->count = ans->count;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	dns_answer_free(ans);
}

/* Wait (5 s at most) for the callback. */
static void
waiter_wait(struct waiter *w)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	pthread_mutex_lock(&w->lock);
	while (w->calls == 0)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &dl) != 0)
			break;
	pthread_mutex_unlock(&w->lock);
	assert_int_equal(w->calls, 1);
}

static struct resolver *
new_resolver_cache(unsigned threads, size_t cache_bytes)
{
	struct resolver_options o;
	struct resolver *res;
	char err[256];

	memset(&o, 0, sizeof o);
	o.threads = threads;
	o.cache_bytes = cache_bytes;
	fake_ub_fail_sync(0);
	fake_ub_fail_async(0);
	res = resolver_new(&o, err, sizeof err);
	assert_non_null(res);
	return res;
}

/* A resolver with the default answer cache (16 MiB). */
static struct resolver *
new_resolver(unsigned threads)
{
	return new_resolver_cache(threads, RESOLVER_CACHE_DEFAULT);
}

/* Submit name with the given answer, wait for it, return the waiter. */
static void
lookup(struct resolver *res, const char *name, const struct fake_ub_answer *a,
    struct waiter *w)
{
	void *h;

	waiter_init(w);
	fake_ub_set_answer(a);
	assert_int_equal(resolver_submit(res, name, DNS_TYPE_A, waiter_cb, w,
	    &h), 0);
	assert_non_null(h);
	fake_ub_deliver();
	waiter_wait(w);
}

static void
rcodes_map_to_result_classes(void **state)
{
	static const struct {
		struct fake_ub_answer a;
		enum dns_result want;
		enum dnssec_status sec;
		const char *what;
	} t[] = {
		{ { 0, 1, 1, 0, 60, 2, 0 }, DNS_OK, DNSSEC_SECURE, "NOERROR" },
		{ { 0, 0, 0, 0, 60, 0, 0 }, DNS_NODATA, DNSSEC_INSECURE,
		    "NODATA" },
		{ { 0, 1, 0, 0, 60, 0, 0 }, DNS_NODATA, DNSSEC_INSECURE,
		    "havedata, no records" },
		{ { 3, 0, 1, 0, 60, 0, 0 }, DNS_NXDOMAIN, DNSSEC_SECURE,
		    "NXDOMAIN" },
		{ { 2, 0, 0, 0, 0, 0, 0 }, DNS_SERVFAIL, DNSSEC_INSECURE,
		    "SERVFAIL" },
		{ { 5, 0, 0, 0, 0, 0, 0 }, DNS_SERVFAIL, DNSSEC_INSECURE,
		    "REFUSED" },
		{ { 1, 0, 0, 0, 0, 0, 0 }, DNS_SERVFAIL, DNSSEC_INSECURE,
		    "FORMERR" },
		{ { 0, 1, 0, 1, 60, 1, 0 }, DNS_BOGUS, DNSSEC_BOGUS,
		    "bogus data" },
		{ { 3, 0, 0, 1, 60, 0, 0 }, DNS_BOGUS, DNSSEC_BOGUS,
		    "bogus NXDOMAIN" },
		{ { 0, 0, 0, 0, 0, 0, UB_NOMEM }, DNS_SERVFAIL,
		    DNSSEC_INSECURE, "library error" },
	};
	struct resolver *res = new_resolver(1);
	struct waiter w;
	char name[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(name, sizeof name, "n%zu.example.test", i);
		print_message("%s\n", t[i].what);
		lookup(res, name, &t[i].a, &w);
		assert_int_equal(w.result, t[i].want);
		assert_int_equal(w.dnssec, t[i].sec);
		assert_int_equal(w.count, t[i].want == DNS_OK ?
		    (size_t)t[i].a.ndata : 0);
	}
	assert_string_equal(dns_result_str(DNS_TIMEOUT), "timeout");
	resolver_free(res);
}

/* A lookup nobody answers: the callback never runs, it stays pending until
 * cancelled (the caller's deadline makes it a timeout). */
static void
unanswered_lookup_is_pending_until_cancelled(void **state)
{
	struct resolver *res = new_resolver(1);
	struct waiter w;
	void *h;

	(void)state;
	waiter_init(&w);
	assert_int_equal(resolver_submit(res, "slow.example.test", DNS_TYPE_A,
	    waiter_cb, &w, &h), 0);
	assert_int_equal(resolver_pending(res), 1);
	assert_int_equal(resolver_cancel(res, h), 0);
	assert_int_equal(resolver_pending(res), 0);
	fake_ub_deliver();
	assert_int_equal(w.calls, 0);
	resolver_free(res);
}

static void
cache_ttl_is_bounded(void **state)
{
	struct resolver *res = new_resolver(1);
	struct fake_ub_answer pos = { 0, 1, 1, 0, 86400, 1, 0 };
	struct fake_ub_answer shortpos = { 0, 1, 1, 0, 42, 1, 0 };
	struct fake_ub_answer nx = { 3, 0, 1, 0, 86400, 0, 0 };
	struct fake_ub_answer nodata = { 0, 0, 0, 0, 86400, 0, 0 };
	struct fake_ub_answer zero = { 0, 1, 0, 0, 0, 1, 0 };
	struct fake_ub_answer servfail = { 2, 0, 0, 0, 600, 0, 0 };
	struct fake_ub_answer bogus = { 0, 1, 0, 1, 600, 1, 0 };
	struct waiter w;
	struct dns_answer *a;
	int ttl;

	(void)state;
	lookup(res, "Pos.Example.Test.", &pos, &w);
	ttl = resolver_cache_ttl(res, "pos.example.test", DNS_TYPE_A);
	assert_true(ttl > 3590 && ttl <= 3600);	/* at most an hour */
	a = resolver_cached(res, "POS.example.test.", DNS_TYPE_A);
	assert_non_null(a);
	assert_int_equal(a->result, DNS_OK);
	assert_int_equal(a->count, 1);
	dns_answer_free(a);
	assert_null(resolver_cached(res, "pos.example.test", DNS_TYPE_AAAA));

	lookup(res, "short.example.test", &shortpos, &w);
	ttl = resolver_cache_ttl(res, "short.example.test", DNS_TYPE_A);
	assert_true(ttl > 32 && ttl <= 42);	/* its own TTL below that */

	lookup(res, "nx.example.test", &nx, &w);
	ttl = resolver_cache_ttl(res, "nx.example.test", DNS_TYPE_A);
	assert_true(ttl > 290 && ttl <= 300);	/* negative: five minutes */
	lookup(res, "nodata.example.test", &nodata, &w);
	ttl = resolver_cache_ttl(res, "nodata.example.test", DNS_TYPE_A);
	assert_true(ttl > 290 && ttl <= 300);

	/* Never kept: TTL 0, temporary failures, bogus answers. */
	lookup(res, "zero.example.test", &zero, &w);
	assert_int_equal(resolver_cache_ttl(res, "zero.example.test",
	    DNS_TYPE_A), -1);
	lookup(res, "servfail.example.test", &servfail, &w);
	assert_int_equal(resolver_cache_ttl(res, "servfail.example.test",
	    DNS_TYPE_A), -1);
	lookup(res, "bogus.example.test", &bogus, &w);
	assert_int_equal(resolver_cache_ttl(res, "bogus.example.test",
	    DNS_TYPE_A), -1);
	resolver_free(res);
}

/* A name too long for a cache key is looked up but never cached, and in
 * particular never filed under its own first 255 bytes. */
static void
long_name_is_not_cached_under_a_cut_key(void **state)
{
	struct resolver *res = new_resolver(1);
	struct fake_ub_answer pos = { 0, 1, 0, 0, 600, 1, 0 };
	struct waiter w;
	char name[400];
	int i;

	(void)state;
	for (i = 0; i < 390; i++)
		name[i] = (char)(i % 64 == 63 ? '.' : 'a');
	name[390] = '\0';
	lookup(res, name, &pos, &w);
	assert_int_equal(w.result, DNS_OK);
	assert_int_equal(resolver_cache_ttl(res, name, DNS_TYPE_A), -1);
	name[255] = '\0';
	assert_int_equal(resolver_cache_ttl(res, name, DNS_TYPE_A), -1);
	name[254] = '\0';
	assert_int_equal(resolver_cache_ttl(res, name, DNS_TYPE_A), -1);
	assert_null(resolver_cached(res, name, DNS_TYPE_A));
	resolver_free(res);
}

/* The start-up proof: its failure is resolver_new()'s, with a message;
 * an unreadable trust anchor file is named before libunbound sees it. */
static void
start_up_proof_failures_are_reported(void **state)
{
	struct resolver_options o;
	char err[512];
	static char ta_file[] = "/nonexistent/root.key";
	char *const ta[] = { ta_file };

	(void)state;
	memset(&o, 0, sizeof o);
	o.threads = 1;
	fake_ub_fail_sync(UB_INITFAIL);
	assert_null(resolver_new(&o, err, sizeof err));
	assert_non_null(strstr(err, "the resolver cannot start: "
	    "initialization failure"));
	o.resolver_config = "/dev/null";
	assert_null(resolver_new(&o, err, sizeof err));
	assert_non_null(strstr(err, "ResolverConfig /dev/null: "));
	fake_ub_fail_sync(0);

	o.resolver_config = "/nonexistent/unbound.conf";
	assert_null(resolver_new(&o, err, sizeof err));
	assert_string_equal(err, "ResolverConfig /nonexistent/unbound.conf: "
	    "cannot read: No such file or directory");
	o.resolver_config = NULL;
	o.trust_anchor_files = ta;
	o.n_trust_anchor_files = 1;
	assert_null(resolver_new(&o, err, sizeof err));
	assert_string_equal(err, "TrustAnchorFile /nonexistent/root.key: "
	    "cannot read: No such file or directory");
}

/* Bytes the allocator has handed out (every arena), or 0 where it cannot
 * tell (another libc, or a sanitizer's allocator). */
static size_t
heap_in_use(void)
{
#if defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#else
	return 0;
#endif
}

/*
 * The attack of issue 21: a zone whose wildcard answers 3,500 A records
 * for every name, asked under ever new names.  However many such answers
 * arrive, what stays is bounded by the cache's byte budget (16 MiB by
 * default), as the allocator itself sees it.
 */
static void
huge_answers_stay_within_the_cache_budget(void **state)
{
	struct resolver *res = new_resolver(1);
	struct fake_ub_answer huge = { 0, 1, 0, 0, 600, 3500, 0 };
	struct waiter w;
	char name[64];
	size_t before, after;
	int i;

	(void)state;
	before = heap_in_use();
	for (i = 0; i < 400; i++) {
		snprintf(name, sizeof name, "h%d.fw.evil.test", i);
		lookup(res, name, &huge, &w);
		assert_int_equal(w.result, DNS_OK);
		assert_int_equal(w.count, 3500);
	}
	after = heap_in_use();
	print_message("heap: %zu -> %zu bytes\n", before, after);
	if (before != 0)
		assert_true(after < before + 17 * 1024 * 1024);
	assert_true(resolver_cache_bytes(res) <= RESOLVER_CACHE_DEFAULT);
	resolver_free(res);
}

/* Which answers are kept: up to ANSCACHE_RR_MAX records, each answer one
 * entry; larger ones are looked up every time (libunbound's own cache
 * still holds them).  With no budget, nothing is kept. */
static void
only_answers_of_few_records_are_cached(void **state)
{
	struct resolver *res = new_resolver(1);
	struct fake_ub_answer a = { 0, 1, 0, 0, 600, ANSCACHE_RR_MAX, 0 };
	struct fake_ub_answer big = { 0, 1, 0, 0, 600, ANSCACHE_RR_MAX + 1,
	    0 };
	struct fake_ub_answer ptrs = { 0, 1, 0, 0, 600, ANSCACHE_RR_MAX, 0,
	    255 };
	struct dns_answer *c;
	struct waiter w;
	size_t i;

	(void)state;
	lookup(res, "few.example.test", &a, &w);
	lookup(res, "many.example.test", &big, &w);
	assert_int_equal(w.count, ANSCACHE_RR_MAX + 1);
	lookup(res, "ptrs.example.test", &ptrs, &w);
	assert_true(resolver_cache_ttl(res, "few.example.test",
	    DNS_TYPE_A) > 0);
	assert_int_equal(resolver_cache_ttl(res, "many.example.test",
	    DNS_TYPE_A), -1);
	assert_int_equal(resolver_cache_entries(res), 2);
	/* The copy: every record, byte for byte, in one block. */
	c = resolver_cached(res, "ptrs.example.test", DNS_TYPE_A);
	assert_non_null(c);
	assert_true(c->packed);
	assert_int_equal(c->count, ANSCACHE_RR_MAX);
	for (i = 0; i < c->count; i++) {
		assert_int_equal(c->rr[i].len, 255);
		assert_int_equal(c->rr[i].data[0], 'a' + (int)i);
		assert_int_equal(c->rr[i].data[254], 'a' + (int)i);
	}
	dns_answer_free(c);
	resolver_free(res);

	res = new_resolver_cache(1, 0);
	lookup(res, "few.example.test", &a, &w);
	assert_int_equal(w.result, DNS_OK);
	assert_null(resolver_cached(res, "few.example.test", DNS_TYPE_A));
	assert_int_equal(resolver_cache_bytes(res), 0);
	resolver_free(res);
}

/*
 * The byte budget holds whatever is put in (here the smallest, 64 KiB):
 * small answers, the largest cacheable PTR sets, negative answers; the
 * least recently used go first, so what was just asked is there.
 */
static void
cache_never_exceeds_its_budget(void **state)
{
	struct resolver *res = new_resolver_cache(1, ANSCACHE_MIN_BYTES);
	struct fake_ub_answer small = { 0, 1, 0, 0, 600, 1, 0 };
	struct fake_ub_answer ptrs = { 0, 1, 0, 0, 600, ANSCACHE_RR_MAX, 0,
	    255 };
	struct fake_ub_answer nx = { 3, 0, 0, 0, 600, 0, 0 };
	struct waiter w;
	char name[64];
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "n%d.budget.example.test", i);
		lookup(res, name, i % 3 == 0 ? &small : i % 3 == 1 ? &ptrs :
		    &nx, &w);
		assert_true(resolver_cache_bytes(res) <= ANSCACHE_MIN_BYTES);
		/* The entry just made is the most recently used one. */
		if (i % 3 != 1)
			assert_true(resolver_cache_ttl(res, name,
			    DNS_TYPE_A) > 0);
	}
	assert_true(resolver_cache_entries(res) > 10);
	/* The first ones were evicted. */
	assert_int_equal(resolver_cache_ttl(res, "n0.budget.example.test",
	    DNS_TYPE_A), -1);
	resolver_free(res);
}

/* A submit that libunbound refuses: -1, no callback, *handle NULL. */
static void
refused_submit_leaves_no_handle(void **state)
{
	struct resolver *res = new_resolver(1);
	struct waiter w;
	void *h = &w;

	(void)state;
	waiter_init(&w);
	fake_ub_fail_async(UB_NOMEM);
	assert_int_equal(resolver_submit(res, "x.example.test", DNS_TYPE_A,
	    waiter_cb, &w, &h), -1);
	assert_null(h);
	assert_int_equal(resolver_pending(res), 0);
	fake_ub_fail_async(0);
	resolver_free(res);
}

/*
 * The race: a delivery from the resolver thread against resolver_cancel()
 * from this one, under the locking rule resolver.h states (and checks.c
 * follows): the caller cancels only under a lock its callback also takes,
 * and only while the callback has not completed.  For every lookup exactly
 * one side wins: cancel returns 0 and the callback never runs, or cancel
 * returns -1 and the callback runs exactly once.  (Memory errors and leaks
 * show in the sanitizer build.)
 *
 * Only what holds on every interleaving is asserted: each handle settles
 * exactly once, the counts add up, nothing stays queued or pending.  Which
 * side wins how often depends on the scheduler: on a loaded machine the
 * delivery thread may win every race (or lose every one), so the split is
 * printed, never asserted.
 */
#define RACE_ROUNDS	200
#define RACE_N		64

struct race_slot {
	pthread_mutex_t	 lock;
	bool		 done;		/* the callback completed */
	atomic_int	 calls;
};

static void
race_cb(void *arg, struct dns_answer *ans)
{
	struct race_slot *s = arg;

	pthread_mutex_lock(&s->lock);
	s->done = true;
	atomic_fetch_add(&s->calls, 1);
	pthread_mutex_unlock(&s->lock);
	dns_answer_free(ans);
}

static void *
deliverer(void *arg)
{
	(void)arg;
	fake_ub_deliver();
	return NULL;
}

static void
cancel_races_delivery(void **state)
{
	struct fake_ub_answer pos = { 0, 1, 0, 0, 0, 1, 0 };
	struct resolver *res = new_resolver(2);
	static struct race_slot slot[RACE_N];
	void *h[RACE_N];
	int won[RACE_N];
	unsigned cancelled = 0, delivered = 0;
	char name[64];
	int round, i;

	(void)state;
	fake_ub_set_answer(&pos);
	for (round = 0; round < RACE_ROUNDS; round++) {
		pthread_t t;
		struct timespec pause = { 0, 2000000 };

		for (i = 0; i < RACE_N; i++) {
			if (round == 0)
				pthread_mutex_init(&slot[i].lock, NULL);
			slot[i].done = false;
			atomic_store(&slot[i].calls, 0);
			snprintf(name, sizeof name, "r%d-%d.example.test",
			    round, i);
			assert_int_equal(resolver_submit(res, name, DNS_TYPE_A,
			    race_cb, &slot[i], &h[i]), 0);
		}
		struct timespec head = { 0, (round % 20) * 10000L };

		assert_int_equal(pthread_create(&t, NULL, deliverer, NULL),
		    0);
		/* A head start that varies by round, and cancels from the
		 * back of the queue that delivery takes from the front: the
		 * two meet somewhere in it. */
		nanosleep(&head, NULL);
		for (i = RACE_N - 1; i >= 0; i--) {
			pthread_mutex_lock(&slot[i].lock);
			won[i] = !slot[i].done &&
			    resolver_cancel(res, h[i]) == 0;
			pthread_mutex_unlock(&slot[i].lock);
		}
		pthread_join(t, NULL);
		/* Let the delivery thread finish what it took: a lost
		 * delivery would wait for a minute and then fail, but a busy
		 * machine never makes a correct run fail. */
		for (int tries = 0; tries < 30000; tries++) {
			bool all = true;

			for (i = 0; i < RACE_N; i++)
				if (!won[i] &&
				    atomic_load(&slot[i].calls) == 0)
					all = false;
			if (all && resolver_pending(res) == 0)
				break;
			nanosleep(&pause, NULL);
		}
		for (i = 0; i < RACE_N; i++) {
			if (won[i]) {
				assert_int_equal(atomic_load(&slot[i].calls),
				    0);
				cancelled++;
			} else {
				assert_int_equal(atomic_load(&slot[i].calls),
				    1);
				delivered++;
			}
		}
	}
	assert_int_equal(fake_ub_queued(), 0);
	assert_int_equal(resolver_pending(res), 0);
	for (i = 0; i < RACE_N; i++)
		pthread_mutex_destroy(&slot[i].lock);
	print_message("cancelled %u, delivered %u\n", cancelled, delivered);
	/* Every lookup settled once, one way or the other. */
	assert_int_equal(cancelled + delivered, RACE_ROUNDS * RACE_N);
	resolver_free(res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rcodes_map_to_result_classes),
		cmocka_unit_test(unanswered_lookup_is_pending_until_cancelled),
		cmocka_unit_test(cache_ttl_is_bounded),
		cmocka_unit_test(long_name_is_not_cached_under_a_cut_key),
		cmocka_unit_test(huge_answers_stay_within_the_cache_budget),
		cmocka_unit_test(only_answers_of_few_records_are_cached),
		cmocka_unit_test(cache_never_exceeds_its_budget),
		cmocka_unit_test(start_up_proof_failures_are_reported),
		cmocka_unit_test(refused_submit_leaves_no_handle),
		cmocka_unit_test(cancel_races_delivery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
