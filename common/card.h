/*
 * card: the resident card on a basic phone (issue 21). Partner merchants
 * give discounts to residents of a group (seniors, large families, a
 * parish): an offer names a resident group, so who is entitled is that
 * group's rule, and follows the data. A resident asks for a six-digit code
 * by SMS (KARTE); the cashier sends it from a registered merchant phone
 * (PARBAUDE) and learns whether it is valid, which of the merchant's
 * offers apply and the resident's given name and family initial — never
 * more. Codes are stored as a keyed hash (HMAC-SHA256, card.c), a code works
 * once per merchant a day, and wrong codes lock the merchant phone out as
 * wrong kiosk codes lock a person ([otp] max_attempts, lockout_s). Every
 * check is stored: merchant, code, offers, time; never a personal code.
 * The first merchant brings the topic "atlaides" (off by default) that
 * staff broadcast offers under; a municipality without the card has none.
 */
#ifndef MUNI_CARD_H
#define MUNI_CARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ident.h"

struct config;
struct store;

#define CARD_NAME_MAX		64	/* bytes of a merchant's name */
#define CARD_TERRITORY_MAX	64
#define CARD_ADDRESS_MAX	128
#define CARD_TEXT_MAX		160	/* bytes of an offer's text */
#define CARD_PHONES_MAX		8	/* numbers per merchant */
#define CARD_PHONES_SIZE	(CARD_PHONES_MAX * IDENT_PHONE_SIZE)
#define CARD_GROUP_MAX		64	/* GROUPS_NAME_MAX */
#define CARD_DATE_SIZE		11	/* "YYYY-MM-DD" */
#define CARD_CODE_DIGITS	6
#define CARD_ERR_SIZE		512
#define CARD_NAME_SHOWN_SIZE	(CARD_NAME_MAX + 8)	/* "Anna B." */
#define CARD_OFFERS_MAX		32	/* offers one answer may name */
/* A new code is sent at most once in this long per resident. */
#define CARD_RESEND_S		60
/*
 * A code that expired less than this long ago is told apart from a wrong
 * one (the cashier hears "expired", the phone is not counted against);
 * older ones are forgotten.
 */
#define CARD_GRACE_S		3600

struct card_merchant {
	int64_t		 id;
	char		 name[CARD_NAME_MAX + 1];
	char		 territory[CARD_TERRITORY_MAX + 1];
	char		 address[CARD_ADDRESS_MAX + 1];
	int		 active;
	char		 phones[CARD_PHONES_SIZE];	/* "+371...,+371..." */
	int64_t		 offers;			/* not ended */
};

/*
 * A merchant's fields as given: NULL leaves one as it is (set) or empty
 * (add). phones is a comma-separated list in any form ident_phone_parse
 * takes; each must be able to send an SMS (no landline) and belong to no
 * other merchant.
 */
struct card_merchant_spec {
	const char	*name;		/* set: the new name */
	const char	*phones;
	const char	*territory;
	const char	*address;
	int		 active;	/* set: -1 as it is */
};

/*
 * Add a merchant: 0, or -1 with err set ("a merchant called X exists",
 * a bad phone and which) and nothing written. Audited as actor.
 */
int	 card_merchant_add(struct store *, const char *actor,
	    const struct card_merchant_spec *, char *err, size_t errsize);
/* Change merchant name (phones given replace them all): 0 or -1. */
int	 card_merchant_set(struct store *, const char *actor, const char *name,
	    const struct card_merchant_spec *, char *err, size_t errsize);
/*
 * The merchant called name: 0 found, 1 none (err suggests the nearest
 * name), -1 database error.
 */
int	 card_merchant_find(struct store *, const char *name,
	    struct card_merchant *, char *err, size_t errsize);
/* Every merchant by name; cb returning -1 stops. 0 or -1. */
int	 card_merchant_list(struct store *,
	    int (*cb)(void *, const struct card_merchant *), void *arg);

struct card_offer {
	int64_t		 id;
	char		 merchant[CARD_NAME_MAX + 1];
	char		 group[CARD_GROUP_MAX + 1];	/* "" when removed */
	char		 text_lv[CARD_TEXT_MAX + 1];
	char		 text_en[CARD_TEXT_MAX + 1];	/* "" none */
	char		 from[CARD_DATE_SIZE];		/* "YYYY-MM-DD" */
	char		 to[CARD_DATE_SIZE];
	time_t		 ended_at;			/* 0: not ended */
};

/*
 * An offer's fields as given; NULL: empty (add) or as it is (set). Dates
 * are YYYY-MM-DD, from no later than to; an offer of the same merchant for
 * the same group whose days meet this one's is an error that names it.
 */
struct card_offer_spec {
	const char	*merchant;	/* add only */
	const char	*group;
	const char	*text_lv;
	const char	*text_en;
	const char	*from;
	const char	*to;
};

/* Add an offer: its id, or -1 with err set and nothing written. */
int64_t	 card_offer_add(struct store *, const char *actor,
	    const struct card_offer_spec *, char *err, size_t errsize);
/* Change offer id: 0, or -1 with err set. */
int	 card_offer_set(struct store *, const char *actor, int64_t id,
	    const struct card_offer_spec *, char *err, size_t errsize);
/* End offer id now (it applies no more): 0, or -1 with err set. */
int	 card_offer_end(struct store *, const char *actor, int64_t id,
	    char *err, size_t errsize);
/* Offers (of merchant, or all when NULL) by merchant; 0 or -1 (err). */
int	 card_offer_list(struct store *, const char *merchant,
	    int (*cb)(void *, const struct card_offer *), void *arg,
	    char *err, size_t errsize);

struct card_import_result {
	size_t		 rows;		/* data rows read */
	size_t		 added;
	size_t		 errors;
};

/*
 * CSV imports (UTF-8, a header row, columns by name, extra columns
 * ignored; comma, semicolon or tab), all or nothing: errors go to errout
 * as FILE:LINE:COLUMN lines and nothing is written. Merchants: name,
 * phones (or phone; several separated by '|' or ';' inside the field),
 * territory, address. Offers: merchant, group, text (or text_lv),
 * text_en, from, to. One audit row names the file's count. 0, or -1 with
 * err set.
 */
int	 card_import_merchants(struct store *, const char *actor,
	    const char *path, FILE *errout, struct card_import_result *,
	    char *err, size_t errsize);
int	 card_import_offers(struct store *, const char *actor,
	    const char *path, FILE *errout, struct card_import_result *,
	    char *err, size_t errsize);

/* One offer a resident is entitled to, in the current i18n language. */
struct card_entitled {
	int64_t		 offer_id;
	char		 merchant[CARD_NAME_MAX + 1];
	char		 territory[CARD_TERRITORY_MAX + 1];
	char		 address[CARD_ADDRESS_MAX + 1];
	char		 text[CARD_TEXT_MAX + 1];
	char		 from[CARD_DATE_SIZE];		/* "YYYY-MM-DD" */
	char		 to[CARD_DATE_SIZE];
};

/*
 * The offers in force today that resident_id is entitled to, those in the
 * resident's territory first, then by merchant; at most max into out (*n
 * of them) and *more set when there were others. 0 or -1.
 */
int	 card_entitled(struct store *, int64_t resident_id,
	    struct card_entitled *out, size_t max, size_t *n, int *more);

enum card_issue_result {
	CARD_ISSUED,		/* a new code is on its way */
	CARD_REUSED,		/* one went less than CARD_RESEND_S ago */
	CARD_NO_MOBILE,		/* phone is not a mobile number */
};

/*
 * A new code for resident_id, sent by SMS to phone (the number that asked)
 * in the current i18n language, valid ttl_s: the outbox row is secret
 * (wiped once sent) and expires with the code. issuer names the sender
 * ([municipality] name_genitive). An enum card_issue_result, with
 * *expires_at set for CARD_ISSUED and CARD_REUSED, or -1.
 */
int	 card_issue(struct store *, long ttl_s, const char *issuer,
	    int64_t resident_id, const char *phone, time_t *expires_at);

enum card_check_result {
	CARD_NOT_MERCHANT,	/* the phone is no active merchant's */
	CARD_BAD_CODE,		/* not six digits: nothing counted */
	CARD_VALID,		/* offers apply (out->offers) */
	CARD_NO_OFFER,		/* a good code, but none of the offers */
	CARD_USED,		/* this merchant checked it today already */
	CARD_EXPIRED,		/* it was good, and ran out */
	CARD_WRONG,		/* no such code (out->left tries left) */
	CARD_LOCKED,		/* too many wrong: out->until */
};

struct card_check {
	char		 merchant[CARD_NAME_MAX + 1];
	char		 name[CARD_NAME_SHOWN_SIZE];	/* "Anna B." */
	size_t		 noffers;
	char		 offers[CARD_OFFERS_MAX][CARD_TEXT_MAX + 1];
	int		 left;
	time_t		 until;
};

struct card_check_params {
	int		 max_attempts;	/* [otp] max_attempts */
	long		 lockout_s;	/* [otp] lockout_s */
};

void	 card_check_params_init(struct card_check_params *,
	    const struct config *);

/*
 * The check a cashier sends from phone (E.164) for code (as typed; blanks
 * between digits allowed). Stored (but for CARD_NOT_MERCHANT and
 * CARD_BAD_CODE, which change nothing). An enum card_check_result, or -1.
 */
int	 card_check(struct store *, const struct card_check_params *,
	    const char *phone, const char *code, struct card_check *out);

/* 1 when phone (E.164) is an active merchant's, 0 when not, -1. */
int	 card_merchant_phone(struct store *, const char *phone);

struct card_report {
	int64_t		 merchants;	/* active */
	int64_t		 offers;	/* not ended */
	int64_t		 checks;
	int64_t		 valid;
	int64_t		 checks_since;
};

/* The figures for munictl report; checks_since counts from since. 0/-1. */
int	 card_report(struct store *, time_t since, struct card_report *);

#endif
