#!/bin/sh
# mo_poison: one bad MO part is that PDU's problem alone (issue 22, item 1).
# While 400 messages go out, the SMSC hands the gateway, in one write, a
# SAR part 9 of 2, a UDH part 0 of 2, 33 unfinished concatenated messages
# from one sender, and a RINDA from another phone; it delivers again
# whatever gets a temporary error, as a real SMSC does. The gateway must
# refuse the bad parts with permanent statuses (ESME_RINVOPTPARAMVAL for
# the SAR part, ESME_RX_R_APPN for the 33rd message; a UDH IE out of range
# is ignored, TS 23.040 9.2.3.24, so that part is one message), count them in
# /metrics, keep the 32 messages it may hold, answer the RINDA, keep every
# bind up (no link down, no new bind at the simulator) and send no message
# twice. Before the fix the first bad part rolled the whole batch back,
# reset every bind and was redelivered for ever. Then 300 receipts that
# overtake their submit_sm_resp: at most ten log lines a minute for them.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

sim_stat() {
	simctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"
}

all_final() {
	[ "$(sql "select count(*) from outbox where state in
	    ('queued', 'inflight', 'accepted')")" -eq 0 ]
}

rinda_answered() {
	[ "$(sql "select count(*) from inbox where source = '+37120000303'
	    and processed_at is not null")" -eq 1 ] &&
	[ "$(sql "select count(*) from outbox where phone = '+37120000303'
	    and state in ('accepted', 'delivered')")" -ge 1 ]
}

finished_stored() {
	[ "$(sql "select count(*) from inbox where source = '+37120000304'")" \
	    -eq 1 ]
}

# Refusals of STATUS the simulator has logged.
refused() {
	grep -c "deliver_sm refused with $1\$" sim.err || :
}

sim_start -r 20
hport=$(free_port)
{ gw_conf_head 50 2000; cat <<EOF
[http]
listen = 127.0.0.1:$hport
EOF
} > muni.conf
chmod 600 muni.conf
ctl init > /dev/null
gw_start
binds0=$(sim_stat binds)
retry0=$(sim_stat deliver_retry)

phase "400 messages out, and the poison in one write"
awk 'BEGIN { print "phone,text"
    for (i = 1; i <= 400; i++) printf "+3712600%04d,mt%d\n", i, i }' > b.csv
ctl sms send --batch b.csv > /dev/null
{
	echo "part -s +37120000301 505 7 9 2 nine-of-two"
	echo "part +37120000302 505 7 0 2 zero-of-two"
	k=1
	while [ "$k" -le 33 ]; do
		echo "part +37120000304 505 $k 1 2 first-of-$k"
		k=$((k + 1))
	done
	echo "mo +37120000303 505 RINDA"
} > poison.ctl
expect_eq "control lines taken" "$(simctl_lines poison.ctl)" 36

wait_for 20 "the RINDA answered" rinda_answered
wait_for 60 "the messages final" all_final
# A moment for any redelivery the simulator would make (every 200 ms).
sleep 2

phase "Each bad part refused once, permanently; nothing else touched"
expect_eq "SAR 9 of 2: ESME_RINVOPTPARAMVAL" "$(refused ESME_RINVOPTPARAMVAL)" 1
expect_eq "UDH 0 of 2: a message of its own" "$(sql "select text from inbox
    where source = '+37120000302'")" "zero-of-two"
expect_eq "the 33rd unfinished message: ESME_RX_R_APPN" \
    "$(refused ESME_RX_R_APPN)" 1
expect_eq "deliver_sm answered with a temporary error" \
    "$(( $(sim_stat deliver_retry) - retry0 ))" 0
expect_eq "parts held for the sender of 33" "$(sql "select count(*) from
    mo_parts where source = '+37120000304'")" 32
expect_eq "parts held for the bad ones" "$(sql "select count(*) from
    mo_parts where source in ('+37120000301', '+37120000302')")" 0
expect_eq "MO stored" "$(sql 'select count(*) from inbox')" 2
expect_eq "binds at the simulator" "$(sim_stat binds)" "$binds0"
expect_no_grep 'link down' gw.err
expect_no_grep 'refused a commit' gw.err
simctl flush > /dev/null
dups=$(grep 'status=0x00 .* text=mt[0-9]*$' submit.log | sed 's/.* text=//' |
    sort | uniq -d | wc -l)
expect_eq "messages submitted twice" "$dups" 0
expect_eq "messages delivered" "$(sql "select count(*) from outbox where
    state = 'delivered' and text like 'mt%'")" 400
http_get /metrics > m
expect_grep '^muni_smsgw_mo_refused_total{reason="part_number"} 1$' m
expect_grep '^muni_smsgw_mo_refused_total{reason="sender_limit"} 1$' m
expect_eq "refusal lines in the log" "$(grep -c 'MO from .* refused with' gw.err)" 2
expect_no_grep '+37120000304' gw.err

phase "The limited sender may still finish a message it began"
simctl part +37120000304 505 5 2 2 second > /dev/null
wait_for 10 "the finished message stored" finished_stored
expect_eq "its text" "$(sql "select text from inbox where source =
    '+37120000304'")" "first-of-5second"
phase "A storm of receipts before their submit_sm_resp: ten lines, counted"
simctl set receipt-first 1 > /dev/null
awk 'BEGIN { print "phone,text"
    for (i = 1; i <= 300; i++) printf "+3712700%04d,early%d\n", i, i }' > b.csv
ctl sms send --batch b.csv > /dev/null
wait_for 60 "the early run final" all_final
simctl set receipt-first 0 > /dev/null
http_get /metrics > m
early=$(sed -n 's/^muni_smsgw_receipts_early_total //p' m)
[ "$early" -ge 100 ] || die "only $early receipts came early"
kept=$(grep -c 'before its submit_sm_resp, kept' gw.err || :)
echo "$early receipts kept early, $kept lines"
[ "$kept" -le 10 ] || die "$kept lines for $early early receipts"
expect_eq "receipts left pending" "$(sql 'select count(*) from receipts_pending')" 0
gw_stop
# SQLite's own check of its file (PostgreSQL checks its pages itself).
if ! pg_mode; then
	expect_eq "the database" "$(sql 'pragma integrity_check')" ok
else
	echo "SKIP (sqlite only): the database file's integrity_check"
fi
echo "mo_poison: ok"
