#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# resolver-error.sh - a connection whose lookups cannot be started at run
# time (libunbound out of memory, a dead context) is never accepted
# unchecked (SPEC 2): every check is temperror with the header comment
# "resolver error", a temperror=tempfail policy defers its recipients
# (451 4.7.25), the failure is logged with the connection's context and
# counted in rdns_milter_resolver_errors_total.  The fault comes from
# t/tools/ubfail.so (LD_PRELOAD): ub_resolve_async() fails for the PTR
# query of 192.0.2.77 only; other connections are checked as usual.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

SHIM=$abs_top_builddir/t/tools/ubfail.so
mt_setup
mt_world
[ -f "$SHIM" ] || tap_bail "$SHIM is not built"
command -v curl >/dev/null 2>&1 || tap_skip_all "curl is not installed"
port=$(proc_free_port) || tap_bail "no free port"

mt_conf resolver-error <<END
AuthservID mx.example.net
Policy strict.example ptr=reject temperror=tempfail
MetricsListen 127.0.0.1:$port
END
# The shim first, then (in the sanitizer build) let ASan accept that.
MT_ENV="LD_PRELOAD=$SHIM RDNS_UBFAIL_NAME=77.2.0.192.in-addr.arpa."
MT_ENV="$MT_ENV ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
mt_start "$MT_DIR/resolver-error.conf"
mt_lua resolver-error
mt_check "rdns-milter still running" mt_alive

mt_check "the failure is logged with the connection's context" \
    grep -q '^rdns-milter: NOQUEUE: resolver error: cannot start the lookup of 77\.2\.0\.192\.in-addr\.arpa\.; every check of this connection is temperror; client=[^ ]*\[192\.0\.2\.77\] helo=- conn=[0-9]' "$MT_LOG"
mt_check "the summary line says resolver-error" \
    grep -q '^rdns-milter: REFAIL: ip=192\.0\.2\.77 ptr=temperror iprev=temperror .* x-ptr=temperror generic=temperror action=tempfail policy=strict.example check=temperror rcpts=1 helo_fwd=[a-z]* helo_aligned=no allowlisted=no domains=strict\.example,open\.example exempt=- ms=[0-9]* dns=resolver-error client=[^ ]*\[192\.0\.2\.77\] conn=[0-9]' "$MT_LOG"
metrics=$(curl -s --max-time 5 "http://127.0.0.1:$port/metrics")
mt_check "rdns_milter_resolver_errors_total counts the connection" \
    eval 'printf "%s\n" "$metrics" | grep -qx "rdns_milter_resolver_errors_total 2"'
mt_replies >"$MT_DIR/resolver-error.got"
cat >"$MT_DIR/resolver-error.want" <<'END'
RCPT <u@strict.example> -> 451 4.7.25 Temporary failure looking up reverse DNS for 192.0.2.77
RCPT <u@open.example> -> continue
RCPT <u@open.example> -> continue
RCPT <u@strict.example> -> continue
END
mt_diff "reply texts" "$MT_DIR/resolver-error.want" "$MT_DIR/resolver-error.got"
mt_stop
mt_finish
