/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_replay.c - rdns-report --replay (replay.c, report.c): a logged
 * summary line decided again under another configuration, table-driven.
 * Each case is a line as rdns-milter logs it; wanted are the status, the
 * recipients refused per policy and check (and whether in dry run), and
 * the message's policy and check as its summary line would name them.
 * Covered: Policy lookup per domain with counts, ExemptRecipients
 * (exempt when logged and here, or no longer), AllowDomains and the
 * generic verdict judged again (MailRoleWords), TrustedNetworks, per-line
 * and global dry run, dnssec=require, temperror, HELO confirmation and
 * alignment as logged, "+N", older and broken lines; then the report's
 * JSON for a replayed log.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "logparse.h"
#include "policy.h"
#include "replay.h"
#include "report.h"

static const char conf_b[] =
    "TrustedNetworks 127.0.0.0/8, 198.18.0.0/15\n"
    "ExemptRecipients postmaster, Hostmaster\n"
    "AllowDomains .allowed.example\n"
    "MailRoleWords none\n"
    "Policy * ptr=reject\n"
    "Policy .sub.example ptr=reject iprev=reject generic=reject "
    "helo=tempfail temperror=tempfail\n"
    "Policy shadow.example ptr=reject generic=reject dryrun=yes\n"
    "Policy sec.example iprev=reject dnssec=require\n";

static void
conf_error(void *arg, const char *msg)
{
	(void)arg;
	fail_msg("configuration: %s", msg);
}

static struct config *
load(const char *text)
{
	struct config *cf = config_load_string("b.conf", text, conf_error,
	    NULL);

	assert_non_null(cf);
	return cf;
}

/* The verdict keys of a line. */
#define NOPTR	"ip=192.0.2.11 ptr=fail iprev=permerror name=- " \
	"dnssec=secure helo=client.example.net x-ptr=fail generic=no"
#define NOPTR_IN "helo_fwd=fail helo_aligned=no allowlisted=no"
#define GOOD	"ip=192.0.2.10 ptr=pass iprev=pass name=mail.sec.example " \
	"dnssec=secure helo=mail.sec.example x-ptr=pass generic=no"
#define GOOD_IN	"helo_fwd=pass helo_aligned=yes allowlisted=no"
#define END	" ms=3 client=h.example[192.0.2.1] conn=1"

struct want_d {
	const char	*policy;
	const char	*check;
	bool		 dry;
	unsigned long	 n;
};

static const struct rcase {
	const char		*name;
	const char		*line;	/* after "rdns-milter: Q: " */
	enum replay_status	 status;
	struct want_d		 d[4];	/* refusing decisions, in order */
	const char		*msg_policy;	/* NULL: nothing refused */
	const char		*msg_check;
	bool			 msg_dry;
	unsigned long		 rcpts, exempt, unexempted, unlisted;
	bool			 generic_differs, allow_differs;
} cases[] = {
	{ "no PTR: counts per domain, exempt here or no longer",
	    NOPTR " action=reject policy=* check=ptr rcpts=2 " NOPTR_IN
	    " domains=x.example*2,shadow.example "
	    "exempt=postmaster@x.example,abuse@x.example*3" END,
	    REPLAY_DONE,
	    { { "*", "ptr", false, 2 }, { "shadow.example", "ptr", true, 1 },
	      { "*", "ptr", false, 3 } },
	    "*", "ptr", false, 6, 1, 3, 0, false, false },
	{ "enforced beats a more specific dry-run policy",
	    "ip=198.51.100.42 ptr=pass iprev=pass "
	    "name=dsl-198-51-100-42.pool.example.net dnssec=insecure "
	    "helo=other.example x-ptr=fail generic=yes "
	    "generic_rule=embedded-ipv4 action=accept policy=- check=- "
	    "rcpts=0 helo_fwd=fail helo_aligned=no allowlisted=no "
	    "domains=shadow.example,mx.sub.example exempt=-" END,
	    REPLAY_DONE,
	    { { "shadow.example", "generic", true, 1 },
	      { ".sub.example", "generic", false, 1 } },
	    ".sub.example", "generic", false, 2, 0, 0, 0, false, false },
	{ "AllowDomains of the replayed configuration: neither generic "
	    "nor helo acts",
	    "ip=198.51.100.43 ptr=pass iprev=pass "
	    "name=dsl-198-51-100-43.pool.allowed.example dnssec=insecure "
	    "helo=other.example x-ptr=fail generic=yes "
	    "generic_rule=embedded-ipv4 action=accept policy=- check=- "
	    "rcpts=0 helo_fwd=fail helo_aligned=no allowlisted=no "
	    "domains=mx.sub.example*2 exempt=-" END,
	    REPLAY_DONE, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    2, 0, 0, 0, false, true },
	{ "MailRoleWords none: a mail-role name with the address is "
	    "generic here",
	    "ip=198.51.100.44 ptr=pass iprev=pass "
	    "name=mail-198-51-100-44.example.net dnssec=insecure "
	    "helo=mail-198-51-100-44.example.net x-ptr=pass generic=no "
	    "action=accept policy=- check=- rcpts=0 helo_fwd=pass "
	    "helo_aligned=yes allowlisted=no domains=a.sub.example exempt=-"
	    END,
	    REPLAY_DONE, { { ".sub.example", "generic", false, 1 } },
	    ".sub.example", "generic", false, 1, 0, 0, 0, true, false },
	{ "HELO neither confirmed nor aligned: the helo policy acts",
	    "ip=192.0.2.10 ptr=pass iprev=pass name=mail.sec.example "
	    "dnssec=secure helo=a.other.example x-ptr=fail generic=no "
	    "action=accept policy=- check=- rcpts=0 helo_fwd=fail "
	    "helo_aligned=no allowlisted=no domains=b.sub.example exempt=-"
	    END,
	    REPLAY_DONE, { { ".sub.example", "helo", false, 1 } },
	    ".sub.example", "helo", false, 1, 0, 0, 0, false, false },
	{ "HELO forward-confirmed (as logged): no helo refusal",
	    "ip=192.0.2.10 ptr=pass iprev=pass name=mail.sec.example "
	    "dnssec=secure helo=a.other.example x-ptr=fail generic=no "
	    "action=accept policy=- check=- rcpts=0 helo_fwd=pass "
	    "helo_aligned=no allowlisted=no domains=b.sub.example exempt=-"
	    END,
	    REPLAY_DONE, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    1, 0, 0, 0, false, false },
	{ "HELO aligned (as logged): no helo refusal",
	    "ip=192.0.2.10 ptr=pass iprev=pass name=mail.sec.example "
	    "dnssec=secure helo=relay.sec.example x-ptr=fail generic=no "
	    "action=accept policy=- check=- rcpts=0 helo_fwd=fail "
	    "helo_aligned=yes allowlisted=no domains=b.sub.example exempt=-"
	    END,
	    REPLAY_DONE, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    1, 0, 0, 0, false, false },
	{ "dnssec=require: an insecure pass is refused by the iprev action",
	    "ip=192.0.2.10 ptr=pass iprev=pass name=mail.sec.example "
	    "dnssec=insecure helo=mail.sec.example x-ptr=pass generic=no "
	    "action=accept policy=- check=- rcpts=0 " GOOD_IN
	    " domains=sec.example exempt=-" END,
	    REPLAY_DONE, { { "sec.example", "dnssec", false, 1 } },
	    "sec.example", "dnssec", false, 1, 0, 0, 0, false, false },
	{ "temperror: the policy's temperror action",
	    "ip=192.0.2.19 ptr=pass iprev=temperror name=- dnssec=insecure "
	    "helo=mail.sec.test x-ptr=temperror generic=temperror "
	    "action=accept policy=- check=- rcpts=0 helo_fwd=fail "
	    "helo_aligned=no allowlisted=no domains=c.sub.example,x.example "
	    "exempt=-" END,
	    REPLAY_DONE, { { ".sub.example", "temperror", false, 1 } },
	    ".sub.example", "temperror", false, 2, 0, 0, 0, false, false },
	{ "unlisted recipients are counted, not decided",
	    NOPTR " action=accept policy=- check=- rcpts=0 " NOPTR_IN
	    " domains=x.example,+3 exempt=+2 ms=3 "
	    "client=unknown[192.0.2.11] conn=2",
	    REPLAY_DONE, { { "*", "ptr", false, 1 } }, "*", "ptr", false,
	    1, 0, 0, 5, false, false },
	{ "a client of the replayed TrustedNetworks is not checked",
	    "ip=198.18.0.5 ptr=fail iprev=permerror name=- dnssec=secure "
	    "helo=h x-ptr=fail generic=no action=reject policy=* check=ptr "
	    "rcpts=1 " NOPTR_IN " domains=x.example exempt=-" END,
	    REPLAY_TRUSTED, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "an older line: no domains=",
	    NOPTR " action=reject policy=* check=ptr rcpts=1" END,
	    REPLAY_OLD, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "cut short with recipients: not replayed",
	    NOPTR " action=accept policy=- check=- rcpts=0 " NOPTR_IN
	    " domains=x.example exempt=- ms=0 dns=incomplete"
	    " client=h[192.0.2.11] conn=1",
	    REPLAY_INCOMPLETE, { { NULL, NULL, false, 0 } }, NULL, NULL,
	    false, 0, 0, 0, 0, false, false },
	{ "cut short without recipients: a connection, replayed",
	    NOPTR " action=accept policy=- check=- rcpts=0 " NOPTR_IN
	    " domains=- exempt=- ms=0 dns=incomplete"
	    " client=h[192.0.2.11] conn=1",
	    REPLAY_DONE, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "iprev=pass without a verified name: broken",
	    "ip=192.0.2.10 ptr=pass iprev=pass name=- dnssec=secure helo=h "
	    "x-ptr=fail generic=no action=accept policy=- check=- rcpts=0 "
	    GOOD_IN " domains=x.example exempt=-" END,
	    REPLAY_BAD, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "generic=temperror without iprev=temperror: broken",
	    "ip=192.0.2.10 ptr=pass iprev=pass name=mail.sec.example "
	    "dnssec=secure helo=mail.sec.example x-ptr=pass "
	    "generic=temperror action=accept policy=- check=- rcpts=0 "
	    GOOD_IN " domains=x.example exempt=-" END,
	    REPLAY_BAD, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "all well, no policy acts",
	    GOOD " action=accept policy=- check=- rcpts=0 " GOOD_IN
	    " domains=x.example,mx.sub.example exempt=postmaster@x.example"
	    END,
	    REPLAY_DONE, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    2, 1, 0, 0, false, false },
	{ "a verified name that is no host name: broken",
	    "ip=192.0.2.10 ptr=pass iprev=pass name=a?b.example "
	    "dnssec=secure helo=h x-ptr=fail generic=no action=accept "
	    "policy=- check=- rcpts=0 " GOOD_IN " domains=x.example exempt=-"
	    END,
	    REPLAY_BAD, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "an unknown verdict word: broken",
	    NOPTR " action=accept policy=- check=- rcpts=0 helo_fwd=maybe "
	    "helo_aligned=no allowlisted=no domains=x.example exempt=-" END,
	    REPLAY_BAD, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "17 domains: more than rdns-milter ever lists, broken",
	    NOPTR " action=accept policy=- check=- rcpts=0 " NOPTR_IN
	    " domains=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q exempt=-" END,
	    REPLAY_BAD, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
	{ "a list that breaks the grammar: broken",
	    NOPTR " action=accept policy=- check=- rcpts=0 " NOPTR_IN
	    " domains=x.example*1 exempt=-" END,
	    REPLAY_BAD, { { NULL, NULL, false, 0 } }, NULL, NULL, false,
	    0, 0, 0, 0, false, false },
};

/* Parse "rdns-milter: Q: LINE" into *l (the buffer must outlive it). */
static void
parse(const char *line, char *buf, size_t size, struct lp_line *l)
{
	int n = snprintf(buf, size, "rdns-milter: Q: %s", line);

	assert_true(n > 0 && (size_t)n < size);
	assert_int_equal(lp_parse(buf, (size_t)n, 1700000000, l), LP_SUMMARY);
}

static void
replay_table(void **state)
{
	struct config *cf = load(conf_b);
	struct replay *rp = replay_new(cf);
	struct replay_msg m;
	struct lp_line l;
	const struct policy *p;
	enum check_id c;
	char buf[4096];
	size_t i, k;
	bool dry;

	(void)state;
	assert_non_null(rp);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct rcase *t = &cases[i];

		parse(t->line, buf, sizeof buf, &l);
		if (replay_message(rp, &l, &m) != t->status)
			fail_msg("%s: status %d, want %d", t->name, m.status,
			    t->status);
		for (k = 0; k < 4 && t->d[k].policy != NULL; k++) {
			if (k >= m.n_d)
				fail_msg("%s: %zu decisions, want more", t->name,
				    m.n_d);
			if (strcmp(m.d[k].p->domain, t->d[k].policy) != 0 ||
			    strcmp(check_name(m.d[k].check),
			    t->d[k].check) != 0 ||
			    m.d[k].dry_run != t->d[k].dry ||
			    m.d[k].n != t->d[k].n)
				fail_msg("%s: decision %zu is %s %s%s x%lu", t->name,
				    k, m.d[k].p->domain,
				    check_name(m.d[k].check),
				    m.d[k].dry_run ? " (dry run)" : "",
				    m.d[k].n);
		}
		if (m.n_d != k)
			fail_msg("%s: %zu decisions, want %zu", t->name, m.n_d,
			    k);
		p = policy_tally_policy(&m.tally, &c);
		(void)policy_tally_action(&m.tally, &dry);
		if (t->msg_policy == NULL)
			assert_null(p);
		else if (p == NULL || strcmp(p->domain, t->msg_policy) != 0 ||
		    strcmp(check_name(c), t->msg_check) != 0 ||
		    dry != t->msg_dry)
			fail_msg("%s: message under %s %s", t->name,
			    p != NULL ? p->domain : "-", check_name(c));
		if (m.rcpts != t->rcpts || m.exempt != t->exempt ||
		    m.unexempted != t->unexempted || m.unlisted != t->unlisted)
			fail_msg("%s: rcpts %lu exempt %lu unexempted %lu "
			    "unlisted %lu", t->name, m.rcpts, m.exempt,
			    m.unexempted, m.unlisted);
		if (m.generic_differs != t->generic_differs ||
		    m.allow_differs != t->allow_differs)
			fail_msg("%s: differs generic %d allow %d", t->name,
			    m.generic_differs, m.allow_differs);
	}
	replay_free(rp);
	config_free(cf);
}

/* DryRun yes: every decision in dry run, the message "(dry-run)" under
 * the most specific policy. */
static void
global_dry_run(void **state)
{
	char text[sizeof conf_b + 16];
	struct config *cf;
	struct replay *rp;
	struct replay_msg m;
	struct lp_line l;
	const struct policy *p;
	enum check_id c;
	char buf[4096];
	bool dry;

	(void)state;
	snprintf(text, sizeof text, "%sDryRun yes\n", conf_b);
	cf = load(text);
	rp = replay_new(cf);
	assert_non_null(rp);
	parse(cases[0].line, buf, sizeof buf, &l);
	assert_int_equal(replay_message(rp, &l, &m), REPLAY_DONE);
	assert_int_equal(m.n_d, 3);
	for (size_t k = 0; k < m.n_d; k++)
		assert_true(m.d[k].dry_run);
	assert_int_equal(policy_tally_action(&m.tally, &dry), ACTION_REJECT);
	assert_true(dry);
	p = policy_tally_policy(&m.tally, &c);
	assert_non_null(p);
	assert_string_equal(p->domain, "shadow.example");
	replay_free(rp);
	config_free(cf);
}

/* The report of a replayed log: the replayed decisions, not the logged
 * per-recipient lines; the replay's counts and what it cannot tell. */
static void
report_counts_the_replay(void **state)
{
	static const unsigned char key[16] = "replay-test-key!";
	struct config *cf = load(conf_b);
	struct report_opts o;
	struct report *r;
	char line[4096], *buf = NULL;
	size_t len = 0, i;
	FILE *fp;

	(void)state;
	memset(&o, 0, sizeof o);
	o.now = 1700000000;
	o.hash_key = key;
	o.replay = cf;
	o.replay_name = "b.conf";
	assert_non_null(r = report_new(&o));
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(line, sizeof line, "rdns-milter: Q%zu: %s", i,
		    cases[i].line);
		assert_int_equal(report_take(r, line, strlen(line)), 0);
	}
	/* A logged refusal that the replay does not make: not counted. */
	snprintf(line, sizeof line, "rdns-milter: Q1: reject: RCPT from "
	    "unknown[192.0.2.1]: 550 5.7.25 no; from=<a@b.example> "
	    "to=<c@d.example> helo=<h.example> policy=old.example check=ptr");
	assert_int_equal(report_take(r, line, strlen(line)), 0);
	assert_non_null(fp = open_memstream(&buf, &len));
	assert_int_equal(report_print(r, fp, true), 0);
	assert_int_equal(fclose(fp), 0);
	if (getenv("TEST_REPLAY_SHOW") != NULL)
		fputs(buf, stderr);
	assert_non_null(strstr(buf, "\"decision\": 1,"));
	assert_null(strstr(buf, "old.example"));
	assert_non_null(strstr(buf, "\"replay\": {\"config\": \"b.conf\", "
	    "\"messages\": 12, \"recipients\": 20, \"exempt\": 2, "
	    "\"exempt_when_logged\": 3,\n  \"trusted\": 1, "
	    "\"generic_differs\": 1, \"allowlisted_differs\": 1,"));
	assert_non_null(strstr(buf, "\"not_replayed\": {\"older_format\": 1, "
	    "\"dns_incomplete\": 1, \"garbage\": 6, \"unchecked\": 0, "
	    "\"unlisted_recipients\": 5, \"unlisted_in_messages\": 1}"));
	/* "Hostmaster" exempted no logged recipient. */
	assert_non_null(strstr(buf, "\"exempt_entries_unseen\": "
	    "[\"hostmaster\"]"));
	assert_non_null(strstr(buf, "\"cannot_tell\": [\n   \"the DNS"));
	assert_non_null(strstr(buf, "\"checked_messages\": 12,"));
	/* "*" ptr: 2 + 3 from the first line, from the client the MTA
	 * named h.example, and 1 from the "+N" one, whose client the MTA
	 * named "unknown": named by its address. */
	assert_non_null(strstr(buf, "{\"policy\": \"*\", \"checks\": [\n   "
	    "{\"check\": \"ptr\", \"refused\": {\"recipients\": 6, "
	    "\"messages\": 2}, \"would_refuse\": {\"recipients\": 0, "
	    "\"messages\": 0}, \"share_of_checked_messages\": 0.166667, "
	    "\"distinct_clients\": 2, \"top_clients\": [\n    {\"client\": "
	    "\"h.example\", \"ip\": \"192.0.2.11\", \"helo\": "
	    "\"client.example.net\", \"other_helos\": false, \"refused\": 5, "
	    "\"would_refuse\": 0},\n    {\"client\": \"192.0.2.11\", "
	    "\"ip\": \"192.0.2.11\", \"helo\": \"client.example.net\""));
	assert_non_null(strstr(buf, "{\"check\": \"generic\", \"refused\": "
	    "{\"recipients\": 2, \"messages\": 2}"));
	assert_non_null(strstr(buf, "{\"policy\": \"shadow.example\", "
	    "\"checks\": [\n   {\"check\": \"ptr\", \"refused\": "
	    "{\"recipients\": 0, \"messages\": 0}, \"would_refuse\": "
	    "{\"recipients\": 1, \"messages\": 0}"));
	free(buf);
	report_free(r);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_table),
		cmocka_unit_test(global_dry_run),
		cmocka_unit_test(report_counts_the_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
