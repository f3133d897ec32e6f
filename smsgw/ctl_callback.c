/*
 * ctl_callback: munictl callback list, retry and drop — the queue of
 * events posted to the municipality's systems (issue 23). Retrying and
 * dropping are an admin's and audited; the gateway posts a retried row
 * within a second.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "callback.h"
#include "clock.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

static const char use_list[] = "callback list";
static const char use_retry[] = "callback retry";
static const char use_drop[] = "callback drop";

static int
list_cb(void *arg, const struct callback_info *ci)
{
	char	 made[32], next[32];

	(void)arg;
	clock_datetime(ci->created_at, made, sizeof(made));
	if (strcmp(ci->state, "pending") == 0 && ci->next_at > 0)
		clock_datetime(ci->next_at, next, sizeof(next));
	else
		(void)util_strlcpy(next, "-", sizeof(next));
	printf("id=%lld target=%s event=%s subject=%s state=%s attempts=%d "
	    "created=\"%s\" next=\"%s\" error=\"%s\"\n", (long long)ci->id,
	    ci->target, ci->event, ci->subject, ci->state, ci->attempts, made,
	    next, ci->last_error);
	return 0;
}

static int
cb_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const states[] = { "pending", "sending", "done",
	    "failed" };
	struct store	*s;
	const char	*state = NULL;
	long long	 limit = 100;
	size_t		 i;
	int		 ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 's')
			state = optarg;
		else if (ch == 'l') {
			if ((rc = ctl_limit("callback list", optarg,
			    &limit)) != 0)
				return rc;
		} else
			return ctl_usage(use_list);
	}
	if (argc != optind)
		return ctl_usage(use_list);
	for (i = 0; state != NULL && i < nitems(states); i++)
		if (strcmp(state, states[i]) == 0)
			break;
	if (state != NULL && i == nitems(states)) {
		fprintf(stderr, "munictl callback list: ");
		fprintf(stderr, _("unknown state '%s' (pending, sending, done "
		    "or failed)"), state);
		fputc('\n', stderr);
		return 2;
	}
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (callback_list(s, state, limit, list_cb, NULL) == -1) {
		fprintf(stderr, "munictl callback list: %s\n",
		    store_errmsg(s));
		return 1;
	}
	return 0;
}

/* The row id of argv: 0, or 2 after saying what is wrong. */
static int
row_id(const char *cmd, const char *arg, int64_t *id)
{
	long long	 n;
	const char	*errstr;

	if (util_strtonum(arg, 1, INT64_MAX, &n, &errstr) == -1) {
		fprintf(stderr, "munictl %s: ", cmd);
		fprintf(stderr, _("'%s' is no callback id (a number that "
		    "munictl callback list shows)"), arg);
		fputc('\n', stderr);
		return 2;
	}
	*id = n;
	return 0;
}

static int
cb_retry(struct ctl *ctl, int argc, char **argv)
{
	const char	*who;
	char		 err[CALLBACK_ERR_SIZE];
	int64_t		 id = 0, n;
	int		 rc;

	if (argc != 2)
		return ctl_usage(use_retry);
	if (strcmp(argv[1], "--failed") != 0 &&
	    (rc = row_id("callback retry", argv[1], &id)) != 0)
		return rc;
	if ((who = ctl_actor(ctl, NULL, "callback retry")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "callback retry") != 0)
		return 1;
	if (callback_retry(ctl->store, who, id, &n, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl callback retry: %s\n", err);
		return 1;
	}
	printf("retried=%lld\n", (long long)n);
	return 0;
}

static int
cb_drop(struct ctl *ctl, int argc, char **argv)
{
	const char	*who;
	char		 err[CALLBACK_ERR_SIZE];
	int64_t		 id;
	int		 rc;

	if (argc != 2)
		return ctl_usage(use_drop);
	if ((rc = row_id("callback drop", argv[1], &id)) != 0)
		return rc;
	if ((who = ctl_actor(ctl, NULL, "callback drop")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "callback drop") != 0)
		return 1;
	if (callback_drop(ctl->store, who, id, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl callback drop: %s\n", err);
		return 1;
	}
	printf("id=%lld dropped=1\n", (long long)id);
	return 0;
}

int
ctl_callback(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 2) {
		if (strcmp(argv[1], "list") == 0)
			return cb_list(ctl, argc - 1, argv + 1);
		if (strcmp(argv[1], "retry") == 0)
			return cb_retry(ctl, argc - 1, argv + 1);
		if (strcmp(argv[1], "drop") == 0)
			return cb_drop(ctl, argc - 1, argv + 1);
	}
	return ctl_usage_lines(stderr, use_list, use_retry, use_drop,
	    (const char *)NULL);
}
