/*
 * fuzz_keywords: the SMS keyword front end on arbitrary bytes as message
 * text, against a small demo database opened once. The first byte picks
 * the sender (a resident in Latvian, one in English, an unknown number, a
 * robot) and the segment limit; the rest is the text. Each input runs in a
 * transaction that is rolled back, so every input meets the same data. A
 * reply must be UTF-8, within its buffer and segment limit, in Latvian
 * afterwards, and never hold anything shaped like a personal code.
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
#include "keywords.h"
#include "log.h"
#include "smstext.h"
#include "store.h"
#include "store_sqlite.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct store	*fz_store;
static struct config	*fz_cfg;
/* Residents' numbers: guardians first, then fee payers. */
static char		 fz_phones[16][IDENT_PHONE_SIZE];
static size_t		 fz_nphones;

static void
fuzz_init(void)
{
	struct demo_result	 dr;
	sqlite3_stmt		*st;
	const char		*errstr;

	log_init("fuzz_keywords", 0);
	log_set_level(LOG_LEVEL_FATAL);
	i18n_init();
	clock_set_fake(1781514000);	/* 2026-06-15 */
	if ((fz_store = store_open(":memory:", STORE_CREATE, &errstr)) ==
	    NULL || demo_fill(fz_store, 300, 7, &dr, &errstr) == -1)
		abort();
	/* Senders with children, fees and topics of their own. */
	if (sqlite3_exec(store_db(fz_store), "UPDATE residents SET lang = 'en'"
	    " WHERE id % 3 = 0", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(fz_store), "SELECT phone FROM"
	    " residents r WHERE phone_kind = 0 ORDER BY NOT EXISTS (SELECT 1"
	    " FROM queue_entries q WHERE q.guardian_id = r.id), id LIMIT 16",
	    -1, &st, NULL) != SQLITE_OK)
		abort();
	while (sqlite3_step(st) == SQLITE_ROW && fz_nphones < 16)
		(void)util_strlcpy(fz_phones[fz_nphones++],
		    (const char *)sqlite3_column_text(st, 0), IDENT_PHONE_SIZE);
	sqlite3_finalize(st);
	if (fz_nphones == 0)
		abort();
	fz_cfg = config_defaults();
}

static const char *
sender(uint8_t b)
{
	static const char *robots[] = { "+37129990009", "Bite", "1888",
	    "+37167000000", "447911123456" };

	if (b % 8 < nitems(robots))
		return robots[b % 8];
	return fz_phones[(b >> 3) % fz_nphones];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keywords_opts	 opts;
	struct keywords_result	 res;
	struct smstext_opts	 o;
	struct smstext_info	 info;
	static char		 reply[KEYWORDS_REPLY_SIZE];
	char			 copy[KEYWORDS_REPLY_SIZE];
	const char		*errstr, *from, *max[] = { "6", "1", "2", "16" };
	size_t			 len;
	int			 rc;

	if (fz_store == NULL)
		fuzz_init();
	if (store_begin(fz_store) == -1)
		abort();
	if (size == 0) {
		store_rollback(fz_store);
		return 0;
	}
	from = sender(data[0]);
	if (config_set(fz_cfg, CFG_SMS_MAX_SEGMENTS, max[data[0] >> 6],
	    &errstr) == -1 || config_set(fz_cfg, CFG_SMS_ENCODING,
	    data[0] & 0x20 ? "translit" : "auto", &errstr) == -1)
		abort();
	memset(&opts, 0, sizeof(opts));
	opts.duty_numbers = "+37129000001,+37129000002";
	memset(reply, 0x55, sizeof(reply));
	rc = keywords_handle(fz_store, fz_cfg, from, (const char *)data + 1,
	    size - 1, &opts, reply, sizeof(reply), &res);
	store_rollback(fz_store);
	if (rc < -1 || rc > 1 || strcmp(i18n_lang(), "lv") != 0)
		abort();
	len = strnlen(reply, sizeof(reply));
	if (len == sizeof(reply))
		abort();
	if (rc == 0 && (len != 0 || res.silence == KEYWORDS_ANSWERED))
		abort();
	if (rc == 1) {
		if (len == 0 || !util_utf8_valid(reply, len))
			abort();
		memset(&o, 0, sizeof(o));
		o.policy = data[0] & 0x20 ? SMSTEXT_TRANSLIT : SMSTEXT_AUTO;
		if (smstext_analyze(reply, len, &o, &info, &errstr) == -1 ||
		    info.segments != res.segments)
			abort();
		/*
		 * Lists keep to the limit; the fixed answers are at most two
		 * segments; only whom to pay may pass a tiny limit.
		 */
		if (res.cmd == KEYWORDS_QUEUE && res.registered &&
		    res.segments > (size_t)config_int(fz_cfg,
		    CFG_SMS_MAX_SEGMENTS))
			abort();
		if (res.cmd != KEYWORDS_FEES && res.cmd != KEYWORDS_QUEUE &&
		    res.cmd != KEYWORDS_TOPICS && res.cmd != KEYWORDS_START &&
		    res.segments > 2)
			abort();
		memcpy(copy, reply, len + 1);
		if (log_scrub(copy) != 0)
			abort();
	}
	return 0;
}
