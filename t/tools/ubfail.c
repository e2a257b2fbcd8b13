/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ubfail.c - an LD_PRELOAD shim for tests: ub_resolve_async() fails with
 * UB_NOMEM for the one query name in $RDNS_UBFAIL_NAME (compared without
 * case), as libunbound does when it runs out of memory or its context is
 * dead.  Every other call goes to the real libunbound.  Used by
 * t/milter/resolver-error.sh to prove that such a connection is checked
 * as temperror ("resolver error"), never accepted unchecked.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <strings.h>

#include <unbound.h>

typedef int resolve_async_fn(struct ub_ctx *, const char *, int, int,
    void *, ub_callback_type, int *);

int
ub_resolve_async(struct ub_ctx *ctx, const char *name, int rrtype,
    int rrclass, void *mydata, ub_callback_type callback, int *async_id)
{
	static resolve_async_fn *real;
	const char *fail = getenv("RDNS_UBFAIL_NAME");

	if (fail != NULL && name != NULL && strcasecmp(name, fail) == 0)
		return UB_NOMEM;
	if (real == NULL) {
		void *sym = dlsym(RTLD_NEXT, "ub_resolve_async");

		if (sym == NULL)
			abort();
		*(void **)&real = sym;
	}
	return real(ctx, name, rrtype, rrclass, mydata, callback, async_id);
}
