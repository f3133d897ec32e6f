/*
 * csvread: CSV records over libcsv and csvline; see csvread.h. The only
 * file that sees libcsv's parser.
 */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "log.h"
#include "util.h"

struct csvread {
	struct csvread_opts	 o;
	struct csv_parser	 p;
	struct csvline		*cl;
	unsigned char		 delim;
	int			 line;		/* line last read */
	int			 pending_start;	/* first line of the record */
	size_t			 rec_bytes;	/* of a record spanning lines */
	size_t			 bytes;		/* read so far */
	long			 nul_at;

	/* The current record: fields packed into buf, NUL-terminated. */
	int			 in_record;
	char			*buf;
	size_t			 buflen, bufsize;
	size_t			*off;
	int			 nfields;
	int			 too_many;
};

static void
parser_init(struct csvread *cr)
{
	if (csv_init(&cr->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatalx("csv_init failed");
	csv_set_delim(&cr->p, cr->delim);
}

struct csvread *
csvread_new(FILE *fp, const struct csvread_opts *o)
{
	struct csvread	*cr = xcalloc(1, sizeof(*cr));

	cr->o = *o;
	if (cr->o.max_fields < 1)
		cr->o.max_fields = 1;
	cr->off = xcalloc((size_t)cr->o.max_fields, sizeof(*cr->off));
	cr->delim = ',';
	cr->nul_at = -1;
	cr->cl = csvline_new(fp);
	parser_init(cr);
	return cr;
}

void
csvread_free(struct csvread *cr)
{
	if (cr == NULL)
		return;
	csv_free(&cr->p);
	csvline_free(cr->cl);
	free(cr->off);
	free(cr->buf);
	free(cr);
}

static void
clear_record(struct csvread *cr)
{
	cr->in_record = 0;
	cr->nfields = 0;
	cr->buflen = 0;
	cr->too_many = 0;
}

static void
field_cb(void *data, size_t len, void *arg)
{
	struct csvread	*cr = arg;
	size_t		 need;

	cr->in_record = 1;
	need = cr->buflen + len + 1;
	if (cr->nfields >= cr->o.max_fields ||
	    (cr->o.max_bytes > 0 && need > cr->o.max_bytes)) {
		cr->too_many = 1;	/* the record says so */
		return;
	}
	if (need > cr->bufsize) {
		while (cr->bufsize < need)
			cr->bufsize = cr->bufsize ? cr->bufsize * 2 : 4096;
		cr->buf = xreallocarray(cr->buf, cr->bufsize, 1);
	}
	if (len > 0)
		memcpy(cr->buf + cr->buflen, data, len);
	cr->buf[cr->buflen + len] = '\0';
	cr->off[cr->nfields++] = cr->buflen;
	cr->buflen += len + 1;
}

static void
record_cb(int c, void *arg)
{
	struct csvread	*cr = arg;

	(void)c;
	/* No fields: nothing to pass on. */
	if (cr->in_record)
		cr->o.record(cr->o.arg, cr);
	clear_record(cr);
}

/*
 * The delimiter of the file: whichever of comma, semicolon and tab its
 * header row holds most of outside quotes; a comma when it holds none.
 * Read off the first line as it passes, so a pipe works as well as a file.
 */
static unsigned char
detect_delim(const char *line, size_t len)
{
	size_t		 n[3] = { 0, 0, 0 }, i;
	int		 quoted = 0;

	for (i = 0; i < len && line[i] != '\n' && line[i] != '\0'; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (line[i] == ',')
			n[0]++;
		else if (line[i] == ';')
			n[1]++;
		else if (line[i] == '\t')
			n[2]++;
	}
	if (n[1] > n[0] && n[1] >= n[2])
		return ';';
	if (n[2] > n[0] && n[2] > n[1])
		return '\t';
	return ',';
}

enum csvread_status
csvread_next(struct csvread *cr)
{
	enum csvline_status	 lst;
	const char		*line;
	size_t			 n, skip, feed;
	long			 nul;

	if ((lst = csvline_next(cr->cl, &line, &n)) == CSVLINE_EOF)
		return CSVREAD_EOF;
	if (lst == CSVLINE_ERROR)
		return CSVREAD_EREAD;
	cr->line++;
	cr->bytes += n;
	/* pstate 0: libcsv is between records (csv.h's struct). */
	if (cr->p.pstate == 0)
		cr->pending_start = cr->line;
	/* A spreadsheet's UTF-8 BOM, before strict quoting sees it. */
	skip = cr->line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) ==
	    0 ? 3 : 0;
	if (cr->line == 1 && cr->o.detect_delim) {
		cr->delim = detect_delim(line + skip, n - skip);
		csv_set_delim(&cr->p, cr->delim);
	}
	nul = csvline_nul(line + skip, n - skip);
	feed = nul >= 0 ? (size_t)nul : n - skip;
	if (csv_parse(&cr->p, line + skip, feed, field_cb, record_cb, cr) !=
	    feed)
		return CSVREAD_EQUOTE;
	if (nul >= 0) {
		cr->nul_at = nul + (long)skip + 1;
		return CSVREAD_ENUL;
	}
	if (lst == CSVLINE_LONG)
		return CSVREAD_ELONG;
	/* Bound a record so one stray quote cannot eat the file. */
	cr->rec_bytes = cr->p.pstate != 0 ? cr->rec_bytes + n : 0;
	if (cr->rec_bytes > cr->o.max_record)
		return CSVREAD_ERECORD;
	return CSVREAD_LINE;
}

void
csvread_resync(struct csvread *cr)
{
	csv_free(&cr->p);
	parser_init(cr);
	clear_record(cr);
	cr->rec_bytes = 0;
}

int
csvread_finish(struct csvread *cr)
{
	return csv_fini(&cr->p, field_cb, record_cb, cr) == 0 ? 0 : -1;
}

int
csvread_nfields(const struct csvread *cr)
{
	return cr->nfields;
}

char *
csvread_field(struct csvread *cr, int i)
{
	/* A field the row lacks: "", which trimming in place leaves so. */
	static char	 empty[1];

	if (i < 0 || i >= cr->nfields)
		return empty;
	return cr->buf + cr->off[i];
}

int
csvread_too_many(const struct csvread *cr)
{
	return cr->too_many;
}

int
csvread_line(const struct csvread *cr)
{
	return cr->line;
}

int
csvread_record_line(const struct csvread *cr)
{
	return cr->pending_start;
}

long
csvread_nul_at(const struct csvread *cr)
{
	return cr->nul_at;
}

size_t
csvread_bytes(const struct csvread *cr)
{
	return cr->bytes;
}

unsigned char
csvread_delim(const struct csvread *cr)
{
	return cr->delim;
}
