/*
 * tls: the client side of SMPP over TLS, the one place the gateway touches
 * OpenSSL. A tls_client is what a bind's [smsc] TLS keys say (the CA
 * store, whether to verify, the client certificate), loaded once; each
 * connection then gets a libevent OpenSSL bufferevent over a connected
 * socket, with SNI and the server name or address checked against host.
 * TLS 1.2 is the least accepted.
 */
#ifndef MUNI_GW_TLS_H
#define MUNI_GW_TLS_H

#include <stddef.h>

struct bufferevent;
struct event_base;
struct tls_client;

#define TLS_PATH_MAX	4097

struct tls_conf {
	int	 on;
	int	 verify;			/* check the server's certificate */
	char	 ca_file[TLS_PATH_MAX];		/* "": the system store */
	char	 cert_file[TLS_PATH_MAX];	/* "": no client certificate */
	char	 key_file[TLS_PATH_MAX];
};

/* Whether two settings need a new connection. */
int		 tls_conf_differs(const struct tls_conf *,
		    const struct tls_conf *);

/*
 * Read the CA store, the certificate and its key. NULL with *errstr
 * (static text naming the key and file) when one cannot be used.
 */
struct tls_client *tls_client_new(const struct tls_conf *,
		    const char **errstr);
void		 tls_client_free(struct tls_client *);

/*
 * A bufferevent that starts the handshake on fd (connected, non-blocking)
 * to host, and closes fd when freed. NULL with *errstr.
 */
struct bufferevent *tls_client_connect(struct tls_client *,
		    struct event_base *, int fd, const char *host,
		    const char **errstr);

/* Why the handshake or the session failed, for the log. */
void		 tls_error(struct bufferevent *, const char *host, char *buf,
		    size_t size);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for the log. */
void		 tls_describe(struct bufferevent *, char *buf, size_t size);
/*
 * The verification result when the handshake went on without one
 * (tls_verify = no): NULL when the certificate would have verified.
 */
const char	*tls_unverified(struct bufferevent *);

#endif
