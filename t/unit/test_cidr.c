/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cidr.c - unit tests for milter/cidr.c: parsing address blocks and
 * matching client addresses against them.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"
#include "cidr.h"

/* The network address of a parsed block as text. */
static void
net_str(const struct cidr *c, char *buf, size_t len)
{
	assert_non_null(inet_ntop(c->family, c->addr, buf, (socklen_t)len));
}

static void
parse_valid_blocks_clears_host_bits(void **state)
{
	static const struct {
		const char	*in;
		int		 family;
		const char	*net;
		int		 prefix;
	} t[] = {
		{ "192.0.2.0/24", AF_INET, "192.0.2.0", 24 },
		{ "192.0.2.1/24", AF_INET, "192.0.2.0", 24 },
		{ "192.0.2.255/25", AF_INET, "192.0.2.128", 25 },
		{ "10.1.2.3/8", AF_INET, "10.0.0.0", 8 },
		{ "10.255.2.3/9", AF_INET, "10.128.0.0", 9 },
		{ "127.0.0.0/8", AF_INET, "127.0.0.0", 8 },
		{ "203.0.113.42", AF_INET, "203.0.113.42", 32 },
		{ "203.0.113.42/32", AF_INET, "203.0.113.42", 32 },
		{ "203.0.113.43/31", AF_INET, "203.0.113.42", 31 },
		{ "203.0.113.42/0", AF_INET, "0.0.0.0", 0 },
		{ "0.0.0.0/0", AF_INET, "0.0.0.0", 0 },
		{ "255.255.255.255/1", AF_INET, "128.0.0.0", 1 },
		{ "255.255.255.255/17", AF_INET, "255.255.128.0", 17 },
		{ "192.0.2.0/024", AF_INET, "192.0.2.0", 24 },
		{ "  192.0.2.0/24\t", AF_INET, "192.0.2.0", 24 },
		{ "::1", AF_INET6, "::1", 128 },
		{ "::1/128", AF_INET6, "::1", 128 },
		{ "::/0", AF_INET6, "::", 0 },
		{ "2001:db8::/32", AF_INET6, "2001:db8::", 32 },
		{ "2001:db8:ffff::1/32", AF_INET6, "2001:db8::", 32 },
		{ "2001:DB8:1:2:3:4:5:6/64", AF_INET6, "2001:db8:1:2::", 64 },
		{ "2001:db8:1:2:3:4:5:6/127", AF_INET6,
		    "2001:db8:1:2:3:4:5:6", 127 },
		{ "2001:db8:1:2:3:4:5:7/127", AF_INET6,
		    "2001:db8:1:2:3:4:5:6", 127 },
		{ "2001:db8:1:2:3:4:5:6/65", AF_INET6, "2001:db8:1:2::", 65 },
		{ "2001:db8:1:2:ffff:4:5:6/65", AF_INET6,
		    "2001:db8:1:2:8000::", 65 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/1", AF_INET6,
		    "8000::", 1 },
		/* IPv4-mapped blocks become the IPv4 block: clients are
		 * folded to IPv4 before matching. */
		{ "::ffff:192.0.2.1", AF_INET, "192.0.2.1", 32 },
		{ "::ffff:192.0.2.0/120", AF_INET, "192.0.2.0", 24 },
		{ "::ffff:0:0/96", AF_INET, "0.0.0.0", 0 },
	};
	char buf[INET6_ADDRSTRLEN], err[128];
	struct cidr c;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(&c, 0xa5, sizeof c);
		WANT_INT(i, t[i].in, cidr_parse(t[i].in, &c, err, sizeof err),
		    0);
		WANT_INT(i, t[i].in, c.family, t[i].family);
		WANT_INT(i, t[i].in, c.prefix, t[i].prefix);
		net_str(&c, buf, sizeof buf);
		WANT_STR(i, t[i].in, buf, t[i].net);
		if (c.family == AF_INET) {
			static const uint8_t zero[12];

			/* The unused tail stays zero. */
			WANT_INT(i, t[i].in,
			    memcmp(c.addr + 4, zero, sizeof zero), 0);
		}
	}
}

static void
parse_rejects_junk_with_message(void **state)
{
	static const struct {
		const char	*in;
		const char	*want_err;
	} t[] = {
		{ "", "empty network: \"\"" },
		{ "   ", "empty network: \"   \"" },
		{ "junk", "invalid network address: \"junk\"" },
		{ "192.0.2.0/", "invalid prefix length: \"192.0.2.0/\"" },
		{ "/24", "invalid network address: \"/24\"" },
		{ "192.0.2.0/33",
		    "prefix length out of range: \"192.0.2.0/33\"" },
		{ "192.0.2.0/-1", "invalid prefix length: \"192.0.2.0/-1\"" },
		{ "192.0.2.0/+8", "invalid prefix length: \"192.0.2.0/+8\"" },
		{ "192.0.2.0/24x", "invalid prefix length: \"192.0.2.0/24x\"" },
		{ "192.0.2.0/2 4", "invalid prefix length: \"192.0.2.0/2 4\"" },
		{ "192.0.2.0 /24",
		    "invalid network address: \"192.0.2.0 /24\"" },
		{ "192.0.2.0/0024",
		    "invalid prefix length: \"192.0.2.0/0024\"" },
		{ "192.0.2.0/24/8",
		    "invalid prefix length: \"192.0.2.0/24/8\"" },
		{ "192.0.2/24", "invalid network address: \"192.0.2/24\"" },
		{ "192.0.2.256/24",
		    "invalid network address: \"192.0.2.256/24\"" },
		{ "2001:db8::/129", "prefix length out of range: "
		    "\"2001:db8::/129\"" },
		{ "2001:db8::/999", "prefix length out of range: "
		    "\"2001:db8::/999\"" },
		{ "2001:db8:::/32", "invalid network address: "
		    "\"2001:db8:::/32\"" },
		{ "fe80::1%eth0/64", "invalid network address: "
		    "\"fe80::1%eth0/64\"" },
		{ "[::1]/128", "invalid network address: \"[::1]/128\"" },
		{ "192.0.2.0/24,10.0.0.0/8",
		    "invalid prefix length: \"192.0.2.0/24,10.0.0.0/8\"" },
		{ "bad\001\n/8", "invalid network address: \"bad?\?/8\"" },
	};
	char err[128];
	struct cidr c;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		strcpy(err, "unset");
		WANT_INT(i, t[i].in, cidr_parse(t[i].in, &c, err, sizeof err),
		    -1);
		WANT_STR(i, t[i].in, err, t[i].want_err);
	}
}

static void
parse_error_message_is_capped(void **state)
{
	char in[300], err[256];
	struct cidr c;

	(void)state;
	memset(in, 'z', sizeof in - 1);
	in[sizeof in - 1] = '\0';
	assert_int_equal(cidr_parse(in, &c, err, sizeof err), -1);
	/* "invalid network address: "" + 64 bytes + """ */
	assert_int_equal(strlen(err), strlen("invalid network address: \"\"")
	    + 64);
	/* A tiny or missing error buffer is fine. */
	assert_int_equal(cidr_parse(in, &c, err, 1), -1);
	assert_string_equal(err, "");
	assert_int_equal(cidr_parse(in, &c, NULL, 0), -1);
	assert_int_equal(cidr_parse(NULL, &c, err, sizeof err), -1);
}

static void
match_by_family_and_prefix(void **state)
{
	static const struct {
		const char	*block;
		const char	*ip;
		bool		 want;
	} t[] = {
		{ "192.0.2.0/24", "192.0.2.0", true },
		{ "192.0.2.0/24", "192.0.2.255", true },
		{ "192.0.2.0/24", "192.0.3.0", false },
		{ "192.0.2.0/24", "192.0.1.255", false },
		{ "192.0.2.128/25", "192.0.2.127", false },
		{ "192.0.2.128/25", "192.0.2.128", true },
		{ "10.0.0.0/9", "10.127.255.255", true },
		{ "10.0.0.0/9", "10.128.0.0", false },
		{ "203.0.113.42/32", "203.0.113.42", true },
		{ "203.0.113.42", "203.0.113.43", false },
		{ "0.0.0.0/0", "198.51.100.1", true },
		{ "0.0.0.0/0", "2001:db8::1", false },
		{ "::/0", "2001:db8::1", true },
		{ "::/0", "192.0.2.1", false },
		{ "127.0.0.0/8", "127.255.0.1", true },
		{ "127.0.0.0/8", "::ffff:127.0.0.1", true },
		{ "::1/128", "::1", true },
		{ "::1/128", "::2", false },
		{ "::1/128", "127.0.0.1", false },
		{ "2001:db8::/32", "2001:db8:ffff::1", true },
		{ "2001:db8::/32", "2001:db9::1", false },
		{ "2001:db8:1:2::/65", "2001:db8:1:2:7fff::1", true },
		{ "2001:db8:1:2::/65", "2001:db8:1:2:8000::1", false },
		{ "2001:db8::1/128", "2001:db8::1", true },
		{ "2001:db8::1/127", "2001:db8::", true },
		{ "2001:db8::1/127", "2001:db8::2", false },
		/* A block in ::ffff:0:0/96 matches folded IPv4 clients. */
		{ "::ffff:192.0.2.0/120", "192.0.2.9", true },
		{ "::ffff:192.0.2.0/120", "::ffff:192.0.2.9", true },
		{ "::ffff:192.0.2.0/120", "192.0.3.9", false },
		/* Same bytes, other family. */
		{ "0.0.0.1/32", "::1", false },
		{ "::c000:201/128", "192.0.2.1", false },
	};
	char err[128];
	struct cidr c;
	struct rdns_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		WANT_INT(i, t[i].block, cidr_parse(t[i].block, &c, err,
		    sizeof err), 0);
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].ip, cidr_match(&c, &ip), t[i].want);
	}
	assert_false(cidr_match(NULL, &ip));
	assert_false(cidr_match(&c, NULL));
}

static void
match_any_of_list(void **state)
{
	static const char *const blocks[] = {
		"127.0.0.0/8", "::1/128", "192.0.2.0/24", "2001:db8::/48",
	};
	static const struct {
		const char	*ip;
		bool		 want;
	} t[] = {
		{ "127.0.0.1", true },
		{ "::1", true },
		{ "192.0.2.200", true },
		{ "2001:db8:0:ffff::1", true },
		{ "2001:db8:1::1", false },
		{ "198.51.100.1", false },
		{ "::2", false },
	};
	struct cidr list[NELEM(blocks)];
	struct rdns_ip ip;
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(blocks); i++)
		assert_int_equal(cidr_parse(blocks[i], &list[i], err,
		    sizeof err), 0);
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].ip, cidr_match_any(list, NELEM(list), &ip),
		    t[i].want);
	}
	ip = test_util_ip("127.0.0.1");
	assert_false(cidr_match_any(list, 0, &ip));
	assert_false(cidr_match_any(NULL, 3, &ip));
	assert_false(cidr_match_any(list + 1, NELEM(list) - 1, &ip));
}

static void
count_and_enumerate_blocks(void **state)
{
	static const struct {
		const char	*block;
		uint64_t	 count;
		uint64_t	 i;		/* an index to look at */
		const char	*nth;		/* the address there, or NULL:
						   out of range */
		const char	*str;		/* cidr_str() */
	} t[] = {
		{ "192.0.2.0/24", 256, 0, "192.0.2.0", "192.0.2.0/24" },
		{ "192.0.2.0/24", 256, 255, "192.0.2.255", "192.0.2.0/24" },
		{ "192.0.2.0/24", 256, 256, NULL, "192.0.2.0/24" },
		{ "10.20.0.0/16", 65536, 258, "10.20.1.2", "10.20.0.0/16" },
		{ "10.20.0.0/16", 65536, 65535, "10.20.255.255",
		    "10.20.0.0/16" },
		{ "0.0.0.0/0", 4294967296ULL, 4294967295ULL,
		    "255.255.255.255", "0.0.0.0/0" },
		{ "192.0.2.7/32", 1, 0, "192.0.2.7", "192.0.2.7/32" },
		{ "192.0.2.7/32", 1, 1, NULL, "192.0.2.7/32" },
		{ "2001:db8::/120", 256, 255, "2001:db8::ff",
		    "2001:db8::/120" },
		{ "2001:db8::/112", 65536, 65535, "2001:db8::ffff",
		    "2001:db8::/112" },
		{ "2001:db8::/64", UINT64_MAX, 0x0102030405060708ULL,
		    "2001:db8::102:304:506:708", "2001:db8::/64" },
		{ "2001:db8::/63", UINT64_MAX, 0, "2001:db8::",
		    "2001:db8::/63" },
		{ "::ffff:192.0.2.0/120", 256, 3, "192.0.2.3",
		    "192.0.2.0/24" },
	};
	struct cidr c;
	struct rdns_ip ip, want;
	char err[128], buf[DNAME_IPSTR_MAX + 4];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		assert_int_equal(cidr_parse(t[i].block, &c, err, sizeof err),
		    0);
		if (cidr_count(&c) != t[i].count)
			fail_msg("case %zu (%s): count %llu, want %llu", i,
			    t[i].block, (unsigned long long)cidr_count(&c),
			    (unsigned long long)t[i].count);
		cidr_str(&c, buf, sizeof buf);
		WANT_STR(i, t[i].block, buf, t[i].str);
		if (t[i].nth == NULL) {
			WANT_INT(i, t[i].block, cidr_nth(&c, t[i].i, &ip), -1);
			continue;
		}
		WANT_INT(i, t[i].block, cidr_nth(&c, t[i].i, &ip), 0);
		want = test_util_ip(t[i].nth);
		if (!dname_ip_equal(&ip, &want)) {
			dname_ip_str(&ip, buf, sizeof buf);
			fail_msg("case %zu (%s): address %llu is %s, want %s",
			    i, t[i].block, (unsigned long long)t[i].i, buf,
			    t[i].nth);
		}
	}
}

static void
enumeration_is_ascending_and_stays_in_block(void **state)
{
	struct cidr c;
	struct rdns_ip ip, prev;
	char err[128];
	uint64_t i;

	(void)state;
	assert_int_equal(cidr_parse("198.51.100.0/22", &c, err, sizeof err),
	    0);
	for (i = 0; i < cidr_count(&c); i++) {
		assert_int_equal(cidr_nth(&c, i, &ip), 0);
		assert_true(cidr_match(&c, &ip));
		if (i > 0)
			assert_true(memcmp(&prev.u.v4, &ip.u.v4, 4) < 0);
		prev = ip;
	}
	assert_int_equal(i, 1024);
}

static void
block_of_an_address(void **state)
{
	static const struct {
		const char	*ip;
		int		 prefix;
		const char	*want;
	} t[] = {
		{ "203.0.113.42", 24, "203.0.113.0/24" },
		{ "203.0.113.42", 32, "203.0.113.42/32" },
		{ "203.0.113.42", 40, "203.0.113.42/32" },
		{ "203.0.113.42", 0, "0.0.0.0/0" },
		{ "2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64" },
		{ "2001:db8:1:2:3:4:5:6", 120, "2001:db8:1:2:3:4:5:0/120" },
	};
	struct cidr c;
	struct rdns_ip ip;
	char buf[DNAME_IPSTR_MAX + 4];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		cidr_of_ip(&ip, t[i].prefix, &c);
		cidr_str(&c, buf, sizeof buf);
		WANT_STR(i, t[i].ip, buf, t[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_valid_blocks_clears_host_bits),
		cmocka_unit_test(parse_rejects_junk_with_message),
		cmocka_unit_test(parse_error_message_is_capped),
		cmocka_unit_test(match_by_family_and_prefix),
		cmocka_unit_test(match_any_of_list),
		cmocka_unit_test(count_and_enumerate_blocks),
		cmocka_unit_test(enumeration_is_ascending_and_stays_in_block),
		cmocka_unit_test(block_of_an_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
