/*
 * test_smstext: the SMS text module at its boundaries — segment sizes for
 * GSM-7 and UCS-2, escape and surrogate pairs at a cut, transliteration,
 * decoding of every data_coding, the UDH, and MO reassembly over the
 * in-memory store (order, duplicates, timeout, restart).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "smsreasm.h"
#include "store.h"
#include "smstext.h"
#include "util.h"

#define T0	1700000000

static const char latvian[] =
    "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ";

/* Append cp as UTF-8 to buf at *o. */
static void
put_cp(char *buf, size_t *o, uint32_t cp)
{
	if (cp < 0x80)
		buf[(*o)++] = (char)cp;
	else if (cp < 0x800) {
		buf[(*o)++] = (char)(0xc0 | (cp >> 6));
		buf[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf[(*o)++] = (char)(0xe0 | (cp >> 12));
		buf[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		buf[(*o)++] = (char)(0xf0 | (cp >> 18));
		buf[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
	buf[*o] = '\0';
}

/* n copies of the UTF-8 string s, then tail. */
static char *
repeat(const char *s, size_t n, const char *tail)
{
	size_t	 ls = strlen(s), lt = strlen(tail), i;
	char	*b = xmalloc(ls * n + lt + 1);

	for (i = 0; i < n; i++)
		memcpy(b + i * ls, s, ls);
	memcpy(b + n * ls, tail, lt + 1);
	return b;
}

static int
encode(const char *text, enum smstext_policy p, struct smstext_msg *m)
{
	struct smstext_opts	 o;
	const char		*errstr = NULL;

	memset(&o, 0, sizeof(o));
	o.policy = p;
	o.ref = 0x42;
	return smstext_encode(text, strlen(text), &o, m, &errstr);
}

/* The payloads of m's segments, UDH removed, decoded back to UTF-8. */
static void
decode_all(const struct smstext_msg *m, char *out, size_t size)
{
	uint8_t	 ud[SMSTEXT_SEGMENTS_CAP * SMSTEXT_SEGMENT_BYTES];
	size_t	 n = 0, i;
	int	 r;

	for (i = 0; i < m->nsegments; i++) {
		memcpy(ud + n, m->seg[i].data + m->seg[i].udh_len,
		    m->seg[i].len - m->seg[i].udh_len);
		n += m->seg[i].len - m->seg[i].udh_len;
	}
	r = smstext_decode_ud(m->data_coding, ud, n, out, size);
	assert_true(r >= 0);
}

static void
check_udh8(const struct smstext_segment *sg, uint8_t ref, uint8_t total,
    uint8_t seq)
{
	assert_int_equal(sg->udh_len, 6);
	assert_int_equal(sg->data[0], 5);
	assert_int_equal(sg->data[1], 0x00);
	assert_int_equal(sg->data[2], 3);
	assert_int_equal(sg->data[3], ref);
	assert_int_equal(sg->data[4], total);
	assert_int_equal(sg->data[5], seq);
}

static void
test_gsm_160_161(void **state)
{
	struct smstext_msg	 m;
	char			*t;

	(void)state;
	t = repeat("a", 160, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_GSM7);
	assert_int_equal(m.data_coding, 0);
	assert_int_equal(m.esm_class, 0);
	assert_int_equal(m.nsegments, 1);
	assert_int_equal(m.info.units, 160);
	assert_int_equal(m.info.chars, 160);
	assert_int_equal(m.seg[0].udh_len, 0);
	assert_int_equal(m.seg[0].len, 160);
	assert_int_equal(m.seg[0].data[159], 'a');
	free(t);

	t = repeat("a", 160, "b");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.info.segments, 2);
	assert_int_equal(m.esm_class, SMSTEXT_ESM_UDHI);
	check_udh8(&m.seg[0], 0x42, 2, 1);
	check_udh8(&m.seg[1], 0x42, 2, 2);
	assert_int_equal(m.seg[0].len, 6 + 153);
	assert_int_equal(m.seg[1].len, 6 + 8);
	assert_int_equal(m.seg[1].data[6 + 7], 'b');
	free(t);
}

/*
 * Found by fuzz_smstext_decode: ASCII text of at most 160 characters whose
 * escapes ([ ] { } ~ | ^ \) take it past 160 septets, ending in a plain
 * character, came out as one segment of 161 septets (the fast path checked
 * the room only before an escape pair).
 */
static void
test_gsm_escapes_past_160(void **state)
{
	struct smstext_msg	 m;
	char			*t;

	(void)state;
	/* 20 braces (40 septets) and 121 letters: 140 characters, 161. */
	t = repeat("a", 120, "{{{{{{{{{{{{{{{{{{{{k");
	assert_int_equal(strlen(t), 141);
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.units, 161);
	assert_int_equal(m.nsegments, 2);
	assert_true(m.seg[0].len <= 6 + 153);
	assert_int_equal(m.seg[1].data[m.seg[1].len - 1], 'k');
	free(t);
	/* 160 septets exactly still go as one. */
	t = repeat("a", 119, "{{{{{{{{{{{{{{{{{{{{k");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.units, 160);
	assert_int_equal(m.nsegments, 1);
	assert_int_equal(m.seg[0].len, 160);
	free(t);
}

static void
test_gsm_306_307(void **state)
{
	struct smstext_msg	 m;
	char			*t;

	(void)state;
	t = repeat("x", 306, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.seg[0].len, 6 + 153);
	assert_int_equal(m.seg[1].len, 6 + 153);
	free(t);
	t = repeat("x", 307, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.nsegments, 3);
	assert_int_equal(m.seg[2].len, 6 + 1);
	check_udh8(&m.seg[2], 0x42, 3, 3);
	free(t);
}

static void
test_gsm_escape_at_153(void **state)
{
	struct smstext_msg	 m;
	char			*t, back[1024];

	(void)state;
	/* 152 septets, then € would take septets 153 and 154. */
	t = repeat("a", 152, "€bbbbbbbbbb");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_GSM7);
	assert_int_equal(m.info.units, 152 + 2 + 10);
	assert_int_equal(m.info.chars, 163);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.seg[0].len, 6 + 152);
	assert_int_equal(m.seg[0].data[6 + 151], 'a');
	assert_int_equal(m.seg[1].data[6], 0x1b);
	assert_int_equal(m.seg[1].data[7], 0x65);
	assert_int_equal(m.seg[1].len, 6 + 2 + 10);
	decode_all(&m, back, sizeof(back));
	assert_string_equal(back, t);
	free(t);

	/* 80 extension characters fill one segment; 81 need two. */
	t = repeat("€", 80, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.units, 160);
	assert_int_equal(m.nsegments, 1);
	free(t);
	t = repeat("[", 81, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.seg[0].len, 6 + 152);	/* 76 pairs */
	assert_int_equal(m.seg[1].len, 6 + 10);
	free(t);
}

static void
test_ucs2_70_71(void **state)
{
	struct smstext_msg	 m;
	char			*t;

	(void)state;
	t = repeat("ā", 70, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_UCS2);
	assert_int_equal(m.data_coding, 8);
	assert_int_equal(m.nsegments, 1);
	assert_int_equal(m.info.units, 70);
	assert_int_equal(m.info.chars, 70);
	assert_int_equal(m.info.nongsm, 0x101);
	assert_int_equal(m.seg[0].len, 140);
	assert_int_equal(m.seg[0].data[0], 0x01);
	assert_int_equal(m.seg[0].data[1], 0x01);
	free(t);
	t = repeat("ā", 71, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.seg[0].len, 6 + 134);
	assert_int_equal(m.seg[1].len, 6 + 8);
	check_udh8(&m.seg[1], 0x42, 2, 2);
	free(t);
}

static void
test_ucs2_134_135(void **state)
{
	struct smstext_msg	 m;
	char			*t;

	(void)state;
	t = repeat("ž", 134, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.seg[1].len, 6 + 134);
	free(t);
	t = repeat("ž", 135, "");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.nsegments, 3);
	assert_int_equal(m.seg[2].len, 6 + 2);
	free(t);
}

static void
test_surrogate_at_67(void **state)
{
	struct smstext_msg	 m;
	char			*t, back[1024];

	(void)state;
	/* 66 units, then U+1F600 would take units 67 and 68. */
	t = repeat("ā", 66, "😀āāāāā");
	assert_int_equal(encode(t, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.units, 66 + 2 + 5);
	assert_int_equal(m.info.chars, 72);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.seg[0].len, 6 + 132);
	assert_int_equal(m.seg[1].data[6], 0xd8);
	assert_int_equal(m.seg[1].data[7], 0x3d);
	assert_int_equal(m.seg[1].data[8], 0xde);
	assert_int_equal(m.seg[1].data[9], 0x00);
	decode_all(&m, back, sizeof(back));
	assert_string_equal(back, t);
	free(t);
}

static void
test_latvian_roundtrip(void **state)
{
	struct smstext_msg	 m;
	struct smstext_mo	 mo;
	const char		*errstr;
	static const uint16_t	 want[22] = {
		0x101, 0x10d, 0x113, 0x123, 0x12b, 0x137, 0x13c, 0x146,
		0x161, 0x16b, 0x17e, 0x100, 0x10c, 0x112, 0x122, 0x12a,
		0x136, 0x13b, 0x145, 0x160, 0x16a, 0x17d,
	};
	int			 i;

	(void)state;
	assert_int_equal(encode(latvian, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_UCS2);
	assert_int_equal(m.info.chars, 22);
	assert_int_equal(m.nsegments, 1);
	assert_int_equal(m.seg[0].len, 44);
	for (i = 0; i < 22; i++)
		assert_int_equal(m.seg[0].data[2 * i] << 8 |
		    m.seg[0].data[2 * i + 1], want[i]);
	assert_int_equal(smstext_decode(m.data_coding, 0, m.seg[0].data,
	    m.seg[0].len, &mo, &errstr), 0);
	assert_true(mo.readable);
	assert_string_equal(mo.text, latvian);
	assert_int_equal(mo.len, strlen(latvian));

	/* ucs2 policy on plain ASCII still gives UCS-2. */
	assert_int_equal(encode("Labdien", SMSTEXT_UCS2, &m), 0);
	assert_int_equal(m.data_coding, 8);
	assert_int_equal(m.seg[0].len, 14);
}

static void
test_translit(void **state)
{
	struct smstext_msg	 m;
	struct smstext_info	 info;
	struct smstext_opts	 o;
	const char		*errstr;
	char			 line[256];
	const char		*t = "Rīgas pašvaldība";

	(void)state;
	assert_int_equal(encode(t, SMSTEXT_TRANSLIT, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_GSM7);
	assert_int_equal(m.nsegments, 1);
	assert_int_equal(m.info.chars, 16);
	assert_int_equal(m.seg[0].len, 16);
	assert_memory_equal(m.seg[0].data, "Rigas pasvaldiba", 16);
	assert_int_equal(m.info.nsubst, 2);
	assert_int_equal(m.info.subst[0].from, 0x12b);
	assert_string_equal(m.info.subst[0].to, "i");
	assert_int_equal(m.info.subst[0].count, 2);
	assert_int_equal(m.info.subst[1].from, 0x161);
	assert_int_equal(m.info.subst[1].count, 1);
	assert_int_equal(smstext_subst_format(&m.info, line, sizeof(line)), 0);
	assert_string_equal(line, "ī→i, š→s");
	/* The same text under auto is UCS-2, because of ī. */
	memset(&o, 0, sizeof(o));
	assert_int_equal(smstext_analyze(t, strlen(t), &o, &info, &errstr), 0);
	assert_int_equal(info.encoding, SMSTEXT_ENC_UCS2);
	assert_int_equal(info.nongsm, 0x12b);
	assert_int_equal(info.nsubst, 0);

	/* Typography: quotes, dash, ellipsis (three characters), NBSP. */
	t = "„Zīlīte” – 5\xc2\xa0vietas…";
	assert_int_equal(encode(t, SMSTEXT_TRANSLIT, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_GSM7);
	assert_int_equal(m.info.chars, 22);
	assert_memory_equal(m.seg[0].data, "\"Zilite\" - 5 vietas...", 22);
	assert_int_equal(smstext_subst_format(&m.info, line, sizeof(line)), 0);
	assert_string_equal(line,
	    "„→\", ī→i, ”→\", –→-, U+00A0→(space), …→...");

	/* Still outside GSM: UCS-2 with the text as written. */
	t = "Rīga Рига";
	assert_int_equal(encode(t, SMSTEXT_TRANSLIT, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_UCS2);
	assert_int_equal(m.info.nongsm, 0x420);
	assert_int_equal(m.info.nsubst, 0);
	assert_int_equal(m.seg[0].data[2], 0x01);
	assert_int_equal(m.seg[0].data[3], 0x2b);

	/* Forced GSM-7: translit, then '?' for the rest, all listed. */
	assert_int_equal(encode(t, SMSTEXT_GSM7, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_GSM7);
	assert_memory_equal(m.seg[0].data, "Riga ????", 9);
	assert_int_equal(m.info.nsubst, 5);
	assert_int_equal(m.info.subst[1].from, 0x420);
	assert_string_equal(m.info.subst[1].to, "?");
}

/* Every replacement translit makes is itself GSM. */
static void
test_translit_targets_are_gsm(void **state)
{
	struct smstext_info	 info;
	struct smstext_opts	 o;
	const char		*errstr;
	char			 buf[8];
	size_t			 n;
	uint32_t		 cp;
	int			 changed = 0;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.policy = SMSTEXT_TRANSLIT;
	for (cp = 1; cp < 0x2100; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = 0;
		put_cp(buf, &n, cp);
		assert_int_equal(smstext_analyze(buf, n, &o, &info, &errstr),
		    0);
		if (info.nsubst == 0)
			continue;
		changed++;
		assert_int_equal(info.encoding, SMSTEXT_ENC_GSM7);
	}
	/* Latin-1 and Latin Extended-A letters and the typography. */
	assert_true(changed > 180);
}

/* All of GSM 03.38, basic and extension, survives encode and decode. */
static void
test_gsm_alphabet_roundtrip(void **state)
{
	static const uint32_t	 all[] = {
		'@', 0xa3, '$', 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, '\n',
		0xd8, 0xf8, '\r', 0xc5, 0xe5, 0x394, '_', 0x3a6, 0x393, 0x39b,
		0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e, 0xc6, 0xe6, 0xdf,
		0xc9, ' ', '!', '"', '#', 0xa4, '%', '&', '\'', '(', ')', '*',
		'+', ',', '-', '.', '/', '0', '9', ':', ';', '<', '=', '>', '?',
		0xa1, 'A', 'Z', 0xc4, 0xd6, 0xd1, 0xdc, 0xa7, 0xbf, 'a', 'z',
		0xe4, 0xf6, 0xf1, 0xfc, 0xe0, 0x0c, '^', '{', '}', '\\', '[',
		'~', ']', '|', 0x20ac,
	};
	struct smstext_msg	 m;
	char			 text[512], back[1024];
	size_t			 n = 0, i;

	(void)state;
	for (i = 0; i < nitems(all); i++)
		put_cp(text, &n, all[i]);
	assert_int_equal(encode(text, SMSTEXT_AUTO, &m), 0);
	assert_int_equal(m.info.encoding, SMSTEXT_ENC_GSM7);
	assert_int_equal(m.info.chars, nitems(all));
	assert_int_equal(m.info.units, nitems(all) + 10);
	decode_all(&m, back, sizeof(back));
	assert_string_equal(back, text);
	assert_int_equal(m.seg[0].data[0], 0x00);	/* @ */
	assert_int_equal(m.seg[0].data[16], 0x10);	/* Δ */
}

static void
test_limit_and_errors(void **state)
{
	struct smstext_msg	 m;
	struct smstext_opts	 o;
	struct smstext_info	 info;
	const char		*errstr = NULL;
	char			*t;

	(void)state;
	memset(&o, 0, sizeof(o));
	t = repeat("a", 1100, "");
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), -1);
	assert_string_equal(errstr,
	    "message needs 8 segments (1100 characters), the limit is 6");
	assert_int_equal(smstext_analyze(t, strlen(t), &o, &info, &errstr), 0);
	assert_int_equal(info.segments, 8);
	o.max_segments = 8;
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), 0);
	assert_int_equal(m.nsegments, 8);
	assert_int_equal(m.seg[7].len, 6 + 1100 - 7 * 153);
	o.max_segments = 17;
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), -1);
	free(t);

	/* The limit counts UCS-2 segments too: 6 * 67 = 402 units. */
	o.max_segments = 0;
	t = repeat("ņ", 402, "");
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), 0);
	assert_int_equal(m.nsegments, 6);
	free(t);
	t = repeat("ņ", 403, "");
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), -1);
	assert_string_equal(errstr,
	    "message needs 7 segments (403 characters), the limit is 6");
	free(t);

	assert_int_equal(smstext_encode("a\xff", 2, &o, &m, &errstr), -1);
	assert_string_equal(errstr, "text is not valid UTF-8");
	assert_int_equal(smstext_encode("a\xc4", 2, &o, &m, &errstr), -1);
	assert_int_equal(smstext_encode("\xed\xa0\x80", 3, &o, &m, &errstr),
	    -1);	/* an encoded surrogate */
	assert_int_equal(smstext_encode("a\0b", 3, &o, &m, &errstr), -1);
	assert_string_equal(errstr, "text contains a NUL byte");
	t = repeat("a", SMSTEXT_TEXT_MAX + 1, "");
	assert_int_equal(smstext_analyze(t, strlen(t), &o, &info, &errstr),
	    -1);
	free(t);

	/* An empty text is one empty GSM segment. */
	assert_int_equal(smstext_encode("", 0, &o, &m, &errstr), 0);
	assert_int_equal(m.nsegments, 1);
	assert_int_equal(m.seg[0].len, 0);
}

static void
test_udh16(void **state)
{
	struct smstext_msg	 m;
	struct smstext_opts	 o;
	const char		*errstr;
	char			*t;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.ref16 = 1;
	o.ref = 0x1234;
	t = repeat("a", 161, "");
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), 0);
	assert_int_equal(m.nsegments, 2);
	assert_int_equal(m.ref, 0x1234);
	assert_int_equal(m.seg[0].udh_len, 7);
	assert_memory_equal(m.seg[0].data, "\x06\x08\x04\x12\x34\x02\x01", 7);
	assert_memory_equal(m.seg[1].data, "\x06\x08\x04\x12\x34\x02\x02", 7);
	assert_int_equal(m.seg[0].len, 7 + 152);
	assert_int_equal(m.seg[1].len, 7 + 9);
	free(t);
	t = repeat("ā", 71, "");
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), 0);
	assert_int_equal(m.seg[0].len, 7 + 132);
	assert_int_equal(m.seg[1].len, 7 + 10);
	free(t);
}

static void
test_refs(void **state)
{
	struct smstext_refs	*refs;
	struct smstext_msg	 m;
	struct smstext_opts	 o;
	const char		*errstr;
	uint8_t			 seen[256];
	uint16_t		 a, b, r;
	char			*t, num[16];
	int			 i;

	(void)state;
	clock_set_fake(T0);
	refs = smstext_refs_new();
	a = smstext_refs_next(refs, "+37120000001");
	b = smstext_refs_next(refs, "+37120000002");
	assert_int_equal(smstext_refs_next(refs, "+37120000001"),
	    (uint16_t)(a + 1));
	assert_int_equal(smstext_refs_next(refs, "+37120000002"),
	    (uint16_t)(b + 1));

	/* 256 long messages to one number: 256 different 8-bit refs. */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 256; i++) {
		r = smstext_refs_next(refs, "+37129999999") & 0xff;
		assert_int_equal(seen[r], 0);
		seen[r] = 1;
	}
	/* A hundred other numbers in between do not reset a recent one. */
	a = smstext_refs_next(refs, "+37120000001");
	for (i = 0; i < 100; i++) {
		(void)util_snprintf(num, sizeof(num), "+3712%07d", 5000000 + i);
		(void)smstext_refs_next(refs, num);
	}
	b = smstext_refs_next(refs, "+37120000001");
	assert_int_equal(b, (uint16_t)(a + 1));

	/* encode draws a reference only for a concatenated text. */
	memset(&o, 0, sizeof(o));
	o.refs = refs;
	o.dst = "+37121111111";
	a = smstext_refs_next(refs, o.dst);
	assert_int_equal(smstext_encode("short", 5, &o, &m, &errstr), 0);
	assert_int_equal(m.ref, 0);
	assert_int_equal(m.esm_class, 0);
	t = repeat("a", 200, "");
	assert_int_equal(smstext_encode(t, strlen(t), &o, &m, &errstr), 0);
	assert_int_equal(m.ref, (uint8_t)(a + 1));
	assert_int_equal(m.seg[0].data[3], (uint8_t)(a + 1));
	free(t);
	smstext_refs_free(refs);
	clock_clear_fake();
}

static void
test_policy_names(void **state)
{
	static const char *const names[] = { SMSTEXT_POLICY_NAMES };
	enum smstext_policy	 p;
	const char		*errstr;
	size_t			 i;

	(void)state;
	assert_int_equal(smstext_policy_parse("translit", &p, &errstr), 0);
	assert_int_equal(p, SMSTEXT_TRANSLIT);
	assert_int_equal(smstext_policy_parse("gsm7", &p, &errstr), 0);
	assert_int_equal(p, SMSTEXT_GSM7);
	assert_int_equal(smstext_policy_parse("ucs2", &p, &errstr), 0);
	assert_int_equal(p, SMSTEXT_UCS2);
	assert_int_equal(smstext_policy_parse("UTF-8", &p, &errstr), -1);
	assert_string_equal(errstr, "is not one of auto, ucs2, translit, gsm7");
	assert_string_equal(smstext_policy_name(SMSTEXT_AUTO), "auto");
	/* One list: each name parses to the policy that names it. */
	for (i = 0; i < nitems(names); i++) {
		assert_int_equal(smstext_policy_parse(names[i], &p, &errstr),
		    0);
		assert_int_equal(p, (enum smstext_policy)i);
		assert_string_equal(smstext_policy_name(p), names[i]);
	}
	assert_int_equal(nitems(names), SMSTEXT_GSM7 + 1);
	assert_string_equal(smstext_encoding_name(SMSTEXT_ENC_GSM7), "GSM-7");
	assert_string_equal(smstext_encoding_name(SMSTEXT_ENC_UCS2), "UCS-2");
}

/* Decode sm (n bytes) with dc and no UDH; return the text. */
static const char *
dec(uint8_t dc, const char *sm, size_t n, struct smstext_mo *mo)
{
	const char	*errstr;

	assert_int_equal(smstext_decode(dc, 0, (const uint8_t *)sm, n, mo,
	    &errstr), 0);
	return mo->text;
}

static void
test_decode_each_dc(void **state)
{
	struct smstext_mo	*mo = xmalloc(sizeof(*mo));

	(void)state;
	/* 0: GSM with escapes; ESC ESC is a space, an unknown one the
	 * basic character, a lone one at the end U+FFFD. */
	assert_string_equal(dec(0x00, "Hi \x00\x01\x02\x1b\x65\x1b\x3c\x10",
	    11, mo), "Hi @£$€[Δ");
	assert_true(mo->readable);
	assert_string_equal(dec(0x00, "a\x1b\x1b" "b\x1b\x41\x1b", 7, mo),
	    "a b" "A\xef\xbf\xbd");
	assert_string_equal(dec(0x00, "\x80x", 2, mo), "\xef\xbf\xbdx");
	/* 0xf0-0xf3 and 0x10-0x13: GSM with a message class. */
	assert_string_equal(dec(0xf1, "\x7f", 1, mo), "à");
	assert_string_equal(dec(0x11, "\x5b", 1, mo), "Ä");
	/* 1: IA5 */
	assert_string_equal(dec(0x01, "abc\x80", 4, mo), "abc\xef\xbf\xbd");
	assert_true(mo->readable);
	/* 3: Latin-1 */
	assert_string_equal(dec(0x03, "\xe9t\xe9 \xa3", 5, mo), "été £");
	/* 8: UTF-16BE with a surrogate pair */
	assert_string_equal(dec(0x08, "\x00\x61\x01\x01\xd8\x3d\xde\x00", 8,
	    mo), "aā😀");
	assert_int_equal(mo->len, 1 + 2 + 4);
	assert_string_equal(dec(0x18, "\x01\x7e", 2, mo), "ž");
	/* Anything else: unreadable, kept as hex. */
	assert_string_equal(dec(0x04, "\x01\x02\xff", 3, mo), "0102ff");
	assert_false(mo->readable);
	assert_string_equal(dec(0xf5, "\x41", 1, mo), "41");
	assert_false(mo->readable);
	assert_string_equal(dec(0x02, "", 0, mo), "");
	assert_false(mo->readable);
	free(mo);
}

static void
test_decode_invalid_utf16(void **state)
{
	struct smstext_mo	*mo = xmalloc(sizeof(*mo));
	const char		*errstr;
	uint8_t			 big[SMSTEXT_MO_MAX + 1];

	(void)state;
	/* A high surrogate followed by a letter, a lone low surrogate. */
	assert_string_equal(dec(0x08, "\xd8\x3d\x00\x61\xdc\x00", 6, mo),
	    "\xef\xbf\xbd" "a" "\xef\xbf\xbd");
	/* A high surrogate at the end, an odd byte, U+0000. */
	assert_string_equal(dec(0x08, "\x00\x62\xd8\x00", 4, mo),
	    "b\xef\xbf\xbd");
	assert_string_equal(dec(0x08, "\x00\x63\x00", 3, mo),
	    "c\xef\xbf\xbd");
	assert_string_equal(dec(0x08, "\x00\x00\x00\x64", 4, mo),
	    "\xef\xbf\xbd" "d");
	assert_true(util_utf8_valid(mo->text, mo->len));
	/* Past SMSTEXT_MO_MAX: refused. */
	memset(big, 'a', sizeof(big));
	assert_int_equal(smstext_decode(0, 0, big, sizeof(big), mo, &errstr),
	    -1);
	assert_int_equal(smstext_decode(0, 0, big, SMSTEXT_MO_MAX, mo,
	    &errstr), 0);
	assert_int_equal(mo->len, SMSTEXT_MO_MAX);
	free(mo);
}

static void
test_decode_udh(void **state)
{
	struct smstext_mo	*mo = xmalloc(sizeof(*mo));
	const char		*errstr;

	(void)state;
	assert_int_equal(smstext_decode(0, 1, (const uint8_t *)
	    "\x05\x00\x03\x2a\x03\x02hi", 8, mo, &errstr), 0);
	assert_true(mo->readable);
	assert_true(mo->concat.present);
	assert_int_equal(mo->concat.ref_bits, 8);
	assert_int_equal(mo->concat.ref, 0x2a);
	assert_int_equal(mo->concat.total, 3);
	assert_int_equal(mo->concat.seq, 2);
	assert_int_equal(mo->ud_offset, 6);
	assert_int_equal(mo->ud_len, 2);
	assert_string_equal(mo->text, "hi");

	/* 16-bit reference, after an IE we do not know (0x24) */
	assert_int_equal(smstext_decode(8, 1, (const uint8_t *)
	    "\x09\x24\x01\x01\x08\x04\x12\x34\x02\x01\x00\x41", 12, mo,
	    &errstr), 0);
	assert_true(mo->concat.present);
	assert_int_equal(mo->concat.ref_bits, 16);
	assert_int_equal(mo->concat.ref, 0x1234);
	assert_int_equal(mo->concat.total, 2);
	assert_int_equal(mo->concat.seq, 1);
	assert_string_equal(mo->text, "A");

	/* seq 0 or past total: the IE is ignored, the text kept. */
	assert_int_equal(smstext_decode(0, 1, (const uint8_t *)
	    "\x05\x00\x03\x01\x02\x03ok", 8, mo, &errstr), 0);
	assert_false(mo->concat.present);
	assert_true(mo->readable);
	assert_string_equal(mo->text, "ok");
	/* An IE running past the header ends the walk. */
	assert_int_equal(smstext_decode(0, 1, (const uint8_t *)
	    "\x03\x00\x05\x01ok", 6, mo, &errstr), 0);
	assert_false(mo->concat.present);
	assert_string_equal(mo->text, "ok");
	/* A header longer than the message: unreadable, all of it hex. */
	assert_int_equal(smstext_decode(0, 1, (const uint8_t *)
	    "\x09\x00\x03", 3, mo, &errstr), 0);
	assert_false(mo->readable);
	assert_string_equal(mo->text, "090003");
	assert_int_equal(smstext_decode(0, 1, (const uint8_t *)"", 0, mo,
	    &errstr), 0);
	assert_false(mo->readable);
	free(mo);
}

/*
 * Reassembly. Each test runs over the in-memory store and, where it is
 * built, the database one (a file, so a restart really reopens it).
 */

struct fixture {
	struct smsreasm_mem	*mem;
	struct store		*db;
	char			 path[64];
	struct smsreasm_store	 st;
	struct smsreasm		*r;
};

static int
setup_mem(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));

	clock_set_fake(T0);
	f->mem = smsreasm_mem_new();
	smsreasm_mem_store(f->mem, &f->st);
	f->r = smsreasm_new(&f->st, 0);
	*state = f;
	return 0;
}

static void
db_open(struct fixture *f)
{
	const char	*errstr;

	f->db = store_open(f->path, STORE_CREATE | STORE_MIGRATE, &errstr);
	if (f->db == NULL)
		fail_msg("store_open %s: %s", f->path, errstr);
	smsreasm_db_store(f->db, &f->st);
}

static int
setup_db(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));
	int		 fd;

	clock_set_fake(T0);
	(void)util_strlcpy(f->path, "/tmp/test_smstext.XXXXXX",
	    sizeof(f->path));
	if ((fd = mkstemp(f->path)) == -1)
		return -1;
	close(fd);
	unlink(f->path);
	db_open(f);
	f->r = smsreasm_new(&f->st, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 side[80];

	smsreasm_free(f->r);
	smsreasm_mem_free(f->mem);
	if (f->db != NULL) {
		store_close(f->db);
		unlink(f->path);
		(void)util_snprintf(side, sizeof(side), "%s-wal", f->path);
		unlink(side);
		(void)util_snprintf(side, sizeof(side), "%s-shm", f->path);
		unlink(side);
	}
	free(f);
	clock_clear_fake();
	return 0;
}

/* The process stops and starts again over the same store. */
static void
restart(struct fixture *f, int timeout_s)
{
	smsreasm_free(f->r);
	if (f->db != NULL) {
		store_close(f->db);
		db_open(f);
	}
	f->r = smsreasm_new(&f->st, timeout_s);
}

static int
count_part(void *arg, const struct smsreasm_part *p)
{
	(void)p;
	(*(int *)arg)++;
	return 0;
}

/* Parts the store holds for one key. */
static int
held(struct fixture *f, const char *src, unsigned ref, int bits, int total)
{
	struct smsreasm_key	 k;
	const char		*errstr;
	int			 n = 0;

	assert_int_equal(smsreasm_key_set(&k, src, "1188", ref, bits, total,
	    &errstr), 0);
	assert_int_equal(f->st.load(f->st.arg, &k, count_part, &n), 0);
	return n;
}

/* Messages the store holds open for a sender. */
static int
pending(struct fixture *f, const char *src)
{
	struct smsreasm_held	 h;

	assert_int_equal(f->st.held(f->st.arg, src, &h), 0);
	return h.messages;
}

static enum smsreasm_result
add(struct smsreasm *r, const char *src, unsigned ref, int bits, int total,
    int seq, uint8_t dc, const char *ud, size_t len, struct smsreasm_msg *out)
{
	struct smsreasm_part	 p;
	const char		*errstr = NULL;
	enum smsreasm_result	 res;

	memset(&p, 0, sizeof(p));
	assert_int_equal(smsreasm_key_set(&p.key, src, "1188", ref, bits,
	    total, &errstr), 0);
	p.seq = (uint8_t)seq;
	p.data_coding = dc;
	p.ud = (const uint8_t *)ud;
	p.ud_len = len;
	res = smsreasm_add(r, &p, out, &errstr);
	if (res == SMSREASM_ERROR || res == SMSREASM_REFUSED)
		assert_non_null(errstr);
	return res;
}

#define SRC	"+37120000001"
#define ADD(f, seq, ud, out) \
	add((f)->r, SRC, 7, 8, 3, (seq), 0, (ud), strlen(ud), (out))
#define HELD(f)	held((f), SRC, 7, 8, 3)

static void
test_reasm_out_of_order(void **state)
{
	struct fixture		*f = *state;
	struct smsreasm_msg	 out;

	assert_int_equal(ADD(f, 3, "ccc", &out), SMSREASM_WAITING);
	clock_advance_ms(1000);
	assert_int_equal(ADD(f, 1, "aaa", &out), SMSREASM_WAITING);
	assert_int_equal(HELD(f), 2);
	assert_int_equal(pending(f, SRC), 1);
	assert_int_equal(ADD(f, 2, "bbb", &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "aaabbbccc");
	assert_int_equal(out.len, 9);
	assert_true(out.readable);
	assert_false(out.incomplete);
	assert_int_equal(out.received, 3);
	assert_int_equal(out.first, T0);
	assert_string_equal(out.key.src, SRC);
	assert_int_equal(out.key.ref, 7);
	assert_int_equal(HELD(f), 0);
	assert_int_equal(pending(f, SRC), 0);
	smsreasm_msg_clear(&out);
	assert_null(out.text);
}

static void
test_reasm_duplicate(void **state)
{
	struct fixture		*f = *state;
	struct smsreasm_msg	 out;

	assert_int_equal(ADD(f, 1, "aaa", &out), SMSREASM_WAITING);
	assert_int_equal(ADD(f, 1, "aaa", &out), SMSREASM_DUPLICATE);
	assert_int_equal(HELD(f), 1);
	assert_int_equal(ADD(f, 2, "bbb", &out), SMSREASM_WAITING);
	assert_int_equal(ADD(f, 3, "ccc", &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "aaabbbccc");
	smsreasm_msg_clear(&out);
	/* Delivered again after the message was done: still a duplicate,
	 * and nothing starts waiting for the other parts. */
	assert_int_equal(ADD(f, 2, "bbb", &out), SMSREASM_DUPLICATE);
	assert_int_equal(HELD(f), 0);
	/* The same reference with other text is a new message. */
	assert_int_equal(ADD(f, 2, "xyz", &out), SMSREASM_WAITING);
	assert_int_equal(HELD(f), 1);
}

static void
test_reasm_timeout(void **state)
{
	struct fixture		*f = *state;
	struct smsreasm_msg	 out;

	assert_int_equal(ADD(f, 1, "aaa", &out), SMSREASM_WAITING);
	clock_advance_ms(5000);
	assert_int_equal(ADD(f, 3, "ccc", &out), SMSREASM_WAITING);
	clock_advance_ms(594 * 1000);
	assert_int_equal(smsreasm_expire(f->r, &out), 0);
	clock_advance_ms(1000);	/* 600 s after the first part */
	assert_int_equal(smsreasm_expire(f->r, &out), 1);
	assert_true(out.incomplete);
	assert_int_equal(out.received, 2);
	assert_int_equal(out.key.total, 3);
	assert_int_equal(out.first, T0);
	assert_string_equal(out.text, "aaa…ccc");
	assert_int_equal(HELD(f), 0);
	smsreasm_msg_clear(&out);
	assert_int_equal(smsreasm_expire(f->r, &out), 0);

	/* Missing first and last parts; a shorter configured timeout. */
	smsreasm_set_timeout(f->r, 60);
	assert_int_equal(add(f->r, "+37120000002", 9, 8, 4, 2, 0, "bb", 2,
	    &out), SMSREASM_WAITING);
	clock_advance_ms(59 * 1000);
	assert_int_equal(smsreasm_expire(f->r, &out), 0);
	clock_advance_ms(1000);
	assert_int_equal(smsreasm_expire(f->r, &out), 1);
	assert_string_equal(out.text, "…bb…");
	assert_int_equal(out.received, 1);
	smsreasm_msg_clear(&out);
}

static void
test_reasm_restart(void **state)
{
	struct fixture		*f = *state;
	struct smsreasm_msg	 out;

	assert_int_equal(ADD(f, 2, "bbb", &out), SMSREASM_WAITING);
	assert_int_equal(ADD(f, 1, "aaa", &out), SMSREASM_WAITING);
	restart(f, 600);
	assert_int_equal(HELD(f), 2);
	assert_int_equal(ADD(f, 1, "aaa", &out), SMSREASM_DUPLICATE);
	assert_int_equal(ADD(f, 3, "ccc", &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "aaabbbccc");
	assert_false(out.incomplete);
	smsreasm_msg_clear(&out);

	/* A part that waited through a restart still times out. */
	assert_int_equal(ADD(f, 2, "new", &out), SMSREASM_WAITING);
	restart(f, 0);
	clock_advance_ms(600 * 1000);
	assert_int_equal(smsreasm_expire(f->r, &out), 1);
	assert_string_equal(out.text, "…new…");
	smsreasm_msg_clear(&out);
	assert_int_equal(HELD(f), 0);
}

static void
test_reasm_split_pairs(void **state)
{
	struct fixture		*f = *state;
	struct smsreasm_msg	 out;

	/* A sender that cut an escape pair between parts (SAR, 16-bit). */
	assert_int_equal(add(f->r, "+37120000003", 0xbeef, 16, 2, 2, 0,
	    "\x65!", 2, &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000003", 0xbeef, 16, 2, 1, 0,
	    "5\x1b", 2, &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "5€!");
	assert_int_equal(out.key.ref_bits, 16);
	assert_int_equal(out.key.ref, 0xbeef);
	smsreasm_msg_clear(&out);
	/* ... and one that cut a surrogate pair. */
	assert_int_equal(add(f->r, "+37120000003", 1, 8, 2, 1, 8,
	    "\x00\x61\xd8\x3d", 4, &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000003", 1, 8, 2, 2, 8,
	    "\xde\x00", 2, &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "a😀");
	smsreasm_msg_clear(&out);
	/* An empty part is a part. */
	assert_int_equal(add(f->r, "+37120000003", 2, 8, 2, 2, 0, "", 0,
	    &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000003", 2, 8, 2, 1, 0, "x", 1,
	    &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "x");
	assert_false(out.incomplete);
	smsreasm_msg_clear(&out);
}

static void
test_reasm_keys_and_limits(void **state)
{
	struct fixture		*f = *state;
	struct smsreasm_msg	 out;
	struct smsreasm_part	 p;
	struct smsreasm_key	 k;
	const char		*errstr;
	unsigned		 i;
	char			 big[SMSREASM_PART_MAX + 1];

	/* Same reference from two senders, or 8- and 16-bit: no mixing. */
	assert_int_equal(add(f->r, SRC, 5, 8, 2, 1, 0, "a", 1, &out),
	    SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000002", 5, 8, 2, 2, 0, "b", 1,
	    &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, SRC, 5, 16, 2, 2, 0, "c", 1, &out),
	    SMSREASM_WAITING);
	assert_int_equal(pending(f, SRC), 2);
	assert_int_equal(add(f->r, SRC, 5, 8, 2, 2, 0, "d", 1, &out),
	    SMSREASM_COMPLETE);
	assert_string_equal(out.text, "ad");
	smsreasm_msg_clear(&out);
	assert_int_equal(held(f, SRC, 5, 16, 2), 1);
	assert_int_equal(held(f, "+37120000002", 5, 8, 2), 1);

	/* A one-part message completes at once and is never stored. */
	assert_int_equal(add(f->r, "+37120000004", 1, 8, 1, 1, 3, "\xe9", 1,
	    &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "é");
	smsreasm_msg_clear(&out);
	assert_int_equal(pending(f, "+37120000004"), 0);

	/* Unknown data_coding: the message is kept as hex. */
	assert_int_equal(add(f->r, "+37120000005", 2, 8, 2, 2, 4, "\xff", 1,
	    &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000005", 2, 8, 2, 1, 4, "\x01", 1,
	    &out), SMSREASM_COMPLETE);
	assert_false(out.readable);
	assert_string_equal(out.text, "01ff");
	smsreasm_msg_clear(&out);

	/* One sender can hold SMSREASM_PENDING_MAX messages open. */
	for (i = 0; i < SMSREASM_PENDING_MAX; i++)
		assert_int_equal(add(f->r, "+37120000009", i, 8, 2, 1, 0, "x",
		    1, &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000009", 200, 8, 2, 1, 0, "x", 1,
	    &out), SMSREASM_REFUSED);
	assert_int_equal(pending(f, "+37120000009"), SMSREASM_PENDING_MAX);
	assert_int_equal(held(f, "+37120000009", 200, 8, 2), 0);
	/* ... but may still finish those. */
	assert_int_equal(add(f->r, "+37120000009", 0, 8, 2, 2, 0, "y", 1,
	    &out), SMSREASM_COMPLETE);
	smsreasm_msg_clear(&out);

	/* Bad arguments. */
	assert_int_equal(smsreasm_key_set(&k, "+371", "1188", 256, 8, 2,
	    &errstr), -1);
	assert_int_equal(smsreasm_key_set(&k, "+371", "1188", 1, 8, 0,
	    &errstr), -1);
	assert_int_equal(smsreasm_key_set(&k, "123456789012345678901",
	    "1188", 1, 8, 2, &errstr), -1);
	assert_int_equal(smsreasm_key_set(&k, "+371", "1188", 1, 12, 2,
	    &errstr), -1);
	memset(&p, 0, sizeof(p));
	assert_int_equal(smsreasm_key_set(&p.key, "+371", "1188", 1, 8, 2,
	    &errstr), 0);
	p.seq = 3;
	assert_int_equal(smsreasm_add(f->r, &p, &out, &errstr),
	    SMSREASM_REFUSED);
	p.seq = 0;
	assert_int_equal(smsreasm_add(f->r, &p, &out, &errstr),
	    SMSREASM_REFUSED);
	p.seq = 1;
	memset(big, 'a', sizeof(big));
	p.ud = (const uint8_t *)big;
	p.ud_len = sizeof(big);
	assert_int_equal(smsreasm_add(f->r, &p, &out, &errstr),
	    SMSREASM_REFUSED);
	assert_string_equal(errstr, "part is longer than 1024 bytes");
}

/*
 * A sender past a limit is refused, part by part, and the store is left
 * as it was: the parts held stay, a refused part is not kept, others'
 * messages and that sender's finished ones go on. SAR 9 of 2 likewise.
 */
static void
test_reasm_sender_limits(void **state)
{
	struct fixture		*f = *state;
	struct smsreasm_msg	 out;
	struct smsreasm_held	 h;
	char			 ud[SMSREASM_PART_MAX];
	unsigned		 i;

	/* Segment 9 of 2 (the SAR attack) and 0 of 2: refused, not kept. */
	assert_int_equal(add(f->r, SRC, 300, 16, 2, 9, 0, "x", 1, &out),
	    SMSREASM_REFUSED);
	assert_int_equal(add(f->r, SRC, 300, 16, 2, 0, 0, "x", 1, &out),
	    SMSREASM_REFUSED);
	assert_int_equal(pending(f, SRC), 0);

	/* Parts: 128 messages of 255 parts would be 32k rows; 256 is all. */
	for (i = 0; i < SMSREASM_PARTS_MAX; i++)
		assert_int_equal(add(f->r, "+37120000011", i / 200, 8, 255,
		    (int)(i % 200) + 1, 0, "p", 1, &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000011", 1, 8, 255, 201, 0, "p", 1,
	    &out), SMSREASM_REFUSED);
	assert_int_equal(f->st.held(f->st.arg, "+37120000011", &h), 0);
	assert_int_equal(h.parts, SMSREASM_PARTS_MAX);
	assert_int_equal(h.messages, 2);
	assert_int_equal(h.bytes, SMSREASM_PARTS_MAX);
	/* Another sender is not touched by it. */
	assert_int_equal(add(f->r, "+37120000012", 1, 8, 2, 1, 0, "a", 1,
	    &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000012", 1, 8, 2, 2, 0, "b", 1,
	    &out), SMSREASM_COMPLETE);
	assert_string_equal(out.text, "ab");
	smsreasm_msg_clear(&out);

	/* Bytes: 64 parts of 1024 fill 64 KiB; the 65th is refused. */
	memset(ud, 'b', sizeof(ud));
	for (i = 0; i < SMSREASM_BYTES_MAX / sizeof(ud); i++)
		assert_int_equal(add(f->r, "+37120000013", 9, 8, 100,
		    (int)i + 1, 4, ud, sizeof(ud), &out), SMSREASM_WAITING);
	assert_int_equal(add(f->r, "+37120000013", 9, 8, 100, 99, 4, ud, 1,
	    &out), SMSREASM_REFUSED);
	assert_int_equal(f->st.held(f->st.arg, "+37120000013", &h), 0);
	assert_int_equal(h.bytes, SMSREASM_BYTES_MAX);
	assert_int_equal(h.parts, SMSREASM_BYTES_MAX / sizeof(ud));

	/* Age: at the timeout what is held is released, and room is back. */
	clock_advance_ms(1000 * (int64_t)SMSREASM_TIMEOUT_DEFAULT);
	while (smsreasm_expire(f->r, &out) == 1)
		smsreasm_msg_clear(&out);
	assert_int_equal(pending(f, "+37120000011"), 0);
	assert_int_equal(pending(f, "+37120000013"), 0);
	assert_int_equal(add(f->r, "+37120000013", 10, 8, 2, 1, 0, "c", 1,
	    &out), SMSREASM_WAITING);
}

/* A USSD screen is one PDU: 182 septets or 80 UCS-2 units, never a UDH. */
static void
test_ussd_screen(void **state)
{
	struct smstext_opts	 o;
	struct smstext_msg	 m;
	struct smstext_mo	 mo;
	const char		*errstr;
	char			 text[400];
	size_t			 i, n;

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(text, 'a', 182);
	text[182] = '\0';
	assert_int_equal(smstext_encode_ussd(text, 182, &o, &m, &errstr), 0);
	assert_int_equal(m.data_coding, 0);
	assert_int_equal(m.esm_class, 0);
	assert_int_equal(m.nsegments, 1);
	assert_int_equal(m.seg[0].udh_len, 0);
	assert_int_equal(m.seg[0].len, 182);
	text[182] = 'a';
	text[183] = '\0';
	assert_int_equal(smstext_encode_ussd(text, 183, &o, &m, &errstr), -1);
	assert_non_null(strstr(errstr, "183"));

	/* 80 Latvian letters fit, 81 do not. */
	for (n = 0, i = 0; i < 80; i++, n += 2)
		memcpy(text + n, "\xc4\x81", 2);	/* ā */
	text[n] = '\0';
	assert_int_equal(smstext_encode_ussd(text, n, &o, &m, &errstr), 0);
	assert_int_equal(m.data_coding, 8);
	assert_int_equal(m.seg[0].len, 160);
	assert_int_equal(smstext_decode(m.data_coding, 0, m.seg[0].data,
	    m.seg[0].len, &mo, &errstr), 0);
	assert_string_equal(mo.text, text);
	memcpy(text + n, "\xc4\x81", 3);
	assert_int_equal(smstext_encode_ussd(text, n + 2, &o, &m, &errstr),
	    -1);
}

#define REASM_TESTS(setup) \
	cmocka_unit_test_setup_teardown(test_reasm_out_of_order, setup, \
	    teardown), \
	cmocka_unit_test_setup_teardown(test_reasm_duplicate, setup, \
	    teardown), \
	cmocka_unit_test_setup_teardown(test_reasm_timeout, setup, \
	    teardown), \
	cmocka_unit_test_setup_teardown(test_reasm_restart, setup, \
	    teardown), \
	cmocka_unit_test_setup_teardown(test_reasm_split_pairs, setup, \
	    teardown), \
	cmocka_unit_test_setup_teardown(test_reasm_keys_and_limits, setup, \
	    teardown), \
	cmocka_unit_test_setup_teardown(test_reasm_sender_limits, setup, \
	    teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm_160_161),
		cmocka_unit_test(test_gsm_escapes_past_160),
		cmocka_unit_test(test_gsm_306_307),
		cmocka_unit_test(test_gsm_escape_at_153),
		cmocka_unit_test(test_ucs2_70_71),
		cmocka_unit_test(test_ucs2_134_135),
		cmocka_unit_test(test_surrogate_at_67),
		cmocka_unit_test(test_latvian_roundtrip),
		cmocka_unit_test(test_translit),
		cmocka_unit_test(test_translit_targets_are_gsm),
		cmocka_unit_test(test_gsm_alphabet_roundtrip),
		cmocka_unit_test(test_limit_and_errors),
		cmocka_unit_test(test_udh16),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_decode_each_dc),
		cmocka_unit_test(test_decode_invalid_utf16),
		cmocka_unit_test(test_decode_udh),
		cmocka_unit_test(test_ussd_screen),
		REASM_TESTS(setup_mem),
		REASM_TESTS(setup_db),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
