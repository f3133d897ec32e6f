#!/bin/sh
# log_lines: an administrator follows one message through the gateway's
# log with grep 'msg=ID ': its submit (seq=), the SMSC's response with the
# same seq= and its smsc_id=, and the receipt for that smsc_id= — in that
# order, as key=value words. Also a concatenated message (every part, then
# the whole), a throttled one (requeued with its status, then delivered),
# and a keyword reply (queued with the MO it answers). Phones are masked.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

state_of() {
	sql "select state from outbox where id = $1"
}
delivered() {
	[ "$(state_of "$1")" = delivered ]
}
logged() {
	grep -q -- "$1" gw.err
}
# lines ID: the log lines of message ID, without time stamp and prefix.
lines() {
	grep "msg=$1 " gw.err | sed 's/^.* info: //; s/^.* warning: //'
}
# Every word after the first is key=value (a line may end in ": note").
words_ok() {
	lines "$1" | sed 's/:.*//' | awk '{ for (i = 2; i <= NF; i++)
	    if ($i !~ /^[a-z_]+=[^ =]+$/) { print "not key=value: " $i; bad = 1 } }
	    END { exit bad }'
}

sim_start -r 20 -e 0
hport=$(free_port)
cat > muni.conf <<CONF
[database]
$(db_conf)
[smsc]
port = $sport
password = secret
source_addr = MUNI
reconnect_min_s = 1
reconnect_max_s = 2
[sms]
quiet_hours = none
[http]
listen = 127.0.0.1:$hport
CONF
ctl init > /dev/null 2>&1
ctl demo --residents 200 --seed 3 > /dev/null 2>&1
"$B/muni-smsgw" -c muni.conf -d 2>gw.err &
gwpid=$!
wait_for 10 "a bind" healthy

# --- One message, end to end.
a=$(ctl sms send 29000001 "Sveiki no Dobeles" | sed -n 's/^message=//p')
wait_for 10 "message $a delivered" delivered "$a"
wait_for 5 "its receipt's line" logged "receipt msg=$a "
lines "$a" > a.log
cat a.log
expect_eq "lines of msg=$a" "$(wc -l < a.log)" 3
sed -n 1p a.log | grep -q "^submit msg=$a part=1/1 seq=[0-9]* attempt=1 to=+371[^ ]* bind=smsc$" ||
    die "the submit line"
seq=$(sed -n '1s/.* seq=\([0-9]*\) .*/\1/p' a.log)
sed -n 2p a.log | grep -q "^resp msg=$a part=1/1 seq=$seq status=ESME_ROK smsc_id=[0-9a-z]* state=accepted$" ||
    die "the resp line (seq=$seq)"
sid=$(sed -n '2s/.* smsc_id=\([0-9a-z]*\) .*/\1/p' a.log)
sed -n 3p a.log | grep -q "^receipt msg=$a part=1 smsc_id=$sid state=delivered$" ||
    die "the receipt line (smsc_id=$sid)"
# The SMSC's id leads back to the message too.
expect_eq "smsc_id=$sid lines" "$(grep -c "smsc_id=$sid\( \|$\)" gw.err)" 2
expect_eq "stored id" "$(sql "select message_id from outbox where id = $a")" "$sid"
words_ok "$a" || die "msg=$a: not key=value"

# --- A concatenated message: three parts, each followed, then the whole.
long="Dobeles novada pašvaldība atgādina: nekustamā īpašuma nodokļa \
otrā maksājuma termiņš ir 15. maijs. Samaksāt var internetbankā vai \
klientu apkalpošanas centrā. Paldies!"
b=$(ctl sms send 29000002 "$long" | sed -n 's/^message=//p')
wait_for 10 "message $b delivered" delivered "$b"
wait_for 5 "its receipts' lines" test "$(grep -c "receipt msg=$b " gw.err)" -eq 3
lines "$b" > b.log
cat b.log
for p in 1 2 3; do
	expect_grep "^submit msg=$b part=$p/3 seq=" b.log
	expect_grep "^resp msg=$b part=$p/3 seq=[0-9]* status=ESME_ROK smsc_id=" b.log
	expect_grep "^receipt msg=$b part=$p smsc_id=[0-9a-z]* state=delivered$" b.log
done
expect_grep "^done msg=$b parts=3 state=accepted$" b.log
words_ok "$b" || die "msg=$b: not key=value"

# --- Throttled: the status, the requeue, then the way through.
simctl set throttle 1 > /dev/null
c=$(ctl sms send 29000003 "Atkal" | sed -n 's/^message=//p')
wait_for 10 "message $c requeued" logged "done msg=$c state=queued"
simctl set throttle 0 > /dev/null
wait_for 30 "message $c delivered" delivered "$c"
wait_for 5 "its receipt's line" logged "receipt msg=$c "
lines "$c" > c.log
cat c.log
expect_grep "^resp msg=$c part=1/1 seq=[0-9]* status=ESME_RTHROTTLED$" c.log
expect_grep "^done msg=$c state=queued attempts=1 status=ESME_RTHROTTLED retry_in=[0-9]*s$" c.log
expect_grep "^submit msg=$c part=1/1 seq=[0-9]* attempt=2 " c.log
expect_grep "^receipt msg=$c part=1 smsc_id=[0-9a-z]* state=delivered$" c.log
words_ok "$c" || die "msg=$c: not key=value"

# --- A keyword's reply: queued with the MO it answers, then as the others.
simctl mo +37129000004 505 "TEMAS" > /dev/null
wait_for 10 "a reply queued" logged "^.* queued msg=[0-9]* mo=[0-9]* "
r=$(sed -n 's/.* queued msg=\([0-9]*\) mo=.*/\1/p' gw.err | head -n 1)
wait_for 10 "the reply delivered" delivered "$r"
wait_for 5 "its receipt's line" logged "receipt msg=$r "
lines "$r" > r.log
cat r.log
expect_grep "^queued msg=$r mo=[0-9]* to=+371[^ ]* state=queued$" r.log
expect_grep "^submit msg=$r " r.log
expect_grep "^receipt msg=$r part=1 smsc_id=[0-9a-z]* state=delivered$" r.log

# No phone number whole in the log.
for n in 29000001 29000002 29000003 29000004; do
	expect_no_grep "$n" gw.err
done
echo "log_lines: ok"
