/*
 * store_priv: what the two engines behind store.h share. common/store.c
 * keeps the public calls, the SQLite engine and the engine-neutral parts
 * (the bind-format walk, audit rows, store_do); common/store_pg.c is the
 * PostgreSQL engine, the only file that includes libpq's header. store.c
 * hands a call to store_pg.c when the store is PostgreSQL's. Only these two
 * files and white-box tests include this header.
 */
#ifndef MUNI_STORE_PRIV_H
#define MUNI_STORE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The statement table: each id's name and texts (STMT2's second text). */
struct store_sqltext {
	const char	*name;
	const char	*sql;
	const char	*pg_sql;	/* NULL: sql serves both */
};
extern const struct store_sqltext store_sql[STMT__COUNT];

struct pgstore;		/* a PostgreSQL connection and its statements */
struct pgcur;		/* one prepared statement, its parameters, rows */

/* Whether store_open's where names a PostgreSQL database, not a file. */
int		 pgstore_is_url(const char *where);

/*
 * Connect, check (and with STORE_CREATE or STORE_MIGRATE bring up) the
 * schema to store_schema_version(), prepare the statement table. *found
 * is the version found before any migration. NULL with *errstr set.
 */
struct pgstore	*pgstore_open(const char *where, int flags, int *found,
		    const char **errstr);
void		 pgstore_close(struct pgstore *);
/* The statement table's cursor for id (one per connection). */
struct pgcur	*pgstore_cur(struct pgstore *, enum store_stmt);
const char	*pgstore_errmsg(struct pgstore *);
/* Run sql (no parameters, no rows wanted): 0 or -1, logged as what. */
int		 pgstore_exec(struct pgstore *, const char *what,
		    const char *sql);
/* Whether a transaction block is open (possibly failed). */
int		 pgstore_in_tx(struct pgstore *);
/* The connection is gone and not yet back (store_lost). */
int		 pgstore_lost(struct pgstore *);
/* Try to connect again now, if lost: 0 connected, -1 not yet. */
int		 pgstore_retry(struct pgstore *);
int		 pgstore_busy_timeout(struct pgstore *, int ms);
/* LISTEN channel: the connection's socket, or -1. */
int		 pgstore_listen(struct pgstore *, const char *channel);
/* Notifications that came (consumed), or -1 when the connection failed. */
int		 pgstore_notified(struct pgstore *);
int64_t		 pgstore_changes(struct pgstore *);
int64_t		 pgstore_last_rowid(struct pgstore *);
struct pgcur	*pgstore_prepare(struct pgstore *, const char *sql,
		    size_t len, char *err, size_t errsize);

/* Forget the rows (reset) and, with clear, the parameters too. */
void		 pgcur_reset(struct pgcur *, int clear);
void		 pgcur_free(struct pgcur *);
/* Parameters from 1; 0 or -1 (an index past the statement's). */
int		 pgcur_bind_null(struct pgcur *, int idx);
int		 pgcur_bind_i64(struct pgcur *, int idx, int64_t);
int		 pgcur_bind_dbl(struct pgcur *, int idx, double);
/* len -1: up to the NUL. copy: the text may go before the step. */
int		 pgcur_bind_text(struct pgcur *, int idx, const char *,
		    size_t len, int copy);
int		 pgcur_bind_blob(struct pgcur *, int idx, const void *,
		    size_t len);
/* STORE_ROW, STORE_OK or a store code (logged as store_step says). */
int		 pgcur_step(struct pgcur *, const char *name);
int		 pgcur_isnull(struct pgcur *, int i);
const char	*pgcur_str(struct pgcur *, int i);
int64_t		 pgcur_i64(struct pgcur *, int i);
double		 pgcur_dbl(struct pgcur *, int i);
const void	*pgcur_blob(struct pgcur *, int i, size_t *len);

/*
 * Tests only: a statement of the table that PostgreSQL does not prepare
 * is logged and fails when stepped, instead of failing store_open (for a
 * tree whose PostgreSQL texts are still being written). Off when shipped.
 */
extern int	 pgstore_lenient;

#endif
