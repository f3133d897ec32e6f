/*
 * services: resident services over the store. Every answer is scoped by a
 * caller — the residents behind one phone or one kiosk sign-in — so a
 * channel cannot ask about somebody else by construction: the queries take
 * resident ids from the caller, never from the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "fees.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "outbox.h"
#include "payments.h"
#include "preschool.h"
#include "residents.h"
#include "services.h"
#include "smstext.h"
#include "store.h"
#include "util.h"

/*
 * Base letters of U+00C0-U+00FF and U+0100-U+017F; '.' marks what is not
 * a letter (× ÷). Latvian needs ā č ē ģ ī ķ ļ ņ š ū ž; the rest costs
 * nothing and lets a Lithuanian or Estonian keyboard through.
 */
static const char fold_latin1[] =
    "aaaaaaaceeeeiiiidnooooo.ouuuuyts"
    "aaaaaaaceeeeiiiidnooooo.ouuuuyty";
static const char fold_latin_a[] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllll"
    "nnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

_Static_assert(sizeof(fold_latin1) == 64 + 1, "fold_latin1");
_Static_assert(sizeof(fold_latin_a) == 128 + 1, "fold_latin_a");

char
services_fold_char(const char *in, size_t len, size_t *adv)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned	 cp;
	char		 c;

	*adv = 1;
	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		if (s[0] >= 'A' && s[0] <= 'Z')
			return (char)(s[0] - 'A' + 'a');
		if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9'))
			return (char)s[0];
		return 0;
	}
	/* Only two-byte sequences can be letters we fold. */
	if (s[0] >= 0xc2 && s[0] <= 0xdf && len >= 2 &&
	    (s[1] & 0xc0) == 0x80) {
		*adv = 2;
		cp = ((unsigned)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		c = 0;
		if (cp >= 0xc0 && cp <= 0xff)
			c = fold_latin1[cp - 0xc0];
		else if (cp >= 0x100 && cp <= 0x17f)
			c = fold_latin_a[cp - 0x100];
		return c == '.' ? 0 : c;
	}
	/* Skip a whole sequence so a separator is never half a character. */
	while (*adv < len && (s[*adv] & 0xc0) == 0x80 && *adv < 4)
		(*adv)++;
	return 0;
}

int
services_fold(const char *in, size_t len, char *out, size_t size)
{
	size_t	 i = 0, o = 0, adv;
	int	 sep = 0;
	char	 c;

	if (size == 0)
		return -1;
	while (i < len) {
		c = services_fold_char(in + i, len - i, &adv);
		i += adv;
		if (c == 0) {
			sep = o > 0;
			continue;
		}
		if (o + (size_t)sep + 1 >= size) {
			out[o] = '\0';
			return -1;
		}
		if (sep)
			out[o++] = ' ';
		sep = 0;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static int
db_fail(struct store *s, const char *what)
{
	log_warnx("services: %s: %s", what, store_errmsg(s));
	return -1;
}

static const char *
answer_lang(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0 ? "en" : "lv";
}

_Static_assert(SERVICES_RESIDENTS_MAX == RESIDENTS_SET_MAX,
    "one phone's residents are one set");

int
services_caller_by_phone(struct store *s, const char *phone,
    struct services_caller *c)
{
	enum ident_phone_kind kind;
	const char	*errstr;
	char		 lang[8];
	int		 more;

	memset(c, 0, sizeof(*c));
	(void)util_strlcpy(c->lang, "lv", sizeof(c->lang));
	if (phone == NULL || strlen(phone) > 32 ||
	    ident_phone_parse(phone, c->phone, &kind, &errstr) == -1) {
		c->phone[0] = '\0';
		return 1;
	}
	if (residents_by_phone(s, c->phone, c->resident,
	    SERVICES_RESIDENTS_MAX, &c->nresidents, &more, lang,
	    sizeof(lang)) == -1)
		return db_fail(s, "caller");
	/* A shared office phone: the first ones answer. */
	if (more)
		log_warnx("services: more than %d residents share one phone",
		    SERVICES_RESIDENTS_MAX);
	if (c->nresidents > 0)
		(void)util_strlcpy(c->lang, answer_lang(lang),
		    sizeof(c->lang));
	return 0;
}

int
services_caller_by_resident(struct store *s, int64_t id,
    struct services_caller *c)
{
	char		 lang[8];
	int		 rc;

	memset(c, 0, sizeof(*c));
	(void)util_strlcpy(c->lang, "lv", sizeof(c->lang));
	if ((rc = residents_get(s, id, lang, sizeof(lang), c->phone,
	    sizeof(c->phone))) == -1)
		return db_fail(s, "caller");
	if (rc == 1)
		return 1;
	c->resident[0] = id;
	c->nresidents = 1;
	(void)util_strlcpy(c->lang, answer_lang(lang), sizeof(c->lang));
	return 0;
}

/* "Given F.": the family name never leaves as more than its initial. */
static void
child_display(const char *given, const char *family, char *buf, size_t size)
{
	char	 initial[8];
	size_t	 n = 1;

	initial[0] = '\0';
	if (family != NULL && family[0] != '\0') {
		while (family[n] != '\0' &&
		    ((unsigned char)family[n] & 0xc0) == 0x80 && n < 4)
			n++;
		memcpy(initial, family, n);
		initial[n] = '\0';
	}
	(void)util_strlcpy_utf8(buf, given, size - (initial[0] ? n + 3 : 0));
	if (initial[0] != '\0') {
		n = strlen(buf);
		(void)snprintf(buf + n, size - n, " %s.", initial);
	}
}

static void
queue_place(void *arg, const struct preschool_place *p)
{
	struct services_queue *q = arg;
	struct services_queue_entry *e;

	if (q->n == SERVICES_QUEUE_MAX) {
		q->more = 1;
		return;
	}
	e = &q->e[q->n++];
	e->id = p->id;
	child_display(p->given_name, p->family_name, e->child,
	    sizeof(e->child));
	(void)util_strlcpy_utf8(e->institution, p->institution,
	    sizeof(e->institution));
	(void)util_strlcpy_utf8(e->desired_start, p->desired_start,
	    sizeof(e->desired_start));
	(void)util_strlcpy_utf8(e->start_year, e->desired_start,
	    sizeof(e->start_year));
	e->priority = p->priority;
	(void)util_strlcpy_utf8(e->priority_name, p->priority_name,
	    sizeof(e->priority_name));
	e->position = p->position;
	e->total = p->total;
}

int
services_queue(struct store *s, const struct services_caller *c,
    struct services_queue *q)
{
	memset(q, 0, sizeof(*q));
	if (c->nresidents == 0)
		return 0;
	/* One more than is shown: whether there are more. */
	if (preschool_places(s, c->resident, c->nresidents,
	    answer_lang(i18n_lang()), SERVICES_QUEUE_MAX + 1, queue_place,
	    q) == -1)
		return db_fail(s, "queue");
	return 0;
}

static void
fee_shown(void *arg, const struct fees_unpaid *u)
{
	struct services_fees *fs = arg;
	struct services_fee *f;
	char		 today[11];

	if (fs->n == SERVICES_FEES_MAX)
		return;
	f = &fs->f[fs->n++];
	f->id = u->id;
	f->resident_id = u->resident_id;
	(void)util_strlcpy_utf8(f->kind, u->kind, sizeof(f->kind));
	(void)util_strlcpy_utf8(f->kind_name, fees_kind_name(f->kind),
	    sizeof(f->kind_name));
	(void)util_strlcpy_utf8(f->period, u->period, sizeof(f->period));
	f->owed_cents = u->owed_cents;
	(void)util_strlcpy_utf8(f->due_date, u->due_date, sizeof(f->due_date));
	clock_date(clock_now(), today, sizeof(today));
	f->overdue = strcmp(f->due_date, today) < 0;
	(void)util_strlcpy_utf8(f->reference, u->reference,
	    sizeof(f->reference));
	/* An imported own reference might be somebody's code. */
	if (strncmp(f->reference, "RF", 2) != 0)
		(void)log_scrub(f->reference);
	fs->count = (size_t)u->count;
	fs->total_owed_cents = u->total_cents;
}

int
services_fees(struct store *s, const struct config *cfg,
    const struct services_caller *c, struct services_fees *fs)
{
	struct payments_payee payee;
	size_t		 i;

	memset(fs, 0, sizeof(*fs));
	/* The name the QR code carries in full, from the same place. */
	payments_payee_from_config(cfg, &payee);
	(void)util_strlcpy(fs->iban, payee.iban, sizeof(fs->iban));
	(void)util_strlcpy_utf8(fs->beneficiary, payee.name,
	    sizeof(fs->beneficiary));
	if (c->nresidents == 0)
		return 0;
	if (fees_unpaid(s, c->resident, c->nresidents, SERVICES_FEES_MAX,
	    fee_shown, fs) == -1)
		return db_fail(s, "fees");
	/* Fees imported before references were made get theirs on first use. */
	for (i = 0; i < fs->n; i++)
		if (fs->f[i].reference[0] == '\0' && fees_set_reference(s,
		    fs->f[i].id, fs->f[i].reference,
		    sizeof(fs->f[i].reference)) == -1)
			return db_fail(s, "fee reference");
	return 0;
}

static int
load_topics(struct store *s, struct services_topics *ts)
{
	struct services_topic *t;
	struct store_cur *c = store_cur(s, ST_SVC_TOPICS);
	int		 rc, en = strcmp(answer_lang(i18n_lang()), "en") == 0;

	memset(ts, 0, sizeof(*ts));
	if (store_bind(c, "i", SERVICES_TOPICS_MAX) != STORE_OK)
		return db_fail(s, "topics");
	while ((rc = store_step(c)) == STORE_ROW &&
	    ts->n < SERVICES_TOPICS_MAX) {
		t = &ts->t[ts->n++];
		t->id = store_i64(c, 0);
		store_text(c, 1, t->code, sizeof(t->code));
		store_text(c, en ? 3 : 2, t->name, sizeof(t->name));
		t->emergency = store_int(c, 4) != 0;
		/* Until the rows are read: the default. */
		t->subscribed = t->emergency || store_int(c, 5) != 0;
	}
	store_reset(c);
	if (rc < 0)
		return db_fail(s, "topics");
	return 0;
}

int
services_topics(struct store *s, const struct services_caller *c,
    struct services_topics *ts)
{
	struct services_topics def;
	struct store_cur *cur;
	int		 on[SERVICES_TOPICS_MAX], rc;
	size_t		 i, r;
	int64_t		 tid;

	if (load_topics(s, ts) == -1)
		return -1;
	def = *ts;
	for (i = 0; i < ts->n; i++)
		ts->t[i].subscribed = ts->t[i].emergency;
	if (c->nresidents == 0)
		return 0;
	/* Subscribed when any of the phone's residents is. */
	for (r = 0; r < c->nresidents; r++) {
		for (i = 0; i < ts->n; i++)
			on[i] = def.t[i].subscribed;
		cur = store_cur(s, ST_SVC_SUBSCRIPTIONS);
		if (store_bind(cur, "I", c->resident[r]) != STORE_OK)
			return db_fail(s, "subscriptions");
		while ((rc = store_step(cur)) == STORE_ROW) {
			tid = store_i64(cur, 0);
			for (i = 0; i < ts->n; i++)
				if (ts->t[i].id == tid && !ts->t[i].emergency)
					on[i] = store_int(cur, 1) != 0;
		}
		store_reset(cur);
		if (rc < 0)
			return db_fail(s, "subscriptions");
		for (i = 0; i < ts->n; i++)
			ts->t[i].subscribed |= on[i];
	}
	return 0;
}

/* 2 exact, 1 prefix, 0 no match of folded query q against text. */
static int
topic_match(const char *q, size_t qlen, const char *text)
{
	char	 f[SERVICES_NAME_SIZE];

	if (services_fold(text, strlen(text), f, sizeof(f)) == -1)
		return 0;
	if (strcmp(f, q) == 0)
		return 2;
	if (qlen >= 3 && strncmp(f, q, qlen) == 0)
		return 1;
	return 0;
}

int
services_topic_find(struct store *s, const char *query,
    struct services_topic *out)
{
	struct services_topic t, prefix;
	struct store_cur *c;
	char		 q[SERVICES_NAME_SIZE];
	size_t		 qlen, prefix_hits = 0;
	int		 m, best, k, rc, en;

	if (query == NULL || services_fold(query, strlen(query), q,
	    sizeof(q)) == -1 || q[0] == '\0')
		return 1;
	qlen = strlen(q);
	en = strcmp(answer_lang(i18n_lang()), "en") == 0;
	c = store_cur(s, ST_SVC_TOPICS);
	if (store_bind(c, "i", SERVICES_TOPICS_MAX) != STORE_OK)
		return db_fail(s, "topics");
	while ((rc = store_step(c)) == STORE_ROW) {
		/* Code and both names, whatever the caller's language. */
		best = 0;
		for (k = 1; k <= 3; k++) {
			m = topic_match(q, qlen, store_str(c, k));
			if (m > best)
				best = m;
		}
		if (best == 0)
			continue;
		memset(&t, 0, sizeof(t));
		t.id = store_i64(c, 0);
		store_text(c, 1, t.code, sizeof(t.code));
		store_text(c, en ? 3 : 2, t.name, sizeof(t.name));
		t.emergency = store_int(c, 4) != 0;
		t.subscribed = t.emergency || store_int(c, 5) != 0;
		if (best == 2) {
			store_reset(c);
			*out = t;
			return 0;
		}
		prefix = t;
		prefix_hits++;
	}
	store_reset(c);
	if (rc < 0)
		return db_fail(s, "topics");
	if (prefix_hits != 1)
		return 1;
	*out = prefix;
	return 0;
}

static int
cancel_broadcasts(struct store *s, const char *phone, const char *topic,
    int64_t *cancelled)
{
	if (store_do(s, ST_SVC_CANCEL_BROADCASTS, "sts", phone, clock_now(),
	    topic) != STORE_OK)
		return -1;
	if (cancelled != NULL)
		*cancelled = store_changes(s);
	return 0;
}

int
services_subscribe(struct store *s, const struct services_caller *c,
    const char *query, int on, struct services_topic *out)
{
	struct services_topic t;
	size_t		 r;
	int		 rc;

	if (c->nresidents == 0)
		return SERVICES_SUB_NOT_REGISTERED;
	if ((rc = services_topic_find(s, query, &t)) != 0)
		return rc == 1 ? SERVICES_SUB_NO_TOPIC : -1;
	if (out != NULL)
		*out = t;
	if (t.emergency && !on)
		return SERVICES_SUB_EMERGENCY;
	if (store_begin(s) == -1)
		return -1;
	for (r = 0; r < c->nresidents; r++) {
		if (store_do(s, ST_SVC_SUBSCRIBE, "IIit", c->resident[r],
		    t.id, on != 0, clock_now()) != STORE_OK ||
		    store_do(s, ST_SVC_STOP_LEFT_FORGET, "II", c->resident[r],
		    t.id) != STORE_OK)
			goto fail;
	}
	if (!on && c->phone[0] != '\0' &&
	    cancel_broadcasts(s, c->phone, t.code, NULL) == -1)
		goto fail;
	if (store_commit(s) == -1)
		return -1;
	if (out != NULL)
		out->subscribed = on != 0;
	return SERVICES_SUB_OK;
fail:
	store_rollback(s);
	return db_fail(s, "subscribe");
}

int
services_stop_all(struct store *s, const struct services_caller *c,
    int64_t *cancelled)
{
	size_t		 r;

	if (cancelled != NULL)
		*cancelled = 0;
	if (store_begin(s) == -1)
		return -1;
	for (r = 0; r < c->nresidents; r++) {
		if (store_do(s, ST_SVC_STOP_LEFT_NOTE, "I",
		    c->resident[r]) != STORE_OK ||
		    store_do(s, ST_SVC_UNSUBSCRIBE_ALL, "It", c->resident[r],
		    clock_now()) != STORE_OK)
			goto fail;
	}
	if (c->phone[0] != '\0' &&
	    cancel_broadcasts(s, c->phone, NULL, cancelled) == -1)
		goto fail;
	if (store_commit(s) == -1)
		return -1;
	return 0;
fail:
	store_rollback(s);
	return db_fail(s, "stop");
}

int
services_start_all(struct store *s, const struct services_caller *c,
    int64_t *restored)
{
	size_t		 r;

	*restored = 0;
	if (store_begin(s) == -1)
		return -1;
	for (r = 0; r < c->nresidents; r++) {
		if (store_do(s, ST_SVC_RESUBSCRIBE_STOPPED, "It",
		    c->resident[r], clock_now()) != STORE_OK)
			goto fail;
		*restored += store_changes(s);
		if (store_do(s, ST_SVC_STOP_LEFT_CLEAR, "I",
		    c->resident[r]) != STORE_OK)
			goto fail;
	}
	if (store_commit(s) == -1)
		return -1;
	return 0;
fail:
	store_rollback(s);
	return db_fail(s, "start");
}

/* The next number of counter name, inside the caller's transaction. */
static int
counter_next(struct store *s, const char *name, int64_t *v)
{
	struct store_cur *c = store_cur(s, ST_SVC_COUNTER_NEXT);
	int		 rc;

	if (store_bind(c, "s", name) != STORE_OK)
		return -1;
	rc = store_step(c);
	if (rc == STORE_ROW)
		*v = store_i64(c, 0);
	/* RETURNING: the change is made when the statement finishes. */
	while (rc == STORE_ROW)
		rc = store_step(c);
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

/*
 * What the duty officer reads: Latvian, the case, the phone to call back
 * and as much of the text as fits the segment limit (the whole text is in
 * the database).
 */
static int
forward_police(struct store *s, const struct services_caller *c,
    const char *case_no, const char *text, size_t len, const char *duty)
{
	struct smstext_opts	 o;
	struct smstext_info	 info;
	struct outbox_msg	 m;
	char			 msg[OUTBOX_TEXT_MAX + 1], head[128], *body;
	char			 saved[8], num[64];
	const char		*errstr, *p, *comma;
	enum ident_phone_kind	 kind;
	char			 e164[IDENT_PHONE_SIZE];
	size_t			 hl, n, cut = 0;
	int			 sent = 0;

	(void)util_strlcpy(saved, i18n_lang(), sizeof(saved));
	(void)i18n_set_lang("lv");
	(void)util_snprintf(head, sizeof(head), _("Police report %s from %s: "),
	    case_no, c->phone[0] != '\0' ? c->phone : _("unknown number"));
	(void)i18n_set_lang(saved);
	hl = strlen(head);
	/*
	 * An SMS is no place for a personal code a resident typed: the duty
	 * officer finds the text whole in the database.
	 */
	body = xstrndup(text, len);
	(void)log_scrub(body);
	text = body;
	memset(&o, 0, sizeof(o));
	o.policy = SMSTEXT_AUTO;
	/* Longest prefix of the text that keeps to the default limit. */
	for (n = len;; n = cut) {
		if (hl + n < sizeof(msg)) {
			memcpy(msg, head, hl);
			memcpy(msg + hl, text, n);
			msg[hl + n] = '\0';
			if (smstext_analyze(msg, hl + n, &o, &info, &errstr) ==
			    0 && info.segments <= SMSTEXT_SEGMENTS_DEFAULT)
				break;
		}
		if (n == 0)
			break;
		/* Drop about a tenth, at a character boundary. */
		cut = n - (n / 10 > 0 ? n / 10 : 1);
		while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
			cut--;
	}
	for (p = duty; p != NULL && *p != '\0'; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof(num))
			continue;
		memcpy(num, p, n);
		num[n] = '\0';
		/* A bad duty number must not lose the report. */
		if (ident_phone_parse(num, e164, &kind, &errstr) == -1 ||
		    kind == IDENT_PHONE_LV_FIXED) {
			log_warnx("services: police_duty_numbers: a number "
			    "that cannot take SMS");
			continue;
		}
		memset(&m, 0, sizeof(m));
		m.phone = e164;
		m.text = msg;
		m.priority = SERVICES_POLICE_PRIORITY;
		if (outbox_enqueue(s, &m, &errstr) == -1) {
			log_warnx("services: police report %s: %s", case_no,
			    errstr);
			free(body);
			return -1;
		}
		sent++;
	}
	free(body);
	if (sent == 0)
		log_warnx("services: police report %s went to no duty number",
		    case_no);
	return 0;
}

/*
 * The case number, to the caller's own phone, in the caller's language:
 * the words the SMS channel answers with, so that one report reads the
 * same whichever way it came. Nothing of the report's text goes with it.
 * A number that cannot take it (a fixed line) must not lose the report.
 */
static void
confirm_case(struct store *s, const struct services_caller *c,
    const char *case_no, int police)
{
	struct outbox_msg	 m;
	char			 msg[256], saved[8];
	const char		*errstr;

	(void)util_strlcpy(saved, i18n_lang(), sizeof(saved));
	(void)i18n_set_lang(c->lang[0] != '\0' ? c->lang : "lv");
	(void)util_snprintf(msg, sizeof(msg), police ?
	    _("Police report received, case %s. In an emergency call 112.") :
	    _("Application received, no. %s."), case_no);
	(void)i18n_set_lang(saved);
	memset(&m, 0, sizeof(m));
	m.phone = c->phone;
	m.text = msg;
	m.priority = SERVICES_CONFIRM_PRIORITY;
	m.resident_id = c->nresidents > 0 ? c->resident[0] : 0;
	if (outbox_enqueue(s, &m, &errstr) == -1)
		log_warnx("services: report %s: the case number SMS: %s",
		    case_no, errstr);
}

/* A category code: 1 to 32 of a-z and '_'; NULL (other) too. */
static int
category_ok(const char *cat)
{
	size_t	 i;

	if (cat == NULL)
		return 1;
	for (i = 0; cat[i] != '\0'; i++)
		if ((cat[i] < 'a' || cat[i] > 'z') && cat[i] != '_')
			return 0;
	return i > 0 && i <= 32;
}

int
services_report_file(struct store *s, const struct services_caller *c,
    const struct services_report *rp, char case_no[SERVICES_CASE_NO_SIZE],
    const char **errstr)
{
	struct store_cur *cur;
	struct tm	 tm;
	time_t		 now = clock_now();
	char		 counter[48], *text;
	const char	*kind;
	size_t		 b = 0, e = rp->len;
	int64_t		 v = 0;
	int		 police = rp->kind == SERVICES_REPORT_POLICE;

	case_no[0] = '\0';
	if (!category_ok(rp->category)) {
		*errstr = N_("the report's category is not known");
		return 1;
	}
	/* Blanks around the text are not part of it. */
	while (b < e && (rp->text[b] == ' ' || rp->text[b] == '\t' ||
	    rp->text[b] == '\r' || rp->text[b] == '\n'))
		b++;
	while (e > b && (rp->text[e - 1] == ' ' || rp->text[e - 1] == '\t' ||
	    rp->text[e - 1] == '\r' || rp->text[e - 1] == '\n'))
		e--;
	if (e == b) {
		*errstr = N_("the text is empty");
		return 1;
	}
	if (e - b > SERVICES_REPORT_BYTES_MAX) {
		*errstr = N_("the text is longer than 1000 characters");
		return 1;
	}
	if (!util_utf8_valid(rp->text + b, e - b)) {
		*errstr = N_("the text is not valid UTF-8");
		return 1;
	}
	text = xstrndup(rp->text + b, e - b);
	if (util_utf8_len(text) > SERVICES_REPORT_TEXT_MAX) {
		free(text);
		*errstr = N_("the text is longer than 1000 characters");
		return 1;
	}
	/* The case number's year is the municipality's. */
	clock_local(now, &tm);
	kind = police ? "police" : "application";
	(void)util_snprintf(counter, sizeof(counter), "case:%s:%04d", kind,
	    tm.tm_year + 1900);
	if (store_begin(s) == -1) {
		free(text);
		*errstr = N_("database error");
		return -1;
	}
	if (counter_next(s, counter, &v) == -1)
		goto fail;
	(void)util_snprintf(case_no, SERVICES_CASE_NO_SIZE, "%c-%04d-%06lld",
	    police ? 'P' : 'I', tm.tm_year + 1900, (long long)v);
	/* ?3 the resident: NULL (as cleared) for an unregistered caller. */
	cur = store_cur(s, ST_SVC_REPORT_INSERT);
	if (store_bind(cur, "ss-zssts", case_no, kind, c->phone,
	    rp->channel ? rp->channel : "sms", text, now,
	    rp->category != NULL ? rp->category : "other") != STORE_OK ||
	    (c->nresidents > 0 && store_bind_at(cur, 3, "I",
	    c->resident[0]) != STORE_OK) || store_run(cur) != STORE_OK)
		goto fail;
	if (police && forward_police(s, c, case_no, text, strlen(text),
	    rp->duty_numbers) == -1)
		goto fail;
	if (rp->confirm_sms && c->phone[0] != '\0')
		confirm_case(s, c, case_no, police);
	if (store_commit(s) == -1) {
		free(text);
		case_no[0] = '\0';
		*errstr = N_("database error");
		return -1;
	}
	free(text);
	log_info("services: %s report %s filed by %s", kind, case_no,
	    rp->channel ? rp->channel : "sms");
	return 0;
fail:
	(void)db_fail(s, "report");
	store_rollback(s);
	free(text);
	case_no[0] = '\0';
	*errstr = N_("database error");
	return -1;
}
