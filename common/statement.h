/*
 * statement: ISO 20022 bank statements (camt.053) and debit/credit
 * notifications (camt.054), versions .001.02 to .001.08, read as a stream
 * (libxml2's xmlTextReader) so a large file is never held in memory. Booked
 * credit entries are matched to fees by their reference and booked through
 * payments_book(); a file is imported all or nothing.
 */
#ifndef MUNI_STATEMENT_H
#define MUNI_STATEMENT_H

#include <stddef.h>

struct store;

#define STATEMENT_MAX_DEPTH	48	/* element nesting */
#define STATEMENT_MAX_TEXT	1024	/* bytes of text in one element */
#define STATEMENT_MAX_TX	1000	/* transactions kept per entry */

struct statement_opts {
	/*
	 * The account statements must be for ([payments] iban); a statement
	 * for another account is refused. NULL or "": any account.
	 */
	const char	*iban;
	int		 dry_run;	/* book, then roll back */
	const char	*display_name;	/* in messages; the path if NULL */
};

/*
 * entries counts <Ntry> elements. Each booked credit is one of matched,
 * partial, over, unmatched or duplicates (a batch entry whose transactions
 * carry their own amounts gives one per transaction); skipped counts
 * entries that are not booked credits (debits, pending, reversals, zero).
 */
struct statement_result {
	int	 message;	/* 53 or 54 */
	int	 version;	/* 2 .. 8 */
	size_t	 entries;
	size_t	 matched;
	size_t	 partial;
	size_t	 over;
	size_t	 unmatched;
	size_t	 duplicates;
	size_t	 skipped;
	size_t	 receipts;	/* SMS receipts queued */
};

/*
 * Import the statement in path. 0 when the whole file was booked (or, with
 * dry_run, would have been); -1 when it was refused, with *errstr saying
 * why ("FILE:LINE: ..." where the line is known; text valid until the next
 * call) and nothing booked.
 */
int	 statement_import_file(struct store *, const char *path,
	    const struct statement_opts *, struct statement_result *,
	    const char **errstr);
/* The same for a document in memory (tests, fuzzing). */
int	 statement_import_mem(struct store *, const void *data, size_t len,
	    const struct statement_opts *, struct statement_result *,
	    const char **errstr);

#endif
