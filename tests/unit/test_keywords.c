/*
 * test_keywords: the SMS keyword front end on a demo Dobeles novads plus
 * hand-made families: every keyword with and without diacritics and in
 * lower case, what an unregistered number learns (nothing), the senders
 * and texts that get no answer, STOP against queued broadcasts, the reply
 * limit, and replies that keep to their segments and never carry a
 * personal code. The clock is fake (2026-06-15 in Riga).
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
#include "i18n.h"
#include "keywords.h"
#include "log.h"
#include "outbox.h"
#include "services.h"
#include "store.h"
#include "util.h"
#include "testlib.h"

#define NOW		1781514000	/* 2026-06-15 09:00:00 UTC */
#define ILZE_PHONE	"+37129990001"
#define JOHN_PHONE	"+37129990002"
#define NOBODY_PHONE	"+37129990009"
#define DUTY		"+37129000001"

struct fx {
	struct store		*s;
	struct config		*cfg;
	struct keywords_opts	 opts;
	char			 reply[KEYWORDS_REPLY_SIZE];
};

static int
setup(void **state)
{
	struct fx		*fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	tl_i18n();
	if ((fx->s = tl_demo_store(2000, 42, NOW, LOG_LEVEL_FATAL)) == NULL)
		return -1;
	tl_exec(fx->s, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, updated_at) VALUES"
	    " (100001, '999999-00001', 'Ilze', 'Ozola', '+37129990001', 0,"
	    "  'lv', 0),"
	    " (100002, '999999-00002', 'John', 'Smith', '+37129990002', 0,"
	    "  'en', 0)");
	tl_exec(fx->s, "INSERT INTO queue_entries (child_code, child_given_name,"
	    " child_family_name, guardian_id, institution_id, registered_at,"
	    " desired_start, priority, status, updated_at) VALUES"
	    " ('320101-00001', 'Anna', 'Bērziņa', 100001, 1,"
	    "  '2025-01-10 10:00:00', '2027-09', 1, 'active', 0),"
	    " ('320101-00002', 'Žanis', 'Ērglis', 100001, 2,"
	    "  '2025-02-10 10:00:00', '2028-09', 0, 'active', 0)");
	tl_exec(fx->s, "INSERT INTO fees (resident_id, kind, period, amount_cents,"
	    " due_date, reference, paid_cents, updated_at) VALUES"
	    " (100002, 'nin', '2026-Q1', 6120, '2026-03-31', NULL, 0, 0),"
	    " (100002, 'nin', '2026-Q3', 6120, '2026-08-17', NULL, 1000, 0)");
	tl_exec(fx->s, "INSERT INTO broadcasts (id, topic, text, emergency,"
	    " state, created_at, updated_at) VALUES"
	    " (1, 'kultura', 'x', 0, 'sending', 0, 0),"
	    " (2, 'arkartas', 'x', 1, 'sending', 0, 0)");
	fx->cfg = config_defaults();
	fx->opts.duty_numbers = DUTY;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	keywords_limiter_free(fx->opts.limiter);
	store_close(fx->s);
	config_free(fx->cfg);
	free(fx);
	clock_clear_fake();
	return 0;
}

/*
 * Send text from a number; every reply is checked for what must never be
 * in one, and the language must be back to Latvian afterwards.
 */
static int
ask(struct fx *fx, const char *from, const char *text,
    struct keywords_result *res)
{
	char	*copy;
	int	 rc;

	rc = keywords_handle(fx->s, fx->cfg, from, text, text != NULL ?
	    strlen(text) : 0, &fx->opts, fx->reply, sizeof(fx->reply), res);
	assert_string_equal(i18n_lang(), "lv");
	if (rc == 0)
		assert_string_equal(fx->reply, "");
	copy = strdup(fx->reply);
	assert_non_null(copy);
	assert_int_equal(log_scrub(copy), 0);
	free(copy);
	assert_null(strstr(fx->reply, "320101"));
	assert_null(strstr(fx->reply, "999999"));
	assert_null(strstr(fx->reply, "Bērziņa"));
	return rc;
}

static void
set(struct fx *fx, enum config_key k, const char *v)
{
	const char	*errstr = NULL;

	if (config_set(fx->cfg, k, v, &errstr) != 0)
		fail_msg("config_set: %s", errstr ? errstr : "?");
}

static void
test_parse(void **state)
{
	static const struct {
		const char	*text;
		enum keywords_cmd cmd;
		const char	*arg;
	} t[] = {
		{ "RINDA", KEYWORDS_QUEUE, "" },
		{ "rinda", KEYWORDS_QUEUE, "" },
		{ "  Rinda?! ", KEYWORDS_QUEUE, "" },
		{ "queue", KEYWORDS_QUEUE, "" },
		{ "MAKSA", KEYWORDS_FEES, "" },
		{ "maksā", KEYWORDS_FEES, "" },
		{ "NODOKĻI", KEYWORDS_FEES, "" },
		{ "nodokli", KEYWORDS_FEES, "" },
		{ "PARĀDS", KEYWORDS_FEES, "" },
		{ "parads", KEYWORDS_FEES, "" },
		{ "Pay", KEYWORDS_FEES, "" },
		{ "FEES", KEYWORDS_FEES, "" },
		{ "TĒMAS", KEYWORDS_TOPICS, "" },
		{ "temas", KEYWORDS_TOPICS, "" },
		{ "topics", KEYWORDS_TOPICS, "" },
		{ "START kultūra", KEYWORDS_START, "kultūra" },
		{ "start: Kultūras pasākumi ", KEYWORDS_START,
		    "Kultūras pasākumi" },
		{ "STOP celi", KEYWORDS_STOP, "celi" },
		{ "stop, ceļi", KEYWORDS_STOP, "ceļi" },
		{ "STOP", KEYWORDS_STOP_ALL, "" },
		{ "stop.", KEYWORDS_STOP_ALL, "" },
		{ "Stop visus", KEYWORDS_STOP_ALL, "visus" },
		{ "STOP ALL", KEYWORDS_STOP_ALL, "ALL" },
		{ "POLICIJA Kaimiņš trokšņo", KEYWORDS_POLICE,
		    "Kaimiņš trokšņo" },
		{ "policija: suns uz ceļa", KEYWORDS_POLICE, "suns uz ceļa" },
		{ "Police\nsomething", KEYWORDS_POLICE, "something" },
		{ "IESNIEGUMS Lūdzu", KEYWORDS_APPLICATION, "Lūdzu" },
		{ "iesniegums lūdzu", KEYWORDS_APPLICATION, "lūdzu" },
		{ "application text", KEYWORDS_APPLICATION, "text" },
		{ "PALĪDZĪBA", KEYWORDS_HELP, "" },
		{ "palidziba", KEYWORDS_HELP, "" },
		{ "Palīdzība", KEYWORDS_HELP, "" },
		{ "HELP", KEYWORDS_HELP, "" },
		{ "?", KEYWORDS_HELP, "" },
		{ " ?? ", KEYWORDS_HELP, "" },
		{ "STATUSS P-2026-000123", KEYWORDS_STATUS, "P-2026-000123" },
		{ "statuss: p-2026-000123 ", KEYWORDS_STATUS,
		    "p-2026-000123" },
		{ "Status I-2026-000007", KEYWORDS_STATUS, "I-2026-000007" },
		{ "STATUSI", KEYWORDS_UNKNOWN, "" },
		{ "", KEYWORDS_UNKNOWN, "" },
		{ "Labdien!", KEYWORDS_UNKNOWN, "" },
		{ "RINDAS", KEYWORDS_UNKNOWN, "" },
		{ "policijai", KEYWORDS_UNKNOWN, "" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", KEYWORDS_UNKNOWN, "" },
	};
	const char	*arg;
	size_t		 i, arglen;

	(void)state;
	for (i = 0; i < nitems(t); i++) {
		enum keywords_cmd c = keywords_parse(t[i].text,
		    strlen(t[i].text), &arg, &arglen);

		if (c != t[i].cmd)
			fail_msg("'%s': %s, expected %s", t[i].text,
			    keywords_cmd_name(c), keywords_cmd_name(t[i].cmd));
		if (arglen != strlen(t[i].arg) ||
		    memcmp(arg, t[i].arg, arglen) != 0)
			fail_msg("'%s': argument '%.*s'", t[i].text,
			    (int)arglen, arg);
	}
}

/* Each keyword through keywords_handle, in three spellings. */
static void
test_every_keyword_answers(void **state)
{
	struct fx	*fx = *state;
	static const struct {
		const char	*text[3];
		enum keywords_cmd cmd;
	} t[] = {
		{ { "RINDA", "rinda", "Rinda." }, KEYWORDS_QUEUE },
		{ { "MAKSĀ", "maksa", "Maksa" }, KEYWORDS_FEES },
		{ { "NODOKĻI", "nodokli", "Nodokli" }, KEYWORDS_FEES },
		{ { "PARĀDS", "parads", "parāds" }, KEYWORDS_FEES },
		{ { "TĒMAS", "temas", "Tēmas" }, KEYWORDS_TOPICS },
		{ { "START KULTŪRA", "start kultura", "Start Kultūra" },
		    KEYWORDS_START },
		{ { "STOP KULTŪRA", "stop kultura", "Stop Kultūra" },
		    KEYWORDS_STOP },
		{ { "STOP", "stop", "Stop!" }, KEYWORDS_STOP_ALL },
		{ { "POLICIJA Suns rej", "policija suns rej",
		    "Policija: suns rej" }, KEYWORDS_POLICE },
		{ { "IESNIEGUMS Lūdzu", "iesniegums ludzu",
		    "Iesniegums: lūdzu" }, KEYWORDS_APPLICATION },
		{ { "PALĪDZĪBA", "palidziba", "?" }, KEYWORDS_HELP },
		{ { "QUEUE", "fees", "Topics" }, 0 },
		{ { "sveiki", "12345", "..." }, KEYWORDS_UNKNOWN },
	};
	struct keywords_result	 res;
	size_t			 i, k;

	for (i = 0; i < nitems(t); i++)
		for (k = 0; k < 3; k++) {
			assert_int_equal(ask(fx, ILZE_PHONE, t[i].text[k],
			    &res), 1);
			if (t[i].cmd != 0 && res.cmd != t[i].cmd)
				fail_msg("'%s': %s", t[i].text[k],
				    keywords_cmd_name(res.cmd));
			assert_int_equal(res.silence, KEYWORDS_ANSWERED);
			assert_true(res.registered);
			assert_string_equal(res.lang, "lv");
			assert_true(strlen(fx->reply) > 0);
			assert_true(res.segments >= 1 && res.segments <= 6);
		}
	/* Three police reports, three applications, numbered in turn. */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports"
	    " WHERE kind = 'police'"), 3);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports"
	    " WHERE case_no = 'I-2026-000003'"), 1);
}

static void
test_queue_reply(void **state)
{
	struct fx		*fx = *state;
	struct keywords_result	 res;
	struct services_caller	 c;
	struct services_queue	 q;
	char			 want[512];

	assert_int_equal(services_caller_by_phone(fx->s, ILZE_PHONE, &c), 0);
	assert_int_equal(services_queue(fx->s, &c, &q), 0);
	assert_int_equal(q.n, 2);
	/* The number as the SMSC may give it. */
	assert_int_equal(ask(fx, "37129990001", "rinda", &res), 1);
	(void)snprintf(want, sizeof(want), "Anna B.: Dobeles PII \"Zīlīte\" "
	    "(09.2027): %lld. vieta no %lld; daudzbērnu ģimene\n"
	    "Žanis Ē.: Dobeles PII \"Valodiņa\" (09.2028): %lld. vieta no "
	    "%lld", (long long)q.e[0].position, (long long)q.e[0].total,
	    (long long)q.e[1].position, (long long)q.e[1].total);
	assert_string_equal(fx->reply, want);
	/* Two UCS-2 segments: 67 characters each. */
	assert_int_equal(res.segments, 2);

	/*
	 * Transliterated and at most one segment: one child and a pointer
	 * to the rest (the text keeps its letters; the gateway
	 * transliterates).
	 */
	tl_exec(fx->s, "INSERT INTO queue_entries (child_code, child_given_name,"
	    " child_family_name, guardian_id, institution_id, registered_at,"
	    " desired_start, priority, status, updated_at) VALUES"
	    " ('320101-00001', 'Anna', 'Bērziņa', 100001, 5,"
	    "  '2025-01-10 10:00:00', '2027-09', 1, 'active', 0)");
	set(fx, CFG_SMS_ENCODING, "translit");
	set(fx, CFG_SMS_MAX_SEGMENTS, "1");
	assert_int_equal(ask(fx, ILZE_PHONE, "RINDA", &res), 1);
	assert_int_equal(res.segments, 1);
	/* Anna's two institutions by name, then her brother. */
	assert_non_null(strstr(fx->reply, "Anna B.: Auces PII"));
	assert_null(strstr(fx->reply, "Valodiņa"));
	assert_non_null(strstr(fx->reply, "\n(vairāk – klientu centrā)"));

	/* A resident without children. */
	assert_int_equal(ask(fx, JOHN_PHONE, "queue", &res), 1);
	assert_string_equal(fx->reply,
	    "No child of yours is in a preschool queue.");
}

static void
test_english_fees(void **state)
{
	struct fx		*fx = *state;
	struct keywords_result	 res;

	/*
	 * The whole list with whom to pay, when it fits two segments (the
	 * beneficiary's š would make it UCS-2 and four: translit here).
	 */
	set(fx, CFG_SMS_ENCODING, "translit");
	assert_int_equal(ask(fx, JOHN_PHONE, "fees", &res), 1);
	assert_string_equal(res.lang, "en");
	assert_non_null(strstr(fx->reply, "Real estate tax:\n"
	    "2026-Q1: 61.20 EUR, overdue since 2026-03-31, ref. RF"));
	assert_non_null(strstr(fx->reply, "\n2026-Q3: 51.20 EUR by "
	    "2026-08-17, ref. RF"));
	assert_non_null(strstr(fx->reply, "\nTotal 112.40 EUR. Pay to "
	    "Dobeles novada pašvaldība, LV89RIKO0023300000000, with the "
	    "reference."));
	assert_int_equal(res.segments, 2);
	/*
	 * Past two segments (found: MAKSA took four), a summary: the total,
	 * how many, the oldest due date and where each reference is.
	 */
	set(fx, CFG_SMS_ENCODING, "auto");
	assert_int_equal(ask(fx, JOHN_PHONE, "fees", &res), 1);
	assert_string_equal(fx->reply, "You owe 112.40 EUR in 2 payments; the "
	    "first was due 2026-03-31. Each with its reference: dial *505# or "
	    "use a kiosk at the service centre.");
	assert_true(res.segments <= 2);
	/* In Latvian by the same word in Latvian. */
	tl_exec(fx->s, "UPDATE residents SET lang = 'lv' WHERE id = 100002");
	assert_int_equal(ask(fx, JOHN_PHONE, "MAKSA", &res), 1);
	assert_string_equal(fx->reply, "Jāmaksā 112,40 €, 2 maksājumi; "
	    "agrākais termiņš bija 31.03.2026. Atsauces: zvaniet *505# vai "
	    "klientu centra kioskā.");
	assert_true(res.segments <= 2);
	set(fx, CFG_SMS_ENCODING, "translit");
	assert_int_equal(ask(fx, JOHN_PHONE, "MAKSA", &res), 1);
	assert_non_null(strstr(fx->reply, "Nekustamā īpašuma nodoklis:\n"
	    "2026. g. 1. ceturksnis: 61,20 €, kavēts kopš 31.03.2026, "
	    "atsauce RF"));
	assert_non_null(strstr(fx->reply, "Kopā 112,40 €. Maksājiet: "));
	assert_true(res.segments <= 2);
	/* Somebody with nothing to pay. */
	assert_int_equal(ask(fx, ILZE_PHONE, "MAKSA", &res), 1);
	assert_string_equal(fx->reply, "Jums nav nesamaksātu maksājumu.");
	/* A one-segment limit: the summary, still in one segment. */
	set(fx, CFG_SMS_MAX_SEGMENTS, "1");
	assert_int_equal(ask(fx, JOHN_PHONE, "MAKSA", &res), 1);
	assert_non_null(strstr(fx->reply, "Jāmaksā 112,40 €"));
	assert_int_equal(res.segments, 1);
}

/*
 * One fee of 37.50 due 16 November 2026: a Latvian resident reads it as
 * people in Latvia write it (found: "37.50 EUR", "2026-11-16" and
 * "2026-Q4" in Latvian SMS), an English one keeps the English forms.
 */
static void
test_latvian_forms(void **state)
{
	struct fx		*fx = *state;
	struct keywords_result	 res;

	tl_exec(fx->s, "INSERT INTO fees (resident_id, kind, period,"
	    " amount_cents, due_date, reference, paid_cents, updated_at)"
	    " VALUES (100001, 'nin', '2026-Q4', 3750, '2026-11-16',"
	    " 'RF18539007547034', 0, 0)");
	set(fx, CFG_SMS_ENCODING, "translit");
	assert_int_equal(ask(fx, ILZE_PHONE, "MAKSA", &res), 1);
	assert_string_equal(res.lang, "lv");
	assert_non_null(strstr(fx->reply, "2026. g. 4. ceturksnis: 37,50 € "
	    "līdz 16.11.2026, atsauce RF18539007547034"));
	assert_non_null(strstr(fx->reply, "Kopā 37,50 €."));
	assert_null(strstr(fx->reply, "EUR"));
	assert_null(strstr(fx->reply, "2026-11-16"));
	assert_true(res.segments <= 2);

	tl_exec(fx->s, "UPDATE residents SET lang = 'en' WHERE id = 100001");
	assert_int_equal(ask(fx, ILZE_PHONE, "FEES", &res), 1);
	assert_string_equal(res.lang, "en");
	assert_non_null(strstr(fx->reply, "2026-Q4: 37.50 EUR by 2026-11-16, "
	    "ref. RF18539007547034"));
	assert_null(strstr(fx->reply, "€"));
}

static void
test_unregistered_learns_nothing(void **state)
{
	struct fx		*fx = *state;
	static const char	*asks[] = { "RINDA", "MAKSA", "TEMAS",
	    "START kultura", "STOP kultura", "queue", "fees" };
	struct keywords_result	 res;
	size_t			 i;
	const char		*unreg = "Šis numurs pašvaldībā nav "
	    "reģistrēts. Vērsieties klientu centrā.";

	for (i = 0; i < nitems(asks); i++) {
		assert_int_equal(ask(fx, NOBODY_PHONE, asks[i], &res), 1);
		assert_false(res.registered);
		assert_string_equal(res.lang, "lv");
		assert_string_equal(fx->reply, unreg);
		assert_int_equal(res.segments, 1);
	}
	/* Help, STOP and reports are for anybody. */
	assert_int_equal(ask(fx, NOBODY_PHONE, "PALIDZIBA", &res), 1);
	assert_non_null(strstr(fx->reply, "RINDA"));
	assert_int_equal(ask(fx, NOBODY_PHONE, "STOP", &res), 1);
	assert_int_equal(res.cmd, KEYWORDS_STOP_ALL);
	assert_int_equal(ask(fx, NOBODY_PHONE, "POLICIJA zog malku", &res), 1);
	assert_string_equal(res.case_no, "P-2026-000001");
	assert_string_equal(fx->reply, "Ziņojums saņemts, lieta "
	    "P-2026-000001. Ārkārtas gadījumā zvaniet 112.");
	assert_int_equal(res.segments, 1);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM outbox WHERE"
	    " phone = '" DUTY "' AND text = 'Ziņojums policijai P-2026-000001"
	    " no " NOBODY_PHONE ": zog malku'"), 1);
}

static void
test_silence(void **state)
{
	struct fx		*fx = *state;
	static const char	*robots[] = { "Bite", "LMT", "INFO-SMS",
	    "1888", "123456", "+37167000000", "67000000", "", "+", "++371",
	    "+3712999000a", "2999 0001", "12345678901234567890123" };
	static const char	*receipts[] = {
	    "id:1234567 sub:001 dlvrd:001 submit date:2606150900 done "
	    "date:2606150901 stat:DELIVRD err:000 text:RINDA",
	    "ID:abc STAT:UNDELIV", "  id:0 sub:000",
	    "Your message id:77 stat:EXPIRED",
	};
	struct keywords_result	 res;
	char			 e164[IDENT_PHONE_SIZE];
	size_t			 i;
	long long		 before;

	before = tl_int(fx->s, "SELECT count(*) FROM reports");
	for (i = 0; i < nitems(robots); i++) {
		assert_int_equal(ask(fx, robots[i], "POLICIJA x", &res), 0);
		assert_int_equal(res.silence, KEYWORDS_SILENT_SENDER);
	}
	assert_int_equal(ask(fx, NULL, "RINDA", &res), 0);
	for (i = 0; i < nitems(receipts); i++) {
		assert_int_equal(ask(fx, ILZE_PHONE, receipts[i], &res), 0);
		assert_int_equal(res.silence, KEYWORDS_SILENT_RECEIPT);
	}
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports"), before);
	/* The forms a mobile number arrives in are answered. */
	assert_int_equal(keywords_sender("29990001", e164), 0);
	assert_string_equal(e164, ILZE_PHONE);
	assert_int_equal(keywords_sender("37129990001", e164), 0);
	assert_int_equal(keywords_sender("+37129990001", e164), 0);
	assert_int_equal(keywords_sender("447911123456", e164), 0);
	assert_string_equal(e164, "+447911123456");
	assert_int_equal(keywords_is_receipt("RINDA", 5), 0);
	assert_int_equal(keywords_is_receipt("idea: stat", 10), 0);
}

static void
test_stop_cancels_queued_broadcasts(void **state)
{
	struct fx		*fx = *state;
	struct keywords_result	 res;
	struct outbox_msg	 m;
	struct outbox_status	 os;
	const char		*errstr;
	int64_t			 culture, alert;

	memset(&m, 0, sizeof(m));
	m.phone = ILZE_PHONE;
	m.text = "Koncerts piektdien";
	m.topic = "kultura";
	m.broadcast_id = 1;
	culture = outbox_enqueue(fx->s, &m, &errstr);
	m.text = "Plūdi";
	m.topic = "arkartas";
	m.broadcast_id = 2;
	alert = outbox_enqueue(fx->s, &m, &errstr);
	assert_true(culture > 0 && alert > 0);

	assert_int_equal(ask(fx, ILZE_PHONE, "stop", &res), 1);
	assert_int_equal(res.cmd, KEYWORDS_STOP_ALL);
	assert_string_equal(fx->reply, "Paziņojumi atteikti, izņemot "
	    "ārkārtas. Atsākt: START un tēma.");
	assert_int_equal(outbox_status(fx->s, culture, &os), 0);
	assert_string_equal(os.state, "cancelled");
	assert_int_equal(outbox_status(fx->s, alert, &os), 0);
	assert_string_equal(os.state, "queued");

	/* The topics list shows it, and one topic comes back. */
	assert_int_equal(ask(fx, ILZE_PHONE, "TEMAS", &res), 1);
	assert_string_equal(fx->reply, "Saņemat: Ārkārtas paziņojumi. "
	    "Nesaņemat: Pirmsskolas rinda, Nodokļi un maksājumi, Atkritumu "
	    "izvešana, Kultūras pasākumi, Ceļi un satiksme, Maksājumu "
	    "apstiprinājumi, Paziņojumi. Mainīt: START vai STOP un tēma.");
	assert_int_equal(ask(fx, ILZE_PHONE, "start Ceļi", &res), 1);
	assert_string_equal(fx->reply, "Turpmāk saņemsiet: Ceļi un satiksme. "
	    "Atteikties: STOP celi");
	assert_int_equal(ask(fx, ILZE_PHONE, "STOP ārkārtas", &res), 1);
	assert_string_equal(fx->reply, "Ārkārtas paziņojumus nevar atteikt.");
	assert_int_equal(ask(fx, ILZE_PHONE, "START laikapstākļi", &res), 1);
	assert_string_equal(fx->reply,
	    "Tādas tēmas nav. Sarakstam sūtiet TEMAS.");
	/*
	 * START alone brings back what STOP alone turned off (found: it only
	 * listed the topics), not a topic left by name since, nor one that
	 * was never on.
	 */
	assert_int_equal(ask(fx, ILZE_PHONE, "STOP pii", &res), 1);
	assert_int_equal(ask(fx, ILZE_PHONE, "START", &res), 1);
	assert_int_equal(res.cmd, KEYWORDS_START);
	assert_string_equal(fx->reply, "Paziņojumi atjaunoti. Saņemat: "
	    "Ārkārtas paziņojumi, Nodokļi un maksājumi, Ceļi un satiksme, "
	    "Maksājumu apstiprinājumi, Paziņojumi. Nesaņemat: Pirmsskolas "
	    "rinda, Atkritumu izvešana, Kultūras pasākumi. Mainīt: START vai "
	    "STOP un tēma.");
	assert_int_equal(ask(fx, ILZE_PHONE, "START", &res), 1);
	assert_non_null(strstr(fx->reply, "Saņemat: "));
	assert_null(strstr(fx->reply, "atjaunoti"));
	assert_int_equal(ask(fx, JOHN_PHONE, "STOP culture", &res), 1);
	assert_string_equal(fx->reply, "You will no longer get: Culture and "
	    "events. To return: START kultura");
	/* Help names the USSD menu. */
	assert_int_equal(ask(fx, JOHN_PHONE, "HELP", &res), 1);
	assert_non_null(strstr(fx->reply, "Menu: dial *505#"));
	assert_int_equal(ask(fx, ILZE_PHONE, "PALĪDZĪBA", &res), 1);
	assert_non_null(strstr(fx->reply, "Izvēlne: zvaniet *505#"));
}

static void
test_rate_limit(void **state)
{
	struct fx		*fx = *state;
	struct keywords_result	 res;
	int			 i;

	fx->opts.limiter = keywords_limiter_new(3, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ask(fx, ILZE_PHONE, "RINDA", &res), 1);
	/* A robot answering each reply gets silence. */
	for (i = 0; i < 5; i++) {
		assert_int_equal(ask(fx, ILZE_PHONE, "Unknown command", &res),
		    0);
		assert_int_equal(res.silence, KEYWORDS_SILENT_LIMIT);
	}
	/*
	 * Silent, but a STOP or START is still done and confirmed, and the
	 * confirmations do not count against the limit.
	 */
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM subscriptions"
	    " WHERE resident_id = 100001 AND subscribed = 0"), 0);
	assert_int_equal(ask(fx, ILZE_PHONE, "STOP kultura", &res), 1);
	assert_non_null(strstr(fx->reply, "START kultura"));
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM subscriptions"
	    " WHERE resident_id = 100001 AND subscribed = 0"), 1);
	assert_int_equal(ask(fx, ILZE_PHONE, "START kultura", &res), 1);
	assert_int_equal(ask(fx, ILZE_PHONE, "STOP", &res), 1);
	assert_int_equal(res.cmd, KEYWORDS_STOP_ALL);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM subscriptions"
	    " WHERE resident_id = 100001 AND subscribed = 0"), 7);
	/* A machine trading STOPs gets its confirmations cut off too. */
	assert_int_equal(ask(fx, ILZE_PHONE, "STOP", &res), 0);
	assert_int_equal(res.silence, KEYWORDS_SILENT_LIMIT);
	/* Nothing else is done while silent. */
	assert_int_equal(ask(fx, ILZE_PHONE, "POLICIJA x", &res), 0);
	assert_int_equal(tl_int(fx->s, "SELECT count(*) FROM reports"), 0);
	/* Other numbers are not affected. */
	assert_int_equal(ask(fx, JOHN_PHONE, "HELP", &res), 1);
	/* Silence is not counted: an hour after the first reply, answers. */
	clock_advance_ms(3599 * 1000LL);
	assert_int_equal(ask(fx, ILZE_PHONE, "RINDA", &res), 0);
	clock_advance_ms(1000);
	assert_int_equal(ask(fx, ILZE_PHONE, "RINDA", &res), 1);

	/* A small table under many numbers keeps working. */
	keywords_limiter_free(fx->opts.limiter);
	fx->opts.limiter = keywords_limiter_new(1, 64);
	for (i = 0; i < 500; i++) {
		char	 phone[32];

		(void)snprintf(phone, sizeof(phone), "+3712%07d", 1000000 + i);
		assert_int_equal(ask(fx, phone, "HELP", &res), 1);
		assert_int_equal(ask(fx, phone, "HELP", &res), 0);
	}
}

static void
test_reports_and_segments(void **state)
{
	struct fx		*fx = *state;
	struct keywords_result	 res;
	char			*big;

	assert_int_equal(ask(fx, ILZE_PHONE, "POLICIJA", &res), 1);
	assert_string_equal(fx->reply, "Sūtiet POLICIJA un kas noticis, kur.");
	assert_string_equal(res.case_no, "");
	assert_int_equal(ask(fx, ILZE_PHONE, "iesniegums", &res), 1);
	assert_string_equal(fx->reply,
	    "Sūtiet IESNIEGUMS un iesnieguma tekstu.");
	assert_int_equal(ask(fx, JOHN_PHONE, "APPLICATION Fix the lamp",
	    &res), 1);
	assert_string_equal(fx->reply, "Application received, no. "
	    "I-2026-000001.");
	big = malloc(1200 + 12);
	assert_non_null(big);
	memcpy(big, "IESNIEGUMS ", 11);
	memset(big + 11, 'x', 1200);
	big[1211] = '\0';
	assert_int_equal(ask(fx, ILZE_PHONE, big, &res), 1);
	assert_string_equal(fx->reply,
	    "Nav saņemts: teksts ir garāks par 1000 zīmēm.");
	free(big);

	/* The short answers keep to one segment. */
	assert_int_equal(ask(fx, ILZE_PHONE, "Labdien", &res), 1);
	assert_string_equal(fx->reply, "Sūtiet RINDA, MAKSA, TEMAS, STOP, "
	    "POLICIJA un teksts vai PALĪDZĪBA.");
	assert_int_equal(res.segments, 1);
	assert_int_equal(ask(fx, JOHN_PHONE, "hello", &res), 1);
	assert_int_equal(res.segments, 1);
	assert_int_equal(ask(fx, JOHN_PHONE, "HELP", &res), 1);
	assert_int_equal(res.segments, 1);
	assert_int_equal(ask(fx, ILZE_PHONE, "STOP", &res), 1);
	assert_int_equal(res.segments, 1);
	assert_int_equal(ask(fx, JOHN_PHONE, "STOP", &res), 1);
	assert_int_equal(res.segments, 1);
	/* The full help is two UCS-2 segments in Latvian. */
	assert_int_equal(ask(fx, ILZE_PHONE, "PALĪDZĪBA", &res), 1);
	assert_int_equal(res.segments, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test_setup_teardown(test_every_keyword_answers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_reply, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_english_fees, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_latvian_forms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_unregistered_learns_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_cancels_queued_broadcasts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reports_and_segments,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
