/*
 * qr: a payload to a QR module matrix (libqrencode, error correction level
 * M, 8-bit mode, smallest version that holds it) and that matrix to what
 * people scan: terminal text, SVG for paper, PBM for tests. No I/O.
 *
 * Terminal text is drawn LIGHT ON DARK: the caller sets a colour pair
 * whose foreground is light (white) and whose background is dark (black)
 * and draws every character of the text with it. Light modules, the quiet
 * zone included, are the block glyphs (foreground); dark modules are
 * spaces and show the dark background. Never draw it with the colours the
 * other way round (dark text on a light background): the code comes out
 * inverted, and most banking apps do not read inverted codes. Never leave
 * it to the terminal's default colours either, which may be dark on light.
 * With ncurses: init_pair(p, COLOR_WHITE, COLOR_BLACK), draw the rows with
 * COLOR_PAIR(p) and without A_REVERSE. On a plain tty: each row between
 * "\033[97;40m" and "\033[0m". The text itself carries no colours.
 */
#ifndef MUNI_QR_H
#define MUNI_QR_H

#include <stddef.h>

#define QR_QUIET	4	/* modules of light border on each side */
#define QR_DATA_MAX	2331	/* bytes at level M, version 40 */

struct qr;

enum qr_mode {
	QR_MODE_HALF,	/* one column and half a text row per module */
	QR_MODE_DOUBLE,	/* two columns and one text row per module */
};

/* Encode len bytes; NULL with *errstr set when they do not fit a QR code. */
struct qr	*qr_encode(const void *data, size_t len, const char **errstr);
void		 qr_free(struct qr *);

int		 qr_version(const struct qr *);
/* Modules on a side, without the quiet zone. */
int		 qr_width(const struct qr *);
/* 1 for a dark module; 0 for light, and anywhere outside the symbol. */
int		 qr_module(const struct qr *, int x, int y);

/* Size of the text form with its quiet zone, in columns and rows. */
void		 qr_text_size(const struct qr *, enum qr_mode, int *cols,
		    int *rows);
/*
 * 0 when the text form fits cols x rows characters; else -1 and *errstr
 * says which way it is too large (a smaller payload or mode may fit).
 */
int		 qr_fits(const struct qr *, int cols, int rows, enum qr_mode,
		    const char **errstr);
/*
 * The most bytes whose QR code fits cols x rows in this mode; 0 when not
 * even version 1 does. For sizing a payload before encoding it.
 */
size_t		 qr_max_payload(int cols, int rows, enum qr_mode);

/* Bytes a text row takes, NUL included: 3 per column (UTF-8 glyphs). */
size_t		 qr_line_size(const struct qr *, enum qr_mode);
/*
 * Text row `row` (0-based, below qr_text_size's rows) into buf, UTF-8,
 * NUL-terminated, no newline. Returns its length, or -1 when row is out of
 * range or buf is smaller than qr_line_size().
 */
int		 qr_text_line(const struct qr *, enum qr_mode, int row,
		    char *buf, size_t size);
/* All rows, each ended by "\n"; *len (if not NULL) its length. Caller frees. */
char		*qr_text(const struct qr *, enum qr_mode, size_t *len);

/*
 * SVG of the symbol with its quiet zone on a white square, dark modules
 * black, size_mm wide and high (0: unsized, the document decides).
 * Caller frees.
 */
char		*qr_svg(const struct qr *, int size_mm, size_t *len);
/*
 * Binary PBM (P4) with its quiet zone, scale pixels a module (1-64); NULL
 * for a scale out of range. Caller frees.
 */
unsigned char	*qr_pbm(const struct qr *, int scale, size_t *len);

#endif
