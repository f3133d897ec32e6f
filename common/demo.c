/*
 * demo: synthetic Dobeles novads. Names carry Latvian diacritics and
 * gendered family names; personal codes are valid in both forms and unique
 * by construction (a per-birth-date serial for the old form, a bijection
 * of the row number for the new one); phones are unique the same way. The
 * random stream is splitmix64, so a seed gives the same rows everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "clock.h"
#include "demo.h"
#include "fees.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "preschool.h"
#include "residents.h"
#include "store.h"
#include "topics.h"
#include "util.h"

static const char *territories[] = {
	"Dobele", "Dobele", "Dobele", "Dobele", "Auce", "Auce",
	"Annenieku pagasts", "Augstkalnes pagasts", "Auru pagasts",
	"Bēnes pagasts", "Bērzes pagasts", "Bikstu pagasts",
	"Bukaišu pagasts", "Dobeles pagasts", "Īles pagasts",
	"Jaunbērzes pagasts", "Krimūnu pagasts", "Lielauces pagasts",
	"Naudītes pagasts", "Penkules pagasts", "Tērvetes pagasts",
	"Ukru pagasts", "Vecauces pagasts", "Vītiņu pagasts",
	"Zebrenes pagasts",
};

static const char *streets[] = {
	"Brīvības iela", "Skolas iela", "Baznīcas iela", "Tērvetes iela",
	"Dzirnavu iela", "Zaļā iela", "Ausekļa iela", "Uzvaras iela",
	"Krasta iela", "Bērzu iela", "Liepu iela", "Parka iela",
	"Zemgales iela", "Jelgavas iela", "Ozolu iela", "Stacijas iela",
};

static const char *farms[] = {
	"Kalnāji", "Ozoli", "Lejnieki", "Priedītes", "Bērzkalni",
	"Ābeles", "Vītoli", "Dzērves", "Rudzīši", "Ķiršlejas", "Strautiņi",
	"Mežmalas", "Pūpoli", "Zīles", "Grāvīši", "Ūdri",
};

static const char *male_names[] = {
	"Jānis", "Andris", "Pēteris", "Mārtiņš", "Kārlis", "Edgars",
	"Aivars", "Juris", "Guntis", "Raimonds", "Artūrs", "Dāvis",
	"Roberts", "Ēriks", "Oskars", "Valdis", "Gatis", "Ivars", "Aigars",
	"Uldis", "Krišjānis", "Reinis", "Ralfs", "Gustavs", "Emīls",
};

static const char *female_names[] = {
	"Anna", "Ilze", "Līga", "Inese", "Kristīne", "Dace", "Zane",
	"Laura", "Elīza", "Marta", "Sanita", "Ieva", "Agnese", "Māra",
	"Baiba", "Ērika", "Rūta", "Dārta", "Sofija", "Emīlija", "Ģertrūde",
	"Anete", "Lāsma", "Santa", "Evelīna",
};

/* Family names in their masculine and feminine forms. */
static const char *family_names[][2] = {
	{ "Bērziņš", "Bērziņa" }, { "Kalniņš", "Kalniņa" },
	{ "Ozoliņš", "Ozoliņa" }, { "Jansons", "Jansone" },
	{ "Ozols", "Ozola" }, { "Liepiņš", "Liepiņa" },
	{ "Krūmiņš", "Krūmiņa" }, { "Balodis", "Balode" },
	{ "Eglītis", "Eglīte" }, { "Zariņš", "Zariņa" },
	{ "Pētersons", "Pētersone" }, { "Vītols", "Vītola" },
	{ "Kļaviņš", "Kļaviņa" }, { "Kārkliņš", "Kārkliņa" },
	{ "Lācis", "Lāce" }, { "Zālītis", "Zālīte" },
	{ "Siliņš", "Siliņa" }, { "Gailis", "Gaile" },
	{ "Dūmiņš", "Dūmiņa" }, { "Grīnbergs", "Grīnberga" },
	{ "Strautiņš", "Strautiņa" }, { "Avotiņš", "Avotiņa" },
	{ "Žagars", "Žagare" }, { "Šmits", "Šmite" },
	{ "Ābols", "Ābola" }, { "Ņikitins", "Ņikitina" },
};

static const struct {
	const char	*name;
	const char	*territory;
	int		 weight;
} institutions[] = {
	{ "Dobeles PII \"Zīlīte\"", "Dobele", 5 },
	{ "Dobeles PII \"Valodiņa\"", "Dobele", 4 },
	{ "Dobeles PII \"Spodrītis\"", "Dobele", 3 },
	{ "Dobeles PII \"Ķipari\"", "Dobele", 2 },
	{ "Auces PII \"Pasaciņa\"", "Auce", 2 },
	{ "Tērvetes PII \"Zemenīte\"", "Tērvetes pagasts", 1 },
};

/* Priority classes: Dobele's, as data (another municipality has others). */
static const struct {
	int		 priority;
	const char	*lv;
	const char	*en;
} priority_classes[] = {
	{ 0, "bez priekšrocībām", "no priority" },
	{ 1, "daudzbērnu ģimene", "large family" },
	{ 2, "pašvaldības iestādes darbinieka bērns",
	    "child of a municipal employee" },
	{ 3, "bārenis vai bērns aizbildnībā",
	    "orphan or child in guardianship" },
};

struct rng {
	uint64_t	 s;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t	 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). The modulo bias is far below what a demo can show. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

#define PICK(r, a)	((a)[rng_below((r), nitems(a))])

struct demo {
	struct store	*s;
	struct rng	 r;
	uint64_t	 seed;
	time_t		 now;
	int		 year, month, day;
	char		 today[11];
	uint16_t	*serials;	/* next old-form serial per birth day */
	int64_t		 next_fee_id;
	int64_t		 inst_ids[nitems(institutions)];
	int		 inst_total_weight;
	uint64_t	 new_code_mul, phone_mul;
	struct demo_result *res;
};

/* Days since 1900-01-01 of y-m-d (y >= 1900), for the serial table. */
static int
day_index(int y, int m, int d)
{
	int	 n = 0, i;

	for (i = 1900; i < y; i++)
		n += (i % 4 == 0 && (i % 100 != 0 || i % 400 == 0)) ? 366 : 365;
	for (i = 1; i < m; i++)
		n += util_days_in_month(y, i);
	return n + d - 1;
}

#define DEMO_DAYS	(200 * 366)

/*
 * An old-form code for a birth date: serials are handed out in order per
 * day, skipping those whose check digit would be 10. Returns -1 when the
 * day's serials are used up (the caller then makes a new-form code).
 */
static int
old_code(struct demo *dm, int y, int m, int d, char out[IDENT_PCODE_SIZE])
{
	char	 digits[32];
	int	 idx = day_index(y, m, d), serial, check;

	if (idx < 0 || idx >= DEMO_DAYS)
		return -1;
	for (;;) {
		serial = dm->serials[idx]++;
		if (serial > 999)
			return -1;
		(void)snprintf(digits, sizeof(digits), "%02d%02d%02d%d%03d", d, m,
		    y % 100, (y - 1800) / 100, serial);
		if ((check = ident_pcode_check_digit(digits)) == -1)
			continue;
		(void)snprintf(out, IDENT_PCODE_SIZE, "%.6s-%.4s%d", digits,
		    digits + 6, check);
		return 0;
	}
}

/*
 * A new-form code for row k: "3", a second digit 2-9, and nine digits that
 * are a bijection of k (an odd multiplier not divisible by 5 is invertible
 * modulo 10^9), so no two rows share one.
 */
static void
new_code(struct demo *dm, uint64_t k, int second, char out[IDENT_PCODE_SIZE])
{
	uint64_t	 v = (k * dm->new_code_mul + 12345) % 1000000000ULL;
	char		 digits[24];

	(void)snprintf(digits, sizeof(digits), "3%d%09llu", second,
	    (unsigned long long)v);
	(void)snprintf(out, IDENT_PCODE_SIZE, "%.6s-%.5s", digits, digits + 6);
}

int
demo_reference_data(struct store *s)
{
	size_t		 i;

	/* The standard topics, as munictl init makes them. */
	if (topics_seed(s, NULL) == -1)
		return -1;
	for (i = 0; i < nitems(priority_classes); i++)
		if (preschool_class_set(s, priority_classes[i].priority,
		    priority_classes[i].lv, priority_classes[i].en) == -1)
			return -1;
	return 0;
}

static int
add_fee(struct demo *dm, int64_t rid, const char *kind, const char *period,
    int64_t cents, int y, int m, int d, int pay_prob)
{
	char		 due[32], rf[IDENT_RF_SIZE];
	struct fees_row	 f;
	int64_t		 id = dm->next_fee_id++, paid = 0;
	int		 past;

	calendar_next_workday(&y, &m, &d);
	(void)snprintf(due, sizeof(due), "%04d-%02d-%02d", y, m, d);
	fees_reference_for_id(id, rf);
	past = strcmp(due, dm->today) < 0;
	/* Past dues are mostly paid; some are overdue. Future ones rarely. */
	if ((int)rng_below(&dm->r, 100) < (past ? pay_prob : pay_prob / 8))
		paid = cents;
	memset(&f, 0, sizeof(f));
	f.id = id;
	f.resident_id = rid;
	f.kind = kind;
	f.period = period;
	f.amount_cents = cents;
	f.due_date = due;
	f.reference = rf;
	f.paid_cents = paid;
	f.paid_at = paid ? dm->now - 86400 * (time_t)rng_below(&dm->r, 60) :
	    0;
	f.updated_at = dm->now;
	if (fees_insert(dm->s, &f) == -1)
		return -1;
	dm->res->fees++;
	return 0;
}

static int
add_child(struct demo *dm, int64_t gid, uint64_t k, const char *family[2])
{
	char		 code[IDENT_PCODE_SIZE], registered[48], start[16];
	const char	*given;
	struct preschool_row q;
	int		 girl = rng_below(&dm->r, 2), age_m, by, bm, bd, n, i;
	int		 w, pick, ry, rm, rd, prio, roll;
	int		 used[nitems(institutions)] = { 0 };

	/* Children from 6 months to 5 years; all born after July 2017. */
	age_m = 6 + (int)rng_below(&dm->r, 54);
	by = dm->year - (age_m + 12 - dm->month) / 12;
	bm = ((dm->month - 1 - age_m % 12) + 12) % 12 + 1;
	bd = 1 + (int)rng_below(&dm->r, (uint32_t)util_days_in_month(by, bm));
	new_code(dm, k, 2 + (int)rng_below(&dm->r, 8), code);
	given = girl ? PICK(&dm->r, female_names) : PICK(&dm->r, male_names);
	/* Registered a few weeks after birth, at office hours. */
	ry = by;
	rm = bm;
	rd = bd;
	calendar_add_days(&ry, &rm, &rd, 14 + (int)rng_below(&dm->r, 120));
	(void)snprintf(registered, sizeof(registered),
	    "%04d-%02d-%02d %02d:%02d:%02d", ry, rm, rd,
	    8 + (int)rng_below(&dm->r, 9), (int)rng_below(&dm->r, 60),
	    (int)rng_below(&dm->r, 60));
	if (strncmp(registered, dm->today, 10) > 0)
		(void)snprintf(registered, sizeof(registered), "%s 09:00:00",
		    dm->today);
	/* Wanted from September of the year the child turns one and a half. */
	(void)snprintf(start, sizeof(start), "%04d-09",
	    by + 2 > dm->year ? by + 2 : dm->year + (dm->month >= 9));
	roll = (int)rng_below(&dm->r, 100);
	prio = roll < 80 ? 0 : roll < 92 ? 1 : roll < 97 ? 2 : 3;
	n = 1 + (rng_below(&dm->r, 3) == 0);
	memset(&q, 0, sizeof(q));
	q.child_code = code;
	q.given_name = given;
	q.family_name = family[girl];
	q.guardian_id = gid;
	q.registered_at = registered;
	q.desired_start = start;
	q.priority = prio;
	q.status = "active";
	q.updated_at = dm->now;
	for (i = 0; i < n; i++) {
		pick = (int)rng_below(&dm->r, (uint32_t)dm->inst_total_weight);
		for (w = 0; pick >= institutions[w].weight; w++)
			pick -= institutions[w].weight;
		if (used[w]++)
			continue;
		q.institution_id = dm->inst_ids[w];
		if (preschool_insert(dm->s, &q) == -1)
			return -1;
		dm->res->queue_entries++;
	}
	return 0;
}

/* Who a resident is: drawn first, so codes can be sorted before insert. */
struct person {
	char		 code[IDENT_PCODE_SIZE];
	uint32_t	 k;
};

struct identity {
	int		 female, age, y, m, d, new_form, second;
};

/* Each row has its own random stream: rows can be written in any order. */
static void
row_rng(struct demo *dm, uint64_t k)
{
	dm->r.s = dm->seed ^ (k * 0xd1b54a32d192ed03ULL);
	(void)rng_next(&dm->r);
}

static void
draw_identity(struct demo *dm, struct identity *id)
{
	int	 roll;

	id->female = rng_below(&dm->r, 2);
	/* Adults 18-95, fewer of the oldest. */
	roll = (int)rng_below(&dm->r, 100);
	id->age = roll < 70 ? 18 + (int)rng_below(&dm->r, 47) :
	    roll < 95 ? 65 + (int)rng_below(&dm->r, 20) :
	    85 + (int)rng_below(&dm->r, 11);
	id->y = dm->year - id->age;
	id->m = 1 + (int)rng_below(&dm->r, 12);
	id->d = 1 + (int)rng_below(&dm->r,
	    (uint32_t)util_days_in_month(id->y, id->m));
	/* About one in ten adults has switched to a new-form code. */
	id->new_form = rng_below(&dm->r, 10) == 0;
	id->second = 2 + (int)rng_below(&dm->r, 8);
}

static int
person_cmp(const void *a, const void *b)
{
	return strcmp(((const struct person *)a)->code,
	    ((const struct person *)b)->code);
}

static int
add_resident(struct demo *dm, const struct person *pe)
{
	char		 phone[IDENT_PHONE_SIZE];
	char		 birth[32], address[160];
	const char	*given, *family[2], *territory, *lang, *code = pe->code;
	struct residents_row r;
	struct identity	 id;
	uint64_t	 k = pe->k;
	int		 female, age, roll, rural;
	int64_t		 rid, phone_kind = -1, cents;
	char		 period[16];

	row_rng(dm, k);
	draw_identity(dm, &id);
	female = id.female;
	age = id.age;
	(void)snprintf(birth, sizeof(birth), "%04d-%02d-%02d", id.y, id.m,
	    id.d);
	given = female ? PICK(&dm->r, female_names) : PICK(&dm->r, male_names);
	memcpy(family, family_names[rng_below(&dm->r, nitems(family_names))],
	    sizeof(family));
	territory = PICK(&dm->r, territories);
	rural = strstr(territory, "pagasts") != NULL;
	if (rural)
		(void)snprintf(address, sizeof(address), "\"%s\", %s, "
		    "Dobeles novads", PICK(&dm->r, farms), territory);
	else
		(void)snprintf(address, sizeof(address), "%s %d-%d, %s, "
		    "Dobeles novads", PICK(&dm->r, streets),
		    1 + (int)rng_below(&dm->r, 80),
		    1 + (int)rng_below(&dm->r, 40), territory);
	roll = (int)rng_below(&dm->r, 100);
	if (roll < 86) {
		/* 2 and seven digits, a bijection of k: unique. */
		(void)snprintf(phone, sizeof(phone), "+3712%07llu",
		    (unsigned long long)((k * dm->phone_mul + 777) % 10000000));
		phone_kind = IDENT_PHONE_LV_MOBILE;
	} else if (roll < 91) {
		(void)snprintf(phone, sizeof(phone), "+3716%07llu",
		    (unsigned long long)((k * dm->phone_mul + 31) % 10000000));
		phone_kind = IDENT_PHONE_LV_FIXED;
	} else
		phone[0] = '\0';
	roll = (int)rng_below(&dm->r, 100);
	lang = roll < 92 ? "lv" : roll < 97 ? "ru" : "en";

	memset(&r, 0, sizeof(r));
	r.code = code;
	r.given_name = given;
	r.family_name = family[female];
	r.phone = phone;
	r.phone_kind = (int)phone_kind;
	r.lang = lang;
	r.territory = territory;
	r.address = address;
	r.birth_date = birth;
	r.updated_at = dm->now;
	if (residents_insert(dm->s, &r, &rid) == -1)
		return -1;
	dm->res->residents++;

	/* Parents of preschool children are mostly 22-42. */
	if (age >= 22 && age <= 42 && rng_below(&dm->r, 100) < 9 &&
	    add_child(dm, rid, k, family) == -1)
		return -1;

	/* NĪN: 60 % own property; above €100 a year it is paid quarterly. */
	if (rng_below(&dm->r, 100) < 60) {
		cents = 500 + (int64_t)rng_below(&dm->r, 60000);
		if (cents <= 10000) {
			(void)snprintf(period, sizeof(period), "%d", dm->year);
			if (add_fee(dm, rid, "nin", period, cents, dm->year, 3,
			    31, 85) == -1)
				return -1;
		} else {
			static const int due[4][2] = { { 3, 31 }, { 5, 15 },
			    { 8, 15 }, { 11, 15 } };
			int	 q;

			for (q = 0; q < 4; q++) {
				(void)snprintf(period, sizeof(period),
				    "%d-Q%d", dm->year, q + 1);
				if (add_fee(dm, rid, "nin", period, cents / 4,
				    dm->year, due[q][0], due[q][1], 85) == -1)
					return -1;
			}
		}
	}
	/* Dog fee: €10 a year, half for pensioners, due 1 March. */
	if (rng_below(&dm->r, 100) < 15) {
		(void)snprintf(period, sizeof(period), "%d", dm->year);
		if (add_fee(dm, rid, "dog", period, age >= 65 ? 500 : 1000,
		    dm->year, 3, 1, 70) == -1)
			return -1;
	}
	/* A fifth opt in to culture news; a few leave the tax topic. */
	if (phone[0] != '\0' && rng_below(&dm->r, 5) == 0) {
		if (store_do(dm->s, ST_DEMO_SUBSCRIPTION_INSERT, "Isit", rid,
		    "kultura", 1, dm->now) != STORE_OK)
			return -1;
		dm->res->subscriptions++;
	}
	if (phone[0] != '\0' && rng_below(&dm->r, 25) == 0) {
		if (store_do(dm->s, ST_DEMO_SUBSCRIPTION_INSERT, "Isit", rid,
		    "nodokli", 0, dm->now) != STORE_OK)
			return -1;
		dm->res->subscriptions++;
	}
	return 0;
}

static int
demo_institutions(struct demo *dm)
{
	size_t		 i;

	for (i = 0; i < nitems(institutions); i++) {
		if (store_do(dm->s, ST_INSTITUTION_INSERT, "ss",
		    institutions[i].name, institutions[i].territory) !=
		    STORE_OK)
			return -1;
		dm->inst_ids[i] = store_last_rowid(dm->s);
		dm->inst_total_weight += institutions[i].weight;
	}
	return 0;
}

int
demo_fill(struct store *s, size_t n, uint64_t seed, struct demo_result *res,
    const char **errstr)
{
	struct demo	 dm;
	struct tm	 tm;
	struct person	*people = NULL;
	struct identity	 id;
	size_t		 k;
	int64_t		 existing = 0, next_id;

	memset(res, 0, sizeof(*res));
	if (n == 0 || n > DEMO_MAX_RESIDENTS) {
		*errstr = N_("the number of residents must be 1-5000000");
		return -1;
	}
	(void)store_one_i64(s, ST_DEMO_EMPTY, &existing, "");
	if (existing > 0) {
		*errstr = N_("the database already holds residents or fees: demo "
		    "data goes into a fresh database");
		return -1;
	}
	memset(&dm, 0, sizeof(dm));
	dm.s = s;
	dm.res = res;
	dm.r.s = seed;
	dm.seed = seed;
	dm.now = clock_now();
	clock_local(dm.now, &tm);
	dm.year = tm.tm_year + 1900;
	dm.month = tm.tm_mon + 1;
	dm.day = tm.tm_mday;
	clock_date(dm.now, dm.today, sizeof(dm.today));
	dm.serials = xcalloc(DEMO_DAYS, sizeof(*dm.serials));
	dm.next_fee_id = 1;
	/* Odd and not a multiple of 5: invertible modulo powers of ten. */
	dm.new_code_mul = 2 * (rng_next(&dm.r) % 400000000) + 1;
	if (dm.new_code_mul % 5 == 0)
		dm.new_code_mul += 2;
	dm.phone_mul = 2 * (rng_next(&dm.r) % 4000000) + 1;
	if (dm.phone_mul % 5 == 0)
		dm.phone_mul += 2;

	if (store_bulk(s, 1) == -1 || store_fast_load(s, 1) == -1 ||
	    store_begin(s) == -1) {
		*errstr = N_("cannot start a transaction");
		(void)store_fast_load(s, 0);
		free(dm.serials);
		return -1;
	}
	if (demo_reference_data(s) == -1 || demo_institutions(&dm) == -1)
		goto fail;
	/*
	 * Codes first, then the rows in code order: the personal-code index
	 * grows at its end instead of at a million random places.
	 */
	people = xcalloc(n, sizeof(*people));
	for (k = 0; k < n; k++) {
		row_rng(&dm, k);
		draw_identity(&dm, &id);
		people[k].k = (uint32_t)k;
		if (id.new_form || old_code(&dm, id.y, id.m, id.d,
		    people[k].code) == -1)
			new_code(&dm, k + 0x100000000ULL, id.second,
			    people[k].code);
	}
	qsort(people, n, sizeof(*people), person_cmp);
	for (k = 0; k < n; k++)
		if (add_resident(&dm, &people[k]) == -1)
			goto fail;
	free(people);
	people = NULL;
	/* The fees' ids were ours (their references derive from them). */
	if (store_one_i64(s, ST_DEMO_FEE_IDS_DONE, &next_id, "") !=
	    STORE_ROW)
		goto fail;
	if (store_audit(s, "demo", "demo", "synthetic data") == -1 ||
	    store_commit(s) == -1)
		goto fail;
	free(dm.serials);
	if (store_fast_load(s, 0) == -1 || store_bulk(s, 0) == -1) {
		*errstr = N_("rebuilding the indexes failed (see the log)");
		return -1;
	}
	return 0;
fail:
	*errstr = N_("writing the demo data failed (see the log)");
	free(people);
	store_rollback(s);
	(void)store_fast_load(s, 0);
	free(dm.serials);
	return -1;
}
