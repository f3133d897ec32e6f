#!/bin/sh
# peer_bearerbox: muni-smscsim against Kannel's bearerbox and smsbox (Debian
# kannel), an ESME nobody on muni wrote, so that the simulator the gateway's
# tests trust is itself checked against a real client. Kannel binds as a
# transceiver, then as a transmitter+receiver pair; each time it submits a
# GSM, a UCS-2 and a concatenated text (through smsbox's sendsms), gets
# the simulator's receipts and matches them to what it sent (its DLR
# callbacks reach a small HTTP catcher), and answers an MO with its
# sms-service text. Between the two, the simulator restarts with
# --msgid-base: its ids would otherwise begin at 1 again, and Kannel,
# which keys delivery reports on (smsc-id, message id), could match a
# receipt to a message of the simulator's previous life. Stopping
# bearerbox with SIGTERM closes its connections, whether or not it sends
# unbind first; the simulator must take either (and requeue what was in
# flight).
#
# Kannel listens on every interface (admin, smsbox and sendsms ports) and
# its ports are fixed in its configuration: everything runs in a network
# namespace with only loopback, out of reach and out of the way of the
# machine's ports. Creating one needs root (CI runs `make test` as root);
# without it the test prints SKIP and passes.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
ns=muni-bb-$$
pids=""
simpid=""
bbpid=""
sbpid=""
nsmade=0
cleanup() {
	for p in $sbpid $bbpid $simpid $pids; do kill "$p" 2>/dev/null || :; done
	for p in $sbpid $bbpid $simpid $pids; do wait "$p" 2>/dev/null || :; done
	[ "$nsmade" = 0 ] || ip netns delete "$ns" 2>/dev/null || :
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

die() {
	echo "FAIL: $*"
	for f in sim.err bearerbox.log smsbox.log access.log dlr.log; do
		[ -s "$f" ] || continue
		echo "--- $f"
		grep -av 'DEBUG:' "$f" | tail -n 25
	done
	exit 1
}

for p in bearerbox smsbox; do
	[ -x "/usr/sbin/$p" ] || die "/usr/sbin/$p is missing: install kannel (make deps)"
done
. "$MUNI_TOP/tests/integration/peerlib.sh"
peer_netns Kannel

simctl() {
	"$B/muni-smscsim" --ctl -C "$PWD/ctl.sock" "$@"
}

# The delivery reports' HTTP callbacks: each request line into dlr.log.
ip netns exec "$ns" perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
	    LocalPort => 13080, Listen => 16, ReuseAddr => 1) or die "$!\n";
	open(my $log, ">>", "dlr.log") or die "dlr.log: $!\n";
	$log->autoflush(1);
	while (my $c = $s->accept) {
		my $line = <$c> // "";
		$line =~ s/\r?\n$//;
		print $log "$line\n";
		while (my $h = <$c>) { last if $h =~ /^\r?\n$/ }
		print $c "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
		close $c;
	}' 2>dlr.err &
pids="$pids $!"
wait_for 10 "the DLR catcher" listening 13080

# sim_up [OPTION...]: the simulator on port 2775, Kannel's credentials.
sim_up() {
	ip netns exec "$ns" "$B/muni-smscsim" -p 2775 -u kannel -w secret \
	    -o submit.log -O deliver.log -C "$PWD/ctl.sock" -r 200 -e 1 "$@" \
	    >sim.out 2>>sim.err </dev/null &
	simpid=$!
	wait_for 10 "the simulator" listening 2775
}

sim_down() {
	simctl shutdown > /dev/null 2>&1 || :
	wait "$simpid" 2>/dev/null || :
	simpid=""
}

# kannel_smsc LINE...: one smsc group, bound to the simulator with LINEs.
kannel_smsc() {
	cat <<EOF

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
smsc-username = kannel
smsc-password = secret
system-type = ""
address-range = ""
enquire-link-interval = 1
reconnect-delay = 1
EOF
	for l in "$@"; do echo "$l"; done
}

# kannel_conf MODE: bearerbox's and smsbox's configuration, the SMPP
# client bound as MODE (trx: one transceiver; pair: a transmitter on
# port and a receiver on receive-port).
kannel_conf() {
	cat <<EOF
# bearerbox: the SMPP client (one smsc group) and the port smsbox uses.
group = core
admin-port = 13000
admin-password = secret
smsbox-port = 13001
box-allow-ip = 127.0.0.1
log-file = "$PWD/bearerbox.log"
log-level = 0
access-log = "$PWD/access.log"
# Delivery reports are matched in memory: one run of bearerbox.
dlr-storage = internal

EOF
	# Kannel 1.4.5 refuses port and receive-port in one group: a pair is
	# two groups with one smsc-id, the transmitter's and the receiver's.
	if [ "$1" = trx ]; then
		kannel_smsc "port = 2775" "transceiver-mode = true"
	else
		kannel_smsc "port = 2775"
		kannel_smsc "receive-port = 2775"
	fi
	cat <<EOF

# smsbox: sendsms over HTTP for the MT, an sms-service for the MO.
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = 13001
sendsms-port = 13013
log-file = "$PWD/smsbox.log"
log-level = 0
access-log = "$PWD/smsbox-access.log"
global-sender = 505

group = sendsms-user
username = muni
password = secret
# Long texts split into concatenated parts (UDH), not cut at one.
max-messages = 5
concatenation = true

# Every MO gets this answer.
group = sms-service
keyword = default
text = "Kannel answers"
max-messages = 1
EOF
}

sim_bound() {
	simctl stats | grep -q " $1"
}

# sendsms TAG TO TEXT [ucs2]: one MT through smsbox, its delivery report
# (delivered or failed) to the catcher as /dlr?m=TAG&s=TYPE. For UCS-2
# (coding=2) Kannel wants the text in UTF-16BE: given charset=UTF-8 it
# reads the octets as Latin-1.
sendsms() {
	in_ns perl -MHTTP::Tiny -MEncode -e '
	my ($tag, $to, $text, $ucs2) = @ARGV;
	my @extra = $ucs2 ? (coding => 2, charset => "UTF-16BE", text =>
	    encode("UTF-16BE", decode("UTF-8", $text))) :
	    (charset => "UTF-8", text => $text);
	my $h = HTTP::Tiny->new(timeout => 5);
	my $q = $h->www_form_urlencode({ username => "muni",
	    password => "secret", to => $to, "dlr-mask" => 3,
	    "dlr-url" => "http://127.0.0.1:13080/dlr?m=$tag&s=%d", @extra });
	my $r = $h->get("http://127.0.0.1:13013/cgi-bin/sendsms?$q");
	print "$r->{status} $r->{content}\n";
	exit($r->{status} =~ /^2/ ? 0 : 1)' "$@" >>sendsms.out 2>&1 ||
	    die "sendsms $1: $(tail -n 1 sendsms.out)"
}

dlr_seen() {
	grep -q "^GET /dlr?m=$1&s=1 " dlr.log
}

submits_to() {
	simctl flush > /dev/null
	[ "$(grep -c "dst=$1 " submit.log)" -ge "$2" ]
}

long="Dobeles novada pasvaldiba atgadina: nekustama ipasuma nodokla otra \
maksajuma termins ir 15. maijs. Samaksat var internetbanka vai jebkura \
pasta nodala, ka ari pasvaldibas klientu apkalposanas centra."

# kannel_start MODE BOUND: bearerbox bound as MODE (BOUND: the
# simulator's stats words for it), then smsbox.
kannel_start() {
	kannel_conf "$1" > kannel.conf
	ip netns exec "$ns" /usr/sbin/bearerbox -v 4 kannel.conf \
	    >>bearerbox.out 2>&1 </dev/null &
	bbpid=$!
	wait_for 15 "bearerbox bound ($1)" sim_bound "$2"
	ip netns exec "$ns" /usr/sbin/smsbox -v 4 kannel.conf \
	    >>smsbox.out 2>&1 </dev/null &
	sbpid=$!
	wait_for 15 "smsbox's sendsms port" listening 13013
}

# kannel_stop SIGNAL: both boxes stopped; the simulator must see every
# session end and stay up for the next client.
kannel_stop() {
	kill "-$1" "$sbpid" "$bbpid"
	wait "$sbpid" 2>/dev/null || :
	wait "$bbpid" 2>/dev/null || :
	sbpid=""
	bbpid=""
	wait_for 10 "the simulator to see Kannel gone" sim_bound \
	    "sessions=0 "
	wait_for 5 "no bind left" sim_bound "trx=0 tx=0 rx=0"
}

# round MODE BOUND MO: Kannel bound as MODE, its MT with receipts and an
# MO answered (the MO answers so far: MO), then Kannel's SIGTERM shutdown.
round() {
	mode=$1
	kannel_start "$mode" "$2"
	sendsms "gsm-$mode" +37129000001 "Sveiki no Dobeles"
	sendsms "ucs2-$mode" +37129000002 "Jūsu pieteikums saņemts" ucs2
	sendsms "long-$mode" +37129000003 "$long"
	simctl mo +37120000001 505 "RINDA $mode" > /dev/null
	for t in gsm ucs2 long; do
		wait_for 15 "the $t delivery report ($mode)" dlr_seen "$t-$mode"
	done
	wait_for 15 "Kannel's answer to the MO ($mode)" \
	    submits_to +37120000001 "$3"
	expect_grep " Receive SMS \[SMSC:sim\] .*\[from:+37120000001\] \[to:505\] .*\[msg:[0-9]*:RINDA $mode\]" \
	    access.log
	kannel_stop TERM
}

sim_up
round trx "trx=1 tx=0 rx=0" 1
# A new life of the simulator, its ids well past the first one's.
sim_down
sim_up --msgid-base 1000000
round pair "trx=0 tx=1 rx=1" 2

# Kannel killed (no unbind, no FIN from a clean shutdown: the kernel closes
# its sockets): no session of it may stay bound in the simulator, and an
# MO that arrives meanwhile waits for the next receiver and is answered.
kannel_start pair "trx=0 tx=1 rx=1"
kannel_stop KILL
simctl mo +37120000001 505 "RINDA killed" > /dev/null
kannel_start pair "trx=0 tx=1 rx=1"
wait_for 15 "the MO held while Kannel was down answered" \
    submits_to +37120000001 3
expect_grep " Receive SMS \[SMSC:sim\] .*\[msg:[0-9]*:RINDA killed\]" access.log
# enquire_link both ways, each second: Kannel's answered by the simulator,
# the simulator's by Kannel, none nacked.
enquired() {
	[ "$(grep -ac 'type_name: enquire_link_resp$' bearerbox.log)" -ge 4 ] &&
	    [ "$(simctl stats | sed -n 's/.* enquire_sent=\([0-9]*\).*/\1/p')" -ge 2 ]
}
wait_for 10 "enquire_links both ways" enquired
simctl stats | grep -q ' nacks_sent=0 nacks_received=0 ' ||
    die "nacks between Kannel and the simulator: $(simctl stats)"
kannel_stop TERM
expect_no_grep 'unanswered' sim.err

simctl flush > /dev/null
s=submit.log
# Everything Kannel submitted was accepted and asked for a receipt; the
# MO answers did not (no dlr-mask on an sms-service).
expect_eq "submits refused" "$(grep -c ' status=0x[0-9a-f]*[1-9a-f] ' "$s" || :)" 0
expect_grep ' status=0x00 id=00000001 src=505 dst=+37129000001 dcs=0 .* reg=1 .*text=Sveiki no Dobeles$' "$s"
expect_grep ' id=000f4240 src=505 dst=+37129000001 dcs=0 .* reg=1 .*text=Sveiki no Dobeles$' "$s"
for m in trx pair; do
	expect_grep "dlr?m=ucs2-$m&s=1 " dlr.log
done
expect_eq "UCS-2 submits" "$(grep -c 'dst=+37129000002 dcs=8 .*text=Jūsu pieteikums saņemts$' "$s")" 2
# The long text: parts with a concatenation UDH (05 00 03 ref n i).
parts=$(grep -c 'dst=+37129000003 ' "$s")
[ "$parts" -ge 4 ] || die "the long text: $parts parts in two rounds, want 2 × 2"
expect_eq "parts without a UDH" \
    "$(grep 'dst=+37129000003 ' "$s" | grep -c ' udh=- ' || :)" 0
expect_eq "MO answers" \
    "$(grep -c 'dst=+37120000001 .* reg=0 .*text=Kannel answers$' "$s")" 3
# The receipts matched what they were for, and only that: one report of
# each kind per message and round, none marked failed.
expect_eq "failed delivery reports" "$(grep -c '&s=2 ' dlr.log || :)" 0
for m in trx pair; do
	for t in gsm ucs2; do
		expect_eq "$t-$m reports" "$(grep -c "m=$t-$m&s=1 " dlr.log)" 1
	done
done
expect_no_grep 'DLR.*not found\|got DLR but could not find message' bearerbox.log
echo "peer_bearerbox: ok"
