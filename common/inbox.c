/*
 * inbox: MO rows in and out of the database for the gateway.
 */
#include <string.h>

#include "clock.h"
#include "inbox.h"
#include "log.h"
#include "store.h"
#include "util.h"

int64_t
inbox_insert(struct store *s, const struct inbox_msg *m)
{
	struct store_cur *c = store_cur(s, ST_INBOX_INSERT);
	int		 rc;

	if (store_bind(c, "sssi", m->source, m->dest,
	    m->kind == INBOX_USSD ? "ussd" : "sms", m->data_coding) !=
	    STORE_OK)
		goto fail;
	/* body is NOT NULL: an empty message is an empty blob. */
	rc = store_bind_bytes(c, 5, m->body, m->body_len);
	if (rc == STORE_OK)
		rc = m->text != NULL ? store_bind_textn(c, 6, m->text,
		    m->text_len) : store_bind_at(c, 6, "n");
	if (rc != STORE_OK || store_bind_at(c, 7, "t", clock_now()) !=
	    STORE_OK)
		goto fail;
	if (store_run(c) < 0)
		return -1;
	return store_last_rowid(s);
fail:
	log_warnx("inbox_insert: %s", store_errmsg(s));
	return -1;
}

int
inbox_unprocessed(struct store *s, int64_t after, struct inbox_row *rows,
    int max)
{
	struct store_cur *c = store_cur(s, ST_INBOX_UNPROCESSED);
	struct inbox_row *r;
	int		 rc = STORE_OK, n = 0;

	if (store_bind(c, "Ii", after, max) != STORE_OK) {
		log_warnx("inbox_unprocessed: %s", store_errmsg(s));
		return -1;
	}
	while (n < max && (rc = store_step(c)) == STORE_ROW) {
		r = &rows[n++];
		r->id = store_i64(c, 0);
		store_text(c, 1, r->source, sizeof(r->source));
		store_text(c, 2, r->dest, sizeof(r->dest));
		/* Never cut inside a UTF-8 sequence. */
		store_text(c, 3, r->text, sizeof(r->text));
		r->len = strlen(r->text);
		r->received_at = (time_t)store_i64(c, 4);
	}
	if (n < max && rc != STORE_OK) {
		store_reset(c);
		log_warnx("inbox_unprocessed: %s", store_errmsg(s));
		return -1;
	}
	store_reset(c);
	return n;
}

int
inbox_done(struct store *s, int64_t id)
{
	struct store_cur *c = store_cur(s, ST_INBOX_DONE);

	if (store_bind(c, "It", id, clock_now()) != STORE_OK) {
		log_warnx("inbox_done: %s", store_errmsg(s));
		return -1;
	}
	return store_run(c) < 0 ? -1 : 0;
}
