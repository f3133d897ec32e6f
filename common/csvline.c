/*
 * csvline: bounded line reading for the CSV imports (see csvline.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvline.h"
#include "util.h"

struct csvline {
	FILE	*fp;
	char	 buf[CSVLINE_MAX];
};

struct csvline *
csvline_new(FILE *fp)
{
	struct csvline	*cl = xmalloc(sizeof(*cl));

	cl->fp = fp;
	return cl;
}

void
csvline_free(struct csvline *cl)
{
	free(cl);
}

enum csvline_status
csvline_next(struct csvline *cl, const char **line, size_t *len)
{
	size_t	 n = 0;
	int	 c;

	*line = cl->buf;
	*len = 0;
	while (n < sizeof(cl->buf)) {
		if ((c = getc_unlocked(cl->fp)) == EOF)
			break;
		cl->buf[n++] = (char)c;
		if (c == '\n') {
			*len = n;
			return CSVLINE_OK;
		}
	}
	*len = n;
	if (n == sizeof(cl->buf) && (c = getc_unlocked(cl->fp)) != EOF) {
		/* Too long: read past the rest without keeping it. */
		while (c != '\n' && (c = getc_unlocked(cl->fp)) != EOF)
			;
		if (c == EOF && ferror(cl->fp))
			return CSVLINE_ERROR;
		return CSVLINE_LONG;
	}
	if (ferror(cl->fp)) {
		if (errno == 0)
			errno = EIO;
		return CSVLINE_ERROR;
	}
	return n > 0 ? CSVLINE_OK : CSVLINE_EOF;
}

long
csvline_nul(const char *line, size_t len)
{
	const char	*p = memchr(line, '\0', len);

	return p != NULL ? (long)(p - line) : -1;
}
