/*
 * fees: what residents owe. The fee rows live here: a resident's unpaid
 * fees, a fee imported or made up for the demo, a payment added to one, the
 * RF reference a fee gets when its import brought none, and what fee kinds
 * are called. Payments (payments.c) and the fronts (services.c) read and
 * write fees only through these calls.
 */
#ifndef MUNI_FEES_H
#define MUNI_FEES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ident.h"

struct store;

/*
 * The RF reference of fee id: its id as ten digits, so it is short (a
 * small QR code) and the same every time the fee is shown.
 */
void	fees_reference_for_id(int64_t id, char out[IDENT_RF_SIZE]);

/*
 * The fee kind as people say it, in the current language: "nin" is the
 * real-estate tax; an unknown kind is shown as its code.
 */
const char *fees_kind_name(const char *kind);

/*
 * Give fee id its RF reference (fees_reference_for_id) and copy it into
 * ref when ref is not NULL: for a fee imported without one. 0 or -1.
 */
int	fees_set_reference(struct store *, int64_t id, char *ref,
	    size_t refsize);

/* One fee as an import or the demo writes it. */
struct fees_row {
	int64_t		 id;		/* the demo only: 0 lets the store pick */
	int64_t		 resident_id;
	const char	*kind;
	const char	*period;
	int64_t		 amount_cents;
	const char	*due_date;	/* YYYY-MM-DD */
	const char	*reference;	/* NULL or "": none (yet) */
	int64_t		 paid_cents;	/* the demo only */
	time_t		 paid_at;	/* the demo only; 0: not paid */
	time_t		 updated_at;
};

/*
 * Insert the fee, or update the one of the same resident, kind and period
 * when the amount, due date or a given reference differs (a reference
 * already stored stays when none is given). 1 written (*id and the stored
 * reference, "" for none, into ref), 0 unchanged, or a negative store
 * code: STORE_EUNIQUE or STORE_ECONSTRAINT are the row's fault (another
 * fee has the reference).
 */
int	fees_upsert(struct store *, const struct fees_row *, int64_t *id,
	    char *ref, size_t refsize);
/* Insert a fee whole, id and payment included (the demo). 0 or -1. */
int	fees_insert(struct store *, const struct fees_row *);

/*
 * Add cents paid to fee id; the fee's paid_at becomes paid_at when this
 * pays it in full. 0 or -1.
 */
int	fees_add_paid(struct store *, int64_t id, int64_t cents,
	    time_t paid_at, time_t now);

/* One unpaid fee; the text lives as long as the callback runs. */
struct fees_unpaid {
	int64_t		 id;
	int64_t		 resident_id;
	const char	*kind;
	const char	*period;
	int64_t		 owed_cents;	/* amount - paid, > 0 */
	const char	*due_date;
	const char	*reference;	/* "" none yet */
	int64_t		 count;		/* all the residents' unpaid fees */
	int64_t		 total_cents;	/* and what they owe together */
};

/*
 * The unpaid fees of residents[0..n) (n at most RESIDENTS_SET_MAX), the
 * earliest due first, at most max of them, each to fn. 0 or -1.
 */
int	fees_unpaid(struct store *, const int64_t *residents, size_t n,
	    size_t max, void (*fn)(void *, const struct fees_unpaid *),
	    void *arg);

/* The number of fee rows into *n. 0 or -1. */
int	fees_count(struct store *, int64_t *n);

#endif
