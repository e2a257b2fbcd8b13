/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checks_int.h - the check engine's session, shared by checks.c (lookups
 * and their answers) and checks_verdict.c (the verdicts computed from
 * them); not for other modules.
 *
 * DESCRIPTION
 *	struct check_session holds one connection's lookups: the PTR lookup
 *	and its names, one forward-lookup slot per distinct name (PTR names
 *	and the HELO share slots), the HELO, the deadline and the queries
 *	still out.  checks.c fills it as answers arrive; checks_verdict.c
 *	reads it to compute struct check_result.
 *
 * OWNERSHIP
 *	check_session_new() allocates the session with one reference, its
 *	owner's; each query out holds one more (refs).  check_session_free()
 *	marks it closed and cancels what it can; the last reference frees
 *	it, with its names, slots and queries.  A struct query belongs to
 *	its session; a slot's q points at it (NULL if none went out).
 *
 * THREAD SAFETY
 *	Every field after lock and cond is read and written with lock held:
 *	by the owner's thread (one connection's callbacks, one at a time)
 *	and by the resolver's delivery thread (answers).  cond is signalled
 *	when checks_decided() may have become true.  p and ip are set before
 *	the first lookup goes out and not changed after.
 */
#ifndef RDNS_CHECKS_INT_H
#define RDNS_CHECKS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "checks.h"
#include "dname.h"
#include "resolver.h"

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
	struct query	*q;		/* its lookup, NULL if none went out
					   (a cache hit, too late, failed) */
	bool		 superseded;	/* a former HELO's, given up: never
					   shared again */
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
	unsigned	 helo_lookups;	/* HELO lookups started (at most
					   CHECK_HELO_LOOKUPS_MAX) */
	bool		 helo_cap_logged;

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

/** Is everything the verdicts need known?  Called with s->lock held. */
bool checks_decided(const struct check_session *s);

#endif
