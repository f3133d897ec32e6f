/*
 * log: leveled logging to stderr (foreground) or syslog (daemon). Every line
 * passes a scrubber that masks anything shaped like a personal code, so a
 * careless caller cannot leak one into a log.
 */
#ifndef MUNI_LOG_H
#define MUNI_LOG_H

#include <stddef.h>

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
 * Mask every run that looks like a Latvian personal code (DDMMYY-NNNNN or
 * eleven digits in a row) in place. Returns the number masked.
 */
size_t	log_scrub(char *);

#endif
