/*
 * nav: how the kiosk goes from screen to screen. The loop's draw, key and
 * tick go to the row of the screen showing (screens.h); over it come the
 * yes/no question shown before what cannot be undone and the idle warning
 * that ends a forgotten visit. The rest is what every screen shares: going
 * to a screen, back and to the start, messages and notes, the typed field,
 * the legends, and the audit rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "kiosk.h"
#include "log.h"
#include "nav.h"
#include "qr.h"
#include "screens.h"
#include "speech.h"
#include "store.h"
#include "ui.h"
#include "util.h"

const char *const *
nav_legend(const char *k1, const char *v1, const char *k2, const char *v2,
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
nav_legend_choice(void)
{
	return nav_legend("0/←", _("Back"), "9", _("Help"), NULL, NULL);
}

const char *const *
nav_legend_input(void)
{
	return nav_legend("←", _("Back"), "⌫", _("Delete"), "Enter",
	    _("Continue"));
}

void
nav_audit(struct kiosk *k, const char *action, const char *detail)
{
	/*
	 * A failed audit row is logged; the resident's screen goes on. A
	 * signed-in person is the actor; the terminal is the row's origin.
	 */
	if (store_audit(k->store, k->staff.in && k->staff.name[0] != '\0' ?
	    k->staff.name : k->actor, action, detail) == -1)
		log_warnx("audit: %s: %s", action, store_errmsg(k->store));
}

void
nav_audit_resident(struct kiosk *k, const char *action)
{
	char	 d[64];

	(void)snprintf(d, sizeof(d), "resident=%lld",
	    (long long)k->sess.resident_id);
	nav_audit(k, action, d);
}

void
nav_input_clear(struct kiosk *k)
{
	explicit_bzero(k->sess.input, sizeof(k->sess.input));
	k->sess.input_len = 0;
}

void
nav_go(struct kiosk *k, enum kiosk_screen s)
{
	log_debug("screen %s", screen_get(s)->name);
	k->screen = s;
	k->ask = KA_NONE;
	k->note[0] = '\0';
	k->note_error = 0;
	nav_input_clear(k);
	k->dirty = 1;
}

void
nav_open(struct kiosk *k, enum kiosk_screen s)
{
	const struct screen	*sc = screen_get(s);
	int			 rc = 0;

	if (sc->open != NULL)
		rc = sc->open(k);
	if (rc == -1) {
		nav_message(k, KS_MENU, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
	if (rc == 0)
		nav_go(k, s);
}

void
nav_message(struct kiosk *k, enum kiosk_screen back, int error,
    const char *text)
{
	(void)util_strlcpy(k->msg, text, sizeof(k->msg));
	k->msg_error = error;
	k->back = back;
	nav_go(k, KS_MESSAGE);
}

void
nav_note(struct kiosk *k, int error, const char *text)
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
nav_field_changed(struct kiosk *k)
{
	if (k->note_error) {
		k->note[0] = '\0';
		k->note_error = 0;
	}
	k->dirty = 1;
}

void
nav_ask(struct kiosk *k, enum kiosk_ask what)
{
	k->ask = what;
	k->dirty = 1;
}

int
nav_choice_key(struct kiosk *k, int key, enum kiosk_screen back)
{
	if (key == '0' || key == UI_K_LEFT) {
		nav_go(k, back);
		return 1;
	}
	if (key == '9' && !(screen_get(k->screen)->flags & SCREEN_STAFF)) {
		k->help_from = k->screen;
		nav_go(k, KS_HELP);
		return 1;
	}
	return 0;
}

int
nav_input_digit(struct kiosk *k, int key, size_t max)
{
	if (key < '0' || key > '9' || k->sess.input_len >= max)
		return 0;
	k->sess.input[k->sess.input_len++] = (char)key;
	k->sess.input[k->sess.input_len] = '\0';
	nav_field_changed(k);
	return 1;
}

int
nav_input_edit(struct kiosk *k, int key, enum kiosk_screen back)
{
	if (key == UI_K_LEFT || (key == UI_K_BACKSPACE &&
	    k->sess.input_len == 0)) {
		nav_go(k, back);
		return 1;
	}
	if (key == UI_K_BACKSPACE) {
		ui_utf8_pop(k->sess.input, &k->sess.input_len);
		nav_field_changed(k);
		return 1;
	}
	return 0;
}

void
nav_staff_lists_free(struct kiosk *k)
{
	free(k->staff.groups);
	free(k->staff.gsize);
	k->staff.groups = NULL;
	k->staff.gsize = NULL;
	k->staff.ngroups = k->staff.groups_cap = 0;
}

void
nav_init(struct kiosk *k)
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
	nav_go(k, KS_WELCOME);
}

void
nav_reset(struct kiosk *k)
{
	qr_free(k->sess.qr);
	nav_staff_lists_free(k);
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
	nav_go(k, KS_WELCOME);
}

/* --- Questions before what cannot be undone. */

/* The question over the screen; -1 when there is none to ask. */
static int
draw_ask(struct kiosk *k)
{
	const struct screen	*s = screen_get(k->screen);
	struct screen_question	 q;
	char			 line[128];
	int			 y;

	q.title = "";
	q.body[0] = '\0';
	q.urgent = 0;
	if (s->ask == NULL || s->ask(k, &q) == -1)
		return -1;
	ui_begin(q.title);
	y = ui_wrap(3, 4, 72, q.urgent ? UI_ERROR : UI_NORMAL, q.body) + 1;
	(void)snprintf(line, sizeof(line), "1  %s", _("Yes"));
	ui_text(y + 1, 6, 0, UI_TITLE, line);
	(void)snprintf(line, sizeof(line), "2  %s", _("No"));
	ui_text(y + 3, 6, 0, UI_NORMAL, line);
	ui_finish(nav_legend("1", _("Yes"), "2", _("No"), "0/←", _("Back")));
	return 0;
}

/* 1 does it; 2, 0 and the left arrow leave the screen as it was. */
static void
key_ask(struct kiosk *k, int key)
{
	const struct screen	*s = screen_get(k->screen);
	enum kiosk_ask		 what = k->ask;

	if (key == '2' || key == '0' || key == UI_K_LEFT) {
		k->ask = KA_NONE;
		k->dirty = 1;
		return;
	}
	if (key != '1')
		return;
	k->ask = KA_NONE;
	k->dirty = 1;
	if (s->yes != NULL)
		s->yes(k, what);
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

/* --- The loop's calls. */

static void	 nav_lost(struct kiosk *);

void
nav_draw(struct kiosk *k)
{
	k->dirty = 0;
	if (!ui_big_enough())
		return;
	/*
	 * While the kiosk speaks, every legend also states the repeat key,
	 * for whoever reads along; a silent kiosk's legends stay as they are.
	 */
	ui_legend_extra(speech_is_on(k->speech) ? "." : NULL, _("Repeat"));
	if (k->ask == KA_NONE || draw_ask(k) == -1)
		screen_get(k->screen)->draw(k);
	if (k->warn_start_ms != 0)
		draw_warning(k);
}

void
nav_key(struct kiosk *k, int key)
{
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
	screen_get(k->screen)->key(k, key);
	nav_lost(k);
}

void
nav_tick(struct kiosk *k)
{
	const struct screen	*s = screen_get(k->screen);
	int64_t			 now = clock_mono_ms();
	long			 shown;

	/* A screen with nothing personal needs no warning (SCREEN_QUIET). */
	if (!(s->flags & SCREEN_QUIET) || k->staff.in) {
		if (k->warn_start_ms == 0) {
			if (now - k->last_key_ms >= k->idle_s * 1000) {
				k->warn_start_ms = now;
				k->dirty = 1;
			}
		} else {
			shown = (long)((now - k->warn_start_ms) / 1000);
			if (shown >= KIOSK_WARN_S) {
				nav_audit(k, "session ended: idle", "");
				nav_reset(k);
				return;
			}
			k->dirty = 1;	/* the count goes down */
		}
	}
	if (s->tick != NULL)
		s->tick(k);
	nav_lost(k);
}

/*
 * A store call of the last key or tick found the database gone (the
 * PostgreSQL server restarting, the line to the library down). Whatever
 * the screen went to (a fault message, a sign-in half done) the visit
 * ends: the transaction that was open is rolled back, so nothing is left
 * half-written, everything personal is wiped, and the unavailable screen
 * (screen_start.c) waits for the database with the resident signed out.
 */
static void
nav_lost(struct kiosk *k)
{
	int	 visit = k->sess.identified || k->staff.in;

	if (k->screen == KS_UNAVAILABLE || !store_lost(k->store))
		return;
	log_warnx("the database is unavailable%s",
	    visit ? "; the visit ended" : "");
	store_rollback(k->store);
	nav_reset(k);
	k->lost_ms = clock_mono_ms();
	k->retry_wait_ms = KIOSK_RETRY_MIN_MS;
	k->retry_ms = k->lost_ms + k->retry_wait_ms;
	nav_go(k, KS_UNAVAILABLE);
}
