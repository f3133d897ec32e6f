/*
 * testlib: what several unit tests need beside cmocka — run a statement
 * straight on the store's database, read one number back. The tests use
 * raw SQL on purpose: it checks the modules by another route than theirs.
 */
#ifndef MUNI_TESTLIB_H
#define MUNI_TESTLIB_H

struct store;

/* Run sql (no rows expected); a failure fails the test. */
void		 tl_exec(struct store *, const char *sql);
/* The first column of the one row sql returns; a failure fails the test. */
long long	 tl_int(struct store *, const char *sql);

#endif
