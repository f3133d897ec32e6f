/*
 * inbox: what residents sent, as the gateway took it from the SMSC — MO
 * SMS (put together when they came in parts) and USSD. A row is committed
 * before the SMSC hears that the message arrived; the services answer it
 * afterwards and mark it processed, so a crash in between loses nothing.
 */
#ifndef MUNI_INBOX_H
#define MUNI_INBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

enum inbox_kind {
	INBOX_SMS,
	INBOX_USSD,
};

struct inbox_msg {
	const char	*source;	/* as the SMSC gave it, "+371…" */
	const char	*dest;
	enum inbox_kind	 kind;
	uint8_t		 data_coding;
	const uint8_t	*body;		/* user data as received */
	size_t		 body_len;
	const char	*text;		/* UTF-8, or NULL when unreadable */
	size_t		 text_len;
};

/* Store m received now; the row id, or -1 (logged). */
int64_t	 inbox_insert(struct store *, const struct inbox_msg *m);

/* One stored SMS that the services have not answered yet. */
struct inbox_row {
	int64_t	 id;
	char	 source[24];
	char	 dest[24];
	time_t	 received_at;
	size_t	 len;
	char	 text[4096];
};

/*
 * Up to max unanswered SMS with ids above after, oldest first. Returns how
 * many, or -1. Text longer than the buffer is cut at a character boundary.
 */
int	 inbox_unprocessed(struct store *, int64_t after,
	    struct inbox_row *rows, int max);
/* Mark id answered (or deliberately left unanswered). 0 or -1. */
int	 inbox_done(struct store *, int64_t id);

#endif
