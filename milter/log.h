/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - the logging facade.
 *
 * DESCRIPTION
 *	All diagnostics go through log_msg(): to syslog (facility set by
 *	log_open()) and, in foreground mode, to stderr as well.  Priorities
 *	follow syslog(3): LOG_ERR for our own or resource failures,
 *	LOG_WARNING for configuration or DNS anomalies, LOG_INFO for the one
 *	summary line per message, LOG_DEBUG for tracing.
 *
 *	Text that comes from a client or from DNS must pass through
 *	text_sanitize() (text.h) or a sanitising formatter before it reaches
 *	log_msg(): the facade itself does not filter.
 *
 * OWNERSHIP
 *	Nothing is kept: log_msg() formats into its own stack buffer (a
 *	line is cut at 2047 bytes, never split) and hands it to syslog(3)
 *	and stderr.  The ident passed to
 *	log_open() must stay valid while the log is open (syslog keeps the
 *	pointer).
 *
 * THREAD SAFETY
 *	log_msg() may be called from any thread.  log_open() is called once
 *	from main() before threads exist.  The settings log_msg() reads
 *	(syslog on, stderr on, level) are atomics: log_reopen() (a reload),
 *	log_set_stderr() (start-up done) and log_set_level() may run beside
 *	it, and a line written during the change may still go the old way.
 *	Each line is one syslog(3) call and one fprintf(3), so lines from
 *	different threads never interleave.
 *
 * UNIT TESTS
 *	t/unit/fake_log.c replaces this module at link time.
 */
#ifndef RDNS_LOG_H
#define RDNS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/** Open the log: ident for syslog, facility (LOG_MAIL...), whether to use
 * syslog at all and whether to copy every line to stderr. */
void log_open(const char *ident, int facility, bool use_syslog,
    bool use_stderr);

/** Change the facility / syslog use after a configuration reload. */
void log_reopen(int facility, bool use_syslog);

/** Copy lines to stderr (or stop): a daemon does so until it is ready. */
void log_set_stderr(bool use_stderr);

/** Close syslog. */
void log_close(void);

/** Only messages at or above this priority (numerically <=) are logged;
 * default LOG_INFO. */
void log_set_level(int level);

/** Log one line at the given syslog priority. */
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Same, va_list form. */
void log_vmsg(int prio, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
