/*
 * fuzz_smstext_reasm: a stream of MO parts, clock moves and restarts fed
 * to the reassembler over the in-memory store. Ops (first byte & 3):
 *   0  deliver_sm: src, data_coding, len, then len bytes of short_message
 *      (UDHI when op & 4), decoded and, when it has a concatenation IE,
 *      added as a part;
 *   1  SAR: src, ref (2 bytes), total, seq, data_coding, len, bytes;
 *   2  the clock moves on p[0] * 8 s and what is due is released;
 *   3  restart: a new reassembler (timeout p[0] * 8 s) over the same store.
 * Every message that comes out must be UTF-8 (or hex) and consistent, and
 * at the end nothing may be left in the store. Built with FUZZ_REASM_DB
 * (fuzz_smsreasm_db.c) the parts are kept in the mo_parts table of an
 * in-memory database, as the gateway keeps them, instead of smsreasm_mem.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#ifdef FUZZ_REASM_DB
#include <sqlite3.h>
#include "log.h"
#include "store.h"
#include "store_sqlite.h"
#endif
#include "smsreasm.h"
#include "smstext.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const srcs[] = { "+37120000001", "+37120000002", "1188" };
static struct smstext_mo	 mo;

#ifdef FUZZ_REASM_DB
/* No cap in the table: an input of 4 KiB holds at most ~1,400 parts. */
#define FUZZ_REASM_MAX	4096

static struct store *
fuzz_store(void)
{
	static struct store	*s;
	const char		*errstr;

	if (s == NULL) {
		log_init("fuzz_smsreasm_db", 0);
		log_set_level(LOG_LEVEL_FATAL);
		if ((s = store_open(":memory:", STORE_CREATE, &errstr)) ==
		    NULL)
			abort();
	}
	return s;
}

static long long
parts_left(void)
{
	sqlite3_stmt	*st;
	long long	 n;

	if (sqlite3_prepare_v2(store_db(fuzz_store()), "SELECT count(*) FROM"
	    " mo_parts", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		abort();
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
#else
#define FUZZ_REASM_MAX	SMSREASM_MEM_MAX
#endif

static void
check(struct smsreasm_msg *m)
{
	size_t	 i;

	if (m->text == NULL || strlen(m->text) != m->len ||
	    m->received < 1 || m->received > m->key.total ||
	    m->incomplete != (m->received < m->key.total))
		abort();
	if (m->readable && !util_utf8_valid(m->text, m->len))
		abort();
	if (!m->readable)
		for (i = 0; i < m->len; i++)
			if (strchr("0123456789abcdef", m->text[i]) == NULL)
				abort();
	smsreasm_msg_clear(m);
}

static void
expire_all(struct smsreasm *r)
{
	struct smsreasm_msg	 m;
	int			 n, guard = 0;

	while ((n = smsreasm_expire(r, &m)) == 1) {
		check(&m);
		if (++guard > FUZZ_REASM_MAX)
			abort();
	}
	if (n != 0)
		abort();
}

static void
add(struct smsreasm *r, const char *src, unsigned ref, int bits, int total,
    int seq, uint8_t dc, const uint8_t *ud, size_t len)
{
	struct smsreasm_part	 p;
	struct smsreasm_msg	 m;
	const char		*errstr;

	memset(&p, 0, sizeof(p));
	if (smsreasm_key_set(&p.key, src, "1188", ref, bits, total,
	    &errstr) == -1)
		return;
	p.seq = (uint8_t)seq;
	p.data_coding = dc;
	p.ud = ud;
	p.ud_len = len;
	switch (smsreasm_add(r, &p, &m, &errstr)) {
	case SMSREASM_COMPLETE:
		if (m.incomplete)
			abort();
		check(&m);
		break;
	case SMSREASM_ERROR:
	case SMSREASM_REFUSED:
		if (errstr == NULL)
			abort();
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifndef FUZZ_REASM_DB
	struct smsreasm_mem	*mem;
#endif
	struct smsreasm_store	 st;
	struct smsreasm		*r;
	const uint8_t		*p = data, *end = data + size;
	const char		*errstr;
	size_t			 len;
	uint8_t			 op;

	clock_set_fake(1700000000);
#ifdef FUZZ_REASM_DB
	smsreasm_db_store(fuzz_store(), &st);
#else
	mem = smsreasm_mem_new();
	smsreasm_mem_store(mem, &st);
#endif
	r = smsreasm_new(&st, 0);
	while (p < end) {
		op = *p++;
		switch (op & 3) {
		case 0:
			if (end - p < 3)
				goto done;
			len = p[2] % 64;
			if ((size_t)(end - p - 3) < len)
				goto done;
			if (smstext_decode(p[1], op & 4, p + 3, len, &mo,
			    &errstr) == 0 && mo.concat.present)
				add(r, srcs[p[0] % 3], mo.concat.ref,
				    mo.concat.ref_bits, mo.concat.total,
				    mo.concat.seq, p[1], p + 3 + mo.ud_offset,
				    mo.ud_len);
			p += 3 + len;
			break;
		case 1:
			if (end - p < 7)
				goto done;
			len = p[6] % 64;
			if ((size_t)(end - p - 7) < len)
				goto done;
			add(r, srcs[p[0] % 3], (unsigned)p[1] << 8 | p[2], 16,
			    p[3], p[4], p[5], p + 7, len);
			p += 7 + len;
			break;
		case 2:
			if (end - p < 1)
				goto done;
			clock_advance_ms((int64_t)p[0] * 8000);
			p++;
			expire_all(r);
			break;
		case 3:
			if (end - p < 1)
				goto done;
			smsreasm_free(r);
			r = smsreasm_new(&st, p[0] * 8);
			p++;
			break;
		}
	}
done:
	/* Long after everything: the store must drain. */
	clock_advance_ms((int64_t)4000 * 1000);
	expire_all(r);
#ifdef FUZZ_REASM_DB
	if (parts_left() != 0)
		abort();
	smsreasm_free(r);
#else
	if (smsreasm_mem_count(mem) != 0)
		abort();
	smsreasm_free(r);
	smsreasm_mem_free(mem);
#endif
	clock_clear_fake();
	return 0;
}
