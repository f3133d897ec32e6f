/*
 * topics: the standard set, and the checks that keep a configured topic
 * reachable by SMS (START/STOP <code>), the emergency topic single and
 * permanent, and a removal from leaving a broadcast, a queued message or
 * a group rule pointing at nothing.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "reminders.h"
#include "rule.h"
#include "services.h"
#include "store.h"
#include "topics.h"
#include "util.h"
#include "words.h"

_Static_assert(TOPICS_MAX == SERVICES_TOPICS_MAX, "TEMAS lists them all");
_Static_assert(TOPICS_NAME_SIZE <= SERVICES_NAME_SIZE, "names fit");

/*
 * The standard set, in the order (and so with the ids) the demo has always
 * made them. A resident types the code on a basic phone.
 */
static const struct {
	const char	*code;
	const char	*lv;
	const char	*en;
	int		 default_on;
	int		 emergency;
} standard[] = {
	{ "arkartas", "Ārkārtas paziņojumi", "Emergency alerts", 1, 1 },
	{ "pii", "Pirmsskolas rinda", "Preschool queue", 1, 0 },
	{ "nodokli", "Nodokļi un maksājumi", "Taxes and payments", 1, 0 },
	{ "atkritumi", "Atkritumu izvešana", "Waste collection", 0, 0 },
	{ "kultura", "Kultūras pasākumi", "Culture and events", 0, 0 },
	{ "celi", "Ceļi un satiksme", "Roads and traffic", 0, 0 },
	{ "receipts", "Maksājumu apstiprinājumi", "Payment receipts", 1, 0 },
	/* [broadcast] default_topic: broadcasts sent without a topic. */
	{ "pazinojumi", "Paziņojumi", "Announcements", 1, 0 },
};

/* Codes the programs send under by name: removing one silences them. */
static const char *sent_by_code[] = {
	"receipts",		/* payment receipts (payments.c) */
	REMINDERS_TOPIC,	/* tax and fee reminders */
	"pii",			/* queue news (reminders.c QUEUE_TOPIC) */
};

static int
db_err(struct store *s, char *err, size_t errsize)
{
	(void)util_snprintf(err, errsize,
	    "%s: %s", _("database error"), store_errmsg(s));
	return -1;
}

int
topics_count(struct store *s, int64_t *n, int64_t *emergency)
{
	struct store_cur	*c = store_cur(s, ST_TOPICS_COUNT);

	if (store_step(c) != STORE_ROW) {
		store_reset(c);
		return -1;
	}
	if (n != NULL)
		*n = store_i64(c, 0);
	if (emergency != NULL)
		*emergency = store_i64(c, 1);
	store_reset(c);
	return 0;
}

int
topics_seed(struct store *s, int *added)
{
	int64_t		 nemerg;
	size_t		 i;
	int		 n = 0;

	if (added != NULL)
		*added = 0;
	if (store_begin(s) == -1)
		return -1;
	if (topics_count(s, NULL, &nemerg) == -1)
		goto fail;
	for (i = 0; i < nitems(standard); i++) {
		/* One emergency topic: a database may have named its own. */
		if (standard[i].emergency && nemerg > 0)
			continue;
		if (store_do(s, ST_TOPICS_SEED, "sssii", standard[i].code,
		    standard[i].lv, standard[i].en, standard[i].default_on,
		    standard[i].emergency) != STORE_OK)
			goto fail;
		n += (int)store_changes(s);
	}
	if (store_commit(s) == -1)
		return -1;
	if (added != NULL)
		*added = n;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int
topics_code_valid(const char *code, char *err, size_t errsize)
{
	size_t		 i, n;

	if (code == NULL || (n = strlen(code)) == 0 ||
	    n >= TOPICS_CODE_SIZE) {
		(void)util_snprintf(err, errsize,
		    _("a topic code has 1 to %d characters"),
		    TOPICS_CODE_SIZE - 1);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!((code[i] >= 'a' && code[i] <= 'z') ||
		    (i > 0 && ((code[i] >= '0' && code[i] <= '9') ||
		    code[i] == '_'))))
			break;
	if (i < n) {
		(void)util_snprintf(err, errsize,
		    _("topic code '%s': character %zu: a code "
		    "is lower-case a-z, digits and '_', starting with a "
		    "letter"), code, i + 1);
		return -1;
	}
	/*
	 * STOP <code> must name the topic. The SMS parser takes a plain
	 * a-z0-9_ word after STOP whole, so only the words that mean every
	 * topic stand in the way, and words.c tells both of us which.
	 */
	if (words_stop_all(code, n)) {
		(void)util_snprintf(err, errsize,
		    _("topic code '%s': \"STOP %s\" means "
		    "every topic, so it cannot name one"), code, code);
		return -1;
	}
	return 0;
}

static int
name_valid(const char *what, const char *name, char *err, size_t errsize)
{
	char	 f[TOPICS_NAME_SIZE];
	size_t	 i, n = strlen(name);

	if (n == 0 || n >= TOPICS_NAME_SIZE) {
		(void)util_snprintf(err, errsize,
		    _("%s: a topic name has 1 to %d bytes"),
		    what, TOPICS_NAME_SIZE - 1);
		return -1;
	}
	if (!util_utf8_valid(name, n)) {
		(void)util_snprintf(err, errsize,
		    _("%s: a topic name must be UTF-8"), what);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			(void)util_snprintf(err, errsize,
			    _("%s: a topic name holds no "
			    "control characters"), what);
			return -1;
		}
	/* A name with no letter or digit could never be typed after START. */
	if (services_fold(name, n, f, sizeof(f)) == -1 || f[0] == '\0') {
		(void)util_snprintf(err, errsize,
		    _("%s: a topic name needs a letter or "
		    "a digit"), what);
		return -1;
	}
	return 0;
}

/*
 * A resident names a topic by its code or either name, folded: no two
 * topics may share a folded word, or START would reach the wrong one.
 */
static int
clash(struct store *s, int64_t self, const char *const mine[3], char *err,
    size_t errsize)
{
	struct topics_info t[TOPICS_MAX];
	char		 a[TOPICS_NAME_SIZE], b[TOPICS_NAME_SIZE];
	const char	*theirs[3];
	size_t		 n, i, j, k;

	if (topics_list(s, t, nitems(t), &n) == -1)
		return db_err(s, err, errsize);
	for (i = 0; i < n; i++) {
		if (t[i].id == self)
			continue;
		theirs[0] = t[i].code;
		theirs[1] = t[i].name_lv;
		theirs[2] = t[i].name_en;
		for (j = 0; j < 3; j++) {
			if (services_fold(mine[j], strlen(mine[j]), a,
			    sizeof(a)) == -1)
				continue;
			for (k = 0; k < 3; k++)
				if (services_fold(theirs[k], strlen(theirs[k]),
				    b, sizeof(b)) == 0 && strcmp(a, b) == 0) {
					(void)util_snprintf(err, errsize,
					    _("'%s' is "
					    "already what topic '%s' is "
					    "called"), mine[j], t[i].code);
					return 1;
				}
		}
	}
	return 0;
}

/* The columns ST_TOPICS_GET and ST_TOPICS_LIST begin with, in order. */
static void
topic_row(struct store_cur *c, struct topics_info *t)
{
	memset(t, 0, sizeof(*t));
	t->id = store_i64(c, 0);
	store_text(c, 1, t->code, sizeof(t->code));
	store_text(c, 2, t->name_lv, sizeof(t->name_lv));
	store_text(c, 3, t->name_en, sizeof(t->name_en));
	t->default_on = store_int(c, 4) != 0;
	t->emergency = store_int(c, 5) != 0;
}

int
topics_get(struct store *s, const char *code, struct topics_info *t)
{
	struct store_cur	*c = store_cur(s, ST_TOPICS_GET);
	int			 rc;

	if (store_bind(c, "s", code) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		topic_row(c, t);
	}
	store_reset(c);
	if (rc == STORE_ROW)
		return 0;
	return rc == STORE_OK ? 1 : -1;
}

int
topics_list(struct store *s, struct topics_info *out, size_t max,
    size_t *n)
{
	struct store_cur	*c = store_cur(s, ST_TOPICS_LIST);
	struct topics_info	*t;
	int			 rc;

	*n = 0;
	while ((rc = store_step(c)) == STORE_ROW && *n < max) {
		t = &out[(*n)++];
		topic_row(c, t);
		t->opted_in = store_i64(c, 6);
		t->opted_out = store_i64(c, 7);
	}
	store_reset(c);
	return rc == STORE_OK || rc == STORE_ROW ? 0 : -1;
}

int
topics_add(struct store *s, const char *code, const char *name_lv,
    const char *name_en, int default_on, char *err, size_t errsize)
{
	struct topics_info t;
	const char	*mine[3] = { code, name_lv, name_en };
	int64_t		 n;
	int		 rc;

	if (topics_code_valid(code, err, errsize) == -1 ||
	    name_lv == NULL || name_valid("--name-lv", name_lv, err,
	    errsize) == -1 || name_en == NULL || name_valid("--name-en",
	    name_en, err, errsize) == -1)
		return 1;
	if (store_begin(s) == -1)
		return db_err(s, err, errsize);
	if ((rc = topics_get(s, code, &t)) != 1) {
		if (rc == 0) {
			(void)util_snprintf(err, errsize,
			    _("topic '%s' exists already"),
			    code);
			rc = 1;
		} else
			rc = db_err(s, err, errsize);
		goto out;
	}
	if (topics_count(s, &n, NULL) == -1) {
		rc = db_err(s, err, errsize);
		goto out;
	}
	if (n >= TOPICS_MAX) {
		(void)util_snprintf(err, errsize,
		    _("there are %d topics already, the most "
		    "a resident's TEMAS can list"), TOPICS_MAX);
		rc = 1;
		goto out;
	}
	if ((rc = clash(s, -1, mine, err, errsize)) != 0)
		goto out;
	if (store_do(s, ST_TOPICS_INSERT, "sssi", code, name_lv, name_en,
	    default_on != 0) != STORE_OK) {
		rc = db_err(s, err, errsize);
		goto out;
	}
	if (store_commit(s) == -1)
		return db_err(s, err, errsize);
	return 0;
out:
	store_rollback(s);
	return rc;
}

int
topics_set(struct store *s, const char *code, const char *name_lv,
    const char *name_en, int default_on, char *err, size_t errsize)
{
	struct topics_info t;
	const char	*mine[3];
	int		 rc;

	if ((name_lv != NULL && name_valid("--name-lv", name_lv, err,
	    errsize) == -1) || (name_en != NULL && name_valid("--name-en",
	    name_en, err, errsize) == -1))
		return 1;
	if (store_begin(s) == -1)
		return db_err(s, err, errsize);
	if ((rc = topics_get(s, code, &t)) != 0) {
		if (rc == 1)
			(void)util_snprintf(err, errsize,
			    _("no topic '%s'"), code);
		else
			rc = db_err(s, err, errsize);
		goto out;
	}
	if (name_lv != NULL)
		(void)util_strlcpy(t.name_lv, name_lv, sizeof(t.name_lv));
	if (name_en != NULL)
		(void)util_strlcpy(t.name_en, name_en, sizeof(t.name_en));
	if (default_on != -1)
		t.default_on = default_on != 0;
	/* Nobody can leave the emergency topic, so nobody starts outside. */
	if (t.emergency && !t.default_on) {
		(void)util_snprintf(err, errsize,
		    _("topic '%s' is the emergency topic: "
		    "everyone receives it"), code);
		rc = 1;
		goto out;
	}
	mine[0] = t.code;
	mine[1] = t.name_lv;
	mine[2] = t.name_en;
	if ((rc = clash(s, t.id, mine, err, errsize)) != 0)
		goto out;
	if (store_do(s, ST_TOPICS_UPDATE, "Issi", t.id, t.name_lv,
	    t.name_en, t.default_on) != STORE_OK) {
		rc = db_err(s, err, errsize);
		goto out;
	}
	if (store_commit(s) == -1)
		return db_err(s, err, errsize);
	return 0;
out:
	store_rollback(s);
	return rc;
}

/* 1 with err set when a rule group asks about the (now deleted) topic. */
static int
rules_use(struct store *s, const char *code, char *err, size_t errsize)
{
	struct store_cur *c = store_cur(s, ST_TOPICS_RULE_GROUPS);
	struct rule	*r;
	char		 name[128], rerr[256], needle[TOPICS_CODE_SIZE + 2];
	int		 rc, bad = 0;

	/* The topic is gone inside this transaction: check every rule. */
	(void)snprintf(needle, sizeof(needle), "'%s'", code);
	while (!bad && (rc = store_step(c)) == STORE_ROW) {
		store_text(c, 0, name, sizeof(name));
		if ((r = rule_parse(store_str(c, 1), rerr,
		    sizeof(rerr))) == NULL)
			continue;	/* broken before: not ours to judge */
		if (rule_check(s, r, NULL, NULL, rerr, sizeof(rerr)) == -1 &&
		    strstr(rerr, needle) != NULL)
			bad = 1;
		rule_free(r);
	}
	store_reset(c);
	if (bad) {
		(void)util_snprintf(err, errsize,
		    _("topic '%s' is used by the rule of "
		    "group '%s'"), code, name);
		return 1;
	}
	return rc == STORE_OK ? 0 : db_err(s, err, errsize);
}

int
topics_remove(struct store *s, const char *code, int64_t *dropped,
    char *err, size_t errsize)
{
	struct topics_info t;
	struct store_cur *c;
	int64_t		 bcasts, queued, subs;
	size_t		 i;
	int		 rc;

	if (dropped != NULL)
		*dropped = 0;
	if (store_begin(s) == -1)
		return db_err(s, err, errsize);
	if ((rc = topics_get(s, code, &t)) != 0) {
		if (rc == 1)
			(void)util_snprintf(err, errsize,
			    _("no topic '%s'"), code);
		else
			rc = db_err(s, err, errsize);
		goto out;
	}
	rc = 1;
	if (t.emergency) {
		(void)util_snprintf(err, errsize,
		    _("topic '%s' is the emergency topic and "
		    "cannot be removed"), code);
		goto out;
	}
	for (i = 0; i < nitems(sent_by_code); i++)
		if (strcmp(code, sent_by_code[i]) == 0) {
			(void)util_snprintf(err, errsize,
			    _("topic '%s' cannot be removed: "
			    "muni sends messages under it"), code);
			goto out;
		}
	c = store_cur(s, ST_TOPICS_USES);
	if (store_bind(c, "s", code) != STORE_OK ||
	    store_step(c) != STORE_ROW) {
		store_reset(c);
		rc = db_err(s, err, errsize);
		goto out;
	}
	bcasts = store_i64(c, 0);
	queued = store_i64(c, 1);
	store_reset(c);
	if (bcasts > 0 || queued > 0) {
		(void)util_snprintf(err, errsize,
		    _("topic '%s' is in use: broadcasts=%lld "
		    "queued=%lld"), code, (long long)bcasts, (long long)queued);
		goto out;
	}
	if (store_do(s, ST_TOPICS_SUBS_DELETE, "I", t.id) != STORE_OK) {
		rc = db_err(s, err, errsize);
		goto out;
	}
	subs = store_changes(s);
	if (store_do(s, ST_TOPICS_DELETE, "I", t.id) != STORE_OK) {
		rc = db_err(s, err, errsize);
		goto out;
	}
	if ((rc = rules_use(s, code, err, errsize)) != 0)
		goto out;
	if (store_commit(s) == -1)
		return db_err(s, err, errsize);
	if (dropped != NULL)
		*dropped = subs;
	return 0;
out:
	store_rollback(s);
	return rc;
}
