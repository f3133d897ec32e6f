/*
 * ctl_backup: munictl backup and restore — a consistent copy of the
 * running database, and putting one back (common/backup does the work).
 * Neither opens the store first: restore must be the only connection, and
 * a backup is taken before `munictl init` upgrades a database too.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backup.h"
#include "config.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"

/* An audit row in the database (best effort: its schema may be older). */
static void
audit(struct ctl *ctl, const char *action, const char *file)
{
	struct store	*s;
	const char	*errstr;

	if ((s = store_open(config_database(ctl->cfg), 0,
	    &errstr)) == NULL)
		return;
	store_set_origin(s, ctl->origin);
	if (store_audit(s, ctl->who_known ? ctl->who.name : "munictl", action,
	    file) == -1)
		fprintf(stderr, "munictl %s: %s\n", action,
		    _("the audit log could not be written"));
	store_close(s);
}

/*
 * Who runs a backup or restore, before the file is touched; a restore
 * (admin) also checks the role. A database that does not open (an old
 * schema, a broken file) cannot say who is who: then file permissions
 * decide, as they must to save or recover it. 0, or -1 after saying why.
 */
static int
whoami(struct ctl *ctl, const char *db, const char *cmd, int admin)
{
	const char	*errstr;
	int		 rc = 0;

	if ((ctl->store = store_open(db, 0, &errstr)) == NULL)
		return 0;
	if (ctl_who(ctl, cmd) == NULL ||
	    (admin && ctl_may(ctl, STAFF_R_ADMIN, cmd) != 0))
		rc = -1;
	/* The audit row goes on a handle of its own, after the copy. */
	store_close(ctl->store);
	ctl->store = NULL;
	return rc;
}

int
ctl_backup(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct backup_info bi;
	const char	*errstr, *db;
	int		 ch, flags = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'f')
			return ctl_usage("backup");
		flags |= BACKUP_FORCE;
	}
	if (argc - optind != 1)
		return ctl_usage("backup");
	db = config_str(ctl->cfg, CFG_DATABASE_PATH);
	if (whoami(ctl, db, "backup", 0) == -1)
		return 1;
	if (backup_take(db, argv[optind], flags, &bi, &errstr) == -1) {
		fprintf(stderr, "munictl backup: %s\n", errstr);
		return 1;
	}
	audit(ctl, "backup", argv[optind]);
	printf("backup=%s schema=%d pages=%lld bytes=%lld steps=%d\n",
	    argv[optind], bi.schema, (long long)bi.pages,
	    (long long)bi.pages * bi.page_size, bi.steps);
	printf("integrity=ok\n");
	return 0;
}

int
ctl_restore(struct ctl *ctl, int argc, char **argv)
{
	struct backup_info bi;
	const char	*errstr, *db;
	char		 saved[4200];

	if (argc != 2 || argv[1][0] == '-')
		return ctl_usage("restore");
	db = config_str(ctl->cfg, CFG_DATABASE_PATH);
	if (whoami(ctl, db, "restore", 1) == -1)
		return 1;
	if (backup_restore(argv[1], db, &bi, saved, sizeof(saved),
	    &errstr) == -1) {
		fprintf(stderr, "munictl restore: %s\n", errstr);
		if (saved[0] != '\0')
			fprintf(stderr, "munictl restore: %s: %s\n",
			    _("the database as it was is kept in"), saved);
		return 1;
	}
	audit(ctl, "restore", argv[1]);
	printf("restored=%s schema=%d pages=%lld\n", argv[1], bi.schema,
	    (long long)bi.pages);
	if (saved[0] != '\0')
		printf("saved=%s\n", saved);
	if (bi.schema < store_schema_version())
		fprintf(stderr, "munictl restore: %s\n", _("the copy's schema "
		    "is older than this program's: run `munictl init` to "
		    "upgrade it"));
	return 0;
}
