/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_log.h - the log facade replacement for unit tests: keeps the last
 * messages so tests can assert on them.
 */
#ifndef RDNS_FAKE_LOG_H
#define RDNS_FAKE_LOG_H

#include <stddef.h>

/** Number of messages logged since the last fake_log_reset(). */
size_t fake_log_count(void);

/** The n-th message (0-based) since the reset, or NULL. */
const char *fake_log_get(size_t n);

/** Priority of the n-th message, or -1. */
int fake_log_prio(size_t n);

/** Forget everything logged so far. */
void fake_log_reset(void);

/** True if some message since the reset contains needle. */
int fake_log_contains(const char *needle);

#endif
