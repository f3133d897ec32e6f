/*
 * ctl_pg: munictl's PostgreSQL work (issue 19). The three group roles that
 * `munictl init` makes and grants table by table (the grants live in the
 * one table below, so a review reads them in one place), and `munictl
 * migrate --to URL`, which copies the configured SQLite database into an
 * empty PostgreSQL database in one transaction.
 *
 * Both build SQL at run time, which nothing else outside the group-rule
 * compiler does: the names come from the database's own catalogue or from
 * the grant table, are checked to be plain lower-case identifiers, and are
 * quoted; every value is bound.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

/*
 * The roles: NOLOGIN groups that the DBA grants to login users (GRANT
 * muni_kiosk TO kiosk_library3). The names are fixed, so the documentation
 * and a DBA's scripts can name them.
 */
#define PG_ROLE_GATEWAY	"muni_gateway"
#define PG_ROLE_KIOSK	"muni_kiosk"
#define PG_ROLE_STAFF	"muni_staff"

/*
 * Each table's privileges for each role, in PostgreSQL's ACL letters: r
 * SELECT, a INSERT, w UPDATE, d DELETE; "" nothing. A table missing here
 * makes init fail, so a new table cannot go ungranted (or granted to all).
 *
 * The gateway (muni-smsgw: SMPP, MO replies, the API, callbacks, reminders,
 * broadcasts, retention) writes the message tables, what residents change
 * by SMS and the API, and the callback targets of its configuration; it
 * reads staff and reference data. The kiosk
 * in a library reads what a resident sees after sign-in (residents, fees,
 * payments, queue entries, topics, the card's offers and the groups that
 * entitle to them) and writes one-time codes (and their
 * SMS), lock-outs, reports, topic choices and audit rows, nothing else: no
 * inbox, no staff, no broadcasts (a kiosk with the staff menu connects as
 * muni_staff). Staff (munictl) may do all but rewrite the audit log. The
 * card key (card.c) is made once and never rewritten, and no kiosk reads it.
 */
static const struct pg_grant {
	const char	*table;
	const char	*gateway;
	const char	*kiosk;
	const char	*staff;
} pg_grants[] = {
	{ "api_idempotency",	"rawd",	"",	"rawd" },
	{ "api_tokens",		"rw",	"",	"rawd" },
	{ "audit_log",		"ra",	"ra",	"ra" },
	{ "broadcasts",		"rawd",	"",	"rawd" },
	{ "callback_targets",	"rawd",	"",	"rawd" },
	{ "callbacks",		"rawd",	"",	"rawd" },
	{ "card_check_offers",	"rawd",	"",	"rawd" },
	{ "card_checks",	"rawd",	"",	"rawd" },
	{ "card_codes",		"rawd",	"r",	"rawd" },
	{ "card_key",		"ra",	"",	"ra" },
	{ "counters",		"rawd",	"raw",	"rawd" },
	{ "fee_kinds",		"r",	"r",	"rawd" },
	{ "fees",		"rawd",	"r",	"rawd" },
	{ "group_members",	"rawd",	"r",	"rawd" },
	{ "groups",		"r",	"",	"rawd" },
	{ "inbox",		"rawd",	"",	"rawd" },
	{ "institutions",	"r",	"r",	"rawd" },
	{ "lockouts",		"rawd",	"rawd",	"rawd" },
	{ "merchant_phones",	"r",	"",	"rawd" },
	{ "merchants",		"r",	"r",	"rawd" },
	{ "mo_parts",		"rawd",	"",	"rawd" },
	{ "muni_meta",		"r",	"r",	"r" },
	{ "offers",		"r",	"r",	"rawd" },
	{ "otp",		"rawd",	"rawd",	"rawd" },
	{ "otp_sends",		"rawd",	"rad",	"rawd" },
	{ "outbox",		"rawd",	"a",	"rawd" },
	{ "outbox_parts",	"rawd",	"",	"rawd" },
	{ "payments",		"r",	"r",	"rawd" },
	{ "priority_classes",	"r",	"r",	"rawd" },
	{ "queue_entries",	"rawd",	"r",	"rawd" },
	{ "receipts_pending",	"rawd",	"",	"rawd" },
	{ "reminders_sent",	"rawd",	"",	"rawd" },
	{ "reports",		"rawd",	"ra",	"rawd" },
	{ "residents",		"rawd",	"r",	"rawd" },
	{ "staff",		"r",	"",	"rawd" },
	{ "stop_all_left",	"rawd",	"rad",	"rawd" },
	{ "subscriptions",	"rawd",	"rawd",	"rawd" },
	{ "topics",		"r",	"r",	"rawd" },
	{ "ussd_sessions",	"rawd",	"",	"rawd" },
};

/*
 * Column grants beside the table's letters. The kiosk queues a code's SMS
 * and cancels a resident's queued broadcasts when they stop a topic, so it
 * reads and updates the state of outbox rows, never their text; it gives
 * a fee without a payment reference its reference, and changes no amount.
 */
static const struct pg_colgrant {
	const char	*role;
	const char	*grant;		/* "PRIV (columns)" */
	const char	*table;
} pg_colgrants[] = {
	{ PG_ROLE_KIOSK, "SELECT (id, state, resident_id, phone, broadcast_id, "
	    "topic, updated_at)", "outbox" },
	{ PG_ROLE_KIOSK, "UPDATE (state, secret, updated_at)", "outbox" },
	{ PG_ROLE_KIOSK, "SELECT (id, topic, emergency)", "broadcasts" },
	/* A fee imported before references existed gets one when shown. */
	{ PG_ROLE_KIOSK, "UPDATE (reference)", "fees" },
};

/* Whether name is a plain identifier: safe to quote into SQL. */
static int
pg_ident_ok(const char *name)
{
	size_t	 n = strlen(name);

	if (n == 0 || n > 63 || name[0] < 'a' || name[0] > 'z')
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* Append s to the text in buf: 0, or -1 when it was cut. */
static int
pg_append(char *buf, size_t size, const char *s)
{
	size_t	 n = strlen(buf);

	return util_strlcpy(buf + n, s, size - n);
}

/* Built SQL, prepared: NULL after saying why (err names the text). */
static struct store_cur *pg_build(struct store *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

static struct store_cur *
pg_build(struct store *s, const char *fmt, ...)
{
	struct store_cur *c;
	va_list		 ap;
	char		 sql[4096], err[512];
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(sql)) {
		fprintf(stderr, "munictl: %s\n", _("a statement is too long"));
		return NULL;
	}
	if ((c = store_prepare(s, sql, (size_t)n, err, sizeof(err))) == NULL)
		fprintf(stderr, "munictl: %s: %s\n", err, sql);
	return c;
}

/* Built SQL run once (DDL, GRANT): 0, or -1 after saying why. */
static int pg_run(struct store *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

static int
pg_run(struct store *s, const char *fmt, ...)
{
	struct store_cur *c;
	va_list		 ap;
	char		 sql[4096];
	int		 n, rc;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(sql) ||
	    (c = pg_build(s, "%s", sql)) == NULL)
		return -1;
	if ((rc = store_run(c)) < 0)
		fprintf(stderr, "munictl: %s: %s\n", sql, store_errmsg(s));
	store_cur_free(c);
	return rc < 0 ? -1 : 0;
}

/* The schema muni's tables are in, into buf: 0 or -1. */
static int
pg_schema(struct store *s, char *buf, size_t size)
{
	struct store_cur *c = store_cur(s, ST_META_SCHEMA);
	int		 rc;

	if ((rc = store_step(c)) == STORE_ROW)
		store_text(c, 0, buf, size);
	store_reset(c);
	return rc == STORE_ROW && pg_ident_ok(buf) ? 0 : -1;
}

/* Letters to "SELECT, INSERT, ...": "" for none. */
static void
pg_privs(const char *letters, char *buf, size_t size)
{
	static const struct { char l; const char *priv; } map[] = {
		{ 'r', "SELECT" }, { 'a', "INSERT" }, { 'w', "UPDATE" },
		{ 'd', "DELETE" },
	};
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strchr(letters, map[i].l) == NULL)
			continue;
		if (buf[0] != '\0')
			(void)pg_append(buf, size, ", ");
		(void)pg_append(buf, size, map[i].priv);
	}
}

static const struct pg_grant *
pg_grant_of(const char *table)
{
	size_t	 i;

	for (i = 0; i < sizeof(pg_grants) / sizeof(pg_grants[0]); i++)
		if (strcmp(pg_grants[i].table, table) == 0)
			return &pg_grants[i];
	return NULL;
}

/*
 * Make the three roles (where missing) and give each exactly the grants
 * above, in one transaction: earlier grants are revoked first, so the
 * table is the whole truth after every init. 0, or -1 after saying why.
 */
int
ctl_pg_roles(struct store *s)
{
	static const char *roles[] = {
		PG_ROLE_GATEWAY, PG_ROLE_KIOSK, PG_ROLE_STAFF
	};
	const struct pg_grant *g;
	struct store_cur *c;
	const char	*letters;
	char		 schema[64], table[128], privs[64];
	int64_t		 n;
	size_t		 i;
	int		 rc;

	if (pg_schema(s, schema, sizeof(schema)) == -1) {
		fprintf(stderr, "munictl: %s\n",
		    _("cannot read the database's schema name"));
		return -1;
	}
	if (store_begin(s) == -1)
		return -1;
	for (i = 0; i < 3; i++) {
		n = 0;
		if (store_one_i64(s, ST_META_ROLE, &n, "s", roles[i]) < 0)
			goto fail;
		if (n == 0 &&
		    pg_run(s, "CREATE ROLE %s NOLOGIN", roles[i]) == -1)
			goto fail;
		if (pg_run(s, "REVOKE ALL ON ALL TABLES IN SCHEMA \"%s\" "
		    "FROM %s", schema, roles[i]) == -1 ||
		    pg_run(s, "GRANT USAGE ON SCHEMA \"%s\" TO %s", schema,
		    roles[i]) == -1 ||
		    /* lastval() after an INSERT reads the table's sequence. */
		    pg_run(s, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "
		    "\"%s\" TO %s", schema, roles[i]) == -1)
			goto fail;
	}
	c = store_cur(s, ST_META_TABLES);
	while ((rc = store_step(c)) == STORE_ROW) {
		store_text(c, 0, table, sizeof(table));
		if (!pg_ident_ok(table) || (g = pg_grant_of(table)) == NULL) {
			store_reset(c);
			fprintf(stderr, "munictl: %s: %s\n", table,
			    _("table has no grants in munictl (ctl_pg.c)"));
			goto fail;
		}
		for (i = 0; i < 3; i++) {
			letters = i == 0 ? g->gateway : i == 1 ? g->kiosk :
			    g->staff;
			pg_privs(letters, privs, sizeof(privs));
			if (privs[0] != '\0' && pg_run(s, "GRANT %s ON \"%s\" "
			    "TO %s", privs, table, roles[i]) == -1) {
				store_reset(c);
				goto fail;
			}
		}
	}
	store_reset(c);
	if (rc < 0)
		goto fail;
	for (i = 0; i < sizeof(pg_colgrants) / sizeof(pg_colgrants[0]); i++)
		if (pg_run(s, "GRANT %s ON \"%s\" TO %s", pg_colgrants[i].grant,
		    pg_colgrants[i].table, pg_colgrants[i].role) == -1)
			goto fail;
	if (store_commit(s) == -1)
		goto fail;
	for (i = 0; i < 3; i++)
		printf("role=%s\n", roles[i]);
	return 0;
fail:
	store_rollback(s);
	fprintf(stderr, "munictl init: %s\n",
	    _("the roles were not made (making roles needs CREATEROLE)"));
	return -1;
}

/* One table's columns, as ST_META_COLUMNS reads them on the target. */
#define PG_MAXCOLS	64
struct pg_cols {
	int	 n;
	char	 name[PG_MAXCOLS][64];
	char	 kind[PG_MAXCOLS];
	int	 identity;	/* the identity column's index, or -1 */
};

static int
pg_columns(struct store *s, const char *table, struct pg_cols *cols)
{
	struct store_cur *c = store_cur(s, ST_META_COLUMNS);
	int		 rc;

	cols->n = 0;
	cols->identity = -1;
	if (store_bind(c, "s", table) < 0)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if (cols->n == PG_MAXCOLS)
			break;
		store_text(c, 0, cols->name[cols->n], sizeof(cols->name[0]));
		cols->kind[cols->n] = store_str(c, 1)[0];
		if (store_int(c, 2) && cols->identity == -1)
			cols->identity = cols->n;
		if (!pg_ident_ok(cols->name[cols->n]))
			break;
		cols->n++;
	}
	store_reset(c);
	if (rc != STORE_OK) {
		fprintf(stderr, "munictl migrate: %s: %s\n", table,
		    _("cannot read the table's columns"));
		return -1;
	}
	return 0;
}

/* A table's row count: 0, or -1 after saying why. */
static int
pg_count(struct store *s, const char *table, int64_t *n)
{
	struct store_cur *c;
	int		 rc;

	if ((c = pg_build(s, "SELECT count(*) FROM \"%s\"", table)) == NULL)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		*n = store_i64(c, 0);
	else
		fprintf(stderr, "munictl migrate: %s: %s\n", table,
		    store_errmsg(s));
	store_cur_free(c);
	return rc == STORE_ROW ? 0 : -1;
}

/* The tables ST_META_TABLES lists, into names: how many, or -1. */
#define PG_MAXTABLES	256
static int
pg_tables(struct store *s, char (*names)[64])
{
	struct store_cur *c = store_cur(s, ST_META_TABLES);
	int		 n = 0, rc;

	while ((rc = store_step(c)) == STORE_ROW && n < PG_MAXTABLES)
		store_text(c, 0, names[n++], sizeof(names[0]));
	store_reset(c);
	if (rc != STORE_OK) {
		fprintf(stderr, "munictl migrate: %s\n", rc == STORE_ROW ?
		    _("more tables than munictl can copy") : store_errmsg(s));
		return -1;
	}
	return n;
}

/* Whether table is among the source's tables. */
static int
pg_has_table(char (*names)[64], int n, const char *table)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], table) == 0)
			return 1;
	return 0;
}

/*
 * Copy one table's rows from src into dst, in id order: values go as
 * text to PostgreSQL, which parses them into the column's type and refuses
 * what does not fit (SQLite keeps 'abc' in an INTEGER column). Real
 * numbers go as doubles, blobs as bytes. *copied is the number of rows.
 */
static int
pg_copy_table(struct store *src, struct store *dst, const char *table,
    const struct pg_cols *cols, int64_t *copied)
{
	struct store_cur *in = NULL, *out = NULL;
	const void	*b;
	size_t		 len;
	char		 list[4096], vals[1024], num[16];
	int		 i, rc = -1, st;

	list[0] = vals[0] = '\0';
	for (i = 0; i < cols->n; i++) {
		/* Names are plain identifiers (pg_columns), 64 at most. */
		(void)util_snprintf(num, sizeof(num), "%s?%d", i ? ", " : "",
		    i + 1);
		if (pg_append(list, sizeof(list), i ? ", \"" : "\"") == -1 ||
		    pg_append(list, sizeof(list), cols->name[i]) == -1 ||
		    pg_append(list, sizeof(list), "\"") == -1 ||
		    pg_append(vals, sizeof(vals), num) == -1)
			return -1;
	}
	if (cols->identity >= 0)
		in = pg_build(src, "SELECT %s FROM \"%s\" ORDER BY \"%s\"",
		    list, table, cols->name[cols->identity]);
	else
		in = pg_build(src, "SELECT %s FROM \"%s\"", list, table);
	if (in == NULL ||
	    (out = pg_build(dst, "INSERT INTO \"%s\" (%s) VALUES (%s)", table,
	    list, vals)) == NULL)
		goto done;
	*copied = 0;
	while ((st = store_step(in)) == STORE_ROW) {
		for (i = 0; i < cols->n; i++) {
			if (store_isnull(in, i))
				st = store_bind_at(out, i + 1, "n");
			else if (cols->kind[i] == 'd')
				st = store_bind_at(out, i + 1, "d",
				    store_dbl(in, i));
			else if (cols->kind[i] == 'b') {
				b = store_blob(in, i, &len);
				st = store_bind_bytes(out, i + 1, b, len);
			} else
				st = store_bind_at(out, i + 1, "c",
				    store_str(in, i));
			if (st < 0)
				goto done;
		}
		if (store_run(out) < 0) {
			fprintf(stderr, "munictl migrate: %s: ", table);
			fprintf(stderr, _("row %lld"), (long long)*copied + 1);
			fprintf(stderr, ": %s\n", store_errmsg(dst));
			goto done;
		}
		(*copied)++;
	}
	if (st < 0) {
		fprintf(stderr, "munictl migrate: %s: %s\n", table,
		    store_errmsg(src));
		goto done;
	}
	rc = 0;
done:
	if (in != NULL)
		store_cur_free(in);
	if (out != NULL)
		store_cur_free(out);
	return rc;
}

/*
 * munictl migrate --to URL: the configured SQLite database into an empty
 * PostgreSQL database. The target's schema is made by store_open as init
 * makes it; then, in one transaction, each table (those others refer to
 * first) is copied with its triggers off (they already did their work in
 * the source), its identity sequence set past the copied ids, and its
 * count checked against the source's. Any failure rolls it all back.
 */
int
ctl_migrate(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*src = NULL, *dst = NULL;
	struct pg_cols	*cols = NULL;
	char		 (*names)[64] = NULL, (*order)[64] = NULL;
	const char	*url = NULL, *path, *errstr;
	int64_t		 n, m, copied;
	int		 nsrc = 0, ndst = 0, i, rc, status = 1, tx = 0;

	while ((rc = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (rc != 't')
			return ctl_usage("migrate");
		url = optarg;
	}
	if (url == NULL || argc != optind)
		return ctl_usage("migrate");
	path = config_str(ctl->cfg, CFG_DATABASE_PATH);
	if (config_str(ctl->cfg, CFG_DATABASE_URL)[0] != '\0') {
		fprintf(stderr, "munictl migrate: %s\n", _("the configuration "
		    "names a PostgreSQL database: migrate copies from the "
		    "SQLite file in [database] path"));
		return 1;
	}
	if (strncmp(url, "postgresql://", 13) != 0 &&
	    strncmp(url, "postgres://", 11) != 0) {
		fprintf(stderr, "munictl migrate: %s: %s\n", url,
		    _("--to takes a postgresql:// URL"));
		return 1;
	}
	if ((src = store_open(path, 0, &errstr)) == NULL) {
		fprintf(stderr, "munictl migrate: %s\n", errstr);
		return 1;
	}
	if ((dst = store_open(url, STORE_CREATE, &errstr)) == NULL) {
		fprintf(stderr, "munictl migrate: %s\n", errstr);
		goto done;
	}
	names = xcalloc(PG_MAXTABLES, sizeof(*names));
	order = xcalloc(PG_MAXTABLES, sizeof(*order));
	cols = xcalloc(1, sizeof(*cols));

	/* The source's tables, and the target's in dependency order. */
	if ((nsrc = pg_tables(src, names)) == -1 ||
	    (ndst = pg_tables(dst, order)) == -1)
		goto done;
	for (i = 0; i < nsrc; i++) {
		if (pg_has_table(order, ndst, names[i]))
			continue;
		fprintf(stderr, "munictl migrate: %s: %s\n", names[i],
		    _("the source has a table the target's schema lacks: "
		    "is the source newer than this program?"));
		goto done;
	}
	/*
	 * Empty: no rows but the schema's own (muni_meta, the fee kinds it
	 * seeds, which the source's replace).
	 */
	for (i = 0; i < ndst; i++) {
		if (!pg_ident_ok(order[i])) {
			fprintf(stderr, "munictl migrate: %s: %s\n", order[i],
			    _("an unexpected table name"));
			goto done;
		}
		if (strcmp(order[i], "muni_meta") == 0 ||
		    strcmp(order[i], "fee_kinds") == 0)
			continue;
		if (pg_count(dst, order[i], &n) == -1)
			goto done;
		if (n != 0) {
			fprintf(stderr, "munictl migrate: ");
			fprintf(stderr, _("the target is not empty: table %s "
			    "has %lld rows"), order[i], (long long)n);
			fputc('\n', stderr);
			goto done;
		}
	}
	if (store_begin(src) == -1 || store_begin(dst) == -1)
		goto done;
	tx = 1;
	if (pg_run(dst, "DELETE FROM fee_kinds") == -1)
		goto done;
	for (i = 0; i < ndst; i++) {
		if (strcmp(order[i], "muni_meta") == 0)
			continue;
		if (!pg_has_table(names, nsrc, order[i])) {
			fprintf(stderr, "munictl migrate: %s: %s\n", order[i],
			    _("the source lacks this table: run `munictl init` "
			    "on it first"));
			goto done;
		}
		if (pg_columns(dst, order[i], cols) == -1)
			goto done;
		if (pg_run(dst, "ALTER TABLE \"%s\" DISABLE TRIGGER USER",
		    order[i]) == -1 ||
		    pg_copy_table(src, dst, order[i], cols, &copied) == -1 ||
		    pg_run(dst, "ALTER TABLE \"%s\" ENABLE TRIGGER USER",
		    order[i]) == -1)
			goto done;
		if (cols->identity >= 0 && pg_run(dst, "SELECT setval("
		    "pg_get_serial_sequence('\"%s\"', '%s'),"
		    " coalesce(max(\"%s\"), 0) + 1, false) FROM \"%s\"",
		    order[i],
		    cols->name[cols->identity], cols->name[cols->identity],
		    order[i]) == -1)
			goto done;
		if (pg_count(src, order[i], &n) == -1 ||
		    pg_count(dst, order[i], &m) == -1)
			goto done;
		if (n != m || n != copied) {
			fprintf(stderr, "munictl migrate: %s: ", order[i]);
			fprintf(stderr, _("%lld rows in the source, %lld in "
			    "the target"), (long long)n, (long long)m);
			fputc('\n', stderr);
			goto done;
		}
		printf("%s rows=%lld\n", order[i], (long long)m);
	}
	if (store_commit(dst) == -1)
		goto done;
	tx = 0;
	store_rollback(src);
	printf("migrated=%s\n", path);
	status = 0;
done:
	if (status != 0) {
		if (tx) {
			store_rollback(dst);
			store_rollback(src);
		}
		fprintf(stderr, "munictl migrate: %s\n", _("nothing was "
		    "copied; the target's tables are as they were"));
	}
	free(names);
	free(order);
	free(cols);
	if (dst != NULL)
		store_close(dst);
	store_close(src);
	return status;
}
