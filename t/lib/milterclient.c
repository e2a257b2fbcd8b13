/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milterclient.c - the MTA side of the milter protocol, for the test and
 * bench tools (see milterclient.h).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "milterclient.h"

const struct mc_stage_info mc_stage[MC_STAGES] = {
	[MC_OPTNEG] = { "optneg", SMFIC_OPTNEG, 0, 0, -1 },
	[MC_CONNECT] = { "connect", SMFIC_CONNECT, SMFIP_NOCONNECT,
	    SMFIP_NR_CONN, MC_SYM_CONNECT },
	[MC_HELO] = { "helo", SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO,
	    MC_SYM_HELO },
	[MC_MAIL] = { "mail", SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL,
	    MC_SYM_ENVFROM },
	[MC_RCPT] = { "rcpt", SMFIC_RCPT, SMFIP_NORCPT, SMFIP_NR_RCPT,
	    MC_SYM_ENVRCPT },
	[MC_DATA] = { "data", SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA,
	    MC_SYM_DATA },
	/* Postfix sends the EOH macros with each header. */
	[MC_HEADER] = { "header", SMFIC_HEADER, SMFIP_NOHDRS, SMFIP_NR_HDR,
	    MC_SYM_EOH },
	[MC_EOH] = { "eoh", SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH,
	    MC_SYM_EOH },
	[MC_BODY] = { "body", SMFIC_BODY, SMFIP_NOBODY, SMFIP_NR_BODY,
	    MC_SYM_EOM },
	/* End of message is always sent and always answered. */
	[MC_EOM] = { "eom", SMFIC_BODYEOB, 0, 0, MC_SYM_EOM },
};

const char *const mc_kind_name[MC_K_COUNT] = {
	"continue", "accept", "reject", "tempfail", "discard", "skip",
	"shutdown", "conn_fail", "replycode", "progress", "modify", "bad"
};

uint64_t
mc_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
mc_escape(FILE *fp, const void *p, size_t n, bool sp)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i] == '\\')
			fputs("\\\\", fp);
		else if (c[i] > 0x20 && c[i] < 0x7f)
			fputc(c[i], fp);
		else if (c[i] == 0x20 && !sp)
			fputc(' ', fp);
		else
			fprintf(fp, "\\x%02x", c[i]);
	}
}

/* ---- the socket address ---- */

static int
addr_err(char *err, size_t errlen, const char *what, const char *s)
{
	if (errlen > 0)
		snprintf(err, errlen, "%s: %s", what, s);
	return -1;
}

/* "PORT@HOST" (libmilter), "HOST:PORT" (Postfix, IPv4) or "PORT". */
static int
parse_inet(const char *spec, const char *rest, int family,
    struct mc_addr *a, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 3], port[8], *end;
	const char *at, *colon;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	unsigned long p;
	size_t hl;

	if ((at = strchr(rest, '@')) != NULL) {
		if ((size_t)(at - rest) >= sizeof port)
			return addr_err(err, errlen, "bad port", spec);
		memcpy(port, rest, (size_t)(at - rest));
		port[at - rest] = '\0';
		if (strlen(at + 1) >= sizeof host)
			return addr_err(err, errlen, "bad host", spec);
		strcpy(host, at + 1);
	} else if ((colon = strrchr(rest, ':')) != NULL &&
	    family == AF_INET) {
		if ((size_t)(colon - rest) >= sizeof host ||
		    strlen(colon + 1) >= sizeof port)
			return addr_err(err, errlen, "bad address", spec);
		memcpy(host, rest, (size_t)(colon - rest));
		host[colon - rest] = '\0';
		strcpy(port, colon + 1);
	} else {
		if (strlen(rest) >= sizeof port)
			return addr_err(err, errlen, "bad port", spec);
		strcpy(port, rest);
		strcpy(host, family == AF_INET ? "127.0.0.1" : "::1");
	}
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno != 0 || end == port || *end != '\0' || port[0] == '-' ||
	    p < 1 || p > 65535)
		return addr_err(err, errlen, "port must be a number from 1 to "
		    "65535", port);
	hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	if (strcmp(host, "localhost") == 0)
		strcpy(host, family == AF_INET ? "127.0.0.1" : "::1");
	memset(&a->ss, 0, sizeof a->ss);
	if (family == AF_INET) {
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return addr_err(err, errlen,
			    "not a loopback IPv4 address", host);
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return addr_err(err, errlen,
			    "refusing non-loopback target", host);
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		a->len = sizeof *sin;
	} else {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return addr_err(err, errlen,
			    "not a loopback IPv6 address", host);
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) &&
		    !(IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127))
			return addr_err(err, errlen,
			    "refusing non-loopback target", host);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		a->len = sizeof *sin6;
	}
	a->tcp = true;
	return 0;
}

int
mc_parse_socket(const char *spec, struct mc_addr *a, char *err,
    size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
	const char *path = NULL;

	memset(a, 0, sizeof *a);
	if (strncmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	else if (strncmp(spec, "local:", 6) == 0)
		path = spec + 6;
	else if (spec[0] == '/')
		path = spec;	/* libmilter takes a bare path as unix */
	else if (strncmp(spec, "inet:", 5) == 0)
		return parse_inet(spec, spec + 5, AF_INET, a, err, errlen);
	else if (strncmp(spec, "inet6:", 6) == 0)
		return parse_inet(spec, spec + 6, AF_INET6, a, err, errlen);
	else
		return addr_err(err, errlen, "unknown socket type", spec);
	if (*path == '\0' || strlen(path) >= sizeof sun->sun_path)
		return addr_err(err, errlen, "bad unix socket path", spec);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	a->len = sizeof *sun;
	return 0;
}

/* ---- building packets ---- */

void
mc_put(struct mc_buf *b, const void *p, size_t n)
{
	unsigned char *np;
	size_t cap;

	if (b->oom)
		return;
	if (b->cap - b->len < n) {
		cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
mc_put_str(struct mc_buf *b, const char *s)
{
	mc_put(b, s, strlen(s) + 1);
}

void
mc_put_u16(struct mc_buf *b, uint16_t v)
{
	v = htons(v);
	mc_put(b, &v, sizeof v);
}

void
mc_put_u32(struct mc_buf *b, uint32_t v)
{
	v = htonl(v);
	mc_put(b, &v, sizeof v);
}

void
mc_begin(struct mc_buf *b, char cmd)
{
	b->pkt = b->len;
	mc_put_u32(b, 0);
	mc_put(b, &cmd, 1);
}

void
mc_end(struct mc_buf *b)
{
	uint32_t n;

	if (b->oom)
		return;
	n = htonl((uint32_t)(b->len - b->pkt - 4));
	memcpy(b->p + b->pkt, &n, sizeof n);
}

void
mc_packet(struct mc_buf *b, char cmd, const struct mc_buf *data)
{
	mc_begin(b, cmd);
	if (data != NULL)
		mc_put(b, data->p, data->len);
	mc_end(b);
}

void
mc_put_optneg(struct mc_buf *b)
{
	mc_begin(b, SMFIC_OPTNEG);
	mc_put_u32(b, MC_VERSION);
	mc_put_u32(b, SMFI_CURR_ACTS);	/* offer every modification */
	mc_put_u32(b, SMFI_CURR_PROT);	/* and every step to skip */
	mc_end(b);
}

void
mc_put_connect(struct mc_buf *b, const void *host, size_t hostlen,
    char family, uint16_t port, const char *addr)
{
	mc_begin(b, SMFIC_CONNECT);
	mc_put(b, host, hostlen);
	mc_put(b, "", 1);
	mc_put(b, &family, 1);
	mc_put_u16(b, port);
	mc_put_str(b, addr);
	mc_end(b);
}

static bool
in_symlist(const char *list, const char *name)
{
	size_t nl = strlen(name), tl;
	const char *t = list;

	while (*t != '\0') {
		while (*t == ' ' || *t == ',' || *t == '\t')
			t++;
		tl = strcspn(t, " ,\t");
		if (tl == 0)
			break;
		if (tl == nl && strncmp(t, name, nl) == 0)
			return true;
		/* "rcpt_addr" in a list means "{rcpt_addr}" */
		if (nl > 2 && name[0] == '{' && tl == nl - 2 &&
		    strncmp(t, name + 1, tl) == 0)
			return true;
		t += tl;
	}
	return false;
}

void
mc_put_macros(struct mc_buf *b, char cmd, const char *symlist,
    const struct mc_macro *m, size_t n)
{
	size_t i;
	bool any = false;

	for (i = 0; i < n; i++) {
		if (symlist != NULL && !in_symlist(symlist, m[i].name))
			continue;
		if (!any) {
			mc_begin(b, SMFIC_MACRO);
			mc_put(b, &cmd, 1);
			any = true;
		}
		mc_put_str(b, m[i].name);
		mc_put_str(b, m[i].value);
	}
	if (any)
		mc_end(b);
}

/* ---- one connection ---- */

void
mc_init(struct mc_conn *c, int timeout_ms)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->timeout_ms = timeout_ms;
}

void
mc_reset(struct mc_conn *c)
{
	size_t i;

	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->out.len = 0;
	c->out.oom = false;
	c->ipos = c->ilen = 0;
	c->version = c->actions = c->pflags = 0;
	for (i = 0; i < MC_SYM_COUNT; i++)
		c->symlist[i] = NULL;
	free(c->symbuf);
	c->symbuf = NULL;
	c->why = NULL;
}

void
mc_free(struct mc_conn *c)
{
	mc_reset(c);
	free(c->out.p);
	free(c->in);
	c->out.p = NULL;
	c->in = NULL;
}

static void
set_timeout(int fd, int opt, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

int
mc_connect(struct mc_conn *c, const struct mc_addr *a)
{
	int fd, one = 1, e;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* SO_SNDTIMEO bounds connect() too, for unix and TCP sockets. */
	set_timeout(fd, SO_SNDTIMEO, c->timeout_ms);
	set_timeout(fd, SO_RCVTIMEO, c->timeout_ms);
	while (connect(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		if (errno == EINTR)
			continue;
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (a->tcp)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one);
	c->fd = fd;
	return 0;
}

enum mc_io
mc_flush_part(struct mc_conn *c, size_t n)
{
	size_t off = 0;
	ssize_t w;

	if (c->out.oom)
		return MC_NOMEM;
	if (n > c->out.len)
		n = c->out.len;
	while (off < n) {
		w = send(c->fd, c->out.p + off, n - off, MSG_NOSIGNAL);
		if (w >= 0) {
			off += (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		c->out.len = 0;
		return errno == EAGAIN || errno == EWOULDBLOCK ? MC_TIMEOUT :
		    MC_RESET;
	}
	c->out.len = 0;
	return MC_OK;
}

enum mc_io
mc_flush(struct mc_conn *c)
{
	return mc_flush_part(c, c->out.len);
}

/* Have at least n unread bytes in c->in before the deadline. */
static enum mc_io
fill(struct mc_conn *c, size_t n, uint64_t deadline)
{
	unsigned char *p;
	size_t cap;
	ssize_t r;
	uint64_t t;
	bool shortened = false;
	enum mc_io rc = MC_OK;

	if (c->ilen - c->ipos >= n)
		return MC_OK;
	if (c->ipos > 0) {	/* keep the unread bytes at the front */
		memmove(c->in, c->in + c->ipos, c->ilen - c->ipos);
		c->ilen -= c->ipos;
		c->ipos = 0;
	}
	if (n > c->icap) {
		cap = c->icap ? c->icap : 4096;
		while (cap < n)
			cap *= 2;
		if ((p = realloc(c->in, cap)) == NULL)
			return MC_NOMEM;
		c->in = p;
		c->icap = cap;
	}
	while (c->ilen < n) {
		r = recv(c->fd, c->in + c->ilen, c->icap - c->ilen, 0);
		if (r > 0) {
			c->ilen += (size_t)r;
			/* A partial packet: bound the next wait. */
			if (c->ilen < n) {
				if ((t = mc_now_us()) >= deadline) {
					rc = MC_TIMEOUT;
					break;
				}
				set_timeout(c->fd, SO_RCVTIMEO,
				    (int)((deadline - t + 999) / 1000));
				shortened = true;
			}
			continue;
		}
		if (r == 0) {
			rc = MC_CLOSED;
			break;
		}
		if (errno == EINTR)
			continue;
		rc = errno == EAGAIN || errno == EWOULDBLOCK ? MC_TIMEOUT :
		    MC_RESET;
		break;
	}
	if (shortened)
		set_timeout(c->fd, SO_RCVTIMEO, c->timeout_ms);
	return rc;
}

enum mc_io
mc_read_packet(struct mc_conn *c, unsigned char *cmd,
    const unsigned char **data, size_t *len)
{
	uint64_t deadline = mc_now_us() + (uint64_t)c->timeout_ms * 1000;
	uint32_t n;
	enum mc_io rc;

	if ((rc = fill(c, 4, deadline)) != MC_OK)
		return rc;
	memcpy(&n, c->in + c->ipos, sizeof n);
	n = ntohl(n);
	if (n < 1 || n > MC_MAX_PACKET)
		return MC_BADLEN;
	if ((rc = fill(c, 4 + (size_t)n, deadline)) != MC_OK)
		return rc;
	*cmd = c->in[c->ipos + 4];
	*data = c->in + c->ipos + 5;
	*len = (size_t)n - 1;
	c->ipos += 4 + (size_t)n;
	return MC_OK;
}

/* Take one NUL-terminated string; -1 if there is none. */
static int
take_str(const unsigned char **p, size_t *left, const char **out)
{
	const unsigned char *nul;

	if (*left == 0 || (nul = memchr(*p, '\0', *left)) == NULL)
		return -1;
	*out = (const char *)*p;
	*left -= (size_t)(nul - *p) + 1;
	*p = nul + 1;
	return 0;
}

/* The SMFIR_SETSYMLIST part of an OPTNEG reply: (class, list) pairs. */
static enum mc_io
parse_symlist(struct mc_conn *c, const unsigned char *p, size_t len)
{
	const char *list;
	uint32_t cls;

	if ((c->symbuf = malloc(len)) == NULL)
		return MC_NOMEM;
	memcpy(c->symbuf, p, len);
	p = (const unsigned char *)c->symbuf;
	while (len > 0) {
		if (len < 4)
			goto bad;
		memcpy(&cls, p, 4);
		cls = ntohl(cls);
		p += 4;
		len -= 4;
		if (take_str(&p, &len, &list) == -1)
			goto bad;
		if (cls < MC_SYM_COUNT)
			c->symlist[cls] = list;
	}
	return MC_OK;
bad:
	c->why = "malformed macro list in the OPTNEG reply";
	return MC_PROTO;
}

enum mc_io
mc_read_optneg(struct mc_conn *c)
{
	const unsigned char *p;
	unsigned char cmd;
	uint32_t v[3];
	size_t len;
	enum mc_io rc;

	if ((rc = mc_read_packet(c, &cmd, &p, &len)) != MC_OK)
		return rc;
	if (cmd != SMFIC_OPTNEG || len < MILTER_OPTLEN) {
		c->why = "bad OPTNEG reply";
		return MC_PROTO;
	}
	memcpy(v, p, sizeof v);
	c->version = ntohl(v[0]);
	c->actions = ntohl(v[1]);
	c->pflags = ntohl(v[2]);
	if (c->version < 2 || c->version > MC_VERSION) {
		c->why = "filter protocol version not 2 to 6";
		return MC_PROTO;
	}
	if ((c->actions & SMFI_CURR_ACTS) != c->actions) {
		c->why = "filter wants actions beyond those offered";
		return MC_PROTO;
	}
	if (len > MILTER_OPTLEN)
		return parse_symlist(c, p + MILTER_OPTLEN, len - MILTER_OPTLEN);
	return MC_OK;
}

enum mc_io
mc_wait_close(struct mc_conn *c)
{
	unsigned char junk[64];
	ssize_t r;

	if (c->ipos < c->ilen)
		return MC_OK;
	for (;;) {
		r = recv(c->fd, junk, sizeof junk, 0);
		if (r == 0 || (r == -1 && errno == ECONNRESET))
			return MC_CLOSED;
		if (r > 0)
			return MC_OK;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? MC_TIMEOUT :
		    MC_RESET;
	}
}

const char *
mc_io_str(enum mc_io r)
{
	switch (r) {
	case MC_OK:
		return "ok";
	case MC_CLOSED:
		return "closed";
	case MC_TIMEOUT:
		return "timeout";
	case MC_RESET:
		return "reset";
	case MC_BADLEN:
		return "bad-length";
	case MC_NOMEM:
		return "out-of-memory";
	case MC_PROTO:
		return "protocol";
	}
	return "?";
}

bool
mc_skipped(const struct mc_conn *c, enum mc_stage st)
{
	return mc_stage[st].no != 0 && (c->pflags & mc_stage[st].no) != 0;
}

bool
mc_noreply(const struct mc_conn *c, enum mc_stage st)
{
	return mc_stage[st].nr != 0 && (c->pflags & mc_stage[st].nr) != 0;
}

/* ---- replies ---- */

const char *
mc_modify_name(unsigned char cmd)
{
	switch (cmd) {
	case SMFIR_ADDHEADER:
		return "addheader";
	case SMFIR_INSHEADER:
		return "insheader";
	case SMFIR_CHGHEADER:
		return "chgheader";
	case SMFIR_ADDRCPT:
		return "addrcpt";
	case SMFIR_ADDRCPT_PAR:
		return "addrcpt_par";
	case SMFIR_DELRCPT:
		return "delrcpt";
	case SMFIR_CHGFROM:
		return "chgfrom";
	case SMFIR_REPLBODY:
		return "replbody";
	case SMFIR_QUARANTINE:
		return "quarantine";
	default:
		return NULL;
	}
}

/* The layout of a modification; header ones give their name and value. */
static int
check_modify(unsigned char cmd, const unsigned char *p, size_t len,
    struct mc_reply *r)
{
	const char *a, *b;

	switch (cmd) {
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (cmd != SMFIR_ADDHEADER) {
			if (len < 4)
				return -1;
			p += 4;		/* the index */
			len -= 4;
		}
		if (take_str(&p, &len, &a) == -1 ||
		    take_str(&p, &len, &b) == -1 || *a == '\0')
			return -1;
		r->hname = a;
		r->hvalue = b;
		break;
	case SMFIR_ADDRCPT:
	case SMFIR_DELRCPT:
	case SMFIR_QUARANTINE:
		if (take_str(&p, &len, &a) == -1)
			return -1;
		break;
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_CHGFROM:
		if (take_str(&p, &len, &a) == -1)
			return -1;
		if (len > 0 && take_str(&p, &len, &b) == -1)
			return -1;
		break;
	case SMFIR_REPLBODY:
		len = 0;
		break;
	default:
		return -1;
	}
	return len == 0 ? 0 : -1;
}

static enum mc_kind
decision(unsigned char cmd)
{
	switch (cmd) {
	case SMFIR_CONTINUE:
		return MC_K_CONTINUE;
	case SMFIR_ACCEPT:
		return MC_K_ACCEPT;
	case SMFIR_REJECT:
		return MC_K_REJECT;
	case SMFIR_TEMPFAIL:
		return MC_K_TEMPFAIL;
	case SMFIR_DISCARD:
		return MC_K_DISCARD;
	case SMFIR_SKIP:
		return MC_K_SKIP;
	case SMFIR_SHUTDOWN:
		return MC_K_SHUTDOWN;
	case SMFIR_CONN_FAIL:
		return MC_K_CONNFAIL;
	default:
		return MC_K_BAD;
	}
}

static enum mc_kind
bad(struct mc_reply *r, const char *why)
{
	r->why = why;
	return MC_K_BAD;
}

static enum mc_kind
classify(enum mc_stage st, unsigned char cmd, const unsigned char *p,
    size_t len, struct mc_reply *r)
{
	enum mc_kind k;

	switch (cmd) {
	case SMFIR_PROGRESS:
		if (len != 0)
			return bad(r, "trailing data");
		return MC_K_PROGRESS;
	case SMFIR_QUARANTINE:
		if (check_modify(cmd, p, len, r) == -1)
			return bad(r, "malformed");
		return MC_K_MODIFY;
	case SMFIR_REPLYCODE:
		if (len < 4 || p[len - 1] != '\0' ||
		    strlen((const char *)p) != len - 1 ||
		    (p[0] != '4' && p[0] != '5') ||
		    p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
		    (p[3] != ' ' && p[3] != '-' && p[3] != '\0'))
			return bad(r, "malformed");
		r->text = (const char *)p;
		return MC_K_REPLYCODE;
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
	case SMFIR_ADDRCPT:
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_DELRCPT:
	case SMFIR_CHGFROM:
	case SMFIR_REPLBODY:
		if (st != MC_EOM)
			return bad(r, "unexpected");
		if (check_modify(cmd, p, len, r) == -1)
			return bad(r, "malformed");
		return MC_K_MODIFY;
	default:
		break;
	}
	if ((k = decision(cmd)) == MC_K_BAD)
		return bad(r, "unexpected");
	if (len != 0)
		return bad(r, "trailing data");
	/* DISCARD is for a message; SKIP only for body chunks (xxfi_body). */
	if ((k == MC_K_DISCARD && (st == MC_CONNECT || st == MC_HELO)) ||
	    (k == MC_K_SKIP && st != MC_BODY))
		return bad(r, "unexpected");
	return k;
}

void
mc_reply_parse(enum mc_stage st, unsigned char cmd,
    const unsigned char *p, size_t len, struct mc_reply *r)
{
	memset(r, 0, sizeof *r);
	r->cmd = cmd;
	r->kind = classify(st, cmd, p, len, r);
}
