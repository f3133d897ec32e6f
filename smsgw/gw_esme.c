/*
 * esme: the SMPP client side of one bind. The socket is driven by hand
 * (read and write events over two evbuffers) rather than by a bufferevent,
 * so that submits reach the wire before the group commit's fsync instead
 * of on the next loop turn. Outstanding submits live in a fixed slot table
 * indexed by an open-addressing hash of sequence numbers; each slot has its
 * own response timer on a libevent common timeout, so adding one is O(1).
 * With tls = yes the connected socket is handed to a libevent OpenSSL
 * bufferevent (smsgw/gw_tls) and the same two evbuffers are moved through
 * it; nothing is sent before its handshake has verified the SMSC.
 * What the SMSC sends is read in gw_esme_in.c; the state both share is in
 * gw_esme_priv.h.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "clock.h"
#include "gw_esme.h"
#include "gw_esme_priv.h"
#include "gw_metrics.h"
#include "gw_tls.h"
#include "log.h"
#include "pdu.h"
#include "util.h"

#define READ_MAX	(256 * 1024)	/* bytes taken per read event */
#define THROTTLE_GAP_MS	200		/* one rate cut per burst of 0x58 */
#define RAISE_EVERY_MS	1000		/* and a step back up per second */
#define UNBIND_WAIT_MS	1000

static void	 conn_read_cb(evutil_socket_t, short, void *);
static void	 conn_write_cb(evutil_socket_t, short, void *);
static void	 tls_read_cb(struct bufferevent *, void *);
static void	 tls_event_cb(struct bufferevent *, short, void *);

static void
tv_ms(struct timeval *tv, int64_t ms)
{
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)((ms % 1000) * 1000);
}

void
esme_timer_ms(struct event *ev, int64_t ms)
{
	struct timeval	 tv;

	tv_ms(&tv, ms);
	if (evtimer_add(ev, &tv) == -1)
		fatalx("esme: evtimer_add");
}

void
esme_timer_del(struct event *ev)
{
	if (evtimer_del(ev) == -1)
		log_warnx("esme: evtimer_del");
}

/*
 * Slots.
 */

static size_t
hash_of(uint32_t seq)
{
	return (seq * 2654435761U) & (HASH_SIZE - 1);
}

static void
hash_put(struct esme *e, int idx)
{
	size_t	 i;

	for (i = hash_of(e->slots[idx].seq); e->hash[i] != 0;
	    i = (i + 1) & (HASH_SIZE - 1))
		;
	e->hash[i] = (int16_t)(idx + 1);
}

/* The slot waiting for seq, removed from the hash; NULL when none. */
struct slot *
esme_hash_take(struct esme *e, uint32_t seq)
{
	size_t	 i, j, k;
	int	 idx;

	if (seq == 0)
		return NULL;
	for (i = hash_of(seq); e->hash[i] != 0; i = (i + 1) & (HASH_SIZE - 1))
		if (e->slots[e->hash[i] - 1].seq == seq)
			break;
	if (e->hash[i] == 0)
		return NULL;
	idx = e->hash[i] - 1;
	e->hash[i] = 0;
	/* Shift back the entries that probed past the hole. */
	for (j = (i + 1) & (HASH_SIZE - 1); e->hash[j] != 0;
	    j = (j + 1) & (HASH_SIZE - 1)) {
		k = hash_of(e->slots[e->hash[j] - 1].seq);
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			e->hash[i] = e->hash[j];
			e->hash[j] = 0;
			i = j;
		}
	}
	return &e->slots[idx];
}

void
esme_slot_release(struct esme *e, struct slot *s)
{
	esme_timer_del(s->timer);
	s->seq = 0;
	s->ctx = NULL;
	s->next_free = e->free_head;
	e->free_head = (int)(s - e->slots);
	e->outstanding--;
}

static void slot_timeout_cb(evutil_socket_t, short, void *);

/*
 * The token bucket. Rates are per second; tokens may be fractional.
 */

static double
rate_floor(const struct esme *e)
{
	double	 f = e->conf.max_tps / 20.0;

	return f < 1.0 ? 1.0 : f;
}

static void
refill(struct esme *e)
{
	int64_t	 now = clock_mono_ms();
	double	 cap, step;

	if (e->rate < e->conf.max_tps &&
	    now - e->last_raise >= RAISE_EVERY_MS &&
	    now - e->last_cut >= RAISE_EVERY_MS) {
		/* Back up a tenth of the way per quiet second. */
		step = e->conf.max_tps / 10.0;
		e->rate += step < 1.0 ? 1.0 : step;
		if (e->rate > e->conf.max_tps)
			e->rate = e->conf.max_tps;
		e->last_raise = now;
	}
	e->tokens += (double)(now - e->last_refill) * e->rate / 1000.0;
	e->last_refill = now;
	/* A tenth of a second of burst, at least one message. */
	cap = e->rate / 10.0;
	if (cap < 1.0)
		cap = 1.0;
	if (e->tokens > cap)
		e->tokens = cap;
}

void
esme_throttled(struct esme *e)
{
	int64_t	 now = clock_mono_ms();

	e->tokens = 0;
	if (now - e->last_cut < THROTTLE_GAP_MS)
		return;
	e->rate /= 2;
	if (e->rate < rate_floor(e))
		e->rate = rate_floor(e);
	e->last_cut = e->last_raise = now;
	metrics_link("throttled");
	log_info("%s: throttled by the SMSC: %.0f submits/s for now",
	    e->conf.name, e->rate);
}

/*
 * The connection.
 */

static void
conn_free(struct conn *c)
{
	if (c->tls != NULL)
		bufferevent_free(c->tls);
	event_free(c->rev);
	event_free(c->wev);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	free(c);
}

/* Free the closed connections: later in the loop, or at esme_free. */
static void
conn_free_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;
	struct conn	*c;

	(void)fd;
	(void)ev;
	while ((c = e->dead) != NULL) {
		e->dead = c->next_dead;
		conn_free(c);
	}
}

static void
conn_close(struct esme *e)
{
	struct conn	*c = e->conn;

	if (c == NULL)
		return;
	e->conn = NULL;
	c->dead = 1;
	if (event_del(c->rev) == -1 || event_del(c->wev) == -1)
		log_warnx("esme: event_del");
	if (c->tls != NULL) {
		/* It closes fd when it is freed, with c. */
		bufferevent_setcb(c->tls, NULL, NULL, NULL, NULL);
		if (bufferevent_disable(c->tls, EV_READ | EV_WRITE) == -1)
			log_warnx("esme: bufferevent_disable");
	} else if (c->fd != -1 && close(c->fd) == -1)
		log_warn("%s: close", e->conf.name);
	c->fd = -1;
	/* Possibly inside c's own read callback: free it later. */
	if (e->dead == NULL)
		event_active(e->dead_ev, EV_TIMEOUT, 0);
	c->next_dead = e->dead;
	e->dead = c;
}

static void
schedule_reconnect(struct esme *e)
{
	long	 min = e->conf.reconnect_min_s, max = e->conf.reconnect_max_s;
	long	 ms, full;

	if (max < min)
		max = min;
	if (e->backoff_s < min)
		e->backoff_s = min;
	if (e->backoff_s > max)
		e->backoff_s = max;
	/* Jitter: somewhere in the upper half, never below the minimum. */
	full = e->backoff_s * 1000;
	ms = full / 2 + (long)arc4random_uniform((uint32_t)(full / 2 + 1));
	if (ms < min * 1000)
		ms = min * 1000;
	e->backoff_s *= 2;
	log_info("%s: reconnecting in %ld.%03ld s", e->conf.name, ms / 1000,
	    ms % 1000);
	esme_timer_ms(e->reconnect_ev, ms);
}

void
esme_reset(struct esme *e, const char *why)
{
	int	 was_up = e->state == ST_BOUND || e->state == ST_UNBINDING;
	int	 i;

	if (e->state == ST_IDLE || e->state == ST_STOPPED)
		return;
	if (!e->stopping || e->state != ST_UNBINDING)
		log_warnx("%s: link down: %s", e->conf.name, why);
	metrics_link(was_up ? "link_lost" : "connect_failed");
	conn_close(e);
	e->gen++;
	e->enq_seq = e->bind_seq = e->unbind_seq = 0;
	esme_timer_del(e->bind_timer);
	esme_timer_del(e->enq_ev);
	esme_timer_del(e->enq_timer);
	esme_timer_del(e->room_ev);
	e->state = e->stopping ? ST_STOPPED : ST_IDLE;
	/*
	 * Only a session that stayed up a while earns a quick reconnect:
	 * an SMSC that binds and breaks at once would otherwise get a new
	 * connection every reconnect_min_s for ever.
	 */
	if (was_up && clock_mono_ms() - e->bound_ms >=
	    (int64_t)e->conf.reconnect_stable_s * 1000)
		e->backoff_s = e->conf.reconnect_min_s;
	/* Nothing outstanding will be answered now. */
	for (i = 0; i < ESME_WINDOW_MAX && e->outstanding > 0; i++) {
		struct slot	*s = &e->slots[i];
		void		*ctx;
		unsigned	 tag;

		if (s->seq == 0)
			continue;
		ctx = s->ctx;
		tag = s->tag;
		(void)esme_hash_take(e, s->seq);
		esme_slot_release(e, s);
		metrics_response(ESME_STATUS_LINK, -1);
		e->ops.resp(e->arg, ctx, tag, ESME_STATUS_LINK, "", -1);
	}
	if (was_up)
		e->ops.down(e->arg);
	if (e->stopping) {
		esme_timer_del(e->stop_ev);
		if (e->stop_done != NULL)
			e->stop_done(e->stop_arg);
		e->stop_done = NULL;
		return;
	}
	schedule_reconnect(e);
}

int
esme_conn_send(struct esme *e, const struct pdu *p)
{
	const char	*err;

	if (e->conn == NULL)
		return -1;
	if (pdu_encode_evbuffer(p, e->conn->out, &err) == -1) {
		log_warnx("%s: cannot encode %s: %s", e->conf.name,
		    pdu_command_name(p->cmd), err);
		return -1;
	}
	return 0;
}

void
esme_flush(struct esme *e)
{
	struct conn	*c = e->conn;
	int		 n;

	if (c == NULL || e->state == ST_CONNECTING ||
	    evbuffer_get_length(c->out) == 0)
		return;
	if (c->tls != NULL) {
		if (bufferevent_write_buffer(c->tls, c->out) == -1)
			esme_reset(e, "TLS: cannot queue output");
		return;
	}
	n = evbuffer_write(c->out, c->fd);
	if (n == -1 && errno != EAGAIN && errno != EINTR) {
		esme_reset(e, strerror(errno));
		return;
	}
	if (evbuffer_get_length(c->out) > 0 && event_add(c->wev, NULL) == -1)
		fatalx("esme: event_add");
}

static void
send_bind(struct esme *e)
{
	struct pdu	 p;

	pdu_init(&p, e->conf.mode == ESME_TX ? PDU_BIND_TRANSMITTER :
	    e->conf.mode == ESME_RX ? PDU_BIND_RECEIVER : PDU_BIND_TRANSCEIVER,
	    pdu_seq_next(&e->seq));
	(void)util_strlcpy(p.system_id, e->conf.system_id,
	    sizeof(p.system_id));
	(void)util_strlcpy(p.password, e->conf.password, sizeof(p.password));
	(void)util_strlcpy(p.system_type, e->conf.system_type,
	    sizeof(p.system_type));
	p.interface_version = 0x34;
	e->bind_seq = p.seq;
	e->state = ST_BINDING;
	if (esme_conn_send(e, &p) == -1) {
		esme_reset(e, "cannot encode the bind");
		return;
	}
	esme_flush(e);
}

/*
 * The TCP connection is up: the handshake comes first, the bind only once
 * it has verified the SMSC (tls_event_cb). The bind timer still runs.
 */
static void
tls_start(struct esme *e)
{
	struct conn	*c = e->conn;
	const char	*err;

	if ((c->tls = tls_client_connect(e->tls, e->base, c->fd,
	    e->conf.host, &err)) == NULL) {
		esme_reset(e, err);
		return;
	}
	bufferevent_setcb(c->tls, tls_read_cb, NULL, tls_event_cb, e);
	if (bufferevent_enable(c->tls, EV_READ | EV_WRITE) == -1)
		esme_reset(e, "TLS: bufferevent_enable failed");
}

static void
tls_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct esme	*e = arg;
	struct conn	*c = e->conn;
	const char	*unv;
	char		 why[512];

	if (c == NULL || c->tls != bev)
		return;
	if (what & BEV_EVENT_CONNECTED) {
		tls_describe(bev, why, sizeof(why));
		log_info("%s: TLS with %s:%d: %s", e->conf.name, e->conf.host,
		    e->conf.port, why);
		if (!e->conf.tls.verify) {
			unv = tls_unverified(bev);
			log_warnx("%s: the certificate of %s is not checked "
			    "(tls_verify = no)%s%s", e->conf.name,
			    e->conf.host, unv != NULL ? ": it does not "
			    "verify: " : "", unv != NULL ? unv : "");
		}
		send_bind(e);
		return;
	}
	if (e->state == ST_CONNECTING) {
		/* The handshake failed: a verification error says why. */
		tls_error(bev, e->conf.host, why, sizeof(why));
		metrics_link("tls_failed");
	} else if (what & BEV_EVENT_EOF)
		(void)util_strlcpy(why, "the SMSC closed the connection",
		    sizeof(why));
	else
		tls_error(bev, e->conf.host, why, sizeof(why));
	esme_reset(e, why);
}

static void
connected(struct esme *e)
{
	struct conn	*c = e->conn;
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		esme_reset(e, strerror(err));
		return;
	}
	if (e->conf.tls.on) {
		tls_start(e);
		return;
	}
	if (event_add(c->rev, NULL) == -1)
		fatalx("esme: event_add");
	send_bind(e);
}

static void
reconnect_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;
	struct addrinfo	 hints, *res = NULL;
	struct conn	*c;
	const char	*err;
	char		 port[8];
	int		 s, one = 1, rc;

	(void)fd;
	(void)ev;
	if (e->stopping || e->state != ST_IDLE)
		return;
	/* Files that did not load at start or SIGHUP: never plain text. */
	if (e->conf.tls.on && e->tls == NULL &&
	    (e->tls = tls_client_new(&e->conf.tls, &err)) == NULL) {
		log_warnx("%s: %s", e->conf.name, err);
		e->state = ST_CONNECTING;
		esme_reset(e, "the TLS settings cannot be used");
		return;
	}
	(void)util_snprintf(port, sizeof(port), "%d", e->conf.port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	/* A name blocks the loop while it resolves: configure an address. */
	if ((rc = getaddrinfo(e->conf.host, port, &hints, &res)) != 0) {
		log_warnx("%s: %s: %s", e->conf.name, e->conf.host,
		    gai_strerror(rc));
		e->state = ST_CONNECTING;
		esme_reset(e, "no address");
		return;
	}
	s = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, res->ai_protocol);
	if (s == -1) {
		log_warn("%s: socket", e->conf.name);
		freeaddrinfo(res);
		e->state = ST_CONNECTING;
		esme_reset(e, "no socket");
		return;
	}
	/* Small PDUs both ways: Nagle would hold the window back. */
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		log_warn("%s: TCP_NODELAY", e->conf.name);
	c = xcalloc(1, sizeof(*c));
	c->fd = s;
	if ((c->in = evbuffer_new()) == NULL ||
	    (c->out = evbuffer_new()) == NULL ||
	    (c->rev = event_new(e->base, s, EV_READ | EV_PERSIST,
	    conn_read_cb, e)) == NULL ||
	    (c->wev = event_new(e->base, s, EV_WRITE, conn_write_cb,
	    e)) == NULL)
		fatalx("esme: out of memory");
	e->conn = c;
	e->state = ST_CONNECTING;
	e->gen++;
	esme_timer_ms(e->bind_timer,
	    (int64_t)e->conf.response_timeout_s * 1000);
	log_info("%s: connecting to %s:%d%s", e->conf.name, e->conf.host,
	    e->conf.port, e->conf.tls.on ? " over TLS" : "");
	rc = connect(s, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc == -1 && errno != EINPROGRESS) {
		esme_reset(e, strerror(errno));
		return;
	}
	if (rc == 0) {
		connected(e);
		return;
	}
	if (event_add(c->wev, NULL) == -1)
		fatalx("esme: event_add");
}

static void
bind_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;

	(void)fd;
	(void)ev;
	if (e->state == ST_UNBINDING) {
		esme_reset(e, "no unbind_resp");
		return;
	}
	if (e->state == ST_CONNECTING) {
		esme_reset(e, "connect timed out");
		return;
	}
	esme_reset(e, "no answer to the bind");
	if (e->ops.bind_failed != NULL)
		e->ops.bind_failed(e->arg, ESME_STATUS_TIMEOUT);
}

static void
enq_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;
	struct pdu	 p;

	(void)fd;
	(void)ev;
	if (e->state != ST_BOUND)
		return;
	if (e->enq_seq != 0) {
		esme_reset(e, "enquire_link unanswered");
		return;
	}
	pdu_init(&p, PDU_ENQUIRE_LINK, pdu_seq_next(&e->seq));
	e->enq_seq = p.seq;
	if (esme_conn_send(e, &p) == -1)
		return;
	esme_timer_ms(e->enq_timer, (int64_t)e->conf.response_timeout_s * 1000);
	esme_flush(e);
}

static void
enq_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	esme_reset(arg, "enquire_link unanswered");
}

static void
room_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;

	(void)fd;
	(void)ev;
	if (e->state == ST_BOUND && !e->stopping)
		e->ops.room(e->arg);
}

static void
stop_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;

	(void)fd;
	(void)ev;
	if (e->state == ST_BOUND) {
		log_warnx("%s: %d submits unanswered at shutdown", e->conf.name,
		    e->outstanding);
		esme_send_unbind(e);
	}
}

static void
slot_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct slot	*s = arg;
	struct esme	*e = s->e;
	void		*ctx = s->ctx;
	unsigned	 tag = s->tag;
	char		 why[64];

	(void)fd;
	(void)ev;
	(void)util_snprintf(why, sizeof(why), "no submit_sm_resp for "
	    "seq %u in %d s", s->seq, e->conf.response_timeout_s);
	(void)esme_hash_take(e, s->seq);
	esme_slot_release(e, s);
	metrics_response(ESME_STATUS_TIMEOUT, -1);
	e->ops.resp(e->arg, ctx, tag, ESME_STATUS_TIMEOUT, "", -1);
	/* An SMSC that leaves one unanswered this long is not to be trusted
	   with more on this connection. */
	esme_reset(e, why);
}

static void
conn_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;
	struct conn	*c = e->conn;
	int		 n, eof = 0;

	(void)ev;
	if (c == NULL || c->fd != fd)
		return;
	n = evbuffer_read(c->in, fd, READ_MAX);
	if (n == 0)
		eof = 1;
	else if (n == -1 && errno != EAGAIN && errno != EINTR) {
		esme_reset(e, strerror(errno));
		return;
	}
	esme_conn_input(e, c, eof);
}

static void
tls_read_cb(struct bufferevent *bev, void *arg)
{
	struct esme	*e = arg;
	struct conn	*c = e->conn;

	if (c == NULL || c->tls != bev)
		return;
	if (bufferevent_read_buffer(bev, c->in) == -1) {
		esme_reset(e, "TLS: cannot move input");
		return;
	}
	esme_conn_input(e, c, 0);
}

static void
conn_write_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct esme	*e = arg;
	struct conn	*c = e->conn;

	(void)ev;
	if (c == NULL || c->fd != fd)
		return;
	if (e->state == ST_CONNECTING) {
		connected(e);
		return;
	}
	esme_flush(e);
}

void
esme_send_unbind(struct esme *e)
{
	struct pdu	 p;

	if (e->state != ST_BOUND)
		return;
	pdu_init(&p, PDU_UNBIND, pdu_seq_next(&e->seq));
	e->unbind_seq = p.seq;
	e->state = ST_UNBINDING;
	esme_timer_del(e->enq_ev);
	esme_timer_del(e->enq_timer);
	if (esme_conn_send(e, &p) == -1) {
		esme_reset(e, "cannot encode unbind");
		return;
	}
	esme_timer_ms(e->bind_timer, UNBIND_WAIT_MS);
	esme_flush(e);
}

/*
 * The interface.
 */

static void
set_resp_timeout(struct esme *e)
{
	struct timeval	 tv;

	tv_ms(&tv, (int64_t)e->conf.response_timeout_s * 1000);
	if ((e->resp_tv = event_base_init_common_timeout(e->base,
	    &tv)) == NULL)
		fatalx("esme: event_base_init_common_timeout");
}

static void
conf_clamp(struct esme_conf *c)
{
	if (c->window < 1)
		c->window = 1;
	if (c->window > ESME_WINDOW_MAX)
		c->window = ESME_WINDOW_MAX;
	if (c->max_tps < 1)
		c->max_tps = 1;
	if (c->response_timeout_s < 1)
		c->response_timeout_s = 1;
	if (c->enquire_link_s < 1)
		c->enquire_link_s = 1;
}

struct esme *
esme_new(struct event_base *base, const struct esme_conf *conf,
    const struct esme_ops *ops, void *arg)
{
	struct esme	*e = xcalloc(1, sizeof(*e));
	const char	*err;
	int		 i;

	e->base = base;
	e->conf = *conf;
	conf_clamp(&e->conf);
	e->ops = *ops;
	e->arg = arg;
	e->state = ST_IDLE;
	e->free_head = 0;
	for (i = 0; i < ESME_WINDOW_MAX; i++) {
		e->slots[i].e = e;
		e->slots[i].next_free = i + 1 < ESME_WINDOW_MAX ? i + 1 : -1;
		if ((e->slots[i].timer = evtimer_new(base, slot_timeout_cb,
		    &e->slots[i])) == NULL)
			fatalx("esme: evtimer_new");
	}
	if ((e->reconnect_ev = evtimer_new(base, reconnect_cb, e)) == NULL ||
	    (e->bind_timer = evtimer_new(base, bind_timer_cb, e)) == NULL ||
	    (e->enq_ev = event_new(base, -1, EV_PERSIST, enq_cb, e)) ==
	    NULL ||
	    (e->enq_timer = evtimer_new(base, enq_timer_cb, e)) == NULL ||
	    (e->room_ev = evtimer_new(base, room_cb, e)) == NULL ||
	    (e->stop_ev = evtimer_new(base, stop_cb, e)) == NULL ||
	    (e->dead_ev = evtimer_new(base, conn_free_cb, e)) == NULL)
		fatalx("esme: evtimer_new");
	set_resp_timeout(e);
	e->rate = e->conf.max_tps;
	e->last_refill = e->last_raise = clock_mono_ms();
	e->last_cut = e->last_refill - RAISE_EVERY_MS;
	e->backoff_s = e->conf.reconnect_min_s;
	if (e->conf.tls.on && (e->tls = tls_client_new(&e->conf.tls,
	    &err)) == NULL)
		log_warnx("%s: %s", e->conf.name, err);
	return e;
}

void
esme_free(struct esme *e)
{
	int	 i;

	if (e == NULL)
		return;
	conn_close(e);
	/* Not to the loop: now, and its pending turn with it. */
	event_free(e->dead_ev);
	conn_free_cb(-1, 0, e);
	for (i = 0; i < ESME_WINDOW_MAX; i++)
		event_free(e->slots[i].timer);
	event_free(e->reconnect_ev);
	event_free(e->bind_timer);
	event_free(e->enq_ev);
	event_free(e->enq_timer);
	event_free(e->room_ev);
	event_free(e->stop_ev);
	tls_client_free(e->tls);
	free(e);
}

void
esme_start(struct esme *e)
{
	if (e->state != ST_IDLE)
		return;
	esme_timer_ms(e->reconnect_ev, 0);
}

/*
 * SIGHUP reads the TLS files again (a renewed certificate). When they no
 * longer load, unchanged settings keep what was loaded; changed ones
 * leave none, and connects fail until they load.
 */
static void
tls_reload(struct esme *e, const struct tls_conf *tc)
{
	struct tls_client *t = NULL;
	const char	*err;

	if (tc->on && (t = tls_client_new(tc, &err)) == NULL) {
		log_warnx("%s: %s", e->conf.name, err);
		if (!tls_conf_differs(tc, &e->conf.tls))
			return;
	}
	tls_client_free(e->tls);
	e->tls = t;
}

int
esme_reconfigure(struct esme *e, const struct esme_conf *nc)
{
	struct esme_conf c = *nc;
	int		 rebind;

	conf_clamp(&c);
	rebind = strcmp(c.host, e->conf.host) != 0 ||
	    c.port != e->conf.port ||
	    strcmp(c.system_id, e->conf.system_id) != 0 ||
	    strcmp(c.password, e->conf.password) != 0 ||
	    strcmp(c.system_type, e->conf.system_type) != 0 ||
	    c.mode != e->conf.mode ||
	    tls_conf_differs(&c.tls, &e->conf.tls);
	tls_reload(e, &c.tls);
	if (c.response_timeout_s != e->conf.response_timeout_s) {
		e->conf.response_timeout_s = c.response_timeout_s;
		set_resp_timeout(e);
	}
	if (c.enquire_link_s != e->conf.enquire_link_s &&
	    e->state == ST_BOUND)
		esme_timer_ms(e->enq_ev, (int64_t)c.enquire_link_s * 1000);
	if (e->rate > c.max_tps || e->rate == e->conf.max_tps)
		e->rate = c.max_tps;
	e->conf = c;
	if (rebind && e->state != ST_IDLE && e->state != ST_STOPPED) {
		esme_reset(e, "configuration changed");
		/* The new SMSC owes us no backoff. */
		esme_timer_del(e->reconnect_ev);
		e->backoff_s = c.reconnect_min_s;
		esme_timer_ms(e->reconnect_ev, 0);
	}
	return rebind;
}

int
esme_is_up(const struct esme *e)
{
	return e->state == ST_BOUND;
}

int
esme_room(struct esme *e)
{
	int	 w, t;

	/* A receiver sends no submits. */
	if (e->state != ST_BOUND || e->stopping || e->conf.mode == ESME_RX)
		return 0;
	w = e->conf.window - e->outstanding;
	if (w <= 0)
		return 0;
	refill(e);
	t = (int)e->tokens;
	if (t <= 0) {
		/* Wake up when the next token is there. */
		if (!evtimer_pending(e->room_ev, NULL))
			esme_timer_ms(e->room_ev, (int64_t)((1.0 - e->tokens) *
			    1000.0 / e->rate) + 1);
		return 0;
	}
	return t < w ? t : w;
}

uint32_t
esme_seq_peek(const struct esme *e)
{
	return e->seq >= PDU_SEQ_MAX ? 1 : e->seq + 1;
}

int
esme_submit(struct esme *e, struct pdu *p, void *ctx, unsigned tag,
    const char **errstr)
{
	struct slot	*s;
	int		 idx;

	if (e->conf.mode == ESME_RX) {
		*errstr = "a receiver sends no submit_sm";
		return -1;
	}
	if (e->state != ST_BOUND || e->stopping ||
	    e->outstanding >= e->conf.window || e->free_head == -1) {
		*errstr = "no room in the window";
		return -1;
	}
	p->seq = pdu_seq_next(&e->seq);
	if (pdu_encode_evbuffer(p, e->conn->out, errstr) == -1)
		return -1;
	idx = e->free_head;
	s = &e->slots[idx];
	e->free_head = s->next_free;
	s->seq = p->seq;
	s->ctx = ctx;
	s->tag = tag;
	s->sent_us = clock_mono_us();
	hash_put(e, idx);
	e->outstanding++;
	if (evtimer_add(s->timer, e->resp_tv) == -1)
		fatalx("esme: evtimer_add");
	e->tokens -= 1.0;
	e->submits++;
	metrics_submit();
	return 0;
}

void
esme_respond(struct esme *e, uint64_t gen, uint32_t cmd, uint32_t seq,
    uint32_t status)
{
	struct pdu	 r;

	if (gen != e->gen || e->conn == NULL) {
		log_debug("%s: answer to %s seq=%u dropped: link gone",
		    e->conf.name, pdu_command_name(cmd), seq);
		return;
	}
	pdu_init(&r, cmd | PDU_RESP, seq);
	r.status = status;
	(void)esme_conn_send(e, &r);
}

void
esme_stop(struct esme *e, int wait_ms, void (*done)(void *), void *arg)
{
	e->stopping = 1;
	e->stop_done = done;
	e->stop_arg = arg;
	esme_timer_del(e->reconnect_ev);
	esme_timer_del(e->room_ev);
	switch (e->state) {
	case ST_BOUND:
		if (e->outstanding == 0)
			esme_send_unbind(e);
		else
			esme_timer_ms(e->stop_ev, wait_ms);
		return;
	case ST_UNBINDING:
		return;
	case ST_CONNECTING:
	case ST_BINDING:
		esme_reset(e, "shutting down");
		return;
	default:
		e->state = ST_STOPPED;
		e->stop_done = NULL;
		done(arg);
		return;
	}
}

int
esme_outstanding(const struct esme *e)
{
	return e->outstanding;
}

int
esme_window(const struct esme *e)
{
	return e->conf.window;
}

uint64_t
esme_submits(const struct esme *e)
{
	return e->submits;
}

int
esme_tps(const struct esme *e)
{
	return (int)e->rate;
}

const char *
esme_name(const struct esme *e)
{
	return e->conf.name;
}
