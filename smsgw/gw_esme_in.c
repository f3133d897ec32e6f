/*
 * esme_in: what one SMPP session reads. Each PDU framed out of the input
 * buffer is decoded (pdu.c refuses what it cannot prove in bounds, and a
 * request is then nacked), and answered or handed on: submit_sm_resp and
 * generic_nack to their slot and the owner's resp, bind responses to the
 * session's state, deliver_sm and data_sm to the owner's deliver,
 * enquire_link and unbind answered here. Apart from gw_esme.c, which holds
 * the connection and what is sent, because this is the side a peer
 * drives: every PDU it can send is met here, in one switch.
 */
#include <stdint.h>
#include <string.h>

#include <event2/buffer.h>

#include "clock.h"
#include "gw_esme.h"
#include "gw_esme_priv.h"
#include "gw_metrics.h"
#include "log.h"
#include "pdu.h"
#include "util.h"

static void
answer(struct esme *e, const struct pdu *req, uint32_t status)
{
	struct pdu	 r;

	pdu_init_resp(&r, req, status);
	(void)esme_conn_send(e, &r);
}

static void
nack(struct esme *e, uint32_t seq, uint32_t status)
{
	struct pdu	 r;

	pdu_init(&r, PDU_GENERIC_NACK, seq);
	r.status = status;
	metrics_link("nack_sent");
	(void)esme_conn_send(e, &r);
}

static void
got_submit_resp(struct esme *e, const struct pdu *p)
{
	struct slot	*s;
	void		*ctx;
	unsigned	 tag;
	int64_t		 lat;
	uint32_t	 status = p->status;

	if ((s = esme_hash_take(e, p->seq)) == NULL) {
		log_debug("%s: %s for seq %u: nothing outstanding",
		    e->conf.name, pdu_command_name(p->cmd), p->seq);
		return;
	}
	ctx = s->ctx;
	tag = s->tag;
	lat = clock_mono_us() - s->sent_us;
	esme_slot_release(e, s);
	/* A nack without a status still says the submit failed. */
	if (p->cmd == PDU_GENERIC_NACK && status == PDU_ROK)
		status = PDU_RUNKNOWNERR;
	if (status == PDU_RTHROTTLED)
		esme_throttled(e);
	metrics_response(status, lat);
	e->ops.resp(e->arg, ctx, tag, status,
	    status == PDU_ROK ? p->message_id : "", lat);
}

static void
got_bind_resp(struct esme *e, const struct pdu *p)
{
	char	 why[96];

	if (e->state != ST_BINDING || p->seq != e->bind_seq)
		return;
	if (p->status != PDU_ROK) {
		(void)util_snprintf(why, sizeof(why), "bind refused: %s",
		    pdu_status_name(p->status));
		metrics_link("bind_refused");
		esme_reset(e, why);
		if (e->ops.bind_failed != NULL)
			e->ops.bind_failed(e->arg, p->status);
		return;
	}
	esme_timer_del(e->bind_timer);
	e->state = ST_BOUND;
	e->bound_ms = clock_mono_ms();
	e->enq_seq = 0;
	e->tokens = 1;
	e->last_refill = clock_mono_ms();
	esme_timer_ms(e->enq_ev, (int64_t)e->conf.enquire_link_s * 1000);
	metrics_link("bound");
	log_info("%s: bound as a %s to %s:%d (%s)", e->conf.name,
	    e->conf.mode == ESME_TX ? "transmitter" : e->conf.mode == ESME_RX ?
	    "receiver" : "transceiver", e->conf.host, e->conf.port,
	    p->system_id);
	e->ops.up(e->arg);
	if (e->stopping)
		esme_send_unbind(e);
}

/* A storm of them was 20,407 lines: a count per minute past ten. */
static struct log_rate nack_rate = LOG_RATE_INIT("generic_nack", 10, 60);

void
esme_log_flush(void)
{
	log_rate_flush(&nack_rate);
}

static void
handle_pdu(struct esme *e, const uint8_t *buf, size_t len)
{
	struct pdu	 p;
	uint32_t	 st;
	const char	*err;
	int		 r;

	if (pdu_decode(buf, len, &p, &st, &err) == -1) {
		log_warnx("%s: %s seq=%u refused: %s", e->conf.name,
		    pdu_command_name(p.cmd), p.seq, err);
		/* A broken response answers nothing; its timer will. */
		if (!(p.cmd & PDU_RESP))
			nack(e, p.seq, st);
		return;
	}
	switch (p.cmd) {
	case PDU_SUBMIT_SM_RESP:
		got_submit_resp(e, &p);
		return;
	case PDU_GENERIC_NACK:
		if (p.seq != 0 && p.seq == e->enq_seq) {
			e->enq_seq = 0;
			esme_timer_del(e->enq_timer);
		} else if (p.seq != 0 && p.seq == e->bind_seq &&
		    e->state == ST_BINDING) {
			p.status = p.status == PDU_ROK ? PDU_RBINDFAIL :
			    p.status;
			got_bind_resp(e, &p);
		} else {
			if (log_rate_ok(&nack_rate))
				log_info("%s: generic_nack seq=%u %s",
				    e->conf.name, p.seq,
				    pdu_status_name(p.status));
			got_submit_resp(e, &p);
		}
		return;
	case PDU_BIND_TRANSCEIVER_RESP:
	case PDU_BIND_TRANSMITTER_RESP:
	case PDU_BIND_RECEIVER_RESP:
		got_bind_resp(e, &p);
		return;
	case PDU_ENQUIRE_LINK:
		answer(e, &p, PDU_ROK);
		return;
	case PDU_ENQUIRE_LINK_RESP:
		if (p.seq == e->enq_seq) {
			e->enq_seq = 0;
			esme_timer_del(e->enq_timer);
		}
		return;
	case PDU_DELIVER_SM:
	case PDU_DATA_SM:
		e->delivers++;
		if (e->state != ST_BOUND && e->state != ST_UNBINDING) {
			answer(e, &p, PDU_RINVBNDSTS);
			return;
		}
		r = e->ops.deliver(e->arg, &p, e->gen);
		if (r != ESME_DEFER)
			answer(e, &p, (uint32_t)r);
		return;
	case PDU_UNBIND:
		answer(e, &p, PDU_ROK);
		esme_flush(e);
		esme_reset(e, "the SMSC unbound");
		return;
	case PDU_UNBIND_RESP:
		if (e->state == ST_UNBINDING && p.seq == e->unbind_seq) {
			log_info("%s: unbound", e->conf.name);
			esme_reset(e, "unbound");
		}
		return;
	default:
		if (p.cmd & PDU_RESP)
			return;
		/* A request an ESME does not serve. */
		nack(e, p.seq, PDU_RINVCMDID);
		return;
	}
}

/* What arrived in c->in, from the socket or out of TLS. */
void
esme_conn_input(struct esme *e, struct conn *c, int eof)
{
	const uint8_t	*buf;
	size_t		 len;
	enum pdu_frame	 f = PDU_FRAME_SHORT;

	e->delivers = 0;
	while (!c->dead &&
	    (f = pdu_frame_evbuffer(c->in, &buf, &len)) == PDU_FRAME_OK) {
		handle_pdu(e, buf, len);
		if (!c->dead && evbuffer_drain(c->in, len) == -1)
			fatalx("esme: evbuffer_drain");
	}
	if (c->dead)
		return;
	if (f == PDU_FRAME_BROKEN) {
		esme_reset(e, "broken framing (command_length out of range)");
		return;
	}
	if (eof) {
		esme_reset(e, "the SMSC closed the connection");
		return;
	}
	esme_flush(e);
	if (e->conn != c)
		return;
	e->ops.read_end(e->arg, e->delivers);
	if (e->conn != c)
		return;
	if (e->stopping) {
		if (e->state == ST_BOUND && e->outstanding == 0)
			esme_send_unbind(e);
		return;
	}
	if (e->state == ST_BOUND && esme_room(e) > 0)
		e->ops.room(e->arg);
}
