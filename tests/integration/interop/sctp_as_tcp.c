/*
 * sctp_as_tcp.c: an LD_PRELOAD shim for peer_osmo_msc.sh that turns the
 * SCTP sockets of an Osmocom program into TCP ones, for kernels built
 * without SCTP (socket() then fails with EPROTONOSUPPORT).
 *
 * osmo-msc 1.9 opens an SGs server (SCTP, port 29118) at start-up and exits
 * when it cannot; no configuration turns SGs off. The test needs none of
 * SGs, nor of the SS7 link (also SCTP) the shim lets fail to connect: only
 * the SMPP SMSC, which is TCP anyway. So the shim only has to let those
 * sockets exist: socket() with IPPROTO_SCTP becomes a TCP socket (a
 * SOCK_SEQPACKET one a stream), options at the SCTP level are accepted and
 * ignored, and libsctp's sctp_bindx()/sctp_connectx() (which work through
 * such options) bind or connect to their first address.
 *
 * Built by the test (cc -shared -fPIC), never installed, never linked into
 * muni.
 */

#define _GNU_SOURCE

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP	132
#endif
#define SOL_SCTP	132

/* The sctp_bindx() flag that adds addresses: the only use here. */
#define SCTP_BINDX_ADD_ADDR	1

int	socket(int, int, int);
int	setsockopt(int, int, int, const void *, socklen_t);
int	getsockopt(int, int, int, void *, socklen_t *);
int	sctp_bindx(int, struct sockaddr *, int, int);
int	sctp_connectx(int, struct sockaddr *, int, void *);

static void *
next_fn(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static socklen_t
sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

int
socket(int domain, int type, int protocol)
{
	int (*real)(int, int, int) = (int (*)(int, int, int))next_fn("socket");

	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (protocol == IPPROTO_SCTP &&
	    (domain == AF_INET || domain == AF_INET6)) {
		/* Keep SOCK_NONBLOCK and SOCK_CLOEXEC; the base type becomes a
		 * stream. */
		type = (type & (SOCK_NONBLOCK | SOCK_CLOEXEC)) | SOCK_STREAM;
		protocol = IPPROTO_TCP;
	}
	return real(domain, type, protocol);
}

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int (*real)(int, int, int, const void *, socklen_t) =
	    (int (*)(int, int, int, const void *, socklen_t))
	    next_fn("setsockopt");

	if (level == SOL_SCTP)
		return 0;
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real(fd, level, name, val, len);
}

int
getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int (*real)(int, int, int, void *, socklen_t *) =
	    (int (*)(int, int, int, void *, socklen_t *))
	    next_fn("getsockopt");

	if (level == SOL_SCTP) {
		/* An all-zero answer: no streams, no peer state to report. */
		if (val != NULL && len != NULL)
			memset(val, 0, *len);
		return 0;
	}
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real(fd, level, name, val, len);
}

int
sctp_bindx(int fd, struct sockaddr *addrs, int count, int flags)
{
	if (count < 1 || addrs == NULL || flags != SCTP_BINDX_ADD_ADDR) {
		errno = EINVAL;
		return -1;
	}
	return bind(fd, addrs, sa_len(addrs));
}

int
sctp_connectx(int fd, struct sockaddr *addrs, int count, void *id)
{
	(void)id;
	if (count < 1 || addrs == NULL) {
		errno = EINVAL;
		return -1;
	}
	return connect(fd, addrs, sa_len(addrs));
}
