/*
 * work: one job at a time on a thread of its own; see gw_work.h.
 *
 * The hand-over is a mutex and a condition one way and a pipe the other:
 * the thread sleeps on the condition until the loop gives it a job, and
 * writes a byte to the pipe when the job is over, which wakes the loop
 * (a libevent read event) to call the job's done. Only the loop touches
 * `busy`, so the loop needs no lock to refuse a second job; the thread
 * sees `job` under the mutex.
 *
 * The thread has its own store connection (SQLite's WAL lets both work;
 * store_threads() has made the library safe for two), and shares nothing
 * with the loop but the job's argument, which the loop does not touch
 * between submit and done.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "gw_work.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define WORK_BUSY_MS	120000

struct work {
	struct store	*store;		/* the thread's */
	struct event	*ev;		/* the pipe's read end, on the loop */
	int		 fds[2];
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 stop;		/* under mu */
	int		 queued;	/* under mu: a job waits for the thread */
	int		 busy;		/* the loop's: submit to done */
	work_run_fn	 run;
	work_done_fn	 done;
	void		*arg;
};

static void *
work_main(void *arg)
{
	struct work	*w = arg;
	char		 c = 'd';
	ssize_t		 n;

	for (;;) {
		(void)pthread_mutex_lock(&w->mu);
		while (!w->queued && !w->stop)
			(void)pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop && !w->queued) {
			(void)pthread_mutex_unlock(&w->mu);
			break;
		}
		(void)pthread_mutex_unlock(&w->mu);
		w->run(w->store, w->arg);
		(void)pthread_mutex_lock(&w->mu);
		w->queued = 0;
		(void)pthread_mutex_unlock(&w->mu);
		/* The loop drains the pipe; a full pipe cannot happen with
		   one job at a time. */
		do
			n = write(w->fds[1], &c, 1);
		while (n == -1 && errno == EINTR);
		if (n != 1)
			log_warn("work: cannot wake the loop");
	}
	return NULL;
}

static void
work_ready_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct work	*w = arg;
	char		 buf[16];
	work_done_fn	 done;

	(void)ev;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (!w->busy)
		return;
	done = w->done;
	w->busy = 0;	/* done may submit the next job */
	done(w->arg);
}

struct work *
work_new(struct event_base *base, const char *dbpath, const char **errstr)
{
	struct work	*w;
	int		 rc;

	w = xcalloc(1, sizeof(*w));
	w->fds[0] = w->fds[1] = -1;
	if (pipe2(w->fds, O_CLOEXEC | O_NONBLOCK) == -1) {
		*errstr = "work: pipe failed";
		goto fail;
	}
	if ((w->store = store_open(dbpath, 0, errstr)) == NULL)
		goto fail;
	/* The loop commits often and at once begins again: the worker
	   waits its turn, however long, rather than fail a job. */
	if (store_busy_timeout(w->store, WORK_BUSY_MS) == -1)
		log_warnx("work: cannot set the database's busy timeout");
	if ((w->ev = event_new(base, w->fds[0], EV_READ | EV_PERSIST,
	    work_ready_cb, w)) == NULL || event_add(w->ev, NULL) == -1) {
		*errstr = "work: cannot watch the pipe";
		goto fail;
	}
	if (pthread_mutex_init(&w->mu, NULL) != 0 ||
	    pthread_cond_init(&w->cv, NULL) != 0)
		fatalx("work: pthread init");
	if ((rc = pthread_create(&w->thread, NULL, work_main, w)) != 0) {
		log_warnx("work: pthread_create: %s", strerror(rc));
		*errstr = "work: the thread does not start";
		(void)pthread_mutex_destroy(&w->mu);
		(void)pthread_cond_destroy(&w->cv);
		goto fail;
	}
	return w;
fail:
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->store != NULL)
		store_close(w->store);
	if (w->fds[0] != -1)
		close(w->fds[0]);
	if (w->fds[1] != -1)
		close(w->fds[1]);
	free(w);
	return NULL;
}

int
work_submit(struct work *w, work_run_fn run, work_done_fn done, void *arg)
{
	if (w->busy)
		return -1;
	w->busy = 1;
	w->run = run;
	w->done = done;
	w->arg = arg;
	(void)pthread_mutex_lock(&w->mu);
	w->queued = 1;
	(void)pthread_cond_signal(&w->cv);
	(void)pthread_mutex_unlock(&w->mu);
	return 0;
}

int
work_busy(const struct work *w)
{
	return w->busy;
}

void
work_free(struct work *w)
{
	if (w == NULL)
		return;
	(void)pthread_mutex_lock(&w->mu);
	w->stop = 1;
	(void)pthread_cond_signal(&w->cv);
	(void)pthread_mutex_unlock(&w->mu);
	(void)pthread_join(w->thread, NULL);
	(void)pthread_mutex_destroy(&w->mu);
	(void)pthread_cond_destroy(&w->cv);
	event_free(w->ev);
	store_close(w->store);
	close(w->fds[0]);
	close(w->fds[1]);
	free(w);
}
