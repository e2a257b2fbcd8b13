/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit.c - a bounded window of check sessions, verdicts in source order
 * (see audit.h).
 *
 * DESCRIPTION
 *	The ring holds the entries from the oldest not yet emitted (head)
 *	to the newest started; `count` of them are in use.  An entry is
 *	"done" once its session said so through on_decided (or was found
 *	decided right after it started); `n_done` counts the entries in use
 *	that are done, so that running = count - n_done is known without a
 *	scan.  Only the head is ever emitted: when it is done, or its
 *	deadline has passed (its pending lookups then count as timeouts, as
 *	check_session_result() documents), or it has no session.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "log.h"

struct entry {
	struct audit	*a;
	struct audit_item item;
	struct check_session *s;	/* NULL: could not be created */
	struct timespec	 deadline;
	bool		 done;		/* under a->lock */
};

struct audit {
	struct audit_params p;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	uint64_t	 events;	/* on_decided calls; under lock */

	struct entry	*ring;		/* p.hold entries */
	size_t		 head, count;
	size_t		 n_done;	/* entries in use that are done;
					   under lock */
	bool		 exhausted;	/* the source said 0 or -1 */
	bool		 stopped;	/* it said -1 */

	struct audit_stats st;
	struct check_result r;		/* scratch for emitting */
};

static bool
ts_passed(const struct timespec *dl, const struct timespec *now)
{
	return now->tv_sec > dl->tv_sec ||
	    (now->tv_sec == dl->tv_sec && now->tv_nsec >= dl->tv_nsec);
}

/* check_params.on_decided: runs with the session's lock held, in the
 * resolver thread or in the driver (inside check_session_new/helo). */
static void
entry_decided(void *arg)
{
	struct entry *e = arg;
	struct audit *a = e->a;

	pthread_mutex_lock(&a->lock);
	if (!e->done) {
		e->done = true;
		a->n_done++;
	}
	a->events++;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

struct audit *
audit_new(const struct audit_params *p)
{
	struct audit *a;
	pthread_condattr_t ca;
	size_t i;

	if (p->parallel < 1 || p->parallel > AUDIT_PARALLEL_MAX ||
	    p->next == NULL || p->emit == NULL || p->timeout <= 0 ||
	    (p->hold != 0 && p->hold < p->parallel))
		return NULL;
	if ((a = calloc(1, sizeof *a)) == NULL)
		return NULL;
	a->p = *p;
	if (a->p.hold == 0)
		a->p.hold = AUDIT_HOLD_FACTOR * a->p.parallel;
	if ((a->ring = calloc(a->p.hold, sizeof *a->ring)) == NULL) {
		free(a);
		return NULL;
	}
	for (i = 0; i < a->p.hold; i++)
		a->ring[i].a = a;
	/* Deadlines are CLOCK_MONOTONIC, as the sessions' are. */
	if (pthread_mutex_init(&a->lock, NULL) != 0) {
		free(a->ring);
		free(a);
		return NULL;
	}
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&a->cond, &ca) != 0) {
		pthread_mutex_destroy(&a->lock);
		free(a->ring);
		free(a);
		return NULL;
	}
	pthread_condattr_destroy(&ca);
	return a;
}

/* Start the next item of the source in a new ring entry.
 * @return 1 started, 0 the source is exhausted (or stopped). */
static int
start_one(struct audit *a)
{
	struct entry *e = &a->ring[(a->head + a->count) % a->p.hold];
	struct check_params cp;
	int rc;

	memset(&e->item, 0, sizeof e->item);
	rc = a->p.next(a->p.arg, &e->item);
	if (rc != 1) {
		a->exhausted = true;
		a->stopped = rc < 0;
		return 0;
	}
	e->item.seq = a->st.started++;
	e->done = false;
	a->count++;
	cp = a->p.check;
	cp.on_decided = entry_decided;
	cp.on_decided_arg = e;
	check_deadline_in(&e->deadline, a->p.timeout);
	e->s = check_session_new(&cp, &e->item.ip, &e->deadline);
	if (e->s == NULL) {
		a->st.no_session++;
		log_msg(LOG_ERR, "out of memory for a check session");
	} else if (e->item.have_helo)
		check_session_helo(e->s, e->item.helo);
	/*
	 * A cached PTR answer may have decided the session inside
	 * check_session_new() before the HELO made it wait again: forget
	 * what the hook said and ask the session.  A call of the hook after
	 * this point sets done again, which is then true.
	 */
	pthread_mutex_lock(&a->lock);
	if (e->done) {
		e->done = false;
		a->n_done--;
	}
	pthread_mutex_unlock(&a->lock);
	if (e->s == NULL || check_session_done(e->s)) {
		pthread_mutex_lock(&a->lock);
		if (!e->done) {
			e->done = true;
			a->n_done++;
		}
		pthread_mutex_unlock(&a->lock);
	}
	return 1;
}

/* Emit the head if it is ready.  @return true if it was emitted. */
static bool
emit_head(struct audit *a, const struct timespec *now)
{
	struct entry *e = &a->ring[a->head];
	bool done;

	if (a->count == 0)
		return false;
	pthread_mutex_lock(&a->lock);
	done = e->done;
	pthread_mutex_unlock(&a->lock);
	if (!done && e->s != NULL && !ts_passed(&e->deadline, now))
		return false;

	memset(&a->r, 0, sizeof a->r);
	if (e->s == NULL || check_session_result(e->s, &a->r) == -1) {
		check_result_clear(&a->r);
		memset(&a->r, 0, sizeof a->r);
		a->r.ip = e->item.ip;
		dname_ip_str(&e->item.ip, a->r.ipstr, sizeof a->r.ipstr);
		if (e->item.have_helo) {
			a->r.have_helo = true;
			memcpy(a->r.helo, e->item.helo, sizeof a->r.helo);
		}
		check_result_resolver_error(&a->r);
	}
	a->p.emit(a->p.arg, &e->item, &a->r);
	check_result_clear(&a->r);
	/* After this no hook of the session runs any more. */
	check_session_free(e->s);
	e->s = NULL;
	pthread_mutex_lock(&a->lock);
	if (e->done) {
		e->done = false;
		a->n_done--;
	}
	pthread_mutex_unlock(&a->lock);
	a->head = (a->head + 1) % a->p.hold;
	a->count--;
	a->st.emitted++;
	return true;
}

int
audit_step(struct audit *a, bool block)
{
	struct timespec now;
	uint64_t events;
	bool progress = false;
	size_t running;

	pthread_mutex_lock(&a->lock);
	events = a->events;
	pthread_mutex_unlock(&a->lock);

	clock_gettime(CLOCK_MONOTONIC, &now);
	while (emit_head(a, &now))
		progress = true;
	for (;;) {
		pthread_mutex_lock(&a->lock);
		running = a->count - a->n_done;
		pthread_mutex_unlock(&a->lock);
		if (running > a->st.max_running)
			a->st.max_running = running;
		if (a->exhausted || a->count == a->p.hold ||
		    running >= a->p.parallel)
			break;
		if (start_one(a) == 0)
			break;
		progress = true;
		if (a->count > a->st.max_held)
			a->st.max_held = a->count;
	}
	if (a->exhausted && a->count == 0)
		return a->stopped ? -1 : 0;
	if (progress || !block)
		return 1;

	/* Nothing to do until a session is decided or the head's deadline
	 * passes (the earliest: every session has the same timeout). */
	pthread_mutex_lock(&a->lock);
	while (a->events == events) {
		if (pthread_cond_timedwait(&a->cond, &a->lock,
		    &a->ring[a->head].deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&a->lock);
	return 1;
}

int
audit_run(struct audit *a)
{
	int rc;

	while ((rc = audit_step(a, true)) == 1)
		;
	return rc;
}

void
audit_get_stats(const struct audit *a, struct audit_stats *st)
{
	*st = a->st;
}

void
audit_free(struct audit *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->count; i++)
		check_session_free(a->ring[(a->head + i) % a->p.hold].s);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a->ring);
	free(a);
}

/* ---- audit_lookup() ---- */

struct batch {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	size_t		 pending;
};

struct batch_query {
	struct batch	*b;
	struct dns_answer **out;	/* where the answer goes */
	void		*handle;
	bool		 started;
	bool		 done;		/* under b->lock */
};

static void
batch_cb(void *arg, struct dns_answer *ans)
{
	struct batch_query *q = arg;
	struct batch *b = q->b;

	pthread_mutex_lock(&b->lock);
	*q->out = ans;
	q->done = true;
	b->pending--;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

int
audit_lookup(const struct resolver_ops *ops, void *res,
    const char *const *names, const int *types, size_t n, double timeout,
    struct dns_answer **out)
{
	struct batch b;
	struct batch_query *q;
	pthread_condattr_t ca;
	struct timespec dl;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (n == 0)
		return 0;
	if ((q = calloc(n, sizeof *q)) == NULL)
		return -1;
	memset(&b, 0, sizeof b);
	if (pthread_mutex_init(&b.lock, NULL) != 0) {
		free(q);
		return -1;
	}
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&b.cond, &ca) != 0) {
		pthread_mutex_destroy(&b.lock);
		free(q);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	check_deadline_in(&dl, timeout);

	/* Submitted under the lock: a callback waits for it, so it never
	 * finds a lookup half set up. */
	pthread_mutex_lock(&b.lock);
	for (i = 0; i < n; i++) {
		q[i].b = &b;
		q[i].out = &out[i];
		if (ops->submit(res, names[i], types[i], batch_cb, &q[i],
		    &q[i].handle) == 0) {
			q[i].started = true;
			b.pending++;
		}
	}
	while (b.pending > 0) {
		if (pthread_cond_timedwait(&b.cond, &b.lock, &dl) ==
		    ETIMEDOUT)
			break;
	}
	/* Past the deadline: cancel what is left; a lookup whose callback
	 * is already on its way cannot be cancelled, so wait for it. */
	for (i = 0; i < n; i++) {
		if (!q[i].started || q[i].done)
			continue;
		if (ops->cancel(res, q[i].handle) == 0) {
			q[i].done = true;
			b.pending--;
			out[i] = dns_answer_new(DNS_TIMEOUT, DNSSEC_INSECURE);
		}
	}
	while (b.pending > 0)
		pthread_cond_wait(&b.cond, &b.lock);
	pthread_mutex_unlock(&b.lock);
	for (i = 0; i < n; i++)
		if (out[i] == NULL)
			out[i] = dns_answer_new(DNS_SERVFAIL,
			    DNSSEC_INSECURE);
	pthread_cond_destroy(&b.cond);
	pthread_mutex_destroy(&b.lock);
	free(q);
	return 0;
}
