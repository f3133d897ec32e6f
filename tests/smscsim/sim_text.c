/*
 * sim_text: hex, one-line escaping and user data to UTF-8 for the
 * simulator's submit log, its control channel and the phone.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pdu.h"
#include "sim.h"
#include "smstext.h"
#include "util.h"

void
text_hex(const uint8_t *p, size_t n, char *buf, size_t size)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i, o = 0;

	if (n == 0) {
		(void)util_strlcpy(buf, "-", size);
		return;
	}
	for (i = 0; i < n && o + 2 < size; i++) {
		buf[o++] = digits[p[i] >> 4];
		buf[o++] = digits[p[i] & 0xf];
	}
	buf[o] = '\0';
}

void
text_escape(const char *s, char *buf, size_t size)
{
	size_t	 o = 0;

	for (; *s != '\0' && o + 2 < size; s++) {
		switch (*s) {
		case '\\':
			buf[o++] = '\\';
			buf[o++] = '\\';
			break;
		case '\n':
			buf[o++] = '\\';
			buf[o++] = 'n';
			break;
		case '\r':
			buf[o++] = '\\';
			buf[o++] = 'r';
			break;
		default:
			buf[o++] = (unsigned char)*s < 0x20 ? '?' : *s;
			break;
		}
	}
	buf[o] = '\0';
}

void
text_unescape(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

void
text_decode(const struct pdu *p, char *buf, size_t size)
{
	static struct smstext_mo	 mo;
	const char			*err;

	if (smstext_decode(p->data_coding, (p->esm_class & PDU_ESM_UDHI) != 0,
	    p->data, p->data_len, &mo, &err) == -1) {
		(void)util_strlcpy(buf, "?", size);
		return;
	}
	/* Cut to fit is fine: this is for logs and eyes. */
	(void)util_strlcpy(buf, mo.text, size);
}
