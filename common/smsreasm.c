/*
 * smsreasm: putting concatenated MO messages back together. Parts go to the
 * store as they come (raw user data and data_coding, so an escape or a
 * surrogate pair that a sender split across parts still decodes); when the
 * last one arrives the message is decoded whole and the parts leave the
 * store. What waits too long is released with its gaps marked.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "smsreasm.h"
#include "smstext.h"
#include "util.h"

/*
 * Messages completed lately, so that a part the SMSC delivers again after
 * its message was done (our deliver_sm_resp lost) is not taken for the
 * start of a new message that would sit out the timeout as a fragment.
 */
#define RECENT_MAX	64
#define RECENT_PARTS	16

struct recent {
	struct smsreasm_key key;
	time_t		 done;
	unsigned	 nparts;
	uint8_t		 seq[RECENT_PARTS];
	uint64_t	 hash[RECENT_PARTS];
};

struct smsreasm {
	struct smsreasm_store st;
	int		 timeout;
	struct recent	 recent[RECENT_MAX];
	size_t		 nrecent;
	size_t		 recent_next;
};

/* A part as loaded for assembly; ud is owned. */
struct slot {
	int		 have;
	uint8_t		 dc;
	time_t		 arrived;
	uint8_t		*ud;
	size_t		 len;
};

static const char gap_mark[] = "\xe2\x80\xa6";	/* … */

static int
key_equal(const struct smsreasm_key *a, const struct smsreasm_key *b)
{
	return a->ref == b->ref && a->ref_bits == b->ref_bits &&
	    a->total == b->total && strcmp(a->src, b->src) == 0 &&
	    strcmp(a->dst, b->dst) == 0;
}

static uint64_t
part_hash(uint8_t dc, const uint8_t *p, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	h = (h ^ dc) * 0x100000001b3ULL;
	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int
smsreasm_key_set(struct smsreasm_key *k, const char *src, const char *dst,
    unsigned ref, int ref_bits, int total, const char **errstr)
{
	memset(k, 0, sizeof(*k));
	if (util_strlcpy(k->src, src, sizeof(k->src)) == -1) {
		*errstr = "sender address is longer than 20 characters";
		return -1;
	}
	if (util_strlcpy(k->dst, dst, sizeof(k->dst)) == -1) {
		*errstr = "destination address is longer than 20 characters";
		return -1;
	}
	if ((ref_bits != 8 && ref_bits != 16) ||
	    ref > (ref_bits == 8 ? 0xffu : 0xffffu)) {
		*errstr = "concatenation reference is out of range";
		return -1;
	}
	if (total < 1 || total > 255) {
		*errstr = "number of parts is not between 1 and 255";
		return -1;
	}
	k->ref = (uint16_t)ref;
	k->ref_bits = (uint8_t)ref_bits;
	k->total = (uint8_t)total;
	return 0;
}

static int
key_valid(const struct smsreasm_key *k)
{
	return memchr(k->src, '\0', sizeof(k->src)) != NULL &&
	    memchr(k->dst, '\0', sizeof(k->dst)) != NULL &&
	    (k->ref_bits == 16 || (k->ref_bits == 8 && k->ref <= 0xff)) &&
	    k->total >= 1;
}

struct smsreasm *
smsreasm_new(const struct smsreasm_store *st, int timeout_s)
{
	struct smsreasm	*r;

	if (st->save == NULL || st->load == NULL || st->remove == NULL ||
	    st->oldest == NULL || st->held == NULL)
		fatalx("smsreasm_new: incomplete store");
	r = xcalloc(1, sizeof(*r));
	r->st = *st;
	smsreasm_set_timeout(r, timeout_s);
	return r;
}

void
smsreasm_free(struct smsreasm *r)
{
	free(r);
}

void
smsreasm_set_timeout(struct smsreasm *r, int timeout_s)
{
	r->timeout = timeout_s > 0 ? timeout_s : SMSREASM_TIMEOUT_DEFAULT;
}

void
smsreasm_msg_clear(struct smsreasm_msg *m)
{
	free(m->text);
	memset(m, 0, sizeof(*m));
}

static void
hex_append(char *out, size_t *o, const uint8_t *p, size_t len)
{
	static const char	 xd[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[(*o)++] = xd[p[i] >> 4];
		out[(*o)++] = xd[p[i] & 0x0f];
	}
}

/*
 * Decode the slots into out: each run of present parts with one
 * data_coding is decoded whole; each run of missing parts becomes "…".
 */
static void
build(const struct smsreasm_key *key, struct slot *sl, unsigned total,
    struct smsreasm_msg *out)
{
	uint8_t		*run;
	char		*text;
	size_t		 sum = 0, size, o = 0, rl;
	unsigned	 i, j;
	int		 readable = 1, n;

	memset(out, 0, sizeof(*out));
	out->key = *key;
	for (i = 0; i < total; i++) {
		if (!sl[i].have)
			continue;
		if (out->received == 0 || sl[i].arrived < out->first)
			out->first = sl[i].arrived;
		out->received++;
		sum += sl[i].len;
		if (!smstext_dc_readable(sl[i].dc))
			readable = 0;
	}
	out->incomplete = out->received < total;
	out->readable = readable;
	size = 3 * sum + 3 * (size_t)total + 1;
	text = xmalloc(size);
	if (!readable) {
		for (i = 0; i < total; i++)
			if (sl[i].have)
				hex_append(text, &o, sl[i].ud, sl[i].len);
		text[o] = '\0';
		out->text = text;
		out->len = o;
		return;
	}
	run = sum > 0 ? xmalloc(sum) : NULL;
	for (i = 0; i < total;) {
		if (!sl[i].have) {
			memcpy(text + o, gap_mark, 3);
			o += 3;
			while (i < total && !sl[i].have)
				i++;
			continue;
		}
		rl = 0;
		for (j = i; j < total && sl[j].have && sl[j].dc == sl[i].dc;
		    j++) {
			if (sl[j].len > 0)
				memcpy(run + rl, sl[j].ud, sl[j].len);
			rl += sl[j].len;
		}
		n = smstext_decode_ud(sl[i].dc, run, rl, text + o, size - o);
		if (n < 0)
			fatalx("smsreasm: decode buffer miscounted");
		o += (size_t)n;
		i = j;
	}
	text[o] = '\0';
	free(run);
	out->text = text;
	out->len = o;
}

struct loadctx {
	struct slot	*sl;
	unsigned	 total;
};

static int
load_one(void *arg, const struct smsreasm_part *p)
{
	struct loadctx	*c = arg;
	struct slot	*s;

	/* A store is outside data too: skip what does not fit the key. */
	if (p->seq < 1 || p->seq > c->total || p->ud_len > SMSREASM_PART_MAX)
		return 0;
	s = &c->sl[p->seq - 1];
	if (s->have)
		return 0;
	s->have = 1;
	s->dc = p->data_coding;
	s->arrived = p->arrived;
	s->len = p->ud_len;
	s->ud = p->ud_len > 0 ? xmalloc(p->ud_len) : NULL;
	if (p->ud_len > 0)
		memcpy(s->ud, p->ud, p->ud_len);
	return 0;
}

static void
slots_free(struct slot *sl, unsigned total)
{
	unsigned	 i;

	for (i = 0; i < total; i++)
		free(sl[i].ud);
	free(sl);
}

/* Load key's parts and decode them into out; -1 on a store error. */
static int
assemble(struct smsreasm *r, const struct smsreasm_key *key,
    struct smsreasm_msg *out)
{
	struct loadctx	 c;

	c.total = key->total;
	c.sl = xcalloc(c.total, sizeof(*c.sl));
	if (r->st.load(r->st.arg, key, load_one, &c) == -1) {
		slots_free(c.sl, c.total);
		return -1;
	}
	build(key, c.sl, c.total, out);
	slots_free(c.sl, c.total);
	return 0;
}

static void
recent_add(struct smsreasm *r, const struct smsreasm_key *key,
    const struct slot *sl, time_t now)
{
	struct recent	*e = &r->recent[r->recent_next];
	unsigned	 i;

	r->recent_next = (r->recent_next + 1) % RECENT_MAX;
	if (r->nrecent < RECENT_MAX)
		r->nrecent++;
	e->key = *key;
	e->done = now;
	e->nparts = 0;
	for (i = 0; i < key->total && e->nparts < RECENT_PARTS; i++) {
		if (!sl[i].have)
			continue;
		e->seq[e->nparts] = (uint8_t)(i + 1);
		e->hash[e->nparts] = part_hash(sl[i].dc, sl[i].ud, sl[i].len);
		e->nparts++;
	}
}

/* The part repeats one of a message completed within the timeout. */
static int
recent_dup(struct smsreasm *r, const struct smsreasm_part *p, time_t now)
{
	const struct recent *e;
	uint64_t	 h = 0;
	int		 hashed = 0;
	size_t		 i;
	unsigned	 k;

	for (i = 0; i < r->nrecent; i++) {
		e = &r->recent[i];
		if (now - e->done >= r->timeout || !key_equal(&e->key, &p->key))
			continue;
		if (!hashed) {
			h = part_hash(p->data_coding, p->ud, p->ud_len);
			hashed = 1;
		}
		for (k = 0; k < e->nparts; k++)
			if (e->seq[k] == p->seq && e->hash[k] == h)
				return 1;
	}
	return 0;
}

enum smsreasm_result
smsreasm_add(struct smsreasm *r, const struct smsreasm_part *in,
    struct smsreasm_msg *out, const char **errstr)
{
	struct smsreasm_part	 p = *in;
	struct smsreasm_held	 h;
	struct loadctx		 c;
	time_t			 now = clock_now();
	int			 n;

	memset(out, 0, sizeof(*out));
	if (!key_valid(&p.key) || p.seq < 1 || p.seq > p.key.total) {
		*errstr = "part number or reference is out of range";
		return SMSREASM_REFUSED;
	}
	if (p.ud_len > SMSREASM_PART_MAX || (p.ud == NULL && p.ud_len > 0)) {
		*errstr = "part is longer than 1024 bytes";
		return SMSREASM_REFUSED;
	}
	p.arrived = now;

	if (p.key.total == 1) {
		/* Nothing to wait for: decode it from the caller's bytes. */
		c.total = 1;
		c.sl = xcalloc(1, sizeof(*c.sl));
		(void)load_one(&c, &p);
		build(&p.key, c.sl, 1, out);
		slots_free(c.sl, 1);
		return SMSREASM_COMPLETE;
	}
	if (recent_dup(r, &p, now))
		return SMSREASM_DUPLICATE;

	/* Bound what one sender can make us hold, before keeping more. */
	if (r->st.held(r->st.arg, p.key.src, &h) == -1) {
		*errstr = "could not count the sender's parts";
		return SMSREASM_ERROR;
	}
	if (h.parts >= SMSREASM_PARTS_MAX) {
		*errstr = "too many parts held from this sender";
		return SMSREASM_REFUSED;
	}
	if (h.bytes + p.ud_len > SMSREASM_BYTES_MAX) {
		*errstr = "too many bytes held from this sender";
		return SMSREASM_REFUSED;
	}
	if ((n = r->st.save(r->st.arg, &p)) == -1) {
		*errstr = "could not keep the part";
		return SMSREASM_ERROR;
	}
	if (n == 0)
		return SMSREASM_DUPLICATE;
	if (n == 1 && h.messages >= SMSREASM_PENDING_MAX) {
		/* A new message past the limit: its one part goes again. */
		if (r->st.remove(r->st.arg, &p.key) == -1) {
			*errstr = "could not drop a refused part";
			return SMSREASM_ERROR;
		}
		*errstr = "too many unfinished messages from this sender";
		return SMSREASM_REFUSED;
	}
	if (n < p.key.total)
		return SMSREASM_WAITING;

	c.total = p.key.total;
	c.sl = xcalloc(c.total, sizeof(*c.sl));
	if (r->st.load(r->st.arg, &p.key, load_one, &c) == -1 ||
	    r->st.remove(r->st.arg, &p.key) == -1) {
		slots_free(c.sl, c.total);
		*errstr = "could not read the parts back";
		return SMSREASM_ERROR;
	}
	build(&p.key, c.sl, c.total, out);
	recent_add(r, &p.key, c.sl, now);
	slots_free(c.sl, c.total);
	return SMSREASM_COMPLETE;
}

int
smsreasm_expire(struct smsreasm *r, struct smsreasm_msg *out)
{
	struct smsreasm_key	 key;
	int			 n;

	memset(out, 0, sizeof(*out));
	for (;;) {
		n = r->st.oldest(r->st.arg, clock_now() - r->timeout, &key);
		if (n <= 0)
			return n;
		if (key_valid(&key))
			break;
		log_warnx("smsreasm: dropping parts with a broken key");
		if (r->st.remove(r->st.arg, &key) == -1)
			return -1;
	}
	if (assemble(r, &key, out) == -1)
		return -1;
	if (r->st.remove(r->st.arg, &key) == -1) {
		smsreasm_msg_clear(out);
		return -1;
	}
	return 1;
}

/* The in-memory store: an array scanned linearly, bounded. */

struct mem_part {
	struct smsreasm_key key;
	uint8_t		 seq;
	uint8_t		 dc;
	time_t		 arrived;
	uint8_t		*ud;
	size_t		 len;
};

struct smsreasm_mem {
	struct mem_part	*p;
	size_t		 n;
	size_t		 cap;
};

struct smsreasm_mem *
smsreasm_mem_new(void)
{
	return xcalloc(1, sizeof(struct smsreasm_mem));
}

void
smsreasm_mem_free(struct smsreasm_mem *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->p[i].ud);
	free(m->p);
	free(m);
}

size_t
smsreasm_mem_count(const struct smsreasm_mem *m)
{
	return m->n;
}

static int
mem_save(void *arg, const struct smsreasm_part *part)
{
	struct smsreasm_mem	*m = arg;
	struct mem_part		*mp;
	size_t			 i;
	int			 count = 1;

	for (i = 0; i < m->n; i++) {
		if (!key_equal(&m->p[i].key, &part->key))
			continue;
		if (m->p[i].seq == part->seq)
			return 0;
		count++;
	}
	if (m->n == SMSREASM_MEM_MAX) {
		log_warnx("smsreasm: %d parts held, refusing more",
		    SMSREASM_MEM_MAX);
		return -1;
	}
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 16 : m->cap * 2;
		m->p = xreallocarray(m->p, m->cap, sizeof(*m->p));
	}
	mp = &m->p[m->n++];
	mp->key = part->key;
	mp->seq = part->seq;
	mp->dc = part->data_coding;
	mp->arrived = part->arrived;
	mp->len = part->ud_len;
	mp->ud = part->ud_len > 0 ? xmalloc(part->ud_len) : NULL;
	if (part->ud_len > 0)
		memcpy(mp->ud, part->ud, part->ud_len);
	return count;
}

static int
mem_load(void *arg, const struct smsreasm_key *key,
    int (*fn)(void *, const struct smsreasm_part *), void *fnarg)
{
	struct smsreasm_mem	*m = arg;
	struct smsreasm_part	 part;
	size_t			 i;

	for (i = 0; i < m->n; i++) {
		if (!key_equal(&m->p[i].key, key))
			continue;
		part.key = m->p[i].key;
		part.seq = m->p[i].seq;
		part.data_coding = m->p[i].dc;
		part.arrived = m->p[i].arrived;
		part.ud = m->p[i].ud;
		part.ud_len = m->p[i].len;
		if (fn(fnarg, &part) == -1)
			break;
	}
	return 0;
}

static int
mem_remove(void *arg, const struct smsreasm_key *key)
{
	struct smsreasm_mem	*m = arg;
	size_t			 i, j = 0;

	for (i = 0; i < m->n; i++) {
		if (key_equal(&m->p[i].key, key)) {
			free(m->p[i].ud);
			continue;
		}
		m->p[j++] = m->p[i];
	}
	m->n = j;
	return 0;
}

static int
mem_oldest(void *arg, time_t before, struct smsreasm_key *key)
{
	struct smsreasm_mem	*m = arg;
	const struct mem_part	*best = NULL;
	size_t			 i;

	/* The key of the oldest part is the key whose first part is oldest. */
	for (i = 0; i < m->n; i++)
		if (best == NULL || m->p[i].arrived < best->arrived)
			best = &m->p[i];
	if (best == NULL || best->arrived > before)
		return 0;
	*key = best->key;
	return 1;
}

static int
mem_held(void *arg, const char *src, struct smsreasm_held *h)
{
	struct smsreasm_mem	*m = arg;
	size_t			 i, j;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < m->n; i++) {
		if (strcmp(m->p[i].key.src, src) != 0)
			continue;
		h->parts++;
		h->bytes += m->p[i].len;
		for (j = 0; j < i; j++)
			if (key_equal(&m->p[j].key, &m->p[i].key))
				break;
		if (j == i)
			h->messages++;
	}
	return 0;
}

void
smsreasm_mem_store(struct smsreasm_mem *m, struct smsreasm_store *st)
{
	memset(st, 0, sizeof(*st));
	st->arg = m;
	st->save = mem_save;
	st->load = mem_load;
	st->remove = mem_remove;
	st->oldest = mem_oldest;
	st->held = mem_held;
}

/*
 * The database store over the mo_parts table. A 16-bit reference is kept
 * as ref | 0x10000, so 8- and 16-bit references never share a key.
 */
#include "store.h"

#define DB_REF16	0x10000

static int
db_bind_key(struct store_cur *c, const struct smsreasm_key *k)
{
	int64_t	 ref = k->ref | (k->ref_bits == 16 ? DB_REF16 : 0);

	return store_bind(c, "ssIi", k->src, k->dst, ref, (int)k->total) ==
	    STORE_OK ? 0 : -1;
}

/* A single integer from a one-row statement, or -1. */
static int
db_count(struct store *s, struct store_cur *c, const char *what)
{
	int	 n;

	if (store_step(c) != STORE_ROW) {
		log_warnx("smsreasm: %s: %s", what, store_errmsg(s));
		store_reset(c);
		return -1;
	}
	n = store_int(c, 0);
	store_reset(c);
	return n;
}

static int
db_save(void *arg, const struct smsreasm_part *p)
{
	struct store		*s = arg;
	struct store_cur	*c = store_cur(s, ST_MO_PART_INSERT);

	/* An empty part is an empty blob: payload is NOT NULL. */
	if (db_bind_key(c, &p->key) == -1 ||
	    store_bind_at(c, 5, "ii-t", (int)p->seq, (int)p->data_coding,
	    p->arrived) != STORE_OK ||
	    store_bind_bytes(c, 7, p->ud, p->ud_len) != STORE_OK) {
		log_warnx("smsreasm: bind: %s", store_errmsg(s));
		return -1;
	}
	if (store_run(c) != STORE_OK)
		return -1;
	if (store_changes(s) == 0)
		return 0;
	c = store_cur(s, ST_MO_PART_COUNT);
	if (db_bind_key(c, &p->key) == -1) {
		log_warnx("smsreasm: bind: %s", store_errmsg(s));
		return -1;
	}
	return db_count(s, c, "count parts");
}

static int
db_load(void *arg, const struct smsreasm_key *key,
    int (*fn)(void *, const struct smsreasm_part *), void *fnarg)
{
	struct store		*s = arg;
	struct store_cur	*c = store_cur(s, ST_MO_PART_LOAD);
	struct smsreasm_part	 p;
	const void		*ud;
	size_t			 n;
	int			 rc, seq, dc;

	if (db_bind_key(c, key) == -1) {
		log_warnx("smsreasm: bind: %s", store_errmsg(s));
		return -1;
	}
	while ((rc = store_step(c)) == STORE_ROW) {
		seq = store_int(c, 0);
		dc = store_int(c, 1);
		ud = store_blob(c, 2, &n);
		/* The database is outside input too: skip what cannot be. */
		if (seq < 1 || seq > key->total || dc < 0 || dc > 0xff ||
		    n > SMSREASM_PART_MAX) {
			log_warnx("smsreasm: skipping a malformed stored part");
			continue;
		}
		memset(&p, 0, sizeof(p));
		p.key = *key;
		p.seq = (uint8_t)seq;
		p.data_coding = (uint8_t)dc;
		p.ud = ud;
		p.ud_len = n;
		p.arrived = (time_t)store_i64(c, 3);
		if (fn(fnarg, &p) == -1)
			break;
	}
	if (rc < 0) {
		log_warnx("smsreasm: load parts: %s", store_errmsg(s));
		store_reset(c);
		return -1;
	}
	store_reset(c);
	return 0;
}

static int
db_remove(void *arg, const struct smsreasm_key *key)
{
	struct store		*s = arg;
	struct store_cur	*c = store_cur(s, ST_MO_PART_DELETE);

	if (db_bind_key(c, key) == -1) {
		log_warnx("smsreasm: bind: %s", store_errmsg(s));
		return -1;
	}
	return store_run(c) == STORE_OK ? 0 : -1;
}

/*
 * Read the key of the row c is on; 0 when the row cannot be a key (only
 * smsreasm writes mo_parts, but a database is outside input too).
 */
static int
db_row_key(struct store_cur *c, struct smsreasm_key *key)
{
	int64_t	 ref;
	int	 total;

	memset(key, 0, sizeof(*key));
	ref = store_i64(c, 3);
	total = store_int(c, 4);
	if (store_isnull(c, 1) || store_isnull(c, 2) ||
	    util_strlcpy(key->src, store_str(c, 1), sizeof(key->src)) ||
	    util_strlcpy(key->dst, store_str(c, 2), sizeof(key->dst)) ||
	    ref < 0 || ref > (DB_REF16 | 0xffff) ||
	    (!(ref & DB_REF16) && ref > 0xff) || total < 1 || total > 255)
		return 0;
	key->ref = (uint16_t)ref;
	key->ref_bits = ref & DB_REF16 ? 16 : 8;
	key->total = (uint8_t)total;
	return 1;
}

static int
db_oldest(void *arg, time_t before, struct smsreasm_key *key)
{
	struct store		*s = arg;
	struct store_cur	*c;
	int64_t			 id;
	int			 rc, ok;

	for (;;) {
		c = store_cur(s, ST_MO_PART_OLDEST);
		if (store_bind(c, "t", before) != STORE_OK) {
			log_warnx("smsreasm: bind: %s", store_errmsg(s));
			return -1;
		}
		rc = store_step(c);
		if (rc == STORE_OK) {
			store_reset(c);
			return 0;
		}
		if (rc != STORE_ROW) {
			log_warnx("smsreasm: oldest part: %s", store_errmsg(s));
			store_reset(c);
			return -1;
		}
		id = store_i64(c, 0);
		ok = db_row_key(c, key);
		store_reset(c);
		if (ok)
			return 1;
		log_warnx("smsreasm: dropping malformed part row %lld",
		    (long long)id);
		if (store_do(s, ST_MO_PART_DELETE_ID, "I", id) != STORE_OK)
			return -1;
	}
}

static int
db_held(void *arg, const char *src, struct smsreasm_held *h)
{
	struct store		*s = arg;
	struct store_cur	*c = store_cur(s, ST_MO_PART_HELD);
	int64_t			 bytes;

	memset(h, 0, sizeof(*h));
	if (store_bind(c, "s", src) != STORE_OK) {
		log_warnx("smsreasm: bind: %s", store_errmsg(s));
		return -1;
	}
	if (store_step(c) != STORE_ROW) {
		log_warnx("smsreasm: parts held: %s", store_errmsg(s));
		store_reset(c);
		return -1;
	}
	h->messages = store_int(c, 0);
	h->parts = store_int(c, 1);
	bytes = store_i64(c, 2);
	h->bytes = bytes > 0 ? (size_t)bytes : 0;
	store_reset(c);
	return 0;
}

void
smsreasm_db_store(struct store *s, struct smsreasm_store *st)
{
	memset(st, 0, sizeof(*st));
	st->arg = s;
	st->save = db_save;
	st->load = db_load;
	st->remove = db_remove;
	st->oldest = db_oldest;
	st->held = db_held;
}
