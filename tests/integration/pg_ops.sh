#!/bin/sh
# pg_ops: what an operator does with PostgreSQL (issue 19), on a throwaway
# cluster (tests/pg.sh), through the real munictl:
# - init makes the three NOLOGIN roles; a login user in each may do one
#   thing its program needs and is refused one it must not (the kiosk reads
#   residents and writes reports, but reads no inbox and no outbox text and
#   rewrites no outbox row; the gateway queues SMS but edits no staff; staff
#   add residents but rewrite no audit row); init again changes nothing.
# - migrate --to copies a SQLite database with the demo data, a group, a
#   broadcast and staff into an empty database: every table's count, read
#   independently with sqlite3 and psql, is equal and printed; the next id
#   comes after the copied ones; a non-empty target is refused untouched;
#   a copy that fails half-way (a fee amount PostgreSQL cannot take) leaves
#   no row behind.
# - muni-smsgw runs as a user of muni_gateway: it starts, answers MO
#   (help, a police report, STOP) and sends, and nothing is refused.
# - backup runs pg_dump -Fc; pg_restore puts it into a new database whole.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
export MUNI_LANG=en

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"
pg=$(mktemp -d "${TMPDIR:-/tmp}/muni-pgops.XXXXXX")
trap 'gwlib_cleanup; sh "$MUNI_TOP/tests/pg.sh" stop "$pg" >/dev/null 2>&1 || :' EXIT
sh "$MUNI_TOP/tests/pg.sh" start "$pg"
url=$(sh "$MUNI_TOP/tests/pg.sh" createdb "$pg" muni)
# as USER DB SQL: psql as USER; its output and errors in out.
as() {
	psql -X -q -At -v ON_ERROR_STOP=1 -h "$pg" -U "$1" -d "$2" -c "$3" \
	    > out 2>&1
}
allowed() {
	as "$1" muni "$2" || { cat out >&2; fail "$1 refused: $2"; }
}
refused() {
	if as "$1" muni "$2"; then fail "$1 allowed: $2"; fi
	expect_grep "permission denied\|must be owner" out "$1: $2"
}

cat > muni.conf <<CONF
[database]
url = $url
CONF
ctl init > init.out
expect_grep "^role=muni_gateway$" init.out
expect_grep "^role=muni_kiosk$" init.out
expect_grep "^role=muni_staff$" init.out
sh "$MUNI_TOP/tests/pg.sh" psql "$pg" muni -c "
    CREATE ROLE gw LOGIN IN ROLE muni_gateway;
    CREATE ROLE kiosk1 LOGIN IN ROLE muni_kiosk;
    CREATE ROLE anna LOGIN IN ROLE muni_staff;
    INSERT INTO residents (personal_code, given_name, family_name, phone,
        updated_at) VALUES ('010101-10000', 'Ieva', 'Liepa',
        '+37120000001', 1)"
for r in muni_gateway muni_kiosk muni_staff; do
	as muni muni "SELECT rolcanlogin::int FROM pg_roles WHERE rolname = '$r'"
	expect_eq "$r can log in" "$(cat out)" 0
done

# The gateway queues an SMS, and edits no staff.
allowed gw "INSERT INTO outbox (phone, text, created_at, updated_at)
    VALUES ('+37120000001', 'Sveiki', 1, 1)"
refused gw "UPDATE staff SET role = 'admin'"
refused gw "INSERT INTO staff (name, display_name, role, created_at)
    VALUES ('mallory', 'M', 'admin', 1)"
# The kiosk reads a resident and writes a report; no inbox, no outbox
# text, no outbox rewritten.
allowed kiosk1 "SELECT count(*) FROM residents"
allowed kiosk1 "INSERT INTO reports (case_no, kind, channel, text,
    created_at) VALUES ('K-1', 'application', 'kiosk', 'lampa', 1)"
refused kiosk1 "SELECT count(*) FROM inbox"
refused kiosk1 "SELECT text FROM outbox"
refused kiosk1 "UPDATE outbox SET text = 'x', phone = '+37129999999'"
refused kiosk1 "SELECT count(*) FROM staff"
refused kiosk1 "SELECT secret FROM card_key"
allowed kiosk1 "SELECT count(*) FROM offers"
refused kiosk1 "DELETE FROM residents"
allowed anna "INSERT INTO fees (resident_id, kind, period, amount_cents,
    due_date, updated_at) SELECT id, 'dog', '2026-11', 4200,
    '2026-12-15', 1 FROM residents WHERE personal_code = '010101-10000'"
allowed kiosk1 "UPDATE fees SET reference = 'RF18000001' WHERE reference IS NULL"
refused kiosk1 "UPDATE fees SET amount_cents = 1"
# Staff add a resident, and rewrite no audit row.
allowed anna "INSERT INTO residents (personal_code, given_name,
    family_name, updated_at)
    VALUES ('020202-20000', 'Jānis', 'Bērziņš', 1)"
allowed anna "INSERT INTO audit_log (at, actor, action, detail, origin)
    VALUES (1, 'anna', 'test', '', 'unix:anna')"
refused anna "UPDATE audit_log SET detail = 'nothing happened'"
refused anna "DELETE FROM audit_log"
# The schema's DDL stays the owner's.
refused anna "DROP TABLE outbox"
# The programs open the database under their roles.
cat > gw.conf <<CONF
[database]
url = ${url%user=muni}user=gw
[smsc]
port = $(free_port)
[http]
listen = 127.0.0.1:$(free_port)
CONF
"$B/muni-smsgw" -c gw.conf -n > out 2>&1 || { cat out; fail "muni-smsgw -n as gw"; }
# The gateway at work under its role: MO answered, SMS sent.
sql() { sh "$MUNI_TOP/tests/pg.sh" psql "$pg" muni -At -c "$1"; }
sim_start
hport=$(free_port)
{ printf '[database]\nurl = %s\n' "${url%user=muni}user=gw"
  gw_conf_head | sed 1,2d
  printf '[http]\nlisten = 127.0.0.1:%s\n' "$hport"; } > muni-gw.conf
"$B/muni-smsgw" -c muni-gw.conf -d 2>>gw.err &
gwpid=$!
wait_for 10 "a bind" healthy
for t in PALIDZIBA "POLICIJA lampa nedeg" STOP; do
	mo +37120000001 "$t"
	[ -s reply.txt ] || die "no answer to $t under muni_gateway"
done
expect_eq "police report filed" "$(sql "SELECT count(*) FROM reports
    WHERE kind = 'police'")" 1
gw_stop
expect_no_grep "permission denied" gw.err "the gateway under muni_gateway"
# init again: the same grants, nothing doubled, nothing lost.
ctl init > init2.out
expect_grep "^role=muni_kiosk$" init2.out
refused kiosk1 "SELECT count(*) FROM inbox"
allowed kiosk1 "SELECT count(*) FROM residents"

# A SQLite database with some of everything.
cat > lite.conf <<CONF
[database]
path = $PWD/muni.db
CONF
lite() { "$B/munictl" -c lite.conf "$@"; }
lite init > /dev/null
lite demo --residents 300 --seed 7 > /dev/null
lite sms send 22000001 "Sveiki" > /dev/null
lite group add seniors --rule "age >= 60" > /dev/null
lite broadcast send --group seniors --text "Koncerts" --yes > /dev/null
lite staff add anna --role admin > /dev/null

url2=$(sh "$MUNI_TOP/tests/pg.sh" createdb "$pg" m2)
lite migrate --to "$url2" > mig.out 2> mig.err ||
    { cat mig.out mig.err; fail "migrate"; }
tables=$(sqlite3 muni.db "SELECT name FROM sqlite_master WHERE type = 'table'
    AND name NOT LIKE 'sqlite%' AND name <> 'muni_meta' ORDER BY name")
nonzero=0
for t in $tables; do
	want=$(sqlite3 muni.db "SELECT count(*) FROM $t")
	got=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" m2 -At -c "SELECT count(*) FROM $t")
	expect_eq "$t rows in PostgreSQL" "$got" "$want"
	expect_grep "^$t rows=$want\$" mig.out "migrate's line for $t"
	[ "$want" -eq 0 ] || nonzero=$((nonzero + 1))
done
[ "$nonzero" -ge 12 ] || fail "only $nonzero tables had rows to copy"
expect_grep "^migrated=$PWD/muni.db\$" mig.out
# The same rows, not just as many.
a=$(sqlite3 muni.db "SELECT id || ':' || personal_code || ':' || coalesce(phone, '')
    FROM residents ORDER BY id" | md5sum)
b=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" m2 -At -c "SELECT id || ':' ||
    personal_code || ':' || coalesce(phone, '') FROM residents ORDER BY id" | md5sum)
expect_eq "residents copied as they were" "$b" "$a"
# The next id comes after the copied ones.
max=$(sqlite3 muni.db "SELECT max(id) FROM outbox")
next=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" m2 -At -c "INSERT INTO outbox
    (phone, text, created_at, updated_at) VALUES ('+37120000002', 'x', 1, 1)
    RETURNING id")
[ "$next" -gt "$max" ] || fail "outbox id $next after migrate, max was $max"
# A target with rows: refused, and left as it was.
before=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" m2 -At -c "SELECT count(*) FROM outbox")
if lite migrate --to "$url2" > mig2.out 2> mig2.err; then
	fail "migrate into a database with rows"
fi
expect_grep "the target is not empty" mig2.err
after=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" m2 -At -c "SELECT count(*) FROM outbox")
expect_eq "refused target's outbox" "$after" "$before"

# A copy that fails half-way: fees come after residents, and one fee's
# amount is text that SQLite kept and PostgreSQL will not take.
cp muni.db bad.db
sqlite3 bad.db "UPDATE fees SET amount_cents = 'abc' WHERE id = (SELECT max(id) FROM fees)"
sed "s|muni.db|bad.db|" lite.conf > bad.conf
url3=$(sh "$MUNI_TOP/tests/pg.sh" createdb "$pg" m3)
if "$B/munictl" -c bad.conf migrate --to "$url3" > mig3.out 2> mig3.err; then
	fail "migrate of a fee PostgreSQL cannot hold"
fi
expect_grep "fees: row" mig3.err
expect_grep "nothing was copied" mig3.err
for t in $tables; do
	[ "$t" = fee_kinds ] && continue
	got=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" m3 -At -c "SELECT count(*) FROM $t")
	expect_eq "$t rows after a failed migrate" "$got" 0
done
# Mended, the same target takes the copy.
sqlite3 bad.db "UPDATE fees SET amount_cents = 100 WHERE amount_cents = 'abc'"
"$B/munictl" -c bad.conf migrate --to "$url3" > mig4.out 2>&1 ||
    { cat mig4.out; fail "migrate after the failed one"; }
expect_grep "^residents rows=" mig4.out

# Backup: pg_dump's custom format, restored whole by pg_restore.
ctl backup "$PWD/pg.dump" > bk.out 2> bk.err || { cat bk.out bk.err; fail "backup"; }
expect_grep "^backup=$PWD/pg.dump tool=pg_dump format=custom" bk.out
pg_restore -l pg.dump | grep -q "TABLE DATA public residents" ||
    fail "the dump has no residents"
if ctl backup "$PWD/pg.dump" > bk2.out 2> bk2.err; then
	fail "backup over an existing file"
fi
expect_grep "the file exists" bk2.err
expect_eq "the dump's mode" "$(stat -c %a pg.dump)" 600
# A dump that fails (pg_dump refuses a database that is not there) keeps
# the copy it was to replace.
sum=$(md5sum < pg.dump)
printf '[database]\nurl = %s\n' "${url%%\?*}_gone?${url#*\?}" > gone.conf
if "$B/munictl" -c gone.conf backup --force "$PWD/pg.dump" > out 2>&1; then
	fail "backup of a database that is not there"
fi
expect_eq "the older dump" "$(md5sum < pg.dump)" "$sum"
[ ! -e pg.dump.partial ] || fail "a partial dump left behind"
sh "$MUNI_TOP/tests/pg.sh" createdb "$pg" m4 > /dev/null
pg_restore --no-owner -h "$pg" -U muni -d m4 pg.dump
# (The audit row of the backup itself is written after the dump.)
for t in residents reports outbox audit_log; do
	q="SELECT count(*) FROM $t"
	[ $t = audit_log ] && q="$q WHERE action <> 'backup'"
	want=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" muni -At -c "$q")
	got=$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" m4 -At -c "$q")
	expect_eq "$t restored" "$got" "$want"
done
expect_eq "backup's audit row" "$(sh "$MUNI_TOP/tests/pg.sh" psql "$pg" muni \
    -At -c "SELECT count(*) FROM audit_log WHERE action = 'backup'")" 1
# The password of password_file reaches pg_dump in a private pgpass file
# (escaped, mode 600, gone afterwards), never on its command line; a
# machine without pg_dump is told what to install.
mkdir stub empty
cat > stub/pg_dump <<'STUB'
#!/bin/sh
echo "$*" > seen-args
while [ $# -gt 0 ]; do [ "$1" = --file ] && f=$2; shift; done
cp "$PGPASSFILE" seen-pgpass
stat -c %a "$PGPASSFILE" > seen-mode
echo "$PGPASSFILE" > seen-path
echo dump > "$f"
STUB
chmod 755 stub/pg_dump
printf 'pa:ss\\word\n' > db.pw
printf '[database]\nurl = %s\npassword_file = %s/db.pw\n' "$url" "$PWD" > pw.conf
PATH="$PWD/stub:$PATH" "$B/munictl" -c pw.conf backup "$PWD/stub.dump" > out 2>&1 ||
    { cat out; fail "backup through the stub"; }
expect_eq "pgpass line" "$(cat seen-pgpass)" '*:*:*:*:pa\:ss\\word'
expect_eq "pgpass mode" "$(cat seen-mode)" 600
[ ! -e "$(cat seen-path)" ] || fail "the pgpass file was left behind"
expect_no_grep "pa.ss" seen-args "pg_dump's arguments"
if PATH="$PWD/empty" "$B/munictl" -c muni.conf backup "$PWD/none.dump" \
    > out 2>&1; then
	fail "backup without pg_dump"
fi
expect_grep "pg_dump is not installed (Debian package postgresql-client)" out
[ ! -e none.dump ] || fail "a file without pg_dump"
if ctl restore "$PWD/pg.dump" > rs.out 2> rs.err; then
	fail "munictl restore on PostgreSQL"
fi
expect_grep "pg_restore" rs.err
echo "pg_ops: roles, migrate --to and backup on PostgreSQL"
