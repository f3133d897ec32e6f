#!/bin/sh
# gateway_interop_pair: the two foreign SMSCs of tests/integration/interop
# (npm smpp, Net::SMPP), each with a gateway whose bind is a transmitter +
# receiver pair with long_mode = payload: bind_transmitter and
# bind_receiver, MT on the transmitter (a long text as one message_payload,
# no UDH), receipts and MO on the receiver, the reply delivered, unbind of
# both on SIGTERM.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

here=$MUNI_TOP/tests/integration/interop
B=$MUNI_BIN
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	for p in $pids; do wait "$p" 2>/dev/null || :; done
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

die() {
	echo "FAIL: $*"
	for f in */*.err */*.log; do
		[ -s "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
	done
	exit 1
}

npm_smpp || die "node, npm and the npm package smpp are needed (see npm.log)"

q() {
	sql_in "$1/muni" "$2"
}

is_up() {
	[ "$(perl -MHTTP::Tiny -e 'print HTTP::Tiny->new(timeout => 2)->get(
	    $ARGV[0])->{status}' "http://127.0.0.1:$(cat "$1/hport")/health")" \
	    = 200 ]
}

settled() {
	[ "$(q "$1" "select count(*) from outbox where state <> 'delivered'")" \
	    -eq 0 ] &&
	[ "$(q "$1" "select count(*) from inbox where processed_at is null")" \
	    -eq 0 ] &&
	[ "$(q "$1" "select count(*) from outbox")" -ge "$2" ]
}

# peer DIR COMMAND…: an SMSC on a free port, and a gateway bound to it as
# a transmitter+receiver pair.
peer() {
	dir=$1
	shift
	mkdir -p "$dir"
	"$@" -p 0 -u muni -w secret -o "$dir/events.log" -C "$PWD/$dir.sock" \
	    -r 50 -e 0 >"$dir/peer.out" 2>"$dir/peer.err" </dev/null &
	pids="$pids $!"
	wait_for 10 "$dir's port" grep -q '^port=' "$dir/peer.out"
	free_port > "$dir/hport"
	cat > "$dir/muni.conf" <<CONF
[database]
$(db_conf "$dir/muni")
[smsc.$dir]
port = $(sed -n 's/^port=//p' "$dir/peer.out")
system_id = muni
password = secret
source_addr = MUNI
bind_mode = pair
long_mode = payload
reconnect_min_s = 1
reconnect_max_s = 2
[http]
listen = 127.0.0.1:$(cat "$dir/hport")
CONF
	chmod 600 "$dir/muni.conf"
	"$B/munictl" -c "$dir/muni.conf" init > /dev/null 2>&1
	"$B/muni-smsgw" -c "$dir/muni.conf" -d 2>"$dir/gw.err" &
	echo $! > "$dir/gw.pid"
	pids="$pids $!"
}

long="Dobeles novada pašvaldība atgādina: nekustamā īpašuma nodokļa \
otrā maksājuma termiņš ir 15. maijs. Samaksāt var internetbankā."

peer node node "$here/smsc_node.js"
peer perl perl "$here/smsc_perl.pl"
for d in node perl; do
	wait_for 10 "$d bound" is_up "$d"
	wait_for 10 "$d's receiver" grep -q '^bind mode=rx system_id=muni status=0x00$' "$d/events.log"
	c="$B/munictl -c $d/muni.conf"
	$c sms send 29000001 "Sveiki no Dobeles" > /dev/null
	$c sms send 29000003 "$long" > /dev/null
	"$B/muni-smscsim" --ctl -C "$PWD/$d.sock" mo +37120000001 505 \
	    "RINDA" > /dev/null
done
for d in node perl; do
	# Two messages and the reply to the MO, all with receipts.
	wait_for 15 "$d delivered" settled "$d" 3
	e=$d/events.log
	expect_grep '^bind mode=tx system_id=muni status=0x00$' "$e"
	expect_no_grep '^bind mode=trx' "$e"
	expect_grep 'submit .* dst=+37129000001 dcs=0 esm=0x00 reg=1 .*text=Sveiki no Dobeles$' "$e"
	expect_eq "$d: submits of the long text" \
	    "$(grep -c 'dst=+37129000003 ' "$e")" 1
	expect_grep "submit .* dst=+37129000003 dcs=8 esm=0x00 reg=1 svc=- payload=1 udh=-\? text_hex=[0-9a-f]* text=$long\$" "$e"
	expect_eq "$d: receipts answered" "$(grep -c '^receipt .*resp=0x00$' "$e")" 3
	expect_grep '^mo src=37120000001 dcs=0 resp=0x00$' "$e"
	expect_eq "$d: MO stored" "$(q "$d" "select text from inbox")" "RINDA"
	kill -TERM "$(cat "$d/gw.pid")"
	rc=0
	wait "$(cat "$d/gw.pid")" || rc=$?
	expect_eq "$d: exit status" "$rc" 0
	expect_eq "$d: unbinds" "$(grep -c '^unbind$' "$e")" 2
done
echo "gateway_interop_pair: ok"
