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
 * Label values.  The index of a name is its slot in the arrays below.
 */

static const char *const skip_reasons[] = {
	"trusted", "authenticated", "error",
};
#define N_SKIP		NELEM(skip_reasons)

/* Results a check can have (checks.h), in the order they are written. */
static const struct {
	const char	*check;		/* label value */
	unsigned	 n;
	const char	*results[5];
} check_labels[] = {
	{ "ptr", 3, { "pass", "fail", "temperror" } },
	{ "iprev", 4, { "pass", "fail", "permerror", "temperror" } },
	{ "x_ptr", 5, { "pass", "fail", "neutral", "none", "temperror" } },
	{ "generic", 3, { "yes", "no", "temperror" } },
};
enum { CHK_PTR, CHK_IPREV, CHK_XPTR, CHK_GENERIC, N_CHECKS };
#define N_RESULTS_MAX	5

static const char *const dnssec_labels[] = {
	"secure", "insecure", "bogus",
};
#define N_DNSSEC	NELEM(dnssec_labels)

static const char *const action_labels[] = {
	"accept", "tempfail", "reject",
};
#define N_ACTIONS	NELEM(action_labels)

/* Deciding checks of rdns_milter_decisions_total (policy.h names), and
 * which actions each can have: none goes with accept, temperror with
 * tempfail, the others with tempfail or reject. */
static const char *const decision_checks[] = {
	"none", "ptr", "iprev", "generic", "helo", "dnssec", "temperror",
};
#define N_DCHECKS	NELEM(decision_checks)

static bool
decision_valid(size_t c, size_t a)
{
	if (c == 0)
		return a == ACTION_ACCEPT;
	if (c == N_DCHECKS - 1)
		return a == ACTION_TEMPFAIL;
	return a != ACTION_ACCEPT;
}

/* rdns_milter_dns_lookups_total: types and outcomes (dns_result_str()). */
static const char *const lookup_types[] = { "ptr", "a", "aaaa" };
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
static counter		 skipped[N_SKIP];
static counter		 check_results[N_CHECKS][N_RESULTS_MAX];
static counter		 dnssec_total[N_DNSSEC];
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
static counter		 decisions[METRICS_MAX_POLICIES][N_DCHECKS][N_ACTIONS][2];
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
metrics_skipped(const char *reason)
{
	size_t i;

	if (reason == NULL)
		return;
	for (i = 0; i < N_SKIP; i++) {
		if (strcmp(reason, skip_reasons[i]) == 0) {
			inc(&skipped[i], 1);
			return;
		}
	}
}

/* Slot of result name in check k, or -1 (a value that cannot occur). */
static int
result_slot(unsigned k, const char *name)
{
	unsigned i;

	for (i = 0; i < check_labels[k].n; i++)
		if (strcmp(check_labels[k].results[i], name) == 0)
			return (int)i;
	return -1;
}

static void count_lookups(const struct check_result *r);

static void
count_result(unsigned k, const char *name)
{
	int i;

	if ((i = result_slot(k, name)) != -1)
		inc(&check_results[k][i], 1);
}

void
metrics_result(const struct check_result *r)
{
	const char *generic;

	if (r == NULL)
		return;
	count_result(CHK_PTR, check_res_str(r->ptr));
	count_result(CHK_IPREV, check_res_str(r->iprev));
	count_result(CHK_XPTR, check_res_str(r->xptr));
	switch (r->generic) {
	case GENERIC_YES:
		generic = "yes";
		break;
	case GENERIC_NO:
		generic = "no";
		break;
	case GENERIC_TEMPERROR:
	default:
		generic = "temperror";
		break;
	}
	count_result(CHK_GENERIC, generic);
	switch (r->iprev_dnssec) {
	case DNSSEC_SECURE:
		inc(&dnssec_total[0], 1);
		break;
	case DNSSEC_INSECURE:
		inc(&dnssec_total[1], 1);
		break;
	case DNSSEC_BOGUS:
		inc(&dnssec_total[2], 1);
		break;
	}
	if (r->timed_out)
		inc(&dns_timeouts, 1);
	count_lookups(r);
}

void
metrics_action(enum action a, bool dry_run)
{
	unsigned i;

	switch (a) {
	case ACTION_ACCEPT:
		i = 0;
		break;
	case ACTION_TEMPFAIL:
		i = 1;
		break;
	case ACTION_REJECT:
		i = 2;
		break;
	default:
		return;
	}
	inc(&actions[i][dry_run ? 1 : 0], 1);
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
metrics_decision(const char *policy, const char *check, enum action a,
    bool dry_run)
{
	size_t c;
	int slot;

	if (policy == NULL || check == NULL || (unsigned)a >= N_ACTIONS)
		return;
	for (c = 0; c < N_DCHECKS; c++)
		if (strcmp(decision_checks[c], check) == 0)
			break;
	if (c == N_DCHECKS || !decision_valid(c, (size_t)a))
		return;
	if ((slot = policy_slot(policy)) == -1)
		return;
	inc(&decisions[slot][c][a][dry_run ? 1 : 0], 1);
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
	for (i = 0; i < N_SKIP; i++)
		atomic_store(&skipped[i], 0);
	for (i = 0; i < N_CHECKS; i++)
		for (j = 0; j < N_RESULTS_MAX; j++)
			atomic_store(&check_results[i][j], 0);
	for (i = 0; i < N_DNSSEC; i++)
		atomic_store(&dnssec_total[i], 0);
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
		for (j = 0; j < N_DCHECKS; j++)
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
		for (c = 0; c < N_DCHECKS; c++)
			for (a = 0; a < N_ACTIONS; a++) {
				if (!decision_valid(c, a))
					continue;
				for (d = 0; d < 2; d++)
					strbuf_printf(sb,
					    "rdns_milter_decisions_total{"
					    "policy=\"%s\",check=\"%s\","
					    "action=\"%s\",dry_run=\"%s\"} %"
					    PRIuLEAST64 "\n", policy_names[p],
					    decision_checks[c],
					    action_labels[a], d ? "yes" : "no",
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
	for (i = 0; i < N_SKIP; i++)
		strbuf_printf(sb, "rdns_milter_sessions_skipped_total"
		    "{reason=\"%s\"} %" PRIuLEAST64 "\n", skip_reasons[i],
		    get(&skipped[i]));

	header(sb, "rdns_milter_check_results_total", "counter",
	    "Check verdicts, one per checked connection and check.");
	for (i = 0; i < N_CHECKS; i++)
		for (j = 0; j < check_labels[i].n; j++)
			strbuf_printf(sb, "rdns_milter_check_results_total"
			    "{check=\"%s\",result=\"%s\"} %" PRIuLEAST64 "\n",
			    check_labels[i].check,
			    check_labels[i].results[j],
			    get(&check_results[i][j]));

	header(sb, "rdns_milter_dnssec_total", "counter",
	    "DNSSEC status of the iprev answers, one per verdict.");
	for (i = 0; i < N_DNSSEC; i++)
		strbuf_printf(sb, "rdns_milter_dnssec_total{status=\"%s\"} %"
		    PRIuLEAST64 "\n", dnssec_labels[i], get(&dnssec_total[i]));

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
			    "\n", action_labels[i], j ? "yes" : "no",
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
