/*
 * fuzz_import: arbitrary bytes as a CSV export of residents, the queue or
 * fees (the first byte picks which), imported into one in-memory store.
 * Whatever the bytes, the import either commits or leaves the store as it
 * was, and never crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import.h"
#include "log.h"
#include "store.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store	*s;
	static FILE		*devnull;
	static int		 fd = -1;
	struct import_opts	 o = { 0 };
	struct import_result	 r;
	const char		*errstr;
	char			 path[64];
	enum import_kind	 kind;

	if (s == NULL) {
		log_set_level(LOG_LEVEL_FATAL);
		if ((s = store_open(":memory:", STORE_CREATE, &errstr)) ==
		    NULL || (devnull = fopen("/dev/null", "w")) == NULL ||
		    (fd = memfd_create("fuzz_import", 0)) == -1)
			abort();
	}
	if (size == 0)
		return 0;
	kind = data[0] % 3 == 0 ? IMPORT_RESIDENTS : data[0] % 3 == 1 ?
	    IMPORT_QUEUE : IMPORT_FEES;
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data + 1, size - 1, 0) !=
	    (ssize_t)(size - 1))
		abort();
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.errout = devnull;
	o.display_name = "fuzz.csv";
	o.dry_run = data[0] & 0x80;
	(void)import_csv(s, kind, path, &o, &r);
	return 0;
}
