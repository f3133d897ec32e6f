/*
 * fuzz_ussd: the USSD menu driven by arbitrary bytes as a sequence of
 * network messages against a small demo database opened once. Each input
 * runs in a transaction that is rolled back, so every input meets the same
 * data, while the steps inside one input share their sessions. A step is
 *   op      & 3: 0 dial (PSSR indication), 1 and 2 an answer (USSR
 *                confirm), 3 the clock moves on len * 16 s;
 *           >> 2 & 7: the caller (residents with children or fees, one
 *                in English, an unknown number, robots);
 *           >> 5: the session id ("", "a", "b", one of 64 bytes, one of
 *                65 — too long —, the network's id from the input);
 *   len     the answer's length, then that many bytes (the answer).
 * The configuration byte in front picks the [sms] encoding. Every reply
 * must be NUL-terminated UTF-8 that fits one USSD string, with at most
 * five choices, no personal code, and the process language back at lv.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "demo.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "smstext.h"
#include "store.h"
#include "store_sqlite.h"
#include "ussd.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_NOW	1781514000	/* 2026-06-15, a Monday */

static struct store	*fz_store;
static struct config	*fz_cfg;
static char		 fz_phones[8][IDENT_PHONE_SIZE];
static size_t		 fz_nphones;

static void
fuzz_init(void)
{
	struct demo_result	 dr;
	sqlite3_stmt		*st;
	const char		*errstr;

	log_init("fuzz_ussd", 0);
	log_set_level(LOG_LEVEL_FATAL);
	/*
	 * Latvian from the build's catalogue when there is one (tests/run.sh
	 * sets the variable; `make` builds it); without one every caller
	 * meets the English texts, which must fit as well.
	 */
	(void)setenv("MUNI_LOCALEDIR", "build/release/locale", 0);
	i18n_init();
	clock_set_fake(FZ_NOW);
	if ((fz_store = store_open(":memory:", STORE_CREATE, &errstr)) ==
	    NULL || demo_fill(fz_store, 300, 11, &dr, &errstr) == -1)
		abort();
	/* Callers with children, fees and topics; every third in English. */
	if (sqlite3_exec(store_db(fz_store), "UPDATE residents SET lang = 'en'"
	    " WHERE id % 3 = 0", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(fz_store), "SELECT phone FROM"
	    " residents r WHERE phone_kind = 0 ORDER BY NOT EXISTS (SELECT 1"
	    " FROM queue_entries q WHERE q.guardian_id = r.id), NOT EXISTS"
	    " (SELECT 1 FROM fees f WHERE f.resident_id = r.id), id LIMIT 5",
	    -1, &st, NULL) != SQLITE_OK)
		abort();
	while (sqlite3_step(st) == SQLITE_ROW && fz_nphones < 5)
		(void)util_strlcpy(fz_phones[fz_nphones++],
		    (const char *)sqlite3_column_text(st, 0), IDENT_PHONE_SIZE);
	sqlite3_finalize(st);
	if (fz_nphones == 0)
		abort();
	/* A number nobody registered, and two a network never gives. */
	(void)util_strlcpy(fz_phones[fz_nphones++], "+37129990009",
	    IDENT_PHONE_SIZE);
	(void)util_strlcpy(fz_phones[fz_nphones++], "Bite", IDENT_PHONE_SIZE);
	(void)util_strlcpy(fz_phones[fz_nphones++], "", IDENT_PHONE_SIZE);
	fz_cfg = config_defaults();
}

/* One reply as the gateway would send it: checked in every way we can. */
static void
check(const struct ussd_reply *r, const struct smstext_opts *o)
{
	struct smstext_info	 info;
	const char		*p, *errstr;
	char			 copy[USSD_TEXT_SIZE];
	size_t			 len;
	int			 choices = 0;

	len = strnlen(r->text, sizeof(r->text));
	/* FUZZ_VERBOSE=1 shows each screen when replaying a finding. */
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "--- end=%d len=%zu\n%.*s\n", r->end, len,
		    (int)len, r->text);
	if (len == sizeof(r->text) || len == 0 ||
	    !util_utf8_valid(r->text, len) || (r->end != 0 && r->end != 1))
		abort();
	if (smstext_analyze(r->text, len, o, &info, &errstr) == -1)
		abort();
	if (info.units > (info.encoding == SMSTEXT_ENC_GSM7 ?
	    (size_t)USSD_GSM7_MAX : (size_t)USSD_UCS2_MAX))
		abort();
	for (p = r->text; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (p[0] >= '1' && p[0] <= '8' && p[1] == ' ')
			choices++;
	}
	if (choices > USSD_CHOICES_MAX)
		abort();
	memcpy(copy, r->text, len + 1);
	if (log_scrub(copy) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encs[] = { "auto", "translit", "ucs2",
	    "auto" };
	struct ussd_reply	 r;
	struct smstext_opts	 o;
	const uint8_t		*p = data, *end = data + size;
	const char		*errstr, *sess;
	char			 long_sess[USSD_SESSION_MAX + 2], net_sess[9];
	size_t			 len;
	uint8_t			 op;
	enum ussd_op		 uop;
	int			 rc, steps = 0;

	if (fz_store == NULL)
		fuzz_init();
	if (size == 0)
		return 0;
	clock_set_fake(FZ_NOW);
	if (config_set(fz_cfg, CFG_SMS_ENCODING, encs[*p & 3], &errstr) == -1)
		abort();
	memset(&o, 0, sizeof(o));
	if (smstext_policy_parse(encs[*p & 3], &o.policy, &errstr) == -1)
		abort();
	p++;
	if (store_begin(fz_store) == -1)
		abort();
	while (end - p >= 2 && steps++ < 64) {
		op = *p++;
		len = *p++;
		if ((size_t)(end - p) < len)
			len = (size_t)(end - p);
		if ((op & 3) == 3) {
			clock_advance_ms((int64_t)len * 16000);
			if (ussd_expire(fz_store, fz_cfg) == -1)
				abort();
			continue;
		}
		switch (op >> 5) {
		case 0:
			sess = "";
			break;
		case 1:
		case 2:
			sess = op >> 5 == 1 ? "a" : "b";
			break;
		case 3:
		case 4:
			memset(long_sess, 'S', sizeof(long_sess));
			long_sess[USSD_SESSION_MAX + (op >> 5 == 4)] = '\0';
			sess = long_sess;
			break;
		default:
			/* The network's id: bytes as they came, cut at NUL. */
			memset(net_sess, 0, sizeof(net_sess));
			memcpy(net_sess, p, len < 8 ? len : 8);
			sess = net_sess;
			break;
		}
		uop = (op & 3) == 0 ? USSD_OP_OPEN : USSD_OP_ANSWER;
		if ((op & 0x1c) == 0x1c && len == 0)
			uop = USSD_OP_ABORT;
		memset(&r, 0x55, sizeof(r));
		rc = ussd_handle(fz_store, fz_cfg,
		    fz_phones[((op >> 2) & 7) % fz_nphones], sess, uop,
		    (const char *)p, len, &r);
		p += len;
		if (strcmp(i18n_lang(), "lv") != 0)
			abort();
		if (rc == 0)
			continue;
		/* A database error is not expected on a memory store. */
		if (rc != 1 || uop == USSD_OP_ABORT)
			abort();
		check(&r, &o);
	}
	store_rollback(fz_store);
	return 0;
}
