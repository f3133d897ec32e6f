#!/usr/bin/perl
# slowloris.pl PORT COUNT EVERY_S DURATION_S AGAIN_S: COUNT clients on
# 127.0.0.1:PORT, each sending one byte of a request that never ends every
# EVERY_S seconds, for DURATION_S seconds; a client the server cuts
# connects again AGAIN_S seconds later (0: never). Not a test by itself (the .sh
# scripts drive it); it touches "started" once every client has tried to
# connect, and prints at the end:
#	opened=N cut=N open=N life_min=S life_max=S
# where life is how long the server kept a connection it cut, counted from
# the client's connect() (which includes any wait in the listen backlog).
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);
use Errno qw(EINPROGRESS EAGAIN EWOULDBLOCK);

my ($port, $count, $every, $duration, $again) = @ARGV;
die "usage: slowloris.pl PORT COUNT EVERY_S DURATION_S AGAIN_S\n"
    unless defined $again;
my @later;	# when the clients the server cut connect again
my $req = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " .
    ("a" x 4000);
my %conn;
my ($opened, $cut, $lmin, $lmax) = (0, 0, undef, 0);
my $sel = IO::Select->new;
my $end = time + $duration;

sub open_one {
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	    PeerPort => $port, Proto => "tcp", Blocking => 0) or return;
	$conn{fileno $s} = { s => $s, at => time, sent => 0 };
	$sel->add($s);
	$opened++;
}

sub gone {
	my ($c) = @_;
	my $life = time - $c->{at};
	$sel->remove($c->{s});
	delete $conn{fileno $c->{s}};
	close $c->{s};
	$cut++;
	$lmin = $life if !defined $lmin || $life < $lmin;
	$lmax = $life if $life > $lmax;
	push @later, time + $again if $again > 0;
}

open_one() for 1 .. $count;
if (open(my $f, ">", "started")) {
	close($f);
}
my $next = time;
while (time < $end) {
	while (@later && $later[0] <= time) {
		shift @later;
		open_one();
	}
	if (time >= $next) {
		for my $c (values %conn) {
			next if $c->{sent} >= length $req;
			my $n = syswrite($c->{s}, substr($req, $c->{sent}, 1));
			$c->{sent} += $n if defined $n && $n > 0;
			gone($c) if !defined $n && $! != EAGAIN &&
			    $! != EWOULDBLOCK && $! != EINPROGRESS &&
			    !$!{ENOTCONN};
		}
		$next += $every;
	}
	my $wait = $next - time;
	$wait = 0 if $wait < 0;
	$wait = $end - time if $end - time < $wait;
	$wait = $later[0] - time if @later && $later[0] - time < $wait;
	for my $s ($sel->can_read($wait > 0 ? $wait : 0)) {
		my $c = $conn{fileno $s} or next;
		my $buf;
		my $n = sysread($s, $buf, 4096);
		gone($c) if !defined $n ? ($! != EAGAIN && $! != EWOULDBLOCK) :
		    $n == 0;
	}
}
printf "opened=%d cut=%d open=%d life_min=%.1f life_max=%.1f\n", $opened,
    $cut, scalar(keys %conn), $lmin // 0, $lmax;
