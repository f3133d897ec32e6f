/*
 * test_fees: the rows of fees, residents and the preschool queue through
 * their own modules. A fee upsert writes, skips an unchanged row, keeps a
 * stored reference and refuses another fee's reference as the row's
 * fault; the RF reference is assigned in one place; unpaid fees come
 * earliest due first with the count and total of all; a phone shared by
 * more residents than a question takes says so; priority classes are
 * counted and known. Raw SQL checks the modules by another route.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fees.h"
#include "log.h"
#include "preschool.h"
#include "residents.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"

#define NOW	1767261600	/* 2026-01-01 12:00 in Riga */

static int
setup(void **state)
{
	const char	*errstr = NULL;
	struct store	*s;

	log_set_level(LOG_LEVEL_FATAL);
	if ((s = test_store_open(&errstr)) == NULL)
		return -1;
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	return 0;
}

/* A resident with code and phone ("" none); its id. */
static int64_t
resident(struct store *s, const char *code, const char *phone,
    const char *lang)
{
	struct residents_row	 r;
	int64_t			 id = 0;

	memset(&r, 0, sizeof(r));
	r.code = code;
	r.given_name = "Anna";
	r.family_name = "Bērziņa";
	r.phone = phone;
	r.phone_kind = *phone != '\0' ? 0 : -1;
	r.lang = lang;
	r.territory = "Dobele";
	r.address = "";
	r.updated_at = NOW;
	assert_int_equal(residents_upsert(s, &r), 1);
	/* The same row again changes nothing. */
	assert_int_equal(residents_upsert(s, &r), 0);
	assert_int_equal(residents_id_by_code(s, code, &id), 0);
	return id;
}

static void
fee(struct fees_row *f, int64_t rid, const char *period, int64_t cents,
    const char *due, const char *ref)
{
	memset(f, 0, sizeof(*f));
	f->resident_id = rid;
	f->kind = "nin";
	f->period = period;
	f->amount_cents = cents;
	f->due_date = due;
	f->reference = ref;
	f->updated_at = NOW;
}

static void
test_upsert(void **state)
{
	struct store	*s = *state;
	struct fees_row	 f;
	char		 ref[40], rf[IDENT_RF_SIZE];
	int64_t		 rid = resident(s, "010101-10006", "", "lv"), id = 0;
	int64_t		 other = resident(s, "020202-10007", "", "lv");

	fee(&f, rid, "2026-Q1", 2500, "2026-03-31", NULL);
	assert_int_equal(fees_upsert(s, &f, &id, ref, sizeof(ref)), 1);
	assert_true(id > 0);
	assert_string_equal(ref, "");
	assert_int_equal(fees_upsert(s, &f, &id, ref, sizeof(ref)), 0);
	/* The one place an RF reference is made and stored. */
	assert_int_equal(fees_set_reference(s, id, ref, sizeof(ref)), 0);
	fees_reference_for_id(id, rf);
	assert_string_equal(ref, rf);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM fees WHERE"
	    " reference LIKE 'RF%'"), 1);
	/* A new amount without a reference keeps the stored one. */
	f.amount_cents = 3000;
	assert_int_equal(fees_upsert(s, &f, &id, ref, sizeof(ref)), 1);
	assert_string_equal(ref, rf);
	/* Another fee with that reference is the row's fault. */
	fee(&f, other, "2026-Q1", 100, "2026-03-31", rf);
	assert_int_equal(fees_upsert(s, &f, &id, ref, sizeof(ref)),
	    STORE_EUNIQUE);
	/* The database's words name the column (PostgreSQL: its key). */
	assert_non_null(strstr(store_errmsg(s), test_store_pg() ?
	    "fees_reference" : "fees.reference"));
	assert_int_equal(fees_count(s, &id), 0);
	assert_int_equal(id, 1);
}

struct unpaid {
	int	 n;
	char	 periods[64];
	int64_t	 count, total;
};

static void
unpaid(void *arg, const struct fees_unpaid *u)
{
	struct unpaid	*up = arg;
	size_t		 len = strlen(up->periods);

	up->n++;
	(void)snprintf(up->periods + len, sizeof(up->periods) - len, "%s ",
	    u->period);
	up->count = u->count;
	up->total = u->total_cents;
}

static void
test_unpaid(void **state)
{
	struct store	*s = *state;
	struct fees_row	 f;
	struct unpaid	 up;
	int64_t		 r[2], id;

	r[0] = resident(s, "010101-10006", "", "lv");
	r[1] = resident(s, "020202-10007", "", "lv");
	fee(&f, r[0], "2026-Q2", 1000, "2026-05-15", NULL);
	assert_int_equal(fees_upsert(s, &f, &id, NULL, 0), 1);
	fee(&f, r[1], "2026-Q1", 2000, "2026-03-31", NULL);
	assert_int_equal(fees_upsert(s, &f, &id, NULL, 0), 1);
	fee(&f, r[0], "2026-Q3", 4000, "2026-08-15", NULL);
	assert_int_equal(fees_upsert(s, &f, &id, NULL, 0), 1);
	/* Half of Q3 paid: 2000 still owed. */
	assert_int_equal(fees_add_paid(s, id, 2000, NOW, NOW), 0);
	memset(&up, 0, sizeof(up));
	assert_int_equal(fees_unpaid(s, r, 2, 2, unpaid, &up), 0);
	/* Two shown, earliest due first; count and total of all three. */
	assert_int_equal(up.n, 2);
	assert_string_equal(up.periods, "2026-Q1 2026-Q2 ");
	assert_int_equal(up.count, 3);
	assert_int_equal(up.total, 2000 + 1000 + 2000);
	/* Paid in full: gone, and its paid_at set. */
	assert_int_equal(fees_add_paid(s, id, 2000, NOW + 60, NOW), 0);
	memset(&up, 0, sizeof(up));
	assert_int_equal(fees_unpaid(s, r, 1, 16, unpaid, &up), 0);
	assert_string_equal(up.periods, "2026-Q2 ");
	assert_int_equal(tl_int(s, "SELECT paid_at FROM fees WHERE"
	    " period = '2026-Q3'"), NOW + 60);
}

static void
test_phone(void **state)
{
	struct store	*s = *state;
	int64_t		 ids[RESIDENTS_SET_MAX], first = 0;
	char		 code[16], lang[8], phone[24];
	size_t		 n, i;
	int		 more;

	/* One more resident on the phone than one question takes. */
	for (i = 0; i <= RESIDENTS_SET_MAX; i++) {
		(void)snprintf(code, sizeof(code), "32%09zu", i);
		if (i == 0)
			first = resident(s, code, "+37120000001", "en");
		else
			(void)resident(s, code, "+37120000001", "lv");
	}
	assert_int_equal(residents_by_phone(s, "+37120000001", ids,
	    RESIDENTS_SET_MAX, &n, &more, lang, sizeof(lang)), 0);
	assert_int_equal(n, RESIDENTS_SET_MAX);
	assert_int_equal(more, 1);
	assert_int_equal(ids[0], first);
	assert_string_equal(lang, "en");
	assert_int_equal(residents_by_phone(s, "+37120000002", ids,
	    RESIDENTS_SET_MAX, &n, &more, lang, sizeof(lang)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(more, 0);
	assert_int_equal(residents_get(s, first, lang, sizeof(lang), phone,
	    sizeof(phone)), 0);
	assert_string_equal(phone, "+37120000001");
	assert_int_equal(residents_get(s, first + 100, lang, sizeof(lang),
	    phone, sizeof(phone)), 1);
	assert_int_equal(residents_id_by_code(s, "329999999999", &first), 1);
}

static void
test_classes(void **state)
{
	struct store	*s = *state;
	int64_t		 n = -1;

	assert_int_equal(preschool_classes(s, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(preschool_class_set(s, 0, "nav", "none"), 0);
	assert_int_equal(preschool_class_set(s, 2, "divi", "two"), 0);
	assert_int_equal(preschool_class_set(s, 2, "otrā", "second"), 0);
	assert_int_equal(preschool_classes(s, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(preschool_class_known(s, 2), 1);
	assert_int_equal(preschool_class_known(s, 1), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM priority_classes"
	    " WHERE name_lv = 'otrā'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_upsert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpaid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
