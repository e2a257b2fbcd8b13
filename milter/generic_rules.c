/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_rules.c - the generic rule set: rules files, GenericDisable,
 * and matching a name against the rules.  The format and the contract
 * are in generic.h; the facts (word patterns, provider schemes) are in
 * the shipped rules file, data/generic.rules.
 *
 * Each rule is compiled on its own when it is added (so that a bad
 * regex is reported with its file and line).  generic_rules_compile()
 * then joins the enabled rules of each of the label, host and name
 * scopes into one alternation, "(r1)|(r2)|...", compiled REG_NOSUB:
 * a label costs one regexec() whatever the number of rules, and the
 * rules are only tried one by one, to name the one that matched, when
 * the alternation has matched.  domain= rules are only tried on names
 * under their domain.
 *
 * The set is immutable once compiled; regexec() may be called
 * concurrently on the same regex_t.
 */
#include "autoconf.h"

#include <sys/types.h>

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generic_int.h"
#include "orgdomain.h"
#include "strbuf.h"
#include "text.h"

/* Longest line accepted from a rules file (administrator input, but a
 * sane cap keeps regcomp() bounded). */
#define RULES_LINE_MAX		1024
/* Longest source text kept per rule. */
#define RULES_SOURCE_MAX	1024

#define RULES_REGFLAGS		(REG_EXTENDED | REG_ICASE | REG_NOSUB)

enum scope {
	SC_LABEL = 0,
	SC_HOST,
	SC_NAME,
	SC_DOMAIN,
};

/* The scopes that are joined into one alternation each. */
#define SC_JOINED		3

struct rule {
	char		*name;
	enum scope	 scope;
	char		*scope_text;	/* as written: "label", "domain=x.y" */
	char		*domain;	/* SC_DOMAIN: its organizational
					   domain, else NULL */
	char		*regex;
	char		*source;	/* "" if none */
	char		*file;		/* where it was defined */
	size_t		 line;
	bool		 enabled;
	regex_t		 re;
};

struct generic_patterns {
	struct rule	*r;
	size_t		 n, cap;
	bool		 compiled;
	bool		 have_all[SC_JOINED];
	regex_t		 all[SC_JOINED];
	bool		 have_domain;	/* an enabled domain= rule exists */
};

static const char *const reserved[] = {
	GENERIC_RULE_IPV4, GENERIC_RULE_IPV4_HEX, GENERIC_RULE_IPV6,
};

static char dummy_err[1];

#define FIX_ERR(err, errlen) do {			\
	if ((err) == NULL || (errlen) == 0) {		\
		(err) = dummy_err;			\
		(errlen) = sizeof dummy_err;		\
	}						\
	(err)[0] = '\0';				\
} while (0)

struct generic_patterns *
generic_rules_new(void)
{
	return calloc(1, sizeof(struct generic_patterns));
}

static void
rule_free(struct rule *r)
{
	free(r->name);
	free(r->scope_text);
	free(r->domain);
	free(r->regex);
	free(r->source);
	free(r->file);
	regfree(&r->re);
}

static void
uncompile(struct generic_patterns *gp)
{
	int k;

	for (k = 0; k < SC_JOINED; k++)
		if (gp->have_all[k]) {
			regfree(&gp->all[k]);
			gp->have_all[k] = false;
		}
	gp->have_domain = false;
	gp->compiled = false;
}

void
generic_patterns_free(struct generic_patterns *gp)
{
	size_t i;

	if (gp == NULL)
		return;
	uncompile(gp);
	for (i = 0; i < gp->n; i++)
		rule_free(&gp->r[i]);
	free(gp->r);
	free(gp);
}

size_t
generic_rules_count(const struct generic_patterns *gp)
{
	return gp != NULL ? gp->n : 0;
}

long
generic_rules_find(const struct generic_patterns *gp, const char *name)
{
	size_t i;

	if (gp == NULL || name == NULL)
		return -1;
	for (i = 0; i < gp->n; i++)
		if (strcmp(gp->r[i].name, name) == 0)
			return (long)i;
	return -1;
}

bool
generic_rules_get(const struct generic_patterns *gp, size_t i,
    const char **name, const char **scope, const char **regex,
    const char **source, bool *enabled)
{
	if (gp == NULL || i >= gp->n)
		return false;
	if (name != NULL)
		*name = gp->r[i].name;
	if (scope != NULL)
		*scope = gp->r[i].scope_text;
	if (regex != NULL)
		*regex = gp->r[i].regex;
	if (source != NULL)
		*source = gp->r[i].source;
	if (enabled != NULL)
		*enabled = gp->r[i].enabled;
	return true;
}

static bool
reserved_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return true;
	return false;
}

/* A rule name: [a-z0-9][a-z0-9-]*, shorter than GENERIC_RULE_NAME_MAX. */
static bool
valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= GENERIC_RULE_NAME_MAX || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!text_is_lower((unsigned char)s[i]) &&
		    !text_is_digit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/*
 * Parse a scope.  @return 0 with *sc (and *domain, allocated, for
 * domain=), or -1 with a message in err.
 */
static int
parse_scope(const char *s, enum scope *sc, char **domain, char *err,
    size_t errlen)
{
	char org[DNAME_TEXT_MAX], lower[DNAME_TEXT_MAX];

	*domain = NULL;
	if (strcmp(s, "label") == 0)
		*sc = SC_LABEL;
	else if (strcmp(s, "host") == 0)
		*sc = SC_HOST;
	else if (strcmp(s, "name") == 0)
		*sc = SC_NAME;
	else if (strncmp(s, "domain=", 7) == 0) {
		*sc = SC_DOMAIN;
		if (dname_lower(s + 7, lower) == 0 ||
		    orgdomain_of(lower, org, sizeof org) == -1) {
			(void)snprintf(err, errlen, "bad scope '%.100s': '%.100s' "
			    "has no organizational domain", s, s + 7);
			return -1;
		}
		if (strcmp(org, lower) != 0) {
			(void)snprintf(err, errlen, "bad scope '%.100s': '%.100s' "
			    "is not an organizational domain (that is %.100s)",
			    s, s + 7, org);
			return -1;
		}
		if ((*domain = strdup(org)) == NULL) {
			(void)snprintf(err, errlen, "out of memory");
			return -1;
		}
	} else {
		(void)snprintf(err, errlen, "bad scope '%.100s' (want label, "
		    "host, name or domain=DOMAIN)", s);
		return -1;
	}
	return 0;
}

/* Add a rule; file/line say where it comes from (for messages).  The
 * message in err has no "FILE:LINE: " prefix. */
static int
add_rule(struct generic_patterns *gp, const char *name, const char *scope,
    const char *regex, const char *source, const char *file, size_t line,
    char *err, size_t errlen)
{
	struct rule r;
	long prev;
	int rc;

	memset(&r, 0, sizeof r);
	if (!valid_name(name)) {
		(void)snprintf(err, errlen, "bad rule name '%.100s' (want a "
		    "lower-case letter or digit, then letters, digits and '-', "
		    "at most %d)", name, GENERIC_RULE_NAME_MAX - 1);
		return -1;
	}
	if (reserved_name(name)) {
		(void)snprintf(err, errlen, "rule name '%s' is reserved for the "
		    "address test", name);
		return -1;
	}
	if ((prev = generic_rules_find(gp, name)) >= 0) {
		(void)snprintf(err, errlen, "rule '%s' already defined at "
		    "%.200s:%zu", name, gp->r[prev].file, gp->r[prev].line);
		return -1;
	}
	if (parse_scope(scope, &r.scope, &r.domain, err, errlen) == -1)
		return -1;
	if ((rc = regcomp(&r.re, regex, RULES_REGFLAGS)) != 0) {
		char ebuf[256];

		(void)regerror(rc, &r.re, ebuf, sizeof ebuf);
		(void)snprintf(err, errlen, "rule '%s': %s", name, ebuf);
		free(r.domain);
		return -1;
	}
	if (gp->n == gp->cap) {
		size_t cap = gp->cap == 0 ? 64 : gp->cap * 2;
		struct rule *nr;

		if (cap > SIZE_MAX / sizeof *nr ||
		    (nr = realloc(gp->r, cap * sizeof *nr)) == NULL)
			goto oom;
		gp->r = nr;
		gp->cap = cap;
	}
	r.enabled = true;
	r.line = line;
	if ((r.name = strdup(name)) == NULL ||
	    (r.scope_text = strdup(scope)) == NULL ||
	    (r.regex = strdup(regex)) == NULL ||
	    (r.source = strdup(source != NULL ? source : "")) == NULL ||
	    (r.file = strdup(file)) == NULL)
		goto oom;
	gp->r[gp->n++] = r;
	uncompile(gp);
	return 0;
oom:
	rule_free(&r);
	(void)snprintf(err, errlen, "out of memory");
	return -1;
}

int
generic_rules_add(struct generic_patterns *gp, const char *name,
    const char *scope, const char *regex, const char *source, char *err,
    size_t errlen)
{
	FIX_ERR(err, errlen);
	if (gp == NULL || name == NULL || scope == NULL || regex == NULL) {
		(void)snprintf(err, errlen, "no rule given");
		return -1;
	}
	return add_rule(gp, name, scope, regex, source, "(added)", 0, err,
	    errlen);
}

/* strerror_r() comes in a GNU and an XSI flavour. */
static const char *
errno_text(int e, char *buf, size_t len)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, len);
#else
	if (strerror_r(e, buf, len) != 0)
		(void)snprintf(buf, len, "error %d", e);
	return buf;
#endif
}

/* The next white-space separated field of *p (NUL-terminated in place),
 * or NULL. */
static char *
field(char **p)
{
	char *s = *p, *start;

	while (*s != '\0' && text_is_space((unsigned char)*s))
		s++;
	if (*s == '\0')
		return NULL;
	start = s;
	while (*s != '\0' && !text_is_space((unsigned char)*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return start;
}

/* Append text to the pending source src[RULES_SOURCE_MAX] ("; "
 * between parts; cut when full). */
static void
source_add(char *src, const char *text)
{
	struct strbuf sb;
	size_t n = strlen(src);

	strbuf_init(&sb, src + n, RULES_SOURCE_MAX - n);
	if (n > 0)
		(void)strbuf_puts(&sb, "; ");
	(void)strbuf_puts(&sb, text);
}

/*
 * Read a rules file (legacy: a GenericPatterns list) into gp.  Lines are
 * stripped of leading and trailing white space; blank lines end a
 * pending source; comment lines are skipped ("# source:" ones kept for
 * the next rule).
 */
static int
read_rules(struct generic_patterns *gp, const char *file, bool legacy,
    char *err, size_t errlen)
{
	char ebuf[256], src[RULES_SOURCE_MAX], msg[512];
	char *line = NULL, *p, *end;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	FILE *fp;
	int e;

	if (file == NULL) {
		(void)snprintf(err, errlen, "no rules file given");
		return -1;
	}
	if ((fp = fopen(file, "r")) == NULL) {
		e = errno;
		(void)snprintf(err, errlen, "%s: %s", file,
		    errno_text(e, ebuf, sizeof ebuf));
		return -1;
	}
	src[0] = '\0';
	for (;;) {
		errno = 0;
		if ((n = getline(&line, &cap, fp)) == -1) {
			if (ferror(fp)) {
				e = errno != 0 ? errno : EIO;
				(void)snprintf(err, errlen, "%s: %s", file,
				    errno_text(e, ebuf, sizeof ebuf));
				goto fail;
			}
			break;
		}
		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			(void)snprintf(err, errlen, "%s:%zu: NUL byte in line",
			    file, lineno);
			goto fail;
		}
		p = line;
		end = line + n;
		while (p < end && text_is_space((unsigned char)*p))
			p++;
		while (end > p && text_is_space((unsigned char)end[-1]))
			end--;
		*end = '\0';
		if (end - p > RULES_LINE_MAX) {
			(void)snprintf(err, errlen, "%s:%zu: line longer than %d "
			    "characters", file, lineno, RULES_LINE_MAX);
			goto fail;
		}
		if (*p == '\0') {
			src[0] = '\0';	/* a source belongs to the rule below */
			continue;
		}
		if (*p == '#') {
			for (p++; text_is_space((unsigned char)*p); p++)
				;
			if (!legacy && strncmp(p, "source:", 7) == 0) {
				for (p += 7; text_is_space(*p); p++)
					;
				source_add(src, p);
			}
			continue;
		}
		if (legacy) {
			char name[32];

			(void)snprintf(name, sizeof name, "pattern-%zu",
			    lineno);
			if (add_rule(gp, name, "label", p, NULL, file, lineno,
			    msg, sizeof msg) == -1)
				goto bad;
		} else {
			char *name = field(&p), *scope = field(&p);
			char *regex = field(&p), *rest = field(&p);

			if (scope == NULL || regex == NULL) {
				(void)snprintf(msg, sizeof msg, "want NAME "
				    "SCOPE REGEX");
				goto bad;
			}
			if (rest != NULL && rest[0] != '#') {
				(void)snprintf(msg, sizeof msg, "unexpected "
				    "'%.100s' after the regex (a regex has no "
				    "white space; write [[:space:]])", rest);
				goto bad;
			}
			if (add_rule(gp, name, scope, regex, src, file, lineno,
			    msg, sizeof msg) == -1)
				goto bad;
		}
		src[0] = '\0';
	}
	free(line);
	(void)fclose(fp);
	return 0;
bad:
	(void)snprintf(err, errlen, "%s:%zu: %s", file, lineno, msg);
fail:
	free(line);
	(void)fclose(fp);
	return -1;
}

int
generic_rules_add_file(struct generic_patterns *gp, const char *file,
    char *err, size_t errlen)
{
	FIX_ERR(err, errlen);
	if (gp == NULL) {
		(void)snprintf(err, errlen, "no rule set");
		return -1;
	}
	return read_rules(gp, file, false, err, errlen);
}

static struct generic_patterns *
load(const char *file, bool legacy, char *err, size_t errlen)
{
	struct generic_patterns *gp;

	FIX_ERR(err, errlen);
	if ((gp = generic_rules_new()) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (read_rules(gp, file, legacy, err, errlen) == -1 ||
	    generic_rules_compile(gp, err, errlen) == -1) {
		generic_patterns_free(gp);
		return NULL;
	}
	return gp;
}

struct generic_patterns *
generic_rules_load(const char *file, char *err, size_t errlen)
{
	return load(file, false, err, errlen);
}

struct generic_patterns *
generic_patterns_load(const char *file, char *err, size_t errlen)
{
	return load(file, true, err, errlen);
}

int
generic_rules_disable(struct generic_patterns *gp, const char *name,
    char *err, size_t errlen)
{
	long i;

	FIX_ERR(err, errlen);
	if (name != NULL && reserved_name(name)) {
		(void)snprintf(err, errlen, "'%s' is the address test, which "
		    "always applies", name);
		return -1;
	}
	if ((i = generic_rules_find(gp, name)) < 0) {
		(void)snprintf(err, errlen, "no rule named '%.100s'",
		    name != NULL ? name : "");
		return -1;
	}
	gp->r[i].enabled = false;
	uncompile(gp);
	return 0;
}

int
generic_rules_compile(struct generic_patterns *gp, char *err, size_t errlen)
{
	struct strbuf sb;
	char *buf = NULL;
	size_t i, len;
	int k, rc;

	FIX_ERR(err, errlen);
	if (gp == NULL) {
		(void)snprintf(err, errlen, "no rule set");
		return -1;
	}
	uncompile(gp);
	for (k = 0; k < SC_JOINED; k++) {
		len = 1;
		for (i = 0; i < gp->n; i++)
			if (gp->r[i].enabled && (int)gp->r[i].scope == k)
				len += strlen(gp->r[i].regex) + 3;
		if (len == 1)
			continue;
		if ((buf = malloc(len)) == NULL) {
			(void)snprintf(err, errlen, "out of memory");
			goto fail;
		}
		strbuf_init(&sb, buf, len);
		for (i = 0; i < gp->n; i++)
			if (gp->r[i].enabled && (int)gp->r[i].scope == k)
				strbuf_printf(&sb, "%s(%s)", sb.len > 0 ? "|" :
				    "", gp->r[i].regex);
		if ((rc = regcomp(&gp->all[k], buf, RULES_REGFLAGS)) != 0) {
			char ebuf[256];

			(void)regerror(rc, &gp->all[k], ebuf, sizeof ebuf);
			(void)snprintf(err, errlen, "cannot join the rules: %s",
			    ebuf);
			goto fail;
		}
		gp->have_all[k] = true;
		free(buf);
		buf = NULL;
	}
	for (i = 0; i < gp->n; i++)
		if (gp->r[i].enabled && gp->r[i].scope == SC_DOMAIN)
			gp->have_domain = true;
	gp->compiled = true;
	return 0;
fail:
	free(buf);
	uncompile(gp);
	return -1;
}

/* "rule NAME (WHAT)" into v. */
static bool
hit(struct generic_verdict *v, const struct rule *r, const char *what)
{
	v->generic = true;
	(void)snprintf(v->rule, sizeof v->rule, "%s", r->name);
	(void)snprintf(v->reason, sizeof v->reason, "rule %s (%.*s)", r->name,
	    GENERIC_REASON_MAX - GENERIC_RULE_NAME_MAX - 12, what);
	return true;
}

/* The first enabled rule of scope sc matching s, into v. */
static bool
first(const struct generic_patterns *gp, enum scope sc, const char *s,
    struct generic_verdict *v)
{
	size_t i;

	if (gp->compiled && !gp->have_all[sc])
		return false;
	if (gp->compiled && regexec(&gp->all[sc], s, 0, NULL, 0) != 0)
		return false;
	for (i = 0; i < gp->n; i++)
		if (gp->r[i].enabled && gp->r[i].scope == sc &&
		    regexec(&gp->r[i].re, s, 0, NULL, 0) == 0)
			return hit(v, &gp->r[i], s);
	return false;
}

bool
generic_rules_match(const struct generic_patterns *gp,
    const struct generic_name *gn, struct generic_verdict *v)
{
	char host[DNAME_TEXT_MAX], labels[DNAME_TEXT_MAX];
	const char *org = gn->s + gn->org;
	char *label, *next;
	size_t i;

	if (gp == NULL || gp->n == 0)
		return false;
	memcpy(host, gn->s, gn->hlen);
	host[gn->hlen] = '\0';
	/* A provider's own scheme, on names under its domain only. */
	if (gn->hlen > 0 && (gp->have_domain || !gp->compiled))
		for (i = 0; i < gp->n; i++)
			if (gp->r[i].enabled && gp->r[i].scope == SC_DOMAIN &&
			    strcmp(gp->r[i].domain, org) == 0 &&
			    regexec(&gp->r[i].re, host, 0, NULL, 0) == 0)
				return hit(v, &gp->r[i], host);
	/* A host-part label "static": no word pattern counts. */
	memcpy(labels, host, gn->hlen + 1);
	for (i = 0; i < gn->hlen; i++)
		if (labels[i] == '.')
			labels[i] = '\0';
	if (gn->hlen > 0)
		for (label = labels; label < labels + gn->hlen; label = next) {
			next = label + strlen(label) + 1;
			if (strcmp(label, "static") == 0)
				return false;
		}
	if (gn->hlen > 0) {
		for (label = labels; label < labels + gn->hlen; label = next) {
			next = label + strlen(label) + 1;
			if (first(gp, SC_LABEL, label, v))
				return true;
		}
		if (first(gp, SC_HOST, host, v))
			return true;
	}
	return first(gp, SC_NAME, gn->s, v);
}
