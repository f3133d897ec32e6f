/*
 * test_i18n: the explicit language switch works under the C.UTF-8 locale
 * (no lv_LV needed), Latvian is the default, and a message without a
 * translation falls back to its English id, never to nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "i18n.h"

static int
setup(void **state)
{
	(void)state;
	/* tests/run.sh points MUNI_LOCALEDIR at the build's catalogues. */
	if (getenv("MUNI_LOCALEDIR") == NULL)
		setenv("MUNI_LOCALEDIR", "build/release/locale", 1);
	unsetenv("MUNI_LANG");
	i18n_init();
	return 0;
}

static void
test_latvian_by_default(void **state)
{
	(void)state;
	assert_string_equal(i18n_lang(), "lv");
	assert_string_equal(_("is too large"), "ir par lielu");
}

static void
test_switch_and_back(void **state)
{
	(void)state;
	assert_int_equal(i18n_set_lang("en"), 0);
	assert_string_equal(_("is too large"), "is too large");
	assert_int_equal(i18n_set_lang("lv"), 0);
	assert_string_equal(_("is too large"), "ir par lielu");
	/* Switching many times keeps answering (the catalogue cache). */
	for (int i = 0; i < 100; i++) {
		assert_int_equal(i18n_set_lang(i % 2 ? "en" : "lv"), 0);
		assert_string_equal(_("is too small"),
		    i % 2 ? "is too small" : "ir par mazu");
	}
	assert_int_equal(i18n_set_lang("lv"), 0);
}

static void
test_missing_translation_falls_back(void **state)
{
	const char	*id = "no catalogue has this sentence";

	(void)state;
	assert_string_equal(_(id), id);
	/* A language without a catalogue gives the ids. */
	assert_int_equal(i18n_set_lang("ru"), 0);
	assert_string_equal(_("is too large"), "is too large");
	assert_int_equal(i18n_set_lang("lv"), 0);
}

static void
test_bad_language_refused(void **state)
{
	(void)state;
	assert_int_equal(i18n_set_lang("LV"), -1);
	assert_int_equal(i18n_set_lang("l"), -1);
	assert_int_equal(i18n_set_lang("../../etc"), -1);
	assert_string_equal(i18n_lang(), "lv");
}

static void
test_plural_forms(void **state)
{
	(void)state;
	/* Latvian has three forms: 1 (and 21), 2-20, 0. */
	assert_non_null(strstr(ngettext("%s: %zu error; nothing was "
	    "imported\n", "%s: %zu errors; nothing was imported\n", 21),
	    "kļūda;"));
	assert_non_null(strstr(ngettext("%s: %zu error; nothing was "
	    "imported\n", "%s: %zu errors; nothing was imported\n", 3),
	    "kļūdas;"));
	assert_non_null(strstr(ngettext("%s: %zu error; nothing was "
	    "imported\n", "%s: %zu errors; nothing was imported\n", 0),
	    "kļūdu;"));
}

/* Latvian amounts have a decimal comma and € after a plain space. */
static void
test_money(void **state)
{
	char	 buf[I18N_MONEY_SIZE];

	(void)state;
	assert_int_equal(i18n_set_lang("lv"), 0);
	i18n_money(3750, buf, sizeof(buf));
	assert_string_equal(buf, "37,50 €");
	i18n_money(5, buf, sizeof(buf));
	assert_string_equal(buf, "0,05 €");
	i18n_money(-150, buf, sizeof(buf));
	assert_string_equal(buf, "-1,50 €");
	i18n_money(INT64_MIN, buf, sizeof(buf));
	assert_string_equal(buf, "-92233720368547758,08 €");
	assert_int_equal(i18n_set_lang("en"), 0);
	i18n_money(3750, buf, sizeof(buf));
	assert_string_equal(buf, "37.50 EUR");
	i18n_money(99999999999LL, buf, sizeof(buf));
	assert_string_equal(buf, "999999999.99 EUR");
	assert_int_equal(i18n_set_lang("lv"), 0);
}

static void
test_dates_and_periods(void **state)
{
	char	 buf[I18N_PERIOD_SIZE];

	(void)state;
	assert_int_equal(i18n_set_lang("lv"), 0);
	i18n_date("2026-11-16", buf, sizeof(buf));
	assert_string_equal(buf, "16.11.2026");
	i18n_date("2026-11-16 09:05:00", buf, sizeof(buf));
	assert_string_equal(buf, "16.11.2026 09:05:00");
	/* Not a date: shown as stored, never half-converted. */
	i18n_date("2026-1-16", buf, sizeof(buf));
	assert_string_equal(buf, "2026-1-16");
	i18n_date("2027-09", buf, sizeof(buf));
	assert_string_equal(buf, "09.2027");
	i18n_date("", buf, sizeof(buf));
	assert_string_equal(buf, "");
	i18n_period("2026-Q4", buf, sizeof(buf));
	assert_string_equal(buf, "2026. g. 4. ceturksnis");
	i18n_period("2026-03", buf, sizeof(buf));
	assert_string_equal(buf, "03.2026");
	i18n_period("2026", buf, sizeof(buf));
	assert_string_equal(buf, "2026");
	i18n_period("2026-Q5", buf, sizeof(buf));
	assert_string_equal(buf, "2026-Q5");

	assert_int_equal(i18n_set_lang("en"), 0);
	i18n_date("2026-11-16", buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-16");
	i18n_period("2026-Q4", buf, sizeof(buf));
	assert_string_equal(buf, "2026-Q4");
	i18n_period("2026-03", buf, sizeof(buf));
	assert_string_equal(buf, "2026-03");
	assert_int_equal(i18n_set_lang("lv"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latvian_by_default),
		cmocka_unit_test(test_switch_and_back),
		cmocka_unit_test(test_missing_translation_falls_back),
		cmocka_unit_test(test_bad_language_refused),
		cmocka_unit_test(test_plural_forms),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_dates_and_periods),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
