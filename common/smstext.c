/*
 * smstext: GSM 03.38 (3GPP TS 23.038) and UCS-2 encoding, segmentation with
 * the concatenation UDH (TS 23.040 9.2.3.24.1 and .8), transliteration for
 * `[sms] encoding = translit`, and decoding of MO user data to UTF-8.
 *
 * Encoding runs in two passes over the UTF-8 text: the first decides the
 * encoding and counts, the second writes the segments. Both cut where an
 * escape pair or a surrogate pair would straddle a boundary, so the count
 * is exact. Both are table lookups; nothing allocates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "smstext.h"
#include "util.h"

#define GSM_ESC		0x1b
#define REPLACEMENT	0xfffd

/* Septets / UTF-16 units in one segment, alone and concatenated. */
#define GSM_SINGLE	160
#define GSM_CONCAT8	153	/* 6-byte UDH: (140 - 6) * 8 / 7 */
#define GSM_CONCAT16	152	/* 7-byte UDH */
#define UCS2_SINGLE	70
#define UCS2_CONCAT8	67
#define UCS2_CONCAT16	66

/* The GSM 7-bit default alphabet, septet to code point. 0x1b is ESC. */
static const uint16_t gsm_basic[128] = {
	0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec,
	0x00f2, 0x00c7, 0x000a, 0x00d8, 0x00f8, 0x000d, 0x00c5, 0x00e5,
	0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8,
	0x03a3, 0x0398, 0x039e, 0x0000, 0x00c6, 0x00e6, 0x00df, 0x00c9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00a4, 0x0025, 0x0026, 0x0027,
	0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f,
	0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7,
	0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0,
};

/* The extension table: the septet after ESC to code point (0: none). */
static const uint16_t gsm_ext[128] = {
	[0x0a] = 0x000c, [0x14] = 0x005e, [0x28] = 0x007b, [0x29] = 0x007d,
	[0x2f] = 0x005c, [0x3c] = 0x005b, [0x3d] = 0x007e, [0x3e] = 0x005d,
	[0x40] = 0x007c, [0x65] = 0x20ac,
};

/*
 * Code points below 256 to GSM: a septet, EXT | septet for an extension
 * character (two septets), or -1. Built from the tables above on first
 * use, so the alphabet is written down once.
 */
#define EXT	0x100
static int16_t	 gsm_lo[256];
static int	 gsm_lo_ready;

static void
gsm_lo_init(void)
{
	int	 i;

	for (i = 0; i < 256; i++)
		gsm_lo[i] = -1;
	for (i = 0; i < 128; i++)
		if (i != GSM_ESC && gsm_basic[i] < 256)
			gsm_lo[gsm_basic[i]] = (int16_t)i;
	for (i = 0; i < 128; i++)
		if (gsm_ext[i] != 0 && gsm_ext[i] < 256)
			gsm_lo[gsm_ext[i]] = (int16_t)(EXT | i);
	gsm_lo_ready = 1;
}

static inline int
gsm_code(uint32_t cp)
{
	if (cp < 256)
		return gsm_lo[cp];
	switch (cp) {
	case 0x0393: return 0x13;	/* Γ */
	case 0x0394: return 0x10;	/* Δ */
	case 0x0398: return 0x19;	/* Θ */
	case 0x039b: return 0x14;	/* Λ */
	case 0x039e: return 0x1a;	/* Ξ */
	case 0x03a0: return 0x16;	/* Π */
	case 0x03a3: return 0x18;	/* Σ */
	case 0x03a6: return 0x12;	/* Φ */
	case 0x03a8: return 0x17;	/* Ψ */
	case 0x03a9: return 0x15;	/* Ω */
	case 0x20ac: return EXT | 0x65;	/* € */
	}
	return -1;
}

/*
 * Transliteration: what a character outside GSM becomes under translit.
 * Latvian letters lose their marks (and so does the rest of Latin
 * Extended-A, for names); typographic quotes, dashes and spaces become
 * their plain forms. Every replacement is GSM. NULL: no replacement.
 */
/* Latin-1 not in GSM; "" for none. */
static const char latin1_tr[96][4] = {
	/* A0 */ " ", "", "", "", "", "", "|", "", "", "(c)", "", "\"", "",
	"", "(R)", "",
	/* B0 */ "", "", "2", "3", "'", "", "", ".", "", "1", "", "\"", "",
	"", "", "",
	/* C0 */ "A", "A", "A", "A", "", "", "", "", "E", "", "E", "E", "I",
	"I", "I", "I",
	/* D0 */ "D", "", "O", "O", "O", "O", "", "x", "", "U", "U", "U", "",
	"Y", "", "",
	/* E0 */ "", "a", "a", "a", "", "", "", "c", "", "", "e", "e", "",
	"i", "i", "i",
	/* F0 */ "d", "", "", "o", "o", "o", "", "", "", "", "u", "u", "",
	"y", "", "y",
};

static const char latext_tr[128][3] = {
	"A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c",
	"D", "d",
	"D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g",
	"G", "g",
	"G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i",
	"I", "i",
	"I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l",
	"L", "l", "L",
	"l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o",
	"O", "o",
	"O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S",
	"s", "S", "s",
	"S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u",
	"U", "u",
	"U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z",
	"z", "s",
};

static const char *
translit(uint32_t cp)
{
	const char	*r;

	if (cp == '\t')
		return " ";
	if (cp == 0xad)		/* soft hyphen: invisible */
		return "";
	if (cp >= 0xa0 && cp < 0x100) {
		r = latin1_tr[cp - 0xa0];
		return r[0] != '\0' ? r : NULL;
	}
	if (cp >= 0x100 && cp < 0x180)
		return latext_tr[cp - 0x100];
	if (cp >= 0x2000 && cp <= 0x200a)
		return " ";
	switch (cp) {
	case 0x200b: case 0x2060: case 0xfeff:	/* invisible */
		return "";
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2015: case 0x2212:
		return "-";
	case 0x2018: case 0x2019: case 0x201a: case 0x201b: case 0x2032:
		return "'";
	case 0x201c: case 0x201d: case 0x201e: case 0x201f: case 0x2033:
		return "\"";
	case 0x2026:
		return "...";
	case 0x2039:
		return "<";
	case 0x203a:
		return ">";
	case '`':
		return "'";
	case 0x202f:
		return " ";
	}
	return NULL;
}

/*
 * The next code point of s[*ip..len), strictly: no overlong forms, no
 * surrogates, nothing past U+10FFFF. -1 when malformed.
 */
static inline int
utf8_next(const uint8_t *s, size_t len, size_t *ip, uint32_t *cpp)
{
	size_t	 i = *ip, n, k;
	uint32_t c = s[i], cp;

	if (c < 0x80) {
		*cpp = c;
		*ip = i + 1;
		return 0;
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
		return -1;
	if (len - i <= n)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i + k] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return -1;
	*cpp = cp;
	*ip = i + n + 1;
	return 0;
}

static inline size_t
utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static const char *const policy_names[] = { SMSTEXT_POLICY_NAMES };
_Static_assert(sizeof(policy_names) / sizeof(policy_names[0]) ==
    SMSTEXT_GSM7 + 1, "a name for every policy");

int
smstext_policy_parse(const char *s, enum smstext_policy *p,
    const char **errstr)
{
	size_t	 i;

	for (i = 0; i < nitems(policy_names); i++)
		if (strcmp(s, policy_names[i]) == 0) {
			*p = (enum smstext_policy)i;
			return 0;
		}
	*errstr = N_("is not one of auto, ucs2, translit, gsm7");
	return -1;
}

const char *
smstext_policy_name(enum smstext_policy p)
{
	return (size_t)p < nitems(policy_names) ? policy_names[p] : "?";
}

const char *
smstext_encoding_name(enum smstext_encoding e)
{
	return e == SMSTEXT_ENC_GSM7 ? "GSM-7" : "UCS-2";
}

/* gsm_map: cp is sent as the GSM symbols of the string in *tr. */
#define MAP_TR	(-2)

/*
 * How cp goes out in GSM-7 under policy: a code as gsm_code gives it,
 * MAP_TR with the replacement in *tr, or -1 when it cannot.
 */
static inline int
gsm_map(uint32_t cp, enum smstext_policy policy, const char **tr)
{
	int	 code;

	if ((code = gsm_code(cp)) >= 0)
		return code;
	if (policy == SMSTEXT_TRANSLIT || policy == SMSTEXT_GSM7) {
		if ((*tr = translit(cp)) != NULL)
			return MAP_TR;
		if (policy == SMSTEXT_GSM7) {
			*tr = "?";
			return MAP_TR;
		}
	}
	return -1;
}

/* Counts the segments that cutting at cap units gives. */
struct tally {
	size_t	 cap;
	size_t	 used;
	size_t	 nseg;
};

static inline void
tally_put(struct tally *t, size_t width)
{
	if (t->used + width > t->cap) {
		t->nseg++;
		t->used = 0;
	}
	t->used += width;
}

/*
 * Segments of a concatenated text when widths differ (escape pairs,
 * surrogate pairs), so a cut can leave a unit free. The text was checked.
 */
static size_t
cut_count(const uint8_t *s, size_t len, enum smstext_policy policy,
    int gsm, size_t cap)
{
	struct tally	 t = { cap, 0, 1 };
	const char	*r;
	size_t		 i, k;
	uint32_t	 cp;
	int		 code;

	for (i = 0; i < len;) {
		if (utf8_next(s, len, &i, &cp) == -1)
			fatalx("smstext: text changed between passes");
		if (!gsm) {
			tally_put(&t, cp >= 0x10000 ? 2 : 1);
			continue;
		}
		if ((code = gsm_map(cp, policy, &r)) == MAP_TR) {
			for (k = 0; r[k] != '\0'; k++) {
				code = gsm_lo[(uint8_t)r[k]];
				tally_put(&t, code & EXT ? 2 : 1);
			}
		} else
			tally_put(&t, code & EXT ? 2 : 1);
	}
	return t.nseg;
}

static void
subst_add(struct smstext_info *info, uint32_t from, const char *to)
{
	size_t	 i;

	for (i = 0; i < info->nsubst; i++)
		if (info->subst[i].from == from) {
			info->subst[i].count++;
			return;
		}
	if (info->nsubst == SMSTEXT_SUBST_MAX) {
		info->nsubst_more++;
		return;
	}
	info->subst[i].from = from;
	(void)util_strlcpy(info->subst[i].to, to, sizeof(info->subst[i].to));
	info->subst[i].count = 1;
	info->nsubst++;
}

/*
 * One pass decides the encoding and counts; segments follow from the
 * counts, except for a long text with pairs in it, which cut_count walks
 * again to find where the cuts fall.
 */
int
smstext_analyze(const char *text, size_t len, const struct smstext_opts *o,
    struct smstext_info *info, const char **errstr)
{
	const uint8_t		*s = (const uint8_t *)text;
	enum smstext_policy	 policy = o != NULL ? o->policy : SMSTEXT_AUTO;
	int			 ref16 = o != NULL && o->ref16;
	const char		*r = NULL;
	size_t			 i, k, cps = 0, astral = 0, gchars = 0;
	size_t			 gunits = 0, cap;
	uint32_t		 cp;
	int			 code, gsm_ok, gext = 0;

	if (!gsm_lo_ready)
		gsm_lo_init();
	if (len > SMSTEXT_TEXT_MAX) {
		*errstr = N_("text is longer than 8192 bytes");
		return -1;
	}
	info->nongsm = 0;
	info->nsubst = info->nsubst_more = 0;
	gsm_ok = policy != SMSTEXT_UCS2;

	for (i = 0; i < len;) {
		if (s[i] < 0x80) {
			if (s[i] == 0) {
				*errstr = N_("text contains a NUL byte");
				return -1;
			}
			cp = s[i++];
		} else {
			if (utf8_next(s, len, &i, &cp) == -1) {
				*errstr = N_("text is not valid UTF-8");
				return -1;
			}
			astral += cp >= 0x10000;
		}
		cps++;
		if (!gsm_ok)
			continue;
		if ((code = gsm_map(cp, policy, &r)) >= 0) {
			gchars++;
			gunits += 1 + (code >> 8);
			gext |= code;
		} else if (code == MAP_TR) {
			for (k = 0; r[k] != '\0'; k++) {
				code = gsm_lo[(uint8_t)r[k]];
				gchars++;
				gunits += 1 + (code >> 8);
				gext |= code;
			}
			subst_add(info, cp, r);
		} else {
			gsm_ok = 0;
			info->nongsm = cp;
		}
	}

	if (gsm_ok) {
		info->encoding = SMSTEXT_ENC_GSM7;
		info->chars = gchars;
		info->units = gunits;
		cap = ref16 ? GSM_CONCAT16 : GSM_CONCAT8;
		if (gunits <= GSM_SINGLE)
			info->segments = 1;
		else if (!(gext & EXT))
			info->segments = (gunits + cap - 1) / cap;
		else
			info->segments = cut_count(s, len, policy, 1, cap);
	} else {
		/* Still UCS-2: send the text as written, not half-changed. */
		info->encoding = SMSTEXT_ENC_UCS2;
		info->chars = cps;
		info->units = cps + astral;
		info->nsubst = info->nsubst_more = 0;
		cap = ref16 ? UCS2_CONCAT16 : UCS2_CONCAT8;
		if (info->units <= UCS2_SINGLE)
			info->segments = 1;
		else if (astral == 0)
			info->segments = (info->units + cap - 1) / cap;
		else
			info->segments = cut_count(s, len, policy, 0, cap);
	}
	return 0;
}

/* Whether a substitution's text would be invisible or unclear in a list. */
static int
subst_invisible(uint32_t cp)
{
	return cp <= 0x20 || cp == 0xa0 || cp == 0xad ||
	    (cp >= 0x2000 && cp <= 0x200b) || cp == 0x202f || cp == 0x2060 ||
	    cp == 0xfeff;
}

int
smstext_subst_format(const struct smstext_info *info, char *buf, size_t size)
{
	const struct smstext_subst *sb;
	char		 from[16];
	const char	*to;
	size_t		 i, off = 0;
	int		 n;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < info->nsubst; i++) {
		sb = &info->subst[i];
		if (subst_invisible(sb->from))
			(void)util_snprintf(from, sizeof(from), "U+%04X",
			    (unsigned)sb->from);
		else
			from[utf8_put(from, sb->from)] = '\0';
		if (sb->to[0] == '\0')
			to = "(removed)";
		else if (strcmp(sb->to, " ") == 0)
			to = "(space)";
		else
			to = sb->to;
		n = snprintf(buf + off, size - off, "%s%s→%s",
		    i > 0 ? ", " : "", from, to);
		if (n < 0 || (size_t)n >= size - off)
			return -1;
		off += (size_t)n;
	}
	if (info->nsubst_more > 0) {
		n = snprintf(buf + off, size - off, " and %zu more",
		    info->nsubst_more);
		if (n < 0 || (size_t)n >= size - off)
			return -1;
	}
	return 0;
}

/*
 * Writes symbols into segments, cutting where the first pass counted. The
 * loops keep the write position and fill in locals: stores through a
 * uint8_t pointer may alias anything, so a struct field would be reloaded
 * after every byte.
 */
struct writer {
	struct smstext_msg *m;
	size_t		 cap;
	size_t		 seg;
	int		 concat;
	int		 ref16;
};

/* Begin segment w->seg; returns where its payload starts. */
static uint8_t *
writer_start(struct writer *w)
{
	struct smstext_segment	*sg = &w->m->seg[w->seg];
	uint8_t			*d = sg->data;
	uint8_t			 total = (uint8_t)w->m->nsegments;
	uint8_t			 seq = (uint8_t)(w->seg + 1);

	if (!w->concat)
		sg->udh_len = 0;
	else if (w->ref16) {
		d[0] = 6;
		d[1] = 0x08;
		d[2] = 4;
		d[3] = (uint8_t)(w->m->ref >> 8);
		d[4] = (uint8_t)w->m->ref;
		d[5] = total;
		d[6] = seq;
		sg->udh_len = 7;
	} else {
		d[0] = 5;
		d[1] = 0x00;
		d[2] = 3;
		d[3] = (uint8_t)w->m->ref;
		d[4] = total;
		d[5] = seq;
		sg->udh_len = 6;
	}
	return d + sg->udh_len;
}

static void
writer_end(struct writer *w, const uint8_t *p)
{
	struct smstext_segment	*sg = &w->m->seg[w->seg];

	sg->len = (uint16_t)(p - sg->data);
}

/* Close the segment at p and begin the next. */
static uint8_t *
writer_cut(struct writer *w, const uint8_t *p)
{
	writer_end(w, p);
	if (++w->seg >= w->m->nsegments)
		fatalx("smstext: segment %zu past the %zu counted", w->seg + 1,
		    w->m->nsegments);
	return writer_start(w);
}

/* Make room for width units at *pp, cutting if the segment is full. */
static inline void
writer_room(struct writer *w, uint8_t **pp, size_t *used, size_t width)
{
	if (*used + width > w->cap) {
		*pp = writer_cut(w, *pp);
		*used = 0;
	}
	*used += width;
}

static inline void
writer_gsm(struct writer *w, uint8_t **pp, size_t *used, int code)
{
	if (code & EXT) {
		writer_room(w, pp, used, 2);
		(*pp)[0] = GSM_ESC;
		(*pp)[1] = (uint8_t)(code & 0x7f);
		*pp += 2;
	} else {
		writer_room(w, pp, used, 1);
		*(*pp)++ = (uint8_t)code;
	}
}

static void
write_gsm(struct writer *w, const uint8_t *s, size_t len,
    enum smstext_policy policy)
{
	const char	*r = NULL;
	uint8_t		*p = writer_start(w);
	size_t		 i, k, used = 0;
	uint32_t	 cp;
	int		 code;

	for (i = 0; i < len;) {
		if (s[i] < 0x80 && (code = gsm_lo[s[i]]) >= 0) {
			i++;
			writer_gsm(w, &p, &used, code);
			continue;
		}
		if (utf8_next(s, len, &i, &cp) == -1)
			fatalx("smstext: text changed between passes");
		if ((code = gsm_map(cp, policy, &r)) == MAP_TR) {
			for (k = 0; r[k] != '\0'; k++)
				writer_gsm(w, &p, &used,
				    gsm_lo[(uint8_t)r[k]]);
		} else if (code >= 0)
			writer_gsm(w, &p, &used, code);
		else
			fatalx("smstext: U+%04X has no GSM form",
			    (unsigned)cp);
	}
	writer_end(w, p);
}

static void
write_ucs2(struct writer *w, const uint8_t *s, size_t len)
{
	uint8_t		*p = writer_start(w);
	size_t		 i, used = 0;
	uint32_t	 cp, hi, lo;

	for (i = 0; i < len;) {
		if (s[i] < 0x80)
			cp = s[i++];
		else if (utf8_next(s, len, &i, &cp) == -1)
			fatalx("smstext: text changed between passes");
		if (cp < 0x10000) {
			writer_room(w, &p, &used, 1);
			p[0] = (uint8_t)(cp >> 8);
			p[1] = (uint8_t)cp;
			p += 2;
		} else {
			cp -= 0x10000;
			hi = 0xd800 | (cp >> 10);
			lo = 0xdc00 | (cp & 0x3ff);
			writer_room(w, &p, &used, 2);
			p[0] = (uint8_t)(hi >> 8);
			p[1] = (uint8_t)hi;
			p[2] = (uint8_t)(lo >> 8);
			p[3] = (uint8_t)lo;
			p += 4;
		}
	}
	writer_end(w, p);
}

/*
 * Most messages are short and plain ASCII: write segment 0 while checking,
 * in one pass. 0 leaves the text to the general two passes (a byte that is
 * not ASCII in GSM, or more than one segment); the result is the same.
 */
static int
encode_short_ascii(const uint8_t *s, size_t len, struct smstext_msg *m)
{
	uint8_t		*p = m->seg[0].data, *end = p + GSM_SINGLE;
	size_t		 i;
	int		 code;

	if (len > GSM_SINGLE)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] >= 0x80 || (code = gsm_lo[s[i]]) < 0)
			return 0;
		/* Escapes may have used the room: then it needs two. */
		if (end - p < ((code & EXT) ? 2 : 1))
			return 0;
		if (code & EXT) {
			*p++ = GSM_ESC;
			*p++ = (uint8_t)(code & 0x7f);
		} else
			*p++ = (uint8_t)code;
	}
	m->info.encoding = SMSTEXT_ENC_GSM7;
	m->info.chars = len;
	m->info.units = (size_t)(p - m->seg[0].data);
	m->info.segments = 1;
	m->info.nongsm = 0;
	m->info.nsubst = m->info.nsubst_more = 0;
	m->data_coding = SMSTEXT_DC_GSM7;
	m->esm_class = 0;
	m->ref = 0;
	m->nsegments = 1;
	m->seg[0].udh_len = 0;
	m->seg[0].len = (uint16_t)(p - m->seg[0].data);
	return 1;
}

int
smstext_encode(const char *text, size_t len, const struct smstext_opts *o,
    struct smstext_msg *m, const char **errstr)
{
	static const struct smstext_opts defaults;
	struct writer	 w;
	int		 max;
	uint16_t	 ref;

	if (o == NULL)
		o = &defaults;
	max = o->max_segments == 0 ? SMSTEXT_SEGMENTS_DEFAULT : o->max_segments;
	if (max < 1 || max > SMSTEXT_SEGMENTS_CAP) {
		*errstr = N_("the segment limit must be between 1 and 16");
		return -1;
	}
	if (!gsm_lo_ready)
		gsm_lo_init();
	/* Under every policy but ucs2, ASCII in GSM stays as it is. */
	if (o->policy != SMSTEXT_UCS2 &&
	    encode_short_ascii((const uint8_t *)text, len, m))
		return 0;
	m->nsegments = 0;
	if (smstext_analyze(text, len, o, &m->info, errstr) == -1)
		return -1;
	if (m->info.segments > (size_t)max) {
		(void)util_snprintf(m->err, sizeof(m->err),
		    _("message needs %zu segments (%zu characters), the limit "
		    "is %d"), m->info.segments, m->info.chars, max);
		*errstr = m->err;
		return -1;
	}

	m->nsegments = m->info.segments;
	m->ref = 0;
	m->esm_class = 0;
	memset(&w, 0, sizeof(w));
	w.m = m;
	if (m->nsegments > 1) {
		ref = o->refs != NULL ?
		    smstext_refs_next(o->refs, o->dst != NULL ? o->dst : "") :
		    o->ref;
		m->ref = o->ref16 ? ref : (uint8_t)ref;
		m->esm_class = SMSTEXT_ESM_UDHI;
		w.concat = 1;
		w.ref16 = o->ref16;
	}
	if (m->info.encoding == SMSTEXT_ENC_GSM7) {
		m->data_coding = SMSTEXT_DC_GSM7;
		w.cap = !w.concat ? GSM_SINGLE :
		    w.ref16 ? GSM_CONCAT16 : GSM_CONCAT8;
		write_gsm(&w, (const uint8_t *)text, len, o->policy);
	} else {
		m->data_coding = SMSTEXT_DC_UCS2;
		w.cap = !w.concat ? UCS2_SINGLE :
		    w.ref16 ? UCS2_CONCAT16 : UCS2_CONCAT8;
		write_ucs2(&w, (const uint8_t *)text, len);
	}
	if (w.seg + 1 != m->nsegments)
		fatalx("smstext: wrote %zu segments, counted %zu", w.seg + 1,
		    m->nsegments);
	return 0;
}

int
smstext_encode_ussd(const char *text, size_t len,
    const struct smstext_opts *o, struct smstext_msg *m, const char **errstr)
{
	static const struct smstext_opts defaults;
	struct writer	 w;
	size_t		 max;

	if (o == NULL)
		o = &defaults;
	if (!gsm_lo_ready)
		gsm_lo_init();
	if (smstext_analyze(text, len, o, &m->info, errstr) == -1)
		return -1;
	max = m->info.encoding == SMSTEXT_ENC_GSM7 ? SMSTEXT_USSD_GSM_MAX :
	    SMSTEXT_USSD_UCS2_MAX;
	if (m->info.units > max) {
		(void)util_snprintf(m->err, sizeof(m->err),
		    _("a USSD screen holds %zu units in %s, this one needs "
		    "%zu"), max, smstext_encoding_name(m->info.encoding),
		    m->info.units);
		*errstr = m->err;
		return -1;
	}
	/* One screen, never concatenated: the segment count does not apply. */
	m->info.segments = 1;
	m->nsegments = 1;
	m->ref = 0;
	m->esm_class = 0;
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.cap = max;
	if (m->info.encoding == SMSTEXT_ENC_GSM7) {
		m->data_coding = SMSTEXT_DC_GSM7;
		write_gsm(&w, (const uint8_t *)text, len, o->policy);
	} else {
		m->data_coding = SMSTEXT_DC_UCS2;
		write_ucs2(&w, (const uint8_t *)text, len);
	}
	return 0;
}

/*
 * References: a 4-way set-associative table of recent destinations, least
 * recently used out. A destination's reference counts up, so it repeats
 * only after 256 (or 65536) long messages to that number; one that fell
 * out starts at a random point, unlikely to meet its old parts.
 */
#define REFS_SETS	256
#define REFS_WAYS	4

struct refs_entry {
	uint64_t	 hash;
	uint32_t	 tick;
	uint16_t	 next;
	uint8_t		 used;
};

struct smstext_refs {
	struct refs_entry e[REFS_SETS][REFS_WAYS];
	uint32_t	 tick;
	uint64_t	 rng;
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct smstext_refs *
smstext_refs_new(void)
{
	struct smstext_refs	*r;

	r = xcalloc(1, sizeof(*r));
	r->rng = (uint64_t)clock_now_ms() ^ (uint64_t)(uintptr_t)r;
	return r;
}

void
smstext_refs_free(struct smstext_refs *r)
{
	free(r);
}

uint16_t
smstext_refs_next(struct smstext_refs *r, const char *dst)
{
	struct refs_entry	*set, *e, *victim;
	uint64_t		 h = 0xcbf29ce484222325ULL;
	const unsigned char	*p;
	int			 i;

	for (p = (const unsigned char *)dst; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	set = r->e[(h ^ (h >> 29)) % REFS_SETS];
	r->tick++;
	victim = &set[0];
	for (i = 0; i < REFS_WAYS; i++) {
		e = &set[i];
		if (e->used && e->hash == h) {
			e->tick = r->tick;
			return e->next++;
		}
		if (!e->used)
			victim = e;
		else if (victim->used && e->tick < victim->tick)
			victim = e;
	}
	victim->used = 1;
	victim->hash = h;
	victim->tick = r->tick;
	victim->next = (uint16_t)splitmix64(&r->rng);
	return victim->next++;
}

/* Decoding. */

enum dc_kind {
	DC_NONE,
	DC_GSM,
	DC_ASCII,
	DC_LATIN1,
	DC_UCS2,
};

/*
 * SMPP 3.4 5.2.19 for 0x00-0x0f; TS 23.038 coding groups above: general
 * (uncompressed, with class), message waiting, and data coding/message
 * class, where bit 2 set (0xf4-0xf7) means 8-bit data, not text.
 */
static enum dc_kind
dc_kind(uint8_t dc)
{
	switch (dc) {
	case 0x00:
		return DC_GSM;
	case 0x01:
		return DC_ASCII;
	case 0x03:
		return DC_LATIN1;
	case 0x08:
		return DC_UCS2;
	}
	if ((dc & 0xf0) == 0x10) {
		switch (dc & 0x0c) {
		case 0x00:
			return DC_GSM;
		case 0x08:
			return DC_UCS2;
		}
		return DC_NONE;
	}
	if (dc >= 0xc0 && dc <= 0xdf)
		return DC_GSM;
	if (dc >= 0xe0 && dc <= 0xef)
		return DC_UCS2;
	if (dc >= 0xf0 && dc <= 0xf3)
		return DC_GSM;
	return DC_NONE;
}

int
smstext_dc_readable(uint8_t dc)
{
	return dc_kind(dc) != DC_NONE;
}

int
smstext_decode_ud(uint8_t dc, const uint8_t *ud, size_t len, char *out,
    size_t size)
{
	enum dc_kind	 kind = dc_kind(dc);
	size_t		 i, o = 0;
	uint32_t	 cp, u, u2;
	uint8_t		 b;

	if (kind == DC_NONE || len > (size_t)(INT32_MAX / 4) ||
	    size < SMSTEXT_DECODE_SIZE(len))
		return -1;
	switch (kind) {
	case DC_GSM:
		for (i = 0; i < len; i++) {
			b = ud[i];
			if (b > 0x7f)
				cp = REPLACEMENT;
			else if (b != GSM_ESC)
				cp = gsm_basic[b];
			else if (i + 1 == len || ud[i + 1] > 0x7f) {
				cp = REPLACEMENT;
			} else {
				b = ud[++i];
				/*
				 * TS 23.038 6.2.1.1: ESC ESC shows as a space;
				 * an unknown extension as the basic character.
				 */
				if (b == GSM_ESC)
					cp = ' ';
				else if (gsm_ext[b] != 0)
					cp = gsm_ext[b];
				else
					cp = gsm_basic[b];
			}
			o += utf8_put(out + o, cp);
		}
		break;
	case DC_ASCII:
		for (i = 0; i < len; i++) {
			cp = ud[i] == 0 || ud[i] > 0x7f ? REPLACEMENT : ud[i];
			o += utf8_put(out + o, cp);
		}
		break;
	case DC_LATIN1:
		for (i = 0; i < len; i++) {
			cp = ud[i] == 0 ? REPLACEMENT : ud[i];
			o += utf8_put(out + o, cp);
		}
		break;
	case DC_UCS2:
		for (i = 0; i + 1 < len; i += 2) {
			u = (uint32_t)ud[i] << 8 | ud[i + 1];
			cp = u;
			if (u >= 0xd800 && u <= 0xdbff) {
				cp = REPLACEMENT;
				if (i + 3 < len) {
					u2 = (uint32_t)ud[i + 2] << 8 |
					    ud[i + 3];
					if (u2 >= 0xdc00 && u2 <= 0xdfff) {
						cp = 0x10000 +
						    ((u - 0xd800) << 10) +
						    (u2 - 0xdc00);
						i += 2;
					}
				}
			} else if ((u >= 0xdc00 && u <= 0xdfff) || u == 0)
				cp = REPLACEMENT;
			o += utf8_put(out + o, cp);
		}
		if (len % 2 != 0)
			o += utf8_put(out + o, REPLACEMENT);
		break;
	case DC_NONE:
		return -1;
	}
	out[o] = '\0';
	return (int)o;
}

int
smstext_udh_parse(const uint8_t *ud, size_t len, struct smstext_concat *c,
    size_t *hlen)
{
	const uint8_t	*d;
	size_t		 end, i, l;

	memset(c, 0, sizeof(*c));
	if (len < 1 || (size_t)ud[0] + 1 > len)
		return -1;
	end = (size_t)ud[0] + 1;
	*hlen = end;
	/*
	 * TS 23.040 9.2.3.24: a concatenation IE with seq 0 or past total is
	 * ignored; when one repeats the last one counts. An IE that runs past
	 * the header ends the walk.
	 */
	for (i = 1; i + 2 <= end; i += 2 + l) {
		l = ud[i + 1];
		if (i + 2 + l > end)
			break;
		d = ud + i + 2;
		if (ud[i] == 0x00 && l == 3 && d[1] != 0 && d[2] != 0 &&
		    d[2] <= d[1]) {
			c->present = 1;
			c->ref_bits = 8;
			c->ref = d[0];
			c->total = d[1];
			c->seq = d[2];
		} else if (ud[i] == 0x08 && l == 4 && d[2] != 0 && d[3] != 0 &&
		    d[3] <= d[2]) {
			c->present = 1;
			c->ref_bits = 16;
			c->ref = (uint16_t)(d[0] << 8 | d[1]);
			c->total = d[2];
			c->seq = d[3];
		}
	}
	return 0;
}

static void
hex_put(char *out, const uint8_t *p, size_t len)
{
	static const char	 xd[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = xd[p[i] >> 4];
		out[2 * i + 1] = xd[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
smstext_decode(uint8_t dc, int udhi, const uint8_t *sm, size_t len,
    struct smstext_mo *mo, const char **errstr)
{
	size_t	 off = 0;
	int	 n;

	mo->readable = 0;
	mo->data_coding = dc;
	memset(&mo->concat, 0, sizeof(mo->concat));
	mo->ud_offset = 0;
	mo->ud_len = 0;
	mo->len = 0;
	mo->text[0] = '\0';
	if (len > SMSTEXT_MO_MAX) {
		*errstr = N_("message is longer than 1024 bytes");
		return -1;
	}
	if (udhi && smstext_udh_parse(sm, len, &mo->concat, &off) == -1) {
		/* Where the text starts is unknown: keep it all as hex. */
		mo->ud_len = len;
		hex_put(mo->text, sm, len);
		mo->len = 2 * len;
		return 0;
	}
	mo->ud_offset = off;
	mo->ud_len = len - off;
	n = smstext_decode_ud(dc, sm + off, len - off, mo->text,
	    sizeof(mo->text));
	if (n == -1) {
		hex_put(mo->text, sm + off, len - off);
		mo->len = 2 * (len - off);
		return 0;
	}
	mo->readable = 1;
	mo->len = (size_t)n;
	return 0;
}
