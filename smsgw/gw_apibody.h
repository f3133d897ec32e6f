/*
 * apibody: the JSON bodies of the HTTP API, checked before anything touches
 * the store. Pure functions over bytes (no store, no clock but the one
 * passed in), so the fuzzer can drive them and the handlers only look up
 * what the body names.
 *
 * POST /api/v1/messages    {"phone": "...", "text": "...", "validity_s": N}
 * POST /api/v1/broadcasts  {"group": "...", "text": "...", "topic": "...",
 *                           "at": "YYYY-MM-DD HH:MM", "emergency": true}
 * Unknown fields, duplicate keys, wrong types, a phone that is not one, a
 * text that is empty, not UTF-8, too long or (broadcasts) has an unknown
 * placeholder are refused with a short code and a reason for people.
 */
#ifndef MUNI_GW_APIBODY_H
#define MUNI_GW_APIBODY_H

#include <stddef.h>
#include <time.h>

#include "broadcast.h"
#include "groups.h"
#include "ident.h"
#include "outbox.h"

#define APIBODY_MAX		(64 * 1024)	/* bytes of a request body */
#define APIBODY_ERR_SIZE	512

struct apibody_error {
	const char	*code;		/* "bad_json", "missing_field", ... */
	char		 reason[APIBODY_ERR_SIZE];
};

struct apibody_message {
	char		 phone[IDENT_PHONE_SIZE];	/* E.164 */
	char		 text[OUTBOX_TEXT_MAX + 1];
	long		 validity_s;	/* 0: none */
};

struct apibody_broadcast {
	char		 group[GROUPS_NAME_MAX + 1];
	char		 text[OUTBOX_TEXT_MAX + 1];
	char		 topic[BROADCAST_TOPIC_MAX + 1];	/* "": none */
	time_t		 at;		/* 0: now */
	int		 emergency;
};

/* 0, or -1 with e set. */
int	 apibody_message(const char *body, size_t len,
	    struct apibody_message *, struct apibody_error *e);
/* 0, or -1 with e set; "at" is checked against now. */
int	 apibody_broadcast(const char *body, size_t len, time_t now,
	    struct apibody_broadcast *, struct apibody_error *e);

/*
 * PUT /api/v1/residents, queue, fees as JSON: an array of objects whose
 * keys are the CSV import's columns and whose values are strings, whole
 * numbers or null (an empty field), rewritten as CSV (a header of every
 * key met, in the order met, and a row per object) for the import to read
 * as it reads a file, so the rows have one validator. Over max_rows
 * objects (0: no cap) is the error "too_many_rows". 0 with *csv (malloc'd)
 * and *csvlen; -1 with e set, and *row the object at fault (from 1; 0 the
 * body) and field its key ("" none).
 */
#define APIBODY_FIELD_SIZE	64
int	 apibody_rows(const char *body, size_t len, size_t max_rows,
	    char **csv, size_t *csvlen, struct apibody_error *e, size_t *row,
	    char field[APIBODY_FIELD_SIZE]);

#endif
