/*
 * staff: personal staff accounts, their roles and PINs, the four-eyes rule
 * for role changes and broadcasts, and the SMS to approvers when an
 * emergency broadcast goes out unapproved. See staff.h for the rules.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "otp.h"
#include "outbox.h"
#include "staff.h"
#include "store.h"
#include "util.h"

#define STAFF_NOTIFY_TEXT_MAX	100	/* bytes of the broadcast quoted */

static const char *const role_names[] = { "operator", "approver", "admin" };

const char *
staff_role_name(enum staff_role r)
{
	if ((size_t)r >= nitems(role_names))
		return "?";
	return role_names[r];
}

int
staff_role_parse(const char *s, enum staff_role *r)
{
	size_t	 i;

	for (i = 0; i < nitems(role_names); i++)
		if (s != NULL && strcmp(s, role_names[i]) == 0) {
			*r = (enum staff_role)i;
			return 0;
		}
	return -1;
}

int
staff_check_name(const char *s, const char **errstr)
{
	size_t	 i, n = strlen(s);

	/* Names go into audit rows and onto terminals: keep them plain. */
	if (n == 0 || n > STAFF_NAME_MAX || s[0] < 'a' || s[0] > 'z') {
		*errstr = N_("a staff name is 1-32 characters a-z, 0-9, '.', "
		    "'_' or '-', starting with a letter");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-')) {
			*errstr = N_("a staff name is 1-32 characters a-z, "
			    "0-9, '.', '_' or '-', starting with a letter");
			return -1;
		}
	return 0;
}

static void
row_info(struct store_cur *c, struct staff_info *si)
{
	enum staff_role	 r = STAFF_OPERATOR;

	memset(si, 0, sizeof(*si));
	si->id = store_i64(c, 0);
	store_text(c, 1, si->name, sizeof(si->name));
	store_text(c, 2, si->display, sizeof(si->display));
	(void)staff_role_parse(store_str(c, 3), &r);
	si->role = r;
	store_text(c, 4, si->pending_role, sizeof(si->pending_role));
	store_text(c, 5, si->pending_by, sizeof(si->pending_by));
	si->has_pin = store_int(c, 6);
	store_text(c, 7, si->unix_user, sizeof(si->unix_user));
	store_text(c, 8, si->phone, sizeof(si->phone));
	store_text(c, 9, si->birth_date, sizeof(si->birth_date));
	si->disabled = store_int(c, 10);
	si->created_at = (time_t)store_i64(c, 11);
	si->last_seen = (time_t)store_i64(c, 12);
}

/* One row of a statement whose ?1 is bound by the caller. */
static int
get_one(struct store *s, struct store_cur *c, struct staff_info *si)
{
	int	 rc;

	if ((rc = store_step(c)) == STORE_ROW)
		row_info(c, si);
	else if (rc != STORE_OK)
		log_warnx("staff: %s", store_errmsg(s));
	store_reset(c);
	return rc == STORE_ROW ? 0 : rc == STORE_OK ? 1 : -1;
}

int64_t
staff_count(struct store *s)
{
	int64_t	 n = -1;

	if (store_one_i64(s, ST_STAFF_COUNT, &n, "") != STORE_ROW)
		return -1;
	return n;
}

int
staff_get(struct store *s, const char *name, struct staff_info *si)
{
	struct store_cur	*c = store_cur(s, ST_STAFF_BY_NAME);

	if (store_bind(c, "s", name) != STORE_OK)
		return -1;
	return get_one(s, c, si);
}

int
staff_get_id(struct store *s, int64_t id, struct staff_info *si)
{
	struct store_cur	*c = store_cur(s, ST_STAFF_BY_ID);

	if (store_bind(c, "I", id) != STORE_OK)
		return -1;
	return get_one(s, c, si);
}

int
staff_by_unix(struct store *s, const char *unix_user, struct staff_info *si)
{
	struct store_cur	*c = store_cur(s, ST_STAFF_BY_UNIX);

	if (store_bind(c, "s", unix_user) != STORE_OK)
		return -1;
	return get_one(s, c, si);
}

int
staff_list(struct store *s, int (*cb)(void *, const struct staff_info *),
    void *arg)
{
	struct store_cur	*c = store_cur(s, ST_STAFF_LIST);
	struct staff_info	 si;
	int			 rc;

	while ((rc = store_step(c)) == STORE_ROW) {
		row_info(c, &si);
		if (cb(arg, &si) == -1)
			break;
	}
	store_reset(c);
	return rc == STORE_ROW || rc == STORE_OK ? 0 : -1;
}

int
staff_whoami(struct store *s, unsigned long uid, const char *unix_name,
    struct staff_actor *who, char *err, size_t errsize)
{
	struct staff_info	 si;
	int64_t			 n;
	int			 rc;

	memset(who, 0, sizeof(*who));
	if (unix_name == NULL || unix_name[0] == '\0' ||
	    util_strlcpy(who->unix_user, unix_name,
	    sizeof(who->unix_user)) == -1) {
		(void)util_snprintf(err, errsize, _("Unix user %lu has no "
		    "usable name"), uid);
		return -1;
	}
	if ((rc = staff_by_unix(s, unix_name, &si)) == -1 ||
	    (n = staff_count(s)) == -1) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	if (rc == 1) {
		/* Audited under its Unix name; cut names fail strlcpy above. */
		(void)util_strlcpy(who->name, unix_name, sizeof(who->name));
		who->bootstrap = uid == 0 && n == 0;
		return 0;
	}
	if (si.disabled) {
		(void)util_snprintf(err, errsize, _("staff account %s (Unix "
		    "user %s) is disabled"), si.name, unix_name);
		return -1;
	}
	(void)util_strlcpy(who->name, si.name, sizeof(who->name));
	who->id = si.id;
	who->role = si.role;
	return 0;
}

int
staff_may_act_as(const struct staff_actor *who, char *err, size_t errsize)
{
	if (who->bootstrap || (who->id != 0 && who->role == STAFF_ADMIN))
		return 0;
	(void)util_snprintf(err, errsize, _("only an admin may act as "
	    "someone else (--as); %s is not one"), who->name);
	return -1;
}

int
staff_may(const struct staff_actor *who, enum staff_right right, char *err,
    size_t errsize)
{
	switch (right) {
	case STAFF_R_SEND:
		return 0;
	case STAFF_R_APPROVE:
		if (who->id == 0) {
			(void)util_snprintf(err, errsize, _("%s has no staff "
			    "account: approvals come only from staff accounts "
			    "(munictl staff add)"), who->name);
			return -1;
		}
		if (who->role < STAFF_APPROVER) {
			(void)util_snprintf(err, errsize, _("%s is an "
			    "operator: approving needs the approver role"),
			    who->name);
			return -1;
		}
		return 0;
	case STAFF_R_ADMIN:
		/* Without an account: what the file permissions allow. */
		if (who->id == 0 || who->role == STAFF_ADMIN)
			return 0;
		(void)util_snprintf(err, errsize, _("%s is %s: this needs the "
		    "admin role"), who->name, staff_role_name(who->role));
		return -1;
	case STAFF_R_STAFF:
		if (who->bootstrap || (who->id != 0 &&
		    who->role == STAFF_ADMIN))
			return 0;
		if (who->id == 0)
			(void)util_snprintf(err, errsize, _("%s has no staff "
			    "account: once accounts exist only an admin "
			    "manages them"), who->name);
		else
			(void)util_snprintf(err, errsize, _("%s is %s: "
			    "managing staff needs the admin role"), who->name,
			    staff_role_name(who->role));
		return -1;
	}
	return -1;
}

int
staff_check_approver(struct store *s, const char *approver,
    const char *creator, char *err, size_t errsize)
{
	struct staff_info	 si;
	int			 rc;

	if ((rc = staff_get(s, approver, &si)) == -1) {
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
		return -1;
	}
	if (rc == 1) {
		(void)util_snprintf(err, errsize, _("%s has no staff account: "
		    "approvals come only from staff accounts (munictl staff "
		    "add)"), approver);
		return -1;
	}
	if (si.disabled) {
		(void)util_snprintf(err, errsize, _("staff account %s is "
		    "disabled"), si.name);
		return -1;
	}
	if (si.role < STAFF_APPROVER) {
		(void)util_snprintf(err, errsize, _("%s is an operator: "
		    "approving needs the approver role"), si.name);
		return -1;
	}
	/* The same person under their account or their bare Unix name. */
	if (strcmp(si.name, creator) == 0 || (si.unix_user[0] != '\0' &&
	    strcmp(si.unix_user, creator) == 0)) {
		(void)util_snprintf(err, errsize, _("%s cannot approve what "
		    "they asked for themself: a different approver must"),
		    si.name);
		return -1;
	}
	return 0;
}

/*
 * Approvers other than actor and target: whoever could approve a change of
 * target's role by actor. Disabled ones count too, so that disabling the
 * others first does not let one admin change roles alone.
 */
static int
other_approvers(struct store *s, const char *actor, const char *target,
    int64_t *n)
{
	struct store_cur	*c = store_cur(s, ST_STAFF_LIST);
	struct staff_info	 si;
	int			 rc;

	*n = 0;
	while ((rc = store_step(c)) == STORE_ROW) {
		row_info(c, &si);
		if (si.role >= STAFF_APPROVER && strcmp(si.name, actor) != 0 &&
		    strcmp(si.name, target) != 0)
			(*n)++;
	}
	store_reset(c);
	return rc == STORE_OK ? 0 : -1;
}

/* Check and normalise the fields; phone into e164. 0 or -1 with err. */
static int
check_fields(const struct staff_fields *f, char e164[IDENT_PHONE_SIZE],
    char *err, size_t errsize)
{
	const char	*errstr;
	enum staff_role	 r;
	size_t		 i;
	long long	 y, m, d;
	char		 part[5];

	if (f->role != NULL && staff_role_parse(f->role, &r) == -1) {
		(void)util_snprintf(err, errsize, _("unknown role '%s' (operator,"
		    " approver or admin)"), f->role);
		return -1;
	}
	if (f->display != NULL && (strlen(f->display) > STAFF_DISPLAY_MAX ||
	    !util_utf8_valid(f->display, strlen(f->display)))) {
		(void)util_snprintf(err, errsize, _("--display: at most %d bytes"
		    " of UTF-8"), STAFF_DISPLAY_MAX);
		return -1;
	}
	if (f->display != NULL)
		for (i = 0; f->display[i] != '\0'; i++)
			if ((unsigned char)f->display[i] < 0x20) {
				(void)util_strlcpy(err, _("--display: no "
				    "control characters"), errsize);
				return -1;
			}
	if (f->unix_user != NULL && f->unix_user[0] != '\0' &&
	    staff_check_name(f->unix_user, &errstr) == -1) {
		(void)util_snprintf(err, errsize, _("--unix '%s': a Unix user "
		    "name of 1-32 characters a-z, 0-9, '.', '_' or '-'"),
		    f->unix_user);
		return -1;
	}
	e164[0] = '\0';
	if (f->phone != NULL && f->phone[0] != '\0' &&
	    ident_phone_parse(f->phone, e164, NULL, &errstr) == -1) {
		(void)util_snprintf(err, errsize, "--phone '%s': %s", f->phone,
		    _(errstr));
		return -1;
	}
	if (f->birth_date != NULL && f->birth_date[0] != '\0') {
		if (strlen(f->birth_date) != 10 || f->birth_date[4] != '-' ||
		    f->birth_date[7] != '-')
			goto baddate;
		memcpy(part, f->birth_date, 4);
		part[4] = '\0';
		if (util_strtonum(part, 1900, 2100, &y, &errstr) == -1)
			goto baddate;
		memcpy(part, f->birth_date + 5, 2);
		part[2] = '\0';
		if (util_strtonum(part, 1, 12, &m, &errstr) == -1)
			goto baddate;
		memcpy(part, f->birth_date + 8, 2);
		if (util_strtonum(part, 1, util_days_in_month((int)y, (int)m),
		    &d, &errstr) == -1)
			goto baddate;
	}
	return 0;
baddate:
	(void)util_snprintf(err, errsize, _("--birth '%s': a date as "
	    "YYYY-MM-DD"), f->birth_date);
	return -1;
}

static int
audit(struct store *s, const struct staff_actor *who, const char *action,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
audit(struct store *s, const struct staff_actor *who, const char *action,
    const char *fmt, ...)
{
	char	 detail[256];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return store_audit(s, who->name, action, detail);
}

/* Look name up for a change: 0 found, -1 with err (unknown or error). */
static int
find(struct store *s, const char *name, struct staff_info *si, char *err,
    size_t errsize)
{
	int	 rc;

	if ((rc = staff_get(s, name, si)) == 0)
		return 0;
	if (rc == 1)
		(void)util_snprintf(err, errsize, _("no staff account '%s' "
		    "(munictl staff list shows them)"), name);
	else
		(void)util_snprintf(err, errsize, _("database error: %s"),
		    store_errmsg(s));
	return -1;
}

/*
 * Give target role now or hold it for a second approver: held when someone
 * other than who and target could approve it. Inside a transaction.
 */
static int
change_role(struct store *s, const struct staff_actor *who,
    const char *target, const char *role, int *pending)
{
	int64_t		 n;

	n = 0;
	if (!who->bootstrap && other_approvers(s, who->name, target, &n) ==
	    -1)
		return -1;
	*pending = n > 0;
	if (*pending) {
		if (store_do(s, ST_STAFF_SET_PENDING, "sss", target, role,
		    who->name) != STORE_OK)
			return -1;
		return audit(s, who, "staff role requested", "staff=%s role=%s",
		    target, role);
	}
	if (store_do(s, ST_STAFF_SET_ROLE, "ss", target, role) != STORE_OK)
		return -1;
	return audit(s, who, "staff role", "staff=%s role=%s (no second "
	    "approver exists)", target, role);
}

int
staff_add(struct store *s, const struct staff_actor *who, const char *name,
    const struct staff_fields *f, int *pending, char *err, size_t errsize)
{
	struct staff_info	 si;
	const char		*errstr;
	char			 e164[IDENT_PHONE_SIZE];
	int			 rc;

	*pending = 0;
	if (staff_may(who, STAFF_R_STAFF, err, errsize) == -1)
		return -1;
	if (staff_check_name(name, &errstr) == -1) {
		(void)util_snprintf(err, errsize, "'%s': %s", name, _(errstr));
		return -1;
	}
	if (f->role == NULL) {
		(void)util_strlcpy(err, _("--role is needed (operator, approver "
		    "or admin)"), errsize);
		return -1;
	}
	if (check_fields(f, e164, err, errsize) == -1)
		return -1;
	if ((rc = staff_get(s, name, &si)) != 1) {
		if (rc == 0)
			(void)util_snprintf(err, errsize, _("staff account '%s'"
			    " exists already (munictl staff set changes it)"),
			    name);
		else
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return -1;
	}
	if (f->unix_user != NULL && f->unix_user[0] != '\0' &&
	    (rc = staff_by_unix(s, f->unix_user, &si)) != 1) {
		if (rc == 0)
			(void)util_snprintf(err, errsize, _("Unix user %s "
			    "belongs to staff account %s already"),
			    f->unix_user, si.name);
		else
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return -1;
	}
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	/* Created as an operator; a higher role is a role change. */
	if (store_do(s, ST_STAFF_INSERT, "sssnnzzzt", name,
	    f->display != NULL ? f->display : "", "operator", f->unix_user,
	    e164, f->birth_date, clock_now()) != STORE_OK)
		return store_abort(s, err, errsize);
	if (audit(s, who, "staff add", "staff=%s id=%lld unix=%s", name,
	    (long long)store_last_rowid(s), f->unix_user != NULL ?
	    f->unix_user : "") == -1)
		return store_abort(s, err, errsize);
	if (strcmp(f->role, "operator") != 0 &&
	    change_role(s, who, name, f->role, pending) == -1)
		return store_abort(s, err, errsize);
	if (store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}

int
staff_set(struct store *s, const struct staff_actor *who, const char *name,
    const struct staff_fields *f, int *pending, char *err, size_t errsize)
{
	struct staff_info	 si, other;
	char			 e164[IDENT_PHONE_SIZE];
	const char		*unix_user, *phone, *birth;
	int			 rc;

	*pending = 0;
	if (staff_may(who, STAFF_R_STAFF, err, errsize) == -1 ||
	    find(s, name, &si, err, errsize) == -1 ||
	    check_fields(f, e164, err, errsize) == -1)
		return -1;
	if (f->unix_user != NULL && f->unix_user[0] != '\0' &&
	    (rc = staff_by_unix(s, f->unix_user, &other)) != 1 &&
	    (rc == -1 || other.id != si.id)) {
		if (rc == 0)
			(void)util_snprintf(err, errsize, _("Unix user %s "
			    "belongs to staff account %s already"),
			    f->unix_user, other.name);
		else
			(void)util_snprintf(err, errsize, _("database error: "
			    "%s"), store_errmsg(s));
		return -1;
	}
	unix_user = f->unix_user != NULL ? f->unix_user : si.unix_user;
	phone = f->phone != NULL ? e164 : si.phone;
	birth = f->birth_date != NULL ? f->birth_date : si.birth_date;
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if (store_do(s, ST_STAFF_UPDATE, "sszzz", name,
	    f->display != NULL ? f->display : si.display, unix_user, phone,
	    birth) != STORE_OK ||
	    audit(s, who, "staff set", "staff=%s unix=%s", name,
	    unix_user) == -1)
		return store_abort(s, err, errsize);
	if (f->role != NULL && strcmp(f->role, staff_role_name(si.role)) != 0 &&
	    change_role(s, who, name, f->role, pending) == -1)
		return store_abort(s, err, errsize);
	if (store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}

int
staff_set_disabled(struct store *s, const struct staff_actor *who,
    const char *name, int disabled, char *err, size_t errsize)
{
	struct staff_info	 si;

	if (staff_may(who, STAFF_R_STAFF, err, errsize) == -1 ||
	    find(s, name, &si, err, errsize) == -1)
		return -1;
	if (si.id == who->id) {
		(void)util_strlcpy(err, _("you cannot disable your own account"),
		    errsize);
		return -1;
	}
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if (store_do(s, ST_STAFF_SET_DISABLED, "si", name, disabled != 0) !=
	    STORE_OK ||
	    audit(s, who, disabled ? "staff disable" : "staff enable",
	    "staff=%s", name) == -1 || store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}

int
staff_approve_role(struct store *s, const struct staff_actor *who,
    const char *name, char *err, size_t errsize)
{
	struct staff_info	 si;
	char			 role[16];

	if (staff_may(who, STAFF_R_APPROVE, err, errsize) == -1 ||
	    find(s, name, &si, err, errsize) == -1)
		return -1;
	if (si.pending_role[0] == '\0') {
		(void)util_snprintf(err, errsize, _("no role change of %s "
		    "waits for approval"), name);
		return -1;
	}
	if (strcmp(si.pending_by, who->name) == 0 || si.id == who->id) {
		(void)util_snprintf(err, errsize, _("%s cannot approve what "
		    "they asked for themself: a different approver must"),
		    who->name);
		return -1;
	}
	(void)util_strlcpy(role, si.pending_role, sizeof(role));
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if (store_do(s, ST_STAFF_SET_ROLE, "ss", name, role) != STORE_OK ||
	    audit(s, who, "staff role approve", "staff=%s role=%s "
	    "requested_by=%s", name, role, si.pending_by) == -1 ||
	    store_commit(s) == -1)
		return store_abort(s, err, errsize);
	return 0;
}

/* 1 when every digit is the one before it plus step (mod 10). */
static int
pin_run(const char *pin, int step)
{
	size_t	 i;

	for (i = 1; pin[i] != '\0'; i++)
		if ((pin[i] - '0') != ((pin[i - 1] - '0') + step + 10) % 10)
			return 0;
	return 1;
}

int
staff_pin_weak(const char *pin, const char *birth_date, const char **why)
{
	char		 forms[4][9];
	size_t		 i, n = strlen(pin);

	for (i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			break;
	if (i < n || n < STAFF_PIN_MIN || n > STAFF_PIN_MAX) {
		*why = N_("a PIN is 6 to 12 digits");
		return -1;
	}
	if (pin_run(pin, 0)) {
		*why = N_("a PIN of one digit repeated is too easy to guess");
		return -1;
	}
	if (pin_run(pin, 1) || pin_run(pin, -1)) {
		*why = N_("a run of digits (123456, 987654) is too easy to "
		    "guess");
		return -1;
	}
	if (birth_date == NULL || strlen(birth_date) != 10)
		return 0;
	/* DDMMYY, YYMMDD, DDMMYYYY, YYYYMMDD anywhere in the PIN. */
	(void)snprintf(forms[0], sizeof(forms[0]), "%.2s%.2s%.2s",
	    birth_date + 8, birth_date + 5, birth_date + 2);
	(void)snprintf(forms[1], sizeof(forms[1]), "%.2s%.2s%.2s",
	    birth_date + 2, birth_date + 5, birth_date + 8);
	(void)snprintf(forms[2], sizeof(forms[2]), "%.2s%.2s%.4s",
	    birth_date + 8, birth_date + 5, birth_date);
	(void)snprintf(forms[3], sizeof(forms[3]), "%.4s%.2s%.2s",
	    birth_date, birth_date + 5, birth_date + 8);
	for (i = 0; i < nitems(forms); i++)
		if (strstr(pin, forms[i]) != NULL) {
			*why = N_("a PIN must not contain your birth date");
			return -1;
		}
	return 0;
}

int
staff_set_pin(struct store *s, const struct staff_actor *who,
    const char *name, const char *pin, char *err, size_t errsize)
{
	struct staff_info	 si;
	const char		*why;
	char			 hash[OTP_HASH_SIZE];

	if (find(s, name, &si, err, errsize) == -1)
		return -1;
	if (si.id != who->id && staff_may(who, STAFF_R_STAFF, err,
	    errsize) == -1)
		return -1;
	if (staff_pin_weak(pin, si.birth_date, &why) == -1) {
		(void)util_strlcpy(err, _(why), errsize);
		return -1;
	}
	if (otp_hash(pin, OTP_HASH_COST_PIN, hash, sizeof(hash), &why) == -1) {
		(void)util_strlcpy(err, why, errsize);
		return -1;
	}
	if (store_begin(s) == -1)
		return store_abort(s, err, errsize);
	if (store_do(s, ST_STAFF_SET_PIN, "ss", name, hash) != STORE_OK ||
	    audit(s, who, "staff pin", "staff=%s", name) == -1 ||
	    store_commit(s) == -1) {
		explicit_bzero(hash, sizeof(hash));
		return store_abort(s, err, errsize);
	}
	explicit_bzero(hash, sizeof(hash));
	return 0;
}

int
staff_sign_in(struct store *s, int64_t id, const char *pin,
    const char *terminal_subject, int max, long lock_s,
    struct staff_info *info, int *left, time_t *until)
{
	struct store_cur *c;
	char		 subject[48], hash[OTP_HASH_SIZE];
	int		 rc, known, lt, lp, failures;
	time_t		 ut = 0, up = 0;

	*left = 0;
	*until = 0;
	(void)util_snprintf(subject, sizeof(subject), "staff:%lld",
	    (long long)id);
	/* Locked, either way: say so before looking at the PIN. */
	if (otp_lockout_get(s, terminal_subject, &failures, &ut) == -1 ||
	    otp_lockout_get(s, subject, &failures, &up) == -1)
		return -1;
	if (ut > clock_now() || up > clock_now()) {
		*until = ut > up ? ut : up;
		return OTP_LOCKED;
	}
	if ((rc = staff_get_id(s, id, info)) == -1)
		return -1;
	hash[0] = '\0';
	known = rc == 0 && !info->disabled && info->has_pin;
	if (known) {
		c = store_cur(s, ST_STAFF_PIN_HASH);
		if (store_bind(c, "I", id) != STORE_OK)
			return -1;
		if (store_step(c) == STORE_ROW)
			store_text(c, 0, hash, sizeof(hash));
		store_reset(c);
	}
	if (known && hash[0] != '\0' && otp_hash_check(pin, hash)) {
		if (otp_lockout_clear(s, subject) == -1 ||
		    otp_lockout_clear(s, terminal_subject) == -1 ||
		    store_do(s, ST_STAFF_SEEN, "It", id, clock_now()) !=
		    STORE_OK)
			return -1;
		info->last_seen = clock_now();
		return OTP_OK;
	}
	if ((lt = otp_lockout_fail(s, terminal_subject, max, lock_s,
	    &failures, &ut)) == -1)
		return -1;
	*left = max - failures;
	lp = 0;
	if (known) {
		if ((lp = otp_lockout_fail(s, subject, max, lock_s, &failures,
		    &up)) == -1)
			return -1;
		if (max - failures < *left)
			*left = max - failures;
	}
	if (lt == 1 || lp == 1) {
		*until = ut > up ? ut : up;
		return OTP_LOCKED;
	}
	return known ? OTP_WRONG : OTP_NO_RESIDENT;
}

int64_t
staff_notify_emergency(struct store *s, const char *sender,
    int64_t broadcast_id, const char *text, int64_t recipients)
{
	struct store_cur	*c;
	struct staff_info	*list = NULL;
	struct outbox_msg	 m;
	const char		*errstr;
	char			 quoted[STAFF_NOTIFY_TEXT_MAX + 4], sms[320];
	size_t			 n = 0, i;
	int64_t			 sent = 0;
	int			 rc;

	c = store_cur(s, ST_STAFF_APPROVERS);
	if (store_bind(c, "s", sender) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		list = xreallocarray(list, n + 1, sizeof(*list));
		row_info(c, &list[n]);
		if (list[n].phone[0] != '\0')
			n++;
	}
	store_reset(c);
	if (rc != STORE_OK) {
		free(list);
		return -1;
	}
	/* The template as written: placeholders, never a resident's data. */
	if (util_strlcpy_utf8(quoted, text, STAFF_NOTIFY_TEXT_MAX + 1) == -1)
		(void)util_strlcpy(quoted + strlen(quoted), "\u2026", 4);
	(void)util_snprintf(sms, sizeof(sms), _("muni: emergency broadcast "
	    "%lld sent by %s to %lld recipients: \"%s\""),
	    (long long)broadcast_id, sender, (long long)recipients, quoted);
	if (store_begin(s) == -1) {
		free(list);
		return -1;
	}
	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.phone = list[i].phone;
		m.text = sms;
		m.priority = OTP_PRIORITY;
		if (outbox_enqueue(s, &m, &errstr) == -1) {
			log_warnx("emergency notice to staff %s: %s",
			    list[i].name, errstr);
			store_rollback(s);
			free(list);
			return -1;
		}
		sent++;
	}
	if (store_commit(s) == -1) {
		free(list);
		return -1;
	}
	free(list);
	return sent;
}

int
staff_audit_list(struct store *s, const char *who, time_t since,
    size_t limit, int (*cb)(void *, const struct staff_audit_row *),
    void *arg)
{
	struct store_cur	*c = store_cur(s, ST_AUDIT_LIST);
	struct staff_audit_row	 r;
	int			 rc;

	if (store_bind(c, "stI", who, since, (int64_t)limit) != STORE_OK)
		return -1;
	while ((rc = store_step(c)) == STORE_ROW) {
		memset(&r, 0, sizeof(r));
		r.at = (time_t)store_i64(c, 0);
		store_text(c, 1, r.actor, sizeof(r.actor));
		store_text(c, 2, r.origin, sizeof(r.origin));
		store_text(c, 3, r.action, sizeof(r.action));
		store_text(c, 4, r.detail, sizeof(r.detail));
		if (cb(arg, &r) == -1)
			break;
	}
	store_reset(c);
	return rc == STORE_ROW || rc == STORE_OK ? 0 : -1;
}

int
staff_parse_day(const char *day, time_t *out, const char **errstr)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if (strlen(day) != 10 || (end = strptime(day, "%Y-%m-%d", &tm)) ==
	    NULL || *end != '\0') {
		*errstr = N_("a date as YYYY-MM-DD");
		return -1;
	}
	/* Midnight of that day in the municipality's zone. */
	if ((*out = clock_mktime_local(&tm)) == (time_t)-1) {
		*errstr = N_("a date as YYYY-MM-DD");
		return -1;
	}
	return 0;
}
