/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c - per-connection milter state (session.h); its log lines are
 * logline.c's.
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
#include "policy.h"
#include "runtime.h"
#include "session.h"
#include "strbuf.h"

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

/* The connection as its log lines name it. */
static void
client_of(const struct session *s, struct logline_client *c)
{
	c->qid = s->qid;
	c->host = s->host;
	c->ip = s->have_ip ? s->ipstr : NULL;
	c->helo = s->have_helo ? s->helo : NULL;
	c->serial = s->serial;
}

void
session_log_ctx(const struct session *s, char *buf, size_t len)
{
	struct logline_client c;

	client_of(s, &c);
	(void)logline_ctx(buf, len, &c, true);
}

const char *
session_qid(const struct session *s)
{
	struct logline_client c;

	client_of(s, &c);
	return logline_qid(&c);
}

void
session_log(const struct session *s, int prio, const char *fmt, ...)
{
	char msg[1024], line[sizeof msg + LOGLINE_CTX_MAX + 64];
	struct logline_client c;
	struct strbuf sb;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	client_of(s, &c);
	strbuf_init(&sb, line, sizeof line);
	logline_message(&sb, &c, msg);
	log_msg(prio, "%s", line);
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
session_result(struct session *s, bool *computed)
{
	*computed = false;
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
	*computed = true;
	return &s->res;
}

bool
session_result_ready(const struct session *s)
{
	return s->have_result || s->cs == NULL || check_session_done(s->cs);
}

void
session_log_summary(struct session *s, const struct check_result *r,
    bool incomplete)
{
	struct check_result partial;
	struct logline_summary in = {
		.r = r,
		.ms = s->verdict_ms,
		.tally = &s->tally,
		.rl = &s->rl,
	};
	struct logline_client c;
	char line[LOGLINE_SUMMARY_MAX];
	struct strbuf sb;

	if (s->trusted)
		in.unchecked = LOGLINE_TRUSTED;
	else if (s->authenticated)
		in.unchecked = LOGLINE_AUTHENTICATED;
	else if (incomplete) {
		/* Closing before the answers came: log what is known rather
		 * than hold a libmilter worker for the rest of DNSTimeout. */
		if (check_session_result(s->cs, &partial) == 0) {
			in.r = &partial;
			in.incomplete = true;
			in.ms = (long)(partial.elapsed * 1000.0);
		} else
			in.r = NULL;
	}
	client_of(s, &c);
	strbuf_init(&sb, line, sizeof line);
	logline_summary(&sb, &c, &in);
	if (in.incomplete)
		check_result_clear(&partial);
	log_msg(LOG_INFO, "%s", line);
}

void
session_refused_rcpt(struct session *s, const char *rcpt,
    const struct policy *p, const struct policy_decision *d, bool dry_run)
{
	char line[POLICY_TEXT_MAX + 2048];
	struct logline_client c;
	struct strbuf sb;

	policy_tally_add(&s->tally, p, d, dry_run, 1);
	client_of(s, &c);
	strbuf_init(&sb, line, sizeof line);
	logline_reject(&sb, &c, s->from, rcpt, p, d, dry_run);
	log_msg(LOG_INFO, "%s", line);
}
