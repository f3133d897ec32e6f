/*
 * store: the database every muni program shares: a SQLite file ([database]
 * path), or a PostgreSQL database ([database] url) when kiosks and
 * gateways run on several machines. It opens the database (SQLite: WAL
 * mode with synchronous=FULL), brings the schema up to date, and prepares
 * every statement of common/store_stmts.h once, so bad SQL fails at start.
 *
 * This header is the seam: the domain reaches the database only through
 * the calls below (statement ids, cursors, store codes) and never sees the
 * engine; common/store.c is SQLite's and common/store_pg.c PostgreSQL's.
 * What only the SQLite store and white-box tests may touch is in
 * store_sqlite.h.
 */
#ifndef MUNI_STORE_H
#define MUNI_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

#define STMT(id, sql) id,
#define STMT2(id, sql, pg_sql) id,
enum store_stmt {
#include "store_stmts.h"
	STMT__COUNT
};
#undef STMT
#undef STMT2

/* 'muni' in PRAGMA application_id marks the file as ours. */
#define STORE_APP_ID	0x6d756e69
/*
 * What a secret outbox text (a one-time code) reads once it is sent: the
 * text the trigger outbox_secret_wipe writes (migration 2 -> 3, spelt out
 * there because migrations are literals; test_otp holds the two equal).
 */
#define STORE_SECRET_WIPED	"(one-time code, wiped once sent)"

/* The schema version this program writes (PRAGMA user_version). */
int	 store_schema_version(void);

/*
 * The SQL dialect of the database behind a store, for the one place above
 * the store that writes SQL at run time: the group-rule compiler.
 */
enum store_dialect {
	STORE_SQLITE,
	STORE_POSTGRES,
};
enum store_dialect store_dialect(const struct store *);

#define STORE_CREATE	0x01	/* create the file and migrate */
#define STORE_MIGRATE	0x02	/* upgrade an older schema */

/*
 * This process will use the store from more than one thread, each thread
 * with connections of its own (never one connection in two threads): call
 * before the first store_open. Without it SQLite runs without mutexes.
 */
void		 store_threads(void);

/*
 * Open path (":memory:" for tests), or a PostgreSQL database when path is
 * a libpq connection string: a URL (postgresql://, postgres://) or
 * key=value words naming dbname= or host=. Without STORE_MIGRATE an older
 * schema is an error that tells the user to run `munictl init`; a newer one
 * is always refused. Returns NULL with *errstr set (static or thread-local
 * text). A password in a PostgreSQL URL is refused: see
 * store_password_file().
 */
struct store	*store_open(const char *path, int flags, const char **errstr);
/*
 * The file ([database] password_file) whose one line is the PostgreSQL
 * password for this process's later store_open calls; "" or NULL for none
 * (libpq then reads ~/.pgpass). The file is read at each open and refused
 * when its group or others may read it. Call once at start.
 */
void		 store_password_file(const char *path);
void		 store_close(struct store *);
/* The version found on disk before any migration ran. */
int		 store_version_found(const struct store *);

/*
 * How long a statement waits for another process's write lock before it
 * fails with SQLITE_BUSY (5 s from store_open). The gateway's loop must not
 * stall that long: it waits briefly and retries later. 0 or -1.
 */
int	 store_busy_timeout(struct store *, int ms);

/* Transactions; nested begin/commit pairs count, the outermost one acts. */
int	 store_begin(struct store *);
int	 store_commit(struct store *);
void	 store_rollback(struct store *);
/*
 * One savepoint inside the open transaction, so several units of work
 * share a commit (an fsync) and a failed one is undone alone. Not nested.
 * store_savepoint_end(s, 1) keeps the work, (s, 0) undoes it; -1 when the
 * transaction itself is gone (a callee's store_rollback): all is undone.
 */
int	 store_savepoint(struct store *);
int	 store_savepoint_end(struct store *, int keep);

/* The database's last error text, for log lines. */
const char *store_errmsg(struct store *);
/*
 * Undo the open transaction (if any) and say why in err: "database error:
 * " and the database's text, in the user's language. Returns -1, so a
 * caller's failure path is one line.
 */
int	 store_abort(struct store *, char *err, size_t errsize);

/* The number of rows the last statement changed. */
int64_t	 store_changes(struct store *);
int64_t	 store_last_rowid(struct store *);

/*
 * The statement table through a cursor: the domain's only way to the
 * database. Nothing above store*.c sees SQLite's types or codes, so another
 * store (PostgreSQL) can stand behind the same calls.
 *
 * Results: STORE_ROW (a row is ready), STORE_OK (done), or one of the
 * negative codes below; every error is negative, so "rc < 0" is the test.
 */
#define STORE_OK		 0
#define STORE_ROW		 1
#define STORE_ERROR		(-1)	/* anything else; see store_errmsg() */
#define STORE_EBUSY		(-2)	/* another writer holds the lock */
#define STORE_EUNIQUE		(-3)	/* a UNIQUE or PRIMARY KEY refused it */
#define STORE_ECONSTRAINT	(-4)	/* another constraint refused it */
#define STORE_EFULL		(-5)	/* the disk or the database is full */
#define STORE_EIO		(-6)	/* disk I/O error or corruption */

struct store_cur;

/* Statement id, reset and with its bindings cleared. Never NULL. */
struct store_cur *store_cur(struct store *, enum store_stmt);

/*
 * Bind parameters ?1, ?2, ... (store_bind) or ?idx, ?idx+1, ...
 * (store_bind_at) from fmt, one character each:
 *   i  int            I  int64_t        t  time_t        d  double
 *   s  const char *, NULL binds NULL    z  const char *, NULL or "" binds NULL
 *   c  const char *, copied (the buffer may go before the step)
 *   b  const void *, size_t: a blob (NULL or 0 bytes binds NULL)
 *   n  NULL (takes no argument)         -  leave this parameter as it is
 * Text and blobs that are not copied must live until the statement is
 * stepped. Returns STORE_OK or STORE_ERROR (logged with the statement's name).
 */
int	 store_bind(struct store_cur *, const char *fmt, ...);
int	 store_bind_at(struct store_cur *, int idx, const char *fmt, ...);

/*
 * The next row: STORE_ROW, STORE_OK at the end, or an error. Errors other
 * than STORE_EBUSY, STORE_EUNIQUE and STORE_ECONSTRAINT (which callers act
 * on) are logged with the statement's name.
 */
int	 store_step(struct store_cur *);
/* Done with the rows for now: releases the statement's read snapshot. */
void	 store_reset(struct store_cur *);
/* Step to the end (rows ignored) and reset: STORE_OK or an error. */
int	 store_run(struct store_cur *);
/* store_cur + store_bind + store_run in one call. */
int	 store_do(struct store *, enum store_stmt, const char *fmt, ...);
/*
 * The first column of the first row as an integer into *out (a count, an
 * id): STORE_ROW when there was a row, STORE_OK when none (*out untouched),
 * or an error. The statement is reset either way.
 */
int	 store_one_i64(struct store *, enum store_stmt, int64_t *out,
	    const char *fmt, ...);

/* Columns of the current row, from 0. */
int	 store_isnull(struct store_cur *, int i);
int	 store_int(struct store_cur *, int i);
int64_t	 store_i64(struct store_cur *, int i);
double	 store_dbl(struct store_cur *, int i);
/* Text, "" for NULL; valid until the next step or reset. */
const char *store_str(struct store_cur *, int i);
/* Text copied into buf, cut at a UTF-8 character boundary. */
void	 store_text(struct store_cur *, int i, char *buf, size_t size);
/* A blob and its length (NULL and 0 for NULL); valid as store_str. */
const void *store_blob(struct store_cur *, int i, size_t *len);

/*
 * SQL built at run time: only the group-rule compiler, which binds every
 * value. NULL with the database's message in err when it does not
 * compile. Free with store_cur_free(); table statements are never freed.
 */
struct store_cur *store_prepare(struct store *, const char *sql, size_t len,
	    char *err, size_t errsize);
void	 store_cur_free(struct store_cur *);
/* len bytes of text at ?idx, not copied, where no NUL need end them. */
int	 store_bind_textn(struct store_cur *, int idx, const char *,
	    size_t len);

/*
 * A blob of len bytes into ?idx that is never NULL: 0 bytes bind an empty
 * blob (where 'b' binds NULL), for a NOT NULL column that may hold
 * nothing. The bytes must live until the statement is stepped.
 */
int	 store_bind_bytes(struct store_cur *, int idx, const void *,
	    size_t len);

/*
 * Bulk mode for imports and the demo: a large page cache so one big
 * transaction does not spill pages to the WAL half-way. Durability is
 * unchanged (the commit still syncs). 0 or -1.
 */
int	 store_bulk(struct store *, int on);

/*
 * Fast loading into a fresh database (the demo): on, the rollback journal
 * replaces the WAL (an empty file has nothing to journal, so the data is
 * written once instead of twice) and the plain secondary indexes are
 * dropped; off, they are rebuilt from their saved definitions (a sort, not
 * a million random inserts) and WAL is back. Call outside a transaction.
 */
int	 store_fast_load(struct store *, int on);

/*
 * The gateway's connection: a page cache that holds the working set of a
 * large send, and checkpoints far enough apart that a page rewritten by
 * many group commits is copied into the database once. (Pragmas run when
 * they are prepared, so they cannot live in the statement table, where
 * every program would get them.)
 */
int	 store_tune_daemon(struct store *);

/*
 * Where this process's staff actions come from, written into every audit
 * row after it: "unix:anna", "kiosk:/dev/tty3", "api:billing". With an
 * admin's --as the actor column holds the name given and the origin ends
 * in " by NAME", so the row names both.
 */
#define STORE_ORIGIN_MAX	127
void	 store_set_origin(struct store *, const char *origin);

/* Write an audit-log row: who did what (never a personal code). */
int	 store_audit(struct store *, const char *actor, const char *action,
	    const char *detail);
/*
 * How many audit rows actor wrote with action after since: what a
 * terminal did lately, for a per-terminal limit. -1 on error.
 */
int64_t	 store_audit_count(struct store *, const char *actor,
	    const char *action, time_t since);

#endif
