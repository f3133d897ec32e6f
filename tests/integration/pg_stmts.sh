#!/bin/sh
# pg_stmts: every statement of common/store_stmts.h prepares on PostgreSQL
# 15 at muni's schema (store_pg_schema.h) with the parameters and the
# result columns it has on SQLite, and gives no boolean column (the store
# reads 0/1): tests/integration/pg_sql.c's check. A statement added later
# in SQLite's dialect only (strftime, group_concat, INSERT OR IGNORE, a
# bare ?1 IS NULL that PostgreSQL cannot type) fails here by name, until
# it is made portable or has its STMT2 text.
#
# First the check proves it can fail: statements planted in a scratch
# copy of the header, one per kind of fault, must each be named.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/pgschemalib.sh"

write_conf
ctl init > init.out 2>&1 || { cat init.out >&2; fail "munictl init"; }
url=$(pg_schema_db s)

./pg_sql check muni.db "$url" > check.out 2>&1 ||
    { cat check.out >&2; fail "statements that do not agree on PostgreSQL"; }
expect_grep "^[0-9][0-9]* statements checked, 0 failed$" check.out
n=$(sed -n 's/^\([0-9]*\) statements checked.*/\1/p' check.out)
want=$(grep -c '^STMT2\{0,1\}(' "$MUNI_TOP/common/store_stmts.h")
expect_eq "statements checked" "$n" "$want"

# The planted faults: a scratch common/ whose store_stmts.h ends in them.
mkdir scratch
cp "$MUNI_TOP/common/store_stmts.h" "$MUNI_TOP/common/store_pg_schema.h" \
    scratch/
cat >> scratch/store_stmts.h <<'EOF'
STMT(ST_ZZ_SQLITE_ONLY, "SELECT group_concat(name, ',') FROM staff")
STMT(ST_ZZ_UNTYPED, "SELECT id FROM staff WHERE ?1 IS NULL")
STMT(ST_ZZ_BOOLEAN, "SELECT pin_hash IS NULL FROM staff")
STMT(ST_ZZ_GAP, "SELECT id FROM staff WHERE id = ?2")
STMT2(ST_ZZ_COLUMNS, "SELECT id FROM staff", "SELECT id, name FROM staff")
STMT2(ST_ZZ_PARAMS, "SELECT id FROM staff WHERE id = ?1",
    "SELECT id FROM staff WHERE id = $1 AND name = $2")
STMT2(ST_ZZ_QMARK, "SELECT id FROM staff WHERE id = ?1",
    "SELECT id FROM staff WHERE id = ?1")
STMT(ST_ZZ_FINE, "SELECT count(*) FROM staff WHERE name = ?1")
EOF
${CC:-cc} -std=c11 -Iscratch $(pkg-config --cflags libpq) -o pg_sql_planted \
    "$MUNI_TOP/tests/integration/pg_sql.c" $(pkg-config --libs libpq) \
    -lsqlite3 || fail "the planted checker does not build"
if ./pg_sql_planted check muni.db "$url" ST_ZZ_SQLITE_ONLY ST_ZZ_UNTYPED \
    ST_ZZ_BOOLEAN ST_ZZ_GAP ST_ZZ_COLUMNS ST_ZZ_PARAMS ST_ZZ_QMARK \
    ST_ZZ_FINE > planted.out 2>&1; then
	cat planted.out >&2
	fail "the planted statements passed the check"
fi
for f in "ST_ZZ_SQLITE_ONLY: PostgreSQL refuses it: .*group_concat" \
    "ST_ZZ_UNTYPED: PostgreSQL refuses it: .*parameter \$1" \
    "ST_ZZ_BOOLEAN: column 1 is a boolean" \
    "ST_ZZ_GAP: ?1 is not in the text" \
    "ST_ZZ_COLUMNS: 1 columns on SQLite, 2 on PostgreSQL" \
    "ST_ZZ_PARAMS: 1 parameters on SQLite, 2 on PostgreSQL" \
    "ST_ZZ_QMARK: a ? parameter in PostgreSQL's text" \
    "^8 statements checked, 7 failed$"; do
	expect_grep "$f" planted.out "the planted faults"
done
expect_no_grep "ST_ZZ_FINE" planted.out "a fine statement"

echo "pg_stmts: $n statements agree on PostgreSQL"
