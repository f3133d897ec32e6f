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

/*
 * munictl report's tables (issue 21): services used per channel (kiosk
 * sign-ins, SMS and USSD requests) by week and by territory, deliveries
 * and costs per broadcast and per topic, card checks per merchant, cases
 * by status and age. Each is rows of text cells (figures formatted) and
 * one figure for a bar; the caller draws or writes CSV.
 */
#define STATS_COLS		8
#define STATS_CELL_SIZE		64
#define STATS_ROWS_MAX		400	/* rows a table keeps; more: truncated */
#define STATS_WEEKS_MAX		106	/* two years of weeks */

enum stats_table_kind {
	STATS_T_WEEKS,
	STATS_T_TERRITORIES,
	STATS_T_BROADCASTS,
	STATS_T_TOPICS,
	STATS_T_MERCHANTS,
	STATS_T_CASES,
	STATS_NTABLES
};

struct stats_row {
	char		 cell[STATS_COLS][STATS_CELL_SIZE];
	int64_t		 bar;		/* what the bar shows */
};

struct stats_table {
	const char	*name;		/* CSV section name, ASCII */
	const char	*title;		/* translated */
	int		 ncols;
	const char	*head[STATS_COLS];	/* translated */
	int		 right[STATS_COLS];	/* figures: right-aligned */
	const char	*bar_of;	/* translated: what the bar counts */
	struct stats_row *rows;
	size_t		 nrows;
	int		 truncated;	/* more rows than STATS_ROWS_MAX */
};

struct stats_range {
	time_t		 since;		/* local midnight, inclusive */
	time_t		 until;		/* local midnight, exclusive */
	time_t		 now;		/* cases' age */
	double		 price;		/* [sms] price_per_segment, EUR */
};

/*
 * Fill t with table kind over r: 0, or -1 on a database error. Free with
 * stats_table_free.
 */
int		 stats_table(struct store *, enum stats_table_kind,
		    const struct stats_range *r, struct stats_table *t);
void		 stats_table_free(struct stats_table *);

#endif
