/*
 * apitoken: named API clients' tokens, stored hashed; see apitoken.h.
 */
#include <sys/random.h>

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

int
apitoken_add(struct store *s, const char *actor, const char *client,
    enum apitoken_scope sc, char *token, size_t size, char *err,
    size_t errsize)
{
	static const char	 hex[] = "0123456789abcdef";
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
		return store_abort(s, err, errsize);
	rc = store_do(s, ST_TOKEN_INSERT, "ssst", client,
	    apitoken_scope_name(sc), hash, clock_now());
	if (rc == STORE_EUNIQUE) {
		store_rollback(s);
		explicit_bzero(secret, sizeof(secret));
		(void)util_snprintf(err, errsize, _("API client '%s' exists "
		    "already (revoked ones keep their name)"), client);
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "client=%s scope=%s",
	    client, apitoken_scope_name(sc));
	if (rc != STORE_OK || store_audit(s, actor, "api token add",
	    detail) == -1 || store_commit(s) == -1) {
		explicit_bzero(secret, sizeof(secret));
		return store_abort(s, err, errsize);
	}
	(void)util_snprintf(token, size, "%s:%s", client, secret);
	explicit_bzero(secret, sizeof(secret));
	return 0;
}

int
apitoken_revoke(struct store *s, const char *actor, const char *client,
    char *err, size_t errsize)
{
	char		 detail[64];

	if (store_begin(s) == -1 || store_do(s, ST_TOKEN_REVOKE, "st", client,
	    clock_now()) != STORE_OK)
		return store_abort(s, err, errsize);
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
		return store_abort(s, err, errsize);
	return 0;
}

int
apitoken_list(struct store *s, int (*cb)(void *, const struct apitoken_info *),
    void *arg)
{
	struct store_cur	*c = store_cur(s, ST_TOKEN_LIST);
	struct apitoken_info	 ti;
	enum apitoken_scope	 sc = APITOKEN_MESSAGES;
	int			 rc;

	while ((rc = store_step(c)) == STORE_ROW) {
		memset(&ti, 0, sizeof(ti));
		store_text(c, 0, ti.client, sizeof(ti.client));
		(void)apitoken_scope_parse(store_str(c, 1), &sc);
		ti.scope = sc;
		ti.created_at = (time_t)store_i64(c, 2);
		ti.revoked_at = (time_t)store_i64(c, 3);
		if (cb(arg, &ti) == -1)
			break;
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

long
apitoken_live(struct store *s)
{
	int64_t	 n = -1;

	return store_one_i64(s, ST_TOKEN_LIVE, &n, "") == STORE_ROW ?
	    (long)n : -1;
}

int
apitoken_check(struct store *s, const char *token, struct apitoken_info *info)
{
	struct store_cur	*c;
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
	c = store_cur(s, ST_TOKEN_GET);
	if (store_bind(c, "s", info->client) != STORE_OK)
		return -1;
	hash[0] = '\0';
	if ((rc = store_step(c)) == STORE_ROW) {
		(void)apitoken_scope_parse(store_str(c, 0), &sc);
		store_text(c, 1, hash, sizeof(hash));
		info->created_at = (time_t)store_i64(c, 2);
	}
	store_reset(c);
	if (rc < 0)
		return -1;
	info->scope = sc;
	if (rc == STORE_OK || hash[0] == '\0' ||
	    !otp_hash_check(colon + 1, hash))
		return 1;
	return 0;
}
