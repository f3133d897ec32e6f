/*
 * stats: a handful of counting queries, run from munictl, never from the
 * gateway's loop: the key=value figures and the report's tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "stats.h"
#include "store.h"
#include "util.h"

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

/* --- munictl report's tables (issue 21). */

static struct stats_row *
add_row(struct stats_table *t)
{
	if (t->nrows == STATS_ROWS_MAX) {
		t->truncated = 1;
		return NULL;
	}
	if (t->rows == NULL)
		t->rows = xcalloc(STATS_ROWS_MAX, sizeof(*t->rows));
	return &t->rows[t->nrows++];
}

static void
cell_i64(struct stats_row *r, int col, int64_t v)
{
	(void)snprintf(r->cell[col], sizeof(r->cell[col]), "%lld",
	    (long long)v);
}

static void
cell_eur(struct stats_row *r, int col, double v)
{
	(void)snprintf(r->cell[col], sizeof(r->cell[col]), "%.2f", v);
}

static void
head(struct stats_table *t, const char *name, const char *title,
    const char *bar_of, int ncols, ...)
{
	va_list	 ap;
	int	 i;

	t->name = name;
	t->title = title;
	t->bar_of = bar_of;
	t->ncols = ncols;
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++) {
		t->head[i] = va_arg(ap, const char *);
		t->right[i] = i > 0;	/* the first column names the row */
	}
	va_end(ap);
}

/* Which of kiosk, sms, ussd channel ch is: 1-3, 0 none. */
static int
channel_col(const char *ch)
{
	if (strcmp(ch, "kiosk") == 0)
		return 1;
	if (strcmp(ch, "sms") == 0)
		return 2;
	if (strcmp(ch, "ussd") == 0)
		return 3;
	return 0;
}

/* The local Monday 00:00 on or before t. */
static time_t
monday_of(time_t t)
{
	struct tm	 tm;

	clock_local(t, &tm);
	tm.tm_mday -= (tm.tm_wday + 6) % 7;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return clock_mktime_local(&tm);
}

static int
t_weeks(struct store *s, const struct stats_range *r, struct stats_table *t)
{
	struct store_cur	*c;
	struct stats_row	*row;
	struct tm		 tm;
	int64_t			 n[STATS_WEEKS_MAX][4];
	time_t			 week0 = monday_of(r->since), w;
	int64_t			 wi;
	size_t			 nweeks = 0, i;
	int			 rc, col;

	head(t, "weeks", _("Services used by week"), _("all channels"), 5,
	    _("week"), _("kiosk"), _("SMS"), _("USSD"), _("total"));
	memset(n, 0, sizeof(n));
	/* Each local Monday in the range, DST or not. */
	for (w = week0; w < r->until && nweeks < STATS_WEEKS_MAX; nweeks++) {
		clock_local(w, &tm);
		tm.tm_mday += 7;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		w = clock_mktime_local(&tm);
	}
	if (w < r->until)
		t->truncated = 1;
	c = store_cur(s, ST_STATS_WEEKS);
	if (store_bind(c, "ttt", r->since, r->until, week0) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		col = channel_col(store_str(c, 0));
		wi = store_i64(c, 1);
		if (col > 0 && wi >= 0 && (size_t)wi < nweeks)
			n[wi][col] += store_i64(c, 2);
	}
	store_reset(c);
	if (rc < 0)
		return -1;
	for (i = 0, w = week0; i < nweeks; i++) {
		if ((row = add_row(t)) == NULL)
			break;
		clock_date(w, row->cell[0], sizeof(row->cell[0]));
		for (col = 1; col <= 3; col++) {
			cell_i64(row, col, n[i][col]);
			row->bar += n[i][col];
		}
		cell_i64(row, 4, row->bar);
		clock_local(w, &tm);
		tm.tm_mday += 7;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		w = clock_mktime_local(&tm);
	}
	return 0;
}

static int
t_territories(struct store *s, const struct stats_range *r,
    struct stats_table *t)
{
	struct store_cur	*c = store_cur(s, ST_STATS_TERRITORIES);
	struct stats_row	*row = NULL;
	char			 last[STATS_CELL_SIZE] = "";
	int64_t			 v[4] = { 0 };
	int			 rc, col, any = 0;

	head(t, "territories", _("Services used by territory"),
	    _("all channels"), 5, _("territory"), _("kiosk"), _("SMS"),
	    _("USSD"), _("total"));
	if (store_bind(c, "tt", r->since, r->until) != STORE_OK)
		return -1;
	for (;;) {
		rc = store_step(c);
		/* A row per territory: written when the next one starts. */
		if (any && (rc != STORE_ROW || strcmp(store_str(c, 0),
		    last) != 0)) {
			if ((row = add_row(t)) != NULL) {
				(void)util_strlcpy(row->cell[0], last[0] !=
				    '\0' ? last : _("(none)"),
				    sizeof(row->cell[0]));
				for (col = 1; col <= 3; col++) {
					cell_i64(row, col, v[col]);
					row->bar += v[col];
				}
				cell_i64(row, 4, row->bar);
			}
			memset(v, 0, sizeof(v));
		}
		if (rc != STORE_ROW)
			break;
		any = 1;
		(void)util_strlcpy_utf8(last, store_str(c, 0), sizeof(last));
		col = channel_col(store_str(c, 1));
		v[col] += store_i64(c, 2);
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

static int
t_broadcasts(struct store *s, const struct stats_range *r,
    struct stats_table *t)
{
	struct store_cur	*c = store_cur(s, ST_STATS_BROADCASTS);
	struct stats_row	*row;
	int			 rc;

	head(t, "broadcasts", _("Deliveries and costs by broadcast"),
	    _("delivered"), 8, "id", _("topic"), _("group"), _("state"),
	    _("sent to"), _("delivered"), _("failed"), "EUR");
	t->right[1] = t->right[2] = t->right[3] = 0;
	if (store_bind(c, "tt", r->since, r->until) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if ((row = add_row(t)) == NULL)
			continue;
		cell_i64(row, 0, store_i64(c, 0));
		store_text(c, 1, row->cell[1], sizeof(row->cell[1]));
		store_text(c, 2, row->cell[2], sizeof(row->cell[2]));
		store_text(c, 3, row->cell[3], sizeof(row->cell[3]));
		cell_i64(row, 4, store_i64(c, 4));
		cell_i64(row, 5, row->bar = store_i64(c, 6));
		cell_i64(row, 6, store_i64(c, 7));
		/* Planned segments times the price: what the preview said. */
		cell_eur(row, 7, (double)store_i64(c, 5) * r->price);
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

static int
t_topics(struct store *s, const struct stats_range *r, struct stats_table *t)
{
	struct store_cur	*c = store_cur(s, ST_STATS_TOPICS);
	struct stats_row	*row;
	int			 rc;

	head(t, "topics", _("Deliveries and costs by topic"), _("messages"),
	    6, _("topic"), _("messages"), _("delivered"), _("failed"),
	    _("segments"), "EUR");
	if (store_bind(c, "tt", r->since, r->until) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if ((row = add_row(t)) == NULL)
			continue;
		if (store_str(c, 0)[0] == '\0')
			(void)util_strlcpy(row->cell[0], _("(direct)"),
			    sizeof(row->cell[0]));
		else
			store_text(c, 0, row->cell[0], sizeof(row->cell[0]));
		cell_i64(row, 1, row->bar = store_i64(c, 1));
		cell_i64(row, 2, store_i64(c, 2));
		cell_i64(row, 3, store_i64(c, 3));
		cell_i64(row, 4, store_i64(c, 4));
		/* Segments the SMSC took, times the price. */
		cell_eur(row, 5, (double)store_i64(c, 4) * r->price);
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

static int
t_merchants(struct store *s, const struct stats_range *r,
    struct stats_table *t)
{
	struct store_cur	*c = store_cur(s, ST_STATS_MERCHANTS);
	struct stats_row	*row;
	int			 rc, i;

	head(t, "merchants", _("Discount checks by merchant"), _("checks"), 6,
	    _("merchant"), _("checks"), _("valid"), _("no offer"),
	    _("used or expired"), _("wrong"));
	if (store_bind(c, "tt", r->since, r->until) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if ((row = add_row(t)) == NULL)
			continue;
		store_text(c, 0, row->cell[0], sizeof(row->cell[0]));
		for (i = 1; i <= 5; i++)
			cell_i64(row, i, store_i64(c, i));
		row->bar = store_i64(c, 1);
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

static int
t_cases(struct store *s, const struct stats_range *r, struct stats_table *t)
{
	static const char *const order[] = {
		"new", "in_progress", "done", "rejected",
	};
	struct store_cur	*c = store_cur(s, ST_STATS_CASES);
	struct stats_row	 got[nitems(order)], *row;
	size_t			 i;
	int			 rc, k;

	head(t, "cases", _("Cases by status and age"), _("cases"), 6,
	    _("status"), _("cases"), _("< 1 day"), _("1-7 days"),
	    _("7-30 days"), _("> 30 days"));
	memset(got, 0, sizeof(got));
	for (i = 0; i < nitems(order); i++) {
		(void)util_strlcpy(got[i].cell[0], order[i],
		    sizeof(got[i].cell[0]));
		for (k = 1; k <= 5; k++)
			(void)util_strlcpy(got[i].cell[k], "0",
			    sizeof(got[i].cell[k]));
	}
	if (store_bind(c, "tt", r->until, r->now) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW)
		for (i = 0; i < nitems(order); i++)
			if (strcmp(store_str(c, 0), order[i]) == 0) {
				for (k = 1; k <= 5; k++)
					cell_i64(&got[i], k, store_i64(c, k));
				got[i].bar = store_i64(c, 1);
			}
	store_reset(c);
	if (rc < 0)
		return -1;
	for (i = 0; i < nitems(order); i++)
		if ((row = add_row(t)) != NULL)
			*row = got[i];
	return 0;
}

int
stats_table(struct store *s, enum stats_table_kind kind,
    const struct stats_range *r, struct stats_table *t)
{
	int	 rc = -1;

	memset(t, 0, sizeof(*t));
	switch (kind) {
	case STATS_T_WEEKS:
		rc = t_weeks(s, r, t);
		break;
	case STATS_T_TERRITORIES:
		rc = t_territories(s, r, t);
		break;
	case STATS_T_BROADCASTS:
		rc = t_broadcasts(s, r, t);
		break;
	case STATS_T_TOPICS:
		rc = t_topics(s, r, t);
		break;
	case STATS_T_MERCHANTS:
		rc = t_merchants(s, r, t);
		break;
	case STATS_T_CASES:
		rc = t_cases(s, r, t);
		break;
	case STATS_NTABLES:
		break;
	}
	if (rc == -1)
		log_warnx("stats: %s", store_errmsg(s));
	return rc;
}

void
stats_table_free(struct stats_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}
