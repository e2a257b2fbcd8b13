#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every man page must format with groff -mandoc -ww without a warning.
#
# The pages are linted as a distribution installs them (/etc, /usr/sbin,
# /run), rendered from the sources: the paths in the built pages come from
# configure's prefix, and a long one (make distcheck's is ~50 bytes) cannot
# be broken across lines, which groff reports as "can't break line".  The
# built pages are checked too, for every warning except that one.
command -v groff >/dev/null 2>&1 || { echo "groff missing"; exit 77; }
src=${abs_top_srcdir:-.}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
rc=0
for m in rdns-check.1 rdns-report.1 rdns-milter.8 rdns-milter.conf.5; do
	if [ ! -s "doc/$m" ]; then
		echo "doc/$m: not built"
		rc=1
		continue
	fi
	sed -e 's|@SYSCONFDIR@|/etc|g' -e 's|@SBINDIR@|/usr/sbin|g' \
	    -e 's|@BINDIR@|/usr/bin|g' -e 's|@RUNSTATEDIR@|/run|g' \
	    -e 's|@PKGDATADIR@|/usr/share/rdns-milter|g' \
	    -e 's|@VERSION@|0.0.0|g' "$src/doc/$m.in" > "$tmp/$m"
	if grep -n '@[A-Z]*@' "$tmp/$m"; then
		echo "doc/$m.in: placeholder left unsubstituted"
		rc=1
	fi
	out=$(groff -mandoc -ww -z "$tmp/$m" 2>&1)
	built=$(groff -mandoc -ww -Wbreak -z "doc/$m" 2>&1)
	if [ -n "$out$built" ]; then
		echo "doc/$m: $out $built"
		rc=1
	else
		echo "doc/$m: clean"
	fi
done
exit $rc
