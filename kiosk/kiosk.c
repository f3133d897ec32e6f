/*
 * muni-kiosk: the ncursesw kiosk of a library or service-centre terminal.
 * One process per terminal over the shared database. It cannot be left
 * from the keyboard: ^C, ^Z and ^\ are plain keys that do nothing, there
 * is no shell escape, and the program ends only from staff mode or on
 * SIGTERM/SIGHUP from the system (which then starts it again).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "kiosk.h"
#include "log.h"
#include "nav.h"
#include "screens.h"
#include "speech.h"
#include "store.h"
#include "ui.h"
#include "util.h"

static volatile sig_atomic_t	 kiosk_stop;

static void
on_stop(int sig)
{
	(void)sig;
	kiosk_stop = 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: muni-kiosk [-c FILE] [-T TERMINAL_NAME] [-h]\n");
}

/* The terminal's name for the audit log: -T, else the tty's own name. */
static void
terminal_name(struct kiosk *k, const char *given)
{
	const char	*t = given;

	if (t == NULL && (t = ttyname(STDIN_FILENO)) != NULL &&
	    strncmp(t, "/dev/", 5) == 0)
		t += 5;
	if (t == NULL || *t == '\0')
		t = "unknown";
	(void)util_strlcpy(k->terminal, t, sizeof(k->terminal));
	(void)snprintf(k->actor, sizeof(k->actor), "kiosk:%s", k->terminal);
}

/*
 * The speech keys, before the screen sees the key: SPEECH_KEY_ON turns
 * speech on for the visit, SPEECH_KEY_REPEAT says the screen again. They
 * are characters where text is typed, and '*' after '/' on the welcome
 * screen is staff mode's. Any other key cuts short what is being said;
 * what it leads to is said after the redraw. 1 when the key was taken.
 */
static int
speech_key(struct kiosk *k, int key)
{
	struct speech	*sp = k->speech;

	/* Under the idle warning every key only says "still here". */
	if (speech_mode(sp) == SPEECH_OFF ||
	    (screen_get(k->screen)->flags & SCREEN_TEXT) ||
	    k->warn_start_ms != 0) {
		speech_stop(sp);
		return 0;
	}
	if (key == SPEECH_KEY_ON && !(k->screen == KS_WELCOME &&
	    k->seq_len > 0)) {
		if (!speech_is_on(sp))
			speech_set_on(sp, 1);
		else
			speech_screen(sp, ui_said(), 1);
		k->dirty = 1;
		k->last_key_ms = clock_mono_ms();
		return 1;
	}
	if (key == SPEECH_KEY_REPEAT && speech_is_on(sp)) {
		speech_screen(sp, ui_said(), 1);
		k->last_key_ms = clock_mono_ms();
		return 1;
	}
	speech_stop(sp);
	return 0;
}

static int
signals(void)
{
	struct sigaction	 sa;
	static const int	 ignored[] = { SIGINT, SIGQUIT, SIGTSTP,
	    SIGTTIN, SIGTTOU, SIGPIPE, SIGUSR1, SIGUSR2 };
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < nitems(ignored); i++)
		if (sigaction(ignored[i], &sa, NULL) == -1)
			return -1;
	/* No SA_RESTART: the key wait returns and the loop sees the flag. */
	sa.sa_handler = on_stop;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct kiosk	 k;	/* large; wiped by nav_reset */
	const char		*conf = NULL, *term = NULL, *errstr;
	char			*errors, err[512];
	int64_t			 t;
	int			 ch, key, quick = 0, rc = 0;

	while ((ch = getopt(argc, argv, "c:T:h")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'T':
			term = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Log lines on the kiosk's screen would be seen by everybody. */
	log_init("muni-kiosk", isatty(STDERR_FILENO));
	i18n_init();
	if (signals() == -1)
		fatal("sigaction");
	if ((k.cfg = config_load(conf, &errors)) == NULL) {
		fputs(errors, stderr);
		free(errors);
		return 1;
	}
	/* Every time the screen shows is the municipality's. */
	if (clock_set_zone(config_str(k.cfg, CFG_MUNICIPALITY_TIMEZONE),
	    &errstr) == -1) {
		fprintf(stderr, "muni-kiosk: %s: %s\n",
		    config_key_name(CFG_MUNICIPALITY_TIMEZONE), errstr);
		config_free(k.cfg);
		return 1;
	}
	store_password_file(config_str(k.cfg, CFG_DATABASE_PASSWORD_FILE));
	if ((k.store = store_open(config_database(k.cfg), 0,
	    &errstr)) == NULL) {
		fprintf(stderr, "muni-kiosk: %s\n", errstr);
		config_free(k.cfg);
		return 1;
	}
	terminal_name(&k, term);
	store_set_origin(k.store, k.actor);
	/*
	 * One shared PIN cannot say who acted: once people have accounts it
	 * must go, and the kiosk says how rather than quietly ignore it.
	 */
	if (config_str(k.cfg, CFG_KIOSK_STAFF_PIN_HASH)[0] != '\0' &&
	    staff_count(k.store) > 0) {
		fprintf(stderr, "muni-kiosk: %s\n", _("[kiosk] staff_pin_hash "
		    "is set, but staff accounts exist: staff sign in with their "
		    "staff number and own PIN (munictl staff add, munictl staff "
		    "pin NAME); remove staff_pin_hash from the configuration"));
		store_close(k.store);
		config_free(k.cfg);
		return 1;
	}
	if ((k.speech = speech_new(k.cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "muni-kiosk: %s\n", err);
		store_close(k.store);
		config_free(k.cfg);
		return 1;
	}
	if (!isatty(STDIN_FILENO) || ui_init() == -1) {
		speech_free(k.speech);
		fprintf(stderr, "muni-kiosk: standard input is not a "
		    "terminal\n");
		store_close(k.store);
		config_free(k.cfg);
		return 1;
	}
	nav_init(&k);
	speech_set_on(k.speech, speech_mode(k.speech) == SPEECH_ON);
	nav_audit(&k, "kiosk start", "");
	while (!kiosk_stop && !k.quit) {
		if (k.dirty) {
			nav_draw(&k);
			speech_screen(k.speech, ui_said(), 0);
		}
		t = clock_mono_ms();
		key = ui_key();
		if (kiosk_stop)
			break;
		/*
		 * A terminal that is gone returns at once instead of waiting
		 * for a key: stop rather than spin (the system restarts us).
		 */
		if (key == UI_K_NONE && clock_mono_ms() - t < UI_TICK_MS / 4) {
			if (++quick >= 100) {
				log_warnx("the terminal is gone");
				rc = 1;
				break;
			}
		} else
			quick = 0;
		/* Listening to a long screen is not being away from it. */
		if (k.warn_start_ms == 0 && speech_busy(k.speech))
			k.last_key_ms = clock_mono_ms();
		if (key == UI_K_NONE)
			nav_tick(&k);
		else if (!speech_key(&k, key))
			nav_key(&k, key);
	}
	nav_audit(&k, kiosk_stop ? "kiosk stop: signal" : "kiosk stop", "");
	nav_reset(&k);
	ui_end();
	speech_free(k.speech);
	store_close(k.store);
	config_free(k.cfg);
	return rc;
}
