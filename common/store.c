/*
 * store: open the database, migrate its schema and prepare the statement
 * table. Durability first: WAL with synchronous=FULL, so a committed outbox
 * row survives a power cut; a busy timeout so a kiosk's short write does not
 * fail the gateway's.
 *
 * This file is the public face of store.h and the SQLite engine; a store
 * opened on a PostgreSQL URL hands each call to common/store_pg.c (through
 * store_priv.h). What does not depend on the engine (the bind-format walk,
 * audit rows, store_do, store_one_i64, the transaction counter) is written
 * once, here. The SQLite engine stays in this file rather than in a file of
 * its own so that the migrations[] array, where every schema change lands,
 * keeps its place.
 */
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "store_priv.h"
#include "store_sqlite.h"
#include "util.h"

#define STORE_BUSY_MS	5000

struct store {
	sqlite3		*db;
	struct pgstore	*pg;		/* PostgreSQL's engine, or NULL */
	char		**saved_idx;	/* index DDL while fast loading */
	size_t		 nsaved;
	sqlite3_stmt	*stmts[STMT__COUNT];
	struct store_cur *curs;		/* one per statement of the table */
	int		 depth;
	int		 version_found;
	char		 origin[STORE_ORIGIN_MAX + 1];	/* of audit rows */
};

/*
 * A statement and the store it belongs to: what the domain holds. The
 * table's cursors live as long as the store; store_prepare's are freed.
 */
struct store_cur {
	struct store	*s;
	sqlite3_stmt	*st;
	struct pgcur	*pc;		/* PostgreSQL's statement, or NULL */
	const char	*name;
	int		 owned;
};

/*
 * The statement table: each statement's SQLite text, and PostgreSQL's
 * beside it where the two differ (STMT2; see store_stmts.h). SQLite's
 * text is prepared here, PostgreSQL's in store_pg.c.
 */
#define STMT(id, sql) { #id, sql, NULL },
#define STMT2(id, sql, pg_sql) { #id, sql, pg_sql },
const struct store_sqltext store_sql[STMT__COUNT] = {
#include "store_stmts.h"
};
#undef STMT
#undef STMT2

/*
 * Migrations: migrations[n] takes the schema from version n to n + 1 and
 * sets user_version itself, all inside one transaction. Never edit a
 * migration that has shipped; add the next one.
 */
static const char *migrations[] = {
	/* 0 -> 1: the first domain schema. */
	"PRAGMA application_id = 1836412521;"	/* STORE_APP_ID */
	"CREATE TABLE residents ("
	" id INTEGER PRIMARY KEY,"
	" personal_code TEXT NOT NULL UNIQUE,"
	" given_name TEXT NOT NULL,"
	" family_name TEXT NOT NULL,"
	" phone TEXT,"				/* E.164 */
	" phone_kind INTEGER,"			/* enum ident_phone_kind */
	" lang TEXT NOT NULL DEFAULT 'lv',"
	" territory TEXT NOT NULL DEFAULT '',"
	" address TEXT NOT NULL DEFAULT '',"
	" birth_date TEXT,"			/* YYYY-MM-DD */
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX residents_phone ON residents (phone);"
	"CREATE INDEX residents_territory ON residents (territory);"
	"CREATE TABLE institutions ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" territory TEXT NOT NULL DEFAULT '');"
	/* Priority classes differ between municipalities: data, not code. */
	"CREATE TABLE priority_classes ("
	" priority INTEGER PRIMARY KEY,"
	" name_lv TEXT NOT NULL,"
	" name_en TEXT NOT NULL);"
	"CREATE TABLE queue_entries ("
	" id INTEGER PRIMARY KEY,"
	" child_code TEXT NOT NULL,"
	" child_given_name TEXT NOT NULL,"
	" child_family_name TEXT NOT NULL,"
	" guardian_id INTEGER NOT NULL REFERENCES residents (id),"
	" institution_id INTEGER NOT NULL REFERENCES institutions (id),"
	" registered_at TEXT NOT NULL,"		/* YYYY-MM-DD HH:MM:SS */
	" desired_start TEXT NOT NULL,"		/* YYYY-MM */
	" priority INTEGER NOT NULL DEFAULT 0,"
	" status TEXT NOT NULL DEFAULT 'active'"
	"  CHECK (status IN ('active', 'placed', 'withdrawn')),"
	" updated_at INTEGER NOT NULL,"
	" UNIQUE (child_code, institution_id));"
	"CREATE INDEX queue_guardian ON queue_entries (guardian_id);"
	"CREATE INDEX queue_order ON queue_entries (institution_id,"
	" substr(desired_start, 1, 4), priority DESC, registered_at)"
	" WHERE status = 'active';"
	"CREATE TABLE fees ("
	" id INTEGER PRIMARY KEY,"
	" resident_id INTEGER NOT NULL REFERENCES residents (id),"
	" kind TEXT NOT NULL,"
	" period TEXT NOT NULL,"
	" amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),"
	" due_date TEXT NOT NULL,"
	" reference TEXT UNIQUE,"
	" paid_cents INTEGER NOT NULL DEFAULT 0,"
	" paid_at INTEGER,"
	" updated_at INTEGER NOT NULL,"
	" UNIQUE (resident_id, kind, period));"
	"CREATE INDEX fees_unpaid ON fees (kind, due_date)"
	" WHERE paid_cents < amount_cents;"
	"CREATE TABLE payments ("
	" id INTEGER PRIMARY KEY,"
	" fee_id INTEGER REFERENCES fees (id),"
	" entry_ref TEXT NOT NULL UNIQUE,"	/* the bank's, for idempotence */
	" amount_cents INTEGER NOT NULL,"
	" currency TEXT NOT NULL,"
	" booked_on TEXT NOT NULL,"
	" reference TEXT,"
	" debtor TEXT,"
	" info TEXT,"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('matched', 'partial', 'over', 'unmatched')),"
	" imported_at INTEGER NOT NULL);"
	"CREATE INDEX payments_fee ON payments (fee_id);"
	"CREATE TABLE topics ("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name_lv TEXT NOT NULL,"
	" name_en TEXT NOT NULL,"
	" default_on INTEGER NOT NULL,"
	" emergency INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE subscriptions ("
	" resident_id INTEGER NOT NULL REFERENCES residents (id)"
	"  ON DELETE CASCADE,"
	" topic_id INTEGER NOT NULL REFERENCES topics (id),"
	" subscribed INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (resident_id, topic_id)) WITHOUT ROWID;"
	"CREATE TABLE groups ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK (kind IN ('rule', 'manual')),"
	" rule TEXT,"
	" created_by TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE group_members ("
	" id INTEGER PRIMARY KEY,"
	" group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,"
	" resident_id INTEGER REFERENCES residents (id),"
	" phone TEXT,"
	" CHECK (resident_id IS NOT NULL OR phone IS NOT NULL));"
	"CREATE INDEX group_members_group ON group_members (group_id);"
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" phone TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" encoding TEXT NOT NULL DEFAULT 'auto',"
	/*
	 * ORs, not IN (...): SQLite evaluates a long IN list through a
	 * temporary index on every write, and the gateway writes state
	 * three times per message.
	 */
	" state TEXT NOT NULL DEFAULT 'queued' CHECK (state = 'queued'"
	"  OR state = 'inflight' OR state = 'accepted'"
	"  OR state = 'delivered' OR state = 'undeliverable'"
	"  OR state = 'expired' OR state = 'rejected' OR state = 'failed'"
	"  OR state = 'cancelled'),"
	" priority INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" not_before INTEGER NOT NULL DEFAULT 0,"
	" valid_until INTEGER,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" bind TEXT,"
	" seq INTEGER,"
	" message_id TEXT,"
	" status_code INTEGER,"
	" broadcast_id INTEGER,"
	" topic TEXT,"
	" resident_id INTEGER REFERENCES residents (id),"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX outbox_ready ON outbox (priority DESC, not_before, id)"
	" WHERE state = 'queued';"
	"CREATE INDEX outbox_message_id ON outbox (message_id)"
	" WHERE message_id IS NOT NULL;"
	"CREATE TABLE inbox ("
	" id INTEGER PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" dest TEXT NOT NULL,"
	" kind TEXT NOT NULL DEFAULT 'sms'"
	"  CHECK (kind IN ('sms', 'ussd', 'receipt')),"
	" data_coding INTEGER NOT NULL,"
	" body BLOB NOT NULL,"
	" text TEXT,"
	" received_at INTEGER NOT NULL,"
	" processed_at INTEGER);"
	"CREATE INDEX inbox_unprocessed ON inbox (id)"
	" WHERE processed_at IS NULL;"
	/* Parts of concatenated MO messages, kept until all have arrived. */
	"CREATE TABLE mo_parts ("
	" id INTEGER PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" dest TEXT NOT NULL,"
	" ref INTEGER NOT NULL,"
	" total INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" data_coding INTEGER NOT NULL,"
	" payload BLOB NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" UNIQUE (source, dest, ref, total, seq));"
	"CREATE TABLE reports ("
	" id INTEGER PRIMARY KEY,"
	" case_no TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK (kind IN ('police', 'application')),"
	" category TEXT NOT NULL DEFAULT 'other',"
	" resident_id INTEGER REFERENCES residents (id),"
	" phone TEXT,"
	" channel TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'new',"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE staff ("
	" id INTEGER PRIMARY KEY,"
	" username TEXT NOT NULL UNIQUE,"
	" pin_hash TEXT NOT NULL,"
	" role TEXT NOT NULL DEFAULT 'staff',"
	" failed_attempts INTEGER NOT NULL DEFAULT 0,"
	" locked_until INTEGER,"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE audit_log ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" detail TEXT NOT NULL DEFAULT '');"
	"PRAGMA user_version = 1;",

	/* 1 -> 2: broadcasts, message parts, receipts, sessions, OTPs. */
	"CREATE TABLE broadcasts ("
	" id INTEGER PRIMARY KEY,"
	" group_id INTEGER REFERENCES groups (id),"
	" topic TEXT,"
	" text TEXT NOT NULL,"
	" emergency INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN"
	"  ('awaiting_approval', 'scheduled', 'sending', 'done',"
	"  'cancelled')),"
	" scheduled_at INTEGER NOT NULL DEFAULT 0,"
	" recipients INTEGER NOT NULL DEFAULT 0,"
	" segments INTEGER NOT NULL DEFAULT 0,"
	" created_by TEXT NOT NULL DEFAULT '',"
	" approved_by TEXT,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX outbox_broadcast ON outbox (broadcast_id, state)"
	" WHERE broadcast_id IS NOT NULL;"
	/*
	 * STOP cancels what is still queued for a number: by resident (a
	 * broadcast writes its rows in resident order, so this index grows
	 * at its end) and, for rows without a resident, by phone.
	 */
	"CREATE INDEX outbox_queued_resident ON outbox (resident_id)"
	" WHERE state = 'queued';"
	"CREATE INDEX outbox_queued_phone ON outbox (phone)"
	" WHERE state = 'queued' AND resident_id IS NULL;"
	/* One row per submitted segment: receipts come per segment. */
	"CREATE TABLE outbox_parts ("
	" outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,"
	" part INTEGER NOT NULL,"
	" message_id TEXT,"
	" state TEXT NOT NULL DEFAULT 'accepted',"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (outbox_id, part)) WITHOUT ROWID;"
	"CREATE INDEX outbox_parts_message_id ON outbox_parts (message_id)"
	" WHERE message_id IS NOT NULL;"
	/* Receipts that came before their submit_sm_resp was committed. */
	"CREATE TABLE receipts_pending ("
	" message_id TEXT PRIMARY KEY,"
	" state TEXT NOT NULL,"
	" error INTEGER,"
	" received_at INTEGER NOT NULL) WITHOUT ROWID;"
	/* Named counters, e.g. case numbers per year. */
	"CREATE TABLE counters ("
	" name TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE ussd_sessions ("
	" id INTEGER PRIMARY KEY,"
	" phone TEXT NOT NULL,"
	" session TEXT NOT NULL DEFAULT '',"
	" screen TEXT NOT NULL,"
	" data TEXT NOT NULL DEFAULT '',"
	" lang TEXT NOT NULL DEFAULT 'lv',"
	" started_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" UNIQUE (phone, session));"
	"CREATE TABLE otp ("
	" id INTEGER PRIMARY KEY,"
	" resident_id INTEGER NOT NULL REFERENCES residents (id),"
	" code_hash TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" used INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX otp_resident ON otp (resident_id);"
	/* Failed attempts and lock-outs by subject (a resident, a staff PIN). */
	"CREATE TABLE lockouts ("
	" subject TEXT PRIMARY KEY,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" locked_until INTEGER NOT NULL DEFAULT 0,"
	" updated_at INTEGER NOT NULL) WITHOUT ROWID;"
	/* One reminder per (kind, thing, due date), whatever restarts. */
	"CREATE TABLE reminders_sent ("
	" kind TEXT NOT NULL,"
	" ref_id INTEGER NOT NULL,"
	" due TEXT NOT NULL,"
	" sent_at INTEGER NOT NULL,"
	" PRIMARY KEY (kind, ref_id, due)) WITHOUT ROWID;"
	"PRAGMA user_version = 2;",

	/*
	 * 2 -> 3: fee kinds are reference data, seeded with the standard
	 * ones and with every kind a fee already names, so existing data
	 * stays valid; subscriptions remember what STOP alone left.
	 */
	"CREATE TABLE fee_kinds ("
	" code TEXT PRIMARY KEY,"
	" name_lv TEXT NOT NULL,"
	" name_en TEXT NOT NULL,"
	" created_at INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO fee_kinds VALUES"
	" ('nin', 'Nekustamā īpašuma nodoklis', 'Real estate tax', 0),"
	" ('dog', 'Suņu turēšanas nodeva', 'Dog fee', 0);"
	"INSERT OR IGNORE INTO fee_kinds SELECT DISTINCT kind, kind, kind, 0"
	" FROM fees;"
	/*
	 * The topics STOP alone turned off, so START alone turns on those
	 * and no other (not one the resident left by name before).
	 */
	"CREATE TABLE stop_all_left ("
	" resident_id INTEGER NOT NULL REFERENCES residents (id)"
	"  ON DELETE CASCADE,"
	" topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,"
	" PRIMARY KEY (resident_id, topic_id)) WITHOUT ROWID;"
	"PRAGMA user_version = 3;",

	/*
	 * 3 -> 4: staff are people. The first schema's staff table was
	 * never written, so it is replaced, not altered. A role change
	 * waits in pending_role until a second approver agrees; audit rows
	 * say from where (origin) and API clients have their own hashed
	 * tokens.
	 */
	"DROP TABLE staff;"
	"CREATE TABLE staff ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" display_name TEXT NOT NULL DEFAULT '',"
	" role TEXT NOT NULL"
	"  CHECK (role IN ('operator', 'approver', 'admin')),"
	" pending_role TEXT"
	"  CHECK (pending_role IN ('operator', 'approver', 'admin')),"
	" pending_by TEXT,"
	" pin_hash TEXT,"
	" unix_user TEXT UNIQUE,"
	" phone TEXT,"				/* E.164 */
	" birth_date TEXT,"			/* YYYY-MM-DD */
	" disabled INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" last_seen INTEGER);"
	"ALTER TABLE audit_log ADD COLUMN origin TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX audit_log_at ON audit_log (at);"
	"CREATE TABLE api_tokens ("
	" id INTEGER PRIMARY KEY,"
	" client TEXT NOT NULL UNIQUE,"
	" scope TEXT NOT NULL CHECK (scope IN ('messages', 'broadcasts')),"
	" token_hash TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" revoked_at INTEGER);"
	"PRAGMA user_version = 4;",

	/*
	 * 4 -> 5: the codes each kiosk terminal sent in the last hour, for
	 * the per-terminal cap (the otp rows themselves go when they
	 * expire); and outbox rows whose text is a secret, wiped by a
	 * trigger as soon as the gateway has done with them. One place for
	 * every final state: the gateway writes them from several
	 * statements, and the text it claimed (queued -> inflight) stays
	 * until the SMSC has answered.
	 */
	"CREATE TABLE otp_sends ("
	" terminal TEXT NOT NULL,"
	" sent_at INTEGER NOT NULL);"
	"CREATE INDEX otp_sends_terminal ON otp_sends (terminal, sent_at);"
	"ALTER TABLE outbox ADD COLUMN secret INTEGER NOT NULL DEFAULT 0;"
	"CREATE TRIGGER outbox_secret_wipe AFTER UPDATE OF state ON outbox"
	" WHEN NEW.secret = 1 AND NEW.state <> 'queued'"
	" AND NEW.state <> 'inflight'"
	" BEGIN UPDATE outbox SET text = '(one-time code, wiped once sent)'"
	"  WHERE id = NEW.id; END;"
	"PRAGMA user_version = 5;",

	/* 5 -> 6: receipts_pending is pruned oldest first (a row cap). */
	"CREATE INDEX receipts_pending_received ON receipts_pending"
	" (received_at);"
	"PRAGMA user_version = 6;",

	/*
	 * 6 -> 7: receipts matched within a receipt group, so an SMSC
	 * that hands out an id twice cannot have one receipt settle two
	 * messages. Rows from before keep a NULL
	 * group and match in any group, as they did; receipts kept for
	 * later remember the phone they came from. The existing message_id
	 * indexes serve the lookups: the group and phone only filter the
	 * few rows an id finds.
	 */
	"ALTER TABLE outbox ADD COLUMN rgroup TEXT;"
	"ALTER TABLE outbox_parts ADD COLUMN rgroup TEXT;"
	"CREATE TABLE receipts_pending_new ("
	" rgroup TEXT NOT NULL DEFAULT '',"
	" message_id TEXT NOT NULL,"
	" phone TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL,"
	" error INTEGER,"
	" received_at INTEGER NOT NULL,"
	" PRIMARY KEY (message_id, rgroup, phone)) WITHOUT ROWID;"
	"INSERT INTO receipts_pending_new (message_id, state, error,"
	" received_at) SELECT message_id, state, error, received_at"
	" FROM receipts_pending;"
	"DROP TABLE receipts_pending;"
	"ALTER TABLE receipts_pending_new RENAME TO receipts_pending;"
	/* The rebuilt table keeps 5 -> 6's index for its oldest-first cap. */
	"CREATE INDEX receipts_pending_received ON receipts_pending"
	" (received_at);"
	"PRAGMA user_version = 7;",

	/*
	 * 7 -> 8: the resident card (issue 21). Partner merchants with the
	 * phones that may check a code, their offers (each for one resident
	 * group, so eligibility is the group's rule), the six-digit codes a
	 * resident asks for by SMS (hashed like kiosk codes, tied to the
	 * resident and never to a personal code), and every check a
	 * merchant made, with the offers that applied. A check names the
	 * code, not the resident: a code works once per merchant a day.
	 */
	"CREATE TABLE merchants ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" territory TEXT NOT NULL DEFAULT '',"
	" address TEXT NOT NULL DEFAULT '',"
	" active INTEGER NOT NULL DEFAULT 1,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	/* A phone verifies for one merchant: its key is the number. */
	"CREATE TABLE merchant_phones ("
	" phone TEXT PRIMARY KEY,"		/* E.164 */
	" merchant_id INTEGER NOT NULL REFERENCES merchants (id)"
	"  ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE INDEX merchant_phones_merchant ON merchant_phones"
	" (merchant_id);"
	"CREATE TABLE offers ("
	" id INTEGER PRIMARY KEY,"
	" merchant_id INTEGER NOT NULL REFERENCES merchants (id),"
	/*
	 * No foreign key: removing a group must not fail on an offer,
	 * which then applies to nobody (and says so in its list).
	 */
	" group_id INTEGER NOT NULL,"
	" text_lv TEXT NOT NULL,"
	" text_en TEXT NOT NULL DEFAULT '',"
	" valid_from TEXT NOT NULL DEFAULT '0000-01-01',"	/* YYYY-MM-DD */
	" valid_to TEXT NOT NULL DEFAULT '9999-12-31',"
	" ended_at INTEGER,"
	" created_by TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" CHECK (valid_from <= valid_to));"
	"CREATE INDEX offers_merchant ON offers (merchant_id, group_id);"
	"CREATE TABLE card_codes ("
	" id INTEGER PRIMARY KEY,"
	" resident_id INTEGER NOT NULL REFERENCES residents (id)"
	"  ON DELETE CASCADE,"
	" code_hash TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL);"
	"CREATE INDEX card_codes_expires ON card_codes (expires_at);"
	"CREATE INDEX card_codes_resident ON card_codes (resident_id);"
	"CREATE TABLE card_checks ("
	" id INTEGER PRIMARY KEY,"
	" merchant_id INTEGER NOT NULL REFERENCES merchants (id),"
	" code_id INTEGER,"			/* NULL: no such code */
	" result TEXT NOT NULL CHECK (result IN ('valid', 'no_offer',"
	"  'used', 'expired', 'wrong', 'locked')),"
	" day TEXT NOT NULL,"			/* local YYYY-MM-DD */
	" at INTEGER NOT NULL);"
	"CREATE INDEX card_checks_code ON card_checks (code_id, merchant_id,"
	" day) WHERE code_id IS NOT NULL;"
	"CREATE INDEX card_checks_at ON card_checks (at);"
	"CREATE TABLE card_check_offers ("
	" check_id INTEGER NOT NULL REFERENCES card_checks (id)"
	"  ON DELETE CASCADE,"
	" offer_id INTEGER NOT NULL REFERENCES offers (id),"
	" PRIMARY KEY (check_id, offer_id)) WITHOUT ROWID;"
	"PRAGMA user_version = 8;",

	/*
	 * 8 -> 9: callbacks (issue 23). callback_targets mirrors the
	 * gateway's [http.callback.NAME] sections (name, event mask), so
	 * every program that makes an event true (the gateway, munictl, a
	 * kiosk) queues it without reading the configuration. The triggers
	 * queue an event in the statement, hence the transaction, that makes
	 * its fact true: it is durable exactly when the fact is, whichever
	 * path wrote it. With no callback configured each costs one probe of
	 * an empty table. message.final, once per message on the gateway's
	 * busiest path, is queued by outbox.c instead, and only when a
	 * target wants it (a trigger there doubled the cost of the receipt's
	 * UPDATE). Masks: 1 message.final, 2 broadcast.done, 4 mo.unhandled
	 * (queued by keywords.c), 8 case.created, 16 case.changed. subject
	 * orders the events of one message, case or broadcast: one is
	 * posted only after the earlier ones settled.
	 * retry_from is when the first attempt failed (NULL before): retries
	 * stop retry_h hours after it. Also the API's idempotency keys.
	 */
	"CREATE TABLE callback_targets ("
	" name TEXT PRIMARY KEY,"
	" events INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE callbacks ("
	" id INTEGER PRIMARY KEY,"
	" target TEXT NOT NULL,"
	" event TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" payload TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (state IN ('pending', 'sending', 'done', 'failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL DEFAULT 0,"
	" retry_from INTEGER,"
	" last_error TEXT,"
	" done_at INTEGER);"
	"CREATE INDEX callbacks_due ON callbacks (next_at, id)"
	" WHERE state = 'pending';"
	"CREATE INDEX callbacks_subject ON callbacks (target, subject, id)"
	" WHERE state IN ('pending', 'sending');"
	"CREATE TRIGGER callback_broadcast_done AFTER UPDATE OF state"
	" ON broadcasts WHEN NEW.state = 'done' AND OLD.state <> 'done'"
	" BEGIN INSERT INTO callbacks (target, event, subject, payload,"
	" created_at) SELECT t.name, 'broadcast.done',"
	" 'broadcast:' || NEW.id, json_object('event', 'broadcast.done',"
	" 'id', NEW.id, 'recipients', NEW.recipients,"
	" 'delivered', (SELECT count(*) FROM outbox WHERE broadcast_id = NEW.id"
	"  AND state = 'delivered'),"
	" 'undelivered', (SELECT count(*) FROM outbox"
	"  WHERE broadcast_id = NEW.id AND state IN ('undeliverable',"
	"  'expired', 'rejected', 'failed')),"
	" 'unknown', (SELECT count(*) FROM outbox WHERE broadcast_id = NEW.id"
	"  AND state IN ('accepted', 'queued', 'inflight')),"
	" 'at', NEW.updated_at), NEW.updated_at"
	" FROM callback_targets t WHERE t.events & 2; END;"
	"CREATE TRIGGER callback_case_created AFTER INSERT ON reports"
	" BEGIN INSERT INTO callbacks (target, event, subject, payload,"
	" created_at) SELECT t.name, 'case.created', 'case:' || NEW.case_no,"
	" json_object('event', 'case.created', 'case_no', NEW.case_no,"
	" 'kind', NEW.kind, 'category', NEW.category, 'status', NEW.status,"
	" 'channel', NEW.channel, 'resident_id', NEW.resident_id,"
	" 'phone', NEW.phone, 'text', NEW.text, 'at', NEW.created_at),"
	" NEW.created_at FROM callback_targets t WHERE t.events & 8; END;"
	"CREATE TRIGGER callback_case_changed AFTER UPDATE OF status ON reports"
	" WHEN NEW.status <> OLD.status"
	" BEGIN INSERT INTO callbacks (target, event, subject, payload,"
	" created_at) SELECT t.name, 'case.changed', 'case:' || NEW.case_no,"
	" json_object('event', 'case.changed', 'case_no', NEW.case_no,"
	" 'kind', NEW.kind, 'status', NEW.status, 'was', OLD.status,"
	" 'at', unixepoch()), unixepoch()"
	" FROM callback_targets t WHERE t.events & 16; END;"
	/*
	 * The API's Idempotency-Key: a client's key on an address holds
	 * the hash of the body it came with and the answer it got, so a
	 * retry within a day gets that answer and creates nothing.
	 */
	"CREATE TABLE api_idempotency ("
	" client TEXT NOT NULL,"
	" endpoint TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" body_sha256 TEXT NOT NULL,"
	" status INTEGER NOT NULL,"
	" answer TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (client, endpoint, key)) WITHOUT ROWID;"
	"CREATE INDEX api_idempotency_at ON api_idempotency (created_at);"
	"PRAGMA user_version = 9;",

	/*
	 * 9 -> 10: card codes found by a keyed hash (issue 21, card.c's
	 * code_mac): the key, one row made by the first code, and a unique
	 * index on the hash, so a merchant's check is one indexed read. The
	 * yescrypt hashes of codes live now stay unique and simply expire.
	 * And the inbox by time, for munictl report's ranges.
	 */
	"CREATE TABLE card_key ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" secret TEXT NOT NULL,"
	" created_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX card_codes_hash ON card_codes (code_hash);"
	/* munictl report's weeks: the inbox of a date range. */
	"CREATE INDEX inbox_received ON inbox (received_at);"
	"PRAGMA user_version = 10;",
};

static char	 store_err[512];

int
store_schema_version(void)
{
	return (int)nitems(migrations);
}

enum store_dialect
store_dialect(const struct store *s)
{
	return s->pg != NULL ? STORE_POSTGRES : STORE_SQLITE;
}

static const char *store_fail(const char *, ...)
    __attribute__((format(printf, 1, 2)));

/* Format an error into the store's one message buffer (single-threaded). */
static const char *
store_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(store_err, sizeof(store_err), fmt, ap);
	va_end(ap);
	return store_err;
}

static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
store_migrate(struct store *s, int from, const char **errstr)
{
	char	*msg = NULL;
	int	 v;

	for (v = from; v < store_schema_version(); v++) {
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
		    &msg) != SQLITE_OK ||
		    sqlite3_exec(s->db, migrations[v], NULL, NULL,
		    &msg) != SQLITE_OK ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL,
		    &msg) != SQLITE_OK) {
			*errstr = store_fail(_("migration to schema version %d "
			    "failed: %s"), v + 1, msg ? msg : "unknown error");
			sqlite3_free(msg);
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL,
			    NULL);
			return -1;
		}
		log_info("database schema migrated to version %d", v + 1);
	}
	return 0;
}

/*
 * SQLite's small allocations from free lists. Debian's SQLite is built
 * without lookaside, so every statement step mallocs and frees cursors,
 * records and values: some 47 malloc/free pairs per message in the
 * gateway, 8 % of its instructions through glibc. Blocks up to
 * MEM_SMALL_MAX are rounded to 16-byte classes and kept for reuse (the
 * lists never shrink: they hold what the busiest moment needed); larger
 * ones go to malloc. Every muni process has one thread (see store_open).
 * Sanitizer builds keep glibc's allocator, whose checks are the point.
 */
#if defined(__SANITIZE_ADDRESS__)
#define MEM_FREELISTS	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)	/* clang's way of saying it */
#define MEM_FREELISTS	0
#endif
#endif
#ifndef MEM_FREELISTS
#define MEM_FREELISTS	1
#endif
#define MEM_SMALL_MAX	1024
#define MEM_CLASS	16
#define MEM_HDR		16	/* keeps the block 16-aligned */

#if MEM_FREELISTS
struct mem_free {
	struct mem_free	*next;
};

/*
 * One set of lists per thread: the gateway's callback poster has a
 * connection of its own (store_threads()), and a block it frees goes back
 * to its own lists, so no two threads ever share one.
 */
static _Thread_local struct mem_free *mem_lists[MEM_SMALL_MAX / MEM_CLASS + 1];

static size_t
mem_round(size_t n)
{
	if (n > MEM_SMALL_MAX)
		return (n + 7) & ~(size_t)7;
	return (n + MEM_CLASS - 1) & ~(size_t)(MEM_CLASS - 1);
}

static void *
mem_malloc(int n)
{
	size_t		 size;
	unsigned char	*p;
	struct mem_free	*f;

	if (n <= 0)
		return NULL;
	size = mem_round((size_t)n);
	if (size <= MEM_SMALL_MAX &&
	    (f = mem_lists[size / MEM_CLASS]) != NULL) {
		mem_lists[size / MEM_CLASS] = f->next;
		return f;
	}
	if ((p = malloc(size + MEM_HDR)) == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + MEM_HDR;
}

static int
mem_size(void *p)
{
	size_t	 size;

	if (p == NULL)
		return 0;
	memcpy(&size, (unsigned char *)p - MEM_HDR, sizeof(size));
	return (int)size;
}

static void
mem_free(void *p)
{
	size_t		 size;
	struct mem_free	*f = p;

	if (p == NULL)
		return;
	size = (size_t)mem_size(p);
	if (size <= MEM_SMALL_MAX) {
		f->next = mem_lists[size / MEM_CLASS];
		mem_lists[size / MEM_CLASS] = f;
		return;
	}
	free((unsigned char *)p - MEM_HDR);
}

static void *
mem_realloc(void *p, int n)
{
	void	*q;
	int	 old = mem_size(p);

	if (n <= old && (size_t)old <= MEM_SMALL_MAX)
		return p;
	if ((q = mem_malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, (size_t)(old < n ? old : n));
	mem_free(p);
	return q;
}

static int
mem_roundup(int n)
{
	return (int)mem_round((size_t)n);
}

static int
mem_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void
mem_shutdown(void *arg)
{
	(void)arg;
}

static const sqlite3_mem_methods mem_methods = {
	mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init,
	mem_shutdown, NULL,
};
#endif

/* store_threads() was called: SQLite keeps its global mutexes. */
static int	 store_multithread;

void
store_threads(void)
{
	store_multithread = 1;
}

struct store *
store_open(const char *path, int flags, const char **errstr)
{
	struct store	*s;
	char		*msg = NULL;
	int		 oflags, version, appid, i;

	s = xcalloc(1, sizeof(*s));
	s->curs = xcalloc(STMT__COUNT, sizeof(*s->curs));
	if (pgstore_is_url(path)) {
		/* No path in PostgreSQL's messages: it is a URL. */
		if ((s->pg = pgstore_open(path, flags, &s->version_found,
		    errstr)) == NULL)
			goto fail;
		for (i = 0; i < STMT__COUNT; i++) {
			s->curs[i].s = s;
			s->curs[i].pc = pgstore_cur(s->pg, i);
			s->curs[i].name = store_sql[i].name;
		}
		return s;
	}
	/*
	 * A muni process has one thread using the store, with no mutexes;
	 * the gateway with a callback poster has two, each with its own
	 * connection: SQLite's multi-thread mode, whose global mutexes guard
	 * what connections share (the open files' locks, the page cache).
	 * No memory statistics either way (a mutex on every malloc). Only
	 * possible before SQLite initialises, so later calls fail
	 * harmlessly.
	 */
	(void)sqlite3_config(store_multithread ? SQLITE_CONFIG_MULTITHREAD :
	    SQLITE_CONFIG_SINGLETHREAD);
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#if MEM_FREELISTS
	(void)sqlite3_config(SQLITE_CONFIG_MALLOC, &mem_methods);
#endif
	oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (flags & STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		*errstr = store_fail("%s: %s", path, s->db ?
		    sqlite3_errmsg(s->db) : "out of memory");
		if (s->db != NULL && sqlite3_errcode(s->db) ==
		    SQLITE_CANTOPEN && !(flags & STORE_CREATE))
			*errstr = store_fail(_("%s: cannot open database (run "
			    "`munictl init` to create it)"), path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, STORE_BUSY_MS) != SQLITE_OK)
		goto sqlfail;
	if (pragma_int(s->db, "PRAGMA application_id", &appid) == -1) {
		/* The first read is where a non-database file shows. */
		*errstr = store_fail("%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (appid != 0 && appid != STORE_APP_ID) {
		*errstr = store_fail(_("%s: not a muni database (foreign "
		    "application_id)"), path);
		goto fail;
	}
	if (pragma_int(s->db, "PRAGMA user_version", &version) == -1)
		goto sqlfail;
	s->version_found = version;
	if (version > store_schema_version()) {
		*errstr = store_fail(_("%s: database schema version %d is newer "
		    "than this program's (%d): install the newer muni"), path,
		    version, store_schema_version());
		goto fail;
	}
	if (version < store_schema_version()) {
		if (version == 0 && !(flags & (STORE_CREATE | STORE_MIGRATE))) {
			*errstr = store_fail(_("%s: the database is empty: run "
			    "`munictl init` first"), path);
			goto fail;
		}
		if (!(flags & (STORE_CREATE | STORE_MIGRATE))) {
			*errstr = store_fail(_("%s: database schema version %d "
			    "is older than this program's (%d): run `munictl "
			    "init` to upgrade it"), path, version,
			    store_schema_version());
			goto fail;
		}
	}
	/*
	 * WAL, and FULL sync: the outbox must survive a power cut. Only now,
	 * so a file refused above is left as it was found.
	 */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY;", NULL, NULL, &msg) != SQLITE_OK)
		goto execfail;
	if (version < store_schema_version() &&
	    store_migrate(s, version, errstr) == -1)
		goto fail;
	for (i = 0; i < STMT__COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, store_sql[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmts[i], NULL) !=
		    SQLITE_OK) {
			*errstr = store_fail(_("cannot prepare %s: %s"),
			    store_sql[i].name, sqlite3_errmsg(s->db));
			goto fail;
		}
		s->curs[i].s = s;
		s->curs[i].st = s->stmts[i];
		s->curs[i].name = store_sql[i].name;
	}
	return s;

execfail:
	*errstr = store_fail("%s: %s", path, msg ? msg : "unknown error");
	sqlite3_free(msg);
	goto fail;
sqlfail:
	*errstr = store_fail("%s: %s", path, sqlite3_errmsg(s->db));
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	int	 i;

	if (s == NULL)
		return;
	pgstore_close(s->pg);
	for (i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	free(s->curs);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store_close: %s", sqlite3_errmsg(s->db));
	free(s);
}

int
store_version_found(const struct store *s)
{
	return s->version_found;
}

struct sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt id)
{
	sqlite3_stmt	*st = s->stmts[id];

	if (s->pg != NULL)
		fatalx("store_stmt: %s: not a SQLite store", store_sql[id].name);
	/* reset reports the last step's error, already handled there. */
	(void)sqlite3_reset(st);
	if (sqlite3_clear_bindings(st) != SQLITE_OK)
		fatalx("store_stmt: %s: %s", store_sql[id].name,
		    sqlite3_errmsg(s->db));
	return st;
}

struct sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

const char *
store_errmsg(struct store *s)
{
	if (s->pg != NULL)
		return pgstore_errmsg(s->pg);
	return sqlite3_errmsg(s->db);
}

int
store_abort(struct store *s, char *err, size_t errsize)
{
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	store_rollback(s);
	return -1;
}

int
store_busy_timeout(struct store *s, int ms)
{
	if (s->pg != NULL)
		return pgstore_busy_timeout(s->pg, ms);
	return sqlite3_busy_timeout(s->db, ms) == SQLITE_OK ? 0 : -1;
}

int
store_begin(struct store *s)
{
	char	*msg = NULL;

	if (s->depth++ > 0)
		return 0;
	if (s->pg != NULL) {
		if (pgstore_exec(s->pg, "store_begin", "BEGIN") == -1) {
			s->depth = 0;
			return -1;
		}
		return 0;
	}
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) !=
	    SQLITE_OK) {
		log_warnx("store_begin: %s", msg ? msg : "unknown error");
		sqlite3_free(msg);
		s->depth = 0;
		return -1;
	}
	return 0;
}

int
store_commit(struct store *s)
{
	char	*msg = NULL;

	if (s->depth == 0) {
		log_warnx("store_commit: no transaction");
		return -1;
	}
	if (--s->depth > 0)
		return 0;
	if (s->pg != NULL) {
		if (pgstore_exec(s->pg, "store_commit", "COMMIT") == -1) {
			if (pgstore_in_tx(s->pg))
				(void)pgstore_exec(s->pg, "store_commit",
				    "ROLLBACK");
			return -1;
		}
		return 0;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("store_commit: %s", msg ? msg : "unknown error");
		sqlite3_free(msg);
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *s)
{
	s->depth = 0;
	if (s->pg != NULL) {
		if (pgstore_in_tx(s->pg))
			(void)pgstore_exec(s->pg, "store_rollback",
			    "ROLLBACK");
		return;
	}
	if (sqlite3_get_autocommit(s->db))
		return;
	if (sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("store_rollback: %s", sqlite3_errmsg(s->db));
}

int
store_savepoint(struct store *s)
{
	if (s->depth == 0) {
		log_warnx("store_savepoint: no transaction");
		return -1;
	}
	return store_run(store_cur(s, ST_SAVEPOINT)) < 0 ? -1 : 0;
}

int
store_savepoint_end(struct store *s, int keep)
{
	if (s->depth == 0 || (s->pg != NULL ? !pgstore_in_tx(s->pg) :
	    sqlite3_get_autocommit(s->db)))
		return -1;
	if (!keep && store_run(store_cur(s, ST_SAVEPOINT_ROLLBACK)) < 0)
		return -1;
	return store_run(store_cur(s, ST_SAVEPOINT_RELEASE)) < 0 ? -1 : 0;
}

int
store_exec(struct store *s, enum store_stmt id)
{
	sqlite3_stmt	*st = s->stmts[id];
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s", store_sql[id].name, sqlite3_errmsg(s->db));
		(void)sqlite3_reset(st);
		return -1;
	}
	(void)sqlite3_reset(st);
	return 0;
}

int64_t
store_changes(struct store *s)
{
	if (s->pg != NULL)
		return pgstore_changes(s->pg);
	return sqlite3_changes64(s->db);
}

int64_t
store_last_rowid(struct store *s)
{
	if (s->pg != NULL)
		return pgstore_last_rowid(s->pg);
	return sqlite3_last_insert_rowid(s->db);
}

int
store_bulk(struct store *s, int on)
{
	char	*msg = NULL;

	/* PostgreSQL's server has its own buffers: nothing to say. */
	if (s->pg != NULL)
		return 0;
	/* 256 MiB while bulk loading; SQLite's default 2 MiB otherwise. */
	if (sqlite3_exec(s->db, on ? "PRAGMA cache_size = -262144" :
	    "PRAGMA cache_size = -2000", NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("store_bulk: %s", msg ? msg : "unknown error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_tune_daemon(struct store *s)
{
	char	*msg = NULL;

	if (s->pg != NULL)
		return 0;
	if (sqlite3_exec(s->db, "PRAGMA cache_size = -32768;"
	    "PRAGMA wal_autocheckpoint = 8192;", NULL, NULL, &msg) !=
	    SQLITE_OK) {
		log_warnx("store_tune_daemon: %s", msg ? msg : "unknown error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_fast_load(struct store *s, int on)
{
	sqlite3_stmt	*st;
	char		*msg = NULL;
	size_t		 i;
	int		 rc;

	/*
	 * PostgreSQL: nothing here. A fresh database is loaded as any other
	 * (dropping indexes there would need the schema's texts again).
	 */
	if (s->pg != NULL)
		return 0;
	if (on) {
		if (sqlite3_exec(s->db, "PRAGMA journal_mode = DELETE", NULL,
		    NULL, &msg) != SQLITE_OK)
			goto fail;
		/*
		 * The definitions come from the schema itself, so the rebuild
		 * matches whatever migrations made; nothing here is input.
		 */
		if (sqlite3_prepare_v2(s->db, "SELECT name, sql FROM"
		    " sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
		    " AND tbl_name IN ('residents', 'fees', 'queue_entries',"
		    " 'subscriptions')", -1, &st, NULL) != SQLITE_OK)
			goto fail_db;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			s->saved_idx = xreallocarray(s->saved_idx,
			    s->nsaved + 2, sizeof(char *));
			s->saved_idx[s->nsaved++] = xstrdup((const char *)
			    sqlite3_column_text(st, 0));
			s->saved_idx[s->nsaved++] = xstrdup((const char *)
			    sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto fail_db;
		for (i = 0; i < s->nsaved; i += 2) {
			char	*drop = sqlite3_mprintf("DROP INDEX \"%w\"",
			    s->saved_idx[i]);

			if (drop == NULL)
				fatalx("store_fast_load: out of memory");
			rc = sqlite3_exec(s->db, drop, NULL, NULL, &msg);
			sqlite3_free(drop);
			if (rc != SQLITE_OK)
				goto fail;
		}
		return 0;
	}
	for (i = 0; i < s->nsaved; i += 2) {
		if (sqlite3_exec(s->db, s->saved_idx[i + 1], NULL, NULL,
		    &msg) != SQLITE_OK)
			goto fail;
		free(s->saved_idx[i]);
		free(s->saved_idx[i + 1]);
	}
	free(s->saved_idx);
	s->saved_idx = NULL;
	s->nsaved = 0;
	if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL,
	    &msg) != SQLITE_OK)
		goto fail;
	return 0;
fail_db:
	log_warnx("store_fast_load: %s", sqlite3_errmsg(s->db));
	return -1;
fail:
	log_warnx("store_fast_load: %s", msg ? msg : "unknown error");
	sqlite3_free(msg);
	return -1;
}

int
store_audit(struct store *s, const char *actor, const char *action,
    const char *detail)
{
	return store_do(s, ST_AUDIT_INSERT, "tssss", clock_now(), actor,
	    action, detail, s->origin) < 0 ? -1 : 0;
}

int64_t
store_audit_count(struct store *s, const char *actor, const char *action,
    time_t since)
{
	int64_t		 n = -1;

	if (store_one_i64(s, ST_AUDIT_COUNT, &n, "sst", actor, action,
	    since) != STORE_ROW)
		return -1;
	return n;
}

void
store_set_origin(struct store *s, const char *origin)
{
	(void)util_strlcpy_utf8(s->origin, origin != NULL ? origin : "",
	    sizeof(s->origin));
}

void
store_col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	(void)util_strlcpy_utf8(buf, (const char *)sqlite3_column_text(st, i),
	    size);
}

/*
 * The cursor API. SQLite's result codes end here: the domain sees store
 * codes, so a second store can give the same answers.
 */
static int
store_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
		return STORE_OK;
	case SQLITE_ROW:
		return STORE_ROW;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_EBUSY;
	case SQLITE_CONSTRAINT:
		return rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY ? STORE_EUNIQUE :
		    STORE_ECONSTRAINT;
	case SQLITE_FULL:
		return STORE_EFULL;
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_CANTOPEN:
		return STORE_EIO;
	default:
		return STORE_ERROR;
	}
}

struct store_cur *
store_cur(struct store *s, enum store_stmt id)
{
	if (s->pg != NULL)
		pgcur_reset(s->curs[id].pc, 1);
	else
		(void)store_stmt(s, id);
	return &s->curs[id];
}

/* The bind-format walk for PostgreSQL's statements: the same letters. */
static int
store_vbind_pg(struct store_cur *c, int idx, const char *fmt, va_list ap)
{
	const char	*p, *str;
	const void	*blob;
	size_t		 len;
	int		 rc = 0;

	for (p = fmt; *p != '\0' && rc == 0; p++, idx++) {
		switch (*p) {
		case 'i':
			rc = pgcur_bind_i64(c->pc, idx, va_arg(ap, int));
			break;
		case 'I':
			rc = pgcur_bind_i64(c->pc, idx, va_arg(ap, int64_t));
			break;
		case 't':
			rc = pgcur_bind_i64(c->pc, idx,
			    (int64_t)va_arg(ap, time_t));
			break;
		case 'd':
			rc = pgcur_bind_dbl(c->pc, idx, va_arg(ap, double));
			break;
		case 's':
		case 'z':
		case 'c':
			str = va_arg(ap, const char *);
			if (str == NULL || (*p == 'z' && *str == '\0'))
				rc = pgcur_bind_null(c->pc, idx);
			else
				rc = pgcur_bind_text(c->pc, idx, str,
				    (size_t)-1, *p == 'c');
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			if (blob == NULL || len == 0)
				rc = pgcur_bind_null(c->pc, idx);
			else
				rc = pgcur_bind_blob(c->pc, idx, blob, len);
			break;
		case 'n':
			rc = pgcur_bind_null(c->pc, idx);
			break;
		case '-':
			break;
		default:
			fatalx("store_bind: %s: bad format '%c'", c->name, *p);
		}
	}
	return rc == 0 ? STORE_OK : STORE_ERROR;
}

static int
store_vbind(struct store_cur *c, int idx, const char *fmt, va_list ap)
{
	const char	*p, *str;
	const void	*blob;
	size_t		 len;
	int		 rc = SQLITE_OK;

	if (c->pc != NULL)
		return store_vbind_pg(c, idx, fmt, ap);
	for (p = fmt; *p != '\0' && rc == SQLITE_OK; p++, idx++) {
		switch (*p) {
		case 'i':
			rc = sqlite3_bind_int(c->st, idx, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(c->st, idx,
			    (sqlite3_int64)va_arg(ap, int64_t));
			break;
		case 't':
			rc = sqlite3_bind_int64(c->st, idx,
			    (sqlite3_int64)va_arg(ap, time_t));
			break;
		case 'd':
			rc = sqlite3_bind_double(c->st, idx,
			    va_arg(ap, double));
			break;
		case 's':
		case 'z':
		case 'c':
			str = va_arg(ap, const char *);
			if (str == NULL || (*p == 'z' && *str == '\0'))
				rc = sqlite3_bind_null(c->st, idx);
			else
				rc = sqlite3_bind_text(c->st, idx, str, -1,
				    *p == 'c' ? SQLITE_TRANSIENT :
				    SQLITE_STATIC);
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			if (blob == NULL || len == 0)
				rc = sqlite3_bind_null(c->st, idx);
			else if (len > INT_MAX)
				rc = SQLITE_TOOBIG;
			else
				rc = sqlite3_bind_blob(c->st, idx, blob,
				    (int)len, SQLITE_STATIC);
			break;
		case 'n':
			rc = sqlite3_bind_null(c->st, idx);
			break;
		case '-':
			break;
		default:
			fatalx("store_bind: %s: bad format '%c'", c->name, *p);
		}
	}
	if (rc != SQLITE_OK) {
		log_warnx("%s: parameter %d: %s", c->name, idx - 1,
		    sqlite3_errmsg(c->s->db));
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_bind(struct store_cur *c, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = store_vbind(c, 1, fmt, ap);
	va_end(ap);
	return rc;
}

int
store_bind_at(struct store_cur *c, int idx, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = store_vbind(c, idx, fmt, ap);
	va_end(ap);
	return rc;
}

int
store_step(struct store_cur *c)
{
	int	 rc;

	if (c->pc != NULL)
		return pgcur_step(c->pc, c->name);
	rc = store_code(sqlite3_step(c->st));

	if (rc < 0 && rc != STORE_EBUSY && rc != STORE_EUNIQUE &&
	    rc != STORE_ECONSTRAINT)
		log_warnx("%s: %s", c->name, sqlite3_errmsg(c->s->db));
	return rc;
}

void
store_reset(struct store_cur *c)
{
	if (c->pc != NULL) {
		pgcur_reset(c->pc, 0);
		return;
	}
	/* The error reset repeats was the last step's, handled there. */
	(void)sqlite3_reset(c->st);
}

int
store_run(struct store_cur *c)
{
	int	 rc;

	while ((rc = store_step(c)) == STORE_ROW)
		;
	store_reset(c);
	return rc;
}

int
store_do(struct store *s, enum store_stmt id, const char *fmt, ...)
{
	struct store_cur	*c = store_cur(s, id);
	va_list			 ap;
	int			 rc;

	va_start(ap, fmt);
	rc = store_vbind(c, 1, fmt, ap);
	va_end(ap);
	if (rc != STORE_OK)
		return rc;
	return store_run(c);
}

int
store_one_i64(struct store *s, enum store_stmt id, int64_t *out,
    const char *fmt, ...)
{
	struct store_cur	*c = store_cur(s, id);
	va_list			 ap;
	int			 rc;

	va_start(ap, fmt);
	rc = store_vbind(c, 1, fmt, ap);
	va_end(ap);
	if (rc != STORE_OK)
		return rc;
	if ((rc = store_step(c)) == STORE_ROW)
		*out = store_i64(c, 0);
	store_reset(c);
	return rc;
}

int
store_isnull(struct store_cur *c, int i)
{
	if (c->pc != NULL)
		return pgcur_isnull(c->pc, i);
	return sqlite3_column_type(c->st, i) == SQLITE_NULL;
}

int
store_int(struct store_cur *c, int i)
{
	if (c->pc != NULL)
		return (int)pgcur_i64(c->pc, i);
	return sqlite3_column_int(c->st, i);
}

int64_t
store_i64(struct store_cur *c, int i)
{
	if (c->pc != NULL)
		return pgcur_i64(c->pc, i);
	return (int64_t)sqlite3_column_int64(c->st, i);
}

double
store_dbl(struct store_cur *c, int i)
{
	if (c->pc != NULL)
		return pgcur_dbl(c->pc, i);
	return sqlite3_column_double(c->st, i);
}

const char *
store_str(struct store_cur *c, int i)
{
	const unsigned char	*t;

	if (c->pc != NULL)
		return pgcur_str(c->pc, i);
	t = sqlite3_column_text(c->st, i);
	return t != NULL ? (const char *)t : "";
}

void
store_text(struct store_cur *c, int i, char *buf, size_t size)
{
	(void)util_strlcpy_utf8(buf, store_str(c, i), size);
}

const void *
store_blob(struct store_cur *c, int i, size_t *len)
{
	const void	*b;

	if (c->pc != NULL)
		return pgcur_blob(c->pc, i, len);
	b = sqlite3_column_blob(c->st, i);
	/* Bytes after the blob: the order SQLite documents. */
	*len = b != NULL ? (size_t)sqlite3_column_bytes(c->st, i) : 0;
	return b;
}

struct store_cur *
store_prepare(struct store *s, const char *sql, size_t len, char *err,
    size_t errsize)
{
	struct store_cur	*c;
	sqlite3_stmt		*st;
	struct pgcur		*pc;

	if (s->pg != NULL) {
		if ((pc = pgstore_prepare(s->pg, sql, len, err, errsize)) ==
		    NULL)
			return NULL;
		c = xcalloc(1, sizeof(*c));
		c->s = s;
		c->pc = pc;
		c->name = "(built)";
		c->owned = 1;
		return c;
	}
	if (len > INT_MAX || sqlite3_prepare_v2(s->db, sql, (int)len, &st,
	    NULL) != SQLITE_OK) {
		(void)util_strlcpy(err, sqlite3_errmsg(s->db), errsize);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->st = st;
	c->name = "(built)";
	c->owned = 1;
	return c;
}

void
store_cur_free(struct store_cur *c)
{
	if (c == NULL || !c->owned)
		return;
	pgcur_free(c->pc);
	sqlite3_finalize(c->st);
	free(c);
}

int
store_bind_bytes(struct store_cur *c, int idx, const void *b, size_t len)
{
	int	 rc;

	if (c->pc != NULL)
		return pgcur_bind_blob(c->pc, idx, b, len) == 0 ? STORE_OK :
		    STORE_ERROR;
	if (len > INT_MAX)
		rc = SQLITE_TOOBIG;
	else if (len == 0)
		rc = sqlite3_bind_zeroblob(c->st, idx, 0);
	else
		rc = sqlite3_bind_blob(c->st, idx, b, (int)len, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		log_warnx("%s: parameter %d: %s", c->name, idx,
		    sqlite3_errmsg(c->s->db));
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_bind_textn(struct store_cur *c, int idx, const char *t, size_t len)
{
	if (c->pc != NULL)
		return pgcur_bind_text(c->pc, idx, t, len, 1) == 0 ?
		    STORE_OK : STORE_ERROR;
	if (len > INT_MAX || sqlite3_bind_text(c->st, idx, t, (int)len,
	    SQLITE_STATIC) != SQLITE_OK) {
		log_warnx("%s: parameter %d: %s", c->name, idx,
		    sqlite3_errmsg(c->s->db));
		return STORE_ERROR;
	}
	return STORE_OK;
}
