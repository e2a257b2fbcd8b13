/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generic.c - does a forward-confirmed name look generic/dynamic?  The
 * verdict (SPEC 2 "generic", the contract in generic.h): mail-role words
 * first (they veto everything), then the embedded address
 * (generic_addr.c), then the rules (generic_rules.c).  The first
 * evidence found is the one reported.
 *
 * The host part of a name is every label left of its organizational
 * domain (orgdomain.c, the Public Suffix List, never "the last two
 * labels"); a name with no organizational domain (a public suffix, or
 * no host name at all) is never generic.
 */
#include "autoconf.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generic_int.h"
#include "orgdomain.h"
#include "strbuf.h"
#include "text.h"

int
generic_name_prepare(const char *name, struct generic_name *gn)
{
	int off;

	gn->s[0] = '\0';
	gn->len = gn->org = gn->hlen = 0;
	if (name == NULL || (gn->len = dname_lower(name, gn->s)) == 0)
		return -1;
	if ((off = orgdomain_offset(gn->s)) < 0)
		return -1;
	gn->org = (size_t)off;
	/* "host.org.tld": the organizational domain starts after "host.";
	 * off 0: the name is its own organizational domain. */
	gn->hlen = off >= 2 && gn->s[off - 1] == '.' ? (size_t)off - 1 : 0;
	return 0;
}

/*
 * Mail-role words (SPEC 2): a host part with a label holding one of them
 * as a whole word is a mail server's, never generic.  Words are the
 * maximal runs of letters and the maximal runs of digits of a label, so
 * "mail-oln040092253093" holds "mail", "oln" and "040092253093", and
 * "mxout" is one word (not "mx").
 */
struct generic_roles {
	char	**w;		/* lower case, letters only */
	size_t	  n;
};

void
generic_roles_free(struct generic_roles *gr)
{
	size_t i;

	if (gr == NULL)
		return;
	for (i = 0; i < gr->n; i++)
		free(gr->w[i]);
	free(gr->w);
	free(gr);
}

struct generic_roles *
generic_roles_new(const char *list, char *err, size_t errlen)
{
	struct generic_roles *gr;
	const char *p = list, *start;
	char dummy[1];
	size_t len, i;
	char **nw;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (list == NULL) {
		(void)snprintf(err, errlen, "no word list given");
		return NULL;
	}
	if ((gr = calloc(1, sizeof *gr)) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strcasecmp(list, "none") == 0)
		return gr;
	for (;;) {
		while (text_is_blank((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (start = p; *p != '\0' && !text_is_blank((unsigned char)*p) &&
		    *p != ','; p++)
			;
		len = (size_t)(p - start);
		for (i = 0; i < len; i++)
			if (!text_is_alpha((unsigned char)start[i]))
				break;
		if (i < len || len > GENERIC_WORD_MAX) {
			(void)snprintf(err, errlen, "bad word '%.*s' (want "
			    "letters only, at most %d, or none)",
			    len > 64 ? 64 : (int)len, start, GENERIC_WORD_MAX);
			goto fail;
		}
		if (len == 4 && strncasecmp(start, "none", 4) == 0) {
			(void)snprintf(err, errlen, "none stands alone");
			goto fail;
		}
		if ((nw = realloc(gr->w, (gr->n + 1) * sizeof *nw)) == NULL ||
		    (gr->w = nw, (nw[gr->n] = malloc(len + 1)) == NULL)) {
			(void)snprintf(err, errlen, "out of memory");
			goto fail;
		}
		for (i = 0; i < len; i++)
			nw[gr->n][i] = ascii_lower(start[i]);
		nw[gr->n++][len] = '\0';
	}
	if (gr->n == 0) {
		(void)snprintf(err, errlen, "empty list (write none to "
		    "turn the rule off)");
		goto fail;
	}
	return gr;
fail:
	generic_roles_free(gr);
	return NULL;
}

struct generic_roles *
generic_roles_new_default(void)
{
	return generic_roles_new(GENERIC_ROLES_DEFAULT, NULL, 0);
}

size_t
generic_roles_count(const struct generic_roles *gr)
{
	return gr != NULL ? gr->n : 0;
}

/* Is word[len] (lower case) one of the role words? */
static bool
role_word(const struct generic_roles *gr, const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < gr->n; i++)
		if (strlen(gr->w[i]) == len && memcmp(gr->w[i], word, len) == 0)
			return true;
	return false;
}

/* Does the host part of gn hold a role word? */
static bool
mail_role(const struct generic_roles *gr, const struct generic_name *gn)
{
	const char *buf = gn->s;
	size_t hlen = gn->hlen, i, start;

	if (gr == NULL || gr->n == 0 || hlen == 0)
		return false;
	/* Runs of letters are the only candidates (role words are letters
	 * only); '.', '-', '_', digits and every other byte end a run. */
	for (i = 0; i <= hlen; i++) {
		if (i < hlen && text_is_alpha((unsigned char)buf[i]))
			continue;
		for (start = i; start > 0 && text_is_alpha((unsigned char)
		    buf[start - 1]); start--)
			;
		if (start < i && role_word(gr, buf + start, i - start))
			return true;
	}
	return false;
}

bool
generic_mail_role(const struct generic_roles *gr, const char *name)
{
	struct generic_name gn;

	return generic_name_prepare(name, &gn) == 0 && mail_role(gr, &gn);
}

bool
generic_assess(const struct generic_patterns *gp,
    const struct generic_roles *gr, const char *name,
    const struct rdns_ip *ip, struct generic_verdict *v)
{
	struct generic_name gn;

	memset(v, 0, sizeof *v);
	if (generic_name_prepare(name, &gn) == -1)
		return false;
	if (mail_role(gr, &gn))
		return false;
	if (generic_addr_embedded(&gn, ip, v))
		return true;
	if (generic_rules_match(gp, &gn, v))
		return true;
	memset(v, 0, sizeof *v);
	return false;
}

bool
generic_match(const struct generic_patterns *gp, const char *name,
    const struct rdns_ip *ip)
{
	struct generic_verdict v;

	return generic_assess(gp, NULL, name, ip, &v);
}

bool
generic_judge(const struct generic_patterns *gp,
    const struct generic_roles *gr, const char *name,
    const struct rdns_ip *ip)
{
	struct generic_verdict v;

	return generic_assess(gp, gr, name, ip, &v);
}

bool
generic_embeds_ip(const char *name, const struct rdns_ip *ip)
{
	struct generic_verdict v;

	return generic_assess(NULL, NULL, name, ip, &v);
}
