/*
 * test_topics: the standard set a new database is given (the demo's codes,
 * names and defaults, one emergency topic), seeding that never overwrites
 * or duplicates, and the checks on add, set and remove: codes a basic
 * phone can type and STOP can name, names no two topics share, the
 * emergency topic kept and on, and no removal that leaves a broadcast, a
 * queued message or a group rule pointing at nothing. The codes refused
 * for STOP are the ones the SMS parser reads as "every topic": the two
 * share words.c, and stop_words_agree holds them to it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "keywords.h"
#include "log.h"
#include "store.h"
#include "topics.h"
#include "words.h"
#include "testdb.h"
#include "testlib.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */

static int
setup(void **state)
{
	struct store	*s;
	const char	*errstr = NULL;

	clock_set_fake(NOW);
	log_set_level(LOG_LEVEL_WARN);
	if ((s = test_store_open(&errstr)) == NULL) {
		fprintf(stderr, "setup: %s\n", errstr ? errstr : "?");
		return -1;
	}
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	return 0;
}

static void
seed(struct store *s, int want)
{
	int	 added = -1;

	assert_int_equal(topics_seed(s, &added), 0);
	assert_int_equal(added, want);
}

static void
seed_standard(void **state)
{
	struct store	*s = *state;
	struct topics_info t;
	int64_t		 n, e;

	assert_int_equal(topics_count(s, &n, &e), 0);
	assert_int_equal(n, 0);
	seed(s, 8);
	assert_int_equal(topics_count(s, &n, &e), 0);
	assert_int_equal(n, 8);
	assert_int_equal(e, 1);
	assert_int_equal(topics_get(s, "arkartas", &t), 0);
	assert_true(t.emergency && t.default_on);
	assert_string_equal(t.name_lv, "Ārkārtas paziņojumi");
	assert_string_equal(t.name_en, "Emergency alerts");
	assert_int_equal(topics_get(s, "nodokli", &t), 0);
	assert_string_equal(t.name_lv, "Nodokļi un maksājumi");
	assert_true(t.default_on && !t.emergency);
	assert_int_equal(topics_get(s, "kultura", &t), 0);
	assert_false(t.default_on);
	assert_int_equal(topics_get(s, "pazinojumi", &t), 0);
	assert_string_equal(t.name_lv, "Paziņojumi");
	assert_true(t.default_on);
	assert_int_equal(topics_get(s, "receipts", &t), 0);
	assert_int_equal(topics_get(s, "celi", &t), 0);
	assert_string_equal(t.name_lv, "Ceļi un satiksme");
	assert_int_equal(topics_get(s, "nosuch", &t), 1);
	/* Again: nothing new, and staff's edits stay. */
	tl_exec(s, "UPDATE topics SET name_en = 'Tax', default_on = 0"
	    " WHERE code = 'nodokli'");
	seed(s, 0);
	assert_int_equal(topics_get(s, "nodokli", &t), 0);
	assert_string_equal(t.name_en, "Tax");
	assert_false(t.default_on);
	/* Only what is missing comes back. */
	tl_exec(s, "DELETE FROM topics WHERE code = 'celi'");
	seed(s, 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"), 8);
}

static void
seed_keeps_own_emergency(void **state)
{
	struct store	*s = *state;
	int64_t		 n, e;

	tl_exec(s, "INSERT INTO topics (code, name_lv, name_en, default_on,"
	    " emergency) VALUES ('briesmas', 'Briesmas', 'Danger', 1, 1)");
	seed(s, 7);
	assert_int_equal(topics_count(s, &n, &e), 0);
	assert_int_equal(n, 8);
	assert_int_equal(e, 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"
	    " WHERE code = 'arkartas'"), 0);
}

static void
code_validation(void **state)
{
	static const char *good[] = {
		"a", "ielu_remonts", "x1", "kultura2026",
		"abcdefghijklmnopqrstuvwxyz01234",	/* 31 */
	};
	static const char *bad[] = {
		"", "A", "Kultura", "1a", "_a", "a-b", "a b", "ielu.remonts",
		"kultūra", "abcdefghijklmnopqrstuvwxyz012345",	/* 32 */
		"visi", "all", "visas",		/* STOP <it> = everything */
	};
	char		 err[TOPICS_ERR_SIZE];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		if (topics_code_valid(good[i], err, sizeof(err)) != 0)
			fail_msg("'%s' refused: %s", good[i], err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (topics_code_valid(bad[i], err, sizeof(err)) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(topics_code_valid(NULL, err, sizeof(err)), -1);
}

/*
 * topics.c no longer asks the SMS parser: whatever STOP <word> means to
 * keywords_parse, words_stop_all and topics_code_valid must say the same.
 */
static void
stop_words_agree(void **state)
{
	static const char *all[] = {
		"all", "visi", "visu", "visus", "visas", "viss", "visiem",
	};
	static const char *one[] = {
		"alla", "visi2", "vis_i", "visiemm", "v", "kultura",
		"pazinojumi", "arkartas", "stop", "start",
	};
	char		 line[64], err[TOPICS_ERR_SIZE];
	const char	*arg;
	size_t		 i, arglen;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		(void)snprintf(line, sizeof(line), "STOP %s", all[i]);
		assert_int_equal(keywords_parse(line, strlen(line), &arg,
		    &arglen), KEYWORDS_STOP_ALL);
		assert_int_equal(words_stop_all(all[i], strlen(all[i])), 1);
		if (topics_code_valid(all[i], err, sizeof(err)) != -1)
			fail_msg("code '%s' accepted: STOP %s means every "
			    "topic", all[i], all[i]);
	}
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		(void)snprintf(line, sizeof(line), "STOP %s", one[i]);
		assert_int_equal(keywords_parse(line, strlen(line), &arg,
		    &arglen), KEYWORDS_STOP);
		assert_int_equal(arglen, strlen(one[i]));
		assert_int_equal(words_stop_all(one[i], strlen(one[i])), 0);
		if (topics_code_valid(one[i], err, sizeof(err)) != 0)
			fail_msg("code '%s' refused: %s", one[i], err);
	}
	/* As typed: case, diacritics and punctuation do not matter. */
	assert_int_equal(words_stop_all("", 0), 1);
	assert_int_equal(words_stop_all(" VISI! ", 7), 1);
	assert_int_equal(words_stop_all("Visiem.", 7), 1);
}

static void
add_and_set(void **state)
{
	struct store	*s = *state;
	struct topics_info t;
	char		 err[TOPICS_ERR_SIZE], code[16];
	int		 i;

	seed(s, 8);
	assert_int_equal(topics_add(s, "ielu_remonts", "Ielu remonts",
	    "Street works", 0, err, sizeof(err)), 0);
	assert_int_equal(topics_get(s, "ielu_remonts", &t), 0);
	assert_false(t.default_on);
	assert_false(t.emergency);
	/* Refusals change nothing. */
	assert_int_equal(topics_add(s, "ielu_remonts", "X", "Y", 1, err,
	    sizeof(err)), 1);
	assert_non_null(strstr(err, "ielu_remonts"));
	assert_int_equal(topics_add(s, "Bad", "X", "Y", 1, err,
	    sizeof(err)), 1);
	assert_int_equal(topics_add(s, "ok", "", "Y", 1, err, sizeof(err)),
	    1);
	assert_int_equal(topics_add(s, "ok", "X\nZ", "Y", 1, err,
	    sizeof(err)), 1);
	assert_int_equal(topics_add(s, "ok", "X", "\xc4", 1, err,
	    sizeof(err)), 1);
	assert_int_equal(topics_add(s, "ok", "X", "--- ...", 1, err,
	    sizeof(err)), 1);
	/* Another topic's code or name, folded, would steal its START. */
	assert_int_equal(topics_add(s, "ok", "KULTŪRAS pasākumi!", "Y", 1,
	    err, sizeof(err)), 1);
	assert_non_null(strstr(err, "kultura"));
	assert_int_equal(topics_add(s, "ok", "X", "Pii", 1, err,
	    sizeof(err)), 1);
	assert_int_equal(topics_add(s, "street_works", "X", "Y", 1, err,
	    sizeof(err)), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"), 9);

	/* set: only what is given changes. */
	assert_int_equal(topics_set(s, "ielu_remonts", NULL, "Roadworks", 1,
	    err, sizeof(err)), 0);
	assert_int_equal(topics_get(s, "ielu_remonts", &t), 0);
	assert_string_equal(t.name_lv, "Ielu remonts");
	assert_string_equal(t.name_en, "Roadworks");
	assert_true(t.default_on);
	assert_int_equal(topics_set(s, "ielu_remonts", NULL, NULL, -1, err,
	    sizeof(err)), 0);
	assert_int_equal(topics_get(s, "ielu_remonts", &t), 0);
	assert_true(t.default_on);
	/* Its own names may be the same as its code. */
	assert_int_equal(topics_set(s, "ielu_remonts", "Ielu_remonts", NULL,
	    -1, err, sizeof(err)), 0);
	assert_int_equal(topics_set(s, "ielu_remonts", "Celi", NULL, -1,
	    err, sizeof(err)), 1);
	assert_int_equal(topics_set(s, "nosuch", "X", NULL, -1, err,
	    sizeof(err)), 1);
	/* Nobody may start outside the emergency topic. */
	assert_int_equal(topics_set(s, "arkartas", NULL, NULL, 0, err,
	    sizeof(err)), 1);
	assert_int_equal(topics_get(s, "arkartas", &t), 0);
	assert_true(t.default_on);
	assert_int_equal(topics_set(s, "arkartas", "Trauksme", NULL, 1, err,
	    sizeof(err)), 0);

	/* As many as TEMAS can list, no more. */
	for (i = 9; i < TOPICS_MAX; i++) {
		(void)snprintf(code, sizeof(code), "t%d", i);
		assert_int_equal(topics_add(s, code, code, code, 0, err,
		    sizeof(err)), 0);
	}
	assert_int_equal(topics_add(s, "one_more", "X", "Y", 0, err,
	    sizeof(err)), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"),
	    TOPICS_MAX);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"
	    " WHERE emergency <> 0"), 1);
}

static void
remove_checks(void **state)
{
	struct store	*s = *state;
	struct topics_info list[TOPICS_MAX];
	char		 err[TOPICS_ERR_SIZE];
	int64_t		 dropped = -1;
	size_t		 n, i;

	seed(s, 8);
	assert_int_equal(topics_add(s, "ielu_remonts", "Ielu remonts",
	    "Street works", 0, err, sizeof(err)), 0);
	tl_exec(s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, updated_at) VALUES (1, '010101-10000', 'Anna',"
	    " 'Ozola', 0), (2, '020202-20000', 'Jānis', 'Bērziņš', 0)");
	tl_exec(s, "INSERT INTO subscriptions VALUES"
	    " (1, (SELECT id FROM topics WHERE code = 'ielu_remonts'), 1, 0),"
	    " (2, (SELECT id FROM topics WHERE code = 'ielu_remonts'), 0, 0),"
	    " (1, (SELECT id FROM topics WHERE code = 'celi'), 1, 0)");
	assert_int_equal(topics_list(s, list, TOPICS_MAX, &n), 0);
	assert_int_equal(n, 9);
	for (i = 0; i < n; i++)
		if (strcmp(list[i].code, "ielu_remonts") == 0)
			break;
	assert_true(i < n);
	assert_int_equal(list[i].opted_in, 1);
	assert_int_equal(list[i].opted_out, 1);
	assert_string_equal(list[0].code, "arkartas");

	/* Refused: nothing changes. */
	assert_int_equal(topics_remove(s, "arkartas", NULL, err,
	    sizeof(err)), 1);
	assert_non_null(strstr(err, "arkartas"));
	assert_int_equal(topics_remove(s, "nodokli", NULL, err,
	    sizeof(err)), 1);
	assert_int_equal(topics_remove(s, "receipts", NULL, err,
	    sizeof(err)), 1);
	assert_int_equal(topics_remove(s, "pii", NULL, err, sizeof(err)), 1);
	assert_int_equal(topics_remove(s, "nosuch", NULL, err,
	    sizeof(err)), 1);
	tl_exec(s, "INSERT INTO broadcasts (topic, text, state, created_at,"
	    " updated_at) VALUES ('kultura', 'Koncerts', 'done', 0, 0)");
	assert_int_equal(topics_remove(s, "kultura", NULL, err,
	    sizeof(err)), 1);
	assert_non_null(strstr(err, "broadcasts=1"));
	tl_exec(s, "INSERT INTO outbox (phone, text, created_at, topic,"
	    " updated_at) VALUES ('+37120000001', 'x', 0, 'atkritumi', 0)");
	assert_int_equal(topics_remove(s, "atkritumi", NULL, err,
	    sizeof(err)), 1);
	assert_non_null(strstr(err, "queued=1"));
	tl_exec(s, "INSERT INTO groups (name, kind, rule, created_at) VALUES"
	    " ('braucēji', 'rule', 'subscribed(celi) AND age >= 18', 0)");
	assert_int_equal(topics_remove(s, "celi", NULL, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "braucēji"));
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"), 9);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM subscriptions"), 3);

	/* Done: the residents' choices go with it. */
	assert_int_equal(topics_remove(s, "ielu_remonts", &dropped, err,
	    sizeof(err)), 0);
	assert_int_equal(dropped, 2);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"), 8);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM subscriptions"), 1);
	/* A delivered message of the topic is history, not a use. */
	tl_exec(s, "UPDATE outbox SET state = 'delivered'");
	assert_int_equal(topics_remove(s, "atkritumi", &dropped, err,
	    sizeof(err)), 0);
	assert_int_equal(dropped, 0);
}

/* The demo's topics are the standard set, with the ids it always had. */
static void
demo_same_topics(void **state)
{
	struct store	*d;

	(void)state;
	if ((d = tl_demo_store(50, 1, NOW, LOG_LEVEL_WARN)) == NULL)
		fail_msg("demo store");
	assert_int_equal(tl_int(d, "SELECT count(*) FROM topics"), 8);
	assert_int_equal(tl_int(d, "SELECT id FROM topics"
	    " WHERE code = 'arkartas' AND emergency = 1"), 1);
	assert_int_equal(tl_int(d, "SELECT id FROM topics"
	    " WHERE code = 'pazinojumi' AND default_on = 1"), 8);
	assert_int_equal(tl_int(d, "SELECT count(*) FROM topics"
	    " WHERE default_on = 0"), 3);
	store_close(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(seed_standard, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(seed_keeps_own_emergency,
		    setup, teardown),
		cmocka_unit_test(code_validation),
		cmocka_unit_test(stop_words_agree),
		cmocka_unit_test_setup_teardown(add_and_set, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_checks, setup,
		    teardown),
		cmocka_unit_test(demo_same_topics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
