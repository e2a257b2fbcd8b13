/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.h - rdns-milter's log lines about a connection (SPEC 3.3,
 * rdns-milter(8) LOGGING): the summary line, the per-recipient reject
 * line, the connection's context and the values on them.
 *
 * DESCRIPTION
 *	Every line names its connection as Postfix does: the queue id (or
 *	NOQUEUE) first, the context "client=host[ip] helo=<h> conn=N" last
 *	(struct logline_client).
 *
 *	logline_summary() writes the one summary line of a message or of a
 *	connection without one:
 *
 *	    QID: ip=IP ptr=pass iprev=pass name=NAME dnssec=secure
 *	     helo=HELO x-ptr=pass generic=no [generic_rule=RULE]
 *	     action=A policy=P check=C rcpts=N helo_fwd=R helo_aligned=B
 *	     allowlisted=B domains=D exempt=E ms=N [dns=...]
 *	     client=host[ip] conn=N
 *
 *	Its verdict keys (logline_verdicts()) come from the check table
 *	(checks.h): each logged check's log_key and result label, in
 *	check_logged[] order, with the verified name after iprev=, the HELO
 *	before x-ptr= and the generic evidence after generic=.  logparse.c
 *	reads them back under the same keys.
 *
 *	logline_reject() writes the Postfix-style line of one refused
 *	recipient; logline_message() any other line about the connection.
 *
 *	No client- or DNS-controlled value can produce a " key=" on a line:
 *	logline_value() and logline_addr() make values safe (space and '='
 *	become '?'), and free text (a reply, a message) has its '=' as '?'.
 *
 * OWNERSHIP
 *	Writes into the caller's buffers; allocates and keeps nothing.
 *
 * THREAD SAFETY
 *	Pure.
 */
#ifndef RDNS_LOGLINE_H
#define RDNS_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "checks.h"
#include "policy.h"
#include "rcptlist.h"
#include "strbuf.h"

/** The connection a line is about (every pointer borrowed; the values
 * are raw, made safe here). */
struct logline_client {
	const char	*qid;		/* the queue id, "" or NULL: NOQUEUE */
	const char	*host;		/* the MTA's name for the client, ""
					   or NULL: unknown */
	const char	*ip;		/* the client address, NULL: none */
	const char	*helo;		/* the HELO in force, NULL: none */
	unsigned long	 serial;	/* conn= */
};

/** Why a summary line has no verdicts. */
enum logline_unchecked {
	LOGLINE_CHECKED = 0,	/* it has them (or internal-error) */
	LOGLINE_TRUSTED,	/* TrustedNetworks, or no address */
	LOGLINE_AUTHENTICATED,	/* SkipAuthenticated */
};

/** What a summary line reports besides the client. */
struct logline_summary {
	enum logline_unchecked unchecked;
	const struct check_result *r;	/* NULL (when checked): the verdict
					   could not be computed,
					   "internal-error" */
	bool		 incomplete;	/* lookups still out: "dns=incomplete" */
	long		 ms;		/* connect to verdict */
	const struct policy_tally *tally;	/* action= policy= check=
					   rcpts= */
	const struct rcptlist *rl;	/* domains= exempt= */
};

/* The longest context: "client=" host[ip] " helo=" HELO " conn=" N. */
#define LOGLINE_CTX_MAX		CHECK_LOG_CTX_MAX

/* The longest summary line: the fixed words (under 400 bytes), the queue
 * id, the address, the verified name, the HELO, the rule name, the
 * policy's domain, the two recipient lists and the context. */
#define LOGLINE_SUMMARY_MAX	6144

/**
 * The context "client=host[ip] helo=<h> conn=N" (with_helo false: without
 * helo=, the summary line has its own) into buf[len].  @return buf.
 */
char *logline_ctx(char *buf, size_t len, const struct logline_client *c,
    bool with_helo);

/** The queue id of c, or "NOQUEUE". */
const char *logline_qid(const struct logline_client *c);

/**
 * The summary line of c (SPEC 3.3) into sb (LOGLINE_SUMMARY_MAX bytes
 * always suffice).
 */
void logline_summary(struct strbuf *sb, const struct logline_client *c,
    const struct logline_summary *in);

/**
 * Append the verdict keys of r.  name (the verified name) and helo are
 * already safe for a log line (logline_value()), "-" when there is none.
 */
void logline_verdicts(struct strbuf *sb, const struct check_result *r,
    const char *name, const char *helo);

/**
 * The line of one refused (dry_run: would-be-refused) recipient:
 *	QID: reject: RCPT from HOST[IP]: 550 5.7.25 TEXT; from=<F> to=<T>
 *	    helo=<H> policy=DOMAIN check=CHECK
 * ("reject(dry-run)", "tempfail", "tempfail(dry-run)" likewise).  from is
 * already safe (logline_addr()); rcpt is the raw RCPT argument.
 */
void logline_reject(struct strbuf *sb, const struct logline_client *c,
    const char *from, const char *rcpt, const struct policy *p,
    const struct policy_decision *d, bool dry_run);

/** "QID: MESSAGE; CONTEXT", every '=' of message as '?' (it may quote
 * client text). */
void logline_message(struct strbuf *sb, const struct logline_client *c,
    const char *message);

/**
 * Copy a client- or DNS-controlled value (the MTA's host name, the HELO,
 * the queue id, a PTR name) for a log line, src[srclen] up to a NUL:
 * every byte that is not printable ASCII, and space and '=', becomes '?'
 * (SPEC 3.3: a value can never produce " key=" on the line); at most
 * dstlen - 1 bytes, NUL-terminated.  @return dst.
 */
char *logline_value(char *dst, size_t dstlen, const char *src,
    size_t srclen);

/**
 * Copy a client-controlled envelope value for the log: outer "<>" and
 * blanks removed, then every byte that is not printable ASCII, and
 * space, '=', '<' and '>' (the field delimiters), becomes '?'; at most
 * dstlen - 1 bytes.
 */
void logline_addr(char *dst, size_t dstlen, const char *src);

#endif
