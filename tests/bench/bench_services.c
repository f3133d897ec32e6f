/*
 * bench_services: latency of what a resident's SMS costs the database on
 * a demo municipality of 1,000,000 residents in a temporary file — the
 * queue position lookup (caller by phone, then services_queue) and whole
 * keyword replies (RINDA, MAKSA, TEMAS and the help, from guardians,
 * payers and unknown numbers), START/STOP and USSD menu steps, which
 * commit. Prints
 * p50/p99 in microseconds beside the target (p99 <= 5 ms) as key=value.
 * An argument sets the number of residents.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "demo.h"
#include "i18n.h"
#include "keywords.h"
#include "log.h"
#include "services.h"
#include "store.h"
#include "store_sqlite.h"
#include "ussd.h"
#include "util.h"

#define TARGET_P99_US	5000
#define NPHONES		2000
#define ROUNDS		5

static char	 phones[NPHONES][IDENT_PHONE_SIZE];
static size_t	 nphones;

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
report(const char *name, int64_t *us, size_t n)
{
	qsort(us, n, sizeof(*us), cmp_i64);
	printf("%s_p50_us=%lld %s_p99_us=%lld %s_max_us=%lld "
	    "target_p99_us=%d n=%zu\n", name, (long long)us[n / 2], name,
	    (long long)us[n * 99 / 100], name, (long long)us[n - 1],
	    TARGET_P99_US, n);
}

/* Guardians' phones, sampled across the table (most have fees too). */
static void
pick_phones(struct store *s)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(store_db(s), "SELECT r.phone FROM residents r"
	    " WHERE r.phone_kind = 0 AND r.id IN (SELECT guardian_id FROM"
	    " queue_entries) ORDER BY (r.id * 2654435761) % 1000003 LIMIT ?1",
	    -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int(st, 1, NPHONES) != SQLITE_OK) {
		fprintf(stderr, "bench_services: %s\n",
		    sqlite3_errmsg(store_db(s)));
		exit(1);
	}
	while (sqlite3_step(st) == SQLITE_ROW && nphones < NPHONES)
		(void)util_strlcpy(phones[nphones++],
		    (const char *)sqlite3_column_text(st, 0), IDENT_PHONE_SIZE);
	sqlite3_finalize(st);
	if (nphones == 0) {
		fprintf(stderr, "bench_services: no guardian has a phone\n");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct store		*s;
	struct config		*cfg;
	struct demo_result	 dr;
	struct services_caller	 c;
	struct services_queue	 q;
	struct keywords_opts	 opts;
	struct keywords_result	 res;
	static char		 reply[KEYWORDS_REPLY_SIZE];
	static const char	*texts[] = { "RINDA", "maksā", "TĒMAS",
	    "palidziba", "queue" };
	char			 path[] = "/tmp/muni-bench-services.XXXXXX";
	char			 side[sizeof(path) + 8], unknown[32];
	const char		*errstr;
	long long		 n = 1000000;
	int64_t			*us, t0, built;
	size_t			 i, k, m, total = 0;
	int			 fd, r;

	if (argc > 1 && util_strtonum(argv[1], 1, DEMO_MAX_RESIDENTS, &n,
	    &errstr) == -1) {
		fprintf(stderr, "usage: bench_services [residents]\n");
		return 1;
	}
	log_init("bench_services", 0);
	log_set_level(LOG_LEVEL_WARN);
	i18n_init();
	clock_set_fake(1781514000);	/* 2026-06-15: fixed data */
	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	t0 = now_us();
	if ((s = store_open(path, STORE_CREATE, &errstr)) == NULL ||
	    demo_fill(s, (size_t)n, 1, &dr, &errstr) == -1) {
		fprintf(stderr, "bench_services: %s\n", errstr);
		return 1;
	}
	built = now_us() - t0;
	printf("demo_residents=%zu queue_entries=%zu fees=%zu demo_s=%.1f\n",
	    dr.residents, dr.queue_entries, dr.fees, (double)built / 1e6);
	cfg = config_defaults();
	pick_phones(s);
	us = calloc(nphones * ROUNDS * nitems(texts) + 1, sizeof(*us));
	if (us == NULL) {
		perror("calloc");
		return 1;
	}

	/* The queue position lookup, as a kiosk or USSD screen asks it. */
	for (r = 0, m = 0; r < ROUNDS; r++)
		for (i = 0; i < nphones; i++) {
			t0 = now_us();
			if (services_caller_by_phone(s, phones[i], &c) != 0 ||
			    services_queue(s, &c, &q) == -1) {
				fprintf(stderr, "bench_services: queue\n");
				return 1;
			}
			us[m++] = now_us() - t0;
			total += q.n;
		}
	report("services_queue", us, m);
	printf("queue_entries_seen=%zu\n", total);

	/* Whole keyword replies; every fifth from a number nobody has. */
	memset(&opts, 0, sizeof(opts));
	for (r = 0, m = 0; r < ROUNDS; r++)
		for (i = 0; i < nphones; i++)
			for (k = 0; k < nitems(texts); k++) {
				const char *from = phones[i];

				if ((i + k) % 5 == 0) {
					(void)snprintf(unknown, sizeof(unknown),
					    "+3712%07zu", 9000000 + i);
					from = unknown;
				}
				t0 = now_us();
				if (keywords_handle(s, cfg, from, texts[k],
				    strlen(texts[k]), &opts, reply,
				    sizeof(reply), &res) != 1) {
					fprintf(stderr, "bench_services: "
					    "keywords\n");
					return 1;
				}
				us[m++] = now_us() - t0;
			}
	report("keywords_reply", us, m);

	/* START and STOP commit (synchronous=FULL): the disk shows here. */
	for (i = 0, m = 0; i < nphones && i < 500; i++) {
		const char *t = i % 2 ? "STOP kultura" : "START kultura";

		t0 = now_us();
		if (keywords_handle(s, cfg, phones[i], t, strlen(t), &opts,
		    reply, sizeof(reply), &res) != 1) {
			fprintf(stderr, "bench_services: start/stop\n");
			return 1;
		}
		us[m++] = now_us() - t0;
	}
	report("keywords_start_stop", us, m);

	/* A USSD walk: menu, queue, back, payments, a fee, back, end. */
	for (i = 0, m = 0; i < nphones && i < 500; i++) {
		static const char *walk[] = { NULL, "1", "00", "2", "1", "00",
		    "00", "0" };
		struct ussd_reply	 ur;
		char			 sess[32];

		(void)snprintf(sess, sizeof(sess), "b%zu", i);
		for (k = 0; k < nitems(walk); k++) {
			t0 = now_us();
			if (ussd_handle(s, cfg, phones[i], sess, k == 0 ?
			    USSD_OP_OPEN : USSD_OP_ANSWER, walk[k],
			    walk[k] != NULL ? strlen(walk[k]) : 0, &ur) != 1) {
				fprintf(stderr, "bench_services: ussd\n");
				return 1;
			}
			us[m++] = now_us() - t0;
		}
	}
	report("ussd_step", us, m);

	free(us);
	config_free(cfg);
	store_close(s);
	(void)unlink(path);
	(void)snprintf(side, sizeof(side), "%s-wal", path);
	(void)unlink(side);
	(void)snprintf(side, sizeof(side), "%s-shm", path);
	(void)unlink(side);
	return 0;
}
