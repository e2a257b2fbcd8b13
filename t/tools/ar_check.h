/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ar_check.h - the RFC 8601 checker of t/tools/milterfault -A.
 */
#ifndef AR_CHECK_H
#define AR_CHECK_H

#include <stddef.h>

/*
 * Check one Authentication-Results value as rdns-milter adds it: a valid
 * RFC 8601 field (authserv-id, CFWS, quoted strings) holding exactly one
 * iprev and then one x-ptr result with only their known properties
 * (SPEC 3.1), folded only with "\n\t" or "\n ", every line (the first
 * one with "Authentication-Results: ") within 998 bytes, no byte outside
 * printable ASCII.  On success res holds the results and the longest
 * value unquoted ("iprev=pass x-ptr=none maxval=17").
 * @return 0, or -1 with *why set to a static reason.
 */
int ar_check(const char *v, char *res, size_t reslen, const char **why);

#endif
