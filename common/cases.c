/*
 * cases: reading and moving the reports table for staff. Filing is
 * services_report_file's; here a case is listed, shown whole with the
 * resident's name (staff may see it, the log never does), and its status
 * set, with an audit row for each change.
 */
#include <ctype.h>
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
row(struct store_cur *c, struct cases_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = store_i64(c, 0);
	store_text(c, 1, r->case_no, sizeof(r->case_no));
	store_text(c, 2, r->kind, sizeof(r->kind));
	store_text(c, 3, r->category, sizeof(r->category));
	store_text(c, 4, r->channel, sizeof(r->channel));
	store_text(c, 5, r->status, sizeof(r->status));
	store_text(c, 6, r->phone, sizeof(r->phone));
	r->resident_id = store_i64(c, 7);
	store_text(c, 8, r->resident, sizeof(r->resident));
	r->created_at = (time_t)store_i64(c, 9);
	store_text(c, 10, r->text, sizeof(r->text));
}

int
cases_list(struct store *s, const char *status, const char *kind,
    size_t limit, int (*cb)(void *, const struct cases_row *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_CASES_LIST);
	struct cases_row	 r;
	int			 rc;

	if (store_bind(c, "ssI", status, kind, (int64_t)limit) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		row(c, &r);
		if (cb(arg, &r) == -1) {
			rc = STORE_OK;
			break;
		}
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

int
cases_get(struct store *s, const char *case_no, struct cases_row *r)
{
	struct store_cur	*c = store_cur(s, ST_CASES_GET);
	int			 rc;

	if (store_bind(c, "s", case_no) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		row(c, r);
	store_reset(c);
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int
cases_set_status(struct store *s, const char *case_no, const char *status,
    const char *actor, const char **errstr)
{
	char		 detail[96];

	if (!cases_status_valid(status)) {
		*errstr = N_("the status is not one of new, in_progress, done, "
		    "rejected");
		return 1;
	}
	if (store_begin(s) == -1)
		return -1;
	if (store_do(s, ST_CASES_SET_STATUS, "ss", case_no, status) !=
	    STORE_OK)
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

/* --- A resident's own cases (issue 21). */

int
cases_no_parse(const char *in, size_t len, char *out, size_t size)
{
	size_t	 b = 0, e = len, i;

	while (b < e && isspace((unsigned char)in[b]))
		b++;
	while (e > b && isspace((unsigned char)in[e - 1]))
		e--;
	/*
	 * What services_report_file makes: P (police) or I (application), a
	 * dash, the year, a dash and the counter in at least six digits.
	 */
	if (e - b < 13 || e - b > 16 || e - b + 1 > size)
		return -1;
	if (in[b] == '\0' || strchr("PpIi", in[b]) == NULL ||
	    in[b + 1] != '-' || in[b + 6] != '-')
		return -1;
	for (i = b + 2; i < e; i++) {
		if (i == b + 6)
			continue;
		if (!isdigit((unsigned char)in[i]))
			return -1;
	}
	memcpy(out, in + b, e - b);
	out[e - b] = '\0';
	out[0] = (char)toupper((unsigned char)out[0]);
	return 0;
}

/* The columns of ST_CASES_MINE_GET and ST_CASES_MINE_LIST. */
static void
mine_row(struct store_cur *c, struct cases_mine *m)
{
	memset(m, 0, sizeof(*m));
	store_text(c, 0, m->case_no, sizeof(m->case_no));
	store_text(c, 1, m->kind, sizeof(m->kind));
	store_text(c, 2, m->status, sizeof(m->status));
	m->changed_at = (time_t)store_i64(c, 3);
}

int
cases_mine_get(struct store *s, const struct services_caller *who,
    const char *case_no, struct cases_mine *out)
{
	struct store_cur	*c = store_cur(s, ST_CASES_MINE_GET);
	size_t			 i;
	int			 rc = STORE_OK;

	/* Any resident of a shared phone: the phone filed it. */
	for (i = 0; i < who->nresidents; i++) {
		if (store_bind(c, "sI", case_no, who->resident[i]) !=
		    STORE_OK)
			return -1;
		if ((rc = store_step(c)) == STORE_ROW)
			mine_row(c, out);
		store_reset(c);
		if (rc != STORE_OK)
			break;
	}
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int
cases_mine_list(struct store *s, const struct services_caller *who,
    struct cases_mine *out, size_t max, size_t *n, int *more)
{
	struct store_cur	*c = store_cur(s, ST_CASES_MINE_LIST);
	int			 rc;

	*n = 0;
	*more = 0;
	if (who->nresidents == 0)
		return 0;
	if (store_bind(c, "II", who->resident[0], (int64_t)max + 1) !=
	    STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if (*n == max) {
			*more = 1;
			rc = STORE_OK;
			break;
		}
		mine_row(c, &out[(*n)++]);
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

const char *
cases_status_text(const char *status)
{
	if (strcmp(status, "new") == 0)
		return _("new");
	if (strcmp(status, "in_progress") == 0)
		return _("in progress");
	if (strcmp(status, "done") == 0)
		return _("handled");	/* "done" is a broadcast's */
	if (strcmp(status, "rejected") == 0)
		return _("rejected");
	return status;
}
