/*
 * bench_kiosks: BENCH_KIOSKS (default 20) muni-kiosk processes at once on
 * 80x24 pseudo-terminals over one database, for tests/bench/pg.sh, which
 * runs it on SQLite and on PostgreSQL (issue 19) with the environment
 * below; run alone (by run.sh) it says so and does nothing.
 *
 *   BENCH_KIOSK_CONF  the muni.conf of a database with demo residents
 *   BENCH_KIOSK_SQL   a shell command that prints the rows of the query
 *                     appended to it, one a line, columns split by '|'
 *
 * Every kiosk signs in a parent of its own (menu, queue, personal code)
 * while the others do; then all are given their one-time codes in the
 * same instant and each is timed from its Enter to its queue screen.
 * Prints the median and the slowest of those times. Figures only.
 */
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define KIOSKS_MAX	64
#define OUT_MAX		(64 * 1024)
#define STEP_MS		20000

struct kiosk_pty {
	pid_t	 pid;
	int	 master;
	char	 out[OUT_MAX];
	size_t	 outlen;
	char	 rid[32];
	char	 typed[32];	/* its personal code, then its one-time code */
	int64_t	 t0, took;	/* the last step's, in microseconds */
};

static struct kiosk_pty	 kt[KIOSKS_MAX];
static int		 nk;

static int64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
stop_all(void)
{
	int	 i;

	for (i = 0; i < nk; i++)
		if (kt[i].pid > 0) {
			kill(kt[i].pid, SIGTERM);
			(void)waitpid(kt[i].pid, NULL, 0);
			close(kt[i].master);
			kt[i].pid = -1;
		}
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_kiosks: %s\n", what);
	stop_all();
	exit(1);
}

/* Read what kiosk i wrote so far, without waiting. */
static void
drain(struct kiosk_pty *k)
{
	struct pollfd	 p = { .fd = k->master, .events = POLLIN };
	ssize_t		 n;

	while (poll(&p, 1, 0) > 0) {
		if (k->outlen == sizeof(k->out))
			k->outlen = 0;	/* markers are short: start over */
		n = read(k->master, k->out + k->outlen,
		    sizeof(k->out) - k->outlen);
		if (n <= 0)
			return;
		k->outlen += (size_t)n;
	}
}

static int
seen(struct kiosk_pty *k, const char *marker)
{
	return memmem(k->out, k->outlen, marker, strlen(marker)) != NULL;
}

/*
 * Send each kiosk keys (NULL: what it types itself, and Enter) and wait
 * until every one shows marker; each one's time from its keys to its
 * marker goes into its took.
 */
static void
step_all(const char *keys, const char *marker)
{
	struct pollfd	 p[KIOSKS_MAX];
	char		 buf[64];
	const char	*s;
	int64_t		 end;
	int		 i, left;

	for (i = 0; i < nk; i++) {
		kt[i].outlen = 0;
		s = keys;
		if (s == NULL) {
			(void)snprintf(buf, sizeof(buf), "%s\r", kt[i].typed);
			s = buf;
		}
		kt[i].t0 = now_us();
		kt[i].took = -1;
		if (write(kt[i].master, s, strlen(s)) != (ssize_t)strlen(s))
			die("write to a terminal");
	}
	end = now_us() + (int64_t)STEP_MS * 1000;
	for (;;) {
		left = 0;
		for (i = 0; i < nk; i++) {
			if (kt[i].took >= 0)
				continue;
			drain(&kt[i]);
			if (seen(&kt[i], marker))
				kt[i].took = now_us() - kt[i].t0;
			else
				left++;
		}
		if (left == 0)
			break;
		if (now_us() > end) {
			fprintf(stderr, "bench_kiosks: no '%s' on %d kiosks\n",
			    marker, left);
			die("a screen did not come");
		}
		for (i = 0; i < nk; i++) {
			p[i].fd = kt[i].master;
			p[i].events = POLLIN;
		}
		(void)poll(p, (nfds_t)nk, 20);
	}
}

static pid_t
start_kiosk(struct kiosk_pty *k, int i, const char *bin, const char *conf,
    const char *loc)
{
	struct winsize	 ws = { .ws_row = 24, .ws_col = 80 };
	char		 path[1024], term[32];

	k->pid = forkpty(&k->master, NULL, NULL, &ws);
	if (k->pid == 0) {
		setenv("TERM", "xterm", 1);
		setenv("MUNI_LOCALEDIR", loc, 0);
		snprintf(path, sizeof(path), "%s/muni-kiosk", bin);
		snprintf(term, sizeof(term), "bench-%d", i);
		execl(path, "muni-kiosk", "-c", conf, "-T", term,
		    (char *)NULL);
		_exit(127);
	}
	return k->pid;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
main(void)
{
	const char	*bin = getenv("MUNI_BIN");
	const char	*conf = getenv("BENCH_KIOSK_CONF");
	const char	*sql = getenv("BENCH_KIOSK_SQL");
	const char	*nstr = getenv("BENCH_KIOSKS");
	const char	*errstr;
	char		 cmd[4096], line[256], loc[1024];
	const char	*c;
	int64_t		 v[KIOSKS_MAX];
	long long	 n = 20;
	FILE		*fp;
	int		 i;

	if (conf == NULL || sql == NULL) {
		printf("(run by tests/bench/pg.sh, on each engine)\n");
		return 0;
	}
	if (bin == NULL)
		die("MUNI_BIN is not set");
	if (nstr != NULL && util_strtonum(nstr, 1, KIOSKS_MAX, &n,
	    &errstr) == -1)
		die("BENCH_KIOSKS is out of range");
	nk = (int)n;

	/* Parents with a mobile and a child in a queue, one a kiosk. */
	(void)snprintf(cmd, sizeof(cmd), "%s \"SELECT r.id, "
	    "replace(r.personal_code, '-', '') FROM residents r "
	    "WHERE r.phone_kind = 0 AND EXISTS (SELECT 1 FROM queue_entries q "
	    "WHERE q.guardian_id = r.id AND q.status = 'active') "
	    "ORDER BY r.id LIMIT %d\"", sql, nk);
	if ((fp = popen(cmd, "r")) == NULL)
		die("popen");
	for (i = 0; i < nk && fgets(line, sizeof(line), fp) != NULL; i++)
		if (sscanf(line, "%31[0-9]|%31[0-9]", kt[i].rid,
		    kt[i].typed) != 2)
			die("a parent's row does not read");
	if (pclose(fp) != 0 || i < nk)
		die("not enough parents in the demo data");

	snprintf(loc, sizeof(loc), "%s/../locale", bin);
	for (i = 0; i < nk; i++)
		if (start_kiosk(&kt[i], i, bin, conf, loc) == -1)
			die("forkpty");
	step_all("", "Palīdzība");
	step_all("1", "Ko vēlaties darīt");
	step_all("1", "Ievadiet savu personas kodu");
	step_all(NULL, "Ievadiet 6 ciparu kodu");

	/* Each kiosk's code, from the outbox row it wrote. */
	for (i = 0; i < nk; i++) {
		(void)snprintf(cmd, sizeof(cmd), "%s \"SELECT text FROM outbox "
		    "WHERE resident_id = %s ORDER BY id DESC LIMIT 1\"", sql,
		    kt[i].rid);
		if ((fp = popen(cmd, "r")) == NULL)
			die("popen");
		line[0] = '\0';
		if (fgets(line, sizeof(line), fp) == NULL)
			line[0] = '\0';
		(void)pclose(fp);
		if ((c = strstr(line, ": ")) == NULL || strlen(c + 2) < 6)
			die("no code in the outbox");
		(void)snprintf(kt[i].typed, sizeof(kt[i].typed), "%.6s",
		    c + 2);
	}
	/* At once: every code and Enter, each timed to its queue screen. */
	step_all(NULL, "Jūsu bērni");
	for (i = 0; i < nk; i++)
		v[i] = kt[i].took;
	qsort(v, (size_t)nk, sizeof(v[0]), cmp64);
	printf("kiosks=%d sign_in_to_queue_p50_ms=%.1f max_ms=%.1f\n", nk,
	    v[nk / 2] / 1000.0, v[nk - 1] / 1000.0);
	stop_all();
	return 0;
}
