/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_generic.c - unit tests for milter/generic.c: IP embedding, the
 * built-in pattern list, protected labels, and pattern files.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"
#include "generic.h"

#define IP4	"203.0.113.42"
#define IP4B	"198.51.100.7"
#define IP6	"2001:db8:1234:5678:9abc:def0:1234:5678"

struct gcase {
	const char	*name;
	const char	*ip;
	bool		 want;
};

/* --- generic_embeds_ip ------------------------------------------------ */

static void
embeds_ip_real_naming_schemes(void **state)
{
	static const struct gcase t[] = {
		/* IPv4, dashes / dots, in order and reversed. */
		{ "ec2-203-0-113-42.compute-1.amazonaws.com", IP4, true },
		{ "42.113.0.203.dyn.example.net", IP4, true },
		{ "dsl-203-0-113-42.example.net", IP4, true },
		{ "pool-203-0-113-42.bstn.east.verizon.net", IP4, true },
		{ "c-203-0-113-42.hsd1.ma.comcast.net", IP4, true },
		{ "203-0-113-42.static.example.net", IP4, true },
		{ "cbl-203-0-113-42.example.net", IP4, true },
		{ "cpe-203-0-113-42.nc.res.rr.com", IP4, true },
		{ "host-42-113-0-203.example.net", IP4, true },
		{ "42-113-0-203.rev.example.net", IP4, true },
		{ "203.0.113.42.example.net", IP4, true },
		{ "203_0_113_42.example.net", IP4, true },
		{ "ip203.0.113.42.example.net", IP4, true },
		/* Zero-padded, joined by nothing, mixed padding. */
		{ "203000113042.example.net", IP4, true },
		{ "ip203000113042.example.net", IP4, true },
		{ "042113000203.rev.example.net", IP4, true },
		{ "203-000-113-042.example.net", IP4, true },
		{ "203-0-113-042.example.net", IP4, true },
		{ "203.000.113.042.example.net", IP4, true },
		{ "203011342.example.net", IP4, true },
		{ "h42113.0.203.example.net", IP4, false },
		/* The 8-digit hex form, any case. */
		{ "cb00712a.example.net", IP4, true },
		{ "CB00712A.example.net", IP4, true },
		{ "x-cb00712a.dsl.example.net", IP4, true },
		{ "p5B0C3E7F.dip0.t-ipconnect.de", "91.12.62.127", true },
		/* Trailing dot and case do not matter. */
		{ "DSL-203-0-113-42.Example.NET.", IP4, true },
		/* A longer number is another number. */
		{ "1203-0-113-42.example.net", IP4, false },
		{ "203-0-113-421.example.net", IP4, false },
		{ "2030113420.example.net", IP4, false },
		{ "acb00712a.example.net", IP4, false },
		{ "cb00712a0.example.net", IP4, false },
		/* Other addresses and partial forms. */
		{ "203-0-113-4.example.net", IP4, false },
		{ "198-51-100-7.example.net", IP4, false },
		{ "203-0-113.example.net", IP4, false },
		{ "mail.example.com", IP4, false },
		/* The registered domain (last two labels) is never looked
		 * at. */
		{ "203-0-113-42.net", IP4, false },
		{ "www.203-0-113-42.net", IP4, false },
		{ "mail.cb00712a.net", IP4, false },
		{ "203.0.113.42", IP4, false },
		/* IPv6: the last 64 bits as 4-hex-digit groups. */
		{ "2001-db8-1234-5678-9abc-def0-1234-5678.example.net", IP6,
		    true },
		{ "2001-DB8-1234-5678-9ABC-DEF0-1234-5678.example.net", IP6,
		    true },
		{ "v6-9abc-def0-1234-5678.example.net", IP6, true },
		{ "9abc.def0.1234.5678.v6.example.net", IP6, true },
		{ "9abcdef012345678.example.net", IP6, true },
		{ "0000-0000-0000-0001.example.net", "2001:db8::1", true },
		/* Groups not expanded are not the expanded form. */
		{ "2001-db8-0-0-0-0-0-1.example.net", "2001:db8::1", false },
		{ "a9abcdef012345678.example.net", IP6, false },
		{ "9abcdef0123456789.example.net", IP6, false },
		/* IPv6 nibbles, address order and ip6.arpa order. */
		{ "20010db8123456789abcdef012345678.example.net", IP6, true },
		{ "2.0.0.1.0.d.b.8.1.2.3.4.5.6.7.8.9.a.b.c.d.e.f.0.1.2.3.4.5."
		    "6.7.8.example.net", IP6, true },
		{ "8-7-6-5-4-3-2-1-0-f-e-d-c-b-a-9-8-7-6-5-4-3-2-1-8-b-d-0-1-"
		    "0-0-2.example.net", IP6, true },
		{ "876543210fedcba9876543218bd01002.example.net", IP6, true },
		{ "x876543210fedcba9876543218bd01002.example.net", IP6, true },
		{ "f876543210fedcba9876543218bd01002.example.net", IP6, false },
		/* Family must match. */
		{ "203-0-113-42.example.net", "::ffff:203.0.113.42", true },
		{ "203-0-113-42.example.net", "2001:db8::cb00:712a", false },
		{ "0000-0000-cb00-712a.example.net", IP4, false },
		{ "9abc-def0-1234-5678.example.net", "154.188.222.240",
		    false },
	};
	struct rdns_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].name, generic_embeds_ip(t[i].name, &ip),
		    t[i].want);
		/* Embedding alone makes a name generic, patterns or not. */
		WANT_INT(i, t[i].name, generic_match(NULL, t[i].name, &ip),
		    t[i].want);
	}
}

static void
embeds_ip_bad_input_is_false(void **state)
{
	struct rdns_ip ip = test_util_ip(IP4);
	char name[600];

	(void)state;
	assert_false(generic_embeds_ip(NULL, &ip));
	assert_false(generic_embeds_ip("203-0-113-42.example.net", NULL));
	assert_false(generic_embeds_ip("", &ip));
	assert_false(generic_embeds_ip(".", &ip));
	assert_false(generic_embeds_ip("..", &ip));
	ip.family = 0;
	assert_false(generic_embeds_ip("203-0-113-42.a.example.net", &ip));
	/* Too long to be a name: not judged. */
	ip = test_util_ip(IP4);
	memset(name, 'a', sizeof name);
	memcpy(name, "203-0-113-42.", 13);
	memcpy(name + sizeof name - 13, ".example.net", 13);
	assert_false(generic_embeds_ip(name, &ip));
}

/* --- generic_match with the built-in list ----------------------------- */

static void
builtin_patterns_real_naming_schemes(void **state)
{
	static const struct gcase t[] = {
		/* The client (IP4B) is not embedded in these. */
		{ "dynamic-203-0-113-42.example.net", IP4B, true },
		{ "dyn.example.net", IP4B, true },
		{ "dyn-12.example.net", IP4B, true },
		{ "42.113.0.203.dyn.example.net", IP4B, true },
		{ "dynip12.example.net", IP4B, true },
		{ "dhcp-12.example.net", IP4B, true },
		{ "12dhcp.example.net", IP4B, true },
		{ "dsl-203-0-113-42.example.net", IP4B, true },
		{ "adsl-1.example.net", IP4B, true },
		{ "xdsl12.example.net", IP4B, true },
		{ "vdsl.example.net", IP4B, true },
		{ "pool-203-0-113-42.bstn.east.verizon.net", IP4B, true },
		{ "ippool7.example.net", IP4B, true },
		{ "cable-1.example.net", IP4B, true },
		{ "cbl-12.example.net", IP4B, true },
		{ "ppp-12.example.net", IP4B, true },
		{ "pppoe-1.example.net", IP4B, true },
		{ "dial-12.example.net", IP4B, true },
		{ "dialup-1.example.net", IP4B, true },
		{ "dialin.example.net", IP4B, true },
		{ "client-7.example.net", IP4B, true },
		{ "clients.example.net", IP4B, true },
		{ "host42.example.net", IP4B, true },
		{ "host-42.example.net", IP4B, true },
		{ "host-42-7.example.net", IP4B, true },
		{ "ip-10-0-0-1.ec2.internal", IP4B, true },
		{ "ip42.example.net", IP4B, true },
		{ "1-2-3-4.example.net", IP4B, true },
		{ "c-203-0-113-42.hsd1.ma.comcast.net", IP4B, true },
		{ "x.hsd1.ma.comcast.net", IP4B, true },
		{ "broadband-1.example.net", IP4B, true },
		{ "customer-1.example.net", IP4B, true },
		{ "cust12.example.net", IP4B, true },
		{ "res-1.example.net", IP4B, true },
		{ "residential.example.net", IP4B, true },
		{ "user-1.example.net", IP4B, true },
		{ "users.example.net", IP4B, true },
		{ "unknown.example.net", IP4B, true },
		{ "nat-1.example.net", IP4B, true },
		{ "wifi-guest.example.net", IP4B, true },
		{ "wlan7.example.net", IP4B, true },
		{ "mobile-1.example.net", IP4B, true },
		{ "ec2-203-0-113-42.compute-1.amazonaws.com", IP4B, true },
		{ "ec2-x.us-west-2.compute.amazonaws.com", IP4B, true },
		{ "foo.compute-1.amazonaws.com", IP4B, true },
		{ "cpe-203-0-113-42.nc.res.rr.com", IP4B, true },
		{ "p5B0C3E7F.dip0.t-ipconnect.de", IP4B, true },
		{ "ftth-1.example.net", IP4B, true },
		{ "DSL-1.Example.NET", IP4B, true },
		{ "dsl-1.example.net.", IP4B, true },
		/* Keywords inside words do not count. */
		{ "dynamo.example.com", IP4B, false },
		{ "pooled.example.net", IP4B, false },
		{ "cabletv.example.net", IP4B, false },
		{ "resolver1.example.net", IP4B, false },
		{ "natalie.example.net", IP4B, false },
		{ "customerservice.example.net", IP4B, false },
		{ "hosting.example.net", IP4B, false },
		{ "host.example.net", IP4B, false },
		{ "ip6.example.net", IP4B, false },
		{ "clientele.example.net", IP4B, false },
		{ "dialog.example.net", IP4B, false },
		{ "rescue.example.net", IP4B, false },
		/* The registered domain is never examined. */
		{ "mail.dyni.net", IP4B, false },
		{ "out.dsl.net", IP4B, false },
		{ "dsl.net", IP4B, false },
		{ "dynamic.example", IP4B, false },
		/* Ordinary server names. */
		{ "mail.example.com", IP4B, false },
		{ "smtp1.example.org", IP4B, false },
		{ "mx1.example.net", IP4B, false },
		{ "mta-1.example.net", IP4B, false },
		{ "ns1.example.net", IP4B, false },
		{ "o1.email.example.com", IP4B, false },
		{ "outbound.mail-relay.example.net", IP4B, false },
		{ "www.example.com", IP4B, false },
		{ "localhost", IP4B, false },
		/* A label exactly "static" protects from patterns ... */
		{ "static.dsl.example.net", IP4B, false },
		{ "203-0-113-42.static.example.net", IP4B, false },
		/* ... but a label merely containing it does not ... */
		{ "static-ip-1.dsl.example.net", IP4B, true },
		/* ... and an embedded client IP is generic anyway. */
		{ "203-0-113-42.static.example.net", IP4, true },
		/* A mail-role word protects from patterns and from an
		 * embedded IP alike, as a whole word of any label. */
		{ "mx.dsl.example.net", IP4B, false },
		{ "MX.dsl.example.net", IP4B, false },
		{ "smtp.dynamic.example.net", IP4B, false },
		{ "mail.pool-1.example.net", IP4B, false },
		{ "mx-dsl.example.net", IP4B, false },
		{ "mx.203-0-113-42.dsl.example.net", IP4, false },
		{ "mail.203-0-113-42.example.net", IP4, false },
		{ "smtp.cb00712a.example.net", IP4, false },
		/* Unexpanded IPv6 groups: not the client by embedding, but
		 * the dashed-quad pattern sees "0-0-0-0". */
		{ "2001-db8-0-0-0-0-0-1.example.net", "2001:db8::1", true },
	};
	struct generic_patterns *gp;
	struct generic_roles *gr;
	struct rdns_ip ip;
	size_t i;

	(void)state;
	gp = generic_patterns_new_builtin();
	assert_non_null(gp);
	gr = generic_roles_new_default();
	assert_non_null(gr);
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].name,
		    generic_judge(gp, gr, t[i].name, &ip), t[i].want);
	}
	generic_roles_free(gr);
	assert_false(generic_match(gp, NULL, &ip));
	assert_false(generic_match(gp, "", &ip));
	/* Without an address only the patterns apply. */
	assert_true(generic_match(gp, "dsl-1.example.net", NULL));
	generic_patterns_free(gp);
}

static void
no_patterns_means_embedding_only(void **state)
{
	struct rdns_ip ip = test_util_ip(IP4B);

	(void)state;
	assert_false(generic_match(NULL, "dsl-1.example.net", &ip));
	assert_false(generic_match(NULL, "dynamic.pool.example.net", &ip));
	assert_true(generic_match(NULL, "dsl-198-51-100-7.example.net", &ip));
	generic_patterns_free(NULL);
}

/* --- organizational domain and mail-role words (issue 11) ------------- */

static void
issue_examples_with_default_rules(void **state)
{
	static const struct gcase t[] = {
		/* Mail-role names are never generic (SPEC 2). */
		{ "66-220-144-178.mail-mxout.facebook.com", "66.220.144.178",
		    false },
		{ "mail-oln040092253093.outbound.protection.outlook.com",
		    "40.92.253.93", false },
		{ "mail-am6eur05on2093.outbound.protection.outlook.com",
		    "40.107.22.93", false },
		{ "mail.example-shop.co.uk", "198.51.100.7", false },
		/* These stay generic. */
		{ "c-73-15-123-45.hsd1.ca.comcast.net", "73.15.123.45", true },
		{ "ec2-3-92-56-21.compute-1.amazonaws.com", "3.92.56.21",
		    true },
		{ "static.2.1.216.95.clients.your-server.de", "95.216.1.2",
		    true },
		{ "p5b0a1234.dip0.t-ipconnect.de", "91.10.18.52", true },
	};
	struct generic_patterns *gp = generic_patterns_new_builtin();
	struct generic_roles *gr = generic_roles_new_default();
	struct rdns_ip ip;
	size_t i;

	(void)state;
	assert_non_null(gp);
	assert_non_null(gr);
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].name,
		    generic_judge(gp, gr, t[i].name, &ip), t[i].want);
	}
	/* Without the mail-role rule the first two are generic. */
	ip = test_util_ip("66.220.144.178");
	assert_true(generic_judge(gp, NULL, t[0].name, &ip));
	ip = test_util_ip("40.92.253.93");
	assert_true(generic_judge(gp, NULL, t[1].name, &ip));
	generic_roles_free(gr);
	generic_patterns_free(gp);
}

static void
host_part_is_left_of_the_organizational_domain(void **state)
{
	static const struct gcase t[] = {
		/* ccSLDs: the organizational domain is never examined ... */
		{ "x.dsl.co.uk", IP4B, false },
		{ "www.dynamic.com.br", IP4B, false },
		{ "dsl.co.uk", IP4B, false },
		{ "co.uk", IP4B, false },
		/* ... but the host part under it is. */
		{ "dsl-1.example.co.uk", IP4B, true },
		{ "198-51-100-7.example.co.uk", IP4B, true },
		{ "200-158-1-2.dsl.telesp.net.br", "200.158.1.2", true },
		{ "dsl.telesp.net.br", IP4B, true },
		{ "www.telesp.net.br", IP4B, false },
		/* Wildcard and exception rules (*.kawasaki.jp,
		 * !city.kawasaki.jp) come from the list too. */
		{ "dsl.city.kawasaki.jp", IP4B, true },
		{ "dsl.foo.kawasaki.jp", IP4B, false },
		/* The private section does not count: amazonaws.com is the
		 * organization, the pool name is its host part. */
		{ "198-51-100-7.compute-1.amazonaws.com", IP4B, true },
		/* An unknown top-level domain is a public suffix. */
		{ "dsl-1.example.test", IP4B, true },
		{ "dsl.test", IP4B, false },
	};
	struct generic_patterns *gp = generic_patterns_new_builtin();
	struct rdns_ip ip;
	size_t i;

	(void)state;
	assert_non_null(gp);
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].name, generic_match(gp, t[i].name, &ip),
		    t[i].want);
	}
	generic_patterns_free(gp);
}

static void
mail_role_words_are_whole_words(void **state)
{
	static const struct {
		const char	*name;
		bool		 want;
	} t[] = {
		{ "mail.example.com", true },
		{ "mail2.example.com", true },		/* letter/digit */
		{ "2mx.example.com", true },
		{ "smtp-out-7.example.com", true },
		{ "a_relay_b.example.com", true },
		{ "x.outbound.example.com", true },
		{ "MXOUT.example.com", true },
		{ "mxout-1.example.com", true },
		{ "o1.bounce.example.com", true },
		{ "gmail.example.com", false },		/* inside a word */
		{ "email.example.com", false },
		{ "smtpd.example.com", false },
		{ "mailer.example.com", false },
		{ "mxs.example.com", false },
		{ "dsl-1.example.com", false },
		/* The organizational domain is not the host part. */
		{ "www.mail.com", false },
		{ "mail.com", false },
		{ "www.smtp.co.uk", false },
		{ "relay.co.uk", false },
		{ "", false },
	};
	struct generic_roles *gr = generic_roles_new_default();
	size_t i;

	(void)state;
	assert_non_null(gr);
	assert_int_equal(generic_roles_count(gr), 11);
	for (i = 0; i < NELEM(t); i++)
		WANT_INT(i, t[i].name, generic_mail_role(gr, t[i].name),
		    t[i].want);
	assert_false(generic_mail_role(gr, NULL));
	assert_false(generic_mail_role(NULL, "mail.example.com"));
	generic_roles_free(gr);
	generic_roles_free(NULL);
}

static void
mail_role_words_list_replaces_default(void **state)
{
	struct generic_roles *gr;
	struct generic_patterns *gp = generic_patterns_new_builtin();
	struct rdns_ip ip = test_util_ip("198.51.100.7");
	char err[256];

	(void)state;
	assert_non_null(gp);
	gr = generic_roles_new(" Courier,postbox\tMX ", err, sizeof err);
	assert_non_null(gr);
	assert_string_equal(err, "");
	assert_int_equal(generic_roles_count(gr), 3);
	assert_true(generic_mail_role(gr, "courier-1.example.net"));
	assert_true(generic_mail_role(gr, "x.postbox.example.net"));
	assert_true(generic_mail_role(gr, "mx.example.net"));
	assert_false(generic_mail_role(gr, "mail.example.net"));
	assert_false(generic_judge(gp, gr,
	    "courier-198-51-100-7.dsl.example.net", &ip));
	assert_true(generic_judge(gp, gr,
	    "mail-198-51-100-7.dsl.example.net", &ip));
	generic_roles_free(gr);

	/* "none": the rule is off. */
	gr = generic_roles_new("NONE", err, sizeof err);
	assert_non_null(gr);
	assert_int_equal(generic_roles_count(gr), 0);
	assert_false(generic_mail_role(gr, "mail.example.net"));
	assert_true(generic_judge(gp, gr, "mail.dsl-1.example.net", &ip));
	generic_roles_free(gr);

	/* Bad words and empty lists. */
	assert_null(generic_roles_new("mail mx2", err, sizeof err));
	assert_string_equal(err, "bad word 'mx2' (want letters only, at "
	    "most 63, or none)");
	assert_null(generic_roles_new("mail-out", err, sizeof err));
	assert_null(generic_roles_new(" , ", err, sizeof err));
	assert_string_equal(err, "empty list (write none to turn the rule "
	    "off)");
	assert_null(generic_roles_new(NULL, err, sizeof err));
	assert_null(generic_roles_new("mail none", err, sizeof err));
	generic_patterns_free(gp);
}

/* --- generic_patterns_load -------------------------------------------- */

struct tmpdir {
	char	dir[64];
	char	path[128];
};

static int
tmp_setup(void **state)
{
	static struct tmpdir td;

	strcpy(td.dir, "/tmp/test_generic.XXXXXX");
	if (mkdtemp(td.dir) == NULL)
		return -1;
	(void)snprintf(td.path, sizeof td.path, "%s/patterns", td.dir);
	*state = &td;
	return 0;
}

static int
tmp_teardown(void **state)
{
	struct tmpdir *td = *state;

	(void)unlink(td->path);
	return rmdir(td->dir);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
load_replaces_builtin_list(void **state)
{
	static const char text[] =
	    "# site patterns\n"
	    "\n"
	    "   \t\n"
	    "  ^foo[0-9]+$  \r\n"
	    "\t# indented comment\n"
	    "^BAR-\n"
	    "^baz$";			/* no final newline */
	static const struct gcase t[] = {
		{ "foo12.example.net", IP4B, true },
		{ "FOO7.example.net", IP4B, true },
		{ "x.foo1.example.net", IP4B, true },
		{ "foo.example.net", IP4B, false },
		{ " foo1.example.net", IP4B, false },
		{ "bar-1.example.net", IP4B, true },
		{ "baz.example.net", IP4B, true },
		{ "bazz.example.net", IP4B, false },
		/* The registered domain is still never examined. */
		{ "www.foo1.net", IP4B, false },
		/* Built-in patterns are gone ... */
		{ "dsl-1.example.net", IP4B, false },
		{ "dynamic.example.net", IP4B, false },
		/* ... "static" and mail-role words still protect ... */
		{ "static.foo1.example.net", IP4B, false },
		{ "mail.foo1.example.net", IP4B, false },
		{ "relay.198-51-100-7.example.net", IP4B, false },
		/* ... and so does embedding. */
		{ "dsl-198-51-100-7.example.net", IP4B, true },
	};
	struct tmpdir *td = *state;
	struct generic_patterns *gp;
	struct generic_roles *gr;
	struct rdns_ip ip;
	char err[256];
	size_t i;

	write_file(td->path, text, sizeof text - 1);
	err[0] = 'x';
	gp = generic_patterns_load(td->path, err, sizeof err);
	assert_non_null(gp);
	assert_string_equal(err, "");
	gr = generic_roles_new_default();
	assert_non_null(gr);
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].name,
		    generic_judge(gp, gr, t[i].name, &ip), t[i].want);
	}
	generic_roles_free(gr);
	generic_patterns_free(gp);
}

static void
load_empty_file_gives_empty_list(void **state)
{
	struct tmpdir *td = *state;
	struct generic_patterns *gp;
	struct rdns_ip ip = test_util_ip(IP4B);
	char err[256];

	write_file(td->path, "# nothing\n\n", 11);
	gp = generic_patterns_load(td->path, err, sizeof err);
	assert_non_null(gp);
	assert_false(generic_match(gp, "dsl-1.example.net", &ip));
	assert_true(generic_match(gp, "198-51-100-7.example.net", &ip));
	generic_patterns_free(gp);
}

static void
load_bad_regex_reports_file_and_line(void **state)
{
	struct tmpdir *td = *state;
	char err[512], want[512], rerr[256];
	regex_t re;
	int rc;

	write_file(td->path, "^ok$\n# c\na(\n^also-ok$\n", 22);
	rc = regcomp(&re, "a(", REG_EXTENDED | REG_ICASE | REG_NOSUB);
	assert_int_not_equal(rc, 0);
	(void)regerror(rc, &re, rerr, sizeof rerr);
	(void)snprintf(want, sizeof want, "%s:3: %s", td->path, rerr);
	assert_null(generic_patterns_load(td->path, err, sizeof err));
	assert_string_equal(err, want);

	/* A bracket error on line 1, with surrounding blanks trimmed. */
	write_file(td->path, "  [a-  \n", 8);
	assert_null(generic_patterns_load(td->path, err, sizeof err));
	(void)snprintf(want, sizeof want, "%s:1: ", td->path);
	assert_memory_equal(err, want, strlen(want));
	assert_true(strlen(err) > strlen(want));

	/* No error buffer: still fails cleanly. */
	assert_null(generic_patterns_load(td->path, NULL, 0));
}

static void
load_nul_byte_and_long_line_rejected(void **state)
{
	static const char nul[] = "^ok$\n^a\0b$\n";
	struct tmpdir *td = *state;
	char err[512], want[512];
	char *big;

	write_file(td->path, nul, sizeof nul - 1);
	assert_null(generic_patterns_load(td->path, err, sizeof err));
	(void)snprintf(want, sizeof want, "%s:2: NUL byte in line", td->path);
	assert_string_equal(err, want);

	big = malloc(5000);
	assert_non_null(big);
	memset(big, 'a', 5000);
	big[0] = '#';
	big[1] = '\n';
	big[4999] = '\n';
	write_file(td->path, big, 5000);
	free(big);
	assert_null(generic_patterns_load(td->path, err, sizeof err));
	(void)snprintf(want, sizeof want,
	    "%s:2: pattern longer than 1024 characters", td->path);
	assert_string_equal(err, want);
}

static void
load_unreadable_file_reports_strerror(void **state)
{
	struct tmpdir *td = *state;
	char err[512], want[512], path[256];

	(void)snprintf(path, sizeof path, "%s/missing", td->dir);
	(void)snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
	assert_null(generic_patterns_load(path, err, sizeof err));
	assert_string_equal(err, want);

	/* A directory opens but cannot be read. */
	(void)snprintf(want, sizeof want, "%s: %s", td->dir,
	    strerror(EISDIR));
	assert_null(generic_patterns_load(td->dir, err, sizeof err));
	assert_string_equal(err, want);

	/* Truncated into a small buffer, still terminated. */
	assert_null(generic_patterns_load(td->dir, err, 8));
	assert_int_equal(strlen(err), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(embeds_ip_real_naming_schemes),
		cmocka_unit_test(embeds_ip_bad_input_is_false),
		cmocka_unit_test(builtin_patterns_real_naming_schemes),
		cmocka_unit_test(no_patterns_means_embedding_only),
		cmocka_unit_test(issue_examples_with_default_rules),
		cmocka_unit_test(host_part_is_left_of_the_organizational_domain),
		cmocka_unit_test(mail_role_words_are_whole_words),
		cmocka_unit_test(mail_role_words_list_replaces_default),
		cmocka_unit_test_setup_teardown(load_replaces_builtin_list,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    load_empty_file_gives_empty_list, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    load_bad_regex_reports_file_and_line, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    load_nul_byte_and_long_line_rejected, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    load_unreadable_file_reports_strerror, tmp_setup,
		    tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
