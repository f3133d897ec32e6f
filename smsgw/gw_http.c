/*
 * http: evhttp with /health and /metrics, which change nothing and stay
 * public (keep [http] listen on loopback or behind a proxy), and the API
 * under /api/, which gw_api guards with its token.
 *
 * HTTP clients must never take the descriptors the SMPP binds and the
 * database need. Every connection is counted from the moment evhttp
 * accepts it: at most [http] max_connections at once (the gateway checks
 * at start that they fit its RLIMIT_NOFILE beside the binds), and each has
 * [http] request_timeout_s from its connect to the end of its request,
 * however slowly the bytes drip (evhttp's own timeout restarts at every
 * byte). At the cap the listener rests, newcomers wait in the kernel's
 * backlog, and the oldest connection still sending its request is cut:
 * a slow client loses its place to a quick one, so /health answers while
 * slow clients crowd in. One request per connection (Connection: close),
 * so a connection's deadline is its request's.
 *
 * Errors are JSON, {"error": CODE, "reason": TEXT}, also those evhttp
 * answers by itself (a request line or header it cannot parse: 400, too
 * large: 413, a method it does not know: 501); libevent 2.1 has no hook
 * for their bodies, so the answer is rewritten in the connection's output
 * buffer before the first byte of it is written.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>

#include "clock.h"
#include "config.h"
#include "gw_apibody.h"
#include "gw_disp.h"
#include "gw_http.h"
#include "gw_metrics.h"
#include "i18n.h"
#include "log.h"
#include "util.h"

/* Out of descriptors: how long the listener rests before accepting again. */
#define HTTP_ACCEPT_PAUSE_MS	250
#define HTTP_HEADERS_MAX	8192
/* At most one line a minute for each kind of trouble a client makes. */
#define HTTP_RATELOG_MS		60000

enum conn_state {
	CONN_NEW,		/* accepted; evhttp is still setting it up */
	CONN_READING,		/* the request is on its way; the deadline runs */
	CONN_ANSWERING,		/* a handler has it */
	CONN_REWRITE,		/* evhttp answered an error by itself */
	CONN_CUT,		/* shut down; evhttp frees it at the EOF */
};

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct http		*h;
	struct bufferevent	*bev;
	struct evhttp_connection *evcon;	/* NULL until adopted */
	struct evbuffer_cb_entry *outcb;
	struct event		*ev;	/* adoption, deadline, rewrite */
	int64_t			 since_ms;	/* accepted, monotonic */
	enum conn_state		 state;
	void			(*gone)(void *);	/* http_on_gone */
	void			*gone_arg;
};
TAILQ_HEAD(http_conns, http_conn);

struct http {
	struct evhttp	*eh;
	struct event_base *base;
	struct disp	*disp;
	http_handler_fn	 api;		/* under /api/, or NULL */
	void		*api_arg;
	struct evconnlistener *lev;	/* evhttp's, for its accept errors */
	struct event	*resume_ev;
	uint64_t	 accept_errors;
	struct http_conns conns;	/* oldest first */
	int		 nconns;
	int		 max_conns;
	int		 full;		/* the listener rests for the cap */
	int		 closing;
	struct timeval	 deadline;
	struct http_ratelog cut_log;
	struct http_ratelog cap_log;
};

/*
 * The listener's error callback gets evhttp's argument, not ours: the one
 * HTTP front of the process is found here.
 */
static struct http	*http_self;

static void	conn_cut(struct http_conn *);
static void	conn_rearm(struct http_conn *);

void
http_ratelog(struct http_ratelog *r, const char *what, const char *peer)
{
	int64_t	 now = clock_mono_ms();

	if (r->at_ms != 0 && now - r->at_ms < HTTP_RATELOG_MS) {
		r->held++;
		return;
	}
	if (r->held > 0)
		log_warnx("http: %s (%s; %llu more in the minute before)",
		    what, peer, (unsigned long long)r->held);
	else
		log_warnx("http: %s (%s)", what, peer);
	r->at_ms = now;
	r->held = 0;
}

void
http_send_json(struct evhttp_request *req, int code, const char *why,
    json_t *j)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer	*b;
	char		*text;

	text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (text == NULL || (b = evbuffer_new()) == NULL) {
		free(text);
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	if (evbuffer_add(b, text, strlen(text)) == -1 ||
	    evbuffer_add(b, "\n", 1) == -1 ||
	    evhttp_add_header(out, "Content-Type", "application/json") == -1 ||
	    evhttp_add_header(out, "Cache-Control", "no-store") == -1)
		log_warnx("http: cannot build an answer");
	evhttp_send_reply(req, code, why, b);
	evbuffer_free(b);
	free(text);
}

void
http_error(struct evhttp_request *req, int code, const char *why,
    const char *err, const char *reason)
{
	http_send_json(req, code, why, json_pack("{s:s, s:s}", "error", err,
	    "reason", reason));
}

/*
 * Connections.
 */

static void
listener_set(struct http *h, int on)
{
	if ((on ? evconnlistener_enable(h->lev) :
	    evconnlistener_disable(h->lev)) == -1)
		log_warnx("http: cannot %s the listener", on ? "resume" :
		    "pause");
}

static struct http_conn *
conn_find(struct http *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct http_conn	*c;

	/* At most max_connections, and one look-up per request. */
	TAILQ_FOREACH(c, &h->conns, entry)
		if (c->evcon == evcon && evcon != NULL)
			return c;
	return NULL;
}

static void
conn_peer(struct http_conn *c, char *buf, size_t size)
{
	char		*host = NULL;
	ev_uint16_t	 port;

	buf[0] = '\0';
	if (c->evcon != NULL)
		evhttp_connection_get_peer(c->evcon, &host, &port);
	(void)util_strlcpy(buf, host != NULL ? host : "?", size);
}

/* Gone, from evhttp's side: forget it, and accept again below the cap. */
static void
conn_gone(struct http_conn *c)
{
	struct http	*h = c->h;

	TAILQ_REMOVE(&h->conns, c, entry);
	h->nconns--;
	metrics_http_connections(h->nconns);
	event_free(c->ev);
	free(c);
	if (h->full && h->nconns < h->max_conns && !h->closing) {
		h->full = 0;
		/* An accept error's pause ends on its own timer. */
		if (!evtimer_pending(h->resume_ev, NULL))
			listener_set(h, 1);
	}
}

static void
conn_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn	*c = arg;

	(void)evcon;
	evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->outcb);
	/* evhttp frees the request with the connection: tell its holder. */
	if (c->gone != NULL)
		c->gone(c->gone_arg);
	conn_gone(c);
}

int
http_on_gone(struct evhttp_request *req, void (*fn)(void *), void *arg)
{
	struct http_conn	*c;

	if (http_self == NULL || (c = conn_find(http_self, req)) == NULL)
		return -1;
	c->gone = fn;
	c->gone_arg = arg;
	return 0;
}

/*
 * evhttp has made its connection around our bufferevent: find it (the
 * bufferevent's callback argument is the connection, which the check
 * below confirms), and learn when it goes. Run from the event loop right
 * after the accept, before anything is read.
 */
static void
conn_adopt(struct http_conn *c)
{
	struct evhttp_connection *evcon;
	void			 *arg = NULL;

	bufferevent_getcb(c->bev, NULL, NULL, NULL, &arg);
	evcon = arg;
	if (evcon == NULL || evhttp_connection_get_bufferevent(evcon) !=
	    c->bev) {
		/* evhttp gave it up at once (out of memory). */
		evbuffer_remove_cb_entry(bufferevent_get_output(c->bev),
		    c->outcb);
		bufferevent_decref(c->bev);
		conn_gone(c);
		return;
	}
	c->evcon = evcon;
	evhttp_connection_set_closecb(evcon, conn_closed_cb, c);
	/* evhttp owns it now; our reference only kept it for this. */
	bufferevent_decref(c->bev);
	conn_rearm(c);
}

/* The deadline counts from the accept, whatever happened since. */
static void
conn_rearm(struct http_conn *c)
{
	int64_t		 left = (int64_t)c->h->deadline.tv_sec * 1000 -
			    (clock_mono_ms() - c->since_ms);
	struct timeval	 tv;

	if (left < 0)
		left = 0;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
	c->state = CONN_READING;
	if (evtimer_add(c->ev, &tv) == -1)
		log_warnx("http: cannot arm a request deadline");
}

/*
 * Shut the socket down: evhttp reads the EOF and frees the connection
 * the way it frees any other, which calls conn_closed_cb.
 */
static void
conn_cut(struct http_conn *c)
{
	evutil_socket_t	 fd = bufferevent_getfd(c->bev);

	c->state = CONN_CUT;
	(void)event_del(c->ev);
	if (fd != -1 && shutdown(fd, SHUT_RDWR) == -1 && errno != ENOTCONN)
		log_warn("http: shutdown");
}

/*
 * evhttp wrote an answer of its own for a request it could not take. The
 * whole answer is in the output buffer now (evhttp writes it there before
 * the socket is writable); put ours in its place, with the same status.
 */
static void
conn_rewrite(struct http_conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	const char	*err, *reason;
	char		 line[64], *eol, *text = NULL;
	size_t		 n = evbuffer_get_length(out);
	int		 code;
	json_t		*j;

	if (n > sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (evbuffer_copyout(out, line, n) == -1)
		return;
	line[n] = '\0';
	/* "HTTP/1.1 413 Payload Too Large\r\n" */
	if ((eol = strstr(line, "\r\n")) == NULL ||
	    strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' ||
	    sscanf(line + 9, "%3d", &code) != 1)
		return;
	*eol = '\0';
	if (code < 400) {
		/* 100 Continue: the body is still on its way. */
		conn_rearm(c);
		return;
	}
	switch (code) {
	case 400:
		err = "bad_request";
		reason = _("the request cannot be read: a malformed request "
		    "line or header");
		break;
	case 413:
		err = "too_large";
		reason = _("the request is too large (8 KiB of headers, 64 KiB "
		    "of body at most)");
		break;
	case 501:
		err = "not_implemented";
		reason = _("this method is not implemented");
		break;
	default:
		err = "error";
		reason = line + 9;
		break;
	}
	metrics_http(err);
	if ((j = json_pack("{s:s, s:s}", "error", err, "reason",
	    reason)) != NULL)
		text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL)
		return;
	if (evbuffer_drain(out, evbuffer_get_length(out)) == -1 ||
	    evbuffer_add_printf(out, "%s\r\nContent-Type: application/json"
	    "\r\nCache-Control: no-store\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n%s\n", line, strlen(text) + 1,
	    text) == -1)
		log_warnx("http: cannot rewrite an error answer");
	free(text);
}

static void
conn_event_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct http_conn	*c = arg;
	char			 addr[64];

	(void)fd;
	(void)ev;
	switch (c->state) {
	case CONN_NEW:
		conn_adopt(c);
		break;
	case CONN_READING:
		conn_peer(c, addr, sizeof(addr));
		metrics_http("cut_deadline");
		http_ratelog(&c->h->cut_log, "a client did not send its "
		    "request within [http] request_timeout_s: cut", addr);
		conn_cut(c);
		break;
	case CONN_REWRITE:
		conn_rewrite(c);
		break;
	case CONN_ANSWERING:
	case CONN_CUT:
		break;
	}
}

/* Output while the request is read: evhttp answering by itself. */
static void
conn_output_cb(struct evbuffer *b, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_conn	*c = arg;

	(void)b;
	if (c->state != CONN_READING || info->orig_size != 0 ||
	    info->n_added == 0)
		return;
	c->state = CONN_REWRITE;
	(void)event_del(c->ev);
	event_active(c->ev, EV_WRITE, 1);
}

/* The connection that waited longest and still has not sent its request. */
static void
conn_evict(struct http *h)
{
	struct http_conn	*c;
	char			 addr[64];

	TAILQ_FOREACH(c, &h->conns, entry)
		if (c->state == CONN_READING)
			break;
	if (c == NULL)
		return;
	conn_peer(c, addr, sizeof(addr));
	metrics_http("cut_cap");
	http_ratelog(&h->cap_log, "[http] max_connections reached: the "
	    "oldest client still sending its request is cut", addr);
	conn_cut(c);
}

/*
 * evhttp accepted a connection and asks for its bufferevent: the one
 * place that sees every connection first. Count it; at the cap, stop
 * accepting (the listener's loop ends when we disable it) and make room.
 */
static struct bufferevent *
conn_bev_cb(struct event_base *base, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;

	c = xcalloc(1, sizeof(*c));
	c->h = h;
	if ((c->bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->ev = event_new(base, -1, 0, conn_event_cb, c)) == NULL ||
	    (c->outcb = evbuffer_add_cb(bufferevent_get_output(c->bev),
	    conn_output_cb, c)) == NULL)
		fatalx("http: cannot set up a connection");
	/* Until adopted: evhttp may free it before we look. */
	bufferevent_incref(c->bev);
	c->state = CONN_NEW;
	c->since_ms = clock_mono_ms();
	event_active(c->ev, EV_TIMEOUT, 1);
	TAILQ_INSERT_TAIL(&h->conns, c, entry);
	h->nconns++;
	metrics_http_connections(h->nconns);
	if (h->nconns >= h->max_conns) {
		if (!h->full) {
			h->full = 1;
			listener_set(h, 0);
		}
		conn_evict(h);
	}
	return c->bev;
}

/*
 * accept() failed, EMFILE or ENFILE most likely. The connection stays in
 * the backlog, so the listener would wake at once and fail again: a busy
 * loop (and a log line each time, from libevent). Rest instead; the SMPP
 * link and the database need descriptors more than a scrape does.
 */
static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct http	*h = http_self;
	struct timeval	 tv = { 0, HTTP_ACCEPT_PAUSE_MS * 1000 };
	int		 err = EVUTIL_SOCKET_ERROR();

	(void)arg;
	if (h == NULL || h->lev != lev)
		return;
	if (h->accept_errors++ % 1000 == 0)
		log_warnx("http: accept: %s: pausing for %d ms (%llu times)",
		    evutil_socket_error_to_string(err), HTTP_ACCEPT_PAUSE_MS,
		    (unsigned long long)h->accept_errors);
	if (evconnlistener_disable(lev) == -1 ||
	    evtimer_add(h->resume_ev, &tv) == -1)
		log_warnx("http: cannot pause the listener");
}

static void
resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct http	*h = arg;

	(void)fd;
	(void)ev;
	/* At the cap, the next connection to go resumes it. */
	if (!h->full)
		listener_set(h, 1);
}

/*
 * Requests.
 */

/*
 * Every handler starts here: the request is in, its deadline stops, the
 * answer closes the connection. 0 when it was answered already (a
 * request with two lengths, which a proxy in front may read otherwise).
 */
static int
begin(struct http *h, struct evhttp_request *req)
{
	struct http_conn	*c = conn_find(h, req);
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyval		*kv;
	int			 lengths = 0, chunked = 0;

	if (c != NULL && c->state == CONN_READING) {
		c->state = CONN_ANSWERING;
		(void)event_del(c->ev);
	}
	if (evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Connection", "close") == -1)
		log_warnx("http: header");
	TAILQ_FOREACH(kv, in, next) {
		if (strcasecmp(kv->key, "Content-Length") == 0)
			lengths++;
		else if (strcasecmp(kv->key, "Transfer-Encoding") == 0)
			chunked++;
	}
	if (lengths > 1 || (lengths > 0 && chunked > 0)) {
		metrics_http("bad_request");
		http_error(req, 400, "Bad Request", "bad_request", lengths > 1 ?
		    _("the request has more than one Content-Length header") :
		    _("the request has both Content-Length and "
		    "Transfer-Encoding"));
		return 0;
	}
	return 1;
}

static int
is_get(struct evhttp_request *req)
{
	enum evhttp_cmd_type	 t = evhttp_request_get_command(req);
	char			 reason[128];

	if (t == EVHTTP_REQ_GET || t == EVHTTP_REQ_HEAD)
		return 1;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    "GET, HEAD");
	(void)util_snprintf(reason, sizeof(reason), _("this address takes "
	    "%s"), "GET, HEAD");
	http_error(req, 405, "Method Not Allowed", "method_not_allowed",
	    reason);
	return 0;
}

static void
reply(struct evhttp_request *req, int code, const char *why,
    const char *type, struct evbuffer *body)
{
	if (evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type) == -1)
		log_warnx("http: header");
	evhttp_send_reply(req, code, why, body);
}

static void
health_cb(struct evhttp_request *req, void *arg)
{
	struct http	*h = arg;
	struct evbuffer	*b;
	int		 up;

	if (!begin(h, req) || !is_get(req))
		return;
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	up = disp_up(h->disp);
	if (evbuffer_add_printf(b, "%s\n", up ? "ok" : "no bind") == -1)
		log_warnx("http: evbuffer_add_printf");
	reply(req, up ? 200 : 503, up ? "OK" : "Service Unavailable",
	    "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

static void
metrics_cb(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	struct metrics_gauges	 g;
	struct evbuffer		*b;

	if (!begin(h, req) || !is_get(req))
		return;
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	disp_gauges(h->disp, &g);
	if (metrics_format(b, &g) == -1) {
		evbuffer_free(b);
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
	evbuffer_free(b);
}

static void
other_cb(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(req);
	const char		*path = u != NULL ? evhttp_uri_get_path(u) :
				    NULL;

	if (!begin(h, req))
		return;
	if (h->api != NULL && path != NULL && strncmp(path, "/api/", 5) == 0)
		h->api(h->api_arg, req);
	else
		http_error(req, 404, "Not Found", "not_found",
		    _("no such address"));
}

struct http *
http_new(struct event_base *base, const struct config *cfg, struct disp *d,
    http_handler_fn api, void *api_arg, const char **errstr)
{
	struct http	*h;
	struct evhttp_bound_socket *bs;
	const char	*listen = config_str(cfg, CFG_HTTP_LISTEN);
	const char	*colon = strrchr(listen, ':'), *e;
	char		 host[256];
	long long	 port;
	size_t		 hl;

	if (colon == NULL || colon == listen ||
	    util_strtonum(colon + 1, 1, 65535, &port, &e) == -1) {
		*errstr = "[http] listen must be HOST:PORT";
		return NULL;
	}
	hl = (size_t)(colon - listen);
	/* "[::1]:8080" */
	if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') {
		listen++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		*errstr = "[http] listen: the host is too long";
		return NULL;
	}
	memcpy(host, listen, hl);
	host[hl] = '\0';
	h = xcalloc(1, sizeof(*h));
	h->base = base;
	h->disp = d;
	h->api = api;
	h->api_arg = api_arg;
	TAILQ_INIT(&h->conns);
	h->max_conns = (int)config_int(cfg, CFG_HTTP_MAX_CONNECTIONS);
	h->deadline.tv_sec = (time_t)config_int(cfg,
	    CFG_HTTP_REQUEST_TIMEOUT_S);
	if ((h->eh = evhttp_new(base)) == NULL)
		fatalx("evhttp_new");
	/*
	 * Scrapes, probes and POST bodies are small (gw_api refuses a larger
	 * one); a PUT of a register may hold [http] max_rows rows of up to
	 * HTTP_ROW_BYTES each: refuse anything more (413 from evhttp, before
	 * the body is read).
	 */
	evhttp_set_max_headers_size(h->eh, HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(h->eh, (ev_uint64_t)config_int(cfg,
	    CFG_HTTP_MAX_ROWS) * HTTP_ROW_BYTES + APIBODY_MAX);
	evhttp_set_timeout(h->eh, (int)h->deadline.tv_sec);
	evhttp_set_bevcb(h->eh, conn_bev_cb, h);
	/* Every known method reaches the handlers, which answer 405. */
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT);
	if (evhttp_set_cb(h->eh, "/health", health_cb, h) != 0 ||
	    evhttp_set_cb(h->eh, "/metrics", metrics_cb, h) != 0)
		fatalx("evhttp_set_cb");
	evhttp_set_gencb(h->eh, other_cb, h);
	if ((bs = evhttp_bind_socket_with_handle(h->eh, host,
	    (uint16_t)port)) == NULL) {
		*errstr = "cannot listen on [http] listen (in use?)";
		evhttp_free(h->eh);
		free(h);
		return NULL;
	}
	h->lev = evhttp_bound_socket_get_listener(bs);
	if ((h->resume_ev = evtimer_new(base, resume_cb, h)) == NULL)
		fatalx("evtimer_new");
	evconnlistener_set_error_cb(h->lev, accept_error_cb);
	http_self = h;
	return h;
}

void
http_free(struct http *h)
{
	struct http_conn	*c;

	if (h == NULL)
		return;
	if (http_self == h)
		http_self = NULL;
	h->closing = 1;
	/* Each adopted connection leaves through conn_closed_cb. */
	evhttp_free(h->eh);
	while ((c = TAILQ_FIRST(&h->conns)) != NULL) {
		if (c->evcon == NULL) {
			evbuffer_remove_cb_entry(bufferevent_get_output(c->bev),
			    c->outcb);
			bufferevent_decref(c->bev);
		}
		conn_gone(c);
	}
	if (h->resume_ev != NULL)
		event_free(h->resume_ev);
	free(h);
}
