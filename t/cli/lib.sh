# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shared by the t/cli test scripts (bash; sourced).
#
#	. "$(dirname "$0")/lib.sh"
#	it_init NAME		# paths, traps, T_DIR; skips (77) without tools
#	it_world_start		# the test DNS world in $T_DIR (t/dns/world.sh)
#	tap_ok DESC / tap_fail DESC [DETAIL...] / tap_check DESC GOT WANT
#	tap_done		# summary line, exit status (t/lib/tap.sh)
#
# Paths come from the environment that "make check" sets (abs_top_srcdir,
# abs_top_builddir, see t/cli/local.am), else from srcdir and the
# current directory (automake runs tests in the top build directory).
# The world and every generated file live in
# $abs_top_builddir/t/cli/NAME.world, removed after success and
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
. "$abs_top_srcdir/t/lib/tap.sh" || exit 99

T_NAME=
T_DIR=

# it_init NAME: set up; exit 77 when a needed tool is missing.
it_init()
{
	T_NAME=$1
	T_DIR="$abs_top_builddir/t/cli/$T_NAME.world"
	tap_init "$T_NAME"
	. "$abs_top_srcdir/t/dns/world.sh" || tap_bail "cannot read world.sh"
	msg=$(world_check_tools) || tap_skip_all "$msg"
	mkdir -p "$abs_top_builddir/t/cli" || tap_bail "mkdir"
	trap 'it_cleanup' EXIT
	trap 'exit 130' INT TERM HUP
}

it_cleanup()
{
	local rc=$?

	world_finish "$rc" "$T_DIR"
	exit "$rc"
}

it_world_start()
{
	[ -x "$RDNS_CHECK" ] || tap_bail "$RDNS_CHECK not built"
	if ! world_start "$T_DIR"; then
		world_logs "$T_DIR"
		tap_bail "the test DNS world did not start"
	fi
	echo "# world: nsd on 127.0.0.1@$WORLD_PORT, files in $T_DIR"
}

# it_run CMD...: run, leave stdout in T_OUT, stderr in T_ERR, status in T_RC.
it_run()
{
	local out err

	out=$(mktemp "$T_DIR/out.XXXXXX") || tap_bail "mktemp"
	err=$(mktemp "$T_DIR/err.XXXXXX") || tap_bail "mktemp"
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
