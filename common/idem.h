/*
 * idem: the HTTP API's Idempotency-Key (issue 23). A client's key on one
 * address remembers, for IDEM_WINDOW_S, the SHA-256 of the body it came
 * with and the answer the first request got: the same key and body again
 * get that answer and create nothing; the key with another body is a
 * conflict. Keys are per client, so one client's cannot reveal
 * another's answers.
 */
#ifndef MUNI_IDEM_H
#define MUNI_IDEM_H

#include <stddef.h>
#include <time.h>

struct store;

#define IDEM_WINDOW_S	86400
#define IDEM_KEY_MAX	255
#define IDEM_HASH_SIZE	65	/* hex SHA-256 and a NUL */

/* 1 when key is 1 to IDEM_KEY_MAX printable ASCII characters, no blank. */
int	 idem_key_valid(const char *key);

/*
 * The first answer to key within the window: 1 with *status and *answer
 * (the caller frees) when the body hash matches, 2 when it does not (a
 * conflict), 0 when the key is new, -1 on a database error.
 */
int	 idem_get(struct store *, const char *client, const char *endpoint,
	    const char *key, const char *hash, time_t now, int *status,
	    char **answer);
/*
 * Remember the answer to key, in the caller's transaction when it has one
 * (so the answer is kept exactly when what it reports is), and forget
 * keys older than the window. 0 or -1.
 */
int	 idem_put(struct store *, const char *client, const char *endpoint,
	    const char *key, const char *hash, int status, const char *answer,
	    time_t now);

#endif
