/*
 * api's private parts, for its two files: gw_api.c (the routes, the
 * token, the POSTs and GETs) and gw_apiput.c (the PUTs of the registers).
 * Nothing else includes this.
 */
#ifndef MUNI_GW_API_PRIV_H
#define MUNI_GW_API_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "gw_http.h"
#include "idem.h"

struct config;
struct disp;
struct evhttp_request;
struct store;
struct work;

#define TOKEN_MIN	16	/* characters of a bearer token */
#define TOKEN_MAX	512
#define BUCKETS		256	/* client addresses remembered */
#define ACTOR		"api"	/* created_by of what the API writes */
#define PREFIX		"/api/v1/"
#define PUT_RETRY_S	5	/* Retry-After while the worker is busy */
#define API_CHUNK_ROWS	1000	/* outbox rows per commit of an API broadcast */

struct bucket {
	char		 addr[64];	/* "" free */
	double		 tokens;
	int64_t		 at_ms;		/* last refill */
};

struct api {
	struct store	*store;
	struct disp	*disp;
	const struct config *cfg;
	char		 token[TOKEN_MAX + 1];	/* "" the API is off */
	size_t		 token_len;
	struct bucket	 buckets[BUCKETS];
	struct http_ratelog unauth_log;	/* 401s */
	struct work	*work;		/* PUTs of the registers */
};

/* Answer {"error": err, "reason": reason} (non-UTF-8 bytes become '?'). */
void	 api_error(struct evhttp_request *, int code, const char *why,
	    const char *err, const char *reason);
/* Add an answer header (logged if it cannot be). */
void	 api_header(struct evhttp_request *, const char *k, const char *v);
/* Commit what the gateway has open first; -1 after answering 503. */
int	 api_store_ready(struct api *, struct evhttp_request *);
/* The hex SHA-256 of a body, for its Idempotency-Key. 0 or -1. */
int	 api_body_sha256(const char *b, size_t len,
	    char out[IDEM_HASH_SIZE]);

/* PUT /api/v1/residents, queue or fees (endpoint names which). */
void	 api_put(struct api *, struct evhttp_request *, const char *addr,
	    const char *client, const char *endpoint);

#endif
