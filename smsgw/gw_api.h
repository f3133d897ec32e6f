/*
 * api: the HTTP API under /api/v1 on the gateway's listener, for the
 * municipal system to push messages and broadcasts:
 *
 *   POST /api/v1/messages        one SMS to a phone      -> 201 {"message"}
 *   POST /api/v1/broadcasts      a group and a text      -> 201 {"broadcast"}
 *   GET  /api/v1/broadcasts/ID   counts per state        -> 200
 *
 * A bearer token read from [http] token_file at start and on SIGHUP
 * guards it (no file configured: the API is off, 503). Each client
 * address has a token bucket ([http] api_rate_per_min, api_burst; 429 with
 * Retry-After past it). Writes go through the daemon's own store handle and
 * are committed before the answer. Errors are JSON: {"error": CODE,
 * "reason": TEXT}.
 */
#ifndef MUNI_GW_API_H
#define MUNI_GW_API_H

struct api;
struct config;
struct disp;
struct evhttp_request;
struct store;

/*
 * Over the daemon's store and dispatcher; cfg stays the caller's until
 * api_reload or api_free. NULL with *errstr when the token file is
 * configured but cannot be used.
 */
struct api	*api_new(struct store *, struct disp *,
		    const struct config *cfg, const char **errstr);
/*
 * A new configuration (SIGHUP): the token file is read again. When it
 * cannot be used the old token stays and -1 comes back with *errstr.
 */
int		 api_reload(struct api *, const struct config *cfg,
		    const char **errstr);
void		 api_free(struct api *);

/*
 * The worker that runs the PUTs (gw_work); without one (NULL) a PUT is
 * 503.
 */
struct work;
void		 api_set_work(struct api *, struct work *);

/* Answer a request whose path starts with /api/. */
void		 api_handle(struct api *, struct evhttp_request *);

/* Read a token file: 0, or -1 with *errstr. For -n and the tests. */
int		 api_token_read(const char *path, char *buf, size_t size,
		    const char **errstr);

#endif
