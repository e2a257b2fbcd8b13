/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_policy.c - libFuzzer target: policy decisions and SMTP reply
 * texts (policy_decide) for any check result and any Policy, and the
 * envelope recipient split (policy_split_recipient).
 *
 * Input: a struct check_result (fuzz_check_result), a struct policy
 * (fuzz_policy), two buffer sizes, then the rest as a recipient.
 *
 * Checked (fuzz_assert_policy): the action and the deciding check follow
 * SPEC 3.2 (an independent model), a temporary error never gives a 5xx,
 * accept has empty codes and text, reject is 550 5.7.25 and tempfail
 * 451 4.7.25, texts are the SPEC texts in printable ASCII with each
 * inserted value sanitised and capped.  The recipient parts fit their
 * buffers, are lower case, and the domain holds no '@'.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_util.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lower(const char *s, size_t size)
{
	FUZZ_ASSERT(memchr(s, '\0', size) != NULL);
	for (; *s != '\0'; s++)
		FUZZ_ASSERT(!(*s >= 'A' && *s <= 'Z'));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	struct check_result r;
	struct policy p;
	struct policy_decision d;
	char *rcpt, *local, *domain;
	size_t llen, dlen, n;

	fuzz_in_init(&in, data, size);
	fuzz_check_result(&in, &r);
	fuzz_policy(&in, &p);
	memset(&d, 'x', sizeof d);
	policy_decide(&r, &p, &d);
	fuzz_assert_policy(&r, &p, &d);
	if (!policy_needs_verdict(&p))
		FUZZ_ASSERT(d.action == ACTION_ACCEPT);
	FUZZ_ASSERT(strcmp(check_name(d.check), "unknown") != 0);
	FUZZ_ASSERT(strcmp(policy_action_str(d.action), "unknown") != 0);
	policy_decide(NULL, &p, &d);
	FUZZ_ASSERT(d.action == ACTION_ACCEPT && d.rcode[0] == '\0');
	policy_decide(&r, NULL, &d);
	FUZZ_ASSERT(d.action == ACTION_ACCEPT && d.rcode[0] == '\0');
	check_result_clear(&r);

	/* The recipient split, into buffers of exact sizes. */
	llen = 1 + fuzz_pick(&in, 80);
	dlen = 1 + fuzz_pick(&in, 300);
	n = in.n;
	rcpt = fuzz_strndup(in.p, n);
	local = malloc(llen);
	domain = malloc(dlen);
	if (local == NULL || domain == NULL)
		abort();
	if (policy_split_recipient(rcpt, local, llen, domain, dlen) == -1) {
		/* Never a cut part: both empty. */
		FUZZ_ASSERT(local[0] == '\0' && domain[0] == '\0');
	} else {
		check_lower(local, llen);
		check_lower(domain, dlen);
		if (strchr(rcpt, '@') == NULL)
			FUZZ_ASSERT(domain[0] == '\0');
		FUZZ_ASSERT(strchr(domain, '@') == NULL);
	}
	free(local);
	free(domain);
	/* Buffers of the recipient's size always suffice. */
	llen = dlen = strlen(rcpt) + 1;
	local = malloc(llen);
	domain = malloc(dlen);
	if (local == NULL || domain == NULL)
		abort();
	FUZZ_ASSERT(policy_split_recipient(rcpt, local, llen, domain,
	    dlen) == 0);
	free(rcpt);
	free(local);
	free(domain);
	return 0;
}
