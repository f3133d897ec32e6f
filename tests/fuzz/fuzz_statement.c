/*
 * fuzz_statement: the camt.053 / camt.054 importer on arbitrary bytes,
 * against a small demo database, as a dry run so every input meets the
 * same data. An input is booked or refused with a reason, never more; the
 * figures add up, and a dry run leaves no payment behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "demo.h"
#include "log.h"
#include "payments.h"
#include "statement.h"
#include "store.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct store *
fuzz_store(void)
{
	static struct store	*s;
	struct demo_result	 dr;
	const char		*errstr;

	if (s != NULL)
		return s;
	log_init("fuzz_statement", 0);
	log_set_level(LOG_LEVEL_FATAL);
	clock_set_fake(1741010400);	/* 2025-03-03, as the corpus */
	if ((s = store_open(":memory:", STORE_CREATE, &errstr)) == NULL ||
	    demo_fill(s, 30, 1, &dr, &errstr) == -1)
		abort();
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store		*s = fuzz_store();
	struct statement_opts	 o;
	struct statement_result	 r;
	struct payments_summary	 sum;
	const char		*errstr = NULL;
	size_t			 booked;

	memset(&o, 0, sizeof(o));
	o.dry_run = 1;
	o.iban = "LV89RIKO0023300000000";
	o.display_name = "fuzz.xml";
	if (statement_import_mem(s, data, size, &o, &r, &errstr) == -1) {
		if (errstr == NULL || strncmp(errstr, "fuzz.xml", 8) != 0)
			abort();
	} else {
		booked = r.matched + r.partial + r.over + r.unmatched +
		    r.duplicates;
		/* A batch entry may book several transactions. */
		if (r.skipped > r.entries || booked < r.entries - r.skipped ||
		    r.receipts > r.matched + r.over + r.partial ||
		    (r.message != 53 && r.message != 54) ||
		    r.version < 2 || r.version > 8)
			abort();
	}
	if (payments_summary(s, &sum) == -1 || sum.count[0] + sum.count[1] +
	    sum.count[2] + sum.count[3] != 0)
		abort();
	return 0;
}
