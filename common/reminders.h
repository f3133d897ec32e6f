/*
 * reminders: which fees a resident should be reminded of, and the record
 * that a reminder went out. The daemon runs this at a configured hour; the
 * record in reminders_sent (one per fee and due date) makes the run
 * idempotent across restarts and re-runs: a fee once marked is never
 * selected again for the same due date.
 *
 * Selection reads only (the caller's clock is a parameter), so a run can
 * be previewed, tested with a fake clock and retried.
 */
#ifndef MUNI_REMINDERS_H
#define MUNI_REMINDERS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct store;

#define REMINDERS_DAYS_MAX	90

/*
 * One fee to remind of; valid during the callback only. The selection's
 * statement is not open during the callback, so it may write and commit.
 */
struct reminders_due {
	int64_t		 fee_id;
	int64_t		 resident_id;
	int64_t		 owed_cents;	/* amount still unpaid */
	const char	*fee_kind;
	const char	*period;
	const char	*due_date;	/* YYYY-MM-DD */
	const char	*phone;		/* E.164, takes SMS */
	const char	*lang;
	const char	*given_name;
};

/* Return -1 to stop the selection. */
typedef int	(*reminders_cb)(void *arg, const struct reminders_due *);

/*
 * Unpaid fees of fee_kind due from today to today + days (local dates of
 * now; a day the daemon missed is caught up, never skipped), of residents
 * with a number that takes SMS and who receive topic, not yet marked; by
 * due date and fee, at most limit (0: all). Returns the number passed to cb, or
 * -1 on a database error or bad arguments.
 */
int64_t	 reminders_due(struct store *, const char *fee_kind, int days,
	    const char *topic, time_t now, size_t limit, reminders_cb cb,
	    void *arg);

/*
 * Record that the reminder for fee_id and its due date went out, in the
 * caller's transaction (with its outbox row): 1 recorded now, 0 it was
 * already recorded (then send nothing), -1 on error.
 */
int	 reminders_mark(struct store *, int64_t fee_id, const char *due_date,
	    time_t now);

/*
 * A run: NĪN ("nin") and dog-fee ("dog") reminders under topic nodokli, as
 * [reminders] configures them, each one SMS in the resident's language,
 * queued after the quiet hours and marked in the same transaction (commits
 * every REMINDERS_COMMIT_ROWS). dry_run counts without writing.
 *
 * With [reminders] queue_improvement N > 0, queue news under topic pii
 * too: to the guardian when a child's place in a preschool queue is N or
 * more better than the last place told, and once when a place is given.
 * The first sight of an entry only notes its place (reminders_sent kind
 * queue_pos, the place as the due), so switching it on sends nothing.
 */
#define REMINDERS_TOPIC		"nodokli"
#define REMINDERS_COMMIT_ROWS	500

struct reminders_result {
	int64_t		 nin;		/* reminders queued (or due: dry run) */
	int64_t		 dog;
	int64_t		 queue;		/* queue news (topic pii) */
};

/* 0, or -1 with err set (what was committed before stays: it is marked). */
int	 reminders_run(struct store *, const struct config *, time_t now,
	    int dry_run, struct reminders_result *, char *err,
	    size_t errsize);

#endif
