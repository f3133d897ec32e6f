/*
 * import: load a municipality's CSV exports (residents, preschool queue,
 * fees) all or nothing. Every row is validated; errors name FILE:LINE:COLUMN
 * (COLUMN is the 1-based field number, as a spreadsheet counts columns). A
 * re-import of a newer export updates rows by their key.
 */
#ifndef MUNI_IMPORT_H
#define MUNI_IMPORT_H

#include <stdio.h>
#include <sys/types.h>

struct store;

enum import_kind {
	IMPORT_RESIDENTS,
	IMPORT_QUEUE,
	IMPORT_FEES,
	IMPORT_SMS,		/* phone,text into the outbox (sms send --batch) */
};

#define IMPORT_MAX_ERRORS_SHOWN	20
#define IMPORT_MAX_RECORD	65536	/* bytes in one CSV record */
#define IMPORT_MAX_FIELDS	64

struct import_result {
	size_t	 rows;		/* data rows read */
	size_t	 inserted;
	size_t	 updated;
	size_t	 unchanged;
	size_t	 errors;
	size_t	 new_institutions;	/* made by new_institutions */
	int	 too_many;	/* more than opts->max_rows rows: stopped */
};

struct import_opts {
	int	 dry_run;	/* validate, then roll back */
	FILE	*errout;	/* where error lines go (stderr if NULL) */
	/* Called about every 10,000 rows and at the end; may be NULL. */
	void	(*progress)(void *arg, size_t rows, off_t done, off_t total);
	void	*arg;
	/* Name used in "FILE:LINE" (the path if NULL). */
	const char *display_name;
	/* IMPORT_SMS: validity of each message (0 none) and the encoding. */
	long	 sms_validity_s;
	const char *sms_encoding;
	int	 sms_max_segments;	/* 0: no check */
	/*
	 * IMPORT_QUEUE: create the institutions the file names that do not
	 * exist (listed as new_institution=NAME lines on out, stdout if
	 * NULL) instead of refusing them.
	 */
	int	 new_institutions;
	FILE	*out;
	/*
	 * The API's form of the errors (PUT /api/v1/residents, ...): each
	 * goes to error instead of errout, with the data row it is on (from
	 * 1; 0 the header) and the name of its field (NULL: the whole row),
	 * as rows, not lines, are what a JSON body has.
	 */
	void	(*error)(void *arg, size_t row, const char *field,
		    const char *msg);
	size_t	 max_rows;	/* more data rows: res->too_many; 0 no cap */
	const char *actor;	/* of the audit row ("import" if NULL) */
	/*
	 * Called inside the import's transaction just before its commit,
	 * when every row was good: what must commit with the rows (the API
	 * keeps its Idempotency-Key answer). 0, or -1 to roll back.
	 */
	int	(*before_commit)(void *arg, struct store *,
		    const struct import_result *);
};

/* "residents", "queue", "fees" -> kind; -1 if unknown. */
int	 import_kind_parse(const char *, enum import_kind *);

/*
 * Import path into s. Returns 0 when every row was valid and the data is
 * committed (or, with dry_run, would have been); -1 when anything was wrong:
 * the errors were printed and the database is unchanged.
 */
int	 import_csv(struct store *s, enum import_kind kind, const char *path,
	    const struct import_opts *opts, struct import_result *res);
/*
 * The same from an open stream (an HTTP body); name is what errors and
 * the audit row call it. fp stays the caller's.
 */
int	 import_stream(struct store *s, enum import_kind kind, FILE *fp,
	    const char *name, const struct import_opts *opts,
	    struct import_result *res);

#endif
