/*
 * screen_fees: the resident's unpaid fees, a page of them with the total,
 * and one fee's payment code: the EPC QR code a bank app scans (the
 * payload `munictl pay epc` gives) with the same details written out
 * beside it for whoever pays without the app.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "epc.h"
#include "i18n.h"
#include "ident.h"
#include "kiosk.h"
#include "nav.h"
#include "pager.h"
#include "payments.h"
#include "qr.h"
#include "screens.h"
#include "services.h"
#include "ui.h"

#define QR_TEXT_COLS	34	/* the text beside the code */
#define FEES_PER_PAGE	7	/* two rows a fee, and the total below */

/* Loaded when the screen opens, and who saw them written. */
static int
open_fees(struct kiosk *k)
{
	int	 rc;

	rc = services_fees(k->store, k->cfg, &k->sess.caller, &k->sess.fees);
	if (rc == 0)
		nav_audit_resident(k, "view fees");
	pager_init(&k->sess.fees_pg, k->sess.fees.n, FEES_PER_PAGE);
	return rc == -1 ? -1 : 0;
}

static void
draw_fees(struct kiosk *k)
{
	const struct services_fees	*f = &k->sess.fees;
	char				 line[320], amount[I18N_MONEY_SIZE];
	char				 due[I18N_DATE_SIZE], period[I18N_PERIOD_SIZE];
	size_t				 i;
	int				 y = 3;

	ui_begin(_("Unpaid fees"));
	if (f->n == 0) {
		ui_wrap(y, 4, 72, UI_NORMAL, _("You have no unpaid fees."));
		ui_finish(nav_legend_choice());
		return;
	}
	ui_text(y, 4, 0, UI_NORMAL, _("Choose a fee to pay:"));
	y += 2;
	/* Two rows a fee: a page of them and the total fit 24 rows. */
	for (i = pager_first(&k->sess.fees_pg); i < pager_first(
	    &k->sess.fees_pg) + pager_count(&k->sess.fees_pg) &&
	    y < ui_rows() - 4; i++) {
		const struct services_fee *e = &f->f[i];

		i18n_money(e->owed_cents, amount, sizeof(amount));
		i18n_date(e->due_date, due, sizeof(due));
		i18n_period(e->period, period, sizeof(period));
		(void)snprintf(line, sizeof(line), "%zu  %s %s",
		    i - pager_first(&k->sess.fees_pg) + 1, e->kind_name,
		    period);
		ui_text(y++, 6, 0, UI_NORMAL, line);
		(void)snprintf(line, sizeof(line), _("%s, due %s%s"),
		    amount, due, e->overdue ? _(" (overdue)") : "");
		ui_text(y++, 9, 0, e->overdue ? UI_TITLE : UI_NORMAL, line);
	}
	i18n_money(f->total_owed_cents, amount, sizeof(amount));
	(void)snprintf(line, sizeof(line), _("In all: %s"), amount);
	ui_text(y, 6, 0, UI_NORMAL, line);
	/* Beyond what services_fees() loads: the desk has them all. */
	if (f->count > f->n && i == f->n)
		ui_text(y + 1, 6, 0, UI_NORMAL, _("More fees: please ask at "
		    "the service desk."));
	pager_draw(&k->sess.fees_pg);
	ui_finish(pager_legend(&k->sess.fees_pg, nav_legend_choice()));
}

static void
open_fee(struct kiosk *k, size_t i)
{
	struct payments_fee	 pf;
	struct payments_payee	 payee;
	const char		*errstr;
	char			 key[32], d[64];
	size_t			 len, j;

	(void)snprintf(key, sizeof(key), "%lld",
	    (long long)k->sess.fees.f[i].id);
	if (payments_fee_find(k->store, key, &pf) != 0)
		goto fail;
	/* Only a fee of the person signed in. */
	for (j = 0; j < k->sess.caller.nresidents; j++)
		if (k->sess.caller.resident[j] == pf.resident_id)
			break;
	if (j == k->sess.caller.nresidents)
		goto fail;
	payments_payee_from_config(k->cfg, &payee);
	/*
	 * The payload `munictl pay epc` gives: short enough for 80x24 in
	 * half blocks, whatever this terminal's size, so that one fee has
	 * one code everywhere.
	 */
	if (payments_epc(&pf, &payee, qr_max_payload(UI_MIN_COLS, UI_MIN_ROWS,
	    QR_MODE_HALF), k->sess.payload, sizeof(k->sess.payload), &len,
	    &errstr) == -1) {
		nav_message(k, KS_FEES, 1, _(errstr));
		return;
	}
	qr_free(k->sess.qr);
	if ((k->sess.qr = qr_encode(k->sess.payload, len, &errstr)) == NULL) {
		nav_message(k, KS_FEES, 1, _(errstr));
		return;
	}
	k->sess.fee = i;
	(void)snprintf(d, sizeof(d), "resident=%lld fee=%lld",
	    (long long)k->sess.resident_id, (long long)pf.id);
	nav_audit(k, "view payment code", d);
	nav_go(k, KS_FEE_QR);
	return;
fail:
	nav_message(k, KS_FEES, 1, _("A technical fault: please try again "
	    "later or ask at the service desk."));
}

static void
draw_fee_qr(struct kiosk *k)
{
	const struct services_fee	*e = &k->sess.fees.f[k->sess.fee];
	struct payments_payee		 payee;
	struct epc_fields		 qf;
	enum qr_mode			 mode = QR_MODE_DOUBLE;
	const char			*errstr;
	char				 line[1024], iban[48], amount[I18N_MONEY_SIZE];
	char				 period[I18N_PERIOD_SIZE];
	int				 qcols = 0, qrows, r, x, y = 0, w;

	ui_begin("");
	if (k->sess.qr != NULL) {
		/* Double width when the terminal has room for it. */
		if (qr_fits(k->sess.qr, ui_cols() - QR_TEXT_COLS,
		    ui_rows() - 1, QR_MODE_DOUBLE, &errstr) == -1)
			mode = QR_MODE_HALF;
		if (qr_fits(k->sess.qr, ui_cols() - QR_TEXT_COLS,
		    ui_rows() - 1, mode, &errstr) == 0 &&
		    qr_line_size(k->sess.qr, mode) <= sizeof(line)) {
			qr_text_size(k->sess.qr, mode, &qcols, &qrows);
			for (r = 0; r < qrows; r++)
				if (qr_text_line(k->sess.qr, mode, r, line,
				    sizeof(line)) >= 0)
					ui_text(r, 0, qcols, UI_QR, line);
		} else
			qcols = 0;
	}
	x = qcols + 2;
	w = ui_cols() - x - 1;
	payments_payee_from_config(k->cfg, &payee);
	y = ui_wrap(y, x, w, UI_TITLE, _("Scan the code with your bank's "
	    "app")) + 1;
	i18n_period(e->period, period, sizeof(period));
	(void)snprintf(line, sizeof(line), "%s %s", e->kind_name, period);
	y = ui_wrap(y, x, w, UI_NORMAL, line) + 1;
	/*
	 * The name the code carries (the short one when the full one does
	 * not fit 80x24): the bank app shows that one, so must the screen.
	 */
	if (epc_parse(k->sess.payload, strlen(k->sess.payload), &qf,
	    &errstr) == 0)
		payee.name = qf.name;
	ui_text(y++, x, w, UI_NORMAL, _("Beneficiary:"));
	y = ui_wrap(y, x, w, UI_TITLE, payee.name);
	ui_text(y++, x, w, UI_NORMAL, "IBAN:");
	ident_iban_format(payee.iban, iban, sizeof(iban));
	ui_text(y++, x, w, UI_TITLE, iban);
	ui_text(y++, x, w, UI_NORMAL, _("Amount:"));
	i18n_money(e->owed_cents, amount, sizeof(amount));
	ui_text(y++, x, w, UI_TITLE, amount);
	ui_text(y++, x, w, UI_NORMAL, _("Reference:"));
	ui_text(y++, x, w, UI_TITLE, e->reference);
	y++;
	ui_wrap(y, x, w, UI_NORMAL, _("No bank app? Pay with these details "
	    "in your internet bank or at the bank."));
	ui_finish(nav_legend_choice());
}

static void
key_fees(struct kiosk *k, int key)
{
	size_t	 i;

	if (nav_choice_key(k, key, KS_MENU))
		return;
	switch (pager_key(&k->sess.fees_pg, key, 1, &i)) {
	case PAGER_CHOSEN:
		open_fee(k, i);
		break;
	case PAGER_MOVED:
		k->dirty = 1;
		break;
	default:
		break;
	}
}

/* Leaving the code: it is the resident's, and goes from memory. */
static void
key_fee_qr(struct kiosk *k, int key)
{
	if (key == '0' || key == UI_K_LEFT) {
		qr_free(k->sess.qr);
		k->sess.qr = NULL;
		explicit_bzero(k->sess.payload, sizeof(k->sess.payload));
	}
	(void)nav_choice_key(k, key, KS_FEES);
}

#define HELP_FEES N_("Choose a fee by its number. The code on the next " \
    "screen is read by your bank's app: open the app, choose \"scan\" and " \
    "point the phone at the screen. The payment details are also written " \
    "out beside the code.")

const struct screen screen_fees = {
	.name = "fees",
	.flags = SCREEN_PAGED,
	.help = HELP_FEES,
	.draw = draw_fees,
	.key = key_fees,
	.open = open_fees,
};

const struct screen screen_fee_qr = {
	.name = "fee-qr",
	.help = HELP_FEES,
	.draw = draw_fee_qr,
	.key = key_fee_qr,
};
