/*
 * esme: one SMPP 3.4 bind to an SMSC, as the ESME: connect, bind as a
 * transceiver (or as one half of a transmitter+receiver pair), a window of outstanding submit_sm with one response timer
 * each, a token bucket that slows down when the SMSC throttles and speeds
 * up again, enquire_link, and reconnects with exponential backoff and
 * jitter. PDUs are smsgw/pdu's; what the messages mean is the caller's.
 */
#ifndef MUNI_GW_ESME_H
#define MUNI_GW_ESME_H

#include <stdint.h>

#include "gw_tls.h"

struct event_base;
struct pdu;
struct esme;

#define ESME_WINDOW_MAX		1000
/* Outcomes of a submit that never got a command_status. */
#define ESME_STATUS_TIMEOUT	0x10000	/* no response in time */
#define ESME_STATUS_LINK	0x10001	/* the link went down first */
/* From ops.deliver: the answer follows later through esme_respond. */
#define ESME_DEFER		(-1)

/* How the session binds: both ways, or one half of a pair. */
enum esme_mode {
	ESME_TRX,		/* bind_transceiver */
	ESME_TX,		/* bind_transmitter: submits only */
	ESME_RX,		/* bind_receiver: deliver_sm only */
};

struct esme_conf {
	char	 name[32];		/* for logs and the outbox's bind */
	char	 host[256];
	int	 port;
	char	 system_id[16];
	char	 password[9];
	char	 system_type[13];
	int	 window;		/* 1..ESME_WINDOW_MAX */
	int	 max_tps;
	int	 enquire_link_s;
	int	 reconnect_min_s;
	int	 reconnect_max_s;
	/* A session up this long resets the backoff; a shorter one not. */
	int	 reconnect_stable_s;
	int	 response_timeout_s;
	enum esme_mode mode;
	struct tls_conf tls;		/* tls.on: the whole link over TLS */
};

struct esme_ops {
	/* The bind is up / went down (every outstanding submit was
	   reported first, with ESME_STATUS_LINK). */
	void	(*up)(void *arg);
	void	(*down)(void *arg);
	/* A bind got no answer (ESME_STATUS_TIMEOUT) or was refused with
	   status; the session is idle, waiting to reconnect. May be NULL. */
	void	(*bind_failed)(void *arg, uint32_t status);
	/* The window or the rate has room for more submits. */
	void	(*room)(void *arg);
	/* A submit's outcome; msgid is "" unless status is 0. */
	void	(*resp)(void *arg, void *ctx, unsigned tag, uint32_t status,
		    const char *msgid, int64_t latency_us);
	/* A deliver_sm or data_sm: the status to answer now, or ESME_DEFER
	   and esme_respond with gen later. */
	int	(*deliver)(void *arg, const struct pdu *, uint64_t gen);
	/* One read from the SMSC was handled; delivers: deliver_sm and
	   data_sm among its PDUs. */
	void	(*read_end)(void *arg, int delivers);
};

struct esme	*esme_new(struct event_base *, const struct esme_conf *,
		    const struct esme_ops *, void *arg);
/* Not from inside one of its own callbacks. */
void		 esme_free(struct esme *);
/* Log the count of rate-limited lines whose interval is over. */
void		 esme_log_flush(void);
/* Connect now (and keep reconnecting). */
void		 esme_start(struct esme *);
/*
 * New settings (SIGHUP). A changed address, credentials or TLS setting
 * rebind; the window, rate and timers change in place; the TLS files are
 * read again. Returns 1 when it rebinds.
 */
int		 esme_reconfigure(struct esme *, const struct esme_conf *);

int		 esme_is_up(const struct esme *);
/* Submits that may go now: the window's free slots and the tokens. */
int		 esme_room(struct esme *);
/* The sequence number the next submit will get. */
uint32_t	 esme_seq_peek(const struct esme *);
/*
 * Send submit_sm p (its seq is set here); ctx and tag come back with the
 * outcome. -1 with *errstr when there is no room or p cannot be encoded.
 */
int		 esme_submit(struct esme *, struct pdu *p, void *ctx,
		    unsigned tag, const char **errstr);
/* Answer a deferred deliver_sm/data_sm (cmd is the request's). */
void		 esme_respond(struct esme *, uint64_t gen, uint32_t cmd,
		    uint32_t seq, uint32_t status);
/* Write what is queued now rather than on the next loop turn. */
void		 esme_flush(struct esme *);
/* Drop the link (outstanding submits fail with ESME_STATUS_LINK). */
void		 esme_reset(struct esme *, const char *why);
/*
 * Take no more submits, wait for the outstanding ones up to wait_ms,
 * unbind and stay down; done(arg) when the link is closed.
 */
void		 esme_stop(struct esme *, int wait_ms, void (*done)(void *),
		    void *arg);

int		 esme_outstanding(const struct esme *);
int		 esme_window(const struct esme *);
/* submit_sm sent on this bind since it was made. */
uint64_t	 esme_submits(const struct esme *);
/* The current submit rate limit (lower than max_tps after throttling). */
int		 esme_tps(const struct esme *);
const char	*esme_name(const struct esme *);

#endif
