/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * anscache.h - the resolver's answer cache, bounded in bytes.
 *
 * DESCRIPTION
 *	Keeps what the checks use of a DNS answer (its class, DNSSEC status
 *	and records) for its TTL, so that a warm session costs no thread
 *	hop.  Every entry is one allocation, charged to a byte budget
 *	(AnswerCacheSize, rdns-milter.conf(5)) together with the hash index;
 *	when a new entry does not fit, the least recently used ones go.
 *	Answers with more than ANSCACHE_RR_MAX records (only a hostile or
 *	broken zone sends them: a wildcard with thousands of A records, a
 *	PTR set of hundreds of names) are never kept: libunbound's own
 *	cache, bounded by its msg-cache-size and rrset-cache-size, still
 *	holds them.  Positive answers are kept for at most an hour,
 *	NXDOMAIN and NODATA for at most five minutes; temporary failures
 *	and bogus answers never.
 *
 *	The budget is split over ANSCACHE_SHARDS shards, each with its own
 *	lock, index and least-recently-used list; so is what it holds.
 *
 * OWNERSHIP
 *	anscache_new() / anscache_free() (NULL is a no-op).  A put copies
 *	what it keeps; a get returns a copy the caller frees with
 *	dns_answer_free().
 *
 * THREAD SAFETY
 *	Every function but anscache_free() may be called from any thread.
 */
#ifndef RDNS_ANSCACHE_H
#define RDNS_ANSCACHE_H

#include <stddef.h>

#include "resolver.h"

/* Records of an answer the cache keeps at most; larger answers are not
 * cached at all. */
#define ANSCACHE_RR_MAX		16
/* Lock stripes; the budget is split evenly over them. */
#define ANSCACHE_SHARDS		64
/* The smallest budget that is not "off": each shard then still holds a
 * few small answers. */
#define ANSCACHE_MIN_BYTES	(64 * 1024)
#define ANSCACHE_TTL_MAX	3600	/* seconds, positive answers */
#define ANSCACHE_NEG_MAX	300	/* seconds, NXDOMAIN and NODATA */

struct anscache;

/**
 * A cache of at most budget bytes (entries, their allocator overhead and
 * the index); a budget below ANSCACHE_MIN_BYTES is raised to it.
 * @return the cache, or NULL if budget is 0 (no cache) or out of memory.
 */
struct anscache *anscache_new(size_t budget);

/** Free the cache and everything in it.  NULL is a no-op. */
void anscache_free(struct anscache *c);

/**
 * Keep what the checks use of ans under (key, type) for ttl seconds
 * (capped as above).  key is a normalised query name (lower case, no
 * trailing dot).  An answer that is not cacheable, or does not fit, is
 * simply not kept.  NULL c is a no-op.
 */
void anscache_put(struct anscache *c, const char *key, int type,
    const struct dns_answer *ans, int ttl);

/** A copy of the live entry for (key, type), or NULL (also for NULL c).
 * The entry becomes the most recently used. */
struct dns_answer *anscache_get(struct anscache *c, const char *key,
    int type);

/** Seconds the entry for (key, type) has left, or -1 if none. */
int anscache_ttl(struct anscache *c, const char *key, int type);

/** Bytes charged to the budget now (never more than the budget). */
size_t anscache_bytes(struct anscache *c);

/** Entries held now. */
size_t anscache_entries(struct anscache *c);

/** The budget given to anscache_new(). */
size_t anscache_budget(const struct anscache *c);

#endif
