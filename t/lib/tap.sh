# SPDX-License-Identifier: BSD-2-Clause
# tap.sh - TAP result helpers shared by the shell test suites (bash;
# sourced by t/cli, t/robust, t/e2e and t/milter lib.sh).
#
#	. "$abs_top_srcdir/t/lib/tap.sh"
#	tap_init NAME			# counters to 0, NAME for the summary
#	tap_ok DESC			# "ok N - DESC"
#	tap_fail DESC [DETAIL...]	# "not ok N - DESC", then every line
#					#   of each DETAIL as "#   line"
#	tap_skip DESC REASON		# "ok N - DESC # SKIP REASON"
#	tap_check DESC GOT WANT		# ok if GOT = WANT (exact strings)
#	tap_done			# plan, summary line, exit status
#	tap_bail MESSAGE...		# "Bail out! ...", exit 99
#	tap_skip_all MESSAGE...		# "SKIP: ...", exit 77 (automake)
#
# tap_done prints "1..N" and "NAME: P passed, F failed" (", S skipped"
# when some were), then exits 1 if a check failed, 99 if none ran, else
# 0.  TAP_N, TAP_PASS, TAP_FAIL and TAP_SKIP hold the counts (read them,
# e.g. in an EXIT trap; only these functions change them).  Checks must
# run in the test's own shell, not in $(...) or a pipeline, or they are
# not counted.

TAP_NAME=$(basename "$0" .sh)
TAP_N=0
TAP_PASS=0
TAP_FAIL=0
TAP_SKIP=0

tap_init()
{
	TAP_NAME=$1
	TAP_N=0
	TAP_PASS=0
	TAP_FAIL=0
	TAP_SKIP=0
}

tap_ok()
{
	TAP_N=$((TAP_N + 1))
	TAP_PASS=$((TAP_PASS + 1))
	echo "ok $TAP_N - $1"
}

tap_fail()
{
	local d=$1 l

	shift
	TAP_N=$((TAP_N + 1))
	TAP_FAIL=$((TAP_FAIL + 1))
	echo "not ok $TAP_N - $d"
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

tap_skip()
{
	TAP_N=$((TAP_N + 1))
	TAP_SKIP=$((TAP_SKIP + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# tap_check DESC GOT WANT: on a mismatch one-line values are shown as
# "got:  GOT" / "want: WANT", multi-line ones as a block under "got:" and
# "want:".
tap_check()
{
	local nl='
'

	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	elif [[ $2$3 == *$nl* ]]; then
		tap_fail "$1" "got:" "$2" "want:" "$3"
	else
		tap_fail "$1" "got:  $2" "want: $3"
	fi
}

tap_done()
{
	echo "1..$TAP_N"
	if [ "$TAP_SKIP" -gt 0 ]; then
		echo "$TAP_NAME: $TAP_PASS passed, $TAP_FAIL failed," \
		    "$TAP_SKIP skipped"
	else
		echo "$TAP_NAME: $TAP_PASS passed, $TAP_FAIL failed"
	fi
	[ "$TAP_FAIL" -eq 0 ] || exit 1
	[ "$TAP_N" -gt 0 ] || exit 99
	exit 0
}

tap_bail()
{
	echo "Bail out! $*"
	exit 99
}

tap_skip_all()
{
	echo "SKIP: $*"
	exit 77
}
