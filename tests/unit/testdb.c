/*
 * testdb: ":memory:" on SQLite, or a schema of this process's own on the
 * PostgreSQL database that MUNI_TEST_PG_URL names (tests/run.sh starts a
 * throwaway cluster for the run). One schema per process rather than the
 * public one: nothing stops two test programs from sharing the database.
 * The schema is emptied by dropping it (CASCADE) and making it again, and
 * dropped at exit; libpq is used directly for that because the store
 * cannot drop the tables it has prepared statements on.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "testdb.h"

static char	 schema[32];		/* "" until the first PostgreSQL open */

static const char *
pg_url(void)
{
	const char	*u = getenv("MUNI_TEST_PG_URL");

	return u != NULL && u[0] != '\0' ? u : NULL;
}

int
test_store_pg(void)
{
	return pg_url() != NULL;
}

int
test_sqlite_only(const char *why)
{
	if (!test_store_pg())
		return 0;
	printf("SKIP (sqlite only): %s\n", why);
	return 1;
}

/* Run sql on a connection of our own to the database; 0 or -1. */
static int
pg_admin(const char *sql, const char **errstr)
{
	static char	 msg[512];
	PGconn		*conn;
	PGresult	*r;
	int		 rc = 0;

	conn = PQconnectdb(pg_url());
	if (PQstatus(conn) != CONNECTION_OK) {
		(void)snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		rc = -1;
	} else {
		r = PQexec(conn, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			(void)snprintf(msg, sizeof(msg), "%s: %s", sql,
			    PQresultErrorMessage(r));
			rc = -1;
		}
		PQclear(r);
	}
	PQfinish(conn);
	if (rc == -1 && errstr != NULL)
		*errstr = msg;
	return rc;
}

static void
drop_schema(void)
{
	char	 sql[96];

	(void)snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE",
	    schema);
	if (pg_admin(sql, NULL) == -1)
		fprintf(stderr, "testdb: could not drop schema %s\n", schema);
}

struct store *
test_store_open(const char **errstr)
{
	static char	 url[1400];
	const char	*base = pg_url();
	char		 sql[160];

	if (base == NULL)
		return store_open(":memory:", STORE_CREATE | STORE_MIGRATE,
		    errstr);
	if (schema[0] == '\0') {
		(void)snprintf(schema, sizeof(schema), "u%d", (int)getpid());
		if (atexit(drop_schema) != 0)
			fprintf(stderr, "testdb: atexit failed\n");
	}
	/* Quiet: DROP ... CASCADE lists every table as a NOTICE. */
	(void)snprintf(sql, sizeof(sql), "SET client_min_messages = warning; "
	    "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
	    schema);
	if (pg_admin(sql, errstr) == -1)
		return NULL;
	/* The store's connection sees only that schema. */
	if ((size_t)snprintf(url, sizeof(url), "%s%coptions=-csearch_path%%3D%s",
	    base, strchr(base, '?') != NULL ? '&' : '?', schema) >=
	    sizeof(url)) {
		if (errstr != NULL)
			*errstr = "MUNI_TEST_PG_URL is too long";
		return NULL;
	}
	return store_open(url, STORE_CREATE | STORE_MIGRATE, errstr);
}
