/*
 * work: the gateway's API worker (issues 23 and 17). One thread with a
 * store connection of its own runs one job at a time off the event loop
 * (a PUT of a register, tens of thousands of rows); what it did comes back
 * to the loop through a pipe, where the job's done function answers. The
 * loop never waits for a job: a second one while one runs is refused by
 * work_submit and the caller says so (503 with Retry-After).
 */
#ifndef MUNI_GW_WORK_H
#define MUNI_GW_WORK_H

struct event_base;
struct store;
struct work;

/*
 * A job: run(store, arg) on the worker's thread and connection, then
 * done(arg) on the loop. arg is the caller's; the two never run at once.
 */
typedef void	(*work_run_fn)(struct store *, void *);
typedef void	(*work_done_fn)(void *);

/* Over the database at dbpath; the thread starts at once. NULL on error. */
struct work	*work_new(struct event_base *, const char *dbpath,
		    const char **errstr);
/* 0 queued; -1 busy with another job (or the worker is stopping). */
int		 work_submit(struct work *, work_run_fn, work_done_fn,
		    void *arg);
/* 1 while a job is queued, runs, or waits for its done. */
int		 work_busy(const struct work *);
/* Wait for a job that runs, then stop (its done is not called). */
void		 work_free(struct work *);

#endif
