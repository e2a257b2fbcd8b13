/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_generic.c - the configuration of the generic-name verdict and of
 * the allowlist (SPEC 4): the handlers of GenericRules, GenericPatterns,
 * GenericDisable, MailRoleWords and AllowDomains, and the rule set they
 * describe, loaded once every line is read (conf_generic_load(): the
 * keys may come in any order).  The rules themselves are generic.c's.
 *
 * Each handler stores into the struct config being built, or reports
 * "FILE:LINE: message" through conf_perr() (conf_parse.c) and returns -1.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "generic.h"
#include "text.h"

const char *
config_generic_rules_default(void)
{
	const char *env = getenv("RDNS_MILTER_GENERIC_RULES");

	return env != NULL && env[0] != '\0' ? env : GENERIC_RULES_FILE;
}

/* Report a rules loader's message: as it is (raw: it names the rules
 * file and its line), or for the configuration line where key was
 * given. */
static void
rules_perr(struct parse *p, int line, const char *key, const char *err,
    bool raw)
{
	char safe[1024];

	text_sanitize(TEXT_PRINT, safe, sizeof safe, err, strlen(err));
	if (raw) {
		conf_perr_raw(p, safe);
		return;
	}
	p->line = line;
	conf_perr(p, "%s: %s", key, safe);
	p->line = 0;
}

/*
 * The generic rule set (SPEC 4): the shipped rules file, or the one of
 * "GenericRules FILE", or the list of "GenericPatterns FILE" (legacy:
 * label patterns); "GenericRules +FILE" adds to the shipped file; then
 * GenericDisable.  The address test is in the code and always applies.
 */
int
conf_generic_load(struct parse *p)
{
	struct config *cf = p->cf;
	struct generic_patterns *gp;
	char err[1024];
	size_t i;

	err[0] = '\0';
	if (cf->generic_patterns_file != NULL) {
		if ((gp = generic_patterns_load(cf->generic_patterns_file, err,
		    sizeof err)) == NULL) {
			rules_perr(p, 0, NULL, err, true);
			return -1;
		}
	} else if ((gp = generic_rules_new()) == NULL) {
		conf_perr(p, "out of memory");
		return -1;
	} else if (generic_rules_add_file(gp, cf->generic_rules_file != NULL &&
	    !cf->generic_rules_add ? cf->generic_rules_file :
	    config_generic_rules_default(), err, sizeof err) == -1 ||
	    (cf->generic_rules_add && generic_rules_add_file(gp,
	    cf->generic_rules_file, err, sizeof err) == -1)) {
		rules_perr(p, 0, NULL, err, true);
		generic_patterns_free(gp);
		return -1;
	}
	for (i = 0; i < cf->n_generic_disable; i++)
		if (generic_rules_disable(gp, cf->generic_disable[i], err,
		    sizeof err) == -1) {
			rules_perr(p, p->generic_disable_line, "GenericDisable",
			    err, false);
			generic_patterns_free(gp);
			return -1;
		}
	if (generic_rules_compile(gp, err, sizeof err) == -1) {
		rules_perr(p, 0, NULL, err, true);
		generic_patterns_free(gp);
		return -1;
	}
	cf->generic = gp;
	return 0;
}

/*
 * Key handlers.
 */

int
key_generic_patterns(struct parse *p, const char *v)
{
	if (p->generic_rules_line > 0) {
		conf_perr(p, "GenericPatterns: GenericRules is given (line %d); "
		    "give one of them", p->generic_rules_line);
		return -1;
	}
	p->generic_patterns_line = p->line;
	return conf_set_string(p, &p->cf->generic_patterns_file, v);
}

int
key_generic_rules(struct parse *p, const char *v)
{
	bool add = v[0] == '+';

	if (p->generic_patterns_line > 0) {
		conf_perr(p, "GenericRules: GenericPatterns is given (line %d); "
		    "give one of them", p->generic_patterns_line);
		return -1;
	}
	if (add)
		for (v++; text_is_blank((unsigned char)*v); v++)
			;
	if (*v == '\0') {
		conf_perr(p, "GenericRules: no file given (want FILE or +FILE)");
		return -1;
	}
	p->generic_rules_line = p->line;
	p->cf->generic_rules_add = add;
	return conf_set_string(p, &p->cf->generic_rules_file, v);
}

static int
disable_item(struct parse *p, const char *item, void *arg)
{
	(void)arg;
	return conf_strv_add(p, &p->cf->generic_disable,
	    &p->cf->n_generic_disable, item);
}

int
key_generic_disable(struct parse *p, const char *v)
{
	p->generic_disable_line = p->line;
	return conf_split_list(p, "GenericDisable", v, disable_item, NULL);
}

static int
allow_item(struct parse *p, const char *item, void *arg)
{
	char domain[CONF_DOMAIN_MAX + 2];
	const char *why = "";

	(void)arg;
	if (strcmp(item, "*") == 0) {
		conf_perr(p, "AllowDomains: '*' would exempt every client; list "
		    "domains (example.com, .example.com)");
		return -1;
	}
	if (conf_policy_domain(item, domain, &why) == -1) {
		conf_perr(p, "AllowDomains: bad domain '%s' (%s)", Q(item), why);
		return -1;
	}
	return conf_strv_add(p, &p->cf->allow_domains, &p->cf->n_allow_domains,
	    domain);
}

int
key_allow_domains(struct parse *p, const char *v)
{
	return conf_split_list(p, "AllowDomains", v, allow_item, NULL);
}

int
key_mail_role_words(struct parse *p, const char *v)
{
	struct generic_roles *gr;
	char err[256];

	char *words;

	if ((gr = generic_roles_new(v, err, sizeof err)) == NULL) {
		conf_perr(p, "MailRoleWords: %s", err);
		return -1;
	}
	if ((words = conf_words(p, v)) == NULL) {
		generic_roles_free(gr);
		return -1;
	}
	generic_roles_free(p->cf->mail_roles);
	p->cf->mail_roles = gr;
	free(p->cf->mail_role_words);
	p->cf->mail_role_words = words;
	return 0;
}
