/*
 * stats: the usage and delivery figures of `munictl report` — how many
 * residents muni reaches, and what became of the messages sent to them.
 */
#ifndef MUNI_STATS_H
#define MUNI_STATS_H

#include <stdint.h>
#include <time.h>

struct store;

#define STATS_STATES	9	/* outbox states, in stats_state_name order */

struct stats {
	int64_t	 residents;
	int64_t	 with_mobile;
	int64_t	 queue_active;
	int64_t	 fees_unpaid;
	int64_t	 owed_cents;
	int64_t	 reports;
	int64_t	 broadcasts;
	int64_t	 inbox_total, inbox_since;
	int64_t	 outbox_total[STATS_STATES];
	int64_t	 outbox_since[STATS_STATES];
};

/* Collect the figures; "since" counts rows created at or after since. */
int		 stats_collect(struct store *, time_t since, struct stats *);
/* "queued", "inflight", ... for index 0 .. STATS_STATES - 1. */
const char	*stats_state_name(int);

#endif
