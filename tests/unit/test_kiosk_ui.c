/*
 * test_kiosk_ui: the kiosk's text editing without a terminal — code points
 * typed on a keyboard appended as UTF-8 (Latvian letters, CJK, emoji),
 * refused past the buffer or for surrogates, and Backspace removing one
 * whole character however many bytes it took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ui.h"

static void
test_append_pop(void **state)
{
	char	 buf[16];
	size_t	 len = 0;

	(void)state;
	buf[0] = '\0';
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 'R'), 0);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 0x012B), 0);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 't'), 0);
	assert_string_equal(buf, "Rīt");
	assert_int_equal(len, 4);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 0x20AC), 0);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 0x1F600), 0);
	assert_string_equal(buf, "Rīt€\xf0\x9f\x98\x80");
	/* Surrogates and beyond Unicode are not characters. */
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 0xD800), -1);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 0x110000),
	    -1);
	ui_utf8_pop(buf, &len);
	assert_string_equal(buf, "Rīt€");
	ui_utf8_pop(buf, &len);
	ui_utf8_pop(buf, &len);
	assert_string_equal(buf, "Rī");
	ui_utf8_pop(buf, &len);
	assert_string_equal(buf, "R");
	ui_utf8_pop(buf, &len);
	ui_utf8_pop(buf, &len);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
}

static void
test_full(void **state)
{
	char	 buf[5];
	size_t	 len = 0;

	(void)state;
	buf[0] = '\0';
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 0x0161), 0);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 'a'), 0);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 'b'), 0);
	/* No room for the NUL after a fourth byte: refused, buf intact. */
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 'c'), -1);
	assert_int_equal(ui_utf8_append(buf, sizeof(buf), &len, 0x0161), -1);
	assert_string_equal(buf, "šab");
	assert_int_equal(len, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_pop),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
