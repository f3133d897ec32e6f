/*
 * card: merchants, offers, codes and checks of the resident card; see
 * card.h. Written on the store's cursor API only: no SQL type leaks here.
 */
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "card.h"
#include "clock.h"
#include "config.h"
#include "csvread.h"
#include "groups.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "otp.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

/* Groups whose answer one call remembers. */
#define CARD_GROUP_CACHE	32
/* Offers one answer looks at (in force, at active merchants). */
#define CARD_LIVE_MAX		256

/*
 * Text a person typed for a name, an address or an offer: valid UTF-8,
 * no control characters (they would reach an SMS and a terminal), at
 * most max bytes. 0, or -1 with err naming what.
 */
static int
check_text(const char *what, const char *t, size_t max, int need,
    char *err, size_t errsize)
{
	size_t	 i, n = strlen(t);

	if (need && n == 0) {
		(void)util_snprintf(err, errsize,
		    _("%s: must not be empty"), what);
		return -1;
	}
	if (n > max) {
		(void)util_snprintf(err, errsize,
		    _("%s: longer than %zu bytes"), what,
		    max);
		return -1;
	}
	if (!util_utf8_valid(t, n)) {
		(void)util_snprintf(err, errsize,
		    _("%s: not UTF-8 text"), what);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f) {
			(void)util_snprintf(err, errsize,
			    _("%s: holds a control "
			    "character"), what);
			return -1;
		}
	return 0;
}

/*
 * The phones of a list ("2xxxxxxx, +3712xxxxxxx"; commas, '|' or blanks
 * between) as E.164 into out[], *n of them. 0, or -1 with err naming the
 * number that is not a mobile one.
 */
static int
parse_phones(const char *list, char out[][IDENT_PHONE_SIZE], size_t *n,
    char *err, size_t errsize)
{
	enum ident_phone_kind	 kind;
	const char		*p = list, *errstr;
	char			 one[64];
	size_t			 len, i;

	*n = 0;
	while (*p != '\0') {
		/* A number may hold blanks itself: only , | and ; part. */
		len = strcspn(p, ",|;");
		if (len >= sizeof(one)) {
			(void)util_snprintf(err, errsize,
			    "%s", _("a phone number is too "
			    "long"));
			return -1;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		p += len;
		if (*p != '\0')
			p++;
		if (util_trim(one)[0] == '\0')
			continue;
		if (*n == CARD_PHONES_MAX) {
			(void)util_snprintf(err, errsize,
			    _("more than %d phones"),
			    CARD_PHONES_MAX);
			return -1;
		}
		if (ident_phone_parse(util_trim(one), out[*n], &kind,
		    &errstr) == -1) {
			(void)util_snprintf(err, errsize, _("phone '%s': %s"),
			    util_trim(one), _(errstr));
			return -1;
		}
		if (kind == IDENT_PHONE_LV_FIXED) {
			(void)util_snprintf(err, errsize,
			    _("phone '%s': a landline cannot "
			    "send an SMS; give a mobile number"),
			    util_trim(one));
			return -1;
		}
		for (i = 0; i < *n; i++)
			if (strcmp(out[i], out[*n]) == 0)
				break;
		if (i == *n)
			(*n)++;
	}
	if (*n == 0) {
		(void)util_snprintf(err, errsize,
		    "%s", _("a merchant needs at least one "
		    "phone that may check codes"));
		return -1;
	}
	return 0;
}

/*
 * Write merchant id's phones inside the caller's transaction, which is
 * left to the caller: 0, -1 (a phone another merchant has, err says
 * whose) or -2 (database error).
 */
static int
put_phones(struct store *s, int64_t id, char phones[][IDENT_PHONE_SIZE],
    size_t n, char *err, size_t errsize)
{
	struct store_cur	*c;
	size_t			 i;
	int			 rc;

	for (i = 0; i < n; i++) {
		rc = store_do(s, ST_CARD_PHONE_INSERT, "sI", phones[i], id);
		if (rc == STORE_EUNIQUE) {
			c = store_cur(s, ST_CARD_PHONE_MERCHANT);
			if (store_bind(c, "s", phones[i]) == STORE_OK &&
			    store_step(c) == STORE_ROW)
				(void)util_snprintf(err, errsize,
				    _("phone %s checks codes "
				    "for merchant '%s' already"), phones[i],
				    store_str(c, 1));
			else
				(void)util_snprintf(err, errsize,
				    _("phone %s belongs to "
				    "another merchant"), phones[i]);
			store_reset(c);
			return -1;
		}
		if (rc != STORE_OK) {
			(void)util_snprintf(err, errsize,
			    _("database error: %s"),
			    store_errmsg(s));
			return -2;
		}
	}
	return 0;
}

static int
merchant_row(struct store_cur *c, struct card_merchant *m)
{
	memset(m, 0, sizeof(*m));
	m->id = store_i64(c, 0);
	store_text(c, 1, m->name, sizeof(m->name));
	store_text(c, 2, m->territory, sizeof(m->territory));
	store_text(c, 3, m->address, sizeof(m->address));
	m->active = store_int(c, 4);
	return 0;
}

int
card_merchant_find(struct store *s, const char *name,
    struct card_merchant *m, char *err, size_t errsize)
{
	struct store_cur	*c = store_cur(s, ST_CARD_MERCHANT_GET);
	char			 best[CARD_NAME_MAX + 1];
	size_t			 d, bestd = SIZE_MAX;
	int			 rc;

	if (store_bind(c, "s", name) != STORE_OK)
		return store_abort(s, err, errsize);
	if ((rc = store_step(c)) == STORE_ROW)
		(void)merchant_row(c, m);
	store_reset(c);
	if (rc == STORE_ROW)
		return 0;
	if (rc < 0) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	/* Not found: the nearest name, for a typo. */
	best[0] = '\0';
	c = store_cur(s, ST_CARD_MERCHANT_NAMES);
	while ((rc = store_step(c)) == STORE_ROW) {
		d = util_edit_distance(store_str(c, 0), name);
		if (d < bestd) {
			bestd = d;
			store_text(c, 0, best, sizeof(best));
		}
	}
	store_reset(c);
	if (best[0] != '\0' && bestd <= 3)
		(void)util_snprintf(err, errsize,
		    _("no merchant called '%s' (did you mean "
		    "'%s'?)"), name, best);
	else
		(void)util_snprintf(err, errsize,
		    _("no merchant called '%s' (munictl "
		    "merchant list shows them)"), name);
	return 1;
}

static int
merchant_spec_check(const struct card_merchant_spec *sp, char *err,
    size_t errsize)
{
	if ((sp->name != NULL && check_text(_("name"), sp->name,
	    CARD_NAME_MAX, 1, err, errsize) == -1) ||
	    (sp->territory != NULL && check_text(_("territory"),
	    sp->territory, CARD_TERRITORY_MAX, 0, err, errsize) == -1) ||
	    (sp->address != NULL && check_text(_("address"), sp->address,
	    CARD_ADDRESS_MAX, 0, err, errsize) == -1))
		return -1;
	return 0;
}

/*
 * Add the merchant of sp inside the caller's transaction (which is the
 * caller's to end): 0, -1 for bad input with *field naming the column
 * ("name", "phones", ...), -2 on a database error; err says what.
 */
static int
merchant_put(struct store *s, const struct card_merchant_spec *sp,
    const char **field, char *err, size_t errsize)
{
	char		 phones[CARD_PHONES_MAX][IDENT_PHONE_SIZE];
	size_t		 n;
	int64_t		 count = 0;
	int		 rc;

	*field = "name";
	if (sp->name == NULL) {
		(void)util_snprintf(err, errsize,
		    "%s", _("a merchant needs a name"));
		return -1;
	}
	if (merchant_spec_check(sp, err, errsize) == -1) {
		if (sp->territory != NULL && check_text("", sp->territory,
		    CARD_TERRITORY_MAX, 0, NULL, 0) == -1)
			*field = "territory";
		else if (sp->address != NULL && check_text("", sp->address,
		    CARD_ADDRESS_MAX, 0, NULL, 0) == -1)
			*field = "address";
		return -1;
	}
	*field = "phones";
	if (parse_phones(sp->phones != NULL ? sp->phones : "", phones, &n,
	    err, errsize) == -1)
		return -1;
	*field = NULL;
	if (store_one_i64(s, ST_CARD_MERCHANT_COUNT, &count, "") != STORE_ROW ||
	    (count == 0 && store_do(s, ST_CARD_TOPIC, "") != STORE_OK))
		goto dberror;
	rc = store_do(s, ST_CARD_MERCHANT_INSERT, "ssst", sp->name,
	    sp->territory != NULL ? sp->territory : "",
	    sp->address != NULL ? sp->address : "", clock_now());
	if (rc == STORE_EUNIQUE) {
		*field = "name";
		(void)util_snprintf(err, errsize,
		    _("a merchant called '%s' exists "
		    "already"), sp->name);
		return -1;
	}
	if (rc != STORE_OK)
		goto dberror;
	*field = "phones";
	if ((rc = put_phones(s, store_last_rowid(s), phones, n, err,
	    errsize)) != 0) {
		if (rc == -2)
			*field = NULL;
		return rc;
	}
	return 0;
dberror:
	(void)util_snprintf(err, errsize,
	    _("database error: %s"), store_errmsg(s));
	return -2;
}

int
card_merchant_add(struct store *s, const char *actor,
    const struct card_merchant_spec *sp, char *err, size_t errsize)
{
	const char	*field;
	char		 detail[CARD_NAME_MAX + 32];

	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if (merchant_put(s, sp, &field, err, errsize) != 0) {
		store_rollback(s);
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "merchant=%s", sp->name);
	if (store_audit(s, actor, "merchant add", detail) == -1 ||
	    store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}

int
card_merchant_set(struct store *s, const char *actor, const char *name,
    const struct card_merchant_spec *sp, char *err, size_t errsize)
{
	struct card_merchant	 m;
	char			 phones[CARD_PHONES_MAX][IDENT_PHONE_SIZE];
	char			 detail[2 * CARD_NAME_MAX + 64];
	size_t			 n = 0;
	int			 rc;

	if (merchant_spec_check(sp, err, errsize) == -1 ||
	    (sp->phones != NULL && parse_phones(sp->phones, phones, &n, err,
	    errsize) == -1))
		return -1;
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if ((rc = card_merchant_find(s, name, &m, err, errsize)) != 0) {
		store_rollback(s);
		return -1;
	}
	/* NULL binds keep a column as it is. */
	if (sp->active == -1)
		rc = store_do(s, ST_CARD_MERCHANT_UPDATE, "Izssnt", m.id,
		    sp->name, sp->territory, sp->address, clock_now());
	else
		rc = store_do(s, ST_CARD_MERCHANT_UPDATE, "Izssit", m.id,
		    sp->name, sp->territory, sp->address, sp->active != 0,
		    clock_now());
	if (rc == STORE_EUNIQUE) {
		store_rollback(s);
		(void)util_snprintf(err, errsize,
		    _("a merchant called '%s' exists "
		    "already"), sp->name);
		return -1;
	}
	if (rc != STORE_OK)
		return store_abort(s, err, errsize);
	if (sp->phones != NULL) {
		if (store_do(s, ST_CARD_PHONES_DELETE, "I", m.id) != STORE_OK)
			return store_abort(s, err, errsize);
		if (put_phones(s, m.id, phones, n, err, errsize) != 0) {
			store_rollback(s);
			return -1;
		}
	}
	(void)util_snprintf(detail, sizeof(detail), "merchant=%s%s%s%s%s",
	    name, sp->name != NULL ? " name=" : "",
	    sp->name != NULL ? sp->name : "", sp->active == 0 ?
	    " disabled" : sp->active == 1 ? " enabled" : "",
	    sp->phones != NULL ? " phones" : "");
	if (store_audit(s, actor, sp->active == 0 && sp->name == NULL &&
	    sp->phones == NULL && sp->territory == NULL &&
	    sp->address == NULL ? "merchant disable" : "merchant set",
	    detail) == -1 || store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}

int
card_merchant_list(struct store *s,
    int (*cb)(void *, const struct card_merchant *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_CARD_MERCHANT_LIST);
	struct card_merchant	 m;
	int			 rc;

	while ((rc = store_step(c)) == STORE_ROW) {
		(void)merchant_row(c, &m);
		store_text(c, 5, m.phones, sizeof(m.phones));
		m.offers = store_i64(c, 6);
		if (cb(arg, &m) == -1)
			break;
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

/* A date as YYYY-MM-DD that exists; 0, or -1 with err naming which. */
static int
check_date(const char *what, const char *d, char *err, size_t errsize)
{
	int	 y, m, day;

	if (strlen(d) != 10 || util_parse_date(d, &y, &m, &day) == -1) {
		(void)util_snprintf(err, errsize,
		    _("%s '%s': not a date (YYYY-MM-DD)"),
		    what, d);
		return -1;
	}
	return 0;
}

static void
offer_row(struct store_cur *c, struct card_offer *o, int64_t *merchant_id,
    int64_t *group_id)
{
	memset(o, 0, sizeof(*o));
	o->id = store_i64(c, 0);
	store_text(c, 1, o->merchant, sizeof(o->merchant));
	store_text(c, 2, o->group, sizeof(o->group));
	store_text(c, 3, o->text_lv, sizeof(o->text_lv));
	store_text(c, 4, o->text_en, sizeof(o->text_en));
	store_text(c, 5, o->from, sizeof(o->from));
	store_text(c, 6, o->to, sizeof(o->to));
	o->ended_at = (time_t)store_i64(c, 7);
	if (merchant_id != NULL)
		*merchant_id = store_i64(c, 8);
	if (group_id != NULL)
		*group_id = store_i64(c, 9);
}

/*
 * The checks add and set share: texts, dates in order, and no live offer
 * of the merchant for the group whose days meet these (but self).
 */
static int
offer_check(struct store *s, int64_t self, int64_t merchant_id,
    int64_t group_id, const struct card_offer *o, char *err,
    size_t errsize)
{
	int64_t	 other = 0;
	int	 rc;

	if (check_text(_("text"), o->text_lv, CARD_TEXT_MAX, 1, err,
	    errsize) == -1 || check_text(_("English text"), o->text_en,
	    CARD_TEXT_MAX, 0, err, errsize) == -1 ||
	    check_date("--from", o->from, err, errsize) == -1 ||
	    check_date("--to", o->to, err, errsize) == -1)
		return -1;
	if (strcmp(o->from, o->to) > 0) {
		(void)util_snprintf(err, errsize,
		    _("--from %s is after --to %s"), o->from,
		    o->to);
		return -1;
	}
	rc = store_one_i64(s, ST_CARD_OFFER_OVERLAP, &other, "IIIss",
	    merchant_id, group_id, self, o->from, o->to);
	if (rc < 0) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	if (rc == STORE_ROW) {
		(void)util_snprintf(err, errsize,
		    _("offer %lld of '%s' for group '%s' is "
		    "valid on some of these days already: end it or change "
		    "its dates first"), (long long)other, o->merchant,
		    o->group);
		return -1;
	}
	return 0;
}

/* Copy a given text field into dst (bounded: the check names overflow). */
static int
take(char *dst, size_t size, const char *src, const char *what, char *err,
    size_t errsize)
{
	if (src == NULL)
		return 0;
	if (util_strlcpy(dst, src, size) == -1) {
		(void)util_snprintf(err, errsize,
		    _("%s: longer than %zu bytes"), what,
		    size - 1);
		return -1;
	}
	return 0;
}

/* The group called name: its id, or -1 with err (did you mean...). */
static int64_t
group_id_of(struct store *s, const char *name, char *err, size_t errsize)
{
	struct groups_info	 g;

	if (groups_find(s, name, &g, err, errsize) != 0)
		return -1;
	return g.id;
}

/*
 * Add the offer of sp inside the caller's transaction: its id, -1 for bad
 * input with *field naming the column ("merchant", "group", "from", ...),
 * -2 on a database error; err says what.
 */
static int64_t
offer_put(struct store *s, const char *actor,
    const struct card_offer_spec *sp, const char **field, char *err,
    size_t errsize)
{
	struct card_merchant	 m;
	struct card_offer	 o;
	int64_t			 gid;
	int			 rc;

	*field = "merchant";
	if (sp->merchant == NULL || sp->group == NULL || sp->text_lv == NULL) {
		(void)util_snprintf(err, errsize,
		    "%s", _("an offer needs a merchant, a "
		    "group and a text"));
		return -1;
	}
	memset(&o, 0, sizeof(o));
	/* Open-ended unless told: from today, for ever. */
	clock_date(clock_now(), o.from, sizeof(o.from));
	(void)util_strlcpy(o.to, "9999-12-31", sizeof(o.to));
	if (take(o.merchant, sizeof(o.merchant), sp->merchant, _("merchant"),
	    err, errsize) == -1)
		return -1;
	*field = "group";
	if (take(o.group, sizeof(o.group), sp->group, _("group"), err,
	    errsize) == -1)
		return -1;
	*field = "text";
	if (take(o.text_lv, sizeof(o.text_lv), sp->text_lv, _("text"), err,
	    errsize) == -1)
		return -1;
	*field = "text_en";
	if (take(o.text_en, sizeof(o.text_en), sp->text_en, _("English text"),
	    err, errsize) == -1)
		return -1;
	*field = "from";
	if (take(o.from, sizeof(o.from), sp->from, "--from", err,
	    errsize) == -1)
		return -1;
	*field = "to";
	if (take(o.to, sizeof(o.to), sp->to, "--to", err, errsize) == -1)
		return -1;
	*field = "merchant";
	if ((rc = card_merchant_find(s, o.merchant, &m, err, errsize)) != 0)
		return rc == 1 ? -1 : -2;
	if (!m.active) {
		(void)util_snprintf(err, errsize,
		    _("merchant '%s' is disabled"), m.name);
		return -1;
	}
	*field = "group";
	if ((gid = group_id_of(s, o.group, err, errsize)) == -1)
		return -1;
	*field = "from";
	if (offer_check(s, 0, m.id, gid, &o, err, errsize) == -1) {
		if (check_date("", o.to, NULL, 0) == -1)
			*field = "to";
		return -1;
	}
	*field = NULL;
	if (store_do(s, ST_CARD_OFFER_INSERT, "IIssssst", m.id, gid,
	    o.text_lv, o.text_en, o.from, o.to, actor, clock_now()) !=
	    STORE_OK) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -2;
	}
	return store_last_rowid(s);
}

int64_t
card_offer_add(struct store *s, const char *actor,
    const struct card_offer_spec *sp, char *err, size_t errsize)
{
	const char	*field;
	char		 detail[2 * CARD_NAME_MAX + 64];
	int64_t		 id;

	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if ((id = offer_put(s, actor, sp, &field, err, errsize)) < 0) {
		store_rollback(s);
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "offer=%lld merchant=%s "
	    "group=%s", (long long)id, sp->merchant, sp->group);
	if (store_audit(s, actor, "offer add", detail) == -1 ||
	    store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return id;
}

/* Offer id: 0, 1 none (err says so), -1 error. */
static int
offer_get(struct store *s, int64_t id, struct card_offer *o,
    int64_t *merchant_id, int64_t *group_id, char *err, size_t errsize)
{
	struct store_cur	*c = store_cur(s, ST_CARD_OFFER_GET);
	int			 rc;

	if (store_bind(c, "I", id) != STORE_OK) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	if ((rc = store_step(c)) == STORE_ROW)
		offer_row(c, o, merchant_id, group_id);
	store_reset(c);
	if (rc < 0) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	if (rc == STORE_OK) {
		(void)util_snprintf(err, errsize,
		    _("no offer %lld (munictl offer list "
		    "shows them)"), (long long)id);
		return 1;
	}
	return 0;
}

int
card_offer_set(struct store *s, const char *actor, int64_t id,
    const struct card_offer_spec *sp, char *err, size_t errsize)
{
	struct card_offer	 o;
	char			 detail[64];
	int64_t			 mid, gid;

	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if (offer_get(s, id, &o, &mid, &gid, err, errsize) != 0)
		goto fail;
	if (o.ended_at != 0) {
		(void)util_snprintf(err, errsize,
		    _("offer %lld has ended: add a new one"),
		    (long long)id);
		goto fail;
	}
	if (take(o.group, sizeof(o.group), sp->group, _("group"), err,
	    errsize) == -1 || take(o.text_lv, sizeof(o.text_lv), sp->text_lv,
	    _("text"), err, errsize) == -1 || take(o.text_en,
	    sizeof(o.text_en), sp->text_en, _("English text"), err,
	    errsize) == -1 || take(o.from, sizeof(o.from), sp->from, "--from",
	    err, errsize) == -1 || take(o.to, sizeof(o.to), sp->to, "--to",
	    err, errsize) == -1)
		goto fail;
	if (sp->group != NULL &&
	    (gid = group_id_of(s, o.group, err, errsize)) == -1)
		goto fail;
	if (offer_check(s, id, mid, gid, &o, err, errsize) == -1)
		goto fail;
	if (store_do(s, ST_CARD_OFFER_UPDATE, "IIsssst", id, gid, o.text_lv,
	    o.text_en, o.from, o.to, clock_now()) != STORE_OK)
		return store_abort(s, err, errsize);
	(void)util_snprintf(detail, sizeof(detail), "offer=%lld",
	    (long long)id);
	if (store_audit(s, actor, "offer set", detail) == -1 ||
	    store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int
card_offer_end(struct store *s, const char *actor, int64_t id, char *err,
    size_t errsize)
{
	struct card_offer	 o;
	char			 detail[64];

	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if (offer_get(s, id, &o, NULL, NULL, err, errsize) != 0)
		goto fail;
	if (o.ended_at != 0) {
		(void)util_snprintf(err, errsize,
		    _("offer %lld has ended already"),
		    (long long)id);
		goto fail;
	}
	if (store_do(s, ST_CARD_OFFER_END, "It", id, clock_now()) != STORE_OK)
		return store_abort(s, err, errsize);
	(void)util_snprintf(detail, sizeof(detail), "offer=%lld",
	    (long long)id);
	if (store_audit(s, actor, "offer end", detail) == -1 ||
	    store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int
card_offer_list(struct store *s, const char *merchant,
    int (*cb)(void *, const struct card_offer *), void *arg, char *err,
    size_t errsize)
{
	struct card_merchant	 m;
	struct store_cur	*c;
	struct card_offer	 o;
	int			 rc;

	m.id = 0;
	if (merchant != NULL &&
	    card_merchant_find(s, merchant, &m, err, errsize) != 0)
		return -1;
	c = store_cur(s, ST_CARD_OFFER_LIST);
	if ((m.id != 0 ? store_bind(c, "I", m.id) : store_bind(c, "n")) !=
	    STORE_OK) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	while ((rc = store_step(c)) == STORE_ROW) {
		offer_row(c, &o, NULL, NULL);
		if (cb(arg, &o) == -1)
			break;
	}
	store_reset(c);
	if (rc < 0) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	return 0;
}

/*
 * Group membership asked of the group machinery, remembered per call: an
 * answer names few groups.
 */
struct member_cache {
	size_t		 n;
	int64_t		 group[CARD_GROUP_CACHE];
	int		 in[CARD_GROUP_CACHE];
};

/*
 * 1 when resident is in group gid, 0 when not (or the group is gone), -1:
 * a rule group by one indexed probe of its rule, a manual one by its rows.
 */
static int
in_group(struct store *s, struct member_cache *mc, int64_t gid,
    int64_t resident)
{
	struct groups_info	 g;
	char			 err[GROUPS_ERR_SIZE];
	int64_t			 n = 0;
	size_t			 i;
	int			 rc, in = 0;

	for (i = 0; i < mc->n; i++)
		if (mc->group[i] == gid)
			return mc->in[i];
	if ((rc = groups_get(s, gid, &g)) == -1)
		return -1;
	if (rc == 0 && g.is_rule) {
		if ((in = groups_rule_has(s, &g, resident, err,
		    sizeof(err))) == -1) {
			log_warnx("card: group %s: %s", g.name, err);
			return -1;
		}
	} else if (rc == 0) {
		if (store_one_i64(s, ST_CARD_MANUAL_MEMBER, &n, "II", gid,
		    resident) != STORE_ROW)
			return -1;
		in = n > 0;
	}
	if (mc->n < CARD_GROUP_CACHE) {
		mc->group[mc->n] = gid;
		mc->in[mc->n++] = in;
	}
	return in;
}

struct resident {
	char		 given[CARD_NAME_MAX + 1];
	char		 family[CARD_NAME_MAX + 1];
	char		 territory[CARD_TERRITORY_MAX + 1];
};

/* 0 found, 1 none, -1 error. */
static int
resident_get(struct store *s, int64_t id, struct resident *r)
{
	struct store_cur	*c = store_cur(s, ST_CARD_RESIDENT);
	int			 rc;

	memset(r, 0, sizeof(*r));
	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		store_text(c, 0, r->given, sizeof(r->given));
		store_text(c, 1, r->family, sizeof(r->family));
		store_text(c, 2, r->territory, sizeof(r->territory));
	}
	store_reset(c);
	return rc < 0 ? -1 : rc == STORE_ROW ? 0 : 1;
}

/* One offer in force, as ST_CARD_OFFERS_LIVE reads it. */
struct live {
	int64_t		 id;
	int64_t		 group;
	struct card_entitled e;
};

/*
 * The offers in force today (of merchant, or all when 0) that resident
 * is entitled to; at most max into out. Offers are read first and the
 * groups asked after, so no statement is open while a group resolves.
 */
static int
entitled(struct store *s, int64_t resident, int64_t merchant,
    struct card_entitled *out, size_t max, size_t *n, int *more)
{
	struct member_cache	 mc;
	struct resident		 r;
	struct store_cur	*c;
	struct live		*lv;
	char			 today[CARD_DATE_SIZE];
	const char		*en = i18n_lang();
	size_t			 nlive = 0, i;
	int			 rc;

	*n = 0;
	*more = 0;
	if ((rc = resident_get(s, resident, &r)) != 0)
		return rc == 1 ? 0 : -1;
	clock_date(clock_now(), today, sizeof(today));
	lv = xcalloc(CARD_LIVE_MAX, sizeof(*lv));
	c = store_cur(s, ST_CARD_OFFERS_LIVE);
	if ((merchant != 0 ? store_bind(c, "ssI", today, r.territory,
	    merchant) : store_bind(c, "ssn", today, r.territory)) !=
	    STORE_OK) {
		free(lv);
		return -1;
	}
	while ((rc = store_step(c)) == STORE_ROW && nlive < CARD_LIVE_MAX) {
		struct live	*l = &lv[nlive++];

		l->id = l->e.offer_id = store_i64(c, 0);
		l->group = store_i64(c, 1);
		store_text(c, 2, l->e.merchant, sizeof(l->e.merchant));
		store_text(c, 3, l->e.territory, sizeof(l->e.territory));
		store_text(c, 4, l->e.address, sizeof(l->e.address));
		/* English where the offer has it, else the Latvian text. */
		store_text(c, strcmp(en, "en") == 0 && store_str(c, 6)[0] !=
		    '\0' ? 6 : 5, l->e.text, sizeof(l->e.text));
		store_text(c, 7, l->e.from, sizeof(l->e.from));
		store_text(c, 8, l->e.to, sizeof(l->e.to));
	}
	/* Offers past the cap are not looked at: there are more. */
	*more = rc == STORE_ROW;
	store_reset(c);
	if (rc < 0) {
		free(lv);
		return -1;
	}
	memset(&mc, 0, sizeof(mc));
	for (i = 0; i < nlive; i++) {
		if ((rc = in_group(s, &mc, lv[i].group, resident)) == -1) {
			free(lv);
			return -1;
		}
		if (rc == 0)
			continue;
		if (*n == max) {
			*more = 1;
			break;
		}
		out[(*n)++] = lv[i].e;
	}
	free(lv);
	return 0;
}

int
card_entitled(struct store *s, int64_t resident_id,
    struct card_entitled *out, size_t max, size_t *n, int *more)
{
	return entitled(s, resident_id, 0, out, max, n, more);
}

/* Six random digits, without the bias a plain modulo would give. */
static int
make_code(char code[CARD_CODE_DIGITS + 1])
{
	uint32_t	 v;

	do {
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
			log_warn("card: getrandom");
			return -1;
		}
	} while (v >= 4294000000U);	/* a multiple of 10^6 */
	(void)snprintf(code, CARD_CODE_DIGITS + 1, "%06u",
	    (unsigned)(v % 1000000U));
	return 0;
}

/*
 * A code is found by a keyed hash of it: HMAC-SHA256 under the card key,
 * "hmac-sha256:" and 64 hex digits, a unique index of card_codes. A check
 * is then one indexed read however many codes are live; it used to try
 * each live code's yescrypt hash in turn (1.2 ms apiece, 60 ms at 50
 * codes, on the gateway's loop). yescrypt is not kept beside the index:
 * the index alone names the code to whoever holds the key, and the key
 * sits in the same database, so a slow hash of six digits would guard
 * nothing the index gives away (nor much on its own: 10^6 guesses at
 * 1.2 ms are 20 CPU minutes, two lifetimes of a code). What the key buys
 * is that card_codes alone, copied or logged, names no code.
 */
#define CARD_KEY_BYTES	32
#define CARD_MAC_PREFIX	"hmac-sha256:"
#define CARD_MAC_SIZE	(sizeof(CARD_MAC_PREFIX) + 2 * SHA256_DIGEST_LENGTH)

/* The card key as hex into key (2 * CARD_KEY_BYTES + 1): made once. */
static int
card_key(struct store *s, char *key, size_t size)
{
	struct store_cur	*c;
	unsigned char		 raw[CARD_KEY_BYTES];
	char			 hex[2 * CARD_KEY_BYTES + 1];
	size_t			 i;
	int			 rc, tries;

	for (tries = 0; tries < 2; tries++) {
		c = store_cur(s, ST_CARD_KEY_GET);
		if ((rc = store_step(c)) == STORE_ROW)
			store_text(c, 0, key, size);
		store_reset(c);
		if (rc == STORE_ROW)
			return strlen(key) == 2 * CARD_KEY_BYTES ? 0 : -1;
		if (rc < 0 || tries > 0)
			break;
		/* None yet: the first code makes it; a race keeps one. */
		if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
			log_warn("card: getrandom");
			return -1;
		}
		for (i = 0; i < sizeof(raw); i++)
			(void)snprintf(hex + 2 * i, 3, "%02x", raw[i]);
		rc = store_do(s, ST_CARD_KEY_PUT, "st", hex, clock_now());
		explicit_bzero(raw, sizeof(raw));
		explicit_bzero(hex, sizeof(hex));
		if (rc != STORE_OK)
			return -1;
	}
	return -1;
}

/* The keyed hash of code (its digits) into mac; 0 or -1. */
static int
code_mac(struct store *s, const char *code, char mac[CARD_MAC_SIZE])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	unsigned int	 mdlen = 0;
	char		 key[2 * CARD_KEY_BYTES + 1];
	size_t		 i, n;
	int		 ret = -1;

	if (card_key(s, key, sizeof(key)) == -1)
		goto out;
	if (HMAC(EVP_sha256(), key, (int)strlen(key),
	    (const unsigned char *)code, strlen(code), md, &mdlen) == NULL ||
	    mdlen != sizeof(md))
		goto out;
	n = strlen(CARD_MAC_PREFIX);
	memcpy(mac, CARD_MAC_PREFIX, n);
	for (i = 0; i < sizeof(md); i++)
		(void)snprintf(mac + n + 2 * i, 3, "%02x", md[i]);
	ret = 0;
out:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(md, sizeof(md));
	return ret;
}

/*
 * The code among those that expired after since: its id, resident and
 * expiry, 1 found, 0 none, -1 error; one indexed read.
 */
static int
code_find(struct store *s, const char *code, time_t since, int64_t *id,
    int64_t *resident, time_t *expires)
{
	struct store_cur	*c;
	char			 mac[CARD_MAC_SIZE];
	int			 rc;

	if (code_mac(s, code, mac) == -1)
		return -1;
	c = store_cur(s, ST_CARD_CODE_BY_MAC);
	if (store_bind(c, "st", mac, since) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		*id = store_i64(c, 0);
		*resident = store_i64(c, 1);
		*expires = (time_t)store_i64(c, 2);
	}
	store_reset(c);
	return rc < 0 ? -1 : rc == STORE_ROW;
}

int
card_issue(struct store *s, long ttl_s, const char *issuer,
    int64_t resident_id, const char *phone, time_t *expires_at)
{
	struct outbox_msg	 m;
	struct store_cur	*c;
	enum ident_phone_kind	 kind;
	char			 code[CARD_CODE_DIGITS + 1], hash[CARD_MAC_SIZE];
	char			 text[200], e164[IDENT_PHONE_SIZE];
	const char		*errstr;
	time_t			 now = clock_now(), t;
	int64_t			 id, other;
	int			 rc, tries, ret = -1;

	if (ident_phone_parse(phone, e164, &kind, &errstr) == -1 ||
	    kind == IDENT_PHONE_LV_FIXED)
		return CARD_NO_MOBILE;
	/* A second KARTE within a minute gets the code already on its way. */
	c = store_cur(s, ST_CARD_CODE_LAST);
	if (store_bind(c, "It", resident_id, now) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW &&
	    now - (time_t)store_i64(c, 1) < CARD_RESEND_S) {
		*expires_at = (time_t)store_i64(c, 2);
		store_reset(c);
		return CARD_REUSED;
	}
	store_reset(c);
	if (rc < 0)
		return -1;
	/*
	 * A code no kept one has (the unique index wants it, and a check of
	 * it must not find an older, expired code): with codes living
	 * minutes a clash is rare, and three draws make it rarer. Codes
	 * past the grace go in this issue's prune.
	 */
	for (tries = 0; tries < 3; tries++) {
		if (make_code(code) == -1)
			return -1;
		if ((rc = code_find(s, code, now - CARD_GRACE_S, &id, &other,
		    &t)) == -1)
			goto done;
		if (rc == 0)
			break;
	}
	if (rc != 0) {
		log_warnx("card: no free code in three draws");
		goto done;
	}
	if (code_mac(s, code, hash) == -1) {
		log_warnx("card: no card key");
		goto done;
	}
	/*
	 * TRANSLATORS: the municipality's name in the genitive, the code,
	 * minutes. One UCS-2 segment (70 characters) with the default name.
	 */
	if (util_snprintf(text, sizeof(text), _("%s card code: %s. Valid %ld "
	    "min."), issuer, code, (ttl_s + 59) / 60) == -1) {
		log_warnx("card: the SMS text does not fit");
		goto done;
	}
	if (store_begin(s) == -1)
		goto done;
	if (store_do(s, ST_CARD_CODE_PRUNE, "t", now - CARD_GRACE_S) !=
	    STORE_OK || store_do(s, ST_CARD_CODE_INSERT, "Istt", resident_id,
	    hash, now, now + ttl_s) != STORE_OK)
		goto rollback;
	memset(&m, 0, sizeof(m));
	m.phone = e164;
	m.text = text;
	m.validity_s = ttl_s;		/* never delivered after it expired */
	m.priority = OTP_PRIORITY;
	m.resident_id = resident_id;
	if ((id = outbox_enqueue(s, &m, &errstr)) == -1) {
		log_warnx("card: outbox: %s", errstr);
		goto rollback;
	}
	if (store_do(s, ST_CARD_SECRET, "I", id) != STORE_OK ||
	    store_commit(s) == -1)
		goto rollback;
	*expires_at = now + ttl_s;
	ret = CARD_ISSUED;
	goto done;
rollback:
	store_rollback(s);
done:
	explicit_bzero(code, sizeof(code));
	explicit_bzero(text, sizeof(text));
	explicit_bzero(hash, sizeof(hash));
	return ret;
}

void
card_check_params_init(struct card_check_params *p, const struct config *cfg)
{
	p->max_attempts = (int)config_int(cfg, CFG_OTP_MAX_ATTEMPTS);
	p->lockout_s = (long)config_int(cfg, CFG_OTP_LOCKOUT_S);
}

/* Six digits, blanks between them allowed, into out; 0 or -1. */
static int
code_digits(const char *in, char out[CARD_CODE_DIGITS + 1])
{
	size_t	 n = 0;

	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == '-')
			continue;
		if (*in < '0' || *in > '9' || n == CARD_CODE_DIGITS)
			return -1;
		out[n++] = *in;
	}
	out[n] = '\0';
	return n == CARD_CODE_DIGITS ? 0 : -1;
}

/* "Anna B.": the given name and the family name's first letter. */
static void
shown_name(const struct resident *r, char *buf, size_t size)
{
	size_t	 n = 0;

	if (r->family[0] != '\0')
		for (n = 1; ((unsigned char)r->family[n] & 0xc0) == 0x80; n++)
			;
	if (util_snprintf(buf, size, "%s%s%.*s%s", r->given, n > 0 ? " " :
	    "", (int)n, r->family, n > 0 ? "." : "") == -1)
		(void)util_strlcpy_utf8(buf, r->given, size);
}

/* Store the check (and the offers that applied) in the open transaction. */
static int
log_check(struct store *s, int64_t merchant, int64_t code_id,
    const char *result, const char *day, const int64_t *offers,
    size_t noffers)
{
	int64_t	 check;
	size_t	 i;

	if ((code_id != 0 ? store_do(s, ST_CARD_CHECK_INSERT, "IIsst",
	    merchant, code_id, result, day, clock_now()) :
	    store_do(s, ST_CARD_CHECK_INSERT, "Insst", merchant, result, day,
	    clock_now())) != STORE_OK)
		return -1;
	check = store_last_rowid(s);
	for (i = 0; i < noffers; i++)
		if (store_do(s, ST_CARD_CHECK_OFFER_INSERT, "II", check,
		    offers[i]) != STORE_OK)
			return -1;
	return 0;
}

int
card_merchant_phone(struct store *s, const char *phone)
{
	struct store_cur	*c = store_cur(s, ST_CARD_PHONE_MERCHANT);
	int			 rc, active = 0;

	if (store_bind(c, "s", phone) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		active = store_int(c, 2) != 0;
	store_reset(c);
	return rc < 0 ? -1 : active;
}

int
card_check(struct store *s, const struct card_check_params *p,
    const char *phone, const char *code, struct card_check *out)
{
	struct card_entitled	*ent = NULL;
	struct resident		 r;
	struct store_cur	*c;
	char			 digits[CARD_CODE_DIGITS + 1], subject[64];
	char			 day[CARD_DATE_SIZE];
	int64_t			 merchant = 0, code_id = 0, resident = 0, used;
	int64_t			 offers[CARD_OFFERS_MAX] = { 0 };
	time_t			 now = clock_now(), expires = 0;
	size_t			 n = 0, i;
	int			 rc, failures, more, ret = -1;

	memset(out, 0, sizeof(*out));
	c = store_cur(s, ST_CARD_PHONE_MERCHANT);
	if (store_bind(c, "s", phone) != STORE_OK)
		return -1;
	rc = store_step(c);
	if (rc == STORE_ROW) {
		merchant = store_i64(c, 0);
		store_text(c, 1, out->merchant, sizeof(out->merchant));
		if (store_int(c, 2) == 0)
			rc = STORE_OK;	/* a disabled merchant checks nothing */
	}
	store_reset(c);
	if (rc < 0)
		return -1;
	if (rc == STORE_OK) {
		out->merchant[0] = '\0';
		return CARD_NOT_MERCHANT;
	}
	if (code_digits(code, digits) == -1)
		return CARD_BAD_CODE;
	clock_date(now, day, sizeof(day));
	(void)util_snprintf(subject, sizeof(subject), "card-phone:%s", phone);

	if (otp_lockout_get(s, subject, &failures, &out->until) == -1)
		goto done;
	if (store_begin(s) == -1)
		goto done;
	if (out->until > now) {
		if (log_check(s, merchant, 0, "locked", day, NULL, 0) == -1)
			goto rollback;
		ret = CARD_LOCKED;
		goto commit;
	}
	out->until = 0;
	if ((rc = code_find(s, digits, now - CARD_GRACE_S, &code_id,
	    &resident, &expires)) == -1)
		goto rollback;
	if (rc == 0) {
		/*
		 * Inside this transaction (and the gateway's, which must
		 * never be rolled back from here): the count, the check
		 * and the answer are stored together or not at all.
		 */
		if ((rc = otp_lockout_fail(s, subject, p->max_attempts,
		    p->lockout_s, &failures, &out->until)) == -1)
			goto rollback;
		if (log_check(s, merchant, 0, rc == 1 ? "locked" : "wrong",
		    day, NULL, 0) == -1)
			goto rollback;
		out->left = p->max_attempts - failures;
		ret = rc == 1 ? CARD_LOCKED : CARD_WRONG;
		goto commit;
	}
	if (otp_lockout_clear(s, subject) == -1)
		goto rollback;
	if (expires <= now) {
		if (log_check(s, merchant, code_id, "expired", day, NULL,
		    0) == -1)
			goto rollback;
		ret = CARD_EXPIRED;
		goto commit;
	}
	if ((rc = store_one_i64(s, ST_CARD_CHECK_USED, &used, "IIs",
	    code_id, merchant, day)) < 0)
		goto rollback;
	if (used > 0) {
		if (log_check(s, merchant, code_id, "used", day, NULL,
		    0) == -1)
			goto rollback;
		ret = CARD_USED;
		goto commit;
	}
	if (resident_get(s, resident, &r) != 0)
		goto rollback;
	shown_name(&r, out->name, sizeof(out->name));
	ent = xcalloc(CARD_OFFERS_MAX, sizeof(*ent));
	if (entitled(s, resident, merchant, ent, CARD_OFFERS_MAX, &n,
	    &more) == -1)
		goto rollback;
	for (i = 0; i < n; i++) {
		offers[i] = ent[i].offer_id;
		(void)util_strlcpy(out->offers[i], ent[i].text,
		    sizeof(out->offers[i]));
	}
	out->noffers = n;
	if (log_check(s, merchant, code_id, n > 0 ? "valid" : "no_offer",
	    day, offers, n) == -1)
		goto rollback;
	ret = n > 0 ? CARD_VALID : CARD_NO_OFFER;
commit:
	if (store_commit(s) == -1) {
		ret = -1;
		goto rollback;
	}
	goto done;
rollback:
	store_rollback(s);
	ret = -1;
done:
	free(ent);
	explicit_bzero(digits, sizeof(digits));
	return ret;
}

int
card_report(struct store *s, time_t since, struct card_report *r)
{
	struct store_cur	*c = store_cur(s, ST_CARD_REPORT);
	int			 rc;

	memset(r, 0, sizeof(*r));
	if (store_bind(c, "t", since) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		r->merchants = store_i64(c, 0);
		r->offers = store_i64(c, 1);
		r->checks = store_i64(c, 2);
		r->valid = store_i64(c, 3);
		r->checks_since = store_i64(c, 4);
	}
	store_reset(c);
	return rc == STORE_ROW ? 0 : -1;
}

/*
 * CSV imports of merchants and offers: RFC 4180 read by csvread (bounded
 * memory, a BOM skipped), the delimiter a comma, semicolon or tab as the
 * header has most, columns by name and extra ones ignored; all or
 * nothing, every error a FILE:LINE:COLUMN line.
 */
#define CIN_COLS	8	/* columns an import knows */
#define CIN_FIELD_MAX	512	/* bytes of one field a row may hold */
#define CIN_RECORD_MAX	CSVLINE_MAX	/* bytes of a record over lines */
#define CIN_ERRORS_SHOWN 50

enum cin_kind { CIN_MERCHANTS, CIN_OFFERS };

static const char *const cin_names[2][CIN_COLS] = {
	{ "name", "phones", "territory", "address" },
	{ "merchant", "group", "text", "text_en", "from", "to" },
};

struct csvin {
	struct store	*s;
	const char	*actor;
	const char	*path;
	FILE		*errout;
	enum cin_kind	 kind;
	struct card_import_result *res;
	struct csvread	*cr;		/* the file's records */
	int		 line;		/* of the record's start */
	int		 header_done;
	int		 col[CIN_COLS];	/* field index of each column, -1 */
	int		 fatal;		/* a database error: stop */
};

static void cin_error(struct csvin *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
cin_error(struct csvin *ci, int field, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[CARD_ERR_SIZE];

	if (ci->res->errors++ >= CIN_ERRORS_SHOWN)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (field >= 0)
		fprintf(ci->errout, "%s:%d:%d: %s\n", ci->path, ci->line,
		    field + 1, msg);
	else
		fprintf(ci->errout, "%s:%d: %s\n", ci->path, ci->line, msg);
}

/* The field of column i of the current record, or NULL when empty. */
static const char *
cin_val(struct csvin *ci, int i)
{
	const char	*v;

	if (ci->col[i] < 0)
		return NULL;
	v = csvread_field(ci->cr, ci->col[i]);
	return *v != '\0' ? v : NULL;
}

/* The field index of the column called name ("" none): for errors. */
static int
cin_field_of(struct csvin *ci, const char *name)
{
	int	 i;

	for (i = 0; name != NULL && i < CIN_COLS; i++)
		if (cin_names[ci->kind][i] != NULL &&
		    strcmp(cin_names[ci->kind][i], name) == 0)
			return ci->col[i];
	return -1;
}

static void
cin_header(struct csvin *ci)
{
	int	 i, f, nf = csvread_nfields(ci->cr);

	for (i = 0; i < CIN_COLS; i++)
		ci->col[i] = -1;
	for (f = 0; f < nf; f++)
		for (i = 0; i < CIN_COLS; i++)
			if (cin_names[ci->kind][i] != NULL &&
			    strcasecmp(util_trim(csvread_field(ci->cr, f)),
			    cin_names[ci->kind][i]) == 0)
				ci->col[i] = f;
	/* "phone" for one number, "text_lv" for the Latvian text. */
	for (f = 0; f < nf; f++) {
		if (ci->kind == CIN_MERCHANTS && ci->col[1] == -1 &&
		    strcasecmp(csvread_field(ci->cr, f), "phone") == 0)
			ci->col[1] = f;
		if (ci->kind == CIN_OFFERS && ci->col[2] == -1 &&
		    strcasecmp(csvread_field(ci->cr, f), "text_lv") == 0)
			ci->col[2] = f;
	}
	for (i = 0; i < (ci->kind == CIN_MERCHANTS ? 2 : 3); i++)
		if (ci->col[i] == -1)
			cin_error(ci, -1, _("the header has no column '%s' "
			    "(columns: %s)"), cin_names[ci->kind][i],
			    ci->kind == CIN_MERCHANTS ?
			    "name,phones,territory,address" :
			    "merchant,group,text,text_en,from,to");
}

static void
cin_row(struct csvin *ci)
{
	struct card_merchant_spec ms;
	struct card_offer_spec	 os;
	const char		*field = NULL;
	char			 err[CARD_ERR_SIZE];
	int64_t			 rc;
	int			 f;

	ci->res->rows++;
	for (f = 0; f < csvread_nfields(ci->cr); f++)
		if (strlen(csvread_field(ci->cr, f)) > CIN_FIELD_MAX) {
			cin_error(ci, f, _("longer than %d bytes"),
			    CIN_FIELD_MAX);
			return;
		}
	if (ci->kind == CIN_MERCHANTS) {
		memset(&ms, 0, sizeof(ms));
		ms.name = cin_val(ci, 0);
		ms.phones = cin_val(ci, 1);
		ms.territory = cin_val(ci, 2);
		ms.address = cin_val(ci, 3);
		ms.active = 1;
		rc = merchant_put(ci->s, &ms, &field, err, sizeof(err));
	} else {
		memset(&os, 0, sizeof(os));
		os.merchant = cin_val(ci, 0);
		os.group = cin_val(ci, 1);
		os.text_lv = cin_val(ci, 2);
		os.text_en = cin_val(ci, 3);
		os.from = cin_val(ci, 4);
		os.to = cin_val(ci, 5);
		rc = offer_put(ci->s, ci->actor, &os, &field, err,
		    sizeof(err));
	}
	if (rc == -2) {
		fprintf(ci->errout, "%s:%d: %s\n", ci->path, ci->line, err);
		ci->res->errors++;
		ci->fatal = 1;
	} else if (rc < 0)
		cin_error(ci, cin_field_of(ci, field), "%s", err);
	else
		ci->res->added++;
}

/* Each record: the first the header, blank ones no rows. */
static void
cin_record(void *arg, struct csvread *cr)
{
	struct csvin	*ci = arg;

	if (ci->fatal)
		return;
	ci->line = csvread_record_line(cr);
	if (!ci->header_done) {
		cin_header(ci);
		ci->header_done = 1;
		if (ci->res->errors > 0)
			ci->fatal = 1;
	} else if (!(csvread_nfields(cr) == 1 &&
	    *csvread_field(cr, 0) == '\0'))
		cin_row(ci);	/* a blank line is no row */
}

static int
cin_import(struct store *s, const char *actor, const char *path,
    enum cin_kind kind, FILE *errout, struct card_import_result *res,
    char *err, size_t errsize)
{
	struct csvin		*ci;
	struct csvread_opts	 co;
	enum csvread_status	 st = CSVREAD_EOF;
	char			 detail[256];
	int			 ret = -1;
	FILE			*fp;

	memset(res, 0, sizeof(*res));
	if ((fp = fopen(path, "r")) == NULL) {
		(void)util_snprintf(err, errsize,
		    "%s: %s", path, strerror(errno));
		return -1;
	}
	ci = xcalloc(1, sizeof(*ci));
	ci->s = s;
	ci->actor = actor;
	ci->path = path;
	ci->errout = errout;
	ci->kind = kind;
	ci->res = res;
	memset(&co, 0, sizeof(co));
	co.detect_delim = 1;
	co.max_fields = CIN_COLS;	/* the columns beyond are ignored */
	co.max_record = CIN_RECORD_MAX;
	co.record = cin_record;
	co.arg = ci;
	ci->cr = csvread_new(fp, &co);
	if (store_begin(s) == -1) {
		(void)util_snprintf(err, errsize,
		    _("database error: %s"), store_errmsg(s));
		goto out;
	}
	while (!ci->fatal && (st = csvread_next(ci->cr)) == CSVREAD_LINE)
		;
	if (st == CSVREAD_EREAD) {
		ci->line = csvread_record_line(ci->cr);
		cin_error(ci, -1, "%s: %s", _("read error"), strerror(errno));
		ci->fatal = 1;
	} else if (st != CSVREAD_LINE && st != CSVREAD_EOF) {
		/* Past repair: the file is not the CSV it claims. */
		ci->line = csvread_line(ci->cr);
		cin_error(ci, -1, "%s", _("not a CSV line (a NUL byte, "
		    "a stray quote, or too long)"));
		ci->fatal = 1;
	}
	if (!ci->fatal && csvread_finish(ci->cr) == -1) {
		ci->line = csvread_record_line(ci->cr);
		cin_error(ci, -1, "%s", _("a quoted field is not closed "
		    "before the end of the file"));
	}
	if (!ci->header_done && res->errors == 0) {
		ci->line = 1;
		cin_error(ci, -1, "%s", _("the file is empty"));
	}
	if (res->errors > 0) {
		store_rollback(s);
		(void)util_snprintf(err, errsize,
		    ngettext("%s: %zu error; nothing was "
		    "imported", "%s: %zu errors; nothing was imported",
		    res->errors), path, res->errors);
		goto out;
	}
	(void)util_snprintf(detail, sizeof(detail), "%s added=%zu",
	    kind == CIN_MERCHANTS ? "merchants" : "offers", res->added);
	if (store_audit(s, actor, kind == CIN_MERCHANTS ? "merchant import" :
	    "offer import", detail) == -1 || store_commit(s) == -1) {
		(void)store_abort(s, err, errsize);
		goto out;
	}
	ret = 0;
out:
	csvread_free(ci->cr);
	(void)fclose(fp);
	free(ci);
	return ret;
}

int
card_import_merchants(struct store *s, const char *actor, const char *path,
    FILE *errout, struct card_import_result *res, char *err, size_t errsize)
{
	return cin_import(s, actor, path, CIN_MERCHANTS, errout, res, err,
	    errsize);
}

int
card_import_offers(struct store *s, const char *actor, const char *path,
    FILE *errout, struct card_import_result *res, char *err, size_t errsize)
{
	return cin_import(s, actor, path, CIN_OFFERS, errout, res, err,
	    errsize);
}
