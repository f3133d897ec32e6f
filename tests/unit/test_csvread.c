/*
 * test_csvread: the one CSV reader under the imports and a manual group's
 * file — records with the line they start on (a quoted field may span
 * lines), the delimiter found in the first line or always a comma, a BOM
 * skipped, fields over the limits dropped and flagged, and each broken
 * line (bad quoting, a NUL, an endless record, an unclosed quote at the
 * end) reported with where it happened, with the next record intact after
 * a resync.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csvread.h"

#define RECS_MAX	8

/* What the callback saw: each record as "line:f1|f2|...", and flags. */
struct seen {
	int	 n;
	char	 rec[RECS_MAX][128];
	int	 too_many[RECS_MAX];
};

static void
record(void *arg, struct csvread *cr)
{
	struct seen	*sn = arg;
	char		*p;
	size_t		 left;
	int		 i, w;

	assert_true(sn->n < RECS_MAX);
	p = sn->rec[sn->n];
	left = sizeof(sn->rec[0]);
	w = snprintf(p, left, "%d:", csvread_record_line(cr));
	for (i = 0; i < csvread_nfields(cr); i++) {
		p += w;
		left -= (size_t)w;
		w = snprintf(p, left, "%s%s", i ? "|" : "",
		    csvread_field(cr, i));
		assert_true(w >= 0 && (size_t)w < left);
	}
	/* Beyond the fields: "". */
	assert_string_equal(csvread_field(cr, csvread_nfields(cr)), "");
	sn->too_many[sn->n++] = csvread_too_many(cr);
}

static FILE *
stream(const char *data, size_t len)
{
	FILE	*fp = tmpfile();

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	rewind(fp);
	return fp;
}

static struct csvread *
reader(FILE *fp, struct seen *sn, int detect, int max_fields,
    size_t max_bytes)
{
	struct csvread_opts	 o;

	memset(sn, 0, sizeof(*sn));
	memset(&o, 0, sizeof(o));
	o.detect_delim = detect;
	o.max_fields = max_fields;
	o.max_bytes = max_bytes;
	o.max_record = 64;
	o.record = record;
	o.arg = sn;
	return csvread_new(fp, &o);
}

static void
test_records(void **state)
{
	static const char	 data[] = "\xef\xbb\xbf" "a;b;\"c,d\"\n"
	    "\n" "1;\"two\nlines\";3\r\n" "x;y;z";
	FILE			*fp = stream(data, sizeof(data) - 1);
	struct seen		 sn;
	struct csvread		*cr = reader(fp, &sn, 1, 8, 0);

	(void)state;
	while (csvread_next(cr) == CSVREAD_LINE)
		;
	assert_int_equal(csvread_finish(cr), 0);
	/* The semicolons of the first line split every line after it. */
	assert_int_equal(csvread_delim(cr), ';');
	assert_int_equal(sn.n, 3);
	/* No BOM in the first field; a blank line is no record. */
	assert_string_equal(sn.rec[0], "1:a|b|c,d");
	/* A record names the line it starts on. */
	assert_string_equal(sn.rec[1], "3:1|two\nlines|3");
	assert_string_equal(sn.rec[2], "5:x|y|z");
	assert_int_equal(csvread_line(cr), 5);
	assert_int_equal(csvread_bytes(cr), sizeof(data) - 1);
	csvread_free(cr);
	fclose(fp);
}

static void
test_comma_only(void **state)
{
	static const char	 data[] = "a;b,c\n";
	FILE			*fp = stream(data, sizeof(data) - 1);
	struct seen		 sn;
	struct csvread		*cr = reader(fp, &sn, 0, 8, 0);

	(void)state;
	assert_int_equal(csvread_next(cr), CSVREAD_LINE);
	assert_int_equal(csvread_next(cr), CSVREAD_EOF);
	assert_int_equal(csvread_delim(cr), ',');
	assert_string_equal(sn.rec[0], "1:a;b|c");
	csvread_free(cr);
	fclose(fp);
}

static void
test_limits(void **state)
{
	static const char	 data[] = "a,b,c,d\n" "abcdefgh,ijklmnop\n"
	    "e,f\n";
	FILE			*fp = stream(data, sizeof(data) - 1);
	struct seen		 sn;
	struct csvread		*cr;

	(void)state;
	/* Three fields, twelve bytes of them: the rest is dropped, flagged. */
	cr = reader(fp, &sn, 0, 3, 12);
	while (csvread_next(cr) == CSVREAD_LINE)
		;
	assert_int_equal(sn.n, 3);
	assert_string_equal(sn.rec[0], "1:a|b|c");
	assert_int_equal(sn.too_many[0], 1);
	assert_string_equal(sn.rec[1], "2:abcdefgh");
	assert_int_equal(sn.too_many[1], 1);
	/* The next record starts clean. */
	assert_string_equal(sn.rec[2], "3:e|f");
	assert_int_equal(sn.too_many[2], 0);
	csvread_free(cr);
	fclose(fp);
}

static void
test_errors(void **state)
{
	static const char	 data[] = "h1,h2\n" "a,b\"c\n" "d,e\0f\n"
	    "\"open,\n" "1234567890123456789012345678901234567890\n"
	    "1234567890123456789012345678901234567890\n" "g,h\n"
	    "\"unclosed\n";
	FILE			*fp = stream(data, sizeof(data) - 1);
	struct seen		 sn;
	struct csvread		*cr = reader(fp, &sn, 1, 8, 0);

	(void)state;
	assert_int_equal(csvread_next(cr), CSVREAD_LINE);
	/* A quote inside an unquoted field, after one whole field. */
	assert_int_equal(csvread_next(cr), CSVREAD_EQUOTE);
	assert_int_equal(csvread_line(cr), 2);
	assert_int_equal(csvread_nfields(cr), 1);
	csvread_resync(cr);
	/* Parsed up to the NUL only, which is byte 4 of its line. */
	assert_int_equal(csvread_next(cr), CSVREAD_ENUL);
	assert_int_equal(csvread_nul_at(cr), 4);
	assert_int_equal(csvread_nfields(cr), 1);
	csvread_resync(cr);
	/* A quote left open eats lines until the record is too long. */
	assert_int_equal(csvread_next(cr), CSVREAD_LINE);
	assert_int_equal(csvread_next(cr), CSVREAD_LINE);
	assert_int_equal(csvread_next(cr), CSVREAD_ERECORD);
	assert_int_equal(csvread_record_line(cr), 4);
	assert_int_equal(csvread_line(cr), 6);
	csvread_resync(cr);
	/* After the resync the next line is a record again. */
	assert_int_equal(csvread_next(cr), CSVREAD_LINE);
	assert_int_equal(csvread_next(cr), CSVREAD_LINE);
	assert_int_equal(csvread_next(cr), CSVREAD_EOF);
	assert_int_equal(csvread_finish(cr), -1);
	assert_int_equal(csvread_record_line(cr), 8);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.rec[0], "1:h1|h2");
	assert_string_equal(sn.rec[1], "7:g|h");
	csvread_free(cr);
	fclose(fp);
}

static void
test_long_line(void **state)
{
	size_t		 n = CSVLINE_MAX + 10;
	char		*data = malloc(n + 5);
	FILE		*fp;
	struct seen	 sn;
	struct csvread	*cr;

	(void)state;
	assert_non_null(data);
	memset(data, 'x', n);
	memcpy(data + n, "\na,b\n", 5);
	fp = stream(data, n + 5);
	cr = reader(fp, &sn, 0, 8, 0);
	assert_int_equal(csvread_next(cr), CSVREAD_ELONG);
	assert_int_equal(csvread_line(cr), 1);
	csvread_resync(cr);
	assert_int_equal(csvread_next(cr), CSVREAD_LINE);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.rec[0], "2:a|b");
	csvread_free(cr);
	fclose(fp);
	free(data);
}

static void
test_read_error(void **state)
{
	FILE		*fp = fopen(".", "r");	/* read(2) says EISDIR */
	struct seen	 sn;
	struct csvread	*cr;

	(void)state;
	assert_non_null(fp);
	cr = reader(fp, &sn, 1, 8, 0);
	assert_int_equal(csvread_next(cr), CSVREAD_EREAD);
	csvread_free(cr);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_comma_only),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
