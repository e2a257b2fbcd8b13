/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_generic.c - libFuzzer target: the generic-name judgement
 * (generic_assess with the shipped rules, generic_embeds_ip) on a name
 * and a client address.
 *
 * Input: one byte whose low bit picks IPv4 or IPv6, 4 or 16 address
 * bytes, one byte choosing the address forms written by check_forms(),
 * then the name (up to a NUL byte).
 *
 * Checked, from generic.h and SPEC 2:
 *  - every verdict names its evidence (a rule, a reason) and only a
 *    generic one does; the reason is terminated and printable;
 *  - an embedded address is always generic, and generic_embeds_ip() is
 *    the verdict without rules or mail-role words;
 *  - case and one trailing dot do not matter;
 *  - the organizational domain's digits count only alone: the name
 *    embeds the address exactly when its host part does (under another
 *    organizational domain) or its organizational domain does (under
 *    another host part);
 *  - a host-part label "static" leaves the address test only (the
 *    shipped domain= rules are for names no test here builds);
 *  - a mail-role word stops everything (generic_judge);
 *  - the address written in the SPEC's forms into a host part is found
 *    (check_forms).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz_util.h"
#include "generic.h"
#include "orgdomain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct generic_patterns *gp;
static struct generic_roles *gr;

static char *
concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (s == NULL)
		abort();
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

/* The verdict's fields agree with each other. */
static bool
verdict(const char *name, const struct rdns_ip *ip, bool rules, bool roles)
{
	struct generic_verdict v;
	bool g = generic_assess(rules ? gp : NULL, roles ? gr : NULL, name,
	    ip, &v);
	size_t i, n;

	FUZZ_ASSERT(g == v.generic);
	FUZZ_ASSERT(memchr(v.rule, '\0', sizeof v.rule) != NULL);
	FUZZ_ASSERT(memchr(v.reason, '\0', sizeof v.reason) != NULL);
	FUZZ_ASSERT(g == (v.rule[0] != '\0'));
	FUZZ_ASSERT(g == (v.reason[0] != '\0'));
	for (n = strlen(v.reason), i = 0; i < n; i++)
		FUZZ_ASSERT(v.reason[i] >= 0x20 && v.reason[i] <= 0x7e);
	if (g && strncmp(v.reason, "embeds ", 7) == 0)
		FUZZ_ASSERT(strncmp(v.rule, "embedded-ipv", 12) == 0);
	return g;
}

/* The SPEC forms of ip, each placed in a host part, must be found. */
static void
check_forms(const struct rdns_ip *ip, uint8_t sel)
{
	static const char hex[] = "0123456789abcdef";
	char name[200];
	size_t o = 0;
	int i;

	if (ip->family == AF_INET) {
		const uint8_t *b = (const uint8_t *)&ip->u.v4;
		static const char seps[] = ".-_";
		char sep = seps[sel % 3];

		if (sel & 4)
			snprintf(name, sizeof name,
			    "x%c%u%c%u%c%u%c%u.dyn.example.net", sep, b[3],
			    sep, b[2], sep, b[1], sep, b[0]);
		else if (sel & 8)
			/* Behind a hex letter. */
			snprintf(name, sizeof name,
			    "d%02x%02x%02x%02x.example.net",
			    b[0], b[1], b[2], b[3]);
		else if (sel & 16)
			/* The last octet, then the others reversed, mixed
			 * separators across labels. */
			snprintf(name, sizeof name,
			    "modem%03u.%u-%u-%u.example.net", b[3], b[2], b[1],
			    b[0]);
		else if (sel & 32)
			/* Three octets in the organizational domain. */
			snprintf(name, sizeof name, "ns1.ip-%u-%u-%u.eu", b[0],
			    b[1], b[2]);
		else
			snprintf(name, sizeof name,
			    "x%c%03u%c%03u%c%03u%c%03u%cy.example.net", sep,
			    b[0], sep, b[1], sep, b[2], sep, b[3], sep);
	} else {
		const uint8_t *b = ip->u.v6.s6_addr;

		if (sel & 1) {
			/* ip6.arpa order, dot separated. */
			for (i = 31; i >= 0; i--) {
				name[o++] = hex[i % 2 ? b[i / 2] & 0x0f :
				    b[i / 2] >> 4];
				name[o++] = '.';
			}
			snprintf(name + o, sizeof name - o, "example.net");
		} else if (sel & 2) {
			/* Unpadded groups, the zero ones as "--" when they
			 * are in the middle. */
			for (i = 0; i < 8; i++) {
				unsigned g = (unsigned)(b[2 * i] << 8 |
				    b[2 * i + 1]);

				o += (size_t)snprintf(name + o, sizeof name - o,
				    "%s%x", i > 0 ? "-" : "", g);
			}
			snprintf(name + o, sizeof name - o, ".example.net");
		} else
			snprintf(name, sizeof name,
			    "a-%02x%02x-%02x%02x-%02x%02x-%02x%02x.example.net",
			    b[8], b[9], b[10], b[11], b[12], b[13], b[14],
			    b[15]);
	}
	FUZZ_ASSERT(generic_embeds_ip(name, ip));
	FUZZ_ASSERT(verdict(name, ip, true, false));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	struct rdns_ip ip;
	char *name, *other;
	size_t len, i;
	int off;
	uint8_t sel;
	bool embeds, match;

	if (gp == NULL)
		gp = fuzz_generic_rules();
	if (gr == NULL && (gr = generic_roles_new_default()) == NULL)
		abort();
	fuzz_in_init(&in, data, size);
	fuzz_ip(&in, &ip);
	sel = fuzz_u8(&in);
	name = fuzz_strndup(in.p, in.n);
	len = strlen(name);

	embeds = generic_embeds_ip(name, &ip);
	match = verdict(name, &ip, true, false);
	FUZZ_ASSERT(embeds == verdict(name, &ip, false, false));
	FUZZ_ASSERT(!embeds || match);
	FUZZ_ASSERT(!verdict(name, NULL, true, false) || match);
	FUZZ_ASSERT(!verdict(name, &ip, true, true) || match);

	/* Case does not matter. */
	other = fuzz_strndup((const uint8_t *)name, len);
	for (i = 0; i < len; i++)
		if (other[i] >= 'a' && other[i] <= 'z')
			other[i] = (char)(other[i] - 32);
	FUZZ_ASSERT(generic_embeds_ip(other, &ip) == embeds);
	FUZZ_ASSERT(generic_match(gp, other, &ip) == match);
	free(other);

	/* One trailing dot does not matter. */
	if (len > 0 && name[len - 1] != '.') {
		other = concat(name, ".");
		FUZZ_ASSERT(generic_embeds_ip(other, &ip) == embeds);
		FUZZ_ASSERT(generic_match(gp, other, &ip) == match);
		free(other);
	}

	/* The organizational domain counts alone: the host part under
	 * another domain, or the domain under another host part.  (The
	 * lower-cased copy is what generic.c splits.) */
	other = fuzz_strndup((const uint8_t *)name, len);
	for (i = 0; i < len; i++)
		if (other[i] >= 'A' && other[i] <= 'Z')
			other[i] = (char)(other[i] + 32);
	if (len > 0 && other[len - 1] == '.')
		other[len - 1] = '\0';
	off = orgdomain_offset(other);
	if (off < 0)
		FUZZ_ASSERT(!match);
	if (off >= 2 && other[off - 1] == '.' && len < DNAME_TEXT_MAX) {
		char *host = other, *a, *b;

		host[off - 1] = '\0';
		a = concat(host, ".example.net");
		b = concat("x.", host + off);
		/* Unless a swap moves the name across the 253-character
		 * limit, past which it is no name at all. */
		if (strlen(a) < DNAME_TEXT_MAX && strlen(b) < DNAME_TEXT_MAX)
			FUZZ_ASSERT(embeds == (generic_embeds_ip(a, &ip) ||
			    generic_embeds_ip(b, &ip)));
		free(a);
		free(b);
		/* A "static" label leaves only the address test ... */
		a = concat("static.", host);
		free(name);
		name = concat(a, ".example.net");
		free(a);
		FUZZ_ASSERT(generic_match(gp, name, &ip) ==
		    generic_embeds_ip(name, &ip));
		/* ... a mail-role word not even that. */
		memcpy(name, "mail-x", 6);	/* over "static" */
		FUZZ_ASSERT(!generic_judge(gp, gr, name, &ip));
		FUZZ_ASSERT(generic_judge(gp, NULL, name, &ip) ==
		    generic_match(gp, name, &ip));
	}
	free(other);
	free(name);

	check_forms(&ip, sel);
	return 0;
}
