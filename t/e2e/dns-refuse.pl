#!/usr/bin/perl
# SPDX-License-Identifier: BSD-2-Clause
# dns-refuse.pl - the only name server an MTA under test can see.
#
#	perl dns-refuse.pl ADDR LOGFILE WATCHPID
#
# Binds UDP port 53 on ADDR (an address in 127.0.0.0/8; the glibc stub
# resolver has no port setting, so a private resolv.conf can only name
# port 53), prints "ready" once bound, answers every query REFUSED at
# once (the resolver then gives up without waiting) and appends
# "NAME TYPE" per query to LOGFILE, so that a test can see whether its MTA
# tried the DNS at all.  Exits when WATCHPID (the test script) is gone, on
# SIGTERM, or after an hour.  Query bytes are hostile: the name is only
# read within the message, label by label, and logged as [A-Za-z0-9._-].
use strict;
use warnings;
use IO::Handle;
use IO::Select;
use IO::Socket::INET;

my ($addr, $logfile, $watch) = @ARGV;
die "usage: dns-refuse.pl ADDR LOGFILE WATCHPID\n"
    unless defined $watch && $addr =~ /^127\.\d+\.\d+\.\d+$/;

my $s = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => 53,
    Proto => 'udp') or die "dns-refuse: bind $addr:53: $!\n";
open(my $log, '>>', $logfile) or die "dns-refuse: $logfile: $!\n";
$log->autoflush(1);
STDOUT->autoflush(1);
print "ready\n";

$SIG{TERM} = sub { exit 0 };
my $sel = IO::Select->new($s);
my $end = time + 3600;
while (time < $end && kill(0, $watch)) {
	next unless $sel->can_read(1);
	my $peer = $s->recv(my $q, 65535);
	# RFC 1035 4.1.1: a 12-byte header comes first.
	next unless defined $peer && length($q) >= 12;
	my ($id, $flags) = unpack('n n', $q);
	next if $flags & 0x8000;	# a response: never answer it
	my ($i, @labels) = (12);
	while ($i < length($q)) {
		my $n = ord(substr($q, $i, 1));
		last if $n == 0 || $n > 63 || $i + 1 + $n > length($q);
		push @labels, substr($q, $i + 1, $n);
		$i += $n + 1;
	}
	my $type = $i + 3 <= length($q) ?
	    unpack('n', substr($q, $i + 1, 2)) : 0;
	my $name = join('.', @labels);
	$name =~ s/[^A-Za-z0-9._-]/?/g;
	print $log "$name type $type\n";
	# QR, the query's opcode and RD, RCODE 5 (REFUSED), no sections.
	$s->send(pack('n n n n n n', $id, 0x8000 | ($flags & 0x7900) | 5,
	    0, 0, 0, 0), 0, $peer);
}
exit 0;
