/*
 * ctl: munictl's commands, one file each group (ctl_*.c), sharing the
 * configuration and the database handle opened by munictl.c.
 */
#ifndef MUNI_CTL_H
#define MUNI_CTL_H

#include "staff.h"
#include "store.h"

struct config;

struct ctl {
	struct config	*cfg;
	const char	*conf_path;	/* as given with -c, or NULL */
	struct store	*store;		/* opened on first use */
	struct staff_actor who;		/* valid once who_known */
	int		 who_known;
	char		 origin[STORE_ORIGIN_MAX + 1];
};

/* Open the configured database (migrations need `munictl init`). */
struct store	*ctl_store(struct ctl *);
/*
 * "usage: munictl LINE" on stderr for each line of munictl.c's command
 * table that begins with words ("sms send": both of its lines); returns 2,
 * the exit status of a usage error. The lines are written there only.
 */
int		 ctl_usage(const char *words);
/*
 * The same for each of the words (NULL ends them), the later lines
 * aligned under the first whatever the language's word for "usage:".
 * Returns 2.
 */
int		 ctl_usage_lines(FILE *fp, const char *first, ...);
/* "munictl CMD: unknown command 'WORD'" in the catalogue's words; 2. */
int		 ctl_unknown(const char *cmd, const char *word);
/*
 * --limit N of a list command (cmd: "broadcast list"): 0 with *limit, or
 * 2 after saying what is wrong with arg.
 */
int		 ctl_limit(const char *cmd, const char *arg, long long *limit);

int	 ctl_init(struct ctl *, int, char **);
int	 ctl_demo(struct ctl *, int, char **);
int	 ctl_import(struct ctl *, int, char **);
int	 ctl_sms(struct ctl *, int, char **);
int	 ctl_report_usage(struct ctl *, int, char **);
int	 ctl_pay(struct ctl *, int, char **);
int	 ctl_import_statement(struct ctl *, int, char **);
int	 ctl_report(struct ctl *, int, char **);
int	 ctl_groups(struct ctl *, int, char **);
int	 ctl_broadcast(struct ctl *, int, char **);
int	 ctl_reminders(struct ctl *, int, char **);
int	 ctl_backup(struct ctl *, int, char **);
int	 ctl_restore(struct ctl *, int, char **);
/* ctl_pg.c: PostgreSQL's roles (from init) and migrate --to. */
int	 ctl_migrate(struct ctl *, int, char **);
int	 ctl_pg_roles(struct store *);
int	 ctl_staff(struct ctl *, int, char **);
int	 ctl_topics(struct ctl *, int, char **);
int	 ctl_cases(struct ctl *, int, char **);
int	 ctl_refdata(struct ctl *, int, char **);
/*
 * Who runs munictl: the staff account of the Unix user (getuid, never
 * $USER, which anyone can set), else that Unix user by name. Resolved once;
 * also sets the origin of later audit rows. NULL after saying why on
 * stderr as "munictl cmd: ..." (no database, a disabled account).
 */
const struct staff_actor *ctl_who(struct ctl *, const char *cmd);
/*
 * The name to audit an action under: the caller's (ctl_who), or as
 * (--as), which only an admin may give; the audit origin then names the
 * admin too. NULL after saying why.
 */
const char	*ctl_actor(struct ctl *, const char *as, const char *cmd);
/* 0 when the caller has right, else 1 after saying why. */
int		 ctl_may(struct ctl *, enum staff_right, const char *cmd);

int	 ctl_audit(struct ctl *, int, char **);
int	 ctl_api(struct ctl *, int, char **);
int	 ctl_callback(struct ctl *, int, char **);
int	 ctl_merchant(struct ctl *, int, char **);
int	 ctl_offer(struct ctl *, int, char **);

#endif
