/*
 * gw_esme_priv: one SMPP session's state, shared by its two rooms:
 * gw_esme.c (the connection, the bind, the window of slots, the token
 * bucket, what is sent) and gw_esme_in.c (what the SMSC sends: responses,
 * deliver_sm, enquire_link, unbind). Only those two files include it;
 * everything else sees the opaque struct esme of gw_esme.h.
 */
#ifndef MUNI_GW_ESME_PRIV_H
#define MUNI_GW_ESME_PRIV_H

#include <stdint.h>

#include <event2/util.h>

#include "gw_esme.h"

struct bufferevent;
struct event;
struct evbuffer;
struct pdu;
struct timeval;
struct tls_client;

#define HASH_SIZE	4096		/* > 2 * ESME_WINDOW_MAX, power of 2 */

enum esme_state {
	ST_IDLE,		/* waiting to reconnect */
	ST_CONNECTING,
	ST_BINDING,
	ST_BOUND,
	ST_UNBINDING,
	ST_STOPPED,
};

/* One TCP connection; freed on a later loop turn, never in its callback. */
struct conn {
	struct conn	*next_dead;	/* closed, waiting to be freed */
	int		 fd;
	int		 dead;
	struct event	*rev;
	struct event	*wev;
	struct evbuffer	*in;
	struct evbuffer	*out;
	struct bufferevent *tls;	/* TLS: owns fd, NULL in plain text */
};

struct slot {
	struct esme	*e;
	struct event	*timer;
	uint32_t	 seq;		/* 0: free */
	unsigned	 tag;
	void		*ctx;
	int64_t		 sent_us;
	int		 next_free;
};

struct esme {
	struct event_base *base;
	struct esme_conf conf;
	struct esme_ops	 ops;
	void		*arg;
	enum esme_state	 state;
	struct conn	*conn;
	struct conn	*dead;		/* closed connections not freed yet */
	struct tls_client *tls;		/* conf.tls.on and its files loaded */
	/*
	 * Frees them on the next turn. Ours, not an event_base_once: that
	 * one would still fire after esme_free (a retired bind is freed
	 * while its last close waits) and find the esme gone.
	 */
	struct event	*dead_ev;
	uint64_t	 gen;		/* bumped per connection */
	uint32_t	 seq;
	uint32_t	 bind_seq;
	uint32_t	 enq_seq;	/* outstanding enquire_link, 0 none */
	uint32_t	 unbind_seq;

	struct slot	 slots[ESME_WINDOW_MAX];
	int		 free_head;
	int		 outstanding;
	int16_t		 hash[HASH_SIZE];	/* slot index + 1, 0 empty */
	const struct timeval *resp_tv;	/* common timeout */

	/* token bucket */
	double		 rate;
	double		 tokens;
	int64_t		 last_refill;
	int64_t		 last_cut;
	int64_t		 last_raise;

	long		 backoff_s;
	int64_t		 bound_ms;	/* when the session bound (mono) */
	struct event	*reconnect_ev;
	struct event	*bind_timer;	/* connect and bind deadline */
	struct event	*enq_ev;	/* every enquire_link_s */
	struct event	*enq_timer;	/* its response deadline */
	struct event	*room_ev;	/* tokens again */
	struct event	*stop_ev;	/* shutdown deadline */
	int		 delivers;	/* in the current read */
	uint64_t	 submits;
	int		 stopping;
	void		(*stop_done)(void *);
	void		*stop_arg;
};

/* gw_esme.c */
void		 esme_timer_ms(struct event *, int64_t ms);
void		 esme_timer_del(struct event *);
/* The slot waiting for seq, removed from the hash; NULL when none. */
struct slot	*esme_hash_take(struct esme *, uint32_t seq);
void		 esme_slot_release(struct esme *, struct slot *);
/* The SMSC said ESME_RTHROTTLED: halve the rate, once per burst. */
void		 esme_throttled(struct esme *);
/* Queue p on the connection: 0, or -1 (none, or it does not encode). */
int		 esme_conn_send(struct esme *, const struct pdu *);
void		 esme_send_unbind(struct esme *);

/* gw_esme_in.c */
/* What arrived in c->in, from the socket or out of TLS. */
void		 esme_conn_input(struct esme *, struct conn *, int eof);

#endif
