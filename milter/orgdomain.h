/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * orgdomain.h - organizational domains (Public Suffix List) and domain
 * lists.
 *
 * DESCRIPTION
 *	SPEC 2 "Organizational domain": the registrable domain of a name,
 *	one label below its longest public suffix (example-shop.co.uk,
 *	outlook.com, telesp.net.br).  The suffixes come from libpsl: the
 *	newer of the distribution's list (Debian package publicsuffix) and
 *	the list built into libpsl (psl_latest()), the built-in list alone
 *	when that fails.  Only the ICANN section counts: the private section
 *	lists customer subdomains of hosting providers (*.compute-1.
 *	amazonaws.com), under which every name would itself be a public
 *	suffix and no host part could ever be judged.  A top-level domain
 *	the list does not know (test., example.) is a public suffix, as
 *	libpsl's implicit "*" rule says.
 *
 *	Domain lists (AllowDomains) are matched like Policy domains, by
 *	dname_pattern_match(): "example.com" matches that name only,
 *	".example.com" every name below it.
 *
 * OWNERSHIP
 *	The list is libpsl's, loaded once and kept for the life of the
 *	process; every result is written into the caller's buffer.
 *
 * THREAD SAFETY
 *	The list is loaded once, on first use, under pthread_once(); it is
 *	read-only afterwards and every function may be called from any
 *	thread.
 */
#ifndef RDNS_ORGDOMAIN_H
#define RDNS_ORGDOMAIN_H

#include <stdbool.h>
#include <stddef.h>

/**
 * True if a Public Suffix List could be loaded (config_load() refuses to
 * run without one: no name would have an organizational domain).
 */
bool orgdomain_available(void);

/**
 * Where the organizational domain of name starts.
 * @param name	lower case, no trailing dot (as generic.c and
 *		orgdomain_of() prepare it); a byte outside [a-z0-9._-]
 *		means there is none
 * @return the offset of its first byte in name (0: the name is its own
 *	organizational domain), or -1 when there is none: the name is
 *	empty, a public suffix itself, or no list is loaded.
 */
int orgdomain_offset(const char *name);

/**
 * The organizational domain of name (any case, one trailing dot
 * allowed), lower case, into out[outlen].
 * @return 0, or -1 (out is then "") when there is none or it does not
 *	fit (names are at most DNAME_TEXT_MAX - 1 characters).
 */
int orgdomain_of(const char *name, char *out, size_t outlen);

/**
 * True if name (any case, one trailing dot allowed) is in one of the
 * n domains of list ("example.com" exactly, ".example.com" its
 * subdomains; lower case, no trailing dot, as conf.c stores them).
 */
bool orgdomain_list_match(char *const *list, size_t n, const char *name);

#endif
