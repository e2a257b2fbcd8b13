/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_util.h - shared helpers of the libFuzzer targets in t/fuzz.
 *
 * DESCRIPTION
 *	A byte reader that turns the fuzz input into structured values (it
 *	never fails: an exhausted input reads as zero bytes), builders for
 *	struct check_result and struct policy, and the invariant checks of
 *	the Authentication-Results value and of policy decisions, shared by
 *	the targets that produce them.  A violated invariant prints what and
 *	where, then abort()s so that libFuzzer records the input as a crash.
 */
#ifndef RDNS_FUZZ_UTIL_H
#define RDNS_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "dname.h"
#include "policy.h"

/* The fuzz input, read front to back. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		 n;
};

/** Abort with a message: an invariant does not hold. */
void fuzz_fail(const char *what, const char *file, int line)
    __attribute__((noreturn));

#define FUZZ_ASSERT(c)	((c) ? (void)0 : fuzz_fail(#c, __FILE__, __LINE__))

/** Start reading data[size]. */
void fuzz_in_init(struct fuzz_in *in, const uint8_t *data, size_t size);

/** Next byte, 0 when the input is exhausted. */
uint8_t fuzz_u8(struct fuzz_in *in);

/** Next byte modulo n (n > 0). */
unsigned fuzz_pick(struct fuzz_in *in, unsigned n);

/** A length: one byte, and a second one added when the first is 255. */
size_t fuzz_len(struct fuzz_in *in);

/** Copy up to max of the next bytes into dst.  @return bytes copied. */
size_t fuzz_bytes(struct fuzz_in *in, void *dst, size_t max);

/**
 * A string: fuzz_len() bytes (at most size - 1), any byte values; dst is
 * NUL-terminated (an embedded NUL byte ends it early).
 * @return the number of bytes taken from the input.
 */
size_t fuzz_str(struct fuzz_in *in, char *dst, size_t size);

/** malloc()ed NUL-terminated copy of d[n] (aborts if out of memory). */
char *fuzz_strndup(const uint8_t *d, size_t n);

/**
 * The shipped generic rules (the source copy, FUZZ_SRCDIR/data), loaded
 * once and kept; RDNS_MILTER_GENERIC_RULES is pointed at the same file,
 * so that configurations loaded in the target find it.  Aborts if they
 * cannot be loaded.
 */
struct generic_patterns *fuzz_generic_rules(void);

/** A client address: family from one byte, then 4 or 16 bytes. */
void fuzz_ip(struct fuzz_in *in, struct rdns_ip *ip);

/**
 * Fill r from the input as the check engine might (and as it should not:
 * any enum value in range, any bytes in every text field, indexes that
 * may be out of range).  r->names is allocated; free it with
 * check_result_clear().
 */
void fuzz_check_result(struct fuzz_in *in, struct check_result *r);

/** A Policy with any actions (temperror may even be reject). */
void fuzz_policy(struct fuzz_in *in, struct policy *p);

/**
 * An authserv-id: a valid one (an RFC 2045 token of 1..255 bytes, as the
 * configuration accepts) unless the input asks for raw bytes.
 * @return true if the id is a valid one.
 */
bool fuzz_authserv_id(struct fuzz_in *in, char *id, size_t size);

/**
 * Check a value written by authres_format() for r: RFC 5322 line rules
 * (no CR, no NUL, every LF followed by TAB, lines of at most 998 bytes,
 * printable ASCII), the RFC 8601 structure (authserv-id; exactly one
 * iprev and then one x-ptr result with their properties), the results
 * and the property values against r, and authres_is_ours() when the id
 * is valid.
 */
void fuzz_assert_authres(const char *hv, const struct check_result *r,
    const char *id, bool id_valid);

/**
 * Check a decision of policy_decide(r, p) against SPEC 3.2 (an
 * independent model of the rules and texts).
 */
void fuzz_assert_policy(const struct check_result *r,
    const struct policy *p, const struct policy_decision *d);

/** UBSan: stop at the first report so that libFuzzer sees a crash. */
const char *__ubsan_default_options(void);

#endif
