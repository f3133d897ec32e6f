/*
 * refdata: the reference data that imports are checked against -
 * preschool institutions and fee kinds. A name is matched the way people
 * type it (case, diacritics and spacing ignored: "NĪN", "Nin" and "nin"
 * are one kind, "Dobeles PII Zilite" is "Dobeles PII \"Zīlīte\""); an
 * unknown one is an error with the nearest known name, never a new row
 * made behind the user's back.
 */
#ifndef MUNI_REFDATA_H
#define MUNI_REFDATA_H

#include <stddef.h>
#include <stdint.h>

struct store;

#define REFDATA_NAME_MAX	128	/* bytes of an institution's name */
#define REFDATA_CODE_MAX	32	/* bytes of a fee kind's code */
#define REFDATA_ERR_SIZE	512

enum refdata_kind {
	REFDATA_INSTITUTION,
	REFDATA_FEE_KIND,
};

struct refdata_item {
	int64_t		 id;			/* institutions; 0 fee kinds */
	char		 name[REFDATA_NAME_MAX + 1];	/* or the kind's code */
	char		 name_lv[REFDATA_NAME_MAX + 1];	/* fee kinds */
	char		 name_en[REFDATA_NAME_MAX + 1];
	char		 territory[REFDATA_NAME_MAX + 1];	/* institutions */
};

/*
 * One kind's rows, read once and folded, for many look-ups (an import).
 * NULL with err set on a database error. Freed by refdata_free.
 */
struct refdata	*refdata_load(struct store *, enum refdata_kind, char *err,
		    size_t errsize);
void		 refdata_free(struct refdata *);

/*
 * The row text names: 0 with *item pointing into r (valid until r is
 * freed or added to), 1 none (err says so, with the nearest name when one
 * is near), -1 when text is not valid UTF-8 or too long (err says why).
 * A fee kind matches by its code or either of its names.
 */
int		 refdata_find(const struct refdata *, const char *text,
		    const struct refdata_item **item, char *err,
		    size_t errsize);

/*
 * Add an institution (name, territory may be "") or a fee kind (code
 * a-z, digits and _, starting with a letter; both names required): 0
 * added, 1 refused (exists already, also under another spelling, or
 * invalid; err says why), -1 database error. r, when not NULL, learns
 * the new row too.
 */
int		 refdata_add_institution(struct store *, struct refdata *r,
		    const char *name, const char *territory, int64_t *id,
		    char *err, size_t errsize);
int		 refdata_add_fee_kind(struct store *, const char *code,
		    const char *name_lv, const char *name_en, char *err,
		    size_t errsize);

/* The rows of r, in name (code) order as loaded, then those added. */
size_t		 refdata_count(const struct refdata *);
const struct refdata_item *refdata_at(const struct refdata *, size_t i);

#endif
