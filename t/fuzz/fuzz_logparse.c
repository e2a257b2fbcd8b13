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
 * space (rdns-milter(8)).  A summary line's domains= and exempt= are read
 * with rcptlist_next() (what rdns-report --replay does): every entry lies
 * inside its value.
 *
 * The same bytes, split at newlines, are also a message's recipients
 * ("local@domain" exempt, else a domain) for rcptlist.c, the writer of
 * those two values: what it writes holds no space or '=', stays within
 * RCPTLIST_VALUE_MAX and RCPTLIST_ITEMS, and reads back to as many
 * recipients as were added.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "logparse.h"
#include "rcptlist.h"
#include "strbuf.h"

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

/* Read a logged list; every entry inside it.  @return recipients, or
 * -1 if the reader refused the value. */
static long
read_list(struct lp_span v, bool exempt)
{
	struct rcptlist_entry e;
	size_t pos = 0;
	long n = 0;
	int rc;

	while ((rc = rcptlist_next(v.p, v.n, exempt, &pos, &e)) == 1) {
		FUZZ_ASSERT(pos <= v.n);
		if (!e.more) {
			inside((struct lp_span){ e.domain, e.domain_n }, v.p,
			    v.n);
			FUZZ_ASSERT(e.domain_n > 0);
			if (exempt)
				inside((struct lp_span){ e.local, e.local_n },
				    v.p, v.n);
		}
		FUZZ_ASSERT(e.n >= 1);
		n += (long)e.n;
	}
	return rc == 0 ? n : -1;
}

/* The input as recipients, through the writer and back. */
static void
recipients(const uint8_t *data, size_t size)
{
	static char out[2 * RCPTLIST_VALUE_MAX + 64];
	struct rcptlist rl;
	struct strbuf sb;
	const char *p = (const char *)data, *end = p + size, *nl, *at;
	char piece[600], *v, *sp;
	unsigned long added = 0;
	long got;
	size_t n;

	rcptlist_reset(&rl);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= sizeof piece || memchr(p, '\0', n) != NULL)
			continue;
		memcpy(piece, p, n);
		piece[n] = '\0';
		str_lower(piece);
		if ((at = strrchr(piece, '@')) != NULL) {
			piece[at - piece] = '\0';
			rcptlist_add(&rl, piece[0] != '\0' ? piece : "x",
			    at + 1);
		} else
			rcptlist_add(&rl, NULL, piece);
		added++;
	}
	FUZZ_ASSERT(rcptlist_count(&rl) == added);
	strbuf_init(&sb, out, sizeof out);
	rcptlist_format(&rl, &sb);
	FUZZ_ASSERT(!strbuf_overflow(&sb));
	/* " domains=D exempt=E": no other space, no other '='. */
	FUZZ_ASSERT(strncmp(out, " domains=", 9) == 0);
	v = out + 9;
	sp = strchr(v, ' ');
	FUZZ_ASSERT(sp != NULL && strncmp(sp, " exempt=", 8) == 0);
	FUZZ_ASSERT((size_t)(sp - v) < RCPTLIST_VALUE_MAX);
	FUZZ_ASSERT(memchr(v, '=', (size_t)(sp - v)) == NULL);
	got = read_list((struct lp_span){ v, (size_t)(sp - v) }, false);
	FUZZ_ASSERT(got >= 0);
	v = sp + 8;
	FUZZ_ASSERT(strchr(v, ' ') == NULL && strchr(v, '=') == NULL);
	FUZZ_ASSERT(strlen(v) < RCPTLIST_VALUE_MAX);
	FUZZ_ASSERT(read_list((struct lp_span){ v, strlen(v) }, true) >= 0);
	got += read_list((struct lp_span){ v, strlen(v) }, true);
	FUZZ_ASSERT((unsigned long)got == added);
	FUZZ_ASSERT(rl.domains.n_items <= RCPTLIST_ITEMS &&
	    rl.exempt.n_items <= RCPTLIST_ITEMS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_line l;
	char *line, *str;
	time_t t;
	int i;

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
	for (i = 0; i < CHECK_ID_N; i++)
		inside(l.result[i], line, size);
	inside(l.generic_rule, line, size);
	inside(l.helo_fwd, line, size);
	inside(l.helo_aligned, line, size);
	inside(l.allowlisted, line, size);
	inside(l.domains, line, size);
	inside(l.exempt, line, size);
	inside(l.client, line, size);
	inside(l.dns, line, size);
	if (l.kind == LP_SUMMARY) {
		/* No space in a key's value: words are split at spaces. */
		FUZZ_ASSERT(l.domains.n == 0 ||
		    memchr(l.domains.p, ' ', l.domains.n) == NULL);
		(void)read_list(l.domains, false);
		(void)read_list(l.exempt, true);
	}
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
	recipients(data, size);

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
