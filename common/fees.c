/*
 * fees: the fee rows, their references and names; see fees.h. Every
 * statement on the fees table that is about one fee is here; payments.c
 * keeps its joins of a fee with the payer's phone for receipts.
 */
#include <stdio.h>
#include <string.h>

#include "fees.h"
#include "i18n.h"
#include "log.h"
#include "residents.h"
#include "store.h"
#include "util.h"

void
fees_reference_for_id(int64_t id, char out[IDENT_RF_SIZE])
{
	char		 body[24];
	const char	*errstr;

	(void)snprintf(body, sizeof(body), "%010lld", (long long)id);
	if (ident_rf_make(body, out, &errstr) == -1)
		fatalx("fees_reference_for_id: %s", errstr);
}

const char *
fees_kind_name(const char *kind)
{
	if (strcmp(kind, "nin") == 0)
		return _("Real estate tax");
	if (strcmp(kind, "dog") == 0)
		return _("Dog fee");
	return kind;
}

/*
 * Fees imported before references were made, or without one, get theirs
 * here: the one place the rule of fees_reference_for_id is stored.
 */
int
fees_set_reference(struct store *s, int64_t id, char *ref, size_t refsize)
{
	char	 rf[IDENT_RF_SIZE];

	fees_reference_for_id(id, rf);
	if (store_do(s, ST_FEE_SET_REFERENCE, "Is", id, rf) != STORE_OK)
		return -1;
	if (ref != NULL)
		(void)util_strlcpy(ref, rf, refsize);
	return 0;
}

int
fees_upsert(struct store *s, const struct fees_row *f, int64_t *id,
    char *ref, size_t refsize)
{
	struct store_cur	*c = store_cur(s, ST_FEE_UPSERT);
	int			 rc;

	if (ref != NULL && refsize > 0)
		ref[0] = '\0';
	if (store_bind(c, "IssIszt", f->resident_id, f->kind, f->period,
	    f->amount_cents, f->due_date, f->reference, f->updated_at) !=
	    STORE_OK)
		return STORE_ERROR;
	/* RETURNING gives a row only when the fee was written. */
	if ((rc = store_step(c)) == STORE_ROW) {
		if (id != NULL)
			*id = store_i64(c, 0);
		if (ref != NULL)
			store_text(c, 1, ref, refsize);
		/* The change is made when the statement finishes. */
		rc = store_step(c);
		if (rc == STORE_OK)
			rc = 1;
	} else if (rc == STORE_OK)
		rc = store_changes(s) > 0;
	store_reset(c);
	return rc;
}

int
fees_insert(struct store *s, const struct fees_row *f)
{
	struct store_cur	*c = store_cur(s, ST_DEMO_FEE_INSERT);

	if (store_bind(c, "IssIszI", f->resident_id, f->kind, f->period,
	    f->amount_cents, f->due_date, f->reference, f->paid_cents) !=
	    STORE_OK)
		return -1;
	/* ?8 paid_at, ?9 updated_at, ?10 the id. */
	if ((f->paid_at != 0 ? store_bind_at(c, 8, "t", f->paid_at) :
	    store_bind_at(c, 8, "n")) != STORE_OK ||
	    store_bind_at(c, 9, "t", f->updated_at) != STORE_OK ||
	    (f->id != 0 ? store_bind_at(c, 10, "I", f->id) :
	    store_bind_at(c, 10, "n")) != STORE_OK)
		return -1;
	return store_run(c) == STORE_OK ? 0 : -1;
}

int
fees_add_paid(struct store *s, int64_t id, int64_t cents, time_t paid_at,
    time_t now)
{
	return store_do(s, ST_PAY_FEE_ADD_PAID, "IItt", id, cents, paid_at,
	    now) == STORE_OK ? 0 : -1;
}

int
fees_unpaid(struct store *s, const int64_t *residents, size_t n,
    size_t max, void (*fn)(void *, const struct fees_unpaid *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_SVC_FEES);
	struct fees_unpaid	 u;
	size_t			 got = 0;
	int			 rc;

	if (residents_bind_set(c, residents, n) == -1 ||
	    store_bind_at(c, 9, "I", (int64_t)max) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW && got < max) {
		memset(&u, 0, sizeof(u));
		u.id = store_i64(c, 0);
		u.resident_id = store_i64(c, 1);
		u.kind = store_str(c, 2);
		u.period = store_str(c, 3);
		u.owed_cents = store_i64(c, 4);
		u.due_date = store_str(c, 5);
		u.reference = store_str(c, 6);
		u.count = store_i64(c, 7);
		u.total_cents = store_i64(c, 8);
		fn(arg, &u);
		got++;
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

int
fees_count(struct store *s, int64_t *n)
{
	return store_one_i64(s, ST_FEE_COUNT, n, "") == STORE_ROW ? 0 : -1;
}
