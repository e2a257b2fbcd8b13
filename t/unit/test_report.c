/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report.c - unit tests for milter/report.c, rdns-report's
 * aggregation: the counts of a small log, the work per line on logs
 * written to hurt it (any local user can write rdns-milter lines with
 * logger(1)), and SipHash-2-4, the tables' hash.  Work is counted
 * (report_probes(): hash table slots and list entries examined), never
 * timed.
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

#include "report.h"
#include "siphash.h"

/* Lines of the hostile logs: enough that n^2 work is 100 times n. */
#define HOSTILE_LINES	20000
/* Work allowed per line, on average, taking the lines and printing. */
#define PROBES_PER_LINE	8

static const unsigned char test_key[16] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
};

static struct report *
new_report(void)
{
	struct report_opts o;
	struct report *r;

	memset(&o, 0, sizeof o);
	o.now = 1700000000;
	o.hash_key = test_key;
	r = report_new(&o);
	assert_non_null(r);
	return r;
}

static void
take(struct report *r, const char *line)
{
	assert_int_equal(report_take(r, line, strlen(line)), 0);
}

/* The report as text (json false) or JSON, NUL-terminated, to free(). */
static char *
printed(struct report *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(report_print(r, fp, json), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* How often needle occurs in s. */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void
rcpt_line(char *buf, size_t size, const char *host, unsigned ip,
    const char *policy)
{
	int n = snprintf(buf, size, "rdns-milter: Q%u: reject: RCPT from "
	    "%s[10.%u.%u.%u]: 550 5.7.25 no; from=<a@b.example> "
	    "to=<c@d.example> helo=<h.example> policy=%s check=ptr", ip,
	    host, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, policy);

	assert_true(n > 0 && (size_t)n < size);
}

static void
small_log_counted(void **state)
{
	struct report *r = new_report();
	char *out;

	(void)state;
	take(r, "rdns-milter: Q1: ip=192.0.2.1 ptr=fail iprev=permerror "
	    "name=- helo=x.example x-ptr=fail generic=no action=reject "
	    "policy=example.com check=ptr rcpts=1 ms=3");
	take(r, "rdns-milter: Q1: reject: RCPT from unknown[192.0.2.1]: 550 "
	    "5.7.25 no; from=<a@b.example> to=<u@example.com> "
	    "helo=<x.example> policy=example.com check=ptr");
	take(r, "rdns-milter: Q2: ip=192.0.2.2 ptr=pass iprev=pass "
	    "name=m.example helo=m.example x-ptr=pass generic=no "
	    "action=accept policy=- check=- rcpts=0 ms=3");
	take(r, "postfix/smtpd[1]: connect from unknown[192.0.2.1]");
	take(r, "rdns-milter: rdns-milter 0.1.0 starting on unix:/x");
	take(r, "rdns-milter: Q3: ip=192.0.2.3 action=reject");
	report_take_overlong(r);
	assert_int_equal(report_lines(r), 7);
	out = printed(r, false);
	assert_non_null(strstr(out, "lines read: 7 (summary 2, per-recipient "
	    "1, unchecked clients 0)\n"));
	assert_non_null(strstr(out, "skipped: 1 other programs, 1 other "
	    "rdns-milter, 0 older format, 2 garbage, 0 out of range, "
	    "0 undated\n"));
	assert_non_null(strstr(out, "\npolicy example.com check ptr\n"
	    "  refused:               1 recipients        1 messages\n"));
	assert_non_null(strstr(out, "192.0.2.1"));
	free(out);
	report_free(r);
}

/* The reference vectors of the SipHash paper (key 00..0f, message 00..). */
static void
siphash24_reference_vectors(void **state)
{
	unsigned char m[15];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof m; i++)
		m[i] = (unsigned char)i;
	assert_true(siphash24(m, 0, test_key) == 0x726fdb47dd0e0e31ULL);
	assert_true(siphash24(m, 8, test_key) == 0x93f5f5799a932462ULL);
	assert_true(siphash24(m, 15, test_key) == 0xa129ca6149be45e5ULL);
}

/*
 * 20,000 distinct policy names, one client each: a linear list of
 * policies costs 200 million comparisons; a table about 2 per line.  The
 * output lists every policy with its one client.
 */
static void
distinct_policies_linear(void **state)
{
	struct report *r = new_report();
	char line[512], pol[64];
	uint64_t taken;
	unsigned i;
	char *out;

	(void)state;
	for (i = 0; i < HOSTILE_LINES; i++) {
		snprintf(pol, sizeof pol, "p%u.example", i);
		rcpt_line(line, sizeof line, "unknown", i, pol);
		take(r, line);
	}
	taken = report_probes(r);
	print_message("# probes: %llu taking %d lines\n",
	    (unsigned long long)taken, HOSTILE_LINES);
	assert_true(taken <= (uint64_t)PROBES_PER_LINE * HOSTILE_LINES);
	out = printed(r, false);
	print_message("# probes: %llu after printing\n",
	    (unsigned long long)report_probes(r));
	assert_true(report_probes(r) <=
	    (uint64_t)2 * PROBES_PER_LINE * HOSTILE_LINES);
	assert_int_equal(count(out, "\npolicy p"), HOSTILE_LINES);
	assert_non_null(strstr(out, "\npolicy p19999.example check ptr\n"));
	free(out);
	out = printed(r, true);
	assert_int_equal(count(out, "{\"policy\": \"p"), HOSTILE_LINES);
	free(out);
	report_free(r);
}

/* 20,000 distinct clients under one policy: the top 20 are printed, all
 * are counted. */
static void
distinct_clients_linear(void **state)
{
	struct report *r = new_report();
	char line[512], host[64];
	unsigned i;
	char *out;

	(void)state;
	for (i = 0; i < HOSTILE_LINES; i++) {
		snprintf(host, sizeof host, "c%u.example", i);
		rcpt_line(line, sizeof line, host, i, "*");
		take(r, line);
	}
	assert_true(report_probes(r) <=
	    (uint64_t)PROBES_PER_LINE * HOSTILE_LINES);
	out = printed(r, false);
	assert_true(report_probes(r) <=
	    (uint64_t)2 * PROBES_PER_LINE * HOSTILE_LINES);
	assert_non_null(strstr(out, "  clients: 20000 distinct;"));
	assert_int_equal(count(out, ".example   "), 20);
	free(out);
	report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(siphash24_reference_vectors),
		cmocka_unit_test(small_log_counted),
		cmocka_unit_test(distinct_policies_linear),
		cmocka_unit_test(distinct_clients_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
