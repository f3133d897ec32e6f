/*
 * inbox: MO rows in and out of the database for the gateway.
 */
#include <sqlite3.h>
#include <string.h>

#include "clock.h"
#include "inbox.h"
#include "log.h"
#include "store.h"
#include "util.h"

int64_t
inbox_insert(struct store *s, const struct inbox_msg *m)
{
	sqlite3_stmt	*st = store_stmt(s, ST_INBOX_INSERT);
	int		 rc;

	if (sqlite3_bind_text(st, 1, m->source, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 2, m->dest, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, m->kind == INBOX_USSD ? "ussd" : "sms",
	    -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, m->data_coding) != SQLITE_OK)
		goto fail;
	/* body is NOT NULL: an empty message is an empty blob. */
	rc = m->body_len > 0 ? sqlite3_bind_blob(st, 5, m->body,
	    (int)m->body_len, SQLITE_STATIC) : sqlite3_bind_zeroblob(st, 5, 0);
	if (rc != SQLITE_OK)
		goto fail;
	rc = m->text != NULL ? sqlite3_bind_text(st, 6, m->text,
	    (int)m->text_len, SQLITE_STATIC) : sqlite3_bind_null(st, 6);
	if (rc != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, (sqlite3_int64)clock_now()) != SQLITE_OK)
		goto fail;
	if (store_exec(s, ST_INBOX_INSERT) == -1)
		return -1;
	return store_last_rowid(s);
fail:
	log_warnx("inbox_insert: %s", store_errmsg(s));
	return -1;
}

static void
copy_col(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	(void)util_strlcpy(buf, t != NULL ? (const char *)t : "", size);
}

int
inbox_unprocessed(struct store *s, int64_t after, struct inbox_row *rows,
    int max)
{
	sqlite3_stmt	*st = store_stmt(s, ST_INBOX_UNPROCESSED);
	const unsigned char *t;
	struct inbox_row *r;
	size_t		 len;
	int		 rc = SQLITE_DONE, n = 0;

	if (sqlite3_bind_int64(st, 1, after) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, max) != SQLITE_OK) {
		log_warnx("inbox_unprocessed: %s", store_errmsg(s));
		return -1;
	}
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = &rows[n++];
		r->id = sqlite3_column_int64(st, 0);
		copy_col(st, 1, r->source, sizeof(r->source));
		copy_col(st, 2, r->dest, sizeof(r->dest));
		t = sqlite3_column_text(st, 3);
		len = (size_t)sqlite3_column_bytes(st, 3);
		if (t == NULL)
			len = 0;
		if (len >= sizeof(r->text)) {
			len = sizeof(r->text) - 1;
			/* Never cut inside a UTF-8 sequence. */
			while (len > 0 && (t[len] & 0xc0) == 0x80)
				len--;
		}
		if (len > 0)
			memcpy(r->text, t, len);
		r->text[len] = '\0';
		r->len = len;
		r->received_at = (time_t)sqlite3_column_int64(st, 4);
	}
	if (n < max && rc != SQLITE_DONE) {
		(void)sqlite3_reset(st);
		log_warnx("inbox_unprocessed: %s", store_errmsg(s));
		return -1;
	}
	(void)sqlite3_reset(st);
	return n;
}

int
inbox_done(struct store *s, int64_t id)
{
	sqlite3_stmt	*st = store_stmt(s, ST_INBOX_DONE);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK) {
		log_warnx("inbox_done: %s", store_errmsg(s));
		return -1;
	}
	return store_exec(s, ST_INBOX_DONE);
}
