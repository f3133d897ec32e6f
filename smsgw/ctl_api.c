/*
 * ctl_api: munictl api token add, list and revoke — the HTTP API's named
 * clients. A new token is printed once (token=CLIENT:SECRET) and only its
 * hash is kept; the old [http] token_file keeps working beside them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "apitoken.h"
#include "clock.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char *use_add = "api token add";
static const char *use_list = "api token list";
static const char *use_revoke = "api token revoke";

static int
tok_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scope", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	enum apitoken_scope	 sc;
	const char		*scope = NULL, *who;
	char			 token[APITOKEN_SIZE], err[APITOKEN_ERR_SIZE];
	int			 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 's')
			return ctl_usage(use_add);
		scope = optarg;
	}
	if (argc - optind != 1 || scope == NULL)
		return ctl_usage(use_add);
	if (apitoken_scope_parse(scope, &sc) == -1) {
		fprintf(stderr, "munictl api token add: ");
		fprintf(stderr, _("unknown scope '%s' (messages or "
		    "broadcasts)"), scope);
		fputc('\n', stderr);
		return 2;
	}
	if ((who = ctl_actor(ctl, NULL, "api token add")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "api token add") != 0)
		return 1;
	if (apitoken_add(ctl->store, who, argv[optind], sc, token,
	    sizeof(token), err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl api token add: %s\n", err);
		return 1;
	}
	printf("client=%s scope=%s\ntoken=%s\n", argv[optind],
	    apitoken_scope_name(sc), token);
	fprintf(stderr, "%s\n", _("The token is shown this once: only its "
	    "hash is kept."));
	explicit_bzero(token, sizeof(token));
	return 0;
}

static int
list_cb(void *arg, const struct apitoken_info *ti)
{
	char	 made[32], gone[32];

	(void)arg;
	clock_datetime(ti->created_at, made, sizeof(made));
	if (ti->revoked_at != 0)
		clock_datetime(ti->revoked_at, gone, sizeof(gone));
	else
		(void)util_strlcpy(gone, "-", sizeof(gone));
	printf("client=%s scope=%s created=\"%s\" revoked=\"%s\"\n",
	    ti->client, apitoken_scope_name(ti->scope), made, gone);
	return 0;
}

static int
tok_list(struct ctl *ctl, int argc, char **argv)
{
	struct store	*s;

	(void)argv;
	if (argc != 1)
		return ctl_usage(use_list);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (apitoken_list(s, list_cb, NULL) == -1) {
		fprintf(stderr, "munictl api token list: %s\n",
		    store_errmsg(s));
		return 1;
	}
	return 0;
}

static int
tok_revoke(struct ctl *ctl, int argc, char **argv)
{
	const char	*who;
	char		 err[APITOKEN_ERR_SIZE];

	if (argc != 2)
		return ctl_usage(use_revoke);
	if ((who = ctl_actor(ctl, NULL, "api token revoke")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "api token revoke") != 0)
		return 1;
	if (apitoken_revoke(ctl->store, who, argv[1], err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "munictl api token revoke: %s\n", err);
		return 1;
	}
	printf("client=%s revoked=1\n", argv[1]);
	return 0;
}

int
ctl_api(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "token") == 0) {
		if (strcmp(argv[2], "add") == 0)
			return tok_add(ctl, argc - 2, argv + 2);
		if (strcmp(argv[2], "list") == 0)
			return tok_list(ctl, argc - 2, argv + 2);
		if (strcmp(argv[2], "revoke") == 0)
			return tok_revoke(ctl, argc - 2, argv + 2);
	}
	return ctl_usage_lines(stderr, use_add, use_list, use_revoke,
	    (const char *)NULL);
}
