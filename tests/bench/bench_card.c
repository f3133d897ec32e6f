/*
 * bench_card: what a merchant's PĀRBAUDE costs with many live card codes
 * (issue 21). A store in a temporary file, one merchant and its offer,
 * LIVE residents who each asked for a code (KARTE, through card_issue);
 * then a check of each live code (valid) and as many wrong codes, timed.
 * A check must not grow with the number of live codes: it used to try
 * each one with yescrypt (about 1.2 ms apiece). Prints p50/p99 in
 * microseconds as key=value; an argument sets the number of live codes.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card.h"
#include "clock.h"
#include "groups.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "store_sqlite.h"
#include "util.h"

#define NOW		1781514000	/* 2026-06-15 09:00 UTC */
#define TTL		600
#define SHOP		"+37129999991"
#define TARGET_P99_US	5000

static int64_t
now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		perror("clock_gettime");
		exit(1);
	}
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *name, int64_t *us, size_t n, long long live)
{
	qsort(us, n, sizeof(*us), cmp_i64);
	printf("%s_p50_us=%lld %s_p99_us=%lld %s_max_us=%lld live_codes=%lld"
	    " target_p99_us=%d n=%zu\n", name, (long long)us[n / 2], name,
	    (long long)us[n * 99 / 100], name, (long long)us[n - 1], live,
	    TARGET_P99_US, n);
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "bench_card: %s: %s\n", what, why);
	exit(1);
}

/* The code of the newest outbox row, the SMS the resident would get. */
static void
last_code(struct store *s, char code[CARD_CODE_DIGITS + 1])
{
	sqlite3_stmt	*st;
	const char	*p;

	if (sqlite3_prepare_v2(store_db(s), "SELECT text FROM outbox"
	    " ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    (p = strstr((const char *)sqlite3_column_text(st, 0), ": ")) ==
	    NULL)
		die("outbox", "no code SMS");
	(void)util_strlcpy(code, p + 2, CARD_CODE_DIGITS + 1);
	sqlite3_finalize(st);
}

int
main(int argc, char **argv)
{
	struct card_merchant_spec ms = { "Veikals", SHOP, "Dobele", "Rīgas 1",
	    1 };
	struct card_offer_spec	 os = { "Veikals", "visi", "10% atlaide",
	    NULL, NULL, NULL };
	struct card_check_params p = { 1000000, 1 };
	struct card_check	 ck;
	struct store		*s;
	char			 path[] = "/tmp/muni-bench-card.XXXXXX";
	char			 side[sizeof(path) + 8], err[CARD_ERR_SIZE];
	char			 phone[IDENT_PHONE_SIZE], wrong[24];
	char			(*codes)[CARD_CODE_DIGITS + 1];
	const char		*errstr;
	long long		 live = 500;
	int64_t			*us, t0, issue_us;
	time_t			 exp;
	long long		 i;
	int			 fd;

	if (argc > 1 && util_strtonum(argv[1], 1, 100000, &live,
	    &errstr) == -1) {
		fprintf(stderr, "usage: bench_card [live-codes]\n");
		return 1;
	}
	log_init("bench_card", 0);
	log_set_level(LOG_LEVEL_WARN);
	i18n_init();
	clock_set_fake(NOW);
	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	if ((s = store_open(path, STORE_CREATE, &errstr)) == NULL)
		die(path, errstr);
	/* Residents 1..live, each with a mobile phone of their own. */
	if (sqlite3_exec(store_db(s), "WITH RECURSIVE n(i) AS (SELECT 1"
	    " UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
	    " INSERT INTO residents (id, personal_code, given_name,"
	    " family_name, phone, phone_kind, lang, territory, birth_date,"
	    " updated_at) SELECT i, printf('010180-1%04d', i), 'Anna',"
	    " 'Bērziņa', printf('+3712%07d', i - 1), 0, 'lv', 'Dobele',"
	    " '1980-01-01', 0 FROM n", NULL, NULL, NULL) != SQLITE_OK)
		die("residents", sqlite3_errmsg(store_db(s)));
	if (groups_add_rule(s, "visi", "age >= 0", "bench", NULL, NULL, err,
	    sizeof(err)) == -1 || card_merchant_add(s, "bench", &ms, err,
	    sizeof(err)) == -1 || card_offer_add(s, "bench", &os, err,
	    sizeof(err)) == -1)
		die("setup", err);

	codes = xcalloc((size_t)live, sizeof(*codes));
	us = xcalloc((size_t)live, sizeof(*us));
	t0 = now_us();
	for (i = 0; i < live; i++) {
		(void)snprintf(phone, sizeof(phone), "+3712%07d", (int)(i % 10000000));
		if (card_issue(s, TTL, "Dobeles novada", i + 1, phone, &exp) !=
		    CARD_ISSUED)
			die("card_issue", "not issued");
		last_code(s, codes[i]);
	}
	issue_us = (now_us() - t0) / live;
	printf("issue_mean_us=%lld live_codes=%lld\n", (long long)issue_us,
	    live);

	for (i = 0; i < live; i++) {
		t0 = now_us();
		if (card_check(s, &p, SHOP, codes[i], &ck) != CARD_VALID)
			die("card_check", "a live code is not valid");
		us[i] = now_us() - t0;
	}
	report("check_valid", us, (size_t)live, live);
	for (i = 0; i < live; i++) {
		/* A code nobody has: the first free one from 999999 down. */
		(void)snprintf(wrong, sizeof(wrong), "%06lld", 999999 - i);
		t0 = now_us();
		(void)card_check(s, &p, SHOP, wrong, &ck);
		us[i] = now_us() - t0;
	}
	report("check_wrong", us, (size_t)live, live);

	free(us);
	free(codes);
	store_close(s);
	(void)unlink(path);
	(void)snprintf(side, sizeof(side), "%s-wal", path);
	(void)unlink(side);
	(void)snprintf(side, sizeof(side), "%s-shm", path);
	(void)unlink(side);
	return 0;
}
