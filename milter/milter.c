/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.c - the libmilter callbacks: connect starts the lookups, RCPT
 * applies per-domain policy, EOM adds the Authentication-Results header.
 *
 * Each callback gets the session, calls the pure modules, and turns their
 * decision into an sfsistat (plus smfi_setreply / header changes).  A
 * callback only waits for DNS when it needs a verdict: an RCPT whose
 * policy can refuse, or EOM; the wait is bounded by the session deadline.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmilter/mfapi.h>

#include "authres.h"
#include "conf.h"
#include "log.h"
#include "logline.h"
#include "metrics.h"
#include "milter.h"
#include "policy.h"
#include "session.h"
#include "strbuf.h"
#include "text.h"

#define AR_FIELD	"Authentication-Results"

/* libmilter takes non-const strings. */
static char ar_field[] = AR_FIELD;
static char macro_i[] = "i";
static char macro_auth[] = "{auth_authen}";
static char milter_name[] = "rdns-milter";

/* Whether to ask for no reply to HELO and headers (milter_register()). */
static bool negotiate_no_reply;

/* The answer of a HELO or header callback: "no reply" when that was
 * negotiated (SMFIS_CONTINUE would make libmilter log a complaint), else
 * "continue" (SMFIS_NOREPLY would leave the MTA waiting). */
static sfsistat
no_reply(void)
{
	return negotiate_no_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static struct session *
get_session(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* Tell the check session what its log lines about this connection carry
 * (the resolver callbacks log from another thread). */
static void
update_log_ctx(struct session *s)
{
	char ctx[CHECK_LOG_CTX_MAX];

	if (s->cs == NULL)
		return;
	session_log_ctx(s, ctx, sizeof ctx);
	check_session_set_log(s->cs, session_qid(s), ctx);
}

/* Copy macro i (the queue id), sanitised, when the MTA sent it. */
static void
update_qid(SMFICTX *ctx, struct session *s)
{
	const char *v = smfi_getsymval(ctx, macro_i);

	if (v != NULL && *v != '\0' && strcmp(v, s->qid) != 0) {
		logline_value(s->qid, sizeof s->qid, v, strlen(v));
		update_log_ctx(s);
	}
}

/*
 * The verdicts of s, waiting for DNS the first time (session_result()).
 * A verdict is counted in the metrics here, where it is made, once: again
 * only when a new HELO made it computed anew.
 */
static const struct check_result *
verdict(struct session *s)
{
	const struct check_result *r;
	bool computed;

	if ((r = session_result(s, &computed)) == NULL || !computed)
		return r;
	if (r->resolver_error)
		metrics_resolver_error();
	metrics_result(r);
	metrics_verdict_latency(r->elapsed);
	return r;
}

/*
 * Log the summary line of s.  With may_wait false (close) it never waits
 * for DNS: what is known is logged ("dns=incomplete"), not counted.
 */
static void
log_summary(struct session *s, bool may_wait)
{
	if (s->trusted || s->authenticated)
		session_log_summary(s, NULL, false);
	else if (!may_wait && !session_result_ready(s))
		session_log_summary(s, NULL, true);
	else
		session_log_summary(s, verdict(s), false);
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, struct sockaddr *hostaddr)
{
	struct runtime *rt;
	struct session *s;
	struct rdns_ip ip;
	struct check_params cp;
	const struct config *cf;
	char logctx[CHECK_LOG_CTX_MAX];

	if ((rt = runtime_get()) == NULL)
		return SMFIS_ACCEPT;
	if ((s = session_new(rt)) == NULL) {
		char ipstr[DNAME_IPSTR_MAX] = "-";

		if (dname_ip_from_sockaddr(hostaddr, &ip) == 0)
			dname_ip_str(&ip, ipstr, sizeof ipstr);
		log_msg(LOG_ERR, "NOQUEUE: out of memory; accepting unchecked; "
		    "client=[%s]", ipstr);
		metrics_skipped(METRICS_SKIP_ERROR);
		return SMFIS_ACCEPT;
	}
	cf = s->rt->cf;
	/* Postfix and Sendmail pass "[ip]" for a client without a name:
	 * logged as Postfix logs it, "unknown[ip]". */
	if (hostname != NULL && hostname[0] != '[')
		text_sanitize(TEXT_PRINT, s->host, sizeof s->host, hostname,
		    strlen(hostname));
	if (dname_ip_from_sockaddr(hostaddr, &ip) == 0) {
		s->have_ip = true;
		s->ip = ip;
		dname_ip_str(&ip, s->ipstr, sizeof s->ipstr);
	}
	if (smfi_setpriv(ctx, s) != MI_SUCCESS) {
		session_log(s, LOG_ERR, "smfi_setpriv failed; accepting "
		    "unchecked");
		metrics_skipped(METRICS_SKIP_ERROR);
		session_free(s);
		return SMFIS_ACCEPT;
	}
	metrics_session_start();
	if (!s->have_ip) {
		/* No IP (Unix socket, -bs): trusted (SPEC 2).  Accept: the MTA
		 * sends nothing more for this connection but its close. */
		s->trusted = true;
		metrics_skipped(METRICS_SKIP_TRUSTED);
		return SMFIS_ACCEPT;
	}
	if (cidr_match_any(cf->trusted, cf->n_trusted, &ip)) {
		s->trusted = true;
		metrics_skipped(METRICS_SKIP_TRUSTED);
		return SMFIS_ACCEPT;
	}
	session_log_ctx(s, logctx, sizeof logctx);
	config_check_params(cf, &cp);
	cp.ops = &resolver_unbound_ops;
	cp.resolver = runtime_resolver(s->rt);
	cp.log_ctx = logctx;
	/* Only the PTR names the verdicts use (a hostile PTR set may hold
	 * hundreds). */
	cp.only_used_names = true;
	if ((s->cs = check_session_new(&cp, &ip, &s->deadline)) == NULL) {
		/* Never accepted unchecked: every check is temperror. */
		session_log(s, LOG_ERR, "resolver error: cannot start the "
		    "lookups (out of memory); every check of this connection "
		    "is temperror");
		s->failed_open = true;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helohost)
{
	struct session *s = get_session(ctx);

	/* SMFIP_NR_HELO on a unix socket (cb_negotiate()). */
	if (s == NULL || helohost == NULL)
		return no_reply();
	/* Every HELO counts (RSET then EHLO with another name): the next
	 * message is judged on the HELO in force at its MAIL. */
	session_new_helo(s, helohost);
	return no_reply();
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = get_session(ctx);
	const char *auth;

	if (s == NULL)
		return SMFIS_CONTINUE;
	session_reset_message(s);
	s->in_message = true;
	if (argv != NULL && argv[0] != NULL)
		logline_addr(s->from, sizeof s->from, argv[0]);
	update_qid(ctx, s);
	auth = smfi_getsymval(ctx, macro_auth);
	if (auth != NULL && *auth != '\0' && s->rt->cf->skip_authenticated) {
		/* Accept the message: the MTA sends nothing more for it, so
		 * its line is logged now. */
		s->authenticated = true;
		metrics_skipped(METRICS_SKIP_AUTHENTICATED);
		if (!s->trusted) {
			log_summary(s, false);
			s->logged_any = true;
			s->message_logged = true;
			return SMFIS_ACCEPT;
		}
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = get_session(ctx);
	const struct config *cf;
	const struct policy *p;
	const struct check_result *r;
	struct policy_decision d;
	char *local, *domain;
	size_t n;
	bool exempt, dry;

	if (s == NULL || argv == NULL || argv[0] == NULL)
		return SMFIS_CONTINUE;
	update_qid(ctx, s);
	if (s->trusted || s->authenticated ||
	    (s->cs == NULL && !s->failed_open))
		return SMFIS_CONTINUE;
	cf = s->rt->cf;
	/* Buffers of the recipient's own size: a part is matched whole,
	 * never cut short into another domain's policy. */
	n = strlen(argv[0]) + 1;
	local = malloc(n);
	domain = malloc(n);
	if (local == NULL || domain == NULL ||
	    policy_split_recipient(argv[0], local, n, domain, n) == -1) {
		free(local);
		free(domain);
		session_log(s, LOG_ERR, "out of memory reading a recipient; "
		    "deferring it");
		return SMFIS_TEMPFAIL;
	}
	exempt = config_is_exempt(cf, local);
	/* Logged on the summary line, for rdns-report --replay. */
	session_note_rcpt(s, exempt ? local : NULL, domain);
	p = exempt ? NULL : config_policy_for(cf, domain);
	free(local);
	free(domain);
	if (exempt || !policy_needs_verdict(p))
		return SMFIS_CONTINUE;
	if ((r = verdict(s)) == NULL)
		return SMFIS_CONTINUE;
	policy_decide(r, p, &d);
	/* Global DryRun, or this Policy line's dryrun=yes. */
	dry = policy_dry_run(cf, p);
	metrics_action(d.action, dry && d.action != ACTION_ACCEPT);
	metrics_decision(p->domain, d.check, d.action, dry);
	if (d.action == ACTION_ACCEPT)
		return SMFIS_CONTINUE;
	session_refused_rcpt(s, argv[0], p, &d, dry);
	if (dry)
		return SMFIS_CONTINUE;
	if (smfi_setreply(ctx, d.rcode, d.xcode, d.text) != MI_SUCCESS)
		session_log(s, LOG_WARNING, "smfi_setreply failed for \"%s\"",
		    d.text);
	return d.action == ACTION_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = get_session(ctx);

	/* SMFIP_NR_HDR on a unix socket (cb_negotiate()). */
	if (s == NULL || name == NULL || value == NULL)
		return no_reply();
	if (!str_ieq(name, AR_FIELD))
		return no_reply();
	/* smfi_chgheader() counts fields of one name from 1. */
	s->n_ar++;
	if (s->trusted || s->authenticated)
		return no_reply();
	/* Every one is remembered (RFC 8601 5); out of memory, the message
	 * is deferred at EOM rather than delivered with a forged field. */
	if (authres_is_ours(value, s->rt->cf->authserv_id))
		(void)session_forged_add(s, s->n_ar);
	return no_reply();
}

/*
 * RFC 8601 5: delete every forged field, last first (smfi_chgheader()
 * counts the fields of one name from 1, and a deletion renumbers those
 * after it), and say so once, with the count.
 */
static void
delete_forged(SMFICTX *ctx, struct session *s)
{
	unsigned i, removed = 0, failed = 0;

	if (s->n_forged == 0)
		return;
	for (i = s->n_ar; i > 0; i--) {
		if (!session_forged_at(s, i))
			continue;
		if (smfi_chgheader(ctx, ar_field, (int)i, NULL) == MI_SUCCESS)
			removed++;
		else
			failed++;
	}
	if (removed > 0) {
		metrics_forged_removed(removed);
		session_log(s, LOG_NOTICE, "removed %u forged %s field%s",
		    removed, AR_FIELD, removed == 1 ? "" : "s");
	}
	if (failed > 0)
		session_log(s, LOG_WARNING, "cannot delete %u forged %s "
		    "field%s", failed, AR_FIELD, failed == 1 ? "" : "s");
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);
	const struct check_result *r;
	char hv[AUTHRES_MAX];

	if (s == NULL)
		return SMFIS_ACCEPT;
	update_qid(ctx, s);
	if (!(s->trusted || s->authenticated) && s->forged_nomem) {
		/* A forged field we could not record would be delivered. */
		session_log(s, LOG_ERR, "out of memory recording forged %s "
		    "fields; deferring the message", AR_FIELD);
		if (!s->message_logged)
			log_summary(s, true);
		s->logged_any = true;
		session_reset_message(s);
		return SMFIS_TEMPFAIL;
	}
	if (!(s->trusted || s->authenticated)) {
		delete_forged(ctx, s);
		if ((r = verdict(s)) != NULL &&
		    authres_format(s->rt->cf->authserv_id, r, hv,
		    sizeof hv) == 0) {
			if (smfi_insheader(ctx, 0, ar_field, hv) !=
			    MI_SUCCESS)
				session_log(s, LOG_WARNING, "cannot add the "
				    "%s field", AR_FIELD);
		}
	}
	if (!s->message_logged)
		log_summary(s, true);
	s->logged_any = true;
	session_reset_message(s);
	return SMFIS_ACCEPT;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);

	if (s == NULL)
		return SMFIS_CONTINUE;
	/* A transaction that got as far as a recipient is worth a line,
	 * refused or not: another configuration might have refused it
	 * (rdns-report --replay). */
	if (s->in_message && (s->tally.action != ACTION_ACCEPT ||
	    session_has_rcpts(s)) && !s->message_logged) {
		log_summary(s, true);
		s->logged_any = true;
	}
	session_reset_message(s);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);

	if (s == NULL)
		return SMFIS_CONTINUE;
	if (!s->logged_any)
		log_summary(s, false);
	metrics_session_end();
	smfi_setpriv(ctx, NULL);
	session_free(s);
	return SMFIS_CONTINUE;
}

/*
 * Fewest round trips (rdns-milter(8), MTA INTEGRATION): the only answers
 * that matter are RCPT (policy) and end of message (the header), plus
 * SMFIS_ACCEPT at connect for trusted clients and at MAIL for
 * authenticated ones.  So: no body, end-of-headers, DATA or unknown
 * callback (libmilter asks the MTA to skip those stages), no reply for
 * HELO and the headers, and macro lists cut to what is read.
 */
static char symlist_connect[] = "j";
static char symlist_helo[] = "j";
static char symlist_envfrom[] = "i {auth_authen}";
static char symlist_envrcpt[] = "i";
static char symlist_eom[] = "i";

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	static const struct {
		int	 stage;
		char	*list;
	} symlists[] = {
		{ SMFIM_CONNECT, symlist_connect },
		{ SMFIM_HELO, symlist_helo },
		{ SMFIM_ENVFROM, symlist_envfrom },
		{ SMFIM_ENVRCPT, symlist_envrcpt },
		{ SMFIM_EOM, symlist_eom },
	};
	const unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	unsigned long proto;
	size_t i;

	(void)f2;
	(void)f3;
	if ((f0 & need) != need) {
		log_msg(LOG_ERR, "the MTA cannot add and change header fields "
		    "(actions 0x%lx); not filtering this connection", f0);
		return SMFIS_REJECT;
	}
	*pf0 = need;
	/* libmilter starts *pf1 with SMFIP_NO* for every NULL callback. */
	proto = *pf1 | SMFIP_NOBODY | SMFIP_NOEOH | SMFIP_NODATA |
	    SMFIP_NOUNKNOWN;
	/* No reply for HELO and headers (on a unix socket only, see
	 * milter_register()): libmilter offers these even to an MTA without
	 * them, and then answers "continue" itself (see no_reply()). */
	if (negotiate_no_reply)
		proto |= f1 & (SMFIP_NR_HELO | SMFIP_NR_HDR);
	/* Only what the MTA offers (libmilter itself drops NODATA and
	 * NOUNKNOWN for an MTA without them). */
	*pf1 = proto & (f1 | SMFIP_NODATA | SMFIP_NOUNKNOWN);
	/* Over TCP, every stage is sent and answered, as before: Postfix sets
	 * no TCP_NODELAY, and a step it sends without waiting for an answer
	 * (a skipped stage's macros included) holds its next small write
	 * for the milter's delayed ACK, about 40 ms per message
	 * (bench/roundtrips.sh). */
	if (!negotiate_no_reply) {
		*pf1 &= ~(unsigned long)(SMFIP_NOBODY | SMFIP_NOEOH |
		    SMFIP_NODATA | SMFIP_NOUNKNOWN);
		return SMFIS_CONTINUE;
	}
	*pf2 = 0;
	*pf3 = 0;
	if ((f0 & SMFIF_SETSYMLIST) != 0) {
		*pf0 |= SMFIF_SETSYMLIST;
		for (i = 0; i < sizeof symlists / sizeof symlists[0]; i++)
			if (smfi_setsymlist(ctx, symlists[i].stage,
			    symlists[i].list) != MI_SUCCESS)
				log_msg(LOG_WARNING, "smfi_setsymlist %d \"%s\" "
				    "failed", symlists[i].stage,
				    symlists[i].list);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc rdns_desc = {
	.xxfi_name = milter_name,
	.xxfi_version = SMFI_VERSION,
	/* We add our field and delete forged ones (RFC 8601 5). */
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_connect = cb_connect,	/* start the PTR lookup; accept
					   trusted clients */
	.xxfi_helo = cb_helo,		/* start the HELO lookup; no reply */
	.xxfi_envfrom = cb_envfrom,	/* new message, {auth_authen} */
	.xxfi_envrcpt = cb_envrcpt,	/* policy per recipient */
	.xxfi_header = cb_header,	/* find forged A-R fields; no reply */
	.xxfi_eoh = NULL,
	.xxfi_body = NULL,
	.xxfi_eom = cb_eom,		/* add our field, log */
	.xxfi_abort = cb_abort,		/* reset the message */
	.xxfi_close = cb_close,		/* free the session */
	.xxfi_unknown = NULL,
	.xxfi_data = NULL,		/* macro i comes with RCPT and EOM */
	.xxfi_negotiate = cb_negotiate,
};

int
milter_register(bool no_reply_ok)
{
	negotiate_no_reply = no_reply_ok;
	return smfi_register(rdns_desc) == MI_SUCCESS ? 0 : -1;
}
