/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.h - the libmilter callbacks.
 *
 * DESCRIPTION
 *	milter_register() registers the callback table with libmilter.  Every
 *	callback fetches its session first and fails open (continue, accept)
 *	when it is missing.  Only main.c and milter.c include
 *	<libmilter/mfapi.h>.
 *
 * OWNERSHIP
 *	The callbacks create one struct session per connection (connect, or
 *	lazily), keep it with smfi_setpriv() and free it in close; they copy
 *	every libmilter string they keep (valid only during the callback).
 *	A session pins the runtime snapshot of its connect (runtime.h).
 *
 * THREAD SAFETY
 *	milter_register() runs once in main() before smfi_main().
 *	libmilter calls one connection's callbacks one after another, not
 *	always in the same thread, and different connections' at the same
 *	time; a callback touches only its own session, the runtime it
 *	pinned, and the atomic metrics.
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
