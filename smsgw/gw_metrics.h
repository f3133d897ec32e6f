/*
 * metrics: what muni-smsgw counts, in the Prometheus text format for GET
 * /metrics. One process, one set of counters: module state, no handle.
 */
#ifndef MUNI_GW_METRICS_H
#define MUNI_GW_METRICS_H

#include <stdint.h>

struct evbuffer;

#define METRICS_BINDS_MAX	16

/* One bind's figures, labelled bind="name". */
struct metrics_bind {
	char	 name[32];
	int	 up;		/* it can send */
	int	 rx_up;		/* its receiver (pair mode), -1 none */
	int64_t	 inflight;
	int64_t	 tps_limit;
	uint64_t submits;
};

/* Values read at scrape time from the modules that own them. */
struct metrics_gauges {
	int64_t	 queued;	/* outbox rows queued, -1 unknown */
	int64_t	 inflight;	/* submit_sm awaiting a response, all binds */
	int64_t	 binds_up;
	int64_t	 tps_limit;	/* the binds' current rates, summed */
	int64_t	 messages;	/* messages the gateway holds */
	uint64_t commits;	/* group commits */
	int	 nbinds;
	struct metrics_bind bind[METRICS_BINDS_MAX];
};

void	 metrics_submit(void);
/* A submit_sm's outcome: command_status (or OUTBOX_STATUS_*), latency. */
void	 metrics_response(uint32_t status, int64_t latency_us);
/* A receipt by its outbox state name ("delivered", …, "ambiguous"). */
void	 metrics_receipt(const char *state);
void	 metrics_receipt_pending(void);
/* A submit_sm_resp id an open message of the receipt group already has. */
void	 metrics_msgid_reused(void);
void	 metrics_mo(const char *kind);
/* An MO PDU refused on its own (the batch went on), by reason. */
void	 metrics_mo_refused(const char *reason);
/* MO received to reply stored, for answered MO. */
void	 metrics_mo_reply(int64_t latency_us);
/* Final outcomes the gateway wrote: "accepted", "rejected", … */
void	 metrics_outcome(const char *what, uint64_t n);
void	 metrics_link(const char *event);
/* One group commit: how long it took and how many answers it carried. */
void	 metrics_commit(int64_t latency_us, uint64_t answers);

/* HTTP trouble: "unauthorized", "cut_deadline", "cut_cap", … */
void	 metrics_http(const char *event);
/* HTTP connections open now. */
void	 metrics_http_connections(int64_t n);

/* Append the whole exposition to out. 0 or -1. */
int	 metrics_format(struct evbuffer *out, const struct metrics_gauges *);

#endif
