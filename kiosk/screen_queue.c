/*
 * screen_queue: the resident's children in the preschool queue — each
 * child's place, institution, start date and priority, a few children a
 * page — as services_queue() gives them for the person signed in.
 */
#include <stdio.h>

#include "i18n.h"
#include "kiosk.h"
#include "nav.h"
#include "pager.h"
#include "screens.h"
#include "services.h"
#include "ui.h"

#define QUEUE_PER_PAGE	3	/* up to five rows a child */

/* Loaded when the screen opens, and who saw it written. */
static int
open_queue(struct kiosk *k)
{
	int	 rc;

	rc = services_queue(k->store, &k->sess.caller, &k->sess.queue);
	if (rc == 0)
		nav_audit_resident(k, "view queue");
	pager_init(&k->sess.queue_pg, k->sess.queue.n, QUEUE_PER_PAGE);
	return rc == -1 ? -1 : 0;
}

static void
draw_queue(struct kiosk *k)
{
	const struct services_queue	*q = &k->sess.queue;
	char				 line[320], start[I18N_DATE_SIZE];
	size_t				 i;
	int				 y = 2;

	ui_begin(_("Your children in the preschool queue"));
	if (q->n == 0)
		ui_wrap(3, 4, 72, UI_NORMAL, _("None of your children is in a "
		    "preschool queue."));
	for (i = pager_first(&k->sess.queue_pg); i < pager_first(
	    &k->sess.queue_pg) + pager_count(&k->sess.queue_pg) &&
	    y < ui_rows() - 4; i++) {
		const struct services_queue_entry *e = &q->e[i];

		ui_text(y++, 4, 0, UI_TITLE, e->child);
		ui_text(y++, 6, 0, UI_NORMAL, e->institution);
		i18n_date(e->desired_start, start, sizeof(start));
		(void)snprintf(line, sizeof(line), _("Place %lld of %lld, "
		    "from %s"), (long long)e->position, (long long)e->total,
		    start);
		ui_text(y++, 6, 0, UI_NORMAL, line);
		if (e->priority_name[0] != '\0') {
			(void)snprintf(line, sizeof(line), _("Priority: %s"),
			    e->priority_name);
			ui_text(y++, 6, 0, UI_NORMAL, line);
		}
		y++;
	}
	if (q->more && i == q->n)
		ui_text(ui_rows() - 3, 4, 0, UI_NORMAL, _("More entries: "
		    "please ask at the service desk."));
	pager_draw(&k->sess.queue_pg);
	ui_finish(pager_legend(&k->sess.queue_pg, nav_legend_choice()));
}

static void
key_queue(struct kiosk *k, int key)
{
	if (nav_choice_key(k, key, KS_MENU))
		return;
	if (pager_key(&k->sess.queue_pg, key, 0, NULL) == PAGER_MOVED)
		k->dirty = 1;
}

const struct screen screen_queue = {
	.name = "queue",
	.flags = SCREEN_PAGED,
	.draw = draw_queue,
	.key = key_queue,
	.open = open_queue,
};
