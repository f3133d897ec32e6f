/*
 * staff: the people who work muni — personal accounts with a role, a
 * personal kiosk PIN and an optional Unix user — and the rules of who may
 * do what. Roles nest: an operator sends broadcasts under the approval
 * threshold; an approver also approves other people's; an admin also
 * manages staff accounts, topics, reference data and restores.
 *
 * Four eyes: a held broadcast and any change of a staff role need a second,
 * different person with the approver role (an admin counts). A role change
 * is held in the account's pending_role until such a person approves it;
 * while no account but the one making it and the one it is for has the
 * approver role, even a disabled one (the first accounts, a municipality
 * with one approver), it takes effect at once and its audit row says so.
 * Every change writes an audit row in its own transaction.
 *
 * A Unix user without an account (root while installing, a cron job) acts
 * under its Unix name and may do what file permissions allow, except
 * approve and, once any account exists, manage staff.
 */
#ifndef MUNI_STAFF_H
#define MUNI_STAFF_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

#define STAFF_NAME_MAX		32	/* bytes: [a-z0-9._-], first a letter */
#define STAFF_DISPLAY_MAX	63	/* bytes of UTF-8 */
#define STAFF_UNIX_MAX		32	/* a Unix login name */
#define STAFF_PIN_MIN		6
#define STAFF_PIN_MAX		12
#define STAFF_ERR_SIZE		256

enum staff_role {
	STAFF_OPERATOR,
	STAFF_APPROVER,
	STAFF_ADMIN,
};

/* What an action needs. */
enum staff_right {
	STAFF_R_SEND,		/* preview, send, cancel, work cases */
	STAFF_R_APPROVE,	/* approve someone else's broadcast */
	STAFF_R_ADMIN,		/* topics, reference data, restores */
	STAFF_R_STAFF,		/* staff accounts */
};

struct staff_info {
	int64_t		 id;		/* the staff number at the kiosk */
	char		 name[STAFF_NAME_MAX + 1];
	char		 display[STAFF_DISPLAY_MAX + 1];
	enum staff_role	 role;
	char		 pending_role[16];	/* "" when none waits */
	char		 pending_by[STAFF_NAME_MAX + 1];
	int		 has_pin;
	char		 unix_user[STAFF_UNIX_MAX + 1];
	char		 phone[20];		/* E.164 or "" */
	char		 birth_date[11];	/* YYYY-MM-DD or "" */
	int		 disabled;
	time_t		 created_at;
	time_t		 last_seen;		/* 0: never */
};

/* Who is acting, as the front found out (staff_whoami). */
struct staff_actor {
	char		 name[STAFF_NAME_MAX + 1];	/* audited as */
	char		 unix_user[STAFF_UNIX_MAX + 1];
	int64_t		 id;		/* 0: no staff account */
	enum staff_role	 role;		/* when id != 0 */
	int		 bootstrap;	/* uid 0 and no account exists yet */
};

/* The new account's or the changed fields; NULL leaves a field as it is. */
struct staff_fields {
	const char	*display;
	const char	*role;
	const char	*unix_user;	/* "" clears it */
	const char	*phone;		/* "" clears it */
	const char	*birth_date;	/* "" clears it */
};

const char	*staff_role_name(enum staff_role);
/* "operator", "approver", "admin"; 0 or -1. */
int		 staff_role_parse(const char *, enum staff_role *);
/* An account name's shape; 0, or -1 with *errstr (untranslated msgid). */
int		 staff_check_name(const char *, const char **errstr);

/* Accounts in all, disabled ones too; -1 on error. */
int64_t	 staff_count(struct store *);
/* 0 found, 1 none, -1 error. */
int	 staff_get(struct store *, const char *name, struct staff_info *);
int	 staff_get_id(struct store *, int64_t id, struct staff_info *);
int	 staff_by_unix(struct store *, const char *unix_user,
	    struct staff_info *);
/* Every account, by name; cb returning -1 stops. 0 or -1. */
int	 staff_list(struct store *,
	    int (*cb)(void *arg, const struct staff_info *), void *arg);

/*
 * Who Unix user unix_name (uid) is: the account whose Unix user it is,
 * else the Unix name itself. A disabled account acts as nobody: -1 with
 * err set. 0 on success.
 */
int	 staff_whoami(struct store *, unsigned long uid, const char *unix_name,
	    struct staff_actor *, char *err, size_t errsize);
/*
 * Whether who may act as another name (--as): only an admin, or root
 * before any account exists. 0, or -1 with err set.
 */
int	 staff_may_act_as(const struct staff_actor *who, char *err,
	    size_t errsize);
/* Whether who has right; 0, or -1 with err saying what is missing. */
int	 staff_may(const struct staff_actor *who, enum staff_right right,
	    char *err, size_t errsize);

/*
 * The approver check of four-eyes: approver must be an enabled account
 * with the approver role (or admin) and a different person from creator
 * (neither its name nor its Unix user). 0, or -1 with err set.
 */
int	 staff_check_approver(struct store *, const char *approver,
	    const char *creator, char *err, size_t errsize);

/*
 * Accounts: add, change, disable, approve a held role change. who must
 * have STAFF_R_STAFF. A role above operator (add) or any role change (set)
 * is held for a second approver when one exists: *pending is then 1. Each
 * 0, or -1 with err set and nothing changed.
 */
int	 staff_add(struct store *, const struct staff_actor *who,
	    const char *name, const struct staff_fields *, int *pending,
	    char *err, size_t errsize);
int	 staff_set(struct store *, const struct staff_actor *who,
	    const char *name, const struct staff_fields *, int *pending,
	    char *err, size_t errsize);
int	 staff_set_disabled(struct store *, const struct staff_actor *who,
	    const char *name, int disabled, char *err, size_t errsize);
int	 staff_approve_role(struct store *, const struct staff_actor *who,
	    const char *name, char *err, size_t errsize);

/*
 * A PIN's strength: 6-12 digits, not one digit repeated, not an ascending
 * or descending run, not the birth date (YYYY-MM-DD, "" unknown) in its
 * usual forms. 0, or -1 with *why (untranslated msgid).
 */
int	 staff_pin_weak(const char *pin, const char *birth_date,
	    const char **why);
/*
 * Set name's PIN (hashed with yescrypt). who must be the person themself
 * or have STAFF_R_STAFF. 0, or -1 with err set.
 */
int	 staff_set_pin(struct store *, const struct staff_actor *who,
	    const char *name, const char *pin, char *err, size_t errsize);

/*
 * A kiosk sign-in: staff number id and pin, with lock-outs per person
 * ("staff:ID") and per terminal (terminal_subject), max wrong PINs each,
 * locked for lock_s. Returns an enum otp_result: OTP_OK (info filled,
 * last-seen updated), OTP_WRONG (*left set), OTP_LOCKED (*until set),
 * OTP_NO_RESIDENT for an unknown or disabled account or one without a PIN
 * (counted as a wrong PIN, so numbers cannot be probed), or -1.
 */
int	 staff_sign_in(struct store *, int64_t id, const char *pin,
	    const char *terminal_subject, int max, long lock_s,
	    struct staff_info *info, int *left, time_t *until);

/*
 * An emergency broadcast went out at once, unapproved: tell every enabled approver
 * with a phone but the sender who sent what to how many, by SMS through
 * the outbox. The number of messages queued, or -1.
 */
int64_t	 staff_notify_emergency(struct store *, const char *sender,
	    int64_t broadcast_id, const char *text, int64_t recipients);

/* One audit-log row as munictl audit shows it. */
struct staff_audit_row {
	time_t		 at;
	char		 actor[64];
	char		 origin[128];
	char		 action[64];
	char		 detail[256];
};

/*
 * The audit log from since (epoch seconds) on, oldest first, at most limit
 * rows; who NULL for everyone, else the rows that name who as the actor or
 * as the admin behind an --as. 0 or -1.
 */
int	 staff_audit_list(struct store *, const char *who, time_t since,
	    size_t limit, int (*cb)(void *, const struct staff_audit_row *),
	    void *arg);
/* "YYYY-MM-DD" as the local midnight it starts at; 0, or -1 (*errstr). */
int	 staff_parse_day(const char *, time_t *out, const char **errstr);

#endif
