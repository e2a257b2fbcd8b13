/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hist.c - milterload's latency histograms (see hist.h).
 */
#include "autoconf.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

static size_t
hist_index(uint64_t v)
{
	unsigned e;

	if (v < H_EXACT)
		return (size_t)v;
	if (v >= (UINT64_C(1) << (H_MAX_EXP + 1)))
		v = (UINT64_C(1) << (H_MAX_EXP + 1)) - 1;
	e = 63 - (unsigned)__builtin_clzll(v);
	return H_EXACT + (size_t)(e - 11) * H_SUB +
	    (size_t)((v >> (e - H_SUB_BITS)) - H_SUB);
}

/* Middle of a bucket (exact below H_EXACT). */
static uint64_t
hist_value(size_t i)
{
	unsigned e;
	uint64_t sub, lo;

	if (i < H_EXACT)
		return i;
	e = 11 + (unsigned)((i - H_EXACT) / H_SUB);
	sub = (i - H_EXACT) % H_SUB;
	lo = (H_SUB + sub) << (e - H_SUB_BITS);
	return lo + ((UINT64_C(1) << (e - H_SUB_BITS)) >> 1);
}

void
hist_add(struct hist *h, uint64_t v)
{
	uint64_t m;

	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, v, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->bucket[hist_index(v)], 1,
	    memory_order_relaxed);
	m = atomic_load_explicit(&h->max, memory_order_relaxed);
	while (v > m && !atomic_compare_exchange_weak(&h->max, &m, v))
		;
}

uint64_t
hist_pct(struct hist *h, double p)
{
	uint64_t n, rank, cum = 0, v, max;
	size_t i;

	n = atomic_load(&h->count);
	max = atomic_load(&h->max);
	if (n == 0)
		return 0;
	rank = (uint64_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < H_BUCKETS; i++) {
		cum += atomic_load(&h->bucket[i]);
		if (cum >= rank) {
			v = hist_value(i);
			return v > max ? max : v;
		}
	}
	return max;
}
