/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.h - the libmilter callbacks.
 *
 * DESCRIPTION
 *	milter_register() registers the callback table with libmilter.  Every
 *	callback fetches its session first and fails open (continue, accept)
 *	when it is missing.  Only main.c and milter.c include
 *	<libmilter/mfapi.h>.
 */
#ifndef RDNS_MILTER_H
#define RDNS_MILTER_H

#include <stdbool.h>

/**
 * Register the callbacks.  no_reply_ok: ask the MTA not to wait for
 * replies to HELO and the header fields (SMFIP_NR_HELO, SMFIP_NR_HDR).
 * Only for a unix socket: over TCP, Postfix (no TCP_NODELAY on milter
 * connections) then holds its next small write for the milter's delayed
 * ACK, about 40 ms per step.
 * @return 0, or -1.
 */
int milter_register(bool no_reply_ok);

#endif
