#!/bin/sh
# gateway_interop: muni-smsgw against the two SMSCs nobody on muni wrote
# (tests/integration/interop: the npm package smpp, Debian's Net::SMPP),
# each with its own gateway and database, side by side: GSM, UCS-2 and
# concatenated submits, receipts (8 hex digits from one, decimal ids from
# the other), MO in UCS-2 and in message_payload, a USSD dialogue,
# enquire_link both ways, a wrong password refused, unbind on SIGTERM.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

top=$MUNI_TOP
here=$top/tests/integration/interop
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

npm_smpp || die "node, npm and the npm package smpp are needed (Debian: apt-get install nodejs npm; see npm.log)"

health() {
	perl -MHTTP::Tiny -e 'print HTTP::Tiny->new(timeout => 2)->get($ARGV[0])
	    ->{status}' "http://127.0.0.1:$(cat "$1/hport")/health"
}

is_up() {
	[ "$(health "$1")" = 200 ]
}

q() {
	sql_in "$1/muni" "$2"
}

settled() {
	[ "$(q "$1" "select count(*) from outbox where state <> 'delivered'")" \
	    -eq 0 ] &&
	[ "$(q "$1" "select count(*) from inbox where processed_at is null")" \
	    -eq 0 ] &&
	[ "$(q "$1" "select count(*) from outbox")" -ge "$2" ]
}

# peer DIR COMMAND…: an SMSC on a free port, and a gateway for it.
peer() {
	dir=$1
	shift
	mkdir -p "$dir"
	"$@" -p 0 -u muni -w secret -o "$dir/events.log" -C "$PWD/$dir.sock" \
	    -r 50 -e 1 >"$dir/peer.out" 2>"$dir/peer.err" </dev/null &
	pids="$pids $!"
	wait_for 10 "$dir's port" grep -q '^port=' "$dir/peer.out"
	free_port > "$dir/hport"
	cat > "$dir/muni.conf" <<EOF
[database]
$(db_conf "$dir/muni")
[smsc]
port = $(sed -n 's/^port=//p' "$dir/peer.out")
system_id = muni
password = ${PASSWORD:-secret}
source_addr = MUNI
enquire_link_s = 5
reconnect_min_s = 1
reconnect_max_s = 2
[http]
listen = 127.0.0.1:$(cat "$dir/hport")
EOF
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
PASSWORD=wrong peer refused perl "$here/smsc_perl.pl"

for d in node perl; do
	wait_for 10 "$d bound" is_up "$d"
	c="$B/munictl -c $d/muni.conf"
	$c sms send 29000001 "Sveiki no Dobeles" > /dev/null
	$c sms send 29000002 "Jūsu kods: 4711" > /dev/null
	$c sms send 29000003 "$long" > /dev/null
	"$B/muni-smscsim" --ctl -C "$PWD/$d.sock" mo -u +37120000001 505 \
	    "RINDA ā" > /dev/null
	"$B/muni-smscsim" --ctl -C "$PWD/$d.sock" mo -p +37120000002 505 \
	    "HELP" > /dev/null
	"$B/muni-smscsim" --ctl -C "$PWD/$d.sock" ussd +37120000003 '*505#' \
	    1 7 > /dev/null
done
# Three messages and two replies delivered, three MO answered, and time
# for an enquire_link of ours (every 5 s) and of theirs (every second).
sleep 5.5
for d in node perl; do
	wait_for 10 "$d delivered" settled "$d" 5
	e=$d/events.log
	expect_grep 'submit .* dst=+37129000001 dcs=0 esm=0x00 reg=1 .*text=Sveiki no Dobeles$' "$e"
	expect_grep 'submit .* dst=+37129000002 dcs=8 esm=0x00 reg=1 .*text=Jūsu kods: 4711$' "$e"
	expect_eq "$d: UDH parts" \
	    "$(grep -c 'dst=+37129000003 dcs=8 esm=0x40 reg=1 .*udh=050003' "$e")" 2
	# One receipt for every part that asked for one, all taken.
	expect_eq "$d: receipts answered" "$(grep -c '^receipt .*resp=0x00$' "$e")" \
	    "$(grep -c '^submit .* reg=1 ' "$e")"
	expect_grep '^mo src=37120000001 dcs=8 resp=0x00$' "$e"
	expect_grep '^mo src=37120000002 dcs=0 payload=1 resp=0x00$' "$e"
	expect_grep '^ussd src=37120000003 op=1 resp=0x00$' "$e"
	expect_grep 'submit .* src=505 dst=+37120000003 .* reg=0 svc=USSD ' "$e"
	expect_grep '^enquire_link$' "$e"
	expect_grep '^enquire_link_resp$' "$e"
	expect_eq "$d: MO stored" "$(q "$d" "select text from inbox
	    order by id" | paste -sd'|' -)" "RINDA ā|HELP|*505#"
	kill -TERM "$(cat "$d/gw.pid")"
	rc=0
	wait "$(cat "$d/gw.pid")" || rc=$?
	expect_eq "$d: exit status" "$rc" 0
	expect_grep '^unbind$' "$e"
done

# The wrong password: refused, no bind, /health says so, retried.
expect_grep '^bind mode=trx system_id=muni status=0x0e$' refused/events.log
expect_eq "health without a bind" "$(health refused)" 503
expect_grep 'bind refused: ESME_RINVPASWD' refused/gw.err
echo "gateway_interop: ok"
