/*
 * pg_results: statements of store_stmts.h give the same rows and change
 * the same number of rows on both engines. Reads a script from stdin, one
 * command a line, fields split by tabs:
 *
 *   SQL	TEXT			TEXT on both (portable SQL: fixtures)
 *   SYNC			PG_SYNC_IDENTITIES on PostgreSQL, after
 *				fixtures that gave ids of their own
 *   Q	TEXT			a query on both; their rows must agree
 *   Q2	SQLITE	POSTGRES	the same, where the dialects part (JSON)
 *   ST_X	FMT	ARG...		statement ST_X: SQLite's text by the
 *				store, PostgreSQL's (its STMT2 text, or the
 *				shared one with ?N as $N) through libpq; the
 *				rows, or the number of rows changed, agree
 *
 * FMT has one character a parameter, as store_bind's: i, I or t an
 * integer, s text ("\N" for NULL), n NULL (takes no ARG). Every command
 * prints what both engines said; a difference, or an error on either,
 * fails (exit 1).
 *
 *   pg_results SQLITE_FILE CONNINFO < script
 */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h"
#include "store_pg_schema.h"
#include "util.h"

#define STMT(id, sql) { #id, sql, NULL },
#define STMT2(id, sql, pg_sql) { #id, sql, pg_sql },
static const struct {
	const char	*name;
	const char	*sql;
	const char	*pg_sql;
} stmts[] = {
#include "store_stmts.h"
};
#undef STMT
#undef STMT2

#define NOW		1781514000	/* 2026-06-15 09:00:00 UTC */
#define OUT_MAX		8192
#define ARGS_MAX	32
#define LINE_MAX_	4096

static void
put(char *out, const char *s)
{
	size_t	 len = strlen(out);

	(void)util_snprintf(out + len, OUT_MAX - len, "%s", s);
}

/* ?N as $N outside quotes (store_pg.c does the same). */
static char *
dollars(const char *sql)
{
	char	*out = xstrdup(sql), *o;
	char	 q = 0;

	for (o = out; *o != '\0'; o++) {
		if (q) {
			if (*o == q)
				q = 0;
		} else if (*o == '\'' || *o == '"')
			q = *o;
		else if (*o == '?')
			*o = '$';
	}
	return out;
}

/* SQLite's rows of c, ncols columns each, as "a|b;". */
static int
rows_sqlite(struct store *s, struct store_cur *c, int ncols, char *out)
{
	char	 num[32];
	int	 i, rc, any = 0;

	out[0] = '\0';
	while ((rc = store_step(c)) == STORE_ROW) {
		any = 1;
		for (i = 0; i < ncols; i++) {
			put(out, i ? "|" : "");
			put(out, store_isnull(c, i) ? "NULL" : store_str(c, i));
		}
		put(out, ";");
	}
	store_reset(c);
	if (rc < 0) {
		printf("SQLite: %s\n", store_errmsg(s));
		return -1;
	}
	if (!any && ncols == 0) {
		(void)snprintf(num, sizeof(num), "changed %lld",
		    (long long)store_changes(s));
		put(out, num);
	}
	return 0;
}

/* PostgreSQL's answer, in the same form; its column count in *ncols. */
static int
rows_pg(PGresult *res, int *ncols, char *out)
{
	int	 row, col;

	out[0] = '\0';
	*ncols = 0;
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		put(out, "changed ");
		put(out, *PQcmdTuples(res) ? PQcmdTuples(res) : "0");
		return 0;
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		printf("PostgreSQL: %s", PQresultErrorMessage(res));
		return -1;
	}
	*ncols = PQnfields(res);
	for (row = 0; row < PQntuples(res); row++) {
		for (col = 0; col < *ncols; col++) {
			put(out, col ? "|" : "");
			put(out, PQgetisnull(res, row, col) ? "NULL" :
			    PQgetvalue(res, row, col));
		}
		put(out, ";");
	}
	return 0;
}

static int
compare(const char *what, const char *a, const char *b)
{
	if (strcmp(a, b) != 0) {
		printf("%s: DIFFER\n\tSQLite     %s\n\tPostgreSQL %s\n", what,
		    a, b);
		return -1;
	}
	printf("%s: %s\n", what, a);
	return 0;
}

/* A query or a fixture: sqlite_sql on SQLite, pg_sql on PostgreSQL. */
static int
both(struct store *s, PGconn *pg, const char *what, const char *sqlite_sql,
    const char *pg_sql, char *a, char *b)
{
	struct store_cur *c;
	PGresult	*res;
	char		 err[512];
	int		 ncols, rc;

	res = PQexec(pg, pg_sql);
	rc = rows_pg(res, &ncols, b);
	PQclear(res);
	if (rc == -1)
		return -1;
	if ((c = store_prepare(s, sqlite_sql, strlen(sqlite_sql), err,
	    sizeof(err))) == NULL) {
		printf("SQLite: %s\n", err);
		return -1;
	}
	rc = rows_sqlite(s, c, ncols, a);
	store_cur_free(c);
	if (rc == -1)
		return -1;
	return compare(what, a, b);
}

static int
stmt(struct store *s, PGconn *pg, char **f, int nf, char *a, char *b)
{
	struct store_cur *c;
	PGresult	*res;
	const char	*params[ARGS_MAX], *fmt;
	char		*text;
	size_t		 id;
	int		 i, k, np = 0, ncols, rc = 0;
	long long	 v;

	for (id = 0; id < sizeof(stmts) / sizeof(stmts[0]); id++)
		if (strcmp(stmts[id].name, f[0]) == 0)
			break;
	if (id == sizeof(stmts) / sizeof(stmts[0]) || nf < 2) {
		printf("%s: no such statement, or no FMT\n", f[0]);
		return -1;
	}
	c = store_cur(s, (enum store_stmt)id);
	fmt = f[1];
	for (i = 0, k = 2; fmt[i] != '\0' && rc == 0; i++) {
		if (np == ARGS_MAX || (fmt[i] != 'n' && k >= nf)) {
			printf("%s: too few ARGs for %s\n", f[0], fmt);
			return -1;
		}
		if (fmt[i] == 'n' || strcmp(f[k], "\\N") == 0) {
			params[np++] = NULL;
			rc = store_bind_at(c, i + 1, "n");
			k += fmt[i] != 'n';
			continue;
		}
		params[np++] = f[k];
		if (fmt[i] == 's')
			rc = store_bind_at(c, i + 1, "s", f[k]);
		else {
			v = strtoll(f[k], NULL, 10);
			rc = store_bind_at(c, i + 1, "I", (int64_t)v);
		}
		k++;
	}
	if (rc != 0) {
		printf("%s: cannot bind\n", f[0]);
		return -1;
	}
	text = stmts[id].pg_sql ? xstrdup(stmts[id].pg_sql) :
	    dollars(stmts[id].sql);
	res = PQexecParams(pg, text, np, NULL, params, NULL, NULL, 0);
	free(text);
	rc = rows_pg(res, &ncols, b);
	PQclear(res);
	if (rc == -1) {
		store_reset(c);
		printf("\tin %s\n", f[0]);
		return -1;
	}
	if (rows_sqlite(s, c, ncols, a) == -1)
		return -1;
	return compare(f[0], a, b);
}

static int
sync_ids(PGconn *pg)
{
	PGresult	*res = PQexec(pg, PG_SYNC_IDENTITIES);
	int		 rc = 0;

	(void)pg_migrations;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		printf("SYNC: %s", PQresultErrorMessage(res));
		rc = -1;
	} else
		printf("SYNC: done\n");
	PQclear(res);
	return rc;
}

int
main(int argc, char **argv)
{
	struct store	*s;
	PGconn		*pg;
	const char	*errstr;
	char		 line[LINE_MAX_], *f[ARGS_MAX + 3], *p, *a, *b;
	int		 nf, n = 0, nbad = 0, rc;

	if (argc != 3) {
		fprintf(stderr, "usage: pg_results SQLITE_FILE CONNINFO "
		    "< script\n");
		return 2;
	}
	clock_set_fake(NOW);
	if ((s = store_open(argv[1], STORE_CREATE, &errstr)) == NULL) {
		fprintf(stderr, "pg_results: %s\n", errstr);
		return 2;
	}
	pg = PQconnectdb(argv[2]);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "pg_results: %s", PQerrorMessage(pg));
		return 2;
	}
	a = xreallocarray(NULL, OUT_MAX, 1);
	b = xreallocarray(NULL, OUT_MAX, 1);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		for (nf = 0, p = line; nf < ARGS_MAX + 2 && p != NULL; nf++)
			f[nf] = strsep(&p, "\t");
		if (strcmp(f[0], "SYNC") == 0 && nf == 1)
			rc = sync_ids(pg);
		else if (strcmp(f[0], "SQL") == 0 && nf == 2)
			rc = both(s, pg, "SQL", f[1], f[1], a, b);
		else if (strcmp(f[0], "Q") == 0 && nf == 2)
			rc = both(s, pg, f[1], f[1], f[1], a, b);
		else if (strcmp(f[0], "Q2") == 0 && nf == 3)
			rc = both(s, pg, f[1], f[1], f[2], a, b);
		else if (strncmp(f[0], "ST_", 3) == 0) {
			rc = stmt(s, pg, f, nf, a, b);
			n++;
		} else {
			printf("bad line: %s\n", line);
			rc = -1;
		}
		if (rc == -1)
			nbad++;
	}
	printf("%d statements run, %d failures\n", n, nbad);
	free(a);
	free(b);
	PQfinish(pg);
	store_close(s);
	return nbad ? 1 : 0;
}
