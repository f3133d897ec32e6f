/*
 * test_backup: munictl backup and restore's module on real files in a
 * mkdtemp() directory — a copy is one snapshot (a writer's open
 * transaction neither blocks it nor gets into it), takes several steps,
 * is a single checked file of mode 0600; existing files are kept unless
 * forced; foreign, damaged and newer files are refused; a restore refuses
 * while another connection is open, keeps what it replaces, and leaves no
 * temporary file behind on any path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backup.h"
#include "clock.h"
#include "log.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"

struct fx {
	char	 dir[64];
	char	 db[128];
	char	 copy[128];
};

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	(void)snprintf(fx->dir, sizeof(fx->dir), "%s/muni-backup.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	(void)snprintf(fx->db, sizeof(fx->db), "%s/muni.db", fx->dir);
	(void)snprintf(fx->copy, sizeof(fx->copy), "%s/copy.db", fx->dir);
	log_set_level(LOG_LEVEL_WARN);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	struct dirent	*e;
	DIR		*d;
	char		 p[400];

	if ((d = opendir(fx->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			(void)snprintf(p, sizeof(p), "%s/%s", fx->dir,
			    e->d_name);
			(void)unlink(p);
		}
		closedir(d);
	}
	if (rmdir(fx->dir) == -1)
		return -1;
	free(fx);
	return 0;
}

/* Files in the directory whose name contains part. */
static int
files_with(struct fx *fx, const char *part)
{
	struct dirent	*e;
	DIR		*d = opendir(fx->dir);
	int		 n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, part) != NULL)
			n++;
	closedir(d);
	return n;
}

/* A muni database at path with n rows of 1 KB in a test table. */
static struct store *
make_db(const char *path, int n)
{
	struct store	*s;
	const char	*errstr = NULL;
	char		 sql[200];

	s = store_open(path, STORE_CREATE, &errstr);
	if (s == NULL)
		fail_msg("%s", errstr);
	tl_exec(s, "CREATE TABLE IF NOT EXISTS t (x BLOB)");
	(void)snprintf(sql, sizeof(sql), "WITH RECURSIVE c(i) AS (SELECT 1"
	    " UNION ALL SELECT i + 1 FROM c WHERE i < %d)"
	    " INSERT INTO t SELECT randomblob(1000) FROM c", n);
	tl_exec(s, sql);
	return s;
}

/* One number from a file, on a connection of its own. */
static long long
file_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_backup_is_one_snapshot(void **state)
{
	struct fx	*fx = *state;
	struct backup_info bi;
	struct store	*s = make_db(fx->db, 3000);
	struct stat	 st;
	const char	*errstr = NULL;
	char		 wal[200];

	/* A writer in the middle of a transaction, as the gateway is. */
	assert_int_equal(store_begin(s), 0);
	tl_exec(s, "INSERT INTO t SELECT randomblob(1000) FROM t LIMIT 500");
	if (backup_take(fx->db, fx->copy, 0, &bi, &errstr) == -1)
		fail_msg("%s", errstr);
	assert_int_equal(store_commit(s), 0);
	/* What was committed before, not what came after. */
	assert_int_equal(file_int(fx->copy, "SELECT count(*) FROM t"), 3000);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM t"), 3500);
	assert_int_equal(bi.schema, store_schema_version());
	assert_true(bi.pages > 3 * 256);
	assert_true(bi.steps > 3);	/* in steps, not one long read */
	assert_int_equal(bi.page_size, 4096);
	/* One file, muni's, private, no -wal and no temporary beside it. */
	assert_int_equal(file_int(fx->copy, "PRAGMA application_id"),
	    STORE_APP_ID);
	assert_int_equal(stat(fx->copy, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, bi.pages * bi.page_size);
	(void)snprintf(wal, sizeof(wal), "%s-wal", fx->copy);
	assert_int_equal(access(wal, F_OK), -1);
	assert_int_equal(files_with(fx, ".tmp-"), 0);
	store_close(s);
}

static void
test_backup_keeps_existing(void **state)
{
	struct fx	*fx = *state;
	struct backup_info bi;
	struct store	*s = make_db(fx->db, 10);
	const char	*errstr = NULL;
	FILE		*fp;
	char		 buf[16] = "";

	fp = fopen(fx->copy, "w");
	assert_non_null(fp);
	fputs("precious", fp);
	fclose(fp);
	assert_int_equal(backup_take(fx->db, fx->copy, 0, &bi, &errstr), -1);
	assert_non_null(strstr(errstr, "--force"));
	assert_non_null(strstr(errstr, fx->copy));
	fp = fopen(fx->copy, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "precious");
	assert_int_equal(files_with(fx, ".tmp-"), 0);

	if (backup_take(fx->db, fx->copy, BACKUP_FORCE, &bi, &errstr) == -1)
		fail_msg("%s", errstr);
	assert_int_equal(file_int(fx->copy, "SELECT count(*) FROM t"), 10);
	store_close(s);
}

static void
test_backup_refuses_foreign(void **state)
{
	struct fx	*fx = *state;
	struct backup_info bi;
	const char	*errstr = NULL;
	sqlite3		*db;

	/* Missing: refused, and SQLite must not have made an empty one. */
	assert_int_equal(backup_take(fx->db, fx->copy, 0, &bi, &errstr), -1);
	assert_non_null(strstr(errstr, fx->db));
	assert_int_equal(access(fx->db, F_OK), -1);
	/* Someone else's SQLite file. */
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 42;"
	    "CREATE TABLE x (y)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(backup_take(fx->db, fx->copy, 0, &bi, &errstr), -1);
	assert_non_null(strstr(errstr, "not a muni database"));
	assert_int_equal(access(fx->copy, F_OK), -1);
	assert_int_equal(files_with(fx, ".tmp-"), 0);
}

static void
test_check_refuses(void **state)
{
	struct fx	*fx = *state;
	struct backup_info bi;
	struct store	*s = make_db(fx->db, 2000);
	const char	*errstr = NULL;
	sqlite3		*db;
	char		 junk[4096];
	int		 fd;

	store_close(s);
	assert_int_equal(backup_take(fx->db, fx->copy, 0, &bi, &errstr), 0);
	assert_int_equal(backup_check(fx->copy, &bi, &errstr), 0);
	assert_int_equal(bi.schema, store_schema_version());

	/* A newer muni's file. */
	assert_int_equal(sqlite3_open(fx->copy, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(backup_check(fx->copy, &bi, &errstr), -1);
	assert_non_null(strstr(errstr, "newer"));

	/* A damaged one: pages in the middle overwritten. */
	assert_int_equal(backup_take(fx->db, fx->copy, BACKUP_FORCE, &bi,
	    &errstr), 0);
	memset(junk, 0x5a, sizeof(junk));
	fd = open(fx->copy, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096 * 40),
	    (ssize_t)sizeof(junk));
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096 * 41),
	    (ssize_t)sizeof(junk));
	close(fd);
	assert_int_equal(backup_check(fx->copy, &bi, &errstr), -1);
	assert_non_null(strstr(errstr, fx->copy));

	/* Not a database at all, and nothing there. */
	fd = open(fx->copy, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, 100), 100);
	close(fd);
	assert_int_equal(backup_check(fx->copy, &bi, &errstr), -1);
	assert_int_equal(unlink(fx->copy), 0);
	assert_int_equal(backup_check(fx->copy, &bi, &errstr), -1);
	assert_int_equal(access(fx->copy, F_OK), -1);
}

static void
test_restore(void **state)
{
	struct fx	*fx = *state;
	struct backup_info bi;
	struct store	*s = make_db(fx->db, 100);
	const char	*errstr = NULL;
	char		 saved[300];

	assert_int_equal(backup_take(fx->db, fx->copy, 0, &bi, &errstr), 0);
	tl_exec(s, "INSERT INTO t SELECT randomblob(10) FROM t LIMIT 7");

	/* Refused while the store is open, and nothing changed. */
	assert_int_equal(backup_restore(fx->copy, fx->db, &bi, saved,
	    sizeof(saved), &errstr), -1);
	assert_non_null(strstr(errstr, "in use"));
	assert_string_equal(saved, "");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM t"), 107);
	assert_int_equal(files_with(fx, ".bak-"), 0);
	store_close(s);

	clock_set_fake(1764331200);
	if (backup_restore(fx->copy, fx->db, &bi, saved, sizeof(saved),
	    &errstr) == -1)
		fail_msg("%s", errstr);
	assert_int_equal(bi.schema, store_schema_version());
	assert_int_equal(file_int(fx->db, "SELECT count(*) FROM t"), 100);
	/* What it replaced, whole, beside it. */
	assert_int_equal(strncmp(saved, fx->db, strlen(fx->db)), 0);
	assert_int_equal(strncmp(saved + strlen(fx->db), ".bak-2025", 9), 0);
	assert_int_equal(file_int(saved, "SELECT count(*) FROM t"), 107);
	assert_int_equal(files_with(fx, ".tmp-"), 0);
	/* The store opens it as ever. */
	s = store_open(fx->db, 0, &errstr);
	if (s == NULL)
		fail_msg("%s", errstr);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM t"), 100);
	store_close(s);
	/* A second restore in the same second would overwrite that copy. */
	assert_int_equal(backup_restore(fx->copy, fx->db, &bi, saved,
	    sizeof(saved), &errstr), -1);
	assert_non_null(strstr(errstr, "already exists"));
	clock_set_fake(0);
}

static void
test_restore_refuses_bad_files(void **state)
{
	struct fx	*fx = *state;
	struct backup_info bi;
	struct store	*s = make_db(fx->db, 10);
	const char	*errstr = NULL;
	sqlite3		*db;
	char		 saved[300];

	store_close(s);
	assert_int_equal(sqlite3_open(fx->copy, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE x (y)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(backup_restore(fx->copy, fx->db, &bi, saved,
	    sizeof(saved), &errstr), -1);
	assert_non_null(strstr(errstr, "not a muni database"));
	assert_int_equal(files_with(fx, ".bak-"), 0);
	assert_int_equal(file_int(fx->db, "SELECT count(*) FROM t"), 10);
}

static void
test_restore_into_nothing(void **state)
{
	struct fx	*fx = *state;
	struct backup_info bi;
	struct store	*s = make_db(fx->db, 20);
	const char	*errstr = NULL;
	char		 saved[300];

	store_close(s);
	assert_int_equal(backup_take(fx->db, fx->copy, 0, &bi, &errstr), 0);
	assert_int_equal(unlink(fx->db), 0);
	if (backup_restore(fx->copy, fx->db, &bi, saved, sizeof(saved),
	    &errstr) == -1)
		fail_msg("%s", errstr);
	assert_string_equal(saved, "");
	assert_int_equal(file_int(fx->db, "SELECT count(*) FROM t"), 20);
	assert_int_equal(files_with(fx, ".tmp-"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_is_one_snapshot,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_keeps_existing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_refuses_foreign,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_restore_refuses_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_into_nothing,
		    setup, teardown),
	};

	if (test_sqlite_only("the backup of an SQLite file"))
		return 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
