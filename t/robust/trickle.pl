#!/usr/bin/perl
# SPDX-License-Identifier: BSD-2-Clause
# trickle.pl HOST PORT N SECONDS READYFILE
#
# A slow HTTP client (slowloris): opens N connections to HOST:PORT from
# 127.0.0.1 and sends a request one byte a second, never finishing its
# headers, for at most SECONDS.  Once all N are connected it writes
# READYFILE.  At the end it prints one line per connection, "conn I
# closed-by-server AFTER" (whole seconds since it connected) or "conn I
# still-open", and exits 0.  Used by t/robust/metrics-slow.sh.
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use Errno qw(EAGAIN EWOULDBLOCK);

my ($host, $port, $n, $secs, $ready) = @ARGV;
die "usage: trickle.pl HOST PORT N SECONDS READYFILE\n" unless defined $ready;
$SIG{PIPE} = 'IGNORE';

my $req = "GET /metrics HTTP/1.1\r\nHost: $host\r\nX-Slow: " . ("a" x 4096);
my (@s, @t0, @closed, @pos);
for my $i (0 .. $n - 1) {
	$s[$i] = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
	    LocalAddr => '127.0.0.1', Proto => 'tcp', Timeout => 10)
	    or die "trickle.pl: connect $i: $!\n";
	$s[$i]->blocking(0);
	$t0[$i] = time;
	$pos[$i] = 0;
}
open(my $fh, '>', $ready) or die "trickle.pl: $ready: $!\n";
close($fh);

my $start = time;
while (time - $start < $secs) {
	my $open = 0;
	for my $i (0 .. $n - 1) {
		next if defined $closed[$i];
		my $buf;
		# The server closed it: EOF (or a reset) on read, or a
		# failed write.
		my $r = sysread($s[$i], $buf, 4096);
		if (defined $r && $r == 0 ||
		    !defined $r && $! != EAGAIN && $! != EWOULDBLOCK) {
			$closed[$i] = time - $t0[$i];
			next;
		}
		my $w = syswrite($s[$i], substr($req, $pos[$i] % length($req), 1));
		if (!defined $w && $! != EAGAIN && $! != EWOULDBLOCK) {
			$closed[$i] = time - $t0[$i];
			next;
		}
		$pos[$i]++ if defined $w;
		$open++;
	}
	last if $open == 0;
	sleep(1);
}
for my $i (0 .. $n - 1) {
	if (defined $closed[$i]) {
		printf "conn %d closed-by-server %d\n", $i, $closed[$i];
	} else {
		printf "conn %d still-open\n", $i;
	}
}
exit 0;
