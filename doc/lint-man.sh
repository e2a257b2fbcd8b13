#!/bin/sh
# Every man page must format with groff -mandoc -ww without a warning.
command -v groff >/dev/null 2>&1 || { echo "groff missing"; exit 77; }
rc=0
for m in doc/rdns-check.1 doc/rdns-milter.8 doc/rdns-milter.conf.5; do
	if [ ! -s "$m" ]; then
		echo "$m: not built"
		rc=1
		continue
	fi
	out=$(groff -mandoc -ww -z "$m" 2>&1)
	if [ -n "$out" ]; then
		echo "$m: $out"
		rc=1
	else
		echo "$m: clean"
	fi
done
exit $rc
