/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf.h - SPF records (RFC 7208) and the addresses a domain sends from
 * (rdns-check -d, SPEC 5).
 *
 * DESCRIPTION
 *	spf_parse() reads one SPF record into its terms (RFC 7208 4.6 and
 *	12: mechanisms with their qualifier, domain-spec and CIDR lengths;
 *	the redirect and exp modifiers; unknown modifiers are kept and
 *	ignored).  Any syntax error makes the whole record a permerror, as
 *	check_host() would.
 *
 *	spf_discover() finds the addresses a domain sends from, as a
 *	receiver evaluating its SPF record would reach them, plus its MX
 *	hosts' addresses (small sites send from their MX):
 *	- ip4 and ip6 mechanisms give blocks; a and mx mechanisms are
 *	  resolved (A and AAAA: a receiver asks the type of its client's
 *	  family, so both are senders), their CIDR lengths applied.
 *	- A block up to /24 (IPv4) or /120 (IPv6) is enumerated; a larger
 *	  one is listed in ranges, to be checked with rdns-check's range
 *	  mode.  At most SPF_ADDR_MAX addresses are enumerated in all.
 *	- include and redirect of a domain in the same organizational
 *	  domain (orgdomain.h) are followed; those of another organization
 *	  are listed as delegated, not expanded: that provider's addresses
 *	  are its responsibility.
 *	- The limits of RFC 7208 4.6.4 are applied in record order: more
 *	  than 10 DNS-querying terms (include, a, mx, ptr, exists,
 *	  redirect; each delegated include or redirect counts once, the
 *	  lookups inside it are not known), more than 2 void lookups
 *	  (counted per client family: a receiver asks A for an IPv4 client,
 *	  AAAA for an IPv6 one), an mx with more than 10 hosts, and an
 *	  include or redirect loop are permerrors; evaluation stops there,
 *	  as a receiver's does for every sender not matched before.
 *	- ptr and exists, and domain-specs whose macros depend on the
 *	  connection (%{i}, %{s}, %{l}, %{h}, ...), cannot be enumerated:
 *	  they are noted.  %{d} and %{o} are expanded (o: the audited
 *	  domain).
 *	- Terms after "all" are never evaluated (RFC 7208 5.1); redirect
 *	  is ignored when the record has "all" (6.1).
 *	The addresses come out sorted (IPv4 first) without duplicates, each
 *	with the terms that gave it.
 *
 *	All DNS goes through a caller-supplied batch lookup function, so
 *	the module is pure: rdns-check passes audit_lookup(), the unit
 *	tests a fake resolver.
 *
 * OWNERSHIP
 *	spf_record_clear() and spf_report_clear() free what the functions
 *	allocated inside the caller's structs.
 *
 * THREAD SAFETY
 *	Reentrant; no global state.
 */
#ifndef RDNS_SPF_H
#define RDNS_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cidr.h"
#include "dname.h"
#include "resolver.h"

/* RFC 7208 4.6.4. */
#define SPF_LOOKUP_LIMIT	10
#define SPF_VOID_LIMIT		2
#define SPF_MX_LIMIT		10
/* Addresses enumerated for one domain at most (as many as a /16). */
#define SPF_ADDR_MAX		65536
/* Largest blocks enumerated: /24 and /120 (256 addresses). */
#define SPF_ENUM_PREFIX4	24
#define SPF_ENUM_PREFIX6	120
/* A term as written, for reports (longer ones are cut, marked "..."). */
#define SPF_TERM_TEXT_MAX	128
/* What gave an address: terms joined by ", ", cut. */
#define SPF_SOURCE_MAX		160
/* One line of a report. */
#define SPF_NOTE_MAX		400
/* MX hosts of the domain itself looked at (the mx mechanism has its own
 * limit). */
#define SPF_DOMAIN_MX_MAX	32

enum spf_kind {
	SPF_ALL,
	SPF_INCLUDE,
	SPF_A,
	SPF_MX,
	SPF_PTR,
	SPF_IP4,
	SPF_IP6,
	SPF_EXISTS,
	SPF_REDIRECT,		/* modifier */
	SPF_EXP,		/* modifier */
	SPF_UNKNOWN_MOD,	/* other modifier: ignored (RFC 7208 6) */
};

struct spf_term {
	enum spf_kind	 kind;
	char		 qualifier;	/* '+' '-' '~' '?' */
	char		 domain[DNAME_TEXT_MAX + 256];	/* domain-spec as
					   written, "" when none */
	bool		 macro;		/* domain holds a macro */
	struct cidr	 net;		/* ip4, ip6 */
	int		 cidr4, cidr6;	/* a, mx: 32 and 128 when none */
	char		 text[SPF_TERM_TEXT_MAX];	/* as written */
};

struct spf_record {
	struct spf_term	*terms;
	size_t		 n;
	int		 redirect;	/* index in terms, or -1 */
	bool		 has_all;
};

/**
 * Parse record (a whole SPF record, "v=spf1 ...").
 * @return 0, or -1 with the reason in err[errlen] (a permerror).
 */
int spf_parse(const char *record, struct spf_record *rec, char *err,
    size_t errlen);

/** Free the terms.  A zeroed record is fine. */
void spf_record_clear(struct spf_record *rec);

/**
 * Expand the macros of a domain-spec (RFC 7208 7) that do not depend on
 * the connection: %{d} (domain: the domain whose record is evaluated)
 * and %{o} (the sender's domain: the audited one), with their
 * transformers and delimiters, and %%, %_, %-.  A result longer than 253
 * characters loses labels on the left (7.3).
 * @return 1 and the name in out[outlen], 0 when the spec uses another
 *	macro (%{i}, %{s}, %{l}, %{h}, ...: it depends on the sender),
 *	-1 when it is malformed or the result is not a domain name.
 */
int spf_expand(const char *spec, const char *domain, const char *o,
    char *out, size_t outlen);

/**
 * The SPF record among the TXT answer's records (RFC 7208 4.5: one that
 * starts with "v=spf1" followed by a space or its end; a record's strings
 * are joined without spaces, 3.3).
 * @return 1 and a new string in *out (the caller frees it; a NUL byte in
 *	the data becomes 0x01, which no term accepts), 0 when there is
 *	none, -1 when there are several (a permerror) or out of memory
 *	(*out NULL, err says which).
 */
int spf_select(const struct dns_answer *txt, char **out, char *err,
    size_t errlen);

/**
 * The batch lookup rdns-check and the tests supply: look up the n (name,
 * type) pairs and put an answer in each out[i] (never NULL: a failed one
 * is DNS_SERVFAIL or DNS_TIMEOUT); the module frees them.
 * @return 0, or -1 if nothing could be asked (out of memory).
 */
typedef int spf_query_fn(void *arg, const char *const *names,
    const int *types, size_t n, struct dns_answer **out);

enum spf_result {
	SPF_RES_NONE = 0,	/* no SPF record */
	SPF_RES_OK,		/* evaluated to the end */
	SPF_RES_PERMERROR,
	SPF_RES_TEMPERROR,
};

enum spf_mx_result {
	SPF_MX_NONE = 0,	/* no MX record */
	SPF_MX_OK,
	SPF_MX_NULL,		/* RFC 7505 null MX: accepts no mail */
	SPF_MX_TEMPERROR,
};

/** Where addresses come from: one per term (or per MX host), shared
 * by the addresses of a block. */
struct spf_source {
	char		 host[DNAME_TEXT_MAX];	/* the name that resolves to
					   them (a, mx, MX), or "" */
	char		 text[SPF_SOURCE_MAX];	/* "ip4:192.0.2.0/29",
					   "a:out.example.com", "MX mx1.
					   example.com", "... via
					   _spf.example.com"; joined by ", "
					   for an address found twice */
};

/** An address to check (small: a domain may have SPF_ADDR_MAX). */
struct spf_addr {
	struct rdns_ip	 ip;
	uint32_t	 order;		/* discovery order */
	uint32_t	 source;	/* index in spf_report.sources */
};

/** A block too large to enumerate. */
struct spf_range {
	struct cidr	 net;
	char		 source[SPF_SOURCE_MAX];
};

/** An include or redirect of another organizational domain. */
struct spf_delegation {
	char		 org[DNAME_TEXT_MAX];	/* its organizational domain
					   (the target when it has none) */
	char		 term[SPF_TERM_TEXT_MAX];	/* "include:_spf.x" */
	char		 in[DNAME_TEXT_MAX];	/* the domain whose record
					   has it */
};

struct spf_mx_host {
	char		 host[DNAME_TEXT_MAX];
	unsigned	 pref;
	size_t		 n_addrs;	/* addresses found */
	enum dns_result	 a_result, aaaa_result;
};

struct spf_report {
	char		 domain[DNAME_TEXT_MAX];	/* lower case */
	char		 org[DNAME_TEXT_MAX];	/* its organizational domain */

	enum spf_result	 result;
	char		*record;	/* the domain's own record,
					   sanitised, or NULL */
	char		 error[SPF_NOTE_MAX];	/* permerror/temperror: why */
	unsigned	 lookups;	/* DNS-querying terms evaluated */
	unsigned	 void4, void6;	/* void lookups per client family */

	enum spf_mx_result mx_result;
	char		 mx_error[SPF_NOTE_MAX];
	struct spf_mx_host *mx;
	size_t		 n_mx;

	struct spf_addr	*addrs;		/* sorted, unique */
	size_t		 n_addrs, cap_addrs;
	struct spf_source *sources;
	size_t		 n_sources, cap_sources;
	bool		 addrs_capped;	/* SPF_ADDR_MAX reached */
	struct spf_range *ranges;
	size_t		 n_ranges, cap_ranges;
	struct spf_delegation *delegations;
	size_t		 n_delegations, cap_delegations;
	char		(*notes)[SPF_NOTE_MAX];
	size_t		 n_notes, cap_notes;
};

/**
 * Find what domain sends from (see DESCRIPTION) into rep (zeroed by the
 * caller or not: it is reset).  domain is a host name (checked by the
 * caller), any case, one trailing dot allowed.
 * @return 0, or -1 if out of memory (rep is then cleared).
 */
int spf_discover(const char *domain, spf_query_fn *query, void *qarg,
    struct spf_report *rep);

/** Where addresses[i] came from. */
const struct spf_source *spf_addr_source(const struct spf_report *rep,
    size_t i);

/** Free what spf_discover() allocated; rep is zeroed. */
void spf_report_clear(struct spf_report *rep);

/** "none", "ok", "permerror", "temperror". */
const char *spf_result_str(enum spf_result r);

/** "none", "ok", "null", "temperror". */
const char *spf_mx_result_str(enum spf_mx_result r);

#endif
