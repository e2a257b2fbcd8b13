/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf_print.c - the printers of the effective configuration ("rdns-milter
 * -n -v"): one for every key that has a handler, named in the key table
 * (conf.c, which walks the table in config_print()); keys stored in a
 * plain field are printed by their type (conf_key_print()).
 *
 * A printer writes each value of its key on a line of its own, in the
 * file's own syntax and without the key, or nothing when the key has no
 * value.  conf.c compares what a printer writes for cf with what it
 * writes for the built-in defaults, so a value that merely repeats the
 * default counts as the default, and reading the output back prints it
 * again unchanged.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "conf.h"
#include "conf_int.h"
#include "generic.h"

static void
print_str(FILE *fp, const char *s)
{
	if (s != NULL)
		fprintf(fp, "%s\n", s);
}

/* A list on one line, items separated by sep. */
static void
print_list(FILE *fp, char *const *v, size_t n, const char *sep)
{
	size_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%s", i > 0 ? sep : "", v[i]);
	fputc('\n', fp);
}

void
print_socket(const struct config *cf, FILE *fp)
{
	print_str(fp, cf->socket);
}

void
print_authserv_id(const struct config *cf, FILE *fp)
{
	print_str(fp, cf->authserv_id);
}

void
print_userid(const struct config *cf, FILE *fp)
{
	print_str(fp, cf->userid);
}

void
print_umask(const struct config *cf, FILE *fp)
{
	fprintf(fp, "%03o\n", (unsigned)cf->umask);
}

void
print_syslog_facility(const struct config *cf, FILE *fp)
{
	const char *name = conf_syslog_facility_name(cf->syslog_facility);

	if (name != NULL)
		fprintf(fp, "%s\n", name);
	else
		fprintf(fp, "%d\n", cf->syslog_facility);
}

/* One line per file, "none" for none. */
void
print_trust_anchor(const struct config *cf, FILE *fp)
{
	size_t i;

	if (cf->n_trust_anchor_files == 0)
		fprintf(fp, "none\n");
	for (i = 0; i < cf->n_trust_anchor_files; i++)
		fprintf(fp, "%s\n", cf->trust_anchor_files[i]);
}

void
print_resolver_config(const struct config *cf, FILE *fp)
{
	print_str(fp, cf->resolver_config);
}

void
print_nameservers(const struct config *cf, FILE *fp)
{
	print_list(fp, cf->nameservers, cf->n_nameservers, ", ");
}

/* In the largest unit that divides it (16M, 64K, 0), as it is written. */
void
print_answer_cache_size(const struct config *cf, FILE *fp)
{
	static const char units[] = "KMG";
	unsigned long long n = cf->answer_cache_size;
	int u = -1;

	while (u < 2 && n != 0 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	if (u < 0)
		fprintf(fp, "%llu\n", n);
	else
		fprintf(fp, "%llu%c\n", n, units[u]);
}

/* Every block as ADDR/PREFIX (host bits are cleared when parsed). */
void
print_trusted(const struct config *cf, FILE *fp)
{
	char addr[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < cf->n_trusted; i++) {
		const struct cidr *c = &cf->trusted[i];

		if (inet_ntop(c->family, c->addr, addr, sizeof addr) == NULL)
			snprintf(addr, sizeof addr, "?");
		fprintf(fp, "%s%s/%d", i > 0 ? ", " : "", addr, c->prefix);
	}
	if (cf->n_trusted > 0)
		fputc('\n', fp);
}

void
print_exempt(const struct config *cf, FILE *fp)
{
	if (cf->n_exempt == 0)
		fprintf(fp, "none\n");
	else
		print_list(fp, cf->exempt, cf->n_exempt, " ");
}

void
print_metrics_listen(const struct config *cf, FILE *fp)
{
	print_str(fp, cf->metrics_listen);
}

/* "+FILE" when the file adds to the shipped rules. */
void
print_generic_rules(const struct config *cf, FILE *fp)
{
	if (cf->generic_rules_file != NULL)
		fprintf(fp, "%s%s\n", cf->generic_rules_add ? "+" : "",
		    cf->generic_rules_file);
}

void
print_generic_patterns(const struct config *cf, FILE *fp)
{
	print_str(fp, cf->generic_patterns_file);
}

void
print_generic_disable(const struct config *cf, FILE *fp)
{
	print_list(fp, cf->generic_disable, cf->n_generic_disable, ", ");
}

void
print_mail_role_words(const struct config *cf, FILE *fp)
{
	print_str(fp, cf->mail_role_words != NULL ? cf->mail_role_words :
	    GENERIC_ROLES_DEFAULT);
}

void
print_allow_domains(const struct config *cf, FILE *fp)
{
	print_list(fp, cf->allow_domains, cf->n_allow_domains, ", ");
}

/* One line per Policy, every key spelled out, in the file's order. */
void
print_policy(const struct config *cf, FILE *fp)
{
	size_t i;

	for (i = 0; i < cf->n_policies; i++)
		conf_policy_print(&cf->policies[i], fp);
}
