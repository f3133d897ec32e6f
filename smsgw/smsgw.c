/*
 * muni-smsgw: the SMPP gateway daemon. It sends what the outbox holds over
 * its binds to the SMSCs ([smsc] and [smsc.NAME]), takes in receipts and MO,
 * answers residents' keywords, serves /health, /metrics and the HTTP API, and
 * sends the daily reminders. One process, one thread, one libevent loop; the
 * modules are gw_disp (outbox and inbox), gw_pick (which bind), gw_esme (a
 * bind), gw_batch (group commits), gw_http and gw_api, and gw_remind.
 */
#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "config.h"
#include "gw_api.h"
#include "gw_work.h"
#include "gw_callback.h"
#include "gw_disp.h"
#include "gw_http.h"
#include "gw_remind.h"
#include "i18n.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

/*
 * Descriptors the gateway keeps for itself whatever HTTP clients do:
 * stdio, the log, SQLite's (the database, -wal, -shm, a journal),
 * libevent's, the listener, the files it reads on SIGHUP, and headroom.
 * A bind takes two at most (a transmitter and a receiver).
 */
#define FD_RESERVE	64
#define FD_PER_BIND	2

struct gw {
	struct event_base *base;
	struct config	*cfg;
	const char	*conf_path;
	struct store	*store;
	struct disp	*disp;
	struct http	*http;
	struct api	*api;
	struct work	*work;		/* the API's PUTs */
	struct remind	*remind;
	struct cbpost	*cbpost;	/* callbacks, in a thread of their own */
	int		 stopping;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: muni-smsgw [-dhn] [-c file]\n"
	    "  -c file  configuration (default $MUNI_CONF, else %s)\n"
	    "  -d       stay in the foreground, log to stderr\n"
	    "  -n       check the configuration and the database, then exit\n"
	    "  -h       this help\n", CONFIG_DEFAULT_PATH);
}

/*
 * HTTP clients must not starve the binds of descriptors: raise the soft
 * RLIMIT_NOFILE to the hard one, then refuse a configuration whose binds,
 * reserve and [http] max_connections do not fit. The same at start and
 * with -n. 0, or -1 with the message in msg.
 */
/*
 * This gateway's name among several sharing a PostgreSQL database: [smsgw]
 * node, else the host name, which is unique where each node has a host.
 * It goes into the outbox and into /metrics as a label, so it is a host
 * name's letters, digits, '.', '-' and '_'. 0, or -1 with msg.
 */
static int
set_node(const struct config *cfg, char *msg, size_t size)
{
	char		 host[OUTBOX_NODE_MAX + 1];
	const char	*p;

	if (config_str(cfg, CFG_SMSGW_NODE)[0] != '\0')
		(void)util_strlcpy(host, config_str(cfg, CFG_SMSGW_NODE),
		    sizeof(host));
	else if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		(void)util_strlcpy(host, "muni", sizeof(host));
	host[sizeof(host) - 1] = '\0';		/* a cut name has no NUL */
	for (p = host; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p) == NULL) {
			(void)snprintf(msg, size, _("%s: \"%s\": only "
			    "letters, digits, '.', '-' and '_' may name a "
			    "node"), config_key_name(CFG_SMSGW_NODE), host);
			return -1;
		}
	outbox_set_node(host, (int)config_int(cfg, CFG_SMSGW_LEASE_S));
	return 0;
}

static int
fd_budget(const struct config *cfg, char *msg, size_t size)
{
	struct rlimit	 rl;
	long long	 binds = config_binds(cfg), room;
	long long	 conns = config_int(cfg, CFG_HTTP_MAX_CONNECTIONS);
	long long	 need = FD_RESERVE + FD_PER_BIND * binds + conns;
	char		 fix[80];

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		(void)util_snprintf(msg, size, "getrlimit: %s",
		    strerror(errno));
		return -1;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		/* Refused, the soft limit stays; the check below judges it. */
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 &&
		    getrlimit(RLIMIT_NOFILE, &rl) == -1) {
			(void)util_snprintf(msg, size, "getrlimit: %s",
			    strerror(errno));
			return -1;
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY || (long long)rl.rlim_cur >= need)
		return 0;
	room = (long long)rl.rlim_cur - FD_RESERVE - FD_PER_BIND * binds;
	if (room >= 1)
		(void)util_snprintf(fix, sizeof(fix), "lower [http] "
		    "max_connections to %lld at most", room);
	else
		(void)util_strlcpy(fix, "use fewer binds", sizeof(fix));
	(void)util_snprintf(msg, size, "[http] max_connections %lld and %lld "
	    "bind%s need %lld file descriptors (%d of them kept for the "
	    "binds, the database and the log), but the limit (RLIMIT_NOFILE, "
	    "raised to the hard limit) is %lld: raise LimitNOFILE= in the "
	    "unit (ulimit -n), or %s", conns, binds, binds == 1 ? "" : "s",
	    need, FD_RESERVE, (long long)rl.rlim_cur, fix);
	return -1;
}

/* The HTTP server's handler for /api/: the API, behind a plain pointer. */
static void
api_handler(void *arg, struct evhttp_request *req)
{
	api_handle(arg, req);
}

static void
stopped(void *arg)
{
	struct gw	*gw = arg;

	log_info("stopped");
	if (event_base_loopexit(gw->base, NULL) == -1)
		fatalx("event_base_loopexit");
}

static void
stop_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gw	*gw = arg;

	(void)ev;
	if (gw->stopping) {
		log_warnx("signal %d again: stopping now", (int)sig);
		if (event_base_loopbreak(gw->base) == -1)
			fatalx("event_base_loopbreak");
		return;
	}
	gw->stopping = 1;
	log_info("signal %d: finishing what is outstanding, then stopping",
	    (int)sig);
	disp_stop(gw->disp, stopped, gw);
}

static void
hup_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gw	*gw = arg;
	struct config	*nc;
	const char	*errstr;
	char		*errors, *line, *next;

	(void)sig;
	(void)ev;
	if ((nc = config_load(gw->conf_path, &errors)) == NULL) {
		for (line = errors; line != NULL && *line != '\0';
		    line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			log_warnx("reload: %s", line);
		}
		free(errors);
		log_warnx("reload: the configuration stays as it was");
		return;
	}
	if (disp_reload(gw->disp, nc, &errstr) == -1) {
		log_warnx("reload: %s: the configuration stays as it was",
		    errstr);
		config_free(nc);
		return;
	}
	if (strcmp(config_database(nc), config_database(gw->cfg)) != 0 ||
	    strcmp(config_str(nc, CFG_HTTP_LISTEN),
	    config_str(gw->cfg, CFG_HTTP_LISTEN)) != 0)
		log_warnx("reload: [database] path or url and [http] listen "
		    "change only with a restart");
	/* setenv is not for a process with threads. */
	if (strcmp(config_str(nc, CFG_MUNICIPALITY_TIMEZONE),
	    config_str(gw->cfg, CFG_MUNICIPALITY_TIMEZONE)) != 0)
		log_warnx("reload: [municipality] timezone changes only with a "
		    "restart");
	if (config_int(nc, CFG_HTTP_MAX_CONNECTIONS) !=
	    config_int(gw->cfg, CFG_HTTP_MAX_CONNECTIONS) ||
	    config_int(nc, CFG_HTTP_REQUEST_TIMEOUT_S) !=
	    config_int(gw->cfg, CFG_HTTP_REQUEST_TIMEOUT_S))
		log_warnx("reload: [http] max_connections and "
		    "request_timeout_s change only with a restart");
	if (!cbpost_config_same(gw->cfg, nc))
		log_warnx("reload: [http.callback.NAME] sections change only "
		    "with a restart");
	/* A token file that cannot be read keeps the old token. */
	if (api_reload(gw->api, nc, &errstr) == -1)
		log_warnx("reload: %s: the API keeps its old token", errstr);
	remind_reload(gw->remind, nc);
	config_free(gw->cfg);
	gw->cfg = nc;
	log_info("configuration reloaded from %s", config_path(nc));
}

int
main(int argc, char **argv)
{
	struct gw	 gw;
	struct event	*sigint, *sigterm, *sighup;
	struct store	*s;
	const char	*errstr;
	char		*errors, token[600], fdmsg[512];
	int		 ch, check = 0, foreground = 0, fake;

	memset(&gw, 0, sizeof(gw));
	while ((ch = getopt(argc, argv, "c:dhn")) != -1) {
		switch (ch) {
		case 'c':
			gw.conf_path = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			check = 1;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("muni-smsgw", 0);
	i18n_init();
	if ((gw.cfg = config_load(gw.conf_path, &errors)) == NULL) {
		fputs(errors, stderr);
		free(errors);
		return 1;
	}
	/*
	 * Local time is the municipality's, whatever TZ the service manager
	 * gave: set here, before any thread, as setenv is not thread-safe.
	 * MUNI_FAKE_NOW is read in that zone too.
	 */
	if (clock_set_zone(config_str(gw.cfg, CFG_MUNICIPALITY_TIMEZONE),
	    &errstr) == -1) {
		fprintf(stderr, "muni-smsgw: %s: %s: %s\n",
		    config_path(gw.cfg),
		    config_key_name(CFG_MUNICIPALITY_TIMEZONE), errstr);
		config_free(gw.cfg);
		return 1;
	}
	if ((fake = clock_from_env(&errstr)) == -1) {
		fprintf(stderr, "muni-smsgw: %s\n", errstr);
		config_free(gw.cfg);
		return 1;
	}
	if (disp_check_config(gw.cfg, &errstr) == -1) {
		fprintf(stderr, "muni-smsgw: %s: %s\n", config_path(gw.cfg),
		    errstr);
		config_free(gw.cfg);
		return 1;
	}
	/* The store writer (gw_writer.c), the callback poster and the API
	   worker (gw_work.c) are threads with connections of their own:
	   SQLite must keep its mutexes. */
	store_threads();
	/* Opened once here for its errors; the daemon opens it after fork,
	   as SQLite's locks do not survive one. */
	store_password_file(config_str(gw.cfg,
	    CFG_DATABASE_PASSWORD_FILE));
	if ((s = store_open(config_database(gw.cfg), 0,
	    &errstr)) == NULL) {
		fprintf(stderr, "muni-smsgw: %s\n", errstr);
		config_free(gw.cfg);
		return 1;
	}
	store_close(s);
	if (config_str(gw.cfg, CFG_HTTP_TOKEN_FILE)[0] != '\0' &&
	    api_token_read(config_str(gw.cfg, CFG_HTTP_TOKEN_FILE), token,
	    sizeof(token), &errstr) == -1) {
		fprintf(stderr, "muni-smsgw: %s: %s\n", config_path(gw.cfg),
		    errstr);
		config_free(gw.cfg);
		return 1;
	}
	explicit_bzero(token, sizeof(token));
	if (fd_budget(gw.cfg, fdmsg, sizeof(fdmsg)) == -1) {
		fprintf(stderr, "muni-smsgw: %s: %s\n", config_path(gw.cfg),
		    fdmsg);
		config_free(gw.cfg);
		return 1;
	}
	if (set_node(gw.cfg, fdmsg, sizeof(fdmsg)) == -1) {
		fprintf(stderr, "muni-smsgw: %s: %s\n", config_path(gw.cfg),
		    fdmsg);
		config_free(gw.cfg);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		config_free(gw.cfg);
		return 0;
	}

	/* A peer gone mid-write is an event, not a reason to die. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("muni-smsgw", 1);
	}
	if ((gw.store = store_open(config_database(gw.cfg), 0,
	    &errstr)) == NULL)
		fatalx("%s", errstr);
	if ((gw.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	log_info("node %s", outbox_node());
	gw.disp = disp_new(gw.base, gw.store, gw.cfg);
	if ((gw.api = api_new(gw.store, gw.disp, gw.cfg, &errstr)) == NULL)
		fatalx("%s", errstr);
	if ((gw.work = work_new(gw.base, config_database(gw.cfg),
	    &errstr)) == NULL)
		fatalx("%s", errstr);
	api_set_work(gw.api, gw.work);
	gw.remind = remind_new(gw.base, gw.store, gw.disp, gw.cfg);
	if ((gw.cbpost = cbpost_new(gw.store, gw.cfg, &errstr)) == NULL)
		fatalx("%s", errstr);
	if ((gw.http = http_new(gw.base, gw.cfg, gw.disp, api_handler,
	    gw.api, &errstr)) == NULL)
		fatalx("%s: %s", config_str(gw.cfg, CFG_HTTP_LISTEN), errstr);
	if ((sigint = evsignal_new(gw.base, SIGINT, stop_cb, &gw)) == NULL ||
	    (sigterm = evsignal_new(gw.base, SIGTERM, stop_cb, &gw)) == NULL ||
	    (sighup = evsignal_new(gw.base, SIGHUP, hup_cb, &gw)) == NULL ||
	    evsignal_add(sigint, NULL) == -1 ||
	    evsignal_add(sigterm, NULL) == -1 ||
	    evsignal_add(sighup, NULL) == -1)
		fatalx("signal events");
	log_info("starting: database %s, %d bind%s (first %s at %s:%lld), "
	    "http %s", config_database(gw.cfg),
	    config_binds(gw.cfg), config_binds(gw.cfg) == 1 ? "" : "s",
	    config_bind_name(gw.cfg, 0),
	    config_bind_str(gw.cfg, 0, CFG_SMSC_HOST),
	    config_bind_int(gw.cfg, 0, CFG_SMSC_PORT),
	    config_str(gw.cfg, CFG_HTTP_LISTEN));
	if (fake == 1) {
		char	 now[32];

		clock_datetime(clock_now(), now, sizeof(now));
		log_warnx("MUNI_FAKE_NOW: the clock reads %s (tests only)",
		    now);
	}
	disp_start(gw.disp);
	remind_start(gw.remind);
	if (cbpost_start(gw.cbpost) == -1)
		fatalx("callbacks: the poster does not start");

	if (event_base_dispatch(gw.base) == -1)
		fatalx("event_base_dispatch");

	http_free(gw.http);
	work_free(gw.work);
	cbpost_free(gw.cbpost);
	remind_free(gw.remind);
	api_free(gw.api);
	disp_free(gw.disp);
	event_free(sigint);
	event_free(sigterm);
	event_free(sighup);
	event_base_free(gw.base);
	store_close(gw.store);
	config_free(gw.cfg);
	return 0;
}
