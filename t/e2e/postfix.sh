#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# postfix.sh - rdns-milter behind a private Postfix instance.
#
# The instance of t/lib/postfix.sh in the work directory (pf/): smtpd on
# 127.0.0.1:PORT (random, never 25), no chroot, the log in
# pf/postfix.log, every message relayed to smtp-sink; the milter as
# smtpd_milters.  Postfix runs in a private mount namespace (t/e2e/lib.sh)
# and is configured to make no DNS lookup at all, which is checked.
# Debian packages: postfix, swaks, util-linux, nsd, ldnsutils.  Needs
# root.  The cases are in cases.sh.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/e2e/lib.sh" ||
    exit 99

e2e_init
e2e_require postfix postconf
getent passwd postfix >/dev/null || tap_skip_all "no postfix user"
getent group postdrop >/dev/null || tap_skip_all "no postdrop group"

PF=$E_DIR/pf
E_LOGS="$E_LOGS $PF/postfix.log $PF/start.out $E_DIR/sink.log"

e2e_world
e2e_milter_conf <<EOF
$E2E_POLICY
EOF
e2e_milter_start
e2e_sink_start 127.0.0.1
e2e_ns_start
E_MTA_PORT=$(proc_free_port) || tap_bail "no free port"
echo "# postfix on 127.0.0.1:$E_MTA_PORT, sink on 127.0.0.1:$E_SINK_PORT"

# The relaying and the milter; t/lib/postfix.sh keeps the instance
# private and away from the DNS.
domains="example.com reject.example.com temp.example.com helo.example.com"
postfix_conf "$PF" "$E_MTA_PORT" "$E_AUTHSERV" "$E_SINK_PORT" \
    "relay_domains = $domains" \
    "smtpd_relay_restrictions = permit_auth_destination, reject" \
    "smtpd_recipient_restrictions = permit_auth_destination, reject" \
    "smtpd_milters = unix:$E_MILTER_SOCK" || tap_bail "postfix_conf"

e2e_mta_stop()
{
	postfix_stop "$PF"
}

e2e_mta_queue_empty()
{
	postfix_queue_empty "$PF"
}

e2e_mta_accept()
{
	echo "250 2.1.5 Ok"
}

# Postfix passes a milter's reply on unchanged.
e2e_mta_refuse()
{
	echo "$2"
}

e2e_mta_data_ok()
{
	echo "DATA -> 250 2.0.0 Ok: queued as QID"
}

e2e_mta_qid()
{
	sed -n 's/^<-  250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\)$/\1/p' "$1"
}

if ! postfix_start "$PF" "$E_MTA_PORT" e2e_ns_exec; then
	tap_fail "postfix starts"
	exit 1
fi
tap_ok "postfix $(postconf -h mail_version) starts on 127.0.0.1:$E_MTA_PORT"

e2e_cases $E2E_CASES
e2e_cases forged_many

# smtpd_peername_lookup = no, relayhost [127.0.0.1], DNS support off.
tap_check "postfix made no DNS query" "$(e2e_ns_queries)" ""

tap_done
