/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_int.h - what generic.c, generic_addr.c and generic_rules.c
 * share; not for other modules.
 *
 * DESCRIPTION
 *	generic.c prepares a name once (lower case, its organizational
 *	domain) and runs the two tests on it: the embedded-address test
 *	(generic_addr.c) and the rule set (generic_rules.c).
 *
 * OWNERSHIP
 *	struct generic_name is the caller's (usually on its stack) and holds
 *	its own copy of the name; the tests fill the caller's struct
 *	generic_verdict and allocate nothing.
 *
 * THREAD SAFETY
 *	Pure functions of their arguments; a compiled rule set is immutable
 *	and shared (generic.h).
 */
#ifndef RDNS_GENERIC_INT_H
#define RDNS_GENERIC_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "dname.h"
#include "generic.h"

/** A name prepared for judging. */
struct generic_name {
	char	 s[DNAME_TEXT_MAX];	/* lower case, no trailing dot */
	size_t	 len;
	size_t	 org;		/* where the organizational domain starts */
	size_t	 hlen;		/* host part length: org - 1, or 0 */
};

/**
 * Prepare name (any case, one trailing dot allowed): lower-cased copy,
 * organizational domain.
 * @return 0, or -1 when it is no host name or has no organizational
 *	domain (a public suffix, an unknown syntax): never generic.
 */
int generic_name_prepare(const char *name, struct generic_name *gn);

/**
 * The address test (generic_addr.c) on a prepared name: fills v
 * (generic, rule, reason) on a hit.
 */
bool generic_addr_embedded(const struct generic_name *gn,
    const struct rdns_ip *ip, struct generic_verdict *v);

/**
 * The rules (generic_rules.c) on a prepared name: fills v on a hit.
 */
bool generic_rules_match(const struct generic_patterns *gp,
    const struct generic_name *gn, struct generic_verdict *v);

#endif
