/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdns-check - run rdns-milter's reverse-DNS checks from the command
 * line (SPEC 5): for one IP (this file), or for a range, a list or a
 * domain's sending addresses (rdns-check-many.c).  The checks shown, in
 * their order, and the exit status come from the check table
 * (checks.h).
 *
 * Exit status: 0 all good (neutral/none are not failures), 1 a check
 * definitively failed, 2 a check is temperror, 64 usage, 78 configuration.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "checks.h"
#include "conf.h"
#include "dname.h"
#include "log.h"
#include "orgdomain.h"
#include "rdns-check.h"
#include "resolver.h"
#include "strbuf.h"
#include "text.h"

#define DEFAULT_CONFIG	SYSCONFDIR "/rdns-milter.conf"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: rdns-check [-c FILE] [-j] [-t SECONDS] [-P N] [--max N]\n"
	    "                  (IP [HELO] | CIDR | -f FILE | -d DOMAIN)\n"
	    "  -c FILE     configuration file (default %s)\n"
	    "  -j          print JSON: one object per address, and a summary\n"
	    "              object when checking several\n"
	    "  -t SECONDS  DNS timeout for each address (overrides "
	    "DNSTimeout)\n"
	    "  -P N        check N addresses at once (default %d, at most %d)\n"
	    "  --max N     check ranges of up to N addresses (default %llu)\n"
	    "  -f FILE     check the addresses of FILE, one \"IP [HELO]\" a "
	    "line\n"
	    "              (- for standard input)\n"
	    "  -d DOMAIN   check the addresses DOMAIN sends from (SPF, MX)\n"
	    "  -h, --help  print this help\n"
	    "  -V, --version  print the version\n",
	    DEFAULT_CONFIG, PARALLEL_DEFAULT, AUDIT_PARALLEL_MAX,
	    (unsigned long long)RANGE_MAX_DEFAULT);
}

static void
print_config_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/* Exit status per SPEC 5: a check's result that fails on its own (the
 * check table's classes) is a failure, else a temporary one is
 * temporary.  neutral and none are not failures. */
int
rdns_check_exit_status(const struct check_result *r)
{
	bool temp = false;
	int id;

	for (id = 0; id < CHECK_ID_N; id++) {
		if (check_info[id].get == NULL)
			continue;
		switch (check_class_of((enum check_id)id,
		    check_info[id].get(r))) {
		case CHECK_CLASS_FAIL:
			return EX_FAILED;
		case CHECK_CLASS_TEMP:
			temp = true;
			break;
		case CHECK_CLASS_OK:
			break;
		}
	}
	return temp ? EX_TEMP : EX_OK_;
}

/*
 * The JSON members of the checks rdns-check shows (a category in the
 * check table), each under its name, in check_shown[] order.  The
 * checks with a schema of their own (SPEC 5) have a writer; any other is
 * {"result": LABEL}.
 */
typedef void json_fn(struct strbuf *sb, const struct check_result *r);

static void
json_ptr(struct strbuf *sb, const struct check_result *r)
{
	size_t i;

	strbuf_puts(sb, "{\"result\": ");
	strbuf_put_json(sb, check_res_str(r->ptr));
	strbuf_puts(sb, ", \"names\": [");
	for (i = 0; i < r->n_names; i++) {
		if (i > 0)
			strbuf_puts(sb, ", ");
		strbuf_put_json(sb, r->names[i].name.pres);
	}
	strbuf_puts(sb, "], \"dnssec\": ");
	strbuf_put_json(sb, dnssec_status_str(r->ptr_dnssec));
	strbuf_puts(sb, "}");
}

static void
json_iprev(struct strbuf *sb, const struct check_result *r)
{
	const char *v;

	strbuf_puts(sb, "{\"result\": ");
	strbuf_put_json(sb, check_res_str(r->iprev));
	strbuf_puts(sb, ", \"name\": ");
	if ((v = check_result_verified_name(r)) != NULL)
		strbuf_put_json(sb, v);
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, ", \"dnssec\": ");
	strbuf_put_json(sb, dnssec_status_str(r->iprev_dnssec));
	strbuf_puts(sb, ", \"reason\": ");
	if (r->iprev != CHECK_PASS)
		strbuf_put_json(sb, r->reason);
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, "}");
}

static void
json_helo(struct strbuf *sb, const struct check_result *r)
{
	strbuf_puts(sb, "{\"name\": ");
	if (r->have_helo)
		strbuf_put_json(sb, r->helo);
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, ", \"result\": ");
	strbuf_put_json(sb, check_res_str(r->xptr));
	strbuf_printf(sb, ", \"forward_confirmed\": %s",
	    r->helo_fwd == CHECK_PASS ? "true" : "false");
	strbuf_printf(sb, ", \"aligned\": %s, \"org_domain\": ",
	    r->helo_aligned ? "true" : "false");
	if (r->org_domain[0] != '\0')
		strbuf_put_json(sb, r->org_domain);
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, "}");
}

/* A boolean, and its evidence as a member of its own. */
static void
json_generic(struct strbuf *sb, const struct check_result *r)
{
	strbuf_printf(sb, "%s, \"generic_reason\": ",
	    r->generic == GENERIC_YES ? "true" : "false");
	if (r->generic == GENERIC_YES)
		strbuf_put_json(sb, r->generic_reason);
	else
		strbuf_puts(sb, "null");
}

static json_fn *const json_of[CHECK_ID_N] = {
	[CHECK_ID_PTR] = json_ptr,
	[CHECK_ID_IPREV] = json_iprev,
	[CHECK_ID_HELO] = json_helo,
	[CHECK_ID_GENERIC] = json_generic,
};

void
rdns_check_print_json(const struct check_result *r, const char *extra)
{
	/* Up to 256 names of up to 1021 presentation bytes, each JSON
	 * escaped (at worst 6 bytes per byte): allocate, do not guess. */
	size_t size = 4096 + r->n_names * (6 * DNAME_PRES_MAX + 4) +
	    6 * sizeof r->helo + (extra != NULL ? strlen(extra) : 0);
	char *buf = malloc(size);
	struct strbuf sb;
	size_t k;

	if (buf == NULL) {
		fprintf(stderr, "rdns-check: out of memory\n");
		exit(EX_TEMP);
	}
	strbuf_init(&sb, buf, size);
	strbuf_puts(&sb, "{\"ip\": ");
	strbuf_put_json(&sb, r->ipstr);
	for (k = 0; k < CHECK_N_SHOWN; k++) {
		enum check_id id = check_shown[k];
		const struct check_info *ci = &check_info[id];

		if (ci->category == NULL)
			continue;
		strbuf_puts(&sb, ", ");
		strbuf_put_json(&sb, ci->name);
		strbuf_puts(&sb, ": ");
		if (json_of[id] != NULL)
			json_of[id](&sb, r);
		else {
			strbuf_puts(&sb, "{\"result\": ");
			strbuf_put_json(&sb, check_label(id, ci->get(r)));
			strbuf_puts(&sb, "}");
		}
	}
	strbuf_printf(&sb, ", \"allowlisted\": %s",
	    r->allowlisted ? "true" : "false");
	if (extra != NULL)
		strbuf_puts(&sb, extra);
	strbuf_puts(&sb, "}");
	puts(buf);
	free(buf);
}

/* Printable copy of untrusted text for the terminal. */
static const char *
safe(const char *s, char *buf, size_t len)
{
	return text_sanitize(TEXT_PRINT, buf, len, s, strlen(s));
}

static const char *
family_rr(const struct check_result *r)
{
	return r->ip.family == AF_INET6 ? "AAAA" : "A";
}

static void
print_names(const struct check_result *r)
{
	size_t i;

	for (i = 0; i < r->n_names; i++) {
		const struct check_ptr_name *pn = &r->names[i];

		printf("    %-40s ", pn->name.pres);
		if (!pn->name.hostname)
			printf("not a valid host name: never confirms\n");
		else if (!pn->looked_up)
			printf("not looked up (over MaxPTRNames)\n");
		else if (pn->confirmed)
			printf("%s %s: confirms (dnssec=%s)\n", family_rr(r),
			    pn->fwd_addrs, dnssec_status_str(pn->fwd_dnssec));
		else if (pn->fwd_result == DNS_OK)
			printf("%s %s: other addresses (dnssec=%s)\n",
			    family_rr(r), pn->fwd_addrs,
			    dnssec_status_str(pn->fwd_dnssec));
		else
			printf("%s lookup: %s (dnssec=%s)\n", family_rr(r),
			    dns_result_str(pn->fwd_result),
			    dnssec_status_str(pn->fwd_dnssec));
	}
	if (r->names_truncated)
		printf("    (more PTR records not shown)\n");
}

/*
 * The human report: a section per check rdns-check shows (a category in
 * the check table), "NAME:   RESULT", in check_shown[] order.  The checks
 * with more to say (SPEC 5: the names, the reasons, hints) have a
 * printer; any other shows its result label.
 */
typedef void human_fn(const struct check_result *r,
    const struct generic_patterns *gp);

static void
human_ptr(const struct check_result *r, const struct generic_patterns *gp)
{
	char rev[DNAME_REVERSE_MAX];

	(void)gp;
	if (dname_reverse(&r->ip, rev, sizeof rev) == -1)
		rev[0] = '\0';
	printf("%s (%s, dnssec=%s)\n", check_res_str(r->ptr),
	    dns_result_str(r->ptr_dns), dnssec_status_str(r->ptr_dnssec));
	print_names(r);
	if (r->ptr_why_bogus[0] != '\0')
		printf("    DNSSEC: %s\n", r->ptr_why_bogus);
	if (r->ptr == CHECK_FAIL)
		printf("  hint: PTR missing: the owner of the IP block, usually "
		    "your hosting provider or ISP, must set a PTR record for "
		    "%s pointing to your mail server's name.\n", rev);
	else if (r->ptr == CHECK_TEMPERROR)
		printf("  hint: the PTR lookup failed temporarily (%s); if it "
		    "persists, the name servers of the reverse zone are broken "
		    "or its DNSSEC signatures are invalid.\n",
		    dns_result_str(r->ptr_dns));
}

static void
human_iprev(const struct check_result *r, const struct generic_patterns *gp)
{
	const char *v = check_result_verified_name(r);
	const char *first = check_result_first_name(r);

	(void)gp;
	printf("%s", check_res_str(r->iprev));
	if (r->iprev == CHECK_PASS)
		printf(" (%s resolves back to %s", v, r->ipstr);
	else
		printf(" (%s", r->reason);
	printf(", dnssec=%s)\n", dnssec_status_str(r->iprev_dnssec));
	if (r->iprev == CHECK_FAIL && first != NULL)
		printf("  hint: forward-confirmed reverse DNS fails: add an %s "
		    "record %s -> %s in the zone of %s (or point the PTR to a "
		    "name that has it).\n", family_rr(r), first, r->ipstr,
		    first);
	else if (r->iprev == CHECK_TEMPERROR)
		printf("  hint: a lookup failed temporarily (%s); try again "
		    "later or with a larger -t.\n", r->reason);
}

static void
human_helo(const struct check_result *r, const struct generic_patterns *gp)
{
	const char *v = check_result_verified_name(r);
	char h[CHECK_VALUE_MAX + 1];

	(void)gp;
	printf("%s", check_res_str(r->xptr));
	if (r->have_helo) {
		printf(" (HELO %s", safe(r->helo, h, sizeof h));
		if (r->helo_fwd == CHECK_PASS)
			printf(", resolves to %s", r->ipstr);
		else if (r->helo_fwd == CHECK_FAIL)
			printf(", does not resolve to %s%s%s", r->ipstr,
			    r->helo_addrs[0] != '\0' ? ": " : "",
			    r->helo_addrs);
		else if (r->helo_fwd == CHECK_TEMPERROR)
			printf(", its lookup failed: %s",
			    dns_result_str(r->helo_dns));
		if (r->xptr != CHECK_PASS && r->helo_aligned)
			printf(", aligned with %s", r->helo_org);
		printf(")\n");
	} else
		printf(" (no HELO name given)\n");
	if (r->xptr == CHECK_FAIL) {
		if (v != NULL)
			printf("  hint: use the verified PTR name %s as the "
			    "HELO/EHLO name (myhostname in Postfix).\n", v);
		else
			printf("  hint: the HELO name should be a host name "
			    "that has a PTR-confirmed address; fix the PTR "
			    "first, then HELO with that name.\n");
	}
}

static void
human_generic(const struct check_result *r,
    const struct generic_patterns *gp)
{
	const char *v = check_result_verified_name(r);

	if (r->generic == GENERIC_TEMPERROR)
		printf("unknown (%s)", generic_res_str(r->generic));
	else
		printf("%s", generic_res_str(r->generic));
	if (r->generic == GENERIC_YES) {
		const char *src = NULL;
		long k = generic_rules_find(gp, r->generic_rule);

		printf(" (%s)\n", r->generic_reason);
		if (k >= 0 && generic_rules_get(gp, (size_t)k, NULL, NULL,
		    NULL, &src, NULL) && src[0] != '\0')
			printf("  source of rule %s: %s\n", r->generic_rule,
			    src);
		printf("  hint: %s looks like a generic/dynamic name; ask the "
		    "provider for a custom PTR such as mail.example.com.\n",
		    v);
	} else
		printf("\n");
}

static human_fn *const human_of[CHECK_ID_N] = {
	[CHECK_ID_PTR] = human_ptr,
	[CHECK_ID_IPREV] = human_iprev,
	[CHECK_ID_HELO] = human_helo,
	[CHECK_ID_GENERIC] = human_generic,
};

static void
print_human(const struct check_result *r, const struct generic_patterns *gp)
{
	char rev[DNAME_REVERSE_MAX], label[32];
	const char *v = check_result_verified_name(r);
	bool first = true;
	size_t k;

	if (dname_reverse(&r->ip, rev, sizeof rev) == -1)
		rev[0] = '\0';
	printf("IP address:   %s\n", r->ipstr);
	printf("Reverse name: %s\n\n", rev);

	for (k = 0; k < CHECK_N_SHOWN; k++) {
		enum check_id id = check_shown[k];
		const struct check_info *ci = &check_info[id];

		if (ci->category == NULL)
			continue;
		(void)snprintf(label, sizeof label, "%s:", ci->name);
		printf("%s%-9s", first ? "" : "\n", label);
		first = false;
		if (human_of[id] != NULL)
			human_of[id](r, gp);
		else
			printf("%s\n", check_label(id, ci->get(r)));
	}
	if (r->allowlisted)
		printf("allowlisted: %s is in AllowDomains (no generic or "
		    "helo policy applies)\n", v);
}

/* A positive integer option value, at most max.  @return 0 or -1. */
static int
parse_count(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    v < 1 || v > max) {
		fprintf(stderr, "rdns-check: %s must be a number from 1 to "
		    "%llu: %s\n", opt, (unsigned long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* The host bits of the largest block of at most max addresses. */
static int
max_bits(uint64_t max)
{
	int b = 0;

	while (b < 63 && ((uint64_t)1 << (b + 1)) <= max)
		b++;
	return b;
}

/* Parse the command line.  @return -1 to go on, or an exit status. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	enum { OPT_MAX = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "max", required_argument, NULL, OPT_MAX },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int ch;

	a->timeout = -1;
	a->parallel = PARALLEL_DEFAULT;
	a->max = RANGE_MAX_DEFAULT;
	while ((ch = getopt_long(argc, argv, "+c:d:f:hjP:t:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			a->cfile = optarg;
			break;
		case 'd':
			a->domain = optarg;
			break;
		case 'f':
			a->file = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 'P':
			if (parse_count("-P", optarg, AUDIT_PARALLEL_MAX,
			    &v) == -1)
				return EX_USAGE_;
			a->parallel = (unsigned)v;
			break;
		case OPT_MAX:
			if (parse_count("--max", optarg, RANGE_MAX_LIMIT,
			    &a->max) == -1)
				return EX_USAGE_;
			break;
		case 't': {
			char *end;

			errno = 0;
			a->timeout = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !isfinite(a->timeout) || a->timeout <= 0 ||
			    a->timeout > 3600) {
				fprintf(stderr, "rdns-check: bad timeout: %s\n",
				    optarg);
				return EX_USAGE_;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return EX_OK_;
		case 'V':
			printf("rdns-check %s\n", PACKAGE_VERSION);
			return EX_OK_;
		default:
			usage(stderr);
			return EX_USAGE_;
		}
	}
	argc -= optind;
	argv += optind;
	if (a->file != NULL || a->domain != NULL) {
		/* -f and -d take no other target. */
		if (argc != 0 || (a->file != NULL && a->domain != NULL)) {
			usage(stderr);
			return EX_USAGE_;
		}
		return -1;
	}
	if (argc < 1 || argc > 2 ||
	    (argc == 2 && strchr(argv[0], '/') != NULL)) {
		usage(stderr);
		return EX_USAGE_;
	}
	a->ip = argv[0];
	a->helo = argc == 2 ? argv[1] : NULL;
	return -1;
}

/* Run the checks of ip (and helo) with cf's resolver settings and print
 * the report.  @return the exit status. */
static int
run_check(const struct config *cf, const struct args *a,
    const struct rdns_ip *ip)
{
	struct resolver *res;
	struct resolver_options ro;
	struct check_params cp;
	struct check_session *s;
	struct check_result r;
	struct timespec deadline;
	char err[512];
	int rc;

	config_resolver_options(cf, &ro);
	/* One check: a second libunbound thread would only cost a start. */
	ro.threads = 1;
	if ((res = resolver_new(&ro, err, sizeof err)) == NULL) {
		fprintf(stderr, "rdns-check: resolver: %s\n", err);
		return EX_CONFIG_;
	}
	config_check_params(cf, &cp);
	cp.ops = &resolver_unbound_ops;
	cp.resolver = res;
	check_deadline_in(&deadline, a->timeout >= 0 ? a->timeout :
	    cf->dns_timeout);
	if ((s = check_session_new(&cp, ip, &deadline)) == NULL) {
		fprintf(stderr, "rdns-check: cannot start the lookups\n");
		resolver_free(res);
		return EX_TEMP;
	}
	if (a->helo != NULL)
		check_session_helo(s, a->helo);
	(void)check_session_wait(s);
	if (check_session_result(s, &r) == -1) {
		fprintf(stderr, "rdns-check: out of memory\n");
		rc = EX_TEMP;
	} else {
		if (a->json)
			rdns_check_print_json(&r, NULL);
		else
			print_human(&r, cf->generic);
		rc = rdns_check_exit_status(&r);
		check_result_clear(&r);
	}
	check_session_free(s);
	resolver_free(res);
	return rc;
}

/* Check what is to be checked before anything else (a usage error comes
 * before a configuration error).  @return -1 to go on, or EX_USAGE_. */
static int
check_target(struct args *a, struct rdns_ip *ip)
{
	char err[512], buf[512];

	if (a->domain != NULL) {
		char org[DNAME_TEXT_MAX];

		if (strlen(a->domain) >= DNAME_TEXT_MAX ||
		    !dname_valid_hostname(a->domain) ||
		    strchr(a->domain, '.') == NULL) {
			fprintf(stderr, "rdns-check: not a domain name: %s\n",
			    safe(a->domain, err, sizeof err));
			return EX_USAGE_;
		}
		if (orgdomain_of(a->domain, org, sizeof org) == -1) {
			fprintf(stderr, "rdns-check: %s is a public suffix, "
			    "not a domain of its own\n",
			    safe(a->domain, err, sizeof err));
			return EX_USAGE_;
		}
		return -1;
	}
	if (a->file != NULL)
		return -1;
	if (strchr(a->ip, '/') == NULL) {
		if (dname_parse_ip(a->ip, ip) == -1) {
			fprintf(stderr, "rdns-check: not an IP address: %s\n",
			    safe(a->ip, err, sizeof err));
			return EX_USAGE_;
		}
		return -1;
	}
	if (cidr_parse(a->ip, &a->net, buf, sizeof buf) == -1) {
		fprintf(stderr, "rdns-check: not an address range: %s\n",
		    buf);
		return EX_USAGE_;
	}
	if (cidr_count(&a->net) > a->max) {
		char net[DNAME_IPSTR_MAX + 4];

		cidr_str(&a->net, net, sizeof net);
		fprintf(stderr, "rdns-check: %s holds more than %llu "
		    "addresses (the limit is a /%d for IPv4, a /%d for IPv6; "
		    "--max N raises it, or check smaller blocks)\n", net,
		    (unsigned long long)a->max,
		    32 - max_bits(a->max), 128 - max_bits(a->max));
		return EX_USAGE_;
	}
	a->range = true;
	return -1;
}

int
main(int argc, char *argv[])
{
	struct args a;
	struct config *cf;
	struct rdns_ip ip;
	const char *cfile;
	int rc;

	log_open("rdns-check", LOG_USER, false, true);
	log_set_level(LOG_WARNING);
	memset(&a, 0, sizeof a);
	if ((rc = parse_args(argc, argv, &a)) != -1)
		return rc;
	if ((rc = check_target(&a, &ip)) != -1)
		return rc;
	cfile = a.cfile;
	if (cfile == NULL && access(DEFAULT_CONFIG, F_OK) == 0)
		cfile = DEFAULT_CONFIG;
	cf = cfile != NULL ? config_load(cfile, print_config_error, NULL) :
	    config_new_default();
	if (cf == NULL)
		return EX_CONFIG_;
	if (a.ip != NULL && !a.range)
		rc = run_check(cf, &a, &ip);
	else
		rc = rdns_check_many(cf, &a);
	config_free(cf);
	return rc;
}
