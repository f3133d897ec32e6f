/*
 * muni-smscsim: an SMSC simulator for tests, benchmarks and the demo. It
 * speaks SMPP 3.4 through smsgw/pdu like the gateway does, answers binds
 * and submits, sends receipts, MO SMS and USSD, and misbehaves on request.
 * With --phone or --ctl it is instead a client of a running simulator.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "log.h"
#include "pdu.h"
#include "sim.h"
#include "util.h"

struct sim_conf		 conf = {
	.listen = "127.0.0.1",
	.port = 2775,
	.system_id = "muni",
	.password = "secret",
	.receipt_ms = 100,
	.receipt_state = PDU_STATE_DELIVERED,
	.enquire_s = 30,
	.window = 100,
	.inject_text = "RINDA",
	.inject_to = "505",
	.inject_count = 5000,
};
struct event_base	*base;

enum {
	OPT_RECEIPT_STAT = 256, OPT_RECEIPT_ERR, OPT_RECEIPT_FIRST,
	OPT_RECEIPT_ID_DEC, OPT_RECEIPT_NO_TLV, OPT_THROTTLE, OPT_QFULL,
	OPT_MAX_TPS, OPT_DROP_AFTER, OPT_DELAY, OPT_WITHHOLD_AFTER,
	OPT_FAULT, OPT_FAULT_EVERY, OPT_WINDOW, OPT_MSGID_BASE, OPT_PHONE, OPT_CTL,
	OPT_INJECT_RATE, OPT_INJECT_COUNT, OPT_INJECT_PHONES, OPT_INJECT_TEXT,
	OPT_INJECT_TO, OPT_INJECT_USSD, OPT_BENCH_CLIENT, OPT_COUNT,
	OPT_NO_RECEIPTS, OPT_LATENCY_LOG, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_MSGID_CONST, OPT_RECEIPT_ID_WIDTH, OPT_BIND_TRX, OPT_BIND_RX_AS_TX,
	OPT_DELIVER_SEQ0,
};

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, 'a' },
	{ "port", required_argument, NULL, 'p' },
	{ "system-id", required_argument, NULL, 'u' },
	{ "password", required_argument, NULL, 'w' },
	{ "submit-log", required_argument, NULL, 'o' },
	{ "deliver-log", required_argument, NULL, 'O' },
	{ "control", required_argument, NULL, 'C' },
	{ "receipt-delay", required_argument, NULL, 'r' },
	{ "enquire-link", required_argument, NULL, 'e' },
	{ "number", required_argument, NULL, 'n' },
	{ "service", required_argument, NULL, 't' },
	{ "receipt-stat", required_argument, NULL, OPT_RECEIPT_STAT },
	{ "receipt-err", required_argument, NULL, OPT_RECEIPT_ERR },
	{ "receipt-first", no_argument, NULL, OPT_RECEIPT_FIRST },
	{ "receipt-id-dec", no_argument, NULL, OPT_RECEIPT_ID_DEC },
	{ "receipt-no-tlv", no_argument, NULL, OPT_RECEIPT_NO_TLV },
	{ "throttle", required_argument, NULL, OPT_THROTTLE },
	{ "queue-full", required_argument, NULL, OPT_QFULL },
	{ "max-tps", required_argument, NULL, OPT_MAX_TPS },
	{ "drop-after", required_argument, NULL, OPT_DROP_AFTER },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "withhold-after", required_argument, NULL, OPT_WITHHOLD_AFTER },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "fault-every", required_argument, NULL, OPT_FAULT_EVERY },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "msgid-base", required_argument, NULL, OPT_MSGID_BASE },
	{ "msgid-const", required_argument, NULL, OPT_MSGID_CONST },
	{ "receipt-id-width", required_argument, NULL, OPT_RECEIPT_ID_WIDTH },
	{ "bind-trx", required_argument, NULL, OPT_BIND_TRX },
	{ "bind-rx-as-tx", no_argument, NULL, OPT_BIND_RX_AS_TX },
	{ "deliver-seq0", no_argument, NULL, OPT_DELIVER_SEQ0 },
	{ "phone", no_argument, NULL, OPT_PHONE },
	{ "ctl", no_argument, NULL, OPT_CTL },
	{ "inject-rate", required_argument, NULL, OPT_INJECT_RATE },
	{ "inject-count", required_argument, NULL, OPT_INJECT_COUNT },
	{ "inject-phones", required_argument, NULL, OPT_INJECT_PHONES },
	{ "inject-text", required_argument, NULL, OPT_INJECT_TEXT },
	{ "inject-to", required_argument, NULL, OPT_INJECT_TO },
	{ "inject-ussd", required_argument, NULL, OPT_INJECT_USSD },
	{ "latency-log", required_argument, NULL, OPT_LATENCY_LOG },
	{ "bench-client", no_argument, NULL, OPT_BENCH_CLIENT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "no-receipts", no_argument, NULL, OPT_NO_RECEIPTS },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: muni-smscsim [-hv] [-a addr] [-p port] [-u system_id] [-w password]\n"
"	[-o submit.log] [-O deliver.log] [-C control.sock] [-r receipt_ms]\n"
"	[-e enquire_s] [--receipt-stat STAT] [--receipt-err N] [--receipt-first]\n"
"	[--receipt-id-dec] [--receipt-no-tlv] [--throttle N] [--queue-full N]\n"
"	[--max-tps N] [--drop-after N] [--delay MS] [--withhold-after N]\n"
"	[--fault KIND --fault-every N] [--window N] [--msgid-base N]\n"
"	[--msgid-const ID] [--receipt-id-width N] [--bind-trx ignore|nack]\n"
"	[--bind-rx-as-tx] [--deliver-seq0]\n"
"	[--inject-rate N --inject-phones FILE [--inject-count N]\n"
"	 [--inject-text KW,KW | --inject-ussd STEP,STEP] [--inject-to 505]\n"
"	 [--latency-log FILE]] [--tls-cert FILE --tls-key FILE]\n"
"       muni-smscsim --bench-client [-a addr] -p port [--window N]\n"
"	[--count N] [--no-receipts]\n"
"       muni-smscsim --phone -C control.sock [-n +3712…] [-t 505]\n"
"       muni-smscsim --ctl -C control.sock COMMAND …\n"
"port 0 picks a free port; it is printed as port=N.\n"
"faults: malformed tlv40 unknown len4 len10m random enquire unbind\n"
"control: mo [-u] [-p] FROM TO TEXT | part [-s] FROM TO REF SEQ TOTAL TEXT |\n"
"	ussd FROM TEXT [OP [SESSION|-]] |\n"
"	send FAULT | set KEY VALUE | watch NUMBER|*|off | stats | flush |\n"
"	quit | shutdown\n");
}

static long long
num(const char *s, long long min, long long max, const char *what)
{
	long long	 v;
	const char	*err;

	if (util_strtonum(s, min, max, &v, &err) == -1)
		fatalx("%s %s: %s", what, s, err);
	return v;
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	log_info("signal %d: stopping", (int)sig);
	if (event_base_loopbreak(base) == -1)
		log_warnx("event_base_loopbreak");
}

int
main(int argc, char **argv)
{
	struct event	*sigint, *sigterm;
	const char	*errstr;
	const char	*ctl = NULL, *number = "+37120000001", *service = "505";
	char		 stats[1024];
	int		 ch, phone = 0, client = 0, port, bench = 0;
	int		 receipts = 1;
	unsigned	 count = 200000;

	log_init("muni-smscsim", 0);
	/*
	 * A Latvian SMSC writes its receipts' dates in Riga time, whatever
	 * TZ the tests run it under (see clock.h).
	 */
	if (clock_set_zone(CLOCK_ZONE_DEFAULT, &errstr) == -1)
		fatalx("%s: %s", CLOCK_ZONE_DEFAULT, errstr);
	while ((ch = getopt_long(argc, argv, "+a:C:e:hn:o:O:p:r:t:u:vw:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			conf.listen = optarg;
			break;
		case 'C':
			ctl = optarg;
			break;
		case 'e':
			conf.enquire_s = (int)num(optarg, 0, 86400,
			    "enquire-link");
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			number = optarg;
			break;
		case 'o':
			conf.submit_log = optarg;
			break;
		case 'O':
			conf.deliver_log = optarg;
			break;
		case 'p':
			conf.port = (int)num(optarg, 0, 65535, "port");
			break;
		case 'r':
			conf.receipt_ms = (int)num(optarg, -1, 86400000,
			    "receipt-delay");
			break;
		case 't':
			service = optarg;
			break;
		case 'u':
			conf.system_id = optarg;
			break;
		case 'v':
			conf.verbose = 1;
			log_set_level(LOG_LEVEL_DEBUG);
			break;
		case 'w':
			conf.password = optarg;
			break;
		case OPT_RECEIPT_STAT:
			if ((conf.receipt_state = pdu_state_parse(optarg)) == 0)
				fatalx("receipt-stat %s: unknown", optarg);
			break;
		case OPT_RECEIPT_ERR:
			conf.receipt_err = (unsigned)num(optarg, 0, 999,
			    "receipt-err");
			break;
		case OPT_RECEIPT_FIRST:
			conf.receipt_first = 1;
			break;
		case OPT_RECEIPT_ID_DEC:
			conf.receipt_id_dec = 1;
			break;
		case OPT_RECEIPT_NO_TLV:
			conf.receipt_no_tlv = 1;
			break;
		case OPT_THROTTLE:
			conf.throttle_every = (unsigned)num(optarg, 0,
			    1000000000, "throttle");
			break;
		case OPT_QFULL:
			conf.qfull_every = (unsigned)num(optarg, 0, 1000000000,
			    "queue-full");
			break;
		case OPT_MAX_TPS:
			conf.max_tps = (unsigned)num(optarg, 0, 1000000000,
			    "max-tps");
			break;
		case OPT_DROP_AFTER:
			conf.drop_after = (unsigned)num(optarg, 0, 1000000000,
			    "drop-after");
			break;
		case OPT_DELAY:
			conf.delay_ms = (int)num(optarg, 0, 3600000, "delay");
			break;
		case OPT_WITHHOLD_AFTER:
			conf.withhold_after = (unsigned)num(optarg, 0,
			    1000000000, "withhold-after");
			break;
		case OPT_FAULT:
			if (smpp_fault_parse(optarg, &conf.fault) == -1)
				fatalx("fault %s: unknown", optarg);
			break;
		case OPT_FAULT_EVERY:
			conf.fault_every = (unsigned)num(optarg, 0, 1000000000,
			    "fault-every");
			break;
		case OPT_WINDOW:
			conf.window = (unsigned)num(optarg, 1, 100000,
			    "window");
			break;
		case OPT_MSGID_BASE:
			/* Two simulators in one test: ids that never meet. */
			conf.msgid_base = (uint64_t)num(optarg, 1,
			    1000000000000LL, "msgid-base");
			break;
		case OPT_MSGID_CONST:
			/* osmo-msc: "msg_id_not_implemented" for every one. */
			if (optarg[0] == '\0' || strlen(optarg) > 64)
				fatalx("msgid-const: 1 to 64 characters");
			conf.msgid_const = optarg;
			break;
		case OPT_RECEIPT_ID_WIDTH:
			/* osmo-msc writes its receipts' ids as %08llu. */
			conf.receipt_id_width = (int)num(optarg, 1, 64,
			    "receipt-id-width");
			break;
		case OPT_BIND_TRX:
			if (strcmp(optarg, "ignore") == 0)
				conf.bind_trx = BIND_TRX_IGNORE;
			else if (strcmp(optarg, "nack") == 0)
				conf.bind_trx = BIND_TRX_NACK;
			else
				fatalx("bind-trx: ignore or nack");
			break;
		case OPT_BIND_RX_AS_TX:
			conf.bind_rx_as_tx = 1;
			break;
		case OPT_DELIVER_SEQ0:
			conf.deliver_seq0 = 1;
			break;
		case OPT_PHONE:
			phone = 1;
			break;
		case OPT_TLS_CERT:
			conf.tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			conf.tls_key = optarg;
			break;
		case OPT_INJECT_RATE:
			conf.inject_rate = (unsigned)num(optarg, 1, 100000,
			    "inject-rate");
			break;
		case OPT_INJECT_COUNT:
			conf.inject_count = (unsigned)num(optarg, 1, 10000000,
			    "inject-count");
			break;
		case OPT_INJECT_PHONES:
			conf.inject_phones = optarg;
			break;
		case OPT_INJECT_TEXT:
			conf.inject_text = optarg;
			break;
		case OPT_INJECT_TO:
			conf.inject_to = optarg;
			break;
		case OPT_INJECT_USSD:
			conf.inject_ussd = optarg;
			break;
		case OPT_LATENCY_LOG:
			conf.latency_log = optarg;
			break;
		case OPT_BENCH_CLIENT:
			bench = 1;
			break;
		case OPT_COUNT:
			count = (unsigned)num(optarg, 1, 100000000, "count");
			break;
		case OPT_NO_RECEIPTS:
			receipts = 0;
			break;
		case OPT_CTL:
			client = 1;
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;

	if (bench) {
		if (argc != 0) {
			usage(stderr);
			return 1;
		}
		return client_main(conf.listen, conf.port, conf.window, count,
		    receipts);
	}
	if (phone || client) {
		if (ctl == NULL) {
			log_warnx("--phone and --ctl need -C control.sock");
			return 2;
		}
		if (phone)
			return phone_main(ctl, number, service);
		if (argc == 0) {
			usage(stderr);
			return 2;
		}
		return ctl_client_main(ctl, argc, argv);
	}
	if (argc != 0) {
		usage(stderr);
		return 1;
	}
	if (conf.fault != FAULT_NONE && conf.fault_every == 0)
		conf.fault_every = 1;

	/* A peer gone mid-write is an event, not a reason to die. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((sigint = evsignal_new(base, SIGINT, signal_cb, NULL)) == NULL ||
	    (sigterm = evsignal_new(base, SIGTERM, signal_cb, NULL)) == NULL ||
	    evsignal_add(sigint, NULL) == -1 ||
	    evsignal_add(sigterm, NULL) == -1)
		fatalx("signals");
	if (smpp_listen(conf.listen, conf.port, &port) == -1 ||
	    load_init() == -1)
		return 1;
	if (ctl != NULL && ctl_listen(ctl) == -1)
		return 1;
	ctl_stdin();
	/* Tests read the port from here: one line, flushed at once. */
	if (printf("port=%d\n", port) < 0 || fflush(stdout) == EOF)
		fatal("stdout");
	log_info("listening on %s:%d", conf.listen, port);

	if (event_base_dispatch(base) == -1)
		fatalx("event_base_dispatch");

	smpp_stats(stats, sizeof(stats));
	log_info("%s", stats);
	smpp_flush();
	ctl_close();
	return 0;
}
