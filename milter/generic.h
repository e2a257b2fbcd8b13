/*
 * generic.h - does a forward-confirmed name look generic/dynamic?
 *
 * DESCRIPTION
 *	SPEC 2 "generic".  The name is split into the host part (all labels
 *	left of the last two) and the registered domain (the last two labels,
 *	never examined).  A name is generic when
 *	 - the host part embeds the client IP: IPv4 a.b.c.d as the four
 *	   decimal octets in order or reversed, joined by '.', '-', '_' or
 *	   nothing, each octet optionally zero-padded to 3 digits, or the
 *	   8-digit hex form; IPv6 as the expanded 4-hex-digit groups of the
 *	   last 64 bits joined by '-', '.' or nothing, or the address nibbles
 *	   (in address order or ip6.arpa order) joined by '.', '-' or nothing;
 *	   matched case-insensitively anywhere in the host part;
 *	 - or a pattern (POSIX ERE, case-insensitive) matches one label of the
 *	   host part, unless some host-part label is exactly "static", "mail",
 *	   "smtp" or "mx" (case-insensitive).
 *
 * OWNERSHIP
 *	generic_patterns_new_builtin() / generic_patterns_load() return an
 *	object freed with generic_patterns_free() (NULL is a no-op).  Once
 *	built it is immutable and may be shared by threads.
 */
#ifndef RDNS_GENERIC_H
#define RDNS_GENERIC_H

#include <stdbool.h>
#include <stddef.h>

#include "dname.h"

struct generic_patterns;

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

#endif
