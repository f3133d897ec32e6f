/*
 * test_config: muni.conf through config_load — defaults, every value type
 * with its bounds, errors that name FILE:LINE (all of them in one pass),
 * did-you-mean hints, $MUNI_CONF, and the refusal of a secret in a file
 * that others can read (with the chmod that fixes it). Files live in a mkdtemp() directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "smstext.h"
#include "util.h"

struct fx {
	char	 dir[64];
	char	 path[128];
	char	 logpath[128];
};

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	(void)snprintf(fx->dir, sizeof(fx->dir), "%s/muni-cfg.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	(void)snprintf(fx->path, sizeof(fx->path), "%s/muni.conf", fx->dir);
	(void)snprintf(fx->logpath, sizeof(fx->logpath), "%s/log", fx->dir);
	unsetenv("MUNI_CONF");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	(void)unlink(fx->path);
	(void)unlink(fx->logpath);
	if (rmdir(fx->dir) == -1)
		return -1;
	free(fx);
	unsetenv("MUNI_CONF");
	return 0;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Load text; it must load without errors. */
static struct config *
load_ok(struct fx *fx, const char *text)
{
	struct config	*cfg;
	char		*errors = NULL;

	write_file(fx->path, text, 0600);
	cfg = config_load(fx->path, &errors);
	if (cfg == NULL)
		fail_msg("config_load failed:\n%s", errors ? errors : "?");
	assert_null(errors);
	return cfg;
}

/* Load text; it must fail. Returns the error text (caller frees). */
static char *
load_bad(struct fx *fx, const char *text)
{
	struct config	*cfg;
	char		*errors = NULL;

	write_file(fx->path, text, 0600);
	cfg = config_load(fx->path, &errors);
	if (cfg != NULL) {
		config_free(cfg);
		fail_msg("config_load accepted:\n%s", text);
	}
	assert_non_null(errors);
	return errors;
}

/* errors must hold "PATH:LINE: " and, on that same line, want. */
static void
has_error(struct fx *fx, const char *errors, int line, const char *want)
{
	char		 prefix[200];
	const char	*p = errors, *eol;

	(void)snprintf(prefix, sizeof(prefix), "%s:%d: ", fx->path, line);
	while ((p = strstr(p, prefix)) != NULL) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (want == NULL || (memmem(p, (size_t)(eol - p), want,
		    strlen(want)) != NULL))
			return;
		p = eol;
	}
	fail_msg("no error '%s...%s' in:\n%s", prefix, want ? want : "",
	    errors);
}

static int
count_lines(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void
assert_defaults(const struct config *cfg)
{
	int	 a, b;

	assert_string_equal(config_str(cfg, CFG_DATABASE_PATH),
	    "/var/lib/muni/muni.db");
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 2775);
	assert_int_equal(config_int(cfg, CFG_SMSC_WINDOW), 10);
	assert_string_equal(config_str(cfg, CFG_SMSC_HOST), "127.0.0.1");
	assert_string_equal(config_str(cfg, CFG_SMSC_PASSWORD), "");
	assert_int_equal(config_bool(cfg, CFG_SMSC_TLS), 0);
	assert_string_equal(config_str(cfg, CFG_SMS_ENCODING), "auto");
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &a, &b);
	assert_int_equal(a, 21 * 60);
	assert_int_equal(b, 8 * 60);
	assert_true(config_double(cfg, CFG_SMS_PRICE_PER_SEGMENT) > 0.0399 &&
	    config_double(cfg, CFG_SMS_PRICE_PER_SEGMENT) < 0.0401);
	assert_string_equal(config_str(cfg, CFG_USSD_SERVICE_CODE), "*505#");
	assert_int_equal(config_int(cfg, CFG_USSD_SESSION_TIMEOUT_S), 180);
	assert_string_equal(config_str(cfg, CFG_KIOSK_LANGUAGES), "lv,en");
	assert_string_equal(config_str(cfg, CFG_PAYMENTS_IBAN),
	    "LV89RIKO0023300000000");
	assert_string_equal(config_str(cfg, CFG_PAYMENTS_BIC), "");
	assert_string_equal(config_str(cfg, CFG_HTTP_LISTEN),
	    "127.0.0.1:8080");
	assert_int_equal(config_int(cfg, CFG_OTP_TTL_S), 300);
	assert_int_equal(config_int(cfg, CFG_OTP_MAX_ATTEMPTS), 3);
}

static void
test_defaults(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;

	cfg = config_defaults();
	assert_non_null(cfg);
	assert_string_equal(config_path(cfg), "(defaults)");
	assert_defaults(cfg);
	config_free(cfg);
	/* A file that says nothing gives the defaults too. */
	cfg = load_ok(fx, "; nothing here\n\n# nor here\n[smsc]\n");
	assert_string_equal(config_path(cfg), fx->path);
	assert_defaults(cfg);
	config_free(cfg);
	assert_string_equal(config_key_name(CFG_SMSC_PORT), "smsc.port");
	assert_string_equal(config_key_name(CFG_SMS_QUIET_HOURS),
	    "sms.quiet_hours");
}

static void
test_values_read(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	int		 a, b;

	cfg = load_ok(fx,
	    "[database]\n"
	    "path = /srv/muni/muni.db\n"
	    "[smsc]\n"
	    "host = smsc.example.lv\n"
	    "port=2776\n"
	    "  window   =   20  \n"
	    "password = pa ;s#1\n"
	    "tls = yes\n"
	    "[sms]\n"
	    "encoding = translit\n"
	    "quiet_hours = 22:30-07:15\n"
	    "price_per_segment = 0.05\n"
	    "[ussd]\n"
	    "service_code = *123*4#\n"
	    "[kiosk]\n"
	    "languages = lv,en,ru\n"
	    "[payments]\n"
	    "beneficiary = Dobeles novada pašvaldība\n"
	    "iban = lv89 riko 0023 3000 0000 0\n"
	    "bic = RIKOLV2X\n"
	    "[http]\n"
	    "listen = 0.0.0.0:9000\n");
	assert_string_equal(config_str(cfg, CFG_DATABASE_PATH),
	    "/srv/muni/muni.db");
	assert_string_equal(config_str(cfg, CFG_SMSC_HOST), "smsc.example.lv");
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 2776);
	assert_int_equal(config_int(cfg, CFG_SMSC_WINDOW), 20);
	/* No inline comments: ';' and '#' belong to the password. */
	assert_string_equal(config_str(cfg, CFG_SMSC_PASSWORD), "pa ;s#1");
	assert_int_equal(config_bool(cfg, CFG_SMSC_TLS), 1);
	assert_string_equal(config_str(cfg, CFG_SMS_ENCODING), "translit");
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &a, &b);
	assert_int_equal(a, 22 * 60 + 30);
	assert_int_equal(b, 7 * 60 + 15);
	assert_true(config_double(cfg, CFG_SMS_PRICE_PER_SEGMENT) > 0.0499 &&
	    config_double(cfg, CFG_SMS_PRICE_PER_SEGMENT) < 0.0501);
	assert_string_equal(config_str(cfg, CFG_USSD_SERVICE_CODE), "*123*4#");
	assert_string_equal(config_str(cfg, CFG_KIOSK_LANGUAGES), "lv,en,ru");
	assert_string_equal(config_str(cfg, CFG_PAYMENTS_BENEFICIARY),
	    "Dobeles novada pašvaldība");
	/* The IBAN is stored in its compact, upper-case form. */
	assert_string_equal(config_str(cfg, CFG_PAYMENTS_IBAN),
	    "LV89RIKO0023300000000");
	assert_string_equal(config_str(cfg, CFG_PAYMENTS_BIC), "RIKOLV2X");
	assert_string_equal(config_str(cfg, CFG_HTTP_LISTEN), "0.0.0.0:9000");
	/* Untouched keys keep their defaults. */
	assert_int_equal(config_int(cfg, CFG_OTP_TTL_S), 300);
	config_free(cfg);
}

static void
test_int_bounds(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;

	cfg = load_ok(fx, "[smsc]\nport = 65535\nmax_tps = 100000\n"
	    "[otp]\nmax_attempts = 10\nttl_s = 30\n");
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 65535);
	assert_int_equal(config_int(cfg, CFG_SMSC_MAX_TPS), 100000);
	assert_int_equal(config_int(cfg, CFG_OTP_MAX_ATTEMPTS), 10);
	assert_int_equal(config_int(cfg, CFG_OTP_TTL_S), 30);
	config_free(cfg);
	cfg = load_ok(fx, "[smsc]\nport = 1\n");
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 1);
	config_free(cfg);

	e = load_bad(fx, "[smsc]\nport = 0\n");
	has_error(fx, e, 2, "smsc.port");
	has_error(fx, e, 2, "too small");
	free(e);
	e = load_bad(fx, "[smsc]\nport = 65536\n");
	has_error(fx, e, 2, "smsc.port");
	has_error(fx, e, 2, "too large");
	free(e);
	e = load_bad(fx, "[smsc]\n\nmax_tps = 100001\n");
	has_error(fx, e, 3, "smsc.max_tps");
	free(e);
	e = load_bad(fx, "[otp]\nmax_attempts = 11\n");
	has_error(fx, e, 2, "otp.max_attempts");
	free(e);
	e = load_bad(fx, "[otp]\nttl_s = 29\n");
	has_error(fx, e, 2, "otp.ttl_s");
	free(e);
	e = load_bad(fx, "[smsc]\nport = 27a5\n");
	has_error(fx, e, 2, "smsc.port");
	free(e);
	e = load_bad(fx, "[smsc]\nport =\n");
	has_error(fx, e, 2, "smsc.port");
	free(e);
}

static void
test_bool(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;

	cfg = load_ok(fx, "[smsc]\ntls = yes\n");
	assert_int_equal(config_bool(cfg, CFG_SMSC_TLS), 1);
	config_free(cfg);
	cfg = load_ok(fx, "[smsc]\ntls = no\n");
	assert_int_equal(config_bool(cfg, CFG_SMSC_TLS), 0);
	config_free(cfg);
	e = load_bad(fx, "[smsc]\ntls = maybe\n");
	has_error(fx, e, 2, "smsc.tls");
	has_error(fx, e, 2, "yes or no");
	free(e);
}

static void
test_enum(void **state)
{
	static const char *const conf_names[] = {
		SMSTEXT_POLICY_NAMES_CONFIG
	};
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e, text[64];
	size_t		 i;

	cfg = load_ok(fx, "[sms]\nencoding = ucs2\n");
	assert_string_equal(config_str(cfg, CFG_SMS_ENCODING), "ucs2");
	config_free(cfg);
	cfg = load_ok(fx, "[sms]\nencoding = auto\n");
	assert_string_equal(config_str(cfg, CFG_SMS_ENCODING), "auto");
	config_free(cfg);
	e = load_bad(fx, "[sms]\nencoding = utf8\n");
	has_error(fx, e, 2, "sms.encoding");
	/* The message lists what is allowed. */
	has_error(fx, e, 2, "translit");
	free(e);
	e = load_bad(fx, "[sms]\nencoding = UCS2\n");
	has_error(fx, e, 2, "sms.encoding");
	free(e);
	/* smstext's list of names, less gsm7: one message's choice only. */
	for (i = 0; i < nitems(conf_names); i++) {
		(void)snprintf(text, sizeof(text), "[sms]\nencoding = %s\n",
		    conf_names[i]);
		cfg = load_ok(fx, text);
		assert_string_equal(config_str(cfg, CFG_SMS_ENCODING),
		    conf_names[i]);
		config_free(cfg);
	}
	e = load_bad(fx, "[sms]\nencoding = gsm7\n");
	has_error(fx, e, 2, "sms.encoding");
	free(e);
}

static void
test_timerange(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;
	int		 a, b;

	cfg = load_ok(fx, "[sms]\nquiet_hours = 21:00-08:00\n");
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &a, &b);
	assert_int_equal(a, 1260);
	assert_int_equal(b, 480);
	config_free(cfg);
	cfg = load_ok(fx, "[sms]\nquiet_hours = none\n");
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &a, &b);
	assert_int_equal(a, b);
	config_free(cfg);
	cfg = load_ok(fx, "[sms]\nquiet_hours = 00:00-23:59\n");
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, 23 * 60 + 59);
	config_free(cfg);
	e = load_bad(fx, "[sms]\nquiet_hours = 25:00-08:00\n");
	has_error(fx, e, 2, "sms.quiet_hours");
	free(e);
	e = load_bad(fx, "[sms]\nquiet_hours = 21:00-08:60\n");
	has_error(fx, e, 2, "sms.quiet_hours");
	free(e);
	e = load_bad(fx, "[sms]\nquiet_hours = 2100-0800\n");
	has_error(fx, e, 2, "sms.quiet_hours");
	free(e);
	e = load_bad(fx, "[sms]\nquiet_hours = 9:00-17:00\n");
	has_error(fx, e, 2, "sms.quiet_hours");
	free(e);
}

/*
 * [municipality] timezone: the tz database's names, checked at load; an
 * unknown zone or a path is an error at its line, never a silent UTC.
 */
static void
test_timezone(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;

	cfg = config_defaults();
	assert_string_equal(config_str(cfg, CFG_MUNICIPALITY_TIMEZONE),
	    "Europe/Riga");
	config_free(cfg);
	cfg = load_ok(fx, "[municipality]\ntimezone = Europe/Vilnius\n");
	assert_string_equal(config_str(cfg, CFG_MUNICIPALITY_TIMEZONE),
	    "Europe/Vilnius");
	config_free(cfg);
	e = load_bad(fx, "[municipality]\n\ntimezone = Europe/Rgia\n");
	has_error(fx, e, 3, "municipality.timezone: 'Europe/Rgia' is not in "
	    "the time zone database");
	free(e);
	e = load_bad(fx, "[municipality]\ntimezone = ../../../etc/passwd\n");
	has_error(fx, e, 2, "municipality.timezone: '../../../etc/passwd' is "
	    "not a time zone name");
	free(e);
	e = load_bad(fx, "[municipality]\ntimezone = /etc/localtime\n");
	has_error(fx, e, 2, "not a time zone name");
	free(e);
	e = load_bad(fx, "[municipality]\ntimezone = Europe/../Europe/Riga\n");
	has_error(fx, e, 2, "not a time zone name");
	free(e);
	/* A directory of the database is not a zone. */
	e = load_bad(fx, "[municipality]\ntimezone = Europe\n");
	has_error(fx, e, 2, "is not a zone of the time zone database");
	free(e);
	e = load_bad(fx, "[municipality]\ntimezone =\n");
	has_error(fx, e, 2, "municipality.timezone");
	free(e);
}

static void
test_price(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;

	cfg = load_ok(fx, "[sms]\nprice_per_segment = 0\n");
	assert_true(config_double(cfg, CFG_SMS_PRICE_PER_SEGMENT) == 0.0);
	config_free(cfg);
	cfg = load_ok(fx, "[sms]\nprice_per_segment = 100\n");
	assert_true(config_double(cfg, CFG_SMS_PRICE_PER_SEGMENT) == 100.0);
	config_free(cfg);
	e = load_bad(fx, "[sms]\nprice_per_segment = -0.01\n");
	has_error(fx, e, 2, "sms.price_per_segment");
	free(e);
	e = load_bad(fx, "[sms]\nprice_per_segment = 100.01\n");
	has_error(fx, e, 2, "sms.price_per_segment");
	free(e);
	e = load_bad(fx, "[sms]\nprice_per_segment = 0,04\n");
	has_error(fx, e, 2, "sms.price_per_segment");
	free(e);
	e = load_bad(fx, "[sms]\nprice_per_segment = cheap\n");
	has_error(fx, e, 2, "sms.price_per_segment");
	free(e);
	e = load_bad(fx, "[sms]\nprice_per_segment = inf\n");
	has_error(fx, e, 2, "sms.price_per_segment");
	free(e);
}

/*
 * Regression (a bug once, common/config.c, config_convert, T_PRICE): strtod accepts "nan", and
 * NaN fails both "dv < min" and "dv > max", so price_per_segment = nan loads
 * and every later cost is NaN.
 */
static void
test_price_nan_refused(void **state)
{
	struct fx	*fx = *state;
	char		*e;

	e = load_bad(fx, "[sms]\nprice_per_segment = nan\n");
	has_error(fx, e, 2, "sms.price_per_segment");
	free(e);
}

static void
test_ussd_langs_iban_bic_hostport(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;

	cfg = load_ok(fx, "[kiosk]\nlanguages = lv\n");
	assert_string_equal(config_str(cfg, CFG_KIOSK_LANGUAGES), "lv");
	config_free(cfg);
	cfg = load_ok(fx, "[kiosk]\nlanguages = en, lv\n");
	assert_string_equal(config_str(cfg, CFG_KIOSK_LANGUAGES), "en, lv");
	config_free(cfg);
	cfg = load_ok(fx, "[payments]\nbic = RIKOLV2XXXX\n[http]\n"
	    "listen = [::1]:8080\n");
	assert_string_equal(config_str(cfg, CFG_PAYMENTS_BIC), "RIKOLV2XXXX");
	assert_string_equal(config_str(cfg, CFG_HTTP_LISTEN), "[::1]:8080");
	config_free(cfg);

	e = load_bad(fx,
	    "[ussd]\n"
	    "service_code = 505#\n"			/* 2 */
	    "[kiosk]\n"
	    "languages = en,ru\n"			/* 4 */
	    "[payments]\n"
	    "iban = LV89RIKO0023300000001\n"		/* 6 */
	    "bic = RIKO\n"				/* 7 */
	    "[http]\n"
	    "listen = localhost\n");			/* 9 */
	has_error(fx, e, 2, "ussd.service_code");
	has_error(fx, e, 4, "kiosk.languages");
	has_error(fx, e, 4, "lv");
	has_error(fx, e, 6, "payments.iban");
	has_error(fx, e, 7, "payments.bic");
	has_error(fx, e, 9, "http.listen");
	assert_int_equal(count_lines(e), 5);
	free(e);

	e = load_bad(fx,
	    "[ussd]\n"
	    "service_code = *50a#\n"			/* 2 */
	    "[kiosk]\n"
	    "languages = lv,xx\n"			/* 4 */
	    "[payments]\n"
	    "iban = XX89RIKO0023300000000\n"		/* 6 */
	    "bic = rikolv2x\n"				/* 7 */
	    "[http]\n"
	    "listen = 127.0.0.1:0\n");			/* 9 */
	has_error(fx, e, 2, "ussd.service_code");
	has_error(fx, e, 4, "xx");
	has_error(fx, e, 6, "payments.iban");
	has_error(fx, e, 7, "payments.bic");
	has_error(fx, e, 9, "http.listen");
	free(e);

	e = load_bad(fx, "[ussd]\nservice_code = *#\n[http]\n"
	    "listen = :8080\n");
	has_error(fx, e, 2, "ussd.service_code");
	has_error(fx, e, 4, "http.listen");
	free(e);
}

static void
test_string_lengths(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		 text[400], name[160];
	char		*e;
	int		 i;

	/* Lengths count characters, not bytes: 70 'ā' are 140 bytes. */
	for (i = 0; i < 71; i++)
		memcpy(name + 2 * i, "ā", 2);
	name[140] = '\0';
	(void)snprintf(text, sizeof(text), "[payments]\nbeneficiary = %s\n",
	    name);
	cfg = load_ok(fx, text);
	assert_string_equal(config_str(cfg, CFG_PAYMENTS_BENEFICIARY), name);
	config_free(cfg);
	memcpy(name + 140, "ā", 2);
	name[142] = '\0';
	(void)snprintf(text, sizeof(text), "[payments]\nbeneficiary = %s\n",
	    name);
	e = load_bad(fx, text);
	has_error(fx, e, 2, "payments.beneficiary");
	free(e);
	e = load_bad(fx, "[smsc]\nsystem_id = abcdefghijklmnop\n"
	    "password = 123456789\n");
	has_error(fx, e, 2, "smsc.system_id");
	has_error(fx, e, 3, "smsc.password");
	free(e);
	e = load_bad(fx, "[smsc]\nsystem_id =\n");
	has_error(fx, e, 2, "smsc.system_id");
	free(e);
	e = load_bad(fx, "[smsc]\nhost = bad\xff\n");
	has_error(fx, e, 2, "UTF-8");
	free(e);
}

static void
test_unknown_section_and_key(void **state)
{
	struct fx	*fx = *state;
	char		*e;

	e = load_bad(fx,
	    "[smsc]\n"
	    "prot = 2775\n"			/* 2 */
	    "[kiosc]\n"				/* 3 */
	    "port = 2775\n"			/* 4: in an unknown section */
	    "[sms]\n"
	    "quiet_hour = 21:00-08:00\n"	/* 6 */
	    "[nonsense]\n"			/* 7 */
	    "[sms]\n"
	    "zzzzzzzzzz = 1\n");		/* 9 */
	has_error(fx, e, 2, "unknown key 'prot'");
	has_error(fx, e, 2, "did you mean 'port'");
	has_error(fx, e, 3, "unknown section [kiosc]");
	has_error(fx, e, 3, "did you mean [kiosk]");
	has_error(fx, e, 6, "did you mean 'quiet_hours'");
	has_error(fx, e, 7, "unknown section [nonsense]");
	has_error(fx, e, 9, "zzzzzzzzzz");
	/* Nothing is near "nonsense" or "zzzzzzzzzz". */
	assert_null(strstr(e, "[nonsense] (did you mean"));
	assert_null(strstr(e, "'zzzzzzzzzz' in [sms] (did you mean"));
	/* Keys of an unknown section are not reported one by one. */
	assert_int_equal(count_lines(e), 5);
	free(e);
}

static void
test_key_twice_and_syntax(void **state)
{
	struct fx	*fx = *state;
	char		*e;

	e = load_bad(fx,
	    "[smsc]\n"
	    "port = 2775\n"			/* 2 */
	    "window = 5\n"
	    "port = 2776\n"			/* 4 */
	    "this line has no equals sign\n"	/* 5 */
	    "= value without a key\n");		/* 6 */
	has_error(fx, e, 4, "smsc.port");
	has_error(fx, e, 4, "line 2");
	has_error(fx, e, 5, NULL);
	has_error(fx, e, 6, NULL);
	assert_int_equal(count_lines(e), 3);
	free(e);

	/* The same key in two [smsc] sections is still set twice. */
	e = load_bad(fx, "[smsc]\nport = 1\n[sms]\n[smsc]\nport = 2\n");
	has_error(fx, e, 5, "line 2");
	free(e);
}

static void
test_line_too_long(void **state)
{
	struct fx	*fx = *state;
	char		 h[301], t[2001], text[3000];
	char		*e;

	/* A 300-character value, then an error on line 4 that must keep
	 * its number, then a 2000-character line, then another error. */
	memset(h, 'h', 300);
	h[300] = '\0';
	memset(t, 't', 2000);
	t[2000] = '\0';
	(void)snprintf(text, sizeof(text), "[smsc]\nhost = %s\nwindow = 1\n"
	    "port = 0\nsystem_type = %s\nmax_tps = 0\n", h, t);
	e = load_bad(fx, text);
	has_error(fx, e, 2, "too long");
	has_error(fx, e, 4, "smsc.port");
	has_error(fx, e, 5, "too long");
	has_error(fx, e, 6, "smsc.max_tps");
	assert_int_equal(count_lines(e), 4);
	free(e);
}

static void
test_many_errors_in_one_load(void **state)
{
	struct fx	*fx = *state;
	char		 text[4000];
	char		*e;
	size_t		 n;
	int		 i;

	e = load_bad(fx,
	    "[smsc]\n"
	    "port = 0\n"			/* 2 */
	    "window = 0\n"			/* 3 */
	    "tls = perhaps\n"			/* 4 */
	    "[sms]\n"
	    "encoding = gsm\n"			/* 6 */
	    "quiet_hours = 24:00-08:00\n"	/* 7 */
	    "[ussd]\n"
	    "session_timeout_s = 9\n");		/* 9 */
	has_error(fx, e, 2, "smsc.port");
	has_error(fx, e, 3, "smsc.window");
	has_error(fx, e, 4, "smsc.tls");
	has_error(fx, e, 6, "sms.encoding");
	has_error(fx, e, 7, "sms.quiet_hours");
	has_error(fx, e, 9, "ussd.session_timeout_s");
	assert_int_equal(count_lines(e), 6);
	free(e);

	/* 30 errors: the first 20 are listed, then a count. */
	n = (size_t)snprintf(text, sizeof(text), "[smsc]\n");
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "bogus%02d = 1\n", i);
	e = load_bad(fx, text);
	has_error(fx, e, 2, "bogus00");
	has_error(fx, e, 21, "bogus19");
	assert_null(strstr(e, "bogus20"));
	assert_non_null(strstr(e, "10 more errors"));
	assert_int_equal(count_lines(e), 21);
	free(e);
}

/* [smsc.NAME] sections: binds with the [smsc] keys, checked the same way. */
static void
test_named_binds(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;

	/* Without a file or named sections: [smsc] is the one bind. */
	cfg = config_defaults();
	assert_int_equal(config_binds(cfg), 1);
	assert_string_equal(config_bind_name(cfg, 0), "smsc");
	/* auto: a transceiver, else a pair (issue 16). */
	assert_string_equal(config_bind_str(cfg, 0, CFG_SMSC_BIND_MODE),
	    "auto");
	assert_string_equal(config_bind_str(cfg, 0, CFG_SMSC_LONG_MODE),
	    "udh");
	/* Receipts match within the bind's own name unless one is set. */
	assert_string_equal(config_bind_str(cfg, 0, CFG_SMSC_RECEIPT_GROUP),
	    "");
	config_free(cfg);

	/* [smsc] first, then the named ones in file order, own values,
	   defaults for what they leave out (not [smsc]'s values). */
	cfg = load_ok(fx,
	    "[smsc.backup]\n"
	    "port = 2801\n"
	    "bind_mode = pair\n"
	    "[smsc]\n"
	    "port = 2800\n"
	    "window = 50\n"
	    "[smsc.third-1]\n"
	    "host = 10.0.0.3\n"
	    "long_mode = payload\n"
	    "tls = no\n"
	    "[smsc.backup]\n"
	    "window = 7\n");
	assert_int_equal(config_binds(cfg), 3);
	assert_string_equal(config_bind_name(cfg, 0), "smsc");
	assert_string_equal(config_bind_name(cfg, 1), "backup");
	assert_string_equal(config_bind_name(cfg, 2), "third-1");
	assert_int_equal(config_bind_int(cfg, 0, CFG_SMSC_PORT), 2800);
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 2800);
	assert_int_equal(config_bind_int(cfg, 0, CFG_SMSC_WINDOW), 50);
	assert_int_equal(config_bind_int(cfg, 1, CFG_SMSC_PORT), 2801);
	assert_int_equal(config_bind_int(cfg, 1, CFG_SMSC_WINDOW), 7);
	assert_string_equal(config_bind_str(cfg, 1, CFG_SMSC_BIND_MODE),
	    "pair");
	assert_string_equal(config_bind_str(cfg, 1, CFG_SMSC_HOST),
	    "127.0.0.1");
	assert_int_equal(config_bind_int(cfg, 2, CFG_SMSC_PORT), 2775);
	assert_int_equal(config_bind_int(cfg, 2, CFG_SMSC_WINDOW), 10);
	assert_string_equal(config_bind_str(cfg, 2, CFG_SMSC_HOST),
	    "10.0.0.3");
	assert_string_equal(config_bind_str(cfg, 2, CFG_SMSC_LONG_MODE),
	    "payload");
	assert_int_equal(config_bind_bool(cfg, 2, CFG_SMSC_TLS), 0);
	config_free(cfg);

	/* Only named sections: [smsc] is no bind then. */
	cfg = load_ok(fx, "[smsc.a]\nport = 1\n[smsc.b]\nport = 2\n");
	assert_int_equal(config_binds(cfg), 2);
	assert_string_equal(config_bind_name(cfg, 0), "a");
	assert_int_equal(config_bind_int(cfg, 1, CFG_SMSC_PORT), 2);
	config_free(cfg);

	/* Errors: FILE:LINE, the section's own name, hints, bounds. */
	e = load_bad(fx,
	    "[smsc.backup]\n"
	    "windw = 5\n"			/* 2 */
	    "port = 0\n"			/* 3 */
	    "bind_mode = both\n"		/* 4 */
	    "[smsc.bad name]\n"			/* 5 */
	    "port = 1\n"
	    "[smsc.]\n"				/* 7 */
	    "[smsc.smsc]\n"			/* 8 */
	    "[smsc.ok]\n"
	    "long_mode = sar\n");		/* 10 */
	has_error(fx, e, 2, "unknown key 'windw' in [smsc.backup] (did you "
	    "mean 'window'?)");
	has_error(fx, e, 3, "smsc.backup.port");
	has_error(fx, e, 4, "smsc.backup.bind_mode: 'both' is not one of "
	    "transceiver pair auto");
	has_error(fx, e, 5, "[smsc.bad name]");
	has_error(fx, e, 7, "[smsc.NAME]");
	has_error(fx, e, 8, "[smsc.smsc]");
	has_error(fx, e, 10, "smsc.ok.long_mode: 'sar' is not one of udh "
	    "payload");
	assert_int_equal(count_lines(e), 7);
	free(e);

	e = load_bad(fx, "[smsc.x]\nport = 1\nport = 2\n");
	has_error(fx, e, 3, "smsc.x.port is set twice (first on line 2)");
	free(e);
	e = load_bad(fx, "[smsc.x]\nreconnect_max_s = 3\nreconnect_min_s = 9\n");
	has_error(fx, e, 3, "smsc.x.reconnect_min_s is larger than "
	    "smsc.x.reconnect_max_s");
	free(e);
	e = load_bad(fx, "[smsx.y]\nport = 1\n[kiosk.y]\n");
	has_error(fx, e, 1, "unknown section [smsx.y] (did you mean "
	    "[smsc.y]?)");
	has_error(fx, e, 3, "unknown section [kiosk.y]");
	assert_null(strstr(e, "did you mean [kiosk"));
	free(e);
}

static void
test_reconnect_order(void **state)
{
	struct fx	*fx = *state;
	char		*e;

	e = load_bad(fx, "[smsc]\nreconnect_max_s = 5\nreconnect_min_s = 10\n");
	has_error(fx, e, 3, "reconnect_min_s");
	free(e);
}

static void
test_bom_and_crlf(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*e;

	cfg = load_ok(fx, "\xef\xbb\xbf[smsc]\r\nport = 2800\r\nhost = h\r\n");
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 2800);
	assert_string_equal(config_str(cfg, CFG_SMSC_HOST), "h");
	config_free(cfg);
	e = load_bad(fx, "\xef\xbb\xbf[smsc]\r\nhost = h\r\nport = x\r\n");
	has_error(fx, e, 3, "smsc.port");
	free(e);
}

static void
test_missing_file_and_env(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		*errors = NULL, missing[200];

	(void)snprintf(missing, sizeof(missing), "%s/nope.conf", fx->dir);
	cfg = config_load(missing, &errors);
	assert_null(cfg);
	assert_non_null(errors);
	assert_non_null(strstr(errors, missing));
	free(errors);

	/* path NULL: $MUNI_CONF is read. */
	write_file(fx->path, "[smsc]\nport = 2999\n", 0600);
	assert_int_equal(setenv("MUNI_CONF", fx->path, 1), 0);
	errors = NULL;
	cfg = config_load(NULL, &errors);
	assert_non_null(cfg);
	assert_null(errors);
	assert_string_equal(config_path(cfg), fx->path);
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 2999);
	config_free(cfg);

	/* A $MUNI_CONF that names a missing file is an error too. */
	assert_int_equal(setenv("MUNI_CONF", missing, 1), 0);
	errors = NULL;
	cfg = config_load(NULL, &errors);
	assert_null(cfg);
	assert_non_null(errors);
	assert_non_null(strstr(errors, missing));
	free(errors);
	unsetenv("MUNI_CONF");
}

/* Load path at mode; returns the errors (caller frees), NULL if it loaded. */
static char *
load_at_mode(const char *path, mode_t mode)
{
	struct config	*cfg;
	char		*errors = NULL;

	assert_int_equal(chmod(path, mode), 0);
	cfg = config_load(path, &errors);
	if (cfg != NULL) {
		assert_null(errors);
		config_free(cfg);
		return NULL;
	}
	assert_non_null(errors);
	return errors;
}

/* errors names key, the file and exactly the chmod command want. */
static void
refused_with(const char *errors, const char *key, const char *want)
{
	if (strstr(errors, key) == NULL || strstr(errors, want) == NULL)
		fail_msg("want %s and '%s' in:\n%s", key, want, errors);
}

static void
test_password_permissions(void **state)
{
	struct fx	*fx = *state;
	char		*e, want[600];

	write_file(fx->path, "[smsc]\nport = 2775\npassword = s3cret\n", 0600);
	/* World-readable: refused, with the chmod that keeps group access. */
	e = load_at_mode(fx->path, 0644);
	assert_non_null(e);
	(void)snprintf(want, sizeof(want), "%s:3: smsc.password is a secret "
	    "and the file is readable by others: run `chmod 640 %s`",
	    fx->path, fx->path);
	refused_with(e, "smsc.password", want);
	/* The message never quotes the password itself. */
	assert_null(strstr(e, "s3cret"));
	free(e);
	e = load_at_mode(fx->path, 0604);
	(void)snprintf(want, sizeof(want), "`chmod 600 %s`", fx->path);
	refused_with(e, "smsc.password", want);
	free(e);
	e = load_at_mode(fx->path, 0602);
	assert_non_null(e);
	assert_non_null(strstr(e, "writable by others"));
	free(e);
	/* The fixes the messages name are enough. */
	assert_null(load_at_mode(fx->path, 0640));
	assert_null(load_at_mode(fx->path, 0600));

	/* The staff PIN hash is a secret too. */
	write_file(fx->path, "[kiosk]\nstaff_pin_hash = abc\n", 0644);
	e = load_at_mode(fx->path, 0644);
	assert_non_null(e);
	refused_with(e, "kiosk.staff_pin_hash", "chmod 640");
	free(e);

	/* A readable file without a secret (or with an empty one) is fine. */
	write_file(fx->path, "[smsc]\nport = 2775\npassword =\n", 0644);
	assert_null(load_at_mode(fx->path, 0644));
}

static void
test_token_file_permissions(void **state)
{
	struct fx	*fx = *state;
	char		 tok[160], text[300], want[800], *e;

	(void)snprintf(tok, sizeof(tok), "%s/token", fx->dir);
	(void)snprintf(text, sizeof(text), "[http]\ntoken_file = %s\n", tok);
	write_file(fx->path, text, 0644);
	/* Not there yet: the HTTP API says so when it needs it. */
	assert_null(load_at_mode(fx->path, 0644));
	write_file(tok, "t0ken\n", 0644);
	e = load_at_mode(fx->path, 0644);
	(void)snprintf(want, sizeof(want), "%s:2: http.token_file: the token "
	    "file %s is readable by others: run `chmod 600 %s` (the "
	    "gateway's user alone may read it)", fx->path, tok, tok);
	assert_non_null(e);
	refused_with(e, "http.token_file", want);
	assert_null(strstr(e, "t0ken"));
	free(e);
	/* One rule: the group (which has the kiosks in it) may not either. */
	assert_int_equal(chmod(tok, 0640), 0);
	e = load_at_mode(fx->path, 0644);
	(void)snprintf(want, sizeof(want), "%s:2: http.token_file: the token "
	    "file %s is readable by its group: run `chmod 600 %s` (the "
	    "gateway's user alone may read it)", fx->path, tok, tok);
	assert_non_null(e);
	refused_with(e, "http.token_file", want);
	free(e);
	assert_int_equal(chmod(tok, 0600), 0);
	assert_null(load_at_mode(fx->path, 0644));
	assert_int_equal(unlink(tok), 0);
}

/*
 * [smsc] password_file: the password read from a file of its own (a
 * newline allowed), never together with password, refused when others can
 * read it, and what is wrong with the file said without the password.
 */
static void
test_password_file(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		 pf[160], text[600], want[800], pw[16], *e;
	const char	*err = NULL;

	(void)snprintf(pf, sizeof(pf), "%s/smpp.pw", fx->dir);
	(void)snprintf(text, sizeof(text), "[smsc]\nport = 2775\n"
	    "password_file = %s\n[smsc.backup]\npassword = other\n", pf);
	write_file(fx->path, text, 0600);
	write_file(pf, "s3cret\n", 0600);
	cfg = load_ok(fx, text);
	assert_int_equal(config_bind_password(cfg, 0, pw, sizeof(pw), &err),
	    0);
	assert_string_equal(pw, "s3cret");
	/* The other bind keeps its own, from muni.conf. */
	assert_int_equal(config_bind_password(cfg, 1, pw, sizeof(pw), &err),
	    0);
	assert_string_equal(pw, "other");

	/* SMPP's 8 characters, as for password. */
	write_file(pf, "123456789\n", 0600);
	assert_int_equal(config_bind_password(cfg, 0, pw, sizeof(pw), &err),
	    -1);
	(void)snprintf(want, sizeof(want), "password_file %s: is longer than "
	    "8 characters", pf);
	assert_string_equal(err, want);
	write_file(pf, "pa ss\n", 0600);
	assert_int_equal(config_bind_password(cfg, 0, pw, sizeof(pw), &err),
	    -1);
	assert_non_null(strstr(err, "one word of printable ASCII"));
	assert_null(strstr(err, "pa ss"));
	write_file(pf, "\n", 0600);
	assert_int_equal(config_bind_password(cfg, 0, pw, sizeof(pw), &err),
	    -1);
	assert_non_null(strstr(err, "is empty"));
	assert_int_equal(unlink(pf), 0);
	assert_int_equal(config_bind_password(cfg, 0, pw, sizeof(pw), &err),
	    -1);
	assert_non_null(strstr(err, "cannot be read: No such file"));
	config_free(cfg);

	/* Missing is the gateway's to report: the kiosk does not need it. */
	assert_null(load_at_mode(fx->path, 0640));
	/* Others may read it: refused, with the chmod, without the secret. */
	write_file(pf, "s3cret\n", 0644);
	e = load_at_mode(fx->path, 0640);
	(void)snprintf(want, sizeof(want), "%s:3: smsc.password_file: the "
	    "password file %s is readable by others: run `chmod 640 %s`",
	    fx->path, pf, pf);
	assert_non_null(e);
	refused_with(e, "smsc.password_file", want);
	assert_null(strstr(e, "s3cret"));
	free(e);
	assert_int_equal(chmod(pf, 0600), 0);
	assert_null(load_at_mode(fx->path, 0640));

	/* Both for one bind: which one counts would be a guess. */
	(void)snprintf(text, sizeof(text), "[smsc.a]\npassword = x\n"
	    "password_file = %s\n", pf);
	write_file(fx->path, text, 0600);
	e = load_at_mode(fx->path, 0600);
	assert_non_null(e);
	refused_with(e, "smsc.a.password_file", "set password or "
	    "password_file, not both");
	free(e);
	assert_int_equal(unlink(pf), 0);
}

/*
 * [database] url: PostgreSQL instead of path's SQLite file, never both,
 * never with a password in it; password_file its owner's alone.
 * config_database() says which one the programs open.
 */
static void
test_database_url(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		 pf[160], text[600], *e;

	cfg = load_ok(fx, "[database]\npath = /tmp/x.db\n");
	assert_string_equal(config_database(cfg), "/tmp/x.db");
	config_free(cfg);
	cfg = load_ok(fx, "[database]\nurl = postgresql://db.example/muni"
	    "?sslmode=verify-full&sslrootcert=/etc/muni/ca.pem\n");
	assert_string_equal(config_database(cfg), "postgresql://db.example/"
	    "muni?sslmode=verify-full&sslrootcert=/etc/muni/ca.pem");
	config_free(cfg);
	cfg = load_ok(fx, "[database]\nurl = host=db1,db2 dbname=muni "
	    "user=gw\n");
	assert_string_equal(config_database(cfg),
	    "host=db1,db2 dbname=muni user=gw");
	config_free(cfg);
	/* A user name is no password. */
	cfg = load_ok(fx, "[database]\nurl = postgres://gw@db/muni\n");
	config_free(cfg);

	e = load_bad(fx, "[database]\npath = /tmp/x.db\n"
	    "url = postgresql:///muni\n");
	has_error(fx, e, 3, "database.url: set path (SQLite) or url "
	    "(PostgreSQL), not both");
	free(e);
	e = load_bad(fx, "[database]\nurl = /var/lib/muni/muni.db\n");
	has_error(fx, e, 2, "database.url: not a PostgreSQL connection");
	free(e);
	e = load_bad(fx, "[database]\nurl = postgresql://gw:s3cret@db/muni"
	    "\n");
	has_error(fx, e, 2, "database.url: no password in the url");
	assert_null(strstr(e, "s3cret"));
	free(e);
	e = load_bad(fx, "[database]\nurl = postgresql://db/muni?user=gw&"
	    "password=s3cret\n");
	has_error(fx, e, 2, "no password in the url");
	free(e);
	e = load_bad(fx, "[database]\nurl = host=db dbname=muni password ="
	    " s3cret\n");
	has_error(fx, e, 2, "no password in the url");
	free(e);

	/* The password's file: group or others may not read it. */
	(void)snprintf(pf, sizeof(pf), "%s/db.pw", fx->dir);
	write_file(pf, "s3cret\n", 0640);
	(void)snprintf(text, sizeof(text), "[database]\n"
	    "url = postgresql:///muni\npassword_file = %s\n", pf);
	e = load_bad(fx, text);
	has_error(fx, e, 3, "database.password_file: ");
	assert_non_null(strstr(e, "chmod 600"));
	assert_null(strstr(e, "s3cret"));
	free(e);
	assert_int_equal(chmod(pf, 0600), 0);
	cfg = load_ok(fx, text);
	assert_string_equal(config_str(cfg, CFG_DATABASE_PASSWORD_FILE), pf);
	config_free(cfg);
	/* ... and it is for PostgreSQL only. */
	(void)snprintf(text, sizeof(text), "[database]\npassword_file = %s\n",
	    pf);
	e = load_bad(fx, text);
	has_error(fx, e, 2, "database.password_file is for a PostgreSQL");
	free(e);
	assert_int_equal(unlink(pf), 0);
}

/*
 * [smsc] tls_key_file and the same key in [smsc.NAME]: a client key others
 * can read or write is refused like a password file, with the chmod; the
 * defaults are TLS off and verification on.
 */
static void
test_tls_key_file(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg;
	char		 kf[160], text[600], want[800], *e;

	(void)snprintf(kf, sizeof(kf), "%s/client.key", fx->dir);
	(void)snprintf(text, sizeof(text), "[smsc]\ntls = yes\n"
	    "tls_cert_file = %s/client.pem\ntls_key_file = %s\n"
	    "[smsc.op]\ntls = yes\ntls_verify = no\n", fx->dir, kf);
	write_file(fx->path, text, 0600);
	write_file(kf, "-----BEGIN PRIVATE KEY-----\n", 0600);
	cfg = load_ok(fx, text);
	assert_true(config_bind_bool(cfg, 0, CFG_SMSC_TLS));
	assert_true(config_bind_bool(cfg, 0, CFG_SMSC_TLS_VERIFY));
	assert_false(config_bind_bool(cfg, 1, CFG_SMSC_TLS_VERIFY));
	assert_string_equal(config_bind_str(cfg, 0, CFG_SMSC_TLS_KEY_FILE),
	    kf);
	assert_string_equal(config_bind_str(cfg, 1, CFG_SMSC_TLS_CA_FILE), "");
	config_free(cfg);

	write_file(kf, "-----BEGIN PRIVATE KEY-----\n", 0644);
	e = load_at_mode(fx->path, 0600);
	(void)snprintf(want, sizeof(want), "%s:4: smsc.tls_key_file: the "
	    "key file %s is readable by others: run `chmod 640 %s`",
	    fx->path, kf, kf);
	assert_non_null(e);
	refused_with(e, "smsc.tls_key_file", want);
	free(e);

	/* A named bind's key as well. */
	(void)snprintf(text, sizeof(text), "[smsc.op]\ntls = yes\n"
	    "tls_key_file = %s\n", kf);
	write_file(fx->path, text, 0600);
	e = load_at_mode(fx->path, 0600);
	assert_non_null(e);
	refused_with(e, "smsc.op.tls_key_file", "is readable by others");
	free(e);
	assert_int_equal(chmod(kf, 0600), 0);
	assert_null(load_at_mode(fx->path, 0600));
	assert_int_equal(unlink(kf), 0);
}

/*
 * Regression (a bug once, common/config.c, config_convert, T_TIMERANGE): parse_hhmm writes the
 * start minute before it checks the range, so a refused config_set (or
 * value) leaves the key half-overwritten.
 */
static void
test_config_set_keeps_old_value_on_error(void **state)
{
	struct config	*cfg = config_defaults();
	const char	*errstr = NULL;
	int		 a, b, r;

	(void)state;
	assert_int_equal(config_set(cfg, CFG_SMSC_PORT, "3000", &errstr), 0);
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 3000);
	assert_int_equal(config_set(cfg, CFG_SMSC_PORT, "70000", &errstr),
	    -1);
	assert_non_null(errstr);
	assert_int_equal(config_int(cfg, CFG_SMSC_PORT), 3000);
	assert_int_equal(config_set(cfg, CFG_SMS_QUIET_HOURS, "22:00-06:00",
	    &errstr), 0);
	r = config_set(cfg, CFG_SMS_QUIET_HOURS, "10:00-25:00", &errstr);
	config_timerange(cfg, CFG_SMS_QUIET_HOURS, &a, &b);
	config_free(cfg);
	assert_int_equal(r, -1);
	assert_int_equal(a, 22 * 60);
	assert_int_equal(b, 6 * 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_values_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_int_bounds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timerange, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timezone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_price, setup, teardown),
		cmocka_unit_test_setup_teardown(test_price_nan_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ussd_langs_iban_bic_hostport, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_lengths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section_and_key,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_twice_and_syntax,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_errors_in_one_load,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_binds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bom_and_crlf, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_file_and_env,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_token_file_permissions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_key_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_database_url, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_password_permissions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_set_keeps_old_value_on_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
