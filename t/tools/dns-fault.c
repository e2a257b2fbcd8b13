/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns-fault.c - a misbehaving DNS server on 127.0.0.1, for tests.
 *
 * SYNOPSIS
 *	dns-fault [-l seconds] [-w pid [-k pid]] mode ...
 *
 * DESCRIPTION
 *	For each mode, binds one UDP and one TCP socket on 127.0.0.1 to the
 *	same free port (chosen by the kernel), prints "mode port" on a line
 *	of its own once every socket is ready, then serves until SIGTERM,
 *	SIGINT, the end of its lifetime (-l, default 600 s) or the death of
 *	the process given with -w (the test script), so that it never
 *	outlives a test.  When it ends for one of the last two reasons it
 *	also sends SIGTERM to the process given with -k (the test's name
 *	server, which has no such guard of its own).  Modes:
 *
 *	blackhole  reads nothing and answers nothing (TCP: listens, never
 *		   accepts), so a client can only time out;
 *	refused    answers REFUSED (a lame server);
 *	servfail   answers SERVFAIL;
 *	garbage    answers with the query id, QR set and junk after the
 *		   header (counts that do not match the data);
 *	truncated  UDP: an empty answer with TC set; TCP: a length prefix
 *		   announcing more than is sent, then closes.
 *
 *	Only 127.0.0.1 is ever used.  Every query byte is treated as hostile:
 *	the question is copied only when it parses within the message.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* RFC 1035 4.1.1: the fixed header. */
#define HDR_LEN		12
/* RFC 1035 2.3.4: 512 bytes over UDP without EDNS; TCP messages carry a
 * 16-bit length, so 65535 bounds every message we read. */
#define MSG_MAX		65535
#define MAX_MODES	8
#define MAX_CONNS	32
#define BIND_TRIES	64

enum mode {
	MODE_BLACKHOLE,
	MODE_REFUSED,
	MODE_SERVFAIL,
	MODE_GARBAGE,
	MODE_TRUNCATED,
};

static const char *const mode_names[] = {
	"blackhole", "refused", "servfail", "garbage", "truncated",
};

struct listener {
	enum mode	 mode;
	int		 udp;
	int		 tcp;
	uint16_t	 port;
};

struct conn {
	int		 fd;		/* -1: free slot */
	enum mode	 mode;
	size_t		 len;		/* bytes read into buf */
	time_t		 started;
	uint8_t		 buf[2 + MSG_MAX];
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
mode_parse(const char *s, enum mode *m)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum mode)i;
			return 0;
		}
	}
	return -1;
}

/* Bind UDP and TCP sockets on 127.0.0.1 to one free port. */
static int
listener_open(struct listener *l)
{
	struct sockaddr_in sin;
	socklen_t slen;
	int try, one = 1;

	for (try = 0; try < BIND_TRIES; try++) {
		l->udp = socket(AF_INET, SOCK_DGRAM, 0);
		l->tcp = socket(AF_INET, SOCK_STREAM, 0);
		if (l->udp == -1 || l->tcp == -1)
			goto fail;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = 0;
		if (bind(l->udp, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			goto fail;
		slen = sizeof(sin);
		if (getsockname(l->udp, (struct sockaddr *)&sin, &slen) == -1)
			goto fail;
		(void)setsockopt(l->tcp, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(l->tcp, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
		    listen(l->tcp, 16) == 0) {
			l->port = ntohs(sin.sin_port);
			return 0;
		}
		if (errno != EADDRINUSE)
			goto fail;
		close(l->udp);
		close(l->tcp);
	}
	errno = EADDRINUSE;
	return -1;
fail:
	if (l->udp != -1)
		close(l->udp);
	if (l->tcp != -1)
		close(l->tcp);
	return -1;
}

/*
 * Length of the question section at q[0..len), or 0 if it does not parse
 * (RFC 1035 4.1.2: a name of at most 255 bytes, no compression expected
 * in a query, then QTYPE and QCLASS).
 */
static size_t
question_len(const uint8_t *q, size_t len)
{
	size_t off = 0, namelen = 0;

	for (;;) {
		if (off >= len)
			return 0;
		if (q[off] == 0)
			break;
		if (q[off] > 63)	/* RFC 1035 2.3.4: labels <= 63 */
			return 0;
		namelen += 1 + (size_t)q[off];
		if (namelen > 254)	/* 255 with the root label */
			return 0;
		off += 1 + (size_t)q[off];
	}
	off++;
	if (off + 4 > len)
		return 0;
	return off + 4;
}

/*
 * Build the reply to query[0..qlen) for mode into out (at least
 * HDR_LEN + 255 + 4 + 64 bytes).  TCP replies to the truncated mode are
 * handled by the caller.  @return the reply length, 0 for no reply.
 */
static size_t
build_reply(enum mode mode, const uint8_t *query, size_t qlen, uint8_t *out,
    size_t outsize)
{
	size_t ql, n, i;
	uint8_t rcode = 0;

	if (qlen < HDR_LEN || (query[2] & 0x80) != 0)
		return 0;	/* too short, or a response: ignore */
	ql = 0;
	if (query[4] == 0 && query[5] == 1)
		ql = question_len(query + HDR_LEN, qlen - HDR_LEN);
	if (HDR_LEN + ql + 64 > outsize)
		return 0;
	memcpy(out, query, 2);				/* ID */
	out[2] = 0x80 | (query[2] & 0x79);		/* QR, opcode, RD */
	memset(out + 3, 0, HDR_LEN - 3);
	if (ql > 0) {
		out[5] = 1;				/* QDCOUNT */
		memcpy(out + HDR_LEN, query + HDR_LEN, ql);
	}
	n = HDR_LEN + ql;
	switch (mode) {
	case MODE_REFUSED:
		rcode = 5;
		break;
	case MODE_SERVFAIL:
		rcode = 2;
		break;
	case MODE_TRUNCATED:
		out[2] |= 0x02;				/* TC */
		break;
	case MODE_GARBAGE:
		out[7] = 5;				/* ANCOUNT 5, no data */
		out[9] = 3;				/* NSCOUNT 3 */
		for (i = 0; i < 48; i++)
			out[n + i] = (uint8_t)(0xc0 | (i * 37 % 64));
		n += 48;
		break;
	case MODE_BLACKHOLE:
		return 0;
	}
	out[3] = rcode;
	return n;
}

static void
serve_udp(const struct listener *l)
{
	static uint8_t in[MSG_MAX], out[HDR_LEN + 255 + 4 + 64];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t r;
	size_t n;

	r = recvfrom(l->udp, in, sizeof(in), MSG_DONTWAIT,
	    (struct sockaddr *)&from, &flen);
	if (r <= 0)
		return;
	n = build_reply(l->mode, in, (size_t)r, out, sizeof(out));
	if (n > 0)
		(void)sendto(l->udp, out, n, 0, (struct sockaddr *)&from, flen);
}

static void
conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
}

/* Send all of buf; a peer that went away or a full socket buffer ends
 * it (the connection is closed right after). */
static void
send_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, buf, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

/* Read more of a TCP query; answer and close once it is complete. */
static void
serve_tcp(struct conn *c)
{
	uint8_t out[2 + HDR_LEN + 255 + 4 + 64];
	size_t need, n;
	ssize_t r;

	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)r;
	if (c->len < 2)
		return;
	need = 2 + ((size_t)c->buf[0] << 8 | c->buf[1]);
	if (c->len < need)
		return;
	n = build_reply(c->mode, c->buf + 2, need - 2, out + 2,
	    sizeof(out) - 2);
	if (n > 0 && c->mode == MODE_TRUNCATED) {
		/* Announce 512 bytes, send only the header, hang up. */
		out[0] = 0x02;
		out[1] = 0x00;
		send_all(c->fd, out, 2 + HDR_LEN);
	} else if (n > 0) {
		out[0] = (uint8_t)(n >> 8);
		out[1] = (uint8_t)(n & 0xff);
		send_all(c->fd, out, 2 + n);
	}
	conn_close(c);
}

static void
usage(void)
{
	fprintf(stderr, "usage: dns-fault [-l seconds] [-w pid [-k pid]] "
	    "blackhole|refused|servfail|garbage|truncated ...\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	static struct conn conns[MAX_CONNS];
	struct listener ls[MAX_MODES];
	struct pollfd pfd[2 * MAX_MODES + MAX_CONNS];
	int owner[2 * MAX_MODES + MAX_CONNS];	/* listener i, or -1 - conn */
	struct listener *l;
	struct sigaction sa;
	size_t nl = 0, np, i, j;
	long lifetime = 600, watch = 0, guard = 0;
	time_t deadline, now;
	char *end;
	int ch, fd;

	while ((ch = getopt(argc, argv, "k:l:w:")) != -1) {
		switch (ch) {
		case 'k':
			errno = 0;
			guard = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || guard < 2 ||
			    guard > INT_MAX)
				usage();
			break;
		case 'l':
			errno = 0;
			lifetime = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || lifetime < 1 ||
			    lifetime > 86400)
				usage();
			break;
		case 'w':
			errno = 0;
			watch = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || watch < 1 ||
			    watch > INT_MAX)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > MAX_MODES || (guard != 0 && watch == 0))
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	for (i = 0; i < (size_t)argc; i++) {
		if (mode_parse(argv[i], &ls[i].mode) == -1)
			usage();
		ls[i].udp = ls[i].tcp = -1;
		if (listener_open(&ls[i]) == -1) {
			fprintf(stderr, "dns-fault: %s: bind 127.0.0.1: %s\n",
			    argv[i], strerror(errno));
			return 1;
		}
		nl++;
	}
	for (i = 0; i < nl; i++)
		printf("%s %u\n", mode_names[ls[i].mode], ls[i].port);
	if (fflush(stdout) == EOF)
		return 1;
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;

	deadline = time(NULL) + lifetime;
	while (!quit) {
		now = time(NULL);
		if (now >= deadline ||
		    (watch != 0 && kill((pid_t)watch, 0) == -1 &&
		    errno == ESRCH)) {
			if (guard != 0)
				(void)kill((pid_t)guard, SIGTERM);
			break;
		}
		np = 0;
		for (i = 0; i < nl; i++) {
			if (ls[i].mode == MODE_BLACKHOLE)
				continue;	/* never read, never accept */
			pfd[np].fd = ls[i].udp;
			pfd[np].events = POLLIN;
			owner[np++] = (int)i;
			pfd[np].fd = ls[i].tcp;
			pfd[np].events = POLLIN;
			owner[np++] = (int)i;
		}
		for (i = 0; i < MAX_CONNS; i++) {
			/* Drop clients that stall for more than 10 s. */
			if (conns[i].fd != -1 && now - conns[i].started > 10)
				conn_close(&conns[i]);
			if (conns[i].fd == -1)
				continue;
			pfd[np].fd = conns[i].fd;
			pfd[np].events = POLLIN;
			owner[np++] = -1 - (int)i;
		}
		if (poll(pfd, np, 1000) <= 0)
			continue;
		for (j = 0; j < np; j++) {
			if ((pfd[j].revents & (POLLIN | POLLHUP | POLLERR))
			    == 0)
				continue;
			if (owner[j] < 0) {
				serve_tcp(&conns[-1 - owner[j]]);
				continue;
			}
			l = &ls[owner[j]];
			if (pfd[j].fd == l->udp) {
				serve_udp(l);
				continue;
			}
			fd = accept4(l->tcp, NULL, NULL, SOCK_NONBLOCK);
			if (fd == -1)
				continue;
			for (i = 0; i < MAX_CONNS; i++)
				if (conns[i].fd == -1)
					break;
			if (i == MAX_CONNS) {
				close(fd);
				continue;
			}
			conns[i].fd = fd;
			conns[i].mode = l->mode;
			conns[i].len = 0;
			conns[i].started = now;
		}
	}
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd != -1)
			conn_close(&conns[i]);
	for (i = 0; i < nl; i++) {
		close(ls[i].udp);
		close(ls[i].tcp);
	}
	return 0;
}
