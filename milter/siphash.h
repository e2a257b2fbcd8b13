/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * siphash.h - SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012): a keyed hash for tables whose keys come from
 * hostile input.  Without the 16-byte key, colliding inputs cannot be
 * chosen in advance, so a table keyed with a secret random key keeps its
 * expected probe count whatever the input holds.
 *
 * OWNERSHIP
 *	The caller's key and input; nothing is allocated or kept.
 *
 * THREAD SAFETY
 *	Pure.
 */
#ifndef RDNS_SIPHASH_H
#define RDNS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

/** SipHash-2-4 of data[len] under key (16 bytes), 64-bit output. */
uint64_t siphash24(const void *data, size_t len,
    const unsigned char key[SIPHASH_KEY_LEN]);

/**
 * Fill key with unpredictable bytes (/dev/urandom; the time and the
 * process id if it cannot be read).
 */
void siphash_random_key(unsigned char key[SIPHASH_KEY_LEN]);

#endif
