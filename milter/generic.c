/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic.c - does a forward-confirmed name look generic/dynamic?
 *
 * SPEC 2 "generic" and the contract in generic.h.  The host part of a
 * name is every label left of its organizational domain (orgdomain.c,
 * the Public Suffix List); the organizational domain is never examined,
 * and a name that is its own organizational domain (or a public suffix)
 * is never generic.
 *
 * IP embedding: all textual forms of the client address listed in
 * generic.h are generated (a few hundred bytes at most) and searched for
 * in the lower-cased host part.  An occurrence only counts when it is not
 * part of a longer number: a decimal form must not be preceded or followed
 * by a decimal digit, a hexadecimal form (IPv4 hex, IPv6 groups or
 * nibbles) not by a hexadecimal digit.  So "1203-0-113-42" does not embed
 * 203.0.113.42, while "ip203-0-113-42" and "x-cb00712a" embed it.  Forms
 * joined by nothing are ambiguous ("203011342"), but count whenever the
 * digits match exactly.
 *
 * Patterns: POSIX extended regexes compiled REG_EXTENDED | REG_ICASE |
 * REG_NOSUB, each matched against each host-part label on its own (no
 * dots inside).  The built-in list anchors every keyword at a label start
 * or after '-' or a digit, and requires '-', a digit or the label end
 * after it, so "dynamo" does not match "dyn".
 *
 * The compiled list is immutable after construction; regexec() may be
 * called concurrently on the same regex_t.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generic.h"
#include "orgdomain.h"
#include "strbuf.h"

/* Longest pattern line accepted from a file (administrator input, but a
 * sane cap keeps regcomp() bounded). */
#define GENERIC_LINE_MAX	1024
/* Longest embedded-address form: 32 nibbles and 31 separators. */
#define GENERIC_FORM_MAX	64

#define GENERIC_REGFLAGS	(REG_EXTENDED | REG_ICASE | REG_NOSUB)

struct generic_patterns {
	regex_t	*re;
	size_t	 n;
	size_t	 cap;
};

/*
 * The built-in list, one regex per label.  "(^|[-0-9])" before and
 * "([-0-9]|$)" after a keyword keep it from matching inside a word.
 */
#define KW(x)	"(^|[-0-9])" x "([-0-9]|$)"
static const char *const builtin_patterns[] = {
	KW("dyn(amic)?(ip)?"),			/* dyn, dynamic, dynip */
	KW("dhcp"),
	KW("(ip)?pool"),			/* pool-203-0-113-42 */
	KW("[ahsvx]?dsl"),			/* dsl, adsl, vdsl, xdsl */
	KW("(cable|cbl|catv)(modem)?"),
	KW("ppp(oe)?"),
	KW("dial(up|in)?"),			/* dial, dialup, dialin */
	KW("clients?"),
	KW("broadband"),
	KW("cust(omers?)?"),			/* cust, customer(s) */
	KW("res(id|idential|net)?"),		/* residential */
	KW("users?"),
	KW("(unknown|unassigned|unallocated)"),
	KW("nat"),
	KW("(wifi|wlan|wireless)"),
	KW("(mobile|gprs|umts|lte)"),
	KW("(ftth|fttb|fttc|fttx)"),
	KW("isdn"),
	KW("cpe"),				/* cpe-203-0-113-42 */
	"(^|-)host-?[0-9]+(-|$)",		/* host42, host-42 */
	"(^|-)ip(-[0-9]+|[0-9]{2,})(-|$)",	/* ip-10-0-0-1, ip42 */
	/* Any dashed quad, e.g. another address than the client's. */
	"(^|[^0-9])[0-9]{1,3}(-[0-9]{1,3}){3}([^0-9]|$)",
	"^ec2-",				/* ec2-203-0-113-42 */
	"^compute(-[0-9]+)?$",			/* compute-1.amazonaws */
	"^hsd[0-9]*$",				/* hsd1.ma.comcast.net */
	"^dip[0-9]*$",				/* dip0.t-ipconnect.de */
};
#undef KW

/* Host-part labels that keep a name from being generic by pattern (a
 * mail-role word, below, keeps it from being generic at all). */
static const char *const protected_labels[] = {
	"static",
};

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_xdigit(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Copy name lower-cased into buf[DNAME_TEXT_MAX] without its trailing dot
 * and cut it before its organizational domain (orgdomain.h: the Public
 * Suffix List, never "the last two labels").
 * @return the host part length, 0 when there is none (the name is its
 *	own organizational domain or a public suffix) or the name is too
 *	long to be a name.
 */
static size_t
host_part(const char *name, char *buf)
{
	int off;

	if (dname_lower(name, buf) == 0)
		return 0;
	/* "host.org.tld": the org domain starts after "host.". */
	if ((off = orgdomain_offset(buf)) < 2 || buf[off - 1] != '.') {
		buf[0] = '\0';
		return 0;
	}
	buf[off - 1] = '\0';
	return (size_t)off - 1;
}

/* True if needle occurs in hay, not preceded nor followed by a digit of
 * the needle's class (decimal or hexadecimal). */
static bool
find_bounded(const char *hay, size_t hlen, const char *needle, bool hex)
{
	size_t nlen = strlen(needle), i;
	bool (*digit)(unsigned char) = hex ? is_xdigit : is_digit;

	if (nlen == 0 || nlen > hlen)
		return false;
	for (i = 0; i + nlen <= hlen; i++) {
		if (memcmp(hay + i, needle, nlen) != 0)
			continue;
		if (i > 0 && digit((unsigned char)hay[i - 1]))
			continue;
		if (i + nlen < hlen && digit((unsigned char)hay[i + nlen]))
			continue;
		return true;
	}
	return false;
}

/* True if needle (nlen bytes) occurs anywhere in hay. */
static bool
contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;

	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return true;
	return false;
}

static bool
embeds_v4(const char *host, size_t hlen, const uint8_t b[4])
{
	static const char seps[] = { '.', '-', '_', '\0' };
	char form[GENERIC_FORM_MAX];
	char dec[4][4], pad3[4][4];	/* "5", "005": each octet once */
	size_t dlen[4];
	size_t s, o;
	int rev, pad, i;
	bool possible = true;

	for (i = 0; i < 4; i++) {
		unsigned v = b[i];

		pad3[i][0] = (char)('0' + v / 100);
		pad3[i][1] = (char)('0' + v / 10 % 10);
		pad3[i][2] = (char)('0' + v % 10);
		dlen[i] = v >= 100 ? 3 : v >= 10 ? 2 : 1;
		memcpy(dec[i], pad3[i] + 3 - dlen[i], dlen[i]);
	}
	/*
	 * Every decimal candidate below holds each octet's unpadded text
	 * ("5" is in "005" too), so a host part that lacks one of them
	 * embeds none: four scans instead of up to 128 candidates, for the
	 * common case of a name that is not generic.
	 */
	for (i = 0; i < 4 && possible; i++)
		possible = contains(host, hlen, dec[i], dlen[i]);
	/* Four octets, in order or reversed, each zero-padded or not. */
	for (rev = 0; possible && rev < 2; rev++)
		for (s = 0; s < sizeof seps; s++)
			for (pad = 0; pad < 16; pad++) {
				bool dup = false;

				o = 0;
				for (i = 0; i < 4; i++) {
					int k = rev ? 3 - i : i;

					/* Padding a 3-digit octet changes
					 * nothing: a candidate seen already. */
					if ((pad & (1 << i)) && dlen[k] == 3) {
						dup = true;
						break;
					}
					if (i > 0 && seps[s] != '\0')
						form[o++] = seps[s];
					if (pad & (1 << i)) {
						memcpy(form + o, pad3[k], 3);
						o += 3;
					} else {
						memcpy(form + o, dec[k], dlen[k]);
						o += dlen[k];
					}
				}
				if (dup)
					continue;
				form[o] = '\0';
				if (find_bounded(host, hlen, form, false))
					return true;
			}
	/* The 8-digit hex form, e.g. cb00712a for 203.0.113.42. */
	(void)snprintf(form, sizeof form, "%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3]);
	return find_bounded(host, hlen, form, true);
}

static bool
embeds_v6(const char *host, size_t hlen, const uint8_t b[16])
{
	static const char hex[] = "0123456789abcdef";
	static const char *const seps[] = { "-", ".", "" };
	char form[GENERIC_FORM_MAX];
	size_t s, o;
	int i, rev;

	/* The last 64 bits as four 4-digit groups. */
	for (s = 0; s < sizeof seps / sizeof seps[0]; s++) {
		o = 0;
		for (i = 8; i < 16; i += 2) {
			if (i > 8 && seps[s][0] != '\0')
				form[o++] = seps[s][0];
			form[o++] = hex[b[i] >> 4];
			form[o++] = hex[b[i] & 0x0f];
			form[o++] = hex[b[i + 1] >> 4];
			form[o++] = hex[b[i + 1] & 0x0f];
		}
		form[o] = '\0';
		if (find_bounded(host, hlen, form, true))
			return true;
	}
	/* All 32 nibbles, address order or ip6.arpa order; seps[] here is
	 * '.', '-' or nothing as well (same set, other order). */
	for (rev = 0; rev < 2; rev++)
		for (s = 0; s < sizeof seps / sizeof seps[0]; s++) {
			o = 0;
			for (i = 0; i < 32; i++) {
				int k = rev ? 31 - i : i;
				uint8_t v = b[k / 2];

				if (i > 0 && seps[s][0] != '\0')
					form[o++] = seps[s][0];
				form[o++] = hex[k % 2 == 0 ? v >> 4 : v & 0x0f];
			}
			form[o] = '\0';
			if (find_bounded(host, hlen, form, true))
				return true;
		}
	return false;
}

bool
generic_embeds_ip(const char *name, const struct rdns_ip *ip)
{
	char buf[DNAME_TEXT_MAX];
	size_t hlen;

	if (ip == NULL)
		return false;
	if ((hlen = host_part(name, buf)) == 0)
		return false;
	if (ip->family == AF_INET)
		return embeds_v4(buf, hlen, (const uint8_t *)&ip->u.v4);
	if (ip->family == AF_INET6)
		return embeds_v6(buf, hlen, ip->u.v6.s6_addr);
	return false;
}

bool
generic_match(const struct generic_patterns *gp, const char *name,
    const struct rdns_ip *ip)
{
	char buf[DNAME_TEXT_MAX];
	char *label, *next;
	size_t hlen, i, k;

	if (generic_embeds_ip(name, ip))
		return true;
	if (gp == NULL || gp->n == 0)
		return false;
	if ((hlen = host_part(name, buf)) == 0)
		return false;
	/* Split the host part into labels in place. */
	for (i = 0; i < hlen; i++)
		if (buf[i] == '.')
			buf[i] = '\0';
	for (label = buf; label < buf + hlen; label = next) {
		next = label + strlen(label) + 1;
		for (k = 0; k < sizeof protected_labels /
		    sizeof protected_labels[0]; k++)
			if (strcmp(label, protected_labels[k]) == 0)
				return false;
	}
	for (label = buf; label < buf + hlen; label = next) {
		next = label + strlen(label) + 1;
		for (k = 0; k < gp->n; k++)
			if (regexec(&gp->re[k], label, 0, NULL, 0) == 0)
				return true;
	}
	return false;
}

/*
 * Mail-role words (SPEC 2): a host part with a label holding one of them
 * as a whole word is a mail server's, never generic.  Words are the
 * maximal runs of letters and the maximal runs of digits of a label, so
 * "mail-oln040092253093" holds "mail", "oln" and "040092253093", and
 * "mxout" is one word (not "mx").
 */
struct generic_roles {
	char	**w;		/* lower case, letters only */
	size_t	  n;
};

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void
generic_roles_free(struct generic_roles *gr)
{
	size_t i;

	if (gr == NULL)
		return;
	for (i = 0; i < gr->n; i++)
		free(gr->w[i]);
	free(gr->w);
	free(gr);
}

struct generic_roles *
generic_roles_new(const char *list, char *err, size_t errlen)
{
	struct generic_roles *gr;
	const char *p = list, *start;
	char dummy[1];
	size_t len, i;
	char **nw;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (list == NULL) {
		(void)snprintf(err, errlen, "no word list given");
		return NULL;
	}
	if ((gr = calloc(1, sizeof *gr)) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strcasecmp(list, "none") == 0)
		return gr;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (start = p; *p != '\0' && *p != ' ' && *p != '\t' &&
		    *p != ','; p++)
			;
		len = (size_t)(p - start);
		for (i = 0; i < len; i++)
			if (!is_alpha((unsigned char)start[i]))
				break;
		if (i < len || len > GENERIC_WORD_MAX) {
			(void)snprintf(err, errlen, "bad word '%.*s' (want "
			    "letters only, at most %d, or none)",
			    len > 64 ? 64 : (int)len, start, GENERIC_WORD_MAX);
			goto fail;
		}
		if (len == 4 && strncasecmp(start, "none", 4) == 0) {
			(void)snprintf(err, errlen, "none stands alone");
			goto fail;
		}
		if ((nw = realloc(gr->w, (gr->n + 1) * sizeof *nw)) == NULL ||
		    (gr->w = nw, (nw[gr->n] = malloc(len + 1)) == NULL)) {
			(void)snprintf(err, errlen, "out of memory");
			goto fail;
		}
		for (i = 0; i < len; i++)
			nw[gr->n][i] = ascii_lower(start[i]);
		nw[gr->n++][len] = '\0';
	}
	if (gr->n == 0) {
		(void)snprintf(err, errlen, "empty list (write none to "
		    "turn the rule off)");
		goto fail;
	}
	return gr;
fail:
	generic_roles_free(gr);
	return NULL;
}

struct generic_roles *
generic_roles_new_default(void)
{
	return generic_roles_new(GENERIC_ROLES_DEFAULT, NULL, 0);
}

size_t
generic_roles_count(const struct generic_roles *gr)
{
	return gr != NULL ? gr->n : 0;
}

/* Is word[len] (lower case) one of the role words? */
static bool
role_word(const struct generic_roles *gr, const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < gr->n; i++)
		if (strlen(gr->w[i]) == len && memcmp(gr->w[i], word, len) == 0)
			return true;
	return false;
}

bool
generic_mail_role(const struct generic_roles *gr, const char *name)
{
	char buf[DNAME_TEXT_MAX];
	size_t hlen, i, start;

	if (gr == NULL || gr->n == 0)
		return false;
	if ((hlen = host_part(name, buf)) == 0)
		return false;
	/* Runs of letters are the only candidates (role words are letters
	 * only); '.', '-', '_', digits and every other byte end a run. */
	for (i = 0; i <= hlen; i++) {
		if (i < hlen && is_alpha((unsigned char)buf[i]))
			continue;
		for (start = i; start > 0 && is_alpha((unsigned char)
		    buf[start - 1]); start--)
			;
		if (start < i && role_word(gr, buf + start, i - start))
			return true;
	}
	return false;
}

bool
generic_judge(const struct generic_patterns *gp,
    const struct generic_roles *gr, const char *name,
    const struct rdns_ip *ip)
{
	if (generic_mail_role(gr, name))
		return false;
	return generic_match(gp, name, ip);
}

static struct generic_patterns *
patterns_new(void)
{
	return calloc(1, sizeof(struct generic_patterns));
}

void
generic_patterns_free(struct generic_patterns *gp)
{
	size_t i;

	if (gp == NULL)
		return;
	for (i = 0; i < gp->n; i++)
		regfree(&gp->re[i]);
	free(gp->re);
	free(gp);
}

/*
 * Compile pattern and append it.
 * @return 0, or a regcomp() error code, or REG_ESPACE when out of memory.
 */
static int
patterns_add(struct generic_patterns *gp, const char *pattern)
{
	regex_t *re;
	int rc;

	if (gp->n == gp->cap) {
		size_t cap = gp->cap == 0 ? 16 : gp->cap * 2;

		if (cap > SIZE_MAX / sizeof *re)
			return REG_ESPACE;
		re = realloc(gp->re, cap * sizeof *re);
		if (re == NULL)
			return REG_ESPACE;
		gp->re = re;
		gp->cap = cap;
	}
	rc = regcomp(&gp->re[gp->n], pattern, GENERIC_REGFLAGS);
	if (rc == 0)
		gp->n++;
	return rc;
}

struct generic_patterns *
generic_patterns_new_builtin(void)
{
	struct generic_patterns *gp;
	char *all, *p;
	size_t i, len = 1;
	int rc;

	/* One alternation, so that a label costs one regexec(), not one
	 * per pattern. */
	for (i = 0; i < sizeof builtin_patterns / sizeof builtin_patterns[0];
	    i++)
		len += strlen(builtin_patterns[i]) + 3;
	if ((gp = patterns_new()) == NULL)
		return NULL;
	if ((all = malloc(len)) == NULL) {
		generic_patterns_free(gp);
		return NULL;
	}
	p = all;
	for (i = 0; i < sizeof builtin_patterns / sizeof builtin_patterns[0];
	    i++)
		p += sprintf(p, "%s(%s)", i > 0 ? "|" : "",
		    builtin_patterns[i]);
	rc = patterns_add(gp, all);
	free(all);
	if (rc != 0) {
		generic_patterns_free(gp);
		return NULL;
	}
	return gp;
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* strerror_r() comes in a GNU and an XSI flavour. */
static const char *
errno_text(int e, char *buf, size_t len)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, len);
#else
	if (strerror_r(e, buf, len) != 0)
		(void)snprintf(buf, len, "error %d", e);
	return buf;
#endif
}

struct generic_patterns *
generic_patterns_load(const char *file, char *err, size_t errlen)
{
	struct generic_patterns *gp = NULL;
	char ebuf[256];
	char *line = NULL, *p, *end;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	char dummy[1];
	FILE *fp;
	int rc, e = 0;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (file == NULL) {
		(void)snprintf(err, errlen, "no pattern file given");
		return NULL;
	}
	if ((fp = fopen(file, "r")) == NULL) {
		e = errno;
		(void)snprintf(err, errlen, "%s: %s", file,
		    errno_text(e, ebuf, sizeof ebuf));
		return NULL;
	}
	if ((gp = patterns_new()) == NULL) {
		e = errno;
		goto syserr;
	}
	for (;;) {
		errno = 0;
		if ((n = getline(&line, &cap, fp)) == -1) {
			if (ferror(fp)) {
				e = errno != 0 ? errno : EIO;
				goto syserr;
			}
			break;
		}
		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			(void)snprintf(err, errlen, "%s:%zu: NUL byte in line",
			    file, lineno);
			goto fail;
		}
		p = line;
		end = line + n;
		while (p < end && is_space((unsigned char)*p))
			p++;
		while (end > p && is_space((unsigned char)end[-1]))
			end--;
		*end = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (end - p > GENERIC_LINE_MAX) {
			(void)snprintf(err, errlen,
			    "%s:%zu: pattern longer than %d characters",
			    file, lineno, GENERIC_LINE_MAX);
			goto fail;
		}
		if ((rc = patterns_add(gp, p)) != 0) {
			if (rc == REG_ESPACE && gp->n == gp->cap) {
				e = ENOMEM;	/* the array did not grow */
				goto syserr;
			}
			(void)regerror(rc, &gp->re[gp->n], ebuf, sizeof ebuf);
			(void)snprintf(err, errlen, "%s:%zu: %s", file,
			    lineno, ebuf);
			goto fail;
		}
	}
	free(line);
	(void)fclose(fp);
	return gp;

syserr:
	(void)snprintf(err, errlen, "%s: %s", file,
	    errno_text(e, ebuf, sizeof ebuf));
fail:
	free(line);
	(void)fclose(fp);
	generic_patterns_free(gp);
	return NULL;
}
