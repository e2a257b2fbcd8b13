/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_policy.c - the Policy grammar and lookup (SPEC 4, 3.2).
 *
 * DESCRIPTION
 *	A Policy line is "Policy DOMAIN key=value ...": DOMAIN is "*", a
 *	domain, or ".domain" for its subdomains; the keys are the actions per
 *	check (ptr, iprev, helo, generic: reject, tempfail or accept),
 *	temperror (tempfail or accept), dnssec (require or optional) and
 *	dryrun (yes or no).  conf.c reads the lines and keeps them in the
 *	struct config; this file parses one line's value and answers which
 *	line applies to a recipient domain: the exact domain, else the
 *	longest ".suffix", else "*", else the built-in default that accepts.
 *
 * THREAD SAFETY
 *	Pure.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "dname.h"
#include "strbuf.h"

/* What config_policy_for() returns when no Policy line matches; also the
 * defaults of a Policy line: every action accept, dnssec optional. */
static char		 builtin_policy_domain[] = "*";
const struct policy conf_builtin_policy = {
	.domain = builtin_policy_domain,
	.ptr = ACTION_ACCEPT,
	.iprev = ACTION_ACCEPT,
	.helo = ACTION_ACCEPT,
	.generic = ACTION_ACCEPT,
	.temperror = ACTION_ACCEPT,
	.dnssec_require = false,
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
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')) {
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

/* Policy key=value pairs: each key, its field and its allowed values. */
struct pval {
	const char	*name;
	int		 value;
};

static const struct pval action_vals[] = {
	{ "reject", ACTION_REJECT }, { "tempfail", ACTION_TEMPFAIL },
	{ "accept", ACTION_ACCEPT }, { NULL, 0 },
};
static const struct pval temperror_vals[] = {
	{ "tempfail", ACTION_TEMPFAIL }, { "accept", ACTION_ACCEPT },
	{ NULL, 0 },
};
static const struct pval dnssec_vals[] = {
	{ "require", 1 }, { "optional", 0 }, { NULL, 0 },
};
static const struct pval yesno_vals[] = {
	{ "yes", 1 }, { "no", 0 }, { NULL, 0 },
};

#define PKEY_N	7
static const struct {
	const char		*name;
	const struct pval	*vals;
	const char		*want;
	size_t			 off;	/* enum action field; or dnssec */
} pkeys[PKEY_N] = {
	{ "ptr", action_vals, "reject, tempfail or accept",
	    offsetof(struct policy, ptr) },
	{ "iprev", action_vals, "reject, tempfail or accept",
	    offsetof(struct policy, iprev) },
	{ "helo", action_vals, "reject, tempfail or accept",
	    offsetof(struct policy, helo) },
	{ "generic", action_vals, "reject, tempfail or accept",
	    offsetof(struct policy, generic) },
	{ "dnssec", dnssec_vals, "require or optional",
	    offsetof(struct policy, dnssec_require) },
	{ "temperror", temperror_vals, "tempfail or accept",
	    offsetof(struct policy, temperror) },
	{ "dryrun", yesno_vals, "yes or no",
	    offsetof(struct policy, dry_run) },
};

static int
policy_pair(conf_perr_fn *perr, void *p, struct policy *pol, const char *tok,
    bool seen[PKEY_N])
{
	const char *eq = strchr(tok, '='), *val;
	const struct pval *v;
	char key[16];
	size_t klen, k;

	if (eq == NULL) {
		perr(p, "Policy: '%s' is not key=value", Q(tok));
		return -1;
	}
	klen = (size_t)(eq - tok);
	val = eq + 1;
	for (k = 0; k < PKEY_N; k++)
		if (klen == strlen(pkeys[k].name) &&
		    str_nieq(tok, pkeys[k].name, klen))
			break;
	if (k == PKEY_N) {
		if (klen >= sizeof key)
			klen = sizeof key - 1;
		memcpy(key, tok, klen);
		key[klen] = '\0';
		perr(p, "Policy: unknown key '%s' (want ptr, iprev, helo, "
		    "generic, dnssec, temperror or dryrun)", Q(key));
		return -1;
	}
	if (seen[k]) {
		perr(p, "Policy: %s given twice", pkeys[k].name);
		return -1;
	}
	seen[k] = true;
	for (v = pkeys[k].vals; v->name != NULL; v++)
		if (str_ieq(val, v->name))
			break;
	if (v->name == NULL) {
		perr(p, "Policy: bad value '%s' for %s (want %s)", Q(val),
		    pkeys[k].name, pkeys[k].want);
		return -1;
	}
	if (pkeys[k].off == offsetof(struct policy, dnssec_require))
		pol->dnssec_require = v->value != 0;
	else if (pkeys[k].off == offsetof(struct policy, dry_run))
		pol->dry_run = v->value != 0;
	else
		*(enum action *)(void *)((char *)pol + pkeys[k].off) =
		    (enum action)v->value;
	return 0;
}


int
conf_policy_parse(const char *value, struct policy *pol,
    char domain[CONF_DOMAIN_MAX + 2], conf_perr_fn *perr, void *p)
{
	char *copy, *tok, *save = NULL;
	const char *why = "";
	bool seen[PKEY_N] = { false };
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
