#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# No dependency cycle in milter/ (issue 19):
#  1. the #include "..." graph of milter/*.c and milter/*.h (a file to the
#     milter/ headers it includes) is acyclic;
#  2. the link graph of the objects of milter/ (an object to the objects
#     that define the symbols it uses, from nm(1)) is acyclic but for the
#     known pairs below.  conf.c and conf_keys.c called each other before
#     conf_parse.c; this is what keeps that from coming back.
# tsort(1) finds the cycles.  Step 2 needs the objects of a build (run
# from the build tree, as make check does); without them, or without nm
# or tsort, the test is skipped (77), never passed silently.
src=${abs_top_srcdir:-${srcdir:-.}}
build=${abs_top_builddir:-.}

# Object pairs that call each other, outside this check's subject: the
# answer type lives in resolver.c and its cache in anscache.c; the two
# halves of one program, rdns-check.  One edge of each pair is dropped.
known='anscache resolver
rdns-check-many rdns-check'

for tool in tsort nm; do
	command -v "$tool" >/dev/null 2>&1 || { echo "no $tool: SKIP"; exit 77; }
done
[ -f "$src/milter/conf.c" ] || { echo "no $src/milter/conf.c"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
bad=0

# 1. Includes.  Every file is a node (a self edge), so tsort lists all.
n=0
for f in "$src"/milter/*.c "$src"/milter/*.h; do
	b=${f##*/}
	echo "$b $b"
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' \
	    "$f" | while read -r h; do
		[ -f "$src/milter/$h" ] && echo "$b $h"
	done
	n=$((n + 1))
done > "$tmp/inc"
if ! tsort "$tmp/inc" > /dev/null 2> "$tmp/inc.err"; then
	echo "include cycle in milter/:"
	cat "$tmp/inc.err"
	bad=1
fi
echo "includes: $n files, $(grep -cv '^\([^ ]*\) \1$' "$tmp/inc") edges"

# 2. Links.
set -- "$build"/milter/*.o
[ -f "$1" ] || { echo "no objects in $build/milter: SKIP"; exit 77; }
for o in "$@"; do
	m=${o##*/}
	m=${m%.o}
	case $m in t_*) continue ;; esac	# a unit test's own copies
	nm "$o" | awk -v m="$m" '
	    NF == 3 && $2 ~ /^[TDBRC]$/ { print "D", $3, m }
	    NF == 2 && $1 == "U" { print "U", $2, m }'
done > "$tmp/syms"
awk '
    $1 == "D" { def[$2] = $3; next }
    { use[NR] = $2; who[NR] = $3 }
    END {
	for (i in use)
		if ((use[i] in def) && def[use[i]] != who[i])
			print who[i], def[use[i]]
    }' "$tmp/syms" | sort -u > "$tmp/link.all"
printf '%s\n' "$known" > "$tmp/known"
grep -vxF -f "$tmp/known" "$tmp/link.all" > "$tmp/link"
awk '{ print $3, $3 }' "$tmp/syms" | sort -u >> "$tmp/link"
if ! tsort "$tmp/link" > /dev/null 2> "$tmp/link.err"; then
	echo "link cycle among the objects of milter/:"
	cat "$tmp/link.err"
	bad=1
fi
echo "links: $(sort -u "$tmp/link.all" | wc -l) edges between" \
    "$(awk '{ print $3 }' "$tmp/syms" | sort -u | wc -l) objects"
exit $bad
