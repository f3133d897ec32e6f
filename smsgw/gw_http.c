/*
 * http: evhttp with /health and /metrics, which change nothing and stay
 * public (keep [http] listen on loopback or behind a proxy), and the API
 * under /api/, which gw_api guards with its token.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "gw_api.h"
#include "gw_apibody.h"
#include "gw_disp.h"
#include "gw_http.h"
#include "gw_metrics.h"
#include "log.h"
#include "util.h"

/* Out of descriptors: how long the listener rests before accepting again. */
#define HTTP_ACCEPT_PAUSE_MS	250

struct http {
	struct evhttp	*eh;
	struct disp	*disp;
	struct api	*api;
	struct evconnlistener *lev;	/* evhttp's, for its accept errors */
	struct event	*resume_ev;
	uint64_t	 accept_errors;
};

/*
 * The listener's error callback gets evhttp's argument, not ours: the one
 * HTTP front of the process is found here.
 */
static struct http	*http_self;

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
	if (evconnlistener_enable(h->lev) == -1)
		log_warnx("http: cannot resume the listener");
}

static int
is_get(struct evhttp_request *req)
{
	enum evhttp_cmd_type	 t = evhttp_request_get_command(req);

	if (t == EVHTTP_REQ_GET || t == EVHTTP_REQ_HEAD)
		return 1;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    "GET, HEAD");
	evhttp_send_error(req, 405, "Method Not Allowed");
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

	if (!is_get(req))
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

	if (!is_get(req))
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

	if (h->api != NULL && path != NULL && strncmp(path, "/api/", 5) == 0)
		api_handle(h->api, req);
	else
		evhttp_send_error(req, 404, "Not Found");
}

struct http *
http_new(struct event_base *base, const char *listen, struct disp *d,
    struct api *api, const char **errstr)
{
	struct http	*h;
	struct evhttp_bound_socket *bs;
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
	h->disp = d;
	h->api = api;
	if ((h->eh = evhttp_new(base)) == NULL)
		fatalx("evhttp_new");
	/*
	 * Scrapes, probes and API bodies are small: refuse anything that is
	 * not (413 from evhttp, before the body is read).
	 */
	evhttp_set_max_headers_size(h->eh, 8192);
	evhttp_set_max_body_size(h->eh, APIBODY_MAX);
	evhttp_set_timeout(h->eh, 10);
	/* The others reach the handlers, which answer 405 with Allow. */
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
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
	if (h == NULL)
		return;
	if (http_self == h)
		http_self = NULL;
	evhttp_free(h->eh);
	if (h->resume_ev != NULL)
		event_free(h->resume_ev);
	free(h);
}
