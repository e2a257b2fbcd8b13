/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic_addr.c - is the client address embedded in a name?  SPEC 2
 * "generic" and the contract in generic.h; this file is the mechanism,
 * driven by the tokens of the name, never by a list of forms.
 *
 * The name is looked at in two segments: the host part, and the
 * organizational domain.  Each is judged alone, so digits of the
 * organizational domain count only when that domain holds the address
 * by itself (9.ip-51-91-159.eu for 51.91.159.9: "ip-51-91-159.eu" holds
 * three octets) and never complete a partial match of the host part.
 *
 * IPv4, decimal: the segment's maximal digit runs are the tokens.  A
 * match starts at the first digit of a run and ends at the last digit
 * of a run; each run in between is read completely, as one or more
 * octets written with 1 to 3 digits (leading zeros allowed), the octets
 * following each other in the address (a, b, c, d) or backwards (d, c,
 * b, a).  What lies between two runs does not matter (".", "-", "_",
 * letters: "modemcable151.96-160-184").  Three octets are enough; the
 * best (longest) match is reported.  A run is at most a label long, so
 * the search is a few dozen steps per run.
 *
 * IPv4, hex: the segment's maximal hex-digit runs; the address's eight
 * hex digits must end a run, and what comes before them in the run must
 * be letters (a-f): "p5ddb3ec9", "d54c15d55", "zaq3dcd9082" -- the
 * letters are the provider's prefix, a digit would make it another
 * number.
 *
 * IPv6: the segment's words (what lies between '.', '-' and '_'; two
 * '-' in a row stand for "::").  Groups: words of 1 to 4 hex digits
 * equal to consecutive groups of the address (leading zeros or not),
 * the "::" word standing for one or more zero groups; a match covers
 * the whole address, or ends with the last group and covers at least
 * the four of the interface identifier, and has at least three
 * written groups ("2001-db8--1"), four for the interface identifier.
 * Nibbles: single-digit words equal to consecutive nibbles, in address
 * order ending with the last one or in ip6.arpa order starting with it,
 * at least 16 (the interface identifier).  Hex runs: the 32 nibbles in
 * either order, or the 16 of the interface identifier, ending a hex run
 * behind letters ("p200300ec2f0f5e00e15a1b2e1d2ace20").  Base 36: a word
 * of 20 to 25 letters and digits whose base-36 value is the address
 * ("node-1w7jr9st5p2esmclet71ntnwp.ipv6.telus.net").
 *
 * Pure: no allocation, no global state.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "generic_int.h"
#include "text.h"

/* A name of at most 253 characters has at most 127 runs or words. */
#define ADDR_MAX_TOKENS		128
/* The part of the name quoted in a reason. */
#define ADDR_QUOTE_MAX		80

struct tok {
	size_t	 off;		/* in the name */
	size_t	 len;		/* 0: a "--" word ("::") */
};

struct seg {
	const char	*s;	/* the whole name */
	size_t		 b, e;	/* [b, e): the segment */
	bool		 org;	/* the organizational domain */
};

/* The value of a digit (0-9, a-z) of the name in base 16 or 36.  The
 * name is lower case (generic_name_prepare()), so text.h's classes of
 * either case see only lower-case letters here. */
static int
digit_value(unsigned char c)
{
	return text_is_digit(c) ? c - '0' : c - 'a' + 10;
}

/* Maximal runs of characters of class cls in the segment. */
static size_t
runs(const struct seg *g, bool (*cls)(unsigned char), struct tok *t)
{
	size_t i = g->b, n = 0;

	while (i < g->e && n < ADDR_MAX_TOKENS) {
		if (!cls((unsigned char)g->s[i])) {
			i++;
			continue;
		}
		t[n].off = i;
		while (i < g->e && cls((unsigned char)g->s[i]))
			i++;
		t[n].len = i - t[n].off;
		n++;
	}
	return n;
}

/* Words: what lies between separators; "--" gives an empty word. */
static size_t
words(const struct seg *g, struct tok *t)
{
	size_t i = g->b, n = 0;

	while (i < g->e && n < ADDR_MAX_TOKENS) {
		if (!text_is_alnum((unsigned char)g->s[i])) {
			if (g->s[i] == '-' && i + 1 < g->e && g->s[i + 1] == '-') {
				t[n].off = i;
				t[n++].len = 0;
				i++;
			}
			i++;
			continue;
		}
		t[n].off = i;
		while (i < g->e && text_is_alnum((unsigned char)g->s[i]))
			i++;
		t[n].len = i - t[n].off;
		n++;
	}
	return n;
}

/* "embeds IP as WHAT (QUOTE)" into v. */
static void
explain(struct generic_verdict *v, const char *rule, const struct rdns_ip *ip,
    const char *what, const struct seg *g, size_t from, size_t to)
{
	char ipstr[DNAME_IPSTR_MAX];
	int q = (int)(to - from);

	if (q > ADDR_QUOTE_MAX)
		q = ADDR_QUOTE_MAX;
	dname_ip_str(ip, ipstr, sizeof ipstr);
	v->generic = true;
	(void)snprintf(v->rule, sizeof v->rule, "%s", rule);
	(void)snprintf(v->reason, sizeof v->reason, "embeds %s as %s (%.*s%s)",
	    ipstr, what, q, g->s + from, (size_t)q < to - from ? "..." : "");
}

/* Where a match lies, for the reason. */
static const char *
where(const struct seg *g, size_t from, size_t to)
{
	if (g->org)
		return "in the organizational domain";
	return memchr(g->s + from, '.', to - from) != NULL ?
	    "across labels" : "in one label";
}

/*
 * IPv4, decimal.
 */

struct v4 {
	const char	*s;
	const struct tok *r;
	size_t		 n;
	const uint8_t	*a;
	int		 dir;		/* +1 in order, -1 reversed */
	/* the best match so far */
	int		 best;		/* octets */
	size_t		 end;		/* its last run */
	bool		 pad, join;
};

/* Read octet a[k] (then a[k + dir], ...) from run r at offset p; n
 * octets read so far. */
static void
v4_walk(struct v4 *c, size_t r, size_t p, int k, int n, bool pad, bool join)
{
	const char *t = c->s + c->r[r].off;
	size_t len = c->r[r].len, l;
	unsigned v = 0;

	if (c->best == 4)
		return;
	if (p == len) {
		if (n >= 3 && n > c->best) {
			c->best = n;
			c->end = r;
			c->pad = pad;
			c->join = join;
		}
		if (k >= 0 && k <= 3 && r + 1 < c->n)
			v4_walk(c, r + 1, 0, k, n, pad, join);
		return;
	}
	if (k < 0 || k > 3)
		return;
	for (l = 1; l <= 3 && p + l <= len; l++) {
		v = v * 10 + (unsigned)(t[p + l - 1] - '0');
		if (v == c->a[k])
			v4_walk(c, r, p + l, k + c->dir, n + 1,
			    pad || (l > 1 && t[p] == '0'), join || p > 0);
	}
}

static bool
v4_decimal(const struct seg *g, const uint8_t a[4], struct generic_verdict *v,
    const struct rdns_ip *ip)
{
	static const struct {
		int	 dir, start;
	} tries[] = { { 1, 0 }, { -1, 3 }, { 1, 1 }, { -1, 2 } };
	struct tok r[ADDR_MAX_TOKENS];
	struct v4 c;
	size_t j, t;
	char what[128];

	memset(&c, 0, sizeof c);
	c.s = g->s;
	c.r = r;
	c.n = runs(g, text_is_digit, r);
	c.a = a;
	for (j = 0; j < c.n; j++) {
		int best = 0, dir = 0;
		size_t end = 0;
		bool pad = false, join = false;

		for (t = 0; t < sizeof tries / sizeof tries[0]; t++) {
			c.dir = tries[t].dir;
			c.best = 0;
			v4_walk(&c, j, 0, tries[t].start, 0, false, false);
			if (c.best > best) {
				best = c.best;
				dir = c.dir;
				end = c.end;
				pad = c.pad;
				join = c.join;
			}
		}
		if (best < 3)
			continue;
		(void)snprintf(what, sizeof what, "%s%s%soctets%s%s %s",
		    best == 3 ? "three " : "", pad ? "zero-padded " : "",
		    dir < 0 ? "reversed " : "", dir > 0 ? " in order" : "",
		    join ? " without separators" : "",
		    where(g, r[j].off, r[end].off + r[end].len));
		explain(v, GENERIC_RULE_IPV4, ip, what, g, r[j].off,
		    r[end].off + r[end].len);
		return true;
	}
	return false;
}

/* IPv4, the eight hex digits ending a run behind letters. */
static bool
v4_hex(const struct seg *g, const uint8_t a[4], struct generic_verdict *v,
    const struct rdns_ip *ip)
{
	struct tok r[ADDR_MAX_TOKENS];
	char form[9];
	size_t n, i, k;

	(void)snprintf(form, sizeof form, "%02x%02x%02x%02x", a[0], a[1], a[2],
	    a[3]);
	n = runs(g, text_is_xdigit, r);
	for (i = 0; i < n; i++) {
		const char *t = g->s + r[i].off;

		if (r[i].len < 8 || memcmp(t + r[i].len - 8, form, 8) != 0)
			continue;
		for (k = 0; k < r[i].len - 8 && !text_is_digit(t[k]);
		    k++)
			;
		if (k < r[i].len - 8)
			continue;
		explain(v, GENERIC_RULE_IPV4_HEX, ip, g->org ?
		    "hex digits in the organizational domain" : "hex digits", g,
		    r[i].off, r[i].off + r[i].len);
		return true;
	}
	return false;
}

/*
 * IPv6.
 */

struct v6 {
	const char	*s;
	const struct tok *w;
	size_t		 n;
	uint16_t	 grp[8];
	/* the best match so far */
	int		 best;		/* groups covered */
	size_t		 end;		/* its last word */
	bool		 comp;		/* "::" used */
};

/* Match word i against group k; cov groups covered, wr written, comp
 * whether "::" was used; start is the first group. */
static void
v6_walk(struct v6 *c, size_t i, int k, int start, int cov, int wr, bool comp)
{
	const struct tok *w;
	unsigned val = 0;
	size_t j;
	int z;

	if (k == 8) {
		/* The whole address, or the interface identifier. */
		if ((start == 0 && cov == 8 && wr >= 3) ||
		    (cov >= 4 && wr >= 4))
			if (cov > c->best) {
				c->best = cov;
				c->end = i - 1;
				c->comp = comp;
			}
		return;
	}
	if (i >= c->n)
		return;
	w = &c->w[i];
	if (w->len == 0) {
		if (comp)
			return;		/* one "::" only */
		for (z = 1; k + z <= 8 && c->grp[k + z - 1] == 0; z++)
			v6_walk(c, i + 1, k + z, start, cov + z, wr, true);
		return;
	}
	if (w->len > 4)
		return;
	for (j = 0; j < w->len; j++) {
		if (!text_is_xdigit((unsigned char)c->s[w->off + j]))
			return;
		val = val * 16 + (unsigned)digit_value((unsigned char)c->s[w->off +
		    j]);
	}
	if (val == c->grp[k])
		v6_walk(c, i + 1, k + 1, start, cov + 1, wr + 1, comp);
}

static bool
v6_groups(const struct seg *g, const uint8_t b[16], const struct tok *w,
    size_t n, struct generic_verdict *v, const struct rdns_ip *ip)
{
	struct v6 c;
	size_t i;
	int k;

	memset(&c, 0, sizeof c);
	c.s = g->s;
	c.w = w;
	c.n = n;
	for (k = 0; k < 8; k++)
		c.grp[k] = (uint16_t)(b[2 * k] << 8 | b[2 * k + 1]);
	for (i = 0; i < n; i++) {
		c.best = 0;
		for (k = 0; k < 8 && c.best < 8; k++)
			v6_walk(&c, i, k, k, 0, 0, false);
		if (c.best == 0)
			continue;
		explain(v, GENERIC_RULE_IPV6, ip, c.best == 8 ?
		    (c.comp ? "compressed groups" : "groups in order") :
		    "its interface identifier's groups", g, w[i].off,
		    w[c.end].off + w[c.end].len);
		return true;
	}
	return false;
}

/* Nibble i of the address (0: the first). */
static char
nibble(const uint8_t b[16], int i)
{
	static const char hex[] = "0123456789abcdef";

	return hex[i % 2 == 0 ? b[i / 2] >> 4 : b[i / 2] & 0x0f];
}

static bool
v6_nibble_words(const struct seg *g, const uint8_t b[16], const struct tok *w,
    size_t n, struct generic_verdict *v, const struct rdns_ip *ip)
{
	size_t i, m;

	for (i = 0; i < n; i++) {
		/* ip6.arpa order: nibble 31 first. */
		for (m = 0; i + m < n && m < 32 && w[i + m].len == 1 &&
		    g->s[w[i + m].off] == nibble(b, 31 - (int)m); m++)
			;
		if (m >= 16) {
			explain(v, GENERIC_RULE_IPV6, ip, m == 32 ?
			    "nibbles in ip6.arpa order" :
			    "its interface identifier's nibbles in ip6.arpa "
			    "order", g, w[i].off, w[i + m - 1].off + 1);
			return true;
		}
		/* Address order, ending with nibble 31 at word i. */
		for (m = 0; m <= i && m < 32 && w[i - m].len == 1 &&
		    g->s[w[i - m].off] == nibble(b, 31 - (int)m); m++)
			;
		if (m >= 16) {
			explain(v, GENERIC_RULE_IPV6, ip, m == 32 ?
			    "nibbles" : "its interface identifier's nibbles",
			    g, w[i - m + 1].off, w[i].off + 1);
			return true;
		}
	}
	return false;
}

/* The nibbles ending a hex run behind letters. */
static bool
v6_hex_runs(const struct seg *g, const uint8_t b[16], struct generic_verdict *v,
    const struct rdns_ip *ip)
{
	struct tok r[ADDR_MAX_TOKENS];
	char fwd[33], rev[33];
	size_t n, i, k, len, tail;
	int j;

	for (j = 0; j < 32; j++) {
		fwd[j] = nibble(b, j);
		rev[j] = nibble(b, 31 - j);
	}
	fwd[32] = rev[32] = '\0';
	n = runs(g, text_is_xdigit, r);
	for (i = 0; i < n; i++) {
		const char *t = g->s + r[i].off, *what = NULL;

		len = r[i].len;
		if (len >= 32 && memcmp(t + len - 32, fwd, 32) == 0) {
			what = "hex digits";
			tail = 32;
		} else if (len >= 32 && memcmp(t + len - 32, rev, 32) == 0) {
			what = "hex digits in ip6.arpa order";
			tail = 32;
		} else if (len >= 16 && memcmp(t + len - 16, fwd + 16, 16) ==
		    0) {
			what = "its interface identifier's hex digits";
			tail = 16;
		} else
			continue;
		for (k = 0; k < len - tail && !text_is_digit(t[k]);
		    k++)
			;
		if (k < len - tail)
			continue;
		explain(v, GENERIC_RULE_IPV6, ip, what, g, r[i].off,
		    r[i].off + len);
		return true;
	}
	return false;
}

/* A word whose base-36 value is the address. */
static bool
v6_base36(const struct seg *g, const uint8_t b[16], const struct tok *w,
    size_t n, struct generic_verdict *v, const struct rdns_ip *ip)
{
	uint32_t want[4], x[4];
	size_t i, j;
	int k;

	for (k = 0; k < 4; k++)
		want[k] = (uint32_t)b[4 * k] << 24 | (uint32_t)b[4 * k + 1] <<
		    16 | (uint32_t)b[4 * k + 2] << 8 | b[4 * k + 3];
	for (i = 0; i < n; i++) {
		bool over = false;

		if (w[i].len < 20 || w[i].len > 25)
			continue;
		memset(x, 0, sizeof x);
		for (j = 0; j < w[i].len && !over; j++) {
			unsigned char ch = (unsigned char)g->s[w[i].off + j];
			uint64_t carry = (uint64_t)digit_value(ch);

			/* x = x * 36 + digit, 32-bit limbs, most significant
			 * first. */
			for (k = 3; k >= 0; k--) {
				uint64_t y = (uint64_t)x[k] * 36 + carry;

				x[k] = (uint32_t)y;
				carry = y >> 32;
			}
			over = carry != 0;
		}
		if (over || memcmp(x, want, sizeof x) != 0)
			continue;
		explain(v, GENERIC_RULE_IPV6, ip, "a base-36 number", g,
		    w[i].off, w[i].off + w[i].len);
		return true;
	}
	return false;
}

static bool
segment(const struct seg *g, const struct rdns_ip *ip,
    struct generic_verdict *v)
{
	struct tok w[ADDR_MAX_TOKENS];
	size_t n;

	if (g->e <= g->b)
		return false;
	if (ip->family == AF_INET) {
		const uint8_t *a = (const uint8_t *)&ip->u.v4;

		return v4_decimal(g, a, v, ip) || v4_hex(g, a, v, ip);
	}
	if (ip->family != AF_INET6)
		return false;
	n = words(g, w);
	return v6_groups(g, ip->u.v6.s6_addr, w, n, v, ip) ||
	    v6_nibble_words(g, ip->u.v6.s6_addr, w, n, v, ip) ||
	    v6_hex_runs(g, ip->u.v6.s6_addr, v, ip) ||
	    v6_base36(g, ip->u.v6.s6_addr, w, n, v, ip);
}

bool
generic_addr_embedded(const struct generic_name *gn, const struct rdns_ip *ip,
    struct generic_verdict *v)
{
	struct seg host = { gn->s, 0, gn->hlen, false };
	struct seg org = { gn->s, gn->org, gn->len, true };

	if (ip == NULL)
		return false;
	return segment(&host, ip, v) || segment(&org, ip, v);
}
