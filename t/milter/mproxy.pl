#!/usr/bin/perl
# SPDX-License-Identifier: BSD-2-Clause
#
# mproxy.pl - a recording milter-protocol proxy for the tests.
#
# SYNOPSIS
#	perl mproxy.pl LISTEN TARGET DIR WATCHPID
#
# DESCRIPTION
#	Listens on the Unix socket LISTEN; for each connection (miltertest)
#	connects to the Unix socket TARGET (rdns-milter) and relays the
#	bytes both ways unchanged, writing every milter frame to the
#	transcript DIR/conn-NNNN.txt (NNNN: connection number from 0001, in
#	accept order).  miltertest cannot show the text of a reply
#	(SMFIR_REPLYCODE) nor the index of a header change; the transcript
#	does.  One line per frame:
#
#		SECONDS DIR CMD [DATA]
#
#	SECONDS since the connection was accepted (3 decimals), DIR ">"
#	(MTA to milter) or "<" (milter to MTA), CMD the command byte, DATA
#	the payload with bytes outside printable ASCII written as \0, \t,
#	\n, \r or \xHH and "\" as "\\".  For SMFIR_INSHEADER (i) and
#	SMFIR_CHGHEADER (m) the 4-byte index comes first, in decimal.
#
#	Test hooks: a HELO frame whose name is "mt-no-helo" is not
#	passed on (the proxy answers "continue" itself, unless the milter
#	negotiated no reply for HELO), so that a script
#	can have a session without HELO, which miltertest cannot do (it
#	fills skipped steps in).
#
#	And a RCPT frame for "<mt-hangup@...>" is passed on, then both
#	connections are closed 0.5 s later: the MTA hangs up while the
#	milter is still deciding.
#
#	Stops when WATCHPID (the test script) is gone or on SIGTERM.  Only
#	Unix sockets: no network at all.
#
#	On a loaded machine it must not be the weak link: a failed fork() is
#	retried (a proxy that died would reset the connections queued on its
#	socket, and miltertest, writing to one, would die of SIGPIPE), an
#	interrupted read or write is retried, a closed peer is an end of
#	stream rather than a SIGPIPE, and a transcript that cannot be written
#	does not stop the relay (the reason goes to standard error).
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;
use Socket qw(SOCK_STREAM);
use POSIX qw(WNOHANG);
use Errno qw(EINTR EAGAIN);
use Time::HiRes qw(time sleep);

my ($listen, $target, $dir, $watch) = @ARGV;
die "usage: mproxy.pl LISTEN TARGET DIR WATCHPID\n"
    unless defined $watch && $watch =~ /^\d+$/;

unlink $listen;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $listen,
    Listen => 64) or die "mproxy: listen $listen: $!\n";

$SIG{CHLD} = sub { 1 while waitpid(-1, WNOHANG) > 0; };
$SIG{TERM} = sub { unlink $listen; exit 0; };
$SIG{PIPE} = 'IGNORE';

my $n = 0;
my $sel = IO::Select->new($srv);
for (;;) {
	exit 0 unless kill 0, $watch;
	next unless $sel->can_read(0.5);
	my $c = $srv->accept or next;
	$n++;
	my $pid;
	for my $try (1 .. 100) {
		$pid = fork;
		last if defined $pid;
		print STDERR "mproxy: fork: $!; trying again\n";
		sleep(0.1);
	}
	die "mproxy: fork: $!\n" unless defined $pid;
	if ($pid == 0) {
		$SIG{TERM} = 'DEFAULT';
		$SIG{CHLD} = 'DEFAULT';
		close $srv;
		relay($c, sprintf("%s/conn-%04d.txt", $dir, $n));
		exit 0;
	}
	close $c;
}

sub esc
{
	my ($s) = @_;
	my %named = ("\0" => '\0', "\t" => '\t', "\n" => '\n', "\r" => '\r',
	    "\\" => '\\\\');

	$s =~ s/([^\x20-\x5b\x5d-\x7e])/
	    exists $named{$1} ? $named{$1} : sprintf('\\x%02x', ord $1)/ge;
	return $s;
}

sub render
{
	my ($cmd, $data, $from_milter) = @_;

	if ($from_milter && ($cmd eq 'i' || $cmd eq 'm') &&
	    length($data) >= 4) {
		return unpack('N', $data) . ' ' . esc(substr($data, 4));
	}
	return esc($data);
}

# Split complete frames off the front of $$buf; returns [cmd, data] pairs.
sub frames
{
	my ($buf) = @_;
	my @out;

	while (length($$buf) >= 4) {
		my $len = unpack('N', $$buf);
		last if $len < 1 || length($$buf) < 4 + $len;
		push @out, [substr($$buf, 4, 1), substr($$buf, 5, $len - 1),
		    substr($$buf, 0, 4 + $len)];
		substr($$buf, 0, 4 + $len) = '';
	}
	return @out;
}

sub writeall
{
	my ($fh, $data) = @_;
	my $off = 0;

	while ($off < length $data) {
		my $w = syswrite($fh, $data, length($data) - $off, $off);
		next if !defined $w && ($! == EINTR || $! == EAGAIN);
		return 0 unless defined $w && $w > 0;
		$off += $w;
	}
	return 1;
}

sub relay
{
	my ($c, $file) = @_;
	my $t0 = time;
	my $m = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $target);
	my $log;
	unless (open($log, '>', $file)) {
		print STDERR "mproxy: $file: $!\n";
		open($log, '>', '/dev/null') or die "mproxy: /dev/null: $!\n";
	}
	$log->autoflush(1);
	unless ($m) {
		print $log "mproxy: connect $target: $!\n";
		print STDERR "mproxy: connect $target: $!\n";
		return;
	}
	my %buf = (c => '', m => '');
	my $sel = IO::Select->new($c, $m);
	# The protocol flags the milter asked for in its option
	# negotiation reply: with SMFIP_NR_HELO (0x2000) nobody waits for
	# a reply to HELO, so a dropped HELO gets none either.
	my $pflags = 0;
	for (;;) {
		return unless kill 0, $watch;
		my @r = $sel->can_read(0.5);
		for my $fh (@r) {
			my $from_milter = $fh == $m;
			my $key = $from_milter ? 'm' : 'c';
			my $chunk;
			my $got = sysread($fh, $chunk, 65536);
			next if !defined $got && ($! == EINTR || $! == EAGAIN);
			if (!$got) {
				printf $log "%.3f %s EOF\n", time - $t0,
				    $from_milter ? '<' : '>';
				return;
			}
			$buf{$key} .= $chunk;
			for my $f (frames(\$buf{$key})) {
				my ($cmd, $data, $raw) = @$f;
				$pflags = unpack('N', substr($data, 8, 4))
				    if $from_milter && $cmd eq 'O' &&
				    length($data) >= 12;
				my $drop = !$from_milter && $cmd eq 'H' &&
				    $data eq "mt-no-helo\0";
				my $text = ($drop ? '(dropped) ' : '') .
				    render($cmd, $data, $from_milter);
				printf $log "%.3f %s %s%s\n", time - $t0,
				    $from_milter ? '<' : '>', esc($cmd),
				    $text eq '' ? '' : " $text";
				if ($drop) {
					next if $pflags & 0x2000;
					return unless writeall($c,
					    pack('N', 1) . 'c');
					next;
				}
				return unless writeall($from_milter ? $c : $m,
				    $raw);
				# Hang up while the milter works on it (not at
				# once: libmilter drops unread commands on a
				# hang-up).
				if (!$from_milter && $cmd eq 'R' &&
				    $data =~ /^<mt-hangup@/) {
					select(undef, undef, undef, 0.5);
					return;
				}
			}
		}
	}
}
