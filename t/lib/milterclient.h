/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milterclient.h - the MTA side of the milter protocol (version 6), for
 * the test and bench tools (bench/milterload, t/tools/milterfault; the
 * socket address parser also serves bench/mcount).
 *
 * What every MTA-side client needs and nothing more: the socket address
 * (unix, or loopback TCP only), packets built in a buffer, the option
 * negotiation and its macro lists, the macros, the stage table (command,
 * "do not send" and "no reply" flags of each step), reading packets with
 * a deadline, and what a reply means at a stage.  The dialogue itself
 * (which steps, what to do with a decision, what to print or count) stays
 * in each tool.
 *
 * Only <libmilter/mfdef.h>, the protocol's constants, is used: no
 * libmilter code.  Not thread-safe per connection; one struct mc_conn per
 * thread.
 */
#ifndef MILTERCLIENT_H
#define MILTERCLIENT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MC_VERSION	6		/* protocol version libmilter 8.17 speaks */
/* A reply longer than 1 MiB is an error (Postfix allows INT_MAX / 2). */
#define MC_MAX_PACKET	(1024 * 1024)

/* Macro classes of SMFIR_SETSYMLIST (SMFIM_* in mfapi.h). */
enum mc_symclass {
	MC_SYM_CONNECT, MC_SYM_HELO, MC_SYM_ENVFROM, MC_SYM_ENVRCPT,
	MC_SYM_DATA, MC_SYM_EOM, MC_SYM_EOH, MC_SYM_COUNT
};

/* The steps of a session, in the order an MTA sends them. */
enum mc_stage {
	MC_OPTNEG, MC_CONNECT, MC_HELO, MC_MAIL, MC_RCPT, MC_DATA, MC_HEADER,
	MC_EOH, MC_BODY, MC_EOM, MC_STAGES
};

struct mc_stage_info {
	const char	*name;		/* "optneg", "connect", ... */
	char		 cmd;		/* SMFIC_* */
	uint32_t	 no;		/* SMFIP_NO*: the filter skips it */
	uint32_t	 nr;		/* SMFIP_NR_*: no reply is sent */
	int		 sym;		/* enum mc_symclass of its macros */
};

extern const struct mc_stage_info mc_stage[MC_STAGES];

/* Microseconds on the monotonic clock. */
uint64_t mc_now_us(void);

/* The DATA of a trace line ("milterload -o", milterfault's output):
 * printable ASCII as is, a backslash twice, other bytes (and spaces when
 * sp) as \xHH. */
void mc_escape(FILE *fp, const void *p, size_t n, bool sp);

/* ---- where the filter listens ---- */

struct mc_addr {
	struct sockaddr_storage ss;
	socklen_t	 len;
	bool		 tcp;
};

/*
 * Parse unix:/path, local:/path, /path, inet:PORT@HOST, inet:HOST:PORT,
 * inet:PORT, inet6:PORT@HOST or inet6:PORT.  HOST must be a loopback
 * address (127/8, ::1, ::ffff:127.x.x.x) or "localhost": these tools
 * never send traffic elsewhere.  @return 0, or -1 with a message in err.
 */
int mc_parse_socket(const char *spec, struct mc_addr *a, char *err,
    size_t errlen);

/* ---- building packets ---- */

/* A growing byte buffer; after an allocation failure oom is set and
 * further writes are dropped (mc_flush() then fails). */
struct mc_buf {
	unsigned char	*p;
	size_t		 len, cap;
	size_t		 pkt;		/* start of the packet being built */
	bool		 oom;
};

void mc_put(struct mc_buf *b, const void *p, size_t n);
void mc_put_str(struct mc_buf *b, const char *s);	/* with its NUL */
void mc_put_u16(struct mc_buf *b, uint16_t v);		/* network order */
void mc_put_u32(struct mc_buf *b, uint32_t v);
/* Start a packet (length filled in by mc_end) with its command byte. */
void mc_begin(struct mc_buf *b, char cmd);
void mc_end(struct mc_buf *b);
/* A whole packet whose data is another buffer (NULL: none). */
void mc_packet(struct mc_buf *b, char cmd, const struct mc_buf *data);
/* SMFIC_OPTNEG offering version 6, every action and every protocol step. */
void mc_put_optneg(struct mc_buf *b);
/* SMFIC_CONNECT: host name (len bytes, may hold any byte), family
 * (SMFIA_INET or SMFIA_INET6), port, address text. */
void mc_put_connect(struct mc_buf *b, const void *host, size_t hostlen,
    char family, uint16_t port, const char *addr);

struct mc_macro {
	const char	*name;
	const char	*value;
};

/* SMFIC_MACRO for cmd; a list negotiated with SMFIR_SETSYMLIST (NULL:
 * none) keeps only the names it holds.  Nothing when none is left. */
void mc_put_macros(struct mc_buf *b, char cmd, const char *symlist,
    const struct mc_macro *m, size_t n);

/* ---- one connection ---- */

enum mc_io {
	MC_OK,
	MC_CLOSED,	/* the filter closed the connection */
	MC_TIMEOUT,	/* no (whole) packet before the deadline */
	MC_RESET,	/* read or write error (errno kept) */
	MC_BADLEN,	/* a packet length of 0 or above MC_MAX_PACKET */
	MC_NOMEM,
	MC_PROTO	/* a reply that breaks the protocol (why says how) */
};

struct mc_conn {
	int		 fd;
	int		 timeout_ms;	/* each reply, each write, connect */
	struct mc_buf	 out;		/* queued packets */
	unsigned char	*in;		/* received bytes */
	size_t		 icap, ipos, ilen;
	/* From the OPTNEG reply. */
	uint32_t	 version, actions, pflags;
	const char	*symlist[MC_SYM_COUNT];	/* in symbuf, or NULL */
	char		*symbuf;
	const char	*why;		/* MC_PROTO: what was wrong */
};

/* A connection with no socket; buffers are kept by mc_reset(). */
void mc_init(struct mc_conn *c, int timeout_ms);
/* Close the socket, forget the negotiation and the buffered bytes. */
void mc_reset(struct mc_conn *c);
void mc_free(struct mc_conn *c);

/*
 * Connect (blocking, with SO_SNDTIMEO and SO_RCVTIMEO set to the timeout,
 * so that a command costs one send() and a reply usually one recv()).
 * @return 0, or -1 with errno (EINPROGRESS or EAGAIN: timed out).
 */
int mc_connect(struct mc_conn *c, const struct mc_addr *a);

/* Send the queued packets (all of them, or only the first n bytes with
 * mc_flush_part, to stop in the middle of a packet); the queue is then
 * empty.  MC_TIMEOUT, MC_RESET (errno kept) or MC_NOMEM on failure. */
enum mc_io mc_flush(struct mc_conn *c);
enum mc_io mc_flush_part(struct mc_conn *c, size_t n);

/* Read one packet within the timeout; *data points into c->in, valid
 * until the next read. */
enum mc_io mc_read_packet(struct mc_conn *c, unsigned char *cmd,
    const unsigned char **data, size_t *len);

/* Read the OPTNEG reply: version 2..6, actions within those offered, and
 * the macro lists if any (SMFIR_SETSYMLIST), into c. */
enum mc_io mc_read_optneg(struct mc_conn *c);

/* After QUIT the filter closes its end: MC_CLOSED when it did (or reset
 * the connection), MC_OK when it sent more data, MC_TIMEOUT. */
enum mc_io mc_wait_close(struct mc_conn *c);

/* "ok", "closed", "timeout", "reset", "bad-length", "out-of-memory",
 * "protocol". */
const char *mc_io_str(enum mc_io r);

/* Whether the negotiation lets the MTA skip, or not wait for, a stage. */
bool mc_skipped(const struct mc_conn *c, enum mc_stage st);
bool mc_noreply(const struct mc_conn *c, enum mc_stage st);

/* ---- replies ---- */

enum mc_kind {
	/* Decisions. */
	MC_K_CONTINUE, MC_K_ACCEPT, MC_K_REJECT, MC_K_TEMPFAIL, MC_K_DISCARD,
	MC_K_SKIP, MC_K_SHUTDOWN, MC_K_CONNFAIL,
	MC_K_REPLYCODE,		/* text: "[45]NN..." */
	/* Not decisions: more replies follow. */
	MC_K_PROGRESS,
	MC_K_MODIFY,		/* a modification or SMFIR_QUARANTINE */
	MC_K_BAD,		/* why says what is wrong */
	MC_K_COUNT
};

/* "continue", "accept", "reject", "tempfail", "discard", "skip",
 * "shutdown", "conn_fail", "replycode", "progress", "modify", "bad". */
extern const char *const mc_kind_name[MC_K_COUNT];

struct mc_reply {
	enum mc_kind	 kind;
	unsigned char	 cmd;
	const char	*text;		/* MC_K_REPLYCODE: NUL-terminated */
	const char	*hname;		/* header modifications: name, */
	const char	*hvalue;	/* value (NUL-terminated), else NULL */
	const char	*why;		/* MC_K_BAD: "malformed", "trailing
					 * data", "unexpected" */
};

/*
 * What the reply cmd/data/len means at stage st: the layout of the data
 * is checked (a decision carries no data, a reply code is "[45]NN"
 * followed by ' ', '-' or the end, a modification has its strings), and
 * whether it may come there (modifications only at end of message, SKIP
 * only for a body chunk, DISCARD not for CONNECT or HELO).
 */
void mc_reply_parse(enum mc_stage st, unsigned char cmd,
    const unsigned char *data, size_t len, struct mc_reply *r);

/* "addheader", "insheader", "chgheader", "addrcpt", "addrcpt_par",
 * "delrcpt", "chgfrom", "replbody", "quarantine"; NULL for another. */
const char *mc_modify_name(unsigned char cmd);

#endif
