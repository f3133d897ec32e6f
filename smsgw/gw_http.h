/*
 * http: the gateway's HTTP side on [http] listen (loopback by default):
 * GET /health, 200 while a bind is up and 503 otherwise, and GET /metrics
 * in the Prometheus text format; under /api/ the API of gw_api.
 */
#ifndef MUNI_GW_HTTP_H
#define MUNI_GW_HTTP_H

struct api;
struct disp;
struct event_base;
struct http;

/*
 * Listen on "host:port"; NULL with *errstr when it cannot. api (NULL:
 * none) answers under /api/.
 */
struct http	*http_new(struct event_base *, const char *listen,
		    struct disp *, struct api *, const char **errstr);
void		 http_free(struct http *);

#endif
