/*
 * disp: between the outbox and the bind. A message claimed from the
 * outbox is encoded once (smstext: UDH parts with esm_class 0x40) and
 * held in memory while its parts are outstanding; when the last part is
 * answered the message is accepted, rejected, or requeued with backoff as
 * a whole, and a retry sends only the parts the SMSC has not taken yet
 * (their concatenation reference comes from the message id, so the parts
 * still fit together). Every database write joins the turn's group commit.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "config.h"
#include "gw_batch.h"
#include "gw_disp.h"
#include "gw_esme.h"
#include "gw_metrics.h"
#include "ident.h"
#include "inbox.h"
#include "keywords.h"
#include "log.h"
#include "outbox.h"
#include "pdu.h"
#include "smsreasm.h"
#include "smstext.h"
#include "store.h"
#include "ussd.h"
#include "util.h"

#define TICK_MS			100	/* other processes' rows, due rows */
#define HOUSEKEEP_MS		10000	/* reassembly timeouts, pruning */
#define INBOX_BATCH		16
/* Replies to residents go before broadcasts (BROADCAST_PRIORITY -1). */
#define REPLY_PRIORITY		1
/* Messages held in memory beyond the window: parts waiting for room. */
#define MSGS_SLACK		64
/* USSD requests stored and waiting for their answer. */
#define USSD_QUEUE		256
/* An MO answered after this long (a long outage) gets no reply SMS. */
#define MO_REPLY_MAX_AGE_S	86400
#define INBOX_RETRY_S		5
#define MO_TIMES		256	/* arrival times kept for the metric */
#define DISP_MSGID_SIZE		65
/*
 * Another process may hold the write lock for seconds (a kiosk, munictl,
 * sqlite3). The loop waits this long for it, then carries on and retries:
 * a stalled loop would miss its response timers and resend what the SMSC
 * already took.
 */
#define DISP_BUSY_MS		50

_Static_assert(ESME_STATUS_TIMEOUT == OUTBOX_STATUS_TIMEOUT &&
    ESME_STATUS_LINK == OUTBOX_STATUS_LINK, "status codes differ");

/* One message being sent: the parts of this attempt and their fate. */
struct dmsg {
	TAILQ_ENTRY(dmsg) entry;
	int		 in_sendq;
	int64_t		 id;
	int		 attempts;	/* counting this one */
	int		 nparts;
	uint32_t	 todo;		/* parts still to send now */
	uint32_t	 taken;		/* parts the SMSC accepted */
	int		 outstanding;
	int		 has_transient;
	uint32_t	 transient;
	int		 has_perm;
	uint32_t	 perm;
	int		 db_error;
	int		 stashed;	/* in stashq, waiting for the database */
	uint32_t	 unstored;	/* parts taken, not yet written */
	char		(*ids)[DISP_MSGID_SIZE];	/* their message ids */
	time_t		 valid_until;
	uint8_t		 data_coding;
	uint8_t		 esm_class;
	char		 phone[IDENT_PHONE_SIZE];
	struct smstext_segment seg[];
};
TAILQ_HEAD(dmsgq, dmsg);

/*
 * A USSD request, stored in the inbox, to answer once committed. USSD is
 * a session: its answer goes straight to the bind, not through the
 * outbox, and is not retried (the network has moved on by then).
 */
struct ussd_req {
	int64_t		 inbox_id;
	int		 committed;
	enum ussd_op	 op;
	int		 has_session;
	uint16_t	 session;
	char		 from[24];
	char		 code[24];	/* the service code dialled, our source */
	size_t		 len;
	char		 text[SMSTEXT_DECODE_SIZE(PDU_SM_MAX)];
};

struct disp {
	struct event_base *base;
	struct store	*store;
	const struct config *cfg;
	struct batch	*batch;
	struct esme	*esme;
	char		 bind[32];

	/* settings from the configuration */
	int		 max_segments;
	int		 msgid_decimal;
	struct pdu_addr	 src;

	struct outbox_row *rows;	/* claim buffer, window rows */
	int		 nrows;
	struct smstext_msg enc;		/* encoding scratch */
	struct dmsgq	 sendq;		/* messages with parts to send */
	int		 nmsgs;
	int		 drained;	/* nothing ready when last asked */
	time_t		 next_due;	/* earliest row due later, 0 none */
	int64_t		 data_version;
	int		 need_recover;	/* inflight rows nobody holds */
	time_t		 recover_at;	/* after a failed recovery, 0 none */
	/*
	 * A commit failed (disk full, I/O error): until one succeeds again,
	 * rows are claimed only by the tick's probe, which commits the claim
	 * before a part goes out. Otherwise every reconnect would send the
	 * same window again with no state stored.
	 */
	int		 db_suspect;
	int		 probing;
	/*
	 * Parts the SMSC took whose state waits for the turn's commit. They
	 * keep their place in the window until then: a crash resends only
	 * what is outstanding or uncommitted, so at most a window.
	 */
	int		 uncommitted;
	int		 nunstored;	/* parts taken, waiting in stashq */
	struct dmsgq	 stashq;	/* done, but the database was busy */
	struct event	*pump_ev;	/* after a commit freed room */

	struct smsreasm_store rstore;
	struct smsreasm	*reasm;
	struct keywords_limiter *limiter;
	int64_t		 inbox_cursor;
	int		 inbox_pending;
	time_t		 inbox_retry_at;	/* after a failure, 0 none */
	struct {
		int64_t	 id;
		int64_t	 us;
	}		 mo_times[MO_TIMES];	/* by inbox id % MO_TIMES */
	struct inbox_row *inbox_rows;

	struct ussd_req	*ussd;		/* ring of USSD_QUEUE */
	size_t		 ussd_head, ussd_n;
	struct event	*ussd_ev;

	struct event	*tick_ev;
	struct event	*house_ev;
	struct event	*inbox_ev;
	int		 stopping;
	void		(*stop_done)(void *);
	void		*stop_arg;
};

static void	 disp_pump(struct disp *);

/*
 * Configuration.
 */

static void
esme_conf_from(const struct config *cfg, struct esme_conf *c)
{
	memset(c, 0, sizeof(*c));
	(void)util_strlcpy(c->name, "smsc", sizeof(c->name));
	(void)util_strlcpy(c->host, config_str(cfg, CFG_SMSC_HOST),
	    sizeof(c->host));
	c->port = (int)config_int(cfg, CFG_SMSC_PORT);
	(void)util_strlcpy(c->system_id, config_str(cfg, CFG_SMSC_SYSTEM_ID),
	    sizeof(c->system_id));
	(void)util_strlcpy(c->password, config_str(cfg, CFG_SMSC_PASSWORD),
	    sizeof(c->password));
	(void)util_strlcpy(c->system_type,
	    config_str(cfg, CFG_SMSC_SYSTEM_TYPE), sizeof(c->system_type));
	c->window = (int)config_int(cfg, CFG_SMSC_WINDOW);
	c->max_tps = (int)config_int(cfg, CFG_SMSC_MAX_TPS);
	c->enquire_link_s = (int)config_int(cfg, CFG_SMSC_ENQUIRE_LINK_S);
	c->reconnect_min_s = (int)config_int(cfg, CFG_SMSC_RECONNECT_MIN_S);
	c->reconnect_max_s = (int)config_int(cfg, CFG_SMSC_RECONNECT_MAX_S);
	c->response_timeout_s = (int)config_int(cfg,
	    CFG_SMSC_RESPONSE_TIMEOUT_S);
}

int
disp_check_config(const struct config *cfg, const char **errstr)
{
	struct pdu_addr	 a;
	const char	*src = config_str(cfg, CFG_SMSC_SOURCE_ADDR);

	if (src[0] != '\0' && pdu_addr_set(&a, src) == -1) {
		*errstr = "[smsc] source_addr is neither a phone number, a "
		    "short code nor an alphanumeric sender of up to 11";
		return -1;
	}
	if (config_bool(cfg, CFG_SMSC_TLS)) {
		*errstr = "[smsc] tls = yes is not supported yet";
		return -1;
	}
	if (config_int(cfg, CFG_SMSC_RECONNECT_MAX_S) <
	    config_int(cfg, CFG_SMSC_RECONNECT_MIN_S)) {
		*errstr = "[smsc] reconnect_max_s is below reconnect_min_s";
		return -1;
	}
	return 0;
}

static void
settings_from(struct disp *d, const struct config *cfg)
{
	const char	*src = config_str(cfg, CFG_SMSC_SOURCE_ADDR);

	d->cfg = cfg;
	d->max_segments = (int)config_int(cfg, CFG_SMS_MAX_SEGMENTS);
	if (d->max_segments > OUTBOX_PARTS_MAX)
		d->max_segments = OUTBOX_PARTS_MAX;
	d->msgid_decimal = strcmp(config_str(cfg, CFG_SMSC_MSG_ID_TYPE),
	    "decimal") == 0;
	memset(&d->src, 0, sizeof(d->src));
	if (src[0] != '\0' && pdu_addr_set(&d->src, src) == -1)
		fatalx("[smsc] source_addr: not an address");
	if (d->reasm != NULL)
		smsreasm_set_timeout(d->reasm, (int)config_int(cfg,
		    CFG_SMS_REASSEMBLY_TIMEOUT_S));
}

/*
 * Sending.
 */

static void
sendq_remove(struct disp *d, struct dmsg *m)
{
	if (!m->in_sendq)
		return;
	TAILQ_REMOVE(&d->sendq, m, entry);
	m->in_sendq = 0;
}

static unsigned
popcount(uint32_t v)
{
	unsigned n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

static uint32_t
all_parts(int n)
{
	return n >= 32 ? 0xffffffffU : (1U << n) - 1;
}

static void
dmsg_free(struct dmsg *m)
{
	free(m->ids);
	free(m);
}

/* Write the parts taken while the database was busy. 0, or -1. */
static int
store_unstored(struct disp *d, struct dmsg *m)
{
	uint32_t	 left = m->unstored;
	int		 k;

	if (batch_begin(d->batch) == -1)
		return -1;
	while (left != 0) {
		k = ffs((int)left) - 1;
		left &= ~(1U << k);
		if (outbox_part_accepted(d->store, m->id, k + 1, m->nparts,
		    m->ids[k]) == -1) {
			batch_fail(d->batch);
			return -1;
		}
	}
	m->taken |= m->unstored;
	d->uncommitted += (int)popcount(m->unstored);
	d->nunstored -= (int)popcount(m->unstored);
	m->unstored = 0;
	return 0;
}

/*
 * Done with this attempt: write where the message stands, forget it. When
 * the database cannot take it now, the message waits in stashq (still
 * counted in nmsgs, so no recovery requeues its row) and the tick tries
 * again: dropping it would send it twice or lose what the SMSC said.
 */
static void
finish(struct disp *d, struct dmsg *m)
{
	char	 masked[32];
	uint32_t st;
	long	 backoff;
	int	 r;

	sendq_remove(d, m);
	if ((m->unstored != 0 && store_unstored(d, m) == -1) ||
	    batch_begin(d->batch) == -1) {
		if (!m->stashed) {
			TAILQ_INSERT_TAIL(&d->stashq, m, entry);
			m->stashed = 1;
		}
		return;
	}
	if (m->stashed) {
		TAILQ_REMOVE(&d->stashq, m, entry);
		m->stashed = 0;
	}
	d->nmsgs--;
	if (!m->db_error && (m->taken & all_parts(m->nparts)) ==
	    all_parts(m->nparts)) {
		/* One part: accepted with its submit_sm_resp already. */
		if (m->nparts > 1 && outbox_accepted(d->store, m->id) == -1)
			batch_fail(d->batch);
		metrics_outcome("accepted", 1);
	} else if (m->has_perm && !m->db_error) {
		ident_phone_mask(m->phone, masked, sizeof(masked));
		log_info("message %lld to %s refused: %s", (long long)m->id,
		    masked, m->perm == OUTBOX_STATUS_ENCODE ?
		    "cannot be encoded" : pdu_status_name(m->perm));
		if (outbox_finish(d->store, m->id, m->perm ==
		    OUTBOX_STATUS_ENCODE ? "failed" : "rejected", m->perm) == -1)
			batch_fail(d->batch);
		metrics_outcome(m->perm == OUTBOX_STATUS_ENCODE ? "failed" :
		    "rejected", 1);
	} else {
		st = m->has_transient ? m->transient : OUTBOX_STATUS_LINK;
		backoff = outbox_backoff(st, m->attempts);
		r = outbox_retry(d->store, m->id, st, m->attempts, backoff);
		if (r == -1)
			batch_fail(d->batch);
		else if (r == 1) {
			log_warnx("message %lld failed after %d attempts (%s)",
			    (long long)m->id, m->attempts,
			    pdu_status_name(st));
			metrics_outcome("failed", 1);
		} else {
			metrics_outcome("requeued", 1);
			if (backoff == 0)
				d->drained = 0;
			else if (d->next_due == 0 ||
			    clock_now() + backoff < d->next_due)
				d->next_due = clock_now() + backoff;
		}
	}
	dmsg_free(m);
}

/* The messages that waited for the database, once more each. */
static void
stash_retry(struct disp *d)
{
	struct dmsgq	 q;
	struct dmsg	*m;

	TAILQ_INIT(&q);
	TAILQ_CONCAT(&q, &d->stashq, entry);
	TAILQ_FOREACH(m, &q, entry)
		m->stashed = 0;
	while ((m = TAILQ_FIRST(&q)) != NULL) {
		TAILQ_REMOVE(&q, m, entry);
		finish(d, m);
	}
}

static void
send_part(struct disp *d, struct dmsg *m)
{
	struct pdu	 p;
	const char	*err;
	time_t		 left;
	int		 k = ffs((int)m->todo) - 1;

	m->todo &= ~(1U << k);
	if (m->todo == 0)
		sendq_remove(d, m);
	pdu_init(&p, PDU_SUBMIT_SM, 0);
	p.src = d->src;
	if (pdu_addr_set(&p.dst, m->phone) == -1) {
		m->has_perm = 1;
		m->perm = PDU_RINVDSTADR;
		goto failed;
	}
	p.esm_class = m->esm_class;
	p.registered_delivery = PDU_REG_RECEIPT;
	p.data_coding = m->data_coding;
	if (m->valid_until != 0) {
		left = m->valid_until - clock_now();
		(void)pdu_time_relative(p.validity, sizeof(p.validity),
		    left > 0 ? (long)left : 1);
	}
	memcpy(p.data, m->seg[k].data, m->seg[k].len);
	p.data_len = m->seg[k].len;
	if (esme_submit(d->esme, &p, m, (unsigned)k, &err) == -1) {
		log_warnx("message %lld part %d: %s", (long long)m->id, k + 1,
		    err);
		m->has_perm = 1;
		m->perm = OUTBOX_STATUS_ENCODE;
		goto failed;
	}
	m->outstanding++;
	return;
failed:
	sendq_remove(d, m);
	if (m->outstanding == 0)
		finish(d, m);
}

enum start_result { START_OK, START_SKIP, START_NO_ROOM, START_ERROR };

/* Encode a claimed row and hold it; *plan is the room left to plan. */
static enum start_result
start(struct disp *d, const struct outbox_row *r, int *plan, int started)
{
	struct smstext_opts opts;
	struct dmsg	*m;
	const char	*err = "no text";
	uint32_t	 taken = 0, todo;
	int		 n, rc;

	memset(&opts, 0, sizeof(opts));
	opts.max_segments = d->max_segments;
	/* The same reference on every attempt, so retried parts fit. */
	opts.ref = (uint16_t)(r->id & 0xff);
	if (smstext_policy_parse(r->encoding, &opts.policy, &err) == -1 ||
	    smstext_encode(r->text, r->len, &opts, &d->enc, &err) == -1 ||
	    d->enc.nsegments == 0 || d->enc.nsegments > OUTBOX_PARTS_MAX) {
		log_warnx("message %lld cannot be sent: %s", (long long)r->id,
		    err);
		if (outbox_inflight(d->store, r->id, d->bind, 0) == -1 ||
		    outbox_finish(d->store, r->id, "failed",
		    OUTBOX_STATUS_ENCODE) == -1)
			return START_ERROR;
		metrics_outcome("failed", 1);
		return START_SKIP;
	}
	n = (int)d->enc.nsegments;
	if (r->attempts > 0 &&
	    outbox_parts_taken(d->store, r->id, &taken) == -1)
		return START_ERROR;
	todo = all_parts(n) & ~taken;
	if ((int)popcount(todo) > *plan && started)
		return START_NO_ROOM;
	if ((rc = outbox_inflight(d->store, r->id, d->bind,
	    esme_seq_peek(d->esme))) == -1)
		return START_ERROR;
	if (rc == 1)
		return START_SKIP;
	if (todo == 0) {
		/* Every part was taken before a crash: nothing to send. */
		if (outbox_accepted(d->store, r->id) == -1)
			return START_ERROR;
		return START_SKIP;
	}
	m = xcalloc(1, sizeof(*m) + (size_t)n * sizeof(m->seg[0]));
	m->id = r->id;
	m->attempts = r->attempts + 1;
	m->nparts = n;
	m->todo = todo;
	m->taken = taken;
	m->valid_until = r->valid_until;
	m->data_coding = d->enc.data_coding;
	m->esm_class = d->enc.esm_class;
	(void)util_strlcpy(m->phone, r->phone, sizeof(m->phone));
	memcpy(m->seg, d->enc.seg, (size_t)n * sizeof(m->seg[0]));
	TAILQ_INSERT_TAIL(&d->sendq, m, entry);
	m->in_sendq = 1;
	d->nmsgs++;
	*plan -= (int)popcount(todo);
	return START_OK;
}

static void
disp_pump(struct disp *d)
{
	struct dmsg	*m;
	time_t		 due;
	int		 room, n, i, nexp, plan, started;

	if (d->stopping || !esme_is_up(d->esme))
		return;
	room = esme_room(d->esme) - d->uncommitted - d->nunstored;
	while (room > 0) {
		while (room > 0 && (m = TAILQ_FIRST(&d->sendq)) != NULL) {
			send_part(d, m);
			room--;
		}
		if (room == 0 || d->drained ||
		    d->nmsgs >= d->nrows + MSGS_SLACK ||
		    (d->db_suspect && !d->probing))
			break;
		if (batch_begin(d->batch) == -1)
			break;
		n = outbox_claim(d->store, clock_now(), d->rows,
		    room < d->nrows ? room : d->nrows, &nexp, &due);
		if (nexp > 0)
			metrics_outcome("expired", (uint64_t)nexp);
		if (n == -1) {
			batch_fail(d->batch);
			break;
		}
		if (n < (room < d->nrows ? room : d->nrows)) {
			d->drained = 1;
			d->next_due = due;
		}
		plan = room;
		started = 0;
		for (i = 0; i < n; i++) {
			switch (start(d, &d->rows[i], &plan, started)) {
			case START_OK:
				started = 1;
				continue;
			case START_SKIP:
				continue;
			case START_NO_ROOM:
				break;
			case START_ERROR:
				batch_fail(d->batch);
				goto out;
			}
			break;
		}
		if (i < n)
			d->drained = 0;	/* claimed but not started */
		if (d->probing) {
			/*
			 * The claim is on disk before a part of it goes out.
			 * A failure resets the link (after_commit): what was
			 * started goes back unsent through on_down.
			 */
			d->probing = 0;
			if (batch_flush(d->batch) == -1)
				return;
			if (n == 0)
				break;	/* nothing written: not proof yet */
			log_info("the database takes writes again");
			d->db_suspect = 0;
			continue;
		}
		if (n == 0)
			break;
	}
out:
	if (d->probing) {
		/* A failed probe: roll back now, before anything is sent. */
		d->probing = 0;
		(void)batch_flush(d->batch);
		return;
	}
	esme_flush(d->esme);
}

/*
 * The bind's callbacks.
 */

static void
on_up(void *arg)
{
	struct disp	*d = arg;

	d->drained = 0;
	disp_pump(d);
}

static void
on_down(void *arg)
{
	struct disp	*d = arg;
	struct dmsg	*m;

	/* Every outstanding part was reported: what waits goes back. */
	while ((m = TAILQ_FIRST(&d->sendq)) != NULL) {
		m->has_transient = 1;
		m->transient = OUTBOX_STATUS_LINK;
		if (m->outstanding == 0)
			finish(d, m);
		else
			sendq_remove(d, m);
	}
}

static void
on_room(void *arg)
{
	struct disp	*d = arg;

	if (d->ussd_n > 0)
		event_active(d->ussd_ev, EV_TIMEOUT, 0);
	disp_pump(d);
}

static void
on_resp(void *arg, void *ctx, unsigned tag, uint32_t status,
    const char *msgid, int64_t latency_us)
{
	struct disp	*d = arg;
	struct dmsg	*m = ctx;
	char		 id[65], masked[32];

	(void)latency_us;
	if (m == NULL)
		return;		/* an answer outside the outbox (USSD) */
	m->outstanding--;
	if (status == PDU_ROK) {
		if (outbox_msgid_norm(msgid, 0, id, sizeof(id)) == -1) {
			ident_phone_mask(m->phone, masked, sizeof(masked));
			log_warnx("message %lld to %s: the SMSC gave no usable "
			    "message id: receipts cannot be matched",
			    (long long)m->id, masked);
			id[0] = '\0';
		}
		if (batch_begin(d->batch) == -1) {
			/* Busy: kept here until the database takes it. */
			if (m->ids == NULL)
				m->ids = xcalloc((size_t)m->nparts,
				    sizeof(*m->ids));
			(void)util_strlcpy(m->ids[tag], id, sizeof(m->ids[tag]));
			m->unstored |= 1U << tag;
			d->nunstored++;
		} else if (outbox_part_accepted(d->store, m->id, (int)tag + 1,
		    m->nparts, id) == -1) {
			batch_fail(d->batch);
			m->db_error = 1;
		} else {
			m->taken |= 1U << tag;
			d->uncommitted++;
		}
	} else if (outbox_transient(status)) {
		m->has_transient = 1;
		m->transient = status;
		/* Throttled or worse: the rest waits for the retry. */
		sendq_remove(d, m);
	} else {
		if (!m->has_perm) {
			m->has_perm = 1;
			m->perm = status;
		}
		sendq_remove(d, m);
	}
	if (m->outstanding == 0 && !m->in_sendq)
		finish(d, m);
}

static void
answer_cb(void *arg, int committed, uint64_t gen, uint64_t cmdseq)
{
	struct disp	*d = arg;

	esme_respond(d->esme, gen, (uint32_t)(cmdseq >> 32),
	    (uint32_t)cmdseq, committed ? PDU_ROK : PDU_RX_T_APPN);
}

static int
defer_answer(struct disp *d, const struct pdu *p, uint64_t gen)
{
	batch_defer(d->batch, answer_cb, d, gen,
	    ((uint64_t)p->cmd << 32) | p->seq);
	return ESME_DEFER;
}

static int
on_receipt(struct disp *d, const struct pdu *p, uint64_t gen)
{
	struct pdu_receipt rc;
	enum outbox_receipt_state rs;
	enum outbox_receipt_result res;
	const char	*err;
	char		 id[65];
	int		 state = 0, error = 0, have_id = 0, parsed = -1;

	if ((p->opt & PDU_OPT_RECEIPTED_ID) &&
	    p->receipted_message_id[0] != '\0')
		have_id = outbox_msgid_norm(p->receipted_message_id, 0, id,
		    sizeof(id)) == 0;
	if (p->opt & PDU_OPT_MSG_STATE)
		state = p->message_state;
	if (p->opt & PDU_OPT_NET_ERROR)
		error = p->network_error_code[1] << 8 |
		    p->network_error_code[2];
	if (!have_id || state == 0) {
		/* The text form: id:… stat:… err:… */
		if ((parsed = pdu_receipt_parse(p->data, p->data_len, &rc,
		    &err)) == 0) {
			if (!have_id)
				have_id = outbox_msgid_norm(rc.id,
				    d->msgid_decimal, id, sizeof(id)) == 0;
			if (state == 0)
				state = rc.state;
			if (error == 0)
				error = (int)rc.err;
		}
	}
	if (!have_id || state == 0) {
		log_warnx("a receipt without %s: ignored",
		    have_id ? "a state" : "a message id");
		metrics_receipt("unreadable");
		return PDU_ROK;
	}
	rs = outbox_receipt_state(state);
	if (rs == OUTBOX_RCPT_NONE) {
		metrics_receipt("intermediate");
		return PDU_ROK;
	}
	if (batch_begin(d->batch) == -1)
		return PDU_RX_T_APPN;
	res = outbox_receipt(d->store, id, rs, error);
	if (res == OUTBOX_RCPT_ERROR) {
		batch_fail(d->batch);
		return PDU_RX_T_APPN;
	}
	if (res == OUTBOX_RCPT_PENDING)
		metrics_receipt_pending();
	metrics_receipt(res == OUTBOX_RCPT_DUPLICATE ? "duplicate" :
	    outbox_receipt_name(rs));
	return defer_answer(d, p, gen);
}

/* Store an MO: 0, or -1 when the turn must be rolled back. */
static int
store_mo(struct disp *d, enum inbox_kind kind, const char *src,
    const char *dst, uint8_t dc, const uint8_t *body, size_t body_len,
    const char *text, size_t text_len)
{
	struct inbox_msg im;
	int64_t		 id;

	memset(&im, 0, sizeof(im));
	im.source = src;
	im.dest = dst;
	im.kind = kind;
	im.data_coding = dc;
	im.body = body;
	im.body_len = body_len;
	im.text = text;
	im.text_len = text_len;
	if ((id = inbox_insert(d->store, &im)) == -1)
		return -1;
	d->mo_times[id % MO_TIMES].id = id;
	d->mo_times[id % MO_TIMES].us = clock_mono_us();
	metrics_mo(kind == INBOX_USSD ? "ussd" : "sms");
	if (kind == INBOX_SMS)
		d->inbox_pending = 1;
	return 0;
}

/* Store a USSD request and queue its answer for after the commit. */
static int
ussd_queue(struct disp *d, const struct pdu *p, const char *src,
    const char *dst, const struct smstext_mo *mo)
{
	struct inbox_msg im;
	struct ussd_req	*u;
	int64_t		 id;

	if (d->ussd_n == USSD_QUEUE) {
		log_warnx("USSD: %d requests waiting: refusing more",
		    USSD_QUEUE);
		return -1;
	}
	memset(&im, 0, sizeof(im));
	im.source = src;
	im.dest = dst;
	im.kind = INBOX_USSD;
	im.data_coding = p->data_coding;
	im.body = p->data;
	im.body_len = p->data_len;
	im.text = mo->readable ? mo->text : NULL;
	im.text_len = mo->len;
	if ((id = inbox_insert(d->store, &im)) == -1)
		return -1;
	metrics_mo("ussd");
	u = &d->ussd[(d->ussd_head + d->ussd_n++) % USSD_QUEUE];
	memset(u, 0, sizeof(*u));
	u->inbox_id = id;
	if (!(p->opt & PDU_OPT_USSD_OP))
		u->op = mo->text[0] == '*' ? USSD_OP_OPEN : USSD_OP_ANSWER;
	else if (p->ussd_service_op == PDU_USSD_PSSR_IND)
		u->op = USSD_OP_OPEN;
	else if (p->ussd_service_op == PDU_USSD_USSR_CONF)
		u->op = USSD_OP_ANSWER;
	else
		u->op = USSD_OP_ABORT;	/* a release or a vendor's abort */
	if (p->opt & PDU_OPT_ITS_SESSION) {
		u->has_session = 1;
		u->session = p->its_session_info;
	}
	(void)util_strlcpy(u->from, src, sizeof(u->from));
	(void)util_strlcpy(u->code, dst, sizeof(u->code));
	if (mo->readable && mo->len < sizeof(u->text)) {
		memcpy(u->text, mo->text, mo->len);
		u->len = mo->len;
	}
	u->text[u->len] = '\0';
	return 0;
}

/* Answer one USSD request: 0 done, 1 no room on the bind yet. */
static int
ussd_answer(struct disp *d, struct ussd_req *u)
{
	static struct ussd_reply reply;
	struct smstext_opts opts;
	struct pdu	 p;
	char		 session[8], masked[32];
	const char	*err;
	int		 rc;

	if (esme_room(d->esme) == 0 && esme_is_up(d->esme))
		return 1;
	(void)util_snprintf(session, sizeof(session), "%u", u->session);
	if (store_begin(d->store) == -1)
		return 1;
	rc = ussd_handle(d->store, d->cfg, u->from,
	    u->has_session ? session : "", u->op, u->text, u->len, &reply);
	if (rc == -1) {
		/* Undone; reply holds an apology that ends the session. */
		store_rollback(d->store);
		if (store_begin(d->store) == -1)
			return 1;
		rc = 1;
	}
	if (inbox_done(d->store, u->inbox_id) == -1 ||
	    store_commit(d->store) == -1) {
		store_rollback(d->store);
		return 1;
	}
	if (rc == 0)
		return 0;
	memset(&opts, 0, sizeof(opts));
	if (smstext_policy_parse(config_str(d->cfg, CFG_SMS_ENCODING),
	    &opts.policy, &err) == -1)
		opts.policy = SMSTEXT_AUTO;
	pdu_init(&p, PDU_SUBMIT_SM, 0);
	(void)util_strlcpy(p.service_type, "USSD", sizeof(p.service_type));
	ident_phone_mask(u->from, masked, sizeof(masked));
	if (smstext_encode_ussd(reply.text, strlen(reply.text), &opts,
	    &d->enc, &err) == -1) {
		log_warnx("USSD answer to %s not sent: %s", masked, err);
		return 0;
	}
	if (pdu_addr_set(&p.src, u->code) == -1 ||
	    pdu_addr_set(&p.dst, u->from) == -1) {
		log_warnx("USSD answer to %s not sent: bad address", masked);
		return 0;
	}
	p.data_coding = d->enc.data_coding;
	memcpy(p.data, d->enc.seg[0].data, d->enc.seg[0].len);
	p.data_len = d->enc.seg[0].len;
	p.opt = PDU_OPT_USSD_OP;
	p.ussd_service_op = reply.end ? PDU_USSD_PSSR_RESP :
	    PDU_USSD_USSR_REQ;
	if (u->has_session) {
		p.opt |= PDU_OPT_ITS_SESSION;
		p.its_session_info = u->session;
	}
	if (esme_submit(d->esme, &p, NULL, 0, &err) == -1)
		log_warnx("USSD answer to %s not sent: %s", masked, err);
	return 0;
}

static void
ussd_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	struct ussd_req	*u;

	(void)fd;
	(void)ev;
	if (batch_open(d->batch) && batch_flush(d->batch) == -1)
		return;
	while (d->ussd_n > 0) {
		u = &d->ussd[d->ussd_head];
		if (!u->committed || ussd_answer(d, u) == 1)
			break;
		d->ussd_head = (d->ussd_head + 1) % USSD_QUEUE;
		d->ussd_n--;
	}
	esme_flush(d->esme);
}

static int
on_mo(struct disp *d, const struct pdu *p, uint64_t gen)
{
	static struct smstext_mo mo;
	struct smsreasm_part part;
	struct smsreasm_msg out;
	enum smsreasm_result res;
	const char	*err;
	char		 src[72], dst[72];
	int		 concat = 0, ussd;

	if (pdu_addr_format(&p->src, src, sizeof(src)) == -1 ||
	    pdu_addr_format(&p->dst, dst, sizeof(dst)) == -1)
		return PDU_RINVSRCADR;
	ussd = strcmp(p->service_type, "USSD") == 0 ||
	    (p->opt & PDU_OPT_USSD_OP);
	if (smstext_decode(p->data_coding, (p->esm_class & PDU_ESM_UDHI) != 0,
	    p->data, p->data_len, &mo, &err) == -1) {
		log_warnx("MO refused: %s", err);
		return PDU_RX_P_APPN;
	}
	if (batch_begin(d->batch) == -1)
		return PDU_RX_T_APPN;
	if (ussd) {
		if (ussd_queue(d, p, src, dst, &mo) == -1)
			goto fail;
		return defer_answer(d, p, gen);
	}
	memset(&part, 0, sizeof(part));
	if (mo.concat.present && mo.concat.total > 1)
		concat = smsreasm_key_set(&part.key, src, dst, mo.concat.ref,
		    mo.concat.ref_bits, mo.concat.total, &err) == 0;
	else if ((p->opt & PDU_OPT_SAR) && p->sar_total_segments > 1) {
		concat = smsreasm_key_set(&part.key, src, dst,
		    p->sar_msg_ref_num, 16, p->sar_total_segments, &err) == 0;
		mo.concat.seq = p->sar_segment_seqnum;
	}
	if (!concat) {
		if (store_mo(d, INBOX_SMS, src, dst, p->data_coding, p->data,
		    p->data_len, mo.readable ? mo.text : NULL, mo.len) == -1)
			goto fail;
		return defer_answer(d, p, gen);
	}
	part.seq = mo.concat.seq;
	part.data_coding = p->data_coding;
	part.ud = p->data + mo.ud_offset;
	part.ud_len = mo.ud_len;
	res = smsreasm_add(d->reasm, &part, &out, &err);
	switch (res) {
	case SMSREASM_ERROR:
		log_warnx("MO part: %s", err);
		goto fail;
	case SMSREASM_COMPLETE:
		if (store_mo(d, INBOX_SMS, src, dst, p->data_coding,
		    (const uint8_t *)out.text, out.len,
		    out.readable ? out.text : NULL, out.len) == -1) {
			smsreasm_msg_clear(&out);
			goto fail;
		}
		smsreasm_msg_clear(&out);
		break;
	default:
		metrics_mo("part");
		break;
	}
	return defer_answer(d, p, gen);
fail:
	/* Parts may have left mo_parts: the whole turn goes back. */
	batch_fail(d->batch);
	return PDU_RX_T_APPN;
}

static int
on_deliver(void *arg, const struct pdu *p, uint64_t gen)
{
	struct disp	*d = arg;
	uint8_t		 type = p->esm_class & PDU_ESM_TYPE_MASK;

	/* 0x04 SMSC delivery receipt, 0x08 SME ack, 0x20 intermediate. */
	if (type == PDU_ESM_RECEIPT || type == 0x08 || type == 0x20)
		return on_receipt(d, p, gen);
	return on_mo(d, p, gen);
}

/*
 * A read without deliver_sm while answers wait: the SMSC has likely used
 * up its window of deliver_sm and waits for us, or is quiet. Either way
 * waiting longer for the batch to fill gains nothing.
 */
static void
on_read_end(void *arg, int delivers)
{
	struct disp	*d = arg;

	if (delivers == 0 && batch_deferred(d->batch) > 0)
		batch_commit_soon(d->batch);
}

static void
after_commit(void *arg, int ok)
{
	struct disp	*d = arg;
	size_t		 i;

	esme_flush(d->esme);
	if (d->uncommitted > 0) {
		d->uncommitted = 0;
		event_active(d->pump_ev, EV_TIMEOUT, 0);
	}
	if (!ok) {
		/* Memory and disk disagree now: start the link afresh. */
		d->need_recover = 1;
		d->db_suspect = 1;
		/* The USSD requests of the failed turn are not stored. */
		for (i = d->ussd_n; i > 0; i--)
			if (!d->ussd[(d->ussd_head + i - 1) %
			    USSD_QUEUE].committed)
				d->ussd_n--;
		esme_reset(d->esme, "the database refused a commit");
		return;
	}
	if (d->inbox_pending) {
		d->inbox_pending = 0;
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	}
	if (d->ussd_n > 0) {
		for (i = 0; i < d->ussd_n; i++)
			d->ussd[(d->ussd_head + i) % USSD_QUEUE].committed = 1;
		event_active(d->ussd_ev, EV_TIMEOUT, 0);
	}
}

/*
 * MO to the keyword services, one transaction each: they commit their
 * own work and a failure in one must not undo the others.
 */
static int
answer_mo(struct disp *d, const struct inbox_row *r)
{
	static char	 reply[KEYWORDS_REPLY_SIZE];
	struct keywords_opts ko;
	struct keywords_result kr;
	struct outbox_msg om;
	const char	*err;
	char		 masked[32];
	int		 rc;

	memset(&ko, 0, sizeof(ko));
	ko.duty_numbers = config_str(d->cfg, CFG_SERVICES_POLICE_DUTY_NUMBERS);
	if (ko.duty_numbers[0] == '\0')
		ko.duty_numbers = NULL;
	ko.limiter = d->limiter;
	if (store_begin(d->store) == -1)
		return -1;
	rc = keywords_handle(d->store, d->cfg, r->source, r->text, r->len,
	    &ko, reply, sizeof(reply), &kr);
	if (rc == -1) {
		/* Its work is undone; the apology in reply still goes. */
		store_rollback(d->store);
		if (store_begin(d->store) == -1)
			return -1;
		rc = 1;
	}
	if (rc == 1 && clock_now() - r->received_at > MO_REPLY_MAX_AGE_S) {
		/* Its command is done; a reply this late would confuse. */
		ident_phone_mask(r->source, masked, sizeof(masked));
		log_info("MO %lld from %s answered without a reply: a day old",
		    (long long)r->id, masked);
		rc = 0;
	}
	if (rc == 1) {
		memset(&om, 0, sizeof(om));
		om.phone = r->source;
		om.text = reply;
		om.encoding = config_str(d->cfg, CFG_SMS_ENCODING);
		om.priority = REPLY_PRIORITY;
		if (outbox_enqueue(d->store, &om, &err) == -1) {
			ident_phone_mask(r->source, masked, sizeof(masked));
			log_warnx("reply to %s not queued: %s", masked, err);
		} else if (d->mo_times[r->id % MO_TIMES].id == r->id)
			metrics_mo_reply(clock_mono_us() -
			    d->mo_times[r->id % MO_TIMES].us);
		else
			metrics_mo_reply((int64_t)(clock_now() -
			    r->received_at) * 1000000);
	}
	if (inbox_done(d->store, r->id) == -1) {
		store_rollback(d->store);
		return -1;
	}
	return store_commit(d->store);
}

static void
inbox_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	int		 n, i;

	(void)fd;
	(void)ev;
	if (d->stopping)
		return;
	/* The services run their own transactions: close ours first. */
	if (batch_flush(d->batch) == -1)
		return;
	n = inbox_unprocessed(d->store, d->inbox_cursor, d->inbox_rows,
	    INBOX_BATCH);
	for (i = 0; i < n; i++) {
		if (answer_mo(d, &d->inbox_rows[i]) == -1) {
			log_warnx("MO %lld not answered yet: retrying in %d s",
			    (long long)d->inbox_rows[i].id, INBOX_RETRY_S);
			d->inbox_retry_at = clock_now() + INBOX_RETRY_S;
			return;
		}
		d->inbox_cursor = d->inbox_rows[i].id;
	}
	if (n == INBOX_BATCH)
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	if (n > 0) {
		d->drained = 0;
		disp_pump(d);
	}
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	int64_t		 v;

	(void)fd;
	(void)ev;
	if (d->stopping)
		return;
	/* Rows committed by munictl, the kiosk or a broadcast. */
	if ((v = outbox_data_version(d->store)) != -1 &&
	    v != d->data_version) {
		d->data_version = v;
		d->drained = 0;
	}
	if (d->drained && d->next_due != 0 && clock_now() >= d->next_due)
		d->drained = 0;
	if (!TAILQ_EMPTY(&d->stashq))
		stash_retry(d);
	if (d->inbox_retry_at != 0 && clock_now() >= d->inbox_retry_at) {
		d->inbox_retry_at = 0;
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	}
	if (d->need_recover && d->nmsgs == 0 && !batch_open(d->batch) &&
	    esme_outstanding(d->esme) == 0 && clock_now() >= d->recover_at) {
		if (outbox_recover(d->store) != -1) {
			d->need_recover = 0;
			d->recover_at = 0;
			d->drained = 0;
		} else
			d->recover_at = clock_now() + 1;	/* once a second */
	}
	if (d->db_suspect && !d->drained && esme_is_up(d->esme) &&
	    d->nmsgs == 0 && esme_outstanding(d->esme) == 0 &&
	    (!batch_open(d->batch) || batch_flush(d->batch) == 0)) {
		/* Here, not inside a bind callback: a failure resets it. */
		d->probing = 1;
		disp_pump(d);
		return;
	}
	if (!d->drained)
		disp_pump(d);
}

static void
pump_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	disp_pump(arg);
}

static void
house_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	struct smsreasm_msg out;
	char		 masked[32];
	int		 r;

	(void)fd;
	(void)ev;
	if (d->stopping || batch_begin(d->batch) == -1)
		return;
	/* Parts that waited too long go in with their gaps marked. */
	while ((r = smsreasm_expire(d->reasm, &out)) == 1) {
		ident_phone_mask(out.key.src, masked, sizeof(masked));
		log_info("MO from %s released incomplete (%u of %u parts)",
		    masked, out.received, (unsigned)out.key.total);
		r = store_mo(d, INBOX_SMS, out.key.src, out.key.dst, 0,
		    (const uint8_t *)out.text, out.len,
		    out.readable ? out.text : NULL, out.len);
		smsreasm_msg_clear(&out);
		if (r == -1)
			break;
	}
	if (r == -1 || outbox_prune_pending(d->store, clock_now() -
	    OUTBOX_PENDING_KEEP_S) == -1 || ussd_expire(d->store, d->cfg) == -1)
		batch_fail(d->batch);
}

/*
 * The interface.
 */

struct disp *
disp_new(struct event_base *base, struct store *s, const struct config *cfg)
{
	static const struct esme_ops ops = {
		.up = on_up,
		.down = on_down,
		.room = on_room,
		.resp = on_resp,
		.deliver = on_deliver,
		.read_end = on_read_end,
	};
	struct disp	*d = xcalloc(1, sizeof(*d));
	struct esme_conf ec;
	struct timeval	 tv;
	const char	*err;

	if (disp_check_config(cfg, &err) == -1)
		fatalx("%s", err);
	d->base = base;
	d->store = s;
	TAILQ_INIT(&d->sendq);
	TAILQ_INIT(&d->stashq);
	smsreasm_db_store(s, &d->rstore);
	d->reasm = smsreasm_new(&d->rstore, (int)config_int(cfg,
	    CFG_SMS_REASSEMBLY_TIMEOUT_S));
	settings_from(d, cfg);
	esme_conf_from(cfg, &ec);
	(void)util_strlcpy(d->bind, ec.name, sizeof(d->bind));
	d->nrows = ESME_WINDOW_MAX;
	d->rows = xcalloc((size_t)d->nrows, sizeof(*d->rows));
	d->inbox_rows = xcalloc(INBOX_BATCH, sizeof(*d->inbox_rows));
	d->ussd = xcalloc(USSD_QUEUE, sizeof(*d->ussd));
	d->limiter = keywords_limiter_new((int)config_int(cfg,
	    CFG_SERVICES_REPLIES_PER_HOUR), 0);
	d->batch = batch_new(base, s);
	batch_set_done(d->batch, after_commit, d);
	d->esme = esme_new(base, &ec, &ops, d);
	if ((d->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, d)) ==
	    NULL ||
	    (d->house_ev = event_new(base, -1, EV_PERSIST, house_cb, d)) ==
	    NULL ||
	    (d->inbox_ev = event_new(base, -1, 0, inbox_cb, d)) == NULL ||
	    (d->ussd_ev = event_new(base, -1, 0, ussd_cb, d)) == NULL ||
	    (d->pump_ev = event_new(base, -1, 0, pump_cb, d)) == NULL)
		fatalx("disp: event_new");
	tv.tv_sec = 0;
	tv.tv_usec = TICK_MS * 1000;
	if (event_add(d->tick_ev, &tv) == -1)
		fatalx("disp: event_add");
	tv.tv_sec = HOUSEKEEP_MS / 1000;
	tv.tv_usec = 0;
	if (event_add(d->house_ev, &tv) == -1)
		fatalx("disp: event_add");
	return d;
}

void
disp_free(struct disp *d)
{
	struct dmsg	*m;

	if (d == NULL)
		return;
	/* Stopped in haste (a second signal): requeue what is held. */
	d->stopping = 1;
	esme_reset(d->esme, "exiting");
	while ((m = TAILQ_FIRST(&d->sendq)) != NULL) {
		sendq_remove(d, m);
		dmsg_free(m);
	}
	/* Rows still inflight: the next start requeues them. */
	while ((m = TAILQ_FIRST(&d->stashq)) != NULL) {
		TAILQ_REMOVE(&d->stashq, m, entry);
		dmsg_free(m);
	}
	/* The last commit's answers still go through the bind. */
	batch_free(d->batch);
	esme_free(d->esme);
	event_free(d->tick_ev);
	event_free(d->house_ev);
	event_free(d->inbox_ev);
	event_free(d->ussd_ev);
	event_free(d->pump_ev);
	smsreasm_free(d->reasm);
	keywords_limiter_free(d->limiter);
	free(d->rows);
	free(d->inbox_rows);
	free(d->ussd);
	free(d);
}

void
disp_start(struct disp *d)
{
	int64_t	 n;

	if (store_busy_timeout(d->store, DISP_BUSY_MS) == -1)
		log_warnx("cannot set the database's busy timeout");
	if (outbox_gateway_tune(d->store) == -1)
		log_warnx("database tuning failed: running with the defaults");
	if ((n = outbox_recover(d->store)) == -1)
		fatalx("cannot requeue the messages left inflight");
	if (n > 0)
		log_info("%lld messages left inflight are queued again "
		    "(a few may reach their phones twice)", (long long)n);
	d->data_version = outbox_data_version(d->store);
	/* MO stored but not answered before a stop. */
	event_active(d->inbox_ev, EV_TIMEOUT, 0);
	esme_start(d->esme);
}

int
disp_reload(struct disp *d, const struct config *cfg, const char **errstr)
{
	struct esme_conf ec;

	if (disp_check_config(cfg, errstr) == -1)
		return -1;
	settings_from(d, cfg);
	esme_conf_from(cfg, &ec);
	if (esme_reconfigure(d->esme, &ec))
		log_info("%s: the SMSC settings changed: rebinding", d->bind);
	d->drained = 0;
	return 0;
}

static void
stopped(void *arg)
{
	struct disp	*d = arg;

	/* What the SMSC took while the database was busy: a last try. */
	if (!TAILQ_EMPTY(&d->stashq))
		stash_retry(d);
	if (batch_flush(d->batch) == -1)
		log_warnx("the last commit failed: the next start requeues");
	if (d->stop_done != NULL)
		d->stop_done(d->stop_arg);
}

void
disp_stop(struct disp *d, void (*done)(void *), void *arg)
{
	if (d->stopping)
		return;
	d->stopping = 1;
	d->stop_done = done;
	d->stop_arg = arg;
	esme_stop(d->esme, 5000, stopped, d);
}

int
disp_up(const struct disp *d)
{
	return esme_is_up(d->esme);
}

void
disp_gauges(struct disp *d, struct metrics_gauges *g)
{
	memset(g, 0, sizeof(*g));
	g->queued = outbox_queued(d->store);
	g->inflight = esme_outstanding(d->esme);
	g->binds_up = esme_is_up(d->esme);
	g->tps_limit = esme_tps(d->esme);
	g->messages = d->nmsgs;
	g->commits = batch_commits(d->batch);
}
