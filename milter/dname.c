/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dname.c - pure name and address code: client addresses, reverse names,
 * PTR rdata decoding, hostname syntax, HELO literals, name comparison.
 *
 * Every input is hostile.  Nothing here allocates; every write into a
 * caller buffer is bounded.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "dname.h"
#include "strbuf.h"
#include "text.h"

/* RFC 1035 2.3.4: labels are at most 63 octets, names at most 255 octets
 * in wire form (length bytes and the root label included). */
#define WIRE_LABEL_MAX	63
#define WIRE_NAME_MAX	255
/* Text name without the trailing dot: 255 - 2 = 253 characters. */
#define TEXT_NAME_MAX	253
/* Longest text we hand to inet_pton(): INET6_ADDRSTRLEN - 1 is 45;
 * anything longer is not an address. */
#define IP_TEXT_MAX	(DNAME_IPSTR_MAX - 1)

/* Store an IPv6 address, folding IPv4-mapped ::ffff:a.b.c.d to IPv4. */
static void
ip_set_v6(struct rdns_ip *ip, const struct in6_addr *a6)
{
	memset(ip, 0, sizeof *ip);
	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		ip->family = AF_INET;
		memcpy(&ip->u.v4, &a6->s6_addr[12], 4);
	} else {
		ip->family = AF_INET6;
		ip->u.v6 = *a6;
	}
}

/*
 * Parse the first n bytes of s as an address of the given family only
 * (AF_INET or AF_INET6), without any folding.  inet_pton() itself rejects
 * white space, zone indexes ("%eth0") and prefixes ("/64"), and glibc's
 * rejects IPv4 octets with leading zeros.
 */
static int
parse_ip_n(const char *s, size_t n, int family, void *dst)
{
	char tmp[IP_TEXT_MAX + 1];

	if (n == 0 || n > IP_TEXT_MAX || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(family, tmp, dst) == 1 ? 0 : -1;
}

int
dname_parse_ip(const char *s, struct rdns_ip *ip)
{
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (s == NULL || ip == NULL)
		return -1;
	n = strnlen(s, IP_TEXT_MAX + 1);
	if (strchr(s, ':') == NULL) {
		if (parse_ip_n(s, n, AF_INET, &a4) == -1)
			return -1;
		memset(ip, 0, sizeof *ip);
		ip->family = AF_INET;
		ip->u.v4 = a4;
		return 0;
	}
	if (parse_ip_n(s, n, AF_INET6, &a6) == -1)
		return -1;
	ip_set_v6(ip, &a6);
	return 0;
}

int
dname_ip_from_sockaddr(const struct sockaddr *sa, struct rdns_ip *ip)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	if (sa == NULL || ip == NULL)
		return -1;
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		memset(ip, 0, sizeof *ip);
		ip->family = AF_INET;
		ip->u.v4 = sin->sin_addr;
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		ip_set_v6(ip, &sin6->sin6_addr);
		return 0;
	default:
		return -1;
	}
}

void
dname_ip_str(const struct rdns_ip *ip, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	if (ip == NULL || (ip->family != AF_INET && ip->family != AF_INET6))
		return;
	if (ip->family == AF_INET) {
		/* By hand: glibc's inet_ntop() formats IPv4 with sprintf(),
		 * a visible share of a cached session's cost. */
		const uint8_t *b = (const uint8_t *)&ip->u.v4;
		char tmp[16];
		size_t n = 0;
		int i;

		for (i = 0; i < 4; i++) {
			if (i > 0)
				tmp[n++] = '.';
			if (b[i] >= 100)
				tmp[n++] = (char)('0' + b[i] / 100);
			if (b[i] >= 10)
				tmp[n++] = (char)('0' + b[i] / 10 % 10);
			tmp[n++] = (char)('0' + b[i] % 10);
		}
		if (n < len) {
			memcpy(buf, tmp, n);
			buf[n] = '\0';
		}
		return;
	}
	if (len > DNAME_IPSTR_MAX)
		len = DNAME_IPSTR_MAX;	/* inet_ntop() never needs more */
	if (inet_ntop(ip->family, &ip->u, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
}

bool
dname_ip_equal(const struct rdns_ip *a, const struct rdns_ip *b)
{
	if (a == NULL || b == NULL || a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return memcmp(&a->u.v4, &b->u.v4, 4) == 0;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, 16) == 0;
	return false;
}

bool
dname_ip_equal_rdata(const struct rdns_ip *ip, const uint8_t *rdata,
    size_t len)
{
	if (ip == NULL || rdata == NULL)
		return false;
	if (ip->family == AF_INET && len == 4)
		return memcmp(&ip->u.v4, rdata, 4) == 0;
	if (ip->family == AF_INET6 && len == 16)
		return memcmp(&ip->u.v6, rdata, 16) == 0;
	return false;
}

int
dname_reverse(const struct rdns_ip *ip, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static const char v6suffix[] = "ip6.arpa.";
	const uint8_t *b;
	size_t o = 0;
	int i, n;

	if (buf == NULL || len == 0)
		return -1;
	buf[0] = '\0';
	if (ip == NULL)
		return -1;
	if (ip->family == AF_INET) {
		b = (const uint8_t *)&ip->u.v4;
		n = snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa.",
		    b[3], b[2], b[1], b[0]);
		if (n < 0 || (size_t)n >= len) {
			buf[0] = '\0';
			return -1;
		}
		return 0;
	}
	if (ip->family != AF_INET6)
		return -1;
	/* RFC 3596 2.5: 32 nibbles, least significant first, each followed
	 * by a dot: 64 bytes, then "ip6.arpa." (9) and the NUL. */
	if (len < 64 + sizeof v6suffix)
		return -1;
	b = ip->u.v6.s6_addr;
	for (i = 15; i >= 0; i--) {
		buf[o++] = hex[b[i] & 0x0f];
		buf[o++] = '.';
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = '.';
	}
	memcpy(buf + o, v6suffix, sizeof v6suffix);
	return 0;
}

/* Bounded appends for dname_from_wire(); the output buffers are sized so
 * that a 255-octet name always fits, but check anyway. */
struct out {
	char	*buf;
	size_t	 size;
	size_t	 len;
	bool	 full;
};

static void
out_init(struct out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	o->full = false;
	buf[0] = '\0';
}

static void
out_putc(struct out *o, char c)
{
	if (o->len + 1 >= o->size) {
		o->full = true;
		return;
	}
	o->buf[o->len++] = c;
	o->buf[o->len] = '\0';
}

/* RFC 1035 5.1: presentation form of one label byte. */
static void
out_pres_byte(struct out *o, unsigned char c)
{
	if (!text_is_graph(c)) {
		out_putc(o, '\\');
		out_putc(o, (char)('0' + c / 100));
		out_putc(o, (char)('0' + c / 10 % 10));
		out_putc(o, (char)('0' + c % 10));
		return;
	}
	if (strchr(".\\\";()@$", c) != NULL)
		out_putc(o, '\\');
	out_putc(o, (char)c);
}

int
dname_from_wire(const uint8_t *wire, size_t len,
    struct dname_wire_text *out)
{
	struct out pres, safe;
	size_t pos = 0, total = 0, i, labels = 0;
	bool odd = false;		/* a byte that is not LDH in a label */

	if (out == NULL)
		return -1;
	out_init(&pres, out->pres, sizeof out->pres);
	out_init(&safe, out->safe, sizeof out->safe);
	out->hostname = false;
	if (wire == NULL)
		return -1;

	for (;;) {
		unsigned int l;

		if (pos >= len)
			goto bad;		/* no root label */
		l = wire[pos];
		/* RFC 1035 4.1.4 / RFC 6891: 0xC0 is a compression pointer,
		 * 0x40 and 0x80 are extended / reserved label types.  PTR
		 * rdata from libunbound is uncompressed: reject all. */
		if (l > WIRE_LABEL_MAX)
			goto bad;
		total += 1 + l;
		if (total > WIRE_NAME_MAX)
			goto bad;
		if (l == 0) {
			pos++;
			break;
		}
		if (l > len - pos - 1)
			goto bad;		/* label runs past the data */
		if (labels++ > 0) {
			out_putc(&pres, '.');
			out_putc(&safe, '.');
		}
		for (i = 0; i < l; i++) {
			unsigned char c = wire[pos + 1 + i];

			out_pres_byte(&pres, c);
			/* The safe form (SPEC 3.1, TEXT_DNS) keeps
			 * [A-Za-z0-9._-] of the raw label bytes joined by
			 * dots, so a '.' byte inside a label stays a '.'
			 * (the name is then never a hostname: see odd). */
			out_putc(&safe, text_safe(TEXT_DNS, (char)c));
			if (!text_is_ldh(c))
				odd = true;
		}
		pos += 1 + l;
	}
	if (pos != len)
		goto bad;			/* trailing garbage */
	if (pres.full || safe.full)
		goto bad;
	if (labels == 0) {
		out_putc(&pres, '.');
		out_putc(&safe, '.');
		return 0;
	}
	/* Only names made of LDH labels can be host names; safe is then
	 * the exact name. */
	out->hostname = !odd && dname_valid_hostname(out->safe);
	return 0;

bad:
	out->pres[0] = '\0';
	out->safe[0] = '\0';
	out->hostname = false;
	return -1;
}

bool
dname_valid_hostname(const char *name)
{
	size_t len, i, label = 0;
	bool digits = true;		/* current label all digits so far */
	unsigned char c, prev = '.';

	if (name == NULL)
		return false;
	len = strnlen(name, TEXT_NAME_MAX + 2);
	if (len > 0 && name[len - 1] == '.')
		len--;			/* one trailing dot allowed */
	if (len == 0 || len > TEXT_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c == '.') {
			/* Empty label, or one ending in '-'. */
			if (label == 0 || prev == '-')
				return false;
			label = 0;
			digits = true;
		} else {
			if (!text_is_ldh(c))
				return false;
			if (c == '-' && label == 0)
				return false;
			if (++label > WIRE_LABEL_MAX)
				return false;
			if (!text_is_digit(c))
				digits = false;
		}
		prev = c;
	}
	if (prev == '-')
		return false;
	/* Postfix: an all-numeric name could be mistaken for an address;
	 * a numeric top label never exists (RFC 3696 2). */
	return !digits;
}

bool
dname_equal(const char *a, const char *b)
{
	size_t la, lb, i;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	if (la != lb)
		return false;
	for (i = 0; i < la; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

size_t
dname_lower(const char *name, char buf[DNAME_TEXT_MAX])
{
	size_t len, i;

	buf[0] = '\0';
	if (name == NULL)
		return 0;
	len = strnlen(name, DNAME_TEXT_MAX + 1);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len >= DNAME_TEXT_MAX)
		return 0;		/* over 253 characters */
	for (i = 0; i < len; i++)
		buf[i] = ascii_lower(name[i]);
	buf[len] = '\0';
	return len;
}

bool
dname_pattern_match(const char *pattern, const char *name, size_t n)
{
	size_t len = strlen(pattern);

	if (strcmp(pattern, "*") == 0)
		return true;
	if (pattern[0] == '.')
		/* ".example.com" matches "a.example.com", not "example.com":
		 * the name must be longer. */
		return n > len && str_nieq(name + n - len, pattern, len);
	return n == len && str_nieq(name, pattern, n);
}

int
dname_pattern_rank(const char *pattern)
{
	size_t n = strnlen(pattern, DNAME_RANK_EXACT - 1);

	if (strcmp(pattern, "*") == 0)
		return 0;
	if (pattern[0] == '.')
		return 1 + (int)n;
	return DNAME_RANK_EXACT + (int)n;
}

int
dname_helo_literal(const char *helo, struct rdns_ip *ip)
{
	static const char tag[] = "IPv6:";
	const char *in;
	struct in6_addr a6;
	struct in_addr a4;
	size_t len, n, i;

	if (helo == NULL || helo[0] != '[')
		return 0;
	/* "[" + "IPv6:" + 45 address characters + "]"; longer is junk. */
	len = strnlen(helo, 2 * DNAME_IPSTR_MAX);
	if (len < 3 || helo[len - 1] != ']' || helo[len] != '\0')
		return -1;
	in = helo + 1;
	n = len - 2;
	if (n > sizeof tag - 1 && ascii_lower(in[0]) == 'i') {
		for (i = 0; i < sizeof tag - 1; i++)
			if (ascii_lower(in[i]) != ascii_lower(tag[i]))
				return -1;
		/* RFC 5321 4.1.3: IPv6-address-literal. */
		if (parse_ip_n(in + i, n - i, AF_INET6, &a6) == -1)
			return -1;
		if (ip != NULL)
			ip_set_v6(ip, &a6);
		return 1;
	}
	/* IPv4-address-literal; a general literal ("tag:...") or a bare
	 * IPv6 address without the tag is not valid for us. */
	if (parse_ip_n(in, n, AF_INET, &a4) == -1)
		return -1;
	if (ip != NULL) {
		memset(ip, 0, sizeof *ip);
		ip->family = AF_INET;
		ip->u.v4 = a4;
	}
	return 1;
}
