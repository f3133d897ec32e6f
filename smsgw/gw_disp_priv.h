/*
 * gw_disp_priv: the dispatcher's rooms and what they share. struct disp
 * is one object; its code is split by what it serves, so each room can be
 * read on its own: gw_disp.c (MT sending and the dispatcher's life),
 * gw_binds.c (the binds: configuration, callbacks, receipts, bind_mode
 * auto, SIGHUP), gw_mo.c (MO SMS to the keyword services) and gw_ussd.c
 * (USSD sessions). Only these four files include this header; everything
 * else sees gw_disp.h.
 */
#ifndef MUNI_GW_DISP_PRIV_H
#define MUNI_GW_DISP_PRIV_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/util.h>

#include "config.h"
#include "ident.h"
#include "outbox.h"
#include "pdu.h"
#include "smsreasm.h"
#include "smstext.h"
#include "ussd.h"

struct batch;
struct esme;
struct inbox_row;
struct keywords_limiter;

#define INBOX_BATCH		16
/* USSD requests stored and waiting for their answer. */
#define USSD_QUEUE		256
#define MO_TIMES		256	/* arrival times kept for the metric */
#define DISP_MSGID_SIZE		65

struct gbind;

/* One message being sent: the parts of this attempt and their fate. */
struct dmsg {
	TAILQ_ENTRY(dmsg) entry;
	struct gbind	*b;		/* the bind this attempt uses */
	int		 in_sendq;
	int64_t		 id;
	int		 attempts;	/* counting this one */
	int		 nparts;
	uint32_t	 todo;		/* parts still to send now */
	uint32_t	 taken;		/* parts the SMSC accepted */
	int		 outstanding;
	int		 has_transient;
	uint32_t	 transient;
	int		 has_perm;
	uint32_t	 perm;
	int		 db_error;
	int		 stashed;	/* in stashq, waiting for the database */
	uint32_t	 unstored;	/* parts taken, not yet written */
	char		(*ids)[DISP_MSGID_SIZE];	/* their message ids */
	time_t		 valid_until;
	uint8_t		 data_coding;
	uint8_t		 esm_class;
	char		 phone[IDENT_PHONE_SIZE];
	size_t		 plen;		/* message_payload: the whole text */
	uint8_t		*pdata;		/* after seg[], in this allocation */
	uint32_t	 seq[OUTBOX_PARTS_MAX];	/* each part's last submit */
	struct smstext_segment seg[];
};
TAILQ_HEAD(dmsgq, dmsg);

/* One session of a bind; the esme callbacks' argument. */
struct gside {
	struct gbind	*b;
	struct esme	*e;
	int		 stopping;
	int		 stopped;
};

/*
 * A configured bind ([smsc] or [smsc.NAME]): one transceiver session, or
 * a transmitter for MT and a receiver for MO and receipts.
 */
struct gbind {
	struct disp	*d;
	char		 name[CONFIG_BIND_NAME_MAX + 1];
	int		 pair;		/* now: tx and rx are a pair */
	int		 mode;		/* BIND_MODE_*, as configured */
	int		 mode_known;	/* auto: a bind worked, keep it */
	int		 payload;	/* long_mode = payload */
	int		 msgid_decimal;
	/* receipts match within it: receipt_group, else the bind's name */
	char		 rgroup[CONFIG_BIND_NAME_MAX + 1];
	int		 reuse_warned;	/* this session logged a reused id */
	struct pdu_addr	 src;
	struct gside	 tx;		/* transceiver or transmitter */
	struct gside	 rx;		/* a pair's receiver; e NULL otherwise */
	struct dmsgq	 sendq;		/* its messages with parts to send */
	int		 unsettled;	/* accepted, not yet on disk */
	int		 syncing;	/* accepted, committed, being synced */
	int		 retired;	/* left the configuration: stopping */
	struct gbind	*next_retired;
};

/*
 * A USSD request, stored in the inbox, to answer once committed. USSD is
 * a session: its answer goes straight to the bind, not through the
 * outbox, and is not retried (the network has moved on by then).
 */
struct ussd_req {
	int64_t		 inbox_id;
	int		 stored;	/* its inbox row is on disk */
	int		 answered;	/* reply holds the answer */
	int		 committed;	/* and that is on disk: send it */
	int		 in_sync;	/* its turn is committed, being synced */
	int		 sync_answered;	/* answered in that turn */
	int		 send;		/* there is something to send */
	struct ussd_reply reply;
	enum ussd_op	 op;
	int		 has_session;
	uint16_t	 session;
	char		 from[24];
	char		 code[24];	/* the service code dialled, our source */
	char		 bind[CONFIG_BIND_NAME_MAX + 1];	/* answer on it */
	size_t		 len;
	char		 text[SMSTEXT_DECODE_SIZE(PDU_SM_MAX)];
};

struct disp {
	struct event_base *base;
	struct store	*store;
	const struct config *cfg;
	struct batch	*batch;
	struct gbind	*binds[CONFIG_BINDS_MAX];	/* config order */
	int		 nbinds;
	struct gbind	*retired;	/* removed by a reload, stopping */
	unsigned	 turn;		/* pick_bind's tie breaker */
	int		 stop_pending;	/* sessions still to stop */

	/* settings from the configuration */
	int		 max_segments;

	struct outbox_row *rows;	/* claim buffer, window rows */
	int		 nrows;
	struct smstext_msg enc;		/* encoding scratch */
	int		 nmsgs;
	int		 drained;	/* nothing ready when last asked */
	time_t		 next_due;	/* earliest row due later, 0 none */
	time_t		 quiet_at;	/* when quiet_until was worked out */
	time_t		 quiet_until;	/* end of the quiet hours, or <= now */
	int64_t		 data_version;
	int		 need_recover;	/* inflight rows nobody holds */
	time_t		 recover_at;	/* after a failed recovery, 0 none */
	time_t		 lease_at;	/* next lease renewal (PostgreSQL) */
	/*
	 * A commit failed (disk full, I/O error): until one succeeds again,
	 * rows are claimed only by the tick's probe, which commits the claim
	 * before a part goes out. Otherwise every reconnect would send the
	 * same window again with no state stored.
	 */
	int		 db_suspect;
	int		 probing;
	int		 nunstored;	/* parts taken, waiting in stashq */
	struct dmsgq	 stashq;	/* done, but the database was busy */
	unsigned	 ticks;

	struct smsreasm_store rstore;
	struct smsreasm	*reasm;
	struct keywords_limiter *limiter;
	int64_t		 inbox_cursor;
	int64_t		 inbox_cursor_next;	/* once the batch commits */
	int		 inbox_pending;
	/*
	 * Replies to MO are in the outbox of the open batch: nothing is
	 * claimed until it commits, so no reply goes before the MO it
	 * answers is on disk.
	 */
	int		 replies_held;
	/* The same for the turn the store writer syncs now (gw_writer.c). */
	int		 replies_syncing;
	int64_t		 inbox_cursor_syncing;
	time_t		 inbox_retry_at;	/* after a failure, 0 none */
	struct {
		int64_t	 id;
		int64_t	 us;
	}		 mo_times[MO_TIMES];	/* by inbox id % MO_TIMES */
	struct inbox_row *inbox_rows;

	struct ussd_req	*ussd;		/* ring of USSD_QUEUE */
	size_t		 ussd_head, ussd_n;
	struct event	*ussd_ev;

	int		 pending_added;	/* receipts kept since the last cap */

	int64_t		 queued;	/* the last queue depth counted */
	int64_t		 queued_at_us;	/* when, 0 never */

	struct event	*tick_ev;
	struct event	*pump_ev;	/* a pump on the next turn */
	struct event	*house_ev;
	struct event	*notify_ev;	/* PostgreSQL's LISTEN, or NULL */
	struct event	*inbox_ev;
	int		 stopping;
	void		(*stop_done)(void *);
	void		*stop_arg;
};

/*
 * gw_disp.c: sending, and what the other rooms call back into.
 */
/* Replies are held: claimed in a turn not on disk yet. */
#define DISP_REPLIES_WAIT(d)	((d)->replies_held || (d)->replies_syncing)
void		 disp_pump(struct disp *);
/* Write out what every session has queued. */
void		 disp_flush_all(struct disp *);
void		 disp_on_resp(void *, void *, unsigned, uint32_t,
		    const char *, int64_t);
void		 disp_bind_requeue(struct disp *, struct gbind *);
void		 disp_dmsg_free(struct dmsg *);
void		 disp_settings_from(struct disp *, const struct config *);
void		 disp_side_stop(struct gside *);
const char	*disp_log_phone(const char *, char *, size_t);
int		 disp_savepoint_again(struct disp *, int *lost);

/*
 * gw_binds.c: the binds.
 */
struct gbind	*disp_bind_new(struct disp *, const struct config *, int);
void		 disp_bind_start(struct gbind *);
void		 disp_bind_reset(struct gbind *, const char *);
void		 disp_bind_free(struct gbind *);
void		 disp_reap_retired(struct disp *);
/* Answer p with the turn's commit: ESME_DEFER. */
int		 disp_defer_answer(struct disp *, struct gside *,
		    const struct pdu *, uint64_t);
int		 disp_pending_cap(struct disp *);
void		 disp_receipts_log_flush(void);

/*
 * gw_mo.c: MO SMS.
 */
int		 disp_on_mo(struct disp *, struct gside *, const struct pdu *,
		    uint64_t);
void		 disp_inbox_cb(evutil_socket_t, short, void *);
/* Reassemblies past their time go in with their gaps: 0, or -1. */
int		 disp_mo_expire(struct disp *);
void		 disp_mo_log_flush(void);

/*
 * gw_ussd.c: USSD.
 */
int		 disp_ussd_queue(struct disp *, struct gside *,
		    const struct pdu *, const char *, const char *,
		    const struct smstext_mo *);
void		 disp_ussd_cb(evutil_socket_t, short, void *);
/* After a commit failed, and after one succeeded. */
void		 disp_ussd_undo(struct disp *);
void		 disp_ussd_committed(struct disp *);
/* A turn's transaction ended: its answers wait for the disk. */
void		 disp_ussd_committing(struct disp *);

#endif
