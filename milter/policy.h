/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h - from check results and a Policy to an action and a reply.
 *
 * DESCRIPTION
 *	SPEC 3.2.  The checks are taken in the order of the check table
 *	(checks.h: ptr, iprev, generic, helo, dnssec); the first one that
 *	definitively fails (check_verdict()) and whose action in the policy
 *	is not accept decides (reject -> 550 5.7.25, tempfail -> 451 4.7.25,
 *	the check's reply text).  Failing that, a check whose action is not
 *	accept and whose verdict is temporary hands the decision to the
 *	policy's temperror action (tempfail -> the 451 "Temporary failure"
 *	line of the temperror pseudo-check).
 *
 *	Definitive failures (the verdicts, checks_table.c):
 *	  ptr      ptr=fail
 *	  iprev    iprev=fail or iprev=permerror (permerror uses the PTR text)
 *	  generic  generic=yes, unless allowlisted (AllowDomains)
 *	  helo     x-ptr=fail and the HELO neither forward-confirms nor is
 *	           aligned, unless allowlisted (a HELO lookup temperror
 *	           makes it a temperror instead)
 *	  dnssec   dnssec=require and iprev=pass but not secure, acted on by
 *	           the iprev action
 *	Temporary: ptr/iprev/x-ptr temperror, generic temperror.
 *
 *	Reply texts are sanitised: printable ASCII only except '%' (which
 *	smfi_setreply(3) treats as an escape), each other byte '?', each
 *	inserted value capped at 255 bytes.
 *
 *	The types of a Policy line live here (the configuration holds them,
 *	conf.h; conf_policy.c parses them).
 *
 * OWNERSHIP
 *	A struct policy is owned by the configuration that parsed it (its
 *	domain too); a decision and a tally are the caller's plain data, and
 *	a tally points at the policies it was given, which must outlive it.
 *
 * THREAD SAFETY
 *	Pure: every function works on the caller's memory only.
 */
#ifndef RDNS_POLICY_H
#define RDNS_POLICY_H

#include <stdbool.h>

#include "checks.h"

struct config;

/** What a Policy line does when a check fails: SPEC 3.2. */
enum action {
	ACTION_ACCEPT = 0,
	ACTION_TEMPFAIL,
	ACTION_REJECT,
};

/** One Policy line.  Unset keys hold their defaults (accept, optional):
 * all zero. */
struct policy {
	char		*domain;	/* "*", "example.com" or ".example.com",
					   lower case, no trailing dot */
	/* Each check's key (check_info[id].policy_key): act[id] for a
	 * CHECK_PKEY_ACTION key (ptr, iprev, generic, helo) and for the
	 * CHECK_PKEY_TEMPERROR one (temperror: ACTION_ACCEPT or
	 * ACTION_TEMPFAIL), require[id] for a CHECK_PKEY_REQUIRE one
	 * (dnssec); ACTION_ACCEPT and false for the others. */
	enum action	 act[CHECK_ID_N];
	bool		 require[CHECK_ID_N];
	bool		 dry_run;	/* dryrun=yes: decide, log, count,
					   but accept */
	int		 line;		/* where it was defined (0: built-in) */
};

/* 3-digit code + ' ' + enhanced code + ' ' + text; texts hold at most two
 * capped values (2 * 255) plus fixed words. */
#define POLICY_TEXT_MAX	640

struct policy_decision {
	enum action		 action;	/* ACCEPT, TEMPFAIL, REJECT */
	enum check_id		 check;		/* what decided (NONE:
						   accept) */
	char			 rcode[4];	/* "550" / "451" / "" */
	char			 xcode[8];	/* "5.7.25" / "4.7.25" / "" */
	char			 text[POLICY_TEXT_MAX];	/* without the codes */
};

/**
 * Decide for one recipient under policy p.
 * @return the decision in *d (always filled).
 */
void policy_decide(const struct check_result *r, const struct policy *p,
    struct policy_decision *d);

/** "accept", "tempfail", "reject". */
const char *policy_action_str(enum action a);

/**
 * The action under which check id refuses when it fails: its own Policy
 * key's action (CHECK_PKEY_ACTION), its acted_by check's when its key is
 * "require" (CHECK_PKEY_REQUIRE), else accept.
 */
enum action policy_action_of(const struct policy *p, enum check_id id);

/**
 * Does this policy need a verdict at all?  False when every action is
 * accept (then RCPT never waits for DNS).
 */
bool policy_needs_verdict(const struct policy *p);

/**
 * The policy a recipient's decision runs under, with the configuration's
 * dry run: global DryRun or the Policy line's dryrun=yes (SPEC 4).
 */
bool policy_dry_run(const struct config *cf, const struct policy *p);

/*
 * What a message's recipients came to, for its summary line (SPEC 3.3:
 * action=, policy=, check=, rcpts=).  The milter adds each refused (or,
 * in dry run, would-be-refused) recipient as it decides it;
 * rdns-report --replay adds the decisions it makes again, so both name
 * the same policy for a message.
 */
struct policy_tally {
	enum action		 action;	/* strongest decided, dry-run
						   ones included */
	enum action		 enforced;	/* strongest not in dry run */
	bool			 dry_run_hit;	/* a dry-run policy would have
						   refused */
	unsigned long		 rcpts;		/* refused or would have been */
	/* The most specific policy that refused ([0]) or would have ([1],
	 * dry run), its specificity and its deciding check. */
	const struct policy	*pol[2];
	int			 rank[2];
	enum check_id		 check[2];
};

/** An empty tally: nothing refused. */
void policy_tally_reset(struct policy_tally *t);

/**
 * Count n recipients decided d under p (dry_run: policy_dry_run()).  An
 * accept decision is not counted.  p must outlive the tally.
 */
void policy_tally_add(struct policy_tally *t, const struct policy *p,
    const struct policy_decision *d, bool dry_run, unsigned long n);

/**
 * The summary's action=: what was enforced when anything was, else what a
 * dry-run policy would have done (*dry_run set: "(dry-run)"); accept when
 * nothing was refused.
 */
enum action policy_tally_action(const struct policy_tally *t, bool *dry_run);

/**
 * The summary's policy= and check=: the most specific enforcing policy
 * that refused, else the most specific dry-run one.  @return NULL (and
 * *check CHECK_ID_NONE) when nothing was refused.
 */
const struct policy *policy_tally_policy(const struct policy_tally *t,
    enum check_id *check);

/**
 * Split an envelope recipient ("<User@Example.COM.>", "user@example.com",
 * "<postmaster>") into its local part and domain, both lower case, the
 * domain without a trailing dot ("" when there is no '@').  The last '@'
 * separates them.  Nothing is ever cut: a buffer of strlen(rcpt) + 1
 * bytes always suffices (dlen, llen > 0).
 * @return 0, or -1 if a part does not fit its buffer (both are then "").
 */
int policy_split_recipient(const char *rcpt, char *local, size_t llen,
    char *domain, size_t dlen);

#endif
