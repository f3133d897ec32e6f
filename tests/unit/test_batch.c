/*
 * test_batch: the group commit with the store writer (issue 17). A turn's
 * transaction is committed at once (another connection reads it) but what
 * it promised (its deferred answers, the done hook) waits for the
 * writer's sync of the WAL; the next turn opens and gathers meanwhile,
 * commits only after that sync, and the two turns' answers run in order,
 * each after its own committing hook. Without a WAL file (":memory:")
 * everything runs inside the commit, as before.
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
#include <event2/event.h>

#include "clock.h"
#include "gw_batch.h"
#include "log.h"
#include "store.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */

/* What ran, in order: "c" committing, "aN" answer N, "d" done. */
static char	 trail[128];

static void
note(const char *what)
{
	(void)strncat(trail, what, sizeof(trail) - strlen(trail) - 1);
}

static void
answer(void *arg, int committed, uint64_t a, uint64_t b)
{
	char	 w[16];

	(void)arg;
	(void)b;
	(void)snprintf(w, sizeof(w), "%s%llu ", committed ? "a" : "refused",
	    (unsigned long long)a);
	note(w);
}

static void
committing(void *arg, int ok)
{
	(void)arg;
	note(ok ? "c " : "c-failed ");
}

static void
done(void *arg, int ok)
{
	(void)arg;
	note(ok ? "d " : "d-failed ");
}

static int64_t
audits(struct store *s)
{
	int64_t	 n = -1;

	assert_int_equal(store_one_i64(s, ST_AUDIT_COUNT, &n, "sst", "test",
	    "batch", (time_t)0), STORE_ROW);
	return n;
}

/* Turns of the loop until the trail holds want. */
static void
loop_until(struct event_base *base, const char *want)
{
	int	 i;

	for (i = 0; i < 1000 && strstr(trail, want) == NULL; i++)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_non_null(strstr(trail, want));
}

static void
test_writer_holds_answers(void **state)
{
	struct event_base *base;
	struct store	*s, *other;
	struct batch	*b;
	const char	*errstr = NULL;
	char		 dir[] = "/tmp/muni-batch.XXXXXX";
	char		 path[256], wal[300], shm[300];

	(void)state;
	trail[0] = '\0';
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/muni.db", dir);
	assert_non_null(s = store_open(path, STORE_CREATE | STORE_MIGRATE,
	    &errstr));
	assert_non_null(other = store_open(path, 0, &errstr));
	assert_non_null(base = event_base_new());
	b = batch_new(base, s);
	assert_int_equal(batch_durable_async(b, base, path, &errstr), 1);
	batch_set_committing(b, committing, NULL);
	batch_set_done(b, done, NULL);

	/* Turn 1: committed by the loop, its answer held for the sync. */
	assert_int_equal(batch_begin(b), 0);
	assert_int_equal(store_audit(s, "test", "batch", "turn 1"), 0);
	batch_defer(b, answer, NULL, 1, 0);
	batch_commit_soon(b);
	assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_string_equal(trail, "c ");
	assert_int_equal(audits(other), 1);
	assert_true(batch_open(b));
	assert_int_equal(batch_deferred(b), 1);

	/* Turn 2 opens while turn 1 syncs; it commits after it. */
	assert_int_equal(batch_begin(b), 0);
	assert_int_equal(store_audit(s, "test", "batch", "turn 2"), 0);
	batch_defer(b, answer, NULL, 2, 0);
	batch_commit_soon(b);
	loop_until(base, "a2 d ");
	assert_string_equal(trail, "c a1 d c a2 d ");
	assert_false(batch_open(b));
	assert_int_equal(audits(other), 2);

	/* An explicit flush waits for the disk before it returns. */
	assert_int_equal(batch_begin(b), 0);
	batch_defer(b, answer, NULL, 3, 0);
	assert_int_equal(batch_flush(b), 0);
	assert_string_equal(trail, "c a1 d c a2 d c a3 d ");

	/* A failed turn refuses its answers, in order behind the sync. */
	assert_int_equal(batch_begin(b), 0);
	batch_defer(b, answer, NULL, 4, 0);
	batch_commit_soon(b);
	assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_int_equal(batch_begin(b), 0);
	batch_defer(b, answer, NULL, 5, 0);
	batch_fail(b);
	batch_commit_soon(b);
	loop_until(base, "refused5 ");
	assert_string_equal(trail, "c a1 d c a2 d c a3 d "
	    "c a4 d c-failed refused5 d-failed ");

	batch_free(b);
	event_base_free(base);
	store_close(other);
	store_close(s);
	(void)snprintf(wal, sizeof(wal), "%s-wal", path);
	(void)snprintf(shm, sizeof(shm), "%s-shm", path);
	(void)unlink(wal);
	(void)unlink(shm);
	(void)unlink(path);
	(void)rmdir(dir);
}

static void
test_memory_commits_inline(void **state)
{
	struct event_base *base;
	struct store	*s;
	struct batch	*b;
	const char	*errstr = NULL;

	(void)state;
	trail[0] = '\0';
	assert_non_null(s = store_open(":memory:", STORE_CREATE |
	    STORE_MIGRATE, &errstr));
	assert_non_null(base = event_base_new());
	b = batch_new(base, s);
	assert_int_equal(batch_durable_async(b, base, ":memory:", &errstr), 0);
	batch_set_committing(b, committing, NULL);
	batch_set_done(b, done, NULL);
	assert_int_equal(batch_begin(b), 0);
	batch_defer(b, answer, NULL, 1, 0);
	batch_commit_soon(b);
	assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_string_equal(trail, "c a1 d ");
	assert_false(batch_open(b));
	batch_free(b);
	event_base_free(base);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_holds_answers),
		cmocka_unit_test(test_memory_commits_inline),
	};

	log_set_level(LOG_LEVEL_FATAL);
	clock_set_fake(NOW);
	store_threads();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
