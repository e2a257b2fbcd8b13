/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * naive - a sequential reverse-DNS check, the baseline for the cold-cache
 * benchmark.
 *
 * SYNOPSIS
 *	naive -C UNBOUND_CONF -i IPFILE [-n COUNT] [-c THREADS] [-m MAXNAMES]
 *	    [-P IP [-P NAME]] [-j]
 *
 * DESCRIPTION
 *	Checks each address the way a simple filter would, one blocking
 *	ub_resolve() after the other: the PTR lookup, then for each PTR name
 *	(up to -m, default 10) its A and then its AAAA lookup, then the HELO
 *	name's A and then AAAA.  The HELO name is the second column of the
 *	IP file (as "milterload -H @ptr" sends it), so it usually equals the
 *	PTR name and its lookups are answered from the cache.  Nothing runs
 *	in parallel within one address; -c threads (default 1) each take the
 *	next address, like milterload's workers take the next session.
 *
 *	The libunbound context is configured like rdns-milter's with
 *	"ResolverConfig UNBOUND_CONF" and "TrustAnchorFile none": ub_ctx_config
 *	only, DNSSEC validation with the anchors the file names.  The context
 *	starts empty, so with distinct addresses every lookup is a cache
 *	miss, except for data an earlier address already brought in.  -P
 *	primes the cache before the clock starts: an address is checked, a
 *	name looked up (A), untimed (to fetch the zones' DNSKEY records, as
 *	a running resolver has them already).
 *
 *	Prints the time per address (from the PTR query to the last answer)
 *	as count, mean, p50, p90, p99 and max in microseconds, and the wall
 *	time; -j prints one JSON object instead.  Lookups that fail are
 *	counted; the time still counts.
 *
 * EXIT STATUS
 *	0, 1 on an error (configuration, file), 64 on a usage error.
 */
#include "autoconf.h"	/* the autoconf results (see milter/config.h) */

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#define EX_USAGE_CODE	64	/* sysexits.h EX_USAGE */
#define MAX_THREADS	1000
#define NAME_MAX_TEXT	1025	/* RFC 1035: 255 wire bytes, every byte
				   as \DDD (4 chars) plus dots and NUL */
/* RFC 3596 2.5: 32 nibbles, 32 dots and "ip6.arpa" (and a NUL). */
#define REVERSE_MAX	74
#define LINE_MAX_LEN	1024

#define TYPE_A		1
#define TYPE_PTR	12
#define TYPE_AAAA	28

struct client {
	char	 rev[REVERSE_MAX];	/* the reverse name */
	char	*helo;			/* second column, or NULL */
};

static struct ub_ctx *ctx;
static struct client *clients;
static size_t nclients;
static uint64_t *lat;		/* per address, microseconds */
static _Atomic size_t next_client;
static _Atomic unsigned long n_lookups, n_failed;
static unsigned max_names = 10;

#define MAX_PRIME	8

static void
usage(void)
{
	fprintf(stderr, "usage: naive -C UNBOUND_CONF -i IPFILE [-n COUNT] "
	    "[-c THREADS] [-m MAXNAMES] [-P IP|NAME]... [-j]\n");
	exit(EX_USAGE_CODE);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static unsigned long
parse_ulong(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* The reverse lookup name of a text address (in-addr.arpa, ip6.arpa).
 * @return 0, or -1 if it is not an address. */
static int
reverse_name(const char *ip, char *out, size_t outlen)
{
	unsigned char a[16];
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (inet_pton(AF_INET, ip, a) == 1) {
		if (snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa.", a[3],
		    a[2], a[1], a[0]) >= (int)outlen)
			return -1;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1 || outlen < REVERSE_MAX)
		return -1;
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[a[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa.", sizeof "ip6.arpa.");
	return 0;
}

/* A PTR rdata (uncompressed wire format) as text; every byte outside
 * [A-Za-z0-9-_] is refused.  @return 0 or -1. */
static int
wire_to_text(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0, l, k;

	while (i < len) {
		l = p[i++];
		if (l == 0)
			break;
		if (l > 63 || l > len - i || o + l + 2 > outlen)
			return -1;
		for (k = 0; k < l; k++) {
			unsigned char c = p[i + k];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_'))
				return -1;
			out[o++] = (char)c;
		}
		out[o++] = '.';
		i += l;
	}
	if (o == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

/* One blocking lookup; the result is freed here unless kept.
 * @return the result (caller frees) when keep, else NULL. */
static struct ub_result *
lookup(const char *name, int type, bool keep)
{
	struct ub_result *r = NULL;
	int rc;

	atomic_fetch_add(&n_lookups, 1);
	rc = ub_resolve(ctx, name, type, 1 /* IN */, &r);
	if (rc != 0 || r == NULL || r->bogus || (r->rcode != 0 &&
	    r->rcode != 3))
		atomic_fetch_add(&n_failed, 1);
	if (rc != 0) {
		r = NULL;
	} else if (!keep) {
		ub_resolve_free(r);
		r = NULL;
	}
	return r;
}

static void
check_one(size_t idx)
{
	const struct client *cl = &clients[idx];
	struct ub_result *r;
	char name[NAME_MAX_TEXT];
	uint64_t t0 = now_us();
	unsigned n;
	int i;

	r = lookup(cl->rev, TYPE_PTR, true);
	if (r != NULL && r->havedata && !r->bogus) {
		for (i = 0, n = 0; r->data[i] != NULL && n < max_names;
		    i++) {
			if (r->len[i] <= 0 || wire_to_text(
			    (const unsigned char *)r->data[i],
			    (size_t)r->len[i], name, sizeof name) == -1)
				continue;
			n++;
			(void)lookup(name, TYPE_A, false);
			(void)lookup(name, TYPE_AAAA, false);
		}
	}
	if (r != NULL)
		ub_resolve_free(r);
	if (cl->helo != NULL) {
		(void)lookup(cl->helo, TYPE_A, false);
		(void)lookup(cl->helo, TYPE_AAAA, false);
	}
	lat[idx] = now_us() - t0;
}

static void *
worker(void *arg)
{
	size_t i;

	(void)arg;
	while ((i = atomic_fetch_add(&next_client, 1)) < nclients)
		check_one(i);
	return NULL;
}

static int
read_ipfile(const char *path, size_t limit)
{
	char line[LINE_MAX_LEN], ip[LINE_MAX_LEN], nm[LINE_MAX_LEN];
	size_t cap = 0;
	FILE *fp;
	int f;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "naive: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (nclients < limit && fgets(line, sizeof line, fp) != NULL) {
		line[strcspn(line, "#")] = '\0';
		if ((f = sscanf(line, "%1023s %1023s", ip, nm)) < 1)
			continue;
		if (nclients == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			struct client *nc;

			if ((nc = realloc(clients, ncap * sizeof *nc)) ==
			    NULL)
				goto oom;
			clients = nc;
			cap = ncap;
		}
		memset(&clients[nclients], 0, sizeof clients[nclients]);
		if (reverse_name(ip, clients[nclients].rev,
		    sizeof clients[nclients].rev) == -1) {
			fprintf(stderr, "naive: %s: not an address: %s\n",
			    path, ip);
			fclose(fp);
			return -1;
		}
		if (f == 2 && (clients[nclients].helo = strdup(nm)) == NULL)
			goto oom;
		nclients++;
	}
	fclose(fp);
	if (nclients == 0) {
		fprintf(stderr, "naive: %s: no addresses\n", path);
		return -1;
	}
	return 0;
oom:
	fclose(fp);
	fprintf(stderr, "naive: out of memory\n");
	return -1;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
pct(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)n + 0.999999);

	if (i == 0)
		i = 1;
	return v[(i > n ? n : i) - 1];
}

int
main(int argc, char *argv[])
{
	const char *conf = NULL, *ipfile = NULL, *prime[MAX_PRIME];
	size_t nprime = 0;
	char rev[REVERSE_MAX];
	unsigned long limit = (unsigned long)-1, nthreads = 1, i;
	uint64_t t0, t1, sum = 0;
	pthread_t *tid;
	bool json = false;
	double wall;
	int ch, rc;

	while ((ch = getopt(argc, argv, "C:c:i:jm:n:P:")) != -1) {
		switch (ch) {
		case 'C':
			conf = optarg;
			break;
		case 'c':
			nthreads = parse_ulong(optarg, 1, MAX_THREADS);
			break;
		case 'i':
			ipfile = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'm':
			max_names = (unsigned)parse_ulong(optarg, 1, 1000);
			break;
		case 'n':
			limit = parse_ulong(optarg, 1, 100000000);
			break;
		case 'P':
			if (nprime == MAX_PRIME)
				usage();
			prime[nprime++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || conf == NULL || ipfile == NULL)
		usage();
	if (read_ipfile(ipfile, limit) == -1)
		return 1;
	if ((lat = calloc(nclients, sizeof *lat)) == NULL ||
	    (tid = calloc(nthreads, sizeof *tid)) == NULL) {
		fprintf(stderr, "naive: out of memory\n");
		return 1;
	}
	if ((ctx = ub_ctx_create()) == NULL) {
		fprintf(stderr, "naive: ub_ctx_create failed\n");
		return 1;
	}
	if ((rc = ub_ctx_config(ctx, conf)) != 0) {
		fprintf(stderr, "naive: %s: %s\n", conf, rc == UB_READFILE ?
		    strerror(errno) : ub_strerror(rc));
		return 1;
	}
	if (nthreads > nclients)
		nthreads = nclients;
	for (i = 0; i < nprime; i++) {
		if (reverse_name(prime[i], rev, sizeof rev) == 0)
			(void)lookup(rev, TYPE_PTR, false);
		else
			(void)lookup(prime[i], TYPE_A, false);
	}
	atomic_store(&n_lookups, 0);
	atomic_store(&n_failed, 0);
	t0 = now_us();
	for (i = 0; i < nthreads; i++)
		if ((rc = pthread_create(&tid[i], NULL, worker, NULL)) != 0) {
			fprintf(stderr, "naive: pthread_create: %s\n",
			    strerror(rc));
			return 1;
		}
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	t1 = now_us();
	wall = (double)(t1 - t0) / 1e6;
	for (i = 0; i < nclients; i++)
		sum += lat[i];
	qsort(lat, nclients, sizeof *lat, cmp_u64);
	if (json)
		printf("{\"addresses\":%zu,\"threads\":%lu,\"wall_s\":%.6f,"
		    "\"lookups\":%lu,\"failed\":%lu,\"latency_us\":{\"check\":"
		    "{\"count\":%zu,\"mean\":%" PRIu64 ",\"p50\":%" PRIu64
		    ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64
		    "}}}\n", nclients, nthreads, wall,
		    atomic_load(&n_lookups), atomic_load(&n_failed), nclients,
		    sum / nclients, pct(lat, nclients, 50),
		    pct(lat, nclients, 90), pct(lat, nclients, 99),
		    lat[nclients - 1]);
	else
		printf("naive: %zu addresses, %lu threads, wall %.3f s, %lu "
		    "lookups (%lu failed)\ncheck us: mean %" PRIu64 " p50 %"
		    PRIu64 " p90 %" PRIu64 " p99 %" PRIu64 " max %" PRIu64
		    "\n", nclients, nthreads, wall, atomic_load(&n_lookups),
		    atomic_load(&n_failed), sum / nclients,
		    pct(lat, nclients, 50), pct(lat, nclients, 90),
		    pct(lat, nclients, 99), lat[nclients - 1]);
	ub_ctx_delete(ctx);
	for (i = 0; i < nclients; i++)
		free(clients[i].helo);
	free(clients);
	free(lat);
	free(tid);
	return 0;
}
