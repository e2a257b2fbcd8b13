#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# forged.sh - forged Authentication-Results removal (SPEC 3.1): fields
# whose authserv-id is ours (any case, comments before it, a version
# after it, folded, quoted) are deleted with smfi_chgheader at their
# original index, last first; other ids stay.  Exact EOM actions of each
# message (from the proxy transcript): expected/forged.txt.  Then 1, 64,
# 65 and 1,000 forged fields (issue 21: there is no cap), each logged once
# with the count.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf forged <<'END'
AuthservID mx.example.net
END
mt_start "$MT_DIR/forged.conf"
: >"$MT_DIR/forged-many.want"
mt_lua forged MT_WANT="$MT_DIR/forged-many.want"
{
	for n in 1 2 3; do
		echo "== message $n"
		mt_eom_actions "$n"
	done
} >"$MT_DIR/forged.got"
mt_diff "EOM actions equal expected/forged.txt" \
    "$MT_SRC/expected/forged.txt" "$MT_DIR/forged.got"

# 1, 64, 65 and 1,000 forged fields (messages 4 to 7): every one deleted
# at its index, last first, and nothing else deleted (RFC 8601 5).
{
	m=4
	for n in 1 64 65 1000; do
		echo "== FN$n"
		mt_eom_actions "$m" | grep '^m '
		m=$((m + 1))
	done
} >"$MT_DIR/forged-many.got"
mt_diff "1, 64, 65 and 1000 forged fields: all deleted, last first" \
    "$MT_DIR/forged-many.want" "$MT_DIR/forged-many.got"
mt_stop

# One line per message that had forged fields, with the count; no line
# per field.
grep -F "forged Authentication-Results" "$MT_LOG" |
    sed -n 's/^rdns-milter: \([^ ]*\): \([^;]*\);.*/\1: \2/p' \
    >"$MT_DIR/forged-log.got"
cat >"$MT_DIR/forged-log.want" <<'END'
F1: removed 6 forged Authentication-Results fields
F2: removed 1 forged Authentication-Results field
FN1: removed 1 forged Authentication-Results field
FN64: removed 64 forged Authentication-Results fields
FN65: removed 65 forged Authentication-Results fields
FN1000: removed 1000 forged Authentication-Results fields
END
mt_diff "one log line per message with forged fields, with the count" \
    "$MT_DIR/forged-log.want" "$MT_DIR/forged-log.got"
mt_check "no other log line mentions forged fields" \
    test "$(grep -c -i "forged Auth" "$MT_LOG")" -eq 6
mt_finish
