/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit.h - check many addresses with a bounded window of check sessions
 * (rdns-check's address ranges, lists and domains, SPEC 5).
 *
 * DESCRIPTION
 *	An audit takes addresses from a source callback one at a time, keeps
 *	at most `parallel` check sessions (checks.h) looking up at once, and
 *	hands each verdict to an emit callback in the order the source gave
 *	the addresses.  A session that finished early waits in a fixed ring
 *	of `hold` entries until those before it are out (the reorder
 *	buffer), so memory depends on parallel and hold, never on how many
 *	addresses there are.  When the oldest entry is slow (a black-holed
 *	reverse zone), the ring fills and new lookups wait for it: at worst
 *	one DNS timeout per `hold` addresses.
 *
 *	One thread drives everything, with no thread per session: sessions
 *	report through check_params.on_decided, and the driver sleeps on one
 *	condition variable until a session is decided or the oldest
 *	session's deadline passes (every session gets the same timeout, so
 *	the oldest one's deadline comes first).
 *
 *	audit_lookup() is the small synchronous helper for the few lookups
 *	that come before an audit (a domain's SPF and MX records): a batch of
 *	lookups in parallel, with one deadline.
 *
 * OWNERSHIP
 *	audit_new() / audit_free(); the audit owns its sessions and frees
 *	them after their verdict is emitted (or in audit_free()).  Items are
 *	copied in; the callbacks' pointers are valid only during the call.
 *
 * THREAD SAFETY
 *	One audit is driven by one thread.  The callbacks run in that
 *	thread.  The resolver delivers answers in its own thread; the
 *	audit's lock joins the two (lock order: a session's lock, then the
 *	audit's; the driver never holds the audit's lock while it calls into
 *	a session).
 */
#ifndef RDNS_AUDIT_H
#define RDNS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "dname.h"
#include "resolver.h"

/* Sessions looking up at once at most (-P): each one asks for up to
 * MaxPTRNames + 2 lookups, and libunbound queues 2048 per context. */
#define AUDIT_PARALLEL_MAX	512
/* The default ring: this many entries per running session. */
#define AUDIT_HOLD_FACTOR	4

/** One address to check, as the source gives it. */
struct audit_item {
	struct rdns_ip	 ip;
	bool		 have_helo;
	char		 helo[CHECK_VALUE_MAX + 1];	/* when have_helo */
	uint64_t	 seq;		/* set by the audit: 0, 1, 2, ... */
	unsigned long	 line;		/* the caller's (a file's line) */
	const void	*ctx;		/* the caller's */
};

/**
 * The source: fill *item (ip, and helo if any; line and ctx as the caller
 * likes).  @return 1 for an item, 0 at the end, -1 to stop (the caller
 * has reported why).
 */
typedef int audit_next_fn(void *arg, struct audit_item *item);

/** A verdict, in source order.  r->ip is item->ip. */
typedef void audit_emit_fn(void *arg, const struct audit_item *item,
    const struct check_result *r);

struct audit_params {
	struct check_params check;	/* resolver, limits, rules; the
					   audit sets on_decided itself */
	double		 timeout;	/* seconds for each address */
	size_t		 parallel;	/* sessions looking up at once,
					   1..AUDIT_PARALLEL_MAX */
	size_t		 hold;		/* ring entries, >= parallel (0:
					   AUDIT_HOLD_FACTOR * parallel) */
	audit_next_fn	*next;
	audit_emit_fn	*emit;
	void		*arg;		/* for next and emit */
};

struct audit_stats {
	uint64_t	 started;	/* items taken from the source */
	uint64_t	 emitted;	/* verdicts handed to emit */
	uint64_t	 no_session;	/* out of memory for a session: its
					   verdict is a resolver error */
	size_t		 max_running;	/* most sessions looking up at once */
	size_t		 max_held;	/* most ring entries in use at once */
};

struct audit;

/** @return a new audit, or NULL if out of memory or p is invalid. */
struct audit *audit_new(const struct audit_params *p);

/**
 * One round: emit what is ready at the head, start sessions while the
 * window allows; if neither happened and block is true, sleep until a
 * session is decided or the oldest deadline passes.
 * @return 1 while there is more to do, 0 when the source is exhausted and
 *	everything was emitted, -1 when everything started was emitted
 *	after the source said stop.
 */
int audit_step(struct audit *a, bool block);

/** audit_step(a, true) until the end.  @return 0, or -1 if the source
 * said stop (everything started before that was emitted). */
int audit_run(struct audit *a);

/** Counters so far. */
void audit_get_stats(const struct audit *a, struct audit_stats *st);

/** Cancel and free what is left.  NULL is a no-op. */
void audit_free(struct audit *a);

/**
 * Look up the n (names[i], types[i]) pairs in parallel and wait for every
 * answer, at most timeout seconds; a lookup unanswered by then is
 * cancelled and answered DNS_TIMEOUT.  out[i] receives each answer (the
 * caller frees them with dns_answer_free()); an answer that could not be
 * had (out of memory, the lookup could not start) is DNS_SERVFAIL.
 * @return 0, or -1 if out of memory (out[] is then all NULL).
 */
int audit_lookup(const struct resolver_ops *ops, void *res,
    const char *const *names, const int *types, size_t n, double timeout,
    struct dns_answer **out);

#endif
