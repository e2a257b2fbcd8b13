/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spf.c - SPF records (RFC 7208) and a domain's sending addresses
 * (milter/spf.c, milter/spf_discover.c) against a fake resolver.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_log.h"
#include "fake_resolver.h"
#include "spf.h"
#include "test_util.h"

#define S	DNSSEC_SECURE
#define TXT	DNS_TYPE_TXT
#define MX	DNS_TYPE_MX
#define A	DNS_TYPE_A
#define AAAA	DNS_TYPE_AAAA

/* ---- spf_parse() ---- */

static void
parse_accepts_valid_records(void **state)
{
	static const struct {
		const char	*rec;
		size_t		 n;		/* terms */
		enum spf_kind	 kind0;		/* the first term's */
		char		 qual0;
		const char	*domain0;
		int		 cidr4, cidr6;	/* the first term's */
		bool		 macro0;
	} t[] = {
		{ "v=spf1", 0, SPF_ALL, 0, NULL, 0, 0, false },
		{ "v=spf1 -all", 1, SPF_ALL, '-', "", 32, 128, false },
		{ "V=SPF1 IP4:192.0.2.0/24 ~ALL", 2, SPF_IP4, '+', "", 32,
		    128, false },
		{ "v=spf1   a   mx  ", 2, SPF_A, '+', "", 32, 128, false },
		{ "v=spf1 a:mail.example.com/24//64", 1, SPF_A, '+',
		    "mail.example.com", 24, 64, false },
		{ "v=spf1 ?mx//64 -all", 2, SPF_MX, '?', "", 32, 64, false },
		{ "v=spf1 mx/0", 1, SPF_MX, '+', "", 0, 128, false },
		{ "v=spf1 ~a/32//128", 1, SPF_A, '~', "", 32, 128, false },
		{ "v=spf1 include:_spf.google.com ~all", 2, SPF_INCLUDE, '+',
		    "_spf.google.com", 32, 128, false },
		{ "v=spf1 exists:%{i}._spf.%{d}", 1, SPF_EXISTS, '+',
		    "%{i}._spf.%{d}", 32, 128, true },
		{ "v=spf1 include:%{d2r+}.example.com", 1, SPF_INCLUDE, '+',
		    "%{d2r+}.example.com", 32, 128, true },
		{ "v=spf1 ptr:example.com", 1, SPF_PTR, '+', "example.com",
		    32, 128, false },
		{ "v=spf1 redirect=_spf.example.com", 1, SPF_REDIRECT, '+',
		    "_spf.example.com", 32, 128, false },
		{ "v=spf1 exp=explain.example.com -all", 2, SPF_EXP, '+',
		    "explain.example.com", 32, 128, false },
		{ "v=spf1 foo=bar%{d} -all", 2, SPF_UNKNOWN_MOD, '+', "", 32,
		    128, false },
		{ "v=spf1 ip6:2001:db8::/32", 1, SPF_IP6, '+', "", 32, 128,
		    false },
		{ "v=spf1 ip4:192.0.2.1", 1, SPF_IP4, '+', "", 32, 128,
		    false },
		{ "v=spf1 a:example.com.", 1, SPF_A, '+', "example.com.", 32,
		    128, false },
	};
	struct spf_record rec;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		if (spf_parse(t[i].rec, &rec, err, sizeof err) != 0)
			fail_msg("case %zu (%s): %s", i, t[i].rec, err);
		WANT_INT(i, t[i].rec, rec.n, t[i].n);
		if (t[i].n > 0) {
			const struct spf_term *x = &rec.terms[0];

			WANT_INT(i, t[i].rec, x->kind, t[i].kind0);
			WANT_INT(i, t[i].rec, x->qualifier, t[i].qual0);
			WANT_STR(i, t[i].rec, x->domain, t[i].domain0);
			WANT_INT(i, t[i].rec, x->cidr4, t[i].cidr4);
			WANT_INT(i, t[i].rec, x->cidr6, t[i].cidr6);
			WANT_INT(i, t[i].rec, x->macro, t[i].macro0);
		}
		spf_record_clear(&rec);
	}
}

static void
parse_keeps_networks_and_flags(void **state)
{
	struct spf_record rec;
	char err[256], buf[64];

	(void)state;
	assert_int_equal(spf_parse("v=spf1 ip4:192.0.2.77/24 ip6:2001:db8::1 "
	    "redirect=x.example.com -all", &rec, err, sizeof err), 0);
	assert_int_equal(rec.n, 4);
	cidr_str(&rec.terms[0].net, buf, sizeof buf);
	assert_string_equal(buf, "192.0.2.0/24");
	cidr_str(&rec.terms[1].net, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8::1/128");
	assert_int_equal(rec.redirect, 2);
	assert_true(rec.has_all);
	assert_string_equal(rec.terms[3].text, "-all");
	spf_record_clear(&rec);
}

static void
parse_rejects_syntax_errors(void **state)
{
	static const struct {
		const char	*rec;
		const char	*err;	/* a substring of the message */
	} t[] = {
		{ "v=spf10 -all", "not an SPF record" },
		{ "spf1 -all", "not an SPF record" },
		{ "v=spf1\t-all", "not an SPF record" },
		{ "v=spf1 -all\tmx", "invalid byte" },
		{ "v=spf1 foo:bar.example", "unknown mechanism" },
		{ "v=spf1 allx", "unknown mechanism" },
		{ "v=spf1 all:x.example", "invalid term" },
		{ "v=spf1 include", "invalid domain" },
		{ "v=spf1 include:", "invalid domain" },
		{ "v=spf1 include:example", "invalid domain" },
		{ "v=spf1 include:bad..example.com", "invalid domain" },
		{ "v=spf1 include:x.123", "invalid domain" },
		{ "v=spf1 include:%{d", "invalid domain" },
		{ "v=spf1 exists:%{z}.example.com", "invalid domain" },
		{ "v=spf1 a:", "invalid domain" },
		{ "v=spf1 a/33", "invalid CIDR" },
		{ "v=spf1 a/024", "invalid CIDR" },
		{ "v=spf1 a//129", "invalid CIDR" },
		{ "v=spf1 a/24/64", "invalid CIDR" },
		{ "v=spf1 a/", "invalid CIDR" },
		{ "v=spf1 ptr/24", "invalid CIDR" },
		{ "v=spf1 ip4:192.0.2.0/33", "invalid CIDR" },
		{ "v=spf1 ip6:2001:db8::/129", "invalid CIDR" },
		{ "v=spf1 ip4:2001:db8::1", "invalid network" },
		{ "v=spf1 ip6:192.0.2.1", "invalid network" },
		{ "v=spf1 ip4:192.0.2", "invalid network" },
		{ "v=spf1 ip4", "invalid network" },
		{ "v=spf1 +redirect=x.example.com", "invalid term" },
		{ "v=spf1 redirect=a.example.com redirect=b.example.com",
		    "two redirect" },
		{ "v=spf1 exp=a.example.com exp=b.example.com", "two exp" },
		{ "v=spf1 foo=%{q}", "invalid macro" },
		{ "v=spf1 =x", "invalid term" },
	};
	struct spf_record rec;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		if (spf_parse(t[i].rec, &rec, err, sizeof err) != -1)
			fail_msg("case %zu (%s): accepted", i, t[i].rec);
		if (strstr(err, t[i].err) == NULL)
			fail_msg("case %zu (%s): message \"%s\", want \"%s\"",
			    i, t[i].rec, err, t[i].err);
		assert_null(rec.terms);
	}
}

/* ---- spf_select() ---- */

/* A TXT answer with the given records (the fake's encoding), built
 * directly. */
static struct dns_answer *
make_txt(const char *const *recs)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNSSEC_INSECURE);
	size_t i, n = 0;

	while (recs[n] != NULL)
		n++;
	a->rr = calloc(n, sizeof *a->rr);
	for (i = 0; i < n; i++) {
		const char *p = recs[i];
		uint8_t *d = malloc(strlen(p) + 64);
		size_t len = 0;

		while (*p != '\0') {
			size_t l = strcspn(p, "|");

			d[len++] = (uint8_t)l;
			memcpy(d + len, p, l);
			len += l;
			p += l;
			if (*p == '|')
				p++;
		}
		a->rr[i].data = d;
		a->rr[i].len = len;
	}
	a->count = n;
	return a;
}

static void
select_finds_the_one_spf_record(void **state)
{
	static const char *const one[] = { "google-site-verification=x",
	    "v=spf1 -all", "v=spf10 +all", "v=spf1x", NULL };
	static const char *const split[] = { "v=spf1 ip4:192.0.2.1 |mx -all",
	    NULL };
	static const char *const two[] = { "v=spf1 -all", "V=SPF1 mx", NULL };
	static const char *const none[] = { "hello", "v=spf", NULL };
	static const char *const bare[] = { "v=spf1", NULL };
	struct dns_answer *a;
	char *out, err[128];

	(void)state;
	a = make_txt(one);
	assert_int_equal(spf_select(a, &out, err, sizeof err), 1);
	assert_string_equal(out, "v=spf1 -all");
	free(out);
	dns_answer_free(a);

	/* RFC 7208 3.3: the strings are joined without a space. */
	a = make_txt(split);
	assert_int_equal(spf_select(a, &out, err, sizeof err), 1);
	assert_string_equal(out, "v=spf1 ip4:192.0.2.1 mx -all");
	free(out);
	dns_answer_free(a);

	a = make_txt(two);
	assert_int_equal(spf_select(a, &out, err, sizeof err), -1);
	assert_null(out);
	assert_non_null(strstr(err, "more than one SPF record"));
	dns_answer_free(a);

	a = make_txt(none);
	assert_int_equal(spf_select(a, &out, err, sizeof err), 0);
	assert_null(out);
	dns_answer_free(a);

	a = make_txt(bare);
	assert_int_equal(spf_select(a, &out, err, sizeof err), 1);
	assert_string_equal(out, "v=spf1");
	free(out);
	dns_answer_free(a);
}

static void
select_turns_nul_into_a_syntax_error(void **state)
{
	static const uint8_t rr[] = { 15, 'v', '=', 's', 'p', 'f', '1', ' ',
	    'm', 'x', 0, ' ', '-', 'a', 'l', 'l' };
	struct dns_answer *a = dns_answer_new(DNS_OK, DNSSEC_INSECURE);
	struct spf_record rec;
	char *out, err[128];

	(void)state;
	a->rr = calloc(1, sizeof *a->rr);
	a->rr[0].data = malloc(sizeof rr);
	memcpy(a->rr[0].data, rr, sizeof rr);
	a->rr[0].len = sizeof rr;
	a->count = 1;
	assert_int_equal(spf_select(a, &out, err, sizeof err), 1);
	assert_int_equal(strlen(out), 15);
	assert_int_equal(spf_parse(out, &rec, err, sizeof err), -1);
	free(out);
	dns_answer_free(a);
}

/* ---- spf_expand() ---- */

static void
expand_domain_macros(void **state)
{
	static const struct {
		const char	*spec;
		int		 rc;
		const char	*want;
	} t[] = {
		{ "_spf.example.com", 1, "_spf.example.com" },
		{ "%{d}", 1, "mail.example.com" },
		{ "%{o}", 1, "example.org" },
		{ "_spf.%{d}", 1, "_spf.mail.example.com" },
		{ "%{d2}", 1, "example.com" },
		{ "%{d1}.x.test", 1, "com.x.test" },
		{ "%{dr}", 1, "com.example.mail" },
		{ "%{d2r}", 1, "example.mail" },
		{ "%{D}", 1, "mail.example.com" },
		{ "%{o-}.x.test", 1, "example.org.x.test" },
		{ "%{d0}", -1, "" },
		{ "%{i}._spf.example.com", 0, "" },
		{ "%{s}.x.test", 0, "" },
		{ "%{l}.%{d}", 0, "" },
		{ "%{h}.x.test", 0, "" },
		{ "a%%b.x.test", -1, "" },
		{ "%{d", -1, "" },
	};
	char out[DNAME_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		int rc = spf_expand(t[i].spec, "mail.example.com",
		    "example.org", out, sizeof out);

		WANT_INT(i, t[i].spec, rc, t[i].rc);
		if (rc == 1)
			WANT_STR(i, t[i].spec, out, t[i].want);
	}
}

static void
expand_drops_labels_beyond_253(void **state)
{
	char d[300], out[DNAME_TEXT_MAX];
	int rc;

	(void)state;
	/* Four 60-byte labels + "example.com": 4 * 61 + 11 = 255 > 253. */
	memset(d, 0, sizeof d);
	for (int l = 0; l < 4; l++) {
		memset(d + l * 61, 'a' + l, 60);
		d[l * 61 + 60] = '.';
	}
	strcat(d, "example.com");
	rc = spf_expand("%{d}", d, "example.org", out, sizeof out);
	assert_int_equal(rc, 1);
	assert_true(strlen(out) <= 253);
	assert_int_equal(out[0], 'b');
}

/* ---- spf_discover() through the fake resolver ---- */

struct rec {
	const char	*name;
	int		 type;
	enum dns_result	 result;
	const char	*data[14];
};

/* The batch query the module takes: submit to the fake, deliver. */
static void
collect_cb(void *arg, struct dns_answer *ans)
{
	*(struct dns_answer **)arg = ans;
}

static int
fake_query(void *arg, const char *const *names, const int *types, size_t n,
    struct dns_answer **out)
{
	size_t i;
	void *h;

	(void)arg;
	for (i = 0; i < n; i++) {
		out[i] = NULL;
		if (fake_resolver_ops.submit(NULL, names[i], types[i],
		    collect_cb, &out[i], &h) != 0)
			return -1;
	}
	(void)fake_resolver_run();
	for (i = 0; i < n; i++)
		if (out[i] == NULL)	/* silent: a timeout */
			out[i] = dns_answer_new(DNS_TIMEOUT, DNSSEC_INSECURE);
	return 0;
}

static void
load(const struct rec *r, size_t n)
{
	size_t i;

	fake_resolver_reset();
	for (i = 0; i < n; i++)
		fake_resolver_add(r[i].name, r[i].type, r[i].result, S,
		    r[i].data);
}

/* The report's addresses as "IP SOURCE|IP SOURCE|...". */
static void
addrs_str(const struct spf_report *r, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->n_addrs && o < len; i++) {
		char ip[DNAME_IPSTR_MAX];

		dname_ip_str(&r->addrs[i].ip, ip, sizeof ip);
		o += (size_t)snprintf(buf + o, len - o, "%s%s %s",
		    i > 0 ? "|" : "", ip, spf_addr_source(r, i)->text);
	}
}

static bool
has_note(const struct spf_report *r, const char *needle)
{
	size_t i;

	for (i = 0; i < r->n_notes; i++)
		if (strstr(r->notes[i], needle) != NULL)
			return true;
	return false;
}

static void
discover_follows_own_organization_and_lists_others(void **state)
{
	static const struct rec dns[] = {
		{ "example.com", TXT, DNS_OK, { "not spf",
		    "v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 a:out.example.com mx "
		    "include:_spf.example.com include:_spf.provider.net "
		    "redirect=ignored.example.com ~all" } },
		{ "out.example.com", A, DNS_OK, { "192.0.2.1", "192.0.2.2" } },
		{ "out.example.com", AAAA, DNS_OK, { "2001:db8::2" } },
		{ "example.com", MX, DNS_OK, { "10 mx.example.com" } },
		{ "mx.example.com", A, DNS_OK, { "192.0.2.3" } },
		{ "mx.example.com", AAAA, DNS_NODATA, { NULL } },
		{ "_spf.example.com", TXT, DNS_OK,
		    { "v=spf1 ip4:198.51.100.0/30 -all" } },
	};
	struct spf_report r;
	char got[2048];

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("Example.COM.", fake_query, NULL, &r),
	    0);
	assert_string_equal(r.domain, "example.com");
	assert_string_equal(r.org, "example.com");
	assert_int_equal(r.result, SPF_RES_OK);
	assert_string_equal(r.error, "");
	/* a, mx, two includes; the redirect is ignored beside "all". */
	assert_int_equal(r.lookups, 4);
	assert_int_equal(r.void4, 0);
	/* mx.example.com has no AAAA: the mx term's own lookup (MX) was
	 * not void, so this is not a void lookup. */
	assert_int_equal(r.void6, 0);
	addrs_str(&r, got, sizeof got);
	assert_string_equal(got,
	    "192.0.2.1 ip4:192.0.2.1, a:out.example.com|"
	    "192.0.2.2 a:out.example.com|"
	    "192.0.2.3 mx, MX mx.example.com|"
	    "198.51.100.0 ip4:198.51.100.0/30 via _spf.example.com|"
	    "198.51.100.1 ip4:198.51.100.0/30 via _spf.example.com|"
	    "198.51.100.2 ip4:198.51.100.0/30 via _spf.example.com|"
	    "198.51.100.3 ip4:198.51.100.0/30 via _spf.example.com|"
	    "2001:db8::1 ip6:2001:db8::1|"
	    "2001:db8::2 a:out.example.com");
	/* The host a name resolves from is kept, for the advice. */
	assert_string_equal(spf_addr_source(&r, 1)->host, "out.example.com");
	assert_string_equal(spf_addr_source(&r, 2)->host, "mx.example.com");
	assert_string_equal(spf_addr_source(&r, 0)->host, "out.example.com");
	assert_int_equal(r.n_delegations, 1);
	assert_string_equal(r.delegations[0].org, "provider.net");
	assert_string_equal(r.delegations[0].term,
	    "include:_spf.provider.net");
	assert_string_equal(r.delegations[0].in, "example.com");
	/* Never asked: delegated, and ignored. */
	assert_int_equal(fake_resolver_submitted("_spf.provider.net", TXT), 0);
	assert_int_equal(fake_resolver_submitted("ignored.example.com", TXT),
	    0);
	assert_true(has_note(&r, "ignored"));
	assert_int_equal(r.mx_result, SPF_MX_OK);
	assert_int_equal(r.n_mx, 1);
	assert_string_equal(r.mx[0].host, "mx.example.com");
	assert_int_equal(r.mx[0].n_addrs, 1);
	assert_non_null(r.record);
	spf_report_clear(&r);
}

static void
discover_eleventh_lookup_is_permerror(void **state)
{
	static const struct rec dns[] = {
		{ "many.example.com", TXT, DNS_OK, { "v=spf1 a:h.example.com "
		    "include:i.example.com include:i.example.com "
		    "include:i.example.com include:i.example.com "
		    "include:i.example.com |include:i.example.com "
		    "include:i.example.com include:i.example.com "
		    "include:i.example.com ip4:192.0.2.250 -all" } },
		{ "h.example.com", A, DNS_OK, { "192.0.2.1" } },
		{ "h.example.com", AAAA, DNS_OK, { "2001:db8::1" } },
		{ "i.example.com", TXT, DNS_OK, { "v=spf1 mx -all" } },
		{ "i.example.com", MX, DNS_OK, { "0 h.example.com" } },
	};
	struct spf_report r;
	char got[1024];

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("many.example.com", fake_query, NULL,
	    &r), 0);
	assert_int_equal(r.result, SPF_RES_PERMERROR);
	/* a, then include and its mx: the 5th include's mx is the 11th. */
	assert_non_null(strstr(r.error, "more than 10 DNS lookups"));
	assert_non_null(strstr(r.error, "\"mx\" in i.example.com"));
	assert_int_equal(r.lookups, 10);
	addrs_str(&r, got, sizeof got);
	/* The ip4 after the limit is never reached. */
	assert_null(strstr(got, "192.0.2.250"));
	assert_non_null(strstr(got, "192.0.2.1 a:h.example.com, mx via "
	    "i.example.com"));
	spf_report_clear(&r);
}

static void
discover_third_void_lookup_is_permerror(void **state)
{
	/* AAAA only: void for IPv4 clients three times. */
	static const struct rec dns[] = {
		{ "v.example.com", TXT, DNS_OK, { "v=spf1 a:v1.example.com "
		    "a:v2.example.com a:v3.example.com ip4:192.0.2.9 -all" } },
		{ "v1.example.com", AAAA, DNS_OK, { "2001:db8::1" } },
		{ "v2.example.com", AAAA, DNS_OK, { "2001:db8::2" } },
		{ "v3.example.com", AAAA, DNS_OK, { "2001:db8::3" } },
	};
	struct spf_report r;

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("v.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_PERMERROR);
	assert_non_null(strstr(r.error, "more than 2 void lookups"));
	assert_non_null(strstr(r.error, "for IPv4 senders"));
	assert_non_null(strstr(r.error, "a:v3.example.com"));
	assert_int_equal(r.void4, 3);
	assert_int_equal(r.void6, 0);
	assert_int_equal(r.n_addrs, 3);
	spf_report_clear(&r);
}

static void
discover_two_void_lookups_are_allowed(void **state)
{
	static const struct rec dns[] = {
		{ "v.example.com", TXT, DNS_OK, { "v=spf1 a:nx1.example.com "
		    "mx:nx2.example.com ip4:192.0.2.9 -all" } },
	};
	struct spf_report r;

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("v.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_OK);
	assert_int_equal(r.void4, 2);
	assert_int_equal(r.void6, 2);
	assert_int_equal(r.n_addrs, 1);
	spf_report_clear(&r);
}

static void
discover_detects_include_loops(void **state)
{
	static const struct rec dns[] = {
		{ "a.example.com", TXT, DNS_OK,
		    { "v=spf1 include:b.example.com -all" } },
		{ "b.example.com", TXT, DNS_OK,
		    { "v=spf1 ip4:192.0.2.1 redirect=a.example.com" } },
	};
	struct spf_report r;

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("a.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_PERMERROR);
	assert_non_null(strstr(r.error, "loop: a.example.com -> "
	    "b.example.com -> a.example.com"));
	/* Found before the loop. */
	assert_int_equal(r.n_addrs, 1);
	spf_report_clear(&r);
}

static void
discover_same_include_twice_is_no_loop(void **state)
{
	static const struct rec dns[] = {
		{ "a.example.com", TXT, DNS_OK, { "v=spf1 include:b.example.com"
		    " include:b.example.com -all" } },
		{ "b.example.com", TXT, DNS_OK, { "v=spf1 ip4:192.0.2.1" } },
	};
	struct spf_report r;

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("a.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_OK);
	assert_int_equal(r.lookups, 2);
	assert_int_equal(r.n_addrs, 1);
	spf_report_clear(&r);
}

static void
discover_classifies_failures(void **state)
{
	static const struct {
		const char	*label;
		struct rec	 dns[3];
		enum spf_result	 want;
		const char	*err;
	} t[] = {
		{ "no record", { { "d.example.com", TXT, DNS_NXDOMAIN,
		    { NULL } } }, SPF_RES_NONE, "" },
		{ "not spf", { { "d.example.com", TXT, DNS_OK,
		    { "hello" } } }, SPF_RES_NONE, "" },
		{ "servfail", { { "d.example.com", TXT, DNS_SERVFAIL,
		    { NULL } } }, SPF_RES_TEMPERROR, "failed: servfail" },
		{ "bogus", { { "d.example.com", TXT, DNS_BOGUS, { NULL } } },
		    SPF_RES_TEMPERROR, "failed: bogus" },
		{ "two records", { { "d.example.com", TXT, DNS_OK,
		    { "v=spf1 -all", "v=spf1 +all" } } }, SPF_RES_PERMERROR,
		    "more than one SPF record" },
		{ "syntax", { { "d.example.com", TXT, DNS_OK,
		    { "v=spf1 ip4:300.1.2.3" } } }, SPF_RES_PERMERROR,
		    "syntax error" },
		{ "include without record", { { "d.example.com", TXT, DNS_OK,
		    { "v=spf1 include:x.example.com -all" } } },
		    SPF_RES_PERMERROR, "has no SPF record" },
		{ "a lookup fails", { { "d.example.com", TXT, DNS_OK,
		    { "v=spf1 a -all" } }, { "d.example.com", A,
		    DNS_SERVFAIL, { NULL } } }, SPF_RES_TEMPERROR,
		    "failed temporarily" },
		{ "mx with 11 hosts", { { "d.example.com", TXT, DNS_OK,
		    { "v=spf1 mx -all" } }, { "d.example.com", MX, DNS_OK,
		    { "1 m1.x.com", "2 m2.x.com", "3 m3.x.com", "4 m4.x.com",
		    "5 m5.x.com", "6 m6.x.com", "7 m7.x.com", "8 m8.x.com",
		    "9 m9.x.com", "10 m10.x.com", "11 m11.x.com" } } },
		    SPF_RES_PERMERROR, "more than 10" },
		{ "macro not a name", { { "d.example.com", TXT, DNS_OK,
		    { "v=spf1 include:%{d0}.x.com" } } }, SPF_RES_PERMERROR,
		    "does not expand" },
	};
	struct spf_report r;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		size_t n = 0;

		while (n < 3 && t[i].dns[n].name != NULL)
			n++;
		load(t[i].dns, n);
		assert_int_equal(spf_discover("d.example.com", fake_query,
		    NULL, &r), 0);
		WANT_INT(i, t[i].label, r.result, t[i].want);
		if (strstr(r.error, t[i].err) == NULL)
			fail_msg("case %zu (%s): error \"%s\", want \"%s\"", i,
			    t[i].label, r.error, t[i].err);
		spf_report_clear(&r);
	}
}

static void
discover_lists_large_blocks_and_applies_cidr(void **state)
{
	static const struct rec dns[] = {
		{ "b.example.com", TXT, DNS_OK, { "v=spf1 ip4:10.0.0.0/16 "
		    "ip6:2001:db8::/64 ip4:192.0.2.0/30 "
		    "a:h.example.com/31//127 a:w.example.com/23 ptr "
		    "exists:%{i}.x.example.com include:%{l}.x.example.com "
		    "-all ip4:192.0.2.200" } },
		{ "h.example.com", A, DNS_OK, { "198.51.100.7" } },
		{ "h.example.com", AAAA, DNS_OK, { "2001:db8:1::5" } },
		{ "w.example.com", A, DNS_OK, { "203.0.113.9" } },
		{ "w.example.com", AAAA, DNS_OK, { "2001:db8:2::5" } },
	};
	struct spf_report r;
	char got[2048], s[64];

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("b.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_OK);
	/* a, a, ptr, exists, include. */
	assert_int_equal(r.lookups, 5);
	assert_int_equal(r.n_ranges, 3);
	cidr_str(&r.ranges[0].net, s, sizeof s);
	assert_string_equal(s, "10.0.0.0/16");
	cidr_str(&r.ranges[1].net, s, sizeof s);
	assert_string_equal(s, "2001:db8::/64");
	cidr_str(&r.ranges[2].net, s, sizeof s);
	assert_string_equal(s, "203.0.112.0/23");
	assert_string_equal(r.ranges[2].source, "a:w.example.com/23");
	addrs_str(&r, got, sizeof got);
	assert_string_equal(got,
	    "192.0.2.0 ip4:192.0.2.0/30|192.0.2.1 ip4:192.0.2.0/30|"
	    "192.0.2.2 ip4:192.0.2.0/30|192.0.2.3 ip4:192.0.2.0/30|"
	    "198.51.100.6 a:h.example.com/31//127|"
	    "198.51.100.7 a:h.example.com/31//127|"
	    "2001:db8:1::4 a:h.example.com/31//127|"
	    "2001:db8:1::5 a:h.example.com/31//127|"
	    "2001:db8:2::5 a:w.example.com/23");
	assert_true(has_note(&r, "\"ptr\""));
	assert_true(has_note(&r, "exists:%{i}"));
	assert_true(has_note(&r, "include:%{l}.x.example.com"));
	assert_true(has_note(&r, "never evaluated"));
	spf_report_clear(&r);
}

static void
discover_expands_domain_macro_in_include(void **state)
{
	static const struct rec dns[] = {
		{ "m.example.com", TXT, DNS_OK,
		    { "v=spf1 include:_s.%{d} -all" } },
		{ "_s.m.example.com", TXT, DNS_OK,
		    { "v=spf1 ip4:192.0.2.5" } },
	};
	struct spf_report r;

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("m.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_OK);
	assert_int_equal(r.n_addrs, 1);
	assert_string_equal(spf_addr_source(&r, 0)->text,
	    "ip4:192.0.2.5 via _s.m.example.com");
	spf_report_clear(&r);
}

static void
discover_mx_hosts_without_spf(void **state)
{
	static const struct rec dns[] = {
		{ "d.example.com", MX, DNS_OK, { "20 b.example.com",
		    "10 a.example.com", "30 bad_host.example.com" } },
		{ "a.example.com", A, DNS_OK, { "192.0.2.10" } },
		{ "a.example.com", AAAA, DNS_OK, { "2001:db8::10" } },
		{ "b.example.com", A, DNS_OK, { "192.0.2.10" } },
	};
	struct spf_report r;
	char got[1024];

	(void)state;
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("d.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_NONE);
	assert_int_equal(r.mx_result, SPF_MX_OK);
	assert_int_equal(r.n_mx, 2);
	addrs_str(&r, got, sizeof got);
	assert_string_equal(got, "192.0.2.10 MX b.example.com, MX "
	    "a.example.com|2001:db8::10 MX a.example.com");
	assert_true(has_note(&r, "not a host name"));
	spf_report_clear(&r);
}

static void
discover_null_mx_and_mx_failure(void **state)
{
	static const struct rec nullmx[] = {
		{ "d.example.com", MX, DNS_OK, { "0 ." } },
	};
	static const struct rec failing[] = {
		{ "d.example.com", MX, DNS_SERVFAIL, { NULL } },
	};
	struct spf_report r;

	(void)state;
	load(nullmx, NELEM(nullmx));
	assert_int_equal(spf_discover("d.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.mx_result, SPF_MX_NULL);
	assert_int_equal(r.n_addrs, 0);
	spf_report_clear(&r);

	load(failing, NELEM(failing));
	assert_int_equal(spf_discover("d.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.mx_result, SPF_MX_TEMPERROR);
	assert_non_null(strstr(r.mx_error, "servfail"));
	spf_report_clear(&r);
}

static void
discover_caps_enumerated_addresses(void **state)
{
	static char rec[8192];
	const struct rec dns[] = {
		{ "c.example.com", TXT, DNS_OK, { rec } },
	};
	struct spf_report r;
	size_t i, o;

	(void)state;
	/* 257 /24s: one too many to enumerate (SPF_ADDR_MAX = 256 * 256). */
	o = (size_t)snprintf(rec, sizeof rec, "v=spf1");
	for (i = 0; i < 257; i++)
		o += (size_t)snprintf(rec + o, sizeof rec - o,
		    "%sip4:10.%zu.%zu.0/24", i % 8 == 7 ? " |" : " ", i / 256,
		    i % 256);
	load(dns, NELEM(dns));
	assert_int_equal(spf_discover("c.example.com", fake_query, NULL, &r),
	    0);
	assert_int_equal(r.result, SPF_RES_OK);
	assert_int_equal(r.n_addrs, SPF_ADDR_MAX);
	assert_true(r.addrs_capped);
	assert_int_equal(r.n_ranges, 1);
	assert_true(has_note(&r, "more than 65536 addresses"));
	spf_report_clear(&r);
}

static int
setup(void **state)
{
	(void)state;
	fake_resolver_reset();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_valid_records),
		cmocka_unit_test(parse_keeps_networks_and_flags),
		cmocka_unit_test(parse_rejects_syntax_errors),
		cmocka_unit_test(select_finds_the_one_spf_record),
		cmocka_unit_test(select_turns_nul_into_a_syntax_error),
		cmocka_unit_test(expand_domain_macros),
		cmocka_unit_test(expand_drops_labels_beyond_253),
		cmocka_unit_test_setup(
		    discover_follows_own_organization_and_lists_others, setup),
		cmocka_unit_test_setup(discover_eleventh_lookup_is_permerror,
		    setup),
		cmocka_unit_test_setup(discover_third_void_lookup_is_permerror,
		    setup),
		cmocka_unit_test_setup(discover_two_void_lookups_are_allowed,
		    setup),
		cmocka_unit_test_setup(discover_detects_include_loops, setup),
		cmocka_unit_test_setup(discover_same_include_twice_is_no_loop,
		    setup),
		cmocka_unit_test_setup(discover_classifies_failures, setup),
		cmocka_unit_test_setup(
		    discover_lists_large_blocks_and_applies_cidr, setup),
		cmocka_unit_test_setup(
		    discover_expands_domain_macro_in_include, setup),
		cmocka_unit_test_setup(discover_mx_hosts_without_spf, setup),
		cmocka_unit_test_setup(discover_null_mx_and_mx_failure,
		    setup),
		cmocka_unit_test_setup(discover_caps_enumerated_addresses,
		    setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
