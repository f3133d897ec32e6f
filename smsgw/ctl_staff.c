/*
 * ctl_staff: munictl staff add, set, list, disable, enable, approve and
 * pin — the staff accounts of common/staff.c from the command line — and
 * munictl audit, which reads the audit log. A PIN is never an argument (it
 * would show in ps and shell history): it comes on standard input.
 *
 * `munictl staff pin` without a name is the old command: it prints the
 * hash for the shared [kiosk] staff_pin_hash, which serves only until the
 * first staff account exists.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "ctl.h"
#include "i18n.h"
#include "otp.h"
#include "staff.h"
#include "store.h"
#include "util.h"

#define SHARED_PIN_MIN	4
#define SHARED_PIN_MAX	32

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char *use_add = "staff add";
static const char *use_set = "staff set";
static const char *use_list = "staff list";
static const char *use_disable = "staff disable";
static const char *use_enable = "staff enable";
static const char *use_approve = "staff approve";
static const char *use_pin = "staff pin";
static const char *use_audit = "audit";

/*
 * One line of standard input into buf (size bytes), without its newline.
 * 0, or -1 after saying what was wrong (nothing, or too long).
 */
static int
read_line(const char *cmd, char *buf, size_t size, size_t max)
{
	size_t	 n;

	if (fgets(buf, (int)size, stdin) == NULL) {
		fprintf(stderr, "munictl %s: %s\n", cmd,
		    _("no PIN on standard input"));
		return -1;
	}
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == size - 1) {
		fprintf(stderr, "munictl %s: ", cmd);
		fprintf(stderr, _("the PIN is longer than %d digits"),
		    (int)max);
		fputc('\n', stderr);
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* The hash for the shared [kiosk] staff_pin_hash (the old staff mode). */
static int
shared_pin(void)
{
	char		 pin[SHARED_PIN_MAX + 3], hash[OTP_HASH_SIZE];
	const char	*errstr;
	size_t		 n, i;
	int		 rc = 1;

	if (read_line("staff pin", pin, sizeof(pin), SHARED_PIN_MAX) == -1)
		goto out;
	n = strlen(pin);
	/* The kiosk's keypad has digits: a PIN it cannot type locks staff out. */
	for (i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			break;
	if (i < n || n < SHARED_PIN_MIN || n > SHARED_PIN_MAX) {
		fprintf(stderr, "munictl staff pin: ");
		fprintf(stderr, _("a PIN is %d to %d digits"), SHARED_PIN_MIN,
		    SHARED_PIN_MAX);
		fputc('\n', stderr);
		goto out;
	}
	if (otp_hash(pin, OTP_HASH_COST_PIN, hash, sizeof(hash), &errstr) ==
	    -1) {
		fprintf(stderr, "munictl staff pin: %s\n", errstr);
		goto out;
	}
	printf("%s\n", hash);
	rc = fflush(stdout) == EOF;
out:
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

/* A person's own PIN, typed twice. */
static int
person_pin(struct ctl *ctl, const char *name)
{
	const struct staff_actor *who;
	char			 pin[STAFF_PIN_MAX + 3], again[STAFF_PIN_MAX + 3];
	char			 err[STAFF_ERR_SIZE];
	int			 rc = 1;

	if ((who = ctl_who(ctl, "staff pin")) == NULL)
		return 1;
	if (read_line("staff pin", pin, sizeof(pin), STAFF_PIN_MAX) == -1 ||
	    read_line("staff pin", again, sizeof(again), STAFF_PIN_MAX) == -1)
		goto out;
	if (strcmp(pin, again) != 0) {
		fprintf(stderr, "munictl staff pin: %s\n", _("the two PINs "
		    "differ: nothing was changed"));
		goto out;
	}
	if (staff_set_pin(ctl->store, who, name, pin, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "munictl staff pin: %s: %s\n", name, err);
		goto out;
	}
	printf("staff=%s pin=set\n", name);
	rc = 0;
out:
	explicit_bzero(pin, sizeof(pin));
	explicit_bzero(again, sizeof(again));
	return rc;
}

/* The options of add and set; 0 or 2 after usage. */
static int
field_opts(int argc, char **argv, const char *use, struct staff_fields *f)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "unix", required_argument, NULL, 'u' },
		{ "display", required_argument, NULL, 'd' },
		{ "phone", required_argument, NULL, 'p' },
		{ "birth", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	memset(f, 0, sizeof(*f));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			f->role = optarg;
			break;
		case 'u':
			f->unix_user = optarg;
			break;
		case 'd':
			f->display = optarg;
			break;
		case 'p':
			f->phone = optarg;
			break;
		case 'b':
			f->birth_date = optarg;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	return 0;
}

static void
say_pending(const char *name, const char *role)
{
	printf("staff=%s role_pending=%s\n", name, role);
	printf(_("The role change waits for a different approver: munictl "
	    "staff approve %s\n"), name);
}

static int
st_add(struct ctl *ctl, int argc, char **argv)
{
	const struct staff_actor *who;
	struct staff_fields	 f;
	struct staff_info	 si;
	char			 err[STAFF_ERR_SIZE];
	int			 r, pending;

	if ((r = field_opts(argc, argv, use_add, &f)) != 0)
		return r;
	if ((who = ctl_who(ctl, "staff add")) == NULL)
		return 1;
	if (staff_add(ctl->store, who, argv[optind], &f, &pending, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "munictl staff add: %s\n", err);
		return 1;
	}
	if (staff_get(ctl->store, argv[optind], &si) != 0)
		return 1;
	printf("staff=%s id=%lld role=%s\n", si.name, (long long)si.id,
	    staff_role_name(si.role));
	if (pending)
		say_pending(si.name, f.role);
	printf(_("Next: munictl staff pin %s (the PIN for the kiosk, typed "
	    "twice on standard input)\n"), si.name);
	return 0;
}

static int
st_set(struct ctl *ctl, int argc, char **argv)
{
	const struct staff_actor *who;
	struct staff_fields	 f;
	struct staff_info	 si;
	char			 err[STAFF_ERR_SIZE];
	int			 r, pending;

	if ((r = field_opts(argc, argv, use_set, &f)) != 0)
		return r;
	if (f.role == NULL && f.unix_user == NULL && f.display == NULL &&
	    f.phone == NULL && f.birth_date == NULL) {
		fprintf(stderr, "munictl staff set: %s\n", _("nothing to "
		    "change: give --role, --unix, --display, --phone or "
		    "--birth"));
		return 2;
	}
	if ((who = ctl_who(ctl, "staff set")) == NULL)
		return 1;
	if (staff_set(ctl->store, who, argv[optind], &f, &pending, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "munictl staff set: %s\n", err);
		return 1;
	}
	if (staff_get(ctl->store, argv[optind], &si) != 0)
		return 1;
	printf("staff=%s id=%lld role=%s\n", si.name, (long long)si.id,
	    staff_role_name(si.role));
	if (pending)
		say_pending(si.name, f.role);
	return 0;
}

static int
list_cb(void *arg, const struct staff_info *si)
{
	char	 seen[32];

	(void)arg;
	if (si->last_seen != 0)
		clock_datetime(si->last_seen, seen, sizeof(seen));
	else
		(void)util_strlcpy(seen, "-", sizeof(seen));
	/* Figures as words first, the display name (with blanks) after a tab. */
	printf("id=%lld staff=%s role=%s%s%s unix=%s pin=%s phone=%s "
	    "disabled=%d last_seen=\"%s\"\t%s\n", (long long)si->id, si->name,
	    staff_role_name(si->role), si->pending_role[0] != '\0' ?
	    " role_pending=" : "", si->pending_role,
	    si->unix_user[0] != '\0' ? si->unix_user : "-",
	    si->has_pin ? "set" : "none", si->phone[0] != '\0' ? "yes" : "no",
	    si->disabled, seen, si->display);
	return 0;
}

static int
st_list(struct ctl *ctl, int argc, char **argv)
{
	struct store	*s;

	(void)argv;
	if (argc != 1)
		return ctl_usage(use_list);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (staff_list(s, list_cb, NULL) == -1) {
		fprintf(stderr, "munictl staff list: %s\n", store_errmsg(s));
		return 1;
	}
	printf("staff_accounts=%lld\n", (long long)staff_count(s));
	return 0;
}

/* disable, enable, approve: one NAME. */
static int
st_one(struct ctl *ctl, int argc, char **argv)
{
	const struct staff_actor *who;
	const char		*cmd = argv[0], *use;
	char			 err[STAFF_ERR_SIZE], name[16];
	int			 rc;

	use = strcmp(cmd, "disable") == 0 ? use_disable :
	    strcmp(cmd, "enable") == 0 ? use_enable : use_approve;
	if (argc != 2)
		return ctl_usage(use);
	(void)util_snprintf(name, sizeof(name), "staff %s", cmd);
	if ((who = ctl_who(ctl, name)) == NULL)
		return 1;
	if (strcmp(cmd, "approve") == 0)
		rc = staff_approve_role(ctl->store, who, argv[1], err,
		    sizeof(err));
	else
		rc = staff_set_disabled(ctl->store, who, argv[1],
		    strcmp(cmd, "disable") == 0, err, sizeof(err));
	if (rc == -1) {
		fprintf(stderr, "munictl %s: %s\n", name, err);
		return 1;
	}
	if (strcmp(cmd, "approve") == 0) {
		struct staff_info	 si;

		if (staff_get(ctl->store, argv[1], &si) != 0)
			return 1;
		printf("staff=%s role=%s approved_by=%s\n", si.name,
		    staff_role_name(si.role), who->name);
	} else
		printf("staff=%s disabled=%d\n", argv[1],
		    strcmp(cmd, "disable") == 0);
	return 0;
}

int
ctl_staff(struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(struct ctl *, int, char **);
	} cmds[] = {
		{ "add", st_add }, { "set", st_set }, { "list", st_list },
		{ "disable", st_one }, { "enable", st_one },
		{ "approve", st_one },
	};
	size_t	 i;

	if (argc == 2 && strcmp(argv[1], "pin") == 0)
		return shared_pin();
	if (argc == 3 && strcmp(argv[1], "pin") == 0)
		return person_pin(ctl, argv[2]);
	if (argc >= 2)
		for (i = 0; i < nitems(cmds); i++)
			if (strcmp(argv[1], cmds[i].name) == 0)
				return cmds[i].fn(ctl, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "pin") != 0)
		return ctl_unknown("staff", argv[1]);
	return ctl_usage_lines(stderr, use_add, use_set, use_list, use_disable,
	    use_enable, use_approve, use_pin, (const char *)NULL);
}

static int
audit_cb(void *arg, const struct staff_audit_row *r)
{
	char	 when[32];

	(void)arg;
	clock_datetime(r->at, when, sizeof(when));
	printf("%s\t%s\t%s\t%s\t%s\n", when, r->actor, r->origin, r->action,
	    r->detail);
	return 0;
}

int
ctl_audit(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "who", required_argument, NULL, 'w' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*s;
	const char	*who = NULL, *since = NULL, *errstr;
	long long	 limit = 1000;
	time_t		 from = 0;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			who = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'l':
			if (ctl_limit("audit", optarg, &limit) != 0)
				return 2;
			break;
		default:
			return ctl_usage(use_audit);
		}
	}
	if (argc != optind)
		return ctl_usage(use_audit);
	if (since != NULL && staff_parse_day(since, &from, &errstr) == -1) {
		fprintf(stderr, "munictl audit: --since '%s': %s\n", since,
		    _(errstr));
		return 2;
	}
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (staff_audit_list(s, who, from, (size_t)limit, audit_cb, NULL) ==
	    -1) {
		fprintf(stderr, "munictl audit: %s\n", store_errmsg(s));
		return 1;
	}
	return 0;
}
