/*
 * ctl_reminders: munictl reminders run [--dry-run], the daemon's daily run
 * by hand (say, after importing fees late in the day). It is the same run:
 * what the daemon already sent is marked and not sent again.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "ctl.h"
#include "i18n.h"
#include "reminders.h"

/* The usage line is in munictl.c's command table. */
static const char *use_run = "reminders run";

int
ctl_reminders(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct reminders_result	 res;
	struct store		*s;
	char			 err[512];
	int			 ch, dry = 0;

	if (argc < 2 || strcmp(argv[1], "run") != 0)
		return ctl_usage(use_run);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'n')
			return ctl_usage(use_run);
		dry = 1;
	}
	if (argc != optind)
		return ctl_usage(use_run);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (reminders_run(s, ctl->cfg, clock_now(), dry, &res, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "munictl reminders run: %s\n", err);
		return 1;
	}
	printf("dry_run=%d\nnin=%lld\ndog=%lld\nqueue=%lld\nreminders=%lld\n",
	    dry, (long long)res.nin, (long long)res.dog, (long long)res.queue,
	    (long long)(res.nin + res.dog + res.queue));
	if (dry)
		printf("%s\n", _("dry run: nothing was queued or marked"));
	return 0;
}
