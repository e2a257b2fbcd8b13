/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checks_table.c - the check table (checks.h): the one place a check is
 * named, its result labels written, its policy verdict and its reply text
 * (SPEC 3.2) defined.
 *
 * Every other module reads a check's names and labels from here; a new
 * check is a row of check_info[] (its place in check_shown[] and, when
 * logged, check_logged[]), its enum check_id, its result in struct
 * check_result and the code that computes it (doc/HACKING.md "Add a
 * check").  test_checks_table proves that every row goes through each
 * consumer and back.
 */
#include "autoconf.h"

#include <stddef.h>
#include <string.h>

#include "checks.h"
#include "resolver.h"
#include "strbuf.h"
#include "text.h"

/*
 * The vocabularies: the label of each result value.
 */

/* RFC 8601 2.7.3 results (x-ptr has the same, SPEC 3.1). */
static const char *const res_labels[] = {
	[CHECK_NONE] = "none",
	[CHECK_PASS] = "pass",
	[CHECK_FAIL] = "fail",
	[CHECK_NEUTRAL] = "neutral",
	[CHECK_TEMPERROR] = "temperror",
	[CHECK_PERMERROR] = "permerror",
};
#define N_RES	(sizeof res_labels / sizeof res_labels[0])

static const char *const generic_labels[] = {
	[GENERIC_NO] = "no",
	[GENERIC_YES] = "yes",
	[GENERIC_TEMPERROR] = "temperror",
};
#define N_GENERIC	(sizeof generic_labels / sizeof generic_labels[0])

/* dnssec_status_str() (resolver.c) names DNSSEC_BOGUS .. DNSSEC_SECURE. */
#define N_DNSSEC	((size_t)DNSSEC_SECURE + 1)

const char *
check_res_str(enum check_res r)
{
	if ((unsigned)r >= N_RES)
		return res_labels[CHECK_TEMPERROR];
	return res_labels[r];
}

int
check_res_parse(const char *s, size_t n)
{
	size_t v;

	for (v = 0; v < N_RES; v++)
		if (strlen(res_labels[v]) == n && memcmp(res_labels[v], s,
		    n) == 0)
			return (int)v;
	return -1;
}

const char *
generic_res_str(enum generic_res g)
{
	if ((unsigned)g >= N_GENERIC)
		return generic_labels[GENERIC_TEMPERROR];
	return generic_labels[g];
}

/* Size of a vocabulary. */
static size_t
vocab_size(enum check_vocab v)
{
	switch (v) {
	case CHECK_VOCAB_RES:
		return N_RES;
	case CHECK_VOCAB_GENERIC:
		return N_GENERIC;
	case CHECK_VOCAB_DNSSEC:
		return N_DNSSEC;
	case CHECK_VOCAB_NONE:
		break;
	}
	return 0;
}

/*
 * Reply texts (SPEC 3.2): printable ASCII only except '%' (which
 * smfi_setreply(3) treats as an escape), each other byte '?', each
 * inserted value capped at CHECK_VALUE_MAX (255) bytes.
 */

/* Append untrusted text as a reply carries it (TEXT_REPLY), at most cap
 * bytes and never more than the size of the array it comes from. */
static void
put_sane_max(struct strbuf *sb, const char *s, size_t size, size_t cap)
{
	(void)strbuf_put_safe(sb, TEXT_REPLY, s, size < cap ? size : cap);
}

static void
put_sane(struct strbuf *sb, const char *s, size_t size)
{
	put_sane_max(sb, s, size, CHECK_VALUE_MAX);
}

static void
reply_ptr(struct strbuf *sb, const struct check_result *r)
{
	(void)r;
	strbuf_puts(sb, "The IP address sending this message does not have "
	    "a PTR record");
}

static void
reply_iprev(struct strbuf *sb, const struct check_result *r)
{
	const char *first;

	if (r->iprev == CHECK_PERMERROR) {
		reply_ptr(sb, r);
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
reply_generic(struct strbuf *sb, const struct check_result *r)
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
reply_helo(struct strbuf *sb, const struct check_result *r)
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
reply_dnssec(struct strbuf *sb, const struct check_result *r)
{
	strbuf_puts(sb, "Reverse DNS for ");
	put_sane(sb, r->ipstr, sizeof(r->ipstr));
	strbuf_puts(sb, " is not DNSSEC-secure");
}

static void
reply_temperror(struct strbuf *sb, const struct check_result *r)
{
	strbuf_puts(sb, "Temporary failure looking up reverse DNS for ");
	put_sane(sb, r->ipstr, sizeof(r->ipstr));
}

/*
 * Policy verdicts beyond the class of a result (SPEC 3.2, 4).
 */

static enum check_class
verdict_generic(const struct check_result *r)
{
	if (r->allowlisted)
		return CHECK_CLASS_OK;		/* AllowDomains (SPEC 4) */
	return check_class_of(CHECK_ID_GENERIC, (int)r->generic);
}

/*
 * The helo policy acts only when the HELO neither matches a verified name
 * (x-ptr=fail) nor forward-confirms nor is aligned (SPEC 2, 4), and never
 * on an AllowDomains client.  A HELO that resolves to the client IP or is
 * aligned can never fail, so neither x-ptr=temperror nor anything else
 * matters then.
 */
static enum check_class
verdict_helo(const struct check_result *r)
{
	if (r->helo_fwd == CHECK_PASS || r->helo_aligned || r->allowlisted)
		return CHECK_CLASS_OK;
	if (r->xptr == CHECK_FAIL)
		return r->helo_fwd == CHECK_TEMPERROR ? CHECK_CLASS_TEMP :
		    CHECK_CLASS_FAIL;
	if (r->xptr == CHECK_TEMPERROR)
		return CHECK_CLASS_TEMP;
	return CHECK_CLASS_OK;
}

/* dnssec=require: an iprev pass whose answers were not all secure.  The
 * Policy key decides whether it applies at all (CHECK_PKEY_REQUIRE). */
static enum check_class
verdict_dnssec(const struct check_result *r)
{
	if (r->iprev == CHECK_PASS && r->iprev_dnssec != DNSSEC_SECURE)
		return CHECK_CLASS_FAIL;
	return CHECK_CLASS_OK;
}

/*
 * Where each check's result lives in a struct check_result.
 */

static int
get_ptr(const struct check_result *r)
{
	return (int)r->ptr;
}

static void
set_ptr(struct check_result *r, int v)
{
	r->ptr = (enum check_res)v;
}

static int
get_iprev(const struct check_result *r)
{
	return (int)r->iprev;
}

static void
set_iprev(struct check_result *r, int v)
{
	r->iprev = (enum check_res)v;
}

static int
get_generic(const struct check_result *r)
{
	return (int)r->generic;
}

static void
set_generic(struct check_result *r, int v)
{
	r->generic = (enum generic_res)v;
}

static int
get_xptr(const struct check_result *r)
{
	return (int)r->xptr;
}

static void
set_xptr(struct check_result *r, int v)
{
	r->xptr = (enum check_res)v;
}

static int
get_dnssec(const struct check_result *r)
{
	return (int)r->iprev_dnssec;
}

static void
set_dnssec(struct check_result *r, int v)
{
	r->iprev_dnssec = (enum dnssec_status)v;
}

#define OK(v)	{ (v), CHECK_CLASS_OK }
#define FAIL(v)	{ (v), CHECK_CLASS_FAIL }
#define TEMP(v)	{ (v), CHECK_CLASS_TEMP }

/*
 * The table.  Rows in the order of enum check_id: the order the policy
 * tries the checks in (SPEC 3.2).
 */
const struct check_info check_info[CHECK_ID_N] = {
	[CHECK_ID_NONE] = {
		.name = "none",
	},
	[CHECK_ID_PTR] = {
		.name = "ptr",
		.policy_key = "ptr",
		.pkey = CHECK_PKEY_ACTION,
		.reply = reply_ptr,
		.vocab = CHECK_VOCAB_RES,
		.get = get_ptr,
		.set = set_ptr,
		.n_results = 3,
		.results = { OK(CHECK_PASS), FAIL(CHECK_FAIL),
		    TEMP(CHECK_TEMPERROR) },
		.log_key = "ptr",
		.metric = "ptr",
		.category = "no-ptr",
	},
	[CHECK_ID_IPREV] = {
		.name = "iprev",
		.policy_key = "iprev",
		.pkey = CHECK_PKEY_ACTION,
		.reply = reply_iprev,
		.vocab = CHECK_VOCAB_RES,
		.get = get_iprev,
		.set = set_iprev,
		.n_results = 4,
		.results = { OK(CHECK_PASS), FAIL(CHECK_FAIL),
		    FAIL(CHECK_PERMERROR), TEMP(CHECK_TEMPERROR) },
		.log_key = "iprev",
		.metric = "iprev",
		.header_kind = CHECK_HDR_METHOD,
		.header = "iprev",
		.category = "not-confirmed",
	},
	[CHECK_ID_GENERIC] = {
		.name = "generic",
		.policy_key = "generic",
		.pkey = CHECK_PKEY_ACTION,
		.verdict = verdict_generic,
		.reply = reply_generic,
		.vocab = CHECK_VOCAB_GENERIC,
		.get = get_generic,
		.set = set_generic,
		.n_results = 3,
		.results = { FAIL(GENERIC_YES), OK(GENERIC_NO),
		    TEMP(GENERIC_TEMPERROR) },
		.log_key = "generic",
		.metric = "generic",
		.header_kind = CHECK_HDR_COMMENT,
		.header = "generic",
		.category = "generic",
	},
	[CHECK_ID_HELO] = {
		.name = "helo",
		.policy_key = "helo",
		.pkey = CHECK_PKEY_ACTION,
		.verdict = verdict_helo,
		.reply = reply_helo,
		.vocab = CHECK_VOCAB_RES,
		.get = get_xptr,
		.set = set_xptr,
		.n_results = 5,
		.results = { OK(CHECK_PASS), FAIL(CHECK_FAIL),
		    OK(CHECK_NEUTRAL), OK(CHECK_NONE), TEMP(CHECK_TEMPERROR) },
		.log_key = "x-ptr",
		.metric = "x_ptr",
		.header_kind = CHECK_HDR_METHOD,
		.header = "x-ptr",
		.category = "helo-mismatch",
	},
	[CHECK_ID_DNSSEC] = {
		.name = "dnssec",
		.policy_key = "dnssec",
		.pkey = CHECK_PKEY_REQUIRE,
		.acted_by = CHECK_ID_IPREV,
		.verdict = verdict_dnssec,
		.reply = reply_dnssec,
		.vocab = CHECK_VOCAB_DNSSEC,
		.get = get_dnssec,
		.set = set_dnssec,
		.n_results = 3,
		.results = { OK(DNSSEC_SECURE), OK(DNSSEC_INSECURE),
		    OK(DNSSEC_BOGUS) },
		.log_key = "dnssec",
		.header_kind = CHECK_HDR_COMMENT,
		.header = "dnssec",
	},
	[CHECK_ID_TEMPERROR] = {
		.name = "temperror",
		.policy_key = "temperror",
		.pkey = CHECK_PKEY_TEMPERROR,
		.reply = reply_temperror,
	},
};

const enum check_id check_shown[CHECK_N_SHOWN] = {
	CHECK_ID_PTR, CHECK_ID_IPREV, CHECK_ID_HELO, CHECK_ID_GENERIC,
	CHECK_ID_DNSSEC, CHECK_ID_TEMPERROR,
};

const enum check_id check_logged[CHECK_N_LOGGED] = {
	CHECK_ID_PTR, CHECK_ID_IPREV, CHECK_ID_DNSSEC, CHECK_ID_HELO,
	CHECK_ID_GENERIC,
};

/*
 * Queries.
 */

const char *
check_name(enum check_id id)
{
	if ((unsigned)id >= CHECK_ID_N)
		return "unknown";
	return check_info[id].name;
}

int
check_by_name(const char *s, size_t n)
{
	int id;

	for (id = 0; id < CHECK_ID_N; id++)
		if (strlen(check_info[id].name) == n &&
		    memcmp(check_info[id].name, s, n) == 0)
			return id;
	return -1;
}

const char *
check_label(enum check_id id, int value)
{
	if ((unsigned)id >= CHECK_ID_N)
		return NULL;
	switch (check_info[id].vocab) {
	case CHECK_VOCAB_RES:
		return check_res_str((enum check_res)value);
	case CHECK_VOCAB_GENERIC:
		return generic_res_str((enum generic_res)value);
	case CHECK_VOCAB_DNSSEC:
		return dnssec_status_str((enum dnssec_status)value);
	case CHECK_VOCAB_NONE:
		break;
	}
	return NULL;
}

int
check_parse(enum check_id id, const char *s, size_t n)
{
	size_t v, size;

	if ((unsigned)id >= CHECK_ID_N)
		return -1;
	size = vocab_size(check_info[id].vocab);
	for (v = 0; v < size; v++) {
		const char *l = check_label(id, (int)v);

		if (strlen(l) == n && memcmp(l, s, n) == 0)
			return (int)v;
	}
	return -1;
}

int
check_result_index(enum check_id id, int value)
{
	size_t i;

	if ((unsigned)id >= CHECK_ID_N)
		return -1;
	for (i = 0; i < check_info[id].n_results; i++)
		if (check_info[id].results[i].value == value)
			return (int)i;
	return -1;
}

enum check_class
check_class_of(enum check_id id, int value)
{
	int i = check_result_index(id, value);

	return i < 0 ? CHECK_CLASS_OK : check_info[id].results[i].cls;
}

enum check_class
check_verdict(enum check_id id, const struct check_result *r)
{
	const struct check_info *ci;

	if ((unsigned)id >= CHECK_ID_N)
		return CHECK_CLASS_OK;
	ci = &check_info[id];
	if (ci->verdict != NULL)
		return ci->verdict(r);
	if (ci->get == NULL)
		return CHECK_CLASS_OK;
	return check_class_of(id, ci->get(r));
}
