/*
 * rule: the group rule language. Staff describe a group of residents with a
 * small expression over resident data; the compiler turns it into SQL made
 * only of fixed fragments with every value bound as a parameter.
 *
 *   rule      := or
 *   or        := and { OR and }
 *   and       := unary { AND unary }
 *   unary     := NOT unary | '(' or ')' | predicate
 *   predicate := textfield ( '=' | '!=' | '<>' ) STRING
 *              | textfield [NOT] IN '(' STRING { ',' STRING } ')'
 *              | age ( '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=' ) NUMBER
 *              | age [NOT] IN '(' NUMBER { ',' NUMBER } ')'
 *              | boolfield [ ( '=' | '!=' ) ( TRUE | FALSE | 1 | 0 ) ]
 *              | function '(' ( STRING | WORD ) ')' [ ( '=' | '!=' ) bool ]
 *   textfield := territory | lang | queue_institution
 *   boolfield := has_mobile | child_in_queue | dog_owner
 *   function  := fee_unpaid | fee_overdue | subscribed
 *
 * Keywords and names are case-insensitive. Strings are in 'single' or
 * "double" quotes (a quote is doubled to put it inside) and may hold any
 * UTF-8 text, Latvian letters included. Numbers are whole and decimal.
 *
 * Meaning, for resident r (today by the muni clock, in local time):
 *   territory, lang        r's territory and language code
 *   age                    whole years since r's birth date; a resident
 *                          whose birth date is unknown matches no age
 *                          comparison (but does match NOT of one)
 *   has_mobile             r has a number that takes SMS (a Latvian
 *                          mobile or a foreign number)
 *   child_in_queue         r is the guardian of an active preschool
 *                          queue entry
 *   queue_institution = X  such an entry is at institution X (its full
 *                          name); != and NOT IN: no such entry there
 *   dog_owner              r has a dog fee ("dog"), of any period
 *   fee_unpaid(K)          r has a fee of kind K not paid in full
 *   fee_overdue(K)         ... and its due date has passed
 *   subscribed(T)          r receives topic T (their choice, else the
 *                          topic's default; emergency topics: always)
 * Every predicate is true or false, never unknown, so NOT r is exactly
 * the residents r does not match.
 */
#ifndef MUNI_RULE_H
#define MUNI_RULE_H

#include <stddef.h>

#include "store.h"

struct store;
struct store_cur;

#define RULE_TEXT_MAX	1000	/* bytes of rule text */
#define RULE_DEPTH_MAX	16	/* nested parentheses and NOTs */
#define RULE_TERMS_MAX	32	/* predicates in one rule */
#define RULE_LIST_MAX	50	/* values in one IN list */
#define RULE_STRING_MAX	200	/* bytes in one string value */
#define RULE_ERR_SIZE	256	/* enough for any error message */

/*
 * Parameters of the members statement the caller binds: ?1 the last
 * cursor seen (0 at first), ?2 the most rows to return. ?4-?8 ask for
 * the broadcast columns (see groups.h); rule values start at ?9 (see
 * rule_param_first for the count on PostgreSQL).
 */
#define RULE_PARAM_FIRST 9

struct rule;

/*
 * Parse text. Returns NULL with a message "LINE:COLUMN: what" in err
 * (columns count characters, from 1) when the text is not a valid rule.
 */
struct rule	*rule_parse(const char *text, char *err, size_t errsize);
void		 rule_free(struct rule *);
/* The number of predicates in the rule. */
size_t		 rule_terms(const struct rule *);
/* The first fee kind the rule names (fee_unpaid, fee_overdue), or NULL. */
const char	*rule_fee_kind(const struct rule *);
/* The first institution a queue_institution = or IN names, or NULL. */
const char	*rule_institution(const struct rule *);

/*
 * Check the rule's values against the data: a topic that does not exist
 * is an error (-1, err set); a territory, institution or fee kind that
 * matches nothing yet is a warning passed to warn (may be NULL), with the
 * nearest existing value suggested. Returns 0 or -1.
 */
int		 rule_check(struct store *, const struct rule *,
		    void (*warn)(void *arg, const char *msg), void *arg,
		    char *err, size_t errsize);

/*
 * The statements a rule compiles to. The two members statements return
 * the same rows; they differ in how SQLite finds them. Per-resident facts
 * (queue, fees) are correlated EXISTS probes in RULE_MEMBERS, cheap to
 * restart for every chunk, and IN lists built once in RULE_MEMBERS_ONCE,
 * which are faster when one run reads them all.
 */
enum rule_query {
	RULE_COUNT,		/* one row: count(*) */
	RULE_MEMBERS,		/* rows in the groups.h member layout */
	RULE_MEMBERS_ONCE,	/* the same, for a single run over all */
};

/*
 * The SQL the rule compiles to in dialect d (caller frees), and the number
 * of values it binds in *nbinds. For tests, and to show what a rule does.
 */
char		*rule_sql(const struct rule *, enum rule_query,
		    enum store_dialect d, size_t *nbinds);
/*
 * The number of the parameter that holds the rule's first value:
 * RULE_PARAM_FIRST, except in PostgreSQL's count, which has no other
 * parameters and must number its own from 1.
 */
int		 rule_param_first(enum rule_query, enum store_dialect);
/*
 * The values the statement binds, in the order of its parameters from
 * rule_param_first() on (the same in both dialects), as text: for tests
 * that run rule_sql()'s text outside the store. Returns how many; the
 * caller frees each string and the array *values.
 */
size_t		 rule_values(const struct rule *, enum rule_query,
		    char ***values);

/*
 * Prepare the rule's statement through store_prepare with every rule
 * value bound (the rule may be freed afterwards). The caller binds the
 * parameters below RULE_PARAM_FIRST (store_bind_at), steps, and frees it
 * with store_cur_free. Returns NULL with err set on failure.
 */
struct store_cur *rule_prepare(struct store *, const struct rule *,
		    enum rule_query, char *err, size_t errsize);

#endif
