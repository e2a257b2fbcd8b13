/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdns-report - summarise rdns-milter log lines: what each policy refused
 * or would refuse (SPEC 5, rdns-report(1)).
 *
 * Input: files (plain or gzip; zlib reads both) or standard input.  Each
 * line goes through lp_parse(); per-recipient lines give recipients and
 * clients per (policy, check, mode), summary lines give messages and the
 * number of checked messages.  Clients live in one open-addressing hash
 * table keyed by (policy, check, client); strings are copied into an
 * arena that is never freed before exit.
 *
 * Exit status: 0 report printed; 1 an input could not be read (the others
 * are still summarised); 64 usage.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "logparse.h"

#define EX_READ		1
#define EX_USAGE_	64

#define TOP_N		20
#define LINE_MAX_	8192	/* longer lines are counted as garbage */
#define READ_CHUNK	(1 << 20)

enum { M_ENF = 0, M_DRY = 1 };

static const char *const check_names[] = {
	"ptr", "iprev", "generic", "helo", "dnssec", "temperror",
};
#define N_CHECKS	(sizeof(check_names) / sizeof(check_names[0]))

struct cstat {
	uint64_t	 rcpts[2];	/* [mode] */
	uint64_t	 msgs[2];
	uint64_t	 clients;	/* distinct */
};

struct pol {
	char		*name;
	struct cstat	 c[N_CHECKS];
};

struct client {
	uint32_t	 hash;
	uint16_t	 pol;
	uint8_t		 check;
	bool		 used;
	char		*key;		/* verified name, else IP */
	char		*ip;
	char		*helo;		/* first HELO seen */
	uint32_t	 helos;		/* distinct HELOs seen (1 or 2 = more) */
	uint64_t	 rcpts[2];
};

static struct {
	struct pol	*pol;
	size_t		 n_pol;
	struct client	*tab;
	size_t		 tab_size, tab_used;
	uint64_t	 lines, summaries, checked, rcpt_lines, other, old,
			 garbage, info, unchecked, out_of_range, undated,
			 filtered;
	bool		 since_set, until_set;
	time_t		 since, until;
	const char	*only_policy;
	time_t		 now;
	size_t		*order;		/* policy indices sorted by name */
} R;

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

/* The arena: blocks chained through their first pointer, freed at exit. */
static void	*arena_blocks;
static char	*block;
static size_t	 left;

static void
arena_free(void)
{
	while (arena_blocks != NULL) {
		void *next = *(void **)arena_blocks;

		free(arena_blocks);
		arena_blocks = next;
	}
}

/* Copy a span into the arena (NUL-terminated). */
static char *
arena_dup(struct lp_span s)
{
	char *p;

	if (s.n + 1 > left) {
		size_t sz = s.n + 1 > 65536 ? s.n + 1 : 65536;
		void **b = xmalloc(sizeof(void *) + sz);

		*b = arena_blocks;
		arena_blocks = b;
		block = (char *)(b + 1);
		left = sz;
	}
	p = block;
	memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	block += s.n + 1;
	left -= s.n + 1;
	return p;
}

static int
check_index(struct lp_span c)
{
	size_t i;

	for (i = 0; i < N_CHECKS; i++)
		if (lp_eq(c, check_names[i]))
			return (int)i;
	return -1;
}

static int
policy_index(struct lp_span p)
{
	size_t i;

	for (i = 0; i < R.n_pol; i++)
		if (lp_eq(p, R.pol[i].name))
			return (int)i;
	if (R.n_pol >= UINT16_MAX)
		return -1;
	if ((R.n_pol & (R.n_pol + 1)) == 0 || R.pol == NULL) {
		struct pol *nv = realloc(R.pol, (R.n_pol * 2 + 2) *
		    sizeof *nv);

		if (nv == NULL) {
			fprintf(stderr, "rdns-report: out of memory\n");
			exit(EXIT_FAILURE);
		}
		R.pol = nv;
	}
	memset(&R.pol[R.n_pol], 0, sizeof R.pol[0]);
	R.pol[R.n_pol].name = arena_dup(p);
	return (int)R.n_pol++;
}

/* FNV-1a over the key parts. */
static uint32_t
hash(int pol, int check, struct lp_span key)
{
	uint32_t h = 2166136261u;
	size_t i;

	h = (h ^ (uint32_t)pol) * 16777619u;
	h = (h ^ (uint32_t)check) * 16777619u;
	for (i = 0; i < key.n; i++)
		h = (h ^ (unsigned char)key.p[i]) * 16777619u;
	return h;
}

static void
grow(void)
{
	struct client *old = R.tab;
	size_t n = R.tab_size, i;

	R.tab_size = n == 0 ? 1024 : n * 2;
	R.tab = calloc(R.tab_size, sizeof *R.tab);
	if (R.tab == NULL) {
		fprintf(stderr, "rdns-report: out of memory\n");
		exit(EXIT_FAILURE);
	}
	for (i = 0; i < n; i++) {
		size_t j;

		if (!old[i].used)
			continue;
		for (j = old[i].hash & (R.tab_size - 1); R.tab[j].used;
		    j = (j + 1) & (R.tab_size - 1))
			;
		R.tab[j] = old[i];
	}
	free(old);
}

static struct client *
client_get(int pol, int check, struct lp_span key, struct lp_span ip,
    struct lp_span helo)
{
	uint32_t h = hash(pol, check, key);
	size_t j;

	if ((R.tab_used + 1) * 4 > R.tab_size * 3)
		grow();
	for (j = h & (R.tab_size - 1); R.tab[j].used;
	    j = (j + 1) & (R.tab_size - 1)) {
		struct client *c = &R.tab[j];

		if (c->hash == h && c->pol == pol && c->check == check &&
		    lp_eq(key, c->key)) {
			if (c->helos == 1 && !lp_eq(helo, c->helo))
				c->helos = 2;
			return c;
		}
	}
	R.tab[j].used = true;
	R.tab[j].hash = h;
	R.tab[j].pol = (uint16_t)pol;
	R.tab[j].check = (uint8_t)check;
	R.tab[j].key = arena_dup(key);
	R.tab[j].ip = lp_eq(key, "") || key.p == ip.p ? R.tab[j].key :
	    arena_dup(ip);
	R.tab[j].helo = arena_dup(helo);
	R.tab[j].helos = 1;
	R.tab_used++;
	R.pol[pol].c[check].clients++;
	return &R.tab[j];
}

static bool
policy_wanted(struct lp_span p)
{
	return R.only_policy == NULL || (p.n == strlen(R.only_policy) &&
	    strncasecmp(p.p, R.only_policy, p.n) == 0);
}

/* The policy and check slots of a decision line, counting it as filtered
 * out (--policy) or garbage when it has none.  @return 0, or -1. */
static int
slot_of(const struct lp_line *l, int *pi, int *ci)
{
	if (!policy_wanted(l->policy)) {
		R.filtered++;
		return -1;
	}
	if ((*ci = check_index(l->check)) < 0 ||
	    (*pi = policy_index(l->policy)) < 0) {
		R.garbage++;
		return -1;
	}
	return 0;
}

static void
take(const char *line, size_t len)
{
	struct lp_line l;
	int pi, ci, mode;

	R.lines++;
	switch (lp_parse(line, len, R.now, &l)) {
	case LP_OTHER:
		R.other++;
		return;
	case LP_GARBAGE:
		R.garbage++;
		return;
	case LP_INFO:
		R.info++;
		return;
	default:
		break;
	}
	if (R.since_set || R.until_set) {
		if (!l.have_time) {
			R.undated++;
			return;
		}
		if ((R.since_set && l.time < R.since) ||
		    (R.until_set && l.time >= R.until)) {
			R.out_of_range++;
			return;
		}
	}
	switch (l.kind) {
	case LP_OLD:
		R.old++;
		return;
	case LP_UNCHECKED:
		R.unchecked++;
		return;
	case LP_SUMMARY:
		R.summaries++;
		R.checked++;
		if (!l.refused || slot_of(&l, &pi, &ci) == -1)
			return;
		R.pol[pi].c[ci].msgs[l.dry_run ? M_DRY : M_ENF]++;
		return;
	case LP_RCPT:
		R.rcpt_lines++;
		if (slot_of(&l, &pi, &ci) == -1)
			return;
		mode = l.dry_run ? M_DRY : M_ENF;
		R.pol[pi].c[ci].rcpts[mode]++;
		/* The MTA's name for the client is its verified name
		 * (Postfix: "unknown" unless forward-confirmed; Sendmail:
		 * "[ip]" then). */
		client_get(pi, ci, lp_eq(l.host, "unknown") ||
		    l.host.p[0] == '[' ? l.ip : l.host, l.ip,
		    l.helo)->rcpts[mode]++;
		return;
	default:
		return;
	}
}

/*
 * Read one input to the end, line by line.  A line longer than LINE_MAX_
 * is counted as garbage and skipped.  @return 0, or -1 on a read error.
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
		read_buf = xmalloc(READ_CHUNK + LINE_MAX_);
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
				R.lines++;
				R.garbage++;
			} else
				take(buf + start, i - start);
			start = i + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have >= LINE_MAX_) {
			skipping = true;
			have = 0;
		}
	}
	if (skipping) {
		R.lines++;
		R.garbage++;
	} else if (have > 0)
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

/*
 * Output.
 */

static int
cmp_client(const void *a, const void *b)
{
	const struct client *x = *(const struct client *const *)a;
	const struct client *y = *(const struct client *const *)b;
	uint64_t nx = x->rcpts[0] + x->rcpts[1], ny = y->rcpts[0] + y->rcpts[1];

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
cmp_pol(const void *a, const void *b)
{
	return strcmp(R.pol[*(const size_t *)a].name,
	    R.pol[*(const size_t *)b].name);
}

/* The top clients of (pol, check), most recipients first, into v[TOP_N].
 * @return how many. */
static size_t
top_clients(size_t pol, size_t check, struct client **all, size_t n_all,
    struct client **v)
{
	size_t i, n = 0;

	for (i = 0; i < n_all && n < TOP_N; i++)
		if (all[i]->pol == pol && all[i]->check == check)
			v[n++] = all[i];
	return n;
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_time(bool set, time_t t)
{
	struct tm tm;
	char buf[32];

	if (!set || gmtime_r(&t, &tm) == NULL) {
		fputs("null", stdout);
		return;
	}
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_str(buf);
}

static double
share(uint64_t msgs)
{
	return R.checked == 0 ? 0.0 : (double)msgs / (double)R.checked;
}

static bool
empty(const struct cstat *c)
{
	return c->rcpts[0] + c->rcpts[1] + c->msgs[0] + c->msgs[1] == 0;
}

static void
print_json(struct client **all, size_t n_all)
{
	struct client *top[TOP_N];
	size_t p, c, i, n;
	bool firstp = true;

	printf("{\"lines\": {\"read\": %llu, \"summary\": %llu, "
	    "\"decision\": %llu, \"unchecked\": %llu, \"other_program\": "
	    "%llu, \"other_rdns_milter\": %llu, \"old_format\": %llu, "
	    "\"garbage\": %llu, \"out_of_range\": %llu, \"undated\": %llu},\n",
	    (unsigned long long)R.lines, (unsigned long long)R.summaries,
	    (unsigned long long)R.rcpt_lines, (unsigned long long)R.unchecked,
	    (unsigned long long)R.other, (unsigned long long)R.info,
	    (unsigned long long)R.old, (unsigned long long)R.garbage,
	    (unsigned long long)R.out_of_range, (unsigned long long)R.undated);
	printf(" \"since\": ");
	json_time(R.since_set, R.since);
	printf(", \"until\": ");
	json_time(R.until_set, R.until);
	printf(", \"policy\": ");
	if (R.only_policy != NULL)
		json_str(R.only_policy);
	else
		fputs("null", stdout);
	printf(",\n \"checked_messages\": %llu,\n \"policies\": [",
	    (unsigned long long)R.checked);
	for (size_t k = 0; k < R.n_pol; k++) {
		bool firstc = true;

		p = R.order[k];
		printf("%s\n  {\"policy\": ", firstp ? "" : ",");
		firstp = false;
		json_str(R.pol[p].name);
		printf(", \"checks\": [");
		for (c = 0; c < N_CHECKS; c++) {
			const struct cstat *s = &R.pol[p].c[c];

			if (empty(s))
				continue;
			printf("%s\n   {\"check\": \"%s\", \"refused\": "
			    "{\"recipients\": %llu, \"messages\": %llu}, "
			    "\"would_refuse\": {\"recipients\": %llu, "
			    "\"messages\": %llu}, \"share_of_checked_messages"
			    "\": %.6f, \"distinct_clients\": %llu, "
			    "\"top_clients\": [", firstc ? "" : ",",
			    check_names[c], (unsigned long long)s->rcpts[M_ENF],
			    (unsigned long long)s->msgs[M_ENF],
			    (unsigned long long)s->rcpts[M_DRY],
			    (unsigned long long)s->msgs[M_DRY],
			    share(s->msgs[M_ENF] + s->msgs[M_DRY]),
			    (unsigned long long)s->clients);
			firstc = false;
			n = top_clients(p, c, all, n_all, top);
			for (i = 0; i < n; i++) {
				printf("%s\n    {\"client\": ", i ? "," : "");
				json_str(top[i]->key);
				printf(", \"ip\": ");
				json_str(top[i]->ip);
				printf(", \"helo\": ");
				json_str(top[i]->helo);
				printf(", \"other_helos\": %s, \"refused\": %llu"
				    ", \"would_refuse\": %llu}",
				    top[i]->helos > 1 ? "true" : "false",
				    (unsigned long long)top[i]->rcpts[M_ENF],
				    (unsigned long long)top[i]->rcpts[M_DRY]);
			}
			printf("]}");
		}
		printf("]}");
	}
	printf("]}\n");
}

static void
print_text(struct client **all, size_t n_all)
{
	struct client *top[TOP_N];
	size_t p, c, i, n;
	bool any = false;

	printf("lines read: %llu (summary %llu, per-recipient %llu, "
	    "unchecked clients %llu)\n", (unsigned long long)R.lines,
	    (unsigned long long)R.summaries, (unsigned long long)R.rcpt_lines,
	    (unsigned long long)R.unchecked);
	printf("skipped: %llu other programs, %llu other rdns-milter, "
	    "%llu older format, %llu garbage, %llu out of range, "
	    "%llu undated\n", (unsigned long long)R.other,
	    (unsigned long long)R.info, (unsigned long long)R.old,
	    (unsigned long long)R.garbage, (unsigned long long)R.out_of_range,
	    (unsigned long long)R.undated);
	printf("checked messages: %llu\n", (unsigned long long)R.checked);
	for (size_t k = 0; k < R.n_pol; k++)
		for (p = R.order[k], c = 0; c < N_CHECKS; c++) {
			const struct cstat *s = &R.pol[p].c[c];

			if (empty(s))
				continue;
			any = true;
			printf("\npolicy %s check %s\n", R.pol[p].name,
			    check_names[c]);
			printf("  refused:        %8llu recipients %8llu "
			    "messages\n", (unsigned long long)s->rcpts[M_ENF],
			    (unsigned long long)s->msgs[M_ENF]);
			printf("  would refuse:   %8llu recipients %8llu "
			    "messages (dry run)\n",
			    (unsigned long long)s->rcpts[M_DRY],
			    (unsigned long long)s->msgs[M_DRY]);
			printf("  clients: %llu distinct; %.2f%% of checked "
			    "messages\n", (unsigned long long)s->clients,
			    100.0 * share(s->msgs[M_ENF] + s->msgs[M_DRY]));
			n = top_clients(p, c, all, n_all, top);
			if (n > 0)
				printf("  %8s %8s  %-40s %s\n", "refused",
				    "dry-run", "client", "helo");
			for (i = 0; i < n; i++)
				printf("  %8llu %8llu  %-40s %s%s\n",
				    (unsigned long long)top[i]->rcpts[M_ENF],
				    (unsigned long long)top[i]->rcpts[M_DRY],
				    top[i]->key, top[i]->helo[0] != '\0' ?
				    top[i]->helo : "-",
				    top[i]->helos > 1 ? " (and others)" : "");
		}
	if (!any)
		printf("\nno recipient was refused or would have been\n");
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: rdns-report [--json] [--since T] [--until T] "
	    "[--policy DOMAIN] [FILE...]\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct client **all;
	bool json = false;
	int ch, i, rc = 0;
	size_t j, n_all = 0;

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
	if (optind == argc) {
		if (read_path("-") == -1)
			rc = EX_READ;
	}
	for (i = optind; i < argc; i++)
		if (read_path(argv[i]) == -1)
			rc = EX_READ;

	/* Policies are printed by name; clients keep their indices. */
	R.order = xmalloc((R.n_pol + 1) * sizeof *R.order);
	for (j = 0; j < R.n_pol; j++)
		R.order[j] = j;
	qsort(R.order, R.n_pol, sizeof *R.order, cmp_pol);
	all = xmalloc((R.tab_used + 1) * sizeof *all);
	for (j = 0; j < R.tab_size; j++)
		if (R.tab[j].used)
			all[n_all++] = &R.tab[j];
	qsort(all, n_all, sizeof *all, cmp_client);
	if (json)
		print_json(all, n_all);
	else
		print_text(all, n_all);
	free(all);
	free(R.order);
	free(R.tab);
	free(R.pol);
	arena_free();
	free(read_buf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "rdns-report: write error\n");
		return EX_READ;
	}
	return rc;
}
