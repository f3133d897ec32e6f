/*
 * config: the one INI file every muni program reads (libinih), checked
 * against a typed table of sections and keys with defaults and bounds.
 * Unknown sections and keys, bad values and out-of-range numbers are errors
 * that name FILE:LINE and the key.
 */
#ifndef MUNI_CONFIG_H
#define MUNI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PATH	"/etc/muni/muni.conf"

/* X(id, section, key, type, default, min, max) */
#define CONFIG_KEYS(X)							\
	X(DATABASE_PATH, "database", "path", STR,			\
	    "/var/lib/muni/muni.db", 1, 4096)				\
	X(DATABASE_URL, "database", "url", STR, "", 0, 4096)		\
	X(DATABASE_PASSWORD_FILE, "database", "password_file", STR, "",	\
	    0, 4096)							\
	X(SMSC_HOST, "smsc", "host", STR, "127.0.0.1", 1, 255)		\
	X(SMSC_PORT, "smsc", "port", INT, "2775", 1, 65535)		\
	X(SMSC_SYSTEM_ID, "smsc", "system_id", STR, "muni", 1, 15)	\
	X(SMSC_PASSWORD, "smsc", "password", SECRET, "", 0, 8)		\
	X(SMSC_PASSWORD_FILE, "smsc", "password_file", STR, "", 0, 4096)	\
	X(SMSC_SYSTEM_TYPE, "smsc", "system_type", STR, "", 0, 12)	\
	X(SMSC_WINDOW, "smsc", "window", INT, "10", 1, 1000)		\
	X(SMSC_MAX_TPS, "smsc", "max_tps", INT, "100", 1, 100000)	\
	X(SMSC_ENQUIRE_LINK_S, "smsc", "enquire_link_s", INT, "30", 5,	\
	    3600)							\
	X(SMSC_RECONNECT_MIN_S, "smsc", "reconnect_min_s", INT, "1", 1,	\
	    3600)							\
	X(SMSC_RECONNECT_MAX_S, "smsc", "reconnect_max_s", INT, "60", 1,	\
	    86400)							\
	X(SMSC_RECONNECT_STABLE_S, "smsc", "reconnect_stable_s", INT,	\
	    "30", 1, 86400)						\
	X(SMSC_SOURCE_ADDR, "smsc", "source_addr", STR, "", 0, 20)	\
	X(SMSC_TLS, "smsc", "tls", BOOL, "no", 0, 1)			\
	X(SMSC_TLS_CA_FILE, "smsc", "tls_ca_file", STR, "", 0, 4096)	\
	X(SMSC_TLS_VERIFY, "smsc", "tls_verify", BOOL, "yes", 0, 1)	\
	X(SMSC_TLS_CERT_FILE, "smsc", "tls_cert_file", STR, "", 0, 4096)	\
	X(SMSC_TLS_KEY_FILE, "smsc", "tls_key_file", STR, "", 0, 4096)	\
	X(SMSC_MSG_ID_TYPE, "smsc", "msg_id_type", ENUM, "hex", 0, 0)	\
	X(SMSC_RESPONSE_TIMEOUT_S, "smsc", "response_timeout_s", INT,	\
	    "10", 1, 300)						\
	X(SMSC_BIND_MODE, "smsc", "bind_mode", ENUM, "auto", 0, 0)	\
	X(SMSC_LONG_MODE, "smsc", "long_mode", ENUM, "udh", 0, 0)	\
	X(SMSC_RECEIPT_GROUP, "smsc", "receipt_group", STR, "", 0, 24)	\
	X(SMS_ENCODING, "sms", "encoding", ENUM, "auto", 0, 0)		\
	X(SMS_QUIET_HOURS, "sms", "quiet_hours", TIMERANGE,		\
	    "21:00-08:00", 0, 0)					\
	X(SMS_PRICE_PER_SEGMENT, "sms", "price_per_segment", PRICE,	\
	    "0.04", 0, 100)						\
	X(SMS_MAX_SEGMENTS, "sms", "max_segments", INT, "6", 1, 255)	\
	X(SMS_REASSEMBLY_TIMEOUT_S, "sms", "reassembly_timeout_s", INT,	\
	    "600", 10, 86400)						\
	X(SMS_RECEIPT_WAIT_H, "sms", "receipt_wait_h", INT, "72", 1, 720)	\
	X(SMSGW_NODE, "smsgw", "node", STR, "", 0, 63)			\
	X(SMSGW_LEASE_S, "smsgw", "lease_s", INT, "60", 10, 3600)	\
	X(USSD_SERVICE_CODE, "ussd", "service_code", USSDCODE, "*505#",	\
	    0, 0)							\
	X(USSD_SESSION_TIMEOUT_S, "ussd", "session_timeout_s", INT,	\
	    "180", 10, 600)						\
	X(KIOSK_IDLE_TIMEOUT_S, "kiosk", "idle_timeout_s", INT, "120",	\
	    5, 3600)							\
	X(KIOSK_LANGUAGES, "kiosk", "languages", LANGS, "lv,en", 0, 0)	\
	X(KIOSK_STAFF_PIN_HASH, "kiosk", "staff_pin_hash", SECRET, "",	\
	    0, 255)							\
	X(PAYMENTS_BENEFICIARY, "payments", "beneficiary", STR, "",	\
	    0, 70)							\
	X(PAYMENTS_SHORT_NAME, "payments", "short_name", STR, "", 0, 70)	\
	X(PAYMENTS_IBAN, "payments", "iban", IBAN,			\
	    "LV89RIKO0023300000000", 0, 0)				\
	X(PAYMENTS_BIC, "payments", "bic", BIC, "", 0, 0)		\
	X(HTTP_LISTEN, "http", "listen", HOSTPORT, "127.0.0.1:8080", 0,	\
	    0)								\
	X(HTTP_TOKEN_FILE, "http", "token_file", STR, "", 0, 4096)	\
	X(HTTP_API_RATE_PER_MIN, "http", "api_rate_per_min", INT, "600",	\
	    1, 600000)							\
	X(HTTP_API_BURST, "http", "api_burst", INT, "60", 1, 100000)	\
	X(HTTP_MAX_CONNECTIONS, "http", "max_connections", INT, "256", 1,	\
	    65536)							\
	X(HTTP_REQUEST_TIMEOUT_S, "http", "request_timeout_s", INT, "10",	\
	    1, 300)							\
	X(HTTP_MAX_ROWS, "http", "max_rows", INT, "200000", 1, 2000000)	\
	X(OTP_TTL_S, "otp", "ttl_s", INT, "300", 30, 3600)		\
	X(OTP_MAX_ATTEMPTS, "otp", "max_attempts", INT, "3", 1, 10)	\
	X(OTP_LOCKOUT_S, "otp", "lockout_s", INT, "900", 60, 86400)	\
	X(OTP_WINDOW_S, "otp", "window_s", INT, "3600", 60, 604800)	\
	X(OTP_PER_TERMINAL_PER_HOUR, "otp", "per_terminal_per_hour", INT,	\
	    "10", 1, 1000)						\
	X(CARD_CODE_TTL_S, "card", "code_ttl_s", INT, "600", 60, 3600)	\
	X(KIOSK_STAFF_LOCKOUT_S, "kiosk", "staff_lockout_s", INT, "300",	\
	    30, 86400)							\
	X(KIOSK_STAFF_MAX_ATTEMPTS, "kiosk", "staff_max_attempts", INT,	\
	    "3", 1, 10)							\
	X(KIOSK_REPORTS_PER_HOUR, "kiosk", "reports_per_hour", INT, "5",	\
	    1, 1000)							\
	X(KIOSK_SPEECH, "kiosk", "speech", ENUM, "key", 0, 0)		\
	X(KIOSK_SPEECH_RATE, "kiosk", "speech_rate", INT, "150", 80, 300)	\
	X(KIOSK_SPEECH_VOLUME, "kiosk", "speech_volume", INT, "100", 10,	\
	    200)							\
	X(KIOSK_SPEECH_COMMAND, "kiosk", "speech_command", STR, "", 0,	\
	    4096)							\
	X(KIOSK_SPEECH_RECORD_DIR, "kiosk", "speech_record_dir", STR, "",	\
	    0, 4096)							\
	X(SERVICES_POLICE_DUTY_NUMBERS, "services", "police_duty_numbers",	\
	    PHONES, "", 0, 0)						\
	X(SERVICES_REPLIES_PER_HOUR, "services", "replies_per_hour", INT,	\
	    "10", 1, 1000)						\
	X(BROADCAST_APPROVAL_THRESHOLD, "broadcast", "approval_threshold",	\
	    INT, "1000", 0, 10000000)					\
	X(BROADCAST_DEFAULT_TOPIC, "broadcast", "default_topic", STR,	\
	    "pazinojumi", 0, 32)					\
	X(REMINDERS_ENABLED, "reminders", "enabled", BOOL, "no", 0, 1)	\
	X(REMINDERS_HOUR, "reminders", "hour", INT, "10", 0, 23)	\
	X(REMINDERS_NIN_DAYS_BEFORE, "reminders", "nin_days_before", INT,	\
	    "7", 0, 90)							\
	X(REMINDERS_DOG_DAYS_BEFORE, "reminders", "dog_days_before", INT,	\
	    "7", 0, 90)							\
	X(REMINDERS_QUEUE_IMPROVEMENT, "reminders", "queue_improvement",	\
	    INT, "0", 0, 100000)						\
	X(MUNICIPALITY_TIMEZONE, "municipality", "timezone", TZNAME,	\
	    "Europe/Riga", 0, 0)					\
	X(MUNICIPALITY_NAME, "municipality", "name", STR,		\
	    "Dobeles novada pašvaldība", 1, 70)				\
	X(MUNICIPALITY_NAME_GENITIVE, "municipality", "name_genitive",	\
	    STR, "Dobeles novada pašvaldības", 1, 70)			\
	X(MUNICIPALITY_SHORT_NAME, "municipality", "short_name", STR,	\
	    "Dobeles novads", 1, 70)

#define X(id, sec, key, type, def, min, max) CFG_##id,
enum config_key {
	CONFIG_KEYS(X)
	CFG__COUNT
};
#undef X

struct config;

/*
 * Load path, or when path is NULL $MUNI_CONF, else CONFIG_DEFAULT_PATH (a
 * missing default file means built-in defaults). On failure returns NULL and
 * *errors holds one "FILE:LINE: message" line per problem (caller frees).
 * A secret (the SMSC password, the staff PIN hash) in a file others may
 * read or write, or an [http] token_file or [smsc] tls_key_file others may
 * read or write, is such a problem; the message names the chmod that fixes it.
 */
struct config	*config_load(const char *path, char **errors);
/* All defaults, no file: for tests and tools. */
struct config	*config_defaults(void);
void		 config_free(struct config *);
/* The file that was read, or "(defaults)". */
const char	*config_path(const struct config *);

const char	*config_str(const struct config *, enum config_key);
long long	 config_int(const struct config *, enum config_key);
int		 config_bool(const struct config *, enum config_key);
double		 config_double(const struct config *, enum config_key);
/* TIMERANGE keys: minutes after midnight; start == end means none. */
void		 config_timerange(const struct config *, enum config_key,
		    int *start_min, int *end_min);
/* "section.key" for messages. */
const char	*config_key_name(enum config_key);

/*
 * What store_open opens: [database] url (PostgreSQL) when set, else path
 * (SQLite). Every program asks here, so the two never disagree.
 */
const char	*config_database(const struct config *);

/*
 * Binds: the plain [smsc] section and each [smsc.NAME] (NAME: letters,
 * digits, '-' and '_'), every one with all the [smsc] keys and their
 * defaults. [smsc] is a bind when the file has it or has no [smsc.NAME];
 * it comes first, then the named ones in file order. Bind 0 of
 * config_bind_* is what config_str(cfg, CFG_SMSC_...) reads.
 */
#define CONFIG_BINDS_MAX	16
#define CONFIG_BIND_NAME_MAX	24
int		 config_binds(const struct config *);
/* "smsc" for the plain section, else NAME. */
const char	*config_bind_name(const struct config *, int bind);
/* Only for [smsc] keys; fatal otherwise. */
const char	*config_bind_str(const struct config *, int bind,
		    enum config_key);
long long	 config_bind_int(const struct config *, int bind,
		    enum config_key);
int		 config_bind_bool(const struct config *, int bind,
		    enum config_key);

/*
 * The bind's SMPP password: from its password_file when it has one (the
 * kiosk, which reads muni.conf too, then never sees it), else password.
 * 0, or -1 with *errstr ("password_file: …", static text).
 */
int		 config_bind_password(const struct config *, int bind,
		    char *buf, size_t size, const char **errstr);

/*
 * Read a secret kept in a file of its own: one word of printable ASCII,
 * a trailing newline allowed, shorter than size. 0, or -1 with *errstr
 * saying what is wrong with the file (static text, no secret in it).
 */
int		 config_secret_file(const char *path, char *buf, size_t size,
		    const char **errstr);

/*
 * Callbacks (issue 23): each [http.callback.NAME] section (NAME as a
 * bind's) posts the events it lists to its url, signed with the secret in
 * its secret_file. url is https, or http to this host only (the body
 * names residents' phones); secret_file, like the token file, must not be
 * readable by others. In file order.
 */
#define CONFIG_CALLBACKS_MAX	8
#define CONFIG_CALLBACK_URL_MAX	1024
struct config_callback {
	const char	*name;
	const char	*url;
	const char	*secret_file;
	unsigned	 events;	/* CALLBACK_* bits of callback.h */
	int		 timeout_s;	/* one attempt, connect to last byte */
	int		 retry_h;	/* retries stop this long after a failure */
};
int		 config_callbacks(const struct config *);
void		 config_callback(const struct config *, int,
		    struct config_callback *);

/* Tests: override one value as if the file had said it. 0 or -1. */
int		 config_set(struct config *, enum config_key, const char *value,
		    const char **errstr);

#endif
