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
};

/*
 * Validate m and append it to the outbox inside the caller's transaction
 * (or its own). Returns the message id, or -1 with *errstr set.
 */
int64_t	 outbox_enqueue(struct store *, const struct outbox_msg *m,
	    const char **errstr);

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

#endif
