/*
 * milterfault.c - one scripted milter session with faults, for tests.
 *
 * SYNOPSIS
 *	milterfault -s SOCKET [-t SECONDS] [-a IP] [-N NAME] [-H HELO | -n]
 *	    [-r RCPT]... [-A [-L MAX]] [-d STAGE | -D STAGE | -m KIND]
 *
 * DESCRIPTION
 *	Plays the MTA side of the milter protocol (version 6) for one session,
 *	like bench/milterload but with hostile input and faults instead of
 *	load:
 *
 *	(default)  a whole session: OPTNEG, CONNECT, HELO, MAIL, each RCPT,
 *		   DATA, three headers, EOH, a body chunk, end of message,
 *		   ABORT and QUIT, honouring what the filter negotiated;
 *	-d STAGE   the same, but the connection is closed right after the
 *		   command of STAGE is sent, without waiting for its reply
 *		   (STAGE: optneg connect helo mail rcpt data header eoh body
 *		   eom), or in the middle of the CONNECT packet (midpacket);
 *	-D STAGE   closed right after the reply to STAGE was read;
 *	-m KIND    a malformed or out-of-order packet (see kinds[] below,
 *		   "milterfault -m list" prints them), then waits for the
 *		   filter to answer or close the connection.
 *
 *	-N NAME and -H HELO are C-escaped (\r \n \t \\ \xHH), so that control
 *	characters, 8-bit bytes and even NUL can be sent; -n sends no HELO.
 *	Every reply and header change is printed on stdout in the format of
 *	"milterload -o": "0 IP STAGE WHAT MICROSECONDS[ DATA]", DATA escaped
 *	the same way (bytes outside printable ASCII as \xHH, '\' doubled).
 *	-m prints "0 IP STAGE outcome MS closed|open|reset".
 *
 *	-A checks what the filter sent: every SMFIR_REPLYCODE text must be
 *	"[45]NN X.Y.Z text" in printable ASCII within 512 bytes with CRLF
 *	(RFC 5321 4.5.3.1.5; -L MAX changes the 510 allowed without CRLF),
 *	and every Authentication-Results value it adds must be a valid RFC
 *	8601 field holding exactly one iprev and then one x-ptr result (SPEC
 *	3.1), folded only with "\n\t" or "\n ", lines within 998 bytes, no
 *	byte outside printable ASCII.  Prints "0 IP STAGE check-ok ..." (for a
 *	header: the results and "maxval=N", the longest value unquoted) or
 *	"check-bad REASON" per item.
 *
 *	Only loopback or unix sockets are used; the client address is data.
 *
 * EXIT STATUS
 *	0 when the scripted session ran as planned (and -A found nothing),
 *	1 on a protocol error, an unexpected close, a timeout or a bad -A
 *	check, 64 on a usage error.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#define EX_USAGE_CODE	64
#define MF_VERSION	6
#define MF_MAX_PACKET	(1024 * 1024)
#define MF_MAX_RCPTS	16
#define MF_ARG_MAX	(64 * 1024)	/* longest decoded -H / -N */
/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with CRLF. */
#define MF_REPLY_MAX	510
/* RFC 5322 2.1.1: a line is at most 998 characters without CRLF. */
#define MF_LINE_MAX	998

enum stage {
	ST_OPTNEG, ST_CONNECT, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_HEADER,
	ST_EOH, ST_BODY, ST_EOM, ST_QUIT, ST_MIDPACKET, ST_COUNT
};

static const char *const stage_name[ST_COUNT] = {
	"optneg", "connect", "helo", "mail", "rcpt", "data", "header", "eoh",
	"body", "eom", "quit", "midpacket"
};

struct buf {
	unsigned char	*p;
	size_t		 len, cap;
};

static struct {
	const char	*spec;
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	int		 timeout_ms;
	const char	*ip;
	char		 family;
	struct buf	 name, helo;
	bool		 no_helo;
	const char	*rcpt[MF_MAX_RCPTS];
	size_t		 nrcpt;
	bool		 check;
	size_t		 reply_max;	/* -L */
	int		 drop_before;	/* -d: stage, or -1 */
	int		 drop_after;	/* -D: stage, or -1 */
	const char	*malformed;	/* -m */
} cfg;

static int		 fd = -1;
static uint32_t		 pflags;
static struct buf	 rbuf;
static size_t		 rpos;
static int		 nbad;		/* -A failures */

static void die(const char *, ...) __attribute__((format(printf, 1, 2),
    noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("milterfault: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EX_USAGE_CODE);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- output ---- */

static void
esc(const unsigned char *p, size_t n, bool sp)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\')
			fputs("\\\\", stdout);
		else if (p[i] > 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else if (p[i] == 0x20 && !sp)
			putchar(' ');
		else
			printf("\\x%02x", p[i]);
	}
}

/* "0 IP STAGE WHAT US[ A[ B]]"; A has its spaces escaped. */
static void
out(enum stage st, const char *what, uint64_t us, const char *a,
    const char *b)
{
	printf("0 %s %s %s %" PRIu64, cfg.ip, stage_name[st], what, us);
	if (a != NULL) {
		putchar(' ');
		esc((const unsigned char *)a, strlen(a), true);
	}
	if (b != NULL) {
		putchar(' ');
		esc((const unsigned char *)b, strlen(b), false);
	}
	putchar('\n');
	fflush(stdout);
}

static void
bad(enum stage st, const char *why)
{
	nbad++;
	out(st, "check-bad", 0, NULL, why);
}

/* ---- writing ---- */

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *np;

		while (cap - b->len < n)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL)
			die("out of memory");
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s) + 1);
}

static void
put_u32(struct buf *b, uint32_t v)
{
	v = htonl(v);
	put(b, &v, 4);
}

/* A whole packet: length, command, data. */
static void
packet(struct buf *out_, char cmd, const struct buf *data)
{
	put_u32(out_, (uint32_t)(1 + (data != NULL ? data->len : 0)));
	put(out_, &cmd, 1);
	if (data != NULL && data->len > 0)
		put(out_, data->p, data->len);
}

static int
send_all(const void *p, size_t n)
{
	const unsigned char *c = p;
	ssize_t w;

	while (n > 0) {
		w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- reading ---- */

enum rd { RD_OK, RD_CLOSED, RD_TIMEOUT, RD_RESET, RD_BAD };

static enum rd
fill(size_t n, uint64_t deadline)
{
	struct pollfd pfd;
	ssize_t r;
	uint64_t t;

	if (rpos > 0) {
		memmove(rbuf.p, rbuf.p + rpos, rbuf.len - rpos);
		rbuf.len -= rpos;
		rpos = 0;
	}
	while (rbuf.len < n) {
		if (rbuf.cap < n) {
			unsigned char *np = realloc(rbuf.p, n);

			if (np == NULL)
				die("out of memory");
			rbuf.p = np;
			rbuf.cap = n;
		}
		t = now_us();
		if (t >= deadline)
			return RD_TIMEOUT;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)((deadline - t + 999) / 1000)) <= 0) {
			if (errno == EINTR)
				continue;
			return RD_TIMEOUT;
		}
		r = recv(fd, rbuf.p + rbuf.len, rbuf.cap - rbuf.len, 0);
		if (r == 0)
			return RD_CLOSED;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return RD_RESET;
		}
		rbuf.len += (size_t)r;
	}
	return RD_OK;
}

static enum rd
read_packet(unsigned char *cmd, const unsigned char **data, size_t *len,
    int timeout_ms)
{
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000;
	uint32_t n;
	enum rd rc;

	if ((rc = fill(4, deadline)) != RD_OK)
		return rc;
	memcpy(&n, rbuf.p, 4);
	n = ntohl(n);
	if (n < 1 || n > MF_MAX_PACKET)
		return RD_BAD;
	if ((rc = fill(4 + (size_t)n, deadline)) != RD_OK)
		return rc;
	*cmd = rbuf.p[4];
	*data = rbuf.p + 5;
	*len = n - 1;
	rpos = 4 + (size_t)n;
	return RD_OK;
}

static const char *
rd_str(enum rd r)
{
	switch (r) {
	case RD_OK:
		return "ok";
	case RD_CLOSED:
		return "closed";
	case RD_TIMEOUT:
		return "timeout";
	case RD_RESET:
		return "reset";
	case RD_BAD:
		return "bad-length";
	}
	return "?";
}

/* ---- -A: RFC 8601 and reply checks ---- */

struct ar {
	const char	*p;
	const char	*why;
	size_t		 maxval;	/* longest value, unquoted */
};

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 2045 5.1: token characters. */
static bool
is_tchar(char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) ==
	    NULL;
}

static bool
is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* CFWS (RFC 5322 3.2.2): white space, folds, nested comments. */
static int
ar_cfws(struct ar *a)
{
	int depth;

	for (;;) {
		if (is_wsp(*a->p) || (*a->p == '\n' && is_wsp(a->p[1]))) {
			a->p++;
			continue;
		}
		if (*a->p != '(')
			return 0;
		depth = 0;
		do {
			switch (*a->p) {
			case '\0':
				a->why = "unterminated comment";
				return -1;
			case '\\':
				if (a->p[1] == '\0') {
					a->why = "backslash at the end";
					return -1;
				}
				a->p++;
				break;
			case '(':
				depth++;
				break;
			case ')':
				depth--;
				break;
			default:
				break;
			}
			a->p++;
		} while (depth > 0);
	}
}

static int
ar_quoted(struct ar *a)
{
	size_t n = 0;

	a->p++;
	for (;; n++) {
		switch (*a->p) {
		case '\0':
			a->why = "unterminated quoted-string";
			return -1;
		case '"':
			a->p++;
			if (n > a->maxval)
				a->maxval = n;
			return 0;
		case '\\':
			if (a->p[1] == '\0') {
				a->why = "backslash at the end";
				return -1;
			}
			a->p += 2;
			continue;
		case '\n':
			a->p++;		/* a fold inside the quotes */
			n--;
			continue;
		default:
			a->p++;
		}
	}
}

/* value = token / quoted-string (RFC 2045); also domain or local@domain
 * for a pvalue (RFC 8601 2.2).  Copies a token into out. */
static int
ar_value(struct ar *a, bool pvalue, char *outv, size_t outlen)
{
	const char *s = a->p;
	size_t n;

	if (*a->p == '"')
		return ar_quoted(a);
	while (is_tchar(*a->p) || (pvalue && *a->p == '@'))
		a->p++;
	if (a->p == s) {
		a->why = "missing value";
		return -1;
	}
	n = (size_t)(a->p - s);
	if (n > a->maxval)
		a->maxval = n;
	if (outv != NULL) {
		if (n >= outlen)
			n = outlen - 1;
		memcpy(outv, s, n);
		outv[n] = '\0';
	}
	return 0;
}

static int
ar_keyword(struct ar *a, char *outk, size_t outlen)
{
	const char *s = a->p;
	size_t n;

	while (is_ldh(*a->p))
		a->p++;
	n = (size_t)(a->p - s);
	if (n == 0) {
		a->why = "missing keyword";
		return -1;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(outk, s, n);
	outk[n] = '\0';
	return 0;
}

static bool
in_list(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

/*
 * Check one Authentication-Results value; on success describe the
 * results in res ("iprev=pass x-ptr=none").  @return 0 or -1 with why.
 */
static int
ar_check(const char *v, char *res, size_t reslen, const char **why)
{
	static const char *const iprev_res[] = { "pass", "fail", "temperror",
	    "permerror", NULL };
	static const char *const xptr_res[] = { "pass", "fail", "neutral",
	    "none", "temperror", NULL };
	static const char *const iprev_props[] = { "policy.iprev", NULL };
	static const char *const xptr_props[] = { "smtp.helo", "policy.ptr",
	    NULL };
	struct ar a = { v, NULL, 0 };
	char method[64], result[64], ptype[64], prop[64], pp[130];
	const char *p;
	/* The first line also holds "Authentication-Results: ". */
	size_t col = sizeof "Authentication-Results: " - 1;
	int nres = 0;

	res[0] = '\0';
	/* Bytes and lines. */
	for (p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n') {
			if (!is_wsp(p[1]) || p == v) {
				*why = "line break that is not a fold";
				return -1;
			}
			col = 0;
			continue;
		}
		if (c == '\r') {
			*why = "CR in the value";
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			*why = "byte outside printable ASCII";
			return -1;
		}
		if (++col > MF_LINE_MAX) {
			*why = "line longer than 998";
			return -1;
		}
	}
	/* authserv-id [CFWS version] */
	if (ar_cfws(&a) == -1 || ar_value(&a, false, NULL, 0) == -1 ||
	    ar_cfws(&a) == -1)
		goto fail;
	while (*a.p >= '0' && *a.p <= '9')
		a.p++;
	if (ar_cfws(&a) == -1)
		goto fail;
	while (*a.p != '\0') {
		const char *const *props;

		if (*a.p != ';') {
			a.why = "junk where ';' or the end belongs";
			goto fail;
		}
		a.p++;
		if (ar_cfws(&a) == -1 ||
		    ar_keyword(&a, method, sizeof method) == -1 ||
		    ar_cfws(&a) == -1)
			goto fail;
		if (*a.p++ != '=') {
			a.why = "method without '='";
			goto fail;
		}
		if (ar_cfws(&a) == -1 ||
		    ar_keyword(&a, result, sizeof result) == -1)
			goto fail;
		nres++;
		if (nres == 1 && strcmp(method, "iprev") == 0) {
			props = iprev_props;
			if (!in_list(result, iprev_res)) {
				a.why = "unknown iprev result";
				goto fail;
			}
		} else if (nres == 2 && strcmp(method, "x-ptr") == 0) {
			props = xptr_props;
			if (!in_list(result, xptr_res)) {
				a.why = "unknown x-ptr result";
				goto fail;
			}
		} else {
			a.why = "results are not exactly iprev, then x-ptr";
			goto fail;
		}
		if (strlen(res) + strlen(method) + strlen(result) + 3 < reslen)
			(void)snprintf(res + strlen(res), reslen - strlen(res),
			    "%s%s=%s", nres > 1 ? " " : "", method, result);
		/* propspecs (and no reasonspec: we never write one) */
		for (;;) {
			if (ar_cfws(&a) == -1)
				goto fail;
			if (*a.p == ';' || *a.p == '\0')
				break;
			if (ar_keyword(&a, ptype, sizeof ptype) == -1 ||
			    ar_cfws(&a) == -1)
				goto fail;
			if (*a.p++ != '.') {
				a.why = "propspec without '.'";
				goto fail;
			}
			if (ar_cfws(&a) == -1 ||
			    ar_keyword(&a, prop, sizeof prop) == -1 ||
			    ar_cfws(&a) == -1)
				goto fail;
			if (*a.p++ != '=') {
				a.why = "propspec without '='";
				goto fail;
			}
			snprintf(pp, sizeof pp, "%s.%s", ptype, prop);
			if (!in_list(pp, props)) {
				a.why = "unexpected property";
				goto fail;
			}
			if (ar_cfws(&a) == -1 ||
			    ar_value(&a, true, NULL, 0) == -1)
				goto fail;
			if (*a.p != '\0' && *a.p != ';' && !is_wsp(*a.p) &&
			    *a.p != '\n' && *a.p != '(') {
				a.why = "junk after a property value";
				goto fail;
			}
		}
	}
	if (nres != 2) {
		a.why = "results are not exactly iprev, then x-ptr";
		goto fail;
	}
	if (strlen(res) + 20 < reslen)
		(void)snprintf(res + strlen(res), reslen - strlen(res),
		    " maxval=%zu", a.maxval);
	return 0;
fail:
	*why = a.why != NULL ? a.why : "syntax error";
	return -1;
}

/* A reply code text: "[45]NN X.Y.Z text", printable, within 512. */
static void
check_reply(enum stage st, const char *text, size_t len)
{
	size_t i;

	if (len > cfg.reply_max) {
		bad(st, "reply longer than the limit (510 bytes)");
		return;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 ||
		    (unsigned char)text[i] >= 0x7f) {
			bad(st, "reply text with a byte outside printable "
			    "ASCII");
			return;
		}
	if (len < 10 || (text[0] != '4' && text[0] != '5') || text[3] != ' ' ||
	    text[4] != text[0] || text[5] != '.') {
		bad(st, "reply is not \"[45]NN [45].X.Y text\"");
		return;
	}
	out(st, "check-ok", 0, "reply", NULL);
}

static void
check_header(const char *name, const char *value)
{
	char res[128];
	const char *why;

	if (strcmp(name, "Authentication-Results") != 0)
		return;
	if (ar_check(value, res, sizeof res, &why) == -1)
		bad(ST_EOM, why);
	else
		out(ST_EOM, "check-ok", 0, "authres", res);
}

/* ---- the dialogue ---- */

enum dec { DEC_ERROR = -1, DEC_GO, DEC_STOP_MSG, DEC_STOP_CONN };

/* Read replies until a decision, printing each. */
static enum dec
read_decision(enum stage st)
{
	const unsigned char *p;
	unsigned char cmd;
	size_t len;
	enum rd rc;
	uint64_t t0 = now_us();
	char what[8];

	for (;;) {
		if ((rc = read_packet(&cmd, &p, &len, cfg.timeout_ms)) !=
		    RD_OK) {
			out(st, "error", now_us() - t0, rd_str(rc), NULL);
			return DEC_ERROR;
		}
		switch (cmd) {
		case SMFIR_PROGRESS:
			continue;
		case SMFIR_REPLYCODE:
			if (len < 4 || p[len - 1] != '\0' ||
			    memchr(p, '\0', len) != p + len - 1) {
				out(st, "error", 0, "malformed-replycode",
				    NULL);
				return DEC_ERROR;
			}
			memcpy(what, p, 3);
			what[3] = '\0';
			out(st, what, now_us() - t0, NULL, (const char *)p);
			if (cfg.check)
				check_reply(st, (const char *)p, len - 1);
			return DEC_STOP_MSG;
		case SMFIR_INSHEADER:
		case SMFIR_CHGHEADER:
		case SMFIR_ADDHEADER: {
			const char *name, *value;
			size_t off = cmd == SMFIR_ADDHEADER ? 0 : 4;

			if (st != ST_EOM || len < off + 2 ||
			    p[len - 1] != '\0' ||
			    (name = memchr(p + off, '\0', len - off)) == NULL ||
			    (const unsigned char *)name == p + len - 1) {
				out(st, "error", 0, "malformed-modification",
				    NULL);
				return DEC_ERROR;
			}
			value = name + 1;
			name = (const char *)p + off;
			if (memchr(value, '\0', len - (size_t)(value -
			    (const char *)p)) != p + len - 1) {
				out(st, "error", 0, "malformed-modification",
				    NULL);
				return DEC_ERROR;
			}
			out(st, cmd == SMFIR_INSHEADER ? "insheader" :
			    cmd == SMFIR_CHGHEADER ? "chgheader" : "addheader",
			    0, name, value);
			if (cfg.check && cmd != SMFIR_CHGHEADER)
				check_header(name, value);
			continue;
		}
		case SMFIR_CONTINUE:
			out(st, "continue", now_us() - t0, NULL, NULL);
			return DEC_GO;
		case SMFIR_ACCEPT:
			out(st, "accept", now_us() - t0, NULL, NULL);
			return DEC_STOP_MSG;
		case SMFIR_REJECT:
			out(st, "reject", now_us() - t0, NULL, NULL);
			return DEC_STOP_MSG;
		case SMFIR_TEMPFAIL:
			out(st, "tempfail", now_us() - t0, NULL, NULL);
			return DEC_STOP_MSG;
		case SMFIR_DISCARD:
			out(st, "discard", now_us() - t0, NULL, NULL);
			return DEC_STOP_MSG;
		case SMFIR_SKIP:
			out(st, "skip", now_us() - t0, NULL, NULL);
			return DEC_GO;
		case SMFIR_SHUTDOWN:
		case SMFIR_CONN_FAIL:
			out(st, cmd == SMFIR_SHUTDOWN ? "shutdown" :
			    "conn_fail", now_us() - t0, NULL, NULL);
			return DEC_STOP_CONN;
		default:
			snprintf(what, sizeof what, "0x%02x", cmd);
			out(st, "error", 0, "unexpected-reply", what);
			return DEC_ERROR;
		}
	}
}

/*
 * Send one step.  no/nr: the negotiated "do not send" and "no reply"
 * flags of the step.  @return a decision, or DEC_STOP_CONN after a
 * planned drop (*dropped set).
 */
static enum dec
step(enum stage st, char cmd, const struct buf *data, uint32_t no,
    uint32_t nr, bool *dropped)
{
	struct buf b = { NULL, 0, 0 };
	int rc;

	if (no != 0 && (pflags & no) != 0)
		return DEC_GO;
	packet(&b, cmd, data);
	rc = send_all(b.p, b.len);
	free(b.p);
	if (rc == -1) {
		out(st, "error", 0, "write", strerror(errno));
		return DEC_ERROR;
	}
	if (cfg.drop_before == (int)st) {
		out(st, "dropped", 0, "before-reply", NULL);
		*dropped = true;
		return DEC_STOP_CONN;
	}
	if (nr != 0 && (pflags & nr) != 0)
		return DEC_GO;
	rc = read_decision(st);
	if (rc != DEC_ERROR && cfg.drop_after == (int)st) {
		out(st, "dropped", 0, "after-reply", NULL);
		*dropped = true;
		return DEC_STOP_CONN;
	}
	return rc;
}

static void
macro(char for_cmd, const char *const *nv)
{
	struct buf d = { NULL, 0, 0 }, b = { NULL, 0, 0 };

	put(&d, &for_cmd, 1);
	for (; nv[0] != NULL; nv += 2) {
		put_str(&d, nv[0]);
		put_str(&d, nv[1]);
	}
	packet(&b, SMFIC_MACRO, &d);
	if (send_all(b.p, b.len) == -1)
		out(ST_CONNECT, "error", 0, "write", strerror(errno));
	free(d.p);
	free(b.p);
}

static void
connect_data(struct buf *d)
{
	uint16_t port = htons(25025);

	if (cfg.name.len > 0)
		put(d, cfg.name.p, cfg.name.len);
	else {
		put(d, "[", 1);
		put(d, cfg.ip, strlen(cfg.ip));
		put(d, "]", 1);
	}
	put(d, "", 1);
	put(d, &cfg.family, 1);
	put(d, &port, 2);
	put_str(d, cfg.ip);
}

static enum dec
optneg(bool *dropped)
{
	struct buf d = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	const unsigned char *p;
	unsigned char cmd;
	size_t len;
	uint32_t v[3];
	enum rd rc;
	uint64_t t0;

	put_u32(&d, MF_VERSION);
	put_u32(&d, SMFI_CURR_ACTS);
	put_u32(&d, SMFI_CURR_PROT);
	packet(&b, SMFIC_OPTNEG, &d);
	t0 = now_us();
	rc = send_all(b.p, b.len) == -1 ? RD_RESET : RD_OK;
	free(d.p);
	free(b.p);
	if (rc != RD_OK) {
		out(ST_OPTNEG, "error", 0, "write", strerror(errno));
		return DEC_ERROR;
	}
	if (cfg.drop_before == ST_OPTNEG) {
		out(ST_OPTNEG, "dropped", 0, "before-reply", NULL);
		*dropped = true;
		return DEC_STOP_CONN;
	}
	if ((rc = read_packet(&cmd, &p, &len, cfg.timeout_ms)) != RD_OK) {
		out(ST_OPTNEG, "error", now_us() - t0, rd_str(rc), NULL);
		return DEC_ERROR;
	}
	if (cmd != SMFIC_OPTNEG || len < MILTER_OPTLEN) {
		out(ST_OPTNEG, "error", 0, "bad-optneg-reply", NULL);
		return DEC_ERROR;
	}
	memcpy(v, p, sizeof v);
	pflags = ntohl(v[2]);
	out(ST_OPTNEG, "optneg", now_us() - t0, NULL, NULL);
	if (cfg.drop_after == ST_OPTNEG) {
		out(ST_OPTNEG, "dropped", 0, "after-reply", NULL);
		*dropped = true;
		return DEC_STOP_CONN;
	}
	return DEC_GO;
}

/*
 * The whole session.  @return 0 when it ran as planned.
 */
static int
session(void)
{
	static const char *const hdrs[][2] = {
		{ "From", "Fault Test <sender@milterfault.test>" },
		{ "Subject", "milterfault" },
		{ "Message-ID", "<1@milterfault.test>" },
	};
	const char *mconn[] = { "j", "mx.milterfault.test", "{daemon_name}",
	    "milterfault", "{client_addr}", cfg.ip, NULL };
	const char *mmail[] = { "i", "FAULT1", "{mail_addr}",
	    "sender@milterfault.test", NULL };
	const char *mi[] = { "i", "FAULT1", NULL };
	struct buf d = { NULL, 0, 0 };
	bool dropped = false;
	enum dec dc;
	size_t i, accepted = 0;
	char tmp[300];

	if ((dc = optneg(&dropped)) != DEC_GO)
		goto end;
	macro(SMFIC_CONNECT, mconn);
	if (cfg.drop_before == ST_MIDPACKET) {
		struct buf b = { NULL, 0, 0 };

		connect_data(&d);
		packet(&b, SMFIC_CONNECT, &d);
		(void)send_all(b.p, b.len / 2);
		free(b.p);
		out(ST_MIDPACKET, "dropped", 0, "mid-packet", NULL);
		dropped = true;
		dc = DEC_STOP_CONN;
		goto end;
	}
	connect_data(&d);
	dc = step(ST_CONNECT, SMFIC_CONNECT, &d, SMFIP_NOCONNECT,
	    SMFIP_NR_CONN, &dropped);
	if (dc != DEC_GO)
		goto end;
	if (!cfg.no_helo) {
		d.len = 0;
		put(&d, cfg.helo.p, cfg.helo.len);
		put(&d, "", 1);
		dc = step(ST_HELO, SMFIC_HELO, &d, SMFIP_NOHELO, SMFIP_NR_HELO,
		    &dropped);
		if (dc != DEC_GO)
			goto end;
	}
	macro(SMFIC_MAIL, mmail);
	d.len = 0;
	put_str(&d, "<sender@milterfault.test>");
	dc = step(ST_MAIL, SMFIC_MAIL, &d, SMFIP_NOMAIL, SMFIP_NR_MAIL,
	    &dropped);
	if (dc != DEC_GO)
		goto message_end;
	for (i = 0; i < cfg.nrcpt; i++) {
		const char *mr[] = { "i", "FAULT1", "{rcpt_addr}", cfg.rcpt[i],
		    NULL };

		macro(SMFIC_RCPT, mr);
		snprintf(tmp, sizeof tmp, "<%s>", cfg.rcpt[i]);
		d.len = 0;
		put_str(&d, tmp);
		dc = step(ST_RCPT, SMFIC_RCPT, &d, SMFIP_NORCPT, SMFIP_NR_RCPT,
		    &dropped);
		if (dc == DEC_GO)
			accepted++;
		else if (dc == DEC_ERROR || dc == DEC_STOP_CONN)
			goto end;
	}
	if (accepted == 0)
		goto message_end;
	macro(SMFIC_DATA, mi);
	dc = step(ST_DATA, SMFIC_DATA, NULL, SMFIP_NODATA, SMFIP_NR_DATA,
	    &dropped);
	if (dc != DEC_GO)
		goto message_end;
	for (i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
		d.len = 0;
		put_str(&d, hdrs[i][0]);
		if ((pflags & SMFIP_HDR_LEADSPC) != 0)
			put(&d, " ", 1);
		put_str(&d, hdrs[i][1]);
		dc = step(ST_HEADER, SMFIC_HEADER, &d, SMFIP_NOHDRS,
		    SMFIP_NR_HDR, &dropped);
		if (dc != DEC_GO)
			goto message_end;
	}
	dc = step(ST_EOH, SMFIC_EOH, NULL, SMFIP_NOEOH, SMFIP_NR_EOH,
	    &dropped);
	if (dc != DEC_GO)
		goto message_end;
	d.len = 0;
	put(&d, "Test body.\r\n", 12);
	dc = step(ST_BODY, SMFIC_BODY, &d, SMFIP_NOBODY, SMFIP_NR_BODY,
	    &dropped);
	if (dc == DEC_ERROR || dc == DEC_STOP_CONN)
		goto end;
	if (dc == DEC_STOP_MSG)
		goto message_end;
	dc = step(ST_EOM, SMFIC_BODYEOB, NULL, 0, 0, &dropped);
	if (dc == DEC_ERROR || dc == DEC_STOP_CONN)
		goto end;
message_end:
	if (dc == DEC_ERROR || dc == DEC_STOP_CONN)
		goto end;
	{
		struct buf b = { NULL, 0, 0 };
		const unsigned char *p;
		unsigned char cmd;
		size_t len;
		enum rd rc;

		packet(&b, SMFIC_ABORT, NULL);
		packet(&b, SMFIC_QUIT, NULL);
		if (send_all(b.p, b.len) == -1) {
			free(b.p);
			out(ST_QUIT, "error", 0, "write", strerror(errno));
			dc = DEC_ERROR;
			goto end;
		}
		free(b.p);
		rc = read_packet(&cmd, &p, &len, cfg.timeout_ms);
		if (rc != RD_CLOSED && rc != RD_RESET) {
			out(ST_QUIT, "error", 0, rc == RD_OK ?
			    "data-after-quit" : rd_str(rc), NULL);
			dc = DEC_ERROR;
			goto end;
		}
		out(ST_QUIT, "closed", 0, NULL, NULL);
		dc = DEC_GO;
	}
end:
	free(d.p);
	(void)dropped;
	return dc == DEC_ERROR ? -1 : 0;
}

/* ---- -m: malformed packets ---- */

/* When a malformed packet is sent: instead of OPTNEG, after it, or after
 * CONNECT and HELO. */
enum when { W_FIRST, W_AFTER_OPTNEG, W_AFTER_HELO };

static void
build_malformed(const char *kind, struct buf *b, enum when *when)
{
	struct buf d = { NULL, 0, 0 };
	uint16_t port = htons(25);
	char c;
	size_t i;

	*when = W_AFTER_OPTNEG;
	if (strcmp(kind, "len0") == 0) {
		put_u32(b, 0);
	} else if (strcmp(kind, "huge") == 0) {
		put_u32(b, 0x7fffffffu);
		put(b, "C", 1);
		put(b, "host\0", 5);
	} else if (strcmp(kind, "negative") == 0) {
		put_u32(b, 0xffffffffu);
		put(b, "Hxx", 3);
	} else if (strcmp(kind, "badlen") == 0) {
		/* The length covers less than the data: the rest of the
		 * HELO is read as the next packet's length. */
		put_u32(b, 3);
		put(b, "Hmail.example.test", 19);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "unknown") == 0) {
		put_u32(b, 5);
		put(b, "Zabcd", 5);
	} else if (strcmp(kind, "unknown-cmd-first") == 0) {
		put_u32(b, 5);
		put(b, "Zabcd", 5);
		*when = W_FIRST;
	} else if (strcmp(kind, "connect-trunc") == 0) {
		put_str(&d, "host.example");
		packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-noaddr") == 0) {
		put_str(&d, "host.example");
		c = SMFIA_INET;
		put(&d, &c, 1);
		put(&d, &port, 2);
		put(&d, "192.0.2.10", 10);	/* no NUL */
		packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-badfamily") == 0) {
		put_str(&d, "host.example");
		c = 'X';
		put(&d, &c, 1);
		put(&d, &port, 2);
		put_str(&d, "192.0.2.10");
		packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-badaddr") == 0) {
		put_str(&d, "host.example");
		c = SMFIA_INET;
		put(&d, &c, 1);
		put(&d, &port, 2);
		put_str(&d, "999.1.2.3");
		packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-v6-as-v4") == 0) {
		put_str(&d, "host.example");
		c = SMFIA_INET;
		put(&d, &c, 1);
		put(&d, &port, 2);
		put_str(&d, "2001:db8::10");
		packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-empty") == 0) {
		packet(b, SMFIC_CONNECT, NULL);
	} else if (strcmp(kind, "helo-nonul") == 0) {
		put(&d, "mail.example.test", 17);
		packet(b, SMFIC_HELO, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "helo-empty") == 0) {
		packet(b, SMFIC_HELO, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "macro-odd") == 0) {
		put(&d, "C", 1);
		put_str(&d, "j");	/* a name without a value */
		packet(b, SMFIC_MACRO, &d);
		packet(b, SMFIC_MACRO, NULL);	/* no stage at all */
	} else if (strcmp(kind, "mail-empty") == 0) {
		packet(b, SMFIC_MAIL, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "rcpt-empty") == 0) {
		put_str(&d, "<s@example.test>");
		packet(b, SMFIC_MAIL, &d);
		packet(b, SMFIC_RCPT, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "rcpt-nonul") == 0) {
		put_str(&d, "<s@example.test>");
		packet(b, SMFIC_MAIL, &d);
		d.len = 0;
		put(&d, "<u@example.test>", 16);
		packet(b, SMFIC_RCPT, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "header-noval") == 0) {
		put_str(&d, "<s@example.test>");
		packet(b, SMFIC_MAIL, &d);
		d.len = 0;
		put_str(&d, "<u@example.test>");
		packet(b, SMFIC_RCPT, &d);
		packet(b, SMFIC_DATA, NULL);
		d.len = 0;
		put_str(&d, "Authentication-Results");
		packet(b, SMFIC_HEADER, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "body-toobig") == 0) {
		/* One chunk over libmilter's 64 KiB limit. */
		put_str(&d, "<s@example.test>");
		packet(b, SMFIC_MAIL, &d);
		d.len = 0;
		put_str(&d, "<u@example.test>");
		packet(b, SMFIC_RCPT, &d);
		d.len = 0;
		for (i = 0; i < 300000; i++)
			put(&d, "x", 1);
		packet(b, SMFIC_BODY, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "eom-first") == 0) {
		packet(b, SMFIC_BODYEOB, NULL);
	} else if (strcmp(kind, "rcpt-before-connect") == 0) {
		put_str(&d, "<u@example.test>");
		packet(b, SMFIC_RCPT, &d);
		packet(b, SMFIC_BODYEOB, NULL);
	} else if (strcmp(kind, "eom-after-helo") == 0) {
		packet(b, SMFIC_BODYEOB, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "optneg-short") == 0) {
		put_u32(&d, MF_VERSION);
		packet(b, SMFIC_OPTNEG, &d);
		*when = W_FIRST;
	} else if (strcmp(kind, "optneg-v1") == 0) {
		put_u32(&d, 1);
		put_u32(&d, 0);
		put_u32(&d, 0);
		packet(b, SMFIC_OPTNEG, &d);
		*when = W_FIRST;
	} else if (strcmp(kind, "optneg-twice") == 0) {
		put_u32(&d, MF_VERSION);
		put_u32(&d, SMFI_CURR_ACTS);
		put_u32(&d, SMFI_CURR_PROT);
		packet(b, SMFIC_OPTNEG, &d);
	} else if (strcmp(kind, "garbage") == 0) {
		for (i = 0; i < 256; i++) {
			c = (char)(i * 37 + 11);
			put(b, &c, 1);
		}
		*when = W_FIRST;
	} else if (strcmp(kind, "quit-first") == 0) {
		packet(b, SMFIC_QUIT, NULL);
		*when = W_FIRST;
	} else if (strcmp(kind, "abort-storm") == 0) {
		for (i = 0; i < 1000; i++)
			packet(b, SMFIC_ABORT, NULL);
		*when = W_AFTER_HELO;
	} else
		die("unknown -m kind '%s' (milterfault -m list)", kind);
	free(d.p);
}

static const char *const kinds[] = {
	"len0", "huge", "negative", "badlen", "unknown", "unknown-cmd-first",
	"connect-trunc", "connect-noaddr", "connect-badfamily",
	"connect-badaddr", "connect-v6-as-v4", "connect-empty", "helo-nonul",
	"helo-empty", "macro-odd", "mail-empty", "rcpt-empty", "rcpt-nonul",
	"header-noval", "body-toobig", "eom-first", "rcpt-before-connect",
	"eom-after-helo", "optneg-short", "optneg-v1", "optneg-twice",
	"garbage", "quit-first", "abort-storm", NULL,
};

/*
 * Send a malformed packet, then read whatever comes until the filter
 * closes (or the timeout).  @return 0 (the outcome is printed).
 */
static int
malformed(void)
{
	struct buf b = { NULL, 0, 0 }, d = { NULL, 0, 0 };
	const unsigned char *p;
	unsigned char cmd;
	size_t len;
	enum when when;
	enum rd rc;
	bool dropped = false;
	uint64_t t0;
	char what[16];

	build_malformed(cfg.malformed, &b, &when);
	if (when != W_FIRST && optneg(&dropped) != DEC_GO)
		return 1;
	if (when == W_AFTER_HELO) {
		connect_data(&d);
		if (step(ST_CONNECT, SMFIC_CONNECT, &d, SMFIP_NOCONNECT,
		    SMFIP_NR_CONN, &dropped) != DEC_GO)
			return 1;
		d.len = 0;
		put_str(&d, "mail.example.test");
		if (step(ST_HELO, SMFIC_HELO, &d, SMFIP_NOHELO, SMFIP_NR_HELO,
		    &dropped) != DEC_GO)
			return 1;
		free(d.p);
	}
	t0 = now_us();
	if (send_all(b.p, b.len) == -1)
		out(ST_MIDPACKET, "write-failed", 0, strerror(errno), NULL);
	free(b.p);
	for (;;) {
		rc = read_packet(&cmd, &p, &len, cfg.timeout_ms);
		if (rc != RD_OK)
			break;
		snprintf(what, sizeof what, "reply-%c", cmd >= 0x21 &&
		    cmd < 0x7f ? cmd : '?');
		out(ST_MIDPACKET, what, now_us() - t0, NULL, NULL);
	}
	out(ST_MIDPACKET, "outcome", (now_us() - t0) / 1000,
	    rc == RD_TIMEOUT ? "open" : rc == RD_CLOSED ? "closed" :
	    rc == RD_RESET ? "reset" : "bad-reply", NULL);
	return 0;
}

/* ---- options ---- */

/* Decode \r \n \t \\ \xHH. */
static void
unescape(const char *s, struct buf *b)
{
	unsigned v;
	char c;

	b->len = 0;
	for (; *s != '\0'; s++) {
		c = *s;
		if (c == '\\') {
			switch (*++s) {
			case 'r':
				c = '\r';
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case '\\':
				c = '\\';
				break;
			case 'x':
				if (sscanf(s + 1, "%2x", &v) != 1 ||
				    strspn(s + 1, "0123456789abcdefABCDEF") < 2)
					die("bad \\x escape");
				c = (char)v;
				s += 2;
				break;
			default:
				die("bad escape \\%c", *s ? *s : '0');
			}
		}
		put(b, &c, 1);
		if (b->len > MF_ARG_MAX)
			die("argument longer than %d bytes", MF_ARG_MAX);
	}
}

static int
stage_of(const char *s)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		if (strcmp(s, stage_name[i]) == 0 && i != ST_QUIT)
			return i;
	die("unknown stage '%s'", s);
}

static void
parse_socket(const char *spec)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&cfg.ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&cfg.ss;
	const char *path = NULL, *at;
	char host[64];
	unsigned long port;

	cfg.spec = spec;
	memset(&cfg.ss, 0, sizeof cfg.ss);
	if (strncmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	else if (strncmp(spec, "local:", 6) == 0)
		path = spec + 6;
	else if (spec[0] == '/')
		path = spec;
	if (path != NULL) {
		if (strlen(path) >= sizeof sun->sun_path)
			die("socket path too long");
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, path, strlen(path));
		cfg.sslen = sizeof *sun;
		return;
	}
	if (strncmp(spec, "inet:", 5) != 0 || (at = strchr(spec, '@')) ==
	    NULL || strlen(at + 1) >= sizeof host)
		die("socket must be unix:/path or inet:PORT@127.x.x.x");
	port = strtoul(spec + 5, NULL, 10);
	snprintf(host, sizeof host, "%s", at + 1);
	if (port == 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &sin->sin_addr) != 1 ||
	    (ntohl(sin->sin_addr.s_addr) >> 24) != 127)
		die("socket must be unix:/path or inet:PORT@127.x.x.x");
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	cfg.sslen = sizeof *sin;
}

static void
usage(void)
{
	fprintf(stderr, "usage: milterfault -s SOCKET [-t SECONDS] [-a IP] "
	    "[-N NAME] [-H HELO | -n]\n"
	    "           [-r RCPT]... [-A [-L MAX]] [-d STAGE | -D STAGE | "
	    "-m KIND]\n");
	exit(EX_USAGE_CODE);
}

int
main(int argc, char *argv[])
{
	struct in6_addr a6;
	struct in_addr a4;
	double t;
	int ch, rc;

	cfg.timeout_ms = 10000;
	cfg.reply_max = MF_REPLY_MAX;
	cfg.ip = "192.0.2.10";
	cfg.drop_before = cfg.drop_after = -1;
	unescape("mail.example.test", &cfg.helo);
	while ((ch = getopt(argc, argv, "Aa:D:d:H:hL:m:N:nr:s:t:")) != -1) {
		switch (ch) {
		case 'A':
			cfg.check = true;
			break;
		case 'a':
			cfg.ip = optarg;
			break;
		case 'D':
			cfg.drop_after = stage_of(optarg);
			break;
		case 'd':
			cfg.drop_before = stage_of(optarg);
			break;
		case 'H':
			unescape(optarg, &cfg.helo);
			break;
		case 'L':
			cfg.reply_max = strtoul(optarg, NULL, 10);
			if (cfg.reply_max < 10 || cfg.reply_max > MF_MAX_PACKET)
				die("bad -L");
			break;
		case 'm':
			if (strcmp(optarg, "list") == 0) {
				const char *const *k;

				for (k = kinds; *k != NULL; k++)
					puts(*k);
				return 0;
			}
			cfg.malformed = optarg;
			break;
		case 'N':
			unescape(optarg, &cfg.name);
			break;
		case 'n':
			cfg.no_helo = true;
			break;
		case 'r':
			if (cfg.nrcpt == MF_MAX_RCPTS)
				die("at most %d recipients", MF_MAX_RCPTS);
			cfg.rcpt[cfg.nrcpt++] = optarg;
			break;
		case 's':
			parse_socket(optarg);
			break;
		case 't':
			t = strtod(optarg, NULL);
			if (!(t >= 0.01 && t <= 3600))
				die("-t must be 0.01 to 3600 seconds");
			cfg.timeout_ms = (int)(t * 1000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || cfg.spec == NULL)
		usage();
	if (inet_pton(AF_INET, cfg.ip, &a4) == 1)
		cfg.family = SMFIA_INET;
	else if (inet_pton(AF_INET6, cfg.ip, &a6) == 1)
		cfg.family = SMFIA_INET6;
	else
		die("not an IP address: %s", cfg.ip);
	if (cfg.nrcpt == 0)
		cfg.rcpt[cfg.nrcpt++] = "user@example.test";
	signal(SIGPIPE, SIG_IGN);

	if ((fd = socket(cfg.ss.ss_family, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&cfg.ss, cfg.sslen) == -1) {
		fprintf(stderr, "milterfault: connect %s: %s\n", cfg.spec,
		    strerror(errno));
		return 1;
	}
	if (cfg.malformed != NULL)
		rc = malformed();
	else
		rc = session();
	close(fd);
	free(rbuf.p);
	free(cfg.helo.p);
	free(cfg.name.p);
	if (nbad > 0)
		rc = 1;
	return rc == 0 ? 0 : 1;
}
