/*
 * outbox: the one gate outbound messages pass (outbox_enqueue_why for one,
 * outbox_enqueue_batch for a broadcast's rows), which checks and writes
 * them. The gateway's state machine (queued, inflight, accepted, final)
 * works on the same rows. All of it through the store's cursors.
 */
#include <limits.h>
#include <string.h>

#include "callback.h"
#include "clock.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "outbox.h"
#include "smstext.h"
#include "store.h"
#include "util.h"

/* An id or time that is absent when 0 (NULL in the row). */
static int
bind_some(struct store_cur *c, int idx, int64_t v)
{
	return v > 0 ? store_bind_at(c, idx, "I", v) :
	    store_bind_at(c, idx, "n");
}

static int
refuse(struct outbox_why *why, enum outbox_field field, const char *msg)
{
	why->field = field;
	why->msg = msg;
	return -1;
}

/*
 * +3712XXXXXXX, the form a resident's mobile is stored in: a broadcast's
 * rows are nearly all of it, and taking it as it is costs a tenth of
 * ident_phone_parse, which every other form goes through.
 */
static int
stored_lv_mobile(const char *p)
{
	size_t	 i;

	if (strncmp(p, "+3712", 5) != 0)
		return 0;
	for (i = 5; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return p[12] == '\0';
}

/*
 * The checks besides analysis, in the order outbox_enqueue always made
 * them: phone (into e164), text, validity. A batch makes only these per
 * row: its caller analysed each text (which refuses one that is not
 * UTF-8) and remembers what analysis said.
 */
static int
check_plain(const struct outbox_msg *m, size_t len,
    char e164[IDENT_PHONE_SIZE], struct outbox_why *why)
{
	enum ident_phone_kind kind;
	const char	*errstr;

	if (m->phone == NULL)
		return refuse(why, OUTBOX_FIELD_PHONE,
		    N_("a phone number is needed"));
	if (stored_lv_mobile(m->phone)) {
		memcpy(e164, m->phone, 13);
		kind = IDENT_PHONE_LV_MOBILE;
	} else if (ident_phone_parse(m->phone, e164, &kind, &errstr) == -1)
		return refuse(why, OUTBOX_FIELD_PHONE, errstr);
	if (kind == IDENT_PHONE_LV_FIXED)
		return refuse(why, OUTBOX_FIELD_PHONE,
		    N_("a fixed-line number cannot receive SMS"));
	if (len == 0)
		return refuse(why, OUTBOX_FIELD_TEXT,
		    N_("the message text is empty"));
	if (len > OUTBOX_TEXT_MAX)
		return refuse(why, OUTBOX_FIELD_TEXT,
		    N_("the message text is longer than 1600 bytes"));
	if (m->validity_s < 0 || m->validity_s > OUTBOX_VALIDITY_MAX)
		return refuse(why, OUTBOX_FIELD_VALIDITY,
		    N_("validity must be 0 to 604800 seconds"));
	return 0;
}

int64_t
outbox_enqueue_why(struct store *s, const struct outbox_msg *m,
    struct outbox_why *why)
{
	struct store_cur	*c;
	struct smstext_opts	 so;
	struct smstext_info	 info;
	char			 phone[IDENT_PHONE_SIZE];
	const char		*enc = m->encoding != NULL ? m->encoding :
				    "auto";
	const char		*errstr;
	time_t			 now = clock_now();
	size_t			 len = m->text != NULL ? strlen(m->text) : 0;

	memset(why, 0, sizeof(*why));
	memset(&so, 0, sizeof(so));
	if (smstext_policy_parse(enc, &so.policy, &errstr) == -1)
		return refuse(why, OUTBOX_FIELD_ENCODING, errstr);
	/* Refuse now what the gateway would refuse later. */
	if (smstext_analyze(m->text != NULL ? m->text : "", len, &so, &info,
	    &errstr) == -1)
		return refuse(why, OUTBOX_FIELD_TEXT, errstr);
	if (m->max_segments > 0 && info.segments > (size_t)m->max_segments) {
		why->segments = info.segments;
		return refuse(why, OUTBOX_FIELD_SEGMENTS,
		    N_("the text needs more segments than max_segments"));
	}
	if (check_plain(m, len, phone, why) == -1)
		return -1;
	c = store_cur(s, ST_OUTBOX_INSERT);
	if (store_bind(c, "sssitt", phone, m->text, enc, m->priority, now,
	    m->not_before) != STORE_OK ||
	    bind_some(c, 7, m->validity_s > 0 ? (int64_t)now + m->validity_s :
	    0) != STORE_OK || store_bind_at(c, 8, "s", m->topic) != STORE_OK ||
	    bind_some(c, 9, m->resident_id) != STORE_OK ||
	    bind_some(c, 10, m->broadcast_id) != STORE_OK ||
	    store_run(c) != STORE_OK)
		return refuse(why, OUTBOX_FIELD_STORE, N_("database error"));
	return store_last_rowid(s);
}

int64_t
outbox_enqueue(struct store *s, const struct outbox_msg *m,
    const char **errstr)
{
	struct outbox_why	 why;
	int64_t			 id;

	if ((id = outbox_enqueue_why(s, m, &why)) == -1)
		*errstr = why.msg;
	return id;
}

/* Rows of ST_BCAST_OUTBOX_INSERT16: the cursors open once, not once a row. */
#define BATCH_ROWS	16

/* Bind the values every row of a batch shares (?1-?5 of both). */
static int
bind_shared(struct store_cur *c, const struct outbox_msg *sh, time_t now)
{
	if (store_bind(c, "sits", sh->encoding, sh->priority, now,
	    sh->topic) != STORE_OK)
		return -1;
	return bind_some(c, 5, sh->broadcast_id) != STORE_OK ? -1 : 0;
}

static int
bind_item(struct store_cur *c, int base, const struct outbox_item *it)
{
	if (store_bind_at(c, base, "sst", it->phone, it->text,
	    it->not_before) != STORE_OK)
		return -1;
	return bind_some(c, base + 3, it->resident_id) != STORE_OK ? -1 : 0;
}

int
outbox_enqueue_batch(struct store *s, const struct outbox_msg *shared,
    const struct outbox_item *items, size_t n, struct outbox_why *why,
    size_t *bad)
{
	struct outbox_item	 row[BATCH_ROWS];
	char			 e164[BATCH_ROWS][IDENT_PHONE_SIZE];
	struct outbox_msg	 m = *shared;
	struct store_cur	*c;
	enum smstext_policy	 policy;
	const char		*errstr;
	time_t			 now = clock_now();
	size_t			 i, k, nrow;

	memset(why, 0, sizeof(*why));
	if (m.encoding == NULL)
		m.encoding = "auto";
	if (smstext_policy_parse(m.encoding, &policy, &errstr) == -1)
		return refuse(why, OUTBOX_FIELD_ENCODING, errstr);
	if (m.validity_s != 0)
		return refuse(why, OUTBOX_FIELD_VALIDITY,
		    N_("validity must be 0 to 604800 seconds"));
	/*
	 * Sixteen at a time: checked, then written. What went before a
	 * refusal is the caller's to roll back with its transaction.
	 */
	for (i = 0; i < n; i += nrow) {
		nrow = n - i < BATCH_ROWS ? n - i : BATCH_ROWS;
		for (k = 0; k < nrow; k++) {
			row[k] = items[i + k];
			m.phone = row[k].phone;
			m.text = row[k].text;
			if (bad != NULL)
				*bad = i + k;
			if (m.max_segments > 0 &&
			    row[k].segments > m.max_segments) {
				why->segments = (size_t)row[k].segments;
				return refuse(why, OUTBOX_FIELD_SEGMENTS,
				    N_("the text needs more segments than "
				    "max_segments"));
			}
			if (check_plain(&m, row[k].len, e164[k], why) == -1)
				return -1;
			row[k].phone = e164[k];
		}
		if (nrow == BATCH_ROWS) {
			c = store_cur(s, ST_BCAST_OUTBOX_INSERT16);
			if (bind_shared(c, &m, now) == -1)
				goto fail;
			for (k = 0; k < nrow; k++)
				if (bind_item(c, 6 + 4 * (int)k, &row[k]) ==
				    -1)
					goto fail;
			if (store_run(c) != STORE_OK)
				goto fail;
			continue;
		}
		for (k = 0; k < nrow; k++) {
			c = store_cur(s, ST_BCAST_OUTBOX_INSERT);
			if (bind_shared(c, &m, now) == -1 ||
			    bind_item(c, 6, &row[k]) == -1 ||
			    store_run(c) != STORE_OK)
				goto fail;
		}
	}
	return 0;
fail:
	return refuse(why, OUTBOX_FIELD_STORE, N_("database error"));
}

int
outbox_status(struct store *s, int64_t id, struct outbox_status *os)
{
	struct store_cur *c = store_cur(s, ST_OUTBOX_STATUS);
	int		 rc;

	memset(os, 0, sizeof(*os));
	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		store_text(c, 0, os->state, sizeof(os->state));
		store_text(c, 1, os->phone, sizeof(os->phone));
		store_text(c, 2, os->message_id, sizeof(os->message_id));
		os->attempts = store_int(c, 3);
		os->status_code = store_isnull(c, 4) ? -1 : store_int(c, 4);
		os->created_at = (time_t)store_i64(c, 5);
		os->updated_at = (time_t)store_i64(c, 6);
		os->valid_until = (time_t)store_i64(c, 7);
	}
	store_reset(c);
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int
outbox_parts(struct store *s, int64_t id, struct outbox_part_info *parts,
    int max)
{
	struct store_cur *c = store_cur(s, ST_OUTBOX_PARTS);
	int		 rc, n = 0;

	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if (n >= max)
			continue;
		memset(&parts[n], 0, sizeof(parts[n]));
		parts[n].part = store_int(c, 0);
		store_text(c, 1, parts[n].message_id,
		    sizeof(parts[n].message_id));
		store_text(c, 2, parts[n].state, sizeof(parts[n].state));
		parts[n].updated_at = (time_t)store_i64(c, 3);
		n++;
	}
	store_reset(c);
	if (rc != STORE_OK) {
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

/*
 * What store_do or store_run said as 0 or -1, the failure logged:
 * store_step logs all but the ones a caller may act on, left to us.
 */
static int
done(struct store *s, int rc, const char *what)
{
	if (rc == STORE_EBUSY || rc == STORE_EUNIQUE ||
	    rc == STORE_ECONSTRAINT)
		return db_fail(s, what);
	return rc < 0 ? -1 : 0;
}

/* This gateway's node name and lease (outbox_set_node), set at start. */
static char	 node_name[OUTBOX_NODE_MAX + 1] = "muni";
static int	 node_lease_s = 60;

void
outbox_set_node(const char *node, int lease_s)
{
	if (node != NULL && *node != '\0')
		(void)util_strlcpy_utf8(node_name, node, sizeof(node_name));
	if (lease_s > 0)
		node_lease_s = lease_s;
}

const char *
outbox_node(void)
{
	return node_name;
}

int64_t
outbox_recover(struct store *s)
{
	int	 rc;

	if (store_dialect(s) == STORE_POSTGRES)
		rc = store_do(s, ST_OUTBOX_RECOVER_NODE, "ts", clock_now(),
		    node_name);
	else
		rc = store_do(s, ST_OUTBOX_RECOVER, "t", clock_now());
	if (done(s, rc, "recover") == -1)
		return -1;
	return store_changes(s);
}

int64_t
outbox_lease_tick(struct store *s, time_t now)
{
	if (store_dialect(s) != STORE_POSTGRES)
		return 0;
	if (done(s, store_do(s, ST_OUTBOX_LEASE_RENEW, "stt", node_name,
	    now + node_lease_s, now), "lease") == -1 ||
	    done(s, store_do(s, ST_OUTBOX_LEASE_TAKEOVER, "t", now),
	    "lease") == -1)
		return -1;
	return store_changes(s);
}

/* The next lower priority with queued rows: 1, 0 when none, -1. */
static int
next_priority(struct store *s, int64_t below, int64_t *prio)
{
	int	 rc = store_one_i64(s, ST_OUTBOX_NEXT_PRIORITY, prio, "I",
		    below);

	if (rc == STORE_ROW)
		return 1;
	if (rc == STORE_OK)
		return 0;
	return db_fail(s, "claim");
}

/*
 * Message id became final in the statement just run (when it changed a
 * row): tell the callbacks, in the same transaction. 0 or -1.
 */
static int
became_final(struct store *s, int64_t id)
{
	if (store_changes(s) != 1)
		return 0;
	if (callback_message_final(s, id) == -1)
		return db_fail(s, "message.final");
	return 0;
}

static int
expire_row(struct store *s, int64_t id, time_t now)
{
	if (done(s, store_do(s, ST_OUTBOX_EXPIRE, "It", id, now),
	    "expire") == -1)
		return -1;
	return became_final(s, id);
}

/* The earliest future not_before at priority prio, into *due if sooner. */
static int
due_after(struct store *s, int64_t prio, time_t now, time_t *due)
{
	int64_t	 t;
	int	 rc = store_one_i64(s, ST_OUTBOX_DUE_AFTER, &t, "It", prio,
		    now);

	if (rc == STORE_ROW && (*due == 0 || (time_t)t < *due))
		*due = (time_t)t;
	return rc == STORE_ROW || rc == STORE_OK ? 0 : db_fail(s, "claim");
}

int
outbox_claim(struct store *s, time_t now, struct outbox_row *rows, int max,
    int *nexpired, time_t *next_due)
{
	struct store_cur *c;
	struct outbox_row *r;
	int64_t		 prio = INT64_MAX, expired[64];
	const char	*t;
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
			/* Several gateways: only PostgreSQL leases. */
			if (store_dialect(s) == STORE_POSTGRES) {
				c = store_cur(s, ST_OUTBOX_CLAIM_LEASED);
				if (store_bind(c, "Itist", prio, now, lim,
				    node_name, now + node_lease_s) !=
				    STORE_OK)
					return db_fail(s, "claim");
			} else {
				c = store_cur(s, ST_OUTBOX_READY);
				if (store_bind(c, "Iti", prio, now, lim) !=
				    STORE_OK)
					return db_fail(s, "claim");
			}
			nexp = got = 0;
			while ((rc = store_step(c)) == STORE_ROW) {
				got++;
				r = &rows[n];
				r->id = store_i64(c, 0);
				r->valid_until = (time_t)store_i64(c, 5);
				if (r->valid_until != 0 &&
				    r->valid_until <= now) {
					/* Updated once the scan is over. */
					expired[nexp++] = r->id;
					continue;
				}
				store_text(c, 1, r->phone, sizeof(r->phone));
				t = store_str(c, 2);
				r->len = strlen(t);
				if (r->len > OUTBOX_TEXT_MAX)
					r->len = 0;
				memcpy(r->text, t, r->len);
				r->text[r->len] = '\0';
				store_text(c, 3, r->encoding,
				    sizeof(r->encoding));
				r->attempts = store_int(c, 4);
				r->priority = (int)prio;
				n++;
			}
			store_reset(c);
			if (rc != STORE_OK)
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
	if (done(s, store_do(s, ST_OUTBOX_HOLD, "itt", prio, until, now),
	    "hold") == -1)
		return -1;
	return store_changes(s);
}

int
outbox_inflight(struct store *s, int64_t id, const char *bind, uint32_t seq)
{
	if (done(s, store_do(s, ST_OUTBOX_INFLIGHT, "IsIt", id, bind,
	    (int64_t)seq, clock_now()), "inflight") == -1)
		return -1;
	return store_changes(s) == 1 ? 0 : 1;
}

int
outbox_parts_taken(struct store *s, int64_t id, uint32_t *mask)
{
	struct store_cur *c = store_cur(s, ST_OUTBOX_PARTS_TAKEN);
	int		 rc, part;

	*mask = 0;
	if (store_bind(c, "I", id) != STORE_OK)
		return db_fail(s, "parts");
	while ((rc = store_step(c)) == STORE_ROW) {
		part = store_int(c, 0);
		if (part >= 1 && part <= 32)
			*mask |= 1U << (part - 1);
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : db_fail(s, "parts");
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
	if (done(s, store_do(s, ST_OUTBOX_SETTLE, "Ict", id, state,
	    clock_now()), "settle") == -1)
		return -1;
	return became_final(s, id);
}

/* The message's state from its parts', once it is accepted. */
static int
settle(struct store *s, int64_t id)
{
	struct store_cur *c = store_cur(s, ST_OUTBOX_PARTS_SUMMARY);
	char		 state[16];
	int		 rc;

	if (store_bind(c, "I", id) != STORE_OK)
		return db_fail(s, "settle");
	state[0] = '\0';
	if ((rc = store_step(c)) == STORE_ROW)
		store_text(c, 0, state, sizeof(state));
	store_reset(c);
	if (rc != STORE_ROW)
		return db_fail(s, "settle");
	if (state[0] == '\0' || strcmp(state, "accepted") == 0)
		return 0;
	return set_final(s, id, state);
}

static int
part_state(struct store *s, int64_t id, int part,
    enum outbox_receipt_state r)
{
	return done(s, store_do(s, ST_OUTBOX_PART_STATE, "Iist", id, part,
	    rcpt_state_text(r), clock_now()), "part state");
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
	struct store_cur *c = store_cur(s, ST_RECEIPT_PENDING_GET);
	enum outbox_receipt_state r = OUTBOX_RCPT_NONE;
	const char	*t;
	char		 rg[64], rphone[24], phone[24];
	int		 rc = STORE_OK, found = 0, have_phone = 0;

	if (store_bind(c, "s", msgid) != STORE_OK)
		return db_fail(s, "pending receipt");
	while (!found && (rc = store_step(c)) == STORE_ROW) {
		/* rgroup and phone are NOT NULL: "" is from before them. */
		t = store_str(c, 1);
		if (t[0] != '\0' && (group == NULL || strcmp(t, group) != 0))
			continue;	/* another group's */
		t = store_str(c, 2);
		/* Looked up only when a kept receipt names a phone. */
		if (t[0] != '\0' && !have_phone) {
			if (msg_phone(s, id, phone, sizeof(phone)) == -1) {
				store_reset(c);
				return -1;
			}
			have_phone = 1;
		}
		if (t[0] != '\0' && !outbox_phone_same(t, phone))
			continue;	/* another message's, same id */
		found = 1;
		r = rcpt_state_from_text(store_str(c, 0));
		store_text(c, 1, rg, sizeof(rg));
		store_text(c, 2, rphone, sizeof(rphone));
	}
	store_reset(c);
	if (!found && rc != STORE_OK)
		return db_fail(s, "pending receipt");
	if (!found)
		return OUTBOX_RCPT_NONE;
	if (done(s, store_do(s, ST_RECEIPT_PENDING_DELETE, "sss", rg, msgid,
	    rphone), "pending receipt") == -1)
		return -1;
	return (int)r;
}

/* Inflight to accepted; msgid NULL for a concatenated message. 0, 1, -1. */
static int
accept_msg(struct store *s, int64_t id, const char *group, const char *msgid)
{
	if (done(s, store_do(s, ST_OUTBOX_ACCEPTED, "Itzs", id, clock_now(),
	    msgid, group), "accepted") == -1)
		return -1;
	return store_changes(s) == 1 ? 0 : 1;
}

/* Does msgid belong to another open message or part of group? 1, 0, -1. */
static int
msgid_reused(struct store *s, int64_t id, int part, const char *group,
    const char *msgid)
{
	int64_t	 any;
	int	 rc;

	/* Most ids are new: then no row need be read. */
	rc = store_one_i64(s, ST_OUTBOX_MSGID_SEEN, &any, "s", msgid);
	if (rc == STORE_OK)
		return 0;
	if (rc != STORE_ROW)
		return db_fail(s, "message id");
	rc = store_one_i64(s, ST_OUTBOX_MSGID_OPEN, &any, "ssIi", msgid,
	    group, id, part);
	if (rc != STORE_ROW && rc != STORE_OK)
		return db_fail(s, "message id");
	return rc == STORE_ROW;
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
	if (done(s, store_do(s, ST_OUTBOX_PART_ACCEPT, "Iists", id, part,
	    msgid, clock_now(), group), "part accepted") == -1)
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
	struct store_cur *c = store_cur(s, ST_OUTBOX_RETRY);
	time_t		 now = clock_now();
	int		 rc, failed = 0;

	(void)attempts;
	if (store_bind(c, "ItIit", id, (time_t)(now + backoff_s),
	    (int64_t)status, OUTBOX_ATTEMPTS_MAX, now) != STORE_OK)
		return db_fail(s, "retry");
	if ((rc = store_step(c)) == STORE_ROW)
		failed = strcmp(store_str(c, 0), "failed") == 0;
	while (rc == STORE_ROW)
		rc = store_step(c);
	store_reset(c);
	if (rc != STORE_OK)
		return db_fail(s, "retry");
	if (failed && callback_message_final(s, id) == -1)
		return db_fail(s, "message.final");
	return failed;
}

int
outbox_finish(struct store *s, int64_t id, const char *state,
    uint32_t status)
{
	if (strcmp(state, "rejected") != 0 && strcmp(state, "failed") != 0) {
		log_warnx("outbox_finish: %s is not a final failure", state);
		return -1;
	}
	if (done(s, store_do(s, ST_OUTBOX_FINISH, "IsIt", id, state,
	    (int64_t)status, clock_now()), "finish") == -1)
		return -1;
	return became_final(s, id);
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

/* Bind the id and group of k to c's ?1 and ?2. */
static int
bind_key(struct store_cur *c, const struct outbox_rcpt_key *k)
{
	return store_bind(c, "ss", k->msgid, k->group) == STORE_OK ? 0 : -1;
}

static int
phone_fits(const struct outbox_rcpt_key *k, struct store_cur *c, int col)
{
	if (k->phone == NULL || k->phone[0] == '\0')
		return 1;
	return !store_isnull(c, col) &&
	    outbox_phone_same(store_str(c, col), k->phone);
}

enum outbox_receipt_result
outbox_receipt_in(struct store *s, const struct outbox_rcpt_key *k,
    enum outbox_receipt_state r, int error, int64_t fits[2])
{
	struct rcpt_cand c[16];
	struct store_cur *cur;
	const char	*msgid = k->msgid;
	int		 rc, n = 0, known = 0;

	if (r == OUTBOX_RCPT_NONE)
		return OUTBOX_RCPT_DUPLICATE;
	cur = store_cur(s, ST_OUTBOX_RCPT_OPEN);
	if (bind_key(cur, k) == -1)
		goto fail;
	while ((rc = store_step(cur)) == STORE_ROW && n < (int)nitems(c)) {
		c[n].id = store_i64(cur, 0);
		c[n].part = store_int(cur, 1);
		c[n].phone_ok = phone_fits(k, cur, 2);
		c[n].at = (time_t)store_i64(cur, 3);
		n++;
	}
	store_reset(cur);
	if (rc != STORE_OK && rc != STORE_ROW)
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
	cur = store_cur(s, ST_OUTBOX_RCPT_KNOWN);
	if (bind_key(cur, k) == -1)
		goto fail;
	while (!known && (rc = store_step(cur)) == STORE_ROW)
		if (phone_fits(k, cur, 2)) {
			known = 1;
			log_debug("receipt msg=%lld part=%d smsc_id=%s "
			    "state=%s: a duplicate",
			    (long long)store_i64(cur, 0), store_int(cur, 1),
			    msgid, rcpt_state_text(r));
		}
	store_reset(cur);
	if (known)
		return OUTBOX_RCPT_DUPLICATE;
	if (rc != STORE_OK)
		goto fail;

	/* Its submit_sm_resp is not stored yet: keep it. */
	if (done(s, store_do(s, ST_RECEIPT_PENDING_PUT, "ssitss", msgid,
	    rcpt_state_text(r), error, clock_now(),
	    k->group != NULL ? k->group : "",
	    k->phone != NULL ? k->phone : ""), "receipt") == -1)
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
	if (done(s, store_do(s, ST_RECEIPT_PENDING_PRUNE, "t", before),
	    "prune receipts") == -1)
		return -1;
	return store_changes(s);
}

int64_t
outbox_cap_pending(struct store *s, int max)
{
	if (done(s, store_do(s, ST_RECEIPT_PENDING_CAP, "i", max),
	    "cap receipts") == -1)
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
	int64_t		 n = -1;

	if (store_one_i64(s, ST_OUTBOX_QUEUED, &n, "") != STORE_ROW)
		return db_fail(s, "queued");
	return n;
}

int64_t
outbox_data_version(struct store *s)
{
	int64_t		 v = -1;

	if (store_one_i64(s, ST_OUTBOX_DATA_VERSION, &v, "") != STORE_ROW)
		return db_fail(s, "data_version");
	return v;
}

int
outbox_gateway_tune(struct store *s)
{
	return store_tune_daemon(s);
}
