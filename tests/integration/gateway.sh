#!/bin/sh
# gateway: muni-smsgw against muni-smscsim over real TCP on loopback. One
# simulator, whose faults are switched at run time, and one gateway (killed
# with -9 and started again once): a short and a long Latvian message
# delivered with receipts; receipts before their submit_sm_resp; MO SMS,
# also concatenated, into the inbox and answered; USSD; a throttling storm; a
# 40-TLV PDU, an unknown command id, a malformed PDU and random bytes; the
# SMSC dropping the connection every N PDUs; an SMSC that stops answering;
# SIGHUP; kill -9 in the middle of 5,000 messages (none lost, duplicates
# within the window); SIGTERM.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
WINDOW=100
. "$MUNI_TOP/tests/integration/gwlib.sh"

sim_stat() {
	simctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"
}

count_state() {
	sql "select count(*) from outbox where state = '$1'"
}

# Conditions for wait_for, evaluated on every poll.
delivered_is() {
	[ "$(count_state delivered)" -eq "$1" ]
}

mo_answered_is() {
	[ "$(sql 'select count(*) from inbox where processed_at is not null')" \
	    -eq "$1" ]
}

replies_delivered() {
	[ "$(sql "select count(*) from outbox where phone in ('+37120000001',
	    '+37120000002') and state = 'delivered'")" -eq 2 ]
}

submitted() {
	simctl flush > /dev/null
	grep -q "dst=+371$1 " submit.log
}

submitted_ussd() {
	simctl flush > /dev/null
	grep -q "src=505 dst=+371$1 .* svc=USSD ussd=\(2\|17\) its=" submit.log
}

run_sent_at_least() {
	simctl flush > /dev/null
	[ "$(grep -c ' text=k[0-9]*$' submit.log)" -ge "$1" ]
}

all_final() {
	[ "$(sql "select count(*) from outbox where state in
	    ('queued', 'inflight', 'accepted')")" -eq 0 ]
}

none_waiting() {
	[ "$(sql "select count(*) from outbox where state in
	    ('queued', 'inflight')")" -eq 0 ]
}

# batch N PREFIX: N messages texted PREFIX1..PREFIXN, in one batch.
batch() {
	{ echo phone,text; i=1; while [ "$i" -le "$1" ]; do
		echo "26$(printf %06d "$i"),$2$i"; i=$((i + 1)); done; } > b.csv
	ctl sms send --batch b.csv > /dev/null
}

# The simulator; receipts 50 ms after each accepted submit.
sim_start -r 50 -e 0
hport=$(free_port)

{ gw_conf_head "$WINDOW" 5000 1; cat <<EOF
[http]
listen = 127.0.0.1:$hport
EOF
} > muni.conf
chmod 600 muni.conf
ctl init > /dev/null
"$B/muni-smsgw" -c muni.conf -n > check.out || die "muni-smsgw -n"
expect_grep '^configuration OK$' check.out
gw_start

# --- A short and a long Latvian message, receipts, sms status.
phase "A short and a long Latvian message"
ctl sms send 29000001 "Sveiki no Dobeles" | sed -n 's/^message=//p' > id1
# Another process's row is seen within a tick or two (100 ms each).
wait_for 1 "the submit of a row munictl wrote" submitted 29000001
long="Dobeles novada pašvaldība atgādina: nekustamā īpašuma nodokļa \
otrā maksājuma termiņš ir 15. maijs. Samaksāt var internetbankā vai \
klientu apkalpošanas centrā. Paldies, ka maksājat laikā!"
ctl sms send 29000002 "$long" | sed -n 's/^message=//p' > id2
id1=$(cat id1); id2=$(cat id2)
wait_for 10 "two messages delivered" delivered_is 2
ctl sms status "$id1" > st1
expect_grep '^state=delivered$' st1
expect_grep '^smsc_message_id=[0-9a-f][0-9a-f]*$' st1
expect_no_grep '^part=' st1
ctl sms status "$id2" > st2
expect_grep '^state=delivered$' st2
for p in 1 2 3; do
	expect_grep "^part=$p smsc_message_id=[0-9a-f]* state=delivered " st2
done
simctl flush > /dev/null
expect_grep 'dst=+37129000001 dcs=0 esm=0x00 reg=1 .*text=Sveiki no Dobeles$' \
    submit.log
parts=$(grep -c 'dst=+37129000002 dcs=8 esm=0x40 reg=1 .*udh=0500' submit.log)
expect_eq "UCS-2 parts with a UDH" "$parts" 3
grep 'dst=+37129000002' submit.log |
    sed -n 's/.* udh=050003[0-9a-f][0-9a-f]\([0-9a-f]\{4\}\) .*/\1/p' |
    sort | tr '\n' ' ' > udh
expect_eq "UDH: one reference, 3 parts" "$(cat udh)" "0301 0302 0303 "

# --- Receipts that overtake their submit_sm_resp are kept and matched.
phase "Receipts that overtake their submit_sm_resp are kept and matched"
simctl set receipt-first 1 > /dev/null
batch 20 early
wait_for 10 "early receipts matched" delivered_is 22
simctl set receipt-first 0 > /dev/null
http_get /metrics > m1
expect_grep '^muni_smsgw_receipts_early_total [1-9]' m1
expect_eq "receipts left pending" \
    "$(sql 'select count(*) from receipts_pending')" 0

# --- MO: one part and a concatenated one, stored and answered.
phase "MO"
simctl mo +37120000001 505 "RINDA" > /dev/null
simctl mo +37120000002 505 "$long" > /dev/null
wait_for 10 "MO answered" mo_answered_is 2
expect_eq "MO text" "$(sql "select text from inbox where source =
    '+37120000001'")" "RINDA"
expect_eq "MO reassembled" "$(sql "select text from inbox where source =
    '+37120000002'")" "$long"
expect_eq "MO parts left" "$(sql 'select count(*) from mo_parts')" 0
wait_for 10 "the replies delivered" replies_delivered
# USSD: stored, answered on the bind with ussd_service_op and the session.
simctl ussd +37120000005 '*505#' > /dev/null
wait_for 10 "the USSD answer" submitted_ussd 20000005
expect_eq "USSD stored and answered" "$(sql "select count(*) from inbox
    where kind = 'ussd' and text = '*505#' and processed_at is not null")" 1

# --- A throttling storm: every third submit refused with 0x58.
phase "A throttling storm"
simctl set throttle 3 > /dev/null
batch 150 storm
ctl sms send 29000003 "$long" > /dev/null
wait_for 30 "the storm delivered" all_final
simctl set throttle 0 > /dev/null
expect_eq "after the storm" "$(count_state delivered)" 175
[ "$(sim_stat throttled)" -gt 30 ] || die "too few throttled"
http_get /metrics > m0
expect_grep '^muni_smsgw_link_events_total{event="throttled"} [1-9]' m0

# --- Hostile PDUs: the link may reset on broken framing, nothing else.
phase "Hostile PDUs"
for f in tlv40 unknown malformed random len4 len10m; do
	simctl send "$f" > /dev/null || :
	sleep 0.2
done
wait_for 10 "a bind after the faults" healthy
kill -0 "$gwpid" || die "the gateway died of hostile PDUs"
[ "$(sim_stat nacks_received)" -ge 3 ] || die "no generic_nack for faults"
expect_grep 'generic_nack seq=[0-9]* ESME_RINVCMDID' sim.err
batch 20 after
wait_for 10 "sending after the faults" all_final
expect_eq "after the faults" "$(count_state delivered)" 195

# --- The SMSC drops the connection every 300 PDUs.
phase "The SMSC drops the connection every 300 PDUs"
conns=$(sim_stat connections)
simctl set drop-after 300 > /dev/null
batch 1000 drop
wait_for 40 "the drops delivered" all_final
simctl set drop-after 0 > /dev/null
expect_eq "after the drops" "$(count_state delivered)" 1195
[ "$(sim_stat connections)" -ge $((conns + 3)) ] || die "no reconnects"

# --- An SMSC that stops answering after 40 PDUs a connection.
phase "An SMSC that stops answering after 40 PDUs a connection"
simctl set withhold-after 40 > /dev/null
batch 60 mute
wait_for 40 "the unanswered accepted" none_waiting
# The SMSC talks again; its unbind saves waiting for enquire_link.
simctl set withhold-after 0 > /dev/null
simctl send unbind > /dev/null
wait_for 20 "their receipts" all_final
expect_eq "after the silence" "$(count_state delivered)" 1255
http_get /metrics > m2
expect_grep '^muni_smsgw_responses_total{status="0x10000"} [1-9]' m2

# --- SIGHUP reloads the configuration.
phase "SIGHUP reloads the configuration"
sed -i 's/^max_tps = 5000$/max_tps = 2000/' muni.conf
kill -HUP "$gwpid"
wait_for 5 "the reload" grep -q 'configuration reloaded' gw.err
http_get /metrics > m3
expect_grep '^muni_smsgw_tps_limit 2000$' m3

# --- kill -9 in the middle of 5,000: none lost, duplicates <= window.
phase "kill -9 in the middle of 5"
batch 5000 k
wait_for 20 "a good part of the run" run_sent_at_least 1000
kill -9 "$gwpid"
wait "$gwpid" 2>/dev/null || :
gwpid=""
sent_before=$(grep -c ' text=k[0-9]*$' submit.log || :)
gw_start
wait_for 40 "the run delivered" all_final
expect_eq "the run" "$(count_state delivered)" 6255
simctl flush > /dev/null
grep 'status=0x00 .* text=k[0-9]*$' submit.log |
    sed 's/.* text=//' | sort | uniq -c > k.count
expect_eq "messages that reached the SMSC" "$(wc -l < k.count)" 5000
dups=$(awk '$1 > 1 { d += $1 - 1 } END { print d + 0 }' k.count)
[ "$dups" -le "$WINDOW" ] || die "$dups duplicates, more than the window"
echo "kill -9 after $sent_before submits: $dups duplicates"

# --- SIGTERM: unbind and exit 0.
phase "SIGTERM"
kill -TERM "$gwpid"
rc=0
wait "$gwpid" || rc=$?
gwpid=""
expect_eq "exit status" "$rc" 0
expect_grep 'smsc: unbound' gw.err
echo "gateway: ok"
