/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http.c - the Prometheus endpoint: GET /metrics over HTTP.
 *
 * The server is libmicrohttpd's, with one internal polling thread; each
 * request renders the counters (metrics.c) into a fresh buffer.  Without
 * libmicrohttpd, metrics_start() reports that and everything else still
 * works.  Only the daemon links this file; libcore.a keeps the pure
 * counters and the text format.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "strbuf.h"

#ifdef HAVE_MICROHTTPD
#include <unistd.h>
#include <microhttpd.h>
#endif

/*
 * The HTTP endpoint.
 */

#ifndef HAVE_MICROHTTPD

int
metrics_start(const char *listen, char *err, size_t errlen)
{
	(void)listen;
	(void)snprintf(err, errlen, "built without libmicrohttpd");
	return -1;
}

void
metrics_stop(void)
{
}

#else /* HAVE_MICROHTTPD */

/* enum MHD_Result replaced int in 0.9.71. */
#if MHD_VERSION >= 0x00097100
typedef enum MHD_Result mhd_result;
#else
typedef int mhd_result;
#endif

/* A few scrapers at a time are plenty; slow ones are cut off. */
#define HTTP_CONN_LIMIT		16
#define HTTP_CONN_TIMEOUT	10	/* seconds */
/* The page is under 8 KiB plus about 3 KiB per Policy line that has
 * decided (METRICS_MAX_POLICIES of them at most). */
#define HTTP_PAGE_MAX		(256 * 1024)

#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

static struct MHD_Daemon *daemon_h;

/* MHD's diagnostics while metrics_start() runs go to start_err (main
 * thread only); afterwards to the log. */
static pthread_t	 start_thread;
static atomic_bool	 starting;
static char		 start_err[256];

static void mhd_logger(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char raw[256], msg[256];
	size_t n;

	(void)cls;
	(void)vsnprintf(raw, sizeof raw, fmt, ap);
	n = strlen(raw);
	while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
		n--;
	/* Messages may quote what a client sent. */
	log_sanitize(msg, sizeof msg, raw, n);
	if (starting && pthread_equal(pthread_self(), start_thread)) {
		if (start_err[0] == '\0')
			(void)snprintf(start_err, sizeof start_err, "%s", msg);
		return;
	}
	log_msg(LOG_WARNING, "metrics: %s", msg);
}

static mhd_result
queue_text(struct MHD_Connection *c, unsigned status, const char *text,
    const char *allow)
{
	struct MHD_Response *r;
	mhd_result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)
	    text, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	if (allow != NULL)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static mhd_result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct MHD_Response *r;
	mhd_result ret;
	char *page;
	int n;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return queue_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n", "GET, HEAD");
	if (strcmp(url, "/metrics") != 0)
		return queue_text(c, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
	if ((page = malloc(HTTP_PAGE_MAX)) == NULL)
		return MHD_NO;
	if ((n = metrics_render(page, HTTP_PAGE_MAX)) == -1) {
		free(page);
		log_msg(LOG_ERR, "metrics: page larger than %d bytes",
		    HTTP_PAGE_MAX);
		return queue_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error\n", NULL);
	}
	r = MHD_create_response_from_buffer((size_t)n, page,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(page);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    CONTENT_TYPE);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Why MHD_start_daemon() failed.  Its own message names port 0 for an
 * address given with MHD_OPTION_SOCK_ADDR, so try the bind ourselves
 * first: that gives the plain reason ("Address already in use").
 */
static const char *
why_not(const struct sockaddr_storage *ss, socklen_t sslen, int saved)
{
	const char *why = NULL;
	int fd, on = 1;

	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
	    -1)
		return strerror(errno);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, (const struct sockaddr *)ss, sslen) == -1)
		why = strerror(errno);
	(void)close(fd);
	if (why != NULL)
		return why;
	if (start_err[0] != '\0')
		return start_err;
	return saved != 0 ? strerror(saved) : "libmicrohttpd failed";
}

int
metrics_start(const char *listen, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	sigset_t all, old;
	const char *why = "";
	unsigned flags;
	int rc, saved;

	if (daemon_h != NULL) {
		(void)snprintf(err, errlen, "already serving metrics");
		return -1;
	}
	if (listen == NULL ||
	    config_parse_listen(listen, &ss, &sslen, &why) == -1) {
		(void)snprintf(err, errlen, "bad listen address '%s': %s",
		    listen != NULL ? listen : "(null)", why);
		return -1;
	}
	/* One internal thread (MHD_USE_INTERNAL_POLLING_THREAD) with poll or
	 * epoll rather than select: a busy milter has descriptors above
	 * FD_SETSIZE, which select() cannot watch. */
	flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;

	/* The server thread inherits a mask with every signal blocked, so
	 * SIGTERM, SIGHUP and SIGUSR1 always reach libmilter's and our
	 * signal threads. */
	sigfillset(&all);
	if ((rc = pthread_sigmask(SIG_SETMASK, &all, &old)) != 0) {
		(void)snprintf(err, errlen, "pthread_sigmask: %s",
		    strerror(rc));
		return -1;
	}
	start_err[0] = '\0';
	start_thread = pthread_self();
	starting = true;
	errno = 0;
	/* The logger comes first, so that it sees every message. */
	daemon_h = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT,
	    MHD_OPTION_END);
	saved = errno;
	starting = false;
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (daemon_h == NULL) {
		(void)snprintf(err, errlen, "cannot listen on %s: %s", listen,
		    why_not(&ss, sslen, saved));
		return -1;
	}
	return 0;
}

void
metrics_stop(void)
{
	if (daemon_h == NULL)
		return;
	MHD_stop_daemon(daemon_h);
	daemon_h = NULL;
}

#endif /* HAVE_MICROHTTPD */
