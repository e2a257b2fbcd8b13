/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.c - RFC 8601 Authentication-Results: writing ours, finding
 * forged ones (SPEC 3.1).  The field's shape is SPEC 3.1's; its method
 * names, results and comment words are the check table's (checks.h).
 */
#include "autoconf.h"

#include <string.h>

#include "authres.h"
#include "strbuf.h"
#include "text.h"

/* RFC 5322 2.1.1: lines SHOULD be at most 78 characters (we keep them
 * under 78, SPEC 3.1) and MUST be at most 998. */
#define LINE_SOFT	78
/* The field name the MTA puts in front of the first line. */
#define FIELD_PREFIX	"Authentication-Results: "
/* One word: a comment or a property with one capped, quoted value (at most
 * 2 * 255 + 2 bytes) and fixed text; far below 998 (RFC 5322 2.1.1). */
#define WORD_MAX	1024

/*
 * The folding writer: words separated by one space, or by a fold ("\n\t")
 * when the line would otherwise reach LINE_SOFT characters.  col counts
 * the bytes of the current line, the tab included.
 */
struct fold {
	struct strbuf	 sb;
	size_t		 col;
};

static void
fold_break(struct fold *f)
{
	strbuf_puts(&f->sb, "\n\t");
	f->col = 1;
}

/* Start a new line with w (a result element begins with a fold). */
static void
fold_first(struct fold *f, const char *w, size_t n)
{
	fold_break(f);
	strbuf_putn(&f->sb, w, n);
	f->col += n;
}

/*
 * Put word w[n] after the current one; trail is the number of bytes that
 * must follow it on the same line (the ';' ending a result element).
 */
static void
fold_word(struct fold *f, const char *w, size_t n, size_t trail)
{
	if (f->col > 1 && f->col + 1 + n + trail >= LINE_SOFT)
		fold_break(f);
	if (f->col > 1) {
		strbuf_putc(&f->sb, ' ');
		f->col++;
	}
	strbuf_putn(&f->sb, w, n);
	f->col += n;
}

/*
 * Put a comment: whole on this line if it fits, else whole on a fresh
 * line if it fits there, else broken at its spaces (folding white space
 * is allowed inside a comment, RFC 5322 3.2.2).
 */
static void
fold_comment(struct fold *f, const char *c, size_t n, size_t trail)
{
	const char *p, *end = c + n, *sp;

	if (f->col + 1 + n + trail < LINE_SOFT || 1 + n + trail < LINE_SOFT) {
		fold_word(f, c, n, trail);
		return;
	}
	for (p = c; p < end; p = sp + 1) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (sp == NULL)
			sp = end;
		if (sp > p)
			fold_word(f, p, (size_t)(sp - p),
			    sp == end ? trail : 0);
		if (sp == end)
			break;
	}
}

/*
 * A method's result (RFC 8601 2.7.3 iprev, SPEC 3.1 x-ptr): one its check
 * can have (check_info[].results), anything else the engine might hand us
 * reported as temperror (we could not decide): iprev is never neutral or
 * none, x-ptr never permerror.
 */
static const char *
method_result(enum check_id id, const struct check_result *r)
{
	int v = check_info[id].get(r);

	if (check_result_index(id, v) < 0)
		return check_res_str(CHECK_TEMPERROR);
	return check_label(id, v);
}

/* "method=result" of check id. */
static void
put_method(struct strbuf *w, enum check_id id, const struct check_result *r)
{
	strbuf_printf(w, "%s=%s", check_info[id].header, method_result(id, r));
}

static size_t
cap(size_t size)
{
	return size < CHECK_VALUE_MAX ? size : CHECK_VALUE_MAX;
}

/* DNS-derived text in a comment: only [A-Za-z0-9._-], every other byte
 * '?' (SPEC 3.1, TEXT_DNS); at most max bytes. */
static void
put_dns_comment(struct strbuf *sb, const char *s, size_t max)
{
	(void)strbuf_put_safe(sb, TEXT_DNS, s, max);
}

/* Other text in a comment (the engine's reason phrase, an address):
 * printable ASCII except the comment delimiters and the quoting byte
 * ( ) \ (RFC 5322 3.2.2 ctext, TEXT_COMMENT); every other byte '?'. */
static void
put_text_comment(struct strbuf *sb, const char *s, size_t max)
{
	(void)strbuf_put_safe(sb, TEXT_COMMENT, s, max);
}

static void
iprev_element(struct fold *f, const struct check_result *r)
{
	char wbuf[WORD_MAX];
	struct strbuf w;
	const char *name = check_result_name_at(r, r->verified);

	strbuf_init(&w, wbuf, sizeof(wbuf));
	put_method(&w, CHECK_ID_IPREV, r);
	fold_first(f, w.buf, w.len);

	strbuf_init(&w, wbuf, sizeof(wbuf));
	strbuf_putc(&w, '(');
	if (r->iprev == CHECK_PASS) {
		if (name != NULL) {
			put_dns_comment(&w, name, cap(CHECK_NAME_SIZE));
			strbuf_puts(&w, "; ");
		}
	} else if (r->reason[0] != '\0') {
		put_text_comment(&w, r->reason, sizeof(r->reason));
		strbuf_puts(&w, "; ");
	}
	/* The comment words of the check table (CHECK_HDR_COMMENT). */
	strbuf_printf(&w, "%s=%s", check_info[CHECK_ID_DNSSEC].header,
	    check_label(CHECK_ID_DNSSEC, (int)r->iprev_dnssec));
	if (r->iprev == CHECK_PASS && r->generic == GENERIC_YES)
		strbuf_printf(&w, "; %s", check_info[CHECK_ID_GENERIC].header);
	if (r->iprev == CHECK_PASS && r->allowlisted)
		strbuf_puts(&w, "; allowlisted");
	strbuf_putc(&w, ')');
	fold_comment(f, w.buf, w.len, 0);

	/* RFC 8601 2.7.3: policy.iprev is the client IP; an IPv6 address
	 * is not a token and goes in a quoted-string. */
	strbuf_init(&w, wbuf, sizeof(wbuf));
	strbuf_puts(&w, "policy.iprev=");
	strbuf_put_value(&w, r->ipstr, cap(sizeof(r->ipstr)));
	fold_word(f, w.buf, w.len, 1);
	strbuf_putc(&f->sb, ';');
	f->col++;
}

static void
xptr_element(struct fold *f, const struct check_result *r)
{
	char wbuf[WORD_MAX];
	struct strbuf w;
	const char *name;

	strbuf_init(&w, wbuf, sizeof(wbuf));
	put_method(&w, CHECK_ID_HELO, r);
	fold_first(f, w.buf, w.len);

	if (r->xptr != CHECK_PASS && r->helo_fwd == CHECK_PASS) {
		strbuf_init(&w, wbuf, sizeof(wbuf));
		strbuf_puts(&w, "(helo resolves to ");
		put_text_comment(&w, r->ipstr, cap(sizeof(r->ipstr)));
		strbuf_putc(&w, ')');
		fold_comment(f, w.buf, w.len, 0);
	} else if (r->xptr != CHECK_PASS && r->helo_aligned &&
	    r->helo_org[0] != '\0') {
		/* One comment: forward confirmation is the stronger fact. */
		strbuf_init(&w, wbuf, sizeof(wbuf));
		strbuf_puts(&w, "(helo aligned with ");
		put_dns_comment(&w, r->helo_org, cap(sizeof(r->helo_org)));
		strbuf_putc(&w, ')');
		fold_comment(f, w.buf, w.len, 0);
	}

	if (r->xptr != CHECK_NONE && r->have_helo) {
		strbuf_init(&w, wbuf, sizeof(wbuf));
		strbuf_puts(&w, "smtp.helo=");
		strbuf_put_value(&w, r->helo, cap(sizeof(r->helo)));
		fold_word(f, w.buf, w.len, 0);
	}

	name = check_result_name_at(r, r->helo_match);
	if (name == NULL)
		name = check_result_name_at(r, r->verified);
	if (name != NULL) {
		strbuf_init(&w, wbuf, sizeof(wbuf));
		strbuf_puts(&w, "policy.ptr=");
		strbuf_put_value(&w, name, cap(CHECK_NAME_SIZE));
		fold_word(f, w.buf, w.len, 0);
	}
}

int
authres_format(const char *authserv_id, const struct check_result *r,
    char *buf, size_t len)
{
	struct fold f;

	if (buf == NULL || len == 0)
		return -1;
	if (authserv_id == NULL || r == NULL) {
		buf[0] = '\0';
		return -1;
	}
	strbuf_init(&f.sb, buf, len);
	strbuf_put_value(&f.sb, authserv_id, CHECK_VALUE_MAX);
	strbuf_putc(&f.sb, ';');
	f.col = strlen(FIELD_PREFIX) + f.sb.len;

	/* iprev first: some parsers stop at an unknown method (SPEC 3.1). */
	iprev_element(&f, r);
	xptr_element(&f, r);

	if (strbuf_overflow(&f.sb)) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Parsing an existing field: RFC 8601 2.2
 *
 *	authres-header-field = "Authentication-Results:" [CFWS]
 *	    authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo )
 *	authserv-id = value (RFC 2045: token / quoted-string)
 *	authres-version = 1*DIGIT [CFWS]
 *
 * and every alternative of it begins with ";" after the version.
 */

/* Skip CFWS (RFC 5322 3.2.2): white space, line breaks and possibly
 * nested comments with quoted-pairs.  @return the next byte, or NULL if a
 * comment is not closed. */
static const char *
skip_cfws(const char *p)
{
	size_t depth = 0;

	for (;;) {
		if (*p == '\0')
			return depth == 0 ? p : NULL;
		if (depth == 0 && !text_is_fws((unsigned char)*p) && *p != '(')
			return p;
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == '\\' && depth > 0) {
			if (p[1] == '\0')
				return NULL;
			p++;
		}
		p++;
	}
}

/* Compare one byte of the field's authserv-id with the next one of id;
 * *i advances.  @return false on a mismatch. */
static bool
id_next(const char *id, size_t *i, char c)
{
	if (id[*i] == '\0' ||
	    ascii_lower(id[*i]) != ascii_lower((char)c))
		return false;
	(*i)++;
	return true;
}

bool
authres_is_ours(const char *hv, const char *authserv_id)
{
	const char *p;
	size_t i = 0;
	bool match = true;

	if (hv == NULL || authserv_id == NULL || authserv_id[0] == '\0')
		return false;
	if ((p = skip_cfws(hv)) == NULL)
		return false;

	if (*p == '"') {
		/* quoted-string: qtext and quoted-pairs up to the '"' */
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return false;
			if (*p == '\\' && *++p == '\0')
				return false;
			if (*p == '\r' || *p == '\n')
				continue;	/* folding inside the quotes */
			if (match && !id_next(authserv_id, &i, *p))
				match = false;
		}
		p++;
	} else {
		if (!text_is_token_char((unsigned char)*p))
			return false;
		for (; text_is_token_char((unsigned char)*p); p++)
			if (match && !id_next(authserv_id, &i, *p))
				match = false;
	}
	if (!match || authserv_id[i] != '\0')
		return false;

	/* [CFWS authres-version] then ";" (or nothing at all). */
	if ((p = skip_cfws(p)) == NULL)
		return false;
	if (text_is_digit((unsigned char)*p)) {
		while (text_is_digit((unsigned char)*p))
			p++;
		if ((p = skip_cfws(p)) == NULL)
			return false;
	}
	return *p == ';' || *p == '\0';
}
