/*
 * ussd: the USSD menu (*505#) as a state machine over the ussd_sessions
 * table: one call per message from the network, one screen back. Main
 * menu 1 queue, 2 payments (a list, then one fee with IBAN, amount and RF
 * reference), 3 notification topics (toggle); 0 ends, 00 goes back, 9
 * pages on. Every screen has at most 5 choices and fits one USSD message
 * in the encoding [sms] encoding yields (182 GSM-7 or 80 UCS-2
 * characters). The SMPP side (ussd_service_op, its_session_info,
 * service_type) is the gateway's; nothing here sends.
 */
#ifndef MUNI_USSD_H
#define MUNI_USSD_H

#include <stddef.h>

struct config;
struct store;

#define USSD_GSM7_MAX		182	/* septets in one USSD string */
#define USSD_UCS2_MAX		80	/* UTF-16 units */
#define USSD_TEXT_SIZE		(USSD_GSM7_MAX * 2 + 1)	/* UTF-8 bytes */
#define USSD_SESSION_MAX	64	/* bytes of a session id */
#define USSD_CHOICES_MAX	5

enum ussd_op {
	USSD_OP_OPEN,		/* PSSR indication (1): the user dialled */
	USSD_OP_ANSWER,		/* USSR confirm (18): the user answered */
	USSD_OP_ABORT,		/* release or a vendor abort: no reply */
};

struct ussd_reply {
	int	 end;	/* 1: PSSR response (17), the session is over;
			   0: USSR request (2), an answer is expected */
	char	 text[USSD_TEXT_SIZE];
};

/*
 * Step the session (from, session) — session is the network's id or ""
 * — with input, the user's answer for USSD_OP_ANSWER. An answer to a
 * session that timed out ([ussd] session_timeout_s) or is unknown starts
 * afresh; a wrong key repeats the screen with a hint. Returns 1 with a
 * reply, 0 when none is due (ABORT), -1 on a database error (the reply
 * then ends the session with an apology).
 */
int	 ussd_handle(struct store *, const struct config *, const char *from,
	    const char *session, enum ussd_op, const char *input, size_t len,
	    struct ussd_reply *);

/* Forget sessions idle longer than [ussd] session_timeout_s. Count, -1. */
int	 ussd_expire(struct store *, const struct config *);

#endif
