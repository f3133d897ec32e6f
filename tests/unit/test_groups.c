/*
 * test_groups: rule groups over the demo data (2,000 residents of Dobeles
 * novads) counted two ways - by the rule compiler and by SQL written here
 * independently (ages from the year and month-day, phones by their
 * prefix, ...); resolution in chunks of any size; manual groups from CSV
 * files, all or nothing, with errors that never quote a personal code.
 * The clock is fake: 2026-06-15 12:00 in Riga.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "demo.h"
#include "groups.h"
#include "ident.h"
#include "log.h"
#include "rule.h"
#include "store.h"
#include "util.h"
#include "testlib.h"

#define NOW		1781514000	/* 2026-06-15 09:00:00 UTC */
#define TODAY		"'2026-06-15'"
#define N_RESIDENTS	2000

/* Whole years from birth_date to TODAY, computed another way. */
#define AGE \
	"((CAST(substr(" TODAY ", 1, 4) AS INTEGER)" \
	" - CAST(substr(birth_date, 1, 4) AS INTEGER))" \
	" - CASE WHEN substr(" TODAY ", 6, 5) < substr(birth_date, 6, 5)" \
	" THEN 1 ELSE 0 END)"
/* A number that takes SMS, judged by its digits rather than its kind. */
#define MOBILE \
	"(phone LIKE '+3712%' OR (phone IS NOT NULL" \
	" AND phone NOT LIKE '+371%'))"

static int
setup(void **state)
{
	struct store	*s;

	if ((s = tl_demo_store(N_RESIDENTS, 7, NOW, LOG_LEVEL_WARN)) == NULL)
		return -1;
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	clock_clear_fake();
	return 0;
}

static int64_t
add_rule(struct store *s, const char *name, const char *rule)
{
	char	 err[GROUPS_ERR_SIZE];
	int64_t	 id;

	if ((id = groups_add_rule(s, name, rule, "anna", NULL, NULL, err,
	    sizeof(err))) == -1)
		fail_msg("%s: %s", rule, err);
	return id;
}

static int64_t
count_group(struct store *s, int64_t id)
{
	struct groups_info	 g;
	char			 err[GROUPS_ERR_SIZE];
	int64_t			 n;

	assert_int_equal(groups_get(s, id, &g), 0);
	if ((n = groups_count(s, &g, err, sizeof(err))) == -1)
		fail_msg("count: %s", err);
	return n;
}

struct tally {
	int64_t		 n, chunks, idsum, phone_only;
	int64_t		 subscribed, owed, queue;
	int		 stop_at;
	/* The last phone-only member, as the columns' NULLs made it. */
	char		 po_phone[IDENT_PHONE_SIZE];
	int		 po_kind;
	int64_t		 po_owed;
	int		 po_due, po_lang_lv;
};

static int
tally_cb(void *arg, const struct groups_member *m)
{
	struct tally	*t = arg;

	if (m == NULL) {
		t->chunks++;
		return 0;
	}
	t->n++;
	t->idsum += m->resident_id;
	if (m->resident_id == 0) {
		t->phone_only++;
		(void)snprintf(t->po_phone, sizeof(t->po_phone), "%s",
		    m->phone != NULL ? m->phone : "(null)");
		t->po_kind = m->phone_kind;
		t->po_owed = m->owed_cents;
		t->po_due = m->due_date != NULL;
		t->po_lang_lv = strcmp(m->lang, "lv") == 0;
	}
	t->subscribed += m->subscribed;
	if (m->owed_cents > 0)
		t->owed += m->owed_cents;
	if (m->queue_entry > 0)
		t->queue++;
	/* A member carries no personal code: only names and phones. */
	assert_non_null(m->given_name);
	assert_non_null(m->lang);
	return t->stop_at > 0 && t->n == t->stop_at ? -1 : 0;
}

static void
resolve(struct store *s, int64_t id, const struct groups_extras *x,
    size_t chunk, struct tally *t)
{
	struct groups_info	 g;
	char			 err[GROUPS_ERR_SIZE];

	memset(t, 0, sizeof(*t));
	assert_int_equal(groups_get(s, id, &g), 0);
	if (groups_resolve(s, &g, x, chunk, tally_cb, t, err,
	    sizeof(err)) == -1)
		fail_msg("resolve: %s", err);
}

static const struct {
	const char	*rule;
	const char	*sql;		/* the same set, written otherwise */
} same[] = {
	{ "territory = 'Auru pagasts' AND age >= 65",
	    "SELECT count(*) FROM residents WHERE territory = 'Auru pagasts'"
	    " AND birth_date IS NOT NULL AND " AGE " >= 65" },
	{ "age = 40", "SELECT count(*) FROM residents WHERE " AGE " = 40" },
	{ "age IN (18, 65, 90)",
	    "SELECT count(*) FROM residents WHERE " AGE " IN (18, 65, 90)" },
	{ "age < 30 OR NOT has_mobile",
	    "SELECT count(*) FROM residents WHERE " AGE " < 30"
	    " OR NOT coalesce(" MOBILE ", FALSE)" },
	{ "has_mobile AND lang IN ('ru', 'en')",
	    "SELECT count(*) FROM residents WHERE " MOBILE
	    " AND (lang = 'ru' OR lang = 'en')" },
	{ "child_in_queue", "SELECT count(DISTINCT guardian_id)"
	    " FROM queue_entries WHERE status = 'active'" },
	{ "queue_institution = 'Dobeles PII \"Zīlīte\"'",
	    "SELECT count(DISTINCT q.guardian_id) FROM queue_entries q,"
	    " institutions i WHERE i.id = q.institution_id"
	    " AND i.name LIKE 'Dobeles%Zīlīte%' AND q.status = 'active'" },
	{ "queue_institution != 'Dobeles PII \"Zīlīte\"' AND child_in_queue",
	    "SELECT count(DISTINCT guardian_id) FROM queue_entries a"
	    " WHERE status = 'active' AND guardian_id NOT IN"
	    " (SELECT guardian_id FROM queue_entries q JOIN institutions i"
	    " ON i.id = q.institution_id WHERE i.name LIKE '%Zīlīte%'"
	    " AND q.status = 'active')" },
	{ "fee_unpaid(nin)", "SELECT count(DISTINCT resident_id) FROM fees"
	    " WHERE kind = 'nin' AND amount_cents - paid_cents > 0" },
	{ "fee_overdue('dog')", "SELECT count(DISTINCT resident_id) FROM fees"
	    " WHERE kind = 'dog' AND amount_cents > paid_cents"
	    " AND due_date < " TODAY },	/* ISO dates sort as days */
	{ "dog_owner AND age >= 65", "SELECT count(*) FROM residents r"
	    " WHERE " AGE " >= 65 AND EXISTS (SELECT * FROM fees"
	    " WHERE resident_id = r.id AND kind = 'dog')" },
	{ "subscribed(kultura)", "SELECT count(*) FROM subscriptions s,"
	    " topics t WHERE t.id = s.topic_id AND t.code = 'kultura'"
	    " AND s.subscribed = 1" },
	{ "subscribed(nodokli)", "SELECT (SELECT count(*) FROM residents) -"
	    " (SELECT count(*) FROM subscriptions s, topics t"
	    " WHERE t.id = s.topic_id AND t.code = 'nodokli'"
	    " AND s.subscribed = 0)" },
	{ "subscribed(arkartas) AND NOT subscribed(nodokli)",
	    "SELECT count(*) FROM subscriptions s, topics t"
	    " WHERE t.id = s.topic_id AND t.code = 'nodokli'"
	    " AND s.subscribed = 0" },
	{ "territory NOT IN ('Dobele', 'Auce') AND NOT child_in_queue",
	    "SELECT count(*) FROM residents WHERE territory <> 'Dobele'"
	    " AND territory <> 'Auce' AND id NOT IN (SELECT guardian_id"
	    " FROM queue_entries WHERE status = 'active')" },
	{ "(territory = 'Dobele' OR territory = 'Auce') AND age > 64"
	    " AND has_mobile",
	    "SELECT count(*) FROM residents WHERE territory IN ('Dobele',"
	    " 'Auce') AND " AGE " >= 65 AND " MOBILE },
};

static void
test_counts_match_sql(void **state)
{
	struct store	*s = *state;
	char		 name[32];
	int64_t		 id, got;
	long long	 want;
	size_t		 i;

	for (i = 0; i < nitems(same); i++) {
		(void)snprintf(name, sizeof(name), "g%zu", i);
		id = add_rule(s, name, same[i].rule);
		got = count_group(s, id);
		want = tl_int(s, same[i].sql);
		if (got != want)
			fail_msg("rule \"%s\": %lld members, SQL says %lld",
			    same[i].rule, (long long)got, want);
		/* Resolution streams the same members the count counts. */
		{
			struct tally	 t;

			resolve(s, id, NULL, 0, &t);
			assert_int_equal(t.n, got);
			resolve(s, id, NULL, GROUPS_CHUNK_ALL, &t);
			assert_int_equal(t.n, got);
		}
		/* A zero on both sides would prove little. */
		if (want == 0)
			fail_msg("rule \"%s\" matches nobody in the demo",
			    same[i].rule);
	}
}

static void
test_chunks(void **state)
{
	struct store	*s = *state;
	struct tally	 a, b, c;
	int64_t		 id;

	id = add_rule(s, "chunky", "has_mobile AND age >= 50");
	resolve(s, id, NULL, 10000, &a);
	resolve(s, id, NULL, 7, &b);
	resolve(s, id, NULL, 1, &c);
	assert_true(a.n > 100);
	{
		struct tally	 d;

		resolve(s, id, NULL, GROUPS_CHUNK_ALL, &d);
		assert_int_equal(d.n, a.n);
		assert_int_equal(d.idsum, a.idsum);
		assert_int_equal(d.chunks, 1);
	}
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.n, c.n);
	assert_int_equal(a.idsum, b.idsum);
	assert_int_equal(a.idsum, c.idsum);
	/* One end-of-chunk call per full chunk, and one for the last. */
	assert_int_equal(a.chunks, 1);
	assert_int_equal(b.chunks, a.n / 7 + 1);
	/* The callback can stop it. */
	{
		struct groups_info	 g;
		char			 err[GROUPS_ERR_SIZE] = "";

		memset(&b, 0, sizeof(b));
		b.stop_at = 10;
		assert_int_equal(groups_get(s, id, &g), 0);
		assert_int_equal(groups_resolve(s, &g, NULL, 3, tally_cb, &b,
		    err, sizeof(err)), -1);
		assert_int_equal(b.n, 10);
		assert_string_equal(err, "");
	}
}

static void
test_extras(void **state)
{
	struct store		*s = *state;
	struct groups_extras	 x;
	struct tally		 t;
	int64_t			 id, topic;

	id = add_rule(s, "nin", "fee_unpaid(nin)");
	topic = tl_int(s, "SELECT id FROM topics WHERE code = 'nodokli'");
	memset(&x, 0, sizeof(x));
	x.topic_id = topic;
	x.topic_default = 1;
	x.fee_kind = "nin";
	x.queue = 1;
	resolve(s, id, &x, 100, &t);
	assert_int_equal(t.subscribed, tl_int(s, "SELECT count(DISTINCT"
	    " f.resident_id) FROM fees f WHERE f.kind = 'nin'"
	    " AND f.paid_cents < f.amount_cents AND f.resident_id NOT IN"
	    " (SELECT resident_id FROM subscriptions WHERE subscribed = 0"
	    " AND topic_id = (SELECT id FROM topics WHERE code = 'nodokli'))"));
	assert_true(t.subscribed < t.n);
	assert_int_equal(t.owed, tl_int(s, "SELECT sum(amount_cents -"
	    " paid_cents) FROM fees WHERE kind = 'nin'"
	    " AND paid_cents < amount_cents"));
	assert_int_equal(t.queue, tl_int(s, "SELECT count(DISTINCT"
	    " q.guardian_id) FROM queue_entries q JOIN fees f"
	    " ON f.resident_id = q.guardian_id WHERE q.status = 'active'"
	    " AND f.kind = 'nin' AND f.paid_cents < f.amount_cents"));
	/* Without a topic every member counts as receiving. */
	resolve(s, id, NULL, 0, &t);
	assert_int_equal(t.subscribed, t.n);
	assert_int_equal(t.owed, 0);
}

static void
test_find_and_list(void **state)
{
	struct store		*s = *state;
	struct groups_info	 g;
	char			 err[GROUPS_ERR_SIZE];
	const char		*errstr;

	(void)add_rule(s, "seniori", "age >= 65");
	assert_int_equal(groups_find(s, "seniori", &g, err, sizeof(err)), 0);
	assert_true(g.is_rule);
	assert_string_equal(g.rule, "age >= 65");
	assert_string_equal(g.created_by, "anna");
	assert_int_equal(groups_find(s, "senjori", &g, err, sizeof(err)), 1);
	assert_string_equal(err, "no group is named 'senjori' (did you mean "
	    "'seniori'?)");
	assert_int_equal(groups_find(s, "Seniori", &g, err, sizeof(err)), 1);
	assert_string_equal(err, "no group is named 'Seniori' (did you mean "
	    "'seniori'?)");
	assert_int_equal(groups_find(s, "xyzzy-plugh", &g, err, sizeof(err)),
	    1);
	assert_string_equal(err, "no group is named 'xyzzy-plugh' (munictl "
	    "group list shows them)");
	/* Names are unique, valid and the rule must parse. */
	assert_int_equal(groups_add_rule(s, "seniori", "age > 1", "anna",
	    NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "a group named 'seniori' exists already");
	assert_int_equal(groups_add_rule(s, "x", "age >= 65 AND teritory = "
	    "'Auce'", "anna", NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "1:15: unknown field 'teritory' (did you "
	    "mean 'territory'?)");
	assert_int_equal(groups_add_rule(s, "y", "subscribed(kultūra)", "anna",
	    NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "1:12: unknown topic 'kultūra' (did you mean "
	    "'kultura'?)");
	assert_int_equal(groups_find(s, "x", &g, err, sizeof(err)), 1);
	assert_int_equal(groups_name_valid("--rule", &errstr), -1);
	assert_int_equal(groups_name_valid("", &errstr), -1);
	assert_int_equal(groups_name_valid(" a", &errstr), -1);
	assert_int_equal(groups_name_valid("a\tb", &errstr), -1);
	assert_int_equal(groups_name_valid("Auru pagasta seniori 65+",
	    &errstr), 0);
	assert_int_equal(groups_name_valid("Zīlītes vecāki", &errstr), 0);
}

/*
 * A group goes only when no broadcast still goes to it; broadcasts that
 * went keep their figures without the link; members go with the group.
 */
static void
test_remove(void **state)
{
	struct store		*s = *state;
	struct groups_info	 g;
	char			 err[GROUPS_ERR_SIZE];
	int64_t			 id, other;

	id = add_rule(s, "auri", "territory = 'Auru pagasts'");
	other = add_rule(s, "auces pensionari", "age >= 70");
	tl_exec(s, "INSERT INTO group_members (group_id, phone) SELECT id, "
	    "'+37120000001' FROM groups WHERE name = 'auri'");
	tl_exec(s, "INSERT INTO broadcasts (id, group_id, text, state, "
	    "recipients, created_at, updated_at) SELECT 7, id, 'x', 'done', "
	    "12, 0, 0 FROM groups WHERE name = 'auri'");
	tl_exec(s, "INSERT INTO broadcasts (id, group_id, text, state, "
	    "created_at, updated_at) SELECT 8, id, 'y', 'scheduled', 0, 0 "
	    "FROM groups WHERE name = 'auri'");
	assert_int_equal(groups_remove(s, "auri", err, sizeof(err)), 2);
	assert_string_equal(err, "group 'auri' cannot be removed: broadcast 8 "
	    "still goes to it (cancel it first: munictl broadcast cancel 8)");
	assert_int_equal(groups_get(s, id, &g), 0);
	tl_exec(s, "UPDATE broadcasts SET state = 'awaiting_approval' "
	    "WHERE id = 8");
	assert_int_equal(groups_remove(s, "auri", err, sizeof(err)), 2);
	tl_exec(s, "UPDATE broadcasts SET state = 'cancelled' WHERE id = 8");
	assert_int_equal(groups_remove(s, "auri", err, sizeof(err)), 0);
	assert_int_equal(groups_get(s, id, &g), 1);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM group_members"), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM broadcasts WHERE "
	    "group_id IS NULL AND recipients = 12"), 1);
	/* The other group is untouched; an unknown name is no removal. */
	assert_int_equal(groups_get(s, other, &g), 0);
	assert_int_equal(groups_remove(s, "auri", err, sizeof(err)), 1);
	assert_string_equal(err, "no group is named 'auri' (munictl group "
	    "list shows them)");
}

/* A file in the current directory with text; the caller unlinks it. */
static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *
read_all(FILE *f)
{
	static char	 buf[8192];
	size_t		 n;

	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

/* A resident's personal code and phone by row number, from the data. */
static void
resident_at(struct store *s, int k, char *code, char *phone)
{
	char	 sql[160];

	(void)snprintf(sql, sizeof(sql), "SELECT personal_code FROM residents"
	    " WHERE phone LIKE '+3712%%' ORDER BY id LIMIT 1 OFFSET %d", k);
	tl_text(s, sql, code, IDENT_PCODE_SIZE);
	(void)snprintf(sql, sizeof(sql), "SELECT phone FROM residents"
	    " WHERE phone LIKE '+3712%%' ORDER BY id LIMIT 1 OFFSET %d", k);
	tl_text(s, sql, phone, IDENT_PHONE_SIZE);
}

static void
test_manual_file(void **state)
{
	struct store			*s = *state;
	struct groups_file_result	 res;
	struct groups_extras		 x;
	struct tally			 t;
	char				 code[5][IDENT_PCODE_SIZE];
	char				 phone[5][IDENT_PHONE_SIZE];
	char				 csv[1024], err[GROUPS_ERR_SIZE];
	FILE				*errout;
	int64_t				 id, before;
	int				 i;

	for (i = 0; i < 5; i++)
		resident_at(s, i * 10, code[i], phone[i]);
	/*
	 * Codes with and without the dash, a resident's phone in the local
	 * form, the same resident again by phone (a duplicate), a foreign
	 * number no resident has, and a blank line.
	 */
	(void)snprintf(csv, sizeof(csv),
	    "\xef\xbb\xbfpersonal_code,phone,note\n"
	    "%s,,a\n"
	    "%.6s%s,,b\n"
	    ",%s,c\n"
	    ",\"%s\",\"d, quoted\"\n"
	    "%s,,e\n"
	    "\n"
	    ",+49 151 1234 5678,f\n",
	    code[0], code[1], code[1] + 7, phone[2] + 4, phone[0], code[3]);
	write_file("grp_ok.csv", csv);
	errout = tmpfile();
	assert_non_null(errout);
	id = groups_add_file(s, "manual", "grp_ok.csv", "anna", errout, &res,
	    err, sizeof(err));
	if (id == -1)
		fail_msg("%s\n%s", err, read_all(errout));
	assert_int_equal(res.rows, 6);
	assert_int_equal(res.residents, 4);
	assert_int_equal(res.phones, 1);
	assert_int_equal(res.duplicates, 1);
	assert_int_equal(count_group(s, id), 5);
	resolve(s, id, NULL, 2, &t);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.phone_only, 1);
	/*
	 * No resident behind it: the number and its kind from the number
	 * itself, Latvian, nothing owed and no due date (NULL columns).
	 */
	memset(&x, 0, sizeof(x));
	x.fee_kind = "nin";
	resolve(s, id, &x, GROUPS_CHUNK_ALL, &t);
	assert_int_equal(t.phone_only, 1);
	assert_string_equal(t.po_phone, "+4915112345678");
	assert_int_equal(t.po_kind, IDENT_PHONE_FOREIGN);
	assert_int_equal(t.po_owed, -1);
	assert_int_equal(t.po_due, 0);
	assert_int_equal(t.po_lang_lv, 1);
	fclose(errout);

	/* Headerless: one column of numbers. */
	(void)snprintf(csv, sizeof(csv), "%s\n+371 %s\n%s\n", phone[3],
	    phone[4] + 4, code[2]);
	write_file("grp_bare.csv", csv);
	id = groups_add_file(s, "bare", "grp_bare.csv", "anna", NULL, &res,
	    err, sizeof(err));
	if (id == -1)
		fail_msg("%s", err);
	assert_int_equal(count_group(s, id), 3);

	/* All or nothing, and no error line quotes a personal code. */
	before = tl_int(s, "SELECT count(*) FROM group_members");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM residents WHERE"
	    " personal_code = '329999-99999'"), 0);
	(void)snprintf(csv, sizeof(csv),
	    "personal_code,phone\n"
	    "%s,\n"
	    "329999-99999,\n"		/* valid, but nobody's */
	    "161175-19998,\n"		/* bad check digit */
	    ",61234567\n"		/* a fixed line */
	    ",12\n"
	    ",\n", code[0]);
	write_file("grp_bad.csv", csv);
	errout = tmpfile();
	assert_non_null(errout);
	assert_int_equal(groups_add_file(s, "bad", "grp_bad.csv", "anna",
	    errout, &res, err, sizeof(err)), -1);
	assert_int_equal(res.errors, 5);
	assert_string_equal(err, "grp_bad.csv: 5 errors; no group was added");
	{
		const char	*out = read_all(errout);

		assert_non_null(strstr(out, "grp_bad.csv:3:1: no resident has "
		    "this personal code\n"));
		assert_non_null(strstr(out, "grp_bad.csv:4:1: personal code "
		    "check digit does not match\n"));
		assert_non_null(strstr(out, "grp_bad.csv:5:2: a fixed-line "
		    "number cannot receive SMS\n"));
		assert_non_null(strstr(out, "grp_bad.csv:6:2: "));
		assert_non_null(strstr(out, "grp_bad.csv:7: the row has "
		    "neither a personal code nor a phone number\n"));
		assert_null(strstr(out, "329999"));
		assert_null(strstr(out, "161175"));
		assert_null(strstr(out, code[0]));
	}
	fclose(errout);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM group_members"),
	    before);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM groups WHERE name ="
	    " 'bad'"), 0);

	/* A file that says neither, an ambiguous value, an empty file. */
	write_file("grp_hdr.csv", "name,address\nx,y\n");
	assert_int_equal(groups_add_file(s, "hdr", "grp_hdr.csv", "anna",
	    tmpfile(), &res, err, sizeof(err)), -1);
	write_file("grp_amb.csv", "37120000001\n");
	errout = tmpfile();
	assert_int_equal(groups_add_file(s, "amb", "grp_amb.csv", "anna",
	    errout, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(read_all(errout), "grp_amb.csv:1:1: could be "
	    "a personal code or a phone number"));
	fclose(errout);
	write_file("grp_empty.csv", "phone\n");
	assert_int_equal(groups_add_file(s, "empty", "grp_empty.csv", "anna",
	    NULL, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "grp_empty.csv: no members; no group was "
	    "added");
	assert_int_equal(groups_add_file(s, "none", "grp_nonexistent.csv",
	    "anna", NULL, &res, err, sizeof(err)), -1);
	(void)unlink("grp_ok.csv");
	(void)unlink("grp_bare.csv");
	(void)unlink("grp_bad.csv");
	(void)unlink("grp_hdr.csv");
	(void)unlink("grp_amb.csv");
	(void)unlink("grp_empty.csv");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_match_sql),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_extras),
		cmocka_unit_test(test_find_and_list),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_manual_file),
	};
	char	 dir[] = "/tmp/muni-test-groups.XXXXXX";
	int	 rc;

	/* The CSV files go to a directory of our own. */
	if (mkdtemp(dir) == NULL || chdir(dir) == -1)
		return 1;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	(void)rmdir(dir);
	return rc;
}
