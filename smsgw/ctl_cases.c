/*
 * ctl_cases: munictl case list | show | set — the police reports and
 * applications residents filed by SMS or at a kiosk, for the staff
 * who answer them. The texts are the residents' own: control characters
 * are shown as '?', so a text cannot drive the staff's terminal.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char use_list[] = "case list";
static const char use_show[] = "case show";
static const char use_set[] = "case set";

/*
 * Print text, controls as '?' (newlines too unless keep_nl), at most max
 * characters; how many it printed.
 */
static size_t
put_text(const char *t, size_t max, int keep_nl)
{
	size_t	 i, n = 0;

	for (i = 0; t[i] != '\0'; i++) {
		unsigned char	 c = (unsigned char)t[i];

		/* Characters, not bytes: continuation bytes are free. */
		if ((c & 0xc0) != 0x80 && n++ == max) {
			fputs("…", stdout);
			return n;
		}
		if (c == '\n' && keep_nl)
			putchar('\n');
		else if (c < 0x20 || c == 0x7f)
			putchar(c == '\n' || c == '\t' ? ' ' : '?');
		else
			putchar(c);
	}
	return n;
}

struct list_state {
	size_t	 n;
};

static int
list_cb(void *arg, const struct cases_row *r)
{
	struct list_state *ls = arg;
	char	 when[32];

	clock_datetime(r->created_at, when, sizeof(when));
	printf("%-14s %-19s %-11s %-10s %-5s %-11s ", r->case_no, when,
	    r->kind, r->category, r->channel, r->status);
	/* The name in a column of its own, so the texts line up. */
	printf("%*s", (int)(26 - put_text(r->resident[0] != '\0' ?
	    r->resident : r->phone[0] != '\0' ? r->phone : "-", 24, 0)), "");
	(void)put_text(r->text, 40, 0);
	putchar('\n');
	ls->n++;
	return 0;
}

static int
case_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_state ls = { 0 };
	struct store	*s;
	const char	*status = NULL, *kind = NULL;
	long long	 limit = 50;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (!cases_status_valid(optarg)) {
				fprintf(stderr, "munictl case list: --status "
				    "'%s': %s\n", optarg, _("the status is not "
				    "one of new, in_progress, done, "
				    "rejected"));
				return 2;
			}
			status = optarg;
			break;
		case 'k':
			if (strcmp(optarg, "police") != 0 &&
			    strcmp(optarg, "application") != 0) {
				fprintf(stderr, "munictl case list: --kind "
				    "'%s': %s\n", optarg, _("say police or "
				    "application"));
				return 2;
			}
			kind = optarg;
			break;
		case 'l':
			if (ctl_limit("case list", optarg, &limit) != 0)
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
	if (cases_list(s, status, kind, (size_t)limit, list_cb, &ls) == -1) {
		fprintf(stderr, "munictl case list: %s\n", store_errmsg(s));
		return 1;
	}
	printf("cases=%zu\n", ls.n);
	return 0;
}

static int
case_show(struct ctl *ctl, int argc, char **argv)
{
	struct cases_row r;
	struct store	*s;
	char		 when[32];
	int		 rc;

	if (argc != 2)
		return ctl_usage(use_show);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if ((rc = cases_get(s, argv[1], &r)) == -1) {
		fprintf(stderr, "munictl case show: %s\n", store_errmsg(s));
		return 1;
	}
	if (rc == 1) {
		fprintf(stderr, "munictl case show: %s: %s\n", argv[1],
		    _("there is no case with that number"));
		return 1;
	}
	clock_datetime(r.created_at, when, sizeof(when));
	printf("case=%s\nkind=%s\ncategory=%s\nchannel=%s\nstatus=%s\n"
	    "filed=%s\nphone=%s\n", r.case_no, r.kind, r.category, r.channel,
	    r.status, when, r.phone);
	fputs("resident=", stdout);
	(void)put_text(r.resident, sizeof(r.resident), 0);
	fputs("\ntext:\n", stdout);
	(void)put_text(r.text, sizeof(r.text), 1);
	putchar('\n');
	return 0;
}

/*
 * case set: the status, and the resident told by SMS under topic
 * iesniegumi (cases_set_status_notify): what became of it is printed
 * (sms=queued|none|no_resident|no_phone|unsubscribed) and audited.
 */
static int
case_set(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct cases_notify nf;
	struct store	*s;
	enum cases_sms	 sms;
	const char	*as = NULL, *who;
	char		 err[CASES_ERR_SIZE];
	int64_t		 id;
	int		 ch, rc;

	memset(&nf, 0, sizeof(nf));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			as = optarg;
		else if (ch == 'n')
			nf.note = optarg;
		else
			return ctl_usage(use_set);
	}
	if (argc - optind != 2)
		return ctl_usage(use_set);
	if ((who = ctl_actor(ctl, as, "case set")) == NULL ||
	    (s = ctl_store(ctl)) == NULL)
		return 1;
	nf.encoding = config_str(ctl->cfg, CFG_SMS_ENCODING);
	config_timerange(ctl->cfg, CFG_SMS_QUIET_HOURS, &nf.quiet_start,
	    &nf.quiet_end);
	rc = cases_set_status_notify(s, argv[optind], argv[optind + 1], &nf,
	    who, &sms, &id, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "munictl case set: %s: %s\n", argv[optind],
		    err);
		return 1;
	}
	printf("case=%s status=%s sms=%s\n", argv[optind], argv[optind + 1],
	    cases_sms_name(sms));
	return 0;
}

int
ctl_cases(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2) {
		return ctl_usage_lines(stderr, use_list, use_show, use_set,
		    (const char *)NULL);
	}
	if (strcmp(argv[1], "list") == 0)
		return case_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return case_show(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return case_set(ctl, argc - 1, argv + 1);
	return ctl_unknown("case", argv[1]);
}
