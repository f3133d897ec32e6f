/*
 * broadcast: an SMS to every member of a group. A preview says what a
 * broadcast would do before anything is written: the recipients left after
 * residents without a mobile, opt-outs of the topic and duplicate phones
 * are removed (each counted), the encoding and segments of the texts after
 * personalisation, the cost, the time at the bind's rate and what quiet
 * hours do to it. Sending writes one broadcasts row and its outbox rows in
 * chunked transactions; above the approval threshold the broadcast waits
 * until a different staff member approves it (two-person rule).
 *
 * Placeholders in the text, expanded per recipient (an unknown one is an
 * error; {{ and }} stand for braces):
 *   {given_name}             the resident's given name
 *   {amount} {due_date}      what they owe of the fee kind the group's rule
 *                            names (fee_unpaid/fee_overdue), as 12.34, and
 *                            its first due date, as 31.03.2026
 *   {institution} {position} their first active preschool queue entry (at
 *                            the institution the rule names, if it names
 *                            one): its institution and place in the queue
 * A recipient for whom a placeholder has no value is left out and counted.
 */
#ifndef MUNI_BROADCAST_H
#define MUNI_BROADCAST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "groups.h"
#include "outbox.h"
#include "smstext.h"

struct config;
struct store;

#define BROADCAST_CHUNK_ROWS		10000	/* outbox rows per commit */
/* Bulk waits behind replies and codes; an emergency goes ahead of them. */
#define BROADCAST_PRIORITY		(-1)
#define BROADCAST_EMERGENCY_PRIORITY	5
#define BROADCAST_TOPIC_MAX		32
#define BROADCAST_AHEAD_MAX		(366 * 86400)	/* --at at most */
#define BROADCAST_ERR_SIZE		512

struct broadcast_params {
	enum smstext_policy policy;	/* [sms] encoding */
	const char	*encoding;	/* its name, for the outbox rows */
	int		 max_segments;	/* [sms] max_segments */
	double		 price_per_segment;
	int		 max_tps;	/* [smsc] max_tps */
	int		 quiet_start;	/* minutes after midnight, local; */
	int		 quiet_end;	/* start == end: no quiet hours */
	int64_t		 approval_threshold;	/* recipients */
	size_t		 chunk_rows;
	const char	*default_topic;	/* [broadcast] default_topic; "": none */
};

/* The figures from the configuration, the threshold from its default. */
void	 broadcast_params_init(struct broadcast_params *,
	    const struct config *);

struct broadcast_req {
	int64_t		 group_id;
	const char	*text;		/* the template */
	const char	*topic;		/* NULL: the emergency topic when
					   emergency, else the params'
					   default topic (general
					   announcements), else an error */
	int		 emergency;	/* also implied by an emergency topic */
	time_t		 at;		/* 0: now */
	const char	*actor;		/* who asks (staff user name) */
	/*
	 * Called by broadcast_send inside the transaction that records the
	 * broadcast (the first chunk's), with its id and whether it awaits
	 * approval: what must commit with the record, before the rest of
	 * the recipients are resolved (the API's Idempotency-Key answer, so
	 * a retry meanwhile finds it). 0, or -1 to fail the send. NULL: none.
	 */
	int		(*on_record)(void *arg, struct store *, int64_t id,
			    int awaiting);
	void		*on_record_arg;
};

struct broadcast_preview {
	char		 topic[BROADCAST_TOPIC_MAX + 1];
	int		 emergency;
	int64_t		 members;	/* in the group now */
	int64_t		 no_mobile;	/* no number that takes SMS */
	int64_t		 opted_out;	/* do not receive the topic */
	int64_t		 no_data;	/* a placeholder had no value */
	int64_t		 duplicates;	/* a phone already reached */
	int64_t		 recipients;
	int64_t		 gsm7, ucs2;	/* messages per encoding */
	int		 max_segments;	/* the largest message */
	size_t		 max_bytes;	/* its longest text, in bytes */
	int64_t		 segments;	/* in all */
	double		 cost;
	int64_t		 duration_s;	/* segments at max_tps, no pauses */
	time_t		 start;		/* first send, after --at and quiet */
	time_t		 finish;	/* the last one planned */
	int		 start_moved;	/* quiet hours moved the start */
	int		 quiet_pauses;	/* quiet windows that interrupt it */
	int64_t		 quiet_held;	/* messages sent after such a pause */
	int		 awaiting;	/* send: it waits for approval */
	char		 sample[OUTBOX_TEXT_MAX + 1];	/* first text */
};

/* What would happen. 0, or -1 with err set. */
int	 broadcast_preview(struct store *, const struct broadcast_params *,
	    const struct broadcast_req *, struct broadcast_preview *,
	    char *err, size_t errsize);

/*
 * Send, given the preview the user saw (shown): above the threshold the
 * broadcast is only recorded, awaiting approval (out->awaiting); else its
 * messages are queued and out holds the figures as written. Refuses a
 * preview whose largest text is past [sms] max_segments. Returns the
 * broadcast id, or -1 with err set (then nothing, or nothing more, goes
 * out: a failure half-way cancels what was queued).
 */
int64_t	 broadcast_send(struct store *, const struct broadcast_params *,
	    const struct broadcast_req *, const struct broadcast_preview *shown,
	    struct broadcast_preview *out, char *err, size_t errsize);

/*
 * Approve broadcast id as actor, who must not be its creator, and queue
 * its messages (the group resolved now). 0, or -1 with err set.
 */
int	 broadcast_approve(struct store *, const struct broadcast_params *,
	    int64_t id, const char *actor, struct broadcast_preview *out,
	    char *err, size_t errsize);

/*
 * Cancel broadcast id: its state becomes cancelled and its queued
 * messages too (those in flight or sent stay as they are). The number
 * cancelled goes to *n. 0, or -1 with err set.
 */
int	 broadcast_cancel(struct store *, int64_t id, const char *actor,
	    int64_t *n, char *err, size_t errsize);

struct broadcast_info {
	int64_t		 id;
	int64_t		 group_id;
	char		 group[GROUPS_NAME_MAX + 1];
	char		 topic[BROADCAST_TOPIC_MAX + 1];
	char		 text[OUTBOX_TEXT_MAX + 1];
	int		 emergency;
	char		 state[24];
	time_t		 scheduled_at;	/* 0: as soon as possible */
	int64_t		 recipients;
	int64_t		 segments;
	char		 created_by[GROUPS_ACTOR_MAX + 1];
	char		 approved_by[GROUPS_ACTOR_MAX + 1];
	time_t		 created_at;
	time_t		 updated_at;	/* broadcast_list_since only */
};

/* 0 found, 1 no such broadcast, -1 error. */
int	 broadcast_get(struct store *, int64_t id, struct broadcast_info *);
/* The newest broadcast's id, 0 when there is none, -1 on error. */
int64_t	 broadcast_latest(struct store *);
/* The newest limit broadcasts, newest first; cb returning -1 stops. */
int	 broadcast_list(struct store *, size_t limit,
	    int (*cb)(void *arg, const struct broadcast_info *), void *arg);

/*
 * Broadcasts changed at or after since with an id above after, lowest id
 * first, at most limit: a page of the API's GET /api/v1/broadcasts. 0 or
 * -1 (also when cb returns -1).
 */
int	 broadcast_list_since(struct store *, time_t since, int64_t after,
	    size_t limit, int (*cb)(void *arg, const struct broadcast_info *),
	    void *arg);

/* The outbox states, in the order status reports them. */
#define BROADCAST_NSTATES	9
extern const char *const broadcast_states[BROADCAST_NSTATES];
/* Messages of broadcast id per state (broadcast_states order). 0 or -1. */
int	 broadcast_status(struct store *, int64_t id,
	    int64_t counts[BROADCAST_NSTATES]);

/*
 * Bring broadcast states up to date with their messages: 'sending' once
 * one has gone out, 'done' when none is queued, inflight, or accepted in
 * the last receipt_wait_s seconds (every one delivered, undeliverable,
 * expired, rejected, failed or cancelled, or accepted long enough ago
 * that its receipt is not coming). *changed gets the broadcasts moved.
 * 0 or -1.
 */
int	 broadcast_settle(struct store *, int64_t receipt_wait_s,
	    int64_t *changed);

/*
 * Check a template: its length, UTF-8 and placeholders. 0, or -1 with err
 * set ("unknown placeholder {x} (did you mean {y}?)").
 */
int	 broadcast_check_text(const char *text, char *err, size_t errsize);

/*
 * A send time: "YYYY-MM-DD HH:MM[:SS]" (or with T) in local time, or
 * "HH:MM" (the next such time). Not in the past, at most a year ahead.
 */
int	 broadcast_parse_time(const char *, time_t now, time_t *out,
	    const char **errstr);

/*
 * When a message may go at t: t itself, or the end of the quiet hours t
 * falls in (quiet_start == quiet_end: none).
 */
time_t	 broadcast_quiet_end(time_t t, int quiet_start, int quiet_end);

#endif
