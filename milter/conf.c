/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf.c - rdns-milter.conf: the key table, the line parser, the loaders
 * and the effective configuration (config_print()).  The value of each
 * key is parsed by its handler, which lives with its subject: the Policy
 * and ExemptRecipients keys in conf_policy.c, the generic-name and
 * allowlist keys (and their rule set) in conf_generic.c, the others in
 * conf_keys.c; their printers are conf_print.c's.  Every one of them
 * reports through conf_parse.c (conf_perr(), Q()), which calls none of
 * them: conf.c -> handlers -> conf_parse.c, no cycle (t/lint/deps.sh).
 * conf_int.h is what they share.
 *
 * The parser reads one line at a time into a fixed buffer (a longer line is
 * reported and skipped, never cut), splits it into a key and a value and
 * looks the key up in the typed key table: plain values are stored
 * directly, the others go to the key's handler.  Every problem is reported
 * as "FILE:LINE: message" and parsing goes on, so that "rdns-milter -n"
 * lists them all; any error makes the result NULL.  A file that is not a
 * regular file, or is world-writable, is refused before it is read.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "cidr.h"
#include "conf.h"
#include "conf_int.h"
#include "generic.h"
#include "log.h"
#include "orgdomain.h"
#include "strbuf.h"
#include "text.h"

/* Longest accepted line, without the newline.  Nothing legitimate comes
 * near it; a longer line is an error rather than silently cut. */
#define CONFIG_LINE_MAX		4096
/* POSIX HOST_NAME_MAX is 255 on Linux; one more for the NUL. */
#define CONFIG_HOSTNAME_BUF	256


#define DEFAULT_TRUSTED		"127.0.0.0/8, ::1/128"
#define DEFAULT_EXEMPT		"postmaster abuse"

/* Where the bytes come from: a FILE or a string of known length. */
struct source {
	FILE		*fp;
	const char	*s;
	size_t		 len;
	size_t		 pos;
};

typedef int key_fn(struct parse *, const char *);

enum key_type {
	KEY_FN,			/* a handler parses the value */
	KEY_STRING,		/* char * field */
	KEY_BOOL,		/* bool field */
	KEY_UINT,		/* unsigned field, 1..max */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* field for the plain types */
	unsigned	 max;		/* KEY_UINT */
	key_fn		*fn;		/* KEY_FN */
	bool		 multi;		/* may repeat */
	key_print_fn	*print;		/* KEY_FN: for -n -v */
};

/*
 * The key table (SPEC 4).  Plain strings, booleans and integers (1..max)
 * are stored straight into their field; other keys have a handler.
 * seen[] in struct parse is indexed by it.
 */
#define FN(fn)		KEY_FN, 0, 0, (fn)
#define STRING(f)	KEY_STRING, offsetof(struct config, f), 0, NULL
#define BOOL(f)		KEY_BOOL, offsetof(struct config, f), 0, NULL
#define UINT(f, max)	KEY_UINT, offsetof(struct config, f), (max), NULL
static const struct key keys[] = {
	{ "Socket", FN(key_socket), false, print_socket },
	{ "AuthservID", FN(key_authserv_id), false, print_authserv_id },
	{ "UserID", FN(key_userid), false, print_userid },
	{ "PidFile", STRING(pidfile), false, NULL },
	{ "UMask", FN(key_umask), false, print_umask },
	{ "Syslog", BOOL(syslog), false, NULL },
	{ "SyslogFacility", FN(key_syslog_facility), false,
	    print_syslog_facility },
	{ "TrustAnchorFile", FN(key_trust_anchor), true, print_trust_anchor },
	{ "ResolverConfig", FN(key_resolver_config), false,
	    print_resolver_config },
	{ "Nameservers", FN(key_nameservers), false, print_nameservers },
	{ "ResolverThreads", UINT(resolver_threads,
	    CONFIG_MAX_RESOLVER_THREADS), false, NULL },
	{ "DNSTimeout", UINT(dns_timeout, CONFIG_MAX_TIMEOUT), false, NULL },
	{ "MaxPTRNames", UINT(max_ptr_names, CONFIG_MAX_MAXPTR), false, NULL },
	{ "AnswerCacheSize", FN(key_answer_cache_size), false,
	    print_answer_cache_size },
	{ "TrustedNetworks", FN(key_trusted), true, print_trusted },
	{ "SkipAuthenticated", BOOL(skip_authenticated), false, NULL },
	{ "ExemptRecipients", FN(key_exempt), false, print_exempt },
	{ "GenericRules", FN(key_generic_rules), false, print_generic_rules },
	{ "GenericPatterns", FN(key_generic_patterns), false,
	    print_generic_patterns },
	{ "GenericDisable", FN(key_generic_disable), false,
	    print_generic_disable },
	{ "MailRoleWords", FN(key_mail_role_words), false,
	    print_mail_role_words },
	{ "AllowDomains", FN(key_allow_domains), true, print_allow_domains },
	{ "DryRun", BOOL(dry_run), false, NULL },
	{ "MetricsListen", FN(key_metrics_listen), false,
	    print_metrics_listen },
	{ "Policy", FN(key_policy), true, print_policy },
};
#undef FN
#undef STRING
#undef BOOL
#undef UINT

_Static_assert(sizeof keys / sizeof keys[0] <= CONFIG_NKEYS_MAX,
    "struct parse seen[] is too small");

size_t
conf_key_count(void)
{
	return sizeof keys / sizeof keys[0];
}

const char *
conf_key_name(size_t i)
{
	return i < conf_key_count() ? keys[i].name : NULL;
}

bool
conf_key_multi(size_t i)
{
	return i < conf_key_count() && keys[i].multi;
}

bool
conf_key_printable(size_t i)
{
	return i < conf_key_count() &&
	    (keys[i].type != KEY_FN || keys[i].print != NULL);
}

int
conf_key_print(const struct config *cf, size_t i, FILE *fp)
{
	const struct key *k;
	const void *field;

	if (!conf_key_printable(i))
		return -1;
	k = &keys[i];
	field = (const char *)cf + k->off;
	switch (k->type) {
	case KEY_STRING:
		if (*(char *const *)field != NULL)
			fprintf(fp, "%s\n", *(char *const *)field);
		break;
	case KEY_BOOL:
		fprintf(fp, "%s\n", *(const bool *)field ? "yes" : "no");
		break;
	case KEY_UINT:
		/* 0 is "not set" (ResolverThreads: one per CPU). */
		if (*(const unsigned *)field != 0)
			fprintf(fp, "%u\n", *(const unsigned *)field);
		break;
	case KEY_FN:
		k->print(cf, fp);
		break;
	}
	return 0;
}

/*
 * The effective configuration (config_print(), "rdns-milter -n -v"), in
 * the manner of "postconf": every key of the table, in its order, with the
 * value in force, written in the file's own syntax so that the output can
 * be pasted back.  A value is marked "# default" when the same printer
 * writes the same text for the built-in defaults (config_new_default()).
 */

/* Column of the values: the longest key ("SkipAuthenticated") and more. */
#define KEY_WIDTH	18

/* What a key without a value means, for the keys where "not set" alone
 * would not say. */
static const struct {
	const char	*key;
	const char	*means;
} unset_means[] = {
	{ "UserID", "keep the starting user" },
	{ "Nameservers", "full recursion from the root" },
	{ "ResolverThreads", "one per CPU, at most 8" },
	{ "GenericRules", "the shipped rules file alone" },
	{ "GenericPatterns", "the shipped rules file" },
	{ "GenericDisable", "every rule on" },
	{ "MetricsListen", "no metrics server" },
	{ "Policy", "tag only, refuse nothing" },
};

static void
print_unset(FILE *fp, const char *name, bool is_default)
{
	const char *means = NULL;
	size_t i;

	for (i = 0; i < sizeof unset_means / sizeof unset_means[0]; i++)
		if (strcmp(unset_means[i].key, name) == 0)
			means = unset_means[i].means;
	fprintf(fp, "#%-*s # %snot set%s%s%s\n", KEY_WIDTH - 1, name,
	    is_default ? "default: " : "", means != NULL ? " (" : "",
	    means != NULL ? means : "", means != NULL ? ")" : "");
}

/* The values of key i of cf as one string (malloc'd), or NULL. */
static char *
key_values(const struct config *cf, size_t i)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return NULL;
	rc = conf_key_print(cf, i, fp);
	if (fclose(fp) == EOF || rc == -1) {
		free(buf);
		return NULL;
	}
	return buf;
}

int
config_print(const struct config *cf, FILE *fp)
{
	struct config *def;
	size_t i;
	int rc = 0;

	if ((def = config_new_default()) == NULL)
		return -1;
	for (i = 0; i < conf_key_count() && rc == 0; i++) {
		const char *name = conf_key_name(i);
		char *mine = key_values(cf, i), *dflt = key_values(def, i);
		char *line, *save = NULL;
		bool is_default;

		if (mine == NULL || dflt == NULL) {
			rc = -1;
		} else if (mine[0] == '\0') {
			print_unset(fp, name, dflt[0] == '\0');
		} else {
			is_default = strcmp(mine, dflt) == 0;
			for (line = strtok_r(mine, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save))
				fprintf(fp, "%-*s %s%s\n", KEY_WIDTH, name,
				    line, is_default ? "  # default" : "");
		}
		free(mine);
		free(dflt);
	}
	config_free(def);
	if (fflush(fp) == EOF || ferror(fp))
		rc = -1;
	return rc;
}

/*
 * Lines.
 */

/* Store val for key k.  @return 0, or -1 after reporting. */
static int
set_value(struct parse *p, const struct key *k, const char *val)
{
	void *field = (char *)p->cf + k->off;

	switch (k->type) {
	case KEY_STRING:
		return conf_set_string(p, field, val);
	case KEY_BOOL:
		if (config_parse_bool(val, field) == -1) {
			conf_perr(p, "%s: bad value '%s' (want yes or no)",
			    k->name, Q(val));
			return -1;
		}
		return 0;
	case KEY_UINT:
		if (conf_parse_uint(val, 1, k->max, field) == -1) {
			conf_perr(p, "%s: bad value '%s' (want a number from 1 "
			    "to %u)", k->name, Q(val), k->max);
			return -1;
		}
		return 0;
	case KEY_FN:
		break;
	}
	return k->fn(p, val);
}

static void
parse_line(struct parse *p, char *line)
{
	char *key, *val, *end, *c;
	size_t i;

	/* '#' starts a comment at line start or after white space. */
	for (c = line; *c != '\0'; c++) {
		if (*c == '#' && (c == line || text_is_blank(c[-1]))) {
			*c = '\0';
			break;
		}
	}
	key = line;
	while (text_is_blank(*key))
		key++;
	if (*key == '\0')
		return;
	for (val = key; *val != '\0' && !text_is_blank(*val); val++)
		;
	if (*val != '\0')
		*val++ = '\0';
	while (text_is_blank(*val))
		val++;
	end = val + strlen(val);
	while (end > val && text_is_blank(end[-1]))
		*--end = '\0';

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (str_ieq(key, keys[i].name))
			break;
	if (i == sizeof keys / sizeof keys[0]) {
		conf_perr(p, "unknown key '%s'", Q(key));
		return;
	}
	if (*val == '\0') {
		conf_perr(p, "%s: missing value", keys[i].name);
		return;
	}
	for (c = val; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if (text_is_cntrl(u) && u != '\t') {
			conf_perr(p, "%s: control character in value",
			    keys[i].name);
			return;
		}
	}
	if (!keys[i].multi) {
		if (p->seen[i] != 0) {
			conf_perr(p, "%s given twice (first at line %d)",
			    keys[i].name, p->seen[i]);
			return;
		}
		p->seen[i] = p->line;
	}
	(void)set_value(p, &keys[i], val);
}

static int
source_getc(struct source *src)
{
	if (src->fp != NULL)
		return getc(src->fp);
	if (src->pos >= src->len)
		return EOF;
	return (unsigned char)src->s[src->pos++];
}

/* Read and parse every line.  @return 0, or -1 on a read error. */
static int
parse_source(struct parse *p, struct source *src)
{
	char buf[CONFIG_LINE_MAX + 1];
	size_t n;
	bool nul, toolong;
	int c;

	for (;;) {
		n = 0;
		nul = toolong = false;
		while ((c = source_getc(src)) != EOF && c != '\n') {
			if (c == '\0')
				nul = true;
			if (n < CONFIG_LINE_MAX)
				buf[n++] = (char)c;
			else
				toolong = true;
		}
		if (c == EOF && src->fp != NULL && ferror(src->fp))
			return -1;
		if (c == EOF && n == 0 && !toolong)
			return 0;
		p->line++;
		if (n > 0 && buf[n - 1] == '\r')
			n--;		/* CRLF files */
		buf[n] = '\0';
		if (toolong)
			conf_perr(p, "line too long (more than %d bytes)",
			    CONFIG_LINE_MAX);
		else if (nul)
			conf_perr(p, "NUL byte in line");
		else
			parse_line(p, buf);
		if (c == EOF)
			return 0;
	}
}

/*
 * Building and freeing.
 */

void
config_free(struct config *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	free(cf->file);
	free(cf->socket);
	free(cf->authserv_id);
	free(cf->userid);
	free(cf->user_name);
	free(cf->group_name);
	free(cf->user_err);
	free(cf->pidfile);
	conf_strv_free(cf->trust_anchor_files, cf->n_trust_anchor_files);
	free(cf->trust_anchor_lines);
	free(cf->resolver_config);
	conf_strv_free(cf->nameservers, cf->n_nameservers);
	free(cf->trusted);
	conf_strv_free(cf->exempt, cf->n_exempt);
	free(cf->generic_rules_file);
	free(cf->generic_patterns_file);
	conf_strv_free(cf->generic_disable, cf->n_generic_disable);
	generic_patterns_free(cf->generic);
	generic_roles_free(cf->mail_roles);
	free(cf->mail_role_words);
	conf_strv_free(cf->allow_domains, cf->n_allow_domains);
	free(cf->metrics_listen);
	for (i = 0; i < cf->n_policies; i++)
		free(cf->policies[i].domain);
	free(cf->policies);
	free(cf);
}

/* The host name for AuthservID, or "localhost". */
static int
default_authserv_id(struct parse *p)
{
	char host[CONFIG_HOSTNAME_BUF];

	if (gethostname(host, sizeof host) == -1)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	return conf_set_string(p, &p->cf->authserv_id,
	    text_is_token(host) ? host : "localhost");
}

/* Fill in the defaults that a line may later replace. */
static int
set_defaults(struct parse *p)
{
	struct config *cf = p->cf;

	cf->umask = 007;
	cf->syslog = true;
	cf->syslog_facility = LOG_MAIL;
	cf->dns_timeout = CONFIG_DEFAULT_TIMEOUT;
	cf->max_ptr_names = CONFIG_DEFAULT_MAXPTR;
	cf->answer_cache_size = RESOLVER_CACHE_DEFAULT;
	cf->skip_authenticated = true;
	cf->dry_run = false;
	if (conf_socket_set(p, CONFIG_DEFAULT_SOCKET) == -1)
		return -1;
	if (conf_split_list(p, "TrustedNetworks", DEFAULT_TRUSTED, trusted_item,
	    NULL) == -1)
		return -1;
	if (conf_split_list(p, "ExemptRecipients", DEFAULT_EXEMPT, exempt_item,
	    NULL) == -1)
		return -1;
	return 0;
}

/* Defaults that depend on whether a key was seen at all. */
static int
finish(struct parse *p)
{
	struct config *cf = p->cf;

	if (cf->authserv_id == NULL && default_authserv_id(p) == -1)
		return -1;
	if (p->ta_none_line == 0 && p->ta_file_line == 0 &&
	    conf_trust_anchor_add(p, CONFIG_DEFAULT_TA_FILE, 0) == -1)
		return -1;
	if (cf->mail_roles == NULL &&
	    (cf->mail_roles = generic_roles_new_default()) == NULL) {
		conf_perr(p, "out of memory");
		return -1;
	}
	/* Without a suffix list no name has an organizational domain:
	 * nothing could be judged generic, no HELO aligned. */
	if (!orgdomain_available()) {
		conf_perr(p, "no Public Suffix List could be loaded (install the "
		    "publicsuffix package)");
		return -1;
	}
	return 0;
}

static struct config *
load(const char *name, const char *path, struct source *src,
    config_error_fn *errfn, void *arg)
{
	struct parse p;
	char safe[PATH_MAX];
	int rc;

	memset(&p, 0, sizeof p);
	p.name = text_sanitize(TEXT_PRINT, safe, sizeof safe, name,
	    strlen(name));
	p.errfn = errfn;
	p.arg = arg;
	if ((p.cf = calloc(1, sizeof *p.cf)) == NULL) {
		conf_perr(&p, "out of memory");
		return NULL;
	}
	if (path != NULL && conf_set_string(&p, &p.cf->file, path) == -1)
		goto fail;
	if (set_defaults(&p) == -1)
		goto fail;
	rc = parse_source(&p, src);
	if (rc == -1) {
		char msg[PATH_MAX + 256];

		(void)snprintf(msg, sizeof msg, "%s: %s", p.name,
		    strerror(errno));
		conf_perr_raw(&p, msg);
		goto fail;
	}
	p.line = 0;
	/* The generic rules load after every line (their keys may come in
	 * any order) and even after errors, so that -n lists them all. */
	(void)conf_generic_load(&p);
	if (p.nerr == 0 && finish(&p) == -1)
		goto fail;
	if (p.nerr == 0)
		return p.cf;
fail:
	config_free(p.cf);
	return NULL;
}

/*
 * Open a configuration file for reading, refusing one that is not a
 * regular file (a FIFO, device or directory) or that anybody may write
 * (like sshd's StrictModes and OpenDKIM): whoever can write it decides
 * what the filter does.  The checks are made on the opened descriptor,
 * so the file cannot be swapped between check and use, and O_NONBLOCK
 * keeps open() from waiting for a writer on a FIFO.
 * @return the stream, or NULL after reporting "FILE: message".
 */
static FILE *
open_config(const char *file, config_error_fn *errfn, void *arg)
{
	char safe[PATH_MAX], msg[PATH_MAX + 256];
	const char *why = NULL;
	struct stat st;
	FILE *fp = NULL;
	int fd, fl;

	(void)text_sanitize(TEXT_PRINT, safe, sizeof safe, file,
	    strlen(file));
	fd = open(file, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file, refusing it";
	else if ((st.st_mode & S_IWOTH) != 0)
		why = "world-writable, refusing it";
	else if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL)
		why = strerror(errno);
	if (why != NULL) {
		(void)snprintf(msg, sizeof msg, "%s: %s", safe, why);
		if (fd != -1)
			(void)close(fd);
		conf_report(errfn, arg, msg);
		return NULL;
	}
	return fp;
}

struct config *
config_load(const char *file, config_error_fn *errfn, void *arg)
{
	struct source src;
	struct config *cf;

	memset(&src, 0, sizeof src);
	if ((src.fp = open_config(file, errfn, arg)) == NULL)
		return NULL;
	cf = load(file, file, &src, errfn, arg);
	(void)fclose(src.fp);
	return cf;
}

struct config *
config_load_string(const char *name, const char *text,
    config_error_fn *errfn, void *arg)
{
	struct source src;

	memset(&src, 0, sizeof src);
	src.s = text;
	src.len = strlen(text);
	return load(name != NULL ? name : "(string)", NULL, &src, errfn,
	    arg);
}

struct config *
config_new_default(void)
{
	return config_load_string("(defaults)", "", NULL, NULL);
}

struct config *
config_load_daemon(const char *file, bool defaults_if_missing,
    config_error_fn *errfn, void *arg)
{
	struct config *cf;

	if (defaults_if_missing && access(file, F_OK) == -1 &&
	    errno == ENOENT)
		cf = config_new_default();
	else
		cf = config_load(file, errfn, arg);
	if (cf != NULL && conf_resolve_user(cf) == -1) {
		conf_report(errfn, arg, "out of memory");
		config_free(cf);
		cf = NULL;
	}
	return cf;
}

void
config_check_params(const struct config *cf, struct check_params *cp)
{
	memset(cp, 0, sizeof *cp);
	cp->max_ptr_names = cf->max_ptr_names;
	cp->generic = cf->generic;
	cp->roles = cf->mail_roles;
	cp->allow = cf->allow_domains;
	cp->n_allow = cf->n_allow_domains;
}

void
config_resolver_options(const struct config *cf, struct resolver_options *ro)
{
	memset(ro, 0, sizeof *ro);
	ro->trust_anchor_files = cf->trust_anchor_files;
	ro->n_trust_anchor_files = cf->n_trust_anchor_files;
	ro->resolver_config = cf->resolver_config;
	ro->nameservers = cf->nameservers;
	ro->n_nameservers = cf->n_nameservers;
	ro->threads = cf->resolver_threads;
	ro->cache_bytes = cf->answer_cache_size;
}


/* Does err start with "KEY VALUE:"? */
static bool
err_names(const char *err, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);

	return strncmp(err, key, kl) == 0 && err[kl] == ' ' &&
	    strncmp(err + kl + 1, value, vl) == 0 && err[kl + 1 + vl] == ':';
}

void
config_blame_resolver(const struct config *cf, char *err, size_t errlen)
{
	char file[PATH_MAX], *msg;
	int line = 0, only = 0, n = 0;
	size_t i;

	if (cf->file == NULL || errlen == 0 || err[0] == '\0')
		return;
	if (cf->resolver_config != NULL &&
	    err_names(err, "ResolverConfig", cf->resolver_config))
		line = cf->resolver_config_line;
	for (i = 0; line == 0 && i < cf->n_trust_anchor_files; i++)
		if (err_names(err, "TrustAnchorFile",
		    cf->trust_anchor_files[i]))
			line = cf->trust_anchor_lines[i];
	for (i = 0; line == 0 && i < cf->n_nameservers; i++)
		if (err_names(err, "Nameservers", cf->nameservers[i]))
			line = cf->nameservers_line;
	/* libunbound's finalization names no file: if only one line could
	 * be behind it, that one. */
	if (line == 0 && strncmp(err, "the resolver cannot start",
	    strlen("the resolver cannot start")) == 0) {
		if (cf->resolver_config_line != 0)
			n++, only = cf->resolver_config_line;
		if (cf->nameservers_line != 0)
			n++, only = cf->nameservers_line;
		for (i = 0; i < cf->n_trust_anchor_files; i++)
			if (cf->trust_anchor_lines[i] != 0)
				n++, only = cf->trust_anchor_lines[i];
		if (n == 1)
			line = only;
	}
	if (line == 0 || (msg = strdup(err)) == NULL)
		return;
	(void)text_sanitize(TEXT_PRINT, file, sizeof file, cf->file,
	    strlen(cf->file));
	(void)snprintf(err, errlen, "%s:%d: %s", file, line, msg);
	free(msg);
}
