/*
 * batch: one transaction for the work of a millisecond. The first
 * batch_begin opens it and arms the commit timer; every PDU read until then
 * joins it and they all share one fsync. Submits go out meanwhile (a crash
 * only sends them again); what answers the SMSC waits for the commit. A
 * commit per read event would cut the batches as small as the TCP reads,
 * and the fsyncs, not the work, would set the pace.
 *
 * With a store writer (batch_durable_async, gw_writer.c) the commit does
 * not wait for the disk: the transaction ends at once, the next one may
 * open while the writer syncs the WAL, and the committed turn's answers
 * (batch_defer) and the done hook run when the writer says it is on disk.
 * One sync in flight: a turn that wants to commit meanwhile commits when
 * it returns, so the two turns' answers never mix and run in order.
 */
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "gw_batch.h"
#include "gw_metrics.h"
#include "gw_writer.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define BATCH_WINDOW_US		2000	/* longest an answer waits to commit */
#define BATCH_MAX_DEFERRED	256	/* answers that commit at once */
/*
 * After BEGIN failed (another process holds the write lock past the busy
 * timeout), the next attempts fail at once for this long: every PDU of a
 * read would otherwise wait out the timeout again and stall the loop.
 */
#define BATCH_BUSY_BACKOFF_MS	100

struct deferred {
	batch_fn	 fn;
	void		*arg;
	uint64_t	 a, b;
};

struct batch {
	struct store	*store;
	struct event	*commit_ev;
	int		 open;
	int		 failed;
	struct deferred	*q;		/* this turn's */
	size_t		 nq, cap;
	struct deferred	*sq;		/* the turn being synced */
	size_t		 snq, scap;
	void		(*done)(void *, int);
	void		*done_arg;
	void		(*committing)(void *, int);
	void		*committing_arg;
	struct writer	*writer;	/* NULL: commits sync themselves */
	uint64_t	 ticket;	/* commits handed to the writer */
	int		 syncing;	/* sq waits for the writer */
	int		 sync_ok;	/* that turn committed */
	int		 commit_wanted;	/* the open turn, once sq is done */
	uint64_t	 commits;
	int64_t		 busy_until;	/* clock_mono_ms; 0 none */
};

static void	commit_cb(evutil_socket_t, short, void *);

/* The commit's duration is a metric; the clock seam has milliseconds. */
static int64_t
now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct batch *
batch_new(struct event_base *base, struct store *s)
{
	struct batch	*b = xcalloc(1, sizeof(*b));

	b->store = s;
	if ((b->commit_ev = event_new(base, -1, 0, commit_cb, b)) == NULL)
		fatalx("batch: event_new");
	return b;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	if (b->open || b->syncing)
		(void)batch_flush(b);
	writer_free(b->writer);
	event_free(b->commit_ev);
	free(b->q);
	free(b->sq);
	free(b);
}

int
batch_begin(struct batch *b)
{
	static const struct timeval window = { 0, BATCH_WINDOW_US };

	if (b->open)
		return b->failed ? -1 : 0;
	if (b->busy_until != 0 && clock_mono_ms() < b->busy_until)
		return -1;
	if (store_begin(b->store) == -1) {
		b->busy_until = clock_mono_ms() + BATCH_BUSY_BACKOFF_MS;
		return -1;
	}
	b->busy_until = 0;
	b->open = 1;
	if (evtimer_add(b->commit_ev, &window) == -1)
		fatalx("batch: evtimer_add");
	return 0;
}

void
batch_defer(struct batch *b, batch_fn fn, void *arg, uint64_t x, uint64_t y)
{
	if (!b->open)
		fatalx("batch_defer outside a transaction");
	if (b->nq == b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->q = xreallocarray(b->q, b->cap, sizeof(*b->q));
	}
	b->q[b->nq].fn = fn;
	b->q[b->nq].arg = arg;
	b->q[b->nq].a = x;
	b->q[b->nq].b = y;
	/* The SMSC's window of deliver_sm is waiting: commit now. */
	if (++b->nq == BATCH_MAX_DEFERRED)
		event_active(b->commit_ev, EV_TIMEOUT, 0);
}

void
batch_fail(struct batch *b)
{
	if (b->open)
		b->failed = 1;
}

void
batch_set_done(struct batch *b, void (*fn)(void *, int), void *arg)
{
	b->done = fn;
	b->done_arg = arg;
}

/*
 * End the open transaction: committed (in the page cache only, with a
 * writer) or rolled back. Its answers move to sq, the committing hook
 * runs. 1 committed, 0 not.
 */
static int
end_turn(struct batch *b)
{
	struct deferred	*q;
	size_t		 cap;
	int64_t		 t0;
	int		 ok;

	b->open = 0;
	b->commit_wanted = 0;
	if (event_del(b->commit_ev) == -1)
		log_warnx("batch: event_del");
	t0 = now_us();
	if (b->failed) {
		store_rollback(b->store);
		b->failed = 0;
		ok = 0;
		log_warnx("batch: rolled back: %zu answers refused", b->nq);
	} else if (!(ok = store_commit(b->store) == 0)) {
		/* store_commit rolled back; be sure the depth is reset. */
		store_rollback(b->store);
		log_warnx("batch: commit failed: %zu answers refused", b->nq);
	}
	b->commits++;
	metrics_commit(now_us() - t0, b->nq);
	/*
	 * The callbacks may open the next batch and defer into it: the turn's
	 * queue moves aside, so the one being walked never moves.
	 */
	q = b->sq;
	cap = b->scap;
	b->sq = b->q;
	b->scap = b->cap;
	b->snq = b->nq;
	b->q = q;
	b->cap = cap;
	b->nq = 0;
	b->sync_ok = ok;
	if (b->committing != NULL)
		b->committing(b->committing_arg, ok);
	return ok;
}

/* sq is on disk (or was rolled back): its answers, then the done hook. */
static void
turn_done(struct batch *b)
{
	struct deferred	*q = b->sq;
	size_t		 i, n = b->snq;

	b->syncing = 0;
	b->snq = 0;
	for (i = 0; i < n; i++)
		q[i].fn(q[i].arg, b->sync_ok, q[i].a, q[i].b);
	if (b->done != NULL)
		b->done(b->done_arg, b->sync_ok);
}

/* Commit the open turn; with a writer, its answers wait for the sync. */
static void
commit_turn(struct batch *b)
{
	if (!b->open)
		return;
	if (b->syncing) {
		b->commit_wanted = 1;
		return;
	}
	if (end_turn(b) && b->writer != NULL) {
		b->syncing = 1;
		writer_sync(b->writer, ++b->ticket);
		return;
	}
	turn_done(b);
}

/* The writer's word: the turn in sq is on disk. */
static void
synced_cb(void *arg, uint64_t ticket)
{
	struct batch	*b = arg;

	if (!b->syncing || ticket < b->ticket)
		return;
	turn_done(b);
	if (b->open && (b->commit_wanted || b->nq >= BATCH_MAX_DEFERRED))
		commit_turn(b);
}

int
batch_durable_async(struct batch *b, struct event_base *base,
    const char *dbpath, const char **errstr)
{
	char	 wal[4096];

	if (store_sync_deferred(b->store, wal, sizeof(wal)) == -1)
		return 0;	/* no WAL file: the commit syncs */
	if ((b->writer = writer_new(base, dbpath, wal, synced_cb, b,
	    errstr)) == NULL)
		return -1;
	return 1;
}

/* Waiting on the loop: for the rare callers that need it now. */
int
batch_flush(struct batch *b)
{
	int	 ok;

	if (b->syncing) {
		writer_wait(b->writer, b->ticket);
		turn_done(b);
	}
	if (!b->open)
		return 0;
	ok = end_turn(b);
	if (ok && b->writer != NULL) {
		b->syncing = 1;
		writer_wait(b->writer, ++b->ticket);
	}
	turn_done(b);
	return ok ? 0 : -1;
}

static void
commit_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	commit_turn(arg);
}

void
batch_commit_soon(struct batch *b)
{
	if (b->open)
		event_active(b->commit_ev, EV_TIMEOUT, 0);
}

size_t
batch_deferred(const struct batch *b)
{
	return b->nq + b->snq;
}

int
batch_open(const struct batch *b)
{
	return b->open || b->syncing;
}

void
batch_set_committing(struct batch *b, void (*fn)(void *, int), void *arg)
{
	b->committing = fn;
	b->committing_arg = arg;
}

uint64_t
batch_commits(const struct batch *b)
{
	return b->commits;
}
