/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime.c - the runtime snapshots: a configuration and the resolver
 * built for it, published for new connections, reference counted.
 *
 * DESCRIPTION
 *	A snapshot owns its configuration (freed with the snapshot) and holds
 *	a shared resolver: a reload whose resolver options are equal to the
 *	current ones shares the current resolver, whose own count says how
 *	many snapshots use it.  Two counts in all, both under rt_lock: the
 *	snapshot's (connections and the current pointer) and the shared
 *	resolver's (snapshots).
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "resolver.h"
#include "runtime.h"

/* A resolver shared by the snapshots whose resolver options are equal. */
struct shared_resolver {
	struct resolver	*res;
	unsigned	 refs;		/* snapshots using it; under rt_lock */
};

static pthread_mutex_t	 rt_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runtime	*rt_current;

static bool
strv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool
resolver_options_equal(const struct config *a, const struct config *b)
{
	if ((a->resolver_config == NULL) != (b->resolver_config == NULL))
		return false;
	if (a->resolver_config != NULL &&
	    strcmp(a->resolver_config, b->resolver_config) != 0)
		return false;
	return strv_equal(a->trust_anchor_files, a->n_trust_anchor_files,
	    b->trust_anchor_files, b->n_trust_anchor_files) &&
	    strv_equal(a->nameservers, a->n_nameservers, b->nameservers,
	    b->n_nameservers) && a->resolver_threads == b->resolver_threads &&
	    a->answer_cache_size == b->answer_cache_size;
}

struct resolver *
runtime_resolver(const struct runtime *rt)
{
	return rt->sr->res;
}

struct runtime *
runtime_new(struct config *cf, const struct runtime *prev, char *err,
    size_t errlen)
{
	struct runtime *rt;
	struct resolver_options ro;

	if ((rt = calloc(1, sizeof *rt)) == NULL) {
		snprintf(err, errlen, "out of memory");
		config_free(cf);
		return NULL;
	}
	rt->cf = cf;
	rt->refs = 1;
	if (prev != NULL && resolver_options_equal(prev->cf, cf)) {
		pthread_mutex_lock(&rt_lock);
		rt->sr = prev->sr;
		rt->sr->refs++;
		pthread_mutex_unlock(&rt_lock);
		return rt;
	}
	if ((rt->sr = calloc(1, sizeof *rt->sr)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	config_resolver_options(cf, &ro);
	if ((rt->sr->res = resolver_new(&ro, err, errlen)) == NULL)
		goto fail;
	rt->sr->refs = 1;
	return rt;
fail:
	free(rt->sr);
	config_free(cf);
	free(rt);
	return NULL;
}

/* Free a snapshot whose count reached zero; called without rt_lock.
 * res is the resolver to free too, or NULL if still shared. */
static void
runtime_destroy(struct runtime *rt, struct shared_resolver *dead)
{
	if (dead != NULL) {
		resolver_free(dead->res);
		free(dead);
	}
	config_free(rt->cf);
	free(rt);
}

void
runtime_release(struct runtime *rt)
{
	struct shared_resolver *dead = NULL;
	bool last;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt_lock);
	last = --rt->refs == 0;
	if (last && --rt->sr->refs == 0)
		dead = rt->sr;
	pthread_mutex_unlock(&rt_lock);
	if (last)
		runtime_destroy(rt, dead);
}

void
runtime_publish(struct runtime *rt)
{
	struct runtime *old;

	pthread_mutex_lock(&rt_lock);
	old = rt_current;
	rt_current = rt;
	pthread_mutex_unlock(&rt_lock);
	runtime_release(old);
}

struct runtime *
runtime_get(void)
{
	struct runtime *rt;

	pthread_mutex_lock(&rt_lock);
	rt = rt_current;
	if (rt != NULL)
		rt->refs++;
	pthread_mutex_unlock(&rt_lock);
	return rt;
}

void
runtime_shutdown(void)
{
	runtime_publish(NULL);
}
