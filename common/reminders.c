/*
 * reminders: the selection of fees due soon and the idempotence record, on
 * ST_REMIND_DUE (a range of the fees_unpaid index) and ST_REMIND_MARK.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broadcast.h"
#include "calendar.h"
#include "clock.h"
#include "config.h"
#include "fees.h"
#include "i18n.h"
#include "outbox.h"
#include "reminders.h"
#include "store.h"
#include "util.h"

/*
 * Rows per statement run. A batch is copied out and the statement reset
 * before the callback sees it, so the callback may commit.
 */
#define BATCH	500

struct row {
	int64_t		 fee_id, resident_id, owed_cents;
	char		 kind[32], period[32], due[16];
	char		 phone[20], lang[8], given_name[128];
};

/*
 * The first due date of unpaid fees of kind after `after`, up to `to`,
 * into due: 1 found, 0 none, -1 error.
 */
static int
next_due(struct store *s, const char *kind, const char *after,
    const char *to, char *due, size_t size)
{
	struct store_cur	*c = store_cur(s, ST_REMIND_NEXT_DUE);
	int			 rc;

	if (store_bind(c, "scs", kind, after, to) != STORE_OK)
		return -1;
	rc = store_step(c);
	if (rc == STORE_ROW)
		store_text(c, 0, due, size);
	store_reset(c);
	if (rc != STORE_ROW)
		return -1;
	return due[0] != '\0';
}

/* Up to want rows due on due after fee cursor into rows: count or -1. */
static long
page(struct store *s, const char *kind, const char *due, const char *topic,
    int64_t cursor, size_t want, struct row *rows)
{
	struct store_cur	*c = store_cur(s, ST_REMIND_DUE);
	size_t			 got;
	int			 rc = STORE_OK;

	if (store_bind(c, "sssII", kind, due, topic, cursor,
	    (int64_t)want) != STORE_OK)
		return -1;
	for (got = 0; got < want && (rc = store_step(c)) == STORE_ROW;
	    got++) {
		struct row	*r = &rows[got];

		r->fee_id = store_i64(c, 0);
		r->resident_id = store_i64(c, 1);
		r->owed_cents = store_i64(c, 2);
		store_text(c, 3, r->kind, sizeof(r->kind));
		store_text(c, 4, r->period, sizeof(r->period));
		store_text(c, 5, r->due, sizeof(r->due));
		store_text(c, 6, r->phone, sizeof(r->phone));
		store_text(c, 7, r->lang, sizeof(r->lang));
		store_text(c, 8, r->given_name, sizeof(r->given_name));
	}
	store_reset(c);
	return got < want && rc != STORE_OK ? -1 : (long)got;
}

int64_t
reminders_due(struct store *s, const char *fee_kind, int days,
    const char *topic, time_t now, size_t limit, reminders_cb cb, void *arg)
{
	struct reminders_due	 d;
	struct row		*rows;
	struct tm		 tm;
	char			 before[16], to[16], due[16];
	int64_t			 cursor = 0, n = 0;
	size_t			 want, i;
	long			 got;
	int			 y, m, day, r;

	if (fee_kind == NULL || topic == NULL || days < 0 ||
	    days > REMINDERS_DAYS_MAX)
		return -1;
	/* From the municipality's today: due dates after yesterday. */
	clock_local(now, &tm);
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	day = tm.tm_mday;
	calendar_add_days(&y, &m, &day, days);
	(void)util_snprintf(to, sizeof(to), "%04d-%02d-%02d", y, m, day);
	tm.tm_mday--;
	if (clock_mktime_local(&tm) == (time_t)-1 ||
	    strftime(before, sizeof(before), "%Y-%m-%d", &tm) == 0)
		return -1;
	if ((r = next_due(s, fee_kind, before, to, due, sizeof(due))) != 1)
		return r;
	rows = xcalloc(BATCH, sizeof(*rows));
	while (limit == 0 || (size_t)n < limit) {
		want = limit == 0 || limit - (size_t)n > BATCH ? BATCH :
		    limit - (size_t)n;
		if ((got = page(s, fee_kind, due, topic, cursor, want,
		    rows)) == -1) {
			n = -1;
			break;
		}
		/* The statement is reset: the callback may commit. */
		for (i = 0; i < (size_t)got; i++) {
			memset(&d, 0, sizeof(d));
			d.fee_id = cursor = rows[i].fee_id;
			d.resident_id = rows[i].resident_id;
			d.owed_cents = rows[i].owed_cents;
			d.fee_kind = rows[i].kind;
			d.period = rows[i].period;
			d.due_date = rows[i].due;
			d.phone = rows[i].phone;
			d.lang = rows[i].lang;
			d.given_name = rows[i].given_name;
			n++;
			if (cb(arg, &d) == -1)
				goto out;
		}
		if ((size_t)got == want)
			continue;
		/* This date is done: on to the next. */
		(void)util_strlcpy(before, due, sizeof(before));
		if ((r = next_due(s, fee_kind, before, to, due,
		    sizeof(due))) != 1) {
			if (r == -1)
				n = -1;
			break;
		}
		cursor = 0;
	}
out:
	free(rows);
	return n;
}

int
reminders_mark(struct store *s, int64_t fee_id, const char *due_date,
    time_t now)
{
	if (store_do(s, ST_REMIND_MARK, "Ist", fee_id, due_date, now) !=
	    STORE_OK)
		return -1;
	return store_changes(s) == 1 ? 1 : 0;
}

/* The run over reminders_due. */

struct run {
	struct store	*s;
	const struct config *cfg;
	time_t		 now;
	time_t		 not_before;
	int		 dry_run;
	int64_t		*count;
	int64_t		 pending;	/* marks since the last commit */
	char		*err;
	size_t		 errsize;
};

/* The reminder's text in the resident's language into buf. */
static int
reminder_text(const struct reminders_due *d, char *buf, size_t size)
{
	char		 lang[8], amount[I18N_MONEY_SIZE], due[I18N_DATE_SIZE];
	char		 period[I18N_PERIOD_SIZE];
	int		 rc;

	(void)util_strlcpy(lang, i18n_lang(), sizeof(lang));
	if (i18n_set_lang(d->lang) == -1)
		(void)i18n_set_lang("lv");
	i18n_money(d->owed_cents, amount, sizeof(amount));
	i18n_date(d->due_date, due, sizeof(due));
	i18n_period(d->period, period, sizeof(period));
	/* Two UCS-2 segments with the longest kind name. */
	rc = util_snprintf(buf, size, _("Reminder: %s (%s): %s due by "
	    "%s. To pay: send FEES. To stop: STOP %s"),
	    fees_kind_name(d->fee_kind), period, amount, due,
	    REMINDERS_TOPIC);
	(void)i18n_set_lang(lang);
	return rc;
}

static int
run_cb(void *arg, const struct reminders_due *d)
{
	struct run		*r = arg;
	struct outbox_msg	 m;
	const char		*errstr;
	char			 text[OUTBOX_TEXT_MAX + 1];
	int			 rc;

	if (r->dry_run) {
		(*r->count)++;
		return 0;
	}
	if ((rc = reminders_mark(r->s, d->fee_id, d->due_date, r->now)) ==
	    -1)
		goto dberr;
	if (rc == 0)
		return 0;	/* already reminded */
	if (reminder_text(d, text, sizeof(text)) == -1) {
		(void)util_strlcpy(r->err, _("a reminder's text is too long"),
		    r->errsize);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.phone = d->phone;
	m.text = text;
	m.encoding = config_str(r->cfg, CFG_SMS_ENCODING);
	m.not_before = r->not_before;
	m.priority = BROADCAST_PRIORITY;
	m.topic = REMINDERS_TOPIC;
	m.resident_id = d->resident_id;
	if (outbox_enqueue(r->s, &m, &errstr) == -1) {
		(void)util_snprintf(r->err, r->errsize, "%s", _(errstr));
		return -1;
	}
	(*r->count)++;
	if (++r->pending >= REMINDERS_COMMIT_ROWS) {
		if (store_commit(r->s) == -1 || store_begin(r->s) == -1)
			goto dberr;
		r->pending = 0;
	}
	return 0;
dberr:
	(void)util_snprintf(r->err, r->errsize, _("database error: %s"),
	    store_errmsg(r->s));
	return -1;
}

/* Queue news: a place that moved up by [reminders] queue_improvement. */

#define QUEUE_TOPIC	"pii"

struct qrow {
	int64_t		 entry, resident, pos, told;
	int		 placed, tracked, placed_told;
	char		 phone[20], lang[8], inst[128], child[128];
};

static int
mark_kind(struct store *s, const char *kind, int64_t ref, const char *due,
    time_t now)
{
	if (store_do(s, ST_REMIND_MARK_KIND, "sIct", kind, ref, due, now) !=
	    STORE_OK)
		return -1;
	return store_changes(s) == 1 ? 1 : 0;
}

/* The news of r in its guardian's language into buf. */
static int
queue_text(const struct qrow *r, char *buf, size_t size)
{
	char	 lang[8];
	int	 rc;

	(void)util_strlcpy(lang, i18n_lang(), sizeof(lang));
	if (i18n_set_lang(r->lang) == -1)
		(void)i18n_set_lang("lv");
	if (r->placed)
		rc = util_snprintf(buf, size, _("Preschool queue: %s has a "
		    "place at %s. To stop: STOP %s"), r->child, r->inst,
		    QUEUE_TOPIC);
	else
		rc = util_snprintf(buf, size, _("Preschool queue: %s is now "
		    "number %lld for %s (was %lld). To stop: STOP %s"),
		    r->child, (long long)r->pos, r->inst, (long long)r->told,
		    QUEUE_TOPIC);
	(void)i18n_set_lang(lang);
	return rc;
}

/* Up to want entries after cursor into rows: count or -1. */
static long
queue_page(struct store *s, int64_t cursor, size_t want, struct qrow *rows)
{
	struct store_cur	*c = store_cur(s, ST_REMIND_QUEUE);
	size_t			 got;
	int			 rc = STORE_OK;

	if (store_bind(c, "IsI", cursor, QUEUE_TOPIC, (int64_t)want) !=
	    STORE_OK)
		return -1;
	for (got = 0; got < want && (rc = store_step(c)) == STORE_ROW;
	    got++) {
		struct qrow	*r = &rows[got];

		memset(r, 0, sizeof(*r));
		r->entry = store_i64(c, 0);
		r->placed = strcmp(store_str(c, 1), "placed") == 0;
		r->resident = store_i64(c, 2);
		store_text(c, 3, r->phone, sizeof(r->phone));
		store_text(c, 4, r->lang, sizeof(r->lang));
		store_text(c, 5, r->inst, sizeof(r->inst));
		store_text(c, 6, r->child, sizeof(r->child));
		r->pos = store_i64(c, 7);
		r->tracked = !store_isnull(c, 8);
		r->told = store_i64(c, 8);
		r->placed_told = store_int(c, 9) != 0;
	}
	store_reset(c);
	return got < want && rc != STORE_OK ? -1 : (long)got;
}

/*
 * One entry: the first sight only notes the place (no news on the first
 * run, nor for a place given before muni tracked the entry); then news
 * when the place improved by step or more, and once when it is given.
 * 1 news (queued, or due: dry run), 0 none, -1 error.
 */
static int
queue_one(struct store *s, const struct config *cfg, const struct qrow *r,
    int64_t step, time_t now, time_t not_before, int dry_run, char *err,
    size_t errsize)
{
	struct outbox_msg	 m;
	const char		*errstr;
	char			 due[24], text[OUTBOX_TEXT_MAX + 1];
	int			 rc;

	if (r->placed) {
		if (!r->tracked || r->placed_told)
			return 0;
		if (dry_run)
			return 1;
		rc = mark_kind(s, "queue_placed", r->entry, "", now);
	} else {
		(void)util_snprintf(due, sizeof(due), "%06lld",
		    (long long)r->pos);
		if (!r->tracked) {
			if (!dry_run && mark_kind(s, "queue_pos", r->entry, due,
			    now) == -1)
				goto dberr;
			return 0;
		}
		if (r->pos > r->told - step)
			return 0;
		if (dry_run)
			return 1;
		rc = mark_kind(s, "queue_pos", r->entry, due, now);
	}
	if (rc == -1)
		goto dberr;
	if (rc == 0)
		return 0;
	if (queue_text(r, text, sizeof(text)) == -1) {
		(void)util_strlcpy(err, _("a reminder's text is too long"),
		    errsize);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.phone = r->phone;
	m.text = text;
	m.encoding = config_str(cfg, CFG_SMS_ENCODING);
	m.not_before = not_before;
	m.priority = BROADCAST_PRIORITY;
	m.topic = QUEUE_TOPIC;
	m.resident_id = r->resident;
	if (outbox_enqueue(s, &m, &errstr) == -1) {
		(void)util_snprintf(err, errsize, "%s", _(errstr));
		return -1;
	}
	return 1;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	return -1;
}

static int
queue_news(struct store *s, const struct config *cfg, time_t now,
    time_t not_before, int dry_run, int64_t *count, char *err,
    size_t errsize)
{
	int64_t		 step = config_int(cfg, CFG_REMINDERS_QUEUE_IMPROVEMENT);
	int64_t		 cursor = 0;
	struct qrow	*rows;
	long		 got, i;
	int		 r, rc = -1;

	if (step <= 0)
		return 0;
	rows = xcalloc(BATCH, sizeof(*rows));
	for (;;) {
		if (!dry_run && store_begin(s) == -1)
			goto dberr;
		if ((got = queue_page(s, cursor, BATCH, rows)) == -1) {
			if (!dry_run)
				store_rollback(s);
			goto dberr;
		}
		for (i = 0; i < got; i++) {
			cursor = rows[i].entry;
			if ((r = queue_one(s, cfg, &rows[i], step, now,
			    not_before, dry_run, err, errsize)) == -1) {
				if (!dry_run)
					store_rollback(s);
				goto out;
			}
			*count += r;
		}
		if (!dry_run && store_commit(s) == -1)
			goto dberr;
		if (got < BATCH)
			break;
	}
	rc = 0;
	goto out;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
out:
	free(rows);
	return rc;
}

int
reminders_run(struct store *s, const struct config *cfg, time_t now,
    int dry_run, struct reminders_result *res, char *err, size_t errsize)
{
	static const struct {
		const char	*kind;
		enum config_key	 days;
		size_t		 off;
	} kinds[] = {
		{ "nin", CFG_REMINDERS_NIN_DAYS_BEFORE,
		    offsetof(struct reminders_result, nin) },
		{ "dog", CFG_REMINDERS_DOG_DAYS_BEFORE,
		    offsetof(struct reminders_result, dog) },
	};
	struct run	 r;
	size_t		 i;
	int		 qs, qe;

	memset(res, 0, sizeof(*res));
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &qs, &qe);
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.cfg = cfg;
	r.now = now;
	r.not_before = broadcast_quiet_end(now, qs, qe);
	if (r.not_before == now)
		r.not_before = 0;
	r.dry_run = dry_run;
	r.err = err;
	r.errsize = errsize;
	err[0] = '\0';
	for (i = 0; i < nitems(kinds); i++) {
		r.count = (int64_t *)(void *)((char *)res + kinds[i].off);
		r.pending = 0;
		if (!dry_run && store_begin(s) == -1) {
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
			return -1;
		}
		if (reminders_due(s, kinds[i].kind, (int)config_int(cfg,
		    kinds[i].days), REMINDERS_TOPIC, now, 0, run_cb, &r) ==
		    -1) {
			if (!dry_run)
				store_rollback(s);
			if (err[0] == '\0')
				(void)util_snprintf(err, errsize, _("database "
				    "error: %s"), store_errmsg(s));
			return -1;
		}
		if (!dry_run && store_commit(s) == -1) {
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
			return -1;
		}
	}
	return queue_news(s, cfg, now, r.not_before, dry_run, &res->queue, err,
	    errsize);
}
