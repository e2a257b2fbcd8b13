/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * orgdomain.c - organizational domains (Public Suffix List) and domain
 * lists; the contract is in orgdomain.h.
 *
 * The longest public suffix of a name is found by asking libpsl, from the
 * left, whether each tail of the name (the whole name, then without its
 * first label, ...) is an ICANN public suffix: the first tail that is one
 * is the longest.  The organizational domain is that tail with the label
 * before it.  libpsl does the suffix logic (wildcards, exceptions, the
 * implicit "*" rule); this file only walks the labels.
 */
#include "autoconf.h"

#include <libpsl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "dname.h"
#include "orgdomain.h"
#include "strbuf.h"
#include "text.h"

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl_ctx;

static void
psl_load(void)
{
	/* NULL: the distribution's file (PSL_DISTFILE), or the built-in
	 * list if that is older or missing.  psl_latest() only fails when
	 * neither loads; the built-in list is the last resort. */
	psl_ctx = psl_latest(NULL);
	if (psl_ctx == NULL)
		psl_ctx = psl_builtin();
}

static const psl_ctx_t *
psl(void)
{
	(void)pthread_once(&psl_once, psl_load);
	return psl_ctx;
}

bool
orgdomain_available(void)
{
	return psl() != NULL;
}

int
orgdomain_offset(const char *name)
{
	const psl_ctx_t *ctx = psl();
	size_t len, prev, i;

	if (ctx == NULL || name == NULL)
		return -1;
	len = strnlen(name, DNAME_TEXT_MAX);
	if (len == 0 || len >= DNAME_TEXT_MAX || name[len - 1] == '.' ||
	    name[0] == '.')
		return -1;
	/* Host names only (lower case, as the callers prepare them): no
	 * byte that libpsl would try to convert as an IDN. */
	for (i = 0; i < len; i++)
		if (!text_is_lower((unsigned char)name[i]) &&
		    !text_is_digit((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_' && name[i] != '.')
			return -1;
	/* prev: start of the label before the tail at i. */
	prev = SIZE_MAX;
	for (i = 0; i < len; ) {
		if (psl_is_public_suffix2(ctx, name + i, PSL_TYPE_ICANN))
			return prev == SIZE_MAX ? -1 : (int)prev;
		prev = i;
		while (i < len && name[i] != '.')
			i++;
		if (i < len)
			i++;		/* past the dot */
		if (i < len && name[i] == '.')
			return -1;	/* empty label */
	}
	/* No tail is a suffix: cannot happen with the implicit "*" rule,
	 * but then there is no organizational domain either. */
	return -1;
}

int
orgdomain_of(const char *name, char *out, size_t outlen)
{
	char buf[DNAME_TEXT_MAX];
	size_t len;
	int off;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if ((len = dname_lower(name, buf)) == 0 ||
	    (off = orgdomain_offset(buf)) < 0)
		return -1;
	if (len - (size_t)off >= outlen)
		return -1;
	memcpy(out, buf + off, len - (size_t)off + 1);
	return 0;
}

bool
orgdomain_list_match(char *const *list, size_t n, const char *name)
{
	char buf[DNAME_TEXT_MAX];
	size_t len, i;

	if (list == NULL || (len = dname_lower(name, buf)) == 0)
		return false;
	for (i = 0; i < n; i++)
		if (dname_pattern_match(list[i], buf, len))
			return true;
	return false;
}
