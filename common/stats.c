/*
 * stats: a handful of counting queries, run from munictl, never from the
 * gateway's loop.
 */
#include <sqlite3.h>
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
	sqlite3_stmt	*st = store_stmt(s, id);
	const char	*name;
	int		 rc, i;

	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)since) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; i < STATS_STATES; i++)
			if (name != NULL && strcmp(name, states[i]) == 0)
				out[i] = sqlite3_column_int64(st, 1);
	}
	(void)sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
stats_collect(struct store *s, time_t since, struct stats *x)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(x, 0, sizeof(*x));
	st = store_stmt(s, ST_STATS_COUNTS);
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)since) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		(void)sqlite3_reset(st);
		goto fail;
	}
	x->residents = sqlite3_column_int64(st, 0);
	x->with_mobile = sqlite3_column_int64(st, 1);
	x->queue_active = sqlite3_column_int64(st, 2);
	x->fees_unpaid = sqlite3_column_int64(st, 3);
	x->owed_cents = sqlite3_column_int64(st, 4);
	x->reports = sqlite3_column_int64(st, 5);
	x->broadcasts = sqlite3_column_int64(st, 6);
	x->inbox_total = sqlite3_column_int64(st, 7);
	x->inbox_since = sqlite3_column_int64(st, 8);
	(void)sqlite3_reset(st);
	if (by_state(s, ST_STATS_OUTBOX, 0, x->outbox_total) == -1 ||
	    by_state(s, ST_STATS_OUTBOX, since, x->outbox_since) == -1)
		goto fail;
	return 0;
fail:
	log_warnx("stats: %s", store_errmsg(s));
	return -1;
}
