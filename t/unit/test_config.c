/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_config.c - unit tests for milter/config.c: every key good and bad,
 * defaults, accumulation, duplicates, comments, policy lookup, references.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "test_util.h"
#include "generic.h"

/*
 * Error collector.
 */

#define ERRS_MAX	16

struct errs {
	size_t	n;
	char	msg[ERRS_MAX][1024];
};

static void
collect(void *arg, const char *msg)
{
	struct errs *e = arg;

	if (e->n < ERRS_MAX)
		snprintf(e->msg[e->n], sizeof e->msg[e->n], "%s", msg);
	e->n++;
}

static struct config *
parse(const char *text, struct errs *e)
{
	memset(e, 0, sizeof *e);
	return config_load_string("t.conf", text, collect, e);
}

/* Print the collected errors when an assertion is about to fail. */
static void
dump_errs(const char *input, const struct errs *e)
{
	size_t i;

	print_message("input: \"%s\"\n", input);
	for (i = 0; i < e->n && i < ERRS_MAX; i++)
		print_message("  error: %s\n", e->msg[i]);
}

/*
 * Render one field of a config as text, so that tables can hold the
 * expected value as a string.
 */

static const char *
action_str(enum action a)
{
	switch (a) {
	case ACTION_ACCEPT:
		return "accept";
	case ACTION_TEMPFAIL:
		return "tempfail";
	case ACTION_REJECT:
		return "reject";
	}
	return "?";
}

static const char *
facility_str(int fac)
{
	static const struct {
		int		 fac;
		const char	*name;
	} t[] = {
		{ LOG_MAIL, "mail" }, { LOG_DAEMON, "daemon" },
		{ LOG_USER, "user" }, { LOG_AUTH, "auth" },
		{ LOG_LOCAL0, "local0" }, { LOG_LOCAL5, "local5" },
		{ LOG_LOCAL7, "local7" },
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++)
		if (t[i].fac == fac)
			return t[i].name;
	return "?";
}

static void
join(char *out, size_t size, char *const *v, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(out, "|", size - strlen(out) - 1);
		strncat(out, v[i], size - strlen(out) - 1);
	}
}

static void
render_policy(char *out, size_t size, const struct policy *p)
{
	snprintf(out, size, "%s:%s,%s,%s,%s,%s,%s@%d", p->domain,
	    action_str(p->act[CHECK_ID_PTR]),
	    action_str(p->act[CHECK_ID_IPREV]),
	    action_str(p->act[CHECK_ID_HELO]),
	    action_str(p->act[CHECK_ID_GENERIC]),
	    p->require[CHECK_ID_DNSSEC] ? "require" : "optional",
	    action_str(p->act[CHECK_ID_TEMPERROR]), p->line);
	if (p->dry_run)
		strncat(out, ",dryrun", size - strlen(out) - 1);
}

static const char *
render(const struct config *cf, const char *field, char *out, size_t size)
{
	size_t i, len;

	out[0] = '\0';
	if (strcmp(field, "socket") == 0)
		snprintf(out, size, "%s", cf->socket);
	else if (strcmp(field, "authserv_id") == 0)
		snprintf(out, size, "%s", cf->authserv_id);
	else if (strcmp(field, "userid") == 0)
		snprintf(out, size, "%s", cf->userid ? cf->userid : "(null)");
	else if (strcmp(field, "pidfile") == 0)
		snprintf(out, size, "%s", cf->pidfile ? cf->pidfile : "(null)");
	else if (strcmp(field, "umask") == 0)
		snprintf(out, size, "%03o", (unsigned)cf->umask);
	else if (strcmp(field, "syslog") == 0)
		snprintf(out, size, "%s", cf->syslog ? "yes" : "no");
	else if (strcmp(field, "facility") == 0)
		snprintf(out, size, "%s", facility_str(cf->syslog_facility));
	else if (strcmp(field, "ta") == 0)
		join(out, size, cf->trust_anchor_files,
		    cf->n_trust_anchor_files);
	else if (strcmp(field, "resolver") == 0)
		snprintf(out, size, "%s", cf->resolver_config ?
		    cf->resolver_config : "(null)");
	else if (strcmp(field, "ns") == 0)
		join(out, size, cf->nameservers, cf->n_nameservers);
	else if (strcmp(field, "timeout") == 0)
		snprintf(out, size, "%u", cf->dns_timeout);
	else if (strcmp(field, "maxptr") == 0)
		snprintf(out, size, "%u", cf->max_ptr_names);
	else if (strcmp(field, "rthreads") == 0)
		snprintf(out, size, "%u", cf->resolver_threads);
	else if (strcmp(field, "cachesize") == 0)
		snprintf(out, size, "%zu", cf->answer_cache_size);
	else if (strcmp(field, "trusted") == 0) {
		for (i = 0; i < cf->n_trusted; i++) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(cf->trusted[i].family, cf->trusted[i].addr,
			    a, sizeof a);
			len = strlen(out);
			snprintf(out + len, size - len, "%s%s/%d",
			    i > 0 ? "|" : "", a, cf->trusted[i].prefix);
		}
	} else if (strcmp(field, "skipauth") == 0)
		snprintf(out, size, "%s",
		    cf->skip_authenticated ? "yes" : "no");
	else if (strcmp(field, "exempt") == 0)
		join(out, size, cf->exempt, cf->n_exempt);
	else if (strcmp(field, "genericfile") == 0)
		snprintf(out, size, "%s", cf->generic_patterns_file ?
		    cf->generic_patterns_file : "(null)");
	else if (strcmp(field, "rulesfile") == 0)
		snprintf(out, size, "%s%s", cf->generic_rules_add ? "+" : "",
		    cf->generic_rules_file ? cf->generic_rules_file : "(null)");
	else if (strcmp(field, "disable") == 0)
		join(out, size, cf->generic_disable, cf->n_generic_disable);
	else if (strcmp(field, "dryrun") == 0)
		snprintf(out, size, "%s", cf->dry_run ? "yes" : "no");
	else if (strcmp(field, "metrics") == 0)
		snprintf(out, size, "%s", cf->metrics_listen ?
		    cf->metrics_listen : "(null)");
	else if (strcmp(field, "policies") == 0) {
		for (i = 0; i < cf->n_policies; i++) {
			if (i > 0)
				strncat(out, "|", size - strlen(out) - 1);
			len = strlen(out);
			render_policy(out + len, size - len,
			    &cf->policies[i]);
		}
	} else
		fail_msg("unknown field %s", field);
	return out;
}

/*
 * Defaults.
 */

static void
defaults_match_spec(void **state)
{
	static const struct {
		const char	*field;
		const char	*want;
	} t[] = {
		{ "socket", "local:/run/rdns-milter/rdns-milter.sock" },
		{ "userid", "(null)" },
		{ "pidfile", "(null)" },
		{ "umask", "007" },
		{ "syslog", "yes" },
		{ "facility", "mail" },
		{ "ta", "/usr/share/dns/root.key" },
		{ "resolver", "(null)" },
		{ "ns", "" },
		{ "timeout", "5" },
		{ "maxptr", "10" },
		{ "rthreads", "0" },
		{ "cachesize", "16777216" },
		{ "trusted", "127.0.0.0/8|::1/128" },
		{ "skipauth", "yes" },
		{ "exempt", "postmaster|abuse" },
		{ "genericfile", "(null)" },
		{ "rulesfile", "(null)" },
		{ "disable", "" },
		{ "dryrun", "no" },
		{ "metrics", "(null)" },
		{ "policies", "" },
	};
	struct config *cfs[2];
	struct errs e;
	char got[2048], host[256];
	size_t i, k;

	(void)state;
	cfs[0] = config_new_default();
	cfs[1] = parse("", &e);
	for (k = 0; k < NELEM(cfs); k++) {
		assert_non_null(cfs[k]);
		for (i = 0; i < NELEM(t); i++)
			assert_string_equal(render(cfs[k], t[i].field, got,
			    sizeof got), t[i].want);
		assert_non_null(cfs[k]->generic);
		assert_null(cfs[k]->file);
		assert_int_equal(gethostname(host, sizeof host), 0);
		host[sizeof host - 1] = '\0';
		assert_string_equal(cfs[k]->authserv_id, host);
		config_free(cfs[k]);
	}
	assert_int_equal(e.n, 0);
}

/*
 * Good values: each input parses without error and sets the field.
 */

static const struct good_case {
	const char	*input;
	const char	*field;
	const char	*want;
} good_cases[] = {
	{ "Socket inet:8891@localhost", "socket", "inet:8891@localhost" },
	{ "Socket inet:8891", "socket", "inet:8891" },
	{ "Socket inet6:8891@::1", "socket", "inet6:8891@::1" },
	{ "Socket local:/var/run/r.sock", "socket", "local:/var/run/r.sock" },
	{ "Socket unix:/var/run/r.sock", "socket", "unix:/var/run/r.sock" },
	{ "Socket /var/run/r.sock", "socket", "/var/run/r.sock" },
	{ "Socket INET:65535@127.0.0.1", "socket", "INET:65535@127.0.0.1" },
	{ "AuthservID mx.example.net", "authserv_id", "mx.example.net" },
	{ "UserID rdns", "userid", "rdns" },
	{ "UserID rdns:mail", "userid", "rdns:mail" },
	{ "PidFile /run/rdns-milter/rdns-milter.pid", "pidfile",
	    "/run/rdns-milter/rdns-milter.pid" },
	{ "PidFile /run/with space/p.pid", "pidfile", "/run/with space/p.pid" },
	{ "UMask 007", "umask", "007" },
	{ "UMask 0007", "umask", "007" },
	{ "UMask 022", "umask", "022" },
	{ "UMask 0", "umask", "000" },
	{ "UMask 777", "umask", "777" },
	{ "Syslog no", "syslog", "no" },
	{ "Syslog YES", "syslog", "yes" },
	{ "Syslog off", "syslog", "no" },
	{ "Syslog 1", "syslog", "yes" },
	{ "SyslogFacility daemon", "facility", "daemon" },
	{ "SyslogFacility User", "facility", "user" },
	{ "SyslogFacility local0", "facility", "local0" },
	{ "SyslogFacility LOCAL7", "facility", "local7" },
	{ "SyslogFacility auth", "facility", "auth" },
	{ "TrustAnchorFile /etc/a.key", "ta", "/etc/a.key" },
	{ "TrustAnchorFile /etc/a.key\nTrustAnchorFile /etc/b.key", "ta",
	    "/etc/a.key|/etc/b.key" },
	{ "TrustAnchorFile none", "ta", "" },
	{ "TrustAnchorFile NONE\nTrustAnchorFile none", "ta", "" },
	{ "ResolverConfig /etc/rdns-milter/unbound.conf", "resolver",
	    "/etc/rdns-milter/unbound.conf" },
	{ "Nameservers 127.0.0.1", "ns", "127.0.0.1" },
	{ "Nameservers 127.0.0.1@5353, ::1@53 192.0.2.1,2001:db8::53", "ns",
	    "127.0.0.1@5353|::1@53|192.0.2.1|2001:db8::53" },
	{ "Nameservers 127.0.0.1@65535", "ns", "127.0.0.1@65535" },
	{ "DNSTimeout 1", "timeout", "1" },
	{ "DNSTimeout 3600", "timeout", "3600" },
	{ "DNSTimeout 007", "timeout", "7" },
	{ "MaxPTRNames 1", "maxptr", "1" },
	{ "MaxPTRNames 100", "maxptr", "100" },
	{ "ResolverThreads 1", "rthreads", "1" },
	{ "ResolverThreads 16", "rthreads", "16" },
	{ "AnswerCacheSize 16M", "cachesize", "16777216" },
	{ "AnswerCacheSize 0", "cachesize", "0" },
	{ "AnswerCacheSize 65536", "cachesize", "65536" },
	{ "AnswerCacheSize 64k", "cachesize", "65536" },
	{ "AnswerCacheSize 512K", "cachesize", "524288" },
	{ "AnswerCacheSize 1g", "cachesize", "1073741824" },
	{ "AnswerCacheSize 4G", "cachesize", "4294967296" },
	{ "AnswerCacheSize 4096M", "cachesize", "4294967296" },
	{ "TrustedNetworks 192.0.2.0/24", "trusted", "192.0.2.0/24" },
	{ "TrustedNetworks 192.0.2.0/24, 2001:db8::/32\n"
	    "TrustedNetworks 10.0.0.1 ::1", "trusted",
	    "192.0.2.0/24|2001:db8::/32|10.0.0.1/32|::1/128" },
	{ "TrustedNetworks 198.51.100.7/24", "trusted", "198.51.100.0/24" },
	{ "SkipAuthenticated no", "skipauth", "no" },
	{ "SkipAuthenticated true", "skipauth", "yes" },
	{ "ExemptRecipients PostMaster, Abuse hostmaster", "exempt",
	    "postmaster|abuse|hostmaster" },
	{ "ExemptRecipients none", "exempt", "" },
	{ "DryRun yes", "dryrun", "yes" },
	{ "DryRun no", "dryrun", "no" },
	{ "MetricsListen 9100", "metrics", "9100" },
	{ "MetricsListen 1", "metrics", "1" },
	{ "MetricsListen 127.0.0.1:9100", "metrics", "127.0.0.1:9100" },
	{ "MetricsListen 0.0.0.0:65535", "metrics", "0.0.0.0:65535" },
	{ "MetricsListen [::1]:9100", "metrics", "[::1]:9100" },
	{ "MetricsListen [::]:9100", "metrics", "[::]:9100" },
	{ "MetricsListen [2001:DB8::a:1]:09100", "metrics",
	    "[2001:DB8::a:1]:09100" },
	{ "MetricsListen [::ffff:192.0.2.1]:80", "metrics",
	    "[::ffff:192.0.2.1]:80" },
	{ "Policy * ptr=reject", "policies",
	    "*:reject,accept,accept,accept,optional,accept@1" },
	{ "Policy example.com", "policies",
	    "example.com:accept,accept,accept,accept,optional,accept@1" },
	{ "Policy Example.COM. iprev=tempfail dnssec=require "
	    "temperror=tempfail", "policies",
	    "example.com:accept,tempfail,accept,accept,require,tempfail@1" },
	{ "Policy .Example.Org helo=reject generic=tempfail "
	    "dnssec=optional temperror=accept ptr=accept iprev=reject",
	    "policies",
	    ".example.org:accept,reject,reject,tempfail,optional,accept@1" },
	{ "Policy *\tptr=reject\n\nPolicy example.com iprev=reject\n"
	    "Policy .example.com helo=reject", "policies",
	    "*:reject,accept,accept,accept,optional,accept@1|"
	    "example.com:accept,reject,accept,accept,optional,accept@3|"
	    ".example.com:accept,accept,reject,accept,optional,accept@4" },
	{ "Policy xn--bcher-kva.example ptr=reject", "policies",
	    "xn--bcher-kva.example:reject,accept,accept,accept,optional,"
	    "accept@1" },
	{ "Policy _dmarc.example.com", "policies",
	    "_dmarc.example.com:accept,accept,accept,accept,optional,"
	    "accept@1" },
	{ "Policy * PTR=Reject DNSSEC=Require", "policies",
	    "*:reject,accept,accept,accept,require,accept@1" },
	{ "Policy * ptr=reject dryrun=yes", "policies",
	    "*:reject,accept,accept,accept,optional,accept@1,dryrun" },
	{ "Policy example.com generic=reject DryRun=Yes\n"
	    "Policy * ptr=reject dryrun=no", "policies",
	    "example.com:accept,accept,accept,reject,optional,accept@1,dryrun|"
	    "*:reject,accept,accept,accept,optional,accept@2" },
};

static void
good_values_are_accepted(void **state)
{
	struct config *cf;
	struct errs e;
	char got[2048];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		cf = parse(c->input, &e);
		if (cf == NULL || e.n != 0)
			dump_errs(c->input, &e);
		assert_non_null(cf);
		assert_int_equal(e.n, 0);
		render(cf, c->field, got, sizeof got);
		if (strcmp(got, c->want) != 0)
			print_message("input: \"%s\"\n", c->input);
		assert_string_equal(got, c->want);
		config_free(cf);
	}
}

/*
 * Bad values: exactly one error, on the given line, starting with want
 * (after "t.conf:LINE: "), and no config.
 */

static const struct bad_case {
	const char	*input;
	int		 line;
	const char	*want;
} bad_cases[] = {
	/* syntax */
	{ "Socket", 1, "Socket: missing value" },
	{ "Socket   # only a comment", 1, "Socket: missing value" },
	{ "\n\n  Socket \t ", 3, "Socket: missing value" },
	{ "Bogus value", 1, "unknown key 'Bogus'" },
	{ "Bogus", 1, "unknown key 'Bogus'" },
	{ "K\xe9y value", 1, "unknown key 'K?y'" },
	{ "Fo\x01o value", 1, "unknown key 'Fo?o'" },
	{ "Fo\x7fo value", 1, "unknown key 'Fo?o'" },
	{ "Socket=inet:25", 1, "unknown key 'Socket=inet:25'" },
	{ "PidFile /run/a\x01" "b", 1, "PidFile: control character in value" },
	{ "PidFile /run/a\x1b[2J", 1, "PidFile: control character in value" },
	/* Socket */
	{ "Socket foo", 1, "Socket: bad socket 'foo'" },
	{ "Socket tcp:25@host", 1, "Socket: bad socket 'tcp:25@host'" },
	{ "Socket inet:0@localhost", 1, "Socket: bad socket" },
	{ "Socket inet:65536", 1, "Socket: bad socket" },
	{ "Socket inet:@localhost", 1, "Socket: bad socket" },
	{ "Socket inet:25@", 1, "Socket: bad socket" },
	{ "Socket inet:smtp@localhost", 1, "Socket: bad socket" },
	{ "Socket local:", 1, "Socket: bad socket" },
	{ "Socket inet:25 @localhost", 1, "Socket: bad socket" },
	/* AuthservID */
	{ "AuthservID mx example", 1, "AuthservID: 'mx example' is not" },
	{ "AuthservID mx;evil", 1, "AuthservID: 'mx;evil' is not" },
	{ "AuthservID \"mx\"", 1, "AuthservID: '\"mx\"' is not" },
	{ "AuthservID m\xc3\xa9x", 1, "AuthservID: 'm??x' is not" },
	/* UserID */
	{ "UserID :mail", 1, "UserID: bad value ':mail'" },
	{ "UserID rdns:", 1, "UserID: bad value 'rdns:'" },
	{ "UserID a:b:c", 1, "UserID: bad value 'a:b:c'" },
	{ "UserID rdns mail", 1, "UserID: bad value 'rdns mail'" },
	/* UMask */
	{ "UMask 8", 1, "UMask: bad value '8'" },
	{ "UMask 0o7", 1, "UMask: bad value '0o7'" },
	{ "UMask 01777", 1, "UMask: bad value '01777'" },
	{ "UMask 00007", 1, "UMask: bad value '00007'" },
	{ "UMask -1", 1, "UMask: bad value '-1'" },
	{ "UMask 07a", 1, "UMask: bad value '07a'" },
	/* booleans */
	{ "Syslog maybe", 1, "Syslog: bad value 'maybe' (want yes or no)" },
	{ "SkipAuthenticated 2", 1, "SkipAuthenticated: bad value '2'" },
	{ "DryRun yess", 1, "DryRun: bad value 'yess'" },
	{ "DryRun yes no", 1, "DryRun: bad value 'yes no'" },
	/* SyslogFacility */
	{ "SyslogFacility kern", 1, "SyslogFacility: unknown facility 'kern'" },
	{ "SyslogFacility local8", 1, "SyslogFacility: unknown facility" },
	{ "SyslogFacility LOG_MAIL", 1, "SyslogFacility: unknown facility" },
	/* TrustAnchorFile */
	{ "TrustAnchorFile none\nTrustAnchorFile /a.key", 2,
	    "TrustAnchorFile: a file conflicts with 'none' at line 1" },
	{ "TrustAnchorFile /a.key\n#\nTrustAnchorFile none", 3,
	    "TrustAnchorFile: 'none' conflicts with the file given at line 1" },
	/* Nameservers */
	{ "Nameservers 256.1.1.1", 1, "Nameservers: bad address '256.1.1.1'" },
	{ "Nameservers 127.0.0.1@0", 1, "Nameservers: bad address" },
	{ "Nameservers 127.0.0.1@65536", 1, "Nameservers: bad address" },
	{ "Nameservers 127.0.0.1@53x", 1, "Nameservers: bad address" },
	{ "Nameservers ::1@", 1, "Nameservers: bad address '::1@'" },
	{ "Nameservers @53", 1, "Nameservers: bad address '@53'" },
	{ "Nameservers dns.example.net", 1, "Nameservers: bad address" },
	{ "Nameservers [::1]:53", 1, "Nameservers: bad address '[::1]:53'" },
	{ "Nameservers 127.0.0.1 nope", 1, "Nameservers: bad address 'nope'" },
	{ "Nameservers ,", 1, "Nameservers: empty list" },
	/* DNSTimeout, MaxPTRNames */
	{ "DNSTimeout 0", 1,
	    "DNSTimeout: bad value '0' (want a number from 1 to 3600)" },
	{ "DNSTimeout 3601", 1, "DNSTimeout: bad value '3601'" },
	{ "DNSTimeout -1", 1, "DNSTimeout: bad value '-1'" },
	{ "DNSTimeout 5s", 1, "DNSTimeout: bad value '5s'" },
	{ "DNSTimeout +5", 1, "DNSTimeout: bad value '+5'" },
	{ "DNSTimeout 99999999999999999999999", 1, "DNSTimeout: bad value" },
	{ "MaxPTRNames 0", 1,
	    "MaxPTRNames: bad value '0' (want a number from 1 to 100)" },
	{ "MaxPTRNames 101", 1, "MaxPTRNames: bad value '101'" },
	{ "ResolverThreads 0", 1,
	    "ResolverThreads: bad value '0' (want a number from 1 to 16)" },
	{ "ResolverThreads 17", 1, "ResolverThreads: bad value '17'" },
	{ "ResolverThreads two", 1, "ResolverThreads: bad value 'two'" },
	/* AnswerCacheSize */
	{ "AnswerCacheSize 16MB", 1, "AnswerCacheSize: bad value '16MB' (want "
	    "bytes with an optional K, M or G, such as 16M; 0 turns the "
	    "cache off)" },
	{ "AnswerCacheSize M", 1, "AnswerCacheSize: bad value 'M'" },
	{ "AnswerCacheSize -1", 1, "AnswerCacheSize: bad value '-1'" },
	{ "AnswerCacheSize 1.5M", 1, "AnswerCacheSize: bad value '1.5M'" },
	{ "AnswerCacheSize 16 M", 1, "AnswerCacheSize: bad value '16 M'" },
	{ "AnswerCacheSize 65535", 1, "AnswerCacheSize: 65535 is too small "
	    "(0 turns the cache off, else at least 64K)" },
	{ "AnswerCacheSize 63K", 1, "AnswerCacheSize: 63K is too small" },
	{ "AnswerCacheSize 4097M", 1, "AnswerCacheSize: 4097M is too large "
	    "(at most 4G)" },
	{ "AnswerCacheSize 99999999999999999999999", 1,
	    "AnswerCacheSize: 99999999999999999999999 is too large" },
	/* TrustedNetworks */
	{ "TrustedNetworks 192.0.2.0/33", 1, "TrustedNetworks: " },
	{ "TrustedNetworks banana", 1, "TrustedNetworks: " },
	{ "TrustedNetworks 10.0.0.0/8 ::1/129", 1, "TrustedNetworks: " },
	{ "TrustedNetworks ,", 1, "TrustedNetworks: empty list" },
	/* ExemptRecipients */
	{ "ExemptRecipients postmaster@example.com", 1,
	    "ExemptRecipients: bad local part 'postmaster@example.com'" },
	/* MetricsListen */
	{ "MetricsListen 0", 1, "MetricsListen: bad value '0': port must be "
	    "a number from 1 to 65535 (want PORT, ADDR:PORT or "
	    "[ADDR6]:PORT)" },
	{ "MetricsListen 65536", 1, "MetricsListen: bad value '65536': port" },
	{ "MetricsListen 99999999999999999999", 1,
	    "MetricsListen: bad value '99999999999999999999': port" },
	{ "MetricsListen +9100", 1, "MetricsListen: bad value '+9100': port" },
	{ "MetricsListen 9100x", 1, "MetricsListen: bad value '9100x': port" },
	{ "MetricsListen 127.0.0.1:", 1,
	    "MetricsListen: bad value '127.0.0.1:': port" },
	{ "MetricsListen 127.0.0.1:0", 1,
	    "MetricsListen: bad value '127.0.0.1:0': port" },
	{ "MetricsListen :9100", 1,
	    "MetricsListen: bad value ':9100': empty address" },
	{ "MetricsListen localhost:9100", 1,
	    "MetricsListen: bad value 'localhost:9100': not an IPv4 address" },
	{ "MetricsListen 256.0.0.1:9100", 1,
	    "MetricsListen: bad value '256.0.0.1:9100': not an IPv4" },
	{ "MetricsListen 127.1:9100", 1,
	    "MetricsListen: bad value '127.1:9100': not an IPv4" },
	{ "MetricsListen ::1:9100", 1,
	    "MetricsListen: bad value '::1:9100': write an IPv6 address as "
	    "[ADDR6]:PORT" },
	{ "MetricsListen 127.0.0.1:80:81", 1,
	    "MetricsListen: bad value '127.0.0.1:80:81': write an IPv6" },
	{ "MetricsListen [::1]", 1,
	    "MetricsListen: bad value '[::1]': want [ADDR6]:PORT" },
	{ "MetricsListen [::1]9100", 1,
	    "MetricsListen: bad value '[::1]9100': want [ADDR6]:PORT" },
	{ "MetricsListen [::1:9100", 1,
	    "MetricsListen: bad value '[::1:9100': want [ADDR6]:PORT" },
	{ "MetricsListen []:9100", 1,
	    "MetricsListen: bad value '[]:9100': empty address" },
	{ "MetricsListen [127.0.0.1]:9100", 1,
	    "MetricsListen: bad value '[127.0.0.1]:9100': not an IPv6" },
	{ "MetricsListen [fe80::1%eth0]:9100", 1,
	    "MetricsListen: bad value '[fe80::1%eth0]:9100': not an IPv6" },
	{ "MetricsListen [::1]:", 1,
	    "MetricsListen: bad value '[::1]:': port" },
	{ "MetricsListen 127.0.0.1 :9100", 1,
	    "MetricsListen: bad value '127.0.0.1 :9100': not an IPv4" },
	{ "MetricsListen [1111:2222:3333:4444:5555:6666:7777:8888:9999]:1", 1,
	    "MetricsListen: bad value '[1111:2222:3333:4444:5555:6666:7777:"
	    "8888:9999]:1': not an IPv6" },
	{ "MetricsListen 00000000000000000000000000000000000000000000000000"
	    "00009100", 1, "MetricsListen: bad value '0000000000000000000000"
	    "000000000000000000000000000000009100': value too long" },
	/* Policy */
	{ "Policy", 1, "Policy: missing value" },
	{ "Policy *.example.com ptr=reject", 1,
	    "Policy: bad domain '*.example.com'" },
	{ "Policy example..com", 1, "Policy: bad domain 'example..com'" },
	{ "Policy -a.example.com", 1, "Policy: bad domain" },
	{ "Policy a-.example.com", 1, "Policy: bad domain" },
	{ "Policy . ptr=reject", 1, "Policy: bad domain '.'" },
	{ "Policy .. ptr=reject", 1, "Policy: bad domain '..'" },
	{ "Policy exa$mple.com", 1, "Policy: bad domain 'exa$mple.com'" },
	{ "Policy ptr=reject", 1, "Policy: bad domain 'ptr=reject'" },
	{ "Policy aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaa.com", 1, "Policy: bad domain" },
	{ "Policy * foo=reject", 1, "Policy: unknown key 'foo'" },
	{ "Policy * dryrun=maybe", 1,
	    "Policy: bad value 'maybe' for dryrun (want yes or no)" },
	{ "Policy * dryrun=yes dryrun=no", 1, "Policy: dryrun given twice" },
	{ "Policy * ptr=deny", 1, "Policy: bad value 'deny' for ptr "
	    "(want reject, tempfail or accept)" },
	{ "Policy * iprev=", 1, "Policy: bad value '' for iprev" },
	{ "Policy * helo=yes", 1, "Policy: bad value 'yes' for helo" },
	{ "Policy * generic=no", 1, "Policy: bad value 'no' for generic" },
	{ "Policy * dnssec=reject", 1, "Policy: bad value 'reject' for dnssec "
	    "(want require or optional)" },
	{ "Policy * temperror=reject", 1, "Policy: bad value 'reject' for "
	    "temperror (want tempfail or accept)" },
	{ "Policy * ptr=reject PTR=accept", 1, "Policy: ptr given twice" },
	{ "Policy * ptr", 1, "Policy: 'ptr' is not key=value" },
	{ "Policy * =reject", 1, "Policy: unknown key ''" },
	{ "Policy example.com\nPolicy Example.Com. ptr=reject", 2,
	    "Policy for example.com given twice (first at line 1)" },
	{ "Policy .example.com\n\nPolicy .EXAMPLE.com", 3,
	    "Policy for .example.com given twice (first at line 1)" },
	{ "Policy * ptr=reject\nPolicy * iprev=reject", 2,
	    "Policy for * given twice (first at line 1)" },
};

static void
bad_values_are_reported_with_line(void **state)
{
	struct config *cf;
	struct errs e;
	char prefix[64];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		cf = parse(c->input, &e);
		snprintf(prefix, sizeof prefix, "t.conf:%d: ", c->line);
		if (cf != NULL || e.n != 1 ||
		    strncmp(e.msg[0], prefix, strlen(prefix)) != 0 ||
		    strncmp(e.msg[0] + strlen(prefix), c->want,
		    strlen(c->want)) != 0) {
			dump_errs(c->input, &e);
			print_message("want: %s%s...\n", prefix, c->want);
			config_free(cf);
			fail();
		}
	}
}

/* config_parse_listen() gives the address the metrics server binds. */
static void
parse_listen_fills_sockaddr(void **state)
{
	static const struct {
		const char	*input;
		int		 family;
		const char	*addr;
		unsigned	 port;
	} t[] = {
		{ "9100", AF_INET, "127.0.0.1", 9100 },
		{ "65535", AF_INET, "127.0.0.1", 65535 },
		{ "192.0.2.7:1", AF_INET, "192.0.2.7", 1 },
		{ "0.0.0.0:9100", AF_INET, "0.0.0.0", 9100 },
		{ "[::1]:9101", AF_INET6, "::1", 9101 },
		{ "[2001:db8::1:2]:443", AF_INET6, "2001:db8::1:2", 443 },
	};
	struct sockaddr_storage ss;
	socklen_t len;
	const char *why;
	char got[INET6_ADDRSTRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		why = NULL;
		assert_int_equal(config_parse_listen(t[i].input, &ss, &len,
		    &why), 0);
		assert_null(why);
		assert_int_equal(ss.ss_family, t[i].family);
		if (t[i].family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			assert_int_equal(len, sizeof *sin);
			assert_int_equal(ntohs(sin->sin_port), t[i].port);
			inet_ntop(AF_INET, &sin->sin_addr, got, sizeof got);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			assert_int_equal(len, sizeof *sin6);
			assert_int_equal(ntohs(sin6->sin6_port), t[i].port);
			inet_ntop(AF_INET6, &sin6->sin6_addr, got, sizeof got);
		}
		assert_string_equal(got, t[i].addr);
	}
	why = NULL;
	assert_int_equal(config_parse_listen("[::1]:0", &ss, &len, &why), -1);
	assert_non_null(why);
	assert_int_equal(len, 0);
}

/* Each single-valued key given twice names both lines. */
static void
single_valued_key_twice_names_both_lines(void **state)
{
	static const struct {
		const char	*key;
		const char	*value;
	} t[] = {
		{ "Socket", "inet:8891@localhost" },
		{ "AuthservID", "mx.example.net" },
		{ "UserID", "rdns" },
		{ "PidFile", "/run/p.pid" },
		{ "UMask", "007" },
		{ "Syslog", "yes" },
		{ "SyslogFacility", "mail" },
		{ "ResolverConfig", "/etc/u.conf" },
		{ "Nameservers", "127.0.0.1" },
		{ "DNSTimeout", "5" },
		{ "MaxPTRNames", "10" },
		{ "ResolverThreads", "2" },
		{ "AnswerCacheSize", "16M" },
		{ "SkipAuthenticated", "yes" },
		{ "ExemptRecipients", "postmaster" },
		{ "DryRun", "no" },
		{ "MetricsListen", "9100" },
	};
	struct config *cf;
	struct errs e;
	char text[256], want[128], lkey[32];
	size_t i, k;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		/* Second occurrence in lower case, after a comment. */
		for (k = 0; t[i].key[k] != '\0' && k < sizeof lkey - 1; k++)
			lkey[k] = (char)tolower((unsigned char)t[i].key[k]);
		lkey[k] = '\0';
		snprintf(text, sizeof text, "%s %s\n# comment\n\n%s %s\n",
		    t[i].key, t[i].value, lkey, t[i].value);
		cf = parse(text, &e);
		snprintf(want, sizeof want,
		    "t.conf:4: %s given twice (first at line 1)", t[i].key);
		if (cf != NULL || e.n != 1)
			dump_errs(text, &e);
		assert_null(cf);
		assert_int_equal(e.n, 1);
		assert_string_equal(e.msg[0], want);
	}
}

/* GenericPatterns twice: the second is refused; the file named first is
 * loaded (and found missing) once every line is read. */
static void
generic_patterns_twice_is_error(void **state)
{
	struct config *cf;
	struct errs e;

	(void)state;
	cf = parse("GenericPatterns /nonexistent/a\n"
	    "GenericPatterns /nonexistent/b\n", &e);
	assert_null(cf);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.msg[0],
	    "t.conf:2: GenericPatterns given twice (first at line 1)");
	assert_true(strncmp(e.msg[1], "/nonexistent/a: ", 16) == 0);
}

/* AllowDomains: a list, may repeat, domains as in Policy; never "*". */
static void
allow_domains_accumulate(void **state)
{
	struct config *cf;
	struct errs e;
	char got[256];

	(void)state;
	cf = parse("AllowDomains Partner.EXAMPLE, .mail.example.org.\n"
	    "AllowDomains example-shop.co.uk\n", &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	join(got, sizeof got, cf->allow_domains, cf->n_allow_domains);
	assert_string_equal(got,
	    "partner.example|.mail.example.org|example-shop.co.uk");
	config_free(cf);

	cf = parse("", &e);
	assert_non_null(cf);
	assert_int_equal(cf->n_allow_domains, 0);
	config_free(cf);
}

static void
allow_domains_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} t[] = {
		{ "AllowDomains *\n", "t.conf:1: AllowDomains: '*' would "
		    "exempt every client; list domains (example.com, "
		    ".example.com)" },
		{ "AllowDomains a..b\n",
		    "t.conf:1: AllowDomains: bad domain 'a..b' (empty label)" },
		{ "AllowDomains ok.example, -bad.example\n",
		    "t.conf:1: AllowDomains: bad domain '-bad.example' (label "
		    "starts or ends with '-')" },
		{ "AllowDomains ,\n", "t.conf:1: AllowDomains: empty list" },
	};
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		cf = parse(t[i].text, &e);
		if (cf != NULL || e.n != 1)
			dump_errs(t[i].text, &e);
		assert_null(cf);
		assert_int_equal(e.n, 1);
		assert_string_equal(e.msg[0], t[i].want);
	}
}

/* MailRoleWords: default list, a replacement, none; errors. */
static void
mail_role_words_key(void **state)
{
	struct config *cf;
	struct errs e;

	(void)state;
	cf = parse("", &e);
	assert_non_null(cf);
	assert_int_equal(generic_roles_count(cf->mail_roles), 11);
	assert_true(generic_mail_role(cf->mail_roles,
	    "mailout.example.net"));
	config_free(cf);

	cf = parse("MailRoleWords courier, postbox\n", &e);
	assert_non_null(cf);
	assert_int_equal(generic_roles_count(cf->mail_roles), 2);
	assert_false(generic_mail_role(cf->mail_roles, "mail.example.net"));
	config_free(cf);

	cf = parse("MailRoleWords None\n", &e);
	assert_non_null(cf);
	assert_int_equal(generic_roles_count(cf->mail_roles), 0);
	config_free(cf);

	cf = parse("MailRoleWords mail smtp2\n", &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "t.conf:1: MailRoleWords: bad word "
	    "'smtp2' (want letters only, at most 63, or none)");

	cf = parse("MailRoleWords mail\nMailRoleWords none\n", &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0],
	    "t.conf:2: MailRoleWords given twice (first at line 1)");
}

/*
 * Syntax details.
 */

static void
comments_and_blank_lines_are_ignored(void **state)
{
	static const char text[] =
	    "# a comment\n"
	    "   # an indented comment\n"
	    "\n"
	    "\t\n"
	    "Socket inet:8891@localhost # trailing comment\n"
	    "AuthservID mx#1\n"
	    "PidFile /run/a#b\t# comment after a tab\n"
	    "UserID rdns#comment-less\n"
	    "  DNSTimeout\t\t7   \n"
	    "#Socket local:/never\n";
	struct config *cf;
	struct errs e;

	(void)state;
	cf = parse(text, &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	assert_string_equal(cf->socket, "inet:8891@localhost");
	assert_string_equal(cf->authserv_id, "mx#1");
	assert_string_equal(cf->pidfile, "/run/a#b");
	assert_string_equal(cf->userid, "rdns#comment-less");
	assert_int_equal(cf->dns_timeout, 7);
	config_free(cf);
}

static void
keys_are_case_insensitive(void **state)
{
	static const char text[] =
	    "sOcKeT inet:1@localhost\n"
	    "dnstimeout 9\n"
	    "MAXPTRNAMES 3\n"
	    "trustanchorfile NoNe\n"
	    "policy * PTR=REJECT\n"
	    "dryrun Yes\n";
	struct config *cf;
	struct errs e;

	(void)state;
	cf = parse(text, &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	assert_string_equal(cf->socket, "inet:1@localhost");
	assert_int_equal(cf->dns_timeout, 9);
	assert_int_equal(cf->max_ptr_names, 3);
	assert_int_equal(cf->n_trust_anchor_files, 0);
	assert_int_equal(cf->n_policies, 1);
	assert_int_equal(cf->policies[0].act[CHECK_ID_PTR], ACTION_REJECT);
	assert_true(cf->dry_run);
	config_free(cf);
}

static void
crlf_and_missing_final_newline_are_accepted(void **state)
{
	struct config *cf;
	struct errs e;

	(void)state;
	cf = parse("Socket inet:1@h\r\nUMask 022\r\nDNSTimeout 8", &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	assert_string_equal(cf->socket, "inet:1@h");
	assert_int_equal(cf->umask, 022);
	assert_int_equal(cf->dns_timeout, 8);
	config_free(cf);
}

static void
line_of_4096_bytes_ok_4097_is_error(void **state)
{
	char *text;
	struct config *cf;
	struct errs e;
	size_t n;

	(void)state;
	/* "PidFile /" + padding = exactly 4096 bytes. */
	text = malloc(8192);
	assert_non_null(text);
	strcpy(text, "PidFile /");
	n = strlen(text);
	memset(text + n, 'a', 4096 - n);
	strcpy(text + 4096, "\n");
	cf = parse(text, &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	assert_int_equal(strlen(cf->pidfile), 4096 - 8);
	config_free(cf);

	/* One more byte: error, nothing cut, the next line still counts. */
	memset(text + n, 'a', 4097 - n);
	strcpy(text + 4097, "\nUMask 9\nDNSTimeout 4\n");
	cf = parse(text, &e);
	assert_null(cf);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.msg[0],
	    "t.conf:1: line too long (more than 4096 bytes)");
	assert_true(strncmp(e.msg[1], "t.conf:2: UMask: bad value '9'",
	    30) == 0);
	free(text);
}

/* Several errors in one file: all reported, in order, with their lines. */
static void
every_error_is_reported_with_its_line(void **state)
{
	static const char text[] =
	    "Socket bad\n"			/* 1 */
	    "# fine\n"				/* 2 */
	    "UMask 9\n"				/* 3 */
	    "Unknown x\n"			/* 4 */
	    "DNSTimeout 5\n"			/* 5 */
	    "dnstimeout 6\n"			/* 6 */
	    "Policy * ptr=nope\n"		/* 7 */
	    "Policy * foo=x iprev=bad iprev=reject\n"	/* 8 */
	    "Syslog\n";				/* 9 */
	static const char *const want[] = {
	    "t.conf:1: Socket: bad socket 'bad'",
	    "t.conf:3: UMask: bad value '9'",
	    "t.conf:4: unknown key 'Unknown'",
	    "t.conf:6: DNSTimeout given twice (first at line 5)",
	    "t.conf:7: Policy: bad value 'nope' for ptr",
	    "t.conf:8: Policy: unknown key 'foo'",
	    "t.conf:8: Policy: bad value 'bad' for iprev",
	    "t.conf:8: Policy: iprev given twice",
	    "t.conf:9: Syslog: missing value",
	};
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	cf = parse(text, &e);
	assert_null(cf);
	if (e.n != NELEM(want))
		dump_errs(text, &e);
	assert_int_equal(e.n, NELEM(want));
	for (i = 0; i < NELEM(want); i++) {
		if (strncmp(e.msg[i], want[i], strlen(want[i])) != 0)
			print_message("got %s\nwant %s...\n", e.msg[i],
			    want[i]);
		assert_true(strncmp(e.msg[i], want[i], strlen(want[i])) == 0);
	}
}

static void
null_error_callback_is_allowed(void **state)
{
	(void)state;
	assert_null(config_load_string("t.conf", "Bogus x\n", NULL, NULL));
	assert_null(config_load_string(NULL, "Bogus x\n", NULL, NULL));
}

static void
parse_bool_table(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		bool		 want;
	} t[] = {
		{ "yes", 0, true }, { "YES", 0, true }, { "true", 0, true },
		{ "1", 0, true }, { "on", 0, true }, { "On", 0, true },
		{ "no", 0, false }, { "No", 0, false }, { "false", 0, false },
		{ "0", 0, false }, { "off", 0, false },
		{ "", -1, false }, { "y", -1, false }, { "2", -1, false },
		{ "yes ", -1, false }, { "enable", -1, false },
	};
	size_t i;
	bool got;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		got = !t[i].want;
		assert_int_equal(config_parse_bool(t[i].in, &got), t[i].rc);
		if (t[i].rc == 0)
			assert_int_equal(got, t[i].want);
	}
}

/*
 * Accumulation.
 */

static void
trusted_networks_first_line_replaces_default(void **state)
{
	struct config *cf;
	struct errs e;
	char got[512];

	(void)state;
	cf = parse("TrustedNetworks 192.0.2.0/24\n", &e);
	assert_non_null(cf);
	assert_string_equal(render(cf, "trusted", got, sizeof got),
	    "192.0.2.0/24");
	config_free(cf);

	cf = parse("TrustedNetworks 192.0.2.0/24\n"
	    "TrustedNetworks 127.0.0.0/8\n"
	    "TrustedNetworks 2001:db8::/48, ::1\n", &e);
	assert_non_null(cf);
	assert_string_equal(render(cf, "trusted", got, sizeof got),
	    "192.0.2.0/24|127.0.0.0/8|2001:db8::/48|::1/128");
	config_free(cf);
}

static void
trust_anchor_files_accumulate(void **state)
{
	struct config *cf;
	struct errs e;
	char got[512];

	(void)state;
	cf = parse("TrustAnchorFile /a\nTrustAnchorFile /b\n"
	    "TrustAnchorFile /c\n", &e);
	assert_non_null(cf);
	assert_string_equal(render(cf, "ta", got, sizeof got), "/a|/b|/c");
	config_free(cf);
}

/*
 * Policy lookup.
 */

static void
policy_for_precedence(void **state)
{
	/* Suffixes deliberately listed shortest last and longest first, so
	 * that "longest wins" is not "last wins" or "first wins". */
	static const char text[] =
	    "Policy .a.example.com generic=reject\n"	/* 1 */
	    "Policy * ptr=reject\n"			/* 2 */
	    "Policy example.com iprev=reject\n"		/* 3 */
	    "Policy b.a.example.com dnssec=require\n"	/* 4 */
	    "Policy .example.com helo=reject\n"		/* 5 */
	    "Policy .com temperror=tempfail\n";		/* 6 */
	static const struct {
		const char	*domain;
		int		 line;
	} t[] = {
		{ "example.com", 3 },
		{ "EXAMPLE.com", 3 },
		{ "example.com.", 3 },
		{ "Example.Com.", 3 },
		{ "x.example.com", 5 },
		{ "X.EXAMPLE.COM.", 5 },
		{ "a.example.com", 5 },
		{ "z.a.example.com", 1 },
		{ "b.a.example.com", 4 },
		{ "B.A.Example.Com.", 4 },
		{ "c.b.a.example.com", 1 },
		{ "xexample.com", 6 },
		{ "com", 2 },
		{ "example.org", 2 },
		{ "", 2 },
		{ ".", 2 },
		{ "example.com..", 2 },
		{ ".example.com", 6 },	/* not a subdomain of itself */
		{ "a.example.org", 2 },
	};
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	cf = parse(text, &e);
	assert_non_null(cf);
	for (i = 0; i < NELEM(t); i++) {
		const struct policy *p = config_policy_for(cf, t[i].domain);

		if (p->line != t[i].line)
			print_message("domain \"%s\": got line %d (%s)\n",
			    t[i].domain, p->line, p->domain);
		assert_int_equal(p->line, t[i].line);
	}
	config_free(cf);
}

static void
policy_for_without_match_is_builtin_accept(void **state)
{
	static const char *const texts[] = {
	    "",
	    "Policy example.com ptr=reject\nPolicy .example.net ptr=reject\n",
	};
	struct config *cf;
	struct errs e;
	const struct policy *p;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(texts); i++) {
		cf = parse(texts[i], &e);
		assert_non_null(cf);
		p = config_policy_for(cf, "example.net");
		assert_non_null(p);
		assert_string_equal(p->domain, "*");
		assert_int_equal(p->line, 0);
		assert_int_equal(p->act[CHECK_ID_PTR], ACTION_ACCEPT);
		assert_int_equal(p->act[CHECK_ID_IPREV], ACTION_ACCEPT);
		assert_int_equal(p->act[CHECK_ID_HELO], ACTION_ACCEPT);
		assert_int_equal(p->act[CHECK_ID_GENERIC], ACTION_ACCEPT);
		assert_int_equal(p->act[CHECK_ID_TEMPERROR], ACTION_ACCEPT);
		assert_false(p->require[CHECK_ID_DNSSEC]);
		config_free(cf);
	}
}

static void
exempt_is_case_insensitive(void **state)
{
	static const struct {
		const char	*local;
		bool		 want;
	} t[] = {
		{ "postmaster", true }, { "POSTMASTER", true },
		{ "Abuse", true }, { "hostmaster", false }, { "", false },
		{ "postmaster2", false }, { "postmaste", false },
		{ "abuse ", false },
	};
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	cf = config_new_default();
	assert_non_null(cf);
	for (i = 0; i < NELEM(t); i++)
		assert_int_equal(config_is_exempt(cf, t[i].local), t[i].want);
	config_free(cf);

	cf = parse("ExemptRecipients HostMaster, Security\n", &e);
	assert_non_null(cf);
	assert_true(config_is_exempt(cf, "hostmaster"));
	assert_true(config_is_exempt(cf, "SECURITY"));
	assert_false(config_is_exempt(cf, "postmaster"));
	config_free(cf);

	cf = parse("ExemptRecipients none\n", &e);
	assert_non_null(cf);
	assert_false(config_is_exempt(cf, "postmaster"));
	config_free(cf);
}

/*
 * Files.
 */

static char tmpdir[PATH_MAX];

static int
setup_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_config.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown_tmpdir(void **state)
{
	static const char *const names[] = {
	    "a.conf", "nul.conf", "pat.txt", "badpat.txt", "gp.conf",
	    "sub", "mode.conf", "link.conf", "fifo", "site.rules", "bad.rules",
	    "good.rules", "user.conf",
	};
	char path[PATH_MAX + 32];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(names); i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
		(void)unlink(path);
		(void)rmdir(path);
	}
	return rmdir(tmpdir);
}

static void
write_file(const char *name, const char *data, size_t len, char *path,
    size_t size)
{
	FILE *fp;

	snprintf(path, size, "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	/* Whatever the umask: a world-writable file would be refused. */
	assert_int_equal(chmod(path, 0644), 0);
}

/*
 * Typed values, parsed once at load (issue 19): the milter socket's file,
 * the metrics address, the user and group.
 */

static void
socket_path_is_parsed_at_load(void **state)
{
	static const struct {
		const char	*line;
		const char	*path;		/* NULL: inet */
	} t[] = {
		{ "", CONFIG_DEFAULT_SOCKET },
		{ "Socket local:/run/m.sock", "/run/m.sock" },
		{ "Socket unix:/run/m.sock", "/run/m.sock" },
		{ "Socket LOCAL:/run/m.sock", "/run/m.sock" },
		{ "Socket Unix:/run/m.sock", "/run/m.sock" },
		{ "Socket /run/m.sock", "/run/m.sock" },
		{ "Socket inet:8891@localhost", NULL },
		{ "Socket inet6:8891@::1", NULL },
	};
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		cf = parse(t[i].line, &e);
		assert_non_null(cf);
		if (t[i].line[0] == '\0' &&
		    strncmp(CONFIG_DEFAULT_SOCKET, "local:", 6) == 0) {
			/* The default: "local:" and its path. */
			assert_string_equal(cf->socket_path,
			    strchr(CONFIG_DEFAULT_SOCKET, ':') + 1);
		} else if (t[i].path == NULL) {
			WANT_INT(i, t[i].line, cf->socket_path == NULL, 1);
		} else {
			assert_non_null(cf->socket_path);
			WANT_STR(i, t[i].line, cf->socket_path, t[i].path);
		}
		/* It points into the text that smfi_setconn(3) reads. */
		if (cf->socket_path != NULL)
			assert_true(cf->socket_path >= cf->socket &&
			    cf->socket_path < cf->socket + strlen(cf->socket));
		config_free(cf);
	}
	/* -p: the same function, on the command line's text. */
	assert_string_equal(config_socket_path("unix:/x"), "/x");
	assert_null(config_socket_path("inet:25"));
}

static void
metrics_listen_is_parsed_at_load(void **state)
{
	struct config *cf;
	struct errs e;
	struct sockaddr_in6 *sin6;
	struct sockaddr_in *sin;

	(void)state;
	cf = parse("MetricsListen [::1]:9101", &e);
	assert_non_null(cf);
	assert_string_equal(cf->metrics_listen, "[::1]:9101");
	assert_int_equal(cf->metrics_addrlen, sizeof *sin6);
	sin6 = (struct sockaddr_in6 *)&cf->metrics_addr;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 9101);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	config_free(cf);

	cf = parse("MetricsListen 9100", &e);
	assert_non_null(cf);
	assert_int_equal(cf->metrics_addrlen, sizeof *sin);
	sin = (struct sockaddr_in *)&cf->metrics_addr;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 9100);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	config_free(cf);

	cf = parse("", &e);
	assert_non_null(cf);
	assert_null(cf->metrics_listen);
	assert_int_equal(cf->metrics_addrlen, 0);
	config_free(cf);
}

/* config_load_daemon() of a file holding line. */
static struct config *
load_daemon_line(const char *line, struct errs *e)
{
	char path[PATH_MAX + 32], text[1024];
	int n;

	n = snprintf(text, sizeof text, "%s\n", line);
	assert_true(n > 0 && (size_t)n < sizeof text);
	write_file("user.conf", text, (size_t)n, path, sizeof path);
	memset(e, 0, sizeof *e);
	return config_load_daemon(path, false, collect, e);
}

static void
userid_is_resolved_by_the_daemon_loader(void **state)
{
	char longname[300], line[320], want[340];
	struct config *cf;
	struct group *gr;
	struct errs e;

	(void)state;
	/* root (uid 0) exists everywhere; its primary group is 0. */
	cf = load_daemon_line("UserID root", &e);
	assert_non_null(cf);
	assert_null(cf->user_err);
	assert_string_equal(cf->user_name, "root");
	assert_null(cf->group_name);
	assert_int_equal(cf->uid, 0);
	assert_int_equal(cf->gid, 0);
	config_free(cf);

	if ((gr = getgrnam("daemon")) != NULL) {
		gid_t want_gid = gr->gr_gid;

		cf = load_daemon_line("UserID root:daemon", &e);
		assert_non_null(cf);
		assert_null(cf->user_err);
		assert_string_equal(cf->group_name, "daemon");
		assert_int_equal(cf->uid, 0);
		assert_int_equal(cf->gid, want_gid);
		config_free(cf);
	}

	/* Names that do not resolve are no load error (-n and a reload
	 * accept them, as before); start-up logs user_err and stops. */
	cf = load_daemon_line("UserID rdns-test-no-such-user", &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	assert_string_equal(cf->user_err,
	    "UserID rdns-test-no-such-user: no such user");
	config_free(cf);

	cf = load_daemon_line("UserID root:rdns-test-no-such-group", &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	assert_string_equal(cf->user_err,
	    "UserID rdns-test-no-such-group: no such group");
	config_free(cf);

	/* Over 255 bytes: the daemon's old limit, the whole value named. */
	memset(longname, 'u', 256);
	longname[256] = '\0';
	snprintf(line, sizeof line, "UserID %s:mail", longname);
	cf = load_daemon_line(line, &e);
	assert_non_null(cf);
	snprintf(want, sizeof want, "UserID %s:mail: bad user name", longname);
	assert_string_equal(cf->user_err, want);
	config_free(cf);
	/* 255 bytes is looked up. */
	longname[255] = '\0';
	snprintf(line, sizeof line, "UserID %s", longname);
	cf = load_daemon_line(line, &e);
	assert_non_null(cf);
	snprintf(want, sizeof want, "UserID %s: no such user", longname);
	assert_string_equal(cf->user_err, want);
	config_free(cf);

	/* config_load() (rdns-check, the tests) looks nothing up. */
	cf = parse("UserID rdns-test-no-such-user", &e);
	assert_non_null(cf);
	assert_string_equal(cf->user_name, "rdns-test-no-such-user");
	assert_null(cf->user_err);
	config_free(cf);
}

/* The FILE:LINE errors of the three keys are the ones they always were. */
static void
typed_values_keep_their_file_line_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} t[] = {
		{ "\n\nUserID a:b:c", "t.conf:3: UserID: bad value 'a:b:c' "
		    "(want user or user:group)" },
		{ "Socket inet:0@localhost", "t.conf:1: Socket: bad socket "
		    "'inet:0@localhost' (want local:/path, unix:/path, "
		    "inet:PORT@HOST or inet6:PORT@HOST)" },
		{ "\nMetricsListen ::1:9100", "t.conf:2: MetricsListen: bad "
		    "value '::1:9100': write an IPv6 address as [ADDR6]:PORT "
		    "(want PORT, ADDR:PORT or [ADDR6]:PORT)" },
	};
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		cf = parse(t[i].text, &e);
		assert_null(cf);
		WANT_INT(i, t[i].text, e.n, 1);
		WANT_STR(i, t[i].text, e.msg[0], t[i].want);
	}
}

static void
load_file_ok(void **state)
{
	static const char text[] = "Socket inet:8891@localhost\n"
	    "Policy * ptr=reject\n";
	char path[PATH_MAX + 32];
	struct config *cf;
	struct errs e;

	(void)state;
	write_file("a.conf", text, sizeof text - 1, path, sizeof path);
	memset(&e, 0, sizeof e);
	cf = config_load(path, collect, &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	assert_string_equal(cf->file, path);
	assert_string_equal(cf->socket, "inet:8891@localhost");
	config_free(cf);
}

static void
unreadable_file_is_reported_with_strerror(void **state)
{
	char path[PATH_MAX + 32], want[PATH_MAX + 128];
	struct config *cf;
	struct errs e;

	(void)state;
	snprintf(path, sizeof path, "%s/missing.conf", tmpdir);
	memset(&e, 0, sizeof e);
	cf = config_load(path, collect, &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
	assert_string_equal(e.msg[0], want);

	/* A directory opens but is not a configuration file. */
	snprintf(path, sizeof path, "%s/sub", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	memset(&e, 0, sizeof e);
	cf = config_load(path, collect, &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof want, "%s: not a regular file, refusing it",
	    path);
	assert_string_equal(e.msg[0], want);
}

/*
 * File modes: a file anybody may write is refused (as sshd and OpenDKIM
 * do), whatever its content; group-writable is the administrator's call.
 */
static void
world_writable_file_is_refused(void **state)
{
	static const char text[] = "Policy * ptr=reject\n";
	static const struct {
		mode_t	 mode;
		bool	 refused;
	} cases[] = {
		{ 0600, false }, { 0644, false }, { 0640, false },
		{ 0664, false }, { 0400, false },
		{ 0666, true }, { 0602, true }, { 0646, true }, { 0777, true },
		{ 0642, true },
	};
	char path[PATH_MAX + 32], want[PATH_MAX + 128];
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	write_file("mode.conf", text, sizeof text - 1, path, sizeof path);
	snprintf(want, sizeof want, "%s: world-writable, refusing it", path);
	for (i = 0; i < NELEM(cases); i++) {
		assert_int_equal(chmod(path, cases[i].mode), 0);
		memset(&e, 0, sizeof e);
		cf = config_load(path, collect, &e);
		if ((cf == NULL) != cases[i].refused)
			print_message("mode %04o: got %s, want %s\n",
			    (unsigned)cases[i].mode,
			    cf == NULL ? "refused" : "loaded",
			    cases[i].refused ? "refused" : "loaded");
		if (cases[i].refused) {
			assert_null(cf);
			assert_int_equal(e.n, 1);
			assert_string_equal(e.msg[0], want);
		} else {
			assert_non_null(cf);
			assert_int_equal(e.n, 0);
			assert_int_equal(cf->n_policies, 1);
			config_free(cf);
		}
	}
	assert_int_equal(chmod(path, 0644), 0);
}

/* The mode that counts is the target's, not the symbolic link's. */
static void
symlink_is_judged_by_its_target(void **state)
{
	static const char text[] = "DNSTimeout 7\n";
	char path[PATH_MAX + 32], link[PATH_MAX + 32];
	char want[2 * PATH_MAX + 128];
	struct config *cf;
	struct errs e;

	(void)state;
	write_file("mode.conf", text, sizeof text - 1, path, sizeof path);
	snprintf(link, sizeof link, "%s/link.conf", tmpdir);
	(void)unlink(link);
	assert_int_equal(symlink(path, link), 0);
	memset(&e, 0, sizeof e);
	cf = config_load(link, collect, &e);
	assert_non_null(cf);
	assert_int_equal(cf->dns_timeout, 7);
	config_free(cf);

	assert_int_equal(chmod(path, 0666), 0);
	memset(&e, 0, sizeof e);
	cf = config_load(link, collect, &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof want, "%s: world-writable, refusing it", link);
	assert_string_equal(e.msg[0], want);
	assert_int_equal(chmod(path, 0644), 0);
}

/* A FIFO is refused at once: open() must not wait for a writer. */
static void
fifo_and_device_are_refused_without_blocking(void **state)
{
	char path[PATH_MAX + 32], want[PATH_MAX + 128];
	const char *paths[2];
	struct config *cf;
	struct errs e;
	size_t i;

	(void)state;
	snprintf(path, sizeof path, "%s/fifo", tmpdir);
	(void)unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	paths[0] = path;
	paths[1] = "/dev/null";
	for (i = 0; i < NELEM(paths); i++) {
		alarm(10);	/* a blocked open() fails the test, not hangs */
		memset(&e, 0, sizeof e);
		cf = config_load(paths[i], collect, &e);
		alarm(0);
		assert_null(cf);
		assert_int_equal(e.n, 1);
		snprintf(want, sizeof want, "%s: not a regular file, refusing it",
		    paths[i]);
		assert_string_equal(e.msg[0], want);
	}
}

static void
nul_byte_in_file_is_error(void **state)
{
	static const char text[] = "Socket inet:1@h\nPidFile /a\0b\nUMask 9\n"
	    "DNSTimeout 3\n";
	char path[PATH_MAX + 32], want[PATH_MAX + 128];
	struct config *cf;
	struct errs e;

	(void)state;
	write_file("nul.conf", text, sizeof text - 1, path, sizeof path);
	memset(&e, 0, sizeof e);
	cf = config_load(path, collect, &e);
	assert_null(cf);
	assert_int_equal(e.n, 2);
	snprintf(want, sizeof want, "%s:2: NUL byte in line", path);
	assert_string_equal(e.msg[0], want);
	snprintf(want, sizeof want, "%s:3: UMask: bad value '9'", path);
	assert_true(strncmp(e.msg[1], want, strlen(want)) == 0);
}

static void
generic_patterns_file_is_loaded(void **state)
{
	static const char pat[] = "# comment\n^dyn[0-9]+$\n\n^pool-\n";
	char path[PATH_MAX + 32], text[PATH_MAX + 64];
	struct config *cf;
	struct errs e;

	(void)state;
	write_file("pat.txt", pat, sizeof pat - 1, path, sizeof path);
	snprintf(text, sizeof text, "GenericPatterns %s\n", path);
	cf = parse(text, &e);
	if (cf == NULL)
		dump_errs(text, &e);
	assert_non_null(cf);
	assert_string_equal(cf->generic_patterns_file, path);
	assert_non_null(cf->generic);
	config_free(cf);
}

static void
generic_patterns_error_is_passed_through(void **state)
{
	static const char pat[] = "^dyn\n(unclosed\n";
	char path[PATH_MAX + 32], text[PATH_MAX + 64], want[PATH_MAX + 64];
	struct config *cf;
	struct errs e;

	(void)state;
	write_file("badpat.txt", pat, sizeof pat - 1, path, sizeof path);
	snprintf(text, sizeof text, "# x\nGenericPatterns %s\nUMask 9\n",
	    path);
	cf = parse(text, &e);
	assert_null(cf);
	if (e.n != 2)
		dump_errs(text, &e);
	assert_int_equal(e.n, 2);
	snprintf(want, sizeof want, "%s:2: ", path);
	if (strncmp(e.msg[1], want, strlen(want)) != 0)
		print_message("got %s\nwant %s...\n", e.msg[1], want);
	assert_true(strncmp(e.msg[0], "t.conf:3: UMask", 15) == 0);
	assert_true(strncmp(e.msg[1], want, strlen(want)) == 0);

	/* A missing patterns file: "FILE: message". */
	snprintf(path, sizeof path, "%s/nonexistent.txt", tmpdir);
	snprintf(text, sizeof text, "GenericPatterns %s\n", path);
	cf = parse(text, &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof want, "%s: ", path);
	assert_true(strncmp(e.msg[0], want, strlen(want)) == 0);
}

/* GenericRules FILE replaces the shipped rules, +FILE adds to them;
 * GenericDisable switches rules off by name, in any order. */
static void
generic_rules_replace_add_and_disable(void **state)
{
	static const char site[] =
	    "# source: a provider's page\n"
	    "site-vm domain=example.com ^vm[0-9]+$\n";
	char path[PATH_MAX + 32], text[PATH_MAX + 128], got[PATH_MAX + 8];
	struct rdns_ip ip = test_util_ip("198.51.100.7");
	struct generic_patterns *gp;
	struct config *def, *cf;
	struct errs e;
	size_t shipped;
	bool enabled;

	(void)state;
	def = config_new_default();
	assert_non_null(def);
	shipped = generic_rules_count(def->generic);
	assert_true(shipped >= 20);
	assert_true(generic_rules_find(def->generic, "dyn-word") >= 0);
	config_free(def);
	write_file("site.rules", site, sizeof site - 1, path, sizeof path);

	snprintf(text, sizeof text, "GenericRules %s\n", path);
	cf = parse(text, &e);
	if (cf == NULL)
		dump_errs(text, &e);
	assert_non_null(cf);
	assert_string_equal(render(cf, "rulesfile", got, sizeof got), path);
	assert_int_equal(generic_rules_count(cf->generic), 1);
	assert_int_equal(generic_rules_find(cf->generic, "dyn-word"), -1);
	assert_true(generic_match(cf->generic, "vm7.example.com", &ip));
	assert_false(generic_match(cf->generic, "dyn-1.example.com", &ip));
	config_free(cf);

	snprintf(text, sizeof text, "GenericDisable site-vm, dyn-word\n"
	    "GenericRules + %s\n", path);
	cf = parse(text, &e);
	if (cf == NULL)
		dump_errs(text, &e);
	assert_non_null(cf);
	gp = cf->generic;
	assert_true(cf->generic_rules_add);
	assert_string_equal(cf->generic_rules_file, path);
	assert_string_equal(render(cf, "disable", got, sizeof got),
	    "site-vm|dyn-word");
	assert_int_equal(generic_rules_count(gp), shipped + 1);
	assert_true(generic_rules_get(gp, (size_t)generic_rules_find(gp,
	    "dyn-word"), NULL, NULL, NULL, NULL, &enabled));
	assert_false(enabled);
	assert_false(generic_match(gp, "vm7.example.com", &ip));
	assert_false(generic_match(gp, "dyn-1.example.com", &ip));
	assert_true(generic_match(gp, "dsl-1.example.com", &ip));
	/* The address test always applies. */
	assert_true(generic_match(gp, "198-51-100-7.example.com", &ip));
	config_free(cf);
}

static void
generic_rules_errors(void **state)
{
	static const char bad[] = "ok label ^a$\nx labels ^b$\n";
	char path[PATH_MAX + 32], text[PATH_MAX + 128], want[PATH_MAX + 128];
	const char *old = getenv("RDNS_MILTER_GENERIC_RULES");
	char *saved = old != NULL ? strdup(old) : NULL;
	struct config *cf;
	struct errs e;

	(void)state;
	cf = parse("UMask 007\nGenericDisable dsl-word nope\n", &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0],
	    "t.conf:2: GenericDisable: no rule named 'nope'");
	cf = parse("GenericDisable embedded-ipv4\n", &e);
	assert_null(cf);
	assert_string_equal(e.msg[0], "t.conf:1: GenericDisable: "
	    "'embedded-ipv4' is the address test, which always applies");
	cf = parse("GenericRules +\n", &e);
	assert_null(cf);
	assert_string_equal(e.msg[0], "t.conf:1: GenericRules: no file given "
	    "(want FILE or +FILE)");
	cf = parse("GenericPatterns /nonexistent/p\nGenericRules /x\n", &e);
	assert_null(cf);
	assert_string_equal(e.msg[0], "t.conf:2: GenericRules: "
	    "GenericPatterns is given (line 1); give one of them");
	cf = parse("GenericRules /x\nGenericPatterns /nonexistent/p\n", &e);
	assert_null(cf);
	assert_string_equal(e.msg[0], "t.conf:2: GenericPatterns: "
	    "GenericRules is given (line 1); give one of them");

	/* A bad rule: the rules file's name and line, as -n shows. */
	write_file("bad.rules", bad, sizeof bad - 1, path, sizeof path);
	snprintf(text, sizeof text, "GenericRules +%s\n", path);
	cf = parse(text, &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof want, "%s:2: bad scope 'labels' (want label, "
	    "host, name or domain=DOMAIN)", path);
	assert_string_equal(e.msg[0], want);

	/* The shipped file missing (a broken installation). */
	assert_int_equal(setenv("RDNS_MILTER_GENERIC_RULES",
	    "/nonexistent/generic.rules", 1), 0);
	cf = parse("", &e);
	assert_null(cf);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "/nonexistent/generic.rules: No such "
	    "file or directory");
	/* GenericRules FILE alone does not need it. */
	write_file("good.rules", "ok label ^a$\n", 13, path, sizeof path);
	snprintf(text, sizeof text, "GenericRules %s\n", path);
	cf = parse(text, &e);
	if (cf == NULL)
		dump_errs(text, &e);
	assert_non_null(cf);
	config_free(cf);
	if (saved != NULL)
		assert_int_equal(setenv("RDNS_MILTER_GENERIC_RULES", saved, 1),
		    0);
	else
		assert_int_equal(unsetenv("RDNS_MILTER_GENERIC_RULES"), 0);
	free(saved);
}

/*
 * The shipped sample configuration and man page.
 */

#ifndef SRCDIR
#define SRCDIR "."
#endif
#define SAMPLE_CONF	SRCDIR "/conf/rdns-milter.conf"
#define CONF_MAN	SRCDIR "/doc/rdns-milter.conf.5.in"

/* Every key of SPEC 4. */
static const char *const all_keys[] = {
	"Socket", "AuthservID", "UserID", "PidFile", "UMask", "Syslog",
	"SyslogFacility", "TrustAnchorFile", "ResolverConfig", "Nameservers",
	"DNSTimeout", "MaxPTRNames", "TrustedNetworks", "SkipAuthenticated",
	"ExemptRecipients", "GenericPatterns", "GenericRules",
	"GenericDisable", "DryRun", "MetricsListen",
	"Policy", "ResolverThreads", "AllowDomains", "MailRoleWords",
	"AnswerCacheSize",
};

/* Fields whose default the sample shows. */
static const char *const default_fields[] = {
	"socket", "userid", "pidfile", "umask", "syslog", "facility", "ta",
	"resolver", "ns", "timeout", "maxptr", "cachesize", "trusted",
	"skipauth", "exempt", "genericfile", "rulesfile", "disable", "dryrun",
	"metrics", "policies",
};

static char *
slurp(const char *path)
{
	FILE *fp;
	char *buf;
	long n;

	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
sample_config_parses_to_defaults(void **state)
{
	struct config *cf, *def;
	struct errs e;
	char got[2048], want[2048];
	size_t i;

	(void)state;
	memset(&e, 0, sizeof e);
	cf = config_load(SAMPLE_CONF, collect, &e);
	if (cf == NULL)
		dump_errs(SAMPLE_CONF, &e);
	assert_non_null(cf);
	def = config_new_default();
	assert_non_null(def);
	for (i = 0; i < NELEM(default_fields); i++)
		assert_string_equal(render(cf, default_fields[i], got,
		    sizeof got), render(def, default_fields[i], want,
		    sizeof want));
	config_free(def);
	config_free(cf);
}

/* Uncommenting every "#Key value" line of the sample keeps the defaults:
 * the sample shows them truthfully, and its examples are valid. */
static void
sample_settings_uncommented_are_valid_defaults(void **state)
{
	static const char *const keep_default[] = {
		"socket", "umask", "syslog", "facility", "ta", "timeout",
		"maxptr", "cachesize", "trusted", "skipauth", "exempt",
		"dryrun",
	};
	char *text, *out, *line, *save = NULL, got[2048], want[2048];
	struct config *cf, *def;
	struct errs e;
	size_t i, n = 0;

	(void)state;
	text = slurp(SAMPLE_CONF);
	out = calloc(1, strlen(text) + 1);
	assert_non_null(out);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '#' || !isupper((unsigned char)line[1]))
			continue;
		/* The patterns and rules files named there do not exist
		 * here. */
		if (strncmp(line + 1, "GenericPatterns ", 16) == 0 ||
		    strncmp(line + 1, "GenericRules ", 13) == 0)
			continue;
		strcat(out, line + 1);
		strcat(out, "\n");
		n++;
	}
	assert_true(n >= NELEM(all_keys) - 2);
	cf = parse(out, &e);
	if (cf == NULL)
		dump_errs(out, &e);
	assert_non_null(cf);
	def = config_new_default();
	assert_non_null(def);
	for (i = 0; i < NELEM(keep_default); i++)
		assert_string_equal(render(cf, keep_default[i], got,
		    sizeof got), render(def, keep_default[i], want,
		    sizeof want));
	assert_true(cf->n_policies >= 2);
	config_free(def);
	config_free(cf);
	free(out);
	free(text);
}

/* A key is finished only when the sample and the man page show it. */
static void
every_key_is_in_sample_and_man_page(void **state)
{
	char *sample, *man, needle[64];
	size_t i;

	(void)state;
	sample = slurp(SAMPLE_CONF);
	man = slurp(CONF_MAN);
	for (i = 0; i < NELEM(all_keys); i++) {
		snprintf(needle, sizeof needle, "\n#%s ", all_keys[i]);
		if (strstr(sample, needle) == NULL)
			fail_msg("%s: no \"#%s\" line", SAMPLE_CONF,
			    all_keys[i]);
		snprintf(needle, sizeof needle, "\n.It Ic %s ", all_keys[i]);
		if (strstr(man, needle) == NULL)
			fail_msg("%s: no \".It Ic %s\" entry", CONF_MAN,
			    all_keys[i]);
	}
	free(sample);
	free(man);
}

/*
 * References.
 */

static void
config_free_frees(void **state)
{
	struct config *cf;

	(void)state;
	cf = config_new_default();
	assert_non_null(cf);
	config_free(cf);		/* freed: valgrind checks */
	config_free(NULL);
}

/* The daemon's loader: a missing file means the defaults only when the
 * caller allows it (start-up without -c); a reload never falls back. */
static void
daemon_loader_defaults_only_at_start(void **state)
{
	struct config *cf;
	struct errs e;
	char path[] = "/tmp/rdns-test-config.XXXXXX";
	int fd;

	(void)state;
	memset(&e, 0, sizeof e);
	cf = config_load_daemon("/nonexistent/rdns-milter.conf", true,
	    collect, &e);
	assert_non_null(cf);
	assert_int_equal(e.n, 0);
	config_free(cf);

	cf = config_load_daemon("/nonexistent/rdns-milter.conf", false,
	    collect, &e);
	assert_null(cf);
	assert_true(e.n >= 1);
	assert_non_null(strstr(e.msg[0], "/nonexistent/rdns-milter.conf"));

	/* A file that exists is always read, errors and all. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, "NoSuchKey yes\n", 14) == 14);
	close(fd);
	memset(&e, 0, sizeof e);
	assert_null(config_load_daemon(path, true, collect, &e));
	assert_true(e.n >= 1);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_match_spec),
		cmocka_unit_test(good_values_are_accepted),
		cmocka_unit_test(bad_values_are_reported_with_line),
		cmocka_unit_test(parse_listen_fills_sockaddr),
		cmocka_unit_test(single_valued_key_twice_names_both_lines),
		cmocka_unit_test(generic_patterns_twice_is_error),
		cmocka_unit_test(comments_and_blank_lines_are_ignored),
		cmocka_unit_test(keys_are_case_insensitive),
		cmocka_unit_test(crlf_and_missing_final_newline_are_accepted),
		cmocka_unit_test(line_of_4096_bytes_ok_4097_is_error),
		cmocka_unit_test(every_error_is_reported_with_its_line),
		cmocka_unit_test(null_error_callback_is_allowed),
		cmocka_unit_test(parse_bool_table),
		cmocka_unit_test(trusted_networks_first_line_replaces_default),
		cmocka_unit_test(trust_anchor_files_accumulate),
		cmocka_unit_test(policy_for_precedence),
		cmocka_unit_test(policy_for_without_match_is_builtin_accept),
		cmocka_unit_test(exempt_is_case_insensitive),
		cmocka_unit_test(load_file_ok),
		cmocka_unit_test(socket_path_is_parsed_at_load),
		cmocka_unit_test(metrics_listen_is_parsed_at_load),
		cmocka_unit_test(userid_is_resolved_by_the_daemon_loader),
		cmocka_unit_test(typed_values_keep_their_file_line_errors),
		cmocka_unit_test(unreadable_file_is_reported_with_strerror),
		cmocka_unit_test(nul_byte_in_file_is_error),
		cmocka_unit_test(world_writable_file_is_refused),
		cmocka_unit_test(symlink_is_judged_by_its_target),
		cmocka_unit_test(fifo_and_device_are_refused_without_blocking),
		cmocka_unit_test(generic_patterns_file_is_loaded),
		cmocka_unit_test(generic_patterns_error_is_passed_through),
		cmocka_unit_test(generic_rules_replace_add_and_disable),
		cmocka_unit_test(generic_rules_errors),
		cmocka_unit_test(sample_config_parses_to_defaults),
		cmocka_unit_test(allow_domains_accumulate),
		cmocka_unit_test(allow_domains_errors),
		cmocka_unit_test(mail_role_words_key),
		cmocka_unit_test(
		    sample_settings_uncommented_are_valid_defaults),
		cmocka_unit_test(every_key_is_in_sample_and_man_page),
		cmocka_unit_test(config_free_frees),
		cmocka_unit_test(daemon_loader_defaults_only_at_start),
	};

	return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
