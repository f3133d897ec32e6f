/*
 * pdu_receipt: SMPP's times and the text form of a delivery receipt. Both
 * are text that SMSCs write in their own ways (relative or absolute times
 * with a quarter-hour zone; "id:… stat:…" with keys in any case and
 * order, dates in the SMSC's local time), parsed and written here with no
 * PDU around them: apart from pdu.c, whose business is the wire and
 * libsmpp34, which this file does not need. Declared in pdu.h.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "pdu.h"
#include "util.h"

/*
 * Times.
 */

#define DAY	86400L
#define MONTH	(30 * DAY)
#define YEAR	(365 * DAY)

int
pdu_time_relative(char *buf, size_t size, long secs)
{
	long	 y, mo, d, h, mi;

	if (secs < 0 || secs >= 100 * YEAR)
		return -1;
	y = secs / YEAR;
	secs %= YEAR;
	mo = secs / MONTH;
	secs %= MONTH;
	d = secs / DAY;
	secs %= DAY;
	h = secs / 3600;
	secs %= 3600;
	mi = secs / 60;
	secs %= 60;
	return util_snprintf(buf, size, "%02ld%02ld%02ld%02ld%02ld%02ld000R",
	    y, mo, d, h, mi, secs);
}

int
pdu_time_absolute(char *buf, size_t size, time_t t)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 100 ||
	    tm.tm_year > 199)
		return -1;
	return util_snprintf(buf, size, "%02d%02d%02d%02d%02d%02d000+",
	    tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

static int
two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
pdu_time_parse(const char *s, time_t now, time_t *t, const char **errstr)
{
	struct tm	 tm;
	time_t		 base;
	long		 off;
	int		 i, f[6];

	if (strlen(s) != 16) {
		*errstr = "not 16 characters";
		return -1;
	}
	for (i = 0; i < 15; i++) {
		if (!isdigit((unsigned char)s[i])) {
			*errstr = "not digits";
			return -1;
		}
	}
	for (i = 0; i < 6; i++)
		f[i] = two(s + 2 * i);
	if (s[15] == 'R') {
		*t = now + f[0] * YEAR + f[1] * MONTH + f[2] * DAY +
		    f[3] * 3600L + f[4] * 60L + f[5];
		return 0;
	}
	if (s[15] != '+' && s[15] != '-') {
		*errstr = "bad time zone sign";
		return -1;
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 ||
	    f[2] > util_days_in_month(2000 + f[0], f[1]) || f[3] > 23 ||
	    f[4] > 59 || f[5] > 59 || two(s + 13) > 48) {
		*errstr = "not a real time";
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 100 + f[0];
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	if ((base = timegm(&tm)) == (time_t)-1) {
		*errstr = "time out of range";
		return -1;
	}
	/* The offset is in quarter hours; local time = UTC + offset. */
	off = two(s + 13) * 900L;
	*t = s[15] == '+' ? base - off : base + off;
	return 0;
}

/*
 * Receipt text.
 */

static int
receipt_date(char *buf, size_t size, time_t t)
{
	struct tm	 tm;

	/* Latvian SMSCs write their local time: the municipality's. */
	clock_local(t, &tm);
	return util_snprintf(buf, size, "%02d%02d%02d%02d%02d",
	    tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min);
}

int
pdu_receipt_format(const struct pdu_receipt *r, char *buf, size_t size)
{
	char	 sub[16], done[16];

	if (receipt_date(sub, sizeof(sub), r->submit_date) == -1 ||
	    receipt_date(done, sizeof(done), r->done_date) == -1)
		return -1;
	return util_snprintf(buf, size, "id:%s sub:%03u dlvrd:%03u "
	    "submit date:%s done date:%s stat:%s err:%03u text:%.20s",
	    r->id, r->sub % 1000, r->dlvrd % 1000, sub, done,
	    pdu_state_name(r->state), r->err % 1000, r->text);
}

/* The value after "key:" at a word start in [s, end), or NULL. */
static const char *
receipt_key(const char *s, const char *end, const char *key)
{
	size_t		 n = strlen(key);
	const char	*p;

	for (p = s; p + n <= end; p++) {
		if ((p == s || p[-1] == ' ') && strncasecmp(p, key, n) == 0)
			return p + n;
	}
	return NULL;
}

/* Copy the word at v (up to a blank or end) into buf. */
static void
receipt_word(const char *v, const char *end, char *buf, size_t size)
{
	size_t	 n = 0;

	while (v + n < end && v[n] != ' ' && n + 1 < size)
		n++;
	memcpy(buf, v, n);
	buf[n] = '\0';
}

static unsigned
receipt_num(const char *v, const char *end)
{
	char		 w[16];
	long long	 n;
	const char	*e;

	if (v == NULL)
		return 0;
	receipt_word(v, end, w, sizeof(w));
	if (util_strtonum(w, 0, 999999, &n, &e) == -1)
		return 0;
	return (unsigned)n;
}

static time_t
receipt_time(const char *v, const char *end)
{
	char		 w[16];
	struct tm	 tm;
	time_t		 t;
	size_t		 n;

	if (v == NULL)
		return 0;
	receipt_word(v, end, w, sizeof(w));
	n = strlen(w);
	if ((n != 10 && n != 12) || strspn(w, "0123456789") != n)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 100 + two(w);
	tm.tm_mon = two(w + 2) - 1;
	tm.tm_mday = two(w + 4);
	tm.tm_hour = two(w + 6);
	tm.tm_min = two(w + 8);
	tm.tm_sec = n == 12 ? two(w + 10) : 0;
	if ((t = clock_mktime_local(&tm)) == (time_t)-1)
		return 0;
	return t;
}

int
pdu_receipt_parse(const uint8_t *data, size_t len, struct pdu_receipt *r,
    const char **errstr)
{
	char		 buf[PDU_PAYLOAD_MAX + 1], stat[16];
	const char	*end, *v, *text;

	memset(r, 0, sizeof(*r));
	if (len > PDU_PAYLOAD_MAX)
		len = PDU_PAYLOAD_MAX;
	memcpy(buf, data, len);
	buf[len] = '\0';
	/* Stop at a NUL inside: the rest is not text. */
	end = buf + strlen(buf);
	/* Keys are looked for before "text:", whose value may hold anything. */
	if ((text = receipt_key(buf, end, "text:")) != NULL) {
		/* Cut to what the struct holds: buf ends at end. */
		(void)util_strlcpy(r->text, text, sizeof(r->text));
		end = text - 5;
	}
	if ((v = receipt_key(buf, end, "id:")) == NULL) {
		*errstr = "no id";
		return -1;
	}
	receipt_word(v, end, r->id, sizeof(r->id));
	/* Cut, it could name another message: refused instead. */
	if (v + strlen(r->id) < end && v[strlen(r->id)] != ' ') {
		*errstr = "id longer than 64 characters";
		return -1;
	}
	if ((v = receipt_key(buf, end, "stat:")) == NULL) {
		*errstr = "no stat";
		return -1;
	}
	receipt_word(v, end, stat, sizeof(stat));
	if (r->id[0] == '\0' || stat[0] == '\0') {
		*errstr = "empty id or stat";
		return -1;
	}
	if ((r->state = pdu_state_parse(stat)) == 0)
		r->state = PDU_STATE_UNKNOWN;
	r->sub = receipt_num(receipt_key(buf, end, "sub:"), end);
	r->dlvrd = receipt_num(receipt_key(buf, end, "dlvrd:"), end);
	r->err = receipt_num(receipt_key(buf, end, "err:"), end);
	r->submit_date = receipt_time(receipt_key(buf, end, "submit date:"),
	    end);
	r->done_date = receipt_time(receipt_key(buf, end, "done date:"), end);
	return 0;
}
