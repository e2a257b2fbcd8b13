/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_keys.c - the value of the daemon's, the resolver's and
 * TrustedNetworks' keys of rdns-milter.conf (SPEC 4; Policy and
 * ExemptRecipients are conf_policy.c's, the generic-name and allowlist
 * keys conf_generic.c's): the handlers the key table in conf.c points to,
 * and the typed values they parse once, at load: the
 * milter socket's file, the metrics listen address, the user and group
 * names and (config_load_daemon()) their ids.
 *
 * Each handler stores into the struct config being built, or reports
 * "FILE:LINE: message" through conf_perr() (conf_parse.c) and returns -1.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "anscache.h"
#include "cidr.h"
#include "conf.h"
#include "conf_int.h"
#include "log.h"
#include "orgdomain.h"
#include "strbuf.h"
#include "text.h"

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
	if (conf_parse_uint(port, 1, 65535, &p) == -1) {
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
 * Key handlers.  Each returns 0, or -1 after reporting through conf_perr().
 */

const char *
config_socket_path(const char *spec)
{
	/* The prefixes in any case, as key_socket() and libmilter take them. */
	if (str_nieq(spec, "local:", 6))
		return spec + 6;
	if (str_nieq(spec, "unix:", 5))
		return spec + 5;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

int
conf_socket_set(struct parse *p, const char *spec)
{
	if (conf_set_string(p, &p->cf->socket, spec) == -1)
		return -1;
	p->cf->socket_path = config_socket_path(p->cf->socket);
	return 0;
}

int
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
				ok = conf_parse_uint(portbuf, 1, 65535, &port) == 0;
			}
			if (at != NULL && at[1] == '\0')
				ok = false;
		}
	}
	if (ok && strpbrk(v, " \t") != NULL)
		ok = false;
	if (!ok) {
		conf_perr(p, "Socket: bad socket '%s' (want local:/path, "
		    "unix:/path, inet:PORT@HOST or inet6:PORT@HOST)", Q(v));
		return -1;
	}
	return conf_socket_set(p, v);
}

int
key_authserv_id(struct parse *p, const char *v)
{
	if (strlen(v) > CONFIG_AUTHSERV_MAX || !text_is_token(v)) {
		conf_perr(p, "AuthservID: '%s' is not a valid authserv-id "
		    "(an RFC 2045 token of at most 255 bytes, such as a "
		    "host name)", Q(v));
		return -1;
	}
	return conf_set_string(p, &p->cf->authserv_id, v);
}

int
key_userid(struct parse *p, const char *v)
{
	const char *colon = strchr(v, ':');

	if (v[0] == ':' || strpbrk(v, " \t") != NULL ||
	    (colon != NULL && (colon[1] == '\0' ||
	    strchr(colon + 1, ':') != NULL))) {
		conf_perr(p, "UserID: bad value '%s' (want user or user:group)",
		    Q(v));
		return -1;
	}
	if (conf_set_string(p, &p->cf->userid, v) == -1)
		return -1;
	free(p->cf->user_name);
	free(p->cf->group_name);
	p->cf->group_name = NULL;
	if ((p->cf->user_name = strndup(v, colon != NULL ?
	    (size_t)(colon - v) : strlen(v))) == NULL ||
	    (colon != NULL && (p->cf->group_name = conf_dup(p,
	    colon + 1)) == NULL)) {
		if (p->cf->user_name == NULL)
			conf_perr(p, "out of memory");
		return -1;
	}
	return 0;
}

/* Longest user name looked up (what the daemon always accepted). */
#define CONF_USER_NAME_MAX	255

/* cf->user_err = "UserID NAME: WHY".  @return 0, or -1 without memory. */
static int
user_err(struct config *cf, const char *name, const char *why)
{
	size_t n = strlen("UserID ") + strlen(name) + strlen(why) + 3;

	free(cf->user_err);
	if ((cf->user_err = malloc(n)) == NULL)
		return -1;
	(void)snprintf(cf->user_err, n, "UserID %s: %s", name, why);
	return 0;
}

/* getpwnam_r(3) / getgrnam_r(3) with a buffer that grows on ERANGE. */
static int
lookup_ids(const char *user, const char *group, uid_t *uid, gid_t *gid,
    int *missing)
{
	size_t size = 1024;
	char *buf = NULL, *nb;
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	int rc;

	*missing = 0;
	for (;;) {
		if ((nb = realloc(buf, size)) == NULL) {
			free(buf);
			return -1;
		}
		buf = nb;
		rc = getpwnam_r(user, &pw, buf, size, &pwp);
		if (rc == ERANGE && size < (1u << 20)) {
			size *= 2;
			continue;
		}
		if (pwp == NULL) {
			*missing = 1;		/* as getpwnam() said NULL */
			break;
		}
		*uid = pw.pw_uid;
		*gid = pw.pw_gid;
		if (group == NULL)
			break;
		rc = getgrnam_r(group, &gr, buf, size, &grp);
		if (rc == ERANGE && size < (1u << 20)) {
			size *= 2;
			continue;
		}
		if (grp == NULL)
			*missing = 2;
		else
			*gid = gr.gr_gid;
		break;
	}
	free(buf);
	return 0;
}

int
conf_resolve_user(struct config *cf)
{
	int missing;

	if (cf->userid == NULL)
		return 0;
	if (strlen(cf->user_name) > CONF_USER_NAME_MAX)
		return user_err(cf, cf->userid, "bad user name");
	if (lookup_ids(cf->user_name, cf->group_name, &cf->uid, &cf->gid,
	    &missing) == -1)
		return -1;
	if (missing == 1)
		return user_err(cf, cf->user_name, "no such user");
	if (missing == 2)
		return user_err(cf, cf->group_name, "no such group");
	return 0;
}

int
key_umask(struct parse *p, const char *v)
{
	size_t n = strlen(v), i;
	unsigned m = 0;

	for (i = 0; i < n && n <= 4; i++) {
		if (!text_is_odigit((unsigned char)v[i]))
			break;
		m = m * 8 + (unsigned)(v[i] - '0');
	}
	if (n == 0 || n > 4 || i < n || m > 0777) {
		conf_perr(p, "UMask: bad value '%s' (want an octal mask such as "
		    "007 or 022)", Q(v));
		return -1;
	}
	p->cf->umask = (mode_t)m;
	return 0;
}

static const struct {
	const char	*name;
	int		 fac;
} facilities[] = {
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

const char *
conf_syslog_facility_name(int fac)
{
	size_t i;

	for (i = 0; i < sizeof facilities / sizeof facilities[0]; i++)
		if (facilities[i].fac == fac)
			return facilities[i].name;
	return NULL;
}

/*
 * AnswerCacheSize: bytes, with an optional suffix K, M or G (powers of
 * 1024, either case); 0 turns the cache off, else ANSCACHE_MIN_BYTES to
 * CONFIG_MAX_CACHE_BYTES.
 */
int
key_answer_cache_size(struct parse *p, const char *v)
{
	unsigned long long n = 0, mult = 1;
	const char *c;

	for (c = v; text_is_digit((unsigned char)*c); c++) {
		n = n * 10 + (unsigned long long)(*c - '0');
		if (n > CONFIG_MAX_CACHE_BYTES)
			n = CONFIG_MAX_CACHE_BYTES + 1;	/* too large */
	}
	switch (*c) {
	case 'k': case 'K':
		mult = 1024;
		c++;
		break;
	case 'm': case 'M':
		mult = 1024 * 1024;
		c++;
		break;
	case 'g': case 'G':
		mult = 1024 * 1024 * 1024;
		c++;
		break;
	default:
		break;
	}
	if (c == v || !text_is_digit((unsigned char)v[0]) || *c != '\0') {
		conf_perr(p, "AnswerCacheSize: bad value '%s' (want bytes "
		    "with an optional K, M or G, such as 16M; 0 turns the "
		    "cache off)", Q(v));
		return -1;
	}
	if (n > CONFIG_MAX_CACHE_BYTES / mult) {
		conf_perr(p, "AnswerCacheSize: %s is too large (at most 4G)",
		    Q(v));
		return -1;
	}
	n *= mult;
	if (n != 0 && n < ANSCACHE_MIN_BYTES) {
		conf_perr(p, "AnswerCacheSize: %s is too small (0 turns the "
		    "cache off, else at least 64K)", Q(v));
		return -1;
	}
	p->cf->answer_cache_size = (size_t)n;
	return 0;
}

int
key_syslog_facility(struct parse *p, const char *v)
{
	size_t i;

	for (i = 0; i < sizeof facilities / sizeof facilities[0]; i++) {
		if (str_ieq(v, facilities[i].name)) {
			p->cf->syslog_facility = facilities[i].fac;
			return 0;
		}
	}
	conf_perr(p, "SyslogFacility: unknown facility '%s' (want mail, daemon, "
	    "user, local0 ... local7, ...)", Q(v));
	return -1;
}

int
conf_trust_anchor_add(struct parse *p, const char *file, int line)
{
	struct config *cf = p->cf;
	int *nl;

	if ((nl = reallocarray(cf->trust_anchor_lines,
	    cf->n_trust_anchor_files + 1, sizeof *nl)) == NULL) {
		conf_perr(p, "out of memory");
		return -1;
	}
	cf->trust_anchor_lines = nl;
	if (conf_strv_add(p, &cf->trust_anchor_files,
	    &cf->n_trust_anchor_files, file) == -1)
		return -1;
	nl[cf->n_trust_anchor_files - 1] = line;
	return 0;
}

int
key_trust_anchor(struct parse *p, const char *v)
{
	if (str_ieq(v, "none")) {
		if (p->ta_file_line != 0) {
			conf_perr(p, "TrustAnchorFile: 'none' conflicts with the "
			    "file given at line %d", p->ta_file_line);
			return -1;
		}
		if (p->ta_none_line == 0)
			p->ta_none_line = p->line;
		return 0;
	}
	if (p->ta_none_line != 0) {
		conf_perr(p, "TrustAnchorFile: a file conflicts with 'none' at "
		    "line %d", p->ta_none_line);
		return -1;
	}
	if (p->ta_file_line == 0)
		p->ta_file_line = p->line;
	return conf_trust_anchor_add(p, v, p->line);
}

int
key_resolver_config(struct parse *p, const char *v)
{
	p->cf->resolver_config_line = p->line;
	return conf_set_string(p, &p->cf->resolver_config, v);
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
	if (at != NULL && conf_parse_uint(at + 1, 1, 65535, &port) == -1)
		goto bad;
	return conf_strv_add(p, &p->cf->nameservers, &p->cf->n_nameservers, item);
bad:
	conf_perr(p, "Nameservers: bad address '%s' (want an IPv4 or IPv6 "
	    "address, optionally @PORT)", Q(item));
	return -1;
}

int
key_nameservers(struct parse *p, const char *v)
{
	p->cf->nameservers_line = p->line;
	return conf_split_list(p, "Nameservers", v, nameserver_item, NULL);
}

int
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
			conf_perr(p, "TrustedNetworks: %s", err);
		else
			conf_perr(p, "TrustedNetworks: bad network '%s'", Q(item));
		return -1;
	}
	if ((nv = reallocarray(cf->trusted, cf->n_trusted + 1,
	    sizeof *nv)) == NULL) {
		conf_perr(p, "out of memory");
		return -1;
	}
	nv[cf->n_trusted++] = c;
	cf->trusted = nv;
	return 0;
}

int
key_trusted(struct parse *p, const char *v)
{
	/* The first line replaces the default list, later lines add. */
	if (!p->trusted_set) {
		p->trusted_set = true;
		p->cf->n_trusted = 0;
	}
	return conf_split_list(p, "TrustedNetworks", v, trusted_item, NULL);
}

int
key_metrics_listen(struct parse *p, const char *v)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	const char *why = "";

	if (config_parse_listen(v, &ss, &sslen, &why) == -1) {
		conf_perr(p, "MetricsListen: bad value '%s': %s (want PORT, "
		    "ADDR:PORT or [ADDR6]:PORT)", Q(v), why);
		return -1;
	}
	if (conf_set_string(p, &p->cf->metrics_listen, v) == -1)
		return -1;
	p->cf->metrics_addr = ss;
	p->cf->metrics_addrlen = sslen;
	return 0;
}
