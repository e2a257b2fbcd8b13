/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http.c - the Prometheus endpoint: GET /metrics over HTTP.
 *
 * The server is libmicrohttpd's, with one internal polling thread; each
 * request renders the counters (metrics.c) into a fresh buffer.  Slow
 * clients cannot lock the endpoint: one address holds at most
 * HTTP_PER_IP_LIMIT of the HTTP_CONN_LIMIT connections, a connection
 * idle for HTTP_CONN_TIMEOUT is closed (libmicrohttpd), and a watchdog
 * thread cuts one that has not completed a request HTTP_REQUEST_DEADLINE
 * seconds after it opened or after its previous request (a client that
 * sends a byte now and then is never idle).  Without
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

#include "log.h"
#include "metrics.h"
#include "strbuf.h"
#include "text.h"

#ifdef HAVE_MICROHTTPD
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#endif

/*
 * The HTTP endpoint.
 */

#ifndef HAVE_MICROHTTPD

int
metrics_start(const char *name, const struct sockaddr *sa, socklen_t salen,
    char *err, size_t errlen)
{
	(void)name;
	(void)sa;
	(void)salen;
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
#define HTTP_PER_IP_LIMIT	4
#define HTTP_CONN_TIMEOUT	10	/* seconds idle */
#define HTTP_REQUEST_DEADLINE	15	/* seconds for a whole request */
/* The watchdog's summary of cut connections, at most this often. */
#define HTTP_CUT_LOG_EVERY	60	/* seconds */
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
	text_sanitize(TEXT_PRINT, msg, sizeof msg, raw, n);
	if (starting && pthread_equal(pthread_self(), start_thread)) {
		if (start_err[0] == '\0')
			(void)snprintf(start_err, sizeof start_err, "%s", msg);
		return;
	}
	log_msg(LOG_WARNING, "metrics: %s", msg);
}

/*
 * The request deadline.  Each connection libmicrohttpd accepts is on the
 * list conns, with a duplicate of its socket: the watchdog shuts that
 * down (libmicrohttpd then sees the end of the stream and closes the
 * connection), and since the duplicate stays open until the connection's
 * CLOSED notification, it never names another file, whenever
 * libmicrohttpd closes its own descriptor.
 */
struct http_conn {
	struct http_conn	*next, *prev;
	int			 fd;	/* our duplicate of its socket */
	struct timespec		 since;	/* opened, or last request done */
	bool			 cut;
};

static pthread_mutex_t	 conns_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 watch_cv;
static struct http_conn	*conns;		/* under conns_lock */
static bool		 watch_stop;	/* under conns_lock */
static pthread_t	 watch_tid;
static bool		 watch_running;

static void
now_mono(struct timespec *ts)
{
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
}

/* libmicrohttpd's thread: a connection opens or is gone. */
static void
notify_conn(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct http_conn *hc;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*ctx = NULL;
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (hc = calloc(1, sizeof *hc)) == NULL)
			return;
		if ((hc->fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0)) ==
		    -1) {
			/* Out of descriptors: no deadline for this one, but
			 * cut it at once rather than let it stay. */
			(void)shutdown(ci->connect_fd, SHUT_RDWR);
			free(hc);
			return;
		}
		now_mono(&hc->since);
		pthread_mutex_lock(&conns_lock);
		hc->next = conns;
		if (conns != NULL)
			conns->prev = hc;
		conns = hc;
		pthread_mutex_unlock(&conns_lock);
		*ctx = hc;
		return;
	}
	if (toe != MHD_CONNECTION_NOTIFY_CLOSED || (hc = *ctx) == NULL)
		return;
	pthread_mutex_lock(&conns_lock);
	if (hc->prev != NULL)
		hc->prev->next = hc->next;
	else
		conns = hc->next;
	if (hc->next != NULL)
		hc->next->prev = hc->prev;
	pthread_mutex_unlock(&conns_lock);
	(void)close(hc->fd);
	free(hc);
	*ctx = NULL;
}

/* libmicrohttpd's thread: a request is done; the next one on the same
 * connection has a deadline of its own. */
static void
request_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct http_conn *hc;

	(void)cls;
	(void)con_cls;
	(void)toe;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (hc = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&conns_lock);
	now_mono(&hc->since);
	pthread_mutex_unlock(&conns_lock);
}

/* Once a second: cut the connections past the deadline. */
static void *
watchdog(void *arg)
{
	struct timespec now, wake, logged;
	unsigned long cut = 0;

	(void)arg;
	now_mono(&logged);
	pthread_mutex_lock(&conns_lock);
	while (!watch_stop) {
		struct http_conn *hc;

		now_mono(&now);
		for (hc = conns; hc != NULL; hc = hc->next) {
			if (hc->cut ||
			    now.tv_sec - hc->since.tv_sec < HTTP_REQUEST_DEADLINE)
				continue;
			(void)shutdown(hc->fd, SHUT_RDWR);
			hc->cut = true;
			cut++;
		}
		if (cut > 0 && now.tv_sec - logged.tv_sec >= HTTP_CUT_LOG_EVERY) {
			log_msg(LOG_WARNING, "metrics: cut %lu connection%s "
			    "without a complete request within %d s", cut,
			    cut == 1 ? "" : "s", HTTP_REQUEST_DEADLINE);
			cut = 0;
			logged = now;
		}
		wake = now;
		wake.tv_sec++;
		(void)pthread_cond_timedwait(&watch_cv, &conns_lock, &wake);
	}
	pthread_mutex_unlock(&conns_lock);
	return NULL;
}

/* Start the watchdog (signals blocked by the caller).  @return 0 or an
 * errno value. */
static int
watchdog_start(void)
{
	pthread_condattr_t ca;
	int rc;

	if ((rc = pthread_condattr_init(&ca)) != 0)
		return rc;
	if ((rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) == 0)
		rc = pthread_cond_init(&watch_cv, &ca);
	(void)pthread_condattr_destroy(&ca);
	if (rc != 0)
		return rc;
	watch_stop = false;
	if ((rc = pthread_create(&watch_tid, NULL, watchdog, NULL)) != 0) {
		(void)pthread_cond_destroy(&watch_cv);
		return rc;
	}
	watch_running = true;
	return 0;
}

static void
watchdog_stop(void)
{
	if (!watch_running)
		return;
	pthread_mutex_lock(&conns_lock);
	watch_stop = true;
	pthread_cond_signal(&watch_cv);
	pthread_mutex_unlock(&conns_lock);
	(void)pthread_join(watch_tid, NULL);
	(void)pthread_cond_destroy(&watch_cv);
	watch_running = false;
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
metrics_start(const char *name, const struct sockaddr *sa, socklen_t salen,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = salen;
	sigset_t all, old;
	unsigned flags;
	int rc, saved;

	if (daemon_h != NULL) {
		(void)snprintf(err, errlen, "already serving metrics");
		return -1;
	}
	/* The address was parsed with the configuration (MetricsListen,
	 * config_parse_listen()); only its shape is checked here. */
	if (name == NULL || sa == NULL || salen == 0 ||
	    salen > (socklen_t)sizeof ss || (sa->sa_family != AF_INET &&
	    sa->sa_family != AF_INET6)) {
		(void)snprintf(err, errlen, "bad listen address '%s'",
		    name != NULL ? name : "(null)");
		return -1;
	}
	memset(&ss, 0, sizeof ss);
	memcpy(&ss, sa, salen);
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
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_PER_IP_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_conn, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
	    MHD_OPTION_END);
	saved = errno;
	starting = false;
	if (daemon_h != NULL && (rc = watchdog_start()) != 0) {
		MHD_stop_daemon(daemon_h);
		daemon_h = NULL;
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
		(void)snprintf(err, errlen, "pthread_create: %s",
		    strerror(rc));
		return -1;
	}
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (daemon_h == NULL) {
		(void)snprintf(err, errlen, "cannot listen on %s: %s", name,
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
	/* Every connection's CLOSED notification comes first. */
	MHD_stop_daemon(daemon_h);
	daemon_h = NULL;
	watchdog_stop();
}

#endif /* HAVE_MICROHTTPD */
