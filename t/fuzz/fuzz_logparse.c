/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_logparse.c - libFuzzer target: rdns-report's line parser
 * (lp_parse) on any bytes, and lp_parse_time and lp_parse_when (the
 * relative times of --since/--until) on the same bytes as a string.
 *
 * Checked: the parser never reads outside the line (ASan: the input is
 * copied into an exact-size buffer, no NUL after it), every span it
 * returns lies inside the line, a decision line has its policy and
 * check, and a per-recipient line's envelope values hold no '<', '>' or
 * space (rdns-milter(8)).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "logparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(struct lp_span s, const char *line, size_t len)
{
	if (s.n == 0)
		return;
	FUZZ_ASSERT(s.p >= line && s.p + s.n <= line + len);
}

static void
no_delims(struct lp_span s)
{
	if (s.n == 0)
		return;
	FUZZ_ASSERT(memchr(s.p, '<', s.n) == NULL);
	FUZZ_ASSERT(memchr(s.p, '>', s.n) == NULL);
	FUZZ_ASSERT(memchr(s.p, ' ', s.n) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_line l;
	char *line, *str;
	time_t t;

	if ((line = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	(void)lp_parse(line, size, 1700000000, &l);
	inside(l.qid, line, size);
	inside(l.ip, line, size);
	inside(l.helo, line, size);
	inside(l.policy, line, size);
	inside(l.check, line, size);
	inside(l.name, line, size);
	inside(l.host, line, size);
	inside(l.from, line, size);
	inside(l.to, line, size);
	if (l.kind == LP_SUMMARY || l.kind == LP_RCPT) {
		FUZZ_ASSERT(l.policy.n > 0 && l.check.n > 0);
		FUZZ_ASSERT(l.ip.n > 0);
	}
	if (l.kind == LP_RCPT) {
		FUZZ_ASSERT(l.refused);
		/* The grammar of rdns-milter(8): no delimiter inside. */
		no_delims(l.from);
		no_delims(l.to);
		no_delims(l.helo);
	}
	free(line);

	if ((str = malloc(size + 1)) == NULL)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	(void)lp_parse_time(str, &t);
	/* A relative time is within ten years of now; "now" is now. */
	if (lp_parse_when(str, (time_t)1709634030, &t) == 0 &&
	    (str[0] == '-' || str[0] == '+'))
		FUZZ_ASSERT(t >= (time_t)1709634030 - 3700LL * 86400 &&
		    t <= (time_t)1709634030 + 3700LL * 86400);
	free(str);
	return 0;
}
