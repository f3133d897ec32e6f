/*
 * ussd: the menu state machine. A session row holds the screen and where
 * in its list the user is ("offset:shown:fee"); every answer re-reads the
 * data through common/services, so a screen shows what is true now and a
 * choice is checked against what the caller may see. Screens are built
 * to fit: a list shows as many items (at most five) as the encoding
 * leaves room for, and pages on with 9. Besides the queue, fees and
 * topics, the caller's discounts (where ATLAIDES sends when an SMS cannot
 * hold them) and own cases (as STATUSS tells them) are lists to look at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "cases.h"
#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "services.h"
#include "smstext.h"
#include "store.h"
#include "ussd.h"
#include "util.h"

#define LINE_SIZE	160
#define MAX2(a, b)	((a) > (b) ? (a) : (b))
#define OFFERS_MAX	CARD_OFFERS_MAX	/* offers the menu pages through */
#define LIST_MAX	MAX2(MAX2(SERVICES_TOPICS_MAX, SERVICES_FEES_MAX), \
			    MAX2(OFFERS_MAX, CASES_MINE_MAX))

enum screen { S_MAIN, S_QUEUE, S_FEES, S_FEE, S_TOPICS, S_OFFERS, S_CASES,
    S__COUNT };

static const char *screen_names[] = { "main", "queue", "fees", "fee",
    "topics", "offers", "cases" };

_Static_assert(sizeof(screen_names) / sizeof(screen_names[0]) == S__COUNT,
    "screen_names");

struct ussd {
	struct store		*s;
	const struct config	*cfg;
	struct services_caller	 c;
	struct smstext_opts	 o;
	enum screen		 scr;
	long			 offset;	/* first list item shown */
	long			 shown;		/* items on the screen */
	int			 more;		/* 9 pages on */
	long long		 fee;		/* S_FEE: its id */
	struct ussd_reply	*out;
};

/* A list to show: its lines, and whether they are numbered choices. */
struct list {
	size_t		 n;
	int		 numbered;
	char		 line[LIST_MAX][LINE_SIZE];
	int64_t		 ref[LIST_MAX];	/* a fee id or topic index */
};

/* One USSD string in the encoding the text will go in. */
static int
fits(const struct ussd *u, const char *text)
{
	struct smstext_info	 info;
	const char		*errstr;

	if (smstext_analyze(text, strlen(text), &u->o, &info, &errstr) == -1)
		return 0;
	return info.units <= (info.encoding == SMSTEXT_ENC_GSM7 ?
	    USSD_GSM7_MAX : USSD_UCS2_MAX);
}

static void
append(char *buf, size_t size, const char *s)
{
	size_t	 n = strlen(buf);

	if (n < size)
		(void)util_snprintf(buf + n, size - n, "%s%s",
		    n > 0 ? "\n" : "", s);
}

/* "9 More", "00 Back", "0 End": what the screen has, a line each. */
static void
nav(char *buf, size_t size, int more, int back)
{
	if (more)
		append(buf, size, _("9 More"));
	if (back)
		append(buf, size, _("00 Back"));
	append(buf, size, _("0 End"));
}

/* Cut a line by one character from its end (UTF-8 aware). */
static int
shorten(char *line)
{
	size_t	 n = strlen(line);

	if (n <= 1)
		return -1;
	n--;
	while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
		n--;
	line[n] = '\0';
	return 0;
}

/*
 * Cut a line by its last word, and the space and dangling comma or colon
 * before it, so a screen never ends in half a name; a line of one word
 * loses a character instead.
 */
static int
shorten_word(char *line)
{
	size_t	 n = strlen(line);

	while (n > 0 && line[n - 1] != ' ')
		n--;
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == ',' ||
	    line[n - 1] == ':'))
		n--;
	if (n == 0)
		return shorten(line);
	line[n] = '\0';
	return 0;
}

/* The screen with hint and k items from u->offset; 1 when it fits. */
static int
try_list(struct ussd *u, const char *hint, const struct list *l, size_t k,
    int back, int force)
{
	char	 text[USSD_TEXT_SIZE], item[LINE_SIZE + 8];
	size_t	 i;
	int	 more = (size_t)u->offset + k < l->n;

	text[0] = '\0';
	if (hint != NULL)
		append(text, sizeof(text), hint);
	for (i = 0; i < k; i++) {
		if (l->numbered)
			(void)util_snprintf(item, sizeof(item), "%zu %s",
			    i + 1, l->line[u->offset + i]);
		else
			(void)util_strlcpy(item, l->line[u->offset + i],
			    sizeof(item));
		append(text, sizeof(text), item);
	}
	nav(text, sizeof(text), more, back);
	if (!force && !fits(u, text))
		return 0;
	(void)util_strlcpy(u->out->text, text, sizeof(u->out->text));
	u->shown = (long)k;
	u->more = more;
	return 1;
}

/*
 * As many list items from u->offset as fit (1-5). An item that does not
 * fit alone is cut at its end (lines say the most important first), to
 * no less than HINT_KEEP characters while a hint is to be shown; past
 * that the hint goes. Cuts take whole words.
 */
#define HINT_KEEP	24

static void
render_list(struct ussd *u, const char *hint, struct list *l, int back)
{
	char	 orig[LINE_SIZE], *line;
	size_t	 k, room;

	if (u->offset < 0 || (size_t)u->offset >= l->n)
		u->offset = 0;
	room = l->n - (size_t)u->offset;
	if (room > USSD_CHOICES_MAX)
		room = USSD_CHOICES_MAX;
	for (k = room; k >= 1; k--)
		if (try_list(u, hint, l, k, back, 0))
			return;
	line = l->line[u->offset];
	(void)util_strlcpy(orig, line, sizeof(orig));
	if (hint != NULL) {
		while (util_utf8_len(line) > HINT_KEEP &&
		    shorten_word(line) == 0)
			if (util_utf8_len(line) >= HINT_KEEP &&
			    try_list(u, hint, l, 1, back, 0))
				return;
		(void)util_strlcpy(line, orig, LINE_SIZE);
	}
	while (shorten_word(line) == 0)
		if (try_list(u, NULL, l, 1, back, 0))
			return;
	(void)try_list(u, NULL, l, 1, back, 1);
}

static int
screen_main(struct ussd *u, const char *hint)
{
	char	 text[USSD_TEXT_SIZE];

	text[0] = '\0';
	if (hint != NULL)
		append(text, sizeof(text), hint);
	append(text, sizeof(text),
	    _("1 Preschool queue\n2 Payments\n3 Notifications"));
	append(text, sizeof(text), _("4 Discounts\n5 My cases"));
	nav(text, sizeof(text), 0, 0);
	(void)util_strlcpy(u->out->text, text, sizeof(u->out->text));
	u->offset = 0;
	u->shown = 5;
	u->more = 0;
	return 0;
}

static int
screen_queue(struct ussd *u, const char *hint)
{
	struct services_queue	 q;
	struct list		 l;
	char			 start[I18N_DATE_SIZE];
	size_t			 i;

	if (services_queue(u->s, &u->c, &q) == -1)
		return -1;
	memset(&l, 0, sizeof(l));
	for (i = 0; i < q.n && l.n < LIST_MAX; i++) {
		i18n_date(q.e[i].desired_start, start, sizeof(start));
		(void)util_snprintf(l.line[l.n++], LINE_SIZE,
		    _("Place %lld of %lld: %s, %s (%s)"),
		    (long long)q.e[i].position, (long long)q.e[i].total,
		    q.e[i].child, q.e[i].institution, start);
	}
	if (l.n == 0)
		(void)util_strlcpy(l.line[l.n++],
		    _("No child of yours is in a preschool queue."),
		    LINE_SIZE);
	render_list(u, hint, &l, 1);
	return 0;
}

static const char *
kind_short(const char *kind)
{
	if (strcmp(kind, "nin") == 0)
		return _("Property tax");
	if (strcmp(kind, "dog") == 0)
		return _("Dogs");
	return kind;
}

static int
screen_fees(struct ussd *u, const char *hint)
{
	struct services_fees	*fs;
	struct list		 l;
	char			 amount[I18N_MONEY_SIZE];
	size_t			 i;

	fs = xmalloc(sizeof(*fs));
	if (services_fees(u->s, u->cfg, &u->c, fs) == -1) {
		free(fs);
		return -1;
	}
	memset(&l, 0, sizeof(l));
	l.numbered = fs->n > 0;
	for (i = 0; i < fs->n && l.n < LIST_MAX; i++) {
		/*
		 * The period as stored (2026-Q2): "2026. g. 2. ceturksnis"
		 * would leave one fee a screen in 80 UCS-2 characters. The
		 * fee's own screen spells it out.
		 */
		i18n_money(fs->f[i].owed_cents, amount, sizeof(amount));
		l.ref[l.n] = fs->f[i].id;
		(void)util_snprintf(l.line[l.n++], LINE_SIZE, "%s %s %s",
		    kind_short(fs->f[i].kind), fs->f[i].period, amount);
	}
	if (l.n == 0)
		(void)util_strlcpy(l.line[l.n++], _("You have no unpaid fees."),
		    LINE_SIZE);
	free(fs);
	render_list(u, hint, &l, 1);
	return 0;
}

/* The fee on the screen, by its id in the caller's list: 0, 1 none, -1. */
static int
find_fee(struct ussd *u, struct services_fees *fs, long long id,
    size_t *at)
{
	size_t	 i;

	if (services_fees(u->s, u->cfg, &u->c, fs) == -1)
		return -1;
	for (i = 0; i < fs->n; i++)
		if (fs->f[i].id == id) {
			*at = i;
			return 0;
		}
	return 1;
}

static int
screen_fee(struct ussd *u, const char *hint)
{
	struct services_fees	*fs;
	struct services_fee	*f;
	char			 text[USSD_TEXT_SIZE], line[LINE_SIZE];
	char			 amount[I18N_MONEY_SIZE], due[I18N_DATE_SIZE];
	char			 period[I18N_PERIOD_SIZE];
	size_t			 at;
	int			 rc, drop;

	fs = xmalloc(sizeof(*fs));
	if ((rc = find_fee(u, fs, u->fee, &at)) != 0) {
		free(fs);
		if (rc == -1)
			return -1;
		/* Paid meanwhile: back to what is left. */
		u->scr = S_FEES;
		return screen_fees(u, hint);
	}
	f = &fs->f[at];
	i18n_money(f->owed_cents, amount, sizeof(amount));
	i18n_date(f->due_date, due, sizeof(due));
	i18n_period(f->period, period, sizeof(period));
	/*
	 * Amount, IBAN and reference always; the rest (the due date too)
	 * while there is room.
	 * A hint outlasts the fee's name: in 80 UCS-2 units (any Latvian
	 * screen) the full one leaves no room, so a short one comes before
	 * none.
	 */
	for (drop = 0; drop <= 4; drop++) {
		text[0] = '\0';
		if (hint != NULL && drop < 3)
			append(text, sizeof(text), hint);
		else if (hint != NULL && drop == 3)
			append(text, sizeof(text), _("Wrong key."));
		if (drop < 2) {
			(void)util_snprintf(line, sizeof(line), "%s %s",
			    drop < 1 ? f->kind_name : kind_short(f->kind),
			    period);
			append(text, sizeof(text), line);
		}
		if (drop < 3)
			(void)util_snprintf(line, sizeof(line),
			    _("%s, due %s"), amount, due);
		else
			(void)util_strlcpy(line, amount, sizeof(line));
		append(text, sizeof(text), line);
		if (drop < 1)
			append(text, sizeof(text), fs->beneficiary);
		append(text, sizeof(text), fs->iban);
		append(text, sizeof(text), f->reference);
		nav(text, sizeof(text), 0, 1);
		if (fits(u, text))
			break;
	}
	(void)util_strlcpy(u->out->text, text, sizeof(u->out->text));
	u->shown = 0;
	u->more = 0;
	free(fs);
	return 0;
}

/* The topics a caller can change: all but the emergency ones. */
static int
topic_list(struct ussd *u, struct services_topics *ts, struct list *l)
{
	size_t	 i;

	if (services_topics(u->s, &u->c, ts) == -1)
		return -1;
	memset(l, 0, sizeof(*l));
	l->numbered = 1;
	for (i = 0; i < ts->n && l->n < LIST_MAX; i++) {
		if (ts->t[i].emergency)
			continue;
		l->ref[l->n] = (int64_t)i;
		(void)util_snprintf(l->line[l->n++], LINE_SIZE,
		    ts->t[i].subscribed ? _("%s (on)") : _("%s (off)"),
		    ts->t[i].name);
	}
	return 0;
}

static int
screen_topics(struct ussd *u, const char *hint)
{
	struct services_topics	 ts;
	struct list		 l;

	if (topic_list(u, &ts, &l) == -1)
		return -1;
	render_list(u, hint, &l, 1);
	return 0;
}

/*
 * The offers the caller is entitled to, nearest first, as ATLAIDES lists
 * them (whose last line sends here when they do not fit an SMS), a few
 * a screen.
 */
static int
screen_offers(struct ussd *u, const char *hint)
{
	struct card_entitled	*e;
	struct list		*l;
	size_t			 n, i;
	int			 more;

	e = xcalloc(OFFERS_MAX, sizeof(*e));
	if (card_entitled(u->s, u->c.resident[0], e, OFFERS_MAX, &n,
	    &more) == -1) {
		free(e);
		return -1;
	}
	l = xcalloc(1, sizeof(*l));
	for (i = 0; i < n; i++)
		(void)util_snprintf(l->line[l->n++], LINE_SIZE, "%s: %s",
		    e[i].merchant, e[i].text);
	if (l->n == 0)
		(void)util_strlcpy(l->line[l->n++], _("No discounts for you "
		    "at partner merchants now."), LINE_SIZE);
	free(e);
	render_list(u, hint, l, 1);
	free(l);
	return 0;
}

/* The caller's own cases, newest first: number, status, since when. */
static int
screen_cases(struct ussd *u, const char *hint)
{
	struct cases_mine	*m;
	struct list		*l;
	char			 date[I18N_DATE_SIZE];
	size_t			 n, i;
	int			 more;

	m = xcalloc(CASES_MINE_MAX, sizeof(*m));
	if (cases_mine_list(u->s, &u->c, m, CASES_MINE_MAX, &n, &more) ==
	    -1) {
		free(m);
		return -1;
	}
	l = xcalloc(1, sizeof(*l));
	for (i = 0; i < n; i++) {
		clock_date_text(m[i].changed_at, date, sizeof(date));
		(void)util_snprintf(l->line[l->n++], LINE_SIZE, "%s: %s, %s",
		    m[i].case_no, cases_status_text(m[i].status), date);
	}
	if (l->n == 0)
		(void)util_strlcpy(l->line[l->n++], _("You have filed no "
		    "reports or applications."), LINE_SIZE);
	free(m);
	render_list(u, hint, l, 1);
	free(l);
	return 0;
}

static int
show(struct ussd *u, const char *hint)
{
	switch (u->scr) {
	case S_QUEUE:
		return screen_queue(u, hint);
	case S_FEES:
		return screen_fees(u, hint);
	case S_FEE:
		return screen_fee(u, hint);
	case S_TOPICS:
		return screen_topics(u, hint);
	case S_OFFERS:
		return screen_offers(u, hint);
	case S_CASES:
		return screen_cases(u, hint);
	default:
		u->scr = S_MAIN;
		return screen_main(u, hint);
	}
}

/* Act on a numbered choice k (1-5) of the current screen: 0, 1 wrong. */
static int
choose(struct ussd *u, long k)
{
	struct services_topics	 ts;
	struct services_fees	*fs;
	struct list		 l;
	size_t			 i = (size_t)(u->offset + k - 1);
	int			 rc;

	if (k < 1 || k > u->shown)
		return 1;
	switch (u->scr) {
	case S_MAIN:
		switch (k) {
		case 1:
			u->scr = S_QUEUE;
			break;
		case 2:
			u->scr = S_FEES;
			break;
		case 3:
			u->scr = S_TOPICS;
			break;
		case 4:
			u->scr = S_OFFERS;
			break;
		default:
			u->scr = S_CASES;
			break;
		}
		u->offset = 0;
		return 0;
	case S_FEES:
		fs = xmalloc(sizeof(*fs));
		rc = services_fees(u->s, u->cfg, &u->c, fs);
		if (rc == 0 && i < fs->n) {
			u->fee = fs->f[i].id;
			u->scr = S_FEE;
		} else if (rc == 0)
			rc = 1;
		free(fs);
		return rc;
	case S_TOPICS:
		if (topic_list(u, &ts, &l) == -1)
			return -1;
		if (i >= l.n)
			return 1;
		rc = services_subscribe(u->s, &u->c,
		    ts.t[l.ref[i]].code, !ts.t[l.ref[i]].subscribed, NULL);
		return rc == -1 ? -1 : 0;
	default:
		return 1;
	}
}

static int
session_put(struct ussd *u, const char *session)
{
	char		 data[64];

	(void)util_snprintf(data, sizeof(data), "%ld:%ld:%d:%lld", u->offset,
	    u->shown, u->more, u->fee);
	return store_do(u->s, ST_USSD_SESSION_PUT, "ssscst", u->c.phone,
	    session, screen_names[u->scr], data, u->c.lang, clock_now()) ==
	    STORE_OK ? 0 : -1;
}

static int
session_delete(struct store *s, const char *phone, const char *session)
{
	return store_do(s, ST_USSD_SESSION_DELETE, "ss", phone, session) ==
	    STORE_OK ? 0 : -1;
}

/* Load the session into u: 0, 1 none or timed out, -1 error. */
static int
session_get(struct ussd *u, const char *session)
{
	struct store_cur	*c = store_cur(u->s, ST_USSD_SESSION_GET);
	const char		*scr, *errstr;
	char			 buf[64], *f[4], *p;
	long long		 v[4];
	time_t			 at;
	size_t			 i;
	int			 rc;

	if (store_bind(c, "ss", u->c.phone, session) != STORE_OK)
		return -1;
	rc = store_step(c);
	if (rc != STORE_ROW) {
		store_reset(c);
		return rc == STORE_OK ? 1 : -1;
	}
	scr = store_str(c, 0);
	at = (time_t)store_i64(c, 2);
	u->scr = S_MAIN;
	for (i = 0; i < S__COUNT; i++)
		if (strcmp(scr, screen_names[i]) == 0)
			u->scr = (enum screen)i;
	if (util_strlcpy(buf, store_str(c, 1), sizeof(buf)) == -1)
		buf[0] = '\0';
	store_reset(c);
	if (clock_now() - at > (time_t)config_int(u->cfg,
	    CFG_USSD_SESSION_TIMEOUT_S))
		return 1;
	/* Ours, but a row is data: every field is checked. */
	p = buf;
	for (i = 0; i < 4; i++) {
		f[i] = strsep(&p, ":");
		if (f[i] == NULL || util_strtonum(f[i], 0, INT64_MAX, &v[i],
		    &errstr) == -1)
			return 1;
	}
	if (v[0] > LIST_MAX || v[1] > USSD_CHOICES_MAX || v[2] > 1)
		return 1;
	u->offset = (long)v[0];
	u->shown = (long)v[1];
	u->more = (int)v[2];
	u->fee = v[3];
	return 0;
}

/* The user's answer without blanks and the '#' some phones add. */
static void
clean_input(const char *in, size_t len, char *out, size_t size)
{
	size_t	 i, o = 0;

	for (i = 0; in != NULL && i < len && o + 1 < size; i++)
		if (in[i] != ' ' && in[i] != '#' && in[i] != '*' &&
		    in[i] != '\r' && in[i] != '\n' && in[i] != '\t')
			out[o++] = in[i];
	out[o] = '\0';
	if (in != NULL && i < len)
		out[0] = '\0';		/* too long to be a choice */
}

static int
step(struct ussd *u, const char *session, enum ussd_op op,
    const char *input, size_t len)
{
	const char	*hint = NULL, *errstr;
	char		 key[8];
	long long	 k;
	int		 rc = 0;

	if (op == USSD_OP_OPEN || (rc = session_get(u, session)) == 1) {
		u->scr = S_MAIN;
		u->offset = u->shown = 0;
		u->more = 0;
		u->fee = 0;
		if (session_delete(u->s, u->c.phone, session) == -1)
			return -1;
		return screen_main(u, NULL);
	}
	if (rc == -1)
		return -1;
	clean_input(input, len, key, sizeof(key));
	if (strcmp(key, "0") == 0) {
		u->out->end = 1;
		(void)util_strlcpy(u->out->text, _("Thank you. Goodbye!"),
		    sizeof(u->out->text));
		return 0;
	}
	if (strcmp(key, "00") == 0) {
		u->scr = u->scr == S_FEE ? S_FEES : S_MAIN;
		if (u->scr == S_MAIN)
			u->offset = 0;
		return show(u, NULL);
	}
	if (strcmp(key, "9") == 0 && u->more) {
		u->offset += u->shown;
		return show(u, NULL);
	}
	if (util_strtonum(key, 1, USSD_CHOICES_MAX, &k, &errstr) == 0) {
		if ((rc = choose(u, (long)k)) == -1)
			return -1;
		if (rc == 0)
			return show(u, NULL);
	}
	hint = _("Wrong choice.");
	return show(u, hint);
}

int
ussd_handle(struct store *s, const struct config *cfg, const char *from,
    const char *session, enum ussd_op op, const char *input, size_t len,
    struct ussd_reply *out)
{
	struct ussd	*u;
	char		 saved[8], phone[IDENT_PHONE_SIZE], masked[32];
	const char	*errstr, *sess = session != NULL ? session : "";
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (strlen(sess) > USSD_SESSION_MAX)
		sess = "";
	u = xcalloc(1, sizeof(*u));
	u->s = s;
	u->cfg = cfg;
	u->out = out;
	if (smstext_policy_parse(config_str(cfg, CFG_SMS_ENCODING),
	    &u->o.policy, &errstr) == -1)
		u->o.policy = SMSTEXT_AUTO;
	if (services_caller_by_phone(s, from, &u->c) != 0) {
		if (u->c.phone[0] == '\0') {
			/* Not a number a network gives: nothing to answer. */
			free(u);
			return 0;
		}
		goto fail;
	}
	(void)util_strlcpy(phone, u->c.phone, sizeof(phone));
	if (op == USSD_OP_ABORT) {
		rc = session_delete(s, phone, sess);
		free(u);
		return rc == -1 ? -1 : 0;
	}
	(void)util_strlcpy(saved, i18n_lang(), sizeof(saved));
	(void)i18n_set_lang(u->c.lang);
	if (u->c.nresidents == 0) {
		/* An unknown number learns nothing, and the session ends. */
		out->end = 1;
		(void)util_strlcpy(out->text, _("This number is not registered "
		    "with the municipality. Visit a client centre."),
		    sizeof(out->text));
		rc = session_delete(s, phone, sess);
	} else if ((rc = step(u, sess, op, input, len)) == 0)
		rc = out->end ? session_delete(s, phone, sess) :
		    session_put(u, sess);
	if (rc == -1) {
		out->end = 1;
		(void)util_strlcpy(out->text, _("Sorry, the service is "
		    "unavailable now. Please try again later."),
		    sizeof(out->text));
	}
	/*
	 * The fixed texts are not measured where they are made, and a
	 * translation may run long: a string the network would refuse or cut
	 * is cut here, after a word.
	 */
	while (!fits(u, out->text) && shorten_word(out->text) == 0)
		;
	(void)i18n_set_lang(saved);
	if (rc == -1) {
		ident_phone_mask(phone, masked, sizeof(masked));
		log_warnx("ussd: session of %s failed: %s", masked,
		    store_errmsg(s));
	}
	free(u);
	return rc == -1 ? -1 : 1;
fail:
	free(u);
	out->end = 1;
	(void)util_strlcpy(out->text, _("Sorry, the service is unavailable "
	    "now. Please try again later."), sizeof(out->text));
	return -1;
}

int
ussd_expire(struct store *s, const struct config *cfg)
{
	if (store_do(s, ST_USSD_SESSION_EXPIRE, "t", clock_now() -
	    (time_t)config_int(cfg, CFG_USSD_SESSION_TIMEOUT_S)) != STORE_OK)
		return -1;
	return (int)store_changes(s);
}
