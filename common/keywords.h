/*
 * keywords: the SMS keyword front end as one function from a received
 * text to the reply text — RINDA, MAKSA, TEMAS, START/STOP, POLICIJA,
 * IESNIEGUMS, PALĪDZĪBA, the resident card's ATLAIDES, KARTE and
 * PĀRBAUDE, and their English aliases — over common/services and card.
 * The gateway owns the transport: it stores the MO, calls keywords_handle
 * and puts the reply in the outbox. Nothing here sends or listens.
 */
#ifndef MUNI_KEYWORDS_H
#define MUNI_KEYWORDS_H

#include <stddef.h>

#include "ident.h"
#include "outbox.h"
#include "services.h"

struct config;
struct store;

/* A reply buffer of this size always suffices. */
#define KEYWORDS_REPLY_SIZE	(OUTBOX_TEXT_MAX + 1)
/* Received text beyond this many bytes is not looked at. */
#define KEYWORDS_TEXT_MAX	8192
#define KEYWORDS_LIMITER_SLOTS	4096	/* numbers remembered by default */

enum keywords_cmd {
	KEYWORDS_NONE,		/* nothing was parsed (silenced sender) */
	KEYWORDS_QUEUE,		/* RINDA, QUEUE */
	KEYWORDS_FEES,		/* MAKSA, NODOKLI, PARADS, PAY, FEES */
	KEYWORDS_TOPICS,	/* TEMAS, TOPICS */
	KEYWORDS_START,		/* START <topic> */
	KEYWORDS_STOP,		/* STOP <topic> */
	KEYWORDS_STOP_ALL,	/* STOP alone (or STOP VISUS, STOP ALL) */
	KEYWORDS_POLICE,	/* POLICIJA, POLICE <text> */
	KEYWORDS_APPLICATION,	/* IESNIEGUMS, APPLICATION <text> */
	KEYWORDS_HELP,		/* PALĪDZĪBA, HELP, ? */
	KEYWORDS_DISCOUNTS,	/* ATLAIDES, DISCOUNTS */
	KEYWORDS_CARD,		/* KARTE, CARD: a code by its own SMS */
	KEYWORDS_CHECK,		/* PĀRBAUDE, CHECK <code>: merchants */
	KEYWORDS_STATUS,	/* STATUSS, STATUS <case number> */
	KEYWORDS_UNKNOWN,	/* anything else: the short help */
};

enum keywords_silence {
	KEYWORDS_ANSWERED,
	KEYWORDS_SILENT_SENDER,		/* alphanumeric, short code, landline */
	KEYWORDS_SILENT_RECEIPT,	/* text shaped like a delivery receipt */
	KEYWORDS_SILENT_LIMIT,		/* over the replies per hour */
	KEYWORDS_SENT_APART,		/* the answer went as its own SMS
					   (KARTE's secret code) */
};

/*
 * Replies per number per hour, in memory: the gateway is one process
 * that holds it for its lifetime. An hour counts from a number's first
 * reply; when all slots are busy the oldest window is forgotten.
 */
struct keywords_limiter;

/* per_hour >= 1 ([services] replies_per_hour); slots 0: the default. */
struct keywords_limiter *keywords_limiter_new(int per_hour, size_t slots);
void	 keywords_limiter_free(struct keywords_limiter *);

struct keywords_opts {
	/* [services] police_duty_numbers: comma-separated; NULL none. */
	const char	*duty_numbers;
	struct keywords_limiter *limiter;	/* NULL: no limit */
};

struct keywords_result {
	enum keywords_cmd cmd;
	enum keywords_silence silence;
	int		 registered;	/* the number has residents */
	char		 lang[8];	/* of the reply */
	char		 case_no[SERVICES_CASE_NO_SIZE];	/* filed reports */
	size_t		 segments;	/* of the reply under [sms] encoding */
};

/*
 * Answer text (len bytes of UTF-8) from the number from. Returns 1 with
 * the reply in reply (size bytes, KEYWORDS_REPLY_SIZE always enough), 0
 * when nothing must be sent (res->silence says why), -1 on a database
 * error: reply then holds an apology the caller may send, and the message
 * may be tried again. STOP is honoured even when the number is over its
 * limit. res may be NULL.
 */
int	 keywords_handle(struct store *, const struct config *,
	    const char *from, const char *text, size_t len,
	    const struct keywords_opts *, char *reply, size_t size,
	    struct keywords_result *res);

/*
 * The command of text, ignoring case, diacritics and the punctuation
 * around it; *arg and *arglen get what follows it (trimmed, pointing
 * into text).
 */
enum keywords_cmd keywords_parse(const char *text, size_t len,
	    const char **arg, size_t *arglen);
/*
 * 0 when from is a number a reply can reach (E.164 into out); -1 for an
 * alphanumeric sender, a short code (6 digits or fewer), a landline or
 * anything that is not a phone number.
 */
int	 keywords_sender(const char *from, char out[IDENT_PHONE_SIZE]);
/* 1 when text looks like a delivery receipt ("id:... stat:..."). */
int	 keywords_is_receipt(const char *text, size_t len);
/* "queue", "fees", ... for log lines and metrics. */
const char *keywords_cmd_name(enum keywords_cmd);

#endif
