/*
 * cbpost: posts queued callbacks off the event loop; see gw_callback.h.
 *
 * The worker has its own store connection rather than a pipe to the loop:
 * the queue is already durable and claimed under a transaction, so the
 * thread needs nothing from the loop, and the loop does no work per post
 * (a pipe would have put every claim and settle back on it). SQLite's WAL
 * lets both connections work; the worker's transactions are a few rows
 * long and never span a post, so the loop's writers wait for them
 * briefly at most.
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "clock.h"
#include "config.h"
#include "gw_callback.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define CLAIM_MAX	16
#define IDLE_WAIT_S	1	/* other programs queue events too */
#define PRUNE_EVERY_S	3600
#define KEEP_DONE_S	(7 * 86400)	/* for `munictl callback list` */
#define SECRET_MAX	256
#define BODY_KEEP	200	/* of a refusal, for its log line */

struct cbpost_target {
	struct config_callback	 cc;
	char			 secret[SECRET_MAX];
};

struct cbpost {
	char			*dbpath;
	int			 ntargets;
	struct cbpost_target	 t[CONFIG_CALLBACKS_MAX];
	struct store		*store;		/* the worker's */
	CURL			*curl;
	pthread_t		 thread;
	int			 running;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	atomic_int		 stop;	/* read by curl's callback */
	time_t			 pruned;
	int			 holder;	/* holds the "callbacks" job */
};

/* What a receiver answered beyond the status: a line of it, for the log. */
struct reply {
	char	 buf[BODY_KEEP + 1];
	size_t	 len;
};

int
cbpost_sign(const char *secret, time_t ts, const char *body, size_t len,
    char out[CBPOST_SIG_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	char		 pre[32];
	unsigned char	*msg;
	int		 n;

	n = snprintf(pre, sizeof(pre), "%lld.", (long long)ts);
	if (n < 0 || (size_t)n >= sizeof(pre))
		return -1;
	msg = xcalloc(1, (size_t)n + len + 1);
	memcpy(msg, pre, (size_t)n);
	memcpy(msg + n, body, len);
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), msg,
	    (size_t)n + len, md, &mdlen) == NULL || mdlen != 32) {
		free(msg);
		return -1;
	}
	free(msg);
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * mdlen] = '\0';
	explicit_bzero(md, sizeof(md));
	return 0;
}

struct cbpost *
cbpost_new(struct store *s, const struct config *cfg, const char **errstr)
{
	static _Thread_local char msg[4096 + 128];
	struct callback_target	 ct[CONFIG_CALLBACKS_MAX];
	struct cbpost		*cp;
	const char		*err;
	int			 i;

	cp = xcalloc(1, sizeof(*cp));
	cp->dbpath = xstrdup(config_database(cfg));
	cp->ntargets = config_callbacks(cfg);
	for (i = 0; i < cp->ntargets; i++) {
		config_callback(cfg, i, &cp->t[i].cc);
		/* Our own copies: cfg goes on reload. */
		cp->t[i].cc.name = xstrdup(cp->t[i].cc.name);
		cp->t[i].cc.url = xstrdup(cp->t[i].cc.url);
		if (config_secret_file(cp->t[i].cc.secret_file,
		    cp->t[i].secret, sizeof(cp->t[i].secret), &err) == -1) {
			(void)snprintf(msg, sizeof(msg),
			    "http.callback.%s.secret_file %s: %s",
			    cp->t[i].cc.name, cp->t[i].cc.secret_file, err);
			*errstr = msg;
			cp->ntargets = i + 1;
			cbpost_free(cp);
			return NULL;
		}
		cp->t[i].cc.secret_file = NULL;
		ct[i].name = cp->t[i].cc.name;
		ct[i].events = cp->t[i].cc.events;
	}
	/* Events queued from now on are for exactly these. */
	if (callback_set_targets(s, ct, (size_t)cp->ntargets) == -1) {
		*errstr = "callbacks: cannot record the targets in the "
		    "database";
		cbpost_free(cp);
		return NULL;
	}
	if (pthread_mutex_init(&cp->mu, NULL) != 0 ||
	    pthread_cond_init(&cp->cv, NULL) != 0)
		fatalx("cbpost: pthread init");
	return cp;
}

int
cbpost_config_same(const struct config *a, const struct config *b)
{
	struct config_callback	 x, y;
	int			 i;

	if (config_callbacks(a) != config_callbacks(b))
		return 0;
	for (i = 0; i < config_callbacks(a); i++) {
		config_callback(a, i, &x);
		config_callback(b, i, &y);
		if (strcmp(x.name, y.name) != 0 || strcmp(x.url, y.url) != 0 ||
		    strcmp(x.secret_file, y.secret_file) != 0 ||
		    x.events != y.events || x.timeout_s != y.timeout_s ||
		    x.retry_h != y.retry_h)
			return 0;
	}
	return 1;
}

static size_t
keep_reply(char *p, size_t size, size_t n, void *arg)
{
	struct reply	*r = arg;
	size_t		 len = size * n, take;

	take = len < sizeof(r->buf) - 1 - r->len ? len :
	    sizeof(r->buf) - 1 - r->len;
	memcpy(r->buf + r->len, p, take);
	r->len += take;
	r->buf[r->len] = '\0';
	return len;
}

/* A stop cuts a hanging post short; its row goes again at the next start. */
static int
progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const struct cbpost *cp = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return cp->stop ? 1 : 0;
}

static const struct cbpost_target *
find_target(const struct cbpost *cp, const char *name)
{
	int	 i;

	for (i = 0; i < cp->ntargets; i++)
		if (strcmp(cp->t[i].cc.name, name) == 0)
			return &cp->t[i];
	return NULL;
}

/*
 * One post: 0 when the receiver took it (2xx), else -1 with why. A
 * redirect is never followed: the body would go where nobody configured.
 */
static int
post(struct cbpost *cp, const struct cbpost_target *t,
    const struct callback_row *row, char *why, size_t whysize)
{
	struct curl_slist *h = NULL;
	struct reply	 reply;
	char		 hdr[4][128], sig[CBPOST_SIG_SIZE];
	const char	*loc = NULL;
	time_t		 ts = clock_now();
	size_t		 len = strlen(row->payload), i;
	long		 status = 0;
	CURLcode	 rc;

	if (cbpost_sign(t->secret, ts, row->payload, len, sig) == -1) {
		(void)util_strlcpy(why, "cannot sign", whysize);
		return -1;
	}
	(void)snprintf(hdr[0], sizeof(hdr[0]), "X-Muni-Event: %s", row->event);
	(void)snprintf(hdr[1], sizeof(hdr[1]), "X-Muni-Delivery: %lld",
	    (long long)row->id);
	(void)snprintf(hdr[2], sizeof(hdr[2]), "X-Muni-Timestamp: %lld",
	    (long long)ts);
	(void)snprintf(hdr[3], sizeof(hdr[3]), "X-Muni-Signature: sha256=%s",
	    sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	for (i = 0; h != NULL && i < nitems(hdr); i++)
		h = curl_slist_append(h, hdr[i]);
	/* No "Expect: 100-continue": one round trip, whatever the size. */
	if (h != NULL)
		h = curl_slist_append(h, "Expect:");
	if (h == NULL) {
		(void)util_strlcpy(why, "out of memory", whysize);
		return -1;
	}
	memset(&reply, 0, sizeof(reply));
	curl_easy_reset(cp->curl);
	(void)curl_easy_setopt(cp->curl, CURLOPT_URL, t->cc.url);
	(void)curl_easy_setopt(cp->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(cp->curl, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(cp->curl, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(cp->curl, CURLOPT_POST, 1L);
	(void)curl_easy_setopt(cp->curl, CURLOPT_POSTFIELDS, row->payload);
	(void)curl_easy_setopt(cp->curl, CURLOPT_POSTFIELDSIZE, (long)len);
	(void)curl_easy_setopt(cp->curl, CURLOPT_HTTPHEADER, h);
	(void)curl_easy_setopt(cp->curl, CURLOPT_USERAGENT, "muni-smsgw");
	(void)curl_easy_setopt(cp->curl, CURLOPT_TIMEOUT,
	    (long)t->cc.timeout_s);
	(void)curl_easy_setopt(cp->curl, CURLOPT_WRITEFUNCTION, keep_reply);
	(void)curl_easy_setopt(cp->curl, CURLOPT_WRITEDATA, &reply);
	(void)curl_easy_setopt(cp->curl, CURLOPT_NOPROGRESS, 0L);
	(void)curl_easy_setopt(cp->curl, CURLOPT_XFERINFOFUNCTION, progress);
	(void)curl_easy_setopt(cp->curl, CURLOPT_XFERINFODATA, cp);
	rc = curl_easy_perform(cp->curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		(void)util_strlcpy(why, curl_easy_strerror(rc), whysize);
		return -1;
	}
	(void)curl_easy_getinfo(cp->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300)
		return 0;
	if (status >= 300 && status < 400) {
		(void)curl_easy_getinfo(cp->curl, CURLINFO_REDIRECT_URL, &loc);
		(void)snprintf(why, whysize, "HTTP %ld: a redirect to %s, "
		    "not followed", status, loc != NULL ? loc : "(none)");
		return -1;
	}
	for (i = 0; i < reply.len; i++)
		if (reply.buf[i] < ' ' || reply.buf[i] == 0x7f)
			reply.buf[i] = ' ';
	(void)snprintf(why, whysize, "HTTP %ld%s%s", status,
	    reply.len > 0 ? ": " : "", reply.buf);
	return -1;
}

static void
settle(struct cbpost *cp, const struct callback_row *row)
{
	const struct cbpost_target *t;
	char		 why[256];
	int		 gave_up;
	time_t		 now;

	if ((t = find_target(cp, row->target)) == NULL) {
		log_warnx("callback %lld (%s): [http.callback.%s] is no longer "
		    "configured: given up", (long long)row->id, row->event,
		    row->target);
		(void)callback_give_up(cp->store, row->id, clock_now(),
		    "no such callback in the configuration");
		return;
	}
	if (post(cp, t, row, why, sizeof(why)) == 0) {
		log_debug("callback %lld (%s) to %s: taken", (long long)row->id,
		    row->event, row->target);
		if (callback_done(cp->store, row->id, clock_now()) == -1)
			log_warnx("callback %lld: cannot record it as "
			    "delivered: %s", (long long)row->id,
			    store_errmsg(cp->store));
		return;
	}
	if (cp->stop) {
		log_info("callback %lld (%s) to %s: cut short by the stop, "
		    "goes again at the next start", (long long)row->id,
		    row->event, row->target);
		return;	/* callback_recover puts it back */
	}
	now = clock_now();
	if (callback_failed(cp->store, row->id, now, t->cc.retry_h,
	    row->attempts, why, &gave_up) == -1) {
		log_warnx("callback %lld: cannot record the failure: %s",
		    (long long)row->id, store_errmsg(cp->store));
		return;
	}
	if (gave_up)
		log_warnx("callback %lld (%s) to %s failed for good after %d "
		    "attempts over %d h: %s (munictl callback retry %lld)",
		    (long long)row->id, row->event, row->target, row->attempts,
		    t->cc.retry_h, why, (long long)row->id);
	else
		log_warnx("callback %lld (%s) to %s, attempt %d: %s; again in "
		    "%lld s", (long long)row->id, row->event, row->target,
		    row->attempts, why,
		    (long long)callback_backoff(row->attempts));
}

/*
 * Several gateways on one PostgreSQL database: one posts at a time (the
 * holder of the "callbacks" job lock), or two would post a callback each
 * and each start would put back the other's posts in flight. The one that
 * takes the job first puts back what a previous holder left 'sending'.
 * Always so on SQLite. 1 when this one posts, else 0.
 */
static int
take_job(struct cbpost *cp)
{
	if (cp->holder)
		return 1;
	if (store_job_lock(cp->store, "callbacks") != 1 ||
	    callback_recover(cp->store) == -1)
		return 0;
	cp->holder = 1;
	return 1;
}

static void *
run(void *arg)
{
	struct cbpost		*cp = arg;
	struct callback_row	 rows[CLAIM_MAX];
	struct timespec		 ts;
	int			 n, i;

	for (;;) {
		n = cp->stop || !take_job(cp) ? 0 :
		    callback_claim(cp->store, clock_now(), rows, CLAIM_MAX);
		for (i = 0; i < n; i++) {
			if (!cp->stop)
				settle(cp, &rows[i]);
			callback_row_clear(&rows[i]);
		}
		if (!cp->stop && clock_now() - cp->pruned >= PRUNE_EVERY_S) {
			cp->pruned = clock_now();
			(void)callback_prune(cp->store,
			    cp->pruned - KEEP_DONE_S);
		}
		(void)pthread_mutex_lock(&cp->mu);
		if (!cp->stop && n <= 0) {
			(void)clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += IDLE_WAIT_S;
			(void)pthread_cond_timedwait(&cp->cv, &cp->mu, &ts);
		}
		if (cp->stop) {
			(void)pthread_mutex_unlock(&cp->mu);
			break;
		}
		(void)pthread_mutex_unlock(&cp->mu);
	}
	/* Rows claimed but not posted go back for the next start. */
	if (cp->holder)
		(void)callback_recover(cp->store);
	return NULL;
}

int
cbpost_start(struct cbpost *cp)
{
	const char	*errstr;
	int		 rc;

	if (cp->ntargets == 0)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (cp->curl = curl_easy_init()) == NULL) {
		log_warnx("callbacks: libcurl does not start");
		return -1;
	}
	if ((cp->store = store_open(cp->dbpath, 0, &errstr)) == NULL) {
		log_warnx("callbacks: %s", errstr);
		return -1;
	}
	if (take_job(cp) == 0 && store_dialect(cp->store) == STORE_SQLITE)
		return -1;	/* the recovery failed */
	if ((rc = pthread_create(&cp->thread, NULL, run, cp)) != 0) {
		log_warnx("callbacks: pthread_create: %s", strerror(rc));
		return -1;
	}
	cp->running = 1;
	log_info("callbacks: posting to %d target%s", cp->ntargets,
	    cp->ntargets == 1 ? "" : "s");
	return 0;
}

void
cbpost_free(struct cbpost *cp)
{
	int	 i;

	if (cp == NULL)
		return;
	if (cp->running) {
		(void)pthread_mutex_lock(&cp->mu);
		cp->stop = 1;
		(void)pthread_cond_signal(&cp->cv);
		(void)pthread_mutex_unlock(&cp->mu);
		(void)pthread_join(cp->thread, NULL);
		(void)pthread_mutex_destroy(&cp->mu);
		(void)pthread_cond_destroy(&cp->cv);
	}
	if (cp->curl != NULL) {
		curl_easy_cleanup(cp->curl);
		curl_global_cleanup();
	}
	if (cp->store != NULL)
		store_close(cp->store);
	for (i = 0; i < cp->ntargets; i++) {
		explicit_bzero(cp->t[i].secret, sizeof(cp->t[i].secret));
		free((char *)cp->t[i].cc.name);
		free((char *)cp->t[i].cc.url);
	}
	free(cp->dbpath);
	free(cp);
}
