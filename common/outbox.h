/*
 * outbox: the durable queue of outbound SMS. Every producer — munictl, the
 * kiosk, broadcasts, payment receipts, resident-service replies — writes a
 * row here and the gateway sends it; a committed row is never lost.
 */
#ifndef MUNI_OUTBOX_H
#define MUNI_OUTBOX_H

#include <stdint.h>
#include <time.h>

struct store;

#define OUTBOX_TEXT_MAX		1600	/* bytes of UTF-8 in one message */
#define OUTBOX_VALIDITY_MAX	(7 * 86400)

struct outbox_msg {
	const char	*phone;		/* any form ident_phone_parse takes */
	const char	*text;		/* UTF-8 */
	const char	*encoding;	/* NULL: [sms] encoding; or auto,
					   ucs2, translit */
	long		 validity_s;	/* 0: none; else expires after */
	time_t		 not_before;	/* 0: now */
	int		 priority;	/* higher first; OTPs above others */
	const char	*topic;		/* NULL for direct messages */
	int64_t		 resident_id;	/* 0: unknown */
	int64_t		 broadcast_id;	/* 0: none */
	int		 max_segments;	/* 0: no limit checked here */
};

/*
 * The one gate into the outbox. Every check a message must pass is made
 * here, in this order (the order the producers reported them in before
 * they shared it): the encoding name, the text as smstext analyses it,
 * its segments against max_segments, the phone, the text's length, the
 * validity. A refusal names the field, so a caller answers in its own
 * form (a CLI line, a JSON error code, an import's LINE:COLUMN) without
 * reading the message.
 */
enum outbox_field {
	OUTBOX_FIELD_NONE,		/* accepted */
	OUTBOX_FIELD_ENCODING,		/* not a policy smstext knows */
	OUTBOX_FIELD_TEXT,		/* empty, too long, not UTF-8, NUL */
	OUTBOX_FIELD_SEGMENTS,		/* past max_segments */
	OUTBOX_FIELD_PHONE,		/* missing, malformed, fixed line */
	OUTBOX_FIELD_VALIDITY,		/* outside 0-OUTBOX_VALIDITY_MAX */
	OUTBOX_FIELD_STORE,		/* the database failed, not the text */
};

struct outbox_why {
	enum outbox_field field;
	const char	*msg;		/* N_() text: show it with _() */
	size_t		 segments;	/* OUTBOX_FIELD_SEGMENTS: needed */
};

/*
 * Check m and append it to the outbox inside the caller's transaction
 * (or its own). Returns the message id, or -1 with why filled in.
 */
int64_t	 outbox_enqueue_why(struct store *, const struct outbox_msg *m,
	    struct outbox_why *why);
/*
 * The same for producers whose text is their own (codes, receipts,
 * replies), which only log a refusal: -1 with *errstr set.
 */
int64_t	 outbox_enqueue(struct store *, const struct outbox_msg *m,
	    const char **errstr);

/*
 * What differs between the messages of a batch (a broadcast's): the
 * rest comes from the batch's shared outbox_msg. segments is the
 * caller's analysis of text under the shared encoding (a broadcast
 * remembers it per placeholder value), checked against max_segments;
 * analysis has also found the text UTF-8, which is not checked again.
 */
struct outbox_item {
	const char	*phone;		/* E.164 */
	const char	*text;		/* UTF-8, len bytes, NUL after */
	size_t		 len;
	time_t		 not_before;
	int64_t		 resident_id;	/* 0: unknown */
	int		 segments;
};

/*
 * Append n messages that share shared's encoding, priority, topic and
 * broadcast (its phone and text are unused; validity must be 0) inside
 * the caller's transaction, sixteen rows to a statement; phones are
 * written as E.164. 0, or -1 with why filled in and *bad (may be NULL)
 * the index of the item refused; rows before it may be written: the
 * caller rolls its transaction back.
 */
int	 outbox_enqueue_batch(struct store *, const struct outbox_msg *shared,
	    const struct outbox_item *items, size_t n, struct outbox_why *why,
	    size_t *bad);

struct outbox_status {
	char	 state[16];
	char	 phone[17];
	char	 message_id[65];
	int	 attempts;
	int	 status_code;	/* last SMPP command_status, -1 none */
	time_t	 created_at;
	time_t	 updated_at;
	time_t	 valid_until;	/* 0: none */
};

/* Where message id stands: 0 found, 1 no such message, -1 error. */
int	 outbox_status(struct store *, int64_t id, struct outbox_status *);

struct outbox_part_info {
	int	 part;			/* 1-based */
	char	 message_id[65];
	char	 state[16];
	time_t	 updated_at;
};

/*
 * The parts the SMSC took of message id, in order, into parts (at most
 * max). Returns how many, or -1.
 */
int	 outbox_parts(struct store *, int64_t id, struct outbox_part_info *,
	    int max);

/*
 * The gateway's state machine over the same rows:
 *
 *   queued -> inflight (claimed: bind, first sequence, attempts + 1)
 *   inflight -> accepted (every part has an SMSC message id)
 *   inflight -> queued (transient: throttled, queue full, system error,
 *       ESME_RX_T_APPN, no response, link lost; not_before pushed back)
 *   inflight -> rejected (the SMSC refused it) | failed (we gave up)
 *   accepted -> delivered | undeliverable | expired | rejected (receipts:
 *       delivered when every part is, else the worst part decides)
 *   queued -> expired (its validity passed before it was sent)
 *
 * Every function works inside the caller's transaction (the gateway's
 * group commit) or its own, and logs a database error before returning -1.
 */

/* Not SMPP command_status values: what status_code records otherwise. */
#define OUTBOX_STATUS_TIMEOUT	0x10000	/* no response in time */
#define OUTBOX_STATUS_LINK	0x10001	/* the link went down first */
#define OUTBOX_STATUS_ENCODE	0x10002	/* the text cannot be sent */

/* Attempts after which a transient failure becomes final. */
#define OUTBOX_ATTEMPTS_MAX	12
/* Concatenated parts the state machine tracks (smstext's cap). */
#define OUTBOX_PARTS_MAX	16
/* Receipts never matched are forgotten after this long. */
#define OUTBOX_PENDING_KEEP_S	(7 * 86400)
/* Rows receipts_pending keeps at most (outbox_cap_pending). */
#define OUTBOX_PENDING_MAX	10000

/*
 * At start: rows a crash left inflight go back to queued. They may have
 * reached the SMSC, so a few are sent twice (at most the window); none is
 * lost. Returns how many, or -1. On PostgreSQL, where several gateways
 * may share the outbox (issue 19), only this node's rows and those whose
 * lease lapsed: never what another live node has inflight.
 */
int64_t	 outbox_recover(struct store *);

/*
 * This gateway's name among several on one PostgreSQL database ([smsgw]
 * node) and how long its claims hold (lease_s): a claim marks the rows it
 * takes with both, so that the other nodes leave them alone until the
 * lease lapses. Call once at start, before the first claim. SQLite has
 * one gateway and no leases.
 */
#define OUTBOX_NODE_MAX	63
void	 outbox_set_node(const char *node, int lease_s);
const char *outbox_node(void);
/*
 * Every lease_s / 3 on PostgreSQL: renew this node's leases, and queue
 * again the inflight rows of nodes whose lease lapsed (a node that died).
 * Returns how many rows were taken over (0 on SQLite), or -1.
 */
int64_t	 outbox_lease_tick(struct store *, time_t now);

/* A row claimed for sending; text is a copy the caller owns. */
struct outbox_row {
	int64_t	 id;
	char	 phone[17];
	char	 encoding[12];
	int	 attempts;	/* before this one */
	int	 priority;
	time_t	 valid_until;	/* 0: none */
	size_t	 len;
	char	 text[OUTBOX_TEXT_MAX + 1];
};

/*
 * Up to max ready rows (queued, not_before <= now), highest priority first,
 * then oldest not_before. Rows whose validity has passed become 'expired'
 * and are counted in *nexpired, never returned. The rows stay queued until
 * outbox_inflight. *next_due gets the earliest not_before still in the
 * future (0 when none) of the priorities looked at: all of them when
 * fewer than max rows were found. Returns the number of rows, or -1.
 */
int	 outbox_claim(struct store *, time_t now, struct outbox_row *rows,
	    int max, int *nexpired, time_t *next_due);
/*
 * Queued rows of priority prio due before until wait for it (not_before =
 * until, still queued): the gateway's quiet hours, whoever queued them and
 * with whatever not_before. Returns how many, or -1.
 */
int64_t	 outbox_hold(struct store *, int prio, time_t now, time_t until);
/*
 * Mark a claimed row inflight on bind with the sequence number of its
 * first submit_sm. 0, 1 when the row is no longer queued (cancelled
 * meanwhile: do not send it), -1.
 */
int	 outbox_inflight(struct store *, int64_t id, const char *bind,
	    uint32_t seq);
/* Parts (bit part - 1) the SMSC already took in an earlier attempt. */
int	 outbox_parts_taken(struct store *, int64_t id, uint32_t *mask);
/*
 * The SMSC took part (1-based) of the nparts of message id and called it
 * msgid (normalised). A message of one part is accepted with it, its id
 * kept in outbox.message_id; a part of a longer one waits in outbox_parts
 * for outbox_accepted. A receipt that came first is applied now. 0 or -1.
 */
int	 outbox_part_accepted(struct store *, int64_t id, int part,
	    int nparts, const char *msgid);
/*
 * The same within receipt group (NULL: none, as above). *reused (may be
 * NULL) is set to 1 when msgid already belonged to another open message
 * or part of the group: the SMSC handed it out twice, and only a
 * receipt's phone can tell the two apart.
 */
int	 outbox_part_accepted_in(struct store *, int64_t id, int part,
	    int nparts, const char *group, const char *msgid, int *reused);
/*
 * Every part of concatenated message id is accepted: the message is too,
 * and receipts that already came for its parts settle its final state.
 * 0 or -1.
 */
int	 outbox_accepted(struct store *, int64_t id);
/*
 * A transient failure (status as above): back to queued, sendable from
 * now + backoff_s; 'failed' when attempts reached OUTBOX_ATTEMPTS_MAX.
 * Returns 0 requeued, 1 failed, -1.
 */
int	 outbox_retry(struct store *, int64_t id, uint32_t status,
	    int attempts, long backoff_s);
/* A final failure: state "rejected" or "failed" with status. 0 or -1. */
int	 outbox_finish(struct store *, int64_t id, const char *state,
	    uint32_t status);

enum outbox_receipt_state {
	OUTBOX_RCPT_NONE,		/* intermediate (enroute, accepted) */
	OUTBOX_RCPT_DELIVERED,
	OUTBOX_RCPT_UNDELIVERABLE,
	OUTBOX_RCPT_EXPIRED,
	OUTBOX_RCPT_REJECTED,
};

enum outbox_receipt_result {
	OUTBOX_RCPT_ERROR = -1,
	OUTBOX_RCPT_MATCHED,		/* a part's state was set */
	OUTBOX_RCPT_PENDING,		/* no such id yet: kept for later */
	OUTBOX_RCPT_DUPLICATE,		/* that part had its final state */
	OUTBOX_RCPT_AMBIGUOUS,		/* several open messages fit: none set */
};

/* SMPP message_state (1-8) to a receipt state. */
enum outbox_receipt_state outbox_receipt_state(int smpp_state);
const char *outbox_receipt_name(enum outbox_receipt_state);

/*
 * A final receipt for msgid (normalised): the part's state, then the
 * message's when that settles it. A receipt for an id not known yet is
 * kept in receipts_pending until its submit_sm_resp is stored.
 */
enum outbox_receipt_result outbox_receipt(struct store *, const char *msgid,
	    enum outbox_receipt_state, int error);

/* What a receipt says about the message it is for. */
struct outbox_rcpt_key {
	const char	*group;		/* the bind's receipt group; NULL any */
	const char	*msgid;		/* normalised */
	const char	*phone;		/* its source_addr; NULL or "" unknown */
	time_t		 submitted;	/* its "submit date", 0 unknown */
};

/*
 * A final receipt matched on (group, id) and, where the receipt carries
 * them, the phone and the submit date: it settles only an open message or
 * part that fits. When several still fit it settles none, puts two of
 * their outbox ids in fits (unless NULL), for the caller to log, and
 * returns OUTBOX_RCPT_AMBIGUOUS.
 */
enum outbox_receipt_result outbox_receipt_in(struct store *,
	    const struct outbox_rcpt_key *, enum outbox_receipt_state,
	    int error, int64_t fits[2]);
/*
 * 1 when two spellings of a phone number are the same number: the same
 * digits, or one the national tail of the other ("29123456",
 * "37129123456", "+37129123456").
 */
int	 outbox_phone_same(const char *a, const char *b);
/* Forget pending receipts received before `before`. Count or -1. */
int64_t	 outbox_prune_pending(struct store *, time_t before);
/*
 * Keep the newest max pending receipts and forget the rest: a storm of
 * receipts for ids nobody sent must not grow the table without end.
 * Count forgotten, or -1.
 */
int64_t	 outbox_cap_pending(struct store *, int max);

/*
 * An SMSC message id in one canonical form, so that submit_sm_resp and
 * receipts meet: lower case, leading zeros of a hexadecimal id dropped.
 * decimal: in is a decimal number standing for the hexadecimal id (SMSCs
 * that answer in hex and report in decimal). Returns -1 when empty or
 * too long.
 */
int	 outbox_msgid_norm(const char *in, int decimal, char *out,
	    size_t size);

/* 1 when an SMPP command_status (or OUTBOX_STATUS_*) is worth a retry. */
int	 outbox_transient(uint32_t status);
/* Seconds to wait before attempt attempts + 1 after status. */
long	 outbox_backoff(uint32_t status, int attempts);

/*
 * Settings for the gateway's own connection: a 32 MiB page cache and a
 * WAL checkpoint every 8192 pages. Durability is unchanged. 0 or -1.
 */
int	 outbox_gateway_tune(struct store *);

/* Rows queued now (the queue depth), or -1. */
int64_t	 outbox_queued(struct store *);
/*
 * PRAGMA data_version: changes when another connection commits, so the
 * gateway sees rows written by munictl or the kiosk. -1 on error.
 */
int64_t	 outbox_data_version(struct store *);

#endif
