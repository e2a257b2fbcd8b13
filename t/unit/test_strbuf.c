/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_strbuf.c - unit tests for milter/strbuf.c: bounded appends,
 * overflow recording, RFC 8601 values, JSON strings and ASCII
 * case-insensitive comparison (the byte classes, RFC 2045 tokens and the
 * sanitisers are test_text.c's).
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"
#include "strbuf.h"

/* A guard byte after the buffer catches writes past its end. */
struct guarded {
	char	buf[16];
	char	guard[8];
};

static void
guard_init(struct guarded *g)
{
	memset(g, 'G', sizeof *g);
}

static void
guard_check(const struct guarded *g)
{
	size_t i;

	for (i = 0; i < sizeof g->guard; i++)
		assert_int_equal(g->guard[i], 'G');
}

static void
init_gives_empty_string(void **state)
{
	struct strbuf sb;
	char buf[4] = "xyz";

	(void)state;
	strbuf_init(&sb, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_int_equal(sb.len, 0);
	assert_false(strbuf_overflow(&sb));
}

static void
puts_exact_fit_then_overflow(void **state)
{
	struct strbuf sb;
	char buf[6];

	(void)state;
	strbuf_init(&sb, buf, sizeof buf);
	assert_int_equal(strbuf_puts(&sb, "hel"), 0);
	assert_int_equal(strbuf_puts(&sb, "lo"), 0);
	assert_string_equal(buf, "hello");
	assert_int_equal(sb.len, 5);
	assert_false(strbuf_overflow(&sb));
	assert_int_equal(strbuf_putc(&sb, 'x'), -1);
	assert_string_equal(buf, "hello");
	assert_true(strbuf_overflow(&sb));
	/* Appending nothing still succeeds, overflow stays recorded. */
	assert_int_equal(strbuf_puts(&sb, ""), 0);
	assert_true(strbuf_overflow(&sb));
}

static void
puts_keeps_the_part_that_fits(void **state)
{
	struct guarded g;
	struct strbuf sb;

	(void)state;
	guard_init(&g);
	strbuf_init(&sb, g.buf, sizeof g.buf);
	assert_int_equal(strbuf_puts(&sb, "0123456789"), 0);
	assert_int_equal(strbuf_puts(&sb, "abcdefghij"), -1);
	assert_string_equal(g.buf, "0123456789abcde");
	assert_int_equal(sb.len, 15);
	assert_true(strbuf_overflow(&sb));
	assert_int_equal(strbuf_putn(&sb, "z", 1), -1);
	assert_string_equal(g.buf, "0123456789abcde");
	guard_check(&g);
}

static void
size_one_holds_only_the_nul(void **state)
{
	struct strbuf sb;
	char buf[1];

	(void)state;
	strbuf_init(&sb, buf, sizeof buf);
	assert_int_equal(strbuf_putc(&sb, 'a'), -1);
	assert_string_equal(buf, "");
	assert_true(strbuf_overflow(&sb));
	assert_int_equal(strbuf_printf(&sb, "%d", 1), -1);
	assert_string_equal(buf, "");
}

static void
putn_copies_exactly_n_bytes(void **state)
{
	struct strbuf sb;
	char buf[16];

	(void)state;
	strbuf_init(&sb, buf, sizeof buf);
	assert_int_equal(strbuf_putn(&sb, "abcdef", 2), 0);
	assert_int_equal(strbuf_putn(&sb, "xyz", 0), 0);
	assert_int_equal(strbuf_putc(&sb, '-'), 0);
	assert_string_equal(buf, "ab-");
	assert_int_equal(sb.len, 3);
}

static void
printf_fits_truncates_and_tracks_length(void **state)
{
	struct guarded g;
	struct strbuf sb;

	(void)state;
	guard_init(&g);
	strbuf_init(&sb, g.buf, sizeof g.buf);
	assert_int_equal(strbuf_printf(&sb, "%d-%s", 42, "ab"), 0);
	assert_string_equal(g.buf, "42-ab");
	assert_int_equal(sb.len, 5);
	/* Exactly fills: 5 + 10 = 15 characters in 16 bytes. */
	assert_int_equal(strbuf_printf(&sb, "%s", "0123456789"), 0);
	assert_int_equal(sb.len, 15);
	assert_false(strbuf_overflow(&sb));
	assert_int_equal(strbuf_printf(&sb, "%c", 'x'), -1);
	assert_true(strbuf_overflow(&sb));
	assert_string_equal(g.buf, "42-ab0123456789");
	guard_check(&g);

	guard_init(&g);
	strbuf_init(&sb, g.buf, sizeof g.buf);
	assert_int_equal(strbuf_puts(&sb, "ab"), 0);
	assert_int_equal(strbuf_printf(&sb, "%s|%u", "cdefghijkl", 12345u),
	    -1);
	assert_string_equal(g.buf, "abcdefghijkl|12");
	assert_int_equal(sb.len, 15);
	assert_int_equal(strlen(g.buf), sb.len);
	assert_int_equal(strbuf_puts(&sb, "x"), -1);
	guard_check(&g);
}

static void
put_value_quotes_escapes_and_sanitises(void **state)
{
	static const struct {
		const char	*s;
		size_t		 maxlen;
		const char	*want;
	} t[] = {
		{ "pass", 255, "pass" },
		{ "203.0.113.42", 255, "203.0.113.42" },
		{ "2001:db8::25", 255, "\"2001:db8::25\"" },
		{ "", 255, "\"\"" },
		{ " ", 255, "\" \"" },
		{ "a b", 255, "\"a b\"" },
		{ "a\"b\\c", 255, "\"a\\\"b\\\\c\"" },
		{ "evil\r\nX-Injected: 1", 255, "\"evil??X-Injected: 1\"" },
		{ "a\tb", 255, "\"a?b\"" },
		{ "h\xc3\xa9llo", 255, "\"h??llo\"" },
		{ "a\x7f", 255, "\"a?\"" },
		{ "mail;x", 255, "\"mail;x\"" },
		/* maxlen caps the input used. */
		{ "abcdef", 3, "abc" },
		{ "ab cdef", 3, "\"ab \"" },
		{ "abc def", 3, "abc" },
		{ "abcdef", 0, "\"\"" },
	};
	struct strbuf sb;
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		strbuf_init(&sb, buf, sizeof buf);
		WANT_INT(i, t[i].s, strbuf_put_value(&sb, t[i].s, t[i].maxlen),
		    0);
		WANT_STR(i, t[i].s, buf, t[i].want);
		WANT_INT(i, t[i].s, strbuf_overflow(&sb), false);
	}
}

static void
put_value_overflow_is_reported(void **state)
{
	struct strbuf sb;
	char buf[8];

	(void)state;
	strbuf_init(&sb, buf, sizeof buf);
	assert_int_equal(strbuf_put_value(&sb, "a b c d e", 255), -1);
	assert_true(strbuf_overflow(&sb));
	assert_int_equal(strlen(buf), sizeof buf - 1);
	assert_string_equal(buf, "\"a b c ");

	strbuf_init(&sb, buf, sizeof buf);
	assert_int_equal(strbuf_put_value(&sb, "abcdefgh", 255), -1);
	assert_string_equal(buf, "abcdefg");
}

static void
put_json_escapes_to_ascii(void **state)
{
	static const struct {
		const char	*s;
		const char	*want;
	} t[] = {
		{ "mail.example.com", "\"mail.example.com\"" },
		{ "", "\"\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "a\\b", "\"a\\\\b\"" },
		{ "a\nb\rc\td", "\"a\\nb\\rc\\td\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "\x7f", "\"\\u007f\"" },
		{ "caf\xc3\xa9", "\"caf\\u00c3\\u00a9\"" },
		{ "\xff", "\"\\u00ff\"" },
		{ "a/b", "\"a/b\"" },
		{ "\\032", "\"\\\\032\"" },
	};
	struct strbuf sb;
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		strbuf_init(&sb, buf, sizeof buf);
		WANT_INT(i, t[i].s, strbuf_put_json(&sb, t[i].s), 0);
		WANT_STR(i, t[i].s, buf, t[i].want);
	}
	strbuf_init(&sb, buf, 6);
	assert_int_equal(strbuf_put_json(&sb, "\x01\x02"), -1);
	assert_true(strbuf_overflow(&sb));
	assert_string_equal(buf, "\"\\u00");
}

static void
ieq_is_ascii_case_insensitive(void **state)
{
	static const struct {
		const char	*a, *b;
		bool		 want;
	} t[] = {
		{ "abc", "abc", true },
		{ "ABC", "abc", true },
		{ "MiXeD.Example", "mixed.EXAMPLE", true },
		{ "", "", true },
		{ "abc", "abd", false },
		{ "abc", "ab", false },
		{ "ab", "abc", false },
		{ "", "a", false },
		{ "[", "{", false },
		{ "@", "`", false },
		{ "caf\xc3\xa9", "CAF\xc3\x89", false },
		{ "caf\xc3\xa9", "CAF\xc3\xa9", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		WANT_INT(i, t[i].a, str_ieq(t[i].a, t[i].b), t[i].want);
		WANT_INT(i, t[i].b, str_ieq(t[i].b, t[i].a), t[i].want);
	}
}

static void
nieq_compares_at_most_n_bytes(void **state)
{
	static const struct {
		const char	*a, *b;
		size_t		 n;
		bool		 want;
	} t[] = {
		{ "abcdef", "ABCxyz", 3, true },
		{ "abcdef", "ABCxyz", 4, false },
		{ "ab", "AB", 5, true },
		{ "ab", "abc", 3, false },
		{ "ab", "abc", 2, true },
		{ "x", "y", 0, true },
		{ "Postmaster", "postmaster", 10, true },
		{ "[x", "{x", 2, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		WANT_INT(i, t[i].a, str_nieq(t[i].a, t[i].b, t[i].n),
		    t[i].want);
		WANT_INT(i, t[i].b, str_nieq(t[i].b, t[i].a, t[i].n),
		    t[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_gives_empty_string),
		cmocka_unit_test(puts_exact_fit_then_overflow),
		cmocka_unit_test(puts_keeps_the_part_that_fits),
		cmocka_unit_test(size_one_holds_only_the_nul),
		cmocka_unit_test(putn_copies_exactly_n_bytes),
		cmocka_unit_test(printf_fits_truncates_and_tracks_length),
		cmocka_unit_test(put_value_quotes_escapes_and_sanitises),
		cmocka_unit_test(put_value_overflow_is_reported),
		cmocka_unit_test(put_json_escapes_to_ascii),
		cmocka_unit_test(ieq_is_ascii_case_insensitive),
		cmocka_unit_test(nieq_compares_at_most_n_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
