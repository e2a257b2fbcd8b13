/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdns-report - summarise rdns-milter log lines: what each policy refused
 * or would refuse (SPEC 5, rdns-report(1)).
 *
 * Input: files (plain or gzip; zlib reads both) or standard input, read
 * line by line into report_take(); the aggregation and the output are
 * report.c's.
 *
 * --replay CONF loads CONF with the daemon's own loader (config_load(),
 * as rdns-milter -n does) and decides every summary line again under it
 * (replay.h).
 *
 * Exit status: 0 report printed; 1 an input could not be read (the others
 * are still summarised); 64 usage; 78 the --replay configuration has
 * errors ("FILE:LINE: message" on stderr, as rdns-milter -n prints them).
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "conf.h"
#include "logparse.h"
#include "report.h"

#define EX_READ		1
#define EX_USAGE_	64
#define EX_CONFIG_	78

#define READ_CHUNK	(1 << 20)

/* The options; the aggregation is rep's. */
static struct report_opts R;
static struct report *rep;

static void
take(const char *line, size_t len)
{
	if (report_take(rep, line, len) == -1) {
		fprintf(stderr, "rdns-report: out of memory\n");
		exit(EXIT_FAILURE);
	}
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fprintf(stderr, "rdns-report: out of memory\n");
		exit(EXIT_FAILURE);
	}
	return p;
}

/*
 * Read one input to the end, line by line.  A line longer than
 * REPORT_LINE_MAX is counted as garbage and skipped.  @return 0, or -1 on
 * a read error.
 */
static char *read_buf;

static int
read_input(gzFile gz, const char *name)
{
	char *buf;
	size_t have = 0, start, i;
	bool skipping = false;
	int n, err;

	if (read_buf == NULL)
		read_buf = xmalloc(READ_CHUNK + REPORT_LINE_MAX);
	buf = read_buf;
	for (;;) {
		n = gzread(gz, buf + have, READ_CHUNK);
		if (n < 0) {
			fprintf(stderr, "rdns-report: %s: %s\n", name,
			    gzerror(gz, &err));
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);

			if (nl == NULL)
				break;
			i = (size_t)(nl - buf);
			if (skipping) {
				skipping = false;
				report_take_overlong(rep);
			} else
				take(buf + start, i - start);
			start = i + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have >= REPORT_LINE_MAX) {
			skipping = true;
			have = 0;
		}
	}
	if (skipping)
		report_take_overlong(rep);
	else if (have > 0)
		take(buf, have);	/* a last line without newline */
	return 0;
}

static int
read_path(const char *path)
{
	gzFile gz;
	int rc;

	if (strcmp(path, "-") == 0) {
		gz = gzdopen(dup(STDIN_FILENO), "rb");
		path = "(stdin)";
	} else
		gz = gzopen(path, "rb");
	if (gz == NULL) {
		fprintf(stderr, "rdns-report: %s: %s\n", path,
		    errno != 0 ? strerror(errno) : "cannot open");
		return -1;
	}
	(void)gzbuffer(gz, 1 << 17);
	rc = read_input(gz, path);
	(void)gzclose(gz);
	return rc;
}

/* config_load()'s errors, one "FILE:LINE: message" a line. */
static void
config_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: rdns-report [--json] [--since T] [--until T] "
	    "[--policy DOMAIN] [--replay CONF] [FILE...]\n"
	    "       rdns-report --help | --version\n"
	    "  T: YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\", with T between, "
	    "Z or +hh:mm after;\n"
	    "     @EPOCH; now, today, yesterday; -7d, -12h, -30m, "
	    "\"2 days ago\" (before now)\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "policy", required_argument, NULL, 'p' },
		{ "replay", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cf = NULL;
	const char *replay = NULL;
	bool json = false;
	int ch, i, rc = 0;

	R.now = time(NULL);
	while ((ch = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 's':
		case 'u':
			if (lp_parse_when(optarg, R.now, ch == 's' ?
			    &R.since : &R.until) == -1) {
				fprintf(stderr, "rdns-report: bad time '%s'\n",
				    optarg);
				usage(stderr);
				return EX_USAGE_;
			}
			if (ch == 's')
				R.since_set = true;
			else
				R.until_set = true;
			break;
		case 'p':
			R.only_policy = optarg;
			break;
		case 'r':
			replay = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rdns-report %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE_;
		}
	}
	if (replay != NULL) {
		if ((cf = config_load(replay, config_error, NULL)) == NULL) {
			fprintf(stderr, "rdns-report: %s: configuration "
			    "errors, nothing replayed\n", replay);
			return EX_CONFIG_;
		}
		R.replay = cf;
		R.replay_name = replay;
	}
	if ((rep = report_new(&R)) == NULL) {
		fprintf(stderr, "rdns-report: out of memory\n");
		return EXIT_FAILURE;
	}
	if (optind == argc) {
		if (read_path("-") == -1)
			rc = EX_READ;
	}
	for (i = optind; i < argc; i++)
		if (read_path(argv[i]) == -1)
			rc = EX_READ;

	if (report_print(rep, stdout, json) == -1) {
		fprintf(stderr, "rdns-report: out of memory\n");
		return EXIT_FAILURE;
	}
	report_free(rep);
	config_free(cf);
	free(read_buf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "rdns-report: write error\n");
		return EX_READ;
	}
	return rc;
}
