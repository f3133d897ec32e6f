/*
 * test_calendar: weekdays and day arithmetic against the C library's own
 * calendar, Latvian public holidays (fixed, Easter, the Monday after 4 May
 * or 18 November on a weekend) and the next working day for due dates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "calendar.h"

/* Independent reference: days since the epoch via timegm. */
static time_t
ref_time(int y, int m, int d)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	return timegm(&tm);
}

static void
test_weekday_known(void **state)
{
	(void)state;
	assert_int_equal(calendar_weekday(2026, 1, 1), 3);	/* Thu */
	assert_int_equal(calendar_weekday(2000, 1, 1), 5);	/* Sat */
	assert_int_equal(calendar_weekday(2024, 2, 29), 3);	/* Thu */
	assert_int_equal(calendar_weekday(1970, 1, 1), 3);	/* Thu */
	assert_int_equal(calendar_weekday(2026, 8, 15), 5);	/* Sat */
	assert_int_equal(calendar_weekday(2026, 11, 15), 6);	/* Sun */
	assert_int_equal(calendar_weekday(2026, 3, 1), 6);	/* Sun */
	assert_int_equal(calendar_weekday(2025, 5, 4), 6);	/* Sun */
	assert_int_equal(calendar_weekday(2023, 11, 18), 5);	/* Sat */
	assert_int_equal(calendar_weekday(2026, 3, 30), 0);	/* Mon */
}

static void
test_weekday_and_add_days_against_libc(void **state)
{
	int	 y = 1900, m = 1, d = 1, n = 0, wy, wm, wd;
	struct tm tm;
	time_t	 t;

	(void)state;
	/* Every day from 1900 to 2100. */
	while (y < 2101) {
		t = ref_time(y, m, d);
		assert_non_null(gmtime_r(&t, &tm));
		assert_int_equal(tm.tm_year + 1900, y);
		assert_int_equal(tm.tm_mon + 1, m);
		assert_int_equal(tm.tm_mday, d);
		assert_int_equal(calendar_weekday(y, m, d),
		    (tm.tm_wday + 6) % 7);
		/* Adding 1000 days lands where libc says it does. */
		if (n % 97 == 0) {
			wy = y;
			wm = m;
			wd = d;
			calendar_add_days(&wy, &wm, &wd, 1000);
			t += 1000 * 86400;
			assert_non_null(gmtime_r(&t, &tm));
			assert_int_equal(wy, tm.tm_year + 1900);
			assert_int_equal(wm, tm.tm_mon + 1);
			assert_int_equal(wd, tm.tm_mday);
		}
		calendar_add_days(&y, &m, &d, 1);
		n++;
	}
	assert_int_equal(n, 73414);	/* 201 years of days */
}

static void
test_add_days(void **state)
{
	int	 y, m, d;

	(void)state;
	y = 2024; m = 2; d = 28;
	calendar_add_days(&y, &m, &d, 1);
	assert_true(y == 2024 && m == 2 && d == 29);
	calendar_add_days(&y, &m, &d, 1);
	assert_true(y == 2024 && m == 3 && d == 1);
	y = 2025; m = 12; d = 31;
	calendar_add_days(&y, &m, &d, 1);
	assert_true(y == 2026 && m == 1 && d == 1);
	calendar_add_days(&y, &m, &d, 0);
	assert_true(y == 2026 && m == 1 && d == 1);
	y = 2024; m = 1; d = 1;
	calendar_add_days(&y, &m, &d, 365);
	assert_true(y == 2024 && m == 12 && d == 31);
}

static void
test_fixed_holidays(void **state)
{
	static const int days[][2] = { { 1, 1 }, { 5, 1 }, { 5, 4 },
	    { 6, 23 }, { 6, 24 }, { 11, 18 }, { 12, 24 }, { 12, 25 },
	    { 12, 26 }, { 12, 31 } };
	size_t	 i;
	int	 y;

	(void)state;
	for (y = 2020; y <= 2030; y++)
		for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
			assert_int_equal(calendar_is_holiday(y, days[i][0],
			    days[i][1]), 1);
			assert_int_equal(calendar_is_workday(y, days[i][0],
			    days[i][1]), 0);
		}
	/* Ordinary days around them. */
	assert_int_equal(calendar_is_holiday(2026, 1, 2), 0);
	assert_int_equal(calendar_is_workday(2026, 1, 2), 1);
	assert_int_equal(calendar_is_holiday(2026, 6, 22), 0);
	assert_int_equal(calendar_is_holiday(2026, 11, 17), 0);
	assert_int_equal(calendar_is_holiday(2026, 12, 23), 0);
	assert_int_equal(calendar_is_holiday(2026, 12, 30), 0);
	assert_int_equal(calendar_is_workday(2026, 12, 30), 1);
}

static void
test_easter_holidays(void **state)
{
	(void)state;
	/* 2026: Easter 5 April. */
	assert_int_equal(calendar_is_holiday(2026, 4, 3), 1);	/* Good Fri */
	assert_int_equal(calendar_is_holiday(2026, 4, 6), 1);	/* Easter Mon */
	assert_int_equal(calendar_is_workday(2026, 4, 3), 0);
	assert_int_equal(calendar_is_workday(2026, 4, 6), 0);
	assert_int_equal(calendar_is_holiday(2026, 4, 2), 0);
	assert_int_equal(calendar_is_workday(2026, 4, 2), 1);
	assert_int_equal(calendar_is_holiday(2026, 4, 7), 0);
	assert_int_equal(calendar_is_workday(2026, 4, 7), 1);
	/* 2025: Easter 20 April. */
	assert_int_equal(calendar_is_holiday(2025, 4, 18), 1);
	assert_int_equal(calendar_is_holiday(2025, 4, 21), 1);
	assert_int_equal(calendar_is_holiday(2025, 4, 17), 0);
	/* 2024: Easter 31 March, so Easter Monday is 1 April. */
	assert_int_equal(calendar_is_holiday(2024, 3, 29), 1);
	assert_int_equal(calendar_is_holiday(2024, 4, 1), 1);
	assert_int_equal(calendar_is_holiday(2024, 3, 28), 0);
	/* 2018: Easter 1 April, so Good Friday is 30 March. */
	assert_int_equal(calendar_is_holiday(2018, 3, 30), 1);
	assert_int_equal(calendar_is_holiday(2018, 4, 2), 1);
	/* 2019: Easter 21 April; 2038: 25 April (the latest). */
	assert_int_equal(calendar_is_holiday(2019, 4, 19), 1);
	assert_int_equal(calendar_is_holiday(2019, 4, 22), 1);
	assert_int_equal(calendar_is_holiday(2038, 4, 23), 1);
	assert_int_equal(calendar_is_holiday(2038, 4, 26), 1);
	/* 2008: Easter 23 March. */
	assert_int_equal(calendar_is_holiday(2008, 3, 21), 1);
	assert_int_equal(calendar_is_holiday(2008, 3, 24), 1);
	/* The same dates in other years are ordinary. */
	assert_int_equal(calendar_is_holiday(2025, 4, 3), 0);
	assert_int_equal(calendar_is_holiday(2025, 4, 7), 0);
}

static void
test_moved_holidays(void **state)
{
	(void)state;
	/* 4 May 2025 was a Sunday: Monday 5 May is off. */
	assert_int_equal(calendar_is_holiday(2025, 5, 5), 1);
	assert_int_equal(calendar_is_workday(2025, 5, 5), 0);
	assert_int_equal(calendar_is_holiday(2025, 5, 6), 0);
	assert_int_equal(calendar_is_workday(2025, 5, 6), 1);
	/* 18 November 2023 was a Saturday: Monday 20 November is off. */
	assert_int_equal(calendar_is_holiday(2023, 11, 20), 1);
	assert_int_equal(calendar_is_workday(2023, 11, 20), 0);
	assert_int_equal(calendar_is_workday(2023, 11, 21), 1);
	/* 4 May 2024 was a Saturday: Monday 6 May is off. */
	assert_int_equal(calendar_is_holiday(2024, 5, 6), 1);
	/* 4 May 2026 is a Monday itself: 11 May is an ordinary Monday. */
	assert_int_equal(calendar_is_holiday(2026, 5, 4), 1);
	assert_int_equal(calendar_is_holiday(2026, 5, 11), 0);
	assert_int_equal(calendar_is_workday(2026, 5, 5), 1);
	/* 18 November 2026 is a Wednesday: no Monday moves. */
	assert_int_equal(calendar_is_holiday(2026, 11, 23), 0);
	assert_int_equal(calendar_is_holiday(2026, 11, 16), 0);
}

static void
next_is(int y, int m, int d, int wy, int wm, int wd)
{
	calendar_next_workday(&y, &m, &d);
	if (y != wy || m != wm || d != wd)
		fail_msg("next workday: got %04d-%02d-%02d, want "
		    "%04d-%02d-%02d", y, m, d, wy, wm, wd);
}

static void
test_next_workday(void **state)
{
	(void)state;
	next_is(2026, 8, 15, 2026, 8, 17);	/* Saturday */
	next_is(2026, 11, 15, 2026, 11, 16);	/* Sunday */
	next_is(2026, 3, 1, 2026, 3, 2);	/* Sunday */
	next_is(2026, 3, 31, 2026, 3, 31);	/* a Tuesday stays */
	next_is(2026, 5, 15, 2026, 5, 15);	/* a Friday stays */
	next_is(2025, 12, 31, 2026, 1, 2);	/* two holidays, new year */
	next_is(2026, 12, 24, 2026, 12, 28);	/* Christmas, weekend */
	next_is(2024, 3, 29, 2024, 4, 2);	/* Good Friday .. Easter Mon */
	next_is(2025, 5, 3, 2025, 5, 6);	/* Sat, Sun 4 May, Mon off */
	next_is(2023, 11, 18, 2023, 11, 21);	/* Sat 18 Nov, Mon off */
	next_is(2026, 6, 23, 2026, 6, 25);	/* Līgo, Jāņi */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekday_known),
		cmocka_unit_test(test_weekday_and_add_days_against_libc),
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_fixed_holidays),
		cmocka_unit_test(test_easter_holidays),
		cmocka_unit_test(test_moved_holidays),
		cmocka_unit_test(test_next_workday),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
