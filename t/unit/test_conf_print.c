/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_conf_print.c - the effective configuration (config_print(),
 * "rdns-milter -n -v") and the configuration line named for a resolver
 * error (config_blame_resolver()).
 *
 * The key table is walked: a key added without a printer fails here.
 * Printing is checked by round trips: the output, read back as a
 * configuration, prints the same.
 */
#include "autoconf.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "conf_int.h"
#include "test_util.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif
#define CONF_MAN	SRCDIR "/doc/rdns-milter.conf.5.in"

static char tmpdir[PATH_MAX];

static void
print_errors(void *arg, const char *msg)
{
	(void)arg;
	print_message("config error: %s\n", msg);
}

/* config_print() into a malloc'd string. */
static char *
printed(const struct config *cf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(config_print(cf, fp), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* Print text's configuration, read the output back, print that: both
 * prints must be equal.  @return the first print (malloc'd). */
static char *
round_trip(const char *text)
{
	struct config *cf, *again;
	char *out, *out2;

	cf = config_load_string("in.conf", text, print_errors, NULL);
	assert_non_null(cf);
	out = printed(cf);
	again = config_load_string("printed.conf", out, print_errors, NULL);
	if (again == NULL)
		fail_msg("the printed configuration does not load:\n%s", out);
	out2 = printed(again);
	if (strcmp(out, out2) != 0)
		fail_msg("printed twice differently:\n%s---\n%s", out, out2);
	free(out2);
	config_free(again);
	config_free(cf);
	return out;
}

/* The printed line of key (the first), or NULL. */
static const char *
line_of(const char *out, const char *key, char *buf, size_t size)
{
	size_t kl = strlen(key);
	const char *p = out;

	while (p != NULL && *p != '\0') {
		const char *k = *p == '#' ? p + 1 : p;
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (strncmp(k, key, kl) == 0 && k[kl] == ' ') {
			snprintf(buf, size, "%.*s", (int)n, p);
			return buf;
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	return NULL;
}

/* Every key of the table can be printed, and is: a key without a printer
 * would make -n -v leave it out. */
static void
every_key_has_a_printer(void **state)
{
	struct config *cf;
	char *out, buf[512];
	size_t i;

	(void)state;
	assert_true(conf_key_count() > 20);
	for (i = 0; i < conf_key_count(); i++)
		if (!conf_key_printable(i))
			fail_msg("key %s has no printer (key table, conf.c)",
			    conf_key_name(i));
	cf = config_new_default();
	assert_non_null(cf);
	out = printed(cf);
	for (i = 0; i < conf_key_count(); i++)
		if (line_of(out, conf_key_name(i), buf, sizeof buf) == NULL)
			fail_msg("key %s is not printed:\n%s", conf_key_name(i),
			    out);
	assert_int_equal(conf_key_print(cf, conf_key_count(), stdout), -1);
	free(out);
	config_free(cf);
}

/* The defaults: every line says so, and they read back the same. */
static void
defaults_are_marked_and_round_trip(void **state)
{
	char *out, *line, *save = NULL;
	size_t n = 0;

	(void)state;
	out = round_trip("");
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (strstr(line, "# default") == NULL)
			fail_msg("default not marked: \"%s\"", line);
	}
	assert_true(n >= conf_key_count());
	free(out);
}

/* Exact lines for the plain defaults (SPEC 4). */
static void
default_values_are_the_spec_s(void **state)
{
	static const char *const want[][2] = {
		{ "Socket", "Socket             local:/run/rdns-milter/"
		    "rdns-milter.sock  # default" },
		{ "UMask", "UMask              007  # default" },
		{ "TrustAnchorFile", "TrustAnchorFile    "
		    "/usr/share/dns/root.key  # default" },
		{ "TrustedNetworks", "TrustedNetworks    127.0.0.0/8, "
		    "::1/128  # default" },
		{ "ExemptRecipients", "ExemptRecipients   postmaster abuse  "
		    "# default" },
		{ "DNSTimeout", "DNSTimeout         5  # default" },
		{ "UserID", "#UserID            # default: not set (keep the "
		    "starting user)" },
		{ "Policy", "#Policy            # default: not set (tag only, "
		    "refuse nothing)" },
		{ "MailRoleWords", "MailRoleWords      mail mx smtp mta mout "
		    "mxout mailout outbound relay sender bounce  # default" },
	};
	struct config *cf;
	char *out, buf[512];
	const char *got;
	size_t i;

	(void)state;
	cf = config_new_default();
	assert_non_null(cf);
	out = printed(cf);
	for (i = 0; i < NELEM(want); i++) {
		got = line_of(out, want[i][0], buf, sizeof buf);
		assert_non_null(got);
		WANT_STR(i, want[i][0], got, want[i][1]);
	}
	free(out);
	config_free(cf);
}

/* Every key set to something else: nothing is marked default (but
 * GenericPatterns, which GenericRules excludes), and the output reads
 * back to the same configuration. */
static void
every_key_set_round_trips(void **state)
{
	char pat[PATH_MAX + 32], text[PATH_MAX + 4096], *out, buf[512];
	const char *got;
	FILE *fp;
	size_t i;
	static const char *const want[][2] = {
		{ "UMask", "UMask              022" },
		{ "Syslog", "Syslog             no" },
		{ "SyslogFacility", "SyslogFacility     local3" },
		{ "TrustAnchorFile", "TrustAnchorFile    /x/a.key" },
		{ "Nameservers", "Nameservers        192.0.2.53, "
		    "2001:db8::53@5353" },
		{ "TrustedNetworks", "TrustedNetworks    127.0.0.1/32, "
		    "192.0.2.0/24, 2001:db8::/32" },
		{ "ExemptRecipients", "ExemptRecipients   postmaster "
		    "hostmaster" },
		{ "MailRoleWords", "MailRoleWords      mail mx" },
		{ "GenericDisable", "GenericDisable     dsl-word, site-vm" },
		{ "AllowDomains", "AllowDomains       partner.example, "
		    ".mail.partner.example, other.example" },
		{ "Policy", "Policy             * ptr=reject iprev=accept "
		    "helo=accept generic=accept dnssec=optional "
		    "temperror=accept dryrun=no" },
	};

	(void)state;
	snprintf(pat, sizeof pat, "%s/site.rules", tmpdir);
	fp = fopen(pat, "w");
	assert_non_null(fp);
	fputs("site-vm domain=example.com ^vm[0-9]+$\n", fp);
	assert_int_equal(fclose(fp), 0);
	snprintf(text, sizeof text,
	    "Socket inet:10138@127.0.0.1\n"
	    "AuthservID mx.example.net\n"
	    "UserID rdns-milter:postfix\n"
	    "PidFile /run/rdns-milter/x.pid\n"
	    "UMask 22\n"
	    "Syslog off\n"
	    "SyslogFacility LOCAL3\n"
	    "TrustAnchorFile /x/a.key\n"
	    "TrustAnchorFile /x/b.key\n"
	    "ResolverConfig /x/unbound.conf\n"
	    "Nameservers 192.0.2.53 2001:db8::53@5353\n"
	    "ResolverThreads 3\n"
	    "DNSTimeout 7\n"
	    "MaxPTRNames 4\n"
	    "AnswerCacheSize 1536k\n"
	    "TrustedNetworks 127.0.0.1\n"
	    "TrustedNetworks 192.0.2.9/24, 2001:db8::1/32\n"
	    "SkipAuthenticated no\n"
	    "ExemptRecipients Postmaster, hostmaster\n"
	    "GenericRules + %s\n"
	    "GenericDisable dsl-word site-vm\n"
	    "MailRoleWords Mail,MX\n"
	    "AllowDomains Partner.Example, .mail.partner.example.\n"
	    "AllowDomains other.example\n"
	    "DryRun yes\n"
	    "MetricsListen [::1]:10139\n"
	    "Policy * ptr=reject\n"
	    "Policy .Example.COM ptr=tempfail iprev=reject helo=reject "
	    "generic=reject dnssec=require temperror=tempfail dryrun=yes\n",
	    pat);
	out = round_trip(text);
	{
		char *copy = strdup(out), *l, *sv = NULL;

		assert_non_null(copy);
		for (l = strtok_r(copy, "\n", &sv); l != NULL;
		    l = strtok_r(NULL, "\n", &sv))
			if (strstr(l, "# default") != NULL &&
			    strncmp(l, "#GenericPatterns ", 17) != 0)
				fail_msg("a value set is marked default: "
				    "\"%s\"\n%s", l, out);
		free(copy);
	}
	{
		char want_rules[PATH_MAX + 64];

		snprintf(want_rules, sizeof want_rules,
		    "\nGenericRules       +%s\n", pat);
		assert_non_null(strstr(out, want_rules));
	}
	for (i = 0; i < NELEM(want); i++) {
		got = line_of(out, want[i][0], buf, sizeof buf);
		assert_non_null(got);
		WANT_STR(i, want[i][0], got, want[i][1]);
	}
	assert_non_null(strstr(out, "\nTrustAnchorFile    /x/b.key\n"));
	assert_non_null(strstr(out, "\nPolicy             .example.com "
	    "ptr=tempfail iprev=reject helo=reject generic=reject "
	    "dnssec=require temperror=tempfail dryrun=yes\n"));
	free(out);
	(void)unlink(pat);
}

/* GenericPatterns (which excludes GenericRules) and GenericRules FILE
 * read back as given; unset, they say what applies. */
static void
generic_rules_keys_round_trip(void **state)
{
	char pat[PATH_MAX + 32], text[PATH_MAX + 64], want[PATH_MAX + 64];
	char *out, buf[PATH_MAX + 64];
	FILE *fp;

	(void)state;
	snprintf(pat, sizeof pat, "%s/patterns", tmpdir);
	fp = fopen(pat, "w");
	assert_non_null(fp);
	fputs("^dyn-\n", fp);
	assert_int_equal(fclose(fp), 0);
	snprintf(text, sizeof text, "GenericPatterns %s\n", pat);
	out = round_trip(text);
	snprintf(want, sizeof want, "GenericPatterns    %s", pat);
	assert_string_equal(line_of(out, "GenericPatterns", buf, sizeof buf),
	    want);
	assert_string_equal(line_of(out, "GenericRules", buf, sizeof buf),
	    "#GenericRules      # default: not set (the shipped rules file "
	    "alone)");
	assert_string_equal(line_of(out, "GenericDisable", buf, sizeof buf),
	    "#GenericDisable    # default: not set (every rule on)");
	free(out);
	(void)unlink(pat);
}

/* A value written out that equals the default counts as the default;
 * "none" is printed as such. */
static void
explicit_default_and_none(void **state)
{
	static const char *const want[][2] = {
		{ "DNSTimeout", "DNSTimeout         5  # default" },
		{ "TrustAnchorFile", "TrustAnchorFile    none" },
		{ "ExemptRecipients", "ExemptRecipients   none" },
		{ "MailRoleWords", "MailRoleWords      none" },
	};
	char *out, buf[512];
	const char *got;
	size_t i;

	(void)state;
	out = round_trip("DNSTimeout 5\nSocket local:/run/rdns-milter/"
	    "rdns-milter.sock\nTrustAnchorFile none\nExemptRecipients none\n"
	    "MailRoleWords none\n");
	for (i = 0; i < NELEM(want); i++) {
		got = line_of(out, want[i][0], buf, sizeof buf);
		assert_non_null(got);
		WANT_STR(i, want[i][0], got, want[i][1]);
	}
	free(out);
}

/* "none" is the empty list only alone: as a local part in a list it would
 * print as the empty list. */
static void
exempt_none_stands_alone(void **state)
{
	static const char *const bad[] = {
		"ExemptRecipients postmaster none\n",
		"ExemptRecipients NONE,\n",
		"ExemptRecipients none none\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		if (config_load_string("t", bad[i], NULL, NULL) != NULL)
			fail_msg("accepted: %s", bad[i]);
}

/* A configuration file in tmpdir, loaded. */
static struct config *
load_file(const char *text)
{
	char path[PATH_MAX + 32];
	struct config *cf;
	FILE *fp;

	snprintf(path, sizeof path, "%s/blame.conf", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	cf = config_load(path, print_errors, NULL);
	assert_non_null(cf);
	(void)unlink(path);
	return cf;
}

static void
resolver_errors_name_their_line(void **state)
{
	static const struct {
		const char	*err;
		int		 line;	/* named in front; 0: none */
	} cases[] = {
		{ "TrustAnchorFile /x/b.key: cannot read: Permission "
		    "denied", 4 },
		{ "TrustAnchorFile /x/a.key: syntax error", 2 },
		{ "ResolverConfig /x/unbound.conf: the resolver cannot start: "
		    "x", 3 },
		{ "Nameservers ::1@5353: bad", 5 },
		/* Not a line of this file. */
		{ "TrustAnchorFile /x/c.key: cannot read: x", 0 },
		{ "TrustAnchorFile /x/a.key.old: cannot read: x", 0 },
		{ "pipe: Too many open files", 0 },
		/* Three lines could be behind it. */
		{ "the resolver cannot start: y", 0 },
	};
	struct config *cf;
	char err[512], want[PATH_MAX + 1024];
	size_t i;

	(void)state;
	cf = load_file("# lines\nTrustAnchorFile /x/a.key\n"
	    "ResolverConfig /x/unbound.conf\nTrustAnchorFile /x/b.key\n"
	    "Nameservers 127.0.0.1, ::1@5353\n");
	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof err, "%s", cases[i].err);
		config_blame_resolver(cf, err, sizeof err);
		if (cases[i].line != 0)
			snprintf(want, sizeof want, "%s/blame.conf:%d: %s",
			    tmpdir, cases[i].line, cases[i].err);
		else
			snprintf(want, sizeof want, "%s", cases[i].err);
		WANT_STR(i, cases[i].err, err, want);
	}
	config_free(cf);

	/* One line that could be behind libunbound's nameless failure. */
	cf = load_file("AuthservID x\n\nTrustAnchorFile /x/a.key\n");
	snprintf(err, sizeof err, "the resolver cannot start: z");
	config_blame_resolver(cf, err, sizeof err);
	snprintf(want, sizeof want, "%s/blame.conf:3: the resolver cannot "
	    "start: z", tmpdir);
	WANT_STR((size_t)0, "one candidate", err, want);
	config_free(cf);

	/* The default trust anchor is on no line. */
	cf = load_file("AuthservID x\n");
	snprintf(err, sizeof err, "TrustAnchorFile /usr/share/dns/root.key: "
	    "cannot read: x");
	config_blame_resolver(cf, err, sizeof err);
	WANT_STR((size_t)0, "default anchor", err, "TrustAnchorFile "
	    "/usr/share/dns/root.key: cannot read: x");
	config_free(cf);

	/* Not read from a file: nothing to name. */
	cf = config_load_string("s", "TrustAnchorFile /x/a.key\n", NULL, NULL);
	assert_non_null(cf);
	snprintf(err, sizeof err, "TrustAnchorFile /x/a.key: x");
	config_blame_resolver(cf, err, sizeof err);
	WANT_STR((size_t)0, "string", err, "TrustAnchorFile /x/a.key: x");
	config_free(cf);
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (fp == NULL)
		fail_msg("cannot open %s", path);
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

/* rdns-milter.conf(5) says which keys may repeat twice: in the sentence
 * of DESCRIPTION ("Every key except A, B and C may be given only once")
 * and in each key's entry ("may repeat").  Both must be the key table's
 * multi flag. */
static void
repeatable_keys_match_the_manual(void **state)
{
	char *man, *sentence, *end, *entry, *next, needle[64];
	size_t i;

	(void)state;
	man = slurp(CONF_MAN);
	sentence = strstr(man, "Every key except\n");
	assert_non_null(sentence);
	end = strstr(sentence, "may be given only once");
	assert_non_null(end);
	*end = '\0';
	for (i = 0; i < conf_key_count(); i++) {
		char comma[64];
		bool named;

		snprintf(needle, sizeof needle, "\n.Ic %s\n", conf_key_name(i));
		snprintf(comma, sizeof comma, "\n.Ic %s ,\n", conf_key_name(i));
		named = strstr(sentence, needle) != NULL ||
		    strstr(sentence, comma) != NULL;
		if (named != conf_key_multi(i))
			fail_msg("rdns-milter.conf(5): \"Every key except "
			    "...\" %s %s, but it %s", named ? "names" : "omits",
			    conf_key_name(i), conf_key_multi(i) ?
			    "may repeat" : "may not repeat");
	}
	*end = 'm';
	for (i = 0; i < conf_key_count(); i++) {
		snprintf(needle, sizeof needle, "\n.It Ic %s ",
		    conf_key_name(i));
		if ((entry = strstr(man, needle)) == NULL) {
			fail_msg("rdns-milter.conf(5): no entry for %s",
			    conf_key_name(i));
			continue;
		}
		if ((next = strstr(entry + 1, "\n.It Ic ")) == NULL &&
		    (next = strstr(entry + 1, "\n.El")) == NULL) {
			fail_msg("rdns-milter.conf(5): the entry of %s does "
			    "not end", conf_key_name(i));
			continue;
		}
		*next = '\0';
		if ((strcasestr(entry, "may repeat") != NULL) !=
		    conf_key_multi(i))
			fail_msg("rdns-milter.conf(5): the entry of %s %s "
			    "\"may repeat\"", conf_key_name(i),
			    conf_key_multi(i) ? "lacks" : "says");
		*next = '\n';
	}
	free(man);
}

static int
setup_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_conf_print.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown_tmpdir(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_key_has_a_printer),
		cmocka_unit_test(defaults_are_marked_and_round_trip),
		cmocka_unit_test(default_values_are_the_spec_s),
		cmocka_unit_test(every_key_set_round_trips),
		cmocka_unit_test(generic_rules_keys_round_trip),
		cmocka_unit_test(explicit_default_and_none),
		cmocka_unit_test(exempt_none_stands_alone),
		cmocka_unit_test(resolver_errors_name_their_line),
		cmocka_unit_test(repeatable_keys_match_the_manual),
	};

	return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
