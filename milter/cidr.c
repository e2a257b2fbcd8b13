/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cidr.c - address blocks (TrustedNetworks): parsing and membership.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "text.h"

/* Longest address text: INET6_ADDRSTRLEN - 1 = 45 characters. */
#define CIDR_ADDR_MAX	(DNAME_IPSTR_MAX - 1)
/* Input echoed in error messages is capped at this many bytes. */
#define CIDR_ECHO_MAX	64

/* Error "MESSAGE: "INPUT"", the input capped and with every byte outside
 * printable ASCII replaced by '?' (configuration text may be junk). */
static int
cidr_error(char *err, size_t errlen, const char *msg, const char *s,
    size_t n)
{
	char echo[CIDR_ECHO_MAX + 1];

	if (err == NULL || errlen == 0)
		return -1;
	(void)text_sanitize(TEXT_PRINT, echo, sizeof echo, s, n);
	(void)snprintf(err, errlen, "%s: \"%s\"", msg, echo);
	return -1;
}

int
cidr_parse(const char *s, struct cidr *out, char *err, size_t errlen)
{
	/* RFC 4291 2.5.5.2: ::ffff:0:0/96. */
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	char addr[CIDR_ADDR_MAX + 1];
	const char *start, *end, *slash;
	size_t n, alen;
	int max, prefix, i;
	bool mapped;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (s == NULL || out == NULL)
		return cidr_error(err, errlen, "missing network", "", 0);
	memset(out, 0, sizeof *out);

	/* Surrounding white space is tolerated (list splitting leaves it). */
	start = s;
	while (text_is_space((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && text_is_space((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - start);
	if (n == 0)
		return cidr_error(err, errlen, "empty network", s, strlen(s));

	slash = memchr(start, '/', n);
	alen = slash != NULL ? (size_t)(slash - start) : n;
	if (alen == 0 || alen > CIDR_ADDR_MAX)
		return cidr_error(err, errlen, "invalid network address",
		    start, n);
	memcpy(addr, start, alen);
	addr[alen] = '\0';
	if (memchr(addr, ':', alen) != NULL) {
		out->family = AF_INET6;
		max = 128;
	} else {
		out->family = AF_INET;
		max = 32;
	}
	if (inet_pton(out->family, addr, out->addr) != 1)
		return cidr_error(err, errlen, "invalid network address",
		    start, n);

	prefix = max;
	if (slash != NULL) {
		const char *p = slash + 1;

		/* Decimal digits only: no sign, no space, at most 3. */
		if (p == end || end - p > 3)
			return cidr_error(err, errlen, "invalid prefix length",
			    start, n);
		prefix = 0;
		for (; p < end; p++) {
			if (!text_is_digit((unsigned char)*p))
				return cidr_error(err, errlen,
				    "invalid prefix length", start, n);
			prefix = prefix * 10 + (*p - '0');
		}
		if (prefix > max)
			return cidr_error(err, errlen,
			    "prefix length out of range", start, n);
	}

	/* Clients in ::ffff:0:0/96 are folded to IPv4 (struct rdns_ip), so
	 * a block inside it is stored as the IPv4 block it stands for. */
	mapped = out->family == AF_INET6 &&
	    memcmp(out->addr, v4mapped, sizeof v4mapped) == 0;
	if (mapped && prefix >= 96) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = AF_INET;
		prefix -= 96;
		max = 32;
	}

	/* Clear the host bits. */
	for (i = 0; i < max / 8; i++) {
		int bits = prefix - i * 8;

		if (bits >= 8)
			continue;
		out->addr[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
	out->prefix = prefix;
	return 0;
}

bool
cidr_match(const struct cidr *c, const struct rdns_ip *ip)
{
	const uint8_t *a;
	int full, rest;

	if (c == NULL || ip == NULL || c->family != ip->family)
		return false;
	if (ip->family == AF_INET) {
		a = (const uint8_t *)&ip->u.v4;
		if (c->prefix < 0 || c->prefix > 32)
			return false;
	} else if (ip->family == AF_INET6) {
		a = ip->u.v6.s6_addr;
		if (c->prefix < 0 || c->prefix > 128)
			return false;
	} else
		return false;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(a, c->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ c->addr[full]) & (uint8_t)(0xff << (8 - rest))) ==
	    0;
}

bool
cidr_match_any(const struct cidr *list, size_t n, const struct rdns_ip *ip)
{
	size_t i;

	if (list == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (cidr_match(&list[i], ip))
			return true;
	return false;
}

uint64_t
cidr_count(const struct cidr *c)
{
	int host = (c->family == AF_INET ? 32 : 128) - c->prefix;

	if (host < 0)
		return 0;
	if (host >= 64)
		return UINT64_MAX;
	return (uint64_t)1 << host;
}

int
cidr_nth(const struct cidr *c, uint64_t i, struct rdns_ip *ip)
{
	size_t len = c->family == AF_INET ? 4 : 16;
	uint8_t a[16];
	uint64_t carry = i;
	size_t k;

	if (i >= cidr_count(c))
		return -1;
	/* The host bits of the network address are zero, so adding i
	 * (which fits in them) from the last byte up never carries into
	 * the network part. */
	memcpy(a, c->addr, len);
	for (k = len; k > 0 && carry != 0; k--) {
		uint64_t v = (uint64_t)a[k - 1] + (carry & 0xff);

		a[k - 1] = (uint8_t)v;
		carry = (carry >> 8) + (v >> 8);
	}
	memset(ip, 0, sizeof *ip);
	ip->family = c->family;
	if (c->family == AF_INET)
		memcpy(&ip->u.v4, a, 4);
	else
		memcpy(ip->u.v6.s6_addr, a, 16);
	return 0;
}

void
cidr_str(const struct cidr *c, char *buf, size_t len)
{
	char a[DNAME_IPSTR_MAX];

	if (inet_ntop(c->family, c->addr, a, sizeof a) == NULL)
		snprintf(a, sizeof a, "?");
	(void)snprintf(buf, len, "%s/%d", a, c->prefix);
}

void
cidr_of_ip(const struct rdns_ip *ip, int prefix, struct cidr *out)
{
	int max = ip->family == AF_INET ? 32 : 128, i;

	memset(out, 0, sizeof *out);
	out->family = ip->family;
	if (ip->family == AF_INET)
		memcpy(out->addr, &ip->u.v4, 4);
	else
		memcpy(out->addr, ip->u.v6.s6_addr, 16);
	if (prefix < 0)
		prefix = 0;
	if (prefix > max)
		prefix = max;
	for (i = 0; i < max / 8; i++) {
		int bits = prefix - i * 8;

		if (bits >= 8)
			continue;
		out->addr[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
	out->prefix = prefix;
}
