/*
 * ctl_backup: munictl backup and restore — a consistent copy of the
 * running database, and putting one back (common/backup does the work).
 * Neither opens the store first: restore must be the only connection, and
 * a backup is taken before `munictl init` upgrades a database too.
 *
 * On PostgreSQL the copy is PostgreSQL's own: backup runs pg_dump -Fc (a
 * logical dump of this database, taken in one snapshot while the gateways
 * run); restore is pg_restore's, which munictl names but does not run, and
 * a whole cluster (with its replicas' needs) is pg_basebackup's.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "config.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

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

/*
 * A pgpass file for pg_dump when the password is in [database]
 * password_file (one line, the password): mode 0600 in TMPDIR, "*" for
 * host, port, database and user, ':' and '\\' escaped. path gets its name
 * ("" when there is no password file). 0, or -1 after saying why.
 */
static int
pgpass_make(struct ctl *ctl, char *path, size_t size)
{
	const char	*pwfile, *tmp;
	char		 line[1024], out[2100];
	size_t		 i, o = 0;
	FILE		*f;
	int		 fd;

	path[0] = '\0';
	pwfile = config_str(ctl->cfg, CFG_DATABASE_PASSWORD_FILE);
	if (pwfile[0] == '\0')
		return 0;
	if ((f = fopen(pwfile, "r")) == NULL ||
	    fgets(line, sizeof(line), f) == NULL) {
		fprintf(stderr, "munictl backup: %s: %s\n", pwfile,
		    _("cannot read the password file"));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	o = (size_t)snprintf(out, sizeof(out), "*:*:*:*:");
	for (i = 0; line[i] != '\0' && o + 3 < sizeof(out); i++) {
		if (line[i] == ':' || line[i] == '\\')
			out[o++] = '\\';
		out[o++] = line[i];
	}
	out[o++] = '\n';
	if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if (util_snprintf(path, size, "%s/munictl-pgpass.XXXXXX", tmp) == -1 ||
	    (fd = mkstemp(path)) == -1) {
		fprintf(stderr, "munictl backup: %s: %s\n", tmp,
		    strerror(errno));
		path[0] = '\0';
		return -1;
	}
	/* mkstemp makes it 0600: others never read it. */
	if (write(fd, out, o) != (ssize_t)o) {
		fprintf(stderr, "munictl backup: %s: %s\n", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		path[0] = '\0';
		return -1;
	}
	explicit_bzero(line, sizeof(line));
	explicit_bzero(out, sizeof(out));
	close(fd);
	return 0;
}

/*
 * munictl backup on PostgreSQL: pg_dump -Fc of the configured database
 * into file (refused when it exists, unless force). 0 or 1.
 */
static int
backup_pg(struct ctl *ctl, const char *url, const char *file, int force)
{
	struct stat	 st;
	char		 pgpass[4200], part[4200];
	pid_t		 pid;
	int		 status;

	if (!force && stat(file, &st) == 0) {
		fprintf(stderr, "munictl backup: %s: %s\n", file,
		    _("the file exists (--force replaces it)"));
		return 1;
	}
	/* Written beside it and renamed: a failed dump spoils no good copy. */
	if (util_snprintf(part, sizeof(part), "%s.partial", file) == -1) {
		fprintf(stderr, "munictl backup: %s: %s\n", file,
		    strerror(ENAMETOOLONG));
		return 1;
	}
	if (pgpass_make(ctl, pgpass, sizeof(pgpass)) == -1)
		return 1;
	switch ((pid = fork())) {
	case -1:
		fprintf(stderr, "munictl backup: fork: %s\n", strerror(errno));
		status = -1;
		break;
	case 0:
		if (pgpass[0] != '\0')
			(void)setenv("PGPASSFILE", pgpass, 1);
		/* It holds personal data: the owner's alone, as SQLite's. */
		(void)umask(077);
		execlp("pg_dump", "pg_dump", "--format=custom", "--no-password",
		    "--file", part, "--dbname", url, (char *)NULL);
		fprintf(stderr, "munictl backup: pg_dump: %s\n",
		    strerror(errno));
		_exit(127);
	default:
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	if (pgpass[0] != '\0')
		(void)unlink(pgpass);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			fprintf(stderr, "munictl backup: %s\n", _("pg_dump is "
			    "not installed (Debian package postgresql-client); "
			    "or copy the whole cluster with pg_basebackup"));
		fprintf(stderr, "munictl backup: %s: %s\n", file,
		    _("pg_dump failed: no backup was made"));
		(void)unlink(part);
		return 1;
	}
	if (rename(part, file) == -1) {
		fprintf(stderr, "munictl backup: %s: %s\n", file,
		    strerror(errno));
		(void)unlink(part);
		return 1;
	}
	if (stat(file, &st) == -1) {
		fprintf(stderr, "munictl backup: %s: %s\n", file,
		    strerror(errno));
		return 1;
	}
	audit(ctl, "backup", file);
	printf("backup=%s tool=pg_dump format=custom bytes=%lld\n", file,
	    (long long)st.st_size);
	printf("restore=pg_restore --clean --if-exists --no-owner "
	    "--dbname URL %s\n", file);
	return 0;
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
	db = config_database(ctl->cfg);
	if (config_str(ctl->cfg, CFG_DATABASE_URL)[0] != '\0') {
		if (whoami(ctl, db, "backup", 0) == -1)
			return 1;
		return backup_pg(ctl, db, argv[optind], flags & BACKUP_FORCE);
	}
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
	if (config_str(ctl->cfg, CFG_DATABASE_URL)[0] != '\0') {
		/* pg_restore wants the gateways stopped and the DBA's eye. */
		fprintf(stderr, "munictl restore: %s\n", _("on PostgreSQL, "
		    "stop the gateways and kiosks and run pg_restore --clean "
		    "--if-exists --no-owner --dbname URL FILE (see README, "
		    "PostgreSQL)"));
		return 1;
	}
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
