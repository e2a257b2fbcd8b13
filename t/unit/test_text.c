/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_text.c - unit tests for milter/text.c: the byte classes against
 * <ctype.h> in the C locale, every context of the sanitiser table against
 * the conditions of the sanitisers it replaced and against the table as
 * text.h documents it, text_sanitize()'s bounds, and RFC 2045 tokens.
 */
#include "autoconf.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"
#include "strbuf.h"
#include "text.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

/* Every byte class against its <ctype.h> counterpart (the C locale: the
 * program never calls setlocale()), for all 256 bytes. */
static void
classes_match_ctype_in_the_c_locale(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		unsigned char u = (unsigned char)c;
		char in[8];

		snprintf(in, sizeof in, "0x%02x", c);
		WANT_INT((size_t)c, in, text_is_digit(u), isdigit(c) != 0);
		WANT_INT((size_t)c, in, text_is_odigit(u),
		    c >= '0' && c <= '7');
		WANT_INT((size_t)c, in, text_is_upper(u), isupper(c) != 0);
		WANT_INT((size_t)c, in, text_is_lower(u), islower(c) != 0);
		WANT_INT((size_t)c, in, text_is_alpha(u), isalpha(c) != 0);
		WANT_INT((size_t)c, in, text_is_alnum(u), isalnum(c) != 0);
		WANT_INT((size_t)c, in, text_is_xdigit(u), isxdigit(c) != 0);
		WANT_INT((size_t)c, in, text_is_ldh(u),
		    isalnum(c) != 0 || c == '-');
		WANT_INT((size_t)c, in, text_is_blank(u), isblank(c) != 0);
		WANT_INT((size_t)c, in, text_is_fws(u),
		    isblank(c) != 0 || c == '\r' || c == '\n');
		WANT_INT((size_t)c, in, text_is_space(u), isspace(c) != 0);
		WANT_INT((size_t)c, in, text_is_cntrl(u), iscntrl(c) != 0);
		WANT_INT((size_t)c, in, text_is_print(u), isprint(c) != 0);
		WANT_INT((size_t)c, in, text_is_graph(u), isgraph(c) != 0);
	}
	/* A plain char above 0x7f (negative where char is signed) is the
	 * same byte. */
	assert_false(text_is_print((char)0xe9));
	assert_false(text_is_space((char)0x85));
	assert_false(text_is_alpha((char)0xc3));
}

/*
 * What each context kept before text.c existed, as the sanitisers it
 * replaced wrote it: strbuf.c log_sanitize() (TEXT_PRINT), checks_table.c
 * put_sane_max() (TEXT_REPLY), strbuf_put_value() (TEXT_HEADER),
 * authres.c put_text_comment() and put_dns_comment() (TEXT_COMMENT,
 * TEXT_DNS), logline.c (session.c before) logline_value() and
 * logline_addr() (TEXT_LOG_VALUE, TEXT_LOG_ADDR), rcptlist.c local_char()
 * (TEXT_LOG_ITEM), logline.c put_no_equals() (TEXT_LOG_TEXT) and report.c
 * summary_client() (TEXT_LOG_INNER).  The outputs stay byte for byte
 * what they were.
 */
static bool
old_keeps(enum text_ctx ctx, unsigned c)
{
	switch (ctx) {
	case TEXT_PRINT:
		return c >= 0x20 && c < 0x7f;
	case TEXT_REPLY:
		return c >= 0x20 && c <= 0x7e && c != '%';
	case TEXT_HEADER:
		return !(c < 0x20 || c >= 0x7f);
	case TEXT_COMMENT:
		return !(c < 0x20 || c > 0x7e || c == '(' || c == ')' ||
		    c == '\\');
	case TEXT_DNS:
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
	case TEXT_LOG_VALUE:
		return c > 0x20 && c < 0x7f && c != '=';
	case TEXT_LOG_ADDR:
		return c > 0x20 && c <= 0x7e && c != '<' && c != '>' &&
		    c != '=';
	case TEXT_LOG_ITEM:
		return c > 0x20 && c < 0x7f && c != ',' && c != '=' &&
		    c != '@';
	case TEXT_LOG_TEXT:
		return c != '=';
	case TEXT_LOG_INNER:
		return c != '<' && c != '>';
	}
	fail_msg("context %d is new: say what it replaces", (int)ctx);
	return false;
}

static void
contexts_keep_what_the_old_sanitisers_kept(void **state)
{
	unsigned ctx, c;

	(void)state;
	for (ctx = 0; ctx < TEXT_CTX_COUNT; ctx++)
		for (c = 0; c < 256; c++) {
			bool want = old_keeps((enum text_ctx)ctx, c);
			char in[32];

			snprintf(in, sizeof in, "context %u byte 0x%02x", ctx,
			    c);
			WANT_INT((size_t)c, in,
			    text_keeps((enum text_ctx)ctx, (unsigned char)c),
			    want);
			WANT_INT((size_t)c, in,
			    (unsigned char)text_safe((enum text_ctx)ctx,
			    (char)c), want ? c : '?');
		}
	/* Out of range: nothing is kept. */
	assert_false(text_keeps((enum text_ctx)TEXT_CTX_COUNT, 'a'));
	assert_int_equal(text_safe((enum text_ctx)TEXT_CTX_COUNT, 'a'), '?');
}

/* The set a table cell of text.h describes: ranges ("0x20-0x7e", "A-Z"),
 * single bytes, then "but" and the bytes taken out again; "(..." ends
 * it. */
static void
cell_set(const char *cell, bool set[256])
{
	char buf[128], *tok, *save = NULL;
	bool but = false;

	memset(set, 0, 256 * sizeof set[0]);
	snprintf(buf, sizeof buf, "%s", cell);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		unsigned lo, hi, c;

		if (tok[0] == '(' && tok[1] != '\0')
			break;
		if (strcmp(tok, "but") == 0) {
			but = true;
			continue;
		}
		if (strlen(tok) == 1) {
			set[(unsigned char)tok[0]] = !but;
			continue;
		}
		assert_false(but);
		if (strlen(tok) == 3 && tok[1] == '-') {
			lo = (unsigned char)tok[0];
			hi = (unsigned char)tok[2];
		} else if (sscanf(tok, "0x%x-0x%x", &lo, &hi) != 2)
			fail_msg("text.h table: cannot read '%s'", tok);
		assert_true(lo <= hi && hi < 256);
		for (c = lo; c <= hi; c++)
			set[c] = true;
	}
}

/* The table in text.h's comment is the code's: each context's row read
 * back gives exactly the bytes text_keeps() keeps. */
static void
documented_table_is_the_code(void **state)
{
	static const char *const names[TEXT_CTX_COUNT] = {
		[TEXT_PRINT] = "TEXT_PRINT", [TEXT_REPLY] = "TEXT_REPLY",
		[TEXT_HEADER] = "TEXT_HEADER", [TEXT_COMMENT] = "TEXT_COMMENT",
		[TEXT_DNS] = "TEXT_DNS", [TEXT_LOG_VALUE] = "TEXT_LOG_VALUE",
		[TEXT_LOG_ADDR] = "TEXT_LOG_ADDR",
		[TEXT_LOG_ITEM] = "TEXT_LOG_ITEM",
		[TEXT_LOG_TEXT] = "TEXT_LOG_TEXT",
		[TEXT_LOG_INNER] = "TEXT_LOG_INNER",
	};
	bool seen[TEXT_CTX_COUNT] = { false }, in_table = false;
	bool set[256];
	char line[256];
	FILE *fp;
	size_t k, rows = 0;

	(void)state;
	fp = fopen(SRCDIR "/milter/text.h", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		char name[32], *cell;
		unsigned c;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, " *\t--------", 11) == 0) {
			in_table = true;
			continue;
		}
		if (!in_table)
			continue;
		if (strcmp(line, " *") == 0)
			break;
		assert_int_equal(sscanf(line, " *\t%31s", name), 1);
		for (k = 0; k < TEXT_CTX_COUNT; k++)
			if (strcmp(name, names[k]) == 0)
				break;
		if (k == TEXT_CTX_COUNT)
			fail_msg("text.h table: unknown context %s", name);
		assert_false(seen[k]);
		seen[k] = true;
		rows++;
		cell = strstr(line, name) + strlen(name);
		cell += strspn(cell, " ");
		cell_set(cell, set);
		for (c = 0; c < 256; c++)
			if (text_keeps((enum text_ctx)k, (unsigned char)c) !=
			    set[c])
				fail_msg("text.h table: %s and byte 0x%02x: "
				    "the table says %d", name, c, set[c]);
	}
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(rows, TEXT_CTX_COUNT);
}

static void
sanitize_stops_at_nul_length_and_room(void **state)
{
	static const struct {
		enum text_ctx	 ctx;
		const char	*src;
		size_t		 srclen;
		size_t		 dstlen;
		const char	*want;
	} t[] = {
		{ TEXT_PRINT, "a b=c\r\n", 99, 16, "a b=c??" },
		{ TEXT_LOG_VALUE, "a b=c\r\n", 99, 16, "a?b?c??" },
		{ TEXT_LOG_ADDR, "<a@b>", 99, 16, "?a@b?" },
		{ TEXT_LOG_ITEM, "a,b@c=d", 99, 16, "a?b?c?d" },
		{ TEXT_REPLY, "100%", 99, 16, "100?" },
		{ TEXT_COMMENT, "(x\\y)", 99, 16, "?x?y?" },
		{ TEXT_DNS, "h\xc3\xa9.ex_a-m ple", 99, 24, "h??.ex_a-m?ple" },
		{ TEXT_HEADER, "\"q\"\t", 99, 16, "\"q\"?" },
		{ TEXT_LOG_TEXT, "a=b <c>\t", 99, 16, "a?b <c>\t" },
		{ TEXT_LOG_INNER, "<a=b>\t", 99, 16, "?a=b?\t" },
		/* srclen and the NUL: whichever comes first. */
		{ TEXT_PRINT, "abcdef", 3, 16, "abc" },
		{ TEXT_PRINT, "ab\0cd", 5, 16, "ab" },
		/* dstlen: cut to dstlen - 1, always terminated. */
		{ TEXT_PRINT, "abcdef", 99, 4, "abc" },
		{ TEXT_PRINT, "abcdef", 99, 1, "" },
		{ TEXT_PRINT, "", 99, 4, "" },
	};
	char dst[32];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(dst, 'G', sizeof dst);
		assert_ptr_equal(text_sanitize(t[i].ctx, dst, t[i].dstlen,
		    t[i].src, t[i].srclen), dst);
		WANT_STR(i, t[i].src, dst, t[i].want);
		WANT_INT(i, t[i].src, dst[t[i].dstlen], 'G');
	}
	/* In place (dst == src). */
	snprintf(dst, sizeof dst, "k=v\r");
	assert_ptr_equal(text_sanitize(TEXT_LOG_TEXT, dst, 5, dst, 4), dst);
	assert_string_equal(dst, "k?v\r");
	/* dstlen 0 writes nothing. */
	dst[0] = 'G';
	assert_ptr_equal(text_sanitize(TEXT_PRINT, dst, 0, "x", 1), dst);
	assert_int_equal(dst[0], 'G');
}

/* strbuf_put_safe(): the same rule into a strbuf, max bytes at most. */
static void
put_safe_appends_sanitised_bytes(void **state)
{
	struct strbuf sb;
	char buf[8];

	(void)state;
	strbuf_init(&sb, buf, sizeof buf);
	assert_int_equal(strbuf_put_safe(&sb, TEXT_REPLY, "50%\r\n", 99), 0);
	assert_string_equal(buf, "50???");
	assert_int_equal(strbuf_put_safe(&sb, TEXT_DNS, "a b", 2), 0);
	assert_string_equal(buf, "50???a?");
	assert_int_equal(strbuf_put_safe(&sb, TEXT_DNS, "xyz", 99), -1);
	assert_string_equal(buf, "50???a?");
	assert_true(strbuf_overflow(&sb));
}

static void
token_follows_rfc2045(void **state)
{
	static const struct {
		const char	*s;
		bool		 want;
	} t[] = {
		{ "pass", true },
		{ "mail.example.com", true },
		{ "192.0.2.1", true },
		{ "-_.!#$%&'*+^`{|}~", true },
		{ "", false },
		{ " ", false },
		{ "a b", false },
		{ "a\tb", false },
		{ "a\r\n", false },
		{ "2001:db8::1", false },
		{ "a(b", false }, { "a)b", false }, { "a<b", false },
		{ "a>b", false }, { "a@b", false }, { "a,b", false },
		{ "a;b", false }, { "a:b", false }, { "a\\b", false },
		{ "a\"b", false }, { "a/b", false }, { "a[b", false },
		{ "a]b", false }, { "a?b", false }, { "a=b", false },
		{ "a\x7f", false },
		{ "\xc3\xa9", false },
	};
	size_t i;
	unsigned c;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		WANT_INT(i, t[i].s, text_is_token(t[i].s), t[i].want);
	/* The byte class: graphic ASCII but the 15 tspecials. */
	for (c = 0, i = 0; c < 256; c++)
		if (text_is_token_char((unsigned char)c))
			i++;
	assert_int_equal(i, 94 - 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classes_match_ctype_in_the_c_locale),
		cmocka_unit_test(contexts_keep_what_the_old_sanitisers_kept),
		cmocka_unit_test(documented_table_is_the_code),
		cmocka_unit_test(sanitize_stops_at_nul_length_and_room),
		cmocka_unit_test(put_safe_appends_sanitised_bytes),
		cmocka_unit_test(token_follows_rfc2045),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
