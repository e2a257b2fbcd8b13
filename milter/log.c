/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c - the logging facade: syslog, plus stderr in foreground mode.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static atomic_bool	log_syslog;
static atomic_bool	log_stderr;
static atomic_int	log_level = LOG_INFO;
static const char	*log_ident = "rdns-milter";

void
log_open(const char *ident, int facility, bool use_syslog, bool use_stderr)
{
	log_ident = ident;
	atomic_store(&log_syslog, use_syslog);
	atomic_store(&log_stderr, use_stderr);
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_reopen(int facility, bool use_syslog)
{
	if (atomic_load(&log_syslog))
		closelog();
	atomic_store(&log_syslog, use_syslog);
	if (use_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_stderr(bool use_stderr)
{
	atomic_store(&log_stderr, use_stderr);
}

void
log_close(void)
{
	if (atomic_exchange(&log_syslog, false))
		closelog();
}

void
log_set_level(int level)
{
	atomic_store(&log_level, level);
}

void
log_vmsg(int prio, const char *fmt, va_list ap)
{
	char line[2048];

	if (LOG_PRI(prio) > atomic_load(&log_level))
		return;
	/* One formatting pass; a longer line is cut, never split. */
	(void)vsnprintf(line, sizeof line, fmt, ap);
	if (atomic_load(&log_syslog))
		syslog(prio, "%s", line);
	if (atomic_load(&log_stderr)) {
		/* One fprintf per line: stdio locks the stream, so lines from
		 * different threads do not interleave. */
		fprintf(stderr, "%s: %s\n", log_ident, line);
	}
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}
