#!/bin/sh
# callbacks: issue 23's callbacks through muni-smsgw, muni-smscsim and a
# real HTTP receiver (cbrecv.py). A text no keyword answers and an
# IESNIEGUMS report reach the receiver as mo.unhandled and case.created, a
# delivered message as message.final, each signed so the receiver's check
# holds. A receiver answering 500 keeps its events queued, also over a
# gateway restart, and they go once it answers 200, a case's created
# before its changed. A redirect is a failure with a log line, never
# followed. While the receiver hangs, MO traffic flows: N texts are all
# handled while one post is stuck, and their events drain afterwards.
# munictl callback list, retry and drop work the queue; a changed
# callback on SIGHUP says it takes a restart.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"
N=${CALLBACK_MO_N:-10000}

recvpid=""
recv_cleanup() {
	[ -n "$recvpid" ] && kill "$recvpid" 2>/dev/null || :
}
trap 'recv_cleanup; gwlib_cleanup' EXIT

echo "s3cr3t-for-the-erp" > cb.secret
echo 200 > mode
python3 "$MUNI_TOP/tests/integration/cbrecv.py" rport recv.log mode \
    cb.secret 2>recv.err &
recvpid=$!
wait_for 5 "the receiver's port" test -s rport
rport=$(cat rport)

sim_start -r 20 -e 0
hport=$(free_port)
{ gw_conf_head 50 1000; cat <<EOF
[sms]
quiet_hours = none
[services]
replies_per_hour = 1000
[http]
listen = 127.0.0.1:$hport
[http.callback.erp]
url = http://127.0.0.1:$rport/muni
events = message.final, mo.unhandled, case.created, case.changed
secret_file = $PWD/cb.secret
timeout_s = 30
retry_h = 1
EOF
} > muni.conf
chmod 600 muni.conf
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
gw_start
expect_eq "targets" "$(sql "select name || ' ' || events from
    callback_targets")" "erp 29"

# posted N: the receiver has logged N posts.
posted() { [ "$(cat recv.log 2>/dev/null | wc -l)" -ge "$1" ]; }
# seen EVENT KEY VALUE [CODE]: the receiver took (CODE, default 200) a
# signed post of EVENT whose body has KEY = VALUE.
seen() {
	python3 - "$@" <<'PY'
import json, sys
ev, key, val = sys.argv[1:4]
code = int(sys.argv[4]) if len(sys.argv) > 4 else 200
for l in open("recv.log"):
    r = json.loads(l)
    if r["event"] == ev and str(r["body"].get(key)) == val and \
            r["code"] == code and r["sig"]:
        sys.exit(0)
sys.exit(1)
PY
}
# queue_is STATE N
queue_is() {
	[ "$(sql "select count(*) from callbacks where state = '$1'")" -eq "$2" ]
}

phase "mo.unhandled, signed"
mo +37120000001 "Labdien, kur ir mana pase?"
wait_for 10 "the mo.unhandled post" seen mo.unhandled phone +37120000001
python3 - <<'PY' || die "mo.unhandled post"
import json
r = [json.loads(l) for l in open("recv.log")]
r = [x for x in r if x["event"] == "mo.unhandled"][0]
b = r["body"]
assert b["text"] == "Labdien, kur ir mana pase?", b
assert b["case_no"] is None and b["resident_id"] is None, b
PY

phase "message.final on a receipt"
ctl sms send +37120000002 "Jūsu iesniegums ir izskatīts" > send.out 2>&1 ||
    die "sms send: $(cat send.out)"
wait_for 10 "the message.final post" seen message.final phone +37120000002
seen message.final state delivered || die "not delivered: $(cat recv.log)"
wait_for 10 "the queue empty" queue_is pending 0

phase "500, a restart, then 200: nothing lost, a case's events in order"
echo 500 > mode
mo +37120000003 "IESNIEGUMS Lūdzu salabot ielas apgaismojumu"
case_no=$(sql "select case_no from reports order by id desc limit 1")
[ -n "$case_no" ] || die "no case filed"
wait_for 10 "a refused post" grep -q 'attempt 1: HTTP 500' gw.err
ctl case set "$case_no" in_progress > case.out 2>&1 || die "$(cat case.out)"
expect_eq "case.changed waits" "$(sql "select attempts from callbacks
    where event = 'case.changed'")" 0
gw_stop
expect_eq "nothing mid-post after a stop" "$(sql "select count(*) from
    callbacks where state = 'sending'")" 0
echo 200 > mode
gw_start
wait_for 30 "the queue drained" queue_is pending 0
wait_for 5 "the last post done" queue_is sending 0
python3 - "$case_no" <<'PY' || die "order after the restart"
import json, sys
rs = [json.loads(l) for l in open("recv.log")]
ok = [r for r in rs if r["code"] == 200]
kinds = [r["event"] for r in ok if r["body"].get("case_no") == sys.argv[1]]
assert kinds.count("case.created") == 1, kinds
assert kinds.count("case.changed") == 1, kinds
cre = [i for i, r in enumerate(ok) if r["event"] == "case.created"][0]
chg = [i for i, r in enumerate(ok) if r["event"] == "case.changed"][0]
assert cre < chg, kinds
assert all(r["sig"] for r in rs), "a bad signature"
assert any(r["code"] == 500 and r["event"] == "case.created" for r in rs)
PY
expect_eq "not done" "$(sql "select count(*) from callbacks where state <>
    'done'")" 0

phase "a redirect is not followed"
echo 302 > mode
mo +37120000004 "Kas ir jauns?"
wait_for 10 "the redirect logged" grep -q \
    'HTTP 302: a redirect to http://127.0.0.1:9/elsewhere, not followed' gw.err
seen mo.unhandled phone +37120000004 302 || die "no 302: $(cat recv.log)"
ctl callback list --state pending > list.out
grep 'subject=mo:+37120000004 ' list.out > mo4.out || die "$(cat list.out)"
expect_grep 'event=mo.unhandled subject=mo:+37120000004 state=pending attempts=1 .*error="HTTP 302' mo4.out
id=$(sed -n '1s/^id=\([0-9]*\) .*/\1/p' mo4.out)
ctl callback drop "$id" > drop.out 2>&1 || die "drop: $(cat drop.out)"
expect_eq "dropped" "$(sql "select count(*) from callbacks where id = $id")" 0
expect_eq "audited" "$(sql "select count(*) from audit_log where action =
    'callback drop' and detail = 'id=$id'")" 1
if ctl callback retry "$id" > retry.out 2>&1; then
	die "retried a dropped row"
fi
expect_grep "$id" retry.out

phase "a hanging receiver while $N MO flow"
echo hang > mode
nposts=$(cat recv.log | wc -l)
mo +37120000005 "pirmais"
wait_for 15 "the hanging post" posted $((nposts + 1))
nposts=$(cat recv.log | wc -l)
start=$(sql "select count(*) from inbox where processed_at is not null")
i=0
: > mo.ctl
while [ "$i" -lt "$N" ]; do
	printf 'mo +3712100%04d 505 teksts %d\n' "$i" "$i" >> mo.ctl
	i=$((i + 1))
done
t1=$(date +%s)
expect_eq "injected" "$(simctl_lines mo.ctl)" "$N"
handled() {
	[ "$(sql "select count(*) from inbox where processed_at is not
	    null")" -ge $((start + N)) ]
}
wait_for 28 "$N MO handled while the post hangs" handled
t2=$(date +%s)
phase "$N MO handled in $((t2 - t1)) s with one post hanging"
# The hanging post is still the last one the receiver has seen.
expect_eq "posts while hanging" "$(($(cat recv.log | wc -l) - nposts))" 0
expect_eq "queued" "$(sql "select count(*) from callbacks where event =
    'mo.unhandled' and state = 'pending'")" "$N"
echo 200 > mode
wait_for 120 "the events drained" queue_is pending 0
wait_for 10 "the last post done" queue_is sending 0
expect_grep 'Timeout was reached' gw.err

phase "a changed callback on SIGHUP: a restart's"
sed 's/^retry_h = 1$/retry_h = 2/' muni.conf > muni.conf.new
mv muni.conf.new muni.conf
kill -HUP "$gwpid"
wait_for 10 "the reload's warning" grep -q \
    'reload: \[http.callback.NAME\] sections change only with a restart' gw.err

phase "retry --failed"
sql "update callbacks set state = 'failed' where id = (select max(id) from
    callbacks)" > /dev/null
ctl callback retry --failed > retry.out
expect_eq "retried" "$(cat retry.out)" "retried=1"
wait_for 10 "the retried row done" queue_is failed 0
gw_stop
echo "ok: $N MO handled while a receiver hung"
