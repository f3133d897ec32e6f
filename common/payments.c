/*
 * payments: fees as payers see them (EPC payloads for what is owed) and
 * bank credits booked against them. Booking writes the payment row first,
 * keyed by the bank's entry reference, so a statement imported twice
 * books nothing twice; the fee and the receipt follow only a new row.
 */
#include <ctype.h>
#include <sqlite3.h>
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

/* Step a fee query already bound: 0 found, 1 none, -1 error. */
static int
fee_row(struct store *s, sqlite3_stmt *st, struct payments_fee *f)
{
	int		 rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		(void)sqlite3_reset(st);
		return 1;
	}
	if (rc != SQLITE_ROW) {
		log_warnx("payments: fee lookup: %s", store_errmsg(s));
		(void)sqlite3_reset(st);
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	f->resident_id = sqlite3_column_int64(st, 1);
	store_col_text(st, 2, f->kind, sizeof(f->kind));
	store_col_text(st, 3, f->period, sizeof(f->period));
	f->amount_cents = sqlite3_column_int64(st, 4);
	f->paid_cents = sqlite3_column_int64(st, 5);
	store_col_text(st, 6, f->reference, sizeof(f->reference));
	store_col_text(st, 7, f->phone, sizeof(f->phone));
	f->phone_kind = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 8);
	store_col_text(st, 9, f->lang, sizeof(f->lang));
	f->receipts = sqlite3_column_int(st, 10);
	(void)sqlite3_reset(st);
	return 0;
}

static int
fee_by_id(struct store *s, int64_t id, struct payments_fee *f)
{
	sqlite3_stmt	*st = store_stmt(s, ST_PAY_FEE_BY_ID);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
		log_warnx("payments: %s", store_errmsg(s));
		return -1;
	}
	return fee_row(s, st, f);
}

int
payments_fee_by_ref(struct store *s, const char *ref, struct payments_fee *f)
{
	sqlite3_stmt	*st = store_stmt(s, ST_PAY_FEE_BY_REF);

	if (sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC) != SQLITE_OK) {
		log_warnx("payments: %s", store_errmsg(s));
		return -1;
	}
	return fee_row(s, st, f);
}

/* Fees imported before references were made get theirs on first use. */
static int
fee_ensure_reference(struct store *s, struct payments_fee *f)
{
	char		 rf[IDENT_RF_SIZE];
	sqlite3_stmt	*st;

	if (f->reference[0] != '\0')
		return 0;
	fees_reference_for_id(f->id, rf);
	st = store_stmt(s, ST_FEE_SET_REFERENCE);
	if (sqlite3_bind_int64(st, 1, f->id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, rf, -1, SQLITE_STATIC) != SQLITE_OK ||
	    store_exec(s, ST_FEE_SET_REFERENCE) == -1)
		return -1;
	(void)util_strlcpy(f->reference, rf, sizeof(f->reference));
	return 0;
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
	if (rc == 0 && fee_ensure_reference(s, f) == -1)
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

static int
bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL || *v == '\0')
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
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
	sqlite3_stmt		*st;
	int64_t			 owed = 0, now = (int64_t)clock_now();
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
	st = store_stmt(s, ST_PAY_INSERT);
	if ((f != NULL ? sqlite3_bind_int64(st, 1, f->id) :
	    sqlite3_bind_null(st, 1)) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, c->entry_ref, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, c->cents) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, c->currency, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 5, c->booked_on, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    bind_text_or_null(st, 6, c->reference) != SQLITE_OK ||
	    bind_text_or_null(st, 7, c->debtor) != SQLITE_OK ||
	    bind_text_or_null(st, 8, c->info) != SQLITE_OK ||
	    sqlite3_bind_text(st, 9, names[*status], -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 10, now) != SQLITE_OK) {
		log_warnx("payments: %s", store_errmsg(s));
		return -1;
	}
	if (store_exec(s, ST_PAY_INSERT) == -1)
		return -1;
	if (store_changes(s) == 0) {
		*status = PAYMENTS_DUPLICATE;
		return 0;
	}
	if (f == NULL)
		return 0;
	st = store_stmt(s, ST_PAY_FEE_ADD_PAID);
	if (sqlite3_bind_int64(st, 1, f->id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, c->cents) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (int64_t)date_epoch(c->booked_on)) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, now) != SQLITE_OK) {
		log_warnx("payments: %s", store_errmsg(s));
		return -1;
	}
	if (store_exec(s, ST_PAY_FEE_ADD_PAID) == -1)
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
	sqlite3_stmt	*st = store_stmt(s, ST_PAY_UNMATCHED);
	char		 reason[160];
	long		 n = 0;
	int		 rc;

#define TEXT(i)	(sqlite3_column_type(st, i) == SQLITE_NULL ? "" :	\
	    (const char *)sqlite3_column_text(st, i))
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&u, 0, sizeof(u));
		u.id = sqlite3_column_int64(st, 0);
		u.booked_on = TEXT(1);
		u.cents = sqlite3_column_int64(st, 2);
		u.currency = TEXT(3);
		u.reference = TEXT(4);
		u.debtor = TEXT(5);
		u.info = TEXT(6);
		u.entry_ref = TEXT(7);
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
#undef TEXT
	if (rc != SQLITE_DONE) {
		log_warnx("payments: unmatched: %s", store_errmsg(s));
		(void)sqlite3_reset(st);
		return -1;
	}
	(void)sqlite3_reset(st);
	return n;
}

int
payments_summary(struct store *s, struct payments_summary *sum)
{
	static const char *names[] = { "matched", "partial", "over",
	    "unmatched" };
	sqlite3_stmt	*st = store_stmt(s, ST_PAY_SUMMARY);
	const char	*name;
	size_t		 i;
	int		 rc;

	memset(sum, 0, sizeof(*sum));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; name != NULL && i < nitems(names); i++)
			if (strcmp(name, names[i]) == 0) {
				sum->count[i] = (long)sqlite3_column_int64(st,
				    1);
				sum->cents[i] = sqlite3_column_int64(st, 2);
			}
	}
	(void)sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	st = store_stmt(s, ST_PAY_OWED);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		(void)sqlite3_reset(st);
		goto fail;
	}
	sum->unpaid_fees = (long)sqlite3_column_int64(st, 0);
	sum->owed_cents = sqlite3_column_int64(st, 1);
	(void)sqlite3_reset(st);
	return 0;
fail:
	log_warnx("payments: summary: %s", store_errmsg(s));
	return -1;
}
