/*
 * callback: the durable queue of events (webhooks) for the municipality's
 * own systems (issue 23). An event is queued in the transaction that makes
 * its fact true, once per configured target that wants it: the triggers of
 * the schema queue broadcast.done, case.created and case.changed;
 * callback_message_final() queues message.final for outbox.c and
 * callback_mo() mo.unhandled for keywords.c. The
 * gateway's poster (smsgw/gw_callback.c) claims due rows, posts them and
 * settles them here: done, or failed and retried with backoff until
 * retry_h hours after the first failure. Rows survive a restart; a row
 * caught mid-post is posted again (receivers dedupe by its id).
 */
#ifndef MUNI_CALLBACK_H
#define MUNI_CALLBACK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

/* Event bits, as the schema's triggers test them (migration 8 -> 9). */
#define CALLBACK_MESSAGE_FINAL		0x01
#define CALLBACK_BROADCAST_DONE		0x02
#define CALLBACK_MO_UNHANDLED		0x04
#define CALLBACK_CASE_CREATED		0x08
#define CALLBACK_CASE_CHANGED		0x10
#define CALLBACK_EVENTS_ALL		0x1f

#define CALLBACK_NAME_MAX	24
#define CALLBACK_ERR_SIZE	256

/*
 * A list of event names separated by commas or blanks into a mask. 0, or
 * -1 with the first unknown word in bad.
 */
int	 callback_events_parse(const char *list, unsigned *mask, char *bad,
	    size_t badsize);
/* "message.final" for CALLBACK_MESSAGE_FINAL; "?" for anything else. */
const char *callback_event_name(unsigned bit);

/* A configured target: a name and the events it wants. */
struct callback_target {
	const char	*name;
	unsigned	 events;
};

/*
 * Make the targets the store queues events for exactly these (the
 * gateway, at start and on reload). 0 or -1.
 */
int	 callback_set_targets(struct store *, const struct callback_target *,
	    size_t n);

/*
 * Message id has just reached its final state (delivered, undeliverable,
 * expired, rejected, failed): queue message.final inside the caller's
 * transaction. No statement runs when no target wants it. 0 or -1.
 */
int	 callback_message_final(struct store *, int64_t id);

/*
 * An MO text no keyword answers, or a report (case_no set): queue
 * mo.unhandled inside the caller's transaction. resident_id 0 when the
 * phone is nobody's. 0 or -1.
 */
int	 callback_mo(struct store *, const char *phone, int64_t resident_id,
	    const char *text, size_t len, const char *case_no);
/*
 * A text the per-phone reply limit silenced (keywords.c): mo.unhandled
 * with "limited": true, so the municipality still sees what was written
 * though nobody answered it. 0 or -1.
 */
int	 callback_mo_limited(struct store *, const char *phone,
	    int64_t resident_id, const char *text, size_t len);

/* A claimed row: the poster owns payload (callback_row_clear frees it). */
struct callback_row {
	int64_t		 id;
	char		 target[CALLBACK_NAME_MAX + 1];
	char		 event[24];
	char		*payload;
	int		 attempts;	/* this one included */
};

/* Rows caught mid-post by a stop go back to the queue. 0 or -1. */
int	 callback_recover(struct store *);
/*
 * Up to max due rows, marked as being sent, at most one a target and
 * subject (a message, a case) so each one's events go in order. The
 * number of rows, or -1.
 */
int	 callback_claim(struct store *, time_t now, struct callback_row *,
	    int max);
void	 callback_row_clear(struct callback_row *);
/* Seconds before attempt n + 1 when attempt n failed: 5 s doubling, 1 h cap. */
time_t	 callback_backoff(int attempts);
int	 callback_done(struct store *, int64_t id, time_t now);
/*
 * A failed attempt: back to the queue after the backoff, or failed for
 * good once retry_h hours have passed since the first failure (*gave_up
 * set). 0 or -1.
 */
int	 callback_failed(struct store *, int64_t id, time_t now, int retry_h,
	    int attempts, const char *why, int *gave_up);
/* Failed for good now (the target is no longer configured). 0 or -1. */
int	 callback_give_up(struct store *, int64_t id, time_t now,
	    const char *why);
/* Forget rows delivered before before. The number gone, or -1. */
int64_t	 callback_prune(struct store *, time_t before);
/* How many rows are in state ("pending", "failed", ...), or -1. */
int64_t	 callback_count(struct store *, const char *state);

struct callback_info {
	int64_t	 id;
	char	 target[CALLBACK_NAME_MAX + 1];
	char	 event[24];
	char	 subject[64];
	char	 state[12];
	int	 attempts;
	time_t	 next_at;
	time_t	 created_at;
	char	 last_error[200];
};

/* Rows newest first, of state (NULL: all), at most limit. 0 or -1. */
int	 callback_list(struct store *, const char *state, long long limit,
	    int (*cb)(void *, const struct callback_info *), void *arg);
/*
 * Post row id again now, from a fresh retry window (id 0: every failed
 * row); *n how many. Audited. 0, or -1 with err.
 */
int	 callback_retry(struct store *, const char *actor, int64_t id,
	    int64_t *n, char *err, size_t errsize);
/* Forget row id unposted. Audited. 0, or -1 with err. */
int	 callback_drop(struct store *, const char *actor, int64_t id,
	    char *err, size_t errsize);

#endif
