/*
 * sim_load: the simulator as a load generator for the benchmarks. With
 * --inject-rate it sends MO SMS (or USSD steps) at a fixed rate from a list
 * of phones once the gateway binds, and times each from its deliver_sm to
 * the first submit_sm back to that phone; at the end it prints the
 * percentiles and exits. With --bench-client it is instead a bare ESME
 * without a database: the ceiling of the simulator and the loopback that
 * the gateway's own rate is read against.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "clock.h"
#include "log.h"
#include "pdu.h"
#include "sim.h"
#include "util.h"

#define LOAD_WALKERS_SMS	64
#define LOAD_WALKERS_USSD	32	/* under the simulator's 64 sessions */
#define LOAD_STEPS_MAX		8
#define LOAD_TIMEOUT_US		(2 * 1000000)
#define LOAD_TICK_US		1000
#define LOAD_PHONE_MAX		24

/*
 * A walker is one phone at a time going through its steps: one for an SMS
 * keyword, dial-answer-back-end for USSD. A step is sent when the one
 * before it has its answer, so answers are never confused.
 */
struct walker {
	char		 phone[LOAD_PHONE_MAX];
	int		 step;		/* the next to send */
	int		 waiting;	/* a step is out */
	int64_t		 sent_us;
};

static struct {
	char		(*phones)[LOAD_PHONE_MAX];
	size_t		 nphones, next_phone;
	char		*steps[LOAD_STEPS_MAX];
	int		 nsteps;
	int		 ussd;
	struct walker	*w;
	int		 nw;
	int64_t		*lat;		/* answered, in microseconds */
	int64_t		*lat_at;	/* when each was sent, from the start */
	size_t		 nlat;
	unsigned	 sent, unanswered, late, errors, texts;
	int64_t		 start_us, last_us;
	struct event	*tick_ev;
	int		 started;
} ld;

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
pct(const int64_t *v, size_t n, unsigned p)
{
	size_t	 i;

	if (n == 0)
		return 0;
	i = (n * p + 99) / 100;
	return v[i == 0 ? 0 : i - 1];
}

/*
 * Every answer in the order they came, to see when the slow ones happen
 * (a stall every second, or noise): "sent_ms latency_us" a line.
 */
static void
load_latency_log(void)
{
	FILE	*f;
	size_t	 i;

	if (conf.latency_log == NULL)
		return;
	if ((f = fopen(conf.latency_log, "w")) == NULL) {
		log_warn("%s", conf.latency_log);
		return;
	}
	for (i = 0; i < ld.nlat; i++)
		fprintf(f, "%.3f %" PRId64 "\n", (double)ld.lat_at[i] / 1000,
		    ld.lat[i]);
	if (fclose(f) == EOF)
		log_warn("%s", conf.latency_log);
}

static void
load_report(void)
{
	double	 secs;

	load_latency_log();
	qsort(ld.lat, ld.nlat, sizeof(ld.lat[0]), cmp_i64);
	secs = (double)(ld.last_us - ld.start_us) / 1e6;
	if (printf("load=%s sent=%u answered=%zu unanswered=%u late_ticks=%u "
	    "errors=%u seconds=%.2f rate=%.0f p50_us=%" PRId64 " p90_us=%"
	    PRId64 " p99_us=%" PRId64 " max_us=%" PRId64 "\n",
	    ld.ussd ? "ussd" : "sms", ld.sent, ld.nlat, ld.unanswered,
	    ld.late, ld.errors, secs, secs > 0 ? ld.sent / secs : 0.0,
	    pct(ld.lat, ld.nlat, 50), pct(ld.lat, ld.nlat, 90),
	    pct(ld.lat, ld.nlat, 99), ld.nlat ? ld.lat[ld.nlat - 1] : 0) < 0 ||
	    fflush(stdout) == EOF)
		log_warn("stdout");
}

/* The next phone for a walker that is free. */
static void
walker_next_phone(struct walker *w)
{
	(void)util_strlcpy(w->phone, ld.phones[ld.next_phone],
	    sizeof(w->phone));
	ld.next_phone = (ld.next_phone + 1) % ld.nphones;
	w->step = 0;
	w->waiting = 0;
}

static int
walker_send(struct walker *w, int64_t now)
{
	const char	*err, *text;
	int		 r;

	if (ld.ussd) {
		text = ld.steps[w->step];
		r = smpp_inject_ussd(w->phone, text, -1, -2, &err);
	} else {
		/* The keywords take turns across walks. */
		text = ld.steps[ld.texts++ % (unsigned)ld.nsteps];
		r = smpp_inject_mo(w->phone, conf.inject_to, text, 0, 0, &err);
	}
	if (r == -1) {
		log_warnx("load: %s from %s: %s", text, w->phone, err);
		ld.errors++;
		walker_next_phone(w);
		return -1;
	}
	w->waiting = 1;
	w->sent_us = now;
	ld.sent++;
	return 0;
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct timeval	 tv = { 0, LOAD_TICK_US };
	struct walker	*w;
	int64_t		 now = clock_mono_us(), due;
	int		 i, busy = 0, sent;

	(void)fd;
	(void)ev;
	(void)arg;
	for (i = 0; i < ld.nw; i++) {
		w = &ld.w[i];
		if (w->waiting && now - w->sent_us > LOAD_TIMEOUT_US) {
			ld.unanswered++;
			walker_next_phone(w);
		}
		busy += w->waiting;
	}
	/* How many the rate asks for by now. */
	due = (now - ld.start_us) * (int64_t)conf.inject_rate / 1000000;
	if (due > (int64_t)conf.inject_count)
		due = conf.inject_count;
	while ((int64_t)ld.sent < due) {
		sent = 0;
		for (i = 0; i < ld.nw && (int64_t)ld.sent < due; i++) {
			w = &ld.w[i];
			if (w->waiting)
				continue;
			(void)walker_send(w, now);
			sent = 1;
		}
		if (!sent) {
			/* Every walker waits: the gateway is behind. */
			ld.late++;
			break;
		}
	}
	/* Done when the last step sent has its answer (or gave up). */
	for (i = 0, busy = 0; i < ld.nw; i++)
		busy += ld.w[i].waiting;
	if (ld.sent >= conf.inject_count && busy == 0) {
		ld.last_us = now;
		load_report();
		if (event_base_loopbreak(base) == -1)
			log_warnx("event_base_loopbreak");
		return;
	}
	ld.last_us = now;
	if (evtimer_add(ld.tick_ev, &tv) == -1)
		fatalx("evtimer_add");
}

static int
load_phones(const char *path)
{
	FILE	*f;
	char	 line[128];
	size_t	 cap = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n == 0 || n >= LOAD_PHONE_MAX)
			continue;
		if (ld.nphones == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			ld.phones = xreallocarray(ld.phones, cap,
			    sizeof(ld.phones[0]));
		}
		memcpy(ld.phones[ld.nphones++], line, n + 1);
	}
	if (ferror(f)) {
		log_warn("%s", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (ld.nphones == 0) {
		log_warnx("%s: no phone numbers", path);
		return -1;
	}
	return 0;
}

int
load_init(void)
{
	char	*list, *tok, *save = NULL;
	int	 i;

	if (conf.inject_rate == 0)
		return 0;
	if (conf.inject_phones == NULL) {
		log_warnx("--inject-rate needs --inject-phones FILE");
		return -1;
	}
	if (load_phones(conf.inject_phones) == -1)
		return -1;
	ld.ussd = conf.inject_ussd != NULL;
	list = xstrdup(ld.ussd ? conf.inject_ussd : conf.inject_text);
	for (tok = strtok_r(list, ",", &save); tok != NULL &&
	    ld.nsteps < LOAD_STEPS_MAX; tok = strtok_r(NULL, ",", &save))
		ld.steps[ld.nsteps++] = xstrdup(tok);
	free(list);
	if (ld.nsteps == 0) {
		log_warnx("--inject-text: no text");
		return -1;
	}
	ld.nw = ld.ussd ? LOAD_WALKERS_USSD : LOAD_WALKERS_SMS;
	if ((size_t)ld.nw > ld.nphones)
		ld.nw = (int)ld.nphones;
	ld.w = xcalloc((size_t)ld.nw, sizeof(*ld.w));
	for (i = 0; i < ld.nw; i++)
		walker_next_phone(&ld.w[i]);
	ld.lat = xcalloc(conf.inject_count, sizeof(*ld.lat));
	ld.lat_at = xcalloc(conf.inject_count, sizeof(*ld.lat_at));
	if ((ld.tick_ev = evtimer_new(base, tick_cb, NULL)) == NULL)
		fatalx("evtimer_new");
	return 0;
}

void
load_bound(void)
{
	struct timeval	 tv = { 0, 0 };

	if (conf.inject_rate == 0 || ld.started)
		return;
	ld.started = 1;
	/* Let the gateway settle after its bind before the clock starts. */
	tv.tv_sec = 1;
	ld.start_us = clock_mono_us() + 1000000;
	if (evtimer_add(ld.tick_ev, &tv) == -1)
		fatalx("evtimer_add");
}

void
load_submit(const struct pdu *p)
{
	char		 dst[32];
	struct walker	*w;
	int64_t		 now;
	int		 i;

	if (conf.inject_rate == 0 || !ld.started)
		return;
	if (pdu_addr_format(&p->dst, dst, sizeof(dst)) == -1)
		return;
	for (i = 0; i < ld.nw; i++) {
		w = &ld.w[i];
		if (!w->waiting || strcmp(w->phone, dst) != 0)
			continue;
		now = clock_mono_us();
		if (ld.nlat < conf.inject_count) {
			ld.lat_at[ld.nlat] = w->sent_us - ld.start_us;
			ld.lat[ld.nlat++] = now - w->sent_us;
		}
		w->waiting = 0;
		/* USSD: the next step of the walk; the last one ends it. */
		if (!ld.ussd || ++w->step >= ld.nsteps ||
		    p->ussd_service_op == PDU_USSD_PSSR_RESP)
			walker_next_phone(w);
		return;
	}
}

/*
 * The bare client: bind, keep the window full of submit_sm, answer every
 * deliver_sm, and time count messages from the first submit to the last
 * receipt (or response, without receipts).
 */

static struct {
	struct bufferevent *bev;
	uint32_t	 seq;
	unsigned	 window, count, outstanding, submitted, responses;
	unsigned	 receipts, receipts_wanted;
	int		 bound;
	int64_t		 t0;
	struct pdu	 sub;
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len;
} cl;

static void
client_send(const struct pdu *p)
{
	uint8_t		 buf[PDU_ENCODE_MAX];
	size_t		 len;
	const char	*err;

	if (pdu_encode(p, buf, sizeof(buf), &len, &err) == -1)
		fatalx("client: encode %s: %s", pdu_command_name(p->cmd), err);
	if (bufferevent_write(cl.bev, buf, len) == -1)
		fatalx("client: write");
}

static void
client_fill(void)
{
	while (cl.outstanding < cl.window && cl.submitted < cl.count) {
		/* The same message each time: only the sequence changes. */
		(void)pdu_seq_next(&cl.seq);
		cl.buf[12] = (uint8_t)(cl.seq >> 24);
		cl.buf[13] = (uint8_t)(cl.seq >> 16);
		cl.buf[14] = (uint8_t)(cl.seq >> 8);
		cl.buf[15] = (uint8_t)cl.seq;
		if (bufferevent_write(cl.bev, cl.buf, cl.len) == -1)
			fatalx("client: write");
		cl.outstanding++;
		cl.submitted++;
	}
}

static void
client_done(void)
{
	double	 secs = (double)(clock_mono_us() - cl.t0) / 1e6;

	if (printf("client messages=%u window=%u seconds=%.2f rate=%.0f "
	    "receipts=%u\n", cl.count, cl.window, secs,
	    secs > 0 ? cl.count / secs : 0.0, cl.receipts) < 0 ||
	    fflush(stdout) == EOF)
		log_warn("stdout");
	if (event_base_loopbreak(base) == -1)
		log_warnx("event_base_loopbreak");
}

static void
client_pdu(const uint8_t *buf, size_t len)
{
	static struct pdu	 p;
	struct pdu		 r;
	uint32_t		 nack;
	const char		*err;

	if (pdu_decode(buf, len, &p, &nack, &err) == -1)
		fatalx("client: %s refused: %s", pdu_command_name(p.cmd), err);
	switch (p.cmd) {
	case PDU_BIND_TRANSCEIVER_RESP:
		if (p.status != PDU_ROK)
			fatalx("client: bind refused: %s",
			    pdu_status_name(p.status));
		cl.bound = 1;
		cl.t0 = clock_mono_us();
		client_fill();
		break;
	case PDU_SUBMIT_SM_RESP:
		cl.outstanding--;
		cl.responses++;
		client_fill();
		break;
	case PDU_DELIVER_SM:
		pdu_init_resp(&r, &p, PDU_ROK);
		client_send(&r);
		cl.receipts++;
		break;
	case PDU_ENQUIRE_LINK:
		pdu_init_resp(&r, &p, PDU_ROK);
		client_send(&r);
		break;
	default:
		break;
	}
	if (cl.bound && cl.responses >= cl.count &&
	    cl.receipts >= cl.receipts_wanted)
		client_done();
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);
	const uint8_t	*buf;
	size_t		 len;
	enum pdu_frame	 f;

	(void)arg;
	while ((f = pdu_frame_evbuffer(in, &buf, &len)) == PDU_FRAME_OK) {
		client_pdu(buf, len);
		if (evbuffer_drain(in, len) == -1)
			fatalx("evbuffer_drain");
	}
	if (f == PDU_FRAME_BROKEN)
		fatalx("client: broken framing");
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)arg;
	if (what & BEV_EVENT_CONNECTED)
		return;
	fatalx("client: connection lost");
}

int
client_main(const char *host, int port, unsigned window, unsigned count,
    int receipts)
{
	struct sockaddr_in	 sin;
	struct pdu		 b;
	const char		*err;
	int			 one = 1;
	evutil_socket_t		 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		fatalx("%s: not an IPv4 address", host);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	cl.window = window;
	cl.count = count;
	cl.receipts_wanted = receipts ? count : 0;
	if ((cl.bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(cl.bev, client_read_cb, NULL, client_event_cb, NULL);
	if (bufferevent_socket_connect(cl.bev, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1)
		fatal("connect %s:%d", host, port);
	fd = bufferevent_getfd(cl.bev);
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		log_warn("TCP_NODELAY");
	if (bufferevent_enable(cl.bev, EV_READ | EV_WRITE) == -1)
		fatalx("bufferevent_enable");

	/* The submit the gateway's bench sends, encoded once. */
	pdu_init(&cl.sub, PDU_SUBMIT_SM, 1);
	if (pdu_addr_set(&cl.sub.src, "MUNI") == -1 ||
	    pdu_addr_set(&cl.sub.dst, "+37120000001") == -1)
		fatalx("client: address");
	cl.sub.registered_delivery = receipts ? PDU_REG_RECEIPT : 0;
	cl.sub.data_coding = PDU_DCS_UCS2;
	cl.sub.data_len = 2 * 45;
	memset(cl.sub.data, 0x01, cl.sub.data_len);
	if (pdu_encode(&cl.sub, cl.buf, sizeof(cl.buf), &cl.len, &err) == -1)
		fatalx("client: encode submit_sm: %s", err);

	pdu_init(&b, PDU_BIND_TRANSCEIVER, pdu_seq_next(&cl.seq));
	(void)util_strlcpy(b.system_id, conf.system_id, sizeof(b.system_id));
	(void)util_strlcpy(b.password, conf.password, sizeof(b.password));
	client_send(&b);
	if (event_base_dispatch(base) == -1)
		fatalx("event_base_dispatch");
	return cl.bound && cl.responses >= cl.count ? 0 : 1;
}
