/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.c - rdns-milter's log lines about a connection (logline.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "logline.h"
#include "policy.h"
#include "rcptlist.h"
#include "strbuf.h"
#include "text.h"

char *
logline_value(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	return text_sanitize(TEXT_LOG_VALUE, dst, dstlen, src, srclen);
}

void
logline_addr(char *dst, size_t dstlen, const char *src)
{
	size_t n;

	if (dstlen == 0)
		return;
	if (src == NULL)
		src = "";
	while (*src == ' ' || *src == '<')
		src++;
	n = strlen(src);
	while (n > 0 && (src[n - 1] == '>' || src[n - 1] == ' '))
		n--;
	(void)text_sanitize(TEXT_LOG_ADDR, dst, dstlen, src, n);
}

/* Free text (quoted client text, a reply) with every '=' as '?'
 * (TEXT_LOG_TEXT). */
static void
put_no_equals(struct strbuf *sb, const char *text)
{
	(void)strbuf_put_safe(sb, TEXT_LOG_TEXT, text, strlen(text));
}

const char *
logline_qid(const struct logline_client *c)
{
	return c->qid != NULL && c->qid[0] != '\0' ? c->qid : "NOQUEUE";
}

/* A HELO for a log line: a space or '=' would let a HELO forge key=value
 * pairs in the line. */
static char *
helo_value(const struct logline_client *c, char *buf, size_t len)
{
	if (c->helo == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	return logline_value(buf, len, c->helo, strlen(c->helo));
}

/* The MTA's name for the client (its PTR name, "[ip]", anything). */
static char *
host_value(const struct logline_client *c, char *buf, size_t len)
{
	if (c->host == NULL || c->host[0] == '\0') {
		snprintf(buf, len, "unknown");
		return buf;
	}
	return logline_value(buf, len, c->host, strlen(c->host));
}

/* The MTA's host name is at most 63 bytes (struct session). */
#define HOST_MAX	64

char *
logline_ctx(char *buf, size_t len, const struct logline_client *c,
    bool with_helo)
{
	char helo[CHECK_VALUE_MAX + 1], host[HOST_MAX];
	const char *ip = c->ip != NULL ? c->ip : "-";

	host_value(c, host, sizeof host);
	if (with_helo)
		snprintf(buf, len, "client=%s[%s] helo=%s conn=%lu", host, ip,
		    helo_value(c, helo, sizeof helo), c->serial);
	else
		snprintf(buf, len, "client=%s[%s] conn=%lu", host, ip,
		    c->serial);
	return buf;
}

void
logline_message(struct strbuf *sb, const struct logline_client *c,
    const char *message)
{
	char ctx[LOGLINE_CTX_MAX];

	strbuf_printf(sb, "%s: ", logline_qid(c));
	put_no_equals(sb, message);
	strbuf_printf(sb, "; %s", logline_ctx(ctx, sizeof ctx, c, true));
}

void
logline_verdicts(struct strbuf *sb, const struct check_result *r,
    const char *name, const char *helo)
{
	size_t k;

	for (k = 0; k < CHECK_N_LOGGED; k++) {
		enum check_id id = check_logged[k];
		const struct check_info *ci = &check_info[id];

		if (id == CHECK_ID_HELO)
			strbuf_printf(sb, " helo=%s", helo);
		strbuf_printf(sb, " %s=%s", ci->log_key,
		    check_label(id, ci->get(r)));
		if (id == CHECK_ID_IPREV)
			strbuf_printf(sb, " name=%s", name);
		/* The evidence of a generic verdict: a rule name
		 * ([a-z0-9-]) or embedded-ipv4, embedded-ipv4-hex,
		 * embedded-ipv6. */
		if (id == CHECK_ID_GENERIC && r->generic == GENERIC_YES &&
		    r->generic_rule[0] != '\0')
			strbuf_printf(sb, " generic_rule=%s", r->generic_rule);
	}
}

/* SPEC 3.3: action= policy= check= rcpts= ("-" when nothing was
 * refused).  The policy is the one behind action=: the most specific
 * enforcing policy that refused, else the most specific dry-run one. */
static void
policy_keys(struct strbuf *sb, const struct policy_tally *t)
{
	enum check_id c;
	const struct policy *p = policy_tally_policy(t, &c);
	bool dry;
	enum action a = policy_tally_action(t, &dry);

	strbuf_printf(sb, " action=%s%s policy=%s check=%s rcpts=%lu",
	    policy_action_str(a), dry ? "(dry-run)" : "",
	    p != NULL ? p->domain : "-", p != NULL ? check_name(c) : "-",
	    t->rcpts);
}

/*
 * Every other input of a policy decision (SPEC 3.3, rdns-milter(8)), so
 * that rdns-report --replay can decide the message again: the HELO's own
 * forward confirmation and its alignment, the AllowDomains verdict, and
 * the recipients (rcptlist.h).
 */
static void
input_keys(struct strbuf *sb, const struct check_result *r,
    const struct rcptlist *rl)
{
	strbuf_printf(sb, " helo_fwd=%s helo_aligned=%s allowlisted=%s",
	    check_res_str(r->helo_fwd), r->helo_aligned ? "yes" : "no",
	    r->allowlisted ? "yes" : "no");
	rcptlist_format(rl, sb);
}

_Static_assert(400 + 32 + DNAME_IPSTR_MAX + 2 * (CHECK_VALUE_MAX + 1) +
    GENERIC_RULE_NAME_MAX + 256 + 2 * RCPTLIST_VALUE_MAX + LOGLINE_CTX_MAX <
    LOGLINE_SUMMARY_MAX, "a summary line always fits");

void
logline_summary(struct strbuf *sb, const struct logline_client *c,
    const struct logline_summary *in)
{
	char ctx[LOGLINE_CTX_MAX], name[CHECK_VALUE_MAX + 1];
	char helo[CHECK_VALUE_MAX + 1];
	const struct check_result *r = in->r;
	const char *v;

	/* The connection's context (helo= has its own place in the line). */
	logline_ctx(ctx, sizeof ctx, c, false);
	strbuf_printf(sb, "%s: ip=%s", logline_qid(c),
	    c->ip != NULL ? c->ip : "-");
	if (in->unchecked != LOGLINE_CHECKED) {
		strbuf_printf(sb, " %s action=accept %s",
		    in->unchecked == LOGLINE_TRUSTED ? "trusted" :
		    "authenticated", ctx);
		return;
	}
	if (r == NULL) {
		strbuf_printf(sb, " internal-error action=accept %s", ctx);
		return;
	}
	/* A verified name is a valid host name, but it came from DNS. */
	if ((v = check_result_verified_name(r)) != NULL)
		v = logline_value(name, sizeof name, v, strlen(v));
	logline_verdicts(sb, r, v != NULL ? v : "-",
	    helo_value(c, helo, sizeof helo));
	policy_keys(sb, in->tally);
	input_keys(sb, r, in->rl);
	strbuf_printf(sb, " ms=%ld", in->ms);
	if (in->incomplete)
		strbuf_puts(sb, " dns=incomplete");
	else if (r->resolver_error)
		strbuf_puts(sb, " dns=resolver-error");
	strbuf_printf(sb, " %s", ctx);
}

void
logline_reject(struct strbuf *sb, const struct logline_client *c,
    const char *from, const char *rcpt, const struct policy *p,
    const struct policy_decision *d, bool dry_run)
{
	char to[CHECK_VALUE_MAX + 1], helo[CHECK_VALUE_MAX + 1];
	char host[HOST_MAX];

	logline_addr(to, sizeof to, rcpt);
	if (c->helo != NULL)
		logline_addr(helo, sizeof helo, c->helo);
	else
		helo[0] = '\0';
	strbuf_printf(sb, "%s: %s%s: RCPT from %s[%s]: %s %s ",
	    logline_qid(c), policy_action_str(d->action), dry_run ?
	    "(dry-run)" : "", host_value(c, host, sizeof host),
	    c->ip != NULL ? c->ip : "", d->rcode, d->xcode);
	/* The reply text quotes client and DNS values (sanitised for SMTP,
	 * spaces kept); its own words have no '='. */
	put_no_equals(sb, d->text);
	strbuf_printf(sb, "; from=<%s> to=<%s> helo=<%s> policy=%s check=%s",
	    from, to, helo, p->domain, check_name(d->check));
}
