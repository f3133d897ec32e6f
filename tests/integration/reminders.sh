#!/bin/sh
# reminders: the daily reminder run of muni-smsgw with its clock moved by
# MUNI_FAKE_NOW. Started ten seconds before [reminders] hour nothing goes
# out; at the hour the NĪN reminders due within nin_days_before go out
# (topic nodokli, one per fee, the resident who texted STOP nodokli left
# out, as many as an independent SQL count) and reach the simulator. The
# daemon restarted later that day, and munictl reminders run, repeat
# nothing: the outbox keeps its count; the next day's run adds only fees
# that entered the window, never one twice. Queue news: the first run only
# notes each child's place; after three children ahead leave a queue (one
# of them placed) the next day's run tells every guardian in that queue
# whose child moved up, and the placed child's guardian, once.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

reminders() {
	sql "select count(*) from outbox where topic = 'nodokli'"
}

reminders_at_least() {
	[ "$(reminders)" -ge "$1" ]
}

runs_logged() {
	[ "$(grep -c 'reminders: run of' gw.err)" -ge "$1" ]
}

all_sent() {
	[ "$(sql "select count(*) from outbox where topic = 'nodokli' and
	    state in ('queued', 'inflight')")" -eq 0 ]
}

# gateway TIME: start muni-smsgw with its clock at TIME.
gateway() {
	MUNI_FAKE_NOW=$1 "$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
	gwpid=$!
	wait_for 10 "a bind" healthy
}

stop_gateway() {
	kill "$gwpid"
	wait "$gwpid" || :
	gwpid=""
}

sim_start -r 20 -e 0
hport=$(free_port)
cat > muni.conf <<EOF
[database]
$(db_conf)
[smsc]
port = $sport
system_id = muni
password = secret
max_tps = 400
reconnect_min_s = 1
reconnect_max_s = 2
[sms]
quiet_hours = 21:00-08:00
[http]
listen = 127.0.0.1:$hport
[reminders]
enabled = yes
hour = 10
nin_days_before = 7
dog_days_before = 7
queue_improvement = 2
EOF
chmod 600 muni.conf
export MUNI_LANG=lv
ctl init > /dev/null 2>&1
ctl demo --residents 1500 --seed 3 > /dev/null 2>&1

# The last NĪN due date of the demo year; the run happens three days before.
due=$(sql "select max(due_date) from fees where kind = 'nin'")
day=$(date -d "$due -3 days" +%F)
next=$(date -d "$day +1 day" +%F)
# Someone due then leaves the topic, as STOP nodokli does.
stopper=$(sql "select f.resident_id from fees f join residents r on r.id = f.resident_id
    where f.kind = 'nin' and f.due_date = '$due' and f.paid_cents < f.amount_cents
    and r.phone_kind = 0 order by f.id limit 1")
[ -n "$stopper" ] || fail "no unpaid NĪN due $due in the demo"
sql "insert into subscriptions (resident_id, topic_id, subscribed, updated_at)
    select $stopper, id, 0, 0 from topics where code = 'nodokli'
    on conflict (resident_id, topic_id) do update set subscribed = 0"
# Independently: unpaid fees due from that day to seven days on, of
# residents with a mobile who receive nodokli (a row, else the default).
want=$(sql "select count(*) from fees f join residents r on r.id = f.resident_id
    join topics t on t.code = 'nodokli'
    left join subscriptions s on s.resident_id = r.id and s.topic_id = t.id
    where f.kind in ('nin', 'dog') and f.paid_cents < f.amount_cents
    and f.due_date between '$day' and '$(date -d "$day + 7 days" +%F)'
    and r.phone is not null and r.phone_kind in (0, 2)
    and coalesce(s.subscribed, t.default_on) = 1")
[ "$want" -gt 5 ] || fail "only $want reminders due on $day"

phase "10 s before the hour: nothing; at the hour: $want reminders"
gateway "$day 09:59:50"
grep -q 'reminders: daily at 10:00' gw.err || die "no schedule in the log"
expect_eq "before the hour" "$(reminders)" 0
wait_for 25 "the run at 10:00" runs_logged 1
expect_grep "reminders: run of $day: nin=" gw.err
expect_eq "reminders queued" "$(reminders)" "$want"
expect_eq "marked" "$(sql "select count(*) from reminders_sent where kind = 'fee'")" "$want"
expect_eq "one per fee" "$(sql "select count(distinct ref_id || due) from reminders_sent where kind = 'fee'")" "$want"
expect_eq "STOP nodokli respected" "$(sql "select count(*) from outbox where topic = 'nodokli' and resident_id = $stopper")" 0
# Not before the hour of the fake clock, and in Latvian for lv residents.
# 10:00 in Riga, whatever this shell's TZ.
expect_eq "queued at the hour" "$(sql "select count(*) from outbox where topic = 'nodokli'
    and created_at < $(TZ=Europe/Riga date -d "$day 10:00:00" +%s)")" 0
sql "select text from outbox o join residents r on r.id = o.resident_id
    where o.topic = 'nodokli' and r.lang = 'lv' limit 1" > text
expect_grep '^Nekustamā īpašuma nodoklis (20[0-9][0-9]\. g\. [1-4]\. ceturksnis): [0-9]*,[0-9][0-9] € jāmaksā līdz [0-9][0-9]\.[0-9][0-9]\.20[0-9][0-9]\. ' text
# Two UCS-2 segments (134 characters) with the Latvian quarter and €.
expect_eq "two segments at most" "$(sql "select case when max(length(text))
    <= 134 then 1 else 0 end from outbox o join residents r on r.id = o.resident_id
    where o.topic = 'nodokli' and r.lang = 'lv'")" 1
wait_for 20 "the reminders sent" all_sent
simctl flush > /dev/null
sent=$(grep -c 'Atteikties: STOP nodokli' submit.log || :)
[ "$sent" -ge 1 ] || die "no reminder on the wire"

phase "restarts the same day repeat nothing"
stop_gateway
gateway "$day 10:30:00"
wait_for 10 "the catch-up run" runs_logged 2
expect_grep "reminders: run of $day: nin=0 dog=0 queue=0" gw.err
stop_gateway
gateway "$day 23:59:58"
expect_eq "after two restarts" "$(reminders)" "$want"
MUNI_FAKE_NOW="$day 12:00:00" ctl reminders run > r1
expect_grep '^reminders=0$' r1
MUNI_FAKE_NOW="$day 12:00:00" ctl reminders run --dry-run > r2
expect_grep '^reminders=0$' r2
expect_eq "after munictl" "$(reminders)" "$want"

# Queue news: nothing yet (places only noted), then three ahead leave.
expect_eq "no queue news on the first sight" "$(sql "select count(*) from outbox where topic = 'pii'")" 0
[ "$(sql "select count(*) from reminders_sent where kind = 'queue_pos'")" -gt 0 ] ||
    die "no queue places noted"
grp=$(sql "select institution_id || '|' || substr(desired_start, 1, 4) from queue_entries
    where status = 'active' group by 1 order by count(*) desc limit 1")
inst=${grp%|*} year=${grp#*|}
inq="status = 'active' and institution_id = $inst and substr(desired_start, 1, 4) = '$year'"
top=$(sql "select id from queue_entries where $inq
    order by priority desc, registered_at, id limit 3" | paste -sd, -)
# Guardians with a mobile who receive pii (a row, else the default).
RECV="r.phone is not null and r.phone_kind in (0, 2) and coalesce((select s.subscribed
    from subscriptions s join topics t on t.id = s.topic_id where s.resident_id = r.id
    and t.code = 'pii'), (select default_on from topics where code = 'pii')) = 1"
placed=$(sql "select q.id from queue_entries q join residents r on r.id = q.guardian_id
    where q.id in ($top) and $RECV order by q.id limit 1")
movers=$(sql "select count(*) from queue_entries q join residents r on r.id = q.guardian_id
    where q.status = 'active' and q.institution_id = $inst
    and substr(q.desired_start, 1, 4) = '$year' and q.id not in ($top) and $RECV")
[ "$movers" -gt 0 ] || die "nobody behind the first three of queue $grp"
sql "update queue_entries set status = 'withdrawn' where id in ($top)"
if [ -n "$placed" ]; then
	sql "update queue_entries set status = 'placed' where id = $placed"
	movers=$((movers + 1))
fi

# The next day at the hour: fees newly in the window, and the queue news.
phase "the next day: $movers queue news"
stop_gateway
gateway "$next 09:59:57"
wait_for 25 "the next day's run" runs_logged 4
expect_grep "reminders: run of $next: nin=" gw.err
expect_eq "never twice" "$(sql "select count(*) - count(distinct ref_id || '/' || due) from reminders_sent")" 0
expect_eq "rows = marks" "$(reminders)" "$(sql "select count(*) from reminders_sent where kind = 'fee'")"
expect_eq "queue news" "$(sql "select count(*) from outbox where topic = 'pii'")" "$movers"
expect_grep "reminders: run of $next: nin=[0-9]* dog=[0-9]* queue=$movers " gw.err
if [ -n "$placed" ]; then
	expect_eq "the placement told" "$(sql "select count(*) from outbox o join queue_entries q
	    on q.guardian_id = o.resident_id where q.id = $placed and o.topic = 'pii'
	    and o.text like 'PII rinda: % ir piešķirta vieta %'")" 1
fi
sql "select text from outbox where topic = 'pii' and text like '%bija%' limit 1" > qtext
expect_grep '^PII rinda: .* tagad ir [0-9]*\. vietā rindā uz .* (bija [0-9]*\.)\. Atteikties: STOP pii$' qtext
MUNI_FAKE_NOW="$next 12:00:00" ctl reminders run > r3
expect_grep '^queue=0$' r3
expect_eq "queue news once" "$(sql "select count(*) from outbox where topic = 'pii'")" "$movers"
phase "done"
