/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mcount - a counting relay between an MTA and a milter.
 *
 * SYNOPSIS
 *	mcount -l LISTEN -s TARGET [-o FILE] [-m MODE]
 *
 * DESCRIPTION
 *	Listens on LISTEN and relays every accepted connection to the milter
 *	socket TARGET, unchanged, byte for byte.  On the way it counts the
 *	bytes and the milter protocol packets (a 4-byte big-endian length,
 *	then a command byte and length - 1 bytes of data) in each direction,
 *	and each packet's command byte.  This shows what an MTA sends a
 *	milter, and how many replies it waits for, without touching either.
 *
 *	LISTEN and TARGET are unix:/path (or local:/path, or a bare /path),
 *	inet:PORT@HOST, inet:HOST:PORT or inet6:PORT@HOST, parsed as the
 *	other bench and test tools do (t/lib/milterclient.h).  HOST must be
 *	a loopback address (127.0.0.0/8, ::1, ::ffff:127.x.x.x or
 *	localhost): this is a bench tool, never a way to reach another
 *	machine.  A stale unix socket at
 *	LISTEN is removed first; -m MODE (octal) sets its permissions (an
 *	MTA running as another user needs 666).  TCP_NODELAY is set on every
 *	TCP connection, on both sides.
 *
 *	Each connection is relayed by two threads, one per direction, so a
 *	full socket buffer in one direction never stalls the other.  The
 *	relay costs a few microseconds per packet: count with it, time
 *	without it.
 *
 *	SIGUSR1 appends the totals so far to FILE (standard output without
 *	-o) as one JSON line; SIGTERM, SIGINT and SIGHUP append them and exit
 *	with status 0.  The totals are cumulative:
 *
 *	{"connections":N,"closed":N,"errors":N,
 *	 "to_milter_bytes":N,"to_milter_packets":N,
 *	 "to_mta_bytes":N,"to_mta_packets":N,
 *	 "to_milter_cmds":{"O":N,"C":N,...},"to_mta_cmds":{"c":N,...}}
 *
 *	"connections" were accepted, "closed" have ended in both directions,
 *	"errors" are connections to TARGET that failed.  A command byte
 *	outside printable ASCII is shown as "xHH".
 *
 * EXIT STATUS
 *	0 after a stop signal, 1 on a start-up failure, 64 on a usage error.
 */
#include "autoconf.h"	/* the autoconf results (see milter/config.h) */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milterclient.h"

#define EX_USAGE_CODE	64	/* sysexits.h EX_USAGE */
#define RELAY_BUF	65536	/* bytes per read(); Postfix's body chunks */
#define THREAD_STACK	(128 * 1024)	/* the relay buffer is on the heap */

/* Counters of one direction, shared by every connection. */
struct counts {
	_Atomic uint64_t bytes;
	_Atomic uint64_t packets;
	_Atomic uint64_t cmd[256];
};

/* Where one direction of one connection is in the packet stream. */
struct parser {
	unsigned char hdr[5];	/* length (4 bytes) and command byte */
	unsigned have;		/* header bytes seen so far */
	uint32_t left;		/* data bytes of the current packet left */
};

/* One direction of one relayed connection. */
struct pump {
	int from, to;
	struct counts *c;
};

static struct mc_addr listen_ep, target_ep;
static struct counts to_milter, to_mta;
static _Atomic uint64_t n_conn, n_closed, n_errors;
static const char *report_path;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void usage(void) __attribute__((noreturn));
static void die(const char *, ...) __attribute__((format(printf, 1, 2),
    noreturn));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mcount -l LISTEN -s TARGET [-o FILE] [-m MODE]\n"
	    "  LISTEN, TARGET: unix:/path, local:/path, inet:PORT@HOST, "
	    "inet6:PORT@HOST\n"
	    "                  (loopback hosts only)\n");
	exit(EX_USAGE_CODE);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("mcount: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EX_USAGE_CODE);
}

/* Where to listen or connect; exits on a bad specification. */
static void
parse_endpoint(struct mc_addr *a, const char *spec)
{
	char err[200];

	if (mc_parse_socket(spec, a, err, sizeof err) == -1)
		die("%s", err);
}

static void
set_nodelay(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Count the packets that start in BUF[0..N) (a packet is counted as soon
 * as its length and command byte have been seen). */
static void
parse(struct parser *p, struct counts *c, const unsigned char *buf,
    size_t n)
{
	size_t take;
	uint32_t len;

	while (n > 0) {
		if (p->left > 0) {
			take = n < p->left ? n : p->left;
			p->left -= (uint32_t)take;
			buf += take;
			n -= take;
			continue;
		}
		p->hdr[p->have++] = *buf++;
		n--;
		if (p->have < 4)
			continue;
		len = (uint32_t)p->hdr[0] << 24 | (uint32_t)p->hdr[1] << 16 |
		    (uint32_t)p->hdr[2] << 8 | p->hdr[3];
		if (len == 0) {
			/* Not valid milter protocol; counted, no command. */
			atomic_fetch_add(&c->packets, 1);
			p->have = 0;
		} else if (p->have == 5) {
			atomic_fetch_add(&c->packets, 1);
			atomic_fetch_add(&c->cmd[p->hdr[4]], 1);
			p->left = len - 1;
			p->have = 0;
		}
	}
}

/* Relay one direction until end of file or an error. */
static void
pump_run(const struct pump *pu)
{
	struct parser p = { .have = 0, .left = 0 };
	unsigned char *buf;
	ssize_t n, w;
	size_t off;

	if ((buf = malloc(RELAY_BUF)) == NULL) {
		(void)shutdown(pu->from, SHUT_RDWR);
		(void)shutdown(pu->to, SHUT_RDWR);
		return;
	}
	for (;;) {
		n = read(pu->from, buf, RELAY_BUF);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		atomic_fetch_add(&pu->c->bytes, (uint64_t)n);
		parse(&p, pu->c, buf, (size_t)n);
		for (off = 0; off < (size_t)n; off += (size_t)w) {
			w = write(pu->to, buf + off, (size_t)n - off);
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				goto broken;
		}
	}
	/* End of file (or a read error): pass the end on. */
	(void)shutdown(pu->to, SHUT_WR);
	free(buf);
	return;
broken:
	/* The receiver is gone: end both directions. */
	(void)shutdown(pu->from, SHUT_RDWR);
	(void)shutdown(pu->to, SHUT_RDWR);
	free(buf);
}

static void *
pump_thread(void *arg)
{
	pump_run(arg);
	return NULL;
}

/* One accepted connection: connect to the milter, relay both ways. */
static void *
conn_thread(void *arg)
{
	int cfd = (int)(intptr_t)arg, mfd;
	struct pump up, down;
	pthread_attr_t attr;
	pthread_t t;

	mfd = socket(target_ep.ss.ss_family, SOCK_STREAM, 0);
	if (mfd == -1 || connect(mfd, (struct sockaddr *)&target_ep.ss,
	    target_ep.len) == -1) {
		atomic_fetch_add(&n_errors, 1);
		if (mfd != -1)
			close(mfd);
		close(cfd);
		atomic_fetch_add(&n_closed, 1);
		return NULL;
	}
	if (target_ep.tcp)
		set_nodelay(mfd);
	up = (struct pump){ .from = cfd, .to = mfd, .c = &to_milter };
	down = (struct pump){ .from = mfd, .to = cfd, .c = &to_mta };
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	if (pthread_create(&t, &attr, pump_thread, &down) != 0) {
		atomic_fetch_add(&n_errors, 1);
	} else {
		pump_run(&up);
		pthread_join(t, NULL);
	}
	pthread_attr_destroy(&attr);
	close(mfd);
	close(cfd);
	atomic_fetch_add(&n_closed, 1);
	return NULL;
}

static void
print_cmds(FILE *f, struct counts *c)
{
	const char *sep = "";
	uint64_t v;
	int i;

	fputc('{', f);
	for (i = 0; i < 256; i++) {
		if ((v = atomic_load(&c->cmd[i])) == 0)
			continue;
		if (i > 0x20 && i < 0x7f && i != '"' && i != '\\')
			fprintf(f, "%s\"%c\":%llu", sep, i,
			    (unsigned long long)v);
		else
			fprintf(f, "%s\"x%02x\":%llu", sep, (unsigned)i,
			    (unsigned long long)v);
		sep = ",";
	}
	fputc('}', f);
}

static void
report(void)
{
	FILE *f = stdout;

	pthread_mutex_lock(&report_lock);
	if (report_path != NULL && (f = fopen(report_path, "a")) == NULL) {
		fprintf(stderr, "mcount: %s: %s\n", report_path,
		    strerror(errno));
		pthread_mutex_unlock(&report_lock);
		return;
	}
	fprintf(f, "{\"connections\":%llu,\"closed\":%llu,\"errors\":%llu,"
	    "\"to_milter_bytes\":%llu,\"to_milter_packets\":%llu,"
	    "\"to_mta_bytes\":%llu,\"to_mta_packets\":%llu,"
	    "\"to_milter_cmds\":",
	    (unsigned long long)atomic_load(&n_conn),
	    (unsigned long long)atomic_load(&n_closed),
	    (unsigned long long)atomic_load(&n_errors),
	    (unsigned long long)atomic_load(&to_milter.bytes),
	    (unsigned long long)atomic_load(&to_milter.packets),
	    (unsigned long long)atomic_load(&to_mta.bytes),
	    (unsigned long long)atomic_load(&to_mta.packets));
	print_cmds(f, &to_milter);
	fputs(",\"to_mta_cmds\":", f);
	print_cmds(f, &to_mta);
	fputs("}\n", f);
	if (f == stdout)
		fflush(f);
	else
		fclose(f);
	pthread_mutex_unlock(&report_lock);
}

/* Signals, in their own thread: USR1 reports, the others stop. */
static void *
signal_thread(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		report();
		if (sig == SIGUSR1)
			continue;
		if (!listen_ep.tcp)
			(void)unlink(((struct sockaddr_un *)
			    &listen_ep.ss)->sun_path);
		exit(0);
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	static sigset_t set;
	const char *lspec = NULL, *tspec = NULL;
	unsigned long mode = 0;
	pthread_attr_t attr;
	pthread_t t;
	char *end;
	int ch, lfd, fd, one = 1;

	while ((ch = getopt(argc, argv, "l:m:o:s:")) != -1) {
		switch (ch) {
		case 'l':
			lspec = optarg;
			break;
		case 'm':
			errno = 0;
			mode = strtoul(optarg, &end, 8);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    mode > 0777)
				die("bad mode: %s", optarg);
			break;
		case 'o':
			report_path = optarg;
			break;
		case 's':
			tspec = optarg;
			break;
		default:
			usage();
		}
	}
	if (lspec == NULL || tspec == NULL || optind != argc)
		usage();
	parse_endpoint(&listen_ep, lspec);
	parse_endpoint(&target_ep, tspec);

	/* Before any thread: signals go to the signal thread only. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if ((lfd = socket(listen_ep.ss.ss_family, SOCK_STREAM, 0)) == -1) {
		perror("mcount: socket");
		return 1;
	}
	if (listen_ep.tcp)
		(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof one);
	else
		(void)unlink(((struct sockaddr_un *)&listen_ep.ss)->sun_path);
	if (bind(lfd, (struct sockaddr *)&listen_ep.ss, listen_ep.len) ==
	    -1 || listen(lfd, 1024) == -1) {
		fprintf(stderr, "mcount: %s: %s\n", lspec, strerror(errno));
		return 1;
	}
	if (!listen_ep.tcp && mode != 0 &&
	    chmod(((struct sockaddr_un *)&listen_ep.ss)->sun_path,
	    (mode_t)mode) == -1) {
		fprintf(stderr, "mcount: chmod %s: %s\n", lspec,
		    strerror(errno));
		return 1;
	}

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, signal_thread, &set) != 0) {
		fputs("mcount: cannot start the signal thread\n", stderr);
		return 1;
	}
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd == -1) {
			if (errno != EINTR && errno != ECONNABORTED)
				perror("mcount: accept");
			if (errno == EMFILE || errno == ENFILE)
				sleep(1);
			continue;
		}
		atomic_fetch_add(&n_conn, 1);
		if (listen_ep.tcp)
			set_nodelay(fd);
		if (pthread_create(&t, &attr, conn_thread,
		    (void *)(intptr_t)fd) != 0) {
			atomic_fetch_add(&n_errors, 1);
			atomic_fetch_add(&n_closed, 1);
			close(fd);
		}
	}
}
