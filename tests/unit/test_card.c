/*
 * test_card: the resident card (issue 21) on a :memory: store with the
 * fake clock. Merchants and offers with their errors (unknown merchant or
 * group, overlapping days, bad dates, a landline, a phone another merchant
 * has) that change nothing; eligibility through resident groups, nearest
 * territory first; the code sent hashed and secret, expiring; once per
 * merchant a day; wrong codes locking the merchant phone out, letters not
 * counted; privacy: a stranger learns nothing and no answer, stored check
 * or SMS carries a personal code; the report's figures; the offers' topic
 * that comes with the first merchant. Through keywords_handle: ATLAIDES,
 * KARTE and PĀRBAUDE (with and without diacritics, and in English), the
 * code by its own secret SMS, the answers in Latvian, a stranger's
 * "not registered" whatever the code, the list kept to two segments
 * with the USSD hint; CSV imports of merchants and offers, all or nothing
 * with FILE:LINE:COLUMN errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "card.h"
#include "cases.h"
#include "clock.h"
#include "config.h"
#include "groups.h"
#include "i18n.h"
#include "keywords.h"
#include "log.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"
#include "ussd.h"
#include "util.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC, a Monday */
#define TTL	600

/* Anna Bērziņa, 70, Auru pagasts; Jānis Kalniņš, 40, Dobele. */
#define ANNA_CODE	"161175-19997"
#define ANNA_PHONE	"+37120000001"
#define JANIS_PHONE	"+37120000002"
#define SHOP_PHONE	"+37129999991"
#define SHOP2_PHONE	"+37129999992"
#define STRANGER	"+37129999999"

static const struct card_check_params params = { 3, 900 };

static int
setup(void **state)
{
	struct store	*s;
	const char	*errstr = NULL;
	char		 err[GROUPS_ERR_SIZE];

	tl_i18n();
	tl_zone();
	clock_set_fake(NOW);
	log_set_level(LOG_LEVEL_FATAL);
	if ((s = test_store_open(&errstr)) == NULL) {
		fprintf(stderr, "setup: %s\n", errstr);
		return -1;
	}
	tl_exec(s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, territory, birth_date,"
	    " updated_at) VALUES"
	    " (1, '" ANNA_CODE "', 'Anna', 'Bērziņa', '" ANNA_PHONE "', 0,"
	    "  'lv', 'Auru pagasts', '1956-01-10', 0),"
	    " (2, '010186-10002', 'Jānis', 'Kalniņš', '" JANIS_PHONE "', 0,"
	    "  'en', 'Dobele', '1986-01-01', 0)");
	if (groups_add_rule(s, "seniori", "age >= 65", "anna", NULL, NULL,
	    err, sizeof(err)) == -1 || groups_add_rule(s, "visi",
	    "age >= 0", "anna", NULL, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "setup: %s\n", err);
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

static void
merchant(struct store *s, const char *name, const char *phones,
    const char *territory)
{
	struct card_merchant_spec sp = { name, phones, territory, "Brīvības "
	    "iela 1", 1 };
	char	 err[CARD_ERR_SIZE];

	if (card_merchant_add(s, "anna", &sp, err, sizeof(err)) == -1)
		fail_msg("merchant add: %s", err);
}

static int64_t
offer(struct store *s, const char *m, const char *group, const char *text,
    const char *from, const char *to)
{
	struct card_offer_spec sp = { m, group, text, NULL, from, to };
	char	 err[CARD_ERR_SIZE];
	int64_t	 id;

	if ((id = card_offer_add(s, "anna", &sp, err, sizeof(err))) == -1)
		fail_msg("offer add: %s", err);
	return id;
}

/* The code in the newest outbox row's text (the route a phone gets it). */
static void
code_sent(struct store *s, char code[CARD_CODE_DIGITS + 1])
{
	char		 text[400];
	const char	*p;

	tl_text(s, "SELECT text FROM outbox ORDER BY id DESC LIMIT 1", text,
	    sizeof(text));
	if ((p = strstr(text, ": ")) == NULL)
		fail_msg("no code in '%s'", text);
	snprintf(code, CARD_CODE_DIGITS + 1, "%06lld", strtoll(p + 2, NULL,
	    10));
}

static void
test_merchants(void **state)
{
	struct store		*s = *state;
	struct card_merchant	 m;
	struct card_merchant_spec sp;
	char			 err[CARD_ERR_SIZE];

	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"), 0);
	merchant(s, "Maxima Dobele", "29999991, +371 2999 9992", "Dobele");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchant_phones"), 2);
	/* The first merchant brings the offers' topic, off by default. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics WHERE"
	    " code = 'atlaides' AND default_on = 0 AND emergency = 0"), 1);
	/* Staff who remove it keep it removed. */
	tl_exec(s, "DELETE FROM topics");
	merchant(s, "Rimi", "29999995", "Dobele");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM topics"), 0);
	tl_exec(s, "DELETE FROM merchant_phones WHERE phone = '+37129999995'");
	tl_exec(s, "DELETE FROM merchants WHERE name = 'Rimi'");

	/* Each bad input: an error that says what, and nothing written. */
	memset(&sp, 0, sizeof(sp));
	sp.name = "Maxima Dobele";
	sp.phones = "29999993";
	assert_int_equal(card_merchant_add(s, "anna", &sp, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "Maxima Dobele"));
	sp.name = "Aptieka";
	sp.phones = "63700000";		/* a landline */
	assert_int_equal(card_merchant_add(s, "anna", &sp, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "63700000"));
	sp.phones = "12ab";
	assert_int_equal(card_merchant_add(s, "anna", &sp, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "12ab"));
	sp.phones = "29999992";		/* Maxima's */
	assert_int_equal(card_merchant_add(s, "anna", &sp, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "Maxima Dobele"));
	sp.phones = NULL;
	assert_int_equal(card_merchant_add(s, "anna", &sp, err,
	    sizeof(err)), -1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchants"), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchant_phones"), 2);

	/* A typo gets the nearest name. */
	assert_int_equal(card_merchant_find(s, "Maxma Dobele", &m, err,
	    sizeof(err)), 1);
	assert_non_null(strstr(err, "Maxima Dobele"));

	/* set replaces the phones; disable keeps the row. */
	memset(&sp, 0, sizeof(sp));
	sp.active = -1;
	sp.phones = "29999993";
	sp.territory = "Auru pagasts";
	assert_int_equal(card_merchant_set(s, "anna", "Maxima Dobele", &sp,
	    err, sizeof(err)), 0);
	assert_int_equal(card_merchant_find(s, "Maxima Dobele", &m, err,
	    sizeof(err)), 0);
	assert_string_equal(m.territory, "Auru pagasts");
	assert_string_equal(m.address, "Brīvības iela 1");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchant_phones"
	    " WHERE phone = '+37129999993'"), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchant_phones"), 1);
	memset(&sp, 0, sizeof(sp));
	sp.active = 0;
	assert_int_equal(card_merchant_set(s, "anna", "Maxima Dobele", &sp,
	    err, sizeof(err)), 0);
	assert_int_equal(card_merchant_find(s, "Maxima Dobele", &m, err,
	    sizeof(err)), 0);
	assert_int_equal(m.active, 0);
	assert_int_equal(card_merchant_set(s, "anna", "Nav", &sp, err,
	    sizeof(err)), -1);
	/* Two adds, a set and a disable; the failures wrote nothing. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " action LIKE 'merchant %'"), 4);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " action = 'merchant disable'"), 1);
}

static void
test_offers(void **state)
{
	struct store		*s = *state;
	struct card_offer_spec	 sp;
	char			 err[CARD_ERR_SIZE];
	int64_t			 id;

	merchant(s, "Maxima", SHOP_PHONE, "Dobele");
	id = offer(s, "Maxima", "seniori", "10% atlaide", "2026-06-01",
	    "2026-06-30");
	memset(&sp, 0, sizeof(sp));
	sp.merchant = "Maxma";
	sp.group = "seniori";
	sp.text_lv = "5% atlaide";
	assert_int_equal(card_offer_add(s, "anna", &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Maxima"));		/* did you mean */
	sp.merchant = "Maxima";
	sp.group = "seniorii";
	assert_int_equal(card_offer_add(s, "anna", &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "seniorii"));
	sp.group = "seniori";
	sp.from = "2026-02-30";
	assert_int_equal(card_offer_add(s, "anna", &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "2026-02-30"));
	sp.from = "2026-07-10";
	sp.to = "2026-07-01";
	assert_int_equal(card_offer_add(s, "anna", &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "2026-07-10"));
	/* Days that meet the first offer's, for the same group. */
	sp.from = "2026-06-30";
	sp.to = "2026-07-31";
	assert_int_equal(card_offer_add(s, "anna", &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1"));
	assert_int_equal(tl_int(s, "SELECT count(*) FROM offers"), 1);
	/* The day after, or another group: fine. */
	sp.from = "2026-07-01";
	assert_true(card_offer_add(s, "anna", &sp, err, sizeof(err)) > 0);
	sp.group = "visi";
	sp.from = "2026-06-01";
	assert_true(card_offer_add(s, "anna", &sp, err, sizeof(err)) > 0);
	/* set may not move an offer onto another's days either. */
	memset(&sp, 0, sizeof(sp));
	sp.to = "2026-07-05";
	assert_int_equal(card_offer_set(s, "anna", id, &sp, err, sizeof(err)),
	    -1);
	sp.to = "2026-06-20";
	assert_int_equal(card_offer_set(s, "anna", id, &sp, err, sizeof(err)),
	    0);
	assert_int_equal(card_offer_end(s, "anna", id, err, sizeof(err)), 0);
	assert_int_equal(card_offer_end(s, "anna", id, err, sizeof(err)), -1);
	assert_int_equal(card_offer_end(s, "anna", 99, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "99"));
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " action LIKE 'offer %'"), 5);
}

static void
test_entitled(void **state)
{
	struct store		*s = *state;
	struct card_entitled	 e[8];
	size_t			 n;
	int			 more;

	merchant(s, "Aptieka Dobelē", SHOP_PHONE, "Dobele");
	merchant(s, "Veikals Aurē", SHOP2_PHONE, "Auru pagasts");
	(void)offer(s, "Aptieka Dobelē", "seniori", "15% zālēm", NULL, NULL);
	(void)offer(s, "Veikals Aurē", "seniori", "10% atlaide", NULL, NULL);
	(void)offer(s, "Veikals Aurē", "visi", "kafija par brīvu",
	    "2026-07-01", NULL);		/* not yet */

	/* Anna (a senior in Auru pagasts): her territory first. */
	assert_int_equal(card_entitled(s, 1, e, 8, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_int_equal(more, 0);
	assert_string_equal(e[0].merchant, "Veikals Aurē");
	assert_string_equal(e[0].text, "10% atlaide");
	assert_string_equal(e[1].merchant, "Aptieka Dobelē");
	assert_string_equal(e[1].address, "Brīvības iela 1");
	assert_int_equal(card_entitled(s, 1, e, 1, &n, &more), 0);
	assert_int_equal(n, 1);
	assert_int_equal(more, 1);
	/* Jānis is 40: nothing yet; from July the offer for all. */
	assert_int_equal(card_entitled(s, 2, e, 8, &n, &more), 0);
	assert_int_equal(n, 0);
	clock_set_fake(NOW + 20 * 86400);
	assert_int_equal(card_entitled(s, 2, e, 8, &n, &more), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].text, "kafija par brīvu");
	/* A manual group: its listed residents, and nobody else. */
	tl_exec(s, "INSERT INTO groups (id, name, kind, created_at) VALUES"
	    " (10, 'saraksts', 'manual', 0)");
	tl_exec(s, "INSERT INTO group_members (group_id, resident_id) VALUES"
	    " (10, 2)");
	(void)offer(s, "Aptieka Dobelē", "saraksts", "20% sarakstam", NULL,
	    NULL);
	assert_int_equal(card_entitled(s, 2, e, 8, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].text, "20% sarakstam");	/* Dobele */
	assert_int_equal(card_entitled(s, 1, e, 8, &n, &more), 0);
	assert_int_equal(n, 3);
	/* A removed group's offer applies to nobody. */
	tl_exec(s, "DELETE FROM group_members");
	tl_exec(s, "DELETE FROM groups WHERE id = 10");
	assert_int_equal(card_entitled(s, 2, e, 8, &n, &more), 0);
	assert_int_equal(n, 1);
	/* A disabled merchant's offers are nobody's. */
	tl_exec(s, "UPDATE merchants SET active = 0");
	assert_int_equal(card_entitled(s, 1, e, 8, &n, &more), 0);
	assert_int_equal(n, 0);
}

static void
test_code_expiry(void **state)
{
	struct store		*s = *state;
	struct card_check	 ck;
	char			 code[CARD_CODE_DIGITS + 1], spaced[16];
	char			 sql[128];
	time_t			 exp, exp2;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	(void)offer(s, "Veikals", "seniori", "10% atlaide", NULL, NULL);
	assert_int_equal(card_issue(s, TTL, "Dobeles novada pašvaldības", 1,
	    ANNA_PHONE, &exp), CARD_ISSUED);
	assert_int_equal(exp, NOW + TTL);
	/* Secret, expiring with the code, to the number that asked. */
	assert_int_equal(tl_int(s, "SELECT secret FROM outbox"), 1);
	assert_int_equal(tl_int(s, "SELECT valid_until - created_at FROM"
	    " outbox"), TTL);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox WHERE"
	    " phone = '" ANNA_PHONE "'"), 1);
	code_sent(s, code);
	/* Only a keyed hash is kept. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_codes WHERE"
	    " code_hash LIKE 'hmac-sha256:%'"), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM card_codes"
	    " WHERE code_hash LIKE '%%%s%%'", code);
	assert_int_equal(tl_int(s, sql), 0);
	/* Again within a minute: the same code, no second SMS. */
	assert_int_equal(card_issue(s, TTL, "X", 1, ANNA_PHONE, &exp2),
	    CARD_REUSED);
	assert_int_equal(exp2, exp);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), 1);

	clock_set_fake(NOW + TTL - 1);
	snprintf(spaced, sizeof(spaced), "%.3s %s", code, code + 3);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, spaced, &ck),
	    CARD_VALID);
	assert_string_equal(ck.name, "Anna B.");
	assert_int_equal(ck.noffers, 1);
	assert_string_equal(ck.offers[0], "10% atlaide");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_check_offers"),
	    1);

	/* Past its lifetime: expired, told apart from a wrong code. */
	clock_set_fake(NOW + TTL);
	merchant(s, "Aptieka", SHOP2_PHONE, "Dobele");
	assert_int_equal(card_check(s, &params, SHOP2_PHONE, code, &ck),
	    CARD_EXPIRED);
	assert_string_equal(ck.name, "");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM lockouts WHERE"
	    " failures > 0"), 0);
	/* A new code now is a new one. */
	assert_int_equal(card_issue(s, TTL, "X", 1, ANNA_PHONE, &exp),
	    CARD_ISSUED);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), 2);
	/* Not to a landline. */
	assert_int_equal(card_issue(s, TTL, "X", 1, "+37163700000", &exp),
	    CARD_NO_MOBILE);
}

static void
test_once_per_day(void **state)
{
	struct store		*s = *state;
	struct card_check	 ck;
	char			 code[CARD_CODE_DIGITS + 1];
	time_t			 exp;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	merchant(s, "Aptieka", SHOP2_PHONE, "Dobele");
	(void)offer(s, "Veikals", "seniori", "10% atlaide", NULL, NULL);
	assert_int_equal(card_issue(s, TTL, "X", 1, ANNA_PHONE, &exp),
	    CARD_ISSUED);
	code_sent(s, code);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_VALID);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_USED);
	assert_int_equal(ck.noffers, 0);
	assert_string_equal(ck.name, "");
	/* Another merchant: the code works there, with none of its offers. */
	assert_int_equal(card_check(s, &params, SHOP2_PHONE, code, &ck),
	    CARD_NO_OFFER);
	assert_string_equal(ck.name, "Anna B.");
	assert_int_equal(card_check(s, &params, SHOP2_PHONE, code, &ck),
	    CARD_USED);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_checks"), 4);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_checks WHERE"
	    " result = 'used'"), 2);
}

static void
test_lockout(void **state)
{
	struct store		*s = *state;
	struct card_check	 ck;
	char			 code[CARD_CODE_DIGITS + 1], wrong[8];
	time_t			 exp;
	int			 i;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	(void)offer(s, "Veikals", "seniori", "10% atlaide", NULL, NULL);
	assert_int_equal(card_issue(s, TTL, "X", 1, ANNA_PHONE, &exp),
	    CARD_ISSUED);
	code_sent(s, code);
	snprintf(wrong, sizeof(wrong), "%06ld",
	    (strtol(code, NULL, 10) + 1) % 1000000);
	/* Letters are a usage error: nothing stored, nothing counted. */
	assert_int_equal(card_check(s, &params, SHOP_PHONE, "12ab56", &ck),
	    CARD_BAD_CODE);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, "1234567", &ck),
	    CARD_BAD_CODE);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_checks"), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM lockouts"), 0);
	for (i = 0; i < params.max_attempts - 1; i++) {
		assert_int_equal(card_check(s, &params, SHOP_PHONE, wrong,
		    &ck), CARD_WRONG);
		assert_int_equal(ck.left, params.max_attempts - 1 - i);
	}
	assert_int_equal(card_check(s, &params, SHOP_PHONE, wrong, &ck),
	    CARD_LOCKED);
	assert_int_equal(ck.until, NOW + params.lockout_s);
	/* Locked: even the right code is not looked at. */
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_LOCKED);
	assert_string_equal(ck.name, "");
	assert_int_equal(ck.noffers, 0);
	/* Still locked while the code lives (600 s of the 900). */
	clock_set_fake(NOW + TTL - 1);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_LOCKED);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_checks WHERE"
	    " result = 'wrong'"), params.max_attempts - 1);
}

static void
test_lockout_ends(void **state)
{
	struct store		*s = *state;
	struct card_check	 ck;
	struct card_check_params p = { 2, 120 };
	char			 code[CARD_CODE_DIGITS + 1], wrong[8];
	time_t			 exp;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	(void)offer(s, "Veikals", "seniori", "10% atlaide", NULL, NULL);
	assert_int_equal(card_issue(s, TTL, "X", 1, ANNA_PHONE, &exp),
	    CARD_ISSUED);
	code_sent(s, code);
	snprintf(wrong, sizeof(wrong), "%06ld",
	    (strtol(code, NULL, 10) + 1) % 1000000);
	/*
	 * The gateway checks inside its own transaction, with the MO and
	 * other answers: a wrong code must not roll that back (found: the
	 * count went in by a rollback, and the burst was answered twice).
	 */
	assert_int_equal(store_begin(s), 0);
	tl_exec(s, "INSERT INTO counters (name, value) VALUES ('mark', 1)");
	assert_int_equal(card_check(s, &p, SHOP_PHONE, wrong, &ck),
	    CARD_WRONG);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM counters WHERE"
	    " name = 'mark'"), 1);
	assert_int_equal(card_check(s, &p, SHOP_PHONE, wrong, &ck),
	    CARD_LOCKED);
	clock_set_fake(NOW + 119);
	assert_int_equal(card_check(s, &p, SHOP_PHONE, code, &ck),
	    CARD_LOCKED);
	clock_set_fake(NOW + 120);
	assert_int_equal(card_check(s, &p, SHOP_PHONE, code, &ck),
	    CARD_VALID);
	/* Another merchant phone was never locked. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM lockouts WHERE"
	    " subject LIKE '%" SHOP2_PHONE "%'"), 0);
}

static void
test_privacy(void **state)
{
	struct store		*s = *state;
	struct card_check	 ck;
	char			 code[CARD_CODE_DIGITS + 1];
	time_t			 exp;
	size_t			 i;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	(void)offer(s, "Veikals", "seniori", "10% atlaide", NULL, NULL);
	assert_int_equal(card_issue(s, TTL, "Dobeles novada pašvaldības", 1,
	    ANNA_PHONE, &exp), CARD_ISSUED);
	code_sent(s, code);
	/* The SMS with the code names no personal code. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox WHERE"
	    " text LIKE '%" ANNA_CODE "%' OR text LIKE '%161175%'"),
	    0);

	/* A stranger with the right code learns nothing; nothing changes. */
	assert_int_equal(card_check(s, &params, STRANGER, code, &ck),
	    CARD_NOT_MERCHANT);
	assert_string_equal(ck.name, "");
	assert_string_equal(ck.merchant, "");
	assert_int_equal(ck.noffers, 0);
	assert_int_equal(card_check(s, &params, STRANGER, "000000", &ck),
	    CARD_NOT_MERCHANT);
	assert_int_equal(card_check(s, &params, STRANGER, "abc", &ck),
	    CARD_NOT_MERCHANT);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_checks"), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM lockouts"), 0);
	/* A disabled merchant is a stranger too. */
	tl_exec(s, "UPDATE merchants SET active = 0");
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_NOT_MERCHANT);
	tl_exec(s, "UPDATE merchants SET active = 1");

	/* The merchant gets a name and an initial, never more. */
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_VALID);
	assert_string_equal(ck.name, "Anna B.");
	assert_null(strstr(ck.name, "Bērziņa"));
	for (i = 0; i < ck.noffers; i++)
		assert_null(strstr(ck.offers[i], "161175"));
	/* The stored check names merchant, code and offer: no resident. */
	assert_int_equal(tl_int(s, test_store_pg() ?
	    "SELECT count(*) FROM information_schema.columns WHERE"
	    " table_schema = current_schema() AND table_name = 'card_checks'"
	    " AND (column_name LIKE '%resident%' OR column_name LIKE"
	    " '%personal%' OR column_name LIKE '%phone%')" :
	    "SELECT count(*) FROM pragma_table_info("
	    "'card_checks') WHERE name LIKE '%resident%' OR name LIKE"
	    " '%personal%' OR name LIKE '%phone%'"), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " detail LIKE '%161175%'"), 0);
}

static void
test_report(void **state)
{
	struct store		*s = *state;
	struct card_check	 ck;
	struct card_report	 r;
	char			 code[CARD_CODE_DIGITS + 1];
	time_t			 exp;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	(void)offer(s, "Veikals", "seniori", "10% atlaide", NULL, NULL);
	assert_int_equal(card_issue(s, TTL, "X", 1, ANNA_PHONE, &exp),
	    CARD_ISSUED);
	code_sent(s, code);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_VALID);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_USED);
	clock_set_fake(NOW + 2 * 86400);
	assert_int_equal(card_report(s, clock_now() - 86400, &r), 0);
	assert_int_equal(r.merchants, 1);
	assert_int_equal(r.offers, 1);
	assert_int_equal(r.checks, 2);
	assert_int_equal(r.valid, 1);
	assert_int_equal(r.checks_since, 0);
}

/*
 * A check is one indexed read of the code's keyed hash: many live codes,
 * each found for its own resident; the key is made once and kept; a code
 * hashed under another key (a copied table, a new key) is not found and
 * counts as wrong; the hash index is unique, so no two kept codes clash.
 */
static void
test_keyed_lookup(void **state)
{
	struct store		*s = *state;
	struct card_check	 ck;
	char			 code[CARD_CODE_DIGITS + 1], janis[16];
	char			 sql[256];
	time_t			 exp;
	int			 i;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	(void)offer(s, "Veikals", "visi", "5% atlaide", NULL, NULL);
	/* 200 more residents with codes live, then Jānis's among them. */
	tl_exec(s, "WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1"
	    " FROM n WHERE i < 209) INSERT INTO residents (id, personal_code,"
	    " given_name, family_name, phone, phone_kind, lang, territory,"
	    " birth_date, updated_at) SELECT i, '010190-1' || (1000 + i),"
	    " 'Ilze', 'Liepa', '+3712600' || (1000 + i), 0, 'lv', 'Dobele',"
	    " '1990-01-01', 0 FROM n");
	for (i = 10; i < 210; i++) {
		snprintf(sql, sizeof(sql), "+3712600%d", 1000 + i);
		assert_int_equal(card_issue(s, TTL, "X", i, sql, &exp),
		    CARD_ISSUED);
	}
	assert_int_equal(card_issue(s, TTL, "X", 2, JANIS_PHONE, &exp),
	    CARD_ISSUED);
	code_sent(s, janis);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_codes WHERE"
	    " code_hash LIKE 'hmac-sha256:%'"), 201);
	assert_int_equal(tl_int(s, "SELECT count(DISTINCT code_hash) FROM"
	    " card_codes"), 201);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_key"), 1);
	assert_int_equal(tl_int(s, "SELECT length(secret) FROM card_key"), 64);
	assert_int_equal(card_check(s, &params, SHOP_PHONE, janis, &ck),
	    CARD_VALID);
	assert_string_equal(ck.name, "Jānis K.");
	/* The index that finds it is unique: no two kept codes clash. */
	assert_int_equal(tl_int(s, test_store_pg() ?
	    "SELECT count(*) FROM pg_indexes WHERE tablename = 'card_codes'"
	    " AND indexname = 'card_codes_hash'"
	    " AND indexdef LIKE 'CREATE UNIQUE INDEX %'" :
	    "SELECT \"unique\" FROM pragma_index_list("
	    "'card_codes') WHERE name = 'card_codes_hash'"), 1);

	/* Under another key Anna's code is nobody's: wrong, counted. */
	assert_int_equal(card_issue(s, TTL, "X", 1, ANNA_PHONE, &exp),
	    CARD_ISSUED);
	code_sent(s, code);
	tl_exec(s, "UPDATE card_key SET secret = '" "0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef'");
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_WRONG);
	assert_string_equal(ck.name, "");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_checks WHERE"
	    " result = 'wrong'"), 1);
}

/*
 * Two residents on one phone (a couple, a carer): KARTE and ATLAIDES
 * answer for the first, the one with the lowest resident id (registered
 * first), whichever order the phone's rows are read in; PĀRBAUDE of
 * that code names the first only, and no answer to anyone names the
 * other.
 */
static void
test_shared_phone(void **state)
{
	struct store		*s = *state;
	struct keywords_result	 res;
	struct card_check	 ck;
	struct config		*cfg = config_defaults();
	char			 code[CARD_CODE_DIGITS + 1], text[64];
	char			 out[KEYWORDS_REPLY_SIZE];

	/* Pēteris Ozols, 75, in Dobele: a senior too, on Anna's phone. */
	tl_exec(s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, territory, birth_date,"
	    " updated_at) VALUES (3, '020251-10003', 'Pēteris', 'Ozols', '"
	    ANNA_PHONE "', 0, 'en', 'Dobele', '1951-02-02', 0)");
	/* Anna's row touched last: "first" is not the newest row. */
	tl_exec(s, "UPDATE residents SET updated_at = 99 WHERE id = 1");
	merchant(s, "Aptieka Dobelē", SHOP_PHONE, "Dobele");
	(void)offer(s, "Aptieka Dobelē", "seniori", "15% zālēm", NULL, NULL);

	/* Anna's language (lv), her territory first: not Pēteris's. */
	assert_int_equal(keywords_handle(s, cfg, ANNA_PHONE, "ATLAIDES", 8,
	    NULL, out, sizeof(out), &res), 1);
	assert_string_equal(out, "Jūsu atlaides:\nAptieka Dobelē: 15% zālēm");
	assert_int_equal(keywords_handle(s, cfg, ANNA_PHONE, "KARTE", 5, NULL,
	    out, sizeof(out), &res), 0);
	assert_int_equal(tl_int(s, "SELECT resident_id FROM card_codes"), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM card_codes WHERE"
	    " resident_id = 3"), 0);
	code_sent(s, code);
	snprintf(text, sizeof(text), "PARBAUDE %s", code);
	assert_int_equal(keywords_handle(s, cfg, SHOP_PHONE, text,
	    strlen(text), NULL, out, sizeof(out), &res), 1);
	assert_string_equal(out, "Derīgs (Anna B.). Atlaide: 15% zālēm");
	assert_null(strstr(out, "Pēteris"));
	assert_null(strstr(out, "O."));
	/* The merchant's own record of it names no resident at all. */
	assert_int_equal(card_check(s, &params, SHOP_PHONE, code, &ck),
	    CARD_USED);
	assert_string_equal(ck.name, "");
	/* Nothing sent to that phone names Pēteris either. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox WHERE"
	    " text LIKE '%Pēteris%' OR text LIKE '%020251%'"), 0);
	config_free(cfg);
}

static char	 reply[KEYWORDS_REPLY_SIZE];

/* The SMS front end: the reply (Latvian unless the resident chose). */
static int
sms(struct store *s, const char *from, const char *text,
    struct keywords_result *res)
{
	struct config	*cfg = config_defaults();
	int		 rc;

	rc = keywords_handle(s, cfg, from, text, strlen(text), NULL, reply,
	    sizeof(reply), res);
	config_free(cfg);
	/* No answer ever names a personal code. */
	assert_null(strstr(reply, ANNA_CODE));
	assert_null(strstr(reply, "161175"));
	assert_null(strstr(reply, "010186"));
	return rc;
}

static void
test_sms(void **state)
{
	struct store		*s = *state;
	struct keywords_result	 res;
	char			 code[CARD_CODE_DIGITS + 1], text[64];
	char			 stranger_right[KEYWORDS_REPLY_SIZE];

	merchant(s, "Aptieka Dobelē", SHOP_PHONE, "Dobele");
	merchant(s, "Veikals Aurē", SHOP2_PHONE, "Auru pagasts");
	(void)offer(s, "Aptieka Dobelē", "seniori", "15% zālēm", NULL, NULL);
	(void)offer(s, "Veikals Aurē", "seniori", "10% atlaide", NULL, NULL);

	assert_int_equal(keywords_parse("ATLAIDĒS", strlen("ATLAIDĒS"),
	    &(const char *){ NULL }, &(size_t){ 0 }), KEYWORDS_DISCOUNTS);
	assert_int_equal(sms(s, ANNA_PHONE, "atlaides", &res), 1);
	assert_int_equal(res.cmd, KEYWORDS_DISCOUNTS);
	assert_string_equal(reply, "Jūsu atlaides:\nVeikals Aurē: 10% "
	    "atlaide\nAptieka Dobelē: 15% zālēm");
	assert_int_equal(sms(s, JANIS_PHONE, "DISCOUNTS", &res), 1);
	assert_string_equal(reply, "No discounts for you at partner "
	    "merchants now.");
	/* A stranger learns nothing of anyone's discounts. */
	assert_int_equal(sms(s, STRANGER, "ATLAIDES", &res), 1);
	assert_null(strstr(reply, "atlaide"));
	assert_non_null(strstr(reply, "nav reģistrēts"));

	/* KARTE: no reply; the code goes by a secret SMS of its own. */
	assert_int_equal(sms(s, ANNA_PHONE, "Karte", &res), 0);
	assert_int_equal(res.cmd, KEYWORDS_CARD);
	assert_int_equal(res.silence, KEYWORDS_SENT_APART);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox WHERE"
	    " secret = 1 AND text LIKE 'Dobeles novada pašvaldības "
	    "kartes kods: ______. Derīgs 10 min.'"), 1);
	code_sent(s, code);
	assert_int_equal(sms(s, ANNA_PHONE, "CARD", &res), 1);
	assert_string_equal(reply, "Kartes kods nosūtīts mazāk nekā pirms "
	    "minūtes: izmantojiet to.");
	assert_int_equal(sms(s, STRANGER, "KARTE", &res), 1);
	assert_non_null(strstr(reply, "nav reģistrēts"));
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), 1);

	/* A stranger gets the same answer for the right code as for none. */
	snprintf(text, sizeof(text), "PĀRBAUDE %s", code);
	assert_int_equal(sms(s, STRANGER, text, &res), 1);
	assert_int_equal(res.cmd, KEYWORDS_CHECK);
	snprintf(stranger_right, sizeof(stranger_right), "%s", reply);
	assert_string_equal(reply, "Šis numurs nav reģistrēts kā tirgotāja "
	    "tālrunis.");
	assert_int_equal(sms(s, STRANGER, "PARBAUDE 000000", &res), 1);
	assert_string_equal(reply, stranger_right);
	assert_int_equal(sms(s, STRANGER, "check", &res), 1);
	assert_string_equal(reply, stranger_right);

	/* Letters: how to ask, nothing counted. */
	assert_int_equal(sms(s, SHOP2_PHONE, "PARBAUDE 12a456", &res), 1);
	assert_string_equal(reply, "Sūtiet PĀRBAUDE un klienta 6 ciparu kodu, "
	    "piem., PĀRBAUDE 123456.");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM lockouts"), 0);
	snprintf(text, sizeof(text), "parbaude %s", code);
	assert_int_equal(sms(s, SHOP2_PHONE, text, &res), 1);
	assert_string_equal(reply, "Derīgs (Anna B.). Atlaide: 10% atlaide");
	assert_int_equal(sms(s, SHOP2_PHONE, text, &res), 1);
	assert_string_equal(reply, "Šis kods šodien šeit jau pārbaudīts.");
	snprintf(text, sizeof(text), "CHECK %06ld",
	    (strtol(code, NULL, 10) + 1) % 1000000);
	assert_int_equal(sms(s, SHOP_PHONE, text, &res), 1);
	assert_string_equal(reply, "Nepareizs kods. Vēl 2 nepareizi kodi uz "
	    "laiku apturēs pārbaudes no šī tālruņa.");
	assert_int_equal(sms(s, SHOP_PHONE, text, &res), 1);
	assert_int_equal(sms(s, SHOP_PHONE, text, &res), 1);
	/* 09:00 UTC is 12:00 in Riga in June; locked for 15 minutes. */
	assert_string_equal(reply, "Pārāk daudz nepareizu kodu. Pārbaudes no "
	    "šī tālruņa atsāksies 12:15.");
}

/*
 * [services] replies_per_hour must not silence a till: a merchant phone's
 * checks are not counted, what else it sends is, and a stranger's checks
 * are limited as any text.
 */
static void
test_sms_till_not_limited(void **state)
{
	struct store		*s = *state;
	struct config		*cfg = config_defaults();
	struct keywords_opts	 o;
	struct keywords_result	 res;
	char			 text[32];
	int			 i;

	merchant(s, "Veikals", SHOP_PHONE, "Auru pagasts");
	memset(&o, 0, sizeof(o));
	o.limiter = keywords_limiter_new(1, 0);
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "PARBAUDE 12345%d", i);
		assert_int_equal(keywords_handle(s, cfg, SHOP_PHONE, text,
		    strlen(text), &o, reply, sizeof(reply), &res), 1);
		/* Wrong twice, then the phone's own lock-out speaks. */
		assert_non_null(strstr(reply, i < 2 ? "Nepareizs kods" :
		    "Pārāk daudz nepareizu kodu"));
	}
	/* Other words from the till count: the second is not answered. */
	assert_int_equal(keywords_handle(s, cfg, SHOP_PHONE, "sveiki", 6, &o,
	    reply, sizeof(reply), &res), 1);
	assert_int_equal(keywords_handle(s, cfg, SHOP_PHONE, "sveiki", 6, &o,
	    reply, sizeof(reply), &res), 0);
	assert_int_equal(res.silence, KEYWORDS_SILENT_LIMIT);
	assert_int_equal(keywords_handle(s, cfg, STRANGER, "CHECK 123456", 12,
	    &o, reply, sizeof(reply), &res), 1);
	assert_int_equal(keywords_handle(s, cfg, STRANGER, "CHECK 123456", 12,
	    &o, reply, sizeof(reply), &res), 0);
	assert_int_equal(res.silence, KEYWORDS_SILENT_LIMIT);
	keywords_limiter_free(o.limiter);
	config_free(cfg);
}

static void
test_sms_two_segments(void **state)
{
	struct store		*s = *state;
	struct keywords_result	 res;
	char			 name[32], phone[16];
	const char		*tail;
	int			 i;

	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "Veikals numur %02d", i);
		snprintf(phone, sizeof(phone), "2888888%d", i % 10);
		if (i >= 10)
			snprintf(phone, sizeof(phone), "288888%d", i);
		merchant(s, name, phone, "Auru pagasts");
		(void)offer(s, name, "seniori", "10% atlaide visam", NULL,
		    NULL);
	}
	assert_int_equal(sms(s, ANNA_PHONE, "ATLAIDES", &res), 1);
	assert_true(res.segments <= 2);
	assert_non_null(strstr(reply, "Veikals numur 00: 10% atlaide visam"));
	assert_null(strstr(reply, "Veikals numur 11"));
	/* The reply says there are more, and where: the USSD menu. */
	tail = "\nVairāk: zvaniet *505#";
	assert_true(strlen(reply) > strlen(tail));
	assert_string_equal(reply + strlen(reply) - strlen(tail), tail);
}

/* Anna's police report and Jānis's application, filed a day ago. */
static void
cases_filed(struct store *s)
{
	tl_exec(s, "INSERT INTO reports (case_no, kind, resident_id, phone,"
	    " channel, text, status, created_at) VALUES"
	    " ('P-2026-000123', 'police', 1, '" ANNA_PHONE "', 'sms',"
	    "  'Salauzts sols parkā', 'new', 1781427600),"
	    " ('I-2026-000007', 'application', 2, '" JANIS_PHONE "', 'kiosk',"
	    "  'Lūdzu jaunu laternu', 'new', 1781427600)");
}

/*
 * STATUSS: the resident who filed a case hears its status and the day it
 * last changed (Riga's); anybody else — another resident, a stranger —
 * the very answer a number never given out gets; a malformed number a
 * clear example.
 */
static void
test_status_sms(void **state)
{
	struct store		*s = *state;
	struct keywords_result	 res;
	static const char	*bad[] = { "STATUSS", "STATUSS 123",
	    "STATUSS P-2026-12345", "STATUSS X-2026-000123",
	    "STATUSS P-26-000123", "STATUSS P-2026-0001234567",
	    "STATUSS P 2026 000123", "STATUSS P-2026-000123 lūdzu" };
	const char		*errstr = NULL;
	char			 unknown[KEYWORDS_REPLY_SIZE];
	size_t			 i;

	cases_filed(s);
	assert_int_equal(sms(s, ANNA_PHONE, "STATUSS P-2026-000123", &res), 1);
	assert_int_equal(res.cmd, KEYWORDS_STATUS);
	assert_string_equal(reply, "Lietas P-2026-000123 statuss: jauns, kopš "
	    "14.06.2026.");
	/* Without diacritics' need, lower case, blanks: the same case. */
	assert_int_equal(sms(s, ANNA_PHONE, "statuss  p-2026-000123 ", &res),
	    1);
	assert_string_equal(reply, "Lietas P-2026-000123 statuss: jauns, kopš "
	    "14.06.2026.");
	/* Staff move it two days on, late in the evening: Riga's date. */
	clock_set_fake(NOW + 2 * 86400 + 12 * 3600);	/* 00:00 in Riga */
	assert_int_equal(cases_set_status(s, "P-2026-000123", "in_progress",
	    "anna", &errstr), 0);
	assert_int_equal(sms(s, ANNA_PHONE, "STATUSS P-2026-000123", &res), 1);
	assert_string_equal(reply, "Lietas P-2026-000123 statuss: tiek "
	    "izskatīts, kopš 18.06.2026.");
	clock_set_fake(NOW + 3 * 86400);
	assert_int_equal(cases_set_status(s, "I-2026-000007", "rejected",
	    "anna", &errstr), 0);
	assert_int_equal(sms(s, JANIS_PHONE, "STATUS I-2026-000007", &res), 1);
	/* English dates are ISO, as everywhere in English. */
	assert_string_equal(reply, "Case I-2026-000007: rejected, since "
	    "2026-06-18.");

	/*
	 * An audit row that says more after the status (a note, say) still
	 * dates the change; one for another status does not.
	 */
	tl_exec(s, "UPDATE reports SET status = 'done' WHERE"
	    " case_no = 'P-2026-000123'");
	tl_exec(s, "INSERT INTO audit_log (at, actor, action, detail) VALUES"
	    " (1782000000, 'anna', 'case status',"
	    "  'case=P-2026-000123 status=done note=yes'),"
	    " (1782200000, 'anna', 'case status',"
	    "  'case=P-2026-000123 status=donex')");
	assert_int_equal(sms(s, ANNA_PHONE, "STATUSS P-2026-000123", &res), 1);
	assert_string_equal(reply, "Lietas P-2026-000123 statuss: izskatīts, "
	    "kopš 21.06.2026.");

	/* Nobody else learns anything, not even that it exists. */
	assert_int_equal(sms(s, ANNA_PHONE, "STATUSS P-2026-999999", &res), 1);
	assert_string_equal(reply, "Jūsu lieta P-2026-999999 netika atrasta. "
	    "Pārbaudiet numuru.");
	assert_int_equal(sms(s, ANNA_PHONE, "STATUSS I-2026-000007", &res), 1);
	assert_string_equal(reply, "Jūsu lieta I-2026-000007 netika atrasta. "
	    "Pārbaudiet numuru.");
	assert_int_equal(sms(s, JANIS_PHONE, "STATUS P-2026-000123", &res), 1);
	(void)snprintf(unknown, sizeof(unknown), "%s", reply);
	assert_int_equal(sms(s, JANIS_PHONE, "STATUS P-2026-000124", &res), 1);
	assert_string_equal(unknown, "No case P-2026-000123 of yours was "
	    "found. Check the number.");
	assert_string_equal(reply, "No case P-2026-000124 of yours was "
	    "found. Check the number.");
	assert_int_equal(sms(s, STRANGER, "STATUSS P-2026-000123", &res), 1);
	assert_string_equal(reply, "Jūsu lieta P-2026-000123 netika atrasta. "
	    "Pārbaudiet numuru.");
	assert_null(strstr(reply, "jauns"));
	assert_null(strstr(reply, "izskat"));

	/* Malformed: an example, whatever was wrong. */
	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(sms(s, ANNA_PHONE, bad[i], &res), 1);
		assert_string_equal(reply, "Sūtiet STATUSS un lietas numuru, "
		    "piem., STATUSS P-2026-000123.");
	}
}

/* The USSD menu: offers paged (9), wrong keys, back, and my cases. */
static const char *
ussd(struct store *s, struct config *cfg, struct ussd_reply *r,
    const char *from, enum ussd_op op, const char *in)
{
	assert_int_equal(ussd_handle(s, cfg, from, "u1", op, in,
	    in != NULL ? strlen(in) : 0, r), 1);
	/* No screen ever names a personal code. */
	assert_null(strstr(r->text, "161175"));
	assert_null(strstr(r->text, "010186"));
	return r->text;
}

static void
test_ussd(void **state)
{
	struct store		*s = *state;
	struct config		*cfg = config_defaults();
	struct ussd_reply	 r;
	char			 name[32], phone[16], seen[12];
	const char		*t;
	int			 i, screens = 0;

	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "Veikals numur %02d", i);
		snprintf(phone, sizeof(phone), "2888888%d", i % 10);
		if (i >= 10)
			snprintf(phone, sizeof(phone), "288888%d", i);
		merchant(s, name, phone, i == 11 ? "Auru pagasts" : "Dobele");
		(void)offer(s, name, "seniori", "10% atlaide visam", NULL,
		    NULL);
	}
	cases_filed(s);
	memset(seen, 0, sizeof(seen));
	t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_OPEN, NULL);
	assert_non_null(strstr(t, "4 Atlaides\n5 Iesniegumi\n0 Beigt"));
	t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_ANSWER, "4");
	/* Her own territory's merchant first, as ATLAIDES orders them. */
	assert_true(strncmp(t, "Veikals numur 11: 10% atlaide visam\n",
	    strlen("Veikals numur 11: ")) == 0);
	for (;;) {
		for (i = 0; i < 12; i++) {
			snprintf(name, sizeof(name), "Veikals numur %02d: 10%%",
			    i);
			if (strstr(t, name) != NULL)
				seen[i]++;
		}
		screens++;
		assert_int_equal(r.end, 0);
		if (strstr(t, "9 Vēl") == NULL)
			break;
		assert_true(screens < 12);
		t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_ANSWER, "9");
	}
	/* Every offer once, on more than one screen. */
	for (i = 0; i < 12; i++)
		assert_int_equal(seen[i], 1);
	assert_true(screens > 1);
	/* A digit on a list to look at, a 9 with no more: wrong. */
	t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_ANSWER, "1");
	assert_true(strncmp(t, "Nepareiza izvēle.\n", 19) == 0);
	t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_ANSWER, "9");
	assert_true(strncmp(t, "Nepareiza izvēle.\n", 19) == 0);
	t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_ANSWER, "00");
	assert_non_null(strstr(t, "5 Iesniegumi"));
	t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_ANSWER, "6");
	assert_true(strncmp(t, "Nepareiza izvēle.\n1 Rinda", 26) == 0);
	/* My cases: hers only. */
	t = ussd(s, cfg, &r, ANNA_PHONE, USSD_OP_ANSWER, "5");
	assert_string_equal(t, "P-2026-000123: jauns, 14.06.2026\n"
	    "00 Atpakaļ\n0 Beigt");
	/* Jānis (English): no offers, his case. */
	t = ussd(s, cfg, &r, JANIS_PHONE, USSD_OP_OPEN, NULL);
	t = ussd(s, cfg, &r, JANIS_PHONE, USSD_OP_ANSWER, "4");
	assert_string_equal(t, "No discounts for you at partner merchants "
	    "now.\n00 Back\n0 End");
	t = ussd(s, cfg, &r, JANIS_PHONE, USSD_OP_ANSWER, "00");
	t = ussd(s, cfg, &r, JANIS_PHONE, USSD_OP_ANSWER, "5");
	assert_string_equal(t, "I-2026-000007: new, 2026-06-14\n"
	    "00 Back\n0 End");
	config_free(cfg);
}

/* Write text to a fresh temporary file; its path into path. */
static void
csv_file(char path[64], const char *text)
{
	FILE	*fp;
	int	 fd;

	snprintf(path, 64, "/tmp/test_card.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Write len bytes, a NUL among them maybe, to a fresh temporary file. */
static void
csv_bytes(char path[64], const char *data, size_t len)
{
	FILE	*fp;
	int	 fd;

	snprintf(path, 64, "/tmp/test_card.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Import path as kind ('m' or 'o'); the error lines into errs. */
static int
import(struct store *s, int kind, const char *path, char *errs,
    size_t size, struct card_import_result *res)
{
	char	*buf = NULL, err[CARD_ERR_SIZE];
	size_t	 len = 0;
	FILE	*fp;
	int	 rc;

	assert_non_null(fp = open_memstream(&buf, &len));
	rc = (kind == 'm' ? card_import_merchants : card_import_offers)(s,
	    "anna", path, fp, res, err, sizeof(err));
	assert_int_equal(fclose(fp), 0);
	snprintf(errs, size, "%s", buf);
	free(buf);
	(void)unlink(path);
	return rc;
}

static void
test_import(void **state)
{
	struct store		*s = *state;
	struct card_import_result res;
	char			 path[64], errs[2048];

	/* A spreadsheet's file: BOM, semicolons, quotes, a column extra. */
	csv_file(path, "\xef\xbb\xbfname;phones;territory;address;note\n"
	    "Veikals Aurē;29999991|29999992;Auru pagasts;"
	    "\"Centra iela 1; Aure\";x\n"
	    "\n"
	    "Aptieka;+371 2999 9993;Dobele;;\n");
	assert_int_equal(import(s, 'm', path, errs, sizeof(errs), &res), 0);
	assert_int_equal(res.added, 2);
	assert_int_equal(res.rows, 2);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchant_phones"), 3);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchants WHERE"
	    " address = 'Centra iela 1; Aure'"), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " action = 'merchant import' AND detail = 'merchants added=2'"),
	    1);

	/* All or nothing: each error at its line and column. */
	csv_file(path, "phone,name\n29999994,Rimi\n63700000,Maxima\n"
	    "29999995,Aptieka\n29999991,Elvi\n");
	assert_int_equal(import(s, 'm', path, errs, sizeof(errs), &res), -1);
	assert_int_equal(res.errors, 3);
	assert_non_null(strstr(errs, ":3:1: tālrunis '63700000'"));
	assert_non_null(strstr(errs, ":4:2: tirgotājs 'Aptieka' jau ir"));
	assert_non_null(strstr(errs, ":5:1: tālrunis +37129999991 jau "
	    "pārbauda kodus tirgotājam 'Veikals Aurē'"));
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchants"), 2);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchant_phones"), 3);

	csv_file(path, "nosaukums,phones\nRimi,29999994\n");
	assert_int_equal(import(s, 'm', path, errs, sizeof(errs), &res), -1);
	assert_non_null(strstr(errs, ":1: galvenē nav kolonnas 'name'"));
	csv_file(path, "");
	assert_int_equal(import(s, 'm', path, errs, sizeof(errs), &res), -1);
	csv_file(path, "name,phones\n\"Rimi,29999994\n");
	assert_int_equal(import(s, 'm', path, errs, sizeof(errs), &res), -1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchants"), 2);

	/* Offers: one file may not hold two that meet either. */
	csv_file(path, "merchant,group,text,text_en,from,to\n"
	    "Veikals Aurē,seniori,10% atlaide,10% off,2026-06-01,2026-06-30\n"
	    "Veikals Aurē,seniori,5% atlaide,,2026-06-30,\n"
	    "Veikals Aur,seniori,x,,,\n"
	    "Aptieka,senior,y,,,\n"
	    "Aptieka,seniori,z,,2026-13-01,\n");
	assert_int_equal(import(s, 'o', path, errs, sizeof(errs), &res), -1);
	assert_int_equal(res.errors, 4);
	assert_non_null(strstr(errs, ":3:5: piedāvājums "));
	assert_non_null(strstr(errs, ":4:1: nav tirgotāja 'Veikals Aur' (vai "
	    "domājāt 'Veikals Aurē'?)"));
	assert_non_null(strstr(errs, ":5:2: "));
	assert_non_null(strstr(errs, ":6:5: --from '2026-13-01'"));
	assert_int_equal(tl_int(s, "SELECT count(*) FROM offers"), 0);
	csv_file(path, "merchant;group;text_lv\nAptieka;seniori;15% zālēm\n");
	assert_int_equal(import(s, 'o', path, errs, sizeof(errs), &res), 0);
	assert_int_equal(res.added, 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM offers WHERE"
	    " text_lv = '15% zālēm'"), 1);
}

/*
 * Import len bytes of data (strlen when 0) as merchants: refused, with
 * nerr errors (-1: any), the lines want and want2 (NULL: none) among them.
 */
static void
refused(struct store *s, const char *data, size_t len, int nerr,
    const char *want, const char *want2)
{
	struct card_import_result res;
	char			 path[64], errs[2048];

	csv_bytes(path, data, len > 0 ? len : strlen(data));
	assert_int_equal(import(s, 'm', path, errs, sizeof(errs), &res), -1);
	if (nerr >= 0)
		assert_int_equal(res.errors, nerr);
	assert_non_null(strstr(errs, want));
	if (want2 != NULL)
		assert_non_null(strstr(errs, want2));
}

/*
 * Files that are not the CSV they claim: each refused at its line, the
 * whole file with it; a record over lines named by its first line; a
 * tab-separated file read as such.
 */
static void
test_import_bad(void **state)
{
	static const char nul[] = "name,phones\nRimi,2999\0009994\n"
	    "Elvi,29999993\n";
	struct store		*s = *state;
	struct card_import_result res;
	char			 path[64], errs[2048], *big;
	size_t			 n = 70000;

	refused(s, nul, sizeof(nul) - 1, 1, ":2: nav CSV rinda (NUL baits",
	    NULL);

	/* A line longer than a line may be, then one too long a field. */
	assert_non_null(big = malloc(n + 64));
	memcpy(big, "name,phones\n", 12);
	memset(big + 12, 'x', n);
	memcpy(big + 12 + n, ",29999994\n", 10);
	refused(s, big, 12 + n + 10, 1, ":2: nav CSV rinda", NULL);
	memcpy(big, "name,phones\nElvi,29999993\n", 26);
	memset(big + 26, 'y', 513);
	memcpy(big + 26 + 513, ",29999994\n", 10);
	refused(s, big, 26 + 513 + 10, 1, ":3:1: garāks par 512 baitiem",
	    NULL);
	free(big);

	/* A stray quote; a quote open at the end, named by its line. */
	refused(s, "name,phones\nRi\"mi,29999994\n", 0, 1,
	    ":2: nav CSV rinda", NULL);
	refused(s, "name,phones\nRimi,29999994\n\"Elvi,29999993\nx\n", 0, 1,
	    ":3: lauks pēdiņās nav noslēgts", NULL);
	refused(s, "", 0, 1, ":1: fails ir tukšs", NULL);

	/* Addresses over two lines: each error names its record's first. */
	refused(s, "name,phones,address\nRimi,29999994,\"Centra\niela 1\"\n"
	    "Maxima,29999995,\"Skolas\niela 2\"\n", 0, 2,
	    ":2:3: adrese: satur vadības rakstzīmi",
	    ":4:3: adrese: satur vadības rakstzīmi");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchants"), 0);

	/* Tabs, as a spreadsheet saves "text". */
	csv_file(path, "name\tphones\tterritory\nRimi\t29999994\tDobele\n"
	    "\"Elvi, Dobele\"\t29999993\t\n");
	assert_int_equal(import(s, 'm', path, errs, sizeof(errs), &res), 0);
	assert_int_equal(res.added, 2);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM merchants WHERE"
	    " name = 'Elvi, Dobele'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_merchants, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_offers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entitled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_code_expiry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_once_per_day, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout_ends, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_privacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyed_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shared_phone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bad, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sms_till_not_limited,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_sms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ussd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sms_two_segments, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
