/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_authres.c - libFuzzer target: the Authentication-Results value
 * (authres_format) for any check result, and the recognition of
 * existing fields (authres_is_ours) on any header value.
 *
 * Input: an authserv-id, then a struct check_result built field by field
 * (fuzz_check_result), then one byte for a short output buffer size.
 * The whole input, NUL-terminated, is also handed to authres_is_ours()
 * as a header value a client might send.
 *
 * Checked (fuzz_assert_authres): the RFC 5322 line rules, the RFC 8601
 * structure with exactly one iprev and one x-ptr result element, the
 * results, comments and property values against the input, and that
 * authres_is_ours() recognises the value as ours.  A buffer too short
 * gives -1 and "", never a partial value.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	struct check_result r;
	char id[2 * CHECK_VALUE_MAX + 2], buf[AUTHRES_MAX], *small, *raw;
	size_t len;
	bool id_valid;
	int rc;

	fuzz_in_init(&in, data, size);
	id_valid = fuzz_authserv_id(&in, id, sizeof id);
	fuzz_check_result(&in, &r);
	len = fuzz_u8(&in) * 4;

	memset(buf, 'x', sizeof buf);
	rc = authres_format(id, &r, buf, sizeof buf);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(memchr(buf, '\0', sizeof buf) != NULL);
	fuzz_assert_authres(buf, &r, id, id_valid);

	/* Any buffer size: the whole value or "" and -1. */
	if ((small = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	rc = authres_format(id, &r, small, len);
	if (rc == 0)
		FUZZ_ASSERT(strcmp(small, buf) == 0);
	else {
		FUZZ_ASSERT(len == 0 || small[0] == '\0');
		FUZZ_ASSERT(len <= strlen(buf));
	}
	free(small);
	FUZZ_ASSERT(authres_format(NULL, &r, buf, sizeof buf) == -1);
	FUZZ_ASSERT(authres_format(id, NULL, buf, sizeof buf) == -1);
	check_result_clear(&r);

	/* The raw input as an existing header value. */
	raw = fuzz_strndup(data, size);
	(void)authres_is_ours(raw, id);
	(void)authres_is_ours(raw, "mx.example.net");
	(void)authres_is_ours(raw, raw);
	free(raw);
	return 0;
}
