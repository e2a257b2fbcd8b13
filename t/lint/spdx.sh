#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every source file carries "SPDX-License-Identifier: BSD-2-Clause"
# (COPYING): C, shell, Lua, Perl, automake, configure.ac, the man page
# and init sources, the Prometheus rules.  Data (zones, corpora, expected
# outputs) carries none.  Works in a git checkout and in a dist tree.
src=${abs_top_srcdir:-${srcdir:-.}}
tag='SPDX-License-Identifier: BSD-2-Clause'
list=$(mktemp) || exit 1
trap 'rm -f "$list"' EXIT
(cd "$src" && find . -path ./_build -prune -o -path './_build-*' -prune \
    -o -path ./debian/build -prune -o -path './rdns-milter-*' -prune \
    -o -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' \
    -o -name '*.lua' -o -name '*.pl' -o -name '*.am' -o -name '*.ac' \
    -o -name '*.in' -o -name '*.yml' \) -print) |
    grep -v -e '^\./autom4te' -e '^\./build-aux/' -e '/Makefile\.in$' \
    -e '^\./config\.h\.in$' -e '^\./autoconf\.h\.in$' -e '^\./aclocal' \
    -e '^\./m4/' > "$list"
n=$(wc -l < "$list")
if [ "$n" -lt 100 ]; then
	echo "only $n source files found under $src: wrong directory?"
	exit 1
fi
bad=0
while read -r f; do
	head -n 3 "$src/$f" | grep -q "$tag" && continue
	echo "$f: no '$tag' in its first lines"
	bad=$((bad + 1))
done < "$list"
echo "$n source files, $bad without the licence line"
[ "$bad" -eq 0 ]
