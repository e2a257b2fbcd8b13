#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# judge.sh - three generic-name detectors on the same corpus rows, per
# half of the corpus (t/corpus/tuning.txt, t/corpus/heldout.txt):
#
#   rdns-milter  its generic judgement with the shipped rules
#                (bench/generic-judge: generic_assess(), mail-role
#                words included, as the daemon judges a confirmed name)
#   SpamAssassin the RDNS_DYNAMIC meta rule of 20_dynrdns.cf (Debian
#                package spamassassin), its __RDNS_* header rules run by
#                perl on the relay pseudo-header SpamAssassin builds,
#                "[ ip=IP rdns=PTR helo=HELO by=... auth= ... ]"
#   rspamd       the hostname table of hfilter.lua (Debian package
#                rspamd), checks_hellohost, on the PTR name: a name is
#                flagged when a matching entry has weight 3 or more
#
# and prints, per detector and half, the generic names caught (recall)
# and the senders flagged (false positives), as a Markdown table (kept in
# doc/CORPUS.md) and as "judge DETECTOR HALF G_ROWS G_CAUGHT S_ROWS
# S_FLAGGED" lines.  Nothing touches the network.
#
#   bench/judge.sh [BUILDDIR]      (default: the current directory)
#
# Environment: SA_CF (default /usr/share/spamassassin/20_dynrdns.cf),
# HFILTER (default /usr/share/rspamd/plugins/hfilter.lua).  A missing
# file is reported and its detector left out.  The rows of a half are
# judged alike by the three; F rows (forged HELOs) are not part of it.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=$(cd "${1:-.}" && pwd)
judge=$builddir/bench/generic-judge
SA_CF=${SA_CF:-/usr/share/spamassassin/20_dynrdns.cf}
HFILTER=${HFILTER:-/usr/share/rspamd/plugins/hfilter.lua}
: "${RDNS_MILTER_GENERIC_RULES:=$srcdir/data/generic.rules}"
export RDNS_MILTER_GENERIC_RULES

if [ ! -x "$judge" ]; then
	echo "judge.sh: $judge not built (make in $builddir)" >&2
	exit 2
fi
command -v perl >/dev/null 2>&1 || { echo "judge.sh: perl needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rdns-judge.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for half in tuning heldout; do
	corpus=$srcdir/t/corpus/$half.txt
	# rdns-milter: one "KIND 0|1" line per row.
	"$judge" -a "$corpus" | awk -v h="$half" '
		$1 == "row" { n[$3]++; if ($5 != "-") f[$3]++ }
		END { printf "judge rdns-milter %s %d %d %d %d\n", h,
		    n["G"], f["G"], n["S"], f["S"] }' >>"$tmp/lines"
	perl -w - "$half" "$corpus" "$SA_CF" "$HFILTER" >>"$tmp/lines" <<'PERL'
use strict;
my ($half, $corpus, $sacf, $hfilter) = @ARGV;
my (@rows);
open(my $c, '<', $corpus) or die "$corpus: $!\n";
while (<$c>) {
	s/#.*//;
	my @f = split;
	next unless @f == 7 && $f[0] =~ /^[SG]$/;
	push @rows, [ @f ];
}
close $c;

# SpamAssassin: the header rules on X-Spam-Relays-External/Untrusted,
# then the RDNS_DYNAMIC meta expression.
if (open(my $sa, '<', $sacf)) {
	my (%re, $meta);
	while (<$sa>) {
		if (/^header\s+(\S+)\s+X-Spam-Relays-(?:External|Untrusted)\s+=~\s+\/(.*)\/([a-z]*)\s*$/) {
			my ($name, $pat, $fl) = ($1, $2, $3);
			$re{$name} = $fl =~ /i/ ? qr/$pat/i : qr/$pat/;
		} elsif (/^meta\s+RDNS_DYNAMIC\s+(.*?)\s*$/) {
			$meta = $1;
		}
	}
	close $sa;
	die "$sacf: no RDNS_DYNAMIC meta rule\n" unless defined $meta;
	(my $expr = $meta) =~ s/\b(__\w+)\b/(\$v{'$1'} ? 1 : 0)/g;
	my %n;
	for my $r (@rows) {
		my ($kind, $ip, $ptr, $helo) = @$r;
		$helo = '' if $helo eq '-';
		my $relay = "[ ip=$ip rdns=$ptr helo=$helo by=mx.example.net " .
		    "ident= envfrom= intl=0 id=1 auth= msa=0 ]";
		our %v = map { $_ => ($relay =~ $re{$_} ? 1 : 0) } keys %re;
		my $hit = eval $expr;
		die "RDNS_DYNAMIC: $@" if $@;
		$n{$kind}++;
		$n{"f$kind"}++ if $hit;
	}
	printf "judge spamassassin %s %d %d %d %d\n", $half, $n{G} // 0,
	    $n{fG} // 0, $n{S} // 0, $n{fS} // 0;
} else {
	warn "judge.sh: $sacf: $! (install spamassassin): left out\n";
}

# rspamd: the checks_hellohost table of hfilter.lua on the host name.
if (open(my $hf, '<', $hfilter)) {
	my ($in, @tab) = (0);
	while (<$hf>) {
		if (/^local checks_hellohost = \[\[/) { $in = 1; next; }
		last if $in && /^\]\]/;
		next unless $in;
		push @tab, [ qr/$1/i, $2 ] if m{^/(.*)/i\s+(\d+)};
	}
	close $hf;
	die "$hfilter: no checks_hellohost table\n" unless @tab;
	my %n;
	for my $r (@rows) {
		my ($kind, $ptr) = ($r->[0], $r->[2]);
		my $w = 0;
		for my $t (@tab) {
			$w = $t->[1] if $ptr =~ $t->[0] && $t->[1] > $w;
		}
		$n{$kind}++;
		$n{"f$kind"}++ if $w >= 3;
	}
	printf "judge rspamd %s %d %d %d %d\n", $half, $n{G} // 0,
	    $n{fG} // 0, $n{S} // 0, $n{fS} // 0;
} else {
	warn "judge.sh: $hfilter: $! (install rspamd): left out\n";
}
PERL
done

cat "$tmp/lines"
echo
echo "| detector | half | generic names caught | senders flagged |"
echo "|---|---|---:|---:|"
awk '{ printf "| %s | %s | %d of %d (%.1f %%) | %d of %d |\n", $2, $3, $5,
    $4, $4 ? 100 * $5 / $4 : 0, $7, $6 }' "$tmp/lines"
