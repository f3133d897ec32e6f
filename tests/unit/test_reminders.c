/*
 * test_reminders: the fees due soon over the demo data (2,000 residents)
 * against SQL written here, the window's edges, opt-outs, and the record
 * that keeps a reminder from going out twice - also when the caller
 * commits as it goes, as the daemon does. The clock is fake: 2026-06-15
 * in Riga; the third NĪN quarter is due 15 August, a Saturday, so Monday
 * 17 August.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "demo.h"
#include "log.h"
#include "reminders.h"
#include "store.h"
#include "testlib.h"

#define NOW		1781514000	/* 2026-06-15 09:00 UTC */
#define N_RESIDENTS	2000

/*
 * The amount due in euros and cents, as the texts write it, in SQL both
 * engines run (no printf): EUROS || 'sep' || CENTS, where || binds before
 * arithmetic on SQLite and after it on PostgreSQL, hence the parentheses.
 */
#define OWED	"(f.amount_cents - f.paid_cents)"
#define EUROS	"CAST((" OWED " / 100) AS TEXT) || "
#define CENTS	" || substr(CAST((100 + " OWED " % 100) AS TEXT), 2) || "

static int
setup(void **state)
{
	struct store	*s;

	if ((s = tl_demo_store(N_RESIDENTS, 11, NOW, LOG_LEVEL_WARN)) == NULL)
		return -1;
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	clock_clear_fake();
	return 0;
}

struct seen {
	struct store	*s;
	int64_t		 n, owed, last;
	char		 due[16];		/* the last due date seen */
	int64_t		 early;			/* due before 17 August */
	int		 mark;		/* mark each, committing */
	int		 stop_at;
};

static int
seen_cb(void *arg, const struct reminders_due *d)
{
	struct seen	*sn = arg;

	sn->n++;
	sn->owed += d->owed_cents;
	/* By due date, then fee. */
	assert_true(strcmp(d->due_date, sn->due) >= 0);
	if (strcmp(d->due_date, sn->due) == 0)
		assert_true(d->fee_id > sn->last);
	(void)snprintf(sn->due, sizeof(sn->due), "%s", d->due_date);
	sn->last = d->fee_id;
	if (strcmp(d->due_date, "2026-08-17") != 0)
		sn->early++;
	assert_string_equal(d->fee_kind, "nin");
	assert_true(strcmp(d->due_date, "2026-06-15") >= 0 &&
	    strcmp(d->due_date, "2026-08-17") <= 0);
	assert_true(strncmp(d->phone, "+", 1) == 0);
	assert_true(d->owed_cents > 0);
	if (sn->mark) {
		assert_int_equal(store_begin(sn->s), 0);
		assert_int_equal(reminders_mark(sn->s, d->fee_id, d->due_date,
		    NOW), 1);
		assert_int_equal(store_commit(sn->s), 0);
	}
	return sn->stop_at > 0 && sn->n == sn->stop_at ? -1 : 0;
}

static int64_t
run(struct store *s, int days, size_t limit, int mark, struct seen *sn)
{
	memset(sn, 0, sizeof(*sn));
	sn->s = s;
	sn->mark = mark;
	return reminders_due(s, "nin", days, "nodokli", NOW, limit, seen_cb,
	    sn);
}

#define DUE_SQL(extra) \
	"SELECT " extra " FROM fees f" \
	" JOIN residents r ON r.id = f.resident_id" \
	" WHERE f.kind = 'nin' AND f.amount_cents > f.paid_cents" \
	" AND f.due_date BETWEEN '2026-06-15' AND '2026-08-17'" \
	" AND r.phone_kind IN (0, 2) AND r.id NOT IN (SELECT s.resident_id" \
	" FROM subscriptions s JOIN topics t ON t.id = s.topic_id" \
	" WHERE t.code = 'nodokli' AND s.subscribed = 0)"

static void
test_selection(void **state)
{
	struct store	*s = *state;
	struct seen	 sn;
	long long	 want;

	want = tl_int(s, DUE_SQL("count(*)"));
	assert_true(want > 50);
	assert_int_equal(run(s, 63, 0, 0, &sn), want);
	assert_int_equal(sn.n, want);
	assert_int_equal(sn.owed, tl_int(s, DUE_SQL("sum(f.amount_cents -"
	    " f.paid_cents)")));
	/* The window ends the day before: nothing due yet. */
	assert_int_equal(run(s, 62, 0, 0, &sn), 0);
	/* Some left the topic: they are not reminded. */
	assert_true(tl_int(s, "SELECT count(*) FROM fees f JOIN subscriptions s"
	    " ON s.resident_id = f.resident_id JOIN topics t ON t.id ="
	    " s.topic_id WHERE t.code = 'nodokli' AND s.subscribed = 0"
	    " AND f.kind = 'nin' AND f.due_date = '2026-08-17'"
	    " AND f.paid_cents < f.amount_cents") > 0);
	/* A limit, and a callback that stops. */
	assert_int_equal(run(s, 63, 10, 0, &sn), 10);
	memset(&sn, 0, sizeof(sn));
	sn.stop_at = 3;
	assert_int_equal(reminders_due(s, "nin", 63, "nodokli", NOW, 0,
	    seen_cb, &sn), 3);
	/* Paying removes a fee. */
	tl_exec(s, "UPDATE fees SET paid_cents"
	    " = amount_cents WHERE id = (" DUE_SQL("min(f.id)") ")");
	assert_int_equal(run(s, 63, 0, 0, &sn), want - 1);
	/* More due dates in the window: today's, and one in between. */
	tl_exec(s, "UPDATE fees SET due_date ="
	    " '2026-06-15' WHERE id IN (" DUE_SQL("f.id") " ORDER BY f.id"
	    " LIMIT 4); UPDATE fees SET due_date = '2026-07-01' WHERE id IN ("
	    DUE_SQL("f.id") " AND f.due_date = '2026-08-17' ORDER BY f.id DESC"
	    " LIMIT 5)");
	assert_int_equal(run(s, 63, 0, 0, &sn), want - 1);
	assert_int_equal(sn.early, 9);
	/* Paged: the same, a few at a time across the dates. */
	assert_int_equal(run(s, 63, 6, 0, &sn), 6);
	assert_int_equal(sn.early, 6);
	assert_int_equal(run(s, 20, 0, 0, &sn), 9);
	/* Yesterday's are not due any more: the window starts today. */
	clock_set_fake(NOW + 86400);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(reminders_due(s, "nin", 62, "nodokli", NOW + 86400,
	    0, seen_cb, &sn), want - 1 - 4);
	clock_set_fake(NOW);
	/* Bad arguments. */
	assert_int_equal(reminders_due(s, "nin", -1, "nodokli", NOW, 0,
	    seen_cb, &sn), -1);
	assert_int_equal(reminders_due(s, "nin", REMINDERS_DAYS_MAX + 1,
	    "nodokli", NOW, 0, seen_cb, &sn), -1);
	assert_int_equal(reminders_due(s, NULL, 5, "nodokli", NOW, 0, seen_cb,
	    &sn), -1);
}

static void
test_once_only(void **state)
{
	struct store	*s = *state;
	struct seen	 sn;
	int64_t		 all, first, marked;

	all = run(s, 63, 0, 0, &sn);
	assert_true(all > 20);
	/* A first run sends (and marks) some, committing as it goes... */
	first = run(s, 63, 7, 1, &sn);
	assert_int_equal(first, 7);
	marked = sn.last;
	/* ...a rerun, as after a restart, sees only the rest. */
	assert_int_equal(run(s, 63, 0, 0, &sn), all - 7);
	assert_int_equal(run(s, 63, 0, 1, &sn), all - 7);
	assert_int_equal(run(s, 63, 0, 0, &sn), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM reminders_sent"
	    " WHERE kind = 'fee' AND due = '2026-08-17'"), all);
	/* Marking again records nothing. */
	assert_int_equal(reminders_mark(s, marked, "2026-08-17", NOW), 0);
	/* A new due date of the same fee is a new reminder. */
	assert_int_equal(reminders_mark(s, marked, "2026-11-16", NOW), 1);
}

/* The run: a dry run writes nothing, a run queues and marks, a re-run
 * (a restart) queues nothing; the texts carry the amount and date. */
static void
test_run(void **state)
{
	struct store		*s = *state;
	struct reminders_result	 res;
	struct config		*cfg = config_defaults();
	const char		*errstr;
	char			 err[512];
	long long		 want;

	assert_non_null(cfg);
	assert_int_equal(config_set(cfg, CFG_REMINDERS_NIN_DAYS_BEFORE, "63",
	    &errstr), 0);
	want = tl_int(s, DUE_SQL("count(*)"));
	assert_int_equal(reminders_run(s, cfg, NOW, 1, &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res.nin, want);
	assert_int_equal(res.dog, 0);	/* due 1 March */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM reminders_sent"), 0);
	assert_int_equal(reminders_run(s, cfg, NOW, 0, &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res.nin, want);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox WHERE"
	    " topic = 'nodokli' AND not_before = 0 AND resident_id > 0"), want);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM reminders_sent"),
	    want);
	/*
	 * Each text names its fee's amount and due date, as the resident
	 * reads them: Latvia's forms, English ones in English (no
	 * catalogue here: the English text either way).
	 */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox o JOIN"
	    " reminders_sent rs ON rs.sent_at = o.created_at JOIN fees f ON"
	    " f.id = rs.ref_id AND f.resident_id = o.resident_id WHERE"
	    " o.text LIKE ('%' || CASE (SELECT lang FROM residents WHERE"
	    " id = o.resident_id) WHEN 'en' THEN"
	    " " EUROS "'.'" CENTS "' EUR due by ' || f.due_date ELSE"
	    " " EUROS "','" CENTS "' € due by ' || substr(f.due_date, 9, 2)"
	    " || '.' || substr(f.due_date, 6, 2) || '.' ||"
	    " substr(f.due_date, 1, 4) END || '%')"),
	    want);
	assert_int_equal(reminders_run(s, cfg, NOW + 3600, 0, &res, err,
	    sizeof(err)), 0);
	assert_int_equal(res.nin, 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), want);
	config_free(cfg);
}

/* At 22:30 in Riga the reminders wait for the end of the quiet hours. */
static void
test_run_quiet(void **state)
{
	struct store		*s = *state;
	struct reminders_result	 res;
	struct config		*cfg = config_defaults();
	const char		*errstr;
	char			 err[512];
	time_t			 late = NOW + 10 * 3600 + 1800;	/* 22:30 */

	assert_non_null(cfg);
	assert_int_equal(config_set(cfg, CFG_REMINDERS_NIN_DAYS_BEFORE, "63",
	    &errstr), 0);
	assert_int_equal(reminders_run(s, cfg, late, 0, &res, err,
	    sizeof(err)), 0);
	assert_true(res.nin > 0);
	/* 2026-06-16 08:00 in Riga (UTC+3). */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox WHERE"
	    " not_before = 1781586000"), res.nin);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), res.nin);
	config_free(cfg);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_selection),
		T(test_once_only),
		T(test_run),
		T(test_run_quiet),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
