/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_generic.c - libFuzzer target: the generic-name judgement
 * (generic_match with the built-in patterns, generic_embeds_ip) on a
 * name and a client address.
 *
 * Input: one byte whose low bit picks IPv4 or IPv6, 4 or 16 address
 * bytes, then the name (up to a NUL byte).
 *
 * Checked, from generic.h and SPEC 2: an embedded address is always
 * generic; case and one trailing dot do not matter; a name of fewer than
 * three labels is never generic and the organizational domain (Public
 * Suffix List, orgdomain.h) is never examined; a host-part label
 * "static" stops the pattern test (not the address test); a mail-role
 * word stops both (generic_judge); the address written as the SPEC's
 * forms into a host part is found.
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

/* Dots in name, one trailing dot not counted. */
static size_t
dots(const char *name)
{
	size_t n = 0, len = strlen(name), i;

	if (len > 0 && name[len - 1] == '.')
		len--;
	for (i = 0; i < len; i++)
		n += name[i] == '.';
	return n;
}

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
			snprintf(name, sizeof name,
			    "h%02x%02x%02x%02x.example.net",
			    b[0], b[1], b[2], b[3]);
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
		} else
			snprintf(name, sizeof name,
			    "a-%02x%02x-%02x%02x-%02x%02x-%02x%02x.example.net",
			    b[8], b[9], b[10], b[11], b[12], b[13], b[14],
			    b[15]);
	}
	FUZZ_ASSERT(generic_embeds_ip(name, ip));
	FUZZ_ASSERT(generic_match(gp, name, ip));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	struct rdns_ip ip;
	char *name, *other;
	size_t len, i;
	int off;
	bool embeds, match;

	if (gp == NULL && (gp = generic_patterns_new_builtin()) == NULL)
		abort();
	if (gr == NULL && (gr = generic_roles_new_default()) == NULL)
		abort();
	fuzz_in_init(&in, data, size);
	fuzz_ip(&in, &ip);
	name = fuzz_strndup(in.p, in.n);
	len = strlen(name);

	embeds = generic_embeds_ip(name, &ip);
	match = generic_match(gp, name, &ip);
	FUZZ_ASSERT(!embeds || match);
	FUZZ_ASSERT(generic_match(NULL, name, &ip) == embeds);
	FUZZ_ASSERT(!generic_match(gp, name, NULL) || match);
	if (dots(name) < 2)
		FUZZ_ASSERT(!match);

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

	/* The organizational domain is never examined: put another in
	 * its place.  (The lower-cased copy is what generic.c splits.) */
	other = fuzz_strndup((const uint8_t *)name, len);
	for (i = 0; i < len; i++)
		if (other[i] >= 'A' && other[i] <= 'Z')
			other[i] = (char)(other[i] + 32);
	if (len > 0 && other[len - 1] == '.')
		other[len - 1] = '\0';
	off = orgdomain_offset(other);
	if (off < 2)
		FUZZ_ASSERT(!match);
	if (off >= 2 && other[off - 1] == '.' && len < DNAME_TEXT_MAX) {
		char *host = other, *swapped;

		host[off - 1] = '\0';
		swapped = concat(host, ".example.net");
		/* Unless the swap moves the name across the 253-character
		 * limit, past which it is no name at all. */
		if (strlen(swapped) < DNAME_TEXT_MAX) {
			FUZZ_ASSERT(generic_embeds_ip(swapped, &ip) == embeds);
			FUZZ_ASSERT(generic_match(gp, swapped, &ip) == match);
		}
		free(swapped);
		/* A "static" label leaves only the address test ... */
		swapped = concat("static.", host);
		free(name);
		name = concat(swapped, ".example.net");
		free(swapped);
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

	check_forms(&ip, fuzz_u8(&in));
	return 0;
}
