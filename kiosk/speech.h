/*
 * speech: the kiosk speaks (issue 20). Residents who cannot read the
 * screen well hear it in the session's language through espeak-ng, on the
 * terminal's sound device (ALSA) or through a configured command; every
 * utterance may also be recorded for tests and set-up checks. The screens
 * decide what is said; this module only says it, without ever holding up
 * the key loop.
 */
#ifndef MUNI_SPEECH_H
#define MUNI_SPEECH_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct speech;

/* [kiosk] speech */
enum speech_mode {
	SPEECH_OFF,		/* never */
	SPEECH_KEY,		/* after the resident presses SPEECH_KEY_ON */
	SPEECH_ON,		/* every visit, from the welcome screen */
};

#define SPEECH_KEY_ON		'*'	/* speech on for this visit */
#define SPEECH_KEY_REPEAT	'.'	/* the screen again */
/* One utterance: a whole screen with its figures in words fits. */
#define SPEECH_TEXT_MAX		8192

/*
 * The speech of one kiosk from [kiosk] speech*; its voice is loaded and
 * its worker started when it is first turned on. NULL with a message for the
 * operator in err when the configuration cannot be used: a record
 * directory that is missing or that its group or others may read or
 * write. A missing sound device is no error: it is logged once and the
 * kiosk goes on silently. Free with speech_free.
 */
struct speech	*speech_new(const struct config *, char *err, size_t errsize);
void		 speech_free(struct speech *);
/* The rest take NULL for a kiosk without speech (unit tests). */
enum speech_mode speech_mode(const struct speech *);

/*
 * On for this visit (the key, or every visit with SPEECH_ON) or off (the
 * visit ended): off also stops what is being said.
 */
void		 speech_set_on(struct speech *, int on);
int		 speech_is_on(const struct speech *);

/*
 * Say text in the current language (i18n_lang), its figures in words
 * (spoken_line), cutting short whatever is being said. Returns at once.
 * Nothing happens while speech is not on.
 */
void		 speech_say(struct speech *, const char *text);
/* Say the last text again. */
void		 speech_repeat(struct speech *);
/* Stop speaking now. */
void		 speech_stop(struct speech *);

/*
 * Say a screen (ui_said): all of it when it is a new screen (its title
 * changed) or whole is set (the repeat key); else only what is new on
 * it since the last call: a message, an error, the idle warning, and of
 * a countdown only the number. A field of digits (a personal code, a
 * one-time code, a PIN) is never read out: a key typed into it is
 * acknowledged by a neutral word.
 */
struct ui_said;
void		 speech_screen(struct speech *, const struct ui_said *,
		    int whole);
/*
 * What speech_screen says for cur after prev (NULL: nothing before), in
 * the current language, before speech_say puts its figures in words; for
 * tests. "" when there is nothing new.
 */
void		 speech_compose(const struct ui_said *prev,
		    const struct ui_said *cur, int whole, char *buf,
		    size_t size);

/*
 * Figures for `make bench`: milliseconds from the last speech_say to its
 * first audio sample (-1 until it came), and whether the worker is still
 * at an utterance.
 */
int64_t		 speech_first_sample_ms(struct speech *);
int		 speech_busy(struct speech *);

#endif
