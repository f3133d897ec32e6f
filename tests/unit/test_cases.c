/*
 * test_cases: reports and applications filed through services, then read
 * and moved by staff: the list newest first and filtered by status and
 * kind, one case whole with the resident's name and the category the
 * kiosk gave, status changes with their audit rows, unknown statuses and
 * case numbers refused without a change. Checked by SQL beside the API.
 * The resident's SMS when a case moves (issue 21): topic, language, quiet
 * hours, the note bounded, and every reason it is not sent audited.
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
#include "i18n.h"
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

/* Quiet 22:00-08:00; 2026-12-01 02:00 in Riga (UTC+2), and its end. */
#define NIGHT		1796083200
#define QUIET_END	(NIGHT + 6 * 3600)

static int
set(struct fx *fx, const char *case_no, const char *status,
    const char *note, enum cases_sms *sms, char *err, size_t errsize)
{
	struct cases_notify	 nf = { note, "auto", 22 * 60, 8 * 60 };
	int64_t			 id;

	return cases_set_status_notify(fx->s, case_no, status, &nf, "anna",
	    sms, &id, err, errsize);
}

/*
 * The resident hears of their case moving: one SMS under topic
 * iesniegumi (made, on by default), in their language, held till the
 * quiet hours end, the note after it; no name or personal code; the
 * audit row says it was queued. Setting the same status again, or 'new',
 * tells nothing.
 */
static void
test_status_sms(void **state)
{
	struct fx	*fx = *state;
	enum cases_sms	 sms;
	char		 err[CASES_ERR_SIZE], sql[512], text[256], want[256];

	tl_i18n();
	tl_zone();
	clock_set_fake(NIGHT);
	assert_int_equal(set(fx, fx->police, "in_progress", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_QUEUED);
	assert_int_equal(tl_int(fx->s, "SELECT default_on FROM topics"
	    " WHERE code = 'iesniegumi'"), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE"
	    " phone = '" ANNA_PHONE "' AND topic = 'iesniegumi' AND"
	    " resident_id = 7 AND not_before = %d AND text = 'Jūsu lieta %s"
	    " tiek izskatīta.'", QUIET_END, fx->police);
	assert_int_equal(tl_int(fx->s, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE"
	    " action = 'case status' AND detail = 'case=%s"
	    " status=in_progress sms=queued'", fx->police);
	assert_int_equal(tl_int(fx->s, sql), 1);

	/* In English for a resident who chose it, with staff's note. */
	tl_exec(fx->s, "UPDATE residents SET lang = 'en' WHERE id = 7");
	assert_int_equal(set(fx, fx->police, "done", "Sods izrakstīts.", &sms,
	    err, sizeof(err)), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE"
	    " text LIKE 'Your case %s has been handled._"
	    "Note: Sods izrakstīts.'", fx->police);
	assert_int_equal(tl_int(fx->s, sql), 1);
	/* The one character between is a new line (compared here, as the
	   two engines spell char(10) differently). */
	snprintf(sql, sizeof(sql), "SELECT text FROM outbox WHERE"
	    " text LIKE 'Your case %s has been handled._%%'", fx->police);
	tl_text(fx->s, sql, text, sizeof(text));
	snprintf(want, sizeof(want), "Your case %s has been handled.\n"
	    "Note: Sods izrakstīts.", fx->police);
	assert_string_equal(text, want);
	/* The same status again, or back to new: no news, no SMS. */
	assert_int_equal(set(fx, fx->police, "done", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_NONE);
	assert_int_equal(set(fx, fx->police, "new", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_NONE);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"), 2);
	/* No SMS names the resident or their personal code. */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " text LIKE '%Anna%' OR text LIKE '%Bērziņa%' OR"
	    " text LIKE '%999999%'"), 0);

	/* Outside quiet hours: now. */
	clock_set_fake(QUIET_END + 3600);
	assert_int_equal(set(fx, fx->app1, "rejected", NULL, &sms, err,
	    sizeof(err)), 0);
	snprintf(sql, sizeof(sql), "SELECT not_before <= %d FROM outbox"
	    " WHERE text = 'Your case %s has been rejected.'",
	    QUIET_END + 3600, fx->app1);
	assert_int_equal(tl_int(fx->s, sql), 1);
}

/*
 * Not sent, and the audit row says why: the resident turned the topic
 * off, or said STOP for all before it existed; has no mobile number; or
 * the case came from a number no resident has.
 */
static void
test_status_sms_not_sent(void **state)
{
	struct fx	*fx = *state;
	enum cases_sms	 sms;
	char		 err[CASES_ERR_SIZE], sql[256];

	tl_i18n();
	/* Made on first use: then Anna turns it off by name. */
	assert_int_equal(set(fx, fx->police, "in_progress", NULL, &sms, err,
	    sizeof(err)), 0);
	tl_exec(fx->s, "INSERT INTO subscriptions (resident_id, topic_id,"
	    " subscribed, updated_at) SELECT 7, id, 0, 0 FROM topics"
	    " WHERE code = 'iesniegumi'");
	assert_int_equal(set(fx, fx->police, "done", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_UNSUBSCRIBED);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE"
	    " detail = 'case=%s status=done sms=unsubscribed'", fx->police);
	assert_int_equal(tl_int(fx->s, sql), 1);
	/* STOP for all, before the topic: off as well. */
	tl_exec(fx->s, "DELETE FROM subscriptions");
	tl_exec(fx->s, "INSERT INTO topics (code, name_lv, name_en,"
	    " default_on) VALUES ('kultura', 'Kultūra', 'Culture', 1)");
	tl_exec(fx->s, "INSERT INTO stop_all_left (resident_id, topic_id)"
	    " SELECT 7, id FROM topics WHERE code <> 'iesniegumi'");
	assert_int_equal(set(fx, fx->app1, "done", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_UNSUBSCRIBED);
	tl_exec(fx->s, "DELETE FROM stop_all_left");
	/* A landline, then no number at all. */
	tl_exec(fx->s, "UPDATE residents SET phone = '+37167000000',"
	    " phone_kind = 1 WHERE id = 7");
	assert_int_equal(set(fx, fx->app1, "rejected", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_NO_PHONE);
	tl_exec(fx->s, "UPDATE residents SET phone = NULL, phone_kind = NULL"
	    " WHERE id = 7");
	assert_int_equal(set(fx, fx->app1, "in_progress", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_NO_PHONE);
	assert_int_equal(set(fx, fx->app2, "done", NULL, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_NO_RESIDENT);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE"
	    " detail = 'case=%s status=done sms=no_resident'", fx->app2);
	assert_int_equal(tl_int(fx->s, sql), 1);
	/* Only the first change was sent. */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"), 1);
}

/*
 * A note too long, one that makes more than three segments, or one with
 * a control character: refused with what was wrong, and nothing changes
 * (status, outbox, audit).
 */
static void
test_status_note_bounded(void **state)
{
	struct fx	*fx = *state;
	enum cases_sms	 sms;
	char		 err[CASES_ERR_SIZE], note[CASES_NOTE_MAX + 2];

	tl_i18n();
	memset(note, 'a', CASES_NOTE_MAX + 1);
	note[CASES_NOTE_MAX + 1] = '\0';
	assert_int_equal(set(fx, fx->police, "done", note, &sms, err,
	    sizeof(err)), 1);
	assert_string_equal(err, "--note: 301 baiti, atļauts ne vairāk kā "
	    "300");
	/* One 'ā' makes it UCS-2: 200 more letters pass three segments. */
	memset(note, 'a', 202);
	memcpy(note, "ā", 2);
	note[202] = '\0';
	assert_int_equal(set(fx, fx->police, "done", note, &sms, err,
	    sizeof(err)), 1);
	assert_string_equal(err, "--note: īsziņai ar to vajag 4 segmentus, "
	    "atļauts ne vairāk kā 3: saīsiniet piezīmi");
	assert_int_equal(set(fx, fx->police, "done", "a\tb", &sms, err,
	    sizeof(err)), 1);
	assert_string_equal(err, "--note: vadības rakstzīme 2. baitā (jābūt "
	    "vienas rindas tekstam)");
	assert_int_equal(set(fx, "P-1999-000001", "done", NULL, &sms, err,
	    sizeof(err)), 1);
	assert_string_equal(err, "lietas ar šādu numuru nav");
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports WHERE"
	    " status <> 'new'"), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'case status'"), 0);
	/* 100 letters fit: three segments at most. */
	note[102] = '\0';
	assert_int_equal(set(fx, fx->police, "done", note, &sms, err,
	    sizeof(err)), 0);
	assert_int_equal(sms, CASES_SMS_QUEUED);
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
		cmocka_unit_test_setup_teardown(test_status_sms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_status_sms_not_sent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_status_note_bounded, setup,
		    teardown),
	};

	log_init("test_cases", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
