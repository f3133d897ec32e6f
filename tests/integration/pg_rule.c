/*
 * pg_rule: the group-rule compiler's two dialects give the same answers.
 * For each rule read from stdin (one a line), each of its statements
 * (count, members, members once) runs on SQLite through the store
 * (rule_prepare) and, in PostgreSQL's text (rule_sql, rule_values), on a
 * PostgreSQL database through libpq; every row of both is printed, and a
 * difference, or a rule PostgreSQL refuses, fails. Both databases get the
 * same residents first (FIXTURE below). Built and run by pg_rule.sh,
 * linked with the build's libmuni.a.
 *
 *   pg_rule SQLITE_FILE CONNINFO < rules
 */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rule.h"
#include "store.h"
#include "util.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */
#define OUT_MAX	8192		/* bytes of one statement's rows */

/*
 * Residents whose answers differ by rule (test_rule's, with its topics):
 * ages on and around a birthday, phones of each kind, an unknown birth
 * date, a territory made of SQL, queue entries active and withdrawn, fees
 * paid, part paid and due, subscriptions by choice and by default.
 */
static const char *const fixture[] = {
	"INSERT INTO topics (id, code, name_lv, name_en, default_on,"
	" emergency) VALUES (1, 'kultura', 'Kultūra', 'Culture', 0, 0),"
	" (2, 'nodokli', 'Nodokļi', 'Taxes', 1, 0),"
	" (3, 'arkartas', 'Ārkārtas', 'Emergency', 1, 1)",
	"INSERT INTO residents (id, personal_code, given_name, family_name,"
	" phone, phone_kind, lang, territory, birth_date, updated_at) VALUES"
	" (1, 'c1', 'Jānis', 'Bērziņš', '+37120000001', 0, 'lv', 'Dobele',"
	"  '1961-06-15', 0),"
	" (2, 'c2', 'Anna', 'Ozola', '+37160000002', 1, 'ru', 'Auru pagasts',"
	"  '1961-06-16', 0),"
	" (3, 'c3', 'Ēriks', 'Lācis', '+4915112345678', 2, 'en',"
	"  'Bēnes pagasts', '2000-01-01', 0),"
	" (4, 'c4', 'Līga', 'Kalniņa', NULL, NULL, 'lv',"
	"  'O''Brien; DROP TABLE residents; --', NULL, 0),"
	" (5, 'c5', 'Pēteris', 'Zariņš', '+37120000005', 0, 'lv', 'Dobele',"
	"  '1950-02-28', 0),"
	" (6, 'c6', 'Dace', 'Liepa', '+37120000006', 0, 'lv', 'Auru pagasts',"
	"  '2008-06-15', 0)",
	"INSERT INTO institutions (id, name) VALUES"
	" (1, 'Dobeles PII \"Zīlīte\"'), (2, 'Auces PII \"Pasaciņa\"')",
	"INSERT INTO queue_entries (id, child_code, child_given_name,"
	" child_family_name, guardian_id, institution_id, registered_at,"
	" desired_start, status, updated_at) VALUES"
	" (1, 'k1', 'Anna', 'Zariņa', 5, 1, '2025-01-01 10:00:00', '2027-09',"
	"  'active', 0),"
	" (2, 'k2', 'Roberts', 'Liepa', 6, 2, '2025-01-01 10:00:00', '2027-09',"
	"  'withdrawn', 0)",
	"INSERT INTO fees (id, resident_id, kind, period, amount_cents,"
	" due_date, paid_cents, updated_at) VALUES"
	" (1, 1, 'nin', '2026', 5000, '2026-03-31', 0, 0),"
	" (2, 2, 'nin', '2026-Q3', 5000, '2026-08-17', 100, 0),"
	" (3, 3, 'dog', '2026', 1000, '2026-03-02', 1000, 0),"
	" (4, 5, 'dog', '2026', 500, '2026-03-02', 0, 0)",
	"INSERT INTO subscriptions (resident_id, topic_id, subscribed,"
	" updated_at) VALUES (1, 1, 1, 0), (2, 2, 0, 0), (3, 3, 0, 0)",
};

/*
 * The members statements' own parameters ?1-?8: from the start, up to
 * 1000 rows; then the broadcast columns off (all NULL) or on (topic
 * nodokli with its default, fee kind nin, the queue entry at Zīlīte).
 */
static const char *const extras[2][6] = {
	{ NULL, NULL, NULL, NULL, NULL, NULL },
	{ NULL, "2", "1", "nin", "1", "Dobeles PII \"Zīlīte\"" },
};

static void
put(char *out, const char *s)
{
	size_t	 len = strlen(out);

	(void)util_snprintf(out + len, OUT_MAX - len, "%s", s);
}

/* Rows of the statement on SQLite, as "a|b|c;" each. */
static int
run_sqlite(struct store *s, const struct rule *r, enum rule_query q,
    int x, char *out)
{
	struct store_cur *c;
	char		 err[RULE_ERR_SIZE];
	int		 i, n, rc;

	out[0] = '\0';
	if ((c = rule_prepare(s, r, q, err, sizeof(err))) == NULL) {
		printf("SQLite refuses it: %s\n", err);
		return -1;
	}
	/* As groups.c binds them. */
	if (q != RULE_COUNT && (store_bind(c, "II", (int64_t)0,
	    (int64_t)1000) != STORE_OK || (x ? store_bind_at(c, 4, "Iicis",
	    (int64_t)2, 1, "nin", 1, extras[x][5]) : store_bind_at(c, 4,
	    "nnnnn")) != STORE_OK)) {
		store_cur_free(c);
		return -1;
	}
	/* count(*), or the ten columns of groups.h's member layout. */
	n = q == RULE_COUNT ? 1 : 10;
	while ((rc = store_step(c)) == STORE_ROW) {
		for (i = 0; i < n; i++) {
			put(out, i ? "|" : "");
			put(out, store_isnull(c, i) ? "NULL" : store_str(c, i));
		}
		put(out, ";");
	}
	store_cur_free(c);
	return rc == STORE_OK ? 0 : -1;
}

/* The same rows from PostgreSQL's text of the statement. */
static int
run_pg(PGconn *pg, const struct rule *r, enum rule_query q, int x,
    char *out)
{
	const char	*params[8 + 64];
	char		*sql, **vals;
	PGresult	*res;
	size_t		 nb, nv, i;
	int		 first, np = 0, row, col, rc = -1;

	out[0] = '\0';
	sql = rule_sql(r, q, STORE_POSTGRES, &nb);
	nv = rule_values(r, q, &vals);
	first = rule_param_first(q, STORE_POSTGRES);
	if (nv != nb || nv > 64) {
		printf("%zu values for %zu parameters\n", nv, nb);
		goto out;
	}
	if (first > 1) {
		params[np++] = "0";
		params[np++] = "1000";
		for (i = 0; i < 6; i++)
			params[np++] = extras[x][i];
	}
	for (i = 0; i < nv; i++)
		params[np++] = vals[i];
	res = PQexecParams(pg, sql, np, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		printf("PostgreSQL refuses it: %s\t%s\n",
		    PQresultErrorMessage(res), sql);
		PQclear(res);
		goto out;
	}
	for (row = 0; row < PQntuples(res); row++) {
		for (col = 0; col < PQnfields(res); col++) {
			put(out, col ? "|" : "");
			put(out, PQgetisnull(res, row, col) ? "NULL" :
			    PQgetvalue(res, row, col));
		}
		put(out, ";");
	}
	PQclear(res);
	rc = 0;
out:
	for (i = 0; i < nv; i++)
		free(vals[i]);
	free(vals);
	free(sql);
	return rc;
}

static int
load(struct store *s, PGconn *pg)
{
	struct store_cur *c;
	PGresult	*res;
	char		 err[256];
	size_t		 i;
	int		 ok;

	for (i = 0; i < sizeof(fixture) / sizeof(fixture[0]); i++) {
		c = store_prepare(s, fixture[i], strlen(fixture[i]), err,
		    sizeof(err));
		if (c == NULL || store_run(c) != STORE_OK) {
			fprintf(stderr, "pg_rule: fixture %zu on SQLite: %s\n",
			    i, c == NULL ? err : store_errmsg(s));
			store_cur_free(c);
			return -1;
		}
		store_cur_free(c);
		res = PQexec(pg, fixture[i]);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			fprintf(stderr, "pg_rule: fixture %zu on PostgreSQL: "
			    "%s", i, PQresultErrorMessage(res));
		PQclear(res);
		if (!ok)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const qname[] = { "count", "members", "once" };
	struct store	*s;
	struct rule	*r;
	PGconn		*pg;
	const char	*errstr;
	char		 line[RULE_TEXT_MAX + 2], err[RULE_ERR_SIZE];
	char		*a, *b;
	size_t		 len, nrules = 0, nbad = 0;
	int		 q, x;

	if (argc != 3) {
		fprintf(stderr, "usage: pg_rule SQLITE_FILE CONNINFO "
		    "< rules\n");
		return 2;
	}
	clock_set_fake(NOW);
	if ((s = store_open(argv[1], STORE_CREATE, &errstr)) == NULL) {
		fprintf(stderr, "pg_rule: %s\n", errstr);
		return 2;
	}
	pg = PQconnectdb(argv[2]);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "pg_rule: %s", PQerrorMessage(pg));
		return 2;
	}
	if (load(s, pg) == -1)
		return 2;
	a = xreallocarray(NULL, OUT_MAX, 1);
	b = xreallocarray(NULL, OUT_MAX, 1);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		len = strcspn(line, "\n");
		line[len] = '\0';
		if (len == 0)
			continue;
		if ((r = rule_parse(line, err, sizeof(err))) == NULL) {
			printf("%s: %s\n", line, err);
			nbad++;
			continue;
		}
		nrules++;
		for (q = RULE_COUNT; q <= RULE_MEMBERS_ONCE; q++)
		for (x = 0; x < (q == RULE_COUNT ? 1 : 2); x++) {
			printf("%s\t%s%s\t", line, qname[q], x ? "+" : "");
			if (run_sqlite(s, r, (enum rule_query)q, x, a) == -1 ||
			    run_pg(pg, r, (enum rule_query)q, x, b) == -1) {
				nbad++;
				continue;
			}
			if (strcmp(a, b) != 0) {
				printf("DIFFER\n\tSQLite     %s\n"
				    "\tPostgreSQL %s\n", a, b);
				nbad++;
			} else
				printf("%s\n", a);
		}
		rule_free(r);
	}
	printf("%zu rules, %zu differences\n", nrules, nbad);
	free(a);
	free(b);
	PQfinish(pg);
	store_close(s);
	return nbad ? 1 : 0;
}
