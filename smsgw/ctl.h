/*
 * ctl: munictl's commands, one file each group (ctl_*.c), sharing the
 * configuration and the database handle opened by munictl.c.
 */
#ifndef MUNI_CTL_H
#define MUNI_CTL_H

struct config;
struct store;

struct ctl {
	struct config	*cfg;
	const char	*conf_path;	/* as given with -c, or NULL */
	struct store	*store;		/* opened on first use */
};

/* Open the configured database (migrations need `munictl init`). */
struct store	*ctl_store(struct ctl *);
/* Print "munictl CMD: usage line" to stderr and return 2 (bad usage). */
int		 ctl_usage(const char *line);
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
int	 ctl_staff(struct ctl *, int, char **);
int	 ctl_topics(struct ctl *, int, char **);
int	 ctl_cases(struct ctl *, int, char **);
int	 ctl_refdata(struct ctl *, int, char **);
/* Who runs the command: as (--as), else $SUDO_USER, else $USER; or NULL. */
const char	*ctl_actor(const char *as);

#endif
