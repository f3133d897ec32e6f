/*
 * test_kiosk_nav: the kiosk's table of screens and its navigation without
 * a terminal — every screen has a complete row of its own, staff screens
 * are known by their flag (no help key there, whatever their place in the
 * enum), 0 and 9 on a choice screen, an error note that goes with the
 * first change of its field, and each question worded and answered by the
 * row of the screen it is asked over (the shutdown audited by the person
 * signed in).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk.h"
#include "log.h"
#include "nav.h"
#include "screens.h"
#include "store.h"
#include "testlib.h"
#include "ui.h"
#include "util.h"

static struct kiosk	 k;	/* large */

static void
test_table(void **state)
{
	const struct screen	*s, *t;
	int			 i, j;

	(void)state;
	for (i = 0; i < KS__COUNT; i++) {
		s = screen_get((enum kiosk_screen)i);
		assert_non_null(s->name);
		assert_non_null(s->draw);
		assert_non_null(s->key);
		/* A question over a screen has a yes to go with it. */
		assert_true((s->ask == NULL) == (s->yes == NULL));
		for (j = 0; j < i; j++) {
			t = screen_get((enum kiosk_screen)j);
			assert_true(s != t);
			assert_string_not_equal(s->name, t->name);
		}
		/* Staff mode's screens are flagged, and only they. */
		assert_int_equal(!!(s->flags & SCREEN_STAFF),
		    strncmp(s->name, "staff-", 6) == 0);
	}
	assert_true(screen_get(KS_STAFF_ID)->flags & SCREEN_STAFF);
	assert_false(screen_get(KS_HELP)->flags & SCREEN_STAFF);
	/*
	 * Only the welcome screen and the one shown while the database is
	 * lost (the visit already ended) idle without a warning.
	 */
	for (i = 0; i < KS__COUNT; i++)
		assert_int_equal(!!(screen_get((enum kiosk_screen)i)->flags &
		    SCREEN_QUIET), i == KS_WELCOME || i == KS_UNAVAILABLE);
}

static void
test_choice_keys(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	nav_go(&k, KS_FEES);
	assert_true(nav_choice_key(&k, '9', KS_MENU));
	assert_int_equal(k.screen, KS_HELP);
	assert_int_equal(k.help_from, KS_FEES);
	nav_go(&k, KS_FEES);
	assert_false(nav_choice_key(&k, '5', KS_MENU));
	assert_int_equal(k.screen, KS_FEES);
	assert_true(nav_choice_key(&k, UI_K_LEFT, KS_MENU));
	assert_int_equal(k.screen, KS_MENU);
	/* Staff have no help screen: 9 is left to the screen's list. */
	nav_go(&k, KS_STAFF_DASH);
	assert_false(nav_choice_key(&k, '9', KS_STAFF_MENU));
	assert_int_equal(k.screen, KS_STAFF_DASH);
	assert_true(nav_choice_key(&k, '0', KS_STAFF_MENU));
	assert_int_equal(k.screen, KS_STAFF_MENU);
}

static void
test_notes(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	nav_go(&k, KS_IDENT_CODE);
	nav_note(&k, 1, "A personal code has 11 digits.");
	assert_false(nav_input_digit(&k, 'x', 11));
	assert_string_equal(k.note, "A personal code has 11 digits.");
	assert_true(nav_input_digit(&k, '3', 11));
	assert_string_equal(k.note, "");
	assert_string_equal(k.sess.input, "3");
	/* A note that is not an error stays with its screen. */
	nav_note(&k, 0, "sent");
	assert_true(nav_input_digit(&k, '1', 11));
	assert_string_equal(k.note, "sent");
	/* Going elsewhere clears the note and the field. */
	nav_go(&k, KS_MENU);
	assert_string_equal(k.note, "");
	assert_int_equal(k.sess.input_len, 0);
}

static void
test_questions(void **state)
{
	struct screen_question	 q;
	struct store		*s;

	(void)state;
	assert_non_null(s = tl_demo_store(1, 1, 1796112000, LOG_LEVEL_WARN));
	memset(&k, 0, sizeof(k));
	k.store = s;
	nav_go(&k, KS_REPORT_TEXT);
	nav_ask(&k, KA_DISCARD_REPORT);
	memset(&q, 0, sizeof(q));
	assert_int_equal(screen_get(k.screen)->ask(&k, &q), 0);
	assert_string_equal(q.title, "Discard the report?");
	assert_false(q.urgent);
	/* Another screen's question is not this screen's to word. */
	k.ask = KA_SHUTDOWN;
	assert_int_equal(screen_get(k.screen)->ask(&k, &q), -1);
	screen_get(k.screen)->yes(&k, KA_DISCARD_REPORT);
	assert_int_equal(k.screen, KS_REPORT_CAT);

	nav_go(&k, KS_STAFF_MENU);
	k.staff.in = 1;
	(void)util_strlcpy(k.staff.name, "anna", sizeof(k.staff.name));
	nav_ask(&k, KA_SHUTDOWN);
	assert_int_equal(screen_get(k.screen)->ask(&k, &q), 0);
	assert_string_equal(q.title, "Shut the kiosk down?");
	screen_get(k.screen)->yes(&k, KA_EMERGENCY);
	assert_false(k.quit);
	screen_get(k.screen)->yes(&k, KA_SHUTDOWN);
	assert_true(k.quit);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " actor = 'anna' AND action = 'kiosk shut down by staff'"), 1);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_choice_keys),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_questions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
