/*
 * callback: the durable queue of events for the municipality's systems;
 * see callback.h. Only the queue lives here: posting is the gateway's
 * (smsgw/gw_callback.c), which owns the network and the secrets.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "util.h"

static const char *const event_names[] = {
	"message.final", "broadcast.done", "mo.unhandled", "case.created",
	"case.changed",
};

/* The longest a failure's reason is kept: a line, not a response body. */
#define WHY_MAX		199
#define BACKOFF_FIRST_S	5
#define BACKOFF_MAX_S	3600

/*
 * Whether this process's database has a target for message.final: -1 not
 * read yet. The event comes once per message on the gateway's busiest
 * path, so it costs nothing when nobody wants it. The gateway sets it
 * when it sets the targets at start; another program reads it once.
 */
static int	 final_wanted = -1;

const char *
callback_event_name(unsigned bit)
{
	size_t	 i;

	for (i = 0; i < nitems(event_names); i++)
		if (bit == 1U << i)
			return event_names[i];
	return "?";
}

int
callback_events_parse(const char *list, unsigned *mask, char *bad,
    size_t badsize)
{
	char		 word[32];
	const char	*p = list, *e;
	size_t		 i, n;

	*mask = 0;
	while (*p != '\0') {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ',' &&
		    !isspace((unsigned char)*e); e++)
			;
		n = (size_t)(e - p);
		for (i = 0; i < nitems(event_names); i++)
			if (strlen(event_names[i]) == n &&
			    strncmp(event_names[i], p, n) == 0)
				break;
		if (i == nitems(event_names)) {
			if (n >= sizeof(word))
				n = sizeof(word) - 1;
			memcpy(word, p, n);
			word[n] = '\0';
			(void)util_strlcpy(bad, word, badsize);
			return -1;
		}
		*mask |= 1U << i;
		p = e;
	}
	return 0;
}

int
callback_set_targets(struct store *s, const struct callback_target *t,
    size_t n)
{
	size_t	 i;

	if (store_begin(s) == -1)
		return -1;
	if (store_do(s, ST_CB_TARGETS_CLEAR, "") != STORE_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if (store_do(s, ST_CB_TARGET_PUT, "si", t[i].name,
		    (int)t[i].events) != STORE_OK)
			goto fail;
	if (store_commit(s) == -1)
		goto fail;
	final_wanted = 0;
	for (i = 0; i < n; i++)
		if (t[i].events & CALLBACK_MESSAGE_FINAL)
			final_wanted = 1;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int
callback_message_final(struct store *s, int64_t id)
{
	int64_t	 n = 0;

	if (final_wanted == -1) {
		if (store_one_i64(s, ST_CB_FINAL_WANTED, &n, "") != STORE_ROW)
			return -1;
		final_wanted = n > 0;
	}
	if (!final_wanted)
		return 0;
	return store_do(s, ST_CB_MESSAGE_FINAL, "I", id) == STORE_OK ? 0 : -1;
}

int
callback_mo(struct store *s, const char *phone, int64_t resident_id,
    const char *text, size_t len, const char *case_no)
{
	struct store_cur *c = store_cur(s, ST_CB_MO);

	if (store_bind(c, "s", phone) != STORE_OK ||
	    (resident_id > 0 ? store_bind_at(c, 2, "I", resident_id) :
	    store_bind_at(c, 2, "n")) != STORE_OK ||
	    store_bind_textn(c, 3, text != NULL ? text : "",
	    text != NULL ? len : 0) != STORE_OK ||
	    store_bind_at(c, 4, "zt", case_no, clock_now()) != STORE_OK)
		return -1;
	return store_run(c) == STORE_OK ? 0 : -1;
}

int
callback_mo_limited(struct store *s, const char *phone, int64_t resident_id,
    const char *text, size_t len)
{
	struct store_cur *c = store_cur(s, ST_CB_MO_LIMITED);

	if (store_bind(c, "s", phone) != STORE_OK ||
	    (resident_id > 0 ? store_bind_at(c, 2, "I", resident_id) :
	    store_bind_at(c, 2, "n")) != STORE_OK ||
	    store_bind_textn(c, 3, text != NULL ? text : "",
	    text != NULL ? len : 0) != STORE_OK ||
	    store_bind_at(c, 4, "t", clock_now()) != STORE_OK)
		return -1;
	return store_run(c) == STORE_OK ? 0 : -1;
}

int
callback_recover(struct store *s)
{
	if (store_do(s, ST_CB_RECOVER, "") != STORE_OK)
		return -1;
	if (store_changes(s) > 0)
		log_info("callback: %lld event(s) caught mid-post by a stop "
		    "go again", (long long)store_changes(s));
	return 0;
}

void
callback_row_clear(struct callback_row *r)
{
	free(r->payload);
	memset(r, 0, sizeof(*r));
}

int
callback_claim(struct store *s, time_t now, struct callback_row *rows,
    int max)
{
	struct store_cur *c;
	int		 n = 0, i, rc = STORE_OK;

	if (store_begin(s) == -1)
		return -1;
	c = store_cur(s, ST_CB_DUE);
	if (store_bind(c, "ti", now, max) != STORE_OK)
		goto fail;
	while (n < max && (rc = store_step(c)) == STORE_ROW) {
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].id = store_i64(c, 0);
		store_text(c, 1, rows[n].target, sizeof(rows[n].target));
		store_text(c, 2, rows[n].event, sizeof(rows[n].event));
		rows[n].payload = xstrdup(store_str(c, 3));
		rows[n].attempts = store_int(c, 4) + 1;
		n++;
	}
	store_reset(c);
	if (n < max && rc < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (store_do(s, ST_CB_TAKE, "I", rows[i].id) != STORE_OK)
			goto fail;
	if (store_commit(s) == -1)
		goto fail;
	return n;
fail:
	store_rollback(s);
	for (i = 0; i < n; i++)
		callback_row_clear(&rows[i]);
	return -1;
}

time_t
callback_backoff(int attempts)
{
	time_t	 d = BACKOFF_FIRST_S;

	while (--attempts > 0 && d < BACKOFF_MAX_S)
		d *= 2;
	return d < BACKOFF_MAX_S ? d : BACKOFF_MAX_S;
}

int
callback_done(struct store *s, int64_t id, time_t now)
{
	return store_do(s, ST_CB_DONE, "It", id, now) == STORE_OK ? 0 : -1;
}

int
callback_failed(struct store *s, int64_t id, time_t now, int retry_h,
    int attempts, const char *why, int *gave_up)
{
	struct store_cur *c = store_cur(s, ST_CB_FAIL);
	char		 line[WHY_MAX + 1];
	int		 rc;

	*gave_up = 0;
	(void)util_strlcpy_utf8(line, why, sizeof(line));
	if (store_bind(c, "ttIts", id, now, (int64_t)retry_h * 3600,
	    now + callback_backoff(attempts), line) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		*gave_up = strcmp(store_str(c, 0), "failed") == 0;
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

int
callback_give_up(struct store *s, int64_t id, time_t now, const char *why)
{
	char	 line[WHY_MAX + 1];

	(void)util_strlcpy_utf8(line, why, sizeof(line));
	return store_do(s, ST_CB_GIVE_UP, "Its", id, now, line) == STORE_OK ?
	    0 : -1;
}

int64_t
callback_prune(struct store *s, time_t before)
{
	if (store_do(s, ST_CB_PRUNE, "t", before) != STORE_OK)
		return -1;
	return store_changes(s);
}

int64_t
callback_count(struct store *s, const char *state)
{
	int64_t	 n = -1;

	return store_one_i64(s, ST_CB_COUNT, &n, "s", state) == STORE_ROW ?
	    n : -1;
}

int
callback_list(struct store *s, const char *state, long long limit,
    int (*cb)(void *, const struct callback_info *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_CB_LIST);
	struct callback_info	 ci;
	int			 rc;

	if (store_bind(c, "sI", state, (int64_t)limit) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		memset(&ci, 0, sizeof(ci));
		ci.id = store_i64(c, 0);
		store_text(c, 1, ci.target, sizeof(ci.target));
		store_text(c, 2, ci.event, sizeof(ci.event));
		store_text(c, 3, ci.subject, sizeof(ci.subject));
		store_text(c, 4, ci.state, sizeof(ci.state));
		ci.attempts = store_int(c, 5);
		ci.next_at = (time_t)store_i64(c, 6);
		store_text(c, 7, ci.last_error, sizeof(ci.last_error));
		ci.created_at = (time_t)store_i64(c, 8);
		if (cb(arg, &ci) == -1)
			break;
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

int
callback_retry(struct store *s, const char *actor, int64_t id, int64_t *n,
    char *err, size_t errsize)
{
	struct store_cur *c;
	char		 detail[64];

	*n = 0;
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	c = store_cur(s, ST_CB_RETRY);
	if ((id > 0 ? store_bind(c, "I", id) : store_bind(c, "n")) !=
	    STORE_OK || store_run(c) != STORE_OK)
		return store_abort(s, err, errsize);
	*n = store_changes(s);
	if (id > 0 && *n == 0) {
		store_rollback(s);
		(void)util_snprintf(err, errsize, _("no pending or failed "
		    "callback %lld (munictl callback list shows them)"),
		    (long long)id);
		return -1;
	}
	if (id > 0)
		(void)util_snprintf(detail, sizeof(detail), "id=%lld",
		    (long long)id);
	else
		(void)util_snprintf(detail, sizeof(detail), "failed=%lld",
		    (long long)*n);
	if (store_audit(s, actor, "callback retry", detail) == -1 ||
	    store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}

int
callback_drop(struct store *s, const char *actor, int64_t id, char *err,
    size_t errsize)
{
	char	 detail[64];

	if (store_begin(s) == -1 || store_do(s, ST_CB_DROP, "I", id) !=
	    STORE_OK)
		return store_abort(s, err, errsize);
	if (store_changes(s) != 1) {
		store_rollback(s);
		(void)util_snprintf(err, errsize, _("no callback %lld "
		    "(munictl callback list shows them)"), (long long)id);
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "id=%lld", (long long)id);
	if (store_audit(s, actor, "callback drop", detail) == -1 ||
	    store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}
