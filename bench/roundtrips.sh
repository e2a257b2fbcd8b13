#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# roundtrips.sh BUILDDIR - what each milter shape costs Postfix per message
# (issue 13), by message size.
#
# Through the private Postfix of bench/pflib.sh (in a private network and
# mount namespace when root), smtp-source sends pre-formatted messages
# (smtp-source -F) of three sizes, all with the same 30 header fields:
#	2k	2,048 bytes
#	100k	102,400 bytes
#	5m	5,242,880 bytes (fewer messages, to keep the run affordable)
#
# Rows, measured in turn in each run (each run starts one row later):
#	none		no milter: the floor
#	zero K		bench/nullmilter -Z: no callback registered, the
#			protocol's own minimum (libmilter asks Postfix to
#			skip every step it can)
#	shaped K	bench/nullmilter -M: connect, helo, data and eom only,
#			one header inserted at eom, TCP_NODELAY
#	null K		bench/nullmilter: every callback registered (the
#			reference the Postfix bench uses)
#	rdns K		milter/rdns-milter (BENCH_MILTER), warm cache, the
#			configuration of bench_milter_conf: 127.0.0.0/8 is
#			not trusted and the policy needs a verdict at RCPT
# with K = unix (a unix socket) or tcp (127.0.0.1).
#
# Per row, size and run: messages/s with 20 parallel sessions (one
# message per connection), ms per message with one session at a time,
# and the milter's CPU (utime + stime of /proc/PID/stat, all threads)
# over both, per message.  Added latency is the row's ms per message
# minus the "none" row's, same size, same run.
#
# Then, apart (the relay adds latency, so never during the timed runs):
# bench/mcount between Postfix and each milter counts the bytes and
# packets each way, per message, for each row and size.  These counts do
# not vary from run to run, so one pass with a few messages is enough.
#
# Records (bench/common.sh) section "roundtrips", row "ROW SIZE" (e.g.
# "rdns unix 2k"): msgs_per_s, ms_per_msg, cpu_ms (milter CPU ms per
# message), added_ms and ratio_none (msgs/s over the none row's, same
# run); from the counting pass to_milter_bytes, to_milter_packets,
# to_mta_bytes, to_mta_packets (per message), header_mods (header
# insert/add requests per message) and connections (milter connections
# per message, 1 expected).  Row "rdns K" checked: sessions the milter
# logged with iprev=pass; row "all" source_errors (smtp-source failures)
# and milter_warnings (Postfix log lines about a milter).
#
# Prints a markdown table of medians (min-max) per size, also written to
# BENCH_WORK/roundtrips.md.  BENCH_RUNS defaults to 5 here (1 with
# BENCH_QUICK=1, which also sends fewer messages: a smoke test of about
# 2 minutes; 5 runs take about 12); BENCH_RUNS=0 runs only the counting
# pass.
set -u

if [ -z "${BENCH_RUNS:-}" ]; then
	if [ "${BENCH_QUICK:-0}" = 1 ]; then
		BENCH_RUNS=1
	else
		BENCH_RUNS=5
	fi
fi
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pflib.sh"
bench_init "${1:-}"
MCOUNT=$B/bench/mcount
[ -x "$MCOUNT" ] || bench_die "missing $MCOUNT: run 'make' in $B first"

pf_reexec "$@"
pf_trap
# A previous run's values would mix into the medians.
awk -F '\t' '$1 != "roundtrips"' "$RESULTS" >"$RESULTS.new" &&
    mv "$RESULTS.new" "$RESULTS"

W=$BENCH_WORK/roundtrips
pf_ports
pf_tools roundtrips || exit 0

SIZES=(2k 100k 5m)
declare -A BYTES=([2k]=2048 [100k]=102400 [5m]=5242880)
# Messages per measurement: parallel (20 sessions), sequential, counted.
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	declare -A NPAR=([2k]=200 [100k]=60 [5m]=10)
	declare -A NSEQ=([2k]=50 [100k]=20 [5m]=3)
	declare -A NCNT=([2k]=5 [100k]=3 [5m]=1)
else
	declare -A NPAR=([2k]=1000 [100k]=400 [5m]=40)
	declare -A NSEQ=([2k]=300 [100k]=100 [5m]=10)
	declare -A NCNT=([2k]=20 [100k]=10 [5m]=2)
fi

bench_world || bench_die "cannot start the DNS world"
pf_init
pf_start

# ---- the messages ----

# gen_msg FILE BYTES: 30 header fields and a body of 76-character lines,
# BYTES long as sent (smtp-source ends every line with CRLF).
gen_msg()
{
	awk -v size="$2" 'BEGIN {
		n = 0
		for (i = 1; i <= 4; i++)
			h[++n] = sprintf("Received: from relay%d.bench.test " \
			    "(relay%d.bench.test [198.18.0.%d]) by " \
			    "mx%d.bench.test with ESMTPS id %08X; " \
			    "Mon, 7 Dec 2026 10:0%d:00 +0000", i, i, i, i + 1,
			    i * 77777, i)
		h[++n] = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/" \
		    "relaxed; d=bench.test; s=s1; h=from:to:subject:date; " \
		    "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; " \
		    "b=AAAAB3NzaC1yc2EAAAADAQABAAABAQC7bench"
		h[++n] = "Authentication-Results: relay1.bench.test; " \
		    "spf=pass smtp.mailfrom=bench.test"
		h[++n] = "From: Sender <sender@bench.test>"
		h[++n] = "To: User <user@remote.test>"
		h[++n] = "Cc: Other <other@remote.test>"
		h[++n] = "Subject: round trips, a message of " size " bytes"
		h[++n] = "Date: Mon, 7 Dec 2026 10:00:00 +0000"
		h[++n] = "Message-ID: <bench." size "@bench.test>"
		h[++n] = "In-Reply-To: <parent.1@remote.test>"
		h[++n] = "References: <root.1@remote.test> " \
		    "<parent.1@remote.test>"
		h[++n] = "MIME-Version: 1.0"
		h[++n] = "Content-Type: text/plain; charset=us-ascii"
		h[++n] = "Content-Transfer-Encoding: 7bit"
		h[++n] = "Reply-To: <sender@bench.test>"
		h[++n] = "List-Id: <bench.lists.bench.test>"
		h[++n] = "List-Unsubscribe: <mailto:leave@bench.test>"
		h[++n] = "List-Post: <mailto:bench@lists.bench.test>"
		h[++n] = "Precedence: list"
		h[++n] = "X-Mailer: bench/roundtrips.sh"
		h[++n] = "X-Spam-Status: No, score=-0.1"
		h[++n] = "X-Spam-Score: -0.1"
		h[++n] = "Thread-Topic: round trips"
		h[++n] = "Thread-Index: AdbenchAAAAAAAAAAAAAAAAAAAAA=="
		h[++n] = "Accept-Language: en-US"
		h[++n] = "Content-Language: en-US"
		h[++n] = "X-Originating-IP: [198.18.0.1]"
		total = 0
		for (i = 1; i <= n; i++) {
			print h[i]
			total += length(h[i]) + 2
		}
		print ""
		total += 2
		line = "The quick brown fox jumps over the lazy dog, " \
		    "and the milter need not read it."
		while (length(line) < 76)
			line = line "."
		line = substr(line, 1, 76)
		while (total + 78 <= size) {
			print line
			total += 78
		}
		if (size - total - 2 > 0)
			print substr(line, 1, size - total - 2)
	}' >"$1"
}

for z in "${SIZES[@]}"; do
	gen_msg "$W/msg.$z" "${BYTES[$z]}"
done
[ "$(grep -c '^[A-Za-z-]*: ' "$W/msg.2k")" = 30 ] ||
    bench_die "the generated message has not 30 header fields"

# ---- the milters ----

bench_milter_conf "$W/rdns.conf"
printf '127.0.0.1 lo.sec.test\n' >"$W/ips"
declare -A PID SOCK
port=$((SMTPD_PORT + 2))
for m in zero shaped null rdns; do
	SOCK[$m unix]=unix:$W/$m.sock
	SOCK[$m tcp]=inet:$port@127.0.0.1
	port=$((port + 1))
	for k in unix tcp; do
		case $m in
		zero)	bench_null_start "${SOCK[$m $k]}" "$W/$m.$k.log" -Z ;;
		shaped)	bench_null_start "${SOCK[$m $k]}" "$W/$m.$k.log" -M ;;
		null)	bench_null_start "${SOCK[$m $k]}" "$W/$m.$k.log" ;;
		rdns)	: >"$W/rdns.$k.log"
			bench_rdns_start "$W/rdns.conf" "${SOCK[$m $k]}" \
			    "$W/rdns.$k.log"
			NULL_PID=$MILTER_PID ;;
		esac
		PID[$m $k]=$NULL_PID
	done
	# Postfix's smtpd runs as user postfix.
	chmod 666 "$W/$m.sock"
done
MC_PORT=$port

# Warm rdns-milter's cache: the client and HELO names once.
for k in unix tcp; do
	"$MILTERLOAD" -s "${SOCK[rdns $k]}" -n 2 -i "$W/ips" -H @ptr -q \
	    >/dev/null
done

# pf_spec SPEC: a libmilter socket spec as Postfix's smtpd_milters wants.
pf_spec()
{
	case $1 in
	unix:*)	echo "$1" ;;
	inet:*)	local p=${1#inet:}; echo "inet:127.0.0.1:${p%@*}" ;;
	esac
}

# configure ROW: Postfix with ROW's milter (none: no milter).
configure()
{
	if [ "$1" = none ]; then
		pf_set smtpd_milters=
	else
		pf_set "smtpd_milters=$(pf_spec "${SOCK[$1]}")"
	fi
}

fmt3()
{
	awk "BEGIN { printf \"%.3f\", $1 }"
}

# ---- the timed runs ----

ROWS=("none" "zero unix" "zero tcp" "shaped unix" "shaped tcp"
    "null unix" "null tcp" "rdns unix" "rdns tcp")
HZ=$(bench_hz)
declare -A seq_ms mps_of cpu_of
bench_log "roundtrips: $BENCH_RUNS runs, rows: ${ROWS[*]}, sizes:" \
    "${SIZES[*]} (load $(bench_loadavg))"
for r in $(seq 1 "$BENCH_RUNS"); do
	order=()
	for i in "${!ROWS[@]}"; do
		order+=("${ROWS[$(((i + r - 1) % ${#ROWS[@]}))]}")
	done
	for row in "${order[@]}"; do
		configure "$row"
		pf_drain
		# smtpd processes started, milter connections made.
		pf_source_time 5 20 -F "$W/msg.2k" >/dev/null
		pf_drain
		for z in "${SIZES[@]}"; do
			pid=${PID[$row]:-}
			[ -n "$pid" ] && c0=$(bench_cpu_ticks "$pid")
			t=$(pf_source_time 20 "${NPAR[$z]}" -F "$W/msg.$z")
			mps=$(fmt3 "${NPAR[$z]} / $t")
			pf_drain
			t=$(pf_source_time 1 "${NSEQ[$z]}" -F "$W/msg.$z")
			mspm=$(fmt3 "$t * 1000 / ${NSEQ[$z]}")
			pf_drain
			bench_record roundtrips "$row $z" msgs_per_s "$mps"
			bench_record roundtrips "$row $z" ms_per_msg "$mspm"
			if [ -n "$pid" ]; then
				c1=$(bench_cpu_ticks "$pid")
				cpu_of[$row $z]=$(fmt3 "($c1 - $c0) * 1000 / \
				    $HZ / (${NPAR[$z]} + ${NSEQ[$z]})")
				bench_record roundtrips "$row $z" cpu_ms \
				    "${cpu_of[$row $z]}"
			fi
			seq_ms[$row $z]=$mspm
			mps_of[$row $z]=$mps
			bench_log "roundtrips run $r, $row, $z: $mps msg/s," \
			    "$mspm ms/msg (load $(bench_loadavg))"
		done
	done
	for row in "${ROWS[@]}"; do
		[ "$row" = none ] && continue
		for z in "${SIZES[@]}"; do
			bench_record roundtrips "$row $z" added_ms \
			    "$(fmt3 "${seq_ms[$row $z]} - ${seq_ms[none $z]}")"
			bench_record roundtrips "$row $z" ratio_none \
			    "$(fmt3 "${mps_of[$row $z]} / ${mps_of[none $z]}")"
		done
	done
	# The issue's comparisons, within this run: rdns-milter against
	# the shaped milter (same socket kind) and the zero-callback one.
	for k in unix tcp; do
		for z in "${SIZES[@]}"; do
			bench_record roundtrips "rdns $k $z" ratio_shaped \
			    "$(fmt3 "${mps_of[rdns $k $z]} / \
			    ${mps_of[shaped $k $z]}")"
			bench_record roundtrips "rdns $k $z" cpu_ratio_shaped \
			    "$(awk -v a="${cpu_of[rdns $k $z]}" \
			    -v b="${cpu_of[shaped $k $z]}" 'BEGIN {
			    printf "%.3f", (b > 0 ? a / b : 99) }')"
			bench_record roundtrips "rdns $k $z" added_over_zero \
			    "$(fmt3 "${seq_ms[rdns $k $z]} - \
			    ${seq_ms[zero $k $z]}")"
		done
	done
done

# ---- the counting pass: bench/mcount between Postfix and the milter ----

# mc_field LINE KEY: a top-level number of an mcount report.
mc_field()
{
	sed -E -n "s/.*\"$2\":([0-9]+).*/\\1/p" <<<"$1"
}

# mc_cmd LINE DIR CMD: the count of one command letter (DIR to_milter or
# to_mta), 0 when absent.
mc_cmd()
{
	local v

	v=$(sed -E -n "s/.*\"$2_cmds\":\\{([^}]*)\\}.*/\\1/p" <<<"$1" |
	    tr ',' '\n' | sed -n "s/^\"$3\"://p")
	echo "${v:-0}"
}

# mc_snapshot PID FILE CONNS: ask mcount for its totals and wait (5 s at
# most) until CONNS connections were accepted and all have closed; the
# line is in MC_LINE.
mc_snapshot()
{
	local pid=$1 file=$2 want=$3 i n c d

	for i in $(seq 1 50); do
		n=$(wc -l <"$file")
		kill -USR1 "$pid"
		for d in $(seq 1 50); do
			[ "$(wc -l <"$file")" -gt "$n" ] && break
			sleep 0.01
		done
		MC_LINE=$(tail -n 1 "$file")
		c=$(mc_field "$MC_LINE" connections)
		d=$(mc_field "$MC_LINE" closed)
		[ "${c:-0}" -ge "$want" ] && [ "$c" = "$d" ] && return 0
		sleep 0.1
	done
	bench_log "warning: mcount: $c of $want connections, $d closed"
}

bench_log "roundtrips: counting bytes and packets (bench/mcount)"
for row in "${ROWS[@]}"; do
	[ "$row" = none ] && continue
	tag=${row// /.}
	case $row in
	*unix)	lspec=unix:$W/mcount.sock ;;
	*tcp)	lspec=inet:$MC_PORT@127.0.0.1; MC_PORT=$((MC_PORT + 1)) ;;
	esac
	: >"$W/mcount.$tag.json"
	"$MCOUNT" -l "$lspec" -s "${SOCK[$row]}" -m 666 \
	    -o "$W/mcount.$tag.json" 2>>"$W/mcount.log" </dev/null &
	mc_pid=$!
	bench_track "$mc_pid"
	bench_wait_socket "$lspec" "$mc_pid" ||
	    bench_die "mcount did not start, see $W/mcount.log"
	pf_set "smtpd_milters=$(pf_spec "$lspec")"
	pf_drain
	# The probe of bench_wait_socket counts as one connection.
	mc_snapshot "$mc_pid" "$W/mcount.$tag.json" 0
	prev=$MC_LINE
	total=$(mc_field "$prev" connections)
	for z in "${SIZES[@]}"; do
		n=${NCNT[$z]}
		pf_source_time 1 "$n" -F "$W/msg.$z" >/dev/null
		total=$((total + n))
		mc_snapshot "$mc_pid" "$W/mcount.$tag.json" "$total"
		for k in connections to_milter_bytes to_milter_packets \
		    to_mta_bytes to_mta_packets; do
			bench_record roundtrips "$row $z" "$k" "$(fmt3 \
			    "($(mc_field "$MC_LINE" "$k") - \
			    $(mc_field "$prev" "$k")) / $n")"
		done
		bench_record roundtrips "$row $z" header_mods "$(fmt3 \
		    "($(mc_cmd "$MC_LINE" to_mta h) + $(mc_cmd "$MC_LINE" \
		    to_mta i) - $(mc_cmd "$prev" to_mta h) - $(mc_cmd \
		    "$prev" to_mta i)) / $n")"
		prev=$MC_LINE
		pf_drain
	done
	bench_log "roundtrips: $row: $prev"
	bench_kill "$mc_pid"
done
pf_set smtpd_milters=

# ---- checks ----

for k in unix tcp; do
	bench_record roundtrips "rdns $k" checked \
	    "$(grep -c ' ip=127.0.0.1 ptr=pass iprev=pass' "$W/rdns.$k.log")"
done
bench_record roundtrips all source_errors \
    "$([ -f "$W/source.errors" ] && wc -l <"$W/source.errors" || echo 0)"
bench_record roundtrips all milter_warnings \
    "$(grep -c 'warning: .*milter' "$PF/postfix.log" 2>/dev/null)"

# ---- the table ----

rt_cell()
{
	bench_cell roundtrips "$1" "$2"
}

rt_report()
{
	local z row

	echo "## Round trips (issue 13): milters through Postfix, by size"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); runs: $BENCH_RUNS;" \
	    "cells: median (min-max); load average now: $(bench_loadavg)"
	echo "- milter: $MILTER ($(cd "$S" && git rev-parse --short HEAD \
	    2>/dev/null || echo '?'))"
	echo "- messages per row and run (20 sessions / 1 session /" \
	    "counted): $(for z in "${SIZES[@]}"; do printf '%s %s/%s/%s ' \
	    "$z" "${NPAR[$z]}" "${NSEQ[$z]}" "${NCNT[$z]}"; done)"
	echo "- checks: rdns-milter sessions with iprev=pass: unix" \
	    "$(bench_values roundtrips "rdns unix" checked), tcp" \
	    "$(bench_values roundtrips "rdns tcp" checked); smtp-source" \
	    "failures $(bench_values roundtrips all source_errors);" \
	    "Postfix milter warnings" \
	    "$(bench_values roundtrips all milter_warnings); header" \
	    "requests per message (2k): shaped unix $(bench_values \
	    roundtrips "shaped unix 2k" header_mods), rdns unix" \
	    "$(bench_values roundtrips "rdns unix 2k" header_mods)"
	for z in "${SIZES[@]}"; do
		echo
		echo "### ${BYTES[$z]}-byte messages ($z), 30 header fields"
		echo
		echo "| row | msgs/s (20 sessions) | x none | ms/msg (1 session)" \
		    "| added ms | milter CPU ms/msg | bytes to milter/msg" \
		    "| packets to milter/msg | packets from milter/msg |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for row in "${ROWS[@]}"; do
			if [ "$row" = none ]; then
				printf '| %s | %s | - | %s | - | - | - | - | - |\n' \
				    "$row" "$(rt_cell "$row $z" msgs_per_s)" \
				    "$(rt_cell "$row $z" ms_per_msg)"
				continue
			fi
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
			    "$row" "$(rt_cell "$row $z" msgs_per_s)" \
			    "$(rt_cell "$row $z" ratio_none)" \
			    "$(rt_cell "$row $z" ms_per_msg)" \
			    "$(rt_cell "$row $z" added_ms)" \
			    "$(rt_cell "$row $z" cpu_ms)" \
			    "$(rt_cell "$row $z" to_milter_bytes)" \
			    "$(rt_cell "$row $z" to_milter_packets)" \
			    "$(rt_cell "$row $z" to_mta_packets)"
		done
	done
}

# rt_target ROW METRIC OP LIMIT TEXT: a row of the targets table, with
# the median's verdict (OP le: at most LIMIT, ge: at least).
rt_target()
{
	local m

	# shellcheck disable=SC2046
	m=$(bench_median $(bench_values roundtrips "$1" "$2"))
	printf '| %s | %s | %s %s | %s |\n' "$1" "$5" \
	    "$([ "$3" = le ] && echo '<=' || echo '>=')" "$4" \
	    "$(rt_cell "$1" "$2") $(awk -v m="$m" -v l="$4" -v op="$3" \
	    'BEGIN { ok = op == "le" ? m <= l : m >= l
	    print ok ? "met" : "missed" }')"
}

rt_targets()
{
	local k

	[ "$BENCH_RUNS" -gt 0 ] || return 0
	echo
	echo "### Targets of issue 13 (per-run ratios and differences)"
	echo
	echo "| row | measure | target | median (min-max): verdict |"
	echo "|---|---|---|---|"
	for k in unix tcp; do
		rt_target "rdns $k 2k" ratio_shaped ge 0.95 \
		    "msgs/s over the shaped milter's"
		rt_target "rdns $k 2k" cpu_ratio_shaped le 1.2 \
		    "CPU per message over the shaped milter's"
		rt_target "rdns $k 2k" ratio_none ge 0.70 \
		    "msgs/s over no milter's"
		rt_target "rdns $k 5m" ratio_none ge 0.95 \
		    "msgs/s over no milter's"
		for z in "${SIZES[@]}"; do
			rt_target "rdns $k $z" added_over_zero le 0.2 \
			    "added ms minus the zero-callback milter's"
		done
	done
	# shellcheck disable=SC2046
	if [ "$(bench_median $(bench_values roundtrips "zero tcp 2k" \
	    added_ms) | cut -d . -f 1)" -ge 20 ]; then
		echo
		echo "Note: the zero-callback milter over TCP waits for a" \
		    "delayed ACK at end of message (Postfix sends its earlier" \
		    "packets without a reply and does not set TCP_NODELAY)," \
		    "so a TCP latency \"met\" against it means little;" \
		    "compare with the unix rows."
	fi
}

{ rt_report; rt_targets; } >"$BENCH_WORK/roundtrips.md"
cat "$BENCH_WORK/roundtrips.md"
bench_log "roundtrips: table written to $BENCH_WORK/roundtrips.md"
pf_stop
bench_kill "${PID[@]}"
