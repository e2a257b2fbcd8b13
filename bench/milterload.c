/* SPDX-License-Identifier: BSD-2-Clause */
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
 *	With -E COUNT, each session says HELO COUNT more times after the
 *	first, each time with a name it never used ("e<session>-<k>." before
 *	the HELO name), as a client probing a filter's memory would.
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

#include "hist.h"
#include "milterclient.h"

#define EX_USAGE_CODE	64	/* sysexits.h EX_USAGE */

#define ML_MAX_RCPTS	100
#define ML_MAX_CONC	1000
#define ML_STACK_SIZE	(64 * 1024)
#define ML_MAX_ERRMSGS	10	/* error lines printed on stderr */
#define ML_TEXT_MAX	200	/* reply text kept per code */
#define ML_NAME_MAX	253	/* RFC 1035: a host name as text */

/* The protocol steps (t/lib/milterclient.h), then the whole-session
 * latencies. */
enum ml_stage {
	ST_OPEN = MC_OPTNEG,	/* socket connect + OPTNEG round trip */
	ST_CONNECT = MC_CONNECT,
	ST_HELO = MC_HELO,
	ST_MAIL = MC_MAIL,
	ST_RCPT = MC_RCPT,
	ST_DATA = MC_DATA,
	ST_HEADER = MC_HEADER,
	ST_EOH = MC_EOH,
	ST_BODY = MC_BODY,
	ST_EOM = MC_EOM,
	ST_SESSION = MC_STAGES,	/* socket connect to close */
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
	struct mc_addr addr;
	unsigned long total;
	unsigned conc;
	struct client *clients;
	size_t nclients;
	const char *helo;
	bool helo_ptr;
	unsigned ehlo_again;	/* -E: more HELOs, each a fresh name */
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

/* A thread's connection: its buffers serve every session it runs. */
struct worker {
	struct mc_conn c;
};

struct session {
	struct worker *w;
	struct mc_conn *c;	/* &w->c: socket, buffers, negotiation */
	unsigned long idx;
	const struct client *cl;
	uint64_t t0;		/* socket connect began */
	enum ml_stage stage;	/* for error messages */
	char qid[24];
	bool hdr_added;
	bool failed;
	const char *reply_text;	/* -o: the last SMFIR_REPLYCODE text */
};

static struct config cfg;
static struct stats *st;
static _Atomic unsigned long next_session;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

static void usage(void) __attribute__((noreturn));


/* ---- -o: the trace file ---- */

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
		mc_escape(cfg.trace, a, strlen(a), true);
	}
	if (b != NULL) {
		fputc(' ', cfg.trace);
		mc_escape(cfg.trace, b, strlen(b), false);
	}
	fputc('\n', cfg.trace);
	pthread_mutex_unlock(&trace_lock);
}

/* A header modification, as mc_reply_parse() read it. */
static void
trace_mod(const struct session *s, const struct mc_reply *r)
{
	if (cfg.trace == NULL || r->hname == NULL)
		return;
	trace(s, ST_EOM, mc_modify_name(r->cmd), 0, r->hname, r->hvalue);
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

/* ---- sending and reading (t/lib/milterclient.c) ---- */

/* Send the queued packets. */
static int
sess_flush(struct session *s)
{
	switch (mc_flush(s->c)) {
	case MC_OK:
		return 0;
	case MC_NOMEM:
		sess_fail(s, E_PROTOCOL, "out of memory");
		break;
	case MC_TIMEOUT:
		sess_fail(s, E_TIMEOUT, "write timed out");
		break;
	default:
		sess_fail(s, E_DROPPED, "write: %s", strerror(errno));
		break;
	}
	return -1;
}

/* A failed read, as an error of the session. */
static void
read_failed(struct session *s, enum mc_io rc)
{
	switch (rc) {
	case MC_CLOSED:
		sess_fail(s, E_DROPPED, "connection closed by filter");
		break;
	case MC_TIMEOUT:
		sess_fail(s, E_TIMEOUT, "no reply within %d ms",
		    cfg.timeout_ms);
		break;
	case MC_RESET:
		sess_fail(s, E_DROPPED, "read: %s", strerror(errno));
		break;
	case MC_BADLEN:
		sess_fail(s, E_PROTOCOL, "bad reply length");
		break;
	case MC_NOMEM:
		sess_fail(s, E_PROTOCOL, "out of memory");
		break;
	default:
		sess_fail(s, E_PROTOCOL, "%s", s->c->why != NULL ? s->c->why :
		    "protocol error");
		break;
	}
}

/* Read one packet; *data points into the connection's input buffer. */
static int
read_packet(struct session *s, unsigned char *cmd, const unsigned char **data,
    size_t *len)
{
	enum mc_io rc = mc_read_packet(s->c, cmd, data, len);

	if (rc != MC_OK) {
		read_failed(s, rc);
		return -1;
	}
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

/* Read replies until a decision (mc_reply_parse() checks each). */
static enum ml_dec
read_decision(struct session *s, enum ml_stage stage)
{
	const unsigned char *p;
	unsigned char cmd;
	size_t len;
	struct mc_reply r;

	for (;;) {
		if (read_packet(s, &cmd, &p, &len) == -1)
			return D_ERROR;
		mc_reply_parse((enum mc_stage)stage, cmd, p, len, &r);
		switch (r.kind) {
		case MC_K_PROGRESS:
			atomic_fetch_add(&st->action[A_PROGRESS], 1);
			continue;
		case MC_K_MODIFY:
			atomic_fetch_add(&st->action[mod_action(cmd)], 1);
			trace_mod(s, &r);
			if (cmd == SMFIR_ADDHEADER || cmd == SMFIR_INSHEADER)
				s->hdr_added = true;
			continue;
		case MC_K_REPLYCODE:
			record_code(stage, r.text);
			s->reply_text = r.text;
			return r.text[0] == '4' ?
			    count_kind(stage, K_CODE4, D_TEMPFAIL) :
			    count_kind(stage, K_CODE5, D_REJECT);
		case MC_K_CONTINUE:
			return count_kind(stage, K_CONTINUE, D_CONTINUE);
		case MC_K_ACCEPT:
			return count_kind(stage, K_ACCEPT, D_ACCEPT);
		case MC_K_REJECT:
			return count_kind(stage, K_REJECT, D_REJECT);
		case MC_K_TEMPFAIL:
			return count_kind(stage, K_TEMPFAIL, D_TEMPFAIL);
		case MC_K_DISCARD:
			return count_kind(stage, K_DISCARD, D_DISCARD);
		case MC_K_SKIP:
			return count_kind(stage, K_SKIP, D_SKIP);
		case MC_K_SHUTDOWN:
			return count_kind(stage, K_SHUTDOWN, D_SHUTDOWN);
		case MC_K_CONNFAIL:
			return count_kind(stage, K_CONNFAIL, D_CONNFAIL);
		default:
			sess_fail(s, E_PROTOCOL, "%s reply 0x%02x (%zu bytes)",
			    r.why, cmd, len);
			return D_ERROR;
		}
	}
}

/* Send what is queued for a stage and, unless told not to, wait. */
static enum ml_dec
exchange(struct session *s, enum ml_stage stage, bool noreply)
{
	enum ml_dec d;
	uint64_t t0;

	s->stage = stage;
	mc_end(&s->c->out);
	atomic_fetch_add(&st->sent[stage], 1);
	if (noreply)
		return D_NOREPLY;
	t0 = mc_now_us();
	if (sess_flush(s) == -1)
		return D_ERROR;
	s->reply_text = NULL;
	d = read_decision(s, stage);
	if (d != D_ERROR) {
		uint64_t us = mc_now_us() - t0;
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

/* Queue SMFIC_MACRO for a stage; a negotiated symbol list filters it. */
static void
send_macros(struct session *s, enum ml_stage stage, const struct mc_macro *m,
    size_t n)
{
	mc_put_macros(&s->c->out, mc_stage[stage].cmd,
	    s->c->symlist[mc_stage[stage].sym], m, n);
}

/* ---- one session ---- */

static int
sess_connect(struct session *s)
{
	s->stage = ST_OPEN;
	if (mc_connect(s->c, &cfg.addr) == 0)
		return 0;
	sess_fail(s, errno == EINPROGRESS || errno == EAGAIN ? E_TIMEOUT :
	    E_CONNECT, "connect %s: %s", cfg.spec, strerror(errno));
	return -1;
}

static int
sess_optneg(struct session *s, uint64_t t0)
{
	struct mc_conn *c = s->c;
	enum mc_io rc;

	mc_put_optneg(&c->out);
	atomic_fetch_add(&st->sent[ST_OPEN], 1);
	if (sess_flush(s) == -1)
		return -1;
	if ((rc = mc_read_optneg(c)) != MC_OK) {
		read_failed(s, rc);
		return -1;
	}
	hist_add(&st->lat[ST_OPEN], mc_now_us() - t0);
	if (!atomic_load(&st->have_neg)) {
		pthread_mutex_lock(&st->lock);
		if (!atomic_load(&st->have_neg)) {
			st->neg_version = c->version;
			st->neg_actions = c->actions;
			st->neg_protocol = c->pflags;
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
	struct mc_buf *o = &s->c->out;
	const struct client *cl = s->cl;
	char hostname[ML_NAME_MAX + 3], under[ML_NAME_MAX + 64];
	char rcpt[300], from_hdr[80], subj[64], msgid[96];
	const char *helo, *sp;
	struct mc_macro m[4];
	enum ml_dec d;
	size_t i, naccepted = 0;
	uint32_t pf = s->c->pflags;
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
	m[0] = (struct mc_macro){ "j", "mx.milterload.test" };
	m[1] = (struct mc_macro){ "{daemon_name}", "milterload" };
	m[2] = (struct mc_macro){ "_", under };
	m[3] = (struct mc_macro){ "{client_addr}", cl->addr };
	send_macros(s, ST_CONNECT, m, 4);
	if ((pf & SMFIP_NOCONNECT) == 0) {
		mc_begin(o, SMFIC_CONNECT);
		mc_put_str(o, cl->name != NULL ? cl->name : hostname);
		mc_put(o, &cl->family, 1);
		mc_put_u16(o, (uint16_t)(1024 + s->idx % 64000));
		mc_put_str(o, cl->addr);
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
		mc_begin(o, SMFIC_HELO);
		mc_put_str(o, helo);
		d = exchange(s, ST_HELO, (pf & SMFIP_NR_HELO) != 0);
		if (d == D_ERROR)
			return -1;
		if (!go_on(d))
			return 2;
	}
	/* -E: the client says EHLO again, each time with a name never seen
	 * before, under the HELO name ("e<session>-<k>.<helo>"). */
	for (i = 1; i <= cfg.ehlo_again && (pf & SMFIP_NOHELO) == 0; i++) {
		char fresh[ML_NAME_MAX + 1];

		if (snprintf(fresh, sizeof fresh, "e%lu-%zu.%s", s->idx, i,
		    helo) >= (int)sizeof fresh)
			break;
		mc_begin(o, SMFIC_HELO);
		mc_put_str(o, fresh);
		d = exchange(s, ST_HELO, (pf & SMFIP_NR_HELO) != 0);
		if (d == D_ERROR)
			return -1;
		if (!go_on(d))
			return 2;
	}

	/* MAIL */
	m[0] = (struct mc_macro){ "i", s->qid };
	m[1] = (struct mc_macro){ "{mail_addr}", "sender@milterload.test" };
	send_macros(s, ST_MAIL, m, 2);
	if ((pf & SMFIP_NOMAIL) == 0) {
		mc_begin(o, SMFIC_MAIL);
		mc_put_str(o, "<sender@milterload.test>");
		d = exchange(s, ST_MAIL, (pf & SMFIP_NR_MAIL) != 0);
		if ((rc = stage_end(d)) != STAGE_ON)
			return rc;
	}

	/* RCPT, each; a rejected one is not counted as accepted. */
	for (i = 0; i < cfg.nrcpt; i++) {
		m[0] = (struct mc_macro){ "i", s->qid };
		m[1] = (struct mc_macro){ "{rcpt_addr}", cfg.rcpt[i] };
		send_macros(s, ST_RCPT, m, 2);
		if ((pf & SMFIP_NORCPT) != 0) {
			naccepted++;
			continue;
		}
		snprintf(rcpt, sizeof rcpt, "<%s>", cfg.rcpt[i]);
		mc_begin(o, SMFIC_RCPT);
		mc_put_str(o, rcpt);
		d = exchange(s, ST_RCPT, (pf & SMFIP_NR_RCPT) != 0);
		if (d == D_ERROR)
			return -1;
		/* The MTA waits this long from connect to know the fate
		 * of its recipients (a filter's verdict, typically). */
		if (d != D_NOREPLY && (i + 1 == cfg.nrcpt || d == D_ACCEPT ||
		    d == D_DISCARD || d == D_SHUTDOWN || d == D_CONNFAIL))
			hist_add(&st->lat[ST_TO_RCPT], mc_now_us() - s->t0);
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
	m[0] = (struct mc_macro){ "i", s->qid };
	send_macros(s, ST_DATA, m, 1);
	if ((pf & SMFIP_NODATA) == 0) {
		mc_begin(o, SMFIC_DATA);
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
			send_macros(s, ST_HEADER, m, 1);
			mc_begin(o, SMFIC_HEADER);
			mc_put_str(o, hdr[i].name);
			mc_put_str(o, hdr[i].value);
			d = exchange(s, ST_HEADER, (pf & SMFIP_NR_HDR) != 0);
			if ((rc = stage_end(d)) != STAGE_ON)
				return rc;
		}
	}

	/* EOH */
	if ((pf & SMFIP_NOEOH) == 0) {
		send_macros(s, ST_EOH, m, 1);
		mc_begin(o, SMFIC_EOH);
		d = exchange(s, ST_EOH, (pf & SMFIP_NR_EOH) != 0);
		if ((rc = stage_end(d)) != STAGE_ON)
			return rc;
	}

	/* BODY: one small chunk; SMFIR_SKIP would skip further chunks. */
	if ((pf & SMFIP_NOBODY) == 0) {
		send_macros(s, ST_BODY, m, 1);
		mc_begin(o, SMFIC_BODY);
		mc_put(o, body, sizeof body - 1);
		d = exchange(s, ST_BODY, (pf & SMFIP_NR_BODY) != 0);
		if ((rc = stage_end(d)) != STAGE_ON)
			return rc;
	}

	/* End of message: modifications, then the final decision. */
	send_macros(s, ST_EOM, m, 1);
	mc_begin(o, SMFIC_BODYEOB);
	d = exchange(s, ST_EOM, false);
	if (d == D_ERROR)
		return -1;
	hist_add(&st->lat[ST_TO_EOM], mc_now_us() - s->t0);
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
	switch (mc_wait_close(s->c)) {
	case MC_CLOSED:
		return;
	case MC_OK:
		sess_fail(s, E_PROTOCOL, "data after QUIT");
		return;
	case MC_TIMEOUT:
		sess_fail(s, E_TIMEOUT, "filter did not close after QUIT");
		return;
	default:
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
	s.c = &w->c;
	s.idx = idx;
	s.cl = &cfg.clients[idx % cfg.nclients];
	snprintf(s.qid, sizeof s.qid, "%010llX", cfg.qid_base + idx);
	mc_reset(s.c);

	t0 = mc_now_us();
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
			mc_begin(&s.c->out, SMFIC_ABORT);
			mc_end(&s.c->out);
		}
		mc_begin(&s.c->out, SMFIC_QUIT);
		mc_end(&s.c->out);
		if (sess_flush(&s) == -1)
			goto out;
		wait_close(&s);
	}
	if (!s.failed) {
		hist_add(&st->lat[ST_SESSION], mc_now_us() - t0);
		atomic_fetch_add(&st->completed, 1);
		trace(&s, ST_SESSION, "done", mc_now_us() - t0, NULL, NULL);
	}
out:
	mc_reset(s.c);
}

static void *
worker_main(void *arg)
{
	struct worker w;
	unsigned long i;

	(void)arg;
	mc_init(&w.c, cfg.timeout_ms);
	for (;;) {
		i = atomic_fetch_add(&next_session, 1);
		if (i >= cfg.total)
			break;
		session_run(&w, i);
	}
	mc_free(&w.c);
	return NULL;
}

/* ---- option parsing ---- */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: milterload -s SOCKET [-n TOTAL] [-c CONCURRENCY] "
	    "[-i IPFILE]\n"
	    "                  [-H HELO|@ptr] [-E COUNT] [-r RCPT]... "
	    "[-p MS] [-t SECONDS] [-j] [-q]\n"
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
	char *end, err[200];
	unsigned i;
	int ch, rc;

	cfg.total = 1000;
	cfg.conc = 1;
	cfg.helo = "mail.example.test";
	cfg.timeout_ms = 10000;
	while ((ch = getopt(argc, argv, "c:E:H:hi:jn:o:p:qr:s:t:")) != -1) {
		switch (ch) {
		case 'E':
			cfg.ehlo_again = (unsigned)parse_ulong(optarg, "-E", 0,
			    10000);
			break;
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
	cfg.spec = socket_spec;
	if (mc_parse_socket(socket_spec, &cfg.addr, err, sizeof err) == -1)
		die("%s", err);
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
	t0 = mc_now_us();
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
	t1 = mc_now_us();
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
