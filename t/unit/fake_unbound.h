/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_unbound.h - test controls of fake_unbound.c (libunbound's calls,
 * faked for test_resolver).
 */
#ifndef RDNS_FAKE_UNBOUND_H
#define RDNS_FAKE_UNBOUND_H

#include <stddef.h>

/** What the fake answers to later asynchronous queries. */
struct fake_ub_answer {
	int	rcode;		/* DNS rcode */
	int	havedata;
	int	secure;
	int	bogus;
	int	ttl;
	int	ndata;		/* records (4-byte A rdata each) */
	int	err;		/* non-zero: the callback's err, no result */
	int	rdlen;		/* non-zero: each record is this many bytes
				   (a long PTR name, say) instead */
};

void fake_ub_set_answer(const struct fake_ub_answer *a);

/** Make every queued query ready (the resolver thread delivers them). */
void fake_ub_deliver(void);

/** Queries queued and neither delivered nor cancelled. */
size_t fake_ub_queued(void);

/** Non-zero: ub_resolve() (the start-up proof) returns this error. */
void fake_ub_fail_sync(int rc);

/** Non-zero: ub_resolve_async() returns this error. */
void fake_ub_fail_async(int rc);

#endif
