/*
 * fuzz_rule: the group rule parser and compiler on arbitrary bytes. A rule
 * is refused with a "LINE:COLUMN: " message, or it compiles to SQL that
 * carries none of its text (no ';', no comment, a parameter for every
 * value), prepares on a real schema and runs - against a small demo
 * database, so EXISTS and subqueries meet rows - and its three statements
 * (the count, EXISTS probes, IN lists) find the same residents.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "demo.h"
#include "log.h"
#include "rule.h"
#include "store.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct store *
fuzz_store(void)
{
	static struct store	*s;
	struct demo_result	 dr;
	const char		*errstr;

	if (s != NULL)
		return s;
	log_init("fuzz_rule", 0);
	log_set_level(LOG_LEVEL_FATAL);
	clock_set_fake(1781514000);	/* 2026-06-15 */
	if ((s = store_open(":memory:", STORE_CREATE, &errstr)) == NULL ||
	    demo_fill(s, 50, 1, &dr, &errstr) == -1)
		abort();
	return s;
}

/* "LINE:COLUMN: text" with both numbers from 1. */
static int
well_formed_error(const char *e)
{
	size_t	 n;

	if ((n = strspn(e, "0123456789")) == 0 || e[0] == '0' || e[n] != ':')
		return 0;
	e += n + 1;
	if ((n = strspn(e, "0123456789")) == 0 || e[0] == '0' || e[n] != ':')
		return 0;
	return e[n + 1] == ' ' && e[n + 2] != '\0';
}

static void
check_sql(const struct rule *r, enum rule_query q, enum store_dialect d)
{
	char	*sql, *p;
	size_t	 nb, params = 0;
	int	 mark = d == STORE_POSTGRES ? '$' : '?';

	if ((sql = rule_sql(r, q, d, &nb)) == NULL)
		abort();
	if (strchr(sql, ';') != NULL || strstr(sql, "--") != NULL ||
	    strstr(sql, "/*") != NULL || strchr(sql, '"') != NULL)
		abort();
	for (p = sql; (p = strchr(p, mark)) != NULL; p++)
		if (strtol(p + 1, NULL, 10) >= rule_param_first(q, d))
			params++;
	if (params != nb)
		abort();
	free(sql);
}

/* How many residents statement q matches, and the sum of their ids. */
static void
members(struct store *s, const struct rule *r, enum rule_query q,
    int64_t *n, int64_t *sum)
{
	struct store_cur *c;
	char		 err[RULE_ERR_SIZE];
	int		 rc;

	*n = *sum = 0;
	if ((c = rule_prepare(s, r, q, err, sizeof(err))) == NULL)
		abort();
	if (store_bind(c, "II", (int64_t)0, (int64_t)100000) != STORE_OK)
		abort();
	while ((rc = store_step(c)) == STORE_ROW) {
		(*n)++;
		*sum += store_i64(c, 1);
	}
	store_cur_free(c);
	if (rc != STORE_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store	*s = fuzz_store();
	struct rule	*r;
	struct store_cur *c;
	char		*text, err[RULE_ERR_SIZE];
	int64_t		 count, n1, n2, sum1, sum2;

	if (size > 4 * RULE_TEXT_MAX)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if ((r = rule_parse(text, err, sizeof(err))) == NULL) {
		if (!well_formed_error(err))
			abort();
		free(text);
		return 0;
	}
	if (rule_terms(r) == 0 || rule_terms(r) > RULE_TERMS_MAX)
		abort();
	check_sql(r, RULE_COUNT, STORE_SQLITE);
	check_sql(r, RULE_MEMBERS, STORE_SQLITE);
	check_sql(r, RULE_MEMBERS_ONCE, STORE_SQLITE);
	check_sql(r, RULE_COUNT, STORE_POSTGRES);
	check_sql(r, RULE_MEMBERS, STORE_POSTGRES);
	check_sql(r, RULE_MEMBERS_ONCE, STORE_POSTGRES);
	/*
	 * Whatever parses compiles to SQL that SQLite accepts and runs, and
	 * the three forms agree: the count, the EXISTS probes, the IN lists.
	 */
	if ((c = rule_prepare(s, r, RULE_COUNT, err, sizeof(err))) == NULL)
		abort();
	if (store_step(c) != STORE_ROW)
		abort();
	count = store_i64(c, 0);
	store_cur_free(c);
	members(s, r, RULE_MEMBERS, &n1, &sum1);
	members(s, r, RULE_MEMBERS_ONCE, &n2, &sum2);
	if (n1 != count || n2 != count || sum1 != sum2)
		abort();
	/* Checking values against the data never fails but for topics. */
	(void)rule_check(s, r, NULL, NULL, err, sizeof(err));
	rule_free(r);
	free(text);
	return 0;
}
