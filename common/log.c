/*
 * log: one formatter for stderr and syslog, with the personal-code scrubber
 * applied to every line before it leaves the process.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

static const char	*log_prog = "muni";
static int		 log_syslog;
static int		 log_fd = -1;
static int		 log_journal;
static enum log_level	 log_level = LOG_LEVEL_INFO;
/*
 * The pid in every line, asked once: getpid() was an eighth of a log
 * line's instructions, three lines a message in the gateway. A fork's
 * child (daemon(), a kiosk's helper) learns its own in the atfork hook.
 */
static pid_t		 log_pid;

static void
log_pid_renew(void)
{
	log_pid = getpid();
}

void
log_init(const char *progname, int to_syslog)
{
	const char	*env;

	static int	 hooked;

	log_prog = progname;
	log_syslog = to_syslog;
	if (!hooked && pthread_atfork(NULL, NULL, log_pid_renew) == 0)
		hooked = 1;
	log_pid_renew();
	if (to_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	/*
	 * Under systemd, stderr may be the journal's stream (its device and
	 * inode are in $JOURNAL_STREAM): then a "<N>" prefix gives each line
	 * its priority, and the journal adds the time and the pid itself.
	 */
	log_journal = 0;
	if (!to_syslog && (env = getenv("JOURNAL_STREAM")) != NULL) {
		unsigned long long	 dev, ino;
		struct stat		 st;

		if (sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
		    fstat(STDERR_FILENO, &st) == 0 &&
		    (unsigned long long)st.st_dev == dev &&
		    (unsigned long long)st.st_ino == ino)
			log_journal = 1;
	}
	if ((env = getenv("MUNI_DEBUG")) != NULL && *env != '\0' &&
	    strcmp(env, "0") != 0)
		log_level = LOG_LEVEL_DEBUG;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_set_fd(int fd)
{
	log_fd = fd;
}

static int
digits_at(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

size_t
log_scrub(char *s)
{
	size_t	 masked = 0;
	char	*p = s;

	while (*p != '\0') {
		/* Only at the start of a run of digits. */
		if (!isdigit((unsigned char)*p) ||
		    (p > s && isdigit((unsigned char)p[-1]))) {
			p++;
			continue;
		}
		if (digits_at(p, 6) && p[6] == '-' && digits_at(p + 7, 5) &&
		    !isdigit((unsigned char)p[12])) {
			memset(p, '*', 6);
			memset(p + 7, '*', 5);
			p += 12;
			masked++;
		} else if (digits_at(p, 11) && !isdigit((unsigned char)p[11])) {
			memset(p, '*', 11);
			p += 11;
			masked++;
		} else
			p++;
	}
	return masked;
}

/*
 * The time stamp of stderr lines, made once a second: the gateway writes
 * a few lines per message, and localtime_r and strftime were half their
 * cost.
 */
static const char *
log_stamp(void)
{
	static _Thread_local char stamp[32];	/* the callback poster logs too */
	static _Thread_local time_t made = (time_t)-1;
	struct tm	 tm;
	time_t		 now = time(NULL);

	if (now != made) {
		/* The municipality's time, as everything else shows. */
		clock_local(now, &tm);
		if (strftime(stamp,
		    sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
			stamp[0] = '\0';
		made = now;
	}
	return stamp;
}

static void
log_emit(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_CRIT, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG };
	static const char *name[] = { "fatal", "warning", "info", "debug" };
	char	 line[2300], *msg;
	int	 saved = errno, fd, r;
	size_t	 n, room;

	if (level > log_level)
		return;
	/* The prefix, then the message formatted once, after it. */
	if (log_syslog && log_fd == -1)
		r = 0;
	else if (log_journal && log_fd == -1)
		r = snprintf(line, sizeof(line), "<%d>%s: ", prio[level],
		    name[level]);
	else
		r = snprintf(line, sizeof(line), "%s %s[%ld] %s: ",
		    log_stamp(), log_prog, (long)(log_pid != 0 ? log_pid :
		    getpid()), name[level]);
	if (r < 0 || (size_t)r >= sizeof(line) / 2)
		r = 0;
	msg = line + r;
	/* Room for the message, its errno text and the newline. */
	room = sizeof(line) - (size_t)r - 1;
	(void)vsnprintf(msg, room, fmt, ap);
	if (with_errno) {
		n = strlen(msg);
		(void)snprintf(msg + n, room - n, ": %s", strerror(saved));
	}
	(void)log_scrub(msg);
	if (log_syslog && log_fd == -1) {
		syslog(prio[level], "%s", msg);
		errno = saved;
		return;
	}
	n = (size_t)r + strlen(msg);
	line[n++] = '\n';
	fd = log_fd == -1 ? STDERR_FILENO : log_fd;
	/* A log line that cannot be written has nowhere else to go. */
	if (write(fd, line, n) != (ssize_t)n) {
		errno = saved;
		return;
	}
	errno = saved;
}

#define LOG_FN(fn, level, with_errno)				\
void								\
fn(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
								\
	va_start(ap, fmt);					\
	log_emit(level, with_errno, fmt, ap);			\
	va_end(ap);						\
}

LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_FATAL, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_FATAL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Close the interval when it is over: its summary, a fresh count. */
static void
rate_roll(struct log_rate *r, time_t now)
{
	if (r->start != 0 && now - r->start < r->interval_s)
		return;
	if (r->dropped > 0)
		log_info("%s: %lu more in the last %lld s", r->what,
		    r->dropped, (long long)(now - r->start));
	r->start = now;
	r->n = 0;
	r->dropped = 0;
}

int
log_rate_ok(struct log_rate *r)
{
	rate_roll(r, clock_now());
	if (r->n < r->burst) {
		r->n++;
		return 1;
	}
	r->dropped++;
	return 0;
}

void
log_rate_flush(struct log_rate *r)
{
	if (r->dropped > 0)
		rate_roll(r, clock_now());
}
