/*
 * payments: what a resident pays and what the bank says was paid. A fee is
 * found by its id or reference; its EPC payload asks for what is still
 * owed; a credit from a bank statement is booked against a fee (or kept as
 * unmatched for staff), and a fee that becomes paid sends an SMS receipt.
 */
#ifndef MUNI_PAYMENTS_H
#define MUNI_PAYMENTS_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

#define PAYMENTS_REF_SIZE	40	/* RF (25) or own reference (35) */

struct payments_fee {
	int64_t		 id;
	int64_t		 resident_id;
	int64_t		 amount_cents;
	int64_t		 paid_cents;
	char		 kind[32];
	char		 period[32];
	char		 reference[PAYMENTS_REF_SIZE];
	/* Where its receipt goes. */
	char		 phone[24];	/* E.164, "" none */
	int		 phone_kind;	/* enum ident_phone_kind, -1 unknown */
	char		 lang[8];
	int		 receipts;	/* 0: the resident left "receipts" */
};

/*
 * Find a fee by key: its numeric id, its RF reference (any case, spaces
 * allowed) or its own reference. A fee without a reference gets its RF
 * reference stored now. 0 found, 1 no such fee, -1 database error.
 */
int	 payments_fee_find(struct store *, const char *key,
	    struct payments_fee *);
/* Exactly by stored reference: 0 found, 1 none, -1 database error. */
int	 payments_fee_by_ref(struct store *, const char *ref,
	    struct payments_fee *);
/* What is still owed (0 when paid, never negative). */
int64_t	 payments_owed(const struct payments_fee *);

/* Whom residents pay: [payments] of the configuration. */
struct payments_payee {
	const char	*name;		/* full name, for text */
	const char	*short_name;	/* "" or NULL: cut name if needed */
	const char	*iban;
	const char	*bic;		/* "" or NULL: none */
};

void	 payments_payee_from_config(const struct config *,
	    struct payments_payee *);

/*
 * The EPC payload for what fee still owes: the full form (BIC and full
 * name) when max_len is 0, else the shortest valid form of at most max_len
 * bytes. An RF reference goes in the structured field, an own reference in
 * the unstructured one. No trailing newline. -1 with *errstr (a msgid)
 * when the fee is paid or the payload cannot be built or does not fit.
 */
int	 payments_epc(const struct payments_fee *,
	    const struct payments_payee *, size_t max_len, char *buf,
	    size_t size, size_t *len, const char **errstr);


enum payments_status {
	PAYMENTS_MATCHED,	/* paid exactly what was owed */
	PAYMENTS_PARTIAL,	/* the rest is still owed */
	PAYMENTS_OVER,		/* more than was owed */
	PAYMENTS_UNMATCHED,	/* no fee, or not in EUR */
	PAYMENTS_DUPLICATE,	/* this entry was booked before */
};

/* One credit from a bank statement. */
struct payments_credit {
	const char	*entry_ref;	/* unique per bank entry */
	int64_t		 cents;
	const char	*currency;
	const char	*booked_on;	/* YYYY-MM-DD */
	const struct payments_fee *fee;	/* as just looked up; NULL: none */
	const char	*reference;	/* as found, or NULL */
	const char	*debtor;	/* NULL if none */
	const char	*info;		/* remittance text, NULL if none */
};

/*
 * Book c inside the caller's transaction: a payment row (nothing when its
 * entry_ref is known: PAYMENTS_DUPLICATE), the fee's paid amount (c->fee
 * must be fresh from payments_fee_by_ref() or _find()), and,
 * when the fee becomes paid, a receipt in the outbox in the resident's
 * language (unless they have no mobile phone or left topic "receipts").
 * A credit in another currency than EUR is never booked against a fee.
 * *receipt is set to 1 when a receipt was queued. 0 or -1 (database).
 */
int	 payments_book(struct store *, const struct payments_credit *c,
	    enum payments_status *status, int *receipt);

/* A payment nobody could match, for staff; strings live for the callback. */
struct payments_unmatched {
	int64_t		 id;
	const char	*booked_on;
	int64_t		 cents;
	const char	*currency;
	const char	*reference;	/* "" if none */
	const char	*debtor;	/* "" if none */
	const char	*info;		/* "" if none */
	const char	*entry_ref;
	const char	*reason;	/* translated */
};

/* Call fn for each unmatched payment, oldest first. Count or -1. */
long	 payments_unmatched(struct store *,
	    void (*fn)(const struct payments_unmatched *, void *), void *arg);

struct payments_summary {
	long		 count[4];	/* by PAYMENTS_MATCHED .. UNMATCHED */
	int64_t		 cents[4];	/* EUR only */
	long		 unpaid_fees;
	int64_t		 owed_cents;
};

int	 payments_summary(struct store *, struct payments_summary *);

#endif
