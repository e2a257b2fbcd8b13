/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_report.c - libFuzzer target: rdns-report's aggregation (report.c)
 * on a whole log: the input split at newlines, each line counted, then
 * the report printed as text and as JSON.  The first byte picks the
 * options (--since, --until, --policy).
 *
 * Checked: the work per line is bounded (report_probes(): at most
 * MAX_PROBES_PER_LINE hash table slots per line, whatever the lines
 * hold: the property rdns-report needs on a hostile log, written by any
 * local user with logger(1)); printing examines each client at most
 * twice; every line read is counted in exactly one category of the
 * JSON "lines" object; nothing leaks.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "report.h"

#define MAX_PROBES_PER_LINE	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[16] = "rdns-report-fuzz";

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_opts o;
	struct report *r;
	const char *p, *end, *nl;
	uint64_t lines = 0, before, taken;
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
		FUZZ_ASSERT(report_probes(r) - before <= MAX_PROBES_PER_LINE);
		free(line);
	}
	FUZZ_ASSERT(report_lines(r) == lines);
	taken = report_probes(r);
	out = printed(r, false);
	free(out);
	/* Each client: once when grouped, at most once as a top client. */
	FUZZ_ASSERT(report_probes(r) - taken <= 2 * lines);
	out = printed(r, true);
	assert_lines_add_up(out, lines);
	free(out);
	report_free(r);
	return 0;
}
