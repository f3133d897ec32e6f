/*
 * outbox: checks and writes outbound messages. The gateway's state
 * machine (queued, inflight, accepted, final) works on the same rows.
 */
#include <limits.h>
#include <sqlite3.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
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
	store_col_text(st, 0, os->state, sizeof(os->state));
	store_col_text(st, 1, os->phone, sizeof(os->phone));
	store_col_text(st, 2, os->message_id, sizeof(os->message_id));
	os->attempts = sqlite3_column_int(st, 3);
	os->status_code = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 4);
	os->created_at = (time_t)sqlite3_column_int64(st, 5);
	os->updated_at = (time_t)sqlite3_column_int64(st, 6);
	os->valid_until = (time_t)sqlite3_column_int64(st, 7);
	(void)sqlite3_reset(st);
	return 0;
}

int
outbox_parts(struct store *s, int64_t id, struct outbox_part_info *parts,
    int max)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_PARTS);
	int		 rc, n = 0;

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n >= max)
			continue;
		memset(&parts[n], 0, sizeof(parts[n]));
		parts[n].part = sqlite3_column_int(st, 0);
		store_col_text(st, 1, parts[n].message_id,
		    sizeof(parts[n].message_id));
		store_col_text(st, 2, parts[n].state, sizeof(parts[n].state));
		parts[n].updated_at = (time_t)sqlite3_column_int64(st, 3);
		n++;
	}
	(void)sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("outbox_parts: %s", store_errmsg(s));
		return -1;
	}
	return n;
}

/*
 * The state machine.
 */

/* Log the statement's failure and return -1: the callers' one idiom. */
static int
db_fail(struct store *s, const char *what)
{
	log_warnx("outbox: %s: %s", what, store_errmsg(s));
	return -1;
}

int64_t
outbox_recover(struct store *s)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_RECOVER);

	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK)
		return db_fail(s, "recover");
	if (store_exec(s, ST_OUTBOX_RECOVER) == -1)
		return -1;
	return store_changes(s);
}

/* The next lower priority with queued rows: 1, 0 when none, -1. */
static int
next_priority(struct store *s, int64_t below, int64_t *prio)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_NEXT_PRIORITY);
	int		 rc;

	if (sqlite3_bind_int64(st, 1, below) != SQLITE_OK)
		return db_fail(s, "claim");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*prio = sqlite3_column_int64(st, 0);
	(void)sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(s, "claim");
}

static int
expire_row(struct store *s, int64_t id, time_t now)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_EXPIRE);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)now) != SQLITE_OK)
		return db_fail(s, "expire");
	return store_exec(s, ST_OUTBOX_EXPIRE);
}

/* The earliest future not_before at priority prio, into *due if sooner. */
static int
due_after(struct store *s, int64_t prio, time_t now, time_t *due)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_DUE_AFTER);
	time_t		 t;
	int		 rc;

	if (sqlite3_bind_int64(st, 1, prio) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)now) != SQLITE_OK)
		return db_fail(s, "claim");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t = (time_t)sqlite3_column_int64(st, 0);
		if (*due == 0 || t < *due)
			*due = t;
	}
	(void)sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    db_fail(s, "claim");
}

int
outbox_claim(struct store *s, time_t now, struct outbox_row *rows, int max,
    int *nexpired, time_t *next_due)
{
	sqlite3_stmt	*st;
	struct outbox_row *r;
	int64_t		 prio = INT64_MAX, expired[64];
	const unsigned char *t;
	int		 n = 0, nexp, got, lim, rc = 0, i;

	*nexpired = 0;
	*next_due = 0;
	/*
	 * One priority at a time: inside one, the index is in not_before
	 * order, so the scan stops at the first row not due yet.
	 */
	while (n < max && (rc = next_priority(s, prio, &prio)) == 1) {
		do {
			lim = max - n < (int)nitems(expired) ? max - n :
			    (int)nitems(expired);
			st = store_stmt(s, ST_OUTBOX_READY);
			if (sqlite3_bind_int64(st, 1, prio) != SQLITE_OK ||
			    sqlite3_bind_int64(st, 2, (sqlite3_int64)now) !=
			    SQLITE_OK ||
			    sqlite3_bind_int(st, 3, lim) != SQLITE_OK)
				return db_fail(s, "claim");
			nexp = got = 0;
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				got++;
				r = &rows[n];
				r->id = sqlite3_column_int64(st, 0);
				r->valid_until = (time_t)
				    sqlite3_column_int64(st, 5);
				if (r->valid_until != 0 &&
				    r->valid_until <= now) {
					/* Updated once the scan is over. */
					expired[nexp++] = r->id;
					continue;
				}
				store_col_text(st, 1, r->phone,
				    sizeof(r->phone));
				t = sqlite3_column_text(st, 2);
				r->len = (size_t)sqlite3_column_bytes(st, 2);
				if (t == NULL || r->len > OUTBOX_TEXT_MAX)
					r->len = 0;
				if (r->len > 0)
					memcpy(r->text, t, r->len);
				r->text[r->len] = '\0';
				store_col_text(st, 3, r->encoding,
				    sizeof(r->encoding));
				r->attempts = sqlite3_column_int(st, 4);
				r->priority = (int)prio;
				n++;
			}
			(void)sqlite3_reset(st);
			if (rc != SQLITE_DONE)
				return db_fail(s, "claim");
			for (i = 0; i < nexp; i++)
				if (expire_row(s, expired[i], now) == -1)
					return -1;
			*nexpired += nexp;
		} while (got == lim && n < max);
		if (n < max && due_after(s, prio, now, next_due) == -1)
			return -1;
	}
	if (rc == -1)
		return -1;
	return n;
}

int64_t
outbox_hold(struct store *s, int prio, time_t now, time_t until)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_HOLD);

	if (sqlite3_bind_int(st, 1, prio) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)until) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)now) != SQLITE_OK)
		return db_fail(s, "hold");
	if (store_exec(s, ST_OUTBOX_HOLD) == -1)
		return -1;
	return store_changes(s);
}

int
outbox_inflight(struct store *s, int64_t id, const char *bind, uint32_t seq)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_INFLIGHT);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, bind, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, seq) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK)
		return db_fail(s, "inflight");
	if (store_exec(s, ST_OUTBOX_INFLIGHT) == -1)
		return -1;
	return store_changes(s) == 1 ? 0 : 1;
}

int
outbox_parts_taken(struct store *s, int64_t id, uint32_t *mask)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_PARTS_TAKEN);
	int		 rc, part;

	*mask = 0;
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
		return db_fail(s, "parts");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		part = sqlite3_column_int(st, 0);
		if (part >= 1 && part <= 32)
			*mask |= 1U << (part - 1);
	}
	(void)sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, "parts");
}

static const char *
rcpt_state_text(enum outbox_receipt_state r)
{
	switch (r) {
	case OUTBOX_RCPT_DELIVERED:
		return "delivered";
	case OUTBOX_RCPT_UNDELIVERABLE:
		return "undeliverable";
	case OUTBOX_RCPT_EXPIRED:
		return "expired";
	case OUTBOX_RCPT_REJECTED:
		return "rejected";
	default:
		return "accepted";
	}
}

static enum outbox_receipt_state
rcpt_state_from_text(const char *t)
{
	if (strcmp(t, "delivered") == 0)
		return OUTBOX_RCPT_DELIVERED;
	if (strcmp(t, "undeliverable") == 0)
		return OUTBOX_RCPT_UNDELIVERABLE;
	if (strcmp(t, "expired") == 0)
		return OUTBOX_RCPT_EXPIRED;
	if (strcmp(t, "rejected") == 0)
		return OUTBOX_RCPT_REJECTED;
	return OUTBOX_RCPT_NONE;
}

const char *
outbox_receipt_name(enum outbox_receipt_state r)
{
	return rcpt_state_text(r);
}

enum outbox_receipt_state
outbox_receipt_state(int smpp_state)
{
	/* SMPP 3.4 section 5.2.28. */
	switch (smpp_state) {
	case 2:		/* DELIVERED */
		return OUTBOX_RCPT_DELIVERED;
	case 3:		/* EXPIRED */
		return OUTBOX_RCPT_EXPIRED;
	case 4:		/* DELETED */
	case 5:		/* UNDELIVERABLE */
	case 7:		/* UNKNOWN */
		return OUTBOX_RCPT_UNDELIVERABLE;
	case 8:		/* REJECTED */
		return OUTBOX_RCPT_REJECTED;
	default:	/* ENROUTE, ACCEPTED: not final */
		return OUTBOX_RCPT_NONE;
	}
}

/* Set an accepted message's final state. */
static int
set_final(struct store *s, int64_t id, const char *state)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_SETTLE);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, state, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK)
		return db_fail(s, "settle");
	return store_exec(s, ST_OUTBOX_SETTLE);
}

/* The message's state from its parts', once it is accepted. */
static int
settle(struct store *s, int64_t id)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_PARTS_SUMMARY);
	const unsigned char *t;
	char		 state[16];
	int		 rc;

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
		return db_fail(s, "settle");
	state[0] = '\0';
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (t = sqlite3_column_text(st, 0)) != NULL)
		(void)util_strlcpy(state, (const char *)t, sizeof(state));
	(void)sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(s, "settle");
	if (state[0] == '\0' || strcmp(state, "accepted") == 0)
		return 0;
	return set_final(s, id, state);
}

static int
part_state(struct store *s, int64_t id, int part,
    enum outbox_receipt_state r)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_PART_STATE);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, part) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, rcpt_state_text(r), -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK)
		return db_fail(s, "part state");
	return store_exec(s, ST_OUTBOX_PART_STATE);
}

/*
 * The receipt's line in the gateway's log, key=value like the lines of
 * smsgw/gw_disp.c about the same message (msg= is the outbox id).
 */
static void
log_receipt(int64_t id, int part, const char *msgid,
    enum outbox_receipt_state r, int error, const char *note)
{
	if (error != 0)
		log_info("receipt msg=%lld part=%d smsc_id=%s state=%s "
		    "error=%d%s", (long long)id, part, msgid,
		    rcpt_state_text(r), error, note);
	else
		log_info("receipt msg=%lld part=%d smsc_id=%s state=%s%s",
		    (long long)id, part, msgid, rcpt_state_text(r), note);
}

int
outbox_phone_same(const char *a, const char *b)
{
	char		 da[24], db[24];
	size_t		 na = 0, nb = 0;
	const char	*p;

	for (p = a; *p != '\0' && na + 1 < sizeof(da); p++)
		if (*p >= '0' && *p <= '9')
			da[na++] = *p;
	for (p = b; *p != '\0' && nb + 1 < sizeof(db); p++)
		if (*p >= '0' && *p <= '9')
			db[nb++] = *p;
	da[na] = db[nb] = '\0';
	if (na == 0 || nb == 0)
		return 0;
	if (na == nb)
		return strcmp(da, db) == 0;
	/* A national number inside an international one: 8 digits at least. */
	if (na < nb)
		return na >= 8 && strcmp(db + nb - na, da) == 0;
	return nb >= 8 && strcmp(da + na - nb, db) == 0;
}

/* The phone message id went to, into buf ("" when gone). 0 or -1. */
static int
msg_phone(struct store *s, int64_t id, char *buf, size_t size)
{
	struct outbox_status os;

	buf[0] = '\0';
	if (outbox_status(s, id, &os) == -1)
		return -1;
	(void)util_strlcpy(buf, os.phone, size);
	return 0;
}

/*
 * A receipt kept for msgid in group (or from before groups) whose phone is
 * this message's, taken out of receipts_pending: its state, or
 * OUTBOX_RCPT_NONE; -1 on error.
 */
static int
take_pending(struct store *s, int64_t id, const char *group,
    const char *msgid)
{
	sqlite3_stmt	*st = store_stmt(s, ST_RECEIPT_PENDING_GET);
	enum outbox_receipt_state r = OUTBOX_RCPT_NONE;
	const unsigned char *t;
	char		 rg[64], rphone[24], phone[24];
	int		 rc = SQLITE_DONE, found = 0, have_phone = 0;

	if (sqlite3_bind_text(st, 1, msgid, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(s, "pending receipt");
	while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = sqlite3_column_text(st, 1);
		if (t == NULL || (t[0] != '\0' && (group == NULL ||
		    strcmp((const char *)t, group) != 0)))
			continue;	/* another group's */
		t = sqlite3_column_text(st, 2);
		/* Looked up only when a kept receipt names a phone. */
		if (t != NULL && t[0] != '\0' && !have_phone) {
			if (msg_phone(s, id, phone, sizeof(phone)) == -1) {
				(void)sqlite3_reset(st);
				return -1;
			}
			have_phone = 1;
		}
		if (t != NULL && t[0] != '\0' &&
		    !outbox_phone_same((const char *)t, phone))
			continue;	/* another message's, same id */
		found = 1;
		if ((t = sqlite3_column_text(st, 0)) != NULL)
			r = rcpt_state_from_text((const char *)t);
		store_col_text(st, 1, rg, sizeof(rg));
		store_col_text(st, 2, rphone, sizeof(rphone));
	}
	(void)sqlite3_reset(st);
	if (!found && rc != SQLITE_DONE)
		return db_fail(s, "pending receipt");
	if (!found)
		return OUTBOX_RCPT_NONE;
	st = store_stmt(s, ST_RECEIPT_PENDING_DELETE);
	if (sqlite3_bind_text(st, 1, rg, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, msgid, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, rphone, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(s, "pending receipt");
	if (store_exec(s, ST_RECEIPT_PENDING_DELETE) == -1)
		return -1;
	return (int)r;
}

static int
bind_group(sqlite3_stmt *st, int col, const char *group)
{
	return group != NULL ? sqlite3_bind_text(st, col, group, -1,
	    SQLITE_STATIC) : sqlite3_bind_null(st, col);
}

/* Inflight to accepted; msgid NULL for a concatenated message. 0, 1, -1. */
static int
accept_msg(struct store *s, int64_t id, const char *group, const char *msgid)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_ACCEPTED);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK ||
	    (msgid != NULL && msgid[0] != '\0' ? sqlite3_bind_text(st, 3,
	    msgid, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 3)) !=
	    SQLITE_OK || bind_group(st, 4, group) != SQLITE_OK)
		return db_fail(s, "accepted");
	if (store_exec(s, ST_OUTBOX_ACCEPTED) == -1)
		return -1;
	return store_changes(s) == 1 ? 0 : 1;
}

/* Does msgid belong to another open message or part of group? 1, 0, -1. */
static int
msgid_reused(struct store *s, int64_t id, int part, const char *group,
    const char *msgid)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_MSGID_SEEN);
	int		 rc;

	/* Most ids are new: then no row need be read. */
	if (sqlite3_bind_text(st, 1, msgid, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(s, "message id");
	rc = sqlite3_step(st);
	(void)sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_fail(s, "message id");
	st = store_stmt(s, ST_OUTBOX_MSGID_OPEN);
	if (sqlite3_bind_text(st, 1, msgid, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, group, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, id) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, part) != SQLITE_OK)
		return db_fail(s, "message id");
	rc = sqlite3_step(st);
	(void)sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(s, "message id");
	return rc == SQLITE_ROW;
}

int
outbox_part_accepted(struct store *s, int64_t id, int part, int nparts,
    const char *msgid)
{
	return outbox_part_accepted_in(s, id, part, nparts, NULL, msgid, NULL);
}

int
outbox_part_accepted_in(struct store *s, int64_t id, int part, int nparts,
    const char *group, const char *msgid, int *reused)
{
	sqlite3_stmt	*st;
	int		 r, dummy;

	if (reused == NULL)
		reused = &dummy;
	*reused = 0;
	if (group != NULL && msgid[0] != '\0' &&
	    (*reused = msgid_reused(s, id, part, group, msgid)) == -1)
		return -1;
	if (nparts == 1) {
		/* The part is the message: no outbox_parts row. */
		if ((r = accept_msg(s, id, group, msgid)) != 0)
			return r == 1 ? 0 : -1;
		if (msgid[0] == '\0')
			return 0;
		if ((r = take_pending(s, id, group, msgid)) == -1)
			return -1;
		if (r != OUTBOX_RCPT_NONE) {
			log_receipt(id, 1, msgid, r, 0, " (it came first)");
			return set_final(s, id, rcpt_state_text(r));
		}
		return 0;
	}
	st = store_stmt(s, ST_OUTBOX_PART_ACCEPT);
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, part) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, msgid, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK || bind_group(st, 5, group) != SQLITE_OK)
		return db_fail(s, "part accepted");
	if (store_exec(s, ST_OUTBOX_PART_ACCEPT) == -1)
		return -1;
	/* A receipt that overtook its submit_sm_resp. */
	if (msgid[0] == '\0')
		return 0;
	if ((r = take_pending(s, id, group, msgid)) == -1)
		return -1;
	if (r != OUTBOX_RCPT_NONE) {
		log_receipt(id, part, msgid, r, 0, " (it came first)");
		return part_state(s, id, part, (enum outbox_receipt_state)r);
	}
	return 0;
}

int
outbox_accepted(struct store *s, int64_t id)
{
	int	 r;

	if ((r = accept_msg(s, id, NULL, NULL)) != 0)
		return r == 1 ? 0 : -1;
	return settle(s, id);
}

int
outbox_retry(struct store *s, int64_t id, uint32_t status, int attempts,
    long backoff_s)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_RETRY);
	const unsigned char *t;
	time_t		 now = clock_now();
	int		 rc, failed = 0;

	(void)attempts;
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)(now + backoff_s)) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, status) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, OUTBOX_ATTEMPTS_MAX) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)now) != SQLITE_OK)
		return db_fail(s, "retry");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (t = sqlite3_column_text(st, 0)) != NULL)
		failed = strcmp((const char *)t, "failed") == 0;
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	(void)sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, "retry");
	return failed;
}

int
outbox_finish(struct store *s, int64_t id, const char *state,
    uint32_t status)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_FINISH);

	if (strcmp(state, "rejected") != 0 && strcmp(state, "failed") != 0) {
		log_warnx("outbox_finish: %s is not a final failure", state);
		return -1;
	}
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, status) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK)
		return db_fail(s, "finish");
	return store_exec(s, ST_OUTBOX_FINISH);
}

enum outbox_receipt_result
outbox_receipt(struct store *s, const char *msgid,
    enum outbox_receipt_state r, int error)
{
	struct outbox_rcpt_key k;

	memset(&k, 0, sizeof(k));
	k.msgid = msgid;
	return outbox_receipt_in(s, &k, r, error, NULL);
}

/* An open message (part 0) or part a receipt's id found. */
struct rcpt_cand {
	int64_t	 id;
	int	 part;
	time_t	 at;		/* when the SMSC took it */
	int	 phone_ok;
};

/* How far a receipt's submit date (minutes, the SMSC's clock) may stray. */
#define RCPT_DATE_BEFORE_S	120
#define RCPT_DATE_AFTER_S	180

/*
 * Keep the candidates that fit the receipt's phone; then, when more than
 * one is left, those that fit its submit date, unless none would. Returns
 * how many are left, first in c.
 */
static int
rcpt_narrow(struct rcpt_cand *c, int n, const struct outbox_rcpt_key *k)
{
	int	 i, m = 0, dated = 0;

	if (k->phone != NULL && k->phone[0] != '\0') {
		for (i = 0; i < n; i++)
			if (c[i].phone_ok)
				c[m++] = c[i];
		n = m;
	}
	if (n < 2 || k->submitted == 0)
		return n;
	for (i = 0; i < n; i++)
		if (c[i].at >= k->submitted - RCPT_DATE_BEFORE_S &&
		    c[i].at <= k->submitted + RCPT_DATE_AFTER_S)
			dated++;
	if (dated == 0)
		return n;	/* the SMSC's clock or zone is not ours */
	for (i = 0, m = 0; i < n; i++)
		if (c[i].at >= k->submitted - RCPT_DATE_BEFORE_S &&
		    c[i].at <= k->submitted + RCPT_DATE_AFTER_S)
			c[m++] = c[i];
	return m;
}

/* Bind the id and group of k to st's ?1 and ?2. */
static int
bind_key(sqlite3_stmt *st, const struct outbox_rcpt_key *k)
{
	return sqlite3_bind_text(st, 1, k->msgid, -1, SQLITE_STATIC) ==
	    SQLITE_OK && bind_group(st, 2, k->group) == SQLITE_OK ? 0 : -1;
}

static int
phone_fits(const struct outbox_rcpt_key *k, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	if (k->phone == NULL || k->phone[0] == '\0')
		return 1;
	return t != NULL && outbox_phone_same((const char *)t, k->phone);
}

enum outbox_receipt_result
outbox_receipt_in(struct store *s, const struct outbox_rcpt_key *k,
    enum outbox_receipt_state r, int error, int64_t fits[2])
{
	struct rcpt_cand c[16];
	sqlite3_stmt	*st;
	const char	*msgid = k->msgid;
	int		 rc, n = 0, known = 0;

	if (r == OUTBOX_RCPT_NONE)
		return OUTBOX_RCPT_DUPLICATE;
	st = store_stmt(s, ST_OUTBOX_RCPT_OPEN);
	if (bind_key(st, k) == -1)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (int)nitems(c)) {
		c[n].id = sqlite3_column_int64(st, 0);
		c[n].part = sqlite3_column_int(st, 1);
		c[n].phone_ok = phone_fits(k, st, 2);
		c[n].at = (time_t)sqlite3_column_int64(st, 3);
		n++;
	}
	(void)sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto fail;
	n = rcpt_narrow(c, n, k);
	if (n > 1) {
		/* The SMSC gave one id to several: settling any could lie. */
		if (fits != NULL) {
			fits[0] = c[0].id;
			fits[1] = c[1].id;
		}
		return OUTBOX_RCPT_AMBIGUOUS;
	}
	if (n == 1) {
		if (c[0].part == 0) {
			if (set_final(s, c[0].id, rcpt_state_text(r)) == -1)
				return OUTBOX_RCPT_ERROR;
		} else if (part_state(s, c[0].id, c[0].part, r) == -1 ||
		    settle(s, c[0].id) == -1)
			return OUTBOX_RCPT_ERROR;
		log_receipt(c[0].id, c[0].part == 0 ? 1 : c[0].part, msgid, r,
		    error, "");
		return OUTBOX_RCPT_MATCHED;
	}

	/* A message or part of that id (and phone) settled already. */
	st = store_stmt(s, ST_OUTBOX_RCPT_KNOWN);
	if (bind_key(st, k) == -1)
		goto fail;
	while (!known && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (phone_fits(k, st, 2)) {
			known = 1;
			log_debug("receipt msg=%lld part=%d smsc_id=%s "
			    "state=%s: a duplicate",
			    (long long)sqlite3_column_int64(st, 0),
			    sqlite3_column_int(st, 1), msgid,
			    rcpt_state_text(r));
		}
	(void)sqlite3_reset(st);
	if (known)
		return OUTBOX_RCPT_DUPLICATE;
	if (rc != SQLITE_DONE)
		goto fail;

	/* Its submit_sm_resp is not stored yet: keep it. */
	st = store_stmt(s, ST_RECEIPT_PENDING_PUT);
	if (sqlite3_bind_text(st, 1, msgid, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, rcpt_state_text(r), -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(st, 3, error) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)clock_now()) != SQLITE_OK ||
	    sqlite3_bind_text(st, 5, k->group != NULL ? k->group : "", -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 6, k->phone != NULL ? k->phone : "", -1,
	    SQLITE_STATIC) != SQLITE_OK)
		goto fail;
	if (store_exec(s, ST_RECEIPT_PENDING_PUT) == -1)
		return OUTBOX_RCPT_ERROR;
	/* The caller logs it: a storm of orphans is its to rate-limit. */
	return OUTBOX_RCPT_PENDING;
fail:
	(void)db_fail(s, "receipt");
	return OUTBOX_RCPT_ERROR;
}

int64_t
outbox_prune_pending(struct store *s, time_t before)
{
	sqlite3_stmt	*st = store_stmt(s, ST_RECEIPT_PENDING_PRUNE);

	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)before) != SQLITE_OK)
		return db_fail(s, "prune receipts");
	if (store_exec(s, ST_RECEIPT_PENDING_PRUNE) == -1)
		return -1;
	return store_changes(s);
}

int64_t
outbox_cap_pending(struct store *s, int max)
{
	sqlite3_stmt	*st = store_stmt(s, ST_RECEIPT_PENDING_CAP);

	if (sqlite3_bind_int(st, 1, max) != SQLITE_OK)
		return db_fail(s, "cap receipts");
	if (store_exec(s, ST_RECEIPT_PENDING_CAP) == -1)
		return -1;
	return store_changes(s);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
outbox_msgid_norm(const char *in, int decimal, char *out, size_t size)
{
	unsigned long long v = 0;
	size_t		 i, n = strlen(in), o = 0;
	int		 hex = n > 0, dec = n > 0;

	if (n == 0 || n > 64 || size < 2)
		return -1;
	for (i = 0; i < n; i++) {
		if (hexval((unsigned char)in[i]) == -1)
			hex = 0;
		if (in[i] < '0' || in[i] > '9')
			dec = 0;
	}
	if (decimal && dec) {
		/*
		 * Any width: osmo-msc pads to eight digits, others to twenty.
		 * A number past 64 bits is no SMSC's id: compared as text.
		 */
		for (i = 0; i < n; i++) {
			if (v > (ULLONG_MAX - (unsigned long long)(in[i] - '0')) /
			    10)
				break;
			v = v * 10 + (unsigned long long)(in[i] - '0');
		}
		if (i == n)
			return util_snprintf(out, size, "%llx", v);
	}
	if (hex) {
		/* Drop leading zeros but keep one digit. */
		for (i = 0; i + 1 < n && in[i] == '0'; i++)
			;
		for (; i < n && o + 1 < size; i++)
			out[o++] = (char)(in[i] >= 'A' && in[i] <= 'F' ?
			    in[i] - 'A' + 'a' : in[i]);
		out[o] = '\0';
		return i == n ? 0 : -1;
	}
	for (i = 0; i < n && o + 1 < size; i++)
		out[o++] = (char)(in[i] >= 'A' && in[i] <= 'Z' ?
		    in[i] - 'A' + 'a' : in[i]);
	out[o] = '\0';
	return i == n ? 0 : -1;
}

int
outbox_transient(uint32_t status)
{
	switch (status) {
	case 0x04:	/* ESME_RINVBNDSTS: the bind was not ready */
	case 0x08:	/* ESME_RSYSERR */
	case 0x14:	/* ESME_RMSGQFUL */
	case 0x58:	/* ESME_RTHROTTLED */
	case 0x64:	/* ESME_RX_T_APPN */
	case OUTBOX_STATUS_TIMEOUT:
	case OUTBOX_STATUS_LINK:
		return 1;
	default:
		return 0;
	}
}

long
outbox_backoff(uint32_t status, int attempts)
{
	long	 b;

	if (attempts < 1)
		attempts = 1;
	switch (status) {
	case OUTBOX_STATUS_LINK:
		/* Not the message's fault: as soon as a bind is up again. */
		return 0;
	case 0x58:
	case 0x14:
		/* The bind's rate slows down already: one second's pause. */
		return 1;
	case OUTBOX_STATUS_TIMEOUT:
		/*
		 * The link was reset for it, which is the pause that helps;
		 * the first of many unanswered is rarely the one to blame.
		 */
		return 1;
	default:
		/* 1, 2, 4 ... 300 seconds. */
		b = attempts > 9 ? 512 : 1L << (attempts - 1);
		return b > 300 ? 300 : b;
	}
}

int64_t
outbox_queued(struct store *s)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_QUEUED);
	int64_t		 n = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	(void)sqlite3_reset(st);
	if (n == -1)
		(void)db_fail(s, "queued");
	return n;
}

int64_t
outbox_data_version(struct store *s)
{
	sqlite3_stmt	*st = store_stmt(s, ST_OUTBOX_DATA_VERSION);
	int64_t		 v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	(void)sqlite3_reset(st);
	if (v == -1)
		(void)db_fail(s, "data_version");
	return v;
}

int
outbox_gateway_tune(struct store *s)
{
	return store_tune_daemon(s);
}
