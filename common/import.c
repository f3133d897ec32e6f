/*
 * import: CSV (RFC 4180, through libcsv) into the store, inside one
 * transaction that is rolled back if any row is wrong. The file is fed to
 * the parser a line at a time so that every error can name its line; the
 * COLUMN of an error is the field's position in the row.
 */
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "csvline.h"
#include "fees.h"
#include "i18n.h"
#include "ident.h"
#include "import.h"
#include "log.h"
#include "outbox.h"
#include "refdata.h"
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

	struct csv_parser	 p;
	int			 line;		/* line being fed */
	int			 pending_start;	/* first line of next record */
	int			 rec_line;	/* first line of this record */
	int			 in_record;
	int			 header_done;
	int			 fatal;		/* stop: database failed, or
						   a header without columns
						   every row needs */

	/* The current record: fields packed into buf, NUL-terminated. */
	char			*buf;
	size_t			 buflen, bufsize;
	size_t			 off[IMPORT_MAX_FIELDS];
	int			 nfields;
	int			 too_many;

	int			 map[IMPORT_MAX_COLS];	/* col -> field or -1 */
	int			 nheader;
	int64_t			 count_before;
	struct strset		*keys;		/* row keys seen in this file */
	int			 row_bad;
	struct refdata		*ref;		/* institutions or fee kinds */
	unsigned char		 delim;		/* found in the header row */
	int64_t			 nclasses;	/* priority classes, 0 none */
};

static void imp_err(struct imp *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

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
	if (field >= 0)
		fprintf(im->err, "%s:%d:%d: %s\n", im->name, im->rec_line,
		    field + 1, msg);
	else
		fprintf(im->err, "%s:%d: %s\n", im->name, im->rec_line, msg);
}

static const char *
fld(struct imp *im, int col)
{
	int	 f = im->map[col];

	if (f < 0 || f >= im->nfields)
		return "";
	return im->buf + im->off[f];
}

/* The field index of col, for error positions. */
static int
fpos(struct imp *im, int col)
{
	return im->map[col];
}

static void
field_cb(void *data, size_t len, void *arg)
{
	struct imp	*im = arg;
	size_t		 need;

	if (!im->in_record) {
		im->in_record = 1;
		im->rec_line = im->pending_start;
	}
	if (im->nfields >= IMPORT_MAX_FIELDS) {
		im->too_many = 1;
		return;
	}
	need = im->buflen + len + 1;
	if (need > im->bufsize) {
		while (im->bufsize < need)
			im->bufsize = im->bufsize ? im->bufsize * 2 : 4096;
		im->buf = xreallocarray(im->buf, im->bufsize, 1);
	}
	if (len > 0)
		memcpy(im->buf + im->buflen, data, len);
	im->buf[im->buflen + len] = '\0';
	im->off[im->nfields++] = im->buflen;
	im->buflen += len + 1;
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
	sqlite3_stmt	*st = store_stmt(im->s, ST_RESIDENT_ID_BY_CODE);
	int64_t		 id = 0;
	int		 rc;

	if (sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		goto fail;
	(void)sqlite3_reset(st);
	return id;
fail:
	imp_err(im, -1, _("database error: %s"), store_errmsg(im->s));
	im->fatal = 1;
	return -1;
}

/* Remember key for this file; report a duplicate of an earlier line. */
static int
check_dup(struct imp *im, const char *key, int field)
{
	int	 first;

	if (strset_add(im->keys, key, im->rec_line, &first) == 1)
		return 0;
	imp_err(im, field, _("duplicate key: the same row key is on line %d"),
	    first);
	return -1;
}

/*
 * Step an upsert whose WHERE clause skips unchanged rows, and count it.
 * Constraint failures are the row's fault; anything else stops the import.
 */
static int
upsert(struct imp *im, sqlite3_stmt *st, int64_t *id, char *ref,
    size_t refsize)
{
	int	 rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (id != NULL)
			*id = sqlite3_column_int64(st, 0);
		if (ref != NULL) {
			const unsigned char *r = sqlite3_column_text(st, 1);

			(void)util_strlcpy(ref, r ? (const char *)r : "",
			    refsize);
		}
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			(void)sqlite3_reset(st);
			im->res->updated++;	/* inserts are subtracted later */
			return 1;
		}
	}
	if (rc == SQLITE_DONE) {
		(void)sqlite3_reset(st);
		if (sqlite3_changes(store_db(im->s)) > 0) {
			im->res->updated++;
			return 1;
		}
		im->res->unchanged++;
		return 0;
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		imp_err(im, -1, _("row conflicts with the database: %s"),
		    sqlite3_errmsg(store_db(im->s)));
		(void)sqlite3_reset(st);
		return -1;
	}
	imp_err(im, -1, _("database error: %s"), sqlite3_errmsg(store_db(im->s)));
	(void)sqlite3_reset(st);
	im->fatal = 1;
	return -1;
}

#define BIND_OK(x)	((x) == SQLITE_OK)

static int
bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL || *v == '\0')
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void
row_resident(struct imp *im)
{
	char		 code[IDENT_PCODE_SIZE], phone[IDENT_PHONE_SIZE] = "";
	char		 birth[11], derived[11];
	enum ident_pcode_form form;
	enum ident_phone_kind pkind = IDENT_PHONE_LV_MOBILE;
	const char	*errstr, *lang;
	sqlite3_stmt	*st;
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
	st = store_stmt(im->s, ST_RESIDENT_UPSERT);
	if (!BIND_OK(sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT)) ||
	    !BIND_OK(sqlite3_bind_text(st, 2, fld(im, R_GIVEN), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_text(st, 3, fld(im, R_FAMILY), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(bind_text_or_null(st, 4, phone)) ||
	    !BIND_OK(phone[0] ? sqlite3_bind_int(st, 5, (int)pkind) :
	    sqlite3_bind_null(st, 5)) ||
	    !BIND_OK(sqlite3_bind_text(st, 6, lang, -1, SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_text(st, 7, fld(im, R_TERRITORY), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_text(st, 8, fld(im, R_ADDRESS), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(bind_text_or_null(st, 9, birth)) ||
	    !BIND_OK(sqlite3_bind_int64(st, 10, (sqlite3_int64)im->now))) {
		imp_err(im, -1, _("database error: %s"), store_errmsg(im->s));
		im->fatal = 1;
		return;
	}
	(void)upsert(im, st, NULL, NULL, 0);
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
	sqlite3_stmt	*st = store_stmt(im->s, ST_PRIORITY_CLASS_EXISTS);
	int		 rc;

	if (sqlite3_bind_int64(st, 1, prio) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else
		rc = sqlite3_step(st);
	(void)sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
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
	sqlite3_stmt	*st;
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
	st = store_stmt(im->s, ST_QUEUE_UPSERT);
	if (!BIND_OK(sqlite3_bind_text(st, 1, child, -1, SQLITE_TRANSIENT)) ||
	    !BIND_OK(sqlite3_bind_text(st, 2, fld(im, Q_GIVEN), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_text(st, 3, fld(im, Q_FAMILY), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_int64(st, 4, gid)) ||
	    !BIND_OK(sqlite3_bind_int64(st, 5, iid)) ||
	    !BIND_OK(sqlite3_bind_text(st, 6, registered, -1,
	    SQLITE_TRANSIENT)) ||
	    !BIND_OK(sqlite3_bind_text(st, 7, fld(im, Q_START), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_int64(st, 8, prio)) ||
	    !BIND_OK(sqlite3_bind_int64(st, 9, (sqlite3_int64)im->now))) {
		imp_err(im, -1, _("database error: %s"), store_errmsg(im->s));
		im->fatal = 1;
		return;
	}
	(void)upsert(im, st, NULL, NULL, 0);
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

static int
fee_make_reference(struct imp *im, int64_t id)
{
	char		 rf[IDENT_RF_SIZE];
	sqlite3_stmt	*st;

	fees_reference_for_id(id, rf);
	st = store_stmt(im->s, ST_FEE_SET_REFERENCE);
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, rf, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    store_exec(im->s, ST_FEE_SET_REFERENCE) == -1) {
		imp_err(im, -1, _("cannot store the reference: %s"),
		    store_errmsg(im->s));
		return -1;
	}
	return 0;
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
	sqlite3_stmt	*st;
	int		 bad = 0, r;

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
	st = store_stmt(im->s, ST_FEE_UPSERT);
	if (!BIND_OK(sqlite3_bind_int64(st, 1, rid)) ||
	    !BIND_OK(sqlite3_bind_text(st, 2, kind->name, -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_text(st, 3, fld(im, F_PERIOD), -1,
	    SQLITE_STATIC)) ||
	    !BIND_OK(sqlite3_bind_int64(st, 4, cents)) ||
	    !BIND_OK(sqlite3_bind_text(st, 5, due, -1, SQLITE_TRANSIENT)) ||
	    !BIND_OK(bind_text_or_null(st, 6, ref)) ||
	    !BIND_OK(sqlite3_bind_int64(st, 7, (sqlite3_int64)im->now))) {
		imp_err(im, -1, _("database error: %s"), store_errmsg(im->s));
		im->fatal = 1;
		return;
	}
	stored[0] = '\0';
	r = upsert(im, st, &fid, stored, sizeof(stored));
	if (r == 1 && stored[0] == '\0')
		(void)fee_make_reference(im, fid);
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
	int	 c, f;
	char	*name;

	im->nheader = im->nfields;
	for (c = 0; im->cols[c].name != NULL; c++)
		im->map[c] = -1;
	for (f = 0; f < im->nfields; f++) {
		name = im->buf + im->off[f];
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
				    im->cols[c].name, im->delim == ';' ?
				    _("semicolons") : im->delim == '\t' ?
				    _("tabs") : _("commas"));
	/* Each row would fail the same way: the header said it all. */
	if (im->row_bad)
		im->fatal = 1;
	im->header_done = 1;
}

static void
record_cb(int c, void *arg)
{
	struct imp	*im = arg;
	int		 f, blank = 1;

	(void)c;
	if (!im->in_record)
		return;		/* no fields: nothing to do */
	if (im->fatal)
		goto done;
	im->row_bad = 0;
	if (!im->header_done) {
		header_row(im);
		goto done;
	}
	for (f = 0; f < im->nfields; f++)
		if (im->buf[im->off[f]] != '\0')
			blank = 0;
	if (blank)
		goto done;	/* ",,,," rows that spreadsheets leave behind */
	im->res->rows++;
	if (im->too_many || im->nfields > im->nheader) {
		imp_err(im, im->nheader, _("row has more fields than the "
		    "header (%d)"), im->nheader);
		goto done;
	}
	if (im->nfields < im->nheader) {
		imp_err(im, im->nfields, _("row has %d fields, the header has "
		    "%d"), im->nfields, im->nheader);
		goto done;
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
done:
	im->in_record = 0;
	im->nfields = 0;
	im->buflen = 0;
	im->too_many = 0;
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
	sqlite3_stmt	*st;
	enum store_stmt	 id;
	int64_t		 n = -1;

	id = kind == IMPORT_RESIDENTS ? ST_RESIDENT_COUNT :
	    kind == IMPORT_QUEUE ? ST_QUEUE_COUNT :
	    kind == IMPORT_FEES ? ST_FEE_COUNT : ST_OUTBOX_COUNT;
	st = store_stmt(s, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	(void)sqlite3_reset(st);
	return n;
}

/*
 * The delimiter of the file: whichever of comma, semicolon (a Latvian
 * spreadsheet's "CSV") and tab its header row holds most of outside
 * quotes; a comma when it holds none. Read off the first line as it
 * passes, so a pipe works as well as a file.
 */
static unsigned char
detect_delim(const char *line, size_t len)
{
	size_t		 n[3] = { 0, 0, 0 }, i;
	int		 quoted = 0;

	for (i = 0; i < len && line[i] != '\n' && line[i] != '\0'; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (line[i] == ',')
			n[0]++;
		else if (line[i] == ';')
			n[1]++;
		else if (line[i] == '\t')
			n[2]++;
	}
	if (n[1] > n[0] && n[1] >= n[2])
		return ';';
	if (n[2] > n[0] && n[2] > n[1])
		return '\t';
	return ',';
}

static void
parse_init(struct imp *im)
{
	if (csv_init(&im->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatalx("csv_init failed");
	csv_set_delim(&im->p, im->delim);
}

/* The record is broken past repair: drop it and resynchronise. */
static void
parse_reset(struct imp *im)
{
	csv_free(&im->p);
	parse_init(im);
	im->in_record = 0;
	im->nfields = 0;
	im->buflen = 0;
	im->too_many = 0;
}

/* The number of priority classes besides 0 (the highest); 0 or -1. */
static int
priority_classes(struct store *s, int64_t *n)
{
	sqlite3_stmt	*st = store_stmt(s, ST_PRIORITY_CLASS_COUNT);
	int		 rc;

	*n = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st,
	    0) > 0)
		*n = sqlite3_column_int64(st, 1);
	(void)sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
import_csv(struct store *s, enum import_kind kind, const char *path,
    const struct import_opts *opts, struct import_result *res)
{
	static const struct import_opts none;
	struct imp	 im;
	struct stat	 sb;
	FILE		*fp;
	struct csvline	*cl = NULL;
	enum csvline_status lst = CSVLINE_EOF;
	const char	*line;
	size_t		 n, fed, skip, feed;
	long		 nul;
	off_t		 done = 0, total = 0;
	size_t		 rec_bytes = 0, more;
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
	im.name = opts->display_name ? opts->display_name : path;
	im.err = opts->errout ? opts->errout : stderr;
	im.now = clock_now();
	clock_date(im.now, im.today, sizeof(im.today));
	im.cols = kind == IMPORT_RESIDENTS ? residents_cols :
	    kind == IMPORT_QUEUE ? queue_cols :
	    kind == IMPORT_FEES ? fees_cols : sms_cols;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(im.err, "%s: %s\n", im.name, strerror(errno));
		res->errors = 1;
		return -1;
	}
	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
		total = sb.st_size;
	im.delim = ',';
	parse_init(&im);
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
	    (kind == IMPORT_QUEUE && priority_classes(s, &im.nclasses) ==
	    -1))) {
		fprintf(im.err, "%s: %s\n", im.name, im.ref == NULL ? errbuf :
		    store_errmsg(s));
		res->errors = 1;
		goto rollback;
	}
	cl = csvline_new(fp);
	while (!im.fatal && (lst = csvline_next(cl, &line, &n)) !=
	    CSVLINE_EOF && lst != CSVLINE_ERROR) {
		im.line++;
		done += (off_t)n;
		/* pstate 0: libcsv is between records (csv.h's struct). */
		if (im.p.pstate == 0)
			im.pending_start = im.line;
		/* A spreadsheet's UTF-8 BOM, before strict quoting sees it. */
		skip = im.line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf",
		    3) == 0 ? 3 : 0;
		if (im.line == 1) {
			im.delim = detect_delim(line + skip, n - skip);
			csv_set_delim(&im.p, im.delim);
		}
		/*
		 * Parse up to a NUL only: libcsv would pass it on inside the
		 * field, and everything after it would vanish from the row.
		 */
		nul = csvline_nul(line + skip, n - skip);
		feed = nul >= 0 ? (size_t)nul : n - skip;
		fed = csv_parse(&im.p, line + skip, feed, field_cb, record_cb,
		    &im);
		if (fed != feed) {
			im.rec_line = im.line;
			imp_err(&im, im.nfields, _("malformed quoting: a quote "
			    "inside an unquoted field, or text after a "
			    "closing quote"));
			parse_reset(&im);
			rec_bytes = 0;
			continue;
		}
		if (nul >= 0 || lst == CSVLINE_LONG) {
			im.rec_line = im.line;
			if (nul >= 0)
				imp_err(&im, im.nfields, _("a NUL byte (byte %ld "
				    "of the line): this is not a text file"),
				    nul + (long)skip + 1);
			else
				imp_err(&im, im.nfields, _("the line is longer "
				    "than %d bytes"), CSVLINE_MAX);
			parse_reset(&im);
			rec_bytes = 0;
			continue;
		}
		/* Bound a record so one stray quote cannot eat the file. */
		if (im.p.pstate != 0) {
			rec_bytes += (size_t)n;
			if (rec_bytes > IMPORT_MAX_RECORD) {
				im.rec_line = im.pending_start;
				imp_err(&im, im.nfields, _("record is longer "
				    "than %d bytes: is a closing quote "
				    "missing?"), IMPORT_MAX_RECORD);
				parse_reset(&im);
				rec_bytes = 0;
			}
		} else
			rec_bytes = 0;
		if (opts->progress != NULL && im.line % 10000 == 0)
			opts->progress(opts->arg, res->rows, done, total);
	}
	if (lst == CSVLINE_ERROR) {
		/* Never the end of the file: what follows would be lost. */
		fprintf(im.err, "%s:%d: %s: %s\n", im.name, im.line + 1,
		    _("read error"), strerror(errno));
		res->errors++;
		goto rollback;
	}
	if (!im.fatal && csv_fini(&im.p, field_cb, record_cb, &im) != 0) {
		im.rec_line = im.pending_start;
		imp_err(&im, im.nfields, _("a quoted field is not closed "
		    "before the end of the file"));
	}
	if (opts->progress != NULL)
		opts->progress(opts->arg, res->rows, done, total);
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
	if (store_audit(s, "import", kind == IMPORT_RESIDENTS ? "residents" :
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
	csv_free(&im.p);
	strset_free(im.keys);
	refdata_free(im.ref);
	csvline_free(cl);
	free(im.buf);
	fclose(fp);
	return ok;
}
