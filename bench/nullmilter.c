/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nullmilter - a libmilter filter that does nothing, to measure the floor.
 *
 * DESCRIPTION
 *	Registers every callback Postfix can drive (connect, helo, envfrom,
 *	envrcpt, data, header, eoh, body, eom, abort, close, unknown, plus
 *	negotiate) and answers SMFIS_CONTINUE everywhere; the body callback
 *	answers SMFIS_SKIP when the MTA offered SMFIP_SKIP.  Options:
 *
 *	-p SOCKET	libmilter socket (unix:/path, local:/path,
 *			inet:PORT@HOST, inet6:PORT@HOST); required.
 *	-H		insert "X-Null: yes" at the top at end of message.
 *	-N		ask for "no reply" (SMFIP_NR_*) on every step that
 *			has one, as a tuned filter would.
 *	-S		ask the MTA to skip HELO, DATA, headers, EOH, body
 *			and unknown commands (SMFIP_NO*).
 *	-a STAGE=ACTION	answer ACTION at STAGE (connect, helo, mail,
 *			rcpt, data, header, eoh, body, eom), not continue:
 *			accept, reject, tempfail, discard, or an SMTP reply
 *			"NNN [X.Y.Z] text" (4xx tempfails, 5xx rejects).
 *			May be given once per stage.  A stage with an action
 *			is never skipped or negotiated without reply.
 *	-Z		"zero callbacks": register no callback at all and
 *			ask for no action, the protocol's own minimum.
 *			libmilter then asks the MTA to skip every step it
 *			can (SMFIP_NO*), so the MTA only negotiates, sends
 *			what it cannot skip and QUIT.  Only with -D.
 *	-M		"shaped": register only connect, helo, data and eom
 *			(no negotiate callback; libmilter asks the MTA to
 *			skip the rest) and insert "X-Null: yes" at end of
 *			message: the do-nothing filter that needs only what
 *			a connection check with a header needs (issue 13).
 *			Implies -H; not with -N, -S or -a.
 *	-D		leave Nagle's algorithm on for TCP sockets.
 *	-v		print every callback with its arguments and macros
 *			on stderr (for checking an MTA or milterload).
 *
 *	libmilter does not hand out its listening descriptor, so for TCP the
 *	program looks for it among its own open descriptors after
 *	smfi_opensocket() (a listening SOCK_STREAM socket of family AF_INET
 *	or AF_INET6) and sets TCP_NODELAY there; Linux copies the option to
 *	every accepted connection.  A stale unix socket is removed at start.
 *	SIGTERM and SIGHUP stop the filter cleanly (libmilter), exit 0.
 */
#include "autoconf.h"	/* the autoconf results (see milter/config.h) */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#define EX_USAGE_CODE	64	/* sysexits.h EX_USAGE */

enum nm_stage {
	NM_CONNECT, NM_HELO, NM_MAIL, NM_RCPT, NM_DATA, NM_HEADER, NM_EOH,
	NM_BODY, NM_EOM, NM_COUNT
};

static const char *const nm_stage_name[NM_COUNT] = {
	"connect", "helo", "mail", "rcpt", "data", "header", "eoh", "body",
	"eom"
};

/* "No reply" flag of each stage (none for end of message). */
static const unsigned long nm_nr_flag[NM_COUNT] = {
	SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_MAIL, SMFIP_NR_RCPT,
	SMFIP_NR_DATA, SMFIP_NR_HDR, SMFIP_NR_EOH, SMFIP_NR_BODY, 0
};

/* "Do not send" flag of the stages -S skips. */
static const unsigned long nm_skip_flag[NM_COUNT] = {
	0, SMFIP_NOHELO, 0, 0, SMFIP_NODATA, SMFIP_NOHDRS, SMFIP_NOEOH,
	SMFIP_NOBODY, 0
};

struct nm_action {
	bool set;
	sfsistat rc;
	char code[4];
	char xcode[16];
	char *text;		/* NULL: plain accept/reject/... */
};

static struct nm_action nm_act[NM_COUNT];
static bool opt_header, opt_noreply, opt_skip, opt_nagle, opt_verbose;
static bool opt_zero, opt_shaped, opt_action;

/* Session flags live in the private pointer as the address of a token. */
static char nm_tok_plain, nm_tok_skip;

static char nm_name[] = "nullmilter";
static char nm_hdr_name[] = "X-Null";
static char nm_hdr_value[] = "yes";

static char nm_mac_i[] = "i";
static char nm_mac_client_addr[] = "{client_addr}";
static char nm_mac_mail_addr[] = "{mail_addr}";
static char nm_mac_rcpt_addr[] = "{rcpt_addr}";
static char nm_mac_daemon[] = "{daemon_name}";
static char nm_mac_j[] = "j";
static char nm_mac_under[] = "_";

static const char *
nm_sym(SMFICTX *ctx, char *name)
{
	const char *v = smfi_getsymval(ctx, name);

	return v != NULL ? v : "(unset)";
}

static void nm_log(SMFICTX *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* One line per callback with -v; untrusted bytes are shown as '?'. */
static void
nm_log(SMFICTX *ctx, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	size_t i;

	if (!opt_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	fprintf(stderr, "nullmilter[%p]: %s\n", (void *)ctx, buf);
}

static sfsistat
nm_answer(SMFICTX *ctx, enum nm_stage stage)
{
	struct nm_action *a = &nm_act[stage];

	if (a->set) {
		if (a->text != NULL &&
		    smfi_setreply(ctx, a->code, a->xcode[0] ? a->xcode : NULL,
		    a->text) != MI_SUCCESS)
			fprintf(stderr, "nullmilter: smfi_setreply failed\n");
		return a->rc;
	}
	if (opt_noreply && nm_nr_flag[stage] != 0)
		return SMFIS_NOREPLY;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want = 0;
	int i;

	(void)f2;
	(void)f3;
	*pf0 = opt_header ? (SMFIF_ADDHDRS & f0) : 0;
	if ((f1 & SMFIP_SKIP) != 0)
		want |= SMFIP_SKIP;
	for (i = 0; i < NM_COUNT; i++) {
		if (nm_act[i].set)
			continue;
		/* libmilter fakes an NR_* flag the MTA does not offer. */
		if (opt_noreply)
			want |= nm_nr_flag[i];
		if (opt_skip)
			want |= nm_skip_flag[i] & f1;
	}
	if (opt_noreply)
		want |= SMFIP_NR_UNKN;
	if (opt_skip)
		want |= SMFIP_NOUNKNOWN & f1;
	*pf1 = want;
	nm_log(ctx, "negotiate offered actions=0x%lx protocol=0x%lx, "
	    "asking actions=0x%lx protocol=0x%lx", f0, f1, *pf0, want);
	*pf2 = 0;
	*pf3 = 0;
	(void)smfi_setpriv(ctx, (want & SMFIP_SKIP) != 0 ? &nm_tok_skip :
	    &nm_tok_plain);
	return SMFIS_CONTINUE;
}

static sfsistat
nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	char addr[INET6_ADDRSTRLEN] = "(none)";
	unsigned port = 0;

	if (opt_verbose && sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof addr);
		port = ntohs(sin->sin_port);
	} else if (opt_verbose && sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof addr);
		port = ntohs(sin6->sin6_port);
	}
	nm_log(ctx, "connect host=%s addr=%s port=%u j=%s daemon_name=%s "
	    "_=%s client_addr=%s", host, addr, port, nm_sym(ctx, nm_mac_j),
	    nm_sym(ctx, nm_mac_daemon), nm_sym(ctx, nm_mac_under),
	    nm_sym(ctx, nm_mac_client_addr));
	return nm_answer(ctx, NM_CONNECT);
}

static sfsistat
nm_helo(SMFICTX *ctx, char *helo)
{
	nm_log(ctx, "helo %s", helo);
	return nm_answer(ctx, NM_HELO);
}

static sfsistat
nm_envfrom(SMFICTX *ctx, char **argv)
{
	nm_log(ctx, "mail %s i=%s mail_addr=%s", argv[0],
	    nm_sym(ctx, nm_mac_i), nm_sym(ctx, nm_mac_mail_addr));
	return nm_answer(ctx, NM_MAIL);
}

static sfsistat
nm_envrcpt(SMFICTX *ctx, char **argv)
{
	nm_log(ctx, "rcpt %s i=%s rcpt_addr=%s", argv[0],
	    nm_sym(ctx, nm_mac_i), nm_sym(ctx, nm_mac_rcpt_addr));
	return nm_answer(ctx, NM_RCPT);
}

static sfsistat
nm_data(SMFICTX *ctx)
{
	nm_log(ctx, "data i=%s", nm_sym(ctx, nm_mac_i));
	return nm_answer(ctx, NM_DATA);
}

static sfsistat
nm_header(SMFICTX *ctx, char *name, char *value)
{
	nm_log(ctx, "header %s: [%s]", name, value);
	return nm_answer(ctx, NM_HEADER);
}

static sfsistat
nm_eoh(SMFICTX *ctx)
{
	nm_log(ctx, "eoh i=%s", nm_sym(ctx, nm_mac_i));
	return nm_answer(ctx, NM_EOH);
}

static sfsistat
nm_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)chunk;
	nm_log(ctx, "body %zu bytes", len);
	if (nm_act[NM_BODY].set || opt_noreply)
		return nm_answer(ctx, NM_BODY);
	return smfi_getpriv(ctx) == &nm_tok_skip ? SMFIS_SKIP :
	    SMFIS_CONTINUE;
}

static sfsistat
nm_eom(SMFICTX *ctx)
{
	nm_log(ctx, "eom i=%s", nm_sym(ctx, nm_mac_i));
	if (opt_header &&
	    smfi_insheader(ctx, 0, nm_hdr_name, nm_hdr_value) != MI_SUCCESS)
		fprintf(stderr, "nullmilter: smfi_insheader failed\n");
	return nm_answer(ctx, NM_EOM);
}

static sfsistat
nm_abort(SMFICTX *ctx)
{
	nm_log(ctx, "abort");
	return SMFIS_CONTINUE;
}

static sfsistat
nm_close(SMFICTX *ctx)
{
	nm_log(ctx, "close");
	(void)smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static sfsistat
nm_unknown(SMFICTX *ctx, const char *cmd)
{
	nm_log(ctx, "unknown %s", cmd);
	return opt_noreply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* Set TCP_NODELAY on our listening TCP socket(s); returns how many. */
static int
nm_set_nodelay(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long max;
	int fd, val, one = 1, n = 0;

	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++) {
		len = sizeof val;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &val, &len) ==
		    -1 || val == 0)
			continue;
		len = sizeof val;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &val, &len) == -1 ||
		    val != SOCK_STREAM)
			continue;
		len = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one) == 0)
			n++;
	}
	return n;
}

/* The default: every callback Postfix can drive. */
static void
nm_register_all(struct smfiDesc *desc)
{
	desc->xxfi_connect = nm_connect;
	desc->xxfi_helo = nm_helo;
	desc->xxfi_envfrom = nm_envfrom;
	desc->xxfi_envrcpt = nm_envrcpt;
	desc->xxfi_header = nm_header;
	desc->xxfi_eoh = nm_eoh;
	desc->xxfi_body = nm_body;
	desc->xxfi_eom = nm_eom;
	desc->xxfi_abort = nm_abort;
	desc->xxfi_close = nm_close;
	desc->xxfi_unknown = nm_unknown;
	desc->xxfi_data = nm_data;
	desc->xxfi_negotiate = nm_negotiate;
}

static void
usage(void)
{
	fprintf(stderr, "usage: nullmilter -p SOCKET [-H] [-N] [-S] [-D] [-v] "
	    "[-a STAGE=ACTION]...\n"
	    "       nullmilter -p SOCKET -Z [-D]\n"
	    "       nullmilter -p SOCKET -M [-D] [-v]\n");
	exit(EX_USAGE_CODE);
}

/* Parse "STAGE=ACTION"; returns -1 with a message on error. */
static int
nm_parse_action(char *arg)
{
	struct nm_action *a;
	char *eq, *act, *p;
	size_t xl;
	int i;

	if ((eq = strchr(arg, '=')) == NULL)
		return -1;
	*eq = '\0';
	act = eq + 1;
	for (i = 0; i < NM_COUNT; i++)
		if (strcmp(arg, nm_stage_name[i]) == 0)
			break;
	if (i == NM_COUNT || nm_act[i].set)
		return -1;
	a = &nm_act[i];
	a->set = true;
	if (strcmp(act, "accept") == 0)
		a->rc = SMFIS_ACCEPT;
	else if (strcmp(act, "reject") == 0)
		a->rc = SMFIS_REJECT;
	else if (strcmp(act, "tempfail") == 0)
		a->rc = SMFIS_TEMPFAIL;
	else if (strcmp(act, "discard") == 0 && i != NM_CONNECT &&
	    i != NM_HELO)
		a->rc = SMFIS_DISCARD;
	else if ((act[0] == '4' || act[0] == '5') &&
	    act[1] >= '0' && act[1] <= '9' && act[2] >= '0' && act[2] <= '9' &&
	    act[3] == ' ') {
		memcpy(a->code, act, 3);
		a->code[3] = '\0';
		a->rc = act[0] == '4' ? SMFIS_TEMPFAIL : SMFIS_REJECT;
		p = act + 4;
		xl = strspn(p, "0123456789.");
		if (xl > 0 && xl < sizeof a->xcode && p[xl] == ' ' &&
		    p[0] == act[0]) {
			memcpy(a->xcode, p, xl);
			a->xcode[xl] = '\0';
			p += xl + 1;
		}
		if (*p == '\0' || strpbrk(p, "\r\n") != NULL)
			return -1;
		a->text = p;
	} else {
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct smfiDesc desc;
	char *sock = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "a:DHhMNp:SvZ")) != -1) {
		switch (ch) {
		case 'a':
			if (nm_parse_action(optarg) == -1) {
				fprintf(stderr, "nullmilter: bad -a: %s\n",
				    optarg);
				usage();
			}
			opt_action = true;
			break;
		case 'D':
			opt_nagle = true;
			break;
		case 'H':
			opt_header = true;
			break;
		case 'M':
			opt_shaped = true;
			break;
		case 'N':
			opt_noreply = true;
			break;
		case 'p':
			sock = optarg;
			break;
		case 'S':
			opt_skip = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'Z':
			opt_zero = true;
			break;
		default:
			usage();
		}
	}
	if (sock == NULL || optind != argc)
		usage();
	if (opt_zero && (opt_shaped || opt_header || opt_noreply ||
	    opt_skip || opt_action || opt_verbose))
		usage();
	if (opt_shaped && (opt_noreply || opt_skip || opt_action))
		usage();
	if (opt_shaped)
		opt_header = true;

	memset(&desc, 0, sizeof desc);
	desc.xxfi_name = nm_name;
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = opt_header ? SMFIF_ADDHDRS : 0;
	if (opt_zero) {
		/* No callback at all: libmilter skips every step. */
	} else if (opt_shaped) {
		desc.xxfi_connect = nm_connect;
		desc.xxfi_helo = nm_helo;
		desc.xxfi_data = nm_data;
		desc.xxfi_eom = nm_eom;
	} else {
		nm_register_all(&desc);
	}

	if (smfi_setconn(sock) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: bad socket: %s\n", sock);
		return 1;
	}
	if (smfi_register(desc) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: smfi_register failed\n");
		return 1;
	}
	/* true: remove a stale unix socket first. */
	if (smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot open socket %s\n", sock);
		return 1;
	}
	if (!opt_nagle && strncmp(sock, "inet", 4) == 0 &&
	    nm_set_nodelay() == 0)
		fprintf(stderr, "nullmilter: warning: could not set "
		    "TCP_NODELAY: %s\n", strerror(errno));
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
