/*
 * pg_sql: the SQL muni runs on PostgreSQL, printed or checked against a
 * real server, for pg_schema.sh and pg_stmts.sh. The scripts compile it
 * from the headers (it needs no muni build):
 *
 *   pg_sql schema
 *	every entry of pg_migrations[], each followed by a line
 *	"-- end of entry N"
 *   pg_sql text NAME
 *	the text statement NAME runs on PostgreSQL
 *   pg_sql check SQLITE_DB CONNINFO [-v] [NAME...]
 *	every statement of store_stmts.h (or those named) prepared on both:
 *	SQLite's text on SQLITE_DB, PostgreSQL's (its own, or the shared
 *	text with ?N spelt $N) on CONNINFO, whose schema must be current.
 *	A statement fails when PostgreSQL refuses it, when the two take a
 *	different number of parameters or give a different number of
 *	columns, or when a column is a boolean on PostgreSQL (the store
 *	reads 0/1 integers, and "t" is not one). -v prints each statement's
 *	parameter and column types. One line per failure; exit 1 if any.
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_schema.h"

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

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define OID_BOOL	16

/*
 * The shared text in PostgreSQL's spelling: ?N becomes $N outside quotes.
 * Returns a malloc'd string, or NULL with *why set when the text has a
 * parameter PostgreSQL could not take (a bare ?, or a $N of its own).
 */
static char *
pg_text(const char *sql, int shared, const char **why)
{
	char		*out, *o;
	const char	*p;
	char		 quote = 0;

	if ((out = malloc(strlen(sql) + 1)) == NULL) {
		perror("pg_sql");
		exit(2);
	}
	for (p = sql, o = out; *p != '\0'; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;	/* '' reopens at once: fine */
		} else if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '?') {
			if (!shared || p[1] < '1' || p[1] > '9') {
				*why = shared ? "a ? without a number" :
				    "a ? parameter in PostgreSQL's text";
				free(out);
				return NULL;
			}
			*o++ = '$';
			continue;
		} else if (*p == '$' && shared && p[1] >= '0' &&
		    p[1] <= '9') {
			*why = "a $N parameter in the shared text";
			free(out);
			return NULL;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int
wanted(const char *name, char **names, int nnames)
{
	int	 i;

	if (nnames == 0)
		return 1;
	for (i = 0; i < nnames; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* One statement on both engines: 0 when they agree, -1 (printed) if not. */
static int
check_one(sqlite3 *db, PGconn *pg, size_t i, int verbose)
{
	const char	*name = stmts[i].name, *why = NULL;
	sqlite3_stmt	*st;
	PGresult	*res;
	char		*text;
	int		 lparams, lcols, pparams, pcols, j, bad = 0;

	if (sqlite3_prepare_v2(db, stmts[i].sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		printf("%s: SQLite refuses it: %s\n", name,
		    sqlite3_errmsg(db));
		return -1;
	}
	lparams = sqlite3_bind_parameter_count(st);
	lcols = sqlite3_column_count(st);
	/* PostgreSQL cannot type a parameter the text does not use. */
	for (j = 1; j <= lparams; j++)
		if (sqlite3_bind_parameter_name(st, j) == NULL) {
			printf("%s: ?%d is not in the text\n", name, j);
			bad = -1;
		}
	sqlite3_finalize(st);

	text = pg_text(stmts[i].pg_sql ? stmts[i].pg_sql : stmts[i].sql,
	    stmts[i].pg_sql == NULL, &why);
	if (text == NULL) {
		printf("%s: %s\n", name, why);
		return -1;
	}
	res = PQprepare(pg, "", text, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		printf("%s: PostgreSQL refuses it: %s", name,
		    PQresultErrorMessage(res));
		printf("\t%s\n", text);
		PQclear(res);
		free(text);
		return -1;
	}
	PQclear(res);
	free(text);
	res = PQdescribePrepared(pg, "");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		printf("%s: cannot describe it: %s", name,
		    PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	pparams = PQnparams(res);
	pcols = PQnfields(res);
	if (pparams != lparams) {
		printf("%s: %d parameters on SQLite, %d on PostgreSQL\n",
		    name, lparams, pparams);
		bad = -1;
	}
	if (pcols != lcols) {
		printf("%s: %d columns on SQLite, %d on PostgreSQL\n", name,
		    lcols, pcols);
		bad = -1;
	}
	for (j = 0; j < pcols; j++)
		if (PQftype(res, j) == OID_BOOL) {
			printf("%s: column %d is a boolean on PostgreSQL\n",
			    name, j + 1);
			bad = -1;
		}
	if (verbose) {
		printf("%s: params", name);
		for (j = 0; j < pparams; j++)
			printf(" $%d:%u", j + 1, PQparamtype(res, j));
		printf(" columns");
		for (j = 0; j < pcols; j++)
			printf(" %u", PQftype(res, j));
		printf("\n");
	}
	PQclear(res);
	return bad;
}

static int
check(const char *dbpath, const char *conninfo, int argc, char **argv)
{
	sqlite3		*db;
	PGconn		*pg;
	size_t		 i, n = 0, nbad = 0;
	int		 verbose = 0;

	if (argc >= 1 && strcmp(argv[0], "-v") == 0) {
		verbose = 1;
		argc--;
		argv++;
	}
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "pg_sql: %s: %s\n", dbpath,
		    sqlite3_errmsg(db));
		return 2;
	}
	pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "pg_sql: %s", PQerrorMessage(pg));
		return 2;
	}
	for (i = 0; i < nitems(stmts); i++) {
		if (!wanted(stmts[i].name, argv, argc))
			continue;
		n++;
		if (check_one(db, pg, i, verbose) == -1)
			nbad++;
	}
	printf("%zu statements checked, %zu failed\n", n, nbad);
	PQfinish(pg);
	sqlite3_close(db);
	return nbad ? 1 : 0;
}

int
main(int argc, char **argv)
{
	size_t	 i;

	if (argc == 2 && strcmp(argv[1], "schema") == 0) {
		for (i = 0; i < nitems(pg_migrations); i++)
			printf("%s\n-- end of entry %zu\n", pg_migrations[i],
			    i);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			perror("pg_sql: stdout");
			return 2;
		}
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "text") == 0) {
		for (i = 0; i < nitems(stmts); i++) {
			const char	*why = NULL;
			char		*text;

			if (strcmp(stmts[i].name, argv[2]) != 0)
				continue;
			text = pg_text(stmts[i].pg_sql ? stmts[i].pg_sql :
			    stmts[i].sql, stmts[i].pg_sql == NULL, &why);
			if (text == NULL) {
				fprintf(stderr, "pg_sql: %s: %s\n", argv[2],
				    why);
				return 1;
			}
			printf("%s\n", text);
			free(text);
			return 0;
		}
		fprintf(stderr, "pg_sql: no statement %s\n", argv[2]);
		return 1;
	}
	if (argc >= 4 && strcmp(argv[1], "check") == 0)
		return check(argv[2], argv[3], argc - 4, argv + 4);
	fprintf(stderr, "usage: pg_sql schema | text NAME | "
	    "check SQLITE_DB CONNINFO [-v] [NAME...]\n");
	return 2;
}
