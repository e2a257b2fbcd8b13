/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * strbuf.c - bounded string building, the writers built on it, and the
 * ASCII case helpers.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "text.h"

void
strbuf_init(struct strbuf *sb, char *buf, size_t size)
{
	sb->buf = buf;
	sb->size = size;
	sb->len = 0;
	sb->overflow = false;
	if (size > 0)
		buf[0] = '\0';
	else
		sb->overflow = true;
}

int
strbuf_putn(struct strbuf *sb, const char *s, size_t n)
{
	size_t room;

	if (sb->size == 0)
		return -1;
	room = sb->size - 1 - sb->len;
	if (n > room) {
		memcpy(sb->buf + sb->len, s, room);
		sb->len += room;
		sb->buf[sb->len] = '\0';
		sb->overflow = true;
		return -1;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
strbuf_puts(struct strbuf *sb, const char *s)
{
	return strbuf_putn(sb, s, strlen(s));
}

int
strbuf_putc(struct strbuf *sb, char c)
{
	return strbuf_putn(sb, &c, 1);
}

int
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (sb->size == 0)
		return -1;
	room = sb->size - sb->len;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		sb->overflow = true;
		return -1;
	}
	if ((size_t)n >= room) {
		sb->len = sb->size - 1;
		sb->overflow = true;
		return -1;
	}
	sb->len += (size_t)n;
	return 0;
}

bool
strbuf_overflow(const struct strbuf *sb)
{
	return sb->overflow;
}

int
strbuf_put_safe(struct strbuf *sb, enum text_ctx ctx, const char *s,
    size_t max)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < max && s[i] != '\0'; i++)
		rc |= strbuf_putc(sb, text_safe(ctx, s[i]));
	return rc == 0 ? 0 : -1;
}

int
strbuf_put_value(struct strbuf *sb, const char *s, size_t maxlen)
{
	size_t n = strnlen(s, maxlen);
	bool token = n > 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && token; i++)
		if (!text_is_token_char((unsigned char)s[i]))
			token = false;
	if (token)
		return strbuf_putn(sb, s, n);
	rc |= strbuf_putc(sb, '"');
	for (i = 0; i < n; i++) {
		char c = text_safe(TEXT_HEADER, s[i]);

		if (c == '\\' || c == '"')
			rc |= strbuf_putc(sb, '\\');
		rc |= strbuf_putc(sb, c);
	}
	rc |= strbuf_putc(sb, '"');
	return rc == 0 ? 0 : -1;
}

int
strbuf_put_json(struct strbuf *sb, const char *s)
{
	const unsigned char *p;
	int rc = 0;

	rc |= strbuf_putc(sb, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			rc |= strbuf_puts(sb, "\\\"");
			break;
		case '\\':
			rc |= strbuf_puts(sb, "\\\\");
			break;
		case '\n':
			rc |= strbuf_puts(sb, "\\n");
			break;
		case '\r':
			rc |= strbuf_puts(sb, "\\r");
			break;
		case '\t':
			rc |= strbuf_puts(sb, "\\t");
			break;
		default:
			if (!text_is_print(*p))
				rc |= strbuf_printf(sb, "\\u%04x", *p);
			else
				rc |= strbuf_putc(sb, (char)*p);
		}
	}
	rc |= strbuf_putc(sb, '"');
	return rc == 0 ? 0 : -1;
}

char
ascii_lower(char c)
{
	return text_is_upper((unsigned char)c) ? (char)(c + ('a' - 'A')) : c;
}

void
str_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = ascii_lower(*s);
}

bool
str_nieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

bool
str_ieq(const char *a, const char *b)
{
	for (;; a++, b++) {
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
		if (*a == '\0')
			return true;
	}
}
