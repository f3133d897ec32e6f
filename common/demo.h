/*
 * demo: deterministic, realistic synthetic data for one municipality
 * (Dobeles novads), for the demo, the tests and the benchmarks. The same
 * seed and size give the same database, row for row.
 */
#ifndef MUNI_DEMO_H
#define MUNI_DEMO_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct demo_result {
	size_t	 residents;
	size_t	 queue_entries;
	size_t	 fees;
	size_t	 subscriptions;
};

#define DEMO_MAX_RESIDENTS	5000000

/*
 * Fill an empty database with n residents from seed. Refuses a database
 * that already holds residents or fees. Returns 0 or -1 with *errstr set.
 */
int	demo_fill(struct store *, size_t n, uint64_t seed,
	    struct demo_result *, const char **errstr);

/* Seed the reference data (topics, priority classes) every database needs. */
int	demo_reference_data(struct store *);

#endif
