/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hist.h - a log-linear histogram of microseconds, shared by threads
 * (atomic counters, no lock), for bench/milterload.
 */
#ifndef HIST_H
#define HIST_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Log-linear histogram of microseconds: values below 2048 have their own
 * bucket, above that each power of two has 1024 buckets (error < 0.1%).
 * Values are capped at 2^41 - 1 us (25 days).
 */
#define H_EXACT		2048
#define H_SUB		1024
#define H_SUB_BITS	10
#define H_MAX_EXP	40
#define H_BUCKETS	(H_EXACT + (H_MAX_EXP - 10) * H_SUB)

struct hist {
	_Atomic uint64_t count;
	_Atomic uint64_t sum;
	_Atomic uint64_t max;
	_Atomic uint64_t bucket[H_BUCKETS];
};

/* Count one value (thread-safe). */
void hist_add(struct hist *h, uint64_t v);

/* Value at percentile p (0 < p <= 100), never above the maximum; 0 for
 * an empty histogram. */
uint64_t hist_pct(struct hist *h, double p);

#endif
