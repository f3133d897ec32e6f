/*
 * tls: SMPP over TLS for the ESME, through libevent's OpenSSL
 * bufferevents (no hand-made record layer). The SSL_CTX is built once per
 * bind and setting (and again at SIGHUP, so renewed files are read); a
 * failed verification is an error of the handshake, which the caller
 * turns into a log line and a backoff: there is no path from here to a
 * plain-text connection.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>

#include "gw_tls.h"
#include "util.h"

struct tls_client {
	SSL_CTX		*ctx;
};

int
tls_conf_differs(const struct tls_conf *a, const struct tls_conf *b)
{
	return a->on != b->on || a->verify != b->verify ||
	    strcmp(a->ca_file, b->ca_file) != 0 ||
	    strcmp(a->cert_file, b->cert_file) != 0 ||
	    strcmp(a->key_file, b->key_file) != 0;
}

/* OpenSSL's last word on what failed, or what. */
static const char *
ssl_reason(char *buf, size_t size, const char *what)
{
	unsigned long	 err, last = 0;

	while ((err = ERR_get_error()) != 0)
		last = err;
	if (last == 0) {
		(void)util_snprintf(buf, size, "%s", what);
		return buf;
	}
	ERR_error_string_n(last, buf, size);
	return buf;
}

/* OpenSSL's word for a missing file is "system library": say it plainly. */
static int
readable(const char *key, const char *path, char *msg, size_t size)
{
	int	 fd;

	if (path[0] == '\0')
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		(void)util_snprintf(msg, size, "%s %s cannot be read: %s",
		    key, path, strerror(errno));
		return -1;
	}
	(void)close(fd);
	return 0;
}

/* An encrypted key would make OpenSSL ask on the terminal: refuse it. */
static int
no_passphrase(char *buf, int size, int rw, void *arg)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)arg;
	return -1;
}

struct tls_client *
tls_client_new(const struct tls_conf *tc, const char **errstr)
{
	static _Thread_local char msg[TLS_PATH_MAX + 256];
	struct tls_client *t;
	SSL_CTX		*ctx;
	char		 why[200];

	if (readable("tls_ca_file", tc->ca_file, msg, sizeof(msg)) == -1 ||
	    readable("tls_cert_file", tc->cert_file, msg, sizeof(msg)) == -1 ||
	    readable("tls_key_file", tc->key_file, msg, sizeof(msg)) == -1) {
		*errstr = msg;
		return NULL;
	}
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		(void)util_snprintf(msg, sizeof(msg), "TLS: %s",
		    ssl_reason(why, sizeof(why), "SSL_CTX_new failed"));
		*errstr = msg;
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		(void)util_snprintf(msg, sizeof(msg), "TLS: cannot require "
		    "TLS 1.2: %s", ssl_reason(why, sizeof(why), "?"));
		goto fail;
	}
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	if (tc->ca_file[0] != '\0') {
		if (SSL_CTX_load_verify_locations(ctx, tc->ca_file,
		    NULL) != 1) {
			(void)util_snprintf(msg, sizeof(msg), "tls_ca_file "
			    "%s: no CA certificate loads from it: %s",
			    tc->ca_file, ssl_reason(why, sizeof(why),
			    strerror(errno)));
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		(void)util_snprintf(msg, sizeof(msg), "TLS: the system's CA "
		    "store does not load: %s", ssl_reason(why, sizeof(why),
		    "?"));
		goto fail;
	}
	SSL_CTX_set_verify(ctx, tc->verify ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, NULL);
	if ((tc->cert_file[0] == '\0') != (tc->key_file[0] == '\0')) {
		(void)util_snprintf(msg, sizeof(msg), "tls_cert_file and "
		    "tls_key_file go together: set both or neither");
		goto fail;
	}
	if (tc->cert_file[0] != '\0') {
		if (SSL_CTX_use_certificate_chain_file(ctx,
		    tc->cert_file) != 1) {
			(void)util_snprintf(msg, sizeof(msg), "tls_cert_file "
			    "%s: %s", tc->cert_file, ssl_reason(why,
			    sizeof(why), "not a PEM certificate"));
			goto fail;
		}
		/* Loading it checks it against the certificate too. */
		if (SSL_CTX_use_PrivateKey_file(ctx, tc->key_file,
		    SSL_FILETYPE_PEM) != 1) {
			if (ERR_GET_REASON(ERR_peek_last_error()) ==
			    X509_R_KEY_VALUES_MISMATCH)
				(void)util_snprintf(msg, sizeof(msg),
				    "tls_key_file %s is not the key of "
				    "tls_cert_file %s", tc->key_file,
				    tc->cert_file);
			else
				(void)util_snprintf(msg, sizeof(msg),
				    "tls_key_file %s: %s (an unencrypted PEM "
				    "key is needed)", tc->key_file,
				    ssl_reason(why, sizeof(why),
				    "not a PEM key"));
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			(void)util_snprintf(msg, sizeof(msg), "tls_key_file "
			    "%s is not the key of tls_cert_file %s",
			    tc->key_file, tc->cert_file);
			goto fail;
		}
	}
	ERR_clear_error();
	t = xcalloc(1, sizeof(*t));
	t->ctx = ctx;
	return t;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	*errstr = msg;
	return NULL;
}

void
tls_client_free(struct tls_client *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

static int
is_address(const char *host)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;

	return inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
}

struct bufferevent *
tls_client_connect(struct tls_client *t, struct event_base *base, int fd,
    const char *host, const char **errstr)
{
	static _Thread_local char msg[256];
	struct bufferevent *bev;
	SSL		*ssl;
	char		 why[200];
	int		 ok;

	ERR_clear_error();
	if ((ssl = SSL_new(t->ctx)) == NULL) {
		(void)util_snprintf(msg, sizeof(msg), "TLS: %s",
		    ssl_reason(why, sizeof(why), "SSL_new failed"));
		*errstr = msg;
		return NULL;
	}
	/*
	 * The certificate must name host: an address is matched against
	 * the certificate's IP addresses, and (RFC 6066) never sent as SNI.
	 */
	if (is_address(host))
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
		    host) == 1;
	else
		ok = SSL_set_tlsext_host_name(ssl, host) == 1 &&
		    SSL_set1_host(ssl, host) == 1;
	if (!ok) {
		(void)util_snprintf(msg, sizeof(msg), "TLS: cannot check "
		    "the certificate against %s: %s", host, ssl_reason(why,
		    sizeof(why), "?"));
		SSL_free(ssl);
		*errstr = msg;
		return NULL;
	}
	/* On failure libevent has freed neither ssl nor fd. */
	if ((bev = bufferevent_openssl_socket_new(base, fd, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		SSL_free(ssl);
		*errstr = "TLS: bufferevent_openssl_socket_new failed";
		return NULL;
	}
	/* SMSCs that drop the TCP connection without close_notify are
	   common; that is an end of the session, not an attack on it. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

void
tls_error(struct bufferevent *bev, const char *host, char *buf, size_t size)
{
	SSL		*ssl = bufferevent_openssl_get_ssl(bev);
	unsigned long	 err, last = 0;
	long		 vr;
	char		 why[200];
	int		 serr = EVUTIL_SOCKET_ERROR();

	/*
	 * Newest first; libevent also queues SSL_get_error's small code,
	 * which names no reason: the first real one is the most specific.
	 */
	while ((err = bufferevent_get_openssl_error(bev)) != 0)
		if (last == 0 && ERR_GET_LIB(err) != 0)
			last = err;
	vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	if (vr != X509_V_OK) {
		(void)util_snprintf(buf, size, "TLS: the certificate of %s "
		    "does not verify: %s", host,
		    X509_verify_cert_error_string(vr));
		return;
	}
	if (last != 0) {
		ERR_error_string_n(last, why, sizeof(why));
		(void)util_snprintf(buf, size, "TLS with %s failed: %s",
		    host, why);
		return;
	}
	/* errno may be a leftover EAGAIN from the loop: not a reason. */
	(void)util_snprintf(buf, size, "TLS with %s failed: %s", host,
	    serr != 0 && serr != EAGAIN && serr != EINPROGRESS ?
	    strerror(serr) : "the connection was closed");
}

void
tls_describe(struct bufferevent *bev, char *buf, size_t size)
{
	SSL	*ssl = bufferevent_openssl_get_ssl(bev);

	if (ssl == NULL) {
		(void)util_snprintf(buf, size, "?");
		return;
	}
	(void)util_snprintf(buf, size, "%s %s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl));
}

const char *
tls_unverified(struct bufferevent *bev)
{
	SSL	*ssl = bufferevent_openssl_get_ssl(bev);
	long	 vr;

	if (ssl == NULL)
		return "no session";
	if (SSL_get0_peer_certificate(ssl) == NULL)
		return "no certificate";
	if ((vr = SSL_get_verify_result(ssl)) == X509_V_OK)
		return NULL;
	return X509_verify_cert_error_string(vr);
}
