/*
 * test_cases: reports and applications filed through services, then read
 * and moved by staff: the list newest first and filtered by status and
 * kind, one case whole with the resident's name and the category the
 * kiosk gave, status changes with their audit rows, unknown statuses and
 * case numbers refused without a change. Checked by SQL beside the API.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cases.h"
#include "clock.h"
#include "log.h"
#include "services.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"

#define ANNA_PHONE	"+37129990001"

struct fx {
	struct store	*s;
	char		 police[SERVICES_CASE_NO_SIZE];
	char		 app1[SERVICES_CASE_NO_SIZE];
	char		 app2[SERVICES_CASE_NO_SIZE];
};

static void
file(struct store *s, const struct services_caller *c,
    enum services_report_kind kind, const char *category, const char *text,
    char case_no[SERVICES_CASE_NO_SIZE])
{
	struct services_report	 rp;
	const char		*errstr = NULL;

	memset(&rp, 0, sizeof(rp));
	rp.kind = kind;
	rp.text = text;
	rp.len = strlen(text);
	rp.channel = "kiosk";
	rp.category = category;
	assert_int_equal(services_report_file(s, c, &rp, case_no, &errstr),
	    0);
}

static int
setup(void **state)
{
	struct fx		*fx = calloc(1, sizeof(*fx));
	struct services_caller	 c, nobody;
	const char		*errstr = NULL;

	if (fx == NULL)
		return -1;
	clock_set_fake(1796112000);	/* 2026-12-01 */
	if ((fx->s = test_store_open(&errstr)) == NULL)
		return -1;
	tl_exec(fx->s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, updated_at) VALUES (7,"
	    " '999999-00007', 'Anna', 'Bērziņa', '" ANNA_PHONE "', 0, 'lv',"
	    " 0)");
	assert_int_equal(services_caller_by_phone(fx->s, ANNA_PHONE, &c), 0);
	assert_int_equal(c.nresidents, 1);
	memset(&nobody, 0, sizeof(nobody));
	(void)snprintf(nobody.phone, sizeof(nobody.phone), "+37120000009");
	file(fx->s, &c, SERVICES_REPORT_POLICE, "noise", "Troksnis: naktī",
	    fx->police);
	file(fx->s, &c, SERVICES_REPORT_APPLICATION, NULL, "Salabot lampu",
	    fx->app1);
	file(fx->s, &nobody, SERVICES_REPORT_APPLICATION, "roads", "Bedre",
	    fx->app2);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	store_close(fx->s);
	free(fx);
	clock_clear_fake();
	return 0;
}

struct seen {
	int	 n;
	char	 order[4][SERVICES_CASE_NO_SIZE];
};

static int
collect(void *arg, const struct cases_row *r)
{
	struct seen	*sn = arg;

	if (sn->n < 4)
		(void)snprintf(sn->order[sn->n], sizeof(sn->order[0]), "%s",
		    r->case_no);
	sn->n++;
	return 0;
}

static int
stop_at_one(void *arg, const struct cases_row *r)
{
	(void)r;
	++*(int *)arg;
	return -1;
}

static void
test_list_newest_first_and_filtered(void **state)
{
	struct fx	*fx = *state;
	struct seen	 sn;
	int		 n = 0;

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cases_list(fx->s, NULL, NULL, 50, collect, &sn), 0);
	assert_int_equal(sn.n, 3);
	assert_string_equal(sn.order[0], fx->app2);
	assert_string_equal(sn.order[1], fx->app1);
	assert_string_equal(sn.order[2], fx->police);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cases_list(fx->s, NULL, "application", 50, collect,
	    &sn), 0);
	assert_int_equal(sn.n, 2);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cases_list(fx->s, "done", NULL, 50, collect, &sn), 0);
	assert_int_equal(sn.n, 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(cases_list(fx->s, NULL, NULL, 1, collect, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.order[0], fx->app2);
	/* The callback stops the walk. */
	assert_int_equal(cases_list(fx->s, NULL, NULL, 50, stop_at_one, &n),
	    0);
	assert_int_equal(n, 1);
}

static void
test_get_whole_case(void **state)
{
	struct fx	*fx = *state;
	struct cases_row r;

	assert_int_equal(cases_get(fx->s, fx->police, &r), 0);
	assert_string_equal(r.case_no, "P-2026-000001");
	assert_string_equal(r.kind, "police");
	assert_string_equal(r.category, "noise");
	assert_string_equal(r.channel, "kiosk");
	assert_string_equal(r.status, "new");
	assert_string_equal(r.phone, ANNA_PHONE);
	assert_int_equal(r.resident_id, 7);
	assert_string_equal(r.resident, "Anna Bērziņa");
	assert_string_equal(r.text, "Troksnis: naktī");
	assert_int_equal(r.created_at, 1796112000);
	/* No category given: other. Nobody registered: no name. */
	assert_int_equal(cases_get(fx->s, fx->app1, &r), 0);
	assert_string_equal(r.category, "other");
	assert_int_equal(cases_get(fx->s, fx->app2, &r), 0);
	assert_string_equal(r.category, "roads");
	assert_int_equal(r.resident_id, 0);
	assert_string_equal(r.resident, "");
	assert_string_equal(r.phone, "+37120000009");
	assert_int_equal(cases_get(fx->s, "I-2026-999999", &r), 1);
}

static void
test_set_status_audited(void **state)
{
	struct fx	*fx = *state;
	const char	*errstr = NULL;
	struct cases_row r;
	char		 sql[160];

	assert_int_equal(cases_set_status(fx->s, fx->app1, "in_progress",
	    "Jānis", &errstr), 0);
	assert_int_equal(cases_set_status(fx->s, fx->app1, "done", NULL,
	    &errstr), 0);
	assert_int_equal(cases_get(fx->s, fx->app1, &r), 0);
	assert_string_equal(r.status, "done");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log "
	    "WHERE action = 'case status' AND detail = 'case=%s status=done' "
	    "AND actor = 'munictl'", fx->app1);
	assert_int_equal(tl_int(fx->s, sql), 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM audit_log WHERE "
	    "actor = 'Jānis' AND detail LIKE '%status=in_progress'"), 1);

	/* Refused, and nothing changes. */
	assert_int_equal(cases_set_status(fx->s, fx->app1, "closed", "x",
	    &errstr), 1);
	assert_string_equal(errstr, "the status is not one of new, "
	    "in_progress, done, rejected");
	assert_int_equal(cases_set_status(fx->s, "I-2026-999999", "done", "x",
	    &errstr), 1);
	assert_string_equal(errstr, "there is no case with that number");
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM audit_log WHERE "
	    "actor = 'x'"), 0);
	assert_int_equal(cases_get(fx->s, fx->app1, &r), 0);
	assert_string_equal(r.status, "done");
}

static void
test_category_must_be_a_code(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_report	 rp;
	char			 case_no[SERVICES_CASE_NO_SIZE];
	const char		*errstr = NULL;
	const char		*bad[] = { "Noise", "", "a b", "ceļi",
	    "abcdefghijklmnopqrstuvwxyzabcdefg" };
	size_t			 i;

	assert_int_equal(services_caller_by_phone(fx->s, ANNA_PHONE, &c), 0);
	memset(&rp, 0, sizeof(rp));
	rp.kind = SERVICES_REPORT_APPLICATION;
	rp.text = "x";
	rp.len = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rp.category = bad[i];
		assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
		    &errstr), 1);
		assert_string_equal(errstr, "the report's category is not "
		    "known");
	}
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports"), 3);
	rp.category = "street_lighting";
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_list_newest_first_and_filtered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_whole_case, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_set_status_audited, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_category_must_be_a_code,
		    setup, teardown),
	};

	log_init("test_cases", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
