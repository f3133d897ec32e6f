/*
 * screens: the one table of the kiosk's screens, by enum kiosk_screen.
 * A new screen is its functions and its struct screen in a room (one file
 * by subject), a value in enum kiosk_screen, and one row here; nav.c does
 * the rest. Whether a screen is a staff screen, has help or pages, and
 * how it idles is in its row's flags, not in where its value stands.
 */
#include "log.h"
#include "screens.h"

static const struct screen *const screens[KS__COUNT] = {
	[KS_WELCOME] =		&screen_welcome,
	[KS_MENU] =		&screen_menu,
	[KS_IDENT_CODE] =	&screen_ident_code,
	[KS_IDENT_OTP] =	&screen_ident_otp,
	[KS_QUEUE] =		&screen_queue,
	[KS_FEES] =		&screen_fees,
	[KS_FEE_QR] =		&screen_fee_qr,
	[KS_TOPICS] =		&screen_topics,
	[KS_REPORT_CAT] =	&screen_report_cat,
	[KS_REPORT_TEXT] =	&screen_report_text,
	[KS_REPORT_DONE] =	&screen_report_done,
	[KS_MESSAGE] =		&screen_message,
	[KS_HELP] =		&screen_help,
	[KS_STAFF_ID] =		&screen_staff_id,
	[KS_STAFF_PIN] =	&screen_staff_pin,
	[KS_STAFF_MENU] =	&screen_staff_menu,
	[KS_STAFF_GROUP] =	&screen_staff_group,
	[KS_STAFF_TOPIC] =	&screen_staff_topic,
	[KS_STAFF_TEXT] =	&screen_staff_text,
	[KS_STAFF_CONFIRM] =	&screen_staff_confirm,
	[KS_STAFF_DASH] =	&screen_staff_dash,
	[KS_STAFF_APPROVE] =	&screen_staff_approve,
	[KS_OFFERS] =		&screen_offers,
	[KS_CASES] =		&screen_cases,
};

const struct screen *
screen_get(enum kiosk_screen s)
{
	/* A value without a row is a screen added to the enum only. */
	if ((unsigned)s >= KS__COUNT || screens[s] == NULL)
		fatalx("kiosk screen %d has no row in the table", (int)s);
	return screens[s];
}
