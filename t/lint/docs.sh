#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Facts the documents repeat must agree with each other (issue 23):
# dpkg-buildpackage puts the .deb in the directory above the tree, so no
# page may say "apt install ./rdns-milter_*.deb"; the sample
# configuration's smtpd_milters comment names the socket of the Socket
# line under it.  (debian/ is not in a dist tree: checked when present.)
src=${abs_top_srcdir:-${srcdir:-.}}
bad=0
for f in README.md doc/rdns-milter.8.in doc/rdns-milter.conf.5.in \
    doc/rdns-check.1.in doc/rdns-report.1.in debian/README.Debian; do
	[ -f "$src/$f" ] || continue
	if grep -n 'apt install \./rdns-milter' "$src/$f"; then
		echo "$f: the package is built in the directory above: ../"
		bad=1
	fi
done
conf=$src/conf/rdns-milter.conf
sock=$(sed -n 's/^#Socket local://p' "$conf")
said=$(sed -n 's/^## smtpd_milters = unix://p' "$conf")
if [ -z "$sock" ] || [ "$sock" != "$said" ]; then
	echo "$conf: the Socket line ($sock) and its smtpd_milters comment" \
	    "($said) disagree"
	bad=1
fi
[ "$bad" = 0 ] && echo "documents agree"
exit "$bad"
