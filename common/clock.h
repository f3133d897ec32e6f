/*
 * clock: the one seam through which every module reads time, so tests can
 * set and move it.
 */
#ifndef MUNI_CLOCK_H
#define MUNI_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Wall-clock time, seconds since the epoch. */
time_t	 clock_now(void);
/* Wall-clock time in milliseconds. */
int64_t	 clock_now_ms(void);
/* Monotonic milliseconds, for timers and rates. */
int64_t	 clock_mono_ms(void);
/* Monotonic microseconds, for latency figures. */
int64_t	 clock_mono_us(void);

/* Tests: freeze both clocks at wall time t (monotonic follows). */
void	 clock_set_fake(time_t t);
/* Tests: move the frozen clocks forward by ms. */
void	 clock_advance_ms(int64_t ms);
/* Back to the system clocks. */
void	 clock_clear_fake(void);
/*
 * Integration tests of the daemon: $MUNI_FAKE_NOW ("YYYY-MM-DD HH:MM:SS"
 * local, or seconds since the epoch) shifts the wall clock so that it
 * reads that time now and runs on from there; the monotonic clock is left
 * alone. 0 unset, 1 set, -1 with *errstr when it cannot be read.
 */
int	 clock_from_env(const char **errstr);

/* Local calendar date of t ("YYYY-MM-DD") in buf of at least 11 bytes. */
void	 clock_date(time_t t, char *buf, size_t size);
/* Local "YYYY-MM-DD HH:MM:SS" of t. */
void	 clock_datetime(time_t t, char *buf, size_t size);

#endif
