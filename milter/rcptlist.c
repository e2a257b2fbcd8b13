/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rcptlist.c - the recipients of one message for its summary line, and
 * reading them back (rcptlist.h has the grammar).
 */
#include "autoconf.h"

#include <limits.h>
#include <string.h>

#include "rcptlist.h"
#include "strbuf.h"
#include "text.h"

void
rcptlist_reset(struct rcptlist *rl)
{
	rl->domains.n_items = rl->domains.used = 0;
	rl->domains.unlisted = 0;
	rl->exempt.n_items = rl->exempt.used = 0;
	rl->exempt.unlisted = 0;
}

/* A byte of a logged domain: what TEXT_DNS keeps, in lower case, or the
 * '?' it writes for the rest. */
static bool
domain_char(char c)
{
	return (text_keeps(TEXT_DNS, (unsigned char)c) &&
	    !text_is_upper((unsigned char)c)) || c == '?';
}

/* A byte of a logged local part (TEXT_LOG_ITEM). */
static bool
local_char(char c)
{
	return text_keeps(TEXT_LOG_ITEM, (unsigned char)c);
}

/* The logged form of a domain into dst[RCPTLIST_DOMAIN_MAX + 1].
 * @return its length, or 0 if the domain is too long to list. */
static size_t
domain_form(char *dst, const char *domain)
{
	size_t n = strlen(domain);

	if (n > RCPTLIST_DOMAIN_MAX)
		return 0;
	if (n == 0 || (n == 1 && domain[0] == '-')) {
		/* "" matches only "*", as "." does; "-" is "none". */
		dst[0] = n == 0 ? '.' : '?';
		dst[1] = '\0';
		return 1;
	}
	(void)text_sanitize(TEXT_DNS, dst, n + 1, domain, n);
	str_lower(dst);
	return n;
}

void
rcptlist_local_form(char *dst, size_t dstlen, const char *local)
{
	size_t n = strlen(local);

	if (dstlen == 0)
		return;
	if (n == 0 || n > RCPTLIST_LOCAL_MAX || n >= dstlen) {
		dst[0] = '\0';
		return;
	}
	(void)text_sanitize(TEXT_LOG_ITEM, dst, dstlen, local, n);
	str_lower(dst);
}

static void
part_add(struct rcptlist_part *p, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < p->n_items; i++) {
		struct rcptlist_item *it = &p->item[i];

		if (it->len == len && memcmp(p->text + it->off, name, len) == 0) {
			if (it->n < 4294967295UL)
				it->n++;
			return;
		}
	}
	if (len == 0 || p->n_items == RCPTLIST_ITEMS ||
	    len > RCPTLIST_TEXT_MAX - p->used) {
		if (p->unlisted < 4294967295UL)
			p->unlisted++;
		return;
	}
	memcpy(p->text + p->used, name, len);
	p->item[p->n_items].off = (unsigned short)p->used;
	p->item[p->n_items].len = (unsigned short)len;
	p->item[p->n_items].n = 1;
	p->n_items++;
	p->used += len;
}

void
rcptlist_add(struct rcptlist *rl, const char *exempt_local,
    const char *domain)
{
	char name[RCPTLIST_LOCAL_MAX + 1 + RCPTLIST_DOMAIN_MAX + 1];
	char dom[RCPTLIST_DOMAIN_MAX + 1];
	size_t dn = domain_form(dom, domain), ln;

	if (exempt_local == NULL) {
		part_add(&rl->domains, dom, dn);
		return;
	}
	rcptlist_local_form(name, RCPTLIST_LOCAL_MAX + 1, exempt_local);
	ln = strlen(name);
	if (ln == 0 || dn == 0) {
		/* Not listable: counted in "+N". */
		part_add(&rl->exempt, "", 0);
		return;
	}
	name[ln] = '@';
	memcpy(name + ln + 1, dom, dn + 1);
	part_add(&rl->exempt, name, ln + 1 + dn);
}

bool
rcptlist_empty(const struct rcptlist *rl)
{
	return rcptlist_count(rl) == 0;
}

unsigned long
rcptlist_count(const struct rcptlist *rl)
{
	const struct rcptlist_part *parts[2] = { &rl->domains, &rl->exempt };
	unsigned long n = 0;

	for (size_t k = 0; k < 2; k++) {
		n += parts[k]->unlisted;
		for (size_t i = 0; i < parts[k]->n_items; i++)
			n += parts[k]->item[i].n;
	}
	return n;
}

static void
part_format(const struct rcptlist_part *p, struct strbuf *sb)
{
	size_t i;

	if (p->n_items == 0 && p->unlisted == 0) {
		strbuf_putc(sb, '-');
		return;
	}
	for (i = 0; i < p->n_items; i++) {
		const struct rcptlist_item *it = &p->item[i];

		if (i > 0)
			strbuf_putc(sb, ',');
		strbuf_putn(sb, p->text + it->off, it->len);
		if (it->n > 1)
			strbuf_printf(sb, "*%lu", it->n);
	}
	if (p->unlisted > 0)
		strbuf_printf(sb, "%s+%lu", p->n_items > 0 ? "," : "",
		    p->unlisted);
}

void
rcptlist_format(const struct rcptlist *rl, struct strbuf *sb)
{
	strbuf_puts(sb, " domains=");
	part_format(&rl->domains, sb);
	strbuf_puts(sb, " exempt=");
	part_format(&rl->exempt, sb);
}

/* A count of 1 to 10 digits, no leading zero, at least min. */
static bool
count_of(const char *p, size_t n, unsigned long min, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > RCPTLIST_COUNT_DIGITS || p[0] == '0')
		return false;
	for (i = 0; i < n; i++) {
		if (!text_is_digit((unsigned char)p[i]))
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < min || v > 4294967295UL)
		return false;
	*out = v;
	return true;
}

int
rcptlist_next(const char *v, size_t vn, bool exempt, size_t *pos,
    struct rcptlist_entry *e)
{
	size_t s = *pos, end, at, star, i;

	if (vn == 1 && v[0] == '-')
		return 0;
	if (s > vn || vn == 0)
		return -1;
	if (s == vn)
		return s == 0 ? -1 : 0;
	if (s > 0) {
		/* After an entry: a ',' then another one. */
		if (v[s] != ',')
			return -1;
		s++;
	}
	for (end = s; end < vn && v[end] != ','; end++)
		;
	memset(e, 0, sizeof *e);
	*pos = end;
	if (end > s && v[s] == '+' &&
	    (!exempt || memchr(v + s, '@', end - s) == NULL)) {
		/* "+N", last. */
		e->more = true;
		return count_of(v + s + 1, end - s - 1, 1, &e->n) &&
		    end == vn ? 1 : -1;
	}
	/* The count, after the last '*' of the domain. */
	for (star = end; star > s && v[star - 1] != '*' && v[star - 1] != '@';
	    star--)
		;
	e->n = 1;
	if (star > s && v[star - 1] == '*') {
		if (!count_of(v + star, end - star, 2, &e->n))
			return -1;
		end = star - 1;
	}
	at = s;
	if (exempt) {
		for (at = end; at > s && v[at - 1] != '@'; at--)
			;
		if (at == s || at - 1 == s)
			return -1;
		e->local = v + s;
		e->local_n = at - 1 - s;
		if (e->local_n > RCPTLIST_LOCAL_MAX)
			return -1;
		for (i = 0; i < e->local_n; i++)
			if (!local_char(e->local[i]) ||
			    text_is_upper((unsigned char)e->local[i]))
				return -1;
	}
	e->domain = v + at;
	e->domain_n = end - at;
	if (e->domain_n == 0 || e->domain_n > RCPTLIST_DOMAIN_MAX)
		return -1;
	for (i = 0; i < e->domain_n; i++)
		if (!domain_char(e->domain[i]))
			return -1;
	if (e->domain_n == 1 && e->domain[0] == '-')
		return -1;
	return 1;
}
