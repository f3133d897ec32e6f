/*
 * util: allocation that aborts, bounded copies and strict number parsing, so
 * that no module needs strcpy, sprintf or atoi.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void	*p;

	if (n == 0)
		fatalx("xmalloc: zero size");
	if ((p = malloc(n)) == NULL)
		fatal("xmalloc: %zu bytes", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		fatalx("xcalloc: zero size");
	if ((p = calloc(nmemb, size)) == NULL)
		fatal("xcalloc: %zu * %zu bytes", nmemb, size);
	return p;
}

void *
xreallocarray(void *old, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		fatalx("xreallocarray: zero size");
	if (size > SIZE_MAX / nmemb)
		fatalx("xreallocarray: %zu * %zu overflows", nmemb, size);
	if ((p = realloc(old, nmemb * size)) == NULL)
		fatal("xreallocarray: %zu * %zu bytes", nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("xstrdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("xstrndup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		fatal("xasprintf");
	return p;
}

int
util_strlcpy_utf8(char *dst, const char *src, size_t size)
{
	size_t	 n;
	int	 cut = 0;

	if (size == 0)
		return -1;
	if (src == NULL)
		src = "";
	n = strlen(src);
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
		cut = 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	return cut ? -1 : 0;
}

int
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 n;

	if (size == 0)
		return -1;
	n = strlen(src);
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
util_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= size)
		return -1;
	return 0;
}

int
util_strtonum(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		*errstr = N_("is not a number");
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*errstr = N_("is not a number");
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = N_("is too small");
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = N_("is too large");
		return -1;
	}
	*out = v;
	return 0;
}

int
util_parse_cents(const char *s, int64_t max_cents, int64_t *cents,
    const char **errstr)
{
	int64_t	 whole = 0, frac = 0;
	int	 nwhole = 0, nfrac = 0;
	const char *p = s;

	while (isdigit((unsigned char)*p)) {
		/* whole * 100 + 99 must stay within int64_t. */
		if (whole > ((INT64_MAX - 99) / 100 - 9) / 10) {
			*errstr = N_("is too large");
			return -1;
		}
		whole = whole * 10 + (*p++ - '0');
		nwhole++;
	}
	if (*p == '.' || *p == ',') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (++nfrac > 2) {
				*errstr = N_("has more than two decimals");
				return -1;
			}
			frac = frac * 10 + (*p++ - '0');
		}
		if (nfrac == 1)
			frac *= 10;
		if (nfrac == 0) {
			*errstr = N_("is not an amount like 12.34");
			return -1;
		}
	}
	if (nwhole == 0 || *p != '\0') {
		*errstr = N_("is not an amount like 12.34");
		return -1;
	}
	if (whole * 100 + frac > max_cents) {
		*errstr = N_("is too large");
		return -1;
	}
	*cents = whole * 100 + frac;
	return 0;
}

void
util_format_cents(int64_t cents, char *buf, size_t size)
{
	const char *sign = "";

	if (cents < 0) {
		sign = "-";
		cents = -cents;
	}
	(void)util_snprintf(buf, size, "%s%lld.%02lld", sign,
	    (long long)(cents / 100), (long long)(cents % 100));
}

int
util_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t	 i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = s[i];

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
util_utf8_len(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
util_edit_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, prev[64], cur[64];

	/* Longer words are never near: cap instead of allocating. */
	if (la >= nitems(prev) || lb >= nitems(prev))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t	 sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t	 del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) :
			    (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

char *
util_trim(char *s)
{
	char	*e, *b = s;

	while (*b == ' ' || *b == '\t')
		b++;
	if (b != s)
		memmove(s, b, strlen(b) + 1);
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
util_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int
util_parse_date(const char *s, int *y, int *m, int *d)
{
	int	 i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (!isdigit((unsigned char)s[i]))
			return -1;
	}
	if (s[10] != '\0')
		return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 1800 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > util_days_in_month(*y, *m))
		return -1;
	return 0;
}
