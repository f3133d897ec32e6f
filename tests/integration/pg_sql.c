/*
 * pg_sql: prints the SQL muni runs on PostgreSQL, for the scripts that
 * check it against a real server (pg_schema.sh, pg_stmts.sh). Compiled by
 * them from the headers alone, so it needs neither libpq nor a build:
 *
 *   pg_sql schema   every entry of pg_migrations[], each ended by a line
 *                   "-- end of entry N"
 *   pg_sql stmts    one line per statement of store_stmts.h: its name, a
 *                   tab, "2" (STMT2: PostgreSQL's own text) or "1" (the
 *                   shared text), a tab, and the text PostgreSQL runs
 *   pg_sql sqlite   the same for SQLite's texts
 *
 * A statement text with a newline or a tab in it is refused: the line
 * format could not carry it, and no statement needs one.
 */
#include <stdio.h>
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

static int
put_stmt(const char *name, const char *kind, const char *sql)
{
	if (strpbrk(sql, "\n\t") != NULL) {
		fprintf(stderr, "pg_sql: %s: a newline or tab in its text\n",
		    name);
		return -1;
	}
	printf("%s\t%s\t%s\n", name, kind, sql);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t	 i;
	int	 rc = 0;

	if (argc != 2)
		goto usage;
	if (strcmp(argv[1], "schema") == 0) {
		for (i = 0; i < sizeof(pg_migrations) /
		    sizeof(pg_migrations[0]); i++)
			printf("%s\n-- end of entry %zu\n", pg_migrations[i], i);
	} else if (strcmp(argv[1], "stmts") == 0) {
		for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
			if (put_stmt(stmts[i].name, stmts[i].pg_sql ? "2" : "1",
			    stmts[i].pg_sql ? stmts[i].pg_sql :
			    stmts[i].sql) == -1)
				rc = 1;
	} else if (strcmp(argv[1], "sqlite") == 0) {
		for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
			if (put_stmt(stmts[i].name, stmts[i].pg_sql ? "2" : "1",
			    stmts[i].sql) == -1)
				rc = 1;
	} else
		goto usage;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("pg_sql: stdout");
		return 1;
	}
	return rc;
usage:
	fprintf(stderr, "usage: pg_sql schema|stmts|sqlite\n");
	return 2;
}
