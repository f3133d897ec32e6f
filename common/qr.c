/*
 * qr: QR codes through libqrencode, and the forms muni shows them in. The
 * terminal form is the one that matters most and is easiest to get wrong:
 * see qr.h for the colours it must be drawn with.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "log.h"
#include "qr.h"
#include "util.h"

#define QR_VERSION_MAX	40

struct qr {
	QRcode	*code;
};

/* ISO/IEC 18004 Table 7: bytes at level M in 8-bit mode, versions 1-40. */
static const size_t qr_capacity_m[QR_VERSION_MAX] = {
	14, 26, 42, 62, 84, 106, 122, 152, 180, 213,
	251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
	711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370,
	1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
};

/* UTF-8 of the glyphs; light is the foreground, dark the background. */
static const char glyph_full[] = "\xe2\x96\x88";	/* U+2588 full block */
static const char glyph_upper[] = "\xe2\x96\x80";	/* U+2580 upper half */
static const char glyph_lower[] = "\xe2\x96\x84";	/* U+2584 lower half */

struct qr *
qr_encode(const void *data, size_t len, const char **errstr)
{
	struct qr	*qr;
	QRcode		*code;

	if (len == 0) {
		*errstr = "nothing to put in the QR code";
		return NULL;
	}
	if (len > QR_DATA_MAX) {
		*errstr = "data is too long for a QR code";
		return NULL;
	}
	/* Version 0: the smallest that holds the data at level M. */
	errno = 0;
	code = QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_M);
	if (code == NULL) {
		if (errno == ENOMEM)
			fatal("qr_encode");
		*errstr = errno == ERANGE ? "data is too long for a QR code" :
		    "QR encoding failed";
		return NULL;
	}
	qr = xcalloc(1, sizeof(*qr));
	qr->code = code;
	return qr;
}

void
qr_free(struct qr *qr)
{
	if (qr == NULL)
		return;
	QRcode_free(qr->code);
	free(qr);
}

int
qr_version(const struct qr *qr)
{
	return qr->code->version;
}

int
qr_width(const struct qr *qr)
{
	return qr->code->width;
}

int
qr_module(const struct qr *qr, int x, int y)
{
	int	 w = qr->code->width;

	if (x < 0 || y < 0 || x >= w || y >= w)
		return 0;
	return qr->code->data[y * w + x] & 1;
}

/*
 * Whether the terminal should show light (a glyph) at module (x, y):
 * light modules and the quiet zone. Beyond the quiet zone is background.
 */
static int
lit(const struct qr *qr, int x, int y)
{
	int	 w = qr->code->width;

	if (x < -QR_QUIET || y < -QR_QUIET || x >= w + QR_QUIET ||
	    y >= w + QR_QUIET)
		return 0;
	return !qr_module(qr, x, y);
}

static void
text_size(int width, enum qr_mode mode, int *cols, int *rows)
{
	int	 side = width + 2 * QR_QUIET;

	if (mode == QR_MODE_DOUBLE) {
		*cols = 2 * side;
		*rows = side;
	} else {
		*cols = side;
		*rows = (side + 1) / 2;
	}
}

void
qr_text_size(const struct qr *qr, enum qr_mode mode, int *cols, int *rows)
{
	text_size(qr->code->width, mode, cols, rows);
}

int
qr_fits(const struct qr *qr, int cols, int rows, enum qr_mode mode,
    const char **errstr)
{
	int	 c, r;

	qr_text_size(qr, mode, &c, &r);
	if (c > cols) {
		*errstr = "QR code is wider than the space for it";
		return -1;
	}
	if (r > rows) {
		*errstr = "QR code is taller than the space for it";
		return -1;
	}
	return 0;
}

size_t
qr_max_payload(int cols, int rows, enum qr_mode mode)
{
	size_t	 best = 0;
	int	 v, c, r;

	for (v = 1; v <= QR_VERSION_MAX; v++) {
		text_size(17 + 4 * v, mode, &c, &r);
		if (c > cols || r > rows)
			break;
		best = qr_capacity_m[v - 1];
	}
	return best;
}

size_t
qr_line_size(const struct qr *qr, enum qr_mode mode)
{
	int	 cols, rows;

	qr_text_size(qr, mode, &cols, &rows);
	return (size_t)cols * 3 + 1;
}

int
qr_text_line(const struct qr *qr, enum qr_mode mode, int row, char *buf,
    size_t size)
{
	const char	*g;
	size_t		 off = 0, gl;
	int		 cols, rows, c, x, top, bottom;

	qr_text_size(qr, mode, &cols, &rows);
	if (row < 0 || row >= rows || size < qr_line_size(qr, mode))
		return -1;
	for (c = 0; c < cols; c++) {
		if (mode == QR_MODE_DOUBLE) {
			x = c / 2 - QR_QUIET;
			g = lit(qr, x, row - QR_QUIET) ? glyph_full : " ";
		} else {
			x = c - QR_QUIET;
			top = lit(qr, x, 2 * row - QR_QUIET);
			bottom = lit(qr, x, 2 * row + 1 - QR_QUIET);
			if (top && bottom)
				g = glyph_full;
			else if (top)
				g = glyph_upper;
			else if (bottom)
				g = glyph_lower;
			else
				g = " ";
		}
		gl = strlen(g);
		memcpy(buf + off, g, gl);
		off += gl;
	}
	buf[off] = '\0';
	return (int)off;
}

char *
qr_text(const struct qr *qr, enum qr_mode mode, size_t *len)
{
	size_t	 line = qr_line_size(qr, mode), off = 0;
	char	*s;
	int	 cols, rows, r, n;

	qr_text_size(qr, mode, &cols, &rows);
	s = xreallocarray(NULL, (size_t)rows, line + 1);
	for (r = 0; r < rows; r++) {
		if ((n = qr_text_line(qr, mode, r, s + off, line)) == -1)
			fatalx("qr_text: row %d does not fit", r);
		off += (size_t)n;
		s[off++] = '\n';
	}
	s[off] = '\0';
	if (len != NULL)
		*len = off;
	return s;
}

/* A string that grows as it is written to; for the SVG. */
struct qr_sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void sbuf_add(struct qr_sbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
sbuf_add(struct qr_sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("qr_svg: vsnprintf");
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	b->len += (size_t)n;
}

char *
qr_svg(const struct qr *qr, int size_mm, size_t *len)
{
	struct qr_sbuf	 b;
	int		 w = qr->code->width, side = w + 2 * QR_QUIET;
	int		 x, y, run;

	b.cap = 4096;
	b.len = 0;
	b.p = xmalloc(b.cap);
	b.p[0] = '\0';
	sbuf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "viewBox=\"0 0 %d %d\"", side, side);
	if (size_mm > 0)
		sbuf_add(&b, " width=\"%dmm\" height=\"%dmm\"", size_mm,
		    size_mm);
	sbuf_add(&b, " shape-rendering=\"crispEdges\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	    "<path fill=\"#000\" d=\"", side, side);
	/* One rectangle per horizontal run of dark modules. */
	for (y = 0; y < w; y++) {
		for (x = 0; x < w; x += run) {
			for (run = 0; x + run < w && qr_module(qr, x + run, y);
			    run++)
				;
			if (run == 0) {
				run = 1;
				continue;
			}
			sbuf_add(&b, "M%d %dh%dv1h-%dz", x + QR_QUIET,
			    y + QR_QUIET, run, run);
		}
	}
	sbuf_add(&b, "\"/>\n</svg>\n");
	if (len != NULL)
		*len = b.len;
	return b.p;
}

unsigned char *
qr_pbm(const struct qr *qr, int scale, size_t *len)
{
	unsigned char	*p;
	char		 head[32];
	size_t		 hl, stride, i, total;
	int		 side = qr->code->width + 2 * QR_QUIET, px, x, y;

	if (scale < 1 || scale > 64)
		return NULL;
	px = side * scale;
	if (util_snprintf(head, sizeof(head), "P4\n%d %d\n", px, px) == -1)
		fatalx("qr_pbm: header");
	hl = strlen(head);
	stride = ((size_t)px + 7) / 8;
	total = hl + stride * (size_t)px;
	p = xcalloc(total, 1);
	memcpy(p, head, hl);
	/* PBM: 1 is black, bits left to right from the high bit. */
	for (y = 0; y < px; y++)
		for (x = 0; x < px; x++)
			if (qr_module(qr, x / scale - QR_QUIET,
			    y / scale - QR_QUIET)) {
				i = hl + (size_t)y * stride + (size_t)x / 8;
				p[i] |= (unsigned char)(0x80 >> (x % 8));
			}
	if (len != NULL)
		*len = total;
	return p;
}
