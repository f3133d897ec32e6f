/*
 * ctl_broadcast: munictl broadcast preview, send, status, list, cancel and
 * approve. A send shows the preview first and asks on the terminal; without
 * a terminal it sends only with --yes, so a script never sends by accident.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broadcast.h"
#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "groups.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char *use_preview = "broadcast preview";
static const char *use_send = "broadcast send";
static const char *use_status = "broadcast status";
static const char *use_list = "broadcast list";
static const char *use_cancel = "broadcast cancel";
static const char *use_approve = "broadcast approve";

struct bopts {
	const char	*group;
	const char	*text;
	const char	*topic;
	const char	*at;
	const char	*as;
	int		 emergency;
	int		 yes;
};

/* Options of preview and send; returns 0, or 2 after printing usage. */
static int
parse_opts(int argc, char **argv, struct bopts *o, const char *use,
    int sending)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "text", required_argument, NULL, 't' },
		{ "topic", required_argument, NULL, 'T' },
		{ "at", required_argument, NULL, 'A' },
		{ "emergency", no_argument, NULL, 'e' },
		{ "yes", no_argument, NULL, 'y' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			o->group = optarg;
			break;
		case 't':
			o->text = optarg;
			break;
		case 'T':
			o->topic = optarg;
			break;
		case 'A':
			o->at = optarg;
			break;
		case 'e':
			o->emergency = 1;
			break;
		case 'y':
			if (!sending)
				return ctl_usage(use);
			o->yes = 1;
			break;
		case 'a':
			o->as = optarg;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (argc != optind || o->group == NULL || o->text == NULL)
		return ctl_usage(use);
	return 0;
}

/* The request from the options; 0, or 1 after printing why not. */
static int
make_req(struct store *s, const char *cmd, const struct bopts *o,
    struct broadcast_req *req, struct groups_info *g)
{
	const char	*errstr;
	char		 err[GROUPS_ERR_SIZE];

	memset(req, 0, sizeof(*req));
	if (groups_find(s, o->group, g, err, sizeof(err)) != 0) {
		fprintf(stderr, "munictl broadcast %s: %s\n", cmd, err);
		return 1;
	}
	req->group_id = g->id;
	req->text = o->text;
	req->topic = o->topic;
	req->emergency = o->emergency;
	if (o->at != NULL && broadcast_parse_time(o->at, clock_now(),
	    &req->at, &errstr) == -1) {
		fprintf(stderr, "munictl broadcast %s: --at '%s' %s\n", cmd,
		    o->at, _(errstr));
		return 1;
	}
	return 0;
}

static void
print_preview(const struct broadcast_params *bp, const char *group,
    const struct broadcast_preview *pv)
{
	char	 start[32], finish[32], end[8];

	clock_datetime(pv->start, start, sizeof(start));
	clock_datetime(pv->finish, finish, sizeof(finish));
	printf("group=%s\ntopic=%s\nemergency=%d\n", group, pv->topic,
	    pv->emergency);
	printf("members=%lld\nno_mobile=%lld\nopted_out=%lld\nno_data=%lld\n"
	    "duplicates=%lld\n", (long long)pv->members,
	    (long long)pv->no_mobile, (long long)pv->opted_out,
	    (long long)pv->no_data, (long long)pv->duplicates);
	printf("recipients=%lld\n", (long long)pv->recipients);
	printf("encoding=%s\ngsm7_messages=%lld\nucs2_messages=%lld\n",
	    pv->ucs2 == 0 ? "GSM-7" : pv->gsm7 == 0 ? "UCS-2" : "mixed",
	    (long long)pv->gsm7, (long long)pv->ucs2);
	printf("segments_per_message=%d\nsegments=%lld\ncost=%.3f\n",
	    pv->max_segments, (long long)pv->segments, pv->cost);
	printf("max_tps=%d\nduration_s=%lld\nstart=\"%s\"\nfinish=\"%s\"\n",
	    bp->max_tps, (long long)pv->duration_s, start, finish);
	if (bp->quiet_start != bp->quiet_end)
		printf("quiet_hours=%02d:%02d-%02d:%02d\n",
		    bp->quiet_start / 60, bp->quiet_start % 60,
		    bp->quiet_end / 60, bp->quiet_end % 60);
	else
		printf("quiet_hours=none\n");
	printf("quiet_moved_start=%d\nquiet_pauses=%d\nquiet_held=%lld\n",
	    pv->start_moved, pv->quiet_pauses, (long long)pv->quiet_held);
	(void)util_snprintf(end, sizeof(end), "%02d:%02d", bp->quiet_end / 60,
	    bp->quiet_end % 60);
	if (pv->emergency)
		printf("%s\n", _("Emergency: opt-outs and quiet hours do not "
		    "apply."));
	else if (pv->start_moved)
		printf(_("Quiet hours: sending starts at %s.\n"), start);
	if (pv->quiet_pauses > 0)
		printf(_("Quiet hours interrupt the sending %d times: %lld "
		    "messages wait until %s.\n"), pv->quiet_pauses,
		    (long long)pv->quiet_held, end);
	if (pv->max_segments > bp->max_segments)
		printf(_("over the limit: %d segments, [sms] max_segments is "
		    "%d\n"), pv->max_segments, bp->max_segments);
	/* An emergency is never held: the approvers are told instead. */
	if (pv->recipients > bp->approval_threshold && !pv->emergency)
		printf(_("Above %lld recipients: a different staff member must "
		    "approve it (munictl broadcast approve ID).\n"),
		    (long long)bp->approval_threshold);
	if (pv->recipients > 0)
		printf("%s %s\n", _("first message:"), pv->sample);
}

static int
bc_preview(struct ctl *ctl, int argc, char **argv)
{
	struct broadcast_params	 bp;
	struct broadcast_req	 req;
	struct broadcast_preview pv;
	struct groups_info	 g;
	struct bopts		 o;
	struct store		*s;
	char			 err[BROADCAST_ERR_SIZE];
	int			 r;

	if ((r = parse_opts(argc, argv, &o, use_preview, 0)) != 0)
		return r;
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (make_req(s, "preview", &o, &req, &g) != 0)
		return 1;
	broadcast_params_init(&bp, ctl->cfg);
	if (broadcast_preview(s, &bp, &req, &pv, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl broadcast preview: %s\n", err);
		return 1;
	}
	print_preview(&bp, g.name, &pv);
	return 0;
}

/* Ask on the terminal; 1 for yes. */
static int
confirm(const struct broadcast_preview *pv, const char *group)
{
	char	 line[32];

	fprintf(stderr, _("Send %lld messages to group %s? [y/N] "),
	    (long long)pv->recipients, group);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	(void)util_trim(line);
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 ||
	    strcmp(line, "yes") == 0 || strcmp(line, "j") == 0 ||
	    strcmp(line, "jā") == 0;
}

static int
bc_send(struct ctl *ctl, int argc, char **argv)
{
	struct broadcast_params	 bp;
	struct broadcast_req	 req;
	struct broadcast_preview pv, out;
	struct groups_info	 g;
	struct bopts		 o;
	struct store		*s;
	char			 err[BROADCAST_ERR_SIZE];
	int64_t			 id;
	int			 r;

	if ((r = parse_opts(argc, argv, &o, use_send, 1)) != 0)
		return r;
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (make_req(s, "send", &o, &req, &g) != 0)
		return 1;
	if ((req.actor = ctl_actor(ctl, o.as, "broadcast send")) == NULL)
		return 1;
	broadcast_params_init(&bp, ctl->cfg);
	if (broadcast_preview(s, &bp, &req, &pv, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl broadcast send: %s\n", err);
		return 1;
	}
	print_preview(&bp, g.name, &pv);
	fflush(stdout);
	if (!o.yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "munictl broadcast send: %s\n",
			    _("not sent: no terminal to ask on (add --yes to "
			    "send)"));
			return 1;
		}
		if (!confirm(&pv, g.name)) {
			fprintf(stderr, "munictl broadcast send: %s\n",
			    _("not sent"));
			return 1;
		}
	}
	if ((id = broadcast_send(s, &bp, &req, &pv, &out, err,
	    sizeof(err))) == -1) {
		fprintf(stderr, "munictl broadcast send: %s\n", err);
		return 1;
	}
	printf("broadcast=%lld\n", (long long)id);
	if (out.awaiting) {
		printf("broadcast_state=awaiting_approval\n");
		printf(_("Broadcast %lld waits for a different staff member: "
		    "munictl broadcast approve %lld\n"), (long long)id,
		    (long long)id);
	} else
		printf("broadcast_state=scheduled\nmessages=%lld\n",
		    (long long)out.recipients);
	return 0;
}

static int
parse_id(const char *cmd, const char *arg, int64_t *id)
{
	const char	*errstr;
	long long	 v;

	if (util_strtonum(arg, 1, INT64_MAX, &v, &errstr) == -1) {
		fprintf(stderr, "munictl broadcast %s: '%s' %s\n", cmd, arg,
		    _(errstr));
		return -1;
	}
	*id = v;
	return 0;
}

static void
progress_bar(const int64_t counts[BROADCAST_NSTATES], int64_t total)
{
	int64_t		 left = counts[0] + counts[1];	/* queued, inflight */
	int		 width = 40, fill, i;

	if (total <= 0)
		return;
	fill = (int)((total - left) * width / total);
	fputc('[', stdout);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stdout);
	printf("] %lld%% %s\n", (long long)((total - left) * 100 / total),
	    _("handed to the SMSC or finished"));
}

static int
bc_status(struct ctl *ctl, int argc, char **argv)
{
	struct broadcast_info	 bi;
	struct store		*s;
	int64_t			 id = 0, counts[BROADCAST_NSTATES], total = 0;
	char			 when[32];
	int			 i, r;

	if (argc > 2)
		return ctl_usage(use_status);
	if (argc == 2 && parse_id("status", argv[1], &id) == -1)
		return 2;
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (argc == 1 && (id = broadcast_latest(s)) <= 0) {
		fprintf(stderr, "munictl broadcast status: %s\n", id == 0 ?
		    _("no broadcast yet") : store_errmsg(s));
		return 1;
	}
	if ((r = broadcast_get(s, id, &bi)) != 0 ||
	    broadcast_status(s, id, counts) == -1) {
		if (r == 1)
			fprintf(stderr, _("munictl broadcast status: no "
			    "broadcast %lld\n"), (long long)id);
		else
			fprintf(stderr, "munictl broadcast status: %s\n",
			    store_errmsg(s));
		return 1;
	}
	clock_datetime(bi.created_at, when, sizeof(when));
	printf("broadcast=%lld\ngroup=%s\ntopic=%s\nbroadcast_state=%s\n"
	    "recipients=%lld\nsegments=%lld\ncreated_by=%s\ncreated=\"%s\"\n",
	    (long long)bi.id, bi.group, bi.topic, bi.state,
	    (long long)bi.recipients, (long long)bi.segments, bi.created_by,
	    when);
	if (bi.approved_by[0] != '\0')
		printf("approved_by=%s\n", bi.approved_by);
	for (i = 0; i < BROADCAST_NSTATES; i++) {
		printf("%s=%lld\n", broadcast_states[i], (long long)counts[i]);
		total += counts[i];
	}
	if (isatty(STDOUT_FILENO))
		progress_bar(counts, total);
	return 0;
}

static int
list_cb(void *arg, const struct broadcast_info *bi)
{
	char	 when[32];

	(void)arg;
	clock_datetime(bi->created_at, when, sizeof(when));
	printf("%-6lld %-19s %-17s %-20s %-10s %8lld %-12s %.40s\n",
	    (long long)bi->id, when, bi->state, bi->group, bi->topic,
	    (long long)bi->recipients, bi->created_by, bi->text);
	return 0;
}

static int
bc_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*s;
	long long	 limit = 50;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (ctl_limit("broadcast list", optarg, &limit) != 0)
				return 2;
			break;
		default:
			return ctl_usage(use_list);
		}
	}
	if (argc != optind)
		return ctl_usage(use_list);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (broadcast_list(s, (size_t)limit, list_cb, NULL) == -1) {
		fprintf(stderr, "munictl broadcast list: %s\n",
		    store_errmsg(s));
		return 1;
	}
	return 0;
}

/* ID [--as WHO] of cancel and approve. */
static int
id_opts(int argc, char **argv, const char *use, const char *cmd, int64_t *id,
    const char **as)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	*as = NULL;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'a')
			return ctl_usage(use);
		*as = optarg;
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	return parse_id(cmd, argv[optind], id) == -1 ? 2 : 0;
}

static int
bc_cancel(struct ctl *ctl, int argc, char **argv)
{
	struct broadcast_info	 bi;
	struct store		*s;
	const char		*as, *who;
	char			 err[BROADCAST_ERR_SIZE];
	int64_t			 id, n;
	int			 r;

	if ((r = id_opts(argc, argv, use_cancel, "cancel", &id, &as)) != 0)
		return r;
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if ((who = ctl_actor(ctl, as, "broadcast cancel")) == NULL)
		return 1;
	if (broadcast_cancel(s, id, who, &n, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "munictl broadcast cancel: %s\n", err);
		return 1;
	}
	printf("broadcast=%lld\ncancelled=%lld\n", (long long)id,
	    (long long)n);
	if (broadcast_get(s, id, &bi) == 0)
		printf("broadcast_state=%s\n", bi.state);
	return 0;
}

static int
bc_approve(struct ctl *ctl, int argc, char **argv)
{
	struct broadcast_params	 bp;
	struct broadcast_preview out;
	struct store		*s;
	const char		*as, *who;
	char			 err[BROADCAST_ERR_SIZE];
	int64_t			 id;
	int			 r;

	if ((r = id_opts(argc, argv, use_approve, "approve", &id, &as)) != 0)
		return r;
	/* The second pair of eyes is the person at the keyboard, no other. */
	if (as != NULL) {
		fprintf(stderr, "munictl broadcast approve: %s\n", _("--as is "
		    "not taken here: an approval is always made as yourself"));
		return 2;
	}
	if ((s = ctl_store(ctl)) == NULL ||
	    ctl_may(ctl, STAFF_R_APPROVE, "broadcast approve") != 0)
		return 1;
	who = ctl->who.name;
	broadcast_params_init(&bp, ctl->cfg);
	if (broadcast_approve(s, &bp, id, who, &out, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl broadcast approve: %s\n", err);
		return 1;
	}
	printf("broadcast=%lld\napproved_by=%s\nbroadcast_state=scheduled\n"
	    "recipients=%lld\nsegments=%lld\ncost=%.3f\nmessages=%lld\n",
	    (long long)id, who, (long long)out.recipients,
	    (long long)out.segments, out.cost, (long long)out.recipients);
	return 0;
}

int
ctl_broadcast(struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(struct ctl *, int, char **);
	} cmds[] = {
		{ "preview", bc_preview }, { "send", bc_send },
		{ "status", bc_status }, { "list", bc_list },
		{ "cancel", bc_cancel }, { "approve", bc_approve },
	};
	size_t	 i;

	if (argc >= 2)
		for (i = 0; i < nitems(cmds); i++)
			if (strcmp(argv[1], cmds[i].name) == 0)
				return cmds[i].fn(ctl, argc - 1, argv + 1);
	if (argc >= 2)
		return ctl_unknown("broadcast", argv[1]);
	return ctl_usage_lines(stderr, use_preview, use_send, use_status,
	    use_list, use_cancel, use_approve, (const char *)NULL);
}
