/*
 * test_util: util (bounded parsing, UTF-8, edit distance, dates), strset
 * (the duplicate-key set of the importer) and log_scrub (no personal code
 * in a log line), including the scrubber on the real log path.
 */
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

#include "clock.h"
#include "log.h"
#include "strset.h"
#include "util.h"

static void
num_ok(const char *s, long long min, long long max, long long want)
{
	long long	 v = want == 0 ? 1 : 0;
	const char	*errstr = NULL;

	if (util_strtonum(s, min, max, &v, &errstr) != 0)
		fail_msg("'%s' refused: %s", s, errstr ? errstr : "?");
	assert_true(v == want);
}

static void
num_bad(const char *s, long long min, long long max, const char *why)
{
	long long	 v = 12345;
	const char	*errstr = NULL;

	if (util_strtonum(s, min, max, &v, &errstr) == 0)
		fail_msg("'%s' accepted as %lld", s, v);
	assert_non_null(errstr);
	assert_string_equal(errstr, why);
	/* The output is untouched on failure. */
	assert_true(v == 12345);
}

static void
test_strtonum(void **state)
{
	(void)state;
	num_ok("0", 0, 10, 0);
	num_ok("10", 0, 10, 10);
	num_ok("-5", -10, 10, -5);
	num_ok("65535", 1, 65535, 65535);
	num_ok("9223372036854775807", 0, INT64_MAX, INT64_MAX);
	num_ok("-9223372036854775808", INT64_MIN, 0, INT64_MIN);
	num_bad("11", 0, 10, "is too large");
	num_bad("65536", 1, 65535, "is too large");
	num_bad("0", 1, 65535, "is too small");
	num_bad("-1", 0, 10, "is too small");
	num_bad("9223372036854775808", 0, INT64_MAX, "is too large");
	num_bad("99999999999999999999999", 0, INT64_MAX, "is too large");
	num_bad("-9223372036854775809", INT64_MIN, 0, "is too small");
	num_bad("", 0, 10, "is not a number");
	num_bad(" 5", 0, 10, "is not a number");
	num_bad("5 ", 0, 10, "is not a number");
	num_bad("12a", 0, 100, "is not a number");
	num_bad("abc", 0, 100, "is not a number");
	num_bad("0x10", 0, 100, "is not a number");
	num_bad("1.5", 0, 100, "is not a number");
	num_bad("-", 0, 100, "is not a number");
}

static void
cents_ok(const char *s, int64_t max, int64_t want)
{
	int64_t		 c = -1;
	const char	*errstr = NULL;

	if (util_parse_cents(s, max, &c, &errstr) != 0)
		fail_msg("'%s' refused: %s", s, errstr ? errstr : "?");
	assert_true(c == want);
}

static const char *
cents_bad(const char *s, int64_t max)
{
	int64_t		 c = -777;
	const char	*errstr = NULL;

	if (util_parse_cents(s, max, &c, &errstr) == 0)
		fail_msg("'%s' accepted as %lld cents", s, (long long)c);
	assert_non_null(errstr);
	assert_true(c == -777);
	return errstr;
}

static void
test_parse_cents(void **state)
{
	(void)state;
	cents_ok("12.34", INT64_MAX, 1234);
	cents_ok("12,34", INT64_MAX, 1234);
	cents_ok("12,3", INT64_MAX, 1230);
	cents_ok("12.3", INT64_MAX, 1230);
	cents_ok("12", INT64_MAX, 1200);
	cents_ok("0.05", INT64_MAX, 5);
	cents_ok("0", INT64_MAX, 0);
	cents_ok("007.10", INT64_MAX, 710);
	cents_ok("999999999.99", 99999999999LL, 99999999999LL);
	cents_bad(".5", INT64_MAX);
	cents_bad(",5", INT64_MAX);
	assert_string_equal(cents_bad("1.234", INT64_MAX),
	    "has more than two decimals");
	cents_bad("12.", INT64_MAX);
	cents_bad("", INT64_MAX);
	cents_bad("-1.00", INT64_MAX);
	cents_bad("+1.00", INT64_MAX);
	cents_bad("1 000", INT64_MAX);
	cents_bad("12.3a", INT64_MAX);
	cents_bad("12.34.5", INT64_MAX);
	cents_bad("EUR12", INT64_MAX);
	assert_string_equal(cents_bad("1000000000.00", 99999999999LL),
	    "is too large");
	assert_string_equal(cents_bad("100.01", 10000), "is too large");
	cents_ok("100.00", 10000, 10000);
	/* Far too many digits: an error, not a wrapped number. */
	assert_string_equal(cents_bad("99999999999999999999999999", INT64_MAX),
	    "is too large");
}

/*
 * Regression (a bug once, common/util.c, util_parse_cents): the digit loop lets whole reach
 * 92233720368547759, and whole * 100 + frac then overflows int64_t (undefined
 * behaviour; in practice a negative amount is returned as valid). Run in a
 * child so that UBSan's abort under SANITIZE=1 fails this test only.
 */
static void
test_parse_cents_overflow_edge(void **state)
{
	static const char *inputs[] = { "92233720368547759",
	    "92233720368547758.08", "92233720368547758.99" };
	size_t	 i;
	pid_t	 pid;
	int	 status;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int64_t		 c = 0;
			const char	*errstr = NULL;
			int		 r;

			r = util_parse_cents(inputs[i], INT64_MAX, &c, &errstr);
			/* 0: refused as it should be; 3: accepted. */
			_exit(r == -1 && errstr != NULL &&
			    strcmp(errstr, "is too large") == 0 ? 0 : 3);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("util_parse_cents(\"%s\") was not refused as "
			    "too large (child %s %d)", inputs[i],
			    WIFEXITED(status) ? "exit" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) :
			    WTERMSIG(status));
	}
}

static void
test_format_cents(void **state)
{
	char	 buf[32];

	(void)state;
	util_format_cents(1234, buf, sizeof(buf));
	assert_string_equal(buf, "12.34");
	util_format_cents(5, buf, sizeof(buf));
	assert_string_equal(buf, "0.05");
	util_format_cents(0, buf, sizeof(buf));
	assert_string_equal(buf, "0.00");
	util_format_cents(1000, buf, sizeof(buf));
	assert_string_equal(buf, "10.00");
	util_format_cents(-150, buf, sizeof(buf));
	assert_string_equal(buf, "-1.50");
	util_format_cents(99999999999LL, buf, sizeof(buf));
	assert_string_equal(buf, "999999999.99");
}

#define U8(s)	util_utf8_valid((s), sizeof(s) - 1)

static void
test_utf8_valid(void **state)
{
	(void)state;
	assert_int_equal(util_utf8_valid("", 0), 1);
	assert_int_equal(U8("abc"), 1);
	assert_int_equal(U8("Dobeles novada pašvaldība"), 1);
	assert_int_equal(U8("\xc4\x81"), 1);			/* ā */
	assert_int_equal(U8("\xe2\x82\xac"), 1);		/* € */
	assert_int_equal(U8("\xf0\x9f\x98\x80"), 1);		/* U+1F600 */
	assert_int_equal(U8("\xed\x9f\xbf"), 1);		/* U+D7FF */
	assert_int_equal(U8("\xee\x80\x80"), 1);		/* U+E000 */
	assert_int_equal(U8("\xf4\x8f\xbf\xbf"), 1);		/* U+10FFFF */
	/* Overlong forms. */
	assert_int_equal(U8("\xc0\xaf"), 0);
	assert_int_equal(U8("\xc1\xbf"), 0);
	assert_int_equal(U8("\xe0\x80\xaf"), 0);
	assert_int_equal(U8("\xe0\x9f\xbf"), 0);
	assert_int_equal(U8("\xf0\x80\x80\xaf"), 0);
	assert_int_equal(U8("\xf0\x8f\xbf\xbf"), 0);
	/* UTF-16 surrogates. */
	assert_int_equal(U8("\xed\xa0\x80"), 0);
	assert_int_equal(U8("\xed\xbf\xbf"), 0);
	/* Past U+10FFFF, and bytes that never occur. */
	assert_int_equal(U8("\xf4\x90\x80\x80"), 0);
	assert_int_equal(U8("\xf5\x80\x80\x80"), 0);
	assert_int_equal(U8("\xff"), 0);
	/* Truncated sequences, at the end and in the middle. */
	assert_int_equal(U8("\xc4"), 0);
	assert_int_equal(U8("\xe2\x82"), 0);
	assert_int_equal(U8("ab\xf0\x9f\x98"), 0);
	assert_int_equal(U8("\xe2\x82x"), 0);
	assert_int_equal(util_utf8_valid("\xc4\x81", 1), 0);
	/* Stray continuation byte, bad continuation, NUL inside. */
	assert_int_equal(U8("\x80"), 0);
	assert_int_equal(U8("a\xbf"), 0);
	assert_int_equal(U8("\xc4\x41"), 0);
	assert_int_equal(U8("a\0b"), 0);
}

static void
test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(util_utf8_len(""), 0);
	assert_int_equal(util_utf8_len("abc"), 3);
	assert_int_equal(util_utf8_len("Ābece"), 5);
	assert_int_equal(util_utf8_len("Dobeles novada pašvaldība"), 25);
	assert_int_equal(util_utf8_len("€\xf0\x9f\x98\x80"), 2);
}

static void
test_edit_distance(void **state)
{
	char	 a[80], b[80];

	(void)state;
	assert_int_equal(util_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(util_edit_distance("sitting", "kitten"), 3);
	assert_int_equal(util_edit_distance("", "abc"), 3);
	assert_int_equal(util_edit_distance("abc", ""), 3);
	assert_int_equal(util_edit_distance("", ""), 0);
	assert_int_equal(util_edit_distance("port", "port"), 0);
	assert_int_equal(util_edit_distance("port", "prot"), 2);
	assert_int_equal(util_edit_distance("password", "pasword"), 1);
	assert_int_equal(util_edit_distance("smsc", "smcs"), 2);
	assert_int_equal(util_edit_distance("flaw", "lawn"), 2);
	/* Long words are never "near": no allocation, no overrun. */
	memset(a, 'a', 70);
	a[70] = '\0';
	memset(b, 'a', 70);
	b[70] = '\0';
	assert_true(util_edit_distance(a, b) == SIZE_MAX);
	a[63] = '\0';
	b[63] = '\0';
	b[0] = 'b';
	assert_int_equal(util_edit_distance(a, b), 1);
}

/* Cut UTF-8 at a character boundary: "ā" is 2 bytes, "š" 2, "€" 3. */
static void
test_strlcpy_utf8(void **state)
{
	char	 buf[6];

	(void)state;
	assert_int_equal(util_strlcpy_utf8(buf, "ābc", sizeof(buf)), 0);
	assert_string_equal(buf, "ābc");
	/* "ābcd" + "š": 5 bytes fit, the š would be cut in half. */
	assert_int_equal(util_strlcpy_utf8(buf, "ābcdš", sizeof(buf)), -1);
	assert_string_equal(buf, "ābcd");
	assert_int_equal(util_strlcpy_utf8(buf, "ab€€", sizeof(buf)), -1);
	assert_string_equal(buf, "ab€");
	assert_int_equal(util_strlcpy_utf8(buf, "€€", 3), -1);
	assert_string_equal(buf, "");
	assert_int_equal(util_strlcpy_utf8(buf, NULL, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(util_strlcpy_utf8(buf, "x", 0), -1);
}

static void
test_strlcpy_snprintf_trim(void **state)
{
	char	 buf[8], t[32];

	(void)state;
	assert_int_equal(util_strlcpy(buf, "1234567", sizeof(buf)), 0);
	assert_string_equal(buf, "1234567");
	assert_int_equal(util_strlcpy(buf, "12345678", sizeof(buf)), -1);
	assert_string_equal(buf, "1234567");
	assert_int_equal(util_strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(util_strlcpy(buf, "x", 0), -1);
	assert_int_equal(util_snprintf(buf, sizeof(buf), "%d", 1234567), 0);
	assert_string_equal(buf, "1234567");
	assert_int_equal(util_snprintf(buf, sizeof(buf), "%d", 12345678), -1);
	assert_string_equal(buf, "1234567");

	(void)util_strlcpy(t, " \t a b \t\r\n", sizeof(t));
	assert_string_equal(util_trim(t), "a b");
	assert_string_equal(t, "a b");
	(void)util_strlcpy(t, "   ", sizeof(t));
	assert_string_equal(util_trim(t), "");
	(void)util_strlcpy(t, "x", sizeof(t));
	assert_string_equal(util_trim(t), "x");
	(void)util_strlcpy(t, "\r\n", sizeof(t));
	assert_string_equal(util_trim(t), "");
	(void)util_strlcpy(t, "a\r\n", sizeof(t));
	assert_string_equal(util_trim(t), "a");
}

static void
test_dates(void **state)
{
	int	 y = 0, m = 0, d = 0;

	(void)state;
	assert_int_equal(util_days_in_month(2024, 2), 29);
	assert_int_equal(util_days_in_month(2026, 2), 28);
	assert_int_equal(util_days_in_month(1900, 2), 28);
	assert_int_equal(util_days_in_month(2000, 2), 29);
	assert_int_equal(util_days_in_month(2026, 4), 30);
	assert_int_equal(util_days_in_month(2026, 12), 31);
	assert_int_equal(util_days_in_month(2026, 13), 0);
	assert_int_equal(util_days_in_month(2026, 0), 0);

	assert_int_equal(util_parse_date("2026-03-31", &y, &m, &d), 0);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 3);
	assert_int_equal(d, 31);
	assert_int_equal(util_parse_date("2024-02-29", &y, &m, &d), 0);
	assert_int_equal(d, 29);
	assert_int_equal(util_parse_date("2026-02-29", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("2026-04-31", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("2026-13-01", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("2026-00-10", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("2026-3-31", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("2026-03-31x", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("2026/03/31", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("31.03.2026", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("", &y, &m, &d), -1);
	assert_int_equal(util_parse_date("2026", &y, &m, &d), -1);
}

static void
test_strset_many(void **state)
{
	struct strset	*set;
	char		 key[32];
	int		 i, old;

	(void)state;
	set = strset_new();
	assert_non_null(set);
	assert_int_equal(strset_count(set), 0);
	for (i = 0; i < 100000; i++) {
		(void)snprintf(key, sizeof(key), "%06d-%05d", i % 311, i);
		assert_int_equal(strset_add(set, key, i, NULL), 1);
	}
	assert_int_equal(strset_count(set), 100000);
	/* Every key again, with another tag: the first tag comes back. */
	for (i = 0; i < 100000; i++) {
		(void)snprintf(key, sizeof(key), "%06d-%05d", i % 311, i);
		old = -1;
		assert_int_equal(strset_add(set, key, i + 500000, &old), 0);
		assert_int_equal(old, i);
	}
	assert_int_equal(strset_count(set), 100000);
	/* A near miss is a new key. */
	assert_int_equal(strset_add(set, "000000-00000x", 7, NULL), 1);
	assert_int_equal(strset_add(set, "000000-0000", 8, NULL), 1);
	assert_int_equal(strset_count(set), 100002);
	strset_free(set);
}

static void
test_strset_edge_keys(void **state)
{
	struct strset	*set = strset_new();
	char		 big[5000];
	int		 old = 0;

	(void)state;
	assert_int_equal(strset_add(set, "", 1, NULL), 1);
	assert_int_equal(strset_add(set, "", 2, &old), 0);
	assert_int_equal(old, 1);
	/* A key bigger than the arena's first block. */
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(strset_add(set, big, 3, NULL), 1);
	assert_int_equal(strset_add(set, big, 4, &old), 0);
	assert_int_equal(old, 3);
	assert_int_equal(strset_add(set, "Bērziņš|Zīlīte", 5, NULL), 1);
	assert_int_equal(strset_add(set, "Bērziņš|Zīlīte", 6, &old), 0);
	assert_int_equal(old, 5);
	assert_int_equal(strset_count(set), 3);
	strset_free(set);
	strset_free(NULL);
}

static void
scrub_is(const char *in, const char *want, size_t wantn)
{
	char	 buf[256];

	(void)util_strlcpy(buf, in, sizeof(buf));
	assert_int_equal(log_scrub(buf), wantn);
	assert_string_equal(buf, want);
}

static void
test_log_scrub(void **state)
{
	(void)state;
	scrub_is("161175-19997", "******-*****", 1);
	scrub_is("16117519997", "***********", 1);
	scrub_is("code 161175-19997 refused", "code ******-***** refused", 1);
	scrub_is("pk=16117519997;", "pk=***********;", 1);
	scrub_is("x161175-19997y", "x******-*****y", 1);
	scrub_is("a 161175-19997 b 32123456789 c",
	    "a ******-***** b *********** c", 2);
	/* Not code-shaped: 10 and 12 digits, short runs, amounts. */
	scrub_is("call 1234567890 now", "call 1234567890 now", 0);
	scrub_is("id 123456789012 ok", "id 123456789012 ok", 0);
	scrub_is("amount 12.34 due 2026-03-31", "amount 12.34 due 2026-03-31",
	    0);
	scrub_is("ref 123456-1234.", "ref 123456-1234.", 0);
	scrub_is("tel 21234567", "tel 21234567", 0);
	scrub_is("", "", 0);
	scrub_is("no digits", "no digits", 0);
}

static void
test_log_line_is_scrubbed(void **state)
{
	int	 fds[2];
	char	 buf[1024];
	ssize_t	 n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	log_set_level(LOG_LEVEL_INFO);
	log_set_fd(fds[1]);
	log_info("resident %s and %s", "161175-19997", "16117519997");
	log_warnx("again %s", "161175-19997");
	log_debug("hidden %s", "debug-only");
	log_set_fd(-1);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_null(strstr(buf, "161175"));
	assert_null(strstr(buf, "19997"));
	assert_non_null(strstr(buf, "resident ******-***** and ***********"));
	assert_non_null(strstr(buf, "again ******-*****"));
	assert_null(strstr(buf, "debug-only"));
}

/*
 * A storm of one kind of line: the first burst of each interval, then one
 * line with the count of the rest, never a line each (issue 22: 20,407
 * info lines from one generic_nack storm).
 */
static void
test_log_rate(void **state)
{
	static struct log_rate	 r = LOG_RATE_INIT("unknown generic_nack", 3,
	    60);
	char			 buf[4096], *p;
	int			 fds[2], i, ok = 0, lines = 0;
	ssize_t			 n;

	(void)state;
	clock_set_fake(1700000000);
	assert_int_equal(pipe(fds), 0);
	log_set_level(LOG_LEVEL_INFO);
	log_set_fd(fds[1]);
	for (i = 0; i < 20407; i++)
		if (log_rate_ok(&r)) {
			ok++;
			log_info("generic_nack seq=%d", i);
		}
	assert_int_equal(ok, 3);
	log_rate_flush(&r);		/* the interval is not over yet */
	clock_advance_ms(61 * 1000);
	log_rate_flush(&r);
	assert_int_equal(log_rate_ok(&r), 1);	/* a new interval */
	log_rate_flush(&r);
	log_set_fd(-1);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	clock_clear_fake();
	assert_true(n > 0);
	buf[n] = '\0';
	for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 4);
	assert_non_null(strstr(buf,
	    "unknown generic_nack: 20404 more in the last 61 s"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strtonum),
		cmocka_unit_test(test_strlcpy_utf8),
		cmocka_unit_test(test_parse_cents),
		cmocka_unit_test(test_parse_cents_overflow_edge),
		cmocka_unit_test(test_format_cents),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_strlcpy_snprintf_trim),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_strset_many),
		cmocka_unit_test(test_strset_edge_keys),
		cmocka_unit_test(test_log_scrub),
		cmocka_unit_test(test_log_line_is_scrubbed),
		cmocka_unit_test(test_log_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
