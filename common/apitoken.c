/*
 * apitoken: named API clients' tokens, stored hashed; see apitoken.h.
 */
#include <sys/random.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "apitoken.h"
#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "otp.h"
#include "staff.h"
#include "store.h"
#include "util.h"

static const char *const scope_names[] = { "messages", "broadcasts" };

const char *
apitoken_scope_name(enum apitoken_scope sc)
{
	return (size_t)sc < nitems(scope_names) ? scope_names[sc] : "?";
}

int
apitoken_scope_parse(const char *s, enum apitoken_scope *sc)
{
	size_t	 i;

	for (i = 0; i < nitems(scope_names); i++)
		if (s != NULL && strcmp(s, scope_names[i]) == 0) {
			*sc = (enum apitoken_scope)i;
			return 0;
		}
	return -1;
}

static int
dberr(struct store *s, char *err, size_t errsize)
{
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	store_rollback(s);
	return -1;
}

int
apitoken_add(struct store *s, const char *actor, const char *client,
    enum apitoken_scope sc, char *token, size_t size, char *err,
    size_t errsize)
{
	static const char	 hex[] = "0123456789abcdef";
	sqlite3_stmt		*st;
	unsigned char		 rnd[APITOKEN_SECRET_HEX / 2];
	char			 secret[APITOKEN_SECRET_HEX + 1];
	char			 hash[OTP_HASH_SIZE], detail[96];
	const char		*errstr;
	size_t			 i;
	int			 rc;

	/* A client is named like a staff account: plain, and no ':'. */
	if (staff_check_name(client, &errstr) == -1) {
		(void)util_snprintf(err, errsize, "'%s': %s", client,
		    _("a client name is 1-32 characters a-z, 0-9, '.', '_' "
		    "or '-', starting with a letter"));
		return -1;
	}
	if (size < APITOKEN_SIZE ||
	    getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		(void)util_strlcpy(err, _("no random bytes for the token"),
		    errsize);
		return -1;
	}
	for (i = 0; i < sizeof(rnd); i++) {
		secret[2 * i] = hex[rnd[i] >> 4];
		secret[2 * i + 1] = hex[rnd[i] & 0xf];
	}
	secret[APITOKEN_SECRET_HEX] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	/* The secret is random: the lowest cost keeps each request cheap. */
	if (otp_hash(secret, OTP_HASH_COST_CODE, hash, sizeof(hash),
	    &errstr) == -1) {
		(void)util_strlcpy(err, errstr, errsize);
		explicit_bzero(secret, sizeof(secret));
		return -1;
	}
	if (store_begin(s) == -1)
		return dberr(s, err, errsize);
	st = store_stmt(s, ST_TOKEN_INSERT);
	if (sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, apitoken_scope_name(sc), -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK) {
		explicit_bzero(secret, sizeof(secret));
		return dberr(s, err, errsize);
	}
	rc = sqlite3_step(st);
	(void)sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		store_rollback(s);
		explicit_bzero(secret, sizeof(secret));
		(void)util_snprintf(err, errsize, _("API client '%s' exists "
		    "already (revoked ones keep their name)"), client);
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "client=%s scope=%s",
	    client, apitoken_scope_name(sc));
	if (rc != SQLITE_DONE || store_audit(s, actor, "api token add",
	    detail) == -1 || store_commit(s) == -1) {
		explicit_bzero(secret, sizeof(secret));
		return dberr(s, err, errsize);
	}
	(void)util_snprintf(token, size, "%s:%s", client, secret);
	explicit_bzero(secret, sizeof(secret));
	return 0;
}

int
apitoken_revoke(struct store *s, const char *actor, const char *client,
    char *err, size_t errsize)
{
	sqlite3_stmt	*st;
	char		 detail[64];

	if (store_begin(s) == -1)
		return dberr(s, err, errsize);
	st = store_stmt(s, ST_TOKEN_REVOKE);
	if (sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK || store_exec(s, ST_TOKEN_REVOKE) == -1)
		return dberr(s, err, errsize);
	if (store_changes(s) != 1) {
		store_rollback(s);
		(void)util_snprintf(err, errsize, _("no live token of API "
		    "client '%s' (munictl api token list shows them)"),
		    client);
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "client=%s", client);
	if (store_audit(s, actor, "api token revoke", detail) == -1 ||
	    store_commit(s) == -1)
		return dberr(s, err, errsize);
	return 0;
}

int
apitoken_list(struct store *s, int (*cb)(void *, const struct apitoken_info *),
    void *arg)
{
	sqlite3_stmt		*st = store_stmt(s, ST_TOKEN_LIST);
	struct apitoken_info	 ti;
	enum apitoken_scope	 sc = APITOKEN_MESSAGES;
	int			 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&ti, 0, sizeof(ti));
		store_col_text(st, 0, ti.client, sizeof(ti.client));
		(void)apitoken_scope_parse((const char *)sqlite3_column_text(st,
		    1), &sc);
		ti.scope = sc;
		ti.created_at = (time_t)sqlite3_column_int64(st, 2);
		ti.revoked_at = (time_t)sqlite3_column_int64(st, 3);
		if (cb(arg, &ti) == -1)
			break;
	}
	(void)sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

long
apitoken_live(struct store *s)
{
	sqlite3_stmt	*st = store_stmt(s, ST_TOKEN_LIVE);
	long		 n = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	(void)sqlite3_reset(st);
	return n;
}

int
apitoken_check(struct store *s, const char *token, struct apitoken_info *info)
{
	sqlite3_stmt		*st;
	enum apitoken_scope	 sc = APITOKEN_MESSAGES;
	const char		*colon = strchr(token, ':');
	char			 hash[OTP_HASH_SIZE];
	size_t			 n;
	int			 rc;

	memset(info, 0, sizeof(info[0]));
	if (colon == NULL || (n = (size_t)(colon - token)) == 0 ||
	    n > APITOKEN_CLIENT_MAX ||
	    strlen(colon + 1) != APITOKEN_SECRET_HEX)
		return 1;
	memcpy(info->client, token, n);
	info->client[n] = '\0';
	st = store_stmt(s, ST_TOKEN_GET);
	if (sqlite3_bind_text(st, 1, info->client, -1, SQLITE_STATIC) !=
	    SQLITE_OK)
		return -1;
	hash[0] = '\0';
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(void)apitoken_scope_parse((const char *)sqlite3_column_text(st,
		    0), &sc);
		store_col_text(st, 1, hash, sizeof(hash));
		info->created_at = (time_t)sqlite3_column_int64(st, 2);
	}
	(void)sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("apitoken: %s", store_errmsg(s));
		return -1;
	}
	info->scope = sc;
	if (rc == SQLITE_DONE || hash[0] == '\0' ||
	    !otp_hash_check(colon + 1, hash))
		return 1;
	return 0;
}
