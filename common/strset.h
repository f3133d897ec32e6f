/*
 * strset: a set of short strings, each with an integer tag, for spotting
 * duplicate keys while a file streams by (open addressing, one arena).
 */
#ifndef MUNI_STRSET_H
#define MUNI_STRSET_H

#include <stddef.h>

struct strset;

struct strset	*strset_new(void);
void		 strset_free(struct strset *);
/*
 * Add key with tag. Returns 1 if added, 0 if the key was there already
 * (then *old_tag, if not NULL, is the tag it was added with).
 */
int		 strset_add(struct strset *, const char *key, int tag,
		    int *old_tag);
size_t		 strset_count(const struct strset *);

#endif
