/*
 * http: the gateway's HTTP side on [http] listen (loopback by default):
 * GET /health, 200 while a bind is up and 503 otherwise, and GET /metrics
 * in the Prometheus text format; under /api/ the API of gw_api. At most
 * [http] max_connections clients at once, each with [http]
 * request_timeout_s to send its request; one request per connection.
 */
#ifndef MUNI_GW_HTTP_H
#define MUNI_GW_HTTP_H

#include <jansson.h>
#include <stdint.h>

struct config;
struct disp;
struct event_base;
struct evhttp_request;
struct http;

/*
 * What answers the requests under /api/: a function and its argument, so
 * the server knows no API (gw_api uses this module, not the reverse).
 */
typedef void	(*http_handler_fn)(void *, struct evhttp_request *);

/*
 * Listen on [http] listen; NULL with *errstr when it cannot. api (NULL:
 * none) answers under /api/ with api_arg. cfg is read here only.
 */
struct http	*http_new(struct event_base *, const struct config *cfg,
		    struct disp *, http_handler_fn api, void *api_arg,
		    const char **errstr);
void		 http_free(struct http *);

/* Bytes a PUT body may hold per row of [http] max_rows, on average. */
#define HTTP_ROW_BYTES	512

/*
 * Call fn(arg) if the client goes before req is answered (evhttp then
 * frees req): for an answer that comes later, from the API worker. fn
 * NULL forgets it. 0, or -1 when req is not one of ours.
 */
int		 http_on_gone(struct evhttp_request *, void (*fn)(void *),
		    void *arg);

/* Answer with the JSON j (stolen; NULL answers 500) as the body. */
void		 http_send_json(struct evhttp_request *, int code,
		    const char *why, json_t *j);
/* Answer {"error": err, "reason": reason} with code. */
void		 http_error(struct evhttp_request *, int code, const char *why,
		    const char *err, const char *reason);

/*
 * What clients do wrong is logged at most once a minute per kind: the
 * first time, then with the count of those held back. Zero it to start.
 */
struct http_ratelog {
	int64_t		 at_ms;
	uint64_t	 held;
};
void		 http_ratelog(struct http_ratelog *, const char *what,
		    const char *peer);

#endif
