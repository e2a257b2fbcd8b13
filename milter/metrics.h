/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.h - counters and latency histograms, Prometheus text format.
 *
 * DESCRIPTION
 *	The milter counts sessions, each check's results, actions taken, DNS
 *	timeouts, DNSSEC statuses and the connect-to-verdict latency.  The
 *	counters are process-wide atomics: recording never takes a lock and
 *	never allocates, so it is safe in every callback.
 *	metrics_render() writes the Prometheus text exposition format
 *	(version 0.0.4).  When MetricsListen is set, metrics_start() serves
 *	it at "/metrics" over HTTP with libmicrohttpd (one internal thread;
 *	loopback by default; metrics_http.c, the daemon's).
 *
 *	Everything is counted by enum, never by string: the check results,
 *	DNSSEC statuses and deciding checks come with their labels from the
 *	check table (checks.h), the actions from policy_action_str(), the
 *	skip reasons from enum metrics_skip.  A value that cannot occur is
 *	not counted, and never makes a series.
 *
 * OWNERSHIP
 *	The counters are process-wide and live as long as the process.  A
 *	Policy domain that decided is copied once and kept (its series must
 *	not vanish when a reload drops the line); at most
 *	METRICS_MAX_POLICIES of them.  metrics_render() writes into the
 *	caller's buffer.
 *
 * THREAD SAFETY
 *	Recording and rendering: any thread.  metrics_start()/metrics_stop():
 *	main thread only.
 */
#ifndef RDNS_METRICS_H
#define RDNS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "checks.h"
#include "policy.h"

/** A session began (connect); trusted / authenticated are counted
 * separately with metrics_skipped(). */
void metrics_session_start(void);

/** A session ended (close). */
void metrics_session_end(void);

/** Why a connection or message was not checked. */
enum metrics_skip {
	METRICS_SKIP_TRUSTED = 0,	/* TrustedNetworks, or no address */
	METRICS_SKIP_AUTHENTICATED,	/* SkipAuthenticated */
	METRICS_SKIP_ERROR,		/* no session (out of memory) */
	METRICS_SKIP_N
};

/** A connection or message not checked, and why. */
void metrics_skipped(enum metrics_skip why);

/** Count the results of one completed verdict (once per session). */
void metrics_result(const struct check_result *r);

/** Count one recipient decision (dry_run: would have refused). */
void metrics_action(enum action a, bool dry_run);

/**
 * Count one recipient decision by the Policy line that made it: policy is
 * that line's domain text ("*", "example.com", ".example.org"), check the
 * deciding check (CHECK_ID_NONE for accept), dry_run the policy's mode.
 * The label set is bounded by the configuration; past
 * METRICS_MAX_POLICIES distinct domains the rest share policy="~other".
 */
void metrics_decision(const char *policy, enum check_id check,
    enum action a, bool dry_run);

#define METRICS_MAX_POLICIES	64

/** Observe the connect-to-verdict latency, in seconds. */
void metrics_verdict_latency(double seconds);

/** Forged Authentication-Results fields deleted. */
void metrics_forged_removed(unsigned n);

/** A connection whose lookups could not be started (resolver error). */
void metrics_resolver_error(void);

/** Reset everything to zero (tests). */
void metrics_reset(void);

/**
 * Write the exposition text into buf[len].
 * @return the length written, or -1 if it did not fit.
 */
int metrics_render(char *buf, size_t len);

/**
 * Serve /metrics on the address sa[salen] (IPv4 or IPv6), parsed with the
 * configuration (MetricsListen, config_parse_listen()); name is how the
 * configuration wrote it, for messages.
 * @return 0, or -1 with a reason in err (also when built without
 *	libmicrohttpd).
 */
int metrics_start(const char *name, const struct sockaddr *sa,
    socklen_t salen, char *err, size_t errlen);

/** Stop serving (no-op if not started). */
void metrics_stop(void);

#endif
