/*
 * gw_ussd: USSD requests and their answers. A request is stored in the
 * inbox in the turn's batch and answered by the menu (common/ussd.c) in
 * that batch; its answer goes straight back on the bind it came in on,
 * once committed, not through the outbox, and is never retried: a USSD
 * session is a person waiting at a phone, and the network moves on.
 * Apart from gw_mo.c because the answer is a session's next step, with its
 * own queue (a ring of USSD_QUEUE) and its own rules for a failed commit.
 */
#include <stdint.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "gw_batch.h"
#include "gw_disp_priv.h"
#include "gw_esme.h"
#include "gw_metrics.h"
#include "ident.h"
#include "inbox.h"
#include "log.h"
#include "pdu.h"
#include "smstext.h"
#include "store.h"
#include "ussd.h"
#include "util.h"

/* Store a USSD request and queue its answer for after the commit. */
int
disp_ussd_queue(struct disp *d, struct gside *sd, const struct pdu *p,
    const char *src, const char *dst, const struct smstext_mo *mo)
{
	struct inbox_msg im;
	struct ussd_req	*u;
	int64_t		 id;

	if (d->ussd_n == USSD_QUEUE)
		fatalx("disp_ussd_queue: the caller checks for room");
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
		if (disp_savepoint_again(d, lost) == -1)
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
void
disp_ussd_cb(evutil_socket_t fd, short ev, void *arg)
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
	disp_flush_all(d);
}

/*
 * The USSD requests of the failed turn are not stored; the answers it
 * made are undone and are made again.
 */
void
disp_ussd_undo(struct disp *d)
{
	struct ussd_req	*u;
	size_t		 i;

	for (i = 0; i < d->ussd_n; i++) {
		u = &d->ussd[(d->ussd_head + i) % USSD_QUEUE];
		u->in_sync = 0;
		if (!u->committed)
			u->answered = 0;
	}
	for (i = d->ussd_n; i > 0; i--)
		if (!d->ussd[(d->ussd_head + i - 1) % USSD_QUEUE].stored)
			d->ussd_n--;
}

/*
 * The turn's transaction ended: what it stored and answered is marked, as
 * the next turn may store and answer more before the disk has this one.
 */
void
disp_ussd_committing(struct disp *d)
{
	struct ussd_req	*u;
	size_t		 i;

	for (i = 0; i < d->ussd_n; i++) {
		u = &d->ussd[(d->ussd_head + i) % USSD_QUEUE];
		u->in_sync = 1;
		u->sync_answered = u->answered;
	}
}

/* The turn is on disk: its requests are stored, its answers may go. */
void
disp_ussd_committed(struct disp *d)
{
	struct ussd_req	*u;
	size_t		 i;

	if (d->ussd_n == 0)
		return;
	for (i = 0; i < d->ussd_n; i++) {
		u = &d->ussd[(d->ussd_head + i) % USSD_QUEUE];
		if (!u->in_sync)
			continue;	/* the open turn's */
		u->in_sync = 0;
		u->stored = 1;
		u->committed = u->committed || u->sync_answered;
	}
	event_active(d->ussd_ev, EV_TIMEOUT, 0);
}
