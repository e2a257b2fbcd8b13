/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checks.c - the reverse-DNS check engine (SPEC 2).
 *
 * DESCRIPTION
 *	State of one session: the PTR lookup, a table of forward lookups
 *	("slots", one per distinct name, shared by the PTR names and the
 *	HELO name), and the HELO.  Answers arrive in the resolver thread and
 *	are folded in under the session mutex; the driving thread waits on
 *	the session's condition variable.  Verdicts are computed on demand
 *	from that state by check_session_result() (checks_verdict.c, with
 *	the RFC 8601 2.7.3 iprev mapping); the session itself is defined in
 *	checks_int.h.
 *
 *	Answers that arrive after the session deadline are recorded as
 *	timeouts, so that verdicts do not change once the deadline has
 *	passed (RCPT and EOM see the same result).
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "checks_int.h"
#include "generic.h"
#include "log.h"
#include "orgdomain.h"
#include "strbuf.h"
#include "text.h"

static bool
deadline_passed(const struct timespec *dl)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > dl->tv_sec ||
	    (now.tv_sec == dl->tv_sec && now.tv_nsec >= dl->tv_nsec);
}

void
check_deadline_in(struct timespec *ts, double seconds)
{
	long sec = (long)seconds;
	long nsec = (long)((seconds - (double)sec) * 1e9);

	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += sec;
	ts->tv_nsec += nsec;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Free the session's memory; the caller holds the last reference. */
static void
session_destroy(struct check_session *s)
{
	size_t i;

	for (i = 0; i < s->n_queries; i++)
		free(s->queries[i]);
	free(s->queries);
	free(s->slots);
	free(s->names);
	free(s->name_slot);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void resolver_answer_cb(void *arg, struct dns_answer *ans);
static void ptr_answer(struct check_session *s, const struct dns_answer *ans);
static void fwd_answer(struct check_session *s, struct slot *sl,
    const struct dns_answer *ans);
static void note_decided(struct check_session *s);

/*
 * Submit a lookup for the session.  Called with s->lock held (an async
 * resolver never calls back from inside submit; the fake does not either).
 * @return 0, or -1: the lookup is then recorded as a failed one.
 */
static int
session_submit(struct check_session *s, const char *name, int type,
    enum query_kind kind, size_t slot)
{
	struct query *q;
	struct dns_answer *ans;

	/* A cached answer is folded in at once: no lookup, no thread hop.
	 * The caller calls note_decided() when it has submitted all it
	 * means to (a PTR answer half folded in is not a verdict). */
	if (s->p.ops->cached != NULL &&
	    (ans = s->p.ops->cached(s->p.resolver, name, type)) != NULL) {
		if (kind == QUERY_PTR)
			ptr_answer(s, ans);
		else
			fwd_answer(s, &s->slots[slot], ans);
		dns_answer_free(ans);
		return 0;
	}
	if (s->n_queries == s->cap_queries) {
		size_t ncap = s->cap_queries ? 2 * s->cap_queries : 8;
		struct query **nq;

		nq = realloc(s->queries, ncap * sizeof *nq);
		if (nq == NULL)
			goto fail;
		s->queries = nq;
		s->cap_queries = ncap;
	}
	if ((q = calloc(1, sizeof *q)) == NULL)
		goto fail;
	q->s = s;
	q->kind = kind;
	q->slot = slot;
	if (s->p.ops->submit(s->p.resolver, name, type, resolver_answer_cb, q,
	    &q->handle) == -1) {
		free(q);
		goto fail;
	}
	s->queries[s->n_queries++] = q;
	if (kind == QUERY_FWD)
		s->slots[slot].q = q;
	s->pending++;
	s->refs++;
	return 0;
fail:
	if (!s->resolver_error)
		log_msg(LOG_ERR, "%s: resolver error: cannot start the lookup "
		    "of %.*s; every check of this connection is temperror; "
		    "%s", s->log_qid, DNAME_TEXT_MAX, name, s->log_ctx);
	s->resolver_error = true;
	return -1;
}

/* The live slot for name, or SIZE_MAX.  s->lock held. */
static size_t
slot_find(const struct check_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_slots; i++)
		if (!s->slots[i].superseded &&
		    dname_equal(s->slots[i].name, name))
			return i;
	return SIZE_MAX;
}

/*
 * The slot for a forward lookup of name, creating and submitting it if
 * new.  Called with s->lock held.
 * @return the slot index, or SIZE_MAX if out of memory.
 */
static size_t
slot_get(struct check_session *s, const char *name)
{
	struct slot *sl;
	size_t i;

	if ((i = slot_find(s, name)) != SIZE_MAX)
		return i;
	if (s->n_slots == s->cap_slots) {
		size_t ncap = s->cap_slots ? 2 * s->cap_slots : 4;
		struct slot *ns;

		if ((ns = realloc(s->slots, ncap * sizeof *ns)) == NULL)
			return SIZE_MAX;
		s->slots = ns;
		s->cap_slots = ncap;
	}
	i = s->n_slots++;
	sl = &s->slots[i];
	memset(sl, 0, sizeof *sl);
	snprintf(sl->name, sizeof sl->name, "%s", name);
	sl->dnssec = DNSSEC_INSECURE;
	if (deadline_passed(&s->deadline)) {
		/* Too late to ask: a timeout, as if asked and not answered. */
		sl->done = true;
		sl->result = DNS_TIMEOUT;
	} else if (session_submit(s, name, s->fwd_type, QUERY_FWD, i) == -1) {
		sl->done = true;
		sl->result = DNS_SERVFAIL;
	}
	return i;
}

/*
 * Fold the PTR answer in.  Called with s->lock held.  The first
 * max_ptr_names names that are host names get forward lookups.  With
 * only_used_names (the milter) only the names the verdicts use are kept:
 * the first (the reason and reply texts name it) and those looked up, so
 * a PTR set of hundreds of names costs a session a dozen entries; else
 * every name up to CHECK_MAX_NAMES_KEPT, for reports.
 */
static void
ptr_answer(struct check_session *s, const struct dns_answer *ans)
{
	struct check_ptr_name pn;
	size_t i, keep, lookups = 0;

	s->ptr_done = true;
	s->ptr_result = ans->result;
	s->ptr_dnssec = ans->dnssec;
	if (ans->why_bogus != NULL)
		text_sanitize(TEXT_PRINT, s->why_bogus, sizeof s->why_bogus,
		    ans->why_bogus, strlen(ans->why_bogus));
	if (ans->result != DNS_OK || ans->count == 0)
		return;
	keep = ans->count < CHECK_MAX_NAMES_KEPT ? ans->count :
	    CHECK_MAX_NAMES_KEPT;
	if (s->p.only_used_names && keep > 1 + (size_t)s->p.max_ptr_names)
		keep = 1 + (size_t)s->p.max_ptr_names;
	s->names = calloc(keep, sizeof *s->names);
	s->name_slot = calloc(keep, sizeof *s->name_slot);
	if (s->names == NULL || s->name_slot == NULL) {
		log_msg(LOG_ERR, "%s: out of memory for %zu PTR names; %s",
		    s->log_qid, keep, s->log_ctx);
		free(s->names);
		free(s->name_slot);
		s->names = NULL;
		s->name_slot = NULL;
		s->ptr_result = DNS_SERVFAIL;
		return;
	}
	for (i = 0; i < ans->count && s->n_names < keep; i++) {
		bool lookup;
		size_t k;

		if (s->p.only_used_names && i > 0 &&
		    lookups >= s->p.max_ptr_names)
			break;		/* nothing further is used */
		memset(&pn, 0, sizeof pn);
		pn.fwd_result = DNS_TIMEOUT;
		pn.fwd_dnssec = DNSSEC_INSECURE;
		if (dname_from_wire(ans->rr[i].data, ans->rr[i].len,
		    &pn.name) == -1) {
			/* Malformed rdata: reported, never confirms. */
			snprintf(pn.name.pres, sizeof pn.name.pres, "?");
			snprintf(pn.name.safe, sizeof pn.name.safe, "?");
			pn.name.hostname = false;
		}
		lookup = lookups < s->p.max_ptr_names && pn.name.hostname;
		if (s->p.only_used_names && i > 0 && !lookup)
			continue;
		k = s->n_names++;
		s->names[k] = pn;
		s->name_slot[k] = SIZE_MAX;
		if (!lookup)
			continue;
		lookups++;
		s->names[k].looked_up = true;
		s->name_slot[k] = slot_get(s, pn.name.safe);
		if (s->name_slot[k] == SIZE_MAX)
			s->names[k].looked_up = false;
	}
	if (s->n_names < ans->count)
		s->names_truncated = true;
}

/* Fold a forward answer in.  Called with s->lock held. */
static void
fwd_answer(struct check_session *s, struct slot *sl,
    const struct dns_answer *ans)
{
	size_t i;

	struct strbuf sb;
	struct rdns_ip a;

	sl->done = true;
	sl->result = ans->result;
	sl->dnssec = ans->dnssec;
	if (ans->result != DNS_OK)
		return;
	strbuf_init(&sb, sl->addrs, sizeof sl->addrs);
	for (i = 0; i < ans->count; i++) {
		const struct dns_rr *rr = &ans->rr[i];
		char buf[DNAME_IPSTR_MAX];

		if (dname_ip_equal_rdata(&s->ip, rr->data, rr->len))
			sl->match = true;
		/* Text for reports; a record of the wrong size is skipped. */
		a.family = s->ip.family;
		if ((a.family == AF_INET && rr->len == 4) ||
		    (a.family == AF_INET6 && rr->len == 16)) {
			memcpy(a.family == AF_INET ? (void *)&a.u.v4 :
			    (void *)&a.u.v6, rr->data, rr->len);
			dname_ip_str(&a, buf, sizeof buf);
			if (!strbuf_overflow(&sb))
				(void)strbuf_printf(&sb, "%s%s",
				    sb.len > 0 ? " " : "", buf);
		}
	}
}

/* Remember when the verdict became complete, and tell the owner's hook
 * (check_params.on_decided).  s->lock held. */
static void
note_decided(struct check_session *s)
{
	if (!checks_decided(s))
		return;
	if (!s->decided) {
		s->decided = true;
		clock_gettime(CLOCK_MONOTONIC, &s->decided_at);
	}
	if (s->p.on_decided != NULL)
		s->p.on_decided(s->p.on_decided_arg);
}

static void
resolver_answer_cb(void *arg, struct dns_answer *ans)
{
	struct query *q = arg;
	struct check_session *s = q->s;
	bool last;

	pthread_mutex_lock(&s->lock);
	q->done = true;
	s->pending--;
	if (!s->closed) {
		static const struct dns_answer late = {
			.result = DNS_TIMEOUT, .dnssec = DNSSEC_INSECURE,
			.rcode = -1,
		};
		/* Too late: count it as a timeout, so verdicts stay stable
		 * once the deadline has passed. */
		const struct dns_answer *a = deadline_passed(&s->deadline) ?
		    &late : ans;

		if (q->kind == QUERY_PTR)
			ptr_answer(s, a);
		else if (q->slot < s->n_slots)
			fwd_answer(s, &s->slots[q->slot], a);
		note_decided(s);
		pthread_cond_broadcast(&s->cond);
	}
	last = --s->refs == 0;
	pthread_mutex_unlock(&s->lock);
	dns_answer_free(ans);
	if (last)
		session_destroy(s);
}

struct check_session *
check_session_new(const struct check_params *p, const struct rdns_ip *ip,
    const struct timespec *deadline)
{
	struct check_session *s;
	pthread_condattr_t ca;
	char rev[DNAME_REVERSE_MAX];

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	/* The deadlines are CLOCK_MONOTONIC: a condition variable on the
	 * wall clock would read them as dates in 1970 and never wait. */
	if (pthread_condattr_init(&ca) != 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&s->cond, &ca) != 0) {
		log_msg(LOG_ERR, "checks: no monotonic condition variable");
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	pthread_condattr_destroy(&ca);
	s->refs = 1;
	s->p = *p;
	if (s->p.max_ptr_names == 0)
		s->p.max_ptr_names = 1;
	s->ip = *ip;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	s->deadline = *deadline;
	s->fwd_type = ip->family == AF_INET6 ? DNS_TYPE_AAAA : DNS_TYPE_A;
	s->ptr_dnssec = DNSSEC_INSECURE;
	s->helo_slot = SIZE_MAX;
	snprintf(s->log_qid, sizeof s->log_qid, "NOQUEUE");
	if (p->log_ctx != NULL)
		snprintf(s->log_ctx, sizeof s->log_ctx, "%s", p->log_ctx);
	if (dname_reverse(ip, rev, sizeof rev) == -1) {
		session_destroy(s);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	if (session_submit(s, rev, DNS_TYPE_PTR, QUERY_PTR, 0) == -1) {
		/* Not accepted unchecked: every check is temperror. */
		s->ptr_done = true;
		s->ptr_result = DNS_SERVFAIL;
	}
	note_decided(s);
	pthread_mutex_unlock(&s->lock);
	return s;
}

void
check_session_set_log(struct check_session *s, const char *qid,
    const char *ctx)
{
	pthread_mutex_lock(&s->lock);
	if (qid != NULL)
		snprintf(s->log_qid, sizeof s->log_qid, "%s", qid);
	if (ctx != NULL)
		snprintf(s->log_ctx, sizeof s->log_ctx, "%s", ctx);
	pthread_mutex_unlock(&s->lock);
}

/* Is slot i a PTR name's?  s->lock held. */
static bool
slot_used_by_names(const struct check_session *s, size_t i)
{
	size_t k;

	for (k = 0; k < s->n_names; k++)
		if (s->name_slot[k] == i)
			return true;
	return false;
}

/*
 * The current HELO is being replaced: give its lookup up (cancel it if
 * still out), unless a PTR name shares it.  A cancelled slot is marked
 * superseded, so that a PTR name arriving later gets a lookup of its own;
 * an answer already on its way is dropped (its query no longer names a
 * slot).  s->lock held.
 */
static void
helo_release(struct check_session *s)
{
	struct slot *sl;
	struct query *q;

	if (s->helo_kind != HELO_HOST || s->helo_slot == SIZE_MAX ||
	    slot_used_by_names(s, s->helo_slot))
		return;
	sl = &s->slots[s->helo_slot];
	sl->superseded = true;
	if (sl->done)
		return;
	sl->done = true;
	sl->result = DNS_TIMEOUT;
	if ((q = sl->q) == NULL || q->done)
		return;
	if (s->p.ops->cancel(s->p.resolver, q->handle) == 0) {
		q->done = true;
		s->pending--;
		s->refs--;
	} else
		q->slot = SIZE_MAX;
}

void
check_session_helo(struct check_session *s, const char *helo)
{
	size_t n, prev_slots;
	int lit;

	pthread_mutex_lock(&s->lock);
	/* Keep a NUL-free, capped copy; the milter hands us a C string. */
	n = strnlen(helo, CHECK_VALUE_MAX);
	memcpy(s->helo, helo, n);
	s->helo[n] = '\0';
	lit = dname_helo_literal(helo, &s->helo_ip);
	if (lit == 0 && strlen(helo) <= DNAME_TEXT_MAX &&
	    dname_valid_hostname(helo)) {
		/* The same name again (EHLO after STARTTLS): nothing new. */
		if (s->helo_kind == HELO_HOST && s->helo_slot != SIZE_MAX &&
		    dname_equal(s->slots[s->helo_slot].name, helo))
			goto out;
		helo_release(s);
		s->helo_kind = HELO_HOST;
		prev_slots = s->n_slots;
		if ((s->helo_slot = slot_find(s, helo)) != SIZE_MAX)
			goto out;	/* a PTR name's: shared */
		if (s->helo_lookups >= CHECK_HELO_LOOKUPS_MAX) {
			if (!s->helo_cap_logged)
				log_msg(LOG_NOTICE, "%s: more than %d HELO/EHLO "
				    "names on one connection: later ones are "
				    "not looked up (helo temperror); %s",
				    s->log_qid, CHECK_HELO_LOOKUPS_MAX,
				    s->log_ctx);
			s->helo_cap_logged = true;
			goto out;
		}
		s->helo_lookups++;
		s->helo_slot = slot_get(s, helo);
		if (s->helo_slot == SIZE_MAX)
			log_msg(LOG_ERR, "%s: out of memory for the HELO "
			    "lookup; %s", s->log_qid, s->log_ctx);
		else if (s->n_slots > prev_slots) {
			/* A new lookup: the verdict is complete again when
			 * it has answered (or now, for a cache hit). */
			s->decided = false;
		}
		goto out;
	}
	helo_release(s);
	s->helo_slot = SIZE_MAX;
	s->helo_kind = lit == 1 ? HELO_LITERAL : HELO_INVALID;
out:
	/* Every path: a cached answer, a shared slot or a cancelled
	 * lookup can complete the verdict (check_params.on_decided). */
	note_decided(s);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Is everything the verdicts need known?  PTR answered; iprev decided
 * (some name confirmed with every earlier name answered, or every name
 * answered); the HELO's lookup answered.  Called with s->lock held.
 */
bool
checks_decided(const struct check_session *s)
{
	size_t i;
	bool iprev = true;

	if (!s->ptr_done)
		return false;
	for (i = 0; i < s->n_names; i++) {
		const struct slot *sl;

		if (s->name_slot[i] == SIZE_MAX)
			continue;
		sl = &s->slots[s->name_slot[i]];
		if (!sl->done) {
			iprev = false;
			break;
		}
		if (sl->match)
			break;
	}
	if (!iprev)
		return false;
	if (s->helo_kind == HELO_HOST && s->helo_slot != SIZE_MAX &&
	    !s->slots[s->helo_slot].done)
		return false;
	return true;
}

bool
check_session_wait(struct check_session *s)
{
	bool done;

	pthread_mutex_lock(&s->lock);
	while (!(done = checks_decided(s))) {
		int rc = pthread_cond_timedwait(&s->cond, &s->lock,
		    &s->deadline);

		if (rc == ETIMEDOUT) {
			done = checks_decided(s);
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return done;
}

bool
check_session_done(struct check_session *s)
{
	bool done;

	pthread_mutex_lock(&s->lock);
	done = checks_decided(s);
	pthread_mutex_unlock(&s->lock);
	return done;
}

void
check_session_free(struct check_session *s)
{
	size_t i;
	bool last;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->closed = true;
	for (i = 0; i < s->n_queries; i++) {
		struct query *q = s->queries[i];

		if (q->done)
			continue;
		if (s->p.ops->cancel(s->p.resolver, q->handle) == 0) {
			q->done = true;
			s->pending--;
			s->refs--;
		}
	}
	last = --s->refs == 0;
	pthread_mutex_unlock(&s->lock);
	if (last)
		session_destroy(s);
}

