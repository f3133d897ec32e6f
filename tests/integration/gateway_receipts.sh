#!/bin/sh
# gateway_receipts: receipts that can never settle the wrong message
# (issue 16). The simulator restarted between two submits hands out id 1
# twice: the receipt for the second message delivers it alone, and the
# reused id is warned about once per bind and counted. One id for every
# submit, as osmo-msc answers (msg_id_not_implemented): receipts settle
# the message whose phone they name; two open messages to one phone with
# that id are ambiguous, settle neither and are counted. Text-only
# receipts with a zero-padded decimal id (osmo-msc's id:%08llu) meet the
# hexadecimal submit_sm_resp id. Two binds with one receipt_group: a
# receipt that arrives on the other bind still settles its message.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

hport=$(free_port)

metric() {
	http_get /metrics | sed -n "s/^$1 //p"
}

state_of() {
	sql "select state from outbox where id = $1"
}

state_is() {	# state_is ID STATE
	[ "$(state_of "$1")" = "$2" ]
}

bound() {
	[ "$(metric muni_smsgw_binds_up)" = "${1:-1}" ]
}

send() {	# send PHONE TEXT: the message's outbox id
	ctl sms send "$1" "$2" | sed -n 's/^message=//p'
}

# restart_sim OPTION...: a new simulator on the same port, the gateway
# bound to it again.
restart_sim() {
	kill "$simpid"
	wait "$simpid" 2>/dev/null || :
	wait_for 10 "the gateway to see the SMSC go" bound 0
	"$B/muni-smscsim" -p "$sport" -o submit.log -O deliver.log \
	    -C "$PWD/ctl.sock" -u muni -w secret "$@" \
	    >sim.out 2>>sim.err </dev/null &
	simpid=$!
	wait_for 10 "the gateway to bind again" bound 1
}

write_gw_conf() {	# write_gw_conf [[smsc] LINES [SECTIONS...]]
	{
		gw_conf_head 10 200 2
		echo "msg_id_type = decimal"
		[ $# -eq 0 ] || { echo "$1"; shift; }
		printf '[http]\nlisten = 127.0.0.1:%s\n' "$hport"
		printf '[sms]\nquiet_hours = none\n'
		for sect in "$@"; do echo "$sect"; done
	} > muni.conf
}

# 1. The SMSC restarted between two submits: id 1 twice.
phase "an SMSC that restarts and hands out id 1 again"
sim_start -u muni -w secret -r -1
write_gw_conf
ctl init > /dev/null
gw_start
a=$(send 29000001 "Pirmā ziņa")
wait_for 10 "message $a accepted" state_is "$a" accepted
expect_eq "first id" "$(sql "select message_id from outbox where id = $a")" 1
restart_sim -r 300
b=$(send 29000002 "Otrā ziņa")
wait_for 10 "message $b delivered" state_is "$b" delivered
expect_eq "second id" "$(sql "select message_id from outbox where id = $b")" 1
# Time for a wrong settlement to show.
sleep 1
expect_eq "the first message, whose receipt never came" "$(state_of "$a")" \
    accepted
expect_grep "resp msg=$b smsc_id=1: the SMSC gave an id that an open message of receipt group smsc already has" gw.err
expect_grep "receipt msg=$b part=1 smsc_id=1 state=delivered" gw.err
expect_no_grep "receipt msg=$a part=1 smsc_id=1 state=delivered" gw.err
expect_eq "reused ids counted" "$(metric muni_smsgw_msgid_reused_total)" 1

# 2. One id for everything, as osmo-msc answers.
phase "one id for every submit: receipts settle by phone"
restart_sim -r 1000 --msgid-const msg_id_not_implemented
warned=$(grep -c "the SMSC gave an id that an open message" gw.err)
{ echo phone,text
  echo 29000003,Trešā
  echo 29000004,Ceturtā
  echo 29000005,Piektā
  echo 29000005,Sestā; } > batch.csv
ctl sms send --batch batch.csv > /dev/null
c=$(sql "select id from outbox where phone = '+37129000003'")
d=$(sql "select id from outbox where phone = '+37129000004'")
wait_for 10 "message $c delivered" state_is "$c" delivered
wait_for 10 "message $d delivered" state_is "$d" delivered
wait_for 10 "two ambiguous receipts" sh -c \
    "[ \"\$(grep -c 'receipt smsc_id=msg_id_not_implemented state=delivered: fits msg=' gw.err)\" -ge 2 ]"
expect_eq "ambiguous receipts counted" \
    "$(metric 'muni_smsgw_receipts_total{state="ambiguous"}')" 2
expect_eq "the two to one phone, neither settled" \
    "$(sql "select state from outbox where phone = '+37129000005' order by id" | paste -sd, -)" \
    accepted,accepted
e1=$(sql "select min(id) from outbox where phone = '+37129000005'")
e2=$(sql "select max(id) from outbox where phone = '+37129000005'")
expect_grep "fits msg=$e1 and msg=$e2 (the SMSC used the id twice): settles neither" gw.err
# Once in this session, however many ids repeated.
expect_eq "warned once per bind" \
    "$(grep -c "the SMSC gave an id that an open message" gw.err)" \
    $((warned + 1))
[ "$(metric muni_smsgw_msgid_reused_total)" -ge 4 ] ||
    die "reused ids: $(metric muni_smsgw_msgid_reused_total), want >= 4"

# 3. osmo-msc's text receipts: id:%08llu, decimal, zero-padded.
phase "text receipts with a zero-padded decimal id"
restart_sim -r 200 --msgid-base 26 --receipt-no-tlv --receipt-id-dec \
    --receipt-id-width 8
f=$(send 29000006 "Septītā")
wait_for 10 "message $f delivered" state_is "$f" delivered
expect_eq "its id as the SMSC answered" \
    "$(sql "select message_id from outbox where id = $f")" 1a
gw_stop

# 4. Two binds to one operator, one receipt group.
phase "receipt_group shared by two binds"
kill "$simpid"; wait "$simpid" 2>/dev/null || :
sim_start -u muni -w secret -r 200 --msgid-base 4096
write_gw_conf "receipt_group = lmt" "[smsc.second]
port = $sport
system_id = muni
password = secret
source_addr = MUNI
window = 10
response_timeout_s = 2
receipt_group = lmt"
gw_start
wait_for 10 "both binds" bound 2
{ echo phone,text; i=1; while [ "$i" -le 40 ]; do
	echo "2610$(printf %04d "$i"),Grupa $i"; i=$((i + 1)); done; } > group.csv
ctl sms send --batch group.csv > /dev/null
wait_for 20 "every message of the group delivered" sql_is 40 "select count(*) from outbox where phone like '+3712610%' and state = 'delivered'"
expect_eq "kept for later: none" \
    "$(sql "select count(*) from receipts_pending")" 0
expect_eq "the group stored" \
    "$(sql "select distinct rgroup from outbox where phone like '+3712610%'" | paste -sd, -)" \
    lmt
gw_stop
echo "ok"
