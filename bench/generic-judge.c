/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic-judge - rdns-milter's generic-name judgement on corpus rows,
 * without DNS: the verdict generic_assess() gives each row's PTR name
 * for its address, with the shipped rules (or others), as the daemon
 * would give it once the name is forward-confirmed.  Used by
 * bench/judge.sh (the detector comparison), t/milter/corpus.sh (the
 * split check) and for the matcher's cost (doc/PERFORMANCE.md).
 *
 *	generic-judge [-a] [-m WORDS] [-n] [-r FILE]... [-d NAME]... [-s]
 *	    [-t ROUNDS] CORPUS...
 *
 *	-a	print every row (default: only the wrong verdicts: a
 *		generic name (G) not judged generic, a sender (S) judged
 *		generic)
 *	-m WORDS	mail-role words (MailRoleWords; "none": off)
 *	-n	no rules file: the address test and mail-role words only
 *	-r FILE	a rules file (may repeat); default: the shipped one
 *		($RDNS_MILTER_GENERIC_RULES, else the installed file)
 *	-d NAME	switch rule NAME off (may repeat; GenericDisable)
 *	-s	check the split: every row of a file named tuning.txt has
 *		an ORG whose FNV-1a hash is even, heldout.txt odd
 *	-t N	time the judgement: every G and S name N times, one
 *		clock_gettime() pair per call; print the cost per name
 *
 * Output: "row FILE:LINE KIND ok|WRONG RULE PTR [IP] REASON" lines,
 * then "score FILE KIND ROWS FLAGGED" per file and kind (FLAGGED: judged
 * generic), and with -t "cost n=N p50=.. p90=.. p99=.. max=.. us".
 * Exit status: 0, 1 if -s found a row in the wrong half, 2 usage or
 * input errors.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "dname.h"
#include "generic.h"

#define MAX_FILES	8
#define MAX_ROWS	4096

struct row {
	char		 kind;
	struct rdns_ip	 ip;
	char		 ipstr[64];
	char		 ptr[DNAME_TEXT_MAX + 1];
	char		 org[64];
	const char	*file;
	size_t		 line;
};

static struct row rows[MAX_ROWS];
static size_t nrows;

static void
usage(void)
{
	fprintf(stderr, "usage: generic-judge [-a] [-m WORDS] [-n] "
	    "[-r FILE]... [-d NAME]... [-s] [-t ROUNDS] CORPUS...\n");
	exit(2);
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 0x811c9dc5u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x01000193u;
	}
	return h;
}

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/* Read the rows of a corpus file; @return the number of split errors
 * (-s), or -1 on input errors. */
static int
read_corpus(const char *file, bool check_split)
{
	char line[2048], kind[8], ip[64], ptr[512], helo[512], haddr[64];
	char org[64], cc[8];
	size_t lineno = 0;
	int bad = 0, want = -1;
	FILE *fp;

	if (strcmp(base(file), "tuning.txt") == 0)
		want = 0;
	else if (strcmp(base(file), "heldout.txt") == 0)
		want = 1;
	if ((fp = fopen(file, "r")) == NULL) {
		fprintf(stderr, "generic-judge: %s: %s\n", file,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		char *hash = strchr(line, '#');
		struct row *r;
		int n;

		lineno++;
		if (hash != NULL)
			*hash = '\0';
		n = sscanf(line, "%7s %63s %511s %511s %63s %63s %7s", kind, ip,
		    ptr, helo, haddr, org, cc);
		if (n <= 0)
			continue;
		if (n != 7 || strlen(kind) != 1 || strchr("SGF", kind[0]) ==
		    NULL) {
			fprintf(stderr, "generic-judge: %s:%zu: want KIND IP "
			    "PTR HELO HELO_ADDR ORG CC\n", file, lineno);
			(void)fclose(fp);
			return -1;
		}
		if (check_split && want >= 0 && (int)(fnv1a(org) % 2) != want) {
			fprintf(stderr, "generic-judge: %s:%zu: ORG %s belongs "
			    "to the %s half\n", file, lineno, org,
			    want == 0 ? "held-out" : "tuning");
			bad++;
		}
		if (nrows == MAX_ROWS) {
			fprintf(stderr, "generic-judge: too many rows\n");
			(void)fclose(fp);
			return -1;
		}
		r = &rows[nrows];
		if (dname_parse_ip(ip, &r->ip) == -1 ||
		    strlen(ptr) > DNAME_TEXT_MAX) {
			fprintf(stderr, "generic-judge: %s:%zu: bad IP or "
			    "name\n", file, lineno);
			(void)fclose(fp);
			return -1;
		}
		r->kind = kind[0];
		(void)snprintf(r->ipstr, sizeof r->ipstr, "%s", ip);
		(void)snprintf(r->ptr, sizeof r->ptr, "%s", ptr);
		(void)snprintf(r->org, sizeof r->org, "%s", org);
		r->file = file;
		r->line = lineno;
		nrows++;
	}
	(void)fclose(fp);
	return bad;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
timing(const struct generic_patterns *gp, const struct generic_roles *gr,
    unsigned rounds)
{
	struct generic_verdict v;
	struct timespec t0, t1;
	double *cost;
	size_t n = 0, i, max = nrows * rounds;
	unsigned k;

	if ((cost = malloc((max > 0 ? max : 1) * sizeof *cost)) == NULL) {
		fprintf(stderr, "generic-judge: out of memory\n");
		exit(2);
	}
	for (k = 0; k < rounds; k++)
		for (i = 0; i < nrows; i++) {
			if (rows[i].kind == 'F')
				continue;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			(void)generic_assess(gp, gr, rows[i].ptr, &rows[i].ip,
			    &v);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			cost[n++] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
		}
	if (n == 0) {
		free(cost);
		return;
	}
	qsort(cost, n, sizeof *cost, cmp_double);
	printf("cost n=%zu p50=%.2f p90=%.2f p99=%.2f max=%.2f us\n", n,
	    cost[n / 2], cost[n * 90 / 100], cost[n * 99 / 100], cost[n - 1]);
	free(cost);
}

int
main(int argc, char **argv)
{
	const char *files[MAX_FILES], *disable[64];
	size_t nfiles = 0, ndisable = 0, i, f;
	struct generic_patterns *gp = NULL;
	struct generic_roles *gr;
	bool all = false, norules = false, split = false;
	const char *roles = GENERIC_ROLES_DEFAULT;
	unsigned rounds = 0;
	char err[1024];
	int c, bad = 0;

	while ((c = getopt(argc, argv, "am:nd:r:st:")) != -1)
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'm':
			roles = optarg;
			break;
		case 'n':
			norules = true;
			break;
		case 'r':
			if (nfiles == MAX_FILES)
				usage();
			files[nfiles++] = optarg;
			break;
		case 'd':
			if (ndisable == sizeof disable / sizeof disable[0])
				usage();
			disable[ndisable++] = optarg;
			break;
		case 's':
			split = true;
			break;
		case 't':
			rounds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	if (optind == argc)
		usage();
	if (!norules) {
		if (nfiles == 0)
			files[nfiles++] = config_generic_rules_default();
		if ((gp = generic_rules_new()) == NULL)
			return 2;
		for (f = 0; f < nfiles; f++)
			if (generic_rules_add_file(gp, files[f], err,
			    sizeof err) == -1) {
				fprintf(stderr, "generic-judge: %s\n", err);
				return 2;
			}
		for (i = 0; i < ndisable; i++)
			if (generic_rules_disable(gp, disable[i], err,
			    sizeof err) == -1) {
				fprintf(stderr, "generic-judge: %s\n", err);
				return 2;
			}
		if (generic_rules_compile(gp, err, sizeof err) == -1) {
			fprintf(stderr, "generic-judge: %s\n", err);
			return 2;
		}
	}
	if ((gr = generic_roles_new(roles, err, sizeof err)) == NULL) {
		fprintf(stderr, "generic-judge: -m: %s\n", err);
		return 2;
	}
	for (c = optind; c < argc; c++) {
		int r = read_corpus(argv[c], split);

		if (r < 0)
			return 2;
		bad += r;
	}
	for (c = optind; c < argc; c++) {
		size_t nk[2] = { 0, 0 }, flagged[2] = { 0, 0 };

		for (i = 0; i < nrows; i++) {
			struct generic_verdict v;
			int k = rows[i].kind == 'S' ? 0 : 1;
			bool g, ok;

			if (rows[i].file != argv[c] || rows[i].kind == 'F')
				continue;
			g = generic_assess(gp, gr, rows[i].ptr, &rows[i].ip,
			    &v);
			ok = g == (k == 1);
			nk[k]++;
			flagged[k] += g;
			if (all || !ok)
				printf("row %s:%zu %c %s %s %s [%s] %s\n",
				    rows[i].file, rows[i].line, rows[i].kind,
				    ok ? "ok" : "WRONG",
				    v.rule[0] != '\0' ? v.rule : "-",
				    rows[i].ptr, rows[i].ipstr, v.reason);
		}
		printf("score %s S %zu %zu\n", argv[c], nk[0], flagged[0]);
		printf("score %s G %zu %zu\n", argv[c], nk[1], flagged[1]);
	}
	if (rounds > 0)
		timing(gp, gr, rounds);
	generic_patterns_free(gp);
	generic_roles_free(gr);
	return bad > 0 ? 1 : 0;
}
