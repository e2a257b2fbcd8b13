/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * anscache.c - the resolver's answer cache: one allocation per entry, a
 * byte budget, least recently used entries evicted first.
 *
 * DESCRIPTION
 *	ANSCACHE_SHARDS shards, each a hash table (chained, a power-of-two
 *	number of buckets sized from its share of the budget), a doubly
 *	linked least-recently-used list and a byte count.  An entry holds
 *	its key, its class and DNSSEC status, its expiry and its records
 *	(each a 2-byte length and the rdata) in one block; what it costs the
 *	budget is that block as glibc's allocator rounds it, with its chunk
 *	header.  The index (the bucket arrays) is charged too, so the whole
 *	cache never holds more than the budget.  Blocks are allocated and
 *	freed outside the shard lock.
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anscache.h"
#include "resolver.h"

/* Budget bytes per hash bucket: small answers cost ~100-200 bytes, so
 * chains stay short when the shard is full. */
#define BUCKET_SHARE	256

struct entry {
	struct entry	*hnext;		/* hash chain */
	struct entry	*prev, *next;	/* LRU list, most recent first */
	size_t		 charge;	/* bytes charged to the budget */
	time_t		 expires;	/* CLOCK_MONOTONIC seconds */
	uint32_t	 hash;
	int		 type;
	uint8_t		 result;	/* enum dns_result */
	uint8_t		 dnssec;	/* enum dnssec_status */
	uint16_t	 count;		/* records */
	uint16_t	 keylen;
	uint32_t	 datalen;	/* bytes of the records, lengths incl. */
	unsigned char	 data[];	/* key, NUL, then each record as a
					   2-byte length and its rdata */
};

struct shard {
	pthread_mutex_t	 lock;
	struct entry	**bucket;
	size_t		 nbucket;	/* a power of two */
	struct entry	*head, *tail;	/* LRU list */
	size_t		 used;		/* entries' charges */
	size_t		 room;		/* what entries may use: the shard's
					   budget less its index */
	size_t		 index_bytes;
	size_t		 entries;
};

struct anscache {
	size_t		 budget;
	struct shard	 shard[ANSCACHE_SHARDS];
};

/* What an allocation of size bytes costs with glibc's allocator on a
 * 64-bit system: an 8-byte chunk header, rounded up to 16, at least 32. */
static size_t
alloc_charge(size_t size)
{
	size_t n = (size + 8 + 15) & ~(size_t)15;

	return n < 32 ? 32 : n;
}

static time_t
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* FNV-1a over the key, then the type. */
static uint32_t
entry_hash(const char *key, int type)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return (h ^ (uint32_t)type) * 16777619u;
}

/* The shard takes the top six bits of the hash, the bucket the low ones
 * (at most 18 of them below a 4 GiB budget). */
_Static_assert(ANSCACHE_SHARDS == 64, "shard_of() takes six bits");

static struct shard *
shard_of(struct anscache *c, uint32_t hash)
{
	return &c->shard[hash >> 26];
}

struct anscache *
anscache_new(size_t budget)
{
	struct anscache *c;
	size_t i, share, nb;

	if (budget == 0)
		return NULL;
	if (budget < ANSCACHE_MIN_BYTES)
		budget = ANSCACHE_MIN_BYTES;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->budget = budget;
	share = budget / ANSCACHE_SHARDS;
	for (nb = 4; nb * BUCKET_SHARE < share; nb *= 2)
		;
	while (nb > 1 && nb * sizeof(struct entry *) >= share)
		nb /= 2;
	for (i = 0; i < ANSCACHE_SHARDS; i++) {
		struct shard *sh = &c->shard[i];

		pthread_mutex_init(&sh->lock, NULL);
		sh->nbucket = nb;
		sh->index_bytes = alloc_charge(nb * sizeof *sh->bucket);
		sh->room = share > sh->index_bytes ? share - sh->index_bytes :
		    0;
		if ((sh->bucket = calloc(nb, sizeof *sh->bucket)) == NULL) {
			anscache_free(c);
			return NULL;
		}
	}
	return c;
}

void
anscache_free(struct anscache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < ANSCACHE_SHARDS; i++) {
		struct shard *sh = &c->shard[i];
		struct entry *e, *next;

		for (e = sh->head; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		free(sh->bucket);
		pthread_mutex_destroy(&sh->lock);
	}
	free(c);
}

static const char *
entry_key(const struct entry *e)
{
	return (const char *)e->data;
}

/* The entry for (key, type), or NULL.  sh->lock held. */
static struct entry *
shard_find(struct shard *sh, uint32_t hash, const char *key, int type)
{
	struct entry *e;

	for (e = sh->bucket[hash & (sh->nbucket - 1)]; e != NULL;
	    e = e->hnext)
		if (e->hash == hash && e->type == type &&
		    strcmp(entry_key(e), key) == 0)
			return e;
	return NULL;
}

/* Take e out of the shard (the caller frees it).  sh->lock held. */
static void
shard_unlink(struct shard *sh, struct entry *e)
{
	struct entry **pp = &sh->bucket[e->hash & (sh->nbucket - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		sh->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		sh->tail = e->prev;
	sh->used -= e->charge;
	sh->entries--;
}

/* Put e at the head of the LRU list.  sh->lock held. */
static void
lru_push(struct shard *sh, struct entry *e)
{
	e->prev = NULL;
	e->next = sh->head;
	if (sh->head != NULL)
		sh->head->prev = e;
	sh->head = e;
	if (sh->tail == NULL)
		sh->tail = e;
}

static void
free_chain(struct entry *e)
{
	struct entry *next;

	for (; e != NULL; e = next) {
		next = e->hnext;
		free(e);
	}
}

void
anscache_put(struct anscache *c, const char *key, int type,
    const struct dns_answer *ans, int ttl)
{
	struct shard *sh;
	struct entry *e, *old, *dead = NULL;
	size_t i, keylen, datalen = 0, size, count = 0;
	unsigned char *p;
	uint32_t hash;

	if (c == NULL)
		return;
	switch (ans->result) {
	case DNS_OK:
		if (ans->count == 0 || ans->count > ANSCACHE_RR_MAX)
			return;		/* not what a sane zone sends */
		count = ans->count;
		if (ttl > ANSCACHE_TTL_MAX)
			ttl = ANSCACHE_TTL_MAX;
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		if (ttl > ANSCACHE_NEG_MAX)
			ttl = ANSCACHE_NEG_MAX;
		break;
	default:
		return;		/* temporary or bogus: never kept */
	}
	if (ttl <= 0 || (keylen = strlen(key)) > UINT16_MAX)
		return;
	for (i = 0; i < count; i++) {
		if (ans->rr[i].len > UINT16_MAX)
			return;
		datalen += 2 + ans->rr[i].len;
	}
	size = sizeof *e + keylen + 1 + datalen;
	hash = entry_hash(key, type);
	sh = shard_of(c, hash);
	if (alloc_charge(size) > sh->room)
		return;
	if ((e = malloc(size)) == NULL)
		return;
	memset(e, 0, sizeof *e);
	e->charge = alloc_charge(size);
	e->expires = now_seconds() + ttl;
	e->hash = hash;
	e->type = type;
	e->result = (uint8_t)ans->result;
	e->dnssec = (uint8_t)ans->dnssec;
	e->count = (uint16_t)count;
	e->keylen = (uint16_t)keylen;
	e->datalen = (uint32_t)datalen;
	memcpy(e->data, key, keylen + 1);
	p = e->data + keylen + 1;
	for (i = 0; i < count; i++) {
		uint16_t len = (uint16_t)ans->rr[i].len;

		memcpy(p, &len, 2);
		if (len > 0)
			memcpy(p + 2, ans->rr[i].data, len);
		p += 2 + len;
	}

	pthread_mutex_lock(&sh->lock);
	if ((old = shard_find(sh, hash, key, type)) != NULL) {
		shard_unlink(sh, old);
		old->hnext = dead;
		dead = old;
	}
	while (sh->used + e->charge > sh->room && sh->tail != NULL) {
		old = sh->tail;
		shard_unlink(sh, old);
		old->hnext = dead;
		dead = old;
	}
	e->hnext = sh->bucket[hash & (sh->nbucket - 1)];
	sh->bucket[hash & (sh->nbucket - 1)] = e;
	lru_push(sh, e);
	sh->used += e->charge;
	sh->entries++;
	pthread_mutex_unlock(&sh->lock);
	free_chain(dead);
}

/* A dns_answer (one block) from e.  sh->lock held. */
static struct dns_answer *
entry_answer(const struct entry *e)
{
	struct dns_answer *ans;
	const unsigned char *p = e->data + e->keylen + 1;
	uint8_t *data;
	size_t i;

	ans = dns_answer_new_packed((enum dns_result)e->result,
	    (enum dnssec_status)e->dnssec, e->count, e->datalen, &data);
	if (ans == NULL)
		return NULL;
	for (i = 0; i < e->count; i++) {
		uint16_t len;

		memcpy(&len, p, 2);
		memcpy(data, p + 2, len);
		ans->rr[i].data = data;
		ans->rr[i].len = len;
		data += len;
		p += 2 + len;
	}
	return ans;
}

/* The live entry for (key, type), or NULL; an expired one is taken out
 * and put on *dead.  sh->lock held. */
static struct entry *
live_entry(struct shard *sh, uint32_t hash, const char *key, int type,
    time_t now, struct entry **dead)
{
	struct entry *e = shard_find(sh, hash, key, type);

	if (e != NULL && e->expires <= now) {
		shard_unlink(sh, e);
		e->hnext = *dead;
		*dead = e;
		return NULL;
	}
	return e;
}

struct dns_answer *
anscache_get(struct anscache *c, const char *key, int type)
{
	struct shard *sh;
	struct entry *e, *dead = NULL;
	struct dns_answer *copy = NULL;
	uint32_t hash;

	if (c == NULL)
		return NULL;
	hash = entry_hash(key, type);
	sh = shard_of(c, hash);
	pthread_mutex_lock(&sh->lock);
	if ((e = live_entry(sh, hash, key, type, now_seconds(), &dead)) !=
	    NULL) {
		if (sh->head != e) {
			/* Most recently used: to the head. */
			e->prev->next = e->next;
			if (e->next != NULL)
				e->next->prev = e->prev;
			else
				sh->tail = e->prev;
			lru_push(sh, e);
		}
		copy = entry_answer(e);
	}
	pthread_mutex_unlock(&sh->lock);
	free_chain(dead);
	return copy;
}

int
anscache_ttl(struct anscache *c, const char *key, int type)
{
	struct shard *sh;
	struct entry *e, *dead = NULL;
	time_t now = now_seconds();
	uint32_t hash;
	int ttl = -1;

	if (c == NULL)
		return -1;
	hash = entry_hash(key, type);
	sh = shard_of(c, hash);
	pthread_mutex_lock(&sh->lock);
	if ((e = live_entry(sh, hash, key, type, now, &dead)) != NULL)
		ttl = (int)(e->expires - now);
	pthread_mutex_unlock(&sh->lock);
	free_chain(dead);
	return ttl;
}

size_t
anscache_bytes(struct anscache *c)
{
	size_t i, n = 0;

	if (c == NULL)
		return 0;
	for (i = 0; i < ANSCACHE_SHARDS; i++) {
		pthread_mutex_lock(&c->shard[i].lock);
		n += c->shard[i].index_bytes + c->shard[i].used;
		pthread_mutex_unlock(&c->shard[i].lock);
	}
	return n;
}

size_t
anscache_entries(struct anscache *c)
{
	size_t i, n = 0;

	if (c == NULL)
		return 0;
	for (i = 0; i < ANSCACHE_SHARDS; i++) {
		pthread_mutex_lock(&c->shard[i].lock);
		n += c->shard[i].entries;
		pthread_mutex_unlock(&c->shard[i].lock);
	}
	return n;
}

size_t
anscache_budget(const struct anscache *c)
{
	return c != NULL ? c->budget : 0;
}
