/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c - from check results and a Policy to an action and a reply
 * (SPEC 3.2): the decision walks the check table (checks.h), whose rows
 * hold each check's verdict and reply text; the tally of a message's
 * decisions; recipients split into their parts.
 */
#include "autoconf.h"

#include <string.h>

#include "conf.h"
#include "dname.h"
#include "policy.h"
#include "strbuf.h"
#include "text.h"

/* RFC 7372 3: X.7.25 "Reverse DNS validation failed". */
#define REJECT_RCODE	"550"
#define REJECT_XCODE	"5.7.25"
#define TEMPFAIL_RCODE	"451"
#define TEMPFAIL_XCODE	"4.7.25"

static const char *const action_names[] = {
	[ACTION_ACCEPT] = "accept",
	[ACTION_TEMPFAIL] = "tempfail",
	[ACTION_REJECT] = "reject",
};

const char *
policy_action_str(enum action a)
{
	if ((unsigned)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "unknown";
	return action_names[a];
}

enum action
policy_action_of(const struct policy *p, enum check_id id)
{
	const struct check_info *ci;

	if ((unsigned)id >= CHECK_ID_N)
		return ACTION_ACCEPT;
	ci = &check_info[id];
	switch (ci->pkey) {
	case CHECK_PKEY_ACTION:
		return p->act[id];
	case CHECK_PKEY_REQUIRE:
		return p->require[id] ? p->act[ci->acted_by] : ACTION_ACCEPT;
	case CHECK_PKEY_TEMPERROR:
	case CHECK_PKEY_NONE:
		break;
	}
	return ACTION_ACCEPT;
}

/* A step of the decision: a check that can fail under an action of its
 * own or of another check's (SPEC 3.2). */
static bool
is_step(enum check_id id)
{
	return check_info[id].pkey == CHECK_PKEY_ACTION ||
	    check_info[id].pkey == CHECK_PKEY_REQUIRE;
}

bool
policy_needs_verdict(const struct policy *p)
{
	int id;

	if (p == NULL)
		return false;
	/* A required check is acted on by another check's action, and
	 * temperror only matters through a check whose action is not
	 * accept. */
	for (id = 0; id < CHECK_ID_N; id++)
		if (check_info[id].pkey == CHECK_PKEY_ACTION &&
		    p->act[id] != ACTION_ACCEPT)
			return true;
	return false;
}

static void
set_action(struct policy_decision *d, enum action a, enum check_id c)
{
	d->action = a;
	d->check = c;
	if (a == ACTION_REJECT) {
		memcpy(d->rcode, REJECT_RCODE, sizeof(REJECT_RCODE));
		memcpy(d->xcode, REJECT_XCODE, sizeof(REJECT_XCODE));
	} else {
		memcpy(d->rcode, TEMPFAIL_RCODE, sizeof(TEMPFAIL_RCODE));
		memcpy(d->xcode, TEMPFAIL_XCODE, sizeof(TEMPFAIL_XCODE));
	}
}

/*
 * The checks in the order of the check table, SPEC 3.2's: the first that
 * fails under a refusing action decides, with its reply text.
 */
void
policy_decide(const struct check_result *r, const struct policy *p,
    struct policy_decision *d)
{
	struct strbuf sb;
	bool temp = false;
	int id;

	memset(d, 0, sizeof(*d));
	d->action = ACTION_ACCEPT;
	d->check = CHECK_ID_NONE;
	if (r == NULL || p == NULL)
		return;
	strbuf_init(&sb, d->text, sizeof(d->text));
	for (id = 0; id < CHECK_ID_N; id++) {
		enum action a;
		enum check_class v;

		if (!is_step((enum check_id)id))
			continue;
		a = policy_action_of(p, (enum check_id)id);
		if (a != ACTION_TEMPFAIL && a != ACTION_REJECT)
			continue;
		v = check_verdict((enum check_id)id, r);
		if (v == CHECK_CLASS_FAIL) {
			set_action(d, a, (enum check_id)id);
			check_info[id].reply(&sb, r);
			return;
		}
		if (v == CHECK_CLASS_TEMP)
			temp = true;
	}
	/* A temporary error never leads to a 5xx (STYLE 2.3), whatever the
	 * temperror action says. */
	if (temp && p->act[CHECK_ID_TEMPERROR] != ACTION_ACCEPT) {
		set_action(d, ACTION_TEMPFAIL, CHECK_ID_TEMPERROR);
		check_info[CHECK_ID_TEMPERROR].reply(&sb, r);
	}
}

bool
policy_dry_run(const struct config *cf, const struct policy *p)
{
	return cf->dry_run || (p != NULL && p->dry_run);
}

void
policy_tally_reset(struct policy_tally *t)
{
	memset(t, 0, sizeof *t);
	t->action = t->enforced = ACTION_ACCEPT;
	for (int k = 0; k < 2; k++) {
		t->pol[k] = NULL;
		t->rank[k] = -1;
		t->check[k] = CHECK_ID_NONE;
	}
}

void
policy_tally_add(struct policy_tally *t, const struct policy *p,
    const struct policy_decision *d, bool dry_run, unsigned long n)
{
	int rank, k = dry_run ? 1 : 0;

	if (d->action == ACTION_ACCEPT || n == 0)
		return;
	t->rcpts += n;
	if (d->action > t->action)
		t->action = d->action;
	if (dry_run)
		t->dry_run_hit = true;
	else if (d->action > t->enforced)
		t->enforced = d->action;
	/* The first of the most specific ones. */
	rank = dname_pattern_rank(p->domain);
	if (rank > t->rank[k]) {
		t->rank[k] = rank;
		t->pol[k] = p;
		t->check[k] = d->check;
	}
}

enum action
policy_tally_action(const struct policy_tally *t, bool *dry_run)
{
	*dry_run = false;
	if (t->enforced != ACTION_ACCEPT)
		return t->enforced;
	*dry_run = t->dry_run_hit;
	return t->action;
}

const struct policy *
policy_tally_policy(const struct policy_tally *t, enum check_id *check)
{
	int k = t->pol[0] != NULL ? 0 : 1;

	*check = t->pol[k] != NULL ? t->check[k] : CHECK_ID_NONE;
	return t->pol[k];
}

/* ASCII lower case copy of n bytes into dst[dlen].  @return 0, or -1 if
 * it does not fit (dst is then ""): a cut recipient part could match
 * another policy or exemption, so it is never used. */
static int
lower_copy(char *dst, size_t dlen, const char *src, size_t n)
{
	size_t i;

	if (n >= dlen) {
		dst[0] = '\0';
		return -1;
	}
	for (i = 0; i < n; i++)
		dst[i] = ascii_lower(src[i]);
	dst[n] = '\0';
	return 0;
}

int
policy_split_recipient(const char *rcpt, char *local, size_t llen,
    char *domain, size_t dlen)
{
	const char *p = rcpt, *end, *at;
	size_t n;

	while (*p == ' ' || *p == '<')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == '>' || end[-1] == ' '))
		end--;
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	if (at == p) {
		/* No '@': a bare local part ("<postmaster>"). */
		domain[0] = '\0';
		if (lower_copy(local, llen, p, (size_t)(end - p)) == -1)
			return -1;
		return 0;
	}
	n = (size_t)(end - at);
	if (n > 0 && at[n - 1] == '.')
		n--;
	if (lower_copy(local, llen, p, (size_t)(at - 1 - p)) == -1 ||
	    lower_copy(domain, dlen, at, n) == -1) {
		local[0] = domain[0] = '\0';
		return -1;
	}
	return 0;
}
