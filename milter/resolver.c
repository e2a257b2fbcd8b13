/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.c - libunbound in threaded asynchronous mode, one delivery thread.
 *
 * DESCRIPTION
 *	The only file that includes <unbound.h>.  resolver_new() creates one
 *	or more libunbound contexts ("shards"), configures each completely
 *	(trust anchors, unbound.conf, forwarders), finalizes it with one
 *	synchronous lookup that proves it works (resolver_prove()), and
 *	starts one delivery thread
 *	that waits on every shard's ub_fd() and a wake-up pipe and calls
 *	ub_process().
 *
 *	Shards: a libunbound context in threaded mode has one worker thread,
 *	which sends, receives and DNSSEC-validates every query of that
 *	context.  Validation is CPU work (an ECDSA P-256 check costs about
 *	0.3 ms with Debian's nettle build), so with one context a burst of
 *	new clients queues behind one CPU.  Each query name is hashed to one
 *	shard, so a name always meets the same libunbound cache and the
 *	shards' caches do not overlap; only the zones' keys are fetched and
 *	validated once per shard.  libunbound runs each callback in the thread
 *	that calls ub_process(), with none of its locks held (see
 *	process_answer() in libunbound.c), so our callbacks may take the
 *	session locks and submit further lookups.
 *
 *	Answers: each is copied out of libunbound's ub_result into one
 *	block (dns_answer_new_packed()), whatever its number of records, and
 *	the answer cache (anscache.c) keeps what the checks use of it, within
 *	a byte budget.
 *
 *	Cancellation: in threaded mode ub_cancel() marks the query cancelled
 *	under the context lock, and the answer processor looks the query up
 *	under the same lock, so either ub_cancel() succeeds and the callback
 *	is never called, or it fails (UB_NOID) because the callback was taken
 *	and is being or will be called.  resolver_cancel() reports exactly
 *	that.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "anscache.h"
#include "log.h"
#include "resolver.h"
#include "strbuf.h"

/* A name in text: 253 characters plus a trailing dot and NUL
 * (RFC 1035 2.3.4); longer query names are simply not cached. */
#define DNS_CACHE_KEY_MAX	256

/* DNS rcodes (RFC 1035 4.1.1). */
#define RCODE_NOERROR	0
#define RCODE_SERVFAIL	2
#define RCODE_NXDOMAIN	3

#define SHARDS_MAX	16	/* contexts; each has a worker thread */
#define SHARDS_AUTO_MAX	8	/* the default: one per CPU, at most this */

struct resolver {
	struct ub_ctx	*ctx[SHARDS_MAX];
	size_t		 n_ctx;
	struct anscache	*cache;		/* NULL: no cache */
	pthread_t	 thread;
	bool		 thread_started;
	int		 wake[2];	/* write a byte to stop the thread */
	atomic_bool	 stop;
	atomic_size_t	 pending;
};

/* The query name as a cache key: lower case, one trailing dot removed.
 * @return 0, or -1 if it does not fit (such a name is not cached). */
static int
cache_key(const char *name, char *key, size_t len)
{
	size_t n = strlen(name), i;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n >= len)
		return -1;
	for (i = 0; i < n; i++)
		key[i] = ascii_lower(name[i]);
	key[n] = '\0';
	return 0;
}

/* FNV-1a over a cache key: which shard (libunbound context) a name goes
 * to. */
static uint32_t
key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

struct dns_answer *
resolver_cached(struct resolver *res, const char *name, int type)
{
	char key[DNS_CACHE_KEY_MAX];

	if (res->cache == NULL || cache_key(name, key, sizeof key) == -1)
		return NULL;
	return anscache_get(res->cache, key, type);
}

int
resolver_cache_ttl(struct resolver *res, const char *name, int type)
{
	char key[DNS_CACHE_KEY_MAX];

	if (res->cache == NULL || cache_key(name, key, sizeof key) == -1)
		return -1;
	return anscache_ttl(res->cache, key, type);
}

size_t
resolver_cache_bytes(struct resolver *res)
{
	return anscache_bytes(res->cache);
}

size_t
resolver_cache_entries(struct resolver *res)
{
	return anscache_entries(res->cache);
}

/* Lifecycle of one lookup; see resolver_cancel(). */
enum query_state {
	QUERY_PENDING = 0,
	QUERY_DELIVERING,	/* the callback won: it will run */
	QUERY_CANCELLED,	/* the canceller won: it will not */
};

/* One submitted lookup (the caller's handle).  Freed by resolver_ub_cb()
 * after the caller's callback returned, or by whoever sees it last after a
 * cancellation. */
struct resolver_query {
	struct resolver	*res;
	struct ub_ctx	*ctx;		/* the shard it went to */
	resolver_cb	*cb;
	void		*arg;
	int		 ub_id;
	atomic_int	 state;
	int		 type;
	bool		 cacheable;	/* key holds the whole name */
	char		 key[DNS_CACHE_KEY_MAX];	/* cache_key(name) */
};

const char *
dnssec_status_str(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE:
		return "secure";
	case DNSSEC_INSECURE:
		return "insecure";
	case DNSSEC_BOGUS:
		return "bogus";
	}
	return "insecure";
}

const char *
dns_result_str(enum dns_result r)
{
	switch (r) {
	case DNS_OK:
		return "ok";
	case DNS_NODATA:
		return "nodata";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_SERVFAIL:
		return "servfail";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_BOGUS:
		return "bogus";
	}
	return "servfail";
}

struct dns_answer *
dns_answer_new(enum dns_result result, enum dnssec_status dnssec)
{
	struct dns_answer *ans;

	if ((ans = calloc(1, sizeof *ans)) == NULL)
		return NULL;
	ans->result = result;
	ans->dnssec = dnssec;
	ans->rcode = -1;
	return ans;
}

struct dns_answer *
dns_answer_new_packed(enum dns_result result, enum dnssec_status dnssec,
    size_t count, size_t datalen, uint8_t **data)
{
	struct dns_answer *ans;
	size_t head = sizeof *ans;

	/* rr right after the answer (struct dns_answer's size keeps it
	 * aligned), the rdata after rr. */
	_Static_assert(sizeof(struct dns_answer) %
	    _Alignof(struct dns_rr) == 0, "rr would be misaligned");
	if (count > (SIZE_MAX - head - datalen) / sizeof *ans->rr)
		return NULL;
	if ((ans = calloc(1, head + count * sizeof *ans->rr + datalen)) ==
	    NULL)
		return NULL;
	ans->result = result;
	ans->dnssec = dnssec;
	ans->rcode = -1;
	ans->packed = true;
	ans->count = count;
	ans->rr = count > 0 ? (struct dns_rr *)(ans + 1) : NULL;
	*data = (uint8_t *)(ans + 1) + count * sizeof *ans->rr;
	return ans;
}

void
dns_answer_free(struct dns_answer *ans)
{
	size_t i;

	if (ans == NULL)
		return;
	if (!ans->packed) {
		for (i = 0; i < ans->count; i++)
			free(ans->rr[i].data);
		free(ans->rr);
	}
	free(ans->why_bogus);
	free(ans);
}

/*
 * Turn a ub_result into a dns_answer (copying what we keep: the class,
 * the DNSSEC status and the records, in one block).  A bogus answer is
 * never data.  @return NULL if out of memory.
 */
static struct dns_answer *
answer_from_ub(int err, const struct ub_result *r)
{
	struct dns_answer *ans;
	enum dns_result result;
	enum dnssec_status sec;
	size_t i, n = 0, total = 0;
	uint8_t *data;

	if (err != 0 || r == NULL)
		return dns_answer_new(DNS_SERVFAIL, DNSSEC_INSECURE);
	if (r->bogus) {
		if ((ans = dns_answer_new(DNS_BOGUS, DNSSEC_BOGUS)) == NULL)
			return NULL;
		ans->rcode = r->rcode;
		if (r->why_bogus != NULL)
			ans->why_bogus = strdup(r->why_bogus);
		return ans;
	}
	sec = r->secure ? DNSSEC_SECURE : DNSSEC_INSECURE;
	switch (r->rcode) {
	case RCODE_NOERROR:
		result = r->havedata ? DNS_OK : DNS_NODATA;
		break;
	case RCODE_NXDOMAIN:
		result = DNS_NXDOMAIN;
		break;
	default:
		/* SERVFAIL, REFUSED, FORMERR, ...: temporary for us. */
		result = DNS_SERVFAIL;
		break;
	}
	if (result == DNS_OK) {
		for (n = 0; r->data != NULL && r->data[n] != NULL; n++)
			total += r->len[n] > 0 ? (size_t)r->len[n] : 0;
		if (n == 0)
			result = DNS_NODATA;
	}
	if ((ans = dns_answer_new_packed(result, sec, n, total, &data)) ==
	    NULL)
		return NULL;
	ans->rcode = r->rcode;
	for (i = 0; i < n; i++) {
		size_t len = r->len[i] > 0 ? (size_t)r->len[i] : 0;

		memcpy(data, r->data[i], len);
		ans->rr[i].data = data;
		ans->rr[i].len = len;
		data += len;
	}
	return ans;
}

/* libunbound's callback: runs in the delivery thread, no unbound locks
 * held.  Frees the ub_result on every path. */
static void
resolver_ub_cb(void *arg, int err, struct ub_result *result)
{
	struct resolver_query *q = arg;
	struct dns_answer *ans;
	int expect = QUERY_PENDING;

	if (!atomic_compare_exchange_strong(&q->state, &expect,
	    QUERY_DELIVERING)) {
		/* Cancelled, but ub_cancel() came too late to stop this
		 * call: the query is ours to free. */
		if (result != NULL)
			ub_resolve_free(result);
		free(q);
		return;
	}
	ans = answer_from_ub(err, result);
	if (ans != NULL && err == 0 && result != NULL && q->cacheable)
		anscache_put(q->res->cache, q->key, q->type, ans,
		    result->ttl);
	if (result != NULL)
		ub_resolve_free(result);
	atomic_fetch_sub(&q->res->pending, 1);
	if (ans == NULL) {
		log_msg(LOG_ERR, "resolver: out of memory decoding an answer");
		ans = dns_answer_new(DNS_SERVFAIL, DNSSEC_INSECURE);
	}
	/* If even that failed, the caller never hears back and its deadline
	 * turns the lookup into a timeout. */
	if (ans != NULL)
		q->cb(q->arg, ans);
	free(q);
}

static void *
resolver_thread(void *arg)
{
	struct resolver *res = arg;
	struct pollfd pfd[SHARDS_MAX + 1];
	size_t i, n = res->n_ctx;

	for (i = 0; i < n; i++) {
		pfd[i].fd = ub_fd(res->ctx[i]);
		pfd[i].events = POLLIN;
	}
	pfd[n].fd = res->wake[0];
	pfd[n].events = POLLIN;
	while (!atomic_load(&res->stop)) {
		if (poll(pfd, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "resolver: poll: %s", strerror(errno));
			break;
		}
		if (pfd[n].revents != 0)
			break;
		for (i = 0; i < n; i++) {
			int rc;

			if (pfd[i].revents == 0)
				continue;
			if ((rc = ub_process(res->ctx[i])) != 0)
				log_msg(LOG_ERR, "resolver: ub_process: %s",
				    ub_strerror(rc));
		}
	}
	return NULL;
}

/* Can we open file for reading?  @return 0, or -1 with "WHAT FILE: cannot
 * read: reason" in err. */
static int
readable(const char *file, char *err, size_t errlen, const char *what)
{
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s %s: cannot read: %s", what, file,
		    strerror(errno));
		return -1;
	}
	(void)close(fd);
	return 0;
}

/*
 * Finalize ctx and make it answer once, from the calling thread: a
 * synchronous lookup of "localhost." that libunbound's own default local
 * zone answers without sending a packet.  Finalizing reads the trust
 * anchors and every file a ResolverConfig names (auto-trust-anchor-file,
 * root-hints, ...) and sets up the validator; libunbound reports a
 * problem with any of them only here, not when the options are set.
 * Doing it before the first asynchronous lookup also keeps libunbound's
 * process-wide set-up out of the libmilter worker threads, where it
 * would run in several threads at once.
 */
static int
resolver_prove(struct ub_ctx *ctx, const struct resolver_options *opt,
    char *err, size_t errlen)
{
	struct ub_result *r = NULL;
	int rc;

	if ((rc = ub_resolve(ctx, "localhost.", DNS_TYPE_A, 1, &r)) != 0) {
		if (opt->resolver_config != NULL)
			snprintf(err, errlen, "ResolverConfig %s: the resolver "
			    "cannot start: %s (a file it names is missing or "
			    "unreadable, or an option is invalid)",
			    opt->resolver_config, ub_strerror(rc));
		else
			snprintf(err, errlen, "the resolver cannot start: %s "
			    "(check TrustAnchorFile and Nameservers)",
			    ub_strerror(rc));
		return -1;
	}
	ub_resolve_free(r);
	return 0;
}

static int
resolver_setup(struct ub_ctx *ctx, const struct resolver_options *opt,
    char *err, size_t errlen)
{
	size_t i;
	int rc;

	/* Quiet: our own log reports what matters. */
	(void)ub_ctx_debuglevel(ctx, 0);
	if ((rc = ub_ctx_async(ctx, 1)) != 0) {
		snprintf(err, errlen, "ub_ctx_async: %s", ub_strerror(rc));
		return -1;
	}
	/*
	 * libunbound's defaults suit one client process, not a server:
	 * outgoing-range 16 allows 16 queries in flight, 16 / RTT queries
	 * a second (160/s at 100 ms: 1,000 new clients at once wait for
	 * ports past DNSTimeout).  num-queries-per-thread goes with it
	 * (unbound.conf(5): half of outgoing-range).  Set them first, so
	 * that a ResolverConfig file can still override them.  They are per
	 * shard, and sockets are only opened for queries in flight.
	 * outgoing-num-tcp likewise: its default of 10 TCP connections
	 * makes every answer that needs TCP (truncated over UDP: large PTR
	 * or address sets) fail at once while 10 others are open
	 * (bench/attack.sh saw it under load).
	 */
	{
		static const char *const tune[][2] = {
			{ "outgoing-range:", "4096" },
			{ "num-queries-per-thread:", "2048" },
			{ "outgoing-num-tcp:", "256" },
		};
		size_t t;

		for (t = 0; t < sizeof tune / sizeof tune[0]; t++)
			if ((rc = ub_ctx_set_option(ctx, tune[t][0],
			    tune[t][1])) != 0) {
				snprintf(err, errlen, "%s %s: %s", tune[t][0],
				    tune[t][1], ub_strerror(rc));
				return -1;
			}
	}
	if (opt->resolver_config != NULL) {
		if (readable(opt->resolver_config, err, errlen,
		    "ResolverConfig") == -1)
			return -1;
		if ((rc = ub_ctx_config(ctx, opt->resolver_config)) != 0) {
			snprintf(err, errlen, "ResolverConfig %s: %s",
			    opt->resolver_config, rc == UB_READFILE ?
			    strerror(errno) : ub_strerror(rc));
			return -1;
		}
	}
	for (i = 0; i < opt->n_trust_anchor_files; i++) {
		const char *f = opt->trust_anchor_files[i];

		/* libunbound only records the name here and reads the file
		 * when the context is finalized; read it now for a clear
		 * message. */
		if (readable(f, err, errlen, "TrustAnchorFile") == -1)
			return -1;
		if ((rc = ub_ctx_add_ta_file(ctx, f)) != 0) {
			snprintf(err, errlen, "TrustAnchorFile %s: %s", f,
			    rc == UB_READFILE ? strerror(errno) :
			    ub_strerror(rc));
			return -1;
		}
	}
	for (i = 0; i < opt->n_nameservers; i++) {
		const char *ns = opt->nameservers[i];

		if ((rc = ub_ctx_set_fwd(ctx, ns)) != 0) {
			snprintf(err, errlen, "Nameservers %s: %s", ns,
			    ub_strerror(rc));
			return -1;
		}
	}
	if ((rc = ub_ctx_set_option(ctx, "verbosity:", "0")) != 0) {
		snprintf(err, errlen, "verbosity: %s", ub_strerror(rc));
		return -1;
	}
	return resolver_prove(ctx, opt, err, errlen);
}

/* How many shards: opt->threads, or one per online CPU up to
 * SHARDS_AUTO_MAX. */
static size_t
shard_count(const struct resolver_options *opt)
{
	long cpus;

	if (opt->threads > 0)
		return opt->threads < SHARDS_MAX ? opt->threads : SHARDS_MAX;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return 1;
	return cpus < SHARDS_AUTO_MAX ? (size_t)cpus : SHARDS_AUTO_MAX;
}

struct resolver *
resolver_new(const struct resolver_options *opt, char *err, size_t errlen)
{
	struct resolver *res;
	size_t i, n = shard_count(opt);
	int rc;

	if ((res = calloc(1, sizeof *res)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	res->wake[0] = res->wake[1] = -1;
	if (opt->cache_bytes > 0 &&
	    (res->cache = anscache_new(opt->cache_bytes)) == NULL) {
		snprintf(err, errlen, "out of memory for the answer cache");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((res->ctx[i] = ub_ctx_create()) == NULL) {
			snprintf(err, errlen, "ub_ctx_create failed");
			goto fail;
		}
		res->n_ctx = i + 1;
		if (resolver_setup(res->ctx[i], opt, err, errlen) == -1)
			goto fail;
	}
	if (pipe2(res->wake, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((rc = pthread_create(&res->thread, NULL, resolver_thread,
	    res)) != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		goto fail;
	}
	res->thread_started = true;
	return res;
fail:
	resolver_free(res);
	return NULL;
}

void
resolver_free(struct resolver *res)
{
	if (res == NULL)
		return;
	if (res->thread_started) {
		char c = 0;

		atomic_store(&res->stop, true);
		while (write(res->wake[1], &c, 1) == -1 && errno == EINTR)
			;
		(void)pthread_join(res->thread, NULL);
	}
	if (res->wake[0] != -1)
		close(res->wake[0]);
	if (res->wake[1] != -1)
		close(res->wake[1]);
	for (size_t i = 0; i < res->n_ctx; i++)
		ub_ctx_delete(res->ctx[i]);
	anscache_free(res->cache);
	free(res);
}

/*
 * Locking rule: *handle is written before ub_resolve_async() hands q to
 * libunbound, so a callback that runs before this function returns sees
 * its caller's handle already in place.  q->ub_id is written by
 * ub_resolve_async() itself; resolver_cancel() reads it, so a caller must
 * not cancel a lookup before resolver_submit() has returned (checks.c
 * submits and cancels under the same session lock).
 */
int
resolver_submit(struct resolver *res, const char *name, int type,
    resolver_cb *cb, void *arg, void **handle)
{
	struct resolver_query *q;
	int rc;

	*handle = NULL;
	if ((q = calloc(1, sizeof *q)) == NULL)
		return -1;
	q->res = res;
	q->cb = cb;
	q->arg = arg;
	q->type = type;
	/* A name too long for a key is looked up but never cached: a cut
	 * key would file its answer under another name. */
	q->cacheable = cache_key(name, q->key, sizeof q->key) == 0;
	/* The shard: by the name as the cache keys it (case and a trailing
	 * dot do not matter). */
	q->ctx = res->ctx[0];
	if (res->n_ctx > 1 && q->cacheable)
		q->ctx = res->ctx[key_hash(q->key) % res->n_ctx];
	atomic_init(&q->state, QUERY_PENDING);
	atomic_fetch_add(&res->pending, 1);
	*handle = q;
	rc = ub_resolve_async(q->ctx, name, type, 1 /* IN */, q,
	    resolver_ub_cb, &q->ub_id);
	if (rc != 0) {
		/* The caller logs it, with its connection's context. */
		*handle = NULL;
		atomic_fetch_sub(&res->pending, 1);
		free(q);
		return -1;
	}
	return 0;
}

int
resolver_cancel(struct resolver *res, void *handle)
{
	struct resolver_query *q = handle;
	int expect = QUERY_PENDING;
	/* Read before the swap: once q is CANCELLED, a callback already in
	 * flight may free it at any moment. */
	int ub_id = q->ub_id;
	struct ub_ctx *ctx = q->ctx;

	if (!atomic_compare_exchange_strong(&q->state, &expect,
	    QUERY_CANCELLED))
		return -1;
	atomic_fetch_sub(&res->pending, 1);
	/*
	 * In threaded mode a successful ub_cancel() means libunbound will
	 * drop the answer without calling resolver_ub_cb(), so q is ours
	 * to free; otherwise the callback is on its way and frees q when it
	 * finds the CANCELLED state.
	 */
	if (ub_cancel(ctx, ub_id) == 0)
		free(q);
	return 0;
}

size_t
resolver_pending(struct resolver *res)
{
	return atomic_load(&res->pending);
}

static int
ops_submit(void *res, const char *name, int type, resolver_cb *cb,
    void *arg, void **handle)
{
	return resolver_submit(res, name, type, cb, arg, handle);
}

static int
ops_cancel(void *res, void *handle)
{
	return resolver_cancel(res, handle);
}

static struct dns_answer *
ops_cached(void *res, const char *name, int type)
{
	return resolver_cached(res, name, type);
}

const struct resolver_ops resolver_unbound_ops = {
	.submit = ops_submit,
	.cancel = ops_cancel,
	.cached = ops_cached,
};
