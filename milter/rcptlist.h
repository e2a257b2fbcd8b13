/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rcptlist.h - the recipients of one message as its summary line logs
 * them: domains= and exempt= (SPEC 3.3, rdns-milter(8) LOGGING).
 *
 * DESCRIPTION
 *	A policy decision needs, per recipient, its domain (which Policy
 *	line applies) and whether its local part is exempt
 *	(ExemptRecipients).  The milter adds each recipient it looks at;
 *	the summary line then carries
 *
 *	  domains=example.com*3,example.org	the recipients that were not
 *						exempt, by domain, each
 *						domain once with its count
 *	  exempt=postmaster@example.com		the exempt ones, by local
 *						part and domain
 *
 *	and rdns-report --replay reads them back to decide every recipient
 *	again under another configuration.  The grammar of either value:
 *
 *	  value  = "-" / item *("," item) ["," more] / more
 *	  item   = name ["*" count]	count >= 2: recipients of that name
 *	  more   = "+" count		count >= 1: recipients not listed
 *	  name   = domain  (domains=)  /  local "@" domain  (exempt=)
 *	  domain = 1*( a-z / 0-9 / "." / "-" / "_" / "?" )
 *	  local  = 1*( printable ASCII but space, ",", "=", "@" ) ; or "?"
 *
 *	A domain is lower case; every other byte is "?", a recipient without
 *	a domain is ".", and a domain that is just "-" is "?".  None of
 *	these changes which Policy line applies (config_policy_for()):
 *	Policy domains hold only letters, digits, "-", "_" and dots, so a
 *	byte outside them never matches, whatever it is, and "" and "."
 *	(one trailing dot is ignored) and "-" and "?" match only "*".  The
 *	local part of an exempt recipient is the ExemptRecipients entry it
 *	matched, lower case, each "=" written "?" (rcptlist_local_form()).
 *	The caps: RCPTLIST_ITEMS names per value, RCPTLIST_TEXT_MAX bytes
 *	of names, a domain of at most RCPTLIST_DOMAIN_MAX bytes and a local
 *	part of at most RCPTLIST_LOCAL_MAX; a recipient past them is counted
 *	in "+N".  So no value holds a space or "=", and the two values
 *	together stay under 2 * RCPTLIST_VALUE_MAX bytes.
 *
 * OWNERSHIP
 *	A struct rcptlist is plain data (no allocation): reset it, add to
 *	it, format it.  rcptlist_next() reads a value in place.
 *
 * THREAD SAFETY
 *	Pure.
 */
#ifndef RDNS_RCPTLIST_H
#define RDNS_RCPTLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define RCPTLIST_ITEMS		16	/* names per value */
#define RCPTLIST_TEXT_MAX	1024	/* bytes of names per value */
#define RCPTLIST_DOMAIN_MAX	255	/* a longer one is not listed */
#define RCPTLIST_LOCAL_MAX	64	/* RFC 5321 4.5.3.1.1 */
#define RCPTLIST_COUNT_DIGITS	10	/* counts saturate at 4294967295 */
/* A value: the names, a separator and "*count" each, "+count". */
#define RCPTLIST_VALUE_MAX	(RCPTLIST_TEXT_MAX + RCPTLIST_ITEMS *	\
	    (2 + RCPTLIST_COUNT_DIGITS) + 2 + RCPTLIST_COUNT_DIGITS)

struct rcptlist_item {
	unsigned short	 off;		/* in text */
	unsigned short	 len;
	unsigned long	 n;		/* recipients */
};

/* One value: domains= or exempt=. */
struct rcptlist_part {
	struct rcptlist_item item[RCPTLIST_ITEMS];
	size_t		 n_items;
	size_t		 used;		/* bytes of text */
	unsigned long	 unlisted;	/* "+N" */
	char		 text[RCPTLIST_TEXT_MAX];
};

struct rcptlist {
	struct rcptlist_part	domains;
	struct rcptlist_part	exempt;
};

/** Empty (no recipients). */
void rcptlist_reset(struct rcptlist *rl);

/**
 * Add one recipient: its domain (as policy_split_recipient() gives it:
 * lower case, "" without one) and, when ExemptRecipients exempts it, its
 * local part (else NULL).
 */
void rcptlist_add(struct rcptlist *rl, const char *exempt_local,
    const char *domain);

/** True if no recipient was added. */
bool rcptlist_empty(const struct rcptlist *rl);

/** Recipients added (listed or not). */
unsigned long rcptlist_count(const struct rcptlist *rl);

/** Append " domains=VALUE exempt=VALUE". */
void rcptlist_format(const struct rcptlist *rl, struct strbuf *sb);

/**
 * The form local part takes in exempt= (lower case, "=" and the bytes
 * the grammar leaves out written "?"), in dst[dstlen]; "" if it does not
 * fit or is longer than RCPTLIST_LOCAL_MAX.  rdns-report --replay writes
 * the ExemptRecipients entries of the replayed configuration this way
 * to compare them with the logged ones.
 */
void rcptlist_local_form(char *dst, size_t dstlen, const char *local);

/* One entry of a logged value. */
struct rcptlist_entry {
	bool		 more;		/* "+N": n recipients not listed */
	const char	*local;		/* exempt=: the local part */
	size_t		 local_n;
	const char	*domain;
	size_t		 domain_n;
	unsigned long	 n;		/* recipients */
};

/**
 * Read the next entry of a logged value v[0..vn) (domains= if !exempt,
 * else exempt=) from *pos (0 at the start; "-" has none).
 * @return 1 with the entry in *e, 0 at the end, -1 if the value breaks
 *	the grammar (nothing of it should be trusted).
 */
int rcptlist_next(const char *v, size_t vn, bool exempt, size_t *pos,
    struct rcptlist_entry *e);

#endif
