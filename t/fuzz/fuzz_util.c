/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_util.c - see fuzz_util.h.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "conf.h"
#include "fuzz_util.h"
#include "generic.h"

/* The field name the MTA writes in front of our value (RFC 8601 2.2). */
#define AR_PREFIX	"Authentication-Results: "
/* RFC 5322 2.1.1: at most 998 characters per line, CRLF excluded. */
#define LINE_MAX_5322	998
/* Room for one parsed value: a capped value is at most 255 bytes. */
#define AR_VALUE_MAX	600
/* Room for the comments of one result element, unfolded. */
#define AR_COMMENT_MAX	2048
/* Properties of one result element we can hold (we write at most 2). */
#define AR_PROPS_MAX	4

void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
	abort();
}

const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

void
fuzz_in_init(struct fuzz_in *in, const uint8_t *data, size_t size)
{
	in->p = data;
	in->n = size;
}

uint8_t
fuzz_u8(struct fuzz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

unsigned
fuzz_pick(struct fuzz_in *in, unsigned n)
{
	return fuzz_u8(in) % n;
}

size_t
fuzz_len(struct fuzz_in *in)
{
	size_t l = fuzz_u8(in);

	if (l == 255)
		l += fuzz_u8(in);
	return l;
}

size_t
fuzz_bytes(struct fuzz_in *in, void *dst, size_t max)
{
	size_t n = max < in->n ? max : in->n;

	if (n > 0)
		memcpy(dst, in->p, n);
	in->p += n;
	in->n -= n;
	return n;
}

size_t
fuzz_str(struct fuzz_in *in, char *dst, size_t size)
{
	size_t l = fuzz_len(in), n;

	if (l > size - 1)
		l = size - 1;
	n = fuzz_bytes(in, dst, l);
	dst[n] = '\0';
	return n;
}

char *
fuzz_strndup(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

void
fuzz_ip(struct fuzz_in *in, struct rdns_ip *ip)
{
	memset(ip, 0, sizeof *ip);
	if (fuzz_u8(in) & 1) {
		ip->family = AF_INET6;
		fuzz_bytes(in, &ip->u.v6, 16);
	} else {
		ip->family = AF_INET;
		fuzz_bytes(in, &ip->u.v4, 4);
	}
}

/* An index into n entries: mostly -1..n-1, sometimes out of range. */
static int
fuzz_index(struct fuzz_in *in, size_t n)
{
	uint8_t v = fuzz_u8(in);

	if (v >= 0xf8)
		return (int)n + (v - 0xf8);
	if (v >= 0xf0)
		return -2 - (v - 0xf0);
	return (int)(v % (n + 1)) - 1;
}

static void
fuzz_name(struct fuzz_in *in, struct check_ptr_name *pn)
{
	uint8_t wire[300];
	size_t n, fill;

	switch (fuzz_pick(in, 3)) {
	case 0:
		/* Decoded from wire bytes, as the engine does. */
		n = fuzz_len(in);
		n = fuzz_bytes(in, wire, n < sizeof wire ? n : sizeof wire);
		if (dname_from_wire(wire, n, &pn->name) == -1) {
			strcpy(pn->name.pres, "?");
			strcpy(pn->name.safe, "?");
		}
		break;
	case 1:
		/* Anything, in both forms. */
		fuzz_str(in, pn->name.safe, sizeof pn->name.safe);
		fuzz_str(in, pn->name.pres, sizeof pn->name.pres);
		pn->name.hostname = fuzz_u8(in) & 1;
		break;
	default:
		/* As long as the array allows, one byte repeated. */
		fill = fuzz_u8(in) | 1;
		memset(pn->name.safe, (int)fill, sizeof pn->name.safe - 1);
		pn->name.safe[sizeof pn->name.safe - 1] = '\0';
		strcpy(pn->name.pres, pn->name.safe);
		pn->name.hostname = false;
		break;
	}
	pn->looked_up = fuzz_u8(in) & 1;
	pn->fwd_result = (enum dns_result)fuzz_pick(in, 6);
	pn->fwd_dnssec = (enum dnssec_status)fuzz_pick(in, 3);
	pn->confirmed = fuzz_u8(in) & 1;
	fuzz_str(in, pn->fwd_addrs, sizeof pn->fwd_addrs);
}

void
fuzz_check_result(struct fuzz_in *in, struct check_result *r)
{
	size_t i, n;

	memset(r, 0, sizeof *r);
	fuzz_ip(in, &r->ip);
	if (fuzz_pick(in, 8) == 0)
		fuzz_str(in, r->ipstr, sizeof r->ipstr);
	else
		dname_ip_str(&r->ip, r->ipstr, sizeof r->ipstr);
	r->ptr = (enum check_res)fuzz_pick(in, 6);
	r->ptr_dns = (enum dns_result)fuzz_pick(in, 6);
	r->ptr_dnssec = (enum dnssec_status)fuzz_pick(in, 3);
	fuzz_str(in, r->ptr_why_bogus, sizeof r->ptr_why_bogus);
	n = fuzz_pick(in, 5);
	if (n > 0) {
		if ((r->names = calloc(n, sizeof *r->names)) == NULL)
			abort();
		r->n_names = n;
		for (i = 0; i < n; i++)
			fuzz_name(in, &r->names[i]);
	}
	r->names_truncated = fuzz_u8(in) & 1;
	r->iprev = (enum check_res)fuzz_pick(in, 6);
	r->iprev_dnssec = (enum dnssec_status)fuzz_pick(in, 3);
	r->verified = fuzz_index(in, n);
	fuzz_str(in, r->reason, sizeof r->reason);
	r->have_helo = fuzz_u8(in) & 1;
	fuzz_str(in, r->helo, sizeof r->helo);
	r->xptr = (enum check_res)fuzz_pick(in, 6);
	r->helo_match = fuzz_index(in, n);
	r->helo_fwd = (enum check_res)fuzz_pick(in, 6);
	r->helo_dns = (enum dns_result)fuzz_pick(in, 6);
	fuzz_str(in, r->helo_addrs, sizeof r->helo_addrs);
	r->generic = (enum generic_res)fuzz_pick(in, 3);
	r->timed_out = fuzz_u8(in) & 1;
	/* Issue 11 fields last, so that older corpus files keep their
	 * meaning. */
	r->helo_aligned = fuzz_u8(in) & 1;
	fuzz_str(in, r->helo_org, sizeof r->helo_org);
	fuzz_str(in, r->org_domain, sizeof r->org_domain);
	r->allowlisted = fuzz_u8(in) & 1;
}

void
fuzz_policy(struct fuzz_in *in, struct policy *p)
{
	static char star[] = "*";

	memset(p, 0, sizeof *p);
	p->domain = star;
	p->act[CHECK_ID_PTR] = (enum action)fuzz_pick(in, 3);
	p->act[CHECK_ID_IPREV] = (enum action)fuzz_pick(in, 3);
	p->act[CHECK_ID_HELO] = (enum action)fuzz_pick(in, 3);
	p->act[CHECK_ID_GENERIC] = (enum action)fuzz_pick(in, 3);
	p->act[CHECK_ID_TEMPERROR] = (enum action)fuzz_pick(in, 3);
	p->require[CHECK_ID_DNSSEC] = fuzz_u8(in) & 1;
}

/* RFC 2045 5.1 token byte (written here again, not taken from strbuf). */
static bool
token_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!token_byte((unsigned char)*s))
			return false;
	return true;
}

bool
fuzz_authserv_id(struct fuzz_in *in, char *id, size_t size)
{
	static char alphabet[128];
	static size_t nalpha;
	size_t i, n;

	if (nalpha == 0)
		for (i = 0x21; i < 0x7f; i++)
			if (token_byte((unsigned char)i))
				alphabet[nalpha++] = (char)i;
	if (fuzz_u8(in) & 1) {
		fuzz_str(in, id, size);
		return strlen(id) <= CHECK_VALUE_MAX && is_token(id);
	}
	n = 1 + fuzz_pick(in, CHECK_VALUE_MAX);
	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++)
		id[i] = alphabet[fuzz_u8(in) % nalpha];
	id[n] = '\0';
	return true;
}

/*
 * Expected text of a value: at most max bytes of s (to its NUL), each byte
 * outside printable ASCII as '?'.
 */
static void
sanitize(char *dst, size_t size, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i] != '\0' && i < size - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
	}
	dst[i] = '\0';
}

/*
 * Expected text of a value in an SMTP reply: as sanitize(), and '%' too
 * is '?' (smfi_setreply() takes it as an escape; policy.c).
 */
static void
reply_sanitize(char *dst, size_t size, const char *s, size_t max)
{
	char *c;

	sanitize(dst, size, s, max);
	for (c = dst; *c != '\0'; c++)
		if (*c == '%')
			*c = '?';
}

/* Collapse every run of SP, TAB and LF into one SP, in place (comments
 * are folded at their spaces, and folding white space is not content). */
static void
squeeze(char *s)
{
	char *o = s;
	bool ws = false;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			ws = true;
			continue;
		}
		if (ws)
			*o++ = ' ';
		ws = false;
		*o++ = *s;
	}
	if (ws)
		*o++ = ' ';
	*o = '\0';
}

/* Append c to buf[size]; false when it does not fit. */
static bool
append(char *buf, size_t size, size_t *len, char c)
{
	if (*len + 1 >= size)
		return false;
	buf[(*len)++] = c;
	buf[*len] = '\0';
	return true;
}

/*
 * Skip CFWS (RFC 5322 3.2.2).  Comments, parentheses included, are
 * appended to com[comsize] (when com is not NULL).
 * @return the next byte, or NULL if a comment is not closed.
 */
static const char *
ar_cfws(const char *p, char *com, size_t comsize)
{
	size_t depth = 0, len = com != NULL ? strlen(com) : 0;

	for (;;) {
		char c = *p;

		if (c == '\0')
			return depth == 0 ? p : NULL;
		if (depth == 0 && c != ' ' && c != '\t' && c != '\n' &&
		    c != '(')
			return p;
		if (c == '(') {
			if (depth == 0 && com != NULL && len > 0)
				FUZZ_ASSERT(append(com, comsize, &len, ' '));
			depth++;
		} else if (c == ')')
			depth--;
		else if (c == '\\' && depth > 0) {
			if (p[1] == '\0')
				return NULL;
			if (com != NULL)
				FUZZ_ASSERT(append(com, comsize, &len, c));
			c = *++p;
		}
		if (com != NULL && (depth > 0 || c == ')'))
			FUZZ_ASSERT(append(com, comsize, &len, c));
		p++;
	}
}

/* An RFC 2045 value: token or quoted-string, unquoted into out[size].
 * @return the byte after it, or NULL if there is none. */
static const char *
ar_value(const char *p, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return NULL;
			if (*p == '\\' && *++p == '\0')
				return NULL;
			if (!append(out, size, &len, *p))
				return NULL;
		}
		return p + 1;
	}
	if (!token_byte((unsigned char)*p))
		return NULL;
	for (; token_byte((unsigned char)*p); p++)
		if (!append(out, size, &len, *p))
			return NULL;
	return p;
}

/* A keyword ([a-z0-9-]+, the shape of our method, ptype and property
 * names) into out[size].  @return the byte after it, or NULL. */
static const char *
ar_keyword(const char *p, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
	    *p == '-')
		if (!append(out, size, &len, *p++))
			return NULL;
	return len > 0 ? p : NULL;
}

/* What may follow a word inside a result element. */
static bool
word_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '(' ||
	    c == ';';
}

struct ar_elem {
	char	 method[16];
	char	 result[16];
	char	 comment[AR_COMMENT_MAX];
	size_t	 nprops;
	char	 pname[AR_PROPS_MAX][40];
	char	 pval[AR_PROPS_MAX][AR_VALUE_MAX];
};

/* Parse one resinfo after its ';' (RFC 8601 2.2).  @return the byte
 * after it (';' of the next one or the NUL), or NULL on a syntax error. */
static const char *
ar_elem_parse(const char *p, struct ar_elem *e)
{
	memset(e, 0, sizeof *e);
	if ((p = ar_cfws(p, NULL, 0)) == NULL)
		return NULL;
	if ((p = ar_keyword(p, e->method, sizeof e->method)) == NULL ||
	    *p++ != '=')
		return NULL;
	if ((p = ar_keyword(p, e->result, sizeof e->result)) == NULL ||
	    !word_end(*p))
		return NULL;
	for (;;) {
		char ptype[16], prop[16];

		if ((p = ar_cfws(p, e->comment, sizeof e->comment)) == NULL)
			return NULL;
		if (*p == ';' || *p == '\0')
			return p;
		if (e->nprops == AR_PROPS_MAX)
			return NULL;
		if ((p = ar_keyword(p, ptype, sizeof ptype)) == NULL ||
		    *p++ != '.' ||
		    (p = ar_keyword(p, prop, sizeof prop)) == NULL ||
		    *p++ != '=')
			return NULL;
		snprintf(e->pname[e->nprops], sizeof e->pname[0], "%s.%s",
		    ptype, prop);
		if ((p = ar_value(p, e->pval[e->nprops],
		    sizeof e->pval[0])) == NULL || !word_end(*p))
			return NULL;
		e->nprops++;
	}
}

/* The value of property name in e, or NULL; it must not repeat. */
static const char *
ar_prop(const struct ar_elem *e, const char *name)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < e->nprops; i++)
		if (strcmp(e->pname[i], name) == 0) {
			FUZZ_ASSERT(v == NULL);
			v = e->pval[i];
		}
	return v;
}

static const char *
name_at(const struct check_result *r, int i)
{
	if (r->names == NULL || i < 0 || (size_t)i >= r->n_names)
		return NULL;
	return r->names[i].name.safe;
}

static const char *
dnssec_word(enum dnssec_status s)
{
	return s == DNSSEC_SECURE ? "secure" : s == DNSSEC_INSECURE ?
	    "insecure" : "bogus";
}

/* Line rules of RFC 5322 2.1.1 / 2.2.3 for a folded field value. */
static void
assert_lines(const char *hv)
{
	size_t col = strlen(AR_PREFIX);
	const char *p;

	for (p = hv; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		FUZZ_ASSERT(c != '\r');
		if (c == '\n') {
			FUZZ_ASSERT(p[1] == '\t');
			FUZZ_ASSERT(col <= LINE_MAX_5322);
			col = 0;
			continue;
		}
		FUZZ_ASSERT(c == '\t' || (c >= 0x20 && c <= 0x7e));
		col++;
	}
	FUZZ_ASSERT(col <= LINE_MAX_5322);
	FUZZ_ASSERT(p > hv && p[-1] != '\n');
}

/* The iprev element's comment, as SPEC 3.1 describes it (squeezed). */
static void
iprev_comment(const struct check_result *r, char *buf, size_t size)
{
	char text[sizeof r->reason];
	const char *name = name_at(r, r->verified);
	size_t i, n = 0;

	n += (size_t)snprintf(buf + n, size - n, "(");
	if (r->iprev == CHECK_PASS && name != NULL) {
		/* DNS text keeps only [A-Za-z0-9._-]. */
		for (i = 0; i < CHECK_VALUE_MAX && name[i] != '\0'; i++) {
			unsigned char c = (unsigned char)name[i];
			bool keep = (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			    c == '-';

			buf[n++] = keep ? (char)c : '?';
		}
		n += (size_t)snprintf(buf + n, size - n, "; ");
	} else if (r->iprev != CHECK_PASS && r->reason[0] != '\0') {
		/* Other text: printable, but no ( ) \ inside a comment. */
		sanitize(text, sizeof text, r->reason, sizeof r->reason);
		for (i = 0; text[i] != '\0'; i++)
			if (strchr("()\\", text[i]) != NULL)
				text[i] = '?';
		n += (size_t)snprintf(buf + n, size - n, "%s; ", text);
	}
	n += (size_t)snprintf(buf + n, size - n, "dnssec=%s",
	    dnssec_word(r->iprev_dnssec));
	if (r->iprev == CHECK_PASS && r->generic == GENERIC_YES)
		n += (size_t)snprintf(buf + n, size - n, "; generic");
	if (r->iprev == CHECK_PASS && r->allowlisted)
		n += (size_t)snprintf(buf + n, size - n, "; allowlisted");
	(void)snprintf(buf + n, size - n, ")");
	squeeze(buf);
}

void
fuzz_assert_authres(const char *hv, const struct check_result *r,
    const char *id, bool id_valid)
{
	static const char *const iprev_ok[] = {
		"pass", "fail", "temperror", "permerror", NULL,
	};
	static const char *const xptr_ok[] = {
		"pass", "fail", "neutral", "none", "temperror", NULL,
	};
	struct ar_elem e[2];
	char want[AR_COMMENT_MAX], got_id[AR_VALUE_MAX];
	const char *p, *v, *name;
	size_t i;
	bool found;

	assert_lines(hv);

	/* authserv-id ";" */
	p = ar_cfws(hv, NULL, 0);
	FUZZ_ASSERT(p == hv);		/* we write no comment first */
	p = ar_value(p, got_id, sizeof got_id);
	FUZZ_ASSERT(p != NULL);
	sanitize(want, sizeof want, id, CHECK_VALUE_MAX);
	FUZZ_ASSERT(strcmp(got_id, want) == 0);
	FUZZ_ASSERT(*p == ';');
	if (id_valid)
		FUZZ_ASSERT(authres_is_ours(hv, id));
	if (want[0] != '\0')
		FUZZ_ASSERT(authres_is_ours(hv, want));

	/* Exactly two result elements: iprev, then x-ptr. */
	p = ar_elem_parse(p + 1, &e[0]);
	FUZZ_ASSERT(p != NULL && *p == ';');
	p = ar_elem_parse(p + 1, &e[1]);
	FUZZ_ASSERT(p != NULL && *p == '\0');
	FUZZ_ASSERT(strcmp(e[0].method, "iprev") == 0);
	FUZZ_ASSERT(strcmp(e[1].method, "x-ptr") == 0);

	/* iprev result, comment and policy.iprev. */
	for (found = false, i = 0; iprev_ok[i] != NULL; i++)
		found |= strcmp(e[0].result, iprev_ok[i]) == 0;
	FUZZ_ASSERT(found);
	if (r->iprev == CHECK_PASS || r->iprev == CHECK_FAIL ||
	    r->iprev == CHECK_PERMERROR || r->iprev == CHECK_TEMPERROR)
		FUZZ_ASSERT(strcmp(e[0].result, check_res_str(r->iprev)) == 0);
	iprev_comment(r, want, sizeof want);
	squeeze(e[0].comment);
	FUZZ_ASSERT(strcmp(e[0].comment, want) == 0);
	FUZZ_ASSERT(e[0].nprops == 1);
	v = ar_prop(&e[0], "policy.iprev");
	FUZZ_ASSERT(v != NULL);
	sanitize(want, sizeof want, r->ipstr, sizeof r->ipstr);
	FUZZ_ASSERT(strcmp(v, want) == 0);

	/* x-ptr result, comment, smtp.helo and policy.ptr. */
	for (found = false, i = 0; xptr_ok[i] != NULL; i++)
		found |= strcmp(e[1].result, xptr_ok[i]) == 0;
	FUZZ_ASSERT(found);
	if (r->xptr != CHECK_PERMERROR)
		FUZZ_ASSERT(strcmp(e[1].result, check_res_str(r->xptr)) == 0);
	if (r->xptr != CHECK_PASS && r->helo_fwd == CHECK_PASS) {
		char ip[sizeof r->ipstr];

		sanitize(ip, sizeof ip, r->ipstr, sizeof r->ipstr);
		for (i = 0; ip[i] != '\0'; i++)
			if (strchr("()\\", ip[i]) != NULL)
				ip[i] = '?';
		snprintf(want, sizeof want, "(helo resolves to %s)", ip);
		squeeze(want);
	} else if (r->xptr != CHECK_PASS && r->helo_aligned &&
	    r->helo_org[0] != '\0') {
		/* DNS text in a comment: [A-Za-z0-9._-] kept, else '?'. */
		char org[sizeof r->helo_org];

		for (i = 0; i < sizeof org - 1 && r->helo_org[i] != '\0';
		    i++) {
			unsigned char c = (unsigned char)r->helo_org[i];

			org[i] = (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			    c == '-' ? (char)c : '?';
		}
		org[i] = '\0';
		snprintf(want, sizeof want, "(helo aligned with %s)", org);
		squeeze(want);
	} else
		want[0] = '\0';
	squeeze(e[1].comment);
	FUZZ_ASSERT(strcmp(e[1].comment, want) == 0);
	v = ar_prop(&e[1], "smtp.helo");
	if (r->have_helo && r->xptr != CHECK_NONE) {
		FUZZ_ASSERT(v != NULL);
		sanitize(want, sizeof want, r->helo, CHECK_VALUE_MAX);
		FUZZ_ASSERT(strcmp(v, want) == 0);
	} else
		FUZZ_ASSERT(v == NULL);
	v = ar_prop(&e[1], "policy.ptr");
	name = name_at(r, r->helo_match);
	if (name == NULL)
		name = name_at(r, r->verified);
	if (name != NULL) {
		FUZZ_ASSERT(v != NULL);
		sanitize(want, sizeof want, name, CHECK_VALUE_MAX);
		FUZZ_ASSERT(strcmp(v, want) == 0);
	} else
		FUZZ_ASSERT(v == NULL);
	FUZZ_ASSERT(e[1].nprops == (size_t)(v != NULL) +
	    (size_t)(ar_prop(&e[1], "smtp.helo") != NULL));
}

/*
 * SPEC 3.2, written from the text: how one check came out for policy.
 */
enum want_verdict {
	W_OK,
	W_FAIL,
	W_TEMP,
};

static void
policy_text(const struct check_result *r, enum check_id c, char *buf,
    size_t size)
{
	static const char no_ptr[] = "The IP address sending this message "
	    "does not have a PTR record";
	char ip[CHECK_VALUE_MAX + 1], a[CHECK_VALUE_MAX + 1];
	const char *name;

	reply_sanitize(ip, sizeof ip, r->ipstr, sizeof r->ipstr);
	switch (c) {
	case CHECK_ID_PTR:
		snprintf(buf, size, "%s", no_ptr);
		return;
	case CHECK_ID_IPREV:
		name = name_at(r, 0);
		if (r->iprev == CHECK_PERMERROR)
			snprintf(buf, size, "%s", no_ptr);
		else if (name == NULL)
			snprintf(buf, size, "Reverse DNS for %s does not "
			    "resolve back to it", ip);
		else {
			reply_sanitize(a, sizeof a, name, CHECK_VALUE_MAX);
			snprintf(buf, size, "Reverse DNS for %s (%s) does not "
			    "resolve back to it", ip, a);
		}
		return;
	case CHECK_ID_GENERIC:
		name = name_at(r, r->verified);
		reply_sanitize(a, sizeof a, name != NULL ? name : "(unknown)",
		    CHECK_VALUE_MAX);
		snprintf(buf, size, "Reverse DNS name %s of %s looks generic",
		    a, ip);
		return;
	case CHECK_ID_HELO: {
		char h[CHECK_VALUE_MAX + 1];

		reply_sanitize(h, sizeof h, r->helo, CHECK_VALUE_MAX);
		name = name_at(r, r->verified);
		if (name != NULL) {
			/* RFC 5321 4.5.3.1.5: "550 5.7.25 " + text + CRLF
			 * fits in 512 bytes; the HELO gives way. */
			size_t cap, fixed = strlen("HELO name  does not match "
			    "reverse DNS name ");

			reply_sanitize(a, sizeof a, name, CHECK_VALUE_MAX);
			cap = 512 - 2 - 11 - fixed - strlen(a);
			if (cap < strlen(h))
				h[cap] = '\0';
			snprintf(buf, size, "HELO name %s does not match "
			    "reverse DNS name %s", h, a);
			FUZZ_ASSERT(11 + strlen(buf) + 2 <= 512);
		} else
			snprintf(buf, size, "HELO name %s does not match "
			    "reverse DNS of %s", h, ip);
		return;
	}
	case CHECK_ID_DNSSEC:
		snprintf(buf, size, "Reverse DNS for %s is not DNSSEC-secure",
		    ip);
		return;
	case CHECK_ID_TEMPERROR:
		snprintf(buf, size, "Temporary failure looking up reverse DNS "
		    "for %s", ip);
		return;
	case CHECK_ID_NONE:
	case CHECK_ID_N:
		break;
	}
	buf[0] = '\0';
}

void
fuzz_assert_policy(const struct check_result *r, const struct policy *p,
    const struct policy_decision *d)
{
	struct {
		enum check_id	 check;
		enum action		 action;
		enum want_verdict	 v;
	} step[5];
	enum action want_action = ACTION_ACCEPT;
	enum check_id want_check = CHECK_ID_NONE;
	char want[POLICY_TEXT_MAX + CHECK_VALUE_MAX];
	bool temp = false;
	size_t i;
	const char *t;

	step[0].check = CHECK_ID_PTR;
	step[0].action = p->act[CHECK_ID_PTR];
	step[0].v = r->ptr == CHECK_FAIL ? W_FAIL :
	    r->ptr == CHECK_TEMPERROR ? W_TEMP : W_OK;
	step[1].check = CHECK_ID_IPREV;
	step[1].action = p->act[CHECK_ID_IPREV];
	step[1].v = r->iprev == CHECK_FAIL || r->iprev == CHECK_PERMERROR ?
	    W_FAIL : r->iprev == CHECK_TEMPERROR ? W_TEMP : W_OK;
	step[2].check = CHECK_ID_GENERIC;
	step[2].action = p->act[CHECK_ID_GENERIC];
	step[2].v = r->generic == GENERIC_YES ? W_FAIL :
	    r->generic == GENERIC_TEMPERROR ? W_TEMP : W_OK;
	/* AllowDomains: exempt from the generic and helo policies. */
	if (r->allowlisted)
		step[2].v = W_OK;
	/* helo acts on x-ptr=fail when the HELO neither forward-confirms
	 * nor is aligned; a temporary HELO lookup makes it temporary. */
	step[3].check = CHECK_ID_HELO;
	step[3].action = p->act[CHECK_ID_HELO];
	if (r->helo_fwd == CHECK_PASS || r->helo_aligned || r->allowlisted)
		step[3].v = W_OK;
	else if (r->xptr == CHECK_FAIL)
		step[3].v = r->helo_fwd == CHECK_TEMPERROR ? W_TEMP : W_FAIL;
	else
		step[3].v = r->xptr == CHECK_TEMPERROR ? W_TEMP : W_OK;
	/* dnssec=require: a pass that is not secure, by the iprev action. */
	step[4].check = CHECK_ID_DNSSEC;
	step[4].action = p->act[CHECK_ID_IPREV];
	step[4].v = p->require[CHECK_ID_DNSSEC] && r->iprev == CHECK_PASS &&
	    r->iprev_dnssec != DNSSEC_SECURE ? W_FAIL : W_OK;

	for (i = 0; i < 5; i++) {
		if (step[i].action == ACTION_ACCEPT)
			continue;
		if (step[i].v == W_FAIL) {
			want_action = step[i].action;
			want_check = step[i].check;
			break;
		}
		if (step[i].v == W_TEMP)
			temp = true;
	}
	if (want_check == CHECK_ID_NONE && temp &&
	    p->act[CHECK_ID_TEMPERROR] != ACTION_ACCEPT) {
		/* Never a 5xx for a temporary error. */
		want_action = ACTION_TEMPFAIL;
		want_check = CHECK_ID_TEMPERROR;
	}

	FUZZ_ASSERT(d->action == want_action);
	FUZZ_ASSERT(d->check == want_check);
	FUZZ_ASSERT(memchr(d->text, '\0', sizeof d->text) != NULL);
	for (t = d->text; *t != '\0'; t++)
		FUZZ_ASSERT(*t >= 0x20 && *t <= 0x7e);
	switch (d->action) {
	case ACTION_ACCEPT:
		FUZZ_ASSERT(d->check == CHECK_ID_NONE);
		FUZZ_ASSERT(d->rcode[0] == '\0' && d->xcode[0] == '\0');
		FUZZ_ASSERT(d->text[0] == '\0');
		return;
	case ACTION_REJECT:
		FUZZ_ASSERT(strcmp(d->rcode, "550") == 0);
		FUZZ_ASSERT(strcmp(d->xcode, "5.7.25") == 0);
		FUZZ_ASSERT(d->check != CHECK_ID_TEMPERROR);
		break;
	case ACTION_TEMPFAIL:
		FUZZ_ASSERT(strcmp(d->rcode, "451") == 0);
		FUZZ_ASSERT(strcmp(d->xcode, "4.7.25") == 0);
		break;
	default:
		FUZZ_ASSERT(!"action out of range");
	}
	/* Only a policy that needs a verdict can refuse. */
	FUZZ_ASSERT(policy_needs_verdict(p));
	policy_text(r, d->check, want, sizeof want);
	FUZZ_ASSERT(strcmp(d->text, want) == 0);
}

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR	"."
#endif

struct generic_patterns *
fuzz_generic_rules(void)
{
	static struct generic_patterns *gp;
	char err[1024];

	if (gp != NULL)
		return gp;
	if (setenv("RDNS_MILTER_GENERIC_RULES", FUZZ_SRCDIR
	    "/data/generic.rules", 1) == -1 ||
	    (gp = generic_rules_load(FUZZ_SRCDIR "/data/generic.rules", err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "fuzz: shipped generic rules: %s\n", err);
		abort();
	}
	return gp;
}
