/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.h - asynchronous, validating DNS lookups (libunbound).
 *
 * DESCRIPTION
 *	A resolver wraps one or more libunbound contexts ("shards",
 *	resolver_options.threads; ResolverThreads), each in threaded
 *	asynchronous mode (ub_ctx_async(ctx, 1)) with its own worker thread;
 *	a query name always goes to the same shard (hashed), so the shards'
 *	caches do not overlap.  Each context is configured completely and
 *	proven by one synchronous lookup in resolver_new().  One delivery
 *	thread, owned by the resolver, polls every shard's ub_fd() and calls
 *	ub_process(); every answer callback runs in that thread, so callbacks
 *	must be short and must never block.  Any thread may submit or cancel
 *	lookups.  An answer cache (anscache.h), bounded in bytes, sits in
 *	front of the shards.  The daemon keeps one resolver per runtime
 *	snapshot (runtime.h): a reload that changes a resolver key builds a
 *	new one.
 *
 *	Each answer is classified into exactly one DNS_* class and carries
 *	its DNSSEC status.  A bogus answer is never data: it is DNS_BOGUS
 *	with no records.
 *
 *	The check engine does not call these functions directly but through
 *	struct resolver_ops, so unit tests can substitute a fake resolver.
 *
 * OWNERSHIP
 *	resolver_new() / resolver_free().  A struct dns_answer passed to a
 *	callback belongs to the callback, which frees it with
 *	dns_answer_free(); so does the copy resolver_cached() returns.
 *	libunbound's ub_result is freed inside this module on every path.
 *
 * THREAD SAFETY
 *	resolver_submit(), resolver_cancel(), resolver_cached() and the
 *	counters (resolver_pending(), resolver_cache_*()) are thread-safe.
 *	resolver_new() runs in one thread at a time (libunbound's
 *	process-wide set-up is not thread-safe); resolver_free() must not
 *	race with any other call on the same resolver.  Callbacks run in the
 *	delivery thread, with no libunbound lock held.
 */
#ifndef RDNS_RESOLVER_H
#define RDNS_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_TYPE_A	1
#define DNS_TYPE_PTR	12
#define DNS_TYPE_MX	15	/* rdata: preference (2 bytes), wire name */
#define DNS_TYPE_TXT	16	/* rdata: one or more <length><bytes> */
#define DNS_TYPE_AAAA	28

/** Outcome class of one lookup. */
enum dns_result {
	DNS_OK = 0,	/* rcode NOERROR with data of the asked type */
	DNS_NODATA,	/* NOERROR, no data of that type */
	DNS_NXDOMAIN,	/* the name does not exist */
	DNS_SERVFAIL,	/* SERVFAIL, REFUSED, other rcodes, library error */
	DNS_TIMEOUT,	/* no answer before the deadline (set by callers) */
	DNS_BOGUS,	/* DNSSEC validation failed */
};

/** DNSSEC status, ordered weakest first so MIN() gives the weakest. */
enum dnssec_status {
	DNSSEC_BOGUS = 0,
	DNSSEC_INSECURE,
	DNSSEC_SECURE,
};

struct dns_rr {
	uint8_t	*data;		/* rdata, uncompressed wire format */
	size_t	 len;
};

struct dns_answer {
	enum dns_result		 result;
	enum dnssec_status	 dnssec;
	int			 rcode;		/* DNS rcode, -1 if none */
	size_t			 count;		/* records in rr */
	struct dns_rr		*rr;		/* in answer order */
	char			*why_bogus;	/* unbound's reason, or NULL */
	bool			 packed;	/* rr and the rdata live in the
						   answer's own block (see
						   dns_answer_new_packed()) */
};

/* The answer cache's default byte budget (AnswerCacheSize). */
#define RESOLVER_CACHE_DEFAULT	(16 * 1024 * 1024)

/** Answer callback: runs in the resolver thread; owns ans. */
typedef void resolver_cb(void *arg, struct dns_answer *ans);

struct resolver_options {
	char	*const *trust_anchor_files;	/* ub_ctx_add_ta_file each */
	size_t	 n_trust_anchor_files;
	const char *resolver_config;		/* ub_ctx_config, or NULL */
	char	*const *nameservers;		/* ub_ctx_set_fwd each, or none */
	size_t	 n_nameservers;
	unsigned threads;	/* libunbound contexts (each one worker
				 * thread); 0: one per CPU, at most 8 */
	size_t	 cache_bytes;	/* the answer cache's byte budget
				 * (anscache.h); 0: no cache */
};

struct resolver;

/**
 * Create and fully configure the contexts, prove each one by a synchronous
 * lookup that its local zones answer (this reads the trust anchors and
 * every file a ResolverConfig names), then start the delivery thread.
 * Call it from one thread at a time: libunbound's process-wide set-up is
 * not thread-safe.  The caller must have blocked the signals its own
 * signal thread handles before calling this (threads inherit the mask).
 * @return the resolver, or NULL with a reason in err[errlen].
 */
struct resolver *resolver_new(const struct resolver_options *opt, char *err,
    size_t errlen);

/** Stop the delivery thread, cancel everything, free.  NULL is a no-op.
 * Callbacks of lookups still pending are not called. */
void resolver_free(struct resolver *res);

/**
 * Start a lookup of (name, type, class IN).  cb(arg, answer) will run
 * exactly once in the resolver thread unless resolver_cancel() succeeds.
 * *handle identifies the lookup for resolver_cancel(); it is set before
 * the lookup starts (so before cb can run) and stays valid until the
 * callback has returned or resolver_cancel() has returned 0.  Do not
 * cancel before this function has returned.
 * @return 0, or -1 (cb will not run; *handle is NULL).
 */
int resolver_submit(struct resolver *res, const char *name, int type,
    resolver_cb *cb, void *arg, void **handle);

/**
 * Cancel a lookup.  The caller must know (under its own lock, which its
 * callback also takes) that the callback has not completed.
 * @return 0 if cancelled (its callback will not run), -1 if its callback
 *	is running or about to run.
 */
int resolver_cancel(struct resolver *res, void *handle);

/**
 * A copy of a still-valid cached answer for (name, type), or NULL.
 * Positive answers and NXDOMAIN/NODATA are kept for their TTL (at most an
 * hour; negative ones at most five minutes) in a cache bounded in bytes
 * (resolver_options.cache_bytes, anscache.h), answers of more than
 * ANSCACHE_RR_MAX records never; temporary failures and bogus answers are
 * never kept.  A hit costs no thread hop, which is what a warm session
 * mostly asks.  The caller owns the copy (dns_answer_free()).
 */
struct dns_answer *resolver_cached(struct resolver *res, const char *name,
    int type);

/** Seconds a cached answer for (name, type) has left, or -1 if none (for
 * tests and diagnostics). */
int resolver_cache_ttl(struct resolver *res, const char *name, int type);

/** Bytes the answer cache holds now, index included (never more than its
 * budget), and its entries (for tests and diagnostics). */
size_t resolver_cache_bytes(struct resolver *res);
size_t resolver_cache_entries(struct resolver *res);

/** Number of lookups submitted and not yet delivered or cancelled. */
size_t resolver_pending(struct resolver *res);

/** Free an answer (NULL is a no-op). */
void dns_answer_free(struct dns_answer *ans);

/** Allocate an empty answer of the given class (for fakes and for
 * timeouts).  @return NULL if out of memory. */
struct dns_answer *dns_answer_new(enum dns_result result,
    enum dnssec_status dnssec);

/**
 * Allocate an answer with count records in one block: rr has count
 * entries (count is set; each rr[i] is for the caller to fill) and *data
 * points to datalen bytes in the same block for their rdata.  One malloc
 * however many records (an answer may hold thousands); dns_answer_free()
 * frees it.  @return NULL if out of memory.
 */
struct dns_answer *dns_answer_new_packed(enum dns_result result,
    enum dnssec_status dnssec, size_t count, size_t datalen,
    uint8_t **data);

/** "secure", "insecure" or "bogus". */
const char *dnssec_status_str(enum dnssec_status s);

/** "ok", "nodata", "nxdomain", "servfail", "timeout", "bogus". */
const char *dns_result_str(enum dns_result r);

/** The seam used by the check engine. */
struct resolver_ops {
	int	(*submit)(void *res, const char *name, int type,
		    resolver_cb *cb, void *arg, void **handle);
	int	(*cancel)(void *res, void *handle);
	/* Optional (NULL: no cache): see resolver_cached(). */
	struct dns_answer *(*cached)(void *res, const char *name, int type);
};

/** resolver_submit / resolver_cancel on a struct resolver. */
extern const struct resolver_ops resolver_unbound_ops;

#endif
