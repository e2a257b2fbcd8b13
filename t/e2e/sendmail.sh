#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sendmail.sh - rdns-milter behind Sendmail.
#
# Debian's sendmail cannot be installed beside Postfix, so the test
# fetches sendmail-bin, sendmail-cf and libwrap0 with "apt-get download"
# (cached in $(builddir)/t/e2e/sendmail-pkg; E2E_SENDMAIL_DEBS=DIR takes
# the three .debs from DIR instead), unpacks them there with dpkg -x, and
# runs the unpacked sendmail -bD as root with a .cf built by m4 from the
# unpacked cf/ tree: its own queue, pid and alias files, the daemon on
# 127.0.0.1:PORT, every message relayed to smtp-sink on 127.0.0.9 (an
# address not in class w, so not "ourselves"), the milter as an
# INPUT_MAIL_FILTER.  Sendmail canonifies its own name with the system
# resolver, so it runs in the private mount and UTS namespace of lib.sh
# (host name mx.example.net, private /etc/hosts, resolv.conf and
# nsswitch.conf).  The .debs need "apt-get update" done; offline, the test
# is skipped.  Debian packages: postfix (smtp-sink), swaks, m4, util-linux,
# nsd, ldnsutils.  Needs root.  The cases are in cases.sh.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/e2e/lib.sh" ||
    exit 99

e2e_init
e2e_require m4 dpkg ldd

SM_PKG=$abs_top_builddir/t/e2e/sendmail-pkg
SM_ROOT=$SM_PKG/root
SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
SM_CFDIR=$SM_ROOT/usr/share/sendmail/cf
SM_DEBS='sendmail-bin sendmail-cf libwrap0'

# Fetch and unpack the packages once per build tree.
sm_fetch()
{
	local p f

	[ -f "$SM_PKG/unpacked" ] && [ -x "$SM_BIN" ] && return 0
	rm -rf "$SM_PKG"
	mkdir -p "$SM_PKG/debs" || tap_bail "mkdir $SM_PKG"
	if [ -n "${E2E_SENDMAIL_DEBS:-}" ]; then
		for p in $SM_DEBS; do
			cp "$E2E_SENDMAIL_DEBS"/"${p}"_*.deb "$SM_PKG/debs/" \
			    2>/dev/null || { rm -rf "$SM_PKG";
			    tap_skip_all "no $p .deb in $E2E_SENDMAIL_DEBS"; }
		done
	else
		e2e_require apt-get
		if ! (cd "$SM_PKG/debs" && timeout 120 apt-get -q download \
		    $SM_DEBS) >"$SM_PKG/download.log" 2>&1; then
			sed 's/^/# /' "$SM_PKG/download.log"
			rm -rf "$SM_PKG"
			tap_skip_all "apt-get download $SM_DEBS failed" \
			    "(offline, or no \"apt-get update\"?);" \
			    "E2E_SENDMAIL_DEBS=DIR takes the .debs from DIR"
		fi
	fi
	for f in "$SM_PKG"/debs/*.deb; do
		dpkg -x "$f" "$SM_ROOT" || tap_bail "dpkg -x $f"
	done
	[ -x "$SM_BIN" ] && [ -f "$SM_CFDIR/m4/cf.m4" ] ||
	    tap_bail "unexpected layout of the sendmail packages"
	# A set-group-ID program ignores LD_LIBRARY_PATH (the unpacked
	# libwrap); we run it as root anyway.
	chmod g-s "$SM_BIN" || tap_bail "chmod"
	touch "$SM_PKG/unpacked"
}

sm_fetch
SM_LIB=$(find "$SM_ROOT" -name libwrap.so.0 | head -n 1)
SM_LIB=${SM_LIB%/*}
sm_missing=$(LD_LIBRARY_PATH=$SM_LIB ldd "$SM_BIN" 2>&1 | grep 'not found')
[ -z "$sm_missing" ] || tap_skip_all "libraries of the unpacked sendmail are" \
    "missing: $(echo "$sm_missing" | awk '{ print $1 }' | tr '\n' ' ')"
sm_version=$(basename "$SM_PKG"/debs/sendmail-bin_*.deb .deb)

SM_DIR=$E_DIR/sendmail
SM_Q=$SM_DIR/mqueue
E_LOGS="$E_LOGS $SM_DIR/sendmail.out $SM_DIR/traffic.log $E_DIR/sink.log"

e2e_world
e2e_milter_conf <<EOF
$E2E_POLICY
EOF
e2e_milter_start
e2e_sink_start 127.0.0.9
e2e_ns_start
E_MTA_PORT=$(proc_free_port) || tap_bail "no free port"
echo "# $sm_version on 127.0.0.1:$E_MTA_PORT," \
    "sink on 127.0.0.9:$E_SINK_PORT"

mkdir -p "$SM_Q" || tap_bail "mkdir"
chmod 700 "$SM_Q"
: >"$SM_DIR/aliases"
cp "$SM_ROOT/etc/mail/helpfile" "$SM_DIR/helpfile" 2>/dev/null
printf 'hosts files\naliases files\n' >"$SM_DIR/service.switch"

# The line that matters for the milter is INPUT_MAIL_FILTER, exactly as
# in rdns-milter(8); TrustStickyBit: the socket is under $TMPDIR; the
# load average limits are off (under a loaded "make -j check", Sendmail
# would close its socket, or only queue).
cat >"$SM_DIR/sendmail.mc" <<EOF
divert(-1)
# rdns-milter end-to-end test ($e2e_name.sh)
divert(0)dnl
VERSIONID(\`rdns-milter e2e')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$E_AUTHSERV')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM_DIR/service.switch')dnl
define(\`QUEUE_DIR', \`$SM_Q')dnl
define(\`confPID_FILE', \`$SM_DIR/sendmail.pid')dnl
define(\`STATUS_FILE', \`$SM_DIR/statistics')dnl
define(\`ALIAS_FILE', \`$SM_DIR/aliases')dnl
define(\`HELP_FILE', \`$SM_DIR/helpfile')dnl
define(\`SMART_HOST', \`[127.0.0.9]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $E_SINK_PORT')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $E_SINK_PORT')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Port=$E_MTA_PORT, Addr=127.0.0.1, Name=MTA')dnl
RELAY_DOMAIN(\`example.com')dnl
INPUT_MAIL_FILTER(\`rdns-milter',
    \`S=local:$E_MILTER_SOCK, F=T, T=S:30s;R:30s;E:5m')dnl
MAILER(\`smtp')dnl
EOF
m4 -D_CF_DIR_="$SM_CFDIR/" "$SM_CFDIR/m4/cf.m4" "$SM_DIR/sendmail.mc" \
    >"$SM_DIR/sendmail.cf" 2>"$SM_DIR/m4.err" ||
    { sed 's/^/# /' "$SM_DIR/m4.err"; tap_bail "m4 sendmail.mc"; }

SM_PID=
e2e_mta_stop()
{
	# Its own process group (setsid): the daemon and its children.
	[ -n "$SM_PID" ] && kill -TERM -- "-$SM_PID" 2>/dev/null
	proc_stop "$SM_PID" 5
}

e2e_mta_queue_empty()
{
	[ -z "$(find "$SM_Q" -type f 2>/dev/null)" ]
}

e2e_mta_accept()
{
	echo "250 2.1.5 <$1>... Recipient ok"
}

# Sendmail 8.17 puts "<rcpt>... " before the text of a milter's 5xx
# RCPT reply, not before a 4xx one.
e2e_mta_refuse()
{
	case $2 in
	5*)	echo "${2:0:11}<$1>... ${2:11}" ;;
	*)	echo "$2" ;;
	esac
}

e2e_mta_data_ok()
{
	echo "DATA -> 250 2.0.0 QID Message accepted for delivery"
}

e2e_mta_qid()
{
	sed -n 's/^<-  250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted .*/\1/p' \
	    "$1"
}

(LD_LIBRARY_PATH=$SM_LIB e2e_ns_exec setsid "$SM_BIN" -C "$SM_DIR/sendmail.cf" \
    -bD -X "$SM_DIR/traffic.log") >"$SM_DIR/sendmail.out" 2>&1 </dev/null &
SM_PID=$!
if ! e2e_wait_listen 127.0.0.1 "$E_MTA_PORT" "$SM_PID"; then
	tap_fail "sendmail starts"
	exit 1
fi
tap_ok "$sm_version starts on 127.0.0.1:$E_MTA_PORT"

e2e_cases $E2E_CASES

# Sendmail looks up each client's PTR and its own name through the
# private resolv.conf: answered REFUSED (temporary failure) by
# dns-refuse.pl, nothing leaves the machine.  Shown, not checked.
e2e_ns_queries | sed 's/^/# sendmail asked the private name server: /'

tap_done
