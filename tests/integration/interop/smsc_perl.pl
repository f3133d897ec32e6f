#!/usr/bin/perl
#
# smsc_perl.pl: an SMSC (SMPP 3.4 server) built on Debian's Net::SMPP
# (libnet-smpp-perl), for interoperability tests of muni: code nobody on
# muni wrote decides how the PDUs look. It checks binds, logs every
# submit_sm, sends delivery receipts, sends enquire_link of its own, and
# injects MO SMS and USSD on a control socket that speaks muni-smscsim's
# line protocol. See README.
#
# usage: perl smsc_perl.pl [-v] [-a addr] [-p port] [-u system_id]
#        [-w password] [-o events.log] [-C control.sock] [-r receipt_ms]
#        [-e enquire_s] [-s receipt_stat]
#
# One process, one select() loop. Net::SMPP reads a PDU with blocking
# reads once select() says bytes are there: fine for tests on loopback,
# not for a peer that sends half a PDU and stops.
use strict;
use warnings;

use Encode qw(encode decode);
use Getopt::Std;
use IO::Select;
use IO::Socket::UNIX;
use Net::SMPP;
use POSIX qw(strftime);
use Time::HiRes qw(time);

my %o;
getopts('a:C:e:hp:o:r:s:u:vw:', \%o) && !@ARGV or usage(1);
usage(0) if $o{h};
my %conf = (addr => $o{a} // '127.0.0.1', port => $o{p} // 2775,
    system_id => $o{u} // 'muni', password => $o{w} // 'secret',
    log => $o{o}, ctl => $o{C}, receipt_ms => $o{r} // 100,
    enquire_s => $o{e} // 30, stat => $o{s} // 'DELIVRD');
my %STATES = (DELIVRD => 2, EXPIRED => 3, DELETED => 4, UNDELIV => 5,
    ACCEPTD => 6, UNKNOWN => 7, REJECTD => 8);
# Whole numbers; enquire_s may have a fraction (tests use 0.2).
for (qw(port receipt_ms)) { usage(1) unless $conf{$_} =~ /^\d+$/ }
usage(1) unless $conf{enquire_s} =~ /^\d+(\.\d+)?$/;
usage(1) unless exists $STATES{$conf{stat}};

sub usage {
	my $fh = $_[0] ? *STDERR : *STDOUT;
	print $fh "usage: smsc_perl.pl [-v] [-a addr] [-p port] [-u system_id]",
	    " [-w password]\n\t[-o events.log] [-C control.sock]",
	    " [-r receipt_ms] [-e enquire_s] [-s receipt_stat]\n",
	    "port 0 picks a free port; it is printed as port=N.\n";
	exit $_[0];
}

$| = 1;
$SIG{PIPE} = 'IGNORE';	# a peer gone while we write: handled as EOF
# Net::SMPP warns on every closed connection and on TLVs it has no name for.
$SIG{__WARN__} = sub {
	warn @_ if $o{v} || $_[0] !~ /^(premature eof|Unknown tag)/;
};

my $logfh;
if (defined $conf{log}) {
	open($logfh, '>>:raw', $conf{log}) or die "$conf{log}: $!\n";
	$logfh->autoflush(1);
}
# One line per event, written at once so a test can grep right after.
sub event {
	my $line = encode('UTF-8', shift);
	print STDERR "smsc_perl: $line\n" if $o{v};
	print $logfh "$line\n" if $logfh;
}

my %st = map { $_ => 0 } qw(binds bind_fail submits receipts mo ussd
    enquire_in enquire_out unbinds);
my $next_id = 1;
my %sess;		# "$conn" => { conn, mode, pending => { seq => what } }
my @pending_receipts;	# waiting for a receiver to bind
my @timers;		# [ when, code ], for receipts
my $sel = IO::Select->new;

my $listener = Net::SMPP->new_listen($conf{addr}, port => $conf{port},
    system_id => 'perl-smsc') or die "listen: $!\n";
$sel->add($listener);
print "port=", $listener->sockport, "\n" if $conf{port} == 0;

my ($ctl, %ctlbuf);
if (defined $conf{ctl}) {
	unlink $conf{ctl};
	$ctl = IO::Socket::UNIX->new(Local => $conf{ctl}, Listen => 5)
	    or die "$conf{ctl}: $!\n";
	$sel->add($ctl);
}

sub hexs { length $_[0] ? unpack('H*', $_[0]) : '-' }
sub hex2 { sprintf '0x%02x', $_[0] }

# "+371…" international, short digits a short code, else alphanumeric:
# the same rule as muni's pdu_addr_set, so logs read the same.
sub addr {
	my $s = shift;
	return (1, 1, $1) if $s =~ /^\+(\d{1,15})$/;
	return length $s <= 6 ? (3, 0, $s) : (length $s <= 8 ? 2 : 1, 1, $s)
	    if $s =~ /^\d{1,20}$/;
	return (5, 0, $s);
}
sub show_addr {
	my ($ton, $a) = @_;
	return $a eq '' ? '-' : $ton == 1 && $a !~ /^\+/ ? "+$a" : $a;
}

# User data to characters for the log ("?" when it does not decode).
sub decode_text {
	my ($dcs, $ud) = @_;
	my %enc = (0 => 'gsm0338', 1 => 'ascii', 3 => 'latin1', 8 => 'UTF-16BE');
	return '?' unless defined $dcs && $enc{$dcs};
	return eval { decode($enc{$dcs}, $ud) } // '?';
}
sub escape {
	my $s = shift;
	$s =~ s/\\/\\\\/g;
	$s =~ s/\n/\\n/g;
	$s =~ s/\r/\\r/g;
	$s =~ s/[\x00-\x1f]/?/g;
	return $s;
}

# A receiver for a receipt or MO: the submitter if it can receive, else
# any bound receiver or transceiver.
sub receiver {
	my $prefer = shift;
	return $prefer if $prefer && $sess{$prefer->{conn}} &&
	    $prefer->{mode} && $prefer->{mode} ne 'tx';
	for my $s (values %sess) {
		return $s if $s->{mode} && $s->{mode} ne 'tx';
	}
	return undef;
}

# Send a deliver_sm; its deliver_sm_resp status (the gateway's answer: 0,
# or e.g. 0x64 ESME_RX_T_APPN when it could not store it) is logged as
# "WHAT resp=…". Net::SMPP wants named TLVs already packed: a plain 1
# would go out as the character "1".
sub deliver {
	my ($s, $what, %p) = @_;
	my $seq = $s->{conn}->deliver_sm(async => 1, %p);
	$s->{pending}{$seq} = $what;
}

sub send_receipt {
	my ($r, $prefer) = @_;
	my $s = receiver($prefer);
	if (!$s) {
		push @pending_receipts, $r;
		return;
	}
	my $ok = $conf{stat} eq 'DELIVRD';
	(my $t = substr($r->{text}, 0, 20)) =~ s/[^ -~]/./g;
	# The SMPP 3.4 appendix B text, and the TLVs that say the same.
	my $text = sprintf('id:%s sub:001 dlvrd:%s submit date:%s done ' .
	    'date:%s stat:%s err:%s text:%s', $r->{id}, $ok ? '001' : '000',
	    $r->{date}, strftime('%y%m%d%H%M', gmtime), $conf{stat},
	    $ok ? '000' : '001', $t);
	$st{receipts}++;
	# Optional parameters go out in the order given: id, then state.
	deliver($s, "receipt id=$r->{id} stat=$conf{stat}",
	    source_addr_ton => $r->{dst}[0], source_addr_npi => $r->{dst}[1],
	    source_addr => $r->{dst}[2], dest_addr_ton => $r->{src}[0],
	    dest_addr_npi => $r->{src}[1], destination_addr => $r->{src}[2],
	    esm_class => 0x04, data_coding => 0, short_message => $text,
	    receipted_message_id => "$r->{id}\0",
	    message_state => pack('C', $STATES{$conf{stat}}));
}

# bind_*: check system_id and password; a wrong password gets
# ESME_RINVPASWD and the client may try again on the same connection.
sub on_bind {
	my ($s, $mode, $pdu) = @_;
	my $status = $s->{mode} ? Net::SMPP::ESME_RALYBND :
	    $pdu->{system_id} ne $conf{system_id} ? Net::SMPP::ESME_RINVSYSID :
	    $pdu->{password} ne $conf{password} ? Net::SMPP::ESME_RINVPASWD : 0;
	my $resp = { trx => 'bind_transceiver_resp',
	    tx => 'bind_transmitter_resp', rx => 'bind_receiver_resp' }->{$mode};
	$s->{conn}->$resp(seq => $pdu->{seq}, status => $status);
	event("bind mode=$mode system_id=$pdu->{system_id} status=" .
	    hex2($status));
	if ($status) {
		$st{bind_fail}++;
		return;
	}
	$st{binds}++;
	$s->{mode} = $mode;
	$s->{enquire_at} = time + $conf{enquire_s};
	if ($mode ne 'tx') {
		my @waiting = splice @pending_receipts;
		send_receipt($_, $s) for @waiting;
	}
}

# submit_sm: answer with a message id, log the exact octets, and send a
# receipt after receipt_ms when the submit asked for one.
sub on_submit {
	my ($s, $pdu) = @_;
	if (!$s->{mode} || $s->{mode} eq 'rx') {
		$s->{conn}->submit_sm_resp(seq => $pdu->{seq}, message_id => '',
		    status => Net::SMPP::ESME_RINVBNDSTS);
		return;
	}
	my $id = $next_id++;
	$s->{conn}->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
	$st{submits}++;
	my $data = $pdu->{short_message} // '';	# cut short
	my $payload = $data eq '' && defined $pdu->{message_payload};
	$data = $pdu->{message_payload} if $payload;
	my $ul = 0;
	$ul = ord($data) + 1 if ($pdu->{esm_class} & 0x40) && length $data &&
	    ord($data) + 1 <= length $data;
	my $ud = substr($data, $ul);
	my $text = decode_text($pdu->{data_coding}, $ud);
	event(sprintf('submit seq=%u status=0x00 id=%s src=%s dst=%s dcs=%u ' .
	    'esm=%s reg=%u svc=%s%s udh=%s text_hex=%s text=%s', $pdu->{seq},
	    $id, show_addr($pdu->{source_addr_ton}, $pdu->{source_addr}),
	    show_addr($pdu->{dest_addr_ton}, $pdu->{destination_addr}),
	    $pdu->{data_coding}, hex2($pdu->{esm_class}),
	    $pdu->{registered_delivery}, $pdu->{service_type} || '-',
	    $payload ? ' payload=1' : '', hexs(substr($data, 0, $ul)),
	    hexs($ud), escape($text)));
	return unless $pdu->{registered_delivery} & 0x03;
	my $r = { id => $id, text => $text,
	    date => strftime('%y%m%d%H%M', gmtime),
	    src => [ @$pdu{qw(source_addr_ton source_addr_npi source_addr)} ],
	    dst => [ @$pdu{qw(dest_addr_ton dest_addr_npi destination_addr)} ] };
	push @timers, [ time + $conf{receipt_ms} / 1000,
	    sub { send_receipt($r, $s) } ];
}

# One PDU from a client, by command id.
sub on_pdu {
	my ($s, $pdu) = @_;
	my ($cmd, $seq, $c) = ($pdu->{cmd}, $pdu->{seq}, $s->{conn});
	if ($cmd == 0x09) {
		on_bind($s, 'trx', $pdu);
	} elsif ($cmd == 0x02) {
		on_bind($s, 'tx', $pdu);
	} elsif ($cmd == 0x01) {
		on_bind($s, 'rx', $pdu);
	} elsif ($cmd == 0x04) {
		on_submit($s, $pdu);
	} elsif ($cmd == 0x15) {
		$st{enquire_in}++;
		event('enquire_link');
		$c->enquire_link_resp(seq => $seq);
	} elsif ($cmd == 0x80000015) {
		event('enquire_link_resp');
	} elsif ($cmd == 0x80000005) {
		my $what = delete $s->{pending}{$seq};
		event("$what resp=" . hex2($pdu->{status})) if defined $what;
	} elsif ($cmd == 0x06) {
		$st{unbinds}++;
		event('unbind');
		$c->unbind_resp(seq => $seq);
		close_session($s);
	} elsif ($cmd == 0x80000006) {
		close_session($s);	# the answer to our unbind at shutdown
	} elsif ($cmd == 0x80000000) {
		event('generic_nack status=' . hex2($pdu->{status}));
	} elsif (!($cmd & 0x80000000)) {
		# Any other request, unknown command ids too: generic_nack
		# ESME_RINVCMDID, so a client never waits for an answer.
		$c->generic_nack(seq => $seq, status => Net::SMPP::ESME_RINVCMDID);
	}
}

sub close_session {
	my $s = shift;
	$sel->remove($s->{conn});
	delete $sess{$s->{conn}};
	$s->{mode} = undef;
	$s->{conn}->close;
}

#
# MO injection. GSM 03.38 (data_coding 0, one septet an octet) when the
# text fits, else UCS-2 (data_coding 8); -u forces UCS-2, -p carries the
# text in message_payload with an empty short_message.
#
my %ussd_code;	# number => the service code it dialled

sub user_data {
	my ($text, $ucs2) = @_;
	if (!$ucs2) {
		my $ud = eval {
		    encode('gsm0338', $text, Encode::FB_CROAK | Encode::LEAVE_SRC)
		};
		return (0, $ud) if defined $ud;
	}
	return (8, encode('UTF-16BE', $text));
}

# A command line is taken word by word as muni-smscsim does; rest() is
# the text to the end, its inner spaces kept.
sub word {
	my $l = shift;
	return $$l =~ s/^[ \t]*([^ \t]+)[ \t]?// ? $1 : undef;
}
sub rest {
	my $l = shift;
	(my $r = $$l) =~ s/^[ \t]+//;
	return $r eq '' ? undef : $r;
}

# Backslash escapes as in muni-smscsim: \n, \r, \\.
sub unescape {
	my $s = shift;
	$s =~ s/\\(.)/$1 eq 'n' ? "\n" : $1 eq 'r' ? "\r" : $1/ge;
	return $s;
}

sub cmd_mo {
	my $l = shift;
	my ($ucs2, $payload, $w) = (0, 0);
	while (defined($w = word($l)) && $w =~ /^-/) {
		if ($w eq '-u') { $ucs2 = 1 }
		elsif ($w eq '-p') { $payload = 1 }
		else { return "error unknown flag $w" }
	}
	my ($to, $text) = (word($l), rest($l));
	return 'error usage: mo [-u] [-p] FROM TO TEXT'
	    unless defined $w && defined $to && defined $text;
	my @from = addr($w);
	my @to = addr($to);
	my ($dcs, $ud) = user_data(unescape($text), $ucs2);
	return 'error too long for one short_message: use -p'
	    if !$payload && length $ud > ($dcs == 0 ? 160 : 140);
	my $s = receiver() or return 'error no receiver bound';
	$st{mo}++;
	deliver($s, "mo src=$from[2] dcs=$dcs" . ($payload ? ' payload=1' : ''),
	    source_addr_ton => $from[0], source_addr_npi => $from[1],
	    source_addr => $from[2], dest_addr_ton => $to[0],
	    dest_addr_npi => $to[1], destination_addr => $to[2],
	    esm_class => 0, data_coding => $dcs,
	    short_message => $payload ? '' : $ud,
	    $payload ? (message_payload => $ud) : ());
	return 'ok parts=1';
}

# ussd FROM TEXT [OP [SESSION|-]], or ussd [-o OP] [-s SESSION] FROM TEXT…
# OP defaults to 1 (PSSR indication) for "*…", else 18 (USSR confirm);
# the destination is the code dialled ("*505#" → 505) by that number.
sub cmd_ussd {
	my $l = shift;
	my ($op, $session, $flagged, $w);
	while (defined($w = word($l)) && $w =~ /^-./) {
		$flagged = 1;
		if ($w eq '-o') { $op = word($l) }
		elsif ($w eq '-s') { $session = word($l) }
		else { return "error unknown flag $w" }
	}
	my $from = $w;
	my $text = $flagged ? rest($l) : word($l);
	return 'error usage: ussd FROM TEXT [OP [SESSION|-]]'
	    unless defined $from && defined $text;
	$text = unescape($text);
	($op, $session) = (word($l), word($l)) unless $flagged;
	return 'error bad ussd_service_op'
	    if defined $op && !($op =~ /^\d{1,3}$/ && $op < 256);
	$op //= $text =~ /^\*/ ? 1 : 18;
	return 'error bad session'
	    if defined $session && $session ne '-' && $session !~ /^\d{1,5}$/;
	$ussd_code{$from} = $1 if $op == 1 && $text =~ /^\*?(\d+)/;
	return 'error no USSD session for this number: dial *code# first'
	    unless exists $ussd_code{$from};
	my $s = receiver() or return 'error no receiver bound';
	my @f = addr($from);
	my @to = addr($ussd_code{$from});
	my ($dcs, $ud) = user_data($text, 0);
	$st{ussd}++;
	deliver($s, "ussd src=$f[2] op=$op", service_type => 'USSD',
	    source_addr_ton => $f[0], source_addr_npi => $f[1],
	    source_addr => $f[2], dest_addr_ton => $to[0],
	    dest_addr_npi => $to[1], destination_addr => $to[2],
	    esm_class => 0, data_coding => $dcs, short_message => $ud,
	    ussd_service_op => pack('C', $op),
	    defined $session && $session ne '-' ?
	    (its_session_info => pack('n', $session)) : ());
	return 'ok';
}

my $stop;
sub command {
	my ($line, $fh) = @_;
	my $cmd = word(\$line) // '';
	return cmd_mo(\$line) if $cmd eq 'mo';
	return cmd_ussd(\$line) if $cmd eq 'ussd';
	if ($cmd eq 'stats') {
		my $bound = grep { $_->{mode} } values %sess;
		return join(' ', 'ok', map({ "$_=$st{$_}" } sort keys %st),
		    "bound=$bound");
	}
	if ($cmd eq 'quit') {
		$ctlbuf{$fh}{quit} = 1;
		return 'ok';
	}
	if ($cmd eq 'shutdown') {
		$stop = 1;
		return 'ok';
	}
	return 'ok commands: mo [-u] [-p] FROM TO TEXT | ussd FROM TEXT ' .
	    '[OP [SESSION|-]] | stats | quit | shutdown' if $cmd eq 'help';
	return "error unknown command $cmd";
}

# The control socket: one command a line, one "ok …"/"error …" line back.
sub on_ctl {
	my $fh = shift;
	my $c = $ctlbuf{$fh};
	my $n = sysread($fh, $c->{buf}, 4096, length $c->{buf});
	while ($c->{buf} =~ s/^([^\n]*)\n//) {
		my $line = decode('UTF-8', $1);
		$line =~ s/\r$//;
		next if $line =~ /^\s*$/;
		syswrite($fh, encode('UTF-8', command($line, $fh)) . "\n");
	}
	if (!$n || $c->{quit}) {
		$sel->remove($fh);
		delete $ctlbuf{$fh};
		close $fh;
	}
}

$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };
while (!$stop) {
	# Sleep until the next receipt or enquire_link is due.
	my $now = time;
	my $wake = $now + 1;
	for (@timers) { $wake = $_->[0] if $_->[0] < $wake }
	for (values %sess) {
		$wake = $_->{enquire_at}
		    if $_->{mode} && $conf{enquire_s} && $_->{enquire_at} < $wake;
	}
	my @ready = $sel->can_read($wake > $now ? $wake - $now : 0);
	for my $fh (@ready) {
		if ($fh == $listener) {
			my $conn = $listener->accept or next;
			$sess{$conn} = { conn => $conn, pending => {} };
			$sel->add($conn);
		} elsif ($ctl && $fh == $ctl) {
			my $conn = $ctl->accept or next;
			$ctlbuf{$conn} = { buf => '' };
			$sel->add($conn);
		} elsif ($ctlbuf{$fh}) {
			on_ctl($fh);
		} elsif (my $s = $sess{$fh}) {
			my $pdu = $fh->read_pdu;
			$pdu ? on_pdu($s, $pdu) : close_session($s);
		}
	}
	$now = time;
	my @due = grep { $_->[0] <= $now } @timers;
	@timers = grep { $_->[0] > $now } @timers;
	$_->[1]->() for @due;
	for my $s (values %sess) {
		next unless $s->{mode} && $conf{enquire_s} &&
		    $s->{enquire_at} <= $now;
		$st{enquire_out}++;
		$s->{conn}->enquire_link(async => 1);
		$s->{enquire_at} = $now + $conf{enquire_s};
	}
}

# SIGTERM/SIGINT: unbind every bound session, wait up to 0.5 s for the
# answers, then exit 0.
for my $s (grep { $_->{mode} } values %sess) {
	$s->{conn}->unbind(async => 1);
}
my $deadline = time + 0.5;
while (grep({ $_->{mode} } values %sess) && time < $deadline) {
	for my $fh ($sel->can_read($deadline - time)) {
		my $s = $sess{$fh} or next;
		my $pdu = $fh->read_pdu;
		$pdu ? on_pdu($s, $pdu) : close_session($s);
	}
}
close_session($_) for values %sess;
unlink $conf{ctl} if defined $conf{ctl};
exit 0;
