/*
 * writer: the gateway's store writer thread (issue 17). The event loop
 * commits its group commits without waiting for the disk; the writer
 * makes each one durable (fdatasync of the WAL) while the loop goes on
 * sending and reading, and says so back. What a commit promised the SMSC
 * (deliver_sm_resp, a freed window slot, a reply) waits for that word.
 */
#ifndef MUNI_GW_WRITER_H
#define MUNI_GW_WRITER_H

#include <stdint.h>

struct event_base;
struct writer;

/* On the loop: every commit up to ticket is on disk. */
typedef void	(*writer_fn)(void *arg, uint64_t ticket);

/*
 * Start the thread for the database at dbpath whose WAL file is walpath
 * (store_sync_deferred). NULL with *errstr when it cannot start.
 */
struct writer	*writer_new(struct event_base *, const char *dbpath,
		    const char *walpath, writer_fn, void *arg,
		    const char **errstr);
/* Stop the thread (after the last sync asked for); NULL is fine. */
void		 writer_free(struct writer *);
/* Make every commit so far durable; fn(arg, ticket) follows. */
void		 writer_sync(struct writer *, uint64_t ticket);
/* Wait on the loop for ticket (shutdown, a probe): no callback for it. */
void		 writer_wait(struct writer *, uint64_t ticket);
/* Syncs done and their time on the writer, for the metrics. */
uint64_t	 writer_syncs(struct writer *);

#endif
