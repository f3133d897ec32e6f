/*
 * test_esme: the SMPP session's life cycle against a real listening
 * socket, without an SMSC behind it. Regression (a bug once, found by the
 * sanitizer build of gateway_binds): a closed connection was freed by an
 * event_base_once holding the esme, so a bind retired and freed before
 * that turn came (SIGHUP removing it) was read after free by the loop.
 * Under SANITIZE=1 the old code fails this test with heap-use-after-free.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "gw_esme.h"
#include "log.h"
#include "pdu.h"

static void	 nop(void *arg) { (void)arg; }

static void
resp(void *arg, void *ctx, unsigned tag, uint32_t status, const char *msgid,
    int64_t latency_us)
{
	(void)arg; (void)ctx; (void)tag; (void)status; (void)msgid;
	(void)latency_us;
}

static int
deliver(void *arg, const struct pdu *p, uint64_t gen)
{
	(void)arg; (void)p; (void)gen;
	return 0;
}

static void
read_end(void *arg, int delivers)
{
	(void)arg; (void)delivers;
}

static const struct esme_ops ops = {
	.up = nop, .down = nop, .room = nop, .resp = resp,
	.deliver = deliver, .read_end = read_end,
};

/* A listening socket on 127.0.0.1; its port in *port. */
static int
listener(int *port)
{
	struct sockaddr_in sin;
	socklen_t	 len = sizeof(sin);
	int		 fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
test_free_after_close_in_the_same_turn(void **state)
{
	struct event_base *base;
	struct esme_conf c;
	struct esme	*e;
	int		 lfd, port, afd = -1, i;

	(void)state;
	lfd = listener(&port);
	assert_non_null(base = event_base_new());
	memset(&c, 0, sizeof(c));
	(void)snprintf(c.name, sizeof(c.name), "t");
	(void)snprintf(c.host, sizeof(c.host), "127.0.0.1");
	c.port = port;
	(void)snprintf(c.system_id, sizeof(c.system_id), "muni");
	c.window = 10;
	c.max_tps = 100;
	c.enquire_link_s = 30;
	c.reconnect_min_s = 1;
	c.reconnect_max_s = 2;
	c.response_timeout_s = 2;
	c.mode = ESME_TRX;
	assert_non_null(e = esme_new(base, &c, &ops, NULL));
	esme_start(e);
	/* Turns until the connection reaches the listener. */
	for (i = 0; i < 100 && afd == -1; i++) {
		assert_true(event_base_loop(base, EVLOOP_NONBLOCK) != -1);
		afd = accept(lfd, NULL, NULL);
		if (afd == -1)
			(void)usleep(1000);
	}
	assert_true(afd != -1);
	/* Closed, and freed before the loop turns again. */
	esme_reset(e, "test");
	esme_free(e);
	assert_true(event_base_loop(base, EVLOOP_NONBLOCK) != -1);
	event_base_free(base);
	close(afd);
	close(lfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_after_close_in_the_same_turn),
	};

	log_init("test_esme", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
