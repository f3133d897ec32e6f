/*
 * csvline: the lines of a CSV file, read into one fixed buffer so that a
 * hostile file costs at most CSVLINE_MAX bytes of memory however long its
 * lines are. getline(3) grows its buffer to the longest line (a 1 GB line
 * costs gigabytes before anyone can refuse it) and reports running out of
 * memory as -1, which a loop takes for the end of the file. Here a line
 * over the limit is cut, the rest of it is read past and dropped, and the
 * caller is told; a read error is never the end of the file.
 */
#ifndef MUNI_CSVLINE_H
#define MUNI_CSVLINE_H

#include <stddef.h>
#include <stdio.h>

/* Bytes in one line (its newline included): 64 KiB, documented. */
#define CSVLINE_MAX	65536

enum csvline_status {
	CSVLINE_EOF,		/* no more lines */
	CSVLINE_OK,		/* a whole line, with its newline if any */
	CSVLINE_LONG,		/* the first CSVLINE_MAX bytes of a longer
				   line; the rest is skipped */
	CSVLINE_ERROR,		/* read error; errno is set */
};

struct csvline;

struct csvline	*csvline_new(FILE *);
void		 csvline_free(struct csvline *);
/*
 * The next line into *line (not NUL-terminated; it may hold NUL bytes)
 * and its length into *len. Valid until the next call.
 */
enum csvline_status csvline_next(struct csvline *, const char **line,
		    size_t *len);
/* The first NUL byte's 0-based offset in line, or -1 when there is none. */
long		 csvline_nul(const char *line, size_t len);

#endif
