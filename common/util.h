/*
 * util: the small helpers every module needs — allocation that aborts on
 * failure (x-prefixed), bounded string copies and bounded number parsing.
 */
#ifndef MUNI_UTIL_H
#define MUNI_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* asprintf that aborts on failure; caller frees. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Copy with truncation check: 0 when all of src fit, -1 when it was cut. */
int	 util_strlcpy(char *dst, const char *src, size_t size);
/*
 * The same for UTF-8 text: when src does not fit it is cut at a character
 * boundary, never inside one. src NULL copies "".
 */
int	 util_strlcpy_utf8(char *dst, const char *src, size_t size);
/* snprintf into a fixed buffer: 0 when it fit, -1 when cut or on error. */
int	 util_snprintf(char *dst, size_t size, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Parse a whole decimal number within [min, max]. On failure returns -1 and
 * sets *errstr to "is not a number", "is too small" or "is too large".
 */
int	 util_strtonum(const char *s, long long min, long long max,
	    long long *out, const char **errstr);

/*
 * Parse a money amount "12.34" (or "12", "12.3", "12,34") into cents, bounded
 * by max_cents. Returns 0 or -1 with *errstr set.
 */
int	 util_parse_cents(const char *s, int64_t max_cents, int64_t *cents,
	    const char **errstr);

/* Format cents as "12.34" into buf (at least 24 bytes). */
void	 util_format_cents(int64_t cents, char *buf, size_t size);

/* 1 when s (len bytes) is well-formed UTF-8 without NUL bytes. */
int	 util_utf8_valid(const char *s, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t	 util_utf8_len(const char *s);

/* Levenshtein distance of two short strings (bytes), for "did you mean". */
size_t	 util_edit_distance(const char *, const char *);

/* Trim ASCII blanks at both ends, in place; returns s. */
char	*util_trim(char *s);

/* Days in month m (1-12) of year y, Gregorian. */
int	 util_days_in_month(int y, int m);
/* Parse "YYYY-MM-DD" strictly (a real date). */
int	 util_parse_date(const char *s, int *y, int *m, int *d);

#endif
