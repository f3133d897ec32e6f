/*
 * remind: the daemon's reminder scheduler. Once a day at [reminders] hour
 * (local time), and at start when that hour has already passed today, it
 * runs common/reminders (NĪN and dog-fee reminders under topic nodokli).
 * A run that repeats is harmless: reminders_sent holds one row per fee and
 * due date, so restarts never send a reminder twice.
 */
#ifndef MUNI_GW_REMIND_H
#define MUNI_GW_REMIND_H

struct config;
struct disp;
struct event_base;
struct remind;
struct store;

/* cfg stays the caller's until remind_reload or remind_free. */
struct remind	*remind_new(struct event_base *, struct store *,
		    struct disp *, const struct config *cfg);
/* Run now if due, then wait for the next hour. */
void		 remind_start(struct remind *);
/* A new configuration (SIGHUP): the next run is planned again. */
void		 remind_reload(struct remind *, const struct config *cfg);
void		 remind_free(struct remind *);

#endif
