/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_log.c - replaces milter/log.c at link time in unit tests.
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fake_log.h"
#include "log.h"

#define FAKE_LOG_MAX	64

static char		fake_lines[FAKE_LOG_MAX][1024];
static int		fake_prios[FAKE_LOG_MAX];
static size_t		fake_n;
static pthread_mutex_t	fake_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_open(const char *ident, int facility, bool use_syslog, bool use_stderr)
{
	(void)ident;
	(void)facility;
	(void)use_syslog;
	(void)use_stderr;
}

void
log_reopen(int facility, bool use_syslog)
{
	(void)facility;
	(void)use_syslog;
}

void
log_close(void)
{
}

void
log_set_level(int level)
{
	(void)level;
}

void
log_vmsg(int prio, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&fake_lock);
	if (fake_n < FAKE_LOG_MAX) {
		vsnprintf(fake_lines[fake_n], sizeof fake_lines[fake_n], fmt,
		    ap);
		fake_prios[fake_n] = prio;
		fake_n++;
	}
	pthread_mutex_unlock(&fake_lock);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

size_t
fake_log_count(void)
{
	return fake_n;
}

const char *
fake_log_get(size_t n)
{
	return n < fake_n ? fake_lines[n] : NULL;
}

int
fake_log_prio(size_t n)
{
	return n < fake_n ? fake_prios[n] : -1;
}

void
fake_log_reset(void)
{
	pthread_mutex_lock(&fake_lock);
	fake_n = 0;
	pthread_mutex_unlock(&fake_lock);
}

int
fake_log_contains(const char *needle)
{
	size_t i;

	for (i = 0; i < fake_n; i++)
		if (strstr(fake_lines[i], needle) != NULL)
			return 1;
	return 0;
}
