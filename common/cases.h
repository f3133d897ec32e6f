/*
 * cases: the police reports and applications residents file (by SMS or
 * at a kiosk, services_report_file), as the municipality's staff work
 * them: the newest first, one case whole, and its status as it moves from
 * new to done. Residents learn their own cases' status and nothing of
 * anybody else's (cases_mine_*).
 */
#ifndef MUNI_CASES_H
#define MUNI_CASES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ident.h"
#include "services.h"

struct store;

/* The statuses, in the order a case moves through them. */
#define CASES_NSTATUSES	4
extern const char *const cases_statuses[CASES_NSTATUSES];

struct cases_row {
	int64_t		 id;
	char		 case_no[SERVICES_CASE_NO_SIZE];
	char		 kind[16];		/* police, application */
	char		 category[33];
	char		 channel[8];		/* sms, ussd, kiosk */
	char		 status[16];
	char		 phone[IDENT_PHONE_SIZE];	/* "" none */
	int64_t		 resident_id;		/* 0: not registered */
	char		 resident[128];		/* the name, "" none */
	time_t		 created_at;
	char		 text[SERVICES_REPORT_BYTES_MAX + 1];
};

/*
 * The newest limit cases, newest first, of status and kind (NULL: any);
 * cb returning -1 stops. 0, or -1 on a database error.
 */
int	 cases_list(struct store *, const char *status, const char *kind,
	    size_t limit, int (*cb)(void *arg, const struct cases_row *),
	    void *arg);
/* One case by its number: 0, 1 when there is none, -1 on error. */
int	 cases_get(struct store *, const char *case_no, struct cases_row *);
/*
 * Move case_no to status, with an audit row naming actor: 0; 1 when the
 * case or the status is unknown (*errstr, a msgid); -1 on a database error.
 */
int	 cases_set_status(struct store *, const char *case_no,
	    const char *status, const char *actor, const char **errstr);
/* 1 when s is one of cases_statuses. */
int	 cases_status_valid(const char *s);

/*
 * What a resident may learn of their own case (issue 21: STATUSS by SMS,
 * USSD, the kiosk's "Mani iesniegumi"): its number, kind, status and the
 * time of its last change. Nothing of it is ever told to anybody else,
 * not even that the number exists.
 */
struct cases_mine {
	char		 case_no[SERVICES_CASE_NO_SIZE];
	char		 kind[16];
	char		 status[16];
	time_t		 changed_at;	/* the status set, else filed */
};

#define CASES_MINE_MAX	32	/* cases a list shows, newest first */

/*
 * A case number as typed ("p-2026-000123", blanks around it) into
 * "P-2026-000123": 0, or -1 when it is not one (a letter P or I, a dash,
 * four digits of a year, a dash, six to nine digits).
 */
int	 cases_no_parse(const char *in, size_t len, char *out, size_t size);
/*
 * Case case_no when one of the caller's residents filed it: 0 with *out
 * set; 1 when there is no such case or it is somebody else's (the caller
 * cannot tell which); -1 on a database error.
 */
int	 cases_mine_get(struct store *, const struct services_caller *,
	    const char *case_no, struct cases_mine *out);
/*
 * The newest cases the caller's first resident filed, at most max into
 * out (*n), *more set when there are others: 0 or -1.
 */
int	 cases_mine_list(struct store *, const struct services_caller *,
	    struct cases_mine *out, size_t max, size_t *n, int *more);
/* A status as residents read it, in the current language. */
const char *cases_status_text(const char *status);

/*
 * The resident's SMS when staff move a case (issue 21): under topic
 * CASES_TOPIC (made on first use, on by default), in the resident's
 * language, held past [sms] quiet_hours, with staff's note bounded so the
 * message fits CASES_SMS_SEGMENTS in either language. Never the case's
 * text, the resident's name or personal code.
 */
#define CASES_TOPIC		"iesniegumi"
#define CASES_NOTE_MAX		300	/* bytes of staff's note */
#define CASES_SMS_SEGMENTS	3
#define CASES_SMS_VALIDITY_S	(3 * 86400)
#define CASES_ERR_SIZE		256

/* What became of the resident's SMS; the audit row says the same. */
enum cases_sms {
	CASES_SMS_QUEUED,	/* in the outbox (after quiet hours) */
	CASES_SMS_NONE,		/* 'new', or the status it had: no news */
	CASES_SMS_NO_RESIDENT,	/* filed from a number no resident has */
	CASES_SMS_NO_PHONE,	/* the resident has no mobile number */
	CASES_SMS_UNSUBSCRIBED,	/* topic off (by name, or STOP for all) */
};

struct cases_notify {
	const char	*note;		/* NULL or "": none */
	const char	*encoding;	/* [sms] encoding; NULL auto */
	int		 quiet_start;	/* [sms] quiet_hours, minutes; */
	int		 quiet_end;	/* equal: none */
};

/*
 * cases_set_status, and the resident told as above, in one transaction:
 * 0 with *sms set (and *outbox_id when queued); 1 for bad input (an
 * unknown case or status, a note too long or not plain text) with err
 * saying which, nothing changed; -1 on a database error (err says it).
 */
int	 cases_set_status_notify(struct store *, const char *case_no,
	    const char *status, const struct cases_notify *,
	    const char *actor, enum cases_sms *sms, int64_t *outbox_id,
	    char *err, size_t errsize);
/* "queued", "none", "no_resident", "no_phone", "unsubscribed". */
const char *cases_sms_name(enum cases_sms);

#endif
