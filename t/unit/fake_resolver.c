/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_resolver.c - see fake_resolver.h.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fake_resolver.h"

#define FAKE_MAX_ENTRIES	512
#define FAKE_MAX_RR		256
#define FAKE_MAX_QUEUE		1024

struct fake_entry {
	char		 name[300];
	int		 type;
	enum dns_result	 result;
	enum dnssec_status dnssec;
	bool		 silent;
	size_t		 count;
	uint8_t		*data[FAKE_MAX_RR];
	size_t		 len[FAKE_MAX_RR];
};

struct fake_query {
	char		 name[300];
	int		 type;
	resolver_cb	*cb;
	void		*arg;
	bool		 live;
};

static struct fake_entry	entries[FAKE_MAX_ENTRIES];
static size_t			n_entries;
static struct fake_query	queue[FAKE_MAX_QUEUE];
static size_t			q_head, q_tail;
static int			fail_submit;
static int			serve_cached;

struct submitted {
	char	name[300];
	int	type;
};
static struct submitted		log_sub[FAKE_MAX_QUEUE];
static size_t			n_sub;

static struct fake_entry *
find(const char *name, int type)
{
	size_t i;

	for (i = 0; i < n_entries; i++)
		if (entries[i].type == type &&
		    dname_equal(entries[i].name, name))
			return &entries[i];
	return NULL;
}

static struct fake_entry *
find_or_add(const char *name, int type)
{
	struct fake_entry *e = find(name, type);

	if (e != NULL)
		return e;
	if (n_entries == FAKE_MAX_ENTRIES)
		abort();
	e = &entries[n_entries++];
	memset(e, 0, sizeof *e);
	strncpy(e->name, name, sizeof e->name - 1);
	e->type = type;
	e->result = DNS_OK;
	e->dnssec = DNSSEC_INSECURE;
	return e;
}

void
fake_resolver_reset(void)
{
	size_t i, j;

	for (i = 0; i < n_entries; i++)
		for (j = 0; j < entries[i].count; j++)
			free(entries[i].data[j]);
	n_entries = 0;
	q_head = q_tail = 0;
	n_sub = 0;
	fail_submit = 0;
	serve_cached = 0;
}

void
fake_resolver_serve_cached(int on)
{
	serve_cached = on;
}

void
fake_resolver_fail_submit(int fail)
{
	fail_submit = fail;
}

static void
add_rr(struct fake_entry *e, const uint8_t *data, size_t len)
{
	if (e->count == FAKE_MAX_RR)
		abort();
	e->data[e->count] = malloc(len ? len : 1);
	memcpy(e->data[e->count], data, len);
	e->len[e->count] = len;
	e->count++;
}

/* "a.b.c" (no escapes) to wire format. */
static size_t
to_wire(const char *name, uint8_t *out, size_t outlen)
{
	size_t o = 0;
	const char *p = name;

	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || o + l + 2 > outlen)
			break;
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[o++] = 0;
	return o;
}

void
fake_resolver_add(const char *name, int type, enum dns_result result,
    enum dnssec_status dnssec, const char *const *records)
{
	struct fake_entry *e = find_or_add(name, type);
	size_t i;

	e->result = result;
	e->dnssec = dnssec;
	for (i = 0; records != NULL && records[i] != NULL; i++) {
		uint8_t buf[8192];
		size_t len = 0;

		if (type == DNS_TYPE_PTR)
			len = to_wire(records[i], buf, sizeof buf);
		else if (type == DNS_TYPE_MX) {
			/* "PREF host" */
			char *end;
			unsigned long pref = strtoul(records[i], &end, 10);

			buf[0] = (uint8_t)(pref >> 8);
			buf[1] = (uint8_t)pref;
			while (*end == ' ')
				end++;
			len = 2 + to_wire(end, buf + 2, sizeof buf - 2);
		} else if (type == DNS_TYPE_TXT) {
			/* One record; strings of 255 bytes at most, and "|"
			 * starts a new string (RFC 7208 3.3 joins them). */
			const char *p = records[i];

			while (*p != '\0' && len + 256 <= sizeof buf) {
				size_t l = strcspn(p, "|");

				if (l > 255)
					l = 255;
				buf[len++] = (uint8_t)l;
				memcpy(buf + len, p, l);
				len += l;
				p += l;
				if (*p == '|')
					p++;
			}
			if (len == 0)
				buf[len++] = 0;
		}
		else if (type == DNS_TYPE_A) {
			if (inet_pton(AF_INET, records[i], buf) != 1)
				abort();
			len = 4;
		} else if (type == DNS_TYPE_AAAA) {
			if (inet_pton(AF_INET6, records[i], buf) != 1)
				abort();
			len = 16;
		}
		add_rr(e, buf, len);
	}
}

void
fake_resolver_add_raw(const char *name, int type, enum dnssec_status dnssec,
    const uint8_t *data, size_t len)
{
	struct fake_entry *e = find_or_add(name, type);

	e->dnssec = dnssec;
	add_rr(e, data, len);
}

void
fake_resolver_add_silent(const char *name, int type)
{
	find_or_add(name, type)->silent = true;
}

static int
fake_submit(void *res, const char *name, int type, resolver_cb *cb,
    void *arg, void **handle)
{
	struct fake_query *q;

	(void)res;
	if (fail_submit)
		return -1;
	if (q_tail == FAKE_MAX_QUEUE)
		return -1;
	q = &queue[q_tail++];
	memset(q, 0, sizeof *q);
	strncpy(q->name, name, sizeof q->name - 1);
	q->type = type;
	q->cb = cb;
	q->arg = arg;
	q->live = true;
	if (n_sub < FAKE_MAX_QUEUE) {
		strncpy(log_sub[n_sub].name, name, sizeof log_sub[n_sub].name - 1);
		log_sub[n_sub].name[sizeof log_sub[n_sub].name - 1] = '\0';
		log_sub[n_sub].type = type;
		n_sub++;
	}
	*handle = q;
	return 0;
}

static int
fake_cancel(void *res, void *handle)
{
	struct fake_query *q = handle;

	(void)res;
	if (!q->live)
		return -1;
	q->live = false;
	return 0;
}

static struct dns_answer *make_answer(const struct fake_query *q);

/* With serve_cached on, every table entry (silent ones excepted) is a
 * cache hit, as resolver_cached() would give it. */
static struct dns_answer *
fake_cached(void *res, const char *name, int type)
{
	struct fake_query q;
	const struct fake_entry *e;

	(void)res;
	if (!serve_cached || (e = find(name, type)) == NULL || e->silent)
		return NULL;
	memset(&q, 0, sizeof q);
	strncpy(q.name, name, sizeof q.name - 1);
	q.type = type;
	return make_answer(&q);
}

const struct resolver_ops fake_resolver_ops = {
	.submit = fake_submit,
	.cancel = fake_cancel,
	.cached = fake_cached,
};

static struct dns_answer *
make_answer(const struct fake_query *q)
{
	const struct fake_entry *e = find(q->name, q->type);
	struct dns_answer *ans;
	size_t i;

	if (e == NULL)
		return dns_answer_new(DNS_NXDOMAIN, DNSSEC_INSECURE);
	ans = dns_answer_new(e->result, e->dnssec);
	if (ans == NULL || e->result != DNS_OK || e->count == 0) {
		if (ans != NULL && e->result == DNS_OK)
			ans->result = DNS_NODATA;
		return ans;
	}
	ans->rr = calloc(e->count, sizeof *ans->rr);
	for (i = 0; i < e->count; i++) {
		ans->rr[i].data = malloc(e->len[i] ? e->len[i] : 1);
		memcpy(ans->rr[i].data, e->data[i], e->len[i]);
		ans->rr[i].len = e->len[i];
	}
	ans->count = e->count;
	return ans;
}

size_t
fake_resolver_run(void)
{
	size_t delivered = 0, i;
	bool progress = true;

	while (progress) {
		progress = false;
		for (i = q_head; i < q_tail; i++) {
			struct fake_query *q = &queue[i];
			const struct fake_entry *e;

			if (!q->live)
				continue;
			e = find(q->name, q->type);
			if (e != NULL && e->silent)
				continue;
			q->live = false;
			q->cb(q->arg, make_answer(q));
			delivered++;
			progress = true;
		}
	}
	return delivered;
}

size_t
fake_resolver_submitted(const char *name, int type)
{
	size_t i, n = 0;

	for (i = 0; i < n_sub; i++)
		if (log_sub[i].type == type &&
		    dname_equal(log_sub[i].name, name))
			n++;
	return n;
}

size_t
fake_resolver_queued(void)
{
	size_t i, n = 0;

	for (i = q_head; i < q_tail; i++)
		if (queue[i].live)
			n++;
	return n;
}
