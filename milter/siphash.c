/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * siphash.c - SipHash-2-4, written from the description in the paper
 * (section 2): four 64-bit words of state, two compression rounds per
 * 8-byte block, four finalization rounds, the length in the top byte of
 * the last block.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "siphash.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* Little-endian 64-bit word at p. */
static uint64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

struct sip {
	uint64_t	v0, v1, v2, v3;
};

static void
sipround(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static void
compress(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s);
	sipround(s);
	s->v0 ^= m;
}

uint64_t
siphash24(const void *data, size_t len,
    const unsigned char key[SIPHASH_KEY_LEN])
{
	const unsigned char *p = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8), last;
	unsigned char tail[8];
	struct sip s;
	size_t i;

	s.v0 = k0 ^ 0x736f6d6570736575ULL;	/* "somepseu" */
	s.v1 = k1 ^ 0x646f72616e646f6dULL;	/* "dorandom" */
	s.v2 = k0 ^ 0x6c7967656e657261ULL;	/* "lygenera" */
	s.v3 = k1 ^ 0x7465646279746573ULL;	/* "tedbytes" */
	for (i = 0; i + 8 <= len; i += 8)
		compress(&s, le64(p + i));
	memset(tail, 0, sizeof tail);
	memcpy(tail, p + i, len - i);
	last = le64(tail) | ((uint64_t)(len & 0xff) << 56);
	compress(&s, last);
	s.v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void
siphash_random_key(unsigned char key[SIPHASH_KEY_LEN])
{
	FILE *fp = fopen("/dev/urandom", "rb");
	uint64_t a, b;

	if (fp != NULL) {
		size_t n = fread(key, 1, SIPHASH_KEY_LEN, fp);

		fclose(fp);
		if (n == SIPHASH_KEY_LEN)
			return;
	}
	/* Not secret, but not known before the run either. */
	a = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	b = (uint64_t)clock() ^ (uint64_t)(uintptr_t)&a;
	memcpy(key, &a, 8);
	memcpy(key + 8, &b, 8);
}
