/*
 * testlib: what several unit tests need beside cmocka — run a statement
 * straight on the store's database, read one number back. The tests use
 * raw SQL on purpose: it checks the modules by another route than theirs.
 */
#ifndef MUNI_TESTLIB_H
#define MUNI_TESTLIB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "log.h"

struct store;

/* Run sql (no rows expected); a failure fails the test. */
void		 tl_exec(struct store *, const char *sql);
/* The first column of the one row sql returns; a failure fails the test. */
long long	 tl_int(struct store *, const char *sql);
/* The first column of the one row sql returns, as text (not NULL). */
void		 tl_text(struct store *, const char *sql, char *buf,
		    size_t size);

/*
 * The municipality's zone, Europe/Riga, set the way the programs set it at
 * start (clock_set_zone), whatever TZ the test runs under.
 */
void		 tl_zone(void);

/*
 * A fresh store (tests/unit/testdb.h: SQLite's ":memory:" or a
 * PostgreSQL schema) holding n demo residents from seed, with the clock
 * frozen at now in Europe/Riga and the log at level. NULL, with a line on
 * stderr, when it cannot be made.
 */
struct store	*tl_demo_store(size_t n, uint64_t seed, time_t now,
		    enum log_level level);
/* The Latvian catalogues where tests/run.sh (or a plain build) has them. */
void		 tl_i18n(void);

#endif
