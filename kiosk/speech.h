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
 * The speech of one kiosk from [kiosk] speech*, its voice loaded and its
 * worker started (unless speech is off). NULL with a message for the
 * operator in err when the configuration cannot be used: a record
 * directory that is missing or that its group or others may read or
 * write. A missing sound device is no error: it is logged once and the
 * kiosk goes on silently. Free with speech_free.
 */
struct speech	*speech_new(const struct config *, char *err, size_t errsize);
void		 speech_free(struct speech *);
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
 * Figures for `make bench`: milliseconds from the last speech_say to its
 * first audio sample (-1 until it came), and whether the worker is still
 * at an utterance.
 */
int64_t		 speech_first_sample_ms(struct speech *);
int		 speech_busy(struct speech *);

#endif
