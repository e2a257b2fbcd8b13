#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# report.sh BUILDDIR [SIZE_MB] - rdns-report throughput on a large log.
#
# Builds a syslog-format log of SIZE_MB megabytes (default 1024) from the
# line shapes rdns-milter writes (RFC 3164 stamps; summary lines,
# per-recipient lines in dry run and enforced, another program's lines and
# a little garbage), with 65,536 distinct client addresses and 8 policies,
# then times rdns-report on it, plain and gzip-compressed (the gzip run on
# a 1/4 sample, scaled, when SIZE_MB > 256, to keep the bench short).
# Reports MB/s and seconds per GB; no pass/fail (issue 12 asks < 30 s/GB).
set -eu
B=${1:?usage: report.sh BUILDDIR [SIZE_MB]}
MB=${2:-1024}
R=$B/milter/rdns-report
[ -x "$R" ] || { echo "build $R first" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/rdns-bench-report.XXXXXX")
trap 'rm -rf "$W"' EXIT

# One 16 MB chunk, then copies of it.
awk 'BEGIN {
	srand(12);
	pol[0] = "*"; pol[1] = "example.com"; pol[2] = ".example.org";
	pol[3] = "shop.example"; pol[4] = "a.example"; pol[5] = "b.example";
	pol[6] = "c.example"; pol[7] = ".d.example";
	chk[0] = "ptr"; chk[1] = "iprev"; chk[2] = "generic"; chk[3] = "helo";
	n = 0; size = 0;
	while (size < 16 * 1048576) {
		n++;
		ip = sprintf("198.18.%d.%d", int(rand() * 256), int(rand() * 256));
		q = sprintf("4Q%08X", n);
		ts = sprintf("Mar  %d %02d:%02d:%02d", 1 + n % 7, n % 24, n % 60, n % 59);
		p = pol[int(rand() * 8)]; c = chk[int(rand() * 4)];
		r = rand();
		if (r < 0.5) {
			l = sprintf("%s mx rdns-milter[4242]: %s: ip=%s ptr=pass iprev=pass name=mail%d.example.net dnssec=insecure helo=mail%d.example.net x-ptr=pass generic=no action=accept policy=- check=- rcpts=0 ms=12", ts, q, ip, n % 977, n % 977);
		} else if (r < 0.9) {
			d = rand() < 0.5 ? "(dry-run)" : "";
			l = sprintf("%s mx rdns-milter[4242]: %s: reject%s: RCPT from unknown[%s]: 550 5.7.25 The IP address sending this message does not have a PTR record; from=<bounce-%d@lists.example.net> to=<user%d@%s> helo=<h%d.example> policy=%s check=%s\n", ts, q, d, ip, n, n % 100, "example.com", n % 50, p, c);
			l = l sprintf("%s mx rdns-milter[4242]: %s: ip=%s ptr=fail iprev=permerror name=- dnssec=insecure helo=h%d.example x-ptr=fail generic=no action=reject%s policy=%s check=%s rcpts=1 ms=3", ts, q, ip, n % 50, d, p, c);
		} else if (r < 0.99) {
			l = sprintf("%s mx postfix/smtpd[777]: %s: client=unknown[%s]", ts, q, ip);
		} else {
			l = sprintf("%s mx rdns-milter[4242]: %s: ip=%s ptr=pass iprev=pa", ts, q, ip);
		}
		print l;
		size += length(l) + 1;
	}
}' >"$W/chunk.log"
chunk=$(stat -c %s "$W/chunk.log")
copies=$(( (MB * 1048576 + chunk - 1) / chunk ))
for i in $(seq "$copies"); do cat "$W/chunk.log"; done >"$W/big.log"
bytes=$(stat -c %s "$W/big.log")
echo "# input: $bytes bytes ($copies x 16 MB chunk), $(wc -l <"$W/big.log") lines"

run()
{
	local what=$1 f=$2 scale=$3 t0 t1
	t0=$(date +%s.%N)
	"$R" "$f" >"$W/out.txt"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v n="$bytes" -v s="$scale" -v w="$what" \
	    'BEGIN { t = (b - a) * s; printf "%-28s %7.2f s  %7.1f MB/s  %6.2f s/GB\n", w, t, n / 1048576 / t, t * 1073741824 / n }'
}
sync
cat "$W/big.log" >/dev/null	# warm the page cache: measure the parser
run "plain" "$W/big.log" 1
if [ "$MB" -gt 256 ]; then
	head -c $((bytes / 4)) "$W/big.log" | gzip -1 >"$W/sample.log.gz"
	run "gzip (1/4 sample, x4)" "$W/sample.log.gz" 4
else
	gzip -1 -c "$W/big.log" >"$W/big.log.gz"
	run "gzip" "$W/big.log.gz" 1
fi
head -n 12 "$W/out.txt"
