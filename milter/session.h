/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h - per-connection state of the milter.
 *
 * DESCRIPTION
 *	A session is created in the connect callback and freed in close; it
 *	holds a reference to the runtime snapshot (runtime.h) it started
 *	with.  Per-message fields are reset at MAIL, EOM and abort.
 *
 * OWNERSHIP
 *	session_new() / session_free() (NULL is a no-op).
 *
 *	A session holds state only: its log lines are written by logline.c,
 *	its metrics counted by milter.c where a decision is made.
 *
 * THREAD SAFETY
 *	The rule for every field of struct session: only the libmilter
 *	thread running one of this connection's callbacks reads or writes it.
 *	libmilter runs one callback of a connection at a time (successive
 *	callbacks may run in different threads; libmilter orders them), so
 *	no field needs a lock.  No other thread ever sees a struct session:
 *	the resolver's delivery thread touches only *cs, under the check
 *	session's own lock (checks.h), through copies of what it needs
 *	(check_session_set_log()); *rt is an immutable snapshot shared
 *	read-only (runtime.h); serial comes from an atomic counter.
 */
#ifndef RDNS_SESSION_H
#define RDNS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "checks.h"
#include "conf.h"
#include "policy.h"
#include "rcptlist.h"
#include "resolver.h"
#include "runtime.h"

struct session {
	unsigned long		 serial;
	struct runtime		*rt;
	struct timespec		 start;		/* connect, CLOCK_MONOTONIC */
	struct timespec		 deadline;	/* start + DNSTimeout */

	struct rdns_ip		 ip;
	char			 ipstr[DNAME_IPSTR_MAX];
	char			 host[64];	/* sanitised, for logs */
	bool			 have_ip;
	bool			 trusted;	/* TrustedNetworks or no IP */
	bool			 failed_open;	/* lookups could not start: every
						   check temperror, "resolver
						   error" */
	struct check_session	*cs;
	char			 helo[CHECK_VALUE_MAX + 1];
	bool			 have_helo;

	/* Verdicts, computed when first needed, again after a new HELO. */
	bool			 have_result;
	struct check_result	 res;
	long			 verdict_ms;	/* connect to the answer that
						   completed the verdict */

	/* Per message. */
	bool			 in_message;
	bool			 authenticated;
	char			 qid[32];	/* sanitised macro i */
	char			 from[CHECK_VALUE_MAX + 1];	/* MAIL FROM,
						   sanitised, for logs */
	/* What the recipients came to (action=, policy=, check=, rcpts=);
	 * its policies point into rt->cf. */
	struct policy_tally	 tally;
	/* Every recipient looked at, for domains= and exempt= (SPEC 3.3). */
	struct rcptlist		 rl;
	unsigned		 n_ar;		/* A-R fields seen */
	/* Which of them are forged (ours, RFC 8601 5): bit i - 1 for the
	 * field smfi_chgheader() calls index i.  It grows with the message,
	 * one bit per field: there is no cap on how many are deleted. */
	unsigned char		*forged;
	size_t			 forged_cap;	/* bytes allocated */
	unsigned		 n_forged;
	bool			 forged_nomem;	/* one could not be recorded:
						   the message is deferred */
	bool			 logged_any;	/* a message line was logged */
	bool			 message_logged;	/* this message's line was
						   logged (accepted at MAIL) */
};

/** Allocate a session bound to rt (takes over the reference).  NULL if out
 * of memory (rt is then released). */
struct session *session_new(struct runtime *rt);

/** Cancel lookups, release everything.  NULL is a no-op. */
void session_free(struct session *s);

/** "client=host[ip] helo=<h> conn=N" for log lines about s (SPEC 3.3,
 * logline_ctx()). */
void session_log_ctx(const struct session *s, char *buf, size_t len);

/** The queue id, or "NOQUEUE". */
const char *session_qid(const struct session *s);

/** Log "QID: message; client=host[ip] helo=<h> conn=N" (logline_message():
 * every '=' of the message is logged as '?', it may quote client text). */
void session_log(const struct session *s, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Reset the per-message fields. */
void session_reset_message(struct session *s);

/**
 * Note one recipient the policy looked at (its domain, lower case, "" for
 * none; its local part if ExemptRecipients exempts it, else NULL) for
 * the summary line's domains= and exempt=.
 */
void session_note_rcpt(struct session *s, const char *exempt_local,
    const char *domain);

/** True if the message has a recipient the policy looked at. */
bool session_has_rcpts(const struct session *s);

/**
 * Remember that the index-th Authentication-Results field of the message
 * (counted from 1, as smfi_chgheader() does) is forged.  No cap: the
 * record grows as needed.  @return 0, or -1 if out of memory (then
 * forged_nomem is set).
 */
int session_forged_add(struct session *s, unsigned index);

/** Is the index-th Authentication-Results field forged? */
bool session_forged_at(const struct session *s, unsigned index);

/**
 * A HELO or EHLO (any bytes; copied, capped): it replaces the previous one
 * and the verdict is computed again when next needed, so that its HELO
 * part (x-ptr, the helo policy, smtp.helo, helo=) follows the HELO in
 * force at each MAIL.  The check session looks the new name up (and
 * cancels the previous HELO's lookup, see check_session_helo()).
 */
void session_new_helo(struct session *s, const char *helo);

/**
 * The verdicts, waiting for DNS (bounded by the session deadline) the first
 * time, and again after a new HELO.  Records nothing: *computed tells the
 * caller that this call computed them (milter.c counts each verdict in
 * the metrics once).
 * @return the result, or NULL if there is no check session or out of
 * memory.
 */
const struct check_result *session_result(struct session *s,
    bool *computed);

/** True if session_result() would not wait. */
bool session_result_ready(const struct session *s);

/**
 * Log the one summary line (SPEC 3.3, logline_summary()) for this message
 * or connection: trusted or authenticated, else the verdicts r
 * (session_result(); NULL: "internal-error"), else with incomplete (at
 * close, when !session_result_ready()) what is known without waiting:
 * lookups still outstanding are logged as timed out and the line ends
 * "dns=incomplete".
 */
void session_log_summary(struct session *s, const struct check_result *r,
    bool incomplete);

/**
 * Record and log one refused (or, with dry_run, would-be-refused)
 * recipient (logline_reject(), SPEC 3.3), and remember policy and check
 * for the summary line.  rcpt is the raw RCPT argument.
 */
void session_refused_rcpt(struct session *s, const char *rcpt,
    const struct policy *p, const struct policy_decision *d, bool dry_run);

#endif
