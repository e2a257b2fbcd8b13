/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c - from check results and a Policy to an action and a reply
 * (SPEC 3.2).
 */
#include "autoconf.h"

#include <string.h>

#include "conf.h"
#include "dname.h"
#include "policy.h"
#include "strbuf.h"

/* RFC 7372 3: X.7.25 "Reverse DNS validation failed". */
#define REJECT_RCODE	"550"
#define REJECT_XCODE	"5.7.25"
#define TEMPFAIL_RCODE	"451"
#define TEMPFAIL_XCODE	"4.7.25"

/* How one check came out, as far as policy is concerned. */
enum verdict {
	V_OK = 0,	/* nothing to act on */
	V_FAIL,		/* definitive failure */
	V_TEMP,		/* temporary error */
};

static const char *const check_names[] = {
	[POLICY_CHECK_NONE] = "none",
	[POLICY_CHECK_PTR] = "ptr",
	[POLICY_CHECK_IPREV] = "iprev",
	[POLICY_CHECK_GENERIC] = "generic",
	[POLICY_CHECK_HELO] = "helo",
	[POLICY_CHECK_DNSSEC] = "dnssec",
	[POLICY_CHECK_TEMPERROR] = "temperror",
};

static const char *const action_names[] = {
	[ACTION_ACCEPT] = "accept",
	[ACTION_TEMPFAIL] = "tempfail",
	[ACTION_REJECT] = "reject",
};

const char *
policy_check_str(enum policy_check c)
{
	if ((unsigned)c >= sizeof(check_names) / sizeof(check_names[0]))
		return "unknown";
	return check_names[c];
}

const char *
policy_action_str(enum action a)
{
	if ((unsigned)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "unknown";
	return action_names[a];
}

bool
policy_needs_verdict(const struct policy *p)
{
	if (p == NULL)
		return false;
	/* dnssec=require is acted on by the iprev action and temperror only
	 * matters through a check whose action is not accept. */
	return p->ptr != ACTION_ACCEPT || p->iprev != ACTION_ACCEPT ||
	    p->helo != ACTION_ACCEPT || p->generic != ACTION_ACCEPT;
}

/* Append untrusted text: printable ASCII kept, every other byte '?',
 * at most CHECK_VALUE_MAX (255) bytes (SPEC 3.2) and never more than the
 * size of the array it comes from. */
static void
put_sane_max(struct strbuf *sb, const char *s, size_t size, size_t cap)
{
	size_t i, max = size < cap ? size : cap;

	for (i = 0; i < max && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		/* '%' too: smfi_setreply(3) takes it as an escape, and
		 * Sendmail drops a reply text with a single one. */
		strbuf_putc(sb, c >= 0x20 && c <= 0x7e && c != '%' ?
		    (char)c : '?');
	}
}

static void
put_sane(struct strbuf *sb, const char *s, size_t size)
{
	put_sane_max(sb, s, size, CHECK_VALUE_MAX);
}

static enum verdict
ptr_verdict(const struct check_result *r, const struct policy *p)
{
	(void)p;
	if (r->ptr == CHECK_FAIL)
		return V_FAIL;
	if (r->ptr == CHECK_TEMPERROR)
		return V_TEMP;
	return V_OK;
}

static enum verdict
iprev_verdict(const struct check_result *r, const struct policy *p)
{
	(void)p;
	if (r->iprev == CHECK_FAIL || r->iprev == CHECK_PERMERROR)
		return V_FAIL;
	if (r->iprev == CHECK_TEMPERROR)
		return V_TEMP;
	return V_OK;
}

static enum verdict
generic_verdict(const struct check_result *r, const struct policy *p)
{
	(void)p;
	if (r->allowlisted)
		return V_OK;		/* AllowDomains (SPEC 4) */
	if (r->generic == GENERIC_YES)
		return V_FAIL;
	if (r->generic == GENERIC_TEMPERROR)
		return V_TEMP;
	return V_OK;
}

/*
 * The helo policy acts only when the HELO neither matches a verified name
 * (x-ptr=fail) nor forward-confirms nor is aligned (SPEC 2, 4), and never
 * on an AllowDomains client.  A HELO that resolves to the client IP or is
 * aligned can never fail, so neither x-ptr=temperror nor anything else
 * matters then.
 */
static enum verdict
helo_verdict(const struct check_result *r, const struct policy *p)
{
	(void)p;
	if (r->helo_fwd == CHECK_PASS || r->helo_aligned || r->allowlisted)
		return V_OK;
	if (r->xptr == CHECK_FAIL)
		return r->helo_fwd == CHECK_TEMPERROR ? V_TEMP : V_FAIL;
	if (r->xptr == CHECK_TEMPERROR)
		return V_TEMP;
	return V_OK;
}

static enum verdict
dnssec_verdict(const struct check_result *r, const struct policy *p)
{
	if (p->dnssec_require && r->iprev == CHECK_PASS &&
	    r->iprev_dnssec != DNSSEC_SECURE)
		return V_FAIL;
	return V_OK;
}

static void
text_ptr(struct strbuf *sb, const struct check_result *r)
{
	(void)r;
	strbuf_puts(sb, "The IP address sending this message does not have "
	    "a PTR record");
}

static void
text_iprev(struct strbuf *sb, const struct check_result *r)
{
	const char *first;

	if (r->iprev == CHECK_PERMERROR) {
		text_ptr(sb, r);
		return;
	}
	first = check_result_name_at(r, 0);
	strbuf_puts(sb, "Reverse DNS for ");
	put_sane(sb, r->ipstr, sizeof(r->ipstr));
	if (first != NULL) {
		strbuf_puts(sb, " (");
		put_sane(sb, first, CHECK_NAME_SIZE);
		strbuf_putc(sb, ')');
	}
	strbuf_puts(sb, " does not resolve back to it");
}

static void
text_generic(struct strbuf *sb, const struct check_result *r)
{
	const char *name = check_result_name_at(r, r->verified);

	strbuf_puts(sb, "Reverse DNS name ");
	/* generic=yes is only judged on a verified name; never leave a
	 * hole in the sentence should the engine disagree. */
	put_sane(sb, name != NULL ? name : "(unknown)", CHECK_NAME_SIZE);
	strbuf_puts(sb, " of ");
	put_sane(sb, r->ipstr, sizeof(r->ipstr));
	strbuf_puts(sb, " looks generic");
}

/*
 * RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with CRLF, so the
 * text after "550 5.7.25 " has 499.  Only the HELO text carries two
 * client- or DNS-controlled values; with a long PTR name the HELO gives
 * way (it is never cut below 200 bytes, since a name is at most 253).
 */
#define REPLY_TEXT_MAX	(512 - 2 - 11)
#define HELO_TEXT_FIXED	(sizeof "HELO name  does not match reverse DNS name " - 1)

static void
text_helo(struct strbuf *sb, const struct check_result *r)
{
	const char *name = check_result_name_at(r, r->verified);
	size_t cap = CHECK_VALUE_MAX;

	if (name != NULL) {
		size_t nl = strnlen(name, CHECK_VALUE_MAX);

		if (HELO_TEXT_FIXED + nl + cap > REPLY_TEXT_MAX)
			cap = REPLY_TEXT_MAX - HELO_TEXT_FIXED - nl;
	}
	strbuf_puts(sb, "HELO name ");
	put_sane_max(sb, r->helo, sizeof(r->helo), cap);
	if (name != NULL) {
		strbuf_puts(sb, " does not match reverse DNS name ");
		put_sane(sb, name, CHECK_NAME_SIZE);
	} else {
		strbuf_puts(sb, " does not match reverse DNS of ");
		put_sane(sb, r->ipstr, sizeof(r->ipstr));
	}
}

static void
text_dnssec(struct strbuf *sb, const struct check_result *r)
{
	strbuf_puts(sb, "Reverse DNS for ");
	put_sane(sb, r->ipstr, sizeof(r->ipstr));
	strbuf_puts(sb, " is not DNSSEC-secure");
}

static void
text_temperror(struct strbuf *sb, const struct check_result *r)
{
	strbuf_puts(sb, "Temporary failure looking up reverse DNS for ");
	put_sane(sb, r->ipstr, sizeof(r->ipstr));
}

static void
set_action(struct policy_decision *d, enum action a, enum policy_check c)
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

/* The action a Policy line sets for a step's check. */
static enum action
act_ptr(const struct policy *p)
{
	return p->ptr;
}

static enum action
act_iprev(const struct policy *p)
{
	return p->iprev;
}

static enum action
act_generic(const struct policy *p)
{
	return p->generic;
}

static enum action
act_helo(const struct policy *p)
{
	return p->helo;
}

/*
 * The checks in the order SPEC 3.2 gives them: the first that fails under
 * a refusing action decides, with its text.  dnssec=require is acted on by
 * the iprev action.
 */
static const struct step {
	enum policy_check	 check;
	enum action		(*action)(const struct policy *);
	enum verdict		(*verdict)(const struct check_result *,
				    const struct policy *);
	void			(*text)(struct strbuf *,
				    const struct check_result *);
} steps[] = {
	{ POLICY_CHECK_PTR, act_ptr, ptr_verdict, text_ptr },
	{ POLICY_CHECK_IPREV, act_iprev, iprev_verdict, text_iprev },
	{ POLICY_CHECK_GENERIC, act_generic, generic_verdict, text_generic },
	{ POLICY_CHECK_HELO, act_helo, helo_verdict, text_helo },
	{ POLICY_CHECK_DNSSEC, act_iprev, dnssec_verdict, text_dnssec },
};

void
policy_decide(const struct check_result *r, const struct policy *p,
    struct policy_decision *d)
{
	struct strbuf sb;
	bool temp = false;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->action = ACTION_ACCEPT;
	d->check = POLICY_CHECK_NONE;
	if (r == NULL || p == NULL)
		return;
	strbuf_init(&sb, d->text, sizeof(d->text));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum action a = steps[i].action(p);
		enum verdict v;

		if (a != ACTION_TEMPFAIL && a != ACTION_REJECT)
			continue;
		v = steps[i].verdict(r, p);
		if (v == V_FAIL) {
			set_action(d, a, steps[i].check);
			steps[i].text(&sb, r);
			return;
		}
		if (v == V_TEMP)
			temp = true;
	}
	/* A temporary error never leads to a 5xx (STYLE 2.3), whatever the
	 * temperror action says. */
	if (temp && p->temperror != ACTION_ACCEPT) {
		set_action(d, ACTION_TEMPFAIL, POLICY_CHECK_TEMPERROR);
		text_temperror(&sb, r);
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
		t->check[k] = POLICY_CHECK_NONE;
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
policy_tally_policy(const struct policy_tally *t, enum policy_check *check)
{
	int k = t->pol[0] != NULL ? 0 : 1;

	*check = t->pol[k] != NULL ? t->check[k] : POLICY_CHECK_NONE;
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
