/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf.h - rdns-milter.conf: key table, parser, immutable snapshots.
 *
 * DESCRIPTION
 *	The file format (SPEC 4) is OpenDKIM style: one "Key value" per line,
 *	'#' starts a comment (at line start or after white space), keys are
 *	case-insensitive, values run to the end of the line with surrounding
 *	white space removed.  Unknown keys, bad values, a single-valued key
 *	given twice and two Policy lines for one domain are errors.  Every
 *	error is reported through the caller's callback as "FILE:LINE: message"
 *	and parsing continues, so that "rdns-milter -n" can list them all.
 *
 *	A parsed struct config is immutable.  The milter shares it between
 *	sessions through its runtime snapshots (runtime.h), which pair it with
 *	the resolver built for it.
 *
 * OWNERSHIP
 *	config_load() and config_new_default() return a config owned by the
 *	caller, freed with config_free(); the milter hands it over to a
 *	runtime snapshot (runtime.h), which frees it.
 *
 * THREAD SAFETY
 *	Parsing is single-threaded; a parsed config is read-only.
 */
#ifndef RDNS_CONF_H
#define RDNS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "checks.h"
#include "cidr.h"
#include "policy.h"
#include "resolver.h"

struct generic_patterns;
struct generic_roles;

/* Defaults (SPEC 4). */
#define CONFIG_DEFAULT_SOCKET	"local:/run/rdns-milter/rdns-milter.sock"
#define CONFIG_DEFAULT_TA_FILE	"/usr/share/dns/root.key"
#define CONFIG_DEFAULT_TIMEOUT	5
#define CONFIG_DEFAULT_MAXPTR	10
#define CONFIG_MAX_TIMEOUT	3600
#define CONFIG_MAX_MAXPTR	100
#define CONFIG_MAX_RESOLVER_THREADS 16
/* AnswerCacheSize: RESOLVER_CACHE_DEFAULT (16M); 0 is off, else at least
 * ANSCACHE_MIN_BYTES (64K), at most this. */
#define CONFIG_MAX_CACHE_BYTES	((size_t)4 << 30)

struct config {
	char		*file;		/* path it was read from, or NULL */

	/* Socket: the text, as libmilter reads it (smfi_setconn(3)), and
	 * the file of a unix-domain socket in it (local:, unix: or a bare
	 * path; NULL for inet and inet6), parsed at load. */
	char		*socket;
	const char	*socket_path;	/* points into socket */
	char		*authserv_id;	/* never NULL: host name by default */
	/* UserID "user[:group]" as written (NULL: none), its two names,
	 * and, after config_load_daemon(), the ids they name: uid, and gid
	 * (the group's, else the user's primary group).  A name that does
	 * not resolve is no load error (-n and a reload accept it, as
	 * they always did): user_err says why, and start-up refuses it. */
	char		*userid;
	char		*user_name;	/* NULL: none */
	char		*group_name;	/* NULL: the user's own group */
	uid_t		 uid;
	gid_t		 gid;
	char		*user_err;	/* NULL: resolved (or no UserID) */
	char		*pidfile;	/* NULL: none */
	mode_t		 umask;
	bool		 syslog;
	int		 syslog_facility;	/* LOG_MAIL, ... */

	char		**trust_anchor_files;	/* empty with TrustAnchorFile none */
	size_t		 n_trust_anchor_files;
	int		*trust_anchor_lines;	/* the line of each (0:
						   the default file) */
	char		*resolver_config;	/* NULL: none */
	int		 resolver_config_line;
	char		**nameservers;		/* "ADDR" or "ADDR@PORT" */
	size_t		 n_nameservers;
	int		 nameservers_line;

	unsigned	 resolver_threads;	/* 0: one per CPU, up to 8 */
	unsigned	 dns_timeout;		/* seconds, >= 1 */
	unsigned	 max_ptr_names;		/* >= 1 */
	size_t		 answer_cache_size;	/* bytes; 0: no answer cache */

	struct cidr	*trusted;
	size_t		 n_trusted;
	bool		 skip_authenticated;
	char		**exempt;		/* local parts, lower case */
	size_t		 n_exempt;

	char		*generic_rules_file;	/* GenericRules FILE (without
						   the '+'), NULL: the shipped
						   file alone */
	bool		 generic_rules_add;	/* GenericRules +FILE: added to
						   the shipped file */
	char		*generic_patterns_file;	/* GenericPatterns (legacy
						   list, replaces the shipped
						   file), or NULL */
	char		**generic_disable;	/* GenericDisable: rule names */
	size_t		 n_generic_disable;
	struct generic_patterns *generic;	/* the rule set in force,
						   compiled, never NULL */
	struct generic_roles *mail_roles;	/* MailRoleWords, never NULL
						   (no words: "none") */
	char		*mail_role_words;	/* its words, lower case,
						   one space between;
						   "none"; NULL: the
						   default */
	char		**allow_domains;	/* AllowDomains: "example.com"
						   or ".example.com", lower
						   case, no trailing dot */
	size_t		 n_allow_domains;

	bool		 dry_run;

	/* MetricsListen as written (NULL: off) and the address it names,
	 * parsed at load (config_parse_listen()). */
	char		*metrics_listen;
	struct sockaddr_storage metrics_addr;
	socklen_t	 metrics_addrlen;

	struct policy	*policies;
	size_t		 n_policies;
};

/** Error sink: one call per problem, msg is "FILE:LINE: message". */
typedef void config_error_fn(void *arg, const char *msg);

/**
 * Read and validate a configuration file (also loads the generic rules:
 * the shipped file, GenericRules, GenericPatterns, GenericDisable).
 * @return a new config (one reference), or NULL after reporting at least
 *	one error through errfn.  A file that cannot be opened is reported as
 *	"FILE: message".
 */
struct config *config_load(const char *file, config_error_fn *errfn,
    void *arg);

/** Same, from a string (for tests); name is used in messages. */
struct config *config_load_string(const char *name, const char *text,
    config_error_fn *errfn, void *arg);

/** The built-in defaults, as if from an empty file. NULL if out of memory. */
struct config *config_new_default(void);

/**
 * The daemon's loader: config_load(file), except that with
 * defaults_if_missing a file that does not exist gives the built-in
 * defaults.  The daemon passes true only at start-up without -c; a reload
 * passes false, so a file that vanished (an editor or a configuration
 * tool replacing it) is an error and the configuration in force stays.
 * It also resolves UserID to cf->uid and cf->gid (getpwnam_r(3),
 * getgrnam_r(3)); a failure there sets cf->user_err only.
 */
struct config *config_load_daemon(const char *file,
    bool defaults_if_missing, config_error_fn *errfn, void *arg);

/** Free a config.  NULL is a no-op. */
void config_free(struct config *cf);

/** The check engine's parameters a config sets (pointers into cf); the
 * caller adds the resolver (ops, resolver) and the log context. */
void config_check_params(const struct config *cf, struct check_params *cp);

/** The resolver options a config asks for (pointers into cf). */
void config_resolver_options(const struct config *cf,
    struct resolver_options *ro);

/**
 * The policy for a recipient domain (no trailing dot, any case): an exact
 * "example.com" entry wins over ".example.com"-style suffix entries,
 * longer suffixes win over shorter ones, "*" is last.  With no match, a
 * built-in policy whose actions are all accept.
 */
const struct policy *config_policy_for(const struct config *cf,
    const char *domain);

/** True if localpart (any case) is listed in ExemptRecipients. */
bool config_is_exempt(const struct config *cf, const char *localpart);

/**
 * The shipped generic rules file: $RDNS_MILTER_GENERIC_RULES when set (an
 * uninstalled build, its tests), else the installed
 * $(pkgdatadir)/generic.rules.
 */
const char *config_generic_rules_default(void);

/**
 * Print the effective configuration (rdns-milter -n -v): every key of the
 * key table, in its order, with its value in the file's own syntax, one
 * "Key value" line per value; "  # default" ends the lines whose value is
 * the built-in default's, and a key without a value (UserID, PidFile, ...
 * not set) is a comment "#Key  # default: not set".  Read back as a
 * configuration file, the output gives the same configuration and prints
 * the same (the round trip is tested).
 * @return 0, or -1 if out of memory or a write failed.
 */
int config_print(const struct config *cf, FILE *fp);

/**
 * Name the configuration line behind a resolver_new() error, as -n
 * promises ("FILE:LINE: message"): err is the resolver's message, which
 * starts with "TrustAnchorFile FILE:", "ResolverConfig FILE:" or
 * "Nameservers ADDR:" when one of them failed; the line that gave it is
 * put in front.  When the message names no key, and exactly one line of
 * those keys exists, that line is named.  Otherwise (or for a config not
 * read from a file, or the default trust anchor) err stays as it is.
 */
void config_blame_resolver(const struct config *cf, char *err,
    size_t errlen);

/**
 * The file of a milter socket specification as libmilter reads it: after
 * "local:" or "unix:", or the whole of a bare path; NULL for any other
 * (inet, inet6).  For Socket (at load) and -p.  @return a pointer into
 * spec, or NULL.
 */
const char *config_socket_path(const char *spec);

/** Parse "yes/no/true/false/1/0/on/off".  @return 0 or -1. */
int config_parse_bool(const char *s, bool *out);

/**
 * Parse a MetricsListen value: "PORT" (127.0.0.1), "ADDR:PORT" with an IPv4
 * literal, or "[ADDR6]:PORT" with an IPv6 literal; PORT is 1..65535.
 * Host names are refused (no DNS at start-up).
 * @return 0 with the address in *out (port in network order) and its
 *	length in *outlen, or -1 with a static reason in *why.
 */
int config_parse_listen(const char *s, struct sockaddr_storage *out,
    socklen_t *outlen, const char **why);


#endif
