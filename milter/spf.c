/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf.c - SPF record syntax (RFC 7208 4.5, 4.6, 7 and 12): parsing a
 * record, choosing it among TXT records, expanding the macros that do not
 * depend on the connection.  The evaluation is in spf_discover.c.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"
#include "strbuf.h"
#include "text.h"

/* RFC 7208 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ). */
static bool
is_name_char(char c)
{
	return text_is_alnum((unsigned char)c) || c == '-' || c == '_' ||
	    c == '.';
}

/* err = MSG "WHAT" (WHAT capped, made printable).  @return -1. */
static int
fail(char *err, size_t errlen, const char *msg, const char *what, size_t n)
{
	char echo[64];

	text_sanitize(TEXT_PRINT, echo, sizeof echo, what, n);
	(void)snprintf(err, errlen, "%s \"%s\"", msg, echo);
	return -1;
}

/*
 * A macro-expand at s[0] == '%' (RFC 7208 7.1): "%{" letter *DIGIT ["r"]
 * *delimiter "}", "%%", "%_" or "%-".  @return its length, or 0 if
 * malformed.  *letter gets the macro letter (lower case), or 0.
 */
static size_t
macro_len(const char *s, size_t n, char *letter)
{
	size_t i;

	*letter = 0;
	if (n < 2)
		return 0;
	if (s[1] == '%' || s[1] == '_' || s[1] == '-')
		return 2;
	if (s[1] != '{' || n < 4)
		return 0;
	*letter = ascii_lower(s[2]);
	if (strchr("slodiphcrtv", *letter) == NULL)
		return 0;
	for (i = 3; i < n && text_is_digit(s[i]); i++)
		;
	if (i < n && (s[i] == 'r' || s[i] == 'R'))
		i++;
	for (; i < n && strchr(".-+,/_=", s[i]) != NULL; i++)
		;
	if (i >= n || s[i] != '}')
		return 0;
	return i + 1;
}

/*
 * A domain name as SPF looks up (not a host name: "_spf.example.com" is
 * one): one trailing dot allowed, at least two labels of 1-63 letters,
 * digits, '-' and '_', at most 253 characters, the last label letters,
 * digits and '-' with a letter among them (RFC 7208 7.1 toplabel).
 */
static bool
valid_domain(const char *s, size_t n)
{
	size_t i, start = 0, labels = 0;
	bool alpha = false;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > DNAME_TEXT_MAX - 1)
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (i == start || i - start > 63)
				return false;
			labels++;
			if (i < n) {
				start = i + 1;
				alpha = false;
			}
			continue;
		}
		if (text_is_alpha(s[i]))
			alpha = true;
		else if (!text_is_digit(s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	}
	/* The top label: no '_', a letter, no '-' at its ends. */
	if (memchr(s + start, '_', n - start) != NULL || !alpha ||
	    s[start] == '-' || s[n - 1] == '-')
		return false;
	return labels >= 2;
}

/* A domain-spec of n bytes (RFC 7208 7.1): macros well formed; without
 * macros, a domain name (domain-end needs a dot).  */
static int
check_domain_spec(const char *s, size_t n, bool *macro)
{
	size_t i, m;
	char letter;

	*macro = false;
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] != '%')
			continue;
		if ((m = macro_len(s + i, n - i, &letter)) == 0)
			return -1;
		*macro = true;
		i += m - 1;
	}
	if (*macro)
		return n < sizeof ((struct spf_term *)0)->domain ? 0 : -1;
	return valid_domain(s, n) ? 0 : -1;
}

/* A CIDR length: "0" or a digit 1-9 and at most maxdigits - 1 more,
 * no larger than max.  @return it, or -1. */
static int
cidr_len(const char *s, size_t n, int max, size_t maxdigits)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > maxdigits || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!text_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]. */
static int
dual_cidr(const char *s, size_t n, int *c4, int *c6)
{
	const char *p;

	*c4 = 32;
	*c6 = 128;
	if (n == 0)
		return 0;
	if (s[0] != '/')
		return -1;
	if (n >= 2 && s[1] == '/') {
		*c6 = cidr_len(s + 2, n - 2, 128, 3);
		return *c6 < 0 ? -1 : 0;
	}
	p = memchr(s + 1, '/', n - 1);
	*c4 = cidr_len(s + 1, p != NULL ? (size_t)(p - s - 1) : n - 1, 32, 2);
	if (*c4 < 0)
		return -1;
	if (p == NULL)
		return 0;
	n -= (size_t)(p - s);
	if (n < 3 || p[1] != '/')
		return -1;
	*c6 = cidr_len(p + 2, n - 2, 128, 3);
	return *c6 < 0 ? -1 : 0;
}

static const struct {
	const char	*name;
	enum spf_kind	 kind;
} mechanisms[] = {
	{ "all", SPF_ALL }, { "include", SPF_INCLUDE }, { "a", SPF_A },
	{ "mx", SPF_MX }, { "ptr", SPF_PTR }, { "ip4", SPF_IP4 },
	{ "ip6", SPF_IP6 }, { "exists", SPF_EXISTS },
};

/* Parse one term of n bytes (no spaces) into t. */
static int
parse_term(const char *s, size_t n, struct spf_term *t, char *err,
    size_t errlen)
{
	const char *name = s, *rest;
	size_t i, nlen, rn;
	bool qual = false;

	memset(t, 0, sizeof *t);
	t->qualifier = '+';
	t->cidr4 = 32;
	t->cidr6 = 128;
	for (i = 0; i < n; i++)
		if (!text_is_graph((unsigned char)s[i]))
			return fail(err, errlen, "invalid byte in term",
			    s, n);
	if (n < sizeof t->text)
		memcpy(t->text, s, n);
	else {
		memcpy(t->text, s, sizeof t->text - 4);
		memcpy(t->text + sizeof t->text - 4, "...", 4);
	}
	if (strchr("+-~?", s[0]) != NULL) {
		t->qualifier = s[0];
		qual = true;
		name++;
	}
	nlen = 0;
	while (name + nlen < s + n && is_name_char(name[nlen]))
		nlen++;
	rest = name + nlen;
	rn = (size_t)(s + n - rest);

	if (rn > 0 && rest[0] == '=') {
		/* A modifier (RFC 7208 6). */
		if (qual || nlen == 0 || !text_is_alpha(name[0]))
			return fail(err, errlen, "invalid term", s, n);
		rest++;
		rn--;
		if (nlen == 8 && str_nieq(name, "redirect", 8))
			t->kind = SPF_REDIRECT;
		else if (nlen == 3 && str_nieq(name, "exp", 3))
			t->kind = SPF_EXP;
		else {
			/* unknown-modifier = name "=" macro-string: only its
			 * macros can be wrong. */
			char letter;

			t->kind = SPF_UNKNOWN_MOD;
			for (i = 0; i < rn; i++) {
				size_t m;

				if (rest[i] != '%')
					continue;
				if ((m = macro_len(rest + i, rn - i,
				    &letter)) == 0)
					return fail(err, errlen,
					    "invalid macro in", s, n);
				i += m - 1;
			}
			return 0;
		}
		if (check_domain_spec(rest, rn, &t->macro) == -1)
			return fail(err, errlen, "invalid domain in",
			    s, n);
		memcpy(t->domain, rest, rn);
		return 0;
	}

	for (i = 0; i < sizeof mechanisms / sizeof mechanisms[0]; i++)
		if (strlen(mechanisms[i].name) == nlen &&
		    str_nieq(name, mechanisms[i].name, nlen))
			break;
	if (i == sizeof mechanisms / sizeof mechanisms[0])
		return fail(err, errlen, "unknown mechanism", s, n);
	t->kind = mechanisms[i].kind;

	switch (t->kind) {
	case SPF_ALL:
		if (rn != 0)
			return fail(err, errlen, "invalid term", s, n);
		return 0;
	case SPF_INCLUDE:
	case SPF_EXISTS:
		if (rn < 2 || rest[0] != ':' ||
		    check_domain_spec(rest + 1, rn - 1, &t->macro) == -1)
			return fail(err, errlen, "invalid domain in",
			    s, n);
		memcpy(t->domain, rest + 1, rn - 1);
		return 0;
	case SPF_A:
	case SPF_MX:
	case SPF_PTR: {
		const char *slash = memchr(rest, '/', rn);
		size_t dn = slash != NULL ? (size_t)(slash - rest) : rn;

		if (dn > 0) {
			if (rest[0] != ':' || check_domain_spec(rest + 1,
			    dn - 1, &t->macro) == -1)
				return fail(err, errlen,
				    "invalid domain in", s, n);
			memcpy(t->domain, rest + 1, dn - 1);
		}
		if (slash != NULL && (t->kind == SPF_PTR ||
		    dual_cidr(slash, rn - dn, &t->cidr4, &t->cidr6) == -1))
			return fail(err, errlen,
			    "invalid CIDR length in", s, n);
		return 0;
	}
	case SPF_IP4:
	case SPF_IP6: {
		char buf[DNAME_IPSTR_MAX + 8], cerr[128];
		const char *slash;
		int max = t->kind == SPF_IP4 ? 32 : 128;

		if (rn < 2 || rest[0] != ':' || rn - 1 >= sizeof buf)
			return fail(err, errlen, "invalid network in",
			    s, n);
		memcpy(buf, rest + 1, rn - 1);
		buf[rn - 1] = '\0';
		if ((slash = strchr(buf, '/')) != NULL &&
		    cidr_len(slash + 1, strlen(slash + 1), max,
		    max == 32 ? 2 : 3) < 0)
			return fail(err, errlen,
			    "invalid CIDR length in", s, n);
		/* ip4 takes a dotted quad, ip6 an IPv6 address. */
		if ((t->kind == SPF_IP4) != (strchr(buf, ':') == NULL) ||
		    cidr_parse(buf, &t->net, cerr, sizeof cerr) == -1)
			return fail(err, errlen, "invalid network in",
			    s, n);
		return 0;
	}
	default:
		break;
	}
	return fail(err, errlen, "invalid term", s, n);
}

int
spf_parse(const char *record, struct spf_record *rec, char *err,
    size_t errlen)
{
	const char *p = record;
	int exp = -1;

	memset(rec, 0, sizeof *rec);
	rec->redirect = -1;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	/* RFC 7208 4.5: "v=spf1" and then a space or the end. */
	if (!str_nieq(p, "v=spf1", 6) || (p[6] != '\0' && p[6] != ' '))
		return fail(err, errlen, "not an SPF record:", record,
		    strlen(record));
	p += 6;
	while (*p != '\0') {
		size_t n;
		struct spf_term *nt;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " ");
		nt = realloc(rec->terms, (rec->n + 1) * sizeof *nt);
		if (nt == NULL) {
			(void)snprintf(err, errlen, "out of memory");
			spf_record_clear(rec);
			return -1;
		}
		rec->terms = nt;
		if (parse_term(p, n, &rec->terms[rec->n], err, errlen) == -1) {
			spf_record_clear(rec);
			return -1;
		}
		switch (rec->terms[rec->n].kind) {
		case SPF_ALL:
			rec->has_all = true;
			break;
		case SPF_REDIRECT:
			/* RFC 7208 6: at most once each. */
			if (rec->redirect >= 0) {
				spf_record_clear(rec);
				(void)snprintf(err, errlen,
				    "two redirect modifiers");
				return -1;
			}
			rec->redirect = (int)rec->n;
			break;
		case SPF_EXP:
			if (exp >= 0) {
				spf_record_clear(rec);
				(void)snprintf(err, errlen,
				    "two exp modifiers");
				return -1;
			}
			exp = (int)rec->n;
			break;
		default:
			break;
		}
		rec->n++;
		p += n;
	}
	return 0;
}

void
spf_record_clear(struct spf_record *rec)
{
	free(rec->terms);
	memset(rec, 0, sizeof *rec);
	rec->redirect = -1;
}

int
spf_select(const struct dns_answer *txt, char **out, char *err,
    size_t errlen)
{
	size_t i, found = 0;

	*out = NULL;
	for (i = 0; i < txt->count; i++) {
		const uint8_t *d = txt->rr[i].data;
		size_t len = txt->rr[i].len, o = 0, j = 0;
		char *s;

		/* The strings, joined (RFC 7208 3.3). */
		if ((s = malloc(len + 1)) == NULL) {
			free(*out);
			*out = NULL;
			(void)snprintf(err, errlen, "out of memory");
			return -1;
		}
		while (j < len) {
			size_t l = d[j++];

			if (l > len - j)
				l = len - j;	/* malformed: what is there */
			for (; l > 0; l--, j++)
				s[o++] = d[j] != 0 ? (char)d[j] : '\001';
		}
		s[o] = '\0';
		if (!str_nieq(s, "v=spf1", 6) ||
		    (s[6] != '\0' && s[6] != ' ')) {
			free(s);
			continue;
		}
		if (++found > 1) {
			free(s);
			free(*out);
			*out = NULL;
			(void)snprintf(err, errlen, "more than one SPF record "
			    "(RFC 7208 4.5)");
			return -1;
		}
		*out = s;
	}
	return found == 1 ? 1 : 0;
}

/* The value of %{d} or %{o} with transformers t[tn] ("2r.-"), into sb. */
static int
expand_one(struct strbuf *sb, const char *value, const char *t, size_t tn)
{
	const char *parts[128];
	char delim[8] = "";
	size_t n = 0, i, keep = 0, dl = 0;
	bool reverse = false, digits = false;
	char copy[DNAME_TEXT_MAX + 1];
	char *p;

	for (i = 0; i < tn && text_is_digit(t[i]); i++) {
		digits = true;
		keep = keep * 10 + (size_t)(t[i] - '0');
		if (keep > 128)
			keep = 128;
	}
	if (digits && keep == 0)
		return -1;	/* RFC 7208 7.3: MUST be nonzero */
	if (i < tn && (t[i] == 'r' || t[i] == 'R')) {
		reverse = true;
		i++;
	}
	for (; i < tn && dl < sizeof delim - 1; i++)
		delim[dl++] = t[i];
	if (dl == 0)
		delim[dl++] = '.';
	delim[dl] = '\0';
	(void)snprintf(copy, sizeof copy, "%s", value);
	/* Split on any delimiter, keeping empty parts. */
	p = copy;
	for (;;) {
		size_t l = strcspn(p, delim);

		if (n == sizeof parts / sizeof parts[0])
			return -1;
		parts[n++] = p;
		if (p[l] == '\0')
			break;
		p[l] = '\0';
		p += l + 1;
	}
	if (reverse)
		for (i = 0; i < n / 2; i++) {
			const char *x = parts[i];

			parts[i] = parts[n - 1 - i];
			parts[n - 1 - i] = x;
		}
	i = digits && keep < n ? n - keep : 0;
	for (; i < n; i++) {
		strbuf_puts(sb, parts[i]);
		if (i + 1 < n)
			strbuf_putc(sb, '.');
	}
	return 0;
}

int
spf_expand(const char *spec, const char *domain, const char *o, char *out,
    size_t outlen)
{
	char buf[1024];
	struct strbuf sb;
	size_t i, n = strlen(spec), len;
	const char *start;

	strbuf_init(&sb, buf, sizeof buf);
	for (i = 0; i < n; i++) {
		size_t m;
		char letter;

		if (spec[i] != '%') {
			strbuf_putc(&sb, spec[i]);
			continue;
		}
		if ((m = macro_len(spec + i, n - i, &letter)) == 0)
			return -1;
		if (m == 2) {
			/* RFC 7208 7.1: %% is %, %_ a space, %- "%20". */
			strbuf_puts(&sb, spec[i + 1] == '%' ? "%" :
			    spec[i + 1] == '_' ? " " : "%20");
		} else if (letter == 'd' || letter == 'o') {
			if (expand_one(&sb, letter == 'd' ? domain : o,
			    spec + i + 3, m - 4) == -1)
				return -1;
		} else
			return 0;
		i += m - 1;
	}
	if (strbuf_overflow(&sb))
		return -1;
	/* RFC 7208 7.3: over 253 characters, drop labels on the left. */
	start = buf;
	len = sb.len;
	if (len > 0 && start[len - 1] == '.')
		len--;
	while (len > DNAME_TEXT_MAX - 1) {
		const char *dot = memchr(start, '.', len);

		if (dot == NULL)
			return -1;
		len -= (size_t)(dot + 1 - start);
		start = dot + 1;
	}
	if (len + 1 > outlen)
		return -1;
	memcpy(out, start, len);
	out[len] = '\0';
	return valid_domain(out, len) ? 1 : -1;
}

const char *
spf_result_str(enum spf_result r)
{
	switch (r) {
	case SPF_RES_NONE:
		return "none";
	case SPF_RES_OK:
		return "ok";
	case SPF_RES_PERMERROR:
		return "permerror";
	case SPF_RES_TEMPERROR:
		return "temperror";
	}
	return "none";
}

const char *
spf_mx_result_str(enum spf_mx_result r)
{
	switch (r) {
	case SPF_MX_NONE:
		return "none";
	case SPF_MX_OK:
		return "ok";
	case SPF_MX_NULL:
		return "null";
	case SPF_MX_TEMPERROR:
		return "temperror";
	}
	return "none";
}
