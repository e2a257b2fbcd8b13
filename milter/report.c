/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c - rdns-report's aggregation and output (report.h).
 *
 * Clients live in one open-addressing hash table keyed by (policy,
 * check, client); strings are copied into an arena freed with the
 * report.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logparse.h"
#include "report.h"

#define TOP_N		20

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

struct report {
	struct report_opts opt;
	struct pol	*pol;
	size_t		 n_pol;
	struct client	*tab;
	size_t		 tab_size, tab_used;
	uint64_t	 lines, summaries, checked, rcpt_lines, other, old,
			 garbage, info, unchecked, out_of_range, undated,
			 filtered;
	uint64_t	 probes;
	/* The arena: blocks chained through their first pointer. */
	void		*arena_blocks;
	char		*block;
	size_t		 left;
};

/* Copy a span into the arena (NUL-terminated).  @return NULL on OOM. */
static char *
arena_dup(struct report *r, struct lp_span s)
{
	char *p;

	if (s.n + 1 > r->left) {
		size_t sz = s.n + 1 > 65536 ? s.n + 1 : 65536;
		void **b = malloc(sizeof(void *) + sz);

		if (b == NULL)
			return NULL;
		*b = r->arena_blocks;
		r->arena_blocks = b;
		r->block = (char *)(b + 1);
		r->left = sz;
	}
	p = r->block;
	memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	r->block += s.n + 1;
	r->left -= s.n + 1;
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

/* @return the index, -1 past the limit, -2 on OOM. */
static int
policy_index(struct report *r, struct lp_span p)
{
	size_t i;

	for (i = 0; i < r->n_pol; i++) {
		r->probes++;
		if (lp_eq(p, r->pol[i].name))
			return (int)i;
	}
	if (r->n_pol >= UINT16_MAX)
		return -1;
	if ((r->n_pol & (r->n_pol + 1)) == 0 || r->pol == NULL) {
		struct pol *nv = realloc(r->pol, (r->n_pol * 2 + 2) *
		    sizeof *nv);

		if (nv == NULL)
			return -2;
		r->pol = nv;
	}
	memset(&r->pol[r->n_pol], 0, sizeof r->pol[0]);
	if ((r->pol[r->n_pol].name = arena_dup(r, p)) == NULL)
		return -2;
	return (int)r->n_pol++;
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

static int
grow(struct report *r)
{
	struct client *old = r->tab, *nt;
	size_t n = r->tab_size, i, size = n == 0 ? 1024 : n * 2;

	if ((nt = calloc(size, sizeof *nt)) == NULL)
		return -1;
	r->tab = nt;
	r->tab_size = size;
	for (i = 0; i < n; i++) {
		size_t j;

		if (!old[i].used)
			continue;
		for (j = old[i].hash & (size - 1); nt[j].used;
		    j = (j + 1) & (size - 1))
			;
		nt[j] = old[i];
	}
	free(old);
	return 0;
}

static struct client *
client_get(struct report *r, int pol, int check, struct lp_span key,
    struct lp_span ip, struct lp_span helo)
{
	uint32_t h = hash(pol, check, key);
	struct client *c;
	size_t j;

	if ((r->tab_used + 1) * 4 > r->tab_size * 3 && grow(r) == -1)
		return NULL;
	for (j = h & (r->tab_size - 1); r->tab[j].used;
	    j = (j + 1) & (r->tab_size - 1)) {
		c = &r->tab[j];
		r->probes++;
		if (c->hash == h && c->pol == pol && c->check == check &&
		    lp_eq(key, c->key)) {
			if (c->helos == 1 && !lp_eq(helo, c->helo))
				c->helos = 2;
			return c;
		}
	}
	c = &r->tab[j];
	memset(c, 0, sizeof *c);
	c->hash = h;
	c->pol = (uint16_t)pol;
	c->check = (uint8_t)check;
	if ((c->key = arena_dup(r, key)) == NULL ||
	    (c->ip = lp_eq(key, "") || key.p == ip.p ? c->key :
	    arena_dup(r, ip)) == NULL ||
	    (c->helo = arena_dup(r, helo)) == NULL)
		return NULL;
	c->used = true;
	c->helos = 1;
	r->tab_used++;
	r->pol[pol].c[check].clients++;
	return c;
}

static bool
policy_wanted(const struct report *r, struct lp_span p)
{
	return r->opt.only_policy == NULL ||
	    (p.n == strlen(r->opt.only_policy) &&
	    strncasecmp(p.p, r->opt.only_policy, p.n) == 0);
}

/* The policy and check slots of a decision line, counting it as filtered
 * out (--policy) or garbage when it has none.  @return 0, -1 (counted),
 * or -2 on OOM. */
static int
slot_of(struct report *r, const struct lp_line *l, int *pi, int *ci)
{
	if (!policy_wanted(r, l->policy)) {
		r->filtered++;
		return -1;
	}
	if ((*ci = check_index(l->check)) < 0) {
		r->garbage++;
		return -1;
	}
	if ((*pi = policy_index(r, l->policy)) == -2)
		return -2;
	if (*pi < 0) {
		r->garbage++;
		return -1;
	}
	return 0;
}

int
report_take(struct report *r, const char *line, size_t len)
{
	struct lp_line l;
	struct client *c;
	int pi, ci, mode, rc;

	r->lines++;
	switch (lp_parse(line, len, r->opt.now, &l)) {
	case LP_OTHER:
		r->other++;
		return 0;
	case LP_GARBAGE:
		r->garbage++;
		return 0;
	case LP_INFO:
		r->info++;
		return 0;
	default:
		break;
	}
	if (r->opt.since_set || r->opt.until_set) {
		if (!l.have_time) {
			r->undated++;
			return 0;
		}
		if ((r->opt.since_set && l.time < r->opt.since) ||
		    (r->opt.until_set && l.time >= r->opt.until)) {
			r->out_of_range++;
			return 0;
		}
	}
	switch (l.kind) {
	case LP_OLD:
		r->old++;
		return 0;
	case LP_UNCHECKED:
		r->unchecked++;
		return 0;
	case LP_SUMMARY:
		r->summaries++;
		r->checked++;
		if (!l.refused || (rc = slot_of(r, &l, &pi, &ci)) == -1)
			return 0;
		if (rc == -2)
			goto oom;
		r->pol[pi].c[ci].msgs[l.dry_run ? M_DRY : M_ENF]++;
		return 0;
	case LP_RCPT:
		r->rcpt_lines++;
		if ((rc = slot_of(r, &l, &pi, &ci)) == -1)
			return 0;
		if (rc == -2)
			goto oom;
		mode = l.dry_run ? M_DRY : M_ENF;
		/* The MTA's name for the client is its verified name
		 * (Postfix: "unknown" unless forward-confirmed; Sendmail:
		 * "[ip]" then). */
		c = client_get(r, pi, ci, lp_eq(l.host, "unknown") ||
		    l.host.p[0] == '[' ? l.ip : l.host, l.ip, l.helo);
		if (c == NULL)
			goto oom;
		r->pol[pi].c[ci].rcpts[mode]++;
		c->rcpts[mode]++;
		return 0;
	default:
		return 0;
	}
oom:
	r->lines--;
	return -1;
}

void
report_take_overlong(struct report *r)
{
	r->lines++;
	r->garbage++;
}

uint64_t
report_lines(const struct report *r)
{
	return r->lines;
}

uint64_t
report_probes(const struct report *r)
{
	return r->probes;
}

struct report *
report_new(const struct report_opts *opts)
{
	struct report *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->opt = *opts;
	return r;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	while (r->arena_blocks != NULL) {
		void *next = *(void **)r->arena_blocks;

		free(r->arena_blocks);
		r->arena_blocks = next;
	}
	free(r->tab);
	free(r->pol);
	free(r);
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

/* qsort() has no context argument. */
static const struct pol *sort_pol;

static int
cmp_pol(const void *a, const void *b)
{
	return strcmp(sort_pol[*(const size_t *)a].name,
	    sort_pol[*(const size_t *)b].name);
}

/* The top clients of (pol, check), most recipients first, into v[TOP_N].
 * @return how many. */
static size_t
top_clients(struct report *r, size_t pol, size_t check, struct client **all,
    size_t n_all, struct client **v)
{
	size_t i, n = 0;

	for (i = 0; i < n_all && n < TOP_N; i++) {
		r->probes++;
		if (all[i]->pol == pol && all[i]->check == check)
			v[n++] = all[i];
	}
	return n;
}

static void
json_str(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
	putc('"', fp);
}

static void
json_time(FILE *fp, bool set, time_t t)
{
	struct tm tm;
	char buf[32];

	if (!set || gmtime_r(&t, &tm) == NULL) {
		fputs("null", fp);
		return;
	}
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_str(fp, buf);
}

static double
share(const struct report *r, uint64_t msgs)
{
	return r->checked == 0 ? 0.0 : (double)msgs / (double)r->checked;
}

static bool
empty(const struct cstat *c)
{
	return c->rcpts[0] + c->rcpts[1] + c->msgs[0] + c->msgs[1] == 0;
}

static void
print_json(FILE *fp, struct report *r, const size_t *order,
    struct client **all, size_t n_all)
{
	struct client *top[TOP_N];
	size_t p, c, i, n;
	bool firstp = true;

	fprintf(fp, "{\"lines\": {\"read\": %llu, \"summary\": %llu, "
	    "\"decision\": %llu, \"unchecked\": %llu, \"other_program\": "
	    "%llu, \"other_rdns_milter\": %llu, \"old_format\": %llu, "
	    "\"garbage\": %llu, \"out_of_range\": %llu, \"undated\": %llu},\n",
	    (unsigned long long)r->lines, (unsigned long long)r->summaries,
	    (unsigned long long)r->rcpt_lines, (unsigned long long)r->unchecked,
	    (unsigned long long)r->other, (unsigned long long)r->info,
	    (unsigned long long)r->old, (unsigned long long)r->garbage,
	    (unsigned long long)r->out_of_range,
	    (unsigned long long)r->undated);
	fprintf(fp, " \"since\": ");
	json_time(fp, r->opt.since_set, r->opt.since);
	fprintf(fp, ", \"until\": ");
	json_time(fp, r->opt.until_set, r->opt.until);
	fprintf(fp, ", \"policy\": ");
	if (r->opt.only_policy != NULL)
		json_str(fp, r->opt.only_policy);
	else
		fputs("null", fp);
	fprintf(fp, ",\n \"checked_messages\": %llu,\n \"policies\": [",
	    (unsigned long long)r->checked);
	for (size_t k = 0; k < r->n_pol; k++) {
		bool firstc = true;

		p = order[k];
		fprintf(fp, "%s\n  {\"policy\": ", firstp ? "" : ",");
		firstp = false;
		json_str(fp, r->pol[p].name);
		fprintf(fp, ", \"checks\": [");
		for (c = 0; c < N_CHECKS; c++) {
			const struct cstat *s = &r->pol[p].c[c];

			if (empty(s))
				continue;
			fprintf(fp, "%s\n   {\"check\": \"%s\", \"refused\": "
			    "{\"recipients\": %llu, \"messages\": %llu}, "
			    "\"would_refuse\": {\"recipients\": %llu, "
			    "\"messages\": %llu}, \"share_of_checked_messages"
			    "\": %.6f, \"distinct_clients\": %llu, "
			    "\"top_clients\": [", firstc ? "" : ",",
			    check_names[c], (unsigned long long)s->rcpts[M_ENF],
			    (unsigned long long)s->msgs[M_ENF],
			    (unsigned long long)s->rcpts[M_DRY],
			    (unsigned long long)s->msgs[M_DRY],
			    share(r, s->msgs[M_ENF] + s->msgs[M_DRY]),
			    (unsigned long long)s->clients);
			firstc = false;
			n = top_clients(r, p, c, all, n_all, top);
			for (i = 0; i < n; i++) {
				fprintf(fp, "%s\n    {\"client\": ",
				    i ? "," : "");
				json_str(fp, top[i]->key);
				fprintf(fp, ", \"ip\": ");
				json_str(fp, top[i]->ip);
				fprintf(fp, ", \"helo\": ");
				json_str(fp, top[i]->helo);
				fprintf(fp, ", \"other_helos\": %s, "
				    "\"refused\": %llu, \"would_refuse\": %llu}",
				    top[i]->helos > 1 ? "true" : "false",
				    (unsigned long long)top[i]->rcpts[M_ENF],
				    (unsigned long long)top[i]->rcpts[M_DRY]);
			}
			fprintf(fp, "]}");
		}
		fprintf(fp, "]}");
	}
	fprintf(fp, "]}\n");
}

static void
print_text(FILE *fp, struct report *r, const size_t *order,
    struct client **all, size_t n_all)
{
	struct client *top[TOP_N];
	size_t p, c, i, n;
	bool any = false;

	fprintf(fp, "lines read: %llu (summary %llu, per-recipient %llu, "
	    "unchecked clients %llu)\n", (unsigned long long)r->lines,
	    (unsigned long long)r->summaries,
	    (unsigned long long)r->rcpt_lines,
	    (unsigned long long)r->unchecked);
	fprintf(fp, "skipped: %llu other programs, %llu other rdns-milter, "
	    "%llu older format, %llu garbage, %llu out of range, "
	    "%llu undated\n", (unsigned long long)r->other,
	    (unsigned long long)r->info, (unsigned long long)r->old,
	    (unsigned long long)r->garbage,
	    (unsigned long long)r->out_of_range,
	    (unsigned long long)r->undated);
	fprintf(fp, "checked messages: %llu\n",
	    (unsigned long long)r->checked);
	for (size_t k = 0; k < r->n_pol; k++)
		for (p = order[k], c = 0; c < N_CHECKS; c++) {
			const struct cstat *s = &r->pol[p].c[c];

			if (empty(s))
				continue;
			any = true;
			fprintf(fp, "\npolicy %s check %s\n", r->pol[p].name,
			    check_names[c]);
			fprintf(fp, "  refused:        %8llu recipients %8llu "
			    "messages\n", (unsigned long long)s->rcpts[M_ENF],
			    (unsigned long long)s->msgs[M_ENF]);
			fprintf(fp, "  would refuse:   %8llu recipients %8llu "
			    "messages (dry run)\n",
			    (unsigned long long)s->rcpts[M_DRY],
			    (unsigned long long)s->msgs[M_DRY]);
			fprintf(fp, "  clients: %llu distinct; %.2f%% of "
			    "checked messages\n",
			    (unsigned long long)s->clients,
			    100.0 * share(r, s->msgs[M_ENF] + s->msgs[M_DRY]));
			n = top_clients(r, p, c, all, n_all, top);
			if (n > 0)
				fprintf(fp, "  %8s %8s  %-40s %s\n", "refused",
				    "dry-run", "client", "helo");
			for (i = 0; i < n; i++)
				fprintf(fp, "  %8llu %8llu  %-40s %s%s\n",
				    (unsigned long long)top[i]->rcpts[M_ENF],
				    (unsigned long long)top[i]->rcpts[M_DRY],
				    top[i]->key, top[i]->helo[0] != '\0' ?
				    top[i]->helo : "-",
				    top[i]->helos > 1 ? " (and others)" : "");
		}
	if (!any)
		fprintf(fp, "\nno recipient was refused or would have "
		    "been\n");
}

int
report_print(struct report *r, FILE *fp, bool json)
{
	struct client **all;
	size_t *order, j, n_all = 0;

	/* Policies are printed by name; clients keep their indices. */
	if ((order = malloc((r->n_pol + 1) * sizeof *order)) == NULL)
		return -1;
	for (j = 0; j < r->n_pol; j++)
		order[j] = j;
	sort_pol = r->pol;
	qsort(order, r->n_pol, sizeof *order, cmp_pol);
	if ((all = malloc((r->tab_used + 1) * sizeof *all)) == NULL) {
		free(order);
		return -1;
	}
	for (j = 0; j < r->tab_size; j++)
		if (r->tab[j].used)
			all[n_all++] = &r->tab[j];
	qsort(all, n_all, sizeof *all, cmp_client);
	if (json)
		print_json(fp, r, order, all, n_all);
	else
		print_text(fp, r, order, all, n_all);
	free(all);
	free(order);
	return 0;
}
