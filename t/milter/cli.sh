#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# cli.sh - the command line of rdns-milter (SPEC 4, 5): -V/--version,
# -h/--help, usage errors (exit 64), -n on good and broken configurations
# (exit 0 / 1, "FILE:LINE: message" on stderr, resolver errors too), -n -v
# (the effective configuration, read back unchanged), -P (the pid file),
# and a daemon that cannot start (bad configuration, bad socket) exits
# non-zero with a message.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world

# run NAME ARGS...: run rdns-milter (10 s at most); sets rc, out, err.
run()
{
	local name=$1

	shift
	timeout 10 "$RDNS_MILTER" "$@" >"$MT_DIR/$name.out" \
	    2>"$MT_DIR/$name.err" </dev/null
	rc=$?
	out=$(cat "$MT_DIR/$name.out")
	err=$(cat "$MT_DIR/$name.err")
}

# expect_rc NAME WANT
expect_rc()
{
	if [ "$rc" = "$2" ]; then
		tap_ok "$1: exit $rc"
	else
		tap_fail "$1: exit $rc, want $2 (stderr: $err)"
	fi
}

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$abs_top_builddir/autoconf.h")
for opt in -V --version; do
	run version $opt
	expect_rc "$opt" 0
	# libmilter's version as smfi_version() gives it: 1.0.1, not
	# SMFI_VERSION's 16777217.
	mt_check "$opt prints the versions: $out" \
	    eval 'printf "%s\n" "$out" | grep -qx "rdns-milter $version (libmilter [0-9]*\.[0-9]*\.[0-9]*)"'
	mt_check "$opt: nothing on stderr" eval '[ -z "$err" ]'
done
for opt in -h --help; do
	run help $opt
	expect_rc "$opt" 0
	mt_check "$opt prints the usage on stdout" \
	    eval 'printf "%s\n" "$out" | grep -q "^usage: rdns-milter"'
	mt_check "$opt: the usage names --help and --version" \
	    eval 'printf "%s\n" "$out" | grep -q -- "--help" &&
	    printf "%s\n" "$out" | grep -q -- "--version"'
	mt_check "$opt: nothing on stderr" eval '[ -z "$err" ]'
done
run badlong --no-such-option
expect_rc "unknown option --no-such-option" 64
run v-alone -v
expect_rc "-v without -n" 64
mt_check "-v without -n: says so on stderr" \
    eval 'printf "%s\n" "$err" | grep -q "^rdns-milter: -v goes with -n"'
run badopt -x
expect_rc "unknown option -x" 64
mt_check "-x: usage on stderr, nothing on stdout" \
    eval '[ -z "$out" ] && printf "%s\n" "$err" | grep -q "usage:"'
run extra -n stray-argument
expect_rc "stray argument" 64
run noarg -c
expect_rc "-c without its argument" 64

# Good configurations: -n exits 0 and prints nothing.
mt_conf good <<'END'
authservid mx.example.net
socket local:/tmp/unused.sock
TrustedNetworks 127.0.0.0/8
TrustedNetworks ::1/128, 192.0.2.0/24
Policy * ptr=reject
Policy example.com ptr=reject iprev=reject helo=tempfail generic=accept
Policy example.net dnssec=require temperror=tempfail
Policy .example.com iprev=accept
ExemptRecipients postmaster abuse hostmaster
DryRun yes
SkipAuthenticated no
MaxPTRNames 5
# a comment
END
run good -n -c "$MT_DIR/good.conf"
expect_rc "-n on a good configuration" 0
mt_check "-n on a good configuration prints nothing" \
    eval '[ -z "$out$err" ]'

# -n -v: the effective configuration, every key, pasted back unchanged.
run good-v -n -v -c "$MT_DIR/good.conf"
expect_rc "-n -v on a good configuration" 0
mt_check "-n -v: nothing on stderr" eval '[ -z "$err" ]'
for line in 'AuthservID         mx.example.net' \
    'MaxPTRNames        5' \
    'TrustedNetworks    127.0.0.0/8, ::1/128, 192.0.2.0/24' \
    'DNSTimeout         3' \
    'UMask              007  # default' \
    '#UserID            # default: not set (keep the starting user)' \
    'Policy             example.net ptr=accept iprev=accept helo=accept generic=accept dnssec=require temperror=tempfail dryrun=no'
do
	mt_check "-n -v prints \"$line\"" \
	    eval 'printf "%s\n" "$out" | grep -qxF "$line"'
done
for key in Socket AuthservID UserID PidFile UMask Syslog SyslogFacility \
    TrustAnchorFile ResolverConfig Nameservers ResolverThreads DNSTimeout \
    MaxPTRNames TrustedNetworks SkipAuthenticated ExemptRecipients \
    GenericPatterns MailRoleWords AllowDomains DryRun MetricsListen Policy
do
	printf '%s\n' "$out" | grep -q "^#\{0,1\}$key " ||
	    tap_fail "-n -v prints $key"
done
cp "$MT_DIR/good-v.out" "$MT_DIR/pasted.conf"
run pasted -n -v -c "$MT_DIR/pasted.conf"
expect_rc "-n -v on its own output" 0
mt_check "-n -v on its own output prints it unchanged" \
    cmp -s "$MT_DIR/good-v.out" "$MT_DIR/pasted.out"

# Broken configurations: one bad line each (after the world's lines).
i=0
while IFS='|' read -r what line; do
	[ -n "$what" ] || continue
	i=$((i + 1))
	f=$MT_DIR/bad$i.conf
	printf '%s\n' "$line" | mt_conf "bad$i"
	# The bad line is the last one; a duplicate is reported on its
	# second occurrence, which is the last line too.
	n=$(wc -l <"$f")
	run "bad$i" -n -c "$f"
	expect_rc "-n, $what" 1
	mt_check "-n, $what: \"$f:$n: message\" on stderr" \
	    eval 'printf "%s\n" "$err" | head -n 1 |
	    grep -q "^$f:$n: [^ ]"'
	mt_check "-n, $what: nothing on stdout" eval '[ -z "$out" ]'
done <<'END'
unknown key|NoSuchKey yes
bad number|MaxPTRNames ten
number out of range|DNSTimeout 100000
Syslog twice|Syslog yes
bad boolean|DryRun perhaps
bad socket|Socket carrier-pigeon:/x
bad CIDR|TrustedNetworks 300.1.2.3/8
bad prefix length|TrustedNetworks 192.0.2.0/33
unknown policy key|Policy x.example spf=reject
bad policy action|Policy x.example ptr=maybe
reject is no temperror action|Policy x.example temperror=reject
bad dnssec value|Policy x.example dnssec=reject
policy without a domain|Policy
policy item without =|Policy x.example ptr
unknown generic rule|GenericDisable dsl-word no-such-rule
the address test|GenericDisable embedded-ipv4
END

# Duplicates that are not on the last line.
mt_conf dup-id <<'END'
AuthservID a.example
AuthservID b.example
Policy * ptr=reject
END
n=$(grep -n '^AuthservID b' "$MT_DIR/dup-id.conf" | cut -d: -f1)
run dup-id -n -c "$MT_DIR/dup-id.conf"
expect_rc "-n, AuthservID twice" 1
mt_check "-n, AuthservID twice: reported at line $n" \
    eval 'printf "%s\n" "$err" | grep -q "^$MT_DIR/dup-id.conf:$n: [^ ]"'
mt_conf dup-policy <<'END'
Policy Example.COM ptr=reject
Policy .example.com ptr=reject
Policy example.com iprev=reject
DryRun no
END
n=$(grep -n '^Policy example.com' "$MT_DIR/dup-policy.conf" | cut -d: -f1)
run dup-policy -n -c "$MT_DIR/dup-policy.conf"
expect_rc "-n, two Policy lines for one domain" 1
mt_check "-n, two Policy lines for one domain: reported at line $n" \
    eval 'printf "%s\n" "$err" |
    grep -q "^$MT_DIR/dup-policy.conf:$n: [^ ]"'

# The generic rules files are checked too (issue 18): a bad rule is
# reported as RULESFILE:LINE, a good file and GenericDisable pass.
printf '%s\n' '# source: a test' 'ok-rule label ^a$' 'bad-rule lable ^b$' \
    >"$MT_DIR/bad.rules"
printf '%s\n' '# source: a test' 'site-rule domain=example.com ^vm[0-9]+$' \
    >"$MT_DIR/site.rules"
mt_conf bad-rules <<END
GenericRules +$MT_DIR/bad.rules
END
run bad-rules -n -c "$MT_DIR/bad-rules.conf"
expect_rc "-n, a bad generic rule" 1
want="$MT_DIR/bad.rules:3: bad scope 'lable' (want label, host, name or domain=DOMAIN)"
mt_check "-n, a bad generic rule: \"RULESFILE:LINE: message\"" \
    eval 'printf "%s\n" "$err" | grep -qxF "$want"'
mt_conf good-rules <<END
GenericRules +$MT_DIR/site.rules
GenericDisable site-rule, dyn-word
END
run good-rules -n -c "$MT_DIR/good-rules.conf"
expect_rc "-n, GenericRules +FILE and GenericDisable" 0
mt_check "-n, GenericRules +FILE and GenericDisable: nothing printed" \
    eval '[ -z "$out$err" ]'

run missing -n -c "$MT_DIR/no-such.conf"
expect_rc "-n, a missing file" 1
mt_check "-n, a missing file: named on stderr" \
    eval 'printf "%s\n" "$err" | grep -q "no-such.conf"'

printf 'server:\n\tno-such-option: yes\n' >"$MT_DIR/bad-unbound.conf"
mt_conf bad-resolver <<'END'
AuthservID mx.example.net
END
sed -i "s|^ResolverConfig .*|ResolverConfig $MT_DIR/bad-unbound.conf|" \
    "$MT_DIR/bad-resolver.conf"
run bad-resolver -n -c "$MT_DIR/bad-resolver.conf"
expect_rc "-n, a ResolverConfig libunbound refuses" 1
n=$(grep -n '^ResolverConfig ' "$MT_DIR/bad-resolver.conf" | cut -d: -f1)
mt_check "-n, a ResolverConfig libunbound refuses: \"FILE:$n: ResolverConfig ...\"" \
    eval 'printf "%s\n" "$err" | grep -q "^$MT_DIR/bad-resolver.conf:$n: ResolverConfig $MT_DIR/bad-unbound.conf: "'

# The resolver is proven at -n and before the socket opens: an unreadable
# trust anchor file, or a ResolverConfig naming one (libunbound reads it
# only when the context is finalized), is a configuration error.
mt_conf bad-ta <<'END'
TrustAnchorFile /nonexistent/root.key
END
sed -i '/^TrustAnchorFile none$/d' "$MT_DIR/bad-ta.conf"
{ cat "$MT_WORLD/unbound.conf"
  printf 'server:\n\tauto-trust-anchor-file: "/nonexistent/auto.key"\n'
} >"$MT_DIR/unbound-badta.conf"
mt_conf bad-auto-ta <<'END'
AuthservID mx.example.net
END
sed -i "s|^ResolverConfig .*|ResolverConfig $MT_DIR/unbound-badta.conf|" \
    "$MT_DIR/bad-auto-ta.conf"
ta_msg='TrustAnchorFile /nonexistent/root.key: cannot read: No such file or directory'
# -n promises "FILE:LINE: message": the line that named the file.
ta_line=$(grep -n '^TrustAnchorFile /nonexistent' "$MT_DIR/bad-ta.conf" |
    cut -d: -f1)
rc_line=$(grep -n '^ResolverConfig ' "$MT_DIR/bad-auto-ta.conf" | cut -d: -f1)
run bad-ta -n -c "$MT_DIR/bad-ta.conf"
expect_rc "-n, an unreadable TrustAnchorFile" 1
mt_check "-n, an unreadable TrustAnchorFile: \"FILE:$ta_line: $ta_msg\"" \
    eval 'printf "%s\n" "$err" | grep -qxF "$MT_DIR/bad-ta.conf:$ta_line: $ta_msg"'
run bad-auto-ta -n -c "$MT_DIR/bad-auto-ta.conf"
expect_rc "-n, a ResolverConfig whose trust anchor cannot be read" 1
mt_check "-n, that ResolverConfig is named, with its line" \
    eval 'printf "%s\n" "$err" | grep -q "^$MT_DIR/bad-auto-ta.conf:$rc_line: ResolverConfig $MT_DIR/unbound-badta.conf: the resolver cannot start"'
run start-bad-ta -f -c "$MT_DIR/bad-ta.conf" -p "unix:$MT_DIR/never.sock"
expect_rc "start (-f) with an unreadable TrustAnchorFile" 78
mt_check "start (-f) with an unreadable TrustAnchorFile: message on stderr" \
    eval 'printf "%s\n" "$err" | grep -qF "rdns-milter: $MT_DIR/bad-ta.conf:$ta_line: $ta_msg"'
mt_check "start (-f) with an unreadable TrustAnchorFile: no socket" \
    [ ! -e "$MT_DIR/never.sock" ]
run start-bad-auto-ta -c "$MT_DIR/bad-auto-ta.conf" -p "unix:$MT_DIR/never.sock"
expect_rc "start (detaching) with a ResolverConfig that cannot start" 78
mt_check "start (detaching): the message reaches the caller's stderr" \
    eval 'printf "%s\n" "$err" | grep -q "ResolverConfig $MT_DIR/unbound-badta.conf: the resolver cannot start"'
mt_check "start (detaching): no socket" [ ! -e "$MT_DIR/never.sock" ]

# The daemon itself with a broken configuration or socket: a message and
# a non-zero exit, no socket left behind.
run start-bad -f -c "$MT_DIR/bad1.conf" -p "unix:$MT_DIR/never.sock"
mt_check "start with a broken configuration: non-zero exit ($rc)" \
    [ "$rc" -ne 0 -a "$rc" -ne 124 ]
mt_check "start with a broken configuration: FILE:LINE: message" \
    eval 'printf "%s\n" "$err" | grep -q "bad1.conf:[0-9]*: [^ ]"'
mt_check "start with a broken configuration: no socket" \
    [ ! -e "$MT_DIR/never.sock" ]
run start-nodir -f -c "$MT_DIR/good.conf" -p "unix:$MT_DIR/no/such/dir.sock"
mt_check "socket in a missing directory: non-zero exit ($rc)" \
    [ "$rc" -ne 0 -a "$rc" -ne 124 ]
mt_check "socket in a missing directory: a message" eval '[ -n "$err" ]'
echo "precious" >"$MT_DIR/file.sock"
run start-file -f -c "$MT_DIR/good.conf" -p "unix:$MT_DIR/file.sock"
mt_check "socket path is a regular file: non-zero exit ($rc)" \
    [ "$rc" -ne 0 -a "$rc" -ne 124 ]
mt_check "socket path is a regular file: the file is left alone" \
    grep -qx precious "$MT_DIR/file.sock"

# -P: the detached daemon's pid file (the LSB script's), written before
# the start command returns, removed at the stop.
run start-pidfile -c "$MT_DIR/good.conf" -p "unix:$MT_DIR/pidtest.sock" \
    -P "$MT_DIR/pidtest.pid"
expect_rc "start (detaching) with -P" 0
pid=$(cat "$MT_DIR/pidtest.pid" 2>/dev/null)
mt_check "-P: the pid file names the running daemon ($pid)" \
    eval '[ -n "$pid" ] && tr "\0" " " </proc/$pid/cmdline | grep -q "rdns-milter.*pidtest.pid"'
[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
mt_check "-P: the pid file is removed at the stop" \
    proc_wait 10 "" eval '[ ! -e "$MT_DIR/pidtest.pid" ] && ! kill -0 "$pid" 2>/dev/null'

# A second daemon on the socket of a running one must not steal it.
mt_conf running <<'END'
AuthservID mx.example.net
END
mt_start "$MT_DIR/running.conf"
run start-busy -f -c "$MT_DIR/good.conf" -p "unix:$MT_MSOCK"
mt_check "socket of a running milter: non-zero exit ($rc)" \
    [ "$rc" -ne 0 -a "$rc" -ne 124 ]
mt_check "socket of a running milter: still there" [ -S "$MT_MSOCK" ]
mt_check "the running milter is still up" mt_alive
mt_finish
