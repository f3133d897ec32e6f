/*
 * test_broadcast: previews, sends, quiet hours, opt-outs, placeholders,
 * cancels and the two-person rule over the demo data (2,000 residents),
 * each test on a fresh database. The clock is fake: 2026-06-15 12:00 in
 * Riga unless a test moves it; the figures are checked against SQL
 * written here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "broadcast.h"
#include "clock.h"
#include "config.h"
#include "demo.h"
#include "groups.h"
#include "log.h"
#include "outbox.h"
#include "staff.h"
#include "store.h"
#include "store_sqlite.h"
#include "util.h"
#include "testdb.h"
#include "testlib.h"

#define NOW		1781514000	/* 2026-06-15 09:00 UTC, 12:00 Riga */
#define HOUR		3600
#define N_RESIDENTS	2000

/* Residents with a number that takes SMS, by kind. */
#define MOBILE		"r.phone IS NOT NULL AND r.phone_kind IN (0, 2)"
/* Given names with a letter GSM-7 lacks (demo names are Latvian). */
#define NON_GSM_NAME \
	"(instr(r.given_name, 'ā') OR instr(r.given_name, 'č')" \
	" OR instr(r.given_name, 'ē') OR instr(r.given_name, 'ģ')" \
	" OR instr(r.given_name, 'ī') OR instr(r.given_name, 'ķ')" \
	" OR instr(r.given_name, 'ļ') OR instr(r.given_name, 'ņ')" \
	" OR instr(r.given_name, 'š') OR instr(r.given_name, 'ū')" \
	" OR instr(r.given_name, 'ž') OR instr(r.given_name, 'Ē')" \
	" OR instr(r.given_name, 'Ģ') OR instr(r.given_name, 'Ā')" \
	" OR instr(r.given_name, 'Ū') OR instr(r.given_name, 'Ņ')" \
	" OR instr(r.given_name, 'Š') OR instr(r.given_name, 'Ž')" \
	" OR instr(r.given_name, 'Ī') OR instr(r.given_name, 'Ķ')" \
	" OR instr(r.given_name, 'Ļ') OR instr(r.given_name, 'Č'))"

struct fx {
	struct store		*s;
	struct config		*cfg;
	struct broadcast_params	 bp;
};

static int
setup(void **state)
{
	struct fx		*fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	if ((fx->s = tl_demo_store(N_RESIDENTS, 3, NOW, LOG_LEVEL_WARN)) ==
	    NULL)
		return -1;
	fx->cfg = config_defaults();
	broadcast_params_init(&fx->bp, fx->cfg);
	fx->bp.approval_threshold = 100000;
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
	return 0;
}

static void
exec_sql(struct store *s, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static int64_t
group(struct fx *fx, const char *name, const char *rule)
{
	char	 err[GROUPS_ERR_SIZE];
	int64_t	 id;

	if ((id = groups_add_rule(fx->s, name, rule, "anna", NULL, NULL, err,
	    sizeof(err))) == -1)
		fail_msg("%s: %s", rule, err);
	return id;
}

static void
req_init(struct broadcast_req *req, int64_t gid, const char *text,
    const char *topic)
{
	memset(req, 0, sizeof(*req));
	req->group_id = gid;
	req->text = text;
	req->topic = topic;
	req->actor = "anna";
}

static void
preview_ok(struct fx *fx, const struct broadcast_req *req,
    struct broadcast_preview *pv)
{
	char	 err[BROADCAST_ERR_SIZE];

	if (broadcast_preview(fx->s, &fx->bp, req, pv, err, sizeof(err)) ==
	    -1)
		fail_msg("preview: %s", err);
	/* Every member is accounted for exactly once. */
	assert_int_equal(pv->members, pv->no_mobile + pv->opted_out +
	    pv->no_data + pv->duplicates + pv->recipients);
	assert_int_equal(pv->gsm7 + pv->ucs2, pv->recipients);
}

static int64_t
send_ok(struct fx *fx, const struct broadcast_req *req,
    struct broadcast_preview *out)
{
	struct broadcast_preview pv;
	char			 err[BROADCAST_ERR_SIZE];
	int64_t			 id;

	preview_ok(fx, req, &pv);
	if ((id = broadcast_send(fx->s, &fx->bp, req, &pv, out, err,
	    sizeof(err))) == -1)
		fail_msg("send: %s", err);
	if (!out->awaiting) {
		/* What was written is what the preview said. */
		assert_int_equal(out->recipients, pv.recipients);
		assert_int_equal(out->segments, pv.segments);
		assert_int_equal(out->opted_out, pv.opted_out);
	}
	return id;
}

static void
test_preview_ascii(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv;
	int64_t			 gid;
	long long		 mobile;

	gid = group(fx, "all", "age >= 0 OR NOT age >= 0");
	req_init(&req, gid, "The municipal office is closed on Monday.",
	    "pii");
	preview_ok(fx, &req, &pv);
	mobile = tl_int(fx->s, "SELECT count(*) FROM residents r WHERE "
	    MOBILE);
	assert_int_equal(pv.members, N_RESIDENTS);
	assert_int_equal(pv.no_mobile, N_RESIDENTS - mobile);
	assert_int_equal(pv.opted_out, 0);	/* nobody left pii */
	assert_int_equal(pv.duplicates, 0);	/* demo phones are unique */
	assert_int_equal(pv.recipients, mobile);
	assert_int_equal(pv.gsm7, mobile);
	assert_int_equal(pv.max_segments, 1);
	assert_int_equal(pv.segments, mobile);
	assert_true(pv.cost > 0.04 * (double)mobile - 0.001 &&
	    pv.cost < 0.04 * (double)mobile + 0.001);
	assert_int_equal(pv.duration_s, (mobile + 99) / 100);
	assert_int_equal(pv.start, NOW);
	assert_int_equal(pv.start_moved, 0);
	assert_int_equal(pv.finish, NOW + (mobile - 1) / 100);
	assert_string_equal(pv.topic, "pii");
	assert_string_equal(pv.sample,
	    "The municipal office is closed on Monday.");
	/* 160 GSM characters make one segment, 161 two of 153. */
	{
		char	 t[200];

		memset(t, 'a', 160);
		t[160] = '\0';
		req.text = t;
		preview_ok(fx, &req, &pv);
		assert_int_equal(pv.max_segments, 1);
		t[160] = 'a';
		t[161] = '\0';
		preview_ok(fx, &req, &pv);
		assert_int_equal(pv.max_segments, 2);
		assert_int_equal(pv.segments, 2 * mobile);
		/* An extension character takes two septets. */
		memset(t, 'a', 159);
		t[159] = '\0';
		strncat(t, "€", sizeof(t) - strlen(t) - 1);
		preview_ok(fx, &req, &pv);
		assert_int_equal(pv.max_segments, 2);
	}
}

static void
test_preview_latvian(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv;
	char			 t[400];
	int64_t			 gid;
	long long		 mobile, nongsm;
	int			 i;

	gid = group(fx, "all", "age >= 0 OR NOT age >= 0");
	mobile = tl_int(fx->s, "SELECT count(*) FROM residents r WHERE "
	    MOBILE);
	/* One Latvian letter: UCS-2, 70 a segment, 67 a part. */
	t[0] = '\0';
	for (i = 0; i < 70; i++)
		strncat(t, "ā", sizeof(t) - strlen(t) - 1);
	req_init(&req, gid, t, "pii");
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.ucs2, mobile);
	assert_int_equal(pv.gsm7, 0);
	assert_int_equal(pv.max_segments, 1);
	strncat(t, "ā", sizeof(t) - strlen(t) - 1);
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.max_segments, 2);
	assert_int_equal(pv.segments, 2 * mobile);
	/* translit is the municipality's choice: GSM-7 then. */
	fx->bp.policy = SMSTEXT_TRANSLIT;
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.gsm7, mobile);
	assert_int_equal(pv.max_segments, 1);
	fx->bp.policy = SMSTEXT_AUTO;
	/* A name makes a text UCS-2 or not, recipient by recipient. */
	req.text = "Hello {given_name}, the library opens at 10.";
	preview_ok(fx, &req, &pv);
	nongsm = tl_int(fx->s, "SELECT count(*) FROM residents r WHERE "
	    MOBILE " AND " NON_GSM_NAME);
	assert_true(nongsm > 0 && nongsm < mobile);
	assert_int_equal(pv.ucs2, nongsm);
	assert_int_equal(pv.gsm7, mobile - nongsm);
	assert_int_equal(pv.segments, mobile);
}

static void
test_opt_outs(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv;
	char			 err[BROADCAST_ERR_SIZE];
	int64_t			 gid;
	long long		 mobile, left, stopped;

	gid = group(fx, "all", "age >= 0 OR NOT age >= 0");
	mobile = tl_int(fx->s, "SELECT count(*) FROM residents r WHERE "
	    MOBILE);
	/* nodokli is opt-out: those who left it are removed. */
	left = tl_int(fx->s, "SELECT count(*) FROM subscriptions s JOIN topics t"
	    " ON t.id = s.topic_id JOIN residents r ON r.id = s.resident_id"
	    " WHERE t.code = 'nodokli' AND s.subscribed = 0 AND " MOBILE);
	assert_true(left > 0);
	req_init(&req, gid, "Nodokļu atgādinājums.", "nodokli");
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.opted_out, left);
	assert_int_equal(pv.recipients, mobile - left);
	/* kultura is opt-in: only those who chose it. */
	req.topic = "kultura";
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.recipients, tl_int(fx->s, "SELECT count(*) FROM"
	    " subscriptions s JOIN topics t ON t.id = s.topic_id"
	    " JOIN residents r ON r.id = s.resident_id WHERE"
	    " t.code = 'kultura' AND s.subscribed = 1 AND " MOBILE));
	/* An emergency reaches everyone with a mobile, opt-outs or not. */
	exec_sql(fx->s, "INSERT INTO subscriptions (resident_id, topic_id,"
	    " subscribed, updated_at) SELECT id, (SELECT id FROM topics"
	    " WHERE code = 'arkartas'), 0, 0 FROM residents WHERE id % 7 = 0");
	req.topic = NULL;
	req.emergency = 1;
	preview_ok(fx, &req, &pv);
	assert_string_equal(pv.topic, "arkartas");
	assert_int_equal(pv.emergency, 1);
	assert_int_equal(pv.opted_out, 0);
	assert_int_equal(pv.recipients, mobile);
	/* The emergency topic by name is an emergency too. */
	req.topic = "arkartas";
	req.emergency = 0;
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.emergency, 1);
	assert_int_equal(pv.recipients, mobile);
	/* --emergency with another topic, no topic, an unknown one. */
	req.topic = "nodokli";
	req.emergency = 1;
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "topic 'nodokli' is not an emergency topic: "
	    "--emergency goes with the emergency topic");
	/*
	 * No topic: a general announcement under [broadcast] default_topic,
	 * which STOP alone leaves like every other non-emergency topic.
	 */
	req.topic = NULL;
	req.emergency = 0;
	preview_ok(fx, &req, &pv);
	assert_string_equal(pv.topic, "pazinojumi");
	assert_int_equal(pv.emergency, 0);
	assert_int_equal(pv.recipients, mobile);
	/* Residents who texted STOP alone (every non-emergency topic). */
	exec_sql(fx->s, "INSERT INTO subscriptions (resident_id, topic_id,"
	    " subscribed, updated_at) SELECT r.id, t.id, 0, 0 FROM residents r,"
	    " topics t WHERE t.emergency = 0 AND r.id % 5 = 0 ON CONFLICT"
	    " (resident_id, topic_id) DO UPDATE SET subscribed = 0");
	stopped = tl_int(fx->s, "SELECT count(*) FROM residents r WHERE"
	    " r.id % 5 = 0 AND " MOBILE);
	assert_true(stopped > 0);
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.opted_out, stopped);
	assert_int_equal(pv.recipients, mobile - stopped);
	fx->bp.default_topic = "zinas";
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown topic 'zinas' ([broadcast] "
	    "default_topic)");
	fx->bp.default_topic = "";
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "a topic is needed (--topic T): residents "
	    "choose the topics they receive");
	req.topic = "sports";
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown topic 'sports'");
}

static void
test_duplicates(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv, out;
	int64_t			 gid, before;

	gid = group(fx, "all", "has_mobile");
	req_init(&req, gid, "Sveiki!", "pii");
	preview_ok(fx, &req, &pv);
	before = pv.recipients;
	/* Two more residents now share the first mobile resident's phone. */
	exec_sql(fx->s, "UPDATE residents SET phone = (SELECT phone FROM"
	    " residents WHERE phone_kind = 0 ORDER BY id LIMIT 1),"
	    " phone_kind = 0 WHERE id IN (SELECT id FROM residents"
	    " WHERE phone_kind = 0 ORDER BY id LIMIT 2 OFFSET 5)");
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.duplicates, 2);
	assert_int_equal(pv.recipients, before - 2);
	(void)send_ok(fx, &req, &out);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM (SELECT phone"
	    " FROM outbox GROUP BY phone HAVING count(*) > 1)"), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"),
	    before - 2);
}

static void
test_placeholders(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv;
	char			 err[BROADCAST_ERR_SIZE], want[512];
	sqlite3_stmt		*st;
	int64_t			 gid, all, zil, owed;

	gid = group(fx, "nin", "fee_unpaid(nin)");
	req_init(&req, gid, "{given_name}, jūsu NĪN parāds ir {amount} EUR, "
	    "termiņš {due_date}.", "nodokli");
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.recipients, tl_int(fx->s, "SELECT count(*) FROM"
	    " residents r WHERE " MOBILE " AND EXISTS (SELECT 1 FROM fees f"
	    " WHERE f.resident_id = r.id AND f.kind = 'nin'"
	    " AND f.paid_cents < f.amount_cents) AND r.id NOT IN"
	    " (SELECT resident_id FROM subscriptions WHERE subscribed = 0"
	    " AND topic_id = (SELECT id FROM topics WHERE code = 'nodokli'))"));
	/* The first recipient's text, worked out here. */
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->s), "SELECT"
	    " r.given_name, sum(f.amount_cents - f.paid_cents),"
	    " min(f.due_date) FROM residents r JOIN fees f"
	    " ON f.resident_id = r.id AND f.kind = 'nin'"
	    " AND f.paid_cents < f.amount_cents WHERE " MOBILE
	    " AND r.id NOT IN (SELECT resident_id FROM subscriptions"
	    " WHERE subscribed = 0) GROUP BY r.id ORDER BY r.id LIMIT 1", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	owed = sqlite3_column_int64(st, 1);
	{
		const char	*d = (const char *)sqlite3_column_text(st, 2);

		(void)snprintf(want, sizeof(want), "%s, jūsu NĪN parāds ir "
		    "%lld.%02lld EUR, termiņš %.2s.%.2s.%.4s.",
		    sqlite3_column_text(st, 0), (long long)(owed / 100),
		    (long long)(owed % 100), d + 8, d + 5, d);
	}
	sqlite3_finalize(st);
	assert_string_equal(pv.sample, want);
	assert_int_equal(pv.ucs2, pv.recipients);	/* "ī", "ņ" */

	/* Residents without a value for a placeholder are left out. */
	all = group(fx, "nin80", "fee_unpaid(nin) OR age >= 80");
	req.group_id = all;
	preview_ok(fx, &req, &pv);
	assert_true(pv.no_data > 0);
	assert_int_equal(pv.no_data, tl_int(fx->s, "SELECT count(*) FROM"
	    " residents r WHERE " MOBILE " AND NOT EXISTS (SELECT 1 FROM fees f"
	    " WHERE f.resident_id = r.id AND f.kind = 'nin'"
	    " AND f.paid_cents < f.amount_cents) AND r.birth_date <="
	    " '1946-06-15' AND r.id NOT IN (SELECT resident_id FROM"
	    " subscriptions WHERE subscribed = 0 AND topic_id = (SELECT id"
	    " FROM topics WHERE code = 'nodokli'))"));

	/* {amount} needs a fee kind from the rule. */
	req.group_id = group(fx, "plain", "has_mobile");
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "{amount} and {due_date} need a rule group "
	    "that names a fee kind (fee_unpaid or fee_overdue)");
	/* Unknown placeholders are errors, with a suggestion. */
	req.text = "Sveiki, {given_nme}!";
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown placeholder {given_nme} (did you "
	    "mean {given_name}?)");
	req.text = "Sveiki, {vards}!";
	assert_int_equal(broadcast_check_text(req.text, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "unknown placeholder {vards} (known: "
	    "{given_name}, {amount}, {due_date}, {institution}, "
	    "{position})");
	/* Doubled braces and lone braces are text. */
	req.text = "{{given_name}} costs {1} and { this }";
	preview_ok(fx, &req, &pv);
	assert_string_equal(pv.sample, "{given_name} costs {1} and { this }");
	assert_int_equal(broadcast_check_text("", err, sizeof(err)), -1);

	/* {institution} and {position}: the queue entry the rule names. */
	zil = group(fx, "zil", "queue_institution = 'Dobeles PII \"Zīlīte\"'");
	req_init(&req, zil, "{institution}: vieta {position}.", "pii");
	preview_ok(fx, &req, &pv);
	assert_true(pv.recipients > 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->s), "SELECT pos FROM"
	    " (SELECT q.guardian_id AS g, q.institution_id AS i,"
	    " row_number() OVER (PARTITION BY q.institution_id,"
	    " substr(q.desired_start, 1, 4) ORDER BY q.priority DESC,"
	    " q.registered_at, q.id) AS pos FROM queue_entries q"
	    " WHERE q.status = 'active') JOIN residents r ON r.id = g"
	    " JOIN institutions n ON n.id = i WHERE n.name LIKE '%Zīlīte%'"
	    " AND " MOBILE " ORDER BY r.id LIMIT 1", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	(void)snprintf(want, sizeof(want), "Dobeles PII \"Zīlīte\": vieta "
	    "%lld.", (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	assert_string_equal(pv.sample, want);
}

/* Local wall time in Riga on 2026-06-15/16 as epoch seconds. */
#define RIGA(day, h, m, s) \
	((time_t)NOW + ((day) - 15) * 86400 + ((h) - 12) * HOUR + \
	(m) * 60 + (s))

static void
test_quiet_hours(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv, out;
	int64_t			 gid, id;
	char			 sql[256];

	gid = group(fx, "auru", "territory = 'Auru pagasts' AND has_mobile");
	req_init(&req, gid, "Ceļš slēgts.", "pii");
	/* At 22:30 a normal broadcast waits for 08:00. */
	clock_set_fake(RIGA(15, 22, 30, 0));
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.start_moved, 1);
	assert_int_equal(pv.start, RIGA(16, 8, 0, 0));
	id = send_ok(fx, &req, &out);
	(void)snprintf(sql, sizeof(sql), "SELECT min(not_before) FROM outbox"
	    " WHERE broadcast_id = %lld", (long long)id);
	assert_int_equal(tl_int(fx->s, sql), RIGA(16, 8, 0, 0));
	/* An emergency goes now. */
	req.topic = NULL;
	req.emergency = 1;
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.start_moved, 0);
	assert_int_equal(pv.start, RIGA(15, 22, 30, 0));
	id = send_ok(fx, &req, &out);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE"
	    " broadcast_id = %lld AND not_before = %lld AND priority = %d",
	    (long long)id, (long long)RIGA(15, 22, 30, 0),
	    BROADCAST_EMERGENCY_PRIORITY);
	assert_int_equal(tl_int(fx->s, sql), out.recipients);
	/* At one a second from 20:59:50: ten go, the rest after 08:00. */
	req.topic = "pii";
	req.emergency = 0;
	fx->bp.max_tps = 1;
	clock_set_fake(RIGA(15, 20, 59, 50));
	preview_ok(fx, &req, &pv);
	assert_true(pv.recipients > 20);
	assert_int_equal(pv.start_moved, 0);
	assert_int_equal(pv.quiet_pauses, 1);
	assert_int_equal(pv.quiet_held, pv.recipients - 10);
	assert_int_equal(pv.finish, RIGA(16, 8, 0, 0) + pv.recipients - 11);
	id = send_ok(fx, &req, &out);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE"
	    " broadcast_id = %lld AND not_before < %lld", (long long)id,
	    (long long)RIGA(16, 8, 0, 0));
	assert_int_equal(tl_int(fx->s, sql), 10);
	/* A time given with --at, and one inside quiet hours. */
	fx->bp.max_tps = 100;
	clock_set_fake(NOW);
	req.at = RIGA(16, 10, 0, 0);
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.start, RIGA(16, 10, 0, 0));
	req.at = RIGA(16, 3, 0, 0);
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.start, RIGA(16, 8, 0, 0));
	assert_int_equal(pv.start_moved, 1);
	/* No quiet hours configured: nothing moves. */
	fx->bp.quiet_start = fx->bp.quiet_end = 0;
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.start, RIGA(16, 3, 0, 0));
}

static void
test_quiet_end(void **state)
{
	(void)state;
	/* 21:00-08:00 */
	assert_int_equal(broadcast_quiet_end(RIGA(15, 7, 59, 0), 1260, 480),
	    RIGA(15, 8, 0, 0));
	assert_int_equal(broadcast_quiet_end(RIGA(15, 8, 0, 0), 1260, 480),
	    RIGA(15, 8, 0, 0));
	assert_int_equal(broadcast_quiet_end(RIGA(15, 20, 59, 59), 1260, 480),
	    RIGA(15, 20, 59, 59));
	assert_int_equal(broadcast_quiet_end(RIGA(15, 21, 0, 0), 1260, 480),
	    RIGA(16, 8, 0, 0));
	/* 13:00-14:00, within a day. */
	assert_int_equal(broadcast_quiet_end(RIGA(15, 13, 30, 0), 780, 840),
	    RIGA(15, 14, 0, 0));
	assert_int_equal(broadcast_quiet_end(RIGA(15, 14, 30, 0), 780, 840),
	    RIGA(15, 14, 30, 0));
	/* None. */
	assert_int_equal(broadcast_quiet_end(RIGA(15, 23, 0, 0), 0, 0),
	    RIGA(15, 23, 0, 0));
	/*
	 * The night clocks go forward (2026-03-29, 03:00 EET -> 04:00
	 * EEST): 01:00 EET waits until 08:00 EEST, 05:00 UTC.
	 */
	assert_int_equal(broadcast_quiet_end(1774738800, 1260, 480),
	    1774760400);
}

static void
test_send_rows(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview out;
	struct broadcast_info	 bi;
	int64_t			 gid, id, counts[BROADCAST_NSTATES];
	char			 sql[256];

	fx->bp.chunk_rows = 50;	/* many commits */
	gid = group(fx, "young", "age < 40 AND has_mobile");
	req_init(&req, gid, "Sveiki, {given_name}!", "kultura");
	exec_sql(fx->s, "UPDATE subscriptions SET subscribed = 1");
	id = send_ok(fx, &req, &out);
	assert_false(out.awaiting);
	assert_true(out.recipients > 100);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE"
	    " broadcast_id = %lld AND topic = 'kultura' AND resident_id"
	    " IS NOT NULL AND state = 'queued' AND encoding = 'auto'"
	    " AND priority = %d", (long long)id, BROADCAST_PRIORITY);
	assert_int_equal(tl_int(fx->s, sql), out.recipients);
	/* The plan: at most max_tps segments a second. */
	assert_int_equal(tl_int(fx->s, "SELECT max(n) FROM (SELECT count(*)"
	    " AS n FROM outbox GROUP BY not_before)"), 100);
	/* Each text is the resident's own. */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox o JOIN"
	    " residents r ON r.id = o.resident_id WHERE o.text <>"
	    " 'Sveiki, ' || r.given_name || '!' OR o.phone <> r.phone"), 0);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "scheduled");
	assert_int_equal(bi.recipients, out.recipients);
	assert_int_equal(bi.segments, out.segments);
	assert_string_equal(bi.created_by, "anna");
	assert_string_equal(bi.group, "young");
	assert_string_equal(bi.text, "Sveiki, {given_name}!");
	assert_int_equal(broadcast_status(fx->s, id, counts), 0);
	assert_int_equal(counts[0], out.recipients);
	assert_int_equal(broadcast_latest(fx->s), id);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM audit_log WHERE"
	    " action = 'broadcast send' AND actor = 'anna'"), 1);
}

/* Settle broadcast states (as the gateway does once a second), then read. */
static void
settled(struct fx *fx, int64_t id, struct broadcast_info *bi)
{
	int64_t	 n;

	assert_int_equal(broadcast_settle(fx->s, 72 * 3600, &n), 0);
	assert_int_equal(broadcast_get(fx->s, id, bi), 0);
}

/*
 * A receipt the SMSC never sends: the broadcast waits receipt_wait for
 * its accepted messages, then is done with them still accepted (what is
 * known); a receipt that comes after all is still recorded.
 */
static void
test_receipt_that_never_comes(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview out;
	struct broadcast_info	 bi;
	sqlite3_stmt		*st;
	int64_t			 gid, id, mid = 0, n, counts[BROADCAST_NSTATES];
	char			 msgid[32];
	int			 i = 0;

	gid = group(fx, "young", "age < 30 AND has_mobile");
	req_init(&req, gid, "Sveiki!", "kultura");
	exec_sql(fx->s, "UPDATE subscriptions SET subscribed = 1");
	id = send_ok(fx, &req, &out);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->s), "SELECT id FROM"
	    " outbox WHERE broadcast_id = ?1 ORDER BY id", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(st, 1, id), SQLITE_OK);
	/* Every one accepted now; receipts for all but the first. */
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t	 oid = sqlite3_column_int64(st, 0);

		(void)snprintf(msgid, sizeof(msgid), "%x", 0x500 + i);
		assert_int_equal(outbox_inflight(fx->s, oid, "smsc",
		    (uint32_t)i + 1), 0);
		assert_int_equal(outbox_part_accepted(fx->s, oid, 1, 1, msgid),
		    0);
		if (i++ == 0)
			mid = oid;
		else
			assert_int_equal(outbox_receipt(fx->s, msgid,
			    OUTBOX_RCPT_DELIVERED, 0), OUTBOX_RCPT_MATCHED);
	}
	sqlite3_finalize(st);
	assert_int_equal(i, out.recipients);
	assert_true(mid != 0);

	assert_int_equal(broadcast_settle(fx->s, 72 * 3600, &n), 0);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "sending");
	/* A second short of the wait: still sending. */
	clock_set_fake(NOW + 72 * 3600 - 1);
	assert_int_equal(broadcast_settle(fx->s, 72 * 3600, &n), 0);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "sending");
	assert_int_equal(n, 0);
	clock_set_fake(NOW + 72 * 3600 + 1);
	assert_int_equal(broadcast_settle(fx->s, 72 * 3600, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "done");
	assert_int_equal(broadcast_status(fx->s, id, counts), 0);
	assert_int_equal(counts[2], 1);			/* accepted */
	assert_int_equal(counts[3], out.recipients - 1);	/* delivered */
	/* The late receipt: recorded, the broadcast stays done. */
	assert_int_equal(outbox_receipt(fx->s, "500", OUTBOX_RCPT_DELIVERED,
	    0), OUTBOX_RCPT_MATCHED);
	assert_int_equal(broadcast_status(fx->s, id, counts), 0);
	assert_int_equal(counts[2], 0);
	assert_int_equal(counts[3], out.recipients);
	assert_int_equal(broadcast_settle(fx->s, 72 * 3600, &n), 0);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "done");
	clock_set_fake(NOW);
}

/*
 * Final states reach the broadcast: its counts follow each message, it is
 * 'sending' from the first one out and 'done' when the last one is final,
 * whichever way each ended (receipt, refusal, failure, expiry).
 */
static void
test_final_states(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview out;
	struct broadcast_info	 bi;
	sqlite3_stmt		*st;
	int64_t			 gid, id, *ids, n = 0, i,
				 counts[BROADCAST_NSTATES];
	char			 msgid[32];
	enum outbox_receipt_state rs;

	gid = group(fx, "young", "age < 30 AND has_mobile");
	req_init(&req, gid, "Sveiki!", "kultura");
	exec_sql(fx->s, "UPDATE subscriptions SET subscribed = 1");
	id = send_ok(fx, &req, &out);
	assert_true(out.recipients >= 10);
	ids = calloc((size_t)out.recipients, sizeof(*ids));
	assert_non_null(ids);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->s), "SELECT id FROM"
	    " outbox WHERE broadcast_id = ?1 ORDER BY id", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(st, 1, id), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < out.recipients)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(n, out.recipients);

	settled(fx, id, &bi);
	assert_string_equal(bi.state, "scheduled");
	assert_int_equal(outbox_inflight(fx->s, ids[0], "smsc", 1), 0);
	settled(fx, id, &bi);
	assert_string_equal(bi.state, "sending");
	for (i = 1; i < n; i++)
		assert_int_equal(outbox_inflight(fx->s, ids[i], i % 2 ?
		    "smsc" : "backup", (uint32_t)i + 1), 0);
	for (i = 0; i < n; i++) {
		(void)snprintf(msgid, sizeof(msgid), "%llx",
		    (unsigned long long)(i + 0x100));
		switch (i % 5) {
		case 2:
			assert_int_equal(outbox_finish(fx->s, ids[i],
			    "rejected", 0x0b), 0);
			continue;
		case 3:
			assert_int_equal(outbox_finish(fx->s, ids[i],
			    "failed", 0x08), 0);
			continue;
		}
		assert_int_equal(outbox_part_accepted(fx->s, ids[i], 1, 1,
		    msgid), 0);
		/* Still waiting for this one's receipt. */
		settled(fx, id, &bi);
		assert_string_equal(bi.state, "sending");
		rs = i % 5 == 0 ? OUTBOX_RCPT_DELIVERED : i % 5 == 1 ?
		    OUTBOX_RCPT_UNDELIVERABLE : OUTBOX_RCPT_EXPIRED;
		assert_int_equal(outbox_receipt(fx->s, msgid, rs, 0),
		    OUTBOX_RCPT_MATCHED);
		settled(fx, id, &bi);
		assert_string_equal(bi.state, i == n - 1 ? "done" :
		    "sending");
	}
	settled(fx, id, &bi);
	assert_string_equal(bi.state, "done");
	assert_int_equal(broadcast_status(fx->s, id, counts), 0);
	assert_int_equal(counts[0] + counts[1] + counts[2], 0);
	assert_int_equal(counts[3], (n + 4) / 5);	/* delivered */
	assert_int_equal(counts[3] + counts[4] + counts[5] + counts[6] +
	    counts[7], n);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " state = 'rejected' AND status_code = 11"), (n + 2) / 5);
	free(ids);

	/* Validity ran out before sending: expired in the claim; done. */
	req_init(&req, gid, "Otrais", "kultura");
	id = send_ok(fx, &req, &out);
	{
		char	 sql[160];
		struct outbox_row rows[8];
		int	 nexp = 0, got;
		time_t	 due;

		(void)snprintf(sql, sizeof(sql), "UPDATE outbox SET"
		    " valid_until = 1, not_before = 0 WHERE broadcast_id ="
		    " %lld", (long long)id);
		exec_sql(fx->s, sql);
		got = outbox_claim(fx->s, clock_now(), rows, 8, &nexp, &due);
		assert_int_equal(got, 0);
		assert_int_equal(nexp, out.recipients);
	}
	settled(fx, id, &bi);
	assert_string_equal(bi.state, "done");
	assert_int_equal(broadcast_status(fx->s, id, counts), 0);
	assert_int_equal(counts[5], out.recipients);	/* expired */
}

static void
test_cancel(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview out;
	struct broadcast_info	 bi;
	int64_t			 gid, id, n, counts[BROADCAST_NSTATES];
	char			 err[BROADCAST_ERR_SIZE], sql[256];

	gid = group(fx, "all", "has_mobile");
	req_init(&req, gid, "Sveiki!", "pii");
	id = send_ok(fx, &req, &out);
	/* The gateway has taken a few meanwhile. */
	(void)snprintf(sql, sizeof(sql), "UPDATE outbox SET state ="
	    " 'delivered' WHERE id IN (SELECT id FROM outbox WHERE"
	    " broadcast_id = %lld LIMIT 5)", (long long)id);
	exec_sql(fx->s, sql);
	(void)snprintf(sql, sizeof(sql), "UPDATE outbox SET state ="
	    " 'inflight' WHERE id IN (SELECT id FROM outbox WHERE"
	    " broadcast_id = %lld AND state = 'queued' LIMIT 3)",
	    (long long)id);
	exec_sql(fx->s, sql);
	assert_int_equal(broadcast_cancel(fx->s, id, "janis", &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, out.recipients - 8);
	assert_int_equal(broadcast_status(fx->s, id, counts), 0);
	assert_int_equal(counts[0], 0);			/* queued */
	assert_int_equal(counts[1], 3);			/* inflight */
	assert_int_equal(counts[3], 5);			/* delivered */
	assert_int_equal(counts[8], out.recipients - 8);	/* cancelled */
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "cancelled");
	/* Again: nothing more to cancel, not an error. */
	assert_int_equal(broadcast_cancel(fx->s, id, "janis", &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(broadcast_cancel(fx->s, 999, "janis", &n, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no broadcast 999");
}

/* An account made by root while none exists (the bootstrap). */
static void
add_staff(struct store *s, const char *name, const char *role)
{
	struct staff_actor	 root;
	struct staff_fields	 f;
	char			 err[STAFF_ERR_SIZE];
	int			 pending;

	memset(&root, 0, sizeof(root));
	(void)util_strlcpy(root.name, "root", sizeof(root.name));
	root.bootstrap = 1;
	memset(&f, 0, sizeof(f));
	f.role = role;
	assert_int_equal(staff_add(s, &root, name, &f, &pending, err,
	    sizeof(err)), 0);
	assert_int_equal(pending, 0);
}

static void
test_approval(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview out, ap;
	struct broadcast_info	 bi;
	int64_t			 gid, id, n;
	char			 err[BROADCAST_ERR_SIZE], sql[256];

	fx->bp.approval_threshold = 10;
	gid = group(fx, "auru", "territory = 'Auru pagasts' AND has_mobile");
	req_init(&req, gid, "Sveiki, {given_name}!", "pii");
	id = send_ok(fx, &req, &out);
	assert_true(out.awaiting);
	assert_true(out.recipients > 10);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "awaiting_approval");
	assert_int_equal(bi.recipients, out.recipients);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE"
	    " broadcast_id = %lld", (long long)id);
	assert_int_equal(tl_int(fx->s, sql), 0);
	/* Not by the same person, nor by nobody. */
	assert_int_equal(broadcast_approve(fx->s, &fx->bp, id, "anna", &ap,
	    err, sizeof(err)), -1);
	(void)snprintf(sql, sizeof(sql), "anna created broadcast %lld: a "
	    "different staff member must approve it", (long long)id);
	assert_string_equal(err, sql);
	assert_int_equal(broadcast_approve(fx->s, &fx->bp, id, "", &ap, err,
	    sizeof(err)), -1);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "awaiting_approval");
	/* Nor by someone without an account: approvers are staff. */
	assert_int_equal(broadcast_approve(fx->s, &fx->bp, id, "janis", &ap,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "janis has no staff account: approvals come "
	    "only from staff accounts (munictl staff add)");
	add_staff(fx->s, "janis", "approver");
	add_staff(fx->s, "peteris", "admin");
	/* A second person: the messages are queued now. */
	assert_int_equal(broadcast_approve(fx->s, &fx->bp, id, "janis", &ap,
	    err, sizeof(err)), 0);
	assert_int_equal(ap.recipients, out.recipients);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE"
	    " broadcast_id = %lld AND state = 'queued'", (long long)id);
	assert_int_equal(tl_int(fx->s, sql), out.recipients);
	assert_int_equal(broadcast_get(fx->s, id, &bi), 0);
	assert_string_equal(bi.state, "scheduled");
	assert_string_equal(bi.approved_by, "janis");
	assert_string_equal(bi.created_by, "anna");
	/* Only once. */
	assert_int_equal(broadcast_approve(fx->s, &fx->bp, id, "peteris", &ap,
	    err, sizeof(err)), -1);
	(void)snprintf(sql, sizeof(sql), "broadcast %lld is approved already "
	    "(by janis)", (long long)id);
	assert_string_equal(err, sql);
	/* A cancelled one cannot be approved. */
	id = send_ok(fx, &req, &out);
	assert_true(out.awaiting);
	assert_int_equal(broadcast_cancel(fx->s, id, "anna", &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(broadcast_approve(fx->s, &fx->bp, id, "janis", &ap,
	    err, sizeof(err)), -1);
	(void)snprintf(sql, sizeof(sql), "broadcast %lld was cancelled: there "
	    "is nothing to approve", (long long)id);
	assert_string_equal(err, sql);
	/* At the threshold itself no approval is needed. */
	fx->bp.approval_threshold = out.recipients;
	id = send_ok(fx, &req, &out);
	assert_false(out.awaiting);
}

static void
test_refusals(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv, out;
	char			 err[BROADCAST_ERR_SIZE], t[1700];
	int64_t			 gid;

	gid = group(fx, "auru", "territory = 'Auru pagasts' AND has_mobile");
	/* Seven segments of GSM-7 against a limit of six. */
	memset(t, 'x', 7 * 153);
	t[7 * 153] = '\0';
	req_init(&req, gid, t, "pii");
	preview_ok(fx, &req, &pv);
	assert_int_equal(pv.max_segments, 7);
	assert_int_equal(broadcast_send(fx->s, &fx->bp, &req, &pv, &out, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the longest text needs 7 segments (1071 "
	    "bytes); [sms] max_segments is 6");
	memset(t, 'x', 1601);
	t[1601] = '\0';
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the message text is longer than 1600 bytes");
	/* Nobody to send to. */
	req.text = "x";
	req.group_id = group(fx, "nobody", "age > 149");
	preview_ok(fx, &req, &pv);
	assert_int_equal(broadcast_send(fx->s, &fx->bp, &req, &pv, &out, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no recipients: nothing to send");
	/* Somebody must be named as sender. */
	req.group_id = gid;
	preview_ok(fx, &req, &pv);
	req.actor = NULL;
	assert_int_equal(broadcast_send(fx->s, &fx->bp, &req, &pv, &out, err,
	    sizeof(err)), -1);
	req.group_id = 12345;
	assert_int_equal(broadcast_preview(fx->s, &fx->bp, &req, &pv, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no group with id 12345");
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM broadcasts"), 0);
}

/* A failure half-way (a full disk, say) withdraws what was queued. */
static void
test_failure_half_way(void **state)
{
	struct fx		*fx = *state;
	struct broadcast_req	 req;
	struct broadcast_preview pv, out;
	char			 err[BROADCAST_ERR_SIZE];

	fx->bp.chunk_rows = 50;
	req_init(&req, group(fx, "all", "has_mobile"), "Sveiki!", "pii");
	preview_ok(fx, &req, &pv);
	assert_true(pv.recipients > 300);
	exec_sql(fx->s, "CREATE TEMP TRIGGER boom BEFORE INSERT ON outbox"
	    " WHEN (SELECT count(*) FROM outbox) >= 230 BEGIN"
	    " SELECT RAISE(ABORT, 'disk full'); END");
	assert_int_equal(broadcast_send(fx->s, &fx->bp, &req, &pv, &out, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "database error: disk full; broadcast 1 is "
	    "cancelled (200 queued messages withdrawn)");
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " state = 'cancelled'"), 200);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " state <> 'cancelled'"), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM broadcasts WHERE"
	    " state = 'cancelled'"), 1);
}

static void
test_parse_time(void **state)
{
	const char	*errstr;
	time_t		 t;

	(void)state;
	assert_int_equal(broadcast_parse_time("2026-06-15 14:30", NOW, &t,
	    &errstr), 0);
	assert_int_equal(t, RIGA(15, 14, 30, 0));
	assert_int_equal(broadcast_parse_time("2026-06-15T14:30:15", NOW, &t,
	    &errstr), 0);
	assert_int_equal(t, RIGA(15, 14, 30, 15));
	assert_int_equal(broadcast_parse_time("14:30", NOW, &t, &errstr), 0);
	assert_int_equal(t, RIGA(15, 14, 30, 0));
	/* An hour already past today means tomorrow. */
	assert_int_equal(broadcast_parse_time("11:00", NOW, &t, &errstr), 0);
	assert_int_equal(t, RIGA(16, 11, 0, 0));
	assert_int_equal(broadcast_parse_time("2026-06-14 10:00", NOW, &t,
	    &errstr), -1);
	assert_string_equal(errstr, "is in the past");
	assert_int_equal(broadcast_parse_time("2027-07-01 10:00", NOW, &t,
	    &errstr), -1);
	assert_string_equal(errstr, "is more than a year ahead");
	assert_int_equal(broadcast_parse_time("25:00", NOW, &t, &errstr), -1);
	assert_string_equal(errstr, "is not a time like 2026-03-01 09:00 or "
	    "09:00");
	assert_int_equal(broadcast_parse_time("2026-02-30 10:00", NOW, &t,
	    &errstr), -1);
	assert_int_equal(broadcast_parse_time("12:3", NOW, &t, &errstr), -1);
	assert_int_equal(broadcast_parse_time("", NOW, &t, &errstr), -1);
	assert_int_equal(broadcast_parse_time("2026-06-15 14:30:", NOW, &t,
	    &errstr), -1);
	assert_int_equal(broadcast_parse_time("2026-06-15x14:30", NOW, &t,
	    &errstr), -1);
	assert_int_equal(broadcast_parse_time("+4:00", NOW, &t, &errstr), -1);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_preview_ascii),
		T(test_preview_latvian),
		T(test_opt_outs),
		T(test_duplicates),
		T(test_placeholders),
		T(test_quiet_hours),
		T(test_quiet_end),
		T(test_send_rows),
		T(test_cancel),
		T(test_final_states),
		T(test_receipt_that_never_comes),
		T(test_approval),
		T(test_refusals),
		T(test_failure_half_way),
		T(test_parse_time),
	};
#undef T

	if (test_sqlite_only("reads its results through sqlite3 (store_sqlite.h); not converted yet"))
		return 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
