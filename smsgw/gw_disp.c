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

/*
 * Receipts pending between two caps: a storm of receipts for ids nobody
 * sent is cut back to OUTBOX_PENDING_MAX this often, not only by the
 * housekeeping timer.
 */
#define PENDING_CAP_EVERY	1000

/* Lines a peer can cause in bulk: ten a minute, then a count. */
static struct log_rate orphan_rate = LOG_RATE_INIT("receipts kept before "
    "their submit_sm_resp", 10, 60);
static struct log_rate refused_rate = LOG_RATE_INIT("MO refused", 10, 60);
static struct log_rate ambiguous_rate = LOG_RATE_INIT("receipts that fit "
    "two messages", 10, 60);

_Static_assert(ESME_STATUS_TIMEOUT == OUTBOX_STATUS_TIMEOUT &&
    ESME_STATUS_LINK == OUTBOX_STATUS_LINK, "status codes differ");

struct gbind;

/* One message being sent: the parts of this attempt and their fate. */
struct dmsg {
	TAILQ_ENTRY(dmsg) entry;
	struct gbind	*b;		/* the bind this attempt uses */
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
	size_t		 plen;		/* message_payload: the whole text */
	uint8_t		*pdata;		/* after seg[], in this allocation */
	uint32_t	 seq[OUTBOX_PARTS_MAX];	/* each part's last submit */
	struct smstext_segment seg[];
};
TAILQ_HEAD(dmsgq, dmsg);

/* One session of a bind; the esme callbacks' argument. */
struct gside {
	struct gbind	*b;
	struct esme	*e;
	int		 stopping;
	int		 stopped;
};

/*
 * A configured bind ([smsc] or [smsc.NAME]): one transceiver session, or
 * a transmitter for MT and a receiver for MO and receipts.
 */
struct gbind {
	struct disp	*d;
	char		 name[CONFIG_BIND_NAME_MAX + 1];
	int		 pair;		/* now: tx and rx are a pair */
	int		 mode;		/* BIND_MODE_*, as configured */
	int		 mode_known;	/* auto: a bind worked, keep it */
	int		 payload;	/* long_mode = payload */
	int		 msgid_decimal;
	/* receipts match within it: receipt_group, else the bind's name */
	char		 rgroup[CONFIG_BIND_NAME_MAX + 1];
	int		 reuse_warned;	/* this session logged a reused id */
	struct pdu_addr	 src;
	struct gside	 tx;		/* transceiver or transmitter */
	struct gside	 rx;		/* a pair's receiver; e NULL otherwise */
	struct dmsgq	 sendq;		/* its messages with parts to send */
	int		 unsettled;	/* accepted, not yet on disk */
	int		 retired;	/* left the configuration: stopping */
	struct gbind	*next_retired;
};

/*
 * A USSD request, stored in the inbox, to answer once committed. USSD is
 * a session: its answer goes straight to the bind, not through the
 * outbox, and is not retried (the network has moved on by then).
 */
struct ussd_req {
	int64_t		 inbox_id;
	int		 stored;	/* its inbox row is on disk */
	int		 answered;	/* reply holds the answer */
	int		 committed;	/* and that is on disk: send it */
	int		 send;		/* there is something to send */
	struct ussd_reply reply;
	enum ussd_op	 op;
	int		 has_session;
	uint16_t	 session;
	char		 from[24];
	char		 code[24];	/* the service code dialled, our source */
	char		 bind[CONFIG_BIND_NAME_MAX + 1];	/* answer on it */
	size_t		 len;
	char		 text[SMSTEXT_DECODE_SIZE(PDU_SM_MAX)];
};

#define QUEUED_TTL_US	(5 * 1000000)	/* the queue depth gauge's age */

struct disp {
	struct event_base *base;
	struct store	*store;
	const struct config *cfg;
	struct batch	*batch;
	struct gbind	*binds[CONFIG_BINDS_MAX];	/* config order */
	int		 nbinds;
	struct gbind	*retired;	/* removed by a reload, stopping */
	unsigned	 turn;		/* pick_bind's tie breaker */
	int		 stop_pending;	/* sessions still to stop */

	/* settings from the configuration */
	int		 max_segments;

	struct outbox_row *rows;	/* claim buffer, window rows */
	int		 nrows;
	struct smstext_msg enc;		/* encoding scratch */
	int		 nmsgs;
	int		 drained;	/* nothing ready when last asked */
	time_t		 next_due;	/* earliest row due later, 0 none */
	time_t		 quiet_at;	/* when quiet_until was worked out */
	time_t		 quiet_until;	/* end of the quiet hours, or <= now */
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
	int		 nunstored;	/* parts taken, waiting in stashq */
	struct dmsgq	 stashq;	/* done, but the database was busy */
	unsigned	 ticks;

	struct smsreasm_store rstore;
	struct smsreasm	*reasm;
	struct keywords_limiter *limiter;
	int64_t		 inbox_cursor;
	int64_t		 inbox_cursor_next;	/* once the batch commits */
	int		 inbox_pending;
	/*
	 * Replies to MO are in the outbox of the open batch: nothing is
	 * claimed until it commits, so no reply goes before the MO it
	 * answers is on disk.
	 */
	int		 replies_held;
	time_t		 inbox_retry_at;	/* after a failure, 0 none */
	struct {
		int64_t	 id;
		int64_t	 us;
	}		 mo_times[MO_TIMES];	/* by inbox id % MO_TIMES */
	struct inbox_row *inbox_rows;

	struct ussd_req	*ussd;		/* ring of USSD_QUEUE */
	size_t		 ussd_head, ussd_n;
	struct event	*ussd_ev;

	int		 pending_added;	/* receipts kept since the last cap */

	int64_t		 queued;	/* the last queue depth counted */
	int64_t		 queued_at_us;	/* when, 0 never */

	struct event	*tick_ev;
	struct event	*pump_ev;	/* a pump on the next turn */
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
tls_conf_from(const struct config *cfg, int i, struct tls_conf *t)
{
	memset(t, 0, sizeof(*t));
	t->on = config_bind_bool(cfg, i, CFG_SMSC_TLS);
	t->verify = config_bind_bool(cfg, i, CFG_SMSC_TLS_VERIFY);
	/* Bounded by the config table (4096). */
	(void)util_strlcpy(t->ca_file, config_bind_str(cfg, i,
	    CFG_SMSC_TLS_CA_FILE), sizeof(t->ca_file));
	(void)util_strlcpy(t->cert_file, config_bind_str(cfg, i,
	    CFG_SMSC_TLS_CERT_FILE), sizeof(t->cert_file));
	(void)util_strlcpy(t->key_file, config_bind_str(cfg, i,
	    CFG_SMSC_TLS_KEY_FILE), sizeof(t->key_file));
}

static void
esme_conf_from(const struct config *cfg, int i, enum esme_mode mode,
    struct esme_conf *c)
{
	const char	*name = config_bind_name(cfg, i), *err;

	memset(c, 0, sizeof(*c));
	c->mode = mode;
	/* The sessions of a pair are told apart in the logs. */
	(void)util_snprintf(c->name, sizeof(c->name), "%s%s", name,
	    mode == ESME_TX ? "/tx" : mode == ESME_RX ? "/rx" : "");
	(void)util_strlcpy(c->host, config_bind_str(cfg, i, CFG_SMSC_HOST),
	    sizeof(c->host));
	c->port = (int)config_bind_int(cfg, i, CFG_SMSC_PORT);
	(void)util_strlcpy(c->system_id, config_bind_str(cfg, i,
	    CFG_SMSC_SYSTEM_ID), sizeof(c->system_id));
	/* Checked by disp_check_config; gone since, the SMSC will say so. */
	if (config_bind_password(cfg, i, c->password, sizeof(c->password),
	    &err) == -1) {
		log_warnx("[%s] %s: binding without a password", name, err);
		c->password[0] = '\0';
	}
	(void)util_strlcpy(c->system_type, config_bind_str(cfg, i,
	    CFG_SMSC_SYSTEM_TYPE), sizeof(c->system_type));
	c->window = (int)config_bind_int(cfg, i, CFG_SMSC_WINDOW);
	c->max_tps = (int)config_bind_int(cfg, i, CFG_SMSC_MAX_TPS);
	c->enquire_link_s = (int)config_bind_int(cfg, i,
	    CFG_SMSC_ENQUIRE_LINK_S);
	c->reconnect_min_s = (int)config_bind_int(cfg, i,
	    CFG_SMSC_RECONNECT_MIN_S);
	c->reconnect_max_s = (int)config_bind_int(cfg, i,
	    CFG_SMSC_RECONNECT_MAX_S);
	c->reconnect_stable_s = (int)config_bind_int(cfg, i,
	    CFG_SMSC_RECONNECT_STABLE_S);
	c->response_timeout_s = (int)config_bind_int(cfg, i,
	    CFG_SMSC_RESPONSE_TIMEOUT_S);
	tls_conf_from(cfg, i, &c->tls);
}

/* bind_mode: how a bind's sessions bind. */
enum {
	BIND_MODE_TRX,		/* one transceiver */
	BIND_MODE_PAIR,		/* a transmitter and a receiver */
	BIND_MODE_AUTO,		/* a transceiver, else a pair */
};

static int
bind_mode_of(const struct config *cfg, int i)
{
	const char	*m = config_bind_str(cfg, i, CFG_SMSC_BIND_MODE);

	if (strcmp(m, "pair") == 0)
		return BIND_MODE_PAIR;
	if (strcmp(m, "transceiver") == 0)
		return BIND_MODE_TRX;
	return BIND_MODE_AUTO;
}

int
disp_check_config(const struct config *cfg, const char **errstr)
{
	static char	 msg[160 + 2 * 4096];
	struct tls_conf	 tc;
	struct tls_client *tls = NULL;
	struct pdu_addr	 a;
	const char	*src, *name, *sect, *err;
	char		 pw[16];
	int		 i;

	for (i = 0; i < config_binds(cfg); i++) {
		name = config_bind_name(cfg, i);
		sect = strcmp(name, "smsc") == 0 ? "" : ".";
		if (strcmp(name, "smsc") == 0)
			name = "";
		src = config_bind_str(cfg, i, CFG_SMSC_SOURCE_ADDR);
		if (src[0] != '\0' && pdu_addr_set(&a, src) == -1) {
			(void)util_snprintf(msg, sizeof(msg), "[smsc%s%s] "
			    "source_addr is neither a phone number, a short "
			    "code nor an alphanumeric sender of up to 11",
			    sect, name);
			*errstr = msg;
			return -1;
		}
		if (config_bind_password(cfg, i, pw, sizeof(pw), &err) ==
		    -1) {
			(void)util_snprintf(msg, sizeof(msg), "[smsc%s%s] %s",
			    sect, name, err);
			*errstr = msg;
			return -1;
		}
		explicit_bzero(pw, sizeof(pw));
		/* The files load, the key fits the certificate. */
		tls_conf_from(cfg, i, &tc);
		if (tc.on && (tls = tls_client_new(&tc, &err)) == NULL) {
			(void)util_snprintf(msg, sizeof(msg), "[smsc%s%s] %s",
			    sect, name, err);
			*errstr = msg;
			return -1;
		}
		tls_client_free(tls);
		tls = NULL;
		if (config_bind_int(cfg, i, CFG_SMSC_RECONNECT_MAX_S) <
		    config_bind_int(cfg, i, CFG_SMSC_RECONNECT_MIN_S)) {
			(void)util_snprintf(msg, sizeof(msg), "[smsc%s%s] "
			    "reconnect_max_s is below reconnect_min_s", sect,
			    name);
			*errstr = msg;
			return -1;
		}
	}
	return 0;
}

static void
settings_from(struct disp *d, const struct config *cfg)
{
	d->cfg = cfg;
	d->max_segments = (int)config_int(cfg, CFG_SMS_MAX_SEGMENTS);
	if (d->max_segments > OUTBOX_PARTS_MAX)
		d->max_segments = OUTBOX_PARTS_MAX;
	if (d->reasm != NULL)
		smsreasm_set_timeout(d->reasm, (int)config_int(cfg,
		    CFG_SMS_REASSEMBLY_TIMEOUT_S));
}

/* What a bind takes from its section besides the sessions' settings. */
static void
bind_settings(struct gbind *b, const struct config *cfg, int i)
{
	const char	*src = config_bind_str(cfg, i, CFG_SMSC_SOURCE_ADDR);

	b->payload = strcmp(config_bind_str(cfg, i, CFG_SMSC_LONG_MODE),
	    "payload") == 0;
	b->msgid_decimal = strcmp(config_bind_str(cfg, i,
	    CFG_SMSC_MSG_ID_TYPE), "decimal") == 0;
	(void)util_strlcpy(b->rgroup, config_bind_str(cfg, i,
	    CFG_SMSC_RECEIPT_GROUP), sizeof(b->rgroup));
	if (b->rgroup[0] == '\0')
		(void)util_strlcpy(b->rgroup, config_bind_name(cfg, i),
		    sizeof(b->rgroup));
	memset(&b->src, 0, sizeof(b->src));
	if (src[0] != '\0' && pdu_addr_set(&b->src, src) == -1)
		fatalx("[smsc] source_addr: not an address");
}

/*
 * Sending. Every step of a message is logged as key=value words with its
 * outbox id (msg=), so `grep 'msg=42 '` follows it from the submit to its
 * receipt: submit (seq=), resp (status=, smsc_id=), the outcome (state=),
 * and the receipt (common/outbox.c: smsc_id=, state=).
 */

/* A masked phone as one word, for to= in key=value log lines. */
static const char *
log_phone(const char *e164, char *buf, size_t size)
{
	char	*r, *w;

	ident_phone_mask(e164, buf, size);
	for (r = w = buf; *r != '\0'; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
	return buf;
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

static void
dmsg_free(struct dmsg *m)
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
		    (long long)m->id, log_phone(m->phone, masked,
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
	    log_phone(m->phone, masked, sizeof(masked)), m->b->name);
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

static void
flush_all(struct disp *d)
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
	int	 room = esme_room(b->tx.e) - b->unsettled - b->d->nunstored;

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
		    d->binds[i]->unsettled;
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

static void
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
	for (i = 0; i < d->nbinds && !d->replies_held; i++) {
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
			while (room > 0 && !d->replies_held &&
			    (m = TAILQ_FIRST(&b->sendq)) != NULL) {
				send_part(d, m);
				room--;
			}
			if (room == 0 || d->drained ||
			    (d->replies_held && !TAILQ_EMPTY(&b->sendq)) ||
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
	flush_all(d);
}

/*
 * The bind's callbacks.
 */

static void
on_up(void *arg)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;

	sd->b->reuse_warned = 0;
	/* auto: what bound once is what this process keeps using. */
	if (!sd->b->mode_known && sd->b->mode == BIND_MODE_AUTO) {
		sd->b->mode_known = 1;
		log_info("%s: bind_mode auto: keeping the %s", sd->b->name,
		    sd->b->pair ? "transmitter+receiver pair" : "transceiver");
	}

	d->drained = 0;
	disp_pump(d);
}

/* A receiver's state changes nothing for sending. */
static void
rx_updown(void *arg)
{
	(void)arg;
}

/* What waits on b goes back to the outbox, for any bind up. */
static void
bind_requeue(struct disp *d, struct gbind *b)
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
on_down(void *arg)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;

	bind_requeue(d, sd->b);
	/*
	 * Rows requeued without backoff go out on another bind, on the next
	 * loop turn: a reset may come from inside a pump or a commit.
	 */
	if (!d->stopping)
		event_active(d->pump_ev, EV_TIMEOUT, 0);
}

static void
on_room(void *arg)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;

	if (d->ussd_n > 0)
		event_active(d->ussd_ev, EV_TIMEOUT, 0);
	disp_pump(d);
}

static void
on_resp(void *arg, void *ctx, unsigned tag, uint32_t status,
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
			    (long long)m->id, log_phone(m->phone, masked,
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

/* The answer goes back on the session the request came in on. */
static void
answer_cb(void *arg, int committed, uint64_t gen, uint64_t cmdseq)
{
	struct gside	*sd = arg;

	esme_respond(sd->e, gen, (uint32_t)(cmdseq >> 32),
	    (uint32_t)cmdseq, committed ? PDU_ROK : PDU_RX_T_APPN);
}

static int
defer_answer(struct disp *d, struct gside *sd, const struct pdu *p,
    uint64_t gen)
{
	batch_defer(d->batch, answer_cb, sd, gen,
	    ((uint64_t)p->cmd << 32) | p->seq);
	return ESME_DEFER;
}

/* receipts_pending back to its bound, oldest gone first: 0 or -1. */
static int
pending_cap(struct disp *d)
{
	int64_t	 n;

	d->pending_added = 0;
	if ((n = outbox_cap_pending(d->store, OUTBOX_PENDING_MAX)) == -1)
		return -1;
	if (n > 0)
		log_warnx("receipts_pending: %lld receipts for unknown ids "
		    "dropped, the newest %d kept", (long long)n,
		    OUTBOX_PENDING_MAX);
	return 0;
}

/* "+" and 8 to 20 digits: what a receipt's source_addr must be to count. */
static int
is_phone(const char *a)
{
	size_t	 n = 0;

	if (*a == '+')
		a++;
	for (; *a != '\0'; a++, n++)
		if (*a < '0' || *a > '9')
			return 0;
	return n >= 8 && n <= 20;
}

static int
on_receipt(struct disp *d, struct gside *sd, const struct pdu *p,
    uint64_t gen)
{
	struct pdu_receipt rc;
	struct outbox_rcpt_key key;
	int64_t		 fits[2];
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
	/* The text form: id:… stat:… err:… */
	memset(&rc, 0, sizeof(rc));
	if (!have_id || state == 0) {
		if ((parsed = pdu_receipt_parse(p->data, p->data_len, &rc,
		    &err)) == 0) {
			if (!have_id)
				have_id = outbox_msgid_norm(rc.id,
				    sd->b->msgid_decimal, id, sizeof(id)) == 0;
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
	/*
	 * A receipt's source is the phone the message went to; one that is
	 * no phone number (a short code, a name) says nothing about it.
	 */
	memset(&key, 0, sizeof(key));
	key.group = sd->b->rgroup;
	key.msgid = id;
	key.phone = is_phone(p->src.addr) ? p->src.addr : NULL;
	key.submitted = parsed == 0 ? rc.submit_date : 0;
	res = outbox_receipt_in(d->store, &key, rs, error, fits);
	/* Several fit: the text's submit date may tell them apart. */
	if (res == OUTBOX_RCPT_AMBIGUOUS && parsed == -1 &&
	    (parsed = pdu_receipt_parse(p->data, p->data_len, &rc,
	    &err)) == 0 && rc.submit_date != 0) {
		key.submitted = rc.submit_date;
		res = outbox_receipt_in(d->store, &key, rs, error, fits);
	}
	if (res == OUTBOX_RCPT_AMBIGUOUS && log_rate_ok(&ambiguous_rate))
		log_warnx("receipt smsc_id=%s state=%s: fits msg=%lld and "
		    "msg=%lld (the SMSC used the id twice): settles neither",
		    id, outbox_receipt_name(rs), (long long)fits[0],
		    (long long)fits[1]);
	if (res == OUTBOX_RCPT_ERROR) {
		batch_fail(d->batch);
		return PDU_RX_T_APPN;
	}
	if (res == OUTBOX_RCPT_PENDING) {
		metrics_receipt_pending();
		if (log_rate_ok(&orphan_rate))
			log_info("receipt smsc_id=%s state=%s: before its "
			    "submit_sm_resp, kept", id,
			    outbox_receipt_name(rs));
		if (++d->pending_added >= PENDING_CAP_EVERY &&
		    pending_cap(d) == -1) {
			batch_fail(d->batch);
			return PDU_RX_T_APPN;
		}
	}
	metrics_receipt(res == OUTBOX_RCPT_DUPLICATE ? "duplicate" :
	    res == OUTBOX_RCPT_AMBIGUOUS ? "ambiguous" :
	    outbox_receipt_name(rs));
	return defer_answer(d, sd, p, gen);
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
	if (kind == INBOX_SMS) {
		/* Answered in this batch, after the turn's reads. */
		d->inbox_pending = 1;
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	}
	return 0;
}

/* Store a USSD request and queue its answer for after the commit. */
static int
ussd_queue(struct disp *d, struct gside *sd, const struct pdu *p,
    const char *src, const char *dst, const struct smstext_mo *mo)
{
	struct inbox_msg im;
	struct ussd_req	*u;
	int64_t		 id;

	if (d->ussd_n == USSD_QUEUE)
		fatalx("ussd_queue: the caller checks for room");
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
	(void)util_strlcpy(u->bind, sd->b->name, sizeof(u->bind));
	if (mo->readable && mo->len < sizeof(u->text)) {
		memcpy(u->text, mo->text, mo->len);
		u->len = mo->len;
	}
	u->text[u->len] = '\0';
	/* Answered in this batch, after the turn's reads. */
	event_active(d->ussd_ev, EV_TIMEOUT, 0);
	return 0;
}

static struct gbind *
bind_find(struct disp *d, const char *name)
{
	int	 i;

	for (i = 0; i < d->nbinds; i++)
		if (strcmp(d->binds[i]->name, name) == 0)
			return d->binds[i];
	return NULL;
}

/*
 * Answer one USSD request inside the open batch, in a savepoint of its
 * own: 0, or -1 when the batch must go back.
 */
static int
ussd_prepare(struct disp *d, struct ussd_req *u, int *lost)
{
	char		 session[8];
	int		 rc;

	(void)util_snprintf(session, sizeof(session), "%u", u->session);
	if (store_savepoint(d->store) == -1)
		return -1;
	rc = ussd_handle(d->store, d->cfg, u->from,
	    u->has_session ? session : "", u->op, u->text, u->len, &u->reply);
	if (rc == -1) {
		/* Undone; reply holds an apology that ends the session. */
		if (store_savepoint_end(d->store, 0) == -1) {
			*lost = 1;
			return -1;
		}
		if (store_savepoint(d->store) == -1)
			return -1;
		rc = 1;
	}
	if (inbox_done(d->store, u->inbox_id) == -1) {
		if (store_savepoint_end(d->store, 0) == -1)
			*lost = 1;
		return -1;
	}
	if (store_savepoint_end(d->store, 1) == -1) {
		*lost = 1;
		return -1;
	}
	u->answered = 1;
	u->send = rc != 0;
	return 0;
}

/* Send a committed answer: 0 done, 1 no room on the bind yet. */
static int
ussd_send(struct disp *d, struct ussd_req *u)
{
	struct smstext_opts opts;
	struct pdu	 p;
	struct gbind	*b = bind_find(d, u->bind);
	struct esme	*e = b != NULL ? b->tx.e : NULL;
	char		 masked[32];
	const char	*err;

	/* The session lives on the bind it came in on: no other. */
	if (e != NULL && esme_room(e) == 0 && esme_is_up(e))
		return 1;
	memset(&opts, 0, sizeof(opts));
	if (smstext_policy_parse(config_str(d->cfg, CFG_SMS_ENCODING),
	    &opts.policy, &err) == -1)
		opts.policy = SMSTEXT_AUTO;
	pdu_init(&p, PDU_SUBMIT_SM, 0);
	(void)util_strlcpy(p.service_type, "USSD", sizeof(p.service_type));
	ident_phone_mask(u->from, masked, sizeof(masked));
	if (smstext_encode_ussd(u->reply.text, strlen(u->reply.text), &opts,
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
	p.ussd_service_op = u->reply.end ? PDU_USSD_PSSR_RESP :
	    PDU_USSD_USSR_REQ;
	if (u->has_session) {
		p.opt |= PDU_OPT_ITS_SESSION;
		p.its_session_info = u->session;
	}
	if (e == NULL)
		log_warnx("USSD answer to %s not sent: bind %s is gone", masked,
		    u->bind);
	else if (esme_submit(e, &p, NULL, 0, &err) == -1)
		log_warnx("USSD answer to %s not sent: %s", masked, err);
	return 0;
}

/*
 * Answers on disk go out in order while the bind has room; requests not
 * answered yet are answered in the open batch (the one that stored them,
 * as a rule), one commit for the request and its answer, a person
 * waiting on the other end.
 */
static void
ussd_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	struct ussd_req	*u;
	size_t		 i;
	int		 todo = 0, lost = 0;

	(void)fd;
	(void)ev;
	while (d->ussd_n > 0) {
		u = &d->ussd[d->ussd_head];
		if (!u->committed || (u->send && ussd_send(d, u) == 1))
			break;
		d->ussd_head = (d->ussd_head + 1) % USSD_QUEUE;
		d->ussd_n--;
	}
	for (i = 0; i < d->ussd_n; i++)
		todo += !d->ussd[(d->ussd_head + i) % USSD_QUEUE].answered;
	if (todo > 0 && !d->stopping && batch_begin(d->batch) == 0) {
		for (i = 0; i < d->ussd_n; i++) {
			u = &d->ussd[(d->ussd_head + i) % USSD_QUEUE];
			if (u->answered)
				continue;
			if (ussd_prepare(d, u, &lost) == -1) {
				if (lost)
					batch_fail(d->batch);
				break;
			}
		}
		batch_commit_soon(d->batch);
	}
	flush_all(d);
}

/*
 * One MO PDU refused on its own, with a permanent status so the SMSC does
 * not deliver it again: the batch, the other PDUs and the binds go on. A
 * flood of them is logged as a count (refused_rate).
 */
static int
mo_refuse(const char *src, uint32_t status, const char *reason,
    const char *why)
{
	char		 masked[32];

	metrics_mo_refused(reason);
	if (log_rate_ok(&refused_rate))
		log_warnx("MO from %s refused with %s: %s", log_phone(src,
		    masked, sizeof(masked)), pdu_status_name(status), why);
	return (int)status;
}

static int
on_mo(struct disp *d, struct gside *sd, const struct pdu *p, uint64_t gen)
{
	static struct smstext_mo mo;
	struct smsreasm_part part;
	struct smsreasm_msg out;
	enum smsreasm_result res;
	const char	*err;
	char		 src[72], dst[72];
	int		 concat = 0, sar = 0, ussd;

	if (pdu_addr_format(&p->src, src, sizeof(src)) == -1 ||
	    pdu_addr_format(&p->dst, dst, sizeof(dst)) == -1)
		return PDU_RINVSRCADR;
	ussd = strcmp(p->service_type, "USSD") == 0 ||
	    (p->opt & PDU_OPT_USSD_OP);
	if (smstext_decode(p->data_coding, (p->esm_class & PDU_ESM_UDHI) != 0,
	    p->data, p->data_len, &mo, &err) == -1)
		return mo_refuse(src, PDU_RX_P_APPN, "undecodable", err);
	if (batch_begin(d->batch) == -1)
		return PDU_RX_T_APPN;
	if (ussd) {
		/* Full for now: the SMSC may try again once it has drained. */
		if (d->ussd_n == USSD_QUEUE)
			return mo_refuse(src, PDU_RMSGQFUL, "ussd_queue_full",
			    "too many USSD requests waiting");
		if (ussd_queue(d, sd, p, src, dst, &mo) == -1)
			goto fail;
		return defer_answer(d, sd, p, gen);
	}
	memset(&part, 0, sizeof(part));
	if (mo.concat.present && mo.concat.total > 1)
		concat = smsreasm_key_set(&part.key, src, dst, mo.concat.ref,
		    mo.concat.ref_bits, mo.concat.total, &err) == 0;
	else if ((p->opt & PDU_OPT_SAR) && p->sar_total_segments > 1) {
		concat = sar = smsreasm_key_set(&part.key, src, dst,
		    p->sar_msg_ref_num, 16, p->sar_total_segments, &err) == 0;
		mo.concat.seq = p->sar_segment_seqnum;
	}
	if (!concat) {
		if (store_mo(d, INBOX_SMS, src, dst, p->data_coding, p->data,
		    p->data_len, mo.readable ? mo.text : NULL, mo.len) == -1)
			goto fail;
		return defer_answer(d, sd, p, gen);
	}
	part.seq = mo.concat.seq;
	part.data_coding = p->data_coding;
	part.ud = p->data + mo.ud_offset;
	part.ud_len = mo.ud_len;
	res = smsreasm_add(d->reasm, &part, &out, &err);
	switch (res) {
	case SMSREASM_REFUSED:
		/*
		 * The part's own fault, and the store is as it was. A number
		 * out of range is a bad SAR value or a bad UDH; the rest are
		 * a sender's limits, which that message will not get past by
		 * being delivered again.
		 */
		if (part.seq < 1 || part.seq > part.key.total)
			return mo_refuse(src, sar ? PDU_RINVOPTPARAMVAL :
			    PDU_RX_P_APPN, "part_number", err);
		if (part.ud_len > SMSREASM_PART_MAX)
			return mo_refuse(src, PDU_RINVMSGLEN, "part_length",
			    err);
		return mo_refuse(src, PDU_RX_R_APPN, "sender_limit", err);
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
	return defer_answer(d, sd, p, gen);
fail:
	/* The database failed: parts may have left mo_parts, all goes back. */
	batch_fail(d->batch);
	return PDU_RX_T_APPN;
}

static int
on_deliver(void *arg, const struct pdu *p, uint64_t gen)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;
	uint8_t		 type = p->esm_class & PDU_ESM_TYPE_MASK;

	/* 0x04 SMSC delivery receipt, 0x08 SME ack, 0x20 intermediate. */
	if (type == PDU_ESM_RECEIPT || type == 0x08 || type == 0x20)
		return on_receipt(d, sd, p, gen);
	return on_mo(d, sd, p, gen);
}

/*
 * A read without deliver_sm while answers wait: the SMSC has likely used
 * up its window of deliver_sm and waits for us, or is quiet. Either way
 * waiting longer for the batch to fill gains nothing.
 */
static void
on_read_end(void *arg, int delivers)
{
	struct disp	*d = ((struct gside *)arg)->b->d;

	if (delivers == 0 && batch_deferred(d->batch) > 0)
		batch_commit_soon(d->batch);
}

static void
after_commit(void *arg, int ok)
{
	struct disp	*d = arg;
	struct gbind	*b;
	struct ussd_req	*u;
	size_t		 i;
	int		 k, settled = 0;

	/* What the window held for this commit is free again. */
	for (k = 0; k < d->nbinds; k++) {
		settled += d->binds[k]->unsettled;
		d->binds[k]->unsettled = 0;
	}
	for (b = d->retired; b != NULL; b = b->next_retired)
		b->unsettled = 0;
	if (settled > 0 && ok)
		event_active(d->pump_ev, EV_TIMEOUT, 0);
	flush_all(d);
	if (d->replies_held) {
		d->replies_held = 0;
		if (ok)
			d->inbox_cursor = d->inbox_cursor_next;
		/* The replies (or, undone, the rest of the queue) now. */
		d->drained = 0;
		event_active(d->tick_ev, EV_TIMEOUT, 0);
	}
	if (!ok) {
		/* Memory and disk disagree now: start the link afresh. */
		d->need_recover = 1;
		d->db_suspect = 1;
		/*
		 * The USSD requests of the failed turn are not stored; the
		 * answers it made are undone and are made again.
		 */
		for (i = 0; i < d->ussd_n; i++) {
			u = &d->ussd[(d->ussd_head + i) % USSD_QUEUE];
			if (!u->committed)
				u->answered = 0;
		}
		for (i = d->ussd_n; i > 0; i--)
			if (!d->ussd[(d->ussd_head + i - 1) %
			    USSD_QUEUE].stored)
				d->ussd_n--;
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
	if (d->ussd_n > 0) {
		for (i = 0; i < d->ussd_n; i++) {
			u = &d->ussd[(d->ussd_head + i) % USSD_QUEUE];
			u->stored = 1;
			u->committed = u->answered;
		}
		event_active(d->ussd_ev, EV_TIMEOUT, 0);
	}
}

/*
 * MO to the keyword services, a savepoint each inside one transaction
 * for the burst: one fsync for all of them (one each made the fsyncs,
 * not the services, the MO-to-reply latency), and a failure in one still
 * undoes only its own work. *lost is set when a service rolled the whole
 * transaction back: the burst's earlier answers are gone and go again.
 */
static int
answer_mo(struct disp *d, const struct inbox_row *r, int *lost)
{
	static char	 reply[KEYWORDS_REPLY_SIZE];
	struct keywords_opts ko;
	struct keywords_result kr;
	struct outbox_msg om;
	const char	*err;
	char		 masked[32];
	int64_t		 reply_id;
	int		 rc;

	memset(&ko, 0, sizeof(ko));
	ko.duty_numbers = config_str(d->cfg, CFG_SERVICES_POLICE_DUTY_NUMBERS);
	if (ko.duty_numbers[0] == '\0')
		ko.duty_numbers = NULL;
	ko.limiter = d->limiter;
	if (store_savepoint(d->store) == -1)
		return -1;
	rc = keywords_handle(d->store, d->cfg, r->source, r->text, r->len,
	    &ko, reply, sizeof(reply), &kr);
	if (rc == -1) {
		/* Its work is undone; the apology in reply still goes. */
		if (store_savepoint_end(d->store, 0) == -1) {
			*lost = 1;
			return -1;
		}
		if (store_savepoint(d->store) == -1)
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
		if ((reply_id = outbox_enqueue(d->store, &om, &err)) == -1) {
			ident_phone_mask(r->source, masked, sizeof(masked));
			log_warnx("reply to %s not queued: %s", masked, err);
		} else {
			log_info("queued msg=%lld mo=%lld to=%s state=queued",
			    (long long)reply_id, (long long)r->id,
			    log_phone(r->source, masked, sizeof(masked)));
			if (d->mo_times[r->id % MO_TIMES].id == r->id)
				metrics_mo_reply(clock_mono_us() -
				    d->mo_times[r->id % MO_TIMES].us);
			else
				metrics_mo_reply((int64_t)(clock_now() -
				    r->received_at) * 1000000);
		}
	}
	if (inbox_done(d->store, r->id) == -1) {
		if (store_savepoint_end(d->store, 0) == -1)
			*lost = 1;
		return -1;
	}
	if (store_savepoint_end(d->store, 1) == -1) {
		*lost = 1;
		return -1;
	}
	return 0;
}

/*
 * MO are answered in the batch that stored them, so one commit puts the
 * MO, the services' work and the reply on disk together; the reply is
 * claimed after it (replies_held), the MO acknowledged with it.
 */
static void
inbox_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	int		 n, i, done = 0, lost = 0;

	(void)fd;
	(void)ev;
	if (d->stopping)
		return;
	d->inbox_pending = 0;
	if (batch_begin(d->batch) == -1) {
		/* The turn failed: its MO are not stored; others wait. */
		d->inbox_retry_at = clock_now() + INBOX_RETRY_S;
		return;
	}
	n = inbox_unprocessed(d->store, d->replies_held ?
	    d->inbox_cursor_next : d->inbox_cursor, d->inbox_rows,
	    INBOX_BATCH);
	for (i = 0; i < n; i++) {
		if (answer_mo(d, &d->inbox_rows[i], &lost) == -1)
			break;
		done++;
	}
	if (lost) {
		/* A service undid the whole transaction: the turn goes back. */
		batch_fail(d->batch);
	} else if (done > 0) {
		d->inbox_cursor_next = d->inbox_rows[done - 1].id;
		d->replies_held = 1;
		/* Claimed now, in this batch; sent when it commits. */
		d->drained = 0;
		disp_pump(d);
	}
	if (i < n) {
		log_warnx("MO %lld not answered yet: retrying in %d s",
		    (long long)d->inbox_rows[i].id, INBOX_RETRY_S);
		d->inbox_retry_at = clock_now() + INBOX_RETRY_S;
	} else if (n == INBOX_BATCH)
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	/* A person waits for the reply: no batch window. */
	batch_commit_soon(d->batch);
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
bind_free(struct gbind *b)
{
	struct dmsg	*m;

	if (b == NULL)
		return;
	while ((m = TAILQ_FIRST(&b->sendq)) != NULL) {
		TAILQ_REMOVE(&b->sendq, m, entry);
		dmsg_free(m);
	}
	esme_free(b->tx.e);
	esme_free(b->rx.e);
	free(b);
}

/*
 * Free removed binds once both sessions are down and no answer waits for
 * a commit (deferred answers point at their session).
 */
static void
reap_retired(struct disp *d)
{
	struct gbind	**bp, *b;

	/* Messages waiting for the database point at their bind too. */
	if (batch_open(d->batch) || batch_deferred(d->batch) > 0 ||
	    !TAILQ_EMPTY(&d->stashq))
		return;
	for (bp = &d->retired; (b = *bp) != NULL; ) {
		if (b->tx.stopped && (b->rx.e == NULL || b->rx.stopped) &&
		    esme_outstanding(b->tx.e) == 0) {
			*bp = b->next_retired;
			log_debug("%s: removed", b->name);
			bind_free(b);
		} else
			bp = &b->next_retired;
	}
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

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disp	*d = arg;
	int64_t		 v, settled;

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
	/* Broadcasts follow the final states of their messages. */
	if (++d->ticks % SETTLE_TICKS == 0 && batch_begin(d->batch) == 0 &&
	    broadcast_settle(d->store, config_int(d->cfg,
	    CFG_SMS_RECEIPT_WAIT_H) * 3600, &settled) == -1)
		batch_fail(d->batch);
	if (!TAILQ_EMPTY(&d->stashq))
		stash_retry(d);
	if (d->inbox_retry_at != 0 && clock_now() >= d->inbox_retry_at) {
		d->inbox_retry_at = 0;
		event_active(d->inbox_ev, EV_TIMEOUT, 0);
	}
	reap_retired(d);
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
	    OUTBOX_PENDING_KEEP_S) == -1 || pending_cap(d) == -1 ||
	    ussd_expire(d->store, d->cfg) == -1)
		batch_fail(d->batch);
	/* What the rate limits left out, counted, once their minute is over. */
	log_rate_flush(&orphan_rate);
	log_rate_flush(&refused_rate);
	log_rate_flush(&ambiguous_rate);
	esme_log_flush();
}

/*
 * The interface.
 */

static void	 on_bind_failed(void *, uint32_t);

static const struct esme_ops tx_ops = {
	.up = on_up,
	.down = on_down,
	.bind_failed = on_bind_failed,
	.room = on_room,
	.resp = on_resp,
	.deliver = on_deliver,
	.read_end = on_read_end,
};

static const struct esme_ops rx_ops = {
	.up = rx_updown,
	.down = rx_updown,
	.room = on_room,
	.resp = on_resp,
	.deliver = on_deliver,
	.read_end = on_read_end,
};

/*
 * bind_mode auto: a transceiver bind that gets no answer (Kannel's
 * drive_smpp logs it as unhandled and stays silent) or is refused as an
 * unknown command or in the wrong state becomes a transmitter and a
 * receiver, for the life of the process. Called from inside the esme's
 * reset: the session is idle, waiting to reconnect, so changing its mode
 * only changes what it sends next.
 */
static void
on_bind_failed(void *arg, uint32_t status)
{
	struct gside	*sd = arg;
	struct gbind	*b = sd->b;
	struct disp	*d = b->d;
	struct esme_conf ec;
	int		 i, idx = -1;

	if (b->mode != BIND_MODE_AUTO || b->mode_known || b->pair ||
	    b->retired || d->stopping)
		return;
	if (status != ESME_STATUS_TIMEOUT && status != PDU_RINVCMDID &&
	    status != PDU_RINVBNDSTS)
		return;
	for (i = 0; i < config_binds(d->cfg); i++)
		if (strcmp(config_bind_name(d->cfg, i), b->name) == 0)
			idx = i;
	if (idx == -1)
		return;
	log_warnx("%s: bind_transceiver %s: binding as a transmitter and "
	    "a receiver instead (bind_mode auto)", b->name,
	    status == ESME_STATUS_TIMEOUT ? "got no answer" :
	    pdu_status_name(status));
	metrics_link("bind_fallback");
	b->pair = 1;
	esme_conf_from(d->cfg, idx, ESME_TX, &ec);
	(void)esme_reconfigure(b->tx.e, &ec);
	esme_conf_from(d->cfg, idx, ESME_RX, &ec);
	b->rx.e = esme_new(d->base, &ec, &rx_ops, &b->rx);
	esme_start(b->rx.e);
}

/* Bind i of cfg, not started. */
static struct gbind *
bind_new(struct disp *d, const struct config *cfg, int i)
{
	struct gbind	*b = xcalloc(1, sizeof(*b));
	struct esme_conf ec;

	b->d = d;
	(void)util_strlcpy(b->name, config_bind_name(cfg, i), sizeof(b->name));
	TAILQ_INIT(&b->sendq);
	bind_settings(b, cfg, i);
	b->mode = bind_mode_of(cfg, i);
	b->pair = b->mode == BIND_MODE_PAIR;
	b->tx.b = b->rx.b = b;
	esme_conf_from(cfg, i, b->pair ? ESME_TX : ESME_TRX, &ec);
	b->tx.e = esme_new(d->base, &ec, &tx_ops, &b->tx);
	if (b->pair) {
		esme_conf_from(cfg, i, ESME_RX, &ec);
		b->rx.e = esme_new(d->base, &ec, &rx_ops, &b->rx);
	}
	return b;
}

static void
bind_start(struct gbind *b)
{
	esme_start(b->tx.e);
	if (b->rx.e != NULL)
		esme_start(b->rx.e);
}

static void side_stopped(void *);

static void
side_stop(struct gside *sd)
{
	if (sd->e == NULL || sd->stopping || sd->stopped)
		return;
	sd->stopping = 1;
	esme_stop(sd->e, 5000, side_stopped, sd);
}

/*
 * A bind left the configuration: what waits on it goes back to the
 * outbox, what is outstanding is waited for, then it unbinds and is freed
 * by reap_retired.
 */
static void
bind_retire(struct disp *d, struct gbind *b)
{
	log_info("%s: no longer configured: unbinding", b->name);
	b->retired = 1;
	bind_requeue(d, b);
	b->next_retired = d->retired;
	d->retired = b;
	side_stop(&b->tx);
	side_stop(&b->rx);
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
	settings_from(d, cfg);
	d->nrows = ESME_WINDOW_MAX;
	d->rows = xcalloc((size_t)d->nrows, sizeof(*d->rows));
	d->inbox_rows = xcalloc(INBOX_BATCH, sizeof(*d->inbox_rows));
	d->ussd = xcalloc(USSD_QUEUE, sizeof(*d->ussd));
	d->limiter = keywords_limiter_new((int)config_int(cfg,
	    CFG_SERVICES_REPLIES_PER_HOUR), 0);
	d->batch = batch_new(base, s);
	batch_set_done(d->batch, after_commit, d);
	for (i = 0; i < config_binds(cfg) && i < CONFIG_BINDS_MAX; i++)
		d->binds[d->nbinds++] = bind_new(d, cfg, i);
	if ((d->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, d)) ==
	    NULL ||
	    (d->pump_ev = event_new(base, -1, 0, pump_cb, d)) == NULL ||
	    (d->house_ev = event_new(base, -1, EV_PERSIST, house_cb, d)) ==
	    NULL ||
	    (d->inbox_ev = event_new(base, -1, 0, inbox_cb, d)) == NULL ||
	    (d->ussd_ev = event_new(base, -1, 0, ussd_cb, d)) == NULL)
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

static void
bind_reset(struct gbind *b, const char *why)
{
	esme_reset(b->tx.e, why);
	if (b->rx.e != NULL)
		esme_reset(b->rx.e, why);
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
		bind_reset(d->binds[i], "exiting");
	for (b = d->retired; b != NULL; b = b->next_retired)
		bind_reset(b, "exiting");
	/* The last commit's answers still go through the binds. */
	batch_free(d->batch);
	/* Rows still inflight: the next start requeues them. */
	while ((m = TAILQ_FIRST(&d->stashq)) != NULL) {
		TAILQ_REMOVE(&d->stashq, m, entry);
		dmsg_free(m);
	}
	for (i = 0; i < d->nbinds; i++)
		bind_free(d->binds[i]);
	while ((b = d->retired) != NULL) {
		d->retired = b->next_retired;
		bind_free(b);
	}
	event_free(d->tick_ev);
	event_free(d->pump_ev);
	event_free(d->house_ev);
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
	int	 i;

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
	for (i = 0; i < d->nbinds; i++)
		bind_start(d->binds[i]);
}

/*
 * SIGHUP: binds are matched by name. A removed bind (or one that changes
 * between transceiver and pair) unbinds cleanly and a new one starts; a
 * changed address or credentials rebind; anything else changes in place
 * and the session stays.
 */
int
disp_reload(struct disp *d, const struct config *cfg, const char **errstr)
{
	struct gbind	*nb[CONFIG_BINDS_MAX], *b;
	struct esme_conf ec;
	int		 i, k, n = 0, found;

	if (disp_check_config(cfg, errstr) == -1)
		return -1;
	settings_from(d, cfg);
	for (k = 0; k < d->nbinds; k++) {
		b = d->binds[k];
		found = 0;
		for (i = 0; i < config_binds(cfg); i++)
			if (strcmp(config_bind_name(cfg, i), b->name) == 0 &&
			    bind_mode_of(cfg, i) == b->mode)
				found = 1;
		if (!found) {
			bind_retire(d, b);
			d->binds[k] = NULL;
		}
	}
	for (i = 0; i < config_binds(cfg) && i < CONFIG_BINDS_MAX; i++) {
		b = NULL;
		for (k = 0; k < d->nbinds; k++)
			if (d->binds[k] != NULL && strcmp(d->binds[k]->name,
			    config_bind_name(cfg, i)) == 0)
				b = d->binds[k];
		if (b == NULL) {
			b = bind_new(d, cfg, i);
			log_info("%s: new bind", b->name);
			bind_start(b);
		} else {
			bind_settings(b, cfg, i);
			esme_conf_from(cfg, i, b->pair ? ESME_TX : ESME_TRX,
			    &ec);
			if (esme_reconfigure(b->tx.e, &ec))
				log_info("%s: the SMSC settings changed: "
				    "rebinding", b->name);
			if (b->rx.e != NULL) {
				esme_conf_from(cfg, i, ESME_RX, &ec);
				(void)esme_reconfigure(b->rx.e, &ec);
			}
		}
		nb[n++] = b;
	}
	memcpy(d->binds, nb, (size_t)n * sizeof(nb[0]));
	d->nbinds = n;
	d->drained = 0;
	if (!d->stopping)
		disp_pump(d);
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
		side_stop(sides[i]);
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
