/*
 * batch: the group commit of muni-smsgw. All database work of one turn of
 * the event loop goes into one transaction, committed (one fsync) when the
 * turn's other callbacks have run; answers that promise the SMSC "it is on
 * disk" wait for that commit.
 */
#ifndef MUNI_GW_BATCH_H
#define MUNI_GW_BATCH_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct store;
struct batch;

/*
 * After the commit: fn(arg, committed, a, b) once per call to batch_defer,
 * in order; committed is 0 when the transaction was rolled back.
 */
typedef void	(*batch_fn)(void *arg, int committed, uint64_t a, uint64_t b);

struct batch	*batch_new(struct event_base *, struct store *);
void		 batch_free(struct batch *);

/*
 * Join the turn's transaction, opening it if needed. 0, or -1 when the
 * database cannot start one (logged): the caller refuses the work.
 */
int		 batch_begin(struct batch *);
/* Run fn after this turn's commit; only inside batch_begin's turn. */
void		 batch_defer(struct batch *, batch_fn fn, void *arg, uint64_t a,
		    uint64_t b);
/*
 * Something in this turn's work failed half-way: roll the whole turn back
 * instead of committing it (its deferred answers then refuse). Until the
 * turn ends, batch_begin fails.
 */
void		 batch_fail(struct batch *);
/* Called after every commit or rollback (the gateway's bookkeeping). */
void		 batch_set_done(struct batch *, void (*fn)(void *, int),
		    void *arg);
/*
 * Called as each turn's transaction ends (committed or rolled back),
 * before its answers wait for the disk: what the turn holds moves aside
 * from what the next turn gathers meanwhile.
 */
void		 batch_set_committing(struct batch *, void (*fn)(void *, int),
		    void *arg);
/*
 * Commits stop waiting for the disk: a store writer thread on a
 * connection of its own to dbpath syncs them, and the answers and the
 * done hook wait for it. 1 started, 0 not possible here (":memory:"),
 * -1 with *errstr.
 */
int		 batch_durable_async(struct batch *, struct event_base *,
		    const char *dbpath, const char **errstr);
/* Commit once the callbacks active now have run. */
void		 batch_commit_soon(struct batch *);
/* Answers waiting for the commit. */
size_t		 batch_deferred(const struct batch *);
/*
 * Commit now and wait for the disk, e.g. before work that must not join
 * the batch, or at the end. 0 or -1.
 */
int		 batch_flush(struct batch *);
/* 1 while a transaction is open or its answers wait for the disk. */
int		 batch_open(const struct batch *);

/* Commits so far and work items they carried, for metrics. */
uint64_t	 batch_commits(const struct batch *);

#endif
