/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.h - decide a logged message again under another configuration
 * (rdns-report --replay, SPEC 5, rdns-report(1) REPLAY).
 *
 * DESCRIPTION
 *	A summary line (rdns-milter(8) LOGGING) carries every input of a
 *	policy decision.  replay_message() rebuilds from it the
 *	struct check_result the milter decided on, with what depends on the
 *	configuration judged again under the replayed one:
 *
 *	  generic	generic_assess() on the logged verified name and
 *			address, with the configuration's rules and
 *			MailRoleWords (GenericRules, GenericDisable)
 *	  allowlisted	the verified name against its AllowDomains
 *	  trusted	the address against its TrustedNetworks: a client it
 *			trusts is not checked at all
 *
 *	and the DNS verdicts as logged (ptr, iprev, x-ptr, dnssec, the HELO's
 *	forward confirmation and alignment).  Then every recipient of
 *	domains= and exempt= (rcptlist.h) goes through what the milter's
 *	RCPT callback does: config_is_exempt() (on the logged local part of
 *	a recipient exempt when logged), config_policy_for(),
 *	policy_needs_verdict(), policy_decide(), policy_dry_run(), and the
 *	message's struct policy_tally, so that the replay names the policy
 *	and check the milter would have logged.
 *
 *	What the line cannot tell is reported, never guessed: lines of older
 *	versions (no domains=), recipients past the list's cap ("+N"),
 *	verdicts cut short by a connection that closed (dns=incomplete).
 *
 * OWNERSHIP
 *	replay_new() / replay_free(); the configuration must outlive the
 *	replay and every policy pointer it hands out points into it.
 *
 * THREAD SAFETY
 *	One replay per thread.
 */
#ifndef RDNS_REPLAY_H
#define RDNS_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf.h"
#include "logparse.h"
#include "policy.h"
#include "rcptlist.h"

enum replay_status {
	REPLAY_DONE = 0,	/* decided again */
	REPLAY_OLD,		/* no domains= or exempt=: an older version's
				   line */
	REPLAY_INCOMPLETE,	/* dns=incomplete with recipients: the verdict
				   the replayed policy would have waited for
				   is not known */
	REPLAY_BAD,		/* the inputs break the grammar */
	REPLAY_TRUSTED,		/* the replayed TrustedNetworks hold the
				   client: not checked */
};

/* One refusing decision: n recipients under p. */
struct replay_decision {
	const struct policy	*p;
	enum check_id	 check;
	enum action		 action;
	bool			 dry_run;
	unsigned long		 n;
};

#define REPLAY_MAX_DECISIONS	(2 * RCPTLIST_ITEMS)

struct replay_msg {
	enum replay_status	 status;
	struct policy_tally	 tally;		/* the message's action=,
						   policy=, check= */
	struct replay_decision	 d[REPLAY_MAX_DECISIONS];	/* refusing
						   ones, in the line's order */
	size_t			 n_d;
	unsigned long		 rcpts;		/* recipients decided */
	unsigned long		 exempt;	/* exempt under the replayed
						   configuration */
	unsigned long		 unexempted;	/* exempt when logged, decided
						   here */
	unsigned long		 unlisted;	/* "+N": not decided */
	bool			 generic_differs;	/* the replayed rules
						   judge the name otherwise */
	bool			 allow_differs;	/* so does AllowDomains */
};

/* What a replay cannot tell from any log, one sentence each (printed by
 * rdns-report --replay and written in rdns-report(1) REPLAY);
 * NULL-ended. */
extern const char *const replay_cannot_tell[];

/* What a replay decided and could not, over all its lines. */
struct replay_stats {
	unsigned long long	 msgs;		/* REPLAY_DONE */
	unsigned long long	 rcpts;		/* decided */
	unsigned long long	 exempt;	/* exempt here */
	unsigned long long	 unexempted;	/* exempt when logged, not
						   here: decided */
	unsigned long long	 unlisted;	/* "+N", not decided */
	unsigned long long	 unlisted_msgs;	/* messages with some */
	unsigned long long	 generic_differs, allow_differs;	/* messages */
	unsigned long long	 trusted, old, incomplete, bad;	/* lines, by
						   status */
};

struct replay;

/** A replay under cf (not copied).  @return NULL when out of memory. */
struct replay *replay_new(const struct config *cf);

void replay_free(struct replay *rp);

/**
 * Decide the message of summary line l (LP_SUMMARY) again.
 * @return out->status.
 */
enum replay_status replay_message(struct replay *rp, const struct lp_line *l,
    struct replay_msg *out);

/** The counts so far. */
const struct replay_stats *replay_stats(const struct replay *rp);

/**
 * Print what the replay decided and could not (the "replay" part of
 * rdns-report(1)'s output): text lines, or (json) the value of its
 * "replay" member.  name is the configuration's file; old and unchecked
 * are the report's count of older-format and unchecked lines, which never
 * reach the replay.  @return 0, or -1 when out of memory.
 */
int replay_print(const struct replay *rp, FILE *fp, bool json,
    const char *name, unsigned long long old, unsigned long long unchecked);

#endif
