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

/** Register the filter with libmilter.  @return 0 or -1. */
int milter_register(void);

#endif
