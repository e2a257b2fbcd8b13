/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_int.h - the inside of the configuration module; not for other
 * modules.
 *
 * DESCRIPTION
 *	What the configuration files share: the parser state of one file
 *	(struct parse), its "FILE:LINE: message" reports and the value
 *	helpers (conf_parse.c), the key handlers (conf_keys.c,
 *	conf_policy.c and conf_generic.c, each key with its subject), the
 *	printers of the effective configuration (conf_print.c) and the key
 *	table's accessors (conf.c).  The calls go one way, down: conf.c
 *	calls every other conf file; conf_print.c calls conf_keys.c and
 *	conf_policy.c; conf_generic.c calls conf_policy.c; every one calls
 *	conf_parse.c, which calls none of them (t/lint/deps.sh proves there
 *	is no cycle).
 *
 *	Its users: conf.c, conf_parse.c, conf_keys.c, conf_policy.c,
 *	conf_generic.c, conf_print.c, and the unit tests
 *	t/unit/test_conf_policy.c and t/unit/test_conf_print.c.
 *
 * OWNERSHIP
 *	struct parse lives on the stack of one load (conf.c load()); its cf
 *	is the struct config being built, owned by the load until it is
 *	returned or freed.  The handlers store copies (malloc'd) into cf and
 *	never keep the value string they are given.
 *
 * THREAD SAFETY
 *	One struct parse per thread (a load runs in one thread: start-up,
 *	-n, or the reload thread); nothing here has shared state.
 */
#ifndef RDNS_CONF_INT_H
#define RDNS_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
	/* Where the generic-rule keys were given (0: not given); the rules
	 * are loaded once every line is read. */
	int		 generic_rules_line;
	int		 generic_patterns_line;
	int		 generic_disable_line;
};

/* RFC 8601 values are capped at 255 bytes in our headers (SPEC 3.1). */
#define CONFIG_AUTHSERV_MAX	255

/** Report "FILE:LINE: message" for the line being parsed. */
void conf_perr(struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Report a message that already names its file and line. */
void conf_perr_raw(struct parse *p, const char *msg);

/** Hand msg to errfn (if any), outside a parse (a file that cannot be
 * opened). */
void conf_report(config_error_fn *errfn, void *arg, const char *msg);

/* Helpers of the key handlers (conf_parse.c); each reports its own
 * errors. */
char *conf_dup(struct parse *p, const char *s);
int conf_set_string(struct parse *p, char **slot, const char *s);
int conf_strv_add(struct parse *p, char ***v, size_t *n, const char *s);
void conf_strv_free(char **v, size_t n);
char *conf_words(struct parse *p, const char *v);
int conf_split_list(struct parse *p, const char *key, const char *value,
    int (*fn)(struct parse *, const char *, void *), void *fnarg);
int conf_parse_uint(const char *s, unsigned min, unsigned max,
    unsigned *out);
/* Socket: store spec and its path (conf_keys.c; also the default). */
int conf_socket_set(struct parse *p, const char *spec);
/* UserID to uid and gid (conf_keys.c; config_load_daemon()): sets
 * cf->user_err when a name does not resolve.  @return -1 only when out
 * of memory (the caller reports it). */
int conf_resolve_user(struct config *cf);
/* The generic rule set the generic keys describe, into p->cf->generic,
 * once every line is read (conf_generic.c).  @return 0, or -1 after
 * reporting. */
int conf_generic_load(struct parse *p);
/* A trust anchor file and the line that named it (0: the default;
 * conf_keys.c). */
int conf_trust_anchor_add(struct parse *p, const char *file, int line);
/* One item of TrustedNetworks (conf_keys.c) / ExemptRecipients
 * (conf_policy.c), also for the defaults. */
int trusted_item(struct parse *p, const char *item, void *arg);
int exempt_item(struct parse *p, const char *item, void *arg);

/* The key handlers, for the key table in conf.c: each parses one value
 * into p->cf, or reports and returns -1.  conf_keys.c's but key_exempt()
 * and key_policy() (conf_policy.c) and the generic and allowlist keys
 * (conf_generic.c). */
int key_socket(struct parse *p, const char *v);
int key_authserv_id(struct parse *p, const char *v);
int key_userid(struct parse *p, const char *v);
int key_umask(struct parse *p, const char *v);
int key_answer_cache_size(struct parse *p, const char *v);
int key_syslog_facility(struct parse *p, const char *v);
int key_trust_anchor(struct parse *p, const char *v);
int key_resolver_config(struct parse *p, const char *v);
int key_nameservers(struct parse *p, const char *v);
int key_trusted(struct parse *p, const char *v);
int key_exempt(struct parse *p, const char *v);
int key_metrics_listen(struct parse *p, const char *v);
int key_generic_patterns(struct parse *p, const char *v);
int key_generic_rules(struct parse *p, const char *v);
int key_generic_disable(struct parse *p, const char *v);
int key_allow_domains(struct parse *p, const char *v);
int key_mail_role_words(struct parse *p, const char *v);
int key_policy(struct parse *p, const char *v);

/*
 * The printers of the effective configuration (conf_print.c): each
 * writes the values of one key of cf, one a line ("VALUE\n", without the
 * key), or nothing when the key has no value.  Keys stored in a plain
 * field (string, boolean, number) are printed by their type; every key
 * with a handler needs a printer in the key table (a unit test walks it).
 */
typedef void key_print_fn(const struct config *cf, FILE *fp);

key_print_fn print_socket, print_authserv_id, print_userid, print_umask,
    print_syslog_facility, print_trust_anchor, print_resolver_config,
    print_nameservers, print_answer_cache_size,
    print_trusted, print_exempt, print_metrics_listen,
    print_generic_rules, print_generic_patterns, print_generic_disable,
    print_allow_domains, print_mail_role_words,
    print_policy;

/** The key table, for config_print() and its tests. */
size_t conf_key_count(void);
const char *conf_key_name(size_t i);
/** True if key i may repeat (accumulates). */
bool conf_key_multi(size_t i);
/** True if key i can be printed (a plain field, or a printer). */
bool conf_key_printable(size_t i);
/** Print the values of key i of cf (see key_print_fn).  @return 0, or -1
 * if the key has no printer. */
int conf_key_print(const struct config *cf, size_t i, FILE *fp);

/** The name of a syslog facility (LOG_MAIL: "mail"), or NULL. */
const char *conf_syslog_facility_name(int fac);

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

/** Write pol as a Policy line's value, every key spelled out in its
 * order ("DOMAIN ptr=reject ... dryrun=no"), and a newline. */
void conf_policy_print(const struct policy *pol, FILE *fp);

#endif
