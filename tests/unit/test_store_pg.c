/*
 * test_store_pg: the PostgreSQL store behind store.h (issue 19), against a
 * real server: the one at MUNI_TEST_PG_URL (tests/run.sh starts it), else
 * a throwaway cluster this test starts itself with tests/pg.sh, so it is
 * never skipped. Each test works in a schema of its own (search_path in the
 * URL), so one database serves them all.
 *
 * Covered: every bind format, NULL both ways, blobs, booleans, ?N in
 * literals, store codes from SQLSTATE (unique, constraint, EBUSY from a
 * lock another connection holds), nested transactions and savepoints (a
 * failed statement undone alone, as on SQLite), changes and last rowid,
 * the schema version (empty, older, newer, foreign), bad URLs, a password
 * in the URL and the password file's mode, every statement of the table
 * prepared at open. libpq is used directly to look
 * behind the store's back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "log.h"
#include "store.h"
#include "store_priv.h"

static char	 base_url[1024];	/* the database, no search_path */
static char	 own_dir[128];		/* our own cluster's, or "" */

struct fx {
	char		 schema[32];
	char		 url[1200];
	PGconn		*conn;		/* behind the store's back */
	struct store	*s;
};

static const char *
top(void)
{
	const char	*t = getenv("MUNI_TOP");

	return t != NULL ? t : ".";
}

/* A cluster of our own when the runner gave none. */
static int
cluster_start(void)
{
	const char	*env = getenv("MUNI_TEST_PG_URL");
	char		 cmd[512];
	FILE		*fp;
	size_t		 n;

	if (env != NULL && env[0] != '\0') {
		(void)snprintf(base_url, sizeof(base_url), "%s", env);
		return 0;
	}
	(void)snprintf(own_dir, sizeof(own_dir), "%s/muni-pg.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(own_dir) == NULL)
		return -1;
	/* pg.sh gives the directory to the server's user (as root). */
	(void)snprintf(cmd, sizeof(cmd), "sh %s/tests/pg.sh start %s && "
	    "sh %s/tests/pg.sh createdb %s test", top(), own_dir, top(),
	    own_dir);
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(base_url, 1, sizeof(base_url) - 1, fp);
	base_url[n] = '\0';
	base_url[strcspn(base_url, "\n")] = '\0';
	if (pclose(fp) != 0 || base_url[0] == '\0') {
		fprintf(stderr, "test_store_pg: cannot start PostgreSQL\n");
		return -1;
	}
	return 0;
}

static void
cluster_stop(void)
{
	char	 cmd[512];

	if (own_dir[0] == '\0')
		return;
	(void)snprintf(cmd, sizeof(cmd), "sh %s/tests/pg.sh stop %s", top(),
	    own_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_store_pg: %s failed\n", cmd);
}

static void
pq_exec(PGconn *conn, const char *sql)
{
	PGresult	*r = PQexec(conn, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

static long long
pq_int(PGconn *conn, const char *sql)
{
	PGresult	*r = PQexec(conn, sql);
	long long	 v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* A fresh schema for this test, and the URL whose search_path is it. */
static int
setup(void **state)
{
	static int	 n;
	struct fx	*fx = calloc(1, sizeof(*fx));
	char		 sql[128];

	if (fx == NULL)
		return -1;
	(void)snprintf(fx->schema, sizeof(fx->schema), "t%d_%d",
	    (int)getpid(), n++);
	(void)snprintf(fx->url, sizeof(fx->url),
	    "%s%coptions=-csearch_path%%3D%s", base_url,
	    strchr(base_url, '?') != NULL ? '&' : '?', fx->schema);
	fx->conn = PQconnectdb(base_url);
	if (PQstatus(fx->conn) != CONNECTION_OK) {
		fprintf(stderr, "%s", PQerrorMessage(fx->conn));
		return -1;
	}
	pq_exec(fx->conn, "SET client_min_messages = warning");
	(void)snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", fx->schema);
	pq_exec(fx->conn, sql);
	(void)snprintf(sql, sizeof(sql), "SET search_path = %s", fx->schema);
	pq_exec(fx->conn, sql);
	store_password_file(NULL);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		 sql[128];

	store_close(fx->s);
	(void)snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE",
	    fx->schema);
	pq_exec(fx->conn, sql);
	PQfinish(fx->conn);
	free(fx);
	return 0;
}

static struct store *
open_ok(struct fx *fx, int flags)
{
	const char	*err = NULL;
	struct store	*s = store_open(fx->url, flags, &err);

	if (s == NULL)
		fail_msg("store_open: %s", err);
	return s;
}

/* A built statement, failing the test when it does not compile. */
static struct store_cur *
prep(struct store *s, const char *sql)
{
	struct store_cur	*c;
	char			 err[256];

	if ((c = store_prepare(s, sql, strlen(sql), err, sizeof(err))) ==
	    NULL)
		fail_msg("%s: %s", sql, err);
	return c;
}

static void
run(struct store *s, const char *sql)
{
	struct store_cur	*c = prep(s, sql);

	assert_int_equal(store_run(c), STORE_OK);
	store_cur_free(c);
}

static void
test_create_and_version(void **state)
{
	struct fx	*fx = *state;
	const char	*err = NULL;

	/* Empty, not asked to create: refused, nothing written. */
	assert_null(store_open(fx->url, 0, &err));
	assert_non_null(strstr(err, "munictl init"));
	assert_int_equal(pq_int(fx->conn, "SELECT count(*) FROM pg_tables"
	    " WHERE schemaname = current_schema()"), 0);

	fx->s = open_ok(fx, STORE_CREATE);
	assert_int_equal(store_dialect(fx->s), STORE_POSTGRES);
	assert_int_equal(store_version_found(fx->s), 0);
	assert_int_equal(pq_int(fx->conn, "SELECT version FROM muni_meta"),
	    store_schema_version());
	assert_int_equal(pq_int(fx->conn, "SELECT app_id FROM muni_meta"),
	    STORE_APP_ID);
	store_close(fx->s);
	fx->s = open_ok(fx, 0);
	assert_int_equal(store_version_found(fx->s), store_schema_version());
	store_close(fx->s);
	fx->s = NULL;

	/* Newer: refused, with or without leave to migrate. */
	pq_exec(fx->conn, "UPDATE muni_meta SET version = version + 1");
	assert_null(store_open(fx->url, STORE_MIGRATE, &err));
	assert_non_null(strstr(err, "newer"));
	/* Older: refused unless asked to migrate. */
	pq_exec(fx->conn, "UPDATE muni_meta SET version = version - 2");
	assert_null(store_open(fx->url, 0, &err));
	assert_non_null(strstr(err, "older"));
	/* Someone else's: a muni_meta with a foreign app_id. */
	pq_exec(fx->conn, "UPDATE muni_meta SET app_id = 42, version = "
	    "version + 1");
	assert_null(store_open(fx->url, STORE_CREATE, &err));
	assert_non_null(strstr(err, "not a muni database"));
}

/*
 * A statement that does not prepare stops store_open, named, with
 * PostgreSQL's reason: here a table a statement needs is gone.
 */
static void
test_bad_statement(void **state)
{
	struct fx	*fx = *state;
	const char	*err = NULL;

	fx->s = open_ok(fx, STORE_CREATE);
	store_close(fx->s);
	fx->s = NULL;
	pq_exec(fx->conn, "DROP TABLE audit_log");
	assert_null(store_open(fx->url, 0, &err));
	assert_non_null(strstr(err, "ST_AUDIT_"));
	assert_non_null(strstr(err, "audit_log"));
	assert_non_null(strstr(err, "does not exist"));
}

static void
test_foreign_tables(void **state)
{
	struct fx	*fx = *state;
	const char	*err = NULL;

	pq_exec(fx->conn, "CREATE TABLE payroll (id int)");
	assert_null(store_open(fx->url, STORE_CREATE, &err));
	assert_non_null(strstr(err, "not a muni database"));
	assert_int_equal(pq_int(fx->conn, "SELECT count(*) FROM pg_tables"
	    " WHERE schemaname = current_schema()"), 1);
}

static void
test_bind_formats(void **state)
{
	struct fx		*fx = *state;
	struct store_cur	*c;
	const unsigned char	 blob[] = { 0, 1, 0xff, '\\', 'x', 0 };
	char			 copied[16] = "copied";
	const void		*b;
	size_t			 len;

	fx->s = open_ok(fx, STORE_CREATE);
	c = prep(fx->s, "SELECT CAST(?1 AS integer), CAST(?2 AS bigint),"
	    " CAST(?3 AS bigint), CAST(?4 AS double precision),"
	    " CAST(?5 AS text), CAST(?6 AS text), CAST(?7 AS text),"
	    " CAST(?8 AS bytea), CAST(?9 AS text), CAST(?10 AS text),"
	    " '?1 stays', 1 = 1, 1 = 0");
	assert_int_equal(store_bind(c, "iItdszcbn", -7,
	    (int64_t)9007199254740993LL, (time_t)1765000000, 2.5, "teksts",
	    "ā", copied, blob, sizeof(blob)), STORE_OK);
	/* The copy is the store's: the buffer may change before the step. */
	(void)snprintf(copied, sizeof(copied), "changed");
	assert_int_equal(store_bind_at(c, 10, "-"), STORE_OK);
	assert_int_equal(store_step(c), STORE_ROW);
	assert_int_equal(store_int(c, 0), -7);
	assert_true(store_i64(c, 1) == 9007199254740993LL);
	assert_true(store_i64(c, 2) == 1765000000);
	assert_true(store_dbl(c, 3) == 2.5);
	assert_string_equal(store_str(c, 4), "teksts");
	assert_string_equal(store_str(c, 5), "ā");
	assert_string_equal(store_str(c, 6), "copied");
	b = store_blob(c, 7, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(b, blob, sizeof(blob));
	/* NULL bound, NULL read: 'n', and '-' left the parameter unbound. */
	assert_true(store_isnull(c, 8));
	assert_string_equal(store_str(c, 8), "");
	assert_true(store_isnull(c, 9));
	/* ?1 inside a literal is text, not a parameter. */
	assert_string_equal(store_str(c, 10), "?1 stays");
	/* Booleans read as SQLite's 1 and 0. */
	assert_int_equal(store_int(c, 11), 1);
	assert_int_equal(store_int(c, 12), 0);
	assert_string_equal(store_str(c, 11), "1");
	assert_false(store_isnull(c, 11));
	assert_int_equal(store_step(c), STORE_OK);
	store_cur_free(c);

	/* NULL the other ways: s NULL, z "", b NULL; read as blob too. */
	c = store_cur(fx->s, ST_AUDIT_INSERT);
	store_cur_free(c);	/* a table cursor: a no-op */
	c = prep(fx->s, "SELECT CAST(?1 AS text), CAST(?2 AS text),"
	    " CAST(?3 AS bytea), CAST(?4 AS bytea)");
	assert_int_equal(store_bind(c, "szb", NULL, "", NULL, (size_t)0),
	    STORE_OK);
	assert_int_equal(store_bind_bytes(c, 4, "", 0), STORE_OK);
	assert_int_equal(store_step(c), STORE_ROW);
	assert_true(store_isnull(c, 0));
	assert_true(store_isnull(c, 1));
	assert_true(store_isnull(c, 2));
	assert_null(store_blob(c, 2, &len));
	assert_int_equal(len, 0);
	/* store_bind_bytes: an empty blob, never NULL. */
	assert_false(store_isnull(c, 3));
	(void)store_blob(c, 3, &len);
	assert_int_equal(len, 0);
	store_reset(c);

	/* Counted text, and the text read back cut at a character. */
	assert_int_equal(store_bind_textn(c, 1, "Rīgaxxx", 5), STORE_OK);
	assert_int_equal(store_step(c), STORE_ROW);
	assert_string_equal(store_str(c, 0), "Rīga");
	{
		char	 buf[3];

		store_text(c, 0, buf, sizeof(buf));
		assert_string_equal(buf, "R");
	}
	store_cur_free(c);
}

static void
test_rows_and_changes(void **state)
{
	struct fx		*fx = *state;
	struct store_cur	*c;
	int64_t			 n = -1, id;
	int			 rows = 0;

	fx->s = open_ok(fx, STORE_CREATE);
	clock_set_fake(1765000000);
	assert_int_equal(store_audit(fx->s, "anna", "test.one", "a"), 0);
	id = store_last_rowid(fx->s);
	assert_true(id > 0);
	assert_true(id == pq_int(fx->conn, "SELECT max(id) FROM audit_log"));
	assert_int_equal(store_audit(fx->s, "anna", "test.one", "b"), 0);
	assert_true(store_last_rowid(fx->s) == id + 1);
	assert_int_equal(store_changes(fx->s), 1);
	assert_true(store_audit_count(fx->s, "anna", "test.one",
	    1765000000 - 1) == 2);
	/* Inside a transaction (the INSERT under its own savepoint) too. */
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_audit(fx->s, "anna", "test.two", "c"), 0);
	assert_int_equal(store_changes(fx->s), 1);
	assert_true(store_last_rowid(fx->s) == id + 2);
	assert_int_equal(store_commit(fx->s), 0);
	run(fx->s, "DELETE FROM audit_log WHERE action = 'test.two'");
	assert_int_equal(store_changes(fx->s), 1);

	/* Several rows, one by one; a cursor stepped while another runs. */
	c = prep(fx->s, "SELECT detail FROM audit_log ORDER BY id");
	while (store_step(c) == STORE_ROW) {
		rows++;
		assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n,
		    "sst", "anna", "test.one", (time_t)0), STORE_ROW);
		assert_true(n == 2);
	}
	assert_int_equal(rows, 2);
	store_cur_free(c);

	run(fx->s, "UPDATE audit_log SET detail = 'x'");
	assert_int_equal(store_changes(fx->s), 2);
	/* A SELECT leaves the count alone, as on SQLite. */
	assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n, "sst",
	    "anna", "test.one", (time_t)0), STORE_ROW);
	assert_int_equal(store_changes(fx->s), 2);
	/* A count of nothing is a row of 0. */
	n = 77;
	assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n, "sst",
	    "anna", "test.one", (time_t)1765000000), STORE_ROW);
	assert_true(n == 0);
}

static void
test_codes(void **state)
{
	struct fx		*fx = *state;
	struct store_cur	*c;
	char			 err[256];

	fx->s = open_ok(fx, STORE_CREATE);
	run(fx->s, "CREATE TABLE t (k bigint PRIMARY KEY, v bigint NOT NULL"
	    " CHECK (v > 0), u text UNIQUE)");
	c = prep(fx->s, "INSERT INTO t (k, v, u) VALUES (?1, ?2, ?3)");
	assert_int_equal(store_bind(c, "iis", 1, 1, "a"), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_bind(c, "iis", 1, 1, "b"), STORE_OK);
	assert_int_equal(store_run(c), STORE_EUNIQUE);
	assert_non_null(strstr(store_errmsg(fx->s), "duplicate key"));
	assert_int_equal(store_bind(c, "iis", 2, 1, "a"), STORE_OK);
	assert_int_equal(store_run(c), STORE_EUNIQUE);
	assert_int_equal(store_bind(c, "iis", 3, 0, "c"), STORE_OK);
	assert_int_equal(store_run(c), STORE_ECONSTRAINT);
	assert_int_equal(store_bind(c, "ins", 4, "d"), STORE_OK);
	assert_int_equal(store_run(c), STORE_ECONSTRAINT);
	/* Anything else: STORE_ERROR, PostgreSQL's words. */
	assert_int_equal(store_bind(c, "ics", 5, "five", "e"), STORE_OK);
	assert_int_equal(store_run(c), STORE_ERROR);
	assert_non_null(strstr(store_errmsg(fx->s), "five"));
	store_cur_free(c);

	/* SQL that does not compile: NULL, PostgreSQL's message. */
	assert_null(store_prepare(fx->s, "SELEC 1", 7, err, sizeof(err)));
	assert_non_null(strstr(err, "syntax error"));
	assert_int_equal(store_abort(fx->s, err, sizeof(err)), -1);
}

static void
test_busy(void **state)
{
	struct fx		*fx = *state;
	struct store		*other;
	struct store_cur	*c;

	fx->s = open_ok(fx, STORE_CREATE);
	other = open_ok(fx, 0);
	run(fx->s, "CREATE TABLE t (k bigint PRIMARY KEY, v bigint)");
	run(fx->s, "INSERT INTO t (k, v) VALUES (1, 1)");

	/* The other connection holds the row's lock, uncommitted. */
	assert_int_equal(store_begin(other), 0);
	run(other, "UPDATE t SET v = 2 WHERE k = 1");
	assert_int_equal(store_busy_timeout(fx->s, 50), 0);
	c = prep(fx->s, "UPDATE t SET v = 3 WHERE k = 1");
	assert_int_equal(store_run(c), STORE_EBUSY);
	assert_non_null(strstr(store_errmsg(fx->s), "lock"));
	/* Inside a transaction too, and the transaction is then undone. */
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_run(c), STORE_EBUSY);
	store_rollback(fx->s);
	assert_int_equal(store_commit(other), 0);
	assert_int_equal(store_run(c), STORE_OK);
	store_cur_free(c);
	store_close(other);
	assert_int_equal(pq_int(fx->conn, "SELECT v FROM t"), 3);
}

static void
test_transactions(void **state)
{
	struct fx		*fx = *state;
	struct store_cur	*c;

	fx->s = open_ok(fx, STORE_CREATE);
	run(fx->s, "CREATE TABLE t (k bigint PRIMARY KEY)");
	c = prep(fx->s, "INSERT INTO t (k) VALUES (?1)");

	/* Nested: the inner commit does nothing, the rollback undoes all. */
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 1), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_commit(fx->s), 0);
	store_rollback(fx->s);
	assert_int_equal(pq_int(fx->conn, "SELECT count(*) FROM t"), 0);

	/* Nested commits: the outer one writes. */
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 1), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_commit(fx->s), 0);
	assert_int_equal(pq_int(fx->conn, "SELECT count(*) FROM t"), 0);
	assert_int_equal(store_commit(fx->s), 0);
	assert_int_equal(pq_int(fx->conn, "SELECT count(*) FROM t"), 1);
	assert_int_equal(store_commit(fx->s), -1);

	/*
	 * Savepoints: a unit undone alone, and a unit whose statement
	 * failed (which aborts a PostgreSQL transaction) undone without
	 * losing the work before it.
	 */
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 2), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_savepoint(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 3), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_savepoint_end(fx->s, 0), 0);
	assert_int_equal(store_savepoint(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 1), STORE_OK);
	assert_int_equal(store_run(c), STORE_EUNIQUE);
	assert_int_equal(store_savepoint_end(fx->s, 0), 0);
	assert_int_equal(store_savepoint(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 4), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_savepoint_end(fx->s, 1), 0);
	assert_int_equal(store_commit(fx->s), 0);
	assert_int_equal(pq_int(fx->conn, "SELECT sum(k) FROM t"), 1 + 2 + 4);

	/*
	 * An INSERT that a UNIQUE refuses undoes itself alone, as on
	 * SQLite: the caller reads on ("who has it?") and commits.
	 */
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 5), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_bind(c, "i", 1), STORE_OK);
	assert_int_equal(store_run(c), STORE_EUNIQUE);
	run(fx->s, "UPDATE t SET k = 50 WHERE k = 5");
	assert_int_equal(store_commit(fx->s), 0);
	assert_int_equal(pq_int(fx->conn, "SELECT count(*) FROM t WHERE"
	    " k = 50"), 1);

	/* Another failed statement ends the transaction: no commit. */
	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_bind(c, "i", 6), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	{
		struct store_cur	*u = prep(fx->s,
		    "UPDATE t SET k = 1 WHERE k = 2");

		assert_int_equal(store_run(u), STORE_EUNIQUE);
		store_cur_free(u);
	}
	assert_int_equal(store_commit(fx->s), -1);
	assert_int_equal(pq_int(fx->conn, "SELECT count(*) FROM t WHERE"
	    " k = 6"), 0);
	/* ... and the store is usable after it. */
	assert_int_equal(store_savepoint(fx->s), -1);
	assert_int_equal(store_bind(c, "i", 7), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	store_cur_free(c);
}

/* The store's server process, ended as a restart or a failover would. */
static void
kill_backend(struct fx *fx, struct store *s)
{
	struct store_cur	*c = prep(s, "SELECT pg_backend_pid()");
	char			 sql[96];

	assert_int_equal(store_step(c), STORE_ROW);
	(void)snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)",
	    (long long)store_i64(c, 0));
	store_cur_free(c);
	pq_exec(fx->conn, sql);
}

/*
 * A lost connection is STORE_EIO (callers try later); the store connects
 * again, at most once a second, but never inside the caller's transaction
 * (what followed would run outside it): its rollback comes first.
 */
static void
test_reconnect(void **state)
{
	struct fx	*fx = *state;
	int64_t		 n;

	fx->s = open_ok(fx, STORE_CREATE);
	clock_set_fake(1765000000);
	assert_int_equal(store_audit(fx->s, "anna", "test.one", "a"), 0);

	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_audit(fx->s, "anna", "test.one", "b"), 0);
	kill_backend(fx, fx->s);
	assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n, "sst",
	    "anna", "test.one", (time_t)0), STORE_EIO);
	assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n, "sst",
	    "anna", "test.one", (time_t)0), STORE_EIO);
	assert_non_null(strstr(store_errmsg(fx->s), "in a transaction"));
	store_rollback(fx->s);
	n = -1;
	assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n, "sst",
	    "anna", "test.one", (time_t)0), STORE_ROW);
	/* The uncommitted row went with the connection. */
	assert_true(n == 1);

	/* Outside a transaction; not again within the second. */
	kill_backend(fx, fx->s);
	assert_int_equal(store_audit(fx->s, "anna", "test.one", "c"), -1);
	assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n, "sst",
	    "anna", "test.one", (time_t)0), STORE_EIO);
	clock_advance_ms(1001);
	assert_int_equal(store_audit(fx->s, "anna", "test.one", "d"), 0);
	assert_int_equal(store_one_i64(fx->s, ST_AUDIT_COUNT, &n, "sst",
	    "anna", "test.one", (time_t)0), STORE_ROW);
	assert_true(n == 2);
	clock_clear_fake();
}

static void
test_urls(void **state)
{
	struct fx	*fx = *state;
	const char	*err = NULL;

	/* A bad URL: libpq's reason. */
	assert_null(store_open("postgresql:///x?nosuch=1", 0, &err));
	assert_non_null(strstr(err, "database url"));
	assert_non_null(strstr(err, "nosuch"));
	/* A password in it: refused, and never repeated. */
	assert_null(store_open("postgresql://muni:s3cret@localhost/x", 0,
	    &err));
	assert_non_null(strstr(err, "password_file"));
	assert_null(strstr(err, "s3cret"));
	assert_null(store_open("host=/nonexistent dbname=x password=s3cret",
	    0, &err));
	assert_null(strstr(err, "s3cret"));
	/* ... nor the passphrase of a client key. */
	assert_null(store_open("host=/nonexistent dbname=x sslpassword=s3cret",
	    0, &err));
	assert_non_null(strstr(err, "password_file"));
	/* key=value words are PostgreSQL's too; a server not there. */
	assert_null(store_open("host=/nonexistent dbname=x", 0, &err));
	assert_non_null(strstr(err, "cannot connect"));
	assert_null(store_open("postgres://localhost:1/x?connect_timeout=2",
	    0, &err));
	assert_non_null(strstr(err, "cannot connect"));
	(void)fx;
}

static void
test_password_file(void **state)
{
	struct fx	*fx = *state;
	const char	*err = NULL;
	char		 path[128];
	FILE		*fp;

	(void)snprintf(path, sizeof(path), "%s/muni-pgpw.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_true(mkstemp(path) != -1);
	assert_non_null(fp = fopen(path, "w"));
	fputs("hunter2\n", fp);
	fclose(fp);
	store_password_file(path);
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(store_open(fx->url, STORE_CREATE, &err));
	assert_non_null(strstr(err, "chmod 600"));
	assert_null(strstr(err, "hunter2"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_null(store_open(fx->url, STORE_CREATE, &err));
	/* Its owner's alone: read and sent (trust ignores it). */
	assert_int_equal(chmod(path, 0600), 0);
	fx->s = open_ok(fx, STORE_CREATE);
	store_password_file(NULL);
	(void)unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_foreign_tables, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_statement, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bind_formats, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rows_and_changes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_file, setup,
		    teardown),
	};
	int	 rc;

	log_init("test_store_pg", 0);
	log_set_level(LOG_LEVEL_FATAL);
	/* As shipped: every statement of the table prepares at open. */
	pgstore_lenient = 0;
	if (cluster_start() == -1)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cluster_stop();
	return rc;
}
