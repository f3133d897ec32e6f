/*
 * otp: one-time sign-in codes sent by SMS, lock-outs after wrong codes or
 * PINs, and the crypt(3) hashes that keep both off the disk in clear.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "otp.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

/* A terminal's codes are counted over this long ([otp] ..._per_hour). */
#define OTP_CAP_WINDOW_S	3600

void
otp_params_init(struct otp_params *p, const struct config *cfg)
{
	p->ttl_s = (long)config_int(cfg, CFG_OTP_TTL_S);
	p->max_attempts = (int)config_int(cfg, CFG_OTP_MAX_ATTEMPTS);
	p->lockout_s = (long)config_int(cfg, CFG_OTP_LOCKOUT_S);
	p->window_s = (long)config_int(cfg, CFG_OTP_WINDOW_S);
	p->per_terminal_per_hour = (int)config_int(cfg,
	    CFG_OTP_PER_TERMINAL_PER_HOUR);
	p->terminal = NULL;
	p->issuer = config_str(cfg, CFG_MUNICIPALITY_NAME_GENITIVE);
}

static int
db_fail(struct store *s, const char *what)
{
	log_warnx("otp: %s: %s", what, store_errmsg(s));
	return -1;
}

static void
subject_of(int64_t resident_id, char *buf, size_t size)
{
	(void)snprintf(buf, size, "resident:%lld", (long long)resident_id);
}

/*
 * A person who gets no code (unknown, or no mobile phone) must look like
 * one who does, down to how their wrong codes lock: their lock-out goes
 * under a subject made from the personal code, hashed with a fixed salt
 * so that the same code always finds the same row and the row does not
 * show the code.
 */
static int
nobody_subject(const char *pcode, char *buf, size_t size)
{
	static const char	 salt_bytes[] = "muni-nobody-lock";
	struct crypt_data	 cd;
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h, *tail;
	int			 rc = -1;

	if (crypt_gensalt_rn("$y$", OTP_HASH_COST_CODE, salt_bytes,
	    (int)sizeof(salt_bytes) - 1, setting, sizeof(setting)) == NULL) {
		log_warnx("otp: no yescrypt setting (libcrypt)");
		return -1;
	}
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(pcode, setting, &cd);
	if (h == NULL || h[0] == '*' || (tail = strrchr(h, '$')) == NULL)
		log_warnx("otp: crypt(3) failed");
	else if (util_snprintf(buf, size, "nobody:%s", tail + 1) == -1)
		log_warnx("otp: the subject does not fit");
	else
		rc = 0;
	explicit_bzero(&cd, sizeof(cd));
	return rc;
}

/* A subject's row: failures, lock and last change (all 0 when none). */
static int
lockout_read(struct store *s, const char *subject, int *failures,
    time_t *locked_until, time_t *updated_at)
{
	struct store_cur	*c = store_cur(s, ST_LOCKOUT_GET);
	int			 rc;

	*failures = 0;
	*locked_until = 0;
	*updated_at = 0;
	if (store_bind(c, "s", subject) != STORE_OK)
		return db_fail(s, "lockout");
	rc = store_step(c);
	if (rc == STORE_ROW) {
		*failures = store_int(c, 0);
		*locked_until = (time_t)store_i64(c, 1);
		*updated_at = (time_t)store_i64(c, 2);
	}
	store_reset(c);
	if (rc < 0)
		return db_fail(s, "lockout");
	return 0;
}

int
otp_lockout_get(struct store *s, const char *subject, int *failures,
    time_t *locked_until)
{
	time_t	 updated_at;

	return lockout_read(s, subject, failures, locked_until, &updated_at);
}

static int
lockout_put(struct store *s, const char *subject, int failures,
    time_t until)
{
	if (store_do(s, ST_LOCKOUT_PUT, "sitt", subject, failures, until,
	    clock_now()) != STORE_OK)
		return db_fail(s, "lockout");
	return 0;
}

/*
 * One more failure of subject; failures older than window_s (from the
 * last one; 0: never forgotten) start again from zero.
 */
static int
lockout_fail(struct store *s, const char *subject, int max, long lock_s,
    long window_s, int *failures, time_t *locked_until)
{
	int	 n, locked = 0;
	time_t	 until, updated_at;

	if (store_begin(s) == -1)
		return -1;
	if (lockout_read(s, subject, &n, &until, &updated_at) == -1)
		goto fail;
	if (window_s > 0 && clock_now() - updated_at >= window_s)
		n = 0;
	n++;
	if (n >= max) {
		/* Locked: the next round of tries starts after the wait. */
		until = clock_now() + lock_s;
		n = 0;
		locked = 1;
	}
	if (lockout_put(s, subject, n, until) == -1 || store_commit(s) == -1)
		goto fail;
	if (failures != NULL)
		*failures = n;
	if (locked_until != NULL)
		*locked_until = until;
	return locked;
fail:
	store_rollback(s);
	return -1;
}

int
otp_lockout_fail(struct store *s, const char *subject, int max, long lock_s,
    int *failures, time_t *locked_until)
{
	return lockout_fail(s, subject, max, lock_s, 0, failures,
	    locked_until);
}

int
otp_lockout_clear(struct store *s, const char *subject)
{
	return lockout_put(s, subject, 0, 0);
}

int
otp_hash(const char *secret, unsigned long cost, char *out, size_t size,
    const char **errstr)
{
	struct crypt_data	 cd;
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h;

	if (crypt_gensalt_rn("$y$", cost, NULL, 0, salt, sizeof(salt)) ==
	    NULL) {
		*errstr = "no yescrypt salt (libcrypt)";
		return -1;
	}
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(secret, salt, &cd);
	if (h == NULL || h[0] == '*') {
		*errstr = "crypt(3) failed";
		explicit_bzero(&cd, sizeof(cd));
		return -1;
	}
	if (util_strlcpy(out, h, size) == -1) {
		*errstr = "hash too long";
		explicit_bzero(&cd, sizeof(cd));
		return -1;
	}
	explicit_bzero(&cd, sizeof(cd));
	return 0;
}

int
otp_hash_check(const char *secret, const char *hash)
{
	struct crypt_data	 cd;
	const char		*h;
	size_t			 i, n;
	unsigned char		 diff = 0;

	if (hash == NULL || hash[0] != '$')
		return 0;
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(secret, hash, &cd);
	if (h == NULL || h[0] == '*' || (n = strlen(h)) != strlen(hash)) {
		explicit_bzero(&cd, sizeof(cd));
		return 0;
	}
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(h[i] ^ hash[i]);
	explicit_bzero(&cd, sizeof(cd));
	return diff == 0;
}

/* A uniform six-digit code from the kernel's random source. */
static int
make_code(char code[OTP_CODE_SIZE])
{
	uint32_t	 r;

	do {
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			log_warn("otp: getrandom");
			return -1;
		}
	} while (r >= 4294000000u);	/* 4294 * 10^6: no modulo bias */
	(void)snprintf(code, OTP_CODE_SIZE, "%06u", r % 1000000u);
	return 0;
}

/*
 * 1 when the resident's live code was sent less than OTP_RESEND_S ago
 * (its expiry to *expires), 0 when a new one may go, -1 on error.
 */
static int
recent_code(struct store *s, const struct otp_params *p, int64_t rid,
    time_t now, time_t *expires)
{
	struct store_cur	*c = store_cur(s, ST_OTP_CURRENT);
	int			 rc, recent = 0;

	if (store_bind(c, "I", rid) != STORE_OK)
		return db_fail(s, "current");
	rc = store_step(c);
	if (rc == STORE_ROW) {
		*expires = (time_t)store_i64(c, 2);
		recent = *expires > now &&
		    store_int(c, 3) < p->max_attempts &&
		    now - (time_t)store_i64(c, 4) < OTP_RESEND_S;
	}
	store_reset(c);
	if (rc < 0)
		return db_fail(s, "current");
	return recent;
}

/*
 * Codes this terminal sent in the last hour: 1 when it may send another,
 * 0 when it has reached per_terminal_per_hour, -1 on error. Counted for
 * whoever they were for, so that one terminal cannot send the codes of
 * many people to their phones (nor learn who has one by trying).
 */
static int
terminal_may_send(struct store *s, const struct otp_params *p, time_t now)
{
	int64_t	 n = 0;

	if (p->terminal == NULL || p->per_terminal_per_hour <= 0)
		return 1;
	if (store_one_i64(s, ST_OTP_SENDS_COUNT, &n, "st", p->terminal,
	    now - OTP_CAP_WINDOW_S) != STORE_ROW)
		return db_fail(s, "terminal");
	return n < p->per_terminal_per_hour;
}

/* Inside otp_issue's transaction: count this send for the terminal. */
static int
terminal_sent(struct store *s, const struct otp_params *p, time_t now)
{
	if (p->terminal == NULL)
		return 0;
	if (store_do(s, ST_OTP_SENDS_PRUNE, "t", now - OTP_CAP_WINDOW_S) !=
	    STORE_OK ||
	    store_do(s, ST_OTP_SENDS_ADD, "st", p->terminal, now) != STORE_OK)
		return db_fail(s, "terminal");
	return 0;
}

/*
 * OTP_LOCKED (with out->locked_until) when out->subject is locked out,
 * else why (OTP_NO_RESIDENT or OTP_NO_PHONE); -1 on error.
 */
static int
no_code(struct store *s, struct otp_issued *out, int why)
{
	int	 failures;

	if (otp_lockout_get(s, out->subject, &failures,
	    &out->locked_until) == -1)
		return -1;
	if (out->locked_until > clock_now())
		return OTP_LOCKED;
	out->locked_until = 0;
	return why;
}

int
otp_issue(struct store *s, const struct otp_params *p, const char *pcode,
    struct otp_issued *out)
{
	struct outbox_msg	 m;
	struct store_cur	*c;
	char			 code[OTP_CODE_SIZE], hash[OTP_HASH_SIZE];
	char			 text[160], phone[IDENT_PHONE_SIZE];
	const char		*errstr;
	time_t			 now = clock_now();
	int			 rc, kind, failures, ret = -1;

	memset(out, 0, sizeof(*out));
	/* First, before anything says whether the person exists. */
	if ((rc = terminal_may_send(s, p, now)) != 1)
		return rc == 0 ? OTP_BUSY : -1;
	c = store_cur(s, ST_OTP_RESIDENT);
	if (store_bind(c, "s", pcode) != STORE_OK)
		return db_fail(s, "resident");
	rc = store_step(c);
	if (rc == STORE_OK) {
		store_reset(c);
		if (nobody_subject(pcode, out->subject,
		    sizeof(out->subject)) == -1)
			return -1;
		return no_code(s, out, OTP_NO_RESIDENT);
	}
	if (rc != STORE_ROW) {
		store_reset(c);
		return db_fail(s, "resident");
	}
	out->resident_id = store_i64(c, 0);
	if (util_strlcpy(phone, store_str(c, 1), sizeof(phone)) == -1)
		phone[0] = '\0';
	kind = store_int(c, 2);
	(void)util_strlcpy(out->lang, store_isnull(c, 3) ? "lv" :
	    store_str(c, 3), sizeof(out->lang));
	store_reset(c);
	subject_of(out->resident_id, out->subject, sizeof(out->subject));

	/* Only a mobile number takes an SMS (as for broadcasts). */
	if (phone[0] == '\0' || (kind != IDENT_PHONE_LV_MOBILE &&
	    kind != IDENT_PHONE_FOREIGN))
		return no_code(s, out, OTP_NO_PHONE);
	ident_phone_mask(phone, out->phone_mask, sizeof(out->phone_mask));

	if (otp_lockout_get(s, out->subject, &failures,
	    &out->locked_until) == -1)
		return -1;
	if (out->locked_until > now)
		return OTP_LOCKED;
	out->locked_until = 0;
	if ((rc = recent_code(s, p, out->resident_id, now,
	    &out->expires_at)) == -1)
		return -1;
	if (rc == 1) {
		out->reused = 1;
		return OTP_OK;
	}

	if (make_code(code) == -1)
		return -1;
	if (otp_hash(code, OTP_HASH_COST_CODE, hash, sizeof(hash), &errstr) ==
	    -1) {
		log_warnx("otp: %s", errstr);
		goto done;
	}
	/* The code is in the SMS text only: the outbox must carry it. */
	/*
	 * TRANSLATORS: the municipality's name in the genitive, the code,
	 * minutes. One UCS-2 segment (70 characters) with the default name.
	 */
	if (util_snprintf(text, sizeof(text), _("%s code: %s. Valid %ld "
	    "min. Tell no one."), p->issuer, code, (p->ttl_s + 59) / 60) ==
	    -1) {
		log_warnx("otp: the SMS text does not fit");
		goto done;
	}

	if (store_begin(s) == -1)
		goto done;
	if (store_do(s, ST_OTP_PRUNE, "t", now) != STORE_OK ||
	    store_do(s, ST_OTP_INVALIDATE, "I", out->resident_id) != STORE_OK)
		goto rollback;
	out->expires_at = now + p->ttl_s;
	if (store_do(s, ST_OTP_INSERT, "Istt", out->resident_id, hash, now,
	    out->expires_at) != STORE_OK)
		goto rollback;
	memset(&m, 0, sizeof(m));
	m.phone = phone;
	m.text = text;
	m.validity_s = p->ttl_s;	/* never delivered after it expired */
	m.priority = OTP_PRIORITY;
	m.resident_id = out->resident_id;
	if ((out->message_id = outbox_enqueue(s, &m, &errstr)) == -1) {
		log_warnx("otp: outbox: %s", errstr);
		goto rollback;
	}
	if (store_do(s, ST_OTP_SECRET, "I", out->message_id) != STORE_OK ||
	    terminal_sent(s, p, now) == -1)
		goto rollback;
	if (store_commit(s) == -1)
		goto rollback;
	ret = OTP_OK;
	goto done;
rollback:
	store_rollback(s);
done:
	explicit_bzero(code, sizeof(code));
	explicit_bzero(text, sizeof(text));
	explicit_bzero(hash, sizeof(hash));
	return ret;
}

/* Six digits and nothing else. */
static int
code_shape(const char *code)
{
	size_t	 i;

	for (i = 0; i < OTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[OTP_DIGITS] == '\0';
}

int
otp_verify(struct store *s, const struct otp_params *p, int64_t resident_id,
    const char *code, int *left, time_t *until)
{
	struct store_cur	*c;
	char			 subject[OTP_SUBJECT_SIZE], hash[OTP_HASH_SIZE];
	int64_t			 id;
	time_t			 expires, locked_until;
	int			 rc, attempts, failures;

	if (left != NULL)
		*left = 0;
	if (until != NULL)
		*until = 0;
	subject_of(resident_id, subject, sizeof(subject));
	if (otp_lockout_get(s, subject, &failures, &locked_until) == -1)
		return -1;
	if (locked_until > clock_now()) {
		if (until != NULL)
			*until = locked_until;
		return OTP_LOCKED;
	}
	c = store_cur(s, ST_OTP_CURRENT);
	if (store_bind(c, "I", resident_id) != STORE_OK)
		return db_fail(s, "current");
	rc = store_step(c);
	if (rc == STORE_OK) {
		store_reset(c);
		return OTP_EXPIRED;
	}
	if (rc != STORE_ROW) {
		store_reset(c);
		return db_fail(s, "current");
	}
	id = store_i64(c, 0);
	if (util_strlcpy(hash, store_str(c, 1), sizeof(hash)) == -1)
		hash[0] = '\0';
	expires = (time_t)store_i64(c, 2);
	attempts = store_int(c, 3);
	store_reset(c);
	if (expires <= clock_now() || attempts >= p->max_attempts)
		return OTP_EXPIRED;

	if (code_shape(code) && otp_hash_check(code, hash)) {
		if (store_do(s, ST_OTP_USE, "I", id) != STORE_OK ||
		    otp_lockout_clear(s, subject) == -1)
			return -1;
		return OTP_OK;
	}
	/*
	 * One wrong code: counted on the code, and what decides, on the
	 * person. A new code must not start the count again: asking for
	 * one after every two guesses once gave ~2,880 guesses a day.
	 */
	if (store_do(s, ST_OTP_ATTEMPT, "I", id) != STORE_OK)
		return -1;
	if ((rc = lockout_fail(s, subject, p->max_attempts, p->lockout_s,
	    p->window_s, &failures, &locked_until)) == -1)
		return -1;
	if (rc == 1 || attempts + 1 >= p->max_attempts) {
		/* The code is void; locked, the person waits. */
		if (store_do(s, ST_OTP_USE, "I", id) != STORE_OK)
			return -1;
	}
	if (rc == 1) {
		if (until != NULL)
			*until = locked_until;
		return OTP_LOCKED;
	}
	if (left != NULL)
		*left = p->max_attempts - failures;
	return OTP_WRONG;
}

int
otp_verify_subject(struct store *s, const struct otp_params *p,
    const char *subject, int *left, time_t *until)
{
	time_t	 locked_until;
	int	 failures, rc;

	if (left != NULL)
		*left = 0;
	if (until != NULL)
		*until = 0;
	if (otp_lockout_get(s, subject, &failures, &locked_until) == -1)
		return -1;
	if (locked_until > clock_now()) {
		if (until != NULL)
			*until = locked_until;
		return OTP_LOCKED;
	}
	if ((rc = lockout_fail(s, subject, p->max_attempts, p->lockout_s,
	    p->window_s, &failures, &locked_until)) == -1)
		return -1;
	if (rc == 1) {
		if (until != NULL)
			*until = locked_until;
		return OTP_LOCKED;
	}
	if (left != NULL)
		*left = p->max_attempts - failures;
	return OTP_WRONG;
}

int
otp_pin_check(struct store *s, const char *hash, const char *pin,
    const char *subject, int max, long lock_s, int *left, time_t *until)
{
	int	 failures, rc;
	time_t	 locked_until;

	if (left != NULL)
		*left = 0;
	if (until != NULL)
		*until = 0;
	if (hash == NULL || hash[0] == '\0')
		return OTP_EXPIRED;
	if (otp_lockout_get(s, subject, &failures, &locked_until) == -1)
		return -1;
	if (locked_until > clock_now()) {
		if (until != NULL)
			*until = locked_until;
		return OTP_LOCKED;
	}
	if (otp_hash_check(pin, hash))
		return otp_lockout_clear(s, subject) == -1 ? -1 : OTP_OK;
	if ((rc = otp_lockout_fail(s, subject, max, lock_s, &failures,
	    &locked_until)) == -1)
		return -1;
	if (rc == 1) {
		if (until != NULL)
			*until = locked_until;
		return OTP_LOCKED;
	}
	if (left != NULL)
		*left = max - failures;
	return OTP_WRONG;
}
