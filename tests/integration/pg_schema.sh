#!/bin/sh
# pg_schema: PostgreSQL's schema (common/store_pg_schema.h) is SQLite's
# (migrations[] in common/store.c, as `munictl init` leaves it): the same
# tables with the same columns in the same order, of corresponding types,
# nullability, primary keys and defaults; the same indexes (columns,
# order, partial or not), UNIQUEs, foreign keys, number of CHECKs per
# table and triggers; the version in muni_meta is SQLite's user_version.
# Then the triggers do the same on both: the same statements on each
# engine leave the same outbox texts and the same callbacks.
#
# A schema change in one engine only fails here, naming what differs.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/pgschemalib.sh"

write_conf
ctl init > init.out 2>&1 || { cat init.out >&2; fail "munictl init"; }
pg_schema_db s > /dev/null

lite() {
	sqlite3 -batch -noheader muni.db "$1"
}

# same WHAT: SQLite's answer (lite.WHAT) and PostgreSQL's (pg.WHAT) agree.
same() {
	diff -u "lite.$1" "pg.$1" > "$1.diff" ||
	    { cat "$1.diff" >&2; fail "$1 differ (- SQLite, + PostgreSQL)"; }
	[ -s "lite.$1" ] || fail "$1: SQLite lists none"
}

# Columns: table|position|name|type|not null|primary key position|default.
# A primary key column is NOT NULL on PostgreSQL whatever it says;
# PostgreSQL's defaults carry their casts, its identities none.
lite "SELECT m.name, p.cid, p.name, p.type,
    CASE WHEN p.\"notnull\" OR p.pk > 0 THEN 1 ELSE 0 END, p.pk,
    coalesce(p.dflt_value, '')
    FROM sqlite_schema m JOIN pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
    ORDER BY m.name, p.cid" |
    sed -e 's/|INTEGER|/|integer|/' -e 's/|TEXT|/|text|/' \
    -e 's/|BLOB|/|blob|/' > lite.columns
pg s -c "SELECT c.table_name, c.ordinal_position - 1, c.column_name,
    c.data_type, CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END,
    coalesce((SELECT k.ordinal_position
     FROM information_schema.table_constraints t
     JOIN information_schema.key_column_usage k
     ON k.constraint_name = t.constraint_name
     AND k.table_schema = t.table_schema
     WHERE t.table_schema = c.table_schema
     AND t.table_name = c.table_name
     AND t.constraint_type = 'PRIMARY KEY'
     AND k.column_name = c.column_name), 0),
    coalesce(c.column_default, '')
    FROM information_schema.columns c
    WHERE c.table_schema = current_schema() AND c.table_name <> 'muni_meta'
    ORDER BY c.table_name, c.ordinal_position" |
    sed -e 's/|bigint|/|integer|/' -e 's/|bytea|/|blob|/' \
    -e 's/::text$//' -e 's/::bigint$//' > pg.columns
same columns

# Indexes made by CREATE INDEX: table|name|unique|partial|columns.
lite "SELECT m.name, l.name, l.\"unique\", l.partial,
    (SELECT group_concat(coalesce(x.name, '<expr>') ||
     CASE WHEN x.\"desc\" THEN ' DESC' ELSE '' END, ',')
     FROM pragma_index_xinfo(l.name) x WHERE x.key)
    FROM sqlite_schema m JOIN pragma_index_list(m.name) l
    WHERE m.type = 'table' AND l.origin = 'c' ORDER BY m.name, l.name" \
    > lite.indexes
pg s -c "SELECT t.relname, i.relname,
    CASE WHEN x.indisunique THEN 1 ELSE 0 END,
    CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END,
    (SELECT string_agg(CASE WHEN k.attnum = 0 THEN '<expr>'
     ELSE a.attname END || CASE WHEN x.indoption[k.n - 1] & 1 = 1
     THEN ' DESC' ELSE '' END, ',' ORDER BY k.n)
     FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)
     LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid
     AND a.attnum = k.attnum)
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace ns ON ns.oid = t.relnamespace
    WHERE ns.nspname = current_schema() AND t.relname <> 'muni_meta'
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c
     WHERE c.conindid = x.indexrelid)
    ORDER BY t.relname, i.relname" > pg.indexes
same indexes

# UNIQUE constraints (primary keys are in the columns): table|columns.
lite "SELECT m.name, (SELECT group_concat(x.name, ',')
     FROM pragma_index_xinfo(l.name) x WHERE x.key)
    FROM sqlite_schema m JOIN pragma_index_list(m.name) l
    WHERE m.type = 'table' AND l.origin = 'u' ORDER BY 1, 2" > lite.uniques
pg s -c "SELECT c.conrelid::regclass::text,
    (SELECT string_agg(a.attname, ',' ORDER BY k.n)
     FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
    FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
    WHERE ns.nspname = current_schema() AND c.contype = 'u'
    ORDER BY 1, 2" > pg.uniques
same uniques

# Foreign keys: table|column|referenced table|column|on delete.
lite "SELECT m.name, f.\"from\", f.\"table\", f.\"to\", f.on_delete
    FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
    WHERE m.type = 'table' ORDER BY 1, 2" > lite.fkeys
pg s -c "SELECT c.conrelid::regclass::text, a.attname,
    c.confrelid::regclass::text, b.attname,
    CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'a' THEN 'NO ACTION'
     WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL'
     ELSE 'SET DEFAULT' END
    FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute b ON b.attrelid = c.confrelid
    AND b.attnum = c.confkey[1]
    WHERE ns.nspname = current_schema() AND c.contype = 'f'
    ORDER BY 1, 2" > pg.fkeys
same fkeys

# CHECKs by table: how many (their text differs in spelling, not sense;
# what they refuse is the triggers' and the statements' business below).
lite "SELECT name,
    (length(sql) - length(replace(upper(sql), 'CHECK (', ''))) / 7
    FROM sqlite_schema WHERE type = 'table'
    AND upper(sql) LIKE '%CHECK (%' ORDER BY name" > lite.checks
pg s -c "SELECT c.conrelid::regclass::text, count(*)
    FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
    WHERE ns.nspname = current_schema() AND c.contype = 'c'
    GROUP BY 1 ORDER BY 1" > pg.checks
same checks

lite "SELECT tbl_name, name FROM sqlite_schema WHERE type = 'trigger'
    ORDER BY 1, 2" > lite.triggers
pg s -c "SELECT DISTINCT event_object_table, trigger_name
    FROM information_schema.triggers
    WHERE trigger_schema = current_schema() ORDER BY 1, 2" > pg.triggers
same triggers

# The version: SQLite's application_id and user_version, PostgreSQL's
# one row of muni_meta, which takes no second.
echo "$(lite 'PRAGMA application_id')|$(lite 'PRAGMA user_version')" \
    > lite.version
pg s -c "SELECT app_id, version FROM muni_meta" > pg.version
same version
if pg s -c "INSERT INTO muni_meta (app_id, version) VALUES (1, 1)" \
    > meta2.out 2>&1; then
	fail "muni_meta took a second row"
fi

# The triggers at work: the same statements on both engines.
cat > work.sql <<'SQL'
INSERT INTO callback_targets (name, events) VALUES ('all', 31), ('none', 0),
 ('cases', 24), ('created', 8), ('done', 2);
INSERT INTO outbox (phone, text, created_at, updated_at, secret)
 VALUES ('+37120000001', 'Kods 111111', 1, 1, 1),
 ('+37120000002', 'Kods 222222', 1, 1, 1),
 ('+37120000003', 'Sveiki', 1, 1, 0),
 ('+37120000004', 'Kods 444444', 1, 1, 1);
UPDATE outbox SET state = 'inflight' WHERE id IN (1, 2, 3);
UPDATE outbox SET state = 'accepted' WHERE id IN (1, 3);
UPDATE outbox SET text = 'Kods 555555' WHERE id = 4;
INSERT INTO reports (case_no, kind, channel, text, created_at)
 VALUES ('P-2026-1', 'police', 'sms', 'Salabot "lampu" pie ēkas', 5);
INSERT INTO reports (case_no, kind, category, channel, text, phone,
 created_at) VALUES ('A-2026-1', 'application', 'roads', 'kiosk', 'Bedre',
 '+37120000004', 6);
UPDATE reports SET status = 'new' WHERE case_no = 'P-2026-1';
UPDATE reports SET status = 'done' WHERE case_no = 'P-2026-1';
INSERT INTO broadcasts (text, created_at, updated_at) VALUES ('Ziņa', 1, 2);
INSERT INTO outbox (phone, text, created_at, updated_at, broadcast_id, state)
 VALUES ('+37120000005', 'Ziņa', 1, 1, 1, 'delivered'),
 ('+37120000006', 'Ziņa', 1, 1, 1, 'expired'),
 ('+37120000007', 'Ziņa', 1, 1, 1, 'accepted');
UPDATE broadcasts SET state = 'sending', updated_at = 3;
UPDATE broadcasts SET state = 'done', updated_at = 9;
UPDATE broadcasts SET state = 'done', updated_at = 10;
SQL
sqlite3 -batch muni.db "PRAGMA foreign_keys = ON;" ".read work.sql" \
    > lite.work.out 2>&1 || { cat lite.work.out >&2; fail "work.sql on SQLite"; }
pg s -v ON_ERROR_STOP=1 -f work.sql > pg.work.out 2>&1 ||
    { cat pg.work.out >&2; fail "work.sql on PostgreSQL"; }

lite "SELECT id, text FROM outbox ORDER BY id" > lite.outbox
pg s -c "SELECT id, text FROM outbox ORDER BY id" > pg.outbox
same outbox
# Wiped once the SMSC took it, not while in flight nor for a new text.
expect_eq "outbox texts" "$(head -4 pg.outbox | tr '\n' ' ')" \
    "1|(one-time code, wiped once sent) 2|Kods 222222 3|Sveiki 4|Kods 555555 "

# Callbacks, their payloads as JSON values (PostgreSQL spaces its text):
# id|target|event|subject|created_at|payload with sorted keys. A case's
# change is stamped with the clock, so "now" stands for any time within a
# minute of the run.
now=$(date +%s)
norm() {
	python3 -c '
import json, sys
now = int(sys.argv[1])
for line in sys.stdin:
	f = line.rstrip("\n").split("|", 5)
	p = json.loads(f[5])
	if f[2] == "case.changed":
		assert abs(int(f[4]) - now) < 60 and p["at"] == int(f[4]), line
		f[4] = p["at"] = "now"
	f[5] = json.dumps(p, sort_keys=True, ensure_ascii=False)
	print("|".join(str(x) for x in f))
' "$now"
}
lite "SELECT id, target, event, subject, created_at, payload FROM callbacks
    ORDER BY id" | norm > lite.callbacks || fail "SQLite's callbacks"
pg s -c "SELECT id, target, event, subject, created_at, payload
    FROM callbacks ORDER BY id" | norm > pg.callbacks ||
    fail "PostgreSQL's callbacks"
same callbacks
# 'all' gets 4 (2 created, 1 changed, 1 done), 'cases' 3, 'created' 2,
# 'done' 1, 'none' none.
expect_eq "callbacks" "$(wc -l < pg.callbacks | tr -d ' ')" 10
expect_grep '"delivered": 1, "event": "broadcast.done", "id": 1, "recipients": 0, "undelivered": 1, "unknown": 1' \
    pg.callbacks "broadcast.done's figures"

# A role that may only write reports (as the kiosk's) still queues the
# event: the trigger runs as the schema's owner, and the role itself
# cannot read the queue.
pg s -v ON_ERROR_STOP=1 > role.out 2>&1 <<'SQL' || { cat role.out >&2; fail "a report by a role without rights on callbacks"; }
CREATE ROLE muni_test_kiosk;
GRANT INSERT ON reports TO muni_test_kiosk;
GRANT USAGE ON SEQUENCE reports_id_seq TO muni_test_kiosk;
SET ROLE muni_test_kiosk;
INSERT INTO reports (case_no, kind, channel, text, created_at)
 VALUES ('P-2026-9', 'police', 'kiosk', 'Kiosk', 11);
RESET ROLE;
SQL
expect_eq "the kiosk's report queued" \
    "$(pg s -c "SELECT count(*) FROM callbacks WHERE subject = 'case:P-2026-9'")" 3
if pg s -c "SET ROLE muni_test_kiosk; SELECT count(*) FROM callbacks" \
    > role2.out 2>&1; then
	fail "the kiosk's role read callbacks"
fi
expect_grep "permission denied" role2.out

echo "pg_schema: $(wc -l < pg.columns | tr -d ' ') columns," \
    "$(wc -l < pg.indexes | tr -d ' ') indexes," \
    "$(wc -l < pg.triggers | tr -d ' ') triggers agree"
