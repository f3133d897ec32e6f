/*
 * backup: munictl backup and restore over SQLite's online backup API.
 *
 * A copy reads one snapshot: the source connection opens a read
 * transaction before the first backup_step and keeps it to the last, so
 * the gateway's commits in between neither restart the copy (as they would
 * between steps without it) nor get into it; in WAL mode the gateway is
 * never blocked by that reader. The copy is written to a temporary file
 * beside the destination, turned into a single file (no -wal), checked
 * with integrity_check, synced and only then linked or renamed into place.
 *
 * A restore takes the live database's lock in exclusive locking mode: that
 * fails at once while another connection has the file open (every open
 * WAL connection holds a shared lock on it), and, held, keeps every
 * program out until the restore is done. The old contents are copied
 * aside first, then the backup is written into the live file in one
 * transaction, so a crash leaves either the old database or the new one.
 */
#include <sqlite3.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* Pages per backup_step: 1 MiB of 4 KiB pages between two looks around. */
#define BACKUP_STEP_PAGES	256
/* A busy destination or source: wait this long, this many times. */
#define BACKUP_BUSY_MS		20
#define BACKUP_BUSY_TRIES	500
#define BACKUP_BUSY_TIMEOUT_MS	5000

static char	 backup_err[1024];

enum backup_query { BQ_APPID, BQ_VERSION, BQ_PAGES, BQ_PAGE_SIZE, BQ_SNAPSHOT };

/* One integer each; indexed by enum backup_query. */
static const char *const backup_sql[] = {
	"PRAGMA application_id",
	"PRAGMA user_version",
	"PRAGMA page_count",
	"PRAGMA page_size",
	/* Any read: it starts the transaction that pins the snapshot. */
	"SELECT count(*) FROM sqlite_master",
};

static const char *backup_fail(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static const char *
backup_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(backup_err, sizeof(backup_err), fmt, ap);
	va_end(ap);
	return backup_err;
}

static sqlite3 *
backup_open(const char *path, int flags, int busy_ms, const char **errstr)
{
	sqlite3	*db = NULL;

	(void)sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		*errstr = backup_fail(_("%s: cannot open: %s"), path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	if (sqlite3_busy_timeout(db, busy_ms) != SQLITE_OK) {
		*errstr = backup_fail("%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void
backup_close(sqlite3 *db)
{
	if (db != NULL && sqlite3_close(db) != SQLITE_OK)
		log_warnx("backup: close: %s", sqlite3_errmsg(db));
}

static int
query_int(sqlite3 *db, enum backup_query q, int64_t *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, backup_sql[q], -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* muni's application_id, a schema; newer_ok: one newer than ours too. */
static int
check_muni(sqlite3 *db, const char *path, int newer_ok,
    struct backup_info *bi, const char **errstr)
{
	int64_t	 appid, version;

	if (query_int(db, BQ_APPID, &appid) == -1 ||
	    query_int(db, BQ_VERSION, &version) == -1) {
		*errstr = backup_fail("%s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (appid != STORE_APP_ID) {
		*errstr = backup_fail(_("%s: not a muni database (foreign "
		    "application_id)"), path);
		return -1;
	}
	if (version == 0) {
		*errstr = backup_fail(_("%s: the database is empty: run "
		    "`munictl init` first"), path);
		return -1;
	}
	if (!newer_ok && version > store_schema_version()) {
		*errstr = backup_fail(_("%s: database schema version %d is newer "
		    "than this program's (%d): install the newer muni"), path,
		    (int)version, store_schema_version());
		return -1;
	}
	if (bi != NULL)
		bi->schema = (int)version;
	return 0;
}

static int
check_integrity(sqlite3 *db, const char *path, const char **errstr)
{
	sqlite3_stmt	*st;
	const char	*r;
	int		 rc, ok;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st,
	    NULL) != SQLITE_OK) {
		*errstr = backup_fail("%s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	ok = r != NULL && strcmp(r, "ok") == 0;
	if (!ok)
		*errstr = backup_fail(_("%s: integrity check failed: %s"), path,
		    r != NULL ? r : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

static int
exec_sql(sqlite3 *db, const char *path, int which, const char **errstr)
{
	char	*msg = NULL;
	int	 rc;

	/* Literals only (tests/integration/sql_literals.sh). */
	switch (which) {
	case 0:
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, &msg);
		break;
	case 1:
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
		break;
	case 2:
		/* A copy is one file: no -wal beside it when it is moved. */
		rc = sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL,
		    NULL, &msg);
		break;
	default:
		/* Exclusive locking mode keeps the lock from the first read
		   on, and the first read fails while others hold the file. */
		rc = sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE;"
		    "BEGIN EXCLUSIVE; SELECT count(*) FROM sqlite_master;"
		    "COMMIT", NULL, NULL, &msg);
		break;
	}
	if (rc != SQLITE_OK) {
		if ((sqlite3_errcode(db) & 0xff) == SQLITE_BUSY)
			*errstr = backup_fail(_("%s: the database is in use "
			    "(muni-smsgw, a kiosk or another munictl has it "
			    "open): stop them first"), path);
		else
			*errstr = backup_fail("%s: %s", path,
			    msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Copy src's main database over dst's, a few pages a step. */
static int
copy_db(sqlite3 *src, sqlite3 *dst, const char *what, int *steps,
    const char **errstr)
{
	sqlite3_backup	*b;
	int		 rc, busy = 0;

	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		*errstr = backup_fail("%s: %s", what, sqlite3_errmsg(dst));
		return -1;
	}
	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		(*steps)++;
		if (rc == SQLITE_DONE)
			break;
		if (rc == SQLITE_OK)
			continue;
		if (((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) ==
		    SQLITE_LOCKED) && ++busy < BACKUP_BUSY_TRIES) {
			(void)sqlite3_sleep(BACKUP_BUSY_MS);
			continue;
		}
		break;
	}
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		*errstr = backup_fail("%s: %s", what, sqlite3_errstr(rc ==
		    SQLITE_DONE ? sqlite3_errcode(dst) : rc));
		return -1;
	}
	return 0;
}

static int
fsync_path(const char *path, int dir)
{
	int	 fd, r;

	if ((fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY)) == -1)
		return -1;
	r = fsync(fd);
	if (close(fd) == -1)
		r = -1;
	return r;
}

/* The directory of path, for its fsync after a rename. */
static void
dir_of(const char *path, char *out, size_t size)
{
	char	*copy = xstrdup(path);

	if (util_strlcpy(out, dirname(copy), size) == -1)
		(void)util_strlcpy(out, ".", size);
	free(copy);
}

/*
 * Copy from src (an open connection) into a new temporary file beside
 * dest and move it there: link(2) (fails if dest exists) or, with replace,
 * rename(2). The copy is made one file, checked, and synced before.
 */
static int
copy_to_file(sqlite3 *src, const char *src_path, const char *dest,
    int replace, struct backup_info *bi, const char **errstr)
{
	sqlite3	*dst = NULL;
	char	 tmp[4200], dir[4200];
	int64_t	 v;
	int	 fd, held = 0;

	if (util_snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dest) == -1) {
		*errstr = backup_fail(_("%s: name too long"), dest);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		*errstr = backup_fail("%s: %s", tmp, strerror(errno));
		return -1;
	}
	(void)close(fd);
	if ((dst = backup_open(tmp, SQLITE_OPEN_READWRITE,
	    BACKUP_BUSY_TIMEOUT_MS, errstr)) == NULL)
		goto fail;
	/* The snapshot: one read transaction over every step. */
	if (sqlite3_get_autocommit(src)) {
		if (exec_sql(src, src_path, 0, errstr) == -1)
			goto fail;
		held = 1;
		if (query_int(src, BQ_SNAPSHOT, &v) == -1) {
			*errstr = backup_fail("%s: %s", src_path,
			    sqlite3_errmsg(src));
			goto fail;
		}
	}
	if (copy_db(src, dst, src_path, &bi->steps, errstr) == -1)
		goto fail;
	if (held) {
		held = 0;
		if (exec_sql(src, src_path, 1, errstr) == -1)
			goto fail;
	}
	if (exec_sql(dst, tmp, 2, errstr) == -1 ||
	    check_integrity(dst, dest, errstr) == -1)
		goto fail;
	if (query_int(dst, BQ_PAGES, &bi->pages) == -1 ||
	    query_int(dst, BQ_PAGE_SIZE, &v) == -1) {
		*errstr = backup_fail("%s: %s", tmp, sqlite3_errmsg(dst));
		goto fail;
	}
	bi->page_size = (int)v;
	if (sqlite3_close(dst) != SQLITE_OK) {
		*errstr = backup_fail("%s: %s", tmp, sqlite3_errmsg(dst));
		dst = NULL;
		goto fail;
	}
	dst = NULL;
	if (fsync_path(tmp, 0) == -1) {
		*errstr = backup_fail("%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (replace) {
		if (rename(tmp, dest) == -1) {
			*errstr = backup_fail("%s: %s", dest, strerror(errno));
			goto fail;
		}
	} else {
		if (link(tmp, dest) == -1) {
			*errstr = errno == EEXIST ? backup_fail(_("%s already "
			    "exists: use --force to replace it"), dest) :
			    backup_fail("%s: %s", dest, strerror(errno));
			goto fail;
		}
		(void)unlink(tmp);
	}
	dir_of(dest, dir, sizeof(dir));
	if (fsync_path(dir, 1) == -1)
		log_warn("backup: fsync %s", dir);
	return 0;
fail:
	if (held)
		(void)sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	backup_close(dst);
	(void)unlink(tmp);
	return -1;
}

int
backup_take(const char *db, const char *dest, int flags,
    struct backup_info *bi, const char **errstr)
{
	struct stat	 st;
	sqlite3		*src;
	int		 r;

	memset(bi, 0, sizeof(*bi));
	if (!(flags & BACKUP_FORCE) && lstat(dest, &st) == 0) {
		*errstr = backup_fail(_("%s already exists: use --force to "
		    "replace it"), dest);
		return -1;
	}
	if ((src = backup_open(db, SQLITE_OPEN_READWRITE,
	    BACKUP_BUSY_TIMEOUT_MS, errstr)) == NULL)
		return -1;
	r = check_muni(src, db, 1, bi, errstr);
	if (r == 0)
		r = copy_to_file(src, db, dest, flags & BACKUP_FORCE, bi,
		    errstr);
	backup_close(src);
	return r;
}

int
backup_check(const char *file, struct backup_info *bi, const char **errstr)
{
	struct stat	 st;
	sqlite3		*db;
	int64_t		 v = 0;
	int		 r;

	memset(bi, 0, sizeof(*bi));
	/* SQLite would take a missing file for a new, empty database. */
	if (stat(file, &st) == -1) {
		*errstr = backup_fail("%s: %s", file, strerror(errno));
		return -1;
	}
	if ((db = backup_open(file, SQLITE_OPEN_READONLY,
	    BACKUP_BUSY_TIMEOUT_MS, errstr)) == NULL)
		return -1;
	r = check_muni(db, file, 0, bi, errstr);
	if (r == 0)
		r = check_integrity(db, file, errstr);
	if (r == 0 && (query_int(db, BQ_PAGES, &bi->pages) == -1 ||
	    query_int(db, BQ_PAGE_SIZE, &v) == -1)) {
		*errstr = backup_fail("%s: %s", file, sqlite3_errmsg(db));
		r = -1;
	}
	bi->page_size = (int)v;
	backup_close(db);
	return r;
}

int
backup_restore(const char *file, const char *db, struct backup_info *fbi,
    char *saved, size_t savedsize, const char **errstr)
{
	struct backup_info bi;
	struct stat	 st;
	struct tm	 tm;
	sqlite3		*live = NULL, *src = NULL;
	time_t		 now = clock_now();
	char		 stamp[32];
	mode_t		 mask;
	int		 steps = 0;

	saved[0] = '\0';
	if (backup_check(file, fbi, errstr) == -1)
		return -1;
	bi = *fbi;
	if ((src = backup_open(file, SQLITE_OPEN_READONLY,
	    BACKUP_BUSY_TIMEOUT_MS, errstr)) == NULL)
		return -1;
	if (stat(db, &st) == -1) {
		if (errno != ENOENT) {
			*errstr = backup_fail("%s: %s", db, strerror(errno));
			goto fail;
		}
		/* Nothing to keep: the copy is the database. */
		if (copy_to_file(src, file, db, 0, &bi, errstr) == -1)
			goto fail;
		/* The mode SQLite would have created it with. */
		mask = umask(0);
		(void)umask(mask);
		if (chmod(db, 0644 & ~mask) == -1)
			log_warn("restore: chmod %s", db);
		backup_close(src);
		return 0;
	}
	if ((live = backup_open(db, SQLITE_OPEN_READWRITE, 0, errstr)) ==
	    NULL)
		goto fail;
	if (exec_sql(live, db, 3, errstr) == -1 ||
	    check_muni(live, db, 1, NULL, errstr) == -1)
		goto fail;
	/* Named in the municipality's time, as munictl shows it. */
	clock_local(now, &tm);
	if (strftime(stamp, sizeof(stamp),
	    "%Y%m%dT%H%M%S", &tm) == 0 ||
	    util_snprintf(saved, savedsize, "%s.bak-%s", db, stamp) == -1) {
		saved[0] = '\0';
		*errstr = backup_fail(_("%s: name too long"), db);
		goto fail;
	}
	/* What is replaced is kept, whole and checked, before it is. */
	memset(&bi, 0, sizeof(bi));
	if (copy_to_file(live, db, saved, 0, &bi, errstr) == -1) {
		saved[0] = '\0';
		goto fail;
	}
	if (copy_db(src, live, db, &steps, errstr) == -1 ||
	    check_integrity(live, db, errstr) == -1)
		goto fail;
	backup_close(src);
	/* The last connection: its close folds the WAL into the file. */
	if (sqlite3_close(live) != SQLITE_OK) {
		*errstr = backup_fail("%s: %s", db, sqlite3_errmsg(live));
		return -1;
	}
	return 0;
fail:
	backup_close(live);
	backup_close(src);
	return -1;
}
