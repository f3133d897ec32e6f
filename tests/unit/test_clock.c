/*
 * test_clock: local time is the municipality's ([municipality] timezone),
 * never the process's TZ. The same instants give the same local dates,
 * clocks, quiet-hour ends and --at times whether the process started
 * under Europe/Riga, UTC or America/New_York; the two nights the clocks
 * change in 2026 (29 March, 25 October) keep a 21:00-08:00 window at
 * 21:00-08:00 on the wall; zone names are checked against the database.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "broadcast.h"
#include "clock.h"

/* Instants in UTC; the comments give the Riga wall clock. */
#define DEC_2135	1796672100	/* 2026-12-07 21:35 EET */
#define DEC_0800	1796709600	/* 2026-12-08 08:00 EET */
#define MAR_2100	1774724400	/* 2026-03-28 21:00 EET */
#define MAR_0259	1774745999	/* 2026-03-29 02:59:59 EET */
#define MAR_0430	1774747800	/* 2026-03-29 04:30 EEST, after 03:00 */
#define MAR_0800	1774760400	/* 2026-03-29 08:00 EEST */
#define OCT_2100	1792864800	/* 2026-10-24 21:00 EEST */
#define OCT_0330A	1792888200	/* 2026-10-25 03:30 EEST, first */
#define OCT_0330B	1792891800	/* 2026-10-25 03:30 EET, again */
#define OCT_0730	1792906200	/* 2026-10-25 07:30 EET */
#define OCT_0800	1792908000	/* 2026-10-25 08:00 EET */

#define QS	(21 * 60)
#define QE	(8 * 60)

static const char *process_zones[] = {
	"Europe/Riga", "UTC", "America/New_York",
};

/* The process started under TZ=tz; the program then set the zone. */
static void
start_in(const char *tz)
{
	const char	*errstr = NULL;

	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
	if (clock_set_zone("Europe/Riga", &errstr) == -1)
		fail_msg("clock_set_zone: %s", errstr);
}

static time_t
local(int y, int mo, int d, int h, int mi)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return clock_mktime_local(&tm);
}

static void
test_zone_names(void **state)
{
	const char	*errstr = NULL;
	char		 dir[] = "/tmp/test_clock.XXXXXX", path[600];
	FILE		*fp;

	(void)state;
	assert_int_equal(clock_zone_check("Europe/Riga", &errstr), 0);
	assert_int_equal(clock_zone_check("UTC", &errstr), 0);
	assert_int_equal(clock_zone_check("America/New_York", &errstr), 0);
	assert_int_equal(clock_zone_check("Europe/Rgia", &errstr), -1);
	assert_non_null(strstr(errstr, "not in the time zone database"));
	assert_int_equal(clock_zone_check("", &errstr), -1);
	assert_int_equal(clock_zone_check("../../etc/passwd", &errstr), -1);
	assert_non_null(strstr(errstr, "not a path"));
	assert_int_equal(clock_zone_check("/etc/localtime", &errstr), -1);
	assert_int_equal(clock_zone_check("Europe/../../../etc/passwd",
	    &errstr), -1);
	assert_int_equal(clock_zone_check("Europe//Riga", &errstr), -1);
	assert_int_equal(clock_zone_check("Europe/Riga/", &errstr), -1);
	assert_int_equal(clock_zone_check(".hidden", &errstr), -1);
	assert_int_equal(clock_zone_check("EET-2EEST,M3.5.0/3,M10.5.0/4",
	    &errstr), -1);
	assert_int_equal(clock_zone_check("Europe", &errstr), -1);

	/* A readable file that is not TZif is not a zone. */
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/Fake", dir);
	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs("not a zone\n", fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(setenv("TZDIR", dir, 1), 0);
	assert_int_equal(clock_zone_check("Fake", &errstr), -1);
	assert_non_null(strstr(errstr, "is not a zone"));
	assert_int_equal(unsetenv("TZDIR"), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);

	/* A bad name leaves the zone as it was. */
	start_in("UTC");
	assert_int_equal(clock_set_zone("Europe/Rgia", &errstr), -1);
	assert_string_equal(clock_zone(), "Europe/Riga");
}

/* The finding: a process in UTC saw 21:35 in Riga as 19:35, not quiet. */
static void
test_process_zone_ignored(void **state)
{
	char	 buf[32];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(process_zones) / sizeof(process_zones[0]);
	    i++) {
		start_in(process_zones[i]);
		assert_string_equal(clock_zone(), "Europe/Riga");
		clock_datetime(DEC_2135, buf, sizeof(buf));
		assert_string_equal(buf, "2026-12-07 21:35:00");
		clock_date(DEC_0800 - 8 * 3600 - 1, buf, sizeof(buf));
		assert_string_equal(buf, "2026-12-07");
		clock_date(DEC_0800 - 8 * 3600, buf, sizeof(buf));
		assert_string_equal(buf, "2026-12-08");
		assert_int_equal(clock_minute_of_day(DEC_2135), 21 * 60 + 35);
		assert_int_equal(broadcast_quiet_end(DEC_2135, QS, QE),
		    DEC_0800);
		assert_int_equal(local(2026, 12, 7, 21, 35), DEC_2135);
	}
	/* Another municipality's zone is another clock. */
	start_in("Europe/Riga");
	assert_int_equal(clock_set_zone("America/New_York", &(const char *){
	    NULL }), 0);
	clock_datetime(DEC_2135, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-07 14:35:00");
	start_in("Europe/Riga");
}

/* MUNI_FAKE_NOW's "YYYY-MM-DD HH:MM:SS" is the municipality's time. */
static void
test_fake_now_is_local(void **state)
{
	const char	*errstr = NULL;
	size_t		 i;
	time_t		 t;

	(void)state;
	for (i = 0; i < sizeof(process_zones) / sizeof(process_zones[0]);
	    i++) {
		start_in(process_zones[i]);
		clock_clear_fake();
		assert_int_equal(setenv("MUNI_FAKE_NOW", "2026-12-07 21:35:00",
		    1), 0);
		assert_int_equal(clock_from_env(&errstr), 1);
		/* The clock runs on from there: the same second or the next. */
		t = clock_now();
		assert_true(t >= DEC_2135 && t <= DEC_2135 + 1);
		assert_int_equal(setenv("MUNI_FAKE_NOW", "0", 1), 0);
		assert_int_equal(clock_from_env(&errstr), 1);
	}
	assert_int_equal(unsetenv("MUNI_FAKE_NOW"), 0);
}

/* 29 March 2026: 03:00 EET becomes 04:00 EEST; the night is 10 hours. */
static void
test_dst_spring(void **state)
{
	const char	*errstr = NULL;
	time_t		 t;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(process_zones) / sizeof(process_zones[0]);
	    i++) {
		start_in(process_zones[i]);
		assert_int_equal(broadcast_quiet_end(MAR_2100 - 1, QS, QE),
		    MAR_2100 - 1);
		assert_int_equal(broadcast_quiet_end(MAR_2100, QS, QE),
		    MAR_0800);
		assert_int_equal(broadcast_quiet_end(MAR_0259, QS, QE),
		    MAR_0800);
		assert_int_equal(broadcast_quiet_end(MAR_0430, QS, QE),
		    MAR_0800);
		assert_int_equal(broadcast_quiet_end(MAR_0800 - 1, QS, QE),
		    MAR_0800);
		assert_int_equal(broadcast_quiet_end(MAR_0800, QS, QE),
		    MAR_0800);
		assert_int_equal(MAR_0800 - MAR_2100, 10 * 3600);
		assert_int_equal(clock_next_at_minute(MAR_2100, QE),
		    MAR_0800);
		/* The skipped hour: 03:30 is taken as 04:30. */
		assert_int_equal(local(2026, 3, 29, 3, 30), MAR_0430);
		assert_int_equal(broadcast_parse_time("2026-03-29 03:30",
		    MAR_2100, &t, &errstr), 0);
		assert_int_equal(t, MAR_0430);
		/* A window that starts in the skipped hour. */
		assert_int_equal(clock_next_at_minute(MAR_0259, 3 * 60 + 30),
		    MAR_0430);
		/* Reminders at 10:00 that day: 10:00 EEST. */
		assert_int_equal(local(2026, 3, 29, 10, 0), MAR_0800 +
		    2 * 3600);
	}
}

/* 25 October 2026: 04:00 EEST becomes 03:00 EET; the night is 12 hours. */
static void
test_dst_autumn(void **state)
{
	const char	*errstr = NULL;
	time_t		 t;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(process_zones) / sizeof(process_zones[0]);
	    i++) {
		start_in(process_zones[i]);
		assert_int_equal(broadcast_quiet_end(OCT_2100, QS, QE),
		    OCT_0800);
		assert_int_equal(broadcast_quiet_end(OCT_0330A, QS, QE),
		    OCT_0800);
		assert_int_equal(broadcast_quiet_end(OCT_0330B, QS, QE),
		    OCT_0800);
		assert_int_equal(broadcast_quiet_end(OCT_0730, QS, QE),
		    OCT_0800);
		assert_int_equal(broadcast_quiet_end(OCT_0800, QS, QE),
		    OCT_0800);
		assert_int_equal(OCT_0800 - OCT_2100, 12 * 3600);
		assert_int_equal(clock_minute_of_day(OCT_0330A), 3 * 60 + 30);
		assert_int_equal(clock_minute_of_day(OCT_0330B), 3 * 60 + 30);
		/* The repeated hour: its first, summer-time occurrence. */
		assert_int_equal(local(2026, 10, 25, 3, 30), OCT_0330A);
		assert_int_equal(broadcast_parse_time("2026-10-25 08:00",
		    OCT_2100, &t, &errstr), 0);
		assert_int_equal(t, OCT_0800);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_process_zone_ignored),
		cmocka_unit_test(test_fake_now_is_local),
		cmocka_unit_test(test_dst_spring),
		cmocka_unit_test(test_dst_autumn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
