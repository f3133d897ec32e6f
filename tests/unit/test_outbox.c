/*
 * test_outbox: the outbox state machine the gateway drives, over a
 * :memory: store with the fake clock — claims in priority and due order,
 * expiry before sending, inflight, parts accepted and the message with
 * them, receipts (also before their submit_sm_resp), transient failures
 * with backoff up to the attempt limit, permanent ones, recovery after a
 * crash, message id normalisation, receipts matched within a receipt
 * group by id and phone (and submit date) when an SMSC repeats ids,
 * data_version across connections, and the one gate into the outbox (the
 * field each refusal names, a broadcast's batch).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "testdb.h"
#include "testlib.h"
#include "util.h"

#define T0	1767225600	/* 2026-01-01 00:00:00 UTC */

static int
setup(void **state)
{
	const char	*err;
	struct store	*s;

	clock_set_fake(T0);
	if ((s = test_store_open(&err)) == NULL) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	clock_clear_fake();
	return 0;
}

static int64_t
add(struct store *s, const char *phone, const char *text, int prio,
    long validity, time_t not_before)
{
	struct outbox_msg	 m;
	const char		*err = NULL;
	int64_t			 id;

	memset(&m, 0, sizeof(m));
	m.phone = phone;
	m.text = text;
	m.priority = prio;
	m.validity_s = validity;
	m.not_before = not_before;
	id = outbox_enqueue(s, &m, &err);
	if (id == -1)
		fail_msg("outbox_enqueue: %s", err);
	return id;
}

static const char *
state_of(struct store *s, int64_t id)
{
	static struct outbox_status os;

	assert_int_equal(outbox_status(s, id, &os), 0);
	return os.state;
}

static long long
q_int(struct store *s, const char *sql)
{
	return tl_int(s, sql);
}

static struct outbox_row rows[8];

static int
claim(struct store *s, int max, int *nexp, time_t *due)
{
	int	 dummy_exp;
	time_t	 dummy_due;

	return outbox_claim(s, clock_now(), rows, max,
	    nexp ? nexp : &dummy_exp, due ? due : &dummy_due);
}

/* Claim id alone and mark it inflight, as the gateway does. */
static void
take(struct store *s, int64_t id, uint32_t seq)
{
	int	 n, i;

	n = claim(s, 8, NULL, NULL);
	for (i = 0; i < n; i++)
		if (rows[i].id == id)
			break;
	assert_true(i < n);
	assert_int_equal(outbox_inflight(s, id, "smsc", seq), 0);
}

static void
test_claim_order(void **state)
{
	struct store	*s = *state;
	int64_t		 low, high, later, mid;
	time_t		 due;
	int		 n, nexp;

	low = add(s, "29000001", "bulk", -1, 0, 0);
	mid = add(s, "29000002", "direct", 0, 0, 0);
	high = add(s, "29000003", "code 1234", 5, 0, 0);
	later = add(s, "29000004", "tomorrow", 5, 0, T0 + 3600);

	n = claim(s, 8, &nexp, &due);
	assert_int_equal(n, 3);
	assert_int_equal(nexp, 0);
	assert_int_equal(rows[0].id, high);
	assert_int_equal(rows[1].id, mid);
	assert_int_equal(rows[2].id, low);
	assert_string_equal(rows[0].phone, "+37129000003");
	assert_string_equal(rows[0].text, "code 1234");
	assert_int_equal(rows[0].len, 9);
	assert_string_equal(rows[0].encoding, "auto");
	assert_int_equal(rows[0].priority, 5);
	/* The row planned for later is not ready; it says when it is. */
	assert_int_equal(due, T0 + 3600);
	(void)later;

	/* A claim reads; only inflight takes the row out of the queue. */
	assert_int_equal(claim(s, 8, NULL, NULL), 3);
	assert_int_equal(outbox_inflight(s, high, "smsc", 7), 0);
	assert_string_equal(state_of(s, high), "inflight");
	assert_int_equal(q_int(s, "SELECT attempts FROM outbox WHERE id = 3"),
	    1);
	assert_int_equal(q_int(s, "SELECT seq FROM outbox WHERE id = 3"), 7);
	n = claim(s, 1, NULL, &due);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, mid);
	/* Marking twice fails: the row is no longer queued. */
	assert_int_equal(outbox_inflight(s, high, "smsc", 8), 1);

	clock_advance_ms(3600 * 1000);
	n = claim(s, 8, NULL, &due);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].id, later);
}

/*
 * Quiet hours at claim time: bulk rows (priority -1, non-emergency
 * broadcasts and reminders) due before the end wait for it, whatever
 * not_before their producer wrote; other priorities and rows planned for
 * after the end are left alone, and nothing else changes state.
 */
static void
test_hold(void **state)
{
	struct store	*s = *state;
	int64_t		 old, soon, after, otp, reply, single, emerg, done;
	time_t		 due, until = T0 + 8 * 3600;
	int		 n, i;

	old = add(s, "29000001", "queued by an old client", -1, 0, 0);
	soon = add(s, "29000002", "planned inside", -1, 0, T0 + 600);
	after = add(s, "29000003", "planned after", -1, 0, until + 60);
	otp = add(s, "29000004", "code 1234", 20, 0, 0);
	reply = add(s, "29000005", "reply", 1, 0, 0);
	single = add(s, "29000006", "single", 0, 0, 0);
	emerg = add(s, "29000007", "storm", 5, 0, 0);
	done = add(s, "29000008", "sent before", -1, 0, 0);
	take(s, done, 1);

	assert_int_equal(outbox_hold(s, -1, clock_now(), until), 2);
	assert_int_equal(q_int(s, "SELECT count(*) FROM outbox"
	    " WHERE not_before = 1767254400 AND state = 'queued'"), 2);
	assert_string_equal(state_of(s, old), "queued");
	assert_string_equal(state_of(s, soon), "queued");
	assert_int_equal(q_int(s, "SELECT not_before FROM outbox WHERE id = 3"),
	    until + 60);
	assert_string_equal(state_of(s, done), "inflight");
	n = claim(s, 8, NULL, &due);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_true(rows[i].id == otp || rows[i].id == reply ||
		    rows[i].id == single || rows[i].id == emerg);
	assert_int_equal(due, until);
	/* Again in the same window: nothing left to move. */
	assert_int_equal(outbox_hold(s, -1, clock_now(), until), 0);
	clock_advance_ms(8 * 3600 * 1000);
	assert_int_equal(claim(s, 8, NULL, NULL), 6);
	(void)after;
}

static void
test_cancelled_not_sent(void **state)
{
	struct store	*s = *state;
	int64_t		 id = add(s, "29000001", "x", 0, 0, 0);

	assert_int_equal(claim(s, 8, NULL, NULL), 1);
	tl_exec(s, "UPDATE outbox SET state ="
	    " 'cancelled' WHERE id = 1");
	assert_int_equal(outbox_inflight(s, id, "smsc", 1), 1);
	assert_string_equal(state_of(s, id), "cancelled");
}

static void
test_expired_never_sent(void **state)
{
	struct store	*s = *state;
	int64_t		 otp, other;
	int		 nexp;

	otp = add(s, "29000001", "Kods 123456", 9, 300, 0);
	other = add(s, "29000002", "no validity", 0, 0, 0);
	clock_advance_ms(299 * 1000);
	assert_int_equal(claim(s, 8, &nexp, NULL), 2);
	assert_int_equal(nexp, 0);
	clock_advance_ms(1000);
	assert_int_equal(claim(s, 8, &nexp, NULL), 1);
	assert_int_equal(nexp, 1);
	assert_int_equal(rows[0].id, other);
	assert_string_equal(state_of(s, otp), "expired");
	/* Many expired ahead of a ready row: the claim goes past them. */
	for (int i = 0; i < 100; i++)
		(void)add(s, "29000003", "late", 9, 10, 0);
	clock_advance_ms(11 * 1000);
	assert_int_equal(claim(s, 2, &nexp, NULL), 1);
	assert_int_equal(nexp, 100);
	assert_int_equal(rows[0].id, other);
}

static void
test_accepted_delivered(void **state)
{
	struct store		*s = *state;
	struct outbox_status	 os;
	struct outbox_part_info	 pi[4];
	int64_t			 id = add(s, "29000001", "Sveiki", 0, 0, 0);

	take(s, id, 1);
	/* One part of one: the message is accepted with it. */
	assert_int_equal(outbox_part_accepted(s, id, 1, 1, "1a2b"), 0);
	assert_int_equal(outbox_status(s, id, &os), 0);
	assert_string_equal(os.state, "accepted");
	assert_string_equal(os.message_id, "1a2b");
	assert_int_equal(os.status_code, 0);
	assert_int_equal(outbox_receipt(s, "1a2b", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, id), "delivered");
	/* The same receipt again changes nothing. */
	assert_int_equal(outbox_receipt(s, "1a2b", OUTBOX_RCPT_UNDELIVERABLE,
	    0), OUTBOX_RCPT_DUPLICATE);
	assert_string_equal(state_of(s, id), "delivered");
	/* Its id lives in the message itself, not in outbox_parts. */
	assert_int_equal(outbox_parts(s, id, pi, 4), 0);
	/* A late response for it changes nothing. */
	assert_int_equal(outbox_accepted(s, id), 0);
	assert_int_equal(outbox_part_accepted(s, id, 1, 1, "1a2b"), 0);
	assert_string_equal(state_of(s, id), "delivered");
	/* An intermediate state is not a receipt to act on. */
	assert_int_equal(outbox_receipt_state(1), OUTBOX_RCPT_NONE);
	assert_int_equal(outbox_receipt_state(6), OUTBOX_RCPT_NONE);
	assert_int_equal(outbox_receipt_state(2), OUTBOX_RCPT_DELIVERED);
	assert_int_equal(outbox_receipt_state(3), OUTBOX_RCPT_EXPIRED);
	assert_int_equal(outbox_receipt_state(5), OUTBOX_RCPT_UNDELIVERABLE);
	assert_int_equal(outbox_receipt_state(8), OUTBOX_RCPT_REJECTED);
}

static void
test_parts(void **state)
{
	struct store	*s = *state;
	int64_t		 a = add(s, "29000001", "long a", 0, 0, 0);
	int64_t		 b = add(s, "29000002", "long b", 0, 0, 0);
	uint32_t	 mask;

	/* a: parts 1 and 2 taken, 3 throttled: back to the queue. */
	take(s, a, 1);
	assert_int_equal(outbox_part_accepted(s, a, 1, 3, "a1"), 0);
	assert_int_equal(outbox_part_accepted(s, a, 2, 3, "a2"), 0);
	assert_int_equal(outbox_retry(s, a, 0x58, 1, 0), 0);
	assert_string_equal(state_of(s, a), "queued");
	/* The retry knows which parts not to send again. */
	take(s, a, 9);
	assert_int_equal(outbox_parts_taken(s, a, &mask), 0);
	assert_int_equal(mask, 0x3);
	assert_int_equal(outbox_part_accepted(s, a, 3, 3, "a3"), 0);
	/* A receipt for a part while the message is still inflight. */
	assert_int_equal(outbox_receipt(s, "a1", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, a), "inflight");
	assert_int_equal(outbox_accepted(s, a), 0);
	assert_string_equal(state_of(s, a), "accepted");
	assert_int_equal(q_int(s, "SELECT message_id IS NULL FROM outbox"
	    " WHERE id = 1"), 1);
	assert_int_equal(outbox_receipt(s, "a3", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, a), "accepted");
	assert_int_equal(outbox_receipt(s, "a2", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, a), "delivered");

	/* b: one part undeliverable decides, whatever the others do. */
	take(s, b, 2);
	assert_int_equal(outbox_part_accepted(s, b, 1, 2, "b1"), 0);
	assert_int_equal(outbox_part_accepted(s, b, 2, 2, "b2"), 0);
	assert_int_equal(outbox_accepted(s, b), 0);
	assert_int_equal(outbox_receipt(s, "b2", OUTBOX_RCPT_UNDELIVERABLE,
	    1), OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, b), "undeliverable");
	assert_int_equal(outbox_receipt(s, "b1", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, b), "undeliverable");
}

static void
test_worst_part(void **state)
{
	struct store	*s = *state;
	int64_t		 id = add(s, "29000001", "x", 0, 0, 0);

	take(s, id, 1);
	assert_int_equal(outbox_part_accepted(s, id, 1, 2, "e1"), 0);
	assert_int_equal(outbox_part_accepted(s, id, 2, 2, "e2"), 0);
	assert_int_equal(outbox_accepted(s, id), 0);
	assert_int_equal(outbox_receipt(s, "e1", OUTBOX_RCPT_EXPIRED, 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, id), "expired");
	assert_int_equal(outbox_receipt(s, "e2", OUTBOX_RCPT_REJECTED, 0),
	    OUTBOX_RCPT_MATCHED);
	/* Once final, a message stays as it is. */
	assert_string_equal(state_of(s, id), "expired");
}

static void
test_receipt_before_resp(void **state)
{
	struct store	*s = *state;
	int64_t		 id = add(s, "29000001", "fast SMSC", 0, 0, 0);

	take(s, id, 1);
	assert_int_equal(outbox_receipt(s, "ff01", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_PENDING);
	assert_int_equal(q_int(s, "SELECT count(*) FROM receipts_pending"), 1);
	assert_int_equal(outbox_part_accepted(s, id, 1, 1, "ff01"), 0);
	assert_int_equal(q_int(s, "SELECT count(*) FROM receipts_pending"), 0);
	assert_string_equal(state_of(s, id), "delivered");
	/* The same for a part of a concatenated message. */
	id = add(s, "29000002", "two parts", 0, 0, 0);
	take(s, id, 2);
	assert_int_equal(outbox_receipt(s, "ff03", OUTBOX_RCPT_UNDELIVERABLE,
	    0), OUTBOX_RCPT_PENDING);
	assert_int_equal(outbox_part_accepted(s, id, 1, 2, "ff02"), 0);
	assert_int_equal(outbox_part_accepted(s, id, 2, 2, "ff03"), 0);
	assert_int_equal(outbox_accepted(s, id), 0);
	assert_string_equal(state_of(s, id), "undeliverable");

	/* An id nobody claims is kept, then pruned after a week. */
	assert_int_equal(outbox_receipt(s, "dead", OUTBOX_RCPT_DELIVERED, 0),
	    OUTBOX_RCPT_PENDING);
	assert_int_equal(outbox_prune_pending(s, clock_now() - 60), 0);
	clock_advance_ms((int64_t)OUTBOX_PENDING_KEEP_S * 1000 + 1000);
	assert_int_equal(outbox_prune_pending(s, clock_now() -
	    OUTBOX_PENDING_KEEP_S), 1);
}

/*
 * Receipts for ids nobody sent (a storm of 100k was 100k rows): the table
 * is cut back to the newest, whatever their age.
 */
static void
test_receipt_pending_cap(void **state)
{
	struct store	*s = *state;
	char		 id[24];
	int		 i;

	for (i = 0; i < 25; i++) {
		assert_int_not_equal(util_snprintf(id, sizeof(id), "orphan%02d",
		    i), -1);
		assert_int_equal(outbox_receipt(s, id, OUTBOX_RCPT_DELIVERED,
		    0), OUTBOX_RCPT_PENDING);
		clock_advance_ms(1000);
	}
	assert_int_equal(outbox_cap_pending(s, 30), 0);
	assert_int_equal(outbox_cap_pending(s, 10), 15);
	assert_int_equal(q_int(s, "SELECT count(*) FROM receipts_pending"), 10);
	assert_int_equal(q_int(s, "SELECT count(*) FROM receipts_pending"
	    " WHERE message_id < 'orphan15'"), 0);
	assert_int_equal(outbox_cap_pending(s, 10), 0);
	assert_int_equal(outbox_cap_pending(s, 0), 10);
}

static void
test_transient_backoff(void **state)
{
	struct store	*s = *state;
	int64_t		 id = add(s, "29000001", "busy", 0, 0, 0);
	struct outbox_status os;
	time_t		 due;
	int		 i;

	take(s, id, 1);
	assert_int_equal(outbox_retry(s, id, 0x14, 1, outbox_backoff(0x14, 1)),
	    0);
	assert_int_equal(outbox_status(s, id, &os), 0);
	assert_string_equal(os.state, "queued");
	assert_int_equal(os.status_code, 0x14);
	assert_int_equal(os.attempts, 1);
	/* Not before the backoff is over. */
	assert_int_equal(claim(s, 8, NULL, &due), 0);
	assert_int_equal(due, T0 + 1);
	clock_advance_ms(1000);
	assert_int_equal(claim(s, 8, NULL, NULL), 1);
	/* The attempts run out: failed, with the last status. */
	for (i = 2; i < OUTBOX_ATTEMPTS_MAX; i++) {
		assert_int_equal(outbox_inflight(s, id, "smsc", 1), 0);
		assert_int_equal(outbox_retry(s, id, OUTBOX_STATUS_TIMEOUT, i,
		    0), 0);
	}
	assert_int_equal(outbox_inflight(s, id, "smsc", 1), 0);
	assert_int_equal(outbox_retry(s, id, 0x08, OUTBOX_ATTEMPTS_MAX, 0), 1);
	assert_int_equal(outbox_status(s, id, &os), 0);
	assert_string_equal(os.state, "failed");
	assert_int_equal(os.status_code, 0x08);
	assert_int_equal(os.attempts, OUTBOX_ATTEMPTS_MAX);
	/* Only an inflight row can be requeued. */
	assert_int_equal(outbox_retry(s, id, 0x08, 1, 0), 0);
	assert_string_equal(state_of(s, id), "failed");
}

static void
test_classes(void **state)
{
	(void)state;
	assert_true(outbox_transient(0x58));
	assert_true(outbox_transient(0x14));
	assert_true(outbox_transient(0x08));
	assert_true(outbox_transient(0x64));
	assert_true(outbox_transient(OUTBOX_STATUS_TIMEOUT));
	assert_true(outbox_transient(OUTBOX_STATUS_LINK));
	assert_false(outbox_transient(0x0b));	/* bad destination */
	assert_false(outbox_transient(0x45));
	assert_false(outbox_transient(0x65));
	assert_int_equal(outbox_backoff(OUTBOX_STATUS_LINK, 5), 0);
	assert_int_equal(outbox_backoff(0x58, 1), 1);
	assert_int_equal(outbox_backoff(0x58, 50), 1);
	assert_int_equal(outbox_backoff(OUTBOX_STATUS_TIMEOUT, 7), 1);
	assert_int_equal(outbox_backoff(0x08, 1), 1);
	assert_int_equal(outbox_backoff(0x08, 4), 8);
	assert_int_equal(outbox_backoff(0x08, 40), 300);
}

static void
test_permanent(void **state)
{
	struct store		*s = *state;
	struct outbox_status	 os;
	int64_t			 id = add(s, "29000001", "x", 0, 0, 0);

	take(s, id, 1);
	assert_int_equal(outbox_finish(s, id, "rejected", 0x0b), 0);
	assert_int_equal(outbox_status(s, id, &os), 0);
	assert_string_equal(os.state, "rejected");
	assert_int_equal(os.status_code, 0x0b);
	assert_int_equal(outbox_finish(s, id, "delivered", 0), -1);
	/* A late response for a finished message changes nothing. */
	assert_int_equal(outbox_accepted(s, id), 0);
	assert_string_equal(state_of(s, id), "rejected");
}

static void
test_recover(void **state)
{
	struct store	*s = *state;
	int64_t		 a = add(s, "29000001", "a", 0, 0, 0);
	int64_t		 b = add(s, "29000002", "b", 0, 0, 0);
	int64_t		 c = add(s, "29000003", "c", 0, 0, 0);

	take(s, a, 1);
	take(s, b, 2);
	assert_int_equal(outbox_part_accepted(s, b, 1, 1, "b"), 0);
	/* The crash: a was inflight, b accepted, c never claimed. */
	assert_int_equal(outbox_recover(s), 1);
	assert_string_equal(state_of(s, a), "queued");
	assert_string_equal(state_of(s, b), "accepted");
	assert_string_equal(state_of(s, c), "queued");
	assert_int_equal(outbox_queued(s), 2);
	/* The second attempt counts. */
	take(s, a, 3);
	assert_int_equal(q_int(s, "SELECT attempts FROM outbox WHERE id = 1"),
	    2);
}

static void
test_msgid_norm(void **state)
{
	char	 b[65];

	(void)state;
	assert_int_equal(outbox_msgid_norm("0000ABCdef", 0, b, sizeof(b)), 0);
	assert_string_equal(b, "abcdef");
	assert_int_equal(outbox_msgid_norm("00000000", 0, b, sizeof(b)), 0);
	assert_string_equal(b, "0");
	/* Decimal in the receipt for a hexadecimal id. */
	assert_int_equal(outbox_msgid_norm("2748", 1, b, sizeof(b)), 0);
	assert_string_equal(b, "abc");
	assert_int_equal(outbox_msgid_norm("0002748", 1, b, sizeof(b)), 0);
	assert_string_equal(b, "abc");
	/* Not decimal after all: taken as it is. */
	assert_int_equal(outbox_msgid_norm("00C4", 1, b, sizeof(b)), 0);
	assert_string_equal(b, "c4");
	assert_int_equal(outbox_msgid_norm("Msg-7/X", 0, b, sizeof(b)), 0);
	assert_string_equal(b, "msg-7/x");
	assert_int_equal(outbox_msgid_norm("", 0, b, sizeof(b)), -1);
	assert_int_equal(outbox_msgid_norm("abcdef", 0, b, 4), -1);
}

/* Accept message id (one part) as msgid in group; *reused from the store. */
static int
accept_in(struct store *s, int64_t id, const char *group, const char *msgid)
{
	int	 reused = -1;

	take(s, id, 1);
	assert_int_equal(outbox_part_accepted_in(s, id, 1, 1, group, msgid,
	    &reused), 0);
	assert_true(reused == 0 || reused == 1);
	return reused;
}

static enum outbox_receipt_result
rcpt(struct store *s, const char *group, const char *msgid,
    const char *phone, time_t submitted)
{
	struct outbox_rcpt_key	 k;

	memset(&k, 0, sizeof(k));
	k.group = group;
	k.msgid = msgid;
	k.phone = phone;
	k.submitted = submitted;
	return outbox_receipt_in(s, &k, OUTBOX_RCPT_DELIVERED, 0, NULL);
}

/*
 * An SMSC restarted between two submits hands out id 1 twice: the receipt
 * for the second message settles it alone, told apart by its phone; the
 * second submit_sm_resp is noticed as a reused id.
 */
static void
test_receipt_repeated_id(void **state)
{
	struct store	*s = *state;
	int64_t		 a = add(s, "29000001", "pirmā", 0, 0, 0);
	int64_t		 b = add(s, "29000002", "otrā", 0, 0, 0);

	assert_int_equal(accept_in(s, a, "lmt", "1"), 0);
	assert_int_equal(accept_in(s, b, "lmt", "1"), 1);
	/* The receipt's source_addr as SMSCs write it, without a plus. */
	assert_int_equal(rcpt(s, "lmt", "1", "37129000002", 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, b), "delivered");
	assert_string_equal(state_of(s, a), "accepted");
	assert_int_equal(rcpt(s, "lmt", "1", "+37129000001", 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, a), "delivered");
	/* Both settled: another receipt for either is a duplicate. */
	assert_int_equal(rcpt(s, "lmt", "1", "29000002", 0),
	    OUTBOX_RCPT_DUPLICATE);
}

/* One id, one phone, two open messages: settles none, unless the date can. */
static void
test_receipt_ambiguous(void **state)
{
	struct store	*s = *state;
	int64_t		 a = add(s, "29000003", "viens", 0, 0, 0);
	int64_t		 b = add(s, "29000003", "divi", 0, 0, 0);

	assert_int_equal(accept_in(s, a, "osmo", "msg_id_not_implemented"), 0);
	clock_set_fake(T0 + 3600);
	assert_int_equal(accept_in(s, b, "osmo", "msg_id_not_implemented"), 1);
	assert_int_equal(rcpt(s, "osmo", "msg_id_not_implemented", "29000003",
	    0), OUTBOX_RCPT_AMBIGUOUS);
	assert_int_equal(rcpt(s, "osmo", "msg_id_not_implemented", NULL, 0),
	    OUTBOX_RCPT_AMBIGUOUS);
	assert_string_equal(state_of(s, a), "accepted");
	assert_string_equal(state_of(s, b), "accepted");
	/* A date that fits neither narrows nothing: still none. */
	assert_int_equal(rcpt(s, "osmo", "msg_id_not_implemented", "29000003",
	    T0 + 86400), OUTBOX_RCPT_AMBIGUOUS);
	/* The receipt's submit date (minutes) picks the first. */
	assert_int_equal(rcpt(s, "osmo", "msg_id_not_implemented", "29000003",
	    T0 - 30), OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, a), "delivered");
	assert_string_equal(state_of(s, b), "accepted");
	/* Now one is left open: the next receipt is its. */
	assert_int_equal(rcpt(s, "osmo", "msg_id_not_implemented", "29000003",
	    0), OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, b), "delivered");
}

/* Groups keep operators apart; rows from before groups match any. */
static void
test_receipt_groups(void **state)
{
	struct store	*s = *state;
	int64_t		 a = add(s, "29000004", "lmt", 0, 0, 0);
	int64_t		 b = add(s, "29000005", "vecs", 0, 0, 0);

	assert_int_equal(accept_in(s, a, "tele2", "5"), 0);
	/* The same id in another group: not its receipt, kept for later. */
	assert_int_equal(rcpt(s, "lmt", "5", "29000004", 0),
	    OUTBOX_RCPT_PENDING);
	assert_string_equal(state_of(s, a), "accepted");
	assert_int_equal(rcpt(s, "tele2", "5", "29000004", 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, a), "delivered");
	/* A row without a group, as a migrated database has. */
	take(s, b, 2);
	assert_int_equal(outbox_part_accepted(s, b, 1, 1, "b0"), 0);
	assert_int_equal(rcpt(s, "lmt", "b0", "29000005", 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, b), "delivered");
}

/*
 * A receipt before its submit_sm_resp is kept with its phone: a message
 * to another phone given the same id does not take it.
 */
static void
test_receipt_pending_phone(void **state)
{
	struct store	*s = *state;
	int64_t		 a = add(s, "29000006", "citam", 0, 0, 0);
	int64_t		 b = add(s, "29000007", "savējam", 0, 0, 0);

	assert_int_equal(rcpt(s, "lmt", "9", "37129000007", 0),
	    OUTBOX_RCPT_PENDING);
	assert_int_equal(accept_in(s, a, "lmt", "9"), 0);
	assert_string_equal(state_of(s, a), "accepted");
	assert_int_equal(accept_in(s, b, "lmt", "9"), 1);
	assert_string_equal(state_of(s, b), "delivered");
	assert_int_equal(q_int(s, "SELECT count(*) FROM receipts_pending"), 0);
}

/* A part of a long message and a short one share an id. */
static void
test_receipt_part_phone(void **state)
{
	struct store	*s = *state;
	int64_t		 a = add(s, "29000008", "garš", 0, 0, 0);
	int64_t		 b = add(s, "29000009", "īss", 0, 0, 0);
	int		 reused;

	take(s, a, 1);
	assert_int_equal(outbox_part_accepted_in(s, a, 1, 2, "lmt", "p1",
	    &reused), 0);
	assert_int_equal(reused, 0);
	assert_int_equal(outbox_part_accepted_in(s, a, 2, 2, "lmt", "p2",
	    &reused), 0);
	assert_int_equal(outbox_accepted(s, a), 0);
	assert_int_equal(accept_in(s, b, "lmt", "p1"), 1);
	assert_int_equal(rcpt(s, "lmt", "p1", "29000008", 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, b), "accepted");
	assert_int_equal(rcpt(s, "lmt", "p2", "29000008", 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, a), "delivered");
	assert_int_equal(rcpt(s, "lmt", "p1", "29000009", 0),
	    OUTBOX_RCPT_MATCHED);
	assert_string_equal(state_of(s, b), "delivered");
}

static void
test_phone_same(void **state)
{
	(void)state;
	assert_true(outbox_phone_same("+37129123456", "29123456"));
	assert_true(outbox_phone_same("37129123456", "+37129123456"));
	assert_true(outbox_phone_same("0037129123456", "29123456"));
	assert_false(outbox_phone_same("+37129123456", "29123457"));
	assert_false(outbox_phone_same("+37129123456", ""));
	/* A short code is no national number inside a phone. */
	assert_false(outbox_phone_same("+37129123456", "3456"));
}

static void
test_data_version(void **state)
{
	char		 dir[64], path[96];
	struct store	*a, *b;
	const char	*err;
	int64_t		 v;

	(void)state;
	(void)snprintf(dir, sizeof(dir), "%s/muni-outbox.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/muni.db", dir);
	assert_non_null(a = store_open(path, STORE_CREATE, &err));
	assert_non_null(b = store_open(path, 0, &err));
	v = outbox_data_version(a);
	assert_true(v >= 0);
	/* Its own writes do not change what a sees ... */
	(void)add(a, "29000001", "mine", 0, 0, 0);
	assert_int_equal(outbox_data_version(a), v);
	/* ... another connection's do. */
	(void)add(b, "29000002", "theirs", 0, 0, 0);
	assert_int_not_equal(outbox_data_version(a), v);
	store_close(b);
	store_close(a);
	(void)snprintf(path, sizeof(path), "%s/muni.db", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/muni.db-wal", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/muni.db-shm", dir);
	(void)unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* What the gate says of m: the field it refuses, or NONE with m queued. */
static enum outbox_field
gate(struct store *s, const struct outbox_msg *m, struct outbox_why *why)
{
	if (outbox_enqueue_why(s, m, why) == -1) {
		assert_int_not_equal(why->field, OUTBOX_FIELD_NONE);
		assert_non_null(why->msg);
		return why->field;
	}
	assert_int_equal(why->field, OUTBOX_FIELD_NONE);
	return OUTBOX_FIELD_NONE;
}

/*
 * One gate: every refusal names its field, in the order the producers
 * reported them (encoding, analysis, segments, then phone and the rest),
 * and nothing refused is written.
 */
static void
test_gate_fields(void **state)
{
	struct store		*s = *state;
	struct outbox_msg	 m;
	struct outbox_why	 why;
	char			 long_text[201];

	memset(long_text, 'a', 200);
	long_text[200] = '\0';		/* two GSM-7 segments */
	memset(&m, 0, sizeof(m));
	m.phone = "29123456";
	m.text = "Sveiki";
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_NONE);

	m.phone = NULL;
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_PHONE);
	m.phone = "29x";
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_PHONE);
	m.phone = "67123456";		/* a fixed line */
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_PHONE);
	assert_string_equal(why.msg,
	    "a fixed-line number cannot receive SMS");
	m.phone = "29123456";

	m.text = "";
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_TEXT);
	assert_string_equal(why.msg, "the message text is empty");
	m.text = "\xc4";		/* half of ā */
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_TEXT);
	m.text = "Sveiki";

	m.encoding = "utf8";
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_ENCODING);
	m.encoding = "gsm7";		/* a per-message override */
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_NONE);
	m.encoding = NULL;

	m.text = long_text;
	m.max_segments = 1;
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_SEGMENTS);
	assert_int_equal(why.segments, 2);
	/* Segments come before the phone, as the producers had it. */
	m.phone = "29x";
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_SEGMENTS);
	m.phone = "29123456";
	m.max_segments = 2;
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_NONE);
	m.max_segments = 0;
	m.text = "Sveiki";

	m.validity_s = OUTBOX_VALIDITY_MAX + 1;
	assert_int_equal(gate(s, &m, &why), OUTBOX_FIELD_VALIDITY);
	m.validity_s = 0;

	/* The three accepted, nothing of the refused. */
	assert_int_equal(q_int(s, "SELECT count(*) FROM outbox"), 3);
}

static void
item(struct outbox_item *it, const char *phone, const char *text)
{
	memset(it, 0, sizeof(*it));
	it->phone = phone;
	it->text = text;
	it->len = strlen(text);
	it->not_before = T0 + 60;
	it->segments = 1;
}

/*
 * A broadcast's rows through the gate: sixteen to a statement and the
 * rest one by one, each row as outbox_enqueue writes the same message;
 * a row past max_segments refuses the batch and says which.
 */
static void
test_gate_batch(void **state)
{
	struct store		*s = *state;
	struct outbox_item	 items[18];
	struct outbox_msg	 sh, m;
	struct outbox_why	 why;
	char			 phones[18][16];
	size_t			 i, bad;

	memset(&sh, 0, sizeof(sh));
	sh.encoding = "ucs2";
	sh.priority = -1;
	sh.topic = "kultura";
	sh.max_segments = 2;
	for (i = 0; i < 17; i++) {
		(void)snprintf(phones[i], sizeof(phones[i]), "+3712900%04zu",
		    i);
		item(&items[i], phones[i], "Koncerts rīt");
	}
	/* Given as a resident table might hold it: written as E.164. */
	items[16].phone = "29000016";
	assert_int_equal(outbox_enqueue_batch(s, &sh, items, 17, &why, &bad),
	    0);
	assert_int_equal(why.field, OUTBOX_FIELD_NONE);
	assert_int_equal(q_int(s, "SELECT count(*) FROM outbox WHERE "
	    "state = 'queued' AND encoding = 'ucs2' AND priority = -1 AND "
	    "topic = 'kultura' AND not_before = 1767225660 AND "
	    "created_at = 1767225600 AND updated_at = created_at AND "
	    "valid_until IS NULL AND resident_id IS NULL AND "
	    "broadcast_id IS NULL"), 17);
	assert_int_equal(q_int(s, "SELECT count(*) FROM outbox WHERE "
	    "phone = '+37129000016'"), 1);

	/* The same message by the single gate: the same row. */
	m = sh;
	m.phone = "+37129000099";
	m.text = "Koncerts rīt";
	m.not_before = T0 + 60;
	assert_true(outbox_enqueue_why(s, &m, &why) > 0);
	assert_int_equal(q_int(s, "SELECT count(*) FROM (SELECT DISTINCT "
	    "text, encoding, state, priority, created_at, not_before, "
	    "valid_until, topic, resident_id, broadcast_id, updated_at "
	    "FROM outbox) AS d"), 1);

	/* Refused: past max_segments, a fixed line; nothing more written. */
	for (i = 0; i < 3; i++)
		item(&items[i], phones[i], "Vēlreiz");
	items[1].segments = 3;
	assert_int_equal(outbox_enqueue_batch(s, &sh, items, 3, &why, &bad),
	    -1);
	assert_int_equal(why.field, OUTBOX_FIELD_SEGMENTS);
	assert_int_equal(why.segments, 3);
	assert_int_equal(bad, 1);
	items[1].segments = 1;
	items[2].phone = "+37167000000";
	assert_int_equal(outbox_enqueue_batch(s, &sh, items, 3, &why, &bad),
	    -1);
	assert_int_equal(why.field, OUTBOX_FIELD_PHONE);
	assert_int_equal(bad, 2);
	assert_int_equal(q_int(s, "SELECT count(*) FROM outbox WHERE "
	    "text = 'Vēlreiz'"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_not_sent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expired_never_sent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_accepted_delivered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worst_part, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_receipt_pending_cap,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_before_resp,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_transient_backoff, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_receipt_repeated_id,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_ambiguous, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_receipt_groups, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_receipt_pending_phone,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_part_phone, setup,
		    teardown),
		cmocka_unit_test(test_phone_same),
		cmocka_unit_test(test_classes),
		cmocka_unit_test_setup_teardown(test_permanent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test(test_msgid_norm),
		cmocka_unit_test(test_data_version),
		cmocka_unit_test_setup_teardown(test_gate_fields, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gate_batch, setup,
		    teardown),
	};

	log_init("test_outbox", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
