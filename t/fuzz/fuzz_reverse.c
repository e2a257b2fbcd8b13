/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_reverse.c - libFuzzer target: client addresses and their reverse
 * lookup names (dname_reverse, dname_ip_from_sockaddr, dname_ip_str,
 * dname_ip_equal_rdata).
 *
 * Input: one byte whose low bit picks IPv4 or IPv6, then 4 or 16 address
 * bytes, then one byte used as an output buffer size, then any bytes
 * compared as A/AAAA rdata.  The reverse name must have the RFC 1035 3.5
 * / RFC 3596 2.5 shape and give the address back; IPv4-mapped IPv6
 * sockaddrs fold to IPv4; short buffers fail cleanly.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "d.c.b.a.in-addr.arpa.", each octet decimal without leading zeros. */
static void
check_v4(const char *rev, const uint8_t a[4])
{
	static const char suffix[] = ".in-addr.arpa.";
	const char *p = rev;
	int i;

	for (i = 3; i >= 0; i--) {
		unsigned v = 0;
		const char *start = p;

		while (*p >= '0' && *p <= '9')
			v = v * 10 + (unsigned)(*p++ - '0');
		FUZZ_ASSERT(p > start && p - start <= 3);
		FUZZ_ASSERT(*start != '0' || p - start == 1);
		FUZZ_ASSERT(v == a[i]);
		if (i > 0)
			FUZZ_ASSERT(*p++ == '.');
	}
	FUZZ_ASSERT(strcmp(p, suffix) == 0);
}

/* 32 nibbles, least significant first, each followed by a dot, then
 * "ip6.arpa.": 73 characters. */
static void
check_v6(const char *rev, const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	FUZZ_ASSERT(strlen(rev) == 73);
	for (i = 0; i < 32; i++) {
		uint8_t b = a[15 - i / 2];
		char want = hex[i % 2 == 0 ? b & 0x0f : b >> 4];

		FUZZ_ASSERT(rev[2 * i] == want);
		FUZZ_ASSERT(rev[2 * i + 1] == '.');
	}
	FUZZ_ASSERT(strcmp(rev + 64, "ip6.arpa.") == 0);
}

static void
check_ip(const struct rdns_ip *ip, size_t buflen)
{
	char rev[DNAME_REVERSE_MAX], text[DNAME_IPSTR_MAX], *small;
	struct rdns_ip back;

	FUZZ_ASSERT(dname_reverse(ip, rev, sizeof rev) == 0);
	FUZZ_ASSERT(strlen(rev) < sizeof rev);
	if (ip->family == AF_INET)
		check_v4(rev, (const uint8_t *)&ip->u.v4);
	else
		check_v6(rev, ip->u.v6.s6_addr);
	/* The query name is a name: LDH labels, "arpa" last. */
	FUZZ_ASSERT(dname_valid_hostname(rev));

	/* A buffer of any size: the whole name or nothing. */
	small = malloc(buflen > 0 ? buflen : 1);
	if (small == NULL)
		abort();
	if (dname_reverse(ip, small, buflen) == 0)
		FUZZ_ASSERT(buflen > strlen(rev) &&
		    strcmp(small, rev) == 0);
	else if (buflen > 0)
		FUZZ_ASSERT(small[0] == '\0' && buflen <= strlen(rev) + 1);
	free(small);

	/* Text form round trip. */
	dname_ip_str(ip, text, sizeof text);
	FUZZ_ASSERT(dname_parse_ip(text, &back) == 0);
	if (ip->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&ip->u.v6))
		FUZZ_ASSERT(back.family == AF_INET &&
		    memcmp(&back.u.v4, &ip->u.v6.s6_addr[12], 4) == 0);
	else
		FUZZ_ASSERT(dname_ip_equal(ip, &back));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	struct rdns_ip ip, sip;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	uint8_t addr[16], rdata[32];
	size_t buflen, n;
	bool want;

	fuzz_in_init(&in, data, size);
	memset(&ip, 0, sizeof ip);
	memset(addr, 0, sizeof addr);
	if (fuzz_u8(&in) & 1) {
		ip.family = AF_INET6;
		fuzz_bytes(&in, addr, 16);
		memcpy(&ip.u.v6, addr, 16);
		memset(&sin6, 0, sizeof sin6);
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, addr, 16);
		FUZZ_ASSERT(dname_ip_from_sockaddr(
		    (struct sockaddr *)&sin6, &sip) == 0);
		if (IN6_IS_ADDR_V4MAPPED(&ip.u.v6))
			FUZZ_ASSERT(sip.family == AF_INET &&
			    memcmp(&sip.u.v4, addr + 12, 4) == 0);
		else
			FUZZ_ASSERT(dname_ip_equal(&sip, &ip));
	} else {
		ip.family = AF_INET;
		fuzz_bytes(&in, addr, 4);
		memcpy(&ip.u.v4, addr, 4);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, addr, 4);
		FUZZ_ASSERT(dname_ip_from_sockaddr(
		    (struct sockaddr *)&sin, &sip) == 0);
		FUZZ_ASSERT(dname_ip_equal(&sip, &ip));
	}
	buflen = fuzz_u8(&in) % 80;
	check_ip(&ip, buflen);
	check_ip(&sip, buflen);

	/* A/AAAA rdata: equal only with the right length and bytes. */
	n = fuzz_bytes(&in, rdata, sizeof rdata);
	want = ((ip.family == AF_INET && n == 4) ||
	    (ip.family == AF_INET6 && n == 16)) &&
	    memcmp(rdata, addr, n) == 0;
	FUZZ_ASSERT(dname_ip_equal_rdata(&ip, rdata, n) == want);
	FUZZ_ASSERT(dname_ip_equal_rdata(&ip, addr,
	    ip.family == AF_INET ? 4 : 16));
	FUZZ_ASSERT(!dname_ip_equal_rdata(&ip, NULL, 4));
	return 0;
}
