/*
 * disp: the gateway's dispatcher. Outbox rows become submit_sm on the
 * bind and their outcomes go back to the outbox; deliver_sm become
 * receipts (outbox parts) or MO rows in the inbox, answered only once
 * committed; MO SMS go to the keyword services, whose replies go into the
 * outbox like every other message; USSD goes to the menu, answered on the
 * bind at once.
 */
#ifndef MUNI_GW_DISP_H
#define MUNI_GW_DISP_H

struct config;
struct event_base;
struct metrics_gauges;
struct store;
struct disp;

/*
 * Over an open store; cfg stays the caller's and must live until
 * disp_reload replaces it or disp_free. Fatal on a bad configuration.
 */
struct disp	*disp_new(struct event_base *, struct store *,
		    const struct config *cfg);
void		 disp_free(struct disp *);
/* Requeue what a crash left inflight, then connect and send. */
void		 disp_start(struct disp *);
/*
 * Take a new configuration (SIGHUP). -1 with *errstr when it cannot be
 * used (the old one stays); changed binds rebind.
 */
int		 disp_reload(struct disp *, const struct config *cfg,
		    const char **errstr);
/*
 * Stop taking work, wait up to 5 s for outstanding responses, unbind,
 * commit; then done(arg).
 */
void		 disp_stop(struct disp *, void (*done)(void *), void *arg);
/* 1 while a bind is up (GET /health). */
int		 disp_up(const struct disp *);
void		 disp_gauges(struct disp *, struct metrics_gauges *);

/*
 * Commit the turn's open group commit now, so that other work (the HTTP
 * API, the reminders) can run and commit transactions of its own on the
 * same store handle. 0, or -1 when that commit failed.
 */
int		 disp_flush(struct disp *);
/* Rows were queued through this handle: look at the outbox again. */
void		 disp_wake(struct disp *);

/* Check what disp_new would refuse in cfg: -1 with *errstr. */
int		 disp_check_config(const struct config *, const char **errstr);

#endif
