/*
 * staff: the kiosk's staff mode, behind a key sequence and, once staff
 * accounts exist, the person's staff number and own PIN ([kiosk]
 * staff_max_attempts wrong ones lock the person and the terminal for
 * [kiosk] staff_lockout_s; every screen names who is signed in, and an
 * approver approves other people's broadcasts here). Before the first
 * account: the shared PIN (crypt(3) hash in [kiosk] staff_pin_hash; three
 * wrong PINs lock it for [kiosk] staff_lockout_s). Staff compose a
 * broadcast — group, topic,
 * text — with a live preview from broadcast_preview(), the function
 * `munictl broadcast preview` prints, send it, and watch a dashboard of
 * recent broadcasts. This is also the only way out of the kiosk besides a
 * signal from the system. Shutting down and an emergency broadcast each
 * take a second yes that says what will happen (nav_ask). Its screens
 * are rows of the table (screens.h) at the end of this file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broadcast.h"
#include "clock.h"
#include "config.h"
#include "groups.h"
#include "i18n.h"
#include "kiosk.h"
#include "log.h"
#include "nav.h"
#include "otp.h"
#include "pager.h"
#include "screens.h"
#include "services.h"
#include "store.h"
#include "ui.h"
#include "util.h"

#define PREVIEW_DELAY_MS	400	/* after the last key typed */
#define DASH_REFRESH_MS		1000
#define DASH_LIST_MAX		100	/* the newest, on pages */
#define DASH_PER_PAGE		5	/* three rows each, and a note */
#define APPROVE_PER_PAGE	5	/* three rows each, and the note */
#define GROUP_SIZE_UNKNOWN	-1
#define GROUP_SIZE_FAILED	-2

static const char *const *
staff_legend(const char *k1, const char *v1, const char *k2, const char *v2)
{
	static const char	*l[5];

	l[0] = k1; l[1] = v1; l[2] = k2; l[3] = v2; l[4] = NULL;
	return l;
}

/* Who acts: the person signed in, else the terminal (shared PIN). */
static const char *
staff_actor(struct kiosk *k)
{
	return k->staff.name[0] != '\0' ? k->staff.name : k->actor;
}

/* Every staff screen's title names who is signed in. */
static void
staff_begin(struct kiosk *k, const char *title)
{
	char	 t[200];

	if (!k->staff.in || k->staff.name[0] == '\0') {
		ui_begin(title);
		return;
	}
	(void)snprintf(t, sizeof(t), "%s · %s (%lld)", title,
	    k->staff.display[0] != '\0' ? k->staff.display : k->staff.name,
	    (long long)k->staff.id);
	ui_begin(t);
}

/* --- Staff number (with accounts). */

/*
 * With staff accounts each person signs in with their staff number and own
 * PIN; without any, the shared [kiosk] staff_pin_hash opens staff mode.
 */
static int
open_id(struct kiosk *k)
{
	k->staff.personal = staff_count(k->store) > 0;
	k->staff.id = 0;
	if (k->staff.personal)
		return 0;
	nav_go(k, KS_STAFF_PIN);
	return 1;
}

static void
draw_id(struct kiosk *k)
{
	ui_begin(_("Staff mode"));
	ui_wrap(3, 4, 72, UI_NORMAL, _("Type your staff number and press "
	    "Enter."));
	ui_text(5, 6, 0, UI_FIELD, k->sess.input_len > 0 ? k->sess.input :
	    "_");
	if (k->note[0] != '\0')
		ui_wrap(7, 4, 72, k->note_error ? UI_ERROR : UI_OK, k->note);
	ui_finish(nav_legend_input());
}

static void
key_id(struct kiosk *k, int key)
{
	const char	*errstr;
	long long	 id;

	if (key == UI_K_LEFT || (key == UI_K_BACKSPACE &&
	    k->sess.input_len == 0)) {
		nav_reset(k);
		return;
	}
	if (key == UI_K_BACKSPACE) {
		k->sess.input[--k->sess.input_len] = '\0';
		nav_field_changed(k);
		return;
	}
	if (key >= '0' && key <= '9' &&
	    k->sess.input_len < KIOSK_STAFF_ID_DIGITS) {
		k->sess.input[k->sess.input_len++] = (char)key;
		k->sess.input[k->sess.input_len] = '\0';
		nav_field_changed(k);
		return;
	}
	if (key != UI_K_ENTER || k->sess.input_len == 0)
		return;
	if (util_strtonum(k->sess.input, 1, 999999999, &id, &errstr) == -1) {
		nav_note(k, 1, _("A staff number is digits, from 1."));
		return;
	}
	k->staff.id = id;
	nav_go(k, KS_STAFF_PIN);
}

/*
 * A person's sign-in. An unknown number and a wrong PIN get the same
 * answer, so numbers cannot be probed; both count against the terminal.
 */
static void
sign_in(struct kiosk *k)
{
	struct staff_info	 si;
	char			 line[200], when[32], subject[80];
	time_t			 until;
	int			 rc, left;

	(void)snprintf(subject, sizeof(subject), "staff-terminal:%s",
	    k->terminal);
	rc = staff_sign_in(k->store, k->staff.id, k->sess.input, subject,
	    (int)config_int(k->cfg, CFG_KIOSK_STAFF_MAX_ATTEMPTS),
	    (long)config_int(k->cfg, CFG_KIOSK_STAFF_LOCKOUT_S), &si, &left,
	    &until);
	explicit_bzero(k->sess.input, sizeof(k->sess.input));
	k->sess.input_len = 0;
	(void)snprintf(line, sizeof(line), "staff=%lld", (long long)k->staff.id);
	switch (rc) {
	case OTP_OK:
		k->staff.in = 1;
		(void)util_strlcpy(k->staff.name, si.name,
		    sizeof(k->staff.name));
		(void)util_strlcpy(k->staff.display, si.display,
		    sizeof(k->staff.display));
		nav_audit(k, "staff sign-in", "");
		nav_go(k, KS_STAFF_MENU);
		return;
	case OTP_WRONG:
	case OTP_NO_RESIDENT:
		nav_audit(k, "staff sign-in: wrong number or PIN", line);
		(void)snprintf(line, sizeof(line), ngettext("Wrong staff number "
		    "or PIN. %d try left.", "Wrong staff number or PIN. %d "
		    "tries left.", (unsigned long)left), left);
		nav_go(k, KS_STAFF_ID);
		nav_note(k, 1, line);
		return;
	case OTP_LOCKED:
		nav_audit(k, "staff sign-in: locked", line);
		clock_datetime(until, when, sizeof(when));
		(void)snprintf(line, sizeof(line), _("Staff sign-in is locked "
		    "until %.5s."), when + 11);
		nav_message(k, KS_WELCOME, 1, line);
		return;
	default:
		nav_message(k, KS_WELCOME, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
}

/* --- PIN. */

static void
draw_pin(struct kiosk *k)
{
	char	 shown[KIOSK_PIN_MAX * 3 + 2], line[200];
	size_t	 i, len = 0;

	ui_begin(_("Staff mode"));
	if (k->staff.personal) {
		(void)snprintf(line, sizeof(line), _("Staff number %lld: type "
		    "your PIN and press Enter."), (long long)k->staff.id);
		ui_wrap(3, 4, 72, UI_NORMAL, line);
	} else
		ui_wrap(3, 4, 72, UI_NORMAL, _("Type the staff PIN and press "
		    "Enter."));
	shown[0] = '\0';
	for (i = 0; i < k->sess.input_len; i++)
		(void)ui_utf8_append(shown, sizeof(shown), &len, 0x2022);
	ui_text(5, 6, 0, UI_FIELD, len > 0 ? shown : "_");
	if (k->note[0] != '\0')
		ui_wrap(7, 4, 72, k->note_error ? UI_ERROR : UI_OK, k->note);
	ui_finish(nav_legend_input());
}

static void
key_pin(struct kiosk *k, int key)
{
	char	 line[200], when[32];
	char	 subject[sizeof(KIOSK_STAFF_SUBJECT) + KIOSK_TERMINAL_MAX];
	time_t	 until;
	int	 rc, left;

	if (key == UI_K_LEFT || (key == UI_K_BACKSPACE &&
	    k->sess.input_len == 0)) {
		nav_reset(k);
		return;
	}
	if (key == UI_K_BACKSPACE) {
		k->sess.input[--k->sess.input_len] = '\0';
		nav_field_changed(k);
		return;
	}
	if (key >= '0' && key <= '9' && k->sess.input_len < KIOSK_PIN_MAX) {
		k->sess.input[k->sess.input_len++] = (char)key;
		k->sess.input[k->sess.input_len] = '\0';
		nav_field_changed(k);
		return;
	}
	if (key != UI_K_ENTER)
		return;
	if (k->staff.personal) {
		sign_in(k);
		return;
	}
	/*
	 * Wrong PINs lock this terminal's staff mode only: one stranger at
	 * one kiosk must not lock the staff out of all the others.
	 */
	(void)snprintf(subject, sizeof(subject), "%s:%s", KIOSK_STAFF_SUBJECT,
	    k->terminal);
	rc = otp_pin_check(k->store, config_str(k->cfg,
	    CFG_KIOSK_STAFF_PIN_HASH), k->sess.input, subject,
	    KIOSK_STAFF_TRIES, (long)config_int(k->cfg,
	    CFG_KIOSK_STAFF_LOCKOUT_S), &left, &until);
	explicit_bzero(k->sess.input, sizeof(k->sess.input));
	k->sess.input_len = 0;
	switch (rc) {
	case OTP_OK:
		k->staff.in = 1;
		nav_audit(k, "staff sign-in", "");
		nav_go(k, KS_STAFF_MENU);
		return;
	case OTP_WRONG:
		nav_audit(k, "staff sign-in: wrong PIN", "");
		(void)snprintf(line, sizeof(line), ngettext("Wrong PIN. %d "
		    "try left.", "Wrong PIN. %d tries left.",
		    (unsigned long)left), left);
		nav_note(k, 1, line);
		return;
	case OTP_LOCKED:
		nav_audit(k, "staff sign-in: locked", "");
		clock_datetime(until, when, sizeof(when));
		(void)snprintf(line, sizeof(line), _("Staff mode is locked "
		    "until %.5s."), when + 11);
		nav_message(k, KS_WELCOME, 1, line);
		return;
	case OTP_EXPIRED:
		nav_message(k, KS_WELCOME, 1, _("Staff mode is off: no "
		    "[kiosk] staff_pin_hash is configured."));
		return;
	default:
		nav_message(k, KS_WELCOME, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
}

/* --- Menu, group, topic. */

static void
draw_menu(struct kiosk *k)
{
	staff_begin(k, _("Staff mode"));
	/* Why "New broadcast" did not go on, for one. */
	if (k->note[0] != '\0')
		ui_wrap(13, 4, 72, k->note_error ? UI_ERROR : UI_OK, k->note);
	ui_text(3, 6, 0, UI_NORMAL, _("1  New broadcast"));
	ui_text(5, 6, 0, UI_NORMAL, _("2  Delivery of recent broadcasts"));
	if (k->staff.personal)
		ui_text(7, 6, 0, UI_NORMAL, _("3  Approve broadcasts"));
	ui_text(9, 6, 0, UI_NORMAL, _("8  Shut the kiosk down"));
	ui_text(11, 6, 0, UI_NORMAL, _("0  Leave staff mode"));
	if (k->note[0] != '\0')
		ui_wrap(13, 4, 72, k->note_error ? UI_ERROR : UI_OK, k->note);
	ui_finish(staff_legend("0/←", _("Back"), NULL, NULL));
}

/* Every group, however many: the picker pages through them. */
static int
group_cb(void *arg, const struct groups_info *g)
{
	struct kiosk	*k = arg;
	size_t		 cap;

	if (k->staff.ngroups == k->staff.groups_cap) {
		cap = k->staff.groups_cap == 0 ? 16 : k->staff.groups_cap * 2;
		k->staff.groups = xreallocarray(k->staff.groups, cap,
		    sizeof(*k->staff.groups));
		k->staff.gsize = xreallocarray(k->staff.gsize, cap,
		    sizeof(*k->staff.gsize));
		k->staff.groups_cap = cap;
	}
	k->staff.gsize[k->staff.ngroups] = GROUP_SIZE_UNKNOWN;
	k->staff.groups[k->staff.ngroups++] = *g;
	return 0;
}

static int
awaiting_cb(void *arg, const struct broadcast_info *b)
{
	struct kiosk	*k = arg;

	if (strcmp(b->state, "awaiting_approval") != 0)
		return 0;
	if (k->staff.nawaiting >= KIOSK_AWAITING_MAX)
		return -1;
	k->staff.awaiting[k->staff.nawaiting++] = b->id;
	return 0;
}

static void
key_menu(struct kiosk *k, int key)
{
	struct services_caller	 none;

	switch (key) {
	case '0':
	case UI_K_LEFT:
		nav_audit(k, "staff sign-out", "");
		nav_reset(k);
		return;
	case '1':
		/* Counted again each visit: members change under a rule. */
		nav_staff_lists_free(k);
		memset(&none, 0, sizeof(none));
		if (groups_list(k->store, group_cb, k) == -1 ||
		    services_topics(k->store, &none, &k->staff.topics) == -1) {
			nav_note(k, 1, _("A technical fault: please try "
			    "again later or ask at the service desk."));
			return;
		}
		pager_init(&k->staff.group_pg, k->staff.ngroups,
		    PAGER_PER_MAX);
		pager_init(&k->staff.topic_pg, k->staff.topics.n,
		    PAGER_PER_MAX);
		nav_go(k, KS_STAFF_GROUP);
		return;
	case '2':
		k->staff.dash_ms = 0;
		pager_init(&k->staff.dash_pg, 0, DASH_PER_PAGE);
		nav_go(k, KS_STAFF_DASH);
		return;
	case '3':
		if (!k->staff.personal)
			return;
		k->staff.nawaiting = 0;
		if (broadcast_list(k->store, 100, awaiting_cb, k) == -1) {
			nav_note(k, 1, _("A technical fault: please try "
			    "again later or ask at the service desk."));
			return;
		}
		pager_init(&k->staff.approve_pg, k->staff.nawaiting,
		    APPROVE_PER_PAGE);
		nav_go(k, KS_STAFF_APPROVE);
		return;
	case '8':
		nav_ask(k, KA_SHUTDOWN);	/* yes_menu ends it */
		return;
	default:
		return;
	}
}

/*
 * A group's members now, counted when its row is first shown in this visit:
 * a rule group is a query over every resident, and two hundred of them
 * counted before the first page would keep staff waiting.
 */
static int64_t
group_size(struct kiosk *k, size_t i)
{
	char	 err[GROUPS_ERR_SIZE];
	int64_t	 n;

	if (k->staff.gsize[i] == GROUP_SIZE_UNKNOWN) {
		n = groups_count(k->store, &k->staff.groups[i], err,
		    sizeof(err));
		if (n < 0)
			log_warnx("group %s: %s", k->staff.groups[i].name, err);
		k->staff.gsize[i] = n < 0 ? GROUP_SIZE_FAILED : n;
	}
	return k->staff.gsize[i];
}

static void
draw_group(struct kiosk *k)
{
	struct pager	*pg = &k->staff.group_pg;
	char		 line[200], size[64];
	size_t		 i;
	int64_t		 n;
	int		 y = 3;

	staff_begin(k, _("New broadcast: group"));
	if (k->staff.ngroups == 0)
		ui_wrap(y, 4, 72, UI_NORMAL, _("There are no groups yet: "
		    "staff add them with munictl group add."));
	for (i = pager_first(pg); i < pager_first(pg) + pager_count(pg);
	    i++) {
		n = group_size(k, i);
		if (n >= 0)
			(void)snprintf(size, sizeof(size), ngettext("%lld "
			    "member", "%lld members", (unsigned long)n),
			    (long long)n);
		else
			(void)util_strlcpy(size, _("size unknown"),
			    sizeof(size));
		(void)snprintf(line, sizeof(line), "%zu  %s · %s",
		    i - pager_first(pg) + 1, k->staff.groups[i].name, size);
		ui_text(y, 6, 0, UI_NORMAL, line);
		y += 2;
	}
	pager_draw(pg);
	ui_finish(pager_legend(pg, staff_legend("0/←", _("Back"), NULL,
	    NULL)));
}

static void
draw_topic(struct kiosk *k)
{
	char	 line[200];
	size_t	 i;
	int	 y = 3;

	staff_begin(k, _("New broadcast: topic"));
	for (i = pager_first(&k->staff.topic_pg); i < pager_first(
	    &k->staff.topic_pg) + pager_count(&k->staff.topic_pg); i++) {
		(void)snprintf(line, sizeof(line), "%zu  %s (%s)%s",
		    i - pager_first(&k->staff.topic_pg) + 1,
		    k->staff.topics.t[i].name, k->staff.topics.t[i].code,
		    k->staff.topics.t[i].emergency ? _(" — emergency") : "");
		ui_text(y, 6, 0, UI_NORMAL, line);
		y += 2;
	}
	pager_draw(&k->staff.topic_pg);
	ui_finish(pager_legend(&k->staff.topic_pg, staff_legend("0/←",
	    _("Back"), NULL, NULL)));
}

/* --- Text and preview. */

static void
preview(struct kiosk *k)
{
	struct broadcast_req	 req;

	k->staff.pv_due_ms = 0;
	if (k->staff.text_len == 0) {
		k->staff.pv_state = 0;
		return;
	}
	memset(&req, 0, sizeof(req));
	req.group_id = k->staff.groups[k->staff.group].id;
	req.text = k->staff.text;
	req.topic = k->staff.topics.t[k->staff.topic].code;
	req.actor = staff_actor(k);
	k->staff.pv_state = broadcast_preview(k->store, &k->bp, &req,
	    &k->staff.pv, k->staff.pv_err, sizeof(k->staff.pv_err)) == 0 ?
	    1 : -1;
	k->dirty = 1;
}

static int
draw_figures(struct kiosk *k, int y)
{
	const struct broadcast_preview	*pv = &k->staff.pv;
	char				 line[256], cost[I18N_MONEY_SIZE];

	if (k->staff.pv_state == 0) {
		ui_text(y++, 4, 0, UI_NORMAL, _("Type the text to see what "
		    "it costs."));
		return y;
	}
	if (k->staff.pv_state == -1)
		return ui_wrap(y, 4, 72, UI_ERROR, k->staff.pv_err);
	(void)snprintf(line, sizeof(line), _("Encoding: %s   Segments per "
	    "message: %d"), pv->ucs2 > 0 ? "UCS-2" : "GSM-7",
	    pv->max_segments);
	ui_text(y++, 4, 0, UI_NORMAL, line);
	/* Whole cents, written as the language writes amounts. */
	i18n_money((int64_t)llround(pv->cost * 100.0), cost, sizeof(cost));
	(void)snprintf(line, sizeof(line), _("Recipients: %lld   Segments: "
	    "%lld   Cost: %s"), (long long)pv->recipients,
	    (long long)pv->segments, cost);
	ui_text(y++, 4, 0, UI_TITLE, line);
	(void)snprintf(line, sizeof(line), _("Left out: %lld without a "
	    "mobile, %lld opted out, %lld duplicates"),
	    (long long)pv->no_mobile, (long long)pv->opted_out,
	    (long long)pv->duplicates);
	ui_text(y++, 4, 0, UI_NORMAL, line);
	return y;
}

static void
draw_text(struct kiosk *k)
{
	char	 line[200];
	int	 y = 2;

	staff_begin(k, _("New broadcast: text"));
	(void)snprintf(line, sizeof(line), _("Group: %s   Topic: %s"),
	    k->staff.groups[k->staff.group].name,
	    k->staff.topics.t[k->staff.topic].name);
	ui_text(y, 4, 0, UI_NORMAL, line);
	y += 2;
	y = ui_wrap(y, 4, 72, UI_FIELD, k->staff.text_len > 0 ?
	    k->staff.text : "_") + 1;
	(void)snprintf(line, sizeof(line), _("Characters: %zu"),
	    util_utf8_len(k->staff.text));
	ui_text(y++, 4, 0, UI_NORMAL, line);
	y++;
	(void)draw_figures(k, y);
	ui_finish(staff_legend("←", _("Back"), "Enter", _("Continue")));
}

static void
key_text(struct kiosk *k, int key)
{
	if (key == UI_K_LEFT || (key == UI_K_BACKSPACE &&
	    k->staff.text_len == 0)) {
		nav_go(k, KS_STAFF_TOPIC);
		return;
	}
	if (key == UI_K_BACKSPACE) {
		ui_utf8_pop(k->staff.text, &k->staff.text_len);
	} else if (key == UI_K_ENTER) {
		preview(k);
		if (k->staff.pv_state == 1)
			nav_go(k, KS_STAFF_CONFIRM);
		return;
	} else if (key >= 32 && key < 0x110000) {
		if (ui_utf8_append(k->staff.text, sizeof(k->staff.text),
		    &k->staff.text_len, key) == -1)
			return;
	} else
		return;
	k->staff.pv_due_ms = clock_mono_ms() + PREVIEW_DELAY_MS;
	k->dirty = 1;
}

static void
draw_confirm(struct kiosk *k)
{
	int	 y = 2;

	staff_begin(k, _("Send this broadcast?"));
	y = ui_wrap(y, 4, 72, UI_FIELD, k->staff.pv.sample) + 1;
	y = draw_figures(k, y) + 1;
	if (k->note[0] != '\0')
		ui_wrap(y, 4, 72, k->note_error ? UI_ERROR : UI_OK, k->note);
	ui_text(ui_rows() - 3, 4, 0, UI_TITLE, _("1  Send now    0  Back"));
	ui_finish(staff_legend("1", _("Send"), "0/←", _("Back")));
}

static void
confirm_send(struct kiosk *k)
{
	struct broadcast_req	 req;
	struct broadcast_preview out;
	char			 err[BROADCAST_ERR_SIZE], d[64];
	int64_t			 id;

	memset(&req, 0, sizeof(req));
	req.group_id = k->staff.groups[k->staff.group].id;
	req.text = k->staff.text;
	req.topic = k->staff.topics.t[k->staff.topic].code;
	req.actor = staff_actor(k);
	id = broadcast_send(k->store, &k->bp, &req, &k->staff.pv, &out, err,
	    sizeof(err));
	if (id == -1) {
		nav_note(k, 1, err);
		return;
	}
	(void)snprintf(d, sizeof(d), "broadcast=%lld recipients=%lld",
	    (long long)id, (long long)out.recipients);
	nav_audit(k, "staff broadcast", d);
	k->staff.bcast = id;
	explicit_bzero(k->staff.text, sizeof(k->staff.text));
	k->staff.text_len = 0;
	k->staff.pv_state = 0;
	k->staff.dash_ms = 0;
	pager_init(&k->staff.dash_pg, 0, DASH_PER_PAGE);
	nav_go(k, KS_STAFF_DASH);
	if (out.awaiting)
		nav_note(k, 0, _("Sent for approval: a second staff member "
		    "approves it with munictl broadcast approve."));
}

static void
key_confirm(struct kiosk *k, int key)
{
	if (key == '0' || key == UI_K_LEFT) {
		k->screen = KS_STAFF_TEXT;	/* keep the text */
		k->dirty = 1;
		return;
	}
	if (key != '1')
		return;
	/*
	 * An emergency wakes people at night and reaches those who said
	 * STOP: one key press is not enough for that.
	 */
	if (k->staff.pv.emergency)
		nav_ask(k, KA_EMERGENCY);
	else
		confirm_send(k);
}

/* --- The second yes: shutting down, an emergency. */

static int
ask_menu(struct kiosk *k, struct screen_question *q)
{
	if (k->ask != KA_SHUTDOWN)
		return -1;
	q->title = _("Shut the kiosk down?");
	(void)util_strlcpy(q->body, _("The kiosk program ends and this "
	    "screen goes blank; staff mode ends with it. A kiosk run "
	    "as a service (muni-kiosk@.service) starts again on its "
	    "own within seconds; to keep it off, stop that service "
	    "on the computer."), sizeof(q->body));
	return 0;
}

static void
yes_menu(struct kiosk *k, enum kiosk_ask what)
{
	if (what != KA_SHUTDOWN)
		return;
	nav_audit(k, "kiosk shut down by staff", "");
	k->quit = 1;
}

static int
ask_confirm(struct kiosk *k, struct screen_question *q)
{
	if (k->ask != KA_EMERGENCY)
		return -1;
	q->title = _("Send an EMERGENCY broadcast?");
	(void)snprintf(q->body, sizeof(q->body), _("This is an emergency "
	    "broadcast (%s). It goes out at once, also at night, to everyone "
	    "in the group %s, also to those who turned notifications off: "
	    "%lld recipients."),
	    k->staff.topics.t[k->staff.topic].name,
	    k->staff.groups[k->staff.group].name,
	    (long long)k->staff.pv.recipients);
	q->urgent = 1;
	return 0;
}

static void
yes_confirm(struct kiosk *k, enum kiosk_ask what)
{
	if (what != KA_EMERGENCY)
		return;
	nav_audit(k, "staff emergency broadcast confirmed", "");
	confirm_send(k);
}

/* --- Approval (with accounts). */

static void
draw_approve(struct kiosk *k)
{
	struct broadcast_info	 bi;
	char			 line[200], range[16];
	size_t			 i;
	int			 y = 3;

	staff_begin(k, _("Broadcasts awaiting approval"));
	if (k->staff.nawaiting == 0)
		ui_text(y, 4, 0, UI_NORMAL, _("No broadcast awaits approval."));
	for (i = pager_first(&k->staff.approve_pg); i < pager_first(
	    &k->staff.approve_pg) + pager_count(&k->staff.approve_pg); i++) {
		if (broadcast_get(k->store, k->staff.awaiting[i], &bi) != 0)
			continue;
		(void)snprintf(line, sizeof(line), _("%zu  #%lld %s · %lld "
		    "recipients · by %s"), i - pager_first(&k->staff.approve_pg)
		    + 1, (long long)bi.id, bi.group,
		    (long long)bi.recipients, bi.created_by);
		ui_text(y++, 4, 0, UI_NORMAL, line);
		(void)snprintf(line, sizeof(line), "   %.60s", bi.text);
		ui_text(y++, 4, 0, UI_NORMAL, line);
		y++;
	}
	if (k->note[0] != '\0')
		ui_wrap(y, 4, 72, k->note_error ? UI_ERROR : UI_OK, k->note);
	(void)snprintf(range, sizeof(range), "1-%zu",
	    pager_count(&k->staff.approve_pg));
	pager_draw(&k->staff.approve_pg);
	ui_finish(pager_legend(&k->staff.approve_pg, staff_legend(
	    pager_count(&k->staff.approve_pg) > 1 ? range : "1",
	    _("Approve"), "0/←", _("Back"))));
}

static void
key_approve(struct kiosk *k, int key)
{
	struct broadcast_preview out;
	char			 err[BROADCAST_ERR_SIZE], line[256];
	int64_t			 id;
	size_t			 i;

	if (key == '0' || key == UI_K_LEFT) {
		nav_go(k, KS_STAFF_MENU);
		return;
	}
	switch (pager_key(&k->staff.approve_pg, key, 1, &i)) {
	case PAGER_CHOSEN:
		break;
	case PAGER_MOVED:
		k->note[0] = '\0';
		k->dirty = 1;
		return;
	default:
		return;
	}
	id = k->staff.awaiting[i];
	/* broadcast_approve checks the role and the second pair of eyes. */
	if (broadcast_approve(k->store, &k->bp, id, k->staff.name, &out, err,
	    sizeof(err)) == -1) {
		nav_note(k, 1, err);
		return;
	}
	(void)snprintf(line, sizeof(line), _("Broadcast %lld approved: %lld "
	    "messages queued."), (long long)id, (long long)out.recipients);
	for (; i + 1 < k->staff.nawaiting; i++)
		k->staff.awaiting[i] = k->staff.awaiting[i + 1];
	k->staff.nawaiting--;
	pager_resize(&k->staff.approve_pg, k->staff.nawaiting);
	nav_note(k, 0, line);
}

/* --- Dashboard. */

struct dash {
	struct kiosk	*k;
	int		 y;
	size_t		 i;		/* broadcasts seen, from the newest */
};

/* A broadcast's state in words (broadcasts.state holds the codes). */
static const char *
state_name(const char *code)
{
	static const struct { const char *code, *name; } names[] = {
		{ "awaiting_approval", N_("awaiting approval") },
		{ "scheduled", N_("scheduled") },
		{ "sending", N_("sending") },
		{ "done", N_("done") },
		{ "cancelled", N_("cancelled") },
	};
	size_t	 i;

	for (i = 0; i < nitems(names); i++)
		if (strcmp(names[i].code, code) == 0)
			return _(names[i].name);
	return code;	/* a state newer than this kiosk */
}

static int
dash_row(void *arg, const struct broadcast_info *b)
{
	struct dash		*d = arg;
	const struct pager	*pg = &d->k->staff.dash_pg;
	int64_t			 c[BROADCAST_NSTATES], ok, bad, wait, all;
	char			 line[200];
	int			 w, wo, wb, ww;

	/* Every row is counted, for the pages; this page's are drawn. */
	if (d->i++ < pager_first(pg) ||
	    d->i > pager_first(pg) + pg->per || d->y > ui_rows() - 5)
		return 0;
	if (broadcast_status(d->k->store, b->id, c) == -1)
		return -1;
	wait = c[0] + c[1] + c[2];		/* queued inflight accepted */
	ok = c[3];				/* delivered */
	bad = c[4] + c[5] + c[6] + c[7];	/* undeliverable .. failed */
	all = ok + bad + wait;
	(void)snprintf(line, sizeof(line), "#%lld %s · %s · %s",
	    (long long)b->id, b->group, b->topic, state_name(b->state));
	ui_text(d->y++, 2, 0, b->id == d->k->staff.bcast ? UI_TITLE :
	    UI_NORMAL, line);
	w = ui_cols() - 42;
	if (w < 10)
		w = 10;
	wo = all > 0 ? (int)(ok * w / all) : 0;
	wb = all > 0 ? (int)(bad * w / all) : 0;
	ww = all > 0 ? (int)(wait * w / all) : 0;
	/* A non-zero count always shows at least one cell. */
	if (ok > 0 && wo == 0)
		wo = 1;
	if (bad > 0 && wb == 0)
		wb = 1;
	if (wait > 0 && ww == 0)
		ww = 1;
	ui_bar(d->y, 2, wo, UI_BAR_OK);
	ui_bar(d->y, 2 + wo, wb, UI_BAR_FAIL);
	ui_bar(d->y, 2 + wo + wb, ww, UI_BAR_WAIT);
	(void)snprintf(line, sizeof(line), _("✓%lld ✗%lld …%lld"),
	    (long long)ok, (long long)bad, (long long)wait);
	ui_text(d->y, w + 4, 0, UI_NORMAL, line);
	d->y += 2;
	return 0;
}

static void
draw_dash(struct kiosk *k)
{
	struct dash	 d;
	char		 now[32];

	clock_datetime(clock_now(), now, sizeof(now));
	staff_begin(k, _("Delivery of recent broadcasts"));
	ui_text(0, ui_cols() - 10, 0, UI_NORMAL, now + 11);
	ui_text(1, 2, 0, UI_NORMAL, _("Delivered   Failed   Waiting"));
	ui_bar(1, 2 + ui_width(_("Delivered")) + 1, 1, UI_BAR_OK);
	/* Straight from sending, or from the menu: the newest page. */
	if (k->staff.dash_pg.per == 0)
		pager_init(&k->staff.dash_pg, 0, DASH_PER_PAGE);
	d.k = k;
	d.y = 3;
	d.i = 0;
	if (k->note[0] != '\0')
		d.y = ui_wrap(d.y, 2, 76, k->note_error ? UI_ERROR : UI_OK,
		    k->note) + 1;
	if (broadcast_list(k->store, DASH_LIST_MAX, dash_row, &d) == -1 &&
	    d.y == 3)
		ui_text(3, 2, 0, UI_ERROR, _("A technical fault: please try "
		    "again later or ask at the service desk."));
	else if (d.i == 0)
		ui_text(3, 2, 0, UI_NORMAL, _("No broadcasts yet."));
	/* Fewer broadcasts than the page shown needs (some removed): back in
	 * range, and drawn again. */
	if (pager_first(&k->staff.dash_pg) >= d.i && d.i > 0)
		k->dirty = 1;
	pager_resize(&k->staff.dash_pg, d.i);
	k->staff.dash_ms = clock_mono_ms();
	pager_draw(&k->staff.dash_pg);
	ui_finish(pager_legend(&k->staff.dash_pg, staff_legend("0/←", _("Back"),
	    NULL, NULL)));
}

/* --- The lists' keys and the ticks. */

/* The page keys of a list, and which row a digit chose. */
static enum pager_act
list_key(struct kiosk *k, struct pager *pg, int key, int choose,
    size_t *index)
{
	enum pager_act	 act;

	act = pager_key(pg, key, choose, index);
	if (act == PAGER_MOVED)
		k->dirty = 1;
	return act;
}

static void
key_group(struct kiosk *k, int key)
{
	size_t	 i;

	if (key == '0' || key == UI_K_LEFT) {
		nav_go(k, KS_STAFF_MENU);
		return;
	}
	if (list_key(k, &k->staff.group_pg, key, 1, &i) != PAGER_CHOSEN)
		return;
	k->staff.group = i;
	nav_go(k, KS_STAFF_TOPIC);
}

static void
key_topic(struct kiosk *k, int key)
{
	size_t	 i;

	if (key == '0' || key == UI_K_LEFT) {
		nav_go(k, KS_STAFF_GROUP);
		return;
	}
	if (list_key(k, &k->staff.topic_pg, key, 1, &i) != PAGER_CHOSEN)
		return;
	k->staff.topic = i;
	k->staff.pv_state = 0;
	k->staff.pv_due_ms = k->staff.text_len > 0 ? clock_mono_ms() : 0;
	k->screen = KS_STAFF_TEXT;
	k->dirty = 1;
}

static void
key_dash(struct kiosk *k, int key)
{
	if (key == '0' || key == UI_K_LEFT) {
		nav_go(k, KS_STAFF_MENU);
		return;
	}
	(void)list_key(k, &k->staff.dash_pg, key, 0, NULL);
}

static void
tick_text(struct kiosk *k)
{
	if (k->staff.pv_due_ms != 0 && clock_mono_ms() >= k->staff.pv_due_ms)
		preview(k);
}

static void
tick_dash(struct kiosk *k)
{
	if (clock_mono_ms() - k->staff.dash_ms >= DASH_REFRESH_MS)
		k->dirty = 1;
}

/* --- The rows (screens.h). */

const struct screen screen_staff_id = {
	.name = "staff-id",
	.flags = SCREEN_STAFF,
	.draw = draw_id,
	.key = key_id,
	.open = open_id,
};

const struct screen screen_staff_pin = {
	.name = "staff-pin",
	.flags = SCREEN_STAFF,
	.draw = draw_pin,
	.key = key_pin,
};

const struct screen screen_staff_menu = {
	.name = "staff-menu",
	.flags = SCREEN_STAFF,
	.draw = draw_menu,
	.key = key_menu,
	.ask = ask_menu,
	.yes = yes_menu,
};

const struct screen screen_staff_group = {
	.name = "staff-group",
	.flags = SCREEN_STAFF,
	.draw = draw_group,
	.key = key_group,
};

const struct screen screen_staff_topic = {
	.name = "staff-topic",
	.flags = SCREEN_STAFF,
	.draw = draw_topic,
	.key = key_topic,
};

const struct screen screen_staff_text = {
	.name = "staff-text",
	.flags = SCREEN_STAFF | SCREEN_TEXT,
	.draw = draw_text,
	.key = key_text,
	.tick = tick_text,
};

const struct screen screen_staff_confirm = {
	.name = "staff-confirm",
	.flags = SCREEN_STAFF,
	.draw = draw_confirm,
	.key = key_confirm,
	.ask = ask_confirm,
	.yes = yes_confirm,
};

const struct screen screen_staff_dash = {
	.name = "staff-dash",
	.flags = SCREEN_STAFF,
	.draw = draw_dash,
	.key = key_dash,
	.tick = tick_dash,
};

const struct screen screen_staff_approve = {
	.name = "staff-approve",
	.flags = SCREEN_STAFF,
	.draw = draw_approve,
	.key = key_approve,
};
