/*
 * ctl_groups: munictl group add, list, show and members - the resident
 * groups staff send broadcasts to. Members are shown with masked phones
 * and names, never with personal codes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "clock.h"
#include "ctl.h"
#include "groups.h"
#include "i18n.h"
#include "ident.h"
#include "rule.h"
#include "store.h"
#include "util.h"

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char *use_add = "group add";
static const char *use_list = "group list";
static const char *use_show = "group show";
static const char *use_members = "group members";
static const char *use_remove = "group remove";

/*
 * After "LINE:COL: ..." about a one-line rule, show the rule with a caret
 * under the column (columns count characters).
 */
static void
show_caret(const char *rule, const char *err)
{
	long long	 line, col, i;
	const char	*p;
	char		 num[16];
	size_t		 n;

	n = strcspn(err, ":");
	if (n == 0 || n >= sizeof(num) || strchr(rule, '\n') != NULL ||
	    strlen(rule) > 160)
		return;
	(void)util_snprintf(num, sizeof(num), "%.*s", (int)n, err);
	if (util_strtonum(num, 1, 1, &line, &p) == -1)
		return;
	err += n + 1;
	n = strcspn(err, ":");
	if (n == 0 || n >= sizeof(num))
		return;
	(void)util_snprintf(num, sizeof(num), "%.*s", (int)n, err);
	if (util_strtonum(num, 1, RULE_TEXT_MAX + 1, &col, &p) == -1)
		return;
	fprintf(stderr, "  %s\n  ", rule);
	for (p = rule, i = 1; *p != '\0' && i < col; p++)
		if (((unsigned char)*p & 0xc0) != 0x80) {
			i++;
			fputc(*p == '\t' ? '\t' : ' ', stderr);
		}
	fputs("^\n", stderr);
}

static void
warn_cb(void *arg, const char *msg)
{
	const char	*rule = arg;

	fprintf(stderr, "munictl group add: %s: %s\n", _("warning"), msg);
	show_caret(rule, msg);
}

struct empty_arg {
	const char	*rule;
	int		 n;
};

/* Without --allow-empty a value that matches nothing is an error. */
static void
empty_cb(void *arg, const char *msg)
{
	struct empty_arg	*ea = arg;

	fprintf(stderr, "munictl group add: %s\n", msg);
	show_caret(ea->rule, msg);
	ea->n++;
}

/*
 * A territory, institution or fee kind that matches nothing is most
 * likely a typo, and the group it makes sends to nobody: refused unless
 * the staff member says it is meant (a new parish, a fee kind not billed
 * yet). 0 when the rule may be added.
 */
static int
refuse_empty(struct store *s, const char *text)
{
	struct empty_arg	 ea;
	struct rule		*r;
	char			 err[GROUPS_ERR_SIZE];

	/* Parse errors are groups_add_rule's to report. */
	if ((r = rule_parse(text, err, sizeof(err))) == NULL)
		return 0;
	ea.rule = text;
	ea.n = 0;
	if (rule_check(s, r, empty_cb, &ea, err, sizeof(err)) == -1)
		ea.n = 0;
	rule_free(r);
	if (ea.n > 0)
		fprintf(stderr, "munictl group add: %s\n", _("the group would "
		    "be empty for the reason above; --allow-empty adds it all "
		    "the same"));
	return ea.n > 0 ? -1 : 0;
}

static int
group_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rule", required_argument, NULL, 'r' },
		{ "file", required_argument, NULL, 'f' },
		{ "as", required_argument, NULL, 'a' },
		{ "allow-empty", no_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	struct groups_file_result res;
	struct groups_info	 g;
	struct store		*s;
	const char		*rule = NULL, *file = NULL, *as = NULL, *who;
	const char		*name;
	char			 err[GROUPS_ERR_SIZE];
	int64_t			 id, n;
	int			 ch, allow_empty = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			rule = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'a':
			as = optarg;
			break;
		case 'E':
			allow_empty = 1;
			break;
		default:
			return ctl_usage(use_add);
		}
	}
	if (argc - optind != 1 || (rule == NULL) == (file == NULL))
		return ctl_usage(use_add);
	name = argv[optind];
	if ((who = ctl_actor(ctl, as, "group add")) == NULL ||
	    (s = ctl_store(ctl)) == NULL)
		return 1;
	if (rule != NULL) {
		if (!allow_empty && refuse_empty(s, rule) == -1)
			return 1;
		id = groups_add_rule(s, name, rule, who, warn_cb, (void *)rule,
		    err, sizeof(err));
		if (id == -1) {
			fprintf(stderr, "munictl group add: %s\n", err);
			show_caret(rule, err);
			return 1;
		}
	} else {
		id = groups_add_file(s, name, file, who, stderr, &res, err,
		    sizeof(err));
		if (id == -1) {
			fprintf(stderr, "munictl group add: %s\n", err);
			return 1;
		}
		printf("rows=%zu residents=%zu phones=%zu duplicates=%zu\n",
		    res.rows, res.residents, res.phones, res.duplicates);
	}
	printf("group=%lld\n", (long long)id);
	if (groups_get(s, id, &g) != 0 ||
	    (n = groups_count(s, &g, err, sizeof(err))) == -1) {
		fprintf(stderr, "munictl group add: %s\n", err);
		return 1;
	}
	printf("members=%lld\n", (long long)n);
	return 0;
}

struct list_arg {
	struct store	*s;
	int		 failed;
};

/* One row under group_list's header; the member count is taken now. */
static int
list_cb(void *arg, const struct groups_info *g)
{
	struct list_arg	*la = arg;
	char		 when[32], err[GROUPS_ERR_SIZE], count[24];
	int64_t		 n;

	if ((n = groups_count(la->s, g, err, sizeof(err))) == -1) {
		/* One bad rule (a topic removed since) spoils no other row. */
		fprintf(stderr, "munictl group list: %s: %s\n", g->name, err);
		la->failed = 1;
		(void)util_strlcpy(count, "?", sizeof(count));
	} else
		(void)util_snprintf(count, sizeof(count), "%lld",
		    (long long)n);
	clock_datetime(g->created_at, when, sizeof(when));
	printf("%-24s %-6s %8s  %-19s %-12s %s\n", g->name, g->is_rule ?
	    "rule" : "manual", count, when, g->created_by, g->is_rule ?
	    g->rule : "-");
	return 0;
}

static int
group_list(struct ctl *ctl, int argc, char **argv)
{
	struct list_arg	 la;

	(void)argv;
	if (argc != 1)
		return ctl_usage(use_list);
	memset(&la, 0, sizeof(la));
	if ((la.s = ctl_store(ctl)) == NULL)
		return 1;
	printf("%-24s %-6s %8s  %-19s %-12s %s\n", _("NAME"), _("KIND"),
	    _("MEMBERS"), _("CREATED"), _("BY"), _("RULE"));
	if (groups_list(la.s, list_cb, &la) == -1) {
		fprintf(stderr, "munictl group list: %s\n",
		    store_errmsg(la.s));
		return 1;
	}
	return la.failed;
}

static int
group_remove(struct ctl *ctl, int argc, char **argv)
{
	struct store	*s;
	char		 err[GROUPS_ERR_SIZE];
	int		 r;

	if (argc != 2)
		return ctl_usage(use_remove);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if ((r = groups_remove(s, argv[1], err, sizeof(err))) != 0) {
		fprintf(stderr, "munictl group remove: %s\n", err);
		return 1;
	}
	printf("removed=%s\n", argv[1]);
	return 0;
}

static int
group_show(struct ctl *ctl, int argc, char **argv)
{
	struct groups_info	 g;
	struct store		*s;
	char			 err[GROUPS_ERR_SIZE], when[32];
	int64_t			 n;

	if (argc != 2)
		return ctl_usage(use_show);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (groups_find(s, argv[1], &g, err, sizeof(err)) != 0) {
		fprintf(stderr, "munictl group show: %s\n", err);
		return 1;
	}
	if ((n = groups_count(s, &g, err, sizeof(err))) == -1) {
		fprintf(stderr, "munictl group show: %s\n", err);
		return 1;
	}
	clock_datetime(g.created_at, when, sizeof(when));
	printf("group=%lld\nname=%s\nkind=%s\n", (long long)g.id, g.name,
	    g.is_rule ? "rule" : "manual");
	if (g.is_rule)
		printf("rule=%s\n", g.rule);
	printf("created_by=%s\ncreated=\"%s\"\nmembers=%lld\n", g.created_by,
	    when, (long long)n);
	return 0;
}

struct members_arg {
	int64_t		 n;
};

static int
members_cb(void *arg, const struct groups_member *m)
{
	struct members_arg	*ma = arg;
	char			 phone[64];

	if (m == NULL)
		return 0;
	ma->n++;
	if (m->phone != NULL)
		ident_phone_mask(m->phone, phone, sizeof(phone));
	else
		(void)util_strlcpy(phone, "-", sizeof(phone));
	printf("%-18s %s %s\n", phone, m->given_name[0] ? m->given_name :
	    "-", m->family_name);
	return 0;
}

static int
group_members(struct ctl *ctl, int argc, char **argv)
{
	struct groups_info	 g;
	struct members_arg	 ma;
	struct store		*s;
	char			 err[GROUPS_ERR_SIZE];

	if (argc != 2)
		return ctl_usage(use_members);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (groups_find(s, argv[1], &g, err, sizeof(err)) != 0) {
		fprintf(stderr, "munictl group members: %s\n", err);
		return 1;
	}
	memset(&ma, 0, sizeof(ma));
	if (groups_resolve(s, &g, NULL, GROUPS_CHUNK_ALL, members_cb, &ma, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "munictl group members: %s\n", err);
		return 1;
	}
	printf("members=%lld\n", (long long)ma.n);
	return 0;
}

/* The rule language in a screenful, for staff writing their first rule. */
static int
group_help(void)
{
	ctl_usage_lines(stdout, use_add, use_list, use_show, use_members,
	    use_remove, (const char *)NULL);
	putchar('\n');
	fputs(_("A rule chooses residents by their data:\n"
	    "  territory = 'Auru pagasts'     text fields: territory, lang,\n"
	    "                                 queue_institution\n"
	    "  age >= 65                      number: age (whole years)\n"
	    "  has_mobile                     yes/no: has_mobile, "
	    "child_in_queue,\n"
	    "                                 dog_owner\n"
	    "  fee_unpaid(dog)                a fee of that kind is unpaid\n"
	    "  fee_overdue(nin)               ... and past its due date\n"
	    "  subscribed(kultura)            gets that topic\n"
	    "Comparisons: = != < <= > >=, IN ('a', 'b'), NOT IN (...); "
	    "TRUE, FALSE.\n"
	    "Join with AND, OR, NOT and parentheses; text in 'single' or "
	    "\"double\"\nquotes. Example:\n"
	    "  territory IN ('Auru pagasts', 'Bēnes pagasts') AND age >= 65 "
	    "AND has_mobile\n"), stdout);
	return 0;
}

int
ctl_groups(struct ctl *ctl, int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0))
		return group_help();
	if (argc < 2) {
		return ctl_usage_lines(stderr, use_add, use_list, use_show,
		    use_members, use_remove, (const char *)NULL);
	}
	if (strcmp(argv[1], "add") == 0)
		return group_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return group_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return group_show(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "members") == 0)
		return group_members(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "remove") == 0)
		return group_remove(ctl, argc - 1, argv + 1);
	return ctl_unknown("group", argv[1]);
}
