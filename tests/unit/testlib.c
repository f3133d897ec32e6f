/*
 * testlib: shared helpers of the unit tests (linked into each of them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "demo.h"
#include "i18n.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"

/*
 * Through store_prepare, so the same SQL runs on either engine (the store
 * turns ?N into PostgreSQL's $N). Several statements are split at each ';'
 * outside quotes: neither engine prepares more than one at a time.
 */
void
tl_exec(struct store *s, const char *sql)
{
	struct store_cur	*c;
	const char		*p = sql, *start = sql;
	char			 quote = 0, err[256];
	size_t			 len;
	int			 rc;

	for (;; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
			else if (*p == '\0')
				fail_msg("%s: unterminated quote", sql);
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			continue;
		}
		if (*p != ';' && *p != '\0')
			continue;
		len = (size_t)(p - start);
		if (start[strspn(start, " \t\n")] != ';' &&
		    start + strspn(start, " \t\n") < p) {
			if ((c = store_prepare(s, start, len, err,
			    sizeof(err))) == NULL)
				fail_msg("%.*s: %s", (int)len, start, err);
			while ((rc = store_step(c)) == STORE_ROW)
				;
			if (rc < 0)
				fail_msg("%.*s: %s", (int)len, start,
				    store_errmsg(s));
			store_cur_free(c);
		}
		if (*p == '\0')
			break;
		start = p + 1;
	}
}

long long
tl_int(struct store *s, const char *sql)
{
	struct store_cur	*c;
	char			 err[256];
	long long		 v;

	if ((c = store_prepare(s, sql, strlen(sql), err, sizeof(err))) ==
	    NULL)
		fail_msg("%s: %s", sql, err);
	if (store_step(c) != STORE_ROW)
		fail_msg("%s: no row (%s)", sql, store_errmsg(s));
	v = store_i64(c, 0);
	store_cur_free(c);
	return v;
}

void
tl_text(struct store *s, const char *sql, char *buf, size_t size)
{
	struct store_cur	*c;
	char			 err[256];

	if ((c = store_prepare(s, sql, strlen(sql), err, sizeof(err))) ==
	    NULL)
		fail_msg("%s: %s", sql, err);
	if (store_step(c) != STORE_ROW)
		fail_msg("%s: no row (%s)", sql, store_errmsg(s));
	if (store_isnull(c, 0))
		fail_msg("%s: NULL", sql);
	(void)snprintf(buf, size, "%s", store_str(c, 0));
	store_cur_free(c);
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
	if ((s = test_store_open(&errstr)) == NULL ||
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
