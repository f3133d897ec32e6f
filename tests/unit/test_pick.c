/*
 * test_pick: the choice between binds — fewest outstanding PDUs among
 * those up with room, ties shared in turn, none when every bind is down
 * or full — and a simulated run where one bind fails half-way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gw_pick.h"

static void
test_fewest_outstanding(void **state)
{
	struct pick_cand c[3] = {
		{ 1, 5, 7 }, { 1, 5, 2 }, { 1, 5, 4 },
	};

	(void)state;
	assert_int_equal(pick_bind(c, 3, 0), 1);
	assert_int_equal(pick_bind(c, 3, 2), 1);
	/* Down: never chosen, however idle. */
	c[1].up = 0;
	c[1].outstanding = 0;
	assert_int_equal(pick_bind(c, 3, 0), 2);
	/* No room (window full or no tokens): skipped too. */
	c[2].room = 0;
	assert_int_equal(pick_bind(c, 3, 1), 0);
	c[0].room = 0;
	assert_int_equal(pick_bind(c, 3, 0), -1);
	assert_int_equal(pick_bind(c, 0, 0), -1);
}

static void
test_ties_in_turn(void **state)
{
	struct pick_cand c[3] = {
		{ 1, 1, 0 }, { 1, 1, 0 }, { 1, 1, 0 },
	};

	(void)state;
	assert_int_equal(pick_bind(c, 3, 0), 0);
	assert_int_equal(pick_bind(c, 3, 1), 1);
	assert_int_equal(pick_bind(c, 3, 2), 2);
	assert_int_equal(pick_bind(c, 3, 3), 0);
	assert_int_equal(pick_bind(c, 3, 4000000001U), 4000000001U % 3);
}

/*
 * Two binds with a window of 10 each; responses come back one per step
 * from the bind with most outstanding. Half-way bind 0 goes down: its
 * outstanding submits are lost to it and everything goes to bind 1.
 */
static void
test_split_and_failover(void **state)
{
	struct pick_cand c[2] = { { 1, 10, 0 }, { 1, 10, 0 } };
	int		 sent[2] = { 0, 0 }, i, b, step;
	unsigned	 turn = 0;

	(void)state;
	for (step = 0; step < 2000; step++) {
		if (step == 1000) {
			c[0].up = 0;
			c[0].outstanding = 0;
			c[0].room = 0;
		}
		while ((b = pick_bind(c, 2, turn++)) != -1) {
			sent[b]++;
			c[b].outstanding++;
			c[b].room--;
			if (step >= 1000)
				assert_int_equal(b, 1);
		}
		/* One response on each bind that has any outstanding. */
		for (i = 0; i < 2; i++)
			if (c[i].up && c[i].outstanding > 0) {
				c[i].outstanding--;
				c[i].room++;
			}
	}
	/* Before the failure the two shared evenly. */
	assert_true(sent[0] >= 990 && sent[0] <= 1010);
	assert_true(sent[1] >= 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fewest_outstanding),
		cmocka_unit_test(test_ties_in_turn),
		cmocka_unit_test(test_split_and_failover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
