/*
 * test_idem: the API's idempotency keys in the store. A key's first answer
 * comes back for the same body hash, a conflict for another; keys are per
 * client and per address; after IDEM_WINDOW_S a key is new again and the
 * old row is forgotten by the next put. Malformed keys are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "idem.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"

#define T0	1796112000
#define H1	"11111111111111111111111111111111" \
		"11111111111111111111111111111111"
#define H2	"22222222222222222222222222222222" \
		"22222222222222222222222222222222"

static void
test_keys(void **state)
{
	char	 k[IDEM_KEY_MAX + 2];

	(void)state;
	assert_true(idem_key_valid("order-2026-12-01/17"));
	assert_false(idem_key_valid(""));
	assert_false(idem_key_valid("a b"));
	assert_false(idem_key_valid("ā"));
	memset(k, 'k', sizeof(k) - 1);
	k[sizeof(k) - 1] = '\0';
	assert_false(idem_key_valid(k));
	k[IDEM_KEY_MAX] = '\0';
	assert_true(idem_key_valid(k));
}

static void
test_get_put(void **state)
{
	struct store	*s;
	const char	*errstr = NULL;
	char		*answer = NULL;
	int		 status = 0;

	(void)state;
	clock_set_fake(T0);
	assert_non_null(s = test_store_open(&errstr));
	assert_int_equal(idem_get(s, "erp", "messages", "k", H1, T0, &status,
	    &answer), 0);
	assert_int_equal(idem_put(s, "erp", "messages", "k", H1, 201,
	    "{\"message\":1}", T0), 0);
	assert_int_equal(idem_get(s, "erp", "messages", "k", H1, T0 + 60,
	    &status, &answer), 1);
	assert_int_equal(status, 201);
	assert_string_equal(answer, "{\"message\":1}");
	free(answer);
	assert_int_equal(idem_get(s, "erp", "messages", "k", H2, T0 + 60,
	    &status, &answer), 2);
	assert_null(answer);
	/* Another client's key, another address's key: new. */
	assert_int_equal(idem_get(s, "billing", "messages", "k", H1, T0,
	    &status, &answer), 0);
	assert_int_equal(idem_get(s, "erp", "broadcasts", "k", H1, T0,
	    &status, &answer), 0);
	/* A day on, the key is new, and the next put forgets the old row. */
	assert_int_equal(idem_get(s, "erp", "messages", "k", H2,
	    T0 + IDEM_WINDOW_S, &status, &answer), 0);
	assert_int_equal(idem_put(s, "erp", "messages", "k2", H2, 201, "{}",
	    T0 + IDEM_WINDOW_S), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM api_idempotency"),
	    1);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_get_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
