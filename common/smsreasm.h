/*
 * smsreasm: reassembly of concatenated MO messages, whether the parts came
 * with a UDH (IE 0x00 / 0x08) or with the SAR TLVs. Parts are kept through
 * a small store interface so that a restart loses none: smsreasm_mem is the
 * in-memory one (tests, tools), the database one lives beside the store.
 */
#ifndef MUNI_SMSREASM_H
#define MUNI_SMSREASM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* SMPP source_addr / destination_addr: 20 characters and a NUL. */
#define SMSREASM_ADDR_MAX	21
/* Longest user data of one part (message_payload's limit). */
#define SMSREASM_PART_MAX	1024
#define SMSREASM_TIMEOUT_DEFAULT 600
/*
 * What one sender may have held at once, unfinished: messages, parts and
 * bytes of user data. A real phone has one or two long messages under way;
 * these bound what a sender (or a broken SMSC) can make us keep, and
 * the timeout bounds how long.
 */
#define SMSREASM_PENDING_MAX	32
#define SMSREASM_PARTS_MAX	256
#define SMSREASM_BYTES_MAX	(64 * 1024)

/*
 * One message being put together. TS 23.040 9.2.3.24.1: the originator,
 * reference and total identify it; the destination is added so two short
 * codes never mix. SAR references are 16-bit.
 */
struct smsreasm_key {
	char		 src[SMSREASM_ADDR_MAX];
	char		 dst[SMSREASM_ADDR_MAX];
	uint16_t	 ref;
	uint8_t		 ref_bits;	/* 8 or 16 */
	uint8_t		 total;		/* 1-255 */
};

struct smsreasm_part {
	struct smsreasm_key key;
	uint8_t		 seq;		/* 1..total */
	uint8_t		 data_coding;
	time_t		 arrived;	/* set by smsreasm_add */
	const uint8_t	*ud;		/* user data without the UDH */
	size_t		 ud_len;
};

/* What a sender has held: unfinished messages, their parts and bytes. */
struct smsreasm_held {
	int		 messages;
	int		 parts;
	size_t		 bytes;
};

/*
 * Where parts are kept. Every function returns -1 on a store error (and
 * logs it). Part pointers passed to fn are valid only during the call.
 */
struct smsreasm_store {
	void	*arg;
	/* Keep a part: the number of parts now held for its key, 0 when
	 * that seq was already there (a duplicate, not stored again). */
	int	(*save)(void *arg, const struct smsreasm_part *);
	/* Call fn for each part of key (any order); fn returning -1 stops. */
	int	(*load)(void *arg, const struct smsreasm_key *,
		    int (*fn)(void *, const struct smsreasm_part *),
		    void *fnarg);
	int	(*remove)(void *arg, const struct smsreasm_key *);
	/* The key whose first part is oldest and arrived at or before
	 * `before`, into *key: 1, or 0 when there is none. */
	int	(*oldest)(void *arg, time_t before, struct smsreasm_key *key);
	/* What src has held, into *h: 0, or -1. */
	int	(*held)(void *arg, const char *src, struct smsreasm_held *h);
};

/* Fill a key; -1 with *errstr set when an argument is out of range. */
int	 smsreasm_key_set(struct smsreasm_key *, const char *src,
	    const char *dst, unsigned ref, int ref_bits, int total,
	    const char **errstr);

/*
 * The reassembler. The caller owns the store and must keep it alive
 * while the reassembler uses it; a new reassembler over the same store
 * carries on where the old one stopped.
 */
struct smsreasm;

struct smsreasm	*smsreasm_new(const struct smsreasm_store *, int timeout_s);
void		 smsreasm_free(struct smsreasm *);
void		 smsreasm_set_timeout(struct smsreasm *, int timeout_s);

/* A message put together, complete or released at the timeout. */
struct smsreasm_msg {
	struct smsreasm_key key;
	char		*text;		/* UTF-8; freed by smsreasm_msg_clear */
	size_t		 len;
	/* 0 when a part's data_coding is not text: text is then hex. */
	int		 readable;
	/* Released at the timeout with parts missing: each gap is "…". */
	int		 incomplete;
	unsigned	 received;	/* parts that arrived */
	time_t		 first;		/* when the first part arrived */
};

enum smsreasm_result {
	SMSREASM_ERROR = -1,	/* the store failed: nothing is certain */
	SMSREASM_REFUSED,	/* the part is bad or passes a limit: the
				   store is as it was, *errstr says why */
	SMSREASM_WAITING,	/* kept; more parts to come */
	SMSREASM_DUPLICATE,	/* that part was already here: ignored */
	SMSREASM_COMPLETE,	/* *out holds the message */
};

/*
 * Add a part (key.total 1 completes at once). On SMSREASM_COMPLETE the
 * parts have left the store and *out must be cleared by the caller; wrap
 * this call and the insert of the message in one transaction so a crash
 * between them loses nothing. SMSREASM_REFUSED is the part's own fault
 * (a number out of range, too long, or past a sender's limit): answer it
 * with a permanent error and carry on. SMSREASM_ERROR is the store's.
 * Both set *errstr.
 */
enum smsreasm_result smsreasm_add(struct smsreasm *,
	    const struct smsreasm_part *, struct smsreasm_msg *out,
	    const char **errstr);

/*
 * Release one message whose first part arrived timeout seconds ago or
 * more, with what arrived (out->incomplete set when parts are missing).
 * Returns 1 with *out filled, 0 when nothing is due, -1 on a store error.
 * Call it until it returns 0; the caller logs what was incomplete.
 */
int	 smsreasm_expire(struct smsreasm *, struct smsreasm_msg *out);

void	 smsreasm_msg_clear(struct smsreasm_msg *);

/* The in-memory store, bounded to SMSREASM_MEM_MAX parts. */
#define SMSREASM_MEM_MAX	4096

struct smsreasm_mem;

struct smsreasm_mem *smsreasm_mem_new(void);
void		 smsreasm_mem_free(struct smsreasm_mem *);
/* The store interface over mem, for smsreasm_new. */
void		 smsreasm_mem_store(struct smsreasm_mem *,
		    struct smsreasm_store *);
/* Parts held, for tests. */
size_t		 smsreasm_mem_count(const struct smsreasm_mem *);

/*
 * The store interface over the database's mo_parts table (the caller
 * owns s). Built once store_stmts.h has the ST_MO_PART_* statements; see
 * smsreasm.c.
 */
struct store;
void		 smsreasm_db_store(struct store *s, struct smsreasm_store *);

#endif
