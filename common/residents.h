/*
 * residents: the municipality's register of residents as muni keeps it —
 * who they are, the phone that speaks for them, the language they read.
 * Imports write rows here, the fronts find the residents behind a phone
 * or a kiosk sign-in; nothing here ever hands out a personal code except
 * to the code that already had it.
 */
#ifndef MUNI_RESIDENTS_H
#define MUNI_RESIDENTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;
struct store_cur;

/*
 * The residents one question may be about (those sharing one phone): the
 * statements that take a set have this many parameters, ?1 to ?8.
 */
#define RESIDENTS_SET_MAX	8

/* One resident as an import or the demo writes it. */
struct residents_row {
	const char	*code;		/* canonical personal code */
	const char	*given_name;
	const char	*family_name;
	const char	*phone;		/* E.164; NULL or "": none */
	int		 phone_kind;	/* enum ident_phone_kind; -1 none */
	const char	*lang;
	const char	*territory;
	const char	*address;
	const char	*birth_date;	/* YYYY-MM-DD; NULL or "": unknown */
	time_t		 updated_at;
};

/*
 * Insert the resident, or update the one with the same personal code when
 * anything differs. 1 written, 0 unchanged, or a negative store code
 * (STORE_EUNIQUE, STORE_ECONSTRAINT: the row's fault).
 */
int	 residents_upsert(struct store *, const struct residents_row *);
/* Insert a new resident (the demo), its id into *id. 0 or -1. */
int	 residents_insert(struct store *, const struct residents_row *,
	    int64_t *id);

/* The id of the resident with code: 0 found, 1 none, -1 error. */
int	 residents_id_by_code(struct store *, const char *code, int64_t *id);

/*
 * The residents registered with phone (E.164), lowest id first: up to max
 * ids into ids, their number into *n, *more set when there are others; the
 * first one's language into lang ("" when none). 0 or -1.
 */
int	 residents_by_phone(struct store *, const char *phone, int64_t *ids,
	    size_t max, size_t *n, int *more, char *lang, size_t langsize);
/*
 * Resident id's language and phone ("" none). 0 found, 1 none, -1 error.
 */
int	 residents_get(struct store *, int64_t id, char *lang,
	    size_t langsize, char *phone, size_t phonesize);

/* The number of residents into *n. 0 or -1. */
int	 residents_count(struct store *, int64_t *n);

/*
 * Bind the set ids[0..n) to ?1-?8 of a statement that asks about a set;
 * an unused place is 0, which no resident has. 0 or -1 (n too large).
 */
int	 residents_bind_set(struct store_cur *, const int64_t *ids, size_t n);

#endif
