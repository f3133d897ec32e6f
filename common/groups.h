/*
 * groups: named sets of residents that staff send to. A rule group is a
 * rule (rule.h) evaluated each time the group is used, so it follows the
 * data; a manual group is a fixed list of residents and phone numbers
 * loaded from a CSV file. Resolving a group streams its members to a
 * callback chunk by chunk: a million members never sit in memory at once.
 */
#ifndef MUNI_GROUPS_H
#define MUNI_GROUPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "rule.h"

struct store;

#define GROUPS_NAME_MAX		64	/* bytes */
#define GROUPS_ACTOR_MAX	63	/* bytes of a staff user name */
#define GROUPS_CHUNK_DEFAULT	10000	/* members per statement run */
#define GROUPS_CHUNK_ALL	SIZE_MAX	/* one run: nothing to commit */
#define GROUPS_FILE_MAX_ROWS	1000000
#define GROUPS_ERR_SIZE		512

struct groups_info {
	int64_t		 id;
	char		 name[GROUPS_NAME_MAX + 1];
	int		 is_rule;
	char		 rule[RULE_TEXT_MAX + 1];	/* "" for manual */
	char		 created_by[GROUPS_ACTOR_MAX + 1];
	time_t		 created_at;
};

/* One member as resolution streams it; valid during the callback only. */
struct groups_member {
	int64_t		 resident_id;	/* 0: a phone-only manual member */
	const char	*phone;		/* E.164, or NULL: none known */
	int		 phone_kind;	/* enum ident_phone_kind, -1 none */
	const char	*given_name;	/* "" when unknown */
	const char	*family_name;
	const char	*lang;
	/* Filled as struct groups_extras asks. */
	int		 subscribed;	/* 1 when no topic was asked */
	int64_t		 owed_cents;	/* unpaid of the fee kind, -1 none */
	const char	*due_date;	/* its first due date, or NULL */
	int64_t		 queue_entry;	/* first active queue entry, 0 none */
};

/* What resolution should look up besides the member itself. */
struct groups_extras {
	int64_t		 topic_id;	/* 0: no subscription check */
	int		 topic_default;	/* the topic's default_on */
	const char	*fee_kind;	/* NULL: no fee columns */
	int		 queue;		/* 1: the queue entry column */
	const char	*institution;	/* its institution, NULL any */
};

/*
 * Called per member, and with m NULL after each chunk, when no statement
 * of the resolution is active (a caller may commit then). Return -1 to
 * stop: groups_resolve then returns -1 and leaves err alone.
 */
typedef int	(*groups_member_cb)(void *arg, const struct groups_member *m);

/*
 * Add a rule group: the name is new, the rule parses and its topics exist
 * (rule_check; warnings go to warn). Returns the id or -1 with err set.
 */
int64_t	 groups_add_rule(struct store *, const char *name, const char *rule,
	    const char *actor, void (*warn)(void *, const char *), void *arg,
	    char *err, size_t errsize);

struct groups_file_result {
	size_t		 rows;		/* data rows read */
	size_t		 residents;	/* members that are residents */
	size_t		 phones;	/* phone-only members */
	size_t		 duplicates;	/* rows naming a member again */
	size_t		 errors;
};

/*
 * Add a manual group from a CSV file (UTF-8): a header with a column
 * personal_code or phone (or both; a row uses whichever it fills), or no
 * header and one column of codes or numbers. Phones of residents become
 * those residents. All or nothing: errors go to errout as FILE:LINE:COLUMN
 * lines (never with a personal code in them) and nothing is written.
 * Returns the id or -1 with err set.
 */
int64_t	 groups_add_file(struct store *, const char *name, const char *path,
	    const char *actor, FILE *errout, struct groups_file_result *,
	    char *err, size_t errsize);

/*
 * The group called name: 0 found, 1 none (err says so and suggests the
 * nearest name), -1 database error.
 */
int	 groups_find(struct store *, const char *name, struct groups_info *,
	    char *err, size_t errsize);
/* By id: 0 found, 1 none, -1 error. */
int	 groups_get(struct store *, int64_t id, struct groups_info *);
/*
 * Remove the group called name and its members. Broadcasts already sent
 * to it keep their figures and lose the link. 0 removed, 1 no such group,
 * 2 refused (a broadcast awaiting approval, scheduled or sending uses it),
 * -1 database error; err says why for all but 0.
 */
int	 groups_remove(struct store *, const char *name, char *err,
	    size_t errsize);
/* Every group by name; cb returning -1 stops. 0 or -1. */
int	 groups_list(struct store *,
	    int (*cb)(void *arg, const struct groups_info *), void *arg);
/* Members now (a rule group is counted afresh), or -1 with err set. */
int64_t	 groups_count(struct store *, const struct groups_info *, char *err,
	    size_t errsize);
/*
 * Stream the members in resident (or file) order, chunk members per
 * statement run (0: GROUPS_CHUNK_DEFAULT; GROUPS_CHUNK_ALL: one run, the
 * fastest when the caller writes nothing in between). x may be NULL.
 * 0 or -1.
 */
int	 groups_resolve(struct store *, const struct groups_info *,
	    const struct groups_extras *x, size_t chunk, groups_member_cb cb,
	    void *arg, char *err, size_t errsize);

/*
 * 1 when resident_id is a member of rule group g now, 0 when not, -1 with
 * err set: one indexed probe, not a resolution.
 */
int	 groups_rule_has(struct store *, const struct groups_info *,
	    int64_t resident_id, char *err, size_t errsize);

/* 0 when name is acceptable for a new group, else -1 with *errstr. */
int	 groups_name_valid(const char *name, const char **errstr);

#endif
