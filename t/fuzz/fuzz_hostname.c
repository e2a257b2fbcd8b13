/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_hostname.c - libFuzzer target: the text that reaches rdns-milter
 * from the SMTP client and the configuration: host names (HELO, the
 * connect host name), HELO address literals, address text and CIDR
 * blocks (dname_valid_hostname, dname_equal, dname_helo_literal,
 * dname_parse_ip, cidr_parse).
 *
 * The input is split at its first NUL byte into two strings a and b.
 * Each function is compared with an independent model written from its
 * contract in dname.h / cidr.h (inet_pton() for addresses), and results
 * are round-tripped through their text forms.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cidr.h"
#include "dname.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* dname.h: one optional trailing dot; labels of 1..63 LDH bytes, not
 * starting or ending with '-'; at most 253 characters; the last label
 * not all digits. */
static bool
model_hostname(const char *s)
{
	size_t len = strlen(s), i, start, l;
	bool digits = true;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (start = 0; start <= len; start = i + 1) {
		for (i = start; i < len && s[i] != '.'; i++)
			;
		l = i - start;
		if (l == 0 || l > 63 || s[start] == '-' || s[i - 1] == '-')
			return false;
		digits = true;
		for (; start < i; start++) {
			if (!ldh((unsigned char)s[start]))
				return false;
			if (s[start] < '0' || s[start] > '9')
				digits = false;
		}
	}
	return !digits;
}

/* Two bytes are the same letter in ASCII: equal, or one is the upper-case
 * letter of the other (no table, no to-lower function, unlike dname.c). */
static bool
same_byte(unsigned char x, unsigned char y)
{
	return x == y || (x >= 'A' && x <= 'Z' && y == x + ('a' - 'A')) ||
	    (y >= 'A' && y <= 'Z' && x == y + ('a' - 'A'));
}

/* At the end of a name: its last byte, or its final dot (the root label,
 * RFC 1034 3.1: "a.b." and "a.b" name the same host). */
static bool
at_end(const char *s)
{
	return s[0] == '\0' || (s[0] == '.' && s[1] == '\0');
}

/*
 * dname.h: ASCII case-insensitive, one trailing dot on either side.
 * Written as the wire form compares names, label by label (RFC 1035
 * 3.1): the same number of labels, each of the same length with the
 * same letters, and both names ending together.  dname_equal() strips
 * the dots and compares whole strings instead.
 */
static bool
model_equal(const char *a, const char *b)
{
	size_t la, lb, i;

	for (;;) {
		la = strcspn(a, ".");
		lb = strcspn(b, ".");
		if (la != lb)
			return false;
		for (i = 0; i < la; i++)
			if (!same_byte((unsigned char)a[i],
			    (unsigned char)b[i]))
				return false;
		a += la;
		b += lb;
		if (at_end(a) || at_end(b))
			return at_end(a) && at_end(b);
		a++;		/* the dot between two labels */
		b++;
	}
}

/* An address from inet_pton(), ::ffff:a.b.c.d folded to IPv4. */
static int
model_ip(int family, const char *s, struct rdns_ip *ip)
{
	uint8_t buf[16];
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	memset(ip, 0, sizeof *ip);
	if (inet_pton(family, s, buf) != 1)
		return -1;
	if (family == AF_INET6 && memcmp(buf, mapped, 12) == 0) {
		ip->family = AF_INET;
		memcpy(&ip->u.v4, buf + 12, 4);
	} else if (family == AF_INET6) {
		ip->family = AF_INET6;
		memcpy(&ip->u.v6, buf, 16);
	} else {
		ip->family = AF_INET;
		memcpy(&ip->u.v4, buf, 4);
	}
	return 0;
}

/* RFC 5321 4.1.3 as dname.h narrows it: "[v4]" or "[IPv6:v6]". */
static int
model_literal(const char *s, struct rdns_ip *ip)
{
	size_t len = strlen(s);
	char *in;
	int rc;

	if (s[0] != '[')
		return 0;
	if (len < 3 || s[len - 1] != ']')
		return -1;
	in = fuzz_strndup((const uint8_t *)s + 1, len - 2);
	if (strncasecmp(in, "IPv6:", 5) == 0 && len - 2 > 5)
		rc = model_ip(AF_INET6, in + 5, ip);
	else
		rc = model_ip(AF_INET, in, ip);
	free(in);
	return rc == 0 ? 1 : -1;
}

static void
check_one_name(const char *a)
{
	char *up, *dot;
	size_t i, n = strlen(a);

	FUZZ_ASSERT(dname_valid_hostname(a) == model_hostname(a));
	FUZZ_ASSERT(dname_equal(a, a));
	FUZZ_ASSERT(!dname_equal(a, NULL) && !dname_equal(NULL, a));
	up = fuzz_strndup((const uint8_t *)a, n);
	for (i = 0; i < n; i++)
		if (up[i] >= 'a' && up[i] <= 'z')
			up[i] = (char)(up[i] - 32);
	FUZZ_ASSERT(dname_equal(a, up));
	FUZZ_ASSERT(dname_valid_hostname(up) == dname_valid_hostname(a));
	free(up);
	if (n == 0 || a[n - 1] != '.') {
		dot = malloc(n + 2);
		if (dot == NULL)
			abort();
		memcpy(dot, a, n);
		dot[n] = '.';
		dot[n + 1] = '\0';
		FUZZ_ASSERT(dname_equal(a, dot));
		/* One trailing dot more is still the same host name. */
		if (n < 253)
			FUZZ_ASSERT(dname_valid_hostname(dot) ==
			    dname_valid_hostname(a));
		free(dot);
	}
}

static void
check_literal(const char *a)
{
	struct rdns_ip got, want, again;
	char text[DNAME_IPSTR_MAX], lit[DNAME_IPSTR_MAX + 8];
	int rc = dname_helo_literal(a, &got);

	FUZZ_ASSERT(rc == model_literal(a, &want));
	FUZZ_ASSERT(dname_helo_literal(a, NULL) == rc);
	if (rc != 1)
		return;
	FUZZ_ASSERT(dname_ip_equal(&got, &want));
	dname_ip_str(&got, text, sizeof text);
	snprintf(lit, sizeof lit, got.family == AF_INET ? "[%s]" :
	    "[IPv6:%s]", text);
	FUZZ_ASSERT(dname_helo_literal(lit, &again) == 1);
	FUZZ_ASSERT(dname_ip_equal(&got, &again));
}

static void
check_ip(const char *a)
{
	struct rdns_ip got, want, again;
	char text[DNAME_IPSTR_MAX];
	int rc = dname_parse_ip(a, &got), wrc;

	wrc = model_ip(strchr(a, ':') != NULL ? AF_INET6 : AF_INET, a, &want);
	FUZZ_ASSERT(rc == wrc);
	if (rc != 0)
		return;
	FUZZ_ASSERT(dname_ip_equal(&got, &want));
	dname_ip_str(&got, text, sizeof text);
	FUZZ_ASSERT(text[0] != '\0');
	FUZZ_ASSERT(dname_parse_ip(text, &again) == 0);
	FUZZ_ASSERT(dname_ip_equal(&got, &again));
	FUZZ_ASSERT(!dname_ip_equal(&got, NULL));
}

static void
check_cidr(const char *a)
{
	struct cidr c;
	struct rdns_ip ip;
	char err[128];
	const char *p;
	int max, i;

	memset(err, 'x', sizeof err);
	if (cidr_parse(a, &c, err, sizeof err) == -1) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
		FUZZ_ASSERT(err[0] != '\0');
		for (p = err; *p != '\0'; p++)
			FUZZ_ASSERT(*p >= 0x20 && *p <= 0x7e);
		(void)cidr_parse(a, &c, NULL, 0);
		return;
	}
	FUZZ_ASSERT(err[0] == '\0');
	FUZZ_ASSERT(c.family == AF_INET || c.family == AF_INET6);
	max = c.family == AF_INET ? 32 : 128;
	FUZZ_ASSERT(c.prefix >= 0 && c.prefix <= max);
	/* Host bits are cleared. */
	for (i = c.prefix; i < max; i++)
		FUZZ_ASSERT((c.addr[i / 8] & (0x80 >> (i % 8))) == 0);
	/* The network address and the last address are inside. */
	memset(&ip, 0, sizeof ip);
	ip.family = c.family;
	memcpy(c.family == AF_INET ? (void *)&ip.u.v4 : (void *)&ip.u.v6,
	    c.addr, c.family == AF_INET ? 4 : 16);
	FUZZ_ASSERT(cidr_match(&c, &ip));
	FUZZ_ASSERT(cidr_match_any(&c, 1, &ip));
	for (i = c.prefix; i < max; i++) {
		uint8_t *b = c.family == AF_INET ? (uint8_t *)&ip.u.v4 :
		    ip.u.v6.s6_addr;

		b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	FUZZ_ASSERT(cidr_match(&c, &ip));
	/* The other family never matches. */
	ip.family = c.family == AF_INET ? AF_INET6 : AF_INET;
	FUZZ_ASSERT(!cidr_match(&c, &ip));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t na = nul != NULL ? (size_t)(nul - data) : size;
	char *a = fuzz_strndup(data, na);
	char *b = nul != NULL ? fuzz_strndup(nul + 1, size - na - 1) :
	    fuzz_strndup((const uint8_t *)"", 0);

	check_one_name(a);
	check_one_name(b);
	FUZZ_ASSERT(dname_equal(a, b) == model_equal(a, b));
	FUZZ_ASSERT(dname_equal(a, b) == dname_equal(b, a));
	check_literal(a);
	check_ip(a);
	check_ip(b);
	check_cidr(a);
	check_cidr(b);
	free(a);
	free(b);
	return 0;
}
