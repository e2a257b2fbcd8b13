/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cidr.h - address blocks (TrustedNetworks).
 *
 * DESCRIPTION
 *	Parses "a.b.c.d/n", "addr6/n" and bare addresses (a host block), and
 *	tests membership.  IPv4-mapped IPv6 clients are matched as IPv4 (the
 *	caller folds them; see struct rdns_ip).
 *
 * THREAD SAFETY
 *	Pure functions on caller memory.
 */
#ifndef RDNS_CIDR_H
#define RDNS_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dname.h"

struct cidr {
	int	family;		/* AF_INET or AF_INET6 */
	uint8_t	addr[16];	/* network address, host bits cleared */
	int	prefix;		/* 0..32 or 0..128 */
};

/**
 * Parse one block.  Host bits set beyond the prefix are accepted and
 * cleared (as Postfix's mynetworks does not, but users write
 * 192.0.2.1/24 often enough).
 * @return 0, or -1 with a reason in err[errlen].
 */
int cidr_parse(const char *s, struct cidr *out, char *err, size_t errlen);

/** True if ip lies in block c (same family only). */
bool cidr_match(const struct cidr *c, const struct rdns_ip *ip);

/** True if ip lies in any of the n blocks. */
bool cidr_match_any(const struct cidr *list, size_t n,
    const struct rdns_ip *ip);

#endif
