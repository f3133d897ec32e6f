/*
 * services: the questions a resident can ask and the actions they can take
 * — their children's places in the preschool queue, what they owe, their
 * notification topics, a report to the police or an application — answered
 * as data, for the kiosk, SMS keywords and USSD alike. Nothing here formats
 * for a channel. Names come in the language of i18n_lang(); a child is
 * only ever "Given F." and no answer carries a personal code.
 */
#ifndef MUNI_SERVICES_H
#define MUNI_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "ident.h"

struct config;
struct store;

#define SERVICES_RESIDENTS_MAX	8	/* residents sharing one phone */
#define SERVICES_QUEUE_MAX	16
#define SERVICES_FEES_MAX	16
#define SERVICES_TOPICS_MAX	32
#define SERVICES_NAME_SIZE	128	/* institution, class, topic names */
#define SERVICES_CHILD_SIZE	72	/* "Given F." */
#define SERVICES_CASE_NO_SIZE	24	/* "P-2026-000123" */
#define SERVICES_REPORT_TEXT_MAX 1000	/* characters */
#define SERVICES_REPORT_BYTES_MAX 4000	/* UTF-8 bytes of those */
/* Outbox priority of a police report forwarded to the duty numbers. */
#define SERVICES_POLICE_PRIORITY 10
/* Outbox priority of a case number sent to a kiosk's resident. */
#define SERVICES_CONFIRM_PRIORITY 5

/*
 * Who is asking: the residents registered with one phone (SMS, USSD), or
 * the one resident signed in at a kiosk. nresidents 0: not registered —
 * such a caller is shown nothing about anybody.
 */
struct services_caller {
	char		 phone[IDENT_PHONE_SIZE];	/* E.164, "" none */
	char		 lang[8];	/* "lv" or "en": how to answer */
	size_t		 nresidents;
	int64_t		 resident[SERVICES_RESIDENTS_MAX];
};

/*
 * The residents registered with phone (any form ident_phone_parse takes),
 * lowest id first; lang is the first one's ("lv" unless it is "en").
 * Returns 0 (nresidents may be 0), 1 when phone is not a phone number,
 * -1 on a database error.
 */
int	 services_caller_by_phone(struct store *, const char *phone,
	    struct services_caller *);
/* The one resident id: 0, 1 when there is no such resident, -1. */
int	 services_caller_by_resident(struct store *, int64_t id,
	    struct services_caller *);

/* One child's place in one institution's queue. */
struct services_queue_entry {
	int64_t		 id;
	char		 child[SERVICES_CHILD_SIZE];	/* "Anna B." */
	char		 institution[SERVICES_NAME_SIZE];
	char		 desired_start[8];		/* YYYY-MM */
	char		 start_year[5];
	int64_t		 position;	/* 1 = next to be placed */
	int64_t		 total;		/* active, same institution and year */
	int		 priority;	/* 0: none */
	char		 priority_name[SERVICES_NAME_SIZE];	/* "" none */
};

struct services_queue {
	size_t		 n;
	int		 more;		/* entries beyond SERVICES_QUEUE_MAX */
	struct services_queue_entry e[SERVICES_QUEUE_MAX];
};

/*
 * The active queue entries of the caller's children. Position = 1 + the
 * active entries ahead in the same institution and start year, by
 * priority (higher first), registration time, then id. 0 or -1.
 */
int	 services_queue(struct store *, const struct services_caller *,
	    struct services_queue *);

struct services_fee {
	int64_t		 id;
	int64_t		 resident_id;
	char		 kind[32];		/* "nin", "dog", ... */
	char		 kind_name[SERVICES_NAME_SIZE];	/* as people say it */
	char		 period[32];
	int64_t		 owed_cents;		/* amount - paid, > 0 */
	char		 due_date[11];		/* YYYY-MM-DD */
	int		 overdue;		/* due before today */
	char		 reference[40];		/* RF reference */
};

struct services_fees {
	size_t		 n;
	size_t		 count;		/* all unpaid fees, also those not in f */
	int64_t		 total_owed_cents;	/* of all of them */
	char		 iban[IDENT_IBAN_SIZE];	/* [payments] iban */
	char		 beneficiary[SERVICES_NAME_SIZE];
	struct services_fee f[SERVICES_FEES_MAX];	/* earliest due first */
};

/* The caller's unpaid fees and whom to pay. 0 or -1. */
int	 services_fees(struct store *, const struct config *,
	    const struct services_caller *, struct services_fees *);

struct services_topic {
	int64_t		 id;
	char		 code[32];
	char		 name[SERVICES_NAME_SIZE];
	int		 emergency;	/* cannot be left */
	int		 subscribed;	/* any of the caller's residents */
};

struct services_topics {
	size_t		 n;
	struct services_topic t[SERVICES_TOPICS_MAX];
};

/* Every topic with the caller's state (default_on without a row). 0, -1. */
int	 services_topics(struct store *, const struct services_caller *,
	    struct services_topics *);

/*
 * The topic a resident means by query: its code or its name in either
 * language, ignoring case, diacritics and punctuation; else the one topic
 * whose code or name starts with query (3 characters at least). 0 found,
 * 1 none or ambiguous, -1 database error.
 */
int	 services_topic_find(struct store *, const char *query,
	    struct services_topic *);

enum services_sub {
	SERVICES_SUB_OK,
	SERVICES_SUB_NO_TOPIC,
	SERVICES_SUB_EMERGENCY,		/* emergency topics cannot be left */
	SERVICES_SUB_NOT_REGISTERED,
};

/*
 * Subscribe (on) or unsubscribe every resident of the caller to the topic
 * query names (services_topic_find). Leaving a topic also cancels the
 * queued broadcast messages of that topic to the caller's phone. The topic
 * found goes to *t when t is not NULL. An enum services_sub, or -1.
 */
int	 services_subscribe(struct store *, const struct services_caller *,
	    const char *query, int on, struct services_topic *t);

/*
 * STOP: in one transaction, unsubscribe the caller's residents from every
 * non-emergency topic and cancel the queued broadcast messages to the
 * caller's phone that are not emergencies (also for a phone no resident
 * has: a manual group may hold it). *cancelled gets the number cancelled
 * when not NULL. 0 or -1.
 */
/*
 * START alone: turn back on, for the caller's residents, the topics that
 * STOP alone turned off (and no topic left by name). *restored gets the
 * number of subscriptions turned on. 0 or -1.
 */
int	 services_start_all(struct store *, const struct services_caller *,
	    int64_t *restored);
int	 services_stop_all(struct store *, const struct services_caller *,
	    int64_t *cancelled);

enum services_report_kind {
	SERVICES_REPORT_POLICE,		/* case "P-YYYY-NNNNNN" */
	SERVICES_REPORT_APPLICATION,	/* case "I-YYYY-NNNNNN" */
};

struct services_report {
	enum services_report_kind kind;
	const char	*text;		/* UTF-8, len bytes */
	size_t		 len;
	const char	*channel;	/* "sms", "ussd", "kiosk" */
	/*
	 * What it is about, for staff to sort by: a code of lower-case
	 * letters and '_' (the kiosk's "noise", "waste", "roads",
	 * "lighting"); NULL is "other".
	 */
	const char	*category;
	/*
	 * Police only: where reports are forwarded by SMS, comma-separated
	 * numbers ([services] police_duty_numbers); NULL or "" none.
	 */
	const char	*duty_numbers;
	/*
	 * The caller is not on a phone (the kiosk): when the caller has
	 * one, the case number also goes to it by SMS, in the caller's
	 * language, in the same transaction. The SMS names the case only.
	 */
	int		 confirm_sms;
};

/*
 * File a report from the caller (who may be unregistered: the phone is
 * kept) with the next case number of its kind and year, and forward a
 * police report to the duty numbers (in Latvian), all in one transaction.
 * 0 with case_no set; 1 when the text is refused (*errstr, a msgid: empty,
 * too long, not UTF-8) or the category is not a code; -1 on a database
 * error.
 */
int	 services_report_file(struct store *, const struct services_caller *,
	    const struct services_report *, char case_no[SERVICES_CASE_NO_SIZE],
	    const char **errstr);

/*
 * Fold UTF-8 text for matching what people type: ASCII letters to lower
 * case, Latin letters with diacritics to their base letter (ā→a, Š→s),
 * digits kept, every run of anything else to one space, no space at
 * either end. out always ends in NUL; returns -1 when out was too small.
 */
int	 services_fold(const char *in, size_t len, char *out, size_t size);
/*
 * The folded letter or digit at in (len bytes left), with the bytes it
 * takes in *adv (at least 1); 0 when it is not a letter or digit.
 */
char	 services_fold_char(const char *in, size_t len, size_t *adv);

#endif
