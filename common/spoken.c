/*
 * spoken: figures in words for the kiosk's speech (spoken.h).
 *
 * A number is first built as a list of words in the nominative (Latvian:
 * "divi simti trīsdesmit viens"); what a sentence needs of it (a feminine
 * unit, an ordinal, the case after "no") changes only the last declinable
 * word, which is how the numbers are said aloud: "no divdesmit viena",
 * "divdesmit pirmā". Counted nouns follow the last number too: one ending
 * in 1 but not in 11 takes the singular ("divdesmit viens cents"), every
 * other the nominative plural ("piecdesmit centi", as the issue and
 * everyday speech have it, rather than the bookish genitive "centu").
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "spoken.h"
#include "util.h"

#define WORDS_MAX	24
#define WORD_SIZE	48

struct words {
	char	 w[WORDS_MAX][WORD_SIZE];
	int	 n;
};

/* The text being written: appends stop at the first one that does not fit. */
struct out {
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 cut;
};

static const char *const lv_units[] = { "nulle", "viens", "divi", "trīs",
    "četri", "pieci", "seši", "septiņi", "astoņi", "deviņi" };
static const char *const lv_units_f[] = { "nulle", "viena", "divas", "trīs",
    "četras", "piecas", "sešas", "septiņas", "astoņas", "deviņas" };
/* After "no": the genitive singular of one, the dative plural of more. */
static const char *const lv_units_no[] = { "nulles", "viena", "diviem",
    "trim", "četriem", "pieciem", "sešiem", "septiņiem", "astoņiem",
    "deviņiem" };
static const char *const lv_teens[] = { "desmit", "vienpadsmit",
    "divpadsmit", "trīspadsmit", "četrpadsmit", "piecpadsmit", "sešpadsmit",
    "septiņpadsmit", "astoņpadsmit", "deviņpadsmit" };
static const char *const lv_tens[] = { "", "", "divdesmit", "trīsdesmit",
    "četrdesmit", "piecdesmit", "sešdesmit", "septiņdesmit", "astoņdesmit",
    "deviņdesmit" };
/* Ordinal stems: pirm-ais, otr-ā. */
static const char *const lv_ord[] = { "nullt", "pirm", "otr", "treš",
    "ceturt", "piekt", "sest", "septīt", "astot", "devīt" };
/* A unit as the first half of a compound: div-simtais, trīs-tūkstošā. */
static const char *const lv_prefix[] = { "", "", "div", "trīs", "četr",
    "piec", "seš", "septiņ", "astoņ", "deviņ" };
static const char *const lv_months[] = { "janvāris", "februāris", "marts",
    "aprīlis", "maijs", "jūnijs", "jūlijs", "augusts", "septembris",
    "oktobris", "novembris", "decembris" };

/* Scales: the singular, the plural, the case after "no" of each, the stem. */
static const struct {
	unsigned long long	 value;
	const char		*sg, *pl, *sg_no, *pl_no, *stem;
} lv_scales[] = {
	{ 1000000000ULL, "miljards", "miljardi", "miljarda", "miljardiem",
	    "miljard" },
	{ 1000000ULL, "miljons", "miljoni", "miljona", "miljoniem", "miljon" },
	{ 1000ULL, "tūkstotis", "tūkstoši", "tūkstoša", "tūkstošiem",
	    "tūkstoš" },
};

static const char *const en_ones[] = { "zero", "one", "two", "three",
    "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen" };
static const char *const en_tens[] = { "", "", "twenty", "thirty", "forty",
    "fifty", "sixty", "seventy", "eighty", "ninety" };
static const char *const en_months[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };

/* 999 999 999 999: more than any amount, date or queue can hold. */
#define SPOKEN_NUMBER_MAX	999999999999ULL

enum lang { L_LV, L_EN, L_OTHER };

static enum lang
lang(void)
{
	const char	*l = i18n_lang();

	if (strcmp(l, "lv") == 0)
		return L_LV;
	if (strcmp(l, "en") == 0)
		return L_EN;
	return L_OTHER;
}

static void
out_init(struct out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	o->cut = 0;
	if (size > 0)
		buf[0] = '\0';
}

static void
out_add(struct out *o, const char *s, size_t n)
{
	if (o->cut)
		return;
	if (o->size == 0 || n >= o->size - o->len) {
		o->cut = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static void
out_fmt(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_fmt(struct out *o, const char *fmt, ...)
{
	char	 tmp[SPOKEN_SIZE];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->cut = 1;
		return;
	}
	out_add(o, tmp, (size_t)n);
}

static int
out_done(struct out *o)
{
	return o->cut ? -1 : 0;
}

static void
words_add(struct words *w, const char *s)
{
	if (w->n < WORDS_MAX)
		(void)util_strlcpy(w->w[w->n++], s, WORD_SIZE);
}

static const char *
words_last(const struct words *w)
{
	return w->n > 0 ? w->w[w->n - 1] : "";
}

static void
words_set_last(struct words *w, const char *s)
{
	if (w->n > 0)
		(void)util_strlcpy(w->w[w->n - 1], s, WORD_SIZE);
}

static void
words_join(const struct words *w, struct out *o)
{
	int	 i;

	for (i = 0; i < w->n; i++) {
		if (i > 0)
			out_str(o, " ");
		out_str(o, w->w[i]);
	}
}

/* Index of s in a table of n words, or -1. */
static int
lookup(const char *const *table, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(table[i], s) == 0)
			return (int)i;
	return -1;
}

/* The count takes a singular noun: 1, 21, 101, but not 11 or 111. */
static int
takes_singular(unsigned long long n)
{
	return n % 10 == 1 && n % 100 != 11;
}

/* Latvian, below a thousand, nominative masculine. */
static void
lv_small(unsigned n, struct words *w)
{
	unsigned	 h = n / 100, r = n % 100;

	if (h == 1)
		words_add(w, r != 0 ? "simtu" : "simts");
	else if (h > 1) {
		words_add(w, lv_units[h]);
		words_add(w, "simti");
	}
	if (r >= 20) {
		words_add(w, lv_tens[r / 10]);
		if (r % 10 != 0)
			words_add(w, lv_units[r % 10]);
	} else if (r >= 10)
		words_add(w, lv_teens[r - 10]);
	else if (r > 0)
		words_add(w, lv_units[r]);
}

static void
lv_words(unsigned long long n, struct words *w)
{
	unsigned long long	 q;
	size_t			 i;

	w->n = 0;
	if (n == 0) {
		words_add(w, lv_units[0]);
		return;
	}
	for (i = 0; i < nitems(lv_scales); i++) {
		q = n / lv_scales[i].value;
		n %= lv_scales[i].value;
		if (q == 0)
			continue;
		/* 1001 is "tūkstoš viens"; 1000 alone "tūkstotis". */
		if (q == 1 && lv_scales[i].value == 1000 && n != 0)
			words_add(w, "tūkstoš");
		else if (q == 1)
			words_add(w, lv_scales[i].sg);
		else {
			lv_small((unsigned)q, w);
			words_add(w, takes_singular(q) ? lv_scales[i].sg :
			    lv_scales[i].pl);
		}
	}
	if (n != 0)
		lv_small((unsigned)n, w);
}

static void
lv_feminine(struct words *w)
{
	int	 i;

	if ((i = lookup(lv_units, nitems(lv_units), words_last(w))) > 0)
		words_set_last(w, lv_units_f[i]);
}

/* The unit counting a plural hundred or scale agrees: "no pieciem
   tūkstošiem". */
static void
lv_count_after_no(struct words *w)
{
	int	 u;

	if (w->n >= 2 && (u = lookup(lv_units, nitems(lv_units),
	    w->w[w->n - 2])) >= 2)
		(void)util_strlcpy(w->w[w->n - 2], lv_units_no[u], WORD_SIZE);
}

/* The form after "no" ("vieta no deviņdesmit", "no diviem"). */
static void
lv_after_no(struct words *w)
{
	const char	*last = words_last(w);
	size_t		 i;
	int		 u;

	if ((u = lookup(lv_units, nitems(lv_units), last)) >= 0) {
		words_set_last(w, lv_units_no[u]);
		return;
	}
	if (strcmp(last, "simts") == 0) {
		words_set_last(w, "simta");
		return;
	}
	if (strcmp(last, "simti") == 0) {
		words_set_last(w, "simtiem");
		lv_count_after_no(w);
		return;
	}
	for (i = 0; i < nitems(lv_scales); i++) {
		if (strcmp(last, lv_scales[i].sg) == 0) {
			words_set_last(w, lv_scales[i].sg_no);
			return;
		}
		if (strcmp(last, lv_scales[i].pl) == 0) {
			words_set_last(w, lv_scales[i].pl_no);
			lv_count_after_no(w);
			return;
		}
	}
}

/*
 * The ordinal with ending end ("ais" masculine, "ā" feminine or the
 * masculine genitive): the last word becomes the ordinal, and a unit
 * counting hundreds or thousands joins it ("divsimtais").
 */
static void
lv_ordinal(struct words *w, const char *end)
{
	char		 buf[WORD_SIZE];
	const char	*last = words_last(w), *stem = NULL;
	size_t		 i;
	int		 u, merge = 0;

	if ((u = lookup(lv_units, nitems(lv_units), last)) >= 0)
		stem = lv_ord[u];
	else if (lookup(lv_teens, nitems(lv_teens), last) >= 0 ||
	    lookup(lv_tens, nitems(lv_tens), last) >= 2)
		stem = last;
	else if (strcmp(last, "simts") == 0 || strcmp(last, "simti") == 0) {
		stem = "simt";
		merge = last[4] == 'i';
	} else
		for (i = 0; i < nitems(lv_scales) && stem == NULL; i++)
			if (strcmp(last, lv_scales[i].sg) == 0 ||
			    strcmp(last, lv_scales[i].pl) == 0) {
				stem = lv_scales[i].stem;
				merge = strcmp(last, lv_scales[i].pl) == 0;
			}
	if (stem == NULL)
		return;
	/* "divi simti" → "divsimt-", when the unit before it is plain. */
	if (merge && w->n >= 2 && (u = lookup(lv_units, nitems(lv_units),
	    w->w[w->n - 2])) >= 2) {
		(void)util_snprintf(buf, sizeof(buf), "%s%s%s", lv_prefix[u], stem,
		    end);
		w->n--;
	} else
		(void)util_snprintf(buf, sizeof(buf), "%s%s", stem, end);
	words_set_last(w, buf);
}

/* English, below a thousand. */
static void
en_small(unsigned n, struct words *w)
{
	char		 buf[WORD_SIZE];
	unsigned	 h = n / 100, r = n % 100;

	if (h > 0) {
		words_add(w, en_ones[h]);
		words_add(w, "hundred");
		if (r != 0)
			words_add(w, "and");
	}
	if (r >= 20 && r % 10 != 0) {
		(void)util_snprintf(buf, sizeof(buf), "%s-%s", en_tens[r / 10],
		    en_ones[r % 10]);
		words_add(w, buf);
	} else if (r >= 20)
		words_add(w, en_tens[r / 10]);
	else if (r > 0)
		words_add(w, en_ones[r]);
}

static void
en_words(unsigned long long n, struct words *w)
{
	static const struct {
		unsigned long long	 value;
		const char		*name;
	} scales[] = {
		{ 1000000000ULL, "billion" },
		{ 1000000ULL, "million" },
		{ 1000ULL, "thousand" },
	};
	unsigned long long	 q;
	size_t			 i;
	int			 higher = 0;

	w->n = 0;
	if (n == 0) {
		words_add(w, en_ones[0]);
		return;
	}
	for (i = 0; i < nitems(scales); i++) {
		q = n / scales[i].value;
		n %= scales[i].value;
		if (q == 0)
			continue;
		en_small((unsigned)q, w);
		words_add(w, scales[i].name);
		higher = 1;
	}
	/* British: "one thousand and one". */
	if (higher && n > 0 && n < 100)
		words_add(w, "and");
	if (n != 0)
		en_small((unsigned)n, w);
}

static void
en_ordinal(struct words *w)
{
	static const struct {
		const char	*card, *ord;
	} irregular[] = {
		{ "one", "first" }, { "two", "second" }, { "three", "third" },
		{ "five", "fifth" }, { "eight", "eighth" }, { "nine", "ninth" },
		{ "twelve", "twelfth" },
	};
	char		 buf[WORD_SIZE], head[WORD_SIZE];
	const char	*last = words_last(w), *tail, *dash;
	size_t		 i, n;

	/* "twenty-one": the part after the hyphen turns. */
	dash = strchr(last, '-');
	tail = dash != NULL ? dash + 1 : last;
	(void)util_snprintf(head, sizeof(head), "%.*s",
	    (int)(tail - last), last);
	for (i = 0; i < nitems(irregular); i++)
		if (strcmp(tail, irregular[i].card) == 0) {
			(void)util_snprintf(buf, sizeof(buf), "%s%s", head,
			    irregular[i].ord);
			words_set_last(w, buf);
			return;
		}
	n = strlen(tail);
	if (n > 0 && tail[n - 1] == 'y')
		(void)util_snprintf(buf, sizeof(buf), "%s%.*sieth", head,
		    (int)(n - 1), tail);
	else
		(void)util_snprintf(buf, sizeof(buf), "%s%sth", head, tail);
	words_set_last(w, buf);
}

static int
number_words(unsigned long long n, struct words *w)
{
	if (n > SPOKEN_NUMBER_MAX)
		return -1;
	if (lang() == L_EN)
		en_words(n, w);
	else
		lv_words(n, w);
	return 0;
}

/* A cardinal for the current language, or the figure itself. */
static void
out_number(struct out *o, long long n, enum spoken_gender g)
{
	struct words		 w;
	unsigned long long	 u;

	if (lang() == L_OTHER) {
		out_fmt(o, "%lld", n);
		return;
	}
	u = (unsigned long long)n;
	if (n < 0) {
		out_str(o, lang() == L_EN ? "minus " : "mīnus ");
		u = 0ULL - u;
	}
	if (number_words(u, &w) == -1) {
		out_fmt(o, "%llu", u);
		return;
	}
	if (g == SPOKEN_FEM && lang() == L_LV)
		lv_feminine(&w);
	words_join(&w, o);
}

int
spoken_number(long long n, enum spoken_gender g, char *buf, size_t size)
{
	struct out	 o;

	out_init(&o, buf, size);
	out_number(&o, n, g);
	return out_done(&o);
}

static void
out_money(struct out *o, int64_t cents)
{
	unsigned long long	 u = (unsigned long long)cents, e, c;
	char			 fig[I18N_MONEY_SIZE];

	if (lang() == L_OTHER) {
		i18n_money(cents, fig, sizeof(fig));
		out_str(o, fig);
		return;
	}
	if (cents < 0) {
		out_str(o, lang() == L_EN ? "minus " : "mīnus ");
		u = 0ULL - u;
	}
	e = u / 100;
	c = u % 100;
	if (lang() == L_EN) {
		if (e != 0 || c == 0) {
			out_number(o, (long long)e, SPOKEN_MASC);
			out_str(o, e == 1 ? " euro" : " euros");
		}
		if (c != 0) {
			if (e != 0)
				out_str(o, " and ");
			out_number(o, (long long)c, SPOKEN_MASC);
			out_str(o, c == 1 ? " cent" : " cents");
		}
		return;
	}
	/* eiro does not decline; cents (cents) do. */
	if (e != 0 || c == 0) {
		out_number(o, (long long)e, SPOKEN_MASC);
		out_str(o, " eiro");
	}
	if (c != 0) {
		if (e != 0)
			out_str(o, ", ");
		out_number(o, (long long)c, SPOKEN_MASC);
		out_str(o, takes_singular(c) ? " cents" : " centi");
	}
}

int
spoken_money(int64_t cents, char *buf, size_t size)
{
	struct out	 o;

	out_init(&o, buf, size);
	out_money(&o, cents);
	return out_done(&o);
}

/* The year as a Latvian masculine genitive ordinal: "... sestā gada". */
static void
lv_year_gen(struct out *o, int y)
{
	struct words	 w;

	lv_words((unsigned long long)y, &w);
	lv_ordinal(&w, "ā");
	words_join(&w, o);
	out_str(o, " gada");
}

static void
out_date(struct out *o, int y, int m, int d, int with_year)
{
	struct words	 w;

	switch (lang()) {
	case L_LV:
		if (with_year) {
			lv_year_gen(o, y);
			out_str(o, " ");
		}
		lv_words((unsigned long long)d, &w);
		lv_ordinal(&w, "ais");
		words_join(&w, o);
		out_str(o, " ");
		out_str(o, lv_months[m - 1]);
		break;
	case L_EN:
		en_words((unsigned long long)d, &w);
		en_ordinal(&w);
		out_str(o, "the ");
		words_join(&w, o);
		out_str(o, " of ");
		out_str(o, en_months[m - 1]);
		if (with_year) {
			out_str(o, " ");
			out_number(o, y, SPOKEN_MASC);
		}
		break;
	case L_OTHER:
		if (with_year)
			out_fmt(o, "%02d.%02d.%04d", d, m, y);
		else
			out_fmt(o, "%02d.%02d.", d, m);
		break;
	}
}

int
spoken_date(const char *iso, int with_year, char *buf, size_t size)
{
	struct out	 o;
	int		 y, m, d;

	out_init(&o, buf, size);
	if (util_parse_date(iso, &y, &m, &d) == -1)
		out_str(&o, iso);
	else
		out_date(&o, y, m, d, with_year);
	return out_done(&o);
}

int
spoken_position(long long pos, long long total, char *buf, size_t size)
{
	struct out	 o;
	struct words	 w;

	out_init(&o, buf, size);
	if (lang() == L_OTHER || pos < 1 || total < 0 ||
	    number_words((unsigned long long)pos, &w) == -1) {
		out_fmt(&o, "%lld / %lld", pos, total);
		return out_done(&o);
	}
	if (lang() == L_EN) {
		en_ordinal(&w);
		words_join(&w, &o);
		out_str(&o, " place of ");
		out_number(&o, total, SPOKEN_MASC);
		return out_done(&o);
	}
	lv_ordinal(&w, "ā");
	words_join(&w, &o);
	out_str(&o, " vieta no ");
	if (number_words((unsigned long long)total, &w) == -1)
		out_fmt(&o, "%lld", total);
	else {
		lv_after_no(&w);
		words_join(&w, &o);
	}
	return out_done(&o);
}

static void
out_chars(struct out *o, const char *s, size_t n)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]))
			continue;
		if (k > 0)
			out_str(o, k % 4 == 0 ? ", " : " ");
		if (isdigit((unsigned char)s[i]) && lang() != L_OTHER)
			out_str(o, lang() == L_EN ? en_ones[s[i] - '0'] :
			    lv_units[s[i] - '0']);
		else
			out_fmt(o, "%c", toupper((unsigned char)s[i]));
		k++;
	}
}

int
spoken_chars(const char *s, char *buf, size_t size)
{
	struct out	 o;

	out_init(&o, buf, size);
	out_chars(&o, s, strlen(s));
	return out_done(&o);
}

/* n digits at s, as a number; -1 when they are not all digits. */
static int
digits_at(const char *s, size_t n)
{
	size_t	 i;
	int	 v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* A figure ends where no letter or digit follows it. */
static int
ends_at(const char *s)
{
	return !isalnum((unsigned char)*s);
}

/*
 * An IBAN or RF reference at s, written whole or in groups of four
 * ("LV89 RIKO 0023 3000 0000 0"): its length in bytes, or 0.
 */
static size_t
match_account(const char *s)
{
	size_t	 i = 4, k = 4;

	if (!isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]))
		return 0;
	for (;;) {
		if (isupper((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i])) {
			i++;
			k++;
		} else if (s[i] == ' ' && k % 4 == 0 &&
		    (isupper((unsigned char)s[i + 1]) ||
		    isdigit((unsigned char)s[i + 1])))
			i++;
		else
			break;
		if (k > 34)
			return 0;
	}
	/* The shortest IBAN (Norway) has 15; an RF reference 5 or more. */
	if (k < 8 || !ends_at(s + i))
		return 0;
	return i;
}

/* A date DD.MM.YYYY at s: its length, and the date. */
static size_t
match_lv_date(const char *s, int *y, int *m, int *d)
{
	if ((*d = digits_at(s, 2)) < 1 || s[2] != '.' ||
	    (*m = digits_at(s + 3, 2)) < 1 || *m > 12 || s[5] != '.' ||
	    (*y = digits_at(s + 6, 4)) < 1 ||
	    *d > util_days_in_month(*y, *m) || !ends_at(s + 10))
		return 0;
	return 10;
}

/* A month MM.YYYY (a queue's desired start). */
static size_t
match_lv_month(const char *s, int *y, int *m)
{
	if ((*m = digits_at(s, 2)) < 1 || *m > 12 || s[2] != '.' ||
	    (*y = digits_at(s + 3, 4)) < 1 || !ends_at(s + 7))
		return 0;
	return 7;
}

static size_t
match_iso_date(const char *s, int *y, int *m, int *d)
{
	if ((*y = digits_at(s, 4)) < 1 || s[4] != '-' ||
	    (*m = digits_at(s + 5, 2)) < 1 || *m > 12 || s[7] != '-' ||
	    (*d = digits_at(s + 8, 2)) < 1 ||
	    *d > util_days_in_month(*y, *m) || !ends_at(s + 10))
		return 0;
	return 10;
}

/* A month YYYY-MM, as English screens write it. */
static size_t
match_iso_month(const char *s, int *y, int *m)
{
	if ((*y = digits_at(s, 4)) < 1 || s[4] != '-' ||
	    (*m = digits_at(s + 5, 2)) < 1 || *m > 12 || !ends_at(s + 7))
		return 0;
	return 7;
}

/* "2026. g. 4. ceturksnis" (i18n_period). */
static size_t
match_lv_quarter(const char *s, int *y, int *q)
{
	static const char tail[] = ". ceturksnis";

	if ((*y = digits_at(s, 4)) < 1 || strncmp(s + 4, ". g. ", 5) != 0 ||
	    s[9] < '1' || s[9] > '4' ||
	    strncmp(s + 10, tail, sizeof(tail) - 1) != 0)
		return 0;
	*q = s[9] - '0';
	return 10 + sizeof(tail) - 1;
}

/*
 * An amount as i18n_money writes it: "-37,50 €" in Latvian, "37.50 EUR"
 * in English. Its length, and the cents.
 */
static size_t
match_money(const char *s, char sep, const char *cur, int64_t *cents)
{
	size_t	 i = 0, ncur = strlen(cur);
	int64_t	 e = 0;
	int	 neg = 0, c;

	if (s[i] == '-') {
		neg = 1;
		i++;
	}
	if (!isdigit((unsigned char)s[i]))
		return 0;
	for (; isdigit((unsigned char)s[i]); i++) {
		if (e > INT64_MAX / 1000)
			return 0;
		e = e * 10 + (s[i] - '0');
	}
	if (s[i] != sep || (c = digits_at(s + i + 1, 2)) < 0 ||
	    s[i + 3] != ' ' || strncmp(s + i + 4, cur, ncur) != 0)
		return 0;
	i += 4 + ncur;
	if (isalnum((unsigned char)s[i]))
		return 0;
	*cents = (e * 100 + c) * (neg ? -1 : 1);
	return i;
}

/* A whole number of at most 9 digits at s: its length, and the number. */
static size_t
match_count(const char *s, long long *v)
{
	size_t	 i;

	*v = 0;
	for (i = 0; isdigit((unsigned char)s[i]); i++) {
		if (i == 9)
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return i;
}

/*
 * A place in a queue as the kiosk writes it: "60. vieta no 90" in
 * Latvian, "Place 60 of 90" in English.
 */
static size_t
match_position(const char *s, int l, long long *pos, long long *total)
{
	static const char lv_mid[] = ". vieta no ", en_head[] = "Place ",
	    en_mid[] = " of ";
	size_t	 i = 0, n;

	if (l == L_EN) {
		if (strncmp(s, en_head, sizeof(en_head) - 1) != 0)
			return 0;
		i = sizeof(en_head) - 1;
	}
	if ((n = match_count(s + i, pos)) == 0)
		return 0;
	i += n;
	if (l == L_LV && strncmp(s + i, lv_mid, sizeof(lv_mid) - 1) == 0)
		i += sizeof(lv_mid) - 1;
	else if (l == L_EN && strncmp(s + i, en_mid, sizeof(en_mid) - 1) == 0)
		i += sizeof(en_mid) - 1;
	else
		return 0;
	if ((n = match_count(s + i, total)) == 0 || !ends_at(s + i + n))
		return 0;
	return i + n;
}

int
spoken_line(const char *in, char *buf, size_t size)
{
	struct out	 o;
	struct words	 w;
	const char	*s = in;
	size_t		 n;
	int64_t		 cents;
	long long	 pos, total;
	int		 y, m, d, q, l = lang(), start = 1;

	out_init(&o, buf, size);
	while (*s != '\0' && !o.cut) {
		n = 0;
		if (start && l != L_OTHER) {
			if ((n = match_account(s)) > 0)
				out_chars(&o, s, n);
			else if ((n = match_position(s, l, &pos, &total)) > 0) {
				if (spoken_position(pos, total, o.buf + o.len,
				    o.size - o.len) == -1)
					o.cut = 1;
				else
					o.len += strlen(o.buf + o.len);
			}
			else if (l == L_LV &&
			    (n = match_lv_quarter(s, &y, &q)) > 0) {
				lv_year_gen(&o, y);
				lv_words((unsigned long long)q, &w);
				lv_ordinal(&w, "ais");
				out_str(&o, " ");
				words_join(&w, &o);
				out_str(&o, " ceturksnis");
			} else if (l == L_LV &&
			    (n = match_lv_date(s, &y, &m, &d)) > 0)
				out_date(&o, y, m, d, 1);
			else if (l == L_LV &&
			    (n = match_lv_month(s, &y, &m)) > 0) {
				lv_year_gen(&o, y);
				out_str(&o, " ");
				out_str(&o, lv_months[m - 1]);
			} else if (l == L_EN &&
			    (n = match_iso_date(s, &y, &m, &d)) > 0)
				out_date(&o, y, m, d, 1);
			else if (l == L_EN &&
			    (n = match_iso_month(s, &y, &m)) > 0) {
				out_str(&o, en_months[m - 1]);
				out_str(&o, " ");
				out_number(&o, y, SPOKEN_MASC);
			} else if ((n = match_money(s, l == L_LV ? ',' : '.',
			    l == L_LV ? "€" : "EUR", &cents)) > 0)
				out_money(&o, cents);
		}
		if (n == 0) {
			/* A whole character: a cut never splits one. */
			/* "X16.11.2026" and "1.234" hold no figure. */
			start = !isalnum((unsigned char)*s) && *s != '.' &&
			    *s != ',' && *s != '-';
			n = 1;
			while ((s[n] & 0xc0) == 0x80)
				n++;
			out_add(&o, s, n);
			s += n;
		} else {
			s += n;
			start = 1;
		}
	}
	return out_done(&o);
}
