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

/*
 * The commands, and the one place their usage lines are written: `munictl
 * -h` prints every line, and a command given wrong arguments prints its own
 * through ctl_usage() by naming its words ("sms send"), so the two cannot
 * drift apart. man_pages.sh reads the names.
 */
#define CTL_USAGE_LINES	8
static const struct {
	const char	*name;
	int		(*fn)(struct ctl *, int, char **);
	const char	*usage[CTL_USAGE_LINES];
} commands[] = {
	{ "init", ctl_init, { "init" } },
	{ "demo", ctl_demo, { "demo [--residents N] [--seed S]" } },
	{ "import statement", ctl_import_statement, {
	    "import statement [--dry-run] FILE.xml" } },
	{ "import", ctl_import, {
	    "import residents|fees [--dry-run] FILE.csv",
	    "import queue [--dry-run] [--new-institutions] FILE.csv" } },
	{ "institution", ctl_refdata, {
	    "institution list | add NAME [--territory TERRITORY]" } },
	{ "feekind", ctl_refdata, {
	    "feekind list | add CODE --name-lv TEXT --name-en TEXT" } },
	{ "sms", ctl_sms, {
	    "sms preview [--translit | --encoding E] TEXT",
	    "sms send [--validity S] [--encoding E] PHONE TEXT",
	    "sms send --batch FILE.csv",
	    "sms status ID" } },
	{ "pay", ctl_pay, {
	    "pay epc [--full] FEE",
	    "pay qr [--full] [--svg FILE] FEE" } },
	{ "report payments", ctl_report, { "report payments [--unmatched]" } },
	{ "report", ctl_report_usage, { "report [--raw] [--csv] [--since DATE] "
	    "[--until DATE]" } },
	{ "group", ctl_groups, {
	    "group add NAME --rule EXPR [--allow-empty] | --file FILE.csv "
	    "[--as WHO]",
	    "group list",
	    "group show NAME",
	    "group members NAME",
	    "group remove NAME" } },
	{ "broadcast", ctl_broadcast, {
	    "broadcast preview --group NAME --text TEXT [--topic T] "
	    "[--at TIME] [--emergency]",
	    "broadcast send --group NAME --text TEXT [--topic T] [--at TIME] "
	    "[--emergency] [--yes] [--as WHO]",
	    "broadcast status [ID]",
	    "broadcast list [--limit N]",
	    "broadcast cancel ID [--as WHO]",
	    "broadcast approve ID" } },
	{ "reminders", ctl_reminders, { "reminders run [--dry-run]" } },
	{ "backup", ctl_backup, { "backup [--force] FILE" } },
	{ "restore", ctl_restore, { "restore FILE" } },
	{ "migrate", ctl_migrate, { "migrate --to postgresql://..." } },
	{ "staff", ctl_staff, {
	    "staff add NAME --role ROLE [--unix USER] [--display TEXT] "
	    "[--phone PHONE] [--birth YYYY-MM-DD]",
	    "staff set NAME [--role ROLE] [--unix USER] [--display TEXT] "
	    "[--phone PHONE] [--birth YYYY-MM-DD]",
	    "staff list",
	    "staff disable NAME",
	    "staff enable NAME",
	    "staff approve NAME",
	    "staff pin NAME < PIN (twice)",
	    "staff pin < PIN    (the hash for [kiosk] staff_pin_hash)" } },
	{ "audit", ctl_audit, {
	    "audit [--who NAME] [--since YYYY-MM-DD] [--limit N]" } },
	{ "api", ctl_api, {
	    "api token add CLIENT --scope messages|broadcasts",
	    "api token list",
	    "api token revoke CLIENT" } },
	{ "topic", ctl_topics, {
	    "topic list",
	    "topic add CODE --name-lv TEXT --name-en TEXT [--default on|off] "
	    "[--as WHO]",
	    "topic set CODE [--name-lv TEXT] [--name-en TEXT] "
	    "[--default on|off] [--as WHO]",
	    "topic remove CODE [--as WHO]" } },
	{ "case", ctl_cases, {
	    "case list [--status S] [--kind police|application] [--limit N]",
	    "case show CASE",
	    "case set CASE new|in_progress|done|rejected [--note TEXT] "
	    "[--as WHO]" } },
	{ "merchant", ctl_merchant, {
	    "merchant add NAME --phone PHONE[,PHONE] [--territory T] "
	    "[--address A] [--as WHO]",
	    "merchant list",
	    "merchant set NAME [--name NEW] [--phone PHONE[,PHONE]] "
	    "[--territory T] [--address A] [--enable] [--as WHO]",
	    "merchant disable NAME [--as WHO]",
	    "merchant import FILE.csv [--as WHO]" } },
	{ "offer", ctl_offer, {
	    "offer add --merchant NAME --group GROUP --text TEXT "
	    "[--text-en TEXT] [--from DATE] [--to DATE] [--as WHO]",
	    "offer list [--merchant NAME]",
	    "offer set ID [--group GROUP] [--text TEXT] [--text-en TEXT] "
	    "[--from DATE] [--to DATE] [--as WHO]",
	    "offer end ID [--as WHO]",
	    "offer import FILE.csv [--as WHO]" } },
	{ "callback", ctl_callback, {
	    "callback list [--state pending|sending|done|failed] [--limit N]",
	    "callback retry ID | --failed",
	    "callback drop ID" } },
};

/* Whether text begins with the words of words (a whole word at its end). */
static int
words_begin(const char *text, const char *words)
{
	size_t	 n = strlen(words);

	return strncmp(text, words, n) == 0 &&
	    (text[n] == ' ' || text[n] == '\0');
}

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
	size_t	 i, j;

	fprintf(fp, "%s munictl [-h] [-c %s] %s\n", _("usage:"), _("file"),
	    _("command [args]"));
	fprintf(fp, "%s\n", _("commands:"));
	for (i = 0; i < nitems(commands); i++)
		for (j = 0; j < CTL_USAGE_LINES &&
		    commands[i].usage[j] != NULL; j++)
			fprintf(fp, "  munictl %s\n", commands[i].usage[j]);
}

/*
 * Print the usage lines of words ("sms", "sms send"): those of the command
 * with the longest name words begins with ("import statement" before
 * "import") that themselves begin with words. The first of all (*nlines
 * 0) follows word ("usage:"), the later ones are aligned under it. A name
 * with no line is a mistake in a ctl_*.c file, not the user's.
 */
static void
usage_of(FILE *fp, const char *words, const char *word, int *nlines)
{
	size_t		 i, best = nitems(commands), bestlen = 0;
	const char	*line;
	int		 found = 0;

	for (i = 0; i < nitems(commands); i++)
		if (words_begin(words, commands[i].name) &&
		    strlen(commands[i].name) > bestlen) {
			best = i;
			bestlen = strlen(commands[i].name);
		}
	for (i = 0; best < nitems(commands) && i < CTL_USAGE_LINES &&
	    (line = commands[best].usage[i]) != NULL; i++) {
		if (!words_begin(line, words))
			continue;
		if ((*nlines)++ == 0)
			fprintf(fp, "%s munictl %s\n", word, line);
		else
			fprintf(fp, "%*s munictl %s\n",
			    (int)util_utf8_len(word), "", line);
		found = 1;
	}
	if (!found)
		fatalx("no usage line for '%s'", words);
}

int
ctl_usage(const char *words)
{
	return ctl_usage_lines(stderr, words, (const char *)NULL);
}

int
ctl_usage_lines(FILE *fp, const char *first, ...)
{
	va_list		 ap;
	const char	*word = _("usage:"), *words;
	int		 nlines = 0;

	usage_of(fp, first, word, &nlines);
	va_start(ap, first);
	while ((words = va_arg(ap, const char *)) != NULL)
		usage_of(fp, words, word, &nlines);
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
	ctl->store = store_open(config_database(ctl->cfg), 0,
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
	for (i = 0; i < nitems(commands); i++)
		if (command_is(commands[i].name, argc, argv))
			break;
	if (i == nitems(commands)) {
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
	store_password_file(config_str(ctl.cfg, CFG_DATABASE_PASSWORD_FILE));
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
