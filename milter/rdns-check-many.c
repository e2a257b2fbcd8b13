/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdns-check-many.c - rdns-check for many addresses (SPEC 5): a CIDR
 * range, a list of "IP [HELO]" lines, or the addresses a domain sends
 * from (spf.h).
 *
 * DESCRIPTION
 *	The addresses are checked by an audit (audit.h): -P sessions at
 *	once, verdicts printed in the order of the range, the list or the
 *	sorted domain addresses, one line (or one JSON object) each, then a
 *	summary.  Nothing here keeps per-address state past its line but
 *	the tallies (and the first IPv6 addresses without a PTR), so memory
 *	does not grow with the range.  On a terminal, stderr shows a
 *	progress line once the run has taken a second.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "checks.h"
#include "cidr.h"
#include "conf.h"
#include "dname.h"
#include "log.h"
#include "rdns-check.h"
#include "resolver.h"
#include "spf.h"
#include "strbuf.h"
#include "text.h"

/* IPv6 addresses without a PTR named in the summary at most: in JSON,
 * and in the text. */
#define V6_LIST_MAX	100
#define V6_SHOWN	10
/* A line of an -f file at most (longer ones are an error). */
#define LIST_LINE_MAX	4096
/* Progress: first shown after this long, then redrawn this often. */
#define PROGRESS_AFTER	1.0
#define PROGRESS_EVERY	0.25

/* What an address needs fixed first: the first check it fails, in the
 * order the policy tries them (the check table's category words), then
 * temporary trouble. */
enum cat {
	CAT_PASS,
	CAT_NO_PTR,
	CAT_NOT_CONFIRMED,
	CAT_GENERIC,
	CAT_HELO,
	CAT_DNS_ERROR,
	CAT_N,
};

/* The check behind each failure category. */
static const enum check_id cat_check[CAT_N] = {
	[CAT_NO_PTR] = CHECK_ID_PTR,
	[CAT_NOT_CONFIRMED] = CHECK_ID_IPREV,
	[CAT_GENERIC] = CHECK_ID_GENERIC,
	[CAT_HELO] = CHECK_ID_HELO,
};

static const char *
cat_label(enum cat c)
{
	if (c == CAT_PASS)
		return check_res_str(CHECK_PASS);
	if (c == CAT_DNS_ERROR)
		return "dns-error";
	return check_info[cat_check[c]].category;
}

enum source {
	SRC_RANGE,
	SRC_FILE,
	SRC_DOMAIN,
};

struct many {
	const struct args *a;
	enum source	 src;

	/* range and domain: next index and how many */
	uint64_t	 next, total;
	/* file */
	FILE		*fp;
	const char	*fname;
	unsigned long	 lineno, bad_lines;
	char		*line;
	size_t		 linecap;
	/* domain */
	struct spf_report rep;

	/* output */
	int		 ipw;		/* address column width */
	int		 fromw;		/* domain mode: source column width */
	uint64_t	 n, cat[CAT_N], v6_no_ptr, not_aligned;
	char		 v6_list[V6_LIST_MAX][DNAME_IPSTR_MAX];
	size_t		 n_v6_list;
	int		 status;	/* the exit status so far */

	/* progress */
	bool		 progress, shown;
	bool		 same_tty;	/* stdout is a terminal too: erase
					   the line before printing */
	struct timespec	 t0, last;
};

/* The worse of two exit statuses: a failure beats DNS trouble. */
static int
worse(int a, int b)
{
	if (a == EX_FAILED || b == EX_FAILED)
		return EX_FAILED;
	if (a == EX_TEMP || b == EX_TEMP)
		return EX_TEMP;
	return EX_OK_;
}

static enum cat
categorize(const struct check_result *r)
{
	int id, c;

	for (id = CHECK_ID_NONE + 1; id < CHECK_ID_N; id++) {
		if (check_info[id].category == NULL ||
		    check_class_of((enum check_id)id, check_info[id].get(r)) !=
		    CHECK_CLASS_FAIL)
			continue;
		for (c = 0; c < CAT_N; c++)
			if (cat_check[c] == (enum check_id)id &&
			    c != CAT_PASS && c != CAT_DNS_ERROR)
				return (enum cat)c;
	}
	if (rdns_check_exit_status(r) == EX_TEMP)
		return CAT_DNS_ERROR;
	return CAT_PASS;
}

static double
elapsed(const struct timespec *from)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - from->tv_sec) +
	    (double)(now.tv_nsec - from->tv_nsec) / 1e9;
}

/* ---- progress (stderr, a terminal only) ---- */

static void
progress_clear(struct many *m)
{
	if (m->shown) {
		fputs("\r\033[K", stderr);
		m->shown = false;
	}
}

/* Draw the progress line, at most every PROGRESS_EVERY seconds (or at
 * once when an output line on the same terminal has just erased it). */
static void
progress_draw(struct many *m)
{
	double t = elapsed(&m->t0), rate;

	if (!m->progress || t < PROGRESS_AFTER ||
	    (m->shown && elapsed(&m->last) < PROGRESS_EVERY))
		return;
	clock_gettime(CLOCK_MONOTONIC, &m->last);
	rate = t > 0 ? (double)m->n / t : 0;
	fputs("\r\033[K", stderr);
	if (m->total > 0) {
		double eta = rate > 0 ? (double)(m->total - m->n) / rate : 0;

		fprintf(stderr, "rdns-check: %llu/%llu checked, %.0f/s, "
		    "ETA %d:%02d", (unsigned long long)m->n,
		    (unsigned long long)m->total, rate, (int)(eta / 60),
		    (int)eta % 60);
	} else
		fprintf(stderr, "rdns-check: %llu checked, %.0f/s",
		    (unsigned long long)m->n, rate);
	m->shown = true;
}

/* ---- sources ---- */

/* One "IP [HELO]" line of an -f file; "#" starts a comment.
 * @return 1 item, 0 a line without one (blank, comment, or an error
 *	that was reported). */
static int
list_line(struct many *m, char *line, struct audit_item *it)
{
	char *f[3], *p = line, esc[128];
	size_t n = 0;

	while (n < 3) {
		while (text_is_blank((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		f[n++] = p;
		while (*p != '\0' && !text_is_blank((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n == 0)
		return 0;
	progress_clear(m);
	if (n > 2) {
		fprintf(stderr, "%s:%lu: expected \"IP [HELO]\"\n", m->fname,
		    m->lineno);
		m->bad_lines++;
		return 0;
	}
	if (dname_parse_ip(f[0], &it->ip) == -1) {
		fprintf(stderr, "%s:%lu: not an IP address: %s\n", m->fname,
		    m->lineno, text_sanitize(TEXT_PRINT, esc, sizeof esc, f[0],
		    strlen(f[0])));
		m->bad_lines++;
		return 0;
	}
	if (n == 2) {
		it->have_helo = true;
		(void)snprintf(it->helo, sizeof it->helo, "%s", f[1]);
	}
	it->line = m->lineno;
	return 1;
}

static int
next_item(void *arg, struct audit_item *it)
{
	struct many *m = arg;

	switch (m->src) {
	case SRC_RANGE:
		if (m->next >= m->total)
			return 0;
		return cidr_nth(&m->a->net, m->next++, &it->ip) == 0 ? 1 : 0;
	case SRC_DOMAIN:
		if (m->next >= m->total)
			return 0;
		it->ip = m->rep.addrs[m->next].ip;
		it->ctx = spf_addr_source(&m->rep, m->next++);
		return 1;
	case SRC_FILE:
		break;
	}
	for (;;) {
		ssize_t len;

		errno = 0;
		if ((len = getline(&m->line, &m->linecap, m->fp)) == -1) {
			if (ferror(m->fp)) {
				progress_clear(m);
				fprintf(stderr, "%s: read error: %s\n",
				    m->fname, strerror(errno));
				return -1;
			}
			return 0;
		}
		m->lineno++;
		while (len > 0 && (m->line[len - 1] == '\n' ||
		    m->line[len - 1] == '\r'))
			m->line[--len] = '\0';
		if ((size_t)len > LIST_LINE_MAX ||
		    strlen(m->line) != (size_t)len) {
			progress_clear(m);
			fprintf(stderr, "%s:%lu: line too long or with a NUL "
			    "byte\n", m->fname, m->lineno);
			m->bad_lines++;
			continue;
		}
		if (list_line(m, m->line, it) == 1)
			return 1;
	}
}

/* ---- one line per address ---- */

/* The name to show: the verified one, else the first PTR name (in
 * presentation format when it is not a host name: "a\\.b.example"). */
static const char *
shown_name(const struct check_result *r)
{
	const char *v = check_result_verified_name(r);

	if (v != NULL)
		return v;
	if (r->n_names == 0)
		return "-";
	return r->names[0].name.hostname ? r->names[0].name.safe :
	    r->names[0].name.pres;
}

/* What to do about r, for the last column. */
static void
advice(const struct many *m, const struct audit_item *it,
    const struct check_result *r, enum cat c, char *buf, size_t len)
{
	const struct spf_source *sa = it->ctx;
	const char *v = check_result_verified_name(r);
	const char *first = check_result_first_name(r);
	char block[DNAME_IPSTR_MAX + 4], want[2 * DNAME_TEXT_MAX + 32];
	char example[DNAME_TEXT_MAX + 8];
	struct cidr net;

	/* Who sets the PTR: the owner of the block (a /24 or /64 is the
	 * usual unit of reverse delegation).  The name to ask for: the one
	 * that already resolves to the address (a, mx, MX), else one of the
	 * domain's. */
	cidr_of_ip(&r->ip, r->ip.family == AF_INET ? 24 : 64, &net);
	cidr_str(&net, block, sizeof block);
	if (sa != NULL && sa->host[0] != '\0') {
		(void)snprintf(want, sizeof want, "%s", sa->host);
		(void)snprintf(example, sizeof example, "%s", sa->host);
	} else if (m->src == SRC_DOMAIN) {
		(void)snprintf(want, sizeof want, "a name in %s such as "
		    "mail.%s", m->rep.org, m->rep.org);
		(void)snprintf(example, sizeof example, "mail.%s", m->rep.org);
	} else {
		(void)snprintf(want, sizeof want, "your mail server's name");
		(void)snprintf(example, sizeof example, "mail.example.com");
	}
	buf[0] = '\0';
	switch (c) {
	case CAT_NO_PTR:
		(void)snprintf(buf, len, "fix: ask the owner of %s (your "
		    "hosting provider or ISP) to set the PTR of %s to %s",
		    block, r->ipstr, want);
		break;
	case CAT_NOT_CONFIRMED:
		if (first != NULL && r->n_names > 0 &&
		    r->names[0].name.hostname)
			(void)snprintf(buf, len, "fix: add the %s record %s -> "
			    "%s (or point the PTR to a name that has it)",
			    r->ip.family == AF_INET6 ? "AAAA" : "A", first,
			    r->ipstr);
		else
			(void)snprintf(buf, len, "fix: the PTR name is not a "
			    "valid host name: ask the owner of %s to set it "
			    "to %s", block, want);
		break;
	case CAT_GENERIC:
		(void)snprintf(buf, len, "fix: %s looks generic: ask the owner "
		    "of %s for a PTR such as %s (with the A%s record back)",
		    v != NULL ? v : "the name", block, example,
		    r->ip.family == AF_INET6 ? "AAAA" : "");
		break;
	case CAT_HELO:
		if (v != NULL)
			(void)snprintf(buf, len, "fix: HELO with %s", v);
		else
			(void)snprintf(buf, len, "fix: the HELO name matches "
			    "no PTR-confirmed name");
		break;
	case CAT_DNS_ERROR:
		(void)snprintf(buf, len, "%s: try again later or with a "
		    "larger -t", r->reason[0] != '\0' ? r->reason :
		    "DNS error");
		break;
	case CAT_PASS:
		if (m->src == SRC_DOMAIN && v != NULL)
			(void)snprintf(buf, len, "HELO %s%s%s", v,
			    strcmp(r->org_domain, m->rep.org) == 0 ? "" :
			    ": the name is not in ", strcmp(r->org_domain,
			    m->rep.org) == 0 ? "" : m->rep.org);
		break;
	case CAT_N:
		break;
	}
}

static void
print_header(const struct many *m)
{
	if (m->src == SRC_DOMAIN)
		printf("%-*s %-13s %-30s %-8s %-7s %-*s %s\n", m->ipw,
		    "ADDRESS", "RESULT", "NAME", "DNSSEC", "ALIGNED", m->fromw,
		    "FROM", "WHAT TO DO");
	else
		printf("%-*s %-13s %-30s %-8s %s\n", m->ipw, "ADDRESS",
		    "RESULT", "NAME", "DNSSEC", "WHAT TO DO");
}

static void
print_line(const struct many *m, const struct audit_item *it,
    const struct check_result *r, enum cat c)
{
	const struct spf_source *sa = it->ctx;
	enum dnssec_status sec = r->ptr != CHECK_PASS ? r->ptr_dnssec :
	    r->iprev_dnssec;
	char what[CHECK_VALUE_MAX + 2 * DNAME_TEXT_MAX + 200];
	char line[sizeof what + DNAME_PRES_MAX + SPF_SOURCE_MAX + 200];
	const char *aligned;
	size_t n;

	advice(m, it, r, c, what, sizeof what);
	if (m->src != SRC_DOMAIN)
		(void)snprintf(line, sizeof line, "%-*s %-13s %-30s %-8s %s",
		    m->ipw, r->ipstr, cat_label(c), shown_name(r),
		    dnssec_status_str(sec), what);
	else {
		if (check_result_verified_name(r) == NULL)
			aligned = "-";
		else
			aligned = strcmp(r->org_domain, m->rep.org) == 0 ?
			    "yes" : "no";
		(void)snprintf(line, sizeof line,
		    "%-*s %-13s %-30s %-8s %-7s %-*s %s", m->ipw, r->ipstr,
		    cat_label(c), shown_name(r), dnssec_status_str(sec),
		    aligned, m->fromw, sa != NULL ? sa->text : "-", what);
	}
	/* No trailing blanks when there is nothing to do. */
	n = strlen(line);
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	puts(line);
}

/* The domain members of an address's JSON object. */
static void
domain_json(const struct many *m, const struct audit_item *it,
    const struct check_result *r, char *buf, size_t len)
{
	const struct spf_source *sa = it->ctx;
	const char *v = check_result_verified_name(r);
	struct strbuf sb;

	strbuf_init(&sb, buf, len);
	strbuf_puts(&sb, ", \"domain\": {\"name\": ");
	strbuf_put_json(&sb, m->rep.domain);
	strbuf_puts(&sb, ", \"org_domain\": ");
	strbuf_put_json(&sb, m->rep.org);
	strbuf_printf(&sb, ", \"aligned\": %s, \"helo\": ",
	    v != NULL && strcmp(r->org_domain, m->rep.org) == 0 ? "true" :
	    "false");
	if (v != NULL)
		strbuf_put_json(&sb, v);
	else
		strbuf_puts(&sb, "null");
	strbuf_puts(&sb, ", \"source\": ");
	strbuf_put_json(&sb, sa != NULL ? sa->text : "");
	strbuf_puts(&sb, "}");
}

static void
emit(void *arg, const struct audit_item *it, const struct check_result *r)
{
	struct many *m = arg;
	enum cat c = categorize(r);

	if (m->same_tty)
		progress_clear(m);
	m->n++;
	m->cat[c]++;
	m->status = worse(m->status, rdns_check_exit_status(r));
	if (r->ip.family == AF_INET6 && r->ptr == CHECK_FAIL) {
		if (m->n_v6_list < V6_LIST_MAX)
			(void)snprintf(m->v6_list[m->n_v6_list++],
			    DNAME_IPSTR_MAX, "%s", r->ipstr);
		m->v6_no_ptr++;
	}
	if (m->src == SRC_DOMAIN && check_result_verified_name(r) != NULL &&
	    strcmp(r->org_domain, m->rep.org) != 0)
		m->not_aligned++;
	if (m->a->json) {
		char extra[SPF_SOURCE_MAX * 6 + 4 * DNAME_TEXT_MAX * 6 + 200];

		if (m->src == SRC_DOMAIN)
			domain_json(m, it, r, extra, sizeof extra);
		rdns_check_print_json(r, m->src == SRC_DOMAIN ? extra : NULL);
	} else
		print_line(m, it, r, c);
	progress_draw(m);
}

/* ---- the domain's discovery ---- */

struct query_ctx {
	const struct resolver_ops *ops;
	void		*res;
	double		 timeout;
};

static int
query_fn(void *arg, const char *const *names, const int *types, size_t n,
    struct dns_answer **out)
{
	const struct query_ctx *q = arg;

	return audit_lookup(q->ops, q->res, names, types, n, q->timeout, out);
}

/* The command that checks a block too large to enumerate. */
static void
range_hint(const struct many *m, const struct cidr *net, char *buf,
    size_t len)
{
	char s[DNAME_IPSTR_MAX + 4];
	uint64_t n = cidr_count(net);

	cidr_str(net, s, sizeof s);
	if (n > RANGE_MAX_LIMIT)
		(void)snprintf(buf, len, "too large to check address by "
		    "address; check the blocks you send from");
	else if (n > m->a->max)
		(void)snprintf(buf, len, "check it with: rdns-check --max %llu "
		    "%s", (unsigned long long)n, s);
	else
		(void)snprintf(buf, len, "check it with: rdns-check %s", s);
}

static void
print_discovery(const struct many *m)
{
	const struct spf_report *r = &m->rep;
	char s[DNAME_IPSTR_MAX + 4], hint[200];
	size_t i;

	printf("Domain:  %s (organizational domain %s)\n", r->domain, r->org);
	if (r->record != NULL)
		printf("SPF:     %s\n", r->record);
	switch (r->result) {
	case SPF_RES_NONE:
		printf("SPF:     none: %s publishes no SPF record, so "
		    "receivers cannot tell which addresses send its mail\n",
		    r->domain);
		break;
	case SPF_RES_OK:
		printf("         %u of %d DNS lookups, void lookups: %u "
		    "(IPv4), %u (IPv6)\n", r->lookups, SPF_LOOKUP_LIMIT,
		    r->void4, r->void6);
		break;
	case SPF_RES_PERMERROR:
		printf("SPF:     permerror: %s; receivers treat SPF as broken "
		    "for every address not matched before\n", r->error);
		break;
	case SPF_RES_TEMPERROR:
		printf("SPF:     temperror: %s\n", r->error);
		break;
	}
	for (i = 0; i < r->n_delegations; i++)
		printf("  delegated to %s: \"%s\" in %s: that provider's "
		    "addresses are its responsibility\n",
		    r->delegations[i].org, r->delegations[i].term,
		    r->delegations[i].in);
	for (i = 0; i < r->n_ranges; i++) {
		cidr_str(&r->ranges[i].net, s, sizeof s);
		range_hint(m, &r->ranges[i].net, hint, sizeof hint);
		printf("  range %s (%s): not listed here; %s\n", s,
		    r->ranges[i].source, hint);
	}
	for (i = 0; i < r->n_notes; i++)
		printf("  note: %s\n", r->notes[i]);
	switch (r->mx_result) {
	case SPF_MX_NONE:
		printf("MX:      none\n");
		break;
	case SPF_MX_NULL:
		printf("MX:      null MX (RFC 7505): %s accepts no mail\n",
		    r->domain);
		break;
	case SPF_MX_TEMPERROR:
		printf("MX:      temperror: %s\n", r->mx_error);
		break;
	case SPF_MX_OK:
		for (i = 0; i < r->n_mx; i++)
			printf("%s %s (preference %u): %zu address%s\n",
			    i == 0 ? "MX:     " : "        ", r->mx[i].host,
			    r->mx[i].pref, r->mx[i].n_addrs,
			    r->mx[i].n_addrs == 1 ? "" : "es");
		break;
	}
	printf("\n%llu address%s to check.\n\n",
	    (unsigned long long)r->n_addrs, r->n_addrs == 1 ? "" : "es");
}

/* The discovery part of the JSON summary. */
static void
discovery_json(const struct many *m, struct strbuf *sb)
{
	const struct spf_report *r = &m->rep;
	char s[DNAME_IPSTR_MAX + 4];
	size_t i;

	strbuf_puts(sb, ", \"domain\": {\"name\": ");
	strbuf_put_json(sb, r->domain);
	strbuf_puts(sb, ", \"org_domain\": ");
	strbuf_put_json(sb, r->org);
	strbuf_printf(sb, ", \"not_aligned\": %llu",
	    (unsigned long long)m->not_aligned);
	strbuf_puts(sb, ", \"spf\": {\"result\": ");
	strbuf_put_json(sb, spf_result_str(r->result));
	strbuf_puts(sb, ", \"record\": ");
	if (r->record != NULL)
		strbuf_put_json(sb, r->record);
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, ", \"error\": ");
	if (r->error[0] != '\0')
		strbuf_put_json(sb, r->error);
	else
		strbuf_puts(sb, "null");
	strbuf_printf(sb, ", \"lookups\": %u, \"void_lookups\": {\"ipv4\": "
	    "%u, \"ipv6\": %u}}", r->lookups, r->void4, r->void6);
	strbuf_puts(sb, ", \"delegated\": [");
	for (i = 0; i < r->n_delegations; i++) {
		strbuf_puts(sb, i > 0 ? ", {\"domain\": " : "{\"domain\": ");
		strbuf_put_json(sb, r->delegations[i].org);
		strbuf_puts(sb, ", \"term\": ");
		strbuf_put_json(sb, r->delegations[i].term);
		strbuf_puts(sb, ", \"in\": ");
		strbuf_put_json(sb, r->delegations[i].in);
		strbuf_puts(sb, "}");
	}
	strbuf_puts(sb, "], \"ranges\": [");
	for (i = 0; i < r->n_ranges; i++) {
		cidr_str(&r->ranges[i].net, s, sizeof s);
		strbuf_puts(sb, i > 0 ? ", {\"range\": " : "{\"range\": ");
		strbuf_put_json(sb, s);
		strbuf_puts(sb, ", \"source\": ");
		strbuf_put_json(sb, r->ranges[i].source);
		strbuf_puts(sb, "}");
	}
	strbuf_puts(sb, "], \"notes\": [");
	for (i = 0; i < r->n_notes; i++) {
		if (i > 0)
			strbuf_puts(sb, ", ");
		strbuf_put_json(sb, r->notes[i]);
	}
	strbuf_puts(sb, "], \"mx\": {\"result\": ");
	strbuf_put_json(sb, spf_mx_result_str(r->mx_result));
	strbuf_puts(sb, ", \"hosts\": [");
	for (i = 0; i < r->n_mx; i++) {
		if (i > 0)
			strbuf_puts(sb, ", ");
		strbuf_put_json(sb, r->mx[i].host);
	}
	strbuf_puts(sb, "]}}");
}

/* What the domain's discovery adds to the exit status, with the reason
 * for the summary.  @return the status. */
static int
discovery_status(const struct many *m, const char **why)
{
	const struct spf_report *r = &m->rep;

	*why = NULL;
	if (r->result == SPF_RES_PERMERROR) {
		*why = "the SPF record is broken (permerror)";
		return EX_FAILED;
	}
	if (r->n_addrs == 0 && r->n_delegations == 0 && r->n_ranges == 0 &&
	    r->result == SPF_RES_NONE && r->mx_result != SPF_MX_TEMPERROR) {
		*why = "no SPF record and no MX host address: nothing to check";
		return EX_FAILED;
	}
	if (r->result == SPF_RES_TEMPERROR ||
	    r->mx_result == SPF_MX_TEMPERROR) {
		*why = "a lookup for the SPF record or the MX hosts failed";
		return EX_TEMP;
	}
	return EX_OK_;
}

/* ---- the summary ---- */

static void
print_summary(const struct many *m, const char *why)
{
	char buf[8192];
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, buf, sizeof buf);
	if (m->a->json) {
		strbuf_printf(&sb, "{\"summary\": {\"addresses\": %llu, "
		    "\"pass\": %llu, \"no_ptr\": %llu, \"not_confirmed\": "
		    "%llu, \"generic\": %llu, \"helo_mismatch\": %llu, "
		    "\"dns_error\": %llu, \"ipv6_no_ptr\": %llu, "
		    "\"ipv6_no_ptr_list\": [", (unsigned long long)m->n,
		    (unsigned long long)m->cat[CAT_PASS],
		    (unsigned long long)m->cat[CAT_NO_PTR],
		    (unsigned long long)m->cat[CAT_NOT_CONFIRMED],
		    (unsigned long long)m->cat[CAT_GENERIC],
		    (unsigned long long)m->cat[CAT_HELO],
		    (unsigned long long)m->cat[CAT_DNS_ERROR],
		    (unsigned long long)m->v6_no_ptr);
		for (i = 0; i < m->n_v6_list; i++) {
			if (i > 0)
				strbuf_puts(&sb, ", ");
			strbuf_put_json(&sb, m->v6_list[i]);
		}
		strbuf_puts(&sb, "]");
		if (m->src == SRC_FILE)
			strbuf_printf(&sb, ", \"bad_lines\": %lu",
			    m->bad_lines);
		if (m->src == SRC_DOMAIN)
			discovery_json(m, &sb);
		strbuf_printf(&sb, ", \"exit_status\": %d}}", m->status);
		puts(buf);
		return;
	}
	printf("\n%llu address%s: %llu pass, %llu no PTR, %llu not "
	    "forward-confirmed, %llu generic, ", (unsigned long long)m->n,
	    m->n == 1 ? "" : "es", (unsigned long long)m->cat[CAT_PASS],
	    (unsigned long long)m->cat[CAT_NO_PTR],
	    (unsigned long long)m->cat[CAT_NOT_CONFIRMED],
	    (unsigned long long)m->cat[CAT_GENERIC]);
	if (m->cat[CAT_HELO] > 0)
		printf("%llu HELO mismatch, ",
		    (unsigned long long)m->cat[CAT_HELO]);
	printf("%llu DNS error\n", (unsigned long long)m->cat[CAT_DNS_ERROR]);
	if (m->v6_no_ptr > 0) {
		printf("IPv6 without PTR: %llu (", (unsigned long long)
		    m->v6_no_ptr);
		for (i = 0; i < m->n_v6_list && i < V6_SHOWN; i++)
			printf("%s%s", i > 0 ? ", " : "", m->v6_list[i]);
		printf("%s)\n", m->v6_no_ptr > i ? ", ..." : "");
	}
	if (m->src == SRC_DOMAIN && m->not_aligned > 0)
		printf("Verified names outside %s: %llu (not aligned with the "
		    "domain)\n", m->rep.org,
		    (unsigned long long)m->not_aligned);
	if (m->src == SRC_FILE && m->bad_lines > 0)
		printf("Lines skipped: %lu (see the messages above)\n",
		    m->bad_lines);
	if (why != NULL)
		printf("Domain: %s\n", why);
}

int
rdns_check_many(const struct config *cf, const struct args *a)
{
	struct many *m;
	struct resolver *res;
	struct resolver_options ro;
	struct audit_params ap;
	struct audit *au;
	char err[512];
	const char *why = NULL;
	int rc, status;

	if ((m = calloc(1, sizeof *m)) == NULL) {
		fprintf(stderr, "rdns-check: out of memory\n");
		return EX_TEMP;
	}
	m->a = a;
	m->ipw = 15;
	if (a->range) {
		struct rdns_ip last;
		char s[DNAME_IPSTR_MAX];

		m->src = SRC_RANGE;
		m->total = cidr_count(&a->net);
		/* The widest address is the last one (or so near it that
		 * a few columns more do not matter). */
		(void)cidr_nth(&a->net, m->total - 1, &last);
		dname_ip_str(&last, s, sizeof s);
		if ((int)strlen(s) > m->ipw)
			m->ipw = (int)strlen(s);
	} else if (a->file != NULL) {
		m->src = SRC_FILE;
		m->fname = a->file;
		if (strcmp(a->file, "-") == 0) {
			m->fp = stdin;
			m->fname = "(stdin)";
		} else if ((m->fp = fopen(a->file, "r")) == NULL) {
			fprintf(stderr, "rdns-check: %s: %s\n", a->file,
			    strerror(errno));
			free(m);
			return EX_USAGE_;
		}
	} else
		m->src = SRC_DOMAIN;

	config_resolver_options(cf, &ro);
	if ((res = resolver_new(&ro, err, sizeof err)) == NULL) {
		fprintf(stderr, "rdns-check: resolver: %s\n", err);
		if (m->fp != NULL && m->fp != stdin)
			fclose(m->fp);
		free(m);
		return EX_CONFIG_;
	}
	memset(&ap, 0, sizeof ap);
	config_check_params(cf, &ap.check);
	ap.check.ops = &resolver_unbound_ops;
	ap.check.resolver = res;
	ap.timeout = a->timeout >= 0 ? a->timeout : cf->dns_timeout;
	ap.parallel = a->parallel;
	ap.next = next_item;
	ap.emit = emit;
	ap.arg = m;

	if (m->src == SRC_DOMAIN) {
		struct query_ctx q = { &resolver_unbound_ops, res, ap.timeout };
		size_t i;

		if (spf_discover(a->domain, query_fn, &q, &m->rep) == -1) {
			fprintf(stderr, "rdns-check: out of memory\n");
			resolver_free(res);
			free(m);
			return EX_TEMP;
		}
		m->total = m->rep.n_addrs;
		m->fromw = 4;
		for (i = 0; i < m->rep.n_addrs; i++) {
			char s[DNAME_IPSTR_MAX];
			int w = (int)strlen(spf_addr_source(&m->rep, i)->text);

			dname_ip_str(&m->rep.addrs[i].ip, s, sizeof s);
			if ((int)strlen(s) > m->ipw)
				m->ipw = (int)strlen(s);
			/* Aligned, but a very long one may stick out. */
			if (w > m->fromw && w <= 48)
				m->fromw = w;
		}
		m->status = discovery_status(m, &why);
		if (!a->json)
			print_discovery(m);
	}

	m->progress = isatty(STDERR_FILENO) == 1;
	m->same_tty = m->progress && isatty(STDOUT_FILENO) == 1;
	clock_gettime(CLOCK_MONOTONIC, &m->t0);
	if (!a->json && (m->src != SRC_DOMAIN || m->total > 0))
		print_header(m);
	if ((au = audit_new(&ap)) == NULL) {
		fprintf(stderr, "rdns-check: out of memory\n");
		rc = -1;
	} else {
		/* Redraw the progress line while waiting, too. */
		while ((rc = audit_step(au, true)) == 1)
			progress_draw(m);
		audit_free(au);
	}
	progress_clear(m);
	/* The source stopped (a read error, out of memory): what was not
	 * checked is not known to pass.  A bad line is a usage error. */
	if (rc == -1)
		m->status = worse(m->status, EX_TEMP);
	if (m->bad_lines > 0)
		m->status = EX_USAGE_;
	status = m->status;
	print_summary(m, why);
	fflush(stdout);
	if (m->fp != NULL && m->fp != stdin)
		fclose(m->fp);
	free(m->line);
	spf_report_clear(&m->rep);
	resolver_free(res);
	free(m);
	return status;
}
