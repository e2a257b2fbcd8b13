/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_checks.c - libFuzzer target: the check engine (checks.c) fed DNS
 * answers as libunbound hands them over, through the fake resolver.
 *
 * Input: the client address, mode bits, MaxPTRNames, the PTR answer
 * (result class, DNSSEC status, up to 24 records: raw rdata bytes,
 * possibly malformed, or names built from the input, from the address or
 * repeated), the HELO (none, any bytes, an address literal, a copy of a
 * PTR name, a built name), then for every distinct PTR host name and the
 * HELO a forward answer (result class, status, A/AAAA records of the
 * client address, of other addresses or of wrong lengths), and a Policy.
 * Mode bits make every forward submission fail, make the first one
 * (check_session_new) fail, send a first HELO and replace it, or send
 * the HELO after the answers so that its lookup is still in flight when
 * the result is taken and the session freed.
 *
 * FUZZ_VERBOSE=1 in the environment prints each result and its header.
 *
 * No lookup is silent, so check_session_wait() never waits: everything
 * is answered by fake_resolver_run() (asserted with check_session_done).
 *
 * Checked: the verdicts against a model of SPEC 2 computed from the
 * answers the fake was given (ptr, names and their decoding, which names
 * are looked up, iprev and the verified name, x-ptr, the HELO's forward
 * confirmation, generic, timed_out, DNSSEC bounds), then the
 * Authentication-Results value and a policy decision for the result
 * (fuzz_assert_authres, fuzz_assert_policy).  LeakSanitizer checks that
 * sessions, answers and results are freed on every path.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "checks.h"
#include "conf.h"
#include "fake_log.h"
#include "fake_resolver.h"
#include "fuzz_util.h"
#include "generic.h"
#include "orgdomain.h"
#include "policy.h"

#define MAX_RECORDS	24	/* PTR records per answer */
#define MAX_FWD_RR	6	/* A/AAAA records per answer */
#define MAX_PLANS	(MAX_RECORDS + 2)
#define REC_MAX		600	/* raw rdata up to 510 bytes */

/* Mode bits. */
#define MODE_FAIL_FWD	0x01	/* every submit after the PTR one fails */
#define MODE_FAIL_NEW	0x02	/* the PTR submission fails */
#define MODE_HELO_TWICE	0x04	/* a first HELO, then the real one */
#define MODE_HELO_LATE	0x08	/* the HELO after fake_resolver_run() */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the fake answers for one forward name. */
struct plan {
	char		 name[DNAME_TEXT_MAX + 2];
	enum dns_result	 result;	/* as the engine will see it */
	enum dnssec_status sec;
	bool		 match;		/* a record equals the client IP */
	bool		 early;		/* its slot exists before the run */
};

struct world {
	struct rdns_ip	 ip;
	unsigned	 mode;
	unsigned	 max_ptr;
	enum dns_result	 ptr_result;
	enum dnssec_status ptr_sec;
	size_t		 nrec;
	uint8_t		 rec[MAX_RECORDS][REC_MAX];
	size_t		 rec_len[MAX_RECORDS];
	struct dname_wire_text dec[MAX_RECORDS];
	bool		 dec_ok[MAX_RECORDS];
	bool		 have_helo;
	char		 helo[320];
	char		 helo1[320];	/* MODE_HELO_TWICE: the first one */
	struct plan	 plans[MAX_PLANS];
	size_t		 nplans;
};

static struct generic_patterns *gp;
static struct generic_roles *gr;
/* AllowDomains of the runs: names under sec.test and one exact name. */
static char allow_sub[] = ".sec.test", allow_exact[] = "mail.example.net";
static char *const allow[] = { allow_sub, allow_exact };

/* A name of 1..4 labels of 1..12 bytes from [a-z0-9-] (so sometimes not
 * a host name: a label may start or end with '-', or be all digits). */
static void
gen_name(struct fuzz_in *in, char *out)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	size_t labels = 1 + fuzz_pick(in, 4), o = 0, l, i, n;

	for (l = 0; l < labels; l++) {
		n = 1 + fuzz_pick(in, 12);
		if (l > 0)
			out[o++] = '.';
		for (i = 0; i < n; i++)
			out[o++] = chars[fuzz_u8(in) % (sizeof chars - 1)];
	}
	out[o] = '\0';
}

/* "a.b.c" (no empty labels, labels < 64) to wire format. */
static size_t
to_wire(const char *name, uint8_t *w)
{
	size_t o = 0;
	const char *p = name, *dot;

	while (*p != '\0') {
		size_t l;

		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		w[o++] = (uint8_t)l;
		memcpy(w + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	w[o++] = 0;
	return o;
}

/* A name that embeds the client address (SPEC 2 generic). */
static void
generic_name(const struct rdns_ip *ip, char *out, size_t size)
{
	const uint8_t *b;

	if (ip->family == AF_INET) {
		b = (const uint8_t *)&ip->u.v4;
		snprintf(out, size, "ip-%u-%u-%u-%u.example.net",
		    b[0], b[1], b[2], b[3]);
	} else {
		b = ip->u.v6.s6_addr;
		snprintf(out, size,
		    "x-%02x%02x-%02x%02x-%02x%02x-%02x%02x.example.net",
		    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	}
}

static void
gen_records(struct fuzz_in *in, struct world *w)
{
	char name[DNAME_TEXT_MAX];
	size_t i, n;

	w->nrec = fuzz_pick(in, MAX_RECORDS + 1);
	for (i = 0; i < w->nrec; i++) {
		switch (fuzz_pick(in, 4)) {
		case 0:
			/* Raw rdata, any bytes and length. */
			n = fuzz_len(in);
			w->rec_len[i] = fuzz_bytes(in, w->rec[i],
			    n < REC_MAX ? n : REC_MAX);
			break;
		case 1:
			gen_name(in, name);
			w->rec_len[i] = to_wire(name, w->rec[i]);
			break;
		case 2:
			generic_name(&w->ip, name, sizeof name);
			w->rec_len[i] = to_wire(name, w->rec[i]);
			break;
		default:
			/* An earlier record again, its letters upper case. */
			if (i == 0) {
				w->rec_len[i] = to_wire("mail.example.com",
				    w->rec[i]);
				break;
			}
			n = fuzz_pick(in, (unsigned)i);
			memcpy(w->rec[i], w->rec[n], w->rec_len[n]);
			w->rec_len[i] = w->rec_len[n];
			if (fuzz_u8(in) & 1) {
				size_t k;

				for (k = 0; k < w->rec_len[i]; k++)
					if (w->rec[i][k] >= 'a' &&
					    w->rec[i][k] <= 'z')
						w->rec[i][k] -= 32;
			}
			break;
		}
		w->dec_ok[i] = dname_from_wire(w->rec[i], w->rec_len[i],
		    &w->dec[i]) == 0;
	}
}

static void
gen_helo(struct fuzz_in *in, struct world *w, char *helo, size_t size)
{
	char text[DNAME_IPSTR_MAX];
	struct rdns_ip other;
	size_t i, n;

	switch (fuzz_pick(in, 5)) {
	case 0:
		w->have_helo = false;
		helo[0] = '\0';
		return;
	case 1:
		fuzz_str(in, helo, size);
		break;
	case 2:
		if (fuzz_u8(in) & 1)
			fuzz_ip(in, &other);
		else
			other = w->ip;
		dname_ip_str(&other, text, sizeof text);
		snprintf(helo, size, other.family == AF_INET ? "[%s]" :
		    "[IPv6:%s]", text);
		break;
	case 3:
		/* A PTR name, maybe in upper case, maybe with a dot. */
		helo[0] = '\0';
		if (w->nrec > 0) {
			n = fuzz_pick(in, (unsigned)w->nrec);
			if (w->dec_ok[n])
				snprintf(helo, size, "%s", w->dec[n].safe);
		}
		if (helo[0] == '\0')
			snprintf(helo, size, "mail.example.com");
		if (fuzz_u8(in) & 1)
			for (i = 0; helo[i] != '\0'; i++)
				if (helo[i] >= 'a' && helo[i] <= 'z')
					helo[i] = (char)(helo[i] - 32);
		if ((fuzz_u8(in) & 1) && strlen(helo) + 1 < size)
			strcat(helo, ".");
		break;
	default:
		gen_name(in, helo);
		break;
	}
	w->have_helo = true;
}

/* Is s a HELO the engine looks up (a host name, not a literal)? */
static bool
helo_is_host(const char *s)
{
	return s[0] != '[' && strlen(s) <= DNAME_TEXT_MAX &&
	    dname_valid_hostname(s);
}

static struct plan *
plan_find(struct world *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->nplans; i++)
		if (dname_equal(w->plans[i].name, name))
			return &w->plans[i];
	return NULL;
}

/* Add the fake's answer for a forward name (once per distinct name). */
static void
plan_add(struct fuzz_in *in, struct world *w, const char *name, bool early)
{
	struct plan *pl;
	int type = w->ip.family == AF_INET ? DNS_TYPE_A : DNS_TYPE_AAAA;
	size_t alen = w->ip.family == AF_INET ? 4 : 16, i, nrr, len;
	uint8_t rr[32];

	if ((pl = plan_find(w, name)) != NULL) {
		pl->early |= early;
		return;
	}
	if (w->nplans == MAX_PLANS)
		return;
	pl = &w->plans[w->nplans++];
	memset(pl, 0, sizeof *pl);
	snprintf(pl->name, sizeof pl->name, "%s", name);
	pl->early = early;
	if (fuzz_pick(in, 8) == 0) {
		/* Not in the table: the fake says NXDOMAIN. */
		pl->result = DNS_NXDOMAIN;
		pl->sec = DNSSEC_INSECURE;
		return;
	}
	pl->result = (enum dns_result)fuzz_pick(in, 6);
	pl->sec = pl->result == DNS_BOGUS ? DNSSEC_BOGUS :
	    (enum dnssec_status)fuzz_pick(in, 3);
	fake_resolver_add(name, type, pl->result, pl->sec, NULL);
	if (pl->result != DNS_OK)
		return;
	nrr = fuzz_pick(in, MAX_FWD_RR + 1);
	if (nrr == 0)
		pl->result = DNS_NODATA;	/* the fake's empty answer */
	for (i = 0; i < nrr; i++) {
		switch (fuzz_pick(in, 4)) {
		case 0:
			memcpy(rr, &w->ip.u, alen);
			len = alen;
			break;
		case 1:
			memset(rr, 0, sizeof rr);
			(void)fuzz_bytes(in, rr, alen);
			len = alen;
			break;
		case 2:
			len = fuzz_pick(in, 21);
			len = fuzz_bytes(in, rr, len);
			break;
		default:
			/* The right bytes in the other family's length. */
			memset(rr, 0, sizeof rr);
			memcpy(rr, &w->ip.u, alen);
			len = alen == 4 ? 16 : 4;
			break;
		}
		fake_resolver_add_raw(name, type, pl->sec, rr, len);
		if (len == alen && memcmp(rr, &w->ip.u, alen) == 0)
			pl->match = true;
	}
}

static bool
temporary(enum dns_result r)
{
	return r == DNS_SERVFAIL || r == DNS_TIMEOUT || r == DNS_BOGUS;
}

/* The model's forward outcome of a name. */
static void
fwd_outcome(const struct world *w, const struct plan *pl, bool pending,
    enum dns_result *res, bool *match)
{
	*match = false;
	if (pending) {
		*res = DNS_TIMEOUT;
		return;
	}
	if (w->mode & MODE_FAIL_FWD) {
		*res = DNS_SERVFAIL;
		return;
	}
	if (pl == NULL) {
		*res = DNS_NXDOMAIN;
		return;
	}
	*res = pl->result;
	*match = pl->match;
}

static void
check_verdicts(struct world *w, const struct check_result *r)
{
	enum check_res want_ptr, want_iprev, want_xptr, want_helo_fwd;
	size_t i, looked = 0, max_ptr = w->max_ptr ? w->max_ptr : 1;
	enum dns_result ptr_res = w->ptr_result, res;
	struct rdns_ip lit;
	int verified = -1;
	bool temp = false, match, pending, helo_host, want_timed_out = false;
	int lrc;

	if (r->resolver_error) {
		/* A lookup could not be started: only when submitting was
		 * made to fail, and then every check is temperror. */
		bool fwd = w->have_helo && helo_is_host(w->helo);

		/* A first HELO that was replaced had its lookup submitted
		 * too. */
		if ((w->mode & MODE_HELO_TWICE) && helo_is_host(w->helo1))
			fwd = true;
		for (i = 0; i < r->n_names; i++)
			fwd = fwd || r->names[i].looked_up;
		FUZZ_ASSERT((w->mode & MODE_FAIL_NEW) ||
		    ((w->mode & MODE_FAIL_FWD) && fwd));
		FUZZ_ASSERT(r->ptr == CHECK_TEMPERROR);
		FUZZ_ASSERT(r->iprev == CHECK_TEMPERROR);
		FUZZ_ASSERT(r->generic == GENERIC_TEMPERROR);
		FUZZ_ASSERT(r->xptr == (w->have_helo ? CHECK_TEMPERROR :
		    CHECK_NONE));
		FUZZ_ASSERT(strcmp(r->reason, "resolver error") == 0);
		FUZZ_ASSERT(check_result_verified_name(r) == NULL);
		return;
	}
	FUZZ_ASSERT(!(w->mode & MODE_FAIL_NEW));
	if (w->mode & MODE_FAIL_FWD) {
		/* Nothing was submitted after the PTR lookup. */
		FUZZ_ASSERT(!(w->have_helo && helo_is_host(w->helo)));
		FUZZ_ASSERT(!((w->mode & MODE_HELO_TWICE) &&
		    helo_is_host(w->helo1)));
		for (i = 0; i < r->n_names; i++)
			FUZZ_ASSERT(!r->names[i].looked_up);
	}
	if (ptr_res == DNS_OK && w->nrec == 0)
		ptr_res = DNS_NODATA;
	want_ptr = ptr_res == DNS_OK ? CHECK_PASS : ptr_res == DNS_NXDOMAIN ||
	    ptr_res == DNS_NODATA ? CHECK_FAIL : CHECK_TEMPERROR;
	FUZZ_ASSERT(r->ptr == want_ptr);
	FUZZ_ASSERT(r->ptr_dns == ptr_res);
	FUZZ_ASSERT(r->ptr_dnssec == w->ptr_sec);
	FUZZ_ASSERT(dname_ip_equal(&r->ip, &w->ip));

	if (want_ptr == CHECK_PASS) {
		FUZZ_ASSERT(r->n_names == w->nrec && r->names != NULL);
		FUZZ_ASSERT(!r->names_truncated);
		for (i = 0; i < w->nrec; i++) {
			const struct check_ptr_name *pn = &r->names[i];
			bool up;

			if (w->dec_ok[i]) {
				FUZZ_ASSERT(strcmp(pn->name.safe,
				    w->dec[i].safe) == 0);
				FUZZ_ASSERT(strcmp(pn->name.pres,
				    w->dec[i].pres) == 0);
				FUZZ_ASSERT(pn->name.hostname ==
				    w->dec[i].hostname);
			} else
				FUZZ_ASSERT(!pn->name.hostname);
			up = pn->name.hostname && looked < max_ptr;
			FUZZ_ASSERT(pn->looked_up == up);
			if (!up)
				continue;
			looked++;
			fwd_outcome(w, plan_find(w, pn->name.safe), false,
			    &res, &match);
			FUZZ_ASSERT(pn->fwd_result == res);
			FUZZ_ASSERT(pn->confirmed == match);
			if (match && verified == -1)
				verified = (int)i;
			if (!match && temporary(res))
				temp = true;
		}
	} else
		FUZZ_ASSERT(r->n_names == 0);

	if (want_ptr == CHECK_FAIL)
		want_iprev = CHECK_PERMERROR;
	else if (want_ptr == CHECK_TEMPERROR)
		want_iprev = CHECK_TEMPERROR;
	else if (verified >= 0)
		want_iprev = CHECK_PASS;
	else
		want_iprev = temp ? CHECK_TEMPERROR : CHECK_FAIL;
	FUZZ_ASSERT(r->iprev == want_iprev);
	FUZZ_ASSERT(r->verified == verified);
	switch (want_iprev) {
	case CHECK_PASS:
		FUZZ_ASSERT(r->reason[0] == '\0');
		FUZZ_ASSERT(strcmp(check_result_verified_name(r),
		    r->names[verified].name.safe) == 0);
		FUZZ_ASSERT(r->iprev_dnssec <= r->ptr_dnssec);
		FUZZ_ASSERT(r->iprev_dnssec <=
		    plan_find(w, r->names[verified].name.safe)->sec);
		break;
	case CHECK_PERMERROR:
		FUZZ_ASSERT(strcmp(r->reason, "no PTR record") == 0);
		break;
	case CHECK_FAIL:
		FUZZ_ASSERT(strncmp(r->reason, "PTR ", 4) == 0);
		FUZZ_ASSERT(strstr(r->reason, " does not resolve to ") !=
		    NULL);
		FUZZ_ASSERT(strstr(r->reason, r->ipstr) != NULL);
		break;
	default:
		FUZZ_ASSERT(strcmp(r->reason, "DNS timeout") == 0 ||
		    strcmp(r->reason, "SERVFAIL") == 0 ||
		    strcmp(r->reason, "DNSSEC bogus") == 0);
		break;
	}
	if (want_iprev != CHECK_PASS)
		FUZZ_ASSERT(check_result_verified_name(r) == NULL);
	FUZZ_ASSERT(r->iprev_dnssec <= r->ptr_dnssec);

	/* x-ptr and the HELO's own lookup. */
	want_helo_fwd = CHECK_NONE;
	helo_host = w->have_helo && helo_is_host(w->helo);
	lrc = w->have_helo ? dname_helo_literal(w->helo, &lit) : 0;
	if (!w->have_helo)
		want_xptr = CHECK_NONE;
	else if (lrc == 1)
		want_xptr = dname_ip_equal(&lit, &w->ip) ? CHECK_NEUTRAL :
		    CHECK_FAIL;
	else if (!helo_host)
		want_xptr = CHECK_FAIL;
	else {
		const struct plan *pl = plan_find(w, w->helo);

		want_xptr = CHECK_FAIL;
		if (want_iprev == CHECK_TEMPERROR)
			want_xptr = CHECK_TEMPERROR;
		else
			for (i = 0; i < r->n_names; i++)
				if (r->names[i].confirmed &&
				    r->names[i].looked_up &&
				    dname_equal(r->names[i].name.safe,
				    w->helo))
					want_xptr = CHECK_PASS;
		/* Sent after the answers, its lookup is still out unless it
		 * shares an earlier name's (and submitting did not fail). */
		pending = (w->mode & MODE_HELO_LATE) &&
		    !(w->mode & MODE_FAIL_FWD) && (pl == NULL || !pl->early);
		fwd_outcome(w, pl, pending, &res, &match);
		want_helo_fwd = match ? CHECK_PASS : temporary(res) ||
		    pending ? CHECK_TEMPERROR : CHECK_FAIL;
		want_timed_out = pending;
	}
	FUZZ_ASSERT(r->have_helo == w->have_helo);
	FUZZ_ASSERT(r->xptr == want_xptr);
	FUZZ_ASSERT(r->helo_fwd == want_helo_fwd);
	FUZZ_ASSERT(r->timed_out == want_timed_out);
	if (r->xptr == CHECK_PASS)
		FUZZ_ASSERT(r->helo_match >= 0 &&
		    dname_equal(r->names[r->helo_match].name.safe, w->helo));
	else
		FUZZ_ASSERT(r->helo_match == -1);
	FUZZ_ASSERT(strncmp(r->helo, w->helo, CHECK_VALUE_MAX) == 0);

	/* generic: judged on the verified name only. */
	if (want_iprev == CHECK_PASS)
		FUZZ_ASSERT(r->generic == (generic_judge(gp, gr,
		    r->names[verified].name.safe, &w->ip) ? GENERIC_YES :
		    GENERIC_NO));
	else
		FUZZ_ASSERT(r->generic == (want_iprev == CHECK_TEMPERROR ?
		    GENERIC_TEMPERROR : GENERIC_NO));
	/* AllowDomains and alignment only ever on a verified name. */
	FUZZ_ASSERT(!r->allowlisted || (want_iprev == CHECK_PASS &&
	    orgdomain_list_match(allow, 2, r->names[verified].name.safe)));
	FUZZ_ASSERT(!r->helo_aligned || (want_iprev == CHECK_PASS &&
	    r->helo_org[0] != '\0' &&
	    dname_valid_hostname(r->helo)));
	FUZZ_ASSERT(want_iprev == CHECK_PASS || r->org_domain[0] == '\0');
}

static void
run(struct fuzz_in *in, struct world *w)
{
	struct check_params params;
	struct check_session *s;
	struct check_result r;
	struct policy pol;
	struct policy_decision d;
	struct timespec dl;
	char rev[DNAME_REVERSE_MAX], buf[AUTHRES_MAX];
	size_t i;

	FUZZ_ASSERT(dname_reverse(&w->ip, rev, sizeof rev) == 0);
	fake_resolver_add(rev, DNS_TYPE_PTR, w->ptr_result, w->ptr_sec, NULL);
	for (i = 0; i < w->nrec; i++)
		fake_resolver_add_raw(rev, DNS_TYPE_PTR, w->ptr_sec,
		    w->rec[i], w->rec_len[i]);

	memset(&params, 0, sizeof params);
	params.max_ptr_names = w->max_ptr;
	params.generic = gp;
	params.roles = gr;
	params.allow = allow;
	params.n_allow = 2;
	params.ops = &fake_resolver_ops;
	check_deadline_in(&dl, 30);
	if (w->mode & MODE_FAIL_NEW)
		fake_resolver_fail_submit(1);
	s = check_session_new(&params, &w->ip, &dl);
	FUZZ_ASSERT(s != NULL);
	if (w->mode & MODE_FAIL_FWD)
		fake_resolver_fail_submit(1);
	if (w->mode & MODE_HELO_TWICE)
		check_session_helo(s, w->helo1);
	if (w->have_helo && !(w->mode & MODE_HELO_LATE))
		check_session_helo(s, w->helo);
	(void)fake_resolver_run();
	if (w->have_helo && (w->mode & MODE_HELO_LATE))
		check_session_helo(s, w->helo);
	if (fake_resolver_queued() == 0) {
		FUZZ_ASSERT(check_session_done(s));
		FUZZ_ASSERT(check_session_wait(s));
	}
	FUZZ_ASSERT(check_session_result(s, &r) == 0);
	check_verdicts(w, &r);

	/* What the milter makes of the result. */
	FUZZ_ASSERT(authres_format("mx.example.net", &r, buf, sizeof buf) ==
	    0);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "ptr=%s names=%zu iprev=%s x-ptr=%s "
		    "helo_fwd=%s generic=%d timed_out=%d\n%s\n",
		    check_res_str(r.ptr), r.n_names, check_res_str(r.iprev),
		    check_res_str(r.xptr), check_res_str(r.helo_fwd),
		    (int)r.generic, (int)r.timed_out, buf);
	fuzz_assert_authres(buf, &r, "mx.example.net", true);
	fuzz_policy(in, &pol);
	policy_decide(&r, &pol, &d);
	fuzz_assert_policy(&r, &pol, &d);

	check_result_clear(&r);
	check_session_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct fuzz_in in;
	size_t i, looked = 0;

	if (gp == NULL)
		gp = fuzz_generic_rules();
	if (gr == NULL && (gr = generic_roles_new_default()) == NULL)
		abort();
	fake_resolver_reset();
	fake_log_reset();
	memset(&w, 0, sizeof w);
	fuzz_in_init(&in, data, size);

	fuzz_ip(&in, &w.ip);
	w.mode = fuzz_u8(&in);
	if ((w.mode & 0x30) != 0x30)
		w.mode &= ~(unsigned)MODE_FAIL_NEW;	/* rarely */
	if ((w.mode & 0xc0) != 0xc0)
		w.mode &= ~(unsigned)MODE_FAIL_FWD;
	w.max_ptr = fuzz_pick(&in, 12);
	w.ptr_result = (enum dns_result)fuzz_pick(&in, 6);
	w.ptr_sec = w.ptr_result == DNS_BOGUS ? DNSSEC_BOGUS :
	    (enum dnssec_status)fuzz_pick(&in, 3);
	gen_records(&in, &w);
	gen_helo(&in, &w, w.helo, sizeof w.helo);
	if (w.mode & MODE_HELO_TWICE) {
		fuzz_str(&in, w.helo1, sizeof w.helo1);
		if (!w.have_helo) {
			/* The first HELO is the only one. */
			memcpy(w.helo, w.helo1, sizeof w.helo);
			w.have_helo = true;
			w.mode &= ~(unsigned)(MODE_HELO_TWICE | MODE_HELO_LATE);
		}
	}

	/* Forward answers: the PTR host names (those looked up get their
	 * slot in the run), then the HELOs. */
	for (i = 0; i < w.nrec; i++) {
		bool early;

		if (!w.dec_ok[i] || !w.dec[i].hostname)
			continue;
		early = w.ptr_result == DNS_OK &&
		    looked < (w.max_ptr ? w.max_ptr : 1);
		looked += early;
		plan_add(&in, &w, w.dec[i].safe, early);
	}
	if ((w.mode & MODE_HELO_TWICE) && helo_is_host(w.helo1))
		plan_add(&in, &w, w.helo1, true);
	if (w.have_helo && helo_is_host(w.helo))
		plan_add(&in, &w, w.helo, !(w.mode & MODE_HELO_LATE));

	run(&in, &w);
	fake_resolver_reset();
	return 0;
}
