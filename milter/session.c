/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c - per-connection milter state and its log lines.
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "logline.h"
#include "metrics.h"
#include "policy.h"
#include "runtime.h"
#include "session.h"
#include "strbuf.h"
#include "text.h"

static atomic_ulong	 session_serial;

struct session *
session_new(struct runtime *rt)
{
	struct session *s;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		runtime_release(rt);
		return NULL;
	}
	s->serial = atomic_fetch_add(&session_serial, 1) + 1;
	s->rt = rt;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	s->deadline = s->start;
	s->deadline.tv_sec += rt->cf->dns_timeout;
	s->res.verified = -1;
	policy_tally_reset(&s->tally);
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	check_session_free(s->cs);
	if (s->have_result)
		check_result_clear(&s->res);
	free(s->forged);
	runtime_release(s->rt);
	free(s);
}

char *
session_log_value(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	return text_sanitize(TEXT_LOG_VALUE, dst, dstlen, src, srclen);
}

/* '=' of text (quoted client text, a reply) as '?', in place
 * (TEXT_LOG_TEXT). */
static char *
no_equals(char *text)
{
	size_t n = strlen(text);

	return text_sanitize(TEXT_LOG_TEXT, text, n + 1, text, n);
}

/* A HELO for a log line: a space or '=' would let a HELO forge key=value
 * pairs in the line. */
static void
helo_for_log(const struct session *s, char *buf, size_t len)
{
	if (!s->have_helo) {
		snprintf(buf, len, "-");
		return;
	}
	session_log_value(buf, len, s->helo, strlen(s->helo));
}

/* The MTA's name for the client (its PTR name, "[ip]", anything) for a
 * log line. */
static void
host_for_log(const struct session *s, char *buf, size_t len)
{
	if (s->host[0] == '\0')
		snprintf(buf, len, "unknown");
	else
		session_log_value(buf, len, s->host, strlen(s->host));
}

void
session_log_ctx(const struct session *s, char *buf, size_t len)
{
	char helo[CHECK_VALUE_MAX + 1], host[sizeof s->host];

	helo_for_log(s, helo, sizeof helo);
	host_for_log(s, host, sizeof host);
	snprintf(buf, len, "client=%s[%s] helo=%s conn=%lu", host,
	    s->have_ip ? s->ipstr : "-", helo, s->serial);
}

const char *
session_qid(const struct session *s)
{
	return s->qid[0] != '\0' ? s->qid : "NOQUEUE";
}

void
session_log(const struct session *s, int prio, const char *fmt, ...)
{
	char msg[1024], ctx[CHECK_LOG_CTX_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	no_equals(msg);
	session_log_ctx(s, ctx, sizeof ctx);
	log_msg(prio, "%s: %s; %s", session_qid(s), msg, ctx);
}

void
session_reset_message(struct session *s)
{
	s->in_message = false;
	s->authenticated = false;
	s->qid[0] = '\0';
	s->from[0] = '\0';
	policy_tally_reset(&s->tally);
	rcptlist_reset(&s->rl);
	s->message_logged = false;
	s->n_ar = 0;
	s->n_forged = 0;
	s->forged_nomem = false;
	free(s->forged);
	s->forged = NULL;
	s->forged_cap = 0;
}

void
session_note_rcpt(struct session *s, const char *exempt_local,
    const char *domain)
{
	rcptlist_add(&s->rl, exempt_local, domain);
}

bool
session_has_rcpts(const struct session *s)
{
	return !rcptlist_empty(&s->rl);
}

int
session_forged_add(struct session *s, unsigned index)
{
	size_t byte, ncap;
	unsigned char *nf;

	if (index == 0)
		return -1;
	byte = (index - 1) / 8;
	if (byte >= s->forged_cap) {
		ncap = s->forged_cap > 0 ? s->forged_cap : 16;
		while (ncap <= byte)
			ncap *= 2;
		if ((nf = realloc(s->forged, ncap)) == NULL) {
			s->forged_nomem = true;
			return -1;
		}
		memset(nf + s->forged_cap, 0, ncap - s->forged_cap);
		s->forged = nf;
		s->forged_cap = ncap;
	}
	if ((s->forged[byte] & (1u << ((index - 1) % 8))) == 0) {
		s->forged[byte] |= (unsigned char)(1u << ((index - 1) % 8));
		s->n_forged++;
	}
	return 0;
}

bool
session_forged_at(const struct session *s, unsigned index)
{
	size_t byte;

	if (index == 0)
		return false;
	byte = (index - 1) / 8;
	return byte < s->forged_cap &&
	    (s->forged[byte] & (1u << ((index - 1) % 8))) != 0;
}

void
session_new_helo(struct session *s, const char *helo)
{
	snprintf(s->helo, sizeof s->helo, "%s", helo);
	s->have_helo = true;
	if (s->have_result) {
		check_result_clear(&s->res);
		s->have_result = false;
	}
	if (s->cs != NULL) {
		char ctx[CHECK_LOG_CTX_MAX];

		/* Its log lines name the new HELO. */
		session_log_ctx(s, ctx, sizeof ctx);
		check_session_set_log(s->cs, session_qid(s), ctx);
		check_session_helo(s->cs, helo);
	}
}

const struct check_result *
session_result(struct session *s)
{
	if (s->have_result)
		return &s->res;
	if (s->cs == NULL && s->failed_open) {
		/* The lookups never started: temperror, not unchecked. */
		memset(&s->res, 0, sizeof s->res);
		s->res.ip = s->ip;
		snprintf(s->res.ipstr, sizeof s->res.ipstr, "%s", s->ipstr);
		s->res.have_helo = s->have_helo;
		snprintf(s->res.helo, sizeof s->res.helo, "%s", s->helo);
		check_result_resolver_error(&s->res);
	} else if (s->cs == NULL)
		return NULL;
	else {
		(void)check_session_wait(s->cs);
		if (check_session_result(s->cs, &s->res) == -1) {
			session_log(s, LOG_ERR, "out of memory computing the "
			    "verdict");
			return NULL;
		}
	}
	s->verdict_ms = (long)(s->res.elapsed * 1000.0);
	s->have_result = true;
	if (s->res.resolver_error)
		metrics_resolver_error();
	metrics_result(&s->res);
	metrics_verdict_latency(s->res.elapsed);
	return &s->res;
}

/* SPEC 3.3: action= policy= check= rcpts= ("-" when nothing was
 * refused).  The policy is the one behind action=: the most specific
 * enforcing policy that refused, else the most specific dry-run one. */
static void
summary_policy_keys(const struct session *s, struct strbuf *sb)
{
	enum check_id c;
	const struct policy *p = policy_tally_policy(&s->tally, &c);
	bool dry;
	enum action a = policy_tally_action(&s->tally, &dry);

	strbuf_printf(sb, " action=%s%s policy=%s check=%s rcpts=%lu",
	    policy_action_str(a), dry ? "(dry-run)" : "",
	    p != NULL ? p->domain : "-", p != NULL ? check_name(c) : "-",
	    s->tally.rcpts);
}

/*
 * Every other input of a policy decision (SPEC 3.3, rdns-milter(8)), so
 * that rdns-report --replay can decide the message again: the HELO's own
 * forward confirmation and its alignment, the AllowDomains verdict, and
 * the recipients (rcptlist.h).
 */
static void
summary_input_keys(const struct session *s, const struct check_result *r,
    struct strbuf *sb)
{
	strbuf_printf(sb, " helo_fwd=%s helo_aligned=%s allowlisted=%s",
	    check_res_str(r->helo_fwd), r->helo_aligned ? "yes" : "no",
	    r->allowlisted ? "yes" : "no");
	rcptlist_format(&s->rl, sb);
}

/*
 * The longest summary line: the fixed words (under 400 bytes), the queue
 * id, the address, the verified name, the HELO, the rule name, the
 * policy's domain, the two recipient lists and the connection's context.
 */
#define SUMMARY_LINE_MAX	6144
_Static_assert(400 + sizeof(((struct session *)0)->qid) + DNAME_IPSTR_MAX +
    2 * (CHECK_VALUE_MAX + 1) + GENERIC_RULE_NAME_MAX + 256 +
    2 * RCPTLIST_VALUE_MAX + CHECK_LOG_CTX_MAX < SUMMARY_LINE_MAX,
    "a summary line always fits");

void
session_log_summary(struct session *s, bool may_wait)
{
	struct check_result partial;
	bool incomplete = false;
	long ms;
	const struct check_result *r;
	const char *qid = session_qid(s);
	char line[SUMMARY_LINE_MAX], helo[CHECK_VALUE_MAX + 1];
	char ctx[CHECK_LOG_CTX_MAX];
	char host[sizeof s->host], name[CHECK_VALUE_MAX + 1];
	struct strbuf sb;
	const char *v;

	/* The connection's context (helo= has its own place in the line). */
	host_for_log(s, host, sizeof host);
	snprintf(ctx, sizeof ctx, "client=%s[%s] conn=%lu", host,
	    s->have_ip ? s->ipstr : "-", s->serial);
	strbuf_init(&sb, line, sizeof line);
	strbuf_printf(&sb, "%s: ip=%s", qid, s->have_ip ? s->ipstr : "-");
	if (s->trusted || s->authenticated) {
		strbuf_printf(&sb, " %s action=accept %s",
		    s->trusted ? "trusted" : "authenticated", ctx);
		log_msg(LOG_INFO, "%s", line);
		return;
	}
	if (!may_wait && !s->have_result && s->cs != NULL &&
	    !check_session_done(s->cs)) {
		/* Closing before the answers came: log what is known rather
		 * than hold a libmilter worker for the rest of DNSTimeout. */
		if (check_session_result(s->cs, &partial) == -1) {
			log_msg(LOG_INFO, "%s internal-error action=accept %s",
			    line, ctx);
			return;
		}
		r = &partial;
		incomplete = true;
		ms = (long)(partial.elapsed * 1000.0);
	} else if ((r = session_result(s)) == NULL) {
		log_msg(LOG_INFO, "%s internal-error action=accept %s", line,
		    ctx);
		return;
	} else
		ms = s->verdict_ms;
	/* A verified name is a valid host name, but it came from DNS. */
	if ((v = check_result_verified_name(r)) != NULL)
		v = session_log_value(name, sizeof name, v, strlen(v));
	helo_for_log(s, helo, sizeof helo);
	logline_verdicts(&sb, r, v != NULL ? v : "-", helo);
	summary_policy_keys(s, &sb);
	summary_input_keys(s, r, &sb);
	strbuf_printf(&sb, " ms=%ld", ms);
	if (incomplete)
		strbuf_puts(&sb, " dns=incomplete");
	else if (r->resolver_error)
		strbuf_puts(&sb, " dns=resolver-error");
	strbuf_printf(&sb, " %s", ctx);
	if (incomplete)
		check_result_clear(&partial);
	log_msg(LOG_INFO, "%s", line);
}

void
session_log_addr(char *dst, size_t dstlen, const char *src)
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

void
session_refused_rcpt(struct session *s, const char *rcpt,
    const struct policy *p, const struct policy_decision *d, bool dry_run)
{
	char to[CHECK_VALUE_MAX + 1], helo[CHECK_VALUE_MAX + 1];
	char host[sizeof s->host], text[sizeof d->text];
	const char *check = check_name(d->check);

	policy_tally_add(&s->tally, p, d, dry_run, 1);
	session_log_addr(to, sizeof to, rcpt);
	if (s->have_helo)
		session_log_addr(helo, sizeof helo, s->helo);
	else
		helo[0] = '\0';
	host_for_log(s, host, sizeof host);
	/* The reply text quotes client and DNS values (sanitised for SMTP,
	 * spaces kept); its own words have no '='. */
	snprintf(text, sizeof text, "%s", d->text);
	log_msg(LOG_INFO, "%s: %s%s: RCPT from %s[%s]: %s %s %s; from=<%s> "
	    "to=<%s> helo=<%s> policy=%s check=%s", session_qid(s),
	    d->action == ACTION_REJECT ? "reject" : "tempfail",
	    dry_run ? "(dry-run)" : "", host, s->ipstr,
	    d->rcode, d->xcode, no_equals(text), s->from, to, helo,
	    p->domain, check);
}
