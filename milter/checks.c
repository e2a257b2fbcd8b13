/*
 * checks.c - the reverse-DNS check engine (SPEC 2).
 *
 * DESCRIPTION
 *	State of one session: the PTR lookup, a table of forward lookups
 *	("slots", one per distinct name, shared by the PTR names and the
 *	HELO name), and the HELO.  Answers arrive in the resolver thread and
 *	are folded in under the session mutex; the driving thread waits on
 *	the session's condition variable.  Verdicts are computed on demand
 *	from that state by check_session_result(), with the RFC 8601 2.7.3
 *	iprev mapping in iprev_verdict().
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
#include "generic.h"
#include "log.h"
#include "orgdomain.h"
#include "strbuf.h"

enum query_kind {
	QUERY_PTR,
	QUERY_FWD,
};

/* One submitted lookup. */
struct query {
	struct check_session *s;
	enum query_kind	 kind;
	size_t		 slot;		/* QUERY_FWD: index in s->slots */
	void		*handle;	/* resolver handle */
	bool		 done;		/* answered, timed out or cancelled */
};

/* One forward (A or AAAA) lookup of a name. */
struct slot {
	char		 name[DNAME_TEXT_MAX];
	bool		 done;
	enum dns_result	 result;
	enum dnssec_status dnssec;
	bool		 match;		/* address set holds the client IP */
	char		 addrs[160];	/* first addresses, for reports */
};

enum helo_kind {
	HELO_NONE = 0,		/* no HELO/EHLO seen */
	HELO_HOST,		/* valid hostname: slot helo_slot */
	HELO_LITERAL,		/* valid address literal: helo_ip */
	HELO_INVALID,		/* neither */
};

struct check_session {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	unsigned	 refs;		/* owner + lookups not yet done */
	bool		 closed;	/* owner gave it up */

	struct check_params p;
	struct rdns_ip	 ip;
	struct timespec	 start;
	struct timespec	 deadline;
	struct timespec	 decided_at;	/* when session_decided() first held */
	bool		 decided;
	int		 fwd_type;	/* DNS_TYPE_A or DNS_TYPE_AAAA */

	/* PTR */
	bool		 ptr_done;
	enum dns_result	 ptr_result;
	enum dnssec_status ptr_dnssec;
	char		 why_bogus[256];
	struct check_ptr_name *names;
	size_t		 n_names;
	bool		 names_truncated;
	size_t		*name_slot;	/* per name: slot index or SIZE_MAX */

	/* forward lookups */
	struct slot	*slots;
	size_t		 n_slots, cap_slots;

	/* HELO */
	enum helo_kind	 helo_kind;
	char		 helo[CHECK_VALUE_MAX + 1];
	size_t		 helo_slot;
	struct rdns_ip	 helo_ip;

	/* A lookup could not be started (see check_result.resolver_error). */
	bool		 resolver_error;
	/* For log lines about this connection (check_session_set_log()). */
	char		 log_qid[32];
	char		 log_ctx[CHECK_LOG_CTX_MAX];

	/* lookups */
	struct query	**queries;
	size_t		 n_queries, cap_queries;
	size_t		 pending;
};

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

const char *
check_res_str(enum check_res r)
{
	switch (r) {
	case CHECK_NONE:
		return "none";
	case CHECK_PASS:
		return "pass";
	case CHECK_FAIL:
		return "fail";
	case CHECK_NEUTRAL:
		return "neutral";
	case CHECK_TEMPERROR:
		return "temperror";
	case CHECK_PERMERROR:
		return "permerror";
	}
	return "temperror";
}

static enum dnssec_status
weakest(enum dnssec_status a, enum dnssec_status b)
{
	return a < b ? a : b;
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
static bool session_decided(const struct check_session *s);
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

	/* A cached answer is folded in at once: no lookup, no thread hop. */
	if (s->p.ops->cached != NULL &&
	    (ans = s->p.ops->cached(s->p.resolver, name, type)) != NULL) {
		if (kind == QUERY_PTR)
			ptr_answer(s, ans);
		else
			fwd_answer(s, &s->slots[slot], ans);
		note_decided(s);
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

	for (i = 0; i < s->n_slots; i++)
		if (dname_equal(s->slots[i].name, name))
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

/* Fold the PTR answer in.  Called with s->lock held. */
static void
ptr_answer(struct check_session *s, const struct dns_answer *ans)
{
	size_t i, n, lookups = 0;

	s->ptr_done = true;
	s->ptr_result = ans->result;
	s->ptr_dnssec = ans->dnssec;
	if (ans->why_bogus != NULL)
		log_sanitize(s->why_bogus, sizeof s->why_bogus,
		    ans->why_bogus, strlen(ans->why_bogus));
	if (ans->result != DNS_OK)
		return;
	n = ans->count;
	if (n > CHECK_MAX_NAMES_KEPT) {
		n = CHECK_MAX_NAMES_KEPT;
		s->names_truncated = true;
	}
	s->names = calloc(n, sizeof *s->names);
	s->name_slot = calloc(n, sizeof *s->name_slot);
	if (s->names == NULL || s->name_slot == NULL) {
		log_msg(LOG_ERR, "%s: out of memory for %zu PTR names; %s",
		    s->log_qid, n, s->log_ctx);
		free(s->names);
		free(s->name_slot);
		s->names = NULL;
		s->name_slot = NULL;
		s->ptr_result = DNS_SERVFAIL;
		return;
	}
	s->n_names = n;
	for (i = 0; i < n; i++) {
		struct check_ptr_name *pn = &s->names[i];

		s->name_slot[i] = SIZE_MAX;
		pn->fwd_result = DNS_TIMEOUT;
		pn->fwd_dnssec = DNSSEC_INSECURE;
		if (dname_from_wire(ans->rr[i].data, ans->rr[i].len,
		    &pn->name) == -1) {
			/* Malformed rdata: reported, never confirms. */
			snprintf(pn->name.pres, sizeof pn->name.pres, "?");
			snprintf(pn->name.safe, sizeof pn->name.safe, "?");
			pn->name.hostname = false;
		}
		if (lookups >= s->p.max_ptr_names || !pn->name.hostname)
			continue;
		lookups++;
		pn->looked_up = true;
		s->name_slot[i] = slot_get(s, pn->name.safe);
		if (s->name_slot[i] == SIZE_MAX)
			pn->looked_up = false;
	}
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

/* Remember when the verdict became complete.  s->lock held. */
static void
note_decided(struct check_session *s)
{
	if (!s->decided && session_decided(s)) {
		s->decided = true;
		clock_gettime(CLOCK_MONOTONIC, &s->decided_at);
	}
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

void
check_result_resolver_error(struct check_result *r)
{
	r->resolver_error = true;
	r->ptr = CHECK_TEMPERROR;
	r->ptr_dns = DNS_SERVFAIL;
	r->iprev = CHECK_TEMPERROR;
	r->verified = -1;
	r->helo_match = -1;
	snprintf(r->reason, sizeof r->reason, "resolver error");
	r->helo_aligned = false;
	r->allowlisted = false;
	r->org_domain[0] = r->helo_org[0] = '\0';
	if (r->have_helo)
		r->xptr = CHECK_TEMPERROR;
	r->generic = GENERIC_TEMPERROR;
}

void
check_session_helo(struct check_session *s, const char *helo)
{
	size_t n;
	int lit;

	pthread_mutex_lock(&s->lock);
	/* Keep a NUL-free, capped copy; the milter hands us a C string. */
	n = strnlen(helo, CHECK_VALUE_MAX);
	memcpy(s->helo, helo, n);
	s->helo[n] = '\0';
	s->helo_slot = SIZE_MAX;
	lit = dname_helo_literal(helo, &s->helo_ip);
	if (lit == 1)
		s->helo_kind = HELO_LITERAL;
	else if (lit == 0 && strlen(helo) <= DNAME_TEXT_MAX &&
	    dname_valid_hostname(helo)) {
		s->helo_kind = HELO_HOST;
		s->helo_slot = slot_get(s, helo);
		if (s->helo_slot == SIZE_MAX)
			log_msg(LOG_ERR, "%s: out of memory for the HELO "
			    "lookup; %s", s->log_qid, s->log_ctx);
	} else
		s->helo_kind = HELO_INVALID;
	pthread_mutex_unlock(&s->lock);
}

/*
 * Is everything the verdicts need known?  PTR answered; iprev decided
 * (some name confirmed with every earlier name answered, or every name
 * answered); the HELO's lookup answered.  Called with s->lock held.
 */
static bool
session_decided(const struct check_session *s)
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
	while (!(done = session_decided(s))) {
		int rc = pthread_cond_timedwait(&s->cond, &s->lock,
		    &s->deadline);

		if (rc == ETIMEDOUT) {
			done = session_decided(s);
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
	done = session_decided(s);
	pthread_mutex_unlock(&s->lock);
	return done;
}

/* The reason phrase for a temporary failure of class r. */
static const char *
temp_reason(enum dns_result r)
{
	switch (r) {
	case DNS_BOGUS:
		return "DNSSEC bogus";
	case DNS_TIMEOUT:
		return "DNS timeout";
	default:
		return "SERVFAIL";
	}
}

static bool
dns_is_temporary(enum dns_result r)
{
	return r == DNS_SERVFAIL || r == DNS_TIMEOUT || r == DNS_BOGUS;
}

/* Worse of two temporary causes for the reason phrase: bogus, then
 * timeout, then SERVFAIL. */
static enum dns_result
worse_temp(enum dns_result a, enum dns_result b)
{
	if (a == DNS_BOGUS || b == DNS_BOGUS)
		return DNS_BOGUS;
	if (a == DNS_TIMEOUT || b == DNS_TIMEOUT)
		return DNS_TIMEOUT;
	return DNS_SERVFAIL;
}

/*
 * RFC 8601 2.7.3 iprev, with the PTR result (SPEC 2):
 *
 *   PTR answer            forward answers                  iprev
 *   NXDOMAIN / NODATA     -                                permerror
 *   SERVFAIL/timeout/bogus -                               temperror
 *   names                 some name holds the client IP    pass
 *   names                 none confirms, one temporary     temperror
 *   names                 every one definitively not       fail
 *
 * "Definitively not": NXDOMAIN, NODATA, other addresses, or a name that
 * is not a valid hostname.  Called with s->lock held.
 */
static void
iprev_verdict(const struct check_session *s, struct check_result *r)
{
	enum dns_result temp = DNS_OK;
	enum dnssec_status sec = r->ptr_dnssec;
	bool bogus_met = false;
	size_t i;

	r->verified = -1;
	switch (r->ptr) {
	case CHECK_FAIL:
		r->iprev = CHECK_PERMERROR;
		r->iprev_dnssec = r->ptr_dnssec;
		snprintf(r->reason, sizeof r->reason, "no PTR record");
		return;
	case CHECK_TEMPERROR:
		r->iprev = CHECK_TEMPERROR;
		r->iprev_dnssec = r->ptr_dnssec;
		snprintf(r->reason, sizeof r->reason, "%s",
		    temp_reason(r->ptr_dns));
		return;
	default:
		break;
	}
	for (i = 0; i < r->n_names; i++) {
		const struct check_ptr_name *pn = &r->names[i];

		if (!pn->looked_up)
			continue;
		if (pn->fwd_result == DNS_BOGUS)
			bogus_met = true;
		if (pn->confirmed && r->verified == -1) {
			r->verified = (int)i;
			sec = weakest(sec, pn->fwd_dnssec);
		} else if (dns_is_temporary(pn->fwd_result))
			temp = temp == DNS_OK ? pn->fwd_result :
			    worse_temp(temp, pn->fwd_result);
	}
	if (r->verified >= 0) {
		r->iprev = CHECK_PASS;
		r->iprev_dnssec = bogus_met ? DNSSEC_BOGUS : sec;
		r->reason[0] = '\0';
		return;
	}
	/* Nothing confirmed: every answer was used. */
	for (i = 0; i < r->n_names; i++)
		if (r->names[i].looked_up)
			sec = weakest(sec, r->names[i].fwd_dnssec);
	r->iprev_dnssec = sec;
	if (temp != DNS_OK) {
		r->iprev = CHECK_TEMPERROR;
		snprintf(r->reason, sizeof r->reason, "%s", temp_reason(temp));
		return;
	}
	r->iprev = CHECK_FAIL;
	snprintf(r->reason, sizeof r->reason, "PTR %.*s does not resolve to %s",
	    CHECK_VALUE_MAX, r->n_names > 0 ? r->names[0].name.safe : "?",
	    r->ipstr);
	(void)s;
}

/* x-ptr and the HELO's own forward confirmation.  s->lock held. */
static void
helo_verdict(const struct check_session *s, struct check_result *r)
{
	size_t i;

	r->helo_match = -1;
	r->helo_fwd = CHECK_NONE;
	r->have_helo = s->helo_kind != HELO_NONE;
	snprintf(r->helo, sizeof r->helo, "%s", s->helo);
	switch (s->helo_kind) {
	case HELO_NONE:
		r->xptr = CHECK_NONE;
		return;
	case HELO_LITERAL:
		r->xptr = dname_ip_equal(&s->helo_ip, &s->ip) ? CHECK_NEUTRAL :
		    CHECK_FAIL;
		return;
	case HELO_INVALID:
		r->xptr = CHECK_FAIL;
		return;
	case HELO_HOST:
		break;
	}
	if (s->helo_slot == SIZE_MAX) {
		r->helo_fwd = CHECK_TEMPERROR;
		r->helo_dns = DNS_SERVFAIL;
	} else {
		const struct slot *sl = &s->slots[s->helo_slot];

		r->helo_dns = sl->done ? sl->result : DNS_TIMEOUT;
		memcpy(r->helo_addrs, sl->addrs, sizeof r->helo_addrs);
		if (!sl->done || dns_is_temporary(sl->result))
			r->helo_fwd = CHECK_TEMPERROR;
		else
			r->helo_fwd = sl->match ? CHECK_PASS : CHECK_FAIL;
	}
	if (r->iprev == CHECK_TEMPERROR) {
		r->xptr = CHECK_TEMPERROR;
		return;
	}
	for (i = 0; i < r->n_names; i++)
		if (r->names[i].looked_up && r->names[i].confirmed &&
		    dname_equal(r->names[i].name.safe, s->helo)) {
			r->helo_match = (int)i;
			r->xptr = CHECK_PASS;
			return;
		}
	r->xptr = CHECK_FAIL;
}

/*
 * Organizational domains (SPEC 2): the verified name's, HELO alignment
 * (the HELO hostname's organizational domain equals a confirmed PTR
 * name's) and AllowDomains (the verified name only: never a name that
 * did not forward-confirm).  Reads r and the session's fixed parameters;
 * no lock needed.
 */
static void
org_verdict(const struct check_session *s, struct check_result *r)
{
	char org[DNAME_TEXT_MAX];
	const char *v = check_result_verified_name(r);
	size_t i;

	r->helo_aligned = false;
	r->org_domain[0] = r->helo_org[0] = '\0';
	r->allowlisted = false;
	if (r->iprev != CHECK_PASS || v == NULL)
		return;
	(void)orgdomain_of(v, r->org_domain, sizeof r->org_domain);
	r->allowlisted = orgdomain_list_match(s->p.allow, s->p.n_allow, v);
	if (!r->have_helo || strlen(r->helo) >= DNAME_TEXT_MAX ||
	    !dname_valid_hostname(r->helo) ||
	    orgdomain_of(r->helo, org, sizeof org) == -1)
		return;
	for (i = 0; i < r->n_names; i++) {
		char norg[DNAME_TEXT_MAX];

		if (!r->names[i].looked_up || !r->names[i].confirmed)
			continue;
		if (orgdomain_of(r->names[i].name.safe, norg,
		    sizeof norg) == 0 && strcmp(norg, org) == 0) {
			r->helo_aligned = true;
			memcpy(r->helo_org, org, sizeof r->helo_org);
			return;
		}
	}
}

int
check_session_result(struct check_session *s, struct check_result *r)
{
	size_t i;

	memset(r, 0, sizeof *r);
	pthread_mutex_lock(&s->lock);
	r->ip = s->ip;
	dname_ip_str(&s->ip, r->ipstr, sizeof r->ipstr);

	/* ptr */
	r->ptr_dns = s->ptr_done ? s->ptr_result : DNS_TIMEOUT;
	r->ptr_dnssec = s->ptr_done ? s->ptr_dnssec : DNSSEC_INSECURE;
	if (!s->ptr_done)
		r->timed_out = true;
	snprintf(r->ptr_why_bogus, sizeof r->ptr_why_bogus, "%s",
	    s->why_bogus);
	switch (r->ptr_dns) {
	case DNS_OK:
		r->ptr = s->n_names > 0 ? CHECK_PASS : CHECK_FAIL;
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		r->ptr = CHECK_FAIL;
		break;
	default:
		r->ptr = CHECK_TEMPERROR;
		break;
	}
	if (r->ptr == CHECK_PASS) {
		r->names = calloc(s->n_names, sizeof *r->names);
		if (r->names == NULL) {
			pthread_mutex_unlock(&s->lock);
			return -1;
		}
		r->n_names = s->n_names;
		r->names_truncated = s->names_truncated;
		for (i = 0; i < s->n_names; i++) {
			struct check_ptr_name *pn = &r->names[i];

			*pn = s->names[i];
			if (s->name_slot[i] == SIZE_MAX)
				continue;
			const struct slot *sl = &s->slots[s->name_slot[i]];
			if (!sl->done) {
				pn->fwd_result = DNS_TIMEOUT;
				r->timed_out = true;
			} else {
				pn->fwd_result = sl->result;
				pn->fwd_dnssec = sl->dnssec;
				pn->confirmed = sl->match;
				memcpy(pn->fwd_addrs, sl->addrs,
				    sizeof pn->fwd_addrs);
			}
		}
	}
	iprev_verdict(s, r);
	helo_verdict(s, r);
	if (s->helo_kind == HELO_HOST && s->helo_slot != SIZE_MAX &&
	    !s->slots[s->helo_slot].done)
		r->timed_out = true;
	{
		struct timespec end;

		if (s->decided && session_decided(s))
			end = s->decided_at;
		else
			clock_gettime(CLOCK_MONOTONIC, &end);
		r->elapsed = (double)(end.tv_sec - s->start.tv_sec) +
		    (double)(end.tv_nsec - s->start.tv_nsec) / 1e9;
	}
	pthread_mutex_unlock(&s->lock);

	if (s->resolver_error) {
		check_result_resolver_error(r);
		return 0;
	}
	/* generic: judged on the verified name only. */
	if (r->iprev == CHECK_PASS)
		r->generic = generic_judge(s->p.generic, s->p.roles,
		    r->names[r->verified].name.safe, &r->ip) ? GENERIC_YES :
		    GENERIC_NO;
	else if (r->iprev == CHECK_TEMPERROR)
		r->generic = GENERIC_TEMPERROR;
	else
		r->generic = GENERIC_NO;
	org_verdict(s, r);
	return 0;
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

void
check_result_clear(struct check_result *r)
{
	free(r->names);
	r->names = NULL;
	r->n_names = 0;
}

const char *
check_result_verified_name(const struct check_result *r)
{
	if (r->verified < 0 || (size_t)r->verified >= r->n_names)
		return NULL;
	return r->names[r->verified].name.safe;
}

const char *
check_result_name_at(const struct check_result *r, int i)
{
	if (r->names == NULL || i < 0 || (size_t)i >= r->n_names)
		return NULL;
	return r->names[i].name.safe;
}

const char *
check_result_first_name(const struct check_result *r)
{
	return r->n_names > 0 ? r->names[0].name.safe : NULL;
}
