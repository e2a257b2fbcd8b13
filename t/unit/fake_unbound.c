/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_unbound.c - the libunbound calls resolver.c makes, faked, so that
 * test_resolver.c can drive resolver.c's real code (classification, the
 * answer cache, the cancel-versus-delivery protocol) without a network.
 *
 * Semantics copied from libunbound's threaded mode, as resolver.c relies on
 * them: ub_resolve_async() queues a query; ub_fd() becomes readable when
 * answers are ready; ub_process() takes each ready query off the queue
 * under the context lock and calls its callback with no lock held;
 * ub_cancel() succeeds (and the callback never runs) only while the query
 * is still queued, and fails with UB_NOID once ub_process() has taken it.
 *
 * The test decides the answers: fake_ub_set_answer() for every later
 * query, fake_ub_deliver() to make every queued query ready.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unbound.h>

#include "fake_unbound.h"

struct fake_query {
	struct fake_query *next;
	int		 id;
	ub_callback_type cb;
	void		*arg;
	struct fake_ub_answer ans;
	char		*qname;
};

struct ub_ctx {
	pthread_mutex_t	 lock;
	int		 pipe[2];
	int		 next_id;
	struct fake_query *queue;	/* not yet taken by ub_process() */
	struct ub_ctx	*next_ctx;
};

static pthread_mutex_t	 global = PTHREAD_MUTEX_INITIALIZER;
static struct ub_ctx	*contexts;
static struct fake_ub_answer next_answer = { 0, 1, 0, 0, 300, 1, 0 };
static int		 fail_sync;
static int		 fail_async;

void
fake_ub_set_answer(const struct fake_ub_answer *a)
{
	pthread_mutex_lock(&global);
	next_answer = *a;
	pthread_mutex_unlock(&global);
}

void
fake_ub_fail_sync(int rc)
{
	fail_sync = rc;
}

void
fake_ub_fail_async(int rc)
{
	fail_async = rc;
}

void
fake_ub_deliver(void)
{
	struct ub_ctx *c;

	pthread_mutex_lock(&global);
	for (c = contexts; c != NULL; c = c->next_ctx)
		while (write(c->pipe[1], "x", 1) == -1 && errno == EINTR)
			;
	pthread_mutex_unlock(&global);
}

size_t
fake_ub_queued(void)
{
	struct ub_ctx *c;
	struct fake_query *q;
	size_t n = 0;

	pthread_mutex_lock(&global);
	for (c = contexts; c != NULL; c = c->next_ctx) {
		pthread_mutex_lock(&c->lock);
		for (q = c->queue; q != NULL; q = q->next)
			n++;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&global);
	return n;
}

struct ub_ctx *
ub_ctx_create(void)
{
	struct ub_ctx *c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	if (pipe2(c->pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		free(c);
		return NULL;
	}
	c->next_id = 1;
	pthread_mutex_lock(&global);
	c->next_ctx = contexts;
	contexts = c;
	pthread_mutex_unlock(&global);
	return c;
}

void
ub_ctx_delete(struct ub_ctx *c)
{
	struct ub_ctx **pp;
	struct fake_query *q;

	if (c == NULL)
		return;
	pthread_mutex_lock(&global);
	for (pp = &contexts; *pp != NULL; pp = &(*pp)->next_ctx)
		if (*pp == c) {
			*pp = c->next_ctx;
			break;
		}
	pthread_mutex_unlock(&global);
	while ((q = c->queue) != NULL) {
		c->queue = q->next;
		free(q->qname);
		free(q);
	}
	close(c->pipe[0]);
	close(c->pipe[1]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int
ub_ctx_async(struct ub_ctx *c, int dothread)
{
	(void)c;
	(void)dothread;
	return 0;
}

int
ub_ctx_debuglevel(struct ub_ctx *c, int d)
{
	(void)c;
	(void)d;
	return 0;
}

int
ub_ctx_set_option(struct ub_ctx *c, const char *opt, const char *val)
{
	(void)c;
	(void)opt;
	(void)val;
	return 0;
}

int
ub_ctx_config(struct ub_ctx *c, const char *fname)
{
	(void)c;
	(void)fname;
	return 0;
}

int
ub_ctx_add_ta_file(struct ub_ctx *c, const char *fname)
{
	(void)c;
	(void)fname;
	return 0;
}

int
ub_ctx_set_fwd(struct ub_ctx *c, const char *addr)
{
	(void)c;
	(void)addr;
	return 0;
}

int
ub_fd(struct ub_ctx *c)
{
	return c->pipe[0];
}

/* A ub_result as libunbound builds it, for one answer spec. */
static struct ub_result *
make_result(const char *qname, const struct fake_ub_answer *a)
{
	struct ub_result *r;
	int i;

	if ((r = calloc(1, sizeof *r)) == NULL)
		abort();
	r->qname = strdup(qname);
	r->rcode = a->rcode;
	r->havedata = a->havedata;
	r->nxdomain = a->rcode == 3;
	r->secure = a->secure;
	r->bogus = a->bogus;
	r->ttl = a->ttl;
	r->data = calloc((size_t)a->ndata + 1, sizeof *r->data);
	r->len = calloc((size_t)a->ndata + 1, sizeof *r->len);
	if (r->qname == NULL || r->data == NULL || r->len == NULL)
		abort();
	for (i = 0; i < a->ndata; i++) {
		if (a->rdlen > 0) {
			if ((r->data[i] = malloc((size_t)a->rdlen)) == NULL)
				abort();
			memset(r->data[i], 'a' + i % 26, (size_t)a->rdlen);
			r->len[i] = a->rdlen;
			continue;
		}
		if ((r->data[i] = malloc(4)) == NULL)
			abort();
		memcpy(r->data[i], "\xc0\x00\x02\x01", 4);
		r->len[i] = 4;
	}
	return r;
}

void
ub_resolve_free(struct ub_result *r)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; r->data != NULL && r->data[i] != NULL; i++)
		free(r->data[i]);
	free(r->data);
	free(r->len);
	free(r->qname);
	free(r->canonname);
	free(r->why_bogus);
	free(r);
}

int
ub_resolve(struct ub_ctx *c, const char *name, int rrtype, int rrclass,
    struct ub_result **result)
{
	struct fake_ub_answer a = { 0, 1, 0, 0, 0, 1, 0 };

	(void)c;
	(void)rrtype;
	(void)rrclass;
	if (fail_sync != 0)
		return fail_sync;
	*result = make_result(name, &a);
	return 0;
}

int
ub_resolve_async(struct ub_ctx *c, const char *name, int rrtype,
    int rrclass, void *mydata, ub_callback_type callback, int *async_id)
{
	struct fake_query *q, **pp;

	(void)rrtype;
	(void)rrclass;
	if (fail_async != 0)
		return fail_async;
	if ((q = calloc(1, sizeof *q)) == NULL ||
	    (q->qname = strdup(name)) == NULL)
		abort();
	q->cb = callback;
	q->arg = mydata;
	pthread_mutex_lock(&global);
	q->ans = next_answer;
	pthread_mutex_unlock(&global);
	pthread_mutex_lock(&c->lock);
	q->id = c->next_id++;
	if (async_id != NULL)
		*async_id = q->id;
	for (pp = &c->queue; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = q;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int
ub_cancel(struct ub_ctx *c, int async_id)
{
	struct fake_query **pp, *q;

	pthread_mutex_lock(&c->lock);
	for (pp = &c->queue; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->id == async_id) {
			q = *pp;
			*pp = q->next;
			pthread_mutex_unlock(&c->lock);
			free(q->qname);
			free(q);
			return 0;
		}
	pthread_mutex_unlock(&c->lock);
	return UB_NOID;
}

int
ub_process(struct ub_ctx *c)
{
	char buf[64];

	while (read(c->pipe[0], buf, sizeof buf) > 0)
		;
	for (;;) {
		struct fake_query *q;
		struct ub_result *r;

		/* Take one query under the lock, call back without it. */
		pthread_mutex_lock(&c->lock);
		if ((q = c->queue) != NULL)
			c->queue = q->next;
		pthread_mutex_unlock(&c->lock);
		if (q == NULL)
			return 0;
		if (q->ans.err != 0)
			q->cb(q->arg, q->ans.err, NULL);
		else {
			r = make_result(q->qname, &q->ans);
			q->cb(q->arg, 0, r);
		}
		free(q->qname);
		free(q);
	}
}

const char *
ub_strerror(int err)
{
	switch (err) {
	case UB_NOMEM:
		return "out of memory";
	case UB_INITFAIL:
		return "initialization failure";
	case UB_NOID:
		return "no such query";
	default:
		return "fake error";
	}
}
