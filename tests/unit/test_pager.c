/*
 * test_pager: the kiosk's one paging rule without a terminal — lists of
 * 0, 1, 8, 9, 30 and 200 rows, every row reachable and chosen by the
 * number shown beside it on its page, page keys that stop at either end,
 * digits past the page's last row and keys of the screen itself (0, 9)
 * left alone, and a list that shrinks under the current page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "pager.h"
#include "ui.h"

/* Walk to the last row of an n-row list with + and choose it. */
static void
reach_last(size_t n, size_t per)
{
	struct pager	 p;
	size_t		 i = 9999, pages = 1;

	pager_init(&p, n, per);
	while (pager_key(&p, PAGER_NEXT, 1, &i) == PAGER_MOVED)
		pages++;
	assert_int_equal(pages, (n + per - 1) / per);
	assert_int_equal(pager_pages(&p), pages);
	assert_int_equal(p.page + 1, pages);
	assert_int_equal(pager_first(&p) + pager_count(&p), n);
	/* The last row's number on the last page chooses the last row. */
	assert_int_equal(pager_key(&p, '0' + (int)pager_count(&p), 1, &i),
	    PAGER_CHOSEN);
	assert_int_equal(i, n - 1);
}

static void
test_lengths(void **state)
{
	static const size_t	 lens[] = { 1, 8, 9, 30, 200 };
	size_t			 j;

	(void)state;
	for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
		reach_last(lens[j], PAGER_PER_MAX);
		reach_last(lens[j], 7);
		reach_last(lens[j], 3);
	}
}

static void
test_numbers(void **state)
{
	struct pager	 p;
	size_t		 i = 0;

	(void)state;
	pager_init(&p, 9, 8);
	assert_int_equal(pager_pages(&p), 2);
	assert_int_equal(pager_count(&p), 8);
	assert_int_equal(pager_key(&p, '8', 1, &i), PAGER_CHOSEN);
	assert_int_equal(i, 7);
	/* 9 and 0 belong to the screen (help, back), never to a row. */
	assert_int_equal(pager_key(&p, '9', 1, &i), PAGER_NONE);
	assert_int_equal(pager_key(&p, '0', 1, &i), PAGER_NONE);
	assert_int_equal(pager_key(&p, UI_K_DOWN, 1, &i), PAGER_MOVED);
	assert_int_equal(pager_count(&p), 1);
	/* On page 2, "1" is the ninth row; "2" is shown nowhere. */
	i = 42;
	assert_int_equal(pager_key(&p, '2', 1, &i), PAGER_STAY);
	assert_int_equal(i, 42);
	assert_int_equal(pager_key(&p, '1', 1, &i), PAGER_CHOSEN);
	assert_int_equal(i, 8);
	/* No page after the last, none before the first. */
	assert_int_equal(pager_key(&p, PAGER_NEXT, 1, &i), PAGER_STAY);
	assert_int_equal(pager_key(&p, UI_K_UP, 1, &i), PAGER_MOVED);
	assert_int_equal(pager_key(&p, PAGER_PREV, 1, &i), PAGER_STAY);
	assert_int_equal(p.page, 0);
	/* A list to look at: digits are not choices. */
	assert_int_equal(pager_key(&p, '1', 0, &i), PAGER_NONE);
	/* Other keys are the screen's. */
	assert_int_equal(pager_key(&p, UI_K_ENTER, 1, &i), PAGER_NONE);
	assert_int_equal(pager_key(&p, 'x', 1, &i), PAGER_NONE);
}

static void
test_empty(void **state)
{
	struct pager	 p;
	size_t		 i = 7;

	(void)state;
	pager_init(&p, 0, 8);
	assert_int_equal(pager_pages(&p), 1);
	assert_int_equal(pager_count(&p), 0);
	assert_int_equal(pager_key(&p, '1', 1, &i), PAGER_STAY);
	assert_int_equal(pager_key(&p, PAGER_NEXT, 1, &i), PAGER_STAY);
	assert_int_equal(i, 7);
	/* A zeroed pager (a wiped session) is an empty list. */
	p.n = p.per = p.page = 0;
	assert_int_equal(pager_count(&p), 0);
	assert_int_equal(pager_key(&p, '1', 1, &i), PAGER_STAY);
	/* Out of range sizes are the most a page holds. */
	pager_init(&p, 20, 50);
	assert_int_equal(p.per, PAGER_PER_MAX);
}

static void
test_resize(void **state)
{
	struct pager	 p;
	size_t		 i;

	(void)state;
	pager_init(&p, 17, 8);
	assert_int_equal(pager_key(&p, PAGER_NEXT, 1, &i), PAGER_MOVED);
	assert_int_equal(pager_key(&p, PAGER_NEXT, 1, &i), PAGER_MOVED);
	assert_int_equal(p.page, 2);
	/* The one row of page 3 approved away: back to page 2. */
	pager_resize(&p, 16);
	assert_int_equal(p.page, 1);
	assert_int_equal(pager_count(&p), 8);
	pager_resize(&p, 0);
	assert_int_equal(p.page, 0);
	/* Growing keeps the page. */
	pager_init(&p, 9, 8);
	assert_int_equal(pager_key(&p, PAGER_NEXT, 1, &i), PAGER_MOVED);
	pager_resize(&p, 30);
	assert_int_equal(p.page, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_resize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
