#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# abort.sh - sessions ending at every stage (hang-up, QUIT, abort + new
# transaction), hang-ups while DNS is black-holed (also during a RCPT
# waiting for its verdict), then a healthy session: the daemon stays up,
# logs exactly one line per message, per transaction that got as far as
# a recipient (refused or not: rdns-report --replay needs its
# recipients), and per connection without either (expected/abort.log,
# compared sorted) and exits 0 on SIGTERM.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf abort <<'END'
AuthservID mx.example.net
DNSTimeout 2
Policy *             ptr=reject iprev=reject
Policy open.example  ptr=accept
Policy temp.example  ptr=reject iprev=reject temperror=tempfail
END
mt_start "$MT_DIR/abort.conf"
mt_lua abort

# Every connection is logged by now or within DNSTimeout (the black-holed
# ones finish their lookups when they close).
want=$(grep -c . "$MT_SRC/expected/abort.log")
mt_check "all $want summary lines logged" mt_wait_log ': ip=' "$want"
sleep 0.5	# and no more than that
mt_check "rdns-milter still running" mt_alive
mt_stop
# Close never waits for DNS: a connection that ends without a message is
# logged before or after its answers arrive (a race), with
# "dns=incomplete" in the first case.  Such lines (NOQUEUE, accept) are
# compared as "ip helo closed".
mt_summaries | sed \
    -e 's/^\(NOQUEUE: ip=[^ ]*\) .* \(helo=[^ ]*\) .* action=accept .*/\1 \2 closed/' |
    sort >"$MT_DIR/abort.log.got"
sort "$MT_SRC/expected/abort.log" >"$MT_DIR/abort.log.want"
mt_diff "summary log lines equal expected/abort.log" \
    "$MT_DIR/abort.log.want" "$MT_DIR/abort.log.got"
mt_finish
