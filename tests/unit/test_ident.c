/*
 * test_ident: personal codes, phone numbers, IBANs and RF references
 * against the vectors of DESIGN.md §4, and the checksums against an
 * independent implementation written here from the published rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ident.h"

/* Independent check digit: (1101 - sum w_i d_i) mod 11, or 10. */
static int
ref_check(const char d[10])
{
	static const int w[10] = { 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int	 i, s = 0;

	for (i = 0; i < 10; i++)
		s += w[i] * (d[i] - '0');
	return ((1101 - s) % 11 + 11) % 11;
}

/* Independent ISO 7064 mod 97 of s (digits and upper-case letters). */
static int
ref_mod97(const char *s)
{
	int	 r = 0;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			r = (r * 10 + (*s - '0')) % 97;
		else
			r = (r * 100 + (*s - 'A' + 10)) % 97;
	}
	return r;
}

static void
pcode_ok(const char *in, const char *want, enum ident_pcode_form wform)
{
	char		 out[IDENT_PCODE_SIZE];
	enum ident_pcode_form form = (enum ident_pcode_form)-1;
	const char	*errstr = NULL;

	if (ident_pcode_parse(in, out, &form, &errstr) != 0)
		fail_msg("'%s' refused: %s", in, errstr ? errstr : "?");
	assert_string_equal(out, want);
	assert_int_equal(form, wform);
}

static void
pcode_bad(const char *in)
{
	char		 out[IDENT_PCODE_SIZE];
	enum ident_pcode_form form;
	const char	*errstr = NULL;

	if (ident_pcode_parse(in, out, &form, &errstr) == 0)
		fail_msg("'%s' accepted as %s", in, out);
	assert_non_null(errstr);
	assert_true(strlen(errstr) > 0);
}

/* Refused, and the message names the reason (a word in errstr). */
static void
pcode_bad_because(const char *in, const char *word)
{
	char		 out[IDENT_PCODE_SIZE];
	enum ident_pcode_form form;
	const char	*errstr = NULL;

	if (ident_pcode_parse(in, out, &form, &errstr) == 0)
		fail_msg("'%s' accepted as %s", in, out);
	assert_non_null(errstr);
	if (strstr(errstr, word) == NULL)
		fail_msg("'%s' refused for the wrong reason: %s", in, errstr);
}

static void
test_pcode_vector(void **state)
{
	(void)state;
	pcode_ok("161175-19997", "161175-19997", IDENT_PCODE_OLD);
	pcode_ok("16117519997", "161175-19997", IDENT_PCODE_OLD);
	pcode_ok(" 161175 19997 ", "161175-19997", IDENT_PCODE_OLD);
	pcode_ok("161175 - 19997", "161175-19997", IDENT_PCODE_OLD);
	/* Every other last digit fails the checksum. */
	pcode_bad("161175-19990");
	pcode_bad("161175-19996");
	pcode_bad("161175-19998");
	/* One digit changed in the body. */
	pcode_bad("161175-18997");
	pcode_bad("161176-19997");
}

static void
test_pcode_check_digit_matches_reference(void **state)
{
	char	 d[32];
	int	 i, n10 = 0;

	(void)state;
	assert_int_equal(ident_pcode_check_digit("1611751999"), 7);
	/* A sweep of serials on a few dates against the rule itself. */
	for (i = 0; i < 3000; i++) {
		static const char *dates[] = { "161175", "010190", "311299" };

		(void)snprintf(d, sizeof(d), "%s%d%03d", dates[i / 1000],
		    1 + (i % 2), i % 1000);
		if (ref_check(d) == 10) {
			assert_int_equal(ident_pcode_check_digit(d), -1);
			n10++;
		} else
			assert_int_equal(ident_pcode_check_digit(d),
			    ref_check(d));
	}
	/* About one in eleven has no valid check digit. */
	assert_true(n10 > 150 && n10 < 400);
}

static void
test_pcode_remainder_10(void **state)
{
	char	 d[32], code[32];
	int	 serial, last, found = 0;

	(void)state;
	/* Find a 16 Nov 1975 serial whose check digit would be 10. */
	for (serial = 0; serial < 1000 && !found; serial++) {
		(void)snprintf(d, sizeof(d), "1611751%03d", serial);
		if (ref_check(d) == 10)
			found = 1;
	}
	assert_true(found);
	assert_int_equal(ident_pcode_check_digit(d), -1);
	/* No eleventh digit makes it valid. */
	for (last = 0; last <= 9; last++) {
		(void)snprintf(code, sizeof(code), "%.6s-%.4s%d", d, d + 6,
		    last);
		pcode_bad(code);
	}
}

static void
test_pcode_dates(void **state)
{
	(void)state;
	/* 29 February: 1996 and 2000 are leap years, 1900 and 2001 not. */
	pcode_ok("290296-10005", "290296-10005", IDENT_PCODE_OLD);
	pcode_ok("290200-20009", "290200-20009", IDENT_PCODE_OLD);
	pcode_bad("290200-10003");
	pcode_bad("290201-20018");
	pcode_bad_because("290200-10003", "date");
	/* Month 13, month 0 and day 0. */
	pcode_bad("011375-19997");
	pcode_bad("010075-19997");
	pcode_bad("001175-19997");
}

/*
 * Regression (a bug once, common/ident.c, ident_pcode_parse): an old-form code of someone born
 * on the 30th or 31st starts with "30" or "31" and is treated as a new-form
 * code, then refused because its second digit is not 2-9.
 */
static void
test_pcode_old_form_day_30_31(void **state)
{
	(void)state;
	pcode_ok("310170-10005", "310170-10005", IDENT_PCODE_OLD);
	pcode_ok("300190-10004", "300190-10004", IDENT_PCODE_OLD);
	pcode_ok("311299-10008", "311299-10008", IDENT_PCODE_OLD);
	pcode_ok("311099-10000", "311099-10000", IDENT_PCODE_OLD);
	pcode_ok("3101 70 10005", "310170-10005", IDENT_PCODE_OLD);
	/* 31 February, 31 April, 30 February 1996: checksum right, the date
	 * wrong, and that is what the message must say. */
	pcode_bad_because("310270-10009", "date");
	pcode_bad_because("310470-10006", "date");
	pcode_bad_because("300296-10003", "date");
}

static void
test_pcode_century(void **state)
{
	(void)state;
	/* Century digit 0 (1800s) and 2 (2000s) are valid. */
	pcode_ok("010100-00018", "010100-00018", IDENT_PCODE_OLD);
	pcode_ok("161175-00006", "161175-00006", IDENT_PCODE_OLD);
	pcode_ok("161175-20007", "161175-20007", IDENT_PCODE_OLD);
	pcode_ok("010105-20005", "010105-20005", IDENT_PCODE_OLD);
	/* Century digit 3 (checksum right for it) is unknown. */
	pcode_bad_because("161175-30002", "century");
	pcode_bad("161175-49997");
	/* "30"/"31" with an impossible date or bad checksum: refused. */
	pcode_bad("31000000000");
	pcode_bad("30130012345");
	pcode_bad("310170-10006");
}

static void
test_pcode_new_form(void **state)
{
	int	 second;
	char	 in[32], want[32];

	(void)state;
	/* Every second digit 2-9, no checksum. */
	for (second = 2; second <= 9; second++) {
		(void)snprintf(in, sizeof(in), "3%d123456789", second);
		(void)snprintf(want, sizeof(want), "3%d1234-56789", second);
		pcode_ok(in, want, IDENT_PCODE_NEW);
	}
	pcode_ok("32111111111", "321111-11111", IDENT_PCODE_NEW);
	pcode_ok("39000000000", "390000-00000", IDENT_PCODE_NEW);
	pcode_ok("397654-32109", "397654-32109", IDENT_PCODE_NEW);
	pcode_ok(" 3912 3456 789", "391234-56789", IDENT_PCODE_NEW);
}

static void
test_pcode_malformed(void **state)
{
	(void)state;
	pcode_bad("");
	pcode_bad("1611751999");	/* 10 digits */
	pcode_bad("161175199970");	/* 12 digits */
	pcode_bad("161175-1999");
	pcode_bad("161175-199970");
	pcode_bad("16117A-19997");
	pcode_bad("32123456a89");
	pcode_bad("abcdef-ghijk");
	pcode_bad("161175/19997");
	pcode_bad("1611751999712345678901234567890");
}

static void
test_pcode_birth_date(void **state)
{
	char	 buf[16];

	(void)state;
	assert_int_equal(ident_pcode_birth_date("161175-19997", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "1975-11-16");
	assert_int_equal(ident_pcode_birth_date("290200-20009", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2000-02-29");
	assert_int_equal(ident_pcode_birth_date("010100-00018", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "1800-01-01");
	assert_int_equal(ident_pcode_birth_date("010105-20005", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2005-01-01");
	/* The new form carries no date. */
	assert_int_equal(ident_pcode_birth_date("321234-56789", buf,
	    sizeof(buf)), -1);
	/* A buffer too small is refused, not overrun. */
	assert_int_equal(ident_pcode_birth_date("161175-19997", buf, 5), -1);
}

static void
phone_ok(const char *in, const char *want, enum ident_phone_kind wkind)
{
	char		 out[IDENT_PHONE_SIZE];
	enum ident_phone_kind kind = (enum ident_phone_kind)-1;
	const char	*errstr = NULL;

	if (ident_phone_parse(in, out, &kind, &errstr) != 0)
		fail_msg("'%s' refused: %s", in, errstr ? errstr : "?");
	assert_string_equal(out, want);
	assert_int_equal(kind, wkind);
}

static void
phone_bad(const char *in)
{
	char		 out[IDENT_PHONE_SIZE];
	enum ident_phone_kind kind;
	const char	*errstr = NULL;

	if (ident_phone_parse(in, out, &kind, &errstr) == 0)
		fail_msg("'%s' accepted as %s", in, out);
	assert_non_null(errstr);
}

static void
test_phone_mobile_forms(void **state)
{
	(void)state;
	phone_ok("21234567", "+37121234567", IDENT_PHONE_LV_MOBILE);
	phone_ok("37121234567", "+37121234567", IDENT_PHONE_LV_MOBILE);
	phone_ok("+37121234567", "+37121234567", IDENT_PHONE_LV_MOBILE);
	phone_ok("00371 2123 4567", "+37121234567", IDENT_PHONE_LV_MOBILE);
	phone_ok("+371 21 234 567", "+37121234567", IDENT_PHONE_LV_MOBILE);
	phone_ok(" 2123 4567 ", "+37121234567", IDENT_PHONE_LV_MOBILE);
	phone_ok("(+371) 21-23-45-67", "+37121234567",
	    IDENT_PHONE_LV_MOBILE);
	phone_ok("29999999", "+37129999999", IDENT_PHONE_LV_MOBILE);
}

static void
test_phone_fixed_and_invalid(void **state)
{
	(void)state;
	phone_ok("67012345", "+37167012345", IDENT_PHONE_LV_FIXED);
	phone_ok("+371 6701 2345", "+37167012345", IDENT_PHONE_LV_FIXED);
	/* Neither mobile nor fixed. */
	phone_bad("51234567");
	phone_bad("71234567");
	phone_bad("+37151234567");
	phone_bad("0037171234567");
	/* Wrong lengths. */
	phone_bad("2123456");
	phone_bad("212345678");
	phone_bad("+3712123456");
	phone_bad("+371212345678");
	phone_bad("");
	phone_bad("+");
	/* Letters and a second plus. */
	phone_bad("2123456a");
	phone_bad("+371+21234567");
}

static void
test_phone_foreign(void **state)
{
	(void)state;
	phone_ok("+447911123456", "+447911123456", IDENT_PHONE_FOREIGN);
	phone_ok("+44 7911 123456", "+447911123456", IDENT_PHONE_FOREIGN);
	phone_ok("0044 7911 123456", "+447911123456", IDENT_PHONE_FOREIGN);
	phone_ok("+49 151 12345678", "+4915112345678", IDENT_PHONE_FOREIGN);
	/* E.164 allows at most 15 digits. */
	phone_bad("+4915112345678901");
	phone_bad("+0123456789");
}

static void
test_phone_mask(void **state)
{
	char	 buf[64];

	(void)state;
	ident_phone_mask("+37121234512", buf, sizeof(buf));
	assert_string_equal(buf, "+371 2•••••12");
	ident_phone_mask("+37167012398", buf, sizeof(buf));
	assert_string_equal(buf, "+371 6•••••98");
	/* The middle digits never appear. */
	ident_phone_mask("+37129876543", buf, sizeof(buf));
	assert_null(strstr(buf, "98765"));
	assert_null(strstr(buf, "876"));
	assert_non_null(strstr(buf, "43"));
}

static void
iban_ok(const char *in, const char *want)
{
	char		 out[IDENT_IBAN_SIZE];
	const char	*errstr = NULL;

	if (ident_iban_parse(in, out, &errstr) != 0)
		fail_msg("'%s' refused: %s", in, errstr ? errstr : "?");
	assert_string_equal(out, want);
}

static const char *
iban_bad(const char *in)
{
	char		 out[IDENT_IBAN_SIZE];
	const char	*errstr = NULL;

	if (ident_iban_parse(in, out, &errstr) == 0)
		fail_msg("'%s' accepted as %s", in, out);
	assert_non_null(errstr);
	return errstr;
}

static void
test_iban(void **state)
{
	char	 s[32];
	int	 i;

	(void)state;
	iban_ok("LV89RIKO0023300000000", "LV89RIKO0023300000000");
	iban_ok("LV89 RIKO 0023 3000 0000 0", "LV89RIKO0023300000000");
	iban_ok("lv89riko0023300000000", "LV89RIKO0023300000000");
	iban_ok("lv89 riko 0023 3000 0000 0", "LV89RIKO0023300000000");
	iban_ok("DE89370400440532013000", "DE89370400440532013000");
	iban_ok("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432");
	iban_ok("EE382200221020145685", "EE382200221020145685");
	/* The reference agrees that the Rīga account is valid. */
	assert_int_equal(ref_mod97("RIKO0023300000000LV89"), 1);
	/* Any single digit changed in the account part is caught. */
	for (i = 8; i < 21; i++) {
		(void)snprintf(s, sizeof(s), "LV89RIKO0023300000000");
		s[i] = s[i] == '9' ? '0' : (char)(s[i] + 1);
		iban_bad(s);
	}
	iban_bad("LV88RIKO0023300000000");
	iban_bad("LV89RIKO0023300000001");
}

static void
test_iban_structure(void **state)
{
	const char	*e;

	(void)state;
	e = iban_bad("LV89RIKO002330000000");		/* 20 */
	assert_non_null(strstr(e, "length"));
	e = iban_bad("LV89RIKO00233000000000");		/* 22 */
	assert_non_null(strstr(e, "length"));
	e = iban_bad("XX89RIKO0023300000000");
	assert_non_null(strstr(e, "country"));
	iban_bad("");
	iban_bad("LV");
	iban_bad("89RIKO0023300000000LV");
	iban_bad("LV89RIKO00233000000*0");
	/* A Latvian IBAN's bank code is four letters. */
	iban_bad("LV1212340023300000000");
	iban_bad("LV89RIKO0023300000000000000000000000000");
}

static void
test_iban_format(void **state)
{
	char	 buf[64], small[8];

	(void)state;
	ident_iban_format("LV89RIKO0023300000000", buf, sizeof(buf));
	assert_string_equal(buf, "LV89 RIKO 0023 3000 0000 0");
	ident_iban_format("DE89370400440532013000", buf, sizeof(buf));
	assert_string_equal(buf, "DE89 3704 0044 0532 0130 00");
	ident_iban_format("LV89", buf, sizeof(buf));
	assert_string_equal(buf, "LV89");
	/* A short buffer is cut, never overrun. */
	memset(small, 'x', sizeof(small));
	ident_iban_format("LV89RIKO0023300000000", small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
	assert_memory_equal(small, "LV89 R", 6);
}

static void
rf_ok(const char *in, const char *want)
{
	char		 out[IDENT_RF_SIZE];
	const char	*errstr = NULL;

	if (ident_rf_parse(in, out, &errstr) != 0)
		fail_msg("'%s' refused: %s", in, errstr ? errstr : "?");
	assert_string_equal(out, want);
}

static void
rf_bad(const char *in)
{
	char		 out[IDENT_RF_SIZE];
	const char	*errstr = NULL;

	if (ident_rf_parse(in, out, &errstr) == 0)
		fail_msg("'%s' accepted as %s", in, out);
	assert_non_null(errstr);
}

static void
test_rf_parse(void **state)
{
	int	 cc;
	char	 s[32];

	(void)state;
	rf_ok("RF18539007547034", "RF18539007547034");
	rf_ok("rf18539007547034", "RF18539007547034");
	rf_ok("RF18 5390 0754 7034", "RF18539007547034");
	rf_bad("RF17539007547034");
	/* Only 18 is right for this body. */
	for (cc = 0; cc <= 99; cc++) {
		char		 out[IDENT_RF_SIZE];
		const char	*errstr;

		(void)snprintf(s, sizeof(s), "RF%02d539007547034", cc);
		assert_int_equal(ident_rf_parse(s, out, &errstr) == 0,
		    cc == 18);
	}
	rf_bad("");
	rf_bad("RF18");
	rf_bad("XY18539007547034");
	rf_bad("RFAB539007547034");
	rf_bad("RF18539007547034*");
	/* Body longer than 21. */
	rf_bad("RF00AAAAAAAAAAAAAAAAAAAAAA");
}

static void
test_rf_make(void **state)
{
	char		 out[IDENT_RF_SIZE], back[IDENT_RF_SIZE], body[32];
	char		 chk[64];
	const char	*errstr = NULL;
	int		 i;

	(void)state;
	assert_int_equal(ident_rf_make("539007547034", out, &errstr), 0);
	assert_string_equal(out, "RF18539007547034");
	assert_int_equal(ident_rf_make("abc", out, &errstr), 0);
	assert_string_equal(out, "RF45ABC");
	/* 21 characters is the maximum, 22 is refused. */
	assert_int_equal(ident_rf_make("AAAAAAAAAAAAAAAAAAAAA", out, &errstr),
	    0);
	assert_string_equal(out, "RF47AAAAAAAAAAAAAAAAAAAAA");
	rf_ok(out, "RF47AAAAAAAAAAAAAAAAAAAAA");
	errstr = NULL;
	assert_int_equal(ident_rf_make("AAAAAAAAAAAAAAAAAAAAAA", out, &errstr),
	    -1);
	assert_non_null(errstr);
	errstr = NULL;
	assert_int_equal(ident_rf_make("", out, &errstr), -1);
	assert_non_null(errstr);
	assert_int_equal(ident_rf_make("12*4", out, &errstr), -1);
	/* Made references parse, and agree with the reference mod 97. */
	for (i = 0; i < 500; i++) {
		(void)snprintf(body, sizeof(body), "%d%c%d", i * 7919,
		    'A' + i % 26, i);
		assert_int_equal(ident_rf_make(body, out, &errstr), 0);
		rf_ok(out, out);
		(void)snprintf(chk, sizeof(chk), "%sRF00", out + 4);
		assert_int_equal(98 - ref_mod97(chk),
		    (out[2] - '0') * 10 + (out[3] - '0'));
		assert_int_equal(ident_rf_parse(out, back, &errstr), 0);
		assert_string_equal(back, out);
	}
}

/* Every prefix of a valid code passes; a wrong digit fails where typed. */
static void
test_pcode_prefix(void **state)
{
	static const char *good[] = { "16117519997", "31129929995",
	    "30018729996", "32579461005", "39999999999", "29020020007" };
	static const struct {
		const char	*digits;
		size_t		 bad_at;	/* the length where it fails */
	} bad[] = {
		{ "45", 2 }, { "00", 2 }, { "0113", 4 }, { "3002", 4 },
		{ "3104", 4 }, { "1501993", 7 }, { "2902011", 7 },
		{ "2902002", 0 }, { "290219", 0 },
	};
	const char	*errstr;
	size_t		 i, n, len;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		for (n = 0; n <= 11; n++)
			assert_int_equal(ident_pcode_prefix(good[i], n,
			    &errstr), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = strlen(bad[i].digits);
		for (n = 0; n <= len; n++) {
			int want = bad[i].bad_at != 0 && n >= bad[i].bad_at ?
			    -1 : 0;

			assert_int_equal(ident_pcode_prefix(bad[i].digits, n,
			    &errstr), want);
		}
	}
	errstr = NULL;
	assert_int_equal(ident_pcode_prefix("0113", 4, &errstr), -1);
	assert_string_equal(errstr,
	    "personal code does not start with a real date");
	assert_int_equal(ident_pcode_prefix("1501993", 7, &errstr), -1);
	assert_string_equal(errstr,
	    "personal code has an unknown century digit");
	assert_int_equal(ident_pcode_prefix("12a", 3, &errstr), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcode_prefix),
		cmocka_unit_test(test_pcode_vector),
		cmocka_unit_test(test_pcode_check_digit_matches_reference),
		cmocka_unit_test(test_pcode_remainder_10),
		cmocka_unit_test(test_pcode_dates),
		cmocka_unit_test(test_pcode_old_form_day_30_31),
		cmocka_unit_test(test_pcode_century),
		cmocka_unit_test(test_pcode_new_form),
		cmocka_unit_test(test_pcode_malformed),
		cmocka_unit_test(test_pcode_birth_date),
		cmocka_unit_test(test_phone_mobile_forms),
		cmocka_unit_test(test_phone_fixed_and_invalid),
		cmocka_unit_test(test_phone_foreign),
		cmocka_unit_test(test_phone_mask),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_iban_structure),
		cmocka_unit_test(test_iban_format),
		cmocka_unit_test(test_rf_parse),
		cmocka_unit_test(test_rf_make),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
