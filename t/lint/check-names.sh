#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A check is named once (issue 19, STYLE 2.1 "One home per fact"): every
# word of the check table -- a check's name, Policy key, summary-line key,
# metric label, header method or comment word, rdns-check category, and
# the result labels of its vocabulary -- is written as a C string literal
# ("iprev") only in milter/checks_table.c; the DNSSEC statuses only in
# milter/resolver.c (dnssec_status_str(), the vocabulary's owner).  Every
# other module reads them from the table (checks.h).
#
# The words are taken from checks_table.c itself, so a new check's words
# are guarded as soon as its row exists.  "none", "yes" and "no" are left
# out: they are also the words of other grammars (TrustAnchorFile none,
# boolean keys).  A line that spells such a word for another subject (the
# PTR record type, the summary line's helo= key of the HELO name) says
# so with the marker "not a check"; milter/spf.[ch] speak RFC 7208.
#
# The grep, by hand (WORD each word of the table):
#	grep -n '"WORD"' milter/*.[ch] | grep -v -e '^milter/checks_table.c:' \
#	    -e 'not a check'
# and comments left out (a comment may quote a word: "ptr=fail").
src=${abs_top_srcdir:-${srcdir:-.}}
table=$src/milter/checks_table.c
resolver=$src/milter/resolver.c
if [ ! -f "$table" ]; then
	echo "ERROR: $table not found"
	exit 99
fi

# The quoted words of the table's rows and of its label arrays.
words=$(sed -n \
    -e 's/^[[:space:]]*\.\(name\|policy_key\|log_key\|metric\|header\|category\) = "\([^"]*\)",.*/\2/p' \
    -e 's/^[[:space:]]*\[[A-Z_]*\] = "\([^"]*\)",.*/\1/p' "$table" |
    grep -v -x -e none -e yes -e no | sort -u)
# The DNSSEC vocabulary, from its owner.
dnssec=$(sed -n '/^dnssec_status_str(/,/^}/s/.*return "\([a-z]*\)";.*/\1/p' \
    "$resolver" | sort -u)

n=$(printf '%s\n' $words | wc -l)
if [ "$n" -lt 10 ] || [ -z "$dnssec" ]; then
	echo "ERROR: only $n words found in $table (and '$dnssec' in" \
	    "$resolver): has the table's layout changed?"
	exit 99
fi

bad=0
check()
{
	# $1 word, $2... files allowed to spell it
	w=$1
	shift
	# Code only: comment lines and trailing comments do not count.
	hits=$(cd "$src" && grep -n "\"$w\"" milter/*.c milter/*.h |
	    grep -v -e 'not a check' $(for f in "$@"; do
	    printf ' -e ^%s:' "$f"; done) |
	    awk -v q="\"$w\"" '{
		c = $0; sub(/^[^:]*:[0-9]*:/, "", c)
		if (c ~ /^[ \t]*(\*|\/\*|\/\/)/) next
		sub(/\/\*.*/, "", c)
		if (index(c, q) > 0) print
	    }')
	if [ -n "$hits" ]; then
		echo "\"$w\" is spelled outside its home ($*):"
		echo "$hits" | sed 's/^/    /'
		bad=$((bad + 1))
	fi
}

# spf.[ch] speak RFC 7208: its mechanism "ptr", its results "permerror"
# and "temperror" are SPF's, not the checks'.
for w in $words; do
	check "$w" milter/checks_table.c milter/spf.c milter/spf.h
done
for w in $dnssec; do
	check "$w" milter/resolver.c
done
echo "$n words of the check table, $(printf '%s\n' $dnssec | wc -l)" \
    "DNSSEC statuses: $bad spelled outside their home"
[ "$bad" -eq 0 ]
