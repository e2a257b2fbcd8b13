#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-corpus.sh BINARY CORPUS-DIR
#
# Regression test for one libFuzzer target: run BINARY once on every file
# of its seed corpus (no fuzzing, nothing written).  A crash, a sanitizer
# report, a leak, a violated invariant or a timeout fails the test.
# Exit 77 (SKIP) when BINARY is empty or not built, i.e. configure ran
# without --enable-fuzzing; 99 (hard error) when the corpus is missing.

bin=$1
dir=$2

if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "fuzz target ${bin:-for $dir} not built" \
	    "(configure --enable-fuzzing CC=clang): skipped"
	exit 77
fi
if [ ! -d "$dir" ]; then
	echo "run-corpus.sh: no corpus directory $dir" >&2
	exit 99
fi
set -- "$dir"/*
if [ ! -f "$1" ]; then
	echo "run-corpus.sh: corpus $dir is empty" >&2
	exit 99
fi
echo "$bin: $# corpus files from $dir"
# libFuzzer reports its own findings with exit code 77 by default, which
# the test harness would count as SKIP: make every failure exit 1.
exec "$bin" -error_exitcode=1 -timeout_exitcode=1 -timeout=30 \
    -rss_limit_mb=2048 "$@"
