#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# reply-length.sh - an SMTP reply line stays within RFC 5321's 512 bytes.
#
# RFC 5321 4.5.3.1.5: a reply line is at most 512 octets, code and CRLF
# included.  The HELO text of SPEC 3.2 holds two values that are each
# capped at 255 bytes: the client's HELO and the verified name.  With a
# 300-byte HELO from 198.51.100.23, whose PTR name is 255 bytes in wire
# form (253 as text), the reply is
#   "550 5.7.25 HELO name <255 bytes> does not match reverse DNS name
#   <253 bytes>" = 562 bytes + CRLF
# unless the HELO gives way, as policy.c does: the line is then exactly
# 512 bytes.  About 2 s.

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/t/robust/lib.sh"

rb_init reply-length
rb_world_start
rb_conf m.conf "Policy * helo=reject"
rb_start "$R_DIR/m.conf" || tap_bail "rdns-milter did not start"

helo=$(head -c 300 /dev/zero | tr '\0' a)
for ip in 198.51.100.23 192.0.2.10; do
	rb_session "$R_DIR/$ip.out" -A -a "$ip" -H "$helo" \
	    -r user@example.test
	# "0 IP rcpt CODE US TEXT": the text's length, plus CRLF.
	got=$(awk '$3 == "rcpt" && $4 ~ /^(5|4)/ {
		p = length($1 $2 $3 $4 $5) + 5
		print $4, length($0) - p + 2 }' "$R_DIR/$ip.out")
	echo "# $ip: reply code and line length with CRLF: $got"
	case $got in
	55[0-9]\ [0-9]*)
		len=${got#* }
		rb_le "$ip: HELO reply line within 512 bytes" "$len" 512 ;;
	*)
		tap_fail "$ip: HELO reply line within 512 bytes" \
		    "no single 5xx reply: $got" ;;
	esac
done
rb_stop
tap_done
