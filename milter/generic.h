/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic.h - does a forward-confirmed name look generic/dynamic?
 *
 * DESCRIPTION
 *	SPEC 2 "generic".  A name is split into its host part (every label
 *	left of its organizational domain, orgdomain.h) and its
 *	organizational domain.  It is generic when it has evidence, and
 *	every verdict names its evidence (struct generic_verdict):
 *
 *	 - the client address embedded in it (generic_addr.c, C: the
 *	   mechanism).  The whole name is split into digit and hex runs;
 *	   the address is embedded when three or more of its IPv4 octets
 *	   appear consecutively, in order or reversed, each zero-padded or
 *	   not, with any separators (or none) between them, in one label
 *	   or across labels; or when its 8-digit hex form ends a hex run
 *	   whose other digits are letters (p5b0c3e7f, d54c15d55); or, for
 *	   IPv6, when its groups appear in order (expanded or not, zero
 *	   groups written "--" for "::"), all eight of them or at least the
 *	   last four (the interface identifier), or its nibbles (32 hex
 *	   digits as one run, or single-digit labels, in address or
 *	   ip6.arpa order; at least the 16 of the interface identifier),
 *	   or the whole address as one base-36 word.  Octets inside the
 *	   organizational domain count only when that domain alone embeds
 *	   the address (9.ip-51-91-159.eu for 51.91.159.9), so another
 *	   domain's digits never combine with the host part's.
 *	 - or a rule of the rule set (generic_rules.c: the data, a rules
 *	   file).  Each rule has a name, a scope and a POSIX extended regex
 *	   (matched case-insensitively):
 *	     label		each label of the host part on its own
 *	     host		the host part as one string ("a-1.dyn")
 *	     name		the whole name (no trailing dot)
 *	     domain=DOMAIN	the host part of names whose organizational
 *				domain is DOMAIN (one provider's scheme)
 *	   A host-part label that is exactly "static" turns off every rule
 *	   but the domain= ones (a provider's scheme still counts, and the
 *	   embedded address always does).
 *
 *	Mail-role words (MailRoleWords, default GENERIC_ROLES_DEFAULT) veto
 *	everything: a name whose host part holds one of them as a whole
 *	word of a label -- words are the runs of letters, split at '-',
 *	'_', '.' and digits -- is never generic.
 *
 *	The rules file format (generic_rules_add_file()): one rule a line,
 *	"NAME SCOPE REGEX", white space between the fields; '#' starts a
 *	comment line; the comment lines "# source: TEXT" just above a rule
 *	are its source (where the scheme is seen).  NAME is a lower-case
 *	letter or digit then letters, digits and '-', at most
 *	GENERIC_RULE_NAME_MAX - 1 characters, unique in the rule set.  The
 *	legacy format (generic_patterns_load(), GenericPatterns) is a
 *	plain list of label regexes, rule names "pattern-LINE".
 *
 * OWNERSHIP
 *	A rule set (struct generic_patterns, the historical name) is built
 *	with generic_rules_new(), filled with generic_rules_add_file(),
 *	trimmed with generic_rules_disable(), finished with
 *	generic_rules_compile(), and freed with generic_patterns_free()
 *	(NULL is a no-op).  Once compiled it is immutable and may be
 *	shared by threads.  The same holds for generic_roles_new() /
 *	generic_roles_free().
 *
 * THREAD SAFETY
 *	Building a rule set or a role list (new, add, disable, compile) is
 *	one thread's at a time (a configuration load).  Judging a name with
 *	a compiled rule set and role list is safe in any thread at once:
 *	they are read only (regexec(3) on compiled patterns), and the
 *	Public Suffix List behind them is loaded once (orgdomain.h).
 *
 * ERRORS
 *	Loaders return NULL / -1 with "FILE:LINE: message" (or "FILE:
 *	message" when the file cannot be read) in err[errlen].
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
/* Rule names, with their NUL. */
#define GENERIC_RULE_NAME_MAX	64
/* A verdict's explanation, with its NUL (the name quoted in it is cut
 * to fit). */
#define GENERIC_REASON_MAX	192

/* The names of the address-embedding test's verdicts (reserved: no rule
 * may take them, GenericDisable refuses them). */
#define GENERIC_RULE_IPV4	"embedded-ipv4"
#define GENERIC_RULE_IPV4_HEX	"embedded-ipv4-hex"
#define GENERIC_RULE_IPV6	"embedded-ipv6"

/** A verdict and its evidence. */
struct generic_verdict {
	bool	 generic;
	/** The evidence's name: a rule name or GENERIC_RULE_IPV*; "" when
	 *  not generic. */
	char	 rule[GENERIC_RULE_NAME_MAX];
	/** For people: "embeds 203.0.113.42 as reversed octets across
	 *  labels (42.113.0-203)", "rule dsl-word"; "" when not generic. */
	char	 reason[GENERIC_REASON_MAX];
};

/*
 * Rule sets.
 */

/** An empty rule set.  @return NULL only if out of memory. */
struct generic_patterns *generic_rules_new(void);

/**
 * Add the rules of a rules file (format above).
 * @return 0, or -1 with the message in err[errlen] (gp keeps the rules
 *	of the lines before the error).
 */
int generic_rules_add_file(struct generic_patterns *gp, const char *file,
    char *err, size_t errlen);

/**
 * Add one rule (tests, fuzzing).  scope is "label", "host", "name" or
 * "domain=DOMAIN".  @return 0, or -1 with a message in err[errlen].
 */
int generic_rules_add(struct generic_patterns *gp, const char *name,
    const char *scope, const char *regex, const char *source, char *err,
    size_t errlen);

/**
 * Load a rules file into a new rule set and compile it.
 * @return the set, or NULL with a message in err[errlen].
 */
struct generic_patterns *generic_rules_load(const char *file, char *err,
    size_t errlen);

/**
 * Load the legacy GenericPatterns format: one extended regex per line
 * (label scope), blank lines and lines starting with '#' ignored,
 * leading/trailing white space stripped; rule N is "pattern-LINE".
 * The set is compiled.
 * @return the set, or NULL with a message in err[errlen].
 */
struct generic_patterns *generic_patterns_load(const char *file, char *err,
    size_t errlen);

/**
 * Switch the rule called name off.
 * @return 0; -1 with a message in err[errlen] when there is no such rule
 *	or the name is one of the address test's (which always applies).
 */
int generic_rules_disable(struct generic_patterns *gp, const char *name,
    char *err, size_t errlen);

/**
 * Build the matchers of the enabled rules (after the last add/disable).
 * @return 0, or -1 (out of memory, a combined regex too large) with a
 *	message in err[errlen].
 */
int generic_rules_compile(struct generic_patterns *gp, char *err,
    size_t errlen);

/** Number of rules (enabled or not); 0 for NULL. */
size_t generic_rules_count(const struct generic_patterns *gp);

/** Rule i's name, scope text, regex, source ("" if none), whether it is
 *  enabled.  @return false if i is out of range. */
bool generic_rules_get(const struct generic_patterns *gp, size_t i,
    const char **name, const char **scope, const char **regex,
    const char **source, bool *enabled);

/** The rule called name, as its index, or -1. */
long generic_rules_find(const struct generic_patterns *gp, const char *name);

/** Free (NULL is a no-op). */
void generic_patterns_free(struct generic_patterns *gp);

/*
 * Mail-role words.
 */

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

/*
 * Verdicts.
 */

/**
 * The verdict on a verified name for client ip (SPEC 2), with its
 * evidence in *v.  gp NULL: the address test only; gr NULL: no mail-role
 * words; ip NULL: the rules only.  A name that is not a host name, or is
 * a public suffix, is not generic.
 * @return v->generic.
 */
bool generic_assess(const struct generic_patterns *gp,
    const struct generic_roles *gr, const char *name,
    const struct rdns_ip *ip, struct generic_verdict *v);

/** generic_assess() without mail-role words, true/false only. */
bool generic_match(const struct generic_patterns *gp, const char *name,
    const struct rdns_ip *ip);

/** generic_assess(), true/false only. */
bool generic_judge(const struct generic_patterns *gp,
    const struct generic_roles *gr, const char *name,
    const struct rdns_ip *ip);

/** The address test alone (generic_assess() with no rules and no
 *  mail-role words), true/false only. */
bool generic_embeds_ip(const char *name, const struct rdns_ip *ip);

#endif
