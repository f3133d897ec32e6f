/*
 * idem: the API's idempotency keys; see idem.h.
 */
#include <string.h>

#include "idem.h"
#include "store.h"
#include "util.h"

int
idem_key_valid(const char *key)
{
	size_t	 i, n = strlen(key);

	if (n == 0 || n > IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (key[i] <= ' ' || key[i] > '~')
			return 0;
	return 1;
}

int
idem_get(struct store *s, const char *client, const char *endpoint,
    const char *key, const char *hash, time_t now, int *status,
    char **answer)
{
	struct store_cur *c = store_cur(s, ST_IDEM_GET);
	int		 rc, found = 0;

	*answer = NULL;
	if (store_bind(c, "ssst", client, endpoint, key,
	    now - IDEM_WINDOW_S) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		if (strcmp(store_str(c, 0), hash) != 0)
			found = 2;
		else {
			found = 1;
			*status = store_int(c, 1);
			*answer = xstrdup(store_str(c, 2));
		}
	}
	store_reset(c);
	return rc < 0 ? -1 : found;
}

int
idem_put(struct store *s, const char *client, const char *endpoint,
    const char *key, const char *hash, int status, const char *answer,
    time_t now)
{
	if (store_do(s, ST_IDEM_PRUNE, "t", now - IDEM_WINDOW_S) != STORE_OK)
		return -1;
	return store_do(s, ST_IDEM_PUT, "ssssist", client, endpoint, key,
	    hash, status, answer, now) == STORE_OK ? 0 : -1;
}
