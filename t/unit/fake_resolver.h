/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_resolver.h - a table-driven stand-in for the resolver (unit tests).
 *
 * Answers come from a table of (qname, qtype) -> (result class, DNSSEC
 * status, records).  Submitted lookups are queued; fake_resolver_run()
 * delivers them (and those submitted from callbacks) in FIFO order, in
 * the calling thread.  A name added with fake_resolver_add_silent() is
 * never answered, like a black-holed server.  A lookup of a name that is
 * not in the table gets NXDOMAIN.
 */
#ifndef RDNS_FAKE_RESOLVER_H
#define RDNS_FAKE_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "resolver.h"

extern const struct resolver_ops fake_resolver_ops;

/** Forget the table and the queue. */
void fake_resolver_reset(void);

/**
 * Add an answer.  For DNS_TYPE_PTR, records are host names (written as
 * wire format); for A/AAAA, addresses; for DNS_TYPE_MX, "PREF host"; for
 * DNS_TYPE_TXT, the text ('|' separates the record's strings, and a
 * string longer than 255 bytes is cut into several).  The list ends
 * with NULL.
 */
void fake_resolver_add(const char *name, int type, enum dns_result result,
    enum dnssec_status dnssec, const char *const *records);

/** Add one raw record (wire bytes) to the answer for (name, type),
 * creating a DNS_OK entry if needed. */
void fake_resolver_add_raw(const char *name, int type,
    enum dnssec_status dnssec, const uint8_t *data, size_t len);

/** Lookups of (name, type) are never answered. */
void fake_resolver_add_silent(const char *name, int type);

/** Deliver every queued answer (silent ones stay queued).
 * @return the number delivered. */
size_t fake_resolver_run(void);

/** How many times (name, type) was submitted since the reset. */
size_t fake_resolver_submitted(const char *name, int type);

/** Lookups queued and not delivered or cancelled. */
size_t fake_resolver_queued(void);

/** Serve table entries as cache hits (ops->cached) instead of queueing
 * lookups, until the next reset. */
void fake_resolver_serve_cached(int on);

/** Make every further submit fail (-1). */
void fake_resolver_fail_submit(int fail);

#endif
