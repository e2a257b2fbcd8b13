/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dname.c - unit tests for milter/dname.c: addresses, reverse names,
 * PTR wire decoding, hostname syntax, name comparison, HELO literals,
 * domain patterns and their specificity.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

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
#include "dname.h"

/* --- dname_parse_ip --------------------------------------------------- */

static void
parse_ip_accepts_v4_v6_and_folds_mapped(void **state)
{
	static const struct {
		const char	*in;
		int		 want_family;
		const char	*want_str;
	} t[] = {
		{ "192.0.2.1", AF_INET, "192.0.2.1" },
		{ "0.0.0.0", AF_INET, "0.0.0.0" },
		{ "255.255.255.255", AF_INET, "255.255.255.255" },
		{ "2001:db8::1", AF_INET6, "2001:db8::1" },
		{ "2001:DB8::A", AF_INET6, "2001:db8::a" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", AF_INET6,
		    "2001:db8::1" },
		{ "::", AF_INET6, "::" },
		{ "::1", AF_INET6, "::1" },
		{ "::ffff:203.0.113.42", AF_INET, "203.0.113.42" },
		{ "::FFFF:203.0.113.42", AF_INET, "203.0.113.42" },
		{ "::ffff:cb00:712a", AF_INET, "203.0.113.42" },
		{ "0:0:0:0:0:ffff:192.0.2.1", AF_INET, "192.0.2.1" },
		/* IPv4-compatible (deprecated) is not mapped: stays IPv6. */
		{ "::192.0.2.1", AF_INET6, "::192.0.2.1" },
		{ "64:ff9b::192.0.2.1", AF_INET6, "64:ff9b::c000:201" },
	};
	char buf[DNAME_IPSTR_MAX];
	struct rdns_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(&ip, 0xa5, sizeof ip);
		WANT_INT(i, t[i].in, dname_parse_ip(t[i].in, &ip), 0);
		WANT_INT(i, t[i].in, ip.family, t[i].want_family);
		dname_ip_str(&ip, buf, sizeof buf);
		WANT_STR(i, t[i].in, buf, t[i].want_str);
	}
}

static void
parse_ip_rejects_junk_zone_prefix_and_space(void **state)
{
	static const char *const t[] = {
		"", " ", "192.0.2.1 ", " 192.0.2.1", "192.0.2.1\n",
		"192.0.2.1\r\n", "192.0.2", "192.0.2.256", "1.2.3.4.5",
		"01.2.3.4", "0x7f.0.0.1", "127.1", "192.0.2.0/24",
		"2001:db8::/32", "fe80::1%eth0", "fe80::1%1", "[::1]",
		"[192.0.2.1]", "example.com", "::ffff:1.2.3",
		"1:2:3:4:5:6:7:8:9",
		"2001:db8:::1", "2001:db8::g", ":", "::ffff:256.0.0.1",
		"IPv6:2001:db8::1",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb",
	};
	struct rdns_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		WANT_INT(i, t[i], dname_parse_ip(t[i], &ip), -1);
	assert_int_equal(dname_parse_ip(NULL, &ip), -1);
	assert_int_equal(dname_parse_ip("192.0.2.1", NULL), -1);
}

static void
parse_ip_stops_at_nul(void **state)
{
	/* "192.0.2.1\0junk": the C string ends at the NUL, so what is
	 * parsed is exactly "192.0.2.1"; make sure nothing past it leaks
	 * into the result. */
	static const char s[] = "192.0.2.1\0" "99";
	struct rdns_ip ip;
	char buf[DNAME_IPSTR_MAX];

	(void)state;
	assert_int_equal(dname_parse_ip(s, &ip), 0);
	dname_ip_str(&ip, buf, sizeof buf);
	assert_string_equal(buf, "192.0.2.1");
}

/* --- dname_ip_from_sockaddr ------------------------------------------- */

static void
ip_from_sockaddr_v4_v6_mapped_and_other(void **state)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct rdns_ip ip;
	char buf[DNAME_IPSTR_MAX];

	(void)state;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, "203.0.113.42", &sin.sin_addr), 1);
	assert_int_equal(dname_ip_from_sockaddr((struct sockaddr *)&sin, &ip),
	    0);
	assert_int_equal(ip.family, AF_INET);
	dname_ip_str(&ip, buf, sizeof buf);
	assert_string_equal(buf, "203.0.113.42");

	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::25", &sin6.sin6_addr),
	    1);
	assert_int_equal(dname_ip_from_sockaddr((struct sockaddr *)&sin6,
	    &ip), 0);
	assert_int_equal(ip.family, AF_INET6);
	dname_ip_str(&ip, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8::25");

	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.51.100.7",
	    &sin6.sin6_addr), 1);
	assert_int_equal(dname_ip_from_sockaddr((struct sockaddr *)&sin6,
	    &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	dname_ip_str(&ip, buf, sizeof buf);
	assert_string_equal(buf, "198.51.100.7");

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	assert_int_equal(dname_ip_from_sockaddr((struct sockaddr *)&sun, &ip),
	    -1);
	assert_int_equal(dname_ip_from_sockaddr(NULL, &ip), -1);
}

/* --- dname_ip_str ----------------------------------------------------- */

static void
ip_str_small_buffer_or_bad_family_gives_empty(void **state)
{
	struct rdns_ip ip = test_util_ip("203.0.113.42");
	char buf[DNAME_IPSTR_MAX];

	(void)state;
	memset(buf, 'x', sizeof buf);
	dname_ip_str(&ip, buf, 5);
	assert_string_equal(buf, "");
	dname_ip_str(&ip, buf, 13);		/* needs 13: exactly fits */
	assert_string_equal(buf, "203.0.113.42");
	dname_ip_str(&ip, buf, 12);
	assert_string_equal(buf, "");
	ip.family = AF_UNIX;
	dname_ip_str(&ip, buf, sizeof buf);
	assert_string_equal(buf, "");
	dname_ip_str(NULL, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* IPv4 text is made by hand: it must equal inet_ntop()'s for every octet
 * width (1, 2 and 3 digits, the edges of each). */
static void
ip_str_v4_equals_inet_ntop(void **state)
{
	static const uint8_t v[] = { 0, 1, 9, 10, 99, 100, 199, 200, 255 };
	struct rdns_ip ip;
	char buf[DNAME_IPSTR_MAX], want[INET_ADDRSTRLEN];
	uint8_t *b = (uint8_t *)&ip.u.v4;
	size_t i, j, k, l;

	(void)state;
	memset(&ip, 0, sizeof ip);
	ip.family = AF_INET;
	for (i = 0; i < sizeof v; i++)
		for (j = 0; j < sizeof v; j++)
			for (k = 0; k < sizeof v; k++)
				for (l = 0; l < sizeof v; l++) {
					b[0] = v[i];
					b[1] = v[j];
					b[2] = v[k];
					b[3] = v[l];
					assert_non_null(inet_ntop(AF_INET,
					    &ip.u.v4, want, sizeof want));
					dname_ip_str(&ip, buf, sizeof buf);
					assert_string_equal(buf, want);
				}
}

/* --- dname_ip_equal / dname_ip_equal_rdata ---------------------------- */

static void
ip_equal_same_family_only(void **state)
{
	static const struct {
		const char	*a, *b;
		bool		 want;
	} t[] = {
		{ "192.0.2.1", "192.0.2.1", true },
		{ "192.0.2.1", "192.0.2.2", false },
		{ "192.0.2.1", "::ffff:192.0.2.1", true },
		{ "2001:db8::1", "2001:0db8::0001", true },
		{ "2001:db8::1", "2001:db8::2", false },
		/* Same low bytes, other family. */
		{ "0.0.0.1", "::1", false },
		{ "192.0.2.1", "::192.0.2.1", false },
	};
	struct rdns_ip a, b;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		a = test_util_ip(t[i].a);
		b = test_util_ip(t[i].b);
		WANT_INT(i, t[i].a, dname_ip_equal(&a, &b), t[i].want);
		WANT_INT(i, t[i].b, dname_ip_equal(&b, &a), t[i].want);
	}
	assert_false(dname_ip_equal(NULL, &a));
	assert_false(dname_ip_equal(&a, NULL));
}

static void
ip_equal_rdata_checks_length_and_bytes(void **state)
{
	static const uint8_t a4[4] = { 203, 0, 113, 42 };
	static const uint8_t a4x[4] = { 203, 0, 113, 43 };
	static const uint8_t a6[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25
	};
	static const uint8_t a6x[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x26
	};
	static const uint8_t mapped[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 42
	};
	struct rdns_ip v4 = test_util_ip("203.0.113.42");
	struct rdns_ip v6 = test_util_ip("2001:db8::25");

	(void)state;
	assert_true(dname_ip_equal_rdata(&v4, a4, 4));
	assert_false(dname_ip_equal_rdata(&v4, a4x, 4));
	assert_false(dname_ip_equal_rdata(&v4, a4, 3));
	assert_false(dname_ip_equal_rdata(&v4, a4, 0));
	assert_false(dname_ip_equal_rdata(&v4, mapped, 16));
	assert_true(dname_ip_equal_rdata(&v6, a6, 16));
	assert_false(dname_ip_equal_rdata(&v6, a6x, 16));
	assert_false(dname_ip_equal_rdata(&v6, a6, 4));
	assert_false(dname_ip_equal_rdata(&v6, a6, 15));
	assert_false(dname_ip_equal_rdata(&v4, NULL, 4));
	assert_false(dname_ip_equal_rdata(NULL, a4, 4));
}

/* --- dname_reverse ---------------------------------------------------- */

static void
reverse_names_v4_v6_mapped(void **state)
{
	static const struct {
		const char	*ip;
		const char	*want;
	} t[] = {
		{ "203.0.113.42", "42.113.0.203.in-addr.arpa." },
		{ "0.0.0.0", "0.0.0.0.in-addr.arpa." },
		{ "255.255.255.255", "255.255.255.255.in-addr.arpa." },
		{ "::ffff:192.0.2.1", "1.2.0.192.in-addr.arpa." },
		/* All 16 bytes differ, and byte ef sits next to fe: a nibble
		 * taken from the wrong byte or in the wrong order shows. */
		{ "2001:db8:2345:6789:abcd:effe:dcba:9876",
		    "6.7.8.9.a.b.c.d.e.f.f.e.d.c.b.a."
		    "9.8.7.6.5.4.3.2.8.b.d.0.1.0.0.2.ip6.arpa." },
		{ "2001:db8::1",
		    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa." },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
		    "e.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f."
		    "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.ip6.arpa." },
	};
	char buf[DNAME_REVERSE_MAX];
	struct rdns_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		memset(buf, 'x', sizeof buf);
		WANT_INT(i, t[i].ip, dname_reverse(&ip, buf, sizeof buf), 0);
		WANT_STR(i, t[i].ip, buf, t[i].want);
	}
}

static void
reverse_name_buffer_too_small_fails(void **state)
{
	struct rdns_ip v4 = test_util_ip("255.255.255.255");
	struct rdns_ip v6 = test_util_ip("2001:db8::1");
	char buf[DNAME_REVERSE_MAX];

	(void)state;
	/* "255.255.255.255.in-addr.arpa." is 29 characters. */
	assert_int_equal(dname_reverse(&v4, buf, 29), -1);
	assert_string_equal(buf, "");
	assert_int_equal(dname_reverse(&v4, buf, 30), 0);
	assert_int_equal(strlen(buf), 29);
	/* An ip6.arpa name is 73 characters. */
	assert_int_equal(dname_reverse(&v6, buf, 73), -1);
	assert_int_equal(dname_reverse(&v6, buf, 74), 0);
	assert_int_equal(strlen(buf), 73);
	v4.family = AF_UNIX;
	assert_int_equal(dname_reverse(&v4, buf, sizeof buf), -1);
	assert_int_equal(dname_reverse(NULL, buf, sizeof buf), -1);
}

/* --- dname_from_wire -------------------------------------------------- */

/* Wire strings as C literals: the length excludes the literal's NUL. */
#define W(s)	(const uint8_t *)(s), sizeof(s) - 1

static void
from_wire_decodes_and_escapes(void **state)
{
	static const struct {
		const uint8_t	*wire;
		size_t		 len;
		const char	*want_pres;
		const char	*want_safe;
		bool		 want_host;
	} t[] = {
		/* What libunbound hands over for a PTR. */
		{ W("\004mail\007example\004test\000"),
		    "mail.example.test", "mail.example.test", true },
		{ W("\004MAIL\007Example\004TEST\000"),
		    "MAIL.Example.TEST", "MAIL.Example.TEST", true },
		{ W("\000"), ".", ".", false },
		{ W("\004test\000"), "test", "test", true },
		{ W("\0011\0012\0013\0014\000"), "1.2.3.4", "1.2.3.4", false },
		{ W("\004-bad\004test\000"), "-bad.test", "-bad.test", false },
		{ W("\006_dmarc\007example\000"),
		    "_dmarc.example", "_dmarc.example", false },
		/* Embedded NUL and control bytes. */
		{ W("\003a\000b\004test\000"), "a\\000b.test", "a?b.test",
		    false },
		{ W("\003a\010b\004test\000"), "a\\008b.test", "a?b.test",
		    false },
		{ W("\003a\nb\004test\000"), "a\\010b.test", "a?b.test",
		    false },
		{ W("\003a\rb\004test\000"), "a\\013b.test", "a?b.test",
		    false },
		{ W("\003a b\004test\000"), "a\\032b.test", "a?b.test", false },
		{ W("\003a\177b\004test\000"), "a\\127b.test", "a?b.test",
		    false },
		{ W("\003a\377b\004test\000"), "a\\255b.test", "a?b.test",
		    false },
		/* A dot inside a label is not a separator. */
		{ W("\003a.b\004test\000"), "a\\.b.test", "a.b.test", false },
		{ W("\007evil.co\002uk\000"), "evil\\.co.uk", "evil.co.uk",
		    false },
		/* RFC 1035 5.1 special characters. */
		{ W("\003a\\b\000"), "a\\\\b", "a?b", false },
		{ W("\003a\"b\000"), "a\\\"b", "a?b", false },
		{ W("\006;()@$x\000"), "\\;\\(\\)\\@\\$x", "?????x", false },
		{ W("\003a~b\000"), "a~b", "a?b", false },
		{ W("\003a/b\000"), "a/b", "a?b", false },
		/* Header/log injection attempts stay harmless in safe. */
		{ W("\010x\r\nBcc:y\004test\000"), "x\\013\\010Bcc:y.test",
		    "x??Bcc?y.test", false },
	};
	struct dname_wire_text out;
	char in[16];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		(void)snprintf(in, sizeof in, "row %zu", i);
		memset(&out, 'x', sizeof out);
		WANT_INT(i, in, dname_from_wire(t[i].wire, t[i].len, &out), 0);
		WANT_STR(i, in, out.pres, t[i].want_pres);
		WANT_STR(i, in, out.safe, t[i].want_safe);
		WANT_INT(i, in, out.hostname, t[i].want_host);
	}
}

static void
from_wire_rejects_malformed(void **state)
{
	static const struct {
		const char	*what;
		const uint8_t	*wire;
		size_t		 len;
	} t[] = {
		{ "empty", W("") },
		{ "no root label", W("\004mail") },
		{ "no root label after two", W("\004mail\004test") },
		{ "label runs past end", W("\004mai") },
		{ "second label truncated", W("\004mail\007exam") },
		{ "length byte only", W("\004") },
		{ "trailing byte", W("\004mail\000\000") },
		{ "trailing label", W("\000\004mail\000") },
		{ "compression pointer", W("\004mail\300\014") },
		{ "pointer first", W("\300\014") },
		{ "extended label 0x40", W("\101abc\000") },
		{ "reserved label 0x80", W("\200\000") },
		{ "label 64", W("\100") },
	};
	struct dname_wire_text out;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(&out, 'x', sizeof out);
		out.hostname = true;
		WANT_INT(i, t[i].what, dname_from_wire(t[i].wire, t[i].len,
		    &out), -1);
		WANT_STR(i, t[i].what, out.pres, "");
		WANT_STR(i, t[i].what, out.safe, "");
		WANT_INT(i, t[i].what, out.hostname, false);
	}
	assert_int_equal(dname_from_wire(NULL, 5, &out), -1);
	assert_int_equal(dname_from_wire(W("\000"), NULL), -1);
}

/* Build a wire name of labels of the given sizes, filled with 'a'..;
 * returns the wire length. */
static size_t
build_wire(uint8_t *w, size_t wsize, const size_t *sizes, size_t n)
{
	size_t o = 0, i, k;

	for (i = 0; i < n; i++) {
		assert_true(o + 1 + sizes[i] < wsize);
		w[o++] = (uint8_t)sizes[i];
		for (k = 0; k < sizes[i]; k++)
			w[o++] = (uint8_t)('a' + (i + k) % 26);
	}
	assert_true(o < wsize);
	w[o++] = 0;
	return o;
}

static void
from_wire_label_63_ok_64_rejected(void **state)
{
	static const size_t l63[] = { 63, 4 };
	static const size_t l64[] = { 64, 4 };
	struct dname_wire_text out;
	uint8_t w[512];
	size_t len;

	(void)state;
	len = build_wire(w, sizeof w, l63, NELEM(l63));
	assert_int_equal(len, 1 + 63 + 1 + 4 + 1);
	assert_int_equal(dname_from_wire(w, len, &out), 0);
	assert_int_equal(strlen(out.pres), 63 + 1 + 4);
	assert_string_equal(out.pres, out.safe);
	assert_true(out.hostname);

	len = build_wire(w, sizeof w, l64, NELEM(l64));
	assert_int_equal(dname_from_wire(w, len, &out), -1);
	assert_false(out.hostname);
}

static void
from_wire_total_255_ok_256_rejected(void **state)
{
	/* 3 * (1 + 63) + (1 + 61) + 1 = 255 octets; text 253 characters. */
	static const size_t ok[] = { 63, 63, 63, 61 };
	static const size_t big[] = { 63, 63, 63, 62 };
	/* Many short labels: 127 * (1 + 1) + 1 = 255 and 128 * 2 + 1. */
	size_t many[128];
	struct dname_wire_text out;
	uint8_t w[600];
	size_t len, i;

	(void)state;
	len = build_wire(w, sizeof w, ok, NELEM(ok));
	assert_int_equal(len, 255);
	assert_int_equal(dname_from_wire(w, len, &out), 0);
	assert_int_equal(strlen(out.safe), 253);
	assert_int_equal(strlen(out.pres), 253);
	assert_true(out.hostname);

	len = build_wire(w, sizeof w, big, NELEM(big));
	assert_int_equal(len, 256);
	assert_int_equal(dname_from_wire(w, len, &out), -1);
	assert_string_equal(out.pres, "");

	for (i = 0; i < NELEM(many); i++)
		many[i] = 1;
	len = build_wire(w, sizeof w, many, 127);
	assert_int_equal(len, 255);
	assert_int_equal(dname_from_wire(w, len, &out), 0);
	assert_int_equal(strlen(out.safe), 253);
	len = build_wire(w, sizeof w, many, 128);
	assert_int_equal(len, 257);
	assert_int_equal(dname_from_wire(w, len, &out), -1);
}

static void
from_wire_worst_case_escapes_fit(void **state)
{
	/* 255 octets of NUL labels: every byte becomes \000. */
	static const size_t sizes[] = { 63, 63, 63, 61 };
	struct dname_wire_text out;
	uint8_t w[300];
	size_t len, i, o = 0;

	(void)state;
	for (i = 0; i < NELEM(sizes); i++) {
		w[o++] = (uint8_t)sizes[i];
		memset(w + o, 0, sizes[i]);
		o += sizes[i];
	}
	w[o++] = 0;
	len = o;
	assert_int_equal(len, 255);
	assert_int_equal(dname_from_wire(w, len, &out), 0);
	assert_int_equal(strlen(out.pres), 250 * 4 + 3);
	assert_int_equal(strlen(out.safe), 253);
	assert_int_equal(strspn(out.safe, "?."), 253);
	assert_false(out.hostname);
}

/* --- dname_valid_hostname --------------------------------------------- */

static void
valid_hostname_follows_postfix_rules(void **state)
{
	static const struct {
		const char	*name;
		bool		 want;
	} t[] = {
		{ "mail.example.com", true },
		{ "mail.example.com.", true },
		{ "MAIL.Example.COM", true },
		{ "localhost", true },
		{ "a", true },
		{ "a.b", true },
		{ "3com.com", true },
		{ "123.example", true },
		{ "a.b1", true },
		{ "a.1b", true },
		{ "a-b.c", true },
		{ "a--b.c", true },
		{ "xn--bcher-kva.example", true },
		{ "ec2-203-0-113-42.compute-1.amazonaws.com", true },
		{ "", false },
		{ ".", false },
		{ "..", false },
		{ "mail.example.com..", false },
		{ ".mail.example.com", false },
		{ "mail..example.com", false },
		{ "123", false },
		{ "123.", false },
		{ "1.2.3.4", false },
		{ "1.2.3.4.", false },
		{ "example.123", false },
		{ "a.0", false },
		{ "0x7f.0.0.1", false },
		{ "-ab.c", false },
		{ "ab-.c", false },
		{ "a.b-", false },
		{ "a.-b", false },
		{ "-", false },
		{ "a_b.c", false },
		{ "a b.c", false },
		{ "mail.example.com\n", false },
		{ "mail.example.com\r", false },
		{ "a\tb", false },
		{ "2001:db8::1", false },
		{ "[192.0.2.1]", false },
		{ "caf\xc3\xa9.example", false },
		{ "a*.example", false },
		{ "a/b.example", false },
		{ "a@b.example", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		WANT_INT(i, t[i].name, dname_valid_hostname(t[i].name),
		    t[i].want);
	assert_false(dname_valid_hostname(NULL));
}

static void
valid_hostname_length_limits(void **state)
{
	char name[400];

	(void)state;
	/* Label of 63 ok, 64 rejected. */
	memset(name, 'a', 63);
	strcpy(name + 63, ".example");
	assert_true(dname_valid_hostname(name));
	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	assert_false(dname_valid_hostname(name));
	/* Last label of 63 / 64. */
	strcpy(name, "x.");
	memset(name + 2, 'b', 63);
	name[65] = '\0';
	assert_true(dname_valid_hostname(name));
	memset(name + 2, 'b', 64);
	name[66] = '\0';
	assert_false(dname_valid_hostname(name));

	/* 253 characters ok (+ one trailing dot ok), 254 rejected. */
	memset(name, 'a', sizeof name);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	assert_true(dname_valid_hostname(name));
	name[253] = '.';
	name[254] = '\0';
	assert_true(dname_valid_hostname(name));
	name[253] = 'a';
	assert_false(dname_valid_hostname(name));
	name[254] = '.';
	name[255] = '\0';
	assert_false(dname_valid_hostname(name));
	/* Much too long. */
	memset(name, 'a', sizeof name);
	for (size_t i = 50; i < sizeof name - 1; i += 50)
		name[i] = '.';
	name[sizeof name - 1] = '\0';
	assert_false(dname_valid_hostname(name));
}

/* --- dname_equal ------------------------------------------------------ */

static void
equal_ignores_case_and_one_trailing_dot(void **state)
{
	static const struct {
		const char	*a, *b;
		bool		 want;
	} t[] = {
		{ "mail.example.com", "mail.example.com", true },
		{ "Mail.Example.COM", "mail.example.com", true },
		{ "mail.example.com.", "MAIL.EXAMPLE.COM", true },
		{ "mail.example.com.", "mail.example.com.", true },
		{ "mail.example.com..", "mail.example.com", false },
		{ "mail.example.com", "mail.example.co", false },
		{ "mail.example.com", "mail.example.comx", false },
		{ "mail.example.com", "mail-example.com", false },
		{ "a", "b", false },
		{ "a", "", false },
		/* Only ASCII folds: no locale tricks. */
		{ "caf\xc3\xa9", "CAF\xc3\x89", false },
		{ "caf\xc3\xa9", "CAF\xc3\xa9", true },
		{ "@", "`", false },
		{ "[", "{", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		WANT_INT(i, t[i].a, dname_equal(t[i].a, t[i].b), t[i].want);
		WANT_INT(i, t[i].b, dname_equal(t[i].b, t[i].a), t[i].want);
	}
	assert_false(dname_equal(NULL, "a"));
	assert_false(dname_equal("a", NULL));
	assert_false(dname_equal(NULL, NULL));
}

/* --- dname_pattern_match, dname_pattern_rank ------------------------- */

static void
pattern_match_star_suffix_exact(void **state)
{
	static const struct {
		const char	*pattern, *name;
		bool		 want;
	} t[] = {
		{ "*", "example.com", true },
		{ "*", "", true },
		{ "example.com", "example.com", true },
		{ "example.com", "Example.COM", true },
		{ "example.com", "a.example.com", false },
		{ "example.com", "xexample.com", false },
		{ "example.com", "example.co", false },
		{ ".example.com", "a.example.com", true },
		{ ".example.com", "A.B.Example.Com", true },
		{ ".example.com", "example.com", false },
		{ ".example.com", "xexample.com", false },
		{ ".example.com", ".example.com", false },
		{ ".example.com", "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		WANT_INT(i, t[i].name, dname_pattern_match(t[i].pattern,
		    t[i].name, strlen(t[i].name)), t[i].want);
}

/* "*" < shorter suffix < longer suffix < any exact name. */
static void
pattern_rank_orders_by_specificity(void **state)
{
	static const char *const order[] = {
		"*", ".com", ".example.com", ".very-long-subdomain.example.com",
		"a.b", "example.com",
	};
	char longest[DNAME_TEXT_MAX + 1];
	size_t i;

	(void)state;
	for (i = 1; i < NELEM(order); i++)
		WANT_INT(i, order[i], dname_pattern_rank(order[i - 1]) <
		    dname_pattern_rank(order[i]), true);
	assert_int_equal(dname_pattern_rank("*"), 0);
	/* The longest suffix still ranks below the shortest exact name. */
	longest[0] = '.';
	memset(longest + 1, 'a', DNAME_TEXT_MAX - 1);
	longest[DNAME_TEXT_MAX] = '\0';
	assert_true(dname_pattern_rank(longest) < dname_pattern_rank("a"));
}

/* --- dname_helo_literal ----------------------------------------------- */

static void
helo_literal_table(void **state)
{
	static const struct {
		const char	*helo;
		int		 want;
		int		 want_family;
		const char	*want_ip;
	} t[] = {
		{ "[192.0.2.1]", 1, AF_INET, "192.0.2.1" },
		{ "[203.0.113.42]", 1, AF_INET, "203.0.113.42" },
		{ "[IPv6:2001:db8::1]", 1, AF_INET6, "2001:db8::1" },
		{ "[ipv6:2001:DB8::1]", 1, AF_INET6, "2001:db8::1" },
		{ "[IPV6:::1]", 1, AF_INET6, "::1" },
		{ "[IPv6:2001:db8:0:0:0:0:0:25]", 1, AF_INET6,
		    "2001:db8::25" },
		{ "[IPv6:::ffff:192.0.2.1]", 1, AF_INET, "192.0.2.1" },
		{ "[IPv6:::FFFF:c000:201]", 1, AF_INET, "192.0.2.1" },
		/* Not literals at all. */
		{ "mail.example.com", 0, 0, NULL },
		{ "192.0.2.1", 0, 0, NULL },
		{ "", 0, 0, NULL },
		{ " [192.0.2.1]", 0, 0, NULL },
		{ "IPv6:2001:db8::1", 0, 0, NULL },
		/* Broken literals. */
		{ "[", -1, 0, NULL },
		{ "[]", -1, 0, NULL },
		{ "[192.0.2.1", -1, 0, NULL },
		{ "[192.0.2.12", -1, 0, NULL },
		{ "[IPv6:2001:db8::12", -1, 0, NULL },
		{ "[192.0.2.1]x", -1, 0, NULL },
		{ "[192.0.2.1]]", -1, 0, NULL },
		{ "[[192.0.2.1]", -1, 0, NULL },
		{ "[ 192.0.2.1]", -1, 0, NULL },
		{ "[192.0.2.1 ]", -1, 0, NULL },
		{ "[192.0.2.1]\r\n", -1, 0, NULL },
		{ "[192.0.2.256]", -1, 0, NULL },
		{ "[192.0.2]", -1, 0, NULL },
		{ "[01.2.3.4]", -1, 0, NULL },
		{ "[mail.example.com]", -1, 0, NULL },
		{ "[2001:db8::1]", -1, 0, NULL },
		{ "[::ffff:192.0.2.1]", -1, 0, NULL },
		{ "[IPv6:1.2.3.4]", -1, 0, NULL },
		{ "[IPv6:]", -1, 0, NULL },
		{ "[IPv6]", -1, 0, NULL },
		{ "[IPv6 2001:db8::1]", -1, 0, NULL },
		{ "[IPv6::2001:db8::1]", -1, 0, NULL },
		{ "[IPv66:2001:db8::1]", -1, 0, NULL },
		{ "[IPv4:192.0.2.1]", -1, 0, NULL },
		{ "[IPv6:2001:db8::1%eth0]", -1, 0, NULL },
		{ "[IPv6:2001:db8::/32]", -1, 0, NULL },
		{ "[IPv6:fe80::1%25eth0]", -1, 0, NULL },
		{ "[x-tag:content]", -1, 0, NULL },
		{ "[192.0.2.1/24]", -1, 0, NULL },
		{ "[IPv6:2001:db8::1:2:3:4:5:6:7]", -1, 0, NULL },
		{ "[IPv6:2001:0db8:0000:0000:0000:0000:0000:0001:1]", -1, 0,
		    NULL },
	};
	char buf[DNAME_IPSTR_MAX];
	struct rdns_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(&ip, 0, sizeof ip);
		WANT_INT(i, t[i].helo, dname_helo_literal(t[i].helo, &ip),
		    t[i].want);
		if (t[i].want != 1)
			continue;
		WANT_INT(i, t[i].helo, ip.family, t[i].want_family);
		dname_ip_str(&ip, buf, sizeof buf);
		WANT_STR(i, t[i].helo, buf, t[i].want_ip);
	}
	assert_int_equal(dname_helo_literal(NULL, &ip), 0);
}

static void
helo_literal_long_junk_rejected(void **state)
{
	char helo[600];

	(void)state;
	helo[0] = '[';
	memset(helo + 1, '1', sizeof helo - 3);
	helo[sizeof helo - 2] = ']';
	helo[sizeof helo - 1] = '\0';
	assert_int_equal(dname_helo_literal(helo, NULL), -1);
	memcpy(helo + 1, "IPv6:", 5);
	assert_int_equal(dname_helo_literal(helo, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_ip_accepts_v4_v6_and_folds_mapped),
		cmocka_unit_test(parse_ip_rejects_junk_zone_prefix_and_space),
		cmocka_unit_test(parse_ip_stops_at_nul),
		cmocka_unit_test(ip_from_sockaddr_v4_v6_mapped_and_other),
		cmocka_unit_test(ip_str_small_buffer_or_bad_family_gives_empty),
		cmocka_unit_test(ip_str_v4_equals_inet_ntop),
		cmocka_unit_test(ip_equal_same_family_only),
		cmocka_unit_test(ip_equal_rdata_checks_length_and_bytes),
		cmocka_unit_test(reverse_names_v4_v6_mapped),
		cmocka_unit_test(reverse_name_buffer_too_small_fails),
		cmocka_unit_test(from_wire_decodes_and_escapes),
		cmocka_unit_test(from_wire_rejects_malformed),
		cmocka_unit_test(from_wire_label_63_ok_64_rejected),
		cmocka_unit_test(from_wire_total_255_ok_256_rejected),
		cmocka_unit_test(from_wire_worst_case_escapes_fit),
		cmocka_unit_test(valid_hostname_follows_postfix_rules),
		cmocka_unit_test(valid_hostname_length_limits),
		cmocka_unit_test(equal_ignores_case_and_one_trailing_dot),
		cmocka_unit_test(pattern_match_star_suffix_exact),
		cmocka_unit_test(pattern_rank_orders_by_specificity),
		cmocka_unit_test(helo_literal_table),
		cmocka_unit_test(helo_literal_long_junk_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
