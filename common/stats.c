/*
 * stats: a handful of counting queries, run from munictl, never from the
 * gateway's loop.
 */
#include <string.h>

#include "log.h"
#include "stats.h"
#include "store.h"

static const char *states[STATS_STATES] = {
	"queued", "inflight", "accepted", "delivered", "undeliverable",
	"expired", "rejected", "failed", "cancelled",
};

const char *
stats_state_name(int i)
{
	return i >= 0 && i < STATS_STATES ? states[i] : "?";
}

static int
by_state(struct store *s, enum store_stmt id, time_t since, int64_t *out)
{
	struct store_cur	*c = store_cur(s, id);
	const char		*name;
	int			 rc, i;

	if (store_bind(c, "t", since) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		name = store_str(c, 0);
		for (i = 0; i < STATS_STATES; i++)
			if (strcmp(name, states[i]) == 0)
				out[i] = store_i64(c, 1);
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

int
stats_collect(struct store *s, time_t since, struct stats *x)
{
	struct store_cur	*c;

	memset(x, 0, sizeof(*x));
	c = store_cur(s, ST_STATS_COUNTS);
	if (store_bind(c, "t", since) != STORE_OK)
		goto fail;
	if (store_step(c) != STORE_ROW) {
		store_reset(c);
		goto fail;
	}
	x->residents = store_i64(c, 0);
	x->with_mobile = store_i64(c, 1);
	x->queue_active = store_i64(c, 2);
	x->fees_unpaid = store_i64(c, 3);
	x->owed_cents = store_i64(c, 4);
	x->reports = store_i64(c, 5);
	x->broadcasts = store_i64(c, 6);
	x->inbox_total = store_i64(c, 7);
	x->inbox_since = store_i64(c, 8);
	store_reset(c);
	if (by_state(s, ST_STATS_OUTBOX, 0, x->outbox_total) == -1 ||
	    by_state(s, ST_STATS_OUTBOX, since, x->outbox_since) == -1)
		goto fail;
	return 0;
fail:
	log_warnx("stats: %s", store_errmsg(s));
	return -1;
}
