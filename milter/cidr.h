/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cidr.h - address blocks (TrustedNetworks).
 *
 * DESCRIPTION
 *	Parses "a.b.c.d/n", "addr6/n" and bare addresses (a host block), and
 *	tests membership.  IPv4-mapped IPv6 clients are matched as IPv4 (the
 *	caller folds them; see struct rdns_ip).
 *
 * OWNERSHIP
 *	A struct cidr is plain data, the caller's; nothing here allocates.
 *	Error messages go into the caller's err[errlen].
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

/** Number of addresses in c: 2^(32 - prefix) or 2^(128 - prefix),
 * UINT64_MAX when that does not fit in 64 bits. */
uint64_t cidr_count(const struct cidr *c);

/**
 * The i-th address of c (0: the network address), in ascending order,
 * into *ip.  Enumerating a block walks it without any memory of its own
 * (rdns-check's ranges).
 * @return 0, or -1 if i >= cidr_count(c).
 */
int cidr_nth(const struct cidr *c, uint64_t i, struct rdns_ip *ip);

/** "192.0.2.0/24", "2001:db8::/64" into buf[len] (DNAME_IPSTR_MAX + 4
 * always suffices). */
void cidr_str(const struct cidr *c, char *buf, size_t len);

/** The block of the given prefix length that holds ip (host bits
 * cleared; prefix is capped to the family's maximum). */
void cidr_of_ip(const struct rdns_ip *ip, int prefix, struct cidr *out);

#endif
