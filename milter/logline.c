/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.c - the words of rdns-milter's decision log lines (logline.h).
 */
#include "autoconf.h"

#include "checks.h"
#include "logline.h"
#include "strbuf.h"

void
logline_verdicts(struct strbuf *sb, const struct check_result *r,
    const char *name, const char *helo)
{
	size_t k;

	for (k = 0; k < CHECK_N_LOGGED; k++) {
		enum check_id id = check_logged[k];
		const struct check_info *ci = &check_info[id];

		if (id == CHECK_ID_HELO)
			strbuf_printf(sb, " helo=%s", helo);
		strbuf_printf(sb, " %s=%s", ci->log_key,
		    check_label(id, ci->get(r)));
		if (id == CHECK_ID_IPREV)
			strbuf_printf(sb, " name=%s", name);
		/* The evidence of a generic verdict: a rule name
		 * ([a-z0-9-]) or embedded-ipv4, embedded-ipv4-hex,
		 * embedded-ipv6. */
		if (id == CHECK_ID_GENERIC && r->generic == GENERIC_YES &&
		    r->generic_rule[0] != '\0')
			strbuf_printf(sb, " generic_rule=%s", r->generic_rule);
	}
}
