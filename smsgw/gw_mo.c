/*
 * gw_mo: MO SMS, from deliver_sm to the reply. Each MO is decoded (its
 * parts reassembled, or one refused on its own), stored in the inbox in
 * the turn's batch, and answered by the keyword services in that same
 * batch, so one commit holds the MO, the services' work and the reply;
 * the deliver_sm is acknowledged with that commit. Apart from gw_disp.c
 * because it is the other direction: it touches the outbox only through
 * outbox_enqueue, like every producer, and sending takes it from there.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "config.h"
#include "gw_batch.h"
#include "gw_disp_priv.h"
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
#include "util.h"

/* Replies to residents go before broadcasts (BROADCAST_PRIORITY -1). */
#define REPLY_PRIORITY		1
/* An MO answered after this long (a long outage) gets no reply SMS. */
#define MO_REPLY_MAX_AGE_S	86400
#define INBOX_RETRY_S		5

/* Lines a peer can cause in bulk: ten a minute, then a count. */
static struct log_rate refused_rate = LOG_RATE_INIT("MO refused", 10, 60);

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
		log_warnx("MO from %s refused with %s: %s", disp_log_phone(src,
		    masked, sizeof(masked)), pdu_status_name(status), why);
	return (int)status;
}

/* A deliver_sm that is no receipt: an MO SMS, a part of one, or USSD. */
int
disp_on_mo(struct disp *d, struct gside *sd, const struct pdu *p, uint64_t gen)
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
		if (disp_ussd_queue(d, sd, p, src, dst, &mo) == -1)
			goto fail;
		return disp_defer_answer(d, sd, p, gen);
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
		return disp_defer_answer(d, sd, p, gen);
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
	return disp_defer_answer(d, sd, p, gen);
fail:
	/* The database failed: parts may have left mo_parts, all goes back. */
	batch_fail(d->batch);
	return PDU_RX_T_APPN;
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
		if (disp_savepoint_again(d, lost) == -1)
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
			    disp_log_phone(r->source, masked, sizeof(masked)));
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
void
disp_inbox_cb(evutil_socket_t fd, short ev, void *arg)
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
	n = inbox_unprocessed(d->store, DISP_REPLIES_WAIT(d) ?
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

int
disp_mo_expire(struct disp *d)
{
	struct smsreasm_msg out;
	char		 masked[32];
	int		 r;

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
	return r == -1 ? -1 : 0;
}

/* What refused_rate left out, counted, once its minute is over. */
void
disp_mo_log_flush(void)
{
	log_rate_flush(&refused_rate);
}
