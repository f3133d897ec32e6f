/*
 * metrics: counters and histograms kept in fixed tables, so counting on
 * the hot path never allocates; the text is made only when scraped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "gw_metrics.h"
#include "log.h"
#include "outbox.h"
#include "util.h"

#define NAMED_MAX	32

/* Upper bounds of latency buckets, in microseconds; +Inf follows. */
static const int64_t bucket_us[] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 2500000, 5000000, 10000000,
};
#define NBUCKETS	nitems(bucket_us)

struct histo {
	uint64_t	 b[NBUCKETS + 1];
	uint64_t	 count;
	double		 sum_s;
};

struct named {
	char		 name[24];
	uint64_t	 n;
};

static struct {
	uint64_t	 submits;
	struct {
		uint32_t	 status;
		uint64_t	 n;
	}		 resp[NAMED_MAX];
	size_t		 nresp;
	uint64_t	 resp_other;
	struct named	 receipts[NAMED_MAX];
	struct named	 mo[NAMED_MAX];
	struct named	 mo_refused[NAMED_MAX];
	struct named	 outcomes[NAMED_MAX];
	struct named	 links[NAMED_MAX];
	uint64_t	 receipts_pending;
	uint64_t	 msgid_reused;
	struct histo	 latency;
	struct histo	 mo_reply;
	struct histo	 commit;
	uint64_t	 commit_answers;
	struct named	 http[NAMED_MAX];
	int64_t		 http_conns;
} m;

static void
histo_add(struct histo *h, int64_t us)
{
	size_t	 i;

	for (i = 0; i < NBUCKETS && us > bucket_us[i]; i++)
		;
	h->b[i]++;
	h->count++;
	h->sum_s += (double)us / 1e6;
}

static void
named_add(struct named *t, const char *name, uint64_t n)
{
	size_t	 i;

	for (i = 0; i < NAMED_MAX; i++) {
		if (t[i].name[0] == '\0') {
			(void)util_strlcpy(t[i].name, name, sizeof(t[i].name));
			t[i].n = n;
			return;
		}
		if (strcmp(t[i].name, name) == 0) {
			t[i].n += n;
			return;
		}
	}
	/* The names come from the code, never from a peer: 32 suffice. */
}

void
metrics_submit(void)
{
	m.submits++;
}

void
metrics_response(uint32_t status, int64_t latency_us)
{
	size_t	 i;

	for (i = 0; i < m.nresp; i++)
		if (m.resp[i].status == status)
			break;
	if (i == m.nresp && m.nresp < NAMED_MAX) {
		m.resp[i].status = status;
		m.resp[i].n = 0;
		m.nresp++;
	}
	if (i < m.nresp)
		m.resp[i].n++;
	else
		m.resp_other++;
	if (latency_us >= 0)
		histo_add(&m.latency, latency_us);
}

void
metrics_receipt(const char *state)
{
	named_add(m.receipts, state, 1);
}

void
metrics_receipt_pending(void)
{
	m.receipts_pending++;
}

void
metrics_msgid_reused(void)
{
	m.msgid_reused++;
}

void
metrics_mo(const char *kind)
{
	named_add(m.mo, kind, 1);
}

void
metrics_mo_refused(const char *reason)
{
	named_add(m.mo_refused, reason, 1);
}

void
metrics_mo_reply(int64_t latency_us)
{
	histo_add(&m.mo_reply, latency_us);
}

void
metrics_outcome(const char *what, uint64_t n)
{
	named_add(m.outcomes, what, n);
}

void
metrics_link(const char *event)
{
	named_add(m.links, event, 1);
}

void
metrics_commit(int64_t latency_us, uint64_t answers)
{
	histo_add(&m.commit, latency_us);
	m.commit_answers += answers;
}

static int
out(struct evbuffer *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
out(struct evbuffer *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = evbuffer_add_vprintf(b, fmt, ap);
	va_end(ap);
	return r < 0 ? -1 : 0;
}

static int
named_out(struct evbuffer *b, const char *metric, const char *label,
    const struct named *t, const char *help)
{
	size_t	 i;

	if (out(b, "# HELP %s %s\n# TYPE %s counter\n", metric, help,
	    metric) == -1)
		return -1;
	for (i = 0; i < NAMED_MAX && t[i].name[0] != '\0'; i++)
		if (out(b, "%s{%s=\"%s\"} %llu\n", metric, label, t[i].name,
		    (unsigned long long)t[i].n) == -1)
			return -1;
	return 0;
}

static int
histo_out(struct evbuffer *b, const char *metric, const struct histo *h,
    const char *help)
{
	uint64_t	 cum = 0;
	size_t		 i;

	if (out(b, "# HELP %s %s\n# TYPE %s histogram\n", metric, help,
	    metric) == -1)
		return -1;
	for (i = 0; i < NBUCKETS; i++) {
		cum += h->b[i];
		if (out(b, "%s_bucket{le=\"%g\"} %llu\n", metric,
		    (double)bucket_us[i] / 1e6, (unsigned long long)cum) == -1)
			return -1;
	}
	cum += h->b[NBUCKETS];
	return out(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
	    "%s_count %llu\n", metric, (unsigned long long)cum, metric,
	    h->sum_s, metric, (unsigned long long)h->count);
}

void
metrics_http(const char *event)
{
	named_add(m.http, event, 1);
}

void
metrics_http_connections(int64_t n)
{
	m.http_conns = n;
}

int
metrics_format(struct evbuffer *b, const struct metrics_gauges *g)
{
	size_t	 i;

	/*
	 * Which gateway this is, where several share a database: a label to
	 * join the figures below on, which are all this node's own.
	 */
	if (out(b, "# HELP muni_smsgw_node_info This gateway's node name "
	    "([smsgw] node).\n"
	    "# TYPE muni_smsgw_node_info gauge\n"
	    "muni_smsgw_node_info{node=\"%s\"} 1\n", outbox_node()) == -1)
		return -1;
	if (out(b, "# HELP muni_smsgw_submits_total submit_sm sent.\n"
	    "# TYPE muni_smsgw_submits_total counter\n"
	    "muni_smsgw_submits_total %llu\n",
	    (unsigned long long)m.submits) == -1)
		return -1;
	if (out(b, "# HELP muni_smsgw_responses_total submit_sm outcomes "
	    "by command_status (0x10000 no response, 0x10001 link lost).\n"
	    "# TYPE muni_smsgw_responses_total counter\n") == -1)
		return -1;
	for (i = 0; i < m.nresp; i++)
		if (out(b, "muni_smsgw_responses_total{status=\"0x%02x\"} "
		    "%llu\n", m.resp[i].status,
		    (unsigned long long)m.resp[i].n) == -1)
			return -1;
	if (m.resp_other > 0 && out(b, "muni_smsgw_responses_total"
	    "{status=\"other\"} %llu\n",
	    (unsigned long long)m.resp_other) == -1)
		return -1;
	if (named_out(b, "muni_smsgw_receipts_total", "state", m.receipts,
	    "Final delivery receipts by state.") == -1 ||
	    out(b, "# HELP muni_smsgw_receipts_early_total Receipts kept "
	    "until their submit_sm_resp was stored.\n"
	    "# TYPE muni_smsgw_receipts_early_total counter\n"
	    "muni_smsgw_receipts_early_total %llu\n",
	    (unsigned long long)m.receipts_pending) == -1 ||
	    out(b, "# HELP muni_smsgw_msgid_reused_total submit_sm_resp ids "
	    "that an open message of the receipt group already had.\n"
	    "# TYPE muni_smsgw_msgid_reused_total counter\n"
	    "muni_smsgw_msgid_reused_total %llu\n",
	    (unsigned long long)m.msgid_reused) == -1 ||
	    named_out(b, "muni_smsgw_mo_total", "kind", m.mo,
	    "MO messages stored, by kind.") == -1 ||
	    named_out(b, "muni_smsgw_mo_refused_total", "reason", m.mo_refused,
	    "MO PDUs refused on their own, by reason.") == -1 ||
	    named_out(b, "muni_smsgw_outcomes_total", "outcome", m.outcomes,
	    "What the gateway wrote to the outbox.") == -1 ||
	    named_out(b, "muni_smsgw_link_events_total", "event", m.links,
	    "Bind and link events.") == -1)
		return -1;
	if (out(b, "# HELP muni_smsgw_queue_depth Outbox rows queued.\n"
	    "# TYPE muni_smsgw_queue_depth gauge\n"
	    "muni_smsgw_queue_depth %lld\n"
	    "# HELP muni_smsgw_inflight submit_sm awaiting a response.\n"
	    "# TYPE muni_smsgw_inflight gauge\n"
	    "muni_smsgw_inflight %lld\n"
	    "# HELP muni_smsgw_messages Messages the gateway is sending.\n"
	    "# TYPE muni_smsgw_messages gauge\n"
	    "muni_smsgw_messages %lld\n"
	    "# HELP muni_smsgw_binds_up Binds up.\n"
	    "# TYPE muni_smsgw_binds_up gauge\n"
	    "muni_smsgw_binds_up %lld\n"
	    "# HELP muni_smsgw_tps_limit The binds' current submit rates, "
	    "summed.\n"
	    "# TYPE muni_smsgw_tps_limit gauge\n"
	    "muni_smsgw_tps_limit %lld\n"
	    "# HELP muni_smsgw_commits_total Group commits.\n"
	    "# TYPE muni_smsgw_commits_total counter\n"
	    "muni_smsgw_commits_total %llu\n",
	    (long long)g->queued, (long long)g->inflight,
	    (long long)g->messages, (long long)g->binds_up,
	    (long long)g->tps_limit, (unsigned long long)g->commits) == -1)
		return -1;
	if (out(b, "# HELP muni_smsgw_bind_up 1 while the bind can send.\n"
	    "# TYPE muni_smsgw_bind_up gauge\n") == -1)
		return -1;
	for (i = 0; i < (size_t)g->nbinds; i++)
		if (out(b, "muni_smsgw_bind_up{bind=\"%s\"} %d\n",
		    g->bind[i].name, g->bind[i].up) == -1)
			return -1;
	if (out(b, "# HELP muni_smsgw_bind_receiver_up 1 while the receiver "
	    "of a transmitter+receiver pair is bound.\n"
	    "# TYPE muni_smsgw_bind_receiver_up gauge\n") == -1)
		return -1;
	for (i = 0; i < (size_t)g->nbinds; i++)
		if (g->bind[i].rx_up >= 0 && out(b, "muni_smsgw_bind_receiver_up"
		    "{bind=\"%s\"} %d\n", g->bind[i].name,
		    g->bind[i].rx_up) == -1)
			return -1;
	if (out(b, "# HELP muni_smsgw_bind_inflight submit_sm awaiting a "
	    "response, per bind.\n"
	    "# TYPE muni_smsgw_bind_inflight gauge\n") == -1)
		return -1;
	for (i = 0; i < (size_t)g->nbinds; i++)
		if (out(b, "muni_smsgw_bind_inflight{bind=\"%s\"} %lld\n",
		    g->bind[i].name, (long long)g->bind[i].inflight) == -1)
			return -1;
	if (out(b, "# HELP muni_smsgw_bind_tps_limit The bind's current "
	    "submit rate.\n"
	    "# TYPE muni_smsgw_bind_tps_limit gauge\n") == -1)
		return -1;
	for (i = 0; i < (size_t)g->nbinds; i++)
		if (out(b, "muni_smsgw_bind_tps_limit{bind=\"%s\"} %lld\n",
		    g->bind[i].name, (long long)g->bind[i].tps_limit) == -1)
			return -1;
	if (out(b, "# HELP muni_smsgw_bind_submits_total submit_sm sent, per "
	    "bind (since the bind was configured).\n"
	    "# TYPE muni_smsgw_bind_submits_total counter\n") == -1)
		return -1;
	for (i = 0; i < (size_t)g->nbinds; i++)
		if (out(b, "muni_smsgw_bind_submits_total{bind=\"%s\"} %llu\n",
		    g->bind[i].name,
		    (unsigned long long)g->bind[i].submits) == -1)
			return -1;
	if (histo_out(b, "muni_smsgw_submit_latency_seconds", &m.latency,
	    "submit_sm to submit_sm_resp.") == -1 ||
	    histo_out(b, "muni_smsgw_mo_reply_latency_seconds", &m.mo_reply,
	    "MO received to its reply stored in the outbox.") == -1 ||
	    histo_out(b, "muni_smsgw_commit_seconds", &m.commit,
	    "Group commits (the fsync included).") == -1 ||
	    out(b, "# HELP muni_smsgw_commit_answers_total Answers to the "
	    "SMSC that waited for a commit.\n"
	    "# TYPE muni_smsgw_commit_answers_total counter\n"
	    "muni_smsgw_commit_answers_total %llu\n",
	    (unsigned long long)m.commit_answers) == -1)
		return -1;
	if (named_out(b, "muni_smsgw_http_events_total", "event", m.http,
	    "HTTP requests refused and connections cut, by why.") == -1 ||
	    out(b, "# HELP muni_smsgw_http_connections HTTP connections "
	    "open.\n# TYPE muni_smsgw_http_connections gauge\n"
	    "muni_smsgw_http_connections %lld\n",
	    (long long)m.http_conns) == -1)
		return -1;
	return 0;
}
