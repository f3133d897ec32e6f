/*
 * test_ussd: the USSD menu state machine on a demo database plus
 * hand-made families: a full walk, a timeout, wrong keys, an unknown
 * number, an abort, 100 interleaved sessions, and every screen within
 * one USSD string (182 GSM-7 or 80 UCS-2) with at most five choices, in
 * each [sms] encoding. The clock is fake (2026-06-15 in Riga).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libintl.h>

#include "clock.h"
#include "config.h"
#include "demo.h"
#include "i18n.h"
#include "log.h"
#include "smstext.h"
#include "store.h"
#include "ussd.h"
#include "util.h"
#include "testlib.h"

#define NOW		1781514000	/* 2026-06-15 09:00:00 UTC */
#define ILZE_PHONE	"+37129990001"
#define JOHN_PHONE	"+37129990002"
#define NOBODY_PHONE	"+37129990009"

#define MAIN_LV		"1 Rinda\n2 Maksas\n3 Paziņojumi\n4 Atlaides\n" \
			"5 Iesniegumi\n0 Beigt"
#define MAIN_EN		"1 Preschool queue\n2 Payments\n3 Notifications\n" \
			"4 Discounts\n5 My cases\n0 End"

struct fx {
	struct store		*s;
	struct config		*cfg;
	struct ussd_reply	 r;
};

static void
set(struct fx *fx, enum config_key k, const char *v)
{
	const char	*errstr = NULL;

	if (config_set(fx->cfg, k, v, &errstr) != 0)
		fail_msg("config_set: %s", errstr ? errstr : "?");
}

static int
setup(void **state)
{
	struct fx		*fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	tl_i18n();
	if ((fx->s = tl_demo_store(2000, 42, NOW, LOG_LEVEL_FATAL)) == NULL)
		return -1;
	tl_exec(fx->s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, updated_at) VALUES"
	    " (100001, '999999-00001', 'Ilze', 'Ozola', '+37129990001', 0,"
	    "  'lv', 0),"
	    " (100002, '999999-00002', 'John', 'Smith', '+37129990002', 0,"
	    "  'en', 0)");
	tl_exec(fx->s, "INSERT INTO queue_entries (child_code, child_given_name,"
	    " child_family_name, guardian_id, institution_id, registered_at,"
	    " desired_start, priority, status, updated_at) VALUES"
	    " ('320101-00001', 'Anna', 'Bērziņa', 100001, 1,"
	    "  '2025-01-10 10:00:00', '2027-09', 1, 'active', 0),"
	    " ('320101-00002', 'Žanis', 'Ērglis', 100001, 2,"
	    "  '2025-02-10 10:00:00', '2028-09', 0, 'active', 0)");
	tl_exec(fx->s, "INSERT INTO fees (resident_id, kind, period, amount_cents,"
	    " due_date, reference, paid_cents, updated_at) VALUES"
	    " (100002, 'nin', '2026-Q1', 6120, '2026-03-31', NULL, 0, 0),"
	    " (100002, 'nin', '2026-Q3', 6120, '2026-08-17', NULL, 1000, 0),"
	    " (100001, 'dog', '2026', 1000, '2026-03-02', NULL, 0, 0)");
	fx->cfg = config_defaults();
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	store_close(fx->s);
	config_free(fx->cfg);
	free(fx);
	clock_clear_fake();
	return 0;
}

/* Every screen: one USSD string, at most five choices, no code. */
static void
check_screen(struct fx *fx, const char *text)
{
	struct smstext_opts	 o;
	struct smstext_info	 info;
	const char		*errstr, *p;
	char			*copy;
	int			 choices = 0;

	memset(&o, 0, sizeof(o));
	if (smstext_policy_parse(config_str(fx->cfg, CFG_SMS_ENCODING),
	    &o.policy, &errstr) == -1)
		fail_msg("policy");
	assert_int_equal(smstext_analyze(text, strlen(text), &o, &info,
	    &errstr), 0);
	if (info.units > (info.encoding == SMSTEXT_ENC_GSM7 ? 182u : 80u))
		fail_msg("too long (%zu units of %s): %s", info.units,
		    smstext_encoding_name(info.encoding), text);
	for (p = text; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (p[0] >= '1' && p[0] <= '9' && p[1] == ' ' && p[0] != '9')
			choices++;
		if (p[0] >= '6' && p[0] <= '8' && p[1] == ' ')
			fail_msg("choice %c: %s", p[0], text);
	}
	assert_true(choices <= 5);
	copy = strdup(text);
	assert_non_null(copy);
	assert_int_equal(log_scrub(copy), 0);
	free(copy);
	assert_null(strstr(text, "Bērziņa"));
}

static const char *
ussd(struct fx *fx, const char *phone, const char *session, enum ussd_op op,
    const char *input)
{
	int	 rc;

	rc = ussd_handle(fx->s, fx->cfg, phone, session, op, input,
	    input != NULL ? strlen(input) : 0, &fx->r);
	assert_string_equal(i18n_lang(), "lv");
	if (op == USSD_OP_ABORT) {
		assert_int_equal(rc, 0);
		return "";
	}
	assert_int_equal(rc, 1);
	check_screen(fx, fx->r.text);
	return fx->r.text;
}

static void
test_full_walk(void **state)
{
	struct fx	*fx = *state;
	const char	*t;

	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_OPEN, NULL);
	assert_string_equal(t, MAIN_EN);
	assert_int_equal(fx->r.end, 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM ussd_sessions"
	    " WHERE phone = '" JOHN_PHONE "' AND session = 'a1'"
	    " AND screen = 'main'"), 1);

	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "1");
	assert_string_equal(t, "No child of yours is in a preschool queue.\n"
	    "00 Back\n0 End");
	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "00");
	assert_string_equal(t, MAIN_EN);

	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "2");
	assert_string_equal(t, "1 Property tax 2026-Q1 61.20 EUR\n"
	    "2 Property tax 2026-Q3 51.20 EUR\n00 Back\n0 End");
	/*
	 * The payee's š would make it UCS-2 (80 characters): without the
	 * name the screen is GSM-7 and keeps the rest.
	 */
	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "2#");
	assert_true(strncmp(t, "Property tax 2026-Q3\n51.20 EUR, due "
	    "2026-08-17\nLV89RIKO0023300000000\nRF", 71) == 0);
	assert_non_null(strstr(t, "\n00 Back\n0 End"));
	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "00");
	assert_non_null(strstr(t, "1 Property tax 2026-Q1"));
	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "00");
	assert_string_equal(t, MAIN_EN);

	/* Topics: the first toggles, the list pages on and wraps. */
	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "3");
	assert_non_null(strstr(t, "1 Preschool queue (on)"));
	assert_null(strstr(t, "Emergency"));
	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "1");
	assert_non_null(strstr(t, "1 Preschool queue (off)"));
	assert_int_equal(tl_int(fx->s, "SELECT subscribed FROM subscriptions"
	    " WHERE resident_id = 100002 AND topic_id = (SELECT id FROM topics"
	    " WHERE code = 'pii')"), 0);
	while (strstr(t, "9 More") != NULL)
		t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "9");
	assert_non_null(strstr(t, "Payment receipts (on)"));
	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "9");
	assert_non_null(strstr(t, "Wrong choice."));

	t = ussd(fx, JOHN_PHONE, "a1", USSD_OP_ANSWER, "0");
	assert_string_equal(t, "Thank you. Goodbye!");
	assert_int_equal(fx->r.end, 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM ussd_sessions"),
	    0);
}

static void
test_latvian_walk(void **state)
{
	struct fx	*fx = *state;
	const char	*t;

	t = ussd(fx, ILZE_PHONE, "", USSD_OP_OPEN, NULL);
	assert_string_equal(t, MAIN_LV);
	/* 80 UCS-2 characters: the queue pages. */
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "1");
	assert_non_null(strstr(t, " vieta no "));
	assert_non_null(strstr(t, ": Anna B., Dobeles PII \"Zīlīte\" "
	    "(09.2027)\n9 Vēl\n00 Atpakaļ\n0 Beigt"));
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "9");
	assert_non_null(strstr(t, "1. vieta no 1: Žanis Ē., "));
	assert_null(strstr(t, "9 Vēl"));
	/* A numbered key on a screen without choices: the hint, the place. */
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "1");
	assert_true(strncmp(t, "Nepareiza izvēle.\n1. vieta no 1: Žanis",
	    strlen("Nepareiza izvēle.\n1. vieta no 1: Žanis")) == 0);
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "00");
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "2");
	assert_string_equal(t, "1 Suņu nodeva 2026 10,00 €\n00 Atpakaļ\n"
	    "0 Beigt");
	/*
	 * IBAN, amount and reference fit the 80 characters; the due date
	 * does not (it is on the translit screen below and in MAKSA).
	 */
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "1");
	assert_non_null(strstr(t, "10,00 €\nLV89"));
	assert_non_null(strstr(t, "\nLV89RIKO0023300000000\nRF"));
	assert_non_null(strstr(t, "\n00 Atpakaļ\n0 Beigt"));
	/* A wrong key there: still a hint (the short one fits), and the fee. */
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "7");
	assert_true(strncmp(t, "Nepareizi.\n10,00 €\nLV89RIKO0023300000000\nRF",
	    strlen("Nepareizi.\n10,00 €\nLV89RIKO0023300000000\nRF")) == 0);
	assert_non_null(strstr(t, "\n00 Atpakaļ\n0 Beigt"));
	/* Translit: room for the payee's name. */
	set(fx, CFG_SMS_ENCODING, "translit");
	t = ussd(fx, ILZE_PHONE, "", USSD_OP_ANSWER, "5");
	assert_non_null(strstr(t, "Nepareiza izvēle.\nSuņu turēšanas nodeva "
	    "2026\n10,00 €, termiņš 02.03.2026\nDobeles novada pašvaldība\n"));
}

/*
 * A wrong key keeps the page and its hint; an item cut to make room for
 * the hint loses whole words, never half of one (found: "Dobeles PII
 * \"Zīl" after "Nepareiza izvēle.").
 */
static void
test_wrong_key_cuts_words(void **state)
{
	struct fx	*fx = *state;
	const char	*t, *line;
	static const char full[] = "Anna B., Dobeles PII \"Zīlīte\" (09.2027)";
	char		 item[128];
	size_t		 n;

	(void)ussd(fx, ILZE_PHONE, "w", USSD_OP_OPEN, NULL);
	t = ussd(fx, ILZE_PHONE, "w", USSD_OP_ANSWER, "1");
	assert_non_null(strstr(t, full));
	t = ussd(fx, ILZE_PHONE, "w", USSD_OP_ANSWER, "7");
	assert_true(strncmp(t, "Nepareiza izvēle.\n",
	    strlen("Nepareiza izvēle.\n")) == 0);
	/* The same item, whole or cut after a word. */
	line = strchr(t, '\n') + 1;
	assert_non_null(line = strstr(line, ": "));
	line += 2;
	n = strcspn(line, "\n");
	assert_true(n < sizeof(item));
	memcpy(item, line, n);
	item[n] = '\0';
	assert_true(n > 0 && strncmp(full, item, n) == 0);
	assert_true(full[n] == '\0' || full[n] == ' ' || full[n] == ',');
	/* The place is kept: 9 still goes to the second child. */
	t = ussd(fx, ILZE_PHONE, "w", USSD_OP_ANSWER, "9");
	assert_non_null(strstr(t, "1. vieta no 1: Žanis Ē., "));
}

static void
test_timeout_and_wrong_keys(void **state)
{
	struct fx	*fx = *state;
	const char	*t;
	static const char *wrong[] = { "7", "6", "abc", "", "000", "1 2",
	    "123456789012345678901234567890", "-1", "9" };
	size_t		 i;

	(void)ussd(fx, ILZE_PHONE, "t", USSD_OP_OPEN, NULL);
	for (i = 0; i < nitems(wrong); i++) {
		t = ussd(fx, ILZE_PHONE, "t", USSD_OP_ANSWER, wrong[i]);
		assert_string_equal(t, "Nepareiza izvēle.\n" MAIN_LV);
		assert_int_equal(fx->r.end, 0);
	}
	t = ussd(fx, ILZE_PHONE, "t", USSD_OP_ANSWER, "2");
	assert_non_null(strstr(t, "Suņu nodeva"));
	/* Just in time, then too late: a fresh start, the key ignored. */
	clock_advance_ms(180 * 1000);
	t = ussd(fx, ILZE_PHONE, "t", USSD_OP_ANSWER, "00");
	assert_string_equal(t, MAIN_LV);
	t = ussd(fx, ILZE_PHONE, "t", USSD_OP_ANSWER, "2");
	clock_advance_ms(181 * 1000);
	t = ussd(fx, ILZE_PHONE, "t", USSD_OP_ANSWER, "1");
	assert_string_equal(t, MAIN_LV);
	/* An answer to a session nobody opened starts afresh too. */
	t = ussd(fx, ILZE_PHONE, "never", USSD_OP_ANSWER, "3");
	assert_string_equal(t, MAIN_LV);
	assert_int_equal(ussd_expire(fx->s, fx->cfg), 0);
	clock_advance_ms(200 * 1000);
	assert_int_equal(ussd_expire(fx->s, fx->cfg), 2);
}

static void
test_unregistered_and_abort(void **state)
{
	struct fx	*fx = *state;
	const char	*t;

	t = ussd(fx, NOBODY_PHONE, "x", USSD_OP_OPEN, NULL);
	assert_string_equal(t, "Šis numurs pašvaldībā nav reģistrēts. "
	    "Vērsieties klientu centrā.");
	assert_int_equal(fx->r.end, 1);
	t = ussd(fx, NOBODY_PHONE, "x", USSD_OP_ANSWER, "1");
	assert_int_equal(fx->r.end, 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM ussd_sessions"),
	    0);
	/* Not a phone number: no answer at all. */
	assert_int_equal(ussd_handle(fx->s, fx->cfg, "Bite", "x",
	    USSD_OP_OPEN, NULL, 0, &fx->r), 0);

	(void)ussd(fx, ILZE_PHONE, "y", USSD_OP_OPEN, NULL);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM ussd_sessions"),
	    1);
	(void)ussd(fx, ILZE_PHONE, "y", USSD_OP_ABORT, NULL);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM ussd_sessions"),
	    0);
}

/* 100 callers at once, each step of each session between the others'. */
static void
test_interleaved_sessions(void **state)
{
	struct fx	*fx = *state;
	static const char *walk[] = { NULL, "3", "1", "00", "2", "00", "1" };
	char		 phone[32], session[16];
	const char	*t;
	size_t		 i, k;

	tl_exec(fx->s, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL"
	    " SELECT i + 1 FROM n WHERE i < 99)"
	    " INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, updated_at)"
	    " SELECT 200000 + i, '888888-' || printf('%05d', i), 'Test',"
	    " 'Tests', printf('+371288%05d', i), 0,"
	    " CASE WHEN i % 2 THEN 'en' ELSE 'lv' END, 0 FROM n");
	for (k = 0; k < nitems(walk); k++)
		for (i = 0; i < 100; i++) {
			(void)snprintf(phone, sizeof(phone), "+371288%05zu",
			    i);
			(void)snprintf(session, sizeof(session), "s%zu", i);
			t = ussd(fx, phone, session, k == 0 ? USSD_OP_OPEN :
			    USSD_OP_ANSWER, walk[k]);
			switch (k) {
			case 0:
			case 3:
			case 5:
				assert_string_equal(t, i % 2 ? MAIN_EN :
				    MAIN_LV);
				break;
			case 2:
				assert_non_null(strstr(t, i % 2 ?
				    "1 Preschool queue (off)" :
				    "1 Pirmsskolas rinda (nē)"));
				break;
			case 4:
				assert_non_null(strstr(t, i % 2 ?
				    "You have no unpaid fees." :
				    "Jums nav nesamaksātu maksājumu."));
				break;
			case 6:
				assert_non_null(strstr(t, i % 2 ?
				    "No child of yours" : "Jūsu bērnu nav"));
				break;
			}
		}
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM ussd_sessions"),
	    100);
	/* Each toggled its own subscription, once. */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM subscriptions"
	    " WHERE resident_id >= 200000 AND subscribed = 0"), 100);
}

/* Every screen of both walkers fits, whatever [sms] encoding says. */
static void
test_every_screen_fits(void **state)
{
	struct fx	*fx = *state;
	static const char *enc[] = { "auto", "ucs2", "translit" };
	static const char *keys[] = { "1", "9", "9", "00", "2", "1", "00",
	    "2", "00", "00", "3", "9", "9", "2", "9", "1", "00", "x" };
	static const char *who[] = { ILZE_PHONE, JOHN_PHONE };
	size_t		 e, w, k;

	for (e = 0; e < nitems(enc); e++) {
		set(fx, CFG_SMS_ENCODING, enc[e]);
		for (w = 0; w < nitems(who); w++) {
			(void)ussd(fx, who[w], "f", USSD_OP_OPEN, NULL);
			for (k = 0; k < nitems(keys); k++)
				(void)ussd(fx, who[w], "f", USSD_OP_ANSWER,
				    keys[k]);
		}
	}
}

/*
 * Found by fuzz_ussd: without the Latvian catalogue (a deployment that
 * did not install it) the unregistered caller's text was 83 characters,
 * too long for one UCS-2 USSD string. Every fixed text must fit too.
 */
static void
test_fixed_texts_fit_without_catalogue(void **state)
{
	struct fx	*fx = *state;
	const char	*t;

	set(fx, CFG_SMS_ENCODING, "ucs2");
	(void)bindtextdomain("muni", "/nonexistent");
	(void)i18n_set_lang("en");
	(void)i18n_set_lang("lv");
	t = ussd(fx, NOBODY_PHONE, "u", USSD_OP_OPEN, NULL);
	assert_int_equal(fx->r.end, 1);
	assert_non_null(strstr(t, "not registered"));
	(void)ussd(fx, JOHN_PHONE, "u", USSD_OP_OPEN, NULL);
	t = ussd(fx, JOHN_PHONE, "u", USSD_OP_ANSWER, "0");
	assert_int_equal(fx->r.end, 1);
	tl_i18n();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_walk, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_latvian_walk, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_cuts_words,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_and_wrong_keys,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregistered_and_abort,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_interleaved_sessions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_screen_fits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_fixed_texts_fit_without_catalogue, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
