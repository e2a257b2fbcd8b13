/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_util.c - helpers shared by the table-driven unit tests.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dname.h"
#include "test_util.h"

struct rdns_ip
test_util_ip(const char *s)
{
	struct rdns_ip ip;

	memset(&ip, 0, sizeof ip);
	assert_int_equal(dname_parse_ip(s, &ip), 0);
	return ip;
}
