/*
 * disp: between the outbox and the binds. Each claim of rows goes to the
 * bind with the fewest outstanding PDUs among those up (gw_pick), so a
 * bind that is down or slow gets nothing or less, and its requeued rows
 * go out on the others. A message claimed from the outbox is encoded
 * once (smstext: UDH parts with esm_class 0x40, or one message_payload on
 * a bind with long_mode = payload) and held in memory, on the bind it was
 * given to, while its parts are outstanding; when the last part is
 * answered the message is accepted, rejected, or requeued with backoff as
 * a whole, and a retry sends only the parts the SMSC has not taken yet
 * (their concatenation reference comes from the message id, so the parts
 * still fit together). Every database write joins the turn's group commit.
 *
 * This room is MT sending (claim, send, results, quiet hours, the pick of
 * a bind) and the dispatcher's life (timers, the commit's aftermath, start
 * and stop). The other rooms share struct disp through gw_disp_priv.h:
 * gw_binds.c (the binds' configuration, callbacks, receipts and reload),
 * gw_mo.c (MO to the keyword services) and gw_ussd.c (USSD sessions).
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "broadcast.h"
#include "config.h"
#include "gw_batch.h"
#include "gw_disp.h"
#include "gw_disp_priv.h"
#include "gw_esme.h"
#include "gw_metrics.h"
#include "gw_pick.h"
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
#define SETTLE_TICKS		10	/* broadcast states, once a second */
#define HOUSEKEEP_MS		10000	/* reassembly timeouts, pruning */
/* Messages held in memory beyond the window: parts waiting for room. */
#define MSGS_SLACK		64
/*
 * Another process may hold the write lock for seconds (a kiosk, munictl,
 * sqlite3). The loop waits this long for it, then carries on and retries:
 * a stalled loop would miss its response timers and resend what the SMSC
 * already took.
 */
#define DISP_BUSY_MS		50
#define QUEUED_TTL_US	(5 * 1000000)	/* the queue depth gauge's age */

_Static_assert(ESME_STATUS_TIMEOUT == OUTBOX_STATUS_TIMEOUT &&
    ESME_STATUS_LINK == OUTBOX_STATUS_LINK, "status codes differ");

/*
 * Sending. Every step of a message is logged as key=value words with its
 * outbox id (msg=), so `grep 'msg=42 '` follows it from the submit to its
 * receipt: submit (seq=), resp (status=, smsc_id=), the outcome (state=),
 * and the receipt (common/outbox.c: smsc_id=, state=).
 */

/* A masked phone as one word, for to= in key=value log lines. */
const char *
disp_log_phone(const char *e164, char *buf, size_t size)
{
	char	*r, *w;

	ident_phone_mask(e164, buf, size);
	for (r = w = buf; *r != '\0'; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
	return buf;
}

/*
 * An answer's handler failed inside its savepoint (MO, USSD): undo its work
 * and open a fresh savepoint for what still goes out (the apology its reply
 * holds). -1 when that cannot be done, with *lost set when the batch's
 * transaction itself is gone.
 */
int
disp_savepoint_again(struct disp *d, int *lost)
{
	if (store_savepoint_end(d->store, 0) == -1) {
		*lost = 1;
		return -1;
	}
	return store_savepoint(d->store);
}

/* A status for a log line: SMPP's name, or what stood in for one. */
static const char *
status_word(uint32_t st)
{
	switch (st) {
	case OUTBOX_STATUS_TIMEOUT:
		return "timeout";
	case OUTBOX_STATUS_LINK:
		return "link_down";
	case OUTBOX_STATUS_ENCODE:
		return "unencodable";
	default:
		return pdu_status_name(st);
	}
}

static void
sendq_remove(struct disp *d, struct dmsg *m)
{
	(void)d;
	if (!m->in_sendq)
		return;
	TAILQ_REMOVE(&m->b->sendq, m, entry);
	m->in_sendq = 0;
}

static uint32_t
all_parts(int n)
{
	return n >= 32 ? 0xffffffffU : (1U << n) - 1;
}

static unsigned
popcount(uint32_t v)
{
	unsigned n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

void
disp_dmsg_free(struct dmsg *m)
{
	free(m->ids);
	free(m);
}

/*
 * Store that the SMSC took part k of m as msgid, within the bind's receipt
 * group. An id an open message of the group already has is an SMSC that
 * repeats ids (restarted, or one id for all, as osmo-msc): receipts can
 * then only be told apart by phone. Said once per session. 0 or -1.
 */
static int
part_accepted(struct disp *d, struct dmsg *m, int k, const char *msgid)
{
	int	 reused;

	if (outbox_part_accepted_in(d->store, m->id, k + 1, m->nparts,
	    m->b->rgroup, msgid, &reused) == -1)
		return -1;
	if (reused) {
		metrics_msgid_reused();
		if (!m->b->reuse_warned) {
			m->b->reuse_warned = 1;
			log_warnx("%s: resp msg=%lld smsc_id=%s: the SMSC gave "
			    "an id that an open message of receipt group %s "
			    "already has; receipts are matched by phone as "
			    "well (said once per bind)", m->b->name,
			    (long long)m->id, msgid, m->b->rgroup);
		}
	}
	return 0;
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
		if (part_accepted(d, m, k, m->ids[k]) == -1) {
			batch_fail(d->batch);
			return -1;
		}
	}
	m->taken |= m->unstored;
	m->b->unsettled += (int)popcount(m->unstored);
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
		else if (m->nparts > 1)
			log_info("done msg=%lld parts=%d state=accepted",
			    (long long)m->id, m->nparts);
		metrics_outcome("accepted", 1);
	} else if (m->has_perm && !m->db_error) {
		log_info("done msg=%lld to=%s state=%s status=%s",
		    (long long)m->id, disp_log_phone(m->phone, masked,
		    sizeof(masked)), m->perm == OUTBOX_STATUS_ENCODE ?
		    "failed" : "rejected", status_word(m->perm));
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
			log_warnx("done msg=%lld state=failed attempts=%d "
			    "status=%s", (long long)m->id, m->attempts,
			    status_word(st));
			metrics_outcome("failed", 1);
		} else {
			log_info("done msg=%lld state=queued attempts=%d "
			    "status=%s retry_in=%lds", (long long)m->id,
			    m->attempts, status_word(st), backoff);
			metrics_outcome("requeued", 1);
			if (backoff == 0)
				d->drained = 0;
			else if (d->next_due == 0 ||
			    clock_now() + backoff < d->next_due)
				d->next_due = clock_now() + backoff;
		}
	}
	disp_dmsg_free(m);
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

/* What waits on b goes back to the outbox, for any bind up. */
void
disp_bind_requeue(struct disp *d, struct gbind *b)
{
	struct dmsg	*m;

	/* Every outstanding part was reported: what waits goes back. */
	while ((m = TAILQ_FIRST(&b->sendq)) != NULL) {
		m->has_transient = 1;
		m->transient = OUTBOX_STATUS_LINK;
		if (m->outstanding == 0)
			finish(d, m);
		else
			sendq_remove(d, m);
	}
}

static void
send_part(struct disp *d, struct dmsg *m)
{
	struct pdu	 p;
	const char	*err;
	char		 masked[32];
	time_t		 left;
	int		 k = ffs((int)m->todo) - 1;

	m->todo &= ~(1U << k);
	if (m->todo == 0)
		sendq_remove(d, m);
	pdu_init(&p, PDU_SUBMIT_SM, 0);
	if (pdu_addr_set(&p.dst, m->phone) == -1) {
		m->has_perm = 1;
		m->perm = PDU_RINVDSTADR;
		goto failed;
	}
	p.src = m->b->src;
	p.esm_class = m->esm_class;
	p.registered_delivery = PDU_REG_RECEIPT;
	p.data_coding = m->data_coding;
	if (m->valid_until != 0) {
		left = m->valid_until - clock_now();
		(void)pdu_time_relative(p.validity, sizeof(p.validity),
		    left > 0 ? (long)left : 1);
	}
	if (m->plen > 0) {
		/* The whole text in one message_payload, no UDH. */
		p.opt |= PDU_OPT_PAYLOAD;
		memcpy(p.data, m->pdata, m->plen);
		p.data_len = m->plen;
	} else {
		memcpy(p.data, m->seg[k].data, m->seg[k].len);
		p.data_len = m->seg[k].len;
	}
	if (esme_submit(m->b->tx.e, &p, m, (unsigned)k, &err) == -1) {
		log_warnx("submit msg=%lld part=%d/%d: %s", (long long)m->id,
		    k + 1, m->nparts, err);
		m->has_perm = 1;
		m->perm = OUTBOX_STATUS_ENCODE;
		goto failed;
	}
	m->outstanding++;
	m->seq[k] = p.seq;
	log_info("submit msg=%lld part=%d/%d seq=%u attempt=%d to=%s bind=%s",
	    (long long)m->id, k + 1, m->nparts, p.seq, m->attempts,
	    disp_log_phone(m->phone, masked, sizeof(masked)), m->b->name);
	return;
failed:
	sendq_remove(d, m);
	if (m->outstanding == 0)
		finish(d, m);
}

enum start_result { START_OK, START_SKIP, START_NO_ROOM, START_ERROR };

/* Encode a claimed row and hold it; *plan is the room left to plan. */
static enum start_result
start(struct disp *d, struct gbind *b, const struct outbox_row *r, int *plan,
    int started)
{
	struct smstext_opts opts;
	struct dmsg	*m;
	const char	*err = "no text";
	uint32_t	 taken = 0, todo;
	size_t		 plen = 0, k;
	int		 n, rc, nseg;

	memset(&opts, 0, sizeof(opts));
	opts.max_segments = d->max_segments;
	/* The same reference on every attempt, so retried parts fit. */
	opts.ref = (uint16_t)(r->id & 0xff);
	if (smstext_policy_parse(r->encoding, &opts.policy, &err) == -1 ||
	    smstext_encode(r->text, r->len, &opts, &d->enc, &err) == -1 ||
	    d->enc.nsegments == 0 || d->enc.nsegments > OUTBOX_PARTS_MAX) {
		log_warnx("done msg=%lld state=failed: cannot be sent: %s",
		    (long long)r->id, err);
		if (outbox_inflight(d->store, r->id, b->name, 0) == -1 ||
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
	/*
	 * long_mode = payload: one submit_sm with the whole text. Not for a
	 * retry whose parts the SMSC took in part (they must fit together),
	 * nor past what message_payload holds.
	 */
	if (b->payload && n > 1 && taken == 0) {
		for (k = 0; k < (size_t)n; k++)
			plen += d->enc.seg[k].len - d->enc.seg[k].udh_len;
		if (plen > PDU_PAYLOAD_MAX)
			plen = 0;
	}
	if (plen > 0)
		n = 1;
	todo = all_parts(n) & ~taken;
	if ((int)popcount(todo) > *plan && started)
		return START_NO_ROOM;
	if ((rc = outbox_inflight(d->store, r->id, b->name,
	    esme_seq_peek(b->tx.e))) == -1)
		return START_ERROR;
	if (rc == 1)
		return START_SKIP;
	if (todo == 0) {
		/* Every part was taken before a crash: nothing to send. */
		if (outbox_accepted(d->store, r->id) == -1)
			return START_ERROR;
		return START_SKIP;
	}
	nseg = plen > 0 ? 0 : n;
	m = xcalloc(1, sizeof(*m) + (size_t)nseg * sizeof(m->seg[0]) + plen);
	m->b = b;
	m->id = r->id;
	m->attempts = r->attempts + 1;
	m->nparts = n;
	m->todo = todo;
	m->taken = taken;
	m->valid_until = r->valid_until;
	m->data_coding = d->enc.data_coding;
	m->esm_class = d->enc.esm_class;
	(void)util_strlcpy(m->phone, r->phone, sizeof(m->phone));
	memcpy(m->seg, d->enc.seg, (size_t)nseg * sizeof(m->seg[0]));
	if (plen > 0) {
		m->esm_class = 0;
		m->plen = plen;
		m->pdata = (uint8_t *)(m->seg + nseg);
		for (plen = 0, k = 0; k < d->enc.nsegments; k++) {
			memcpy(m->pdata + plen, d->enc.seg[k].data +
			    d->enc.seg[k].udh_len, d->enc.seg[k].len -
			    d->enc.seg[k].udh_len);
			plen += d->enc.seg[k].len - d->enc.seg[k].udh_len;
		}
	}
	TAILQ_INSERT_TAIL(&b->sendq, m, entry);
	m->in_sendq = 1;
	d->nmsgs++;
	*plan -= (int)popcount(todo);
	return START_OK;
}

static int
bind_up(const struct gbind *b)
{
	return esme_is_up(b->tx.e);
}

void
disp_flush_all(struct disp *d)
{
	struct gbind	*b;
	int		 i;

	for (i = 0; i < d->nbinds; i++) {
		b = d->binds[i];
		esme_flush(b->tx.e);
		if (b->rx.e != NULL)
			esme_flush(b->rx.e);
	}
	for (b = d->retired; b != NULL; b = b->next_retired) {
		esme_flush(b->tx.e);
		if (b->rx.e != NULL)
			esme_flush(b->rx.e);
	}
}

/*
 * The bind to send on now and its room, among those not in *seen (which
 * gets it); NULL when none can send.
 */
/*
 * What a bind may send now. A submit the SMSC accepted holds its place in
 * the window until that is committed: a crash before the commit sends it
 * again, so the window, not the window plus a batch, bounds the
 * duplicates a crash can make.
 */
static int
bind_room(struct gbind *b)
{
	int	 room = esme_room(b->tx.e) - b->unsettled - b->syncing -
	    b->d->nunstored;

	return room > 0 ? room : 0;
}

static struct gbind *
pick(struct disp *d, int *room, uint32_t *seen)
{
	struct pick_cand c[CONFIG_BINDS_MAX];
	int		 i;

	for (i = 0; i < d->nbinds; i++) {
		c[i].up = !(*seen & (1U << i)) && bind_up(d->binds[i]);
		c[i].room = c[i].up ? bind_room(d->binds[i]) : 0;
		c[i].outstanding = esme_outstanding(d->binds[i]->tx.e) +
		    d->binds[i]->unsettled + d->binds[i]->syncing;
	}
	if ((i = pick_bind(c, d->nbinds, d->turn++)) == -1)
		return NULL;
	*seen |= 1U << i;
	*room = c[i].room;
	return d->binds[i];
}

/*
 * Quiet hours, enforced where messages leave whatever their producer
 * wrote (an old munictl, a shell in another zone): queued non-emergency
 * broadcasts and reminders (BROADCAST_PRIORITY) that are due in quiet
 * hours wait for their end. Replies to residents, one-time codes,
 * emergencies, police notices and single messages (munictl sms send, the
 * API) are other priorities and go. Worked out once a second, and the
 * statement walks only the rows it moves: the claim stays as fast.
 */
static int
hold_quiet(struct disp *d, time_t now)
{
	char		 end[24];
	int64_t		 n;
	int		 qs, qe;

	if (now != d->quiet_at) {
		config_timerange(d->cfg, CFG_SMS_QUIET_HOURS, &qs, &qe);
		d->quiet_until = broadcast_quiet_end(now, qs, qe);
		d->quiet_at = now;
	}
	if (d->quiet_until <= now)
		return 0;
	if ((n = outbox_hold(d->store, BROADCAST_PRIORITY, now,
	    d->quiet_until)) == -1)
		return -1;
	if (n > 0) {
		clock_datetime(d->quiet_until, end, sizeof(end));
		log_info("quiet hours: %lld broadcast messages wait until %s",
		    (long long)n, end);
	}
	return 0;
}

void
disp_pump(struct disp *d)
{
	struct gbind	*b;
	struct dmsg	*m;
	time_t		 due;
	uint32_t	 seen = 0;
	int		 room, n, i, nexp, plan, started, want;

	if (d->stopping)
		return;
	/*
	 * Replies wait for the commit of the MO they answer: they are claimed
	 * in its batch and sent after it (replies_held).
	 */
	/* Parts already given to a bind go on that bind. */
	for (i = 0; i < d->nbinds && !DISP_REPLIES_WAIT(d); i++) {
		b = d->binds[i];
		if (TAILQ_EMPTY(&b->sendq) || !bind_up(b))
			continue;
		room = bind_room(b);
		while (room > 0 && (m = TAILQ_FIRST(&b->sendq)) != NULL) {
			send_part(d, m);
			room--;
		}
	}
	/*
	 * New rows: the least busy bind first, each bind once per pump with
	 * the room it has now, claimed in as few statements as that room
	 * allows (a claim per message would cost more than the message).
	 */
	while ((b = pick(d, &room, &seen)) != NULL) {
		while (room > 0) {
			while (room > 0 && !DISP_REPLIES_WAIT(d) &&
			    (m = TAILQ_FIRST(&b->sendq)) != NULL) {
				send_part(d, m);
				room--;
			}
			if (room == 0 || d->drained ||
			    (DISP_REPLIES_WAIT(d) && !TAILQ_EMPTY(&b->sendq)) ||
			    d->nmsgs >= d->nrows + MSGS_SLACK ||
			    (d->db_suspect && !d->probing))
				break;
			if (batch_begin(d->batch) == -1)
				goto out;
			want = room < d->nrows ? room : d->nrows;
			if (hold_quiet(d, clock_now()) == -1) {
				batch_fail(d->batch);
				goto out;
			}
			n = outbox_claim(d->store, clock_now(), d->rows, want,
			    &nexp, &due);
			if (nexp > 0)
				metrics_outcome("expired", (uint64_t)nexp);
			if (n == -1) {
				batch_fail(d->batch);
				goto out;
			}
			if (n < want) {
				d->drained = 1;
				d->next_due = due;
			}
			plan = room;
			started = 0;
			for (i = 0; i < n; i++) {
				switch (start(d, b, &d->rows[i], &plan,
				    started)) {
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
				 * The claim is on disk before a part of it goes
				 * out. A failure resets the links (after_commit):
				 * what was started goes back unsent.
				 */
				d->probing = 0;
				if (batch_flush(d->batch) == -1)
					return;
				if (n == 0)
					break;	/* nothing written: no proof */
				log_info("the database takes writes again");
				d->db_suspect = 0;
				continue;
			}
			if (n == 0)
				break;
		}
		if (d->drained && TAILQ_EMPTY(&b->sendq))
			break;		/* nothing for the others either */
	}
out:
	if (d->probing) {
		/* A failed probe: roll back now, before anything is sent. */
		d->probing = 0;
		(void)batch_flush(d->batch);
		return;
	}
	disp_flush_all(d);
}

/*
 * A part's submit_sm_resp, from either session of a bind (gw_binds.c's
 * esme_ops): the part is taken, to be retried, or refused for good.
 */
void
disp_on_resp(void *arg, void *ctx, unsigned tag, uint32_t status,
    const char *msgid, int64_t latency_us)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;
	struct dmsg	*m = ctx;
	char		 id[65], masked[32];

	(void)latency_us;
	if (m == NULL)
		return;		/* an answer outside the outbox (USSD) */
	m->outstanding--;
	if (status == PDU_ROK) {
		if (outbox_msgid_norm(msgid, 0, id, sizeof(id)) == -1) {
			log_warnx("resp msg=%lld to=%s: the SMSC gave no "
			    "usable message id: receipts cannot be matched",
			    (long long)m->id, disp_log_phone(m->phone, masked,
			    sizeof(masked)));
			id[0] = '\0';
		}
		log_info("resp msg=%lld part=%u/%d seq=%u status=ESME_ROK "
		    "smsc_id=%s state=accepted", (long long)m->id, tag + 1,
		    m->nparts, tag < OUTBOX_PARTS_MAX ? m->seq[tag] : 0,
		    id[0] != '\0' ? id : "-");
		if (batch_begin(d->batch) == -1) {
			/* Busy: kept here until the database takes it. */
			if (m->ids == NULL)
				m->ids = xcalloc((size_t)m->nparts,
				    sizeof(*m->ids));
			(void)util_strlcpy(m->ids[tag], id, sizeof(m->ids[tag]));
			m->unstored |= 1U << tag;
			d->nunstored++;
		} else if (part_accepted(d, m, (int)tag, id) == -1) {
			batch_fail(d->batch);
			m->db_error = 1;
		} else {
			m->taken |= 1U << tag;
			/*
			 * When what waits for the commit holds half the
			 * window, commit now rather than at the end of the
			 * batch window: with a small window the link would
			 * otherwise idle for most of each batch.
			 */
			if (2 * ++sd->b->unsettled >= esme_window(sd->b->tx.e))
				batch_commit_soon(d->batch);
		}
	} else if (outbox_transient(status)) {
		log_info("resp msg=%lld part=%u/%d seq=%u status=%s",
		    (long long)m->id, tag + 1, m->nparts,
		    tag < OUTBOX_PARTS_MAX ? m->seq[tag] : 0,
		    status_word(status));
		m->has_transient = 1;
		m->transient = status;
		/* Throttled or worse: the rest waits for the retry. */
		sendq_remove(d, m);
	} else {
		log_info("resp msg=%lld part=%u/%d seq=%u status=%s",
		    (long long)m->id, tag + 1, m->nparts,
		    tag < OUTBOX_PARTS_MAX ? m->seq[tag] : 0,
		    status_word(status));
		if (!m->has_perm) {
			m->has_perm = 1;
			m->perm = status;
		}
		sendq_remove(d, m);
	}
	if (m->outstanding == 0 && !m->in_sendq)
		finish(d, m);
}

/*
 * The dispatcher's life: after each commit, and on its timers.
 */

/*
 * A turn's transaction ended (committed or rolled back). With the store
 * writer the next turn opens before this one is on disk: what this one
 * holds (window slots, held replies, USSD answers) moves aside, for
 * after_commit to release, while the next turn gathers its own.
 */
static void
committing(void *arg, int ok)
{
	struct disp	*d = arg;
	struct gbind	*b;
	int		 k;

	(void)ok;
	for (k = 0; k < d->nbinds; k++) {
		d->binds[k]->syncing += d->binds[k]->unsettled;
		d->binds[k]->unsettled = 0;
	}
	for (b = d->retired; b != NULL; b = b->next_retired) {
		b->syncing += b->unsettled;
		b->unsettled = 0;
	}
	d->replies_syncing = d->replies_held;
	d->inbox_cursor_syncing = d->inbox_cursor_next;
	d->replies_held = 0;
	disp_ussd_committing(d);
}

/* The group commit is on disk (ok) or rolled back: what waited on it goes. */
static void
after_commit(void *arg, int ok)
{
	struct disp	*d = arg;
	struct gbind	*b;
	int		 k, settled = 0;

	/* What the window held for this commit is free again. */
	for (k = 0; k < d->nbinds; k++) {
		settled += d->binds[k]->syncing;
		d->binds[k]->syncing = 0;
	}
	for (b = d->retired; b != NULL; b = b->next_retired)
		b->syncing = 0;
	if (settled > 0 && ok)
		event_active(d->pump_ev, EV_TIMEOUT, 0);
	disp_flush_all(d);
	if (d->replies_syncing) {
		d->replies_syncing = 0;
		if (ok)
			d->inbox_cursor = d->inbox_cursor_syncing;
		/* The replies (or, undone, the rest of the queue) now. */
		d->drained = 0;
		event_active(d->tick_ev, EV_TIMEOUT, 0);
	}
	if (!ok) {
		/* Memory and disk disagree now: start the link afresh. */
		d->need_recover = 1;
		d->db_suspect = 1;
		disp_ussd_undo(d);
		for (k = 0; k < d->nbinds; k++) {
			b = d->binds[k];
			esme_reset(b->tx.e, "the database refused a commit");
			if (b->rx.e != NULL)
				esme_reset(b->rx.e, "the database refused a "
				    "commit");
		}
		return;
	}
	if (d->inbox_pending) {
		d->inbox_pending = 0;
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	}
	disp_ussd_committed(d);
}

/* Submits awaiting a response on every bind, retired ones too. */
static int
outstanding_all(const struct disp *d)
{
	const struct gbind *b;
	int		 i, n = 0;

	for (i = 0; i < d->nbinds; i++)
		n += esme_outstanding(d->binds[i]->tx.e);
	for (b = d->retired; b != NULL; b = b->next_retired)
		n += esme_outstanding(b->tx.e);
	return n;
}

static void
pump_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;

	(void)fd;
	(void)ev;
	if (!d->stopping)
		disp_pump(d);
}

/* The connection failed under LISTEN: poll until the process restarts. */
static void
notify_stop(struct disp *d)
{
	log_warnx("database notifications stopped: looking for new messages "
	    "by polling");
	event_free(d->notify_ev);
	d->notify_ev = NULL;
}

/* PostgreSQL's NOTIFY: rows were queued; send them now. */
static void
notify_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	int		 n;

	(void)fd;
	(void)ev;
	if (d->stopping)
		return;
	if ((n = store_notified(d->store)) == -1)
		notify_stop(d);
	else if (n > 0)
		disp_wake(d);
}

/*
 * Several gateways on PostgreSQL: keep this node's claims its own, and
 * take over the inflight rows of a node whose lease lapsed (it died).
 */
static void
lease_tick(struct disp *d)
{
	int64_t		 n;

	d->lease_at = clock_now() + config_int(d->cfg, CFG_SMSGW_LEASE_S) / 3;
	if (store_dialect(d->store) != STORE_POSTGRES ||
	    batch_begin(d->batch) == -1)
		return;
	if ((n = outbox_lease_tick(d->store, clock_now())) == -1) {
		batch_fail(d->batch);
		return;
	}
	if (n > 0) {
		log_info("%lld messages a gone node left inflight are queued "
		    "again (a few may reach their phones twice)",
		    (long long)n);
		d->drained = 0;
	}
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	int64_t		 v, settled;
	int		 n;

	(void)fd;
	(void)ev;
	if (d->stopping)
		return;
	/*
	 * Rows committed by munictl, the kiosk or a broadcast. On PostgreSQL
	 * the outbox's NOTIFY says so (notify_cb, and here what a statement's
	 * reply brought along), and the look at the snapshot, a round trip,
	 * is the fallback once a second.
	 */
	if (d->notify_ev != NULL) {
		if ((n = store_notified(d->store)) > 0)
			d->drained = 0;
		else if (n == -1)
			notify_stop(d);
	}
	if ((d->notify_ev == NULL || d->ticks % SETTLE_TICKS == 0) &&
	    (v = outbox_data_version(d->store)) != -1 &&
	    v != d->data_version) {
		d->data_version = v;
		d->drained = 0;
	}
	if (d->drained && d->next_due != 0 && clock_now() >= d->next_due)
		d->drained = 0;
	/*
	 * Broadcasts follow the final states of their messages: on one
	 * gateway at a time when several share a database.
	 */
	if (++d->ticks % SETTLE_TICKS == 0 &&
	    store_job_lock(d->store, "settle") == 1 &&
	    batch_begin(d->batch) == 0 &&
	    broadcast_settle(d->store, config_int(d->cfg,
	    CFG_SMS_RECEIPT_WAIT_H) * 3600, &settled) == -1)
		batch_fail(d->batch);
	if (clock_now() >= d->lease_at)
		lease_tick(d);
	if (!TAILQ_EMPTY(&d->stashq))
		stash_retry(d);
	if (d->inbox_retry_at != 0 && clock_now() >= d->inbox_retry_at) {
		d->inbox_retry_at = 0;
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	}
	disp_reap_retired(d);
	if (d->need_recover && d->nmsgs == 0 && !batch_open(d->batch) &&
	    outstanding_all(d) == 0 && clock_now() >= d->recover_at) {
		if (outbox_recover(d->store) != -1) {
			d->need_recover = 0;
			d->recover_at = 0;
			d->drained = 0;
		} else
			d->recover_at = clock_now() + 1;	/* once a second */
	}
	if (d->db_suspect && !d->drained && disp_up(d) && d->nmsgs == 0 &&
	    outstanding_all(d) == 0 &&
	    (!batch_open(d->batch) || batch_flush(d->batch) == 0)) {
		/* Here, not inside a bind callback: a failure resets them. */
		d->probing = 1;
		disp_pump(d);
		return;
	}
	if (!d->drained)
		disp_pump(d);
}

static void
house_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;

	(void)fd;
	(void)ev;
	if (d->stopping || batch_begin(d->batch) == -1)
		return;
	if (disp_mo_expire(d) == -1 || outbox_prune_pending(d->store,
	    clock_now() - OUTBOX_PENDING_KEEP_S) == -1 ||
	    disp_pending_cap(d) == -1 || ussd_expire(d->store, d->cfg) == -1)
		batch_fail(d->batch);
	/* What the rate limits left out, counted, once their minute is over. */
	disp_receipts_log_flush();
	disp_mo_log_flush();
	esme_log_flush();
}

/*
 * The interface.
 */

/* What the dispatcher itself takes from cfg, at the start and on SIGHUP. */
void
disp_settings_from(struct disp *d, const struct config *cfg)
{
	d->cfg = cfg;
	d->max_segments = (int)config_int(cfg, CFG_SMS_MAX_SEGMENTS);
	if (d->max_segments > OUTBOX_PARTS_MAX)
		d->max_segments = OUTBOX_PARTS_MAX;
	if (d->reasm != NULL)
		smsreasm_set_timeout(d->reasm, (int)config_int(cfg,
		    CFG_SMS_REASSEMBLY_TIMEOUT_S));
}

static void side_stopped(void *);

/* Unbind one session; side_stopped follows once it is down. */
void
disp_side_stop(struct gside *sd)
{
	if (sd->e == NULL || sd->stopping || sd->stopped)
		return;
	sd->stopping = 1;
	esme_stop(sd->e, 5000, side_stopped, sd);
}

struct disp *
disp_new(struct event_base *base, struct store *s, const struct config *cfg)
{
	struct disp	*d = xcalloc(1, sizeof(*d));
	struct timeval	 tv;
	const char	*err;
	int		 i;

	if (disp_check_config(cfg, &err) == -1)
		fatalx("%s", err);
	d->base = base;
	TAILQ_INIT(&d->stashq);
	d->store = s;
	smsreasm_db_store(s, &d->rstore);
	d->reasm = smsreasm_new(&d->rstore, (int)config_int(cfg,
	    CFG_SMS_REASSEMBLY_TIMEOUT_S));
	disp_settings_from(d, cfg);
	d->nrows = ESME_WINDOW_MAX;
	d->rows = xcalloc((size_t)d->nrows, sizeof(*d->rows));
	d->inbox_rows = xcalloc(INBOX_BATCH, sizeof(*d->inbox_rows));
	d->ussd = xcalloc(USSD_QUEUE, sizeof(*d->ussd));
	d->limiter = keywords_limiter_new((int)config_int(cfg,
	    CFG_SERVICES_REPLIES_PER_HOUR), 0);
	d->batch = batch_new(base, s);
	/* The loop never waits on the disk: a store writer syncs (issue 17). */
	if (batch_durable_async(d->batch, base, config_database(cfg),
	    &err) == -1)
		fatalx("store writer: %s", err);
	batch_set_done(d->batch, after_commit, d);
	batch_set_committing(d->batch, committing, d);
	for (i = 0; i < config_binds(cfg) && i < CONFIG_BINDS_MAX; i++)
		d->binds[d->nbinds++] = disp_bind_new(d, cfg, i);
	if ((d->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, d)) ==
	    NULL ||
	    (d->pump_ev = event_new(base, -1, 0, pump_cb, d)) == NULL ||
	    (d->house_ev = event_new(base, -1, EV_PERSIST, house_cb, d)) ==
	    NULL ||
	    (d->inbox_ev = event_new(base, -1, 0, disp_inbox_cb, d)) == NULL ||
	    (d->ussd_ev = event_new(base, -1, 0, disp_ussd_cb, d)) == NULL)
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
	struct gbind	*b;
	struct dmsg	*m;
	int		 i;

	if (d == NULL)
		return;
	/* Stopped in haste (a second signal): requeue what is held. */
	d->stopping = 1;
	for (i = 0; i < d->nbinds; i++)
		disp_bind_reset(d->binds[i], "exiting");
	for (b = d->retired; b != NULL; b = b->next_retired)
		disp_bind_reset(b, "exiting");
	/* The last commit's answers still go through the binds. */
	batch_free(d->batch);
	/* Rows still inflight: the next start requeues them. */
	while ((m = TAILQ_FIRST(&d->stashq)) != NULL) {
		TAILQ_REMOVE(&d->stashq, m, entry);
		disp_dmsg_free(m);
	}
	for (i = 0; i < d->nbinds; i++)
		disp_bind_free(d->binds[i]);
	while ((b = d->retired) != NULL) {
		d->retired = b->next_retired;
		disp_bind_free(b);
	}
	event_free(d->tick_ev);
	event_free(d->pump_ev);
	event_free(d->house_ev);
	if (d->notify_ev != NULL)
		event_free(d->notify_ev);
	event_free(d->inbox_ev);
	event_free(d->ussd_ev);
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
	int	 i, fd;

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
	/* PostgreSQL tells of new rows; SQLite is polled (tick_cb). */
	if ((fd = store_listen(d->store, STORE_CHANNEL_OUTBOX)) != -1) {
		if ((d->notify_ev = event_new(d->base, fd, EV_READ |
		    EV_PERSIST, notify_cb, d)) == NULL ||
		    event_add(d->notify_ev, NULL) == -1)
			fatalx("disp: event_new");
		log_info("node %s: new messages announced by the database "
		    "(LISTEN %s)", outbox_node(), STORE_CHANNEL_OUTBOX);
	}
	/* MO stored but not answered before a stop. */
	event_active(d->inbox_ev, EV_TIMEOUT, 0);
	for (i = 0; i < d->nbinds; i++)
		disp_bind_start(d->binds[i]);
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

static void
side_stopped(void *arg)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;

	sd->stopped = 1;
	if (d->stopping && d->stop_pending > 0 && --d->stop_pending == 0)
		stopped(d);
}

void
disp_stop(struct disp *d, void (*done)(void *), void *arg)
{
	struct gside	*sides[2 * 2 * CONFIG_BINDS_MAX + 64];
	struct gbind	*b;
	int		 i, n = 0;

	if (d->stopping)
		return;
	d->stopping = 1;
	d->stop_done = done;
	d->stop_arg = arg;
	for (i = 0; i < d->nbinds; i++) {
		sides[n++] = &d->binds[i]->tx;
		if (d->binds[i]->rx.e != NULL)
			sides[n++] = &d->binds[i]->rx;
	}
	for (b = d->retired; b != NULL && n + 2 <= (int)nitems(sides);
	    b = b->next_retired) {
		sides[n++] = &b->tx;
		if (b->rx.e != NULL)
			sides[n++] = &b->rx;
	}
	/* Counted first: a session that is down stops at once. */
	d->stop_pending = 0;
	for (i = 0; i < n; i++)
		if (!sides[i]->stopped)
			d->stop_pending++;
	if (d->stop_pending == 0) {
		stopped(d);
		return;
	}
	for (i = 0; i < n; i++)
		disp_side_stop(sides[i]);
}

int
disp_flush(struct disp *d)
{
	return batch_open(d->batch) ? batch_flush(d->batch) : 0;
}

void
disp_wake(struct disp *d)
{
	/* Our own commits do not move PRAGMA data_version. */
	d->drained = 0;
	if (!d->stopping)
		disp_pump(d);
}

int
disp_up(const struct disp *d)
{
	int	 i;

	for (i = 0; i < d->nbinds; i++)
		if (bind_up(d->binds[i]))
			return 1;
	return 0;
}

void
disp_gauges(struct disp *d, struct metrics_gauges *g)
{
	struct metrics_bind *mb;
	struct gbind	*b;
	int		 i;

	int64_t		 now = clock_mono_us();

	/*
	 * Counting the queue walks one index entry per queued row (45 ms
	 * for a million, the loop stalled meanwhile): a scraper polling
	 * often must not make the gateway do that on every request.
	 */
	if (d->queued_at_us == 0 || now - d->queued_at_us >= QUEUED_TTL_US) {
		d->queued = outbox_queued(d->store);
		d->queued_at_us = now;
	}
	memset(g, 0, sizeof(*g));
	g->queued = d->queued;
	g->inflight = outstanding_all(d);
	for (i = 0; i < d->nbinds && i < METRICS_BINDS_MAX; i++) {
		b = d->binds[i];
		mb = &g->bind[g->nbinds++];
		(void)util_strlcpy(mb->name, b->name, sizeof(mb->name));
		mb->up = bind_up(b);
		mb->rx_up = b->rx.e != NULL ? esme_is_up(b->rx.e) : -1;
		mb->inflight = esme_outstanding(b->tx.e);
		mb->tps_limit = esme_tps(b->tx.e);
		mb->submits = esme_submits(b->tx.e);
		g->binds_up += mb->up;
		g->tps_limit += mb->tps_limit;
	}
	g->messages = d->nmsgs;
	g->commits = batch_commits(d->batch);
}

