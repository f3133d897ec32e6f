/*
 * sim_ctl: the simulator's control channel. Lines on a UNIX socket (and on
 * stdin when it is a terminal or a pipe) inject MO SMS and USSD, send
 * faults, change fault settings at run time and subscribe a "phone" to the
 * submit_sm addressed to its number. Every command answers one line, "ok
 * …" or "error …"; watchers also get "sms …" and "ussd …" lines.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "pdu.h"
#include "sim.h"
#include "smstext.h"
#include "util.h"

#define CTL_LINE_MAX	4096

struct ctl {
	TAILQ_ENTRY(ctl)	 entry;
	struct bufferevent	*bev;
	int			 stdio;		/* replies go to stdout */
	int			 dead;
	char			 watch[24];	/* "", "*" or digits */
};

static TAILQ_HEAD(, ctl)	 ctls = TAILQ_HEAD_INITIALIZER(ctls);
static struct evconnlistener	*ctl_listener;
static char			*ctl_path;
static unsigned			 nwatch;

static void	ctl_reply(struct ctl *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
ctl_free_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl	*c = arg;

	(void)fd;
	(void)ev;
	bufferevent_free(c->bev);
	free(c);
}

static void
ctl_drop(struct ctl *c)
{
	struct timeval	 tv = { 0, 0 };

	if (c->dead)
		return;
	c->dead = 1;
	if (c->watch[0] != '\0')
		nwatch--;
	if (bufferevent_disable(c->bev, EV_READ | EV_WRITE) == -1)
		log_warnx("bufferevent_disable");
	TAILQ_REMOVE(&ctls, c, entry);
	if (event_base_once(base, -1, EV_TIMEOUT, ctl_free_cb, c, &tv) == -1)
		fatalx("event_base_once");
}

static void
ctl_reply(struct ctl *c, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[CTL_LINE_MAX];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = '\0';
	if (c->stdio) {
		if (fputs(line, stdout) == EOF || fflush(stdout) == EOF)
			log_warn("stdout");
		return;
	}
	if (!c->dead && bufferevent_write(c->bev, line, (size_t)n) == -1)
		ctl_drop(c);
}

/* Digits of a phone number, national Latvian numbers with 371 before. */
static void
norm_number(const char *in, char *out, size_t size)
{
	char	 d[32];
	size_t	 n = 0;

	if (strncmp(in, "00", 2) == 0)
		in += 2;
	for (; *in != '\0' && n + 1 < sizeof(d); in++)
		if (*in >= '0' && *in <= '9')
			d[n++] = *in;
	d[n] = '\0';
	if (n == 8)
		(void)util_snprintf(out, size, "371%s", d);
	else
		(void)util_strlcpy(out, d, size);
}

static char *
word(char **line)
{
	char	*w;

	*line += strspn(*line, " \t");
	if (**line == '\0')
		return NULL;
	w = *line;
	*line += strcspn(*line, " \t");
	if (**line != '\0')
		*(*line)++ = '\0';
	return w;
}

static char *
rest(char **line)
{
	*line += strspn(*line, " \t");
	return **line == '\0' ? NULL : *line;
}

static int
number(const char *s, long long min, long long max, long long *v)
{
	const char	*err;

	return util_strtonum(s, min, max, v, &err);
}

static void
cmd_mo(struct ctl *c, char *line)
{
	char		*w, *from, *to, *text;
	const char	*err;
	int		 ucs2 = 0, payload = 0, n;

	while ((w = word(&line)) != NULL && w[0] == '-') {
		if (strcmp(w, "-u") == 0)
			ucs2 = 1;
		else if (strcmp(w, "-p") == 0)
			payload = 1;
		else {
			ctl_reply(c, "error unknown flag %s", w);
			return;
		}
	}
	from = w;
	if (from == NULL || (to = word(&line)) == NULL ||
	    (text = rest(&line)) == NULL) {
		ctl_reply(c, "error usage: mo [-u] [-p] FROM TO TEXT");
		return;
	}
	text_unescape(text);
	if ((n = smpp_inject_mo(from, to, text, ucs2, payload, &err)) == -1)
		ctl_reply(c, "error %s", err);
	else
		ctl_reply(c, "ok parts=%d", n);
}

/* part [-s] FROM TO REF SEQ TOTAL TEXT: one part, numbers unchecked. */
static void
cmd_part(struct ctl *c, char *line)
{
	char		*w, *from, *to, *text, *nw[3];
	const char	*err;
	long long	 v[3];
	int		 sar = 0, i;

	while ((w = word(&line)) != NULL && w[0] == '-') {
		if (strcmp(w, "-s") != 0) {
			ctl_reply(c, "error unknown flag %s", w);
			return;
		}
		sar = 1;
	}
	from = w;
	to = word(&line);
	for (i = 0; i < 3; i++)
		nw[i] = word(&line);
	text = rest(&line);
	if (from == NULL || to == NULL || nw[2] == NULL || text == NULL) {
		ctl_reply(c, "error usage: part [-s] FROM TO REF SEQ TOTAL "
		    "TEXT");
		return;
	}
	for (i = 0; i < 3; i++)
		if (number(nw[i], 0, 65535, &v[i]) == -1) {
			ctl_reply(c, "error bad number %s", nw[i]);
			return;
		}
	text_unescape(text);
	if (smpp_inject_part(from, to, (unsigned)v[0], (unsigned)v[1],
	    (unsigned)v[2], sar, text, &err) == -1)
		ctl_reply(c, "error %s", err);
	else
		ctl_reply(c, "ok");
}

/* ussd FROM TEXT [OP [SESSION|-]], or ussd [-o OP] [-s S|-] FROM TEXT… */
static void
cmd_ussd(struct ctl *c, char *line)
{
	char		*w, *from, *text, *opw = NULL, *sw = NULL;
	const char	*err;
	long long	 v;
	long		 session = -2;
	int		 op = -1, flags = 0;

	while ((w = word(&line)) != NULL && w[0] == '-' && w[1] != '\0') {
		flags = 1;
		if (strcmp(w, "-o") == 0)
			opw = word(&line);
		else if (strcmp(w, "-s") == 0)
			sw = word(&line);
		else {
			ctl_reply(c, "error unknown flag %s", w);
			return;
		}
	}
	from = w;
	text = flags ? rest(&line) : word(&line);
	if (from == NULL || text == NULL) {
		ctl_reply(c, "error usage: ussd FROM TEXT [OP [SESSION|-]]");
		return;
	}
	if (!flags) {
		opw = word(&line);
		sw = word(&line);
	}
	text_unescape(text);
	if (opw != NULL) {
		if (number(opw, 0, 255, &v) == -1) {
			ctl_reply(c, "error bad ussd_service_op %s", opw);
			return;
		}
		op = (int)v;
	}
	if (sw != NULL) {
		if (strcmp(sw, "-") == 0)
			session = -1;
		else if (number(sw, 0, 65535, &v) == -1) {
			ctl_reply(c, "error bad session %s", sw);
			return;
		} else
			session = (long)v;
	}
	if (smpp_inject_ussd(from, text, op, session, &err) == -1)
		ctl_reply(c, "error %s", err);
	else
		ctl_reply(c, "ok");
}

static void
cmd_send(struct ctl *c, char *line)
{
	enum sim_fault	 f;
	char		*w;

	if ((w = word(&line)) == NULL || smpp_fault_parse(w, &f) == -1) {
		ctl_reply(c, "error usage: send malformed|tlv40|unknown|len4|"
		    "len10m|random|enquire|unbind");
		return;
	}
	ctl_reply(c, "ok sessions=%d", smpp_fault(f));
}

/* set KEY VALUE: fault settings at run time. */
static void
cmd_set(struct ctl *c, char *line)
{
	static const struct {
		const char	*key;
		void		*var;
		int		 isint;
		long long	 min, max;
	} keys[] = {
		{ "throttle", &conf.throttle_every, 0, 0, 1000000000 },
		{ "queue-full", &conf.qfull_every, 0, 0, 1000000000 },
		{ "max-tps", &conf.max_tps, 0, 0, 1000000000 },
		{ "drop-after", &conf.drop_after, 0, 0, 1000000000 },
		{ "withhold-after", &conf.withhold_after, 0, 0, 1000000000 },
		{ "fault-every", &conf.fault_every, 0, 0, 1000000000 },
		{ "window", &conf.window, 0, 1, 100000 },
		{ "receipt-err", &conf.receipt_err, 0, 0, 999 },
		{ "delay", &conf.delay_ms, 1, 0, 3600000 },
		{ "receipt-delay", &conf.receipt_ms, 1, -1, 86400000 },
		{ "withhold", &conf.withhold, 1, 0, 1 },
		{ "receipt-first", &conf.receipt_first, 1, 0, 1 },
	};
	char		*k, *v;
	long long	 n;
	size_t		 i;
	enum sim_fault	 f;
	uint8_t		 state;

	if ((k = word(&line)) == NULL || (v = word(&line)) == NULL) {
		ctl_reply(c, "error usage: set KEY VALUE");
		return;
	}
	if (strcmp(k, "receipt-stat") == 0) {
		if ((state = pdu_state_parse(v)) == 0) {
			ctl_reply(c, "error unknown stat %s", v);
			return;
		}
		conf.receipt_state = state;
		ctl_reply(c, "ok");
		return;
	}
	if (strcmp(k, "refuse") == 0) {
		if (number(v, 0, 1, &n) == -1 || smpp_refuse((int)n) == -1) {
			ctl_reply(c, "error refuse %s failed", v);
			return;
		}
		ctl_reply(c, "ok");
		return;
	}
	if (strcmp(k, "fault") == 0) {
		if (strcmp(v, "none") == 0)
			f = FAULT_NONE;
		else if (smpp_fault_parse(v, &f) == -1) {
			ctl_reply(c, "error unknown fault %s", v);
			return;
		}
		conf.fault = f;
		ctl_reply(c, "ok");
		return;
	}
	for (i = 0; i < nitems(keys); i++) {
		if (strcmp(k, keys[i].key) != 0)
			continue;
		if (number(v, keys[i].min, keys[i].max, &n) == -1) {
			ctl_reply(c, "error bad value %s", v);
			return;
		}
		if (keys[i].isint)
			*(int *)keys[i].var = (int)n;
		else
			*(unsigned *)keys[i].var = (unsigned)n;
		ctl_reply(c, "ok");
		return;
	}
	ctl_reply(c, "error unknown setting %s", k);
}

static void
cmd_watch(struct ctl *c, char *line)
{
	char	*w;
	int	 had = c->watch[0] != '\0';

	if ((w = word(&line)) == NULL) {
		ctl_reply(c, "error usage: watch NUMBER|*|off");
		return;
	}
	if (strcmp(w, "off") == 0)
		c->watch[0] = '\0';
	else if (strcmp(w, "*") == 0)
		(void)util_strlcpy(c->watch, "*", sizeof(c->watch));
	else
		norm_number(w, c->watch, sizeof(c->watch));
	nwatch += (c->watch[0] != '\0') - had;
	ctl_reply(c, "ok watch=%s", c->watch[0] != '\0' ? c->watch : "off");
}

static void
ctl_command(struct ctl *c, char *line)
{
	char	*cmd, stats[1024];

	if ((cmd = word(&line)) == NULL)
		return;
	if (strcmp(cmd, "mo") == 0)
		cmd_mo(c, line);
	else if (strcmp(cmd, "part") == 0)
		cmd_part(c, line);
	else if (strcmp(cmd, "ussd") == 0)
		cmd_ussd(c, line);
	else if (strcmp(cmd, "send") == 0)
		cmd_send(c, line);
	else if (strcmp(cmd, "set") == 0)
		cmd_set(c, line);
	else if (strcmp(cmd, "watch") == 0)
		cmd_watch(c, line);
	else if (strcmp(cmd, "stats") == 0) {
		smpp_stats(stats, sizeof(stats));
		ctl_reply(c, "ok %s", stats);
	} else if (strcmp(cmd, "flush") == 0) {
		smpp_flush();
		ctl_reply(c, "ok");
	} else if (strcmp(cmd, "quit") == 0) {
		ctl_reply(c, "ok");
		if (!c->stdio)
			ctl_drop(c);
	} else if (strcmp(cmd, "shutdown") == 0) {
		ctl_reply(c, "ok");
		if (event_base_loopbreak(base) == -1)
			log_warnx("event_base_loopbreak");
	} else if (strcmp(cmd, "help") == 0)
		ctl_reply(c, "ok commands: mo [-u] [-p] FROM TO TEXT | "
		    "part [-s] FROM TO REF SEQ TOTAL TEXT | "
		    "ussd FROM TEXT [OP [SESSION|-]] | send FAULT | "
		    "set KEY VALUE | watch NUMBER|*|off | stats | flush | "
		    "quit | shutdown");
	else
		ctl_reply(c, "error unknown command %s", cmd);
}

static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 n;

	while (!c->dead &&
	    (line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF)) != NULL) {
		if (n < CTL_LINE_MAX)
			ctl_command(c, line);
		else
			ctl_reply(c, "error line too long");
		free(line);
	}
	if (!c->dead && evbuffer_get_length(in) > CTL_LINE_MAX)
		ctl_drop(c);
	smpp_flush();
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl	*c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		ctl_drop(c);
}

static struct ctl *
ctl_new(evutil_socket_t fd, int stdio)
{
	struct ctl	*c;

	c = xcalloc(1, sizeof(*c));
	c->stdio = stdio;
	if ((c->bev = bufferevent_socket_new(base, fd,
	    stdio ? 0 : BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(c->bev, ctl_read_cb, NULL, ctl_event_cb, c);
	if (bufferevent_enable(c->bev, stdio ? EV_READ :
	    EV_READ | EV_WRITE) == -1)
		fatalx("bufferevent_enable");
	TAILQ_INSERT_TAIL(&ctls, c, entry);
	return c;
}

static void
ctl_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)l;
	(void)sa;
	(void)salen;
	(void)arg;
	(void)ctl_new(fd, 0);
}

int
ctl_listen(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) == -1) {
		log_warnx("%s: path too long for a socket", path);
		return -1;
	}
	/* A socket left by a killed simulator; anything else stays. */
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
	    unlink(path) == -1) {
		log_warn("unlink %s", path);
		return -1;
	}
	if ((ctl_listener = evconnlistener_new_bind(base, ctl_accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof(sun))) == NULL) {
		log_warn("listen on %s", path);
		return -1;
	}
	ctl_path = xstrdup(path);
	return 0;
}

void
ctl_stdin(void)
{
	struct stat	 sb;

	/* epoll takes neither files nor /dev/null: only ttys and pipes. */
	if (fstat(STDIN_FILENO, &sb) == -1)
		return;
	if (!S_ISFIFO(sb.st_mode) && !S_ISSOCK(sb.st_mode) &&
	    !(S_ISCHR(sb.st_mode) && isatty(STDIN_FILENO)))
		return;
	if (evutil_make_socket_nonblocking(STDIN_FILENO) == -1)
		log_warnx("stdin stays blocking");
	(void)ctl_new(STDIN_FILENO, 1);
}

void
ctl_notify(const struct pdu *p)
{
	static char		 text[3 * PDU_PAYLOAD_MAX + 1];
	static char		 esc[2 * sizeof(text)];
	char			 dst[32], num[24], src[32], part[32];
	struct smstext_concat	 cc;
	struct ctl		*c, *next;
	size_t			 hlen;
	int			 decoded = 0;

	if (nwatch == 0)
		return;
	(void)pdu_addr_format(&p->dst, dst, sizeof(dst));
	norm_number(dst, num, sizeof(num));
	for (c = TAILQ_FIRST(&ctls); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->watch[0] == '\0' || (strcmp(c->watch, "*") != 0 &&
		    strcmp(c->watch, num) != 0))
			continue;
		if (!decoded) {
			text_decode(p, text, sizeof(text));
			text_escape(text, esc, sizeof(esc));
			(void)pdu_addr_format(&p->src, src, sizeof(src));
			part[0] = '\0';
			memset(&cc, 0, sizeof(cc));
			if ((p->esm_class & PDU_ESM_UDHI) &&
			    smstext_udh_parse(p->data, p->data_len, &cc,
			    &hlen) == 0 && cc.present)
				(void)util_snprintf(part, sizeof(part),
				    " part=%u/%u", cc.seq, cc.total);
			else if (p->opt & PDU_OPT_SAR)
				(void)util_snprintf(part, sizeof(part),
				    " part=%u/%u", p->sar_segment_seqnum,
				    p->sar_total_segments);
			decoded = 1;
		}
		if ((p->opt & PDU_OPT_USSD_OP) ||
		    strcmp(p->service_type, "USSD") == 0)
			ctl_reply(c, "ussd op=%u src=%s dst=%s text=%s",
			    (p->opt & PDU_OPT_USSD_OP) ? p->ussd_service_op :
			    PDU_USSD_PSSR_RESP, src, dst, esc);
		else
			ctl_reply(c, "sms src=%s dst=%s dcs=%u%s text=%s", src,
			    dst, p->data_coding, part, esc);
	}
}

void
ctl_close(void)
{
	struct ctl	*c;

	while ((c = TAILQ_FIRST(&ctls)) != NULL) {
		TAILQ_REMOVE(&ctls, c, entry);
		bufferevent_free(c->bev);
		free(c);
	}
	if (ctl_listener != NULL)
		evconnlistener_free(ctl_listener);
	if (ctl_path != NULL) {
		if (unlink(ctl_path) == -1 && errno != ENOENT)
			log_warn("unlink %s", ctl_path);
		free(ctl_path);
	}
}
