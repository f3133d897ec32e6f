/*
 * refdata: preschool institutions and fee kinds as reference data. Both
 * lists are short (tens of rows), so a look-up folds and compares every
 * row; an import loads the list once and looks up each of its rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "refdata.h"
#include "services.h"
#include "store.h"
#include "util.h"

/* Folded text is never longer than the text it comes from. */
#define FOLD_SIZE	(REFDATA_NAME_MAX + 1)

struct entry {
	struct refdata_item	 item;
	char			 fold[3][FOLD_SIZE];	/* name, lv, en */
};

struct refdata {
	enum refdata_kind	 kind;
	struct entry		*e;
	size_t			 n, cap;
};

static void
fold(const char *in, char out[FOLD_SIZE])
{
	if (services_fold(in, strlen(in), out, FOLD_SIZE) == -1)
		out[0] = '\0';
}

static struct entry *
push(struct refdata *r)
{
	struct entry	*e;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->e = xreallocarray(r->e, r->cap, sizeof(*r->e));
	}
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void
refold(struct entry *e)
{
	fold(e->item.name, e->fold[0]);
	fold(e->item.name_lv, e->fold[1]);
	fold(e->item.name_en, e->fold[2]);
}

struct refdata *
refdata_load(struct store *s, enum refdata_kind kind, char *err,
    size_t errsize)
{
	struct refdata		*r;
	struct entry		*e;
	struct store_cur	*c;
	int			 rc;

	r = xcalloc(1, sizeof(*r));
	r->kind = kind;
	c = store_cur(s, kind == REFDATA_INSTITUTION ? ST_INSTITUTION_LIST :
	    ST_FEE_KIND_LIST);
	while ((rc = store_step(c)) == STORE_ROW) {
		e = push(r);
		if (kind == REFDATA_INSTITUTION) {
			e->item.id = store_i64(c, 0);
			store_text(c, 1, e->item.name,
			    sizeof(e->item.name));
			store_text(c, 2, e->item.territory,
			    sizeof(e->item.territory));
		} else {
			store_text(c, 0, e->item.name,
			    sizeof(e->item.name));
			store_text(c, 1, e->item.name_lv,
			    sizeof(e->item.name_lv));
			store_text(c, 2, e->item.name_en,
			    sizeof(e->item.name_en));
		}
		refold(e);
	}
	store_reset(c);
	if (rc != STORE_OK) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		refdata_free(r);
		return NULL;
	}
	return r;
}

void
refdata_free(struct refdata *r)
{
	if (r == NULL)
		return;
	free(r->e);
	free(r);
}

size_t
refdata_count(const struct refdata *r)
{
	return r->n;
}

const struct refdata_item *
refdata_at(const struct refdata *r, size_t i)
{
	return i < r->n ? &r->e[i].item : NULL;
}

/* The row whose folded name (or fee kind name) is key, or NULL. */
static const struct entry *
match(const struct refdata *r, const char *key)
{
	size_t	 i, j, names = r->kind == REFDATA_FEE_KIND ? 3 : 1;

	for (i = 0; i < r->n; i++)
		for (j = 0; j < names; j++)
			if (r->e[i].fold[j][0] != '\0' &&
			    strcmp(r->e[i].fold[j], key) == 0)
				return &r->e[i];
	return NULL;
}

/* The nearest row to key by edit distance on folded names, or NULL. */
static const struct entry *
nearest(const struct refdata *r, const char *key)
{
	const struct entry	*best = NULL;
	size_t			 i, j, d, bestd = SIZE_MAX;
	size_t			 names = r->kind == REFDATA_FEE_KIND ? 3 : 1;

	for (i = 0; i < r->n; i++)
		for (j = 0; j < names; j++) {
			if (r->e[i].fold[j][0] == '\0')
				continue;
			d = util_edit_distance(r->e[i].fold[j], key);
			if (d < bestd) {
				bestd = d;
				best = &r->e[i];
			}
		}
	/* Far-off names are no hint: a quarter of the name may differ. */
	return best != NULL && bestd <= 1 + strlen(key) / 4 ? best : NULL;
}

static const char *
what(const struct refdata *r)
{
	return r->kind == REFDATA_INSTITUTION ? _("institution") :
	    _("fee kind");
}

int
refdata_find(const struct refdata *r, const char *text,
    const struct refdata_item **item, char *err, size_t errsize)
{
	const struct entry	*e;
	char			 key[FOLD_SIZE];

	*item = NULL;
	if (!util_utf8_valid(text, strlen(text)) ||
	    services_fold(text, strlen(text), key, sizeof(key)) == -1) {
		(void)util_snprintf(err, errsize, _("'%.40s' is not a valid "
		    "%s name"), text, what(r));
		return -1;
	}
	if (key[0] != '\0' && (e = match(r, key)) != NULL) {
		*item = &e->item;
		return 0;
	}
	if (key[0] != '\0' && (e = nearest(r, key)) != NULL)
		(void)util_snprintf(err, errsize, r->kind ==
		    REFDATA_INSTITUTION ? _("unknown institution '%s' (did you "
		    "mean '%s'?)") : _("unknown fee kind '%s' (did you mean "
		    "'%s'?)"), text, e->item.name);
	else
		(void)util_snprintf(err, errsize, r->kind ==
		    REFDATA_INSTITUTION ? _("unknown institution '%s' "
		    "(munictl institution list shows them)") :
		    _("unknown fee kind '%s' (munictl feekind list shows "
		    "them)"), text);
	return 1;
}

/* Text for a name: valid UTF-8, printable, trimmed, 1..max bytes. */
static int
valid_name(const char *v, size_t max)
{
	size_t	 i, n = strlen(v);

	if (n == 0 || n > max || v[0] == ' ' || v[n - 1] == ' ' ||
	    !util_utf8_valid(v, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return 1;
}

int
refdata_add_institution(struct store *s, struct refdata *r,
    const char *name, const char *territory, int64_t *id, char *err,
    size_t errsize)
{
	const struct refdata_item	*old;
	struct refdata			*own = NULL;
	struct entry			*e;
	char				 key[FOLD_SIZE];

	if (!valid_name(name, REFDATA_NAME_MAX) || (*territory != '\0' &&
	    !valid_name(territory, REFDATA_NAME_MAX))) {
		(void)util_snprintf(err, errsize, _("an institution's name and "
		    "territory are 1-%d bytes of text without control "
		    "characters or blanks at either end"), REFDATA_NAME_MAX);
		return 1;
	}
	if (r == NULL && (r = own = refdata_load(s, REFDATA_INSTITUTION, err,
	    errsize)) == NULL)
		return -1;
	fold(name, key);
	if (key[0] == '\0') {
		(void)util_snprintf(err, errsize, _("an institution's name "
		    "needs a letter or a digit"));
		refdata_free(own);
		return 1;
	}
	if (refdata_find(r, name, &old, err, errsize) == 0) {
		(void)util_snprintf(err, errsize, _("institution '%s' exists "
		    "already as '%s'"), name, old->name);
		refdata_free(own);
		return 1;
	}
	if (store_do(s, ST_INSTITUTION_INSERT, "ss", name, territory) !=
	    STORE_OK) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		refdata_free(own);
		return -1;
	}
	if (id != NULL)
		*id = store_last_rowid(s);
	e = push(r);
	e->item.id = store_last_rowid(s);
	(void)util_strlcpy(e->item.name, name, sizeof(e->item.name));
	(void)util_strlcpy(e->item.territory, territory,
	    sizeof(e->item.territory));
	refold(e);
	refdata_free(own);
	return 0;
}

static int
valid_code(const char *v)
{
	size_t	 i, n = strlen(v);

	if (n == 0 || n > REFDATA_CODE_MAX || v[0] < 'a' || v[0] > 'z')
		return 0;
	for (i = 1; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
			return 0;
	return 1;
}

int
refdata_add_fee_kind(struct store *s, const char *code, const char *name_lv,
    const char *name_en, char *err, size_t errsize)
{
	const struct refdata_item	*old;
	struct refdata			*r;
	const char			*names[3] = { code, name_lv, name_en };
	size_t				 i;
	int				 rc = 1;

	if (!valid_code(code)) {
		(void)util_snprintf(err, errsize, _("a fee kind's code is "
		    "1-%d lower-case letters a-z, digits or _, starting with a "
		    "letter"), REFDATA_CODE_MAX);
		return 1;
	}
	if (!valid_name(name_lv, REFDATA_NAME_MAX) ||
	    !valid_name(name_en, REFDATA_NAME_MAX)) {
		(void)util_snprintf(err, errsize, _("a fee kind needs a "
		    "Latvian and an English name (--name-lv, --name-en), 1-%d "
		    "bytes each"), REFDATA_NAME_MAX);
		return 1;
	}
	if ((r = refdata_load(s, REFDATA_FEE_KIND, err, errsize)) == NULL)
		return -1;
	/* No code or name may read as another kind's code or name. */
	for (i = 0; i < 3; i++)
		if (refdata_find(r, names[i], &old, err, errsize) == 0) {
			(void)util_snprintf(err, errsize, _("'%s' is taken: "
			    "fee kind '%s' has that code or name"), names[i],
			    old->name);
			goto out;
		}
	if (store_do(s, ST_FEE_KIND_INSERT, "ssst", code, name_lv, name_en,
	    clock_now()) != STORE_OK) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	refdata_free(r);
	return rc;
}
