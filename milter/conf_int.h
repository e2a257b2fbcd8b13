/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_int.h - what conf.c and conf_policy.c share; not for other modules
 * (the unit tests of the configuration use it too).
 */
#ifndef RDNS_CONF_INT_H
#define RDNS_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* Room for the key table (checked at compile time). */
#define CONFIG_NKEYS_MAX	32

/* Parser state for one file. */
struct parse {
	const char	*name;		/* file name for messages */
	config_error_fn	*errfn;
	void		*arg;
	int		 line;		/* current line, 1-based */
	int		 nerr;		/* errors reported so far */
	struct config	*cf;

	/* Single-valued keys: line of the first occurrence, by index in
	 * keys[], or 0. */
	int		 seen[CONFIG_NKEYS_MAX];
	int		 ta_none_line;	/* TrustAnchorFile none, or 0 */
	int		 ta_file_line;	/* first TrustAnchorFile FILE, or 0 */
	bool		 trusted_set;	/* a TrustedNetworks line was read */
};

/* RFC 8601 values are capped at 255 bytes in our headers (SPEC 3.1). */
#define CONFIG_AUTHSERV_MAX	255

/** Report "FILE:LINE: message" for the line being parsed. */
void conf_perr(struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Report a message that already names its file and line. */
void conf_perr_raw(struct parse *p, const char *msg);

/* Helpers of the key handlers (conf_keys.c); each reports its own
 * errors. */
char *conf_dup(struct parse *p, const char *s);
int conf_set_string(struct parse *p, char **slot, const char *s);
int conf_strv_add(struct parse *p, char ***v, size_t *n, const char *s);
void conf_strv_free(char **v, size_t n);
int conf_split_list(struct parse *p, const char *key, const char *value,
    int (*fn)(struct parse *, const char *, void *), void *fnarg);
int conf_parse_uint(const char *s, unsigned min, unsigned max,
    unsigned *out);
/* One item of TrustedNetworks / ExemptRecipients (also for the
 * defaults). */
int trusted_item(struct parse *p, const char *item, void *arg);
int exempt_item(struct parse *p, const char *item, void *arg);

/* The key handlers (conf_keys.c), for the key table in conf.c: each
 * parses one value into p->cf, or reports and returns -1. */
int key_socket(struct parse *p, const char *v);
int key_authserv_id(struct parse *p, const char *v);
int key_userid(struct parse *p, const char *v);
int key_umask(struct parse *p, const char *v);
int key_answer_cache_size(struct parse *p, const char *v);
int key_syslog_facility(struct parse *p, const char *v);
int key_trust_anchor(struct parse *p, const char *v);
int key_nameservers(struct parse *p, const char *v);
int key_trusted(struct parse *p, const char *v);
int key_exempt(struct parse *p, const char *v);
int key_metrics_listen(struct parse *p, const char *v);
int key_generic_patterns(struct parse *p, const char *v);
int key_allow_domains(struct parse *p, const char *v);
int key_mail_role_words(struct parse *p, const char *v);
int key_policy(struct parse *p, const char *v);

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
