/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c - decide a logged message again (replay.h).
 *
 * Every value of the line is hostile (any local user can write lines
 * tagged rdns-milter): each is checked against the grammar of
 * rdns-milter(8) before it is used, copied into bounded buffers, and
 * the work per line is bounded by the recipient lists' caps.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "conf.h"
#include "dname.h"
#include "checks.h"
#include "policy.h"
#include "rcptlist.h"
#include "replay.h"
#include "strbuf.h"

const char *const replay_cannot_tell[] = {
	"the DNS answers are the logged ones: Nameservers, ResolverConfig, "
	    "TrustAnchorFile, DNSTimeout and MaxPTRNames of the replayed "
	    "configuration are not replayed",
	"an ExemptRecipients entry that exempted no logged recipient "
	    "exempts nobody here: only exempt recipients are logged by local "
	    "part, so one the logging configuration did not exempt is "
	    "decided by its domain's policy",
	"clients unchecked when logged (TrustedNetworks, SkipAuthenticated) "
	    "have no verdict to replay, and SkipAuthenticated is not "
	    "applied to the others",
	"what clients did after a refusal is as logged: a deferred client "
	    "retried and is counted each time, and a message whose every "
	    "recipient was refused ended before DATA",
	NULL,
};

struct replay {
	const struct config	*cf;
	/* The configuration's ExemptRecipients entries as exempt= writes
	 * them, and whether a logged recipient was exempt by each. */
	char			**forms;
	bool			*seen;
	size_t			 n;
	struct replay_stats	 st;
};

struct replay *
replay_new(const struct config *cf)
{
	struct replay *rp = calloc(1, sizeof *rp);
	size_t i;

	if (rp == NULL)
		return NULL;
	rp->cf = cf;
	rp->n = cf->n_exempt;
	if (rp->n > 0) {
		rp->forms = calloc(rp->n, sizeof *rp->forms);
		rp->seen = calloc(rp->n, sizeof *rp->seen);
		if (rp->forms == NULL || rp->seen == NULL) {
			replay_free(rp);
			return NULL;
		}
	}
	for (i = 0; i < rp->n; i++) {
		if ((rp->forms[i] = malloc(RCPTLIST_LOCAL_MAX + 1)) == NULL) {
			replay_free(rp);
			return NULL;
		}
		rcptlist_local_form(rp->forms[i], RCPTLIST_LOCAL_MAX + 1,
		    cf->exempt[i]);
	}
	return rp;
}

void
replay_free(struct replay *rp)
{
	size_t i;

	if (rp == NULL)
		return;
	for (i = 0; rp->forms != NULL && i < rp->n; i++)
		free(rp->forms[i]);
	free(rp->forms);
	free(rp->seen);
	free(rp);
}

/* A logged word among names[] (NULL-ended): its value in vals[], or -1. */
static int
word(struct lp_span s, const char *const *names, const int *vals)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (lp_eq(s, names[i]))
			return vals[i];
	return -1;
}

static const char *const yn_names[] = { "yes", "no", NULL };
static const int yn_vals[] = { 1, 0 };

/* Copy a span into buf[size] as a C string.  @return -1 if it does not
 * fit or holds a NUL. */
static int
span_str(struct lp_span s, char *buf, size_t size)
{
	if (s.n >= size || (s.n > 0 && memchr(s.p, '\0', s.n) != NULL))
		return -1;
	if (s.n > 0)
		memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return 0;
}

/*
 * The verdicts of line l as the milter had them, with what depends on the
 * configuration judged under rp's (replay.h).  r->names points at *pn.
 * @return 0, or -1 if the line breaks the grammar.
 */
static int
rebuild(struct replay *rp, const struct lp_line *l, struct check_result *r,
    struct check_ptr_name *pn, struct replay_msg *out)
{
	int v[CHECK_ID_N], id, gen, hfwd, aligned, allow;
	struct check_params cp;

	memset(r, 0, sizeof *r);
	memset(pn, 0, sizeof *pn);
	r->verified = r->helo_match = -1;
	/* Every logged verdict (checks.h log_key), in its vocabulary. */
	for (id = 0; id < CHECK_ID_N; id++)
		if (check_info[id].log_key != NULL &&
		    (v[id] = check_parse((enum check_id)id,
		    l->result[id].p, l->result[id].n)) < 0)
			return -1;
	if ((hfwd = check_res_parse(l->helo_fwd.p, l->helo_fwd.n)) < 0 ||
	    (aligned = word(l->helo_aligned, yn_names, yn_vals)) < 0 ||
	    (allow = word(l->allowlisted, yn_names, yn_vals)) < 0)
		return -1;
	if (span_str(l->ip, r->ipstr, sizeof r->ipstr) == -1 ||
	    dname_parse_ip(r->ipstr, &r->ip) == -1)
		return -1;
	for (id = 0; id < CHECK_ID_N; id++)
		if (check_info[id].log_key != NULL)
			check_info[id].set(r, v[id]);
	gen = v[CHECK_ID_GENERIC];
	r->helo_fwd = (enum check_res)hfwd;
	r->helo_aligned = aligned == 1;
	/* The HELO, for reply texts only ("-": none). */
	r->have_helo = !lp_eq(l->helo, "-") && l->helo.n > 0;
	if (r->have_helo && span_str(l->helo, r->helo, sizeof r->helo) == -1)
		return -1;
	/* The verified name: iprev=pass has one, and only then. */
	if ((r->iprev == CHECK_PASS) == lp_eq(l->name, "-") ||
	    ((gen == GENERIC_TEMPERROR) != (r->iprev == CHECK_TEMPERROR)))
		return -1;
	if (r->iprev == CHECK_PASS) {
		if (span_str(l->name, pn->name.safe, sizeof pn->name.safe) ==
		    -1 || !dname_valid_hostname(pn->name.safe))
			return -1;
		pn->name.hostname = true;
		pn->looked_up = pn->confirmed = true;
		r->names = pn;
		r->n_names = 1;
		r->verified = 0;
	}
	/* What the configuration decides, judged by the milter's own
	 * code on the same inputs. */
	config_check_params(rp->cf, &cp);
	check_result_judge(&cp, r);
	out->generic_differs = (int)r->generic != gen;
	out->allow_differs = r->allowlisted != (allow == 1);
	return 0;
}

/*
 * Is a logged exempt local part exempt under the replayed configuration?
 * config_is_exempt() compares the recipient's own local part with the
 * entries; the log holds its form (rcptlist_local_form(): lower case,
 * '=' as '?'), so the entries are compared in that form: the same answer
 * for every local part, and the same as config_is_exempt() for every one
 * without '='.  Marks the entries that matched.
 */
static bool
exempt_here(struct replay *rp, const struct rcptlist_entry *e)
{
	size_t i;
	bool hit = false;

	for (i = 0; i < rp->n; i++)
		if (strlen(rp->forms[i]) == e->local_n &&
		    memcmp(rp->forms[i], e->local, e->local_n) == 0) {
			rp->seen[i] = true;
			hit = true;
		}
	return hit;
}

/* Decide n recipients of a domain as the milter's RCPT callback does. */
static void
decide(struct replay *rp, const struct check_result *r,
    const struct rcptlist_entry *e, struct replay_msg *out)
{
	char domain[RCPTLIST_DOMAIN_MAX + 1];
	const struct policy *p;
	struct policy_decision d;
	struct replay_decision *rd;
	bool dry;

	memcpy(domain, e->domain, e->domain_n);
	domain[e->domain_n] = '\0';
	p = config_policy_for(rp->cf, domain);
	out->rcpts += e->n;
	if (!policy_needs_verdict(p))
		return;
	policy_decide(r, p, &d);
	if (d.action == ACTION_ACCEPT)
		return;
	dry = policy_dry_run(rp->cf, p);
	policy_tally_add(&out->tally, p, &d, dry, e->n);
	/* At most one decision per list entry: it fits. */
	rd = &out->d[out->n_d++];
	rd->p = p;
	rd->check = d.check;
	rd->action = d.action;
	rd->dry_run = dry;
	rd->n = e->n;
}

/* The recipients of one list.  @return 0, or -1 (grammar). */
static int
recipients(struct replay *rp, const struct check_result *r,
    struct lp_span v, bool exempt, struct replay_msg *out)
{
	struct rcptlist_entry e;
	size_t pos = 0;
	int rc;

	while ((rc = rcptlist_next(v.p, v.n, exempt, &pos, &e)) == 1) {
		if (e.more) {
			out->unlisted += e.n;
			continue;
		}
		if (exempt && exempt_here(rp, &e)) {
			out->exempt += e.n;
			continue;
		}
		if (exempt)
			out->unexempted += e.n;
		decide(rp, r, &e, out);
	}
	return rc;
}

/* Does a logged list keep to the grammar and the caps (so that deciding
 * it is bounded work and fits out->d)? */
static bool
valid_list(struct lp_span v, bool exempt)
{
	struct rcptlist_entry e;
	size_t pos = 0, items = 0;
	int rc;

	while ((rc = rcptlist_next(v.p, v.n, exempt, &pos, &e)) == 1)
		if (!e.more && ++items > RCPTLIST_ITEMS)
			return false;
	return rc == 0;
}

/* Count the message in rp->st. */
static enum replay_status
counted(struct replay *rp, struct replay_msg *m, enum replay_status st)
{
	struct replay_stats *s = &rp->st;

	m->status = st;
	switch (st) {
	case REPLAY_OLD:
		s->old++;
		break;
	case REPLAY_BAD:
		s->bad++;
		break;
	case REPLAY_INCOMPLETE:
		s->incomplete++;
		break;
	case REPLAY_TRUSTED:
		s->trusted++;
		break;
	case REPLAY_DONE:
		s->msgs++;
		s->rcpts += m->rcpts;
		s->exempt += m->exempt;
		s->unexempted += m->unexempted;
		s->unlisted += m->unlisted;
		s->unlisted_msgs += m->unlisted > 0;
		s->generic_differs += m->generic_differs;
		s->allow_differs += m->allow_differs;
		break;
	}
	return st;
}

enum replay_status
replay_message(struct replay *rp, const struct lp_line *l,
    struct replay_msg *out)
{
	struct check_result r;
	struct check_ptr_name pn;

	memset(out, 0, sizeof *out);
	policy_tally_reset(&out->tally);
	if (l->domains.n == 0 || l->exempt.n == 0)
		return counted(rp, out, REPLAY_OLD);
	if (rebuild(rp, l, &r, &pn, out) == -1 ||
	    !valid_list(l->domains, false) || !valid_list(l->exempt, true))
		return counted(rp, out, REPLAY_BAD);
	if (cidr_match_any(rp->cf->trusted, rp->cf->n_trusted, &r.ip))
		return counted(rp, out, REPLAY_TRUSTED);
	if (lp_eq(l->dns, "incomplete") &&
	    !(lp_eq(l->domains, "-") && lp_eq(l->exempt, "-")))
		return counted(rp, out, REPLAY_INCOMPLETE);
	(void)recipients(rp, &r, l->domains, false, out);
	(void)recipients(rp, &r, l->exempt, true, out);
	return counted(rp, out, REPLAY_DONE);
}

const struct replay_stats *
replay_stats(const struct replay *rp)
{
	return &rp->st;
}

/* s as a JSON string.  @return 0, or -1 when out of memory. */
static int
json_str(FILE *fp, const char *s)
{
	size_t size = strlen(s) * 6 + 3;
	char *buf = malloc(size);
	struct strbuf sb;

	if (buf == NULL)
		return -1;
	strbuf_init(&sb, buf, size);
	strbuf_put_json(&sb, s);
	fputs(buf, fp);
	free(buf);
	return 0;
}

static int
print_json(const struct replay *rp, FILE *fp, const char *name,
    unsigned long long old, unsigned long long unchecked)
{
	const struct replay_stats *s = &rp->st;
	size_t i;
	bool first = true;
	int rc = 0;

	fputs("{\"config\": ", fp);
	rc |= json_str(fp, name);
	fprintf(fp, ", \"messages\": %llu, \"recipients\": %llu, "
	    "\"exempt\": %llu, \"exempt_when_logged\": %llu,\n  "
	    "\"trusted\": %llu, \"generic_differs\": %llu, "
	    "\"allowlisted_differs\": %llu,\n  \"not_replayed\": "
	    "{\"older_format\": %llu, \"dns_incomplete\": %llu, "
	    "\"garbage\": %llu, \"unchecked\": %llu, "
	    "\"unlisted_recipients\": %llu, \"unlisted_in_messages\": "
	    "%llu},\n  \"exempt_entries_unseen\": [", s->msgs, s->rcpts,
	    s->exempt, s->unexempted, s->trusted, s->generic_differs,
	    s->allow_differs, s->old + old, s->incomplete, s->bad, unchecked,
	    s->unlisted, s->unlisted_msgs);
	for (i = 0; i < rp->n; i++)
		if (!rp->seen[i]) {
			fputs(first ? "" : ", ", fp);
			rc |= json_str(fp, rp->cf->exempt[i]);
			first = false;
		}
	fputs("],\n  \"cannot_tell\": [", fp);
	for (i = 0; replay_cannot_tell[i] != NULL; i++) {
		fputs(i > 0 ? ",\n   " : "\n   ", fp);
		rc |= json_str(fp, replay_cannot_tell[i]);
	}
	fputs("]}", fp);
	return rc;
}

static void
print_text(const struct replay *rp, FILE *fp, const char *name,
    unsigned long long old, unsigned long long unchecked)
{
	const struct replay_stats *s = &rp->st;
	size_t i;
	bool first = true;

	fprintf(fp, "replay of %s: %llu messages decided again\n", name,
	    s->msgs);
	fprintf(fp, "  recipients: %llu decided (%llu of them exempt when "
	    "logged), %llu exempt\n", s->rcpts, s->unexempted, s->exempt);
	fprintf(fp, "  judged otherwise than logged: generic in %llu "
	    "messages, AllowDomains in %llu\n", s->generic_differs,
	    s->allow_differs);
	fprintf(fp, "  not checked here (TrustedNetworks): %llu messages\n",
	    s->trusted);
	fprintf(fp, "  not replayed: %llu older format, %llu cut short "
	    "(dns=incomplete), %llu garbage, %llu unchecked when logged; "
	    "%llu recipients not listed (in %llu messages)\n", s->old + old,
	    s->incomplete, s->bad, unchecked, s->unlisted, s->unlisted_msgs);
	for (i = 0; i < rp->n; i++)
		if (!rp->seen[i]) {
			fprintf(fp, "%s %s", first ? "  ExemptRecipients "
			    "that exempted no logged recipient:" : "",
			    rp->cf->exempt[i]);
			first = false;
		}
	if (!first)
		fputc('\n', fp);
	fputs("  what the log cannot tell:\n", fp);
	for (i = 0; replay_cannot_tell[i] != NULL; i++)
		fprintf(fp, "  - %s\n", replay_cannot_tell[i]);
}

int
replay_print(const struct replay *rp, FILE *fp, bool json, const char *name,
    unsigned long long old, unsigned long long unchecked)
{
	if (name == NULL)
		name = "";
	if (json)
		return print_json(rp, fp, name, old, unchecked);
	print_text(rp, fp, name, old, unchecked);
	return 0;
}
