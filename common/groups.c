/*
 * groups: rule and manual groups in the groups and group_members tables,
 * and their resolution into members. Rule groups go through the rule
 * compiler; manual groups through ST_GROUP_MANUAL_MEMBERS, which has the
 * same columns, so a broadcast cannot tell the two apart.
 */
#include <csv.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "clock.h"
#include "csvline.h"
#include "groups.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "rule.h"
#include "store.h"
#include "strset.h"
#include "util.h"

#define FILE_RECORD_MAX		4096	/* bytes in one CSV record */
#define FILE_FIELDS_MAX		32
#define FILE_ERRORS_SHOWN	20

int
groups_name_valid(const char *name, const char **errstr)
{
	size_t		 len = strlen(name), i;

	if (len == 0 || len > GROUPS_NAME_MAX) {
		*errstr = N_("a group name has 1-64 bytes");
		return -1;
	}
	if (!util_utf8_valid(name, len)) {
		*errstr = N_("a group name must be UTF-8");
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			*errstr = N_("a group name holds no control "
			    "characters");
			return -1;
		}
	/* It would read as an option, or trip up whoever types it. */
	if (name[0] == '-' || name[0] == ' ' || name[len - 1] == ' ') {
		*errstr = N_("a group name does not start with '-' or begin or "
		    "end with a space");
		return -1;
	}
	return 0;
}

static void
row_info(sqlite3_stmt *st, struct groups_info *g)
{
	char	 kind[16];

	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, g->name, sizeof(g->name));
	store_col_text(st, 2, kind, sizeof(kind));
	g->is_rule = strcmp(kind, "rule") == 0;
	store_col_text(st, 3, g->rule, sizeof(g->rule));
	store_col_text(st, 4, g->created_by, sizeof(g->created_by));
	g->created_at = (time_t)sqlite3_column_int64(st, 5);
}

/* 0 found, 1 not, -1 error: by name (name != NULL) or id. */
static int
lookup(struct store *s, const char *name, int64_t id, struct groups_info *g)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (name != NULL) {
		st = store_stmt(s, ST_GROUP_BY_NAME);
		rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	} else {
		st = store_stmt(s, ST_GROUP_BY_ID);
		rc = sqlite3_bind_int64(st, 1, id);
	}
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_info(st, g);
	(void)sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
groups_get(struct store *s, int64_t id, struct groups_info *g)
{
	return lookup(s, NULL, id, g);
}

int
groups_find(struct store *s, const char *name, struct groups_info *g,
    char *err, size_t errsize)
{
	sqlite3_stmt	*st;
	const char	*cand;
	char		 best[GROUPS_NAME_MAX + 1] = "";
	size_t		 d, bestd = SIZE_MAX;
	int		 r, rc;

	if ((r = lookup(s, name, 0, g)) != 1) {
		if (r == -1)
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return r;
	}
	st = store_stmt(s, ST_GROUP_NAMES);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cand = (const char *)sqlite3_column_text(st, 0);
		if (cand == NULL)
			continue;
		d = strcasecmp(cand, name) == 0 ? 0 :
		    util_edit_distance(cand, name);
		if (d < bestd) {
			bestd = d;
			(void)util_strlcpy(best, cand, sizeof(best));
		}
	}
	(void)sqlite3_reset(st);
	if (rc == SQLITE_DONE && best[0] != '\0' &&
	    bestd <= 1 + strlen(name) / 4)
		(void)util_snprintf(err, errsize, _("no group is named '%s' "
		    "(did you mean '%s'?)"), name, best);
	else
		(void)util_snprintf(err, errsize, _("no group is named '%s' "
		    "(munictl group list shows them)"), name);
	return 1;
}

int
groups_list(struct store *s, int (*cb)(void *, const struct groups_info *),
    void *arg)
{
	sqlite3_stmt		*st = store_stmt(s, ST_GROUP_LIST);
	struct groups_info	 g;
	int			 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_info(st, &g);
		if (cb(arg, &g) == -1) {
			(void)sqlite3_reset(st);
			return -1;
		}
	}
	(void)sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
groups_remove(struct store *s, const char *name, char *err, size_t errsize)
{
	struct groups_info	 g;
	sqlite3_stmt		*st;
	int64_t			 busy = 0;
	int			 r, rc;

	if ((r = groups_find(s, name, &g, err, errsize)) != 0)
		return r == 1 ? 1 : -1;
	if (store_begin(s) == -1)
		goto dberr;
	st = store_stmt(s, ST_GROUP_BUSY);
	if (sqlite3_bind_int64(st, 1, g.id) != SQLITE_OK)
		goto dberr_tx;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		busy = sqlite3_column_int64(st, 0);
	(void)sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto dberr_tx;
	if (busy != 0) {
		store_rollback(s);
		(void)util_snprintf(err, errsize, _("group '%s' cannot be "
		    "removed: broadcast %lld still goes to it (cancel it "
		    "first: munictl broadcast cancel %lld)"), g.name,
		    (long long)busy, (long long)busy);
		return 2;
	}
	if (sqlite3_bind_int64(store_stmt(s, ST_GROUP_UNLINK), 1, g.id) !=
	    SQLITE_OK || store_exec(s, ST_GROUP_UNLINK) == -1 ||
	    sqlite3_bind_int64(store_stmt(s, ST_GROUP_DELETE), 1, g.id) !=
	    SQLITE_OK || store_exec(s, ST_GROUP_DELETE) == -1 ||
	    store_commit(s) == -1)
		goto dberr_tx;
	return 0;
dberr_tx:
	store_rollback(s);
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	return -1;
}

/* Insert the groups row; err says why not. */
static int64_t
insert_group(struct store *s, const char *name, const char *kind,
    const char *rule, const char *actor, char *err, size_t errsize)
{
	struct groups_info	 g;
	sqlite3_stmt		*st;
	const char		*errstr;
	int			 r;

	if (groups_name_valid(name, &errstr) == -1) {
		(void)util_strlcpy(err, _(errstr), errsize);
		return -1;
	}
	if ((r = lookup(s, name, 0, &g)) != 1) {
		if (r == 0)
			(void)util_snprintf(err, errsize, _("a group named "
			    "'%s' exists already"), name);
		else
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return -1;
	}
	st = store_stmt(s, ST_GROUP_INSERT);
	if (sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC) != SQLITE_OK ||
	    (rule != NULL ? sqlite3_bind_text(st, 3, rule, -1, SQLITE_STATIC) :
	    sqlite3_bind_null(st, 3)) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, actor != NULL ? actor : "", -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)clock_now()) !=
	    SQLITE_OK || store_exec(s, ST_GROUP_INSERT) == -1) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	return store_last_rowid(s);
}

int64_t
groups_add_rule(struct store *s, const char *name, const char *text,
    const char *actor, void (*warn)(void *, const char *), void *arg,
    char *err, size_t errsize)
{
	struct rule	*r;
	int64_t		 id;
	char		 detail[GROUPS_NAME_MAX + 32];

	if ((r = rule_parse(text, err, errsize)) == NULL)
		return -1;
	if (rule_check(s, r, warn, arg, err, errsize) == -1) {
		rule_free(r);
		return -1;
	}
	rule_free(r);
	if (store_begin(s) == -1) {
		(void)util_strlcpy(err, _("cannot start a transaction: the "
		    "database is busy or read-only"), errsize);
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "rule group %s", name);
	if ((id = insert_group(s, name, "rule", text, actor, err,
	    errsize)) == -1 ||
	    store_audit(s, actor != NULL ? actor : "", "group add",
	    detail) == -1 || store_commit(s) == -1) {
		if (id != -1)
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		store_rollback(s);
		return -1;
	}
	return id;
}

/* Reading a manual group's file. */

struct gfile {
	struct store		*s;
	int64_t			 gid;
	const char		*name;		/* for FILE:LINE:COLUMN */
	FILE			*err;
	struct groups_file_result *res;
	struct strset		*seen;
	struct csv_parser	 p;
	int			 line, rec_line, pending_start;
	int			 header_done;
	int			 col_code, col_phone;	/* field or -1 */
	int			 headerless;
	int			 fatal;
	char			*buf;		/* the record's fields */
	size_t			 buflen;
	size_t			 off[FILE_FIELDS_MAX];
	int			 nfields;
	int			 too_big;	/* a field was dropped */
};

static void gf_err(struct gfile *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
gf_err(struct gfile *gf, int field, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	if (gf->res->errors++ >= FILE_ERRORS_SHOWN)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Belt and braces: no message here quotes a value, but if one did. */
	(void)log_scrub(msg);
	if (field >= 0)
		fprintf(gf->err, "%s:%d:%d: %s\n", gf->name, gf->rec_line,
		    field + 1, msg);
	else
		fprintf(gf->err, "%s:%d: %s\n", gf->name, gf->rec_line, msg);
}

static void
gf_field(void *data, size_t len, void *arg)
{
	struct gfile	*gf = arg;

	(void)data;
	if (gf->nfields == 0)
		gf->rec_line = gf->pending_start;
	if (gf->nfields >= FILE_FIELDS_MAX || gf->buflen + len + 1 >
	    FILE_RECORD_MAX) {
		gf->nfields++;
		gf->too_big = 1;	/* reported by the record */
		return;
	}
	memcpy(gf->buf + gf->buflen, data, len);
	gf->off[gf->nfields++] = gf->buflen;
	gf->buflen += len;
	gf->buf[gf->buflen++] = '\0';
}

static const char *
gf_get(struct gfile *gf, int f)
{
	if (f < 0 || f >= gf->nfields || f >= FILE_FIELDS_MAX)
		return "";
	return gf->buf + gf->off[f];
}

/* Add one member (resident id, or 0 and a phone) unless already there. */
static int
gf_add(struct gfile *gf, int64_t rid, const char *phone)
{
	sqlite3_stmt	*st;
	char		 key[32];

	if (rid > 0)
		(void)util_snprintf(key, sizeof(key), "r%lld",
		    (long long)rid);
	else
		(void)util_snprintf(key, sizeof(key), "p%s", phone);
	if (strset_add(gf->seen, key, 0, NULL) == 0) {
		gf->res->duplicates++;
		return 0;
	}
	st = store_stmt(gf->s, ST_GROUP_MEMBER_INSERT);
	if (sqlite3_bind_int64(st, 1, gf->gid) != SQLITE_OK ||
	    (rid > 0 ? sqlite3_bind_int64(st, 2, rid) :
	    sqlite3_bind_null(st, 2)) != SQLITE_OK ||
	    (rid > 0 ? sqlite3_bind_null(st, 3) :
	    sqlite3_bind_text(st, 3, phone, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    store_exec(gf->s, ST_GROUP_MEMBER_INSERT) == -1)
		return -1;
	if (rid > 0)
		gf->res->residents++;
	else
		gf->res->phones++;
	return 0;
}

/* The resident id for statement id bound to key: >0, 0 none, -1 error. */
static int64_t
resident_by(struct store *s, enum store_stmt id, const char *key)
{
	sqlite3_stmt	*st = store_stmt(s, id);
	int64_t		 rid = 0;
	int		 rc;

	if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rid = sqlite3_column_int64(st, 0);
	(void)sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? rid : -1;
}

static int
gf_code(struct gfile *gf, int field, const char *v)
{
	char			 code[IDENT_PCODE_SIZE];
	enum ident_pcode_form	 form;
	const char		*errstr;
	int64_t			 rid;

	if (ident_pcode_parse(v, code, &form, &errstr) == -1) {
		gf_err(gf, field, "%s", _(errstr));
		return 0;
	}
	if ((rid = resident_by(gf->s, ST_RESIDENT_ID_BY_CODE, code)) == -1)
		return -1;
	if (rid == 0) {
		gf_err(gf, field, "%s", _("no resident has this personal "
		    "code"));
		return 0;
	}
	return gf_add(gf, rid, NULL);
}

static int
gf_phone(struct gfile *gf, int field, const char *v)
{
	char			 phone[IDENT_PHONE_SIZE];
	enum ident_phone_kind	 kind;
	const char		*errstr;
	int64_t			 rid;

	if (ident_phone_parse(v, phone, &kind, &errstr) == -1) {
		gf_err(gf, field, "%s", _(errstr));
		return 0;
	}
	if (kind == IDENT_PHONE_LV_FIXED) {
		gf_err(gf, field, "%s", _("a fixed-line number cannot receive "
		    "SMS"));
		return 0;
	}
	if ((rid = resident_by(gf->s, ST_GROUP_RESIDENT_BY_PHONE,
	    phone)) == -1)
		return -1;
	return gf_add(gf, rid, rid > 0 ? NULL : phone);
}

/*
 * A value of a header-less file: a personal code or a phone number. An
 * eleven-digit 3712... is both (a new-form code or +371 2...): refuse it.
 */
static int
gf_any(struct gfile *gf, const char *v)
{
	char			 code[IDENT_PCODE_SIZE];
	char			 phone[IDENT_PHONE_SIZE];
	enum ident_pcode_form	 form;
	enum ident_phone_kind	 kind;
	const char		*errstr;
	int			 is_code, is_phone;

	is_code = ident_pcode_parse(v, code, &form, &errstr) == 0;
	is_phone = ident_phone_parse(v, phone, &kind, &errstr) == 0;
	if (is_code && is_phone) {
		gf_err(gf, 0, "%s", _("could be a personal code or a phone "
		    "number: write phones as +371..., or add a header row"));
		return 0;
	}
	if (is_code)
		return gf_code(gf, 0, v);
	if (is_phone)
		return gf_phone(gf, 0, v);
	gf_err(gf, 0, "%s", _("neither a personal code nor a phone number"));
	return 0;
}

static int
gf_header(struct gfile *gf)
{
	int	 i;
	char	 low[64];

	gf->col_code = gf->col_phone = -1;
	for (i = 0; i < gf->nfields && i < FILE_FIELDS_MAX; i++) {
		(void)util_strlcpy(low, gf_get(gf, i), sizeof(low));
		(void)util_trim(low);
		if (strcasecmp(low, "personal_code") == 0)
			gf->col_code = i;
		else if (strcasecmp(low, "phone") == 0)
			gf->col_phone = i;
	}
	if (gf->col_code >= 0 || gf->col_phone >= 0)
		return 0;
	/* No header: one column of codes or numbers, from this line on. */
	if (gf->nfields == 1) {
		gf->headerless = 1;
		return 1;
	}
	gf_err(gf, -1, "%s", _("the header names no personal_code or phone "
	    "column"));
	return 0;
}

static void
gf_record(int c, void *arg)
{
	struct gfile	*gf = arg;
	const char	*code, *phone;
	char		 v[FILE_RECORD_MAX];
	int		 r = 0;

	(void)c;
	if (gf->fatal || gf->nfields == 0)
		goto done;
	if (gf->too_big) {
		gf_err(gf, -1, _("a record has more than %d fields or %d "
		    "bytes"), FILE_FIELDS_MAX, FILE_RECORD_MAX);
		goto done;
	}
	if (!gf->header_done) {
		gf->header_done = 1;
		if (gf_header(gf) == 0)
			goto done;
	}
	/* A blank line (one empty field) is no row. */
	if (gf->nfields == 1 && gf_get(gf, 0)[0] == '\0')
		goto done;
	if (gf->res->rows++ >= GROUPS_FILE_MAX_ROWS) {
		if (gf->res->rows == GROUPS_FILE_MAX_ROWS + 1)
			gf_err(gf, -1, _("a group file holds at most %d rows"),
			    GROUPS_FILE_MAX_ROWS);
		goto done;
	}
	if (gf->headerless) {
		(void)util_strlcpy(v, gf_get(gf, 0), sizeof(v));
		(void)util_trim(v);
		r = gf_any(gf, v);
		goto done;
	}
	code = gf_get(gf, gf->col_code);
	phone = gf_get(gf, gf->col_phone);
	(void)util_strlcpy(v, code, sizeof(v));
	(void)util_trim(v);
	if (v[0] != '\0') {
		r = gf_code(gf, gf->col_code, v);
		goto done;
	}
	(void)util_strlcpy(v, phone, sizeof(v));
	(void)util_trim(v);
	if (v[0] != '\0')
		r = gf_phone(gf, gf->col_phone, v);
	else
		gf_err(gf, -1, "%s", _("the row has neither a personal code "
		    "nor a phone number"));
done:
	if (r == -1)
		gf->fatal = 1;
	gf->nfields = 0;
	gf->buflen = 0;
	gf->too_big = 0;
}

int64_t
groups_add_file(struct store *s, const char *name, const char *path,
    const char *actor, FILE *errout, struct groups_file_result *res,
    char *err, size_t errsize)
{
	struct gfile	 gf;
	FILE		*fp;
	struct csvline	*cl;
	enum csvline_status lst = CSVLINE_EOF;
	const char	*line;
	char		 detail[GROUPS_NAME_MAX + 32];
	size_t		 n, skip, fed, feed, rec_bytes = 0;
	long		 nul;
	int64_t		 id = -1;

	memset(res, 0, sizeof(*res));
	memset(&gf, 0, sizeof(gf));
	gf.s = s;
	gf.name = path;
	gf.err = errout != NULL ? errout : stderr;
	gf.res = res;
	if ((fp = fopen(path, "r")) == NULL) {
		(void)util_snprintf(err, errsize, "%s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (csv_init(&gf.p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatalx("csv_init failed");
	gf.buf = xmalloc(FILE_RECORD_MAX + 1);
	cl = csvline_new(fp);
	gf.seen = strset_new();
	if (store_begin(s) == -1) {
		(void)util_strlcpy(err, _("cannot start a transaction: the "
		    "database is busy or read-only"), errsize);
		goto out;
	}
	if ((gf.gid = insert_group(s, name, "manual", NULL, actor, err,
	    errsize)) == -1)
		goto rollback;
	while (!gf.fatal && (lst = csvline_next(cl, &line, &n)) !=
	    CSVLINE_EOF && lst != CSVLINE_ERROR) {
		gf.line++;
		if (gf.p.pstate == 0)
			gf.pending_start = gf.line;
		skip = gf.line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf",
		    3) == 0 ? 3 : 0;
		/* Up to a NUL only: libcsv would keep it inside the field. */
		nul = csvline_nul(line + skip, n - skip);
		feed = nul >= 0 ? (size_t)nul : n - skip;
		fed = csv_parse(&gf.p, line + skip, feed, gf_field, gf_record,
		    &gf);
		if (fed != feed) {
			gf.rec_line = gf.line;
			gf_err(&gf, -1, "%s", _("malformed quoting"));
			break;
		}
		if (nul >= 0) {
			gf.rec_line = gf.line;
			gf_err(&gf, gf.nfields, _("a NUL byte (byte %ld of the "
			    "line): this is not a text file"),
			    nul + (long)skip + 1);
			break;
		}
		if (lst == CSVLINE_LONG) {
			gf.rec_line = gf.line;
			gf_err(&gf, gf.nfields, _("the line is longer than %d "
			    "bytes"), CSVLINE_MAX);
			break;
		}
		rec_bytes = gf.p.pstate != 0 ? rec_bytes + (size_t)n : 0;
		if (rec_bytes > FILE_RECORD_MAX) {
			gf.rec_line = gf.pending_start;
			gf_err(&gf, -1, _("a record is longer than %d bytes: "
			    "is a closing quote missing?"), FILE_RECORD_MAX);
			break;
		}
	}
	if (lst == CSVLINE_ERROR) {
		/* Never the end of the file: members would be lost. */
		(void)util_snprintf(err, errsize, "%s:%d: %s: %s", path,
		    gf.line + 1, _("read error"), strerror(errno));
		goto rollback;
	}
	if (!gf.fatal && res->errors == 0 && csv_fini(&gf.p, gf_field,
	    gf_record, &gf) != 0) {
		gf.rec_line = gf.pending_start;
		gf_err(&gf, -1, "%s", _("a quoted field is not closed before "
		    "the end of the file"));
	}
	if (gf.fatal) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		goto rollback;
	}
	if (res->errors > FILE_ERRORS_SHOWN)
		fprintf(gf.err, _("%s: %zu more errors not shown\n"), path,
		    res->errors - FILE_ERRORS_SHOWN);
	if (res->errors > 0) {
		(void)util_snprintf(err, errsize, _("%s: %zu errors; no group "
		    "was added"), path, res->errors);
		goto rollback;
	}
	if (res->residents + res->phones == 0) {
		(void)util_snprintf(err, errsize, _("%s: no members; no group "
		    "was added"), path);
		goto rollback;
	}
	(void)util_snprintf(detail, sizeof(detail), "manual group %s", name);
	if (store_audit(s, actor != NULL ? actor : "", "group add",
	    detail) == -1 || store_commit(s) == -1) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		goto rollback;
	}
	id = gf.gid;
	goto out;
rollback:
	store_rollback(s);
out:
	csv_free(&gf.p);
	strset_free(gf.seen);
	free(gf.buf);
	csvline_free(cl);
	fclose(fp);
	return id;
}

int64_t
groups_count(struct store *s, const struct groups_info *g, char *err,
    size_t errsize)
{
	struct rule	*r;
	sqlite3_stmt	*st;
	int64_t		 n = -1;
	int		 rc;

	if (!g->is_rule) {
		st = store_stmt(s, ST_GROUP_MEMBER_COUNT);
		if (sqlite3_bind_int64(st, 1, g->id) != SQLITE_OK)
			goto dberr;
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		(void)sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			goto dberr;
		return n;
	}
	if ((r = rule_parse(g->rule, err, errsize)) == NULL)
		return -1;
	st = rule_prepare(s, r, RULE_COUNT, err, errsize);
	rule_free(r);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return n;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	return -1;
}

static const char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : NULL;
}

/* "CENTS YYYY-MM-DD" (or NULL) into its two parts; -1 and "" for none. */
static void
owed(const char *t, int64_t *cents, char *due, size_t size)
{
	const char	*sp, *errstr;
	char		 num[24];
	long long	 v;

	*cents = -1;
	due[0] = '\0';
	if (t == NULL || (sp = strchr(t, ' ')) == NULL ||
	    (size_t)(sp - t) >= sizeof(num))
		return;
	(void)util_snprintf(num, sizeof(num), "%.*s", (int)(sp - t), t);
	if (util_strtonum(num, 0, INT64_MAX, &v, &errstr) == -1)
		return;
	*cents = v;
	(void)util_strlcpy(due, sp + 1, size);
}

/*
 * Residents whose subscription to a topic is not its default, sorted: a
 * one-run resolution looks members up here instead of running a subquery
 * per member (a B-tree descent each, a seventh of a preview's time). A
 * chunked resolution keeps the subquery, so a STOP that arrives while a
 * broadcast is being queued is seen by the chunks after it.
 */
struct subx {
	int64_t		*ids;
	size_t		 n, cap;
};

static int
subx_load(struct store *s, const struct groups_extras *x, struct subx *e)
{
	sqlite3_stmt	*st = store_stmt(s, ST_GROUP_SUB_EXCEPTIONS);
	int		 rc;

	memset(e, 0, sizeof(*e));
	if (sqlite3_bind_int64(st, 1, x->topic_id) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, x->topic_default) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (e->n == e->cap) {
			e->cap = e->cap ? e->cap * 2 : 1024;
			e->ids = xreallocarray(e->ids, e->cap,
			    sizeof(*e->ids));
		}
		e->ids[e->n++] = sqlite3_column_int64(st, 0);
	}
	(void)sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(e->ids);
		e->ids = NULL;
		return -1;
	}
	return 0;
}

static int
subx_has(const struct subx *e, int64_t id)
{
	size_t	 lo = 0, hi = e->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->n && e->ids[lo] == id;
}

int
groups_resolve(struct store *s, const struct groups_info *g,
    const struct groups_extras *x, size_t chunk, groups_member_cb cb,
    void *arg, char *err, size_t errsize)
{
	struct subx		 subx;
	int			 use_subx;
	struct groups_extras	 none;
	struct groups_member	 m;
	struct rule		*r;
	sqlite3_stmt		*st;
	char			 phone[IDENT_PHONE_SIZE], due[16];
	enum ident_phone_kind	 kind;
	const char		*errstr, *t;
	int64_t			 cursor = 0;
	size_t			 n;
	int			 rc = SQLITE_OK, stopped = 0;

	if (x == NULL) {
		memset(&none, 0, sizeof(none));
		x = &none;
	}
	if (chunk == 0)
		chunk = GROUPS_CHUNK_DEFAULT;
	memset(&subx, 0, sizeof(subx));
	use_subx = chunk == GROUPS_CHUNK_ALL && x->topic_id > 0;
	if (use_subx && subx_load(s, x, &subx) == -1) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	if (g->is_rule) {
		if ((r = rule_parse(g->rule, err, errsize)) == NULL)
			return -1;
		st = rule_prepare(s, r, chunk == GROUPS_CHUNK_ALL ?
		    RULE_MEMBERS_ONCE : RULE_MEMBERS, err, errsize);
		rule_free(r);
		if (st == NULL) {
			free(subx.ids);
			return -1;
		}
	} else {
		st = store_stmt(s, ST_GROUP_MANUAL_MEMBERS);
		if (sqlite3_bind_int64(st, 3, g->id) != SQLITE_OK)
			goto dberr;
	}
	/* ?4 NULL: every member subscribed, subx decides instead. */
	if ((x->topic_id > 0 && !use_subx ? sqlite3_bind_int64(st, 4,
	    x->topic_id) : sqlite3_bind_null(st, 4)) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, x->topic_default) != SQLITE_OK ||
	    (x->fee_kind != NULL ? sqlite3_bind_text(st, 6, x->fee_kind, -1,
	    SQLITE_TRANSIENT) : sqlite3_bind_null(st, 6)) != SQLITE_OK ||
	    (x->queue ? sqlite3_bind_int(st, 7, 1) :
	    sqlite3_bind_null(st, 7)) != SQLITE_OK ||
	    (x->institution != NULL ? sqlite3_bind_text(st, 8,
	    x->institution, -1, SQLITE_TRANSIENT) :
	    sqlite3_bind_null(st, 8)) != SQLITE_OK)
		goto dberr;
	do {
		/*
		 * A fresh run per chunk: no statement stays open across the
		 * caller's commits, so each chunk reads the newest data.
		 */
		(void)sqlite3_reset(st);
		if (sqlite3_bind_int64(st, 1, cursor) != SQLITE_OK ||
		    sqlite3_bind_int64(st, 2, chunk > INT64_MAX ? INT64_MAX :
		    (sqlite3_int64)chunk) != SQLITE_OK)
			goto dberr;
		n = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			n++;
			cursor = sqlite3_column_int64(st, 0);
			memset(&m, 0, sizeof(m));
			m.resident_id = sqlite3_column_int64(st, 1);
			m.phone = col_str(st, 2);
			m.phone_kind = sqlite3_column_type(st, 3) ==
			    SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
			if (m.phone != NULL && (m.resident_id == 0 ||
			    m.phone_kind < 0)) {
				/* A phone-only member: the kind from the
				 * number itself. */
				if (ident_phone_parse(m.phone, phone, &kind,
				    &errstr) == 0) {
					m.phone_kind = (int)kind;
					m.phone = phone;
				} else
					m.phone = NULL;
			}
			t = col_str(st, 4);
			m.given_name = t != NULL ? t : "";
			t = col_str(st, 5);
			m.family_name = t != NULL ? t : "";
			t = col_str(st, 6);
			m.lang = t != NULL ? t : "lv";
			if (use_subx)
				m.subscribed = (x->topic_default != 0) !=
				    (m.resident_id > 0 &&
				    subx_has(&subx, m.resident_id));
			else
				m.subscribed = sqlite3_column_int(st, 7) != 0;
			owed(col_str(st, 8), &m.owed_cents, due,
			    sizeof(due));
			m.due_date = due[0] != '\0' ? due : NULL;
			m.queue_entry = sqlite3_column_int64(st, 9);
			if (cb(arg, &m) == -1) {
				stopped = 1;
				break;
			}
		}
		(void)sqlite3_reset(st);
		if (stopped)
			break;
		if (rc != SQLITE_DONE)
			goto dberr;
		if (cb(arg, NULL) == -1) {
			stopped = 1;
			break;
		}
	} while (n == chunk);
	if (g->is_rule)
		sqlite3_finalize(st);
	free(subx.ids);
	return stopped ? -1 : 0;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	free(subx.ids);
	if (g->is_rule)
		sqlite3_finalize(st);
	else
		(void)sqlite3_reset(st);
	return -1;
}

/*
 * One resident against a rule group: the members statement from just
 * below the resident, one row, so the index on residents finds it
 * however large the group (issue 21's eligibility checks).
 */
int
groups_rule_has(struct store *s, const struct groups_info *g,
    int64_t resident_id, char *err, size_t errsize)
{
	struct rule	*r;
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	if (!g->is_rule || resident_id <= 0) {
		(void)util_strlcpy(err, "groups_rule_has: not a rule group",
		    errsize);
		return -1;
	}
	if ((r = rule_parse(g->rule, err, errsize)) == NULL)
		return -1;
	st = rule_prepare(s, r, RULE_MEMBERS, err, errsize);
	rule_free(r);
	if (st == NULL)
		return -1;
	/* ?4-?8 NULL: no subscription, fee or queue columns. */
	if (sqlite3_bind_int64(st, 1, resident_id - 1) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, 1) != SQLITE_OK ||
	    sqlite3_bind_null(st, 4) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, 0) != SQLITE_OK ||
	    sqlite3_bind_null(st, 6) != SQLITE_OK ||
	    sqlite3_bind_null(st, 7) != SQLITE_OK ||
	    sqlite3_bind_null(st, 8) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = sqlite3_column_int64(st, 1) == resident_id;
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE)
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? found : -1;
}
