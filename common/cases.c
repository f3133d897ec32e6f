/*
 * cases: reading and moving the reports table for staff. Filing is
 * services_report_file's; here a case is listed, shown whole with the
 * resident's name (staff may see it, the log never does), and its status
 * set, with an audit row for each change.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "util.h"

const char *const cases_statuses[CASES_NSTATUSES] = {
	"new", "in_progress", "done", "rejected",
};

int
cases_status_valid(const char *s)
{
	size_t	 i;

	for (i = 0; i < CASES_NSTATUSES; i++)
		if (strcmp(s, cases_statuses[i]) == 0)
			return 1;
	return 0;
}

/* The columns of ST_CASES_LIST and ST_CASES_GET. */
static void
row(sqlite3_stmt *st, struct cases_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, r->case_no, sizeof(r->case_no));
	store_col_text(st, 2, r->kind, sizeof(r->kind));
	store_col_text(st, 3, r->category, sizeof(r->category));
	store_col_text(st, 4, r->channel, sizeof(r->channel));
	store_col_text(st, 5, r->status, sizeof(r->status));
	store_col_text(st, 6, r->phone, sizeof(r->phone));
	r->resident_id = sqlite3_column_int64(st, 7);
	store_col_text(st, 8, r->resident, sizeof(r->resident));
	r->created_at = (time_t)sqlite3_column_int64(st, 9);
	store_col_text(st, 10, r->text, sizeof(r->text));
}

static int
bind_or_null(sqlite3_stmt *st, int i, const char *v)
{
	return v != NULL ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) :
	    sqlite3_bind_null(st, i);
}

int
cases_list(struct store *s, const char *status, const char *kind,
    size_t limit, int (*cb)(void *, const struct cases_row *), void *arg)
{
	sqlite3_stmt	*st = store_stmt(s, ST_CASES_LIST);
	struct cases_row r;
	int		 rc;

	if (bind_or_null(st, 1, status) != SQLITE_OK ||
	    bind_or_null(st, 2, kind) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, &r);
		if (cb(arg, &r) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	}
	(void)sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
cases_get(struct store *s, const char *case_no, struct cases_row *r)
{
	sqlite3_stmt	*st = store_stmt(s, ST_CASES_GET);
	int		 rc;

	if (sqlite3_bind_text(st, 1, case_no, -1, SQLITE_STATIC) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row(st, r);
	(void)sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
cases_set_status(struct store *s, const char *case_no, const char *status,
    const char *actor, const char **errstr)
{
	sqlite3_stmt	*st;
	char		 detail[96];

	if (!cases_status_valid(status)) {
		*errstr = N_("the status is not one of new, in_progress, done, "
		    "rejected");
		return 1;
	}
	if (store_begin(s) == -1)
		return -1;
	st = store_stmt(s, ST_CASES_SET_STATUS);
	if (sqlite3_bind_text(st, 1, case_no, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC) != SQLITE_OK ||
	    store_exec(s, ST_CASES_SET_STATUS) == -1)
		goto fail;
	if (store_changes(s) == 0) {
		store_rollback(s);
		*errstr = N_("there is no case with that number");
		return 1;
	}
	/* The case number and status only: no name, no text. */
	(void)util_snprintf(detail, sizeof(detail), "case=%s status=%s",
	    case_no, status);
	if (store_audit(s, actor != NULL ? actor : "munictl", "case status",
	    detail) == -1)
		goto fail;
	if (store_commit(s) == -1)
		return -1;
	return 0;
fail:
	store_rollback(s);
	return -1;
}
