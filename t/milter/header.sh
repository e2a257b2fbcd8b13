#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# header.sh - the Authentication-Results header (SPEC 3.1) and the summary
# log line (SPEC 3.3) for each kind of client: secure, insecure, no PTR,
# not confirming, generic, bogus, SERVFAIL, IPv6, IPv4-mapped, HELO
# literal, HELO resolving to the client, no HELO, hostile HELO and PTR
# bytes.  Exact values: expected/header.txt and expected/header.log.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf header <<EOF
AuthservID mx.example.net
EOF
mt_start "$MT_DIR/header.conf"

: >"$MT_DIR/header.got"
mt_lua header MT_GOT="$MT_DIR/header.got"
mt_diff "header values equal expected/header.txt" \
    "$MT_SRC/expected/header.txt" "$MT_DIR/header.got"

mt_stop
mt_summaries >"$MT_DIR/header.log.got"
mt_diff "summary log lines equal expected/header.log" \
    "$MT_SRC/expected/header.log" "$MT_DIR/header.log.got"
mt_finish
