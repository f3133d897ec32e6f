/*
 * outbox: checks and writes outbound messages. The gateway's state
 * machine (queued, inflight, accepted, final) works on the same rows.
 */
#include <sqlite3.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "ident.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

int64_t
outbox_enqueue(struct store *s, const struct outbox_msg *m,
    const char **errstr)
{
	char		 phone[IDENT_PHONE_SIZE];
	enum ident_phone_kind kind;
	sqlite3_stmt	*st;
	time_t		 now = clock_now();
	size_t		 len;
	const char	*enc = m->encoding;

	if (m->phone == NULL || ident_phone_parse(m->phone, phone, &kind,
	    errstr) == -1) {
		if (m->phone == NULL)
			*errstr = N_("a phone number is needed");
		return -1;
	}
	if (kind == IDENT_PHONE_LV_FIXED) {
		*errstr = N_("a fixed-line number cannot receive SMS");
		return -1;
	}
	len = m->text != NULL ? strlen(m->text) : 0;
	if (len == 0) {
		*errstr = N_("the message text is empty");
		return -1;
	}
	if (len > OUTBOX_TEXT_MAX) {
		*errstr = N_("the message text is longer than 1600 bytes");
		return -1;
	}
	if (!util_utf8_valid(m->text, len)) {
		*errstr = N_("the message text is not valid UTF-8");
		return -1;
	}
	if (enc != NULL && strcmp(enc, "auto") != 0 &&
	    strcmp(enc, "ucs2") != 0 && strcmp(enc, "translit") != 0 &&
	    strcmp(enc, "gsm7") != 0) {
		*errstr = N_("encoding must be auto, ucs2, translit or gsm7");
		return -1;
	}
	if (m->validity_s < 0 || m->validity_s > OUTBOX_VALIDITY_MAX) {
		*errstr = N_("validity must be 0 to 604800 seconds");
		return -1;
	}
	st = store_stmt(s, ST_OUTBOX_INSERT);
	if (sqlite3_bind_text(st, 1, phone, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 2, m->text, (int)len, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 3, enc ? enc : "auto", -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(st, 4, m->priority) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)now) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, (sqlite3_int64)m->not_before) !=
	    SQLITE_OK ||
	    (m->validity_s > 0 ? sqlite3_bind_int64(st, 7,
	    (sqlite3_int64)now + m->validity_s) :
	    sqlite3_bind_null(st, 7)) != SQLITE_OK ||
	    (m->topic ? sqlite3_bind_text(st, 8, m->topic, -1,
	    SQLITE_STATIC) : sqlite3_bind_null(st, 8)) != SQLITE_OK ||
	    (m->resident_id > 0 ? sqlite3_bind_int64(st, 9, m->resident_id) :
	    sqlite3_bind_null(st, 9)) != SQLITE_OK ||
	    (m->broadcast_id > 0 ? sqlite3_bind_int64(st, 10,
	    m->broadcast_id) : sqlite3_bind_null(st, 10)) != SQLITE_OK) {
		*errstr = N_("database error");
		return -1;
	}
	if (store_exec(s, ST_OUTBOX_INSERT) == -1) {
		*errstr = N_("database error");
		return -1;
	}
	return store_last_rowid(s);
}

static void
col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	(void)util_strlcpy(buf, t != NULL ? (const char *)t : "", size);
}

int
outbox_status(struct store *s, int64_t id, struct outbox_status *os)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_STATUS);
	int		 rc;

	memset(os, 0, sizeof(*os));
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		(void)sqlite3_reset(st);
		return 1;
	}
	if (rc != SQLITE_ROW) {
		(void)sqlite3_reset(st);
		return -1;
	}
	col_text(st, 0, os->state, sizeof(os->state));
	col_text(st, 1, os->phone, sizeof(os->phone));
	col_text(st, 2, os->message_id, sizeof(os->message_id));
	os->attempts = sqlite3_column_int(st, 3);
	os->status_code = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 4);
	os->created_at = (time_t)sqlite3_column_int64(st, 5);
	os->updated_at = (time_t)sqlite3_column_int64(st, 6);
	os->valid_until = (time_t)sqlite3_column_int64(st, 7);
	(void)sqlite3_reset(st);
	return 0;
}
