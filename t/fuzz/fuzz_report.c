/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_report.c - libFuzzer target: rdns-report's aggregation (report.c)
 * on a whole log: the input split at newlines, each line counted, then
 * the report printed as text and as JSON.  The first byte picks the
 * options (--since, --until, --policy, --replay: every summary line
 * decided again under REPLAY_CONF, replay.c).
 *
 * Checked: the work per line is bounded (report_probes(): at most
 * MAX_PROBES_PER_LINE hash table slots per line, whatever the lines
 * hold: the property rdns-report needs on a hostile log, written by any
 * local user with logger(1); with --replay, that for each decision a line
 * can carry, at most REPLAY_MAX_DECISIONS and the message's); printing
 * examines each client at most twice; every line read is counted in
 * exactly one category of the JSON "lines" object; with --replay, every
 * summary line is decided or counted as not replayed, and the checked
 * messages are those decided; nothing leaks.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_util.h"
#include "replay.h"
#include "report.h"

#define MAX_PROBES_PER_LINE	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[16] = "rdns-report-fuzz";

/* --replay: a configuration using every key a replay reads. */
#define REPLAY_CONF							\
	"GenericRules " FUZZ_SRCDIR "/data/generic.rules\n"		\
	"TrustedNetworks 127.0.0.0/8, 198.18.0.0/15\n"			\
	"ExemptRecipients postmaster, hostmaster\n"			\
	"AllowDomains .example.net\n"					\
	"MailRoleWords mx smtp\n"					\
	"GenericDisable dyn-word\n"					\
	"Policy * ptr=reject generic=reject\n"				\
	"Policy example.com ptr=reject iprev=reject helo=tempfail "	\
	"temperror=tempfail dnssec=require\n"				\
	"Policy .example.org generic=reject helo=reject dryrun=yes\n"

static struct config *replay_cf;

static void
conf_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fuzz_report: %s\n", msg);
}

/* The report printed to memory; @return it, NUL-terminated, to free(). */
static char *
printed(struct report *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	FUZZ_ASSERT(fp != NULL);
	FUZZ_ASSERT(report_print(r, fp, json) == 0);
	FUZZ_ASSERT(fclose(fp) == 0);
	return buf;
}

/* The JSON "lines" object: "read" equals the sum of the categories. */
static void
assert_lines_add_up(const char *json, uint64_t lines)
{
	unsigned long long v[10], sum = 0;
	size_t i;

	FUZZ_ASSERT(sscanf(json, "{\"lines\": {\"read\": %llu, \"summary\": "
	    "%llu, \"decision\": %llu, \"unchecked\": %llu, "
	    "\"other_program\": %llu, \"other_rdns_milter\": %llu, "
	    "\"old_format\": %llu, \"garbage\": %llu, \"out_of_range\": %llu, "
	    "\"undated\": %llu}", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
	    &v[6], &v[7], &v[8], &v[9]) == 10);
	FUZZ_ASSERT(v[0] == lines);
	for (i = 1; i < 10; i++)
		sum += v[i];
	FUZZ_ASSERT(sum == v[0]);
}

/* --replay: the summary lines (v[1]) are each decided or not replayed;
 * the checked messages are the decided ones. */
static void
assert_replay_adds_up(const char *json)
{
	unsigned long long summary, old, msgs, trusted, older, incomplete,
	    bad, checked;
	const char *p;

	FUZZ_ASSERT(sscanf(json, "{\"lines\": {\"read\": %*u, \"summary\": "
	    "%llu, \"decision\": %*u, \"unchecked\": %*u, "
	    "\"other_program\": %*u, \"other_rdns_milter\": %*u, "
	    "\"old_format\": %llu,", &summary, &old) == 2);
	FUZZ_ASSERT((p = strstr(json, "\"replay\": {\"config\": ")) != NULL);
	FUZZ_ASSERT((p = strstr(p, ", \"messages\": ")) != NULL);
	FUZZ_ASSERT(sscanf(p, ", \"messages\": %llu,", &msgs) == 1);
	FUZZ_ASSERT((p = strstr(p, "\"trusted\": ")) != NULL);
	FUZZ_ASSERT(sscanf(p, "\"trusted\": %llu,", &trusted) == 1);
	FUZZ_ASSERT((p = strstr(p, "\"not_replayed\": ")) != NULL);
	FUZZ_ASSERT(sscanf(p, "\"not_replayed\": {\"older_format\": %llu, "
	    "\"dns_incomplete\": %llu, \"garbage\": %llu,", &older,
	    &incomplete, &bad) == 3);
	FUZZ_ASSERT((p = strstr(p, "\"checked_messages\": ")) != NULL);
	FUZZ_ASSERT(sscanf(p, "\"checked_messages\": %llu,", &checked) == 1);
	FUZZ_ASSERT(older >= old);
	FUZZ_ASSERT(msgs + trusted + (older - old) + incomplete + bad ==
	    summary);
	FUZZ_ASSERT(checked == msgs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_opts o;
	struct report *r;
	const char *p, *end, *nl;
	uint64_t lines = 0, before, taken, max_probes = MAX_PROBES_PER_LINE;
	char *line, *out;

	memset(&o, 0, sizeof o);
	o.now = 1700000000;
	o.hash_key = key;
	if (size > 0) {
		o.since_set = (data[0] & 1) != 0;
		o.since = 1700000000 - 86400;
		o.until_set = (data[0] & 2) != 0;
		o.until = 1700000000;
		o.only_policy = (data[0] & 4) != 0 ? "example.com" : NULL;
		if ((data[0] & 8) != 0) {
			if (replay_cf == NULL)
				replay_cf = config_load_string("replay.conf",
				    REPLAY_CONF, conf_error, NULL);
			FUZZ_ASSERT(replay_cf != NULL);
			o.replay = replay_cf;
			o.replay_name = "replay.conf";
			/* A policy and a client lookup for each decision
			 * and the message. */
			max_probes *= REPLAY_MAX_DECISIONS + 1;
		}
		data++;
		size--;
	}
	FUZZ_ASSERT((r = report_new(&o)) != NULL);
	/* Each line in a buffer of its own size: ASan sees any read past
	 * its end. */
	for (p = (const char *)data, end = p + size; p < end; p = nl + 1) {
		size_t n;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		lines++;
		if (n >= REPORT_LINE_MAX) {
			report_take_overlong(r);
			continue;
		}
		FUZZ_ASSERT((line = malloc(n > 0 ? n : 1)) != NULL);
		memcpy(line, p, n);
		before = report_probes(r);
		FUZZ_ASSERT(report_take(r, line, n) == 0);
		FUZZ_ASSERT(report_probes(r) - before <= max_probes);
		free(line);
	}
	FUZZ_ASSERT(report_lines(r) == lines);
	taken = report_probes(r);
	out = printed(r, false);
	free(out);
	/* Each client: once when grouped, at most once as a top client;
	 * a replayed line names a client per decision. */
	FUZZ_ASSERT(report_probes(r) - taken <= 2 * lines *
	    (o.replay != NULL ? REPLAY_MAX_DECISIONS : 1));
	out = printed(r, true);
	assert_lines_add_up(out, lines);
	if (o.replay != NULL)
		assert_replay_adds_up(out);
	free(out);
	report_free(r);
	return 0;
}
