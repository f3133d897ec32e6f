#!/bin/sh
# peer_osmo_msc: muni-smsgw against Osmocom's osmo-msc (Debian osmo-msc, with
# osmo-hlr), whose SMPP SMSC is built on the same libsmpp34 muni uses but
# was written by others. The gateway binds as a transceiver and as a
# transmitter+receiver pair (osmo-msc answers bind_receiver with a
# bind_transmitter_resp, which the gateway must take), binds again after
# osmo-msc restarts, submits GSM, UCS-2, concatenated (UDH) and
# message_payload texts, all accepted and stored by osmo-msc in its SMS
# database; every submit_sm_resp carries the same id,
# "msg_id_not_implemented". A wrong password (ESME_RINVPASWD, 0x0e) and an
# unknown system_id (ESME_RINVSYSID, 0x0f) are refused, and the gateway
# backs off instead of hammering.
#
# osmo-msc has no radio side here, so nothing is delivered and no receipt
# comes back: receipt matching against osmo-msc's ids is the simulator's to
# test (receipts-bind's osmo-msc mode).
#
# The kernel may lack SCTP. osmo-msc 1.9 opens an SGs server over SCTP at
# start-up and exits when it cannot; no configuration turns SGs off (its
# node has only addresses, a VLR name and timers). Its SS7 link (M3UA,
# SCTP too) only logs and retries. So when an SCTP socket cannot be made,
# osmo-msc runs with interop/sctp_as_tcp.c preloaded, a shim built here
# that hands it TCP sockets instead; SGs then listens on TCP, unused.
#
# osmo-msc, osmo-hlr and their VTY/CTRL ports listen on fixed ports: all of
# it, the gateway too, runs in a network namespace with only loopback, out
# of the machine's way (CI's packages may start Osmocom's own services on
# the same ports). Creating one needs root (CI runs `make test` as root);
# without it the test prints SKIP and passes.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
here=$MUNI_TOP/tests/integration/interop
ns=muni-osmo-$$
pids=""
gwpid=""
mscpid=""
nsmade=0
cleanup() {
	for p in $gwpid $mscpid $pids; do kill "$p" 2>/dev/null || :; done
	for p in $gwpid $mscpid $pids; do wait "$p" 2>/dev/null || :; done
	[ "$nsmade" = 0 ] || ip netns delete "$ns" 2>/dev/null || :
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

die() {
	echo "FAIL: $*"
	for f in gw*.err msc.err hlr.err; do
		[ -s "$f" ] || continue
		echo "--- $f"
		grep -v ' info: \(queued\|submit\|resp\|done\) msg=' "$f" |
		    tail -n 25
	done
	exit 1
}

for p in osmo-msc osmo-hlr; do
	command -v "$p" > /dev/null ||
	    die "$p is missing: install osmo-msc and osmo-hlr (make deps)"
done
. "$MUNI_TOP/tests/integration/peerlib.sh"
peer_netns osmo-msc

preload=""
if ! perl -MSocket -e 'socket(my $s, AF_INET, SOCK_STREAM, 132) or exit 1'; then
	echo "note: no SCTP in this kernel: osmo-msc runs with sctp_as_tcp.so"
	cc -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC \
	    -o sctp_as_tcp.so "$here/sctp_as_tcp.c" -ldl 2>cc.err ||
	    die "cannot build the SCTP shim: $(cat cc.err)"
	preload=$PWD/sctp_as_tcp.so
fi

cat > hlr.cfg <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging print category 1
 logging level main notice
line vty
 bind 127.0.0.1
ctrl
 bind 127.0.0.1
hlr
 gsup
  bind ip 127.0.0.1
EOF
ip netns exec "$ns" osmo-hlr -c hlr.cfg -l "$PWD/hlr.db" >hlr.out 2>hlr.err \
    </dev/null &
pids="$pids $!"
wait_for 10 "osmo-hlr's GSUP port" listening 4222

# The SMSC: one ESME, muni with password secret, that every MO would be
# routed to; "policy closed" refuses any other system_id.
cat > msc.cfg <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging print category 1
 logging timestamp 1
 logging level set-all notice
 logging level smpp info
 logging level lsms info
line vty
 bind 127.0.0.1
network
 network country code 1
 mobile network code 1
msc
 mgw remote-ip 127.0.0.1
hlr
 remote-ip 127.0.0.1
 remote-port 4222
smpp
 local-tcp-ip 127.0.0.1 2775
 system-id osmo-msc
 policy closed
 esme muni
  password secret
  default-route
EOF
# msc_start: osmo-msc (its log appended to msc.err), once its SMPP port is
# open; its SMS database is sms.db here.
msc_start() {
	ip netns exec "$ns" env ${preload:+LD_PRELOAD=$preload} osmo-msc \
	    -c msc.cfg >>msc.out 2>>msc.err </dev/null &
	mscpid=$!
	wait_for 10 "osmo-msc's SMPP port" listening 2775
}
msc_start

# gw_conf NAME MODE LONG [SYSTEM_ID [PASSWORD]]: gwNAME.conf, the gateway
# bound to osmo-msc as MODE (transceiver or pair), long texts as LONG (udh
# or payload), on database NAME.db.
gw_conf() {
	cat > "gw$1.conf" <<EOF
[database]
$(db_conf "$1")
[smsc]
host = 127.0.0.1
port = 2775
system_id = ${4:-muni}
password = ${5:-secret}
source_addr = MUNI
bind_mode = $2
long_mode = $3
response_timeout_s = 2
enquire_link_s = 5
reconnect_min_s = 1
reconnect_max_s = 8
[http]
listen = 127.0.0.1:8080
EOF
	"$B/munictl" -c "gw$1.conf" init > /dev/null 2>&1 ||
	    die "munictl init $1"
}

gw_start() {
	ip netns exec "$ns" "$B/muni-smsgw" -c "gw$1.conf" -d 2>"gw$1.err" &
	gwpid=$!
}

gw_stop() {
	kill -TERM "$gwpid"
	rc=0
	wait "$gwpid" || rc=$?
	gwpid=""
	expect_eq "gateway exit status" "$rc" 0
}

q() {
	sql_in "$1" "$2"
}

accepted() {
	[ "$(q "$1" "select count(*) from outbox where state = 'accepted'")" \
	    -eq "$2" ]
}

long="Dobeles novada pasvaldiba atgadina: nekustama ipasuma nodokla otra \
maksajuma termins ir 15. maijs. Samaksat var internetbanka vai jebkura \
pasta nodala, ka ari pasvaldibas klientu apkalposanas centra."

# traffic NAME: four texts into the outbox, all accepted by osmo-msc.
traffic() {
	c="$B/munictl -c gw$1.conf"
	$c sms send 29000001 "Sveiki no Dobeles" > /dev/null
	$c sms send 29000002 "Jūsu pieteikums saņemts" > /dev/null
	$c sms send 29000003 "$long" > /dev/null
	$c sms send 29000004 "Rīt ūdens nebūs no 9:00 līdz 15:00" > /dev/null
	wait_for 15 "four messages accepted ($1)" accepted "$1" 4
	# One id for every message and part (parts of a long text keep theirs
	# in outbox_parts).
	expect_eq "$1: message ids" \
	    "$(q "$1" "select message_id from outbox where message_id is not null union
	        select message_id from outbox_parts where message_id is not null")" \
	    msg_id_not_implemented
}

binds_are() {
	[ "$(grep -c "$1" "$2")" -eq "$3" ]
}

# 1. A transceiver; the long text as concatenated parts with a UDH. Then
# osmo-msc restarts: the gateway binds again and its next text is taken.
gw_conf trx transceiver udh
gw_start trx
wait_for 10 "the transceiver bound" grep -q 'bound as a transceiver' gwtrx.err
traffic trx
kill -TERM "$mscpid"
wait "$mscpid" 2>/dev/null || :
wait_for 10 "the gateway to see osmo-msc gone" grep -q 'smsc: link down' gwtrx.err
msc_start
wait_for 10 "the transceiver bound again" \
    binds_are 'bound as a transceiver' gwtrx.err 2
"$B/munictl" -c gwtrx.conf sms send 29000005 "Pēc restarta" > /dev/null
wait_for 10 "the text after the restart accepted" accepted trx 5
gw_stop

# 2. A transmitter+receiver pair; the long text in one message_payload.
gw_conf pair pair payload
gw_start pair
wait_for 10 "the receiver bound" grep -q 'smsc/rx: bound as a receiver' gwpair.err
wait_for 10 "the transmitter bound" grep -q 'smsc/tx: bound as a transmitter' gwpair.err
traffic pair
gw_stop

# What osmo-msc stored: 2 × (GSM, UCS-2, the long text's parts or its
# payload, the second UCS-2) and the text after its restart, each with the
# gateway's source address.
sms=$(sqlite3 -batch -noheader -cmd '.timeout 5000' sms.db \
    "select count(*) from SMS where src_addr = 'MUNI'")
parts=$("$B/munictl" -c gwtrx.conf sms preview "$long" |
    sed -n 's/.*segments=\([0-9]*\).*/\1/p')
expect_eq "SMS stored by osmo-msc" "$sms" "$((3 + parts + 1 + 4))"
expect_eq "UCS-2 stored (data coding 8)" \
    "$(sqlite3 -batch -noheader sms.db "select count(*) from SMS where dest_addr
        = '37129000002' and data_coding_scheme = 8")" 2
expect_eq "concatenated parts with a UDH" \
    "$(sqlite3 -batch -noheader sms.db "select count(*) from SMS where dest_addr
        = '37129000003' and ud_hdr_ind = 1")" "$parts"
expect_eq "the long text in one message_payload" \
    "$(sqlite3 -batch -noheader sms.db "select count(*) from SMS where dest_addr
        = '37129000003' and ud_hdr_ind = 0")" 1

# 3. Wrong credentials: refused with the right status, and retried after a
# delay that doubles from reconnect_min_s (jittered into its upper half:
# 1, 1-2, 2-4, 4-8 s), so 5 s see 3 or 4 attempts, not one a second, and
# the third delay is at least 2 s.
for case in "badpw muni wrong ESME_RINVPASWD" "badid nobody secret ESME_RINVSYSID"; do
	# shellcheck disable=SC2086 # the words of one case
	set -- $case
	gw_conf "$1" transceiver udh "$2" "$3"
	gw_start "$1"
	wait_for 10 "the bind refused ($1)" grep -q "bind refused: $4" "gw$1.err"
	sleep 5
	n=$(grep -c "bind refused: $4" "gw$1.err")
	if [ "$n" -lt 3 ] || [ "$n" -gt 4 ]; then
		die "$1: $n refused binds in 5 s, want 3 or 4 (backoff)"
	fi
	third=$(sed -n 's/.*reconnecting in \([0-9]*\)\..*/\1/p' "gw$1.err" |
	    sed -n 3p)
	[ "${third:-0}" -ge 2 ] || die "$1: third delay ${third:-none} s, want >= 2"
	expect_no_grep 'bound as a' "gw$1.err"
	gw_stop
done

# 4. The id osmo-msc repeats for every message cannot match receipts to
# messages: the gateway says so (receipts-bind's warning, once per bind).
if "$B/muni-smsgw" -n -c /dev/stdin > /dev/null 2>&1 <<EOF
[database]
path = $PWD/trx.db
[smsc]
port = 2775
system_id = muni
password = secret
receipt_group = osmo
EOF
then
	expect_grep 'already has; receipts are matched by phone' gwtrx.err \
	    "the warning about osmo-msc's repeated id"
else
	echo "SKIP: repeated-id warning: this gateway has no receipt_group yet" \
	    "(receipts-bind not merged)"
fi
echo "peer_osmo_msc: ok"
