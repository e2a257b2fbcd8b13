/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_time.c - the times rdns-report's --since and --until take
 * (lp_parse_when(), logparse.c): absolute ones, and relative ones against
 * a fixed "now", in UTC and in a zone with daylight saving time.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "logparse.h"
#include "test_util.h"

/* Tue 2024-03-05 10:20:30 UTC */
#define NOW	((time_t)1709634030)

static void
set_tz(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

struct when_case {
	const char	*in;
	long long	 want;		/* epoch seconds (not if bad) */
	bool		 bad;
};

static void
run_cases(const struct when_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		time_t got = 12345;
		int rc = lp_parse_when(c[i].in, NOW, &got);

		if (c[i].bad) {
			WANT_INT(i, c[i].in, rc, -1);
			continue;
		}
		WANT_INT(i, c[i].in, rc, 0);
		WANT_INT(i, c[i].in, (long long)got, c[i].want);
	}
}

static void
relative_times_utc(void **state)
{
	static const struct when_case c[] = {
		{ "now", 1709634030, false },
		{ "-7d", 1709634030 - 7 * 86400, false },
		{ "-12h", 1709634030 - 12 * 3600, false },
		{ "-30m", 1709634030 - 30 * 60, false },
		{ "-45s", 1709634030 - 45, false },
		{ "-2w", 1709634030 - 14 * 86400, false },
		{ "-1h30m", 1709634030 - 5400, false },
		{ "-1d 12h", 1709634030 - 36 * 3600, false },
		{ "-2 days", 1709634030 - 2 * 86400, false },
		{ "-90min", 1709634030 - 5400, false },
		{ "+1h", 1709634030 + 3600, false },
		{ "7d ago", 1709634030 - 7 * 86400, false },
		{ "3 hours ago", 1709634030 - 3 * 3600, false },
		/* 2024-03-05 00:00Z */
		{ "today", 1709596800, false },
		{ "yesterday", 1709596800 - 86400, false },
		{ "tomorrow", 1709596800 + 86400, false },
		/* Absolute times still work. */
		{ "2024-03-01", 1709251200, false },
		{ "2024-03-01T10:00:00Z", 1709287200, false },
		{ "@1709634030", 1709634030, false },
		/* Not understood. */
		{ "-7", 0, true },		/* no unit */
		{ "-d", 0, true },
		{ "-", 0, true },
		{ "-7x", 0, true },
		{ "-7M", 0, true },		/* months: not taken */
		{ "-7d-", 0, true },
		{ "- 7d", 0, true },
		{ "ago", 0, true },
		{ " ago", 0, true },
		{ "7dago", 0, true },
		{ "Today", 0, true },
		{ "-99999999999d", 0, true },	/* over ten years */
		{ "-3700d", 0, true },
		{ "", 0, true },
	};

	(void)state;
	set_tz("UTC");
	run_cases(c, NELEM(c));
}

/* Local midnight in a zone with daylight saving time (a POSIX TZ rule:
 * no time zone database needed).  2024-03-31 is the day CET goes to
 * CEST: that day has 23 hours. */
static void
relative_days_local(void **state)
{
	static const struct when_case c[] = {
		/* 10:20:30Z is 11:20:30 CET: midnight is 23:00Z before. */
		{ "today", 1709596800 - 3600, false },
		{ "yesterday", 1709596800 - 3600 - 86400, false },
		{ "-7d", 1709634030 - 7 * 86400, false },
	};
	static const struct when_case dst[] = {
		/* now = 2024-04-01 10:00Z (12:00 CEST). */
		/* 2024-03-31 22:00Z, 2024-03-30 23:00Z */
		{ "today", 1711922400, false },
		{ "yesterday", 1711839600, false },
	};
	size_t i;

	(void)state;
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	run_cases(c, NELEM(c));
	for (i = 0; i < NELEM(dst); i++) {
		time_t got = 0;

		WANT_INT(i, dst[i].in, lp_parse_when(dst[i].in,
		    (time_t)1711965600, &got), 0);
		WANT_INT(i, dst[i].in, (long long)got, dst[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relative_times_utc),
		cmocka_unit_test(relative_days_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
