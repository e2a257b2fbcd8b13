/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsdelay - a DNS relay on 127.0.0.1 that adds a fixed round-trip time.
 *
 * SYNOPSIS
 *	dnsdelay -u PORT -d MS [-p PORT] [-l SECONDS] [-w PID]
 *
 * DESCRIPTION
 *	Listens on 127.0.0.1 (UDP and TCP on the same port: -p, or one the
 *	kernel picks, printed as "port N" on stdout once ready) and relays
 *	every message to the name server on 127.0.0.1 port -u, holding each
 *	message for half of -d milliseconds in each direction, so that one
 *	query and its answer take -d ms more than without the relay.  It
 *	stands in for "tc qdisc ... netem delay", which needs the sch_netem
 *	kernel module.
 *
 *	UDP: every query gets a fresh DNS ID towards the server (the client's
 *	ID and address are kept in a table of 65536 entries, indexed by the
 *	new ID), so answers go back to the right client whatever its port.
 *	An answer with an ID that is not pending is dropped.  TCP: each
 *	accepted connection gets its own connection to the server; bytes are
 *	passed on in the chunks they were read in, each chunk and each end of
 *	stream held for the same half delay.
 *
 *	The delay is the same for every message, so the messages waiting to
 *	be sent, kept in one FIFO, are always in the order they are due.
 *	Nothing is dropped or reordered.
 *
 *	Only 127.0.0.0/8 is used.  The relay stops on SIGTERM or SIGINT, at
 *	the end of its lifetime (-l, default 3600 s) or when the process given
 *	with -w dies, and then prints its counters on stderr.
 *
 * EXIT STATUS
 *	0 on a clean stop, 1 on a failure, 64 on a usage error.
 */
#include "autoconf.h"	/* the autoconf results (see milter/config.h) */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EX_USAGE_CODE	64	/* sysexits.h EX_USAGE */

/* RFC 1035 4.1.1: the fixed header; the ID is its first two bytes. */
#define HDR_LEN		12
/* RFC 1035 4.2.2: TCP messages carry a 16-bit length, and EDNS UDP
 * payloads are below 65536 too, so 65535 bounds every read. */
#define MSG_MAX		65535
#define MAX_CONNS	256	/* TCP connection pairs at once */
#define ID_SLOTS	65536	/* one per 16-bit DNS ID */
/* An ID whose answer never came is reused after this long. */
#define ID_STALE_NS	(30LL * 1000000000LL)

enum ev_kind {
	EV_UDP_UP,	/* a query to the server */
	EV_UDP_DOWN,	/* an answer to a client */
	EV_TCP_DATA,	/* bytes for one side of a TCP pair */
	EV_TCP_EOF,	/* end of stream for one side */
};

/* A TCP client connection and its connection to the server. */
struct conn {
	int		 fd[2];		/* 0: client, 1: server; -1 closed */
	bool		 eof_read[2];	/* read end of stream from fd[i] */
	bool		 eof_sent[2];	/* shut down the write side of fd[i] */
	unsigned	 refs;		/* events pending + 1 while open */
	bool		 used;
};

/* A message waiting for its time. */
struct event {
	struct event	*next;
	int64_t		 due;		/* CLOCK_MONOTONIC, ns */
	enum ev_kind	 kind;
	struct conn	*conn;		/* TCP */
	int		 side;		/* TCP: index of the fd to write */
	struct sockaddr_in to;		/* EV_UDP_DOWN */
	size_t		 len;
	unsigned char	 data[];
};

/* A pending UDP query, indexed by the ID it was given. */
struct idslot {
	bool		 used;
	uint16_t	 client_id;
	struct sockaddr_in client;
	int64_t		 since;
};

static volatile sig_atomic_t stop;
static struct event *head, *tail;
static struct idslot *ids;
static uint16_t next_id;
static struct conn conns[MAX_CONNS];
static int64_t half_ns;
static unsigned long n_queries, n_answers, n_dropped, n_tcp;
static unsigned char buf[MSG_MAX];	/* one thread: one read buffer */

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: dnsdelay -u PORT -d MS [-p PORT] "
	    "[-l SECONDS] [-w PID]\n");
	exit(EX_USAGE_CODE);
}

static long
parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* Queue a message; it is due half a delay from now.  @return 0 or -1. */
static int
enqueue(enum ev_kind kind, struct conn *c, int side,
    const struct sockaddr_in *to, const void *data, size_t len)
{
	struct event *e;

	if ((e = malloc(sizeof *e + len)) == NULL)
		return -1;
	e->next = NULL;
	e->due = now_ns() + half_ns;
	e->kind = kind;
	e->conn = c;
	e->side = side;
	if (to != NULL)
		e->to = *to;
	e->len = len;
	if (len > 0)
		memcpy(e->data, data, len);
	if (c != NULL)
		c->refs++;
	if (tail != NULL)
		tail->next = e;
	else
		head = e;
	tail = e;
	return 0;
}

static void
conn_unref(struct conn *c)
{
	int i;

	if (--c->refs > 0)
		return;
	for (i = 0; i < 2; i++)
		if (c->fd[i] != -1)
			close(c->fd[i]);
	memset(c, 0, sizeof *c);
}

/* Stop reading a pair (an error or both ends done); frees it when no
 * event refers to it any more. */
static void
conn_close(struct conn *c)
{
	int i;

	if (!c->used)
		return;
	for (i = 0; i < 2; i++)
		if (c->fd[i] != -1) {
			close(c->fd[i]);
			c->fd[i] = -1;
		}
	c->used = false;
	conn_unref(c);		/* the reference of the open pair */
}

static int
bind_local(int type, uint16_t port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	if ((fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 128) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bind UDP and TCP to one port (the kernel picks it when port is 0).
 * @return the port, or 0. */
static uint16_t
open_listeners(uint16_t want, int *udp, int *tcp)
{
	struct sockaddr_in sin;
	socklen_t sl;
	int try;

	for (try = 0; try < 64; try++) {
		if ((*udp = bind_local(SOCK_DGRAM, want)) == -1)
			return 0;
		sl = sizeof sin;
		if (getsockname(*udp, (struct sockaddr *)&sin, &sl) == -1) {
			close(*udp);
			return 0;
		}
		if ((*tcp = bind_local(SOCK_STREAM, ntohs(sin.sin_port))) !=
		    -1)
			return ntohs(sin.sin_port);
		close(*udp);
		if (want != 0)
			return 0;
	}
	return 0;
}

static void
upstream_addr(struct sockaddr_in *sin, uint16_t port)
{
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* A query from a client: give it a free ID and queue it. */
static void
udp_query(int lfd)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	struct idslot *sl;
	int64_t now = now_ns();
	ssize_t n;
	unsigned tries;

	for (;;) {
		n = recvfrom(lfd, buf, sizeof buf, 0, (struct sockaddr *)&from,
		    &fl);
		if (n < 0)
			return;		/* EAGAIN: drained */
		if (n < HDR_LEN || fl != sizeof from ||
		    from.sin_family != AF_INET) {
			n_dropped++;
			fl = sizeof from;
			continue;
		}
		for (tries = 0; tries < ID_SLOTS; tries++) {
			sl = &ids[next_id];
			if (!sl->used || now - sl->since > ID_STALE_NS)
				break;
			next_id++;
		}
		if (tries == ID_SLOTS) {
			n_dropped++;	/* 65536 queries in flight */
			fl = sizeof from;
			continue;
		}
		sl->used = true;
		sl->client_id = (uint16_t)(buf[0] << 8 | buf[1]);
		sl->client = from;
		sl->since = now;
		buf[0] = (unsigned char)(next_id >> 8);
		buf[1] = (unsigned char)(next_id & 0xff);
		next_id++;
		if (enqueue(EV_UDP_UP, NULL, 0, NULL, buf, (size_t)n) == -1)
			n_dropped++;
		else
			n_queries++;
		fl = sizeof from;
	}
}

/* An answer from the server: restore the client's ID and queue it. */
static void
udp_answer(int ufd)
{
	struct idslot *sl;
	ssize_t n;
	uint16_t id;

	for (;;) {
		n = recv(ufd, buf, sizeof buf, 0);
		if (n < 0)
			return;
		if (n < HDR_LEN) {
			n_dropped++;
			continue;
		}
		id = (uint16_t)(buf[0] << 8 | buf[1]);
		sl = &ids[id];
		if (!sl->used) {
			n_dropped++;
			continue;
		}
		sl->used = false;
		buf[0] = (unsigned char)(sl->client_id >> 8);
		buf[1] = (unsigned char)(sl->client_id & 0xff);
		if (enqueue(EV_UDP_DOWN, NULL, 0, &sl->client, buf,
		    (size_t)n) == -1)
			n_dropped++;
		else
			n_answers++;
	}
}

static void
tcp_accept(int tfd, uint16_t upport)
{
	struct sockaddr_in up;
	struct conn *c = NULL;
	int fd, sfd, i, one = 1;

	if ((fd = accept4(tfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < MAX_CONNS; i++)
		if (!conns[i].used && conns[i].refs == 0) {
			c = &conns[i];
			break;
		}
	upstream_addr(&up, upport);
	if (c == NULL || (sfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) == -1) {
		close(fd);
		n_dropped++;
		return;
	}
	if (connect(sfd, (struct sockaddr *)&up, sizeof up) == -1) {
		close(sfd);
		close(fd);
		n_dropped++;
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	(void)setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(c, 0, sizeof *c);
	c->fd[0] = fd;
	c->fd[1] = sfd;
	c->used = true;
	c->refs = 1;
	n_tcp++;
}

/* fd[side] is readable: queue what it says for the other side. */
static void
tcp_read(struct conn *c, int side)
{
	ssize_t n;

	n = read(c->fd[side], buf, sizeof buf);
	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN)
			conn_close(c);
		return;
	}
	if (n == 0) {
		c->eof_read[side] = true;
		if (enqueue(EV_TCP_EOF, c, 1 - side, NULL, NULL, 0) == -1)
			conn_close(c);
		return;
	}
	if (enqueue(EV_TCP_DATA, c, 1 - side, NULL, buf, (size_t)n) == -1)
		conn_close(c);
}

/* Write everything (loopback, small messages: blocking is fine). */
static int
write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send the events that are due. */
static void
run_due(int lfd, int ufd)
{
	int64_t now = now_ns();
	struct event *e;
	struct conn *c;

	while ((e = head) != NULL && e->due <= now) {
		head = e->next;
		if (head == NULL)
			tail = NULL;
		c = e->conn;
		switch (e->kind) {
		case EV_UDP_UP:
			(void)send(ufd, e->data, e->len, 0);
			break;
		case EV_UDP_DOWN:
			(void)sendto(lfd, e->data, e->len, 0,
			    (struct sockaddr *)&e->to, sizeof e->to);
			break;
		case EV_TCP_DATA:
			if (c->used && c->fd[e->side] != -1 &&
			    write_all(c->fd[e->side], e->data, e->len) == -1)
				conn_close(c);
			break;
		case EV_TCP_EOF:
			if (c->used && c->fd[e->side] != -1) {
				(void)shutdown(c->fd[e->side], SHUT_WR);
				c->eof_sent[e->side] = true;
				if (c->eof_sent[0] && c->eof_sent[1])
					conn_close(c);
			}
			break;
		}
		if (c != NULL)
			conn_unref(c);
		free(e);
	}
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in up;
	struct pollfd pfd[3 + 2 * MAX_CONNS];
	struct conn *pc[3 + 2 * MAX_CONNS];
	int pside[3 + 2 * MAX_CONNS];
	struct sigaction sa;
	struct timespec tmo;
	int64_t end, wait_ns;
	long upport = 0, delay_ms = -1, lport = 0, life = 3600, watch = 0;
	int lfd, tfd, ufd, ch, i, j, np;
	uint16_t port;

	while ((ch = getopt(argc, argv, "d:l:p:u:w:")) != -1) {
		switch (ch) {
		case 'd':
			delay_ms = parse_long(optarg, 0, 10000);
			break;
		case 'l':
			life = parse_long(optarg, 1, 86400);
			break;
		case 'p':
			lport = parse_long(optarg, 0, 65535);
			break;
		case 'u':
			upport = parse_long(optarg, 1, 65535);
			break;
		case 'w':
			watch = parse_long(optarg, 1, 0x7fffffff);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || upport == 0 || delay_ms < 0)
		usage();
	half_ns = delay_ms * 1000000LL / 2;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if ((ids = calloc(ID_SLOTS, sizeof *ids)) == NULL) {
		fprintf(stderr, "dnsdelay: out of memory\n");
		return 1;
	}
	if ((port = open_listeners((uint16_t)lport, &lfd, &tfd)) == 0) {
		fprintf(stderr, "dnsdelay: cannot bind 127.0.0.1: %s\n",
		    strerror(errno));
		return 1;
	}
	upstream_addr(&up, (uint16_t)upport);
	if ((ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1 || connect(ufd, (struct sockaddr *)&up, sizeof up) ==
	    -1) {
		fprintf(stderr, "dnsdelay: upstream socket: %s\n",
		    strerror(errno));
		return 1;
	}
	{
		/* Bursts of a thousand queries must not overflow. */
		int sz = 4 * 1024 * 1024;

		(void)setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
		(void)setsockopt(ufd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	}
	printf("port %u\n", (unsigned)port);
	fflush(stdout);

	end = now_ns() + (int64_t)life * 1000000000LL;
	while (!stop) {
		if (now_ns() >= end)
			break;
		if (watch != 0 && kill((pid_t)watch, 0) == -1 &&
		    errno == ESRCH)
			break;
		np = 0;
		pfd[np].fd = lfd;
		pfd[np++].events = POLLIN;
		pfd[np].fd = ufd;
		pfd[np++].events = POLLIN;
		pfd[np].fd = tfd;
		pfd[np++].events = POLLIN;
		for (i = 0; i < MAX_CONNS; i++) {
			if (!conns[i].used)
				continue;
			for (j = 0; j < 2; j++) {
				if (conns[i].eof_read[j] ||
				    conns[i].fd[j] == -1)
					continue;
				pfd[np].fd = conns[i].fd[j];
				pfd[np].events = POLLIN;
				pc[np] = &conns[i];
				pside[np++] = j;
			}
		}
		/* Sleep until the next message is due (1 s at most, to
		 * watch the other process); ppoll() for sub-ms precision. */
		wait_ns = 1000000000LL;
		if (head != NULL) {
			wait_ns = head->due - now_ns();
			if (wait_ns < 0)
				wait_ns = 0;
			else if (wait_ns > 1000000000LL)
				wait_ns = 1000000000LL;
		}
		tmo.tv_sec = (time_t)(wait_ns / 1000000000LL);
		tmo.tv_nsec = (long)(wait_ns % 1000000000LL);
		if (ppoll(pfd, (nfds_t)np, &tmo, NULL) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			udp_query(lfd);
		if (pfd[1].revents & POLLIN)
			udp_answer(ufd);
		if (pfd[2].revents & POLLIN)
			tcp_accept(tfd, (uint16_t)upport);
		for (i = 3; i < np; i++)
			if (pfd[i].revents != 0 && pc[i]->used &&
			    pc[i]->fd[pside[i]] == pfd[i].fd)
				tcp_read(pc[i], pside[i]);
		run_due(lfd, ufd);
	}
	fprintf(stderr, "dnsdelay: %lu queries, %lu answers, %lu dropped, "
	    "%lu tcp connections\n", n_queries, n_answers, n_dropped, n_tcp);
	return 0;
}
