/*
 * fuzz_smstext_decode: MO user data as a peer sends it. Input: data_coding,
 * a flags byte (bit 0: UDHI), then short_message. Beyond "no crash" it
 * checks that what comes out is UTF-8 of the stated length, and that text
 * re-encoded with smstext_encode decodes back to itself with no segment
 * ending inside an escape or a surrogate pair, and with the figures the
 * preview (smstext_analyze) gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smstext.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct smstext_mo	 mo;
static struct smstext_msg	 msg;
static uint8_t	 ud[SMSTEXT_SEGMENTS_CAP * SMSTEXT_SEGMENT_BYTES];
static char	 back[SMSTEXT_DECODE_SIZE(sizeof(ud))];

static void
check_segments(const struct smstext_msg *m)
{
	const struct smstext_segment *sg;
	size_t		 i, k, n = 0, plen;
	const uint8_t	*p;

	for (i = 0; i < m->nsegments; i++) {
		sg = &m->seg[i];
		p = sg->data + sg->udh_len;
		plen = sg->len - sg->udh_len;
		if (sg->len > SMSTEXT_SEGMENT_BYTES || sg->udh_len > sg->len ||
		    (m->nsegments > 1) != (sg->udh_len != 0))
			abort();
		if (m->data_coding == SMSTEXT_DC_GSM7) {
			if (plen > (m->nsegments > 1 ? 153u : 160u))
				abort();
			for (k = 0; k < plen; k++) {
				if (p[k] > 0x7f)
					abort();
				if (p[k] == 0x1b && ++k == plen)
					abort();	/* escape pair cut */
			}
		} else {
			if (plen % 2 != 0 || plen > (m->nsegments > 1 ? 134u :
			    140u))
				abort();
			if (plen >= 2 && p[plen - 2] >= 0xd8 &&
			    p[plen - 2] <= 0xdb)
				abort();	/* surrogate pair cut */
		}
		memcpy(ud + n, p, plen);
		n += plen;
	}
	if (smstext_decode_ud(m->data_coding, ud, n, back, sizeof(back)) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smstext_opts	 o;
	struct smstext_info	 info;
	const char		*errstr;
	size_t			 i;

	if (size < 2)
		return 0;
	if (smstext_decode(data[0], data[1] & 1, data + 2, size - 2, &mo,
	    &errstr) == -1) {
		if (size - 2 <= SMSTEXT_MO_MAX)
			abort();
		return 0;
	}
	if (strlen(mo.text) != mo.len || mo.ud_offset + mo.ud_len > size - 2)
		abort();
	if (!mo.readable) {
		for (i = 0; i < mo.len; i++)
			if (strchr("0123456789abcdef", mo.text[i]) == NULL)
				abort();
		return 0;
	}
	if (!util_utf8_valid(mo.text, mo.len))
		abort();
	if (mo.concat.present && (mo.concat.seq < 1 ||
	    mo.concat.seq > mo.concat.total))
		abort();

	/* What we read, we can send back unchanged. */
	memset(&o, 0, sizeof(o));
	o.max_segments = SMSTEXT_SEGMENTS_CAP;
	o.ref16 = data[1] & 2;
	if (smstext_encode(mo.text, mo.len, &o, &msg, &errstr) == 0) {
		check_segments(&msg);
		if (strcmp(back, mo.text) != 0)
			abort();
		/* encode's short cut must agree with the preview. */
		if (smstext_analyze(mo.text, mo.len, &o, &info, &errstr) ==
		    -1 || info.encoding != msg.info.encoding ||
		    info.chars != msg.info.chars ||
		    info.units != msg.info.units ||
		    info.segments != msg.nsegments)
			abort();
	}
	o.policy = SMSTEXT_GSM7;
	if (smstext_analyze(mo.text, mo.len, &o, &info, &errstr) == -1 ||
	    info.encoding != SMSTEXT_ENC_GSM7)
		abort();
	o.policy = SMSTEXT_TRANSLIT;
	if (smstext_encode(mo.text, mo.len, &o, &msg, &errstr) == 0)
		check_segments(&msg);
	return 0;
}
