/*
 * ident: personal codes, E.164 phone numbers, IBANs and ISO 11649 RF
 * references. Parsers are strict about structure and forgiving about the
 * spaces, dashes and letter case people type.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "util.h"

/* Copy the characters of in that are not blanks or dashes, bounded. */
static int
compact(const char *in, char *out, size_t size, int upper)
{
	size_t	 n = 0;

	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == '-' || *in == '\t')
			continue;
		if (n + 1 >= size)
			return -1;
		out[n++] = upper ? (char)toupper((unsigned char)*in) : *in;
	}
	out[n] = '\0';
	return 0;
}

static int
all_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
ident_pcode_check_digit(const char d[10])
{
	static const int w[10] = { 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int	 i, sum = 0, r;

	for (i = 0; i < 10; i++)
		sum += w[i] * (d[i] - '0');
	r = (1101 - sum) % 11;
	if (r < 0)
		r += 11;
	return r == 10 ? -1 : r;
}

int
ident_pcode_parse(const char *in, char out[IDENT_PCODE_SIZE],
    enum ident_pcode_form *form, const char **errstr)
{
	char	 d[16];
	int	 dd, mm, yy, c, year, check;

	if (compact(in, d, sizeof(d), 0) == -1 || strlen(d) != 11) {
		*errstr = N_("personal code must have 11 digits");
		return -1;
	}
	if (!all_digits(d, 11)) {
		*errstr = N_("personal code must contain only digits");
		return -1;
	}
	if (d[0] == '3' && d[1] >= '2') {
		/*
		 * New form: 3, then 2-9, then random digits; no checksum.
		 * An old code of someone born on the 30th or 31st also starts
		 * with 3, but its second digit is 0 or 1.
		 */
		if (form != NULL)
			*form = IDENT_PCODE_NEW;
	} else {
		dd = (d[0] - '0') * 10 + (d[1] - '0');
		mm = (d[2] - '0') * 10 + (d[3] - '0');
		yy = (d[4] - '0') * 10 + (d[5] - '0');
		c = d[6] - '0';
		if (c > 2) {
			*errstr = N_("personal code has an unknown century digit");
			return -1;
		}
		year = 1800 + c * 100 + yy;
		if (mm < 1 || mm > 12 || dd < 1 ||
		    dd > util_days_in_month(year, mm)) {
			*errstr = N_("personal code does not start with a real "
			    "date");
			return -1;
		}
		check = ident_pcode_check_digit(d);
		if (check == -1 || check != d[10] - '0') {
			*errstr = N_("personal code check digit does not match");
			return -1;
		}
		if (form != NULL)
			*form = IDENT_PCODE_OLD;
	}
	(void)snprintf(out, IDENT_PCODE_SIZE, "%.6s-%.5s", d, d + 6);
	return 0;
}

int
ident_pcode_birth_date(const char *pc, char *buf, size_t size)
{
	int	 c;

	if (strlen(pc) != 12 || pc[0] == '3' || pc[6] != '-')
		return -1;
	c = pc[7] - '0';
	if (c < 0 || c > 2)
		return -1;
	return util_snprintf(buf, size, "%d%.2s-%.2s-%.2s", 18 + c, pc + 4,
	    pc + 2, pc);
}

int
ident_phone_parse(const char *in, char out[IDENT_PHONE_SIZE],
    enum ident_phone_kind *kind, const char **errstr)
{
	char	 d[32];
	size_t	 n = 0, len;
	int	 plus = 0;
	const char *p;

	for (p = in; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-' || *p == '(' || *p == ')' ||
		    *p == '.' || *p == '\t')
			continue;
		if (*p == '+' && n == 0 && !plus) {
			plus = 1;
			continue;
		}
		if (!isdigit((unsigned char)*p)) {
			*errstr = N_("phone number may contain only digits, "
			    "spaces and a leading +");
			return -1;
		}
		if (n + 1 >= sizeof(d)) {
			*errstr = N_("phone number is too long");
			return -1;
		}
		d[n++] = *p;
	}
	d[n] = '\0';
	p = d;
	if (!plus && strncmp(p, "00", 2) == 0) {
		p += 2;
		plus = 1;
	}
	len = strlen(p);
	if (!plus && len == 8) {
		/* A national number. */
	} else if (strncmp(p, "371", 3) == 0 && len == 11) {
		p += 3;
	} else if (plus && strncmp(p, "371", 3) != 0) {
		/* ITU-T E.164: up to 15 digits with the country code. */
		if (len < 8 || len > 15 || p[0] == '0') {
			*errstr = N_("international number must have 8-15 "
			    "digits after the +");
			return -1;
		}
		(void)snprintf(out, IDENT_PHONE_SIZE, "+%.15s", p);
		if (kind != NULL)
			*kind = IDENT_PHONE_FOREIGN;
		return 0;
	} else {
		*errstr = N_("Latvian phone number must have 8 digits");
		return -1;
	}
	if (p[0] == '2') {
		if (kind != NULL)
			*kind = IDENT_PHONE_LV_MOBILE;
	} else if (p[0] == '6') {
		if (kind != NULL)
			*kind = IDENT_PHONE_LV_FIXED;
	} else {
		*errstr = N_("Latvian phone number must start with 2 (mobile) "
		    "or 6 (fixed line)");
		return -1;
	}
	(void)snprintf(out, IDENT_PHONE_SIZE, "+371%.8s", p);
	return 0;
}

void
ident_phone_mask(const char *e164, char *buf, size_t size)
{
	size_t	 len = strlen(e164), i;
	char	 mid[64];
	size_t	 cc = strncmp(e164, "+371", 4) == 0 ? 4 : 3;

	if (len < cc + 4) {
		(void)util_strlcpy(buf, "•••", size);
		return;
	}
	/* Keep the country code, the first and the last two digits. */
	mid[0] = '\0';
	for (i = cc + 1; i < len - 2 && strlen(mid) + 4 < sizeof(mid); i++)
		strncat(mid, "•", sizeof(mid) - strlen(mid) - 1);
	(void)util_snprintf(buf, size, "%.*s %c%s%s", (int)cc, e164,
	    e164[cc], mid, e164 + len - 2);
}

/* IBAN lengths per country (ECBS registry, SEPA and neighbours). */
static const struct {
	char	 cc[3];
	int	 len;
} iban_lengths[] = {
	{ "AD", 24 }, { "AT", 20 }, { "BE", 16 }, { "BG", 22 },
	{ "CH", 21 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 },
	{ "DK", 18 }, { "EE", 20 }, { "ES", 24 }, { "FI", 18 },
	{ "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GI", 23 },
	{ "GL", 18 }, { "GR", 27 }, { "HR", 21 }, { "HU", 28 },
	{ "IE", 22 }, { "IS", 26 }, { "IT", 27 }, { "LI", 21 },
	{ "LT", 20 }, { "LU", 20 }, { "LV", 21 }, { "MC", 27 },
	{ "MT", 31 }, { "NL", 18 }, { "NO", 15 }, { "PL", 28 },
	{ "PT", 25 }, { "RO", 24 }, { "SE", 24 }, { "SI", 19 },
	{ "SK", 24 }, { "SM", 27 }, { "UA", 29 }, { "VA", 22 },
};

/* ISO 7064 mod 97-10 over s rearranged as "rest + head", letters as 10..35. */
static int
mod97(const char *head, size_t headlen, const char *rest)
{
	int	 r = 0, pass, v;
	const char *s;
	size_t	 i, n;

	for (pass = 0; pass < 2; pass++) {
		s = pass == 0 ? rest : head;
		n = pass == 0 ? strlen(rest) : headlen;
		for (i = 0; i < n; i++) {
			if (isdigit((unsigned char)s[i]))
				r = (r * 10 + (s[i] - '0')) % 97;
			else if (isupper((unsigned char)s[i])) {
				v = s[i] - 'A' + 10;
				r = (r * 100 + v) % 97;
			} else
				return -1;
		}
	}
	return r;
}

int
ident_iban_parse(const char *in, char out[IDENT_IBAN_SIZE],
    const char **errstr)
{
	char	 s[IDENT_IBAN_SIZE];
	size_t	 i, len;
	int	 want = 0;

	if (compact(in, s, sizeof(s), 1) == -1) {
		*errstr = N_("IBAN is longer than 34 characters");
		return -1;
	}
	len = strlen(s);
	if (len < 5 || !isupper((unsigned char)s[0]) ||
	    !isupper((unsigned char)s[1]) || !all_digits(s + 2, 2)) {
		*errstr = N_("IBAN must start with a country code and two check "
		    "digits");
		return -1;
	}
	for (i = 4; i < len; i++)
		if (!isalnum((unsigned char)s[i])) {
			*errstr = N_("IBAN may contain only letters and digits");
			return -1;
		}
	for (i = 0; i < nitems(iban_lengths); i++)
		if (memcmp(iban_lengths[i].cc, s, 2) == 0)
			want = iban_lengths[i].len;
	if (want == 0) {
		*errstr = N_("IBAN country is not supported");
		return -1;
	}
	if ((int)len != want) {
		*errstr = N_("IBAN has the wrong length for its country");
		return -1;
	}
	if (strncmp(s, "LV", 2) == 0 && (!isupper((unsigned char)s[4]) ||
	    !isupper((unsigned char)s[5]) || !isupper((unsigned char)s[6]) ||
	    !isupper((unsigned char)s[7]))) {
		*errstr = N_("Latvian IBAN must have a 4-letter bank code");
		return -1;
	}
	/* Only 02-98 are ever computed: 00, 01 and 99 are second spellings. */
	if (mod97(s, 4, s + 4) != 1 || strncmp(s + 2, "02", 2) < 0 ||
	    strncmp(s + 2, "98", 2) > 0) {
		*errstr = N_("IBAN check digits do not match");
		return -1;
	}
	memcpy(out, s, len + 1);
	return 0;
}

void
ident_iban_format(const char *iban, char *buf, size_t size)
{
	size_t	 i, n = 0;

	for (i = 0; iban[i] != '\0' && n + 2 < size; i++) {
		if (i > 0 && i % 4 == 0)
			buf[n++] = ' ';
		buf[n++] = iban[i];
	}
	buf[n] = '\0';
}

static int
rf_body_ok(const char *body, const char **errstr)
{
	size_t	 i, len = strlen(body);

	if (len == 0 || len > IDENT_RF_BODY_MAX) {
		*errstr = N_("RF reference must have 1-21 letters or digits "
		    "after its check digits");
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)body[i]) &&
		    !isupper((unsigned char)body[i])) {
			*errstr = N_("RF reference may contain only letters and "
			    "digits");
			return -1;
		}
	return 0;
}

int
ident_rf_make(const char *in, char out[IDENT_RF_SIZE], const char **errstr)
{
	char	 body[IDENT_RF_BODY_MAX + 8];
	int	 r;

	if (compact(in, body, sizeof(body), 1) == -1) {
		*errstr = N_("RF reference body is longer than 21 characters");
		return -1;
	}
	if (rf_body_ok(body, errstr) == -1)
		return -1;
	r = mod97("RF00", 4, body);
	if (util_snprintf(out, IDENT_RF_SIZE, "RF%02d%s", 98 - r, body) == -1)
		fatalx("ident_rf_make: body outgrew its check");
	return 0;
}

int
ident_rf_parse(const char *in, char out[IDENT_RF_SIZE], const char **errstr)
{
	char	 s[IDENT_RF_SIZE + 8];

	if (compact(in, s, sizeof(s), 1) == -1 || strlen(s) > 25) {
		*errstr = N_("RF reference is longer than 25 characters");
		return -1;
	}
	if (strncmp(s, "RF", 2) != 0 || !all_digits(s + 2, 2) ||
	    strlen(s) < 5) {
		*errstr = N_("RF reference must start with RF and two check "
		    "digits");
		return -1;
	}
	if (rf_body_ok(s + 4, errstr) == -1)
		return -1;
	if (mod97(s, 4, s + 4) != 1 || strncmp(s + 2, "02", 2) < 0 ||
	    strncmp(s + 2, "98", 2) > 0) {
		*errstr = N_("RF reference check digits do not match");
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int
ident_pcode_prefix(const char *d, size_t n, const char **errstr)
{
	int	 dd = 0, mm = 0, year;

	if (n > 11 || !all_digits(d, n)) {
		*errstr = N_("personal code must have 11 digits");
		return -1;
	}
	if (n >= 2 && d[0] == '3' && d[1] >= '2')
		return 0;	/* new form: the rest is random */
	if (n >= 2) {
		dd = (d[0] - '0') * 10 + (d[1] - '0');
		if (dd < 1 || dd > 31)
			goto date;
	}
	if (n >= 4) {
		mm = (d[2] - '0') * 10 + (d[3] - '0');
		/* 2000 is a leap year: any year may still follow. */
		if (mm < 1 || mm > 12 || dd > util_days_in_month(2000, mm))
			goto date;
	}
	if (n >= 7) {
		if (d[6] > '2') {
			*errstr = N_("personal code has an unknown century "
			    "digit");
			return -1;
		}
		/* Now the year is known: 29 February only in a leap year. */
		year = 1800 + (d[6] - '0') * 100 + (d[4] - '0') * 10 +
		    (d[5] - '0');
		if (dd > util_days_in_month(year, mm))
			goto date;
	}
	return 0;
date:
	*errstr = N_("personal code does not start with a real date");
	return -1;
}
