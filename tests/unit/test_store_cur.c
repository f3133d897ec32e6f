/*
 * test_store_cur: the store's cursor API on its own, through statements
 * the modules use (the audit log, API tokens, message parts) and SQL
 * prepared at run time where only SQLite's typeof() can show what a
 * bind sent. Every bind format, NULL both ways, the text and blob
 * columns, store_one_i64 with and without a row, and the store codes a
 * caller acts on: a duplicate, a NOT NULL or CHECK refusal, another
 * connection's write lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "log.h"
#include "store.h"
#include "testdb.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */
/* Past 2^32: an int64_t or time_t bind that went through an int shows. */
#define BIG	5000000000LL

static int
setup(void **state)
{
	const char	*errstr = NULL;

	log_set_level(LOG_LEVEL_FATAL);
	clock_set_fake(NOW);
	*state = test_store_open(&errstr);
	if (*state == NULL) {
		fprintf(stderr, "store_open: %s\n", errstr);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	clock_clear_fake();
	return 0;
}

/*
 * "SELECT typeof(?1), ?1" prepared at run time: what one bind sent, seen
 * by the database rather than by the store.
 */
static struct store_cur *
probe(struct store *s)
{
	static const char	 sql[] = "SELECT typeof(?1), ?1";
	struct store_cur	*c;
	char			 err[256];

	c = store_prepare(s, sql, sizeof(sql) - 1, err, sizeof(err));
	if (c == NULL)
		fail_msg("store_prepare: %s", err);
	return c;
}

/* The type name of the probe's one row; leaves the row current. */
static const char *
probe_type(struct store_cur *c)
{
	assert_int_equal(store_step(c), STORE_ROW);
	return store_str(c, 0);
}

static void
test_bind_types(void **state)
{
	struct store		*s = *state;
	struct store_cur	*c;
	static const char	 bytes[] = { 'a', '\0', 'b' };
	char			 buf[8];
	const void		*b;
	size_t			 len;

	/* typeof() is SQLite's; test_store_pg checks PostgreSQL's binds. */
	if (test_store_pg()) {
		printf("SKIP (sqlite only): test_bind_types reads typeof()\n");
		skip();
	}
	c = probe(s);

	assert_int_equal(store_bind(c, "i", -7), STORE_OK);
	assert_string_equal(probe_type(c), "integer");
	assert_int_equal(store_int(c, 1), -7);
	store_reset(c);

	assert_int_equal(store_bind(c, "I", (int64_t)BIG), STORE_OK);
	assert_string_equal(probe_type(c), "integer");
	assert_true(store_i64(c, 1) == BIG);
	store_reset(c);

	assert_int_equal(store_bind(c, "t", (time_t)BIG), STORE_OK);
	assert_string_equal(probe_type(c), "integer");
	assert_true(store_i64(c, 1) == BIG);
	store_reset(c);

	assert_int_equal(store_bind(c, "d", 1.25), STORE_OK);
	assert_string_equal(probe_type(c), "real");
	assert_true(store_dbl(c, 1) == 1.25);
	store_reset(c);

	assert_int_equal(store_bind(c, "s", "Jūrmala"), STORE_OK);
	assert_string_equal(probe_type(c), "text");
	assert_string_equal(store_str(c, 1), "Jūrmala");
	store_reset(c);

	/* s: NULL is NULL, "" is text; z: both are NULL. */
	assert_int_equal(store_bind(c, "s", NULL), STORE_OK);
	assert_string_equal(probe_type(c), "null");
	store_reset(c);
	assert_int_equal(store_bind(c, "s", ""), STORE_OK);
	assert_string_equal(probe_type(c), "text");
	store_reset(c);
	assert_int_equal(store_bind(c, "z", ""), STORE_OK);
	assert_string_equal(probe_type(c), "null");
	store_reset(c);
	assert_int_equal(store_bind(c, "z", NULL), STORE_OK);
	assert_string_equal(probe_type(c), "null");
	store_reset(c);
	assert_int_equal(store_bind(c, "z", "x"), STORE_OK);
	assert_string_equal(probe_type(c), "text");
	assert_string_equal(store_str(c, 1), "x");
	store_reset(c);

	/* c: the buffer may change before the step. */
	(void)snprintf(buf, sizeof(buf), "copied");
	assert_int_equal(store_bind(c, "c", buf), STORE_OK);
	memset(buf, 'X', sizeof(buf) - 1);
	assert_string_equal(probe_type(c), "text");
	assert_string_equal(store_str(c, 1), "copied");
	store_reset(c);

	/* b: bytes as they are, a NUL in the middle too. */
	assert_int_equal(store_bind(c, "b", bytes, sizeof(bytes)), STORE_OK);
	assert_string_equal(probe_type(c), "blob");
	b = store_blob(c, 1, &len);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(b, bytes, sizeof(bytes));
	store_reset(c);
	/* b: no bytes is NULL; store_bind_bytes: an empty blob. */
	assert_int_equal(store_bind(c, "b", bytes, (size_t)0), STORE_OK);
	assert_string_equal(probe_type(c), "null");
	store_reset(c);
	assert_int_equal(store_bind(c, "b", NULL, (size_t)3), STORE_OK);
	assert_string_equal(probe_type(c), "null");
	store_reset(c);
	assert_int_equal(store_bind_bytes(c, 1, NULL, 0), STORE_OK);
	assert_string_equal(probe_type(c), "blob");
	(void)store_blob(c, 1, &len);
	assert_int_equal(len, 0);
	store_reset(c);

	/* n, and what each column reader gives for NULL. */
	assert_int_equal(store_bind(c, "n"), STORE_OK);
	assert_string_equal(probe_type(c), "null");
	assert_true(store_isnull(c, 1));
	assert_false(store_isnull(c, 0));
	assert_string_equal(store_str(c, 1), "");
	assert_int_equal(store_int(c, 1), 0);
	assert_true(store_i64(c, 1) == 0);
	assert_true(store_dbl(c, 1) == 0.0);
	(void)snprintf(buf, sizeof(buf), "stale");
	store_text(c, 1, buf, sizeof(buf));
	assert_string_equal(buf, "");
	len = 99;
	assert_null(store_blob(c, 1, &len));
	assert_int_equal(len, 0);
	store_reset(c);

	/* '-' leaves a parameter as it was; store_bind_at starts at idx. */
	assert_int_equal(store_bind_at(c, 1, "s", "kept"), STORE_OK);
	assert_int_equal(store_bind(c, "-"), STORE_OK);
	assert_string_equal(probe_type(c), "text");
	assert_string_equal(store_str(c, 1), "kept");
	store_reset(c);
	store_cur_free(c);
}

/* The audit log's statements: binds and columns as the modules use them. */
static void
test_audit_roundtrip(void **state)
{
	struct store		*s = *state;
	struct store_cur	*c;
	char			 action[16], cut[4], cut5[5];
	int			 n;

	/* at past 2^32, a copied action overwritten before the step. */
	(void)snprintf(action, sizeof(action), "login");
	c = store_cur(s, ST_AUDIT_INSERT);
	assert_int_equal(store_bind(c, "Iscss", (int64_t)BIG, "anna", action,
	    "āāā", "unix:anna"), STORE_OK);
	(void)snprintf(action, sizeof(action), "garbage");
	assert_int_equal(store_run(c), STORE_OK);
	assert_true(store_changes(s) == 1);
	assert_true(store_last_rowid(s) == 1);
	assert_int_equal(store_do(s, ST_AUDIT_INSERT, "tssss", (time_t)NOW,
	    "jānis", "logout", "", ""), STORE_OK);

	/* ?1 actor, ?2 since, ?3 limit: at, actor, origin, action, detail. */
	c = store_cur(s, ST_AUDIT_LIST);
	assert_int_equal(store_bind(c, "sti", "anna", (time_t)0, 10),
	    STORE_OK);
	assert_int_equal(store_step(c), STORE_ROW);
	assert_true(store_i64(c, 0) == BIG);
	assert_string_equal(store_str(c, 1), "anna");
	assert_string_equal(store_str(c, 2), "unix:anna");
	assert_string_equal(store_str(c, 3), "login");
	assert_string_equal(store_str(c, 4), "āāā");
	/* Cut at a character: 3 bytes hold one ā, not one and a half. */
	store_text(c, 4, cut, sizeof(cut));
	assert_string_equal(cut, "ā");
	store_text(c, 4, cut5, sizeof(cut5));
	assert_string_equal(cut5, "āā");
	assert_int_equal(store_step(c), STORE_OK);
	store_reset(c);

	/* A NULL actor is everyone, through s, z and n alike. */
	c = store_cur(s, ST_AUDIT_LIST);
	assert_int_equal(store_bind(c, "sti", NULL, (time_t)0, 10), STORE_OK);
	for (n = 0; store_step(c) == STORE_ROW; n++)
		;
	assert_int_equal(n, 2);
	c = store_cur(s, ST_AUDIT_LIST);
	assert_int_equal(store_bind(c, "zti", "", (time_t)0, 10), STORE_OK);
	for (n = 0; store_step(c) == STORE_ROW; n++)
		;
	assert_int_equal(n, 2);
	/* n for ?1, the limit bound first and skipped with '-'. */
	c = store_cur(s, ST_AUDIT_LIST);
	assert_int_equal(store_bind_at(c, 3, "i", 1), STORE_OK);
	assert_int_equal(store_bind(c, "nt-", (time_t)0), STORE_OK);
	for (n = 0; store_step(c) == STORE_ROW; n++)
		;
	assert_int_equal(n, 1);
	/* store_cur clears the bindings: ?1 "anna" does not stay. */
	c = store_cur(s, ST_AUDIT_LIST);
	assert_int_equal(store_bind(c, "sti", "anna", (time_t)0, 10),
	    STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	c = store_cur(s, ST_AUDIT_LIST);
	assert_int_equal(store_bind(c, "-ti", (time_t)0, 10), STORE_OK);
	for (n = 0; store_step(c) == STORE_ROW; n++)
		;
	assert_int_equal(n, 2);
	store_reset(c);

	/* store_run steps to the end and resets: the rows are there again. */
	c = store_cur(s, ST_AUDIT_LIST);
	assert_int_equal(store_bind(c, "nti", (time_t)0, 10), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);
	assert_int_equal(store_step(c), STORE_ROW);
	store_reset(c);
}

static void
test_one_i64(void **state)
{
	struct store	*s = *state;
	int64_t		 n = -1;

	assert_int_equal(store_one_i64(s, ST_TOKEN_LIVE, &n, ""), STORE_ROW);
	assert_true(n == 0);
	assert_int_equal(store_do(s, ST_TOKEN_INSERT, "ssst", "billing",
	    "messages", "hash", (time_t)NOW), STORE_OK);
	assert_int_equal(store_one_i64(s, ST_TOKEN_LIVE, &n, ""), STORE_ROW);
	assert_true(n == 1);
	/* No row: *out as it was. */
	assert_int_equal(store_do(s, ST_AUDIT_INSERT, "tssss", (time_t)NOW,
	    "anna", "login", "", ""), STORE_OK);
	n = 42;
	assert_int_equal(store_one_i64(s, ST_AUDIT_LIST, &n, "sti", "anna",
	    (time_t)NOW + 1, 10), STORE_OK);
	assert_true(n == 42);
	assert_int_equal(store_one_i64(s, ST_AUDIT_LIST, &n, "sti", "anna",
	    (time_t)NOW, 10), STORE_ROW);
	assert_true(n == NOW);
	/* The statement was reset: the next call starts afresh. */
	assert_int_equal(store_one_i64(s, ST_AUDIT_LIST, &n, "sti", "anna",
	    (time_t)NOW, 10), STORE_ROW);
}

static void
test_codes(void **state)
{
	struct store	*s = *state;

	assert_int_equal(store_do(s, ST_TOKEN_INSERT, "ssst", "billing",
	    "messages", "hash", (time_t)NOW), STORE_OK);
	/* client is UNIQUE. */
	assert_int_equal(store_do(s, ST_TOKEN_INSERT, "ssst", "billing",
	    "broadcasts", "hash2", (time_t)NOW), STORE_EUNIQUE);
	/* scope has a CHECK. */
	assert_int_equal(store_do(s, ST_TOKEN_INSERT, "ssst", "crm",
	    "everything", "hash", (time_t)NOW), STORE_ECONSTRAINT);
	/* token_hash is NOT NULL. */
	assert_int_equal(store_do(s, ST_TOKEN_INSERT, "ssnt", "crm",
	    "messages", (time_t)NOW), STORE_ECONSTRAINT);
	/* The statement works again after its failures. */
	assert_int_equal(store_do(s, ST_TOKEN_INSERT, "ssst", "crm",
	    "messages", "hash", (time_t)NOW), STORE_OK);
	/* A NOT NULL blob: 'b' with no bytes is NULL and is refused. */
	assert_int_equal(store_do(s, ST_MO_PART_INSERT, "ssIiiibt",
	    "+37120000001", "1888", (int64_t)7, 2, 1, 0, "", (size_t)0,
	    (time_t)NOW), STORE_ECONSTRAINT);
}

/* A blob into mo_parts and back, with store_bind_bytes's empty one. */
static void
test_blob_roundtrip(void **state)
{
	struct store		*s = *state;
	struct store_cur	*c;
	static const unsigned char ud[] = { 0x00, 0xff, 0x1b, 0x00, 0x41 };
	const void		*b;
	size_t			 len;

	assert_int_equal(store_do(s, ST_MO_PART_INSERT, "ssIiiibt",
	    "+37120000001", "1888", (int64_t)7, 2, 1, 8, ud, sizeof(ud),
	    (time_t)NOW), STORE_OK);
	c = store_cur(s, ST_MO_PART_INSERT);
	assert_int_equal(store_bind(c, "ssIiii-t", "+37120000001", "1888",
	    (int64_t)7, 2, 2, 8, (time_t)NOW), STORE_OK);
	assert_int_equal(store_bind_bytes(c, 7, ud, 0), STORE_OK);
	assert_int_equal(store_run(c), STORE_OK);

	/* seq, data_coding, payload, received_at; by seq. */
	c = store_cur(s, ST_MO_PART_LOAD);
	assert_int_equal(store_bind(c, "ssIi", "+37120000001", "1888",
	    (int64_t)7, 2), STORE_OK);
	assert_int_equal(store_step(c), STORE_ROW);
	assert_int_equal(store_int(c, 0), 1);
	b = store_blob(c, 2, &len);
	assert_int_equal(len, sizeof(ud));
	assert_memory_equal(b, ud, sizeof(ud));
	assert_int_equal(store_step(c), STORE_ROW);
	assert_int_equal(store_int(c, 0), 2);
	assert_false(store_isnull(c, 2));
	(void)store_blob(c, 2, &len);
	assert_int_equal(len, 0);
	assert_int_equal(store_step(c), STORE_OK);
	store_reset(c);
}

static void
test_prepare(void **state)
{
	struct store		*s = *state;
	struct store_cur	*c;
	static const char	 bad[] = "SELEC 1";
	static const char	 good[] = "SELECT ?1 + 1; trailing";
	char			 err[128];

	err[0] = '\0';
	assert_null(store_prepare(s, bad, sizeof(bad) - 1, err, sizeof(err)));
	assert_non_null(strstr(err, "SELEC"));
	assert_non_null(strstr(err, "syntax error"));
	/* len bounds the text: what follows it is not compiled. */
	c = store_prepare(s, good, strlen("SELECT ?1 + 1"), err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(store_bind(c, "i", 41), STORE_OK);
	assert_int_equal(store_step(c), STORE_ROW);
	assert_int_equal(store_int(c, 0), 42);
	assert_int_equal(store_step(c), STORE_OK);
	store_cur_free(c);
	/* A table statement is never freed. */
	store_cur_free(store_cur(s, ST_TOKEN_LIVE));
	store_cur_free(NULL);
}

/* A file database, a second connection holding the write lock. */
static void
test_busy(void **state)
{
	struct store	*s1, *s2;
	const char	*errstr = NULL;
	char		 dir[64], path[128], p[160];
	static const char *const tails[] = { "", "-wal", "-shm" };
	size_t		 i;

	(void)state;
	(void)snprintf(dir, sizeof(dir), "%s/muni-cur.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/muni.db", dir);
	s1 = store_open(path, STORE_CREATE | STORE_MIGRATE, &errstr);
	assert_non_null(s1);
	s2 = store_open(path, 0, &errstr);
	assert_non_null(s2);

	assert_int_equal(store_begin(s2), 0);
	assert_int_equal(store_do(s2, ST_AUDIT_INSERT, "tssss", (time_t)NOW,
	    "anna", "login", "", ""), STORE_OK);
	/* No waiting: the answer, not the timeout, is under test. */
	assert_int_equal(store_busy_timeout(s1, 0), 0);
	assert_int_equal(store_do(s1, ST_AUDIT_INSERT, "tssss", (time_t)NOW,
	    "jānis", "login", "", ""), STORE_EBUSY);
	assert_int_equal(store_commit(s2), 0);
	assert_int_equal(store_do(s1, ST_AUDIT_INSERT, "tssss", (time_t)NOW,
	    "jānis", "login", "", ""), STORE_OK);

	store_close(s2);
	store_close(s1);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		(void)snprintf(p, sizeof(p), "%s%s", path, tails[i]);
		(void)unlink(p);
	}
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind_types, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_i64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_prepare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
