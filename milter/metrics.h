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
 *	loopback by default).
 *
 * THREAD SAFETY
 *	Recording and rendering: any thread.  metrics_start()/metrics_stop():
 *	main thread only.
 */
#ifndef RDNS_METRICS_H
#define RDNS_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "checks.h"
#include "policy.h"

/** A session began (connect); trusted / authenticated are counted
 * separately with metrics_skipped(). */
void metrics_session_start(void);

/** A session ended (close). */
void metrics_session_end(void);

/** Checks skipped: reason is "trusted", "authenticated" or "error". */
void metrics_skipped(const char *reason);

/** Count the results of one completed verdict (once per session). */
void metrics_result(const struct check_result *r);

/** Count one recipient decision (dry_run: would have refused). */
void metrics_action(enum action a, bool dry_run);

/**
 * Count one recipient decision by the Policy line that made it: policy is
 * that line's domain text ("*", "example.com", ".example.org"), check the
 * deciding check ("ptr" ... "temperror", "none" for accept), dry_run the
 * policy's mode.  The label set is bounded by the configuration; past
 * METRICS_MAX_POLICIES distinct domains the rest share policy="~other".
 */
void metrics_decision(const char *policy, const char *check, enum action a,
    bool dry_run);

#define METRICS_MAX_POLICIES	64

/** Observe the connect-to-verdict latency, in seconds. */
void metrics_verdict_latency(double seconds);

/** Forged Authentication-Results fields deleted. */
void metrics_forged_removed(unsigned n);

/** Reset everything to zero (tests). */
/** A connection whose lookups could not be started (resolver error). */
void metrics_resolver_error(void);

void metrics_reset(void);

/**
 * Write the exposition text into buf[len].
 * @return the length written, or -1 if it did not fit.
 */
int metrics_render(char *buf, size_t len);

/**
 * Serve /metrics on listen ("PORT", "ADDR:PORT", "[ADDR6]:PORT"; a bare
 * port binds 127.0.0.1).
 * @return 0, or -1 with a reason in err (also when built without
 *	libmicrohttpd).
 */
int metrics_start(const char *listen, char *err, size_t errlen);

/** Stop serving (no-op if not started). */
void metrics_stop(void);

#endif
