/*
 * cases: reading and moving the reports table for staff. Filing is
 * services_report_file's; here a case is listed, shown whole with the
 * resident's name (staff may see it, the log never does), and its status
 * set, with an audit row for each change and, for news, an SMS to the
 * resident who filed it (cases_set_status_notify).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "broadcast.h"
#include "cases.h"
#include "clock.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "outbox.h"
#include "smstext.h"
#include "store.h"
#include "util.h"

const char *const cases_statuses[CASES_NSTATUSES] = {
	"new", "in_progress", "done", "rejected",
};

int
cases_status_valid(const char *s)
{
	size_t	 i;

	for (i = 0; i < CASES_NSTATUSES; i++)
		if (strcmp(s, cases_statuses[i]) == 0)
			return 1;
	return 0;
}

/* The columns of ST_CASES_LIST and ST_CASES_GET. */
static void
row(struct store_cur *c, struct cases_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = store_i64(c, 0);
	store_text(c, 1, r->case_no, sizeof(r->case_no));
	store_text(c, 2, r->kind, sizeof(r->kind));
	store_text(c, 3, r->category, sizeof(r->category));
	store_text(c, 4, r->channel, sizeof(r->channel));
	store_text(c, 5, r->status, sizeof(r->status));
	store_text(c, 6, r->phone, sizeof(r->phone));
	r->resident_id = store_i64(c, 7);
	store_text(c, 8, r->resident, sizeof(r->resident));
	r->created_at = (time_t)store_i64(c, 9);
	store_text(c, 10, r->text, sizeof(r->text));
}

int
cases_list(struct store *s, const char *status, const char *kind,
    size_t limit, int (*cb)(void *, const struct cases_row *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_CASES_LIST);
	struct cases_row	 r;
	int			 rc;

	if (store_bind(c, "ssI", status, kind, (int64_t)limit) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		row(c, &r);
		if (cb(arg, &r) == -1) {
			rc = STORE_OK;
			break;
		}
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

int
cases_get(struct store *s, const char *case_no, struct cases_row *r)
{
	struct store_cur	*c = store_cur(s, ST_CASES_GET);
	int			 rc;

	if (store_bind(c, "s", case_no) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		row(c, r);
	store_reset(c);
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int
cases_set_status(struct store *s, const char *case_no, const char *status,
    const char *actor, const char **errstr)
{
	char		 detail[96];

	if (!cases_status_valid(status)) {
		*errstr = N_("the status is not one of new, in_progress, done, "
		    "rejected");
		return 1;
	}
	if (store_begin(s) == -1)
		return -1;
	if (store_do(s, ST_CASES_SET_STATUS, "ss", case_no, status) !=
	    STORE_OK)
		goto fail;
	if (store_changes(s) == 0) {
		store_rollback(s);
		*errstr = N_("there is no case with that number");
		return 1;
	}
	/* The case number and status only: no name, no text. */
	(void)util_snprintf(detail, sizeof(detail), "case=%s status=%s",
	    case_no, status);
	if (store_audit(s, actor != NULL ? actor : "munictl", "case status",
	    detail) == -1)
		goto fail;
	if (store_commit(s) == -1)
		return -1;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

/* --- A resident's own cases (issue 21). */

int
cases_no_parse(const char *in, size_t len, char *out, size_t size)
{
	size_t	 b = 0, e = len, i;

	while (b < e && isspace((unsigned char)in[b]))
		b++;
	while (e > b && isspace((unsigned char)in[e - 1]))
		e--;
	/*
	 * What services_report_file makes: P (police) or I (application), a
	 * dash, the year, a dash and the counter in at least six digits.
	 */
	if (e - b < 13 || e - b > 16 || e - b + 1 > size)
		return -1;
	if (in[b] == '\0' || strchr("PpIi", in[b]) == NULL ||
	    in[b + 1] != '-' || in[b + 6] != '-')
		return -1;
	for (i = b + 2; i < e; i++) {
		if (i == b + 6)
			continue;
		if (!isdigit((unsigned char)in[i]))
			return -1;
	}
	memcpy(out, in + b, e - b);
	out[e - b] = '\0';
	out[0] = (char)toupper((unsigned char)out[0]);
	return 0;
}

/* The columns of ST_CASES_MINE_GET and ST_CASES_MINE_LIST. */
static void
mine_row(struct store_cur *c, struct cases_mine *m)
{
	memset(m, 0, sizeof(*m));
	store_text(c, 0, m->case_no, sizeof(m->case_no));
	store_text(c, 1, m->kind, sizeof(m->kind));
	store_text(c, 2, m->status, sizeof(m->status));
	m->changed_at = (time_t)store_i64(c, 3);
}

int
cases_mine_get(struct store *s, const struct services_caller *who,
    const char *case_no, struct cases_mine *out)
{
	struct store_cur	*c = store_cur(s, ST_CASES_MINE_GET);
	size_t			 i;
	int			 rc = STORE_OK;

	/* Any resident of a shared phone: the phone filed it. */
	for (i = 0; i < who->nresidents; i++) {
		if (store_bind(c, "sI", case_no, who->resident[i]) !=
		    STORE_OK)
			return -1;
		if ((rc = store_step(c)) == STORE_ROW)
			mine_row(c, out);
		store_reset(c);
		if (rc != STORE_OK)
			break;
	}
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int
cases_mine_list(struct store *s, const struct services_caller *who,
    struct cases_mine *out, size_t max, size_t *n, int *more)
{
	struct store_cur	*c = store_cur(s, ST_CASES_MINE_LIST);
	int			 rc;

	*n = 0;
	*more = 0;
	if (who->nresidents == 0)
		return 0;
	if (store_bind(c, "II", who->resident[0], (int64_t)max + 1) !=
	    STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if (*n == max) {
			*more = 1;
			rc = STORE_OK;
			break;
		}
		mine_row(c, &out[(*n)++]);
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

const char *
cases_status_text(const char *status)
{
	if (strcmp(status, "new") == 0)
		return _("new");
	if (strcmp(status, "in_progress") == 0)
		return _("in progress");
	if (strcmp(status, "done") == 0)
		return _("handled");	/* "done" is a broadcast's */
	if (strcmp(status, "rejected") == 0)
		return _("rejected");
	return status;
}

/* --- The resident told when staff move a case (issue 21). */

const char *
cases_sms_name(enum cases_sms v)
{
	switch (v) {
	case CASES_SMS_QUEUED:
		return "queued";
	case CASES_SMS_NONE:
		return "none";
	case CASES_SMS_NO_RESIDENT:
		return "no_resident";
	case CASES_SMS_NO_PHONE:
		return "no_phone";
	case CASES_SMS_UNSUBSCRIBED:
		return "unsubscribed";
	}
	return "?";
}

/*
 * The SMS for case_no now at status, in the current language, the note
 * (may be "") after it. 0, or -1 when it does not fit buf.
 */
static int
notice_text(const char *case_no, const char *status, const char *note,
    char *buf, size_t size)
{
	size_t		 n;
	int		 rc;

	if (strcmp(status, "in_progress") == 0)
		rc = util_snprintf(buf, size, _("Your case %s is being "
		    "handled."), case_no);
	else if (strcmp(status, "done") == 0)
		rc = util_snprintf(buf, size, _("Your case %s has been "
		    "handled."), case_no);
	else
		rc = util_snprintf(buf, size, _("Your case %s has been "
		    "rejected."), case_no);
	if (rc == -1)
		return -1;
	if (note[0] == '\0')
		return 0;
	n = strlen(buf);
	/* TRANSLATORS: staff's note to the resident about their case. */
	return util_snprintf(buf + n, size - n, "\n%s %s", _("Note:"), note);
}

/*
 * Staff's note: plain text of at most CASES_NOTE_MAX bytes, and the SMS
 * it makes within CASES_SMS_SEGMENTS in both languages (the resident's is
 * known only later, and a note must not pass for one resident and fail
 * for the next). 0, or -1 with err.
 */
static int
note_check(const char *case_no, const char *note, const char *encoding,
    char *err, size_t errsize)
{
	static const char *const langs[] = { "lv", "en" };
	struct smstext_opts	 o;
	struct smstext_info	 info;
	const char		*errstr;
	char			 text[OUTBOX_TEXT_MAX + 1], was[8];
	size_t			 i, n = strlen(note), worst = 0;
	int			 rc = 0;

	if (n > CASES_NOTE_MAX) {
		(void)util_snprintf(err, errsize, _("--note: %zu bytes, at "
		    "most %d"), n, CASES_NOTE_MAX);
		return -1;
	}
	if (!util_utf8_valid(note, n)) {
		(void)util_snprintf(err, errsize, "%s",
		    _("--note: not UTF-8 text"));
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)note[i] < 0x20 || note[i] == 0x7f) {
			(void)util_snprintf(err, errsize, _("--note: a control "
			    "character at byte %zu (one line of text)"), i + 1);
			return -1;
		}
	memset(&o, 0, sizeof(o));
	if (smstext_policy_parse(encoding != NULL ? encoding : "auto",
	    &o.policy, &errstr) == -1)
		o.policy = SMSTEXT_AUTO;
	(void)util_strlcpy(was, i18n_lang(), sizeof(was));
	for (i = 0; i < nitems(langs) && rc == 0; i++) {
		(void)i18n_set_lang(langs[i]);
		if (notice_text(case_no, "in_progress", note, text,
		    sizeof(text)) == -1 || smstext_analyze(text,
		    strlen(text), &o, &info, &errstr) == -1)
			rc = -1;
		else if (info.segments > worst)
			worst = info.segments;
	}
	(void)i18n_set_lang(was);
	if (rc == -1 || worst > CASES_SMS_SEGMENTS) {
		(void)util_snprintf(err, errsize, _("--note: the SMS with it "
		    "needs %zu segments, at most %d: shorten the note"),
		    worst, CASES_SMS_SEGMENTS);
		return -1;
	}
	return 0;
}

/*
 * Inside the open transaction: tell resident (phone, kind, lang) that
 * case_no is now at status, or say why not in *sms. 0, or -1 on a
 * database error (or an outbox refusal, which note_check should make
 * impossible).
 */
static int
notify(struct store *s, const char *case_no, const char *status,
    const struct cases_notify *nf, int64_t resident, const char *phone,
    int kind, const char *lang, enum cases_sms *sms, int64_t *outbox_id)
{
	struct outbox_msg	 m;
	const char		*errstr;
	char			 text[OUTBOX_TEXT_MAX + 1], was[8];
	int64_t			 on = 0;
	time_t			 now = clock_now();
	int			 rc;

	if (resident == 0) {
		*sms = CASES_SMS_NO_RESIDENT;
		return 0;
	}
	if (phone[0] == '\0' || (kind != IDENT_PHONE_LV_MOBILE &&
	    kind != IDENT_PHONE_FOREIGN)) {
		*sms = CASES_SMS_NO_PHONE;
		return 0;
	}
	if (store_do(s, ST_CASES_TOPIC, "") != STORE_OK ||
	    store_one_i64(s, ST_CASES_SUBSCRIBED, &on, "Is", resident,
	    CASES_TOPIC) != STORE_ROW)
		return -1;
	if (on == 0) {
		*sms = CASES_SMS_UNSUBSCRIBED;
		return 0;
	}
	(void)util_strlcpy(was, i18n_lang(), sizeof(was));
	if (i18n_set_lang(lang) == -1)
		(void)i18n_set_lang("lv");
	rc = notice_text(case_no, status, nf->note != NULL ? nf->note : "",
	    text, sizeof(text));
	(void)i18n_set_lang(was);
	if (rc == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	m.phone = phone;
	m.text = text;
	m.encoding = nf->encoding;
	m.validity_s = CASES_SMS_VALIDITY_S;
	/* Quiet hours as reminders keep them: held till they end. */
	m.not_before = broadcast_quiet_end(now, nf->quiet_start,
	    nf->quiet_end);
	if (m.not_before == now)
		m.not_before = 0;
	m.topic = CASES_TOPIC;
	m.resident_id = resident;
	m.max_segments = CASES_SMS_SEGMENTS;
	if ((*outbox_id = outbox_enqueue(s, &m, &errstr)) == -1) {
		log_warnx("cases: %s: the SMS: %s", case_no, errstr);
		return -1;
	}
	*sms = CASES_SMS_QUEUED;
	return 0;
}

int
cases_set_status_notify(struct store *s, const char *case_no,
    const char *status, const struct cases_notify *nf, const char *actor,
    enum cases_sms *sms, int64_t *outbox_id, char *err, size_t errsize)
{
	struct store_cur	*c;
	const char		*note = nf->note != NULL ? nf->note : "";
	char			 old[16], phone[IDENT_PHONE_SIZE], lang[8];
	char			 detail[128];
	int64_t			 resident = 0;
	int			 kind = -1, rc;

	*sms = CASES_SMS_NONE;
	*outbox_id = 0;
	if (!cases_status_valid(status)) {
		(void)util_snprintf(err, errsize, "%s", _("the status is not "
		    "one of new, in_progress, done, rejected"));
		return 1;
	}
	if (note[0] != '\0' && note_check(case_no, note, nf->encoding, err,
	    errsize) == -1)
		return 1;
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	c = store_cur(s, ST_CASES_NOTIFY_GET);
	if (store_bind(c, "s", case_no) != STORE_OK) {
		store_reset(c);
		return store_abort(s, err, errsize);
	}
	if ((rc = store_step(c)) == STORE_ROW) {
		store_text(c, 0, old, sizeof(old));
		resident = store_i64(c, 1);
		store_text(c, 2, phone, sizeof(phone));
		kind = store_int(c, 3);
		store_text(c, 4, lang, sizeof(lang));
	}
	store_reset(c);
	if (rc < 0)
		return store_abort(s, err, errsize);
	if (rc != STORE_ROW) {
		store_rollback(s);
		(void)util_snprintf(err, errsize, "%s",
		    _("there is no case with that number"));
		return 1;
	}
	if (store_do(s, ST_CASES_SET_STATUS, "ss", case_no, status) !=
	    STORE_OK)
		return store_abort(s, err, errsize);
	/* News only: a case moved on, not one set to what it was. */
	if (strcmp(status, "new") != 0 && strcmp(status, old) != 0 &&
	    notify(s, case_no, status, nf, resident, phone, kind, lang, sms,
	    outbox_id) == -1)
		return store_abort(s, err, errsize);
	/* Number, status, what became of the SMS: no name, no note text. */
	(void)util_snprintf(detail, sizeof(detail),
	    "case=%s status=%s sms=%s%s", case_no, status,
	    cases_sms_name(*sms), note[0] != '\0' ? " note" : "");
	if (store_audit(s, actor != NULL ? actor : "munictl", "case status",
	    detail) == -1 || store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}
