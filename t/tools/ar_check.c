/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ar_check.c - milterfault -A: is an Authentication-Results value the
 * one rdns-milter should write (RFC 8601, SPEC 3.1)?  See ar_check.h.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ar_check.h"

/* RFC 5322 2.1.1: a line is at most 998 characters without CRLF. */
#define AR_LINE_MAX	998

struct ar {
	const char	*p;
	const char	*why;
	size_t		 maxval;	/* longest value, unquoted */
};

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 2045 5.1: token characters. */
static bool
is_tchar(char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) ==
	    NULL;
}

static bool
is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* CFWS (RFC 5322 3.2.2): white space, folds, nested comments. */
static int
ar_cfws(struct ar *a)
{
	int depth;

	for (;;) {
		if (is_wsp(*a->p) || (*a->p == '\n' && is_wsp(a->p[1]))) {
			a->p++;
			continue;
		}
		if (*a->p != '(')
			return 0;
		depth = 0;
		do {
			switch (*a->p) {
			case '\0':
				a->why = "unterminated comment";
				return -1;
			case '\\':
				if (a->p[1] == '\0') {
					a->why = "backslash at the end";
					return -1;
				}
				a->p++;
				break;
			case '(':
				depth++;
				break;
			case ')':
				depth--;
				break;
			default:
				break;
			}
			a->p++;
		} while (depth > 0);
	}
}

static int
ar_quoted(struct ar *a)
{
	size_t n = 0;

	a->p++;
	for (;; n++) {
		switch (*a->p) {
		case '\0':
			a->why = "unterminated quoted-string";
			return -1;
		case '"':
			a->p++;
			if (n > a->maxval)
				a->maxval = n;
			return 0;
		case '\\':
			if (a->p[1] == '\0') {
				a->why = "backslash at the end";
				return -1;
			}
			a->p += 2;
			continue;
		case '\n':
			a->p++;		/* a fold inside the quotes */
			n--;
			continue;
		default:
			a->p++;
		}
	}
}

/* value = token / quoted-string (RFC 2045); also domain or local@domain
 * for a pvalue (RFC 8601 2.2).  Copies a token into out. */
static int
ar_value(struct ar *a, bool pvalue, char *outv, size_t outlen)
{
	const char *s = a->p;
	size_t n;

	if (*a->p == '"')
		return ar_quoted(a);
	while (is_tchar(*a->p) || (pvalue && *a->p == '@'))
		a->p++;
	if (a->p == s) {
		a->why = "missing value";
		return -1;
	}
	n = (size_t)(a->p - s);
	if (n > a->maxval)
		a->maxval = n;
	if (outv != NULL) {
		if (n >= outlen)
			n = outlen - 1;
		memcpy(outv, s, n);
		outv[n] = '\0';
	}
	return 0;
}

static int
ar_keyword(struct ar *a, char *outk, size_t outlen)
{
	const char *s = a->p;
	size_t n;

	while (is_ldh(*a->p))
		a->p++;
	n = (size_t)(a->p - s);
	if (n == 0) {
		a->why = "missing keyword";
		return -1;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(outk, s, n);
	outk[n] = '\0';
	return 0;
}

static bool
in_list(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

int
ar_check(const char *v, char *res, size_t reslen, const char **why)
{
	static const char *const iprev_res[] = { "pass", "fail", "temperror",
	    "permerror", NULL };
	static const char *const xptr_res[] = { "pass", "fail", "neutral",
	    "none", "temperror", NULL };
	static const char *const iprev_props[] = { "policy.iprev", NULL };
	static const char *const xptr_props[] = { "smtp.helo", "policy.ptr",
	    NULL };
	struct ar a = { v, NULL, 0 };
	char method[64], result[64], ptype[64], prop[64], pp[130];
	const char *p;
	/* The first line also holds "Authentication-Results: ". */
	size_t col = sizeof "Authentication-Results: " - 1;
	int nres = 0;

	res[0] = '\0';
	/* Bytes and lines. */
	for (p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n') {
			if (!is_wsp(p[1]) || p == v) {
				*why = "line break that is not a fold";
				return -1;
			}
			col = 0;
			continue;
		}
		if (c == '\r') {
			*why = "CR in the value";
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			*why = "byte outside printable ASCII";
			return -1;
		}
		if (++col > AR_LINE_MAX) {
			*why = "line longer than 998";
			return -1;
		}
	}
	/* authserv-id [CFWS version] */
	if (ar_cfws(&a) == -1 || ar_value(&a, false, NULL, 0) == -1 ||
	    ar_cfws(&a) == -1)
		goto fail;
	while (*a.p >= '0' && *a.p <= '9')
		a.p++;
	if (ar_cfws(&a) == -1)
		goto fail;
	while (*a.p != '\0') {
		const char *const *props;

		if (*a.p != ';') {
			a.why = "junk where ';' or the end belongs";
			goto fail;
		}
		a.p++;
		if (ar_cfws(&a) == -1 ||
		    ar_keyword(&a, method, sizeof method) == -1 ||
		    ar_cfws(&a) == -1)
			goto fail;
		if (*a.p++ != '=') {
			a.why = "method without '='";
			goto fail;
		}
		if (ar_cfws(&a) == -1 ||
		    ar_keyword(&a, result, sizeof result) == -1)
			goto fail;
		nres++;
		if (nres == 1 && strcmp(method, "iprev") == 0) {
			props = iprev_props;
			if (!in_list(result, iprev_res)) {
				a.why = "unknown iprev result";
				goto fail;
			}
		} else if (nres == 2 && strcmp(method, "x-ptr") == 0) {
			props = xptr_props;
			if (!in_list(result, xptr_res)) {
				a.why = "unknown x-ptr result";
				goto fail;
			}
		} else {
			a.why = "results are not exactly iprev, then x-ptr";
			goto fail;
		}
		if (strlen(res) + strlen(method) + strlen(result) + 3 < reslen)
			(void)snprintf(res + strlen(res), reslen - strlen(res),
			    "%s%s=%s", nres > 1 ? " " : "", method, result);
		/* propspecs (and no reasonspec: we never write one) */
		for (;;) {
			if (ar_cfws(&a) == -1)
				goto fail;
			if (*a.p == ';' || *a.p == '\0')
				break;
			if (ar_keyword(&a, ptype, sizeof ptype) == -1 ||
			    ar_cfws(&a) == -1)
				goto fail;
			if (*a.p++ != '.') {
				a.why = "propspec without '.'";
				goto fail;
			}
			if (ar_cfws(&a) == -1 ||
			    ar_keyword(&a, prop, sizeof prop) == -1 ||
			    ar_cfws(&a) == -1)
				goto fail;
			if (*a.p++ != '=') {
				a.why = "propspec without '='";
				goto fail;
			}
			snprintf(pp, sizeof pp, "%s.%s", ptype, prop);
			if (!in_list(pp, props)) {
				a.why = "unexpected property";
				goto fail;
			}
			if (ar_cfws(&a) == -1 ||
			    ar_value(&a, true, NULL, 0) == -1)
				goto fail;
			if (*a.p != '\0' && *a.p != ';' && !is_wsp(*a.p) &&
			    *a.p != '\n' && *a.p != '(') {
				a.why = "junk after a property value";
				goto fail;
			}
		}
	}
	if (nres != 2) {
		a.why = "results are not exactly iprev, then x-ptr";
		goto fail;
	}
	if (strlen(res) + 20 < reslen)
		(void)snprintf(res + strlen(res), reslen - strlen(res),
		    " maxval=%zu", a.maxval);
	return 0;
fail:
	*why = a.why != NULL ? a.why : "syntax error";
	return -1;
}
