/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_generic.c - unit tests for the generic-name judgement
 * (milter/generic*.c): the embedded-address test, verdicts and their
 * reasons, rules files (format, errors, scopes, GenericDisable), the
 * shipped rules, mail-role words, the legacy pattern list.
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

#include "conf.h"
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

/* The shipped rules file (the source copy: RDNS_MILTER_GENERIC_RULES). */
static struct generic_patterns *
shipped(void)
{
	char err[1024];
	struct generic_patterns *gp;

	gp = generic_rules_load(config_generic_rules_default(), err,
	    sizeof err);
	if (gp == NULL)
		fail_msg("shipped rules: %s", err);
	return gp;
}

/* --- the embedded address ------------------------------------------- */

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
		{ "host-42-113-0-203.example.net", IP4, true },
		{ "203.0.113.42.example.net", IP4, true },
		{ "203_0_113_42.example.net", IP4, true },
		{ "ip203.0.113.42.example.net", IP4, true },
		/* Zero-padded, joined by nothing, mixed padding. */
		{ "203000113042.example.net", IP4, true },
		{ "ip203000113042.example.net", IP4, true },
		{ "042113000203.rev.example.net", IP4, true },
		{ "203-000-113-042.example.net", IP4, true },
		{ "203-0-113-042.example.net", IP4, true },
		{ "203011342.example.net", IP4, true },
		{ "h42113.0.203.example.net", IP4, true },
		/* Mixed separators, reversed, across labels (issue 18
		 * class 1: Videotron, Belgacom, SFR). */
		{ "modemcable151.96-160-184.mc.videotron.ca",
		    "184.160.96.151", true },
		{ "modemcable094.169-200-24.mc.videotron.ca",
		    "24.200.169.94", true },
		{ "145.120.101-84.rev.gaoland.net", "84.101.120.145", true },
		{ "adsl-195-82.37-151.net24.it", "151.37.82.195", true },
		/* Three octets are enough. */
		{ "165.red-80-38-163.staticip.rima-tde.net",
		    "80.38.163.165", true },
		{ "113-11-116.adsl.cust.tie.cl", "200.113.11.116", true },
		{ "203-0-113.example.net", IP4, true },
		{ "1203-0-113-42.example.net", IP4, true },
		/* ... but two are not, nor other numbers. */
		{ "219-100.usachoice.example.net", "66.71.219.100", false },
		{ "li1322-146.members.linode.com", "45.79.223.146", false },
		{ "2030113420.example.net", IP4, false },
		{ "198-51-100-7.example.net", IP4, false },
		{ "mail.example.com", IP4, false },
		/* The 8-digit hex form behind any letters, hex ones too
		 * (issue 18 class 2: Telenet), any case. */
		{ "cb00712a.example.net", IP4, true },
		{ "CB00712A.example.net", IP4, true },
		{ "x-cb00712a.dsl.example.net", IP4, true },
		{ "p5B0C3E7F.dip0.t-ipconnect.de", "91.12.62.127", true },
		{ "d54C15D55.access.telenet.be", "84.193.93.85", true },
		{ "acb00712a.example.net", IP4, true },
		{ "zaq3dcd9082.zaq.ne.jp", "61.205.144.130", true },
		{ "1cb00712a.example.net", IP4, false },
		{ "cb00712a0.example.net", IP4, false },
		/* Trailing dot and case do not matter. */
		{ "DSL-203-0-113-42.Example.NET.", IP4, true },
		/* The organizational domain counts when it holds the
		 * address itself (issue 18 class 4: OVH) ... */
		{ "9.ip-51-91-159.eu", "51.91.159.9", true },
		{ "ns3012345.ip-51-91-159.eu", "51.91.159.9", true },
		{ "203-0-113-42.net", IP4, true },
		{ "mail.cb00712a.net", IP4, true },
		/* ... never partly: its digits do not complete the host
		 * part's. */
		{ "159-9.ip-51-91.eu", "51.91.159.9", false },
		{ "42.113.0-203.net", IP4, false },
		{ "mail.ip-1-2-3.example", IP4B, false },
		{ "203.0.113.42", IP4, false },
		/* IPv6 groups: expanded, unpadded, compressed with "--"
		 * (issue 18 class 3), the interface identifier. */
		{ "2001-db8-1234-5678-9abc-def0-1234-5678.example.net", IP6,
		    true },
		{ "2001-DB8-1234-5678-9ABC-DEF0-1234-5678.example.net", IP6,
		    true },
		{ "v6-9abc-def0-1234-5678.example.net", IP6, true },
		{ "9abc.def0.1234.5678.v6.example.net", IP6, true },
		{ "0000-0000-0000-0001.example.net", "2001:db8::1", true },
		{ "2001-db8-0-0-0-0-0-1.example.net", "2001:db8::1", true },
		{ "2001-db8--1.example.net", "2001:db8::1", true },
		{ "2001-67c-10ec-5784-8000--12e7.net6.ethz.ch",
		    "2001:67c:10ec:5784:8000::12e7", true },
		{ "2a02-8388-6582-fe80-0000-0000-0000-0006.cable.dynamic."
		    "v6.surfer.at", "2a02:8388:6582:fe80::6", true },
		{ "x--1.example.net", "2001:db8::1", false },
		{ "9abc-def0-1234.example.net", IP6, false },
		/* IPv6 nibbles and hex runs, either order, behind letters. */
		{ "9abcdef012345678.example.net", IP6, true },
		{ "a9abcdef012345678.example.net", IP6, true },
		{ "9abcdef0123456789.example.net", IP6, false },
		{ "20010db8123456789abcdef012345678.example.net", IP6, true },
		{ "2.0.0.1.0.d.b.8.1.2.3.4.5.6.7.8.9.a.b.c.d.e.f.0.1.2.3.4.5."
		    "6.7.8.example.net", IP6, true },
		{ "8-7-6-5-4-3-2-1-0-f-e-d-c-b-a-9-8-7-6-5-4-3-2-1-8-b-d-0-1-"
		    "0-0-2.example.net", IP6, true },
		{ "8.7.6.5.4.3.2.1.0.f.e.d.c.b.a.9.v6.example.net", IP6, true },
		{ "876543210fedcba9876543218bd01002.example.net", IP6, true },
		{ "f876543210fedcba9876543218bd01002.example.net", IP6, true },
		{ "1876543210fedcba9876543218bd01002.example.net", IP6, false },
		{ "p200300ec2f0f5e00e15a1b2e1d2ace20.dip0.t-ipconnect.de",
		    "2003:ec:2f0f:5e00:e15a:1b2e:1d2a:ce20", true },
		/* Base 36 (issue 18 class 7: Telus). */
		{ "node-1w7jr9st5p2esmclet71ntnwp.ipv6.telus.net",
		    "2001:569:beb1:1500:6f9d:3a5c:4d25:e949", true },
		{ "node-1w7jr9st5p2esmclet71ntnwq.ipv6.telus.net",
		    "2001:569:beb1:1500:6f9d:3a5c:4d25:e949", false },
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
		/* Embedding alone makes a name generic, rules or not. */
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
	/* A public suffix has no organizational domain. */
	assert_false(generic_embeds_ip("co.uk", &ip));
	ip.family = 0;
	assert_false(generic_embeds_ip("203-0-113-42.a.example.net", &ip));
	/* Too long to be a name: not judged. */
	ip = test_util_ip(IP4);
	memset(name, 'a', sizeof name);
	memcpy(name, "203-0-113-42.", 13);
	memcpy(name + sizeof name - 13, ".example.net", 13);
	assert_false(generic_embeds_ip(name, &ip));
}

/* Every verdict names its evidence. */
static void
verdicts_explain_themselves(void **state)
{
	static const struct {
		const char	*name;
		const char	*ip;
		const char	*rule;
		const char	*reason;
	} t[] = {
		{ "42.113.0-203.dyn.example.net", IP4, GENERIC_RULE_IPV4,
		    "embeds 203.0.113.42 as reversed octets across labels "
		    "(42.113.0-203)" },
		{ "dsl-203-0-113-42.example.net", IP4, GENERIC_RULE_IPV4,
		    "embeds 203.0.113.42 as octets in order in one label "
		    "(203-0-113-42)" },
		{ "ip203000113042.example.net", IP4, GENERIC_RULE_IPV4,
		    "embeds 203.0.113.42 as zero-padded octets in order "
		    "without separators in one label (203000113042)" },
		{ "ns1.ip-203-0-113.eu", IP4, GENERIC_RULE_IPV4,
		    "embeds 203.0.113.42 as three octets in order in the "
		    "organizational domain (203-0-113)" },
		{ "pcb00712a.example.net", IP4, GENERIC_RULE_IPV4_HEX,
		    "embeds 203.0.113.42 as hex digits (cb00712a)" },
		{ "2001-db8--1.example.net", "2001:db8::1", GENERIC_RULE_IPV6,
		    "embeds 2001:db8::1 as compressed groups (2001-db8--1)" },
		{ "x.0-0-0-1.example.net", "2001:db8::1", GENERIC_RULE_IPV6,
		    "embeds 2001:db8::1 as its interface identifier's groups "
		    "(0-0-0-1)" },
		{ "node-1w7jr9st5p2esmclet71ntnwp.ipv6.telus.net",
		    "2001:569:beb1:1500:6f9d:3a5c:4d25:e949", GENERIC_RULE_IPV6,
		    "embeds 2001:569:beb1:1500:6f9d:3a5c:4d25:e949 as a base-36 "
		    "number (1w7jr9st5p2esmclet71ntnwp)" },
		{ "dynamic-1.example.net", IP4B, "dyn-word",
		    "rule dyn-word (dynamic-1)" },
		{ "vps-a2bccee9.vps.ovh.net", IP4B, "ovh-vps-default",
		    "rule ovh-vps-default (vps-a2bccee9.vps)" },
		{ "mail.example.com", IP4B, "", "" },
		{ "mail-203-0-113-42.example.net", IP4, "", "" },
	};
	struct generic_patterns *gp = shipped();
	struct generic_roles *gr = generic_roles_new_default();
	struct generic_verdict v;
	struct rdns_ip ip;
	size_t i;

	(void)state;
	assert_non_null(gr);
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].name, generic_assess(gp, gr, t[i].name, &ip,
		    &v), t[i].rule[0] != '\0');
		WANT_INT(i, t[i].name, v.generic, t[i].rule[0] != '\0');
		WANT_STR(i, t[i].name, v.rule, t[i].rule);
		WANT_STR(i, t[i].name, v.reason, t[i].reason);
	}
	/* A long name's quote is cut, the reason stays terminated. */
	ip = test_util_ip("2001:db8::1");
	assert_true(generic_assess(NULL, NULL, "0-0-0-0-0-0-0-0-0-0-0-0-0-0-"
	    "0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-2001-db8-"
	    "0-0-0-0-0-1.example.net", &ip, &v));
	assert_true(strlen(v.reason) < GENERIC_REASON_MAX);
	generic_roles_free(gr);
	generic_patterns_free(gp);
}

/* --- the shipped rules ----------------------------------------------- */

static void
shipped_rules_are_named_scoped_and_sourced(void **state)
{
	struct generic_patterns *gp = shipped();
	const char *name, *scope, *regex, *source;
	bool enabled;
	size_t i;

	(void)state;
	assert_true(generic_rules_count(gp) >= 20);
	for (i = 0; i < generic_rules_count(gp); i++) {
		assert_true(generic_rules_get(gp, i, &name, &scope, &regex,
		    &source, &enabled));
		if (source[0] == '\0')
			fail_msg("rule %s has no \"# source:\" comment", name);
		assert_true(enabled);
		assert_true(strcmp(scope, "label") == 0 ||
		    strcmp(scope, "host") == 0 || strcmp(scope, "name") == 0 ||
		    strncmp(scope, "domain=", 7) == 0);
		assert_int_equal(generic_rules_find(gp, name), (long)i);
	}
	assert_false(generic_rules_get(gp, i, &name, NULL, NULL, NULL, NULL));
	generic_patterns_free(gp);
}

static void
shipped_rules_real_naming_schemes(void **state)
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
		{ "c-203-0-113-42.hsd1.ca.comcast.net", IP4B, true },
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
		{ "cpe-203-0-113-42.nc.res.rr.com", IP4B, true },
		{ "ftth-1.example.net", IP4B, true },
		{ "x.bredband.example.se", IP4B, true },
		{ "tky10-p171.flets.hi-ho.ne.jp", IP4B, true },
		{ "DSL-1.Example.NET", IP4B, true },
		{ "dsl-1.example.net.", IP4B, true },
		/* Provider schemes, under their provider only. */
		{ "p5B0C3E7F.dip0.t-ipconnect.de", IP4B, true },
		{ "x.dip0.example.de", IP4B, false },
		{ "vps-a2bccee9.vps.ovh.net", IP4B, true },
		{ "vps-a2bccee9.vps.example.net", IP4B, false },
		{ "li1322-146.members.linode.com", IP4B, true },
		{ "li1322-146.members.example.com", IP4B, false },
		{ "S0106788a2041785e.gv.shawcable.net", IP4B, true },
		{ "ti0182q160-1614.bb.online.no", IP4B, true },
		{ "p14092-ipngnfx01kyoto.kyoto.ocn.ne.jp", IP4B, true },
		{ "lfbn-tou-1-1502-76.w90-89.abo.wanadoo.fr", IP4B, true },
		/* Providers whose names embed the address are left to the
		 * address test: without it these say nothing. */
		{ "foo.compute-1.amazonaws.com", IP4B, false },
		{ "x.hsd1.ma.comcast.net", IP4B, false },
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
		{ "conuserg-10.nifty.com", IP4B, false },
		/* The organizational domain is never looked at by words. */
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
		/* A label exactly "static" turns words off ... */
		{ "static.dsl.example.net", IP4B, false },
		{ "203-0-113-42.static.example.net", IP4B, false },
		/* ... but a label merely containing it does not ... */
		{ "static-ip-1.dsl.example.net", IP4B, true },
		/* ... an embedded client IP is generic anyway ... */
		{ "203-0-113-42.static.example.net", IP4, true },
		/* ... and so is a provider's scheme. */
		{ "static.ti0182q160-1614.bb.online.no", IP4B, true },
		/* A mail-role word protects from everything, as a whole
		 * word of any label. */
		{ "mx.dsl.example.net", IP4B, false },
		{ "MX.dsl.example.net", IP4B, false },
		{ "smtp.dynamic.example.net", IP4B, false },
		{ "mail.pool-1.example.net", IP4B, false },
		{ "mx-dsl.example.net", IP4B, false },
		{ "mx.203-0-113-42.dsl.example.net", IP4, false },
		{ "mail.203-0-113-42.example.net", IP4, false },
		{ "smtp.cb00712a.example.net", IP4, false },
		{ "mail.vps-a2bccee9.vps.ovh.net", IP4B, false },
	};
	struct generic_patterns *gp = shipped();
	struct generic_roles *gr;
	struct rdns_ip ip;
	size_t i;

	(void)state;
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
	/* Without an address only the rules apply. */
	assert_true(generic_match(gp, "dsl-1.example.net", NULL));
	generic_patterns_free(gp);
}

static void
no_rules_means_embedding_only(void **state)
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
	struct generic_patterns *gp = shipped();
	struct generic_roles *gr = generic_roles_new_default();
	struct rdns_ip ip;
	size_t i;

	(void)state;
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
		/* ccSLDs: the organizational domain is never examined by
		 * the rules ... */
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
	struct generic_patterns *gp = shipped();
	struct rdns_ip ip;
	size_t i;

	(void)state;
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
	struct generic_patterns *gp = shipped();
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
	(void)snprintf(td.path, sizeof td.path, "%s/rules", td.dir);
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

/* --- rules files ------------------------------------------------------ */

static void
rules_file_scopes_sources_and_disable(void **state)
{
	static const char text[] =
	    "# a site's rules\n"
	    "# source: https://www.example.net/rdns (the provider's page)\n"
	    "# source: Received: from x (a1.pool.example.net [192.0.2.1])\n"
	    "site-pool   label  ^a[0-9]+$\n"
	    "\n"
	    "# source: not this one's (a blank line ends a source)\n"
	    "\n"
	    "\tsite-host\thost\t^b[0-9]+\\.c$   # trailing comment\n"
	    "site-name name [.]d[0-9]+[.]example[.]org$\n"
	    "# source: the provider's scheme\n"
	    "site-dom domain=Example.COM. ^vm[0-9]+$\n"
	    "site-static label ^static-only$";	/* no final newline */
	static const struct gcase t[] = {
		{ "a12.example.net", IP4B, true },
		{ "x.a7.example.net", IP4B, true },
		{ "a.example.net", IP4B, false },
		{ "b1.c.example.net", IP4B, true },
		{ "x.b1.c.example.net", IP4B, false },
		{ "b1.example.net", IP4B, false },
		{ "x.d9.example.org", IP4B, true },
		{ "vm42.example.com", IP4B, true },
		{ "vm42.example.net", IP4B, false },
		{ "x.vm42.example.com", IP4B, false },
		/* "static" turns off all but the domain= rules. */
		{ "static.a12.example.net", IP4B, false },
		{ "static.x.d9.example.org", IP4B, false },
		{ "static-only.example.net", IP4B, true },
	};
	struct tmpdir *td = *state;
	struct generic_patterns *gp;
	const char *name, *scope, *regex, *source;
	struct generic_verdict v;
	struct rdns_ip ip = test_util_ip(IP4B);
	char err[512];
	bool enabled;
	size_t i;

	write_file(td->path, text, sizeof text - 1);
	gp = generic_rules_load(td->path, err, sizeof err);
	if (gp == NULL)
		fail_msg("%s", err);
	assert_int_equal(generic_rules_count(gp), 5);
	for (i = 0; i < NELEM(t); i++) {
		ip = test_util_ip(t[i].ip);
		WANT_INT(i, t[i].name, generic_match(gp, t[i].name, &ip),
		    t[i].want);
	}
	assert_true(generic_rules_get(gp, 0, &name, &scope, &regex, &source,
	    &enabled));
	assert_string_equal(name, "site-pool");
	assert_string_equal(scope, "label");
	assert_string_equal(regex, "^a[0-9]+$");
	assert_string_equal(source, "https://www.example.net/rdns (the "
	    "provider's page); Received: from x (a1.pool.example.net "
	    "[192.0.2.1])");
	assert_true(enabled);
	assert_true(generic_rules_get(gp, 1, &name, &scope, &regex, &source,
	    NULL));
	assert_string_equal(name, "site-host");
	assert_string_equal(regex, "^b[0-9]+\\.c$");
	assert_string_equal(source, "");
	assert_true(generic_rules_get(gp, 3, &name, &scope, NULL, &source,
	    NULL));
	assert_string_equal(scope, "domain=Example.COM.");
	assert_string_equal(source, "the provider's scheme");
	assert_true(generic_assess(gp, NULL, "vm42.example.com", &ip, &v));
	assert_string_equal(v.rule, "site-dom");
	assert_string_equal(v.reason, "rule site-dom (vm42)");

	/* One rule off: the others stay. */
	assert_int_equal(generic_rules_disable(gp, "site-pool", err,
	    sizeof err), 0);
	assert_int_equal(generic_rules_compile(gp, err, sizeof err), 0);
	assert_false(generic_match(gp, "a12.example.net", &ip));
	assert_true(generic_match(gp, "b1.c.example.net", &ip));
	assert_true(generic_rules_get(gp, 0, NULL, NULL, NULL, NULL,
	    &enabled));
	assert_false(enabled);
	/* Uncompiled (after a change) it still judges, rule by rule. */
	assert_int_equal(generic_rules_disable(gp, "site-dom", err,
	    sizeof err), 0);
	assert_false(generic_match(gp, "vm42.example.com", &ip));
	assert_true(generic_match(gp, "x.d9.example.org", &ip));
	/* Unknown and reserved names. */
	assert_int_equal(generic_rules_disable(gp, "nope", err, sizeof err),
	    -1);
	assert_string_equal(err, "no rule named 'nope'");
	assert_int_equal(generic_rules_disable(gp, GENERIC_RULE_IPV4, err,
	    sizeof err), -1);
	assert_string_equal(err, "'embedded-ipv4' is the address test, which "
	    "always applies");
	/* A second file adds; a name twice is an error. */
	assert_int_equal(generic_rules_add(gp, "more", "label", "^more$",
	    NULL, err, sizeof err), 0);
	assert_int_equal(generic_rules_compile(gp, err, sizeof err), 0);
	assert_true(generic_match(gp, "more.example.net", &ip));
	assert_int_equal(generic_rules_add_file(gp, td->path, err,
	    sizeof err), -1);
	{
		char want[512];

		(void)snprintf(want, sizeof want, "%s:4: rule 'site-pool' "
		    "already defined at %s:4", td->path, td->path);
		assert_string_equal(err, want);
	}
	generic_patterns_free(gp);
}

static void
rules_file_errors_name_file_and_line(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;	/* after "FILE:" */
	} t[] = {
		{ "ok label ^a$\nbad\n", "2: want NAME SCOPE REGEX" },
		{ "ok label\n", "1: want NAME SCOPE REGEX" },
		{ "Bad label ^a$\n", "1: bad rule name 'Bad' (want a lower-case "
		    "letter or digit, then letters, digits and '-', at most 63)" },
		{ "-x label ^a$\n", "1: bad rule name '-x' (want a lower-case "
		    "letter or digit, then letters, digits and '-', at most 63)" },
		{ "embedded-ipv6 label ^a$\n", "1: rule name 'embedded-ipv6' "
		    "is reserved for the address test" },
		{ "x labels ^a$\n", "1: bad scope 'labels' (want label, host, "
		    "name or domain=DOMAIN)" },
		{ "x domain=www.example.com ^a$\n", "1: bad scope "
		    "'domain=www.example.com': 'www.example.com' is not an "
		    "organizational domain (that is example.com)" },
		{ "x domain=co.uk ^a$\n", "1: bad scope 'domain=co.uk': "
		    "'co.uk' has no organizational domain" },
		{ "x label ^a$ junk\n", "1: unexpected 'junk' after the regex "
		    "(a regex has no white space; write [[:space:]])" },
		{ "x label ^a$\ny label ^b$\nx name ^c$\n", "3: rule 'x' "
		    "already defined at @:1" },
		{ "# c\nx label a{1\n", "2: rule 'x': " },
	};
	struct tmpdir *td = *state;
	char err[512], want[512], *at;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		write_file(td->path, t[i].text, strlen(t[i].text));
		(void)snprintf(want, sizeof want, "%s:%s", td->path, t[i].want);
		if ((at = strchr(want + strlen(td->path), '@')) != NULL) {
			char tail[256];

			(void)snprintf(tail, sizeof tail, "%s", at + 1);
			(void)snprintf(at, sizeof want - (size_t)(at - want),
			    "%s%s", td->path, tail);
		}
		if (generic_rules_load(td->path, err, sizeof err) != NULL)
			fail_msg("case %zu: loaded", i);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err, want);
		if (t[i].want[strlen(t[i].want) - 1] != ' ')
			WANT_STR(i, t[i].text, err, want);
	}
	/* Unreadable files and no error buffer. */
	(void)snprintf(want, sizeof want, "%s: %s", td->dir, strerror(EISDIR));
	assert_null(generic_rules_load(td->dir, err, sizeof err));
	assert_string_equal(err, want);
	assert_null(generic_rules_load(td->dir, NULL, 0));
	assert_null(generic_rules_load(NULL, err, sizeof err));
	assert_int_equal(generic_rules_add(NULL, "x", "label", "^x$", NULL, err,
	    sizeof err), -1);
}

/* --- the legacy GenericPatterns list ------------------------------------ */

static void
legacy_list_is_label_rules(void **state)
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
		{ "bar-1.example.net", IP4B, true },
		{ "baz.example.net", IP4B, true },
		{ "bazz.example.net", IP4B, false },
		/* The registered domain is still never examined. */
		{ "www.foo1.net", IP4B, false },
		/* The shipped rules are not there ... */
		{ "dsl-1.example.net", IP4B, false },
		{ "dynamic.example.net", IP4B, false },
		/* ... "static" and mail-role words still protect ... */
		{ "static.foo1.example.net", IP4B, false },
		{ "mail.foo1.example.net", IP4B, false },
		{ "relay.198-51-100-7.example.net", IP4B, false },
		/* ... and the address test applies. */
		{ "dsl-198-51-100-7.example.net", IP4B, true },
	};
	struct tmpdir *td = *state;
	struct generic_patterns *gp;
	struct generic_roles *gr;
	struct generic_verdict v;
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
	ip = test_util_ip(IP4B);
	assert_true(generic_assess(gp, gr, "bar-1.example.net", &ip, &v));
	assert_string_equal(v.rule, "pattern-6");
	generic_roles_free(gr);
	generic_patterns_free(gp);

	write_file(td->path, "# nothing\n\n", 11);
	gp = generic_patterns_load(td->path, err, sizeof err);
	assert_non_null(gp);
	assert_int_equal(generic_rules_count(gp), 0);
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
	(void)snprintf(want, sizeof want, "%s:3: rule 'pattern-3': %s", td->path,
	    rerr);
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
	    "%s:2: line longer than 1024 characters", td->path);
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
		cmocka_unit_test(verdicts_explain_themselves),
		cmocka_unit_test(shipped_rules_are_named_scoped_and_sourced),
		cmocka_unit_test(shipped_rules_real_naming_schemes),
		cmocka_unit_test(no_rules_means_embedding_only),
		cmocka_unit_test(issue_examples_with_default_rules),
		cmocka_unit_test(host_part_is_left_of_the_organizational_domain),
		cmocka_unit_test(mail_role_words_are_whole_words),
		cmocka_unit_test(mail_role_words_list_replaces_default),
		cmocka_unit_test_setup_teardown(
		    rules_file_scopes_sources_and_disable, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    rules_file_errors_name_file_and_line, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(legacy_list_is_label_rules,
		    tmp_setup, tmp_teardown),
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

	/* Run by hand: the source copy of the shipped rules. */
	(void)setenv("RDNS_MILTER_GENERIC_RULES", SRCDIR "/data/generic.rules",
	    0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
