/*
 * spoken: figures as a person says them, for the kiosk's speech. A voice
 * reading "37,50 €" or "16.11.2026" digit by digit is what a resident
 * who cannot read the screen would otherwise hear; these write the words
 * instead, in the current language (i18n_set_lang): Latvian with its
 * genders and cases ("trīsdesmit septiņi eiro, piecdesmit centi",
 * "sešpadsmitais novembris", "sešdesmitā vieta no deviņdesmit"), English
 * for the en catalogue. Other languages keep the figures as the screen
 * writes them, which their own voice reads in its language.
 *
 * Every function writes a NUL-terminated string into buf and returns 0,
 * or -1 when it did not fit (buf then holds what did, cut at a word).
 */
#ifndef MUNI_SPOKEN_H
#define MUNI_SPOKEN_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any figure below; a screen line grows by about five times. */
#define SPOKEN_SIZE		256

enum spoken_gender {
	SPOKEN_MASC,
	SPOKEN_FEM,
};

/* A whole number in words, nominative ("divdesmit divas" for FEM). */
int	 spoken_number(long long n, enum spoken_gender, char *buf,
	    size_t size);
/* An amount of cents: "viens eiro", "divdesmit viens cents". */
int	 spoken_money(int64_t cents, char *buf, size_t size);
/*
 * A date "YYYY-MM-DD": "sešpadsmitais novembris", with the year
 * ("divi tūkstoši divdesmit sestā gada sešpadsmitais novembris") when
 * with_year is set. Anything that is not a real date is copied unchanged.
 */
int	 spoken_date(const char *iso, int with_year, char *buf, size_t size);
/* A place in a queue: "sešdesmitā vieta no deviņdesmit". */
int	 spoken_position(long long pos, long long total, char *buf,
	    size_t size);
/*
 * An identifier read out in groups of four characters, digits as words
 * and letters one by one: an IBAN or an RF reference, which a resident
 * types into a bank's form while listening ("R F 1 8, 5 3 9 0, ...").
 * Blanks in s are ignored.
 */
int	 spoken_chars(const char *s, char *buf, size_t size);
/*
 * A line of screen text with the figures in it spoken: amounts
 * ("37,50 €", "37.50 EUR"), dates ("16.11.2026", "2026-11-16"), months
 * ("09.2027"), quarters ("2026. g. 4. ceturksnis"), places in a queue
 * ("60. vieta no 90", "Place 60 of 90"), IBANs and RF references.
 * Everything else is copied as it is.
 */
int	 spoken_line(const char *in, char *buf, size_t size);

#endif
