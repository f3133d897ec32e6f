/*
 * bench_kiosk: muni-kiosk on an 80x24 pseudo-terminal over a database of
 * BENCH_RESIDENTS (default 1,000,000) demo residents. Prints the time from
 * start to the first whole screen and the peak RSS (targets: <= 100 ms,
 * <= 16 MB), and screen-to-screen times: the menu, and a signed-in
 * resident's queue and fees (medians of BENCH_RUNS, default 21). A screen
 * counts as shown when a text of it has been written to the terminal.
 * ncurses writes only the cells that change, so each marker is a text
 * none of whose cells the screen before had the same: hence "Beigt" (the
 * menu's legend) after a personal screen but the title after the welcome. Figures only: nothing here fails on a
 * slow machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define OUT_MAX		(256 * 1024)
#define STEP_MS		10000
#define STARTS		7	/* kiosk starts timed */

static char	 out[OUT_MAX];
static size_t	 outlen;
static int	 master = -1;
static pid_t	 kid = -1;

static int64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_kiosk: %s\n", what);
	if (kid > 0)
		kill(kid, SIGTERM);
	exit(1);
}

/* Run a shell command, its first output line into buf (may be NULL). */
static int
sh(const char *cmd, char *buf, size_t size)
{
	FILE	*fp = popen(cmd, "r");
	char	 line[512];
	int	 got = 0;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (!got++ && buf != NULL)
			snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"),
			    line);
	return pclose(fp) == 0 ? 0 : -1;
}

/* Read the terminal until marker was written; -1 on timeout. */
static int
wait_marker(const char *marker)
{
	struct pollfd	 p;
	int64_t		 end = now_us() + (int64_t)STEP_MS * 1000;
	ssize_t		 n;

	for (;;) {
		if (memmem(out, outlen, marker, strlen(marker)) != NULL)
			return 0;
		if (now_us() > end)
			return -1;
		p.fd = master;
		p.events = POLLIN;
		if (poll(&p, 1, 50) <= 0)
			continue;
		if (outlen == sizeof(out))
			outlen = 0;	/* markers are short: start over */
		n = read(master, out + outlen, sizeof(out) - outlen);
		if (n <= 0)
			return -1;
		outlen += (size_t)n;
	}
}

/* Send keys and time until marker appears, in microseconds. */
static int64_t
step(const char *keys, const char *marker)
{
	int64_t	 t0;

	outlen = 0;
	t0 = now_us();
	if (write(master, keys, strlen(keys)) != (ssize_t)strlen(keys))
		die("write to the terminal");
	if (wait_marker(marker) == -1) {
		fprintf(stderr, "bench_kiosk: no '%s' after '%s'\n", marker,
		    keys);
		die("a screen did not come");
	}
	return now_us() - t0;
}

static long
status_kb(const char *field)
{
	char	 path[64], line[256];
	FILE	*fp;
	long	 kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)kid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			kb = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(fp);
	return kb;
}

/* muni-kiosk on a new 80x24 pseudo-terminal; its pid, -1. */
static pid_t
start_kiosk(const char *bin, const char *conf, const char *loc)
{
	struct winsize	 ws = { .ws_row = 24, .ws_col = 80 };
	char		 path[1024];
	pid_t		 pid;

	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid == 0) {
		setenv("TERM", "xterm", 1);
		setenv("MUNI_LOCALEDIR", loc, 0);
		snprintf(path, sizeof(path), "%s/muni-kiosk", bin);
		execl(path, "muni-kiosk", "-c", conf, "-T", "bench",
		    (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double
median_ms(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	return v[n / 2] / 1000.0;
}

int
main(void)
{
	const char	*bin = getenv("MUNI_BIN");
	const char	*nres = getenv("BENCH_RESIDENTS");
	const char	*nruns = getenv("BENCH_RUNS");
	char		 dir[] = "/tmp/muni-bench-kiosk.XXXXXX";
	char		 cmd[2048], conf[512], loc[1024], pcode[32], code[16];
	char		 rid[32];
	int64_t		 t0, first = 0, v[3][101], starts[STARTS];
	long long	 n = 1000000, nr = 21;
	const char	*errstr;
	char		 msg[128];
	int		 runs, i, k;
	FILE		*fp;

	if (bin == NULL)
		die("MUNI_BIN is not set");
	if (nres != NULL && util_strtonum(nres, 1, 10000000, &n, &errstr) == -1) {
		(void)snprintf(msg, sizeof(msg), "BENCH_RESIDENTS %s", errstr);
		die(msg);
	}
	/* v[][] holds 101 samples a screen. */
	if (nruns != NULL && util_strtonum(nruns, 1, 101, &nr, &errstr) == -1) {
		(void)snprintf(msg, sizeof(msg), "BENCH_RUNS %s (1 to 101)",
		    errstr);
		die(msg);
	}
	runs = (int)nr;
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	snprintf(conf, sizeof(conf), "%s/muni.conf", dir);
	if ((fp = fopen(conf, "w")) == NULL)
		die("muni.conf");
	fprintf(fp, "[database]\npath = %s/muni.db\n[kiosk]\n"
	    "idle_timeout_s = 3600\n", dir);
	fclose(fp);
	t0 = now_us();
	snprintf(cmd, sizeof(cmd), "'%s/munictl' -c '%s' init >/dev/null 2>&1 "
	    "&& '%s/munictl' -c '%s' demo --residents %lld --seed 1 "
	    ">/dev/null 2>&1", bin, conf, bin, conf, n);
	if (sh(cmd, NULL, 0) == -1)
		die("munictl demo failed");
	printf("demo_residents=%lld demo_s=%.1f\n", n,
	    (now_us() - t0) / 1e6);

	/* A parent with a mobile and a child in a queue. */
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s/muni.db' \"select r.id || ' ' "
	    "|| replace(r.personal_code, '-', '') from residents r where "
	    "r.phone_kind = 0 and exists (select 1 from queue_entries q where "
	    "q.guardian_id = r.id and q.status = 'active') order by r.id "
	    "limit 1\"", dir);
	if (sh(cmd, cmd, sizeof(cmd)) == -1 ||
	    sscanf(cmd, "%31s %31s", rid, pcode) != 2)
		die("no parent in the demo data");

	snprintf(loc, sizeof(loc), "%s/../locale", bin);
	/* Cold and warm starts: each kiosk but the last is stopped. */
	for (k = 0; k < STARTS; k++) {
		if (k > 0) {
			kill(kid, SIGTERM);
			(void)waitpid(kid, NULL, 0);
			close(master);
		}
		outlen = 0;
		t0 = now_us();
		if ((kid = start_kiosk(bin, conf, loc)) == -1)
			die("forkpty");
		if (wait_marker("Palīdzība") == -1)
			die("no first screen");
		starts[k] = now_us() - t0;
		if (k == 0)
			first = starts[0];
	}
	printf("start_to_first_screen_ms=%.1f (first start; median of %d "
	    "starts %.1f; target <= 100)\n", first / 1000.0, STARTS,
	    median_ms(starts, STARTS));
	printf("rss_first_screen_kb=%ld\n", status_kb("VmRSS"));

	for (i = 0; i < runs; i++) {
		v[0][i] = step("1", "Ko vēlaties darīt");
		(void)step("0", "Turpināt");
	}
	printf("screen_welcome_to_menu_ms=%.2f (median of %d)\n",
	    median_ms(v[0], runs), runs);

	/* Sign in: the code from the outbox row the kiosk wrote. */
	(void)step("1", "Ko vēlaties darīt");
	(void)step("1", "Ievadiet savu personas kodu");
	(void)step(pcode, "Kods nosūtīts");
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s/muni.db' \"select substr(text, "
	    "instr(text, ': ') + 2, 6) from outbox where resident_id = %s "
	    "order by id desc limit 1\"", dir, rid);
	if (sh(cmd, code, sizeof(code)) == -1 || strlen(code) != 6)
		die("no code in the outbox");
	snprintf(cmd, sizeof(cmd), "%s\r", code);
	v[2][0] = step(cmd, "Jūsu bērni");
	printf("sign_in_to_queue_ms=%.2f\n", v[2][0] / 1000.0);
	for (i = 0; i < runs; i++) {
		(void)step("0", "Beigt");
		v[0][i] = step("1", "Jūsu bērni");
		(void)step("0", "Beigt");
		v[1][i] = step("2", "Nesamaksāt");
	}
	(void)step("0", "Beigt");
	printf("screen_menu_to_queue_ms=%.2f (median of %d)\n",
	    median_ms(v[0], runs), runs);
	printf("screen_menu_to_fees_ms=%.2f (median of %d)\n",
	    median_ms(v[1], runs), runs);
	printf("rss_peak_kb=%ld (target <= 16384)\n", status_kb("VmHWM"));

	kill(kid, SIGTERM);
	(void)waitpid(kid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)sh(cmd, NULL, 0);
	return 0;
}
