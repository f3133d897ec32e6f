/*
 * screens: the table of the kiosk's screens. Each screen is one row — a
 * struct screen defined beside its functions in its room (screen_*.c for
 * the resident's, staff.c for staff mode) — and nav.c finds the screen
 * showing here, so no room calls another and nothing depends on the
 * order of enum kiosk_screen.
 */
#ifndef MUNI_KIOSK_SCREENS_H
#define MUNI_KIOSK_SCREENS_H

#include <stddef.h>

#include "kiosk.h"

/* The words of a yes/no question over a screen (enum kiosk_ask). */
struct screen_question {
	const char	*title;
	char		 body[512];
	int		 urgent;	/* shown as a warning */
};

#define SCREEN_STAFF	0x1	/* staff mode: 9 opens no help there */
#define SCREEN_PAGED	0x2	/* a list on pages: its help tells the keys */
/*
 * Holds nothing personal (the welcome screen): no idle warning while no
 * staff member is signed in; the row's tick does what idle means here.
 */
#define SCREEN_QUIET	0x4
/* Text is typed there: '*' and '.' are characters, not speech keys. */
#define SCREEN_TEXT	0x8

struct screen {
	const char	*name;		/* in debug log lines (MUNI_DEBUG) */
	int		 flags;		/* SCREEN_* */
	const char	*help;		/* msgid of its help; NULL: general */
	void		(*draw)(struct kiosk *);
	void		(*key)(struct kiosk *, int key);
	/* Called when no key came for a while, after the idle rule. */
	void		(*tick)(struct kiosk *);
	/*
	 * Load what the screen shows before nav_open goes to it: 0 show it,
	 * 1 it went elsewhere itself, -1 a fault.
	 */
	int		(*open)(struct kiosk *);
	/* The words of the question k->ask over it; -1: none to ask. */
	int		(*ask)(struct kiosk *, struct screen_question *);
	/* A yes to the question asked (k->ask is already cleared). */
	void		(*yes)(struct kiosk *, enum kiosk_ask);
};

/* The row of a screen; every enum kiosk_screen has one. */
const struct screen *screen_get(enum kiosk_screen);

/* The rows, each defined in its room. */
extern const struct screen screen_welcome, screen_menu, screen_help,
	    screen_message;				/* screen_start.c */
extern const struct screen screen_ident_code, screen_ident_otp;
							/* screen_signin.c */
extern const struct screen screen_queue;		/* screen_queue.c */
extern const struct screen screen_fees, screen_fee_qr;	/* screen_fees.c */
extern const struct screen screen_topics;		/* screen_topics.c */
extern const struct screen screen_report_cat, screen_report_text,
	    screen_report_done;				/* screen_report.c */
extern const struct screen screen_offers, screen_cases;	/* screen_card.c */
extern const struct screen screen_staff_id, screen_staff_pin,
	    screen_staff_menu, screen_staff_group, screen_staff_topic,
	    screen_staff_text, screen_staff_confirm, screen_staff_dash,
	    screen_staff_approve;			/* staff.c */

#endif
