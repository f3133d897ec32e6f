#!/bin/sh
# gateway_binds: muni-smsgw with several binds, against two simulators over
# real TCP. Errors in [smsc.NAME] sections; traffic split between two
# binds; a broadcast over both that ends done with every message's final
# state counted; one SMSC killed with -9 in the middle of a run (what it held goes
# out on the other, nothing is lost, /health stays 200); SIGHUP removing a
# bind (it unbinds, the other keeps its session) and adding a
# transmitter+receiver pair with long_mode = payload; on that pair alone:
# MT with receipts, one message_payload for a long text, MO and its reply;
# SIGHUP with changed credentials rebinding both sessions of the pair;
# the pair's password from a password_file, refused when wrong, reread
# by SIGHUP.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

simctl_a() { "$B/muni-smscsim" --ctl -C "$PWD/a.sock" "$@"; }
simctl_b() { "$B/muni-smscsim" --ctl -C "$PWD/b.sock" "$@"; }
stat_a() { simctl_a stats | tr ' ' '\n' | sed -n "s/^$1=//p"; }
stat_b() { simctl_b stats | tr ' ' '\n' | sed -n "s/^$1=//p"; }

count_state() {
	sql "select count(*) from outbox where state = '$1'"
}

none_waiting() {
	[ "$(sql "select count(*) from outbox where state in
	    ('queued', 'inflight')")" -eq 0 ]
}

all_final() {
	[ "$(sql "select count(*) from outbox where state in
	    ('queued', 'inflight', 'accepted')")" -eq 0 ]
}

metric() {
	http_get /metrics | sed -n "s/^$1 //p"
}

binds_up_is() {
	[ "$(metric muni_smsgw_binds_up)" = "$1" ]
}

sent_at_least() {	# sent_at_least N PREFIX: N of PREFIX* reached the SMSCs
	simctl_a flush > /dev/null 2>&1 || :
	simctl_b flush > /dev/null 2>&1 || :
	[ "$(cat a.log b.log | grep -c " text=$2[0-9]*$")" -ge "$1" ]
}

# sql_is N QUERY: the query's value is N (a condition for wait_for).
sql_is() {
	[ "$(sql "$2")" -eq "$1" ]
}

pair_bound() {	# c's transmitter and receiver on b's SMSC, no transceiver
	[ "$(stat_b tx) $(stat_b rx) $(stat_b trx)" = "1 1 0" ]
}

# batch N PREFIX: N messages texted PREFIX1..PREFIXN, in one batch.
batch() {
	{ echo phone,text; i=1; while [ "$i" -le "$1" ]; do
		echo "26$(printf %06d "$i"),$2$i"; i=$((i + 1)); done; } > b.csv
	ctl sms send --batch b.csv > /dev/null
}

# start_sim NAME MSGID_BASE [PORT]: a simulator, receipts after 50 ms.
start_sim() {
	"$B/muni-smscsim" -p "${3:-0}" -o "$1.log" -C "$PWD/$1.sock" -r 50 \
	    -e 0 -u muni -w secret --msgid-base "$2" \
	    >"$1.out" 2>>"$1.err" </dev/null &
	eval "pid_$1=$!"
	wait_for 5 "simulator $1's port" grep -q '^port=' "$1.out"
}

start_sim a 1
start_sim b 4026531840		# f0000000: ids the two never share
simpid="$pid_a $pid_b"
pa=$(sed -n 's/^port=//p' a.out)
pb=$(sed -n 's/^port=//p' b.out)
hport=$(free_port)

bind_section() {	# bind_section NAME PORT [EXTRA KEY = VALUE LINES]
	name=$1 port=$2
	shift 2
	cat <<EOF
[smsc.$name]
port = $port
system_id = muni
password = secret
source_addr = MUNI
window = 10
max_tps = 500
enquire_link_s = 5
reconnect_min_s = 1
reconnect_max_s = 2
response_timeout_s = 2
EOF
	for l in "$@"; do echo "$l"; done
}

conf() {	# conf SECTIONS...: muni.conf with these bind sections
	{
		printf '[database]\n%s\n' "$(db_conf)"
		printf '[http]\nlisten = 127.0.0.1:%s\n' "$hport"
		printf '[sms]\nquiet_hours = none\n'
		for sect in "$@"; do echo "$sect"; done
	} > muni.conf.new
	chmod 600 muni.conf.new
	mv muni.conf.new muni.conf
}

# --- Configuration errors in named sections: FILE:LINE, what and where.
phase "Errors in [smsc.NAME] sections"
cat > bad.conf <<EOF
[database]
$(db_conf)
[smsc.backup]
windw = 5
port = 0
bind_mode = both
[smsc.two words]
[smcs.x]
EOF
rc=0
"$B/muni-smsgw" -c bad.conf -n > bad.out 2> bad.err || rc=$?
expect_eq "muni-smsgw -n on errors" "$rc" 1
# In Latvian, the default language of every program.
expect_grep "^bad.conf:4: nezināma atslēga 'windw' sadaļā \[smsc.backup\] (vai domājāt 'window'?)$" bad.err
expect_grep '^bad.conf:5: smsc.backup.port: ' bad.err
expect_grep '^bad.conf:6: smsc.backup.bind_mode: .both. nav neviena no transceiver pair auto$' bad.err
expect_grep '^bad.conf:7: \[smsc.two words\]' bad.err
expect_grep '^bad.conf:8: nezināma sadaļa \[smcs.x\] (vai domājāt \[smsc.x\]?)$' bad.err
# TLS settings are checked per bind too (gateway_tls.sh has the rest).
printf '[database]\n%s\n[smsc.x]\ntls = yes\ntls_ca_file = %s/none.pem\n' \
    "$(db_conf)" "$PWD" > tls.conf
rc=0
"$B/muni-smsgw" -c tls.conf -n > tls.out 2> tls.err || rc=$?
expect_eq "tls = yes in a named bind without its CA file" "$rc" 1
expect_grep '\[smsc.x\] tls_ca_file .*/none.pem cannot be read' tls.err

conf "$(bind_section a "$pa")" "$(bind_section b "$pb")"
ctl init > /dev/null
# Residents for the broadcast below (the demo load wants the database alone).
ctl demo --residents 300 --seed 4 > demo.out 2>&1 || die "munictl demo: $(cat demo.out)"
ctl group add visi --rule "has_mobile" > /dev/null
"$B/muni-smsgw" -c muni.conf -n > check.out || die "muni-smsgw -n"
expect_grep '^configuration OK$' check.out
"$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
gwpid=$!
wait_for 10 "both binds" binds_up_is 2
healthy || die "/health is not 200 with two binds up"

# --- Traffic split between the two binds.
phase "2000 messages over two binds"
batch 2000 s
wait_for 60 "the split run delivered" all_final
expect_eq "delivered" "$(count_state delivered)" 2000
simctl_a flush > /dev/null
simctl_b flush > /dev/null
na=$(grep -c 'status=0x00 .* text=s[0-9]*$' a.log || :)
nb=$(grep -c 'status=0x00 .* text=s[0-9]*$' b.log || :)
echo "split: a=$na b=$nb"
expect_eq "every message once" "$((na + nb))" 2000
[ "$na" -ge 400 ] && [ "$nb" -ge 400 ] || die "one bind idle: a=$na b=$nb"
expect_eq "rows per bind (a)" "$(sql "select count(*) from outbox where
    bind = 'a'")" "$na"
http_get /metrics > m1
expect_grep "^muni_smsgw_bind_up{bind=\"a\"} 1$" m1
expect_grep "^muni_smsgw_bind_up{bind=\"b\"} 1$" m1
expect_grep "^muni_smsgw_bind_submits_total{bind=\"a\"} $na$" m1
expect_grep "^muni_smsgw_bind_submits_total{bind=\"b\"} $nb$" m1
expect_grep '^muni_smsgw_bind_inflight{bind="a"} 0$' m1

# --- A broadcast over both binds: its final states reach it, and it is
# done when the last one is.
phase "A broadcast over two binds ends done"
ctl broadcast send --group visi --text "Sveiki, {given_name}!" --emergency \
    --yes > bc1
bid=$(sed -n 's/^broadcast=//p' bc1)
bn=$(sed -n 's/^messages=//p' bc1)
[ -n "$bid" ] && [ "$bn" -gt 50 ] || die "no broadcast sent"
wait_for 30 "the broadcast delivered" all_final
bc_done() {
	ctl broadcast status "$bid" > bc2 && grep -q '^broadcast_state=done$' bc2
}
# The gateway brings broadcast states up to date once a second.
wait_for 3 "the broadcast done" bc_done
expect_grep "^delivered=$bn\$" bc2
expect_grep '^queued=0$' bc2
expect_eq "binds the broadcast used" "$(sql "select count(distinct bind)
    from outbox where broadcast_id = $bid")" 2

# --- One SMSC dies with -9 mid-run: the other takes over.
phase "kill -9 of one SMSC in the middle of 3000"
batch 3000 f
wait_for 30 "a part of the run" sent_at_least 600 f
kill -9 "$pid_a"
left=$(sql "select count(*) from outbox where text like 'f%' and state =
    'queued'")
wait "$pid_a" 2>/dev/null || :
simpid=$pid_b
# At 500 submits/s a bind, most of the run is still to go.
[ "$left" -ge 500 ] || die "only $left queued when a died: no failover tested"
wait_for 10 "bind a down" binds_up_is 1
healthy || die "/health is not 200 with one bind up"
wait_for 60 "nothing queued or inflight" none_waiting
# What a had accepted waits for receipts that died with it; everything
# else ends delivered through b, once b's receipts (a few ms behind its
# submit_sm_resp) have come: found racing on a loaded machine.
b_settled() {
	[ "$(sql "select count(*) from outbox where text like 'f%' and
	    state = 'accepted' and bind <> 'a'")" -eq 0 ]
}
wait_for 10 "b's receipts" b_settled
simctl_b flush > /dev/null
fa=$(grep -c 'status=0x00 .* text=f[0-9]*$' a.log || :)
grep 'status=0x00 .* text=f[0-9]*$' a.log b.log | sed 's/.* text=//' |
    sort -u > f.sent
expect_eq "messages that reached an SMSC" "$(wc -l < f.sent)" 3000
expect_eq "rows neither final nor a's" "$(sql "select count(*) from outbox
    where text like 'f%' and state not in ('delivered', 'accepted')")" 0
expect_eq "accepted rows not on a" "$(sql "select count(*) from outbox
    where text like 'f%' and state = 'accepted' and bind <> 'a'")" 0
acc=$(count_state accepted)
fb=$(grep -c 'status=0x00 .* text=f[0-9]*$' b.log || :)
[ "$fb" -ge $((3000 - fa)) ] || die "b sent $fb of the run, a $fa"
[ "$acc" -le "$fa" ] || die "$acc accepted, a only took $fa"
echo "failover: $left queued when a died; a took $fa, b $fb;" \
    "$acc wait for a's receipts;" \
    "$(sql "select count(*) from outbox where text like 'f%' and bind = 'b'
    and attempts > 1") went to b after a failed attempt on a"
expect_eq "delivered through b or before the kill" "$(sql "select count(*)
    from outbox where text like 'f%' and state = 'delivered'")" \
    "$((3000 - acc))"
# The dead SMSC returns: the bind comes back by itself.
start_sim a 268435456 "$pa"	# 10000000
simpid="$pid_a $pid_b"
wait_for 15 "bind a again" binds_up_is 2

# --- SIGHUP: b leaves, a keeps its session, a pair with payload joins.
phase "SIGHUP removes b and adds a transmitter+receiver pair c"
conn_a=$(stat_a connections)
conf "$(bind_section a "$pa")" \
    "$(bind_section c "$pb" "bind_mode = pair" "long_mode = payload")"
kill -HUP "$gwpid"
wait_for 5 "the reload" grep -q 'configuration reloaded' gw.err
wait_for 10 "b unbound" grep -q 'b: unbound' gw.err
expect_grep 'b: no longer configured: unbinding' gw.err
expect_grep 'c: new bind' gw.err
wait_for 10 "c's transmitter and receiver, b's transceiver gone" pair_bound
expect_eq "a kept its session" "$(stat_a connections)" "$conn_a"
wait_for 10 "a and c up" binds_up_is 2
http_get /metrics > m2
expect_grep '^muni_smsgw_bind_receiver_up{bind="c"} 1$' m2
expect_no_grep 'bind="b"' m2

# --- The pair alone: MT, receipts on the receiver, payload, MO.
phase "SIGHUP leaves only the pair; MT, message_payload, MO"
conf "$(bind_section c "$pb" "bind_mode = pair" "long_mode = payload")"
kill -HUP "$gwpid"
wait_for 10 "a unbound" grep -q 'a: unbound' gw.err
wait_for 10 "one bind" binds_up_is 1
expect_eq "sessions left on a's SMSC" "$(stat_a trx)" 0
long="Dobeles novada pašvaldība atgādina: nekustamā īpašuma nodokļa \
otrā maksājuma termiņš ir 15. maijs. Samaksāt var internetbankā vai \
klientu apkalpošanas centrā. Paldies, ka maksājat laikā!"
id1=$(ctl sms send 29100001 "Sveiki pa pāri" | sed -n 's/^message=//p')
id2=$(ctl sms send 29100002 "$long" | sed -n 's/^message=//p')
wait_for 15 "both delivered" sql_is 2 "select count(*) from outbox where
    id in ($id1, $id2) and state = 'delivered'"
simctl_b flush > /dev/null
# One submit_sm for the long text: no UDH, the whole text in the TLV.
expect_eq "submits of the long text" "$(grep -c 'dst=+37129100002 ' b.log)" 1
expect_grep "dst=+37129100002 dcs=8 esm=0x00 reg=1 .* payload=1 udh=- .*text=$long\$" b.log
expect_grep 'dst=+37129100001 dcs=8 esm=0x00 reg=1 .*text=Sveiki pa pāri$' b.log
ctl sms status "$id2" > st2
expect_grep '^state=delivered$' st2
expect_no_grep '^part=' st2
expect_eq "rows on c" "$(sql "select count(*) from outbox where id in ($id1,
    $id2) and bind = 'c'")" 2
simctl_b mo +37120000009 505 "RINDA" > /dev/null
wait_for 10 "the MO answered" sql_is 1 "select count(*) from inbox where
    source = '+37120000009' and processed_at is not null"
wait_for 10 "its reply delivered" sql_is 1 "select count(*) from outbox
    where phone = '+37120000009' and state = 'delivered' and bind = 'c'"
expect_eq "the sessions on b's SMSC" "$(stat_b tx) $(stat_b rx) $(stat_b trx)" "1 1 0"

# --- SIGHUP with other credentials: both sessions of the pair rebind.
phase "SIGHUP with a new system_type rebinds the pair"
conn_b=$(stat_b connections)
conf "$(bind_section c "$pb" "bind_mode = pair" "long_mode = payload" \
    "system_type = VMA")"
kill -HUP "$gwpid"
wait_for 5 "the rebind" grep -q 'c: the SMSC settings changed: rebinding' gw.err
pair_rebound() {
	pair_bound && [ "$(stat_b connections)" -eq $((conn_b + 2)) ]
}
wait_for 10 "the pair bound again" pair_rebound
id3=$(ctl sms send 29100003 "Pēc atkārtotas piesaistes" |
    sed -n 's/^message=//p')
wait_for 15 "delivered after the rebind" sql_is 1 "select count(*) from
    outbox where id = $id3 and state = 'delivered'"

# --- The pair's password moves to a password_file, which a SIGHUP reads
# again: a wrong one is refused by the SMSC (and never logged), the right
# one binds both sessions.
phase "password_file: refused when wrong, bound when right"
printf 'wr0ng\n' > smpp.pw
chmod 600 smpp.pw
conf "$(bind_section c "$pb" "bind_mode = pair" "long_mode = payload" \
    "system_type = VMA" | sed "s|^password = .*|password_file = $PWD/smpp.pw|")"
expect_no_grep '^password =' muni.conf
"$B/muni-smsgw" -c muni.conf -n > out || fail "-n with a password_file"
kill -HUP "$gwpid"
wait_for 10 "the SMSC's refusal" grep -q 'c/tx: .*bind refused' gw.err
wait_for 10 "no bind up" binds_up_is 0
expect_no_grep 'wr0ng' gw.err
printf 'secret\n' > smpp.pw
kill -HUP "$gwpid"
wait_for 15 "the pair bound with the file's password" pair_bound
wait_for 5 "a bind up" binds_up_is 1
id4=$(ctl sms send 29100004 "Parole no faila" | sed -n 's/^message=//p')
wait_for 15 "delivered" sql_is 1 "select count(*) from outbox where id = $id4
    and state = 'delivered'"
# A missing file: -n says which and why; a reload keeps what runs.
rm smpp.pw
rc=0
"$B/muni-smsgw" -c muni.conf -n > out 2> err || rc=$?
expect_eq "-n without the password file" "$rc" 1
expect_grep "\[smsc.c\] password_file $PWD/smpp.pw: cannot be read: No such file or directory" err
kill -HUP "$gwpid"
wait_for 5 "the reload refused" grep -q 'password_file .*cannot be read' gw.err
expect_eq "still bound" "$(stat_b tx) $(stat_b rx)" "1 1"

# --- SIGTERM: every session unbinds, exit 0.
phase "SIGTERM"
kill -TERM "$gwpid"
rc=0
wait "$gwpid" || rc=$?
gwpid=""
expect_eq "exit status" "$rc" 0
expect_grep 'c/tx: unbound' gw.err
expect_grep 'c/rx: unbound' gw.err
echo "gateway_binds: ok"
