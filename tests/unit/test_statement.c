/*
 * test_statement: camt.053 and camt.054 imports into a :memory: store with
 * hand-made documents — matched, partial, over and unmatched credits, the
 * same statement twice, the same entry in a notification and a statement,
 * a wrong currency, malformed and unknown documents (which book nothing),
 * and the SMS receipts the outbox holds afterwards. The clock is fake.
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
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "demo.h"
#include "fees.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "payments.h"
#include "statement.h"
#include "store.h"
#include "store_sqlite.h"
#include "util.h"
#include "testdb.h"
#include "testlib.h"

#define NOW		1741010400	/* 2025-03-03 14:00:00 UTC */
#define IBAN		"LV89RIKO0023300000000"
#define OWN_REF		"NIN-2025/0004"

struct fx {
	struct store		*s;
	struct statement_result	 res;
	const char		*err;
	char			 rf[8][IDENT_RF_SIZE];	/* by fee id */
};

/* An entry of a hand-made document; NULL leaves an element out. */
struct ent {
	const char	*acct_ref;	/* Ntry/AcctSvcrRef */
	const char	*ntry_ref;
	const char	*amt;
	const char	*ccy;
	const char	*cdi;
	const char	*sts;
	const char	*ref;		/* RmtInf/Strd/CdtrRefInf/Ref */
	const char	*ustrd;
	const char	*debtor;
};

static void
exec_sql(struct fx *fx, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(store_db(fx->s), sql, NULL, NULL, &msg) !=
	    SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static long long
q_int(struct fx *fx, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v;

	if (sqlite3_prepare_v2(store_db(fx->s), sql, -1, &st, NULL) !=
	    SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(store_db(fx->s)));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One text value (or "(null)"), copied to a static buffer. */
static const char *
q_text(struct fx *fx, const char *sql)
{
	static char	 buf[1024];
	sqlite3_stmt	*st;
	const unsigned char *t;

	if (sqlite3_prepare_v2(store_db(fx->s), sql, -1, &st, NULL) !=
	    SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(store_db(fx->s)));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	t = sqlite3_column_text(st, 0);
	(void)util_strlcpy(buf, t != NULL ? (const char *)t : "(null)",
	    sizeof(buf));
	sqlite3_finalize(st);
	return buf;
}

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof(*fx));
	const char	*errstr;
	char		*sql;
	int		 i;

	if (fx == NULL)
		return -1;
	tl_zone();
	clock_set_fake(NOW);
	if ((fx->s = store_open(":memory:", STORE_CREATE, &errstr)) == NULL)
		fail_msg("store_open: %s", errstr);
	if (demo_reference_data(fx->s) == -1)
		fail_msg("demo_reference_data");
	/*
	 * 1 Jānis, mobile, lv; 2 Līga, mobile, en, left "receipts";
	 * 3 Pēteris, no phone; 4 Anna, fixed line; 5 Edgars, mobile, en.
	 */
	exec_sql(fx, "INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, updated_at) VALUES"
	    " (1, '161175-19997', 'Jānis', 'Bērziņš', '+37129123456', 0, 'lv',"
	    " 0), (2, '32111111111', 'Līga', 'Kalniņa', '+37120000002', 0,"
	    " 'en', 0), (3, '010101-20001', 'Pēteris', 'Ozoliņš', NULL, NULL,"
	    " 'lv', 0), (4, '020202-10005', 'Anna', 'Liepiņa', '+37167000000',"
	    " 1, 'lv', 0), (5, '030303-10004', 'Edgars', 'Zariņš',"
	    " '+37129000005', 0, 'en', 0);"
	    "INSERT INTO subscriptions VALUES (2, (SELECT id FROM topics"
	    " WHERE code = 'receipts'), 0, 0);");
	for (i = 1; i < 8; i++)
		fees_reference_for_id(i, fx->rf[i]);
	/* Fee 4 has an own reference; fee 7 is a second one of Jānis. */
	sql = xasprintf("INSERT INTO fees (id, resident_id, kind, period,"
	    " amount_cents, due_date, reference, updated_at) VALUES"
	    " (1, 1, 'dog', '2025', 1000, '2025-03-03', '%s', 0),"
	    " (2, 1, 'nin', '2025-Q1', 2500, '2025-03-31', '%s', 0),"
	    " (3, 2, 'dog', '2025', 1000, '2025-03-03', '%s', 0),"
	    " (4, 3, 'nin', '2025', 5000, '2025-03-31', '" OWN_REF "', 0),"
	    " (5, 4, 'dog', '2025', 500, '2025-03-03', '%s', 0),"
	    " (6, 5, 'dog', '2025', 1000, '2025-03-03', '%s', 0),"
	    " (7, 1, 'dog', '2024', 500, '2024-03-01', '%s', 0)",
	    fx->rf[1], fx->rf[2], fx->rf[3], fx->rf[5], fx->rf[6], fx->rf[7]);
	exec_sql(fx, sql);
	free(sql);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	store_close(fx->s);
	clock_clear_fake();
	free(fx);
	return 0;
}

/* One <Ntry>, in the shape of version ver. */
static void
put_entry(FILE *f, int ver, const struct ent *e)
{
	fputs("<Ntry>", f);
	if (e->ntry_ref != NULL)
		fprintf(f, "<NtryRef>%s</NtryRef>", e->ntry_ref);
	fprintf(f, "<Amt Ccy=\"%s\">%s</Amt><CdtDbtInd>%s</CdtDbtInd>",
	    e->ccy ? e->ccy : "EUR", e->amt, e->cdi ? e->cdi : "CRDT");
	if (ver >= 8)
		fprintf(f, "<Sts>\n    <Cd>%s</Cd>\n  </Sts>",
		    e->sts ? e->sts : "BOOK");
	else
		fprintf(f, "<Sts>%s</Sts>", e->sts ? e->sts : "BOOK");
	fputs("<BookgDt><Dt>2025-03-02</Dt></BookgDt>"
	    "<ValDt><Dt>2025-03-02</Dt></ValDt>", f);
	if (e->acct_ref != NULL)
		fprintf(f, "<AcctSvcrRef>%s</AcctSvcrRef>", e->acct_ref);
	fputs("<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd>"
	    "<SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>", f);
	fputs("<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId>"
	    "</Refs>", f);
	if (ver >= 5)
		fprintf(f, "<Amt Ccy=\"%s\">%s</Amt>", e->ccy ? e->ccy : "EUR",
		    e->amt);
	else
		fprintf(f, "<AmtDtls><TxAmt><Amt Ccy=\"%s\">%s</Amt></TxAmt>"
		    "</AmtDtls>", e->ccy ? e->ccy : "EUR", e->amt);
	if (e->debtor != NULL) {
		if (ver >= 8)
			fprintf(f, "<RltdPties><Dbtr><Pty><Nm>%s</Nm></Pty>"
			    "</Dbtr></RltdPties>", e->debtor);
		else
			fprintf(f, "<RltdPties><Dbtr><Nm>%s</Nm></Dbtr>"
			    "</RltdPties>", e->debtor);
	}
	if (e->ref != NULL || e->ustrd != NULL) {
		fputs("<RmtInf>", f);
		if (e->ustrd != NULL)
			fprintf(f, "<Ustrd>%s</Ustrd>", e->ustrd);
		if (e->ref != NULL)
			fprintf(f, "<Strd><CdtrRefInf><Tp><CdOrPrtry>"
			    "<Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>%s</Ref>"
			    "</CdtrRefInf></Strd>", e->ref);
		fputs("</RmtInf>", f);
	}
	fputs("</TxDtls></NtryDtls></Ntry>\n", f);
}

/* A whole document: camt.<msg>.001.0<ver> with these entries. */
static char *
doc(int msg, int ver, const char *iban, const struct ent *e, size_t n)
{
	char	*buf = NULL;
	size_t	 len = 0, i;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fail_msg("open_memstream");
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.%03d.001."
	    "%02d\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	    "<%s><GrpHdr><MsgId>MSG-1</MsgId>"
	    "<CreDtTm>2025-03-03T08:00:00</CreDtTm></GrpHdr>\n"
	    "<%s><Id>STMT-%d-%d</Id><CreDtTm>2025-03-03T08:00:00</CreDtTm>\n"
	    "<Acct><Id><IBAN>%s</IBAN></Id><Ccy>EUR</Ccy></Acct>\n",
	    msg, ver, msg == 53 ? "BkToCstmrStmt" : "BkToCstmrDbtCdtNtfctn",
	    msg == 53 ? "Stmt" : "Ntfctn", msg, ver, iban);
	for (i = 0; i < n; i++)
		put_entry(f, ver, &e[i]);
	fprintf(f, "</%s>\n</%s>\n</Document>\n", msg == 53 ? "Stmt" :
	    "Ntfctn", msg == 53 ? "BkToCstmrStmt" : "BkToCstmrDbtCdtNtfctn");
	if (fclose(f) != 0)
		fail_msg("fclose");
	return buf;
}

static int
import(struct fx *fx, const char *xml)
{
	struct statement_opts	 o;

	memset(&o, 0, sizeof(o));
	o.iban = IBAN;
	o.display_name = "test.xml";
	fx->err = NULL;
	return statement_import_mem(fx->s, xml, strlen(xml), &o, &fx->res,
	    &fx->err);
}

#define RES(fx, e, m, p, o, u, d, sk)	do {				\
	assert_int_equal((fx)->res.entries, (e));			\
	assert_int_equal((fx)->res.matched, (m));			\
	assert_int_equal((fx)->res.partial, (p));			\
	assert_int_equal((fx)->res.over, (o));				\
	assert_int_equal((fx)->res.unmatched, (u));			\
	assert_int_equal((fx)->res.duplicates, (d));			\
	assert_int_equal((fx)->res.skipped, (sk));			\
} while (0)

/* The statement of 2 March: every kind of credit, and two non-credits. */
static char *
march_statement(struct fx *fx)
{
	char	 spaced[40];
	const char *r5 = fx->rf[5];

	/* People type references in groups of four, in lower case. */
	(void)snprintf(spaced, sizeof(spaced), "rf%.2s %.4s %.4s %s", r5 + 2,
	    r5 + 4, r5 + 8, r5 + 12);
	{
		const struct ent e[] = {
			{ "A1", "1", "10.00", NULL, NULL, NULL, fx->rf[1],
			    "Suņa nodeva", "Jānis Bērziņš" },
			{ "A2", "2", "10", NULL, NULL, NULL, fx->rf[2], NULL,
			    "Jānis Bērziņš" },
			{ "A3", "3", "15.00", NULL, NULL, NULL, fx->rf[3],
			    NULL, "Līga Kalniņa" },
			{ NULL, "4", "50.00", NULL, NULL, NULL, NULL,
			    "NĪN 2025 " OWN_REF " Pēteris", "Pēteris" },
			{ "A5", "5", "5.00", NULL, NULL, NULL, NULL, spaced,
			    "Anna Liepiņa" },
			{ "A6", "6", "7.00", NULL, NULL, NULL,
			    "RF18539007547034", NULL, "Nezināms" },
			{ "A7", "7", "10.00", "USD", NULL, NULL, fx->rf[6],
			    NULL, "John Smith" },
			{ "A8", "8", "100.00", NULL, "DBIT", NULL, NULL,
			    "Elektrība", NULL },
			{ "A9", "9", "10.00", NULL, NULL, "PDNG", fx->rf[7],
			    NULL, NULL },
			{ NULL, NULL, "3.00", NULL, NULL, NULL, NULL,
			    "ziedojums 161175-19997", "Kāds" },
		};

		return doc(53, 2, IBAN, e, nitems(e));
	}
}

static void
test_statement_053(void **state)
{
	struct fx	*fx = *state;
	char		*xml = march_statement(fx);

	assert_int_equal(import(fx, xml), 0);
	assert_int_equal(fx->res.message, 53);
	assert_int_equal(fx->res.version, 2);
	RES(fx, 10, 3, 1, 1, 3, 0, 2);
	assert_int_equal(fx->res.receipts, 1);

	/* Fees: exactly what was paid, paid_at only when paid in full. */
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 1"),
	    1000);
	assert_int_equal(q_int(fx, "SELECT paid_at IS NOT NULL FROM fees"
	    " WHERE id = 1"), 1);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 2"),
	    1000);
	assert_int_equal(q_int(fx, "SELECT paid_at IS NULL FROM fees"
	    " WHERE id = 2"), 1);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 3"),
	    1500);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 4"),
	    5000);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 5"),
	    500);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 6"),
	    0);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 7"),
	    0);

	/* Payments: one row a credit, keyed by the bank's reference. */
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 8);
	assert_string_equal(q_text(fx, "SELECT group_concat(status || ':' ||"
	    " coalesce(fee_id, '-') || ':' || amount_cents, ' ') FROM (SELECT"
	    " * FROM payments ORDER BY id)"), "matched:1:1000 partial:2:1000 "
	    "over:3:1500 matched:4:5000 matched:5:500 unmatched:-:700 "
	    "unmatched:-:1000 unmatched:-:300");
	assert_string_equal(q_text(fx, "SELECT entry_ref FROM payments"
	    " WHERE amount_cents = 5000"), "n:STMT-53-2/4");
	assert_string_equal(q_text(fx, "SELECT entry_ref FROM payments"
	    " WHERE fee_id = 1"), "A1");
	assert_string_equal(q_text(fx, "SELECT substr(entry_ref, 1, 2) FROM"
	    " payments WHERE amount_cents = 300"), "h:");
	assert_string_equal(q_text(fx, "SELECT reference FROM payments"
	    " WHERE fee_id = 4"), OWN_REF);
	assert_string_equal(q_text(fx, "SELECT reference FROM payments"
	    " WHERE entry_ref = 'A6'"), "RF18539007547034");
	assert_string_equal(q_text(fx, "SELECT reference FROM payments"
	    " WHERE entry_ref = 'A7' AND currency = 'USD'"), fx->rf[6]);
	assert_string_equal(q_text(fx, "SELECT debtor || '|' || info FROM"
	    " payments WHERE fee_id = 1"), "Jānis Bērziņš|Suņa nodeva");
	assert_string_equal(q_text(fx, "SELECT booked_on FROM payments"
	    " WHERE fee_id = 1"), "2025-03-02");
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments WHERE"
	    " imported_at = 1741010400"), 8);

	/* One receipt: Jānis's dog fee. Līga left the topic, Pēteris has
	 * no phone, Anna a fixed line; partial payments send none. */
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox"), 1);
	assert_string_equal(q_text(fx, "SELECT phone || '|' || state || '|' ||"
	    " topic || '|' || resident_id FROM outbox"),
	    "+37129123456|queued|receipts|1");
	assert_non_null(strstr(q_text(fx, "SELECT text FROM outbox"),
	    fx->rf[1]));
	/* Jānis reads Latvian: a decimal comma and €. */
	assert_non_null(strstr(q_text(fx, "SELECT text FROM outbox"),
	    "10,00 €"));
	assert_string_equal(i18n_lang(), "en");
	free(xml);
}

/* The same file again books nothing: every credit is a duplicate. */
static void
test_duplicate_import(void **state)
{
	struct fx	*fx = *state;
	char		*xml = march_statement(fx);

	assert_int_equal(import(fx, xml), 0);
	assert_int_equal(import(fx, xml), 0);
	RES(fx, 10, 0, 0, 0, 0, 8, 2);
	assert_int_equal(fx->res.receipts, 0);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 8);
	assert_int_equal(q_int(fx, "SELECT sum(paid_cents) FROM fees"), 9000);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox"), 1);
	free(xml);
}

/*
 * A camt.054 version 8 notification: the rest of a partial payment (the
 * fee becomes paid: a receipt), a receipt in English, an entry the
 * statement already booked, and a batch of two transactions.
 */
static void
test_notification_054(void **state)
{
	struct fx	*fx = *state;
	char		*xml = march_statement(fx), *n;
	const struct ent e[] = {
		{ "B1", "1", "15.00", NULL, NULL, NULL, fx->rf[2], NULL,
		    "Jānis Bērziņš" },
		{ "B2", "2", "10.00", NULL, NULL, NULL, fx->rf[6], NULL,
		    "Edgars Zariņš" },
		{ "A1", "3", "10.00", NULL, NULL, NULL, fx->rf[1], NULL,
		    "Jānis Bērziņš" },
	};
	char		 want[200];

	assert_int_equal(import(fx, xml), 0);
	n = doc(54, 8, IBAN, e, nitems(e));
	assert_int_equal(import(fx, n), 0);
	assert_int_equal(fx->res.message, 54);
	assert_int_equal(fx->res.version, 8);
	RES(fx, 3, 2, 0, 0, 0, 1, 0);
	assert_int_equal(fx->res.receipts, 2);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 2"),
	    2500);
	assert_int_equal(q_int(fx, "SELECT paid_at IS NOT NULL FROM fees"
	    " WHERE id = 2"), 1);
	assert_string_equal(q_text(fx, "SELECT status FROM payments"
	    " WHERE entry_ref = 'B1'"), "matched");
	assert_string_equal(q_text(fx, "SELECT debtor FROM payments"
	    " WHERE entry_ref = 'B2'"), "Edgars Zariņš");
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox"), 3);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox WHERE"
	    " resident_id = 1 AND text LIKE '%" "RF" "%'"), 2);
	/* Edgars reads English; the text never holds a personal code. */
	(void)snprintf(want, sizeof(want), "Dog fee 2025 paid in full: "
	    "10.00 EUR, ref. %s. Thank you!", fx->rf[6]);
	assert_string_equal(q_text(fx, "SELECT text FROM outbox"
	    " WHERE resident_id = 5"), want);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox WHERE"
	    " text LIKE '%161175%' OR text LIKE '%030303%'"), 0);
	assert_string_equal(i18n_lang(), "en");

	/* A batch entry whose transactions carry amounts: one each. */
	free(xml);
	xml = xasprintf("<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:"
	    "std:iso:20022:tech:xsd:camt.054.001.04\"><BkToCstmrDbtCdtNtfctn>"
	    "<GrpHdr><MsgId>X</MsgId></GrpHdr><Ntfctn><Id>N-2</Id>"
	    "<Acct><Id><IBAN>%s</IBAN></Id></Acct><Ntry>"
	    "<Amt Ccy=\"EUR\">8.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
	    "<Sts>BOOK</Sts><BookgDt><Dt>2025-03-03</Dt></BookgDt>"
	    "<AcctSvcrRef>BATCH-1</AcctSvcrRef><NtryDtls><Btch><NbOfTxs>2"
	    "</NbOfTxs></Btch><TxDtls><AmtDtls><TxAmt><Amt Ccy=\"EUR\">5.00"
	    "</Amt></TxAmt></AmtDtls><RmtInf><Strd><CdtrRefInf><Ref>%s</Ref>"
	    "</CdtrRefInf></Strd></RmtInf></TxDtls><TxDtls><AmtDtls><TxAmt>"
	    "<Amt Ccy=\"EUR\">3.00</Amt></TxAmt></AmtDtls><RmtInf><Ustrd>"
	    "nezinu</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Ntfctn>"
	    "</BkToCstmrDbtCdtNtfctn></Document>", IBAN, fx->rf[7]);
	assert_int_equal(import(fx, xml), 0);
	RES(fx, 1, 1, 0, 0, 1, 0, 0);
	assert_string_equal(q_text(fx, "SELECT group_concat(entry_ref || '='"
	    " || status, ' ') FROM payments WHERE entry_ref LIKE 'BATCH-1/%'"),
	    "BATCH-1/1=matched BATCH-1/2=unmatched");
	free(xml);
	free(n);
}

/* A topic that is off by default sends receipts only to who asked. */
static void
test_receipts_opt_in(void **state)
{
	struct fx	*fx = *state;
	const struct ent e[] = {
		{ "R1", "1", "10.00", NULL, NULL, NULL, fx->rf[1], NULL,
		    NULL },
		{ "R6", "2", "10.00", NULL, NULL, NULL, fx->rf[6], NULL,
		    NULL },
	};
	char		*xml = doc(53, 6, IBAN, e, nitems(e));

	exec_sql(fx, "UPDATE topics SET default_on = 0 WHERE code ="
	    " 'receipts'; INSERT INTO subscriptions VALUES (5, (SELECT id"
	    " FROM topics WHERE code = 'receipts'), 1, 0)");
	assert_int_equal(import(fx, xml), 0);
	RES(fx, 2, 2, 0, 0, 0, 0, 0);
	assert_int_equal(fx->res.receipts, 1);
	assert_string_equal(q_text(fx, "SELECT group_concat(resident_id) FROM"
	    " outbox"), "5");
	free(xml);
}

/* A credit in dollars is never booked against a fee, and says why. */
static void
report_cb(const struct payments_unmatched *u, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 2048 - n, "%s|%s|%lld|%s\n", u->entry_ref,
	    u->currency, (long long)u->cents, u->reason);
}

static void
test_wrong_currency(void **state)
{
	struct fx	*fx = *state;
	const struct ent e[] = {
		{ "U1", "1", "10.00", "USD", NULL, NULL, fx->rf[1], NULL,
		    "John Smith" },
		{ "U2", "2", "12.50", NULL, NULL, NULL, NULL, "paldies",
		    NULL },
	};
	char		*xml = doc(53, 5, IBAN, e, nitems(e));
	char		 out[2048] = "";

	assert_int_equal(import(fx, xml), 0);
	RES(fx, 2, 0, 0, 0, 2, 0, 0);
	assert_int_equal(q_int(fx, "SELECT paid_cents FROM fees WHERE id = 1"),
	    0);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(payments_unmatched(fx->s, report_cb, out), 2);
	assert_string_equal(out, "U1|USD|1000|currency USD, not EUR\n"
	    "U2|EUR|1250|no reference found\n");
	free(xml);
}

/* Malformed XML after valid entries: refused with its line, nothing booked. */
static void
test_malformed(void **state)
{
	struct fx	*fx = *state;
	char		*xml = march_statement(fx), *cut;

	/* Cut the document inside its last entry. */
	cut = strstr(xml, "ziedojums");
	assert_non_null(cut);
	(void)snprintf(cut, strlen(cut) + 1, "%s", "ziedojums</Ustrd>"
	    "</RmtInf></TxDtls></NtryDtls></Ntry></Stmt>");
	assert_int_equal(import(fx, xml), -1);
	assert_non_null(fx->err);
	assert_non_null(strstr(fx->err, "test.xml:"));
	assert_non_null(strstr(fx->err, "malformed XML"));
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 0);
	assert_int_equal(q_int(fx, "SELECT sum(paid_cents) FROM fees"), 0);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox"), 0);

	/* Mismatched tags, with the line libxml2 found them on. */
	assert_int_equal(import(fx, "<?xml version=\"1.0\"?>\n<Document "
	    "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n"
	    "<BkToCstmrStmt>\n</Stmt>\n</Document>\n"), -1);
	assert_non_null(strstr(fx->err, "test.xml:4: malformed XML"));

	/* Not XML at all, and nothing. */
	assert_int_equal(import(fx, "personal_code,amount\n1,2\n"), -1);
	assert_non_null(strstr(fx->err, "test.xml"));
	assert_int_equal(import(fx, ""), -1);
	free(xml);
}

/* A schema-level error in an entry: refused, naming the line. */
static void
test_bad_entry(void **state)
{
	struct fx	*fx = *state;
	const struct ent ok = { "C1", "1", "10.00", NULL, NULL, NULL,
	    fx->rf[1], NULL, NULL };
	struct ent	 e[2];
	char		*xml;

	e[0] = ok;
	e[1] = ok;
	e[1].acct_ref = "C2";
	e[1].amt = "12.345";
	xml = doc(53, 2, IBAN, e, 2);
	assert_int_equal(import(fx, xml), -1);
	/* The second entry starts on line 7 of the document. */
	assert_non_null(strstr(fx->err, "test.xml:7: "));
	assert_non_null(strstr(fx->err, "amount '12.345' is not valid"));
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 0);
	free(xml);

	e[1] = ok;
	e[1].acct_ref = "C2";
	e[1].cdi = "BOTH";
	xml = doc(53, 2, IBAN, e, 2);
	assert_int_equal(import(fx, xml), -1);
	assert_non_null(strstr(fx->err, "CRDT or DBIT"));
	free(xml);

	/* A statement for another account is not ours to book. */
	xml = doc(53, 2, "LV97HABA0012345678910", e, 1);
	assert_int_equal(import(fx, xml), -1);
	assert_non_null(strstr(fx->err, "LV97HABA0012345678910"));
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 0);
	free(xml);
}

/* Documents of other kinds and versions are refused, with the reason. */
static void
test_unknown_namespace(void **state)
{
	struct fx	*fx = *state;
	const struct ent e[] = { { "D1", "1", "10.00", NULL, NULL, NULL,
	    fx->rf[1], NULL, NULL } };
	char		*xml;
	size_t		 i;
	static const struct {
		int		 msg, ver;
		const char	*why;
	} bad[] = {
		{ 53, 1, "version .001.01 is not supported" },
		{ 53, 9, "version .001.09 is not supported" },
		{ 52, 2, "camt.052 documents are not imported" },
		{ 54, 12, "version .001.12 is not supported" },
	};

	for (i = 0; i < nitems(bad); i++) {
		xml = doc(bad[i].msg, bad[i].ver, IBAN, e, 1);
		assert_int_equal(import(fx, xml), -1);
		assert_non_null(strstr(fx->err, bad[i].why));
		/* <Document> is on line 2, however far the parser read. */
		assert_non_null(strstr(fx->err, "test.xml:2: "));
		free(xml);
	}
	assert_int_equal(import(fx, "<Document xmlns=\"urn:iso:std:iso:20022:"
	    "tech:xsd:pain.001.001.03\"><CstmrCdtTrfInitn/></Document>"), -1);
	assert_non_null(strstr(fx->err, "unknown namespace"));
	assert_int_equal(import(fx, "<Document><BkToCstmrStmt/></Document>"),
	    -1);
	assert_non_null(strstr(fx->err, "no namespace"));
	assert_int_equal(import(fx, "<Doc xmlns=\"urn:iso:std:iso:20022:tech:"
	    "xsd:camt.053.001.02\"/>"), -1);
	assert_non_null(strstr(fx->err, "not <Document>"));
	assert_int_equal(import(fx, "<Document xmlns=\"urn:iso:std:iso:20022:"
	    "tech:xsd:camt.053.001.02\"><BkToCstmrDbtCdtNtfctn/></Document>"),
	    -1);
	assert_non_null(strstr(fx->err, "<BkToCstmrStmt>"));
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 0);
}

/* No DTD, no entities, bounded depth and text. */
static void
test_hostile(void **state)
{
	struct fx	*fx = *state;
	char		*xml, *deep, *big;
	size_t		 i, n = 0;

	assert_int_equal(import(fx, "<?xml version=\"1.0\"?>\n<!DOCTYPE "
	    "Document [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;"
	    "&a;&a;\">]>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
	    "camt.053.001.02\">&b;</Document>"), -1);
	assert_non_null(strstr(fx->err, "DTD"));
	assert_int_equal(import(fx, "<?xml version=\"1.0\"?>\n<!DOCTYPE "
	    "Document SYSTEM \"http://example.com/x.dtd\">\n<Document/>"), -1);
	assert_non_null(strstr(fx->err, "DTD"));

	deep = xcalloc(1, 20000);
	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(deep + n, 20000 - n, "<X>");
	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(deep + n, 20000 - n, "</X>");
	xml = xasprintf("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
	    "camt.053.001.02\"><BkToCstmrStmt><Stmt>%s</Stmt></BkToCstmrStmt>"
	    "</Document>", deep);
	assert_int_equal(import(fx, xml), -1);
	assert_non_null(strstr(fx->err, "nested more than 48 deep"));
	free(xml);
	free(deep);

	big = xcalloc(1, 3000);
	memset(big, 'x', 2000);
	{
		const struct ent e[] = { { "E1", "1", "10.00", NULL, NULL,
		    NULL, NULL, big, NULL } };

		xml = doc(53, 2, IBAN, e, 1);
	}
	assert_int_equal(import(fx, xml), -1);
	assert_non_null(strstr(fx->err, "<Ustrd> holds more than 1024"));
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 0);
	free(xml);
	free(big);
}

/* Identical entries without any bank reference stay two payments. */
static void
test_no_references(void **state)
{
	struct fx	*fx = *state;
	const struct ent e[] = {
		{ NULL, NULL, "2.00", NULL, NULL, NULL, NULL, "kafija", NULL },
		{ NULL, NULL, "2.00", NULL, NULL, NULL, NULL, "kafija", NULL },
	};
	char		*xml = doc(53, 3, IBAN, e, nitems(e));

	assert_int_equal(import(fx, xml), 0);
	RES(fx, 2, 0, 0, 0, 2, 0, 0);
	assert_int_equal(import(fx, xml), 0);
	RES(fx, 2, 0, 0, 0, 0, 2, 0);
	assert_int_equal(q_int(fx, "SELECT count(DISTINCT entry_ref) FROM"
	    " payments"), 2);
	free(xml);
}

/* A dry run reports the figures and books nothing. */
static void
test_dry_run_and_file(void **state)
{
	struct fx		*fx = *state;
	struct statement_opts	 o;
	char			*xml = march_statement(fx);
	char			 path[64], want[32], *p;
	FILE			*f;
	int			 fd, lines = 1;

	memset(&o, 0, sizeof(o));
	o.dry_run = 1;
	assert_int_equal(statement_import_mem(fx->s, xml, strlen(xml), &o,
	    &fx->res, &fx->err), 0);
	RES(fx, 10, 3, 1, 1, 3, 0, 2);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 0);
	assert_int_equal(q_int(fx, "SELECT count(*) FROM outbox"), 0);

	(void)snprintf(path, sizeof(path), "%s/muni-stmt.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		fail_msg("mkstemp");
	fputs(xml, f);
	fputs("<trailing/>", f);
	assert_int_equal(fclose(f), 0);
	o.dry_run = 0;
	assert_int_equal(statement_import_file(fx->s, path, &o, &fx->res,
	    &fx->err), -1);
	/* FILE:LINE: the junk is on the file's last line. */
	for (p = xml; *p != '\0'; p++)
		lines += *p == '\n';
	(void)snprintf(want, sizeof(want), ":%d: malformed XML", lines);
	assert_non_null(strstr(fx->err, path));
	assert_non_null(strstr(fx->err, want));
	assert_int_equal(q_int(fx, "SELECT count(*) FROM payments"), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(statement_import_file(fx->s, path, &o, &fx->res,
	    &fx->err), -1);
	assert_non_null(strstr(fx->err, "No such file"));
	free(xml);
}

/* pay epc: what is still owed, short for the kiosk, never for a paid fee. */
static void
test_fee_payload(void **state)
{
	struct fx		*fx = *state;
	struct payments_fee	 f;
	struct payments_payee	 p = { "Dobeles novada pašvaldība", "",
	    IBAN, "" };
	char			 buf[400], want[200];
	const char		*errstr;
	size_t			 len;
	const struct ent e[] = { { "P1", "1", "4.00", NULL, NULL, NULL,
	    fx->rf[2], NULL, NULL } };
	char			*xml = doc(53, 2, IBAN, e, 1);

	assert_int_equal(import(fx, xml), 0);
	assert_int_equal(payments_fee_find(fx->s, "2", &f), 0);
	assert_int_equal(payments_owed(&f), 2100);
	assert_int_equal(payments_epc(&f, &p, 84, buf, sizeof(buf), &len,
	    &errstr), 0);
	(void)snprintf(want, sizeof(want), "BCD\n002\n1\nSCT\n\nDobeles "
	    "novada\n" IBAN "\nEUR21.00\n\n%s", fx->rf[2]);
	assert_string_equal(buf, want);
	assert_true(len <= 84);
	assert_int_equal(payments_fee_find(fx->s, "rf" , &f), 1);
	assert_int_equal(payments_fee_find(fx->s, fx->rf[3], &f), 0);
	assert_int_equal(f.id, 3);
	assert_int_equal(payments_fee_find(fx->s, "nin-2025/0004", &f), 0);
	assert_int_equal(f.id, 4);
	assert_int_equal(payments_epc(&f, &p, 0, buf, sizeof(buf), &len,
	    &errstr), 0);
	assert_non_null(strstr(buf, "\n\n" OWN_REF));
	assert_int_equal(payments_fee_find(fx->s, "99", &f), 1);
	exec_sql(fx, "UPDATE fees SET paid_cents = amount_cents WHERE id = 1");
	assert_int_equal(payments_fee_find(fx->s, "1", &f), 0);
	assert_int_equal(payments_epc(&f, &p, 84, buf, sizeof(buf), &len,
	    &errstr), -1);
	assert_string_equal(errstr, "the fee is already paid");
	free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_statement_053, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_import, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_notification_054, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_receipts_opt_in, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_currency, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_entry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_namespace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_references, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_and_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fee_payload, setup,
		    teardown),
	};

	log_init("test_statement", 0);
	i18n_init();
	/*
	 * Messages in English, whatever the catalogue holds; receipts still
	 * follow each resident's language, and the import restores ours.
	 */
	(void)i18n_set_lang("en");
	if (test_sqlite_only("reads its results through sqlite3 (store_sqlite.h); not converted yet"))
		return 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
