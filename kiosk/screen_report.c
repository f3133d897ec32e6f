/*
 * screen_report: a report or an application from anyone at the terminal —
 * the subject, the text (typed on a keyboard where there is one; leaving
 * it asks first), and the case number. Someone not signed in may send a
 * few an hour from one terminal ([kiosk] reports_per_hour); a resident
 * signed in also gets the case number by SMS.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "kiosk.h"
#include "nav.h"
#include "screens.h"
#include "services.h"
#include "store.h"
#include "ui.h"
#include "util.h"

/* The audit action of a report from someone not signed in: counted. */
#define KIOSK_AUDIT_ANON_REPORT	"report: not signed in"

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
	ui_finish(nav_legend_choice());
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
	ui_finish(nav_legend("←", _("Back"), "⌫", _("Delete"), "Enter",
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
		nav_note(k, 1, _("The report is empty: please describe what "
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
			nav_message(k, KS_MENU, 1, _("A technical fault: "
			    "please try again later or ask at the service "
			    "desk."));
			return;
		}
		if (n >= max) {
			nav_audit(k, "report refused: terminal limit", "");
			(void)snprintf(line, sizeof(line), ngettext("This "
			    "terminal takes %ld report an hour from people "
			    "who are not signed in. Please sign in first, or "
			    "try again later.", "This terminal takes %ld "
			    "reports an hour from people who are not signed "
			    "in. Please sign in first, or try again later.",
			    (unsigned long)max), max);
			nav_note(k, 1, line);
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
		nav_note(k, 1, _(errstr));
		return;
	}
	if (rc != 0) {
		nav_message(k, KS_MENU, 1, _("A technical fault: please try "
		    "again later or ask at the service desk."));
		return;
	}
	(void)snprintf(d, sizeof(d), "resident=%lld case=%s",
	    (long long)k->sess.resident_id, k->sess.case_no);
	nav_audit(k, k->sess.identified ? "report" :
	    KIOSK_AUDIT_ANON_REPORT, d);
	nav_go(k, KS_REPORT_DONE);
}

static void
key_report_text(struct kiosk *k, int key)
{
	/* Typed text is not thrown away by one key: ask first. */
	if (key == UI_K_LEFT && k->sess.input_len > 0) {
		nav_ask(k, KA_DISCARD_REPORT);
		return;
	}
	if (nav_input_edit(k, key, KS_REPORT_CAT))
		return;
	if (key == UI_K_ENTER) {
		report_send(k);
		return;
	}
	if (key >= 32 && key < 0x110000 && util_utf8_len(k->sess.input) <
	    SERVICES_REPORT_TEXT_MAX - 20) {
		if (ui_utf8_append(k->sess.input, sizeof(k->sess.input),
		    &k->sess.input_len, key) == 0)
			nav_field_changed(k);
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
	ui_finish(nav_legend_choice());
}

static void
key_report_cat(struct kiosk *k, int key)
{
	if (nav_choice_key(k, key, KS_MENU))
		return;
	if (key >= '1' && key < '1' + (int)nitems(report_cats)) {
		k->sess.report_cat = key - '1';
		nav_go(k, KS_REPORT_TEXT);
	}
}

static int
ask_report_text(struct kiosk *k, struct screen_question *q)
{
	if (k->ask != KA_DISCARD_REPORT)
		return -1;
	q->title = _("Discard the report?");
	(void)util_strlcpy(q->body, _("What you typed is deleted and "
	    "nothing is sent."), sizeof(q->body));
	return 0;
}

static void
yes_report_text(struct kiosk *k, enum kiosk_ask what)
{
	if (what == KA_DISCARD_REPORT)
		nav_go(k, KS_REPORT_CAT);
}

static void
key_report_done(struct kiosk *k, int key)
{
	(void)nav_choice_key(k, key, KS_MENU);
}

const struct screen screen_report_cat = {
	.name = "report-cat",
	.draw = draw_report_cat,
	.key = key_report_cat,
};

const struct screen screen_report_text = {
	.name = "report-text",
	.flags = SCREEN_TEXT,
	.draw = draw_report_text,
	.key = key_report_text,
	.ask = ask_report_text,
	.yes = yes_report_text,
};

const struct screen screen_report_done = {
	.name = "report-done",
	.draw = draw_report_done,
	.key = key_report_done,
};
