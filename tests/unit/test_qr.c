/*
 * test_qr: QR codes that scan. Every image here is decoded by zbarimg and
 * must give the payload back byte for byte: the module matrix as a PBM, and
 * the terminal text turned back into the picture a light-on-dark screen
 * shows. Also the sizes: what fits 80x24, and libqrencode's capacities.
 *
 * With MUNI_QR_DUMP=DIR the images and texts are also left in DIR (for
 * tests/integration/qr_scan.sh and for people to look at).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "epc.h"
#include "qr.h"
#include "util.h"

#define SCALE		4	/* pixels per module (PBM) or per cell column */
#define MARGIN		3	/* cells of screen background around the text */

static char	 tmpdir[256];
static char	*dumpdir;

/* The payloads every rendering is tried with. */
static const char lv_payload[] =
    "BCD\n002\n1\nSCT\n\nRīgas valstspilsētas pašvaldība\n"
    "LV89RIKO0023300000000\nEUR10.00\n\nRF18539007547034";
/* Its short form with a configured short name: 82 bytes, version 5. */
static const char lv_short[] =
    "BCD\n002\n1\nSCT\n\nRīgas pašvaldība\n"
    "LV89RIKO0023300000000\nEUR10.00\n\nRF18539007547034";
static const char example1[] =
    "BCD\n001\n1\nSCT\nBHBLDEHHXXX\nFranz Musterm\xc3\xa4nn\n"
    "DE71110220330123456789\nEUR12.3\nGDDS\nRF18539007547034";
/* ISO 8859-1: zbarimg -Sbinary must hand back the 0xe7 untouched. */
static const char example2[] =
    "BCD\n002\n2\nSCT\n\nFran\xe7ois D'Alsace S.A.\n"
    "FR1420041010050500013M02606\nEUR12.3\n\n\nClient:Marie Louise La Lune";

static int
setup(void **state)
{
	const char	*t = getenv("TMPDIR");

	(void)state;
	if (util_snprintf(tmpdir, sizeof(tmpdir), "%s/muni-qr.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp") == -1 ||
	    strchr(tmpdir, '\'') != NULL || mkdtemp(tmpdir) == NULL)
		return -1;
	if ((dumpdir = getenv("MUNI_QR_DUMP")) != NULL && *dumpdir == '\0')
		dumpdir = NULL;
	return 0;
}

static int
teardown(void **state)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[512];
	int		 rc = 0;

	(void)state;
	if ((d = opendir(tmpdir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (util_snprintf(path, sizeof(path), "%s/%s", tmpdir,
		    de->d_name) == -1 || unlink(path) == -1)
			rc = -1;
	}
	closedir(d);
	if (rmdir(tmpdir) == -1)
		rc = -1;
	return rc;
}

static void
write_file(const char *dir, const char *name, const void *data, size_t len,
    char *path, size_t size)
{
	FILE	*f;

	if (util_snprintf(path, size, "%s/%s", dir, name) == -1)
		fail_msg("path too long: %s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		fail_msg("%s: cannot create", path);
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		fail_msg("%s: cannot write", path);
}

/* Write to the scratch dir, and a copy to MUNI_QR_DUMP when set. */
static void
save(const char *name, const void *data, size_t len, char *path,
    size_t size)
{
	char	 dpath[512];

	if (dumpdir != NULL)
		write_file(dumpdir, name, data, len, dpath, sizeof(dpath));
	write_file(tmpdir, name, data, len, path, size);
}

/*
 * zbarimg's raw bytes for the image at path into out; returns its length,
 * or -1 when nothing was decoded. -Sbinary: no charset guessing, no
 * newline added, so the bytes are compared as they are.
 */
static long
zbar(const char *path, char *out, size_t size)
{
	char	 cmd[600];
	FILE	*p;
	size_t	 n;
	int	 st;

	if (util_snprintf(cmd, sizeof(cmd), "zbarimg --nodbus --raw -q "
	    "-Sbinary '%s' 2>/dev/null", path) == -1)
		fail_msg("command too long");
	if ((p = popen(cmd, "r")) == NULL)
		fail_msg("popen zbarimg");
	n = fread(out, 1, size, p);
	st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		fail_msg("zbarimg not found: install zbar-tools");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return (long)n;
}

static void
scans_as(const char *path, const void *want, size_t len)
{
	char	 got[4096];
	long	 n;

	if ((n = zbar(path, got, sizeof(got))) == -1)
		fail_msg("%s: zbarimg decoded nothing", path);
	if ((size_t)n != len || memcmp(got, want, len) != 0)
		fail_msg("%s: zbarimg read %ld bytes, not the %zu of the "
		    "payload", path, n, len);
}

static struct qr *
encode(const void *data, size_t len)
{
	struct qr	*qr;
	const char	*errstr = NULL;

	if ((qr = qr_encode(data, len, &errstr)) == NULL)
		fail_msg("qr_encode(%zu bytes): %s", len, errstr);
	return qr;
}

/*
 * The screen a light-on-dark colour pair shows for this text, as a PGM:
 * each character cell one pixel wide and two high (the upper and the lower
 * half), times SCALE; foreground (the glyphs' ink) light, background and
 * the screen around the text dark. Only the four glyphs and space may
 * appear. Returns the image; caller frees.
 */
static unsigned char *
text_to_pgm(const char *text, int inverted, size_t *len)
{
	const unsigned char	*s = (const unsigned char *)text;
	unsigned char		*img, *px, fg = 255, bg = 0;
	char			 head[64];
	int			 cols = 0, rows = 0, c = 0, w, h, x, y, top, bot;
	size_t			 hl, i;

	if (inverted) {
		fg = 0;
		bg = 255;
	}
	/* First pass: the size in cells. */
	for (i = 0; s[i] != '\0'; ) {
		if (s[i] == '\n') {
			cols = c > cols ? c : cols;
			c = 0;
			rows++;
			i++;
		} else if (s[i] == ' ') {
			c++;
			i++;
		} else if (s[i] == 0xe2 && s[i + 1] == 0x96 &&
		    (s[i + 2] == 0x88 || s[i + 2] == 0x80 || s[i + 2] == 0x84)) {
			c++;
			i += 3;
		} else
			fail_msg("unexpected byte 0x%02x in QR text", s[i]);
	}
	w = (cols + 2 * MARGIN) * SCALE;
	h = (rows + 2 * MARGIN) * 2 * SCALE;
	if (util_snprintf(head, sizeof(head), "P5\n%d %d\n255\n", w, h) == -1)
		fail_msg("header");
	hl = strlen(head);
	*len = hl + (size_t)w * (size_t)h;
	img = xmalloc(*len);
	memcpy(img, head, hl);
	px = img + hl;
	memset(px, bg, (size_t)w * (size_t)h);
	/* Second pass: paint each cell's lit halves. */
	for (i = 0, x = MARGIN, y = MARGIN; s[i] != '\0'; ) {
		top = bot = 0;
		if (s[i] == '\n') {
			x = MARGIN;
			y++;
			i++;
			continue;
		}
		if (s[i] == ' ')
			i++;
		else {
			top = s[i + 2] == 0x88 || s[i + 2] == 0x80;
			bot = s[i + 2] == 0x88 || s[i + 2] == 0x84;
			i += 3;
		}
		for (int dy = 0; dy < 2 * SCALE; dy++)
			for (int dx = 0; dx < SCALE; dx++)
				if (dy < SCALE ? top : bot)
					px[(size_t)(y * 2 * SCALE + dy) * w +
					    (size_t)(x * SCALE + dx)] = fg;
		x++;
	}
	return img;
}

/* The matrix as an image scans as the payload. */
static void
matrix_scans(const char *name, const char *payload, size_t len)
{
	struct qr	*qr = encode(payload, len);
	unsigned char	*pbm;
	size_t		 n;
	char		 path[512], pname[128];

	if (util_snprintf(pname, sizeof(pname), "%s.payload", name) == -1)
		fail_msg("name");
	save(pname, payload, len, path, sizeof(path));
	assert_non_null(pbm = qr_pbm(qr, SCALE, &n));
	save(name, pbm, n, path, sizeof(path));
	scans_as(path, payload, len);
	free(pbm);
	qr_free(qr);
}

/* The terminal text, drawn light on dark, scans as the payload. */
static void
text_scans(const char *name, const char *payload, size_t len,
    enum qr_mode mode)
{
	struct qr	*qr = encode(payload, len);
	unsigned char	*pgm;
	char		*text, path[512], tname[128];
	size_t		 n, tlen;

	if (util_snprintf(tname, sizeof(tname), "%s.payload", name) == -1)
		fail_msg("name");
	save(tname, payload, len, path, sizeof(path));
	text = qr_text(qr, mode, &tlen);
	if (util_snprintf(tname, sizeof(tname), "%s.txt", name) == -1)
		fail_msg("name");
	save(tname, text, tlen, path, sizeof(path));
	pgm = text_to_pgm(text, 0, &n);
	if (util_snprintf(tname, sizeof(tname), "%s.pgm", name) == -1)
		fail_msg("name");
	save(tname, pgm, n, path, sizeof(path));
	scans_as(path, payload, len);
	free(pgm);
	free(text);
	qr_free(qr);
}

static void
test_matrix_scans(void **state)
{
	char	 max[EPC_PAYLOAD_SIZE];

	(void)state;
	assert_int_equal(sizeof(example1) - 1, 96);
	assert_int_equal(sizeof(example2) - 1, 103);
	matrix_scans("lv.pbm", lv_payload, strlen(lv_payload));
	matrix_scans("example1.pbm", example1, strlen(example1));
	matrix_scans("example2.pbm", example2, strlen(example2));
	/* The largest payload the standard allows: version 13. */
	memset(max, 'x', EPC_PAYLOAD_MAX);
	memcpy(max, lv_payload, strlen(lv_payload));
	max[strlen(lv_payload)] = '\n';
	matrix_scans("max.pbm", max, EPC_PAYLOAD_MAX);
}

static void
test_text_scans(void **state)
{
	(void)state;
	text_scans("lv-short-double", lv_short, strlen(lv_short),
	    QR_MODE_DOUBLE);
	text_scans("lv-half", lv_payload, strlen(lv_payload), QR_MODE_HALF);
	text_scans("lv-double", lv_payload, strlen(lv_payload),
	    QR_MODE_DOUBLE);
	text_scans("example1-half", example1, strlen(example1), QR_MODE_HALF);
	text_scans("example2-half", example2, strlen(example2), QR_MODE_HALF);
	text_scans("example2-double", example2, strlen(example2),
	    QR_MODE_DOUBLE);
}

/*
 * The scans above prove the polarity only if a code drawn the other way
 * round (dark ink on a light screen) does not scan: check the scanner.
 */
static void
test_inverted_does_not_scan(void **state)
{
	struct qr	*qr = encode(lv_payload, strlen(lv_payload));
	unsigned char	*pgm;
	char		*text, path[512], got[1024];
	size_t		 n;

	(void)state;
	text = qr_text(qr, QR_MODE_HALF, NULL);
	pgm = text_to_pgm(text, 1, &n);
	save("lv-inverted.pgm", pgm, n, path, sizeof(path));
	assert_int_equal(zbar(path, got, sizeof(got)), -1);
	free(pgm);
	free(text);
	qr_free(qr);
}

/* Count the characters (code points) of a UTF-8 line. */
static int
columns(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
test_text_layout(void **state)
{
	struct qr	*qr = encode(lv_short, strlen(lv_short));
	char		 line[512];
	int		 cols, rows, r, w = qr_width(qr);

	(void)state;
	assert_int_equal(qr_version(qr), 5);
	assert_int_equal(w, 37);
	qr_text_size(qr, QR_MODE_HALF, &cols, &rows);
	assert_int_equal(cols, 45);
	assert_int_equal(rows, 23);
	assert_int_equal(qr_line_size(qr, QR_MODE_HALF), 45 * 3 + 1);
	for (r = 0; r < rows; r++) {
		assert_int_not_equal(qr_text_line(qr, QR_MODE_HALF, r, line,
		    sizeof(line)), -1);
		assert_int_equal(columns(line), cols);
	}
	/* Quiet zone rows: light (full blocks) from edge to edge. */
	assert_int_equal(qr_text_line(qr, QR_MODE_HALF, 0, line,
	    sizeof(line)), 45 * 3);
	assert_null(strstr(line, " "));
	assert_null(strstr(line, "\xe2\x96\x80"));
	/* 45 module rows: the last text row's lower half is screen. */
	qr_text_line(qr, QR_MODE_HALF, rows - 1, line, sizeof(line));
	assert_null(strstr(line, "\xe2\x96\x88"));
	assert_null(strstr(line, " "));
	/* Row 2 holds module rows 0-1: quiet zone, then the dark finder. */
	qr_text_line(qr, QR_MODE_HALF, 2, line, sizeof(line));
	assert_memory_equal(line, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
	    "\xe2\x96\x88 ", 13);
	assert_int_equal(qr_module(qr, 0, 0), 1);
	assert_int_equal(qr_module(qr, -1, 0), 0);
	assert_int_equal(qr_module(qr, w, w), 0);

	qr_text_size(qr, QR_MODE_DOUBLE, &cols, &rows);
	assert_int_equal(cols, 90);
	assert_int_equal(rows, 45);
	qr_text_line(qr, QR_MODE_DOUBLE, 4, line, sizeof(line));
	assert_int_equal(columns(line), 90);
	assert_memory_equal(line + 8 * 3, "  ", 2);

	/* Out of range, or a buffer one byte short: refused. */
	assert_int_equal(qr_text_line(qr, QR_MODE_HALF, 23, line,
	    sizeof(line)), -1);
	assert_int_equal(qr_text_line(qr, QR_MODE_HALF, -1, line,
	    sizeof(line)), -1);
	assert_int_equal(qr_text_line(qr, QR_MODE_HALF, 0, line, 45 * 3),
	    -1);
	qr_free(qr);
}

/*
 * DESIGN.md: with the quiet zone, version 5 (45 x 23 text) is the largest
 * that fits 80 x 24, and level M holds 84 bytes in it.
 */
static void
test_fits_80x24(void **state)
{
	struct qr		*qr;
	struct epc_transfer	 t;
	char			 data[128], buf[EPC_PAYLOAD_SIZE];
	const char		*errstr = NULL;
	size_t			 len;
	int			 cols, rows;

	(void)state;
	assert_int_equal(qr_max_payload(80, 24, QR_MODE_HALF), 84);
	memset(data, 'a', sizeof(data));

	qr = encode(data, 84);
	assert_int_equal(qr_version(qr), 5);
	assert_int_equal(qr_fits(qr, 80, 24, QR_MODE_HALF, &errstr), 0);
	qr_free(qr);

	qr = encode(data, 85);
	assert_int_equal(qr_version(qr), 6);
	qr_text_size(qr, QR_MODE_HALF, &cols, &rows);
	assert_int_equal(cols, 49);
	assert_int_equal(rows, 25);
	assert_int_equal(qr_fits(qr, 80, 24, QR_MODE_HALF, &errstr), -1);
	assert_string_equal(errstr, "QR code is taller than the space for it");
	assert_int_equal(qr_fits(qr, 48, 40, QR_MODE_HALF, &errstr), -1);
	assert_string_equal(errstr, "QR code is wider than the space for it");
	assert_int_equal(qr_fits(qr, 80, 25, QR_MODE_HALF, &errstr), 0);
	/* Double width needs a large screen. */
	assert_int_equal(qr_fits(qr, 80, 24, QR_MODE_DOUBLE, &errstr), -1);
	assert_int_equal(qr_fits(qr, 98, 49, QR_MODE_DOUBLE, &errstr), 0);
	qr_free(qr);

	assert_int_equal(qr_max_payload(80, 24, QR_MODE_DOUBLE), 0);
	assert_int_equal(qr_max_payload(28, 24, QR_MODE_HALF), 0);
	assert_int_equal(qr_max_payload(29, 15, QR_MODE_HALF), 14);
	/* 200 x 60, two columns a module: version 8 (57 + quiet zone). */
	assert_int_equal(qr_max_payload(200, 60, QR_MODE_DOUBLE), 152);
	/* 132 x 43: version 15, 85 modules with its quiet zone. */
	assert_int_equal(qr_max_payload(132, 43, QR_MODE_HALF), 412);

	/* A real Latvian payment in its short form fits and scans. */
	memset(&t, 0, sizeof(t));
	t.name = "Rīgas valstspilsētas pašvaldība";
	t.iban = "LV89RIKO0023300000000";
	t.cents = 1000;
	t.reference = "RF18539007547034";
	if (epc_build_short(&t, NULL, qr_max_payload(80, 24, QR_MODE_HALF),
	    buf, sizeof(buf), &len, &errstr) == -1)
		fail_msg("short form: %s", errstr);
	assert_true(len <= 84);
	qr = encode(buf, len);
	assert_int_equal(qr_fits(qr, 80, 24, QR_MODE_HALF, &errstr), 0);
	qr_free(qr);
	text_scans("lv-short-half", buf, len, QR_MODE_HALF);
}

/* Our capacity table against libqrencode itself, all 40 versions. */
static void
test_capacity_table(void **state)
{
	struct qr	*qr;
	char		*data;
	const char	*errstr = NULL;
	size_t		 cap;
	int		 v, side;

	(void)state;
	data = xmalloc(QR_DATA_MAX + 1);
	memset(data, 0xa5, QR_DATA_MAX + 1);
	for (v = 1; v <= 40; v++) {
		side = 17 + 4 * v + 2 * QR_QUIET;
		cap = qr_max_payload(side, (side + 1) / 2, QR_MODE_HALF);
		qr = encode(data, cap);
		if (qr_version(qr) != v)
			fail_msg("%zu bytes: version %d, table says %d", cap,
			    qr_version(qr), v);
		assert_int_equal(qr_width(qr), 17 + 4 * v);
		qr_free(qr);
		if (v == 40)
			break;
		qr = encode(data, cap + 1);
		assert_int_equal(qr_version(qr), v + 1);
		qr_free(qr);
	}
	assert_int_equal(cap, QR_DATA_MAX);
	assert_null(qr_encode(data, QR_DATA_MAX + 1, &errstr));
	assert_string_equal(errstr, "data is too long for a QR code");
	assert_null(qr_encode(data, 0, &errstr));
	assert_string_equal(errstr, "nothing to put in the QR code");
	free(data);
}

/* The SVG's path, read back, is the matrix; the quiet zone is white. */
static void
test_svg(void **state)
{
	struct qr	*qr = encode(lv_short, strlen(lv_short));
	char		*svg, *p, path[512];
	unsigned char	 seen[37][37];
	size_t		 len;
	int		 x, y, run, back, n, w = qr_width(qr);

	(void)state;
	svg = qr_svg(qr, 40, &len);
	assert_int_equal(strlen(svg), len);
	save("lv.svg", svg, len, path, sizeof(path));
	assert_non_null(strstr(svg, "viewBox=\"0 0 45 45\""));
	assert_non_null(strstr(svg, "width=\"40mm\" height=\"40mm\""));
	assert_non_null(strstr(svg, "<rect width=\"45\" height=\"45\" "
	    "fill=\"#fff\"/>"));
	assert_non_null(p = strstr(svg, " d=\""));
	p += 4;
	memset(seen, 0, sizeof(seen));
	while (sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &back, &n) == 4) {
		assert_int_equal(run, back);
		for (int i = 0; i < run; i++)
			seen[y - QR_QUIET][x - QR_QUIET + i] = 1;
		p += n;
	}
	assert_memory_equal(p, "\"/>\n</svg>\n", 11);
	for (y = 0; y < w; y++)
		for (x = 0; x < w; x++)
			assert_int_equal(seen[y][x], qr_module(qr, x, y));
	free(svg);
	svg = qr_svg(qr, 0, NULL);
	assert_null(strstr(svg, "mm\""));
	free(svg);
	qr_free(qr);
}

static void
test_pbm(void **state)
{
	struct qr	*qr = encode("x", 1);
	unsigned char	*pbm;
	size_t		 n;

	(void)state;
	assert_null(qr_pbm(qr, 0, &n));
	assert_null(qr_pbm(qr, 65, &n));
	assert_non_null(pbm = qr_pbm(qr, 1, &n));
	/* Version 1: 29 pixels a side, 4 bytes a row. */
	assert_memory_equal(pbm, "P4\n29 29\n", 9);
	assert_int_equal(n, 9 + 4 * 29);
	/* Quiet zone white; the finder's top edge black from pixel (4, 4). */
	assert_int_equal(pbm[9], 0);
	assert_int_equal(pbm[9 + 4 * 4], 0x0f);
	free(pbm);
	qr_free(qr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_layout),
		cmocka_unit_test(test_fits_80x24),
		cmocka_unit_test(test_capacity_table),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_pbm),
		cmocka_unit_test(test_matrix_scans),
		cmocka_unit_test(test_text_scans),
		cmocka_unit_test(test_inverted_does_not_scan),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
