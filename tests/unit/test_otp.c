/*
 * test_otp: kiosk sign-in codes over a demo store with the fake clock —
 * the SMS in the outbox with a validity equal to the code's lifetime and
 * the code only hashed in the otp table; right, wrong, reused, replaced
 * and expired codes; the lock-out after max_attempts and its end; people
 * without a mobile or unknown; the staff PIN with its own lock-out.
 * Issue 22: wrong codes count for the person across codes (two wrong,
 * wait past the lifetime, a new code, one more: locked), a terminal's
 * codes are capped per hour, a code typed for nobody counts as a wrong
 * one, and the SMS text is wiped once sent or expired.
 * The code is read back from the outbox row, the route a phone gets it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "otp.h"
#include "store.h"
#include "testlib.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */

static struct otp_params params = { 300, 3, 900, 3600, 10, NULL,
    "Dobeles novada pašvaldības" };

static int
setup(void **state)
{
	tl_i18n();
	if ((*state = tl_demo_store(300, 7, NOW, LOG_LEVEL_FATAL)) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	clock_clear_fake();
	return 0;
}

/* One text column of the first row sql returns, into buf. */
static void
text_of(struct store *s, const char *sql, char *buf, size_t size)
{
	tl_text(s, sql, buf, size);
}

/* A resident with a mobile phone: their personal code and id. */
static int64_t
mobile_resident(struct store *s, int nth, char *pcode, size_t size)
{
	char	 sql[256];

	snprintf(sql, sizeof(sql), "SELECT personal_code FROM residents "
	    "WHERE phone_kind = 0 ORDER BY id LIMIT 1 OFFSET %d", nth);
	text_of(s, sql, pcode, size);
	snprintf(sql, sizeof(sql), "SELECT id FROM residents WHERE "
	    "phone_kind = 0 ORDER BY id LIMIT 1 OFFSET %d", nth);
	return tl_int(s, sql);
}

/* The six digits in the SMS text of outbox row id. */
static void
code_sent(struct store *s, int64_t id, char code[OTP_CODE_SIZE])
{
	char	 sql[128], text[400];
	size_t	 i, run = 0;

	snprintf(sql, sizeof(sql), "SELECT text FROM outbox WHERE id = %lld",
	    (long long)id);
	text_of(s, sql, text, sizeof(text));
	for (i = 0; text[i] != '\0'; i++) {
		run = text[i] >= '0' && text[i] <= '9' ? run + 1 : 0;
		if (run == OTP_DIGITS)
			break;
	}
	assert_int_equal(run, OTP_DIGITS);
	memcpy(code, text + i + 1 - OTP_DIGITS, OTP_DIGITS);
	code[OTP_DIGITS] = '\0';
}

/* A six-digit code that is not code. */
static void
other_code(const char *code, char out[OTP_CODE_SIZE])
{
	unsigned	 v = (unsigned)strtoul(code, NULL, 10);

	snprintf(out, OTP_CODE_SIZE, "%06u", (v + 1) % 1000000u);
}

static void
test_issue_and_verify(void **state)
{
	struct store		*s = *state;
	struct otp_issued	 oi;
	char			 pcode[16], code[OTP_CODE_SIZE], sql[256];
	char			 hash[OTP_HASH_SIZE];
	int64_t			 rid = mobile_resident(s, 0, pcode, sizeof(pcode));

	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	assert_int_equal(oi.resident_id, rid);
	assert_true(oi.message_id > 0);
	assert_int_equal(oi.expires_at, NOW + 300);
	/* The number only masked: country code, first and last two. */
	assert_non_null(strstr(oi.phone_mask, "•"));
	assert_int_equal(strncmp(oi.phone_mask, "+371 2", 6), 0);

	snprintf(sql, sizeof(sql), "SELECT valid_until - created_at FROM "
	    "outbox WHERE id = %lld", (long long)oi.message_id);
	assert_int_equal(tl_int(s, sql), 300);
	snprintf(sql, sizeof(sql), "SELECT priority FROM outbox WHERE id = "
	    "%lld", (long long)oi.message_id);
	assert_int_equal(tl_int(s, sql), OTP_PRIORITY);
	snprintf(sql, sizeof(sql), "SELECT resident_id FROM outbox WHERE id = "
	    "%lld", (long long)oi.message_id);
	assert_int_equal(tl_int(s, sql), rid);

	code_sent(s, oi.message_id, code);
	snprintf(sql, sizeof(sql), "SELECT code_hash FROM otp WHERE "
	    "resident_id = %lld", (long long)rid);
	text_of(s, sql, hash, sizeof(hash));
	assert_int_equal(strncmp(hash, "$y$", 3), 0);
	assert_null(strstr(hash, code));
	/*
	 * The SMS is Latvian, names the municipality (not the program:
	 * found "Jūsu muni kods"), no personal code, and fits one UCS-2
	 * segment.
	 */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE id = "
	    "%lld AND text = 'Dobeles novada pašvaldības kods: %s. Derīgs "
	    "5 min. Neizpaudiet to.' AND text NOT LIKE '%%muni%%' AND text "
	    "NOT LIKE '%%%s%%' AND length(text) <= 70",
	    (long long)oi.message_id, code, pcode);
	assert_int_equal(tl_int(s, sql), 1);

	assert_int_equal(otp_verify(s, &params, rid, code, NULL, NULL), OTP_OK);
	/* Used up: the same code does not sign in twice. */
	assert_int_equal(otp_verify(s, &params, rid, code, NULL, NULL),
	    OTP_EXPIRED);
}

static void
test_wrong_then_lockout(void **state)
{
	struct store		*s = *state;
	struct otp_issued	 oi;
	char			 pcode[16], code[OTP_CODE_SIZE], bad[OTP_CODE_SIZE];
	int64_t			 rid = mobile_resident(s, 1, pcode, sizeof(pcode));
	int64_t			 sent;
	time_t			 until;
	int			 left;

	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	code_sent(s, oi.message_id, code);
	other_code(code, bad);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_WRONG);
	assert_int_equal(left, 2);
	/* Not six digits counts as wrong too. */
	assert_int_equal(otp_verify(s, &params, rid, "12", &left, &until),
	    OTP_WRONG);
	assert_int_equal(left, 1);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_LOCKED);
	assert_int_equal(until, NOW + 900);
	/* Locked: the right code does not help, no new code is sent. */
	assert_int_equal(otp_verify(s, &params, rid, code, &left, &until),
	    OTP_LOCKED);
	sent = tl_int(s, "SELECT count(*) FROM outbox");
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_LOCKED);
	assert_int_equal(oi.locked_until, NOW + 900);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), sent);

	/* After the lock-out, a new code works. */
	clock_advance_ms(901 * 1000);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	code_sent(s, oi.message_id, code);
	assert_int_equal(otp_verify(s, &params, rid, code, &left, &until),
	    OTP_OK);
}

static void
test_expiry_and_replacement(void **state)
{
	struct store		*s = *state;
	struct otp_issued	 oi;
	char			 pcode[16], first[OTP_CODE_SIZE];
	char			 second[OTP_CODE_SIZE];
	int64_t			 rid = mobile_resident(s, 2, pcode, sizeof(pcode));
	long long		 sent;

	/* A code past its lifetime is refused, and not counted as wrong. */
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	code_sent(s, oi.message_id, first);
	clock_advance_ms(301 * 1000);
	assert_int_equal(otp_verify(s, &params, rid, first, NULL, NULL),
	    OTP_EXPIRED);

	/* Asked again within a minute: no second SMS, the first holds. */
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	assert_int_equal(oi.reused, 0);
	code_sent(s, oi.message_id, first);
	sent = tl_int(s, "SELECT count(*) FROM outbox");
	clock_advance_ms((OTP_RESEND_S - 1) * 1000);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	assert_int_equal(oi.reused, 1);
	assert_int_equal(oi.message_id, 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), sent);

	/* Later, a new code replaces the one before. */
	clock_advance_ms(1000);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	assert_int_equal(oi.reused, 0);
	code_sent(s, oi.message_id, second);
	if (strcmp(first, second) != 0)
		assert_int_equal(otp_verify(s, &params, rid, first, NULL,
		    NULL), OTP_WRONG);
	assert_int_equal(otp_verify(s, &params, rid, second, NULL, NULL),
	    OTP_OK);
	/* Expired rows are pruned when a code is issued. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM otp WHERE "
	    "expires_at < (SELECT max(created_at) FROM otp)"), 0);
}

static void
test_nobody(void **state)
{
	struct store		*s = *state;
	struct otp_issued	 oi;
	char			 pcode[16];
	int64_t			 sent = tl_int(s, "SELECT count(*) FROM outbox");

	assert_int_equal(otp_issue(s, &params, "161175-19997", &oi),
	    OTP_NO_RESIDENT);
	text_of(s, "SELECT personal_code FROM residents WHERE phone IS NULL "
	    "OR phone_kind = 1 ORDER BY id LIMIT 1", pcode, sizeof(pcode));
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_NO_PHONE);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), sent);
	assert_int_equal(otp_verify(s, &params, 999999, "123456", NULL, NULL),
	    OTP_EXPIRED);
}

static void
test_pin(void **state)
{
	struct store	*s = *state;
	char		 hash[OTP_HASH_SIZE];
	const char	*errstr;
	time_t		 until;
	int		 left;

	assert_int_equal(otp_hash("4321", OTP_HASH_COST_PIN, hash, sizeof(hash),
	    &errstr), 0);
	assert_int_equal(strncmp(hash, "$y$", 3), 0);
	assert_true(otp_hash_check("4321", hash));
	assert_false(otp_hash_check("4322", hash));
	assert_false(otp_hash_check("4321", "not a hash"));
	assert_false(otp_hash_check("4321", ""));

	assert_int_equal(otp_pin_check(s, "", "4321", "staff", 3, 300, &left,
	    &until), OTP_EXPIRED);
	assert_int_equal(otp_pin_check(s, hash, "4321", "staff", 3, 300,
	    &left, &until), OTP_OK);
	assert_int_equal(otp_pin_check(s, hash, "1111", "staff", 3, 300,
	    &left, &until), OTP_WRONG);
	assert_int_equal(left, 2);
	/* A right PIN clears the failures so far. */
	assert_int_equal(otp_pin_check(s, hash, "4321", "staff", 3, 300,
	    &left, &until), OTP_OK);
	assert_int_equal(otp_pin_check(s, hash, "1111", "staff", 3, 300,
	    &left, &until), OTP_WRONG);
	assert_int_equal(otp_pin_check(s, hash, "2222", "staff", 3, 300,
	    &left, &until), OTP_WRONG);
	assert_int_equal(left, 1);
	assert_int_equal(otp_pin_check(s, hash, "3333", "staff", 3, 300,
	    &left, &until), OTP_LOCKED);
	assert_int_equal(until, NOW + 300);
	assert_int_equal(otp_pin_check(s, hash, "4321", "staff", 3, 300,
	    &left, &until), OTP_LOCKED);
	/* Another subject is not locked. */
	assert_int_equal(otp_pin_check(s, hash, "4321", "other", 3, 300,
	    &left, &until), OTP_OK);
	clock_advance_ms(301 * 1000);
	assert_int_equal(otp_pin_check(s, hash, "4321", "staff", 3, 300,
	    &left, &until), OTP_OK);
}

/* Issue 22 item 3: the count belongs to the person, not to one code. */
static void
test_failures_across_codes(void **state)
{
	struct store		*s = *state;
	struct otp_issued	 oi;
	char			 pcode[16], code[OTP_CODE_SIZE], bad[OTP_CODE_SIZE];
	int64_t			 rid = mobile_resident(s, 3, pcode, sizeof(pcode));
	time_t			 until;
	int			 left;

	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	code_sent(s, oi.message_id, code);
	other_code(code, bad);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_WRONG);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_WRONG);
	assert_int_equal(left, 1);
	/* Past the code's lifetime: a new code, but not new tries. */
	clock_advance_ms(301 * 1000);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	assert_int_equal(oi.reused, 0);
	code_sent(s, oi.message_id, code);
	other_code(code, bad);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_LOCKED);
	assert_int_equal(until, NOW + 301 + 900);
	assert_int_equal(otp_verify(s, &params, rid, code, &left, &until),
	    OTP_LOCKED);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_LOCKED);

	/* After the lock, the count starts again; a right code clears it. */
	clock_advance_ms(901 * 1000);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	code_sent(s, oi.message_id, code);
	other_code(code, bad);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_WRONG);
	assert_int_equal(left, 2);
	assert_int_equal(otp_verify(s, &params, rid, code, &left, &until),
	    OTP_OK);
	clock_advance_ms(61 * 1000);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	code_sent(s, oi.message_id, code);
	other_code(code, bad);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_WRONG);
	assert_int_equal(left, 2);

	/* Wrong codes an hour apart (window_s) do not add up. */
	clock_advance_ms(3600 * 1000);
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	code_sent(s, oi.message_id, code);
	other_code(code, bad);
	assert_int_equal(otp_verify(s, &params, rid, bad, &left, &until),
	    OTP_WRONG);
	assert_int_equal(left, 2);
}

/* 20 residents' codes asked from one terminal: 10 go, then none. */
static void
test_terminal_cap(void **state)
{
	struct store		*s = *state;
	struct otp_params	 p = params;
	struct otp_issued	 oi;
	char			 pcode[16];
	int64_t			 sent;
	int			 i;

	p.terminal = "biblioteka-1";
	for (i = 0; i < 10; i++) {
		(void)mobile_resident(s, i, pcode, sizeof(pcode));
		assert_int_equal(otp_issue(s, &p, pcode, &oi), OTP_OK);
		clock_advance_ms(1000);
	}
	sent = tl_int(s, "SELECT count(*) FROM outbox");
	for (i = 10; i < 20; i++) {
		(void)mobile_resident(s, i, pcode, sizeof(pcode));
		assert_int_equal(otp_issue(s, &p, pcode, &oi), OTP_BUSY);
		/* Refused before anything says whether they exist. */
		assert_int_equal(oi.resident_id, 0);
	}
	assert_int_equal(otp_issue(s, &p, "161175-19997", &oi), OTP_BUSY);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), sent);

	/* Another terminal is not held back. */
	p.terminal = "biblioteka-2";
	assert_int_equal(otp_issue(s, &p, pcode, &oi), OTP_OK);
	/* An hour after the first, the first terminal may send again. */
	p.terminal = "biblioteka-1";
	clock_advance_ms((3600 - 10 + 1) * 1000);
	(void)mobile_resident(s, 11, pcode, sizeof(pcode));
	assert_int_equal(otp_issue(s, &p, pcode, &oi), OTP_OK);
	assert_int_equal(oi.reused, 0);
}

/* Nobody (unknown, or no mobile): no SMS, and a lock like anyone's. */
static void
test_nobody_looks_alike(void **state)
{
	struct store		*s = *state;
	struct otp_issued	 oi, again;
	char			 pcode[16];
	int64_t			 sent = tl_int(s, "SELECT count(*) FROM outbox");
	time_t			 until;
	int			 left;

	assert_int_equal(otp_issue(s, &params, "161175-19997", &oi),
	    OTP_NO_RESIDENT);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), sent);
	assert_int_equal(strncmp(oi.subject, "nobody:", 7), 0);
	/* The subject does not show the personal code, and is stable. */
	assert_null(strstr(oi.subject, "161175"));
	assert_null(strstr(oi.subject, "19997"));
	assert_int_equal(otp_issue(s, &params, "161175-19997", &again),
	    OTP_NO_RESIDENT);
	assert_string_equal(oi.subject, again.subject);

	assert_int_equal(otp_verify_subject(s, &params, oi.subject, &left,
	    &until), OTP_WRONG);
	assert_int_equal(left, 2);
	assert_int_equal(otp_verify_subject(s, &params, oi.subject, &left,
	    &until), OTP_WRONG);
	assert_int_equal(left, 1);
	assert_int_equal(otp_verify_subject(s, &params, oi.subject, &left,
	    &until), OTP_LOCKED);
	assert_int_equal(until, NOW + 900);
	assert_int_equal(otp_issue(s, &params, "161175-19997", &oi),
	    OTP_LOCKED);
	assert_int_equal(oi.locked_until, NOW + 900);

	/* A resident without a mobile: their own subject, no SMS. */
	text_of(s, "SELECT personal_code FROM residents WHERE phone IS NULL "
	    "OR phone_kind = 1 ORDER BY id LIMIT 1", pcode, sizeof(pcode));
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_NO_PHONE);
	assert_int_equal(strncmp(oi.subject, "resident:", 9), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox"), sent);
}

/* The code's text leaves the outbox once the gateway is done with it. */
static void
test_text_wiped(void **state)
{
	struct store		*s = *state;
	struct otp_issued	 oi, oi2;
	char			 pcode[16], code[OTP_CODE_SIZE], sql[256];
	char			 text[400];
	int64_t			 plain;

	(void)mobile_resident(s, 4, pcode, sizeof(pcode));
	assert_int_equal(otp_issue(s, &params, pcode, &oi), OTP_OK);
	/* Claimed by the gateway: the text it sends is still there. */
	snprintf(sql, sizeof(sql), "UPDATE outbox SET state = 'inflight' "
	    "WHERE id = %lld", (long long)oi.message_id);
	tl_exec(s, sql);
	code_sent(s, oi.message_id, code);
	snprintf(sql, sizeof(sql), "UPDATE outbox SET state = 'accepted' "
	    "WHERE id = %lld", (long long)oi.message_id);
	tl_exec(s, sql);
	snprintf(sql, sizeof(sql), "SELECT text FROM outbox WHERE id = %lld",
	    (long long)oi.message_id);
	text_of(s, sql, text, sizeof(text));
	assert_string_equal(text, STORE_SECRET_WIPED);
	assert_null(strstr(text, code));

	/* Expired unsent (the gateway's expiry at claim time): wiped too. */
	(void)mobile_resident(s, 5, pcode, sizeof(pcode));
	assert_int_equal(otp_issue(s, &params, pcode, &oi2), OTP_OK);
	snprintf(sql, sizeof(sql), "UPDATE outbox SET state = 'expired' "
	    "WHERE id = %lld", (long long)oi2.message_id);
	tl_exec(s, sql);
	snprintf(sql, sizeof(sql), "SELECT text FROM outbox WHERE id = %lld",
	    (long long)oi2.message_id);
	text_of(s, sql, text, sizeof(text));
	assert_string_equal(text, STORE_SECRET_WIPED);

	/* Any other message keeps its text. */
	tl_exec(s, "UPDATE outbox SET state "
	    "= 'delivered' WHERE secret = 0");
	plain = tl_int(s, "SELECT count(*) FROM outbox WHERE secret = 0 AND "
	    "text = '" STORE_SECRET_WIPED "'");
	assert_int_equal(plain, 0);
}

static void
test_params(void **state)
{
	struct config		*cfg = config_defaults();
	struct otp_params	 p;
	const char		*errstr;

	(void)state;
	assert_non_null(cfg);
	otp_params_init(&p, cfg);
	assert_int_equal(p.ttl_s, 300);
	assert_int_equal(p.max_attempts, 3);
	assert_int_equal(p.lockout_s, 900);
	assert_int_equal(p.window_s, 3600);
	assert_int_equal(p.per_terminal_per_hour, 10);
	assert_int_equal(config_set(cfg, CFG_OTP_LOCKOUT_S, "30", &errstr),
	    -1);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_issue_and_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_then_lockout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expiry_and_replacement,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_across_codes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_terminal_cap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nobody_looks_alike, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_text_wiped, setup,
		    teardown),
		cmocka_unit_test(test_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
