/*
 * clock: system time, or a frozen fake that tests move by hand. The fake
 * also answers for the monotonic clock so timers in tests are exact. It
 * also owns the municipality's zone and every local-time conversion.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "util.h"

static int	 fake_on;
static int64_t	 fake_ms;
static int64_t	 offset_ms;	/* $MUNI_FAKE_NOW */
static char	 zone[CLOCK_ZONE_MAX + 1];

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
		if ((t = (long long)clock_mktime_local(&tm)) == -1) {
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

int
clock_zone_check(const char *name, const char **errstr)
{
	const char	*dir;
	char		 path[4096], magic[4];
	struct stat	 sb;
	size_t		 len = strlen(name), i;
	ssize_t		 n;
	int		 fd;

	if (len == 0 || len > CLOCK_ZONE_MAX) {
		*errstr = "is not a time zone name (e.g. Europe/Riga)";
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		    name[i] == '-' || name[i] == '+' || name[i] == '/' ||
		    name[i] == '.')) {
			*errstr = "is not a time zone name (letters, digits, "
			    "'_', '-', '+' and '/', e.g. Europe/Riga)";
			return -1;
		}
	/*
	 * A name, not a path: no component is empty or starts with a dot,
	 * so "..", "/etc/..." and the like never leave the zone directory.
	 */
	if (name[0] == '/' || name[0] == '.' || name[len - 1] == '/' ||
	    strstr(name, "//") != NULL || strstr(name, "/.") != NULL) {
		*errstr = "is not a time zone name (a name such as "
		    "Europe/Riga, not a path)";
		return -1;
	}
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (util_snprintf(path, sizeof(path), "%s/%s", dir, name) == -1) {
		*errstr = "is too long";
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*errstr = errno == ENOENT ? "is not in the time zone database "
		    "(see /usr/share/zoneinfo, e.g. Europe/Riga)" :
		    "cannot be read from the time zone database";
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (n = read(fd, magic, sizeof(magic))) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, "TZif", sizeof(magic)) != 0) {
		(void)close(fd);
		*errstr = "is not a zone of the time zone database (e.g. "
		    "Europe/Riga)";
		return -1;
	}
	(void)close(fd);
	return 0;
}

int
clock_set_zone(const char *name, const char **errstr)
{
	char	 tz[CLOCK_ZONE_MAX + 2];

	if (clock_zone_check(name, errstr) == -1)
		return -1;
	/* The colon: a file of the database, never a POSIX TZ rule. */
	if (util_snprintf(tz, sizeof(tz), ":%s", name) == -1 ||
	    setenv("TZ", tz, 1) == -1) {
		*errstr = "cannot set TZ";
		return -1;
	}
	tzset();
	(void)util_strlcpy(zone, name, sizeof(zone));
	return 0;
}

const char *
clock_zone(void)
{
	return zone;
}

void
clock_local(time_t t, struct tm *tm)
{
	if (localtime_r(&t, tm) == NULL)
		fatalx("clock: cannot convert time %lld", (long long)t);
}

/* The offset from UTC, in seconds, of the zone at t. */
static long
gmtoff(time_t t)
{
	struct tm	 tm;

	clock_local(t, &tm);
	return tm.tm_gmtoff;
}

time_t
clock_mktime_local(struct tm *tm)
{
	struct tm	 w = *tm;
	time_t		 wall, c1, c2;
	long		 o1, o2;
	int		 ok1, ok2;

	/*
	 * Not mktime with tm_isdst -1: for a time in the repeated hour glibc
	 * answers after the zone of its previous call, so the same wall
	 * clock could become either instant. Here: the wall clock as seconds
	 * (timegm normalises the fields), then each offset in force a day
	 * either side; an instant whose own offset gives that wall clock
	 * back is an answer, the earlier of two, and none means the skipped
	 * hour: the offset before the change carries it past it.
	 */
	w.tm_isdst = 0;
	if ((wall = timegm(&w)) == (time_t)-1)
		return (time_t)-1;
	o1 = gmtoff(wall - 86400);
	o2 = gmtoff(wall + 86400);
	c1 = wall - o1;
	c2 = wall - o2;
	ok1 = gmtoff(c1) == o1;
	ok2 = gmtoff(c2) == o2;
	if (ok1 && ok2)
		c1 = c1 < c2 ? c1 : c2;
	else if (ok2)
		c1 = c2;
	clock_local(c1, tm);
	return c1;
}

int
clock_minute_of_day(time_t t)
{
	struct tm	 tm;

	clock_local(t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

time_t
clock_next_at_minute(time_t t, int minute)
{
	struct tm	 tm;
	time_t		 x;
	int		 day;

	/*
	 * Built from the local calendar day, not t + seconds: a day with a
	 * clock change has 23 or 25 hours.
	 */
	for (day = 0; day <= 2; day++) {
		clock_local(t, &tm);
		tm.tm_mday += day;
		tm.tm_hour = minute / 60;
		tm.tm_min = minute % 60;
		tm.tm_sec = 0;
		if ((x = clock_mktime_local(&tm)) != (time_t)-1 && x > t)
			return x;
	}
	return t;
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
clock_date_text(time_t t, char *buf, size_t size)
{
	char	 iso[16];

	clock_date(t, iso, sizeof(iso));
	i18n_date(iso, buf, size);
}

void
clock_datetime(time_t t, char *buf, size_t size)
{
	struct tm	 tm;

	clock_local(t, &tm);
	if (strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		fatalx("clock_datetime: buffer of %zu bytes too small", size);
}
