/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logparse.c - parse one rdns-milter log line (for rdns-report).
 *
 * Every scan is bounded by the line length; nothing is assumed to be
 * NUL-terminated.  Time stamps are converted with a one-entry cache of
 * the hour they fall in (mktime() per line would dominate a large log),
 * so this module is not thread-safe (logparse.h).  The keys of the
 * verdicts and the check names are the check table's (checks.h).
 */
#include "autoconf.h"

#include <string.h>
#include <time.h>

#include "logparse.h"
#include "text.h"

#define TAG		"rdns-milter"
#define TAG_LEN		(sizeof(TAG) - 1)

bool
lp_eq(struct lp_span sp, const char *s)
{
	size_t n = strlen(s);

	return sp.n == n && memcmp(sp.p, s, n) == 0;
}

/* n digits at p as a number, or -1. */
static int
num(const char *p, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!text_is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Last occurrence of needle in p[0..n), or NULL. */
static const char *
rfind(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (n < k)
		return NULL;
	for (i = n - k + 1; i-- > 0;)
		if (p[i] == needle[0] && memcmp(p + i, needle, k) == 0)
			return p + i;
	return NULL;
}

/*
 * Broken-down local or UTC time to seconds.  One-entry cache per kind:
 * the start of the hour last converted.
 */
static time_t
to_epoch(int y, int mo, int d, int h, int mi, int s, bool utc)
{
	static struct {
		bool	 valid;
		int	 y, mo, d, h;
		time_t	 t;
	} cache[2];
	struct tm tm;
	int k = utc ? 1 : 0;

	if (!cache[k].valid || cache[k].y != y || cache[k].mo != mo ||
	    cache[k].d != d || cache[k].h != h) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_isdst = -1;
		cache[k].t = utc ? timegm(&tm) : mktime(&tm);
		cache[k].valid = true;
		cache[k].y = y;
		cache[k].mo = mo;
		cache[k].d = d;
		cache[k].h = h;
	}
	return cache[k].t + mi * 60 + s;
}

static bool
valid_ymdhms(int y, int mo, int d, int h, int mi, int s)
{
	return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 &&
	    d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 &&
	    s <= 60;
}

/*
 * "YYYY-MM-DD?HH:MM[:SS][.frac][Z|+hh[:]mm]" at p[0..n) where ? is 'T' or
 * ' ' (seconds required with need_secs).  Sets *used to the bytes taken.
 * @return 0 or -1.
 */
static int
iso_time(const char *p, size_t n, bool need_secs, time_t *t, size_t *used)
{
	int y, mo, d, h, mi, s = 0, off = 0, oh, om;
	size_t i;
	bool utc = false;

	if (n < 16 || (y = num(p, 4)) < 0 || p[4] != '-' ||
	    (mo = num(p + 5, 2)) < 0 || p[7] != '-' ||
	    (d = num(p + 8, 2)) < 0 || (p[10] != 'T' && p[10] != ' ') ||
	    (h = num(p + 11, 2)) < 0 || p[13] != ':' ||
	    (mi = num(p + 14, 2)) < 0)
		return -1;
	i = 16;
	if (i + 3 <= n && p[i] == ':' && (s = num(p + i + 1, 2)) >= 0)
		i += 3;
	else if (need_secs)
		return -1;
	else
		s = 0;
	if (i < n && p[i] == '.') {
		for (i++; i < n && text_is_digit(p[i]); i++)
			;
	}
	if (i < n && p[i] == 'Z') {
		utc = true;
		i++;
	} else if (i + 5 <= n && (p[i] == '+' || p[i] == '-') &&
	    (oh = num(p + i + 1, 2)) >= 0) {
		size_t j = i + 3;

		if (p[j] == ':')
			j++;
		if (j + 2 > n || (om = num(p + j, 2)) < 0 || oh > 23 ||
		    om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (p[i] == '-' ? -1 : 1);
		utc = true;
		i = j + 2;
	}
	if (!valid_ymdhms(y, mo, d, h, mi, s))
		return -1;
	*t = to_epoch(y, mo, d, h, mi, s, utc) - off;
	*used = i;
	return 0;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* "Mmm dd hh:mm:ss" (dd may be " d"), local time, year guessed. */
static int
bsd_time(const char *p, size_t n, time_t now, time_t *t)
{
	struct tm tm;
	int mo, d, h, mi, s, y;
	const char *m;

	if (n < 15 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' ||
	    p[12] != ':')
		return -1;
	for (m = months; *m != '\0'; m += 3)
		if (memcmp(m, p, 3) == 0)
			break;
	if (*m == '\0')
		return -1;
	mo = (int)((m - months) / 3) + 1;
	d = p[4] == ' ' ? num(p + 5, 1) : num(p + 4, 2);
	if (d < 0 || (h = num(p + 7, 2)) < 0 || (mi = num(p + 10, 2)) < 0 ||
	    (s = num(p + 13, 2)) < 0)
		return -1;
	if (localtime_r(&now, &tm) == NULL)
		return -1;
	y = tm.tm_year + 1900;
	if (!valid_ymdhms(y, mo, d, h, mi, s))
		return -1;
	*t = to_epoch(y, mo, d, h, mi, s, false);
	if (*t > now + 86400)
		*t = to_epoch(y - 1, mo, d, h, mi, s, false);
	return 0;
}

/*
 * "TAG[pid]: " or "TAG: " at p[0..n).  @return bytes taken, 0 if it is
 * a program tag but not ours, -1 if it is no tag at all.
 */
static long
tag(const char *p, size_t n)
{
	size_t i = 0, start;

	while (i < n && p[i] != ':' && p[i] != '[' && p[i] != ' ')
		i++;
	if (i == 0 || i >= n || p[i] == ' ')
		return -1;
	start = i;
	if (p[i] == '[') {
		for (i++; i < n && text_is_digit(p[i]); i++)
			;
		if (i >= n || p[i] != ']')
			return -1;
		i++;
	}
	if (i + 1 >= n || p[i] != ':' || p[i + 1] != ' ')
		return -1;
	/* "/usr/sbin/rdns-milter" as some syslogs write it is ours too. */
	if (start < TAG_LEN || memcmp(p + start - TAG_LEN, TAG, TAG_LEN) != 0 ||
	    (start > TAG_LEN && p[start - TAG_LEN - 1] != '/'))
		return 0;
	return (long)(i + 2);
}

/* Skip one space-delimited word and the spaces after it. */
static size_t
skip_word(const char *p, size_t n, size_t i)
{
	while (i < n && p[i] != ' ')
		i++;
	while (i < n && p[i] == ' ')
		i++;
	return i;
}

static void
set(struct lp_span *sp, const char *p, size_t n)
{
	sp->p = p;
	sp->n = n;
}

/* Is this a check name a decision can carry (any of the table's but
 * none)? */
static bool
valid_check(struct lp_span c)
{
	return check_by_name(c.p, c.n) > CHECK_ID_NONE;
}

/* The check whose result is logged under key p[0..n), or -1. */
static int
result_key(const char *p, size_t n)
{
	int id;

	for (id = 0; id < CHECK_ID_N; id++) {
		const char *k = check_info[id].log_key;

		if (k != NULL && strlen(k) == n && memcmp(k, p, n) == 0)
			return id;
	}
	return -1;
}

static bool
no_space(struct lp_span s)
{
	return s.n > 0 && memchr(s.p, ' ', s.n) == NULL;
}

/* An envelope value of a per-recipient line: no '<', '>' or space. */
static bool
envelope_ok(struct lp_span s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (s.p[i] == '<' || s.p[i] == '>' || s.p[i] == ' ')
			return false;
	return true;
}

/* The action word: sets refused / dry_run / tempfail. */
static bool
parse_action(struct lp_span a, struct lp_line *out)
{
	static const char dry[] = "(dry-run)";
	size_t n = a.n;

	out->refused = out->dry_run = out->tempfail = false;
	if (n > sizeof(dry) - 1 &&
	    memcmp(a.p + n - (sizeof(dry) - 1), dry, sizeof(dry) - 1) == 0) {
		out->dry_run = true;
		n -= sizeof(dry) - 1;
	}
	if (n == 6 && memcmp(a.p, "accept", 6) == 0)
		return !out->dry_run;
	if (n == 6 && memcmp(a.p, "reject", 6) == 0)
		out->refused = true;
	else if (n == 8 && memcmp(a.p, "tempfail", 8) == 0)
		out->refused = out->tempfail = true;
	else
		return false;
	return true;
}

/* p[0..n) is what follows "QID: ", known to hold an "ip=" word. */
static enum lp_kind
summary(const char *p, size_t n, struct lp_line *out)
{
	bool have_ip = false, have_action = false, have_ms = false;
	bool have_policy = false, have_check = false, have_rcpts = false;
	bool unchecked = false;
	size_t i = 0;

	while (i < n) {
		size_t w = i, eq, e;
		struct lp_span v;
		int id;

		while (i < n && p[i] != ' ')
			i++;
		e = i;
		while (i < n && p[i] == ' ')
			i++;
		for (eq = w; eq < e && p[eq] != '='; eq++)
			;
		if (eq == e) {
			/* A bare word: "trusted", "authenticated",
			 * "internal-error". */
			if (e - w == 7 && memcmp(p + w, "trusted", 7) == 0)
				unchecked = true;
			else if (e - w == 13 &&
			    memcmp(p + w, "authenticated", 13) == 0)
				unchecked = true;
			else if (e - w == 14 &&
			    memcmp(p + w, "internal-error", 14) == 0)
				unchecked = true;
			continue;
		}
		set(&v, p + eq + 1, e - eq - 1);
#define KEY(k)	(eq - w == sizeof(k) - 1 && memcmp(p + w, k, eq - w) == 0)
		if (KEY("ip")) {
			out->ip = v;
			have_ip = v.n > 0;
		} else if (KEY("name"))
			out->name = v;
		else if (KEY("helo"))	/* the HELO name, not a check */
			out->helo = v;
		else if (KEY("action")) {
			if (!parse_action(v, out))
				return LP_GARBAGE;
			have_action = true;
		} else if (KEY("policy")) {
			out->policy = v;
			have_policy = v.n > 0;
		} else if (KEY("check")) {
			out->check = v;
			have_check = v.n > 0;
		} else if (KEY("rcpts")) {
			unsigned long r = 0;
			size_t k;

			if (v.n == 0 || v.n > 9)
				return LP_GARBAGE;
			for (k = 0; k < v.n; k++) {
				if (!text_is_digit(v.p[k]))
					return LP_GARBAGE;
				r = r * 10 + (unsigned long)(v.p[k] - '0');
			}
			out->rcpts = r;
			have_rcpts = true;
		} else if (KEY("ms"))
			have_ms = v.n > 0 && text_is_digit(v.p[0]);
		else if (KEY("generic_rule"))
			out->generic_rule = v;
		else if (KEY("helo_fwd"))
			out->helo_fwd = v;
		else if (KEY("helo_aligned"))
			out->helo_aligned = v;
		else if (KEY("allowlisted"))
			out->allowlisted = v;
		else if (KEY("domains"))
			out->domains = v;
		else if (KEY("exempt"))
			out->exempt = v;
		else if (KEY("client"))
			out->client = v;
		else if (KEY("dns"))
			out->dns = v;
		else if ((id = result_key(p + w, eq - w)) >= 0)
			out->result[id] = v;
#undef KEY
	}
	if (!have_ip || !have_action)
		return LP_GARBAGE;
	if (unchecked)
		return LP_UNCHECKED;
	/* ms= is written last but for dns=incomplete: without it the line
	 * was cut short. */
	if (!have_ms)
		return LP_GARBAGE;
	if (!have_policy && !have_check && !have_rcpts)
		return LP_OLD;
	if (!have_policy || !have_check || !have_rcpts)
		return LP_GARBAGE;
	if (out->refused != !lp_eq(out->policy, "-") ||
	    (out->refused && !valid_check(out->check)))
		return LP_GARBAGE;
	return LP_SUMMARY;
}

/*
 * p[0..n) follows "QID: VERDICT: " and should be
 * "RCPT from HOST[IP]: CODE XCODE TEXT; from=<F> to=<T> helo=<H>
 * policy=D check=C".  Parsed from the end (rdns-milter(8)).
 */
static enum lp_kind
rcpt(const char *p, size_t n, struct lp_line *out)
{
	const char *c, *pol, *helo, *to, *from, *br, *end;

	if (n < 10 || memcmp(p, "RCPT from ", 10) != 0)
		return LP_GARBAGE;
	if ((c = rfind(p, n, " check=")) == NULL)
		return LP_GARBAGE;
	set(&out->check, c + 7, (size_t)(p + n - (c + 7)));
	if (!valid_check(out->check))
		return LP_GARBAGE;
	if ((pol = rfind(p, (size_t)(c - p), " policy=")) == NULL)
		return LP_GARBAGE;
	set(&out->policy, pol + 8, (size_t)(c - (pol + 8)));
	if (!no_space(out->policy) || pol == p || pol[-1] != '>')
		return LP_GARBAGE;
	if ((helo = rfind(p, (size_t)(pol - p), " helo=<")) == NULL)
		return LP_GARBAGE;
	set(&out->helo, helo + 7, (size_t)(pol - 1 - (helo + 7)));
	if (helo == p || helo[-1] != '>' ||
	    (to = rfind(p, (size_t)(helo - p), " to=<")) == NULL)
		return LP_GARBAGE;
	set(&out->to, to + 5, (size_t)(helo - 1 - (to + 5)));
	if (to == p || to[-1] != '>' ||
	    (from = rfind(p, (size_t)(to - p), "; from=<")) == NULL)
		return LP_GARBAGE;
	set(&out->from, from + 8, (size_t)(to - 1 - (from + 8)));
	/* rdns-milter writes none of '<', '>' or space in these values: a
	 * line that has them is not one of ours, or was mangled. */
	if (!envelope_ok(out->from) || !envelope_ok(out->to) ||
	    !envelope_ok(out->helo))
		return LP_GARBAGE;
	/* HOST[IP]: where HOST may itself hold brackets (Sendmail's
	 * "[192.0.2.1]"): IP ends at the first "]: ", and starts after the
	 * last '[' before that. */

	for (end = p + 10; end + 3 <= from && memcmp(end, "]: ", 3) != 0;
	    end++)
		;
	if (end + 3 > from)
		return LP_GARBAGE;
	for (br = end; br > p + 10 && *br != '['; br--)
		;
	if (*br != '[' || br == p + 10 || end - br < 2)
		return LP_GARBAGE;
	set(&out->host, p + 10, (size_t)(br - (p + 10)));
	set(&out->ip, br + 1, (size_t)(end - br - 1));

	if (!no_space(out->ip) || !no_space(out->host))
		return LP_GARBAGE;
	return LP_RCPT;
}

/* p[0..n) is the message text. */
static enum lp_kind
message(const char *p, size_t n, bool ours, struct lp_line *out)
{
	static const struct {
		const char	*word;
		bool		 dry, tempfail;
	} verdicts[] = {
		{ "reject: ", false, false },
		{ "reject(dry-run): ", true, false },
		{ "tempfail: ", false, true },
		{ "tempfail(dry-run): ", true, true },
	};
	/* Not a decision line: our other lines, or (unprefixed) not ours. */
	enum lp_kind nope = ours ? LP_INFO : LP_OTHER;
	size_t i, q, k;

	/* QID: a word ending in ':' then a space. */
	for (q = 0; q < n && p[q] != ' ' && p[q] != ':'; q++)
		;
	if (q == 0 || q + 1 >= n || p[q] != ':' || p[q + 1] != ' ')
		return nope;
	set(&out->qid, p, q);
	i = q + 2;
	for (k = 0; k < sizeof(verdicts) / sizeof(verdicts[0]); k++) {
		size_t wl = strlen(verdicts[k].word);

		if (n - i >= wl && memcmp(p + i, verdicts[k].word, wl) == 0) {
			out->refused = true;
			out->dry_run = verdicts[k].dry;
			out->tempfail = verdicts[k].tempfail;
			return rcpt(p + i + wl, n - i - wl, out);
		}
	}
	/* A summary has an "ip=" word (at its start today). */
	for (k = i; k < n; k = skip_word(p, n, k))
		if (n - k >= 3 && memcmp(p + k, "ip=", 3) == 0)
			return summary(p + i, n - i, out);
	return nope;
}

enum lp_kind
lp_parse(const char *line, size_t len, time_t now, struct lp_line *out)
{
	size_t i = 0, used;
	long t;

	memset(out, 0, sizeof *out);
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len >= 4 && text_is_digit(line[0]) && text_is_digit(line[3]) &&
	    iso_time(line, len, true, &out->time, &used) == 0) {
		out->have_time = true;
		i = skip_word(line, len, used);		/* the stamp's end */
		i = skip_word(line, len, i);		/* host */
	} else if (bsd_time(line, len, now, &out->time) == 0) {
		out->have_time = true;
		i = skip_word(line, len, 15);		/* the stamp's end */
		i = skip_word(line, len, i);		/* host */
	}
	t = tag(line + i, len - i);
	if (t > 0) {
		i += (size_t)t;
		return out->kind = message(line + i, len - i, true, out);
	}
	if (out->have_time)
		/* A stamped line carries a program tag: someone else's,
		 * or none (garbage). */
		return out->kind = t == 0 ? LP_OTHER : LP_GARBAGE;
	/* No stamp (journalctl -o cat): "QID: " looks like a tag, so try
	 * the message first. */
	out->kind = message(line, len, false, out);
	if (out->kind == LP_OTHER && t < 0)
		/* Not even "word: ": garbage rather than a program's line. */
		out->kind = LP_GARBAGE;
	return out->kind;
}

int
lp_parse_time(const char *s, time_t *out)
{
	size_t n = strlen(s), used;
	time_t t = 0;

	if (n > 1 && s[0] == '@') {
		size_t i;

		for (i = 1; i < n; i++) {
			if (!text_is_digit(s[i]) || t > (time_t)1e15)
				return -1;
			t = t * 10 + (s[i] - '0');
		}
		*out = t;
		return 0;
	}
	if (n == 10) {
		int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);

		if (y < 0 || s[4] != '-' || mo < 0 || s[7] != '-' || d < 0 ||
		    !valid_ymdhms(y, mo, d, 0, 0, 0))
			return -1;
		*out = to_epoch(y, mo, d, 0, 0, 0, false);
		return 0;
	}
	if (iso_time(s, n, false, &t, &used) == -1 || used != n)
		return -1;
	*out = t;
	return 0;
}

/* Seconds in one UNIT of a relative time (systemd.time(7)'s spellings:
 * "m" is minutes), or 0. */
static long
unit_seconds(const char *u, size_t n)
{
	static const struct {
		const char	*name;
		long		 sec;
	} units[] = {
		{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 },
		{ "seconds", 1 },
		{ "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 },
		{ "minutes", 60 },
		{ "h", 3600 }, { "hr", 3600 }, { "hour", 3600 },
		{ "hours", 3600 },
		{ "d", 86400 }, { "day", 86400 }, { "days", 86400 },
		{ "w", 604800 }, { "week", 604800 }, { "weeks", 604800 },
	};
	size_t i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i].name) == n &&
		    memcmp(units[i].name, u, n) == 0)
			return units[i].sec;
	return 0;
}

/* A span: one or more NUMBER UNIT ("7d", "1h30m", "2 days 3h"), white
 * space allowed between the parts, at most ten years. */
static int
span(const char *s, size_t n, time_t *out)
{
	long long total = 0, v;
	size_t i = 0, u;
	long sec;
	bool any = false;

	for (;;) {
		while (any && i < n && s[i] == ' ')
			i++;
		if (i == n)
			break;
		if (!text_is_digit(s[i]))
			return -1;
		for (v = 0; i < n && text_is_digit(s[i]); i++) {
			v = v * 10 + (s[i] - '0');
			if (v > 10LL * 366 * 86400)
				return -1;
		}
		while (i < n && s[i] == ' ')
			i++;
		for (u = i; i < n && text_is_lower((unsigned char)s[i]); i++)
			;
		if ((sec = unit_seconds(s + u, i - u)) == 0)
			return -1;
		total += v * sec;
		if (total > 10LL * 366 * 86400)
			return -1;
		any = true;
	}
	if (!any)
		return -1;
	*out = (time_t)total;
	return 0;
}

/* Local midnight of the day now falls in, plus days days. */
static int
midnight(time_t now, int days, time_t *out)
{
	struct tm tm;
	time_t t;

	if (localtime_r(&now, &tm) == NULL)
		return -1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}

int
lp_parse_when(const char *s, time_t now, time_t *out)
{
	static const char ago[] = " ago";
	size_t n = strlen(s), al = sizeof ago - 1;
	time_t d;

	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (strcmp(s, "today") == 0)
		return midnight(now, 0, out);
	if (strcmp(s, "yesterday") == 0)
		return midnight(now, -1, out);
	if (strcmp(s, "tomorrow") == 0)
		return midnight(now, 1, out);
	if (n > 1 && (s[0] == '-' || s[0] == '+')) {
		if (span(s + 1, n - 1, &d) == -1)
			return -1;
		*out = s[0] == '-' ? now - d : now + d;
		return 0;
	}
	if (n > al && memcmp(s + n - al, ago, al) == 0) {
		if (span(s, n - al, &d) == -1)
			return -1;
		*out = now - d;
		return 0;
	}
	return lp_parse_time(s, out);
}
