/*
 * topics: the notification topics residents opt in to or out of (START,
 * STOP, TEMAS), broadcasts and reminders are sent under. A database gets
 * the standard set from topics_seed; staff add and edit more with munictl.
 * Exactly one topic is the emergency topic, which nobody can leave.
 */
#ifndef MUNI_TOPICS_H
#define MUNI_TOPICS_H

#include <stddef.h>
#include <stdint.h>

struct store;

#define TOPICS_CODE_SIZE	32	/* a code is at most 31 characters */
#define TOPICS_NAME_SIZE	128	/* bytes of UTF-8, with the NUL */
#define TOPICS_MAX		32	/* what TEMAS and services can list */
#define TOPICS_ERR_SIZE		256

struct topics_info {
	int64_t		 id;
	char		 code[TOPICS_CODE_SIZE];
	char		 name_lv[TOPICS_NAME_SIZE];
	char		 name_en[TOPICS_NAME_SIZE];
	int		 default_on;	/* opt-out (1) or opt-in (0) */
	int		 emergency;
	int64_t		 opted_in;	/* residents who chose it */
	int64_t		 opted_out;	/* residents who left it */
};

/*
 * Insert the standard topics that are missing (by code); a topic already
 * there is left as it is, and the standard emergency topic is skipped when
 * the database has one. *added (may be NULL) counts the new rows. 0 or -1.
 */
int	 topics_seed(struct store *, int *added);
/* How many topics, and how many of them are emergency topics. 0 or -1. */
int	 topics_count(struct store *, int64_t *n, int64_t *emergency);

/*
 * Whether code can be a topic code: 1 to 31 of a-z, 0-9 and '_', starting
 * with a letter, and one that START/STOP followed by it reaches (not a word
 * STOP reads as "everything"). 0, or -1 with err set.
 */
int	 topics_code_valid(const char *code, char *err, size_t errsize);

/*
 * The functions below return 0 when done, 1 when refused (err says why:
 * bad input, a duplicate, a topic in use) and -1 on a database error (err
 * set). Nothing is half-applied.
 */
int	 topics_add(struct store *, const char *code, const char *name_lv,
	    const char *name_en, int default_on, char *err, size_t errsize);
/* name_lv, name_en NULL and default_on -1 keep what is there. */
int	 topics_set(struct store *, const char *code, const char *name_lv,
	    const char *name_en, int default_on, char *err, size_t errsize);
/*
 * Remove a topic and the residents' choices about it (*dropped, may be
 * NULL). Refused for the emergency topic, topics the programs send under
 * (receipts, reminders, queue news), a topic a broadcast or a queued
 * message names, or one a group's rule asks about.
 */
int	 topics_remove(struct store *, const char *code, int64_t *dropped,
	    char *err, size_t errsize);
/* Every topic in creation order, at most max; *n the number. 0 or -1. */
int	 topics_list(struct store *, struct topics_info *out, size_t max,
	    size_t *n);
/* One topic by code: 0, 1 not found, -1. */
int	 topics_get(struct store *, const char *code, struct topics_info *);

#endif
