/*
 * bench_broadcast: a rule group over 1,000,000 demo residents previewed
 * (target <= 1 s) and sent as ~500,000 personalised messages into the
 * outbox in chunked transactions (target <= 5 s), on a database file with
 * the durability settings of production. The demo data is made by a child
 * process, so the peak RSS printed is the broadcast's alone: streamed, it
 * stays far below what holding the messages would take.
 *
 * BENCH_RESIDENTS overrides the size; BENCH_KEEP=1 keeps the database;
 * BENCH_DB=FILE uses a database made before (by BENCH_KEEP) instead;
 * BENCH_CHUNK sets the outbox rows per commit (default 10,000).
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broadcast.h"
#include "clock.h"
#include "config.h"
#include "demo.h"
#include "groups.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define RULE	"has_mobile AND age < 58"
#define TEXT	"Labdien, {given_name}! Dobeles novada pašvaldība atgādina: " \
		"rīt no 9:00 līdz 15:00 Brīvības ielā nebūs ūdens."
#define RULE2	"fee_unpaid(nin) AND has_mobile"
#define TEXT2	"{given_name}, NĪN {amount} EUR, termiņš {due_date}."

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
peak_rss_kb(void)
{
	struct rusage	 ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* Make the demo database in a child, so its memory is not ours. */
static int
make_db(const char *path, size_t n, double *secs)
{
	struct store		*s;
	struct demo_result	 res;
	const char		*errstr;
	double			 t0 = now_s();
	pid_t			 pid;
	int			 status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((s = store_open(path, STORE_CREATE | STORE_MIGRATE,
		    &errstr)) == NULL || demo_fill(s, n, 1, &res,
		    &errstr) == -1) {
			fprintf(stderr, "bench: %s\n", errstr);
			_exit(1);
		}
		store_close(s);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	*secs = now_s() - t0;
	return 0;
}

static int
run(struct store *s, const struct broadcast_params *bp, const char *name,
    const char *rule, const char *text, const char *tag)
{
	struct broadcast_req	 req;
	struct broadcast_preview pv, out;
	struct groups_info	 g;
	char			 err[BROADCAST_ERR_SIZE];
	double			 t0, tp[3], tsend, tcancel, tmp;
	int64_t			 gid, id, n;
	int			 i, j;

	if (groups_find(s, name, &g, err, sizeof(err)) == 0)
		gid = g.id;
	else if ((gid = groups_add_rule(s, name, rule, "bench", NULL, NULL,
	    err, sizeof(err))) == -1) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.group_id = gid;
	req.text = text;
	req.topic = "pii";
	req.actor = "bench";
	for (i = 0; i < 3; i++) {
		t0 = now_s();
		if (broadcast_preview(s, bp, &req, &pv, err, sizeof(err)) ==
		    -1) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
		tp[i] = now_s() - t0;
	}
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (tp[j] < tp[i]) {
				tmp = tp[i];
				tp[i] = tp[j];
				tp[j] = tmp;
			}
	t0 = now_s();
	if ((id = broadcast_send(s, bp, &req, &pv, &out, err,
	    sizeof(err))) == -1) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	tsend = now_s() - t0;
	t0 = now_s();
	if (broadcast_cancel(s, id, "bench", &n, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	tcancel = now_s() - t0;
	printf("%s_rule=\"%s\" members=%lld recipients=%lld segments=%lld "
	    "ucs2=%lld\n", tag, rule, (long long)pv.members,
	    (long long)pv.recipients, (long long)pv.segments,
	    (long long)pv.ucs2);
	printf("%s_preview_s_median=%.3f target_s=1\n", tag, tp[1]);
	printf("%s_send_s=%.3f target_s=5 rows_per_s=%.0f\n", tag, tsend,
	    (double)out.recipients / tsend);
	printf("%s_cancel_s=%.3f cancelled=%lld peak_rss_kb=%ld\n", tag,
	    tcancel, (long long)n, peak_rss_kb());
	fflush(stdout);
	return 0;
}

int
main(void)
{
	struct broadcast_params	 bp;
	struct config		*cfg;
	struct store		*s;
	const char		*errstr, *env;
	char			 dir[] = "/tmp/muni-bench-bc.XXXXXX", path[128];
	long long		 n = 1000000;
	double			 tdemo;
	int			 rc = 1;

	log_init("bench_broadcast", 0);
	log_set_level(LOG_LEVEL_WARN);
	if ((env = getenv("BENCH_RESIDENTS")) != NULL &&
	    util_strtonum(env, 1000, DEMO_MAX_RESIDENTS, &n, &errstr) == -1) {
		fprintf(stderr, "BENCH_RESIDENTS %s\n", errstr);
		return 1;
	}
	if (mkdtemp(dir) == NULL ||
	    util_snprintf(path, sizeof(path), "%s/muni.db", dir) == -1)
		return 1;
	if ((env = getenv("BENCH_DB")) != NULL) {
		if (util_strlcpy(path, env, sizeof(path)) == -1)
			goto out;
		printf("database=%s (made before)\n", path);
	} else if (make_db(path, (size_t)n, &tdemo) == -1) {
		fprintf(stderr, "bench: the demo database failed\n");
		goto out;
	} else
		printf("residents=%lld demo_s=%.1f\n", n, tdemo);
	fflush(stdout);
	if ((s = store_open(path, 0, &errstr)) == NULL) {
		fprintf(stderr, "bench: %s\n", errstr);
		goto out;
	}
	cfg = config_defaults();
	broadcast_params_init(&bp, cfg);
	/* The bench measures queueing, not the two-person rule. */
	bp.approval_threshold = INT64_MAX;
	bp.quiet_start = bp.quiet_end = 0;
	if ((env = getenv("BENCH_CHUNK")) != NULL &&
	    util_strtonum(env, 100, 1000000, &n, &errstr) == 0)
		bp.chunk_rows = (size_t)n;
	if (run(s, &bp, "half", RULE, TEXT, "given_name") == 0 &&
	    run(s, &bp, "nin", RULE2, TEXT2, "amount") == 0)
		rc = 0;
	printf("peak_rss_kb=%ld (the broadcast process; demo made apart)\n",
	    peak_rss_kb());
	store_close(s);
	config_free(cfg);
out:
	if (getenv("BENCH_KEEP") == NULL) {
		(void)util_snprintf(path, sizeof(path), "rm -rf '%s'", dir);
		if (system(path) != 0)
			fprintf(stderr, "bench: could not remove %s\n", dir);
	} else
		fprintf(stderr, "bench: database kept in %s\n", dir);
	return rc;
}
