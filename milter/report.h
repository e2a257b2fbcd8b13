/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.h - rdns-report's aggregation: log lines in, the report out.
 *
 * DESCRIPTION
 *	Each line goes through lp_parse() (logparse.h).  Per-recipient
 *	lines give recipients and clients per (policy, check, mode),
 *	summary lines give messages and the number of checked messages;
 *	every other line is counted by kind.  report_print() writes the
 *	text or JSON layout of rdns-report(1).  With a replay
 *	configuration (--replay), each summary line is decided again
 *	(replay.h) and gives the recipients, clients and messages itself;
 *	the logged per-recipient lines are only counted.
 *
 *	Any local user can write rdns-milter lines (logger(1)), so the
 *	input is hostile: report_take() does a bounded amount of work per
 *	line whatever the lines hold (policies and clients live in hash
 *	tables keyed with a secret key), and printing is O(n log n) in the
 *	number of distinct clients.  report_probes() counts that work for
 *	the tests.
 *
 * OWNERSHIP
 *	report_new() / report_free().  Strings are copied; the caller's
 *	lines may go once report_take() returns.
 *
 * THREAD SAFETY
 *	One report per thread (lp_parse() is not thread-safe either).
 */
#ifndef RDNS_REPORT_H
#define RDNS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Longer lines are counted as garbage (report_take_overlong()). */
#define REPORT_LINE_MAX	8192

/* What rdns-report's options select.  Field names are rdns-report's. */
struct report_opts {
	bool		 since_set, until_set;
	time_t		 since, until;	/* --since (inclusive), --until */
	const char	*only_policy;	/* --policy, or NULL */
	time_t		 now;		/* the year of RFC 3164 stamps */
	/* The hash tables' key (16 bytes), or NULL for a random one. */
	const unsigned char *hash_key;
	/* --replay: every summary line is decided again under this
	 * configuration (replay.h), whose file is replay_name, and the
	 * report counts those decisions instead of the logged ones; NULL:
	 * what was logged.  Both must outlive the report. */
	const struct config *replay;
	const char	*replay_name;
};

struct config;
struct report;

/** A new, empty report (opts is copied; only_policy must outlive it).
 * @return NULL when out of memory. */
struct report *report_new(const struct report_opts *opts);

void report_free(struct report *rep);

/**
 * Count one line[len] (no newline; need not be NUL-terminated).
 * @return 0, or -1 when out of memory (the line is not counted).
 */
int report_take(struct report *rep, const char *line, size_t len);

/** Count one line longer than REPORT_LINE_MAX as garbage. */
void report_take_overlong(struct report *rep);

/**
 * Print the report to fp, as text or (json) one JSON object.
 * @return 0, or -1 when out of memory.
 */
int report_print(struct report *rep, FILE *fp, bool json);

/** Lines counted so far. */
uint64_t report_lines(const struct report *rep);

/**
 * The work done so far: hash table slots and list entries examined.
 * The tests bound it per line.
 */
uint64_t report_probes(const struct report *rep);

#endif
