/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.h - the words of rdns-milter's decision log lines
 * (rdns-milter(8) LOGGING, SPEC 3.3).
 *
 * DESCRIPTION
 *	logline_verdicts() writes the verdict keys of a summary line from
 *	the check table (checks.h): each logged check's log_key and result
 *	label, in check_logged[] order, with the verified name after iprev=,
 *	the HELO before x-ptr= and the generic evidence after generic=:
 *
 *	    " ptr=pass iprev=pass name=mail.example.com dnssec=secure
 *	     helo=mail.example.com x-ptr=pass generic=no"
 *
 *	logparse.c reads them back under the same keys.
 *
 * OWNERSHIP
 *	Writes into the caller's strbuf; keeps nothing.
 *
 * THREAD SAFETY
 *	Pure.
 */
#ifndef RDNS_LOGLINE_H
#define RDNS_LOGLINE_H

#include "checks.h"
#include "strbuf.h"

/**
 * Append the verdict keys of r.  name (the verified name) and helo are
 * already made safe for a log line by the caller, "-" when there is none.
 */
void logline_verdicts(struct strbuf *sb, const struct check_result *r,
    const char *name, const char *helo);

#endif
