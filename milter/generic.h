/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic.h - does a forward-confirmed name look generic/dynamic?
 *
 * DESCRIPTION
 *	SPEC 2 "generic".  The name is split into the host part (all labels
 *	left of its organizational domain, orgdomain.h) and the
 *	organizational domain (by the Public Suffix List, never examined).
 *	generic_match() says a name is generic when
 *	 - the host part embeds the client IP: IPv4 a.b.c.d as the four
 *	   decimal octets in order or reversed, joined by '.', '-', '_' or
 *	   nothing, each octet optionally zero-padded to 3 digits, or the
 *	   8-digit hex form; IPv6 as the expanded 4-hex-digit groups of the
 *	   last 64 bits joined by '-', '.' or nothing, or the address nibbles
 *	   (in address order or ip6.arpa order) joined by '.', '-' or nothing;
 *	   matched case-insensitively anywhere in the host part;
 *	 - or a pattern (POSIX ERE, case-insensitive) matches one label of the
 *	   host part, unless some host-part label is exactly "static"
 *	   (case-insensitive).
 *	generic_judge() adds the mail-role rule: a name whose host part
 *	holds a mail-role word (MailRoleWords, default GENERIC_ROLES_DEFAULT)
 *	as a whole word of a label -- words are the runs of letters, split at
 *	'-', '_', '.' and digits -- is never generic, whatever the other
 *	tests say.
 *
 * OWNERSHIP
 *	generic_patterns_new_builtin() / generic_patterns_load() return an
 *	object freed with generic_patterns_free() (NULL is a no-op).  Once
 *	built it is immutable and may be shared by threads.  The same holds
 *	for generic_roles_new() / generic_roles_free().
 */
#ifndef RDNS_GENERIC_H
#define RDNS_GENERIC_H

#include <stdbool.h>
#include <stddef.h>

#include "dname.h"

struct generic_patterns;
struct generic_roles;

/* SPEC 4 MailRoleWords default. */
#define GENERIC_ROLES_DEFAULT \
	"mail mx smtp mta mout mxout mailout outbound relay sender bounce"
/* A word is at most a label long (RFC 1035 2.3.4). */
#define GENERIC_WORD_MAX	63

/** The built-in pattern list.  @return NULL only if out of memory. */
struct generic_patterns *generic_patterns_new_builtin(void);

/**
 * Load patterns from a file: one extended regex per line, blank lines and
 * lines starting with '#' ignored, leading/trailing white space stripped.
 * @return the list, or NULL with "FILE:LINE: message" (or "FILE: message"
 *	when the file cannot be read) in err[errlen].
 */
struct generic_patterns *generic_patterns_load(const char *file, char *err,
    size_t errlen);

/** Free (NULL is a no-op). */
void generic_patterns_free(struct generic_patterns *gp);

/**
 * Judge name (a valid hostname, trailing dot allowed) for client ip.
 * gp may be NULL: only the IP-embedding test then applies.
 */
bool generic_match(const struct generic_patterns *gp, const char *name,
    const struct rdns_ip *ip);

/** The IP-embedding test alone (exposed for tests and rdns-check). */
bool generic_embeds_ip(const char *name, const struct rdns_ip *ip);

/**
 * Mail-role words from a list (white space or commas between words,
 * letters only, any case); "none" gives an empty list (the rule off).
 * @return the list, or NULL with a message in err[errlen].
 */
struct generic_roles *generic_roles_new(const char *list, char *err,
    size_t errlen);

/** GENERIC_ROLES_DEFAULT.  @return NULL only if out of memory. */
struct generic_roles *generic_roles_new_default(void);

/** Free (NULL is a no-op). */
void generic_roles_free(struct generic_roles *gr);

/** Number of words (0 for NULL or "none"). */
size_t generic_roles_count(const struct generic_roles *gr);

/** Does a host-part label of name hold a mail-role word?  NULL: no. */
bool generic_mail_role(const struct generic_roles *gr, const char *name);

/**
 * The verdict on a verified name (SPEC 2): not generic when it has a
 * mail-role word (gr may be NULL: rule off), else generic_match().
 */
bool generic_judge(const struct generic_patterns *gp,
    const struct generic_roles *gr, const char *name,
    const struct rdns_ip *ip);

#endif
