/*
 * otp: the six-digit one-time codes that sign a resident in at a kiosk,
 * and the lock-outs that stop guessing. A code goes by SMS through the
 * outbox to the phone on record, with a validity equal to its lifetime so
 * the gateway never delivers it late; only its crypt(3) hash is stored and
 * the code itself is never logged. [otp] max_attempts wrong codes lock the
 * person out for [otp] lockout_s, however many codes they were spread
 * over; a terminal sends at most [otp] per_terminal_per_hour codes. The
 * code's SMS text is wiped from the outbox once sent. The lock-out table
 * is shared with the staff PIN: a subject is a string such as
 * "resident:42" or "staff-pin:biblioteka-1".
 */
#ifndef MUNI_OTP_H
#define MUNI_OTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ident.h"

struct config;
struct store;

#define OTP_DIGITS	6
#define OTP_CODE_SIZE	(OTP_DIGITS + 1)
/* Codes go ahead of everything else waiting in the outbox. */
#define OTP_PRIORITY	20
#define OTP_MASK_SIZE	48	/* "+371 2•••••12" with its UTF-8 dots */
/*
 * A person's code is sent at most once in this long: typing someone's
 * personal code again and again at a kiosk must not flood their phone.
 */
#define OTP_RESEND_S	60

struct otp_params {
	long		 ttl_s;		/* [otp] ttl_s */
	int		 max_attempts;	/* [otp] max_attempts */
	long		 lockout_s;	/* [otp] lockout_s */
	long		 window_s;	/* [otp] window_s */
	int		 per_terminal_per_hour;	/* [otp] per_terminal_per_hour */
	/* The kiosk asking (-T), for the per-terminal cap; NULL: no cap. */
	const char	*terminal;
	/*
	 * Who sends the code, as the SMS names it: [municipality]
	 * name_genitive ("Dobeles novada pašvaldības kods: ..."), never
	 * the program's name.
	 */
	const char	*issuer;
};

void	 otp_params_init(struct otp_params *, const struct config *);

enum otp_result {
	OTP_OK,			/* sent, or the code was right */
	OTP_WRONG,		/* wrong code; tries left */
	OTP_EXPIRED,		/* no live code: ask for a new one */
	OTP_LOCKED,		/* too many wrong codes: wait */
	OTP_NO_RESIDENT,	/* no resident has that personal code */
	OTP_NO_PHONE,		/* no mobile phone on record */
	OTP_BUSY,		/* the terminal sent its codes for the hour */
};

/* A lock-out subject: "resident:42", or "nobody:" and a hash. */
#define OTP_SUBJECT_SIZE	80

/* What otp_issue did; never holds the code or the personal code. */
struct otp_issued {
	int64_t		 resident_id;
	int64_t		 message_id;	/* the outbox row of the SMS */
	char		 phone_mask[OTP_MASK_SIZE];	/* "+371 2•••••12" */
	char		 lang[8];	/* the resident's language */
	time_t		 expires_at;
	time_t		 locked_until;	/* OTP_LOCKED: until when */
	int		 reused;	/* no SMS now: the one sent less than
					   OTP_RESEND_S ago still holds */
	/*
	 * Whose wrong codes count: also set for OTP_NO_RESIDENT and
	 * OTP_NO_PHONE, so that a screen can treat a code typed for
	 * nobody as it treats a wrong one (otp_verify_subject), and
	 * tell nobody whether the person exists.
	 */
	char		 subject[OTP_SUBJECT_SIZE];
};

/*
 * Sign-in step one for the resident with personal code pcode (canonical
 * "XXXXXX-XXXXX" form): unless the terminal has sent
 * per_terminal_per_hour codes in the last hour (OTP_BUSY), or the person
 * is locked out or has no mobile phone, replace any earlier code with a
 * new one and queue its SMS in the current i18n language, in one
 * transaction — or, when the live code was sent less than OTP_RESEND_S
 * ago, keep it and send nothing (reused). The SMS's outbox row is marked
 * secret: its text is wiped once the gateway has sent it or it expired.
 * Returns an enum otp_result (OTP_OK, OTP_BUSY, OTP_LOCKED,
 * OTP_NO_RESIDENT, OTP_NO_PHONE) or -1 on a database or random-source
 * error. resident_id and phone_mask are set whenever a resident was
 * found, subject always (but for OTP_BUSY).
 */
int	 otp_issue(struct store *, const struct otp_params *,
	    const char *pcode, struct otp_issued *out);

/*
 * Step two: check code (as typed, digits only) for the resident. A right
 * code is used up and clears the person's failures; a wrong one counts
 * for the person — across codes, until none came for window_s — and the
 * max_attempts-th locks the person out and voids the code. Returns an
 * enum otp_result (OTP_OK, OTP_WRONG with *left set, OTP_EXPIRED,
 * OTP_LOCKED with *until set) or -1. left and until may be NULL.
 */
int	 otp_verify(struct store *, const struct otp_params *,
	    int64_t resident_id, const char *code, int *left, time_t *until);
/*
 * A code typed for someone who got none (otp_issue's OTP_NO_RESIDENT or
 * OTP_NO_PHONE, with its subject): never right, and counted and locked
 * exactly as a wrong code is. OTP_WRONG, OTP_LOCKED or -1.
 */
int	 otp_verify_subject(struct store *, const struct otp_params *,
	    const char *subject, int *left, time_t *until);

/*
 * Lock-outs by subject. get: failures so far and the lock's end (0 when
 * there is no row). fail: one more failure; at max the subject is locked
 * until now + lock_s and its failures start again from zero; returns 1
 * when this failure locked it, 0 when not. clear: forget the failures.
 * All -1 on a database error.
 */
int	 otp_lockout_get(struct store *, const char *subject, int *failures,
	    time_t *locked_until);
int	 otp_lockout_fail(struct store *, const char *subject, int max,
	    long lock_s, int *failures, time_t *locked_until);
int	 otp_lockout_clear(struct store *, const char *subject);

/*
 * crypt(3) with a fresh yescrypt salt ("$y$...") of secret into out (at
 * least OTP_HASH_SIZE bytes), at yescrypt cost count: 1 takes about 1 MiB
 * and 2 ms, each step doubles both (5, libcrypt's default, takes 16 MiB,
 * the kiosk's whole memory budget). A six-digit code or a PIN has too few
 * values for cost to protect it: the hash keeps it out of sight and the
 * lock-outs stop guessing. 0, or -1 with *errstr set.
 */
#define OTP_HASH_SIZE		128
#define OTP_HASH_COST_CODE	1	/* one-time codes */
#define OTP_HASH_COST_PIN	3	/* staff PINs: about 4 MiB, 20 ms */
int	 otp_hash(const char *secret, unsigned long cost, char *out,
	    size_t size, const char **errstr);
/* 1 when secret hashes to hash (compared in constant time), else 0. */
int	 otp_hash_check(const char *secret, const char *hash);

/*
 * A staff PIN against its configured hash ([kiosk] staff_pin_hash), with
 * the lock-out of subject: max wrong PINs lock it for lock_s. Returns
 * OTP_OK, OTP_WRONG (*left set), OTP_LOCKED (*until set), OTP_EXPIRED
 * when no hash is configured (staff mode is off), or -1.
 */
int	 otp_pin_check(struct store *, const char *hash, const char *pin,
	    const char *subject, int max, long lock_s, int *left,
	    time_t *until);

#endif
