/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_rcptlist.c - the summary line's domains= and exempt= (rcptlist.c,
 * rdns-milter(8) LOGGING): counts, the caps and "+N", hostile bytes (no
 * value holds a space, '=', or a separator of its own), the reader on
 * what the writer writes and on what it never writes, and the property
 * the replay rests on: the logged form of a domain gets the Policy line
 * the domain itself gets.
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
#include "rcptlist.h"
#include "strbuf.h"

/* The two values, " domains=D exempt=E", of rl. */
static const char *
formatted(const struct rcptlist *rl)
{
	static char buf[2 * RCPTLIST_VALUE_MAX + 64];
	struct strbuf sb;

	strbuf_init(&sb, buf, sizeof buf);
	rcptlist_format(rl, &sb);
	assert_false(strbuf_overflow(&sb));
	return buf;
}

/* The entries of a value as "name*n" words joined by " ", "+n" for the
 * unlisted; "ERR" when the reader refuses it. */
static const char *
read_back(const char *v, bool exempt)
{
	static char out[4096];
	struct rcptlist_entry e;
	size_t pos = 0, o = 0;
	int rc;

	out[0] = '\0';
	while ((rc = rcptlist_next(v, strlen(v), exempt, &pos, &e)) == 1) {
		if (e.more)
			o += (size_t)snprintf(out + o, sizeof out - o, "%s+%lu",
			    o > 0 ? " " : "", e.n);
		else if (exempt)
			o += (size_t)snprintf(out + o, sizeof out - o,
			    "%s%.*s|%.*s*%lu", o > 0 ? " " : "",
			    (int)e.local_n, e.local, (int)e.domain_n, e.domain,
			    e.n);
		else
			o += (size_t)snprintf(out + o, sizeof out - o,
			    "%s%.*s*%lu", o > 0 ? " " : "", (int)e.domain_n,
			    e.domain, e.n);
		assert_true(o < sizeof out);
	}
	if (rc == -1)
		return "ERR";
	return out;
}

static void
counts_and_order_kept(void **state)
{
	struct rcptlist rl;

	(void)state;
	rcptlist_reset(&rl);
	assert_true(rcptlist_empty(&rl));
	assert_string_equal(formatted(&rl), " domains=- exempt=-");
	rcptlist_add(&rl, NULL, "example.org");
	rcptlist_add(&rl, NULL, "example.net");
	rcptlist_add(&rl, "postmaster", "example.org");
	rcptlist_add(&rl, NULL, "example.org");
	rcptlist_add(&rl, "postmaster", "example.org");
	rcptlist_add(&rl, "abuse", "");
	assert_false(rcptlist_empty(&rl));
	assert_int_equal(rcptlist_count(&rl), 6);
	assert_string_equal(formatted(&rl), " domains=example.org*2,"
	    "example.net exempt=postmaster@example.org*2,abuse@.");
	assert_string_equal(read_back("example.org*2,example.net", false),
	    "example.org*2 example.net*1");
	assert_string_equal(read_back("postmaster@example.org*2,abuse@.",
	    true), "postmaster|example.org*2 abuse|.*1");
	assert_string_equal(read_back("-", false), "");
	rcptlist_reset(&rl);
	assert_int_equal(rcptlist_count(&rl), 0);
}

/* No value holds a space, '=', or a ',' '*' '+' '@' of a recipient's. */
static void
hostile_bytes_become_question_marks(void **state)
{
	struct rcptlist rl;
	const char *v;

	(void)state;
	rcptlist_reset(&rl);
	rcptlist_add(&rl, NULL, "a b=c,d*2+e@f\001\377.example");
	rcptlist_add(&rl, NULL, "UPPER.Example");
	rcptlist_add(&rl, NULL, "-");
	rcptlist_add(&rl, NULL, "under_score.example");
	rcptlist_add(&rl, "a=b*c", "x.example");
	v = formatted(&rl);
	assert_string_equal(v, " domains=a?b?c?d?2?e?f??.example,"
	    "upper.example,?,under_score.example exempt=a?b*c@x.example");
	assert_string_equal(read_back("a?b?c?d?2?e?f??.example,upper.example,"
	    "?,under_score.example", false), "a?b?c?d?2?e?f??.example*1 "
	    "upper.example*1 ?*1 under_score.example*1");
	/* A '*' in a local part is not a count; the domain's is. */
	assert_string_equal(read_back("a?b*c@x.example*3", true),
	    "a?b*c|x.example*3");
	assert_string_equal(read_back("a?b*c@x.example", true),
	    "a?b*c|x.example*1");
}

/* 16 names, 1024 bytes of them, a domain of 255 bytes and a local part of
 * 64: past that, "+N". */
static void
caps_count_the_rest(void **state)
{
	struct rcptlist rl;
	char d[300], local[80];
	const char *v;
	int i;

	(void)state;
	rcptlist_reset(&rl);
	for (i = 0; i < 20; i++) {
		snprintf(d, sizeof d, "d%02d.example", i);
		rcptlist_add(&rl, NULL, d);
		rcptlist_add(&rl, NULL, d);
	}
	v = formatted(&rl);
	assert_non_null(strstr(v, ",d15.example*2,+8 exempt=-"));
	assert_null(strstr(v, "d16"));
	assert_int_equal(rcptlist_count(&rl), 40);

	/* Bytes: four 250-byte domains fit (1000), the fifth does not. */
	rcptlist_reset(&rl);
	for (i = 0; i < 5; i++) {
		memset(d, 'a' + i, 250);
		d[250] = '\0';
		rcptlist_add(&rl, NULL, d);
	}
	v = formatted(&rl);
	assert_non_null(strstr(v, ",+1 exempt=-"));
	assert_null(strstr(v, "eeee"));

	/* A domain of 256 bytes, a local part of 65: never listed. */
	rcptlist_reset(&rl);
	memset(d, 'a', 256);
	d[256] = '\0';
	rcptlist_add(&rl, NULL, d);
	d[255] = '\0';
	rcptlist_add(&rl, NULL, d);
	memset(local, 'l', 65);
	local[65] = '\0';
	rcptlist_add(&rl, local, "example.org");
	local[64] = '\0';
	rcptlist_add(&rl, local, "example.org");
	v = formatted(&rl);
	assert_non_null(strstr(v, " domains=aaa"));
	assert_non_null(strstr(v, "aaa,+1 exempt=lll"));
	assert_non_null(strstr(v, "@example.org,+1"));
	assert_true(strlen(strstr(v, " exempt=")) ==
	    strlen(" exempt=") + 64 + strlen("@example.org,+1"));

	/* The longest values fit RCPTLIST_VALUE_MAX. */
	rcptlist_reset(&rl);
	for (i = 0; i < 16; i++) {
		memset(d, 'a' + i, 63);
		d[63] = '\0';
		for (int k = 0; k < 5; k++)
			rcptlist_add(&rl, NULL, d);
	}
	for (i = 0; i < 1000; i++)
		rcptlist_add(&rl, NULL, "over.example");
	v = formatted(&rl);
	assert_true(strlen(v) < 2 * RCPTLIST_VALUE_MAX);
	assert_non_null(strstr(v, ",+1000 exempt=-"));
}

/* What the writer never writes, the reader refuses. */
static void
reader_refuses_what_is_not_written(void **state)
{
	static const struct {
		const char	*v;
		bool		 exempt;
	} bad[] = {
		{ "", false }, { ",", false }, { "a.example,", false },
		{ ",a.example", false }, { "a.example,,b.example", false },
		{ "a.example*1", false }, { "a.example*01", false },
		{ "a.example*", false }, { "a.example*x", false },
		{ "a.example*12345678901", false }, { "+0", false },
		{ "+1,a.example", false }, { "+", false },
		{ "A.example", false }, { "a example", false },
		{ "a=b.example", false }, { "a@b.example", false },
		{ "-,a.example", false }, { "-*2", false },
		{ "postmaster", true }, { "@example.org", true },
		{ "Postmaster@example.org", true }, { "pm@", true },
		{ "p=m@example.org", true }, { "p m@example.org", true },
		{ "pm@EXAMPLE.org", true }, { "pm@example.org*1", true },
		{ "pm@example.org,+2,+1", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (strcmp(read_back(bad[i].v, bad[i].exempt), "ERR") != 0)
			fail_msg("accepted %s=\"%s\"", bad[i].exempt ?
			    "exempt" : "domains", bad[i].v);
	}
	assert_string_equal(read_back("a.example,+3", false), "a.example*1 +3");
	assert_string_equal(read_back("+3", true), "+3");
	assert_string_equal(read_back("+x@example.org", true),
	    "+x|example.org*1");
}

/* The logged form of a domain gets the Policy line the domain gets
 * (config_policy_for()), whatever bytes it holds: checked on random
 * domains from an alphabet of policy letters and hostile bytes. */
static void
logged_domain_gets_the_same_policy(void **state)
{
	static const char cfg[] =
	    "Policy * ptr=reject\n"
	    "Policy a.example ptr=reject iprev=reject\n"
	    "Policy .a.example generic=reject\n"
	    "Policy .b-c.a.example helo=reject\n"
	    "Policy x_y.example generic=tempfail\n"
	    "Policy .example iprev=tempfail\n";
	static const char alpha[] = "abcxy-._.aexample..A\001 =,*+@?\377";
	struct config *cf;
	struct rcptlist rl;
	struct rcptlist_entry e;
	char d[40], logged[RCPTLIST_DOMAIN_MAX + 1];
	const char *v;
	uint32_t x = 2463534242u;
	size_t pos, i, n;
	int k, trial;

	(void)state;
	cf = config_load_string("t.conf", cfg, NULL, NULL);
	assert_non_null(cf);
	for (trial = 0; trial < 20000; trial++) {
		/* xorshift32 */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = x % 14;
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			d[i] = alpha[x % (sizeof alpha - 1)];
		}
		d[n] = '\0';
		/* Suffixes the policies know, now and then. */
		if (trial % 3 == 0)
			strcat(d, trial % 2 ? ".a.example" : "a.example");
		if (trial % 7 == 0)
			strcat(d, ".");
		/* policy_split_recipient() lower-cases; so does the
		 * milter's input here. */
		for (k = 0; d[k] != '\0'; k++)
			d[k] = ascii_lower(d[k]);
		rcptlist_reset(&rl);
		rcptlist_add(&rl, NULL, d);
		v = strstr(formatted(&rl), " domains=") + strlen(" domains=");
		n = (size_t)(strchr(v, ' ') - v);
		pos = 0;
		assert_int_equal(rcptlist_next(v, n, false, &pos, &e), 1);
		memcpy(logged, e.domain, e.domain_n);
		logged[e.domain_n] = '\0';
		if (config_policy_for(cf, d) != config_policy_for(cf, logged))
			fail_msg("\"%s\" logged as \"%s\" gets another policy",
			    d, logged);
	}
	config_free(cf);
}

static void
local_form_as_logged(void **state)
{
	char buf[RCPTLIST_LOCAL_MAX + 1];

	(void)state;
	rcptlist_local_form(buf, sizeof buf, "PostMaster");
	assert_string_equal(buf, "postmaster");
	rcptlist_local_form(buf, sizeof buf, "a=b,c@d e");
	assert_string_equal(buf, "a?b?c?d?e");
	rcptlist_local_form(buf, 4, "abcd");
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_and_order_kept),
		cmocka_unit_test(hostile_bytes_become_question_marks),
		cmocka_unit_test(caps_count_the_rest),
		cmocka_unit_test(reader_refuses_what_is_not_written),
		cmocka_unit_test(logged_domain_gets_the_same_policy),
		cmocka_unit_test(local_form_as_logged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
