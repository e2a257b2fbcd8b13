/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * strbuf.h - bounded string building.
 *
 * DESCRIPTION
 *	A strbuf writes into a caller-supplied fixed buffer, always keeps it
 *	NUL-terminated and records overflow instead of writing past the end.
 *	Callers check strbuf_overflow() (or the return value of each call)
 *	where a truncated result would change a decision.
 *
 *	Also holds the writers of the header, reply, log and JSON text built
 *	on it (sanitised text, the RFC 8601 value, the JSON string) and the
 *	ASCII case helpers (lower case, case-insensitive comparison).  Which
 *	byte becomes '?' where is text.h's table; the byte classes are there
 *	too.
 *
 * OWNERSHIP
 *	The caller owns the buffer and the struct strbuf (usually both on its
 *	stack); nothing here allocates.
 *
 * THREAD SAFETY
 *	Pure functions on caller memory: any thread, one strbuf per thread.
 */
#ifndef RDNS_STRBUF_H
#define RDNS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

struct strbuf {
	char	*buf;		/* caller's buffer */
	size_t	 size;		/* its size, > 0 */
	size_t	 len;		/* bytes used, excluding the NUL */
	bool	 overflow;	/* something did not fit */
};

/** Start building into buf[size] (size > 0); buf becomes "". */
void strbuf_init(struct strbuf *sb, char *buf, size_t size);

/** Append a C string.  @return 0, or -1 if it did not fit (the part that
 * fits is kept and overflow is set). */
int strbuf_puts(struct strbuf *sb, const char *s);

/** Append n bytes. */
int strbuf_putn(struct strbuf *sb, const char *s, size_t n);

/** Append one byte. */
int strbuf_putc(struct strbuf *sb, char c);

/** Append printf-style. */
int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** True if anything was truncated. */
bool strbuf_overflow(const struct strbuf *sb);

/**
 * Append at most max bytes of s, up to its NUL, each byte that context ctx
 * does not keep written as '?' (text.h).  @return 0, or -1 if it did not
 * fit (overflow is set).
 */
int strbuf_put_safe(struct strbuf *sb, enum text_ctx ctx, const char *s,
    size_t max);

/**
 * Append s as an RFC 8601 value: unchanged if it is a token, else as a
 * quoted-string with '\' and '"' escaped.  Bytes outside 0x20..0x7e are
 * written as '?' (TEXT_HEADER).  At most maxlen bytes of s are used.
 */
int strbuf_put_value(struct strbuf *sb, const char *s, size_t maxlen);

/**
 * Append s as a JSON string literal (with the quotes), escaping '"', '\\'
 * and control characters (\uXXXX); bytes >= 0x80 become \u00XX of the
 * byte value so the output is always valid ASCII JSON.
 */
int strbuf_put_json(struct strbuf *sb, const char *s);

/** ASCII case-insensitive equality (locale independent). */
bool str_ieq(const char *a, const char *b);

/** ASCII lower case of c; other bytes are returned unchanged.  The one
 * lower-casing helper: DNS names, keys and addresses are compared in
 * ASCII case, never in the locale's. */
char ascii_lower(char c);

/** Lower-case s in place (ASCII). */
void str_lower(char *s);

/** ASCII case-insensitive equality of the first n bytes. */
bool str_nieq(const char *a, const char *b, size_t n);

#endif
