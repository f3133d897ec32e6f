/*
 * test_rule: the group rule language - every operator and field on six
 * hand-made residents whose answers are known, precedence, errors with
 * their line:column and suggestions, limits, and rules full of quotes,
 * semicolons and "--" that stay data and never become SQL. The clock is
 * fake: 2026-06-15 12:00 in Riga.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "demo.h"
#include "log.h"
#include "rule.h"
#include "store.h"
#include "store_sqlite.h"
#include "util.h"
#include "testlib.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */

static const char *fixture_sql =
    "INSERT INTO residents (id, personal_code, given_name, family_name,"
    " phone, phone_kind, lang, territory, birth_date, updated_at) VALUES"
    /* 65 today */
    " (1, 'c1', 'Jānis', 'Bērziņš', '+37120000001', 0, 'lv', 'Dobele',"
    "  '1961-06-15', 0),"
    /* 65 tomorrow; a fixed line */
    " (2, 'c2', 'Anna', 'Ozola', '+37160000002', 1, 'ru', 'Auru pagasts',"
    "  '1961-06-16', 0),"
    /* a foreign number takes SMS */
    " (3, 'c3', 'Ēriks', 'Lācis', '+4915112345678', 2, 'en',"
    "  'Bēnes pagasts', '2000-01-01', 0),"
    /* birth date and phone unknown; a hostile territory name */
    " (4, 'c4', 'Līga', 'Kalniņa', NULL, NULL, 'lv',"
    "  'O''Brien; DROP TABLE residents; --', NULL, 0),"
    " (5, 'c5', 'Pēteris', 'Zariņš', '+37120000005', 0, 'lv', 'Dobele',"
    "  '1950-02-28', 0),"
    /* 18 today */
    " (6, 'c6', 'Dace', 'Liepa', '+37120000006', 0, 'lv', 'Auru pagasts',"
    "  '2008-06-15', 0);"
    "INSERT INTO institutions (id, name) VALUES"
    " (1, 'Dobeles PII \"Zīlīte\"'), (2, 'Auces PII \"Pasaciņa\"');"
    "INSERT INTO queue_entries (child_code, child_given_name,"
    " child_family_name, guardian_id, institution_id, registered_at,"
    " desired_start, status, updated_at) VALUES"
    " ('k1', 'Anna', 'Zariņa', 5, 1, '2025-01-01 10:00:00', '2027-09',"
    "  'active', 0),"
    " ('k2', 'Roberts', 'Liepa', 6, 2, '2025-01-01 10:00:00', '2027-09',"
    "  'withdrawn', 0);"
    "INSERT INTO fees (resident_id, kind, period, amount_cents, due_date,"
    " paid_cents, updated_at) VALUES"
    " (1, 'nin', '2026', 5000, '2026-03-31', 0, 0),"
    " (2, 'nin', '2026-Q3', 5000, '2026-08-17', 100, 0),"
    " (3, 'dog', '2026', 1000, '2026-03-02', 1000, 0),"
    " (5, 'dog', '2026', 500, '2026-03-02', 0, 0);"
    "INSERT INTO subscriptions (resident_id, topic_id, subscribed,"
    " updated_at) VALUES"
    " (1, (SELECT id FROM topics WHERE code = 'kultura'), 1, 0),"
    " (2, (SELECT id FROM topics WHERE code = 'nodokli'), 0, 0),"
    " (3, (SELECT id FROM topics WHERE code = 'arkartas'), 0, 0);";

static int
setup(void **state)
{
	struct store	*s;
	const char	*errstr = NULL;
	char		*msg = NULL;

	tl_zone();
	clock_set_fake(NOW);
	log_set_level(LOG_LEVEL_WARN);
	if ((s = store_open(":memory:", STORE_CREATE, &errstr)) == NULL ||
	    demo_reference_data(s) == -1) {
		fprintf(stderr, "setup: %s\n", errstr ? errstr : "?");
		return -1;
	}
	if (sqlite3_exec(store_db(s), fixture_sql, NULL, NULL, &msg) !=
	    SQLITE_OK) {
		fprintf(stderr, "setup: %s\n", msg);
		return -1;
	}
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	clock_clear_fake();
	return 0;
}

/* The ids statement q of r matches, as "1,5"; returns how many. */
static int64_t
ids(struct store *s, const struct rule *r, enum rule_query q,
    const char *text, char *out, size_t size)
{
	struct store_cur *c;
	char		 err[RULE_ERR_SIZE];
	int64_t		 n = 0;
	int		 rc;

	out[0] = '\0';
	if ((c = rule_prepare(s, r, q, err, sizeof(err))) == NULL)
		fail_msg("%s: %s", text, err);
	assert_int_equal(store_bind(c, "II", (int64_t)0, (int64_t)1000),
	    STORE_OK);
	while ((rc = store_step(c)) == STORE_ROW) {
		size_t	 len = strlen(out);

		(void)snprintf(out + len, size - len, "%s%lld", len ? "," :
		    "", (long long)store_i64(c, 1));
		n++;
	}
	assert_int_equal(rc, STORE_OK);
	store_cur_free(c);
	return n;
}

/*
 * The ids the rule matches, as "1,5". Its three statements (EXISTS
 * probes, IN lists, the count) must agree.
 */
static void
match(struct store *s, const char *text, char *out, size_t size)
{
	struct rule	*r;
	struct store_cur *c;
	char		 err[RULE_ERR_SIZE], once[256];
	int64_t		 n;

	if ((r = rule_parse(text, err, sizeof(err))) == NULL)
		fail_msg("%s: %s", text, err);
	n = ids(s, r, RULE_MEMBERS, text, out, size);
	(void)ids(s, r, RULE_MEMBERS_ONCE, text, once, sizeof(once));
	if (strcmp(out, once) != 0)
		fail_msg("rule \"%s\": EXISTS gives {%s}, IN gives {%s}",
		    text, out, once);
	if ((c = rule_prepare(s, r, RULE_COUNT, err, sizeof(err))) == NULL)
		fail_msg("%s: %s", text, err);
	assert_int_equal(store_step(c), STORE_ROW);
	assert_int_equal(store_i64(c, 0), n);
	store_cur_free(c);
	rule_free(r);
}

static void
expect(struct store *s, const char *text, const char *want)
{
	char	 got[256];

	match(s, text, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("rule \"%s\": matched {%s}, want {%s}", text, got,
		    want);
}

static void
test_operators(void **state)
{
	struct store	*s = *state;

	expect(s, "territory = 'Dobele'", "1,5");
	expect(s, "territory != 'Dobele'", "2,3,4,6");
	expect(s, "territory <> 'Dobele'", "2,3,4,6");
	expect(s, "territory == \"Dobele\"", "1,5");
	expect(s, "territory IN ('Dobele', 'Bēnes pagasts')", "1,3,5");
	expect(s, "territory NOT IN ('Dobele')", "2,3,4,6");
	expect(s, "territory = 'dobele'", "");	/* exact text */
	expect(s, "lang = 'ru'", "2");
	expect(s, "lang in ('en', 'ru')", "2,3");
	/* Ages at the boundary: 65 today, 65 tomorrow, 18 today. */
	expect(s, "age >= 65", "1,5");
	expect(s, "age > 64", "1,5");
	expect(s, "age < 65", "2,3,6");
	expect(s, "age <= 18", "6");
	expect(s, "age < 18", "");
	expect(s, "age = 64", "2");
	expect(s, "age != 64", "1,3,5,6");	/* unknown age: no match */
	expect(s, "age IN (18, 26)", "3,6");
	expect(s, "age NOT IN (18, 26)", "1,2,5");
	expect(s, "has_mobile", "1,3,5,6");
	expect(s, "has_mobile = TRUE", "1,3,5,6");
	expect(s, "has_mobile = 1", "1,3,5,6");
	expect(s, "has_mobile = false", "2,4");
	expect(s, "has_mobile != FALSE", "1,3,5,6");
	expect(s, "has_mobile <> 1", "2,4");
	expect(s, "child_in_queue", "5");
	expect(s, "queue_institution = 'Dobeles PII \"Zīlīte\"'", "5");
	expect(s, "queue_institution = \"Dobeles PII \"\"Zīlīte\"\"\"", "5");
	expect(s, "queue_institution != 'Dobeles PII \"Zīlīte\"'",
	    "1,2,3,4,6");
	/* A withdrawn entry is not in the queue. */
	expect(s, "queue_institution IN ('Auces PII \"Pasaciņa\"')", "");
	expect(s, "queue_institution NOT IN ('Auces PII \"Pasaciņa\"')",
	    "1,2,3,4,5,6");
	expect(s, "dog_owner", "3,5");
	expect(s, "fee_unpaid(nin)", "1,2");
	expect(s, "fee_unpaid('dog')", "5");
	expect(s, "fee_overdue(\"nin\")", "1");
	expect(s, "fee_overdue(dog)", "5");
	expect(s, "fee_unpaid(nin) = FALSE", "3,4,5,6");
	/* kultura is opt-in, nodokli opt-out, arkartas cannot be left. */
	expect(s, "subscribed(kultura)", "1");
	expect(s, "subscribed(nodokli)", "1,3,4,5,6");
	expect(s, "subscribed('arkartas')", "1,2,3,4,5,6");
	expect(s, "subscribed(nosuchtopic)", "");
	expect(s, "NOT subscribed(nosuchtopic)", "1,2,3,4,5,6");
	/* Keywords and names in any case. */
	expect(s, "Territory = 'Dobele' and not LANG = 'ru' Or AGE = 18",
	    "1,5,6");
}

static void
test_precedence(void **state)
{
	struct store	*s = *state;

	/* AND binds tighter than OR, NOT tighter than AND. */
	expect(s, "lang = 'ru' OR lang = 'en' AND territory = 'Dobele'", "2");
	expect(s, "(lang = 'ru' OR lang = 'en') AND territory = 'Dobele'",
	    "");
	expect(s, "territory = 'Dobele' AND age > 70 OR lang = 'en'", "3,5");
	expect(s, "territory = 'Dobele' AND (age > 70 OR lang = 'en')", "5");
	expect(s, "NOT lang = 'lv' AND has_mobile", "3");
	expect(s, "NOT (lang = 'lv' AND has_mobile)", "2,3,4");
	expect(s, "NOT NOT has_mobile", "1,3,5,6");
	/* NOT is the complement, unknown birth dates included. */
	expect(s, "NOT age >= 65", "2,3,4,6");
	expect(s, "age >= 65 OR NOT age >= 65", "1,2,3,4,5,6");
	expect(s, "((((lang = 'lv'))))", "1,4,5,6");
	expect(s, "lang = 'lv'\n AND\n\thas_mobile", "1,5,6");
}

struct errcase {
	const char	*rule;
	const char	*err;
};

static const struct errcase errcases[] = {
	{ "teritory = 'x'",
	    "1:1: unknown field 'teritory' (did you mean 'territory'?)" },
	{ "age >= 65 AND teritory = 'Auru pagasts'",
	    "1:15: unknown field 'teritory' (did you mean 'territory'?)" },
	{ "TERITORY = 'x'",
	    "1:1: unknown field 'TERITORY' (did you mean 'territory'?)" },
	{ "fee_unpiad(nin)",
	    "1:1: unknown field 'fee_unpiad' (did you mean 'fee_unpaid'?)" },
	/* Columns count characters: ē is one. */
	{ "territory = 'Bēne' AND agee > 5",
	    "1:24: unknown field 'agee' (did you mean 'age'?)" },
	{ "territory = 'x'\n  AND xyzzy = 1",
	    "2:7: unknown field 'xyzzy' (fields: territory, age, lang, "
	    "has_mobile, child_in_queue, queue_institution, dog_owner, "
	    "fee_unpaid(KIND), fee_overdue(KIND), subscribed(TOPIC))" },
	{ "vecums >= 65", "1:1: unknown field 'vecums' (fields: territory, "
	    "age, lang, has_mobile, child_in_queue, queue_institution, "
	    "dog_owner, fee_unpaid(KIND), fee_overdue(KIND), "
	    "subscribed(TOPIC))" },
	{ "age >= 'x'", "1:8: age takes a whole number, not 'x'" },
	{ "territory = Dobele",
	    "1:13: territory takes text in quotes: write 'Dobele'" },
	{ "territory = 5", "1:13: territory takes text in quotes, not '5'" },
	{ "territory > 'a'",
	    "1:11: territory is text: compare it with =, != or IN" },
	{ "territory = 'x", "1:13: the string has no closing quote" },
	{ "age >= 65 AND", "1:14: expected a field, found the end of the "
	    "rule" },
	{ "(age >= 65", "1:11: expected ')' to close the '(' at 1:1, found "
	    "the end of the rule" },
	{ "age >= 65)", "1:10: unexpected ')' (no '(' to close)" },
	{ "age >= 65; DROP TABLE residents",
	    "1:10: unexpected character ';'" },
	{ "age >= 65 -- comment", "1:11: unexpected character '-'" },
	{ "age >= 65 /* x */", "1:11: unexpected character '/'" },
	{ "", "1:1: the rule is empty" },
	{ "   \n ", "1:1: the rule is empty" },
	{ "has_mobile > 1", "1:12: has_mobile is yes or no: use it alone, "
	    "with NOT, or = TRUE / = FALSE" },
	{ "has_mobile = 2",
	    "1:14: has_mobile compares with TRUE or FALSE, not '2'" },
	{ "fee_unpaid", "1:11: fee_unpaid needs a value in parentheses, "
	    "e.g. fee_unpaid('nin')" },
	{ "fee_unpaid()",
	    "1:12: fee_unpaid needs a value in parentheses, found ')'" },
	{ "subscribed('')", "1:12: subscribed needs a value of 1-64 bytes" },
	{ "fee_unpaid(nin", "1:15: expected ')', found the end of the rule" },
	{ "age = 151", "1:7: age must be 0-150" },
	{ "age = 99999999999", "1:7: the number is too large" },
	{ "age = 5x", "1:7: a number runs into a name (put text in quotes)" },
	{ "lang IN 'lv'", "1:9: expected '(' after IN, found 'lv'" },
	{ "lang IN ('lv' 'ru')",
	    "1:15: expected ',' or ')' in the IN list, found 'ru'" },
	{ "lang IN ()", "1:10: lang takes text in quotes, not ')'" },
	{ "lang NOT 'lv'", "1:10: expected IN after NOT, found 'lv'" },
	{ "age ! 5", "1:5: unexpected '!' (did you mean '!='?)" },
	{ "lang", "1:5: expected =, !=, <, <=, >, >= or IN after lang, found "
	    "the end of the rule" },
	{ "lang = 'lv' lang = 'ru'", "1:13: expected AND, OR or the end of "
	    "the rule, found 'lang'" },
	{ "AND", "1:1: expected a field, found 'AND'" },
	{ "NOT", "1:4: expected a field, found the end of the rule" },
	{ "age >= 65 AND OR lang = 'lv'",
	    "1:15: expected a field, found 'OR'" },
	{ "\xff", "1:1: the rule is not valid UTF-8" },
	{ "lang = 'l\tv'", "1:10: a control character inside a string" },
	{ "\x01", "1:1: unexpected character U+0001" },
	/* Non-ASCII letters make names, so one is reported as a name. */
	{ "territory = 'Bēne' € 1", "1:20: expected AND, OR or the end of "
	    "the rule, found '€'" },
	/* A backslash is no escape: the string ends at the next quote. */
	{ "queue_institution = '\\'; DROP TABLE residents; --'",
	    "1:24: unexpected character ';'" },
};

static void
test_errors(void **state)
{
	char		 err[RULE_ERR_SIZE];
	struct rule	*r;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(errcases); i++) {
		err[0] = '\0';
		r = rule_parse(errcases[i].rule, err, sizeof(err));
		if (r != NULL)
			fail_msg("rule \"%s\" parsed", errcases[i].rule);
		if (strcmp(err, errcases[i].err) != 0)
			fail_msg("rule \"%s\":\n got  %s\n want %s",
			    errcases[i].rule, err, errcases[i].err);
	}
}

/* No fragment of SQL syntax may come from a rule, in either dialect. */
static void
assert_sql_clean(const struct rule *r)
{
	char	*sql, *p, **vals;
	size_t	 nb, nv, q, i;
	int	 k, d, mark;

	for (d = STORE_SQLITE; d <= STORE_POSTGRES; d++)
	for (k = RULE_COUNT; k <= RULE_MEMBERS_ONCE; k++) {
		sql = rule_sql(r, (enum rule_query)k, (enum store_dialect)d,
		    &nb);
		assert_non_null(sql);
		assert_null(strchr(sql, ';'));
		assert_null(strstr(sql, "--"));
		assert_null(strstr(sql, "/*"));
		assert_null(strstr(sql, "DROP"));
		assert_null(strstr(sql, "DELETE"));
		assert_null(strstr(sql, "Brien"));
		assert_null(strchr(sql, '"'));
		/*
		 * Every rule value is a parameter (?N, or $N in PostgreSQL's
		 * text, which has no ?) from rule_param_first() on.
		 */
		mark = d == STORE_POSTGRES ? '$' : '?';
		if (d == STORE_POSTGRES)
			assert_null(strchr(sql, '?'));
		for (q = 0, p = sql; (p = strchr(p, mark)) != NULL; p++)
			if (strtol(p + 1, NULL, 10) >=
			    rule_param_first((enum rule_query)k,
			    (enum store_dialect)d))
				q++;
		assert_int_equal(q, nb);
		nv = rule_values(r, (enum rule_query)k, &vals);
		assert_int_equal(nv, nb);
		for (i = 0; i < nv; i++)
			free(vals[i]);
		free(vals);
		free(sql);
	}
}

static void
test_quotes_are_data(void **state)
{
	static const char *hostile[] = {
		"territory = 'O''Brien; DROP TABLE residents; --'",
		"territory = \"O'Brien; DROP TABLE residents; --\"",
		"territory = 'x''); DELETE FROM residents; --'",
		"territory IN ('a'' OR 1=1 --', \"\"\" OR \"\"1\"\"=\"\"1\")",
		"lang = '--' OR lang = ';' OR lang = '/*'",
		"fee_unpaid('nin''; DROP TABLE fees; --')",
		"subscribed(\"x\"\"); DELETE FROM topics; --\")",
		"queue_institution != '\\''; DROP TABLE residents; --'",
		"territory = 'Rīga ; -- ''\"'' \"\" ;; --'",
	};
	struct store	*s = *state;
	struct rule	*r;
	char		 err[RULE_ERR_SIZE], got[256];
	size_t		 i;

	for (i = 0; i < nitems(hostile); i++) {
		if ((r = rule_parse(hostile[i], err, sizeof(err))) == NULL)
			fail_msg("%s: %s", hostile[i], err);
		assert_sql_clean(r);
		rule_free(r);
	}
	/* The hostile name is matched as the text it is, nothing more. */
	expect(s, hostile[0], "4");
	expect(s, hostile[1], "4");
	expect(s, hostile[2], "");
	expect(s, hostile[3], "");
	expect(s, hostile[4], "");
	expect(s, hostile[5], "");
	expect(s, hostile[6], "");
	expect(s, hostile[7], "1,2,3,4,5,6");
	expect(s, hostile[8], "");
	match(s, "age >= 0", got, sizeof(got));
	assert_string_equal(got, "1,2,3,5,6");
	/* The tables are all still there and whole. */
	expect(s, "has_mobile OR NOT has_mobile", "1,2,3,4,5,6");
	expect(s, "fee_unpaid(nin)", "1,2");
	expect(s, "subscribed(kultura)", "1");
}

static void
test_sql_clean(void **state)
{
	static const char *rules[] = {
		"territory = 'O''Brien; DROP TABLE residents; --'",
		"territory IN ('a', 'b') AND NOT (age >= 65 OR age IN (1, 2))"
		" OR has_mobile = FALSE AND child_in_queue AND dog_owner",
		"queue_institution NOT IN ('x', 'y') AND fee_overdue('dog') AND"
		" subscribed(kultura) AND lang != 'ru' AND age <> 30",
	};
	struct rule	*r;
	char		 err[RULE_ERR_SIZE];
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(rules); i++) {
		if ((r = rule_parse(rules[i], err, sizeof(err))) == NULL)
			fail_msg("%s: %s", rules[i], err);
		assert_sql_clean(r);
		rule_free(r);
	}
}

static char *
repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t	 len = strlen(head) + strlen(unit) * n + strlen(tail) + 1, i;
	char	*s = malloc(len);

	assert_non_null(s);
	(void)util_strlcpy(s, head, len);
	for (i = 0; i < n; i++)
		strncat(s, unit, len - strlen(s) - 1);
	strncat(s, tail, len - strlen(s) - 1);
	return s;
}

static void
parses(const char *text, int ok, const char *errpart)
{
	struct rule	*r;
	char		 err[RULE_ERR_SIZE] = "";

	r = rule_parse(text, err, sizeof(err));
	if (ok && r == NULL)
		fail_msg("%.60s...: %s", text, err);
	if (!ok && r != NULL)
		fail_msg("%.60s... parsed", text);
	if (!ok && strstr(err, errpart) == NULL)
		fail_msg("%.60s...: %s (want %s)", text, err, errpart);
	rule_free(r);
}

static void
test_limits(void **state)
{
	char	*t, *u;
	char	 buf[RULE_TEXT_MAX + 2];
	size_t	 i;

	(void)state;
	/* Length: 1000 bytes pass, 1001 do not. */
	(void)util_strlcpy(buf, "lang = 'lv'", sizeof(buf));
	for (i = strlen(buf); i < RULE_TEXT_MAX; i++)
		buf[i] = ' ';
	buf[RULE_TEXT_MAX] = '\0';
	parses(buf, 1, NULL);
	buf[RULE_TEXT_MAX] = ' ';
	buf[RULE_TEXT_MAX + 1] = '\0';
	parses(buf, 0, "1:1001: the rule is longer than 1000 bytes");
	/* Depth: 16 levels of parentheses or NOT, not 17. */
	t = repeat("", "(", 16, "has_mobile");
	u = repeat(t, ")", 16, "");
	parses(u, 1, NULL);
	free(t);
	free(u);
	t = repeat("", "(", 17, "has_mobile");
	u = repeat(t, ")", 17, "");
	parses(u, 0, "1:17: the rule nests deeper than 16 levels");
	free(t);
	free(u);
	t = repeat("", "NOT ", 16, "has_mobile");
	parses(t, 1, NULL);
	free(t);
	t = repeat("", "NOT ", 17, "has_mobile");
	parses(t, 0, "the rule nests deeper than 16 levels");
	free(t);
	/* Terms: 32 conditions, not 33. */
	t = repeat("has_mobile", " AND has_mobile", 31, "");
	parses(t, 1, NULL);
	free(t);
	t = repeat("has_mobile", " OR has_mobile", 32, "");
	parses(t, 0, "1:449: a rule holds at most 32 conditions");
	free(t);
	/* IN lists: 50 values, not 51. */
	t = repeat("age IN (0", ",1", 49, ")");
	parses(t, 1, NULL);
	free(t);
	t = repeat("age IN (0", ",1", 50, ")");
	parses(t, 0, "1:5: an IN list holds at most 50 values");
	free(t);
	/* Strings: 200 bytes, not 201. */
	t = repeat("lang = '", "x", 200, "'");
	parses(t, 1, NULL);
	free(t);
	t = repeat("lang = '", "x", 201, "'");
	parses(t, 0, "1:8: the string is longer than 200 bytes");
	free(t);
	/* Names: 64 bytes at most. */
	t = repeat("", "x", 65, " = 1");
	parses(t, 0, "1:1: a name is longer than 64 bytes");
	free(t);
}

static void
test_named(void **state)
{
	struct rule	*r;
	char		 err[RULE_ERR_SIZE];

	(void)state;
	r = rule_parse("has_mobile AND (fee_overdue(dog) OR fee_unpaid(nin))",
	    err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(rule_fee_kind(r), "dog");
	assert_null(rule_institution(r));
	assert_int_equal(rule_terms(r), 3);
	rule_free(r);
	r = rule_parse("queue_institution != 'A' OR queue_institution IN "
	    "('B', 'C')", err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(rule_institution(r), "B");
	assert_null(rule_fee_kind(r));
	rule_free(r);
}

struct warns {
	char	 text[4][RULE_ERR_SIZE + 256];
	int	 n;
};

static void
warn_cb(void *arg, const char *msg)
{
	struct warns	*w = arg;

	if (w->n < 4)
		(void)util_strlcpy(w->text[w->n], msg, sizeof(w->text[0]));
	w->n++;
}

static void
test_check(void **state)
{
	struct store	*s = *state;
	struct rule	*r;
	struct warns	 w;
	char		 err[RULE_ERR_SIZE];

	/* Everything exists: no warning. */
	memset(&w, 0, sizeof(w));
	r = rule_parse("territory = 'Dobele' AND fee_unpaid(nin) AND "
	    "subscribed(kultura) AND queue_institution = 'Dobeles PII "
	    "\"Zīlīte\"'", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(rule_check(s, r, warn_cb, &w, err, sizeof(err)), 0);
	assert_int_equal(w.n, 0);
	rule_free(r);
	/* Values that match nothing: warnings with the nearest value. */
	memset(&w, 0, sizeof(w));
	r = rule_parse("territory IN ('Dobele', 'Auru pagast') AND "
	    "queue_institution = 'Zīlīte' AND fee_unpaid(nim)", err,
	    sizeof(err));
	assert_non_null(r);
	assert_int_equal(rule_check(s, r, warn_cb, &w, err, sizeof(err)), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.text[0], "1:25: no resident lives in territory "
	    "'Auru pagast' (did you mean 'Auru pagasts'?)");
	assert_string_equal(w.text[1], "1:64: no institution is named "
	    "'Zīlīte' (did you mean 'Dobeles PII \"Zīlīte\"'?)");
	assert_string_equal(w.text[2], "1:88: no unpaid fee is of kind 'nim' "
	    "(did you mean 'nin'?)");
	rule_free(r);
	/* An unknown topic is an error. */
	r = rule_parse("has_mobile AND subscribed(kultūra)", err,
	    sizeof(err));
	assert_non_null(r);
	assert_int_equal(rule_check(s, r, NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "1:27: unknown topic 'kultūra' (did you "
	    "mean 'kultura'?)");
	rule_free(r);
	r = rule_parse("subscribed(zzzzzzzz)", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(rule_check(s, r, NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "1:12: unknown topic 'zzzzzzzz'");
	rule_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_quotes_are_data),
		cmocka_unit_test(test_sql_clean),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
