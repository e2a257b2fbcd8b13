/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result_builder.c - struct rspec to struct check_result (unit tests).
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "result_builder.h"

void
result_build(const struct rspec *s, struct result_store *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	if (inet_pton(AF_INET, s->ip, &st->r.ip.u.v4) == 1)
		st->r.ip.family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, s->ip, &st->r.ip.u.v6), 1);
		st->r.ip.family = AF_INET6;
	}
	assert_true(strlen(s->ip) < sizeof(st->r.ipstr));
	strcpy(st->r.ipstr, s->ip);
	if (s->ptr != CHECK_NONE)
		st->r.ptr = s->ptr;
	else
		st->r.ptr = s->iprev == CHECK_PERMERROR ? CHECK_FAIL :
		    CHECK_PASS;
	st->r.ptr_dnssec = s->dnssec;
	for (i = 0; i < RSPEC_MAX_NAMES && s->names[i] != NULL; i++) {
		assert_true(strlen(s->names[i]) <
		    sizeof(st->names[i].name.safe));
		strcpy(st->names[i].name.safe, s->names[i]);
		strcpy(st->names[i].name.pres, s->names[i]);
		st->names[i].name.hostname = true;
		st->names[i].looked_up = true;
	}
	st->r.n_names = i;
	st->r.names = i > 0 ? st->names : NULL;
	st->r.iprev = s->iprev;
	st->r.iprev_dnssec = s->dnssec;
	st->r.verified = s->verified - 1;
	if (s->verified > 0)
		st->names[s->verified - 1].confirmed = true;
	if (s->reason != NULL) {
		assert_true(strlen(s->reason) < sizeof(st->r.reason));
		strcpy(st->r.reason, s->reason);
	}
	if (s->helo != NULL) {
		st->r.have_helo = true;
		snprintf(st->r.helo, sizeof(st->r.helo), "%s", s->helo);
	}
	st->r.xptr = s->xptr;
	st->r.helo_fwd = s->helo_fwd;
	st->r.helo_match = s->helo_match - 1;
	st->r.generic = s->generic;
	if (s->helo_org != NULL) {
		assert_true(strlen(s->helo_org) < sizeof(st->r.helo_org));
		st->r.helo_aligned = true;
		strcpy(st->r.helo_org, s->helo_org);
	}
	st->r.allowlisted = s->allowlisted;
}
