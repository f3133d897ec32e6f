#!/usr/bin/perl
# rawhttp.pl PORT: send standard input as is to 127.0.0.1:PORT (a request
# an HTTP library would not make: two Content-Length headers, a bad
# header line) and print the answer, up to 5 s of it.
use strict;
use warnings;
use IO::Socket::INET;

my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0],
    Proto => "tcp", Timeout => 5) or die "connect: $!\n";
local $/;
my $req = <STDIN>;
print $s $req;
$s->shutdown(1);
my $buf = "";
eval {
	local $SIG{ALRM} = sub { die "timeout\n" };
	alarm 5;
	while (sysread($s, my $chunk, 4096)) {
		$buf .= $chunk;
	}
	alarm 0;
};
print $buf;
