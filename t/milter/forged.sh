#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# forged.sh - forged Authentication-Results removal (SPEC 3.1): fields
# whose authserv-id is ours (any case, comments before it, a version
# after it, folded, quoted) are deleted with smfi_chgheader at their
# original index, last first; other ids stay.  Exact EOM actions of each
# message (from the proxy transcript): expected/forged.txt.
. "${srcdir:-$(dirname "$0")/../..}/t/milter/lib.sh"

mt_setup
mt_world
mt_conf forged <<'END'
AuthservID mx.example.net
END
mt_start "$MT_DIR/forged.conf"
mt_lua forged
{
	for n in 1 2 3; do
		echo "== message $n"
		mt_eom_actions "$n"
	done
} >"$MT_DIR/forged.got"
mt_diff "EOM actions equal expected/forged.txt" \
    "$MT_SRC/expected/forged.txt" "$MT_DIR/forged.got"
mt_finish
