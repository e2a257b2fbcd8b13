/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c - rdns-report's aggregation and output (report.h).
 *
 * Policies and clients live in open-addressing hash tables (linear
 * probing, at most half full) whose hash is SipHash-2-4 under a key the
 * writer of the log does not know: whatever names a hostile log holds,
 * a lookup examines about two slots.  Clients are keyed by (policy,
 * check, client).  Strings are copied into an arena freed with the
 * report.  The output sorts the clients once, by (policy, check,
 * recipients, name), and takes each group's first TOP_N: no scan per
 * group.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "logparse.h"
#include "replay.h"
#include "report.h"
#include "siphash.h"
#include "text.h"

#define TOP_N		20

enum { M_ENF = 0, M_DRY = 1 };

/* Per (policy, check): indexed by check id (checks.h); a decision never
 * names none, so its slot stays empty. */
#define N_CHECKS	((size_t)CHECK_ID_N)
#define FIRST_CHECK	((size_t)CHECK_ID_NONE + 1)

struct cstat {
	uint64_t	 rcpts[2];	/* [mode] */
	uint64_t	 msgs[2];
	uint64_t	 clients;	/* distinct */
};

struct pol {
	char		*name;
	size_t		 len;
	uint64_t	 hash;
	struct cstat	 c[N_CHECKS];
};

struct client {
	uint64_t	 hash;
	uint32_t	 pol;
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
	unsigned char	 key[SIPHASH_KEY_LEN];
	struct pol	*pol;
	size_t		 n_pol, pol_cap;
	uint32_t	*ptab;		/* policy index + 1; 0: free */
	size_t		 ptab_size;
	struct client	*tab;
	size_t		 tab_size, tab_used;
	uint64_t	 lines, summaries, checked, rcpt_lines, other, old,
			 garbage, info, unchecked, out_of_range, undated,
			 filtered;
	uint64_t	 probes;
	struct replay	*rp;		/* --replay, or NULL */
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

/* The check a decision names, or -1. */
static int
check_index(struct lp_span c)
{
	int id = check_by_name(c.p, c.n);

	return id > CHECK_ID_NONE ? id : -1;
}

static int
check_of(enum check_id id)
{
	return id > CHECK_ID_NONE && id < CHECK_ID_N ? (int)id : -1;
}

/* Rebuild the policy table at twice its size.  @return 0, or -1. */
static int
policy_grow(struct report *r)
{
	size_t size = r->ptab_size == 0 ? 64 : r->ptab_size * 2, i, j;
	uint32_t *nt = calloc(size, sizeof *nt);

	if (nt == NULL)
		return -1;
	for (i = 0; i < r->n_pol; i++) {
		for (j = r->pol[i].hash & (size - 1); nt[j] != 0;
		    j = (j + 1) & (size - 1))
			;
		nt[j] = (uint32_t)i + 1;
	}
	free(r->ptab);
	r->ptab = nt;
	r->ptab_size = size;
	return 0;
}

/* The index of policy p, added if new.  @return it, or -1 on OOM. */
static int
policy_index(struct report *r, struct lp_span p)
{
	uint64_t h = siphash24(p.p, p.n, r->key);
	struct pol *np;
	size_t j;

	if ((r->n_pol + 1) * 2 > r->ptab_size && policy_grow(r) == -1)
		return -1;
	for (j = h & (r->ptab_size - 1); r->ptab[j] != 0;
	    j = (j + 1) & (r->ptab_size - 1)) {
		const struct pol *q = &r->pol[r->ptab[j] - 1];

		r->probes++;
		if (q->hash == h && q->len == p.n &&
		    memcmp(q->name, p.p, p.n) == 0)
			return (int)(r->ptab[j] - 1);
	}
	if (r->n_pol >= (size_t)INT32_MAX - 1)
		return -1;
	if (r->n_pol == r->pol_cap) {
		size_t cap = r->pol_cap == 0 ? 16 : r->pol_cap * 2;

		if ((np = realloc(r->pol, cap * sizeof *np)) == NULL)
			return -1;
		r->pol = np;
		r->pol_cap = cap;
	}
	np = &r->pol[r->n_pol];
	memset(np, 0, sizeof *np);
	if ((np->name = arena_dup(r, p)) == NULL)
		return -1;
	np->len = p.n;
	np->hash = h;
	r->ptab[j] = (uint32_t)++r->n_pol;
	return (int)(r->n_pol - 1);
}

/* SipHash of (pol, check, client name): the name's hash, then that with
 * pol and check. */
static uint64_t
client_hash(const struct report *r, int pol, int check, struct lp_span key)
{
	uint64_t h = siphash24(key.p, key.n, r->key);
	unsigned char b[13];
	size_t i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(h >> (8 * i));
	for (i = 0; i < 4; i++)
		b[8 + i] = (unsigned char)((uint32_t)pol >> (8 * i));
	b[12] = (unsigned char)check;
	return siphash24(b, sizeof b, r->key);
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
	uint64_t h = client_hash(r, pol, check, key);
	struct client *c;
	size_t j;

	if ((r->tab_used + 1) * 2 > r->tab_size && grow(r) == -1)
		return NULL;
	for (j = h & (r->tab_size - 1); r->tab[j].used;
	    j = (j + 1) & (r->tab_size - 1)) {
		c = &r->tab[j];
		r->probes++;
		if (c->hash == h && c->pol == (uint32_t)pol &&
		    c->check == check &&
		    lp_eq(key, c->key)) {
			if (c->helos == 1 && !lp_eq(helo, c->helo))
				c->helos = 2;
			return c;
		}
	}
	c = &r->tab[j];
	memset(c, 0, sizeof *c);
	c->hash = h;
	c->pol = (uint32_t)pol;
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
	if ((*pi = policy_index(r, l->policy)) < 0)
		return -2;
	return 0;
}

/*
 * The client of a summary line as a per-recipient line names it (report
 * _take()): its "client=" host when that is a verified name, else its
 * address; and its HELO as the per-recipient line writes it (the
 * summary's "-" is none; outer "<>" dropped, '<' and '>' written '?').
 */
static void
summary_client(const struct lp_line *l, struct lp_span *key,
    struct lp_span *helo, char hbuf[CHECK_VALUE_MAX + 1])
{
	struct lp_span h = l->helo;
	size_t i, n = 0;

	*key = l->ip;
	for (i = l->client.n; i > 0 && l->client.p[i - 1] != '['; i--)
		;
	if (i > 1 && l->client.p[0] != '[' &&
	    !(i - 1 == 7 && memcmp(l->client.p, "unknown", 7) == 0)) {
		key->p = l->client.p;
		key->n = i - 1;
	}
	if (lp_eq(h, "-"))
		h.n = 0;
	while (h.n > 0 && h.p[0] == '<') {
		h.p++;
		h.n--;
	}
	while (h.n > 0 && h.p[h.n - 1] == '>')
		h.n--;
	for (i = 0; i < h.n && n < CHECK_VALUE_MAX; i++)
		hbuf[n++] = text_safe(TEXT_LOG_INNER, h.p[i]);
	hbuf[n] = '\0';
	helo->p = hbuf;
	helo->n = n;
}

/* A summary line under --replay: its message decided again.  @return 0,
 * or -1 when out of memory. */
static int
take_replay(struct report *r, const struct lp_line *l)
{
	struct replay_msg m;
	struct lp_span key, helo, pol;
	char hbuf[CHECK_VALUE_MAX + 1];
	const struct policy *p;
	enum check_id check;
	enum action a;
	struct client *c;
	int pi, ci, mode;
	size_t i;
	bool dry;

	r->summaries++;
	if (replay_message(r->rp, l, &m) != REPLAY_DONE)
		return 0;
	r->checked++;
	summary_client(l, &key, &helo, hbuf);
	for (i = 0; i < m.n_d; i++) {
		const struct replay_decision *d = &m.d[i];

		pol.p = d->p->domain;
		pol.n = strlen(d->p->domain);
		if (!policy_wanted(r, pol))
			continue;
		pi = policy_index(r, pol);
		ci = check_of(d->check);
		if (pi < 0 || ci < 0)
			return -1;
		mode = d->dry_run ? M_DRY : M_ENF;
		if ((c = client_get(r, pi, ci, key, l->ip, helo)) == NULL)
			return -1;
		r->pol[pi].c[ci].rcpts[mode] += d->n;
		c->rcpts[mode] += d->n;
	}
	a = policy_tally_action(&m.tally, &dry);
	if (a == ACTION_ACCEPT ||
	    (p = policy_tally_policy(&m.tally, &check)) == NULL)
		return 0;
	pol.p = p->domain;
	pol.n = strlen(p->domain);
	if (!policy_wanted(r, pol))
		return 0;
	pi = policy_index(r, pol);
	ci = check_of(check);
	if (pi < 0 || ci < 0)
		return -1;
	r->pol[pi].c[ci].msgs[dry ? M_DRY : M_ENF]++;
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
		if (r->rp != NULL) {
			if (take_replay(r, &l) == -1)
				goto oom;
			return 0;
		}
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
		if (r->rp != NULL)
			return 0;	/* the replay decides */
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
	if (opts->replay != NULL && (r->rp = replay_new(opts->replay)) ==
	    NULL) {
		free(r);
		return NULL;
	}
	if (opts->hash_key != NULL)
		memcpy(r->key, opts->hash_key, sizeof r->key);
	else
		siphash_random_key(r->key);
	r->opt.hash_key = NULL;
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
	free(r->ptab);
	free(r->pol);
	replay_free(r->rp);
	free(r);
}

/*
 * Output.
 */

/* By (policy, check), then most recipients first, then by name. */
static int
cmp_client(const void *a, const void *b)
{
	const struct client *x = *(const struct client *const *)a;
	const struct client *y = *(const struct client *const *)b;
	uint64_t nx = x->rcpts[0] + x->rcpts[1], ny = y->rcpts[0] + y->rcpts[1];

	if (x->pol != y->pol)
		return x->pol < y->pol ? -1 : 1;
	if (x->check != y->check)
		return x->check < y->check ? -1 : 1;
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

/* The clients sorted by cmp_client(), and where each (policy, check)
 * group starts in them and how long it is. */
struct groups {
	struct client	**all;
	size_t		 *start, *len;	/* [pol * N_CHECKS + check] */
};

/* The top clients of (pol, check), most recipients first.  @return how
 * many (at most TOP_N), *v the first. */
static size_t
top_clients(struct report *r, const struct groups *g, size_t pol,
    size_t check, struct client ***v)
{
	size_t k = pol * N_CHECKS + check;
	size_t n = g->len[k] < TOP_N ? g->len[k] : TOP_N;

	r->probes += n;
	*v = g->all + g->start[k];
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
		else if (!text_is_print(c))
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

static int
print_json(FILE *fp, struct report *r, const size_t *order,
    const struct groups *g)
{
	struct client **top;
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
	fprintf(fp, ",\n \"replay\": ");
	if (r->rp == NULL)
		fputs("null", fp);
	else if (replay_print(r->rp, fp, true, r->opt.replay_name, r->old,
	    r->unchecked) == -1)
		return -1;
	fprintf(fp, ",\n \"checked_messages\": %llu,\n \"policies\": [",
	    (unsigned long long)r->checked);
	for (size_t k = 0; k < r->n_pol; k++) {
		bool firstc = true;

		p = order[k];
		fprintf(fp, "%s\n  {\"policy\": ", firstp ? "" : ",");
		firstp = false;
		json_str(fp, r->pol[p].name);
		fprintf(fp, ", \"checks\": [");
		for (c = FIRST_CHECK; c < N_CHECKS; c++) {
			const struct cstat *s = &r->pol[p].c[c];

			if (empty(s))
				continue;
			fprintf(fp, "%s\n   {\"check\": \"%s\", \"refused\": "
			    "{\"recipients\": %llu, \"messages\": %llu}, "
			    "\"would_refuse\": {\"recipients\": %llu, "
			    "\"messages\": %llu}, \"share_of_checked_messages"
			    "\": %.6f, \"distinct_clients\": %llu, "
			    "\"top_clients\": [", firstc ? "" : ",",
			    check_name((enum check_id)c),
			    (unsigned long long)s->rcpts[M_ENF],
			    (unsigned long long)s->msgs[M_ENF],
			    (unsigned long long)s->rcpts[M_DRY],
			    (unsigned long long)s->msgs[M_DRY],
			    share(r, s->msgs[M_ENF] + s->msgs[M_DRY]),
			    (unsigned long long)s->clients);
			firstc = false;
			n = top_clients(r, g, p, c, &top);
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
	return 0;
}

static void
print_text(FILE *fp, struct report *r, const size_t *order,
    const struct groups *g)
{
	struct client **top;
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
	if (r->rp != NULL)
		(void)replay_print(r->rp, fp, false, r->opt.replay_name,
		    r->old, r->unchecked);
	fprintf(fp, "checked messages: %llu\n",
	    (unsigned long long)r->checked);
	for (size_t k = 0; k < r->n_pol; k++)
		for (p = order[k], c = FIRST_CHECK; c < N_CHECKS; c++) {
			const struct cstat *s = &r->pol[p].c[c];

			if (empty(s))
				continue;
			any = true;
			fprintf(fp, "\npolicy %s check %s\n", r->pol[p].name,
			    check_name((enum check_id)c));
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
			n = top_clients(r, g, p, c, &top);
			if (n > 0)
				fprintf(fp, "   refused  dry-run  %-40s "
				    "helo\n", "client");
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
	struct groups g;
	size_t *order, j, n_all = 0, n_groups = r->n_pol * N_CHECKS;
	int rc = 0;

	/* Policies are printed by name; clients keep their indices. */
	order = malloc((r->n_pol + 1) * sizeof *order);
	g.all = malloc((r->tab_used + 1) * sizeof *g.all);
	g.start = calloc(n_groups + 1, sizeof *g.start);
	g.len = calloc(n_groups + 1, sizeof *g.len);
	if (order == NULL || g.all == NULL || g.start == NULL ||
	    g.len == NULL) {
		free(order);
		free(g.all);
		free(g.start);
		free(g.len);
		return -1;
	}
	for (j = 0; j < r->n_pol; j++)
		order[j] = j;
	sort_pol = r->pol;
	qsort(order, r->n_pol, sizeof *order, cmp_pol);
	for (j = 0; j < r->tab_size; j++)
		if (r->tab[j].used)
			g.all[n_all++] = &r->tab[j];
	qsort(g.all, n_all, sizeof *g.all, cmp_client);
	for (j = 0; j < n_all; j++) {
		size_t k = g.all[j]->pol * N_CHECKS + g.all[j]->check;

		r->probes++;
		if (g.len[k]++ == 0)
			g.start[k] = j;
	}
	if (json)
		rc = print_json(fp, r, order, &g);
	else
		print_text(fp, r, order, &g);
	free(g.all);
	free(g.start);
	free(g.len);
	free(order);
	return rc;
}
