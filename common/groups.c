/*
 * groups: rule and manual groups in the groups and group_members tables,
 * and their resolution into members. Rule groups go through the rule
 * compiler; manual groups through ST_GROUP_MANUAL_MEMBERS, which has the
 * same columns, so a broadcast cannot tell the two apart.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "clock.h"
#include "csvread.h"
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
row_info(struct store_cur *c, struct groups_info *g)
{
	memset(g, 0, sizeof(*g));
	g->id = store_i64(c, 0);
	store_text(c, 1, g->name, sizeof(g->name));
	g->is_rule = strcmp(store_str(c, 2), "rule") == 0;
	store_text(c, 3, g->rule, sizeof(g->rule));
	store_text(c, 4, g->created_by, sizeof(g->created_by));
	g->created_at = (time_t)store_i64(c, 5);
}

/* 0 found, 1 not, -1 error: by name (name != NULL) or id. */
static int
lookup(struct store *s, const char *name, int64_t id, struct groups_info *g)
{
	struct store_cur	*c;
	int			 rc;

	if (name != NULL) {
		c = store_cur(s, ST_GROUP_BY_NAME);
		rc = store_bind(c, "s", name);
	} else {
		c = store_cur(s, ST_GROUP_BY_ID);
		rc = store_bind(c, "I", id);
	}
	if (rc != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		row_info(c, g);
	store_reset(c);
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
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
	struct store_cur *c;
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
	c = store_cur(s, ST_GROUP_NAMES);
	while ((rc = store_step(c)) == STORE_ROW) {
		if (store_isnull(c, 0))
			continue;
		cand = store_str(c, 0);
		d = strcasecmp(cand, name) == 0 ? 0 :
		    util_edit_distance(cand, name);
		if (d < bestd) {
			bestd = d;
			(void)util_strlcpy(best, cand, sizeof(best));
		}
	}
	store_reset(c);
	if (rc == STORE_OK && best[0] != '\0' &&
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
	struct store_cur	*c = store_cur(s, ST_GROUP_LIST);
	struct groups_info	 g;
	int			 rc;

	while ((rc = store_step(c)) == STORE_ROW) {
		row_info(c, &g);
		if (cb(arg, &g) == -1) {
			store_reset(c);
			return -1;
		}
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

int
groups_remove(struct store *s, const char *name, char *err, size_t errsize)
{
	struct groups_info	 g;
	int64_t			 busy = 0;
	int			 r;

	if ((r = groups_find(s, name, &g, err, errsize)) != 0)
		return r == 1 ? 1 : -1;
	if (store_begin(s) == -1)
		goto dberr;
	if (store_one_i64(s, ST_GROUP_BUSY, &busy, "I", g.id) < 0)
		goto dberr_tx;
	if (busy != 0) {
		store_rollback(s);
		(void)util_snprintf(err, errsize, _("group '%s' cannot be "
		    "removed: broadcast %lld still goes to it (cancel it "
		    "first: munictl broadcast cancel %lld)"), g.name,
		    (long long)busy, (long long)busy);
		return 2;
	}
	if (store_do(s, ST_GROUP_UNLINK, "I", g.id) != STORE_OK ||
	    store_do(s, ST_GROUP_DELETE, "I", g.id) != STORE_OK ||
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
	if (store_do(s, ST_GROUP_INSERT, "sssst", name, kind, rule,
	    actor != NULL ? actor : "", clock_now()) != STORE_OK) {
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
	struct csvread		*cr;		/* the file's records */
	int			 rec_line;
	int			 header_done;
	int			 col_code, col_phone;	/* field or -1 */
	int			 headerless;
	int			 fatal;
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

static const char *
gf_get(struct gfile *gf, int f)
{
	return csvread_field(gf->cr, f);
}

/* Add one member (resident id, or 0 and a phone) unless already there. */
static int
gf_add(struct gfile *gf, int64_t rid, const char *phone)
{
	char		 key[32];
	int		 rc;

	if (rid > 0)
		(void)util_snprintf(key, sizeof(key), "r%lld",
		    (long long)rid);
	else
		(void)util_snprintf(key, sizeof(key), "p%s", phone);
	if (strset_add(gf->seen, key, 0, NULL) == 0) {
		gf->res->duplicates++;
		return 0;
	}
	/* A member is a resident or a bare phone, never both. */
	if (rid > 0)
		rc = store_do(gf->s, ST_GROUP_MEMBER_INSERT, "IIn", gf->gid,
		    rid);
	else
		rc = store_do(gf->s, ST_GROUP_MEMBER_INSERT, "Ins", gf->gid,
		    phone);
	if (rc != STORE_OK)
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
	int64_t		 rid = 0;

	if (store_one_i64(s, id, &rid, "s", key) < 0)
		return -1;
	return rid;
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
	for (i = 0; i < csvread_nfields(gf->cr); i++) {
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
	if (csvread_nfields(gf->cr) == 1) {
		gf->headerless = 1;
		return 1;
	}
	gf_err(gf, -1, "%s", _("the header names no personal_code or phone "
	    "column"));
	return 0;
}

static void
gf_record(void *arg, struct csvread *cr)
{
	struct gfile	*gf = arg;
	const char	*code, *phone;
	char		 v[FILE_RECORD_MAX];
	int		 r = 0;

	if (gf->fatal)
		return;
	gf->rec_line = csvread_record_line(cr);
	if (csvread_too_many(cr)) {
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
	if (csvread_nfields(cr) == 1 && gf_get(gf, 0)[0] == '\0')
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
}

int64_t
groups_add_file(struct store *s, const char *name, const char *path,
    const char *actor, FILE *errout, struct groups_file_result *res,
    char *err, size_t errsize)
{
	struct gfile	 gf;
	struct csvread_opts co;
	FILE		*fp;
	enum csvread_status st = CSVREAD_EOF;
	char		 detail[GROUPS_NAME_MAX + 32];
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
	memset(&co, 0, sizeof(co));
	co.max_fields = FILE_FIELDS_MAX;
	co.max_bytes = FILE_RECORD_MAX;
	co.max_record = FILE_RECORD_MAX;
	co.record = gf_record;
	co.arg = &gf;
	gf.cr = csvread_new(fp, &co);
	gf.seen = strset_new();
	if (store_begin(s) == -1) {
		(void)util_strlcpy(err, _("cannot start a transaction: the "
		    "database is busy or read-only"), errsize);
		goto out;
	}
	if ((gf.gid = insert_group(s, name, "manual", NULL, actor, err,
	    errsize)) == -1)
		goto rollback;
	while (!gf.fatal && (st = csvread_next(gf.cr)) == CSVREAD_LINE)
		;
	/* A broken record ends the file: its members would be guesses. */
	gf.rec_line = st == CSVREAD_ERECORD ? csvread_record_line(gf.cr) :
	    csvread_line(gf.cr);
	switch (st) {
	case CSVREAD_EQUOTE:
		gf_err(&gf, -1, "%s", _("malformed quoting"));
		break;
	case CSVREAD_ENUL:
		gf_err(&gf, csvread_nfields(gf.cr), _("a NUL byte (byte %ld of "
		    "the line): this is not a text file"),
		    csvread_nul_at(gf.cr));
		break;
	case CSVREAD_ELONG:
		gf_err(&gf, csvread_nfields(gf.cr), _("the line is longer than "
		    "%d bytes"), CSVLINE_MAX);
		break;
	case CSVREAD_ERECORD:
		gf_err(&gf, -1, _("a record is longer than %d bytes: is a "
		    "closing quote missing?"), FILE_RECORD_MAX);
		break;
	case CSVREAD_EREAD:
		/* Never the end of the file: members would be lost. */
		(void)util_snprintf(err, errsize, "%s:%d: %s: %s", path,
		    csvread_line(gf.cr) + 1, _("read error"), strerror(errno));
		goto rollback;
	default:
		break;
	}
	if (!gf.fatal && res->errors == 0 && csvread_finish(gf.cr) == -1) {
		gf.rec_line = csvread_record_line(gf.cr);
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
	csvread_free(gf.cr);
	strset_free(gf.seen);
	fclose(fp);
	return id;
}

int64_t
groups_count(struct store *s, const struct groups_info *g, char *err,
    size_t errsize)
{
	struct rule		*r;
	struct store_cur	*c;
	int64_t			 n = -1;
	int			 rc;

	if (!g->is_rule) {
		if (store_one_i64(s, ST_GROUP_MEMBER_COUNT, &n, "I",
		    g->id) != STORE_ROW)
			goto dberr;
		return n;
	}
	if ((r = rule_parse(g->rule, err, errsize)) == NULL)
		return -1;
	c = rule_prepare(s, r, RULE_COUNT, err, errsize);
	rule_free(r);
	if (c == NULL)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		n = store_i64(c, 0);
	store_cur_free(c);
	if (rc == STORE_ROW)
		return n;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	return -1;
}

/* Column i as text, or NULL for NULL (store_str gives ""). */
static const char *
col_str(struct store_cur *c, int i)
{
	return store_isnull(c, i) ? NULL : store_str(c, i);
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
	struct store_cur	*c = store_cur(s, ST_GROUP_SUB_EXCEPTIONS);
	int			 rc;

	memset(e, 0, sizeof(*e));
	if (store_bind(c, "Ii", x->topic_id, x->topic_default) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if (e->n == e->cap) {
			e->cap = e->cap ? e->cap * 2 : 1024;
			e->ids = xreallocarray(e->ids, e->cap,
			    sizeof(*e->ids));
		}
		e->ids[e->n++] = store_i64(c, 0);
	}
	store_reset(c);
	if (rc != STORE_OK) {
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
	struct store_cur	*c;
	char			 phone[IDENT_PHONE_SIZE], due[16];
	enum ident_phone_kind	 kind;
	const char		*errstr, *t;
	int64_t			 cursor = 0;
	size_t			 n;
	int			 rc = STORE_OK, stopped = 0;

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
		c = rule_prepare(s, r, chunk == GROUPS_CHUNK_ALL ?
		    RULE_MEMBERS_ONCE : RULE_MEMBERS, err, errsize);
		rule_free(r);
		if (c == NULL) {
			free(subx.ids);
			return -1;
		}
	} else {
		c = store_cur(s, ST_GROUP_MANUAL_MEMBERS);
		if (store_bind_at(c, 3, "I", g->id) != STORE_OK)
			goto dberr;
	}
	/* ?4 NULL: every member subscribed, subx decides instead. */
	if ((x->topic_id > 0 && !use_subx ? store_bind_at(c, 4, "I",
	    x->topic_id) : store_bind_at(c, 4, "n")) != STORE_OK ||
	    store_bind_at(c, 5, "ic", x->topic_default, x->fee_kind) !=
	    STORE_OK ||
	    (x->queue ? store_bind_at(c, 7, "i", 1) :
	    store_bind_at(c, 7, "n")) != STORE_OK ||
	    store_bind_at(c, 8, "c", x->institution) != STORE_OK)
		goto dberr;
	do {
		/*
		 * A fresh run per chunk: no statement stays open across the
		 * caller's commits, so each chunk reads the newest data.
		 */
		store_reset(c);
		if (store_bind(c, "II", cursor, chunk > INT64_MAX ? INT64_MAX :
		    (int64_t)chunk) != STORE_OK)
			goto dberr;
		n = 0;
		while ((rc = store_step(c)) == STORE_ROW) {
			n++;
			cursor = store_i64(c, 0);
			memset(&m, 0, sizeof(m));
			m.resident_id = store_i64(c, 1);
			m.phone = col_str(c, 2);
			m.phone_kind = store_isnull(c, 3) ? -1 :
			    store_int(c, 3);
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
			m.given_name = store_str(c, 4);
			m.family_name = store_str(c, 5);
			t = col_str(c, 6);
			m.lang = t != NULL ? t : "lv";
			if (use_subx)
				m.subscribed = (x->topic_default != 0) !=
				    (m.resident_id > 0 &&
				    subx_has(&subx, m.resident_id));
			else
				m.subscribed = store_int(c, 7) != 0;
			owed(col_str(c, 8), &m.owed_cents, due,
			    sizeof(due));
			m.due_date = due[0] != '\0' ? due : NULL;
			m.queue_entry = store_i64(c, 9);
			if (cb(arg, &m) == -1) {
				stopped = 1;
				break;
			}
		}
		store_reset(c);
		if (stopped)
			break;
		if (rc != STORE_OK)
			goto dberr;
		if (cb(arg, NULL) == -1) {
			stopped = 1;
			break;
		}
	} while (n == chunk);
	if (g->is_rule)
		store_cur_free(c);
	free(subx.ids);
	return stopped ? -1 : 0;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	free(subx.ids);
	if (g->is_rule)
		store_cur_free(c);
	else
		store_reset(c);
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
	struct rule		*r;
	struct store_cur	*c;
	int			 rc, found = 0;

	if (!g->is_rule || resident_id <= 0) {
		(void)util_strlcpy(err, "groups_rule_has: not a rule group",
		    errsize);
		return -1;
	}
	if ((r = rule_parse(g->rule, err, errsize)) == NULL)
		return -1;
	c = rule_prepare(s, r, RULE_MEMBERS, err, errsize);
	rule_free(r);
	if (c == NULL)
		return -1;
	/* ?4-?8 NULL: no subscription, fee or queue columns. */
	if (store_bind(c, "II-ninnn", (int64_t)(resident_id - 1), (int64_t)1,
	    0) != STORE_OK)
		rc = STORE_ERROR;
	else if ((rc = store_step(c)) == STORE_ROW) {
		found = store_i64(c, 1) == resident_id;
		rc = STORE_OK;
	}
	if (rc != STORE_OK)
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
	store_cur_free(c);
	return rc == STORE_OK ? found : -1;
}
