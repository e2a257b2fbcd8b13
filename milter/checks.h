/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checks.h - the reverse-DNS check engine (SPEC 2).
 *
 * DESCRIPTION
 *	A check session is fed a client IP, starts the PTR lookup at once,
 *	starts the forward lookups (A for IPv4 clients, AAAA for IPv6) of the
 *	first max_ptr_names PTR names in parallel as soon as the PTR answer
 *	arrives, and on check_session_helo() starts the HELO name's own forward
 *	lookup (one at a time: a new HELO cancels the previous HELO's lookup;
 *	at most CHECK_HELO_LOOKUPS_MAX per session).  Identical forward
 *	lookups (a HELO equal to a PTR name, a PTR name listed twice) are made
 *	once.  check_session_wait() blocks the
 *	caller until every lookup has answered or the session deadline has
 *	passed; check_session_result() then computes the verdicts:
 *
 *	ptr	pass | fail (NXDOMAIN, NODATA) | temperror (SERVFAIL,
 *		timeout, bogus)
 *	iprev	pass | fail | permerror | temperror (RFC 8601 2.7.3; the
 *		mapping table is in checks.c)
 *	x-ptr	pass | fail | neutral | none | temperror
 *	generic	yes | no | temperror (no verified name: no)
 *	aligned	the HELO's organizational domain is a confirmed name's
 *	allowlisted	the verified name is in AllowDomains
 *
 *	It knows nothing of libmilter; rdns-check and the milter share it.
 *
 *	THE CHECK TABLE.  check_info[] (checks_table.c) is the one place a
 *	check is named: for each check its name (check= of the log lines and
 *	metrics, rdns-report's and rdns-check's label), its Policy key and
 *	what it takes, its result labels and which of them fail, its key on
 *	the summary line, its metric label, its place in the
 *	Authentication-Results field, rdns-check's word for an address that
 *	fails it, its policy verdict and its reply text.  Policy parsing
 *	(conf_policy.c), the decision (policy.c), the metrics, the log lines
 *	(logline.c), logparse, replay, rdns-report, rdns-check and the
 *	header (authres.c) iterate over it; test_checks_table walks every
 *	check through them.  Adding a check: doc/HACKING.md.
 *
 * OWNERSHIP
 *	check_session_new() / check_session_free().  The session keeps its
 *	own copies of every input.  check_session_free() may be called with
 *	lookups in flight: they are cancelled, and a callback that can no
 *	longer be cancelled finds the session marked closed and only drops its
 *	reference; the memory goes away with the last reference.  Results
 *	(struct check_result) are plain data owned by the caller.
 *
 * THREAD SAFETY
 *	A session is driven by one thread at a time (libmilter guarantees
 *	this for one connection); answers arrive in the resolver thread; a
 *	per-session mutex and condition variable join the two.  No global
 *	lock is held across a wait.
 */
#ifndef RDNS_CHECKS_H
#define RDNS_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dname.h"
#include "generic.h"
#include "resolver.h"

struct generic_patterns;
struct check_result;
struct strbuf;

/** Check results, named as in RFC 8601. */
enum check_res {
	CHECK_NONE = 0,
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_NEUTRAL,
	CHECK_TEMPERROR,
	CHECK_PERMERROR,
};

/** Generic verdict. */
enum generic_res {
	GENERIC_NO = 0,
	GENERIC_YES,
	GENERIC_TEMPERROR,	/* iprev=temperror: cannot be judged */
};

/*
 * The check table: see DESCRIPTION.
 */

/** The checks, in the order the policy tries them (SPEC 3.2: the first
 * that fails under a refusing action decides), between the two
 * pseudo-checks a decision can name. */
enum check_id {
	CHECK_ID_NONE = 0,	/* pseudo: nothing decided (accept) */
	CHECK_ID_PTR,
	CHECK_ID_IPREV,
	CHECK_ID_GENERIC,
	CHECK_ID_HELO,		/* its result is x-ptr */
	CHECK_ID_DNSSEC,
	CHECK_ID_TEMPERROR,	/* pseudo: a temporary error decided */
	CHECK_ID_N
};

/** The value set of a check's result; each label is written once, in
 * checks_table.c (dnssec's in resolver.c). */
enum check_vocab {
	CHECK_VOCAB_NONE = 0,	/* a pseudo-check: no result of its own */
	CHECK_VOCAB_RES,	/* enum check_res: check_res_str() */
	CHECK_VOCAB_GENERIC,	/* enum generic_res: generic_res_str() */
	CHECK_VOCAB_DNSSEC,	/* enum dnssec_status: dnssec_status_str() */
};

/** What a result, or a check's verdict, comes to. */
enum check_class {
	CHECK_CLASS_OK = 0,	/* nothing to act on */
	CHECK_CLASS_FAIL,	/* a definitive failure */
	CHECK_CLASS_TEMP,	/* a temporary error */
};

/** What a check's Policy key takes (SPEC 4), and what it does. */
enum check_pkey {
	CHECK_PKEY_NONE = 0,	/* it has no key */
	CHECK_PKEY_ACTION,	/* reject, tempfail or accept: the action
				   when the check fails (struct policy act) */
	CHECK_PKEY_TEMPERROR,	/* tempfail or accept: the action when a
				   temporary error decides (act) */
	CHECK_PKEY_REQUIRE,	/* require or optional: when required, the
				   check fails under the action of its
				   acted_by check (struct policy require) */
};

/** Where a check shows in the Authentication-Results field (SPEC 3.1);
 * authres.c writes the field's fixed shape. */
enum check_header {
	CHECK_HDR_NONE = 0,
	CHECK_HDR_METHOD,	/* a result element of its own, "header=R" */
	CHECK_HDR_COMMENT,	/* a word in the iprev element's comment */
};

/* The most results one check can have. */
#define CHECK_RESULTS_MAX	6

/** One result a check can have, and what it comes to on its own (rdns-
 * check's exit status; the policy unless the check has a verdict). */
struct check_value {
	int		 value;		/* in the check's vocabulary */
	enum check_class cls;
};

struct check_info {
	const char	*name;		/* check= of the log lines and of
					   rdns_milter_decisions_total;
					   rdns-report's and rdns-check's
					   label */
	/* The policy (SPEC 3.2, 4). */
	const char	*policy_key;	/* its key on a Policy line, or
					   NULL */
	enum check_pkey	 pkey;
	enum check_id	 acted_by;	/* CHECK_PKEY_REQUIRE: whose action */
	/* Its verdict for the policy, when that is more than the class of
	 * its result (an exemption, another input); NULL: the class. */
	enum check_class (*verdict)(const struct check_result *r);
	/* The reply text when it decides (without the codes): printable
	 * ASCII, no '%', each inserted value capped (policy.h). */
	void		(*reply)(struct strbuf *sb,
			    const struct check_result *r);
	/* Its result. */
	enum check_vocab vocab;
	int		(*get)(const struct check_result *r);
	void		(*set)(struct check_result *r, int value);
	size_t		 n_results;
	struct check_value results[CHECK_RESULTS_MAX];	/* the values it
					   can have, in the order the
					   metrics write them */
	const char	*log_key;	/* its key on the summary line
					   (check_logged[]), or NULL */
	const char	*metric;	/* its check= label of
					   rdns_milter_check_results_total,
					   or NULL (dnssec has a family of
					   its own) */
	enum check_header header_kind;
	const char	*header;	/* its method, or its comment word */
	const char	*category;	/* rdns-check's word for an address
					   that fails it (no-ptr); NULL:
					   it never fails on its own, and
					   rdns-check does not show it */
};

/** Every check, indexed by its id. */
extern const struct check_info check_info[CHECK_ID_N];

/* The checks but none in the order people read them: rdns-check, the
 * metric rdns_milter_check_results_total, the keys of a Policy line (its
 * error messages, rdns-milter -n -v). */
#define CHECK_N_SHOWN	(CHECK_ID_N - 1)
extern const enum check_id check_shown[CHECK_N_SHOWN];

/* The checks with a log_key, in the order of their keys on the summary
 * line (rdns-milter(8) LOGGING). */
#define CHECK_N_LOGGED	5
extern const enum check_id check_logged[CHECK_N_LOGGED];

/** The name of check id ("ptr" ... "temperror", "none"), or "unknown". */
const char *check_name(enum check_id id);

/** The check named s[n] (a decision's check=, "none" too).  @return its
 * id, or -1. */
int check_by_name(const char *s, size_t n);

/** The label of value in check id's vocabulary (out of range: as its
 * vocabulary's function says), or NULL for a pseudo-check. */
const char *check_label(enum check_id id, int value);

/** The value labelled s[n] in check id's vocabulary, or -1. */
int check_parse(enum check_id id, const char *s, size_t n);

/** Where value is in check id's results[], or -1 if it cannot have it. */
int check_result_index(enum check_id id, int value);

/** What value comes to on its own (CHECK_CLASS_OK when the check cannot
 * have it). */
enum check_class check_class_of(enum check_id id, int value);

/** The verdict of check id on r for the policy: its verdict function,
 * else the class of its result. */
enum check_class check_verdict(enum check_id id, const struct check_result *r);

/** "no", "yes", "temperror" (out of range: "temperror"). */
const char *generic_res_str(enum generic_res g);

/* Values inserted in headers and replies are capped at 255 bytes. */
#define CHECK_VALUE_MAX		255
/* PTR names kept for reporting (all are reported up to this many; see
 * check_params.only_used_names). */
#define CHECK_MAX_NAMES_KEPT	256
/* HELO/EHLO names looked up per connection (rdns-milter(8)): a client
 * repeating EHLO with ever new names gets no more; past that a new HELO's
 * own forward confirmation is temperror.  A HELO equal to a PTR name, or to
 * the HELO before it, needs no lookup of its own and is not counted. */
#define CHECK_HELO_LOOKUPS_MAX	8

/* A connection's context for log lines: "client=host[ip] helo=<h>
 * conn=N" (SPEC 3.3). */
#define CHECK_LOG_CTX_MAX	400

struct check_params {
	unsigned	 max_ptr_names;		/* forward-looked-up names */
	const struct generic_patterns *generic;	/* NULL: IP test only */
	const struct resolver_ops *ops;
	void		*resolver;
	const struct generic_roles *roles;	/* MailRoleWords; NULL: the
						   mail-role rule is off */
	char *const	*allow;			/* AllowDomains (orgdomain.h
						   form), n_allow of them */
	size_t		 n_allow;
	const char	*log_ctx;	/* for log lines, or NULL */
	/*
	 * Optional (NULL: none): called each time an answer is folded in
	 * and everything the verdicts need is known, so that one thread can
	 * drive many sessions (rdns-check's address ranges) without waiting
	 * on each.  It runs with the session's lock held, in the resolver
	 * thread or in the caller's (inside check_session_new() or
	 * check_session_helo(), when a cached answer completes the session),
	 * never after check_session_free() has returned.  It must only note
	 * the fact and wake a waiter: never call back into the session.
	 * A later check_session_helo() can make the session undecided again
	 * until the HELO's lookup answers; check_session_done() tells.
	 */
	void		(*on_decided)(void *arg);
	void		*on_decided_arg;
	bool		 only_used_names;	/* keep only the PTR names the
					   verdicts use (the first one and
					   those looked up); false: every name
					   up to CHECK_MAX_NAMES_KEPT, for
					   reports */
};

/** One PTR name as seen in the answer. */
struct check_ptr_name {
	struct dname_wire_text name;	/* pres / safe / hostname */
	bool		 looked_up;	/* among the first max_ptr_names and
					   a valid hostname */
	enum dns_result	 fwd_result;	/* of its forward lookup */
	enum dnssec_status fwd_dnssec;
	bool		 confirmed;	/* its address set holds the client IP */
	char		 fwd_addrs[160];	/* the first addresses seen, for
					   reports ("192.0.2.1 192.0.2.7") */
};

struct check_result {
	struct rdns_ip	 ip;
	char		 ipstr[DNAME_IPSTR_MAX];

	/* ptr */
	enum check_res	 ptr;		/* PASS, FAIL, TEMPERROR */
	enum dns_result	 ptr_dns;	/* class of the PTR answer */
	enum dnssec_status ptr_dnssec;
	char		 ptr_why_bogus[256];	/* sanitised, "" if none */
	size_t		 n_names;	/* PTR records, in answer order */
	struct check_ptr_name *names;	/* n_names entries (owned; see
					   check_result_clear()) */
	bool		 names_truncated;	/* more than kept */

	/* iprev */
	enum check_res	 iprev;		/* PASS, FAIL, PERMERROR, TEMPERROR */
	enum dnssec_status iprev_dnssec;	/* weakest answer used */
	int		 verified;	/* index in names, or -1 */
	char		 reason[CHECK_VALUE_MAX + 80];	/* header comment
					   phrase, "" on pass: "no PTR record",
					   "PTR x does not resolve to <ip>",
					   "DNS timeout", "SERVFAIL",
					   "DNSSEC bogus" */

	/* helo / x-ptr */
	bool		 have_helo;
	char		 helo[CHECK_VALUE_MAX + 1];	/* raw, NUL-free copy of
					   the HELO argument, capped */
	enum check_res	 xptr;		/* PASS FAIL NEUTRAL NONE TEMPERROR */
	int		 helo_match;	/* names index equal to the HELO and
					   verified, or -1 */
	enum check_res	 helo_fwd;	/* HELO's own forward lookup:
					   PASS = resolves to the client IP,
					   FAIL = definitively not,
					   TEMPERROR, NONE = not looked up */
	enum dns_result	 helo_dns;	/* class of that lookup's answer */
	char		 helo_addrs[160];	/* its first addresses */

	/* HELO alignment (SPEC 2): the HELO is a hostname whose
	 * organizational domain is that of a confirmed PTR name. */
	bool		 helo_aligned;
	char		 org_domain[DNAME_TEXT_MAX];	/* the verified name's
					   organizational domain, "" if none */
	char		 helo_org[DNAME_TEXT_MAX];	/* the HELO's, when
					   aligned; else "" */

	/* generic */
	enum generic_res generic;
	char		 generic_rule[GENERIC_RULE_NAME_MAX];	/* the evidence
					   (generic.h): a rule name or
					   embedded-ipv*; "" unless yes */
	char		 generic_reason[GENERIC_REASON_MAX];	/* for people:
					   "embeds 203.0.113.42 as ...",
					   "rule dyn-word (...)"; "" unless
					   yes */

	/* AllowDomains: the verified name is listed (exempt from the
	 * generic and helo policies) */
	bool		 allowlisted;

	bool		 resolver_error;	/* a lookup could not be started
					   (out of memory, a dead resolver):
					   every check is temperror, reason
					   "resolver error" */
	bool		 timed_out;	/* the deadline cut some lookup */
	double		 elapsed;	/* seconds from check_session_new() to
					   the answer that completed the
					   verdict (or to the result call, if
					   it never completed) */
};

struct check_session;

/**
 * Start checking ip.  The PTR lookup is submitted before this returns.
 * deadline is absolute, CLOCK_MONOTONIC.
 * If the PTR lookup cannot be started, the session still exists and its
 * result is a resolver error (check_result_resolver_error()).
 * @return the session, or NULL if out of memory.
 */
struct check_session *check_session_new(const struct check_params *p,
    const struct rdns_ip *ip, const struct timespec *deadline);

/**
 * Record the HELO/EHLO argument (any bytes; copied, capped) and start its
 * forward lookup if it is a valid hostname.  A later call replaces the
 * earlier HELO (RSET then EHLO again) and cancels the earlier HELO's
 * lookup unless a PTR name shares it.  Past CHECK_HELO_LOOKUPS_MAX
 * lookups in the session, a new name is not looked up: its forward
 * confirmation (helo_fwd) is temperror.
 */
void check_session_helo(struct check_session *s, const char *helo);

/**
 * Wait until every lookup has answered, or the session deadline passed.
 * @return true if complete, false if the deadline cut it short.
 */
bool check_session_wait(struct check_session *s);

/** True if every lookup has answered (never blocks). */
bool check_session_done(struct check_session *s);

/**
 * Compute the verdicts from what has arrived so far; lookups still
 * pending count as timed out.  Call after check_session_wait().
 * @return 0, or -1 if out of memory.
 */
int check_session_result(struct check_session *s, struct check_result *out);

/** Set what log lines about this connection carry: the queue id (or
 * NOQUEUE) and the context (NULL: unchanged).  Thread-safe. */
void check_session_set_log(struct check_session *s, const char *qid,
    const char *ctx);

/** Make r the verdict of a connection whose lookups could not start:
 * every check temperror with the reason "resolver error".  Fields the
 * caller set (ip, ipstr, have_helo, helo) are kept. */
void check_result_resolver_error(struct check_result *r);

/**
 * The verdicts on r's verified name that its configuration decides:
 * generic (p->generic, p->roles: GenericRules, GenericDisable,
 * MailRoleWords) and allowlisted (p->allow: AllowDomains), from r's
 * iprev, verified name and address.  check_session_result() ends with
 * it; rdns-report --replay calls it with another configuration's
 * parameters on a logged verdict.
 */
void check_result_judge(const struct check_params *p, struct check_result *r);

/** Cancel outstanding lookups and release the session.  NULL is a no-op. */
void check_session_free(struct check_session *s);

/** Free what check_session_result() allocated inside r (not r itself). */
void check_result_clear(struct check_result *r);

/** The label of a result (RFC 8601): pass, fail, ... (out of range:
 * temperror); the labels are written in checks_table.c. */
const char *check_res_str(enum check_res r);

/** The result labelled s[n] (check_res_str()), or -1. */
int check_res_parse(const char *s, size_t n);

/** The verified name (safe form), or NULL. */
const char *check_result_verified_name(const struct check_result *r);

/** Size of the safe form of a PTR name (struct dname_wire_text). */
#define CHECK_NAME_SIZE	sizeof(((struct dname_wire_text *)0)->safe)

/** The safe form of names[i], or NULL if i is not a valid index. */
const char *check_result_name_at(const struct check_result *r, int i);

/** The first PTR name (safe form), or NULL. */
const char *check_result_first_name(const struct check_result *r);

/** Convenience: monotonic now + seconds. */
void check_deadline_in(struct timespec *ts, double seconds);

#endif
