#!/bin/sh
# backup: munictl backup of the database while muni-smsgw is sending a
# batch through muni-smscsim. The copy is taken mid-send (some messages
# delivered, some not yet), opens, passes integrity_check, holds every
# row with states that add up, and the gateway finishes the batch
# undisturbed. munictl restore refuses while the gateway has the database
# open; stopped, the restore puts the copy back, keeps the database it
# replaced (all delivered) beside it, and the gateway sends from the copy.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
sqlite_only "the copy of the database file (PostgreSQL's backup is pg_dump's)"

B=$MUNI_BIN
N=6000
. "$MUNI_TOP/tests/integration/gwlib.sh"

count() {
	sqlite3 -batch -noheader "$1" "select count(*) from outbox $2"
}
delivered_at_least() {
	[ "$(count muni.db "where state = 'delivered'")" -ge "$1" ]
}
all_delivered() {
	[ "$(count muni.db "where state = 'delivered'")" -eq "$N" ]
}
none_waiting() {
	[ "$(count muni.db "where state in ('queued', 'inflight')")" -eq 0 ]
}

sim_start -r 20 -e 0
hport=$(free_port)
cat > muni.conf <<CONF
[database]
path = $PWD/muni.db
[smsc]
port = $sport
password = secret
source_addr = MUNI
window = 20
max_tps = 1500
[sms]
quiet_hours = none
[http]
listen = 127.0.0.1:$hport
CONF
ctl init > /dev/null 2>&1
gw_start

{ echo phone,text; i=1; while [ "$i" -le "$N" ]; do
	echo "26$(printf %06d "$i"),Zinojums $i"; i=$((i + 1)); done; } > b.csv
ctl sms send --batch b.csv > /dev/null
phase "sending $N; a backup on the way"
wait_for 20 "the first deliveries" delivered_at_least 200
ctl backup copy.db > backup.out 2> backup.err || { cat backup.err; die "munictl backup"; }
live_delivered=$(count muni.db "where state = 'delivered'")
cat backup.out
expect_grep '^backup=copy.db schema=[0-9]* pages=[0-9]* bytes=[0-9]* steps=[0-9]*$' backup.out
expect_grep '^integrity=ok$' backup.out
kill -0 "$gwpid" || die "the gateway died during the backup"

# The copy: one file, intact, every row, states that add up, mid-send.
expect_eq "copy integrity" "$(sqlite3 copy.db 'pragma integrity_check')" ok
expect_eq "copy journal" "$(sqlite3 copy.db 'pragma journal_mode')" delete
expect_eq "copy mode" "$(stat -c %a copy.db)" 600
[ ! -e copy.db-wal ] || die "a -wal beside the copy"
expect_eq "rows in the copy" "$(count copy.db '')" "$N"
by_state=$(sqlite3 copy.db "select sum(n) from (select count(*) n from outbox group by state)")
expect_eq "states add up" "$by_state" "$N"
cd_=$(count copy.db "where state = 'delivered'")
cq=$(count copy.db "where state in ('queued', 'inflight', 'accepted')")
echo "copy: delivered=$cd_ not yet=$cq; live after the backup: delivered=$live_delivered"
[ "$cd_" -ge 200 ] || die "the copy has $cd_ delivered: taken before the first?"
[ "$cq" -gt 0 ] || die "nothing left to send in the copy: not taken mid-send"
[ "$cd_" -le "$live_delivered" ] || die "the copy is ahead of the live database"
# Every accepted or delivered row carries the SMSC's id (no torn rows).
expect_eq "ids" "$(count copy.db "where state in ('accepted', 'delivered') and message_id is null")" 0
expect_eq "schema" "$(sqlite3 copy.db 'pragma user_version')" \
    "$(sqlite3 muni.db 'pragma user_version')"
expect_eq "audit" "$(sqlite3 muni.db "select count(*) from audit_log where action = 'backup' and detail = 'copy.db'")" 1

# Not overwritten without --force.
if ctl backup copy.db > /dev/null 2> again.err; then die "copy.db overwritten"; fi
expect_grep 'copy.db.*--force' again.err

wait_for 60 "the whole batch delivered" all_delivered
phase "restore"
if ctl restore copy.db > restore.out 2> restore.err; then
	die "restore while the gateway runs"
fi
expect_grep 'datubāze tiek lietota' restore.err
all_delivered || die "a refused restore changed the database"

kill "$gwpid"
wait "$gwpid" || die "the gateway's exit status"
gwpid=""
ctl restore copy.db > restore.out 2> restore.err || { cat restore.err; die "munictl restore"; }
cat restore.out
expect_grep '^restored=copy.db schema=[0-9]* pages=[0-9]*$' restore.out
saved=$(sed -n 's/^saved=//p' restore.out)
case $saved in "$PWD/muni.db.bak-"[0-9]*T[0-9]*) ;; *) die "saved=$saved";; esac
expect_eq "saved: all delivered" "$(count "$saved" "where state = 'delivered'")" "$N"
expect_eq "restored: the copy's" "$(count muni.db "where state = 'delivered'")" "$cd_"
expect_eq "restored integrity" "$(sqlite3 muni.db 'pragma integrity_check')" ok

# The gateway takes up the restored queue: what the copy had queued or
# inflight is sent (again). Receipts that came after the copy are in the
# saved database, not here: those rows stay accepted.
gw_start
wait_for 60 "the restored queue sent" none_waiting
echo "backup: ok"
