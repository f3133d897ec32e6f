/*
 * calendar: weekdays by Sakamoto's method, Easter by the anonymous
 * Gregorian algorithm, and the holidays of the Law on Public Holidays,
 * Commemoration Days and Celebration Days, including its rule that 4 May
 * and 18 November falling on a weekend give the next Monday off. Sunday
 * holidays (Easter, Whit Sunday, Mother's Day) are listed for
 * completeness; they never move a due date that a Sunday would not.
 */
#include "calendar.h"
#include "util.h"

int
calendar_weekday(int y, int m, int d)
{
	static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	int	 w;

	if (m < 3)
		y -= 1;
	w = (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7; /* 0 = Sun */
	return (w + 6) % 7;
}

void
calendar_add_days(int *y, int *m, int *d, int n)
{
	while (n-- > 0) {
		if (++*d > util_days_in_month(*y, *m)) {
			*d = 1;
			if (++*m > 12) {
				*m = 1;
				++*y;
			}
		}
	}
}

static void
easter(int y, int *m, int *d)
{
	int	 a = y % 19, b = y / 100, c = y % 100, dd = b / 4, e = b % 4;
	int	 f = (b + 8) / 25, g = (b - f + 1) / 3;
	int	 h = (19 * a + b - dd - g + 15) % 30, i = c / 4, k = c % 4;
	int	 l = (32 + 2 * e + 2 * i - h - k) % 7;
	int	 mm = (a + 11 * h + 22 * l) / 451;

	*m = (h + l - 7 * mm + 114) / 31;
	*d = (h + l - 7 * mm + 114) % 31 + 1;
}

/* 1 if y-m-d is the Monday after 4 May or 18 November on a weekend. */
static int
moved_holiday(int y, int m, int d)
{
	static const int fixed[][2] = { { 5, 4 }, { 11, 18 } };
	size_t	 i;
	int	 hy, hm, hd, w;

	if (calendar_weekday(y, m, d) != 0)
		return 0;
	for (i = 0; i < nitems(fixed); i++) {
		hy = y;
		hm = fixed[i][0];
		hd = fixed[i][1];
		w = calendar_weekday(hy, hm, hd);
		if (w < 5)
			continue;
		calendar_add_days(&hy, &hm, &hd, 7 - w);
		if (hm == m && hd == d)
			return 1;
	}
	return 0;
}

int
calendar_is_holiday(int y, int m, int d)
{
	static const int fixed[][2] = {
		{ 1, 1 }, { 5, 1 }, { 5, 4 }, { 6, 23 }, { 6, 24 },
		{ 11, 18 }, { 12, 24 }, { 12, 25 }, { 12, 26 }, { 12, 31 },
	};
	size_t	 i;
	int	 em, ed, fy, fm, fd;

	for (i = 0; i < nitems(fixed); i++)
		if (fixed[i][0] == m && fixed[i][1] == d)
			return 1;
	easter(y, &em, &ed);
	if (em == m && ed == d)
		return 1;
	/* Easter Monday is Easter + 1, Whit Sunday Easter + 49. */
	fy = y;
	fm = em;
	fd = ed;
	calendar_add_days(&fy, &fm, &fd, 1);
	if (fm == m && fd == d)
		return 1;
	calendar_add_days(&fy, &fm, &fd, 48);
	if (fm == m && fd == d)
		return 1;
	/* Mother's Day: the second Sunday of May. */
	if (m == 5 && calendar_weekday(y, m, d) == 6 && d >= 8 && d <= 14)
		return 1;
	/* Good Friday is Easter - 2. */
	fm = em;
	fd = ed - 2;
	if (fd < 1) {
		fm -= 1;
		fd += util_days_in_month(y, fm);
	}
	if (fm == m && fd == d)
		return 1;
	return moved_holiday(y, m, d);
}

int
calendar_is_workday(int y, int m, int d)
{
	return calendar_weekday(y, m, d) < 5 && !calendar_is_holiday(y, m, d);
}

void
calendar_next_workday(int *y, int *m, int *d)
{
	while (!calendar_is_workday(*y, *m, *d))
		calendar_add_days(y, m, d, 1);
}
