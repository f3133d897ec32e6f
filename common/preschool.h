/*
 * preschool: the queue for places in the municipality's preschools (PII):
 * which child waits for which institution from when, with what priority
 * class, and where each stands. The import and the demo write entries;
 * the fronts read a guardian's children's places.
 */
#ifndef MUNI_PRESCHOOL_H
#define MUNI_PRESCHOOL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

/* One queue entry as an import or the demo writes it. */
struct preschool_row {
	const char	*child_code;
	const char	*given_name;
	const char	*family_name;
	int64_t		 guardian_id;
	int64_t		 institution_id;
	const char	*registered_at;	/* "YYYY-MM-DD HH:MM:SS", local */
	const char	*desired_start;	/* YYYY-MM */
	int64_t		 priority;	/* 0: none */
	const char	*status;	/* the demo only: "active", ... */
	time_t		 updated_at;
};

/*
 * Insert the entry, or update the same child's at the same institution
 * when anything differs; a new entry is active. 1 written, 0 unchanged, or
 * a negative store code (STORE_EUNIQUE, STORE_ECONSTRAINT: the row's).
 */
int	 preschool_upsert(struct store *, const struct preschool_row *);
/* Insert an entry with its status (the demo). 0 or -1. */
int	 preschool_insert(struct store *, const struct preschool_row *);

/* A child's place; the text lives as long as the callback runs. */
struct preschool_place {
	int64_t		 id;
	const char	*given_name;
	const char	*family_name;	/* the caller shows its initial only */
	const char	*institution;
	const char	*desired_start;
	int		 priority;
	const char	*priority_name;	/* "" none */
	int64_t		 position;	/* 1 = next to be placed */
	int64_t		 total;		/* active, same institution and year */
};

/*
 * The active entries of the children of guardians[0..n) (n at most
 * RESIDENTS_SET_MAX), priority classes named in lang ("en" or else
 * Latvian), at most max of them, each to fn. Position = 1 + the active
 * entries ahead in the same institution and start year, by priority
 * (higher first), registration time, then id. 0 or -1.
 */
int	 preschool_places(struct store *, const int64_t *guardians, size_t n,
	    const char *lang, size_t max,
	    void (*fn)(void *, const struct preschool_place *), void *arg);

/* The number of queue entries into *n. 0 or -1. */
int	 preschool_count(struct store *, int64_t *n);

/*
 * The municipality's priority classes: how many there are besides 0 (the
 * highest priority number; 0 when none are defined) into *n, 0 or -1;
 * whether prio is one (1, 0, -1); define or rename one (0 or -1).
 */
int	 preschool_classes(struct store *, int64_t *n);
int	 preschool_class_known(struct store *, int64_t prio);
int	 preschool_class_set(struct store *, int64_t prio, const char *name_lv,
	    const char *name_en);

#endif
