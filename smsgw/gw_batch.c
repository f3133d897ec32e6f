/*
 * batch: one transaction for the work of a millisecond. The first
 * batch_begin opens it and arms the commit timer; every PDU read until then
 * joins it and they all share one fsync. Submits go out meanwhile (a crash
 * only sends them again); what answers the SMSC waits for the commit. A
 * commit per read event would cut the batches as small as the TCP reads,
 * and the fsyncs, not the work, would set the pace.
 */
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "gw_batch.h"
#include "gw_metrics.h"
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
	struct deferred	*spare;		/* the last turn's, reused */
	size_t		 spare_cap;
	void		(*done)(void *, int);
	void		*done_arg;
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
	if (b->open)
		(void)batch_flush(b);
	event_free(b->commit_ev);
	free(b->q);
	free(b->spare);
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

int
batch_flush(struct batch *b)
{
	struct deferred	*q;
	size_t		 i, n, cap;
	int64_t		 t0;
	int		 ok;

	if (!b->open)
		return 0;
	b->open = 0;
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
	 * The callbacks may open the next batch and defer into it: swap the
	 * queues so the one being walked never moves.
	 */
	q = b->q;
	cap = b->cap;
	n = b->nq;
	b->q = b->spare;
	b->cap = b->spare_cap;
	b->nq = 0;
	for (i = 0; i < n; i++)
		q[i].fn(q[i].arg, ok, q[i].a, q[i].b);
	b->spare = q;
	b->spare_cap = cap;
	if (b->done != NULL)
		b->done(b->done_arg, ok);
	return ok ? 0 : -1;
}

static void
commit_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)batch_flush(arg);
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
	return b->nq;
}

int
batch_open(const struct batch *b)
{
	return b->open;
}

uint64_t
batch_commits(const struct batch *b)
{
	return b->commits;
}
