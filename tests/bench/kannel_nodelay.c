/*
 * kannel_nodelay: an LD_PRELOAD shim for the Kannel bench (kannel.sh). It
 * sets TCP_NODELAY on every TCP socket the process connects, as muni's
 * gateway and the simulator set on theirs. Kannel 1.4.5 has the call
 * (gwlib's socket_set_nodelay) but never makes it, so bearerbox's SMPP
 * writes meet Nagle's algorithm: a deliver_sm_resp or submit_sm written
 * while an earlier segment is unacknowledged waits for the peer's delayed
 * ACK (up to 40 ms on Linux), and at window 10 every round waited so.
 * The bench measures Kannel with it, so the comparison is of the
 * gateways, not of one socket option.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dlfcn.h>
#include <stddef.h>

int	connect(int, const struct sockaddr *, socklen_t);

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int	(*real)(int, const struct sockaddr *, socklen_t);
	int		 one = 1;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "connect");
	if (real == NULL)
		return -1;
	/* Not a TCP socket (a Unix one): the option fails, harmlessly. */
	if (sa != NULL && (sa->sa_family == AF_INET ||
	    sa->sa_family == AF_INET6))
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	return real(fd, sa, len);
}
