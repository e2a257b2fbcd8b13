/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.c - counters and latency histograms, Prometheus text format.
 *
 * Every counter is a process-wide _Atomic integer updated with relaxed
 * fetch-and-add: recording takes no lock, never allocates and never
 * fails, so it is safe in every libmilter callback.  Labelled families are
 * fixed arrays indexed by the label values that can occur, and every
 * series is written from the start (value 0), so that rate() works on the
 * first scrape.
 *
 * The latency histogram keeps one non-cumulative count per bucket; the
 * renderer adds them up, so "le" buckets are cumulative and _count equals
 * the +Inf bucket within one scrape even while other threads record.  The
 * sum is kept in microseconds.
 *
 * The HTTP endpoint is metrics_http.c, which goes with the daemon.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "checks.h"
#include "log.h"
#include "metrics.h"
#include "resolver.h"
#include "strbuf.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

typedef _Atomic uint_least64_t counter;

/*
 * Label values.  The index of a value is its slot in the arrays below;
 * the check results, DNSSEC statuses and deciding checks are the check
 * table's (checks.h), indexed by check id and by the place of a result
 * in the check's results[].
 */

static const char *const skip_reasons[METRICS_SKIP_N] = {
	[METRICS_SKIP_TRUSTED] = "trusted",
	[METRICS_SKIP_AUTHENTICATED] = "authenticated",
	[METRICS_SKIP_ERROR] = "error",
};

#define N_ACTIONS	((size_t)ACTION_REJECT + 1)

/* Which actions a deciding check can have (rdns_milter_decisions_total):
 * none goes with accept, temperror with tempfail, the others with
 * tempfail or reject. */
static bool
decision_valid(size_t c, size_t a)
{
	if (c == CHECK_ID_NONE)
		return a == ACTION_ACCEPT;
	if (c == CHECK_ID_TEMPERROR)
		return a == ACTION_TEMPFAIL;
	return a != ACTION_ACCEPT;
}

/* rdns_milter_dns_lookups_total: types and outcomes (dns_result_str()).
 * The record types (PTR, A, AAAA), not a check. */
static const char *const lookup_types[] = {
	"ptr", "a", "aaaa"	/* record types: not a check */
};
#define N_LTYPES	NELEM(lookup_types)
#define N_OUTCOMES	6	/* DNS_OK .. DNS_BOGUS */

/* Histogram upper bounds in microseconds, and as written in "le". */
static const struct {
	uint64_t	 us;
	const char	*le;
} buckets[] = {
	{ 1000, "0.001" }, { 2500, "0.0025" }, { 5000, "0.005" },
	{ 10000, "0.01" }, { 25000, "0.025" }, { 50000, "0.05" },
	{ 100000, "0.1" }, { 250000, "0.25" }, { 500000, "0.5" },
	{ 1000000, "1" }, { 2500000, "2.5" }, { 5000000, "5" },
	{ 10000000, "10" },
};
#define N_BUCKETS	NELEM(buckets)

/* Latencies are clamped to this (a day) before conversion: it keeps the
 * double to integer conversion defined and the sum from overflowing. */
#define LATENCY_MAX_S	86400.0

/*
 * The counters.
 */

static counter		 sessions_total;
static _Atomic int_least64_t sessions_active;
static counter		 skipped[METRICS_SKIP_N];
/* [check id][index in its results[]]: rdns_milter_check_results_total
 * for the checks with a metric label, rdns_milter_dnssec_total for
 * dnssec. */
static counter		 check_results[CHECK_ID_N][CHECK_RESULTS_MAX];
static counter		 dns_timeouts;
static counter		 actions[N_ACTIONS][2];	/* [action][dry_run] */
static counter		 forged_removed;
static counter		 resolver_errors;
static counter		 latency_bucket[N_BUCKETS + 1];	/* last: +Inf */
static counter		 latency_sum_us;

/* Decisions per Policy line.  A policy gets its slot the first time it
 * decides; names are written once, before n_policies publishes them, so
 * readers need no lock (registration takes policy_lock, once per
 * domain).  The last slot is "~other". */
static const char	*policy_names[METRICS_MAX_POLICIES];
static atomic_size_t	 n_policies;
static pthread_mutex_t	 policy_lock = PTHREAD_MUTEX_INITIALIZER;
static counter
    decisions[METRICS_MAX_POLICIES][CHECK_ID_N][N_ACTIONS][2];
static counter		 lookups[N_LTYPES][N_OUTCOMES];

static void
inc(counter *c, uint_least64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint_least64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/*
 * Recording.
 */

void
metrics_session_start(void)
{
	inc(&sessions_total, 1);
	atomic_fetch_add_explicit(&sessions_active, 1, memory_order_relaxed);
}

void
metrics_session_end(void)
{
	atomic_fetch_sub_explicit(&sessions_active, 1, memory_order_relaxed);
}

void
metrics_skipped(enum metrics_skip why)
{
	if ((unsigned)why < METRICS_SKIP_N)
		inc(&skipped[why], 1);
}

static void count_lookups(const struct check_result *r);

void
metrics_result(const struct check_result *r)
{
	int id, i;

	if (r == NULL)
		return;
	/* Each check's result, in its slot; one it cannot have is not
	 * counted. */
	for (id = 0; id < CHECK_ID_N; id++) {
		if (check_info[id].get == NULL)
			continue;
		i = check_result_index((enum check_id)id,
		    check_info[id].get(r));
		if (i >= 0)
			inc(&check_results[id][i], 1);
	}
	if (r->timed_out)
		inc(&dns_timeouts, 1);
	count_lookups(r);
}

void
metrics_action(enum action a, bool dry_run)
{
	if ((unsigned)a < N_ACTIONS)
		inc(&actions[a][dry_run ? 1 : 0], 1);
}

/* Slot of a policy domain, registering it; -1 only if out of memory. */
static int
policy_slot(const char *policy)
{
	size_t i, n = atomic_load_explicit(&n_policies, memory_order_acquire);
	int slot = -1;
	char *copy;

	for (i = 0; i < n; i++)
		if (strcmp(policy_names[i], policy) == 0)
			return (int)i;
	pthread_mutex_lock(&policy_lock);
	n = atomic_load_explicit(&n_policies, memory_order_relaxed);
	for (i = 0; i < n; i++)
		if (strcmp(policy_names[i], policy) == 0) {
			slot = (int)i;
			break;
		}
	if (slot == -1 && n == METRICS_MAX_POLICIES)
		slot = METRICS_MAX_POLICIES - 1;	/* "~other" */
	else if (slot == -1) {
		/* Kept for the life of the process: the series must not
		 * vanish when a reload drops the Policy line. */
		if (n == METRICS_MAX_POLICIES - 1)
			copy = strdup("~other");
		else
			copy = strdup(policy);
		if (copy != NULL) {
			policy_names[n] = copy;
			atomic_store_explicit(&n_policies, n + 1,
			    memory_order_release);
			slot = (int)n;
		}
	}
	pthread_mutex_unlock(&policy_lock);
	return slot;
}

void
metrics_decision(const char *policy, enum check_id check, enum action a,
    bool dry_run)
{
	int slot;

	if (policy == NULL || (unsigned)check >= CHECK_ID_N ||
	    (unsigned)a >= N_ACTIONS || !decision_valid(check, a))
		return;
	if ((slot = policy_slot(policy)) == -1)
		return;
	inc(&decisions[slot][check][a][dry_run ? 1 : 0], 1);
}

static void
count_lookup(size_t type, enum dns_result res)
{
	if ((unsigned)res < N_OUTCOMES)
		inc(&lookups[type][res], 1);
}

/* The lookups a verdict used: the PTR query, each PTR name's forward
 * query and the HELO's (A for IPv4 clients, AAAA for IPv6). */
static void
count_lookups(const struct check_result *r)
{
	size_t i, fwd = r->ip.family == AF_INET6 ? 2 : 1;

	count_lookup(0, r->ptr_dns);
	for (i = 0; r->names != NULL && i < r->n_names; i++)
		if (r->names[i].looked_up)
			count_lookup(fwd, r->names[i].fwd_result);
	if (r->helo_fwd != CHECK_NONE)
		count_lookup(fwd, r->helo_dns);
}

void
metrics_verdict_latency(double seconds)
{
	uint64_t us;
	size_t i;

	/* NaN and negative values (a clock step) count as 0. */
	if (!(seconds > 0.0))
		seconds = 0.0;
	if (seconds > LATENCY_MAX_S)
		seconds = LATENCY_MAX_S;
	us = (uint64_t)(seconds * 1e6 + 0.5);
	for (i = 0; i < N_BUCKETS; i++)
		if (us <= buckets[i].us)
			break;
	inc(&latency_bucket[i], 1);
	inc(&latency_sum_us, us);
}

void
metrics_forged_removed(unsigned n)
{
	inc(&forged_removed, n);
}

void
metrics_resolver_error(void)
{
	inc(&resolver_errors, 1);
}

void
metrics_reset(void)
{
	size_t i, j;

	atomic_store(&sessions_total, 0);
	atomic_store(&sessions_active, 0);
	for (i = 0; i < METRICS_SKIP_N; i++)
		atomic_store(&skipped[i], 0);
	for (i = 0; i < CHECK_ID_N; i++)
		for (j = 0; j < CHECK_RESULTS_MAX; j++)
			atomic_store(&check_results[i][j], 0);
	atomic_store(&dns_timeouts, 0);
	for (i = 0; i < N_ACTIONS; i++) {
		atomic_store(&actions[i][0], 0);
		atomic_store(&actions[i][1], 0);
	}
	atomic_store(&forged_removed, 0);
	atomic_store(&resolver_errors, 0);
	for (i = 0; i <= N_BUCKETS; i++)
		atomic_store(&latency_bucket[i], 0);
	atomic_store(&latency_sum_us, 0);
	for (i = 0; i < METRICS_MAX_POLICIES; i++)
		for (j = 0; j < CHECK_ID_N; j++)
			for (size_t a = 0; a < N_ACTIONS; a++) {
				atomic_store(&decisions[i][j][a][0], 0);
				atomic_store(&decisions[i][j][a][1], 0);
			}
	for (i = 0; i < N_LTYPES; i++)
		for (j = 0; j < N_OUTCOMES; j++)
			atomic_store(&lookups[i][j], 0);
}

/*
 * Rendering (text exposition format 0.0.4).  Label values are our own
 * constants, so nothing needs escaping.
 */

static void
header(struct strbuf *sb, const char *name, const char *type,
    const char *help)
{
	strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* Policy domains are [a-z0-9._-], "*" or "~other": nothing to escape. */
static void
render_decisions(struct strbuf *sb)
{
	size_t n = atomic_load_explicit(&n_policies, memory_order_acquire);
	size_t p, c, a, d;

	header(sb, "rdns_milter_decisions_total", "counter",
	    "Recipient decisions by Policy line, deciding check, action and "
	    "whether the policy was in dry run (then nothing was refused).");
	for (p = 0; p < n; p++)
		for (c = 0; c < CHECK_ID_N; c++)
			for (a = 0; a < N_ACTIONS; a++) {
				if (!decision_valid(c, a))
					continue;
				for (d = 0; d < 2; d++)
					strbuf_printf(sb,
					    "rdns_milter_decisions_total{"
					    "policy=\"%s\",check=\"%s\","
					    "action=\"%s\",dry_run=\"%s\"} %"
					    PRIuLEAST64 "\n", policy_names[p],
					    check_name((enum check_id)c),
					    policy_action_str((enum action)a),
					    d ? "yes" : "no",
					    get(&decisions[p][c][a][d]));
			}
}

static void
render_lookups(struct strbuf *sb)
{
	size_t t, o;

	header(sb, "rdns_milter_dns_lookups_total", "counter",
	    "DNS lookups the verdicts used, by query type and outcome.");
	for (t = 0; t < N_LTYPES; t++)
		for (o = 0; o < N_OUTCOMES; o++)
			strbuf_printf(sb, "rdns_milter_dns_lookups_total{"
			    "type=\"%s\",outcome=\"%s\"} %" PRIuLEAST64 "\n",
			    lookup_types[t], dns_result_str((enum dns_result)o),
			    get(&lookups[t][o]));
}

/* The session, check and action families. */
static void
render_counts(struct strbuf *sb)
{
	size_t i, j;

	header(sb, "rdns_milter_sessions_total", "counter",
	    "SMTP connections seen.");
	strbuf_printf(sb, "rdns_milter_sessions_total %" PRIuLEAST64 "\n",
	    get(&sessions_total));

	header(sb, "rdns_milter_sessions_active", "gauge",
	    "SMTP connections open now.");
	strbuf_printf(sb, "rdns_milter_sessions_active %" PRIdLEAST64 "\n",
	    atomic_load_explicit(&sessions_active, memory_order_relaxed));

	header(sb, "rdns_milter_sessions_skipped_total", "counter",
	    "Connections or messages not checked, by reason.");
	for (i = 0; i < METRICS_SKIP_N; i++)
		strbuf_printf(sb, "rdns_milter_sessions_skipped_total"
		    "{reason=\"%s\"} %" PRIuLEAST64 "\n", skip_reasons[i],
		    get(&skipped[i]));

	header(sb, "rdns_milter_check_results_total", "counter",
	    "Check verdicts, one per checked connection and check.");
	for (i = 0; i < CHECK_N_SHOWN; i++) {
		enum check_id id = check_shown[i];
		const struct check_info *ci = &check_info[id];

		if (ci->metric == NULL)
			continue;
		for (j = 0; j < ci->n_results; j++)
			strbuf_printf(sb, "rdns_milter_check_results_total"
			    "{check=\"%s\",result=\"%s\"} %" PRIuLEAST64 "\n",
			    ci->metric, check_label(id, ci->results[j].value),
			    get(&check_results[id][j]));
	}

	header(sb, "rdns_milter_dnssec_total", "counter",
	    "DNSSEC status of the iprev answers, one per verdict.");
	for (j = 0; j < check_info[CHECK_ID_DNSSEC].n_results; j++)
		strbuf_printf(sb, "rdns_milter_dnssec_total{status=\"%s\"} %"
		    PRIuLEAST64 "\n", check_label(CHECK_ID_DNSSEC,
		    check_info[CHECK_ID_DNSSEC].results[j].value),
		    get(&check_results[CHECK_ID_DNSSEC][j]));

	header(sb, "rdns_milter_dns_timeouts_total", "counter",
	    "Verdicts cut short by DNSTimeout.");
	strbuf_printf(sb, "rdns_milter_dns_timeouts_total %" PRIuLEAST64
	    "\n", get(&dns_timeouts));

	header(sb, "rdns_milter_actions_total", "counter",
	    "Recipient decisions; dry_run=\"yes\" ones were not enforced.");
	for (i = 0; i < N_ACTIONS; i++)
		for (j = 0; j < 2; j++)
			strbuf_printf(sb, "rdns_milter_actions_total"
			    "{action=\"%s\",dry_run=\"%s\"} %" PRIuLEAST64
			    "\n", policy_action_str((enum action)i),
			    j ? "yes" : "no",
			    get(&actions[i][j]));
}

/* The verdict latency histogram. */
static void
render_latency(struct strbuf *sb)
{
	uint_least64_t cum = 0, sum;
	size_t i;

	header(sb, "rdns_milter_verdict_seconds", "histogram",
	    "Time from connect to verdict.");
	for (i = 0; i <= N_BUCKETS; i++) {
		cum += get(&latency_bucket[i]);
		strbuf_printf(sb, "rdns_milter_verdict_seconds_bucket"
		    "{le=\"%s\"} %" PRIuLEAST64 "\n",
		    i < N_BUCKETS ? buckets[i].le : "+Inf", cum);
	}
	sum = get(&latency_sum_us);
	strbuf_printf(sb, "rdns_milter_verdict_seconds_sum %" PRIuLEAST64
	    ".%06" PRIuLEAST64 "\n", sum / 1000000, sum % 1000000);
	strbuf_printf(sb, "rdns_milter_verdict_seconds_count %" PRIuLEAST64
	    "\n", cum);
}

int
metrics_render(char *buf, size_t len)
{
	struct strbuf sb;

	if (buf == NULL || len == 0)
		return -1;
	strbuf_init(&sb, buf, len);
	render_counts(&sb);
	render_decisions(&sb);
	render_lookups(&sb);

	header(&sb, "rdns_milter_forged_headers_removed_total", "counter",
	    "Forged Authentication-Results fields deleted.");
	strbuf_printf(&sb, "rdns_milter_forged_headers_removed_total %"
	    PRIuLEAST64 "\n", get(&forged_removed));

	header(&sb, "rdns_milter_resolver_errors_total", "counter",
	    "Connections whose lookups could not be started; every check "
	    "of theirs is temperror.");
	strbuf_printf(&sb, "rdns_milter_resolver_errors_total %" PRIuLEAST64
	    "\n", get(&resolver_errors));

	render_latency(&sb);
	if (strbuf_overflow(&sb) || sb.len > INT_MAX)
		return -1;
	return (int)sb.len;
}
