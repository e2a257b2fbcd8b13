/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_parse.c - what every part of the configuration parser shares: the
 * "FILE:LINE: message" reports of struct parse (conf_perr()), the quoting
 * of untrusted values in them (conf_quote(), Q()), and the small value
 * helpers the key handlers use (copies, string vectors, lists, numbers,
 * booleans).  It calls nothing else of the configuration module: conf.c
 * (the key table and the loaders) and the files of the key handlers
 * (conf_keys.c, conf_policy.c) sit above it.
 */
#include "autoconf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "strbuf.h"
#include "text.h"

/*
 * Messages.
 */

void
conf_report(config_error_fn *errfn, void *arg, const char *msg)
{
	if (errfn != NULL)
		errfn(arg, msg);
}

/* Report "FILE:LINE: message". */
static void vperr(struct parse *p, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
vperr(struct parse *p, const char *fmt, va_list ap)
{
	char msg[1024], out[PATH_MAX + sizeof msg + 32];

	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	(void)snprintf(out, sizeof out, "%s:%d: %s", p->name, p->line, msg);
	p->nerr++;
	conf_report(p->errfn, p->arg, out);
}

void
conf_perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(p, fmt, ap);
	va_end(ap);
}

void
conf_perr_raw(struct parse *p, const char *msg)
{
	p->nerr++;
	conf_report(p->errfn, p->arg, msg);
}

const char *
conf_quote(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	text_sanitize(TEXT_PRINT, buf, size, s, n);
	if (n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

/*
 * Small helpers.
 */

char *
conf_dup(struct parse *p, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		conf_perr(p, "out of memory");
	return d;
}

/* Replace *slot with a copy of s. */
int
conf_set_string(struct parse *p, char **slot, const char *s)
{
	char *d;

	if ((d = conf_dup(p, s)) == NULL)
		return -1;
	free(*slot);
	*slot = d;
	return 0;
}

/* Append a copy of s to a string vector. */
int
conf_strv_add(struct parse *p, char ***v, size_t *n, const char *s)
{
	char **nv, *d;

	if ((d = conf_dup(p, s)) == NULL)
		return -1;
	if ((nv = reallocarray(*v, *n + 1, sizeof *nv)) == NULL) {
		free(d);
		conf_perr(p, "out of memory");
		return -1;
	}
	nv[(*n)++] = d;
	*v = nv;
	return 0;
}

void
conf_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * The words of a list (split on commas and white space), in lower case,
 * one space between them: how -n -v prints a list of words.
 */
char *
conf_words(struct parse *p, const char *v)
{
	char *out, *o;
	const char *c;
	bool sep = false;

	if ((out = malloc(strlen(v) + 1)) == NULL) {
		conf_perr(p, "out of memory");
		return NULL;
	}
	o = out;
	for (c = v; *c != '\0'; c++) {
		if (*c == ',' || text_is_blank((unsigned char)*c)) {
			sep = o != out;
			continue;
		}
		if (sep)
			*o++ = ' ';
		sep = false;
		*o++ = ascii_lower(*c);
	}
	*o = '\0';
	return out;
}

/*
 * Split a list on commas and white space.  Calls fn for each item (NUL
 * terminated in a private copy); returns -1 if any call failed or the
 * list is empty.
 */
int
conf_split_list(struct parse *p, const char *key, const char *value,
    int (*fn)(struct parse *, const char *, void *), void *fnarg)
{
	char *copy, *item, *save = NULL;
	int rc = 0, n = 0;

	if ((copy = conf_dup(p, value)) == NULL)
		return -1;
	for (item = strtok_r(copy, ", \t", &save); item != NULL;
	    item = strtok_r(NULL, ", \t", &save)) {
		n++;
		if (fn(p, item, fnarg) == -1)
			rc = -1;
	}
	free(copy);
	if (n == 0) {
		conf_perr(p, "%s: empty list", key);
		return -1;
	}
	return rc;
}

/* Decimal integer in [min, max]: digits only. */
int
conf_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0;
	const char *c;

	if (*s == '\0')
		return -1;
	for (c = s; *c != '\0'; c++) {
		if (!text_is_digit((unsigned char)*c))
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
