/*
 * testlib: shared helpers of the unit tests (linked into each of them).
 */
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "demo.h"
#include "i18n.h"
#include "store.h"
#include "store_sqlite.h"
#include "testlib.h"

void
tl_exec(struct store *s, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

long long
tl_int(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(store_db(s)));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void
tl_zone(void)
{
	const char	*errstr = NULL;

	if (clock_set_zone("Europe/Riga", &errstr) == -1)
		fail_msg("clock_set_zone: %s", errstr);
}

struct store *
tl_demo_store(size_t n, uint64_t seed, time_t now, enum log_level level)
{
	struct store		*s;
	struct demo_result	 res;
	const char		*errstr = NULL;

	tl_zone();
	clock_set_fake(now);
	log_set_level(level);
	if ((s = store_open(":memory:", STORE_CREATE, &errstr)) == NULL ||
	    demo_fill(s, n, seed, &res, &errstr) != 0) {
		fprintf(stderr, "setup: %s\n", errstr ? errstr : "?");
		store_close(s);
		return NULL;
	}
	return s;
}

void
tl_i18n(void)
{
	/* tests/run.sh points MUNI_LOCALEDIR at the build's catalogues. */
	if (getenv("MUNI_LOCALEDIR") == NULL)
		(void)setenv("MUNI_LOCALEDIR", "build/release/locale", 1);
	unsetenv("MUNI_LANG");
	i18n_init();
}
