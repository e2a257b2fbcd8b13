#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# reload.sh - SIGUSR1 (SPEC 4): a good new configuration applies to later
# connections only; a broken file (logged as FILE:LINE: message) or a
# resolver configuration libunbound refuses leaves the old one in force;
# the daemon stays up, and SIGHUP stops it cleanly (exit 0).
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf reload-A <<'END'
AuthservID mx.example.net
END
mt_conf reload-B <<'END'
AuthservID mx2.example.net
Policy * ptr=reject
END
mt_conf reload-C <<'END'
AuthservID broken.example.net
Policy * ptr=reject
NoSuchKey yes
END
printf 'server:\n\tno-such-option: yes\n' >"$MT_DIR/bad-unbound.conf"
mt_conf reload-D <<END
AuthservID broken.example.net
END
sed -i "s|^ResolverConfig .*|ResolverConfig $MT_DIR/bad-unbound.conf|" \
    "$MT_DIR/reload-D.conf"
cp "$MT_WORLD/unbound.conf" "$MT_DIR/unbound-copy.conf"
mt_conf reload-E <<END
AuthservID mx3.example.net
END
sed -i "s|^ResolverConfig .*|ResolverConfig $MT_DIR/unbound-copy.conf|" \
    "$MT_DIR/reload-E.conf"
# F: the file is missing at the moment of the reload (an editor or a
# configuration tool replacing it): an error, never the built-in defaults.
# G: a trust anchor file that cannot be read.  H: a ResolverConfig naming
# an auto-trust-anchor-file that cannot be read (libunbound reports it
# only when the context is finalized).
mt_conf reload-G <<'END'
AuthservID broken-g.example.net
TrustAnchorFile /nonexistent/root.key
END
sed -i '/^TrustAnchorFile none$/d' "$MT_DIR/reload-G.conf"
{ cat "$MT_WORLD/unbound.conf"
  printf 'server:\n\tauto-trust-anchor-file: "/nonexistent/auto.key"\n'
} >"$MT_DIR/unbound-badta.conf"
mt_conf reload-H <<END
AuthservID broken-h.example.net
END
sed -i "s|^ResolverConfig .*|ResolverConfig $MT_DIR/unbound-badta.conf|" \
    "$MT_DIR/reload-H.conf"
cp "$MT_DIR/reload-A.conf" "$MT_DIR/reload.conf"
line=$(grep -n '^NoSuchKey' "$MT_DIR/reload-C.conf" | cut -d: -f1)

mt_start "$MT_DIR/reload.conf"
mt_lua reload
mt_check "rdns-milter still running after the reloads" mt_alive

count()
{
	grep -cF -- "$1" "$MT_LOG"
}
mt_check "seven reloads logged" [ "$(count 'SIGUSR1: reloading')" -eq 7 ]
mt_check "two succeeded" [ "$(count 'configuration reloaded')" -eq 2 ]
mt_check "five failed" [ "$(count 'reload failed')" -eq 5 ]
mt_check "the missing file is reported, not replaced by defaults" \
    grep -q "^rdns-milter: $MT_DIR/reload.conf: .*No such file" "$MT_LOG"
mt_check "the unreadable trust anchor is reported" \
    grep -q '^rdns-milter: reload failed: resolver: TrustAnchorFile /nonexistent/root.key: cannot read: No such file or directory; keeping' "$MT_LOG"
mt_check "the ResolverConfig libunbound cannot finalize is reported" \
    grep -q "^rdns-milter: reload failed: resolver: ResolverConfig $MT_DIR/unbound-badta.conf: the resolver cannot start" "$MT_LOG"
mt_check "the broken file is reported as FILE:LINE: message" \
    grep -q "^rdns-milter: $MT_DIR/reload.conf:$line: ." "$MT_LOG"
mt_check "the resolver failure is reported" \
    grep -q '^rdns-milter: reload failed: resolver: .' "$MT_LOG"
mt_stop HUP
mt_summaries | sort >"$MT_DIR/reload.log.got"
sort "$MT_SRC/expected/reload.log" >"$MT_DIR/reload.log.want"
mt_diff "summary log lines equal expected/reload.log" \
    "$MT_DIR/reload.log.want" "$MT_DIR/reload.log.got"
mt_finish
