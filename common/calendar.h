/*
 * calendar: Latvian working days. A payment due on a day off moves to the
 * next working day (NĪN, dog fee), and quiet hours and reminders need the
 * same calendar.
 */
#ifndef MUNI_CALENDAR_H
#define MUNI_CALENDAR_H

/* 1 if y-m-d is a public holiday in Latvia (fixed and Easter dates). */
int	calendar_is_holiday(int y, int m, int d);
/* 1 if y-m-d is neither a weekend nor a public holiday. */
int	calendar_is_workday(int y, int m, int d);
/* Move *y-*m-*d forward to the first working day on or after it. */
void	calendar_next_workday(int *y, int *m, int *d);
/* Day of the week, 0 = Monday .. 6 = Sunday. */
int	calendar_weekday(int y, int m, int d);
/* Add n days (n >= 0) to *y-*m-*d. */
void	calendar_add_days(int *y, int *m, int *d, int n);

#endif
