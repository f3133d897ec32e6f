/*
 * test_apibody: the HTTP API's JSON bodies. What is accepted comes out
 * normalised (phone in E.164, the send time as a time_t); what is refused
 * names the field and why, with a code a client can branch on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "gw_apibody.h"
#include "i18n.h"
#include "testlib.h"

/* 2026-06-15 12:00 in Riga (UTC+3). */
#define NOW	((time_t)1781514000)

static int
msg(const char *body, struct apibody_message *m, struct apibody_error *e)
{
	memset(e, 0, sizeof(*e));
	return apibody_message(body, strlen(body), m, e);
}

static int
bc(const char *body, struct apibody_broadcast *b, struct apibody_error *e)
{
	memset(e, 0, sizeof(*e));
	return apibody_broadcast(body, strlen(body), NOW, b, e);
}

/* body is refused with code, and the reason holds want. */
static void
msg_refused(const char *body, const char *code, const char *want)
{
	struct apibody_message	 m;
	struct apibody_error	 e;

	assert_int_equal(msg(body, &m, &e), -1);
	assert_string_equal(e.code, code);
	if (strstr(e.reason, want) == NULL)
		fail_msg("reason '%s' lacks '%s'", e.reason, want);
}

static void
bc_refused(const char *body, const char *code, const char *want)
{
	struct apibody_broadcast b;
	struct apibody_error	 e;

	assert_int_equal(bc(body, &b, &e), -1);
	assert_string_equal(e.code, code);
	if (strstr(e.reason, want) == NULL)
		fail_msg("reason '%s' lacks '%s'", e.reason, want);
}

static void
test_message_ok(void **state)
{
	struct apibody_message	 m;
	struct apibody_error	 e;

	(void)state;
	assert_int_equal(msg("{\"phone\": \"2912 3456\", \"text\": \"Rīt ūdens "
	    "nebūs\", \"validity_s\": 300}", &m, &e), 0);
	assert_string_equal(m.phone, "+37129123456");
	assert_string_equal(m.text, "Rīt ūdens nebūs");
	assert_int_equal(m.validity_s, 300);
	/* validity_s is optional, null is its absence. */
	assert_int_equal(msg("{\"text\":\"x\",\"phone\":\"+37129123456\","
	    "\"validity_s\":null}", &m, &e), 0);
	assert_int_equal(m.validity_s, 0);
	/* Escapes are JSON's, not ours to refuse. */
	assert_int_equal(msg("{\"phone\":\"0037129123456\",\"text\":"
	    "\"\\u0101 \\\"quoted\\\"\"}", &m, &e), 0);
	assert_string_equal(m.text, "ā \"quoted\"");
}

static void
test_message_refused(void **state)
{
	static const char *head = "{\"phone\":\"29123456\",\"text\":\"";
	char		 big[OUTBOX_TEXT_MAX + 64];
	size_t		 n;

	(void)state;
	msg_refused("", "bad_json", "no body");
	msg_refused("{\"phone\":\"29123456\",", "bad_json", "malformed JSON "
	    "at 1:");
	msg_refused("[1, 2]", "bad_json", "JSON object");
	msg_refused("\"29123456\"", "bad_json", "");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"a\",\"text\":\"b\"}",
	    "bad_json", "duplicate");
	msg_refused("{\"text\":\"x\"}", "missing_field", "'phone'");
	msg_refused("{\"phone\":\"29123456\"}", "missing_field", "'text'");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"\"}", "missing_field",
	    "'text' is empty");
	msg_refused("{\"phone\":29123456,\"text\":\"x\"}", "wrong_type",
	    "'phone' must be a string");
	msg_refused("{\"phone\":\"29123456\",\"text\":[\"x\"]}", "wrong_type",
	    "'text' must be a string");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"a\\u0000b\"}",
	    "bad_json", "");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"x\",\"validity_s\":"
	    "\"300\"}", "wrong_type", "whole number");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"x\",\"validity_s\":"
	    "1.5}", "wrong_type", "whole number");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"x\",\"validity_s\":"
	    "0}", "invalid_validity", "1-604800");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"x\",\"validity_s\":"
	    "604801}", "invalid_validity", "");
	msg_refused("{\"phone\":\"12\",\"text\":\"x\"}", "invalid_phone",
	    "field 'phone': ");
	msg_refused("{\"phone\":\"29123456; DROP TABLE outbox\",\"text\":"
	    "\"x\"}", "invalid_phone", "");
	msg_refused("{\"phone\":\"29123456\",\"text\":\"x\",\"phnoe\":1}",
	    "unknown_field", "'phnoe'");
	/* Invalid UTF-8 inside a string: jansson refuses it as JSON. */
	msg_refused("{\"phone\":\"29123456\",\"text\":\"\xc3\x28\"}",
	    "bad_json", "");
	memset(big, 0, sizeof(big));
	n = strlen(head);
	memcpy(big, head, n);
	memset(big + n, 'a', OUTBOX_TEXT_MAX + 1);
	memcpy(big + n + OUTBOX_TEXT_MAX + 1, "\"}", 2);
	msg_refused(big, "too_long", "'text' is longer than 1600 bytes");
}

static void
test_broadcast_ok(void **state)
{
	struct apibody_broadcast b;
	struct apibody_error	 e;

	(void)state;
	assert_int_equal(bc("{\"group\":\"auri\",\"text\":\"Sveiki, "
	    "{given_name}!\"}", &b, &e), 0);
	assert_string_equal(b.group, "auri");
	assert_string_equal(b.topic, "");
	assert_int_equal(b.at, 0);
	assert_int_equal(b.emergency, 0);
	assert_int_equal(bc("{\"group\":\"Zīlītes vecāki\",\"text\":\"Plūdi\","
	    "\"topic\":\"arkartas\",\"emergency\":true,\"at\":\"2026-06-15 "
	    "13:30\"}", &b, &e), 0);
	assert_string_equal(b.group, "Zīlītes vecāki");
	assert_string_equal(b.topic, "arkartas");
	assert_int_equal(b.emergency, 1);
	assert_int_equal(b.at, NOW + 5400);
}

static void
test_broadcast_refused(void **state)
{
	(void)state;
	bc_refused("{\"text\":\"x\"}", "missing_field", "'group'");
	bc_refused("{\"group\":\"auri\",\"text\":\"Sveiki {vards}\"}",
	    "invalid_text", "unknown placeholder {vards}");
	bc_refused("{\"group\":\"auri\",\"text\":\"{given_nme}\"}",
	    "invalid_text", "did you mean {given_name}");
	bc_refused("{\"group\":\"auri\",\"text\":\"x\",\"emergency\":1}",
	    "wrong_type", "true or false");
	bc_refused("{\"group\":\"auri\",\"text\":\"x\",\"topic\":7}",
	    "wrong_type", "'topic' must be a string");
	bc_refused("{\"group\":\"auri\",\"text\":\"x\",\"at\":\"2026-06-14 "
	    "10:00\"}", "invalid_time", "field 'at': ");
	bc_refused("{\"group\":\"auri\",\"text\":\"x\",\"at\":\"soon\"}",
	    "invalid_time", "field 'at': ");
	bc_refused("{\"group\":\"auri\",\"text\":\"x\",\"topic\":\""
	    "a-very-long-topic-code-of-more-than-32\"}", "too_long", "'topic'");
	bc_refused("{\"group\":\"auri\",\"text\":\"x\",\"phone\":\"2\"}",
	    "unknown_field", "'phone'");
}

/* The reasons are the user's language: Latvian by default. */
static void
test_latvian(void **state)
{
	(void)state;
	tl_i18n();
	assert_int_equal(i18n_set_lang("lv"), 0);
	msg_refused("{\"text\":\"x\"}", "missing_field", "lauks 'phone' ir "
	    "obligāts");
	assert_int_equal(i18n_set_lang("en"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_ok),
		cmocka_unit_test(test_message_refused),
		cmocka_unit_test(test_broadcast_ok),
		cmocka_unit_test(test_broadcast_refused),
		cmocka_unit_test(test_latvian),
	};

	/* "at" is the municipality's local time. */
	tl_zone();
	clock_set_fake(NOW);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
