/*
 * ctl_report: munictl report — usage and delivery figures as key=value
 * lines, all time and for the last 24 hours, and the resident card's.
 */
#include <stdio.h>
#include <time.h>

#include "card.h"
#include "clock.h"
#include "ctl.h"
#include "stats.h"
#include "store.h"
#include "util.h"

/*
 * Several gateways on one PostgreSQL database: each node's messages, one
 * line a node ([smsgw] node). SQLite has one gateway and no such lines.
 */
static int
report_nodes(struct store *s)
{
	struct store_cur *c;
	int		 rc;

	if (store_dialect(s) != STORE_POSTGRES)
		return 0;
	c = store_cur(s, ST_OUTBOX_NODE_STATS);
	if (store_bind(c, "t", clock_now() - 86400) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW)
		printf("node=%s inflight=%lld sent=%lld sent_24h=%lld\n",
		    store_str(c, 0), (long long)store_i64(c, 1),
		    (long long)store_i64(c, 2), (long long)store_i64(c, 3));
	store_reset(c);
	if (rc < 0) {
		fprintf(stderr, "munictl report: %s\n", store_errmsg(s));
		return -1;
	}
	return 0;
}

int
ctl_report_usage(struct ctl *ctl, int argc, char **argv)
{
	struct stats	 x;
	struct card_report cr;
	struct store	*s;
	char		 owed[32];
	int64_t		 sent = 0, done = 0;
	int		 i;

	(void)argv;
	if (argc != 1)
		return ctl_usage("report");
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (stats_collect(s, clock_now() - 86400, &x) == -1) {
		fprintf(stderr, "munictl report: %s\n", store_errmsg(s));
		return 1;
	}
	util_format_cents(x.owed_cents, owed, sizeof(owed));
	printf("residents=%lld with_mobile=%lld queue_active=%lld\n",
	    (long long)x.residents, (long long)x.with_mobile,
	    (long long)x.queue_active);
	printf("fees_unpaid=%lld owed=%s reports=%lld broadcasts=%lld\n",
	    (long long)x.fees_unpaid, owed, (long long)x.reports,
	    (long long)x.broadcasts);
	printf("mo_total=%lld mo_24h=%lld\n", (long long)x.inbox_total,
	    (long long)x.inbox_since);
	for (i = 0; i < STATS_STATES; i++) {
		printf("%s=%lld\n", stats_state_name(i),
		    (long long)x.outbox_total[i]);
		sent += x.outbox_total[i];
	}
	/* Delivered of those that reached a final state at the SMSC. */
	done = x.outbox_total[3] + x.outbox_total[4] + x.outbox_total[5] +
	    x.outbox_total[6];
	printf("messages=%lld delivery_rate=%.3f\n", (long long)sent,
	    done > 0 ? (double)x.outbox_total[3] / (double)done : 0.0);
	for (i = 0; i < STATS_STATES; i++)
		printf("%s_24h=%lld\n", stats_state_name(i),
		    (long long)x.outbox_since[i]);
	/* The resident card: partner merchants and the checks they made. */
	if (card_report(s, clock_now() - 86400, &cr) == -1) {
		fprintf(stderr, "munictl report: %s\n", store_errmsg(s));
		return 1;
	}
	printf("merchants=%lld offers=%lld card_checks=%lld card_valid=%lld "
	    "card_checks_24h=%lld\n", (long long)cr.merchants,
	    (long long)cr.offers, (long long)cr.checks, (long long)cr.valid,
	    (long long)cr.checks_since);
	return report_nodes(s) == -1 ? 1 : 0;
}
