/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.h - the one home of byte classes and of the sanitiser family.
 *
 * DESCRIPTION
 *	Byte classes: the C-locale classes every parser needs (digits,
 *	letters, white space, printable ASCII, ...) and the few grammar
 *	classes several modules share (LDH, the RFC 2045 token).  They are
 *	written once here, locale independent (never <ctype.h>: its answer
 *	depends on setlocale() and its argument must not be a negative char),
 *	and take any byte: a plain char converts to unsigned char.  A module
 *	may still compose its own grammar from them (spf.c's RFC 7208 name
 *	characters, rcptlist.c's logged forms), but writes no range of bytes
 *	itself.
 *
 *	Sanitisers: text from the client or from DNS is copied into a
 *	reply, a header, a log line or a terminal with every byte its
 *	context cannot carry replaced by '?'.  The one table of contexts:
 *
 *	context         keeps (every other byte becomes '?')
 *	--------------  ---------------------------------------
 *	TEXT_PRINT      0x20-0x7e
 *	TEXT_REPLY      0x20-0x7e but %
 *	TEXT_HEADER     0x20-0x7e (then \ and " are escaped)
 *	TEXT_COMMENT    0x20-0x7e but \ ( )
 *	TEXT_DNS        A-Z a-z 0-9 . _ -
 *	TEXT_LOG_VALUE  0x21-0x7e but =
 *	TEXT_LOG_ADDR   0x21-0x7e but < > =
 *	TEXT_LOG_ITEM   0x21-0x7e but , = @
 *	TEXT_LOG_TEXT   0x00-0xff but =
 *	TEXT_LOG_INNER  0x00-0xff but < >
 *
 *	TEXT_PRINT: error messages (the values quoted in "FILE:LINE: ..."),
 *	the free text of log lines (host names, DNS reasons) and rdns-check's
 *	output on a terminal.  TEXT_REPLY: SMTP reply text (SPEC 3.2);
 *	smfi_setreply(3) reads '%' as an escape and Sendmail drops a text with
 *	a single one.  TEXT_HEADER: a header value written as a quoted-string
 *	(SPEC 3.1, strbuf_put_value()).  TEXT_COMMENT: comment text in a
 *	header that is not DNS-derived (RFC 5322 3.2.2 ctext: the comment's
 *	delimiters and its quoting byte go).  TEXT_DNS: DNS-derived text in
 *	header comments (SPEC 3.1) and the safe form of a PTR name.
 *	TEXT_LOG_VALUE: the value of a key=value pair on a log line (SPEC 3.3:
 *	no client or DNS byte can forge a " key=").  TEXT_LOG_ADDR: an address
 *	logged inside <...> (from=<>, to=<>, helo=<>).  TEXT_LOG_ITEM: an item
 *	of a logged comma list (ExemptRecipients local parts, summary line).
 *	TEXT_LOG_TEXT: the free text of a log line whose parts are already
 *	sanitised (logline.c: a message, a reply quoted on the reject
 *	line): only '=' goes, so no quoted value forges a " key=".
 *	TEXT_LOG_INNER: a value read back from a log line and put inside
 *	<...> (rdns-report: a summary line's helo= as the reject line writes
 *	it); only the brackets go.  These two keep every other byte, NUL
 *	included, because their input is already in a logged form.
 *
 *	JSON has no '?': strbuf_put_json() (rdns-check) escapes " and \,
 *	writes \n \r \t, and every other byte outside 0x20-0x7e as \u00XX,
 *	so any input gives valid ASCII JSON; rdns-report's writer (report.c)
 *	writes every byte outside 0x20-0x7e as \u00XX, \n \r \t included.
 *
 *	Each sanitiser stops at a NUL byte or at its length limit, whichever
 *	comes first; caps on what may be inserted (255 bytes for a header or
 *	reply value) are the caller's.
 *
 * OWNERSHIP
 *	text_sanitize() writes into the caller's buffer and returns it;
 *	nothing is allocated.
 *
 * THREAD SAFETY
 *	Pure functions of their arguments: any thread.
 */
#ifndef RDNS_TEXT_H
#define RDNS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Byte classes (C locale, ASCII).
 */

/** 0-9 */
static inline bool
text_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/** 0-7 */
static inline bool
text_is_odigit(unsigned char c)
{
	return c >= '0' && c <= '7';
}

/** A-Z */
static inline bool
text_is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

/** a-z */
static inline bool
text_is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

/** A-Z a-z */
static inline bool
text_is_alpha(unsigned char c)
{
	return text_is_upper(c) || text_is_lower(c);
}

/** A-Z a-z 0-9 */
static inline bool
text_is_alnum(unsigned char c)
{
	return text_is_alpha(c) || text_is_digit(c);
}

/** 0-9 A-F a-f */
static inline bool
text_is_xdigit(unsigned char c)
{
	return text_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/** Letters, digits and '-' (RFC 1035 2.3.1 "LDH"). */
static inline bool
text_is_ldh(unsigned char c)
{
	return text_is_alnum(c) || c == '-';
}

/** SPACE and HTAB (RFC 5234 WSP): what separates words on a line. */
static inline bool
text_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/** WSP, CR and LF (RFC 5322 3.2.2 folding white space, byte by byte). */
static inline bool
text_is_fws(unsigned char c)
{
	return text_is_blank(c) || c == '\r' || c == '\n';
}

/** SPACE, HT, LF, VT, FF, CR: isspace() in the C locale. */
static inline bool
text_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/** Control bytes: 0x00-0x1f and DEL (0x7f). */
static inline bool
text_is_cntrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/** Printable ASCII, SPACE included: 0x20-0x7e. */
static inline bool
text_is_print(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/** Printable ASCII but SPACE: 0x21-0x7e. */
static inline bool
text_is_graph(unsigned char c)
{
	return c > 0x20 && c <= 0x7e;
}

/** One byte of an RFC 2045 5.1 token: printable US-ASCII except SPACE,
 * CTLs and tspecials ()<>@,;:\"/[]?=. */
bool text_is_token_char(unsigned char c);

/** True if s (NUL-terminated) is a non-empty RFC 2045 token. */
bool text_is_token(const char *s);

/*
 * Sanitisers (the table above).
 */

enum text_ctx {
	TEXT_PRINT = 0,
	TEXT_REPLY,
	TEXT_HEADER,
	TEXT_COMMENT,
	TEXT_DNS,
	TEXT_LOG_VALUE,
	TEXT_LOG_ADDR,
	TEXT_LOG_ITEM,
	TEXT_LOG_TEXT,
	TEXT_LOG_INNER,
};
#define TEXT_CTX_COUNT	(TEXT_LOG_INNER + 1)

/** True if context ctx carries byte c as it is. */
bool text_keeps(enum text_ctx ctx, unsigned char c);

/** c if context ctx keeps it, else '?'. */
char text_safe(enum text_ctx ctx, char c);

/**
 * Copy at most srclen bytes of src, up to its NUL, into dst[dstlen], every
 * byte ctx does not keep replaced by '?'.  The copy is cut to dstlen - 1
 * bytes and always NUL-terminated (dstlen 0: nothing is written).  dst
 * may be src (in place); it may not overlap it otherwise.
 * @return dst.
 */
char *text_sanitize(enum text_ctx ctx, char *dst, size_t dstlen,
    const char *src, size_t srclen);

#endif
