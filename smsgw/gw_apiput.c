/*
 * apiput: PUT /api/v1/residents, queue and fees (issue 23) for gw_api; see
 * muni-smsgw(8) and doc/openapi.yaml.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "apitoken.h"
#include "clock.h"
#include "config.h"
#include "gw_api_priv.h"
#include "gw_apibody.h"
#include "gw_http.h"
#include "gw_work.h"
#include "i18n.h"
#include "idem.h"
#include "import.h"
#include "log.h"
#include "store.h"
#include "util.h"

/*
 * PUT /api/v1/residents, queue, fees (issue 23): a register's rows, as
 * the CSV import takes them (text/csv) or as a JSON array of objects with
 * the same keys, imported all or nothing by the import itself on the
 * worker thread (gw_work), so 100,000 rows never stall SMPP. The loop
 * only moves the body (no copy) to the job and answers when the worker
 * is done; the body's hash, the Idempotency-Key, the JSON rewrite and the
 * import all run on the worker's connection. One PUT at a time: another
 * one meanwhile is 503 with Retry-After (the server is busy, not the
 * resource in conflict: the same request a little later is right).
 */
#define PUT_ERRORS_MAX	IMPORT_MAX_ERRORS_SHOWN

struct put_job {
	struct api		*a;
	struct evhttp_request	*req;	/* NULL once the client went */
	enum import_kind	 kind;
	const char		*endpoint;	/* "residents", ... */
	int			 json;
	struct evbuffer		*body;
	size_t			 max_rows;
	char			 key[IDEM_KEY_MAX + 1];	/* "" none */
	char			 client[APITOKEN_CLIENT_MAX + 2];
	char			 addr[64];
	char			 origin[APITOKEN_CLIENT_MAX + 8];
	char			 hash[IDEM_HASH_SIZE];
	/* The answer, made on the worker. */
	int			 status;
	int			 replayed;
	json_t			*answer;
	json_t			*errors;	/* [{row, field, message}] */
	struct import_result	 res;
};

static void
put_job_free(struct put_job *j)
{
	if (j->body != NULL)
		evbuffer_free(j->body);
	json_decref(j->answer);
	json_decref(j->errors);
	free(j);
}

/* The client went before its answer: the worker's result is dropped. */
static void
put_gone(void *arg)
{
	struct put_job	*j = arg;

	j->req = NULL;
}

static void
put_row_error(void *arg, size_t row, const char *field, const char *msg)
{
	struct put_job	*j = arg;

	if (json_array_size(j->errors) < PUT_ERRORS_MAX)
		(void)json_array_append_new(j->errors, json_pack("{s:I, s:s?, "
		    "s:s}", "row", (json_int_t)row, "field", field, "message",
		    msg));
}

/* Keep the answer with the rows, in the import's transaction. */
static int
put_keep(void *arg, struct store *s, const struct import_result *r)
{
	struct put_job	*j = arg;
	char		*text;
	int		 rc;

	json_decref(j->answer);
	j->answer = json_pack("{s:I, s:I, s:I, s:I}", "rows",
	    (json_int_t)r->rows, "inserted", (json_int_t)r->inserted,
	    "updated", (json_int_t)r->updated, "unchanged",
	    (json_int_t)r->unchanged);
	if (j->answer == NULL)
		return -1;
	if (j->key[0] == '\0')
		return 0;
	if ((text = json_dumps(j->answer, JSON_COMPACT)) == NULL)
		return -1;
	rc = idem_put(s, j->client, j->endpoint, j->key, j->hash, 200, text,
	    clock_now());
	free(text);
	return rc;
}

static void
put_fail(struct put_job *j, int status, const char *err, const char *reason)
{
	json_decref(j->answer);
	j->status = status;
	j->answer = json_pack("{s:s, s:s}", "error", err, "reason", reason);
}

/* File-level messages of the import (one a line) join the errors. */
static void
put_messages(struct put_job *j, const char *buf, size_t len)
{
	const char	*p = buf, *nl, *end = buf + len;
	char		 line[APIBODY_ERR_SIZE];

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		(void)util_snprintf(line, sizeof(line), "%.*s", (int)(nl - p),
		    p);
		if (line[0] != '\0' && util_utf8_valid(line, strlen(line)))
			(void)json_array_append_new(j->errors, json_pack(
			    "{s:I, s:n, s:s}", "row", (json_int_t)0, "field",
			    "message", line));
		p = nl + 1;
	}
}

/* On the worker thread: everything but the answer's sending. */
static void
put_run(struct store *s, void *arg)
{
	struct put_job		*j = arg;
	struct import_opts	 o;
	struct apibody_error	 e;
	const char		*b;
	char			*csv = NULL, *msgs = NULL, *answer;
	char			 field[APIBODY_FIELD_SIZE], name[96];
	char			 reason[APIBODY_ERR_SIZE + 128];
	size_t			 len, csvlen, msglen = 0, row;
	FILE			*in = NULL, *mf = NULL;
	int			 status, rc;

	j->status = 500;
	len = evbuffer_get_length(j->body);
	if (len == 0 || (b = (const char *)evbuffer_pullup(j->body, -1)) ==
	    NULL) {
		put_fail(j, 400, "bad_request", len == 0 ? _("the request has "
		    "no body (rows as CSV with the import's header, or a JSON "
		    "array of objects)") : _("out of memory"));
		if (len != 0)
			j->status = 500;
		return;
	}
	store_set_origin(s, j->origin);
	if (j->key[0] != '\0') {
		if (api_body_sha256(b, len, j->hash) == -1) {
			put_fail(j, 500, "internal", _("out of memory"));
			return;
		}
		rc = idem_get(s, j->client, j->endpoint, j->key, j->hash,
		    clock_now(), &status, &answer);
		if (rc == -1) {
			put_fail(j, 500, "database", store_errmsg(s));
			return;
		}
		if (rc == 2) {
			put_fail(j, 409, "idempotency_conflict", _("this "
			    "Idempotency-Key came with another body in the "
			    "last 24 hours"));
			return;
		}
		if (rc == 1) {
			json_decref(j->answer);
			j->answer = json_loads(answer, 0, NULL);
			j->status = status;
			j->replayed = 1;
			free(answer);
			return;
		}
	}
	if (j->json) {
		if (apibody_rows(b, len, j->max_rows, &csv, &csvlen, &e, &row,
		    field) == -1) {
			if (strcmp(e.code, "too_many_rows") == 0) {
				put_fail(j, 413, "too_many_rows", e.reason);
				return;
			}
			if (row > 0) {
				(void)util_snprintf(reason, sizeof(reason),
				    _("row %zu%s%s: %s"), row, field[0] != '\0' ?
				    _(", field ") : "", field, e.reason);
				put_fail(j, 400, e.code, reason);
				(void)json_object_set_new(j->answer, "errors",
				    json_pack("[{s:I, s:s?, s:s}]", "row",
				    (json_int_t)row, "field", field[0] != '\0' ?
				    field : NULL, "message", e.reason));
			} else
				put_fail(j, e.code[0] == 'i' ? 500 : 400, e.code,
				    e.reason);
			return;
		}
		in = fmemopen(csv, csvlen, "r");
	} else
		in = fmemopen((void *)(uintptr_t)b, len, "r");
	mf = open_memstream(&msgs, &msglen);
	if (in == NULL || mf == NULL) {
		put_fail(j, 500, "internal", _("out of memory"));
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.errout = mf;
	o.error = put_row_error;
	o.before_commit = put_keep;
	o.arg = j;
	o.max_rows = j->max_rows;
	o.actor = ACTOR;
	(void)util_snprintf(name, sizeof(name), "PUT %s from %s",
	    j->endpoint, j->origin);
	rc = import_stream(s, j->kind, in, name, &o, &j->res);
	(void)fflush(mf);
	if (rc == 0) {
		j->status = 200;
		goto out;
	}
	if (j->res.too_many) {
		(void)util_snprintf(reason, sizeof(reason), _("the body has "
		    "more than %zu rows ([http] max_rows); nothing was "
		    "imported"), j->max_rows);
		put_fail(j, 413, "too_many_rows", reason);
		goto out;
	}
	(void)util_snprintf(reason, sizeof(reason), _("%zu errors in %zu "
	    "rows; nothing was imported"), j->res.errors, j->res.rows);
	put_fail(j, 400, "invalid_rows", reason);
	put_messages(j, msgs, msglen);
	if (j->answer != NULL) {
		(void)json_object_set(j->answer, "errors", j->errors);
		(void)json_object_set_new(j->answer, "errors_total",
		    json_integer((json_int_t)j->res.errors));
	}
out:
	if (in != NULL)
		(void)fclose(in);
	if (mf != NULL)
		(void)fclose(mf);
	free(msgs);
	free(csv);
}

/* Back on the loop: answer, if the client is still there. */
static void
put_done(void *arg)
{
	struct put_job	*j = arg;
	json_t		*ans = j->answer;

	if (j->req == NULL) {
		log_warnx("api: %s: PUT %s: the client went before its answer "
		    "(status %d)", j->addr, j->endpoint, j->status);
		put_job_free(j);
		return;
	}
	(void)http_on_gone(j->req, NULL, NULL);
	if (j->status == 200 && !j->replayed)
		log_info("api: %s: PUT %s: rows=%zu inserted=%zu updated=%zu "
		    "unchanged=%zu", j->addr, j->endpoint, j->res.rows,
		    j->res.inserted, j->res.updated, j->res.unchanged);
	else if (j->status != 200)
		log_info("api: %s: PUT %s: %d, %zu errors", j->addr,
		    j->endpoint, j->status, j->res.errors);
	if (j->replayed)
		api_header(j->req, "Idempotent-Replayed", "true");
	j->answer = NULL;
	http_send_json(j->req, j->status, j->status == 200 ? "OK" :
	    j->status == 400 ? "Bad Request" : j->status == 409 ?
	    "Conflict" : j->status == 413 ? "Payload Too Large" :
	    "Internal Server Error", ans);
	put_job_free(j);
}

void
api_put(struct api *a, struct evhttp_request *req, const char *addr,
    const char *client, const char *endpoint)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(req);
	const char		*ct = evhttp_find_header(h, "Content-Type");
	const char		*key = evhttp_find_header(h, "Idempotency-Key");
	struct put_job		*j;
	char			 secs[16];

	if (ct == NULL || (strncasecmp(ct, "text/csv", 8) != 0 &&
	    strncasecmp(ct, "application/json", 16) != 0)) {
		api_error(req, 415, "Unsupported Media Type",
		    "unsupported_media_type", _("the body must be text/csv "
		    "(with the import's header row) or application/json (an "
		    "array of objects)"));
		return;
	}
	if (key != NULL && !idem_key_valid(key)) {
		api_error(req, 400, "Bad Request", "invalid_idempotency_key",
		    _("an Idempotency-Key is 1 to 255 printable ASCII "
		    "characters without blanks"));
		return;
	}
	if (a->work == NULL || work_busy(a->work)) {
		(void)util_snprintf(secs, sizeof(secs), "%d", PUT_RETRY_S);
		api_header(req, "Retry-After", secs);
		api_error(req, 503, "Service Unavailable", "busy",
		    _("another PUT is being imported; try again later"));
		return;
	}
	/* What the loop has open is committed first, as for other writes. */
	if (api_store_ready(a, req) == -1)
		return;
	j = xcalloc(1, sizeof(*j));
	j->a = a;
	j->req = req;
	j->endpoint = endpoint;
	(void)import_kind_parse(endpoint, &j->kind);
	j->json = strncasecmp(ct, "application/json", 16) == 0;
	j->max_rows = (size_t)config_int(a->cfg, CFG_HTTP_MAX_ROWS);
	if (key != NULL)
		(void)util_strlcpy(j->key, key, sizeof(j->key));
	(void)util_strlcpy(j->client, client, sizeof(j->client));
	(void)util_strlcpy(j->addr, addr, sizeof(j->addr));
	(void)util_snprintf(j->origin, sizeof(j->origin), "api:%s",
	    client[0] == ':' ? client + 1 : client);
	if ((j->errors = json_array()) == NULL ||
	    (j->body = evbuffer_new()) == NULL ||
	    evbuffer_add_buffer(j->body,
	    evhttp_request_get_input_buffer(req)) == -1 ||
	    http_on_gone(req, put_gone, j) == -1 ||
	    work_submit(a->work, put_run, put_done, j) == -1) {
		(void)http_on_gone(req, NULL, NULL);
		put_job_free(j);
		api_error(req, 500, "Internal Server Error", "internal",
		    _("the import could not start"));
		return;
	}
}
