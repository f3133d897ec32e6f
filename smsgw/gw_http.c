/*
 * http: evhttp with /health and /metrics, which change nothing and stay
 * public (keep [http] listen on loopback or behind a proxy), and the API
 * under /api/, which gw_api guards with its token.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "gw_api.h"
#include "gw_apibody.h"
#include "gw_disp.h"
#include "gw_http.h"
#include "gw_metrics.h"
#include "log.h"
#include "util.h"

struct http {
	struct evhttp	*eh;
	struct disp	*disp;
	struct api	*api;
};

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
	if (evhttp_bind_socket(h->eh, host, (uint16_t)port) != 0) {
		*errstr = "cannot listen on [http] listen (in use?)";
		evhttp_free(h->eh);
		free(h);
		return NULL;
	}
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	evhttp_free(h->eh);
	free(h);
}
