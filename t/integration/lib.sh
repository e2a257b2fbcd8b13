# lib.sh - shared by the integration test scripts (bash; sourced).
#
#	. "$(dirname "$0")/lib.sh"
#	it_init NAME		# paths, traps, T_DIR; skips (77) without tools
#	it_world_start		# the test DNS world in $T_DIR (t/dns/world.sh)
#	it_ok DESC / it_fail DESC [DETAIL...] / it_check DESC GOT WANT
#	it_done			# summary line, exit 0 or 1
#
# Paths come from the environment that "make check" sets (abs_top_srcdir,
# abs_top_builddir, see t/integration/local.am), else from srcdir and the
# current directory (automake runs tests in the top build directory).
# The world and every generated file live in
# $abs_top_builddir/t/integration/NAME.world, removed after success and
# kept (with nsd's and the fault server's logs) after a failure.
#
# RDNS_CHECK_WRAPPER (e.g. "valgrind -q --error-exitcode=3") is put in
# front of every rdns-check command (timing assertions may then fail).

: "${abs_top_builddir:=$PWD}"
if [ -z "$abs_top_srcdir" ]; then
	abs_top_srcdir=$(cd "${srcdir:-.}" && pwd) || exit 99
fi
RDNS_CHECK="$abs_top_builddir/milter/rdns-check"
export abs_top_srcdir abs_top_builddir

T_NAME=
T_DIR=
T_PASS=0
T_FAIL=0
T_SKIP=0
T_N=0

it_bail()
{
	echo "Bail out! $*"
	exit 99
}

# it_init NAME: set up; exit 77 when a needed tool is missing.
it_init()
{
	T_NAME=$1
	T_DIR="$abs_top_builddir/t/integration/$T_NAME.world"
	. "$abs_top_srcdir/t/dns/world.sh" || it_bail "cannot read world.sh"
	if ! msg=$(world_check_tools); then
		echo "SKIP: $msg"
		exit 77
	fi
	mkdir -p "$abs_top_builddir/t/integration" || it_bail "mkdir"
	trap 'it_cleanup' EXIT
	trap 'exit 130' INT TERM HUP
}

it_cleanup()
{
	local rc=$?

	world_stop "$T_DIR"
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		rm -rf "$T_DIR"
	else
		echo "# world and logs kept in $T_DIR"
	fi
	exit "$rc"
}

it_world_start()
{
	[ -x "$RDNS_CHECK" ] || it_bail "$RDNS_CHECK not built"
	if ! world_start "$T_DIR"; then
		for f in "$T_DIR"/nsd.out "$T_DIR"/nsd.log "$T_DIR"/fault.log; do
			[ -s "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"
		done
		it_bail "the test DNS world did not start"
	fi
	echo "# world: nsd on 127.0.0.1@$WORLD_PORT, files in $T_DIR"
}

it_ok()
{
	T_N=$((T_N + 1))
	T_PASS=$((T_PASS + 1))
	echo "ok $T_N - $1"
}

# it_fail DESC [DETAIL...]: each DETAIL line is printed as a comment.
it_fail()
{
	local d=$1 l

	shift
	T_N=$((T_N + 1))
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_N - $d"
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

it_skip()
{
	T_N=$((T_N + 1))
	T_SKIP=$((T_SKIP + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# it_check DESC GOT WANT
it_check()
{
	if [ "$2" = "$3" ]; then
		it_ok "$1"
	else
		it_fail "$1" "got:  $2" "want: $3"
	fi
}

# it_run CMD...: run, leave stdout in T_OUT, stderr in T_ERR, status in T_RC.
it_run()
{
	local out err

	out=$(mktemp "$T_DIR/out.XXXXXX") || it_bail "mktemp"
	err=$(mktemp "$T_DIR/err.XXXXXX") || it_bail "mktemp"
	$RDNS_CHECK_WRAPPER "$@" >"$out" 2>"$err" </dev/null
	T_RC=$?
	T_OUT=$(cat "$out")
	T_ERR=$(cat "$err")
	rm -f "$out" "$err"
}

# Milliseconds since the epoch (GNU date).
it_now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

it_done()
{
	echo "1..$T_N"
	if [ "$T_SKIP" -gt 0 ]; then
		echo "$T_NAME: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	fi
	[ "$T_FAIL" -eq 0 ] || exit 1
	[ "$T_N" -gt 0 ] || exit 99
	exit 0
}
