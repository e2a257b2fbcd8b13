/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_checks_table.c - the check table (milter/checks_table.c) is the one
 * place a check is named, and every consumer walks it (issue 19).  For
 * every row: its words are whole and unique, and the check round-trips
 * through each consumer: a Policy line naming it is parsed and decides
 * with it; a summary line and a reject line written with each of its
 * results (logline.c) are parsed back by logparse.c to the same values;
 * each result and each decision is counted in its metric series
 * (metrics.c); its Authentication-Results method or comment word is
 * rendered (authres.c).  A check added to the enum, or to one consumer
 * only, fails here (doc/HACKING.md "Add a check").
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "authres.h"
#include "checks.h"
#include "conf.h"
#include "logline.h"
#include "logparse.h"
#include "metrics.h"
#include "policy.h"
#include "rcptlist.h"
#include "result_builder.h"
#include "strbuf.h"

#define ID(i)	((enum check_id)(i))

/* A verdict where everything passes: the base each case changes. */
static void
base_result(struct result_store *st)
{
	static const struct rspec pass = {
		.ip = "192.0.2.10",
		.iprev = CHECK_PASS,
		.dnssec = DNSSEC_SECURE,
		.names = { "mail.example.com", NULL },
		.verified = 1,
		.helo = "mail.example.com",
		.xptr = CHECK_PASS,
		.helo_fwd = CHECK_PASS,
		.helo_match = 1,
		.generic = GENERIC_NO,
	};

	result_build(&pass, st);
}

/* The first value of check id of class cls, or -1. */
static int
value_of_class(enum check_id id, enum check_class cls)
{
	size_t i;

	for (i = 0; i < check_info[id].n_results; i++)
		if (check_info[id].results[i].cls == cls)
			return check_info[id].results[i].value;
	return -1;
}

static bool
span_is(struct lp_span sp, const char *s)
{
	return s != NULL && sp.n == strlen(s) && memcmp(sp.p, s, sp.n) == 0;
}

/*
 * The rows: every check has a name, unique, found again by check_by_name();
 * what a row declares is whole (a result getter with its labels, a
 * Policy key with its reply, a log key in check_logged[], a header kind
 * with its word); every check but "none" is in check_shown[].
 */
static void
rows_are_whole(void **state)
{
	size_t i, j, k, logged = 0;

	(void)state;
	for (i = 0; i < CHECK_ID_N; i++) {
		const struct check_info *ci = &check_info[i];
		size_t shown = 0, in_log = 0;

		assert_non_null(ci->name);
		assert_true(ci->name[0] != '\0');
		assert_int_equal(check_by_name(ci->name, strlen(ci->name)),
		    (int)i);
		assert_string_equal(check_name(ID(i)), ci->name);
		for (j = 0; j < i; j++)
			assert_string_not_equal(check_info[j].name, ci->name);
		for (k = 0; k < CHECK_N_SHOWN; k++)
			shown += check_shown[k] == ID(i);
		assert_int_equal(shown, i == CHECK_ID_NONE ? 0 : 1);

		/* A result: its accessors, its vocabulary, its labels. */
		assert_int_equal(ci->get != NULL, ci->vocab != CHECK_VOCAB_NONE);
		assert_int_equal(ci->set != NULL, ci->get != NULL);
		assert_int_equal(ci->n_results > 0, ci->get != NULL);
		assert_true(ci->n_results <= CHECK_RESULTS_MAX);
		for (j = 0; j < ci->n_results; j++) {
			int v = ci->results[j].value;
			const char *l = check_label(ID(i), v);

			assert_non_null(l);
			assert_int_equal(check_parse(ID(i), l, strlen(l)), v);
			assert_int_equal(check_result_index(ID(i), v), (int)j);
		}
		/* A Policy key: what it takes, and the text of a refusal. */
		assert_int_equal(ci->policy_key != NULL,
		    ci->pkey != CHECK_PKEY_NONE);
		if (ci->policy_key != NULL)
			assert_non_null(ci->reply);
		if (ci->pkey == CHECK_PKEY_REQUIRE)
			assert_int_equal(check_info[ci->acted_by].pkey,
			    CHECK_PKEY_ACTION);
		/* A key on the summary line: a result, in check_logged[]. */
		for (k = 0; k < CHECK_N_LOGGED; k++)
			in_log += check_logged[k] == ID(i);
		assert_int_equal(in_log, ci->log_key != NULL ? 1 : 0);
		if (ci->log_key != NULL) {
			assert_non_null(ci->get);
			logged++;
		}
		/* A metric, a category: a result; a category, a failure. */
		if (ci->metric != NULL)
			assert_non_null(ci->get);
		if (ci->category != NULL)
			assert_true(value_of_class(ID(i), CHECK_CLASS_FAIL) >= 0);
		assert_int_equal(ci->header != NULL,
		    ci->header_kind != CHECK_HDR_NONE);
		/* A check with a result is seen somewhere: a Policy key or
		 * a log key; nothing is computed for nobody. */
		if (ci->get != NULL)
			assert_true(ci->policy_key != NULL ||
			    ci->log_key != NULL);
	}
	assert_int_equal(logged, CHECK_N_LOGGED);
}

static void
print_conf_error(void *arg, const char *msg)
{
	(void)arg;
	print_error("%s\n", msg);
}

/*
 * Policy parsing and the decision: "Policy example.com KEY=VALUE" for
 * every check's key is loaded by the configuration loader, and a result
 * that fails the check (or, for temperror, one temporary error) is
 * refused by that check.
 */
static void
policy_round_trip(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < CHECK_ID_N; i++) {
		const struct check_info *ci = &check_info[i];
		char conf[256];
		struct config *cf;
		const struct policy *p;
		struct policy_decision d;
		struct result_store st;
		enum check_id decider = ID(i);
		int v;

		if (ci->policy_key == NULL)
			continue;
		base_result(&st);
		switch (ci->pkey) {
		case CHECK_PKEY_ACTION:
			snprintf(conf, sizeof conf, "Policy example.com "
			    "%s=reject\n", ci->policy_key);
			v = value_of_class(ID(i), CHECK_CLASS_FAIL);
			assert_true(v >= 0);
			ci->set(&st.r, v);
			/* The helo policy also needs the HELO neither to
			 * forward-confirm nor to be aligned (SPEC 4).  A new
			 * check whose verdict takes other inputs says here
			 * how to fail it. */
			if (check_verdict(ID(i), &st.r) != CHECK_CLASS_FAIL) {
				st.r.helo_fwd = CHECK_FAIL;
				st.r.helo_aligned = false;
				st.r.helo_match = -1;
			}
			assert_int_equal(check_verdict(ID(i), &st.r),
			    CHECK_CLASS_FAIL);
			break;
		case CHECK_PKEY_TEMPERROR:
			/* One temporary error under an acting check. */
			snprintf(conf, sizeof conf, "Policy example.com "
			    "%s=reject %s=tempfail\n",
			    check_info[CHECK_ID_PTR].policy_key,
			    ci->policy_key);
			st.r.ptr = CHECK_TEMPERROR;
			break;
		case CHECK_PKEY_REQUIRE:
			/* Acted on by another check's action. */
			snprintf(conf, sizeof conf, "Policy example.com "
			    "%s=reject %s=require\n",
			    check_info[ci->acted_by].policy_key,
			    ci->policy_key);
			st.r.iprev_dnssec = DNSSEC_INSECURE;
			break;
		case CHECK_PKEY_NONE:
			fail();
		}
		cf = config_load_string("t.conf", conf, print_conf_error,
		    NULL);
		assert_non_null(cf);
		p = config_policy_for(cf, "example.com");
		assert_string_equal(p->domain, "example.com");
		assert_true(policy_needs_verdict(p));
		policy_decide(&st.r, p, &d);
		if (d.check != decider)
			print_error("%s: decided by %s\n", ci->name,
			    check_name(d.check));
		assert_int_equal(d.check, decider);
		assert_int_not_equal(d.action, ACTION_ACCEPT);
		assert_true(d.text[0] != '\0');

		/* Its decision counted by its name. */
		{
			static char page[256 * 1024];
			char want[256];

			metrics_reset();
			metrics_decision(p->domain, d.check, d.action, false);
			assert_true(metrics_render(page, sizeof page) > 0);
			snprintf(want, sizeof want,
			    "rdns_milter_decisions_total{policy=\"example.com\","
			    "check=\"%s\",action=\"%s\",dry_run=\"no\"} 1\n",
			    ci->name, policy_action_str(d.action));
			if (strstr(page, want) == NULL)
				print_error("no line %s", want);
			assert_non_null(strstr(page, want));
		}
		config_free(cf);
	}
}

/* A summary line of r, parsed back. */
static void
summary_of(const struct check_result *r, const struct policy_tally *t,
    char *line, size_t size, struct lp_line *out)
{
	struct logline_client c = {
		.qid = "4XyZ1",
		.host = "mail.example.com",
		.ip = r->ipstr,
		.helo = r->have_helo ? r->helo : NULL,
		.serial = 7,
	};
	struct rcptlist rl;
	struct logline_summary in = {
		.r = r,
		.ms = 3,
		.tally = t,
		.rl = &rl,
	};
	struct strbuf sb;

	rcptlist_reset(&rl);
	rcptlist_add(&rl, NULL, "example.com");
	strbuf_init(&sb, line, size);
	logline_summary(&sb, &c, &in);
	assert_false(strbuf_overflow(&sb));
	assert_int_equal(lp_parse(line, strlen(line), time(NULL), out),
	    LP_SUMMARY);
	rcptlist_reset(&rl);
}

/*
 * The log: every result of every logged check is written on a summary
 * line under its log key and read back by logparse to the same value;
 * every check that can decide is written on a reject line and on a
 * summary line as check=, and read back to the same check.
 */
static void
log_round_trip(void **state)
{
	char line[LOGLINE_SUMMARY_MAX];
	struct lp_line lp;
	struct policy_tally t;
	size_t i, j, k;

	(void)state;
	policy_tally_reset(&t);
	for (i = 0; i < CHECK_ID_N; i++) {
		const struct check_info *ci = &check_info[i];

		if (ci->log_key == NULL)
			continue;
		for (j = 0; j < ci->n_results; j++) {
			struct result_store st;
			int v = ci->results[j].value;
			char key[64];

			base_result(&st);
			ci->set(&st.r, v);
			summary_of(&st.r, &t, line, sizeof line, &lp);
			snprintf(key, sizeof key, " %s=%s ", ci->log_key,
			    check_label(ID(i), v));
			assert_non_null(strstr(line, key));
			assert_true(span_is(lp.result[i],
			    check_label(ID(i), v)));
			assert_int_equal(check_parse(ID(i), lp.result[i].p,
			    lp.result[i].n), v);
			/* The other checks keep their values. */
			for (k = 0; k < CHECK_ID_N; k++)
				if (k != i && check_info[k].log_key != NULL)
					assert_true(span_is(lp.result[k],
					    check_label(ID(k),
					    check_info[k].get(&st.r))));
		}
	}

	/* check= of the reject line and of the summary line. */
	for (i = CHECK_ID_NONE + 1; i < CHECK_ID_N; i++) {
		char domain[] = "example.com";
		struct policy pol;
		struct policy_decision d;
		struct logline_client c = {
			.qid = "4XyZ1",
			.host = "h.example",
			.ip = "192.0.2.10",
			.helo = "h.example",
			.serial = 7,
		};
		struct result_store st;
		struct strbuf sb;

		if (check_info[i].reply == NULL)
			continue;
		memset(&pol, 0, sizeof pol);
		pol.domain = domain;
		memset(&d, 0, sizeof d);
		d.action = ACTION_REJECT;
		d.check = ID(i);
		snprintf(d.rcode, sizeof d.rcode, "550");
		snprintf(d.xcode, sizeof d.xcode, "5.7.25");
		snprintf(d.text, sizeof d.text, "text");
		strbuf_init(&sb, line, sizeof line);
		logline_reject(&sb, &c, "a@b.example", "<c@example.com>", &pol,
		    &d, false);
		assert_int_equal(lp_parse(line, strlen(line), time(NULL), &lp),
		    LP_RCPT);
		assert_true(span_is(lp.check, check_info[i].name));
		assert_int_equal(check_by_name(lp.check.p, lp.check.n),
		    (int)i);

		policy_tally_reset(&t);
		policy_tally_add(&t, &pol, &d, false, 1);
		base_result(&st);
		summary_of(&st.r, &t, line, sizeof line, &lp);
		assert_true(span_is(lp.check, check_info[i].name));
		assert_true(lp.refused);
	}
}

/*
 * The metrics: every result of every check with a metric is counted in
 * rdns_milter_check_results_total under the check's label and the
 * result's; the DNSSEC statuses in rdns_milter_dnssec_total.
 */
static void
metric_round_trip(void **state)
{
	static char page[256 * 1024];
	size_t i, j;

	(void)state;
	for (i = 0; i < CHECK_ID_N; i++) {
		const struct check_info *ci = &check_info[i];

		if (ci->get == NULL)
			continue;
		for (j = 0; j < ci->n_results; j++) {
			struct result_store st;
			int v = ci->results[j].value;
			char want[256];

			base_result(&st);
			ci->set(&st.r, v);
			metrics_reset();
			metrics_result(&st.r);
			assert_true(metrics_render(page, sizeof page) > 0);
			if (ci->metric != NULL)
				snprintf(want, sizeof want,
				    "rdns_milter_check_results_total{check="
				    "\"%s\",result=\"%s\"} 1\n", ci->metric,
				    check_label(ID(i), v));
			else if (i == CHECK_ID_DNSSEC)
				snprintf(want, sizeof want,
				    "rdns_milter_dnssec_total{status=\"%s\"} "
				    "1\n", check_label(ID(i), v));
			else
				fail_msg("%s has a result but no metric",
				    ci->name);
			if (strstr(page, want) == NULL)
				print_error("no line %s", want);
			assert_non_null(strstr(page, want));
		}
	}
}

/*
 * The header: a method is written "method=result" with each result the
 * method can have; a comment word appears in the iprev comment.
 */
static void
header_round_trip(void **state)
{
	char hv[AUTHRES_MAX], want[128];
	size_t i, j;

	(void)state;
	for (i = 0; i < CHECK_ID_N; i++) {
		const struct check_info *ci = &check_info[i];

		if (ci->header_kind == CHECK_HDR_NONE)
			continue;
		for (j = 0; j < ci->n_results; j++) {
			struct result_store st;
			int v = ci->results[j].value;

			base_result(&st);
			ci->set(&st.r, v);
			assert_int_equal(authres_format("mx.example.net", &st.r,
			    hv, sizeof hv), 0);
			if (ci->header_kind == CHECK_HDR_METHOD)
				snprintf(want, sizeof want, "%s=%s",
				    ci->header, check_label(ID(i), v));
			else if (ci->vocab == CHECK_VOCAB_DNSSEC)
				snprintf(want, sizeof want, "; %s=%s)",
				    ci->header, check_label(ID(i), v));
			else if (check_class_of(ID(i), v) == CHECK_CLASS_FAIL)
				snprintf(want, sizeof want, "; %s)",
				    ci->header);
			else
				continue;
			if (strstr(hv, want) == NULL)
				print_error("%s=%s: no \"%s\" in %s\n",
				    ci->name, check_label(ID(i), v), want, hv);
			assert_non_null(strstr(hv, want));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_are_whole),
		cmocka_unit_test(policy_round_trip),
		cmocka_unit_test(log_round_trip),
		cmocka_unit_test(metric_round_trip),
		cmocka_unit_test(header_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
