/*
 * test_spoken: figures said the way a person says them, for the kiosk's
 * speech (issue 20): Latvian numbers with their genders and cases,
 * amounts, dates, queue positions, IBANs and RF references in groups of
 * four, a screen line with figures in it; the English forms; and the
 * figures left as they are for a language with neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "i18n.h"
#include "spoken.h"

static int
setup(void **state)
{
	(void)state;
	if (getenv("MUNI_LOCALEDIR") == NULL)
		setenv("MUNI_LOCALEDIR", "build/release/locale", 1);
	unsetenv("MUNI_LANG");
	i18n_init();
	return 0;
}

static int
to_lv(void **state)
{
	(void)state;
	return i18n_set_lang("lv");
}

static int
to_en(void **state)
{
	(void)state;
	return i18n_set_lang("en");
}

#define NUMBER(n, g, want) do {						\
	char	 b_[SPOKEN_SIZE];					\
	assert_int_equal(spoken_number((n), (g), b_, sizeof(b_)), 0);	\
	assert_string_equal(b_, (want));				\
} while (0)

#define MONEY(c, want) do {						\
	char	 b_[SPOKEN_SIZE];					\
	assert_int_equal(spoken_money((c), b_, sizeof(b_)), 0);	\
	assert_string_equal(b_, (want));				\
} while (0)

#define DATE(iso, y, want) do {						\
	char	 b_[SPOKEN_SIZE];					\
	assert_int_equal(spoken_date((iso), (y), b_, sizeof(b_)), 0);	\
	assert_string_equal(b_, (want));				\
} while (0)

#define POSITION(p, t, want) do {					\
	char	 b_[SPOKEN_SIZE];					\
	assert_int_equal(spoken_position((p), (t), b_, sizeof(b_)), 0);	\
	assert_string_equal(b_, (want));				\
} while (0)

#define LINE(in, want) do {						\
	char	 b_[4 * SPOKEN_SIZE];					\
	assert_int_equal(spoken_line((in), b_, sizeof(b_)), 0);	\
	assert_string_equal(b_, (want));				\
} while (0)

static void
test_lv_numbers(void **state)
{
	(void)state;
	NUMBER(0, SPOKEN_MASC, "nulle");
	NUMBER(1, SPOKEN_MASC, "viens");
	NUMBER(1, SPOKEN_FEM, "viena");
	NUMBER(2, SPOKEN_FEM, "divas");
	NUMBER(3, SPOKEN_FEM, "trīs");
	NUMBER(7, SPOKEN_MASC, "septiņi");
	NUMBER(10, SPOKEN_MASC, "desmit");
	NUMBER(11, SPOKEN_MASC, "vienpadsmit");
	NUMBER(19, SPOKEN_MASC, "deviņpadsmit");
	NUMBER(20, SPOKEN_MASC, "divdesmit");
	NUMBER(21, SPOKEN_MASC, "divdesmit viens");
	NUMBER(22, SPOKEN_FEM, "divdesmit divas");
	NUMBER(37, SPOKEN_MASC, "trīsdesmit septiņi");
	NUMBER(99, SPOKEN_MASC, "deviņdesmit deviņi");
	NUMBER(100, SPOKEN_MASC, "simts");
	NUMBER(101, SPOKEN_MASC, "simtu viens");
	NUMBER(120, SPOKEN_MASC, "simtu divdesmit");
	NUMBER(200, SPOKEN_MASC, "divi simti");
	NUMBER(345, SPOKEN_MASC, "trīs simti četrdesmit pieci");
	NUMBER(1000, SPOKEN_MASC, "tūkstotis");
	NUMBER(1001, SPOKEN_MASC, "tūkstoš viens");
	NUMBER(1100, SPOKEN_MASC, "tūkstoš simts");
	NUMBER(2000, SPOKEN_MASC, "divi tūkstoši");
	NUMBER(2026, SPOKEN_MASC, "divi tūkstoši divdesmit seši");
	NUMBER(11000, SPOKEN_MASC, "vienpadsmit tūkstoši");
	NUMBER(21000, SPOKEN_MASC, "divdesmit viens tūkstotis");
	NUMBER(1000000, SPOKEN_MASC, "miljons");
	NUMBER(2500000, SPOKEN_MASC, "divi miljoni pieci simti tūkstoši");
	NUMBER(-5, SPOKEN_MASC, "mīnus pieci");
}

static void
test_lv_money(void **state)
{
	(void)state;
	MONEY(3750, "trīsdesmit septiņi eiro, piecdesmit centi");
	MONEY(0, "nulle eiro");
	MONEY(1, "viens cents");
	MONEY(2, "divi centi");
	MONEY(11, "vienpadsmit centi");
	MONEY(21, "divdesmit viens cents");
	MONEY(100, "viens eiro");
	MONEY(101, "viens eiro, viens cents");
	MONEY(1100, "vienpadsmit eiro");
	MONEY(1900, "deviņpadsmit eiro");
	MONEY(2100, "divdesmit viens eiro");
	MONEY(10000, "simts eiro");
	MONEY(10100, "simtu viens eiro");
	MONEY(100000, "tūkstotis eiro");
	MONEY(100100, "tūkstoš viens eiro");
	MONEY(100000000, "miljons eiro");
	MONEY(99999999999, "deviņi simti deviņdesmit deviņi miljoni deviņi "
	    "simti deviņdesmit deviņi tūkstoši deviņi simti deviņdesmit "
	    "deviņi eiro, deviņdesmit deviņi centi");
	MONEY(-1050, "mīnus desmit eiro, piecdesmit centi");
}

static void
test_lv_dates(void **state)
{
	(void)state;
	DATE("2026-11-16", 0, "sešpadsmitais novembris");
	DATE("2026-01-01", 0, "pirmais janvāris");
	DATE("2026-03-02", 0, "otrais marts");
	DATE("2026-05-03", 0, "trešais maijs");
	DATE("2026-08-10", 0, "desmitais augusts");
	DATE("2026-08-20", 0, "divdesmitais augusts");
	DATE("2026-12-21", 0, "divdesmit pirmais decembris");
	DATE("2026-03-31", 0, "trīsdesmit pirmais marts");
	DATE("2026-11-16", 1, "divi tūkstoši divdesmit sestā gada "
	    "sešpadsmitais novembris");
	DATE("2000-02-29", 1, "divtūkstošā gada divdesmit devītais "
	    "februāris");
	/* Not a date: said as it stands, not hidden. */
	DATE("2026-02-30", 0, "2026-02-30");
	DATE("soon", 0, "soon");
}

static void
test_lv_positions(void **state)
{
	(void)state;
	POSITION(60, 90, "sešdesmitā vieta no deviņdesmit");
	POSITION(1, 1, "pirmā vieta no viena");
	POSITION(1, 2, "pirmā vieta no diviem");
	POSITION(2, 3, "otrā vieta no trim");
	POSITION(11, 21, "vienpadsmitā vieta no divdesmit viena");
	POSITION(19, 25, "deviņpadsmitā vieta no divdesmit pieciem");
	POSITION(21, 100, "divdesmit pirmā vieta no simta");
	POSITION(100, 101, "simtā vieta no simtu viena");
	POSITION(101, 300, "simtu pirmā vieta no trim simtiem");
	POSITION(200, 1000, "divsimtā vieta no tūkstoša");
	POSITION(1000, 1001, "tūkstošā vieta no tūkstoš viena");
	POSITION(3000, 5000, "trīstūkstošā vieta no pieciem tūkstošiem");
}

static void
test_lv_chars(void **state)
{
	char	 b[SPOKEN_SIZE];

	(void)state;
	assert_int_equal(spoken_chars("RF18539007547034", b, sizeof(b)), 0);
	assert_string_equal(b, "R F viens astoņi, pieci trīs deviņi nulle, "
	    "nulle septiņi pieci četri, septiņi nulle trīs četri");
	/* The screen's grouping changes nothing. */
	assert_int_equal(spoken_chars("LV89 RIKO 0023 3000 0000 0", b,
	    sizeof(b)), 0);
	assert_string_equal(b, "L V astoņi deviņi, R I K O, nulle nulle "
	    "divi trīs, trīs nulle nulle nulle, nulle nulle nulle nulle, "
	    "nulle");
}

static void
test_lv_line(void **state)
{
	(void)state;
	LINE("NĪN 2026. g. 4. ceturksnis: 37,50 €, termiņš 16.11.2026",
	    "NĪN divi tūkstoši divdesmit sestā gada ceturtais ceturksnis: "
	    "trīsdesmit septiņi eiro, piecdesmit centi, termiņš divi "
	    "tūkstoši divdesmit sestā gada sešpadsmitais novembris");
	LINE("Vēlamais sākums: 09.2027",
	    "Vēlamais sākums: divi tūkstoši divdesmit septītā gada "
	    "septembris");
	LINE("Konts LV89RIKO0023300000000, atsauce RF18539007547034.",
	    "Konts L V astoņi deviņi, R I K O, nulle nulle divi trīs, trīs "
	    "nulle nulle nulle, nulle nulle nulle nulle, nulle, atsauce R F "
	    "viens astoņi, pieci trīs deviņi nulle, nulle septiņi pieci "
	    "četri, septiņi nulle trīs četri.");
	/* The queue screen's line. */
	LINE("60. vieta no 90, no 09.2027",
	    "sešdesmitā vieta no deviņdesmit, no divi tūkstoši divdesmit "
	    "septītā gada septembris");
	/* Figures that are none of these stay for the voice to read. */
	LINE("Nospiediet 1. Kods 12.34.2026, 5,5 €, 1,50 EUR",
	    "Nospiediet 1. Kods 12.34.2026, 5,5 €, 1,50 EUR");
	/* Inside a word nothing is a figure. */
	LINE("X16.11.2026 ab37,50 €", "X16.11.2026 ab37,50 €");
	LINE("", "");
}

static void
test_en(void **state)
{
	char	 b[SPOKEN_SIZE];

	(void)state;
	NUMBER(0, SPOKEN_MASC, "zero");
	NUMBER(11, SPOKEN_FEM, "eleven");
	NUMBER(21, SPOKEN_MASC, "twenty-one");
	NUMBER(100, SPOKEN_MASC, "one hundred");
	NUMBER(101, SPOKEN_MASC, "one hundred and one");
	NUMBER(1000, SPOKEN_MASC, "one thousand");
	NUMBER(1001, SPOKEN_MASC, "one thousand and one");
	NUMBER(1000000, SPOKEN_MASC, "one million");
	MONEY(3750, "thirty-seven euros and fifty cents");
	MONEY(1, "one cent");
	MONEY(100, "one euro");
	MONEY(0, "zero euros");
	MONEY(2100, "twenty-one euros");
	DATE("2026-11-16", 0, "the sixteenth of November");
	DATE("2026-01-01", 0, "the first of January");
	DATE("2026-01-02", 0, "the second of January");
	DATE("2026-01-31", 1, "the thirty-first of January two thousand "
	    "and twenty-six");
	POSITION(60, 90, "sixtieth place of ninety");
	POSITION(12, 20, "twelfth place of twenty");
	POSITION(103, 200, "one hundred and third place of two hundred");
	assert_int_equal(spoken_chars("RF18", b, sizeof(b)), 0);
	assert_string_equal(b, "R F one eight");
	LINE("Place 60 of 90, from 2027-09",
	    "sixtieth place of ninety, from September two thousand and "
	    "twenty-seven");
	LINE("Due 2026-11-16: 37.50 EUR",
	    "Due the sixteenth of November two thousand and twenty-six: "
	    "thirty-seven euros and fifty cents");
	/* The Latvian forms are not English ones. */
	LINE("37,50 € 16.11.2026", "37,50 € 16.11.2026");
}

/* A language with neither: the figures as the screen writes them. */
static void
test_other_language(void **state)
{
	(void)state;
	assert_int_equal(i18n_set_lang("ru"), 0);
	NUMBER(21, SPOKEN_MASC, "21");
	MONEY(3750, "37,50 €");
	POSITION(60, 90, "60 / 90");
	LINE("37,50 € 16.11.2026", "37,50 € 16.11.2026");
	assert_int_equal(i18n_set_lang("lv"), 0);
}

/* Too small a buffer: -1, and what is there ends at a whole character. */
static void
test_bounds(void **state)
{
	char	 b[12];

	(void)state;
	assert_int_equal(spoken_money(3750, b, sizeof(b)), -1);
	assert_true(strlen(b) < sizeof(b));
	assert_int_equal(spoken_line("ēēēēēēēē", b, sizeof(b)), -1);
	assert_string_equal(b, "ēēēēē");
	assert_int_equal(spoken_number(1, SPOKEN_MASC, b, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lv_numbers, to_lv),
		cmocka_unit_test_setup(test_lv_money, to_lv),
		cmocka_unit_test_setup(test_lv_dates, to_lv),
		cmocka_unit_test_setup(test_lv_positions, to_lv),
		cmocka_unit_test_setup(test_lv_chars, to_lv),
		cmocka_unit_test_setup(test_lv_line, to_lv),
		cmocka_unit_test_setup(test_en, to_en),
		cmocka_unit_test_setup(test_other_language, to_lv),
		cmocka_unit_test_setup(test_bounds, to_lv),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
