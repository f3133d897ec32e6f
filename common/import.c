/*
 * import: CSV (RFC 4180, read by csvread) into the store, inside one
 * transaction that is rolled back if any row is wrong. Every error names
 * its line; the COLUMN of an error is the field's position in the row.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "csvread.h"
#include "fees.h"
#include "i18n.h"
#include "ident.h"
#include "import.h"
#include "log.h"
#include "outbox.h"
#include "preschool.h"
#include "refdata.h"
#include "residents.h"
#include "smstext.h"
#include "store.h"
#include "strset.h"
#include "util.h"

#define IMPORT_MAX_NAME		100	/* characters in a name */
#define IMPORT_MAX_TEXT		200	/* characters in an address */
#define IMPORT_MAX_PRIORITY	1000
#define IMPORT_MAX_CENTS	99999999999LL	/* EPC: 999999999.99 */

struct import_col {
	const char	*name;
	int		 required;
};

static const struct import_col residents_cols[] = {
	{ "personal_code", 1 }, { "given_name", 1 }, { "family_name", 1 },
	{ "phone", 0 }, { "lang", 0 }, { "territory", 0 }, { "address", 0 },
	{ "birth_date", 0 }, { NULL, 0 },
};
enum { R_CODE, R_GIVEN, R_FAMILY, R_PHONE, R_LANG, R_TERRITORY, R_ADDRESS,
    R_BIRTH };

static const struct import_col queue_cols[] = {
	{ "child_code", 1 }, { "child_given_name", 1 },
	{ "child_family_name", 1 }, { "guardian_code", 1 },
	{ "institution", 1 }, { "registered_at", 1 }, { "desired_start", 1 },
	{ "priority", 0 }, { NULL, 0 },
};
enum { Q_CHILD, Q_GIVEN, Q_FAMILY, Q_GUARDIAN, Q_INSTITUTION, Q_REGISTERED,
    Q_START, Q_PRIORITY };

static const struct import_col fees_cols[] = {
	{ "personal_code", 1 }, { "kind", 1 }, { "period", 1 },
	{ "amount", 1 }, { "due_date", 1 }, { "reference", 0 }, { NULL, 0 },
};
enum { F_CODE, F_KIND, F_PERIOD, F_AMOUNT, F_DUE, F_REFERENCE };

static const struct import_col sms_cols[] = {
	{ "phone", 1 }, { "text", 1 }, { NULL, 0 },
};
enum { S_PHONE, S_TEXT };

#define IMPORT_MAX_COLS	8

struct imp {
	struct store		*s;
	enum import_kind	 kind;
	const struct import_col	*cols;
	const struct import_opts *o;
	struct import_result	*res;
	const char		*name;
	FILE			*err;
	time_t			 now;
	char			 today[11];

	struct csvread		*cr;		/* the file's records */
	int			 rec_line;	/* first line of this record */
	size_t			 row;		/* data row, from 1; 0 header */
	int			 header_done;
	int			 fatal;		/* stop: database failed, or
						   a header without columns
						   every row needs */

	int			 map[IMPORT_MAX_COLS];	/* col -> field or -1 */
	int			 nheader;
	int64_t			 count_before;
	struct strset		*keys;		/* row keys seen in this file */
	int			 row_bad;
	struct refdata		*ref;		/* institutions or fee kinds */
	int64_t			 nclasses;	/* priority classes, 0 none */
};

static void imp_err(struct imp *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* The column a field index is under, for the API's errors; NULL if none. */
static const char *
field_name(struct imp *im, int field)
{
	int	 c;

	if (field < 0)
		return NULL;
	for (c = 0; im->cols[c].name != NULL; c++)
		if (im->map[c] == field)
			return im->cols[c].name;
	return NULL;
}

/* Report an error on the current record; col is a field index or -1. */
static void
imp_err(struct imp *im, int field, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	im->row_bad = 1;
	if (im->res->errors++ >= IMPORT_MAX_ERRORS_SHOWN)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A value quoted back may be a personal code in the wrong column. */
	(void)log_scrub(msg);
	if (im->o->error != NULL) {
		im->o->error(im->o->arg, im->row, field_name(im, field), msg);
		return;
	}
	if (field >= 0)
		fprintf(im->err, "%s:%d:%d: %s\n", im->name, im->rec_line,
		    field + 1, msg);
	else
		fprintf(im->err, "%s:%d: %s\n", im->name, im->rec_line, msg);
}

static const char *
fld(struct imp *im, int col)
{
	return csvread_field(im->cr, im->map[col]);
}

/* The field index of col, for error positions. */
static int
fpos(struct imp *im, int col)
{
	return im->map[col];
}

/* Names are one line; an address may hold line breaks (not other C0). */
#define TEXT_NAME	0
#define TEXT_MULTILINE	1

static int
check_text_as(struct imp *im, int col, size_t maxchars, int required,
    int kind)
{
	const char	*v = fld(im, col);
	const unsigned char *u;
	size_t		 n = strlen(v);

	if (n == 0) {
		if (required)
			imp_err(im, fpos(im, col), _("%s: must not be empty"),
			    im->cols[col].name);
		return required ? -1 : 0;
	}
	if (!util_utf8_valid(v, n)) {
		imp_err(im, fpos(im, col), _("%s: is not valid UTF-8"),
		    im->cols[col].name);
		return -1;
	}
	for (u = (const unsigned char *)v; *u != '\0'; u++)
		if ((*u < 0x20 || *u == 0x7f) && !(kind == TEXT_MULTILINE &&
		    (*u == '\n' || *u == '\r'))) {
			imp_err(im, fpos(im, col),
			    _("%s: contains a control character"),
			    im->cols[col].name);
			return -1;
		}
	if (util_utf8_len(v) > maxchars) {
		imp_err(im, fpos(im, col),
		    _("%s: is longer than %zu characters"),
		    im->cols[col].name, maxchars);
		return -1;
	}
	return 0;
}

static int
check_text(struct imp *im, int col, size_t maxchars, int required)
{
	return check_text_as(im, col, maxchars, required, TEXT_NAME);
}

static int
check_pcode(struct imp *im, int col, char out[IDENT_PCODE_SIZE],
    enum ident_pcode_form *form)
{
	const char	*errstr;

	if (check_text(im, col, 20, 1) == -1)
		return -1;
	if (ident_pcode_parse(fld(im, col), out, form, &errstr) == -1) {
		/* Never echo the code itself: the message says what's wrong. */
		imp_err(im, fpos(im, col), "%s: %s", im->cols[col].name,
		    _(errstr));
		return -1;
	}
	return 0;
}

static int
check_date(struct imp *im, int col, int required, char out[11])
{
	const char	*v = fld(im, col);
	int		 y, m, d;

	out[0] = '\0';
	if (*v == '\0') {
		if (required)
			imp_err(im, fpos(im, col), _("%s: must not be empty"),
			    im->cols[col].name);
		return required ? -1 : 0;
	}
	if (util_parse_date(v, &y, &m, &d) == -1) {
		imp_err(im, fpos(im, col),
		    _("%s: '%.20s' is not a date like 2026-03-31"),
		    im->cols[col].name, v);
		return -1;
	}
	memcpy(out, v, 11);
	return 0;
}

/* Resolve a resident's id by canonical personal code; 0 if none. */
static int64_t
resident_id(struct imp *im, const char *code)
{
	int64_t		 id = 0;
	int		 rc;

	if ((rc = residents_id_by_code(im->s, code, &id)) == 0)
		return id;
	if (rc == 1)
		return 0;
	imp_err(im, -1, _("database error: %s"), store_errmsg(im->s));
	im->fatal = 1;
	return -1;
}

/* Remember key for this file; report a duplicate of an earlier line. */
static int
check_dup(struct imp *im, const char *key, int field)
{
	int	 first;

	/* The API counts rows, a file lines. */
	if (strset_add(im->keys, key, im->o->error != NULL ? (int)im->row :
	    im->rec_line, &first) == 1)
		return 0;
	if (im->o->error != NULL)
		imp_err(im, field, _("duplicate key: the same row key is in "
		    "row %d"), first);
	else
		imp_err(im, field, _("duplicate key: the same row key is on "
		    "line %d"), first);
	return -1;
}

/*
 * Count what an upsert did (1 written, 0 unchanged, or a store code).
 * Constraint failures are the row's fault; anything else stops the import.
 */
static int
upserted(struct imp *im, int rc)
{
	if (rc == 1) {
		im->res->updated++;	/* inserts are subtracted later */
		return 1;
	}
	if (rc == 0) {
		im->res->unchanged++;
		return 0;
	}
	if (rc == STORE_EUNIQUE || rc == STORE_ECONSTRAINT) {
		imp_err(im, -1, _("row conflicts with the database: %s"),
		    store_errmsg(im->s));
		return -1;
	}
	imp_err(im, -1, _("database error: %s"), store_errmsg(im->s));
	im->fatal = 1;
	return -1;
}

static void
row_resident(struct imp *im)
{
	char		 code[IDENT_PCODE_SIZE], phone[IDENT_PHONE_SIZE] = "";
	char		 birth[11], derived[11];
	enum ident_pcode_form form;
	enum ident_phone_kind pkind = IDENT_PHONE_LV_MOBILE;
	const char	*errstr, *lang;
	struct residents_row r;
	int		 bad = 0;

	if (check_pcode(im, R_CODE, code, &form) == -1)
		bad = 1;
	bad |= check_text(im, R_GIVEN, IMPORT_MAX_NAME, 1) == -1;
	bad |= check_text(im, R_FAMILY, IMPORT_MAX_NAME, 1) == -1;
	bad |= check_text(im, R_TERRITORY, IMPORT_MAX_NAME, 0) == -1;
	bad |= check_text_as(im, R_ADDRESS, IMPORT_MAX_TEXT, 0,
	    TEXT_MULTILINE) == -1;
	if (*fld(im, R_PHONE) != '\0' && ident_phone_parse(fld(im, R_PHONE),
	    phone, &pkind, &errstr) == -1) {
		imp_err(im, fpos(im, R_PHONE), "phone: %s", _(errstr));
		bad = 1;
	}
	lang = fld(im, R_LANG);
	if (*lang == '\0')
		lang = "lv";
	else if (strcmp(lang, "lv") != 0 && strcmp(lang, "en") != 0 &&
	    strcmp(lang, "ru") != 0 && strcmp(lang, "uk") != 0) {
		imp_err(im, fpos(im, R_LANG),
		    _("lang: '%.8s' is not one of lv, en, ru, uk"), lang);
		bad = 1;
	}
	if (check_date(im, R_BIRTH, 0, birth) == -1)
		bad = 1;
	else if (!bad && form == IDENT_PCODE_OLD &&
	    ident_pcode_birth_date(code, derived, sizeof(derived)) == 0) {
		if (birth[0] == '\0')
			memcpy(birth, derived, sizeof(birth));
		else if (strcmp(birth, derived) != 0) {
			imp_err(im, fpos(im, R_BIRTH), _("birth_date: does "
			    "not match the date in the personal code"));
			bad = 1;
		}
	}
	if (!bad && birth[0] != '\0' && strcmp(birth, im->today) > 0) {
		imp_err(im, fpos(im, R_BIRTH), _("birth_date: is in the "
		    "future"));
		bad = 1;
	}
	if (bad || check_dup(im, code, fpos(im, R_CODE)) == -1)
		return;
	memset(&r, 0, sizeof(r));
	r.code = code;
	r.given_name = fld(im, R_GIVEN);
	r.family_name = fld(im, R_FAMILY);
	r.phone = phone;
	r.phone_kind = phone[0] != '\0' ? (int)pkind : -1;
	r.lang = lang;
	r.territory = fld(im, R_TERRITORY);
	r.address = fld(im, R_ADDRESS);
	r.birth_date = birth;
	r.updated_at = im->now;
	(void)upserted(im, residents_upsert(im->s, &r));
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or with seconds, ' ' or 'T'. */
static int
parse_datetime(const char *v, char out[20])
{
	char	 date[11];
	int	 y, m, d, hh = 0, mi = 0, ss = 0;
	size_t	 n = strlen(v);

	if (n < 10)
		return -1;
	memcpy(date, v, 10);
	date[10] = '\0';
	if (util_parse_date(date, &y, &m, &d) == -1)
		return -1;
	if (n > 10) {
		if ((v[10] != ' ' && v[10] != 'T') || (n != 16 && n != 19))
			return -1;
		if (!isdigit((unsigned char)v[11]) ||
		    !isdigit((unsigned char)v[12]) || v[13] != ':' ||
		    !isdigit((unsigned char)v[14]) ||
		    !isdigit((unsigned char)v[15]))
			return -1;
		hh = (v[11] - '0') * 10 + (v[12] - '0');
		mi = (v[14] - '0') * 10 + (v[15] - '0');
		if (n == 19) {
			if (v[16] != ':' || !isdigit((unsigned char)v[17]) ||
			    !isdigit((unsigned char)v[18]))
				return -1;
			ss = (v[17] - '0') * 10 + (v[18] - '0');
		}
		if (hh > 23 || mi > 59 || ss > 59)
			return -1;
	}
	return util_snprintf(out, 20, "%04d-%02d-%02d %02d:%02d:%02d", y, m,
	    d, hh, mi, ss);
}

/*
 * The institution a row names, matched as people type it. An unknown one
 * is an error with a did-you-mean, unless the import was asked to create
 * new institutions (--new-institutions), which it then lists. The id, 0
 * after an error on the row, -1 when the database failed.
 */
static int64_t
institution_id(struct imp *im, const char *name, const char **canon)
{
	const struct refdata_item	*it;
	char				 err[REFDATA_ERR_SIZE];
	int64_t				 id;
	int				 r;

	if ((r = refdata_find(im->ref, name, &it, err, sizeof(err))) == 0) {
		*canon = it->name;
		return it->id;
	}
	if (r == 1 && im->o->new_institutions) {
		if ((r = refdata_add_institution(im->s, im->ref, name, "", &id,
		    err, sizeof(err))) == 0) {
			im->res->new_institutions++;
			fprintf(im->o->out != NULL ? im->o->out : stdout,
			    "new_institution=%s\n", name);
			*canon = name;
			return id;
		}
		if (r == -1) {
			imp_err(im, -1, "%s", err);
			im->fatal = 1;
			return -1;
		}
	}
	imp_err(im, fpos(im, Q_INSTITUTION), "institution: %s", err);
	return 0;
}

/* 1 when prio is one of the priority classes, 0 not, -1 error. */
static int
priority_class_known(struct imp *im, long long prio)
{
	int		 rc;

	if ((rc = preschool_class_known(im->s, prio)) != -1)
		return rc;
	imp_err(im, -1, _("database error: %s"), store_errmsg(im->s));
	im->fatal = 1;
	return -1;
}

static void
row_queue(struct imp *im)
{
	char		 child[IDENT_PCODE_SIZE], guardian[IDENT_PCODE_SIZE];
	char		 registered[20], key[IDENT_PCODE_SIZE + REFDATA_NAME_MAX + 2];
	const char	*v, *errstr, *inst = NULL;
	long long	 prio = 0, y, mo;
	int64_t		 gid = 0, iid = 0;
	struct preschool_row q;
	int		 bad = 0, r;

	bad |= check_pcode(im, Q_CHILD, child, NULL) == -1;
	bad |= check_text(im, Q_GIVEN, IMPORT_MAX_NAME, 1) == -1;
	bad |= check_text(im, Q_FAMILY, IMPORT_MAX_NAME, 1) == -1;
	if (check_pcode(im, Q_GUARDIAN, guardian, NULL) == -1)
		bad = 1;
	else if ((gid = resident_id(im, guardian)) == 0) {
		imp_err(im, fpos(im, Q_GUARDIAN), _("guardian_code: no "
		    "resident has this personal code (import residents "
		    "first)"));
		bad = 1;
	} else if (gid < 0)
		return;
	v = fld(im, Q_REGISTERED);
	if (parse_datetime(v, registered) == -1) {
		imp_err(im, fpos(im, Q_REGISTERED), _("registered_at: '%.20s' "
		    "is not a date or date-time like 2025-09-01 10:30"), v);
		bad = 1;
	} else if (strncmp(registered, im->today, 10) > 0) {
		imp_err(im, fpos(im, Q_REGISTERED),
		    _("registered_at: is in the future"));
		bad = 1;
	}
	v = fld(im, Q_START);
	if (strlen(v) != 7 || v[4] != '-' || !isdigit((unsigned char)v[0]) ||
	    !isdigit((unsigned char)v[1]) || !isdigit((unsigned char)v[2]) ||
	    !isdigit((unsigned char)v[3]) || !isdigit((unsigned char)v[5]) ||
	    !isdigit((unsigned char)v[6]) ||
	    util_strtonum((char[5]){ v[0], v[1], v[2], v[3], '\0' }, 2000,
	    2100, &y, &errstr) == -1 ||
	    util_strtonum((char[3]){ v[5], v[6], '\0' }, 1, 12, &mo,
	    &errstr) == -1) {
		imp_err(im, fpos(im, Q_START), _("desired_start: '%.20s' is "
		    "not a month like 2027-09"), v);
		bad = 1;
	}
	v = fld(im, Q_PRIORITY);
	if (*v != '\0' && util_strtonum(v, 0, IMPORT_MAX_PRIORITY, &prio,
	    &errstr) == -1) {
		imp_err(im, fpos(im, Q_PRIORITY), _("priority: '%.20s' %s "
		    "(a whole number 0-%d, higher is served first)"), v,
		    _(errstr), IMPORT_MAX_PRIORITY);
		bad = 1;
	} else if (prio != 0 && im->nclasses > 0 &&
	    (r = priority_class_known(im, prio)) != 1) {
		if (r == 0)
			imp_err(im, fpos(im, Q_PRIORITY), _("priority: %lld is "
			    "not one of the municipality's priority classes "
			    "(0 none, up to %lld)"), prio,
			    (long long)im->nclasses);
		bad = 1;
	}
	if (check_text(im, Q_INSTITUTION, IMPORT_MAX_NAME, 1) == -1 ||
	    (iid = institution_id(im, fld(im, Q_INSTITUTION), &inst)) <= 0)
		bad = 1;
	if (bad || im->fatal)
		return;
	(void)snprintf(key, sizeof(key), "%s|%s", child, inst);
	if (check_dup(im, key, fpos(im, Q_CHILD)) == -1)
		return;
	memset(&q, 0, sizeof(q));
	q.child_code = child;
	q.given_name = fld(im, Q_GIVEN);
	q.family_name = fld(im, Q_FAMILY);
	q.guardian_id = gid;
	q.institution_id = iid;
	q.registered_at = registered;
	q.desired_start = fld(im, Q_START);
	q.priority = prio;
	q.updated_at = im->now;
	(void)upserted(im, preschool_upsert(im->s, &q));
}

static int
valid_period(const char *v)
{
	size_t	 i, n = strlen(v);

	if (n == 0 || n > 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return 0;
	return 1;
}

/* A municipality's own reference: letters, digits, '/', '-'; ≤35. */
static int
valid_own_reference(const char *v)
{
	size_t	 i, n = strlen(v);

	if (n == 0 || n > 35)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '/' &&
		    v[i] != '-')
			return 0;
	return 1;
}

static void
row_fee(struct imp *im)
{
	char		 code[IDENT_PCODE_SIZE], due[11], ref[40] = "";
	char		 key[IDENT_PCODE_SIZE + REFDATA_NAME_MAX + 20], stored[40];
	char		 err[REFDATA_ERR_SIZE];
	const struct refdata_item *kind = NULL;
	const char	*v, *errstr;
	int64_t		 rid = 0, cents = 0, fid = 0;
	struct fees_row	 f;
	int		 bad = 0;

	if (check_pcode(im, F_CODE, code, NULL) == -1)
		bad = 1;
	else if ((rid = resident_id(im, code)) == 0) {
		imp_err(im, fpos(im, F_CODE), _("personal_code: no resident "
		    "has this personal code (import residents first)"));
		bad = 1;
	} else if (rid < 0)
		return;
	if (refdata_find(im->ref, fld(im, F_KIND), &kind, err,
	    sizeof(err)) != 0) {
		imp_err(im, fpos(im, F_KIND), "kind: %s", err);
		bad = 1;
	}
	if (!valid_period(fld(im, F_PERIOD))) {
		imp_err(im, fpos(im, F_PERIOD), _("period: '%.16s' is not a "
		    "period like 2026, 2026-Q1 or 2026-03"), fld(im, F_PERIOD));
		bad = 1;
	}
	v = fld(im, F_AMOUNT);
	if (util_parse_cents(v, IMPORT_MAX_CENTS, &cents, &errstr) == -1) {
		imp_err(im, fpos(im, F_AMOUNT), "amount: '%.20s' %s", v,
		    _(errstr));
		bad = 1;
	} else if (cents == 0) {
		imp_err(im, fpos(im, F_AMOUNT), _("amount: must be more than "
		    "0.00"));
		bad = 1;
	}
	bad |= check_date(im, F_DUE, 1, due) == -1;
	v = fld(im, F_REFERENCE);
	if (*v != '\0') {
		if (strncasecmp(v, "RF", 2) == 0) {
			char	 rf[IDENT_RF_SIZE];

			if (ident_rf_parse(v, rf, &errstr) == -1) {
				imp_err(im, fpos(im, F_REFERENCE),
				    "reference: %s", _(errstr));
				bad = 1;
			} else
				(void)util_strlcpy(ref, rf, sizeof(ref));
		} else if (!valid_own_reference(v)) {
			imp_err(im, fpos(im, F_REFERENCE), _("reference: must "
			    "be an RF reference or up to 35 letters, digits, "
			    "'/' and '-'"));
			bad = 1;
		} else
			(void)util_strlcpy(ref, v, sizeof(ref));
	}
	if (bad)
		return;
	(void)snprintf(key, sizeof(key), "%s|%s|%s", code, kind->name,
	    fld(im, F_PERIOD));
	if (check_dup(im, key, fpos(im, F_CODE)) == -1)
		return;
	memset(&f, 0, sizeof(f));
	f.resident_id = rid;
	f.kind = kind->name;
	f.period = fld(im, F_PERIOD);
	f.amount_cents = cents;
	f.due_date = due;
	f.reference = ref;
	f.updated_at = im->now;
	if (upserted(im, fees_upsert(im->s, &f, &fid, stored,
	    sizeof(stored))) == 1 && stored[0] == '\0' &&
	    fees_set_reference(im->s, fid, NULL, 0) == -1)
		imp_err(im, -1, _("cannot store the reference: %s"),
		    store_errmsg(im->s));
}

static void
row_sms(struct imp *im)
{
	struct outbox_msg	 m;
	struct outbox_why	 why;

	if (check_text_as(im, S_TEXT, OUTBOX_TEXT_MAX, 1, TEXT_MULTILINE) ==
	    -1)
		return;
	memset(&m, 0, sizeof(m));
	m.phone = fld(im, S_PHONE);
	m.text = fld(im, S_TEXT);
	m.validity_s = im->o->sms_validity_s;
	m.encoding = im->o->sms_encoding;
	m.max_segments = im->o->sms_max_segments;
	if (outbox_enqueue_why(im->s, &m, &why) == -1) {
		switch (why.field) {
		case OUTBOX_FIELD_PHONE:
			imp_err(im, fpos(im, S_PHONE), "%s", _(why.msg));
			break;
		case OUTBOX_FIELD_SEGMENTS:
			imp_err(im, fpos(im, S_TEXT), _("text: needs %zu "
			    "segments, the limit is %d"), why.segments,
			    m.max_segments);
			break;
		case OUTBOX_FIELD_ENCODING:
		case OUTBOX_FIELD_TEXT:
			imp_err(im, fpos(im, S_TEXT), "text: %s", _(why.msg));
			break;
		default:
			imp_err(im, fpos(im, S_TEXT), "%s", _(why.msg));
			break;
		}
		return;
	}
	im->res->updated++;	/* counted as a new row below */
}

static void
header_row(struct imp *im)
{
	unsigned char delim = csvread_delim(im->cr);
	int	 c, f;
	char	*name;

	im->nheader = csvread_nfields(im->cr);
	for (c = 0; im->cols[c].name != NULL; c++)
		im->map[c] = -1;
	for (f = 0; f < im->nheader; f++) {
		name = csvread_field(im->cr, f);
		(void)util_trim(name);
		for (c = 0; im->cols[c].name != NULL; c++) {
			if (strcasecmp(name, im->cols[c].name) != 0)
				continue;
			if (im->map[c] != -1)
				imp_err(im, f, _("column '%s' appears twice"),
				    im->cols[c].name);
			im->map[c] = f;
		}
	}
	for (c = 0; im->cols[c].name != NULL; c++)
		if (im->map[c] == -1 && im->cols[c].required)
			break;
	/* One field only: the columns are split by something else. */
	if (im->cols[c].name != NULL && im->nheader == 1)
		imp_err(im, -1, _("the header row is one column: columns must "
		    "be separated by a comma, a semicolon or a tab, and none "
		    "was found"));
	else
		for (c = 0; im->cols[c].name != NULL; c++)
			if (im->map[c] == -1 && im->cols[c].required)
				imp_err(im, -1, _("the header has no column "
				    "'%s' (columns separated by %s)"),
				    im->cols[c].name, delim == ';' ?
				    _("semicolons") : delim == '\t' ?
				    _("tabs") : _("commas"));
	/* Each row would fail the same way: the header said it all. */
	if (im->row_bad)
		im->fatal = 1;
	im->header_done = 1;
}

static void
record_cb(void *arg, struct csvread *cr)
{
	struct imp	*im = arg;
	int		 f, nfields = csvread_nfields(cr), blank = 1;

	if (im->fatal)
		return;
	im->rec_line = csvread_record_line(cr);
	im->row_bad = 0;
	im->row = im->header_done ? im->res->rows + 1 : 0;
	if (!im->header_done) {
		header_row(im);
		return;
	}
	for (f = 0; f < nfields; f++)
		if (*csvread_field(cr, f) != '\0')
			blank = 0;
	if (blank)
		return;		/* ",,,," rows that spreadsheets leave behind */
	im->res->rows++;
	if (im->o->max_rows > 0 && im->res->rows > im->o->max_rows) {
		/* The caller says so (413): no use reading on. */
		im->res->too_many = 1;
		im->res->errors++;
		im->fatal = 1;
		return;
	}
	if (csvread_too_many(cr) || nfields > im->nheader) {
		imp_err(im, im->nheader, _("row has more fields than the "
		    "header (%d)"), im->nheader);
		return;
	}
	if (nfields < im->nheader) {
		imp_err(im, nfields, _("row has %d fields, the header has "
		    "%d"), nfields, im->nheader);
		return;
	}
	switch (im->kind) {
	case IMPORT_RESIDENTS:
		row_resident(im);
		break;
	case IMPORT_QUEUE:
		row_queue(im);
		break;
	case IMPORT_FEES:
		row_fee(im);
		break;
	case IMPORT_SMS:
		row_sms(im);
		break;
	}
}

int
import_kind_parse(const char *s, enum import_kind *kind)
{
	if (strcmp(s, "residents") == 0)
		*kind = IMPORT_RESIDENTS;
	else if (strcmp(s, "queue") == 0)
		*kind = IMPORT_QUEUE;
	else if (strcmp(s, "fees") == 0)
		*kind = IMPORT_FEES;
	else
		return -1;
	return 0;
}

static int64_t
table_count(struct store *s, enum import_kind kind)
{
	int64_t		 n = -1;
	int		 rc;

	switch (kind) {
	case IMPORT_RESIDENTS:
		rc = residents_count(s, &n);
		break;
	case IMPORT_QUEUE:
		rc = preschool_count(s, &n);
		break;
	case IMPORT_FEES:
		rc = fees_count(s, &n);
		break;
	default:
		rc = store_one_i64(s, ST_OUTBOX_COUNT, &n, "") == STORE_ROW ?
		    0 : -1;
		break;
	}
	return rc == 0 ? n : -1;
}

int
import_csv(struct store *s, enum import_kind kind, const char *path,
    const struct import_opts *opts, struct import_result *res)
{
	FILE		*fp;
	const char	*name = opts != NULL && opts->display_name != NULL ?
			    opts->display_name : path;
	int		 rc;

	if ((fp = fopen(path, "r")) == NULL) {
		memset(res, 0, sizeof(*res));
		fprintf(opts != NULL && opts->errout != NULL ? opts->errout :
		    stderr, "%s: %s\n", name, strerror(errno));
		res->errors = 1;
		return -1;
	}
	rc = import_stream(s, kind, fp, name, opts, res);
	fclose(fp);
	return rc;
}

int
import_stream(struct store *s, enum import_kind kind, FILE *fp,
    const char *name, const struct import_opts *opts,
    struct import_result *res)
{
	static const struct import_opts none;
	struct imp	 im;
	struct stat	 sb;
	struct csvread_opts co;
	enum csvread_status st = CSVREAD_EOF;
	off_t		 total = 0;
	size_t		 more;
	int64_t		 after;
	char		 errbuf[REFDATA_ERR_SIZE];
	int		 ok = -1;

	memset(res, 0, sizeof(*res));
	if (opts == NULL)
		opts = &none;
	memset(&im, 0, sizeof(im));
	im.s = s;
	im.kind = kind;
	im.o = opts;
	im.res = res;
	im.name = name;
	im.err = opts->errout ? opts->errout : stderr;
	im.now = clock_now();
	clock_date(im.now, im.today, sizeof(im.today));
	im.cols = kind == IMPORT_RESIDENTS ? residents_cols :
	    kind == IMPORT_QUEUE ? queue_cols :
	    kind == IMPORT_FEES ? fees_cols : sms_cols;

	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
		total = sb.st_size;
	memset(&co, 0, sizeof(co));
	co.detect_delim = 1;
	co.max_fields = IMPORT_MAX_FIELDS;
	co.max_record = IMPORT_MAX_RECORD;
	co.record = record_cb;
	co.arg = &im;
	im.cr = csvread_new(fp, &co);
	if (store_bulk(s, 1) == -1 || store_begin(s) == -1) {
		fprintf(im.err, "%s: %s\n", im.name, _("cannot start a "
		    "transaction: the database is busy or read-only"));
		res->errors = 1;
		goto out;
	}
	im.keys = strset_new();
	if ((im.count_before = table_count(s, kind)) < 0) {
		fprintf(im.err, "%s: database error: %s\n", im.name,
		    store_errmsg(s));
		res->errors = 1;
		goto rollback;
	}
	if ((kind == IMPORT_QUEUE || kind == IMPORT_FEES) &&
	    ((im.ref = refdata_load(s, kind == IMPORT_QUEUE ?
	    REFDATA_INSTITUTION : REFDATA_FEE_KIND, errbuf,
	    sizeof(errbuf))) == NULL ||
	    (kind == IMPORT_QUEUE && preschool_classes(s, &im.nclasses) ==
	    -1))) {
		fprintf(im.err, "%s: %s\n", im.name, im.ref == NULL ? errbuf :
		    store_errmsg(s));
		res->errors = 1;
		goto rollback;
	}
	while (!im.fatal && (st = csvread_next(im.cr)) != CSVREAD_EOF &&
	    st != CSVREAD_EREAD) {
		if (st == CSVREAD_LINE) {
			if (opts->progress != NULL &&
			    csvread_line(im.cr) % 10000 == 0)
				opts->progress(opts->arg, res->rows,
				    (off_t)csvread_bytes(im.cr), total);
			continue;
		}
		/* The record is broken past repair: report, drop, go on. */
		im.rec_line = st == CSVREAD_ERECORD ?
		    csvread_record_line(im.cr) : csvread_line(im.cr);
		im.row = im.header_done ? res->rows + 1 : 0;
		switch (st) {
		case CSVREAD_EQUOTE:
			imp_err(&im, csvread_nfields(im.cr), _("malformed "
			    "quoting: a quote inside an unquoted field, or text "
			    "after a closing quote"));
			break;
		case CSVREAD_ENUL:
			imp_err(&im, csvread_nfields(im.cr), _("a NUL byte "
			    "(byte %ld of the line): this is not a text file"),
			    csvread_nul_at(im.cr));
			break;
		case CSVREAD_ELONG:
			imp_err(&im, csvread_nfields(im.cr), _("the line is "
			    "longer than %d bytes"), CSVLINE_MAX);
			break;
		default:
			imp_err(&im, csvread_nfields(im.cr), _("record is "
			    "longer than %d bytes: is a closing quote "
			    "missing?"), IMPORT_MAX_RECORD);
			break;
		}
		csvread_resync(im.cr);
	}
	if (st == CSVREAD_EREAD) {
		/* Never the end of the file: what follows would be lost. */
		fprintf(im.err, "%s:%d: %s: %s\n", im.name,
		    csvread_line(im.cr) + 1, _("read error"), strerror(errno));
		res->errors++;
		goto rollback;
	}
	if (!im.fatal && csvread_finish(im.cr) == -1) {
		im.rec_line = csvread_record_line(im.cr);
		im.row = im.header_done ? res->rows + 1 : 0;
		imp_err(&im, csvread_nfields(im.cr), _("a quoted field is not "
		    "closed before the end of the file"));
	}
	if (opts->progress != NULL)
		opts->progress(opts->arg, res->rows,
		    (off_t)csvread_bytes(im.cr), total);
	if (!im.header_done && res->errors == 0) {
		fprintf(im.err, "%s: %s\n", im.name, _("the file is empty "
		    "(no header row)"));
		res->errors++;
	}
	if (res->errors > 0 || opts->dry_run)
		goto rollback;
	if ((after = table_count(s, kind)) < 0)
		goto rollback;
	/* Upserts counted as updates; the new rows are the growth. */
	res->inserted = (size_t)(after - im.count_before);
	res->updated -= res->inserted;
	if ((opts->before_commit != NULL &&
	    opts->before_commit(opts->arg, s, res) == -1) ||
	    store_audit(s, opts->actor != NULL ? opts->actor : "import", kind == IMPORT_RESIDENTS ? "residents" :
	    kind == IMPORT_QUEUE ? "queue" : kind == IMPORT_FEES ? "fees" :
	    "sms batch", im.name) == -1 ||
	    store_commit(s) == -1) {
		fprintf(im.err, "%s: %s: %s\n", im.name, _("cannot commit"),
		    store_errmsg(s));
		res->errors++;
		goto rollback;
	}
	ok = 0;
	goto out;

rollback:
	if (opts->dry_run && res->errors == 0) {
		int64_t cnt = table_count(s, kind);

		if (cnt >= 0) {
			res->inserted = (size_t)(cnt - im.count_before);
			res->updated -= res->inserted;
		}
		ok = 0;
	}
	store_rollback(s);
out:
	if (res->errors > IMPORT_MAX_ERRORS_SHOWN) {
		more = res->errors - IMPORT_MAX_ERRORS_SHOWN;
		fprintf(im.err, _("%s: %zu more errors not shown\n"), im.name,
		    more);
	}
	csvread_free(im.cr);
	strset_free(im.keys);
	refdata_free(im.ref);
	return ok;
}
