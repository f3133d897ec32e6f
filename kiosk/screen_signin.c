/*
 * screen_signin: identification — the personal code typed (never shown),
 * a one-time code sent by SMS to the resident's mobile, and that code
 * typed back — before the screen the resident asked for. Whoever the code
 * belongs to, the screens look the same, so the kiosk tells nobody
 * standing at it whether a personal code is someone's.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "ident.h"
#include "kiosk.h"
#include "nav.h"
#include "otp.h"
#include "screens.h"
#include "services.h"
#include "ui.h"
#include "util.h"

#define PCODE_DIGITS	11

static void
draw_field(int y, int x, const char *shown)
{
	ui_text(y, x, 0, UI_FIELD, shown);
}

static void
draw_ident_code(struct kiosk *k)
{
	char	 shown[64];
	size_t	 i, len = 0;
	int	 y = 3;

	ui_begin(_("Identification"));
	y = ui_wrap(y, 4, 72, UI_NORMAL, _("Type your personal code with "
	    "the digit keys. It is not shown on the screen."));
	y++;
	/* Masked: one dot a digit, the dash in its place. */
	shown[0] = '\0';
	for (i = 0; i < PCODE_DIGITS; i++) {
		if (i == 6)
			(void)ui_utf8_append(shown, sizeof(shown), &len, '-');
		(void)ui_utf8_append(shown, sizeof(shown), &len,
		    i < k->sess.input_len ? 0x2022 : '_');
	}
	draw_field(y + 1, 6, shown);
	y += 3;
	if (k->note[0] != '\0')
		ui_wrap(y + 1, 4, 72, k->note_error ? UI_ERROR : UI_OK,
		    k->note);
	ui_finish(nav_legend_input());
}

static void
ident_send(struct kiosk *k)
{
	struct otp_issued	 oi;
	char			 pcode[IDENT_PCODE_SIZE], line[256], when[32];
	const char		*errstr;
	enum ident_pcode_form	 form;
	int			 rc;

	rc = ident_pcode_parse(k->sess.input, pcode, &form, &errstr);
	nav_input_clear(k);
	if (rc == -1) {
		nav_note(k, 1, _("This personal code is not valid. Please type "
		    "it again."));
		explicit_bzero(pcode, sizeof(pcode));
		return;
	}
	rc = otp_issue(k->store, &k->otp, pcode, &oi);
	explicit_bzero(pcode, sizeof(pcode));
	switch (rc) {
	case OTP_OK:
	case OTP_NO_RESIDENT:
	case OTP_NO_PHONE:
		/*
		 * One screen whoever it was: a masked number, or a different
		 * screen for nobody, would tell whoever stands here that a
		 * personal code belongs to someone. No phone number is shown.
		 */
		k->sess.resident_id = rc == OTP_OK ? oi.resident_id : 0;
		k->sess.otp_nobody = rc != OTP_OK;
		(void)util_strlcpy(k->sess.otp_subject, oi.subject,
		    sizeof(k->sess.otp_subject));
		k->sess.otp_expires = clock_now() + k->otp.ttl_s;
		(void)util_strlcpy(k->sess.phone_mask, oi.phone_mask,
		    sizeof(k->sess.phone_mask));
		nav_audit_resident(k, rc != OTP_OK ? "sign-in code not sent: "
		    "nobody with a mobile phone" : oi.reused ?
		    "sign-in code still valid" : "sign-in code sent");
		nav_go(k, KS_IDENT_OTP);
		nav_note(k, 0, _("If this personal code has a mobile phone on "
		    "record, a code is on its way to it by SMS (a new one at "
		    "most once a minute). No SMS? Please ask at the service "
		    "desk."));
		return;
	case OTP_BUSY:
		nav_audit(k, "sign-in refused: terminal cap", "");
		nav_message(k, KS_MENU, 1, _("This terminal has sent as "
		    "many codes as it may in an hour. Please try again later "
		    "or ask at the service desk."));
		return;
	case OTP_LOCKED:
		k->sess.resident_id = oi.resident_id;
		nav_audit_resident(k, "sign-in refused: locked");
		clock_datetime(oi.locked_until, when, sizeof(when));
		(void)snprintf(line, sizeof(line), _("Too many wrong codes. "
		    "Please try again after %.5s or ask at the service desk."),
		    when + 11);
		nav_message(k, KS_MENU, 1, line);
		return;
	default:
		nav_message(k, KS_MENU, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
}

static void
key_ident_code(struct kiosk *k, int key)
{
	const char	*err;
	char		 line[256];

	if (nav_input_edit(k, key, KS_MENU))
		return;
	if (key == UI_K_ENTER) {
		if (k->sess.input_len == PCODE_DIGITS)
			ident_send(k);
		else
			nav_note(k, 1, _("A personal code has 11 digits."));
		return;
	}
	if (!nav_input_digit(k, key, PCODE_DIGITS))
		return;
	if (ident_pcode_prefix(k->sess.input, k->sess.input_len, &err) ==
	    -1) {
		nav_input_clear(k);
		/* ident's messages start in lower case: a sentence here. */
		(void)snprintf(line, sizeof(line), "%s.", _(err));
		if (line[0] >= 'a' && line[0] <= 'z')
			line[0] = (char)(line[0] - 'a' + 'A');
		nav_note(k, 1, line);
	} else if (k->sess.input_len == PCODE_DIGITS) {
		ident_send(k);
	}
}

static void
draw_ident_otp(struct kiosk *k)
{
	char	 shown[32];
	size_t	 i, len = 0;
	int	 y = 3;

	ui_begin(_("Identification"));
	if (k->note[0] != '\0')
		y = ui_wrap(y, 4, 72, k->note_error ? UI_ERROR : UI_OK,
		    k->note) + 1;
	y = ui_wrap(y, 4, 72, UI_NORMAL, _("Type the 6-digit code from the "
	    "SMS and press Enter."));
	shown[0] = '\0';
	for (i = 0; i < OTP_DIGITS; i++)
		(void)ui_utf8_append(shown, sizeof(shown), &len,
		    i < k->sess.input_len ? (unsigned char)k->sess.input[i] :
		    '_');
	draw_field(y + 1, 6, shown);
	ui_finish(nav_legend_input());
}

static void
key_ident_otp(struct kiosk *k, int key)
{
	char	 line[256], when[32];
	time_t	 until;
	int	 rc, left;

	if (nav_input_edit(k, key, KS_MENU))
		return;
	if (key != UI_K_ENTER) {
		(void)nav_input_digit(k, key, OTP_DIGITS);
		return;
	}
	if (k->sess.input_len != OTP_DIGITS) {
		nav_note(k, 1, _("The code has 6 digits."));
		return;
	}
	if (!k->sess.otp_nobody)
		rc = otp_verify(k->store, &k->otp, k->sess.resident_id,
		    k->sess.input, &left, &until);
	else if (clock_now() >= k->sess.otp_expires)
		rc = OTP_EXPIRED;	/* as the code nobody got would be */
	else
		rc = otp_verify_subject(k->store, &k->otp,
		    k->sess.otp_subject, &left, &until);
	nav_input_clear(k);
	switch (rc) {
	case OTP_OK:
		if (services_caller_by_resident(k->store, k->sess.resident_id,
		    &k->sess.caller) != 0) {
			nav_message(k, KS_MENU, 1, _("A technical fault: "
			    "please try again later or ask at the service "
			    "desk."));
			return;
		}
		/*
		 * The session speaks the language chosen on the screen; an
		 * SMS goes in the one the resident reads SMS in.
		 */
		(void)util_strlcpy(k->sess.sms_lang, k->sess.caller.lang,
		    sizeof(k->sess.sms_lang));
		(void)util_strlcpy(k->sess.caller.lang, i18n_lang(),
		    sizeof(k->sess.caller.lang));
		k->sess.identified = 1;
		nav_audit_resident(k, "sign-in");
		nav_open(k, k->after_ident);
		return;
	case OTP_WRONG:
		nav_audit_resident(k, "sign-in: wrong code");
		(void)snprintf(line, sizeof(line), ngettext("Wrong code. %d "
		    "try left.", "Wrong code. %d tries left.",
		    (unsigned long)left), left);
		nav_note(k, 1, line);
		return;
	case OTP_LOCKED:
		nav_audit_resident(k, "sign-in: locked out");
		clock_datetime(until, when, sizeof(when));
		(void)snprintf(line, sizeof(line), _("Too many wrong codes. "
		    "Please try again after %.5s or ask at the service desk."),
		    when + 11);
		nav_message(k, KS_MENU, 1, line);
		return;
	case OTP_EXPIRED:
		nav_message(k, KS_MENU, 1, _("The code is no longer valid. "
		    "Please start again."));
		return;
	default:
		nav_message(k, KS_MENU, 1, _("A technical fault: please "
		    "try again later or ask at the service desk."));
		return;
	}
}

const struct screen screen_ident_code = {
	.name = "ident-code",
	.draw = draw_ident_code,
	.key = key_ident_code,
};

const struct screen screen_ident_otp = {
	.name = "ident-otp",
	.draw = draw_ident_otp,
	.key = key_ident_otp,
};
