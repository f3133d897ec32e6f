/*
 * cbpost: the gateway's callback poster (issue 23). A worker thread with
 * a store connection of its own claims due rows of common/callback's
 * queue, posts each to its [http.callback.NAME] url with libcurl, signed,
 * and settles it. It shares nothing with the event loop but the database
 * file: a slow or hanging receiver holds up this thread alone, never SMPP.
 */
#ifndef MUNI_GW_CALLBACK_H
#define MUNI_GW_CALLBACK_H

#include <stddef.h>
#include <time.h>

struct config;
struct store;
struct cbpost;

/* 64 hex digits of HMAC-SHA256 and a NUL. */
#define CBPOST_SIG_SIZE	65

/*
 * Read every callback's secret and make the store queue events for
 * exactly the configured callbacks (through s, the gateway's connection).
 * NULL with *errstr when a secret cannot be read; a configuration
 * without callbacks gives a poster that does nothing.
 */
struct cbpost	*cbpost_new(struct store *s, const struct config *cfg,
		    const char **errstr);
/* Start the thread (on a connection of its own). 0 or -1. */
int		 cbpost_start(struct cbpost *);
/* 1 when a and b have the same callbacks: they change only with a restart. */
int		 cbpost_config_same(const struct config *a,
		    const struct config *b);
/* Stop the thread (a post under way is cut short and goes again later). */
void		 cbpost_free(struct cbpost *);

/*
 * The signature of a post: hex HMAC-SHA256 under secret of the decimal
 * timestamp, a '.', and the body. 0 or -1.
 */
int		 cbpost_sign(const char *secret, time_t ts, const char *body,
		    size_t len, char out[CBPOST_SIG_SIZE]);

#endif
