/*
 * sim_smpp: the SMSC side of the simulator. Sessions bind, submit and get
 * message ids; receipts, MO SMS and USSD wait in one queue for any session
 * bound as a receiver (an SMSC keeps them across reconnects, and so must
 * we, or the gateway's crash tests prove nothing). Faults are options.
 * Everything per PDU is O(1): FIFO queues, a hash of outstanding
 * deliver_sm by sequence, buffered logging without fsync. With --tls-cert
 * the port speaks SMPP over TLS only (a libevent OpenSSL bufferevent per
 * session), as an operator's TLS endpoint does.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "log.h"
#include "pdu.h"
#include "sim.h"
#include "smstext.h"
#include "util.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define SESS_TX		0x01
#define SESS_RX		0x02

#define DLV_RETRY_MS	1000
#define LOG_LINE	4096

/* A deliver_sm encoded once; its sequence is patched when it is sent. */
struct dlv {
	TAILQ_ENTRY(dlv)	 entry;
	int64_t			 due;
	uint32_t		 seq;
	size_t			 len;
	uint8_t			 pdu[];
};
TAILQ_HEAD(dlvq, dlv);

/* A response held back by --delay. */
struct held {
	TAILQ_ENTRY(held)	 entry;
	int64_t			 due;
	size_t			 len;
	uint8_t			 pdu[];
};

/* Outstanding deliver_sm by sequence: open addressing, linear probing. */
struct seqmap {
	uint32_t		*key;
	struct dlv		**val;
	size_t			 cap;
	size_t			 n;
};

struct sess {
	TAILQ_ENTRY(sess)	 entry;
	struct bufferevent	*bev;
	uint64_t		 id;
	char			 peer[64];
	int			 mode;
	int			 dead;
	int			 closing;	/* after unbind_resp is out */
	int			 unbinding;	/* our unbind is out */
	int			 withhold;
	unsigned		 npdu;
	unsigned		 nsubmit;
	uint32_t		 seq;
	unsigned		 enq_pending;
	struct seqmap		 out;
	TAILQ_HEAD(, held)	 heldq;
	struct event		*held_ev;
};

struct ussd_sess {
	char			 msisdn[24];
	char			 code[24];
	long			 session;
	int64_t			 used;
};

#define USSD_SESSIONS	1024	/* numbers dialled at once: 100 in tests */

static TAILQ_HEAD(, sess)	 sessions = TAILQ_HEAD_INITIALIZER(sessions);
static struct dlvq		 waitq = TAILQ_HEAD_INITIALIZER(waitq);
static struct dlvq		 readyq = TAILQ_HEAD_INITIALIZER(readyq);
static struct event		*wait_ev;
static struct event		*enq_ev;
static struct evconnlistener	*listener;
static SSL_CTX			*tls_ctx;	/* --tls-cert: TLS only */
/* Where we listen, to listen again after `set refuse 0`. */
static struct sockaddr_in	 listen_sin;
static FILE			*submit_log;
static FILE			*deliver_log;
static uint64_t			 next_sess = 1;
static uint64_t			 next_msgid = 1;
static unsigned			 submit_count;
static double			 tps_tokens;
static int64_t			 tps_last;
static uint16_t			 concat_ref;
static long			 ussd_next_session = 1;
static struct ussd_sess		 ussd[USSD_SESSIONS];

static struct {
	uint64_t	 binds, bind_fail, sessions, pdus, submits, accepted;
	uint64_t	 throttled, qfull, receipts, mo, ussd, delivered;
	uint64_t	 deliver_retry, deliver_failed, nacks_sent;
	uint64_t	 nacks_received, enquire_sent, faults, drops;
	uint64_t	 inflight;
} st;

static void	 sess_close(struct sess *, const char *);
static void	 pump(void);

/*
 * The map of outstanding deliver_sm.
 */

static size_t
seqmap_slot(const struct seqmap *m, uint32_t seq)
{
	return (seq * 2654435761U) & (m->cap - 1);
}

static void
seqmap_put(struct seqmap *m, uint32_t seq, struct dlv *d)
{
	struct seqmap	 old;
	size_t		 i;

	if ((m->n + 1) * 2 > m->cap) {
		old = *m;
		m->cap = old.cap == 0 ? 64 : old.cap * 2;
		m->key = xcalloc(m->cap, sizeof(*m->key));
		m->val = xcalloc(m->cap, sizeof(*m->val));
		m->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.key[i] != 0)
				seqmap_put(m, old.key[i], old.val[i]);
		free(old.key);
		free(old.val);
	}
	for (i = seqmap_slot(m, seq); m->key[i] != 0;
	    i = (i + 1) & (m->cap - 1))
		;
	m->key[i] = seq;
	m->val[i] = d;
	m->n++;
}

static struct dlv *
seqmap_take(struct seqmap *m, uint32_t seq)
{
	struct dlv	*d;
	size_t		 i, j, k;

	if (m->n == 0 || seq == 0)
		return NULL;
	for (i = seqmap_slot(m, seq); m->key[i] != seq;
	    i = (i + 1) & (m->cap - 1))
		if (m->key[i] == 0)
			return NULL;
	d = m->val[i];
	m->key[i] = 0;
	m->n--;
	/* Shift back the entries that probed past the hole. */
	for (j = (i + 1) & (m->cap - 1); m->key[j] != 0;
	    j = (j + 1) & (m->cap - 1)) {
		k = seqmap_slot(m, m->key[j]);
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			m->key[j] = 0;
			i = j;
		}
	}
	return d;
}

/*
 * Writing PDUs.
 */

static void
sess_write(struct sess *s, const uint8_t *buf, size_t len)
{
	if (s->dead)
		return;
	if (bufferevent_write(s->bev, buf, len) == -1)
		sess_close(s, "write failed");
}

static void
sess_send(struct sess *s, const struct pdu *p)
{
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len;
	const char	*err;

	if (pdu_encode(p, buf, sizeof(buf), &len, &err) == -1) {
		log_warnx("session %" PRIu64 ": cannot encode %s: %s", s->id,
		    pdu_command_name(p->cmd), err);
		return;
	}
	if (conf.verbose)
		log_debug("session %" PRIu64 ": > %s seq=%u status=%s", s->id,
		    pdu_command_name(p->cmd), p->seq,
		    pdu_status_name(p->status));
	sess_write(s, buf, len);
}

static void
held_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct sess	*s = arg;
	struct held	*h;
	struct timeval	 tv;
	int64_t		 now = clock_mono_ms(), ms;

	(void)fd;
	(void)ev;
	while ((h = TAILQ_FIRST(&s->heldq)) != NULL && h->due <= now) {
		TAILQ_REMOVE(&s->heldq, h, entry);
		sess_write(s, h->pdu, h->len);
		free(h);
	}
	if (h != NULL) {
		ms = h->due - now;
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		if (evtimer_add(s->held_ev, &tv) == -1)
			fatalx("evtimer_add");
	}
}

/* A response, now or --delay ms later (in order: the delay is fixed). */
static void
sess_respond(struct sess *s, const struct pdu *p)
{
	struct held	*h;
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len;
	const char	*err;
	struct timeval	 tv;

	if (conf.delay_ms <= 0) {
		sess_send(s, p);
		return;
	}
	if (pdu_encode(p, buf, sizeof(buf), &len, &err) == -1) {
		log_warnx("cannot encode %s: %s", pdu_command_name(p->cmd),
		    err);
		return;
	}
	h = xmalloc(sizeof(*h) + len);
	h->due = clock_mono_ms() + conf.delay_ms;
	h->len = len;
	memcpy(h->pdu, buf, len);
	if (TAILQ_EMPTY(&s->heldq)) {
		tv.tv_sec = conf.delay_ms / 1000;
		tv.tv_usec = (conf.delay_ms % 1000) * 1000;
		if (evtimer_add(s->held_ev, &tv) == -1)
			fatalx("evtimer_add");
	}
	TAILQ_INSERT_TAIL(&s->heldq, h, entry);
}

static void
nack(struct sess *s, uint32_t seq, uint32_t status)
{
	struct pdu	 p;

	pdu_init(&p, PDU_GENERIC_NACK, seq);
	p.status = status;
	st.nacks_sent++;
	sess_respond(s, &p);
}

/*
 * The deliver queue: receipts wait in waitq for their delay, then join
 * MO and USSD in readyq until a receiver session has room.
 */

static struct dlv *
dlv_new(const struct pdu *p, const char **errstr)
{
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len;
	struct dlv	*d;

	if (pdu_encode(p, buf, sizeof(buf), &len, errstr) == -1)
		return NULL;
	d = xmalloc(sizeof(*d) + len);
	memset(d, 0, sizeof(*d));
	d->len = len;
	memcpy(d->pdu, buf, len);
	return d;
}

static void
dlv_free(struct dlv *d)
{
	free(d);
}

static void
wait_schedule(void)
{
	struct dlv	*d;
	struct timeval	 tv;
	int64_t		 ms;

	if ((d = TAILQ_FIRST(&waitq)) == NULL)
		return;
	ms = d->due - clock_mono_ms();
	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (evtimer_add(wait_ev, &tv) == -1)
		fatalx("evtimer_add");
}

static void
wait_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dlv	*d;
	int64_t		 now = clock_mono_ms();

	(void)fd;
	(void)ev;
	(void)arg;
	while ((d = TAILQ_FIRST(&waitq)) != NULL && d->due <= now) {
		TAILQ_REMOVE(&waitq, d, entry);
		TAILQ_INSERT_TAIL(&readyq, d, entry);
	}
	pump();
	wait_schedule();
}

/* Receipts wait in due order: every delay in the queue is the same. */
static void
dlv_wait(struct dlv *d, int64_t ms)
{
	struct dlv	*last;

	d->due = clock_mono_ms() + ms;
	last = TAILQ_LAST(&waitq, dlvq);
	if (last != NULL && last->due > d->due) {
		/* A retry, or --receipt-delay changed: keep the order. */
		while (last != NULL && last->due > d->due)
			last = TAILQ_PREV(last, dlvq, entry);
		if (last == NULL)
			TAILQ_INSERT_HEAD(&waitq, d, entry);
		else
			TAILQ_INSERT_AFTER(&waitq, last, d, entry);
	} else
		TAILQ_INSERT_TAIL(&waitq, d, entry);
	if (TAILQ_FIRST(&waitq) == d)
		wait_schedule();
}

static void
sess_deliver(struct sess *s, struct dlv *d)
{
	uint32_t	 wire;

	d->seq = pdu_seq_next(&s->seq);
	/*
	 * drive_smpp numbers every deliver_sm 0; the map keeps its own
	 * number and deliver_resp takes the one outstanding (window 1).
	 */
	wire = conf.deliver_seq0 ? 0 : d->seq;
	d->pdu[12] = wire >> 24;
	d->pdu[13] = wire >> 16;
	d->pdu[14] = wire >> 8;
	d->pdu[15] = wire;
	seqmap_put(&s->out, d->seq, d);
	st.inflight++;
	sess_write(s, d->pdu, d->len);
}

static int
sess_can_take(const struct sess *s)
{
	return !s->dead && !s->closing && !s->unbinding && !s->withhold &&
	    !conf.withhold && (s->mode & SESS_RX) &&
	    s->out.n < (conf.deliver_seq0 ? 1 : conf.window);
}

static void
pump(void)
{
	struct sess	*s;
	struct dlv	*d;

	TAILQ_FOREACH(s, &sessions, entry) {
		while (sess_can_take(s) && (d = TAILQ_FIRST(&readyq)) != NULL) {
			TAILQ_REMOVE(&readyq, d, entry);
			sess_deliver(s, d);
		}
		if (TAILQ_EMPTY(&readyq))
			break;
	}
}

static void
deliver_resp(struct sess *s, const struct pdu *p)
{
	struct dlv	*d;
	uint32_t	 seq = p->seq;
	size_t		 i;

	if (conf.deliver_seq0 && seq == 0)
		for (i = 0; i < s->out.cap; i++)
			if (s->out.key[i] != 0)
				seq = s->out.key[i];
	if ((d = seqmap_take(&s->out, seq)) == NULL) {
		log_debug("session %" PRIu64 ": %s for seq %u not sent",
		    s->id, pdu_command_name(p->cmd), p->seq);
		return;
	}
	st.inflight--;
	switch (p->status) {
	case PDU_ROK:
		st.delivered++;
		dlv_free(d);
		break;
	case PDU_RX_T_APPN:
	case PDU_RTHROTTLED:
	case PDU_RMSGQFUL:
	case PDU_RSYSERR:
		/* The ESME could not store it yet: as an SMSC would, retry. */
		st.deliver_retry++;
		dlv_wait(d, DLV_RETRY_MS);
		break;
	default:
		log_info("session %" PRIu64 ": deliver_sm refused with %s",
		    s->id, pdu_status_name(p->status));
		st.deliver_failed++;
		dlv_free(d);
		break;
	}
	pump();
}

/*
 * Receipts.
 */

static void
msgid_format(uint64_t id, char *buf, size_t size)
{
	if (util_snprintf(buf, size, "%08" PRIx64, id) == -1)
		fatalx("message id");
}

static void
receipt_queue(const struct pdu *sub, const char *msgid, time_t submitted)
{
	struct pdu		 p;
	struct pdu_receipt	 r;
	struct dlv		*d;
	const char		*err;
	char			 text[128];
	unsigned long long	 dec;
	size_t			 i, o;
	int			 final;

	final = conf.receipt_state == PDU_STATE_DELIVERED ||
	    conf.receipt_state == PDU_STATE_ACCEPTED ||
	    conf.receipt_state == PDU_STATE_ENROUTE;
	switch (sub->registered_delivery & 0x03) {
	case 1:
		break;
	case 2:
		if (final)
			return;
		break;
	default:
		return;
	}

	memset(&r, 0, sizeof(r));
	if (conf.receipt_id_dec) {
		/* Some SMSCs answer in hex and report in decimal. */
		dec = strtoull(msgid, NULL, 16);
		if (util_snprintf(r.id, sizeof(r.id), "%llu", dec) == -1)
			return;
	} else
		(void)util_strlcpy(r.id, msgid, sizeof(r.id));
	if (conf.receipt_id_width > 0 && strlen(r.id) <
	    (size_t)conf.receipt_id_width) {
		/* Leading zeros the submit_sm_resp did not have. */
		char	 pad[65];

		if (util_snprintf(pad, sizeof(pad), "%0*d%s",
		    conf.receipt_id_width - (int)strlen(r.id), 0, r.id) == -1)
			return;
		(void)util_strlcpy(r.id, pad, sizeof(r.id));
	}
	r.sub = 1;
	r.dlvrd = conf.receipt_state == PDU_STATE_DELIVERED ? 1 : 0;
	r.submit_date = submitted;
	r.done_date = clock_now() + (conf.receipt_ms > 0 ?
	    conf.receipt_ms / 1000 : 0);
	r.state = conf.receipt_state;
	r.err = conf.receipt_err;
	/* The first 20 characters, ASCII only: receipts travel as GSM. */
	text_decode(sub, text, sizeof(text));
	for (i = 0, o = 0; text[i] != '\0' && o < 20; i++) {
		if ((text[i] & 0xc0) == 0x80)
			continue;
		r.text[o++] = (text[i] & 0x80) || text[i] < 0x20 ? '?' :
		    text[i];
	}
	r.text[o] = '\0';

	pdu_init(&p, PDU_DELIVER_SM, 1);
	p.src = sub->dst;
	p.dst = sub->src;
	p.esm_class = PDU_ESM_RECEIPT;
	if (pdu_receipt_format(&r, (char *)p.data, PDU_SM_MAX + 1) == -1)
		return;
	p.data_len = strlen((char *)p.data);
	if (!conf.receipt_no_tlv) {
		p.opt = PDU_OPT_RECEIPTED_ID | PDU_OPT_MSG_STATE;
		(void)util_strlcpy(p.receipted_message_id, msgid,
		    sizeof(p.receipted_message_id));
		p.message_state = conf.receipt_state;
		if (conf.receipt_err != 0) {
			p.opt |= PDU_OPT_NET_ERROR;
			p.network_error_code[0] = 3;	/* GSM */
			p.network_error_code[1] = conf.receipt_err >> 8;
			p.network_error_code[2] = conf.receipt_err & 0xff;
		}
	}
	if ((d = dlv_new(&p, &err)) == NULL) {
		log_warnx("receipt for %s: %s", msgid, err);
		return;
	}
	st.receipts++;
	if (conf.receipt_first || conf.receipt_ms <= 0) {
		TAILQ_INSERT_TAIL(&readyq, d, entry);
		pump();
	} else
		dlv_wait(d, conf.receipt_ms);
}

/*
 * Requests from the ESME.
 */

/* One line per submit_sm, in a fixed order, for tests to grep. */
static void
log_submit(struct sess *s, const struct pdu *p, const char *msgid)
{
	static char	 hex[2 * PDU_PAYLOAD_MAX + 1];
	static char	 text[3 * PDU_PAYLOAD_MAX + 1], esc[2 * sizeof(text)];
	char		 src[32], dst[32], udh[64];
	size_t		 ul;

	if (submit_log == NULL)
		return;
	ul = pdu_udh_len(p);
	(void)pdu_addr_format(&p->src, src, sizeof(src));
	(void)pdu_addr_format(&p->dst, dst, sizeof(dst));
	text_hex(p->data, ul, udh, sizeof(udh));
	text_hex(p->data + ul, p->data_len - ul, hex, sizeof(hex));
	text_decode(p, text, sizeof(text));
	text_escape(text, esc, sizeof(esc));
	if (fprintf(submit_log, "submit seq=%u sess=%" PRIu64 " status=0x%02x "
	    "id=%s src=%s dst=%s dcs=%u esm=0x%02x reg=%u svc=%s",
	    p->seq, s->id, p->status, msgid[0] != '\0' ? msgid : "-", src, dst,
	    p->data_coding, p->esm_class, p->registered_delivery,
	    p->service_type[0] != '\0' ? p->service_type : "-") < 0)
		goto fail;
	if (p->validity[0] != '\0' &&
	    fprintf(submit_log, " validity=%s", p->validity) < 0)
		goto fail;
	if ((p->opt & PDU_OPT_SAR) && fprintf(submit_log, " sar=%u/%u/%u",
	    p->sar_msg_ref_num, p->sar_total_segments,
	    p->sar_segment_seqnum) < 0)
		goto fail;
	if ((p->opt & PDU_OPT_USSD_OP) &&
	    fprintf(submit_log, " ussd=%u", p->ussd_service_op) < 0)
		goto fail;
	if ((p->opt & PDU_OPT_ITS_SESSION) &&
	    fprintf(submit_log, " its=%u", p->its_session_info) < 0)
		goto fail;
	if (fprintf(submit_log, "%s udh=%s text_hex=%s text=%s\n",
	    (p->opt & PDU_OPT_PAYLOAD) ? " payload=1" : "", udh, hex, esc) < 0)
		goto fail;
	return;
fail:
	log_warn("submit log");
}

/*
 * One line per MO SMS part or USSD string handed to the ESME, so a test
 * can see every text that crossed the wire in both directions.
 */
static void
log_deliver(const struct pdu *p)
{
	static char	 text[3 * PDU_PAYLOAD_MAX + 1], esc[2 * sizeof(text)];
	char		 src[32], dst[32];

	if (deliver_log == NULL)
		return;
	(void)pdu_addr_format(&p->src, src, sizeof(src));
	(void)pdu_addr_format(&p->dst, dst, sizeof(dst));
	text_decode(p, text, sizeof(text));
	text_escape(text, esc, sizeof(esc));
	if (fprintf(deliver_log, "deliver src=%s dst=%s dcs=%u esm=0x%02x "
	    "svc=%s", src, dst, p->data_coding, p->esm_class,
	    p->service_type[0] != '\0' ? p->service_type : "-") < 0 ||
	    ((p->opt & PDU_OPT_USSD_OP) &&
	    fprintf(deliver_log, " ussd=%u", p->ussd_service_op) < 0) ||
	    ((p->opt & PDU_OPT_ITS_SESSION) &&
	    fprintf(deliver_log, " its=%u", p->its_session_info) < 0) ||
	    fprintf(deliver_log, " text=%s\n", esc) < 0)
		log_warn("deliver log");
}

static uint32_t
submit_fault(void)
{
	int64_t	 now;

	submit_count++;
	if (conf.throttle_every > 0 && submit_count % conf.throttle_every == 0)
		return PDU_RTHROTTLED;
	if (conf.qfull_every > 0 && submit_count % conf.qfull_every == 0)
		return PDU_RMSGQFUL;
	if (conf.max_tps > 0) {
		now = clock_mono_ms();
		tps_tokens += (double)(now - tps_last) * conf.max_tps / 1000.0;
		tps_last = now;
		if (tps_tokens > conf.max_tps)
			tps_tokens = conf.max_tps;
		if (tps_tokens < 1.0)
			return PDU_RTHROTTLED;
		tps_tokens -= 1.0;
	}
	return PDU_ROK;
}

static void
do_submit(struct sess *s, struct pdu *p)
{
	struct pdu	 r;
	char		 msgid[65];
	uint32_t	 status;

	st.submits++;
	s->nsubmit++;
	msgid[0] = '\0';
	if (!(s->mode & SESS_TX))
		status = PDU_RINVBNDSTS;
	else if (p->dst.addr[0] == '\0')
		status = PDU_RINVDSTADR;
	else
		status = submit_fault();
	pdu_init_resp(&r, p, status);
	if (status == PDU_RTHROTTLED)
		st.throttled++;
	else if (status == PDU_RMSGQFUL)
		st.qfull++;
	if (status == PDU_ROK && conf.msgid_const != NULL) {
		/* The SMSC's own row still counts, for its receipts. */
		st.accepted++;
		next_msgid++;
		(void)util_strlcpy(msgid, conf.msgid_const, sizeof(msgid));
		(void)util_strlcpy(r.message_id, msgid, sizeof(r.message_id));
	} else if (status == PDU_ROK) {
		st.accepted++;
		msgid_format(next_msgid++, msgid, sizeof(msgid));
		(void)util_strlcpy(r.message_id, msgid, sizeof(r.message_id));
	}
	p->status = status;
	log_submit(s, p, msgid);
	load_submit(p);
	if (status == PDU_ROK) {
		if (conf.receipt_first && conf.receipt_ms >= 0)
			receipt_queue(p, msgid, clock_now());
		sess_respond(s, &r);
		if (!conf.receipt_first && conf.receipt_ms >= 0)
			receipt_queue(p, msgid, clock_now());
		ctl_notify(p);
	} else
		sess_respond(s, &r);
	if (conf.fault != FAULT_NONE && conf.fault_every > 0 &&
	    s->nsubmit % conf.fault_every == 0)
		(void)smpp_fault(conf.fault);
}

static void
do_bind(struct sess *s, const struct pdu *p)
{
	struct pdu	 r;
	uint32_t	 status = PDU_ROK;

	if (s->mode != 0)
		status = PDU_RALYBND;
	else if (conf.system_id[0] != '\0' &&
	    strcmp(p->system_id, conf.system_id) != 0)
		status = PDU_RINVSYSID;
	else if (strcmp(p->password, conf.password) != 0)
		status = PDU_RINVPASWD;
	pdu_init_resp(&r, p, status);
	/* osmo-msc answers bind_receiver with a bind_transmitter_resp. */
	if (conf.bind_rx_as_tx && p->cmd == PDU_BIND_RECEIVER)
		r.cmd = PDU_BIND_TRANSMITTER_RESP;
	(void)util_strlcpy(r.system_id, "smscsim", sizeof(r.system_id));
	if (status == PDU_ROK) {
		r.opt = PDU_OPT_SC_VERSION;
		r.sc_interface_version = 0x34;
	}
	sess_respond(s, &r);
	if (status != PDU_ROK) {
		st.bind_fail++;
		log_info("session %" PRIu64 ": %s as \"%s\" refused: %s", s->id,
		    pdu_command_name(p->cmd), p->system_id,
		    pdu_status_name(status));
		return;
	}
	st.binds++;
	switch (p->cmd) {
	case PDU_BIND_TRANSMITTER:
		s->mode = SESS_TX;
		break;
	case PDU_BIND_RECEIVER:
		s->mode = SESS_RX;
		break;
	default:
		s->mode = SESS_TX | SESS_RX;
		break;
	}
	log_info("session %" PRIu64 ": %s as \"%s\" from %s", s->id,
	    pdu_command_name(p->cmd), p->system_id, s->peer);
	if (s->mode & SESS_RX)
		load_bound();
	pump();
}

static void
sess_pdu(struct sess *s, const uint8_t *buf, size_t len)
{
	static struct pdu	 p;
	struct pdu		 r;
	uint32_t		 nack_status;
	const char		*err;

	st.pdus++;
	s->npdu++;
	if (conf.drop_after > 0 && s->npdu >= conf.drop_after) {
		st.drops++;
		sess_close(s, "dropping the connection (--drop-after)");
		return;
	}
	if (conf.withhold_after > 0 && s->npdu > conf.withhold_after)
		s->withhold = 1;
	if (conf.withhold || s->withhold)
		return;
	if (pdu_decode(buf, len, &p, &nack_status, &err) == -1) {
		log_info("session %" PRIu64 ": %s seq=%u refused: %s (%s)",
		    s->id, pdu_command_name(p.cmd), p.seq, err,
		    pdu_status_name(nack_status));
		nack(s, p.seq, nack_status);
		return;
	}
	if (conf.verbose)
		log_debug("session %" PRIu64 ": < %s seq=%u status=%s", s->id,
		    pdu_command_name(p.cmd), p.seq, pdu_status_name(p.status));

	switch (p.cmd) {
	case PDU_BIND_TRANSCEIVER:
		if (conf.bind_trx == BIND_TRX_IGNORE) {
			log_info("session %" PRIu64 ": bind_transceiver "
			    "ignored (--bind-trx ignore)", s->id);
			return;
		}
		if (conf.bind_trx == BIND_TRX_NACK) {
			st.bind_fail++;
			nack(s, p.seq, PDU_RINVCMDID);
			return;
		}
		do_bind(s, &p);
		return;
	case PDU_BIND_TRANSMITTER:
	case PDU_BIND_RECEIVER:
		do_bind(s, &p);
		return;
	case PDU_ENQUIRE_LINK:
		pdu_init_resp(&r, &p, PDU_ROK);
		sess_respond(s, &r);
		return;
	case PDU_ENQUIRE_LINK_RESP:
		s->enq_pending = 0;
		return;
	case PDU_UNBIND:
		pdu_init_resp(&r, &p, PDU_ROK);
		sess_respond(s, &r);
		s->closing = 1;
		log_info("session %" PRIu64 ": unbind", s->id);
		return;
	case PDU_UNBIND_RESP:
		sess_close(s, "unbound");
		return;
	case PDU_DELIVER_SM_RESP:
		deliver_resp(s, &p);
		return;
	case PDU_GENERIC_NACK:
		st.nacks_received++;
		log_info("session %" PRIu64 ": generic_nack seq=%u %s", s->id,
		    p.seq, pdu_status_name(p.status));
		/* A nack to a deliver_sm answers it. */
		if (seqmap_take(&s->out, p.seq) != NULL)
			log_warnx("session %" PRIu64 ": deliver_sm seq=%u "
			    "nacked and dropped", s->id, p.seq);
		return;
	default:
		break;
	}
	if (s->mode == 0) {
		if (p.cmd & PDU_RESP)
			return;
		pdu_init_resp(&r, &p, PDU_RINVBNDSTS);
		sess_respond(s, &r);
		return;
	}
	switch (p.cmd) {
	case PDU_SUBMIT_SM:
		do_submit(s, &p);
		break;
	default:
		if (!(p.cmd & PDU_RESP))
			nack(s, p.seq, PDU_RINVCMDID);
		break;
	}
}

/*
 * Session life.
 */

static void
sess_free_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct sess	*s = arg;
	struct held	*h;

	(void)fd;
	(void)ev;
	while ((h = TAILQ_FIRST(&s->heldq)) != NULL) {
		TAILQ_REMOVE(&s->heldq, h, entry);
		free(h);
	}
	event_free(s->held_ev);
	bufferevent_free(s->bev);
	free(s->out.key);
	free(s->out.val);
	free(s);
}

/* Close now; the struct goes after this callback returns. */
static void
sess_close(struct sess *s, const char *why)
{
	struct dlv	*d;
	size_t		 i, n = 0;
	struct timeval	 tv = { 0, 0 };

	if (s->dead)
		return;
	s->dead = 1;
	if (bufferevent_disable(s->bev, EV_READ | EV_WRITE) == -1)
		log_warnx("bufferevent_disable");
	if (evtimer_del(s->held_ev) == -1)
		log_warnx("evtimer_del");
	TAILQ_REMOVE(&sessions, s, entry);
	/* Unanswered deliver_sm go back first in line. */
	for (i = 0; i < s->out.cap; i++) {
		if (s->out.key[i] == 0)
			continue;
		d = s->out.val[i];
		TAILQ_INSERT_HEAD(&readyq, d, entry);
		st.inflight--;
		n++;
	}
	s->out.n = 0;
	log_info("session %" PRIu64 ": closed: %s%s", s->id, why,
	    n > 0 ? " (deliver_sm requeued)" : "");
	smpp_flush();
	if (event_base_once(base, -1, EV_TIMEOUT, sess_free_cb, s, &tv) == -1)
		fatalx("event_base_once");
	pump();
}

static void
sess_read_cb(struct bufferevent *bev, void *arg)
{
	struct sess	*s = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	const uint8_t	*buf;
	size_t		 len;
	enum pdu_frame	 f;

	while (!s->dead &&
	    (f = pdu_frame_evbuffer(in, &buf, &len)) == PDU_FRAME_OK) {
		sess_pdu(s, buf, len);
		if (evbuffer_drain(in, len) == -1)
			fatalx("evbuffer_drain");
	}
	if (!s->dead && f == PDU_FRAME_BROKEN)
		sess_close(s, "broken framing");
	smpp_flush();
}

static void
sess_write_cb(struct bufferevent *bev, void *arg)
{
	struct sess	*s = arg;

	(void)bev;
	if (s->closing && TAILQ_EMPTY(&s->heldq))
		sess_close(s, "unbound");
}

static void
sess_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct sess	*s = arg;

	unsigned long	 err, last = 0;
	char		 why[256];

	if (what & BEV_EVENT_CONNECTED) {
		log_info("session %" PRIu64 ": TLS handshake done", s->id);
		return;
	}
	/* Newest first; libevent's small SSL_get_error codes say nothing. */
	while (tls_ctx != NULL && (err = bufferevent_get_openssl_error(bev)) !=
	    0)
		if (last == 0 && ERR_GET_LIB(err) != 0)
			last = err;
	if (last != 0) {
		(void)util_strlcpy(why, "TLS: ", sizeof(why));
		ERR_error_string_n(last, why + 5, sizeof(why) - 5);
		sess_close(s, why);
	} else if (what & BEV_EVENT_EOF)
		sess_close(s, "peer closed");
	else if (what & BEV_EVENT_ERROR)
		sess_close(s, strerror(EVUTIL_SOCKET_ERROR()));
}

/* --tls-cert and --tls-key: TLS 1.2 at least, as the gateway asks. */
static int
tls_setup(void)
{
	if (conf.tls_cert == NULL && conf.tls_key == NULL)
		return 0;
	if (conf.tls_cert == NULL || conf.tls_key == NULL) {
		log_warnx("--tls-cert and --tls-key go together");
		return -1;
	}
	if ((tls_ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(tls_ctx, conf.tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(tls_ctx, conf.tls_key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(tls_ctx) != 1) {
		log_warnx("TLS with %s and %s: %s", conf.tls_cert,
		    conf.tls_key, ERR_error_string(ERR_get_error(), NULL));
		return -1;
	}
	return 0;
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct sess		*s;
	struct sockaddr_in	*sin;
	char			 addr[INET6_ADDRSTRLEN];
	int			 one = 1;

	(void)l;
	(void)salen;
	(void)arg;
	s = xcalloc(1, sizeof(*s));
	s->id = next_sess++;
	TAILQ_INIT(&s->heldq);
	if (sa->sa_family == AF_INET) {
		sin = (struct sockaddr_in *)sa;
		if (inet_ntop(AF_INET, &sin->sin_addr, addr,
		    sizeof(addr)) == NULL)
			(void)util_strlcpy(addr, "?", sizeof(addr));
		(void)util_snprintf(s->peer, sizeof(s->peer), "%s:%u", addr,
		    ntohs(sin->sin_port));
	} else
		(void)util_strlcpy(s->peer, "?", sizeof(s->peer));
	/* Small PDUs both ways: Nagle would hold responses back. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		log_warn("TCP_NODELAY");
	if (tls_ctx != NULL) {
		SSL	*ssl;

		if ((ssl = SSL_new(tls_ctx)) == NULL ||
		    (s->bev = bufferevent_openssl_socket_new(base, fd, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)) == NULL)
			fatalx("bufferevent_openssl_socket_new");
		bufferevent_openssl_set_allow_dirty_shutdown(s->bev, 1);
	} else if ((s->bev = bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("bufferevent_socket_new");
	if ((s->held_ev = evtimer_new(base, held_cb, s)) == NULL)
		fatalx("evtimer_new");
	bufferevent_setcb(s->bev, sess_read_cb, sess_write_cb, sess_event_cb,
	    s);
	/* Bound reading: a peer that floods waits for us like a real SMSC. */
	bufferevent_setwatermark(s->bev, EV_READ, 0, 1024 * 1024);
	if (bufferevent_enable(s->bev, EV_READ | EV_WRITE) == -1)
		fatalx("bufferevent_enable");
	TAILQ_INSERT_TAIL(&sessions, s, entry);
	st.sessions++;
	log_info("session %" PRIu64 ": connection from %s%s", s->id, s->peer,
	    tls_ctx != NULL ? " (TLS)" : "");
}

static void
enquire_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	(void)smpp_fault(FAULT_ENQUIRE);
}

int
smpp_listen(const char *addr, int port, int *bound)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	struct timeval		 tv;

	if (conf.msgid_base > 0)
		next_msgid = conf.msgid_base;
	if (tls_setup() == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		log_warnx("%s: not an IPv4 address", addr);
		return -1;
	}
	if ((listener = evconnlistener_new_bind(base, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&sin, sizeof(sin))) == NULL) {
		log_warn("listen on %s:%d", addr, port);
		return -1;
	}
	if (getsockname(evconnlistener_get_fd(listener),
	    (struct sockaddr *)&sin, &len) == -1) {
		log_warn("getsockname");
		return -1;
	}
	*bound = ntohs(sin.sin_port);
	listen_sin = sin;

	if (conf.submit_log != NULL) {
		if ((submit_log = fopen(conf.submit_log, "a")) == NULL) {
			log_warn("%s", conf.submit_log);
			return -1;
		}
		/* Written per read batch, never per PDU; no fsync at all. */
		if (setvbuf(submit_log, NULL, _IOFBF, 1 << 20) != 0)
			log_warnx("setvbuf");
	}
	if (conf.deliver_log != NULL) {
		if ((deliver_log = fopen(conf.deliver_log, "a")) == NULL) {
			log_warn("%s", conf.deliver_log);
			return -1;
		}
		if (setvbuf(deliver_log, NULL, _IOFBF, 1 << 16) != 0)
			log_warnx("setvbuf");
	}
	if ((wait_ev = evtimer_new(base, wait_cb, NULL)) == NULL)
		fatalx("evtimer_new");
	if (conf.enquire_s > 0) {
		if ((enq_ev = event_new(base, -1, EV_PERSIST, enquire_cb,
		    NULL)) == NULL)
			fatalx("event_new");
		tv.tv_sec = conf.enquire_s;
		tv.tv_usec = 0;
		if (event_add(enq_ev, &tv) == -1)
			fatalx("event_add");
	}
	tps_last = clock_mono_ms();
	tps_tokens = conf.max_tps;
	concat_ref = (uint16_t)(clock_now_ms() & 0xff);
	return 0;
}

/*
 * An SMSC that is down: on, the sessions close and the listening socket
 * too, so a connect meets ECONNREFUSED as from a host with nothing on the
 * port; off, the same port is listened on again.
 */
int
smpp_refuse(int on)
{
	struct sess	*s;

	if (on) {
		while ((s = TAILQ_FIRST(&sessions)) != NULL) {
			st.drops++;
			sess_close(s, "refusing connections (set refuse)");
		}
		if (listener != NULL) {
			evconnlistener_free(listener);
			listener = NULL;
			log_info("refusing connections");
		}
		return 0;
	}
	if (listener != NULL)
		return 0;
	if ((listener = evconnlistener_new_bind(base, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&listen_sin, sizeof(listen_sin))) ==
	    NULL) {
		log_warn("listen again on port %u", ntohs(listen_sin.sin_port));
		return -1;
	}
	log_info("taking connections again");
	return 0;
}

void
smpp_flush(void)
{
	if (submit_log != NULL && fflush(submit_log) == EOF)
		log_warn("submit log");
	if (deliver_log != NULL && fflush(deliver_log) == EOF)
		log_warn("deliver log");
}

/*
 * Injection and faults, from the control channel.
 */

static int
inject(struct pdu *p, const char **errstr)
{
	struct dlv	*d;

	if ((d = dlv_new(p, errstr)) == NULL)
		return -1;
	log_deliver(p);
	TAILQ_INSERT_TAIL(&readyq, d, entry);
	return 0;
}

int
smpp_inject_mo(const char *from, const char *to, const char *text, int ucs2,
    int payload, const char **errstr)
{
	static struct smstext_msg	 msg;
	struct smstext_opts		 opts;
	struct pdu			 p;
	size_t				 i, ul;

	memset(&opts, 0, sizeof(opts));
	opts.policy = ucs2 ? SMSTEXT_UCS2 : SMSTEXT_AUTO;
	opts.max_segments = SMSTEXT_SEGMENTS_CAP;
	opts.ref = concat_ref++;
	if (smstext_encode(text, strlen(text), &opts, &msg, errstr) == -1)
		return -1;
	pdu_init(&p, PDU_DELIVER_SM, 1);
	if (pdu_addr_set(&p.src, from) == -1 ||
	    pdu_addr_set(&p.dst, to) == -1) {
		*errstr = "bad address";
		return -1;
	}
	p.data_coding = msg.data_coding;
	if (payload) {
		/* One deliver_sm: the parts' user data without their UDHs. */
		p.opt = PDU_OPT_PAYLOAD;
		for (i = 0; i < msg.nsegments; i++) {
			ul = msg.seg[i].udh_len;
			if (p.data_len + msg.seg[i].len - ul >
			    PDU_PAYLOAD_MAX) {
				*errstr = "too long for message_payload";
				return -1;
			}
			memcpy(p.data + p.data_len, msg.seg[i].data + ul,
			    msg.seg[i].len - ul);
			p.data_len += msg.seg[i].len - ul;
		}
		if (inject(&p, errstr) == -1)
			return -1;
		st.mo++;
		pump();
		return 1;
	}
	p.esm_class = msg.esm_class;
	for (i = 0; i < msg.nsegments; i++) {
		memcpy(p.data, msg.seg[i].data, msg.seg[i].len);
		p.data_len = msg.seg[i].len;
		if (inject(&p, errstr) == -1)
			return -1;
		st.mo++;
	}
	pump();
	return (int)msg.nsegments;
}

/*
 * One part of a concatenated MO, numbered as the caller says, whether or
 * not the numbers make sense (segment 9 of 2 is how a broken or hostile
 * SMSC tests the ESME): a UDH with an 8-bit reference, or the SAR TLVs.
 */
int
smpp_inject_part(const char *from, const char *to, unsigned ref,
    unsigned seq, unsigned total, int sar, const char *text,
    const char **errstr)
{
	struct pdu	 p;
	size_t		 len = strlen(text), h = 0;

	if (ref > (sar ? 0xffffu : 0xffu) || seq > 255 || total > 255) {
		*errstr = "reference, part or total out of range";
		return -1;
	}
	if (len + 6 > PDU_SM_MAX) {
		*errstr = "text too long for one part";
		return -1;
	}
	pdu_init(&p, PDU_DELIVER_SM, 1);
	if (pdu_addr_set(&p.src, from) == -1 ||
	    pdu_addr_set(&p.dst, to) == -1) {
		*errstr = "bad address";
		return -1;
	}
	if (sar) {
		p.opt = PDU_OPT_SAR;
		p.sar_msg_ref_num = (uint16_t)ref;
		p.sar_segment_seqnum = (uint8_t)seq;
		p.sar_total_segments = (uint8_t)total;
	} else {
		/* UDH: length 5, IE 0x00 (8-bit reference), 3 octets. */
		p.esm_class = PDU_ESM_UDHI;
		p.data[h++] = 5;
		p.data[h++] = 0x00;
		p.data[h++] = 3;
		p.data[h++] = (uint8_t)ref;
		p.data[h++] = (uint8_t)total;
		p.data[h++] = (uint8_t)seq;
	}
	/* data_coding 0, a septet an octet: the plain ASCII tests send. */
	p.data_coding = 0;
	memcpy(p.data + h, text, len);
	p.data_len = h + len;
	if (inject(&p, errstr) == -1)
		return -1;
	st.mo++;
	pump();
	return 0;
}

static struct ussd_sess *
ussd_find(const char *msisdn, int create)
{
	struct ussd_sess	*u, *oldest = &ussd[0];
	size_t			 i;

	for (i = 0; i < USSD_SESSIONS; i++) {
		u = &ussd[i];
		if (strcmp(u->msisdn, msisdn) == 0)
			return u;
		if (u->used < oldest->used)
			oldest = u;
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	(void)util_strlcpy(oldest->msisdn, msisdn, sizeof(oldest->msisdn));
	return oldest;
}

int
smpp_inject_ussd(const char *from, const char *text, int op, long session,
    const char **errstr)
{
	static struct smstext_msg	 msg;
	struct smstext_opts		 opts;
	struct ussd_sess		*u;
	struct pdu			 p;
	const char			*digits;
	size_t				 n;

	if (op < 0)
		op = text[0] == '*' ? PDU_USSD_PSSR_IND : PDU_USSD_USSR_CONF;
	u = ussd_find(from, 1);
	u->used = clock_mono_ms();
	if (op == PDU_USSD_PSSR_IND) {
		/* "*505*1#" is service 505: the digits after the star. */
		digits = text + (text[0] == '*');
		n = strspn(digits, "0123456789");
		if (n == 0 || n >= sizeof(u->code)) {
			*errstr = "a USSD string starts with *digits";
			return -1;
		}
		memcpy(u->code, digits, n);
		u->code[n] = '\0';
		u->session = ussd_next_session++ & 0xffff;
	}
	if (u->code[0] == '\0') {
		*errstr = "no USSD session for this number: dial *code# first";
		return -1;
	}
	if (session == -2)
		session = u->session;
	else if (session >= 0)
		u->session = session;

	memset(&opts, 0, sizeof(opts));
	opts.policy = SMSTEXT_AUTO;
	opts.max_segments = 1;
	if (smstext_encode(text, strlen(text), &opts, &msg, errstr) == -1)
		return -1;
	pdu_init(&p, PDU_DELIVER_SM, 1);
	(void)util_strlcpy(p.service_type, "USSD", sizeof(p.service_type));
	if (pdu_addr_set(&p.src, from) == -1 ||
	    pdu_addr_set(&p.dst, u->code) == -1) {
		*errstr = "bad address";
		return -1;
	}
	p.data_coding = msg.data_coding;
	memcpy(p.data, msg.seg[0].data, msg.seg[0].len);
	p.data_len = msg.seg[0].len;
	p.opt = PDU_OPT_USSD_OP;
	p.ussd_service_op = (uint8_t)op;
	if (session >= 0) {
		p.opt |= PDU_OPT_ITS_SESSION;
		p.its_session_info = (uint16_t)session;
	}
	if (inject(&p, errstr) == -1)
		return -1;
	st.ussd++;
	pump();
	return 1;
}

int
smpp_fault_parse(const char *s, enum sim_fault *f)
{
	static const struct {
		const char	*name;
		enum sim_fault	 f;
	} names[] = {
		{ "malformed", FAULT_MALFORMED }, { "tlv40", FAULT_TLV40 },
		{ "unknown", FAULT_UNKNOWN }, { "len4", FAULT_LEN4 },
		{ "len10m", FAULT_LEN10M }, { "random", FAULT_RANDOM },
		{ "enquire", FAULT_ENQUIRE }, { "unbind", FAULT_UNBIND },
	};
	size_t	 i;

	for (i = 0; i < nitems(names); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*f = names[i].f;
			return 0;
		}
	}
	return -1;
}

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

/* Hostile bytes are written by hand: no encoder would produce them. */
static size_t
fault_bytes(struct sess *s, enum sim_fault f, uint8_t *b, size_t size)
{
	static const uint8_t	 mo[] = {
		0, 1, 1, '3', '7', '1', '2', '0', '0', '0', '0', '0', '0', '1',
		0, 0, 0, '5', '0', '5', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,
		'T', 'L', 'V', '4', '0',
	};
	size_t			 n, i;
	uint32_t		 seq = pdu_seq_next(&s->seq);

	memset(b, 0, PDU_HEADER_LEN);
	put32(b + 12, seq);
	switch (f) {
	case FAULT_MALFORMED:
		/* A deliver_sm whose destination_addr never ends. */
		n = PDU_HEADER_LEN + 20;
		put32(b, (uint32_t)n);
		put32(b + 4, PDU_DELIVER_SM);
		memcpy(b + PDU_HEADER_LEN, mo, 17);
		memset(b + PDU_HEADER_LEN + 17, '9', 3);
		return n;
	case FAULT_TLV40:
		n = PDU_HEADER_LEN;
		memcpy(b + n, mo, sizeof(mo));
		n += sizeof(mo);
		for (i = 0; i < 40 && n + 6 <= size; i++) {
			b[n++] = 0x14;
			b[n++] = (uint8_t)(i + 1);
			b[n++] = 0;
			b[n++] = 2;
			b[n++] = 0xab;
			b[n++] = 0xcd;
		}
		put32(b, (uint32_t)n);
		put32(b + 4, PDU_DELIVER_SM);
		return n;
	case FAULT_UNKNOWN:
		put32(b, PDU_HEADER_LEN);
		put32(b + 4, 0x00000666);
		return PDU_HEADER_LEN;
	case FAULT_LEN4:
		put32(b, 4);
		put32(b + 4, PDU_ENQUIRE_LINK);
		return PDU_HEADER_LEN;
	case FAULT_LEN10M:
		put32(b, 10 * 1024 * 1024);
		put32(b + 4, PDU_DELIVER_SM);
		return PDU_HEADER_LEN;
	case FAULT_RANDOM:
		for (i = 0; i < 64; i++)
			b[i] = (uint8_t)arc4random();
		return 64;
	default:
		return 0;
	}
}

int
smpp_fault(enum sim_fault f)
{
	struct sess	*s, *next;
	struct pdu	 p;
	uint8_t		 buf[512];
	size_t		 n;
	int		 count = 0;

	TAILQ_FOREACH_SAFE(s, &sessions, entry, next) {
		if (s->mode == 0 || s->dead || s->closing || s->unbinding)
			continue;
		if (f == FAULT_ENQUIRE && (s->withhold || conf.withhold))
			continue;
		count++;
		switch (f) {
		case FAULT_ENQUIRE:
			pdu_init(&p, PDU_ENQUIRE_LINK, pdu_seq_next(&s->seq));
			if (s->enq_pending++ > 3)
				log_info("session %" PRIu64 ": %u enquire_link "
				    "unanswered", s->id, s->enq_pending);
			st.enquire_sent++;
			sess_send(s, &p);
			break;
		case FAULT_UNBIND:
			pdu_init(&p, PDU_UNBIND, pdu_seq_next(&s->seq));
			sess_send(s, &p);
			s->unbinding = 1;
			break;
		default:
			n = fault_bytes(s, f, buf, sizeof(buf));
			st.faults++;
			log_info("session %" PRIu64 ": sending a fault (%zu "
			    "bytes)", s->id, n);
			sess_write(s, buf, n);
			break;
		}
	}
	return count;
}

void
smpp_stats(char *buf, size_t size)
{
	size_t		 nsess = 0, nwait = 0, nready = 0, ntx = 0, nrx = 0,
			 ntrx = 0, n;
	struct sess	*s;
	struct dlv	*d;

	TAILQ_FOREACH(s, &sessions, entry) {
		nsess++;
		if (s->dead || s->closing)
			continue;
		if (s->mode == (SESS_TX | SESS_RX))
			ntrx++;
		else if (s->mode == SESS_TX)
			ntx++;
		else if (s->mode == SESS_RX)
			nrx++;
	}
	/* The control channel is not the hot path: counting is fine. */
	TAILQ_FOREACH(d, &waitq, entry)
		nwait++;
	TAILQ_FOREACH(d, &readyq, entry)
		nready++;
	(void)util_snprintf(buf, size, "sessions=%zu connections=%" PRIu64
	    " binds=%" PRIu64 " bind_fail=%" PRIu64 " pdus=%" PRIu64
	    " submits=%" PRIu64 " accepted=%" PRIu64 " throttled=%" PRIu64
	    " qfull=%" PRIu64 " receipts=%" PRIu64 " mo=%" PRIu64
	    " ussd=%" PRIu64 " delivered=%" PRIu64 " deliver_retry=%" PRIu64
	    " deliver_failed=%" PRIu64 " waiting=%zu ready=%zu inflight=%"
	    PRIu64 " nacks_sent=%" PRIu64 " nacks_received=%" PRIu64
	    " enquire_sent=%" PRIu64 " faults=%" PRIu64 " drops=%" PRIu64,
	    nsess, st.sessions, st.binds, st.bind_fail, st.pdus, st.submits,
	    st.accepted, st.throttled, st.qfull, st.receipts, st.mo, st.ussd,
	    st.delivered, st.deliver_retry, st.deliver_failed, nwait, nready,
	    st.inflight, st.nacks_sent, st.nacks_received, st.enquire_sent,
	    st.faults, st.drops);
	/* Bound sessions by kind: transceiver, transmitter, receiver. */
	n = strlen(buf);
	(void)util_snprintf(buf + n, size - n, " trx=%zu tx=%zu rx=%zu", ntrx,
	    ntx, nrx);
}
