/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.c - the sanitiser family and the RFC 2045 token class (text.h has
 * the table of contexts; the byte classes are inline there).
 */
#include "autoconf.h"

#include <string.h>

#include "text.h"

/*
 * The table of text.h, one row a context: the base class, and the bytes
 * of that class the context turns into '?' as well.
 */
enum text_base {
	BASE_PRINT,		/* 0x20-0x7e */
	BASE_GRAPH,		/* 0x21-0x7e */
	BASE_DNS,		/* A-Z a-z 0-9 . _ - */
	BASE_ANY,		/* 0x00-0xff */
};

static const struct {
	enum text_base	 base;
	const char	*drop;
} rules[TEXT_CTX_COUNT] = {
	[TEXT_PRINT] =		{ BASE_PRINT, "" },
	[TEXT_REPLY] =		{ BASE_PRINT, "%" },
	[TEXT_HEADER] =		{ BASE_PRINT, "" },
	[TEXT_COMMENT] =	{ BASE_PRINT, "()\\" },
	[TEXT_DNS] =		{ BASE_DNS, "" },
	[TEXT_LOG_VALUE] =	{ BASE_GRAPH, "=" },
	[TEXT_LOG_ADDR] =	{ BASE_GRAPH, "<>=" },
	[TEXT_LOG_ITEM] =	{ BASE_GRAPH, ",=@" },
	[TEXT_LOG_TEXT] =	{ BASE_ANY, "=" },
	[TEXT_LOG_INNER] =	{ BASE_ANY, "<>" },
};

bool
text_keeps(enum text_ctx ctx, unsigned char c)
{
	bool in;

	if ((unsigned)ctx >= TEXT_CTX_COUNT)
		return false;
	switch (rules[ctx].base) {
	case BASE_PRINT:
		in = text_is_print(c);
		break;
	case BASE_GRAPH:
		in = text_is_graph(c);
		break;
	case BASE_DNS:
		in = text_is_alnum(c) || c == '.' || c == '_' || c == '-';
		break;
	case BASE_ANY:
		/* NUL is in no drop list (strchr() would find the
		 * terminator). */
		return c == '\0' || strchr(rules[ctx].drop, c) == NULL;
	default:
		in = false;
		break;
	}
	/* c is never NUL here: no other base holds it. */
	return in && strchr(rules[ctx].drop, c) == NULL;
}

char
text_safe(enum text_ctx ctx, char c)
{
	return text_keeps(ctx, (unsigned char)c) ? c : '?';
}

char *
text_sanitize(enum text_ctx ctx, char *dst, size_t dstlen, const char *src,
    size_t srclen)
{
	size_t i;

	if (dstlen == 0)
		return dst;
	for (i = 0; i < srclen && i < dstlen - 1 && src[i] != '\0'; i++)
		dst[i] = text_safe(ctx, src[i]);
	dst[i] = '\0';
	return dst;
}

/* RFC 2045 5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs,
 * or tspecials>. */
bool
text_is_token_char(unsigned char c)
{
	return text_is_graph(c) && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

bool
text_is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!text_is_token_char((unsigned char)*s))
			return false;
	return true;
}
