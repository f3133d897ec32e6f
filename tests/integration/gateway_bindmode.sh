#!/bin/sh
# gateway_bindmode: bind_mode auto (the default) and the SMSC quirks muni
# tolerates (issue 16). An SMSC that never answers bind_transceiver (as
# Kannel's drive_smpp) and one that answers it with generic_nack
# ESME_RINVCMDID: auto binds a transmitter+receiver pair instead, sends
# and gets receipts over it, and keeps binding the pair after the SMSC
# restarts able to take a transceiver. bind_mode = transceiver never falls
# back. osmo-msc answers bind_receiver with a bind_transmitter_resp, and
# drive_smpp numbers every deliver_sm 0: the pair binds, MO is stored once
# and answered, receipts settle, and the simulator sees every deliver_sm
# answered.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

hport=$(free_port)

metric() {
	http_get /metrics | sed -n "s/^$1 //p"
}

stat() {
	simctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"
}

sessions_are() {	# sessions_are "TRX TX RX"
	[ "$(stat trx) $(stat tx) $(stat rx)" = "$1" ]
}

state_is() {	# state_is ID STATE
	[ "$(sql "select state from outbox where id = $1")" = "$2" ]
}

send() {	# send PHONE TEXT: the message's outbox id
	ctl sms send "$1" "$2" | sed -n 's/^message=//p'
}

write_gw_conf() {	# write_gw_conf [[smsc] LINES]
	{
		gw_conf_head 10 200 2
		[ $# -eq 0 ] || echo "$1"
		printf '[http]\nlisten = 127.0.0.1:%s\n' "$hport"
		printf '[sms]\nquiet_hours = none\n'
	} > muni.conf
}

# gw_start_unbound: the gateway, up (HTTP answers) but not waiting for a
# bind, which may take a fallback first.
gw_start_unbound() {
	"$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
	gwpid=$!
	wait_for 10 "the gateway's HTTP" sh -c \
	    "perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 1)->get(\"http://127.0.0.1:$hport/health\")->{status} == 599)'"
}

restart_sim() {	# restart_sim OPTION...: same port
	kill "$simpid"
	wait "$simpid" 2>/dev/null || :
	"$B/muni-smscsim" -p "$sport" -o submit.log -O deliver.log \
	    -C "$PWD/ctl.sock" -u muni -w secret "$@" \
	    >sim.out 2>>sim.err </dev/null &
	simpid=$!
	wait_for 5 "the simulator's control socket" simctl stats
}

# 1. No answer to bind_transceiver.
phase "auto: bind_transceiver unanswered, a pair instead"
sim_start -u muni -w secret -r 100 --bind-trx ignore
write_gw_conf
ctl init > /dev/null
gw_start_unbound
wait_for 15 "a transmitter and a receiver" sessions_are "0 1 1"
expect_grep "smsc: bind_transceiver got no answer: binding as a transmitter and a receiver instead (bind_mode auto)" gw.err
expect_grep "smsc: bind_mode auto: keeping the transmitter+receiver pair" gw.err
a=$(send 29000011 "Pa pāri")
wait_for 10 "message $a delivered over the pair" state_is "$a" delivered
expect_eq "fallbacks counted" \
    "$(metric 'muni_smsgw_link_events_total{event="bind_fallback"}')" 1
# The SMSC comes back able to take a transceiver: the pair is kept.
restart_sim -r 100
wait_for 15 "the pair bound again" sessions_are "0 1 1"
sleep 1
expect_eq "still a pair" "$(stat trx) $(stat tx) $(stat rx)" "0 1 1"
b=$(send 29000012 "Joprojām pa pāri")
wait_for 10 "message $b delivered" state_is "$b" delivered
gw_stop

# 2. generic_nack ESME_RINVCMDID.
phase "auto: bind_transceiver refused as an unknown command"
restart_sim -r 100 --bind-trx nack
gw_start_unbound
wait_for 15 "a transmitter and a receiver" sessions_are "0 1 1"
expect_grep "smsc: bind_transceiver ESME_RINVCMDID: binding as a transmitter and a receiver instead" gw.err
c=$(send 29000013 "Atkal pa pāri")
wait_for 10 "message $c delivered" state_is "$c" delivered
gw_stop

# 3. bind_mode = transceiver stays what it is told.
phase "transceiver: no fallback"
write_gw_conf "bind_mode = transceiver"
fallbacks=$(grep -c "binding as a transmitter and a receiver instead" gw.err)
gw_start_unbound
wait_for 10 "two refused binds" sh -c \
    "[ \"\$(grep -c 'smsc: link down: bind refused: ESME_RINVCMDID' gw.err)\" -ge 2 ]"
expect_eq "no session bound" "$(stat trx) $(stat tx) $(stat rx)" "0 0 0"
expect_eq "no fallback" \
    "$(grep -c "binding as a transmitter and a receiver instead" gw.err)" \
    "$fallbacks"
gw_stop

# 4. osmo-msc's bind_transmitter_resp to bind_receiver; drive_smpp's
# deliver_sm with sequence number 0.
phase "tolerated: bind_receiver answered as a transmitter, deliver_sm seq 0"
restart_sim -r 100 --bind-rx-as-tx --deliver-seq0
write_gw_conf "bind_mode = pair"
gw_start
wait_for 10 "the pair" sessions_are "0 1 1"
expect_grep "smsc/rx: bound as a receiver" gw.err
d=$(send 29000014 "Kvīts ar secību 0")
wait_for 10 "message $d delivered by a deliver_sm with seq 0" \
    state_is "$d" delivered
simctl mo 29000015 505 "PALIDZIBA" > /dev/null
wait_for 10 "the MO stored and handled" sql_is 1 "select count(*) from inbox where source = '29000015' and processed_at is not null"
wait_for 10 "every deliver_sm answered" sh -c \
    "[ \"\$($B/muni-smscsim --ctl -C $PWD/ctl.sock stats | tr ' ' '\n' | sed -n 's/^delivered=//p')\" -ge 2 ]"
expect_eq "deliver_sm refused or retried" \
    "$(stat deliver_failed) $(stat deliver_retry)" "0 0"
sleep 1
expect_eq "the MO stored once" \
    "$(sql "select count(*) from inbox where source = '29000015'")" 1
gw_stop
echo "ok"
