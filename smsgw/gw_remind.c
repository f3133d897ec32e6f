/*
 * remind: one timer that wakes at the next run time (at most an hour
 * ahead, so a clock that jumps or a daylight-saving change costs at most
 * an hour's lateness) and runs the reminders once per local date.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "config.h"
#include "gw_disp.h"
#include "gw_remind.h"
#include "log.h"
#include "reminders.h"
#include "store.h"
#include "util.h"

#define WAKE_MAX_S	3600

struct remind {
	struct store	*store;
	struct disp	*disp;
	const struct config *cfg;
	struct event	*ev;
	char		 last[16];	/* local date of the last run, "" none */
};

/*
 * When today's run is due: hour:00:00 of now's date, in the municipality's
 * time (clock.h). An hour skipped in spring runs an hour later.
 */
static time_t
today_at(time_t now, int hour)
{
	struct tm	 tm;

	clock_local(now, &tm);
	tm.tm_hour = hour;
	tm.tm_min = tm.tm_sec = 0;
	return clock_mktime_local(&tm);
}

static void
run(struct remind *r, time_t now)
{
	struct reminders_result	 res;
	char			 err[512], date[16];

	clock_date(now, date, sizeof(date));
	/*
	 * Several gateways on one database: the run is the lock holder's.
	 * The others ask again at each wake, so one takes over the day's run
	 * if the holder goes (reminders_mark keeps a fee to one reminder).
	 */
	if (store_job_lock(r->store, "reminders") != 1)
		return;
	(void)util_strlcpy(r->last, date, sizeof(r->last));
	if (disp_flush(r->disp) == -1) {
		log_warnx("reminders: the database cannot take writes now; "
		    "next try within the hour");
		r->last[0] = '\0';
		return;
	}
	if (reminders_run(r->store, r->cfg, now, 0, &res, err,
	    sizeof(err)) == -1) {
		log_warnx("reminders: %s", err);
		r->last[0] = '\0';	/* try again at the next wake */
	} else
		log_info("reminders: run of %s: nin=%lld dog=%lld queue=%lld "
		    "queued", date, (long long)res.nin, (long long)res.dog,
		    (long long)res.queue);
	disp_wake(r->disp);
}

/* Run when due, then plan the next wake. */
static void
tick(struct remind *r)
{
	struct timeval	 tv;
	time_t		 now = clock_now(), due, next;
	char		 date[16];
	int		 hour = (int)config_int(r->cfg, CFG_REMINDERS_HOUR);

	if (!config_bool(r->cfg, CFG_REMINDERS_ENABLED))
		return;
	clock_date(now, date, sizeof(date));
	due = today_at(now, hour);
	if (due != (time_t)-1 && now >= due && strcmp(r->last, date) != 0)
		run(r, now);
	/* Today's hour if it is still ahead, else tomorrow's. */
	if (due == (time_t)-1 || now >= due)
		next = today_at(now + 86400, hour);
	else
		next = due;
	memset(&tv, 0, sizeof(tv));
	tv.tv_sec = next == (time_t)-1 || next - now > WAKE_MAX_S ?
	    WAKE_MAX_S : next - now;
	if (tv.tv_sec < 1)
		tv.tv_sec = 1;
	if (evtimer_add(r->ev, &tv) == -1)
		fatalx("reminders: evtimer_add");
}

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	tick(arg);
}

struct remind *
remind_new(struct event_base *base, struct store *s, struct disp *d,
    const struct config *cfg)
{
	struct remind	*r = xcalloc(1, sizeof(*r));

	r->store = s;
	r->disp = d;
	r->cfg = cfg;
	if ((r->ev = evtimer_new(base, timer_cb, r)) == NULL)
		fatalx("reminders: evtimer_new");
	return r;
}

void
remind_start(struct remind *r)
{
	if (config_bool(r->cfg, CFG_REMINDERS_ENABLED))
		log_info("reminders: daily at %02lld:00",
		    config_int(r->cfg, CFG_REMINDERS_HOUR));
	tick(r);
}

void
remind_reload(struct remind *r, const struct config *cfg)
{
	r->cfg = cfg;
	if (evtimer_del(r->ev) == -1)
		log_warnx("reminders: evtimer_del");
	remind_start(r);
}

void
remind_free(struct remind *r)
{
	if (r == NULL)
		return;
	event_free(r->ev);
	free(r);
}
