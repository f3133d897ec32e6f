/*
 * writer: the store writer thread. SQLite in WAL mode writes a commit's
 * pages into the WAL file with write() and, at synchronous = FULL, waits
 * in fdatasync() before it returns: a third of a drain's wall clock, with
 * the event loop stopped (issue 17's measurements in tests/bench/kannel.sh).
 * The loop's connection now commits at synchronous = NORMAL (the pages
 * are in the WAL, in the page cache: a kill -9 loses nothing, a power cut
 * could) and asks this thread to fdatasync the WAL; the answers that
 * promise "on disk" wait for the thread's word (gw_batch.c). One sync in
 * flight at a time: the group commit after it gathers what arrives during
 * it, so a slow disk makes bigger groups, not a slower loop.
 *
 * The thread boundary, all of it: the loop writes a ticket (want) under
 * the mutex and signals; the thread syncs the WAL, stores the ticket it
 * covered (done) under the mutex and writes the eventfd; the loop's event
 * reads done and calls back. Nothing else is shared. The thread also
 * owns a store connection of its own (opened here, used only there) for
 * passive checkpoints, which sync the WAL and the database file and so
 * must not run on the loop either; the loop's own automatic checkpoint
 * (wal_autocheckpoint) stays as the backstop when the WAL outgrows them.
 *
 * An fdatasync that fails leaves the page cache's state unknown (Linux
 * drops the dirty pages and reports the error once): the gateway stops
 * (fatalx) and its restart starts from what is on disk; the SMSC sends
 * again what was not acknowledged. Retrying the sync would report success
 * on data that is gone.
 */
#include <sys/eventfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "gw_writer.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* A passive checkpoint at most this often, after a sync. */
#define WRITER_CHECKPOINT_MS	250

struct writer {
	/* Shared, under mu. */
	pthread_mutex_t	 mu;
	pthread_cond_t	 wake;		/* the thread: want moved, or quit */
	pthread_cond_t	 synced;	/* writer_wait: done moved */
	uint64_t	 want;
	uint64_t	 done;
	int		 err;		/* errno of a failed sync, 0 none */
	int		 quit;
	uint64_t	 syncs;

	/* The loop's. */
	int		 efd;
	struct event	*ev;
	writer_fn	 fn;
	void		*arg;
	uint64_t	 told;		/* the last ticket called back */
	pthread_t	 thread;

	/* The thread's. */
	struct store	*store;
	char		*walpath;
	int		 walfd;
	struct stat	 walst;
	int64_t		 ckpt_ms;
};

/* Sync the WAL file, opened again if it was replaced. 0, or an errno. */
static int
wal_sync(struct writer *w)
{
	struct stat	 st;

	if (stat(w->walpath, &st) == -1)
		return errno;
	if (w->walfd == -1 || st.st_ino != w->walst.st_ino ||
	    st.st_dev != w->walst.st_dev) {
		if (w->walfd != -1)
			(void)close(w->walfd);
		if ((w->walfd = open(w->walpath, O_RDONLY | O_CLOEXEC)) == -1)
			return errno;
		if (fstat(w->walfd, &w->walst) == -1)
			return errno;
	}
	if (fdatasync(w->walfd) == -1)
		return errno;
	return 0;
}

static void *
writer_main(void *arg)
{
	struct writer	*w = arg;
	uint64_t	 target, one = 1;
	int64_t		 now;
	int		 err;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->want == w->done && !w->quit)
			pthread_cond_wait(&w->wake, &w->mu);
		if (w->want == w->done && w->quit) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		target = w->want;
		pthread_mutex_unlock(&w->mu);

		err = wal_sync(w);
		if (err == 0 && (now = clock_mono_ms()) - w->ckpt_ms >=
		    WRITER_CHECKPOINT_MS) {
			w->ckpt_ms = now;
			if (store_checkpoint(w->store) == -1)
				log_warnx("writer: checkpoint: %s",
				    store_errmsg(w->store));
		}

		pthread_mutex_lock(&w->mu);
		w->done = target;
		w->err = err;
		w->syncs++;
		pthread_cond_broadcast(&w->synced);
		pthread_mutex_unlock(&w->mu);
		if (write(w->efd, &one, sizeof(one)) != sizeof(one))
			log_warn("writer: eventfd");
	}
	return NULL;
}

/* The word from the thread, on the loop. */
static void
writer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct writer	*w = arg;
	uint64_t	 n, done;
	int		 err;

	(void)ev;
	if (read(fd, &n, sizeof(n)) == -1 && errno != EAGAIN)
		log_warn("writer: eventfd");
	pthread_mutex_lock(&w->mu);
	done = w->done;
	err = w->err;
	pthread_mutex_unlock(&w->mu);
	if (err != 0)
		fatalx("%s: fdatasync: %s: what is not acknowledged the SMSC "
		    "sends again after the restart", w->walpath,
		    strerror(err));
	if (done == w->told)
		return;		/* writer_wait took it already */
	w->told = done;
	w->fn(w->arg, done);
}

struct writer *
writer_new(struct event_base *base, const char *dbpath, const char *walpath,
    writer_fn fn, void *arg, const char **errstr)
{
	struct writer	*w = xcalloc(1, sizeof(*w));

	w->fn = fn;
	w->arg = arg;
	w->walfd = -1;
	w->walpath = xstrdup(walpath);
	if ((w->store = store_open(dbpath, 0, errstr)) == NULL)
		goto fail;
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		*errstr = "writer: eventfd";
		goto fail;
	}
	if ((w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, writer_cb,
	    w)) == NULL || event_add(w->ev, NULL) == -1)
		fatalx("writer: event_new");
	if (pthread_mutex_init(&w->mu, NULL) != 0 ||
	    pthread_cond_init(&w->wake, NULL) != 0 ||
	    pthread_cond_init(&w->synced, NULL) != 0)
		fatalx("writer: pthread init");
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		*errstr = "writer: pthread_create";
		event_free(w->ev);
		(void)close(w->efd);
		goto fail;
	}
	return w;
fail:
	store_close(w->store);
	free(w->walpath);
	free(w);
	return NULL;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	if (pthread_join(w->thread, NULL) != 0)
		log_warnx("writer: pthread_join");
	event_free(w->ev);
	(void)close(w->efd);
	if (w->walfd != -1)
		(void)close(w->walfd);
	store_close(w->store);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->synced);
	free(w->walpath);
	free(w);
}

void
writer_sync(struct writer *w, uint64_t ticket)
{
	pthread_mutex_lock(&w->mu);
	if (ticket > w->want) {
		w->want = ticket;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->mu);
}

void
writer_wait(struct writer *w, uint64_t ticket)
{
	int	 err;

	writer_sync(w, ticket);
	pthread_mutex_lock(&w->mu);
	while (w->done < ticket)
		pthread_cond_wait(&w->synced, &w->mu);
	err = w->err;
	pthread_mutex_unlock(&w->mu);
	if (err != 0)
		fatalx("%s: fdatasync: %s: what is not acknowledged the SMSC "
		    "sends again after the restart", w->walpath,
		    strerror(err));
	if (ticket > w->told)
		w->told = ticket;
}

uint64_t
writer_syncs(struct writer *w)
{
	uint64_t	 n;

	pthread_mutex_lock(&w->mu);
	n = w->syncs;
	pthread_mutex_unlock(&w->mu);
	return n;
}
