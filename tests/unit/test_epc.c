/*
 * test_epc: EPC QR payloads — the standard's own examples, a Latvian
 * payment, the 331-byte limit, one failure per invalid field, the short
 * form for small screens and the parser's round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "epc.h"
#include "ident.h"
#include "util.h"

#define LV_NAME		"Rīgas valstspilsētas pašvaldība"
#define LV_IBAN		"LV89RIKO0023300000000"
#define LV_RF		"RF18539007547034"

/* EPC069-12, example 1: version 001, UTF-8, BIC, purpose, RF reference. */
static const char example1[] =
    "BCD\n001\n1\nSCT\nBHBLDEHHXXX\nFranz Musterm\xc3\xa4nn\n"
    "DE71110220330123456789\nEUR12.3\nGDDS\nRF18539007547034";
/* EPC069-12, example 2: version 002, ISO 8859-1 (ç is one byte), no BIC. */
static const char example2[] =
    "BCD\n002\n2\nSCT\n\nFran\xe7ois D'Alsace S.A.\n"
    "FR1420041010050500013M02606\nEUR12.3\n\n\nClient:Marie Louise La Lune";

static const char lv_payload[] =
    "BCD\n002\n1\nSCT\n\n" LV_NAME "\n" LV_IBAN "\nEUR10.00\n\n" LV_RF;

static struct epc_transfer
lv_transfer(void)
{
	struct epc_transfer	 t;

	memset(&t, 0, sizeof(t));
	t.name = LV_NAME;
	t.iban = LV_IBAN;
	t.cents = 1000;
	t.reference = LV_RF;
	return t;
}

/* Build t and expect exactly want. */
static void
build_is(const struct epc_transfer *t, const char *want)
{
	char		 buf[EPC_PAYLOAD_SIZE];
	const char	*errstr = NULL;
	size_t		 len = 0;

	if (epc_build(t, buf, sizeof(buf), &len, &errstr) == -1)
		fail_msg("epc_build: %s", errstr);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

static void
build_fails(const struct epc_transfer *t, const char *want)
{
	char		 buf[EPC_PAYLOAD_SIZE];
	const char	*errstr = NULL;
	size_t		 len;

	assert_int_equal(epc_build(t, buf, sizeof(buf), &len, &errstr), -1);
	assert_non_null(errstr);
	assert_string_equal(errstr, want);
}

static void
parse_fails(const char *payload, size_t len, const char *want)
{
	struct epc_fields	 f;
	const char		*errstr = NULL;

	assert_int_equal(epc_parse(payload, len, &f, &errstr), -1);
	assert_non_null(errstr);
	assert_string_equal(errstr, want);
}

static void
test_standard_example1(void **state)
{
	struct epc_fields	 f;
	struct epc_transfer	 t;
	const char		*errstr = NULL;

	(void)state;
	assert_int_equal(strlen(example1), 96);
	if (epc_parse(example1, strlen(example1), &f, &errstr) == -1)
		fail_msg("epc_parse: %s", errstr);
	assert_int_equal(f.version, 1);
	assert_int_equal(f.charset, 1);
	assert_string_equal(f.bic, "BHBLDEHHXXX");
	assert_string_equal(f.name, "Franz Musterm\xc3\xa4nn");
	assert_string_equal(f.iban, "DE71110220330123456789");
	assert_int_equal(f.cents, 1230);
	assert_string_equal(f.purpose, "GDDS");
	assert_string_equal(f.reference, "RF18539007547034");
	assert_string_equal(f.text, "");
	assert_string_equal(f.info, "");

	/* Our form of it: version 002 and two decimals, one byte more. */
	memset(&t, 0, sizeof(t));
	t.bic = f.bic;
	t.name = f.name;
	t.iban = f.iban;
	t.cents = f.cents;
	t.purpose = f.purpose;
	t.reference = f.reference;
	build_is(&t, "BCD\n002\n1\nSCT\nBHBLDEHHXXX\nFranz Musterm\xc3\xa4nn\n"
	    "DE71110220330123456789\nEUR12.30\nGDDS\nRF18539007547034");
}

static void
test_standard_example2(void **state)
{
	struct epc_fields	 f;
	struct epc_transfer	 t;
	const char		*errstr = NULL;

	(void)state;
	assert_int_equal(strlen(example2), 103);
	if (epc_parse(example2, strlen(example2), &f, &errstr) == -1)
		fail_msg("epc_parse: %s", errstr);
	assert_int_equal(f.version, 2);
	assert_int_equal(f.charset, 2);
	assert_string_equal(f.bic, "");
	assert_string_equal(f.name, "Fran\xe7ois D'Alsace S.A.");
	assert_string_equal(f.iban, "FR1420041010050500013M02606");
	assert_int_equal(f.cents, 1230);
	assert_string_equal(f.purpose, "");
	assert_string_equal(f.reference, "");
	assert_string_equal(f.text, "Client:Marie Louise La Lune");

	/* We write UTF-8 only: the Latin-1 name must be refused... */
	memset(&t, 0, sizeof(t));
	t.name = f.name;
	t.iban = f.iban;
	t.cents = f.cents;
	t.text = f.text;
	build_fails(&t, "beneficiary name is not valid UTF-8");
	/* ...and in UTF-8 it is the same transfer, 105 bytes. */
	t.name = "Fran\xc3\xa7ois D'Alsace S.A.";
	build_is(&t, "BCD\n002\n1\nSCT\n\nFran\xc3\xa7ois D'Alsace S.A.\n"
	    "FR1420041010050500013M02606\nEUR12.30\n\n\n"
	    "Client:Marie Louise La Lune");
}

static void
test_latvian(void **state)
{
	struct epc_transfer	 t = lv_transfer();
	struct epc_fields	 f;
	const char		*errstr = NULL;

	(void)state;
	build_is(&t, lv_payload);
	assert_int_equal(strlen(lv_payload), 99);

	/* As people type them: grouped, lower case. */
	t.iban = "lv89 riko 0023 3000 0000 0";
	t.reference = "rf18 5390 0754 7034";
	build_is(&t, lv_payload);

	if (epc_parse(lv_payload, strlen(lv_payload), &f, &errstr) == -1)
		fail_msg("epc_parse: %s", errstr);
	assert_int_equal(f.version, 2);
	assert_int_equal(f.charset, 1);
	assert_string_equal(f.name, LV_NAME);
	assert_string_equal(f.iban, LV_IBAN);
	assert_int_equal(f.cents, 1000);
	assert_string_equal(f.reference, LV_RF);
}

static void
test_amounts(void **state)
{
	struct epc_transfer	 t = lv_transfer();

	(void)state;
	t.reference = NULL;
	t.cents = 1;
	build_is(&t, "BCD\n002\n1\nSCT\n\n" LV_NAME "\n" LV_IBAN "\nEUR0.01");
	t.cents = EPC_CENTS_MAX;
	build_is(&t, "BCD\n002\n1\nSCT\n\n" LV_NAME "\n" LV_IBAN
	    "\nEUR999999999.99");
	t.cents = 100;
	build_is(&t, "BCD\n002\n1\nSCT\n\n" LV_NAME "\n" LV_IBAN "\nEUR1.00");
	t.cents = 0;
	build_fails(&t, "amount must be at least EUR 0.01");
	t.cents = -500;
	build_fails(&t, "amount must be at least EUR 0.01");
	t.cents = EPC_CENTS_MAX + 1;
	build_fails(&t, "amount must be at most EUR 999999999.99");
}

/* Trailing empty fields are left out; inner ones stay as empty lines. */
static void
test_trailing_fields(void **state)
{
	struct epc_transfer	 t = lv_transfer();

	(void)state;
	t.reference = NULL;
	t.info = "Suņu nodeva";
	build_is(&t, "BCD\n002\n1\nSCT\n\n" LV_NAME "\n" LV_IBAN
	    "\nEUR10.00\n\n\n\nSuņu nodeva");
	t.info = "";
	t.purpose = "GOVT";
	build_is(&t, "BCD\n002\n1\nSCT\n\n" LV_NAME "\n" LV_IBAN
	    "\nEUR10.00\nGOVT");
	t.bic = "rikolv2x";
	t.purpose = NULL;
	t.text = "Suņu nodeva 2025";
	build_is(&t, "BCD\n002\n1\nSCT\nRIKOLV2X\n" LV_NAME "\n" LV_IBAN
	    "\nEUR10.00\n\n\nSuņu nodeva 2025");
}

/* Fill a transfer whose payload is exactly `total` bytes long. */
static void
sized_transfer(struct epc_transfer *t, size_t total, char *name,
    char *text, char *info)
{
	/* Everything but the text: 213 bytes with these fields. */
	const size_t	 fixed = 213;

	memset(t, 0, sizeof(*t));
	memset(name, 'N', 70);
	name[70] = '\0';
	memset(info, 'I', 70);
	info[70] = '\0';
	memset(text, 'T', total - fixed);
	text[total - fixed] = '\0';
	t->bic = "BHBLDEHHXXX";
	t->name = name;
	t->iban = "DE71110220330123456789";
	t->cents = EPC_CENTS_MAX;
	t->purpose = "GDDS";
	t->text = text;
	t->info = info;
}

static void
test_limit_331(void **state)
{
	struct epc_transfer	 t;
	struct epc_fields	 f;
	char			 name[80], text[200], info[80];
	char			 buf[EPC_PAYLOAD_SIZE], big[400];
	const char		*errstr = NULL;
	size_t			 len = 0;

	(void)state;
	sized_transfer(&t, 331, name, text, info);
	if (epc_build(&t, buf, sizeof(buf), &len, &errstr) == -1)
		fail_msg("331 bytes: %s", errstr);
	assert_int_equal(len, 331);
	assert_int_equal(strlen(buf), 331);
	if (epc_parse(buf, len, &f, &errstr) == -1)
		fail_msg("parse 331 bytes: %s", errstr);
	assert_string_equal(f.text, text);
	assert_string_equal(f.info, info);

	/* One byte more: every field within its own limit, the whole not. */
	sized_transfer(&t, 332, name, text, info);
	build_fails(&t, "payment details are longer than the 331 bytes an EPC "
	    "QR code may hold");
	memcpy(big, buf, len);
	big[len] = 'T';
	parse_fails(big, 332, "payload is longer than 331 bytes");

	/* A caller's buffer one byte short is refused, never overrun. */
	sized_transfer(&t, 331, name, text, info);
	assert_int_equal(epc_build(&t, buf, 331, &len, &errstr), -1);
	assert_string_equal(errstr, "payload buffer is too small");
}

/* Limits count characters, not bytes: 70 ā (140 bytes) is a valid name. */
static void
test_characters_not_bytes(void **state)
{
	struct epc_transfer	 t = lv_transfer();
	char			 name70[200], name71[200];
	char			 buf[EPC_PAYLOAD_SIZE];
	const char		*errstr;
	size_t			 len;
	int			 i;

	(void)state;
	for (i = 0; i < 71; i++) {
		memcpy(name70 + 2 * i, "\xc4\x81", 2);
		memcpy(name71 + 2 * i, "\xc4\x81", 2);
	}
	name70[140] = '\0';
	name71[142] = '\0';
	t.name = name70;
	if (epc_build(&t, buf, sizeof(buf), &len, &errstr) == -1)
		fail_msg("70 characters: %s", errstr);
	t.name = name71;
	build_fails(&t, "beneficiary name is longer than 70 characters");
}

static void
test_invalid_fields(void **state)
{
	struct epc_transfer	 t;
	char			 longer[200];

	(void)state;
	memset(longer, 'x', sizeof(longer));

	t = lv_transfer();
	t.name = NULL;
	build_fails(&t, "beneficiary name is empty");
	t.name = "   ";
	build_fails(&t, "beneficiary name is empty");
	t.name = "Rīgas\nvalstspilsēta";
	build_fails(&t, "beneficiary name contains a line break or another "
	    "control character");
	t.name = "R\xc4gas";
	build_fails(&t, "beneficiary name is not valid UTF-8");
	longer[71] = '\0';
	t.name = longer;
	build_fails(&t, "beneficiary name is longer than 70 characters");
	longer[71] = 'x';

	t = lv_transfer();
	t.bic = "RIKOLV2";
	build_fails(&t, "BIC must have 8 or 11 letters and digits");
	t.bic = "RIKOLV2XX";
	build_fails(&t, "BIC must have 8 or 11 letters and digits");
	t.bic = "RIKO-V2X";
	build_fails(&t, "BIC must have 8 or 11 letters and digits");
	t.bic = "RIKO12XX";
	build_fails(&t, "BIC must have a country code as its 5th and 6th "
	    "characters");

	t = lv_transfer();
	t.iban = NULL;
	build_fails(&t, "IBAN is missing");
	t.iban = "LV88RIKO0023300000000";
	build_fails(&t, "IBAN check digits do not match");
	t.iban = "LV89RIKO002330000000";
	build_fails(&t, "IBAN has the wrong length for its country");
	t.iban = "XX89RIKO0023300000000";
	build_fails(&t, "IBAN country is not supported");

	t = lv_transfer();
	t.purpose = "GOVTX";
	build_fails(&t, "purpose code must be 1-4 letters or digits");
	t.purpose = "GO-V";
	build_fails(&t, "purpose code must be 1-4 letters or digits");

	t = lv_transfer();
	t.reference = "RF17539007547034";
	build_fails(&t, "RF reference check digits do not match");
	t.reference = "539007547034";
	build_fails(&t, "RF reference must start with RF and two check "
	    "digits");
	t.reference = LV_RF;
	t.text = "Suņu nodeva";
	build_fails(&t, "give either an RF reference or remittance text, "
	    "not both");

	t = lv_transfer();
	t.reference = NULL;
	longer[141] = '\0';
	t.text = longer;
	build_fails(&t, "remittance text is longer than 140 characters");
	longer[141] = 'x';
	t.text = "Suņu\rnodeva";
	build_fails(&t, "remittance text contains a line break or another "
	    "control character");

	t = lv_transfer();
	longer[71] = '\0';
	t.info = longer;
	build_fails(&t, "information for the payer is longer than 70 "
	    "characters");
	t.info = "a\tb";
	build_fails(&t, "information for the payer contains a line break or "
	    "another control character");
}

static void
short_is(const struct epc_transfer *t, const char *short_name,
    size_t max_len, const char *want)
{
	char		 buf[EPC_PAYLOAD_SIZE];
	const char	*errstr = NULL;
	size_t		 len = 0;

	if (epc_build_short(t, short_name, max_len, buf, sizeof(buf), &len,
	    &errstr) == -1)
		fail_msg("epc_build_short(%zu): %s", max_len, errstr);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
	assert_true(len <= max_len);
}

static void
short_fails(const struct epc_transfer *t, const char *short_name,
    size_t max_len, const char *want)
{
	char		 buf[EPC_PAYLOAD_SIZE];
	const char	*errstr = NULL;
	size_t		 len;

	assert_int_equal(epc_build_short(t, short_name, max_len, buf,
	    sizeof(buf), &len, &errstr), -1);
	assert_string_equal(errstr, want);
}

#define LV_HEAD		"BCD\n002\n1\nSCT\n\n"
#define LV_TAIL		"\n" LV_IBAN "\nEUR10.00\n\n" LV_RF

static void
test_short_form(void **state)
{
	struct epc_transfer	 t = lv_transfer();
	char			 longname[160];

	(void)state;
	/* BIC, purpose and info go even when there is room for them. */
	t.bic = "RIKOLV2X";
	t.purpose = "GOVT";
	t.info = "Paldies";
	short_is(&t, NULL, EPC_PAYLOAD_MAX, lv_payload);

	/* The configured short name wins over the full one. */
	short_is(&t, "Rīgas pašvaldība", 84,
	    LV_HEAD "Rīgas pašvaldība" LV_TAIL);

	/* No short name: the full name, cut a word at a time to fit. */
	short_is(&t, NULL, 99, lv_payload);
	short_is(&t, NULL, 98, LV_HEAD "Rīgas valstspilsētas" LV_TAIL);
	short_is(&t, NULL, 86, LV_HEAD "Rīgas valstspilsētas" LV_TAIL);
	short_is(&t, NULL, 85, LV_HEAD "Rīgas" LV_TAIL);
	short_is(&t, NULL, 84, LV_HEAD "Rīgas" LV_TAIL);
	short_is(&t, NULL, 70, LV_HEAD "Rīgas" LV_TAIL);
	short_fails(&t, NULL, 69, "beneficiary name cannot be shortened at "
	    "a word boundary to fit the space for the QR code");
	short_fails(&t, NULL, 65, "beneficiary name cannot be shortened at "
	    "a word boundary to fit the space for the QR code");
	/* IBAN, amount and reference with a one-letter name: 65 bytes. */
	short_fails(&t, NULL, 64, "IBAN, amount and reference alone do not "
	    "fit the space for the QR code");

	/* Separators left dangling by the cut are dropped. */
	short_is(&t, "SIA Ūdens, Siltums", 84,
	    LV_HEAD "SIA Ūdens, Siltums" LV_TAIL);
	short_is(&t, "SIA Ūdens, Siltums", 77, LV_HEAD "SIA Ūdens" LV_TAIL);

	/* A short name over 70 characters is cut like any other. */
	memset(longname, 'a', 60);
	memcpy(longname + 60, " bbbbbbbbbbbbbbbbbbbb", 22);
	short_is(&t, longname, EPC_PAYLOAD_MAX, LV_HEAD
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    LV_TAIL);

	/* Unstructured text is the reference when there is no RF. */
	t.reference = NULL;
	t.text = "NIN 2025-1 12345";
	short_is(&t, "Rīga", 84, LV_HEAD "Rīga\n" LV_IBAN
	    "\nEUR10.00\n\n\nNIN 2025-1 12345");

	/* The rest is checked as in the full form. */
	t = lv_transfer();
	t.iban = "LV00RIKO0023300000000";
	short_fails(&t, NULL, 84, "IBAN check digits do not match");
	t = lv_transfer();
	short_fails(&t, "Rīga\n", 84, "beneficiary name contains a line break "
	    "or another control character");
}

static void
test_parse_forms(void **state)
{
	struct epc_fields	 f;
	const char		*errstr = NULL;
	const char		*crlf = "BCD\r\n002\r\n1\r\nSCT\r\n\r\nRīga\r\n"
	    LV_IBAN "\r\nEUR5\r\n\r\n" LV_RF "\r\n";
	const char		*nl = "BCD\n002\n1\nSCT\n\nRīga\n" LV_IBAN "\n";

	(void)state;
	if (epc_parse(crlf, strlen(crlf), &f, &errstr) == -1)
		fail_msg("CRLF: %s", errstr);
	assert_string_equal(f.name, "Rīga");
	assert_int_equal(f.cents, 500);
	assert_string_equal(f.reference, LV_RF);
	if (epc_parse(nl, strlen(nl), &f, &errstr) == -1)
		fail_msg("final newline: %s", errstr);
	assert_int_equal(f.cents, 0);
	assert_string_equal(f.iban, LV_IBAN);
}

static void
test_parse_invalid(void **state)
{
	static const struct {
		const char	*payload;
		const char	*err;
	} bad[] = {
		{ "", "payload is empty" },
		{ "BCE\n002\n1\nSCT\n\nX\n" LV_IBAN,
		    "payload does not start with the service tag BCD" },
		{ "BCD\n003\n1\nSCT\n\nX\n" LV_IBAN,
		    "payload version must be 001 or 002" },
		{ "BCD\n002\n9\nSCT\n\nX\n" LV_IBAN,
		    "character set must be a digit from 1 to 8" },
		{ "BCD\n002\n1\nSCX\n\nX\n" LV_IBAN,
		    "identification must be SCT" },
		{ "BCD\n002\n1\nSCT\n\nX", "payload ends before the "
		    "beneficiary's IBAN" },
		{ "BCD\n001\n1\nSCT\n\nX\n" LV_IBAN,
		    "BIC is required in version 001" },
		{ "BCD\n002\n1\nSCT\nRIKO\nX\n" LV_IBAN,
		    "BIC must have 8 or 11 letters and digits" },
		{ "BCD\n002\n1\nSCT\n\n\n" LV_IBAN,
		    "beneficiary name is empty" },
		{ "BCD\n002\n1\nSCT\n\nX\n\nEUR1",
		    "IBAN is missing" },
		{ "BCD\n002\n1\nSCT\n\nX\nLV89 RIKO 0023 3000 0000 0",
		    "IBAN must be written in capitals without spaces" },
		{ "BCD\n002\n1\nSCT\n\nX\nLV88RIKO0023300000000",
		    "IBAN check digits do not match" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\n12.30",
		    "amount must be EUR followed by a number like 12.34" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR",
		    "amount must be EUR followed by a number like 12.34" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR12,30",
		    "amount must be EUR followed by a number like 12.34" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR12.",
		    "amount must have one or two decimals after its point" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR12.345",
		    "amount must have one or two decimals after its point" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR0.00",
		    "amount must be at least EUR 0.01" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR1000000000.00",
		    "amount must be at most EUR 999999999.99" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR1\nGOVTX",
		    "purpose code must be 1-4 letters or digits" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR1\n\n" LV_RF "\nT",
		    "payload has both a structured reference and remittance "
		    "text" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR1\n\n"
		    "RF18 5390 0754 7034 5390 0754 7034 53",
		    "structured reference is longer than 35 characters" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR1\n\n\n\ni\n\n",
		    "payload has more than 12 lines" },
		{ "BCD\n002\n1\nSCT\n\nX\n" LV_IBAN "\nEUR1\n\n\n\ni\nj",
		    "payload has more than 12 lines" },
		{ "BCD\n002\n1\nSCT\n\nR\xc4gas\n" LV_IBAN,
		    "beneficiary name is not valid UTF-8" },
		{ "BCD\n002\n1\nSCT\n\nR\rgas\n" LV_IBAN,
		    "beneficiary name contains a line break or another "
		    "control character" },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < nitems(bad); i++)
		parse_fails(bad[i].payload, strlen(bad[i].payload), bad[i].err);
	parse_fails("BCD\n002\n1\0SCT", 13, "payload contains a NUL byte");
}

/* Whatever we build parses back to the same fields and builds the same. */
static void
test_round_trip(void **state)
{
	struct epc_transfer	 ts[4], r;
	struct epc_fields	 f;
	char			 buf[EPC_PAYLOAD_SIZE], again[EPC_PAYLOAD_SIZE];
	const char		*errstr = NULL;
	size_t			 i, len, len2;

	(void)state;
	for (i = 0; i < nitems(ts); i++)
		ts[i] = lv_transfer();
	ts[1].bic = "RIKOLV2XXXX";
	ts[1].purpose = "GOVT";
	ts[1].info = "Paldies! Ja jautājumi: 67012345";
	ts[2].reference = NULL;
	ts[2].text = "Nekustamā īpašuma nodoklis 2025, 1. ceturksnis";
	ts[2].cents = 123456789;
	ts[3].name = "Dobeles novada pašvaldība";
	ts[3].iban = "LV02RIKO0000000000069";
	ts[3].cents = 5;
	for (i = 0; i < nitems(ts); i++) {
		if (epc_build(&ts[i], buf, sizeof(buf), &len, &errstr) == -1)
			fail_msg("build %zu: %s", i, errstr);
		if (epc_parse(buf, len, &f, &errstr) == -1)
			fail_msg("parse %zu: %s", i, errstr);
		memset(&r, 0, sizeof(r));
		r.bic = f.bic;
		r.name = f.name;
		r.iban = f.iban;
		r.cents = f.cents;
		r.purpose = f.purpose;
		r.reference = f.reference;
		r.text = f.text;
		r.info = f.info;
		if (epc_build(&r, again, sizeof(again), &len2, &errstr) == -1)
			fail_msg("rebuild %zu: %s", i, errstr);
		assert_int_equal(len, len2);
		assert_memory_equal(buf, again, len);
		assert_int_equal(f.cents, ts[i].cents);
	}
}

/* The identifiers the payload leans on (common/ident). */
static void
test_iban_rf_vectors(void **state)
{
	static const char *good_iban[] = {
		LV_IBAN, "DE71110220330123456789", "FR1420041010050500013M02606",
		"BE68539007547034", "NL91ABNA0417164300", "EE382200221020145685",
		"LT121000011101001000",
	};
	static const char *bad_iban[] = {
		"LV89RIKO0023300000001", "LV89RIK00023300000000",
		"DE71110220330123456788", "LV89RIKO002330000000",
	};
	char		 out[IDENT_IBAN_SIZE], rf[IDENT_RF_SIZE];
	const char	*errstr;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(good_iban); i++)
		if (ident_iban_parse(good_iban[i], out, &errstr) == -1)
			fail_msg("%s: %s", good_iban[i], errstr);
	for (i = 0; i < nitems(bad_iban); i++)
		assert_int_equal(ident_iban_parse(bad_iban[i], out, &errstr),
		    -1);
	assert_int_equal(ident_rf_parse(LV_RF, rf, &errstr), 0);
	assert_int_equal(ident_rf_parse("RF17539007547034", rf, &errstr), -1);
	assert_int_equal(ident_rf_make("539007547034", rf, &errstr), 0);
	assert_string_equal(rf, LV_RF);
	assert_int_equal(ident_rf_make("2025A1B2C3", rf, &errstr), 0);
	assert_int_equal(ident_rf_parse(rf, out, &errstr), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_example1),
		cmocka_unit_test(test_standard_example2),
		cmocka_unit_test(test_latvian),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_trailing_fields),
		cmocka_unit_test(test_limit_331),
		cmocka_unit_test(test_characters_not_bytes),
		cmocka_unit_test(test_invalid_fields),
		cmocka_unit_test(test_short_form),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_iban_rf_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
