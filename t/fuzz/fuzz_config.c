/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_config.c - libFuzzer target: rdns-milter.conf text through the
 * parser (config_load_string), as "rdns-milter -n" and a reload read it.
 *
 * The input is the file text.  The keys that read another file,
 * GenericPatterns and GenericRules, get their value replaced by one of two
 * fixed paths (a pattern or rules file next to this source, or a file
 * that does not exist), so that the fuzzer cannot make the parser read
 * /dev/urandom or a FIFO; the shipped rules are the source copy
 * (fuzz_generic_rules()).
 *
 * Checked: every error is reported as "fuzz.conf:LINE: message" (or
 * "PATTERNFILE: message" for the missing pattern file) in printable
 * ASCII; a NULL result comes with at least one error and a
 * config with none; a config holds values inside their documented
 * ranges; lookups in it work; everything is freed (LeakSanitizer).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_util.h"
#include "strbuf.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR	"."
#endif
#define PATTERNS_OK	FUZZ_SRCDIR "/t/fuzz/generic-patterns.txt"
#define PATTERNS_NONE	FUZZ_SRCDIR "/t/fuzz/no-such-file"
#define RULES_OK	"+" FUZZ_SRCDIR "/t/fuzz/generic.rules"
#define CONF_NAME	"fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct errs {
	size_t	n;
};

static void
on_error(void *arg, const char *msg)
{
	struct errs *e = arg;
	const char *p;

	e->n++;
	for (p = msg; *p != '\0'; p++)
		FUZZ_ASSERT(*p >= 0x20 && *p <= 0x7e);
	/* A pattern file's own problems name that file ("FILE: message",
	 * config.h); everything else "fuzz.conf:LINE: message". */
	if (strncmp(msg, PATTERNS_NONE ": ", strlen(PATTERNS_NONE ": ")) == 0)
		return;
	FUZZ_ASSERT(strncmp(msg, CONF_NAME ":", strlen(CONF_NAME ":")) == 0);
	p = msg + strlen(CONF_NAME ":");
	FUZZ_ASSERT(*p >= '1' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	FUZZ_ASSERT(p[0] == ':' && p[1] == ' ' && p[2] != '\0');
}

/* White space as wide as any reading of it (a superset of the parser's). */
static bool
wide_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Copy the input as text, stopping at a NUL byte (config_load_string
 * takes a C string), with the value of every GenericPatterns and
 * GenericRules line replaced by a fixed path.
 */
static char *
make_text(const uint8_t *data, size_t size)
{
	static const char key[] = "genericpatterns", key2[] = "genericrules";
	size_t cap = size + 1, o = 0, i = 0;
	char *t;

	if ((t = malloc(cap)) == NULL)
		abort();
	while (i < size && data[i] != '\0') {
		size_t start = i, k, e;

		while (i < size && data[i] != '\0' && data[i] != '\n')
			i++;
		/* Line [start, i). */
		for (k = start; k < i && wide_space((char)data[k]); k++)
			;
		for (e = k; e < i && !wide_space((char)data[e]); e++)
			;
		if ((e - k == sizeof key - 1 &&
		    str_nieq((const char *)data + k, key, sizeof key - 1)) ||
		    (e - k == sizeof key2 - 1 &&
		    str_nieq((const char *)data + k, key2, sizeof key2 - 1))) {
			bool rules = e - k == sizeof key2 - 1;
			const char *path;
			size_t v = e, need;

			while (v < i && wide_space((char)data[v]))
				v++;
			path = v < i && (data[v] & 1) ? PATTERNS_NONE :
			    rules ? RULES_OK : PATTERNS_OK;
			need = (e - start) + 1 + strlen(path) + 2;

			if (o + need >= cap) {
				cap = o + need + size + 1;
				if ((t = realloc(t, cap)) == NULL)
					abort();
			}
			memcpy(t + o, data + start, e - start);
			o += e - start;
			t[o++] = ' ';
			memcpy(t + o, path, strlen(path));
			o += strlen(path);
		} else {
			if (o + (i - start) + 2 >= cap) {
				cap = o + (i - start) + size + 2;
				if ((t = realloc(t, cap)) == NULL)
					abort();
			}
			memcpy(t + o, data + start, i - start);
			o += i - start;
		}
		if (i < size && data[i] == '\n')
			t[o++] = data[i++];
	}
	t[o] = '\0';
	return t;
}

static void check_print(const struct config *cf);

static void
check_config(const struct config *cf, const uint8_t *data, size_t size)
{
	const struct policy *p;
	char dom[64];
	size_t i, j, n;

	FUZZ_ASSERT(cf->authserv_id != NULL);
	FUZZ_ASSERT(strlen(cf->authserv_id) <= CHECK_VALUE_MAX);
	FUZZ_ASSERT(text_is_token(cf->authserv_id));
	FUZZ_ASSERT(cf->socket != NULL && cf->socket[0] != '\0');
	FUZZ_ASSERT(cf->dns_timeout >= 1 &&
	    cf->dns_timeout <= CONFIG_MAX_TIMEOUT);
	FUZZ_ASSERT(cf->max_ptr_names >= 1 &&
	    cf->max_ptr_names <= CONFIG_MAX_MAXPTR);
	FUZZ_ASSERT(cf->generic != NULL);
	FUZZ_ASSERT((cf->umask & ~07777u) == 0);
	for (i = 0; i < cf->n_trusted; i++) {
		const struct cidr *c = &cf->trusted[i];

		FUZZ_ASSERT(c->family == AF_INET || c->family == AF_INET6);
		FUZZ_ASSERT(c->prefix >= 0 &&
		    c->prefix <= (c->family == AF_INET ? 32 : 128));
	}
	for (i = 0; i < cf->n_exempt; i++)
		for (j = 0; cf->exempt[i][j] != '\0'; j++)
			FUZZ_ASSERT(!(cf->exempt[i][j] >= 'A' &&
			    cf->exempt[i][j] <= 'Z'));
	for (i = 0; i < cf->n_policies; i++) {
		const char *d = cf->policies[i].domain;

		FUZZ_ASSERT(d != NULL && d[0] != '\0');
		n = strlen(d);
		FUZZ_ASSERT(strcmp(d, ".") == 0 || d[n - 1] != '.');
		for (j = 0; j < n; j++)
			FUZZ_ASSERT(!(d[j] >= 'A' && d[j] <= 'Z'));
		FUZZ_ASSERT(cf->policies[i].act[CHECK_ID_TEMPERROR] ==
		    ACTION_ACCEPT || cf->policies[i].act[CHECK_ID_TEMPERROR] ==
		    ACTION_TEMPFAIL);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(cf->policies[j].domain, d) != 0);
		/* The exact entry is the one found for its own domain. */
		if (d[0] != '.' && strcmp(d, "*") != 0)
			FUZZ_ASSERT(config_policy_for(cf, d) ==
			    &cf->policies[i]);
	}
	/* A lookup with a domain taken from the input always answers. */
	n = size < sizeof dom - 1 ? size : sizeof dom - 1;
	memcpy(dom, data, n);
	dom[n] = '\0';
	p = config_policy_for(cf, dom);
	FUZZ_ASSERT(p != NULL);
	(void)config_is_exempt(cf, dom);
	(void)config_is_exempt(cf, "postmaster");
	check_print(cf);
}

/* config_print() of cf into a malloc'd string (rdns-milter -n -v). */
static char *
print_config(const struct config *cf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	FUZZ_ASSERT(fp != NULL);
	FUZZ_ASSERT(config_print(cf, fp) == 0);
	FUZZ_ASSERT(fclose(fp) == 0);
	return buf;
}

/* The effective configuration reads back to one that prints the same. */
static void
check_print(const struct config *cf)
{
	struct errs e = { 0 };
	struct config *again;
	char *out, *out2;

	out = print_config(cf);
	again = config_load_string("printed", out, on_error, &e);
	FUZZ_ASSERT(again != NULL);
	out2 = print_config(again);
	FUZZ_ASSERT(strcmp(out, out2) == 0);
	free(out2);
	free(out);
	config_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errs e = { 0 };
	struct config *cf;
	char *text;
	bool b;

	(void)fuzz_generic_rules();
	text = make_text(data, size);
	cf = config_load_string(CONF_NAME, text, on_error, &e);
	if (cf == NULL)
		FUZZ_ASSERT(e.n > 0);
	else {
		FUZZ_ASSERT(e.n == 0);
		check_config(cf, data, size);
		config_free(cf);
	}
	/* The yes/no parser on the first line. */
	text[strcspn(text, "\n")] = '\0';
	if (config_parse_bool(text, &b) == 0)
		FUZZ_ASSERT(strlen(text) <= 5);
	free(text);
	return 0;
}
