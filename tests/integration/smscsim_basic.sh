#!/bin/sh
# smscsim_basic: muni-smscsim against an SMPP peer nobody here wrote
# (Debian's Net::SMPP): a wrong password, bind, submits (one throttled),
# receipts with TLVs and text, MO and USSD injected on the control socket,
# a "phone" that sends an MO and sees the reply, hostile PDUs the peer must
# survive, enquire_link, unbind, and a receipt kept across a reconnect.
set -eu

sim=${MUNI_BIN:?}/muni-smscsim
pids=""
cleanup() {
	exec 3>&- 2>/dev/null || :
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	for p in $pids; do wait "$p" 2>/dev/null || :; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	echo "--- simulator log"; cat sim.err
	[ -f submit.log ] && { echo "--- submit log"; cat submit.log; }
	[ -f phone.out ] && { echo "--- phone"; cat phone.out; }
	exit 1
}

"$sim" -p 0 -o submit.log -O deliver.log -C "$PWD/ctl.sock" -r 50 -e 1 \
    --throttle 3 >sim.out 2>sim.err </dev/null &
pids="$!"
i=0
until grep -q '^port=' sim.out 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || fail "no port= from the simulator"
	sleep 0.1
done
port=$(sed -n 's/^port=//p' sim.out)

# The phone types "RINDA" as +37120000002 and waits for the answer.
mkfifo phone.in
"$sim" --phone -C "$PWD/ctl.sock" -n +37120000002 -t 505 \
    <phone.in >phone.out 2>&1 &
pids="$pids $!"
exec 3>phone.in
echo RINDA >&3

if ! perl - "$port" "$sim" "$PWD/ctl.sock" <<'EOF'
use strict;
use warnings;
use Net::SMPP;

my ($port, $sim, $ctl) = @ARGV;
$SIG{ALRM} = sub { die "timed out\n" };
# Net::SMPP names each of the 40 vendor parameters it does not know.
$SIG{__WARN__} = sub { warn @_ unless $_[0] =~ /^Unknown tag/ };
alarm 10;

sub ctl {
	my $pid = open(my $out, '-|', $sim, '--ctl', '-C', $ctl, @_)
	    or die "ctl @_: $!\n";
	my $answer = <$out>;
	close($out) or die "ctl @_: $answer";
}
sub connect_as {
	my ($how, $pw) = @_;
	my ($s, $r) = Net::SMPP->$how('127.0.0.1', port => $port,
	    system_id => 'muni', password => $pw, timeout => 5);
	die "no connection\n" unless $s && $r;
	return ($s, $r);
}

my ($bad, $r) = connect_as('new_transceiver', 'wrong');
die sprintf("wrong password: status 0x%x\n", $r->{status})
    unless $r->{status} == 0x0e;
$bad->close;

my $smpp;
($smpp, $r) = connect_as('new_transceiver', 'secret');
die "bind failed\n" unless $r->{status} == 0;

my %want;	# submit seq => expected status
my $seq = $smpp->submit_sm(async => 1, source_addr_ton => 5,
    source_addr => 'MUNI', dest_addr_ton => 1, dest_addr_npi => 1,
    destination_addr => '37120000001', short_message => 'Sveiki',
    registered_delivery => 1);
$want{$seq} = 0;
$seq = $smpp->submit_sm(async => 1, source_addr_ton => 5,
    source_addr => 'MUNI', dest_addr_ton => 1, dest_addr_npi => 1,
    destination_addr => '37120000001', data_coding => 8,
    short_message => "\x00J\x01\x6b\x00s\x00u", registered_delivery => 1);
$want{$seq} = 0;
$seq = $smpp->submit_sm(async => 1, destination_addr => '37120000001',
    short_message => 'third', registered_delivery => 1);
$want{$seq} = 0x58;	# --throttle 3

ctl('mo', '-u', '+37120000001', '505', 'RINDA ā');
ctl('ussd', '+37120000001', '*505#');
ctl('send', 'unknown');
ctl('send', 'tlv40');

my (%ids, %receipts, $mo, $ussd, $phone, $nacked, $tlv40, $enq);
until (!%want && keys %receipts == 2 && $mo && $ussd && $phone &&
    $nacked && $tlv40 && $enq) {
	my $pdu = $smpp->read_pdu() or die "connection lost\n";
	my $cmd = $pdu->{cmd};
	if ($cmd == 0x80000004) {
		my $w = delete $want{$pdu->{seq}};
		next unless defined $w;	# the reply to the phone
		die sprintf("submit %d: status 0x%x, wanted 0x%x\n",
		    $pdu->{seq}, $pdu->{status}, $w) if $pdu->{status} != $w;
		$ids{$pdu->{message_id}} = 1 if $w == 0;
	} elsif ($cmd == 0x15) {
		$smpp->enquire_link_resp(seq => $pdu->{seq});
		$enq = 1;
	} elsif ($cmd == 0x666) {
		$smpp->generic_nack(seq => $pdu->{seq}, status => 3);
		$nacked = 1;
	} elsif ($cmd == 5) {
		$smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '');
		my $sm = $pdu->{short_message} // '';
		if ($pdu->{esm_class} & 4) {
			my $id = $pdu->{receipted_message_id};
			$id =~ s/\0$//;
			die "receipt for unknown id $id\n" unless $ids{$id};
			die "receipt state\n" unless $pdu->{message_state} eq "\x02";
			die "receipt text: $sm\n"
			    unless $sm =~ /^id:$id sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:/;
			$receipts{$id} = 1;
		} elsif (($pdu->{service_type} // '') eq 'USSD') {
			die "ussd op\n" unless $pdu->{1281} eq "\x01";
			die "ussd text $sm\n" unless $sm eq '*505#';
			die "ussd dst\n" unless $pdu->{destination_addr} eq '505';
			$ussd = 1;
		} elsif (exists $pdu->{0x1428}) {
			$tlv40 = 1;	# 40 optional parameters, 0x1401..0x1428
		} elsif ($pdu->{source_addr} eq '37120000002') {
			die "phone text $sm\n" unless $sm eq 'RINDA';
			$seq = $smpp->submit_sm(async => 1, source_addr => '505',
			    source_addr_ton => 3, dest_addr_ton => 1,
			    dest_addr_npi => 1, destination_addr => '37120000002',
			    short_message => 'Jusu rinda: 12');
			$phone = 1;
		} else {
			die sprintf("MO dcs %d\n", $pdu->{data_coding})
			    unless $pdu->{data_coding} == 8;
			die "MO text\n" unless $sm eq
			    "\x00R\x00I\x00N\x00D\x00A\x00 \x01\x01";
			die "MO source\n"
			    unless $pdu->{source_addr} eq '37120000001' &&
			    $pdu->{source_addr_ton} == 1;
			$mo = 1;
		}
	}
}
$r = $smpp->unbind();
die "unbind\n" unless $r && $r->{status} == 0;
$smpp->close;

# A receipt due while nobody is bound waits for the next receiver.
($smpp, $r) = connect_as('new_transmitter', 'secret');
$r = $smpp->submit_sm(destination_addr => '37120000003',
    short_message => 'later', registered_delivery => 1);
die "submit on transmitter\n" unless $r->{status} == 0;
my $later = $r->{message_id};
$smpp->close;
select(undef, undef, undef, 0.2);
($smpp, $r) = connect_as('new_receiver', 'secret');
for (;;) {
	my $pdu = $smpp->read_pdu() or die "receiver lost\n";
	if ($pdu->{cmd} == 0x15) {
		$smpp->enquire_link_resp(seq => $pdu->{seq});
		next;
	}
	next unless $pdu->{cmd} == 5;
	$smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => '');
	my $id = $pdu->{receipted_message_id};
	$id =~ s/\0$//;
	die "kept receipt $id, wanted $later\n" unless $id eq $later;
	last;
}
$smpp->unbind();
print "peer ok\n";
EOF
then
	fail "Net::SMPP peer"
fi

# The phone saw the gateway's answer.
i=0
until grep -q 'Jusu rinda: 12' phone.out; do
	i=$((i + 1))
	[ "$i" -lt 30 ] || fail "the phone saw no reply"
	sleep 0.1
done
grep -q '^\[SMS from 505\]' phone.out || fail "phone output"
exec 3>&-

stats=$("$sim" --ctl -C "$PWD/ctl.sock" stats) || fail "stats"
for kv in bind_fail=1 submits=5 accepted=4 throttled=1 mo=2 ussd=1 \
    nacks_received=1 faults=2 receipts=3; do
	case " $stats " in
	*" $kv "*) ;;
	*) fail "stats lack $kv: $stats" ;;
	esac
done
"$sim" --ctl -C "$PWD/ctl.sock" flush >/dev/null || fail "flush"

[ "$(grep -c '^submit ' submit.log)" -eq 5 ] || fail "submit lines"
grep -q 'status=0x00 id=00000001 src=MUNI dst=+37120000001 dcs=0 esm=0x00 reg=1 svc=- udh=- text_hex=537665696b69 text=Sveiki$' \
    submit.log || fail "first submit line"
grep -q 'status=0x00 id=00000002 .* dcs=8 .* text_hex=004a016b00730075 text=Jūsu$' \
    submit.log || fail "UCS-2 submit line"
grep -q 'status=0x58 id=- .* text=third$' submit.log || fail "throttled line"
grep -q 'dst=+37120000002 .*text=Jusu rinda: 12$' submit.log ||
    fail "reply line"
echo "ok"
