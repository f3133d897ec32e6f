/*
 * fuzz_import: arbitrary bytes as a CSV export of residents, the queue or
 * fees, or a batch of SMS (phone,text: munictl sms send --batch) — the
 * first byte picks which, 0x40 being the batch — imported into one
 * in-memory store. Whatever the bytes, the import either commits or leaves
 * the store as it was, and never crashes. A batch that fails leaves no
 * outbox row; one that commits leaves one per row read.
 */
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import.h"
#include "log.h"
#include "store.h"
#include "store_sqlite.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static long long
outbox_rows(struct store *s)
{
	sqlite3_stmt	*st;
	long long	 n;

	if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM outbox", -1,
	    &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		abort();
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

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
	long long		 n;
	int			 rc;

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
	if (data[0] & 0x40) {
		kind = IMPORT_SMS;
		o.sms_validity_s = data[0] & 1 ? 300 : 0;
		o.sms_encoding = data[0] & 2 ? "translit" : "auto";
		o.sms_max_segments = data[0] & 4 ? 1 : 0;
	}
	rc = import_csv(s, kind, path, &o, &r);
	if (kind == IMPORT_SMS) {
		n = outbox_rows(s);
		if ((rc == -1 || o.dry_run) ? n != 0 : n != (long long)r.rows)
			abort();
		/* Keep the store small over millions of runs. */
		if (n != 0 && sqlite3_exec(store_db(s), "DELETE FROM outbox",
		    NULL, NULL, NULL) != SQLITE_OK)
			abort();
	}
	return 0;
}
