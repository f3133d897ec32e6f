/*
 * test_speech: the kiosk's speech module with the real espeak-ng voice and
 * a record directory (no sound device needed): what is said is recorded
 * as NNNNNN.txt with its figures in words and NNNNNN.wav with audio in
 * it; nothing is said before speech is on or after it is off; a record
 * directory others may read is refused; speech = off starts nothing.
 * Nothing here is timed: a say is waited for until the worker is idle.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "i18n.h"
#include "speech.h"
#include "ui.h"

struct fix {
	char		 dir[64];
	struct config	*cfg;
};

static int
setup(void **state)
{
	struct fix	*f;
	const char	*errstr;

	if (getenv("MUNI_LOCALEDIR") == NULL)
		setenv("MUNI_LOCALEDIR", "build/release/locale", 1);
	unsetenv("MUNI_LANG");
	i18n_init();
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/test_speech.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cfg = config_defaults();
	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH, "on", &errstr),
	    0);
	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH_RECORD_DIR,
	    f->dir, &errstr), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*f = *state;
	DIR		*d;
	struct dirent	*e;
	char		 p[512];

	if ((d = opendir(f->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			(void)snprintf(p, sizeof(p), "%s/%s", f->dir,
			    e->d_name);
			(void)unlink(p);
		}
		(void)closedir(d);
	}
	(void)rmdir(f->dir);
	config_free(f->cfg);
	free(f);
	(void)i18n_set_lang("lv");
	return 0;
}

static void
wait_idle(struct speech *sp)
{
	while (speech_busy(sp))
		(void)usleep(10000);
}

/* The text of record n, "" when there is none. */
static void
record_text(const struct fix *f, unsigned n, char *buf, size_t size)
{
	char	 p[128];
	FILE	*fp;
	size_t	 len;

	buf[0] = '\0';
	(void)snprintf(p, sizeof(p), "%s/%06u.txt", f->dir, n);
	if ((fp = fopen(p, "r")) == NULL)
		return;
	len = fread(buf, 1, size - 1, fp);
	buf[len] = '\0';
	(void)fclose(fp);
}

/* Bytes of audio in record n's WAV, -1 when it is missing or no WAV. */
static long
record_audio(const struct fix *f, unsigned n)
{
	char		 p[512];
	unsigned char	 h[44];
	struct stat	 st;
	FILE		*fp;
	long		 len;

	(void)snprintf(p, sizeof(p), "%s/%06u.wav", f->dir, n);
	if ((fp = fopen(p, "rb")) == NULL)
		return -1;
	if (fread(h, 1, sizeof(h), fp) != sizeof(h) ||
	    memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVEfmt ", 8) != 0 ||
	    memcmp(h + 36, "data", 4) != 0 || fstat(fileno(fp), &st) == -1) {
		(void)fclose(fp);
		return -1;
	}
	(void)fclose(fp);
	len = (long)h[40] | (long)h[41] << 8 | (long)h[42] << 16 |
	    (long)h[43] << 24;
	assert_int_equal(len + 44, st.st_size);
	return len;
}

static void
test_records_what_is_said(void **state)
{
	struct fix	*f = *state;
	struct speech	*sp;
	char		 err[256], text[512];

	sp = speech_new(f->cfg, err, sizeof(err));
	assert_non_null(sp);
	assert_int_equal(speech_mode(sp), SPEECH_ON);
	/* Not on for this visit yet: nothing. */
	speech_say(sp, "Sveiki");
	wait_idle(sp);
	assert_int_equal(record_audio(f, 1), -1);

	speech_set_on(sp, 1);
	speech_say(sp, "Jāmaksā 37,50 €.");
	wait_idle(sp);
	record_text(f, 1, text, sizeof(text));
	assert_string_equal(text, "Jāmaksā trīsdesmit septiņi eiro, "
	    "piecdesmit centi.\n");
	/* More than a second of 16-bit audio at espeak's 22050 Hz. */
	assert_true(record_audio(f, 1) > 22050 * 2);
	assert_true(speech_first_sample_ms(sp) >= 0);

	/* The repeat says the last text again. */
	speech_say(sp, "Sveiki");
	wait_idle(sp);
	speech_repeat(sp);
	wait_idle(sp);
	record_text(f, 3, text, sizeof(text));
	assert_string_equal(text, "Sveiki\n");
	assert_true(record_audio(f, 3) > 0);

	/* In English, the English forms. */
	assert_int_equal(i18n_set_lang("en"), 0);
	speech_say(sp, "Due: 37.50 EUR");
	wait_idle(sp);
	record_text(f, 4, text, sizeof(text));
	assert_string_equal(text, "Due: thirty-seven euros and fifty "
	    "cents\n");
	assert_true(record_audio(f, 4) > 0);

	/* Off (the visit ended): nothing more, not even a repeat. */
	speech_set_on(sp, 0);
	speech_say(sp, "Sveiki");
	speech_repeat(sp);
	wait_idle(sp);
	assert_int_equal(record_audio(f, 5), -1);
	speech_free(sp);

	/* A new kiosk continues the numbering rather than overwrite. */
	sp = speech_new(f->cfg, err, sizeof(err));
	assert_non_null(sp);
	speech_set_on(sp, 1);
	speech_say(sp, "Sveiki");
	wait_idle(sp);
	record_text(f, 5, text, sizeof(text));
	assert_string_equal(text, "Sveiki\n");
	speech_free(sp);
}

/* A later say cuts the one before short: its record holds less audio. */
static void
test_say_interrupts(void **state)
{
	struct fix	*f = *state;
	struct speech	*sp;
	char		 err[256];
	long		 whole, cut;
	const char	*long_text = "Rinda: nospiediet 1. Maksājumi: "
	    "nospiediet 2. Temati: nospiediet 3.";

	sp = speech_new(f->cfg, err, sizeof(err));
	assert_non_null(sp);
	speech_set_on(sp, 1);
	speech_say(sp, long_text);
	wait_idle(sp);
	whole = record_audio(f, 1);
	assert_true(whole > 0);
	speech_say(sp, long_text);
	while (speech_first_sample_ms(sp) < 0)
		(void)usleep(1000);
	speech_say(sp, "Jā");
	wait_idle(sp);
	cut = record_audio(f, 2);
	assert_true(cut >= 0);
	assert_true(cut < whole / 2);
	assert_true(record_audio(f, 3) > 0);
	speech_free(sp);
}

static void
test_record_dir_refused(void **state)
{
	struct fix	*f = *state;
	struct speech	*sp;
	const char	*errstr;
	char		 err[512];

	assert_int_equal(chmod(f->dir, 0750), 0);
	err[0] = '\0';
	assert_null(speech_new(f->cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "speech_record_dir"));
	assert_non_null(strstr(err, "chmod 700"));
	assert_int_equal(chmod(f->dir, 0704), 0);
	assert_null(speech_new(f->cfg, err, sizeof(err)));
	assert_int_equal(chmod(f->dir, 0700), 0);

	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH_RECORD_DIR,
	    "/nonexistent/speech", &errstr), 0);
	assert_null(speech_new(f->cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/speech"));

	/* With speech off the directory is not looked at, nothing runs. */
	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH, "off",
	    &errstr), 0);
	sp = speech_new(f->cfg, err, sizeof(err));
	assert_non_null(sp);
	assert_int_equal(speech_mode(sp), SPEECH_OFF);
	speech_set_on(sp, 1);
	assert_int_equal(speech_is_on(sp), 0);
	speech_say(sp, "Sveiki");
	assert_int_equal(speech_busy(sp), 0);
	speech_free(sp);
}

static void
test_config_keys(void **state)
{
	struct fix	*f = *state;
	const char	*errstr;

	(void)f;
	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH, "loud",
	    &errstr), -1);
	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH_RATE, "79",
	    &errstr), -1);
	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH_RATE, "301",
	    &errstr), -1);
	assert_int_equal(config_set(f->cfg, CFG_KIOSK_SPEECH_VOLUME, "201",
	    &errstr), -1);
	config_free(f->cfg);
	f->cfg = config_defaults();
	assert_string_equal(config_str(f->cfg, CFG_KIOSK_SPEECH), "key");
	assert_int_equal(config_int(f->cfg, CFG_KIOSK_SPEECH_RATE), 150);
	assert_int_equal(config_int(f->cfg, CFG_KIOSK_SPEECH_VOLUME), 100);
	assert_string_equal(config_str(f->cfg, CFG_KIOSK_SPEECH_RECORD_DIR),
	    "");
}

static void
add(struct ui_said *s, enum ui_said_kind kind, const char *key,
    const char *text)
{
	struct ui_said_item	*it = &s->item[s->n++];

	it->kind = kind;
	(void)snprintf(it->key, sizeof(it->key), "%s", key);
	(void)snprintf(it->text, sizeof(it->text), "%s", text);
}

#define COMPOSE(prev, cur, whole, want) do {				\
	char	 b_[SPEECH_TEXT_MAX];					\
	speech_compose((prev), (cur), (whole), b_, sizeof(b_));		\
	assert_string_equal(b_, (want));				\
} while (0)

/* What a screen says: whole when new, then only what is new on it. */
static void
test_compose(void **state)
{
	static struct ui_said	 menu, menu2, code, code2, otp, topics, warn,
				 warn2;

	(void)state;
	assert_int_equal(i18n_set_lang("lv"), 0);
	add(&menu, UI_SAID_TITLE, "", "Ko vēlaties darīt?");
	add(&menu, UI_SAID_TEXT, "", "1  Maksājumi");
	add(&menu, UI_SAID_TEXT, "", "0  Beigt");
	add(&menu, UI_SAID_KEY, "0/←", "Beigt");
	add(&menu, UI_SAID_KEY, "9", "Palīdzība");
	/* The menu's "0  Beigt" and the legend's are said once. */
	COMPOSE(NULL, &menu, 0, "Ko vēlaties darīt? Maksājumi: nospiediet "
	    "1. Beigt: nospiediet 0. Palīdzība: nospiediet 9.");
	/* The same screen again: nothing; the repeat key: all of it. */
	COMPOSE(&menu, &menu, 0, "");
	COMPOSE(&menu, &menu, 1, "Ko vēlaties darīt? Maksājumi: nospiediet "
	    "1. Beigt: nospiediet 0. Palīdzība: nospiediet 9.");
	/* A note on it: only the note (its figures go into words as it
	   is said, test_records_what_is_said). */
	menu2 = menu;
	add(&menu2, UI_SAID_ERROR, "", "Parāds 37,50 €");
	COMPOSE(&menu, &menu2, 0, "Parāds 37,50 €.");

	/* A personal code: its field is never read, a digit is "typed". */
	add(&code, UI_SAID_TITLE, "", "Identifikācija");
	add(&code, UI_SAID_FIELD, "", "______-_____");
	add(&code, UI_SAID_KEY, "←", "Atpakaļ");
	add(&code, UI_SAID_KEY, "⌫", "Dzēst");
	COMPOSE(NULL, &code, 0, "Identifikācija. Atpakaļ: nospiediet "
	    "kreiso bultu. Dzēst: nospiediet dzēšanas taustiņu.");
	code2 = code;
	(void)snprintf(code2.item[1].text, sizeof(code2.item[1].text),
	    "••____-_____");
	COMPOSE(&code, &code2, 0, "ievadīts.");
	COMPOSE(&code2, &code, 0, "izdzēsts.");
	/* The one-time code's digits, shown on the screen, are not said. */
	otp = code;
	(void)snprintf(otp.item[1].text, sizeof(otp.item[1].text),
	    "123___");
	COMPOSE(NULL, &otp, 1, "Identifikācija. Atpakaļ: nospiediet "
	    "kreiso bultu. Dzēst: nospiediet dzēšanas taustiņu.");
	COMPOSE(&code, &otp, 0, "ievadīts.");

	/* Topics: the boxes in words; a masked phone without its dots. */
	add(&topics, UI_SAID_TITLE, "", "Paziņojumi īsziņās");
	add(&topics, UI_SAID_TEXT, "", "Ziņas uz +371 2•••••72.");
	add(&topics, UI_SAID_TEXT, "", "1  [x] Kultūra");
	add(&topics, UI_SAID_TEXT, "", "2  [ ] Ceļi");
	COMPOSE(NULL, &topics, 0, "Paziņojumi īsziņās. Ziņas uz +371 2 … "
	    "72. Kultūra, ieslēgts: nospiediet 1. Ceļi, izslēgts: "
	    "nospiediet 2.");

	/* The idle warning, then its countdown's number alone. */
	warn = menu;
	add(&warn, UI_SAID_BOX, "", "Vai jūs vēl esat šeit?");
	add(&warn, UI_SAID_BOX, "", "Sākums no jauna pēc 20 s");
	COMPOSE(&menu, &warn, 0, "Vai jūs vēl esat šeit? Sākums no jauna "
	    "pēc 20 s.");
	warn2 = warn;
	(void)snprintf(warn2.item[6].text, sizeof(warn2.item[6].text),
	    "Sākums no jauna pēc 19 s");
	COMPOSE(&warn, &warn2, 0, "19.");

	/* In English, the English words. */
	assert_int_equal(i18n_set_lang("en"), 0);
	COMPOSE(&code, &code2, 0, "typed.");
	COMPOSE(NULL, &menu, 0, "Ko vēlaties darīt? Maksājumi: press 1. "
	    "Beigt: press 0. Palīdzība: press 9.");
	assert_int_equal(i18n_set_lang("lv"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records_what_is_said,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_say_interrupts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_record_dir_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_compose, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
