/*
 * ident: the identifiers of Latvian municipal life — personal codes, phone
 * numbers, IBANs and RF creditor references. Each parser normalises its
 * input and, on failure, says what was wrong in *errstr (English msgid).
 */
#ifndef MUNI_IDENT_H
#define MUNI_IDENT_H

#include <stddef.h>

#define IDENT_PCODE_SIZE	13	/* "DDMMYY-NNNNN" + NUL */
#define IDENT_PHONE_SIZE	17	/* "+" + 15 digits + NUL */
#define IDENT_IBAN_SIZE		35	/* 34 characters + NUL */
#define IDENT_RF_SIZE		26	/* "RF" + 2 + 21 + NUL */
#define IDENT_RF_BODY_MAX	21

enum ident_pcode_form {
	IDENT_PCODE_OLD,	/* DDMMYY-CNNNN with a check digit */
	IDENT_PCODE_NEW,	/* 3X... since 1 July 2017, no checksum */
};

/*
 * Validate a personal code given with or without the dash, spaces allowed.
 * On success writes the canonical "XXXXXX-XXXXX" form to out.
 */
int	ident_pcode_parse(const char *in, char out[IDENT_PCODE_SIZE],
	    enum ident_pcode_form *form, const char **errstr);
/*
 * Whether the first n digits (no dash) can still begin a valid personal
 * code, so a keypad can refuse a wrong digit as it is typed: the old
 * form's day, month (a day that month can have, 29 February included)
 * and century digit; a new-form code's 3 and 2-9 (3 then 0 or 1 is the
 * old form of the 30th or 31st). The check digit needs all eleven: see
 * ident_pcode_parse. 0, or -1 with *errstr (a msgid).
 */
int	ident_pcode_prefix(const char *digits, size_t n, const char **errstr);
/* Birth date of an old-form code as "YYYY-MM-DD"; -1 for the new form. */
int	ident_pcode_birth_date(const char *canonical, char *buf, size_t size);
/* Compute the check digit of an old-form code from its first ten digits. */
int	ident_pcode_check_digit(const char digits[10]);

enum ident_phone_kind {
	IDENT_PHONE_LV_MOBILE,	/* +371 2XXXXXXX */
	IDENT_PHONE_LV_FIXED,	/* +371 6XXXXXXX */
	IDENT_PHONE_FOREIGN,	/* any other country code */
};

/*
 * Normalise a phone number to E.164. Accepts "2XXXXXXX", "3712XXXXXXX",
 * "+3712XXXXXXX", "00371 2XXX XXXX", with spaces, dashes and parentheses.
 */
int	ident_phone_parse(const char *in, char out[IDENT_PHONE_SIZE],
	    enum ident_phone_kind *kind, const char **errstr);
/* "+371 2•••••12": what a screen or an SMS may show of a number. */
void	ident_phone_mask(const char *e164, char *buf, size_t size);

/* Validate an IBAN (spaces allowed, any case); writes the compact form. */
int	ident_iban_parse(const char *in, char out[IDENT_IBAN_SIZE],
	    const char **errstr);
/* Group an IBAN in fours for people: "LV89 RIKO 0023 3000 0000 0". */
void	ident_iban_format(const char *iban, char *buf, size_t size);

/* Make "RFcc<body>" from 1-21 alphanumerics. */
int	ident_rf_make(const char *body, char out[IDENT_RF_SIZE],
	    const char **errstr);
/* Validate an RF reference (spaces allowed, any case); compact form out. */
int	ident_rf_parse(const char *in, char out[IDENT_RF_SIZE],
	    const char **errstr);

#endif
