/*
 * store_pg: the PostgreSQL engine behind store.h (issue 19), on libpq.
 *
 * One connection per store. At open it checks the schema version in
 * muni_meta (a newer one is refused, an older one migrated only when
 * asked, each migration in one transaction under an advisory lock so two
 * programs starting at once do not both run it), then prepares every
 * statement of the table in one pipelined round trip, so bad SQL fails at
 * start with its id, as SQLite's does.
 *
 * Parameters travel as text (numbers in decimal), blobs as binary bytea;
 * results come back as text. A cursor's first step runs the statement and
 * keeps the whole result; later steps walk its rows. Whole results, not
 * libpq's single-row mode: the domain steps one cursor while it runs
 * others on the same connection (as SQLite allows), and a connection in
 * single-row mode can run nothing else until the rows are drained. The
 * statements that read many rows have a LIMIT or run INSERT ... SELECT in
 * the server.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "store_pg_schema.h"
#include "store_priv.h"
#include "util.h"

/* Type oids from PostgreSQL's catalog (pg_type.dat); stable forever. */
#define PG_BOOLOID	16
#define PG_BYTEAOID	17

#define PGSTORE_LOCK_MS	5000	/* lock_timeout, as SQLite's busy timeout */
#define PGSTORE_PWMAX	256

int	 pgstore_lenient;

struct pgparam {
	const char	*val;		/* NULL: SQL NULL */
	int		 len;
	int		 fmt;		/* 0 text, 1 binary */
	char		*copy;		/* owned copy behind val, or NULL */
	char		 num[32];	/* a number's decimal text */
};

struct pgcur {
	struct pgstore	*pg;
	char		 name[32];	/* the prepared statement's */
	const char	*label;		/* for log lines */
	int		 ok;		/* prepared */
	int		 guard;		/* an INSERT: see pgcur_exec */
	int		 nparams;
	struct pgparam	*params;
	const char	**vals;
	int		*lens;
	int		*fmts;
	PGresult	*res;
	int		 row;		/* -1 before the first */
	int		 nrows;
	unsigned char	*blob;		/* the last store_blob, decoded */
};

struct pgstore {
	PGconn		*conn;
	struct pgcur	*curs;		/* the table's, STMT__COUNT */
	int64_t		 changes;
	char		 errmsg[512];
	unsigned	 nbuilt;	/* names for store_prepare's */
	int64_t		 retry_ms;	/* no reconnecting before (monotonic) */
	int		 open_tx;	/* BEGIN sent, no COMMIT or ROLLBACK yet */
	int		 down;		/* lost, and said so */
};

static _Thread_local char pgstore_err[512];
static char	 pgstore_pwfile[4096];

static const char *pgstore_fail(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static const char *
pgstore_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(pgstore_err, sizeof(pgstore_err), fmt, ap);
	va_end(ap);
	return pgstore_err;
}

/* libpq's messages end in a newline (or several lines): the first line. */
static void
pgstore_setmsg(struct pgstore *pg, const char *msg)
{
	size_t	 n;

	(void)util_strlcpy_utf8(pg->errmsg, msg != NULL && *msg != '\0' ?
	    msg : "unknown error", sizeof(pg->errmsg));
	n = strcspn(pg->errmsg, "\n");
	pg->errmsg[n] = '\0';
}

/* A result's error: PostgreSQL's primary message, without "ERROR:  ". */
static const char *
pgstore_resmsg(struct pgstore *pg, const PGresult *r)
{
	const char	*m;

	if (r == NULL)
		return PQerrorMessage(pg->conn);
	if ((m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)) != NULL)
		return m;
	return PQresultErrorMessage(r);
}

int
pgstore_is_url(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 ||
	    strncmp(where, "postgres://", 11) == 0 ||
	    strstr(where, "dbname=") != NULL || strstr(where, "host=") != NULL;
}

void
store_password_file(const char *path)
{
	(void)util_strlcpy(pgstore_pwfile, path != NULL ? path : "",
	    sizeof(pgstore_pwfile));
}

/*
 * The password from [database] password_file: the file must be its
 * owner's alone (mode 600 or 400), like the API's token file, since the
 * database holds every resident's personal code.
 */
static int
pgstore_password(char *buf, size_t size, const char **errstr)
{
	struct stat	 st;
	const char	*why;

	buf[0] = '\0';
	if (pgstore_pwfile[0] == '\0')
		return 0;
	if (stat(pgstore_pwfile, &st) == -1) {
		*errstr = pgstore_fail("%s: %s", pgstore_pwfile,
		    strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*errstr = pgstore_fail(_("%s: the database password file may "
		    "be read or written by others than its owner: run `chmod "
		    "600 %s`"),
		    pgstore_pwfile, pgstore_pwfile);
		return -1;
	}
	if (config_secret_file(pgstore_pwfile, buf, size, &why) == -1) {
		*errstr = pgstore_fail("%s: %s", pgstore_pwfile, why);
		return -1;
	}
	return 0;
}

/*
 * SQLite's ?N as PostgreSQL's $N, outside quoted literals, identifiers
 * and comments; the highest N into *nparams.
 */
static char *
pgstore_rewrite(const char *sql, size_t len, int *nparams)
{
	char		*out = xmalloc(len + 1);
	size_t		 i, o = 0;
	char		 q = '\0';
	long		 n;

	*nparams = 0;
	for (i = 0; i < len; i++) {
		char	 ch = sql[i];

		if (q != '\0') {
			if (q == '-' && ch == '\n')
				q = '\0';
			else if (ch == q && q != '-')
				q = '\0';
			out[o++] = ch;
			continue;
		}
		if (ch == '\'' || ch == '"')
			q = ch;
		else if (ch == '-' && i + 1 < len && sql[i + 1] == '-')
			q = '-';
		else if ((ch == '?' || ch == '$') && i + 1 < len &&
		    sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			/* The protocol counts parameters in 16 bits. */
			out[o++] = '$';
			for (n = 0; i + 1 < len && sql[i + 1] >= '0' &&
			    sql[i + 1] <= '9'; i++) {
				if (n <= 65535)
					n = n * 10 + (sql[i + 1] - '0');
				out[o++] = sql[i + 1];
			}
			if (n > *nparams)
				*nparams = n > 65535 ? 65535 : (int)n;
			continue;
		}
		out[o++] = ch;
	}
	out[o] = '\0';
	return out;
}

/* Whether sql is an INSERT (see pgcur_exec). */
static int
pgstore_is_insert(const char *sql)
{
	sql += strspn(sql, " \t\n");
	return strncasecmp(sql, "INSERT", 6) == 0;
}

static void
pgcur_init(struct pgcur *c, struct pgstore *pg, const char *label,
    int nparams)
{
	c->pg = pg;
	c->label = label;
	c->nparams = nparams;
	c->row = -1;
	if (nparams > 0) {
		c->params = xcalloc((size_t)nparams, sizeof(*c->params));
		c->vals = xcalloc((size_t)nparams, sizeof(*c->vals));
		c->lens = xcalloc((size_t)nparams, sizeof(*c->lens));
		c->fmts = xcalloc((size_t)nparams, sizeof(*c->fmts));
	}
}

static void
pgcur_clean(struct pgcur *c)
{
	pgcur_reset(c, 1);
	free(c->params);
	free(c->vals);
	free(c->lens);
	free(c->fmts);
}

/* A server's NOTICE (a DROP ... CASCADE's list): the debug log, not stderr. */
static void
pgstore_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("postgresql: %.*s", (int)strcspn(msg, "\n"), msg);
}

/*
 * The session: UTF-8 both ways, the store's lock wait, and a name in
 * pg_stat_activity.
 */
static int
pgstore_session(struct pgstore *pg)
{
	char	 sql[64];

	(void)PQsetNoticeProcessor(pg->conn, pgstore_notice, NULL);
	if (PQsetClientEncoding(pg->conn, "UTF8") != 0) {
		pgstore_setmsg(pg, PQerrorMessage(pg->conn));
		return -1;
	}
	(void)snprintf(sql, sizeof(sql), "SET lock_timeout = %d",
	    PGSTORE_LOCK_MS);
	return pgstore_exec(pg, "store_open", sql);
}

/*
 * The version in muni_meta: 0 in a database with no tables at all, -1
 * with *errstr when the database is someone else's.
 */
static int
pgstore_version(struct pgstore *pg, const char *where, int *version,
    const char **errstr)
{
	PGresult	*r;
	int		 rc = -1;

	r = PQexec(pg->conn, "SELECT (SELECT count(*) FROM pg_catalog.pg_class"
	    " c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE n.nspname = current_schema() AND c.relkind = 'r'),"
	    " to_regclass('muni_meta') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		pgstore_setmsg(pg, pgstore_resmsg(pg, r));
		*errstr = pgstore_fail("%s", pg->errmsg);
		goto done;
	}
	if (strcmp(PQgetvalue(r, 0, 1), "t") != 0) {
		if (strcmp(PQgetvalue(r, 0, 0), "0") != 0) {
			*errstr = pgstore_fail(_("%s: not a muni database "
			    "(tables but no muni_meta)"), where);
			goto done;
		}
		*version = 0;
		rc = 0;
		goto done;
	}
	PQclear(r);
	r = PQexec(pg->conn, "SELECT app_id, version FROM muni_meta");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		pgstore_setmsg(pg, PQresultStatus(r) == PGRES_TUPLES_OK ?
		    "muni_meta has no row" : pgstore_resmsg(pg, r));
		*errstr = pgstore_fail("muni_meta: %s", pg->errmsg);
		goto done;
	}
	if (strtoll(PQgetvalue(r, 0, 0), NULL, 10) != STORE_APP_ID) {
		*errstr = pgstore_fail(_("%s: not a muni database (foreign "
		    "application_id)"), where);
		goto done;
	}
	*version = (int)strtol(PQgetvalue(r, 0, 1), NULL, 10);
	rc = 0;
done:
	PQclear(r);
	return rc;
}

/*
 * From version to store_schema_version(): pg_migrations[0] creates the
 * schema at PG_SCHEMA_BASE, pg_migrations[n] takes PG_SCHEMA_BASE + n - 1
 * to PG_SCHEMA_BASE + n. Each in one transaction, holding an advisory lock
 * and reading the version again under it: another program may have
 * migrated in the meantime.
 */
static int
pgstore_migrate(struct pgstore *pg, const char *where, int version,
    const char **errstr)
{
	int	 top = PG_SCHEMA_BASE + (int)nitems(pg_migrations) - 1;
	int	 v = version, step, now;

	if (top < store_schema_version()) {
		*errstr = pgstore_fail(_("this program has no PostgreSQL "
		    "migration to schema version %d"), top + 1);
		return -1;
	}
	while (v < store_schema_version()) {
		if (v != 0 && v < PG_SCHEMA_BASE) {
			*errstr = pgstore_fail(_("database schema version %d "
			    "predates PostgreSQL support (%d)"), v,
			    PG_SCHEMA_BASE);
			return -1;
		}
		step = v == 0 ? 0 : v - PG_SCHEMA_BASE + 1;
		if (pgstore_exec(pg, "migration", "BEGIN") == -1 ||
		    pgstore_exec(pg, "migration",
		    "SELECT pg_advisory_xact_lock(1836412521)") == -1 ||
		    pgstore_version(pg, where, &now, errstr) == -1)
			goto fail;
		if (now == v && pgstore_exec(pg, "migration",
		    pg_migrations[step]) == -1)
			goto fail;
		if (pgstore_exec(pg, "migration", "COMMIT") == -1 ||
		    pgstore_version(pg, where, &now, errstr) == -1)
			goto fail;
		if (now <= v) {
			*errstr = pgstore_fail(_("migration to schema version "
			    "%d failed: %s"), v + 1, "muni_meta.version not "
			    "raised");
			return -1;
		}
		if (now != v)
			log_info("database schema migrated to version %d", now);
		v = now;
	}
	return 0;
fail:
	*errstr = pgstore_fail(_("migration to schema version %d failed: %s"),
	    v == 0 ? PG_SCHEMA_BASE : v + 1, pg->errmsg);
	(void)pgstore_exec(pg, "migration", "ROLLBACK");
	return -1;
}

/* Statement i's text for PostgreSQL, ?N as $N (the caller frees it). */
static char *
pgstore_text(int i, int *nparams)
{
	const char	*sql = store_sql[i].pg_sql != NULL ? store_sql[i].pg_sql :
			    store_sql[i].sql;

	return pgstore_rewrite(sql, strlen(sql), nparams);
}

/*
 * Prepare the whole table in one pipeline: one round trip however far
 * the server is (a kiosk in a parish library), and the first statement
 * that does not prepare named with PostgreSQL's reason.
 */
static int
pgstore_prepare_all(struct pgstore *pg, int init, const char **errstr)
{
	PGresult	*r;
	char		*text;
	int		 i, n, bad = -1, rc = 0;
	char		 why[256] = "";

	if (PQenterPipelineMode(pg->conn) != 1)
		goto connfail;
	for (i = 0; i < STMT__COUNT; i++) {
		struct pgcur	*c = &pg->curs[i];

		text = pgstore_text(i, &n);
		if (init) {
			pgcur_init(c, pg, store_sql[i].name, n);
			c->guard = pgstore_is_insert(text);
			(void)snprintf(c->name, sizeof(c->name), "m%d", i);
		}
		c->ok = 1;
		if (PQsendPrepare(pg->conn, c->name, text, 0, NULL) != 1) {
			free(text);
			pgstore_setmsg(pg, PQerrorMessage(pg->conn));
			*errstr = pgstore_fail("%s", pg->errmsg);
			return -1;
		}
		free(text);
	}
	if (PQpipelineSync(pg->conn) != 1)
		goto connfail;
	for (i = 0; i < STMT__COUNT; i++) {
		if ((r = PQgetResult(pg->conn)) == NULL)
			goto connfail;
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg->curs[i].ok = 0;
			if (PQresultStatus(r) != PGRES_PIPELINE_ABORTED) {
				if (bad == -1)
					bad = i;
				(void)util_strlcpy_utf8(why,
				    pgstore_resmsg(pg, r), sizeof(why));
				why[strcspn(why, "\n")] = '\0';
				if (pgstore_lenient)
					log_warnx("cannot prepare %s: %s",
					    store_sql[i].name, why);
			}
		}
		PQclear(r);
		/* Each command's results end in a NULL. */
		if ((r = PQgetResult(pg->conn)) != NULL) {
			PQclear(r);
			goto connfail;
		}
	}
	if (bad != -1 && !pgstore_lenient)
		rc = -1;
	r = PQgetResult(pg->conn);
	if (PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PQclear(r);
		goto connfail;
	}
	PQclear(r);
	if (PQexitPipelineMode(pg->conn) != 1)
		goto connfail;
	if (rc == -1) {
		*errstr = pgstore_fail(_("cannot prepare %s: %s"),
		    store_sql[bad].name, why);
		return -1;
	}
	/* Lenient: an error aborted the rest of the pipeline; one by one. */
	for (i = 0; i < STMT__COUNT; i++) {
		struct pgcur	*c = &pg->curs[i];

		if (c->ok)
			continue;
		text = pgstore_text(i, &n);
		r = PQprepare(pg->conn, c->name, text, 0, NULL);
		free(text);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			c->ok = 1;
		else
			log_warnx("cannot prepare %s: %s", store_sql[i].name,
			    pgstore_resmsg(pg, r));
		PQclear(r);
	}
	return 0;
connfail:
	pgstore_setmsg(pg, PQerrorMessage(pg->conn));
	*errstr = pgstore_fail(_("cannot prepare the statements: %s"),
	    pg->errmsg);
	return -1;
}

struct pgstore *
pgstore_open(const char *where, int flags, int *found, const char **errstr)
{
	struct pgstore		*pg;
	PQconninfoOption	*opts, *o;
	const char		*keys[4], *vals[4];
	char			*perr = NULL, pw[PGSTORE_PWMAX];
	int			 version, nk = 0;

	/*
	 * The connection string itself is checked first: a bad one gets
	 * libpq's reason, and one with a password in it is refused (it would
	 * sit in muni.conf and in every message that names the database).
	 */
	if ((opts = PQconninfoParse(where, &perr)) == NULL) {
		*errstr = pgstore_fail(_("database url: %s"), perr != NULL ?
		    perr : "out of memory");
		pgstore_err[strcspn(pgstore_err, "\n")] = '\0';
		PQfreemem(perr);
		return NULL;
	}
	for (o = opts; o->keyword != NULL; o++)
		if ((strcmp(o->keyword, "password") == 0 ||
		    strcmp(o->keyword, "sslpassword") == 0) && o->val != NULL &&
		    o->val[0] != '\0')
			break;
	if (o->keyword != NULL) {
		PQconninfoFree(opts);
		*errstr = pgstore_fail(_("database url: a password in the url "
		    "is refused: put it in [database] password_file or "
		    "~/.pgpass"));
		return NULL;
	}
	PQconninfoFree(opts);
	if (pgstore_password(pw, sizeof(pw), errstr) == -1)
		return NULL;

	/* Later keywords override what the expanded dbname says. */
	keys[nk] = "dbname";
	vals[nk++] = where;
	keys[nk] = "fallback_application_name";
	vals[nk++] = "muni";
	if (pw[0] != '\0') {
		keys[nk] = "password";
		vals[nk++] = pw;
	}
	keys[nk] = NULL;
	vals[nk] = NULL;
	pg = xcalloc(1, sizeof(*pg));
	pg->curs = xcalloc(STMT__COUNT, sizeof(*pg->curs));
	pg->conn = PQconnectdbParams(keys, vals, 1);
	explicit_bzero(pw, sizeof(pw));
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
		pgstore_setmsg(pg, pg->conn != NULL ?
		    PQerrorMessage(pg->conn) : "out of memory");
		*errstr = pgstore_fail(_("cannot connect to the database: %s"),
		    pg->errmsg);
		goto fail;
	}
	if (pgstore_session(pg) == -1) {
		*errstr = pgstore_fail("%s", pg->errmsg);
		goto fail;
	}
	if (pgstore_version(pg, where, &version, errstr) == -1)
		goto fail;
	*found = version;
	if (version > store_schema_version()) {
		*errstr = pgstore_fail(_("%s: database schema version %d is "
		    "newer than this program's (%d): install the newer muni"),
		    where, version, store_schema_version());
		goto fail;
	}
	if (version < store_schema_version()) {
		if (version == 0 && !(flags & (STORE_CREATE | STORE_MIGRATE))) {
			*errstr = pgstore_fail(_("%s: the database is empty: "
			    "run `munictl init` first"), where);
			goto fail;
		}
		if (!(flags & (STORE_CREATE | STORE_MIGRATE))) {
			*errstr = pgstore_fail(_("%s: database schema version "
			    "%d is older than this program's (%d): run "
			    "`munictl init` to upgrade it"), where, version,
			    store_schema_version());
			goto fail;
		}
		if (pgstore_migrate(pg, where, version, errstr) == -1)
			goto fail;
	}
	if (pgstore_prepare_all(pg, 1, errstr) == -1)
		goto fail;
	return pg;
fail:
	pgstore_close(pg);
	return NULL;
}

void
pgstore_close(struct pgstore *pg)
{
	int	 i;

	if (pg == NULL)
		return;
	for (i = 0; i < STMT__COUNT; i++)
		pgcur_clean(&pg->curs[i]);
	free(pg->curs);
	PQfinish(pg->conn);
	free(pg);
}

struct pgcur *
pgstore_cur(struct pgstore *pg, enum store_stmt id)
{
	return &pg->curs[id];
}

const char *
pgstore_errmsg(struct pgstore *pg)
{
	if (pg->errmsg[0] == '\0')
		return "not an error";
	return pg->errmsg;
}

int
pgstore_exec(struct pgstore *pg, const char *what, const char *sql)
{
	PGresult	*r = PQexec(pg->conn, sql);
	ExecStatusType	 st = PQresultStatus(r);
	int		 rc = 0;

	if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0)
		pg->open_tx = 0;
	else if (strcmp(sql, "BEGIN") == 0 && st == PGRES_COMMAND_OK)
		pg->open_tx = 1;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pgstore_setmsg(pg, pgstore_resmsg(pg, r));
		log_warnx("%s: %s", what, pg->errmsg);
		rc = -1;
	} else if (strcmp(sql, "COMMIT") == 0 &&
	    strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		/* COMMIT of a failed transaction rolls back, quietly. */
		pgstore_setmsg(pg, "the transaction failed and was rolled "
		    "back");
		log_warnx("%s: %s", what, pg->errmsg);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int
pgstore_in_tx(struct pgstore *pg)
{
	PGTransactionStatusType	 t = PQtransactionStatus(pg->conn);

	/* A connection gone mid-transaction: the caller's rollback ends it. */
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
	    t == PQTRANS_ACTIVE || (t == PQTRANS_UNKNOWN && pg->open_tx);
}

int
pgstore_busy_timeout(struct pgstore *pg, int ms)
{
	char	 sql[64];

	/* 0 is "wait forever" to PostgreSQL, "do not wait" to SQLite. */
	(void)snprintf(sql, sizeof(sql), "SET lock_timeout = %d",
	    ms > 0 ? ms : 1);
	return pgstore_exec(pg, "store_busy_timeout", sql);
}

int64_t
pgstore_changes(struct pgstore *pg)
{
	return pg->changes;
}

/*
 * lastval(): the id the last INSERT drew from an identity, as SQLite's
 * last_insert_rowid. It fails when this session drew none, which would
 * abort an open transaction: a savepoint keeps it to itself. 0 then, as
 * SQLite says when nothing was inserted.
 */
int64_t
pgstore_last_rowid(struct pgstore *pg)
{
	PGresult	*r;
	int64_t		 id = 0;
	int		 tx = pgstore_in_tx(pg);

	if (tx && pgstore_exec(pg, "store_last_rowid",
	    "SAVEPOINT muni_lastval") == -1)
		return 0;
	r = PQexec(pg->conn, "SELECT lastval()");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (tx) {
		if (id == 0)
			(void)pgstore_exec(pg, "store_last_rowid",
			    "ROLLBACK TO muni_lastval");
		(void)pgstore_exec(pg, "store_last_rowid",
		    "RELEASE muni_lastval");
	}
	return id;
}

struct pgcur *
pgstore_prepare(struct pgstore *pg, const char *sql, size_t len, char *err,
    size_t errsize)
{
	struct pgcur	*c;
	PGresult	*r;
	char		*text;
	int		 n;

	text = pgstore_rewrite(sql, len, &n);
	c = xcalloc(1, sizeof(*c));
	pgcur_init(c, pg, "(built)", n);
	c->guard = pgstore_is_insert(text);
	(void)snprintf(c->name, sizeof(c->name), "b%u", pg->nbuilt++);
	r = PQprepare(pg->conn, c->name, text, 0, NULL);
	free(text);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pgstore_setmsg(pg, pgstore_resmsg(pg, r));
		(void)util_strlcpy_utf8(err, pg->errmsg, errsize);
		PQclear(r);
		pgcur_clean(c);
		free(c);
		return NULL;
	}
	PQclear(r);
	c->ok = 1;
	return c;
}

void
pgcur_free(struct pgcur *c)
{
	char	 sql[64];

	if (c == NULL)
		return;
	(void)snprintf(sql, sizeof(sql), "DEALLOCATE %s", c->name);
	/* Not in a failed transaction: the statement dies with the session. */
	if (PQtransactionStatus(c->pg->conn) != PQTRANS_INERROR)
		(void)pgstore_exec(c->pg, "store_cur_free", sql);
	pgcur_clean(c);
	free(c);
}

void
pgcur_reset(struct pgcur *c, int clear)
{
	int	 i;

	PQclear(c->res);
	c->res = NULL;
	c->row = -1;
	c->nrows = 0;
	PQfreemem(c->blob);
	c->blob = NULL;
	if (!clear)
		return;
	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].copy);
		c->params[i].copy = NULL;
		c->params[i].val = NULL;
		c->params[i].len = 0;
		c->params[i].fmt = 0;
	}
}

static struct pgparam *
pgcur_param(struct pgcur *c, int idx)
{
	struct pgparam	*p;

	if (idx < 1 || idx > c->nparams) {
		log_warnx("%s: parameter %d: out of range (%d)", c->label, idx,
		    c->nparams);
		return NULL;
	}
	p = &c->params[idx - 1];
	free(p->copy);
	p->copy = NULL;
	p->fmt = 0;
	p->len = 0;
	return p;
}

int
pgcur_bind_null(struct pgcur *c, int idx)
{
	struct pgparam	*p = pgcur_param(c, idx);

	if (p == NULL)
		return -1;
	p->val = NULL;
	return 0;
}

int
pgcur_bind_i64(struct pgcur *c, int idx, int64_t v)
{
	struct pgparam	*p = pgcur_param(c, idx);

	if (p == NULL)
		return -1;
	(void)snprintf(p->num, sizeof(p->num), "%" PRId64, v);
	p->val = p->num;
	return 0;
}

int
pgcur_bind_dbl(struct pgcur *c, int idx, double v)
{
	struct pgparam	*p = pgcur_param(c, idx);

	if (p == NULL)
		return -1;
	(void)snprintf(p->num, sizeof(p->num), "%.17g", v);
	p->val = p->num;
	return 0;
}

int
pgcur_bind_text(struct pgcur *c, int idx, const char *t, size_t len,
    int copy)
{
	struct pgparam	*p = pgcur_param(c, idx);

	if (p == NULL)
		return -1;
	/* Text parameters end in a NUL: a counted one is copied. */
	if (len != (size_t)-1 || copy) {
		p->copy = len != (size_t)-1 ? xstrndup(t, len) : xstrdup(t);
		p->val = p->copy;
	} else
		p->val = t;
	return 0;
}

int
pgcur_bind_blob(struct pgcur *c, int idx, const void *b, size_t len)
{
	struct pgparam	*p = pgcur_param(c, idx);

	if (p == NULL)
		return -1;
	if (len > INT32_MAX) {
		log_warnx("%s: parameter %d: blob too big", c->label, idx);
		return -1;
	}
	p->val = len > 0 ? b : "";
	p->len = (int)len;
	p->fmt = 1;
	return 0;
}

/*
 * PostgreSQL's SQLSTATE as a store code: a lost connection (class 08, an
 * administrator's shutdown 57P01..57P03, or the socket gone) is STORE_EIO,
 * which callers treat as temporary.
 */
static int
pgstore_code(struct pgstore *pg, const PGresult *r)
{
	const char	*st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (PQstatus(pg->conn) == CONNECTION_BAD || st == NULL)
		return STORE_EIO;
	if (strcmp(st, "23505") == 0)
		return STORE_EUNIQUE;
	if (strncmp(st, "23", 2) == 0)
		return STORE_ECONSTRAINT;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0)
		return STORE_EBUSY;
	if (strcmp(st, "53100") == 0)
		return STORE_EFULL;
	if (strncmp(st, "08", 2) == 0 || strcmp(st, "57P01") == 0 ||
	    strcmp(st, "57P02") == 0 || strcmp(st, "57P03") == 0)
		return STORE_EIO;
	return STORE_ERROR;
}

/*
 * Run the statement. Inside a transaction an INSERT runs under a savepoint
 * of its own, sent in one pipeline with it (one round trip): on SQLite a
 * statement that fails undoes itself alone and the transaction goes on,
 * and callers count on that where a UNIQUE says "already there" (a
 * merchant's phone, an import's row, an API client); PostgreSQL would
 * abort the whole transaction. Other statements' errors end the caller's
 * transaction anyway (store_abort), so they go without: a savepoint is a
 * subtransaction, which PostgreSQL keeps count of until the commit.
 */
static PGresult *
pgcur_exec(struct pgcur *c)
{
	PGconn		*conn = c->pg->conn;
	PGresult	*r, *res = NULL;
	int		 failed = 0, n;
	ExecStatusType	 st;

	if (!c->guard || PQtransactionStatus(conn) != PQTRANS_INTRANS)
		return PQexecPrepared(conn, c->name, c->nparams, c->vals,
		    c->lens, c->fmts, 0);
	if (PQenterPipelineMode(conn) != 1 ||
	    PQsendQueryParams(conn, "SAVEPOINT muni_stmt", 0, NULL, NULL,
	    NULL, NULL, 0) != 1 ||
	    PQsendQueryPrepared(conn, c->name, c->nparams, c->vals, c->lens,
	    c->fmts, 0) != 1 ||
	    PQsendQueryParams(conn, "RELEASE muni_stmt", 0, NULL, NULL, NULL,
	    NULL, 0) != 1 ||
	    PQpipelineSync(conn) != 1)
		goto lost;
	/* Three commands, each ending in a NULL; then the sync. */
	for (n = 0; n < 3; n++) {
		while ((r = PQgetResult(conn)) != NULL) {
			if (n == 1 && res == NULL)
				res = r;
			else {
				if (PQresultStatus(r) != PGRES_COMMAND_OK)
					failed = 1;
				PQclear(r);
			}
		}
	}
	(void)failed;
	r = PQgetResult(conn);
	if (PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PQclear(r);
		goto lost;
	}
	PQclear(r);
	if (PQexitPipelineMode(conn) != 1)
		goto lost;
	if (res == NULL)
		goto lost;
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		/* Undo the statement alone; the transaction goes on. */
		r = PQexec(conn, "ROLLBACK TO muni_stmt; RELEASE muni_stmt");
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			log_warnx("%s: %s", c->label, pgstore_resmsg(c->pg, r));
		PQclear(r);
	}
	return res;
lost:
	/* A connection in a state we cannot use: say so as libpq does. */
	PQclear(res);
	for (n = 0; n < 8; n++) {
		if ((r = PQgetResult(conn)) == NULL)
			continue;
		st = PQresultStatus(r);
		PQclear(r);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	(void)PQexitPipelineMode(conn);
	return NULL;
}

/*
 * The server went (a restart, a failover to another host of the URL, a
 * dropped line to a library): connect again, at most once a second, and
 * prepare the table again. The statement that found the connection gone
 * failed with STORE_EIO, which callers take as "try later"; the one after
 * may find it back. The transaction that was open is gone with the
 * connection, as its caller was told. store_prepare's statements are not
 * prepared again: they live for one use (the rule compiler's).
 */
static int
pgstore_reconnect(struct pgstore *pg)
{
	const char	*err;
	int		 version;
	int64_t		 now = clock_mono_ms();

	/*
	 * Not inside the caller's transaction: what follows would run
	 * outside one. Its rollback comes first.
	 */
	if (pg->open_tx) {
		pgstore_setmsg(pg, "the connection to the database was lost "
		    "in a transaction");
		return -1;
	}
	if (now < pg->retry_ms)
		return -1;
	pg->retry_ms = now + 1000;
	PQreset(pg->conn);
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pgstore_setmsg(pg, PQerrorMessage(pg->conn));
		return -1;
	}
	if (pgstore_session(pg) == -1 ||
	    pgstore_version(pg, PQdb(pg->conn), &version, &err) == -1)
		return -1;
	if (version != store_schema_version()) {
		pgstore_setmsg(pg, "the database's schema version changed");
		return -1;
	}
	if (pgstore_prepare_all(pg, 0, &err) == -1) {
		pgstore_setmsg(pg, err);
		return -1;
	}
	pg->down = 0;
	log_info("reconnected to the database");
	return 0;
}

int
pgcur_step(struct pgcur *c, const char *name)
{
	struct pgstore	*pg = c->pg;
	const char	*cs;
	int		 i, rc;

	if (c->res != NULL) {
		PQfreemem(c->blob);
		c->blob = NULL;
		if (++c->row < c->nrows)
			return STORE_ROW;
		/* Done; a step after this runs the statement again. */
		pgcur_reset(c, 0);
		return STORE_OK;
	}
	if (PQstatus(pg->conn) == CONNECTION_BAD &&
	    pgstore_reconnect(pg) == -1) {
		/* Once per outage: a daemon's loop asks many times a second. */
		if (!pg->down)
			log_warnx("%s: %s", name, pg->errmsg);
		pg->down = 1;
		return STORE_EIO;
	}
	if (!c->ok) {
		pgstore_setmsg(pg, "statement not prepared on PostgreSQL");
		log_warnx("%s: %s", name, pg->errmsg);
		return STORE_ERROR;
	}
	for (i = 0; i < c->nparams; i++) {
		c->vals[i] = c->params[i].val;
		c->lens[i] = c->params[i].len;
		c->fmts[i] = c->params[i].fmt;
	}
	c->res = pgcur_exec(c);
	switch (PQresultStatus(c->res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		cs = PQcmdStatus(c->res);
		if (strncmp(cs, "INSERT ", 7) == 0 ||
		    strncmp(cs, "UPDATE ", 7) == 0 ||
		    strncmp(cs, "DELETE ", 7) == 0 ||
		    strncmp(cs, "MERGE ", 6) == 0)
			pg->changes = strtoll(PQcmdTuples(c->res), NULL, 10);
		c->nrows = PQntuples(c->res);
		c->row = 0;
		if (c->nrows > 0)
			return STORE_ROW;
		pgcur_reset(c, 0);
		return STORE_OK;
	default:
		pgstore_setmsg(pg, pgstore_resmsg(pg, c->res));
		rc = pgstore_code(pg, c->res);
		pgcur_reset(c, 0);
		if (rc != STORE_EBUSY && rc != STORE_EUNIQUE &&
		    rc != STORE_ECONSTRAINT)
			log_warnx("%s: %s", name, pg->errmsg);
		return rc;
	}
}

static int
pgcur_has(struct pgcur *c, int i)
{
	return c->res != NULL && c->row >= 0 && c->row < c->nrows && i >= 0 &&
	    i < PQnfields(c->res);
}

int
pgcur_isnull(struct pgcur *c, int i)
{
	return !pgcur_has(c, i) || PQgetisnull(c->res, c->row, i);
}

const char *
pgcur_str(struct pgcur *c, int i)
{
	const char	*v;

	if (pgcur_isnull(c, i))
		return "";
	v = PQgetvalue(c->res, c->row, i);
	/* A boolean reads as SQLite's would: 1 or 0. */
	if (PQftype(c->res, i) == PG_BOOLOID)
		return v[0] == 't' ? "1" : "0";
	return v;
}

int64_t
pgcur_i64(struct pgcur *c, int i)
{
	const char	*v = pgcur_str(c, i);
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(v, &end, 10);
	/* numeric with a fraction (an average): cut, as SQLite's cast. */
	if (*end == '.' || *end == 'e' || *end == 'E')
		n = (long long)strtod(v, NULL);
	return (int64_t)n;
}

double
pgcur_dbl(struct pgcur *c, int i)
{
	return strtod(pgcur_str(c, i), NULL);
}

const void *
pgcur_blob(struct pgcur *c, int i, size_t *len)
{
	const char	*v;

	*len = 0;
	if (pgcur_isnull(c, i))
		return NULL;
	v = PQgetvalue(c->res, c->row, i);
	if (PQftype(c->res, i) != PG_BYTEAOID) {
		*len = (size_t)PQgetlength(c->res, c->row, i);
		return v;
	}
	PQfreemem(c->blob);
	c->blob = PQunescapeBytea((const unsigned char *)v, len);
	if (c->blob == NULL)
		*len = 0;
	return c->blob;
}
