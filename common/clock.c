/*
 * clock: system time, or a frozen fake that tests move by hand. The fake
 * also answers for the monotonic clock so timers in tests are exact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "util.h"

static int	 fake_on;
static int64_t	 fake_ms;
static int64_t	 offset_ms;	/* $MUNI_FAKE_NOW */

time_t
clock_now(void)
{
	return (time_t)(clock_now_ms() / 1000);
}

int64_t
clock_now_ms(void)
{
	struct timespec	 ts;

	if (fake_on)
		return fake_ms;
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms;
}

int64_t
clock_mono_ms(void)
{
	struct timespec	 ts;

	if (fake_on)
		return fake_ms;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_us(void)
{
	struct timespec	 ts;

	if (fake_on)
		return fake_ms * 1000;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
clock_set_fake(time_t t)
{
	fake_on = 1;
	fake_ms = (int64_t)t * 1000;
}

void
clock_advance_ms(int64_t ms)
{
	fake_ms += ms;
}

void
clock_clear_fake(void)
{
	fake_on = 0;
}

int
clock_from_env(const char **errstr)
{
	const char	*v = getenv("MUNI_FAKE_NOW"), *end;
	struct tm	 tm;
	long long	 t;
	char		*p;

	if (v == NULL || *v == '\0')
		return 0;
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(v, "%Y-%m-%d %H:%M:%S", &tm)) != NULL &&
	    *p == '\0') {
		tm.tm_isdst = -1;
		if ((t = (long long)mktime(&tm)) == -1) {
			*errstr = "MUNI_FAKE_NOW: no such local time";
			return -1;
		}
	} else if (util_strtonum(v, 0, INT64_MAX / 1000 - 1, &t, &end) ==
	    -1) {
		*errstr = "MUNI_FAKE_NOW: not \"YYYY-MM-DD HH:MM:SS\" nor "
		    "seconds since the epoch";
		return -1;
	}
	offset_ms = 0;
	offset_ms = (int64_t)t * 1000 - clock_now_ms();
	return 1;
}

static void
clock_local(time_t t, struct tm *tm)
{
	if (localtime_r(&t, tm) == NULL)
		fatalx("clock: cannot convert time %lld", (long long)t);
}

void
clock_date(time_t t, char *buf, size_t size)
{
	struct tm	 tm;

	clock_local(t, &tm);
	if (strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		fatalx("clock_date: buffer of %zu bytes too small", size);
}

void
clock_datetime(time_t t, char *buf, size_t size)
{
	struct tm	 tm;

	clock_local(t, &tm);
	if (strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		fatalx("clock_datetime: buffer of %zu bytes too small", size);
}
