/*
 * screens: the resident's screens — welcome and language, the menu,
 * identification by personal code and SMS code, the queue, fees with the
 * payment QR code, notification topics, reports — the idle warning
 * that ends a forgotten visit, and the yes/no question shown before what
 * cannot be undone. One task per screen, digits to choose, one back rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "epc.h"
#include "i18n.h"
#include "ident.h"
#include "kiosk.h"
#include "log.h"
#include "otp.h"
#include "pager.h"
#include "payments.h"
#include "qr.h"
#include "services.h"
#include "speech.h"
#include "store.h"
#include "ui.h"
#include "util.h"

#define PCODE_DIGITS	11
/* The audit action of a report from someone not signed in: counted. */
#define KIOSK_AUDIT_ANON_REPORT	"report: not signed in"
#define QR_TEXT_COLS	34	/* the text beside the code */
#define QUEUE_PER_PAGE	3	/* up to five rows a child */
#define FEES_PER_PAGE	7	/* two rows a fee, and the total below */

static const char *const *
legend(const char *k1, const char *v1, const char *k2, const char *v2,
    const char *k3, const char *v3)
{
	static const char	*l[7];

	l[0] = k1; l[1] = v1; l[2] = k2; l[3] = v2; l[4] = k3; l[5] = v3;
	l[6] = NULL;
	return l;
}

/*
 * One rule for going back, on every screen: the left arrow always goes
 * back; 0 does too, except where digits are typed (a personal code, a
 * one-time code, a staff number or PIN, a text), where 0 is a digit. Each
 * legend says which of the two keys its screen takes.
 */
const char *const *
kiosk_legend_choice(void)
{
	return legend("0/←", _("Back"), "9", _("Help"), NULL, NULL);
}

const char *const *
kiosk_legend_input(void)
{
	return legend("←", _("Back"), "⌫", _("Delete"), "Enter",
	    _("Continue"));
}

void
kiosk_audit(struct kiosk *k, const char *action, const char *detail)
{
	/*
	 * A failed audit row is logged; the resident's screen goes on. A
	 * signed-in person is the actor; the terminal is the row's origin.
	 */
	if (store_audit(k->store, k->staff.in && k->staff.name[0] != '\0' ?
	    k->staff.name : k->actor, action, detail) == -1)
		log_warnx("audit: %s: %s", action, store_errmsg(k->store));
}

static void
audit_resident(struct kiosk *k, const char *action)
{
	char	 d[64];

	(void)snprintf(d, sizeof(d), "resident=%lld",
	    (long long)k->sess.resident_id);
	kiosk_audit(k, action, d);
}

static void
input_clear(struct kiosk *k)
{
	explicit_bzero(k->sess.input, sizeof(k->sess.input));
	k->sess.input_len = 0;
}

void
kiosk_go(struct kiosk *k, enum kiosk_screen s)
{
	k->screen = s;
	k->ask = KA_NONE;
	k->note[0] = '\0';
	k->note_error = 0;
	input_clear(k);
	k->dirty = 1;
}

void
kiosk_message(struct kiosk *k, enum kiosk_screen back, int error,
    const char *text)
{
	(void)util_strlcpy(k->msg, text, sizeof(k->msg));
	k->msg_error = error;
	k->back = back;
	kiosk_go(k, KS_MESSAGE);
}

static void
note(struct kiosk *k, int error, const char *text)
{
	(void)util_strlcpy(k->note, text, sizeof(k->note));
	k->note_error = error;
	k->dirty = 1;
}

/*
 * An error note stays while the field it is about stays as it was (a key
 * that changes nothing must not hide it), and goes with the first change.
 * A note that is not an error (where a code went) stays with its screen.
 */
void
kiosk_field_changed(struct kiosk *k)
{
	if (k->note_error) {
		k->note[0] = '\0';
		k->note_error = 0;
	}
	k->dirty = 1;
}

void
kiosk_ask(struct kiosk *k, enum kiosk_ask what)
{
	k->ask = what;
	k->dirty = 1;
}

void
kiosk_init(struct kiosk *k)
{
	const char	*langs = config_str(k->cfg, CFG_KIOSK_LANGUAGES);
	size_t		 n;

	/* Latvian first and always; then the configured others. */
	(void)util_strlcpy(k->langs[0], "lv", sizeof(k->langs[0]));
	k->nlangs = 1;
	while (*langs != '\0' && k->nlangs < KIOSK_LANGS_MAX) {
		n = strcspn(langs, ", ");
		if (n > 0 && n < sizeof(k->langs[0]) &&
		    strncmp(langs, "lv", n) != 0) {
			memcpy(k->langs[k->nlangs], langs, n);
			k->langs[k->nlangs][n] = '\0';
			k->nlangs++;
		}
		langs += n;
		langs += strspn(langs, ", ");
	}
	k->idle_s = (long)config_int(k->cfg, CFG_KIOSK_IDLE_TIMEOUT_S);
	otp_params_init(&k->otp, k->cfg);
	k->otp.terminal = k->terminal;	/* codes are capped per terminal */
	broadcast_params_init(&k->bp, k->cfg);
	k->last_key_ms = clock_mono_ms();
	(void)i18n_set_lang("lv");
	kiosk_go(k, KS_WELCOME);
}

void
kiosk_reset(struct kiosk *k)
{
	qr_free(k->sess.qr);
	staff_lists_free(k);
	explicit_bzero(&k->sess, sizeof(k->sess));
	explicit_bzero(&k->staff, sizeof(k->staff));
	explicit_bzero(k->msg, sizeof(k->msg));
	explicit_bzero(k->note, sizeof(k->note));
	k->warn_start_ms = 0;
	k->seq_len = 0;
	(void)i18n_set_lang("lv");
	/* The visit's speech ends with it (unless every visit speaks). */
	speech_set_on(k->speech, speech_mode(k->speech) == SPEECH_ON);
	ui_wipe();
	kiosk_go(k, KS_WELCOME);
}

/* The native name of a language, as its speakers look for it. */
static const char *
lang_name(const char *code)
{
	static const struct { const char *code, *name; } names[] = {
		{ "lv", "Latviešu" }, { "en", "English" },
		{ "ru", "Русский" }, { "uk", "Українська" },
	};
	size_t	 i;

	for (i = 0; i < nitems(names); i++)
		if (strcmp(names[i].code, code) == 0)
			return names[i].name;
	return code;
}

/* --- Welcome and menu. */

static void
draw_welcome(struct kiosk *k)
{
	char	 line[128];
	size_t	 i;
	int	 y = 3;

	/* Residents see whose terminal this is, not the program's name. */
	ui_begin(config_str(k->cfg, CFG_MUNICIPALITY_NAME));
	y = ui_wrap(y, 4, 72, UI_TITLE, _("Welcome! Here you can see your "
	    "child's place in the preschool queue, pay fees, choose "
	    "notifications and send a report."));
	y++;
	ui_text(y++, 4, 0, UI_NORMAL, _("Choose a language:"));
	y++;
	for (i = 0; i < k->nlangs; i++) {
		(void)snprintf(line, sizeof(line), "%zu  %s", i + 1,
		    lang_name(k->langs[i]));
		ui_text(y++, 6, 0, strcmp(k->langs[i], i18n_lang()) == 0 ?
		    UI_FIELD : UI_NORMAL, line);
	}
	y++;
	ui_wrap(y, 4, 72, UI_NORMAL, _("Press Enter to continue in the "
	    "language marked."));
	ui_finish(legend("Enter", _("Continue"), "9", _("Help"), NULL,
	    NULL));
}

static void
key_welcome(struct kiosk *k, int key)
{
	size_t	 i;

	/* Staff mode: a sequence of keypad keys a resident has no use for. */
	if (key < 128 && key > 0 && strchr(KIOSK_STAFF_SEQ, key) != NULL) {
		if (KIOSK_STAFF_SEQ[k->seq_len] == key) {
			if (++k->seq_len == sizeof(KIOSK_STAFF_SEQ) - 1) {
				k->seq_len = 0;
				staff_enter(k);
			}
		} else
			k->seq_len = KIOSK_STAFF_SEQ[0] == key;
		return;
	}
	k->seq_len = 0;
	if (key == UI_K_ENTER) {
		kiosk_go(k, KS_MENU);
		return;
	}
	if (key == '9') {
		k->help_from = KS_WELCOME;
		kiosk_go(k, KS_HELP);
		return;
	}
	if (key >= '1' && key < '1' + (int)k->nlangs) {
		i = (size_t)(key - '1');
		(void)i18n_set_lang(k->langs[i]);
		kiosk_go(k, KS_MENU);
	}
}

static void
draw_menu(struct kiosk *k)
{
	static const char *items[] = {
		N_("Your child's place in the preschool queue"),
		N_("Payments"),
		N_("Notifications"),
		N_("Report or application"),
	};
	char	 line[160];
	size_t	 i;
	int	 y = 3;

	(void)k;
	ui_begin(_("What would you like to do?"));
	for (i = 0; i < nitems(items); i++) {
		(void)snprintf(line, sizeof(line), "%zu  %s", i + 1,
		    _(items[i]));
		ui_text(y, 6, 0, UI_NORMAL, line);
		y += 2;
	}
	(void)snprintf(line, sizeof(line), "0  %s", _("End"));
	ui_text(y, 6, 0, UI_NORMAL, line);
	ui_finish(legend("0/←", _("End"), "9", _("Help"), NULL, NULL));
}

/* Load what a personal screen shows, and write who saw it. */
static void
open_personal(struct kiosk *k, enum kiosk_screen s)
{
	int	 rc = 0;

	switch (s) {
	case KS_QUEUE:
		rc = services_queue(k->store, &k->sess.caller,
		    &k->sess.queue);
		if (rc == 0)
			audit_resident(k, "view queue");
		pager_init(&k->sess.queue_pg, k->sess.queue.n,
		    QUEUE_PER_PAGE);
		break;
	case KS_FEES:
		rc = services_fees(k->store, k->cfg, &k->sess.caller,
		    &k->sess.fees);
		if (rc == 0)
			audit_resident(k, "view fees");
		pager_init(&k->sess.fees_pg, k->sess.fees.n, FEES_PER_PAGE);
		break;
	case KS_TOPICS:
		rc = services_topics(k->store, &k->sess.caller,
		    &k->sess.topics);
		if (rc == 0)
			audit_resident(k, "view topics");
		pager_init(&k->sess.topics_pg, k->sess.topics.n,
		    PAGER_PER_MAX);
		break;
	default:
		break;
	}
	if (rc == -1) {
		kiosk_message(k, KS_MENU, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
	kiosk_go(k, s);
}

static void
key_menu(struct kiosk *k, int key)
{
	enum kiosk_screen	 s;

	switch (key) {
	case '0':
	case UI_K_LEFT:
		if (k->sess.identified)
			audit_resident(k, "session ended");
		kiosk_reset(k);
		return;
	case '1':
		s = KS_QUEUE;
		break;
	case '2':
		s = KS_FEES;
		break;
	case '3':
		s = KS_TOPICS;
		break;
	case '4':
		kiosk_go(k, KS_REPORT_CAT);
		return;
	default:
		return;
	}
	if (k->sess.identified) {
		open_personal(k, s);
		return;
	}
	k->after_ident = s;
	kiosk_go(k, KS_IDENT_CODE);
}

/* --- Identification. */

static void
draw_field(int y, int x, const char *shown)
{
	ui_text(y, x, 0, UI_FIELD, shown);
}

static void
draw_ident_code(struct kiosk *k)
{
	char	 shown[64];
	size_t	 i, len = 0;
	int	 y = 3;

	ui_begin(_("Identification"));
	y = ui_wrap(y, 4, 72, UI_NORMAL, _("Type your personal code with "
	    "the digit keys. It is not shown on the screen."));
	y++;
	/* Masked: one dot a digit, the dash in its place. */
	shown[0] = '\0';
	for (i = 0; i < PCODE_DIGITS; i++) {
		if (i == 6)
			(void)ui_utf8_append(shown, sizeof(shown), &len, '-');
		(void)ui_utf8_append(shown, sizeof(shown), &len,
		    i < k->sess.input_len ? 0x2022 : '_');
	}
	draw_field(y + 1, 6, shown);
	y += 3;
	if (k->note[0] != '\0')
		ui_wrap(y + 1, 4, 72, k->note_error ? UI_ERROR : UI_OK,
		    k->note);
	ui_finish(kiosk_legend_input());
}

static void
ident_send(struct kiosk *k)
{
	struct otp_issued	 oi;
	char			 pcode[IDENT_PCODE_SIZE], line[256], when[32];
	const char		*errstr;
	enum ident_pcode_form	 form;
	int			 rc;

	rc = ident_pcode_parse(k->sess.input, pcode, &form, &errstr);
	input_clear(k);
	if (rc == -1) {
		note(k, 1, _("This personal code is not valid. Please type it "
		    "again."));
		explicit_bzero(pcode, sizeof(pcode));
		return;
	}
	rc = otp_issue(k->store, &k->otp, pcode, &oi);
	explicit_bzero(pcode, sizeof(pcode));
	switch (rc) {
	case OTP_OK:
	case OTP_NO_RESIDENT:
	case OTP_NO_PHONE:
		/*
		 * One screen whoever it was: a masked number, or a different
		 * screen for nobody, would tell whoever stands here that a
		 * personal code belongs to someone. No phone number is shown.
		 */
		k->sess.resident_id = rc == OTP_OK ? oi.resident_id : 0;
		k->sess.otp_nobody = rc != OTP_OK;
		(void)util_strlcpy(k->sess.otp_subject, oi.subject,
		    sizeof(k->sess.otp_subject));
		k->sess.otp_expires = clock_now() + k->otp.ttl_s;
		(void)util_strlcpy(k->sess.phone_mask, oi.phone_mask,
		    sizeof(k->sess.phone_mask));
		audit_resident(k, rc != OTP_OK ? "sign-in code not sent: "
		    "nobody with a mobile phone" : oi.reused ?
		    "sign-in code still valid" : "sign-in code sent");
		kiosk_go(k, KS_IDENT_OTP);
		note(k, 0, _("If this personal code has a mobile phone on "
		    "record, a code is on its way to it by SMS (a new one at "
		    "most once a minute). No SMS? Please ask at the service "
		    "desk."));
		return;
	case OTP_BUSY:
		kiosk_audit(k, "sign-in refused: terminal cap", "");
		kiosk_message(k, KS_MENU, 1, _("This terminal has sent as "
		    "many codes as it may in an hour. Please try again later "
		    "or ask at the service desk."));
		return;
	case OTP_LOCKED:
		k->sess.resident_id = oi.resident_id;
		audit_resident(k, "sign-in refused: locked");
		clock_datetime(oi.locked_until, when, sizeof(when));
		(void)snprintf(line, sizeof(line), _("Too many wrong codes. "
		    "Please try again after %.5s or ask at the service desk."),
		    when + 11);
		kiosk_message(k, KS_MENU, 1, line);
		return;
	default:
		kiosk_message(k, KS_MENU, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
}

static int
input_digit(struct kiosk *k, int key, size_t max)
{
	if (key < '0' || key > '9' || k->sess.input_len >= max)
		return 0;
	k->sess.input[k->sess.input_len++] = (char)key;
	k->sess.input[k->sess.input_len] = '\0';
	kiosk_field_changed(k);
	return 1;
}

/* Backspace and back on an input screen; 1 when the key was one. */
static int
input_edit(struct kiosk *k, int key, enum kiosk_screen back)
{
	if (key == UI_K_LEFT || (key == UI_K_BACKSPACE &&
	    k->sess.input_len == 0)) {
		kiosk_go(k, back);
		return 1;
	}
	if (key == UI_K_BACKSPACE) {
		ui_utf8_pop(k->sess.input, &k->sess.input_len);
		kiosk_field_changed(k);
		return 1;
	}
	return 0;
}

static void
key_ident_code(struct kiosk *k, int key)
{
	const char	*err;
	char		 line[256];

	if (input_edit(k, key, KS_MENU))
		return;
	if (key == UI_K_ENTER) {
		if (k->sess.input_len == PCODE_DIGITS)
			ident_send(k);
		else
			note(k, 1, _("A personal code has 11 digits."));
		return;
	}
	if (!input_digit(k, key, PCODE_DIGITS))
		return;
	if (ident_pcode_prefix(k->sess.input, k->sess.input_len, &err) ==
	    -1) {
		input_clear(k);
		/* ident's messages start in lower case: a sentence here. */
		(void)snprintf(line, sizeof(line), "%s.", _(err));
		if (line[0] >= 'a' && line[0] <= 'z')
			line[0] = (char)(line[0] - 'a' + 'A');
		note(k, 1, line);
	} else if (k->sess.input_len == PCODE_DIGITS) {
		ident_send(k);
	}
}

static void
draw_ident_otp(struct kiosk *k)
{
	char	 shown[32];
	size_t	 i, len = 0;
	int	 y = 3;

	ui_begin(_("Identification"));
	if (k->note[0] != '\0')
		y = ui_wrap(y, 4, 72, k->note_error ? UI_ERROR : UI_OK,
		    k->note) + 1;
	y = ui_wrap(y, 4, 72, UI_NORMAL, _("Type the 6-digit code from the "
	    "SMS and press Enter."));
	shown[0] = '\0';
	for (i = 0; i < OTP_DIGITS; i++)
		(void)ui_utf8_append(shown, sizeof(shown), &len,
		    i < k->sess.input_len ? (unsigned char)k->sess.input[i] :
		    '_');
	draw_field(y + 1, 6, shown);
	ui_finish(kiosk_legend_input());
}

static void
key_ident_otp(struct kiosk *k, int key)
{
	char	 line[256], when[32];
	time_t	 until;
	int	 rc, left;

	if (input_edit(k, key, KS_MENU))
		return;
	if (key != UI_K_ENTER) {
		(void)input_digit(k, key, OTP_DIGITS);
		return;
	}
	if (k->sess.input_len != OTP_DIGITS) {
		note(k, 1, _("The code has 6 digits."));
		return;
	}
	if (!k->sess.otp_nobody)
		rc = otp_verify(k->store, &k->otp, k->sess.resident_id,
		    k->sess.input, &left, &until);
	else if (clock_now() >= k->sess.otp_expires)
		rc = OTP_EXPIRED;	/* as the code nobody got would be */
	else
		rc = otp_verify_subject(k->store, &k->otp,
		    k->sess.otp_subject, &left, &until);
	input_clear(k);
	switch (rc) {
	case OTP_OK:
		if (services_caller_by_resident(k->store, k->sess.resident_id,
		    &k->sess.caller) != 0) {
			kiosk_message(k, KS_MENU, 1, _("A technical fault: "
			    "please try again later or ask at the service "
			    "desk."));
			return;
		}
		/*
		 * The session speaks the language chosen on the screen; an
		 * SMS goes in the one the resident reads SMS in.
		 */
		(void)util_strlcpy(k->sess.sms_lang, k->sess.caller.lang,
		    sizeof(k->sess.sms_lang));
		(void)util_strlcpy(k->sess.caller.lang, i18n_lang(),
		    sizeof(k->sess.caller.lang));
		k->sess.identified = 1;
		audit_resident(k, "sign-in");
		open_personal(k, k->after_ident);
		return;
	case OTP_WRONG:
		audit_resident(k, "sign-in: wrong code");
		(void)snprintf(line, sizeof(line), ngettext("Wrong code. %d "
		    "try left.", "Wrong code. %d tries left.",
		    (unsigned long)left), left);
		note(k, 1, line);
		return;
	case OTP_LOCKED:
		audit_resident(k, "sign-in: locked out");
		clock_datetime(until, when, sizeof(when));
		(void)snprintf(line, sizeof(line), _("Too many wrong codes. "
		    "Please try again after %.5s or ask at the service desk."),
		    when + 11);
		kiosk_message(k, KS_MENU, 1, line);
		return;
	case OTP_EXPIRED:
		kiosk_message(k, KS_MENU, 1, _("The code is no longer valid. "
		    "Please start again."));
		return;
	default:
		kiosk_message(k, KS_MENU, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
}

/* --- The queue. */

static void
draw_queue(struct kiosk *k)
{
	const struct services_queue	*q = &k->sess.queue;
	char				 line[320], start[I18N_DATE_SIZE];
	size_t				 i;
	int				 y = 2;

	ui_begin(_("Your children in the preschool queue"));
	if (q->n == 0)
		ui_wrap(3, 4, 72, UI_NORMAL, _("None of your children is in a "
		    "preschool queue."));
	for (i = pager_first(&k->sess.queue_pg); i < pager_first(
	    &k->sess.queue_pg) + pager_count(&k->sess.queue_pg) &&
	    y < ui_rows() - 4; i++) {
		const struct services_queue_entry *e = &q->e[i];

		ui_text(y++, 4, 0, UI_TITLE, e->child);
		ui_text(y++, 6, 0, UI_NORMAL, e->institution);
		i18n_date(e->desired_start, start, sizeof(start));
		(void)snprintf(line, sizeof(line), _("Place %lld of %lld, "
		    "from %s"), (long long)e->position, (long long)e->total,
		    start);
		ui_text(y++, 6, 0, UI_NORMAL, line);
		if (e->priority_name[0] != '\0') {
			(void)snprintf(line, sizeof(line), _("Priority: %s"),
			    e->priority_name);
			ui_text(y++, 6, 0, UI_NORMAL, line);
		}
		y++;
	}
	if (q->more && i == q->n)
		ui_text(ui_rows() - 3, 4, 0, UI_NORMAL, _("More entries: "
		    "please ask at the service desk."));
	pager_draw(&k->sess.queue_pg);
	ui_finish(pager_legend(&k->sess.queue_pg, kiosk_legend_choice()));
}

/* --- Fees and the payment code. */

static void
draw_fees(struct kiosk *k)
{
	const struct services_fees	*f = &k->sess.fees;
	char				 line[320], amount[I18N_MONEY_SIZE];
	char				 due[I18N_DATE_SIZE], period[I18N_PERIOD_SIZE];
	size_t				 i;
	int				 y = 3;

	ui_begin(_("Unpaid fees"));
	if (f->n == 0) {
		ui_wrap(y, 4, 72, UI_NORMAL, _("You have no unpaid fees."));
		ui_finish(kiosk_legend_choice());
		return;
	}
	ui_text(y, 4, 0, UI_NORMAL, _("Choose a fee to pay:"));
	y += 2;
	/* Two rows a fee: a page of them and the total fit 24 rows. */
	for (i = pager_first(&k->sess.fees_pg); i < pager_first(
	    &k->sess.fees_pg) + pager_count(&k->sess.fees_pg) &&
	    y < ui_rows() - 4; i++) {
		const struct services_fee *e = &f->f[i];

		i18n_money(e->owed_cents, amount, sizeof(amount));
		i18n_date(e->due_date, due, sizeof(due));
		i18n_period(e->period, period, sizeof(period));
		(void)snprintf(line, sizeof(line), "%zu  %s %s",
		    i - pager_first(&k->sess.fees_pg) + 1, e->kind_name,
		    period);
		ui_text(y++, 6, 0, UI_NORMAL, line);
		(void)snprintf(line, sizeof(line), _("%s, due %s%s"),
		    amount, due, e->overdue ? _(" (overdue)") : "");
		ui_text(y++, 9, 0, e->overdue ? UI_TITLE : UI_NORMAL, line);
	}
	i18n_money(f->total_owed_cents, amount, sizeof(amount));
	(void)snprintf(line, sizeof(line), _("In all: %s"), amount);
	ui_text(y, 6, 0, UI_NORMAL, line);
	/* Beyond what services_fees() loads: the desk has them all. */
	if (f->count > f->n && i == f->n)
		ui_text(y + 1, 6, 0, UI_NORMAL, _("More fees: please ask at "
		    "the service desk."));
	pager_draw(&k->sess.fees_pg);
	ui_finish(pager_legend(&k->sess.fees_pg, kiosk_legend_choice()));
}

static void
open_fee(struct kiosk *k, size_t i)
{
	struct payments_fee	 pf;
	struct payments_payee	 payee;
	const char		*errstr;
	char			 key[32], d[64];
	size_t			 len, j;

	(void)snprintf(key, sizeof(key), "%lld",
	    (long long)k->sess.fees.f[i].id);
	if (payments_fee_find(k->store, key, &pf) != 0)
		goto fail;
	/* Only a fee of the person signed in. */
	for (j = 0; j < k->sess.caller.nresidents; j++)
		if (k->sess.caller.resident[j] == pf.resident_id)
			break;
	if (j == k->sess.caller.nresidents)
		goto fail;
	payments_payee_from_config(k->cfg, &payee);
	/*
	 * The payload `munictl pay epc` gives: short enough for 80x24 in
	 * half blocks, whatever this terminal's size, so that one fee has
	 * one code everywhere.
	 */
	if (payments_epc(&pf, &payee, qr_max_payload(UI_MIN_COLS, UI_MIN_ROWS,
	    QR_MODE_HALF), k->sess.payload, sizeof(k->sess.payload), &len,
	    &errstr) == -1) {
		kiosk_message(k, KS_FEES, 1, _(errstr));
		return;
	}
	qr_free(k->sess.qr);
	if ((k->sess.qr = qr_encode(k->sess.payload, len, &errstr)) == NULL) {
		kiosk_message(k, KS_FEES, 1, _(errstr));
		return;
	}
	k->sess.fee = i;
	(void)snprintf(d, sizeof(d), "resident=%lld fee=%lld",
	    (long long)k->sess.resident_id, (long long)pf.id);
	kiosk_audit(k, "view payment code", d);
	kiosk_go(k, KS_FEE_QR);
	return;
fail:
	kiosk_message(k, KS_FEES, 1, _("A technical fault: please try again "
	    "later or ask at the service desk."));
}

static void
draw_fee_qr(struct kiosk *k)
{
	const struct services_fee	*e = &k->sess.fees.f[k->sess.fee];
	struct payments_payee		 payee;
	struct epc_fields		 qf;
	enum qr_mode			 mode = QR_MODE_DOUBLE;
	const char			*errstr;
	char				 line[1024], iban[48], amount[I18N_MONEY_SIZE];
	char				 period[I18N_PERIOD_SIZE];
	int				 qcols = 0, qrows, r, x, y = 0, w;

	ui_begin("");
	if (k->sess.qr != NULL) {
		/* Double width when the terminal has room for it. */
		if (qr_fits(k->sess.qr, ui_cols() - QR_TEXT_COLS,
		    ui_rows() - 1, QR_MODE_DOUBLE, &errstr) == -1)
			mode = QR_MODE_HALF;
		if (qr_fits(k->sess.qr, ui_cols() - QR_TEXT_COLS,
		    ui_rows() - 1, mode, &errstr) == 0 &&
		    qr_line_size(k->sess.qr, mode) <= sizeof(line)) {
			qr_text_size(k->sess.qr, mode, &qcols, &qrows);
			for (r = 0; r < qrows; r++)
				if (qr_text_line(k->sess.qr, mode, r, line,
				    sizeof(line)) >= 0)
					ui_text(r, 0, qcols, UI_QR, line);
		} else
			qcols = 0;
	}
	x = qcols + 2;
	w = ui_cols() - x - 1;
	payments_payee_from_config(k->cfg, &payee);
	y = ui_wrap(y, x, w, UI_TITLE, _("Scan the code with your bank's "
	    "app")) + 1;
	i18n_period(e->period, period, sizeof(period));
	(void)snprintf(line, sizeof(line), "%s %s", e->kind_name, period);
	y = ui_wrap(y, x, w, UI_NORMAL, line) + 1;
	/*
	 * The name the code carries (the short one when the full one does
	 * not fit 80x24): the bank app shows that one, so must the screen.
	 */
	if (epc_parse(k->sess.payload, strlen(k->sess.payload), &qf,
	    &errstr) == 0)
		payee.name = qf.name;
	ui_text(y++, x, w, UI_NORMAL, _("Beneficiary:"));
	y = ui_wrap(y, x, w, UI_TITLE, payee.name);
	ui_text(y++, x, w, UI_NORMAL, "IBAN:");
	ident_iban_format(payee.iban, iban, sizeof(iban));
	ui_text(y++, x, w, UI_TITLE, iban);
	ui_text(y++, x, w, UI_NORMAL, _("Amount:"));
	i18n_money(e->owed_cents, amount, sizeof(amount));
	ui_text(y++, x, w, UI_TITLE, amount);
	ui_text(y++, x, w, UI_NORMAL, _("Reference:"));
	ui_text(y++, x, w, UI_TITLE, e->reference);
	y++;
	ui_wrap(y, x, w, UI_NORMAL, _("No bank app? Pay with these details "
	    "in your internet bank or at the bank."));
	ui_finish(kiosk_legend_choice());
}

static void
key_fees(struct kiosk *k, int key)
{
	size_t	 i;

	switch (pager_key(&k->sess.fees_pg, key, 1, &i)) {
	case PAGER_CHOSEN:
		open_fee(k, i);
		break;
	case PAGER_MOVED:
		k->dirty = 1;
		break;
	default:
		break;
	}
}

/* --- Notification topics. */

static void
draw_topics(struct kiosk *k)
{
	const struct services_topics	*t = &k->sess.topics;
	char				 line[320];
	size_t				 i;
	int				 y = 2;

	ui_begin(_("Notifications by SMS"));
	(void)snprintf(line, sizeof(line), _("Messages go to %s."),
	    k->sess.caller.phone[0] != '\0' ? k->sess.phone_mask : "—");
	ui_text(y, 4, 0, UI_NORMAL, line);
	y += 2;
	ui_text(y, 4, 0, UI_NORMAL, _("Press a topic's number to turn it on "
	    "or off:"));
	y += 2;
	for (i = pager_first(&k->sess.topics_pg); i < pager_first(
	    &k->sess.topics_pg) + pager_count(&k->sess.topics_pg); i++) {
		(void)snprintf(line, sizeof(line), "%zu  [%s] %s%s",
		    i - pager_first(&k->sess.topics_pg) + 1,
		    t->t[i].subscribed ? "x" : " ", t->t[i].name,
		    t->t[i].emergency ? _(" (always on)") : "");
		ui_text(y++, 6, 0, t->t[i].subscribed ? UI_TITLE : UI_NORMAL,
		    line);
	}
	if (k->note[0] != '\0')
		ui_wrap(y + 1, 4, 72, k->note_error ? UI_ERROR : UI_OK,
		    k->note);
	pager_draw(&k->sess.topics_pg);
	ui_finish(pager_legend(&k->sess.topics_pg, kiosk_legend_choice()));
}

static void
key_topics(struct kiosk *k, int key)
{
	struct services_topic	 got;
	char			 d[96], line[256];
	size_t			 i;
	int			 rc, on;

	switch (pager_key(&k->sess.topics_pg, key, 1, &i)) {
	case PAGER_CHOSEN:
		break;
	case PAGER_MOVED:
		k->note[0] = '\0';	/* it was about a row no longer shown */
		k->dirty = 1;
		return;
	default:
		return;
	}
	on = !k->sess.topics.t[i].subscribed;
	rc = services_subscribe(k->store, &k->sess.caller,
	    k->sess.topics.t[i].code, on, &got);
	if (rc == SERVICES_SUB_EMERGENCY) {
		note(k, 1, _("Emergency warnings cannot be turned off."));
		return;
	}
	if (rc != SERVICES_SUB_OK ||
	    services_topics(k->store, &k->sess.caller, &k->sess.topics) != 0) {
		pager_resize(&k->sess.topics_pg, k->sess.topics.n);
		note(k, 1, _("A technical fault: please try again later or ask "
		    "at the service desk."));
		return;
	}
	pager_resize(&k->sess.topics_pg, k->sess.topics.n);
	(void)snprintf(d, sizeof(d), "resident=%lld topic=%s %s",
	    (long long)k->sess.resident_id, got.code, on ? "on" : "off");
	kiosk_audit(k, "change topic", d);
	(void)snprintf(line, sizeof(line), on ? _("Turned on: %s") :
	    _("Turned off: %s"), got.name);
	note(k, 0, line);
}

/* --- Reports and applications. */

static const struct {
	const char	*name;		/* msgid for the screen */
	const char	*lv;		/* what the municipality reads */
	const char	*code;		/* reports.category */
	int		 police;
} report_cats[] = {
	{ N_("Noise"), "Troksnis", "noise", 1 },
	{ N_("Waste"), "Atkritumi", "waste", 0 },
	{ N_("Roads"), "Ceļi", "roads", 0 },
	{ N_("Street lighting"), "Apgaismojums", "lighting", 0 },
	{ N_("Something else"), "Cits", "other", 0 },
};

static void
draw_report_cat(struct kiosk *k)
{
	char	 line[160];
	size_t	 i;
	int	 y = 3;

	(void)k;
	ui_begin(_("Report or application"));
	ui_text(y, 4, 0, UI_NORMAL, _("What is it about?"));
	y += 2;
	for (i = 0; i < nitems(report_cats); i++) {
		(void)snprintf(line, sizeof(line), "%zu  %s", i + 1,
		    _(report_cats[i].name));
		ui_text(y, 6, 0, UI_NORMAL, line);
		y += 2;
	}
	ui_finish(kiosk_legend_choice());
}

static void
draw_report_text(struct kiosk *k)
{
	int	 y = 3;

	ui_begin(_(report_cats[k->sess.report_cat].name));
	y = ui_wrap(y, 4, 72, UI_NORMAL, _("If there is a keyboard, describe "
	    "briefly what and where. Press Enter to send.")) + 1;
	y = ui_wrap(y, 4, 72, UI_FIELD, k->sess.input_len > 0 ?
	    k->sess.input : "_");
	if (k->note[0] != '\0')
		ui_wrap(y + 1, 4, 72, k->note_error ? UI_ERROR : UI_OK,
		    k->note);
	ui_finish(legend("←", _("Back"), "⌫", _("Delete"), "Enter",
	    _("Send")));
}

static void
report_send(struct kiosk *k)
{
	struct services_caller	 who, *c;	/* a copy: its language */
	struct services_report	 r;
	char			 text[SERVICES_REPORT_BYTES_MAX + 64], d[96];
	char			 line[256];
	const char		*errstr;
	int64_t			 n;
	long			 max;
	int			 rc, cat = k->sess.report_cat;

	/* Only blanks is nothing to send: say so here, keep the screen. */
	if (k->sess.input[strspn(k->sess.input, " ")] == '\0') {
		note(k, 1, _("The report is empty: please describe what "
		    "happened and where, then press Enter."));
		return;
	}
	if (k->sess.identified) {
		who = k->sess.caller;
		(void)util_strlcpy(who.lang, k->sess.sms_lang,
		    sizeof(who.lang));
		c = &who;
	} else {
		/*
		 * Anyone can walk up and send: a terminal takes a few
		 * reports an hour from people not signed in, counted from
		 * its own audit rows (which outlive a restart). The text
		 * stays on the screen.
		 */
		max = (long)config_int(k->cfg, CFG_KIOSK_REPORTS_PER_HOUR);
		n = store_audit_count(k->store, k->actor,
		    KIOSK_AUDIT_ANON_REPORT, clock_now() - 3600);
		if (n == -1) {
			kiosk_message(k, KS_MENU, 1, _("A technical fault: "
			    "please try again later or ask at the service "
			    "desk."));
			return;
		}
		if (n >= max) {
			kiosk_audit(k, "report refused: terminal limit", "");
			(void)snprintf(line, sizeof(line), ngettext("This "
			    "terminal takes %ld report an hour from people "
			    "who are not signed in. Please sign in first, or "
			    "try again later.", "This terminal takes %ld "
			    "reports an hour from people who are not signed "
			    "in. Please sign in first, or try again later.",
			    (unsigned long)max), max);
			note(k, 1, line);
			return;
		}
		memset(&who, 0, sizeof(who));
		(void)util_strlcpy(who.lang, i18n_lang(), sizeof(who.lang));
		c = &who;
	}
	(void)snprintf(text, sizeof(text), "%s%s%s", report_cats[cat].lv,
	    k->sess.input_len > 0 ? ": " : "", k->sess.input);
	memset(&r, 0, sizeof(r));
	r.kind = report_cats[cat].police ? SERVICES_REPORT_POLICE :
	    SERVICES_REPORT_APPLICATION;
	r.text = text;
	r.len = strlen(text);
	r.channel = "kiosk";
	r.category = report_cats[cat].code;
	r.duty_numbers = config_str(k->cfg, CFG_SERVICES_POLICE_DUTY_NUMBERS);
	/* A resident signed in gets the case number on the phone too. */
	r.confirm_sms = k->sess.identified;
	rc = services_report_file(k->store, c, &r, k->sess.case_no, &errstr);
	explicit_bzero(text, sizeof(text));
	if (rc == 1) {
		note(k, 1, _(errstr));
		return;
	}
	if (rc != 0) {
		kiosk_message(k, KS_MENU, 1, _("A technical fault: please try "
		    "again later or ask at the service desk."));
		return;
	}
	(void)snprintf(d, sizeof(d), "resident=%lld case=%s",
	    (long long)k->sess.resident_id, k->sess.case_no);
	kiosk_audit(k, k->sess.identified ? "report" :
	    KIOSK_AUDIT_ANON_REPORT, d);
	kiosk_go(k, KS_REPORT_DONE);
}

static void
key_report_text(struct kiosk *k, int key)
{
	/* Typed text is not thrown away by one key: ask first. */
	if (key == UI_K_LEFT && k->sess.input_len > 0) {
		kiosk_ask(k, KA_DISCARD_REPORT);
		return;
	}
	if (input_edit(k, key, KS_REPORT_CAT))
		return;
	if (key == UI_K_ENTER) {
		report_send(k);
		return;
	}
	if (key >= 32 && key < 0x110000 && util_utf8_len(k->sess.input) <
	    SERVICES_REPORT_TEXT_MAX - 20) {
		if (ui_utf8_append(k->sess.input, sizeof(k->sess.input),
		    &k->sess.input_len, key) == 0)
			kiosk_field_changed(k);
	}
}

static void
draw_report_done(struct kiosk *k)
{
	char	 line[160];

	ui_begin(_("Thank you!"));
	ui_wrap(3, 4, 72, UI_NORMAL, _("Your report was received. Its case "
	    "number is:"));
	(void)snprintf(line, sizeof(line), "  %s  ", k->sess.case_no);
	ui_text(6, 6, 0, UI_OK, line);
	ui_wrap(8, 4, 72, UI_NORMAL, _("Write it down if you want to ask "
	    "about it later."));
	ui_finish(kiosk_legend_choice());
}

/* --- Messages and help. */

static void
draw_message(struct kiosk *k)
{
	ui_begin(k->msg_error ? _("Sorry") :
	    config_str(k->cfg, CFG_MUNICIPALITY_NAME));
	ui_wrap(3, 4, 72, k->msg_error ? UI_ERROR : UI_NORMAL, k->msg);
	ui_finish(kiosk_legend_choice());
}

static const char *
help_text(enum kiosk_screen s)
{
	switch (s) {
	case KS_WELCOME:
		return N_("Press the number of your language, or Enter. Then "
		    "choose what you want to do with the digit keys.");
	case KS_FEES:
	case KS_FEE_QR:
		return N_("Choose a fee by its number. The code on the next "
		    "screen is read by your bank's app: open the app, choose "
		    "\"scan\" and point the phone at the screen. The payment "
		    "details are also written out beside the code.");
	case KS_TOPICS:
		return N_("Each number turns a topic on or off. You get an "
		    "SMS when the municipality has news on the topics that "
		    "are on.");
	default:
		return N_("Choose with the digit keys. 0 or the left arrow "
		    "goes back; where digits are typed, 0 is a digit and the "
		    "left arrow goes back. After a while without a key the "
		    "kiosk warns you and then starts again from the "
		    "beginning, and nothing of yours stays on the screen.");
	}
}

static void
draw_help(struct kiosk *k)
{
	ui_begin(_("Help"));
	ui_wrap(3, 4, 72, UI_NORMAL, _(help_text(k->help_from)));
	/* The paging rule, on the screens that list (pager.h). */
	if (k->help_from == KS_QUEUE || k->help_from == KS_FEES ||
	    k->help_from == KS_TOPICS)
		ui_wrap(9, 4, 72, UI_NORMAL, _("A long list has pages: + shows "
		    "the next page, - the one before. The numbers are those "
		    "on the page shown."));
	ui_wrap(12, 4, 72, UI_NORMAL, _("If something does not work, please "
	    "ask at the service desk."));
	ui_finish(legend("0/←", _("Back"), NULL, NULL, NULL, NULL));
}

/* --- Questions before what cannot be undone. */

/* The question over the screen; -1 when there is none to ask. */
static int
draw_ask(struct kiosk *k)
{
	const char	*title = "";
	char		 body[512];
	int		 y;

	body[0] = '\0';
	if (k->ask == KA_DISCARD_REPORT) {
		title = _("Discard the report?");
		(void)util_strlcpy(body, _("What you typed is deleted and "
		    "nothing is sent."), sizeof(body));
	} else if (staff_ask_text(k, &title, body, sizeof(body)) == -1)
		return -1;
	ui_begin(title);
	y = ui_wrap(3, 4, 72, k->ask == KA_EMERGENCY ? UI_ERROR : UI_NORMAL,
	    body) + 1;
	(void)snprintf(body, sizeof(body), "1  %s", _("Yes"));
	ui_text(y + 1, 6, 0, UI_TITLE, body);
	(void)snprintf(body, sizeof(body), "2  %s", _("No"));
	ui_text(y + 3, 6, 0, UI_NORMAL, body);
	ui_finish(legend("1", _("Yes"), "2", _("No"), "0/←", _("Back")));
	return 0;
}

/* 1 does it; 2, 0 and the left arrow leave the screen as it was. */
static void
key_ask(struct kiosk *k, int key)
{
	enum kiosk_ask	 what = k->ask;

	if (key == '2' || key == '0' || key == UI_K_LEFT) {
		k->ask = KA_NONE;
		k->dirty = 1;
		return;
	}
	if (key != '1')
		return;
	k->ask = KA_NONE;
	k->dirty = 1;
	if (what == KA_DISCARD_REPORT)
		kiosk_go(k, KS_REPORT_CAT);
	else
		staff_answer_yes(k, what);
}

/* --- The idle warning. */

static void
draw_warning(struct kiosk *k)
{
	char		 count[64];
	const char	*lines[4];
	long		 left = KIOSK_WARN_S -
	    (long)((clock_mono_ms() - k->warn_start_ms) / 1000);

	(void)snprintf(count, sizeof(count), _("Starting again in %ld s"),
	    left < 0 ? 0 : left);
	lines[0] = _("Are you still there?");
	lines[1] = _("Press any key to continue.");
	lines[2] = "";
	lines[3] = count;
	ui_box(lines, 4, UI_ERROR);
}

static int
is_input_screen(enum kiosk_screen s)
{
	return s == KS_IDENT_CODE || s == KS_IDENT_OTP ||
	    s == KS_REPORT_TEXT || s == KS_STAFF_PIN || s == KS_STAFF_TEXT ||
	    s == KS_STAFF_ID;
}

void
kiosk_draw(struct kiosk *k)
{
	k->dirty = 0;
	if (!ui_big_enough())
		return;
	if (k->ask != KA_NONE && draw_ask(k) == 0) {
		if (k->warn_start_ms != 0)
			draw_warning(k);
		return;
	}
	switch (k->screen) {
	case KS_WELCOME: draw_welcome(k); break;
	case KS_MENU: draw_menu(k); break;
	case KS_IDENT_CODE: draw_ident_code(k); break;
	case KS_IDENT_OTP: draw_ident_otp(k); break;
	case KS_QUEUE: draw_queue(k); break;
	case KS_FEES: draw_fees(k); break;
	case KS_FEE_QR: draw_fee_qr(k); break;
	case KS_TOPICS: draw_topics(k); break;
	case KS_REPORT_CAT: draw_report_cat(k); break;
	case KS_REPORT_TEXT: draw_report_text(k); break;
	case KS_REPORT_DONE: draw_report_done(k); break;
	case KS_MESSAGE: draw_message(k); break;
	case KS_HELP: draw_help(k); break;
	default: staff_draw(k); break;
	}
	if (k->warn_start_ms != 0)
		draw_warning(k);
}

/* Where 0 (or the left arrow) goes from a choice screen. */
static enum kiosk_screen
back_of(struct kiosk *k)
{
	switch (k->screen) {
	case KS_FEE_QR:
		return KS_FEES;
	case KS_REPORT_DONE:
		return KS_MENU;
	case KS_MESSAGE:
		return k->back;
	case KS_HELP:
		return k->help_from;
	default:
		return KS_MENU;
	}
}

void
kiosk_key(struct kiosk *k, int key)
{
	enum kiosk_screen	 s = k->screen;

	k->last_key_ms = clock_mono_ms();
	if (key == UI_K_RESIZE) {
		k->dirty = 1;
		return;
	}
	if (k->warn_start_ms != 0) {
		/* Any key only says "still here". */
		k->warn_start_ms = 0;
		k->dirty = 1;
		return;
	}
	if (key == UI_K_IGNORED || ui_cols() < UI_MIN_COLS ||
	    ui_rows() < UI_MIN_ROWS)
		return;
	if (k->ask != KA_NONE) {
		key_ask(k, key);
		return;
	}
	if (s >= KS_STAFF_PIN) {
		staff_key(k, key);
		return;
	}
	switch (s) {
	case KS_WELCOME:
		key_welcome(k, key);
		return;
	case KS_MENU:
		if (key == '9') {
			k->help_from = s;
			kiosk_go(k, KS_HELP);
		} else
			key_menu(k, key);
		return;
	case KS_IDENT_CODE:
		key_ident_code(k, key);
		return;
	case KS_IDENT_OTP:
		key_ident_otp(k, key);
		return;
	case KS_REPORT_TEXT:
		key_report_text(k, key);
		return;
	default:
		break;
	}
	if (is_input_screen(s))
		return;
	/* Choice screens: 0 back, 9 help, the rest per screen. */
	if (key == '0' || key == UI_K_LEFT) {
		if (s == KS_FEE_QR) {
			qr_free(k->sess.qr);
			k->sess.qr = NULL;
			explicit_bzero(k->sess.payload,
			    sizeof(k->sess.payload));
		}
		kiosk_go(k, back_of(k));
		return;
	}
	if (key == '9' && s != KS_HELP) {
		k->help_from = s;
		kiosk_go(k, KS_HELP);
		return;
	}
	switch (s) {
	case KS_FEES:
		key_fees(k, key);
		break;
	case KS_TOPICS:
		key_topics(k, key);
		break;
	case KS_QUEUE:
		if (pager_key(&k->sess.queue_pg, key, 0, NULL) == PAGER_MOVED)
			k->dirty = 1;
		break;
	case KS_REPORT_CAT:
		if (key >= '1' && key < '1' + (int)nitems(report_cats)) {
			k->sess.report_cat = key - '1';
			kiosk_go(k, KS_REPORT_TEXT);
		}
		break;
	default:
		break;
	}
}

void
kiosk_tick(struct kiosk *k)
{
	int64_t	 now = clock_mono_ms();
	long	 shown;

	/* The welcome screen holds nothing personal unless a language was
	 * chosen; it needs no warning, only the language put back. */
	if (k->screen == KS_WELCOME && !k->staff.in) {
		if (strcmp(i18n_lang(), "lv") != 0 &&
		    now - k->last_key_ms >= k->idle_s * 1000)
			kiosk_reset(k);
		k->seq_len = now - k->last_key_ms > 5000 ? 0 : k->seq_len;
	} else if (k->warn_start_ms == 0) {
		if (now - k->last_key_ms >= k->idle_s * 1000) {
			k->warn_start_ms = now;
			k->dirty = 1;
		}
	} else {
		shown = (long)((now - k->warn_start_ms) / 1000);
		if (shown >= KIOSK_WARN_S) {
			kiosk_audit(k, "session ended: idle", "");
			kiosk_reset(k);
			return;
		}
		k->dirty = 1;	/* the count goes down */
	}
	if (k->screen >= KS_STAFF_PIN)
		staff_tick(k);
}
