/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_policy.c - the Policy grammar and lookup (SPEC 4, 3.2), and the
 * recipient exemptions (ExemptRecipients): the keys Policy and
 * ExemptRecipients, from their handlers to the lookups.
 *
 * DESCRIPTION
 *	A Policy line is "Policy DOMAIN key=value ...": DOMAIN is "*", a
 *	domain, or ".domain" for its subdomains; the keys are those of the
 *	check table (checks.h: the actions per check, reject, tempfail or
 *	accept; temperror, tempfail or accept; dnssec, require or optional)
 *	and dryrun (yes or no).  conf.c reads the lines and hands each value
 *	to key_policy() here, which keeps it in the struct config; this file
 *	parses one line's value and answers which line applies to a
 *	recipient domain: the exact domain, else the longest ".suffix", else
 *	"*", else the built-in default that accepts.  ExemptRecipients
 *	(key_exempt(), exempt_item()) and config_is_exempt() live here too.
 *
 * OWNERSHIP
 *	conf_policy_parse() fills the caller's struct policy and domain
 *	buffer; config_policy_for() points into the configuration (or at the
 *	static built-in policy).
 *
 * THREAD SAFETY
 *	Pure.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "conf.h"
#include "conf_int.h"
#include "dname.h"
#include "policy.h"
#include "strbuf.h"
#include "text.h"

/* What config_policy_for() returns when no Policy line matches; also the
 * defaults of a Policy line: every action accept, dnssec optional. */
static char		 builtin_policy_domain[] = "*";
_Static_assert(ACTION_ACCEPT == 0, "a policy's zero actions accept");
const struct policy conf_builtin_policy = {
	.domain = builtin_policy_domain,
	/* act[] all ACTION_ACCEPT, require[] all false */
	.dry_run = false,
	.line = 0,
};

/*
 * Domain of a Policy line: "*", or an optional leading '.' and a name of
 * LDH labels (RFC 1035 2.3.1, plus '_' as in service names), one trailing
 * dot allowed and stripped.  On success writes the lower-case form to
 * out[CONF_DOMAIN_MAX + 2].
 */
int
conf_policy_domain(const char *s, char *out, const char **why)
{
	size_t n = strlen(s), i, lab = 0;
	const char *name = s;

	if (strcmp(s, "*") == 0) {
		strcpy(out, "*");
		return 0;
	}
	if (s[0] == '*') {
		*why = "\"*\" stands alone; write \".example.com\" for all "
		    "subdomains of example.com";
		return -1;
	}
	if (name[0] == '.') {
		name++;
		n--;
	}
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0) {
		*why = "empty domain";
		return -1;
	}
	if (n > CONF_DOMAIN_MAX) {
		*why = "domain longer than 253 characters";
		return -1;
	}
	for (i = 0; i <= n; i++) {
		char c = i < n ? name[i] : '.';

		if (c == '.') {
			if (lab == 0) {
				*why = "empty label";
				return -1;
			}
			if (lab > CONF_LABEL_MAX) {
				*why = "label longer than 63 characters";
				return -1;
			}
			if (name[i - 1] == '-' || name[i - lab] == '-') {
				*why = "label starts or ends with '-'";
				return -1;
			}
			lab = 0;
			continue;
		}
		if (!text_is_ldh((unsigned char)c) && c != '_') {
			*why = "invalid character";
			return -1;
		}
		lab++;
	}
	i = 0;
	if (s[0] == '.')
		out[i++] = '.';
	memcpy(out + i, name, n);
	out[i + n] = '\0';
	str_lower(out);
	return 0;
}

/*
 * The keys of a Policy line: each check's (check_info[].policy_key), in
 * the order of check_shown[], then dryrun.  What each takes comes from
 * its enum check_pkey: an action's names are policy_action_str()'s.
 */
struct pvals {
	size_t		 n;
	int		 value[3];
	const char	*name[3];	/* NULL: policy_action_str(value) */
};

static const struct pvals pkey_vals[] = {
	[CHECK_PKEY_ACTION] = { 3,
	    { ACTION_REJECT, ACTION_TEMPFAIL, ACTION_ACCEPT }, { NULL } },
	[CHECK_PKEY_TEMPERROR] = { 2, { ACTION_TEMPFAIL, ACTION_ACCEPT },
	    { NULL } },
	[CHECK_PKEY_REQUIRE] = { 2, { 1, 0 }, { "require", "optional" } },
};
static const struct pvals dryrun_vals = { 2, { 1, 0 }, { "yes", "no" } };
static const char dryrun_key[] = "dryrun";

/* Keys: one per check with a Policy key, then dryrun. */
#define PKEY_MAX	(CHECK_N_SHOWN + 1)

struct pkey {
	const char		*name;
	const struct pvals	*vals;
	int			 id;		/* check id, -1 for dryrun */
};

/* The keys in their order.  @return how many. */
static size_t
policy_keys(struct pkey keys[PKEY_MAX])
{
	size_t k, n = 0;

	for (k = 0; k < CHECK_N_SHOWN; k++) {
		const struct check_info *ci = &check_info[check_shown[k]];

		if (ci->policy_key == NULL || ci->pkey == CHECK_PKEY_NONE)
			continue;
		keys[n].name = ci->policy_key;
		keys[n].vals = &pkey_vals[ci->pkey];
		keys[n].id = (int)check_shown[k];
		n++;
	}
	keys[n].name = dryrun_key;
	keys[n].vals = &dryrun_vals;
	keys[n].id = -1;
	return n + 1;
}

static const char *
pval_name(const struct pvals *v, size_t i)
{
	return v->name[i] != NULL ? v->name[i] :
	    policy_action_str((enum action)v->value[i]);
}

/* "a, b or c" into buf[len]. */
static const char *
one_of(char *buf, size_t len, size_t n, const char *(*name)(const void *,
    size_t), const void *arg)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, buf, len);
	for (i = 0; i < n; i++)
		strbuf_printf(&sb, "%s%s", i == 0 ? "" : i + 1 == n ?
		    " or " : ", ", name(arg, i));
	return buf;
}

static const char *
pval_name_cb(const void *arg, size_t i)
{
	return pval_name(arg, i);
}

static const char *
pkey_name_cb(const void *arg, size_t i)
{
	return ((const struct pkey *)arg)[i].name;
}

/* Store value v of key k. */
static void
pkey_set(struct policy *pol, const struct pkey *k, int v)
{
	if (k->id < 0)
		pol->dry_run = v != 0;
	else if (check_info[k->id].pkey == CHECK_PKEY_REQUIRE)
		pol->require[k->id] = v != 0;
	else
		pol->act[k->id] = (enum action)v;
}

/* The value of key k in pol. */
static int
pkey_get(const struct policy *pol, const struct pkey *k)
{
	if (k->id < 0)
		return pol->dry_run;
	if (check_info[k->id].pkey == CHECK_PKEY_REQUIRE)
		return pol->require[k->id];
	return (int)pol->act[k->id];
}

static int
policy_pair(conf_perr_fn *perr, void *p, struct policy *pol, const char *tok,
    bool seen[PKEY_MAX])
{
	const char *eq = strchr(tok, '='), *val;
	struct pkey keys[PKEY_MAX];
	const struct pvals *v;
	char key[16], want[128];
	size_t klen, k, i, nk = policy_keys(keys);

	if (eq == NULL) {
		perr(p, "Policy: '%s' is not key=value", Q(tok));
		return -1;
	}
	klen = (size_t)(eq - tok);
	val = eq + 1;
	for (k = 0; k < nk; k++)
		if (klen == strlen(keys[k].name) &&
		    str_nieq(tok, keys[k].name, klen))
			break;
	if (k == nk) {
		if (klen >= sizeof key)
			klen = sizeof key - 1;
		memcpy(key, tok, klen);
		key[klen] = '\0';
		perr(p, "Policy: unknown key '%s' (want %s)", Q(key),
		    one_of(want, sizeof want, nk, pkey_name_cb, keys));
		return -1;
	}
	if (seen[k]) {
		perr(p, "Policy: %s given twice", keys[k].name);
		return -1;
	}
	seen[k] = true;
	v = keys[k].vals;
	for (i = 0; i < v->n; i++)
		if (str_ieq(val, pval_name(v, i)))
			break;
	if (i == v->n) {
		perr(p, "Policy: bad value '%s' for %s (want %s)", Q(val),
		    keys[k].name, one_of(want, sizeof want, v->n,
		    pval_name_cb, v));
		return -1;
	}
	pkey_set(pol, &keys[k], v->value[i]);
	return 0;
}

void
conf_policy_print(const struct policy *pol, FILE *fp)
{
	struct pkey keys[PKEY_MAX];
	size_t k, i, nk = policy_keys(keys);

	fputs(pol->domain, fp);
	for (k = 0; k < nk; k++) {
		const struct pvals *v = keys[k].vals;
		int val = pkey_get(pol, &keys[k]);

		/* A value outside the key's set (never parsed) prints as the
		 * last one, the default. */
		for (i = 0; i + 1 < v->n && v->value[i] != val; i++)
			;
		fprintf(fp, " %s=%s", keys[k].name, pval_name(v, i));
	}
	fputc('\n', fp);
}

int
conf_policy_parse(const char *value, struct policy *pol,
    char domain[CONF_DOMAIN_MAX + 2], conf_perr_fn *perr, void *p)
{
	char *copy, *tok, *save = NULL;
	const char *why = "";
	bool seen[PKEY_MAX] = { false };
	int rc = 0;

	*pol = conf_builtin_policy;
	if ((copy = strdup(value)) == NULL) {
		perr(p, "out of memory");
		return -2;
	}
	tok = strtok_r(copy, " \t", &save);
	/* The value is never empty, so there is a first token. */
	if (tok == NULL || conf_policy_domain(tok, domain, &why) == -1) {
		perr(p, "Policy: bad domain '%s' (%s)",
		    Q(tok != NULL ? tok : ""), why);
		free(copy);
		return -2;
	}
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL)
		if (policy_pair(perr, p, pol, tok, seen) == -1)
			rc = -1;
	free(copy);
	return rc;
}

/*
 * Queries.
 */

const struct policy *
config_policy_for(const struct config *cf, const char *domain)
{
	const struct policy *best = &conf_builtin_policy;
	size_t n = strlen(domain), i;
	int rank, best_rank = -1;

	if (n > 0 && domain[n - 1] == '.')
		n--;
	/* The most specific line that matches (dname_pattern_rank()); no
	 * two lines have one domain, so there are no ties. */
	for (i = 0; i < cf->n_policies; i++) {
		const struct policy *pol = &cf->policies[i];

		if (!dname_pattern_match(pol->domain, domain, n))
			continue;
		if ((rank = dname_pattern_rank(pol->domain)) > best_rank) {
			best = pol;
			best_rank = rank;
		}
	}
	return best;
}

bool
config_is_exempt(const struct config *cf, const char *localpart)
{
	size_t i;

	for (i = 0; i < cf->n_exempt; i++)
		if (str_ieq(cf->exempt[i], localpart))
			return true;
	return false;
}

/*
 * The handlers of the key table (conf.c) for the keys of this file.
 */

/* conf_perr() for conf_policy.c, which does not know struct parse. */
static void perr_any(void *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
perr_any(void *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	conf_perr(p, "%s", msg);
}

int
key_policy(struct parse *p, const char *v)
{
	struct config *cf = p->cf;
	struct policy pol, *nv;
	char domain[CONF_DOMAIN_MAX + 2];
	int rc;
	size_t i;

	if ((rc = conf_policy_parse(v, &pol, domain, perr_any, p)) == -2)
		return -1;
	for (i = 0; i < cf->n_policies; i++) {
		if (strcmp(cf->policies[i].domain, domain) == 0) {
			conf_perr(p, "Policy for %s given twice (first at line %d)",
			    domain, cf->policies[i].line);
			return -1;
		}
	}
	if (rc == -1)
		return -1;
	if ((pol.domain = conf_dup(p, domain)) == NULL)
		return -1;
	pol.line = p->line;
	if ((nv = reallocarray(cf->policies, cf->n_policies + 1,
	    sizeof *nv)) == NULL) {
		free(pol.domain);
		conf_perr(p, "out of memory");
		return -1;
	}
	nv[cf->n_policies++] = pol;
	cf->policies = nv;
	return 0;
}

int
exempt_item(struct parse *p, const char *item, void *arg)
{
	struct config *cf = p->cf;
	const unsigned char *c;
	size_t n = cf->n_exempt;

	(void)arg;
	for (c = (const unsigned char *)item; *c != '\0'; c++) {
		if (!text_is_graph(*c) || *c == '@' || *c == '"')
			break;
	}
	if (*c != '\0') {
		conf_perr(p, "ExemptRecipients: bad local part '%s' (want local "
		    "parts such as postmaster, without @domain)", Q(item));
		return -1;
	}
	/* "none" alone means no exemption: in a list it would be read
	 * back (-n -v) as that. */
	if (str_ieq(item, "none")) {
		conf_perr(p, "ExemptRecipients: none stands alone");
		return -1;
	}
	if (conf_strv_add(p, &cf->exempt, &cf->n_exempt, item) == -1)
		return -1;
	str_lower(cf->exempt[n]);
	return 0;
}

int
key_exempt(struct parse *p, const char *v)
{
	conf_strv_free(p->cf->exempt, p->cf->n_exempt);
	p->cf->exempt = NULL;
	p->cf->n_exempt = 0;
	if (str_ieq(v, "none"))
		return 0;
	return conf_split_list(p, "ExemptRecipients", v, exempt_item, NULL);
}
