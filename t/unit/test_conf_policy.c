/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_conf_policy.c - the Policy grammar and lookup (milter/conf_policy.c)
 * on their own: domains, one line's key=value pairs and their errors, and
 * which line applies to a recipient domain.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "conf_int.h"

#define ERRS_MAX	8

struct errs {
	int	n;
	char	msg[ERRS_MAX][256];
};

static void collect(void *arg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
collect(void *arg, const char *fmt, ...)
{
	struct errs *e = arg;
	va_list ap;

	if (e->n < ERRS_MAX) {
		va_start(ap, fmt);
		vsnprintf(e->msg[e->n], sizeof e->msg[e->n], fmt, ap);
		va_end(ap);
	}
	e->n++;
}

static void
domains(void **state)
{
	static const struct {
		const char *in, *out;	/* out NULL: refused */
	} t[] = {
		{ "*", "*" },
		{ "Example.COM", "example.com" },
		{ "example.com.", "example.com" },
		{ ".Example.Org", ".example.org" },
		{ "_dmarc.example.com", "_dmarc.example.com" },
		{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
		{ "*.example.com", NULL },
		{ "example..com", NULL },
		{ "-a.example.com", NULL },
		{ "a-.example.com", NULL },
		{ ".", NULL },
		{ "..", NULL },
		{ "exa$mple.com", NULL },
		{ "", NULL },
	};
	char out[CONF_DOMAIN_MAX + 2], long_label[80], long_name[300];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		why = NULL;
		print_message("domain '%s'\n", t[i].in);
		if (t[i].out == NULL) {
			assert_int_equal(conf_policy_domain(t[i].in, out,
			    &why), -1);
			assert_non_null(why);
		} else {
			assert_int_equal(conf_policy_domain(t[i].in, out,
			    &why), 0);
			assert_string_equal(out, t[i].out);
		}
	}
	memset(long_label, 'a', 64);
	snprintf(long_label + 64, sizeof long_label - 64, ".example");
	assert_int_equal(conf_policy_domain(long_label, out, &why), -1);
	assert_string_equal(why, "label longer than 63 characters");
	for (i = 0; i < 254; i++)
		long_name[i] = i % 10 == 9 ? '.' : 'a';
	long_name[254] = '\0';
	assert_int_equal(conf_policy_domain(long_name, out, &why), -1);
	assert_string_equal(why, "domain longer than 253 characters");
}

static void
one_line(void **state)
{
	struct policy pol;
	char domain[CONF_DOMAIN_MAX + 2];
	struct errs e;

	(void)state;
	memset(&e, 0, sizeof e);
	assert_int_equal(conf_policy_parse("Example.COM ptr=reject "
	    "IPREV=Tempfail dnssec=require temperror=tempfail dryrun=yes",
	    &pol, domain, collect, &e), 0);
	assert_int_equal(e.n, 0);
	assert_string_equal(domain, "example.com");
	assert_int_equal(pol.act[CHECK_ID_PTR], ACTION_REJECT);
	assert_int_equal(pol.act[CHECK_ID_IPREV], ACTION_TEMPFAIL);
	assert_int_equal(pol.act[CHECK_ID_HELO], ACTION_ACCEPT);
	assert_int_equal(pol.act[CHECK_ID_GENERIC], ACTION_ACCEPT);
	assert_int_equal(pol.act[CHECK_ID_TEMPERROR], ACTION_TEMPFAIL);
	assert_true(pol.require[CHECK_ID_DNSSEC]);
	assert_true(pol.dry_run);

	/* Every bad pair is reported; the domain stays valid (-1). */
	memset(&e, 0, sizeof e);
	assert_int_equal(conf_policy_parse("* ptr=maybe spf=reject ptr "
	    "helo=reject helo=accept temperror=reject", &pol, domain,
	    collect, &e), -1);
	assert_int_equal(e.n, 5);
	assert_string_equal(e.msg[0], "Policy: bad value 'maybe' for ptr "
	    "(want reject, tempfail or accept)");
	assert_string_equal(e.msg[1], "Policy: unknown key 'spf' (want ptr, "
	    "iprev, helo, generic, dnssec, temperror or dryrun)");
	assert_string_equal(e.msg[2], "Policy: 'ptr' is not key=value");
	assert_string_equal(e.msg[3], "Policy: helo given twice");
	assert_string_equal(e.msg[4], "Policy: bad value 'reject' for "
	    "temperror (want tempfail or accept)");

	/* A bad domain stops there (-2). */
	memset(&e, 0, sizeof e);
	assert_int_equal(conf_policy_parse("*.example.com ptr=reject", &pol,
	    domain, collect, &e), -2);
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.msg[0], "Policy: bad domain "
	    "'*.example.com'"));
}

static void
lookup_precedence(void **state)
{
	struct config *cf;
	const struct policy *p;

	(void)state;
	cf = config_load_string("t.conf",
	    "Policy * ptr=reject\n"
	    "Policy example.com iprev=reject\n"
	    "Policy .example.com helo=reject\n"
	    "Policy .b.example.com generic=reject\n", NULL, NULL);
	assert_non_null(cf);
	/* Exact domain first, case and a trailing dot ignored. */
	p = config_policy_for(cf, "Example.COM.");
	assert_string_equal(p->domain, "example.com");
	/* Then the longest ".suffix", which never matches the domain
	 * itself. */
	assert_string_equal(config_policy_for(cf, "a.example.com")->domain,
	    ".example.com");
	assert_string_equal(config_policy_for(cf, "x.b.example.com")->domain,
	    ".b.example.com");
	assert_string_equal(config_policy_for(cf, "b.example.com")->domain,
	    ".example.com");
	/* Then "*". */
	assert_string_equal(config_policy_for(cf, "example.org")->domain, "*");
	assert_string_equal(config_policy_for(cf, "")->domain, "*");
	config_free(cf);

	/* No "*" line: the built-in default, which accepts everything. */
	cf = config_load_string("t.conf", "Policy example.com ptr=reject\n",
	    NULL, NULL);
	assert_non_null(cf);
	p = config_policy_for(cf, "example.org");
	assert_ptr_equal(p, &conf_builtin_policy);
	assert_int_equal(p->act[CHECK_ID_PTR], ACTION_ACCEPT);
	assert_false(p->dry_run);
	config_free(cf);
}

static void
exempt_recipients(void **state)
{
	struct config *cf;

	(void)state;
	cf = config_load_string("t.conf", "ExemptRecipients postmaster, "
	    "Abuse\n", NULL, NULL);
	assert_non_null(cf);
	assert_true(config_is_exempt(cf, "POSTMASTER"));
	assert_true(config_is_exempt(cf, "abuse"));
	assert_false(config_is_exempt(cf, "postmaster2"));
	assert_false(config_is_exempt(cf, ""));
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(domains),
		cmocka_unit_test(one_line),
		cmocka_unit_test(lookup_precedence),
		cmocka_unit_test(exempt_recipients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
