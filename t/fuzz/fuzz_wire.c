/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_wire.c - libFuzzer target: PTR rdata as libunbound hands it over
 * (uncompressed wire format, RFC 1035 3.1) through dname_from_wire().
 *
 * The input is the rdata.  Checked against an independent model of the
 * format (dname.h: labels of at most 63 octets, at most 255 octets in
 * all, ending with the root label exactly at the end, no compression or
 * other label types): success exactly when the model accepts; then the
 * presentation form parses back to the same octets, has no byte outside
 * [!-~]; the safe form only holds [A-Za-z0-9._?-] and is the labels with
 * every other byte as '?'; hostname holds exactly when every label
 * byte is LDH and dname_valid_hostname(safe) (so it implies the latter).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 1035 2.3.4, 4.1.4. */
static bool
model_valid(const uint8_t *w, size_t len)
{
	size_t pos = 0, total = 0;

	for (;;) {
		size_t l;

		if (pos >= len)
			return false;
		l = w[pos];
		if (l > 63)
			return false;
		total += l + 1;
		if (total > 255)
			return false;
		if (l == 0)
			return pos + 1 == len;
		if (pos + 1 + l > len)
			return false;
		pos += 1 + l;
	}
}

static bool
ldh_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* SPEC 3.1: DNS text keeps [A-Za-z0-9._-]. */
static bool
safe_byte(uint8_t c)
{
	return ldh_byte(c) || c == '_' || c == '.';
}

/* Every label byte is a letter, digit or hyphen. */
static bool
all_ldh(const uint8_t *w)
{
	size_t pos = 0, i;

	for (; w[pos] != 0; pos += 1 + w[pos])
		for (i = 0; i < w[pos]; i++)
			if (!ldh_byte(w[pos + 1 + i]))
				return false;
	return true;
}

/* The safe form the contract describes. */
static void
model_safe(const uint8_t *w, char *out)
{
	size_t pos = 0, o = 0, i;

	while (w[pos] != 0) {
		if (o > 0)
			out[o++] = '.';
		for (i = 0; i < w[pos]; i++)
			out[o++] = safe_byte(w[pos + 1 + i]) ?
			    (char)w[pos + 1 + i] : '?';
		pos += 1 + w[pos];
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
}

/* Presentation form back to wire octets (RFC 1035 5.1: \DDD and \X).
 * @return the length, or 0 on a syntax error. */
static size_t
pres_to_wire(const char *p, uint8_t *w, size_t size)
{
	size_t o = 0, lpos = 0;

	if (strcmp(p, ".") == 0) {
		w[0] = 0;
		return 1;
	}
	w[o++] = 0;
	for (; *p != '\0'; p++) {
		unsigned c = (unsigned char)*p;

		if (c == '.') {
			if (o - lpos - 1 == 0 || o >= size)
				return 0;
			w[lpos] = (uint8_t)(o - lpos - 1);
			lpos = o;
			w[o++] = 0;
			continue;
		}
		if (c == '\\') {
			if (p[1] >= '0' && p[1] <= '9') {
				if (p[2] < '0' || p[2] > '9' ||
				    p[3] < '0' || p[3] > '9')
					return 0;
				c = (unsigned)(p[1] - '0') * 100 +
				    (unsigned)(p[2] - '0') * 10 +
				    (unsigned)(p[3] - '0');
				if (c > 255)
					return 0;
				p += 3;
			} else if (p[1] != '\0')
				c = (unsigned char)*++p;
			else
				return 0;
		}
		if (o >= size)
			return 0;
		w[o++] = (uint8_t)c;
	}
	if (o - lpos - 1 == 0 || o >= size)
		return 0;
	w[lpos] = (uint8_t)(o - lpos - 1);
	w[o++] = 0;
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dname_wire_text out;
	char safe[sizeof out.safe];
	uint8_t back[600];
	const char *p;
	size_t n;
	int rc;

	memset(&out, 'x', sizeof out);
	rc = dname_from_wire(data, size, &out);
	FUZZ_ASSERT((rc == 0) == model_valid(data, size));
	FUZZ_ASSERT(memchr(out.pres, '\0', sizeof out.pres) != NULL);
	FUZZ_ASSERT(memchr(out.safe, '\0', sizeof out.safe) != NULL);
	if (rc != 0) {
		FUZZ_ASSERT(out.pres[0] == '\0' && out.safe[0] == '\0');
		FUZZ_ASSERT(!out.hostname);
		return 0;
	}
	for (p = out.safe; *p != '\0'; p++)
		FUZZ_ASSERT(safe_byte((uint8_t)*p) || *p == '.' || *p == '?');
	for (p = out.pres; *p != '\0'; p++)
		FUZZ_ASSERT(*p >= 0x21 && *p <= 0x7e);
	model_safe(data, safe);
	FUZZ_ASSERT(strcmp(out.safe, safe) == 0);
	/* A host name is made of LDH labels only; then safe is exact. */
	FUZZ_ASSERT(out.hostname == (all_ldh(data) &&
	    dname_valid_hostname(out.safe)));
	if (out.hostname)
		FUZZ_ASSERT(strlen(out.safe) <= DNAME_TEXT_MAX - 1);
	n = pres_to_wire(out.pres, back, sizeof back);
	FUZZ_ASSERT(n == size && memcmp(back, data, size) == 0);

	/* The same octets cut short never decode. */
	FUZZ_ASSERT(dname_from_wire(data, size - 1, &out) == -1);
	FUZZ_ASSERT(dname_from_wire(NULL, size, &out) == -1);
	return 0;
}
