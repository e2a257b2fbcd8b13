/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checks_verdict.c - the verdicts (RFC 8601 iprev, x-ptr, generic, HELO
 * alignment) computed from what a check session's lookups answered, and
 * the helpers that read a struct check_result.
 *
 * check_session_result() copies the session's answers under its lock and
 * applies the rules of SPEC 2; the lookups themselves are checks.c.
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks.h"
#include "checks_int.h"
#include "generic.h"
#include "orgdomain.h"
#include "strbuf.h"

static enum dnssec_status
weakest(enum dnssec_status a, enum dnssec_status b)
{
	return a < b ? a : b;
}

void
check_result_resolver_error(struct check_result *r)
{
	r->resolver_error = true;
	r->ptr = CHECK_TEMPERROR;
	r->ptr_dns = DNS_SERVFAIL;
	r->iprev = CHECK_TEMPERROR;
	r->verified = -1;
	r->helo_match = -1;
	snprintf(r->reason, sizeof r->reason, "resolver error");
	r->helo_aligned = false;
	r->allowlisted = false;
	r->org_domain[0] = r->helo_org[0] = '\0';
	if (r->have_helo)
		r->xptr = CHECK_TEMPERROR;
	r->generic = GENERIC_TEMPERROR;
	r->generic_rule[0] = r->generic_reason[0] = '\0';
}

/* The reason phrase for a temporary failure of class r. */
static const char *
temp_reason(enum dns_result r)
{
	switch (r) {
	case DNS_BOGUS:
		return "DNSSEC bogus";
	case DNS_TIMEOUT:
		return "DNS timeout";
	default:
		return "SERVFAIL";
	}
}

static bool
dns_is_temporary(enum dns_result r)
{
	return r == DNS_SERVFAIL || r == DNS_TIMEOUT || r == DNS_BOGUS;
}

/* Worse of two temporary causes for the reason phrase: bogus, then
 * timeout, then SERVFAIL. */
static enum dns_result
worse_temp(enum dns_result a, enum dns_result b)
{
	if (a == DNS_BOGUS || b == DNS_BOGUS)
		return DNS_BOGUS;
	if (a == DNS_TIMEOUT || b == DNS_TIMEOUT)
		return DNS_TIMEOUT;
	return DNS_SERVFAIL;
}

/*
 * RFC 8601 2.7.3 iprev, with the PTR result (SPEC 2):
 *
 *   PTR answer            forward answers                  iprev
 *   NXDOMAIN / NODATA     -                                permerror
 *   SERVFAIL/timeout/bogus -                               temperror
 *   names                 some name holds the client IP    pass
 *   names                 none confirms, one temporary     temperror
 *   names                 every one definitively not       fail
 *
 * "Definitively not": NXDOMAIN, NODATA, other addresses, or a name that
 * is not a valid hostname.  Called with s->lock held.
 */
static void
iprev_verdict(const struct check_session *s, struct check_result *r)
{
	enum dns_result temp = DNS_OK;
	enum dnssec_status sec = r->ptr_dnssec;
	bool bogus_met = false;
	size_t i;

	r->verified = -1;
	switch (r->ptr) {
	case CHECK_FAIL:
		r->iprev = CHECK_PERMERROR;
		r->iprev_dnssec = r->ptr_dnssec;
		snprintf(r->reason, sizeof r->reason, "no PTR record");
		return;
	case CHECK_TEMPERROR:
		r->iprev = CHECK_TEMPERROR;
		r->iprev_dnssec = r->ptr_dnssec;
		snprintf(r->reason, sizeof r->reason, "%s",
		    temp_reason(r->ptr_dns));
		return;
	default:
		break;
	}
	for (i = 0; i < r->n_names; i++) {
		const struct check_ptr_name *pn = &r->names[i];

		if (!pn->looked_up)
			continue;
		if (pn->fwd_result == DNS_BOGUS)
			bogus_met = true;
		if (pn->confirmed && r->verified == -1) {
			r->verified = (int)i;
			sec = weakest(sec, pn->fwd_dnssec);
		} else if (dns_is_temporary(pn->fwd_result))
			temp = temp == DNS_OK ? pn->fwd_result :
			    worse_temp(temp, pn->fwd_result);
	}
	if (r->verified >= 0) {
		r->iprev = CHECK_PASS;
		r->iprev_dnssec = bogus_met ? DNSSEC_BOGUS : sec;
		r->reason[0] = '\0';
		return;
	}
	/* Nothing confirmed: every answer was used. */
	for (i = 0; i < r->n_names; i++)
		if (r->names[i].looked_up)
			sec = weakest(sec, r->names[i].fwd_dnssec);
	r->iprev_dnssec = sec;
	if (temp != DNS_OK) {
		r->iprev = CHECK_TEMPERROR;
		snprintf(r->reason, sizeof r->reason, "%s", temp_reason(temp));
		return;
	}
	r->iprev = CHECK_FAIL;
	snprintf(r->reason, sizeof r->reason, "PTR %.*s does not resolve to %s",
	    CHECK_VALUE_MAX, r->n_names > 0 ? r->names[0].name.safe : "?",
	    r->ipstr);
	(void)s;
}

/* x-ptr and the HELO's own forward confirmation.  s->lock held. */
static void
helo_verdict(const struct check_session *s, struct check_result *r)
{
	size_t i;

	r->helo_match = -1;
	r->helo_fwd = CHECK_NONE;
	r->have_helo = s->helo_kind != HELO_NONE;
	snprintf(r->helo, sizeof r->helo, "%s", s->helo);
	switch (s->helo_kind) {
	case HELO_NONE:
		r->xptr = CHECK_NONE;
		return;
	case HELO_LITERAL:
		r->xptr = dname_ip_equal(&s->helo_ip, &s->ip) ? CHECK_NEUTRAL :
		    CHECK_FAIL;
		return;
	case HELO_INVALID:
		r->xptr = CHECK_FAIL;
		return;
	case HELO_HOST:
		break;
	}
	if (s->helo_slot == SIZE_MAX) {
		r->helo_fwd = CHECK_TEMPERROR;
		r->helo_dns = DNS_SERVFAIL;
	} else {
		const struct slot *sl = &s->slots[s->helo_slot];

		r->helo_dns = sl->done ? sl->result : DNS_TIMEOUT;
		memcpy(r->helo_addrs, sl->addrs, sizeof r->helo_addrs);
		if (!sl->done || dns_is_temporary(sl->result))
			r->helo_fwd = CHECK_TEMPERROR;
		else
			r->helo_fwd = sl->match ? CHECK_PASS : CHECK_FAIL;
	}
	if (r->iprev == CHECK_TEMPERROR) {
		r->xptr = CHECK_TEMPERROR;
		return;
	}
	for (i = 0; i < r->n_names; i++)
		if (r->names[i].looked_up && r->names[i].confirmed &&
		    dname_equal(r->names[i].name.safe, s->helo)) {
			r->helo_match = (int)i;
			r->xptr = CHECK_PASS;
			return;
		}
	r->xptr = CHECK_FAIL;
}

/*
 * Organizational domains (SPEC 2): the verified name's and HELO alignment
 * (the HELO hostname's organizational domain equals a confirmed PTR
 * name's).  Reads r and the session's fixed parameters; no lock needed.
 */
static void
org_verdict(const struct check_session *s, struct check_result *r)
{
	char org[DNAME_TEXT_MAX];
	const char *v = check_result_verified_name(r);
	size_t i;

	r->helo_aligned = false;
	r->org_domain[0] = r->helo_org[0] = '\0';
	if (r->iprev != CHECK_PASS || v == NULL)
		return;
	(void)orgdomain_of(v, r->org_domain, sizeof r->org_domain);
	if (!r->have_helo || strlen(r->helo) >= DNAME_TEXT_MAX ||
	    !dname_valid_hostname(r->helo) ||
	    orgdomain_of(r->helo, org, sizeof org) == -1)
		return;
	for (i = 0; i < r->n_names; i++) {
		char norg[DNAME_TEXT_MAX];

		if (!r->names[i].looked_up || !r->names[i].confirmed)
			continue;
		if (orgdomain_of(r->names[i].name.safe, norg,
		    sizeof norg) == 0 && strcmp(norg, org) == 0) {
			r->helo_aligned = true;
			memcpy(r->helo_org, org, sizeof r->helo_org);
			return;
		}
	}
}

int
check_session_result(struct check_session *s, struct check_result *r)
{
	size_t i;

	memset(r, 0, sizeof *r);
	pthread_mutex_lock(&s->lock);
	r->ip = s->ip;
	dname_ip_str(&s->ip, r->ipstr, sizeof r->ipstr);

	/* ptr */
	r->ptr_dns = s->ptr_done ? s->ptr_result : DNS_TIMEOUT;
	r->ptr_dnssec = s->ptr_done ? s->ptr_dnssec : DNSSEC_INSECURE;
	if (!s->ptr_done)
		r->timed_out = true;
	snprintf(r->ptr_why_bogus, sizeof r->ptr_why_bogus, "%s",
	    s->why_bogus);
	switch (r->ptr_dns) {
	case DNS_OK:
		r->ptr = s->n_names > 0 ? CHECK_PASS : CHECK_FAIL;
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		r->ptr = CHECK_FAIL;
		break;
	default:
		r->ptr = CHECK_TEMPERROR;
		break;
	}
	if (r->ptr == CHECK_PASS) {
		r->names = calloc(s->n_names, sizeof *r->names);
		if (r->names == NULL) {
			pthread_mutex_unlock(&s->lock);
			return -1;
		}
		r->n_names = s->n_names;
		r->names_truncated = s->names_truncated;
		for (i = 0; i < s->n_names; i++) {
			struct check_ptr_name *pn = &r->names[i];

			*pn = s->names[i];
			if (s->name_slot[i] == SIZE_MAX)
				continue;
			const struct slot *sl = &s->slots[s->name_slot[i]];
			if (!sl->done) {
				pn->fwd_result = DNS_TIMEOUT;
				r->timed_out = true;
			} else {
				pn->fwd_result = sl->result;
				pn->fwd_dnssec = sl->dnssec;
				pn->confirmed = sl->match;
				memcpy(pn->fwd_addrs, sl->addrs,
				    sizeof pn->fwd_addrs);
			}
		}
	}
	iprev_verdict(s, r);
	helo_verdict(s, r);
	if (s->helo_kind == HELO_HOST && s->helo_slot != SIZE_MAX &&
	    !s->slots[s->helo_slot].done)
		r->timed_out = true;
	{
		struct timespec end;

		/* Until the answer that completed the verdict; else until
		 * now, but never past the deadline: a callback that ran late
		 * (libmilter's queue on a loaded machine) does not make the
		 * lookups slower than DNSTimeout (rdns-milter(8), ms=). */
		if (s->decided && checks_decided(s))
			end = s->decided_at;
		else {
			clock_gettime(CLOCK_MONOTONIC, &end);
			if (end.tv_sec > s->deadline.tv_sec ||
			    (end.tv_sec == s->deadline.tv_sec &&
			    end.tv_nsec > s->deadline.tv_nsec))
				end = s->deadline;
		}
		r->elapsed = (double)(end.tv_sec - s->start.tv_sec) +
		    (double)(end.tv_nsec - s->start.tv_nsec) / 1e9;
	}
	pthread_mutex_unlock(&s->lock);

	if (s->resolver_error) {
		check_result_resolver_error(r);
		return 0;
	}
	check_result_judge(&s->p, r);
	org_verdict(s, r);
	return 0;
}

void
check_result_judge(const struct check_params *p, struct check_result *r)
{
	const char *v = check_result_verified_name(r);

	/* generic: judged on the verified name only. */
	r->generic_rule[0] = r->generic_reason[0] = '\0';
	r->allowlisted = false;
	if (r->iprev == CHECK_PASS && v != NULL) {
		struct generic_verdict gv;

		r->generic = generic_assess(p->generic, p->roles, v, &r->ip,
		    &gv) ? GENERIC_YES : GENERIC_NO;
		memcpy(r->generic_rule, gv.rule, sizeof r->generic_rule);
		memcpy(r->generic_reason, gv.reason,
		    sizeof r->generic_reason);
		/* AllowDomains: the verified name only, never a name that
		 * did not forward-confirm. */
		r->allowlisted = orgdomain_list_match(p->allow, p->n_allow, v);
	} else if (r->iprev == CHECK_TEMPERROR)
		r->generic = GENERIC_TEMPERROR;
	else
		r->generic = GENERIC_NO;
}

void
check_result_clear(struct check_result *r)
{
	free(r->names);
	r->names = NULL;
	r->n_names = 0;
}

const char *
check_result_verified_name(const struct check_result *r)
{
	if (r->verified < 0 || (size_t)r->verified >= r->n_names)
		return NULL;
	return r->names[r->verified].name.safe;
}

const char *
check_result_name_at(const struct check_result *r, int i)
{
	if (r->names == NULL || i < 0 || (size_t)i >= r->n_names)
		return NULL;
	return r->names[i].name.safe;
}

const char *
check_result_first_name(const struct check_result *r)
{
	return r->n_names > 0 ? r->names[0].name.safe : NULL;
}
