/*
 * test_services: resident services on a demo Dobeles novads of 2000
 * residents plus hand-made families. Queue positions are checked for
 * every active entry against a window-function query that shares nothing
 * with the module's counting; the rest checks what a phone may see, fees,
 * topics, STOP and case numbers. The clock is fake (2026-06-15 in Riga).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "demo.h"
#include "fees.h"
#include "i18n.h"
#include "log.h"
#include "outbox.h"
#include "services.h"
#include "store.h"
#include "store_sqlite.h"
#include "util.h"
#include "testdb.h"
#include "testlib.h"

#define NOW		1781514000	/* 2026-06-15 09:00:00 UTC */
#define N_RESIDENTS	2000

/* The hand-made residents. */
#define ILZE		100001		/* lv, two children in two queues */
#define JOHN		100002		/* en, fees */
#define ILZE_PHONE	"+37129990001"
#define JOHN_PHONE	"+37129990002"
#define NOBODY_PHONE	"+37129990009"

struct fx {
	struct store	*s;
	struct config	*cfg;
};

static void
add_families(struct store *s)
{
	tl_exec(s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, updated_at) VALUES"
	    " (100001, '999999-00001', 'Ilze', 'Ozola', '+37129990001', 0,"
	    "  'lv', 0),"
	    " (100002, '999999-00002', 'John', 'Smith', '+37129990002', 0,"
	    "  'en', 0)");
	/* Ilze's children: one each in two institutions and start years. */
	tl_exec(s, "INSERT INTO queue_entries (child_code, child_given_name,"
	    " child_family_name, guardian_id, institution_id, registered_at,"
	    " desired_start, priority, status, updated_at) VALUES"
	    " ('320101-00001', 'Anna', 'Bērziņa', 100001, 1,"
	    "  '2025-01-10 10:00:00', '2027-09', 1, 'active', 0),"
	    " ('320101-00002', 'Žanis', 'Ērglis', 100001, 2,"
	    "  '2025-02-10 10:00:00', '2028-09', 0, 'active', 0),"
	    " ('320101-00003', 'Pēteris', 'Ozols', 100001, 3,"
	    "  '2025-02-10 10:00:00', '2027-09', 0, 'withdrawn', 0)");
	tl_exec(s, "INSERT INTO fees (resident_id, kind, period, amount_cents,"
	    " due_date, reference, paid_cents, updated_at) VALUES"
	    " (100002, 'nin', '2026-Q1', 6120, '2026-03-31', NULL, 0, 0),"
	    " (100002, 'nin', '2026-Q3', 6120, '2026-08-17', NULL, 1000, 0),"
	    " (100002, 'dog', '2026', 1000, '2026-03-02', NULL, 1000, 0),"
	    " (100002, 'water', '2026', 250, '2026-07-01', 'RF18539007547034',"
	    "  0, 0)");
}

static int
setup(void **state)
{
	struct fx		*fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	tl_i18n();
	if ((fx->s = tl_demo_store(N_RESIDENTS, 42, NOW,
	    LOG_LEVEL_FATAL)) == NULL)
		return -1;
	add_families(fx->s);
	fx->cfg = config_defaults();
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	store_close(fx->s);
	config_free(fx->cfg);
	free(fx);
	clock_clear_fake();
	(void)i18n_set_lang("lv");
	return 0;
}

struct expect {
	int64_t		 id;
	int64_t		 position;
	int64_t		 total;
	int		 seen;
};

static int
expect_cmp(const void *a, const void *b)
{
	int64_t	 x = ((const struct expect *)a)->id;
	int64_t	 y = ((const struct expect *)b)->id;

	return x < y ? -1 : x > y;
}

/*
 * Every active entry's position and total, against row_number() over the
 * same partition and order: a query written without the index and
 * without the module's three-way count.
 */
static void
test_positions_match_independent_query(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_queue	 q;
	struct expect		*ex, key, *hit;
	sqlite3_stmt		*st;
	size_t			 n = 0, cap, i, checked = 0;
	int64_t			 gid;

	/* Ties on priority and time, and entries that left the queue. */
	tl_exec(fx->s, "INSERT INTO queue_entries (child_code, child_given_name,"
	    " child_family_name, guardian_id, institution_id, registered_at,"
	    " desired_start, priority, status, updated_at)"
	    " SELECT 'T' || id, 'Tie', 'Test', guardian_id, institution_id,"
	    " registered_at, substr(desired_start, 1, 4) || '-01', priority,"
	    " 'active', 0 FROM queue_entries WHERE id % 5 = 0");
	tl_exec(fx->s, "UPDATE queue_entries SET status = 'placed'"
	    " WHERE id % 7 = 0");
	tl_exec(fx->s, "UPDATE queue_entries SET status = 'withdrawn'"
	    " WHERE id % 11 = 0");

	/* Active ties that only the id orders. */
	assert_true(tl_int(fx->s, "SELECT count(*) FROM queue_entries a"
	    " JOIN queue_entries b ON a.institution_id = b.institution_id"
	    " AND substr(a.desired_start, 1, 4) = substr(b.desired_start, 1, 4)"
	    " AND a.priority = b.priority AND a.registered_at = b.registered_at"
	    " AND a.id < b.id WHERE a.status = 'active'"
	    " AND b.status = 'active'") > 0);
	cap = (size_t)tl_int(fx->s, "SELECT count(*) FROM queue_entries");
	assert_true(cap > 50);
	ex = calloc(cap, sizeof(*ex));
	assert_non_null(ex);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->s),
	    "SELECT id, row_number() OVER w, count(*) OVER"
	    " (PARTITION BY institution_id, substr(desired_start, 1, 4))"
	    " FROM queue_entries WHERE status = 'active'"
	    " WINDOW w AS (PARTITION BY institution_id,"
	    " substr(desired_start, 1, 4)"
	    " ORDER BY priority DESC, registered_at ASC, id ASC)", -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ex[n].id = sqlite3_column_int64(st, 0);
		ex[n].position = sqlite3_column_int64(st, 1);
		ex[n].total = sqlite3_column_int64(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	qsort(ex, n, sizeof(*ex), expect_cmp);

	assert_int_equal(sqlite3_prepare_v2(store_db(fx->s),
	    "SELECT DISTINCT guardian_id FROM queue_entries", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		gid = sqlite3_column_int64(st, 0);
		assert_int_equal(services_caller_by_resident(fx->s, gid, &c),
		    0);
		assert_int_equal(services_queue(fx->s, &c, &q), 0);
		assert_false(q.more);
		for (i = 0; i < q.n; i++) {
			key.id = q.e[i].id;
			hit = bsearch(&key, ex, n, sizeof(*ex), expect_cmp);
			if (hit == NULL)
				fail_msg("entry %lld is not active",
				    (long long)key.id);
			if (hit->position != q.e[i].position ||
			    hit->total != q.e[i].total)
				fail_msg("entry %lld: %lld of %lld, expected "
				    "%lld of %lld", (long long)key.id,
				    (long long)q.e[i].position,
				    (long long)q.e[i].total,
				    (long long)hit->position,
				    (long long)hit->total);
			assert_int_equal(hit->seen, 0);
			hit->seen = 1;
			checked++;
		}
	}
	sqlite3_finalize(st);
	/* Every active entry was reached through its guardian. */
	assert_int_equal(checked, n);
	free(ex);
}

/* The position statement counts with the queue_order index, not a scan. */
static void
test_queue_uses_index(void **state)
{
	struct fx	*fx = *state;
	sqlite3_stmt	*st, *plan;
	char		*sql;
	const char	*d;
	int		 uses = 0;

	st = store_stmt(fx->s, ST_SVC_QUEUE);
	sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	assert_non_null(sql);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->s), sql, -1, &plan,
	    NULL), SQLITE_OK);
	while (sqlite3_step(plan) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(plan, 3);
		if (strstr(d, "USING INDEX queue_order") != NULL)
			uses++;
		if (strncmp(d, "SCAN", 4) == 0)
			fail_msg("a scan: %s", d);
	}
	sqlite3_finalize(plan);
	sqlite3_free(sql);
	assert_int_equal(uses, 4);
}

static void
test_two_children_two_queues(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_queue	 q;
	size_t			 i;

	/* Any spelling of the number finds the same caller. */
	assert_int_equal(services_caller_by_phone(fx->s, "2999 0001", &c), 0);
	assert_string_equal(c.phone, ILZE_PHONE);
	assert_int_equal(c.nresidents, 1);
	assert_int_equal(c.resident[0], ILZE);
	assert_string_equal(c.lang, "lv");

	assert_int_equal(i18n_set_lang("lv"), 0);
	assert_int_equal(services_queue(fx->s, &c, &q), 0);
	/* The withdrawn child is not shown. */
	assert_int_equal(q.n, 2);
	assert_string_equal(q.e[0].child, "Anna B.");
	assert_string_equal(q.e[0].institution, "Dobeles PII \"Zīlīte\"");
	assert_string_equal(q.e[0].desired_start, "2027-09");
	assert_string_equal(q.e[0].start_year, "2027");
	assert_int_equal(q.e[0].priority, 1);
	assert_string_equal(q.e[0].priority_name, "daudzbērnu ģimene");
	/* A multi-byte initial stays whole. */
	assert_string_equal(q.e[1].child, "Žanis Ē.");
	assert_string_equal(q.e[1].institution, "Dobeles PII \"Valodiņa\"");
	assert_string_equal(q.e[1].start_year, "2028");
	for (i = 0; i < q.n; i++) {
		assert_true(q.e[i].position >= 1);
		assert_true(q.e[i].position <= q.e[i].total);
		assert_null(strstr(q.e[i].child, "320101"));
	}
	assert_int_equal(q.e[0].total, tl_int(fx->s, "SELECT count(*) FROM"
	    " queue_entries WHERE institution_id = 1 AND status = 'active'"
	    " AND desired_start LIKE '2027-%'"));

	assert_int_equal(i18n_set_lang("en"), 0);
	assert_int_equal(services_queue(fx->s, &c, &q), 0);
	assert_string_equal(q.e[0].priority_name, "large family");
	(void)i18n_set_lang("lv");
}

static void
test_unregistered_phone_sees_nothing(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_queue	 q;
	struct services_fees	 fs;
	struct services_topics	 ts;
	size_t			 i;

	assert_int_equal(services_caller_by_phone(fx->s, NOBODY_PHONE, &c),
	    0);
	assert_int_equal(c.nresidents, 0);
	assert_string_equal(c.lang, "lv");
	assert_int_equal(services_queue(fx->s, &c, &q), 0);
	assert_int_equal(q.n, 0);
	assert_int_equal(services_fees(fx->s, fx->cfg, &c, &fs), 0);
	assert_int_equal(fs.n, 0);
	assert_int_equal(fs.total_owed_cents, 0);
	assert_int_equal(services_topics(fx->s, &c, &ts), 0);
	for (i = 0; i < ts.n; i++)
		assert_int_equal(ts.t[i].subscribed, ts.t[i].emergency);
	assert_int_equal(services_subscribe(fx->s, &c, "kultura", 1, NULL),
	    SERVICES_SUB_NOT_REGISTERED);
	/* Not a phone number at all. */
	assert_int_equal(services_caller_by_phone(fx->s, "Bite", &c), 1);
	assert_int_equal(services_caller_by_phone(fx->s, "12345", &c), 1);
	assert_int_equal(services_caller_by_resident(fx->s, 999999999, &c), 1);
}

static void
test_fees(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_fees	 fs;
	size_t			 i;

	assert_int_equal(services_caller_by_phone(fx->s, JOHN_PHONE, &c), 0);
	assert_string_equal(c.lang, "en");
	assert_int_equal(i18n_set_lang("en"), 0);
	assert_int_equal(services_fees(fx->s, fx->cfg, &c, &fs), 0);
	assert_string_equal(fs.iban, "LV89RIKO0023300000000");
	assert_string_equal(fs.beneficiary, "Dobeles novada pašvaldība");
	/* The paid dog fee is not there; earliest due first. */
	assert_int_equal(fs.n, 3);
	assert_int_equal(fs.count, 3);
	assert_int_equal(fs.total_owed_cents, 6120 + 5120 + 250);
	assert_string_equal(fs.f[0].kind, "nin");
	assert_string_equal(fs.f[0].kind_name, "Real estate tax");
	assert_string_equal(fs.f[0].period, "2026-Q1");
	assert_int_equal(fs.f[0].owed_cents, 6120);
	assert_true(fs.f[0].overdue);
	assert_string_equal(fs.f[1].kind, "water");
	assert_string_equal(fs.f[1].kind_name, "water");
	assert_string_equal(fs.f[1].reference, "RF18539007547034");
	assert_false(fs.f[1].overdue);
	assert_string_equal(fs.f[2].due_date, "2026-08-17");
	assert_int_equal(fs.f[2].owed_cents, 5120);
	assert_false(fs.f[2].overdue);
	/* Fees without a reference got theirs, and kept it. */
	for (i = 0; i < fs.n; i++)
		assert_memory_equal(fs.f[i].reference, "RF", 2);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM fees WHERE"
	    " resident_id = 100002 AND kind = 'nin' AND reference LIKE 'RF%'"),
	    2);

	assert_int_equal(i18n_set_lang("lv"), 0);
	assert_int_equal(services_fees(fx->s, fx->cfg, &c, &fs), 0);
	assert_string_equal(fs.f[0].kind_name, "Nekustamā īpašuma nodoklis");
	assert_string_equal(fees_kind_name("dog"),
	    "Suņu turēšanas nodeva");
	(void)i18n_set_lang("en");
	assert_string_equal(fees_kind_name("dog"), "Dog fee");
	(void)i18n_set_lang("lv");
}

static int
topic_on(const struct services_topics *ts, const char *code)
{
	size_t	 i;

	for (i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i].code, code) == 0)
			return ts->t[i].subscribed;
	fail_msg("no topic %s", code);
	return -1;
}

static void
test_topics_and_subscriptions(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_topics	 ts;
	struct services_topic	 t;
	static const char *culture[] = { "kultura", "KULTŪRA",
	    "Kultūras pasākumi", "kulturas  pasakumi!", "culture and events",
	    "Culture", "kult" };
	size_t			 i;

	assert_int_equal(services_caller_by_phone(fx->s, ILZE_PHONE, &c), 0);
	assert_int_equal(services_topics(fx->s, &c, &ts), 0);
	assert_int_equal(ts.n, 8);
	/* No rows: the defaults. */
	assert_int_equal(topic_on(&ts, "arkartas"), 1);
	assert_int_equal(topic_on(&ts, "pii"), 1);
	assert_int_equal(topic_on(&ts, "kultura"), 0);

	for (i = 0; i < nitems(culture); i++) {
		assert_int_equal(services_topic_find(fx->s, culture[i], &t), 0);
		assert_string_equal(t.code, "kultura");
	}
	/* Too short, unknown and ambiguous ("ce" is celi, "e" much more). */
	assert_int_equal(services_topic_find(fx->s, "ku", &t), 1);
	assert_int_equal(services_topic_find(fx->s, "weather", &t), 1);
	assert_int_equal(services_topic_find(fx->s, "", &t), 1);
	assert_int_equal(services_topic_find(fx->s, "...", &t), 1);

	assert_int_equal(services_subscribe(fx->s, &c, "Kultūra", 1, &t),
	    SERVICES_SUB_OK);
	assert_string_equal(t.code, "kultura");
	assert_int_equal(t.subscribed, 1);
	assert_int_equal(services_subscribe(fx->s, &c, "PII", 0, NULL),
	    SERVICES_SUB_OK);
	assert_int_equal(services_subscribe(fx->s, &c, "ĀRKĀRTAS", 0, &t),
	    SERVICES_SUB_EMERGENCY);
	assert_int_equal(services_subscribe(fx->s, &c, "nothing", 0, NULL),
	    SERVICES_SUB_NO_TOPIC);
	assert_int_equal(services_topics(fx->s, &c, &ts), 0);
	assert_int_equal(topic_on(&ts, "kultura"), 1);
	assert_int_equal(topic_on(&ts, "pii"), 0);
	assert_int_equal(topic_on(&ts, "arkartas"), 1);
	/* Subscribing twice changes nothing. */
	assert_int_equal(services_subscribe(fx->s, &c, "kultura", 1, NULL),
	    SERVICES_SUB_OK);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM subscriptions"
	    " WHERE resident_id = 100001"), 2);
}

/* A queued broadcast row to phone; returns its outbox id. */
static int64_t
queue_broadcast(struct store *s, const char *phone, int64_t broadcast,
    const char *topic)
{
	struct outbox_msg	 m;
	const char		*errstr = NULL;
	int64_t			 id;

	memset(&m, 0, sizeof(m));
	m.phone = phone;
	m.text = "Paziņojums";
	m.topic = topic;
	m.broadcast_id = broadcast;
	id = outbox_enqueue(s, &m, &errstr);
	if (id <= 0)
		fail_msg("outbox_enqueue: %s", errstr ? errstr : "?");
	return id;
}

static const char *
outbox_state(struct store *s, int64_t id)
{
	static struct outbox_status os;

	assert_int_equal(outbox_status(s, id, &os), 0);
	return os.state;
}

static void
test_stop_all(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_topics	 ts;
	struct outbox_msg	 m;
	const char		*errstr;
	int64_t			 culture, alert, flagged, direct, other,
				 inflight, n;
	size_t			 i;

	tl_exec(fx->s, "INSERT INTO broadcasts (id, topic, text, emergency,"
	    " state, created_at, updated_at) VALUES"
	    " (1, 'kultura', 'x', 0, 'sending', 0, 0),"
	    " (2, 'arkartas', 'x', 1, 'sending', 0, 0),"
	    " (3, NULL, 'x', 1, 'sending', 0, 0)");
	culture = queue_broadcast(fx->s, ILZE_PHONE, 1, "kultura");
	alert = queue_broadcast(fx->s, ILZE_PHONE, 2, "arkartas");
	flagged = queue_broadcast(fx->s, ILZE_PHONE, 3, NULL);
	other = queue_broadcast(fx->s, JOHN_PHONE, 1, "kultura");
	inflight = queue_broadcast(fx->s, ILZE_PHONE, 1, "kultura");
	tl_exec(fx->s, "UPDATE outbox SET state = 'inflight' WHERE id ="
	    " (SELECT max(id) FROM outbox)");
	memset(&m, 0, sizeof(m));
	m.phone = ILZE_PHONE;
	m.text = "Jūsu kods: 1234";
	direct = outbox_enqueue(fx->s, &m, &errstr);
	assert_true(direct > 0);

	assert_int_equal(services_caller_by_phone(fx->s, ILZE_PHONE, &c), 0);
	assert_int_equal(services_stop_all(fx->s, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(outbox_state(fx->s, culture), "cancelled");
	assert_string_equal(outbox_state(fx->s, alert), "queued");
	assert_string_equal(outbox_state(fx->s, flagged), "queued");
	assert_string_equal(outbox_state(fx->s, other), "queued");
	assert_string_equal(outbox_state(fx->s, inflight), "inflight");
	assert_string_equal(outbox_state(fx->s, direct), "queued");
	assert_int_equal(services_topics(fx->s, &c, &ts), 0);
	for (i = 0; i < ts.n; i++)
		assert_int_equal(ts.t[i].subscribed, ts.t[i].emergency);
	/* Again: nothing left to do, no error. */
	assert_int_equal(services_stop_all(fx->s, &c, &n), 0);
	assert_int_equal(n, 0);

	/* A number without residents: its broadcast rows still stop. */
	n = queue_broadcast(fx->s, NOBODY_PHONE, 1, "kultura");
	assert_int_equal(services_caller_by_phone(fx->s, NOBODY_PHONE, &c), 0);
	assert_int_equal(services_stop_all(fx->s, &c, NULL), 0);
	assert_string_equal(outbox_state(fx->s, n), "cancelled");

	/* STOP <topic> cancels that topic's queued rows only. */
	culture = queue_broadcast(fx->s, JOHN_PHONE, 1, "kultura");
	assert_int_equal(services_caller_by_phone(fx->s, JOHN_PHONE, &c), 0);
	assert_int_equal(services_subscribe(fx->s, &c, "pii", 0, NULL),
	    SERVICES_SUB_OK);
	assert_string_equal(outbox_state(fx->s, culture), "queued");
	assert_int_equal(services_subscribe(fx->s, &c, "kultura", 0, NULL),
	    SERVICES_SUB_OK);
	assert_string_equal(outbox_state(fx->s, culture), "cancelled");
	assert_string_equal(outbox_state(fx->s, other), "cancelled");
}

static void
file(struct fx *fx, const struct services_caller *c,
    enum services_report_kind kind, const char *text, const char *duty,
    const char *want)
{
	struct services_report	 rp;
	char			 case_no[SERVICES_CASE_NO_SIZE];
	const char		*errstr = NULL;

	memset(&rp, 0, sizeof(rp));
	rp.kind = kind;
	rp.text = text;
	rp.len = strlen(text);
	rp.channel = "sms";
	rp.duty_numbers = duty;
	assert_int_equal(services_report_file(fx->s, c, &rp, case_no,
	    &errstr), 0);
	assert_string_equal(case_no, want);
}

/*
 * A kiosk report of a resident signed in: the case number goes to the
 * resident's phone in the resident's language (John reads English while
 * the process speaks Latvian), with nothing of the text and no personal
 * code; without confirm_sms (SMS, USSD) no such row.
 */
static void
test_case_number_sms(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_report	 rp;
	char			 case_no[SERVICES_CASE_NO_SIZE];
	const char		*errstr = NULL;
	int64_t			 before;

	assert_int_equal(services_caller_by_resident(fx->s, JOHN, &c), 0);
	assert_string_equal(c.lang, "en");
	(void)i18n_set_lang("lv");
	before = tl_int(fx->s, "SELECT count(*) FROM outbox");
	memset(&rp, 0, sizeof(rp));
	rp.kind = SERVICES_REPORT_APPLICATION;
	rp.text = "Atkritumi: Brīvības iela 5";
	rp.len = strlen(rp.text);
	rp.channel = "kiosk";
	rp.category = "waste";
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"), before);
	rp.confirm_sms = 1;
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 0);
	assert_string_equal(case_no, "I-2026-000002");
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"),
	    before + 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " phone = '" JOHN_PHONE "' AND resident_id = 100002"
	    " AND text = 'Application received, no. I-2026-000002.'"), 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " text LIKE '%999999%' OR text LIKE '%Brīvības%'"), 0);
	/* The process's language is as it was. */
	assert_string_equal(i18n_lang(), "lv");
	/* A police report: the Latvian answer for a Latvian reader. */
	assert_int_equal(services_caller_by_resident(fx->s, ILZE, &c), 0);
	rp.kind = SERVICES_REPORT_POLICE;
	rp.category = "noise";
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " phone = '" ILZE_PHONE "' AND text LIKE"
	    " 'Ziņojums saņemts, lieta P-2026-000001.%'"), 1);
}

/* store_audit_count: one actor's one action after a time, for limits. */
static void
test_audit_count(void **state)
{
	struct fx	*fx = *state;

	clock_set_fake(NOW - 4000);
	assert_int_equal(store_audit(fx->s, "kiosk:a", "report", ""), 0);
	clock_set_fake(NOW);
	assert_int_equal(store_audit(fx->s, "kiosk:a", "report", ""), 0);
	assert_int_equal(store_audit(fx->s, "kiosk:a", "report", ""), 0);
	assert_int_equal(store_audit(fx->s, "kiosk:b", "report", ""), 0);
	assert_int_equal(store_audit(fx->s, "kiosk:a", "view", ""), 0);
	assert_int_equal(store_audit_count(fx->s, "kiosk:a", "report",
	    NOW - 3600), 2);
	assert_int_equal(store_audit_count(fx->s, "kiosk:a", "report",
	    NOW - 5000), 3);
	assert_int_equal(store_audit_count(fx->s, "kiosk:c", "report",
	    NOW - 5000), 0);
}

static void
test_case_numbers(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c, nobody;
	struct services_report	 rp;
	char			 case_no[SERVICES_CASE_NO_SIZE], *big;
	const char		*errstr = NULL;
	int64_t			 before;

	assert_int_equal(services_caller_by_phone(fx->s, ILZE_PHONE, &c), 0);
	assert_int_equal(services_caller_by_phone(fx->s, NOBODY_PHONE,
	    &nobody), 0);
	before = tl_int(fx->s, "SELECT count(*) FROM outbox");
	file(fx, &c, SERVICES_REPORT_POLICE, "  Kaimiņš trokšņo naktī, "
	    "Brīvības iela 5  ", "+37129000001, 29000002,+37167000000",
	    "P-2026-000001");
	/* Two duty numbers took it; the landline was skipped. */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"),
	    before + 2);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " phone = '+37129000002' AND text LIKE 'Ziņojums policijai"
	    " P-2026-000001 no +37129990001: Kaimiņš trokšņo%'"
	    " AND priority = 10"), 1);
	file(fx, &nobody, SERVICES_REPORT_POLICE, "Suns skrien pa ceļu",
	    NULL, "P-2026-000002");
	file(fx, &c, SERVICES_REPORT_APPLICATION, "Lūdzu salabot laternu",
	    "+37129000001", "I-2026-000001");
	file(fx, &c, SERVICES_REPORT_APPLICATION, "Otrs", NULL,
	    "I-2026-000002");
	/* Applications are not forwarded. */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"),
	    before + 2);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports WHERE"
	    " case_no = 'P-2026-000001' AND kind = 'police'"
	    " AND resident_id = 100001 AND phone = '+37129990001'"
	    " AND channel = 'sms' AND text = 'Kaimiņš trokšņo naktī, Brīvības"
	    " iela 5'"), 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports WHERE"
	    " case_no = 'P-2026-000002' AND resident_id IS NULL"
	    " AND phone = '+37129990009'"), 1);

	/* A new year starts from one again. */
	clock_set_fake(NOW + 200 * 86400);
	file(fx, &c, SERVICES_REPORT_POLICE, "x", NULL, "P-2027-000001");
	file(fx, &c, SERVICES_REPORT_APPLICATION, "y", NULL,
	    "I-2027-000001");
	clock_set_fake(NOW);
	file(fx, &c, SERVICES_REPORT_POLICE, "z", NULL, "P-2026-000003");

	/* Refusals take no number. */
	memset(&rp, 0, sizeof(rp));
	rp.kind = SERVICES_REPORT_POLICE;
	rp.text = " \r\n ";
	rp.len = strlen(rp.text);
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 1);
	assert_string_equal(errstr, "the text is empty");
	rp.text = "ok \xc4";
	rp.len = strlen(rp.text);
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 1);
	assert_string_equal(errstr, "the text is not valid UTF-8");
	/* 1000 characters pass, 1001 do not (ā is two bytes). */
	big = calloc(1, 2 * 1001 + 1);
	assert_non_null(big);
	for (int i = 0; i < 1001; i++)
		memcpy(big + 2 * i, "ā", 2);
	rp.text = big;
	rp.len = 2 * 1001;
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 1);
	assert_string_equal(errstr, "the text is longer than 1000 characters");
	rp.len = 2 * 1000;
	rp.duty_numbers = "+37129000001";
	assert_int_equal(services_report_file(fx->s, &c, &rp, case_no,
	    &errstr), 0);
	assert_string_equal(case_no, "P-2026-000004");
	/* The forward keeps to the segment limit; the report is whole. */
	assert_int_equal(tl_int(fx->s, "SELECT length(text) <= 6 * 67 FROM"
	    " outbox WHERE text LIKE '%P-2026-000004%'"), 1);
	assert_int_equal(tl_int(fx->s, "SELECT length(text) FROM reports"
	    " WHERE case_no = 'P-2026-000004'"), 1000);
	free(big);
	assert_int_equal(tl_int(fx->s, "SELECT value FROM counters"
	    " WHERE name = 'case:police:2026'"), 4);
}

/* A code typed into a report or imported as a reference stays inside. */
static void
test_personal_codes_stay_inside(void **state)
{
	struct fx		*fx = *state;
	struct services_caller	 c;
	struct services_fees	 fs;

	tl_exec(fx->s, "INSERT INTO fees (resident_id, kind, period,"
	    " amount_cents, due_date, reference, updated_at) VALUES"
	    " (100001, 'dog', '2026', 1000, '2026-03-02', '161175-19997', 0)");
	assert_int_equal(services_caller_by_phone(fx->s, ILZE_PHONE, &c), 0);
	assert_int_equal(services_fees(fx->s, fx->cfg, &c, &fs), 0);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.f[0].reference, "******-*****");

	file(fx, &c, SERVICES_REPORT_POLICE, "Mans kods 161175-19997, zvaniet",
	    "+37129000001", "P-2026-000001");
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " text LIKE '%Mans kods ******-*****, zvaniet'"), 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " text LIKE '%161175%'"), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports WHERE"
	    " text = 'Mans kods 161175-19997, zvaniet'"), 1);
}

static void
test_fold(void **state)
{
	char	 out[64];
	size_t	 adv;

	(void)state;
	assert_int_equal(services_fold("PALĪDZĪBA", strlen("PALĪDZĪBA"), out,
	    sizeof(out)), 0);
	assert_string_equal(out, "palidziba");
	assert_int_equal(services_fold("ĀāČčĒēĢģĪīĶķĻļŅņŠšŪūŽžŌōŖŗ", strlen(
	    "ĀāČčĒēĢģĪīĶķĻļŅņŠšŪūŽžŌōŖŗ"), out, sizeof(out)), 0);
	assert_string_equal(out, "aacceeggiikkllnnssuuzzoorr");
	assert_int_equal(services_fold("  Ceļi — un, satiksme!! ", strlen(
	    "  Ceļi — un, satiksme!! "), out, sizeof(out)), 0);
	assert_string_equal(out, "celi un satiksme");
	assert_int_equal(services_fold("ÄÖÜßõ×", strlen("ÄÖÜßõ×"), out,
	    sizeof(out)), 0);
	assert_string_equal(out, "aouso");
	/* Broken UTF-8 separates, never joins or overruns. */
	assert_int_equal(services_fold("a\xc4", 2, out, sizeof(out)), 0);
	assert_string_equal(out, "a");
	assert_int_equal(services_fold("a\xe2\x82", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "a");
	assert_int_equal(services_fold("abcdef", 6, out, 4), -1);
	assert_string_equal(out, "abc");
	assert_int_equal(services_fold_char("Ž", 2, &adv), 'z');
	assert_int_equal(adv, 2);
	assert_int_equal(services_fold_char("€", 3, &adv), 0);
	assert_int_equal(adv, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_positions_match_independent_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_uses_index, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_two_children_two_queues,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unregistered_phone_sees_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topics_and_subscriptions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_numbers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_case_number_sms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_personal_codes_stay_inside, setup, teardown),
		cmocka_unit_test(test_fold),
	};

	if (test_sqlite_only("reads its results through sqlite3 (store_sqlite.h); not converted yet"))
		return 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
