/*
 * apitoken: the HTTP API's tokens, one per named client, each with a scope
 * (messages: POST /api/v1/messages; broadcasts: POST and GET
 * /api/v1/broadcasts). A token is "CLIENT:SECRET", the secret 40 random
 * hex digits; only its crypt(3) yescrypt hash is stored, so the token is
 * shown once, when made. Revoking keeps the row (its name stays taken and
 * the audit log keeps meaning something) but the token no longer opens.
 */
#ifndef MUNI_APITOKEN_H
#define MUNI_APITOKEN_H

#include <stddef.h>
#include <time.h>

struct store;

#define APITOKEN_CLIENT_MAX	32	/* a staff-name-like client name */
#define APITOKEN_SECRET_HEX	40
#define APITOKEN_SIZE		(APITOKEN_CLIENT_MAX + 1 + \
				    APITOKEN_SECRET_HEX + 1)
#define APITOKEN_ERR_SIZE	256

enum apitoken_scope {
	APITOKEN_MESSAGES,
	APITOKEN_BROADCASTS,
};

const char	*apitoken_scope_name(enum apitoken_scope);
int		 apitoken_scope_parse(const char *, enum apitoken_scope *);

/*
 * A new token for client into token (APITOKEN_SIZE bytes), audited as
 * actor. 0, or -1 with err set (a bad or taken name, the database).
 */
int	 apitoken_add(struct store *, const char *actor, const char *client,
	    enum apitoken_scope, char *token, size_t size, char *err,
	    size_t errsize);
/* Revoke client's token; 0, or -1 with err set (unknown, revoked). */
int	 apitoken_revoke(struct store *, const char *actor, const char *client,
	    char *err, size_t errsize);

struct apitoken_info {
	char			 client[APITOKEN_CLIENT_MAX + 1];
	enum apitoken_scope	 scope;
	time_t			 created_at;
	time_t			 revoked_at;	/* 0: live */
};

int	 apitoken_list(struct store *,
	    int (*cb)(void *, const struct apitoken_info *), void *arg);
/* Live tokens; -1 on error. */
long	 apitoken_live(struct store *);

/*
 * Check a presented token: 0 with *info when it is a live client's, 1 when
 * it is not (unknown client, revoked, wrong secret, malformed), -1 on a
 * database error. One yescrypt at the lowest cost (about 2 ms).
 */
int	 apitoken_check(struct store *, const char *token,
	    struct apitoken_info *info);

#endif
