/*
 * milterload - a load generator that speaks the milter protocol.
 *
 * DESCRIPTION
 *	milterload plays the MTA side of the Sendmail 8 milter protocol,
 *	version 6, the way Postfix's milter8 client does: one new socket per
 *	simulated SMTP session, option negotiation, the macros Postfix sends,
 *	CONNECT, HELO, MAIL, RCPT (each), DATA, a few headers, EOH, one body
 *	chunk, end of message, ABORT (Postfix ends every transaction with
 *	one) and QUIT.  It honours what the filter negotiates: steps the
 *	filter asked to skip (SMFIP_NO*) are not sent, steps marked "no
 *	reply" (SMFIP_NR_*) are not waited for, a SMFIP_SETSYMLIST macro list
 *	replaces the default one for its stage.
 *
 *	N worker threads take session numbers from one atomic counter until
 *	the requested total is reached.  Every reply is read with a deadline;
 *	malformed, oversized or unexpected replies are counted as protocol
 *	errors.  Latencies go into shared log-linear histograms (exact to the
 *	microsecond below 2048 us, 0.1% above), reply kinds and SMTP codes
 *	into counters, and the report is printed once at the end.
 *
 *	With -o FILE, every reply, header modification, error and completed
 *	session is also written to FILE, one line each, for tests:
 *	"SESSION IP STAGE WHAT MICROSECONDS[ DATA]", WHAT being the reply
 *	kind, the SMTP code of a reply, "insheader", "error" or "done".  In
 *	DATA a byte outside printable ASCII is written as \xHH, a backslash
 *	twice.
 *
 *	Only loopback targets are accepted: this is a bench tool, never a way
 *	to send traffic elsewhere.  The client addresses in the IP file are
 *	only data inside the protocol.
 *
 * EXIT STATUS
 *	0 when every session completed without error, 1 otherwise, 64 on a
 *	usage error.
 */
#include "autoconf.h"	/* the autoconf results (see milter/config.h) */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#define EX_USAGE_CODE	64	/* sysexits.h EX_USAGE */

#define ML_VERSION	6	/* protocol version libmilter 8.17 speaks */
#define ML_ACTIONS	SMFI_CURR_ACTS	/* offer every modification */
/* Every step the MTA can skip or not wait for: Postfix's V6 event mask. */
#define ML_PROTOCOL	SMFI_CURR_PROT
/* A reply longer than 1 MiB is an error (Postfix allows INT_MAX / 2). */
#define ML_MAX_PACKET	(1024 * 1024)
#define ML_MAX_RCPTS	100
#define ML_MAX_CONC	1000
#define ML_STACK_SIZE	(64 * 1024)
#define ML_MAX_ERRMSGS	10	/* error lines printed on stderr */
#define ML_TEXT_MAX	200	/* reply text kept per code */
#define ML_NAME_MAX	253	/* RFC 1035: a host name as text */

/* Macro classes of SMFIR_SETSYMLIST (SMFIM_* in mfapi.h). */
#define ML_SMFIM_CONNECT	0
#define ML_SMFIM_HELO		1
#define ML_SMFIM_ENVFROM	2
#define ML_SMFIM_ENVRCPT	3
#define ML_SMFIM_DATA		4
#define ML_SMFIM_EOM		5
#define ML_SMFIM_EOH		6
#define ML_SMFIM_COUNT		7

enum ml_stage {
	ST_OPEN,	/* socket connect + OPTNEG round trip */
	ST_CONNECT,
	ST_HELO,
	ST_MAIL,
	ST_RCPT,
	ST_DATA,
	ST_HEADER,
	ST_EOH,
	ST_BODY,
	ST_EOM,
	ST_SESSION,	/* socket connect to close */
	ST_TO_RCPT,	/* socket connect to the last RCPT reply */
	ST_TO_EOM,	/* socket connect to the end-of-message reply */
	ST_COUNT
};

static const char *const stage_name[ST_COUNT] = {
	"open", "connect", "helo", "mail", "rcpt", "data", "header", "eoh",
	"body", "eom", "session", "to_rcpt", "to_eom"
};

enum ml_kind {
	K_CONTINUE, K_ACCEPT, K_REJECT, K_TEMPFAIL, K_DISCARD, K_SKIP,
	K_CODE4, K_CODE5, K_SHUTDOWN, K_CONNFAIL, K_COUNT
};

static const char *const kind_name[K_COUNT] = {
	"continue", "accept", "reject", "tempfail", "discard", "skip",
	"replycode_4xx", "replycode_5xx", "shutdown", "conn_fail"
};

enum ml_action {
	A_ADDHEADER, A_INSHEADER, A_CHGHEADER, A_ADDRCPT, A_ADDRCPT_PAR,
	A_DELRCPT, A_CHGFROM, A_REPLBODY, A_QUARANTINE, A_PROGRESS, A_COUNT
};

static const char *const action_name[A_COUNT] = {
	"addheader", "insheader", "chgheader", "addrcpt", "addrcpt_par",
	"delrcpt", "chgfrom", "replbody", "quarantine", "progress"
};

enum ml_error {
	E_CONNECT, E_TIMEOUT, E_PROTOCOL, E_DROPPED, E_COUNT
};

static const char *const error_name[E_COUNT] = {
	"connect", "timeout", "protocol", "dropped"
};

/* What a reply means for the dialogue. */
enum ml_dec {
	D_ERROR = -1, D_NOREPLY, D_CONTINUE, D_ACCEPT, D_REJECT, D_TEMPFAIL,
	D_DISCARD, D_SKIP, D_SHUTDOWN, D_CONNFAIL
};

/*
 * Log-linear histogram of microseconds: values below 2048 have their own
 * bucket, above that each power of two has 1024 buckets (error < 0.1%).
 * Values are capped at 2^41 - 1 us (25 days).
 */
#define H_EXACT		2048
#define H_SUB		1024
#define H_SUB_BITS	10
#define H_MAX_EXP	40
#define H_BUCKETS	(H_EXACT + (H_MAX_EXP - 10) * H_SUB)

struct hist {
	_Atomic uint64_t count;
	_Atomic uint64_t sum;
	_Atomic uint64_t max;
	_Atomic uint64_t bucket[H_BUCKETS];
};

struct stats {
	struct hist lat[ST_COUNT];
	_Atomic uint64_t sent[ST_COUNT];
	_Atomic uint64_t kind[ST_COUNT][K_COUNT];
	_Atomic uint64_t code[ST_COUNT][200];	/* 400..599 */
	_Atomic bool code_seen[ST_COUNT][200];
	char *code_text[ST_COUNT][200];		/* first text seen */
	_Atomic uint64_t action[A_COUNT];
	_Atomic uint64_t error[E_COUNT];
	_Atomic uint64_t completed;
	_Atomic uint64_t hdr_added;
	_Atomic unsigned nerrmsg;
	pthread_mutex_t lock;
	char first_error[256];
	_Atomic bool have_neg;
	uint32_t neg_version, neg_actions, neg_protocol;
};

struct client {
	char addr[INET6_ADDRSTRLEN];
	char *name;			/* second column or NULL */
	char family;			/* SMFIA_INET or SMFIA_INET6 */
};

struct config {
	const char *spec;
	struct sockaddr_storage ss;
	socklen_t sslen;
	bool tcp;
	unsigned long total;
	unsigned conc;
	struct client *clients;
	size_t nclients;
	const char *helo;
	bool helo_ptr;
	const char *rcpt[ML_MAX_RCPTS];
	size_t nrcpt;
	int timeout_ms;
	unsigned pause_ms;	/* -p: sleep after the recipients */
	bool json;
	bool quiet;
	FILE *trace;		/* -o: one line per reply */
	char date[64];
	unsigned long long qid_base;
};

struct worker {
	unsigned char *rbuf;	/* input buffer */
	size_t rcap;
	size_t rpos;		/* first unread byte */
	size_t rlen;		/* bytes in the buffer */
	unsigned char *wbuf;
	size_t wlen;
	size_t wcap;
	size_t pkt;		/* offset of the packet being built */
	bool woom;
};

struct session {
	struct worker *w;
	unsigned long idx;
	const struct client *cl;
	int fd;
	uint64_t t0;		/* socket connect began */
	enum ml_stage stage;	/* for error messages */
	char qid[24];
	uint32_t version;
	uint32_t actions;
	uint32_t pflags;
	const char *symlist[ML_SMFIM_COUNT];
	char *symbuf;
	bool hdr_added;
	bool failed;
	const char *reply_text;	/* -o: the last SMFIR_REPLYCODE text */
};

struct macro {
	const char *name;
	const char *value;
};

static struct config cfg;
static struct stats *st;
static _Atomic unsigned long next_session;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

static void usage(void) __attribute__((noreturn));

/* ---- time and histograms ---- */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static size_t
hist_index(uint64_t v)
{
	unsigned e;

	if (v < H_EXACT)
		return (size_t)v;
	if (v >= (UINT64_C(1) << (H_MAX_EXP + 1)))
		v = (UINT64_C(1) << (H_MAX_EXP + 1)) - 1;
	e = 63 - (unsigned)__builtin_clzll(v);
	return H_EXACT + (size_t)(e - 11) * H_SUB +
	    (size_t)((v >> (e - H_SUB_BITS)) - H_SUB);
}

/* Middle of a bucket (exact below H_EXACT). */
static uint64_t
hist_value(size_t i)
{
	unsigned e;
	uint64_t sub, lo;

	if (i < H_EXACT)
		return i;
	e = 11 + (unsigned)((i - H_EXACT) / H_SUB);
	sub = (i - H_EXACT) % H_SUB;
	lo = (H_SUB + sub) << (e - H_SUB_BITS);
	return lo + ((UINT64_C(1) << (e - H_SUB_BITS)) >> 1);
}

static void
hist_add(struct hist *h, uint64_t v)
{
	uint64_t m;

	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, v, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->bucket[hist_index(v)], 1,
	    memory_order_relaxed);
	m = atomic_load_explicit(&h->max, memory_order_relaxed);
	while (v > m && !atomic_compare_exchange_weak(&h->max, &m, v))
		;
}

/* Value at percentile p (0 < p <= 100), never above the maximum. */
static uint64_t
hist_pct(struct hist *h, double p)
{
	uint64_t n, rank, cum = 0, v, max;
	size_t i;

	n = atomic_load(&h->count);
	max = atomic_load(&h->max);
	if (n == 0)
		return 0;
	rank = (uint64_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < H_BUCKETS; i++) {
		cum += atomic_load(&h->bucket[i]);
		if (cum >= rank) {
			v = hist_value(i);
			return v > max ? max : v;
		}
	}
	return max;
}

/* ---- -o: the trace file ---- */

/* Printable ASCII as is; '\\', other bytes (and spaces if sp) escaped. */
static void
trace_esc(FILE *fp, const char *str, bool sp)
{
	const unsigned char *p = (const unsigned char *)str;

	for (; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (*p > 0x20 && *p < 0x7f)
			fputc(*p, fp);
		else if (*p == 0x20 && !sp)
			fputc(*p, fp);
		else
			fprintf(fp, "\\x%02x", *p);
	}
}

/* "SESSION IP STAGE WHAT US[ A[ B]]"; a holds no raw space. */
static void
trace(const struct session *s, enum ml_stage stage, const char *what,
    uint64_t us, const char *a, const char *b)
{
	if (cfg.trace == NULL)
		return;
	pthread_mutex_lock(&trace_lock);
	fprintf(cfg.trace, "%lu %s %s %s %" PRIu64, s->idx, s->cl->addr,
	    stage_name[stage], what, us);
	if (a != NULL) {
		fputc(' ', cfg.trace);
		trace_esc(cfg.trace, a, true);
	}
	if (b != NULL) {
		fputc(' ', cfg.trace);
		trace_esc(cfg.trace, b, false);
	}
	fputc('\n', cfg.trace);
	pthread_mutex_unlock(&trace_lock);
}

/* A header modification (layout already checked by check_mod()). */
static void
trace_mod(const struct session *s, unsigned char cmd, const unsigned char *p)
{
	const char *name;

	if (cfg.trace == NULL || (cmd != SMFIR_ADDHEADER &&
	    cmd != SMFIR_INSHEADER && cmd != SMFIR_CHGHEADER))
		return;
	if (cmd != SMFIR_ADDHEADER)
		p += 4;		/* the index */
	name = (const char *)p;
	trace(s, ST_EOM, cmd == SMFIR_ADDHEADER ? "addheader" :
	    cmd == SMFIR_INSHEADER ? "insheader" : "chgheader", 0, name,
	    name + strlen(name) + 1);
}

/* ---- errors ---- */

static void sess_fail(struct session *, enum ml_error, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
sess_fail(struct session *s, enum ml_error e, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	unsigned n;

	if (s->failed)
		return;
	s->failed = true;
	atomic_fetch_add(&st->error[e], 1);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	trace(s, s->stage, "error", 0, error_name[e], msg);
	pthread_mutex_lock(&st->lock);
	if (st->first_error[0] == '\0')
		snprintf(st->first_error, sizeof st->first_error,
		    "session %lu, %s: %s: %s", s->idx, stage_name[s->stage],
		    error_name[e], msg);
	pthread_mutex_unlock(&st->lock);
	n = atomic_fetch_add(&st->nerrmsg, 1);
	if (!cfg.quiet && n < ML_MAX_ERRMSGS)
		fprintf(stderr, "milterload: session %lu, %s: %s: %s%s\n",
		    s->idx, stage_name[s->stage], error_name[e], msg,
		    n + 1 == ML_MAX_ERRMSGS ? " (further errors not shown)" :
		    "");
}

/* ---- output buffer: packets are queued and written before a read ---- */

static bool
wb_reserve(struct worker *w, size_t n)
{
	unsigned char *p;
	size_t cap;

	if (w->woom)
		return false;
	if (w->wcap - w->wlen >= n)
		return true;
	cap = w->wcap ? w->wcap : 4096;
	while (cap - w->wlen < n)
		cap *= 2;
	if ((p = realloc(w->wbuf, cap)) == NULL) {
		w->woom = true;
		return false;
	}
	w->wbuf = p;
	w->wcap = cap;
	return true;
}

static void
wb_bytes(struct worker *w, const void *b, size_t n)
{
	if (!wb_reserve(w, n))
		return;
	memcpy(w->wbuf + w->wlen, b, n);
	w->wlen += n;
}

static void
wb_str(struct worker *w, const char *s)
{
	wb_bytes(w, s, strlen(s) + 1);
}

static void
wb_u32(struct worker *w, uint32_t v)
{
	uint32_t n = htonl(v);

	wb_bytes(w, &n, sizeof n);
}

static void
wb_u16(struct worker *w, uint16_t v)
{
	uint16_t n = htons(v);

	wb_bytes(w, &n, sizeof n);
}

/* Start a packet: 4-byte length (filled by wb_end) and command byte. */
static void
wb_begin(struct worker *w, char cmd)
{
	w->pkt = w->wlen;
	wb_u32(w, 0);
	wb_bytes(w, &cmd, 1);
}

static void
wb_end(struct worker *w)
{
	uint32_t n;

	if (w->woom)
		return;
	n = htonl((uint32_t)(w->wlen - w->pkt - 4));
	memcpy(w->wbuf + w->pkt, &n, sizeof n);
}

static int
remaining_ms(uint64_t deadline)
{
	uint64_t t = now_us();

	if (t >= deadline)
		return 0;
	return (int)((deadline - t + 999) / 1000);
}

static void
set_timeout(int fd, int opt, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

/*
 * The socket is blocking with SO_SNDTIMEO and SO_RCVTIMEO set to the reply
 * timeout, so that a command costs one send() and a reply usually one
 * recv(): the generator should not eat the CPU the filter needs.
 */
static int
sess_flush(struct session *s)
{
	struct worker *w = s->w;
	size_t off = 0;
	ssize_t n;

	if (w->woom) {
		sess_fail(s, E_PROTOCOL, "out of memory");
		return -1;
	}
	while (off < w->wlen) {
		n = send(s->fd, w->wbuf + off, w->wlen - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			sess_fail(s, E_TIMEOUT, "write timed out");
		else
			sess_fail(s, E_DROPPED, "write: %s", strerror(errno));
		return -1;
	}
	w->wlen = 0;
	return 0;
}

/* ---- input ---- */

/* Have at least n unread bytes in the input buffer, or fail. */
static int
fill(struct session *s, size_t n, uint64_t deadline)
{
	struct worker *w = s->w;
	unsigned char *p;
	size_t cap;
	ssize_t r;
	bool shortened = false;
	int ms, rc = -1;

	if (w->rlen - w->rpos >= n)
		return 0;
	if (w->rpos > 0) {	/* keep the unread bytes at the front */
		memmove(w->rbuf, w->rbuf + w->rpos, w->rlen - w->rpos);
		w->rlen -= w->rpos;
		w->rpos = 0;
	}
	if (n > w->rcap) {
		cap = w->rcap ? w->rcap : 4096;
		while (cap < n)
			cap *= 2;
		if ((p = realloc(w->rbuf, cap)) == NULL) {
			sess_fail(s, E_PROTOCOL, "out of memory");
			return -1;
		}
		w->rbuf = p;
		w->rcap = cap;
	}
	while (w->rlen < n) {
		r = recv(s->fd, w->rbuf + w->rlen, w->rcap - w->rlen, 0);
		if (r > 0) {
			w->rlen += (size_t)r;
			/* A partial packet: bound the next wait. */
			if (w->rlen < n) {
				if ((ms = remaining_ms(deadline)) == 0)
					goto timeout;
				set_timeout(s->fd, SO_RCVTIMEO, ms);
				shortened = true;
			}
			continue;
		}
		if (r == 0) {
			sess_fail(s, E_DROPPED, "connection closed by filter");
			goto out;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			goto timeout;
		sess_fail(s, E_DROPPED, "read: %s", strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
timeout:
	sess_fail(s, E_TIMEOUT, "no reply within %d ms", cfg.timeout_ms);
out:
	if (shortened)
		set_timeout(s->fd, SO_RCVTIMEO, cfg.timeout_ms);
	return rc;
}

/* Read one packet; *data points into the worker's input buffer. */
static int
read_packet(struct session *s, unsigned char *cmd, const unsigned char **data,
    size_t *len)
{
	struct worker *w = s->w;
	uint64_t deadline;
	uint32_t n;

	deadline = now_us() + (uint64_t)cfg.timeout_ms * 1000;
	if (fill(s, 4, deadline) == -1)
		return -1;
	memcpy(&n, w->rbuf + w->rpos, sizeof n);
	n = ntohl(n);
	if (n < 1 || n > ML_MAX_PACKET) {
		sess_fail(s, E_PROTOCOL, "bad reply length %" PRIu32, n);
		return -1;
	}
	if (fill(s, 4 + (size_t)n, deadline) == -1)
		return -1;
	*cmd = w->rbuf[w->rpos + 4];
	*data = w->rbuf + w->rpos + 5;
	*len = (size_t)n - 1;
	w->rpos += 4 + (size_t)n;
	return 0;
}

/* Take one NUL-terminated string from a reply; -1 if it has none. */
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

static void
sanitize(char *dst, size_t dstlen, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < dstlen; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

static void
record_code(enum ml_stage stage, const char *text)
{
	int code = (text[0] - '0') * 100 + (text[1] - '0') * 10 +
	    (text[2] - '0');
	char buf[ML_TEXT_MAX + 1];

	atomic_fetch_add(&st->code[stage][code - 400], 1);
	/* The first thread to see a code keeps its text; read after join. */
	if (atomic_exchange(&st->code_seen[stage][code - 400], true))
		return;
	sanitize(buf, sizeof buf, text);
	st->code_text[stage][code - 400] = strdup(buf);
}

/* Check the layout of a modification request seen at end of message. */
static int
check_mod(unsigned char cmd, const unsigned char *p, size_t len)
{
	const char *a, *b;

	switch (cmd) {
	case SMFIR_ADDHEADER:
		if (take_str(&p, &len, &a) == -1 ||
		    take_str(&p, &len, &b) == -1 || *a == '\0')
			return -1;
		break;
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (len < 4)
			return -1;
		p += 4;
		len -= 4;
		if (take_str(&p, &len, &a) == -1 ||
		    take_str(&p, &len, &b) == -1 || *a == '\0')
			return -1;
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

static enum ml_action
mod_action(unsigned char cmd)
{
	switch (cmd) {
	case SMFIR_ADDHEADER:
		return A_ADDHEADER;
	case SMFIR_INSHEADER:
		return A_INSHEADER;
	case SMFIR_CHGHEADER:
		return A_CHGHEADER;
	case SMFIR_ADDRCPT:
		return A_ADDRCPT;
	case SMFIR_ADDRCPT_PAR:
		return A_ADDRCPT_PAR;
	case SMFIR_DELRCPT:
		return A_DELRCPT;
	case SMFIR_CHGFROM:
		return A_CHGFROM;
	case SMFIR_REPLBODY:
		return A_REPLBODY;
	default:
		return A_QUARANTINE;
	}
}

static enum ml_dec
count_kind(enum ml_stage stage, enum ml_kind k, enum ml_dec d)
{
	atomic_fetch_add(&st->kind[stage][k], 1);
	return d;
}

/* Read replies until a decision; modifications are only valid at EOM. */
static enum ml_dec
read_decision(struct session *s, enum ml_stage stage)
{
	const unsigned char *p;
	const char *text;
	unsigned char cmd;
	size_t len;

	for (;;) {
		if (read_packet(s, &cmd, &p, &len) == -1)
			return D_ERROR;
		switch (cmd) {
		case SMFIR_PROGRESS:
			if (len != 0)
				goto trailing;
			atomic_fetch_add(&st->action[A_PROGRESS], 1);
			continue;
		case SMFIR_QUARANTINE:
			if (check_mod(cmd, p, len) == -1)
				goto malformed;
			atomic_fetch_add(&st->action[A_QUARANTINE], 1);
			continue;
		case SMFIR_REPLYCODE:
			if (len < 4 || p[len - 1] != '\0' ||
			    strlen((const char *)p) != len - 1 ||
			    (p[0] != '4' && p[0] != '5') ||
			    p[1] < '0' || p[1] > '9' || p[2] < '0' ||
			    p[2] > '9' ||
			    (p[3] != ' ' && p[3] != '-' && p[3] != '\0'))
				goto malformed;
			text = (const char *)p;
			record_code(stage, text);
			s->reply_text = text;
			return p[0] == '4' ?
			    count_kind(stage, K_CODE4, D_TEMPFAIL) :
			    count_kind(stage, K_CODE5, D_REJECT);
		case SMFIR_ADDHEADER:
		case SMFIR_INSHEADER:
		case SMFIR_CHGHEADER:
		case SMFIR_ADDRCPT:
		case SMFIR_ADDRCPT_PAR:
		case SMFIR_DELRCPT:
		case SMFIR_CHGFROM:
		case SMFIR_REPLBODY:
			if (stage != ST_EOM)
				goto unexpected;
			if (check_mod(cmd, p, len) == -1)
				goto malformed;
			atomic_fetch_add(&st->action[mod_action(cmd)], 1);
			trace_mod(s, cmd, p);
			if (cmd == SMFIR_ADDHEADER || cmd == SMFIR_INSHEADER)
				s->hdr_added = true;
			continue;
		default:
			break;
		}
		if (len != 0) {
			switch (cmd) {
			case SMFIR_CONTINUE:
			case SMFIR_ACCEPT:
			case SMFIR_REJECT:
			case SMFIR_TEMPFAIL:
			case SMFIR_DISCARD:
			case SMFIR_SKIP:
			case SMFIR_SHUTDOWN:
			case SMFIR_CONN_FAIL:
				goto trailing;
			default:
				goto unexpected;
			}
		}
		switch (cmd) {
		case SMFIR_CONTINUE:
			return count_kind(stage, K_CONTINUE, D_CONTINUE);
		case SMFIR_ACCEPT:
			return count_kind(stage, K_ACCEPT, D_ACCEPT);
		case SMFIR_REJECT:
			return count_kind(stage, K_REJECT, D_REJECT);
		case SMFIR_TEMPFAIL:
			return count_kind(stage, K_TEMPFAIL, D_TEMPFAIL);
		case SMFIR_DISCARD:
			if (stage == ST_CONNECT || stage == ST_HELO)
				goto unexpected;
			return count_kind(stage, K_DISCARD, D_DISCARD);
		case SMFIR_SKIP:
			/* Only defined for body chunks (xxfi_body). */
			if (stage != ST_BODY)
				goto unexpected;
			return count_kind(stage, K_SKIP, D_SKIP);
		case SMFIR_SHUTDOWN:
			return count_kind(stage, K_SHUTDOWN, D_SHUTDOWN);
		case SMFIR_CONN_FAIL:
			return count_kind(stage, K_CONNFAIL, D_CONNFAIL);
		default:
			goto unexpected;
		}
	}
trailing:
	sess_fail(s, E_PROTOCOL, "reply '%c' followed by %zu data bytes",
	    cmd, len);
	return D_ERROR;
malformed:
	sess_fail(s, E_PROTOCOL, "malformed reply '%c' (%zu bytes)", cmd, len);
	return D_ERROR;
unexpected:
	sess_fail(s, E_PROTOCOL, "unexpected reply 0x%02x", cmd);
	return D_ERROR;
}

/* Send what is queued for a stage and, unless told not to, wait. */
static enum ml_dec
exchange(struct session *s, enum ml_stage stage, bool noreply)
{
	enum ml_dec d;
	uint64_t t0;

	s->stage = stage;
	wb_end(s->w);
	atomic_fetch_add(&st->sent[stage], 1);
	if (noreply)
		return D_NOREPLY;
	t0 = now_us();
	if (sess_flush(s) == -1)
		return D_ERROR;
	s->reply_text = NULL;
	d = read_decision(s, stage);
	if (d != D_ERROR) {
		uint64_t us = now_us() - t0;
		char code[4];

		hist_add(&st->lat[stage], us);
		if (cfg.trace != NULL && s->reply_text != NULL) {
			memcpy(code, s->reply_text, 3);
			code[3] = '\0';
			trace(s, stage, code, us, NULL, s->reply_text);
		} else if (cfg.trace != NULL) {
			trace(s, stage, d == D_CONTINUE ? "continue" :
			    d == D_ACCEPT ? "accept" : d == D_REJECT ?
			    "reject" : d == D_TEMPFAIL ? "tempfail" :
			    d == D_DISCARD ? "discard" : d == D_SKIP ? "skip" :
			    d == D_SHUTDOWN ? "shutdown" : "conn_fail", us,
			    NULL, NULL);
		}
	}
	return d;
}

/* ---- macros ---- */

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

/* Queue SMFIC_MACRO for cmd; a negotiated symbol list filters the set. */
static void
send_macros(struct session *s, char cmd, int cls, const struct macro *m,
    size_t n)
{
	struct worker *w = s->w;
	const char *list = s->symlist[cls];
	size_t i;
	bool any = false;

	for (i = 0; i < n; i++) {
		if (list != NULL && !in_symlist(list, m[i].name))
			continue;
		if (!any) {
			wb_begin(w, SMFIC_MACRO);
			wb_bytes(w, &cmd, 1);
			any = true;
		}
		wb_str(w, m[i].name);
		wb_str(w, m[i].value);
	}
	if (any)
		wb_end(w);
}

/* ---- one session ---- */

static int
sess_connect(struct session *s)
{
	int fd, one = 1;

	s->stage = ST_OPEN;
	fd = socket(cfg.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		sess_fail(s, E_CONNECT, "socket: %s", strerror(errno));
		return -1;
	}
	/* SO_SNDTIMEO bounds connect() too, for unix and TCP sockets. */
	set_timeout(fd, SO_SNDTIMEO, cfg.timeout_ms);
	set_timeout(fd, SO_RCVTIMEO, cfg.timeout_ms);
	while (connect(fd, (struct sockaddr *)&cfg.ss, cfg.sslen) == -1) {
		if (errno == EINTR)
			continue;
		sess_fail(s, errno == EINPROGRESS || errno == EAGAIN ?
		    E_TIMEOUT : E_CONNECT, "connect %s: %s", cfg.spec,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (cfg.tcp)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one);
	s->fd = fd;
	return 0;
}

static int
parse_symlist(struct session *s, const unsigned char *p, size_t len)
{
	const char *list;
	uint32_t cls;

	if ((s->symbuf = malloc(len)) == NULL) {
		sess_fail(s, E_PROTOCOL, "out of memory");
		return -1;
	}
	memcpy(s->symbuf, p, len);
	p = (const unsigned char *)s->symbuf;
	while (len > 0) {
		if (len < 4)
			goto bad;
		memcpy(&cls, p, 4);
		cls = ntohl(cls);
		p += 4;
		len -= 4;
		if (take_str(&p, &len, &list) == -1)
			goto bad;
		if (cls < ML_SMFIM_COUNT)
			s->symlist[cls] = list;
	}
	return 0;
bad:
	sess_fail(s, E_PROTOCOL, "malformed macro list in OPTNEG reply");
	return -1;
}

static int
sess_optneg(struct session *s, uint64_t t0)
{
	struct worker *w = s->w;
	const unsigned char *p;
	unsigned char cmd;
	uint32_t v[3];
	size_t len;

	wb_begin(w, SMFIC_OPTNEG);
	wb_u32(w, ML_VERSION);
	wb_u32(w, ML_ACTIONS);
	wb_u32(w, ML_PROTOCOL);
	wb_end(w);
	atomic_fetch_add(&st->sent[ST_OPEN], 1);
	if (sess_flush(s) == -1 || read_packet(s, &cmd, &p, &len) == -1)
		return -1;
	if (cmd != SMFIC_OPTNEG || len < MILTER_OPTLEN) {
		sess_fail(s, E_PROTOCOL, "bad OPTNEG reply 0x%02x (%zu bytes)",
		    cmd, len);
		return -1;
	}
	memcpy(v, p, sizeof v);
	s->version = ntohl(v[0]);
	s->actions = ntohl(v[1]);
	s->pflags = ntohl(v[2]);
	if (s->version < 2 || s->version > ML_VERSION) {
		sess_fail(s, E_PROTOCOL, "filter protocol version %" PRIu32,
		    s->version);
		return -1;
	}
	if ((s->actions & ML_ACTIONS) != s->actions) {
		sess_fail(s, E_PROTOCOL, "filter wants actions 0x%" PRIx32
		    " beyond those offered", s->actions);
		return -1;
	}
	if (len > MILTER_OPTLEN &&
	    parse_symlist(s, p + MILTER_OPTLEN, len - MILTER_OPTLEN) == -1)
		return -1;
	hist_add(&st->lat[ST_OPEN], now_us() - t0);
	if (!atomic_load(&st->have_neg)) {
		pthread_mutex_lock(&st->lock);
		if (!atomic_load(&st->have_neg)) {
			st->neg_version = s->version;
			st->neg_actions = s->actions;
			st->neg_protocol = s->pflags;
			atomic_store(&st->have_neg, true);
		}
		pthread_mutex_unlock(&st->lock);
	}
	return 0;
}

static bool
go_on(enum ml_dec d)
{
	return d == D_CONTINUE || d == D_NOREPLY || d == D_SKIP;
}

/*
 * After a reply d within the mail transaction: -1 on error, 2 to close at
 * once (shutdown, or the connection failed), 0 to end with ABORT (the
 * filter rejected or accepted the message), or STAGE_ON to go on.
 */
#define STAGE_ON	3

static int
stage_end(enum ml_dec d)
{
	if (d == D_ERROR)
		return -1;
	if (d == D_SHUTDOWN || d == D_CONNFAIL)
		return 2;
	return go_on(d) ? STAGE_ON : 0;
}

/* -p: hold the session open after the recipients, as a slow client
 * would (to measure a filter with many sessions in progress). */
static void
pause_session(void)
{
	struct timespec ts;

	if (cfg.pause_ms == 0)
		return;
	ts.tv_sec = cfg.pause_ms / 1000;
	ts.tv_nsec = (long)(cfg.pause_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * The SMTP dialogue after negotiation.  Returns 0 to end with ABORT and
 * QUIT, 1 to end with QUIT only, 2 to close at once (a connection-level
 * decision, as Postfix does), -1 on error.
 */
static int
sess_dialogue(struct session *s)
{
	struct worker *w = s->w;
	const struct client *cl = s->cl;
	char hostname[ML_NAME_MAX + 3], under[ML_NAME_MAX + 64];
	char rcpt[300], from_hdr[80], subj[64], msgid[96];
	const char *helo, *sp;
	struct macro m[4];
	enum ml_dec d;
	size_t i, naccepted = 0;
	uint32_t pf = s->pflags;
	int rc;
	static const char body[] =
	    "This is a test message sent by milterload.\r\n"
	    "\r\n"
	    "It has no other purpose.\r\n";
	struct {
		const char *name;
		const char *value;
	} hdr[5];

	/* CONNECT, with the macros Postfix sends for it. */
	snprintf(hostname, sizeof hostname, "[%s]", cl->addr);
	snprintf(under, sizeof under, "%s [%s]",
	    cl->name != NULL ? cl->name : "unknown", cl->addr);
	m[0] = (struct macro){ "j", "mx.milterload.test" };
	m[1] = (struct macro){ "{daemon_name}", "milterload" };
	m[2] = (struct macro){ "_", under };
	m[3] = (struct macro){ "{client_addr}", cl->addr };
	send_macros(s, SMFIC_CONNECT, ML_SMFIM_CONNECT, m, 4);
	if ((pf & SMFIP_NOCONNECT) == 0) {
		wb_begin(w, SMFIC_CONNECT);
		wb_str(w, cl->name != NULL ? cl->name : hostname);
		wb_bytes(w, &cl->family, 1);
		wb_u16(w, (uint16_t)(1024 + s->idx % 64000));
		wb_str(w, cl->addr);
		d = exchange(s, ST_CONNECT, (pf & SMFIP_NR_CONN) != 0);
		if (d == D_ERROR)
			return -1;
		if (!go_on(d))
			return 2;
	}

	/* HELO: Postfix's default HELO macros are TLS ones, none here. */
	helo = cfg.helo;
	if (cfg.helo_ptr && cl->name != NULL)
		helo = cl->name;
	if ((pf & SMFIP_NOHELO) == 0) {
		wb_begin(w, SMFIC_HELO);
		wb_str(w, helo);
		d = exchange(s, ST_HELO, (pf & SMFIP_NR_HELO) != 0);
		if (d == D_ERROR)
			return -1;
		if (!go_on(d))
			return 2;
	}

	/* MAIL */
	m[0] = (struct macro){ "i", s->qid };
	m[1] = (struct macro){ "{mail_addr}", "sender@milterload.test" };
	send_macros(s, SMFIC_MAIL, ML_SMFIM_ENVFROM, m, 2);
	if ((pf & SMFIP_NOMAIL) == 0) {
		wb_begin(w, SMFIC_MAIL);
		wb_str(w, "<sender@milterload.test>");
		d = exchange(s, ST_MAIL, (pf & SMFIP_NR_MAIL) != 0);
		if ((rc = stage_end(d)) != STAGE_ON)
			return rc;
	}

	/* RCPT, each; a rejected one is not counted as accepted. */
	for (i = 0; i < cfg.nrcpt; i++) {
		m[0] = (struct macro){ "i", s->qid };
		m[1] = (struct macro){ "{rcpt_addr}", cfg.rcpt[i] };
		send_macros(s, SMFIC_RCPT, ML_SMFIM_ENVRCPT, m, 2);
		if ((pf & SMFIP_NORCPT) != 0) {
			naccepted++;
			continue;
		}
		snprintf(rcpt, sizeof rcpt, "<%s>", cfg.rcpt[i]);
		wb_begin(w, SMFIC_RCPT);
		wb_str(w, rcpt);
		d = exchange(s, ST_RCPT, (pf & SMFIP_NR_RCPT) != 0);
		if (d == D_ERROR)
			return -1;
		/* The MTA waits this long from connect to know the fate
		 * of its recipients (a filter's verdict, typically). */
		if (d != D_NOREPLY && (i + 1 == cfg.nrcpt || d == D_ACCEPT ||
		    d == D_DISCARD || d == D_SHUTDOWN || d == D_CONNFAIL))
			hist_add(&st->lat[ST_TO_RCPT], now_us() - s->t0);
		if (d == D_SHUTDOWN || d == D_CONNFAIL)
			return 2;
		if (d == D_ACCEPT || d == D_DISCARD) {
			pause_session();
			return 0;	/* no more events for this message */
		}
		if (go_on(d))
			naccepted++;
	}
	pause_session();
	if (naccepted == 0)
		return 0;

	/* DATA */
	m[0] = (struct macro){ "i", s->qid };
	send_macros(s, SMFIC_DATA, ML_SMFIM_DATA, m, 1);
	if ((pf & SMFIP_NODATA) == 0) {
		wb_begin(w, SMFIC_DATA);
		d = exchange(s, ST_DATA, (pf & SMFIP_NR_DATA) != 0);
		if ((rc = stage_end(d)) != STAGE_ON)
			return rc;
	}

	/* Headers: the value loses its leading space unless negotiated. */
	sp = (pf & SMFIP_HDR_LEADSPC) != 0 ? " " : "";
	snprintf(from_hdr, sizeof from_hdr,
	    "%sLoad Test <sender@milterload.test>", sp);
	snprintf(rcpt, sizeof rcpt, "%s<%s>", sp, cfg.rcpt[0]);
	snprintf(subj, sizeof subj, "%smilterload test %lu", sp, s->idx);
	snprintf(msgid, sizeof msgid, "%s<%s.%lu@milterload.test>", sp,
	    s->qid, s->idx);
	hdr[0].name = "From";
	hdr[0].value = from_hdr;
	hdr[1].name = "To";
	hdr[1].value = rcpt;
	hdr[2].name = "Subject";
	hdr[2].value = subj;
	hdr[3].name = "Message-ID";
	hdr[3].value = msgid;
	hdr[4].name = "Date";
	hdr[4].value = (pf & SMFIP_HDR_LEADSPC) != 0 ? cfg.date :
	    cfg.date + 1;
	if ((pf & SMFIP_NOHDRS) == 0) {
		for (i = 0; i < 5; i++) {
			send_macros(s, SMFIC_HEADER, ML_SMFIM_EOH, m, 1);
			wb_begin(w, SMFIC_HEADER);
			wb_str(w, hdr[i].name);
			wb_str(w, hdr[i].value);
			d = exchange(s, ST_HEADER, (pf & SMFIP_NR_HDR) != 0);
			if ((rc = stage_end(d)) != STAGE_ON)
				return rc;
		}
	}

	/* EOH */
	if ((pf & SMFIP_NOEOH) == 0) {
		send_macros(s, SMFIC_EOH, ML_SMFIM_EOH, m, 1);
		wb_begin(w, SMFIC_EOH);
		d = exchange(s, ST_EOH, (pf & SMFIP_NR_EOH) != 0);
		if ((rc = stage_end(d)) != STAGE_ON)
			return rc;
	}

	/* BODY: one small chunk; SMFIR_SKIP would skip further chunks. */
	if ((pf & SMFIP_NOBODY) == 0) {
		send_macros(s, SMFIC_BODY, ML_SMFIM_EOM, m, 1);
		wb_begin(w, SMFIC_BODY);
		wb_bytes(w, body, sizeof body - 1);
		d = exchange(s, ST_BODY, (pf & SMFIP_NR_BODY) != 0);
		if ((rc = stage_end(d)) != STAGE_ON)
			return rc;
	}

	/* End of message: modifications, then the final decision. */
	send_macros(s, SMFIC_BODYEOB, ML_SMFIM_EOM, m, 1);
	wb_begin(w, SMFIC_BODYEOB);
	d = exchange(s, ST_EOM, false);
	if (d == D_ERROR)
		return -1;
	hist_add(&st->lat[ST_TO_EOM], now_us() - s->t0);
	if (d == D_SHUTDOWN || d == D_CONNFAIL)
		return 2;
	if (s->hdr_added)
		atomic_fetch_add(&st->hdr_added, 1);
	return 0;
}

/* After QUIT libmilter closes its end: wait for that (bounded). */
static void
wait_close(struct session *s)
{
	unsigned char junk[64];
	ssize_t r;

	if (s->w->rpos < s->w->rlen) {
		sess_fail(s, E_PROTOCOL, "unexpected data after the reply");
		return;
	}
	for (;;) {
		r = recv(s->fd, junk, sizeof junk, 0);
		if (r == 0 || (r == -1 && errno == ECONNRESET))
			return;
		if (r > 0) {
			sess_fail(s, E_PROTOCOL, "data after QUIT");
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			sess_fail(s, E_TIMEOUT, "filter did not close after "
			    "QUIT");
		else
			sess_fail(s, E_DROPPED, "read: %s", strerror(errno));
		return;
	}
}

static void
session_run(struct worker *w, unsigned long idx)
{
	struct session s;
	uint64_t t0;
	int end;

	memset(&s, 0, sizeof s);
	s.w = w;
	s.idx = idx;
	s.fd = -1;
	s.cl = &cfg.clients[idx % cfg.nclients];
	snprintf(s.qid, sizeof s.qid, "%010llX", cfg.qid_base + idx);
	w->wlen = 0;
	w->woom = false;
	w->rpos = 0;
	w->rlen = 0;

	t0 = now_us();
	s.t0 = t0;
	if (sess_connect(&s) == -1)
		return;
	if (sess_optneg(&s, t0) == -1)
		goto out;
	end = sess_dialogue(&s);
	if (end == -1)
		goto out;
	if (end <= 1) {
		s.stage = ST_SESSION;
		if (end == 0) {
			wb_begin(w, SMFIC_ABORT);
			wb_end(w);
		}
		wb_begin(w, SMFIC_QUIT);
		wb_end(w);
		if (sess_flush(&s) == -1)
			goto out;
		wait_close(&s);
	}
	if (!s.failed) {
		hist_add(&st->lat[ST_SESSION], now_us() - t0);
		atomic_fetch_add(&st->completed, 1);
		trace(&s, ST_SESSION, "done", now_us() - t0, NULL, NULL);
	}
out:
	if (s.fd != -1)
		close(s.fd);
	free(s.symbuf);
}

static void *
worker_main(void *arg)
{
	struct worker w;
	unsigned long i;

	(void)arg;
	memset(&w, 0, sizeof w);
	for (;;) {
		i = atomic_fetch_add(&next_session, 1);
		if (i >= cfg.total)
			break;
		session_run(&w, i);
	}
	free(w.rbuf);
	free(w.wbuf);
	return NULL;
}

/* ---- option parsing ---- */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: milterload -s SOCKET [-n TOTAL] [-c CONCURRENCY] "
	    "[-i IPFILE]\n"
	    "                  [-H HELO|@ptr] [-r RCPT]... [-p MS] "
	    "[-t SECONDS] [-j] [-q]\n"
	    "                  [-o TRACEFILE]\n"
	    "  SOCKET: unix:/path, local:/path, inet:PORT@HOST, "
	    "inet6:PORT@HOST\n"
	    "          (loopback hosts only)\n");
	exit(EX_USAGE_CODE);
}

static void die(const char *, ...) __attribute__((format(printf, 1, 2),
    noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("milterload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EX_USAGE_CODE);
}

static unsigned long
parse_ulong(const char *s, const char *what, unsigned long min,
    unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v < min ||
	    v > max)
		die("%s must be a number from %lu to %lu: %s", what, min, max,
		    s);
	return v;
}

/* Parse "PORT@HOST" (libmilter) or "HOST:PORT" (Postfix). */
static void
parse_inet(const char *rest, int family)
{
	char host[INET6_ADDRSTRLEN + 3], port[8];
	const char *at, *colon;
	struct sockaddr_in *sin = (struct sockaddr_in *)&cfg.ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&cfg.ss;
	unsigned long p;
	size_t hl;

	if ((at = strchr(rest, '@')) != NULL) {
		if ((size_t)(at - rest) >= sizeof port)
			die("bad port in %s", cfg.spec);
		memcpy(port, rest, (size_t)(at - rest));
		port[at - rest] = '\0';
		if (strlen(at + 1) >= sizeof host)
			die("bad host in %s", cfg.spec);
		strcpy(host, at + 1);
	} else if ((colon = strrchr(rest, ':')) != NULL &&
	    family == AF_INET) {
		if ((size_t)(colon - rest) >= sizeof host ||
		    strlen(colon + 1) >= sizeof port)
			die("bad address in %s", cfg.spec);
		memcpy(host, rest, (size_t)(colon - rest));
		host[colon - rest] = '\0';
		strcpy(port, colon + 1);
	} else {
		if (strlen(rest) >= sizeof port)
			die("bad port in %s", cfg.spec);
		strcpy(port, rest);
		strcpy(host, family == AF_INET ? "127.0.0.1" : "::1");
	}
	p = parse_ulong(port, "port", 1, 65535);
	hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	if (strcmp(host, "localhost") == 0)
		strcpy(host, family == AF_INET ? "127.0.0.1" : "::1");
	memset(&cfg.ss, 0, sizeof cfg.ss);
	if (family == AF_INET) {
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			die("not a loopback IPv4 address: %s", host);
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			die("refusing non-loopback target %s", host);
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		cfg.sslen = sizeof *sin;
	} else {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			die("not a loopback IPv6 address: %s", host);
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) &&
		    !(IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127))
			die("refusing non-loopback target %s", host);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		cfg.sslen = sizeof *sin6;
	}
	cfg.tcp = true;
}

static void
parse_socket(const char *spec)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&cfg.ss;
	const char *path = NULL;

	cfg.spec = spec;
	if (strncmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	else if (strncmp(spec, "local:", 6) == 0)
		path = spec + 6;
	else if (spec[0] == '/')
		path = spec;	/* libmilter takes a bare path as unix */
	else if (strncmp(spec, "inet:", 5) == 0)
		parse_inet(spec + 5, AF_INET);
	else if (strncmp(spec, "inet6:", 6) == 0)
		parse_inet(spec + 6, AF_INET6);
	else
		die("unknown socket type: %s", spec);
	if (path == NULL)
		return;
	if (*path == '\0' || strlen(path) >= sizeof sun->sun_path)
		die("bad unix socket path: %s", spec);
	memset(&cfg.ss, 0, sizeof cfg.ss);
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, path);
	cfg.sslen = sizeof *sun;
}

static void
add_client(const char *addr, const char *name, size_t *cap)
{
	struct in6_addr a6;
	struct in_addr a4;
	struct client *c;

	if (cfg.nclients == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		c = reallocarray(cfg.clients, *cap, sizeof *c);
		if (c == NULL)
			die("out of memory");
		cfg.clients = c;
	}
	c = &cfg.clients[cfg.nclients];
	memset(c, 0, sizeof *c);
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		c->family = SMFIA_INET;
		inet_ntop(AF_INET, &a4, c->addr, sizeof c->addr);
	} else if (inet_pton(AF_INET6, addr, &a6) == 1) {
		c->family = SMFIA_INET6;
		inet_ntop(AF_INET6, &a6, c->addr, sizeof c->addr);
	} else {
		die("not an IP address: %.80s", addr);
	}
	if (name != NULL && (c->name = strdup(name)) == NULL)
		die("out of memory");
	cfg.nclients++;
}

static void
read_ipfile(const char *path)
{
	char *line = NULL, *save, *ip, *name, *p;
	size_t lcap = 0, cap = 0, lineno = 0;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while ((n = getline(&line, &lcap, fp)) != -1) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		if ((ip = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		name = strtok_r(NULL, " \t\r\n", &save);
		if (name != NULL) {
			if (strlen(name) > ML_NAME_MAX)
				die("%s:%zu: name longer than %d bytes", path,
				    lineno, ML_NAME_MAX);
			for (p = name; *p != '\0'; p++)
				if (*p < 0x21 || *p > 0x7e)
					die("%s:%zu: bad byte in name", path,
					    lineno);
		}
		add_client(ip, name, &cap);
	}
	free(line);
	if (ferror(fp))
		die("%s: read error", path);
	fclose(fp);
	if (cfg.nclients == 0)
		die("%s: no addresses", path);
}

/* ---- report ---- */

static void
json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

static uint64_t
errors_total(void)
{
	uint64_t n = 0;
	int e;

	for (e = 0; e < E_COUNT; e++)
		n += atomic_load(&st->error[e]);
	return n;
}

static void
report_json(double wall)
{
	uint64_t done = atomic_load(&st->completed), n;
	const char *sep;
	int i, k, c;
	struct hist *h;

	printf("{\"socket\":");
	json_str(stdout, cfg.spec);
	printf(",\"sessions\":%lu,\"concurrency\":%u,\"completed\":%" PRIu64
	    ",\"wall_s\":%.6f,\"sessions_per_s\":%.1f", cfg.total, cfg.conc,
	    done, wall, wall > 0 ? (double)done / wall : 0.0);
	if (st->have_neg)
		printf(",\"negotiated\":{\"version\":%" PRIu32
		    ",\"actions\":\"0x%" PRIx32 "\",\"protocol\":\"0x%" PRIx32
		    "\"}", st->neg_version, st->neg_actions,
		    st->neg_protocol);
	else
		printf(",\"negotiated\":null");
	printf(",\"latency_us\":{");
	sep = "";
	for (i = 0; i < ST_COUNT; i++) {
		h = &st->lat[i];
		if ((n = atomic_load(&h->count)) == 0)
			continue;
		printf("%s\"%s\":{\"count\":%" PRIu64 ",\"mean\":%" PRIu64
		    ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%"
		    PRIu64 ",\"max\":%" PRIu64 "}", sep, stage_name[i], n,
		    atomic_load(&h->sum) / n, hist_pct(h, 50),
		    hist_pct(h, 90), hist_pct(h, 99), atomic_load(&h->max));
		sep = ",";
	}
	printf("},\"replies\":{");
	sep = "";
	for (i = ST_CONNECT; i < ST_SESSION; i++) {
		if (atomic_load(&st->sent[i]) == 0)
			continue;
		printf("%s\"%s\":{\"sent\":%" PRIu64, sep, stage_name[i],
		    atomic_load(&st->sent[i]));
		for (k = 0; k < K_COUNT; k++)
			printf(",\"%s\":%" PRIu64, kind_name[k],
			    atomic_load(&st->kind[i][k]));
		printf(",\"codes\":{");
		for (c = 0, sep = ""; c < 200; c++) {
			if ((n = atomic_load(&st->code[i][c])) == 0)
				continue;
			printf("%s\"%d\":{\"count\":%" PRIu64 ",\"text\":",
			    sep, c + 400, n);
			json_str(stdout, st->code_text[i][c] ?
			    st->code_text[i][c] : "");
			printf("}");
			sep = ",";
		}
		printf("}}");
		sep = ",";
	}
	printf("},\"actions\":{");
	for (k = 0; k < A_COUNT; k++)
		printf("%s\"%s\":%" PRIu64, k ? "," : "", action_name[k],
		    atomic_load(&st->action[k]));
	printf("},\"sessions_with_header_added\":%" PRIu64,
	    atomic_load(&st->hdr_added));
	printf(",\"errors\":{");
	for (k = 0; k < E_COUNT; k++)
		printf("\"%s\":%" PRIu64 ",", error_name[k],
		    atomic_load(&st->error[k]));
	printf("\"total\":%" PRIu64 "},\"first_error\":", errors_total());
	if (st->first_error[0] != '\0')
		json_str(stdout, st->first_error);
	else
		printf("null");
	printf("}\n");
}

static void
report_text(double wall)
{
	uint64_t done = atomic_load(&st->completed), n;
	struct hist *h;
	int i, k, c;

	printf("milterload: %s, %lu sessions, concurrency %u\n", cfg.spec,
	    cfg.total, cfg.conc);
	printf("wall %.3f s, %.1f sessions/s, %" PRIu64 " completed, %"
	    PRIu64 " errors\n", wall, wall > 0 ? (double)done / wall : 0.0,
	    done, errors_total());
	if (st->have_neg)
		printf("negotiated: version %" PRIu32 ", actions 0x%" PRIx32
		    ", protocol 0x%" PRIx32 "\n", st->neg_version,
		    st->neg_actions, st->neg_protocol);
	printf("\n%-8s %9s %9s %9s %9s %9s %9s  (us)\n", "latency", "count",
	    "mean", "p50", "p90", "p99", "max");
	for (i = 0; i < ST_COUNT; i++) {
		h = &st->lat[i];
		if ((n = atomic_load(&h->count)) == 0)
			continue;
		printf("%-8s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
		    " %9" PRIu64 " %9" PRIu64 "\n", stage_name[i], n,
		    atomic_load(&h->sum) / n, hist_pct(h, 50),
		    hist_pct(h, 90), hist_pct(h, 99), atomic_load(&h->max));
	}
	printf("\n%-8s %8s %8s %7s %7s %8s %7s %6s %6s %6s %6s\n", "replies",
	    "sent", "continue", "accept", "reject", "tempfail", "discard",
	    "skip", "4xx", "5xx", "other");
	for (i = ST_CONNECT; i < ST_SESSION; i++) {
		if (atomic_load(&st->sent[i]) == 0)
			continue;
		printf("%-8s %8" PRIu64 " %8" PRIu64 " %7" PRIu64 " %7" PRIu64
		    " %8" PRIu64 " %7" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6"
		    PRIu64 " %6" PRIu64 "\n", stage_name[i],
		    atomic_load(&st->sent[i]),
		    atomic_load(&st->kind[i][K_CONTINUE]),
		    atomic_load(&st->kind[i][K_ACCEPT]),
		    atomic_load(&st->kind[i][K_REJECT]),
		    atomic_load(&st->kind[i][K_TEMPFAIL]),
		    atomic_load(&st->kind[i][K_DISCARD]),
		    atomic_load(&st->kind[i][K_SKIP]),
		    atomic_load(&st->kind[i][K_CODE4]),
		    atomic_load(&st->kind[i][K_CODE5]),
		    atomic_load(&st->kind[i][K_SHUTDOWN]) +
		    atomic_load(&st->kind[i][K_CONNFAIL]));
	}
	for (i = 0; i < ST_SESSION; i++)
		for (c = 0; c < 200; c++)
			if ((n = atomic_load(&st->code[i][c])) != 0)
				printf("  %s %d x%" PRIu64 ": %s\n",
				    stage_name[i], c + 400, n,
				    st->code_text[i][c] ?
				    st->code_text[i][c] : "");
	printf("\nactions:");
	for (k = 0, n = 0; k < A_COUNT; k++)
		if (atomic_load(&st->action[k]) != 0) {
			printf(" %s %" PRIu64, action_name[k],
			    atomic_load(&st->action[k]));
			n++;
		}
	printf("%s\nsessions with a header added: %" PRIu64 "\n",
	    n ? "" : " none", atomic_load(&st->hdr_added));
	printf("errors:");
	for (k = 0; k < E_COUNT; k++)
		printf(" %s %" PRIu64, error_name[k],
		    atomic_load(&st->error[k]));
	printf("\n");
	if (st->first_error[0] != '\0')
		printf("first error: %s\n", st->first_error);
}

/* ---- main ---- */

static void
cleanup(void)
{
	size_t i, c;

	for (i = 0; i < ST_COUNT; i++)
		for (c = 0; c < 200; c++)
			free(st->code_text[i][c]);
	pthread_mutex_destroy(&st->lock);
	free(st);
	for (i = 0; i < cfg.nclients; i++)
		free(cfg.clients[i].name);
	free(cfg.clients);
}

static void
raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

int
main(int argc, char *argv[])
{
	const char *ipfile = NULL, *socket_spec = NULL;
	pthread_t *tid;
	pthread_attr_t attr;
	uint64_t t0, t1;
	struct timespec rt;
	struct tm tm;
	time_t now;
	double d;
	char *end;
	unsigned i;
	int ch, rc;

	cfg.total = 1000;
	cfg.conc = 1;
	cfg.helo = "mail.example.test";
	cfg.timeout_ms = 10000;
	while ((ch = getopt(argc, argv, "c:H:hi:jn:o:p:qr:s:t:")) != -1) {
		switch (ch) {
		case 'c':
			cfg.conc = (unsigned)parse_ulong(optarg, "-c", 1,
			    ML_MAX_CONC);
			break;
		case 'H':
			if (strcmp(optarg, "@ptr") == 0)
				cfg.helo_ptr = true;
			else if (*optarg == '\0' ||
			    strlen(optarg) > ML_NAME_MAX + 2)
				die("bad HELO name");
			else
				cfg.helo = optarg;
			break;
		case 'i':
			ipfile = optarg;
			break;
		case 'j':
			cfg.json = true;
			break;
		case 'n':
			cfg.total = parse_ulong(optarg, "-n", 1, 1000000000);
			break;
		case 'p':
			cfg.pause_ms = (unsigned)parse_ulong(optarg, "-p", 0,
			    3600000);
			break;
		case 'o':
			if (cfg.trace != NULL)
				die("-o given twice");
			if ((cfg.trace = fopen(optarg, "w")) == NULL)
				die("%s: %s", optarg, strerror(errno));
			break;
		case 'q':
			cfg.quiet = true;
			break;
		case 'r':
			if (cfg.nrcpt == ML_MAX_RCPTS)
				die("at most %d recipients", ML_MAX_RCPTS);
			/* RFC 5321 4.5.3.1.3: a path is at most 256 octets */
			if (*optarg == '\0' || strlen(optarg) > 254)
				die("bad recipient: %s", optarg);
			cfg.rcpt[cfg.nrcpt++] = optarg;
			break;
		case 's':
			socket_spec = optarg;
			break;
		case 't':
			errno = 0;
			d = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(d >= 0.001 && d <= 3600))
				die("-t must be 0.001 to 3600 seconds");
			cfg.timeout_ms = (int)(d * 1000 + 0.5);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || socket_spec == NULL)
		usage();
	parse_socket(socket_spec);
	if (cfg.nrcpt == 0)
		cfg.rcpt[cfg.nrcpt++] = "user@example.test";
	if (ipfile != NULL) {
		read_ipfile(ipfile);
	} else {
		size_t cap = 0;

		add_client("192.0.2.1", NULL, &cap);
	}
	if (cfg.conc > cfg.total)
		cfg.conc = (unsigned)cfg.total;

	/* The Date: header, with a leading space (stripped when needed). */
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(cfg.date, sizeof cfg.date, " %a, %d %b %Y %H:%M:%S +0000",
	    &tm);
	clock_gettime(CLOCK_REALTIME, &rt);
	cfg.qid_base = ((unsigned long long)rt.tv_sec << 20 ^
	    (unsigned long long)rt.tv_nsec) & 0xFFFFFFFFFFULL;

	if ((st = calloc(1, sizeof *st)) == NULL)
		die("out of memory");
	pthread_mutex_init(&st->lock, NULL);
	raise_nofile((rlim_t)cfg.conc + 64);

	if ((tid = calloc(cfg.conc, sizeof *tid)) == NULL)
		die("out of memory");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, ML_STACK_SIZE);
	t0 = now_us();
	for (i = 0; i < cfg.conc; i++) {
		if ((rc = pthread_create(&tid[i], &attr, worker_main, NULL))
		    != 0) {
			fprintf(stderr, "milterload: pthread_create: %s\n",
			    strerror(rc));
			break;
		}
	}
	if (i == 0)
		return 1;
	cfg.conc = i;
	for (i = 0; i < cfg.conc; i++)
		pthread_join(tid[i], NULL);
	t1 = now_us();
	pthread_attr_destroy(&attr);
	free(tid);

	if (cfg.json)
		report_json((double)(t1 - t0) / 1e6);
	else
		report_text((double)(t1 - t0) / 1e6);
	fflush(stdout);
	rc = (errors_total() == 0 &&
	    atomic_load(&st->completed) == cfg.total) ? 0 : 1;
	if (cfg.trace != NULL && fclose(cfg.trace) != 0) {
		fprintf(stderr, "milterload: trace file: %s\n",
		    strerror(errno));
		rc = 1;
	}
	cleanup();
	return rc;
}
