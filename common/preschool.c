/*
 * preschool: queue entries and priority classes; see preschool.h. The
 * position of a place is counted by ST_SVC_QUEUE in the database (three
 * range scans of the queue_order index), never here.
 */
#include <string.h>

#include "preschool.h"
#include "residents.h"
#include "store.h"

/* ?1-?8 of the upsert and of the demo's insert (which adds ?9 status). */
static int
bind_row(struct store_cur *c, const struct preschool_row *q)
{
	return store_bind(c, "sssIIssI", q->child_code, q->given_name,
	    q->family_name, q->guardian_id, q->institution_id,
	    q->registered_at, q->desired_start, q->priority) == STORE_OK ?
	    0 : -1;
}

int
preschool_upsert(struct store *s, const struct preschool_row *q)
{
	struct store_cur	*c = store_cur(s, ST_QUEUE_UPSERT);
	int			 rc;

	if (bind_row(c, q) == -1 ||
	    store_bind_at(c, 9, "t", q->updated_at) != STORE_OK)
		return STORE_ERROR;
	/* The upsert's WHERE skips an unchanged row: no change counted. */
	if ((rc = store_run(c)) != STORE_OK)
		return rc;
	return store_changes(s) > 0;
}

int
preschool_insert(struct store *s, const struct preschool_row *q)
{
	struct store_cur	*c = store_cur(s, ST_DEMO_QUEUE_INSERT);

	if (bind_row(c, q) == -1 || store_bind_at(c, 9, "st", q->status,
	    q->updated_at) != STORE_OK)
		return -1;
	return store_run(c) == STORE_OK ? 0 : -1;
}

int
preschool_places(struct store *s, const int64_t *guardians, size_t n,
    const char *lang, size_t max,
    void (*fn)(void *, const struct preschool_place *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_SVC_QUEUE);
	struct preschool_place	 p;
	int			 rc;

	if (residents_bind_set(c, guardians, n) == -1 ||
	    store_bind_at(c, 9, "sI", lang, (int64_t)max) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		memset(&p, 0, sizeof(p));
		p.id = store_i64(c, 0);
		p.given_name = store_str(c, 1);
		p.family_name = store_str(c, 2);
		p.institution = store_str(c, 3);
		p.desired_start = store_str(c, 4);
		p.priority = store_int(c, 5);
		p.priority_name = store_str(c, 6);
		p.position = store_i64(c, 7);
		p.total = store_i64(c, 8);
		fn(arg, &p);
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

int
preschool_count(struct store *s, int64_t *n)
{
	return store_one_i64(s, ST_QUEUE_COUNT, n, "") == STORE_ROW ? 0 : -1;
}

int
preschool_classes(struct store *s, int64_t *n)
{
	struct store_cur	*c = store_cur(s, ST_PRIORITY_CLASS_COUNT);
	int			 rc;

	*n = 0;
	if ((rc = store_step(c)) == STORE_ROW && store_i64(c, 0) > 0)
		*n = store_i64(c, 1);
	store_reset(c);
	return rc == STORE_ROW ? 0 : -1;
}

int
preschool_class_known(struct store *s, int64_t prio)
{
	int64_t	 one;
	int	 rc;

	rc = store_one_i64(s, ST_PRIORITY_CLASS_EXISTS, &one, "I", prio);
	return rc == STORE_ROW ? 1 : rc == STORE_OK ? 0 : -1;
}

int
preschool_class_set(struct store *s, int64_t prio, const char *name_lv,
    const char *name_en)
{
	return store_do(s, ST_PRIORITY_CLASS_UPSERT, "Iss", prio, name_lv,
	    name_en) == STORE_OK ? 0 : -1;
}
