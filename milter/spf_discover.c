/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_discover.c - the addresses a domain sends from: its SPF record
 * evaluated for every client at once (RFC 7208 4.6.4 limits, same-
 * organization includes followed, others listed), and its MX hosts.  See
 * spf.h for what is followed and what is only listed.
 *
 * DESCRIPTION
 *	The walk is sequential and in record order, as a receiver's
 *	check_host() is, so the term at which a limit is exceeded is the one
 *	a receiver would stop at.  Only the lookups of one term go out
 *	together (A and AAAA; an MX host set's addresses).
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orgdomain.h"
#include "spf.h"
#include "strbuf.h"
#include "text.h"

/* Include and redirect chain: the lookup limit ends it long before. */
#define WALK_DEPTH_MAX	(SPF_LOOKUP_LIMIT + 2)

struct walk {
	struct spf_report *rep;
	spf_query_fn	*query;
	void		*qarg;
	char		 chain[WALK_DEPTH_MAX][DNAME_TEXT_MAX];
	size_t		 depth;
	bool		 stop;		/* permerror or temperror: done */
	bool		 oom;
};

/* ---- the report's lists ---- */

static bool
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return true;
	ncap = *cap ? 2 * *cap : 16;
	if ((p = realloc(*arr, ncap * size)) == NULL)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static void
note(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct walk *w, const char *fmt, ...)
{
	struct spf_report *r = w->rep;
	va_list ap;

	if (!grow((void **)&r->notes, &r->cap_notes, r->n_notes,
	    sizeof *r->notes)) {
		w->oom = true;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(r->notes[r->n_notes++], SPF_NOTE_MAX, fmt, ap);
	va_end(ap);
}

/* End the evaluation with a permerror or temperror; the first reason
 * stays. */
static void
stop(struct walk *w, enum spf_result res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
stop(struct walk *w, enum spf_result res, const char *fmt, ...)
{
	va_list ap;

	if (w->stop)
		return;
	w->stop = true;
	w->rep->result = res;
	va_start(ap, fmt);
	(void)vsnprintf(w->rep->error, sizeof w->rep->error, fmt, ap);
	va_end(ap);
}

/* "TERM" or "TERM via DOMAIN" (below the audited domain's own record). */
static void
source_of(const struct walk *w, const char *term, char *buf, size_t len)
{
	if (w->depth <= 1)
		(void)snprintf(buf, len, "%s", term);
	else
		(void)snprintf(buf, len, "%s via %s", term,
		    w->chain[w->depth - 1]);
}

/* A new source entry.  @return its index, or UINT32_MAX if out of
 * memory. */
static uint32_t
add_source(struct walk *w, const char *host, const char *text)
{
	struct spf_report *r = w->rep;
	struct spf_source *src;

	if (!grow((void **)&r->sources, &r->cap_sources, r->n_sources,
	    sizeof *r->sources)) {
		w->oom = true;
		return UINT32_MAX;
	}
	src = &r->sources[r->n_sources];
	memset(src, 0, sizeof *src);
	(void)dname_lower(host, src->host);
	(void)snprintf(src->text, sizeof src->text, "%s", text);
	return (uint32_t)r->n_sources++;
}

static void
add_addr(struct walk *w, const struct rdns_ip *ip, uint32_t source)
{
	struct spf_report *r = w->rep;
	struct spf_addr *a;

	if (!grow((void **)&r->addrs, &r->cap_addrs, r->n_addrs,
	    sizeof *r->addrs)) {
		w->oom = true;
		return;
	}
	a = &r->addrs[r->n_addrs];
	memset(a, 0, sizeof *a);
	a->ip = *ip;
	a->order = (uint32_t)r->n_addrs++;
	a->source = source;
}

static void
add_range(struct walk *w, const struct cidr *net, const char *source)
{
	struct spf_report *r = w->rep;
	struct spf_range *g;

	if (!grow((void **)&r->ranges, &r->cap_ranges, r->n_ranges,
	    sizeof *r->ranges)) {
		w->oom = true;
		return;
	}
	g = &r->ranges[r->n_ranges++];
	g->net = *net;
	(void)snprintf(g->source, sizeof g->source, "%s", source);
}

/* A block: enumerated up to /24 or /120 while under SPF_ADDR_MAX, else
 * listed. */
static void
add_net(struct walk *w, const struct cidr *net, const char *host,
    const char *source)
{
	struct spf_report *r = w->rep;
	int enum_prefix = net->family == AF_INET ? SPF_ENUM_PREFIX4 :
	    SPF_ENUM_PREFIX6;
	uint64_t i, n = cidr_count(net);
	struct rdns_ip ip;
	uint32_t src;

	if (net->prefix < enum_prefix) {
		add_range(w, net, source);
		return;
	}
	if (r->n_addrs + n > SPF_ADDR_MAX) {
		r->addrs_capped = true;
		add_range(w, net, source);
		return;
	}
	if ((src = add_source(w, host, source)) == UINT32_MAX)
		return;
	for (i = 0; i < n && !w->oom; i++)
		if (cidr_nth(net, i, &ip) == 0)
			add_addr(w, &ip, src);
}

/* ---- lookups ---- */

static bool
is_void(const struct dns_answer *a)
{
	return a->result == DNS_NXDOMAIN || a->result == DNS_NODATA;
}

static bool
is_temp(const struct dns_answer *a)
{
	return a->result == DNS_SERVFAIL || a->result == DNS_TIMEOUT ||
	    a->result == DNS_BOGUS;
}

static int
query(struct walk *w, const char *const *names, const int *types, size_t n,
    struct dns_answer **out)
{
	size_t i;

	if (w->query(w->qarg, names, types, n, out) == -1) {
		w->oom = true;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (out[i] == NULL) {
			/* A broken query function: treat as a failure. */
			out[i] = dns_answer_new(DNS_SERVFAIL, DNSSEC_INSECURE);
			if (out[i] == NULL) {
				w->oom = true;
				return -1;
			}
		}
	return 0;
}

static void
free_answers(struct dns_answer **a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dns_answer_free(a[i]);
}

/* Add the addresses of an A or AAAA answer, as blocks of cidr bits. */
static size_t
add_answer_addrs(struct walk *w, const struct dns_answer *a, int cidr,
    const char *host, const char *source)
{
	size_t i, n = 0;

	if (a->result != DNS_OK)
		return 0;
	for (i = 0; i < a->count; i++) {
		struct rdns_ip ip;
		struct cidr net;

		memset(&ip, 0, sizeof ip);
		if (a->rr[i].len == 4) {
			ip.family = AF_INET;
			memcpy(&ip.u.v4, a->rr[i].data, 4);
		} else if (a->rr[i].len == 16) {
			ip.family = AF_INET6;
			memcpy(ip.u.v6.s6_addr, a->rr[i].data, 16);
		} else
			continue;
		cidr_of_ip(&ip, cidr, &net);
		add_net(w, &net, host, source);
		n++;
	}
	return n;
}

/* The host of an MX rdata (preference, then the wire name).
 * @return 0, or -1 if malformed or not a host name. */
static int
mx_host(const struct dns_rr *rr, unsigned *pref, struct dname_wire_text *t)
{
	if (rr->len < 3)
		return -1;
	*pref = (unsigned)rr->data[0] << 8 | rr->data[1];
	return dname_from_wire(rr->data + 2, rr->len - 2, t);
}

/* ---- the evaluation ---- */

static void walk_domain(struct walk *w, const char *domain);

/* Count a DNS-querying term (RFC 7208 4.6.4).  @return false if over the
 * limit (the walk stops). */
static bool
count_lookup(struct walk *w, const struct spf_term *t, const char *domain)
{
	if (++w->rep->lookups <= SPF_LOOKUP_LIMIT)
		return true;
	w->rep->lookups = SPF_LOOKUP_LIMIT;
	stop(w, SPF_RES_PERMERROR, "more than %d DNS lookups (RFC 7208 "
	    "4.6.4) at \"%s\" in %s", SPF_LOOKUP_LIMIT, t->text, domain);
	return false;
}

/* Count the void lookups of a term for IPv4 and IPv6 clients.
 * @return false if over the limit. */
static bool
count_void(struct walk *w, const struct spf_term *t, const char *domain,
    bool v4, bool v6)
{
	struct spf_report *r = w->rep;

	if (v4)
		r->void4++;
	if (v6)
		r->void6++;
	if (r->void4 <= SPF_VOID_LIMIT && r->void6 <= SPF_VOID_LIMIT)
		return true;
	stop(w, SPF_RES_PERMERROR, "more than %d void lookups (RFC 7208 "
	    "4.6.4) for %s senders at \"%s\" in %s", SPF_VOID_LIMIT,
	    r->void4 > SPF_VOID_LIMIT && r->void6 > SPF_VOID_LIMIT ?
	    "IPv4 and IPv6" : r->void4 > SPF_VOID_LIMIT ? "IPv4" : "IPv6",
	    t->text, domain);
	return false;
}

/* The target of a term: its domain-spec expanded, or domain.
 * @return 1, 0 (depends on the sender: noted), -1 (stopped). */
static int
target_of(struct walk *w, const struct spf_term *t, const char *domain,
    char out[DNAME_TEXT_MAX])
{
	int rc;

	if (t->domain[0] == '\0') {
		(void)snprintf(out, DNAME_TEXT_MAX, "%s", domain);
		return 1;
	}
	rc = spf_expand(t->domain, domain, w->rep->domain, out,
	    DNAME_TEXT_MAX);
	if (rc == 1)
		str_lower(out);
	else if (rc == 0)
		note(w, "\"%s\" in %s depends on the sending host (a macro): "
		    "not followed", t->text, domain);
	else
		stop(w, SPF_RES_PERMERROR, "\"%s\" in %s does not expand to "
		    "a domain name (RFC 7208 7)", t->text, domain);
	return rc;
}

/* a and mx: the addresses of names[0..n) (A and AAAA each). */
static void
resolve_hosts(struct walk *w, const struct spf_term *t, const char *domain,
    char (*hosts)[DNAME_TEXT_MAX], size_t n, bool count_voids)
{
	const char *names[2 * SPF_MX_LIMIT];
	int types[2 * SPF_MX_LIMIT];
	struct dns_answer *ans[2 * SPF_MX_LIMIT];
	char source[SPF_SOURCE_MAX];
	size_t i, found4 = 0, found6 = 0;
	bool temp = false;

	for (i = 0; i < n; i++) {
		names[2 * i] = names[2 * i + 1] = hosts[i];
		types[2 * i] = DNS_TYPE_A;
		types[2 * i + 1] = DNS_TYPE_AAAA;
	}
	if (query(w, names, types, 2 * n, ans) == -1)
		return;
	source_of(w, t->text, source, sizeof source);
	for (i = 0; i < n; i++) {
		found4 += add_answer_addrs(w, ans[2 * i], t->cidr4, hosts[i],
		    source);
		found6 += add_answer_addrs(w, ans[2 * i + 1], t->cidr6,
		    hosts[i], source);
		if (is_temp(ans[2 * i]) || is_temp(ans[2 * i + 1]))
			temp = true;
	}
	free_answers(ans, 2 * n);
	if (temp) {
		stop(w, SPF_RES_TEMPERROR, "a lookup for \"%s\" in %s failed "
		    "temporarily", t->text, domain);
		return;
	}
	if (found4 + found6 == 0)
		note(w, "\"%s\" in %s: no address", t->text, domain);
	if (count_voids && (found4 == 0 || found6 == 0))
		(void)count_void(w, t, domain, found4 == 0, found6 == 0);
}

static void
eval_a(struct walk *w, const struct spf_term *t, const char *domain)
{
	char host[1][DNAME_TEXT_MAX];

	if (target_of(w, t, domain, host[0]) != 1)
		return;
	resolve_hosts(w, t, domain, host, 1, true);
}

static void
eval_mx(struct walk *w, const struct spf_term *t, const char *domain)
{
	char target[DNAME_TEXT_MAX];
	char hosts[SPF_MX_LIMIT][DNAME_TEXT_MAX];
	const char *name;
	int type = DNS_TYPE_MX;
	struct dns_answer *ans;
	size_t i, n = 0;

	if (target_of(w, t, domain, target) != 1)
		return;
	name = target;
	if (query(w, &name, &type, 1, &ans) == -1)
		return;
	if (is_temp(ans)) {
		stop(w, SPF_RES_TEMPERROR, "the MX lookup for \"%s\" in %s "
		    "failed: %s", t->text, domain, dns_result_str(ans->result));
		dns_answer_free(ans);
		return;
	}
	if (is_void(ans)) {
		dns_answer_free(ans);
		note(w, "\"%s\" in %s: %s has no MX record", t->text, domain,
		    target);
		(void)count_void(w, t, domain, true, true);
		return;
	}
	if (ans->count > SPF_MX_LIMIT) {
		stop(w, SPF_RES_PERMERROR, "\"%s\" in %s: %s has %zu MX hosts, "
		    "more than %d (RFC 7208 4.6.4)", t->text, domain, target,
		    ans->count, SPF_MX_LIMIT);
		dns_answer_free(ans);
		return;
	}
	for (i = 0; i < ans->count; i++) {
		struct dname_wire_text h;
		unsigned pref;

		if (mx_host(&ans->rr[i], &pref, &h) == -1 || !h.hostname)
			continue;
		(void)dname_lower(h.safe, hosts[n++]);
	}
	dns_answer_free(ans);
	if (n > 0)
		resolve_hosts(w, t, domain, hosts, n, false);
}

/* include and redirect. */
static void
eval_delegation(struct walk *w, const struct spf_term *t, const char *domain)
{
	struct spf_report *r = w->rep;
	struct spf_delegation *d;
	char target[DNAME_TEXT_MAX], org[DNAME_TEXT_MAX];

	if (target_of(w, t, domain, target) != 1)
		return;
	if (orgdomain_of(target, org, sizeof org) == 0 &&
	    strcmp(org, r->org) == 0) {
		walk_domain(w, target);
		return;
	}
	if (!grow((void **)&r->delegations, &r->cap_delegations,
	    r->n_delegations, sizeof *r->delegations)) {
		w->oom = true;
		return;
	}
	d = &r->delegations[r->n_delegations++];
	memset(d, 0, sizeof *d);
	(void)snprintf(d->org, sizeof d->org, "%s", org[0] != '\0' ? org :
	    target);
	(void)snprintf(d->term, sizeof d->term, "%s", t->text);
	(void)snprintf(d->in, sizeof d->in, "%s", domain);
}

static void
eval_term(struct walk *w, const struct spf_term *t, const char *domain)
{
	char source[SPF_SOURCE_MAX];

	switch (t->kind) {
	case SPF_IP4:
	case SPF_IP6:
		source_of(w, t->text, source, sizeof source);
		add_net(w, &t->net, "", source);
		return;
	case SPF_A:
		if (count_lookup(w, t, domain))
			eval_a(w, t, domain);
		return;
	case SPF_MX:
		if (count_lookup(w, t, domain))
			eval_mx(w, t, domain);
		return;
	case SPF_INCLUDE:
	case SPF_REDIRECT:
		if (count_lookup(w, t, domain))
			eval_delegation(w, t, domain);
		return;
	case SPF_PTR:
		if (count_lookup(w, t, domain))
			note(w, "\"%s\" in %s matches by the sender's own PTR "
			    "and cannot be listed; RFC 7208 5.5 says not to "
			    "use it", t->text, domain);
		return;
	case SPF_EXISTS:
		if (count_lookup(w, t, domain))
			note(w, "\"%s\" in %s depends on the sending host: not "
			    "listed", t->text, domain);
		return;
	default:
		return;
	}
}

static void
walk_domain(struct walk *w, const char *domain)
{
	struct spf_report *r = w->rep;
	struct spf_record rec;
	struct dns_answer *ans;
	const char *name = domain;
	int type = DNS_TYPE_TXT, sel;
	char *txt = NULL, err[SPF_NOTE_MAX];
	size_t i;

	for (i = 0; i < w->depth; i++)
		if (dname_equal(w->chain[i], domain)) {
			struct strbuf sb;

			strbuf_init(&sb, err, sizeof err);
			for (i = 0; i < w->depth; i++)
				strbuf_printf(&sb, "%s -> ", w->chain[i]);
			strbuf_puts(&sb, domain);
			stop(w, SPF_RES_PERMERROR,
			    "include or redirect loop: %s", err);
			return;
		}
	if (w->depth == WALK_DEPTH_MAX) {
		stop(w, SPF_RES_PERMERROR, "includes nested too deep at %s",
		    domain);
		return;
	}
	(void)snprintf(w->chain[w->depth++], DNAME_TEXT_MAX, "%s", domain);

	if (query(w, &name, &type, 1, &ans) == -1)
		goto out;
	if (is_temp(ans)) {
		stop(w, SPF_RES_TEMPERROR, "the TXT lookup of %s failed: %s",
		    domain, dns_result_str(ans->result));
		dns_answer_free(ans);
		goto out;
	}
	sel = ans->result == DNS_OK ? spf_select(ans, &txt, err, sizeof err) :
	    0;
	dns_answer_free(ans);
	if (sel == -1) {
		stop(w, SPF_RES_PERMERROR, "%s: %s", domain, err);
		goto out;
	}
	if (sel == 0) {
		if (w->depth > 1)
			/* RFC 7208 5.2 and 6.1: permerror. */
			stop(w, SPF_RES_PERMERROR, "%s, included or "
			    "redirected to, has no SPF record", domain);
		goto out;
	}
	if (w->depth == 1) {
		r->result = SPF_RES_OK;
		if ((r->record = strdup(txt)) != NULL)
			text_sanitize(TEXT_PRINT, r->record, strlen(txt) + 1,
			    txt, strlen(txt));
	}
	if (spf_parse(txt, &rec, err, sizeof err) == -1) {
		stop(w, SPF_RES_PERMERROR, "syntax error in the SPF record of "
		    "%s: %s", domain, err);
		goto out;
	}
	for (i = 0; i < rec.n && !w->stop && !w->oom; i++) {
		const struct spf_term *t = &rec.terms[i];

		if (t->kind == SPF_ALL) {
			size_t j;

			for (j = i + 1; j < rec.n; j++)
				if (rec.terms[j].kind != SPF_REDIRECT &&
				    rec.terms[j].kind != SPF_EXP &&
				    rec.terms[j].kind != SPF_UNKNOWN_MOD)
					break;
			if (j < rec.n)
				note(w, "terms after \"%s\" in %s are never "
				    "evaluated (RFC 7208 5.1)", t->text,
				    domain);
			break;
		}
		if (t->kind != SPF_REDIRECT)
			eval_term(w, t, domain);
	}
	if (rec.redirect >= 0 && !w->stop && !w->oom) {
		if (rec.has_all)
			note(w, "\"%s\" in %s is ignored: the record has "
			    "\"all\" (RFC 7208 6.1)",
			    rec.terms[rec.redirect].text, domain);
		else
			eval_term(w, &rec.terms[rec.redirect], domain);
	}
	spf_record_clear(&rec);
out:
	free(txt);
	w->depth--;
}

/* ---- the domain's MX hosts ---- */

static void
discover_mx(struct walk *w)
{
	struct spf_report *r = w->rep;
	const char *name = r->domain, *names[2 * SPF_DOMAIN_MX_MAX];
	int type = DNS_TYPE_MX, types[2 * SPF_DOMAIN_MX_MAX];
	struct dns_answer *ans, *aa[2 * SPF_DOMAIN_MX_MAX];
	char source[SPF_SOURCE_MAX];
	struct strbuf sb;
	size_t i, n = 0;

	if (query(w, &name, &type, 1, &ans) == -1)
		return;
	if (is_temp(ans)) {
		r->mx_result = SPF_MX_TEMPERROR;
		(void)snprintf(r->mx_error, sizeof r->mx_error, "the MX lookup "
		    "of %s failed: %s", r->domain,
		    dns_result_str(ans->result));
		dns_answer_free(ans);
		return;
	}
	if (ans->result != DNS_OK) {
		r->mx_result = SPF_MX_NONE;
		dns_answer_free(ans);
		return;
	}
	r->mx_result = SPF_MX_OK;
	if ((r->mx = calloc(ans->count < SPF_DOMAIN_MX_MAX ? ans->count :
	    SPF_DOMAIN_MX_MAX, sizeof *r->mx)) == NULL) {
		dns_answer_free(ans);
		w->oom = true;
		return;
	}
	for (i = 0; i < ans->count && n < SPF_DOMAIN_MX_MAX; i++) {
		struct dname_wire_text h;
		unsigned pref;

		if (mx_host(&ans->rr[i], &pref, &h) == -1)
			continue;
		/* RFC 7505: "0 ." alone says the domain takes no mail. */
		if (strcmp(h.pres, ".") == 0 || h.pres[0] == '\0') {
			if (ans->count == 1)
				r->mx_result = SPF_MX_NULL;
			continue;
		}
		if (!h.hostname) {
			note(w, "MX %s of %s is not a host name", h.safe,
			    r->domain);
			continue;
		}
		/* A valid host name fits (253 characters at most). */
		(void)dname_lower(h.safe, r->mx[n].host);
		r->mx[n++].pref = pref;
	}
	if (ans->count > SPF_DOMAIN_MX_MAX)
		note(w, "%s has %zu MX hosts: only the first %d are checked",
		    r->domain, ans->count, SPF_DOMAIN_MX_MAX);
	dns_answer_free(ans);
	r->n_mx = n;
	for (i = 0; i < n; i++) {
		names[2 * i] = names[2 * i + 1] = r->mx[i].host;
		types[2 * i] = DNS_TYPE_A;
		types[2 * i + 1] = DNS_TYPE_AAAA;
	}
	if (n == 0 || query(w, names, types, 2 * n, aa) == -1)
		return;
	for (i = 0; i < n; i++) {
		struct spf_mx_host *m = &r->mx[i];

		strbuf_init(&sb, source, sizeof source);
		(void)strbuf_printf(&sb, "MX %s", m->host);
		m->a_result = aa[2 * i]->result;
		m->aaaa_result = aa[2 * i + 1]->result;
		m->n_addrs = add_answer_addrs(w, aa[2 * i], 32, m->host,
		    source) + add_answer_addrs(w, aa[2 * i + 1], 128,
		    m->host, source);
		if (is_temp(aa[2 * i]) || is_temp(aa[2 * i + 1]))
			note(w, "MX %s: an address lookup failed (%s/%s)",
			    m->host, dns_result_str(m->a_result),
			    dns_result_str(m->aaaa_result));
		else if (m->n_addrs == 0)
			note(w, "MX %s has no address", m->host);
	}
	free_answers(aa, 2 * n);
}

/* ---- sorting ---- */

static int
addr_cmp_ip(const struct spf_addr *a, const struct spf_addr *b)
{
	if (a->ip.family != b->ip.family)
		return a->ip.family == AF_INET ? -1 : 1;
	if (a->ip.family == AF_INET)
		return memcmp(&a->ip.u.v4, &b->ip.u.v4, 4);
	return memcmp(&a->ip.u.v6, &b->ip.u.v6, 16);
}

/* By address, then in discovery order (qsort is not stable). */
static int
addr_cmp(const void *x, const void *y)
{
	const struct spf_addr *a = x, *b = y;
	int c = addr_cmp_ip(a, b);

	if (c != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * The source of an address found twice: kept's sources and those of
 * dup, joined (while they fit), the first host name kept.  The last join
 * is remembered: overlapping blocks join the same two sources for each
 * of their addresses.
 */
static uint32_t
join_sources(struct walk *w, uint32_t kept, uint32_t dup, uint32_t last[3])
{
	struct spf_report *r = w->rep;
	const struct spf_source *k, *d;
	char text[SPF_SOURCE_MAX];
	size_t kl, dl;
	uint32_t n;

	if (kept == dup)
		return kept;
	if (last[0] == kept && last[1] == dup)
		return last[2];
	k = &r->sources[kept];
	d = &r->sources[dup];
	if (strstr(k->text, d->text) != NULL && (k->host[0] != '\0' ||
	    d->host[0] == '\0'))
		return kept;
	kl = strlen(k->text);
	dl = strlen(d->text);
	memcpy(text, k->text, kl + 1);
	/* Joined while it fits; the first source stays. */
	if (strstr(k->text, d->text) == NULL && kl + 2 + dl < sizeof text) {
		memcpy(text + kl, ", ", 2);
		memcpy(text + kl + 2, d->text, dl + 1);
	}
	n = add_source(w, k->host[0] != '\0' ? k->host : d->host, text);
	if (n == UINT32_MAX)
		return kept;
	last[0] = kept;
	last[1] = dup;
	last[2] = n;
	return n;
}

/* Sort and merge duplicates. */
static void
sort_addrs(struct walk *w)
{
	struct spf_report *r = w->rep;
	uint32_t last[3] = { UINT32_MAX, UINT32_MAX, UINT32_MAX };
	size_t i, o = 0;

	if (r->n_addrs == 0)
		return;
	qsort(r->addrs, r->n_addrs, sizeof *r->addrs, addr_cmp);
	for (i = 1; i < r->n_addrs; i++) {
		struct spf_addr *k = &r->addrs[o], *a = &r->addrs[i];

		if (addr_cmp_ip(k, a) != 0) {
			r->addrs[++o] = *a;
			continue;
		}
		k->source = join_sources(w, k->source, a->source, last);
	}
	r->n_addrs = o + 1;
}

const struct spf_source *
spf_addr_source(const struct spf_report *rep, size_t i)
{
	return &rep->sources[rep->addrs[i].source];
}

int
spf_discover(const char *domain, spf_query_fn *query_fn, void *qarg,
    struct spf_report *rep)
{
	struct walk *w;

	memset(rep, 0, sizeof *rep);
	if ((w = calloc(1, sizeof *w)) == NULL)
		return -1;
	w->rep = rep;
	w->query = query_fn;
	w->qarg = qarg;
	(void)dname_lower(domain, rep->domain);
	if (orgdomain_of(rep->domain, rep->org, sizeof rep->org) == -1)
		(void)snprintf(rep->org, sizeof rep->org, "%s", rep->domain);
	walk_domain(w, rep->domain);
	if (!w->oom)
		discover_mx(w);
	if (!w->oom)
		sort_addrs(w);
	if (rep->addrs_capped)
		note(w, "more than %d addresses: the blocks past that are "
		    "listed as ranges", SPF_ADDR_MAX);
	if (w->oom) {
		free(w);
		spf_report_clear(rep);
		return -1;
	}
	free(w);
	return 0;
}

void
spf_report_clear(struct spf_report *rep)
{
	free(rep->record);
	free(rep->mx);
	free(rep->addrs);
	free(rep->sources);
	free(rep->ranges);
	free(rep->delegations);
	free(rep->notes);
	memset(rep, 0, sizeof *rep);
}
