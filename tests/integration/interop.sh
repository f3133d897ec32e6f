#!/bin/sh
# interop: the two SMSCs nobody on muni wrote (tests/integration/interop:
# one on the npm package smpp, one on Debian's Net::SMPP) against clients
# nobody here wrote either: Net::SMPP drives the node SMSC, node's smpp
# drives the Perl one. Both runs cover the same ground: a wrong password,
# binds (transceiver, and a transmitter + receiver pair), GSM, UCS-2,
# concatenated (UDH) and message_payload submits logged octet for octet,
# receipts, MO in GSM, UCS-2 and message_payload, a USSD deliver_sm,
# enquire_link both ways, unbind, and a clean exit on SIGTERM. muni's own
# code checks what it can: its pdu decoder replays every PDU the SMSCs
# sent, and muni-smscsim --ctl drives their control sockets.
set -eu
. "${MUNI_TOP:?}/tests/integration/lib.sh"	# npm_smpp; fail is redefined below

top=${MUNI_TOP:?}
here=$top/tests/integration/interop
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	for p in $pids; do wait "$p" 2>/dev/null || :; done
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

fail() {
	echo "FAIL: $*"
	for f in *.err *.log; do
		[ -s "$f" ] && { echo "--- $f"; cat "$f"; }
	done
	exit 1
}

npm_smpp || fail "node, npm and the npm package smpp are needed (Debian: apt-get install nodejs npm; see npm.log)"

# start NAME COMMAND…: an SMSC on a free loopback port; sets $port.
start() {
	name=$1
	shift
	"$@" -p 0 -u muni -w secret -o "$name.log" -C "$PWD/$name.sock" \
	    -r 50 -e 0.2 >"$name.out" 2>"$name.err" </dev/null &
	pids="$pids $!"
	eval "${name}_pid=$!"
	i=0
	until grep -q '^port=' "$name.out" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "$name printed no port="
		kill -0 "$!" 2>/dev/null || fail "$name did not start"
		sleep 0.05
	done
	port=$(sed -n 's/^port=//p' "$name.out")
}

# ctl SOCKET COMMAND…: one control command, through muni's own client when
# it is built.
ctl() {
	sock=$1
	shift
	if [ -x "${MUNI_BIN:-}/muni-smscsim" ]; then
		"$MUNI_BIN/muni-smscsim" --ctl -C "$sock" "$@"
	else
		perl -MIO::Socket::UNIX -e '
		    my $c = IO::Socket::UNIX->new(Peer => shift) or die "$!\n";
		    print $c "@ARGV\n"; my $a = <$c>; print $a;
		    exit($a =~ /^ok/ ? 0 : 1)' "$sock" "$@"
	fi
}

# --- Net::SMPP (client) against the node SMSC -------------------------

start node node "$here/smsc_node.js"
perl - "$port" "$PWD/node.sock" node.raw >perl-client.err 2>&1 <<'EOF' ||
use strict;
use warnings;
use utf8;
use Encode qw(encode);
use IO::Socket::UNIX;
use Net::SMPP;

my ($port, $ctl, $raw) = @ARGV;
$SIG{ALRM} = sub { die "timed out\n" };
alarm 10;
open(my $rawfh, '>:raw', $raw) or die "$raw: $!\n";

sub ctl {
	my $c = IO::Socket::UNIX->new(Peer => $ctl) or die "$ctl: $!\n";
	print $c encode('UTF-8', "@_\n");
	my $answer = <$c>;
	die "ctl @_: $answer" unless $answer =~ /^ok/;
}
sub connect_as {
	my ($how, $pw) = @_;
	my ($s, $r) = Net::SMPP->$how('127.0.0.1', port => $port,
	    system_id => 'muni', password => $pw, timeout => 5);
	die "no connection\n" unless $s && $r;
	return ($s, $r);
}
my $enquire_in = 0;
# The next PDU, kept as raw bytes for muni's decoder; enquire_link from the
# SMSC is answered here.
sub next_pdu {
	my $s = shift;
	my $p = $s->read_pdu() or die "connection lost\n";
	print $rawfh pack('NNNN', 16 + length $p->{data}, $p->{cmd},
	    $p->{status}, $p->{seq}), $p->{data};
	if ($p->{cmd} == 0x15) {
		$s->enquire_link_resp(seq => $p->{seq});
		$enquire_in++;
	}
	return $p;
}
sub ucs2 { encode('UTF-16BE', shift) }

my ($s, $r) = connect_as('new_transceiver', 'wrong');
die sprintf("wrong password: status 0x%x\n", $r->{status})
    unless $r->{status} == 0x0e;
$s->close;
($s, $r) = connect_as('new_transceiver', 'secret');
die "bind: status $r->{status}\n" if $r->{status};

my %to = (source_addr_ton => 5, source_addr => 'MUNI', dest_addr_ton => 1,
    dest_addr_npi => 1, destination_addr => '37120000001',
    registered_delivery => 1);
my %submits;	# seq => 1 until answered
for my $sm (
    [ short_message => encode('gsm0338', 'Sveiki! @ {ok}') ],
    [ data_coding => 8, short_message => ucs2('Jūsu rinda: 12') ],
    [ data_coding => 8, esm_class => 0x40,
      short_message => "\x05\x00\x03\x2a\x02\x01" . ucs2('Garā ziņa,') ],
    [ data_coding => 8, esm_class => 0x40,
      short_message => "\x05\x00\x03\x2a\x02\x02" . ucs2(' otrā daļa') ],
    [ data_coding => 8, short_message => '',
      message_payload => ucs2('Ziņa caur message_payload') ]) {
	$submits{$s->submit_sm(%to, @$sm, async => 1)} = 1;
}
my $enq = $s->enquire_link(async => 1);

ctl('mo', '+37120000002', '1881', 'Sveiki');
ctl('mo', '-u', '+37120000002', '1881', 'Rinda ā');
ctl('mo', '-p', '+37120000002', '1881', 'Ziņa caur message_payload');
ctl('ussd', '+37120000002', '*505#');

my (%ids, %receipts, %mo, $ussd, $enq_resp);
until (!%submits && keys %receipts == 5 && keys %mo == 3 && $ussd &&
    $enq_resp && $enquire_in) {
	my $p = next_pdu($s);
	my $cmd = $p->{cmd};
	if ($cmd == 0x80000004) {
		die "submit status $p->{status}\n" if $p->{status};
		delete $submits{$p->{seq}} or die "unexpected submit_sm_resp\n";
		$ids{$p->{message_id}} = 1;
	} elsif ($cmd == 0x80000015) {
		$enq_resp = $p->{seq} == $enq;
	} elsif ($cmd == 5) {
		$s->deliver_sm_resp(seq => $p->{seq}, message_id => '');
		my $sm = $p->{short_message};
		if ($p->{esm_class} & 0x04) {
			(my $id = $p->{receipted_message_id}) =~ s/\0$//;
			die "receipt for unknown id $id\n" unless $ids{$id};
			die "receipt message_state\n"
			    unless $p->{message_state} eq "\x02";
			die "receipt text: $sm\n" unless $sm =~
			    /^id:$id sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:/;
			$receipts{$id} = 1;
		} elsif (($p->{service_type} // '') eq 'USSD') {
			die "ussd_service_op\n" unless $p->{ussd_service_op} eq "\x01";
			die "ussd text $sm\n" unless $sm eq '*505#';
			die "ussd destination\n" unless $p->{destination_addr} eq '505';
			$ussd = 1;
		} else {
			die "MO source\n" unless $p->{source_addr} eq '37120000002' &&
			    $p->{source_addr_ton} == 1 && $p->{destination_addr} eq '1881';
			if ($p->{data_coding} == 0 && $sm eq 'Sveiki') {
				$mo{gsm} = 1;
			} elsif ($p->{data_coding} == 8 && $sm eq ucs2('Rinda ā')) {
				$mo{ucs2} = 1;
			} elsif ($p->{data_coding} == 8 && $sm eq '' &&
			    $p->{message_payload} eq ucs2('Ziņa caur message_payload')) {
				$mo{payload} = 1;
			} else {
				die "MO dcs $p->{data_coding}: " . unpack('H*', $sm) . "\n";
			}
		}
	}
}
$r = $s->unbind();
die "unbind\n" unless $r && $r->{cmd} == 0x80000006 && $r->{status} == 0;
$s->close;

# A transmitter and a receiver: the receipt of a submit on the one comes
# on the other.
my ($rx) = connect_as('new_receiver', 'secret');
my ($tx) = connect_as('new_transmitter', 'secret');
$r = $tx->submit_sm(%to, destination_addr => '37120000003',
    short_message => 'later');
die "submit on the transmitter\n" unless $r && $r->{status} == 0;
my $later = $r->{message_id};
for (;;) {
	my $p = next_pdu($rx);
	next unless $p->{cmd} == 5;
	$rx->deliver_sm_resp(seq => $p->{seq}, message_id => '');
	(my $id = $p->{receipted_message_id}) =~ s/\0$//;
	die "receipt on the receiver: $id, wanted $later\n" unless $id eq $later;
	last;
}
$_->unbind() for $tx, $rx;
print "ok\n";
EOF
    fail "Net::SMPP client against smsc_node.js"

# --- node's smpp (client) against the Perl SMSC ------------------------

start perl perl "$here/smsc_perl.pl"
node - "$port" "$PWD/perl.sock" perl.raw >node-client.err 2>&1 <<'EOF' ||
'use strict';
const fs = require('fs');
const net = require('net');
const smpp = require('smpp');

const [port, ctlPath, rawPath] = process.argv.slice(2);
setTimeout(() => die('timed out'), 10000).unref();
function die(msg) {
	console.error(msg);
	process.exit(1);
}

// A session whose raw input is kept for muni's decoder: the library reads
// PDUs with socket.read(), so wrap that.
const raw = [];
function session() {
	const s = smpp.connect({ host: '127.0.0.1', port: Number(port) });
	const read = s.socket.read.bind(s.socket);
	s.socket.read = (n) => {
		const b = read(n);
		if (b)
			raw.push(b);
		return b;
	};
	s.on('error', (e) => die('session: ' + e.message));
	s.on('enquire_link', (pdu) => {
		s.enquireIn = (s.enquireIn || 0) + 1;
		s.send(pdu.response());
	});
	return s;
}
const call = (s, cmd, params) => new Promise((res) => s[cmd](params, res));
function ctl(line) {
	return new Promise((res) => {
		const c = net.connect(ctlPath, () => c.write(line + '\n'));
		let buf = '';
		c.on('data', (d) => {
			buf += d;
			if (!buf.includes('\n'))
				return;
			if (!buf.startsWith('ok'))
				die('ctl ' + line + ': ' + buf);
			c.end();
			res();
		});
	});
}
async function until(cond) {
	while (!cond())
		await new Promise((res) => setTimeout(res, 10));
}

async function main() {
	const s = session();
	let r = await call(s, 'bind_transceiver',
	    { system_id: 'muni', password: 'wrong' });
	if (r.command_status !== smpp.ESME_RINVPASWD)
		die('wrong password: status ' + r.command_status);
	// The same connection may try again.
	r = await call(s, 'bind_transceiver',
	    { system_id: 'muni', password: 'secret' });
	if (r.command_status !== 0)
		die('bind: status ' + r.command_status);

	const ids = new Set(), receipts = new Set(), mo = new Set();
	let ussd = false;
	s.on('deliver_sm', (pdu) => {
		s.send(pdu.response());
		// The library decodes short_message to { message, udh }.
		const text = pdu.short_message.message;
		if (pdu.esm_class & 0x04) {
			const id = pdu.receipted_message_id;
			if (!ids.has(id) || pdu.message_state !== 2 ||
			    !new RegExp('^id:' + id + ' sub:001 dlvrd:001 ' +
			    'submit date:\\d{10} done date:\\d{10} ' +
			    'stat:DELIVRD err:000 text:').test(text))
				die('bad receipt: ' + JSON.stringify(pdu));
			receipts.add(id);
		} else if (pdu.service_type === 'USSD') {
			if (pdu.ussd_service_op !== 1 || text !== '*505#' ||
			    pdu.destination_addr !== '505')
				die('bad USSD: ' + JSON.stringify(pdu));
			ussd = true;
		} else {
			if (pdu.source_addr !== '37120000002' ||
			    pdu.source_addr_ton !== 1 ||
			    pdu.destination_addr !== '1881')
				die('MO addresses: ' + JSON.stringify(pdu));
			if (pdu.data_coding === 0 && text === 'Sveiki')
				mo.add('gsm');
			else if (pdu.data_coding === 8 && text === 'Rinda ā')
				mo.add('ucs2');
			else if (pdu.data_coding === 8 && text === '' &&
			    pdu.message_payload.message ===
			    'Ziņa caur message_payload')
				mo.add('payload');
			else
				die('bad MO: ' + JSON.stringify(pdu));
		}
	});

	const to = { source_addr_ton: 5, source_addr: 'MUNI',
	    dest_addr_ton: 1, dest_addr_npi: 1,
	    destination_addr: '37120000001', registered_delivery: 1 };
	// Strings, encoded by the library: data_coding 0 is GSM 03.38 there.
	const submits = [
		{ ...to, data_coding: 0, short_message: 'Sveiki! @ {ok}' },
		{ ...to, data_coding: 8, short_message: 'Jūsu rinda: 12' },
		{ ...to, data_coding: 8, short_message: { message: 'Garā ziņa,',
		    udh: Buffer.from('0500032a0201', 'hex') } },
		{ ...to, data_coding: 8, short_message: { message: ' otrā daļa',
		    udh: Buffer.from('0500032a0202', 'hex') } },
		{ ...to, data_coding: 8,
		    message_payload: 'Ziņa caur message_payload' },
	];
	for (const p of submits) {
		r = await call(s, 'submit_sm', p);
		if (r.command_status !== 0)
			die('submit: status ' + r.command_status);
		ids.add(r.message_id);
	}
	r = await call(s, 'enquire_link', {});
	if (r.command !== 'enquire_link_resp')
		die('enquire_link');

	await ctl('mo +37120000002 1881 Sveiki');
	await ctl('mo -u +37120000002 1881 Rinda ā');
	await ctl('mo -p +37120000002 1881 Ziņa caur message_payload');
	await ctl('ussd +37120000002 *505#');
	await until(() => receipts.size === 5 && mo.size === 3 && ussd &&
	    s.enquireIn > 0);
	r = await call(s, 'unbind', {});
	if (r.command !== 'unbind_resp' || r.command_status !== 0)
		die('unbind');
	s.close();

	// A transmitter and a receiver: the receipt of a submit on the one
	// comes on the other.
	const rx = session(), tx = session();
	let got = null;
	rx.on('deliver_sm', (pdu) => {
		rx.send(pdu.response());
		got = pdu.receipted_message_id;
	});
	await call(rx, 'bind_receiver', { system_id: 'muni', password: 'secret' });
	await call(tx, 'bind_transmitter',
	    { system_id: 'muni', password: 'secret' });
	r = await call(tx, 'submit_sm', { ...to,
	    destination_addr: '37120000003', data_coding: 0,
	    short_message: 'later' });
	if (r.command_status !== 0)
		die('submit on the transmitter');
	await until(() => got !== null);
	if (got !== r.message_id)
		die('receipt on the receiver: ' + got + ', wanted ' + r.message_id);
	await call(tx, 'unbind', {});
	await call(rx, 'unbind', {});
	fs.writeFileSync(rawPath, Buffer.concat(raw));
	console.log('ok');
	process.exit(0);
}
main().catch((e) => die(e.stack));
EOF
    fail "node smpp client against smsc_perl.pl"

# --- what the SMSCs logged ---------------------------------------------

# Both saw the same submits: the same octets, whichever library sent them.
cat >submits.want <<'EOF'
src=MUNI dst=+37120000001 dcs=0 esm=0x00 reg=1 svc=- udh=- text_hex=537665696b69212000201b286f6b1b29 text=Sveiki! @ {ok}
src=MUNI dst=+37120000001 dcs=8 esm=0x00 reg=1 svc=- udh=- text_hex=004a016b00730075002000720069006e00640061003a002000310032 text=Jūsu rinda: 12
src=MUNI dst=+37120000001 dcs=8 esm=0x40 reg=1 svc=- udh=0500032a0201 text_hex=00470061007201010020007a006901460061002c text=Garā ziņa,
src=MUNI dst=+37120000001 dcs=8 esm=0x40 reg=1 svc=- udh=0500032a0202 text_hex=0020006f007400720101002000640061013c0061 text= otrā daļa
src=MUNI dst=+37120000001 dcs=8 esm=0x00 reg=1 svc=- payload=1 udh=- text_hex=005a006901460061002000630061007500720020006d006500730073006100670065005f007000610079006c006f00610064 text=Ziņa caur message_payload
src=MUNI dst=+37120000003 dcs=0 esm=0x00 reg=1 svc=- udh=- text_hex=6c61746572 text=later
EOF
for n in node perl; do
	sed -n 's/^submit seq=[0-9]* status=0x00 id=[^ ]* //p' "$n.log" \
	    >"$n.submits"
	cmp -s submits.want "$n.submits" ||
	    { diff submits.want "$n.submits"; fail "$n: submit lines"; }
	for want in \
	    'bind mode=trx system_id=muni status=0x0e' \
	    'bind mode=trx system_id=muni status=0x00' \
	    'bind mode=tx system_id=muni status=0x00' \
	    'bind mode=rx system_id=muni status=0x00' \
	    'mo src=37120000002 dcs=0 resp=0x00' \
	    'mo src=37120000002 dcs=8 resp=0x00' \
	    'mo src=37120000002 dcs=8 payload=1 resp=0x00' \
	    'ussd src=37120000002 op=1 resp=0x00' \
	    'enquire_link' 'enquire_link_resp' 'unbind'; do
		grep -qx "$want" "$n.log" || fail "$n.log: no line '$want'"
	done
	[ "$(grep -c '^receipt id=[^ ]* stat=DELIVRD resp=0x00$' "$n.log")" \
	    -eq 6 ] || fail "$n.log: not 6 receipts answered"
	stats=$(ctl "$PWD/$n.sock" stats) || fail "$n: stats"
	for kv in binds=3 bind_fail=1 submits=6 receipts=6 mo=3 ussd=1 \
	    unbinds=3; do
		case " $stats " in
		*" $kv "*) ;;
		*) fail "$n: stats lack $kv: $stats" ;;
		esac
	done
done

# muni's own decoder on every PDU the SMSCs sent (when it is built): each
# one decodes and encodes back the same, or is refused with a reason.
replay=$(dirname "${MUNI_BIN:-/nonexistent}")/fuzz/replay_fuzz_pdu
if [ -x "$replay" ]; then
	"$replay" node.raw perl.raw >replay.err 2>&1 ||
	    fail "muni's pdu decoder on the SMSCs' PDUs"
fi

# SIGTERM: both exit 0 and take their control sockets with them.
for n in node perl; do
	pid=$(eval "echo \$${n}_pid")
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	pids=$(echo "$pids" | sed "s/ $pid\$//; s/ $pid / /")
	[ "$st" -eq 0 ] || fail "$n: exit status $st after SIGTERM"
	[ ! -e "$n.sock" ] || fail "$n: control socket left behind"
done
echo "ok"
