/*
 * residents: the register's rows; see residents.h. The statements on the
 * residents table that the import, the demo and the fronts share.
 */
#include <string.h>

#include "residents.h"
#include "store.h"
#include "util.h"

/*
 * ?1-?10 of the upsert and of the demo's insert, which name the columns in
 * the same order; no phone kind is NULL, as no phone is.
 */
static int
bind_row(struct store_cur *c, const struct residents_row *r)
{
	if (store_bind(c, "sssz", r->code, r->given_name, r->family_name,
	    r->phone) != STORE_OK ||
	    (r->phone_kind >= 0 ? store_bind_at(c, 5, "i", r->phone_kind) :
	    store_bind_at(c, 5, "n")) != STORE_OK ||
	    store_bind_at(c, 6, "ssszt", r->lang, r->territory, r->address,
	    r->birth_date, r->updated_at) != STORE_OK)
		return -1;
	return 0;
}

int
residents_upsert(struct store *s, const struct residents_row *r)
{
	struct store_cur	*c = store_cur(s, ST_RESIDENT_UPSERT);
	int			 rc;

	if (bind_row(c, r) == -1)
		return STORE_ERROR;
	/* The upsert's WHERE skips an unchanged row: no change counted. */
	if ((rc = store_run(c)) != STORE_OK)
		return rc;
	return store_changes(s) > 0;
}

int
residents_insert(struct store *s, const struct residents_row *r,
    int64_t *id)
{
	struct store_cur	*c = store_cur(s, ST_DEMO_RESIDENT_INSERT);

	if (bind_row(c, r) == -1 || store_run(c) != STORE_OK)
		return -1;
	*id = store_last_rowid(s);
	return 0;
}

int
residents_id_by_code(struct store *s, const char *code, int64_t *id)
{
	int	 rc = store_one_i64(s, ST_RESIDENT_ID_BY_CODE, id, "s", code);

	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int
residents_by_phone(struct store *s, const char *phone, int64_t *ids,
    size_t max, size_t *n, int *more, char *lang, size_t langsize)
{
	struct store_cur	*c = store_cur(s, ST_SVC_RESIDENTS_BY_PHONE);
	int			 rc;

	*n = 0;
	*more = 0;
	if (langsize > 0)
		lang[0] = '\0';
	if (store_bind(c, "sI", phone, (int64_t)max + 1) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		if (*n == max) {
			*more = 1;
			break;
		}
		if (*n == 0)
			store_text(c, 1, lang, langsize);
		ids[(*n)++] = store_i64(c, 0);
	}
	store_reset(c);
	return rc < 0 ? -1 : 0;
}

int
residents_get(struct store *s, int64_t id, char *lang, size_t langsize,
    char *phone, size_t phonesize)
{
	struct store_cur	*c = store_cur(s, ST_SVC_RESIDENT_BY_ID);
	int			 rc;

	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		store_text(c, 1, lang, langsize);
		/* A phone cut short would be somebody else's: none then. */
		if (util_strlcpy(phone, store_str(c, 2), phonesize) == -1)
			phone[0] = '\0';
	}
	store_reset(c);
	return rc < 0 ? -1 : rc == STORE_ROW ? 0 : 1;
}

int
residents_count(struct store *s, int64_t *n)
{
	return store_one_i64(s, ST_RESIDENT_COUNT, n, "") == STORE_ROW ?
	    0 : -1;
}

int
residents_bind_set(struct store_cur *c, const int64_t *ids, size_t n)
{
	size_t	 i;

	if (n > RESIDENTS_SET_MAX)
		return -1;
	for (i = 0; i < RESIDENTS_SET_MAX; i++)
		if (store_bind_at(c, (int)i + 1, "I", i < n ? ids[i] :
		    (int64_t)0) != STORE_OK)
			return -1;
	return 0;
}
