/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.h - RFC 8601 Authentication-Results: writing ours, finding forged.
 *
 * DESCRIPTION
 *	authres_format() writes the header value (everything after
 *	"Authentication-Results:"), SPEC 3.1:
 *
 *	    mx.example.net;
 *	    \tiprev=pass (mail.example.com; dnssec=secure) policy.iprev=203.0.113.42;
 *	    \tx-ptr=pass smtp.helo=mail.example.com policy.ptr=mail.example.com
 *
 *	as one string where folds are "\n\t" (libmilter hands the value to
 *	the MTA, which turns "\n" into CRLF).  The value starts with a space
 *	-less authserv-id.  Values that are not RFC 2045 tokens are quoted;
 *	client bytes outside printable ASCII become '?'; each value is capped
 *	at 255 bytes; DNS-derived text in comments keeps only [A-Za-z0-9._-].
 *	Folding happens between result elements and between a method's
 *	properties so that lines stay under 78 characters where the tokens
 *	allow; no line exceeds 998.
 *
 *	authres_is_ours() parses the start of an existing header value (per
 *	RFC 8601 2.2: CFWS and comments before the authserv-id, optional
 *	version after it, folded) and says whether its authserv-id equals ours
 *	(case-insensitive).
 *
 *	The methods (iprev, x-ptr) and the comment words (dnssec=, generic)
 *	are spelled by the check table (checks.h: header_kind, header).
 *
 * OWNERSHIP
 *	authres_format() writes into the caller's buffer; nothing is
 *	allocated or kept.
 *
 * THREAD SAFETY
 *	Pure.
 */
#ifndef RDNS_AUTHRES_H
#define RDNS_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include "checks.h"

/* Longest value we ever write: authserv-id (255) + two results with at most
 * six capped values each, plus folding; 4 KiB leaves ample room. */
#define AUTHRES_MAX	4096

/**
 * Write the header value for r into buf[len].
 * @return 0, or -1 if it did not fit (never with len >= AUTHRES_MAX).
 */
int authres_format(const char *authserv_id, const struct check_result *r,
    char *buf, size_t len);

/** True if the header value hv names authserv_id as its authserv-id. */
bool authres_is_ours(const char *hv, const char *authserv_id);

#endif
