/*
 * clock: the one seam through which every module reads time, so tests can
 * set and move it, and the one place that turns time into the
 * municipality's local calendar and clock ([municipality] timezone), never
 * the process's own TZ.
 */
#ifndef MUNI_CLOCK_H
#define MUNI_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Wall-clock time, seconds since the epoch. */
time_t	 clock_now(void);
/* Wall-clock time in milliseconds. */
int64_t	 clock_now_ms(void);
/* Monotonic milliseconds, for timers and rates. */
int64_t	 clock_mono_ms(void);
/* Monotonic microseconds, for latency figures. */
int64_t	 clock_mono_us(void);

/* Tests: freeze both clocks at wall time t (monotonic follows). */
void	 clock_set_fake(time_t t);
/* Tests: move the frozen clocks forward by ms. */
void	 clock_advance_ms(int64_t ms);
/* Back to the system clocks. */
void	 clock_clear_fake(void);
/*
 * Integration tests of the daemon: $MUNI_FAKE_NOW ("YYYY-MM-DD HH:MM:SS"
 * local, or seconds since the epoch) shifts the wall clock so that it
 * reads that time now and runs on from there; the monotonic clock is left
 * alone. 0 unset, 1 set, -1 with *errstr when it cannot be read.
 */
int	 clock_from_env(const char **errstr);

/*
 * Local time is the municipality's. A server's TZ is whatever its
 * installer left (Debian's default is UTC) and an administrator's shell may
 * have another, so quiet hours, schedules, due dates and everything shown
 * would follow whoever runs the program. Each program therefore sets its
 * zone once at start, from [municipality] timezone, before it starts a
 * thread (setenv is not thread-safe), and every conversion below and in
 * the modules goes through these helpers.
 */
#define CLOCK_ZONE_DEFAULT	"Europe/Riga"
#define CLOCK_ZONE_MAX		64	/* bytes of a zone name */

/*
 * Is name a zone of the tz database: a relative name of letters, digits,
 * '_', '-', '+' and '/' (no "." or ".." component, no leading '/') naming a
 * readable TZif file under $TZDIR or /usr/share/zoneinfo. 0, or -1 with
 * *errstr.
 */
int	 clock_zone_check(const char *name, const char **errstr);
/* Check name and make it the process's local zone. 0, or -1 with *errstr. */
int	 clock_set_zone(const char *name, const char **errstr);
/* The zone clock_set_zone set ("" before it was called). */
const char *clock_zone(void);

/* Local broken-down time of t. */
void	 clock_local(time_t t, struct tm *tm);
/*
 * The time_t of local time tm (fields may be out of range and are
 * normalised as by mktime; tm_isdst is ignored and tm is updated). On the night the
 * clocks go forward a time in the skipped hour (03:00-03:59 in Riga) is
 * taken as that many minutes past the change (03:30 -> 04:30); on the
 * night they go back, a time in the repeated hour is its first, summer-time
 * occurrence. Returns (time_t)-1 when tm is out of the representable range.
 */
time_t	 clock_mktime_local(struct tm *tm);
/* Local minutes after midnight of t (0-1439). */
int	 clock_minute_of_day(time_t t);
/*
 * The first time after t whose local clock reads minute (minutes after
 * midnight): today's or tomorrow's, DST-aware.
 */
time_t	 clock_next_at_minute(time_t t, int minute);

/* Local calendar date of t ("YYYY-MM-DD") in buf of at least 11 bytes. */
void	 clock_date(time_t t, char *buf, size_t size);
/* Local "YYYY-MM-DD HH:MM:SS" of t. */
void	 clock_datetime(time_t t, char *buf, size_t size);
/*
 * The local date of t as residents read it in the current language
 * ("16.11.2026" in Latvian, ISO otherwise: i18n_date), into buf of at
 * least I18N_DATE_SIZE bytes.
 */
void	 clock_date_text(time_t t, char *buf, size_t size);

#endif
