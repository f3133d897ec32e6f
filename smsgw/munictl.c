/*
 * munictl: the staff and admin command line beside muni-smsgw, as smtpctl
 * stands beside smtpd. It dispatches to the ctl_*.c command files; figures
 * that scripts read are printed as key=value lines.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "groups.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "util.h"

static const struct {
	const char	*name;
	int		(*fn)(struct ctl *, int, char **);
	const char	*usage;
} commands[] = {
	{ "init", ctl_init, "init" },
	{ "demo", ctl_demo, "demo [--residents N] [--seed S]" },
	{ "import statement", ctl_import_statement,
	    "import statement [--dry-run] FILE.xml" },
	{ "import", ctl_import,
	    "import residents|fees [--dry-run] FILE.csv\n"
	    "  munictl import queue [--dry-run] [--new-institutions] FILE.csv" },
	{ "institution", ctl_refdata,
	    "institution list | add NAME [--territory TERRITORY]" },
	{ "feekind", ctl_refdata,
	    "feekind list | add CODE --name-lv TEXT --name-en TEXT" },
	{ "sms", ctl_sms, "sms preview [--translit | --encoding E] TEXT\n"
	    "  munictl sms send [--validity S] [--encoding E] PHONE TEXT\n"
	    "  munictl sms send --batch FILE.csv\n"
	    "  munictl sms status ID" },
	{ "pay", ctl_pay, "pay epc [--full] FEE\n"
	    "  munictl pay qr [--full] [--svg FILE] FEE" },
	{ "report payments", ctl_report, "report payments [--unmatched]" },
	{ "report", ctl_report_usage, "report" },
	{ "group", ctl_groups, "group add NAME --rule EXPR [--allow-empty] | "
	    "--file FILE.csv [--as WHO]\n"
	    "  munictl group list | show NAME | members NAME | remove NAME" },
	{ "broadcast", ctl_broadcast, "broadcast preview --group NAME --text "
	    "TEXT [--topic T] [--at TIME] [--emergency]\n"
	    "  munictl broadcast send --group NAME --text TEXT [--topic T] "
	    "[--at TIME] [--emergency] [--yes] [--as WHO]\n"
	    "  munictl broadcast status [ID] | list | cancel ID | approve ID" },
	{ "reminders", ctl_reminders, "reminders run [--dry-run]" },
	{ "backup", ctl_backup, "backup [--force] FILE" },
	{ "restore", ctl_restore, "restore FILE" },
	{ "staff", ctl_staff, "staff add NAME --role ROLE [--unix USER] "
	    "[--display TEXT] [--phone PHONE] [--birth YYYY-MM-DD]\n"
	    "  munictl staff set NAME [--role ROLE] [--unix USER] "
	    "[--display TEXT] [--phone PHONE] [--birth YYYY-MM-DD]\n"
	    "  munictl staff list | disable NAME | enable NAME | "
	    "approve NAME\n"
	    "  munictl staff pin NAME < PIN (twice)\n"
	    "  munictl staff pin < PIN    (the hash for [kiosk] "
	    "staff_pin_hash)" },
	{ "audit", ctl_audit, "audit [--who NAME] [--since YYYY-MM-DD] "
	    "[--limit N]" },
	{ "api", ctl_api, "api token add CLIENT --scope messages|broadcasts\n"
	    "  munictl api token list | revoke CLIENT" },
	{ "callback", ctl_callback, "callback list [--state S] [--limit N]\n"
	    "  munictl callback retry ID | --failed\n"
	    "  munictl callback drop ID" },
	{ "topic", ctl_topics, "topic list\n"
	    "  munictl topic add CODE --name-lv TEXT --name-en TEXT "
	    "[--default on|off] [--as WHO]\n"
	    "  munictl topic set CODE [--name-lv TEXT] [--name-en TEXT] "
	    "[--default on|off] [--as WHO]\n"
	    "  munictl topic remove CODE [--as WHO]" },
	{ "case", ctl_cases, "case list [--status S] [--kind police|application]"
	    " [--limit N]\n"
	    "  munictl case show CASE\n"
	    "  munictl case set CASE new|in_progress|done|rejected [--as WHO]" },
};

/* "import statement": a two-word name needs both words to match. */
static int
command_is(const char *name, int argc, char **argv)
{
	size_t	 n = strcspn(name, " ");

	if (strncmp(argv[0], name, n) != 0 || argv[0][n] != '\0')
		return 0;
	return name[n] == '\0' || (argc > 1 &&
	    strcmp(argv[1], name + n + 1) == 0);
}

static void
usage(FILE *fp)
{
	size_t	 i;

	fprintf(fp, "%s munictl [-h] [-c %s] %s\n", _("usage:"), _("file"),
	    _("command [args]"));
	fprintf(fp, "%s\n", _("commands:"));
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  munictl %s\n", commands[i].usage);
}

int
ctl_usage(const char *line)
{
	fprintf(stderr, "%s munictl %s\n", _("usage:"), line);
	return 2;
}

int
ctl_usage_lines(FILE *fp, const char *first, ...)
{
	va_list		 ap;
	const char	*word = _("usage:"), *line;
	int		 width = (int)util_utf8_len(word);

	fprintf(fp, "%s munictl %s\n", word, first);
	va_start(ap, first);
	while ((line = va_arg(ap, const char *)) != NULL)
		fprintf(fp, "%*s munictl %s\n", width, "", line);
	va_end(ap);
	return 2;
}

int
ctl_unknown(const char *cmd, const char *word)
{
	fprintf(stderr, "munictl %s: ", cmd);
	fprintf(stderr, _("unknown command '%s'"), word);
	fputc('\n', stderr);
	return 2;
}

int
ctl_limit(const char *cmd, const char *arg, long long *limit)
{
	const char	*errstr;

	if (util_strtonum(arg, 1, 100000, limit, &errstr) == -1) {
		fprintf(stderr, "munictl %s: --limit '%s' %s\n", cmd, arg,
		    _(errstr));
		return 2;
	}
	return 0;
}

struct store *
ctl_store(struct ctl *ctl)
{
	const char	*errstr;

	if (ctl->store != NULL)
		return ctl->store;
	ctl->store = store_open(config_str(ctl->cfg, CFG_DATABASE_PATH), 0,
	    &errstr);
	if (ctl->store == NULL)
		fprintf(stderr, "munictl: %s\n", errstr);
	return ctl->store;
}

const struct staff_actor *
ctl_who(struct ctl *ctl, const char *cmd)
{
	struct store	*s;
	struct passwd	*pw;
	char		 err[STAFF_ERR_SIZE];
	uid_t		 uid = getuid();

	if (ctl->who_known)
		return &ctl->who;
	if ((s = ctl_store(ctl)) == NULL)
		return NULL;
	pw = getpwuid(uid);
	if (staff_whoami(s, (unsigned long)uid, pw != NULL ? pw->pw_name :
	    NULL, &ctl->who, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl %s: %s\n", cmd, err);
		return NULL;
	}
	(void)util_snprintf(ctl->origin, sizeof(ctl->origin), "unix:%s",
	    ctl->who.unix_user);
	store_set_origin(s, ctl->origin);
	ctl->who_known = 1;
	return &ctl->who;
}

const char *
ctl_actor(struct ctl *ctl, const char *as, const char *cmd)
{
	const struct staff_actor *who;
	char			 err[STAFF_ERR_SIZE];
	size_t			 i;

	if ((who = ctl_who(ctl, cmd)) == NULL)
		return NULL;
	if (as == NULL)
		return who->name;
	if (as[0] == '\0' || strlen(as) > GROUPS_ACTOR_MAX) {
		fprintf(stderr, "munictl %s: %s\n", cmd, _("--as: a name of "
		    "1-63 bytes"));
		return NULL;
	}
	for (i = 0; as[i] != '\0'; i++)
		if ((unsigned char)as[i] < 0x20 || as[i] == 0x7f) {
			fprintf(stderr, "munictl %s: %s\n", cmd, _("--as: no "
			    "control characters"));
			return NULL;
		}
	if (staff_may_act_as(who, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl %s: %s\n", cmd, err);
		return NULL;
	}
	/* The row's actor is the name given; its origin names the admin. */
	(void)util_snprintf(ctl->origin, sizeof(ctl->origin), "unix:%s by %s",
	    who->unix_user, who->name);
	store_set_origin(ctl->store, ctl->origin);
	return as;
}

int
ctl_may(struct ctl *ctl, enum staff_right right, const char *cmd)
{
	const struct staff_actor *who;
	char			 err[STAFF_ERR_SIZE];

	if ((who = ctl_who(ctl, cmd)) == NULL)
		return 1;
	if (staff_may(who, right, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl %s: %s\n", cmd, err);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctl	 ctl;
	const char	*errstr;
	char		*errors;
	size_t		 i;
	int		 ch, rc;

	log_init("munictl", 0);
	i18n_init();
	memset(&ctl, 0, sizeof(ctl));
	/* '+': options after the command belong to the command. */
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			ctl.conf_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (command_is(commands[i].name, argc, argv))
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "munictl: ");
		fprintf(stderr, _("unknown command '%s'"), argv[0]);
		fputc('\n', stderr);
		usage(stderr);
		return 2;
	}
	if ((ctl.cfg = config_load(ctl.conf_path, &errors)) == NULL) {
		fputs(errors, stderr);
		free(errors);
		return 1;
	}
	/*
	 * Local time is the municipality's whatever the shell's TZ: set
	 * before anything reads a clock (MUNI_FAKE_NOW is local time too).
	 */
	if (clock_set_zone(config_str(ctl.cfg, CFG_MUNICIPALITY_TIMEZONE),
	    &errstr) == -1) {
		fprintf(stderr, "munictl: %s: %s\n",
		    config_key_name(CFG_MUNICIPALITY_TIMEZONE), errstr);
		config_free(ctl.cfg);
		return 1;
	}
	/* Tests move the clock of munictl as of the daemon. */
	if ((ch = clock_from_env(&errstr)) == -1) {
		fprintf(stderr, "munictl: %s\n", errstr);
		config_free(ctl.cfg);
		return 1;
	}
	if (ch == 1)
		log_warnx("MUNI_FAKE_NOW is set: the clock is moved (tests "
		    "only)");
	optind = 0;	/* glibc: restart getopt for the command */
	rc = commands[i].fn(&ctl, argc, argv);
	store_close(ctl.store);
	config_free(ctl.cfg);
	return rc;
}
