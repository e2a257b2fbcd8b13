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
 * THREAD SAFETY
 *	A session is used by one libmilter thread at a time.
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

/** "client=host[ip] helo=<h> conn=N" for log lines about s (SPEC 3.3):
 * sanitised, no space or '=' inside a value (session_log_value()). */
void session_log_ctx(const struct session *s, char *buf, size_t len);

/** The queue id, or "NOQUEUE". */
const char *session_qid(const struct session *s);

/** Log "QID: message; client=host[ip] helo=<h> conn=N".  Every '=' of
 * the message is logged as '?': it may quote client text (a reply). */
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
 * time.  @return the result, or NULL if there is no check session or
 * out of memory.
 */
const struct check_result *session_result(struct session *s);

/**
 * Log the one summary line (SPEC 3.3) for this message or connection.
 * With may_wait false (close) it never waits for DNS: lookups still
 * outstanding are logged as timed out and the line ends "dns=incomplete".
 */
void session_log_summary(struct session *s, bool may_wait);

/**
 * Record and log one refused (or, with dry_run, would-be-refused)
 * recipient: the Postfix-style line of SPEC 3.3 and rdns-milter(8),
 *	QID: reject: RCPT from HOST[IP]: 550 5.7.25 TEXT; from=<F> to=<T>
 *	    helo=<H> policy=DOMAIN check=CHECK
 * ("reject(dry-run)", "tempfail", "tempfail(dry-run)" likewise), and
 * remember policy and check for the summary line.  rcpt is the raw RCPT
 * argument.
 */
void session_refused_rcpt(struct session *s, const char *rcpt,
    const struct policy *p, const struct policy_decision *d, bool dry_run);

/**
 * Copy a client-controlled envelope value for the log: outer "<>" and
 * blanks removed, then every byte that is not printable ASCII, and
 * space, '=', '<' and '>' (the field delimiters), becomes '?'; at most
 * dstlen - 1 bytes.
 */
void session_log_addr(char *dst, size_t dstlen, const char *src);

/**
 * Copy a client- or DNS-controlled value (the MTA's host name, the HELO,
 * the queue id, a PTR name) for a log line, src[srclen] up to a NUL:
 * every byte that is not printable ASCII, and space and '=', becomes '?'
 * (SPEC 3.3: a value can never produce " key=" on the line); at most
 * dstlen - 1 bytes, NUL-terminated.  @return dst.
 */
char *session_log_value(char *dst, size_t dstlen, const char *src,
    size_t srclen);

#endif
