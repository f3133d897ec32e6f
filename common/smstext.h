/*
 * smstext: what an SMS costs and how it goes on the wire. UTF-8 text in,
 * GSM 03.38 septets or UTF-16BE segments out (with the concatenation UDH);
 * short_message bytes of any data_coding in, UTF-8 out. Pure functions over
 * caller-owned buffers, so the hot path never allocates.
 */
#ifndef MUNI_SMSTEXT_H
#define MUNI_SMSTEXT_H

#include <stddef.h>
#include <stdint.h>

/* [sms] encoding, plus a per-message override that forces GSM-7. */
enum smstext_policy {
	SMSTEXT_AUTO,		/* GSM-7 if every character is in it */
	SMSTEXT_UCS2,		/* always UCS-2 */
	SMSTEXT_TRANSLIT,	/* ā→a, “→" ...; UCS-2 if still not GSM */
	SMSTEXT_GSM7,		/* translit, then '?' for what is left */
};

enum smstext_encoding {
	SMSTEXT_ENC_GSM7,	/* data_coding 0, unpacked septets */
	SMSTEXT_ENC_UCS2,	/* data_coding 8, UTF-16BE */
};

#define SMSTEXT_DC_GSM7		0x00
#define SMSTEXT_DC_UCS2		0x08
/* esm_class bit saying short_message starts with a UDH. */
#define SMSTEXT_ESM_UDHI	0x40

/* Longest UTF-8 text accepted for analysis or encoding, in bytes. */
#define SMSTEXT_TEXT_MAX	8192
/* Upper bound of the configurable segment limit; the default limit. */
#define SMSTEXT_SEGMENTS_CAP	16
#define SMSTEXT_SEGMENTS_DEFAULT 6
/*
 * Bytes of one segment: an SMS part holds 160 septets alone, or a UDH and
 * 152-153; a USSD screen 182 septets or 80 UCS-2 units in one PDU.
 */
#define SMSTEXT_SEGMENT_BYTES	182
#define SMSTEXT_USSD_GSM_MAX	182
#define SMSTEXT_USSD_UCS2_MAX	80
/* Distinct substitutions remembered for a preview. */
#define SMSTEXT_SUBST_MAX	32

struct smstext_subst {
	uint32_t	 from;		/* code point replaced */
	char		 to[4];		/* its GSM replacement, may be "" */
	unsigned	 count;
};

/* What a text becomes: the preview figures. Cost = segments * price. */
struct smstext_info {
	enum smstext_encoding encoding;
	size_t		 chars;		/* code points of the text as sent */
	size_t		 units;		/* septets (GSM-7) or UTF-16 units */
	size_t		 segments;
	/* The code point that kept the text out of GSM-7, else 0. */
	uint32_t	 nongsm;
	/* translit and gsm7: what was changed, in order of appearance. */
	size_t		 nsubst;
	size_t		 nsubst_more;	/* distinct ones that did not fit */
	struct smstext_subst subst[SMSTEXT_SUBST_MAX];
};

struct smstext_refs;

struct smstext_opts {
	enum smstext_policy policy;
	int		 max_segments;	/* 0: SMSTEXT_SEGMENTS_DEFAULT */
	int		 ref16;		/* UDH IE 0x08 (16-bit), else 0x00 */
	/*
	 * Concatenation reference: drawn from refs for dst when refs is set
	 * and the text needs more than one segment, else ref is used.
	 */
	struct smstext_refs *refs;
	const char	*dst;
	uint16_t	 ref;
};

struct smstext_segment {
	uint16_t	 len;		/* bytes in data, UDH included */
	uint8_t		 udh_len;	/* 0, 6 or 7 */
	uint8_t		 data[SMSTEXT_SEGMENT_BYTES];
};

/* An encoded message, ready for submit_sm; callers embed it (no malloc). */
struct smstext_msg {
	struct smstext_info info;
	uint8_t		 data_coding;
	uint8_t		 esm_class;	/* SMSTEXT_ESM_UDHI when concatenated */
	uint16_t	 ref;		/* concatenation reference used */
	size_t		 nsegments;
	struct smstext_segment seg[SMSTEXT_SEGMENTS_CAP];
	char		 err[128];	/* backs *errstr */
};

/*
 * The names of enum smstext_policy, in its order: the one list every
 * program takes them from. [sms] encoding (config.c) takes the first
 * three only: gsm7 puts '?' for what it cannot transliterate, a loss no
 * municipality should choose for every message (spelling changes are
 * its choice, never silent); it is an override for one message
 * (munictl sms send --encoding gsm7).
 */
#define SMSTEXT_POLICY_NAMES_CONFIG	"auto", "ucs2", "translit"
#define SMSTEXT_POLICY_NAMES		SMSTEXT_POLICY_NAMES_CONFIG, "gsm7"

/* One of SMSTEXT_POLICY_NAMES. Returns -1 with *errstr set. */
int	 smstext_policy_parse(const char *, enum smstext_policy *,
	    const char **errstr);
const char *smstext_policy_name(enum smstext_policy);
/* "GSM-7" or "UCS-2", as `sms preview` prints them. */
const char *smstext_encoding_name(enum smstext_encoding);

/*
 * What text (len bytes of UTF-8) becomes under opts (only policy and ref16
 * matter here): for previews. Does not apply the segment limit. Returns -1
 * with *errstr set when the text is not UTF-8, holds NUL or is too long.
 */
int	 smstext_analyze(const char *text, size_t len,
	    const struct smstext_opts *, struct smstext_info *,
	    const char **errstr);

/*
 * Write the substitutions of info as one line, e.g. "ī→i, š→s, …→...",
 * into buf. Returns 0, or -1 when cut (buf still a string).
 */
int	 smstext_subst_format(const struct smstext_info *, char *buf,
	    size_t size);

/*
 * Encode text into msg. Refuses (-1, *errstr into msg->err) a text past
 * the segment limit with a message that says how long it is.
 */
int	 smstext_encode(const char *text, size_t len,
	    const struct smstext_opts *, struct smstext_msg *,
	    const char **errstr);

/*
 * Encode one USSD screen: a single PDU without UDH, at most 182 GSM
 * septets or 80 UCS-2 units. Only opts->policy matters. -1 with *errstr
 * (into msg->err) when the text does not fit one screen.
 */
int	 smstext_encode_ussd(const char *text, size_t len,
	    const struct smstext_opts *, struct smstext_msg *,
	    const char **errstr);

/*
 * Concatenation references per destination that do not repeat quickly:
 * each destination counts on from its last reference; one not seen lately
 * starts at a random point. The caller owns the table.
 */
struct smstext_refs *smstext_refs_new(void);
void		 smstext_refs_free(struct smstext_refs *);
uint16_t	 smstext_refs_next(struct smstext_refs *, const char *dst);

/* Decoding MO messages. */

/* Longest short_message / message_payload accepted, in bytes. */
#define SMSTEXT_MO_MAX		1024
/* UTF-8 bytes that decoding n bytes of user data can need, NUL included. */
#define SMSTEXT_DECODE_SIZE(n)	(3 * (size_t)(n) + 1)

struct smstext_concat {
	int		 present;
	uint8_t		 ref_bits;	/* 8 (IE 0x00) or 16 (IE 0x08) */
	uint16_t	 ref;
	uint8_t		 total;
	uint8_t		 seq;
};

struct smstext_mo {
	/*
	 * 0 when data_coding is not text we know (or the UDH is broken):
	 * text then holds the user data as hex, for the log, and the caller
	 * answers "could not read your message".
	 */
	int		 readable;
	uint8_t		 data_coding;
	struct smstext_concat concat;
	/* Where the user data (after the UDH) lies in the input. */
	size_t		 ud_offset;
	size_t		 ud_len;
	size_t		 len;		/* bytes in text */
	char		 text[SMSTEXT_DECODE_SIZE(SMSTEXT_MO_MAX)];
};

/* 1 when data_coding dc is text smstext can read. */
int	 smstext_dc_readable(uint8_t dc);

/*
 * Decode user data ud (no UDH) of data_coding dc into UTF-8 in out, which
 * has room for SMSTEXT_DECODE_SIZE(len) bytes. Invalid sequences become
 * U+FFFD, and so does U+0000. Returns the bytes written (NUL excluded), or
 * -1 when dc is not readable or out is too small.
 */
int	 smstext_decode_ud(uint8_t dc, const uint8_t *ud, size_t len,
	    char *out, size_t size);

/*
 * Parse the UDH at the start of ud (udhi set): its length including the
 * length octet into *hlen, concatenation info (IE 0x00 or 0x08) into
 * *concat; other IEs are skipped. Returns -1 when the UDH does not fit.
 */
int	 smstext_udh_parse(const uint8_t *ud, size_t len,
	    struct smstext_concat *, size_t *hlen);

/*
 * Decode one deliver_sm's short_message (or message_payload). udhi is
 * esm_class & SMSTEXT_ESM_UDHI. Returns -1 only when len is past
 * SMSTEXT_MO_MAX; unreadable input gives mo->readable = 0.
 */
int	 smstext_decode(uint8_t dc, int udhi, const uint8_t *sm, size_t len,
	    struct smstext_mo *, const char **errstr);

#endif
