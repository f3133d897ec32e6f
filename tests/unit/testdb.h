/*
 * testdb: the database a unit test works on. Without MUNI_TEST_PG_URL it
 * is SQLite's ":memory:", as always; with it (tests/run.sh pg) a fresh,
 * empty schema on that PostgreSQL database, so the same test runs on both
 * engines (issue 19). White-box tests of SQLite itself (store_sqlite.h)
 * open ":memory:" directly and stay SQLite's.
 */
#ifndef MUNI_TESTDB_H
#define MUNI_TESTDB_H

struct store;

/*
 * A store at the current schema version on an empty database. On
 * PostgreSQL the schema is this process's own (u<pid>), dropped and made
 * again at each call, so a test starts from nothing as on ":memory:"; an
 * earlier store of the process must be closed first. NULL with *errstr
 * set (errstr may be NULL) when it cannot be made.
 */
struct store	*test_store_open(const char **errstr);

/* Whether the tests run on PostgreSQL (MUNI_TEST_PG_URL is set). */
int		 test_store_pg(void);

/*
 * For a test that is about SQLite itself or reads its database through
 * store_sqlite.h: on PostgreSQL, print "SKIP (sqlite only): why" (the
 * runner shows SKIP lines) and return 1, so main returns 0 at once.
 */
int		 test_sqlite_only(const char *why);

#endif
