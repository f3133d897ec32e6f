/*
 * screen_topics: the notification topics of the resident signed in, each
 * turned on or off by its number (emergency warnings stay on), a page of
 * them at a time.
 */
#include <stdio.h>

#include "i18n.h"
#include "kiosk.h"
#include "nav.h"
#include "pager.h"
#include "screens.h"
#include "services.h"
#include "ui.h"

/* Loaded when the screen opens, and who saw them written. */
static int
open_topics(struct kiosk *k)
{
	int	 rc;

	rc = services_topics(k->store, &k->sess.caller, &k->sess.topics);
	if (rc == 0)
		nav_audit_resident(k, "view topics");
	pager_init(&k->sess.topics_pg, k->sess.topics.n, PAGER_PER_MAX);
	return rc == -1 ? -1 : 0;
}

static void
draw_topics(struct kiosk *k)
{
	const struct services_topics	*t = &k->sess.topics;
	char				 line[320];
	size_t				 i;
	int				 y = 2;

	ui_begin(_("Notifications by SMS"));
	(void)snprintf(line, sizeof(line), _("Messages go to %s."),
	    k->sess.caller.phone[0] != '\0' ? k->sess.phone_mask : "—");
	ui_text(y, 4, 0, UI_NORMAL, line);
	y += 2;
	ui_text(y, 4, 0, UI_NORMAL, _("Press a topic's number to turn it on "
	    "or off:"));
	y += 2;
	for (i = pager_first(&k->sess.topics_pg); i < pager_first(
	    &k->sess.topics_pg) + pager_count(&k->sess.topics_pg); i++) {
		(void)snprintf(line, sizeof(line), "%zu  [%s] %s%s",
		    i - pager_first(&k->sess.topics_pg) + 1,
		    t->t[i].subscribed ? "x" : " ", t->t[i].name,
		    t->t[i].emergency ? _(" (always on)") : "");
		ui_text(y++, 6, 0, t->t[i].subscribed ? UI_TITLE : UI_NORMAL,
		    line);
	}
	if (k->note[0] != '\0')
		ui_wrap(y + 1, 4, 72, k->note_error ? UI_ERROR : UI_OK,
		    k->note);
	pager_draw(&k->sess.topics_pg);
	ui_finish(pager_legend(&k->sess.topics_pg, nav_legend_choice()));
}

static void
key_topics(struct kiosk *k, int key)
{
	struct services_topic	 got;
	char			 d[96], line[256];
	size_t			 i;
	int			 rc, on;

	if (nav_choice_key(k, key, KS_MENU))
		return;
	switch (pager_key(&k->sess.topics_pg, key, 1, &i)) {
	case PAGER_CHOSEN:
		break;
	case PAGER_MOVED:
		k->note[0] = '\0';	/* it was about a row no longer shown */
		k->dirty = 1;
		return;
	default:
		return;
	}
	on = !k->sess.topics.t[i].subscribed;
	rc = services_subscribe(k->store, &k->sess.caller,
	    k->sess.topics.t[i].code, on, &got);
	if (rc == SERVICES_SUB_EMERGENCY) {
		nav_note(k, 1, _("Emergency warnings cannot be turned off."));
		return;
	}
	if (rc != SERVICES_SUB_OK ||
	    services_topics(k->store, &k->sess.caller, &k->sess.topics) != 0) {
		pager_resize(&k->sess.topics_pg, k->sess.topics.n);
		nav_note(k, 1, _("A technical fault: please try again later or "
		    "ask at the service desk."));
		return;
	}
	pager_resize(&k->sess.topics_pg, k->sess.topics.n);
	(void)snprintf(d, sizeof(d), "resident=%lld topic=%s %s",
	    (long long)k->sess.resident_id, got.code, on ? "on" : "off");
	nav_audit(k, "change topic", d);
	(void)snprintf(line, sizeof(line), on ? _("Turned on: %s") :
	    _("Turned off: %s"), got.name);
	nav_note(k, 0, line);
}

const struct screen screen_topics = {
	.name = "topics",
	.flags = SCREEN_PAGED,
	.help = N_("Each number turns a topic on or off. You get an SMS when "
	    "the municipality has news on the topics that are on."),
	.draw = draw_topics,
	.key = key_topics,
	.open = open_topics,
};
