/*
 * api: the HTTP API's handlers over evhttp. Order of the checks, cheapest
 * and least revealing first: the client's rate, whether the API is on, the
 * token, the route and method, then the body (gw_apibody) and the store.
 * Nothing here logs or returns a personal code: answers carry ids and
 * counts, log lines a masked phone.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "apitoken.h"
#include "broadcast.h"
#include "clock.h"
#include "config.h"
#include "groups.h"
#include "gw_api.h"
#include "gw_api_priv.h"
#include "gw_apibody.h"
#include "gw_disp.h"
#include "gw_http.h"
#include "gw_metrics.h"
#include "gw_work.h"
#include "i18n.h"
#include "idem.h"
#include "ident.h"
#include "log.h"
#include "outbox.h"
#include "smstext.h"
#include "store.h"
#include "util.h"

int
api_token_read(const char *path, char *buf, size_t size,
    const char **errstr)
{
	static char	 msg[128];
	char		 tmp[TOKEN_MAX + 1];
	const char	*err;
	size_t		 len;

	if (config_secret_file(path, tmp, sizeof(tmp), &err) == -1) {
		(void)util_snprintf(msg, sizeof(msg), "[http] token_file: %s",
		    strncmp(err, "is longer", 9) == 0 ? "the token is too "
		    "long (512 characters at most)" : err);
		*errstr = msg;
		return -1;
	}
	len = strlen(tmp);
	if (len < TOKEN_MIN || len >= size) {
		explicit_bzero(tmp, sizeof(tmp));
		*errstr = len < TOKEN_MIN ? "[http] token_file: the token is "
		    "too short (16 characters at least)" : "[http] token_file: "
		    "the token does not fit";
		return -1;
	}
	memcpy(buf, tmp, len + 1);
	explicit_bzero(tmp, sizeof(tmp));
	return 0;
}

/* Take cfg's token file; the old token stays when it cannot be used. */
static int
load_token(struct api *a, const struct config *cfg, const char **errstr)
{
	const char	*path = config_str(cfg, CFG_HTTP_TOKEN_FILE);
	char		 t[TOKEN_MAX + 1];

	if (path[0] == '\0') {
		explicit_bzero(a->token, sizeof(a->token));
		a->token_len = 0;
		return 0;
	}
	if (api_token_read(path, t, sizeof(t), errstr) == -1)
		return -1;
	explicit_bzero(a->token, sizeof(a->token));
	a->token_len = strlen(t);
	memcpy(a->token, t, a->token_len + 1);
	explicit_bzero(t, sizeof(t));
	return 0;
}

struct api *
api_new(struct store *s, struct disp *d, const struct config *cfg,
    const char **errstr)
{
	struct api	*a = xcalloc(1, sizeof(*a));

	a->store = s;
	a->disp = d;
	a->cfg = cfg;
	if (load_token(a, cfg, errstr) == -1) {
		free(a);
		return NULL;
	}
	if (a->token_len == 0)
		log_info("http: no [http] token_file: the API under /api/ is "
		    "off");
	return a;
}

int
api_reload(struct api *a, const struct config *cfg, const char **errstr)
{
	a->cfg = cfg;
	return load_token(a, cfg, errstr);
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	explicit_bzero(a->token, sizeof(a->token));
	free(a);
}

/*
 * Answers.
 */

void
api_error(struct evhttp_request *req, int code, const char *why,
    const char *err, const char *reason)
{
	char	 buf[APIBODY_ERR_SIZE + BROADCAST_ERR_SIZE];
	size_t	 i;

	/*
	 * A reason that quotes the client's input may have been cut inside
	 * a character; jansson takes only UTF-8, so such bytes become '?'.
	 */
	(void)util_strlcpy(buf, reason, sizeof(buf));
	if (!util_utf8_valid(buf, strlen(buf)))
		for (i = 0; buf[i] != '\0'; i++)
			if ((unsigned char)buf[i] >= 0x80)
				buf[i] = '?';
	http_send_json(req, code, why, json_pack("{s:s, s:s}", "error", err,
	    "reason", buf));
}

void
api_header(struct evhttp_request *req, const char *k, const char *v)
{
	if (evhttp_add_header(evhttp_request_get_output_headers(req), k,
	    v) == -1)
		log_warnx("http: header %s", k);
}

static void
bad_method(struct evhttp_request *req, const char *allow)
{
	char	 reason[128];

	api_header(req, "Allow", allow);
	(void)util_snprintf(reason, sizeof(reason), _("this address takes "
	    "%s"), allow);
	api_error(req, 405, "Method Not Allowed", "method_not_allowed",
	    reason);
}

/*
 * The client's address ("" when unknown) into buf.
 */
static void
peer(struct evhttp_request *req, char *buf, size_t size)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	const char		 *host = NULL;
	ev_uint16_t		  port;

	buf[0] = '\0';
	if (c != NULL)
		evhttp_connection_get_peer(c, (char **)&host, &port);
	if (host != NULL)
		(void)util_strlcpy(buf, host, size);
}

/*
 * A token from addr's bucket: 0 taken, else the seconds until one is
 * there. The table is small; a new address takes the stalest entry.
 */
static long
rate_take(struct api *a, const char *addr)
{
	struct bucket	*b = NULL, *old = &a->buckets[0];
	double		 per_ms = (double)config_int(a->cfg,
			    CFG_HTTP_API_RATE_PER_MIN) / 60000.0;
	double		 burst = (double)config_int(a->cfg,
			    CFG_HTTP_API_BURST);
	int64_t		 now = clock_mono_ms();
	size_t		 i;

	for (i = 0; i < BUCKETS; i++) {
		if (strcmp(a->buckets[i].addr, addr) == 0) {
			b = &a->buckets[i];
			break;
		}
		if (a->buckets[i].at_ms < old->at_ms)
			old = &a->buckets[i];
	}
	if (b == NULL) {
		b = old;
		(void)util_strlcpy(b->addr, addr, sizeof(b->addr));
		b->tokens = burst;
		b->at_ms = now;
	}
	b->tokens += (double)(now - b->at_ms) * per_ms;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at_ms = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	return (long)((1.0 - b->tokens) / per_ms / 1000.0) + 1;
}

/* Compare without a timing that tells how much of a guess was right. */
static int
token_equal(const char *got, size_t glen, const char *want, size_t wlen)
{
	volatile unsigned char	 diff = 0;
	size_t			 i;

	if (wlen == 0)
		return 0;
	/* Always wlen steps, whatever the guess's length. */
	for (i = 0; i < wlen; i++)
		diff |= (unsigned char)want[i] ^
		    (unsigned char)(i < glen ? got[i] : 0);
	return diff == 0 && glen == wlen;
}

/*
 * 1 when the request carries a token: the [http] token_file's (one client
 * of every scope, for old installs: *scope -1) or a named client's
 * (munictl api token add; *scope its scope, the client the origin of the
 * audit rows it causes). Else it was answered. A refusal is counted, and
 * logged at most once a minute (a guesser would fill the log otherwise).
 */
static int
authorized(struct api *a, struct evhttp_request *req, const char *addr,
    int *scope, char *client, size_t csize)
{
	struct apitoken_info	 ti;
	char			 origin[APITOKEN_CLIENT_MAX + 8];
	const char		*h = evhttp_find_header(
				    evhttp_request_get_input_headers(req),
				    "Authorization");
	const char		*t;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		metrics_http("unauthorized");
		http_ratelog(&a->unauth_log, "401: a request to the API "
		    "without a bearer token", addr);
		api_header(req, "WWW-Authenticate", "Bearer realm=\"muni\"");
		api_error(req, 401, "Unauthorized", "unauthorized",
		    _("a bearer token is required (Authorization: Bearer "
		    "TOKEN)"));
		return 0;
	}
	for (t = h + 7; *t == ' '; t++)
		;
	*scope = -1;
	if (token_equal(t, strnlen(t, TOKEN_MAX + 1), a->token,
	    a->token_len)) {
		store_set_origin(a->store, "api:token_file");
		(void)util_strlcpy(client, ":token_file", csize);
		return 1;
	}
	if (apitoken_check(a->store, t, &ti) == 0) {
		*scope = (int)ti.scope;
		(void)util_snprintf(origin, sizeof(origin), "api:%s",
		    ti.client);
		store_set_origin(a->store, origin);
		(void)util_strlcpy(client, ti.client, csize);
		return 1;
	}
	metrics_http("unauthorized");
	http_ratelog(&a->unauth_log, "401: a request to the API with a wrong "
	    "bearer token", addr);
	api_header(req, "WWW-Authenticate", "Bearer realm=\"muni\", "
	    "error=\"invalid_token\"");
	api_error(req, 401, "Unauthorized", "unauthorized",
	    _("the bearer token is not valid"));
	return 0;
}

/* The body as a string; NULL after answering. *len its length. */
static const char *
body(struct evhttp_request *req, size_t *len)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	unsigned char	*p;

	*len = evbuffer_get_length(in);
	if (*len > APIBODY_MAX) {
		api_error(req, 413, "Payload Too Large", "too_large",
		    _("the body is too large"));
		return NULL;
	}
	if (*len == 0)
		return "";
	if ((p = evbuffer_pullup(in, -1)) == NULL) {
		api_error(req, 500, "Internal Server Error", "internal",
		    _("out of memory"));
		return NULL;
	}
	return (const char *)p;
}

/* Commit what the gateway has open, so our transaction is ours. */
int
api_store_ready(struct api *a, struct evhttp_request *req)
{
	if (disp_flush(a->disp) == -1) {
		api_error(req, 503, "Service Unavailable", "unavailable",
		    _("the database cannot take writes now; try again"));
		return -1;
	}
	return 0;
}

/*
 * Idempotency-Key (issue 23). A request with the header is checked
 * against the first one with the same key from the same client before
 * anything is done; its answer is kept with what it created.
 */
struct idem_req {
	const char	*key;		/* NULL: no header */
	const char	*client;
	const char	*endpoint;
	char		 hash[IDEM_HASH_SIZE];
};

int
api_body_sha256(const char *b, size_t len, char out[IDEM_HASH_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0, i;

	if (EVP_Digest(b, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * n] = '\0';
	return 0;
}

/*
 * 0: go on (ir->key NULL without the header); 1: answered, with the
 * first answer again, a conflict, or an error.
 */
static int
idem_check(struct api *a, struct evhttp_request *req, const char *client,
    const char *endpoint, const char *b, size_t len, struct idem_req *ir)
{
	const char	*key = evhttp_find_header(
			    evhttp_request_get_input_headers(req),
			    "Idempotency-Key");
	char		*answer;
	int		 status, rc;

	memset(ir, 0, sizeof(*ir));
	if (key == NULL)
		return 0;
	if (!idem_key_valid(key)) {
		api_error(req, 400, "Bad Request", "invalid_idempotency_key",
		    _("an Idempotency-Key is 1 to 255 printable ASCII "
		    "characters without blanks"));
		return 1;
	}
	if (api_body_sha256(b, len, ir->hash) == -1) {
		api_error(req, 500, "Internal Server Error", "internal",
		    _("out of memory"));
		return 1;
	}
	rc = idem_get(a->store, client, endpoint, key, ir->hash, clock_now(),
	    &status, &answer);
	if (rc == -1) {
		api_error(req, 500, "Internal Server Error", "database",
		    store_errmsg(a->store));
		return 1;
	}
	if (rc == 2) {
		api_error(req, 409, "Conflict", "idempotency_conflict",
		    _("this Idempotency-Key came with another body in the "
		    "last 24 hours"));
		return 1;
	}
	if (rc == 1) {
		/* The first answer, word for word; nothing is created. */
		api_header(req, "Idempotent-Replayed", "true");
		http_send_json(req, status, status == 201 ? "Created" : "OK",
		    json_loads(answer, 0, NULL));
		free(answer);
		return 1;
	}
	ir->key = key;
	ir->client = client;
	ir->endpoint = endpoint;
	return 0;
}

/* Keep j as the answer to ir's key, in the open transaction. 0 or -1. */
static int
idem_keep(struct api *a, const struct idem_req *ir, int status,
    const json_t *j)
{
	char	*text;
	int	 rc;

	if (ir->key == NULL)
		return 0;
	if ((text = json_dumps(j, JSON_COMPACT)) == NULL)
		return -1;
	rc = idem_put(a->store, ir->client, ir->endpoint, ir->key, ir->hash,
	    status, text, clock_now());
	free(text);
	return rc;
}

/*
 * The outbox's refusal as the API answers it: what the text cannot be
 * (its encoding, analysis or segments) is invalid_text, naming the field;
 * the rest is refused, in the outbox's words. (A database failure is the
 * caller's 500.)
 */
static void
post_message_refused(struct evhttp_request *req,
    const struct outbox_why *why, int max_segments)
{
	char	 reason[APIBODY_ERR_SIZE];

	switch (why->field) {
	case OUTBOX_FIELD_ENCODING:
	case OUTBOX_FIELD_TEXT:
		(void)util_snprintf(reason, sizeof(reason), _("field 'text': "
		    "%s"), _(why->msg));
		api_error(req, 400, "Bad Request", "invalid_text", reason);
		break;
	case OUTBOX_FIELD_SEGMENTS:
		(void)util_snprintf(reason, sizeof(reason), _("field 'text' "
		    "needs %zu segments; [sms] max_segments is %lld"),
		    why->segments, (long long)max_segments);
		api_error(req, 400, "Bad Request", "invalid_text", reason);
		break;
	default:
		(void)util_snprintf(reason, sizeof(reason), "%s",
		    _(why->msg));
		api_error(req, 400, "Bad Request", "refused", reason);
		break;
	}
}

static void
post_message(struct api *a, struct evhttp_request *req, const char *addr,
    const char *client)
{
	struct apibody_message	 m;
	struct apibody_error	 e;
	struct outbox_msg	 om;
	struct outbox_why	 why;
	struct idem_req		 ir;
	json_t			*j;
	const char		*b;
	char			 masked[32];
	size_t			 len;
	int64_t			 id;

	if ((b = body(req, &len)) == NULL)
		return;
	if (idem_check(a, req, client, "messages", b, len, &ir) == 1)
		return;
	if (apibody_message(b, len, &m, &e) == -1) {
		api_error(req, 400, "Bad Request", e.code, e.reason);
		return;
	}
	if (api_store_ready(a, req) == -1)
		return;
	memset(&om, 0, sizeof(om));
	om.phone = m.phone;
	om.text = m.text;
	om.encoding = config_str(a->cfg, CFG_SMS_ENCODING);
	om.validity_s = m.validity_s;
	om.max_segments = (int)config_int(a->cfg, CFG_SMS_MAX_SEGMENTS);
	if (store_begin(a->store) == -1)
		goto dberr;
	if ((id = outbox_enqueue_why(a->store, &om, &why)) == -1) {
		store_rollback(a->store);
		if (why.field == OUTBOX_FIELD_STORE)
			goto dberr;
		post_message_refused(req, &why, om.max_segments);
		return;
	}
	j = json_pack("{s:I}", "message", (json_int_t)id);
	if (store_audit(a->store, ACTOR, "sms send", "one message") == -1 ||
	    j == NULL || idem_keep(a, &ir, 201, j) == -1 ||
	    store_commit(a->store) == -1) {
		store_rollback(a->store);
		json_decref(j);
		goto dberr;
	}
	disp_wake(a->disp);
	ident_phone_mask(m.phone, masked, sizeof(masked));
	log_info("api: %s: message %lld to %s", addr, (long long)id, masked);
	http_send_json(req, 201, "Created", j);
	return;
dberr:
	log_warnx("api: message: %s", store_errmsg(a->store));
	api_error(req, 500, "Internal Server Error", "database",
	    _("the message could not be stored"));
}

/*
 * POST /api/v1/broadcasts: the body and the group are checked on the
 * loop; the preview and the send, a pass over every member of the group
 * each (650,000 of a million residents: seconds), run on the worker
 * (gw_work), which commits the outbox rows chunk by chunk so the loop's
 * own writes go on between them. The Idempotency-Key's answer commits
 * with the broadcast's record, the first chunk: a retry while the rest is
 * resolved gets that answer (or 409), never a second broadcast.
 */
struct bcast_job {
	struct api		*a;
	struct evhttp_request	*req;	/* NULL once the client went */
	struct apibody_broadcast b;
	struct groups_info	 g;
	struct broadcast_params	 bp;
	char			 encoding[32];
	char			 default_topic[BROADCAST_TOPIC_MAX + 1];
	struct idem_req		 ir;
	char			 key[IDEM_KEY_MAX + 1];
	char			 client[APITOKEN_CLIENT_MAX + 2];
	char			 origin[APITOKEN_CLIENT_MAX + 8];
	char			 addr[64];
	struct broadcast_preview pv, out;
	int64_t			 id;
	int			 status;
	int			 replayed;	/* the key's first answer */
	json_t			*answer;
	char			 err[BROADCAST_ERR_SIZE];
};

static json_t *
bcast_answer(int64_t id, const char *group, const struct broadcast_preview *p,
    int awaiting)
{
	char	 start[32];

	clock_datetime(p->start, start, sizeof(start));
	return json_pack("{s:I, s:s, s:s, s:s, s:b,"
	    " s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:s, s:s}",
	    "broadcast", (json_int_t)id,
	    "state", awaiting ? "awaiting_approval" : "scheduled",
	    "group", group, "topic", p->topic, "emergency", p->emergency,
	    "members", (json_int_t)p->members,
	    "no_mobile", (json_int_t)p->no_mobile,
	    "opted_out", (json_int_t)p->opted_out,
	    "no_data", (json_int_t)p->no_data,
	    "duplicates", (json_int_t)p->duplicates,
	    "recipients", (json_int_t)p->recipients,
	    "segments", (json_int_t)p->segments,
	    "cost", p->cost,
	    "encoding", p->ucs2 == 0 ? "GSM-7" : p->gsm7 == 0 ? "UCS-2" :
	    "mixed", "start", start);
}

/* In the broadcast's first transaction: keep the answer the preview gives. */
static int
bcast_on_record(void *arg, struct store *s, int64_t id, int awaiting)
{
	struct bcast_job	*j = arg;
	json_t			*ans;
	char			*text;
	int			 rc;

	if (j->ir.key == NULL)
		return 0;
	if ((ans = bcast_answer(id, j->g.name, &j->pv, awaiting)) == NULL ||
	    (text = json_dumps(ans, JSON_COMPACT)) == NULL) {
		json_decref(ans);
		return -1;
	}
	json_decref(ans);
	rc = idem_put(s, j->ir.client, j->ir.endpoint, j->ir.key, j->ir.hash,
	    201, text, clock_now());
	free(text);
	return rc;
}

/* On the worker: the preview and the send, as munictl broadcast send --yes. */
static void
bcast_run(struct store *s, void *arg)
{
	struct bcast_job	*j = arg;
	struct broadcast_req	 br;
	char			*answer;
	int			 status, rc;

	/*
	 * The key again, here: the loop looked it up, but a retry that came
	 * just as the first request's job ended can meet the loop's older
	 * view of the database. On the worker, one job at a time, the
	 * look-up and the broadcast it guards cannot cross.
	 */
	if (j->ir.key != NULL) {
		rc = idem_get(s, j->ir.client, j->ir.endpoint, j->ir.key,
		    j->ir.hash, clock_now(), &status, &answer);
		if (rc == -1) {
			(void)util_strlcpy(j->err, store_errmsg(s),
			    sizeof(j->err));
			j->status = 500;
			return;
		}
		if (rc == 2) {
			j->status = 409;
			return;
		}
		if (rc == 1) {
			j->status = status;
			j->answer = json_loads(answer, 0, NULL);
			j->replayed = 1;
			free(answer);
			return;
		}
	}
	store_set_origin(s, j->origin);
	memset(&br, 0, sizeof(br));
	br.group_id = j->g.id;
	br.text = j->b.text;
	br.topic = j->b.topic[0] != '\0' ? j->b.topic : NULL;
	br.emergency = j->b.emergency;
	br.at = j->b.at;
	br.actor = ACTOR;
	br.on_record = bcast_on_record;
	br.on_record_arg = j;
	if (broadcast_preview(s, &j->bp, &br, &j->pv, j->err,
	    sizeof(j->err)) == -1 || (j->id = broadcast_send(s, &j->bp, &br,
	    &j->pv, &j->out, j->err, sizeof(j->err))) == -1) {
		j->status = 400;
		return;
	}
	j->status = 201;
	j->answer = bcast_answer(j->id, j->g.name, &j->out, j->out.awaiting);
}

static void
bcast_gone(void *arg)
{
	struct bcast_job	*j = arg;

	j->req = NULL;
}

/* Back on the loop: wake the dispatcher for the new rows, answer. */
static void
bcast_done(void *arg)
{
	struct bcast_job	*j = arg;

	if (j->status == 201 && !j->replayed) {
		disp_wake(j->a->disp);
		log_info("api: %s: broadcast %lld to group %s: %lld "
		    "recipients%s", j->addr, (long long)j->id, j->g.name,
		    (long long)j->out.recipients, j->out.awaiting ?
		    ", awaiting approval" : "");
	}
	if (j->req == NULL)
		log_warnx("api: %s: broadcast: the client went before its "
		    "answer", j->addr);
	else {
		(void)http_on_gone(j->req, NULL, NULL);
		if (j->replayed) {
			/* The first answer, word for word, as idem_check. */
			api_header(j->req, "Idempotent-Replayed", "true");
			http_send_json(j->req, j->status, j->status == 201 ?
			    "Created" : "OK", j->answer);
			j->answer = NULL;
		} else if (j->status == 201) {
			http_send_json(j->req, 201, "Created", j->answer);
			j->answer = NULL;
		} else if (j->status == 409)
			api_error(j->req, 409, "Conflict",
			    "idempotency_conflict", _("this Idempotency-Key "
			    "came with another body in the last 24 hours"));
		else if (j->status == 500)
			api_error(j->req, 500, "Internal Server Error",
			    "database", j->err);
		else
			api_error(j->req, 400, "Bad Request", "refused",
			    j->err);
	}
	json_decref(j->answer);
	free(j);
}

static void
post_broadcast(struct api *a, struct evhttp_request *req, const char *addr,
    const char *client)
{
	struct apibody_error	 e;
	struct bcast_job	*j;
	const char		*body_text;
	char			 err[BROADCAST_ERR_SIZE], secs[16];
	size_t			 len;
	int			 rc;

	if ((body_text = body(req, &len)) == NULL)
		return;
	/*
	 * What the loop has open is committed first: its writes go before
	 * the worker's, and the key is looked up outside any transaction
	 * the loop began before the worker committed a retried key.
	 */
	if (api_store_ready(a, req) == -1)
		return;
	j = xcalloc(1, sizeof(*j));
	if (idem_check(a, req, client, "broadcasts", body_text, len,
	    &j->ir) == 1)
		goto done;
	if (apibody_broadcast(body_text, len, clock_now(), &j->b, &e) == -1) {
		api_error(req, 400, "Bad Request", e.code, e.reason);
		goto done;
	}
	if ((rc = groups_find(a->store, j->b.group, &j->g, err,
	    sizeof(err))) != 0) {
		if (rc == 1)
			api_error(req, 400, "Bad Request", "unknown_group",
			    err);
		else
			api_error(req, 500, "Internal Server Error",
			    "database", err);
		goto done;
	}
	if (a->work == NULL || work_busy(a->work)) {
		(void)util_snprintf(secs, sizeof(secs), "%d", PUT_RETRY_S);
		api_header(req, "Retry-After", secs);
		api_error(req, 503, "Service Unavailable", "busy",
		    _("another broadcast or PUT is being resolved; try again "
		    "later"));
		goto done;
	}
	/* The job's own copies: the request's headers and a->cfg (SIGHUP)
	   may go while the worker runs. */
	broadcast_params_init(&j->bp, a->cfg);
	/*
	 * Short chunks: each holds SQLite's one write lock for milliseconds,
	 * less than the loop's writer waits for it (DISP_BUSY_MS).
	 */
	j->bp.chunk_rows = API_CHUNK_ROWS;
	(void)util_strlcpy(j->encoding, j->bp.encoding != NULL ?
	    j->bp.encoding : "", sizeof(j->encoding));
	j->bp.encoding = j->bp.encoding != NULL ? j->encoding : NULL;
	(void)util_strlcpy(j->default_topic, j->bp.default_topic != NULL ?
	    j->bp.default_topic : "", sizeof(j->default_topic));
	j->bp.default_topic = j->bp.default_topic != NULL ?
	    j->default_topic : NULL;
	if (j->ir.key != NULL) {
		(void)util_strlcpy(j->key, j->ir.key, sizeof(j->key));
		(void)util_strlcpy(j->client, j->ir.client, sizeof(j->client));
		j->ir.key = j->key;
		j->ir.client = j->client;
	}
	(void)util_snprintf(j->origin, sizeof(j->origin), "api:%s",
	    client[0] == ':' ? client + 1 : client);
	(void)util_strlcpy(j->addr, addr, sizeof(j->addr));
	j->a = a;
	j->req = req;
	if (http_on_gone(req, bcast_gone, j) == -1 ||
	    work_submit(a->work, bcast_run, bcast_done, j) == -1) {
		(void)http_on_gone(req, NULL, NULL);
		api_error(req, 500, "Internal Server Error", "internal",
		    _("the broadcast could not start"));
		goto done;
	}
	return;
done:
	free(j);
}

static void
get_broadcast(struct api *a, struct evhttp_request *req, const char *arg)
{
	struct broadcast_info	 bi;
	int64_t			 counts[BROADCAST_NSTATES];
	json_t			*c;
	const char		*errstr;
	long long		 id;
	int			 i, rc;

	if (util_strtonum(arg, 1, INT64_MAX, &id, &errstr) == -1) {
		api_error(req, 404, "Not Found", "not_found",
		    _("a broadcast id is a whole number"));
		return;
	}
	if ((rc = broadcast_get(a->store, id, &bi)) == 1) {
		api_error(req, 404, "Not Found", "not_found",
		    _("no such broadcast"));
		return;
	}
	if (rc != 0 || broadcast_status(a->store, id, counts) == -1) {
		api_error(req, 500, "Internal Server Error", "database",
		    store_errmsg(a->store));
		return;
	}
	if ((c = json_object()) == NULL) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	for (i = 0; i < BROADCAST_NSTATES; i++)
		if (json_object_set_new(c, broadcast_states[i],
		    json_integer(counts[i])) == -1) {
			json_decref(c);
			evhttp_send_error(req, 500, "Internal Server Error");
			return;
		}
	http_send_json(req, 200, "OK", json_pack("{s:I, s:s, s:s, s:s, s:b, s:I,"
	    " s:I, s:s, s:o}", "broadcast", (json_int_t)bi.id,
	    "state", bi.state, "group", bi.group, "topic", bi.topic,
	    "emergency", bi.emergency, "recipients", (json_int_t)bi.recipients,
	    "segments", (json_int_t)bi.segments, "created_by", bi.created_by,
	    "counts", c));
}

/* GET /api/v1/messages/ID: where one message stands, part by part. */
static void
get_message(struct api *a, struct evhttp_request *req, const char *arg)
{
	struct outbox_status	 os;
	struct outbox_part_info	 parts[16];
	json_t			*pa, *p;
	const char		*errstr;
	long long		 id;
	int			 i, n, rc;

	if (util_strtonum(arg, 1, INT64_MAX, &id, &errstr) == -1) {
		api_error(req, 404, "Not Found", "not_found",
		    _("a message id is a whole number"));
		return;
	}
	if ((rc = outbox_status(a->store, id, &os)) == 1) {
		api_error(req, 404, "Not Found", "not_found",
		    _("no such message"));
		return;
	}
	if (rc != 0 || (n = outbox_parts(a->store, id, parts,
	    (int)nitems(parts))) == -1) {
		api_error(req, 500, "Internal Server Error", "database",
		    store_errmsg(a->store));
		return;
	}
	if ((pa = json_array()) == NULL) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	/* A message of one part keeps its SMSC id on the message itself. */
	if (n == 0 && os.message_id[0] != '\0') {
		n = 1;
		parts[0].part = 1;
		(void)util_strlcpy(parts[0].message_id, os.message_id,
		    sizeof(parts[0].message_id));
		(void)util_strlcpy(parts[0].state, os.state,
		    sizeof(parts[0].state));
		parts[0].updated_at = os.updated_at;
	}
	for (i = 0; i < n; i++) {
		p = json_pack("{s:i, s:s, s:s, s:I}", "part", parts[i].part,
		    "state", parts[i].state, "smsc_id", parts[i].message_id,
		    "at", (json_int_t)parts[i].updated_at);
		if (p == NULL || json_array_append_new(pa, p) == -1) {
			json_decref(pa);
			evhttp_send_error(req, 500, "Internal Server Error");
			return;
		}
	}
	http_send_json(req, 200, "OK", json_pack("{s:I, s:s, s:s, s:i, s:o,"
	    " s:I, s:I, s:o, s:o}", "message", (json_int_t)id,
	    "state", os.state, "phone", os.phone, "attempts", os.attempts,
	    "error", os.status_code >= 0 ? json_integer(os.status_code) :
	    json_null(), "created_at", (json_int_t)os.created_at,
	    "updated_at", (json_int_t)os.updated_at,
	    "valid_until", os.valid_until != 0 ?
	    json_integer(os.valid_until) : json_null(), "parts", pa));
}

#define PAGE_DEFAULT	100
#define PAGE_MAX	500

static int
page_row(void *arg, const struct broadcast_info *bi)
{
	json_t	*list = arg, *o;

	o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I}",
	    "broadcast", (json_int_t)bi->id, "state", bi->state,
	    "group", bi->group, "topic", bi->topic,
	    "emergency", bi->emergency,
	    "recipients", (json_int_t)bi->recipients,
	    "segments", (json_int_t)bi->segments,
	    "scheduled_at", (json_int_t)bi->scheduled_at,
	    "created_at", (json_int_t)bi->created_at,
	    "updated_at", (json_int_t)bi->updated_at);
	return o == NULL || json_array_append_new(list, o) == -1 ? -1 : 0;
}

/* One query parameter as a number: 0, or -1 after answering 400. */
static int
query_num(struct evhttp_request *req, struct evkeyvalq *q, const char *k,
    long long min, long long max, long long *out)
{
	const char	*v = evhttp_find_header(q, k), *errstr;
	char		 reason[160];

	if (v == NULL)
		return 0;
	if (util_strtonum(v, min, max, out, &errstr) == -1) {
		(void)util_snprintf(reason, sizeof(reason), _("parameter '%s' "
		    "is a whole number from %lld to %lld"), k, min, max);
		api_error(req, 400, "Bad Request", "invalid_parameter",
		    reason);
		return -1;
	}
	return 0;
}

/*
 * GET /api/v1/broadcasts?since=T&after=ID&limit=N: the broadcasts changed
 * at or after T (Unix seconds), lowest id first, a page at a time: next
 * is the after of the following page, null on the last one.
 */
static void
list_broadcasts(struct api *a, struct evhttp_request *req,
    const struct evhttp_uri *u)
{
	struct evkeyvalq q;
	struct evkeyval	*kv;
	const char	*qs = evhttp_uri_get_query(u), *k;
	json_t		*list;
	long long	 since = 0, after = 0, limit = PAGE_DEFAULT;
	size_t		 n;

	TAILQ_INIT(&q);
	if (qs != NULL && evhttp_parse_query_str(qs, &q) == -1) {
		api_error(req, 400, "Bad Request", "invalid_parameter",
		    _("the query string is malformed"));
		return;
	}
	TAILQ_FOREACH(kv, &q, next) {
		k = kv->key;
		if (strcmp(k, "since") != 0 && strcmp(k, "after") != 0 &&
		    strcmp(k, "limit") != 0) {
			api_error(req, 400, "Bad Request",
			    "invalid_parameter", _("this address takes the "
			    "parameters since, after and limit"));
			evhttp_clear_headers(&q);
			return;
		}
	}
	if (query_num(req, &q, "since", 0, INT64_MAX, &since) == -1 ||
	    query_num(req, &q, "after", 0, INT64_MAX, &after) == -1 ||
	    query_num(req, &q, "limit", 1, PAGE_MAX, &limit) == -1) {
		evhttp_clear_headers(&q);
		return;
	}
	evhttp_clear_headers(&q);
	if ((list = json_array()) == NULL) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	if (broadcast_list_since(a->store, (time_t)since, after,
	    (size_t)limit, page_row, list) == -1) {
		json_decref(list);
		api_error(req, 500, "Internal Server Error", "database",
		    store_errmsg(a->store));
		return;
	}
	n = json_array_size(list);
	http_send_json(req, 200, "OK", json_pack("{s:o, s:o}",
	    "broadcasts", list, "next", n == (size_t)limit ?
	    json_integer(json_integer_value(json_object_get(
	    json_array_get(list, n - 1), "broadcast"))) : json_null()));
}

void
api_set_work(struct api *a, struct work *w)
{
	a->work = w;
}

/*
 * A named client's scope: the addresses under /api/v1/ it opens, those
 * starting with its name. The registers (PUT residents, queue, fees) have
 * no scope of their own yet (api_tokens.scope is held by a CHECK to the
 * two): only the token_file's token, which opens everything, writes them.
 */
static int
scope_allows(int scope, const char *path)
{
	const char	*name;

	if (scope == -1)
		return 1;
	name = apitoken_scope_name((enum apitoken_scope)scope);
	return strncmp(path, name, strlen(name)) == 0;
}

void
api_handle(struct api *a, struct evhttp_request *req)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(req);
	const char		*path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	char			 addr[64], secs[32];
	char			 client[APITOKEN_CLIENT_MAX + 1];
	long			 wait;
	int			 scope;

	peer(req, addr, sizeof(addr));
	if ((wait = rate_take(a, addr)) > 0) {
		(void)util_snprintf(secs, sizeof(secs), "%ld", wait);
		api_header(req, "Retry-After", secs);
		api_error(req, 429, "Too Many Requests", "rate_limited",
		    _("too many requests from this address; try again "
		    "later"));
		return;
	}
	if (a->token_len == 0 && apitoken_live(a->store) <= 0) {
		api_error(req, 503, "Service Unavailable", "api_off",
		    _("the API is off: [http] token_file is not configured"));
		return;
	}
	if (!authorized(a, req, addr, &scope, client, sizeof(client)))
		return;
	/* A named client's token opens its scope's addresses only. */
	if (scope != -1 && path != NULL && strncmp(path, PREFIX,
	    strlen(PREFIX)) == 0 && !scope_allows(scope, path +
	    strlen(PREFIX))) {
		api_error(req, 403, "Forbidden", "forbidden",
		    _("this client's token is not for this address"));
		return;
	}
	if (path == NULL || strncmp(path, PREFIX, strlen(PREFIX)) != 0) {
		api_error(req, 404, "Not Found", "not_found",
		    _("no such address"));
		return;
	}
	path += strlen(PREFIX);
	if (strcmp(path, "messages") == 0) {
		if (cmd != EVHTTP_REQ_POST)
			bad_method(req, "POST");
		else
			post_message(a, req, addr, client);
	} else if (strncmp(path, "messages/", 9) == 0) {
		if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD)
			bad_method(req, "GET, HEAD");
		else
			get_message(a, req, path + 9);
	} else if (strcmp(path, "broadcasts") == 0) {
		if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)
			list_broadcasts(a, req, u);
		else if (cmd != EVHTTP_REQ_POST)
			bad_method(req, "GET, HEAD, POST");
		else
			post_broadcast(a, req, addr, client);
	} else if (strcmp(path, "residents") == 0 ||
	    strcmp(path, "queue") == 0 || strcmp(path, "fees") == 0) {
		if (cmd != EVHTTP_REQ_PUT)
			bad_method(req, "PUT");
		else
			api_put(a, req, addr, client, strcmp(path, "residents") ==
			    0 ? "residents" : strcmp(path, "queue") == 0 ?
			    "queue" : "fees");
	} else if (strncmp(path, "broadcasts/", 11) == 0) {
		if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD)
			bad_method(req, "GET, HEAD");
		else
			get_broadcast(a, req, path + 11);
	} else
		api_error(req, 404, "Not Found", "not_found",
		    _("no such address"));
}
