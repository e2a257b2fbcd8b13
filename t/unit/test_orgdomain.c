/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_orgdomain.c - unit tests for milter/orgdomain.c: organizational
 * domains by the Public Suffix List (libpsl, ICANN section) and domain
 * lists.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dname.h"
#include "orgdomain.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
org_domain_by_public_suffix_list(void **state)
{
	static const struct {
		const char	*name;
		const char	*want;		/* NULL: none */
	} t[] = {
		/* Never "the last two labels". */
		{ "mail.example-shop.co.uk", "example-shop.co.uk" },
		{ "relay.example-shop.co.uk", "example-shop.co.uk" },
		{ "200-158-1-2.dsl.telesp.net.br", "telesp.net.br" },
		{ "mx.example.com.cn", "example.com.cn" },
		{ "EUR05-AM6-obe.outbound.protection.outlook.com.",
		    "outlook.com" },
		{ "mail-oln040092253093.outbound.protection.outlook.com",
		    "outlook.com" },
		{ "outlook.com", "outlook.com" },
		/* Wildcard and exception rules: *.kawasaki.jp,
		 * !city.kawasaki.jp. */
		{ "www.city.kawasaki.jp", "city.kawasaki.jp" },
		{ "a.b.foo.kawasaki.jp", "b.foo.kawasaki.jp" },
		/* The private section does not count. */
		{ "ec2-3-92-56-21.compute-1.amazonaws.com", "amazonaws.com" },
		{ "x.blogspot.com", "blogspot.com" },
		/* An unknown top-level domain is a public suffix. */
		{ "mail.sec.test", "sec.test" },
		{ "sec.test", "sec.test" },
		/* A public suffix has none. */
		{ "co.uk", NULL },
		{ "com", NULL },
		{ "test", NULL },
		{ "", NULL },
		{ ".", NULL },
		{ "a..example.com", NULL },
	};
	char out[DNAME_TEXT_MAX];
	size_t i;

	(void)state;
	assert_true(orgdomain_available());
	for (i = 0; i < NELEM(t); i++) {
		int rc = orgdomain_of(t[i].name, out, sizeof out);

		print_message("case %s\n", t[i].name);
		if (t[i].want == NULL) {
			assert_int_equal(rc, -1);
			assert_string_equal(out, "");
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(out, t[i].want);
		}
	}
	/* Too small a buffer, NULL input. */
	assert_int_equal(orgdomain_of("mail.example.com", out, 11), -1);
	assert_int_equal(orgdomain_of("mail.example.com", out, 12), 0);
	assert_int_equal(orgdomain_of(NULL, out, sizeof out), -1);
	assert_int_equal(orgdomain_offset("mail.example.com"), 5);
	assert_int_equal(orgdomain_offset("Mail.example.com."), -1);
	assert_int_equal(orgdomain_offset(NULL), -1);
}

static void
domain_list_exact_and_subdomains(void **state)
{
	static char d1[] = "partner.example", d2[] = ".mail.example.org";
	char *list[] = { d1, d2 };
	static const struct {
		const char	*name;
		bool		 want;
	} t[] = {
		{ "partner.example", true },
		{ "PARTNER.Example.", true },
		{ "x.partner.example", false },
		{ "mail.example.org", false },
		{ "a.mail.example.org", true },
		{ "b.a.MAIL.example.org.", true },
		{ "amail.example.org", false },
		{ "example.org", false },
		{ "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		print_message("case %s\n", t[i].name);
		assert_int_equal(orgdomain_list_match(list, NELEM(list),
		    t[i].name), t[i].want);
	}
	assert_false(orgdomain_list_match(NULL, 0, "partner.example"));
	assert_false(orgdomain_list_match(list, NELEM(list), NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(org_domain_by_public_suffix_list),
		cmocka_unit_test(domain_list_exact_and_subdomains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
