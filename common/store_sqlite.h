/*
 * store_sqlite: the SQLite store's own handles. Only common/store.c and
 * white-box tests (which look into the file) include this; the domain goes
 * through store.h, and tests/integration/walls.sh holds it to that.
 */
#ifndef MUNI_STORE_SQLITE_H
#define MUNI_STORE_SQLITE_H

#include <stddef.h>

#include "store.h"

struct sqlite3;
struct sqlite3_stmt;

/* The connection itself. */
struct sqlite3	*store_db(struct store *);

/*
 * The prepared statement id, reset and with its bindings cleared, ready for
 * the caller to bind and step.
 */
struct sqlite3_stmt *store_stmt(struct store *, enum store_stmt);

/*
 * Step a statement that returns no rows (or whose rows are ignored). On
 * failure logs the statement's name and the SQLite error and returns -1.
 */
int	 store_exec(struct store *, enum store_stmt);

/*
 * Column i of the current row as text into buf ("" for NULL), cut at a
 * UTF-8 character boundary when it does not fit.
 */
void	 store_col_text(struct sqlite3_stmt *, int i, char *buf, size_t size);

#endif
