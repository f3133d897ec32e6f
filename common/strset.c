/*
 * strset: linear probing over a power-of-two table of (hash, tag, offset)
 * slots; the strings live in one growing arena, so a million keys cost
 * two allocations, not a million.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "util.h"

struct slot {
	uint64_t	 hash;		/* 0: empty */
	size_t		 off;
	int		 tag;
};

struct strset {
	struct slot	*slots;
	size_t		 nslots, count;
	char		*arena;
	size_t		 alen, asize;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h == 0 ? 1 : h;
}

struct strset *
strset_new(void)
{
	struct strset	*set = xcalloc(1, sizeof(*set));

	set->nslots = 1024;
	set->slots = xcalloc(set->nslots, sizeof(*set->slots));
	return set;
}

void
strset_free(struct strset *set)
{
	if (set == NULL)
		return;
	free(set->slots);
	free(set->arena);
	free(set);
}

static void
strset_grow(struct strset *set)
{
	struct slot	*old = set->slots;
	size_t		 n = set->nslots, i, j;

	set->nslots *= 2;
	set->slots = xcalloc(set->nslots, sizeof(*set->slots));
	for (i = 0; i < n; i++) {
		if (old[i].hash == 0)
			continue;
		for (j = old[i].hash & (set->nslots - 1);
		    set->slots[j].hash != 0; j = (j + 1) & (set->nslots - 1))
			;
		set->slots[j] = old[i];
	}
	free(old);
}

int
strset_add(struct strset *set, const char *key, int tag, int *old_tag)
{
	uint64_t	 h = hash_str(key);
	size_t		 i, len = strlen(key) + 1;

	/* Keep the load under one half: probes stay short. */
	if ((set->count + 1) * 2 > set->nslots)
		strset_grow(set);
	for (i = h & (set->nslots - 1); set->slots[i].hash != 0;
	    i = (i + 1) & (set->nslots - 1)) {
		if (set->slots[i].hash == h &&
		    strcmp(set->arena + set->slots[i].off, key) == 0) {
			if (old_tag != NULL)
				*old_tag = set->slots[i].tag;
			return 0;
		}
	}
	if (set->alen + len > set->asize) {
		while (set->alen + len > set->asize)
			set->asize = set->asize ? set->asize * 2 : 65536;
		set->arena = xreallocarray(set->arena, set->asize, 1);
	}
	memcpy(set->arena + set->alen, key, len);
	set->slots[i].hash = h;
	set->slots[i].off = set->alen;
	set->slots[i].tag = tag;
	set->alen += len;
	set->count++;
	return 1;
}

size_t
strset_count(const struct strset *set)
{
	return set->count;
}
