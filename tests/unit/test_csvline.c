/*
 * test_csvline: the bounded line reader under every CSV import — whole
 * lines with and without a final newline, a line of exactly CSVLINE_MAX
 * bytes, a longer one cut and read past so the next line survives, NUL
 * bytes kept (and found) rather than ending the line, and a read error
 * that is not the end of the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csvline.h"

/* A stream over a copy of len bytes of data. */
static FILE *
stream(const char *data, size_t len)
{
	FILE	*fp = tmpfile();

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	rewind(fp);
	return fp;
}

static void
test_lines(void **state)
{
	static const char	 data[] = "a,b\nc\0d,e\r\nlast";
	FILE			*fp = stream(data, sizeof(data) - 1);
	struct csvline		*cl = csvline_new(fp);
	const char		*line;
	size_t			 len;

	(void)state;
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "a,b\n", 4);
	assert_int_equal(csvline_nul(line, len), -1);
	/* A NUL is a byte of the line, found where it is. */
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_OK);
	assert_int_equal(len, 7);
	assert_memory_equal(line, "c\0d,e\r\n", 7);
	assert_int_equal(csvline_nul(line, len), 1);
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "last", 4);
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_EOF);
	csvline_free(cl);
	fclose(fp);
}

static void
test_long(void **state)
{
	size_t		 big = 3 * CSVLINE_MAX, n = 0;
	char		*data = malloc(2 * CSVLINE_MAX + big + 16);
	FILE		*fp;
	struct csvline	*cl;
	const char	*line;
	size_t		 len;

	(void)state;
	assert_non_null(data);
	/* Exactly the limit, its newline included: a whole line. */
	memset(data, 'x', CSVLINE_MAX - 1);
	n = CSVLINE_MAX - 1;
	data[n++] = '\n';
	/* Exactly the limit without a newline, then one more byte. */
	memset(data + n, 'y', CSVLINE_MAX);
	n += CSVLINE_MAX;
	data[n++] = '\n';
	/* Far over it. */
	memset(data + n, 'z', big);
	n += big;
	memcpy(data + n, "\nnext\n", 6);
	n += 6;
	fp = stream(data, n);
	cl = csvline_new(fp);
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_OK);
	assert_int_equal(len, CSVLINE_MAX);
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_LONG);
	assert_int_equal(len, CSVLINE_MAX);
	assert_int_equal(line[0], 'y');
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_LONG);
	assert_int_equal(line[0], 'z');
	/* The rest of the long line was read past, not taken for lines. */
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "next\n", 5);
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_EOF);
	csvline_free(cl);
	fclose(fp);
	free(data);
}

static void
test_read_error(void **state)
{
	FILE		*fp = fopen(".", "r");	/* read(2) says EISDIR */
	struct csvline	*cl;
	const char	*line;
	size_t		 len;

	(void)state;
	assert_non_null(fp);
	cl = csvline_new(fp);
	errno = 0;
	assert_int_equal(csvline_next(cl, &line, &len), CSVLINE_ERROR);
	assert_int_equal(errno, EISDIR);
	csvline_free(cl);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
