/*
 * fuzz_http_body: the HTTP API's JSON bodies (gw_apibody) on arbitrary
 * bytes. Every input is refused with a code and a reason, or accepted with
 * fields that keep their promises: a phone in E.164, a non-empty UTF-8 text
 * within the outbox's limit, a validity in range, a send time ahead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gw_apibody.h"
#include "log.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW	1781514000	/* 2026-06-15 */

static void
check_error(const struct apibody_error *e)
{
	if (e->code == NULL || e->code[0] == '\0' || e->reason[0] == '\0')
		abort();
}

static void
check_text(const char *t)
{
	size_t	 n = strlen(t);

	if (n == 0 || n > OUTBOX_TEXT_MAX || !util_utf8_valid(t, n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 once;
	struct apibody_message	 m;
	struct apibody_broadcast b;
	struct apibody_error	 e;
	const char		*body = (const char *)data;

	if (!once) {
		log_init("fuzz_http_body", 0);
		log_set_level(LOG_LEVEL_FATAL);
		clock_set_fake(NOW);
		once = 1;
	}
	memset(&e, 0, sizeof(e));
	if (apibody_message(body, size, &m, &e) == -1)
		check_error(&e);
	else {
		if (m.phone[0] != '+' || strlen(m.phone) < 8 ||
		    m.validity_s < 0 || m.validity_s > OUTBOX_VALIDITY_MAX)
			abort();
		check_text(m.text);
	}
	memset(&e, 0, sizeof(e));
	if (apibody_broadcast(body, size, NOW, &b, &e) == -1)
		check_error(&e);
	else {
		if (b.group[0] == '\0' || (b.at != 0 && (b.at < NOW ||
		    b.at > NOW + BROADCAST_AHEAD_MAX + 86400)) ||
		    (b.emergency != 0 && b.emergency != 1))
			abort();
		check_text(b.text);
	}
	return 0;
}
