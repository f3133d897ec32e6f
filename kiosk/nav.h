/*
 * nav: the kiosk's navigation over the table of screens (screens.h) —
 * the loop's three calls (draw, key, tick) passed to the screen showing,
 * going to a screen, back and to the start (which wipes the visit), the
 * message screen, the note under a screen's body, the yes/no question,
 * the idle warning, and the audit rows of what residents and staff do.
 * Screens call nav, never each other.
 */
#ifndef MUNI_KIOSK_NAV_H
#define MUNI_KIOSK_NAV_H

#include <stddef.h>

#include "kiosk.h"

/* Set the terminal up from the configuration; the welcome screen. */
void	 nav_init(struct kiosk *);
/*
 * The loop's calls: the screen showing draws, takes a key, ticks. A key
 * or tick whose store call found the database lost (store_lost) ends the
 * visit on the unavailable screen.
 */
void	 nav_draw(struct kiosk *);
void	 nav_key(struct kiosk *, int key);
/* Called when no key came for a while: idle warning, dashboard. */
void	 nav_tick(struct kiosk *);

/* End the visit: wipe everything personal from memory and screen. */
void	 nav_reset(struct kiosk *);
void	 nav_go(struct kiosk *, enum kiosk_screen);
/*
 * Go to a screen that loads what it shows first (its table row's open);
 * a fault there shows the technical-fault message instead.
 */
void	 nav_open(struct kiosk *, enum kiosk_screen);
void	 nav_message(struct kiosk *, enum kiosk_screen back, int error,
	    const char *text);
/* A line under the screen's body; an error note is shown as one. */
void	 nav_note(struct kiosk *, int error, const char *text);
/* Ask before doing what (KA_*); the screen's row words it and does it. */
void	 nav_ask(struct kiosk *, enum kiosk_ask what);
/*
 * The field on an input screen changed (a character typed or deleted): an
 * error note about what was there goes, since it no longer applies.
 */
void	 nav_field_changed(struct kiosk *);
/*
 * The choice screens' keys: 0 and the left arrow go to back, 9 opens the
 * help about this screen (not on staff screens). 1 when the key was one.
 */
int	 nav_choice_key(struct kiosk *, int key, enum kiosk_screen back);

/* The typed field of an input screen (the session's input). */
void	 nav_input_clear(struct kiosk *);
/* A digit appended while there are fewer than max; 1 when it was one. */
int	 nav_input_digit(struct kiosk *, int key, size_t max);
/* Backspace and back on an input screen; 1 when the key was one. */
int	 nav_input_edit(struct kiosk *, int key, enum kiosk_screen back);

/* An audit row: the person signed in acts, else the terminal. */
void	 nav_audit(struct kiosk *, const char *action, const char *detail);
/* An audit row about the resident signed in (by row id, never a code). */
void	 nav_audit_resident(struct kiosk *, const char *action);
/* Free the lists staff mode loaded (before the staff state is wiped). */
void	 nav_staff_lists_free(struct kiosk *);

/*
 * The legends every screen ends with: up to three pairs of key and
 * meaning (NULL ends); valid until the next call.
 */
const char *const *nav_legend(const char *, const char *, const char *,
	    const char *, const char *, const char *);
const char *const *nav_legend_choice(void);
const char *const *nav_legend_input(void);

#endif
