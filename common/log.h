/*
 * log: leveled logging to stderr (foreground) or syslog (daemon). Every line
 * passes a scrubber that masks anything shaped like a personal code, so a
 * careless caller cannot leak one into a log.
 */
#ifndef MUNI_LOG_H
#define MUNI_LOG_H

#include <stddef.h>
#include <time.h>

enum log_level {
	LOG_LEVEL_FATAL,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void	log_init(const char *progname, int to_syslog);
void	log_set_level(enum log_level);
/* Send lines to this fd instead of stderr (tests); -1 restores stderr. */
void	log_set_fd(int fd);

void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * A limit on one kind of line a peer can cause in bulk (an unknown
 * generic_nack, an orphan receipt, a refused MO part): 20,000 lines from
 * one storm bury everything else and journald drops the rest. The first
 * `burst` lines of an interval are logged; the others are counted and
 * summed up in one line, "WHAT: N more in the last S s", once the interval
 * is over (at the next such line or at log_rate_flush). Static storage.
 */
struct log_rate {
	const char	*what;
	int		 burst;
	int		 interval_s;
	time_t		 start;
	int		 n;
	unsigned long	 dropped;
};
#define LOG_RATE_INIT(what, burst, interval_s) \
	{ (what), (burst), (interval_s), 0, 0, 0 }

/* 1: log this line now; 0: it is counted instead. */
int	log_rate_ok(struct log_rate *);
/* Write the summary of an interval that is over (call from a timer). */
void	log_rate_flush(struct log_rate *);

/*
 * Mask every run that looks like a Latvian personal code (DDMMYY-NNNNN or
 * eleven digits in a row) in place. Returns the number masked.
 */
size_t	log_scrub(char *);

#endif
