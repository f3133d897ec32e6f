/*
 * gw_binds: the dispatcher's binds. A bind is one configured SMSC
 * ([smsc] or [smsc.NAME]): its sessions' settings from the configuration,
 * the callbacks its sessions make (up, down, room, deliver_sm as receipts
 * or MO), bind_mode auto's fallback to a pair, and SIGHUP, which matches
 * binds by name and retires those that left. Apart from gw_disp.c because
 * none of this is sending: a bind's life is its own, and what it hands on
 * goes to the rooms that own it (responses to gw_disp.c, MO to gw_mo.c,
 * USSD to gw_ussd.c). Receipts are here: they only write the outbox's
 * parts, in the batch their deliver_sm is answered with.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "gw_batch.h"
#include "gw_disp.h"
#include "gw_disp_priv.h"
#include "gw_esme.h"
#include "gw_metrics.h"
#include "log.h"
#include "outbox.h"
#include "pdu.h"
#include "util.h"

/*
 * Receipts pending between two caps: a storm of receipts for ids nobody
 * sent is cut back to OUTBOX_PENDING_MAX this often, not only by the
 * housekeeping timer.
 */
#define PENDING_CAP_EVERY	1000

/* Lines a peer can cause in bulk: ten a minute, then a count. */
static struct log_rate orphan_rate = LOG_RATE_INIT("receipts kept before "
    "their submit_sm_resp", 10, 60);
static struct log_rate ambiguous_rate = LOG_RATE_INIT("receipts that fit "
    "two messages", 10, 60);

/* bind_mode: how a bind's sessions bind. */
enum {
	BIND_MODE_TRX,		/* one transceiver */
	BIND_MODE_PAIR,		/* a transmitter and a receiver */
	BIND_MODE_AUTO,		/* a transceiver, else a pair */
};

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

static void
on_down(void *arg)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;

	disp_bind_requeue(d, sd->b);
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

/* The answer goes back on the session the request came in on. */
static void
answer_cb(void *arg, int committed, uint64_t gen, uint64_t cmdseq)
{
	struct gside	*sd = arg;

	esme_respond(sd->e, gen, (uint32_t)(cmdseq >> 32),
	    (uint32_t)cmdseq, committed ? PDU_ROK : PDU_RX_T_APPN);
}

int
disp_defer_answer(struct disp *d, struct gside *sd, const struct pdu *p,
    uint64_t gen)
{
	batch_defer(d->batch, answer_cb, sd, gen,
	    ((uint64_t)p->cmd << 32) | p->seq);
	return ESME_DEFER;
}

/* receipts_pending back to its bound, oldest gone first: 0 or -1. */
int
disp_pending_cap(struct disp *d)
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
		    disp_pending_cap(d) == -1) {
			batch_fail(d->batch);
			return PDU_RX_T_APPN;
		}
	}
	metrics_receipt(res == OUTBOX_RCPT_DUPLICATE ? "duplicate" :
	    res == OUTBOX_RCPT_AMBIGUOUS ? "ambiguous" :
	    outbox_receipt_name(rs));
	return disp_defer_answer(d, sd, p, gen);
}

/* deliver_sm: a receipt here, MO and USSD in their rooms. */
static int
on_deliver(void *arg, const struct pdu *p, uint64_t gen)
{
	struct gside	*sd = arg;
	struct disp	*d = sd->b->d;
	uint8_t		 type = p->esm_class & PDU_ESM_TYPE_MASK;

	/* 0x04 SMSC delivery receipt, 0x08 SME ack, 0x20 intermediate. */
	if (type == PDU_ESM_RECEIPT || type == 0x08 || type == 0x20)
		return on_receipt(d, sd, p, gen);
	return disp_on_mo(d, sd, p, gen);
}

/* What the rate limits left out, counted, once their minute is over. */
void
disp_receipts_log_flush(void)
{
	log_rate_flush(&orphan_rate);
	log_rate_flush(&ambiguous_rate);
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

/*
 * The binds' lives: their sessions, bind_mode auto, removal, SIGHUP.
 */

static void	 on_bind_failed(void *, uint32_t);

static const struct esme_ops tx_ops = {
	.up = on_up,
	.down = on_down,
	.bind_failed = on_bind_failed,
	.room = on_room,
	.resp = disp_on_resp,
	.deliver = on_deliver,
	.read_end = on_read_end,
};

static const struct esme_ops rx_ops = {
	.up = rx_updown,
	.down = rx_updown,
	.room = on_room,
	.resp = disp_on_resp,
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
struct gbind *
disp_bind_new(struct disp *d, const struct config *cfg, int i)
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

void
disp_bind_start(struct gbind *b)
{
	esme_start(b->tx.e);
	if (b->rx.e != NULL)
		esme_start(b->rx.e);
}

void
disp_bind_reset(struct gbind *b, const char *why)
{
	esme_reset(b->tx.e, why);
	if (b->rx.e != NULL)
		esme_reset(b->rx.e, why);
}

/*
 * A bind left the configuration: what waits on it goes back to the
 * outbox, what is outstanding is waited for, then it unbinds and is freed
 * by disp_reap_retired.
 */
static void
bind_retire(struct disp *d, struct gbind *b)
{
	log_info("%s: no longer configured: unbinding", b->name);
	b->retired = 1;
	disp_bind_requeue(d, b);
	b->next_retired = d->retired;
	d->retired = b;
	disp_side_stop(&b->tx);
	disp_side_stop(&b->rx);
}

void
disp_bind_free(struct gbind *b)
{
	struct dmsg	*m;

	if (b == NULL)
		return;
	while ((m = TAILQ_FIRST(&b->sendq)) != NULL) {
		TAILQ_REMOVE(&b->sendq, m, entry);
		disp_dmsg_free(m);
	}
	esme_free(b->tx.e);
	esme_free(b->rx.e);
	free(b);
}

/*
 * Free removed binds once both sessions are down and no answer waits for
 * a commit (deferred answers point at their session).
 */
void
disp_reap_retired(struct disp *d)
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
			disp_bind_free(b);
		} else
			bp = &b->next_retired;
	}
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
	disp_settings_from(d, cfg);
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
			b = disp_bind_new(d, cfg, i);
			log_info("%s: new bind", b->name);
			disp_bind_start(b);
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
