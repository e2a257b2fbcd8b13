/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdns-check.h - what rdns-check.c (options, one address) and
 * rdns-check-many.c (ranges, lists, domains) share; not for other
 * programs.
 *
 * DESCRIPTION
 *	rdns-check.c parses the command line into struct args, loads the
 *	configuration and checks one address itself; a range, a list or a
 *	domain goes to rdns_check_many(), which runs many check sessions
 *	through audit.h and prints through rdns_check_print_json() and
 *	rdns_check_exit_status().
 *
 * OWNERSHIP
 *	struct args points into argv and is rdns-check.c's; cf is the
 *	caller's for the whole call.  Output goes to stdout, messages to
 *	stderr.
 *
 * THREAD SAFETY
 *	Called from the program's main thread only; the lookups' callbacks
 *	run in the resolver thread (audit.h).
 */
#ifndef RDNS_CHECK_PROG_H
#define RDNS_CHECK_PROG_H

#include <stdbool.h>
#include <stdint.h>

#include "checks.h"
#include "cidr.h"
#include "conf.h"

/* Exit status (SPEC 5, rdns-check(1) EXIT STATUS). */
#define EX_OK_		0
#define EX_FAILED	1
#define EX_TEMP		2
#define EX_USAGE_	64
#define EX_CONFIG_	78

/* Addresses in a range at most, unless --max says otherwise: a /16 or
 * a /112. */
#define RANGE_MAX_DEFAULT	65536ULL
/* --max at most: an IPv4 /0 or an IPv6 /96. */
#define RANGE_MAX_LIMIT		4294967296ULL
/* -P default. */
#define PARALLEL_DEFAULT	64

/* The command line. */
struct args {
	const char	*cfile;		/* -c, or NULL */
	double		 timeout;	/* -t, or -1: DNSTimeout */
	bool		 json;		/* -j */
	unsigned	 parallel;	/* -P */
	uint64_t	 max;		/* --max */
	const char	*file;		/* -f, or NULL */
	const char	*domain;	/* -d, or NULL */
	const char	*ip;		/* IP or CIDR, or NULL */
	const char	*helo;		/* or NULL */
	bool		 range;		/* ip is a CIDR range: */
	struct cidr	 net;		/* parsed, within max */
};

/** The exit status one address's verdicts call for (SPEC 5). */
int rdns_check_exit_status(const struct check_result *r);

/**
 * Print r as one line of JSON (the single-address schema of SPEC 5).
 * extra, when not NULL, is inserted before the closing brace: more
 * members, starting with ", ".
 */
void rdns_check_print_json(const struct check_result *r, const char *extra);

/** Check a range (a->range), a list (a->file) or a domain (a->domain,
 * a host name) with cf's settings.  @return the exit status. */
int rdns_check_many(const struct config *cf, const struct args *a);

#endif
