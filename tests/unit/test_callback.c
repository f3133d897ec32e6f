/*
 * test_callback: the callback queue of issue 23 and its poster's
 * signature. Events are queued in the transaction that makes their fact
 * true (a message's final state by outbox.c, at a receipt, a refusal or a
 * retry that gives up; a case filed or moved by the schema's triggers),
 * for each configured target that wants them and for nobody when none is
 * configured; one subject's events are claimed in order; a
 * failure backs off 5 s doubling to 1 h and gives up retry_h hours after
 * the first failure; rows caught mid-post come back; retry and drop are
 * audited. The signature is checked against a known answer (computed with
 * `openssl dgst -sha256 -hmac`). [http.callback.NAME] sections are parsed
 * with their errors.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "callback.h"
#include "cases.h"
#include "clock.h"
#include "config.h"
#include "gw_callback.h"
#include "i18n.h"
#include "keywords.h"
#include "outbox.h"
#include "services.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"

#define T0		1796112000	/* 2026-12-01 */
#define ANNA_PHONE	"+37129990001"

/*
 * sql with SQLite's json_extract(payload, '$.key') written as
 * PostgreSQL's payload::json ->> 'key' when the test runs there. ->>
 * gives text, so the tests compare numbers as CAST(... AS TEXT) = 'n',
 * which SQLite reads the same way.
 */
static const char *
pg_json(const char *sql)
{
	static char	 out[1024];
	static const char from[] = "json_extract(payload, '$.";
	const char	*p = sql, *q;
	size_t		 n = 0;
	int		 w;

	if (!test_store_pg())
		return sql;
	while ((q = strstr(p, from)) != NULL) {
		const char	*key = q + sizeof(from) - 1;
		size_t		 klen = strcspn(key, "'");

		w = snprintf(out + n, sizeof(out) - n, "%.*s(payload::json ->> "
		    "'%.*s')", (int)(q - p), p, (int)klen, key);
		if (w < 0 || (size_t)w >= sizeof(out) - n)
			fail_msg("pg_json: %s: too long", sql);
		n += (size_t)w;
		p = key + klen + 2;	/* past "')" */
	}
	w = snprintf(out + n, sizeof(out) - n, "%s", p);
	if (w < 0 || (size_t)w >= sizeof(out) - n)
		fail_msg("pg_json: %s: too long", sql);
	return out;
}

static struct store *
open_store(void)
{
	struct store	*s;
	const char	*errstr = NULL;

	clock_set_fake(T0);
	s = test_store_open(&errstr);
	assert_non_null(s);
	tl_exec(s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, updated_at) VALUES (7,"
	    " '999999-00007', 'Anna', 'Bērziņa', '" ANNA_PHONE "', 0, 'lv',"
	    " 0)");
	return s;
}

static void
set_targets(struct store *s)
{
	const struct callback_target t[] = {
		{ "erp", CALLBACK_MESSAGE_FINAL | CALLBACK_CASE_CREATED |
		    CALLBACK_CASE_CHANGED | CALLBACK_MO_UNHANDLED },
		{ "audit", CALLBACK_CASE_CREATED },
	};

	assert_int_equal(callback_set_targets(s, t, 2), 0);
}

/* A message taken by the SMSC and failed for good. */
static int64_t
message_failed(struct store *s)
{
	struct outbox_msg	 m;
	const char		*err = NULL;
	int64_t			 id;

	memset(&m, 0, sizeof(m));
	m.phone = ANNA_PHONE;
	m.text = "Sveiki";
	assert_true((id = outbox_enqueue(s, &m, &err)) > 0);
	/* As the gateway claims it. */
	tl_exec(s, "UPDATE outbox SET state = 'inflight'");
	assert_int_equal(outbox_finish(s, id, "rejected", 0x45), 0);
	return id;
}

static void
file_case(struct store *s, char case_no[SERVICES_CASE_NO_SIZE])
{
	struct services_caller	 c;
	struct services_report	 rp;
	const char		*errstr = NULL;

	assert_int_equal(services_caller_by_phone(s, ANNA_PHONE, &c), 0);
	memset(&rp, 0, sizeof(rp));
	rp.kind = SERVICES_REPORT_APPLICATION;
	rp.text = "Salabot \"lampu\"";
	rp.len = strlen(rp.text);
	rp.channel = "kiosk";
	assert_int_equal(services_report_file(s, &c, &rp, case_no, &errstr),
	    0);
}

static void
test_events_parse(void **state)
{
	unsigned	 m;
	char		 bad[32];

	(void)state;
	assert_int_equal(callback_events_parse("message.final, case.changed",
	    &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, CALLBACK_MESSAGE_FINAL | CALLBACK_CASE_CHANGED);
	assert_int_equal(callback_events_parse("mo.unhandled case.create", &m,
	    bad, sizeof(bad)), -1);
	assert_string_equal(bad, "case.create");
	assert_string_equal(callback_event_name(CALLBACK_BROADCAST_DONE),
	    "broadcast.done");
}

/* Nobody configured: the facts happen, nothing is queued. */
static void
test_no_targets_no_rows(void **state)
{
	struct store	*s = open_store();
	char		 case_no[SERVICES_CASE_NO_SIZE];

	(void)state;
	(void)message_failed(s);
	file_case(s, case_no);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks"), 0);
	store_close(s);
}

static void
test_triggers_queue(void **state)
{
	struct store	*s = open_store();
	char		 case_no[SERVICES_CASE_NO_SIZE], sql[512];
	const char	*errstr = NULL;
	int64_t		 id;

	(void)state;
	set_targets(s);
	id = message_failed(s);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM callbacks"
	    " WHERE target = 'erp' AND event = 'message.final' AND subject ="
	    " 'message:%lld' AND json_extract(payload, '$.state') ="
	    " 'rejected' AND CAST(json_extract(payload, '$.id') AS TEXT)"
	    " = '%lld'",
	    (long long)id, (long long)id);
	assert_int_equal(tl_int(s, pg_json(sql)), 1);
	file_case(s, case_no);
	/* Both targets want case.created; only erp wants the rest. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks"
	    " WHERE event = 'case.created'"), 2);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM callbacks"
	    " WHERE event = 'case.created' AND json_extract(payload,"
	    " '$.text') = 'Salabot \"lampu\"' AND json_extract(payload,"
	    " '$.case_no') = '%s'", case_no);
	assert_int_equal(tl_int(s, pg_json(sql)), 2);
	assert_int_equal(cases_set_status(s, case_no, "done", "anna",
	    &errstr), 0);
	assert_int_equal(tl_int(s, pg_json("SELECT count(*) FROM callbacks"
	    " WHERE event = 'case.changed' AND target = 'erp' AND"
	    " json_extract(payload, '$.status') = 'done' AND"
	    " json_extract(payload, '$.was') = 'new'")), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks"
	    " WHERE target = 'audit'"), 1);
	/* A text no keyword answers. */
	assert_int_equal(callback_mo(s, ANNA_PHONE, 7, "Sveiki!xyz", 6, NULL),
	    0);
	assert_int_equal(tl_int(s, pg_json("SELECT count(*) FROM callbacks"
	    " WHERE event = 'mo.unhandled' AND json_extract(payload,"
	    " '$.text') = 'Sveiki' AND CAST(json_extract(payload,"
	    " '$.resident_id') AS TEXT) = '7' AND json_extract(payload,"
	    " '$.case_no')"
	    " IS NULL")), 1);
	store_close(s);
}

/*
 * A text the per-phone reply limit silences still reaches mo.unhandled,
 * marked "limited": the municipality sees what was written though nobody
 * answered it; a STOP over the limit is a wish, not an unhandled text.
 */
static void
test_mo_limited(void **state)
{
	struct store		*s = open_store();
	struct config		*cfg = config_defaults();
	struct keywords_opts	 o;
	struct keywords_result	 res;
	char			 reply[1024];
	const char		*t1 = "Kur ir mana pase?", *t2 = "Vai dzirdat?";

	(void)state;
	set_targets(s);
	memset(&o, 0, sizeof(o));
	o.limiter = keywords_limiter_new(1, 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(keywords_handle(s, cfg, ANNA_PHONE, t1, strlen(t1),
	    &o, reply, sizeof(reply), &res), 1);
	assert_int_equal(keywords_handle(s, cfg, ANNA_PHONE, t2, strlen(t2),
	    &o, reply, sizeof(reply), &res), 0);
	assert_int_equal(res.silence, KEYWORDS_SILENT_LIMIT);
	/* Confirmed beyond the limit (a limit of its own), no event. */
	assert_int_equal(keywords_handle(s, cfg, ANNA_PHONE, "STOP", 4, &o,
	    reply, sizeof(reply), &res), 1);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(tl_int(s, pg_json("SELECT count(*) FROM callbacks"
	    " WHERE event = 'mo.unhandled' AND json_extract(payload,"
	    " '$.text') = 'Kur ir mana pase?' AND json_extract(payload,"
	    " '$.limited') IS NULL")), 1);
	/* "limited" is JSON's true, not a number, on either engine. */
	assert_int_equal(tl_int(s, test_store_pg() ?
	    "SELECT count(*) FROM callbacks WHERE event = 'mo.unhandled'"
	    " AND payload::json ->> 'text' = 'Vai dzirdat?'"
	    " AND json_typeof(payload::json -> 'limited') = 'boolean'"
	    " AND payload::json ->> 'limited' = 'true'"
	    " AND payload::json ->> 'resident_id' = '7'" :
	    "SELECT count(*) FROM callbacks"
	    " WHERE event = 'mo.unhandled' AND json_extract(payload,"
	    " '$.text') = 'Vai dzirdat?' AND json_extract(payload,"
	    " '$.limited') = 1 AND json_type(payload, '$.limited') = 'true'"
	    " AND json_extract(payload, '$.resident_id') = 7"), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks"
	    " WHERE event = 'mo.unhandled'"), 2);
	keywords_limiter_free(o.limiter);
	config_free(cfg);
	store_close(s);
}

/*
 * message.final from each of outbox.c's final transitions: a receipt, a
 * retry that gives up; none for a retry that does not, nor twice.
 */
static void
test_message_final_paths(void **state)
{
	struct store		*s = open_store();
	struct outbox_msg	 m;
	const char		*err = NULL;
	int64_t			 a, b;

	(void)state;
	set_targets(s);
	memset(&m, 0, sizeof(m));
	m.phone = ANNA_PHONE;
	m.text = "Sveiki";
	assert_true((a = outbox_enqueue(s, &m, &err)) > 0);
	assert_true((b = outbox_enqueue(s, &m, &err)) > 0);
	tl_exec(s, "UPDATE outbox SET state = 'accepted', message_id = 'm-a'"
	    " WHERE id = 1");
	assert_int_equal(outbox_receipt(s, "m-a", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_MATCHED);
	assert_int_equal(outbox_receipt(s, "m-a", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_DUPLICATE);
	tl_exec(s, "UPDATE outbox SET state = 'inflight', attempts = 1"
	    " WHERE id = 2");
	assert_int_equal(outbox_retry(s, b, 0x58, 1, 5), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks WHERE"
	    " subject = 'message:2'"), 0);
	tl_exec(s, "UPDATE outbox SET state = 'inflight', attempts = 99"
	    " WHERE id = 2");
	assert_int_equal(outbox_retry(s, b, 0x58, 99, 5), 1);
	assert_int_equal(tl_int(s, pg_json("SELECT count(*) FROM callbacks WHERE"
	    " target = 'erp' AND subject = 'message:1' AND"
	    " json_extract(payload, '$.state') = 'delivered'")), 1);
	assert_int_equal(tl_int(s, pg_json("SELECT count(*) FROM callbacks WHERE"
	    " target = 'erp' AND subject = 'message:2' AND"
	    " json_extract(payload, '$.state') = 'failed' AND"
	    " CAST(json_extract(payload, '$.error') AS TEXT) = '88'")), 1);
	/* audit wants no message.final. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks WHERE"
	    " target = 'audit'"), 0);
	(void)a;
	store_close(s);
}

/* case.changed waits for case.created of the same case and target. */
static void
test_claim_in_order(void **state)
{
	struct store		*s = open_store();
	struct callback_row	 rows[8];
	char			 case_no[SERVICES_CASE_NO_SIZE];
	const char		*errstr = NULL;
	int			 n, i, created = -1;

	(void)state;
	set_targets(s);
	file_case(s, case_no);
	assert_int_equal(cases_set_status(s, case_no, "in_progress", "anna",
	    &errstr),
	    0);
	n = callback_claim(s, T0, rows, 8);
	assert_int_equal(n, 2);	/* erp's and audit's case.created */
	for (i = 0; i < n; i++) {
		assert_string_equal(rows[i].event, "case.created");
		assert_int_equal(rows[i].attempts, 1);
		if (strcmp(rows[i].target, "erp") == 0)
			created = i;
	}
	assert_true(created >= 0);
	/* Claimed rows are not claimed twice. */
	assert_int_equal(callback_claim(s, T0, rows + 2, 6), 0);
	assert_int_equal(callback_done(s, rows[created].id, T0), 0);
	n = callback_claim(s, T0, rows + 2, 6);
	assert_int_equal(n, 1);
	assert_string_equal(rows[2].event, "case.changed");
	for (i = 0; i < 3; i++)
		callback_row_clear(&rows[i]);
	store_close(s);
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(callback_backoff(1), 5);
	assert_int_equal(callback_backoff(2), 10);
	assert_int_equal(callback_backoff(3), 20);
	assert_int_equal(callback_backoff(10), 2560);
	assert_int_equal(callback_backoff(11), 3600);
	assert_int_equal(callback_backoff(1000), 3600);
}

/* Failures back off, and give up retry_h hours after the first one. */
static void
test_retry_window(void **state)
{
	struct store		*s = open_store();
	struct callback_row	 r;
	int			 gave_up, attempts = 0;
	time_t			 now = T0;

	(void)state;
	set_targets(s);
	(void)message_failed(s);
	for (;;) {
		assert_int_equal(callback_claim(s, now, &r, 1), 1);
		assert_int_equal(r.attempts, ++attempts);
		assert_int_equal(callback_failed(s, r.id, now, 2, r.attempts,
		    "HTTP 500", &gave_up), 0);
		callback_row_clear(&r);
		if (gave_up)
			break;
		/* Not due before its backoff is over. */
		assert_int_equal(callback_claim(s, now +
		    callback_backoff(attempts) - 1, &r, 1), 0);
		now += callback_backoff(attempts);
		assert_true(now <= T0 + 2 * 3600 + 3600);
	}
	/* The attempt at or after 2 h from the first failure is the last. */
	assert_true(now >= T0 + 2 * 3600);
	assert_true(now - callback_backoff(attempts - 1) < T0 + 2 * 3600);
	assert_int_equal(callback_count(s, "failed"), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks WHERE"
	    " last_error = 'HTTP 500'"), 1);
	assert_int_equal(callback_claim(s, now + 86400, &r, 1), 0);
	store_close(s);
}

static void
test_recover_retry_drop(void **state)
{
	struct store		*s = open_store();
	struct callback_row	 r;
	char			 err[CALLBACK_ERR_SIZE];
	int64_t			 n, id;
	int			 gave_up;

	(void)state;
	set_targets(s);
	(void)message_failed(s);
	assert_int_equal(callback_claim(s, T0, &r, 1), 1);
	id = r.id;
	callback_row_clear(&r);
	/* A stop mid-post: the row goes back to the queue. */
	assert_int_equal(callback_count(s, "sending"), 1);
	assert_int_equal(callback_recover(s), 0);
	assert_int_equal(callback_count(s, "pending"), 1);
	/* Fail it for good, then retry it by hand. */
	assert_int_equal(callback_claim(s, T0, &r, 1), 1);
	callback_row_clear(&r);
	assert_int_equal(callback_failed(s, id, T0, 1, 2, "x", &gave_up), 0);
	assert_int_equal(gave_up, 0);
	assert_int_equal(callback_claim(s, T0 + 3600, &r, 1), 1);
	callback_row_clear(&r);
	assert_int_equal(callback_failed(s, id, T0 + 3600, 1, 3, "x",
	    &gave_up), 0);
	assert_int_equal(gave_up, 1);
	assert_int_equal(callback_retry(s, "anna", 0, &n, err, sizeof(err)),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks WHERE"
	    " state = 'pending' AND attempts = 0 AND retry_from IS NULL"), 1);
	assert_int_equal(callback_retry(s, "anna", 999, &n, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "999"));
	assert_int_equal(callback_drop(s, "anna", id, err, sizeof(err)), 0);
	assert_int_equal(callback_drop(s, "anna", id, err, sizeof(err)), -1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM callbacks"), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " action IN ('callback retry', 'callback drop')"), 2);
	store_close(s);
}

/* Known answer: openssl dgst -sha256 -hmac It5-a-s3cret. */
static void
test_signature(void **state)
{
	const char	*body = "{\"event\":\"message.final\",\"id\":1}";
	char		 sig[CBPOST_SIG_SIZE];

	(void)state;
	assert_int_equal(cbpost_sign("It5-a-s3cret", T0, body, strlen(body),
	    sig), 0);
	assert_string_equal(sig, "9a5ff7f4218bca549663b17c138c8a5d5200858f"
	    "9ef380f5fbd574265defcef0");
}

/* Write text as a configuration and load it; errors into *errors. */
static struct config *
load(const char *dir, const char *text, char **errors)
{
	char	 path[256];
	FILE	*fp;

	(void)snprintf(path, sizeof(path), "%s/muni.conf", dir);
	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, 0600), 0);
	*errors = NULL;
	return config_load(path, errors);
}

static void
test_config_sections(void **state)
{
	struct config		*cfg;
	struct config_callback	 cc;
	char			 dir[64], secret[128], text[1024], *errors;

	(void)state;
	/* The messages as written: the catalogue's words are its own test. */
	assert_int_equal(i18n_set_lang("en"), 0);
	(void)snprintf(dir, sizeof(dir), "/tmp/muni-cb.XXXXXX");
	assert_non_null(mkdtemp(dir));
	(void)snprintf(secret, sizeof(secret), "%s/secret", dir);
	cfg = load(dir, "", &errors);	/* makes the file, a secret */
	assert_non_null(cfg);
	config_free(cfg);
	assert_int_equal(rename((snprintf(text, sizeof(text),
	    "%s/muni.conf", dir), text), secret), 0);

	(void)snprintf(text, sizeof(text), "[http.callback.erp]\n"
	    "url = https://erp.example.lv/muni\n"
	    "events = message.final, case.created\n"
	    "secret_file = %s\nretry_h = 48\n"
	    "[http.callback.local]\nurl = http://127.0.0.1:9000/\n"
	    "events = mo.unhandled\nsecret_file = %s\n", secret, secret);
	cfg = load(dir, text, &errors);
	if (cfg == NULL)
		fail_msg("%s", errors);
	assert_int_equal(config_callbacks(cfg), 2);
	config_callback(cfg, 0, &cc);
	assert_string_equal(cc.name, "erp");
	assert_int_equal(cc.events, CALLBACK_MESSAGE_FINAL |
	    CALLBACK_CASE_CREATED);
	assert_int_equal(cc.retry_h, 48);
	assert_int_equal(cc.timeout_s, 10);
	config_callback(cfg, 1, &cc);
	assert_string_equal(cc.url, "http://127.0.0.1:9000/");
	config_free(cfg);

	/* Plain http elsewhere, an unknown event, no secret. */
	(void)snprintf(text, sizeof(text), "[http.callback.erp]\n"
	    "url = http://erp.example.lv/muni\nevents = message.done\n"
	    "secret_file = %s\n[http.callback.b]\nurl = https://x.lv/\n"
	    "events = case.changed\n", secret);
	assert_null(load(dir, text, &errors));
	assert_non_null(strstr(errors, ":3: http.callback.erp.events: unknown "
	    "event 'message.done'"));
	config_free(NULL);
	free(errors);
	(void)snprintf(text, sizeof(text), "[http.callback.b]\n"
	    "url = https://x.lv/\nevents = case.changed\ntimeout = 5\n");
	assert_null(load(dir, text, &errors));
	assert_non_null(strstr(errors, ":4: unknown key 'timeout' in "
	    "[http.callback.b]"));
	free(errors);
	(void)snprintf(text, sizeof(text), "[http.callback.erp]\n"
	    "url = http://erp.example.lv/muni\nevents = message.final\n"
	    "secret_file = %s\n", secret);
	assert_null(load(dir, text, &errors));
	assert_non_null(strstr(errors, ":2: http.callback.erp.url: "
	    "'http://erp.example.lv/muni' is neither https://"));
	free(errors);
	(void)snprintf(text, sizeof(text), "[http.callback.b]\n"
	    "url = https://x.lv/\nevents = case.changed\n");
	assert_null(load(dir, text, &errors));
	assert_non_null(strstr(errors, ":1: [http.callback.b] has no "
	    "secret_file"));
	free(errors);
	/* A secret others can read is none. */
	assert_int_equal(chmod(secret, 0644), 0);
	(void)snprintf(text, sizeof(text), "[http.callback.b]\n"
	    "url = https://x.lv/\nevents = case.changed\nsecret_file = %s\n",
	    secret);
	assert_null(load(dir, text, &errors));
	assert_non_null(strstr(errors, ":4: http.callback.b.secret_file: the "
	    "secret file"));
	free(errors);

	(void)snprintf(text, sizeof(text), "%s/muni.conf", dir);
	(void)unlink(text);
	(void)unlink(secret);
	assert_int_equal(rmdir(dir), 0);
	(void)i18n_set_lang("lv");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_parse),
		cmocka_unit_test(test_no_targets_no_rows),
		cmocka_unit_test(test_triggers_queue),
		cmocka_unit_test(test_mo_limited),
		cmocka_unit_test(test_message_final_paths),
		cmocka_unit_test(test_claim_in_order),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retry_window),
		cmocka_unit_test(test_recover_retry_drop),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_config_sections),
	};

	tl_i18n();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
