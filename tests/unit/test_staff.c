/*
 * test_staff: staff accounts over a demo store with the fake clock — who
 * may do what by role, the bootstrap by root, --as for admins only, weak
 * PINs refused, four-eyes on role changes (never one's own), kiosk sign-in
 * with lock-outs per person and per terminal, audit rows that say who and
 * from where and hold no personal code, the SMS to approvers after an
 * emergency broadcast, and the API's named client tokens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apitoken.h"
#include "clock.h"
#include "log.h"
#include "otp.h"
#include "staff.h"
#include "store.h"
#include "util.h"
#include "testlib.h"

#define NOW	1781514000	/* 2026-06-15 09:00:00 UTC */

static int
setup(void **state)
{
	/* No catalogue: the messages are checked as their English msgids. */
	if ((*state = tl_demo_store(50, 7, NOW, LOG_LEVEL_FATAL)) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	clock_clear_fake();
	return 0;
}

/* Who name is now, as munictl would find out (uid 1000 unless root). */
static void
whoami(struct store *s, const char *unix_name, struct staff_actor *who)
{
	char	 err[STAFF_ERR_SIZE];

	assert_int_equal(staff_whoami(s, strcmp(unix_name, "root") == 0 ? 0 :
	    1000, unix_name, who, err, sizeof(err)), 0);
}

static void
add(struct store *s, const struct staff_actor *who, const char *name,
    const char *role, const char *unix_user, int want_pending)
{
	struct staff_fields	 f;
	char			 err[STAFF_ERR_SIZE];
	int			 pending;

	memset(&f, 0, sizeof(f));
	f.role = role;
	f.unix_user = unix_user;
	if (staff_add(s, who, name, &f, &pending, err, sizeof(err)) != 0)
		fail_msg("staff_add %s: %s", name, err);
	assert_int_equal(pending, want_pending);
}

static void
test_roles(void **state)
{
	struct store		*s = *state;
	struct staff_actor	 root, cron, anna, olga;
	struct staff_fields	 f;
	char			 err[STAFF_ERR_SIZE];
	int			 pending;

	/* Before any account root may add the first admin; cron may not. */
	whoami(s, "root", &root);
	assert_true(root.bootstrap);
	assert_int_equal(root.id, 0);
	whoami(s, "backup", &cron);
	assert_false(cron.bootstrap);
	memset(&f, 0, sizeof(f));
	f.role = "admin";
	assert_int_equal(staff_add(s, &cron, "anna", &f, &pending, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "backup has no staff account: once accounts "
	    "exist only an admin manages them");
	assert_int_equal(staff_count(s), 0);
	add(s, &root, "anna", "admin", "anna", 0);
	/* Root is bootstrap no longer, and approves nothing. */
	whoami(s, "root", &root);
	assert_false(root.bootstrap);
	assert_int_equal(staff_may(&root, STAFF_R_STAFF, err, sizeof(err)), -1);
	assert_int_equal(staff_may(&root, STAFF_R_APPROVE, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "root has no staff account: approvals come "
	    "only from staff accounts (munictl staff add)");
	/* Without an account: what file permissions allow, but approving. */
	assert_int_equal(staff_may(&root, STAFF_R_ADMIN, err, sizeof(err)), 0);
	assert_int_equal(staff_may(&root, STAFF_R_SEND, err, sizeof(err)), 0);
	assert_int_equal(staff_may_act_as(&root, err, sizeof(err)), -1);

	whoami(s, "anna", &anna);
	assert_string_equal(anna.name, "anna");
	assert_int_equal(anna.role, STAFF_ADMIN);
	assert_int_equal(staff_may_act_as(&anna, err, sizeof(err)), 0);
	add(s, &anna, "olga", "operator", "olga", 0);
	whoami(s, "olga", &olga);
	assert_int_equal(staff_may(&olga, STAFF_R_SEND, err, sizeof(err)), 0);
	assert_int_equal(staff_may(&olga, STAFF_R_APPROVE, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "olga is an operator: approving needs the "
	    "approver role");
	assert_int_equal(staff_may(&olga, STAFF_R_ADMIN, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "olga is operator: this needs the admin "
	    "role");
	assert_int_equal(staff_may_act_as(&olga, err, sizeof(err)), -1);
	assert_string_equal(err, "only an admin may act as someone else "
	    "(--as); olga is not one");

	/* Bad input changes nothing. */
	f.role = "boss";
	assert_int_equal(staff_add(s, &anna, "ivars", &f, &pending, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown role 'boss' (operator, approver or "
	    "admin)");
	f.role = "operator";
	assert_int_equal(staff_add(s, &anna, "Ivars Ozols", &f, &pending, err,
	    sizeof(err)), -1);
	assert_int_equal(staff_add(s, &anna, "olga", &f, &pending, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "staff account 'olga' exists already (munictl "
	    "staff set changes it)");
	f.unix_user = "olga";
	assert_int_equal(staff_add(s, &anna, "ivars", &f, &pending, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "Unix user olga belongs to staff account olga "
	    "already");
	assert_int_equal(staff_set_disabled(s, &anna, "nobody", 1, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no staff account 'nobody' (munictl staff list"
	    " shows them)");
	assert_int_equal(staff_count(s), 2);

	/* A disabled account acts as nobody at all. */
	assert_int_equal(staff_set_disabled(s, &anna, "olga", 1, err,
	    sizeof(err)), 0);
	assert_int_equal(staff_whoami(s, 1001, "olga", &olga, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "staff account olga (Unix user olga) is "
	    "disabled");
}

static void
test_weak_pins(void **state)
{
	static const char *const weak[] = {
		"12345", "1234567890123", "12a456", "", "000000", "777777777",
		"123456", "345678", "890123", "987654", "3210987",
		/* Born 1975-11-16. */
		"161175", "751116", "16111975", "19751116", "0161175",
	};
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(weak); i++)
		if (staff_pin_weak(weak[i], "1975-11-16", &why) != -1)
			fail_msg("PIN '%s' was taken", weak[i]);
	assert_int_equal(staff_pin_weak("161175", "1975-11-16", &why), -1);
	assert_string_equal(why, "a PIN must not contain your birth date");
	assert_int_equal(staff_pin_weak("123456", "", &why), -1);
	assert_string_equal(why, "a run of digits (123456, 987654) is too easy "
	    "to guess");
	/* The same digits are fine for someone born on another day. */
	assert_int_equal(staff_pin_weak("161175", "1980-02-01", &why), 0);
	assert_int_equal(staff_pin_weak("402917", "1975-11-16", &why), 0);
	assert_int_equal(staff_pin_weak("402917385521", NULL, &why), 0);
}

static void
test_role_four_eyes(void **state)
{
	struct store		*s = *state;
	struct staff_actor	 root, anna, janis, peteris;
	struct staff_info	 si;
	struct staff_fields	 f;
	char			 err[STAFF_ERR_SIZE];
	int			 pending;

	whoami(s, "root", &root);
	add(s, &root, "anna", "admin", "anna", 0);
	whoami(s, "anna", &anna);
	/* Nobody but anna could approve: at once, and the audit says so. */
	add(s, &anna, "janis", "approver", "janis", 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " actor = 'anna' AND action = 'staff role' AND detail ="
	    " 'staff=janis role=approver (no second approver exists)'"), 1);
	/* Now janis could: peteris waits as an operator. */
	add(s, &anna, "peteris", "admin", "peteris", 1);
	assert_int_equal(staff_get(s, "peteris", &si), 0);
	assert_int_equal(si.role, STAFF_OPERATOR);
	assert_string_equal(si.pending_role, "admin");
	assert_string_equal(si.pending_by, "anna");
	/* Not by the one who asked, nor by the one it is for. */
	assert_int_equal(staff_approve_role(s, &anna, "peteris", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "anna cannot approve what they asked for "
	    "themself: a different approver must");
	whoami(s, "peteris", &peteris);
	assert_int_equal(staff_approve_role(s, &peteris, "peteris", err,
	    sizeof(err)), -1);
	assert_int_equal(staff_get(s, "peteris", &si), 0);
	assert_int_equal(si.role, STAFF_OPERATOR);
	/* janis, a different approver, may. */
	whoami(s, "janis", &janis);
	assert_int_equal(staff_approve_role(s, &janis, "peteris", err,
	    sizeof(err)), 0);
	assert_int_equal(staff_get(s, "peteris", &si), 0);
	assert_int_equal(si.role, STAFF_ADMIN);
	assert_string_equal(si.pending_role, "");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " actor = 'janis' AND action = 'staff role approve' AND detail ="
	    " 'staff=peteris role=admin requested_by=anna'"), 1);
	/* Twice: nothing waits. */
	assert_int_equal(staff_approve_role(s, &janis, "peteris", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no role change of peteris waits for "
	    "approval");
	/* A demotion is a role change too. */
	memset(&f, 0, sizeof(f));
	f.role = "operator";
	assert_int_equal(staff_set(s, &anna, "janis", &f, &pending, err,
	    sizeof(err)), 0);
	assert_int_equal(pending, 1);
	assert_int_equal(staff_get(s, "janis", &si), 0);
	assert_int_equal(si.role, STAFF_APPROVER);

	/* Disabling the others first does not let anna act alone. */
	assert_int_equal(staff_set_disabled(s, &anna, "janis", 1, err,
	    sizeof(err)), 0);
	assert_int_equal(staff_set_disabled(s, &anna, "peteris", 1, err,
	    sizeof(err)), 0);
	add(s, &anna, "ivars", "admin", NULL, 1);
	assert_int_equal(staff_get(s, "ivars", &si), 0);
	assert_int_equal(si.role, STAFF_OPERATOR);
	assert_int_equal(staff_set_disabled(s, &anna, "janis", 0, err,
	    sizeof(err)), 0);

	/* Broadcasts: the approver check of four-eyes. */
	assert_int_equal(staff_check_approver(s, "janis", "anna", err,
	    sizeof(err)), 0);
	assert_int_equal(staff_check_approver(s, "janis", "janis", err,
	    sizeof(err)), -1);
	/* Created under the bare Unix name, approved under the account. */
	tl_exec(s, "UPDATE staff SET unix_user = 'jb' WHERE name = 'janis'");
	assert_int_equal(staff_check_approver(s, "janis", "jb", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "janis cannot approve what they asked for "
	    "themself: a different approver must");
	assert_int_equal(staff_check_approver(s, "root", "anna", err,
	    sizeof(err)), -1);
}

static void
test_pin_and_sign_in(void **state)
{
	struct store		*s = *state;
	struct staff_actor	 root, anna, olga;
	struct staff_info	 si;
	struct staff_fields	 f;
	char			 err[STAFF_ERR_SIZE];
	time_t			 until;
	int			 left, pending;

	whoami(s, "root", &root);
	memset(&f, 0, sizeof(f));
	f.role = "admin";
	f.unix_user = "anna";
	f.birth_date = "1975-11-16";
	assert_int_equal(staff_add(s, &root, "anna", &f, &pending, err,
	    sizeof(err)), 0);
	whoami(s, "anna", &anna);
	add(s, &anna, "olga", "operator", "olga", 0);
	whoami(s, "olga", &olga);
	assert_int_equal(staff_set_pin(s, &anna, "anna", "161175", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "a PIN must not contain your birth date");
	assert_int_equal(staff_set_pin(s, &anna, "anna", "402917", err,
	    sizeof(err)), 0);
	/* An operator sets their own PIN, not someone else's. */
	assert_int_equal(staff_set_pin(s, &olga, "anna", "555123", err,
	    sizeof(err)), -1);
	assert_int_equal(staff_set_pin(s, &olga, "olga", "518274", err,
	    sizeof(err)), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM staff WHERE"
	    " pin_hash LIKE '$y$%' AND pin_hash NOT LIKE '%402917%'"), 2);

	assert_int_equal(staff_get(s, "anna", &si), 0);
	assert_int_equal(staff_sign_in(s, si.id, "402917", "terminal:t1", 3,
	    300, &si, &left, &until), OTP_OK);
	assert_int_equal(si.last_seen, NOW);
	/* Wrong PINs lock the person, at any terminal. */
	assert_int_equal(staff_sign_in(s, si.id, "000001", "terminal:t1", 3,
	    300, &si, &left, &until), OTP_WRONG);
	assert_int_equal(left, 2);
	assert_int_equal(staff_sign_in(s, si.id, "000002", "terminal:t2", 3,
	    300, &si, &left, &until), OTP_WRONG);
	assert_int_equal(staff_sign_in(s, si.id, "000003", "terminal:t3", 3,
	    300, &si, &left, &until), OTP_LOCKED);
	assert_int_equal(until, NOW + 300);
	assert_int_equal(staff_sign_in(s, si.id, "402917", "terminal:t4", 3,
	    300, &si, &left, &until), OTP_LOCKED);
	/* Guessing numbers locks the terminal, whoever is tried. */
	assert_int_equal(staff_sign_in(s, 999, "111111", "terminal:t5", 3,
	    300, &si, &left, &until), OTP_NO_RESIDENT);
	assert_int_equal(staff_sign_in(s, 998, "111111", "terminal:t5", 3,
	    300, &si, &left, &until), OTP_NO_RESIDENT);
	assert_int_equal(staff_sign_in(s, 997, "111111", "terminal:t5", 3,
	    300, &si, &left, &until), OTP_LOCKED);
	assert_int_equal(staff_get(s, "olga", &si), 0);
	assert_int_equal(staff_sign_in(s, si.id, "518274", "terminal:t5", 3,
	    300, &si, &left, &until), OTP_LOCKED);
	/* A disabled account does not sign in with the right PIN. */
	assert_int_equal(staff_set_disabled(s, &anna, "olga", 1, err,
	    sizeof(err)), 0);
	assert_int_equal(staff_sign_in(s, si.id, "518274", "terminal:t6", 3,
	    300, &si, &left, &until), OTP_NO_RESIDENT);
}

static int
count_cb(void *arg, const struct staff_audit_row *r)
{
	int	*n = arg;

	assert_string_equal(r->origin, "unix:anna");
	(*n)++;
	return 0;
}

static void
test_audit_rows(void **state)
{
	struct store		*s = *state;
	struct staff_actor	 root, anna;
	time_t			 day;
	const char		*errstr;
	int			 n = 0;

	store_set_origin(s, "unix:root");
	whoami(s, "root", &root);
	add(s, &root, "anna", "admin", "anna", 0);
	store_set_origin(s, "unix:anna");
	whoami(s, "anna", &anna);
	add(s, &anna, "olga", "operator", "olga", 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " actor = 'root' AND origin = 'unix:root' AND action = 'staff add'"
	    " AND at > 0"), 1);
	assert_int_equal(staff_audit_list(s, "anna", 0, 100, count_cb, &n), 0);
	assert_int_equal(n, 1);
	/* --since is a local day; nothing from tomorrow on. */
	assert_int_equal(staff_parse_day("2026-06-16", &day, &errstr), 0);
	n = 0;
	assert_int_equal(staff_audit_list(s, NULL, day, 100, count_cb, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(staff_parse_day("16.06.2026", &day, &errstr), -1);
	/* An emergency tells the approvers with a phone, not the sender. */
	tl_exec(s, "UPDATE staff SET phone = '+37129111111'");
	assert_int_equal(staff_notify_emergency(s, "olga", 7, "Vētra: "
	    "palieciet mājās", 1234), 1);
	assert_int_equal(staff_notify_emergency(s, "anna", 8, "x", 5), 0);
	assert_int_equal(tl_int(s, "SELECT count(*) FROM outbox WHERE"
	    " phone = '+37129111111' AND text LIKE '%olga%1234%Vētra%'"), 1);
	/* No personal code anywhere in the log. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log a,"
	    " residents r WHERE (a.detail || a.actor || a.origin) LIKE"
	    " ('%' || r.personal_code || '%')"), 0);
}

static void
test_api_tokens(void **state)
{
	struct store		*s = *state;
	struct apitoken_info	 ti;
	char			 tok[APITOKEN_SIZE], tok2[APITOKEN_SIZE];
	char			 err[APITOKEN_ERR_SIZE];

	assert_int_equal(apitoken_live(s), 0);
	assert_int_equal(apitoken_add(s, "anna", "billing", APITOKEN_MESSAGES,
	    tok, sizeof(tok), err, sizeof(err)), 0);
	assert_int_equal(strncmp(tok, "billing:", 8), 0);
	assert_int_equal(strlen(tok), 8 + APITOKEN_SECRET_HEX);
	assert_int_equal(apitoken_check(s, tok, &ti), 0);
	assert_string_equal(ti.client, "billing");
	assert_int_equal(ti.scope, APITOKEN_MESSAGES);
	/* The secret is nowhere in the database. */
	assert_int_equal(tl_int(s, "SELECT count(*) FROM api_tokens WHERE"
	    " token_hash LIKE '$y$%'"), 1);
	/* A wrong secret, another client's name, no secret: no. */
	(void)util_strlcpy(tok2, tok, sizeof(tok2));
	tok2[strlen(tok2) - 1] = tok2[strlen(tok2) - 1] == '0' ? '1' : '0';
	assert_int_equal(apitoken_check(s, tok2, &ti), 1);
	assert_int_equal(apitoken_check(s, "billing", &ti), 1);
	(void)util_strlcpy(tok2, tok, sizeof(tok2));
	memcpy(tok2, "bxlling", 7);
	assert_int_equal(apitoken_check(s, tok2, &ti), 1);
	assert_int_equal(apitoken_add(s, "anna", "billing", APITOKEN_BROADCASTS,
	    tok2, sizeof(tok2), err, sizeof(err)), -1);
	assert_string_equal(err, "API client 'billing' exists already (revoked "
	    "ones keep their name)");
	assert_int_equal(apitoken_add(s, "anna", "Bad:name", APITOKEN_MESSAGES,
	    tok2, sizeof(tok2), err, sizeof(err)), -1);
	/* Revoked: the token no longer opens, and once is enough. */
	assert_int_equal(apitoken_revoke(s, "anna", "billing", err,
	    sizeof(err)), 0);
	assert_int_equal(apitoken_check(s, tok, &ti), 1);
	assert_int_equal(apitoken_live(s), 0);
	assert_int_equal(apitoken_revoke(s, "anna", "billing", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no live token of API client 'billing' "
	    "(munictl api token list shows them)");
	assert_int_equal(tl_int(s, "SELECT count(*) FROM audit_log WHERE"
	    " actor = 'anna' AND action IN ('api token add',"
	    " 'api token revoke')"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test(test_weak_pins),
		cmocka_unit_test_setup_teardown(test_role_four_eyes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_and_sign_in, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_tokens, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
