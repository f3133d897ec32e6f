#!/bin/sh
# pg_check: [database] url on a throwaway PostgreSQL cluster (tests/pg.sh),
# through the real binaries: muni-smsgw -n connects and checks the schema
# version (an empty database, a newer schema, a server that is not there
# are refused with what is wrong), munictl says the same, and a password
# never shows. The statements themselves are test_store_pg's (unit).
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
export MUNI_LANG=en

B=$MUNI_BIN
# Outside the work directory: as root, the server runs as postgres, which
# may not enter a private directory of root's.
pg=$(mktemp -d "${TMPDIR:-/tmp}/muni-pgcheck.XXXXXX")
trap 'sh "$MUNI_TOP/tests/pg.sh" stop "$pg" >/dev/null 2>&1 || :' EXIT
sh "$MUNI_TOP/tests/pg.sh" start "$pg"
url=$(sh "$MUNI_TOP/tests/pg.sh" createdb "$pg" muni)
psql_() { sh "$MUNI_TOP/tests/pg.sh" psql "$pg" muni "$@"; }

conf() {
	cat > muni.conf <<CONF
[database]
url = $1
$2
[smsc]
port = $(free_port)
[http]
listen = 127.0.0.1:$(free_port)
CONF
	chmod 600 muni.conf
}

# refused WANT: muni-smsgw -n and munictl fail, saying WANT.
refused() {
	if "$B/muni-smsgw" -c muni.conf -n > out 2> err; then
		cat out err; fail "-n accepted: $1"
	fi
	expect_grep "$1" err "muni-smsgw -n"
	if "$B/munictl" -c muni.conf staff list > out 2> err; then
		cat out err; fail "munictl accepted: $1"
	fi
	expect_grep "$1" err "munictl"
}

# Empty: nothing created by a check.
conf "$url" ""
refused "the database is empty: run \`munictl init\` first"
[ "$(psql_ -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] ||
    fail "a check wrote to the database"

# Someone else's database.
psql_ -c "CREATE TABLE payroll (id int)"
refused "not a muni database"
psql_ -c "DROP TABLE payroll"

# A newer schema than this program's: refused, whatever the flags.
psql_ -c "CREATE TABLE muni_meta (app_id bigint NOT NULL, version integer NOT NULL)"
psql_ -c "INSERT INTO muni_meta (app_id, version) VALUES (1836412521, 999)"
refused "database schema version 999 is newer than this program's"

# No server there, and a password file others can read.
conf "host=$PWD/nowhere dbname=muni" ""
refused "cannot connect to the database"
printf 's3cret\n' > db.pw
chmod 644 db.pw
conf "$url" "password_file = $PWD/db.pw"
refused "database.password_file: .* run \`chmod 600"
expect_no_grep 's3cret' err "password file"
# A password in the URL: refused by the configuration, not repeated.
conf "postgresql://muni:s3cret@localhost/muni" ""
refused "database.url: no password in the url"
expect_no_grep 's3cret' err "url password"
# path and url both.
conf "$url" "path = $PWD/muni.db"
refused "set path (SQLite) or url (PostgreSQL), not both"
echo "pg_check: -n and munictl check the PostgreSQL database"
