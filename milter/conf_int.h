/*
 * conf_int.h - what conf.c and conf_policy.c share; not for other modules
 * (the unit tests of the configuration use it too).
 */
#ifndef RDNS_CONF_INT_H
#define RDNS_CONF_INT_H

#include <stddef.h>

#include "conf.h"

/* RFC 1035 2.3.4: at most 253 characters of text, labels at most 63. */
#define CONF_DOMAIN_MAX		253
#define CONF_LABEL_MAX		63
/* Values quoted in error messages are sanitised and cut to this. */
#define CONF_QUOTE_MAX		100

/** Report one error of the current line ("FILE:LINE: " is added). */
typedef void conf_perr_fn(void *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Sanitised, shortened copy of untrusted text for a message. */
const char *conf_quote(char *buf, size_t size, const char *s);

#define Q(s)	conf_quote((char [CONF_QUOTE_MAX + 1]){ 0 }, \
		    CONF_QUOTE_MAX + 1, (s))

/** The defaults of a Policy line, and what config_policy_for() returns
 * when no line matches: every action accept, dnssec optional. */
extern const struct policy conf_builtin_policy;

/**
 * A Policy domain ("*", "example.com", ".example.com"; one trailing dot
 * allowed), in lower case, into out[CONF_DOMAIN_MAX + 2].
 * @return 0, or -1 with the reason in *why.
 */
int conf_policy_domain(const char *s, char *out, const char **why);

/**
 * Parse the value of a Policy line into *pol (its domain, lower case, in
 * domain[]; pol->domain is not set).  Every error is reported through
 * perr(p, ...).
 * @return 0; -1 if a key=value pair was bad (the domain is valid); -2 if
 *	the domain was bad or memory ran out.
 */
int conf_policy_parse(const char *value, struct policy *pol,
    char domain[CONF_DOMAIN_MAX + 2], conf_perr_fn *perr, void *p);

#endif
