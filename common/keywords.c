/*
 * keywords: parse a resident's SMS, ask common/services, and say the answer
 * in as few segments as it allows. Silence is a feature here: robots
 * (alphanumeric senders, short codes, receipts echoed back as text, a
 * phone that answers every message) get nothing, so no reply loop can
 * start; STOP is the one command honoured even then.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "callback.h"
#include "card.h"
#include "cases.h"
#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "ident.h"
#include "keywords.h"
#include "log.h"
#include "services.h"
#include "smstext.h"
#include "util.h"
#include "words.h"

#define KW_WORD_MAX	16
#define HOUR_MS		(3600 * 1000LL)
#define LIMITER_PROBES	16
#define FEES_MAX_SEGMENTS 2	/* MAKSA: a list past this is summed up */
#define DISCOUNTS_MAX_SEGMENTS 2	/* ATLAIDES: the rest by USSD */
#define DISCOUNTS_MAX	16		/* offers ATLAIDES looks at */

static const struct {
	const char	*word;		/* folded */
	enum keywords_cmd cmd;
} kw_words[] = {
	{ "rinda", KEYWORDS_QUEUE }, { "queue", KEYWORDS_QUEUE },
	{ "maksa", KEYWORDS_FEES }, { "nodokli", KEYWORDS_FEES },
	{ "nodoklis", KEYWORDS_FEES }, { "parads", KEYWORDS_FEES },
	{ "paradi", KEYWORDS_FEES }, { "pay", KEYWORDS_FEES },
	{ "fees", KEYWORDS_FEES },
	{ "temas", KEYWORDS_TOPICS }, { "tema", KEYWORDS_TOPICS },
	{ "topics", KEYWORDS_TOPICS },
	{ "start", KEYWORDS_START }, { "stop", KEYWORDS_STOP },
	{ "policija", KEYWORDS_POLICE }, { "police", KEYWORDS_POLICE },
	{ "iesniegums", KEYWORDS_APPLICATION },
	{ "application", KEYWORDS_APPLICATION },
	{ "palidziba", KEYWORDS_HELP }, { "help", KEYWORDS_HELP },
	{ "atlaides", KEYWORDS_DISCOUNTS }, { "atlaide", KEYWORDS_DISCOUNTS },
	{ "discounts", KEYWORDS_DISCOUNTS },
	{ "karte", KEYWORDS_CARD }, { "card", KEYWORDS_CARD },
	{ "parbaude", KEYWORDS_CHECK }, { "check", KEYWORDS_CHECK },
	{ "statuss", KEYWORDS_STATUS }, { "status", KEYWORDS_STATUS },
};

static const char *cmd_names[] = {
	"none", "queue", "fees", "topics", "start", "stop", "stop_all",
	"police", "application", "help", "discounts", "card", "check",
	"status", "unknown",
};

_Static_assert(sizeof(cmd_names) / sizeof(cmd_names[0]) ==
    KEYWORDS_UNKNOWN + 1, "cmd_names");

const char *
keywords_cmd_name(enum keywords_cmd c)
{
	if ((size_t)c >= nitems(cmd_names))
		return "?";
	return cmd_names[c];
}

/* The limiter: open addressing over phone numbers, a window per number. */
struct kw_slot {
	char		 phone[IDENT_PHONE_SIZE];	/* "" free */
	int64_t		 start_ms;
	int		 count;
	int		 confirmed;	/* STOP/START confirmed past count */
	int		 warned;
};

struct keywords_limiter {
	int		 per_hour;
	size_t		 nslots;	/* a power of two */
	struct kw_slot	*slots;
};

struct keywords_limiter *
keywords_limiter_new(int per_hour, size_t slots)
{
	struct keywords_limiter *l;
	size_t		 n = 64;

	if (per_hour < 1)
		per_hour = 1;
	if (slots == 0)
		slots = KEYWORDS_LIMITER_SLOTS;
	while (n < slots && n < ((size_t)1 << 24))
		n <<= 1;
	l = xcalloc(1, sizeof(*l));
	l->per_hour = per_hour;
	l->nslots = n;
	l->slots = xcalloc(n, sizeof(*l->slots));
	return l;
}

void
keywords_limiter_free(struct keywords_limiter *l)
{
	if (l == NULL)
		return;
	free(l->slots);
	free(l);
}

/* FNV-1a: numbers differ in their last digits, which it spreads well. */
static size_t
phone_hash(const char *p)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	return (size_t)h;
}

/*
 * The slot of phone, a fresh window when its hour is over. A number not
 * seen takes a free or expired slot, else the probed slot whose window
 * started first.
 */
static struct kw_slot *
limiter_slot(struct keywords_limiter *l, const char *phone, int64_t now)
{
	struct kw_slot	*s, *victim = NULL;
	size_t		 i, h = phone_hash(phone);

	for (i = 0; i < LIMITER_PROBES; i++) {
		s = &l->slots[(h + i) & (l->nslots - 1)];
		if (s->phone[0] != '\0' && strcmp(s->phone, phone) == 0) {
			if (now - s->start_ms >= HOUR_MS) {
				s->start_ms = now;
				s->count = 0;
				s->confirmed = 0;
				s->warned = 0;
			}
			return s;
		}
		if (victim == NULL && (s->phone[0] == '\0' ||
		    now - s->start_ms >= HOUR_MS))
			victim = s;
	}
	if (victim == NULL) {
		victim = &l->slots[h & (l->nslots - 1)];
		for (i = 1; i < LIMITER_PROBES; i++) {
			s = &l->slots[(h + i) & (l->nslots - 1)];
			if (s->start_ms < victim->start_ms)
				victim = s;
		}
	}
	memset(victim, 0, sizeof(*victim));
	(void)util_strlcpy(victim->phone, phone, sizeof(victim->phone));
	victim->start_ms = now;
	return victim;
}

int
keywords_sender(const char *from, char out[IDENT_PHONE_SIZE])
{
	enum ident_phone_kind kind;
	const char	*errstr;
	char		 plus[24];
	size_t		 i, n, digits = 0;

	if (from == NULL || (n = strlen(from)) == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		if (from[i] >= '0' && from[i] <= '9')
			digits++;
		else if (!(i == 0 && from[i] == '+'))
			return -1;	/* alphanumeric */
	}
	if (digits <= 6)
		return -1;		/* a short code */
	if (ident_phone_parse(from, out, &kind, &errstr) == -1) {
		/* An international number the SMSC sent without its +. */
		if (from[0] == '+' || util_snprintf(plus, sizeof(plus), "+%s",
		    from) == -1 ||
		    ident_phone_parse(plus, out, &kind, &errstr) == -1)
			return -1;
	}
	if (kind == IDENT_PHONE_LV_FIXED)
		return -1;
	return 0;
}

/* Case-insensitive search of needle in the first len bytes of hay. */
static int
has_word(const char *hay, size_t len, const char *needle)
{
	size_t	 i, n = strlen(needle);

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

int
keywords_is_receipt(const char *text, size_t len)
{
	size_t	 i = 0;

	if (len > 512)
		len = 512;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	/* SMPP appendix B: "id:IIII sub:SSS dlvrd:DDD ... stat:DDDDDDD". */
	if (len - i >= 3 && strncasecmp(text + i, "id:", 3) == 0)
		return 1;
	return has_word(text, len, "id:") && (has_word(text, len, "stat:") ||
	    has_word(text, len, "dlvrd:") || has_word(text, len, "done date:"));
}

static int
only_question_marks(const char *text, size_t len)
{
	size_t	 i;
	int	 q = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '?')
			q = 1;
		else if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n' && text[i] != '!' && text[i] != '.')
			return 0;
	}
	return q;
}

enum keywords_cmd
keywords_parse(const char *text, size_t len, const char **arg,
    size_t *arglen)
{
	char		 word[KW_WORD_MAX + 1];
	size_t		 i = 0, adv, w = 0, e;
	enum keywords_cmd cmd = KEYWORDS_UNKNOWN;
	char		 c;

	*arg = text + len;
	*arglen = 0;
	if (only_question_marks(text, len))
		return KEYWORDS_HELP;
	/* Punctuation and blanks before the keyword. */
	while (i < len && services_fold_char(text + i, len - i, &adv) == 0)
		i += adv;
	while (i < len &&
	    (c = services_fold_char(text + i, len - i, &adv)) != 0) {
		if (w == KW_WORD_MAX)
			return KEYWORDS_UNKNOWN;
		word[w++] = c;
		i += adv;
	}
	word[w] = '\0';
	for (e = 0; e < nitems(kw_words); e++)
		if (strcmp(word, kw_words[e].word) == 0) {
			cmd = kw_words[e].cmd;
			break;
		}
	if (cmd == KEYWORDS_UNKNOWN)
		return cmd;
	/* ASCII punctuation and blanks between keyword and argument. */
	while (i < len && (unsigned char)text[i] < 0x80 &&
	    services_fold_char(text + i, len - i, &adv) == 0)
		i++;
	e = len;
	while (e > i && (text[e - 1] == ' ' || text[e - 1] == '\t' ||
	    text[e - 1] == '\r' || text[e - 1] == '\n'))
		e--;
	*arg = text + i;
	*arglen = e - i;
	/* The words topics.c refuses as codes: words.c holds them. */
	if (cmd == KEYWORDS_STOP && words_stop_all(*arg, *arglen))
		return KEYWORDS_STOP_ALL;
	return cmd;
}

/*
 * A reply under construction: text is added only while the whole, with
 * the tail that must still follow, keeps to the segment limit.
 */
struct reply {
	char		*buf;
	size_t		 size;
	size_t		 len;
	size_t		 max_segments;
	int		 apart;		/* the answer went as its own SMS */
	struct smstext_opts o;
	char		 scratch[KEYWORDS_REPLY_SIZE];
};

static size_t
segments_of(const struct reply *r, const char *text, size_t len)
{
	struct smstext_info	 info;
	const char		*errstr;

	if (smstext_analyze(text, len, &r->o, &info, &errstr) == -1)
		return SIZE_MAX;
	return info.segments;
}

/* Append s when it and tail still fit; 0, or -1 leaving r as it was. */
static int
reply_add(struct reply *r, const char *s, const char *tail)
{
	size_t	 n = strlen(s), t = tail != NULL ? strlen(tail) : 0;

	if (r->len + n + t >= r->size || r->len + n + t >= sizeof(r->scratch))
		return -1;
	memcpy(r->scratch, r->buf, r->len);
	memcpy(r->scratch + r->len, s, n);
	if (t > 0)
		memcpy(r->scratch + r->len + n, tail, t);
	r->scratch[r->len + n + t] = '\0';
	if (segments_of(r, r->scratch, r->len + n + t) > r->max_segments)
		return -1;
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return 0;
}

static int reply_addf(struct reply *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
reply_addf(struct reply *r, const char *tail, const char *fmt, ...)
{
	char	 line[KEYWORDS_REPLY_SIZE];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return reply_add(r, line, tail);
}

/* The one-line answers: whatever their length, they are sent whole. */
static void
reply_set(struct reply *r, const char *s)
{
	size_t	 n = strlen(s);

	if (n >= r->size) {
		n = r->size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(r->buf, s, n);
	r->buf[n] = '\0';
	r->len = n;
}

static const char *
sep(const struct reply *r)
{
	return r->len > 0 ? "\n" : "";
}

static void
reply_more(struct reply *r, const char *tail)
{
	/* Make room by dropping whole lines if even the note does not fit. */
	while (reply_addf(r, tail, "%s%s", sep(r),
	    _("(more at the service centre)")) == -1) {
		char	*nl = strrchr(r->buf, '\n');

		if (nl == NULL)
			return;
		*nl = '\0';
		r->len = (size_t)(nl - r->buf);
	}
}

static int
answer_queue(struct store *s, const struct services_caller *c,
    struct reply *r)
{
	struct services_queue	 q;
	struct services_queue_entry *e;
	char			 line[512], start[I18N_DATE_SIZE];
	size_t			 i;
	int			 more;

	if (services_queue(s, c, &q) == -1)
		return -1;
	if (q.n == 0) {
		reply_set(r, _("No child of yours is in a preschool queue."));
		return 0;
	}
	more = q.more;
	for (i = 0; i < q.n; i++) {
		e = &q.e[i];
		i18n_date(e->desired_start, start, sizeof(start));
		(void)util_snprintf(line, sizeof(line),
		    _("%s: %s (%s): place %lld of %lld"), e->child,
		    e->institution, start, (long long)e->position,
		    (long long)e->total);
		if (reply_addf(r, NULL, "%s%s%s%s", sep(r), line,
		    e->priority != 0 && e->priority_name[0] != '\0' ? "; " :
		    "", e->priority != 0 ? e->priority_name : "") == -1) {
			more = 1;
			break;
		}
	}
	if (more)
		reply_more(r, NULL);
	return 0;
}

/*
 * The fees as a summary: one fee whole in a line (its reference and
 * whom to pay) when that fits; else the total, how many, the first due
 * date (or since when the oldest is overdue), and where the list is.
 */
static void
fees_summary(const struct config *cfg, const struct services_fees *fs,
    struct reply *r)
{
	const struct services_fee *first = &fs->f[0];
	char		 amount[I18N_MONEY_SIZE], due[I18N_DATE_SIZE];
	char		 period[I18N_PERIOD_SIZE], line[512];
	size_t		 i;

	for (i = 1; i < fs->n; i++)
		if (strcmp(fs->f[i].due_date, first->due_date) < 0)
			first = &fs->f[i];
	i18n_money(fs->total_owed_cents, amount, sizeof(amount));
	i18n_date(first->due_date, due, sizeof(due));
	r->len = 0;
	r->buf[0] = '\0';
	if (fs->count == 1) {
		i18n_period(first->period, period, sizeof(period));
		(void)util_snprintf(line, sizeof(line), first->overdue ?
		    _("%s %s: %s, overdue since %s, ref. %s. Pay to %s, "
		    "%s.") : _("%s %s: %s by %s, ref. %s. Pay to %s, %s."),
		    first->kind_name, period, amount, due,
		    first->reference, fs->beneficiary, fs->iban);
		if (reply_add(r, line, NULL) == 0)
			return;
	}
	(void)util_snprintf(line, sizeof(line), first->overdue ?
	    ngettext("You owe %s in %zu payment; it was due %s. Its "
	    "reference: dial %s or use a kiosk at the service centre.",
	    "You owe %s in %zu payments; the first was due %s. Each "
	    "with its reference: dial %s or use a kiosk at the service "
	    "centre.", fs->count) : ngettext("You owe %s in %zu payment, "
	    "due %s. Its reference: dial %s or use a kiosk at the service "
	    "centre.", "You owe %s in %zu payments; the next is due %s. "
	    "Each with its reference: dial %s or use a kiosk at the service "
	    "centre.", fs->count), amount, fs->count, due,
	    config_str(cfg, CFG_USSD_SERVICE_CODE));
	reply_set(r, line);
}

static int
answer_fees(struct store *s, const struct config *cfg,
    const struct services_caller *c, struct reply *r)
{
	struct services_fees	*fs;
	struct services_fee	*f;
	char			 amount[I18N_MONEY_SIZE];
	char			 due[I18N_DATE_SIZE], period[I18N_PERIOD_SIZE];
	char			 line[512], tail[512];
	const char		*kind = NULL;
	size_t			 i, mark;
	int			 more;

	fs = xmalloc(sizeof(*fs));
	if (services_fees(s, cfg, c, fs) == -1) {
		free(fs);
		return -1;
	}
	if (fs->n == 0) {
		reply_set(r, _("You have no unpaid fees."));
		free(fs);
		return 0;
	}
	/*
	 * Two segments at most, whatever [sms] max_segments allows: a list
	 * that does not fit becomes a summary that points to USSD and the
	 * kiosk, where each fee has its own screen.
	 */
	if (r->max_segments > FEES_MAX_SEGMENTS)
		r->max_segments = FEES_MAX_SEGMENTS;
	/* Whom to pay is said whatever else has to go: every line keeps
	 * room for it. */
	i18n_money(fs->total_owed_cents, amount, sizeof(amount));
	(void)util_snprintf(line, sizeof(line),
	    _("Total %s. Pay to %s, %s, with the reference."), amount,
	    fs->beneficiary, fs->iban);
	(void)util_snprintf(tail, sizeof(tail), "\n%s", line);
	more = fs->count > fs->n;
	for (i = 0; i < fs->n; i++) {
		f = &fs->f[i];
		mark = r->len;
		if ((kind == NULL || strcmp(kind, f->kind) != 0) &&
		    reply_addf(r, tail, "%s%s:", sep(r), f->kind_name) == -1) {
			more = 1;
			break;
		}
		i18n_money(f->owed_cents, amount, sizeof(amount));
		i18n_date(f->due_date, due, sizeof(due));
		i18n_period(f->period, period, sizeof(period));
		(void)util_snprintf(line, sizeof(line), f->overdue ?
		    _("%s: %s, overdue since %s, ref. %s") :
		    _("%s: %s by %s, ref. %s"), period, amount, due,
		    f->reference);
		if (reply_addf(r, tail, "\n%s", line) == -1) {
			/* No kind heading without a fee under it. */
			r->len = mark;
			r->buf[r->len] = '\0';
			more = 1;
			break;
		}
		kind = f->kind;
	}
	if (more) {
		fees_summary(cfg, fs, r);
		free(fs);
		return 0;
	}
	if (reply_add(r, tail, NULL) == -1) {
		/* Too small a limit for even this: send it longer. */
		r->max_segments = SIZE_MAX;
		(void)reply_add(r, tail, NULL);
	}
	free(fs);
	return 0;
}

/* The names of the topics the caller does (or does not) get. */
static void
join_names(const struct services_topics *ts, int subscribed, char *buf,
    size_t size)
{
	size_t	 i, n;

	buf[0] = '\0';
	for (i = 0; i < ts->n; i++) {
		if (ts->t[i].subscribed != subscribed)
			continue;
		n = strlen(buf);
		if (util_snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
		    ts->t[i].name) == -1) {
			buf[n] = '\0';
			return;
		}
	}
}

static int
answer_topics(struct store *s, const struct services_caller *c,
    struct reply *r)
{
	struct services_topics	 ts;
	char			 on[512], off[512], line[1200];

	if (services_topics(s, c, &ts) == -1)
		return -1;
	join_names(&ts, 1, on, sizeof(on));
	join_names(&ts, 0, off, sizeof(off));
	line[0] = '\0';
	if (on[0] != '\0')
		(void)util_snprintf(line, sizeof(line), _("You get: %s."), on);
	if (off[0] != '\0') {
		size_t	 n = strlen(line);

		(void)util_snprintf(line + n, sizeof(line) - n, "%s",
		    n ? " " : "");
		n = strlen(line);
		(void)util_snprintf(line + n, sizeof(line) - n,
		    _("You do not get: %s."), off);
	}
	if (reply_addf(r, NULL, "%s %s", line,
	    _("To change: START or STOP and a topic.")) == -1)
		reply_set(r, line);
	return 0;
}

/*
 * START alone undoes STOP alone: the topics it turned off come back and
 * the list says what the caller now gets; with nothing to undo, the list.
 */
static int
answer_start_all(struct store *s, const struct services_caller *c,
    struct reply *r)
{
	int64_t	 n;

	if (services_start_all(s, c, &n) == -1)
		return -1;
	if (n > 0 && reply_addf(r, NULL, "%s ", _("Messages resumed.")) == -1)
		return -1;
	return answer_topics(s, c, r);
}

static int
answer_sub(struct store *s, const struct services_caller *c,
    const char *arg, size_t arglen, int on, struct reply *r)
{
	struct services_topic	 t;
	char			 query[SERVICES_NAME_SIZE], line[512];
	int			 rc;

	if (arglen >= sizeof(query))
		arglen = sizeof(query) - 1;
	memcpy(query, arg, arglen);
	query[arglen] = '\0';
	rc = services_subscribe(s, c, query, on, &t);
	switch (rc) {
	case SERVICES_SUB_OK:
		(void)util_snprintf(line, sizeof(line), on ?
		    _("You will now get: %s. To stop: STOP %s") :
		    _("You will no longer get: %s. To return: START %s"),
		    t.name, t.code);
		reply_set(r, line);
		return 0;
	case SERVICES_SUB_EMERGENCY:
		reply_set(r, _("Emergency alerts cannot be turned off."));
		return 0;
	case SERVICES_SUB_NO_TOPIC:
		reply_set(r, _("No such topic. Send TOPICS for the list."));
		return 0;
	case SERVICES_SUB_NOT_REGISTERED:
		reply_set(r, _("This number is not registered with the "
		    "municipality. Visit a client service centre."));
		return 0;
	default:
		return -1;
	}
}

static int
answer_report(struct store *s, const struct services_caller *c,
    enum keywords_cmd cmd, const char *arg, size_t arglen,
    const struct keywords_opts *opts, struct reply *r,
    struct keywords_result *res)
{
	struct services_report	 rp;
	char			 case_no[SERVICES_CASE_NO_SIZE], line[256];
	const char		*errstr = NULL;
	int			 rc;

	if (arglen == 0) {
		reply_set(r, cmd == KEYWORDS_POLICE ?
		    _("Send POLICE and what happened, and where.") :
		    _("Send APPLICATION and the text of your application."));
		return 0;
	}
	memset(&rp, 0, sizeof(rp));
	rp.kind = cmd == KEYWORDS_POLICE ? SERVICES_REPORT_POLICE :
	    SERVICES_REPORT_APPLICATION;
	rp.text = arg;
	rp.len = arglen;
	rp.channel = "sms";
	rp.duty_numbers = opts != NULL ? opts->duty_numbers : NULL;
	rc = services_report_file(s, c, &rp, case_no, &errstr);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		(void)util_snprintf(line, sizeof(line), _("Not received: %s."),
		    _(errstr));
		reply_set(r, line);
		return 0;
	}
	(void)util_strlcpy(res->case_no, case_no, sizeof(res->case_no));
	(void)util_snprintf(line, sizeof(line), cmd == KEYWORDS_POLICE ?
	    _("Police report received, case %s. In an emergency call 112.") :
	    _("Application received, no. %s."), case_no);
	reply_set(r, line);
	return 0;
}

/*
 * ATLAIDES: the offers the caller is entitled to, nearest first, in two
 * segments at most; when more exist the last line sends the resident to
 * the USSD menu, which pages through them all, and room for it is kept
 * from the start.
 */
static int
answer_discounts(struct store *s, const struct config *cfg,
    const struct services_caller *c, struct reply *r)
{
	struct card_entitled	*e;
	char			 tail[128], more_at[96];
	size_t			 n, i;
	int			 more;

	e = xcalloc(DISCOUNTS_MAX, sizeof(*e));
	if (card_entitled(s, c->resident[0], e, DISCOUNTS_MAX, &n,
	    &more) == -1) {
		free(e);
		return -1;
	}
	if (n == 0) {
		reply_set(r, _("No discounts for you at partner merchants "
		    "now."));
		free(e);
		return 0;
	}
	if (r->max_segments > DISCOUNTS_MAX_SEGMENTS)
		r->max_segments = DISCOUNTS_MAX_SEGMENTS;
	(void)util_snprintf(more_at, sizeof(more_at), _("More: dial %s"),
	    config_str(cfg, CFG_USSD_SERVICE_CODE));
	(void)util_snprintf(tail, sizeof(tail), "\n%s", more_at);
	(void)reply_add(r, _("Your discounts:"), tail);
	for (i = 0; i < n; i++)
		if (reply_addf(r, tail, "\n%s: %s", e[i].merchant,
		    e[i].text) == -1) {
			more = 1;
			break;
		}
	if (more)
		(void)reply_add(r, tail, NULL);
	free(e);
	return 0;
}

/* KARTE: the code goes by an SMS of its own, secret and expiring. */
static int
answer_card(struct store *s, const struct config *cfg,
    const struct services_caller *c, struct reply *r)
{
	time_t	 expires;

	switch (card_issue(s, config_int(cfg, CFG_CARD_CODE_TTL_S),
	    config_str(cfg, CFG_MUNICIPALITY_NAME_GENITIVE), c->resident[0],
	    c->phone, &expires)) {
	case CARD_ISSUED:
		r->apart = 1;
		return 0;
	case CARD_REUSED:
		reply_set(r, _("Your card code was sent less than a minute "
		    "ago: use that one."));
		return 0;
	case CARD_NO_MOBILE:
		reply_set(r, _("This number is not registered with the "
		    "municipality. Visit a client service centre."));
		return 0;
	default:
		return -1;
	}
}

/* PĀRBAUDE: a merchant's check of a customer's code. */
static int
answer_check(struct store *s, const struct config *cfg, const char *phone,
    const char *arg, size_t arglen, struct reply *r)
{
	struct card_check_params p;
	struct card_check	*ck;
	struct tm		 tm;
	char			 code[32], line[KEYWORDS_REPLY_SIZE];
	char			 offers[KEYWORDS_REPLY_SIZE];
	size_t			 i, n;
	int			 rc;

	/* A longer text is no code: card_check says so after the phone. */
	if (arglen >= sizeof(code))
		arglen = sizeof(code) - 1;
	memcpy(code, arg, arglen);
	code[arglen] = '\0';
	card_check_params_init(&p, cfg);
	ck = xcalloc(1, sizeof(*ck));
	rc = card_check(s, &p, phone, code, ck);
	explicit_bzero(code, sizeof(code));
	switch (rc) {
	case CARD_NOT_MERCHANT:
		/* Nothing more, whatever the code: a stranger learns nothing. */
		reply_set(r, _("This number is not registered as a merchant's "
		    "phone."));
		break;
	case CARD_BAD_CODE:
		reply_set(r, _("Send CHECK and the customer's 6-digit code, "
		    "e.g. CHECK 123456."));
		break;
	case CARD_VALID:
		offers[0] = '\0';
		for (i = 0; i < ck->noffers; i++) {
			n = strlen(offers);
			if (util_snprintf(offers + n, sizeof(offers) - n,
			    "%s%s", i > 0 ? "; " : "", ck->offers[i]) == -1) {
				offers[n] = '\0';
				break;
			}
		}
		(void)util_snprintf(line, sizeof(line), _("Valid (%s). "
		    "Discount: %s"), ck->name, offers);
		reply_set(r, line);
		break;
	case CARD_NO_OFFER:
		(void)util_snprintf(line, sizeof(line), _("Code valid (%s), "
		    "but none of your discounts is for this resident."),
		    ck->name);
		reply_set(r, line);
		break;
	case CARD_USED:
		reply_set(r, _("This code was checked here today already."));
		break;
	case CARD_EXPIRED:
		reply_set(r, _("The code has expired: the customer can send "
		    "CARD for a new one."));
		break;
	case CARD_WRONG:
		(void)util_snprintf(line, sizeof(line), ngettext("Wrong code. "
		    "%d more wrong one stops checks from this phone for a "
		    "while.", "Wrong code. %d more wrong ones stop checks from "
		    "this phone for a while.", ck->left), ck->left);
		reply_set(r, line);
		break;
	case CARD_LOCKED:
		clock_local(ck->until, &tm);
		(void)util_snprintf(line, sizeof(line), _("Too many wrong "
		    "codes. Checks from this phone resume at %02d:%02d."),
		    tm.tm_hour, tm.tm_min);
		reply_set(r, line);
		break;
	default:
		free(ck);
		return -1;
	}
	free(ck);
	return 0;
}

/*
 * STATUSS: a case's status for the resident who filed it. Anybody else,
 * registered or not, hears what a number that was never given out gets:
 * not even whether the case exists.
 */
static int
answer_status(struct store *s, const struct services_caller *c,
    const char *arg, size_t arglen, struct reply *r)
{
	struct cases_mine	 m;
	char			 no[SERVICES_CASE_NO_SIZE];
	char			 date[I18N_DATE_SIZE], line[256];
	int			 rc;

	if (cases_no_parse(arg, arglen, no, sizeof(no)) == -1) {
		reply_set(r, _("Send STATUS and your case number, e.g. STATUS "
		    "P-2026-000123."));
		return 0;
	}
	if ((rc = cases_mine_get(s, c, no, &m)) == -1)
		return -1;
	if (rc == 1)
		(void)util_snprintf(line, sizeof(line), _("No case %s of yours "
		    "was found. Check the number."), no);
	else {
		clock_date_text(m.changed_at, date, sizeof(date));
		(void)util_snprintf(line, sizeof(line), _("Case %s: %s, since "
		    "%s."), m.case_no, cases_status_text(m.status), date);
	}
	reply_set(r, line);
	return 0;
}

/* STOP or START, alone or with a topic: a choice to confirm. */
static int
is_choice(enum keywords_cmd cmd)
{
	return cmd == KEYWORDS_STOP || cmd == KEYWORDS_STOP_ALL ||
	    cmd == KEYWORDS_START;
}

/* Over the limit: STOP is honoured without a word. */
static int
stop_silently(struct store *s, const char *phone, enum keywords_cmd cmd,
    const char *arg, size_t arglen)
{
	struct services_caller	 c;
	char			 query[SERVICES_NAME_SIZE];

	if (cmd != KEYWORDS_STOP && cmd != KEYWORDS_STOP_ALL)
		return 0;
	if (services_caller_by_phone(s, phone, &c) != 0)
		return -1;
	if (cmd == KEYWORDS_STOP_ALL)
		return services_stop_all(s, &c, NULL);
	if (arglen >= sizeof(query))
		arglen = sizeof(query) - 1;
	memcpy(query, arg, arglen);
	query[arglen] = '\0';
	return services_subscribe(s, &c, query, 0, NULL) == -1 ? -1 : 0;
}

static int
dispatch(struct store *s, const struct config *cfg,
    const struct services_caller *c, enum keywords_cmd cmd, const char *arg,
    size_t arglen, const struct keywords_opts *opts, struct reply *r,
    struct keywords_result *res)
{
	const char	*unreg = _("This number is not registered with the "
			    "municipality. Visit a client service centre.");
	char		 help[512];

	switch (cmd) {
	case KEYWORDS_QUEUE:
	case KEYWORDS_FEES:
	case KEYWORDS_TOPICS:
	case KEYWORDS_START:
	case KEYWORDS_STOP:
	case KEYWORDS_DISCOUNTS:
	case KEYWORDS_CARD:
		/* An unknown number learns nothing about anybody. */
		if (c->nresidents == 0) {
			reply_set(r, unreg);
			return 0;
		}
		break;
	default:
		break;
	}
	switch (cmd) {
	case KEYWORDS_QUEUE:
		return answer_queue(s, c, r);
	case KEYWORDS_FEES:
		return answer_fees(s, cfg, c, r);
	case KEYWORDS_TOPICS:
		return answer_topics(s, c, r);
	case KEYWORDS_START:
		if (arglen == 0)
			return answer_start_all(s, c, r);
		return answer_sub(s, c, arg, arglen, 1, r);
	case KEYWORDS_STOP:
		return answer_sub(s, c, arg, arglen, 0, r);
	case KEYWORDS_STOP_ALL:
		if (services_stop_all(s, c, NULL) == -1)
			return -1;
		reply_set(r, _("Messages stopped, except emergency alerts. "
		    "To return: START and a topic."));
		return 0;
	case KEYWORDS_POLICE:
	case KEYWORDS_APPLICATION:
		return answer_report(s, c, cmd, arg, arglen, opts, r, res);
	case KEYWORDS_DISCOUNTS:
		return answer_discounts(s, cfg, c, r);
	case KEYWORDS_CARD:
		return answer_card(s, cfg, c, r);
	case KEYWORDS_CHECK:
		return answer_check(s, cfg, c->phone, arg, arglen, r);
	case KEYWORDS_STATUS:
		return answer_status(s, c, arg, arglen, r);
	case KEYWORDS_HELP:
		/* The menu's code too: it lists what a word cannot. */
		(void)util_snprintf(help, sizeof(help), _("QUEUE, FEES, TOPICS, "
		    "DISCOUNTS, CARD, STATUS and case no., START or STOP and a "
		    "topic, STOP - all off, POLICE or APPLICATION and text. "
		    "Menu: dial %s"), config_str(cfg,
		    CFG_USSD_SERVICE_CODE));
		reply_set(r, help);
		return 0;
	default:
		reply_set(r, _("Send QUEUE, FEES, TOPICS, STOP, POLICE and "
		    "text, or HELP."));
		return 0;
	}
}

int
keywords_handle(struct store *s, const struct config *cfg, const char *from,
    const char *text, size_t len, const struct keywords_opts *opts,
    char *reply, size_t size, struct keywords_result *res)
{
	struct keywords_result	 dummy;
	struct services_caller	 c;
	struct kw_slot		*slot = NULL;
	struct reply		*r;
	char			 phone[IDENT_PHONE_SIZE], masked[32], saved[8];
	const char		*arg, *errstr;
	size_t			 arglen;
	enum keywords_cmd	 cmd;
	int			 rc = 1, confirm_only = 0, till = 0;

	if (res == NULL)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	(void)util_strlcpy(res->lang, "lv", sizeof(res->lang));
	if (size > 0)
		reply[0] = '\0';
	if (size < 2)
		fatalx("keywords_handle: no room for a reply");
	if (keywords_sender(from, phone) == -1) {
		res->silence = KEYWORDS_SILENT_SENDER;
		log_debug("keywords: no reply to a sender that is not a "
		    "mobile number");
		return 0;
	}
	if (text == NULL)
		len = 0;
	if (len > KEYWORDS_TEXT_MAX)
		len = KEYWORDS_TEXT_MAX;
	if (keywords_is_receipt(text, len)) {
		res->silence = KEYWORDS_SILENT_RECEIPT;
		log_debug("keywords: no reply to a receipt-shaped text");
		return 0;
	}
	cmd = keywords_parse(text != NULL ? text : "", len, &arg, &arglen);
	res->cmd = cmd;
	ident_phone_mask(phone, masked, sizeof(masked));
	/*
	 * A till checks many customers an hour: a merchant phone's checks
	 * are not counted (its wrong codes have their own lock-out), while
	 * anything else it sends is, so an answering machine still loops
	 * into silence.
	 */
	if (cmd == KEYWORDS_CHECK && (till = card_merchant_phone(s,
	    phone)) == -1)
		return -1;
	if (opts != NULL && opts->limiter != NULL && !till) {
		slot = limiter_slot(opts->limiter, phone, clock_mono_ms());
		/*
		 * A STOP or START is always confirmed and never counted: the
		 * resident must learn the wish was heard. Confirmations past
		 * the limit have a limit of their own, so two machines
		 * trading STOPs cannot loop for ever.
		 */
		if (is_choice(cmd) && slot->count >=
		    opts->limiter->per_hour && slot->confirmed <
		    opts->limiter->per_hour) {
			slot->confirmed++;
			confirm_only = 1;
		} else if (slot->count >= opts->limiter->per_hour) {
			res->silence = KEYWORDS_SILENT_LIMIT;
			if (!slot->warned)
				log_warnx("keywords: %s had %d replies this "
				    "hour: silent until the hour is over",
				    masked, slot->count);
			slot->warned = 1;
			/* A wish to hear nothing more is still a wish. */
			if (cmd == KEYWORDS_STOP || cmd == KEYWORDS_STOP_ALL)
				log_info("keywords: %s from %s honoured "
				    "without a reply", keywords_cmd_name(cmd),
				    masked);
			return stop_silently(s, phone, cmd, arg, arglen);
		}
	}

	if (services_caller_by_phone(s, phone, &c) != 0)
		return -1;
	res->registered = c.nresidents > 0;
	(void)util_strlcpy(res->lang, c.lang, sizeof(res->lang));
	(void)util_strlcpy(saved, i18n_lang(), sizeof(saved));
	(void)i18n_set_lang(c.lang);

	r = xcalloc(1, sizeof(*r));
	r->buf = reply;
	r->size = size < sizeof(r->scratch) ? size : sizeof(r->scratch);
	r->len = 0;
	r->max_segments = (size_t)config_int(cfg, CFG_SMS_MAX_SEGMENTS);
	if (smstext_policy_parse(config_str(cfg, CFG_SMS_ENCODING),
	    &r->o.policy, &errstr) == -1)
		r->o.policy = SMSTEXT_AUTO;
	/*
	 * A text no keyword answers, and a report, go to the municipality's
	 * systems too (mo.unhandled), queued in the caller's transaction so
	 * the event is kept exactly when the text's handling is.
	 */
	if (dispatch(s, cfg, &c, cmd, arg, arglen, opts, r, res) == -1 ||
	    ((cmd == KEYWORDS_UNKNOWN || res->case_no[0] != '\0') &&
	    callback_mo(s, phone, c.nresidents > 0 ? c.resident[0] : 0, text,
	    len, res->case_no) == -1)) {
		reply_set(r, _("Sorry, the service is unavailable now. Please "
		    "try again later."));
		rc = -1;
	}
	res->segments = segments_of(r, r->buf, r->len);
	if (rc == 1 && r->apart) {
		/* Counted as a reply: a KARTE loop is limited as any other. */
		rc = 0;
		res->silence = KEYWORDS_SENT_APART;
		res->segments = 0;
		reply[0] = '\0';
		if (slot != NULL && !confirm_only)
			slot->count++;
		log_info("keywords: %s from %s answered by its own message",
		    keywords_cmd_name(cmd), masked);
	}
	(void)i18n_set_lang(saved);
	free(r);
	if (rc == 1) {
		res->silence = KEYWORDS_ANSWERED;
		if (slot != NULL && !confirm_only && !is_choice(cmd))
			slot->count++;
		log_info("keywords: %s from %s answered (%s, %zu segment%s)",
		    keywords_cmd_name(cmd), masked, res->lang, res->segments,
		    res->segments == 1 ? "" : "s");
	}
	return rc;
}
