/*
 * ctl_topics: munictl topic list | add | set | remove — the notification
 * topics residents choose with START/STOP and broadcasts are sent under.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"
#include "topics.h"

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char use_list[] = "topic list";
static const char use_add[] = "topic add";
static const char use_set[] = "topic set";
static const char use_remove[] = "topic remove";

struct topic_opts {
	const char	*name_lv;
	const char	*name_en;
	const char	*as;
	int		 default_on;	/* -1 not given */
};

/* Parse the options of add and set; 0, or 2 after printing usage. */
static int
parse_opts(int argc, char **argv, const char *use, struct topic_opts *o)
{
	static const struct option opts[] = {
		{ "name-lv", required_argument, NULL, 'l' },
		{ "name-en", required_argument, NULL, 'e' },
		{ "default", required_argument, NULL, 'd' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->default_on = -1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o->name_lv = optarg;
			break;
		case 'e':
			o->name_en = optarg;
			break;
		case 'd':
			if (strcmp(optarg, "on") == 0)
				o->default_on = 1;
			else if (strcmp(optarg, "off") == 0)
				o->default_on = 0;
			else {
				fprintf(stderr, "munictl topic: --default "
				    "%s: ", optarg);
				fprintf(stderr, "%s\n", _("say on (residents "
				    "receive it until they send STOP) or off "
				    "(only after START)"));
				return 2;
			}
			break;
		case 'a':
			o->as = optarg;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	return 0;
}

/* Record who changed a topic; the change is undone when this fails. */
static int
finish(struct store *s, const char *cmd, const char *who, const char *code,
    int rc, const char *err)
{

	if (rc != 0) {
		store_rollback(s);
		fprintf(stderr, "munictl topic %s: %s\n", cmd, err);
		return 1;
	}
	if (store_audit(s, who, cmd[0] == 'a' ?
	    "topic add" : cmd[0] == 's' ? "topic set" : "topic remove",
	    code) == -1 || store_commit(s) == -1) {
		store_rollback(s);
		fprintf(stderr, "munictl topic %s: %s: %s\n", cmd,
		    _("database error"), store_errmsg(s));
		return 1;
	}
	return 0;
}

static int
topic_list(struct ctl *ctl, int argc, char **argv)
{
	struct topics_info t[TOPICS_MAX];
	struct store	*s;
	size_t		 n, i;

	(void)argv;
	if (argc != 1)
		return ctl_usage(use_list);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (topics_list(s, t, TOPICS_MAX, &n) == -1) {
		fprintf(stderr, "munictl topic list: %s: %s\n",
		    _("database error"), store_errmsg(s));
		return 1;
	}
	/* Figures as words first, the names (with blanks) after a tab. */
	for (i = 0; i < n; i++)
		printf("topic=%s default=%s emergency=%d opted_in=%lld "
		    "opted_out=%lld\t%s / %s\n", t[i].code,
		    t[i].default_on ? "on" : "off", t[i].emergency,
		    (long long)t[i].opted_in, (long long)t[i].opted_out,
		    t[i].name_lv, t[i].name_en);
	printf("topics=%zu\n", n);
	return 0;
}

static int
topic_add(struct ctl *ctl, int argc, char **argv)
{
	struct topic_opts o;
	struct store	*s;
	const char	*who;
	char		 err[TOPICS_ERR_SIZE];
	int		 rc;

	if ((rc = parse_opts(argc, argv, use_add, &o)) != 0)
		return rc;
	if (o.name_lv == NULL || o.name_en == NULL) {
		fprintf(stderr, "munictl topic add: %s\n", _("a topic needs "
		    "--name-lv and --name-en"));
		return 2;
	}
	if ((who = ctl_actor(ctl, o.as, "topic add")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "topic add") != 0 ||
	    (s = ctl_store(ctl)) == NULL || store_begin(s) == -1)
		return 1;
	/* A new topic reaches only residents who ask, unless told. */
	rc = topics_add(s, argv[optind], o.name_lv, o.name_en,
	    o.default_on == 1, err, sizeof(err));
	if ((rc = finish(s, "add", who, argv[optind], rc, err)) != 0)
		return rc;
	printf("topic=%s default=%s\n", argv[optind],
	    o.default_on == 1 ? "on" : "off");
	return 0;
}

static int
topic_set(struct ctl *ctl, int argc, char **argv)
{
	struct topic_opts o;
	struct topics_info t;
	struct store	*s;
	const char	*who;
	char		 err[TOPICS_ERR_SIZE];
	int		 rc;

	if ((rc = parse_opts(argc, argv, use_set, &o)) != 0)
		return rc;
	if (o.name_lv == NULL && o.name_en == NULL && o.default_on == -1) {
		fprintf(stderr, "munictl topic set: %s\n", _("nothing to "
		    "change: give --name-lv, --name-en or --default"));
		return 2;
	}
	if ((who = ctl_actor(ctl, o.as, "topic set")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "topic set") != 0 ||
	    (s = ctl_store(ctl)) == NULL || store_begin(s) == -1)
		return 1;
	rc = topics_set(s, argv[optind], o.name_lv, o.name_en, o.default_on,
	    err, sizeof(err));
	if ((rc = finish(s, "set", who, argv[optind], rc, err)) != 0)
		return rc;
	if (topics_get(s, argv[optind], &t) != 0)
		return 1;
	printf("topic=%s default=%s emergency=%d\t%s / %s\n", t.code,
	    t.default_on ? "on" : "off", t.emergency, t.name_lv, t.name_en);
	return 0;
}

static int
topic_remove(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*s;
	const char	*as = NULL, *code, *deftopic, *who;
	char		 err[TOPICS_ERR_SIZE];
	int64_t		 dropped;
	int		 ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'a')
			return ctl_usage(use_remove);
		as = optarg;
	}
	if (argc - optind != 1)
		return ctl_usage(use_remove);
	code = argv[optind];
	/* Broadcasts without --topic go out under this one. */
	deftopic = config_str(ctl->cfg, CFG_BROADCAST_DEFAULT_TOPIC);
	if (deftopic != NULL && strcmp(deftopic, code) == 0) {
		fprintf(stderr, "munictl topic remove: ");
		fprintf(stderr, _("topic '%s' is [broadcast] default_topic in "
		    "the configuration"), code);
		fputc('\n', stderr);
		return 1;
	}
	if ((who = ctl_actor(ctl, as, "topic remove")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "topic remove") != 0 ||
	    (s = ctl_store(ctl)) == NULL || store_begin(s) == -1)
		return 1;
	rc = topics_remove(s, code, &dropped, err, sizeof(err));
	if ((rc = finish(s, "remove", who, code, rc, err)) != 0)
		return rc;
	printf("removed=%s subscriptions_dropped=%lld\n", code,
	    (long long)dropped);
	return 0;
}

int
ctl_topics(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2) {
		return ctl_usage_lines(stderr, use_list, use_add, use_set,
		    use_remove, (const char *)NULL);
	}
	if (strcmp(argv[1], "list") == 0)
		return topic_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "add") == 0)
		return topic_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return topic_set(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "remove") == 0)
		return topic_remove(ctl, argc - 1, argv + 1);
	return ctl_unknown("topic", argv[1]);
}
