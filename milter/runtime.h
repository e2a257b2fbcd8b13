/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime.h - the runtime snapshot (configuration + resolver) each
 * connection runs with.
 *
 * DESCRIPTION
 *	A runtime snapshot owns an immutable configuration and uses the
 *	resolver built for it.  Reloads publish a new snapshot; a connection
 *	keeps the one it started with until it closes (SPEC 4: sessions in
 *	progress finish with the configuration they started with).  A reload
 *	that does not change the resolver options shares the old resolver.
 *
 * OWNERSHIP
 *	runtime_new() takes the configuration over.  runtime_get() returns a
 *	reference dropped with runtime_release().
 *
 * THREAD SAFETY
 *	The snapshot pointer and the reference counts change only under one
 *	mutex (runtime_publish/get/release).
 */
#ifndef RDNS_RUNTIME_H
#define RDNS_RUNTIME_H

#include <stddef.h>

#include "conf.h"
#include "resolver.h"

struct runtime {
	struct config		*cf;
	struct shared_resolver	*sr;
	unsigned		 refs;
};

/** The resolver of a snapshot. */
struct resolver *runtime_resolver(const struct runtime *rt);

/**
 * Build a snapshot for cf (takes cf over: the snapshot frees it).
 * The resolver of prev is shared when the resolver options are equal,
 * otherwise a new one is created.
 * @return the snapshot, or NULL with a reason in err (cf is freed).
 */
struct runtime *runtime_new(struct config *cf, const struct runtime *prev,
    char *err, size_t errlen);

/** Make rt current (takes over the caller's reference). */
void runtime_publish(struct runtime *rt);

/** A reference to the current snapshot (NULL before the first publish). */
struct runtime *runtime_get(void);

/** Drop a reference; frees the snapshot (and an unshared resolver). */
void runtime_release(struct runtime *rt);

/** Drop the current snapshot (at exit). */
void runtime_shutdown(void);

#endif
