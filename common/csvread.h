/*
 * csvread: the records of a CSV file (RFC 4180, through libcsv), for every
 * file muni reads as CSV (the imports, a manual group's members). It sits
 * on csvline, so no line costs more than CSVLINE_MAX bytes, and feeds the
 * parser a line at a time, so that every error can name its line and the
 * field it reached; what an error means for the file is the caller's.
 *
 * A record with at least one field goes to the callback; blank lines are
 * not records. A spreadsheet's UTF-8 byte order mark is skipped, and a
 * line is parsed up to a NUL byte only (libcsv would keep the NUL inside
 * the field and lose the rest of the row) and then refused.
 */
#ifndef MUNI_CSVREAD_H
#define MUNI_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#include "csvline.h"

struct csvread;

struct csvread_opts {
	/*
	 * Take the delimiter from the first line: whichever of comma,
	 * semicolon (a Latvian spreadsheet's "CSV") and tab it holds most of
	 * outside quotes. 0: always a comma.
	 */
	int		 detect_delim;
	int		 max_fields;	/* fields kept of one record */
	size_t		 max_bytes;	/* bytes of fields kept; 0 no limit */
	/* Bytes of a record that spans lines: beyond, CSVREAD_ERECORD. */
	size_t		 max_record;
	/* Each record; its fields are the reader's until it returns. */
	void		(*record)(void *arg, struct csvread *);
	void		*arg;
};

enum csvread_status {
	CSVREAD_EOF,		/* no more lines: csvread_finish() next */
	CSVREAD_LINE,		/* a line was read, its records passed on */
	CSVREAD_EQUOTE,		/* a quote inside an unquoted field, or
				   text after a closing quote */
	CSVREAD_ENUL,		/* a NUL byte; see csvread_nul_at() */
	CSVREAD_ELONG,		/* the line is longer than CSVLINE_MAX */
	CSVREAD_ERECORD,	/* a record over max_record bytes */
	CSVREAD_EREAD,		/* read error, errno set: never the end */
};

struct csvread	*csvread_new(FILE *, const struct csvread_opts *);
void		 csvread_free(struct csvread *);
/*
 * Read and parse the next line. After an error the record that was being
 * read is broken: csvread_resync() drops it, or the caller stops.
 */
enum csvread_status csvread_next(struct csvread *);
/* Drop the record being read and start afresh with the next line. */
void		 csvread_resync(struct csvread *);
/*
 * At the end of the file: pass on the last record (one without a final
 * newline). -1 when a quoted field is still open, else 0.
 */
int		 csvread_finish(struct csvread *);

/*
 * The record being read (in the callback: the record passed): its number
 * of fields kept, field i ("" beyond; the caller may change a field in
 * place, not lengthen it), and whether fields were dropped for the limits.
 */
int		 csvread_nfields(const struct csvread *);
char		*csvread_field(struct csvread *, int i);
int		 csvread_too_many(const struct csvread *);
/* The line last read, from 1; the first line of the record being read. */
int		 csvread_line(const struct csvread *);
int		 csvread_record_line(const struct csvread *);
/* After CSVREAD_ENUL: the NUL's byte in its line, from 1. */
long		 csvread_nul_at(const struct csvread *);
/* Bytes read so far, for progress. */
size_t		 csvread_bytes(const struct csvread *);
/* The delimiter in use: ',', ';' or '\t'. */
unsigned char	 csvread_delim(const struct csvread *);

#endif
