/*
 * test_store_threads: two threads, each with a connection of its own to
 * one database file, writing and reading at once, as the gateway's loop
 * and its callback poster do. With store_threads() SQLite keeps its
 * global mutexes and the store's small-block lists are per thread; without
 * them the two threads share both, and the heap breaks (the sanitizer
 * build shows where).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "log.h"
#include "store.h"
#include "testdb.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */
#define ROUNDS	1500

struct worker {
	char		 path[256];
	const char	*actor;
	int		 failed;
	int64_t		 seen;
};

/* ROUNDS audit rows, one transaction each, each read back by a count. */
static void *
work(void *arg)
{
	struct worker	*w = arg;
	struct store	*s;
	const char	*errstr;
	char		 detail[64];
	int64_t		 n = 0;
	int		 i;

	if ((s = store_open(w->path, 0, &errstr)) == NULL) {
		w->failed = 1;
		return NULL;
	}
	for (i = 0; i < ROUNDS && !w->failed; i++) {
		(void)snprintf(detail, sizeof(detail), "round=%d", i);
		if (store_begin(s) == -1 ||
		    store_audit(s, w->actor, "thread test", detail) == -1 ||
		    store_commit(s) == -1 ||
		    store_one_i64(s, ST_AUDIT_COUNT, &n, "sst", w->actor,
		    "thread test", (time_t)0) != STORE_ROW)
			w->failed = 1;
	}
	w->seen = n;
	store_close(s);
	return NULL;
}

static void
test_two_threads(void **state)
{
	struct worker	 w[2];
	pthread_t	 t[2];
	struct store	*s;
	const char	*errstr = NULL;
	char		 dir[] = "/tmp/muni-threads.XXXXXX";
	char		 path[256], wal[300], shm[300];
	int		 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/muni.db", dir);
	s = store_open(path, STORE_CREATE | STORE_MIGRATE, &errstr);
	assert_non_null(s);
	store_close(s);
	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		(void)snprintf(w[i].path, sizeof(w[i].path), "%s", path);
		w[i].actor = i == 0 ? "loop" : "poster";
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_false(w[i].failed);
		assert_int_equal(w[i].seen, ROUNDS);
	}
	(void)snprintf(wal, sizeof(wal), "%s-wal", path);
	(void)snprintf(shm, sizeof(shm), "%s-shm", path);
	(void)unlink(wal);
	(void)unlink(shm);
	(void)unlink(path);
	(void)rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads),
	};

	log_set_level(LOG_LEVEL_FATAL);
	clock_set_fake(NOW);
	/* Before the first store_open, as the gateway does. */
	store_threads();
	if (test_sqlite_only("SQLite's multi-thread mode on one file"))
		return 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
