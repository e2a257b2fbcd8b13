/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milterfault.c - one scripted milter session with faults, for tests.
 *
 * SYNOPSIS
 *	milterfault -s SOCKET [-t SECONDS] [-a IP] [-N NAME] [-H HELO | -n]
 *	    [-f FROM] [-i QID] [-r RCPT]... [-A [-L MAX]]
 *	    [-d STAGE | -D STAGE | -m KIND]
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
 *	-f FROM is the envelope sender (sent as "<FROM>", default
 *	sender@milterfault.test), -i QID the queue id (macro i, default
 *	FAULT1).
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

#include "ar_check.h"
#include "milterclient.h"

#define EX_USAGE_CODE	64
#define MF_MAX_RCPTS	16
#define MF_ARG_MAX	(64 * 1024)	/* longest decoded -H / -N */
/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with CRLF. */
#define MF_REPLY_MAX	510

/* The protocol steps (t/lib/milterclient.h), then two of our own. */
enum stage {
	ST_OPTNEG = MC_OPTNEG, ST_CONNECT = MC_CONNECT, ST_HELO = MC_HELO,
	ST_MAIL = MC_MAIL, ST_RCPT = MC_RCPT, ST_DATA = MC_DATA,
	ST_HEADER = MC_HEADER, ST_EOH = MC_EOH, ST_BODY = MC_BODY,
	ST_EOM = MC_EOM, ST_QUIT = MC_STAGES, ST_MIDPACKET, ST_COUNT
};

static const char *const stage_name[ST_COUNT] = {
	"optneg", "connect", "helo", "mail", "rcpt", "data", "header", "eoh",
	"body", "eom", "quit", "midpacket"
};

static struct {
	const char	*spec;
	struct mc_addr	 addr;
	int		 timeout_ms;
	const char	*ip;
	char		 family;
	struct mc_buf	 name, helo;
	bool		 no_helo;
	const char	*rcpt[MF_MAX_RCPTS];
	size_t		 nrcpt;
	const char	*from;		/* -f */
	const char	*qid;		/* -i */
	bool		 check;
	size_t		 reply_max;	/* -L */
	int		 drop_before;	/* -d: stage, or -1 */
	int		 drop_after;	/* -D: stage, or -1 */
	const char	*malformed;	/* -m */
} cfg;

static struct mc_conn	 conn;
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


/* ---- output ---- */

/* "0 IP STAGE WHAT US[ A[ B]]"; A has its spaces escaped. */
static void
out(enum stage st, const char *what, uint64_t us, const char *a,
    const char *b)
{
	printf("0 %s %s %s %" PRIu64, cfg.ip, stage_name[st], what, us);
	if (a != NULL) {
		putchar(' ');
		mc_escape(stdout, a, strlen(a), true);
	}
	if (b != NULL) {
		putchar(' ');
		mc_escape(stdout, b, strlen(b), false);
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

/* ---- -A: reply checks (RFC 8601 ones in ar_check.c) ---- */

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
	enum mc_io rc;
	struct mc_reply r;
	uint64_t t0 = mc_now_us();
	char what[8];

	for (;;) {
		if ((rc = mc_read_packet(&conn, &cmd, &p, &len)) != MC_OK) {
			out(st, "error", mc_now_us() - t0, mc_io_str(rc), NULL);
			return DEC_ERROR;
		}
		mc_reply_parse((enum mc_stage)st, cmd, p, len, &r);
		switch (r.kind) {
		case MC_K_PROGRESS:
			continue;
		case MC_K_BAD:
			snprintf(what, sizeof what, "0x%02x", cmd);
			out(st, "error", 0, r.why, what);
			return DEC_ERROR;
		case MC_K_REPLYCODE:
			memcpy(what, r.text, 3);
			what[3] = '\0';
			out(st, what, mc_now_us() - t0, NULL, r.text);
			if (cfg.check)
				check_reply(st, r.text, len - 1);
			return DEC_STOP_MSG;
		case MC_K_MODIFY:
			out(st, mc_modify_name(cmd), 0, r.hname, r.hvalue);
			if (cfg.check && r.hname != NULL &&
			    cmd != SMFIR_CHGHEADER)
				check_header(r.hname, r.hvalue);
			continue;
		case MC_K_CONTINUE:
		case MC_K_SKIP:
			out(st, mc_kind_name[r.kind], mc_now_us() - t0, NULL,
			    NULL);
			return DEC_GO;
		case MC_K_SHUTDOWN:
		case MC_K_CONNFAIL:
			out(st, mc_kind_name[r.kind], mc_now_us() - t0, NULL,
			    NULL);
			return DEC_STOP_CONN;
		default:	/* accept, reject, tempfail, discard */
			out(st, mc_kind_name[r.kind], mc_now_us() - t0, NULL,
			    NULL);
			return DEC_STOP_MSG;
		}
	}
}

/* A planned drop (-d before the reply, -D after it). */
static bool
drop(enum stage st, bool after, bool *dropped)
{
	if ((after ? cfg.drop_after : cfg.drop_before) != (int)st)
		return false;
	out(st, "dropped", 0, after ? "after-reply" : "before-reply", NULL);
	*dropped = true;
	return true;
}

static enum dec
flush(enum stage st)
{
	enum mc_io rc;

	if ((rc = mc_flush(&conn)) != MC_OK) {
		out(st, "error", 0, "write", rc == MC_RESET ? strerror(errno) :
		    mc_io_str(rc));
		return DEC_ERROR;
	}
	return DEC_GO;
}

/*
 * Send one step (its packet is queued in conn.out), unless the filter
 * negotiated it away, and read its reply unless it asked for none.
 * @return a decision, or DEC_STOP_CONN after a planned drop (*dropped).
 */
static enum dec
step(enum stage st, bool *dropped)
{
	enum dec rc;

	if (mc_skipped(&conn, (enum mc_stage)st)) {
		conn.out.len = 0;
		return DEC_GO;
	}
	if (flush(st) == DEC_ERROR)
		return DEC_ERROR;
	if (drop(st, false, dropped))
		return DEC_STOP_CONN;
	if (mc_noreply(&conn, (enum mc_stage)st))
		return DEC_GO;
	rc = read_decision(st);
	if (rc != DEC_ERROR && drop(st, true, dropped))
		return DEC_STOP_CONN;
	return rc;
}

/* Queue the macros of a stage (as the filter's list allows). */
static void
macros(enum stage st, const struct mc_macro *m, size_t n)
{
	mc_put_macros(&conn.out, mc_stage[st].cmd,
	    conn.symlist[mc_stage[st].sym], m, n);
}

static void
put_connect(void)
{
	char lit[INET6_ADDRSTRLEN + 2];

	if (cfg.name.len > 0) {
		mc_put_connect(&conn.out, cfg.name.p, cfg.name.len,
		    cfg.family, 25025, cfg.ip);
		return;
	}
	snprintf(lit, sizeof lit, "[%s]", cfg.ip);
	mc_put_connect(&conn.out, lit, strlen(lit), cfg.family, 25025,
	    cfg.ip);
}

static enum dec
optneg(bool *dropped)
{
	enum mc_io rc;
	uint64_t t0;

	mc_put_optneg(&conn.out);
	t0 = mc_now_us();
	if (flush(ST_OPTNEG) == DEC_ERROR)
		return DEC_ERROR;
	if (drop(ST_OPTNEG, false, dropped))
		return DEC_STOP_CONN;
	if ((rc = mc_read_optneg(&conn)) != MC_OK) {
		out(ST_OPTNEG, "error", mc_now_us() - t0, rc == MC_PROTO ?
		    "bad-optneg-reply" : mc_io_str(rc), conn.why);
		return DEC_ERROR;
	}
	out(ST_OPTNEG, "optneg", mc_now_us() - t0, NULL, NULL);
	if (drop(ST_OPTNEG, true, dropped))
		return DEC_STOP_CONN;
	return DEC_GO;
}

/* ABORT and QUIT, then the filter must close the connection. */
static enum dec
quit(void)
{
	enum mc_io rc;

	mc_begin(&conn.out, SMFIC_ABORT);
	mc_end(&conn.out);
	mc_begin(&conn.out, SMFIC_QUIT);
	mc_end(&conn.out);
	if (flush(ST_QUIT) == DEC_ERROR)
		return DEC_ERROR;
	if ((rc = mc_wait_close(&conn)) != MC_CLOSED) {
		out(ST_QUIT, "error", 0, rc == MC_OK ? "data-after-quit" :
		    mc_io_str(rc), NULL);
		return DEC_ERROR;
	}
	out(ST_QUIT, "closed", 0, NULL, NULL);
	return DEC_GO;
}

/* The message: MAIL to end of message.  @return the last decision. */
static enum dec
message(bool *dropped)
{
	static const char *const hdrs[][2] = {
		{ "From", "Fault Test <sender@milterfault.test>" },
		{ "Subject", "milterfault" },
		{ "Message-ID", "<1@milterfault.test>" },
	};
	const struct mc_macro mmail[] = { { "i", cfg.qid },
	    { "{mail_addr}", cfg.from } };
	const struct mc_macro mi[] = { { "i", cfg.qid } };
	enum dec dc;
	size_t i, accepted = 0;
	char tmp[1100];

	macros(ST_MAIL, mmail, 2);
	snprintf(tmp, sizeof tmp, "<%s>", cfg.from);
	mc_begin(&conn.out, SMFIC_MAIL);
	mc_put_str(&conn.out, tmp);
	mc_end(&conn.out);
	if ((dc = step(ST_MAIL, dropped)) != DEC_GO)
		return dc;
	for (i = 0; i < cfg.nrcpt; i++) {
		const struct mc_macro mr[] = { { "i", cfg.qid },
		    { "{rcpt_addr}", cfg.rcpt[i] } };

		macros(ST_RCPT, mr, 2);
		snprintf(tmp, sizeof tmp, "<%s>", cfg.rcpt[i]);
		mc_begin(&conn.out, SMFIC_RCPT);
		mc_put_str(&conn.out, tmp);
		mc_end(&conn.out);
		dc = step(ST_RCPT, dropped);
		if (dc == DEC_GO)
			accepted++;
		else if (dc == DEC_ERROR || dc == DEC_STOP_CONN)
			return dc;
	}
	if (accepted == 0)
		return DEC_STOP_MSG;
	macros(ST_DATA, mi, 1);
	mc_begin(&conn.out, SMFIC_DATA);
	mc_end(&conn.out);
	if ((dc = step(ST_DATA, dropped)) != DEC_GO)
		return dc;
	for (i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
		macros(ST_HEADER, mi, 1);
		mc_begin(&conn.out, SMFIC_HEADER);
		mc_put_str(&conn.out, hdrs[i][0]);
		if ((conn.pflags & SMFIP_HDR_LEADSPC) != 0)
			mc_put(&conn.out, " ", 1);
		mc_put_str(&conn.out, hdrs[i][1]);
		mc_end(&conn.out);
		if ((dc = step(ST_HEADER, dropped)) != DEC_GO)
			return dc;
	}
	macros(ST_EOH, mi, 1);
	mc_begin(&conn.out, SMFIC_EOH);
	mc_end(&conn.out);
	if ((dc = step(ST_EOH, dropped)) != DEC_GO)
		return dc;
	macros(ST_BODY, mi, 1);
	mc_begin(&conn.out, SMFIC_BODY);
	mc_put(&conn.out, "Test body.\r\n", 12);
	mc_end(&conn.out);
	if ((dc = step(ST_BODY, dropped)) != DEC_GO)
		return dc;
	macros(ST_EOM, mi, 1);
	mc_begin(&conn.out, SMFIC_BODYEOB);
	mc_end(&conn.out);
	return step(ST_EOM, dropped);
}

/*
 * The whole session.  @return 0 when it ran as planned.
 */
static int
session(void)
{
	const struct mc_macro mconn[] = { { "j", "mx.milterfault.test" },
	    { "{daemon_name}", "milterfault" }, { "{client_addr}", cfg.ip } };
	bool dropped = false;
	enum dec dc;

	if ((dc = optneg(&dropped)) != DEC_GO)
		goto end;
	macros(ST_CONNECT, mconn, 3);
	if (cfg.drop_before == ST_MIDPACKET) {
		size_t half = conn.out.len;

		put_connect();
		/* The macros and half of the CONNECT packet. */
		half += (conn.out.len - half) / 2;
		(void)mc_flush_part(&conn, half);
		out(ST_MIDPACKET, "dropped", 0, "mid-packet", NULL);
		dc = DEC_STOP_CONN;
		goto end;
	}
	put_connect();
	if ((dc = step(ST_CONNECT, &dropped)) != DEC_GO)
		goto end;
	if (!cfg.no_helo) {
		mc_begin(&conn.out, SMFIC_HELO);
		mc_put(&conn.out, cfg.helo.p, cfg.helo.len);
		mc_put(&conn.out, "", 1);
		mc_end(&conn.out);
		if ((dc = step(ST_HELO, &dropped)) != DEC_GO)
			goto end;
	}
	dc = message(&dropped);
	if (dc == DEC_ERROR || dc == DEC_STOP_CONN)
		goto end;
	dc = quit();
end:
	return dc == DEC_ERROR ? -1 : 0;
}

/* ---- -m: malformed packets ---- */

/* When a malformed packet is sent: instead of OPTNEG, after it, or after
 * CONNECT and HELO. */
enum when { W_FIRST, W_AFTER_OPTNEG, W_AFTER_HELO };

static void
build_malformed(const char *kind, struct mc_buf *b, enum when *when)
{
	struct mc_buf d = { NULL, 0, 0, 0, false };
	uint16_t port = htons(25);
	char c;
	size_t i;

	*when = W_AFTER_OPTNEG;
	if (strcmp(kind, "len0") == 0) {
		mc_put_u32(b, 0);
	} else if (strcmp(kind, "huge") == 0) {
		mc_put_u32(b, 0x7fffffffu);
		mc_put(b, "C", 1);
		mc_put(b, "host\0", 5);
	} else if (strcmp(kind, "negative") == 0) {
		mc_put_u32(b, 0xffffffffu);
		mc_put(b, "Hxx", 3);
	} else if (strcmp(kind, "badlen") == 0) {
		/* The length covers less than the data: the rest of the
		 * HELO is read as the next packet's length. */
		mc_put_u32(b, 3);
		mc_put(b, "Hmail.example.test", 19);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "unknown") == 0) {
		mc_put_u32(b, 5);
		mc_put(b, "Zabcd", 5);
	} else if (strcmp(kind, "unknown-cmd-first") == 0) {
		mc_put_u32(b, 5);
		mc_put(b, "Zabcd", 5);
		*when = W_FIRST;
	} else if (strcmp(kind, "connect-trunc") == 0) {
		mc_put_str(&d, "host.example");
		mc_packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-noaddr") == 0) {
		mc_put_str(&d, "host.example");
		c = SMFIA_INET;
		mc_put(&d, &c, 1);
		mc_put(&d, &port, 2);
		mc_put(&d, "192.0.2.10", 10);	/* no NUL */
		mc_packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-badfamily") == 0) {
		mc_put_str(&d, "host.example");
		c = 'X';
		mc_put(&d, &c, 1);
		mc_put(&d, &port, 2);
		mc_put_str(&d, "192.0.2.10");
		mc_packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-badaddr") == 0) {
		mc_put_str(&d, "host.example");
		c = SMFIA_INET;
		mc_put(&d, &c, 1);
		mc_put(&d, &port, 2);
		mc_put_str(&d, "999.1.2.3");
		mc_packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-v6-as-v4") == 0) {
		mc_put_str(&d, "host.example");
		c = SMFIA_INET;
		mc_put(&d, &c, 1);
		mc_put(&d, &port, 2);
		mc_put_str(&d, "2001:db8::10");
		mc_packet(b, SMFIC_CONNECT, &d);
	} else if (strcmp(kind, "connect-empty") == 0) {
		mc_packet(b, SMFIC_CONNECT, NULL);
	} else if (strcmp(kind, "helo-nonul") == 0) {
		mc_put(&d, "mail.example.test", 17);
		mc_packet(b, SMFIC_HELO, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "helo-empty") == 0) {
		mc_packet(b, SMFIC_HELO, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "macro-odd") == 0) {
		mc_put(&d, "C", 1);
		mc_put_str(&d, "j");	/* a name without a value */
		mc_packet(b, SMFIC_MACRO, &d);
		mc_packet(b, SMFIC_MACRO, NULL);	/* no stage at all */
	} else if (strcmp(kind, "mail-empty") == 0) {
		mc_packet(b, SMFIC_MAIL, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "rcpt-empty") == 0) {
		mc_put_str(&d, "<s@example.test>");
		mc_packet(b, SMFIC_MAIL, &d);
		mc_packet(b, SMFIC_RCPT, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "rcpt-nonul") == 0) {
		mc_put_str(&d, "<s@example.test>");
		mc_packet(b, SMFIC_MAIL, &d);
		d.len = 0;
		mc_put(&d, "<u@example.test>", 16);
		mc_packet(b, SMFIC_RCPT, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "header-noval") == 0) {
		mc_put_str(&d, "<s@example.test>");
		mc_packet(b, SMFIC_MAIL, &d);
		d.len = 0;
		mc_put_str(&d, "<u@example.test>");
		mc_packet(b, SMFIC_RCPT, &d);
		mc_packet(b, SMFIC_DATA, NULL);
		d.len = 0;
		mc_put_str(&d, "Authentication-Results");
		mc_packet(b, SMFIC_HEADER, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "body-toobig") == 0) {
		/* One chunk over libmilter's 64 KiB limit. */
		mc_put_str(&d, "<s@example.test>");
		mc_packet(b, SMFIC_MAIL, &d);
		d.len = 0;
		mc_put_str(&d, "<u@example.test>");
		mc_packet(b, SMFIC_RCPT, &d);
		d.len = 0;
		for (i = 0; i < 300000; i++)
			mc_put(&d, "x", 1);
		mc_packet(b, SMFIC_BODY, &d);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "eom-first") == 0) {
		mc_packet(b, SMFIC_BODYEOB, NULL);
	} else if (strcmp(kind, "rcpt-before-connect") == 0) {
		mc_put_str(&d, "<u@example.test>");
		mc_packet(b, SMFIC_RCPT, &d);
		mc_packet(b, SMFIC_BODYEOB, NULL);
	} else if (strcmp(kind, "eom-after-helo") == 0) {
		mc_packet(b, SMFIC_BODYEOB, NULL);
		*when = W_AFTER_HELO;
	} else if (strcmp(kind, "optneg-short") == 0) {
		mc_put_u32(&d, MC_VERSION);
		mc_packet(b, SMFIC_OPTNEG, &d);
		*when = W_FIRST;
	} else if (strcmp(kind, "optneg-v1") == 0) {
		mc_put_u32(&d, 1);
		mc_put_u32(&d, 0);
		mc_put_u32(&d, 0);
		mc_packet(b, SMFIC_OPTNEG, &d);
		*when = W_FIRST;
	} else if (strcmp(kind, "optneg-twice") == 0) {
		mc_put_u32(&d, MC_VERSION);
		mc_put_u32(&d, SMFI_CURR_ACTS);
		mc_put_u32(&d, SMFI_CURR_PROT);
		mc_packet(b, SMFIC_OPTNEG, &d);
	} else if (strcmp(kind, "garbage") == 0) {
		for (i = 0; i < 256; i++) {
			c = (char)(i * 37 + 11);
			mc_put(b, &c, 1);
		}
		*when = W_FIRST;
	} else if (strcmp(kind, "quit-first") == 0) {
		mc_packet(b, SMFIC_QUIT, NULL);
		*when = W_FIRST;
	} else if (strcmp(kind, "abort-storm") == 0) {
		for (i = 0; i < 1000; i++)
			mc_packet(b, SMFIC_ABORT, NULL);
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
	struct mc_buf b = { NULL, 0, 0, 0, false };
	const unsigned char *p;
	unsigned char cmd;
	size_t len;
	enum when when;
	enum mc_io rc;
	bool dropped = false;
	uint64_t t0;
	char what[16];

	build_malformed(cfg.malformed, &b, &when);
	if (when != W_FIRST && optneg(&dropped) != DEC_GO)
		return 1;
	if (when == W_AFTER_HELO) {
		put_connect();
		if (step(ST_CONNECT, &dropped) != DEC_GO)
			return 1;
		mc_begin(&conn.out, SMFIC_HELO);
		mc_put_str(&conn.out, "mail.example.test");
		mc_end(&conn.out);
		if (step(ST_HELO, &dropped) != DEC_GO)
			return 1;
	}
	t0 = mc_now_us();
	mc_put(&conn.out, b.p, b.len);
	free(b.p);
	if ((rc = mc_flush(&conn)) != MC_OK)
		out(ST_MIDPACKET, "write-failed", 0, rc == MC_RESET ?
		    strerror(errno) : mc_io_str(rc), NULL);
	for (;;) {
		rc = mc_read_packet(&conn, &cmd, &p, &len);
		if (rc != MC_OK)
			break;
		snprintf(what, sizeof what, "reply-%c", cmd >= 0x21 &&
		    cmd < 0x7f ? cmd : '?');
		out(ST_MIDPACKET, what, mc_now_us() - t0, NULL, NULL);
	}
	out(ST_MIDPACKET, "outcome", (mc_now_us() - t0) / 1000,
	    rc == MC_TIMEOUT ? "open" : rc == MC_CLOSED ? "closed" :
	    rc == MC_RESET ? "reset" : "bad-reply", NULL);
	return 0;
}

/* ---- options ---- */

/* Decode \r \n \t \\ \xHH. */
static void
unescape(const char *s, struct mc_buf *b)
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
		mc_put(b, &c, 1);
		if (b->oom)
			die("out of memory");
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
usage(void)
{
	fprintf(stderr, "usage: milterfault -s SOCKET [-t SECONDS] [-a IP] "
	    "[-N NAME] [-H HELO | -n]\n"
	    "           [-f FROM] [-i QID] [-r RCPT]... [-A [-L MAX]]\n"
	    "           [-d STAGE | -D STAGE | -m KIND]\n");
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
	cfg.from = "sender@milterfault.test";
	cfg.qid = "FAULT1";
	cfg.drop_before = cfg.drop_after = -1;
	unescape("mail.example.test", &cfg.helo);
	while ((ch = getopt(argc, argv, "Aa:D:d:f:H:hi:L:m:N:nr:s:t:")) != -1) {
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
		case 'f':
			if (strlen(optarg) > 1000)
				die("-f: at most 1000 bytes");
			cfg.from = optarg;
			break;
		case 'H':
			unescape(optarg, &cfg.helo);
			break;
		case 'i':
			cfg.qid = optarg;
			break;
		case 'L':
			cfg.reply_max = strtoul(optarg, NULL, 10);
			if (cfg.reply_max < 10 || cfg.reply_max > MC_MAX_PACKET)
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
		case 's': {
			char err[200];

			cfg.spec = optarg;
			if (mc_parse_socket(optarg, &cfg.addr, err,
			    sizeof err) == -1)
				die("%s (unix:/path or inet:PORT@127.x.x.x)",
				    err);
			break;
		}
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

	mc_init(&conn, cfg.timeout_ms);
	if (mc_connect(&conn, &cfg.addr) == -1) {
		fprintf(stderr, "milterfault: connect %s: %s\n", cfg.spec,
		    strerror(errno));
		return 1;
	}
	if (cfg.malformed != NULL)
		rc = malformed();
	else
		rc = session();
	mc_free(&conn);
	free(cfg.helo.p);
	free(cfg.name.p);
	if (nbad > 0)
		rc = 1;
	return rc == 0 ? 0 : 1;
}
