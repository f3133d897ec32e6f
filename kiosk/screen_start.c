/*
 * screen_start: the frame of a visit — the welcome screen with the
 * language (and the key sequence into staff mode), the menu, the help
 * about the screen a resident came from, and the message screen that
 * says what happened. One task per screen, digits to choose, one back
 * rule (nav.c).
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "kiosk.h"
#include "nav.h"
#include "screens.h"
#include "ui.h"
#include "util.h"

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
	ui_finish(nav_legend("Enter", _("Continue"), "9", _("Help"), NULL,
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
				nav_open(k, KS_STAFF_ID);
			}
		} else
			k->seq_len = KIOSK_STAFF_SEQ[0] == key;
		return;
	}
	k->seq_len = 0;
	if (key == UI_K_ENTER) {
		nav_go(k, KS_MENU);
		return;
	}
	if (key == '9') {
		k->help_from = KS_WELCOME;
		nav_go(k, KS_HELP);
		return;
	}
	if (key >= '1' && key < '1' + (int)k->nlangs) {
		i = (size_t)(key - '1');
		(void)i18n_set_lang(k->langs[i]);
		nav_go(k, KS_MENU);
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
		N_("Discounts"),
		N_("My reports and applications"),
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
	ui_finish(nav_legend("0/←", _("End"), "9", _("Help"), NULL, NULL));
}

static void
key_menu(struct kiosk *k, int key)
{
	enum kiosk_screen	 s;

	switch (key) {
	case '9':
		k->help_from = KS_MENU;
		nav_go(k, KS_HELP);
		return;
	case '0':
	case UI_K_LEFT:
		if (k->sess.identified)
			nav_audit_resident(k, "session ended");
		nav_reset(k);
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
		nav_go(k, KS_REPORT_CAT);
		return;
	case '5':
		s = KS_OFFERS;
		break;
	case '6':
		s = KS_CASES;
		break;
	default:
		return;
	}
	if (k->sess.identified) {
		nav_open(k, s);
		return;
	}
	k->after_ident = s;
	nav_go(k, KS_IDENT_CODE);
}

/* --- Messages and help. */

/* The help of a screen that has none of its own. */
#define HELP_GENERAL N_("Choose with the digit keys. 0 or the left arrow " \
    "goes back; where digits are typed, 0 is a digit and the left arrow " \
    "goes back. After a while without a key the kiosk warns you and then " \
    "starts again from the beginning, and nothing of yours stays on the " \
    "screen.")

static void
draw_message(struct kiosk *k)
{
	ui_begin(k->msg_error ? _("Sorry") :
	    config_str(k->cfg, CFG_MUNICIPALITY_NAME));
	ui_wrap(3, 4, 72, k->msg_error ? UI_ERROR : UI_NORMAL, k->msg);
	ui_finish(nav_legend_choice());
}

static void
draw_help(struct kiosk *k)
{
	const struct screen	*from = screen_get(k->help_from);

	ui_begin(_("Help"));
	ui_wrap(3, 4, 72, UI_NORMAL, _(from->help != NULL ? from->help :
	    HELP_GENERAL));
	/* The paging rule, on the screens that list (pager.h). */
	if (from->flags & SCREEN_PAGED)
		ui_wrap(9, 4, 72, UI_NORMAL, _("A long list has pages: + shows "
		    "the next page, - the one before. The numbers are those "
		    "on the page shown."));
	ui_wrap(12, 4, 72, UI_NORMAL, _("If something does not work, please "
	    "ask at the service desk."));
	ui_finish(nav_legend("0/←", _("Back"), NULL, NULL, NULL, NULL));
}

static void
key_message(struct kiosk *k, int key)
{
	(void)nav_choice_key(k, key, k->back);
}

static void
key_help(struct kiosk *k, int key)
{
	if (key == '0' || key == UI_K_LEFT)
		nav_go(k, k->help_from);
}

/*
 * The welcome screen holds nothing personal unless a language was chosen;
 * it needs no warning (SCREEN_QUIET), only the language put back.
 */
static void
tick_welcome(struct kiosk *k)
{
	int64_t	 now = clock_mono_ms();

	if (k->staff.in)
		return;
	if (strcmp(i18n_lang(), "lv") != 0 &&
	    now - k->last_key_ms >= k->idle_s * 1000)
		nav_reset(k);
	k->seq_len = now - k->last_key_ms > 5000 ? 0 : k->seq_len;
}

const struct screen screen_welcome = {
	.name = "welcome",
	.flags = SCREEN_QUIET,
	.help = N_("Press the number of your language, or Enter. Then choose "
	    "what you want to do with the digit keys."),
	.draw = draw_welcome,
	.key = key_welcome,
	.tick = tick_welcome,
};

const struct screen screen_menu = {
	.name = "menu",
	.draw = draw_menu,
	.key = key_menu,
};

const struct screen screen_message = {
	.name = "message",
	.draw = draw_message,
	.key = key_message,
};

const struct screen screen_help = {
	.name = "help",
	.draw = draw_help,
	.key = key_help,
};
