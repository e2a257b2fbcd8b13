/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_metrics.c - unit tests for milter/metrics.c: exact counter lines,
 * every series present from the start, cumulative histogram buckets,
 * truncation, concurrent recording, and an HTTP round trip on 127.0.0.1
 * with a plain socket client.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "test_util.h"
#include "checks.h"
#include "metrics.h"
#include "resolver.h"

/* Room for METRICS_MAX_POLICIES policies' decision series. */
#define PAGE_MAX	(512 * 1024)

static char page[PAGE_MAX];

static void
render_page(void)
{
	int n;

	n = metrics_render(page, sizeof page);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(page));
}

/* True if text holds line as a whole line. */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void
assert_lines(const char *text, const char *const *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!has_line(text, want[i]))
			fail_msg("missing line \"%s\"", want[i]);
	}
}

/* Lines of text that start with prefix. */
static size_t
count_prefix(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = 0, len = strlen(prefix);

	while (*p != '\0') {
		if (strncmp(p, prefix, len) == 0)
			n++;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	return n;
}

static int
setup(void **state)
{
	(void)state;
	metrics_reset();
	return 0;
}

/*
 * Recording and rendering.
 */

static void
fresh_counters_render_every_series_as_zero(void **state)
{
	static const char *const want[] = {
		"rdns_milter_sessions_total 0",
		"rdns_milter_sessions_active 0",
		"rdns_milter_sessions_skipped_total{reason=\"trusted\"} 0",
		"rdns_milter_sessions_skipped_total{"
		    "reason=\"authenticated\"} 0",
		"rdns_milter_sessions_skipped_total{reason=\"error\"} 0",
		"rdns_milter_check_results_total{check=\"ptr\","
		    "result=\"pass\"} 0",
		"rdns_milter_check_results_total{check=\"ptr\","
		    "result=\"fail\"} 0",
		"rdns_milter_check_results_total{check=\"ptr\","
		    "result=\"temperror\"} 0",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"pass\"} 0",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"fail\"} 0",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"permerror\"} 0",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"temperror\"} 0",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"pass\"} 0",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"fail\"} 0",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"neutral\"} 0",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"none\"} 0",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"temperror\"} 0",
		"rdns_milter_check_results_total{check=\"generic\","
		    "result=\"yes\"} 0",
		"rdns_milter_check_results_total{check=\"generic\","
		    "result=\"no\"} 0",
		"rdns_milter_check_results_total{check=\"generic\","
		    "result=\"temperror\"} 0",
		"rdns_milter_dnssec_total{status=\"secure\"} 0",
		"rdns_milter_dnssec_total{status=\"insecure\"} 0",
		"rdns_milter_dnssec_total{status=\"bogus\"} 0",
		"rdns_milter_dns_timeouts_total 0",
		"rdns_milter_actions_total{action=\"accept\",dry_run=\"no\"} 0",
		"rdns_milter_actions_total{"
		    "action=\"accept\",dry_run=\"yes\"} 0",
		"rdns_milter_actions_total{"
		    "action=\"tempfail\",dry_run=\"no\"} 0",
		"rdns_milter_actions_total{"
		    "action=\"tempfail\",dry_run=\"yes\"} 0",
		"rdns_milter_actions_total{action=\"reject\",dry_run=\"no\"} 0",
		"rdns_milter_actions_total{"
		    "action=\"reject\",dry_run=\"yes\"} 0",
		"rdns_milter_forged_headers_removed_total 0",
		"rdns_milter_resolver_errors_total 0",
		"rdns_milter_verdict_seconds_bucket{le=\"+Inf\"} 0",
		"rdns_milter_verdict_seconds_sum 0.000000",
		"rdns_milter_verdict_seconds_count 0",
	};

	(void)state;
	render_page();
	assert_lines(page, want, NELEM(want));
	/* Only the label pairs that can occur. */
	assert_int_equal(count_prefix(page,
	    "rdns_milter_check_results_total{"), 15);
	assert_int_equal(count_prefix(page, "rdns_milter_actions_total{"), 6);
	assert_int_equal(count_prefix(page,
	    "rdns_milter_verdict_seconds_bucket{"), 14);
	assert_true(page[strlen(page) - 1] == '\n');
}

static void
every_metric_has_help_and_type(void **state)
{
	static const struct {
		const char	*name;
		const char	*type;
	} t[] = {
		{ "rdns_milter_sessions_total", "counter" },
		{ "rdns_milter_sessions_active", "gauge" },
		{ "rdns_milter_sessions_skipped_total", "counter" },
		{ "rdns_milter_check_results_total", "counter" },
		{ "rdns_milter_dnssec_total", "counter" },
		{ "rdns_milter_dns_timeouts_total", "counter" },
		{ "rdns_milter_actions_total", "counter" },
		{ "rdns_milter_decisions_total", "counter" },
		{ "rdns_milter_dns_lookups_total", "counter" },
		{ "rdns_milter_forged_headers_removed_total", "counter" },
		{ "rdns_milter_resolver_errors_total", "counter" },
		{ "rdns_milter_verdict_seconds", "histogram" },
	};
	char want[128];
	size_t i;

	(void)state;
	render_page();
	for (i = 0; i < NELEM(t); i++) {
		snprintf(want, sizeof want, "# HELP %s ", t[i].name);
		assert_int_equal(count_prefix(page, want), 1);
		snprintf(want, sizeof want, "# TYPE %s %s", t[i].name,
		    t[i].type);
		assert_true(has_line(page, want));
	}
	assert_int_equal(count_prefix(page, "# HELP "), NELEM(t));
	assert_int_equal(count_prefix(page, "# TYPE "), NELEM(t));
}

static void
set_result(struct check_result *r, enum check_res ptr, enum check_res iprev,
    enum check_res xptr, enum generic_res generic, enum dnssec_status d,
    bool timed_out)
{
	memset(r, 0, sizeof *r);
	r->ptr = ptr;
	r->iprev = iprev;
	r->xptr = xptr;
	r->generic = generic;
	r->iprev_dnssec = d;
	r->timed_out = timed_out;
	r->verified = -1;
	r->helo_match = -1;
}

static void
recorded_events_give_exact_counter_lines(void **state)
{
	static const char *const want[] = {
		"rdns_milter_sessions_total 3",
		"rdns_milter_sessions_active 2",
		"rdns_milter_sessions_skipped_total{reason=\"trusted\"} 2",
		"rdns_milter_sessions_skipped_total{"
		    "reason=\"authenticated\"} 1",
		"rdns_milter_sessions_skipped_total{reason=\"error\"} 0",
		"rdns_milter_check_results_total{check=\"ptr\","
		    "result=\"pass\"} 2",
		"rdns_milter_check_results_total{check=\"ptr\","
		    "result=\"fail\"} 1",
		"rdns_milter_check_results_total{check=\"ptr\","
		    "result=\"temperror\"} 1",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"pass\"} 1",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"fail\"} 1",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"permerror\"} 1",
		"rdns_milter_check_results_total{check=\"iprev\","
		    "result=\"temperror\"} 1",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"pass\"} 1",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"fail\"} 1",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"neutral\"} 0",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"none\"} 1",
		"rdns_milter_check_results_total{check=\"x_ptr\","
		    "result=\"temperror\"} 1",
		"rdns_milter_check_results_total{check=\"generic\","
		    "result=\"yes\"} 1",
		"rdns_milter_check_results_total{check=\"generic\","
		    "result=\"no\"} 2",
		"rdns_milter_check_results_total{check=\"generic\","
		    "result=\"temperror\"} 1",
		"rdns_milter_dnssec_total{status=\"secure\"} 1",
		"rdns_milter_dnssec_total{status=\"insecure\"} 2",
		"rdns_milter_dnssec_total{status=\"bogus\"} 1",
		"rdns_milter_dns_timeouts_total 1",
		"rdns_milter_actions_total{action=\"accept\",dry_run=\"no\"} 4",
		"rdns_milter_actions_total{"
		    "action=\"accept\",dry_run=\"yes\"} 0",
		"rdns_milter_actions_total{"
		    "action=\"tempfail\",dry_run=\"no\"} 0",
		"rdns_milter_actions_total{"
		    "action=\"tempfail\",dry_run=\"yes\"} 1",
		"rdns_milter_actions_total{action=\"reject\",dry_run=\"no\"} 2",
		"rdns_milter_actions_total{"
		    "action=\"reject\",dry_run=\"yes\"} 0",
		"rdns_milter_forged_headers_removed_total 5",
		"rdns_milter_resolver_errors_total 2",
	};
	struct check_result r;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		metrics_session_start();
	metrics_session_end();
	metrics_skipped(METRICS_SKIP_TRUSTED);
	metrics_skipped(METRICS_SKIP_TRUSTED);
	metrics_skipped(METRICS_SKIP_AUTHENTICATED);
	/* Unknown reasons are ignored, never counted elsewhere. */
	metrics_skipped(METRICS_SKIP_N);
	metrics_skipped((enum metrics_skip)-1);

	set_result(&r, CHECK_PASS, CHECK_PASS, CHECK_PASS, GENERIC_NO,
	    DNSSEC_SECURE, false);
	metrics_result(&r);
	set_result(&r, CHECK_PASS, CHECK_FAIL, CHECK_FAIL, GENERIC_YES,
	    DNSSEC_INSECURE, false);
	metrics_result(&r);
	set_result(&r, CHECK_FAIL, CHECK_PERMERROR, CHECK_NONE, GENERIC_NO,
	    DNSSEC_INSECURE, false);
	metrics_result(&r);
	set_result(&r, CHECK_TEMPERROR, CHECK_TEMPERROR, CHECK_TEMPERROR,
	    GENERIC_TEMPERROR, DNSSEC_BOGUS, true);
	metrics_result(&r);
	metrics_result(NULL);

	for (i = 0; i < 4; i++)
		metrics_action(ACTION_ACCEPT, false);
	metrics_action(ACTION_TEMPFAIL, true);
	metrics_action(ACTION_REJECT, false);
	metrics_action(ACTION_REJECT, false);
	metrics_action((enum action)42, false);

	metrics_forged_removed(2);
	metrics_forged_removed(3);
	metrics_forged_removed(0);
	metrics_resolver_error();
	metrics_resolver_error();

	render_page();
	assert_lines(page, want, NELEM(want));
}

/* Results that checks.h says cannot occur make no new series. */
static void
impossible_results_are_not_counted(void **state)
{
	struct check_result r;

	(void)state;
	/* ptr=none, iprev=neutral, x-ptr=permerror do not exist. */
	set_result(&r, CHECK_NONE, CHECK_NEUTRAL, CHECK_PERMERROR, GENERIC_NO,
	    DNSSEC_SECURE, false);
	metrics_result(&r);
	render_page();
	assert_int_equal(count_prefix(page,
	    "rdns_milter_check_results_total{"), 15);
	assert_null(strstr(page, "result=\"neutral\"} 1"));
	assert_null(strstr(page, "result=\"permerror\"} 1"));
	assert_null(strstr(page, "result=\"none\"} 1"));
	assert_true(has_line(page, "rdns_milter_check_results_total"
	    "{check=\"generic\",result=\"no\"} 1"));
}

static void
histogram_buckets_are_cumulative(void **state)
{
	static const double obs[] = {
		0.0005,		/* le 0.001 */
		0.001,		/* on the bound: le 0.001 */
		-1.0,		/* clock step: 0 */
		0.003,		/* le 0.005 */
		0.010002,	/* just above 0.01: le 0.025 */
		0.7,		/* le 1 */
		10.0,		/* le 10 */
		20.0,		/* +Inf */
	};
	static const char *const want[] = {
		"rdns_milter_verdict_seconds_bucket{le=\"0.001\"} 3",
		"rdns_milter_verdict_seconds_bucket{le=\"0.0025\"} 3",
		"rdns_milter_verdict_seconds_bucket{le=\"0.005\"} 4",
		"rdns_milter_verdict_seconds_bucket{le=\"0.01\"} 4",
		"rdns_milter_verdict_seconds_bucket{le=\"0.025\"} 5",
		"rdns_milter_verdict_seconds_bucket{le=\"0.05\"} 5",
		"rdns_milter_verdict_seconds_bucket{le=\"0.1\"} 5",
		"rdns_milter_verdict_seconds_bucket{le=\"0.25\"} 5",
		"rdns_milter_verdict_seconds_bucket{le=\"0.5\"} 5",
		"rdns_milter_verdict_seconds_bucket{le=\"1\"} 6",
		"rdns_milter_verdict_seconds_bucket{le=\"2.5\"} 6",
		"rdns_milter_verdict_seconds_bucket{le=\"5\"} 6",
		"rdns_milter_verdict_seconds_bucket{le=\"10\"} 7",
		"rdns_milter_verdict_seconds_bucket{le=\"+Inf\"} 8",
		"rdns_milter_verdict_seconds_sum 30.714502",
		"rdns_milter_verdict_seconds_count 8",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(obs); i++)
		metrics_verdict_latency(obs[i]);
	render_page();
	assert_lines(page, want, NELEM(want));

	/* NaN counts as 0 and changes nothing else. */
	metrics_verdict_latency(NAN);
	render_page();
	assert_true(has_line(page,
	    "rdns_milter_verdict_seconds_bucket{le=\"0.001\"} 4"));
	assert_true(has_line(page, "rdns_milter_verdict_seconds_count 9"));
	assert_true(has_line(page, "rdns_milter_verdict_seconds_sum "
	    "30.714502"));
}

static void
histogram_sum_survives_huge_values(void **state)
{
	(void)state;
	metrics_verdict_latency(INFINITY);
	metrics_verdict_latency(1e300);
	render_page();
	/* Clamped to a day each. */
	assert_true(has_line(page, "rdns_milter_verdict_seconds_sum "
	    "172800.000000"));
	assert_true(has_line(page,
	    "rdns_milter_verdict_seconds_bucket{le=\"10\"} 0"));
	assert_true(has_line(page,
	    "rdns_milter_verdict_seconds_bucket{le=\"+Inf\"} 2"));
}

static void
reset_zeroes_everything(void **state)
{
	struct check_result r;
	char fresh[PAGE_MAX];

	(void)state;
	render_page();
	memcpy(fresh, page, sizeof fresh);
	metrics_session_start();
	metrics_skipped(METRICS_SKIP_ERROR);
	set_result(&r, CHECK_PASS, CHECK_PASS, CHECK_PASS, GENERIC_NO,
	    DNSSEC_SECURE, true);
	metrics_result(&r);
	metrics_action(ACTION_REJECT, true);
	metrics_verdict_latency(0.2);
	metrics_forged_removed(1);
	render_page();
	assert_string_not_equal(page, fresh);
	metrics_reset();
	render_page();
	assert_string_equal(page, fresh);
}

static void
decisions_are_labelled_by_policy_line(void **state)
{
	static const char *const want[] = {
		"rdns_milter_decisions_total{policy=\"*\",check=\"ptr\","
		    "action=\"reject\",dry_run=\"no\"} 2",
		"rdns_milter_decisions_total{policy=\"*\",check=\"ptr\","
		    "action=\"reject\",dry_run=\"yes\"} 0",
		"rdns_milter_decisions_total{policy=\".example.org\","
		    "check=\"generic\",action=\"reject\",dry_run=\"yes\"} 1",
		"rdns_milter_decisions_total{policy=\".example.org\","
		    "check=\"none\",action=\"accept\",dry_run=\"yes\"} 1",
		"rdns_milter_decisions_total{policy=\".example.org\","
		    "check=\"temperror\",action=\"tempfail\",dry_run=\"no\"} 1",
	};

	(void)state;
	metrics_decision("*", CHECK_ID_PTR, ACTION_REJECT, false);
	metrics_decision("*", CHECK_ID_PTR, ACTION_REJECT, false);
	metrics_decision(".example.org", CHECK_ID_GENERIC, ACTION_REJECT,
	    true);
	metrics_decision(".example.org", CHECK_ID_NONE, ACTION_ACCEPT, true);
	metrics_decision(".example.org", CHECK_ID_TEMPERROR, ACTION_TEMPFAIL,
	    false);
	/* Combinations that cannot happen are not counted. */
	metrics_decision("*", CHECK_ID_NONE, ACTION_REJECT, false);
	metrics_decision("*", CHECK_ID_TEMPERROR, ACTION_REJECT, false);
	metrics_decision("*", CHECK_ID_PTR, ACTION_ACCEPT, false);
	metrics_decision("*", (enum check_id)42, ACTION_REJECT, false);
	metrics_decision(NULL, CHECK_ID_PTR, ACTION_REJECT, false);
	render_page();
	assert_lines(page, want, NELEM(want));
	assert_int_equal(count_prefix(page, "rdns_milter_decisions_total{"
	    "policy=\"*\",check=\"none\",action=\"reject\""), 0);
	assert_int_equal(count_prefix(page, "rdns_milter_decisions_total{"
	    "policy=\"*\",check=\"ptr\",action=\"accept\""), 0);
}

static void
decision_policies_are_bounded(void **state)
{
	char name[32], want[160];
	const char *p;
	int i;

	(void)state;
	for (i = 0; i < METRICS_MAX_POLICIES + 10; i++) {
		snprintf(name, sizeof name, "p%d.example", i);
		metrics_decision(name, CHECK_ID_HELO, ACTION_TEMPFAIL, false);
	}
	render_page();
	/* Every series of one policy: 24 (check, action, dry_run). */
	assert_int_equal(count_prefix(page, "rdns_milter_decisions_total{"),
	    METRICS_MAX_POLICIES * 24);
	assert_int_equal(count_prefix(page, "rdns_milter_decisions_total{"
	    "policy=\"p70.example\""), 0);
	/* The policies registered by earlier tests and p0.. fill every slot
	 * but the last; the rest (at least 11) share "~other". */
	snprintf(want, sizeof want, "rdns_milter_decisions_total{policy="
	    "\"~other\",check=\"helo\",action=\"tempfail\","
	    "dry_run=\"no\"} ");
	p = strstr(page, want);
	assert_non_null(p);
	assert_true(strtol(p + strlen(want), NULL, 10) >= 11);
	assert_true(has_line(page, "rdns_milter_decisions_total{policy="
	    "\"p0.example\",check=\"helo\",action=\"tempfail\","
	    "dry_run=\"no\"} 1"));
}

static void
dns_lookups_are_counted_by_type_and_outcome(void **state)
{
	struct check_ptr_name names[3];
	struct check_result r;

	(void)state;
	memset(names, 0, sizeof names);
	set_result(&r, CHECK_PASS, CHECK_PASS, CHECK_FAIL, GENERIC_NO,
	    DNSSEC_SECURE, false);
	r.ip.family = AF_INET;
	r.ptr_dns = DNS_OK;
	r.names = names;
	r.n_names = 3;
	names[0].looked_up = true;
	names[0].fwd_result = DNS_NXDOMAIN;
	names[1].looked_up = true;
	names[1].fwd_result = DNS_OK;
	names[2].looked_up = false;	/* past MaxPTRNames: no lookup */
	r.helo_fwd = CHECK_TEMPERROR;
	r.helo_dns = DNS_TIMEOUT;
	metrics_result(&r);
	set_result(&r, CHECK_TEMPERROR, CHECK_TEMPERROR, CHECK_TEMPERROR,
	    GENERIC_TEMPERROR, DNSSEC_BOGUS, false);
	r.ip.family = AF_INET6;
	r.ptr_dns = DNS_BOGUS;
	r.helo_fwd = CHECK_FAIL;
	r.helo_dns = DNS_SERVFAIL;
	metrics_result(&r);
	render_page();
	assert_true(has_line(page,
	    "rdns_milter_dns_lookups_total{type=\"ptr\",outcome=\"ok\"} 1"));
	assert_true(has_line(page, "rdns_milter_dns_lookups_total{"
	    "type=\"ptr\",outcome=\"bogus\"} 1"));
	assert_true(has_line(page, "rdns_milter_dns_lookups_total{"
	    "type=\"a\",outcome=\"nxdomain\"} 1"));
	assert_true(has_line(page,
	    "rdns_milter_dns_lookups_total{type=\"a\",outcome=\"ok\"} 1"));
	assert_true(has_line(page, "rdns_milter_dns_lookups_total{"
	    "type=\"a\",outcome=\"timeout\"} 1"));
	assert_true(has_line(page, "rdns_milter_dns_lookups_total{"
	    "type=\"aaaa\",outcome=\"servfail\"} 1"));
	assert_true(has_line(page, "rdns_milter_dns_lookups_total{"
	    "type=\"aaaa\",outcome=\"ok\"} 0"));
	/* 3 types x 6 outcomes, all written from the start. */
	assert_int_equal(count_prefix(page, "rdns_milter_dns_lookups_total{"),
	    18);
}

static void
render_into_small_buffer_fails(void **state)
{
	char *small;
	int n;

	(void)state;
	metrics_verdict_latency(0.01);
	render_page();
	n = (int)strlen(page);
	small = malloc((size_t)n + 1);
	assert_non_null(small);
	/* Exactly enough (with the NUL) works, one byte less does not. */
	assert_int_equal(metrics_render(small, (size_t)n + 1), n);
	assert_string_equal(small, page);
	assert_int_equal(metrics_render(small, (size_t)n), -1);
	assert_int_equal(metrics_render(small, 10), -1);
	assert_int_equal(metrics_render(small, 1), -1);
	assert_int_equal(metrics_render(small, 0), -1);
	assert_int_equal(metrics_render(NULL, 100), -1);
	free(small);
}

#define RACE_THREADS	4
#define RACE_LOOPS	20000

static void *
racer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < RACE_LOOPS; i++) {
		metrics_session_start();
		metrics_action(ACTION_ACCEPT, false);
		metrics_verdict_latency(0.002);
		metrics_session_end();
	}
	return NULL;
}

static void
concurrent_recording_loses_nothing(void **state)
{
	pthread_t th[RACE_THREADS];
	char want[128];
	int i;

	(void)state;
	for (i = 0; i < RACE_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, racer, NULL), 0);
	for (i = 0; i < RACE_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	render_page();
	snprintf(want, sizeof want, "rdns_milter_sessions_total %d",
	    RACE_THREADS * RACE_LOOPS);
	assert_true(has_line(page, want));
	assert_true(has_line(page, "rdns_milter_sessions_active 0"));
	snprintf(want, sizeof want, "rdns_milter_actions_total"
	    "{action=\"accept\",dry_run=\"no\"} %d", RACE_THREADS * RACE_LOOPS);
	assert_true(has_line(page, want));
	snprintf(want, sizeof want,
	    "rdns_milter_verdict_seconds_count %d", RACE_THREADS * RACE_LOOPS);
	assert_true(has_line(page, want));
	snprintf(want, sizeof want, "rdns_milter_verdict_seconds_sum %d.000000",
	    RACE_THREADS * RACE_LOOPS * 2 / 1000);
	assert_true(has_line(page, want));
}

/*
 * The HTTP endpoint.
 */

#ifdef HAVE_MICROHTTPD

#define PORT_TRIES	50
#define REPLY_MAX	65536

static unsigned short http_port;

/* Start the server on spec, parsed as the configuration parses
 * MetricsListen.  @return metrics_start()'s. */
static int
start_spec(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *why = "";

	if (config_parse_listen(spec, &ss, &len, &why) == -1) {
		(void)snprintf(err, errlen, "config_parse_listen: %s", why);
		return -1;
	}
	return metrics_start(spec, (const struct sockaddr *)&ss, len, err,
	    errlen);
}

/* Start the server on 127.0.0.1 and a free port from a random range. */
static void
start_on_free_port(void)
{
	char lspec[32], err[256];
	unsigned short port;
	int i;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (i = 0; i < PORT_TRIES; i++) {
		port = (unsigned short)(20000 + rand() % 40000);
		snprintf(lspec, sizeof lspec, "127.0.0.1:%u", port);
		err[0] = '\0';
		if (start_spec(lspec, err, sizeof err) == 0) {
			http_port = port;
			return;
		}
		print_message("metrics_start(%s): %s\n", lspec, err);
	}
	fail_msg("no free port after %d tries", PORT_TRIES);
}

/*
 * Send req to 127.0.0.1:http_port and read the reply until the server
 * closes (HTTP/1.0).  @return the reply length.
 */
static size_t
http(const char *req, char *reply, size_t size)
{
	struct sockaddr_in sin;
	struct timeval tv = { 5, 0 };
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof tv), 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(http_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL),
	    (ssize_t)strlen(req));
	while (len < size - 1 &&
	    (n = recv(fd, reply + len, size - 1 - len, 0)) > 0)
		len += (size_t)n;
	reply[len] = '\0';
	close(fd);
	return len;
}

static const char *
body_of(const char *reply)
{
	const char *p = strstr(reply, "\r\n\r\n");

	assert_non_null(p);
	return p + 4;
}

static void
http_serves_metrics_404_and_405(void **state)
{
	char *reply, err[256];
	const char *body;
	struct check_result r;

	(void)state;
	reply = malloc(REPLY_MAX);
	assert_non_null(reply);
	start_on_free_port();

	/* A second server is refused while one runs. */
	assert_int_equal(start_spec("127.0.0.1:1", err, sizeof err), -1);
	assert_string_equal(err, "already serving metrics");

	metrics_session_start();
	set_result(&r, CHECK_PASS, CHECK_PASS, CHECK_PASS, GENERIC_NO,
	    DNSSEC_SECURE, false);
	metrics_result(&r);

	http("GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n", reply,
	    REPLY_MAX);
	assert_true(strncmp(reply, "HTTP/1.1 200 ", 13) == 0 ||
	    strncmp(reply, "HTTP/1.0 200 ", 13) == 0);
	if (strcasestr(reply, "\r\nContent-Type: text/plain; version=0.0.4; "
	    "charset=utf-8\r\n") == NULL)
		fail_msg("no Prometheus content type in:\n%s", reply);
	body = body_of(reply);
	assert_true(has_line(body, "rdns_milter_sessions_total 1"));
	assert_true(has_line(body, "rdns_milter_check_results_total"
	    "{check=\"iprev\",result=\"pass\"} 1"));
	assert_true(has_line(body, "# TYPE rdns_milter_verdict_seconds "
	    "histogram"));

	/* HEAD: headers only. */
	http("HEAD /metrics HTTP/1.0\r\n\r\n", reply, REPLY_MAX);
	assert_true(strncmp(reply + 8, " 200 ", 5) == 0);
	assert_string_equal(body_of(reply), "");

	http("GET /other HTTP/1.0\r\n\r\n", reply, REPLY_MAX);
	assert_true(strncmp(reply + 8, " 404 ", 5) == 0);
	assert_null(strstr(reply, "rdns_milter_"));

	http("GET /metrics/x HTTP/1.0\r\n\r\n", reply, REPLY_MAX);
	assert_true(strncmp(reply + 8, " 404 ", 5) == 0);

	http("POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n", reply,
	    REPLY_MAX);
	assert_true(strncmp(reply + 8, " 405 ", 5) == 0);
	assert_non_null(strcasestr(reply, "\r\nAllow: GET, HEAD\r\n"));
	assert_null(strstr(reply, "rdns_milter_"));

	http("DELETE /metrics HTTP/1.0\r\n\r\n", reply, REPLY_MAX);
	assert_true(strncmp(reply + 8, " 405 ", 5) == 0);

	metrics_stop();
	metrics_stop();		/* no-op */
	free(reply);
}

static void
http_stop_closes_the_port(void **state)
{
	struct sockaddr_in sin;
	int fd;

	(void)state;
	start_on_free_port();
	metrics_stop();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(http_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(fd);
}

static void
http_port_in_use_is_reported(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char lspec[32], want[64], err[256];
	int fd;

	(void)state;
	/* Hold a listening port, then ask for it (bare port: 127.0.0.1). */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(lspec, sizeof lspec, "%u", ntohs(sin.sin_port));
	err[0] = '\0';
	assert_int_equal(start_spec(lspec, err, sizeof err), -1);
	print_message("metrics_start(%s): %s\n", lspec, err);
	snprintf(want, sizeof want, "cannot listen on %s: ", lspec);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	assert_true(strlen(err) > strlen(want));
	close(fd);
	/* The failed start left nothing behind: a real one works. */
	start_on_free_port();
	metrics_stop();
}

static void
bad_listen_address_is_refused(void **state)
{
	static const char *const bad[] = {
		"0", "65536", "localhost:9100", "::1:9100", "[::1]", "", "x",
	};
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len;
	const char *why;
	char err[256];
	size_t i;

	(void)state;
	/* The text is the configuration's to refuse (MetricsListen). */
	for (i = 0; i < NELEM(bad); i++) {
		why = NULL;
		assert_int_equal(config_parse_listen(bad[i], &ss, &len, &why),
		    -1);
		assert_non_null(why);
	}
	/* metrics_start() takes an IPv4 or IPv6 address, nothing else. */
	assert_int_equal(config_parse_listen("9100", &ss, &len, &why), 0);
	assert_int_equal(metrics_start(NULL, (struct sockaddr *)&ss, len, err,
	    sizeof err), -1);
	assert_int_equal(metrics_start("x", NULL, len, err, sizeof err), -1);
	assert_string_equal(err, "bad listen address 'x'");
	assert_int_equal(metrics_start("x", (struct sockaddr *)&ss, 0, err,
	    sizeof err), -1);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	assert_int_equal(metrics_start("x", (struct sockaddr *)&sun,
	    sizeof sun, err, sizeof err), -1);
	assert_string_equal(err, "bad listen address 'x'");
}

/* IPv6 loopback, when the machine has it. */
static void
http_over_ipv6_loopback(void **state)
{
	struct sockaddr_in6 sin6;
	char lspec[48], err[256], req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	char reply[256];
	ssize_t n;
	size_t len = 0;
	int fd, i, ok = -1;

	(void)state;
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd == -1) {
		print_message("no IPv6: skipped\n");
		return;
	}
	close(fd);
	for (i = 0; i < PORT_TRIES && ok == -1; i++) {
		http_port = (unsigned short)(20000 + rand() % 40000);
		snprintf(lspec, sizeof lspec, "[::1]:%u", http_port);
		ok = start_spec(lspec, err, sizeof err);
	}
	if (ok == -1) {
		print_message("no ::1 (%s): skipped\n", err);
		return;
	}
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(http_port);
	sin6.sin6_addr = in6addr_loopback;
	assert_int_equal(connect(fd, (struct sockaddr *)&sin6, sizeof sin6),
	    0);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL),
	    (ssize_t)strlen(req));
	while (len < 12 && (n = recv(fd, reply + len, sizeof reply - 1 - len,
	    0)) > 0)
		len += (size_t)n;
	reply[len] = '\0';
	close(fd);
	metrics_stop();
	assert_true(len >= 12);
	assert_true(strncmp(reply + 8, " 200", 4) == 0);
}

#else /* !HAVE_MICROHTTPD */

static void
start_without_microhttpd_fails_cleanly(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *why = "";
	char err[256];

	(void)state;
	assert_int_equal(config_parse_listen("9100", &ss, &len, &why), 0);
	assert_int_equal(metrics_start("9100", (struct sockaddr *)&ss, len,
	    err, sizeof err), -1);
	assert_string_equal(err, "built without libmicrohttpd");
	metrics_stop();		/* no-op */
}

#endif /* HAVE_MICROHTTPD */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
		    fresh_counters_render_every_series_as_zero, setup),
		cmocka_unit_test_setup(every_metric_has_help_and_type, setup),
		cmocka_unit_test_setup(
		    recorded_events_give_exact_counter_lines, setup),
		cmocka_unit_test_setup(impossible_results_are_not_counted,
		    setup),
		cmocka_unit_test_setup(histogram_buckets_are_cumulative,
		    setup),
		cmocka_unit_test_setup(histogram_sum_survives_huge_values,
		    setup),
		cmocka_unit_test_setup(reset_zeroes_everything, setup),
		cmocka_unit_test_setup(render_into_small_buffer_fails, setup),
		cmocka_unit_test_setup(decisions_are_labelled_by_policy_line,
		    setup),
		cmocka_unit_test_setup(dns_lookups_are_counted_by_type_and_outcome,
		    setup),
		cmocka_unit_test_setup(concurrent_recording_loses_nothing,
		    setup),
#ifdef HAVE_MICROHTTPD
		cmocka_unit_test_setup(http_serves_metrics_404_and_405, setup),
		cmocka_unit_test_setup(http_stop_closes_the_port, setup),
		cmocka_unit_test_setup(http_port_in_use_is_reported, setup),
		cmocka_unit_test_setup(bad_listen_address_is_refused, setup),
		cmocka_unit_test_setup(http_over_ipv6_loopback, setup),
#else
		cmocka_unit_test(start_without_microhttpd_fails_cleanly),
#endif
		/* Last: it fills every policy slot for the rest of the
		 * process, making the page larger than the HTTP tests'
		 * buffers. */
		cmocka_unit_test_setup(decision_policies_are_bounded, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
