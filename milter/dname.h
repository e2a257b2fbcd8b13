/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dname.h - pure name and address code.
 *
 * DESCRIPTION
 *	Client addresses (IPv4, IPv6, IPv4-mapped IPv6 folded to IPv4),
 *	reverse names (in-addr.arpa / ip6.arpa), decoding of PTR rdata
 *	(uncompressed wire format, as libunbound hands it over), hostname
 *	syntax (Postfix valid_hostname() rules), HELO address literals,
 *	name comparison, and the domain patterns of Policy lines and
 *	AllowDomains with the one order of how specific they are.
 *
 *	Every input here may be hostile: the connect address and host name,
 *	the HELO argument, and all DNS data.  Nothing here allocates.
 *
 * SIZES
 *	RFC 1035 2.3.4: a name is at most 255 octets in wire form, which is
 *	at most 253 characters of text without the trailing dot; a label is
 *	at most 63 octets.  Presentation format may escape each octet as
 *	\DDD, so 4 * 255 bytes always suffice for it.
 *
 * OWNERSHIP
 *	Nothing is allocated: every result goes into the caller's buffer.
 *
 * THREAD SAFETY
 *	Pure functions on caller memory.
 */
#ifndef RDNS_DNAME_H
#define RDNS_DNAME_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Text hostname, no trailing dot: 253 characters + NUL (RFC 1035 2.3.4). */
#define DNAME_TEXT_MAX		254
/* Presentation format: up to 255 octets, each at worst "\DDD". */
#define DNAME_PRES_MAX		(4 * 255 + 1)
/* Reverse name with trailing dot: "f.f.(32 nibbles)ip6.arpa." is
 * 64 + 9 = 73 characters + NUL; "255.255.255.255.in-addr.arpa." fits. */
#define DNAME_REVERSE_MAX	74
/* inet_ntop() output. */
#define DNAME_IPSTR_MAX		46	/* INET6_ADDRSTRLEN */

/** A client address.  family is AF_INET or AF_INET6; IPv4-mapped IPv6 is
 * always stored as AF_INET. */
struct rdns_ip {
	int	family;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} u;
};

/** A PTR target decoded from wire format. */
struct dname_wire_text {
	/* Presentation format (RFC 1035 5.1): bytes outside [!-~] and the
	 * special bytes . \ " ; ( ) @ $ inside labels written as \DDD or
	 * \X; no trailing dot; "." for the root. */
	char	pres[DNAME_PRES_MAX];
	/* Raw label bytes joined by '.', each byte outside [A-Za-z0-9._-]
	 * replaced by '?': safe for headers, replies and logs. */
	char	safe[DNAME_TEXT_MAX + 2];
	/* True if the name passes dname_valid_hostname(); then safe holds the
	 * exact name and may be used as a query name. */
	bool	hostname;
};

/**
 * Parse a textual IPv4 or IPv6 address (no brackets, no zone index,
 * no prefix).  "::ffff:a.b.c.d" yields AF_INET.
 * @return 0 on success, -1 if s is not an address.
 */
int dname_parse_ip(const char *s, struct rdns_ip *ip);

/** Same, from a struct sockaddr (sockaddr_in or sockaddr_in6).
 * @return 0, or -1 for another family / NULL. */
struct sockaddr;
int dname_ip_from_sockaddr(const struct sockaddr *sa, struct rdns_ip *ip);

/** Canonical text form (inet_ntop) into buf[DNAME_IPSTR_MAX]. */
void dname_ip_str(const struct rdns_ip *ip, char *buf, size_t len);

/** True if both addresses are of the same family and equal. */
bool dname_ip_equal(const struct rdns_ip *a, const struct rdns_ip *b);

/** True if rdata (an A record of 4 bytes for AF_INET, an AAAA record of
 * 16 bytes for AF_INET6) equals ip.  Any other length is false. */
bool dname_ip_equal_rdata(const struct rdns_ip *ip, const uint8_t *rdata,
    size_t len);

/**
 * Reverse lookup name with trailing dot:
 * "42.113.0.203.in-addr.arpa." or "1.0.0.0....8.b.d.0.1.0.0.2.ip6.arpa.".
 * @return 0, or -1 if len is too small.
 */
int dname_reverse(const struct rdns_ip *ip, char *buf, size_t len);

/**
 * Decode an uncompressed wire-format name (PTR rdata) of len bytes.
 * Rejects: a label length running past len, a label over 63, a total over
 * 255 octets, compression pointers and other label types, missing root
 * label, trailing bytes after the root label.
 * @return 0 and fills out, or -1 (out is then "" / not hostname).
 */
int dname_from_wire(const uint8_t *wire, size_t len,
    struct dname_wire_text *out);

/**
 * Hostname syntax, as Postfix's valid_hostname(): one optional trailing
 * dot; labels of 1..63 bytes of letters, digits and '-', not starting or
 * ending with '-'; at most 253 characters; at least two labels is NOT
 * required; the name must not be all-numeric (the last label must not be
 * all digits), so "1.2.3.4" and "123" are not hostnames.
 */
bool dname_valid_hostname(const char *name);

/** Name equality: ASCII case-insensitive, one trailing dot on either side
 * ignored.  NULL never equals anything. */
bool dname_equal(const char *a, const char *b);

/**
 * HELO address literal, RFC 5321 4.1.3: "[a.b.c.d]" or "[IPv6:addr]"
 * ("IPv6:" case-insensitive).  An IPv4-mapped IPv6 literal folds to IPv4.
 * @return 1 and fills ip if helo is a valid literal, 0 if helo does not
 *	start with '[' (not a literal), -1 if it starts with '[' but is not
 *	a valid literal.
 */
int dname_helo_literal(const char *helo, struct rdns_ip *ip);

/**
 * Lower-case copy of a name without its trailing dot into
 * buf[DNAME_TEXT_MAX].  @return its length, or 0 (buf "") when name is
 * NULL, empty or longer than 253 characters.
 */
size_t dname_lower(const char *name, char buf[DNAME_TEXT_MAX]);

/*
 * Domain patterns, as Policy lines and AllowDomains keep them (lower
 * case, no trailing dot): "*" matches every name, ".example.com" every
 * name below example.com (not example.com itself), "example.com" that
 * name only.
 */

/** Does pattern match name[0..n) (any case, without its trailing dot)? */
bool dname_pattern_match(const char *pattern, const char *name, size_t n);

/* Rank of "example.com": above every ".suffix" (at most 1 + 254). */
#define DNAME_RANK_EXACT	1001

/**
 * How specific pattern is: "*" 0 < ".example.com" 1 + its length (a
 * longer suffix ranks higher) < "example.com" DNAME_RANK_EXACT + its
 * length.  The one order of specificity: config_policy_for() picks the
 * most specific Policy line that matches a recipient domain, and a
 * message's summary names the most specific policy that refused
 * (policy_tally_add()).
 */
int dname_pattern_rank(const char *pattern);

#endif
