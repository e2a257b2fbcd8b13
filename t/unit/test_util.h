/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_util.h - helpers shared by the table-driven unit tests.
 */
#ifndef RDNS_TEST_UTIL_H
#define RDNS_TEST_UTIL_H

#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct rdns_ip;

/**
 * The address written s (dname_parse_ip()); fails the running cmocka
 * test if s is not one.  In test_util.c: link it where this is used.
 */
struct rdns_ip test_util_ip(const char *s);

/* Show the failing table row (index i, input in) with got and want
 * before cmocka's own message. */
#define WANT_INT(i, in, got, want) do {					\
	if ((long)(got) != (long)(want))				\
		fail_msg("case %zu (%s): %s = %ld, want %ld", (i),	\
		    (in), #got, (long)(got), (long)(want));		\
} while (0)
#define WANT_STR(i, in, got, want) do {					\
	if (strcmp((got), (want)) != 0)					\
		fail_msg("case %zu (%s): %s = \"%s\", want \"%s\"",	\
		    (i), (in), #got, (got), (want));			\
} while (0)

#endif
