/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result_builder.h - a struct check_result written compactly, for the
 * table-driven unit tests of the modules that read one (test_policy,
 * test_authres).
 *
 * DESCRIPTION
 *	A test case states the verdicts and names it needs in a struct
 *	rspec; result_build() turns it into the struct check_result that
 *	checks.c would have produced, with the PTR names in a
 *	struct result_store (no allocation, nothing to free).  A spec that
 *	does not fit (a bad address, a name or reason too long) fails the
 *	running cmocka test.
 */
#ifndef RDNS_RESULT_BUILDER_H
#define RDNS_RESULT_BUILDER_H

#include "checks.h"

/* PTR names a spec can carry. */
#define RSPEC_MAX_NAMES	3

/* Name indexes are 1-based (0: none). */
struct rspec {
	const char		*ip;		/* IPv4 or IPv6 text */
	enum check_res		 ptr;		/* CHECK_NONE: FAIL if iprev is
						   PERMERROR (no PTR), else
						   PASS */
	enum check_res		 iprev;
	enum dnssec_status	 dnssec;	/* of the PTR and of iprev */
	const char		*reason;	/* NULL: "" */
	const char		*names[RSPEC_MAX_NAMES];	/* NULL-ended */
	int			 verified;	/* 1-based, 0: none */
	const char		*helo;		/* NULL: no HELO */
	enum check_res		 xptr;
	enum check_res		 helo_fwd;
	int			 helo_match;	/* 1-based, 0: none */
	enum generic_res	 generic;
	const char		*helo_org;	/* non-NULL: the HELO is
						   aligned with this domain */
	bool			 allowlisted;
};

/* A built result and the names it points to. */
struct result_store {
	struct check_result	 r;
	struct check_ptr_name	 names[RSPEC_MAX_NAMES];
};

/**
 * Fill st from s: st->r is the result, its names point into st (st must
 * outlive every use of st->r; do not call check_result_clear() on it).
 * Fails the running cmocka test if s cannot be represented.
 */
void result_build(const struct rspec *s, struct result_store *st);

#endif
