/*
 * conf.c - rdns-milter.conf: key table, parser, immutable snapshots.
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

/* Longest accepted line, without the newline.  Nothing legitimate comes
 * near it; a longer line is an error rather than silently cut. */
#define CONFIG_LINE_MAX		4096
/* RFC 8601 values are capped at 255 bytes in our headers (SPEC 3.1). */
#define CONFIG_AUTHSERV_MAX	255
/* POSIX HOST_NAME_MAX is 255 on Linux; one more for the NUL. */
#define CONFIG_HOSTNAME_BUF	256

/* Room for the key table (checked at compile time). */
#define CONFIG_NKEYS_MAX	32

#define DEFAULT_TRUSTED		"127.0.0.0/8, ::1/128"
#define DEFAULT_EXEMPT		"postmaster abuse"

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
};

/*
 * Messages.
 */

static void perr(struct parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(config_error_fn *errfn, void *arg, const char *msg)
{
	if (errfn != NULL)
		errfn(arg, msg);
}

/* Report "FILE:LINE: message". */
static void
vperr(struct parse *p, const char *fmt, va_list ap)
{
	char msg[1024], out[PATH_MAX + sizeof msg + 32];

	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	(void)snprintf(out, sizeof out, "%s:%d: %s", p->name, p->line, msg);
	p->nerr++;
	report(p->errfn, p->arg, out);
}

static void
perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(p, fmt, ap);
	va_end(ap);
}

/* perr() for conf_policy.c, which does not know struct parse. */
static void perr_any(void *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
perr_any(void *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(p, fmt, ap);
	va_end(ap);
}

const char *
conf_quote(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	log_sanitize(buf, size, s, n);
	if (n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}


/*
 * Small helpers.
 */

static bool
is_space(int c)
{
	return c == ' ' || c == '\t';
}

static char *
dup_or_oom(struct parse *p, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		perr(p, "out of memory");
	return d;
}

/* Replace *slot with a copy of s. */
static int
set_string(struct parse *p, char **slot, const char *s)
{
	char *d;

	if ((d = dup_or_oom(p, s)) == NULL)
		return -1;
	free(*slot);
	*slot = d;
	return 0;
}

/* Append a copy of s to a string vector. */
static int
strv_add(struct parse *p, char ***v, size_t *n, const char *s)
{
	char **nv, *d;

	if ((d = dup_or_oom(p, s)) == NULL)
		return -1;
	if ((nv = reallocarray(*v, *n + 1, sizeof *nv)) == NULL) {
		free(d);
		perr(p, "out of memory");
		return -1;
	}
	nv[(*n)++] = d;
	*v = nv;
	return 0;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * Split a list on commas and white space.  Calls fn for each item (NUL
 * terminated in a private copy); returns -1 if any call failed or the
 * list is empty.
 */
static int
split_list(struct parse *p, const char *key, const char *value,
    int (*fn)(struct parse *, const char *, void *), void *fnarg)
{
	char *copy, *item, *save = NULL;
	int rc = 0, n = 0;

	if ((copy = dup_or_oom(p, value)) == NULL)
		return -1;
	for (item = strtok_r(copy, ", \t", &save); item != NULL;
	    item = strtok_r(NULL, ", \t", &save)) {
		n++;
		if (fn(p, item, fnarg) == -1)
			rc = -1;
	}
	free(copy);
	if (n == 0) {
		perr(p, "%s: empty list", key);
		return -1;
	}
	return rc;
}

/* Decimal integer in [min, max]: digits only. */
static int
parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0;
	const char *c;

	if (*s == '\0')
		return -1;
	for (c = s; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (str_ieq(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (str_ieq(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Longest "[ADDR6]:PORT": an IPv6 literal (INET6_ADDRSTRLEN counts its
 * NUL), two brackets, ':' and 5 digits. */
#define CONFIG_LISTEN_MAX	(INET6_ADDRSTRLEN - 1 + 2 + 1 + 5)

int
config_parse_listen(const char *s, struct sockaddr_storage *out,
    socklen_t *outlen, const char **why)
{
	char addr[INET6_ADDRSTRLEN];
	const char *port, *end;
	struct sockaddr_in *sin = (struct sockaddr_in *)out;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
	unsigned p;
	size_t n;
	int family;

	memset(out, 0, sizeof *out);
	*outlen = 0;
	if (strlen(s) > CONFIG_LISTEN_MAX) {
		*why = "value too long";
		return -1;
	}
	if (s[0] == '[') {
		/* "[ADDR6]:PORT" */
		if ((end = strchr(s, ']')) == NULL || end[1] != ':') {
			*why = "want [ADDR6]:PORT";
			return -1;
		}
		family = AF_INET6;
		n = (size_t)(end - (s + 1));
		s++;
		port = end + 2;
	} else if ((end = strchr(s, ':')) != NULL) {
		/* "ADDR:PORT": exactly one ':', so a bare IPv6 literal
		 * (ambiguous with its port) is refused. */
		if (strchr(end + 1, ':') != NULL) {
			*why = "write an IPv6 address as [ADDR6]:PORT";
			return -1;
		}
		family = AF_INET;
		n = (size_t)(end - s);
		port = end + 1;
	} else {
		/* "PORT": loopback only. */
		family = AF_INET;
		n = 0;
		port = s;
	}
	if (parse_uint(port, 1, 65535, &p) == -1) {
		*why = "port must be a number from 1 to 65535";
		return -1;
	}
	if (n >= sizeof addr) {
		*why = "not an IP address";
		return -1;
	}
	if (n == 0 && port != s) {
		*why = "empty address";
		return -1;
	}
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (family == AF_INET6) {
		if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1) {
			*why = "not an IPv6 address";
			return -1;
		}
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*outlen = sizeof *sin6;
		return 0;
	}
	if (inet_pton(AF_INET, n == 0 ? "127.0.0.1" : addr,
	    &sin->sin_addr) != 1) {
		*why = "not an IPv4 address";
		return -1;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)p);
	*outlen = sizeof *sin;
	return 0;
}

/*
 * Key handlers.  Each returns 0, or -1 after reporting through perr().
 */

static int
key_socket(struct parse *p, const char *v)
{
	const char *colon = strchr(v, ':'), *rest, *at;
	size_t plen;
	unsigned port;
	bool ok = false;

	if (v[0] == '/') {
		ok = true;		/* libmilter: a bare path is local */
	} else if (colon != NULL) {
		plen = (size_t)(colon - v);
		rest = colon + 1;
		if ((plen == 5 && str_nieq(v, "local", 5)) ||
		    (plen == 4 && str_nieq(v, "unix", 4))) {
			ok = rest[0] != '\0';
		} else if ((plen == 4 && str_nieq(v, "inet", 4)) ||
		    (plen == 5 && str_nieq(v, "inet6", 5))) {
			char portbuf[8];
			size_t n;

			at = strchr(rest, '@');
			n = at != NULL ? (size_t)(at - rest) : strlen(rest);
			if (n > 0 && n < sizeof portbuf) {
				memcpy(portbuf, rest, n);
				portbuf[n] = '\0';
				ok = parse_uint(portbuf, 1, 65535, &port) == 0;
			}
			if (at != NULL && at[1] == '\0')
				ok = false;
		}
	}
	if (ok && strpbrk(v, " \t") != NULL)
		ok = false;
	if (!ok) {
		perr(p, "Socket: bad socket '%s' (want local:/path, "
		    "unix:/path, inet:PORT@HOST or inet6:PORT@HOST)", Q(v));
		return -1;
	}
	return set_string(p, &p->cf->socket, v);
}

static int
key_authserv_id(struct parse *p, const char *v)
{
	if (strlen(v) > CONFIG_AUTHSERV_MAX || !str_is_token(v)) {
		perr(p, "AuthservID: '%s' is not a valid authserv-id "
		    "(an RFC 2045 token of at most 255 bytes, such as a "
		    "host name)", Q(v));
		return -1;
	}
	return set_string(p, &p->cf->authserv_id, v);
}

static int
key_userid(struct parse *p, const char *v)
{
	const char *colon = strchr(v, ':');

	if (v[0] == ':' || strpbrk(v, " \t") != NULL ||
	    (colon != NULL && (colon[1] == '\0' ||
	    strchr(colon + 1, ':') != NULL))) {
		perr(p, "UserID: bad value '%s' (want user or user:group)",
		    Q(v));
		return -1;
	}
	return set_string(p, &p->cf->userid, v);
}

static int
key_umask(struct parse *p, const char *v)
{
	size_t n = strlen(v), i;
	unsigned m = 0;

	for (i = 0; i < n && n <= 4; i++) {
		if (v[i] < '0' || v[i] > '7')
			break;
		m = m * 8 + (unsigned)(v[i] - '0');
	}
	if (n == 0 || n > 4 || i < n || m > 0777) {
		perr(p, "UMask: bad value '%s' (want an octal mask such as "
		    "007 or 022)", Q(v));
		return -1;
	}
	p->cf->umask = (mode_t)m;
	return 0;
}

static int
key_syslog_facility(struct parse *p, const char *v)
{
	static const struct {
		const char	*name;
		int		 fac;
	} facs[] = {
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
		{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON },
		{ "ftp", LOG_FTP }, { "lpr", LOG_LPR },
		{ "mail", LOG_MAIL }, { "news", LOG_NEWS },
		{ "syslog", LOG_SYSLOG }, { "user", LOG_USER },
		{ "uucp", LOG_UUCP },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; i < sizeof facs / sizeof facs[0]; i++) {
		if (str_ieq(v, facs[i].name)) {
			p->cf->syslog_facility = facs[i].fac;
			return 0;
		}
	}
	perr(p, "SyslogFacility: unknown facility '%s' (want mail, daemon, "
	    "user, local0 ... local7, ...)", Q(v));
	return -1;
}

static int
key_trust_anchor(struct parse *p, const char *v)
{
	struct config *cf = p->cf;

	if (str_ieq(v, "none")) {
		if (p->ta_file_line != 0) {
			perr(p, "TrustAnchorFile: 'none' conflicts with the "
			    "file given at line %d", p->ta_file_line);
			return -1;
		}
		if (p->ta_none_line == 0)
			p->ta_none_line = p->line;
		return 0;
	}
	if (p->ta_none_line != 0) {
		perr(p, "TrustAnchorFile: a file conflicts with 'none' at "
		    "line %d", p->ta_none_line);
		return -1;
	}
	if (p->ta_file_line == 0)
		p->ta_file_line = p->line;
	return strv_add(p, &cf->trust_anchor_files, &cf->n_trust_anchor_files,
	    v);
}

static int
nameserver_item(struct parse *p, const char *item, void *arg)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	const char *at = strchr(item, '@');
	size_t n = at != NULL ? (size_t)(at - item) : strlen(item);
	unsigned port;

	(void)arg;
	if (n == 0 || n >= sizeof addr)
		goto bad;
	memcpy(addr, item, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, bin) != 1 &&
	    inet_pton(AF_INET6, addr, bin) != 1)
		goto bad;
	if (at != NULL && parse_uint(at + 1, 1, 65535, &port) == -1)
		goto bad;
	return strv_add(p, &p->cf->nameservers, &p->cf->n_nameservers, item);
bad:
	perr(p, "Nameservers: bad address '%s' (want an IPv4 or IPv6 "
	    "address, optionally @PORT)", Q(item));
	return -1;
}

static int
key_nameservers(struct parse *p, const char *v)
{
	return split_list(p, "Nameservers", v, nameserver_item, NULL);
}

static int
trusted_item(struct parse *p, const char *item, void *arg)
{
	struct config *cf = p->cf;
	struct cidr c, *nv;
	char err[256];

	(void)arg;
	err[0] = '\0';
	if (cidr_parse(item, &c, err, sizeof err) == -1) {
		/* cidr_parse() quotes the (sanitised) item itself. */
		if (err[0] != '\0')
			perr(p, "TrustedNetworks: %s", err);
		else
			perr(p, "TrustedNetworks: bad network '%s'", Q(item));
		return -1;
	}
	if ((nv = reallocarray(cf->trusted, cf->n_trusted + 1,
	    sizeof *nv)) == NULL) {
		perr(p, "out of memory");
		return -1;
	}
	nv[cf->n_trusted++] = c;
	cf->trusted = nv;
	return 0;
}

static int
key_trusted(struct parse *p, const char *v)
{
	/* The first line replaces the default list, later lines add. */
	if (!p->trusted_set) {
		p->trusted_set = true;
		p->cf->n_trusted = 0;
	}
	return split_list(p, "TrustedNetworks", v, trusted_item, NULL);
}

static int
exempt_item(struct parse *p, const char *item, void *arg)
{
	struct config *cf = p->cf;
	const unsigned char *c;
	size_t n = cf->n_exempt;

	(void)arg;
	for (c = (const unsigned char *)item; *c != '\0'; c++) {
		if (*c <= 0x20 || *c >= 0x7f || *c == '@' || *c == '"')
			break;
	}
	if (*c != '\0') {
		perr(p, "ExemptRecipients: bad local part '%s' (want local "
		    "parts such as postmaster, without @domain)", Q(item));
		return -1;
	}
	if (strv_add(p, &cf->exempt, &cf->n_exempt, item) == -1)
		return -1;
	str_lower(cf->exempt[n]);
	return 0;
}

static int
key_exempt(struct parse *p, const char *v)
{
	strv_free(p->cf->exempt, p->cf->n_exempt);
	p->cf->exempt = NULL;
	p->cf->n_exempt = 0;
	if (str_ieq(v, "none"))
		return 0;
	return split_list(p, "ExemptRecipients", v, exempt_item, NULL);
}

static int
key_metrics_listen(struct parse *p, const char *v)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	const char *why = "";

	if (config_parse_listen(v, &ss, &sslen, &why) == -1) {
		perr(p, "MetricsListen: bad value '%s': %s (want PORT, "
		    "ADDR:PORT or [ADDR6]:PORT)", Q(v), why);
		return -1;
	}
	return set_string(p, &p->cf->metrics_listen, v);
}

static int
key_generic_patterns(struct parse *p, const char *v)
{
	struct generic_patterns *gp;
	char err[1024];

	if (set_string(p, &p->cf->generic_patterns_file, v) == -1)
		return -1;
	err[0] = '\0';
	if ((gp = generic_patterns_load(v, err, sizeof err)) == NULL) {
		char safe[sizeof err];

		/* The loader's message already names its file and line. */
		if (err[0] == '\0') {
			perr(p, "GenericPatterns: cannot load '%s'", Q(v));
			return -1;
		}
		p->nerr++;
		report(p->errfn, p->arg,
		    log_sanitize(safe, sizeof safe, err, sizeof err));
		return -1;
	}
	generic_patterns_free(p->cf->generic);
	p->cf->generic = gp;
	return 0;
}

static int
allow_item(struct parse *p, const char *item, void *arg)
{
	char domain[CONF_DOMAIN_MAX + 2];
	const char *why = "";

	(void)arg;
	if (strcmp(item, "*") == 0) {
		perr(p, "AllowDomains: '*' would exempt every client; list "
		    "domains (example.com, .example.com)");
		return -1;
	}
	if (conf_policy_domain(item, domain, &why) == -1) {
		perr(p, "AllowDomains: bad domain '%s' (%s)", Q(item), why);
		return -1;
	}
	return strv_add(p, &p->cf->allow_domains, &p->cf->n_allow_domains,
	    domain);
}

static int
key_allow_domains(struct parse *p, const char *v)
{
	return split_list(p, "AllowDomains", v, allow_item, NULL);
}

static int
key_mail_role_words(struct parse *p, const char *v)
{
	struct generic_roles *gr;
	char err[256];

	if ((gr = generic_roles_new(v, err, sizeof err)) == NULL) {
		perr(p, "MailRoleWords: %s", err);
		return -1;
	}
	generic_roles_free(p->cf->mail_roles);
	p->cf->mail_roles = gr;
	return 0;
}

static int
key_policy(struct parse *p, const char *v)
{
	struct config *cf = p->cf;
	struct policy pol, *nv;
	char domain[CONF_DOMAIN_MAX + 2];
	int rc;
	size_t i;

	if ((rc = conf_policy_parse(v, &pol, domain, perr_any, p)) == -2)
		return -1;
	for (i = 0; i < cf->n_policies; i++) {
		if (strcmp(cf->policies[i].domain, domain) == 0) {
			perr(p, "Policy for %s given twice (first at line %d)",
			    domain, cf->policies[i].line);
			return -1;
		}
	}
	if (rc == -1)
		return -1;
	if ((pol.domain = dup_or_oom(p, domain)) == NULL)
		return -1;
	pol.line = p->line;
	if ((nv = reallocarray(cf->policies, cf->n_policies + 1,
	    sizeof *nv)) == NULL) {
		free(pol.domain);
		perr(p, "out of memory");
		return -1;
	}
	nv[cf->n_policies++] = pol;
	cf->policies = nv;
	return 0;
}

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
	{ "Socket",		FN(key_socket),			false },
	{ "AuthservID",		FN(key_authserv_id),		false },
	{ "UserID",		FN(key_userid),			false },
	{ "PidFile",		STRING(pidfile),		false },
	{ "UMask",		FN(key_umask),			false },
	{ "Syslog",		BOOL(syslog),			false },
	{ "SyslogFacility",	FN(key_syslog_facility),	false },
	{ "TrustAnchorFile",	FN(key_trust_anchor),		true },
	{ "ResolverConfig",	STRING(resolver_config),	false },
	{ "Nameservers",	FN(key_nameservers),		false },
	{ "ResolverThreads",	UINT(resolver_threads,
				    CONFIG_MAX_RESOLVER_THREADS),	false },
	{ "DNSTimeout",		UINT(dns_timeout, CONFIG_MAX_TIMEOUT), false },
	{ "MaxPTRNames",	UINT(max_ptr_names, CONFIG_MAX_MAXPTR), false },
	{ "TrustedNetworks",	FN(key_trusted),		true },
	{ "SkipAuthenticated",	BOOL(skip_authenticated),	false },
	{ "ExemptRecipients",	FN(key_exempt),			false },
	{ "GenericPatterns",	FN(key_generic_patterns),	false },
	{ "MailRoleWords",	FN(key_mail_role_words),	false },
	{ "AllowDomains",	FN(key_allow_domains),		true },
	{ "DryRun",		BOOL(dry_run),			false },
	{ "MetricsListen",	FN(key_metrics_listen),		false },
	{ "Policy",		FN(key_policy),			true },
};
#undef FN
#undef STRING
#undef BOOL
#undef UINT

_Static_assert(sizeof keys / sizeof keys[0] <= CONFIG_NKEYS_MAX,
    "struct parse seen[] is too small");

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
		return set_string(p, field, val);
	case KEY_BOOL:
		if (config_parse_bool(val, field) == -1) {
			perr(p, "%s: bad value '%s' (want yes or no)",
			    k->name, Q(val));
			return -1;
		}
		return 0;
	case KEY_UINT:
		if (parse_uint(val, 1, k->max, field) == -1) {
			perr(p, "%s: bad value '%s' (want a number from 1 "
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
		if (*c == '#' && (c == line || is_space(c[-1]))) {
			*c = '\0';
			break;
		}
	}
	key = line;
	while (is_space(*key))
		key++;
	if (*key == '\0')
		return;
	for (val = key; *val != '\0' && !is_space(*val); val++)
		;
	if (*val != '\0')
		*val++ = '\0';
	while (is_space(*val))
		val++;
	end = val + strlen(val);
	while (end > val && is_space(end[-1]))
		*--end = '\0';

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (str_ieq(key, keys[i].name))
			break;
	if (i == sizeof keys / sizeof keys[0]) {
		perr(p, "unknown key '%s'", Q(key));
		return;
	}
	if (*val == '\0') {
		perr(p, "%s: missing value", keys[i].name);
		return;
	}
	for (c = val; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if ((u < 0x20 && u != '\t') || u == 0x7f) {
			perr(p, "%s: control character in value",
			    keys[i].name);
			return;
		}
	}
	if (!keys[i].multi) {
		if (p->seen[i] != 0) {
			perr(p, "%s given twice (first at line %d)",
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
			perr(p, "line too long (more than %d bytes)",
			    CONFIG_LINE_MAX);
		else if (nul)
			perr(p, "NUL byte in line");
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
	free(cf->pidfile);
	strv_free(cf->trust_anchor_files, cf->n_trust_anchor_files);
	free(cf->resolver_config);
	strv_free(cf->nameservers, cf->n_nameservers);
	free(cf->trusted);
	strv_free(cf->exempt, cf->n_exempt);
	free(cf->generic_patterns_file);
	generic_patterns_free(cf->generic);
	generic_roles_free(cf->mail_roles);
	strv_free(cf->allow_domains, cf->n_allow_domains);
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
	return set_string(p, &p->cf->authserv_id,
	    str_is_token(host) ? host : "localhost");
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
	cf->skip_authenticated = true;
	cf->dry_run = false;
	if (set_string(p, &cf->socket, CONFIG_DEFAULT_SOCKET) == -1)
		return -1;
	if (split_list(p, "TrustedNetworks", DEFAULT_TRUSTED, trusted_item,
	    NULL) == -1)
		return -1;
	if (split_list(p, "ExemptRecipients", DEFAULT_EXEMPT, exempt_item,
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
	    strv_add(p, &cf->trust_anchor_files, &cf->n_trust_anchor_files,
	    CONFIG_DEFAULT_TA_FILE) == -1)
		return -1;
	if (cf->generic == NULL && cf->generic_patterns_file == NULL &&
	    (cf->generic = generic_patterns_new_builtin()) == NULL) {
		perr(p, "out of memory");
		return -1;
	}
	if (cf->mail_roles == NULL &&
	    (cf->mail_roles = generic_roles_new_default()) == NULL) {
		perr(p, "out of memory");
		return -1;
	}
	/* Without a suffix list no name has an organizational domain:
	 * nothing could be judged generic, no HELO aligned. */
	if (!orgdomain_available()) {
		perr(p, "no Public Suffix List could be loaded (install the "
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
	p.name = log_sanitize(safe, sizeof safe, name, strlen(name));
	p.errfn = errfn;
	p.arg = arg;
	if ((p.cf = calloc(1, sizeof *p.cf)) == NULL) {
		perr(&p, "out of memory");
		return NULL;
	}
	if (path != NULL && set_string(&p, &p.cf->file, path) == -1)
		goto fail;
	if (set_defaults(&p) == -1)
		goto fail;
	rc = parse_source(&p, src);
	if (rc == -1) {
		char msg[PATH_MAX + 256];

		(void)snprintf(msg, sizeof msg, "%s: %s", p.name,
		    strerror(errno));
		p.nerr++;
		report(errfn, arg, msg);
		goto fail;
	}
	p.line = 0;
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

	(void)log_sanitize(safe, sizeof safe, file, strlen(file));
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
		report(errfn, arg, msg);
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
	if (defaults_if_missing && access(file, F_OK) == -1 &&
	    errno == ENOENT)
		return config_new_default();
	return config_load(file, errfn, arg);
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
}

