/*
 * payments: fees as payers see them (EPC payloads for what is owed) and
 * bank credits booked against them. Booking writes the payment row first,
 * keyed by the bank's entry reference, so a statement imported twice
 * books nothing twice; the fee and the receipt follow only a new row.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "epc.h"
#include "fees.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "outbox.h"
#include "payments.h"
#include "store.h"
#include "util.h"

#define RECEIPT_TOPIC	"receipts"

/*
 * Step a fee query already bound (the fee joined with where its receipt
 * goes): 0 found, 1 none, -1 error.
 */
static int
fee_row(struct store *s, struct store_cur *c, struct payments_fee *f)
{
	int		 rc;

	if ((rc = store_step(c)) == STORE_ROW) {
		memset(f, 0, sizeof(*f));
		f->id = store_i64(c, 0);
		f->resident_id = store_i64(c, 1);
		store_text(c, 2, f->kind, sizeof(f->kind));
		store_text(c, 3, f->period, sizeof(f->period));
		f->amount_cents = store_i64(c, 4);
		f->paid_cents = store_i64(c, 5);
		store_text(c, 6, f->reference, sizeof(f->reference));
		store_text(c, 7, f->phone, sizeof(f->phone));
		f->phone_kind = store_isnull(c, 8) ? -1 : store_int(c, 8);
		store_text(c, 9, f->lang, sizeof(f->lang));
		f->receipts = store_int(c, 10);
	}
	store_reset(c);
	if (rc < 0) {
		log_warnx("payments: fee lookup: %s", store_errmsg(s));
		return -1;
	}
	return rc == STORE_ROW ? 0 : 1;
}

static int
fee_by_id(struct store *s, int64_t id, struct payments_fee *f)
{
	struct store_cur *c = store_cur(s, ST_PAY_FEE_BY_ID);

	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	return fee_row(s, c, f);
}

int
payments_fee_by_ref(struct store *s, const char *ref, struct payments_fee *f)
{
	struct store_cur *c = store_cur(s, ST_PAY_FEE_BY_REF);

	if (store_bind(c, "s", ref) != STORE_OK)
		return -1;
	return fee_row(s, c, f);
}

int
payments_fee_find(struct store *s, const char *key, struct payments_fee *f)
{
	char		 rf[IDENT_RF_SIZE], up[PAYMENTS_REF_SIZE];
	const char	*errstr;
	long long	 id;
	size_t		 i;
	int		 rc;

	if (util_strtonum(key, 1, INT64_MAX, &id, &errstr) == 0) {
		if ((rc = fee_by_id(s, id, f)) != 1)
			goto found;
	}
	if (strncasecmp(key, "RF", 2) == 0 &&
	    ident_rf_parse(key, rf, &errstr) == 0 &&
	    (rc = payments_fee_by_ref(s, rf, f)) != 1)
		goto found;
	if ((rc = payments_fee_by_ref(s, key, f)) != 1)
		goto found;
	/* Own references are stored as imported; people type any case. */
	for (i = 0; key[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)key[i]);
	up[i] = '\0';
	if (key[i] != '\0' || strcmp(up, key) == 0)
		return 1;
	rc = payments_fee_by_ref(s, up, f);
found:
	/* Fees imported before references were made get theirs on first use. */
	if (rc == 0 && f->reference[0] == '\0' && fees_set_reference(s, f->id,
	    f->reference, sizeof(f->reference)) == -1)
		return -1;
	return rc;
}

int64_t
payments_owed(const struct payments_fee *f)
{
	return f->amount_cents > f->paid_cents ?
	    f->amount_cents - f->paid_cents : 0;
}

void
payments_payee_from_config(const struct config *cfg,
    struct payments_payee *p)
{
	/* The municipality's own names unless the account has others. */
	p->name = config_str(cfg, CFG_PAYMENTS_BENEFICIARY);
	if (*p->name == '\0')
		p->name = config_str(cfg, CFG_MUNICIPALITY_NAME);
	p->short_name = config_str(cfg, CFG_PAYMENTS_SHORT_NAME);
	if (*p->short_name == '\0')
		p->short_name = config_str(cfg, CFG_MUNICIPALITY_SHORT_NAME);
	p->iban = config_str(cfg, CFG_PAYMENTS_IBAN);
	p->bic = config_str(cfg, CFG_PAYMENTS_BIC);
}

int
payments_epc(const struct payments_fee *f, const struct payments_payee *p,
    size_t max_len, char *buf, size_t size, size_t *len,
    const char **errstr)
{
	struct epc_transfer	 t;
	const char		*sn = p->short_name;

	if (payments_owed(f) == 0) {
		*errstr = N_("the fee is already paid");
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.name = p->name;
	t.iban = p->iban;
	t.bic = p->bic;
	t.cents = payments_owed(f);
	if (strncmp(f->reference, "RF", 2) == 0)
		t.reference = f->reference;
	else
		t.text = f->reference;
	if (max_len == 0)
		return epc_build(&t, buf, size, len, errstr);
	return epc_build_short(&t, sn != NULL && *sn != '\0' ? sn : NULL,
	    max_len, buf, size, len, errstr);
}

/*
 * Local noon of a booking date: the day a fee was paid, as epoch time. A
 * statement books most entries on one day, and the local conversion looks
 * at the time zone several times a call: keep the last answer.
 */
static time_t
date_epoch(const char *date)
{
	static char	 last[11];
	static time_t	 last_t;
	struct tm	 tm;
	int		 y, m, d;
	time_t		 t;

	if (last[0] != '\0' && strcmp(date, last) == 0)
		return last_t;
	if (util_parse_date(date, &y, &m, &d) == -1)
		return clock_now();
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	if ((t = clock_mktime_local(&tm)) == (time_t)-1)
		return clock_now();
	(void)util_strlcpy(last, date, sizeof(last));
	last_t = t;
	return t;
}

/*
 * Queue the receipt for a fee that became paid, in the resident's
 * language. 1 queued, 0 not wanted or not possible, -1 database error.
 */
static int
receipt(struct store *s, const struct payments_fee *f)
{
	char		 phone[IDENT_PHONE_SIZE], saved[8], text[512];
	char		 amount[I18N_MONEY_SIZE], period[I18N_PERIOD_SIZE];
	enum ident_phone_kind kind;
	struct outbox_msg m;
	const char	*errstr;
	int		 r;

	if (!f->receipts || f->phone[0] == '\0' ||
	    f->phone_kind == IDENT_PHONE_LV_FIXED)
		return 0;
	if (ident_phone_parse(f->phone, phone, &kind, &errstr) == -1 ||
	    kind == IDENT_PHONE_LV_FIXED)
		return 0;

	(void)util_strlcpy(saved, i18n_lang(), sizeof(saved));
	if (i18n_set_lang(f->lang) == -1)
		(void)i18n_set_lang("lv");
	i18n_money(f->amount_cents, amount, sizeof(amount));
	i18n_period(f->period, period, sizeof(period));
	/* TRANSLATORS: fee kind, period, amount, reference; keep it short. */
	r = util_snprintf(text, sizeof(text), _("%s %s paid in full: %s, "
	    "ref. %s. Thank you!"), fees_kind_name(f->kind), period,
	    amount, f->reference);
	(void)i18n_set_lang(saved);
	if (r == -1)
		return 0;
	/* An own reference could look like a personal code: never send one. */
	(void)log_scrub(text);

	memset(&m, 0, sizeof(m));
	m.phone = phone;
	m.text = text;
	m.topic = RECEIPT_TOPIC;
	m.resident_id = f->resident_id;
	if (outbox_enqueue(s, &m, &errstr) == -1) {
		log_warnx("payments: receipt for fee %lld: %s",
		    (long long)f->id, errstr);
		return -1;
	}
	return 1;
}

int
payments_book(struct store *s, const struct payments_credit *c,
    enum payments_status *status, int *sent)
{
	static const char *names[] = { "matched", "partial", "over",
	    "unmatched" };
	const struct payments_fee *f = NULL;
	struct store_cur	*cur;
	int64_t			 owed = 0;
	time_t			 now = clock_now();
	int			 rc;

	*sent = 0;
	*status = PAYMENTS_UNMATCHED;
	/* Only euros pay a fee; other currencies wait for staff. */
	if (c->fee != NULL && strcmp(c->currency, "EUR") == 0) {
		f = c->fee;
		owed = payments_owed(f);
		if (owed == 0 || c->cents > owed)
			*status = PAYMENTS_OVER;
		else if (c->cents < owed)
			*status = PAYMENTS_PARTIAL;
		else
			*status = PAYMENTS_MATCHED;
	}
	/* ?1 the fee: NULL (as cleared) for an unmatched credit. */
	cur = store_cur(s, ST_PAY_INSERT);
	if (store_bind(cur, "-sIsszzzst", c->entry_ref, c->cents,
	    c->currency, c->booked_on, c->reference, c->debtor, c->info,
	    names[*status], now) != STORE_OK || (f != NULL &&
	    store_bind_at(cur, 1, "I", f->id) != STORE_OK) ||
	    store_run(cur) != STORE_OK)
		return -1;
	if (store_changes(s) == 0) {
		*status = PAYMENTS_DUPLICATE;
		return 0;
	}
	if (f == NULL)
		return 0;
	if (fees_add_paid(s, f->id, c->cents, date_epoch(c->booked_on),
	    now) == -1)
		return -1;
	if (owed > 0 && c->cents >= owed) {
		if ((rc = receipt(s, f)) == -1)
			return -1;
		*sent = rc;
	}
	return 0;
}

long
payments_unmatched(struct store *s,
    void (*fn)(const struct payments_unmatched *, void *), void *arg)
{
	struct payments_unmatched u;
	struct store_cur *c = store_cur(s, ST_PAY_UNMATCHED);
	char		 reason[160];
	long		 n = 0;
	int		 rc;

	while ((rc = store_step(c)) == STORE_ROW) {
		memset(&u, 0, sizeof(u));
		u.id = store_i64(c, 0);
		u.booked_on = store_str(c, 1);
		u.cents = store_i64(c, 2);
		u.currency = store_str(c, 3);
		u.reference = store_str(c, 4);
		u.debtor = store_str(c, 5);
		u.info = store_str(c, 6);
		u.entry_ref = store_str(c, 7);
		/* The reason follows from the row, so none is stored. */
		if (strcmp(u.currency, "EUR") != 0)
			(void)util_snprintf(reason, sizeof(reason),
			    _("currency %s, not EUR"), u.currency);
		else if (*u.reference != '\0')
			(void)util_snprintf(reason, sizeof(reason),
			    _("no fee has reference %s"), u.reference);
		else
			(void)util_strlcpy(reason, _("no reference found"),
			    sizeof(reason));
		u.reason = reason;
		fn(&u, arg);
		n++;
	}
	store_reset(c);
	if (rc < 0) {
		log_warnx("payments: unmatched: %s", store_errmsg(s));
		return -1;
	}
	return n;
}

int
payments_summary(struct store *s, struct payments_summary *sum)
{
	static const char *names[] = { "matched", "partial", "over",
	    "unmatched" };
	struct store_cur *c = store_cur(s, ST_PAY_SUMMARY);
	const char	*name;
	size_t		 i;
	int		 rc;

	memset(sum, 0, sizeof(*sum));
	while ((rc = store_step(c)) == STORE_ROW) {
		name = store_str(c, 0);
		for (i = 0; i < nitems(names); i++)
			if (strcmp(name, names[i]) == 0) {
				sum->count[i] = (long)store_i64(c, 1);
				sum->cents[i] = store_i64(c, 2);
			}
	}
	store_reset(c);
	if (rc < 0)
		goto fail;
	c = store_cur(s, ST_PAY_OWED);
	if ((rc = store_step(c)) == STORE_ROW) {
		sum->unpaid_fees = (long)store_i64(c, 0);
		sum->owed_cents = store_i64(c, 1);
	}
	store_reset(c);
	if (rc != STORE_ROW)
		goto fail;
	return 0;
fail:
	log_warnx("payments: summary: %s", store_errmsg(s));
	return -1;
}
