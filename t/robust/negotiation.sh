#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# negotiation.sh - what rdns-milter asks the MTA for (rdns-milter(8),
# Round trips), seen by bench/milterload as Postfix would see it:
#   - on a unix socket: skip body, EOH, DATA and unknown commands, and no
#     reply for HELO and the headers;
#   - on a TCP socket: every stage sent and answered, because Postfix (no
#     TCP_NODELAY on milter connections) would hold its next small write
#     for the milter's delayed ACK, ~40 ms a message;
# and in both cases every session completes with our header added.
. "${srcdir:-$(dirname "$0")/../..}/t/robust/lib.sh"

rb_init negotiation
rb_world_start
rb_conf m.conf "Policy * ptr=reject"
printf '192.0.2.10 mail.sec.test\n' >"$R_DIR/ips"

# flags NAME: the negotiated protocol flags (decimal) of run NAME.
flags()
{
	printf '%d' "$(rb_json "$1" '.negotiated.protocol')"
}

# check NAME KIND: assert the flags of run NAME for a KIND socket.
check()
{
	local f got want bit name

	f=$(flags "$1")
	tap_check "$2: sessions completed" "$(rb_json "$1" '.completed')" 5
	tap_check "$2: headers added" \
	    "$(rb_json "$1" '.sessions_with_header_added')" 5
	tap_check "$2: errors" "$(rb_json "$1" '.errors.total')" 0
	for bit in NOBODY:0x10 NOEOH:0x40 NOUNKNOWN:0x100 NODATA:0x200 \
	    NR_HDR:0x80 NR_HELO:0x2000; do
		name=${bit%%:*}
		got=$(( (f & ${bit#*:}) != 0 ))
		case $2:$name in
		tcp:*) want=0 ;;
		*) want=1 ;;
		esac
		tap_check "$2: SMFIP_$name negotiated" "$got" "$want"
	done
}

rb_start "$R_DIR/m.conf" || tap_bail "rdns-milter did not start"
rb_load unix -n 5 -c 1 -i "$R_DIR/ips" -H @ptr -r "<u@example.com>"
tap_check "unix: milterload exit status" "$RB_RC" 0
check unix unix
rb_stop

port=$(proc_free_port) || tap_bail "no free port"
rb_start "$R_DIR/m.conf" "inet:$port@127.0.0.1" ||
    tap_bail "rdns-milter did not start on TCP"
"$RB_LOAD" -s "inet:$port@127.0.0.1" -q -j -n 5 -c 1 -i "$R_DIR/ips" \
    -H @ptr -r "<u@example.com>" >"$R_DIR/tcp.json" 2>"$R_DIR/tcp.err"
tap_check "tcp: milterload exit status" "$?" 0
check tcp tcp
rb_stop
tap_done
