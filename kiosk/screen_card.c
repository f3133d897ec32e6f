/*
 * screen_card: what the resident card and the cases filed give the
 * resident signed in (issue 21) — the discounts they are entitled to,
 * nearest first as ATLAIDES lists them, with each merchant's address and
 * the days the offer runs; and their own reports and applications with
 * the status of each and when it last changed, as STATUSS tells it. Both
 * are lists to look at, a page at a time.
 */
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "cases.h"
#include "clock.h"
#include "i18n.h"
#include "kiosk.h"
#include "nav.h"
#include "pager.h"
#include "screens.h"
#include "ui.h"

#define OFFERS_PER_PAGE	4	/* four rows an offer */
#define CASES_PER_PAGE	PAGER_PER_MAX

/* --- Discounts. */

static int
open_offers(struct kiosk *k)
{
	int	 rc;

	rc = card_entitled(k->store, k->sess.resident_id, k->sess.offers,
	    KIOSK_OFFERS_MAX, &k->sess.noffers, &k->sess.offers_more);
	if (rc == 0)
		nav_audit_resident(k, "view discounts");
	else
		k->sess.noffers = 0;
	pager_init(&k->sess.offers_pg, k->sess.noffers, OFFERS_PER_PAGE);
	return rc == -1 ? -1 : 0;
}

/* "01.12.2026 – 31.12.2026", or "from 01.12.2026" when it has no end. */
static void
validity(const struct card_entitled *e, char *buf, size_t size)
{
	char	 from[I18N_DATE_SIZE], to[I18N_DATE_SIZE];

	i18n_date(e->from, from, sizeof(from));
	i18n_date(e->to, to, sizeof(to));
	if (strcmp(e->to, "9999-12-31") == 0)
		(void)snprintf(buf, size, _("Valid from %s"), from);
	else
		(void)snprintf(buf, size, _("Valid %s to %s"), from, to);
}

static void
draw_offers(struct kiosk *k)
{
	const struct pager	*pg = &k->sess.offers_pg;
	char			 line[320], when[96];
	size_t			 i;
	int			 y = 2;

	ui_begin(_("Your discounts at partner merchants"));
	if (k->sess.noffers == 0)
		ui_wrap(3, 4, 72, UI_NORMAL, _("No discounts for you at "
		    "partner merchants now."));
	for (i = pager_first(pg); i < pager_first(pg) + pager_count(pg) &&
	    y < ui_rows() - 4; i++) {
		const struct card_entitled *e = &k->sess.offers[i];

		ui_text(y++, 4, 0, UI_TITLE, e->merchant);
		(void)snprintf(line, sizeof(line), "%s%s%s", e->address,
		    e->address[0] != '\0' && e->territory[0] != '\0' ?
		    ", " : "", e->territory);
		ui_text(y++, 6, 0, UI_NORMAL, line);
		validity(e, when, sizeof(when));
		(void)snprintf(line, sizeof(line), "%s. %s", e->text, when);
		ui_text(y++, 6, 0, UI_NORMAL, line);
		y++;
	}
	if (k->sess.offers_more && i == k->sess.noffers)
		ui_text(ui_rows() - 3, 4, 0, UI_NORMAL, _("More discounts: "
		    "please ask at the service desk."));
	pager_draw(pg);
	ui_finish(pager_legend(pg, nav_legend_choice()));
}

static void
key_offers(struct kiosk *k, int key)
{
	if (nav_choice_key(k, key, KS_MENU))
		return;
	if (pager_key(&k->sess.offers_pg, key, 0, NULL) == PAGER_MOVED)
		k->dirty = 1;
}

const struct screen screen_offers = {
	.name = "offers",
	.flags = SCREEN_PAGED,
	.help = N_("The discounts partner merchants give you now, those "
	    "nearest to you first. At the shop send the SMS CARD and show "
	    "the code that comes back."),
	.draw = draw_offers,
	.key = key_offers,
	.open = open_offers,
};

/* --- My reports and applications. */

static int
open_cases(struct kiosk *k)
{
	int	 rc;

	rc = cases_mine_list(k->store, &k->sess.caller, k->sess.cases,
	    CASES_MINE_MAX, &k->sess.ncases, &k->sess.cases_more);
	if (rc == 0)
		nav_audit_resident(k, "view cases");
	else
		k->sess.ncases = 0;
	pager_init(&k->sess.cases_pg, k->sess.ncases, CASES_PER_PAGE);
	return rc == -1 ? -1 : 0;
}

static void
draw_cases(struct kiosk *k)
{
	const struct pager	*pg = &k->sess.cases_pg;
	char			 line[320], date[I18N_DATE_SIZE];
	size_t			 i;
	int			 y = 2;

	ui_begin(_("My reports and applications"));
	if (k->sess.ncases == 0)
		ui_wrap(3, 4, 72, UI_NORMAL, _("You have filed no reports or "
		    "applications."));
	for (i = pager_first(pg); i < pager_first(pg) + pager_count(pg) &&
	    y < ui_rows() - 4; i++) {
		const struct cases_mine *m = &k->sess.cases[i];

		clock_date_text(m->changed_at, date, sizeof(date));
		ui_text(y, 4, 0, UI_TITLE, m->case_no);
		(void)snprintf(line, sizeof(line), _("%s, since %s"),
		    cases_status_text(m->status), date);
		ui_text(y, 21, 0, UI_NORMAL, line);
		y += 2;
	}
	if (k->sess.cases_more && i == k->sess.ncases)
		ui_text(ui_rows() - 3, 4, 0, UI_NORMAL, _("Older cases: "
		    "please ask at the service desk."));
	pager_draw(pg);
	ui_finish(pager_legend(pg, nav_legend_choice()));
}

static void
key_cases(struct kiosk *k, int key)
{
	if (nav_choice_key(k, key, KS_MENU))
		return;
	if (pager_key(&k->sess.cases_pg, key, 0, NULL) == PAGER_MOVED)
		k->dirty = 1;
}

const struct screen screen_cases = {
	.name = "cases",
	.flags = SCREEN_PAGED,
	.help = N_("Your reports and applications, the newest first: the "
	    "status of each and the day it last changed. By SMS: STATUS and "
	    "the case number."),
	.draw = draw_cases,
	.key = key_cases,
	.open = open_cases,
};
