/*
 * broadcast: previews, sends, approvals, cancels and status of group SMS.
 * A preview and a send are the same pass over the group's members (so the
 * figures shown are the figures written); the send also queues outbox
 * rows through the outbox's batch gate (outbox_enqueue_batch, which checks
 * each), committing every chunk so the gateway's own writes never wait
 * long, and plans each message's not_before at the bind's rate so a
 * non-emergency broadcast pauses over quiet hours instead of running
 * into them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broadcast.h"
#include "clock.h"
#include "config.h"
#include "groups.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "outbox.h"
#include "rule.h"
#include "smstext.h"
#include "staff.h"
#include "store.h"
#include "util.h"

const char *const broadcast_states[BROADCAST_NSTATES] = {
	"queued", "inflight", "accepted", "delivered", "undeliverable",
	"expired", "rejected", "failed", "cancelled",
};

void
broadcast_params_init(struct broadcast_params *bp, const struct config *cfg)
{
	const char	*errstr;
	int		 i;

	memset(bp, 0, sizeof(*bp));
	bp->encoding = config_str(cfg, CFG_SMS_ENCODING);
	/* The config loader has checked the name already. */
	if (smstext_policy_parse(bp->encoding, &bp->policy, &errstr) == -1)
		bp->policy = SMSTEXT_AUTO;
	bp->max_segments = (int)config_int(cfg, CFG_SMS_MAX_SEGMENTS);
	bp->price_per_segment = config_double(cfg, CFG_SMS_PRICE_PER_SEGMENT);
	/* The gateway spreads over every bind: plan for their sum. */
	bp->max_tps = 0;
	for (i = 0; i < config_binds(cfg); i++)
		bp->max_tps += (int)config_bind_int(cfg, i, CFG_SMSC_MAX_TPS);
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &bp->quiet_start,
	    &bp->quiet_end);
	bp->approval_threshold = config_int(cfg,
	    CFG_BROADCAST_APPROVAL_THRESHOLD);
	bp->chunk_rows = BROADCAST_CHUNK_ROWS;
	bp->default_topic = config_str(cfg, CFG_BROADCAST_DEFAULT_TOPIC);
}

/* Quiet hours, in the municipality's local time (clock.h). */

static int
in_quiet(time_t t, int qs, int qe)
{
	int	 m;

	if (qs == qe)
		return 0;
	m = clock_minute_of_day(t);
	return qs < qe ? m >= qs && m < qe : m >= qs || m < qe;
}

/* The first time after t at local minute-of-day mod (DST-proof). */
static time_t
next_at_minute(time_t t, int mod)
{
	return clock_next_at_minute(t, mod);
}

time_t
broadcast_quiet_end(time_t t, int qs, int qe)
{
	return in_quiet(t, qs, qe) ? next_at_minute(t, qe) : t;
}

/*
 * The send plan: each message gets the second in which the bind, at
 * max_tps segments a second, would send it; a quiet window on the way
 * moves the rest to its end.
 */
struct plan {
	time_t		 cur;
	int64_t		 used;		/* segments in second cur */
	int		 tps;
	int		 quiet;		/* quiet hours apply */
	int		 qs, qe;
	time_t		 next_quiet;	/* start of the next quiet window */
	int		 paused;
};

static void
plan_init(struct plan *p, time_t start, const struct broadcast_params *bp,
    int emergency, struct broadcast_preview *pv)
{
	memset(p, 0, sizeof(*p));
	p->tps = bp->max_tps > 0 ? bp->max_tps : 1;
	p->qs = bp->quiet_start;
	p->qe = bp->quiet_end;
	p->quiet = !emergency && p->qs != p->qe;
	if (p->quiet && in_quiet(start, p->qs, p->qe)) {
		start = next_at_minute(start, p->qe);
		pv->start_moved = 1;
	}
	p->cur = pv->start = pv->finish = start;
	if (p->quiet)
		p->next_quiet = next_at_minute(start, p->qs);
}

static time_t
plan_next(struct plan *p, int seg, struct broadcast_preview *pv)
{
	if (p->used > 0 && p->used + seg > p->tps) {
		p->cur++;
		p->used = 0;
	}
	if (p->quiet && p->cur >= p->next_quiet) {
		p->cur = next_at_minute(p->next_quiet, p->qe);
		p->next_quiet = next_at_minute(p->cur, p->qs);
		p->used = 0;
		p->paused = 1;
		pv->quiet_pauses++;
	}
	if (p->paused)
		pv->quiet_held++;
	p->used += seg;
	pv->finish = p->cur;
	return p->cur;
}

/*
 * Phones already reached. Latvian mobiles (+371 2XXXXXXX, nearly every
 * recipient) are one bit each in a 1.25 MiB bitmap that stays in cache; a
 * hash table probed at random over a million recipients missed the cache
 * on almost every phone. Other numbers, as the number their digits make,
 * go to an open-addressing table of eight bytes a phone.
 */
#define LV_MOBILE_FIRST	37120000000ULL
#define LV_MOBILES	10000000ULL

struct phoneset {
	uint8_t		*lv;		/* LV_MOBILES bits, allocated on use */
	uint64_t	*slots;		/* 0: empty */
	size_t		 cap, n;
};

static uint64_t
phone_key(const char *e164)
{
	uint64_t	 v = 0;

	for (; *e164 != '\0'; e164++)
		if (*e164 >= '0' && *e164 <= '9')
			v = v * 10 + (uint64_t)(*e164 - '0');
	return v + 1;	/* never 0 */
}

static size_t
phone_slot(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

/* 1 when key was added, 0 when it was there. */
static int
phoneset_add(struct phoneset *ps, uint64_t key)
{
	uint64_t	*old, v = key - 1;
	size_t		 i, j, oldcap;
	uint8_t		 bit;

	if (v >= LV_MOBILE_FIRST && v < LV_MOBILE_FIRST + LV_MOBILES) {
		v -= LV_MOBILE_FIRST;
		if (ps->lv == NULL)
			ps->lv = xcalloc(LV_MOBILES / 8, 1);
		bit = (uint8_t)(1u << (v & 7));
		if (ps->lv[v >> 3] & bit)
			return 0;
		ps->lv[v >> 3] |= bit;
		return 1;
	}
	if (ps->n * 2 >= ps->cap) {
		old = ps->slots;
		oldcap = ps->cap;
		ps->cap = oldcap ? oldcap * 2 : 4096;
		ps->slots = xcalloc(ps->cap, sizeof(*ps->slots));
		for (i = 0; i < oldcap; i++) {
			if (old[i] == 0)
				continue;
			for (j = phone_slot(old[i], ps->cap); ps->slots[j];
			    j = (j + 1) & (ps->cap - 1))
				;
			ps->slots[j] = old[i];
		}
		free(old);
	}
	for (j = phone_slot(key, ps->cap); ps->slots[j] != 0;
	    j = (j + 1) & (ps->cap - 1))
		if (ps->slots[j] == key)
			return 0;
	ps->slots[j] = key;
	ps->n++;
	return 1;
}

/* Templates. */

enum ph {
	PH_GIVEN_NAME, PH_AMOUNT, PH_DUE_DATE, PH_INSTITUTION, PH_POSITION,
	PH__COUNT
};

static const char *const ph_names[PH__COUNT] = {
	"given_name", "amount", "due_date", "institution", "position",
};

struct tpl_part {
	size_t		 off, len;	/* literal text in lits */
	int		 ph;		/* -1: literal */
};

struct tpl {
	char		*lits;
	struct tpl_part	*parts;
	size_t		 nparts;
	int		 uses[PH__COUNT];
	int		 any;		/* any placeholder at all */
};

static void
tpl_free(struct tpl *t)
{
	free(t->lits);
	free(t->parts);
	memset(t, 0, sizeof(*t));
}

static void
tpl_add(struct tpl *t, size_t off, size_t len, int ph)
{
	t->parts = xreallocarray(t->parts, t->nparts + 1, sizeof(*t->parts));
	t->parts[t->nparts].off = off;
	t->parts[t->nparts].len = len;
	t->parts[t->nparts++].ph = ph;
}

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
tpl_parse(const char *text, struct tpl *t, char *err, size_t errsize)
{
	size_t		 len = strlen(text), i = 0, j, n = 0, lit = 0, k;
	size_t		 d, bestd;
	char		 name[40];
	const char	*best;
	int		 ph;

	memset(t, 0, sizeof(*t));
	if (len == 0) {
		(void)util_strlcpy(err, _("the message text is empty"),
		    errsize);
		return -1;
	}
	if (len > OUTBOX_TEXT_MAX) {
		(void)util_strlcpy(err, _("the message text is longer than "
		    "1600 bytes"), errsize);
		return -1;
	}
	if (!util_utf8_valid(text, len)) {
		(void)util_strlcpy(err, _("the message text is not valid "
		    "UTF-8"), errsize);
		return -1;
	}
	t->lits = xmalloc(len + 1);
	while (i < len) {
		if ((text[i] == '{' || text[i] == '}') && i + 1 < len &&
		    text[i + 1] == text[i]) {
			t->lits[n++] = text[i];
			i += 2;
			continue;
		}
		if (text[i] != '{') {
			t->lits[n++] = text[i++];
			continue;
		}
		for (j = i + 1; j < len && is_name_char(text[j]); j++)
			;
		/* A name starts with a letter: "{1}" is text. */
		if (j == i + 1 || j >= len || text[j] != '}' ||
		    (text[i + 1] >= '0' && text[i + 1] <= '9')) {
			t->lits[n++] = text[i++];	/* a lone brace */
			continue;
		}
		(void)util_snprintf(name, sizeof(name), "%.*s",
		    (int)(j - i - 1), text + i + 1);
		for (ph = 0; ph < PH__COUNT; ph++)
			if (j - i - 1 == strlen(ph_names[ph]) &&
			    strncmp(text + i + 1, ph_names[ph], j - i - 1) ==
			    0)
				break;
		if (ph == PH__COUNT) {
			best = NULL;
			bestd = SIZE_MAX;
			for (k = 0; k < PH__COUNT; k++) {
				d = util_edit_distance(name, ph_names[k]);
				if (d < bestd) {
					bestd = d;
					best = ph_names[k];
				}
			}
			if (bestd <= 1 + strlen(name) / 4)
				(void)util_snprintf(err, errsize, _("unknown "
				    "placeholder {%s} (did you mean {%s}?)"),
				    name, best);
			else
				(void)util_snprintf(err, errsize, _("unknown "
				    "placeholder {%s} (known: {given_name}, "
				    "{amount}, {due_date}, {institution}, "
				    "{position})"), name);
			tpl_free(t);
			return -1;
		}
		if (n > lit)
			tpl_add(t, lit, n - lit, -1);
		lit = n;
		tpl_add(t, 0, 0, ph);
		t->uses[ph] = 1;
		t->any = 1;
		i = j + 1;
	}
	if (n > lit)
		tpl_add(t, lit, n - lit, -1);
	t->lits[n] = '\0';
	return 0;
}

int
broadcast_check_text(const char *text, char *err, size_t errsize)
{
	struct tpl	 t;

	if (tpl_parse(text, &t, err, errsize) == -1)
		return -1;
	tpl_free(&t);
	return 0;
}

/* The pass over a group's members. */

#define PEND_ROWS	16	/* rows the outbox writes in one statement */

/*
 * What analysis said of a text, remembered by the placeholder values that
 * made it: most broadcasts vary only in {given_name}, a few hundred names
 * for a million residents.
 */
#define MEMO_SLOTS	4096
#define MEMO_KEY	96

struct memo {
	uint64_t	 hash;		/* 0: empty */
	uint8_t		 keylen;
	uint8_t		 ucs2;
	uint16_t	 segments;
	char		 key[MEMO_KEY];
};

struct pass {
	struct store	*s;
	const struct broadcast_params *bp;
	struct broadcast_preview *pv;
	struct tpl	 tpl;
	struct phoneset	 set;
	struct plan	 plan;
	struct smstext_opts so;
	int		 emergency;
	char		*fee_kind;	/* owned */
	char		*institution;	/* owned */
	int64_t		 bid;		/* 0: a preview, else queue rows */
	int		 priority;
	time_t		 now;
	size_t		 chunks;	/* committed so far */
	int		 fixed_done;	/* text without placeholders */
	struct smstext_info fixed;
	struct memo	*memo;		/* MEMO_SLOTS, allocated on use */
	char		 key[MEMO_KEY];	/* the values of this text */
	size_t		 keylen;	/* > MEMO_KEY: too long to keep */
	char		 text[SMSTEXT_TEXT_MAX + 1];
	/* Rows waiting to go into the outbox sixteen at a time. */
	struct pending {
		char	 phone[IDENT_PHONE_SIZE];
		int64_t	 resident_id;
		time_t	 not_before;
		int	 segments;
		size_t	 len;
		char	 text[OUTBOX_TEXT_MAX + 1];
	}		 pend[PEND_ROWS];
	size_t		 npend;
	char		*err;
	size_t		 errsize;
};

struct textbuf {
	char		*s;
	size_t		 len, size;
	int		 over;
};

static void
tb_put(struct textbuf *b, const char *s, size_t n)
{
	if (b->over || b->len + n >= b->size) {
		b->over = 1;
		return;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
}

/* The institution and queue position of entry: 0, 1 none, -1 error. */
static int
queue_info(struct store *s, int64_t entry, char *inst, size_t size,
    int64_t *position)
{
	struct store_cur *c = store_cur(s, ST_BCAST_QUEUE_INFO);
	int		 rc;

	if (store_bind(c, "I", entry) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW) {
		(void)util_strlcpy(inst, store_str(c, 0), size);
		*position = store_i64(c, 1);
	}
	store_reset(c);
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

/*
 * The text for m into ps->text: its length, 0 when a placeholder has no
 * value for m, -1 on a database error.
 */
static long
personalise(struct pass *ps, const struct groups_member *m)
{
	struct textbuf	 b = { ps->text, 0, sizeof(ps->text), 0 };
	char		 inst[256], num[32];
	const char	*v;
	int64_t		 position = 0;
	size_t		 i, n;
	int		 r;

	ps->keylen = 0;
	if (ps->tpl.uses[PH_GIVEN_NAME] && m->given_name[0] == '\0')
		return 0;
	if ((ps->tpl.uses[PH_AMOUNT] || ps->tpl.uses[PH_DUE_DATE]) &&
	    (m->owed_cents < 0 || m->due_date == NULL ||
	    strlen(m->due_date) != 10))
		return 0;
	if (ps->tpl.uses[PH_INSTITUTION] || ps->tpl.uses[PH_POSITION]) {
		if (m->queue_entry == 0)
			return 0;
		if ((r = queue_info(ps->s, m->queue_entry, inst, sizeof(inst),
		    &position)) == -1)
			return -1;
		if (r == 1)
			return 0;
	}
	for (i = 0; i < ps->tpl.nparts; i++) {
		const struct tpl_part *p = &ps->tpl.parts[i];

		switch (p->ph) {
		case -1:
			tb_put(&b, ps->tpl.lits + p->off, p->len);
			continue;
		case PH_GIVEN_NAME:
			v = m->given_name;
			break;
		case PH_AMOUNT:
			util_format_cents(m->owed_cents, num, sizeof(num));
			v = num;
			break;
		case PH_DUE_DATE:
			/* 2026-03-31 -> 31.03.2026, as Latvians write it. */
			(void)util_snprintf(num, sizeof(num), "%.2s.%.2s.%.4s",
			    m->due_date + 8, m->due_date + 5, m->due_date);
			v = num;
			break;
		case PH_INSTITUTION:
			v = inst;
			break;
		default:
			(void)util_snprintf(num, sizeof(num), "%lld",
			    (long long)position);
			v = num;
			break;
		}
		n = strlen(v);
		tb_put(&b, v, n);
		/* The values, each ended by a unit separator, are the key. */
		if (ps->keylen + n + 1 <= MEMO_KEY) {
			memcpy(ps->key + ps->keylen, v, n);
			ps->key[ps->keylen + n] = '\x1f';
		}
		ps->keylen += n + 1;
	}
	b.s[b.over ? 0 : b.len] = '\0';
	return b.over ? (long)sizeof(ps->text) : (long)b.len;
}

static int
pass_fail(struct pass *ps, const char *msg)
{
	(void)util_snprintf(ps->err, ps->errsize, "%s", msg);
	return -1;
}

static int
pass_dbfail(struct pass *ps)
{
	(void)util_snprintf(ps->err, ps->errsize, _("database error: %s"),
	    store_errmsg(ps->s));
	return -1;
}

/*
 * Write the pending rows through the outbox's gate, which checks each
 * (phone, text, segments) and writes sixteen in one statement. 0, or -1
 * with ps->err set.
 */
static int
flush_rows(struct pass *ps)
{
	struct outbox_item	 items[PEND_ROWS];
	struct outbox_msg	 shared;
	struct outbox_why	 why;
	size_t			 i;

	if (ps->npend == 0)
		return 0;
	memset(&shared, 0, sizeof(shared));
	shared.encoding = ps->bp->encoding;
	shared.priority = ps->priority;
	shared.topic = ps->pv->topic;
	shared.broadcast_id = ps->bid;
	shared.max_segments = ps->bp->max_segments;
	for (i = 0; i < ps->npend; i++) {
		items[i].phone = ps->pend[i].phone;
		items[i].text = ps->pend[i].text;
		items[i].len = ps->pend[i].len;
		items[i].not_before = ps->pend[i].not_before;
		items[i].resident_id = ps->pend[i].resident_id;
		items[i].segments = ps->pend[i].segments;
	}
	if (outbox_enqueue_batch(ps->s, &shared, items, ps->npend, &why,
	    NULL) == -1) {
		if (why.field == OUTBOX_FIELD_STORE)
			return pass_dbfail(ps);
		if (why.field == OUTBOX_FIELD_SEGMENTS ||
		    why.field == OUTBOX_FIELD_TEXT)
			return pass_fail(ps, _("a personalised text is past "
			    "[sms] max_segments or 1600 bytes"));
		return pass_fail(ps, _(why.msg));
	}
	ps->npend = 0;
	return 0;
}

static int
queue_row(struct pass *ps, const struct groups_member *m, size_t len,
    int segments, time_t not_before)
{
	struct pending	*p = &ps->pend[ps->npend++];

	(void)util_strlcpy(p->phone, m->phone, sizeof(p->phone));
	memcpy(p->text, ps->text, len);
	p->text[len] = '\0';
	p->len = len;
	p->resident_id = m->resident_id;
	p->not_before = not_before;
	p->segments = segments;
	return ps->npend == PEND_ROWS ? flush_rows(ps) : 0;
}

static int
set_figures(struct pass *ps)
{
	return store_do(ps->s, ST_BCAST_SET_FIGURES, "IIIt", ps->bid,
	    ps->pv->recipients, ps->pv->segments, clock_now()) == STORE_OK ?
	    0 : -1;
}

/* Between chunks of a send: commit, unless someone cancelled meanwhile. */
static int
pass_chunk(struct pass *ps)
{
	struct broadcast_info	 bi;

	if (flush_rows(ps) == -1)
		return -1;
	if (set_figures(ps) == -1 || store_commit(ps->s) == -1)
		return pass_dbfail(ps);
	ps->chunks++;
	if (store_begin(ps->s) == -1)
		return pass_fail(ps, _("cannot start a transaction: the "
		    "database is busy or read-only"));
	if (broadcast_get(ps->s, ps->bid, &bi) != 0 ||
	    strcmp(bi.state, "cancelled") == 0)
		return pass_fail(ps, _("the broadcast was cancelled while its "
		    "messages were being queued"));
	return 0;
}

static uint64_t
memo_hash(const char *k, size_t n)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t		 i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 0x100000001b3ULL;
	}
	return h == 0 ? 1 : h;
}

/*
 * Encoding and segments of ps->text (len bytes): from the memo when these
 * placeholder values were seen, else by analysis. 0 or -1.
 */
static int
analyse(struct pass *ps, size_t len, int *ucs2, int *segments)
{
	struct smstext_info	 info;
	struct memo		*mo = NULL;
	const char		*errstr;
	uint64_t		 h = 0;

	if (!ps->tpl.any && ps->fixed_done) {
		*ucs2 = ps->fixed.encoding == SMSTEXT_ENC_UCS2;
		*segments = (int)ps->fixed.segments;
		return 0;
	}
	if (ps->tpl.any && ps->keylen <= MEMO_KEY) {
		if (ps->memo == NULL)
			ps->memo = xcalloc(MEMO_SLOTS, sizeof(*ps->memo));
		h = memo_hash(ps->key, ps->keylen);
		mo = &ps->memo[h & (MEMO_SLOTS - 1)];
		if (mo->hash == h && mo->keylen == ps->keylen &&
		    memcmp(mo->key, ps->key, ps->keylen) == 0) {
			*ucs2 = mo->ucs2;
			*segments = mo->segments;
			return 0;
		}
	}
	if (smstext_analyze(ps->text, len, &ps->so, &info, &errstr) == -1)
		return pass_fail(ps, _(errstr));
	*ucs2 = info.encoding == SMSTEXT_ENC_UCS2;
	*segments = (int)info.segments;
	if (!ps->tpl.any) {
		ps->fixed = info;
		ps->fixed_done = 1;
	} else if (mo != NULL && info.segments <= UINT16_MAX) {
		mo->hash = h;
		mo->keylen = (uint8_t)ps->keylen;
		memcpy(mo->key, ps->key, ps->keylen);
		mo->ucs2 = (uint8_t)*ucs2;
		mo->segments = (uint16_t)info.segments;
	}
	return 0;
}

static int
pass_member(void *arg, const struct groups_member *m)
{
	struct pass		*ps = arg;
	struct broadcast_preview *pv = ps->pv;
	time_t			 slot;
	long			 len;
	int			 ucs2, segments;

	if (m == NULL)
		return ps->bid > 0 ? pass_chunk(ps) : 0;
	pv->members++;
	if (m->phone == NULL || m->phone_kind < 0 ||
	    m->phone_kind == IDENT_PHONE_LV_FIXED) {
		pv->no_mobile++;
		return 0;
	}
	if (!m->subscribed) {
		pv->opted_out++;
		return 0;
	}
	if ((len = personalise(ps, m)) == -1)
		return pass_dbfail(ps);
	if (len == 0) {
		pv->no_data++;
		return 0;
	}
	if (!phoneset_add(&ps->set, phone_key(m->phone))) {
		pv->duplicates++;
		return 0;
	}
	if ((size_t)len >= sizeof(ps->text))
		return pass_fail(ps, _("a personalised text is longer than "
		    "8192 bytes"));
	if ((size_t)len > pv->max_bytes)
		pv->max_bytes = (size_t)len;
	if (analyse(ps, (size_t)len, &ucs2, &segments) == -1)
		return -1;
	pv->recipients++;
	pv->segments += segments;
	if (segments > pv->max_segments)
		pv->max_segments = segments;
	if (ucs2)
		pv->ucs2++;
	else
		pv->gsm7++;
	if (pv->recipients == 1)
		(void)util_strlcpy(pv->sample, ps->text, sizeof(pv->sample));
	slot = plan_next(&ps->plan, segments, pv);
	if (ps->bid == 0)
		return 0;
	/* The row's buffer holds what the outbox takes; the gate the rest. */
	if ((size_t)len > OUTBOX_TEXT_MAX)
		return pass_fail(ps, _("a personalised text is past [sms] "
		    "max_segments or 1600 bytes"));
	/* An emergency goes at once; others keep to the plan. */
	return queue_row(ps, m, (size_t)len, segments, ps->emergency ?
	    ps->pv->start : slot);
}

/*
 * The topic of req into pv (code, emergency) and x (subscription check).
 * Without one, a non-emergency broadcast is a general announcement under
 * the configured default topic: a real topic, so a resident who texted
 * STOP (every non-emergency topic) or STOP that topic does not get it.
 */
static int
resolve_topic(struct store *s, const struct broadcast_params *bp,
    const struct broadcast_req *req, struct broadcast_preview *pv,
    struct groups_extras *x, char *err, size_t errsize)
{
	struct store_cur *c;
	const char	*code = req->topic;
	int		 rc, emergency = 0, from_default = 0;

	if (code == NULL && req->emergency) {
		c = store_cur(s, ST_BCAST_EMERGENCY_TOPIC);
		if ((rc = store_step(c)) == STORE_ROW)
			(void)util_strlcpy(pv->topic, store_str(c, 0),
			    sizeof(pv->topic));
		store_reset(c);
		if (rc != STORE_ROW) {
			(void)util_strlcpy(err, _("no topic is marked as the "
			    "emergency topic"), errsize);
			return -1;
		}
		code = pv->topic;
	}
	if (code == NULL && bp->default_topic != NULL &&
	    bp->default_topic[0] != '\0') {
		code = bp->default_topic;
		from_default = 1;
	}
	if (code == NULL) {
		(void)util_strlcpy(err, _("a topic is needed (--topic T): "
		    "residents choose the topics they receive"), errsize);
		return -1;
	}
	if (strlen(code) > BROADCAST_TOPIC_MAX) {
		(void)util_snprintf(err, errsize, _("unknown topic '%.32s'"),
		    code);
		return -1;
	}
	(void)util_strlcpy(pv->topic, code, sizeof(pv->topic));
	c = store_cur(s, ST_BCAST_TOPIC);
	if (store_bind(c, "s", pv->topic) != STORE_OK)
		goto dberr;
	if ((rc = store_step(c)) == STORE_ROW) {
		x->topic_id = store_i64(c, 0);
		x->topic_default = store_int(c, 1);
		emergency = store_int(c, 2) != 0;
	}
	store_reset(c);
	if (rc == STORE_OK) {
		if (from_default)
			(void)util_snprintf(err, errsize, _("unknown topic "
			    "'%s' ([broadcast] default_topic)"), pv->topic);
		else
			(void)util_snprintf(err, errsize, _("unknown topic "
			    "'%s'"), pv->topic);
		return -1;
	}
	if (rc != STORE_ROW)
		goto dberr;
	if (req->emergency && !emergency) {
		(void)util_snprintf(err, errsize, _("topic '%s' is not an "
		    "emergency topic: --emergency goes with the emergency "
		    "topic"), pv->topic);
		return -1;
	}
	/* Nobody can leave an emergency topic: no subscription check. */
	pv->emergency = emergency;
	if (emergency)
		x->topic_id = 0;
	return 0;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	return -1;
}

/* Everything a pass needs before the first member. */
static int
pass_init(struct pass *ps, struct store *s, const struct broadcast_params *bp,
    const struct broadcast_req *req, struct broadcast_preview *pv,
    struct groups_info *g, struct groups_extras *x, char *err,
    size_t errsize)
{
	struct rule	*r = NULL;
	time_t		 start;
	int		 rc;

	memset(ps, 0, sizeof(*ps));
	memset(pv, 0, sizeof(*pv));
	memset(x, 0, sizeof(*x));
	ps->s = s;
	ps->bp = bp;
	ps->pv = pv;
	ps->err = err;
	ps->errsize = errsize;
	ps->now = clock_now();
	ps->so.policy = bp->policy;
	if (tpl_parse(req->text, &ps->tpl, err, errsize) == -1)
		return -1;
	if ((rc = groups_get(s, req->group_id, g)) != 0) {
		if (rc == 1)
			(void)util_snprintf(err, errsize, _("no group with id "
			    "%lld"), (long long)req->group_id);
		else
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return -1;
	}
	if (resolve_topic(s, bp, req, pv, x, err, errsize) == -1)
		return -1;
	ps->emergency = pv->emergency;
	ps->priority = ps->emergency ? BROADCAST_EMERGENCY_PRIORITY :
	    BROADCAST_PRIORITY;
	if (g->is_rule && (r = rule_parse(g->rule, err, errsize)) == NULL)
		return -1;
	if (ps->tpl.uses[PH_AMOUNT] || ps->tpl.uses[PH_DUE_DATE]) {
		if (r == NULL || rule_fee_kind(r) == NULL) {
			(void)util_strlcpy(err, _("{amount} and {due_date} "
			    "need a rule group that names a fee kind "
			    "(fee_unpaid or fee_overdue)"), errsize);
			rule_free(r);
			return -1;
		}
		ps->fee_kind = xstrdup(rule_fee_kind(r));
		x->fee_kind = ps->fee_kind;
	}
	if (ps->tpl.uses[PH_INSTITUTION] || ps->tpl.uses[PH_POSITION]) {
		x->queue = 1;
		if (r != NULL && rule_institution(r) != NULL) {
			ps->institution = xstrdup(rule_institution(r));
			x->institution = ps->institution;
		}
	}
	rule_free(r);
	start = req->at > ps->now ? req->at : ps->now;
	plan_init(&ps->plan, start, bp, ps->emergency, pv);
	return 0;
}

static void
pass_finish(struct pass *ps)
{
	struct broadcast_preview *pv = ps->pv;
	int			  tps = ps->plan.tps;

	pv->cost = (double)pv->segments * ps->bp->price_per_segment;
	pv->duration_s = (pv->segments + tps - 1) / tps;
}

static void
pass_free(struct pass *ps)
{
	tpl_free(&ps->tpl);
	free(ps->memo);
	free(ps->set.slots);
	free(ps->set.lv);
	free(ps->fee_kind);
	free(ps->institution);
}

int
broadcast_preview(struct store *s, const struct broadcast_params *bp,
    const struct broadcast_req *req, struct broadcast_preview *pv,
    char *err, size_t errsize)
{
	struct pass		 ps;
	struct groups_info	 g;
	struct groups_extras	 x;
	int			 rc = -1;

	/* A preview writes nothing: one run over the group. */
	if (pass_init(&ps, s, bp, req, pv, &g, &x, err, errsize) == 0 &&
	    groups_resolve(s, &g, &x, GROUPS_CHUNK_ALL, pass_member, &ps, err,
	    errsize) == 0) {
		pass_finish(&ps);
		rc = 0;
	}
	pass_free(&ps);
	return rc;
}

/* The broadcasts row; id or -1. */
static int64_t
insert_broadcast(struct store *s, const struct broadcast_req *req,
    const struct broadcast_preview *pv, const char *state)
{
	if (store_do(s, ST_BCAST_INSERT, "IzsistIIst", req->group_id,
	    pv->topic, req->text, pv->emergency, state, req->at,
	    pv->recipients, pv->segments, req->actor, clock_now()) !=
	    STORE_OK)
		return -1;
	return store_last_rowid(s);
}

/* Mark id cancelled (if it can be) and cancel its queued rows. */
static int
cancel_rows(struct store *s, int64_t id, size_t chunk, int64_t *n)
{
	int64_t		 changed;
	int		 first = 1;

	*n = 0;
	do {
		if (store_begin(s) == -1)
			return -1;
		if (first) {
			if (store_do(s, ST_BCAST_CANCEL, "It", id,
			    clock_now()) != STORE_OK)
				goto fail;
			first = 0;
		}
		if (store_do(s, ST_BCAST_CANCEL_CHUNK, "ItI", id, clock_now(),
		    (int64_t)chunk) != STORE_OK)
			goto fail;
		changed = store_changes(s);
		if (store_commit(s) == -1)
			return -1;
		*n += changed;
	} while (changed > 0);
	return 0;
fail:
	store_rollback(s);
	return -1;
}

/*
 * The queueing pass: a new broadcast (approver NULL) or the approval of
 * broadcast id. Returns the id or -1 with err set.
 */
static int64_t
enqueue(struct store *s, const struct broadcast_params *bp,
    const struct broadcast_req *req, int64_t id, const char *approver,
    struct broadcast_preview *out, char *err, size_t errsize)
{
	struct pass		 ps;
	struct groups_info	 g;
	struct groups_extras	 x;
	char			 detail[128], why[BROADCAST_ERR_SIZE];
	int64_t			 n;

	if (pass_init(&ps, s, bp, req, out, &g, &x, err, errsize) == -1) {
		pass_free(&ps);
		return -1;
	}
	if (store_begin(s) == -1) {
		(void)util_strlcpy(err, _("cannot start a transaction: the "
		    "database is busy or read-only"), errsize);
		pass_free(&ps);
		return -1;
	}
	if (approver == NULL) {
		if ((id = insert_broadcast(s, req, out, "scheduled")) == -1 ||
		    (req->on_record != NULL &&
		    req->on_record(req->on_record_arg, s, id, 0) == -1))
			goto dberr;
	} else {
		if (store_do(s, ST_BCAST_APPROVE, "Ist", id, approver,
		    clock_now()) != STORE_OK)
			goto dberr;
		if (store_changes(s) != 1) {
			(void)util_snprintf(err, errsize, _("broadcast %lld "
			    "changed meanwhile: it no longer awaits approval"),
			    (long long)id);
			store_rollback(s);
			pass_free(&ps);
			return -1;
		}
	}
	ps.bid = id;
	if (groups_resolve(s, &g, &x, bp->chunk_rows, pass_member, &ps, err,
	    errsize) == -1)
		goto fail;
	pass_finish(&ps);
	(void)util_snprintf(detail, sizeof(detail), "broadcast=%lld group=%lld"
	    " recipients=%lld", (long long)id, (long long)req->group_id,
	    (long long)out->recipients);
	if (flush_rows(&ps) == -1)
		goto fail;
	if (set_figures(&ps) == -1 ||
	    store_audit(s, approver != NULL ? approver : req->actor,
	    approver != NULL ? "broadcast approve" : "broadcast send",
	    detail) == -1 || store_commit(s) == -1)
		goto dberr;
	pass_free(&ps);
	return id;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
fail:
	store_rollback(s);
	/* Chunks already committed must not go out as half a broadcast. */
	if (ps.chunks > 0) {
		(void)util_strlcpy(why, err, sizeof(why));
		if (cancel_rows(s, id, bp->chunk_rows, &n) == 0)
			(void)util_snprintf(err, errsize, _("%s; broadcast "
			    "%lld is cancelled (%lld queued messages "
			    "withdrawn)"), why, (long long)id, (long long)n);
	}
	pass_free(&ps);
	return -1;
}

static int
check_limits(const struct broadcast_params *bp,
    const struct broadcast_preview *pv, char *err, size_t errsize)
{
	if (pv->recipients == 0) {
		(void)util_strlcpy(err, _("no recipients: nothing to send"),
		    errsize);
		return -1;
	}
	if (pv->max_segments > bp->max_segments ||
	    pv->max_bytes > OUTBOX_TEXT_MAX) {
		(void)util_snprintf(err, errsize, _("the longest text needs %d "
		    "segments (%zu bytes); [sms] max_segments is %d"),
		    pv->max_segments, pv->max_bytes, bp->max_segments);
		return -1;
	}
	return 0;
}

int64_t
broadcast_send(struct store *s, const struct broadcast_params *bp,
    const struct broadcast_req *req, const struct broadcast_preview *shown,
    struct broadcast_preview *out, char *err, size_t errsize)
{
	char		 detail[128];
	int64_t		 id;

	if (req->actor == NULL || req->actor[0] == '\0' ||
	    strlen(req->actor) > GROUPS_ACTOR_MAX) {
		(void)util_strlcpy(err, _("who is sending? (a staff user name "
		    "of 1-63 bytes)"), errsize);
		return -1;
	}
	if (req->at != 0 && req->at > clock_now() + BROADCAST_AHEAD_MAX) {
		(void)util_strlcpy(err, _("the send time is more than a year "
		    "ahead"), errsize);
		return -1;
	}
	if (check_limits(bp, shown, err, errsize) == -1)
		return -1;
	/*
	 * An emergency is never held (minutes matter): it goes at once and
	 * the approvers hear of it by SMS instead.
	 */
	if (shown->emergency) {
		if ((id = enqueue(s, bp, req, 0, NULL, out, err, errsize)) ==
		    -1)
			return -1;
		if (staff_notify_emergency(s, req->actor, id, req->text,
		    out->recipients) == -1)
			log_warnx("broadcast %lld: the approvers were not told "
			    "of the emergency: %s", (long long)id,
			    store_errmsg(s));
		return id;
	}
	if (shown->recipients <= bp->approval_threshold)
		return enqueue(s, bp, req, 0, NULL, out, err, errsize);
	/* Two-person rule: only the record now, the messages on approval. */
	*out = *shown;
	out->awaiting = 1;
	if (store_begin(s) == -1) {
		(void)util_strlcpy(err, _("cannot start a transaction: the "
		    "database is busy or read-only"), errsize);
		return -1;
	}
	if ((id = insert_broadcast(s, req, shown, "awaiting_approval")) ==
	    -1 || (req->on_record != NULL &&
	    req->on_record(req->on_record_arg, s, id, 1) == -1))
		goto dberr;
	(void)util_snprintf(detail, sizeof(detail), "broadcast=%lld group=%lld"
	    " recipients=%lld awaiting approval", (long long)id,
	    (long long)req->group_id, (long long)shown->recipients);
	if (store_audit(s, req->actor, "broadcast send", detail) == -1 ||
	    store_commit(s) == -1)
		goto dberr;
	return id;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	store_rollback(s);
	return -1;
}

int
broadcast_approve(struct store *s, const struct broadcast_params *bp,
    int64_t id, const char *actor, struct broadcast_preview *out, char *err,
    size_t errsize)
{
	struct broadcast_info	 bi;
	struct broadcast_req	 req;
	struct broadcast_preview pv;
	int			 rc;

	if (actor == NULL || actor[0] == '\0' ||
	    strlen(actor) > GROUPS_ACTOR_MAX) {
		(void)util_strlcpy(err, _("who is approving? (a staff user "
		    "name of 1-63 bytes)"), errsize);
		return -1;
	}
	if ((rc = broadcast_get(s, id, &bi)) != 0) {
		if (rc == 1)
			(void)util_snprintf(err, errsize, _("no broadcast "
			    "%lld"), (long long)id);
		else
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return -1;
	}
	if (strcmp(bi.state, "cancelled") == 0) {
		(void)util_snprintf(err, errsize, _("broadcast %lld was "
		    "cancelled: there is nothing to approve"), (long long)id);
		return -1;
	}
	if (bi.approved_by[0] != '\0') {
		(void)util_snprintf(err, errsize, _("broadcast %lld is approved "
		    "already (by %s)"), (long long)id, bi.approved_by);
		return -1;
	}
	if (strcmp(bi.state, "awaiting_approval") != 0) {
		(void)util_snprintf(err, errsize, _("broadcast %lld is %s, not "
		    "awaiting approval"), (long long)id, bi.state);
		return -1;
	}
	if (strcmp(bi.created_by, actor) == 0) {
		(void)util_snprintf(err, errsize, _("%s created broadcast "
		    "%lld: a different staff member must approve it"), actor,
		    (long long)id);
		return -1;
	}
	/* Four eyes: a second person, with an account and the role. */
	if (staff_check_approver(s, actor, bi.created_by, err, errsize) == -1)
		return -1;
	memset(&req, 0, sizeof(req));
	req.group_id = bi.group_id;
	req.text = bi.text;
	req.topic = bi.topic[0] != '\0' ? bi.topic : NULL;
	req.emergency = bi.emergency;
	req.at = bi.scheduled_at;
	req.actor = bi.created_by;
	/* The data may have changed since: check the limits again. */
	if (broadcast_preview(s, bp, &req, &pv, err, errsize) == -1 ||
	    check_limits(bp, &pv, err, errsize) == -1)
		return -1;
	return enqueue(s, bp, &req, id, actor, out, err, errsize) == -1 ?
	    -1 : 0;
}

int
broadcast_cancel(struct store *s, int64_t id, const char *actor, int64_t *n,
    char *err, size_t errsize)
{
	struct broadcast_info	 bi;
	char			 detail[64];
	int			 rc;

	*n = 0;
	if ((rc = broadcast_get(s, id, &bi)) != 0) {
		if (rc == 1)
			(void)util_snprintf(err, errsize, _("no broadcast "
			    "%lld"), (long long)id);
		else
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return -1;
	}
	if (cancel_rows(s, id, BROADCAST_CHUNK_ROWS, n) == -1) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	(void)util_snprintf(detail, sizeof(detail), "broadcast=%lld "
	    "cancelled=%lld", (long long)id, (long long)*n);
	if (store_audit(s, actor != NULL ? actor : "", "broadcast cancel",
	    detail) == -1) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	return 0;
}

static void
row_info(struct store_cur *c, struct broadcast_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->id = store_i64(c, 0);
	bi->group_id = store_i64(c, 1);
	store_text(c, 2, bi->group, sizeof(bi->group));
	store_text(c, 3, bi->topic, sizeof(bi->topic));
	store_text(c, 4, bi->text, sizeof(bi->text));
	bi->emergency = store_int(c, 5);
	store_text(c, 6, bi->state, sizeof(bi->state));
	bi->scheduled_at = (time_t)store_i64(c, 7);
	bi->recipients = store_i64(c, 8);
	bi->segments = store_i64(c, 9);
	store_text(c, 10, bi->created_by, sizeof(bi->created_by));
	store_text(c, 11, bi->approved_by, sizeof(bi->approved_by));
	bi->created_at = (time_t)store_i64(c, 12);
}

int
broadcast_get(struct store *s, int64_t id, struct broadcast_info *bi)
{
	struct store_cur *c = store_cur(s, ST_BCAST_GET);
	int		 rc;

	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	if ((rc = store_step(c)) == STORE_ROW)
		row_info(c, bi);
	store_reset(c);
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int64_t
broadcast_latest(struct store *s)
{
	int64_t		 id = -1;

	(void)store_one_i64(s, ST_BCAST_LATEST, &id, "");
	return id;
}

int
broadcast_list(struct store *s, size_t limit,
    int (*cb)(void *, const struct broadcast_info *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_BCAST_LIST);
	struct broadcast_info	 bi;
	int			 rc;

	if (store_bind(c, "I", (int64_t)limit) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		row_info(c, &bi);
		if (cb(arg, &bi) == -1) {
			store_reset(c);
			return -1;
		}
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

int
broadcast_list_since(struct store *s, time_t since, int64_t after,
    size_t limit, int (*cb)(void *, const struct broadcast_info *), void *arg)
{
	struct store_cur	*c = store_cur(s, ST_BCAST_SINCE);
	struct broadcast_info	 bi;
	int			 rc;

	if (store_bind(c, "tII", since, after, (int64_t)limit) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		row_info(c, &bi);
		bi.updated_at = (time_t)store_i64(c, 13);
		if (cb(arg, &bi) == -1) {
			store_reset(c);
			return -1;
		}
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

int
broadcast_settle(struct store *s, int64_t receipt_wait_s, int64_t *changed)
{
	time_t		 now = clock_now();

	*changed = 0;
	if (store_do(s, ST_BCAST_SETTLE_SENDING, "t", now) != STORE_OK)
		return -1;
	*changed += store_changes(s);
	if (store_do(s, ST_BCAST_SETTLE_DONE, "tt", now,
	    (time_t)(now - receipt_wait_s)) != STORE_OK)
		return -1;
	*changed += store_changes(s);
	return 0;
}

int
broadcast_status(struct store *s, int64_t id,
    int64_t counts[BROADCAST_NSTATES])
{
	struct store_cur *c = store_cur(s, ST_BCAST_STATUS);
	const char	*state;
	int		 rc, i;

	memset(counts, 0, BROADCAST_NSTATES * sizeof(counts[0]));
	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		state = store_str(c, 0);
		for (i = 0; i < BROADCAST_NSTATES; i++)
			if (strcmp(state, broadcast_states[i]) == 0)
				counts[i] = store_i64(c, 1);
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
broadcast_parse_time(const char *s, time_t now, time_t *out,
    const char **errstr)
{
	struct tm	 tm;
	size_t		 len = strlen(s);
	const char	*hm = s;
	int		 y = 0, mo = 0, d = 0, h, mi, sec = 0, dated = 0;
	char		 date[11];
	time_t		 t;

	*errstr = N_("is not a time like 2026-03-01 09:00 or 09:00");
	if (len == 16 || len == 19) {
		if (s[10] != ' ' && s[10] != 'T')
			return -1;
		(void)util_snprintf(date, sizeof(date), "%.10s", s);
		if (util_parse_date(date, &y, &mo, &d) == -1)
			return -1;
		dated = 1;
		hm = s + 11;
		if (len == 19 && (hm[5] != ':' ||
		    (sec = digits(hm + 6, 2)) < 0 || sec > 59))
			return -1;
	} else if (len != 5)
		return -1;
	if (hm[2] != ':' || (h = digits(hm, 2)) < 0 || h > 23 ||
	    (mi = digits(hm + 3, 2)) < 0 || mi > 59)
		return -1;
	/*
	 * The municipality's wall clock. A time in the hour skipped when the
	 * clocks go forward is that many minutes past the change (03:30 is
	 * 04:30); in the hour repeated in autumn, its first occurrence.
	 */
	clock_local(now, &tm);
	if (dated) {
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
	}
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = clock_mktime_local(&tm)) == (time_t)-1)
		return -1;
	if (!dated && t <= now) {
		tm.tm_mday++;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = 0;
		if ((t = clock_mktime_local(&tm)) == (time_t)-1)
			return -1;
	}
	if (t < now - 60) {
		*errstr = N_("is in the past");
		return -1;
	}
	if (t > now + BROADCAST_AHEAD_MAX) {
		*errstr = N_("is more than a year ahead");
		return -1;
	}
	*out = t;
	return 0;
}
