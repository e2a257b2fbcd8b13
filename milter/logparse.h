/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logparse.h - parse one rdns-milter log line (for rdns-report).
 *
 * DESCRIPTION
 *	Recognises the two decision grammars of rdns-milter(8): the
 *	per-message summary line ("QID: ip=... action=... policy=...
 *	check=... rcpts=N ms=N") and the per-recipient line ("QID:
 *	reject: RCPT from HOST[IP]: 550 5.7.25 TEXT; from=<F> to=<T>
 *	helo=<H> policy=D check=C"), behind any of these prefixes:
 *
 *	  "2024-03-05T12:34:56[.frac][Z|+hh:mm|+hhmm] host rdns-milter[pid]: "
 *	  "Mar  5 12:34:56 host rdns-milter[pid]: "   (RFC 3164, no year)
 *	  "rdns-milter: "                              (rdns-milter -f)
 *	  ""                                           (journalctl -o cat)
 *
 *	A line whose prefix names another program is LP_OTHER.  Summary
 *	keys are read as key=value words in any order, so keys added later
 *	are ignored; those a replay needs are kept (domains=, exempt=, the
 *	verdicts under the check table's log keys, checks.h: a summary line
 *	without domains= cannot be replayed).  A summary line without
 *	policy= (an older version) is LP_OLD; a line that is ours but
 *	matches neither grammar (cut short, garbage) is LP_GARBAGE; our
 *	other lines (start-up, reload) are LP_INFO.  A decision's check= must
 *	name a check of the table (not "none").
 *
 * OWNERSHIP
 *	Spans point into the caller's line; nothing is allocated.
 *
 * THREAD SAFETY
 *	Not thread-safe: time stamps go through a one-entry cache of the
 *	hour last converted (static), which lp_parse(), lp_parse_time() and
 *	lp_parse_when() share.  Use them from one thread (rdns-report does).
 */
#ifndef RDNS_LOGPARSE_H
#define RDNS_LOGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "checks.h"

enum lp_kind {
	LP_OTHER = 0,	/* another program's line */
	LP_GARBAGE,	/* ours (or unprefixed) but not parseable */
	LP_INFO,	/* ours, not a decision line */
	LP_OLD,		/* summary of an older version (no policy=) */
	LP_UNCHECKED,	/* summary of a trusted/authenticated/error client */
	LP_SUMMARY,	/* per-message summary */
	LP_RCPT,	/* per-recipient decision */
};

struct lp_span {
	const char	*p;
	size_t		 n;
};

struct lp_line {
	enum lp_kind	 kind;
	bool		 have_time;
	time_t		 time;		/* UTC seconds */
	struct lp_span	 qid;
	struct lp_span	 ip;
	struct lp_span	 helo;		/* "" when none */
	struct lp_span	 policy;	/* "-" on a summary: none refused */
	struct lp_span	 check;
	bool		 refused;	/* summary: action reject/tempfail;
					   rcpt: always */
	bool		 dry_run;	/* "(dry-run)" */
	bool		 tempfail;	/* tempfail rather than reject */
	/* summary */
	struct lp_span	 name;		/* verified name or "-" */
	unsigned long	 rcpts;
	/* The verdicts and the other inputs of a decision (rdns-milter(8)
	 * LOGGING), for rdns-report --replay: each the value as logged,
	 * empty when the line lacks the key (an older version).  result[id]
	 * is check id's, under its log_key (checks.h). */
	struct lp_span	 result[CHECK_ID_N];
	struct lp_span	 generic_rule;
	struct lp_span	 helo_fwd, helo_aligned, allowlisted;
	struct lp_span	 domains, exempt;	/* rcptlist.h */
	struct lp_span	 client;	/* "host[ip]" */
	struct lp_span	 dns;		/* "incomplete", "resolver-error" */
	/* per-recipient */
	struct lp_span	 host;		/* MTA's name or "unknown" */
	struct lp_span	 from;
	struct lp_span	 to;
};

/**
 * Parse line[len] (no newline; need not be NUL-terminated).  now and
 * local-time conversion give the year of RFC 3164 stamps: the current
 * one, or the one before if that would put the line more than a day in
 * the future.  ISO stamps without an offset, and RFC 3164 stamps, are
 * local time.
 * @return the kind (also in out->kind).
 */
enum lp_kind lp_parse(const char *line, size_t len, time_t now,
    struct lp_line *out);

/** True if the span equals the NUL-terminated string s. */
bool lp_eq(struct lp_span sp, const char *s);

/**
 * Parse a --since/--until argument: "YYYY-MM-DD", "YYYY-MM-DD HH:MM",
 * "YYYY-MM-DD HH:MM:SS" (or with "T"), optionally followed by "Z" or
 * an offset "+hh:mm", or "@EPOCH".  Without an offset: local time.
 * @return 0, or -1 if not understood.
 */
int lp_parse_time(const char *s, time_t *out);

/**
 * lp_parse_time(), or a time relative to now, as journalctl takes it
 * (systemd.time(7)): "now"; "today", "yesterday", "tomorrow" (local
 * midnight); "-SPAN" or "SPAN ago" (before now), "+SPAN" (after), SPAN
 * being one or more NUMBER UNIT ("7d", "12h", "30m", "1h30m",
 * "2 days"), units s, sec, m, min, h, hr, d, day, w, week and their
 * plurals; at most ten years.
 * @return 0, or -1 if not understood.
 */
int lp_parse_when(const char *s, time_t now, time_t *out);

#endif
